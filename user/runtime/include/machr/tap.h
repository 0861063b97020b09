/*
 * <machr/tap.h> — TAP output for system-test modules (user/runtime/tap.c).
 * Lines go through printf(): to the console device once
 * machr_console_open() succeeded, else to mach_print.
 */
#ifndef MACHR_TAP_H
#define MACHR_TAP_H

#include <mach.h>

/* "1..N" */
void tap_plan(int n);
/* "ok K - DESC" if COND, else "not ok K - DESC"; returns COND. */
int tap_ok(int cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* ok iff KR == KERN_SUCCESS; a failure shows the code as "# kr 0x..". */
int tap_kr(kern_return_t kr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "# ..." diagnostic line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * tap_expect(CALL, WANT, DESC...): ok iff CALL returned WANT; a failure
 * adds a diagnostic naming the call and both codes.
 */
#define tap_expect(call, want, ...)                                            \
	do {                                                                   \
		kern_return_t kr_ = (call);                                    \
		if (!tap_ok(kr_ == (kern_return_t)(want), __VA_ARGS__))        \
			tap_diag("%s returned %#x, expected %#x", #call, kr_,  \
			         (unsigned)(want));                            \
	} while (0)

/* Number of failed tests so far. */
int tap_failures(void);
/* End the run: host_reboot(HOST_PRIV, RB_AUTOBOOT), which makes QEMU
 * (-no-reboot) exit.  Returns only if that fails (after saying so). */
void tap_finish(mach_port_t host_priv);

#endif
