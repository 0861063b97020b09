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

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

/* The current CPU's number, read from the per-CPU area through GS. */
static inline unsigned cpu_id(void)
{
	uint32_t id;

	__asm__ volatile("movl %%gs:8, %0" : "=r"(id));
	return id;
}

/* Stop this CPU and ask the others to stop too; never returns. */
/* Wait for the next interrupt with interrupts enabled. */
static inline void machine_idle(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

__noreturn void machine_halt_all(void);

/* Print the caller's registers and a backtrace (used by panic()). */
void machine_panic_dump(void);

/* Power the machine off (QEMU: leave with the given status). */
__noreturn void machine_poweroff(int status);

/* Touch an unmapped kernel address, for the debug_crash=fault boot
 * option that tests the exception report. */
void machine_debug_fault(void);

#endif
