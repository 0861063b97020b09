/*
 * The context switch of x86_64, inline in the scheduler's switch
 * (task/sched.c, its only user): the incoming thread's state made this
 * CPU's, then the kernel stacks exchanged (switch_stacks, switch.S).
 * The pieces that are not on every switch stay in machine_thread.c.
 */
#ifndef MACHINE_SWITCH_H
#define MACHINE_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/percpu.h"
#include "machine/cpu.h"
#include "machine/pmap.h"
#include "machine/segments.h"
#include "task/task.h"
#include "task/thread.h"

/*
 * Whether CPU's FS base and user GS base registers both hold 0 for sure
 * (machine_thread.c says why that lasts).
 * Owned by: each CPU its own entry.
 * Guarded by: being touched only by its CPU, with interrupts masked.
 */
extern bool machine_cpu_bases_zero[MAX_CPUS];

/* Load T's FS/GS bases into this CPU, number CPU.  Interrupts masked. */
void machine_bases_load(unsigned cpu, const struct thread *t);

/* switch.S: save the callee-saved registers and the stack pointer in
 * *SAVE_KSP, go on on NEW_KSP; returns PREV as the resumed side sees it. */
uint64_t switch_stacks(uint64_t *save_ksp, uint64_t new_ksp, void *prev);

/* Save the FPU/SSE registers in S; load them from S. */
static inline void machine_fxsave(struct fpu_state *s)
{
	__asm__ volatile("fxsave64 %0" : "=m"(*s));
}

static inline void machine_fxrstor(const struct fpu_state *s)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(*s));
}

/*
 * machine_switch: make TO's state this CPU's (kernel stack for traps,
 * FPU/SSE registers, FS/GS bases, address space), FROM's FPU state being
 * saved, then save the calling thread's kernel context in FROM and run
 * TO's.  Returns (in FROM) when something switches back; returns the
 * thread that ran just before, for sched_switch_done.  The bases are
 * not read back from the CPU: the thread's record is what it runs with.
 * Locks: interrupts masked; no spinlock held.
 */
static __always_inline struct thread *machine_switch(struct thread *from,
                                                     struct thread *to)
{
	unsigned cpu = cpu_id();
	uint64_t top = (uint64_t)to->kstack + KSTACK_SIZE;

	if (from->user)
		machine_fxsave(&from->machine.fpu);
	percpu_area[cpu].kstack_top = top;
	gdt_set_kernel_stack(cpu, top);
	if (to->user) {
		machine_fxrstor(&to->machine.fpu);
		if ((to->machine.fs_base | to->machine.gs_base) != 0 ||
		    !machine_cpu_bases_zero[cpu])
			machine_bases_load(cpu, to);
	}
	if (to->task->pmap != from->task->pmap)
		pmap_activate_masked(to->task->pmap);
	return (struct thread *)switch_stacks(&from->machine.ksp,
	                                      to->machine.ksp, from);
}

#endif
