/*
 * The scheduler: which runnable thread each CPU runs.  Per-CPU run
 * queues, one list per priority (0 highest) with a bitmap of the
 * non-empty ones; round robin within a priority with a time slice ended
 * by the timer; an idle thread per CPU.  Blocking and waking
 * (kern/thread_block.h) are implemented here for the kernel.
 */
#ifndef TASK_SCHED_H
#define TASK_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/list.h"
#include "kern/spinlock.h"
#include "task/thread.h"

/* The time slice of a thread before a thread of its priority may run. */
#define SCHED_QUANTUM_NS 10000000ULL /* 10 ms */

/*
 * One CPU's run queue.
 * Owned by: its CPU (percpu->sched).
 * Guarded by: lock, which other CPUs take to enqueue (or steal) work.
 * Lock order: thread->lock before runq lock.
 */
struct sched_cpu {
	spinlock_t lock;
	uint64_t bitmap;                /* bit P: queues[P] not empty */
	struct list queues[SCHED_NRQS]; /* RUNNABLE threads, by priority */
	unsigned count;                 /* threads queued */
	bool need_resched;              /* run the queue at the next chance */
	struct thread *idle;            /* runs when nothing else can */
	struct thread *handoff;         /* last thread woken here: run it
	                                   next if the waker blocks */
	uint64_t switches;              /* context switches on this CPU */
};

/* sched_init: the boot CPU's queue; the calling (boot) thread becomes
 * its idle thread once it calls sched_idle_loop. */
void sched_init(struct thread *boot_thread);

/*
 * sched_enqueue: make THREAD runnable on a CPU's queue (its last CPU).
 * FRONT puts it before the threads of its priority (a thread just woken
 * for an RPC).  Locks: THREAD->lock held, interrupts masked.
 */
void sched_enqueue(struct thread *thread, bool front);

/*
 * sched_block: the calling thread has set its own state (BLOCKED, DEAD or
 * RUNNABLE and enqueued); run the next thread.  Returns when the calling
 * thread runs again (never for DEAD).
 * Locks: none held; interrupts masked on entry and on return.
 */
void sched_block(void);

/*
 * sched_compute_priority: THREAD's scheduling priority now (NOW:
 * clock_now_ns()): the lowest while depressed; its base with
 * POLICY_FIXEDPRI (and for kernel threads); for timesharing, the base
 * plus SCHED_TIMESHARE_OFFSET plus a term for recent CPU use.  Decays
 * the usage.  Locks: THREAD->lock held (or THREAD is not yet visible).
 */
int sched_compute_priority(struct thread *thread, uint64_t now);

/*
 * sched_reprioritize: THREAD's base, policy or depression changed: move
 * it to the queue of its new priority if it is queued, or recompute it
 * if it runs.  Locks: THREAD->lock held, interrupts masked.
 */
void sched_reprioritize(struct thread *thread);

/* sched_yield: give the CPU to a runnable thread of the same or higher
 * priority, if any.  Locks: none held. */
void sched_yield(void);

/* sched_tick: the timer's call on each CPU: slices and deadlines.
 * Locks: interrupts masked (interrupt context). */
void sched_tick(void);

/* sched_preempt_pending: whether the current CPU should reschedule. */
bool sched_preempt_pending(void);

/* sched_handoff_reserved: whether a thread woken on this CPU waits for
 * the current thread to block and hand it the CPU (make_runnable). */
bool sched_handoff_reserved(void);

/*
 * sched_handoff_release: the current thread leaves the kernel for user
 * mode without blocking: the thread it reserved for a handoff, if any,
 * will not get this CPU soon, so an idle CPU is kicked to take it (and
 * whatever else is queued here).  Without this a pager answering with a
 * one-way message (data_supply, data_unavailable, lock_request) and
 * computing on would keep the fault it woke queued behind it while
 * another CPU idles, until a tick.
 * Locks: none held; interrupts masked.
 */
void sched_handoff_release(void);

/* sched_switch_done: first thing a thread does after a switch to it:
 * release PREV (the thread that ran before) for other CPUs.  */
void sched_switch_done(struct thread *prev);

/*
 * sched_continue: what a thread switched to by its continuation runs
 * first (machine code, on its emptied kernel stack): sched_switch_done
 * for PREV, the continuation taken off the thread, then the
 * continuation, with interrupts still masked (it enables them before
 * anything that may wait: no sti on an RPC's way, see ipc_fast_rpc).
 * Returns the system call's answer.
 * Locks: interrupts masked on entry; nothing held on return.
 */
uint64_t sched_continue(struct thread *prev);

/* sched_idle_loop: the calling thread becomes its CPU's idle thread. */
__attribute__((noreturn)) void sched_idle_loop(void);

/*
 * sched_set_timeout / sched_cancel_timeout: wake THREAD (make it
 * runnable, its wait left as it is) at DEADLINE (clock_now_ns()).
 * Locks: THREAD->lock held.
 */
void sched_set_timeout(struct thread *thread, uint64_t deadline);
void sched_cancel_timeout(struct thread *thread);

/* sched_context_switches: switches so far on every CPU (statistics). */
uint64_t sched_context_switches(void);

#endif
