/*
 * Unit tests of the boot-module checks (kern/bootinfo.c): modules that
 * overlap each other or the kernel, run past the end of RAM, or end
 * before they start are refused with a one-line reason; a sane layout,
 * including modules that merely touch, is accepted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kern/bootinfo.h"

#define MIB (1ULL << 20)

static struct boot_info bi;
static char err[160];

static int setup(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	memset(err, 0, sizeof(err));
	bi.kernel_start = 1 * MIB;
	bi.kernel_end = 2 * MIB;
	return 0;
}

static void add_module(paddr_t start, paddr_t end)
{
	bi.modules[bi.nmodules].start = start;
	bi.modules[bi.nmodules].end = end;
	bi.modules[bi.nmodules].cmdline = "m";
	bi.nmodules++;
}

static void check_fails(const char *why)
{
	assert_int_equal(bootinfo_check(&bi, 64 * MIB, err, sizeof(err)), -1);
	assert_non_null(strstr(err, why));
	assert_null(strchr(err, '\n'));
}

static void test_no_modules_is_fine(void **state)
{
	(void)state;
	assert_int_equal(bootinfo_check(&bi, 64 * MIB, err, sizeof(err)), 0);
}

static void test_separate_and_touching_modules_are_fine(void **state)
{
	(void)state;
	add_module(2 * MIB, 3 * MIB); /* touches the kernel's end */
	add_module(3 * MIB, 3 * MIB + 100);
	add_module(5 * MIB, 5 * MIB); /* empty */
	assert_int_equal(bootinfo_check(&bi, 64 * MIB, err, sizeof(err)), 0);
}

static void test_module_overlapping_kernel_is_refused(void **state)
{
	(void)state;
	add_module(2 * MIB - 4096, 3 * MIB);
	check_fails("overlaps the kernel");
}

static void test_module_inside_kernel_is_refused(void **state)
{
	(void)state;
	add_module(1 * MIB + 4096, 1 * MIB + 8192);
	check_fails("overlaps the kernel");
}

static void test_overlapping_modules_are_refused(void **state)
{
	(void)state;
	add_module(4 * MIB, 6 * MIB);
	add_module(8 * MIB, 9 * MIB);
	add_module(5 * MIB, 7 * MIB);
	check_fails("modules 0 and 2 overlap");
}

static void test_module_ending_before_start_is_refused(void **state)
{
	(void)state;
	add_module(6 * MIB, 5 * MIB);
	check_fails("ends");
}

static void test_module_beyond_ram_is_refused(void **state)
{
	(void)state;
	add_module(63 * MIB, 65 * MIB);
	check_fails("beyond the end of RAM");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
	    T(test_no_modules_is_fine),
	    T(test_separate_and_touching_modules_are_fine),
	    T(test_module_overlapping_kernel_is_refused),
	    T(test_module_inside_kernel_is_refused),
	    T(test_overlapping_modules_are_refused),
	    T(test_module_ending_before_start_is_refused),
	    T(test_module_beyond_ram_is_refused),
	};
#undef T

	return cmocka_run_group_tests_name("bootinfo", tests, NULL, NULL);
}
