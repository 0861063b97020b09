/*
 * Unit tests of zero-fill faults and page-wise copies between address
 * spaces (vm/fault.c) over the host pmap and a real page allocator:
 * pages appear on first touch, belong to their mappings (freed when
 * unmapped or made inaccessible, shared pages when the last mapping
 * goes), copies fault pages in with the right access, and inheritance
 * copies, shares or leaves out regions.  Each test ends with every page
 * and map object back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kern/memmap.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "machine/host_test.h"
#include "machine/pmap.h"
#include "vm/fault.h"
#include "vm/map.h"

#define MiB       (1024UL * 1024)
#define PG        ((vaddr_t)PAGE_SIZE)
#define MEM_SIZE  (16 * MiB)
#define MEM_ALIGN (4 * MiB)
#define BASE      ((vaddr_t)0x400000)

static char *mem;
static struct memmap mm;
static uint64_t free_base;

/* One address space: a map over a pmap. */
struct as {
	struct pmap *pmap;
	struct vm_map *map;
};

static uint64_t free_pages(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st.free_pages;
}

static int setup(void **state)
{
	(void)state;
	mem = aligned_alloc(MEM_ALIGN, MEM_SIZE);
	if (mem == NULL)
		return -1;
	page_alloc_reset_for_tests();
	slab_reset_for_tests();
	memmap_init(&mm);
	memmap_add(&mm, virt_to_phys(mem), MEM_SIZE, MEMMAP_USABLE);
	memmap_finish(&mm);
	page_alloc_init(&mm);
	vm_map_init();
	memset(&vm_fault_stats, 0, sizeof(vm_fault_stats));
	free_base = free_pages();
	return 0;
}

static int teardown(void **state)
{
	bool ok;

	(void)state;
	ok = vm_fault_stats.user_pages == 0;
	if (!ok)
		print_error("%lu user pages left\n",
		            (unsigned long)vm_fault_stats.user_pages);
	slab_reset_for_tests();
	page_alloc_reset_for_tests();
	free(mem);
	return ok ? 0 : -1;
}

static struct as as_create(void)
{
	struct as a;

	a.pmap = pmap_create();
	assert_non_null(a.pmap);
	a.map = vm_user_map_create(a.pmap);
	assert_non_null(a.map);
	return a;
}

static void as_destroy(struct as *a)
{
	vm_map_destroy(a->map);
	pmap_destroy(a->pmap);
}

static void region(struct as *a, vaddr_t addr, uint64_t size, vm_prot_t prot,
                   vm_inherit_t inh)
{
	vaddr_t at = addr;

	assert_int_equal(
	    vm_map_enter(a->map, &at, size, 0, false, prot, VM_PROT_ALL, inh),
	    KERN_SUCCESS);
	assert_int_equal(at, addr);
}

/* The kernel address of the byte at VA, or NULL when not present. */
static char *byte_at(struct as *a, vaddr_t va)
{
	paddr_t pa;

	if (!pmap_extract(a->pmap, va, &pa))
		return NULL;
	return phys_to_virt(pa);
}

static void test_first_touch_zero_fills_once(void **state)
{
	struct as a = as_create();
	uint64_t faults = vm_fault_stats.faults;
	uint64_t zf = vm_fault_stats.zero_fills;
	char *p;

	(void)state;
	region(&a, BASE, 4 * PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	free_base = free_pages();
	assert_null(byte_at(&a, BASE + PG));
	assert_int_equal(vm_fault(a.map, a.pmap, BASE + PG + 5, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	p = byte_at(&a, BASE + PG);
	assert_non_null(p);
	for (unsigned i = 0; i < PG; i++)
		assert_int_equal(p[i], 0);
	p[7] = 'x';
	/* A second fault on the page keeps it and its contents. */
	assert_int_equal(vm_fault(a.map, a.pmap, BASE + PG, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_ptr_equal(byte_at(&a, BASE + PG), p);
	assert_int_equal(p[7], 'x');
	assert_int_equal(vm_fault_stats.faults - faults, 2);
	assert_int_equal(vm_fault_stats.zero_fills - zf, 1);
	assert_int_equal(vm_fault_stats.user_pages, 1);
	assert_int_equal(free_pages(), free_base - 1);
	as_destroy(&a);
	assert_int_equal(vm_fault_stats.user_pages, 0);
	assert_int_equal(free_pages(), free_base);
}

static void test_fault_errors(void **state)
{
	struct as a = as_create();

	(void)state;
	region(&a, BASE, PG, VM_PROT_READ, VM_INHERIT_COPY);
	region(&a, BASE + 2 * PG, PG, VM_PROT_NONE, VM_INHERIT_COPY);
	assert_int_equal(vm_fault(a.map, a.pmap, BASE + PG, VM_PROT_READ),
	                 KERN_INVALID_ADDRESS);
	assert_int_equal(vm_fault(a.map, a.pmap, BASE, VM_PROT_WRITE),
	                 KERN_PROTECTION_FAILURE);
	assert_int_equal(vm_fault(a.map, a.pmap, VM_MAP_USER_MAX, VM_PROT_READ),
	                 KERN_INVALID_ADDRESS);
	/* Even a fault asking for nothing cannot map an inaccessible page. */
	assert_int_equal(vm_fault(a.map, a.pmap, BASE + 2 * PG, VM_PROT_NONE),
	                 KERN_PROTECTION_FAILURE);
	assert_int_equal(vm_fault_stats.user_pages, 0);
	as_destroy(&a);
}

static void test_raised_protection_reaches_the_translation(void **state)
{
	struct as a = as_create();
	vm_prot_t prot;
	paddr_t pa;
	int wired;

	(void)state;
	region(&a, BASE, PG, VM_PROT_READ, VM_INHERIT_COPY);
	assert_int_equal(vm_fault(a.map, a.pmap, BASE, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_true(host_pmap_lookup(a.pmap, BASE, &pa, &prot, &wired));
	assert_int_equal(prot, VM_PROT_READ);
	assert_int_equal(
	    vm_map_protect(a.map, BASE, BASE + PG, false, VM_PROT_DEFAULT),
	    KERN_SUCCESS);
	assert_int_equal(vm_fault(a.map, a.pmap, BASE, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	assert_true(host_pmap_lookup(a.pmap, BASE, &pa, &prot, &wired));
	assert_int_equal(prot, VM_PROT_DEFAULT);
	as_destroy(&a);
}

static void test_remove_and_no_access_free_pages(void **state)
{
	struct as a = as_create();

	(void)state;
	region(&a, BASE, 3 * PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(
		    vm_fault(a.map, a.pmap, BASE + i * PG, VM_PROT_WRITE),
		    KERN_SUCCESS);
	assert_int_equal(vm_fault_stats.user_pages, 3);
	assert_int_equal(
	    vm_map_protect(a.map, BASE, BASE + PG, false, VM_PROT_NONE),
	    KERN_SUCCESS);
	assert_int_equal(vm_fault_stats.user_pages, 2);
	assert_null(byte_at(&a, BASE));
	assert_int_equal(vm_map_remove(a.map, BASE + PG, BASE + 2 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(vm_fault_stats.user_pages, 1);
	assert_non_null(byte_at(&a, BASE + 2 * PG));
	as_destroy(&a);
	assert_int_equal(vm_fault_stats.user_pages, 0);
}

static void test_copy_between_kernel_and_user(void **state)
{
	struct as a = as_create();
	char src[3 * PAGE_SIZE], dst[3 * PAGE_SIZE];

	(void)state;
	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (char)(i * 7);
	region(&a, BASE, 4 * PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	/* Unaligned on both sides, across three page boundaries. */
	assert_int_equal(vm_user_copy(NULL, NULL, (vaddr_t)src + 3, a.map,
	                              a.pmap, BASE + 100, sizeof(src) - 3,
	                              false),
	                 KERN_SUCCESS);
	memset(dst, 0, sizeof(dst));
	assert_int_equal(vm_user_copy(a.map, a.pmap, BASE + 100, NULL, NULL,
	                              (vaddr_t)dst, sizeof(src) - 3, false),
	                 KERN_SUCCESS);
	assert_memory_equal(dst, src + 3, sizeof(src) - 3);
	/* Past the region: the fault's error. */
	assert_int_equal(vm_user_copy(NULL, NULL, (vaddr_t)src, a.map, a.pmap,
	                              BASE + 4 * PG - 8, 16, false),
	                 KERN_INVALID_ADDRESS);
	as_destroy(&a);
}

static void test_copy_needs_access_unless_forced(void **state)
{
	struct as a = as_create();
	char buf[32] = "text of a read-only segment";

	(void)state;
	region(&a, BASE, PG, VM_PROT_READ | VM_PROT_EXECUTE, VM_INHERIT_COPY);
	assert_int_equal(vm_user_copy(NULL, NULL, (vaddr_t)buf, a.map, a.pmap,
	                              BASE, sizeof(buf), false),
	                 KERN_PROTECTION_FAILURE);
	assert_int_equal(vm_user_copy(NULL, NULL, (vaddr_t)buf, a.map, a.pmap,
	                              BASE, sizeof(buf), true),
	                 KERN_SUCCESS);
	assert_memory_equal(byte_at(&a, BASE), buf, sizeof(buf));
	as_destroy(&a);
}

static void test_copy_between_two_spaces(void **state)
{
	struct as a = as_create(), b = as_create();

	(void)state;
	region(&a, BASE, PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	region(&b, BASE + 8 * PG, PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	assert_int_equal(vm_fault(a.map, a.pmap, BASE, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	strcpy(byte_at(&a, BASE), "between tasks");
	assert_int_equal(vm_user_copy(a.map, a.pmap, BASE, b.map, b.pmap,
	                              BASE + 8 * PG, 15, false),
	                 KERN_SUCCESS);
	assert_string_equal(byte_at(&b, BASE + 8 * PG), "between tasks");
	as_destroy(&a);
	as_destroy(&b);
}

static void test_inherit_copies_shares_and_leaves_out(void **state)
{
	struct as p = as_create(), c = as_create();
	vaddr_t addr;
	uint64_t size, off;
	vm_prot_t prot, max;
	vm_inherit_t inh;
	bool shared;

	(void)state;
	region(&p, BASE, PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	region(&p, BASE + 2 * PG, 2 * PG, VM_PROT_DEFAULT, VM_INHERIT_SHARE);
	region(&p, BASE + 5 * PG, PG, VM_PROT_DEFAULT, VM_INHERIT_NONE);
	region(&p, BASE + 7 * PG, PG, VM_PROT_READ, VM_INHERIT_COPY);
	assert_int_equal(vm_fault(p.map, p.pmap, BASE, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	strcpy(byte_at(&p, BASE), "copied");
	assert_int_equal(vm_fault(p.map, p.pmap, BASE + 2 * PG, VM_PROT_WRITE),
	                 KERN_SUCCESS);

	assert_int_equal(vm_user_map_inherit(p.map, p.pmap, c.map, c.pmap),
	                 KERN_SUCCESS);
	/* The copy is a copy. */
	assert_string_equal(byte_at(&c, BASE), "copied");
	assert_ptr_not_equal(byte_at(&c, BASE), byte_at(&p, BASE));
	/* Every page of the shared region is the same page, even the one
	 * nobody had touched. */
	assert_ptr_equal(byte_at(&c, BASE + 2 * PG),
	                 byte_at(&p, BASE + 2 * PG));
	assert_non_null(byte_at(&c, BASE + 3 * PG));
	assert_ptr_equal(byte_at(&c, BASE + 3 * PG),
	                 byte_at(&p, BASE + 3 * PG));
	/* The NONE region is absent, the untouched copy region present but
	 * empty. */
	assert_int_equal(vm_fault(c.map, c.pmap, BASE + 5 * PG, VM_PROT_READ),
	                 KERN_INVALID_ADDRESS);
	assert_null(byte_at(&c, BASE + 7 * PG));
	addr = BASE + 2 * PG;
	assert_int_equal(vm_map_region(c.map, &addr, &size, &prot, &max, &inh,
	                               &shared, &off),
	                 KERN_SUCCESS);
	assert_true(shared);
	assert_int_equal(inh, VM_INHERIT_SHARE);
	addr = BASE;
	assert_int_equal(vm_map_region(p.map, &addr, &size, &prot, &max, &inh,
	                               &shared, &off),
	                 KERN_SUCCESS);
	assert_false(shared);

	/* A shared page outlives the first of its two mappings. */
	as_destroy(&p);
	assert_int_equal(vm_fault_stats.user_pages, 3);
	strcpy(byte_at(&c, BASE + 2 * PG), "still here");
	as_destroy(&c);
	assert_int_equal(vm_fault_stats.user_pages, 0);
}

static void test_anywhere_starts_above_the_program_never_at_0(void **state)
{
	struct as a = as_create();
	vaddr_t at;

	(void)state;
	/* Out-of-line memory once landed at address 0 in a task whose
	 * program starts higher (msg-ways module). */
	assert_int_equal(vm_user_anywhere_start(a.map), PG);
	region(&a, BASE, PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	at = vm_user_anywhere_start(a.map);
	assert_int_equal(at, BASE);
	assert_int_equal(vm_map_enter(a.map, &at, PG, 0, true, VM_PROT_DEFAULT,
	                              VM_PROT_ALL, VM_INHERIT_COPY),
	                 KERN_SUCCESS);
	assert_int_equal(at, BASE + PG);
	as_destroy(&a);
}

static void
test_inherit_of_a_huge_sparse_region_copies_only_its_pages(void **state)
{
	struct as p = as_create(), c = as_create();
	const uint64_t huge = 1ULL << 40;
	const vaddr_t at[3] = {BASE, BASE + 12345 * PG, BASE + huge - PG};

	(void)state;
	/* task_create(inherit) of a 1 TiB reservation once took a page
	 * lookup per page of it (the garbage module hung Mach_R). */
	region(&p, BASE, huge, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(vm_fault(p.map, p.pmap, at[i], VM_PROT_WRITE),
		                 KERN_SUCCESS);
		*byte_at(&p, at[i]) = (char)('a' + i);
	}
	assert_int_equal(vm_user_map_inherit(p.map, p.pmap, c.map, c.pmap),
	                 KERN_SUCCESS);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(*byte_at(&c, at[i]), 'a' + i);
	assert_null(byte_at(&c, BASE + PG));
	assert_int_equal(vm_fault_stats.user_pages, 6);
	as_destroy(&p);
	as_destroy(&c);
}

static void test_pmap_present_lists_in_batches(void **state)
{
	struct as a = as_create();
	vaddr_t vas[2], next;
	paddr_t pas[2];

	(void)state;
	region(&a, BASE, 8 * PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	for (unsigned i = 0; i < 8; i += 3) /* pages 0, 3, 6 */
		assert_int_equal(
		    vm_fault(a.map, a.pmap, BASE + i * PG, VM_PROT_READ),
		    KERN_SUCCESS);
	assert_int_equal(
	    pmap_present(a.pmap, BASE, BASE + 8 * PG, vas, pas, 2, &next), 2);
	assert_int_equal(vas[0], BASE);
	assert_int_equal(vas[1], BASE + 3 * PG);
	assert_int_equal(next, BASE + 6 * PG);
	assert_int_equal(
	    pmap_present(a.pmap, next, BASE + 8 * PG, vas, pas, 2, &next), 1);
	assert_int_equal(vas[0], BASE + 6 * PG);
	assert_int_equal(next, BASE + 8 * PG);
	as_destroy(&a);
}

static void test_inherit_stops_at_the_entry_limit(void **state)
{
	struct as p = as_create(), c = as_create();

	(void)state;
	region(&p, BASE, PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	region(&p, BASE + 2 * PG, PG, VM_PROT_READ, VM_INHERIT_COPY);
	vm_map_set_entry_limit(c.map, 1);
	assert_int_equal(vm_user_map_inherit(p.map, p.pmap, c.map, c.pmap),
	                 KERN_NO_SPACE);
	as_destroy(&p);
	as_destroy(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_first_touch_zero_fills_once,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fault_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_raised_protection_reaches_the_translation, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_remove_and_no_access_free_pages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copy_between_kernel_and_user,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_copy_needs_access_unless_forced, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copy_between_two_spaces, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_inherit_copies_shares_and_leaves_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_inherit_stops_at_the_entry_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_anywhere_starts_above_the_program_never_at_0, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_inherit_of_a_huge_sparse_region_copies_only_its_pages,
	        setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pmap_present_lists_in_batches,
	                                    setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
