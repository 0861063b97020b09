/*
 * In-kernel self-tests, run at boot with the `selftest` option before
 * user tasks exist.  Each test prints one TAP line; the plan comes first.
 * Machine-specific tests (exceptions, the timer hardware) live in the
 * machine layer and are listed in machine_selftests[].
 */
#ifndef KERN_SELFTEST_H
#define KERN_SELFTEST_H

#include <stdbool.h>

#include "kern/compiler.h"

/* A running test's verdict; selftest_check() records failures. */
struct selftest_ctx {
	unsigned failures;
};

struct selftest {
	const char *name;
	void (*fn)(struct selftest_ctx *ctx);
};

/*
 * selftest_check: record a failure of COND with a TAP diagnostic line
 * ("# ...") made from FMT.  Returns COND so tests can stop early.
 */
bool selftest_check(struct selftest_ctx *ctx, bool cond, const char *fmt, ...)
    __printflike(3, 4);

/* Run every test, print TAP; return the number of failed tests. */
unsigned selftest_run(void);

extern const struct selftest machine_selftests[];
extern const unsigned machine_nselftests;

#endif
