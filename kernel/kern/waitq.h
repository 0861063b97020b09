/*
 * Wait queues: where a thread sleeps until another wakes it, its deadline
 * passes or someone interrupts it.  IPC uses them for receivers waiting
 * for a message and senders waiting for room on a full queue.  The
 * blocking itself is the scheduler's (kern/thread_block.h); a wait queue
 * only keeps the list of waiters and hands each one a result.
 */
#ifndef KERN_WAITQ_H
#define KERN_WAITQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kern/list.h"
#include "kern/spinlock.h"
#include "kern/thread_block.h"

/* No deadline: wait until woken or interrupted. */
#define WAITQ_FOREVER UINT64_MAX

/*
 * Results of waitq_wait.  The waker chooses any value >= 0 to hand to
 * the threads it wakes (IPC passes a mach_msg_return_t, e.g.
 * MACH_RCV_PORT_DIED); the negative ones are the wait's own.
 */
#define WAITQ_AWAKENED    0
#define WAITQ_TIMED_OUT   (-1)
#define WAITQ_INTERRUPTED (-2)

/* What thread_unblock/waiter_interrupt leave in waiter->wake. */
#define WAITER_BLOCKED     0
#define WAITER_UNBLOCKED   1
#define WAITER_INTERRUPTED 2

struct waitq;

/*
 * One thread waiting on one wait queue; lives in the waiting thread's
 * stack frame for the length of one waitq_wait.
 * Owned by: the waiting thread.
 * Guarded by: wq->lock for `link`, `queued` and `result`; `wake` is
 *   atomic (written by thread_unblock / waiter_interrupt, read by the
 *   blocking primitive); `thread` is the waiter's own.
 */
struct waiter {
	struct list link; /* on wq->waiters while queued */
	struct waitq *wq; /* the queue of the current wait */
	bool queued;      /* still on wq->waiters */
	int result;       /* set by the waker: WAITQ_AWAKENED or its value */
	atomic_int wake;  /* WAITER_*: why the blocked thread may go on */
	void *thread;     /* the blocking primitive's per-thread context */
};

/*
 * A list of waiting threads.
 * Owned by: the object embedding it (a port's mqueue, a port set).
 * Guarded by: its own lock, which comes after every IPC object lock in
 *   the lock order (docs/IPC.md): take it with a port or set held, never
 *   the other way round.
 */
struct waitq {
	spinlock_t lock;
	struct list waiters; /* struct waiter, oldest first */
	uint64_t wakeups;    /* bumped by every wake, even of nobody */
};

void waitq_init(struct waitq *wq);

/* waiter_init: prepare W for a wait (call before every waitq_wait). */
static inline void waiter_init(struct waiter *w)
{
	w->link.next = w->link.prev = NULL;
	w->wq = NULL;
	w->queued = false;
	w->result = WAITQ_AWAKENED;
	atomic_init(&w->wake, WAITER_BLOCKED);
	w->thread = thread_block_self();
}

/*
 * waitq_wait: enqueue W on WQ, release HELD (which the caller took with
 * spin_lock, getting HELD_FLAGS back), and block until a waker picks W,
 * DEADLINE (clock_now_ns() time, or WAITQ_FOREVER) passes, or
 * waiter_interrupt(W).  Enqueueing happens before HELD is released, so
 * a waker that takes HELD after the caller's check cannot miss W.
 * Locks: HELD held on entry (and WQ->lock not held); nothing held on
 *   return.  The caller must keep WQ's memory alive for the wait (hold a
 *   reference on the object embedding it).
 * Returns: the waker's result (WAITQ_AWAKENED or its own value >= 0),
 *   WAITQ_TIMED_OUT or WAITQ_INTERRUPTED.  A wake that races with a
 *   timeout or an interrupt wins: it is never lost.
 */
int waitq_wait(struct waitq *wq, spinlock_t *held, unsigned long held_flags,
               uint64_t deadline, struct waiter *w);

struct handoff;

/*
 * waitq_enqueue_locked: put W, prepared by waiter_init, at the end of WQ.
 * Locks: WQ->lock held.
 */
static inline void waitq_enqueue_locked(struct waitq *wq, struct waiter *w)
{
	assert(!w->queued);
	w->wq = wq;
	w->queued = true;
	w->result = WAITQ_AWAKENED;
	list_push_back(&wq->waiters, &w->link);
}

/* waitq_block_end: waitq_block's end when W was not unblocked by a
 * waker (timeout, interrupt): take it off WQ unless a waker did. */
int waitq_block_end(struct waitq *wq, struct waiter *w, int why);

/*
 * waitq_enqueue / waitq_block: waitq_wait in two steps, for a caller
 * that has more to do between them: waitq_enqueue puts W on WQ (wakes
 * from then on reach it); the caller releases the lock under which it
 * decided to wait (every waker of WQ must take it), then waitq_block
 * blocks until W is woken, DEADLINE passes or W is interrupted, giving
 * the CPU to NEXT's thread meanwhile when NEXT is not NULL (and
 * consuming it).
 * Locks: waitq_enqueue, a lock before WQ->lock held (so interrupts are
 *   masked); waitq_block, none.
 * Returns (waitq_block): as waitq_wait.
 */
static inline void waitq_enqueue(struct waitq *wq, struct waiter *w)
{
	spin_lock_masked(&wq->lock);
	waitq_enqueue_locked(wq, w);
	spin_unlock_masked(&wq->lock);
}

static inline int waitq_block(struct waitq *wq, struct waiter *w,
                              uint64_t deadline, struct handoff *next)
{
	int why = next != NULL ? thread_block_handoff(w, next, deadline)
	                       : thread_block_until(w, deadline);

	/* A waker unblocking W is done with it (waitq.c). */
	return why == WAITER_UNBLOCKED ? w->result
	                               : waitq_block_end(wq, w, why);
}

/*
 * waitq_wait_handoff: waitq_wait, giving the CPU to NEXT's thread (one a
 * waitq_wake_locked with a handoff unblocked) while W waits
 * (thread_block_handoff).  Consumes NEXT.
 */
int waitq_wait_handoff(struct waitq *wq, spinlock_t *held,
                       unsigned long held_flags, uint64_t deadline,
                       struct waiter *w, struct handoff *next);

/*
 * waitq_generation: the count of wakes of WQ so far.  With
 * waitq_wait_unless, a thread that scans several queues without holding
 * the lock their wakers take (a port set's members) cannot lose a wake
 * that happens between its scan and its sleep.
 * Locks: any (reads under WQ->lock).
 */
uint64_t waitq_generation(struct waitq *wq);

/*
 * waitq_wait_unless: waitq_wait, except that when WQ has been woken
 * since waitq_generation returned GEN, W is not enqueued and the call
 * returns WAITQ_AWAKENED at once (after releasing HELD).
 */
int waitq_wait_unless(struct waitq *wq, uint64_t gen, spinlock_t *held,
                      unsigned long held_flags, uint64_t deadline,
                      struct waiter *w);

/*
 * waitq_wake_one / waitq_wake_all: dequeue the oldest waiter (all
 * waiters) of WQ, give it RESULT (>= 0) and unblock it.
 * Locks: any lock before WQ->lock in the order may be held.
 * Returns: waitq_wake_one, whether it woke someone; waitq_wake_all, how
 *   many it woke.
 */
bool waitq_wake_one(struct waitq *wq, int result);

/*
 * waitq_has_waiters: whether WQ has waiters, read without WQ->lock: exact
 * for a caller holding the lock under which every waiter of WQ enqueues
 * (waitq_wait's HELD), else only a hint.
 */
static inline bool waitq_has_waiters(const struct waitq *wq)
{
	return !list_empty(&wq->waiters);
}

/*
 * waitq_first_locked / waitq_wake_locked: the pieces of a wake, for a
 * waker that decides under WQ->lock (held, interrupts masked:
 * waitq_lock_masked) whom to wake: the oldest waiter, or NULL; dequeue
 * W, give it RESULT (>= 0) and unblock it; with NEXT, for a handoff
 * (thread_unblock_handoff: the caller must pass NEXT on to
 * waitq_wait_handoff, waitq_block, thread_block_handoff or
 * thread_handoff_cancel).  The caller counts the wake in wq->wakeups if
 * it matters (waitq_generation).
 */
static inline struct waiter *waitq_first_locked(struct waitq *wq)
{
	return list_empty(&wq->waiters)
	           ? NULL
	           : list_first_entry(&wq->waiters, struct waiter, link);
}

static inline void waitq_wake_locked(struct waitq *wq, struct waiter *w,
                                     int result, struct handoff *next)
{
	assert(w->queued && w->wq == wq);
	list_remove(&w->link);
	w->queued = false;
	w->result = result;
	if (next != NULL)
		thread_unblock_handoff(w, next);
	else
		thread_unblock(w);
}

static inline void waitq_lock_masked(struct waitq *wq)
{
	spin_lock_masked(&wq->lock);
}

static inline void waitq_unlock_masked(struct waitq *wq)
{
	spin_unlock_masked(&wq->lock);
}

unsigned waitq_wake_all(struct waitq *wq, int result);

/* True when nobody waits on WQ (a snapshot). */
bool waitq_empty(struct waitq *wq);

/*
 * waiter_interrupt: make the thread blocked with W return
 * WAITQ_INTERRUPTED (unless a waker got there first).  An interrupt sent
 * before the thread blocks still counts for this wait.
 * Locks: none needed.  The caller keeps W valid across the call (the
 *   thread_abort of issue 5 holds the thread whose waiter it is).
 */
void waiter_interrupt(struct waiter *w);

#endif
