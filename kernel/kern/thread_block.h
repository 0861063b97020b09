/*
 * Blocking the current thread: the one scheduler-dependent piece under
 * wait queues (kern/waitq.c).  A waiter records its thread's blocking
 * context (thread_block_self) when it is prepared; the thread then
 * blocks until another thread unblocks or interrupts that waiter, or a
 * deadline passes.  Each machine supplies this interface: the host build
 * blocks a pthread on a condition variable (arch/host/sched_host.c); the
 * kernel, which has only its boot thread until the scheduler arrives,
 * idles the CPU until an interrupt handler unblocks it or the deadline
 * passes (arch/x86_64/thread_block.c).  The scheduler replaces both.
 */
#ifndef KERN_THREAD_BLOCK_H
#define KERN_THREAD_BLOCK_H

#include <stdint.h>

struct waiter;

/* What thread_block_until returns when DEADLINE passed first. */
#define THREAD_BLOCK_TIMED_OUT 0

/* The blocking context of the calling thread (stored in waiter->thread). */
void *thread_block_self(void);

/*
 * thread_block_until: block the calling thread, the owner of W, until
 * W->wake leaves WAITER_BLOCKED or DEADLINE (clock_now_ns() time;
 * UINT64_MAX for none) passes.  Returns at once if W was already
 * unblocked or interrupted.
 * Locks: none held (the caller may block indefinitely).
 * Returns: WAITER_UNBLOCKED, WAITER_INTERRUPTED or THREAD_BLOCK_TIMED_OUT.
 */
int thread_block_until(struct waiter *w, uint64_t deadline);

/*
 * thread_unblock: set W->wake to WAITER_UNBLOCKED (unless it is already
 * set) and make its thread run.  thread_interrupt does the same with
 * WAITER_INTERRUPTED.
 * Locks: any spinlock may be held.  W must stay valid for the call: the
 *   wait queue code calls it under the wait queue's lock, which the
 *   waiting thread takes before it returns.
 */
void thread_unblock(struct waiter *w);
void thread_interrupt(struct waiter *w);

/*
 * A thread unblocked for a handoff: the waker will give it its CPU
 * (thread_block_handoff) or let it run the usual way
 * (thread_handoff_cancel), exactly once.
 * Owned by: the waker (on its stack).
 * Guarded by: nothing (the waker's alone).
 */
struct handoff {
	void *thread; /* the blocking context; NULL: nothing to run */
};

/*
 * thread_unblock_handoff: thread_unblock, except that the thread is not
 * made to run yet: H records it for thread_block_handoff or
 * thread_handoff_cancel, one of which the caller must call.  A thread
 * that sleeps in W is claimed for the caller: nothing else makes it run
 * until then, except the caller's own blocking for something else
 * meanwhile (a fault in a copy, say), which lets it go first, as
 * thread_handoff_cancel.  When W was already unblocked or interrupted, or its
 * thread is not asleep in it yet (it sees the wake itself), H->thread is
 * NULL (nothing to do).
 * Locks: as thread_unblock; interrupts masked (W's wait queue lock is
 *   held).
 */
void thread_unblock_handoff(struct waiter *w, struct handoff *h);

/*
 * thread_block_handoff: thread_block_until(W, DEADLINE), running H's
 * thread in the caller's place: on this CPU, at once, on the rest of the
 * caller's time slice, without a trip through the run queue, when it
 * can (no deadline, nothing of higher priority queued here, W not woken
 * meanwhile); otherwise H's thread runs as thread_unblock would have
 * made it.  Consumes H.
 * Locks: none held.
 * Returns: as thread_block_until.
 */
int thread_block_handoff(struct waiter *w, struct handoff *h,
                         uint64_t deadline);

/*
 * thread_handoff_cancel: make H's thread run as thread_unblock would
 * have (the waker does not block after all).  Consumes H.
 * Locks: any spinlock may be held.
 */
void thread_handoff_cancel(struct handoff *h);

/*
 * A continuation: how to finish the system call a blocked thread waits
 * in, when the rest of it is known before the thread runs again.  The
 * switch that makes the thread run may then call FN(R) on the thread's
 * kernel stack, emptied down to its user registers, instead of
 * returning into the frames it blocked in; FN's result is the system
 * call's answer, and the thread leaves for user mode the way the call
 * would have.  Whether a switch does that is the machine's choice: the
 * thread's own code must work either way.
 * Owned by: the blocked thread (a copy in its record).
 * Guarded by: written by the waker that ended its wait, before the
 *   wake; read by the switch that resumes it; cleared by the thread.
 */
struct thread_resume {
	uint64_t (*fn)(const struct thread_resume *r);
	void *arg[4];
};

/*
 * thread_resume_set: give THREAD (a blocking context, waiter->thread),
 * whose wait the caller is about to end with a wake or a handoff, FN
 * with the arguments A0-A3 as its continuation (struct thread_resume;
 * passed one by one, so that nothing is built to be copied).  Ignored
 * for a thread that has no user context (a kernel thread has no system
 * call to finish) and on machines that do not resume threads that way.
 * FN runs with interrupts masked, and enables them before anything that
 * may wait.
 * Locks: whatever the waker holds; THREAD must not have been woken yet.
 */
void thread_resume_set(void *thread,
                       uint64_t (*fn)(const struct thread_resume *r), void *a0,
                       void *a1, void *a2, void *a3);

/*
 * thread_resume_clear: the calling thread returned from its block the
 * ordinary way: any continuation given to it is dropped.
 */
void thread_resume_clear(void);

#endif
