/*
 * Unit tests of the host pmap (kernel/arch/host/pmap.c), the software
 * stand-in for the x86_64 pmap that VM unit tests will run on: it must
 * keep translations, counters and argument checks the way the kernel's
 * pmap does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kern/panic.h"
#include "machine/host_test.h"
#include "machine/pmap.h"

#define PG PAGE_SIZE

static void check_counts(struct pmap *pmap, uint64_t resident, uint64_t wired)
{
	struct pmap_stats st;

	pmap_get_stats(pmap, &st);
	assert_int_equal(st.resident, resident);
	assert_int_equal(st.wired, wired);
	assert_int_equal(st.tables, 1 + resident);
}

static void test_enter_then_extract_gives_the_page_and_offset(void **state)
{
	struct pmap *pmap = pmap_create();
	paddr_t pa = 0;

	(void)state;
	assert_int_equal(pmap_enter(pmap, 0x400000, 0x7000, VM_PROT_READ, 0),
	                 KERN_SUCCESS);
	assert_true(pmap_extract(pmap, 0x400123, &pa));
	assert_int_equal(pa, 0x7123);
	assert_false(pmap_extract(pmap, 0x401000, &pa));
	check_counts(pmap, 1, 0);
	pmap_destroy(pmap);
	assert_int_equal(host_pmap_live(), 0);
}

static void test_enter_again_replaces_and_keeps_wired_count(void **state)
{
	struct pmap *pmap = pmap_create();
	vm_prot_t prot;
	paddr_t pa;
	int wired;

	(void)state;
	pmap_enter(pmap, 0x1000, 0x2000, VM_PROT_READ, PMAP_WIRED);
	pmap_enter(pmap, 0x1000, 0x3000, VM_PROT_ALL, 0);
	assert_true(host_pmap_lookup(pmap, 0x1000, &pa, &prot, &wired));
	assert_int_equal(pa, 0x3000);
	assert_int_equal(prot, VM_PROT_ALL);
	assert_int_equal(wired, 0);
	check_counts(pmap, 1, 0);
	pmap_destroy(pmap);
}

static void test_remove_forgets_only_the_range(void **state)
{
	struct pmap *pmap = pmap_create();
	paddr_t pa;

	(void)state;
	for (vaddr_t va = 0; va < 64 * PG; va += PG)
		pmap_enter(pmap, va, va + 0x100000, VM_PROT_DEFAULT,
		           va < 4 * PG ? PMAP_WIRED : 0);
	check_counts(pmap, 64, 4);
	pmap_remove(pmap, 2 * PG, 60 * PG);
	check_counts(pmap, 6, 2);
	assert_true(pmap_extract(pmap, PG, &pa));
	assert_false(pmap_extract(pmap, 2 * PG, &pa));
	assert_true(pmap_extract(pmap, 60 * PG, &pa));
	pmap_remove(pmap, 0, PMAP_USER_MAX);
	check_counts(pmap, 0, 0);
	pmap_destroy(pmap);
}

static void test_protect_changes_existing_and_none_removes(void **state)
{
	struct pmap *pmap = pmap_create();
	vm_prot_t prot;

	(void)state;
	pmap_enter(pmap, 0x10000, 0x1000, VM_PROT_ALL, 0);
	pmap_protect(pmap, 0, 0x20000, VM_PROT_READ);
	assert_true(host_pmap_lookup(pmap, 0x10000, NULL, &prot, NULL));
	assert_int_equal(prot, VM_PROT_READ);
	assert_false(host_pmap_lookup(pmap, 0x11000, NULL, NULL, NULL));
	pmap_protect(pmap, 0, 0x20000, VM_PROT_NONE);
	check_counts(pmap, 0, 0);
	pmap_destroy(pmap);
}

static void test_enter_short_of_memory_changes_nothing(void **state)
{
	struct pmap *pmap = pmap_create();

	(void)state;
	host_pmap_fail_next_enter();
	assert_int_equal(pmap_enter(pmap, 0x1000, 0x1000, VM_PROT_READ, 0),
	                 KERN_RESOURCE_SHORTAGE);
	check_counts(pmap, 0, 0);
	pmap_destroy(pmap);
}

static void test_bad_addresses_panic(void **state)
{
	struct pmap *pmap = pmap_create();

	(void)state;
	assert_true(EXPECT_PANIC(pmap_enter(pmap, 0x1001, 0, VM_PROT_READ, 0)));
	assert_true(
	    EXPECT_PANIC(pmap_enter(pmap, PMAP_USER_MAX, 0, VM_PROT_READ, 0)));
	assert_true(
	    EXPECT_PANIC(pmap_enter(pmap, 0x1000, 0x10, VM_PROT_READ, 0)));
	assert_true(EXPECT_PANIC(pmap_enter(pmap, 0x1000, 0, VM_PROT_NONE, 0)));
	assert_true(EXPECT_PANIC(pmap_remove(pmap, 0x2000, 0x1000)));
	assert_true(EXPECT_PANIC(pmap_protect(pmap, 0, PMAP_USER_MAX + PG, 1)));
	assert_true(EXPECT_PANIC(pmap_destroy(pmap_kernel())));
	check_counts(pmap, 0, 0);
	pmap_destroy(pmap);
}

static void test_active_pmap_cannot_be_destroyed(void **state)
{
	struct pmap *pmap = pmap_create();

	(void)state;
	pmap_activate(pmap);
	assert_ptr_equal(host_pmap_current(), pmap);
	assert_true(EXPECT_PANIC(pmap_destroy(pmap)));
	pmap_activate(NULL);
	assert_ptr_equal(host_pmap_current(), pmap_kernel());
	pmap_destroy(pmap);
	assert_int_equal(host_pmap_live(), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test(fn)
	const struct CMUnitTest tests[] = {
	    T(test_enter_then_extract_gives_the_page_and_offset),
	    T(test_enter_again_replaces_and_keeps_wired_count),
	    T(test_remove_forgets_only_the_range),
	    T(test_protect_changes_existing_and_none_removes),
	    T(test_enter_short_of_memory_changes_nothing),
	    T(test_bad_addresses_panic),
	    T(test_active_pmap_cannot_be_destroyed),
	};
#undef T

	return cmocka_run_group_tests_name("pmap_host", tests, NULL, NULL);
}
