/*
 * Mach traps: the system calls of GNU Mach's x86_64 table (numbers in
 * <mach/syscall_sw.h>, docs/ABI.md).  The machine layer calls a trap
 * from mach_trap_fast with the six argument registers as they came; a
 * trap with more arguments reads the rest from the user stack
 * (trap_stack_args).
 */
#ifndef TASK_TRAPS_H
#define TASK_TRAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Entries in the table: traps -1 .. -(MACH_TRAP_COUNT - 1). */
#define MACH_TRAP_COUNT 130

/* The one trap syscall_entry calls with interrupts still masked:
 * mach_msg_trap (-25), whose RPC fast path runs masked from the trap to
 * the switch (ipc/fastpath.h) and which enables them itself on every
 * other way. */
#define MACH_MSG_TRAP_INDEX 25

/* A trap of at most six arguments: the user's %rdi, %rsi, %rdx, %r10,
 * %r8, %r9.  Returns the value for the user's %rax. */
typedef uint64_t (*mach_trap_fn)(uint64_t a0, uint64_t a1, uint64_t a2,
                                 uint64_t a3, uint64_t a4, uint64_t a5);

/*
 * mach_trap_fast[-NUMBER]: the function of trap NUMBER (unused slots:
 * one that returns KERN_INVALID_ARGUMENT).  syscall_entry (arch) calls
 * it; a number outside the table raises EXC_BAD_INSTRUCTION there.
 * Locks: none held on entry to a trap; it may block.  Interrupts
 *   enabled, but for MACH_MSG_TRAP_INDEX's.
 */
extern const mach_trap_fn mach_trap_fast[MACH_TRAP_COUNT];

/*
 * A quick trap: one the machine layer calls with interrupts masked and
 * without saving the caller's registers, before anything else, so that
 * the cheapest traps stay cheap.  It is a MACH_TRAP_QUICK function:
 * every register it changes but %rax it saves and restores itself (only
 * those it uses, as long as it calls no ordinary function).  It must not
 * block, fault, raise an exception, enable interrupts or look at the
 * thread's user registers (machine.frame), and must ask for no
 * reschedule or AST: the way back to user mode makes no check.  It takes
 * no argument and returns the value for the user's %rax, or
 * MACH_TRAP_AGAIN when it cannot answer on those terms: the general way
 * (mach_trap_fast) then runs as if it had not been called.
 * Locks: none held on entry; interrupts masked throughout.
 */
#define MACH_TRAP_QUICK __attribute__((no_caller_saved_registers))
typedef uint64_t (*mach_trap_quick_fn)(void);

#define MACH_TRAP_AGAIN (~0ULL) /* no quick trap's answer; syscall.S */

/* mach_trap_quick[-NUMBER]: trap NUMBER's quick way, or NULL. */
extern const mach_trap_quick_fn mach_trap_quick[MACH_TRAP_COUNT];

/*
 * trap_stack_args (machine layer): the current trap's arguments after
 * the sixth, COUNT of them, from the user stack into MORE.  Returns
 * false when one does not read, having raised EXC_BAD_ACCESS with its
 * address as GNU Mach does (trap_stack_fault); the trap then returns
 * trap_rax_unchanged(), its %rax left as the handling of the exception
 * left it.
 * Locks: none held; may block.
 */
bool trap_stack_args(uint64_t *more, int count);

/*
 * trap_stack_fault (machine layer): the exception GNU Mach raises when
 * the user stack word at AT, a trap's argument, does not read
 * (EXC_BAD_ACCESS, KERN_INVALID_ADDRESS, the address as it reports it).
 * For traps that read their argument themselves (machine/trap_args.h).
 * Locks: none held; may block.
 */
void trap_stack_fault(uint64_t at);

#endif
