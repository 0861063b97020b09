/*
 * Wait queues (kern/waitq.h): a list of waiters under a spinlock.  The
 * rule that keeps wakes from being lost or touching freed memory: a
 * waker dequeues a waiter, sets its result and unblocks it all under
 * wq->lock, and the unblocking (the waiter's wake word going from
 * WAITER_BLOCKED to WAITER_UNBLOCKED) is its last touch of the waiter.
 * A waiting thread that sees itself unblocked so returns at once; one
 * that timed out or was interrupted takes wq->lock once more before it
 * returns, so it sees a waker's result that raced with it, and its stack
 * frame outlives every waker's use of it.
 */
#include "kern/waitq.h"

#include "kern/panic.h"
#include "kern/thread_block.h"

void waitq_init(struct waitq *wq)
{
	spin_init(&wq->lock, "waitq");
	list_init(&wq->waiters);
	wq->wakeups = 0;
}

int waitq_block_end(struct waitq *wq, struct waiter *w, int why)
{
	unsigned long f = spin_lock(&wq->lock);

	if (w->queued) {
		/* Nobody picked us: our own timeout or interrupt ended it. */
		list_remove(&w->link);
		w->queued = false;
		w->result = why == WAITER_INTERRUPTED ? WAITQ_INTERRUPTED
		                                      : WAITQ_TIMED_OUT;
	}
	spin_unlock(&wq->lock, f);
	return w->result;
}

static int wait_common(struct waitq *wq, bool check_gen, uint64_t gen,
                       spinlock_t *held, unsigned long held_flags,
                       uint64_t deadline, struct waiter *w,
                       struct handoff *next)
{
	unsigned long f;

	f = spin_lock(&wq->lock);
	if (check_gen && wq->wakeups != gen) {
		/* Woken between the caller's scan and now: look again. */
		spin_unlock(&wq->lock, f);
		if (held != NULL)
			spin_unlock(held, held_flags);
		if (next != NULL)
			thread_handoff_cancel(next);
		return WAITQ_AWAKENED;
	}
	waitq_enqueue_locked(wq, w);
	spin_unlock(&wq->lock, f);
	if (held != NULL)
		spin_unlock(held, held_flags);
	return waitq_block(wq, w, deadline, next);
}

int waitq_wait(struct waitq *wq, spinlock_t *held, unsigned long held_flags,
               uint64_t deadline, struct waiter *w)
{
	return wait_common(wq, false, 0, held, held_flags, deadline, w, NULL);
}

int waitq_wait_handoff(struct waitq *wq, spinlock_t *held,
                       unsigned long held_flags, uint64_t deadline,
                       struct waiter *w, struct handoff *next)
{
	return wait_common(wq, false, 0, held, held_flags, deadline, w, next);
}

int waitq_wait_unless(struct waitq *wq, uint64_t gen, spinlock_t *held,
                      unsigned long held_flags, uint64_t deadline,
                      struct waiter *w)
{
	return wait_common(wq, true, gen, held, held_flags, deadline, w, NULL);
}

uint64_t waitq_generation(struct waitq *wq)
{
	unsigned long f = spin_lock(&wq->lock);
	uint64_t gen = wq->wakeups;

	spin_unlock(&wq->lock, f);
	return gen;
}

/* Dequeue and unblock the oldest waiter.  Locks: wq->lock held. */
static bool wake_first(struct waitq *wq, int result)
{
	struct waiter *w = waitq_first_locked(wq);

	if (w == NULL)
		return false;
	waitq_wake_locked(wq, w, result, NULL);
	return true;
}

bool waitq_wake_one(struct waitq *wq, int result)
{
	unsigned long f;
	bool woke;

	assert(result >= 0);
	f = spin_lock(&wq->lock);
	wq->wakeups++;
	woke = wake_first(wq, result);
	spin_unlock(&wq->lock, f);
	return woke;
}

unsigned waitq_wake_all(struct waitq *wq, int result)
{
	unsigned long f;
	unsigned n = 0;

	assert(result >= 0);
	f = spin_lock(&wq->lock);
	wq->wakeups++;
	while (wake_first(wq, result))
		n++;
	spin_unlock(&wq->lock, f);
	return n;
}

bool waitq_empty(struct waitq *wq)
{
	unsigned long f = spin_lock(&wq->lock);
	bool empty = list_empty(&wq->waiters);

	spin_unlock(&wq->lock, f);
	return empty;
}

void waiter_interrupt(struct waiter *w)
{
	thread_interrupt(w);
}
