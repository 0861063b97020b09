/*
 * panic() and kernel assertions.
 *
 * panic() prints "panic: <message>", lets the machine layer print the
 * registers and a backtrace, then stops every CPU.  It never returns on
 * the machine; in the host build a unit test may catch it (see
 * arch/host/include/machine/host_test.h).
 */
#ifndef KERN_PANIC_H
#define KERN_PANIC_H

#include "kern/compiler.h"

__noreturn void panic(const char *fmt, ...) __printflike(1, 2);

/* How many times panic() was entered; the host tests read it. */
extern volatile int panic_count;

/* Panics in progress (nested); the host's catcher resets it. */
extern volatile int panic_depth;

/* The last panic's formatted message. */
extern char panic_message[256];

#define assert(cond)                                                           \
	do {                                                                   \
		if (unlikely(!(cond)))                                         \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, \
			      __LINE__);                                       \
	} while (0)

#endif
