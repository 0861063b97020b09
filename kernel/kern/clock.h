/*
 * Time: the timer tick count and a monotonic nanosecond clock.
 * The machine layer calls clock_tick() from its periodic timer interrupt
 * (HZ times a second) and supplies machine_clock_ns(), a monotonic clock
 * from boot with nanosecond units (the TSC on x86_64).
 */
#ifndef KERN_CLOCK_H
#define KERN_CLOCK_H

#include <stdint.h>

/* Start counting ticks at HZ per second. */
void clock_init(unsigned hz);

/* The configured tick rate. */
unsigned clock_hz(void);

/* Called by the machine timer interrupt, interrupts masked. */
void clock_tick(void);

/* Ticks since clock_init, summed over all CPUs' timers of the boot CPU. */
uint64_t clock_ticks(void);

/* Nanoseconds since boot; never goes backwards. */
uint64_t clock_now_ns(void);

/* The last clock_now_ns any CPU read: at most a tick old while the clock
 * ticks (each tick reads the clock), and without reading the hardware.
 * For what needs the time roughly (usage decay by the second). */
uint64_t clock_coarse_ns(void);

/* Supplied by the machine layer. */
uint64_t machine_clock_ns(void);

/* The calendar date at boot, in seconds since 1970-01-01 UTC, from the
 * machine's real-time clock (0 when it has none).  Slow: call once. */
int64_t machine_rtc_seconds(void);

/* clock_set_tick_hook: call FN from the boot CPU's timer interrupt at
 * every tick (interrupts masked: FN must not block or take sleeping
 * locks), until replaced; NULL removes it. */
void clock_set_tick_hook(void (*fn)(void));

#endif
