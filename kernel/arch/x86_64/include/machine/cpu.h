/*
 * The machine interface for the CPU on x86_64: interrupt masking, the
 * current CPU's number, and stopping.  The core includes this header and
 * never an x86 one directly.
 */
#ifndef MACHINE_CPU_H
#define MACHINE_CPU_H

#include <stdint.h>

#include "kern/compiler.h"

#define RFLAGS_IF 0x200UL

/* Mask interrupts; return the previous RFLAGS for intr_restore(). */
static inline unsigned long intr_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void intr_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

static inline void intr_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void intr_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline int intr_enabled(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return (flags & RFLAGS_IF) != 0;
}

/* Requests for TLB shootdowns waiting on some CPU (smp.c); read by
 * every spin loop so that a CPU spinning with interrupts masked still
 * answers them (a shooter may hold the lock it spins on). */
extern volatile uint64_t smp_tlb_pending;
void smp_tlb_service(void);

/* One turn of a spin-wait: also answers TLB shootdowns aimed at us. */
static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
	if (__builtin_expect(smp_tlb_pending != 0, 0))
		smp_tlb_service();
}

/* The current CPU's number, read from the per-CPU area through GS. */
static inline unsigned cpu_id(void)
{
	uint32_t id;

	__asm__ volatile("movl %%gs:8, %0" : "=r"(id));
	return id;
}

/* Wait for the next interrupt with interrupts enabled. */
static inline void machine_idle(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

/* Stop this CPU and ask the others to stop too; never returns. */
__noreturn void machine_halt_all(void);

/*
 * machine_smp_start: start the other processors (smp.c); each becomes a
 * scheduler CPU running its idle thread.  Called once by the boot CPU
 * after the scheduler and the kernel task exist, before any user task.
 * Locks: none held; interrupts enabled.
 */
void machine_smp_start(void);

/* machine_cpu_count: the CPUs online (1 until machine_smp_start). */
unsigned machine_cpu_count(void);

/*
 * machine_cpu_kick: make CPU look at its run queue now (a reschedule
 * IPI) instead of at its next tick.  Any context; does nothing for the
 * calling CPU or a CPU not online.
 */
void machine_cpu_kick(unsigned cpu);

/* Print the caller's registers and a backtrace (used by panic()). */
void machine_panic_dump(void);

/* Power the machine off (QEMU: leave with the given status). */
__noreturn void machine_poweroff(int status);

/* Touch an unmapped kernel address, for the debug_crash=fault boot
 * option that tests the exception report. */
void machine_debug_fault(void);

#endif
