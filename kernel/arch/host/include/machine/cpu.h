/*
 * The machine interface for the CPU in the host build: the core runs as
 * an ordinary Linux process for unit tests and fuzzers.  "Interrupts"
 * are a per-thread flag, so spinlock code paths run unchanged, and each
 * host thread may pose as a different CPU (host_set_cpu_id()).
 */
#ifndef MACHINE_CPU_H
#define MACHINE_CPU_H

#include "kern/compiler.h"

extern _Thread_local unsigned long host_intr_flag;
extern _Thread_local unsigned host_cpu_id;

#define RFLAGS_IF 0x200UL

static inline unsigned long intr_save(void)
{
	unsigned long f = host_intr_flag;

	host_intr_flag = 0;
	return f;
}

static inline void intr_restore(unsigned long flags)
{
	host_intr_flag = flags & RFLAGS_IF;
}

static inline void intr_enable(void)
{
	host_intr_flag = RFLAGS_IF;
}

static inline void intr_disable(void)
{
	host_intr_flag = 0;
}

static inline int intr_enabled(void)
{
	return host_intr_flag != 0;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("" : : : "memory");
}

static inline unsigned cpu_id(void)
{
	return host_cpu_id;
}

static inline void machine_idle(void)
{
}

__noreturn void machine_halt_all(void);
void machine_panic_dump(void);
__noreturn void machine_poweroff(int status);
void machine_debug_fault(void);

#endif
