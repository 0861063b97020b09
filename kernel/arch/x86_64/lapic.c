/*
 * The local APIC: its periodic timer (the kernel's clock tick), the
 * end-of-interrupt register, the inter-processor interrupts (INIT and
 * STARTUP to start a CPU, fixed vectors for smp.c, and the halt IPI
 * panic() sends to the other CPUs).  The legacy 8259 PICs are moved out of the
 * exception vectors and masked: all interrupts the kernel uses come through the
 * local APIC.
 */
#include "kern/clock.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "machine/cpu.h"
#include "machine/intr.h"
#include "machine/io.h"
#include "x86.h"

#define LAPIC_ID         0x020
#define LAPIC_TPR        0x080
#define LAPIC_EOI        0x0b0
#define LAPIC_SVR        0x0f0
#define LAPIC_ICR_LOW    0x300
#define LAPIC_ICR_HIGH   0x310
#define LAPIC_LVT_TIMER  0x320
#define LAPIC_LVT_LINT0  0x350
#define LAPIC_LVT_LINT1  0x360
#define LAPIC_LVT_ERROR  0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR  0x390
#define LAPIC_TIMER_DIV  0x3e0

#define LVT_MASKED       (1u << 16)
#define LVT_PERIODIC     (1u << 17)
#define TIMER_DIV_16     0x3
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_DELIVS       (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_TRIGGER_LVL  (1u << 15)
#define ICR_MODE_INIT    (5u << 8)
#define ICR_MODE_STARTUP (6u << 8)

static volatile uint32_t *lapic;
static uint64_t timer_hz; /* LAPIC timer counts per second (divided) */

static uint32_t lapic_read(unsigned reg)
{
	return lapic[reg / 4];
}

static void lapic_write(unsigned reg, uint32_t v)
{
	lapic[reg / 4] = v;
	(void)lapic[LAPIC_ID / 4]; /* wait for the write to land */
}

void pic_disable(void)
{
	/* ICW1-4: cascade, vectors 0x20/0x28, then mask every line. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, VEC_PIC_BASE);
	outb(0xa1, VEC_PIC_BASE + 8);
	outb(0x21, 4);
	outb(0xa1, 2);
	outb(0x21, 1);
	outb(0xa1, 1);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

uint32_t lapic_id(void)
{
	return lapic ? lapic_read(LAPIC_ID) >> 24 : 0;
}

/*
 * lapic_init: enable and set up the calling CPU's local APIC, everything
 * masked but the spurious vector.  The boot CPU maps the registers (every
 * CPU sees its own APIC at the same address); the others reuse the map.
 */
void lapic_init(void)
{
	paddr_t base = rdmsr(MSR_APIC_BASE) & ~0xfffULL;

	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1 << 11)); /* enable */
	if (!lapic)
		lapic = kmap_mmio(base, 4096);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED | (4u << 8)); /* NMI */
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(LAPIC_EOI, 0);
}

void lapic_eoi(void)
{
	if (lapic)
		lapic_write(LAPIC_EOI, 0);
}

static uint64_t lapic_timer_elapsed(void)
{
	return 0xffffffffu - lapic_read(LAPIC_TIMER_CUR);
}

void lapic_timer_start(unsigned hz)
{
	uint64_t best = UINT64_MAX;

	/* Count down from the top, masked, against 10 ms of the PIT. */
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	for (int i = 0; i < 3; i++) {
		uint64_t n;

		lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
		n = pit_wait_calibrate(lapic_timer_elapsed, 10);
		if (n && n < best)
			best = n;
	}
	if (best == UINT64_MAX || best == 0)
		panic("local APIC timer did not count during calibration");
	timer_hz = best * 100;
	lapic_timer_start_calibrated(hz);
}

/* The other CPUs' timers run at the rate the boot CPU measured (their
 * APIC timers share its bus clock), without a PIT of their own. */
void lapic_timer_start_calibrated(unsigned hz)
{
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_TIMER_INIT, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)(timer_hz / hz));
}

uint64_t lapic_timer_hz(void)
{
	return timer_hz;
}

void lapic_send_halt_ipi_all(void)
{
	if (!lapic)
		return;
	lapic_write(LAPIC_ICR_HIGH, 0);
	lapic_write(LAPIC_ICR_LOW, ICR_ALL_BUT_SELF | (4u << 8)); /* NMI */
	for (int i = 0; i < 100000 && (lapic_read(LAPIC_ICR_LOW) & ICR_DELIVS);
	     i++)
		cpu_relax();
}

/* Write the ICR (destination HW_ID) and wait until the APIC took it.
 * Interrupts masked: a handler's IPI must not split the two writes. */
static void lapic_icr(uint32_t hw_id, uint32_t low)
{
	unsigned long f = intr_save();

	lapic_write(LAPIC_ICR_HIGH, hw_id << 24);
	lapic_write(LAPIC_ICR_LOW, low);
	while (lapic_read(LAPIC_ICR_LOW) & ICR_DELIVS)
		__asm__ volatile("pause");
	intr_restore(f);
}

void lapic_send_ipi(uint32_t hw_id, unsigned vector)
{
	lapic_icr(hw_id, vector & 0xff);
}

void lapic_send_init(uint32_t hw_id)
{
	lapic_icr(hw_id, ICR_MODE_INIT | ICR_LEVEL_ASSERT | ICR_TRIGGER_LVL);
	/* De-assert: only the old discrete APICs need it; harmless. */
	lapic_icr(hw_id, ICR_MODE_INIT | ICR_TRIGGER_LVL);
}

void lapic_send_startup(uint32_t hw_id, paddr_t entry)
{
	lapic_icr(hw_id, ICR_MODE_STARTUP | (uint32_t)(entry >> 12));
}
