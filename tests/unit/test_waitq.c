/*
 * Unit tests of wait queues (kern/waitq.c) over the host blocking
 * primitive (arch/host/sched_host.c): timeouts, wakes with results,
 * interrupts, the generation check that port-set receivers rely on, and
 * a stress of wakes racing timeouts where no wake may be lost.  Each
 * pthread takes its own CPU number (machine/host_thread.h).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "kern/clock.h"
#include "kern/spinlock.h"
#include "kern/waitq.h"
#include "machine/host_test.h"
#include "machine/host_thread.h"

#define MS 1000000ULL

static struct waitq wq;
static spinlock_t lock = SPINLOCK_INIT("test");

static int setup(void **state)
{
	(void)state;
	waitq_init(&wq);
	return 0;
}

/* Wait on WQ with `lock` held on entry, as IPC does. */
static int wait_for(uint64_t deadline)
{
	struct waiter w;
	unsigned long f;

	waiter_init(&w);
	f = spin_lock(&lock);
	return waitq_wait(&wq, &lock, f, deadline, &w);
}

struct waiter_thread {
	pthread_t tid;
	struct host_thread *self;
	uint64_t deadline;
	atomic_int started;
	int result;
};

static void *waiter_main(void *arg)
{
	struct waiter_thread *t = arg;

	host_thread_attach();
	t->self = host_thread_self();
	atomic_store(&t->started, 1);
	t->result = wait_for(t->deadline);
	host_thread_detach();
	return NULL;
}

static void start_waiter(struct waiter_thread *t, uint64_t deadline)
{
	t->deadline = deadline;
	atomic_init(&t->started, 0);
	t->result = 12345;
	assert_int_equal(pthread_create(&t->tid, NULL, waiter_main, t), 0);
	while (!atomic_load(&t->started))
		usleep(100);
	/* Until it blocks, it is not on the queue yet. */
	while (!host_thread_blocked(t->self))
		usleep(100);
}

static void test_wait_times_out_at_deadline(void **state)
{
	uint64_t start = clock_now_ns();
	int r;

	(void)state;
	r = wait_for(start + 20 * MS);
	assert_int_equal(r, WAITQ_TIMED_OUT);
	assert_true(clock_now_ns() - start >= 20 * MS);
	assert_true(waitq_empty(&wq));
	assert_false(spin_held(&lock));
}

static void test_past_deadline_returns_at_once(void **state)
{
	(void)state;
	assert_int_equal(wait_for(clock_now_ns() - 1), WAITQ_TIMED_OUT);
	assert_true(waitq_empty(&wq));
}

static void test_wake_one_hands_its_result(void **state)
{
	struct waiter_thread t;

	(void)state;
	start_waiter(&t, WAITQ_FOREVER);
	assert_false(waitq_empty(&wq));
	assert_true(waitq_wake_one(&wq, 77));
	pthread_join(t.tid, NULL);
	assert_int_equal(t.result, 77);
	assert_true(waitq_empty(&wq));
}

static void test_wake_one_on_empty_queue_wakes_nobody(void **state)
{
	uint64_t gen;

	(void)state;
	gen = waitq_generation(&wq);
	assert_false(waitq_wake_one(&wq, 0));
	assert_int_equal(waitq_wake_all(&wq, 0), 0);
	assert_int_equal(waitq_generation(&wq), gen + 2);
}

static void test_wake_one_wakes_oldest_first(void **state)
{
	struct waiter_thread a, b;

	(void)state;
	start_waiter(&a, WAITQ_FOREVER);
	start_waiter(&b, WAITQ_FOREVER);
	assert_true(waitq_wake_one(&wq, 1));
	pthread_join(a.tid, NULL);
	assert_int_equal(a.result, 1);
	assert_true(host_thread_blocked(b.self));
	assert_true(waitq_wake_one(&wq, 2));
	pthread_join(b.tid, NULL);
	assert_int_equal(b.result, 2);
}

static void test_wake_all_wakes_every_waiter(void **state)
{
	struct waiter_thread t[4];

	(void)state;
	for (unsigned i = 0; i < 4; i++)
		start_waiter(&t[i], clock_now_ns() + 10000 * MS);
	assert_int_equal(waitq_wake_all(&wq, 9), 4);
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(t[i].tid, NULL);
		assert_int_equal(t[i].result, 9);
	}
	assert_true(waitq_empty(&wq));
}

static void test_interrupt_ends_a_blocked_wait(void **state)
{
	struct waiter_thread t;

	(void)state;
	start_waiter(&t, WAITQ_FOREVER);
	assert_true(host_thread_interrupt(t.self));
	pthread_join(t.tid, NULL);
	assert_int_equal(t.result, WAITQ_INTERRUPTED);
	assert_true(waitq_empty(&wq));
	assert_false(host_thread_interrupt(t.self));
}

static void test_interrupt_before_blocking_still_counts(void **state)
{
	struct waiter w;
	unsigned long f;

	(void)state;
	waiter_init(&w);
	waiter_interrupt(&w);
	f = spin_lock(&lock);
	assert_int_equal(waitq_wait(&wq, &lock, f, WAITQ_FOREVER, &w),
	                 WAITQ_INTERRUPTED);
	assert_true(waitq_empty(&wq));
}

static void test_wait_unless_sees_a_wake_since_generation(void **state)
{
	struct waiter w;
	uint64_t gen;
	unsigned long f;

	(void)state;
	gen = waitq_generation(&wq);
	waitq_wake_one(&wq, 0); /* nobody waits: only the generation moves */
	waiter_init(&w);
	f = spin_lock(&lock);
	assert_int_equal(
	    waitq_wait_unless(&wq, gen, &lock, f, WAITQ_FOREVER, &w),
	    WAITQ_AWAKENED);
	assert_false(spin_held(&lock));
	assert_true(waitq_empty(&wq));
}

static void test_wait_unless_blocks_when_nothing_happened(void **state)
{
	struct waiter w;
	uint64_t gen;
	unsigned long f;

	(void)state;
	gen = waitq_generation(&wq);
	waiter_init(&w);
	f = spin_lock(&lock);
	assert_int_equal(
	    waitq_wait_unless(&wq, gen, &lock, f, clock_now_ns() + 5 * MS, &w),
	    WAITQ_TIMED_OUT);
}

static void test_wait_without_held_lock(void **state)
{
	struct waiter w;

	(void)state;
	waiter_init(&w);
	assert_int_equal(waitq_wait(&wq, NULL, 0, clock_now_ns() + MS, &w),
	                 WAITQ_TIMED_OUT);
}

/* ---- wakes racing timeouts: every successful wake reaches a waiter ---- */

#define RACERS 4
#define ROUNDS 400

static atomic_int woken_results;
static atomic_int racers_done;

static void *racer_main(void *arg)
{
	(void)arg;
	host_thread_attach();
	for (int i = 0; i < ROUNDS; i++) {
		/* Deadlines of 0-50 us: many expire just as a wake comes. */
		int r = wait_for(clock_now_ns() + (uint64_t)(i % 50) * 1000);

		if (r == 1)
			atomic_fetch_add(&woken_results, 1);
		else
			assert_int_equal(r, WAITQ_TIMED_OUT);
	}
	atomic_fetch_add(&racers_done, 1);
	host_thread_detach();
	return NULL;
}

static void test_wakes_racing_timeouts_are_never_lost(void **state)
{
	pthread_t tid[RACERS];
	int wakes = 0;

	(void)state;
	atomic_store(&woken_results, 0);
	atomic_store(&racers_done, 0);
	for (int i = 0; i < RACERS; i++)
		assert_int_equal(
		    pthread_create(&tid[i], NULL, racer_main, NULL), 0);
	while (atomic_load(&racers_done) < RACERS)
		if (waitq_wake_one(&wq, 1))
			wakes++;
	for (int i = 0; i < RACERS; i++)
		pthread_join(tid[i], NULL);
	assert_int_equal(atomic_load(&woken_results), wakes);
	assert_true(waitq_empty(&wq));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_wait_times_out_at_deadline, setup),
	    cmocka_unit_test_setup(test_past_deadline_returns_at_once, setup),
	    cmocka_unit_test_setup(test_wake_one_hands_its_result, setup),
	    cmocka_unit_test_setup(test_wake_one_on_empty_queue_wakes_nobody,
	                           setup),
	    cmocka_unit_test_setup(test_wake_one_wakes_oldest_first, setup),
	    cmocka_unit_test_setup(test_wake_all_wakes_every_waiter, setup),
	    cmocka_unit_test_setup(test_interrupt_ends_a_blocked_wait, setup),
	    cmocka_unit_test_setup(test_interrupt_before_blocking_still_counts,
	                           setup),
	    cmocka_unit_test_setup(
	        test_wait_unless_sees_a_wake_since_generation, setup),
	    cmocka_unit_test_setup(
	        test_wait_unless_blocks_when_nothing_happened, setup),
	    cmocka_unit_test_setup(test_wait_without_held_lock, setup),
	    cmocka_unit_test_setup(test_wakes_racing_timeouts_are_never_lost,
	                           setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
