/*
 * Mach traps: the system calls of GNU Mach's x86_64 table (numbers in
 * <mach/syscall_sw.h>, docs/ABI.md).  The machine layer decodes a trap
 * into its number and up to 11 arguments and calls mach_trap_call.
 */
#ifndef TASK_TRAPS_H
#define TASK_TRAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Entries in the table: traps -1 .. -(MACH_TRAP_COUNT - 1). */
#define MACH_TRAP_COUNT    130
#define MACH_TRAP_MAX_ARGS 11

/*
 * mach_trap_nargs: the argument count of trap NUMBER (negative), or -1
 * when NUMBER is outside the table (the machine layer raises
 * EXC_BAD_INSTRUCTION then).  Unused slots have 0 arguments.
 */
int mach_trap_nargs(int64_t number);

/*
 * mach_trap_call: run trap NUMBER (mach_trap_nargs >= 0) with ARGS.
 * Returns the value for the user's %rax.  Unused slots return
 * KERN_INVALID_ARGUMENT.  Locks: none held; may block.
 */
uint64_t mach_trap_call(int64_t number, const uint64_t *args);

#endif
