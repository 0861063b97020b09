/*
 * The machine half of a thread on x86_64: where its kernel context is
 * saved while it does not run, its user registers (the trap frame at
 * the top of its kernel stack), its FS/GS bases and its FPU/SSE state.
 */
#ifndef MACHINE_THREAD_H
#define MACHINE_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/trap_frame.h"

#define KSTACK_ORDER 2 /* kernel stacks are 4 pages */
#define KSTACK_SIZE  (4096UL << KSTACK_ORDER)

/* The FXSAVE image (512 bytes, 16-aligned). */
struct fpu_state {
	uint8_t bytes[512];
} __attribute__((aligned(16)));

/*
 * Owned by: the thread embedding it.
 * Guarded by: only the thread itself touches it while it runs; others
 *   (thread_get/set_state) only while it is stopped.
 */
struct machine_thread {
	uint64_t ksp;              /* saved kernel RSP while switched out */
	struct trap_frame *frame;  /* user registers, at the stack top */
	uint64_t fs_base, gs_base; /* as set; loaded only if canonical */
	bool fpu_used;             /* has run in user mode, or had its FPU
	                              state set: thread_get_state shows it */
	uint8_t fpu_eager;         /* switches in left that load its FPU
	                              state at once (machine_fpu_switch) */
	struct fpu_state fpu;
};

struct thread;

/*
 * machine_thread_setup: prepare THREAD's kernel stack (below
 * thread->kstack_top) so that the first switch to it calls
 * thread_start(); for a user thread
 * (USER) also clear its user registers (ring 3 selectors, IF set).
 */
void machine_thread_setup(struct thread *thread, bool user);

/* machine_switch: see machine/switch.h. */

/* machine_thread_reload_bases: load the calling thread T's FS/GS bases
 * (after thread_set_state changed them). */
void machine_thread_reload_bases(struct thread *t);

/* machine_thread_save_bases: the calling thread T's FS/GS bases as the
 * CPU has them (user code may have changed FS with WRFSBASE or arch
 * calls), stored in T and returned. */
void machine_thread_save_bases(struct thread *t, unsigned long *fs,
                               unsigned long *gs);

/* machine_user_enter: leave for user mode with the current thread's
 * trap frame.  Never returns. */
__attribute__((noreturn)) void machine_user_enter(struct trap_frame *f);

/*
 * machine_thread_get_state / machine_thread_set_state: THREAD's user
 * registers in the layout of thread_get_state's FLAVOR
 * (<mach/x86_64/thread_status.h>): i386_THREAD_STATE, i386_FLOAT_STATE
 * (the x87 part in FSAVE form), i386_XFLOAT_STATE (the FXSAVE image),
 * i386_FSGS_BASE_STATE.  STATE holds *COUNT (COUNT) 32-bit words.
 * THREAD is the caller or stopped.  Values user code may not have (a
 * kernel selector, IOPL, a non-canonical RIP, reserved MXCSR bits) are
 * forced to safe ones or refused.
 * Returns KERN_SUCCESS; KERN_INVALID_ARGUMENT for an unknown flavor, a
 *   count too small, or a value that cannot be made safe.
 */
int machine_thread_get_state(struct thread *thread, int flavor, uint32_t *state,
                             uint32_t *count);
int machine_thread_set_state(struct thread *thread, int flavor,
                             const uint32_t *state, uint32_t count);

/* machine_fpu_init: enable SSE for user mode; keep the initial image;
 * leave CR0.TS set (machine/switch.h: machine_fpu_live). */
void machine_fpu_init(void);

/*
 * machine_fpu_trap: a #NM from user mode: load the current thread's FPU
 * state, which machine_fpu_switch left for now.  False if it was not
 * that (the state is live already: the exception is the user's).
 * Locks: interrupts masked.
 */
bool machine_fpu_trap(void);

/* machine_syscall_init: the SYSCALL MSRs of the calling CPU. */
void machine_syscall_init(void);

#endif
