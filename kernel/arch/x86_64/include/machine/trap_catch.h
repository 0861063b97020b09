/*
 * Catching a CPU exception taken in kernel mode, for code that expects
 * one: the self-tests (and, later, user-memory access).  Use:
 *
 *	struct trap_catch c;
 *	if (trap_catch_begin(&c) == 0) {
 *		... code that may fault ...
 *		trap_catch_end(&c);
 *	} else {
 *		... c.vector, c.error, c.addr tell what happened ...
 *	}
 *
 * trap_catch_begin returns 0 when arming, and returns a second time with 1
 * when an exception is taken before trap_catch_end: the trap handler
 * unwinds to it, with the interrupt state of the arming call.  Catches
 * nest per CPU; trap_catch_end disarms the innermost one.
 */
#ifndef MACHINE_TRAP_CATCH_H
#define MACHINE_TRAP_CATCH_H

#include <stdint.h>

/*
 * An armed catch.  Owned by: the caller's stack frame.
 * Guarded by: being used only by the CPU that armed it.
 */
struct trap_catch {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags; /* catch.S */
	struct trap_catch *prev; /* the catch armed before this one */
	unsigned vector;         /* the exception that was caught */
	uint64_t error;          /* its error code (0 if none) */
	uint64_t addr;           /* CR2 for a page fault */
};

int trap_catch_begin(struct trap_catch *c) __attribute__((returns_twice));
void trap_catch_end(struct trap_catch *c);

#endif
