/*
 * Unit tests of the host machine layer (kernel/arch/host) that every
 * other unit test stands on: caught panics, the console buffer, the
 * per-thread CPU number and interrupt flag behind spinlocks.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/spinlock.h"
#include "machine/console.h"
#include "machine/cpu.h"
#include "machine/host_test.h"

static void test_caught_panic_reports_its_message(void **state)
{
	int before = panic_count;

	(void)state;
	assert_true(EXPECT_PANIC(panic("disk %d on fire", 3)));
	assert_string_equal(host_panic_message, "disk 3 on fire");
	assert_int_equal(panic_count, before + 1);
}

static void test_successive_caught_panics_each_get_their_message(void **state)
{
	char want[32];
	volatile int i; /* read again after the longjmp */

	(void)state;
	for (i = 0; i < 5; i++) {
		snprintf(want, sizeof(want), "panic number %d", i);
		assert_true(EXPECT_PANIC(panic("panic number %d", i)));
		assert_string_equal(host_panic_message, want);
	}
}

static void test_statement_that_returns_is_no_panic(void **state)
{
	int before = panic_count;

	(void)state;
	assert_false(EXPECT_PANIC((void)0));
	assert_int_equal(panic_count, before);
	assert_null(host_panic_catcher);
}

static void test_nested_expect_panic_restores_outer_catcher(void **state)
{
	jmp_buf *outer = NULL;

	(void)state;
	assert_true(EXPECT_PANIC({
		outer = host_panic_catcher;
		assert_true(EXPECT_PANIC(panic("inner")));
		assert_ptr_equal(host_panic_catcher, outer);
		panic("outer");
	}));
	assert_string_equal(host_panic_message, "outer");
	assert_null(host_panic_catcher);
}

static void test_failed_assert_panics_with_condition(void **state)
{
	volatile int x = 1;

	(void)state;
	assert_true(EXPECT_PANIC(assert(x == 2)));
	assert_non_null(strstr(host_panic_message, "x == 2"));
}

static void test_console_keeps_output_until_reset(void **state)
{
	(void)state;
	host_console_reset();
	assert_string_equal(host_console_output(), "");
	machine_console_write("abc", 3);
	kprintf("%d", 42);
	assert_string_equal(host_console_output(), "abc42");
	host_console_reset();
	assert_string_equal(host_console_output(), "");
}

static void test_console_grows_past_its_first_buffer(void **state)
{
	static char chunk[1000];
	unsigned i;

	(void)state;
	memset(chunk, 'q', sizeof(chunk));
	host_console_reset();
	for (i = 0; i < 100; i++)
		machine_console_write(chunk, sizeof(chunk));
	assert_int_equal(strlen(host_console_output()), 100 * sizeof(chunk));
	host_console_reset();
}

static void test_spinlock_masks_and_restores_interrupts(void **state)
{
	spinlock_t l = SPINLOCK_INIT("test");
	unsigned long flags;

	(void)state;
	intr_enable();
	flags = spin_lock(&l);
	assert_false(intr_enabled());
	assert_true(spin_held(&l));
	spin_unlock(&l, flags);
	assert_true(intr_enabled());
	assert_false(spin_held(&l));
}

static void test_spinlock_taken_twice_panics(void **state)
{
	spinlock_t l = SPINLOCK_INIT("twice");
	unsigned long flags;

	(void)state;
	flags = spin_lock(&l);
	assert_true(EXPECT_PANIC(spin_lock(&l)));
	assert_non_null(strstr(host_panic_message, "twice"));
	spin_unlock(&l, flags);
	assert_true(EXPECT_PANIC(spin_unlock(&l, flags)));
	intr_enable();
}

static void *report_cpu(void *arg)
{
	host_set_cpu_id((unsigned)(uintptr_t)arg);
	return (void *)(uintptr_t)cpu_id();
}

static void test_each_thread_has_its_own_cpu_id(void **state)
{
	pthread_t t;
	void *seen;

	(void)state;
	host_set_cpu_id(0);
	assert_int_equal(pthread_create(&t, NULL, report_cpu, (void *)7), 0);
	assert_int_equal(pthread_join(t, &seen), 0);
	assert_int_equal((uintptr_t)seen, 7);
	assert_int_equal(cpu_id(), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test(fn)
	const struct CMUnitTest tests[] = {
	    T(test_caught_panic_reports_its_message),
	    T(test_successive_caught_panics_each_get_their_message),
	    T(test_statement_that_returns_is_no_panic),
	    T(test_nested_expect_panic_restores_outer_catcher),
	    T(test_failed_assert_panics_with_condition),
	    T(test_console_keeps_output_until_reset),
	    T(test_console_grows_past_its_first_buffer),
	    T(test_spinlock_masks_and_restores_interrupts),
	    T(test_spinlock_taken_twice_panics),
	    T(test_each_thread_has_its_own_cpu_id),
	};
#undef T

	return cmocka_run_group_tests_name("host", tests, NULL, NULL);
}
