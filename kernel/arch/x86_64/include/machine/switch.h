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
#include "machine/io.h"
#include "machine/pmap.h"
#include "machine/segments.h"
#include "machine/tsc.h"
#include "task/task.h"
#include "task/thread.h"

/*
 * Whether CPU's FS base and user GS base registers both hold 0 for sure
 * (machine_thread.c says why that lasts).
 * Owned by: each CPU its own entry.
 * Guarded by: being touched only by its CPU, with interrupts masked.
 */
extern bool machine_cpu_bases_zero[MAX_CPUS];

/*
 * Whether CPU's FPU/SSE registers hold its current thread's state, live
 * (CR0.TS clear): the thread used them since it was switched in, or was
 * given them eagerly.  Otherwise CR0.TS is set, the registers hold
 * nothing of anybody's (the initial image), and the current thread's
 * state is its record; its first FPU or SSE instruction raises #NM
 * (machine_fpu_trap), which loads it.
 * Owned by: each CPU its own entry.
 * Guarded by: being touched only by its CPU, with interrupts masked.
 */
extern bool machine_fpu_live[MAX_CPUS];

/* The FXSAVE image after FNINIT with MXCSR at its reset value. */
extern struct fpu_state machine_fpu_initial;

/* How many switches in a thread gets its FPU state eagerly after it
 * used it: one #NM per so many switches for a thread that always does. */
#define MACHINE_FPU_EAGER_SWITCHES 16

/* Load T's FS/GS bases into this CPU, number CPU.  Interrupts masked. */
void machine_bases_load(unsigned cpu, const struct thread *t);

/* switch.S: save the callee-saved registers and the stack pointer in
 * *SAVE_KSP, go on on NEW_KSP; returns PREV as the resumed side sees it. */
uint64_t switch_stacks(uint64_t *save_ksp, uint64_t new_ksp, void *prev);

/* switch.S: switch_stacks, but to a thread with a continuation, run on
 * its stack emptied down to FRAME (kern/thread_block.h). */
uint64_t switch_to_resume(uint64_t *save_ksp, struct trap_frame *frame,
                          void *prev);

/* Save the FPU/SSE registers in S; load them from S. */
static inline void machine_fxsave(struct fpu_state *s)
{
	__asm__ volatile("fxsave64 %0" : "=m"(*s));
}

static inline void machine_fxrstor(const struct fpu_state *s)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(*s));
}

/* Clear and set CR0.TS: FPU and SSE instructions allowed, or #NM. */
static inline void machine_clts(void)
{
	__asm__ volatile("clts" : : : "memory");
}

static inline void machine_stts(void)
{
	write_cr0(read_cr0() | CR0_TS);
}

/*
 * The FPU's part of a switch on CPU from FROM to TO: FROM's live state
 * saved; TO's loaded now if it used the FPU lately, else left for its
 * first FPU instruction (#NM, machine_fpu_trap).  Registers FROM loaded
 * are never left behind under CR0.TS for TO to read (speculatively):
 * they are overwritten with TO's state or the initial image.  A thread
 * that never uses the FPU costs no FPU instruction at all.
 * Interrupts masked.
 */
static __always_inline void
machine_fpu_switch(unsigned cpu, struct thread *from, struct thread *to)
{
	bool live = machine_fpu_live[cpu];

	if (live)
		machine_fxsave(&from->machine.fpu);
	/* The count first: it is 0 for most threads, and for every kernel
	 * thread but one that was a user thread until it exited. */
	if (to->machine.fpu_eager != 0 && to->user) {
		to->machine.fpu_eager--;
		if (!live)
			machine_clts();
		machine_fxrstor(&to->machine.fpu);
		machine_fpu_live[cpu] = true;
	} else if (live) {
		machine_fxrstor(&machine_fpu_initial);
		machine_stts();
		machine_fpu_live[cpu] = false;
	}
}

/* machine_clock_ns(), inline: the scheduler reads it at every switch. */
static __always_inline uint64_t machine_switch_clock_ns(void)
{
	return tsc_clock_ns();
}

/* This CPU's percpu->current and percpu->kstack_top (kern/percpu.h
 * asserts their offsets, 40 and 24), stored through GS in one
 * instruction each.  Interrupts masked. */
static __always_inline void machine_set_current(struct thread *t)
{
	__asm__ volatile("movq %0, %%gs:40" : : "r"(t) : "memory");
}

static __always_inline void machine_set_kstack_top(uint64_t top)
{
	__asm__ volatile("movq %0, %%gs:24" : : "r"(top) : "memory");
}

/*
 * machine_switch: make TO's state this CPU's (number CPU): kernel stack
 * for traps, FPU/SSE registers as machine_fpu_switch, FS/GS bases,
 * address space; then save the calling thread's kernel context in FROM
 * and run TO's (or TO's continuation: switch_to_resume).  Returns (in
 * FROM) when something switches back; returns the thread that ran just
 * before, for sched_switch_done.  The bases are not read back from the
 * CPU: the thread's record is what it runs with.
 * Locks: interrupts masked; no spinlock held.
 */
static __always_inline struct thread *
machine_switch(unsigned cpu, struct thread *from, struct thread *to)
{
	uint64_t top = to->kstack_top;

	machine_fpu_switch(cpu, from, to);
	machine_set_kstack_top(top);
	gdt_set_kernel_stack(cpu, top);
	/* Not only for user threads: a kernel thread's bases are 0 (or,
	 * for one exiting, its own), loaded as harmlessly, and the test of
	 * `user` would cost every switch. */
	if ((to->machine.fs_base | to->machine.gs_base) != 0 ||
	    !machine_cpu_bases_zero[cpu])
		machine_bases_load(cpu, to);
	if (to->pmap != from->pmap)
		pmap_activate_masked(to->pmap);
	if (to->resume.fn != NULL)
		return (struct thread *)switch_to_resume(
		    &from->machine.ksp, to->machine.frame, from);
	return (struct thread *)switch_stacks(&from->machine.ksp,
	                                      to->machine.ksp, from);
}

#endif
