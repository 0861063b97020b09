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

#endif
