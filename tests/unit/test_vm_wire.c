/*
 * Unit tests of wiring in the map (vm_map_wire, vm_map_wire_all: marks,
 * splits, counts, bounds, what unwires) and of physically contiguous
 * allocation (page_alloc_contig).  Each test runs on a fresh page
 * allocator and ends with every map entry and page given back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host_mem_harness.h"
#include "vm/map.h"
#include "vm/object.h"

#define MiB  (1024UL * 1024)
#define PG   ((vaddr_t)PAGE_SIZE)
#define MMIN (16 * PG)
#define MMAX (1024 * PG)
#define RW   VM_PROT_DEFAULT
#define R    VM_PROT_READ

static struct vm_map *map;
static uint64_t entries_before;
static struct page_alloc_stats base_pages;

static uint64_t entries_live(void)
{
	struct slab_stats e;

	slab_cache_get_stats(slab_cache_find("vm.map_entry"), &e);
	return e.live;
}

static int setup(void **state)
{
	(void)state;
	if (host_mem_start() != 0)
		return -1;
	vm_map_init();
	vm_object_init();
	vm_map_wired_total = 0;
	entries_before = entries_live();
	map = vm_map_create(MMIN, MMAX, NULL, NULL);
	page_alloc_get_stats(&base_pages);
	return map != NULL ? 0 : -1;
}

/* Every entry back, nothing still counted as wired. */
static int teardown(void **state)
{
	bool ok;

	(void)state;
	vm_map_destroy(map);
	ok = entries_live() == entries_before && vm_map_wired_total == 0;
	if (!ok)
		print_error("%lu entries leaked, %lu pages still wired\n",
		            (unsigned long)(entries_live() - entries_before),
		            (unsigned long)vm_map_wired_total);
	host_mem_stop();
	return ok ? 0 : -1;
}

static void enter_fixed(vaddr_t addr, uint64_t size, vm_prot_t prot)
{
	vaddr_t a = addr;

	assert_int_equal(vm_map_enter(map, &a, size, 0, false, prot,
	                              VM_PROT_ALL, VM_INHERIT_COPY),
	                 KERN_SUCCESS);
}

/* The number of regions in [MMIN, MMAX). */
static unsigned regions(void)
{
	vaddr_t a = MMIN;
	uint64_t size, off;
	vm_prot_t p, m;
	vm_inherit_t inh;
	bool shared;
	unsigned n = 0;

	while (vm_map_region(map, &a, &size, &p, &m, &inh, &shared, &off) ==
	       KERN_SUCCESS) {
		n++;
		a += size;
	}
	return n;
}

static void test_wire_counts_once_and_unwire_undoes_it(void **state)
{
	(void)state;
	enter_fixed(MMIN, 4 * PG, RW);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 4 * PG, RW),
	                 KERN_SUCCESS);
	assert_int_equal(map->wired_pages, 4);
	assert_int_equal(vm_map_wired_total, 4);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 4 * PG, R),
	                 KERN_SUCCESS);
	assert_int_equal(map->wired_pages, 4);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 4 * PG, VM_PROT_NONE),
	                 KERN_SUCCESS);
	assert_int_equal(map->wired_pages, 0);
	assert_int_equal(vm_map_wired_total, 0);
	assert_true(vm_map_check(map));
}

static void test_wire_middle_splits_and_unwire_merges(void **state)
{
	(void)state;
	enter_fixed(MMIN, 4 * PG, RW);
	assert_int_equal(vm_map_wire(map, MMIN + PG, MMIN + 3 * PG, R),
	                 KERN_SUCCESS);
	assert_int_equal(regions(), 3);
	assert_int_equal(map->wired_pages, 2);
	assert_true(vm_map_check(map));
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 4 * PG, VM_PROT_NONE),
	                 KERN_SUCCESS);
	assert_int_equal(regions(), 1);
	assert_int_equal(map->wired_pages, 0);
}

static void test_wire_errors_change_nothing(void **state)
{
	(void)state;
	enter_fixed(MMIN, 2 * PG, RW);
	enter_fixed(MMIN + 2 * PG, PG, R);
	/* Nothing at the start, even for an empty range. */
	assert_int_equal(vm_map_wire(map, MMIN + 8 * PG, MMIN + 8 * PG, R),
	                 KERN_NO_SPACE);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN, R), KERN_SUCCESS);
	/* A hole. */
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 5 * PG, R),
	                 KERN_NO_SPACE);
	/* More than a region's protection. */
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 3 * PG, RW),
	                 KERN_NO_SPACE);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + PG, VM_PROT_ALL),
	                 KERN_NO_SPACE);
	assert_int_equal(map->wired_pages, 0);
	assert_int_equal(regions(), 2);
}

static void test_wire_bound_is_resource_shortage(void **state)
{
	(void)state;
	map->max_wired = 3;
	enter_fixed(MMIN, 4 * PG, RW);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 4 * PG, R),
	                 KERN_RESOURCE_SHORTAGE);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 3 * PG, R),
	                 KERN_SUCCESS);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 4 * PG, R),
	                 KERN_RESOURCE_SHORTAGE);
	assert_int_equal(map->wired_pages, 3);
	assert_int_equal(vm_map_remove(map, MMIN, MMIN + 4 * PG), KERN_SUCCESS);
	assert_int_equal(map->wired_pages, 0);
}

static void test_protect_none_and_remove_unwire(void **state)
{
	(void)state;
	enter_fixed(MMIN, 4 * PG, RW);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 4 * PG, R),
	                 KERN_SUCCESS);
	assert_int_equal(
	    vm_map_protect(map, MMIN, MMIN + 2 * PG, false, VM_PROT_NONE),
	    KERN_SUCCESS);
	assert_int_equal(map->wired_pages, 2);
	/* A trim at either edge and a whole entry. */
	assert_int_equal(vm_map_remove(map, MMIN + 3 * PG, MMIN + 4 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(map->wired_pages, 1);
	assert_int_equal(vm_map_remove(map, MMIN, MMIN + 4 * PG), KERN_SUCCESS);
	assert_int_equal(map->wired_pages, 0);
	assert_int_equal(vm_map_wired_total, 0);
}

static void test_device_regions_count_nothing(void **state)
{
	(void)state;
	enter_fixed(MMIN, 2 * PG, R);
	vm_map_mark_device(map, MMIN);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 2 * PG, R),
	                 KERN_SUCCESS);
	assert_int_equal(map->wired_pages, 0);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 2 * PG, VM_PROT_NONE),
	                 KERN_SUCCESS);
}

static void test_wire_all_skips_inaccessible_and_unwires_all(void **state)
{
	vaddr_t lo, hi;

	(void)state;
	enter_fixed(MMIN, 2 * PG, RW);
	enter_fixed(MMIN + 4 * PG, 3 * PG, VM_PROT_NONE);
	enter_fixed(MMIN + 8 * PG, PG, R);
	assert_int_equal(vm_map_wire_all(map, true, &lo, &hi), KERN_SUCCESS);
	assert_int_equal(map->wired_pages, 3);
	assert_int_equal(lo, MMIN);
	assert_int_equal(hi, MMIN + 9 * PG);
	assert_int_equal(vm_map_wire_all(map, true, &lo, &hi), KERN_SUCCESS);
	assert_int_equal(map->wired_pages, 3);
	assert_int_equal(vm_map_wire_all(map, false, &lo, &hi), KERN_SUCCESS);
	assert_int_equal(map->wired_pages, 0);
	assert_true(vm_map_check(map));
}

static void test_fork_does_not_inherit_wiring(void **state)
{
	struct vm_map *child = vm_map_create(MMIN, MMAX, NULL, NULL);

	(void)state;
	assert_non_null(child);
	enter_fixed(MMIN, 2 * PG, RW);
	assert_int_equal(vm_map_wire(map, MMIN, MMIN + 2 * PG, RW),
	                 KERN_SUCCESS);
	assert_int_equal(vm_map_fork(map, child), KERN_SUCCESS);
	assert_int_equal(child->wired_pages, 0);
	assert_int_equal(vm_map_wired_total, 2);
	vm_map_destroy(child);
	assert_int_equal(vm_map_wired_total, 2);
	vm_map_destroy(map);
	map = vm_map_create(MMIN, MMAX, NULL, NULL);
	assert_int_equal(vm_map_wired_total, 0);
}

/* ---- page_alloc_contig ---- */

static void test_contig_run_below_limit_and_tail_freed(void **state)
{
	struct page_alloc_stats st;
	paddr_t lo = virt_to_phys(host_mem), limit = lo + 2 * MiB;
	struct page *pg;

	(void)state;
	pg = page_alloc_contig(5, limit);
	assert_non_null(pg);
	assert_true(page_to_phys(pg) + 5 * PG <= limit);
	page_alloc_get_stats(&st);
	/* Five pages taken, the other three of the 8-page block given
	 * back. */
	assert_int_equal(base_pages.free_pages - st.free_pages, 5);
	for (unsigned i = 1; i < 5; i++)
		assert_int_equal(page_to_phys(pg + i),
		                 page_to_phys(pg) + i * PG);
	for (unsigned i = 0; i < 5; i++)
		page_free(pg + i, 0); /* each page is a block of its own */
	page_alloc_check();
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_pages, base_pages.free_pages);
}

static void test_contig_refuses_what_cannot_be(void **state)
{
	paddr_t lo = virt_to_phys(host_mem);

	(void)state;
	assert_null(page_alloc_contig(0, ~0ull));
	assert_null(page_alloc_contig((1ul << PAGE_ORDER_MAX) + 1, ~0ull));
	assert_null(page_alloc_contig(1, lo)); /* nothing below the memory */
	assert_null(page_alloc_contig(16, lo + 8 * PG));
}

#define WIRE_TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    WIRE_TEST(test_wire_counts_once_and_unwire_undoes_it),
	    WIRE_TEST(test_wire_middle_splits_and_unwire_merges),
	    WIRE_TEST(test_wire_errors_change_nothing),
	    WIRE_TEST(test_wire_bound_is_resource_shortage),
	    WIRE_TEST(test_protect_none_and_remove_unwire),
	    WIRE_TEST(test_device_regions_count_nothing),
	    WIRE_TEST(test_wire_all_skips_inaccessible_and_unwires_all),
	    WIRE_TEST(test_fork_does_not_inherit_wiring),
	    WIRE_TEST(test_contig_run_below_limit_and_tail_freed),
	    WIRE_TEST(test_contig_refuses_what_cannot_be),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
