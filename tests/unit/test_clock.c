/*
 * Unit tests of the tick counter and the monotonic clock (kern/clock.c):
 * only the boot CPU's ticks advance time, every CPU's ticks are counted
 * in its percpu area, and clock_now_ns() never goes backwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kern/clock.h"
#include "kern/percpu.h"
#include "machine/host_test.h"

static void test_init_sets_rate_and_zeroes_ticks(void **state)
{
	(void)state;
	clock_init(250);
	assert_int_equal(clock_hz(), 250);
	assert_int_equal(clock_ticks(), 0);
}

static void test_boot_cpu_ticks_advance_time(void **state)
{
	uint64_t before = percpu_area[0].ticks;

	(void)state;
	clock_init(100);
	host_set_cpu_id(0);
	for (int i = 0; i < 5; i++)
		clock_tick();
	assert_int_equal(clock_ticks(), 5);
	assert_int_equal(percpu_area[0].ticks - before, 5);
}

static void test_other_cpu_ticks_count_only_locally(void **state)
{
	uint64_t before = percpu_area[3].ticks;

	(void)state;
	clock_init(100);
	host_set_cpu_id(3);
	clock_tick();
	clock_tick();
	host_set_cpu_id(0);
	assert_int_equal(clock_ticks(), 0);
	assert_int_equal(percpu_area[3].ticks - before, 2);
}

static void test_now_never_goes_backwards(void **state)
{
	uint64_t prev = clock_now_ns();

	(void)state;
	for (int i = 0; i < 100000; i++) {
		uint64_t now = clock_now_ns();

		assert_true(now >= prev);
		prev = now;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_sets_rate_and_zeroes_ticks),
	    cmocka_unit_test(test_boot_cpu_ticks_advance_time),
	    cmocka_unit_test(test_other_cpu_ticks_count_only_locally),
	    cmocka_unit_test(test_now_never_goes_backwards),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
