/*
 * Mach traps: the system calls of GNU Mach's x86_64 table (numbers in
 * <mach/syscall_sw.h>, docs/ABI.md).  The machine layer calls a trap of
 * up to six arguments straight from mach_trap_fast, with the argument
 * registers as they came; the others (arguments on the user stack too,
 * numbers outside the table) it decodes and gives to mach_trap_call.
 */
#ifndef TASK_TRAPS_H
#define TASK_TRAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Entries in the table: traps -1 .. -(MACH_TRAP_COUNT - 1). */
#define MACH_TRAP_COUNT    130
#define MACH_TRAP_MAX_ARGS 11

/* A trap of at most six arguments: the user's %rdi, %rsi, %rdx, %r10,
 * %r8, %r9.  Returns the value for the user's %rax. */
typedef uint64_t (*mach_trap_fn)(uint64_t a0, uint64_t a1, uint64_t a2,
                                 uint64_t a3, uint64_t a4, uint64_t a5);

/*
 * mach_trap_fast[-NUMBER]: the function of trap NUMBER when all of its
 * arguments are in registers (unused slots: one that returns
 * KERN_INVALID_ARGUMENT); NULL when some are on the user stack, for
 * mach_trap_call.  syscall_entry (arch) indexes it.  Locks: none held on
 * entry to a trap; it may block.
 */
extern const mach_trap_fn mach_trap_fast[MACH_TRAP_COUNT];

/*
 * mach_trap_nargs: the argument count of trap NUMBER (negative) when some
 * arguments are on the user stack (more than six), 0 when all are in
 * registers (unused slots too), or -1 when NUMBER is outside the table
 * (the machine layer raises EXC_BAD_INSTRUCTION then).
 */
int mach_trap_nargs(int64_t number);

/*
 * mach_trap_call: run trap NUMBER (mach_trap_nargs >= 0) with ARGS.
 * Returns the value for the user's %rax.  Unused slots return
 * KERN_INVALID_ARGUMENT.  Locks: none held; may block.
 */
uint64_t mach_trap_call(int64_t number, const uint64_t *args);

#endif
