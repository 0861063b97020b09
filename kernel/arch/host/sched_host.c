/*
 * The blocking primitive of kern/thread_block.h in the host build: every
 * pthread is a thread, and blocks on a condition variable of its own
 * (CLOCK_MONOTONIC, the clock behind clock_now_ns), so waits with
 * deadlines, wakes and interrupts behave as they will under the real
 * scheduler.  Also the CPU numbers of attached pthreads
 * (machine/host_thread.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "kern/clock.h"
#include "kern/panic.h"
#include "kern/percpu.h"
#include "kern/thread_block.h"
#include "kern/waitq.h"
#include "machine/cpu.h"
#include "machine/host_test.h"
#include "machine/host_thread.h"

/*
 * One pthread's blocking state.
 * Owned by: the pthread (thread-local storage).
 * Guarded by: `m`, for `current` and for the wake field of the waiter
 *   it blocks on while it sleeps.
 */
struct host_thread {
	pthread_mutex_t m;
	pthread_cond_t c;
	struct waiter *current; /* the waiter blocked on, or NULL */
	bool ready;
};

static _Thread_local struct host_thread self;

struct host_thread *host_thread_self(void)
{
	if (!self.ready) {
		pthread_condattr_t a;

		pthread_mutex_init(&self.m, NULL);
		pthread_condattr_init(&a);
		pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
		pthread_cond_init(&self.c, &a);
		pthread_condattr_destroy(&a);
		self.current = NULL;
		self.ready = true;
	}
	return &self;
}

void *thread_block_self(void)
{
	return host_thread_self();
}

/* DEADLINE (clock_now_ns time) as an absolute CLOCK_MONOTONIC time. */
static struct timespec deadline_to_timespec(uint64_t deadline)
{
	struct timespec ts;
	uint64_t now = clock_now_ns(), left, abs;

	left = deadline > now ? deadline - now : 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	abs = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	abs = left > UINT64_MAX - abs ? UINT64_MAX : abs + left;
	ts.tv_sec = (time_t)(abs / 1000000000ULL);
	ts.tv_nsec = (long)(abs % 1000000000ULL);
	return ts;
}

int thread_block_until(struct waiter *w, uint64_t deadline)
{
	struct host_thread *t = w->thread;
	int why;

	assert(t == &self);
	pthread_mutex_lock(&t->m);
	t->current = w;
	for (;;) {
		why = atomic_load(&w->wake);
		if (why != WAITER_BLOCKED)
			break;
		if (deadline == UINT64_MAX) {
			pthread_cond_wait(&t->c, &t->m);
			continue;
		}
		if (clock_now_ns() >= deadline) {
			why = THREAD_BLOCK_TIMED_OUT;
			break;
		}
		struct timespec ts = deadline_to_timespec(deadline);
		pthread_cond_timedwait(&t->c, &t->m, &ts);
	}
	t->current = NULL;
	pthread_mutex_unlock(&t->m);
	return why;
}

static void set_wake(struct waiter *w, int why)
{
	struct host_thread *t = w->thread;
	int expected = WAITER_BLOCKED;

	pthread_mutex_lock(&t->m);
	atomic_compare_exchange_strong(&w->wake, &expected, why);
	pthread_cond_broadcast(&t->c);
	pthread_mutex_unlock(&t->m);
}

void thread_unblock(struct waiter *w)
{
	set_wake(w, WAITER_UNBLOCKED);
}

void thread_interrupt(struct waiter *w)
{
	set_wake(w, WAITER_INTERRUPTED);
}

/* Handoffs: the host has no CPU to hand over, so the unblocked pthread
 * runs at once, by itself. */
void thread_unblock_handoff(struct waiter *w, struct handoff *h)
{
	set_wake(w, WAITER_UNBLOCKED);
	h->thread = NULL;
}

int thread_block_handoff(struct waiter *w, struct handoff *h, uint64_t deadline)
{
	(void)h;
	return thread_block_until(w, deadline);
}

void thread_handoff_cancel(struct handoff *h)
{
	(void)h;
}

bool host_thread_blocked(struct host_thread *t)
{
	bool blocked;

	pthread_mutex_lock(&t->m);
	blocked = t->current != NULL &&
	          atomic_load(&t->current->wake) == WAITER_BLOCKED;
	pthread_mutex_unlock(&t->m);
	return blocked;
}

bool host_thread_interrupt(struct host_thread *t)
{
	struct waiter *w;
	int expected = WAITER_BLOCKED;
	bool done = false;

	pthread_mutex_lock(&t->m);
	w = t->current;
	if (w != NULL)
		done = atomic_compare_exchange_strong(&w->wake, &expected,
		                                      WAITER_INTERRUPTED);
	pthread_cond_broadcast(&t->c);
	pthread_mutex_unlock(&t->m);
	return done;
}

/* CPU numbers: bit N of `cpus_used` set while a pthread has number N. */
static atomic_uint_fast64_t cpus_used = 1; /* CPU 0: the main thread */

unsigned host_thread_attach(void)
{
	for (;;) {
		uint_fast64_t used = atomic_load(&cpus_used);
		unsigned id;

		if (~used == 0)
			panic("host_thread_attach: more than %d threads",
			      MAX_CPUS);
		id = (unsigned)__builtin_ctzll(~(unsigned long long)used);
		if (atomic_compare_exchange_weak(&cpus_used, &used,
		                                 used | (1ULL << id))) {
			host_set_cpu_id(id);
			host_thread_self();
			return id;
		}
	}
}

void host_thread_detach(void)
{
	unsigned id = cpu_id();

	if (id != 0)
		atomic_fetch_and(&cpus_used, ~(1ULL << id));
	host_set_cpu_id(0);
}

/* The host build resumes every thread by returning from its block. */
void thread_resume_set(void *thread,
                       uint64_t (*fn)(const struct thread_resume *r), void *a0,
                       void *a1, void *a2, void *a3)
{
	(void)thread;
	(void)fn;
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
}

void thread_resume_clear(void)
{
}
