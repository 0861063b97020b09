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

/* Enqueue W.  Locks: WQ->lock held. */
static void enqueue(struct waitq *wq, struct waiter *w)
{
	assert(!w->queued);
	w->wq = wq;
	w->queued = true;
	w->result = WAITQ_AWAKENED;
	list_push_back(&wq->waiters, &w->link);
}

void waitq_enqueue(struct waitq *wq, struct waiter *w)
{
	spin_lock_masked(&wq->lock);
	enqueue(wq, w);
	spin_unlock_masked(&wq->lock);
}

int waitq_block(struct waitq *wq, struct waiter *w, uint64_t deadline,
                struct handoff *next)
{
	unsigned long f;
	int why;

	why = next != NULL ? thread_block_handoff(w, next, deadline)
	                   : thread_block_until(w, deadline);
	if (why == WAITER_UNBLOCKED)
		return w->result; /* the waker is done with W: see above */

	f = spin_lock(&wq->lock);
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
	enqueue(wq, w);
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

/* Dequeue and unblock the oldest waiter; with NEXT, for a handoff
 * (thread_unblock_handoff).  Locks: wq->lock held. */
static bool wake_first(struct waitq *wq, int result, struct handoff *next)
{
	struct waiter *w;

	if (list_empty(&wq->waiters))
		return false;
	w = list_first_entry(&wq->waiters, struct waiter, link);
	list_remove(&w->link);
	w->queued = false;
	w->result = result;
	if (next != NULL)
		thread_unblock_handoff(w, next);
	else
		thread_unblock(w);
	return true;
}

bool waitq_wake_one(struct waitq *wq, int result)
{
	unsigned long f;
	bool woke;

	assert(result >= 0);
	f = spin_lock(&wq->lock);
	wq->wakeups++;
	woke = wake_first(wq, result, NULL);
	spin_unlock(&wq->lock, f);
	return woke;
}

bool waitq_wake_first_if(struct waitq *wq,
                         bool (*take)(struct waiter *w, void *arg), void *arg,
                         int result, struct handoff *next)
{
	unsigned long f;
	bool woke = false;

	assert(result >= 0);
	f = spin_lock(&wq->lock);
	if (!list_empty(&wq->waiters) &&
	    take(list_first_entry(&wq->waiters, struct waiter, link), arg)) {
		wq->wakeups++;
		woke = wake_first(wq, result, next);
	}
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
	while (wake_first(wq, result, NULL))
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
