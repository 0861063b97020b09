/*
 * Measuring time: the PIT's channel 2 as the reference (1.193182 MHz,
 * independent of the CPU), used once at boot to calibrate the TSC and the
 * local APIC timer; and the TSC as the monotonic nanosecond clock.
 */
#include "kern/clock.h"
#include "kern/panic.h"
#include "machine/io.h"
#include "machine/tsc.h"
#include "x86.h"

#define PIT_HZ        1193182u
#define PIT_CH2       0x42
#define PIT_CMD       0x43
#define PIT_GATE_PORT 0x61
#define PIT_GATE      0x01
#define PIT_SPEAKER   0x02
#define PIT_OUT2      0x20

static uint64_t tsc_freq; /* TSC ticks per second */
uint64_t tsc_boot;        /* machine/tsc.h */
uint64_t tsc_ns_mult;

/*
 * pit_wait_calibrate: run the PIT's channel 2 for MS milliseconds
 * (at most 50) and return how far READ's counter advanced meanwhile, or
 * 0 if the PIT never reached its terminal count.
 */
uint64_t pit_wait_calibrate(uint64_t (*read)(void), unsigned ms)
{
	uint32_t count = PIT_HZ / 1000 * ms;
	uint8_t gate = inb(PIT_GATE_PORT) & ~(PIT_GATE | PIT_SPEAKER);
	uint64_t start, spins = 0;

	outb(PIT_GATE_PORT, gate); /* gate low: stop */
	outb(PIT_CMD, 0xb0);       /* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, (count >> 8) & 0xff);
	start = read();
	outb(PIT_GATE_PORT, gate | PIT_GATE); /* gate high: count */
	while (!(inb(PIT_GATE_PORT) & PIT_OUT2))
		if (++spins > 100000000)
			return 0;
	return read() - start;
}

static uint64_t read_tsc(void)
{
	return rdtsc();
}

void tsc_calibrate(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		uint64_t n = pit_wait_calibrate(read_tsc, 10);

		if (n && n < best)
			best = n;
	}
	if (best == UINT64_MAX)
		panic("the PIT does not count: cannot calibrate the TSC");
	tsc_freq = best * 100;
	/* The start first: until the factor is set the clock reads 0. */
	tsc_boot = rdtsc();
	tsc_ns_mult = (1000000000ULL << 32) / tsc_freq;
}

uint64_t tsc_hz(void)
{
	return tsc_freq;
}

uint64_t machine_clock_ns(void)
{
	return tsc_clock_ns();
}
