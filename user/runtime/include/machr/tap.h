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
/* Number of failed tests so far. */
int tap_failures(void);
/* End the run: host_reboot(HOST_PRIV, RB_AUTOBOOT), which makes QEMU
 * (-no-reboot) exit.  Returns only if that fails (after saying so). */
void tap_finish(mach_port_t host_priv);

#endif
