/*
 * The TSC as the kernel's nanosecond clock (timer.c calibrates it at
 * boot): machine_clock_ns, and the same reading inline for the context
 * switch (machine/switch.h), which takes one at every switch.
 */
#ifndef MACHINE_TSC_H
#define MACHINE_TSC_H

#include <stdint.h>

#include "machine/io.h"

/*
 * The TSC at calibration, and the factor from TSC ticks to nanoseconds
 * (ns = (ticks * tsc_ns_mult) >> 32).
 * Owned by: timer.c.  Guarded by: written once, by tsc_calibrate on the
 *   boot CPU before any other CPU starts; both 0 until then, which makes
 *   tsc_clock_ns() 0.
 */
extern uint64_t tsc_boot, tsc_ns_mult;

/* Nanoseconds since the calibration: machine_clock_ns(), inline. */
static inline uint64_t tsc_clock_ns(void)
{
	return (
	    uint64_t)(((unsigned __int128)(rdtsc() - tsc_boot) * tsc_ns_mult) >>
	              32);
}

#endif
