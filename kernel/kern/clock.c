/*
 * The tick counter and the monotonic clock.  Only the boot CPU's timer
 * advances the global tick count; the other CPUs' ticks are counted in
 * their percpu areas (they drive scheduling, not time).
 */
#include <stdatomic.h>
#include <stddef.h>

#include "kern/clock.h"
#include "kern/percpu.h"
#include "machine/cpu.h"

static unsigned hz;
static atomic_uint_fast64_t ticks;
static atomic_uint_fast64_t last_ns;
static void (*_Atomic tick_hook)(void); /* clock_set_tick_hook's */

void clock_init(unsigned rate)
{
	hz = rate;
	atomic_store(&ticks, 0);
}

unsigned clock_hz(void)
{
	return hz;
}

void clock_tick(void)
{
	percpu_area[cpu_id()].ticks++;
	if (cpu_id() == 0) {
		void (*hook)(void) = atomic_load(&tick_hook);

		atomic_fetch_add_explicit(&ticks, 1, memory_order_relaxed);
		if (hook != NULL)
			hook();
	}
}

void clock_set_tick_hook(void (*fn)(void))
{
	atomic_store(&tick_hook, fn);
}

uint64_t clock_ticks(void)
{
	return atomic_load_explicit(&ticks, memory_order_relaxed);
}

uint64_t clock_coarse_ns(void)
{
	return atomic_load_explicit(&last_ns, memory_order_relaxed);
}

uint64_t clock_now_ns(void)
{
	uint64_t now = machine_clock_ns();
	uint64_t seen = atomic_load_explicit(&last_ns, memory_order_relaxed);

	/* Clocks of different CPUs may disagree slightly: never go back. */
	while (now > seen &&
	       !atomic_compare_exchange_weak(&last_ns, &seen, now))
		;
	return now > seen ? now : seen;
}
