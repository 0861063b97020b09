/*
 * Unit tests of page faults and page-wise copies between address spaces
 * (vm/fault.c) over the host pmap and a real page allocator: pages appear
 * on first touch in the entry's VM object, stay there while the region
 * is inaccessible, are freed when unmapped; copies fault pages in with
 * the right access; inheritance is copy-on-write (pages shared read-only
 * until written), shares or leaves out regions, and a thousand
 * generations keep the shadow chains short.  Each test ends with every
 * page and object back.
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
#include "vm/copy.h"
#include "vm/fault.h"
#include "vm/map.h"
#include "vm/object.h"

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
	vm_object_init();
	vm_map_copy_init();
	memset(&vm_fault_stats, 0, sizeof(vm_fault_stats));
	memset(&vm_object_stats, 0, sizeof(vm_object_stats));
	free_base = free_pages();
	return 0;
}

static int teardown(void **state)
{
	bool ok;

	(void)state;
	ok = vm_object_stats.pages == 0 && vm_object_stats.objects == 0;
	if (!ok)
		print_error("%lu pages, %lu objects left\n",
		            (unsigned long)vm_object_stats.pages,
		            (unsigned long)vm_object_stats.objects);
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
	assert_int_equal(vm_object_stats.pages, 1);
	as_destroy(&a);
	assert_int_equal(vm_object_stats.pages, 0);
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
	assert_int_equal(vm_object_stats.pages, 0);
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

static void test_remove_frees_and_no_access_keeps_pages(void **state)
{
	struct as a = as_create();

	(void)state;
	region(&a, BASE, 3 * PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(
		    vm_fault(a.map, a.pmap, BASE + i * PG, VM_PROT_WRITE),
		    KERN_SUCCESS);
	strcpy(byte_at(&a, BASE), "kept");
	assert_int_equal(vm_object_stats.pages, 3);
	/* No access: the translation goes, the page stays in the object. */
	assert_int_equal(
	    vm_map_protect(a.map, BASE, BASE + PG, false, VM_PROT_NONE),
	    KERN_SUCCESS);
	assert_int_equal(vm_object_stats.pages, 3);
	assert_null(byte_at(&a, BASE));
	assert_int_equal(vm_fault(a.map, a.pmap, BASE, VM_PROT_READ),
	                 KERN_PROTECTION_FAILURE);
	assert_int_equal(
	    vm_map_protect(a.map, BASE, BASE + PG, false, VM_PROT_DEFAULT),
	    KERN_SUCCESS);
	assert_int_equal(vm_fault(a.map, a.pmap, BASE, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_string_equal(byte_at(&a, BASE), "kept");
	/* Unmapping part of a private region frees its pages there. */
	assert_int_equal(vm_map_remove(a.map, BASE + PG, BASE + 2 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(vm_object_stats.pages, 2);
	assert_non_null(byte_at(&a, BASE + 2 * PG));
	as_destroy(&a);
	assert_int_equal(vm_object_stats.pages, 0);
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

/* The protection of VA's translation in A (0 when absent). */
static vm_prot_t prot_at(struct as *a, vaddr_t va)
{
	paddr_t pa;
	vm_prot_t prot;
	int wired;

	if (!host_pmap_lookup(a->pmap, va, &pa, &prot, &wired))
		return 0;
	return prot;
}

/* The object chain behind VA of A (faulting it in for reading). */
static unsigned chain_at(struct as *a, vaddr_t va)
{
	struct vm_map_lookup_result r;

	assert_int_equal(vm_fault(a->map, a->pmap, va, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_int_equal(vm_map_lookup(a->map, va, VM_PROT_NONE, &r),
	                 KERN_SUCCESS);
	assert_true(vm_object_check(r.object));
	return vm_object_chain_length(r.object);
}

static void test_inherit_copy_is_copy_on_write(void **state)
{
	struct as p = as_create(), c = as_create();
	char *parent_page;

	(void)state;
	region(&p, BASE, 2 * PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	assert_int_equal(vm_fault(p.map, p.pmap, BASE, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	parent_page = byte_at(&p, BASE);
	strcpy(parent_page, "copied");
	assert_int_equal(vm_user_map_inherit(p.map, c.map), KERN_SUCCESS);
	/* No page copied; the parent lost write access to its page. */
	assert_int_equal(vm_object_stats.pages, 1);
	assert_int_equal(prot_at(&p, BASE), VM_PROT_READ);
	/* The child reads the same page, read-only. */
	assert_int_equal(vm_fault(c.map, c.pmap, BASE, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_ptr_equal(byte_at(&c, BASE), parent_page);
	assert_int_equal(prot_at(&c, BASE), VM_PROT_READ);
	/* Writing copies it for the writer only. */
	assert_int_equal(vm_fault(c.map, c.pmap, BASE, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	assert_ptr_not_equal(byte_at(&c, BASE), parent_page);
	assert_int_equal(prot_at(&c, BASE), VM_PROT_DEFAULT);
	assert_string_equal(byte_at(&c, BASE), "copied");
	strcpy(byte_at(&c, BASE), "child's");
	assert_string_equal(parent_page, "copied");
	assert_int_equal(vm_fault_stats.cow_faults, 1);
	/* The parent's write copies too: the child still shares the
	 * original through its shadow. */
	assert_int_equal(vm_fault(p.map, p.pmap, BASE, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	strcpy(byte_at(&p, BASE), "parent's");
	assert_string_equal(byte_at(&c, BASE), "child's");
	assert_int_equal(vm_fault_stats.cow_faults, 2);
	/* Untouched page: each side zero-fills its own. */
	assert_int_equal(vm_fault(c.map, c.pmap, BASE + PG, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	*byte_at(&c, BASE + PG) = 'c';
	assert_int_equal(vm_fault(p.map, p.pmap, BASE + PG, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_int_equal(*byte_at(&p, BASE + PG), 0);
	/* Once the child is gone the parent's chain collapses again. */
	as_destroy(&c);
	assert_int_equal(chain_at(&p, BASE), 1);
	assert_string_equal(byte_at(&p, BASE), "parent's");
	as_destroy(&p);
}

static void test_inherit_shares_and_leaves_out(void **state)
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
	assert_int_equal(vm_fault(p.map, p.pmap, BASE + 2 * PG, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	strcpy(byte_at(&p, BASE + 2 * PG), "shared");

	assert_int_equal(vm_user_map_inherit(p.map, c.map), KERN_SUCCESS);
	/* Every page of the shared region is the same page, even one that
	 * nobody had touched, and writes go both ways. */
	assert_int_equal(vm_fault(c.map, c.pmap, BASE + 2 * PG, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	assert_ptr_equal(byte_at(&c, BASE + 2 * PG),
	                 byte_at(&p, BASE + 2 * PG));
	assert_int_equal(vm_fault(c.map, c.pmap, BASE + 3 * PG, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	strcpy(byte_at(&c, BASE + 3 * PG), "from the child");
	assert_int_equal(vm_fault(p.map, p.pmap, BASE + 3 * PG, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_string_equal(byte_at(&p, BASE + 3 * PG), "from the child");
	/* The NONE region is absent, the untouched copy region present but
	 * empty. */
	assert_int_equal(vm_fault(c.map, c.pmap, BASE + 5 * PG, VM_PROT_READ),
	                 KERN_INVALID_ADDRESS);
	assert_null(byte_at(&c, BASE + 7 * PG));
	assert_int_equal(vm_fault(c.map, c.pmap, BASE + 7 * PG, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_int_equal(*byte_at(&c, BASE + 7 * PG), 0);
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
	assert_string_equal(byte_at(&c, BASE + 2 * PG), "shared");
	as_destroy(&c);
}

/* A copy of a region that another map writes in place is taken at once:
 * later writes by the sharer must not show through. */
static void test_copy_of_a_shared_region_is_eager(void **state)
{
	struct as p = as_create(), s = as_create(), c = as_create();

	(void)state;
	region(&p, BASE, PG, VM_PROT_DEFAULT, VM_INHERIT_SHARE);
	assert_int_equal(vm_fault(p.map, p.pmap, BASE, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	strcpy(byte_at(&p, BASE), "before");
	assert_int_equal(vm_user_map_inherit(p.map, s.map), KERN_SUCCESS);
	assert_int_equal(
	    vm_map_inherit(p.map, BASE, BASE + PG, VM_INHERIT_COPY),
	    KERN_SUCCESS);
	assert_int_equal(vm_user_map_inherit(p.map, c.map), KERN_SUCCESS);
	assert_int_equal(vm_fault(s.map, s.pmap, BASE, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	strcpy(byte_at(&s, BASE), "after");
	assert_string_equal(byte_at(&p, BASE), "after");
	assert_int_equal(vm_fault(c.map, c.pmap, BASE, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_string_equal(byte_at(&c, BASE), "before");
	as_destroy(&p);
	as_destroy(&s);
	as_destroy(&c);
}

/* The kernel's forced write (loading a program) into a read-only region
 * shared copy-on-write changes this side only. */
static void test_forced_write_copies_first(void **state)
{
	struct as p = as_create(), c = as_create();

	(void)state;
	region(&p, BASE, PG, VM_PROT_READ, VM_INHERIT_COPY);
	assert_int_equal(vm_user_copy(NULL, NULL, (vaddr_t) "text", p.map,
	                              p.pmap, BASE, 5, true),
	                 KERN_SUCCESS);
	assert_int_equal(vm_user_map_inherit(p.map, c.map), KERN_SUCCESS);
	assert_int_equal(vm_user_copy(NULL, NULL, (vaddr_t) "TEXT", c.map,
	                              c.pmap, BASE, 5, true),
	                 KERN_SUCCESS);
	assert_int_equal(vm_fault(p.map, p.pmap, BASE, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_string_equal(byte_at(&p, BASE), "text");
	assert_int_equal(vm_fault(c.map, c.pmap, BASE, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_string_equal(byte_at(&c, BASE), "TEXT");
	assert_int_equal(prot_at(&c, BASE), VM_PROT_READ);
	as_destroy(&p);
	as_destroy(&c);
}

/*
 * A thousand generations: each task writes its page, creates the next
 * with inherit and goes away, as a fork-exec-less shell loop would.  The
 * chains must stay short, the pages few, and each generation must see
 * the writes of all before it.
 */
static void test_thousand_generations_keep_chains_short(void **state)
{
	struct as gen = as_create();
	unsigned longest = 0;

	(void)state;
	region(&gen, BASE, 4 * PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	for (unsigned g = 0; g < 1000; g++) {
		struct as next = as_create();
		vaddr_t va = BASE + (g % 4) * PG;
		unsigned *counter;

		assert_int_equal(vm_fault(gen.map, gen.pmap, va, VM_PROT_WRITE),
		                 KERN_SUCCESS);
		counter = (unsigned *)byte_at(&gen, va);
		assert_int_equal(*counter, g < 4 ? 0 : g - 4 + 1);
		*counter = g + 1;
		assert_int_equal(vm_user_map_inherit(gen.map, next.map),
		                 KERN_SUCCESS);
		/* A short-lived sibling sharing the same pages. */
		if (g % 10 == 0) {
			struct as sib = as_create();

			assert_int_equal(vm_user_map_inherit(gen.map, sib.map),
			                 KERN_SUCCESS);
			assert_int_equal(
			    vm_fault(sib.map, sib.pmap, va, VM_PROT_WRITE),
			    KERN_SUCCESS);
			as_destroy(&sib);
		}
		as_destroy(&gen);
		gen = next;
		for (unsigned i = 0; i < 4; i++) {
			unsigned n = chain_at(&gen, BASE + i * PG);

			longest = n > longest ? n : longest;
		}
	}
	assert_true(longest <= 2);
	assert_true(vm_object_stats.objects <= 2);
	assert_true(vm_object_stats.pages <= 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(*(unsigned *)byte_at(&gen, BASE + i * PG),
		                 1000 - 4 + i + 1);
	as_destroy(&gen);
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
	assert_int_equal(vm_user_map_inherit(p.map, c.map), KERN_SUCCESS);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(vm_fault(c.map, c.pmap, at[i], VM_PROT_READ),
		                 KERN_SUCCESS);
		assert_int_equal(*byte_at(&c, at[i]), 'a' + i);
	}
	assert_null(byte_at(&c, BASE + PG));
	assert_int_equal(vm_object_stats.pages, 3); /* shared, not copied */
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

/* A region of A at BASE of SIZE bytes, each page written with its index. */
static void filled_region(struct as *a, uint64_t size)
{
	region(a, BASE, size, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	for (uint64_t off = 0; off < size; off += PG) {
		assert_int_equal(
		    vm_fault(a->map, a->pmap, BASE + off, VM_PROT_WRITE),
		    KERN_SUCCESS);
		*(uint64_t *)byte_at(a, BASE + off) = off / PG;
	}
}

static void test_copyin_copyout_copies_no_page(void **state)
{
	struct as a = as_create(), b = as_create();
	const uint64_t size = 256 * PG; /* 1 MiB */
	struct vm_map_copy *copy;
	vaddr_t at;
	uint64_t word;

	(void)state;
	filled_region(&a, size);
	assert_int_equal(
	    vm_map_copyin(a.map, BASE + 100, size - 200, false, &copy),
	    KERN_SUCCESS);
	assert_int_equal(vm_object_stats.pages, 256); /* nothing copied */
	assert_int_equal(prot_at(&a, BASE), VM_PROT_READ);
	vm_map_copy_read(copy, PG - 100, &word, sizeof(word));
	assert_int_equal(word, 1);
	assert_int_equal(vm_map_copyout(b.map, copy, PG, &at), KERN_SUCCESS);
	/* The data keeps its offset within the page. */
	assert_int_equal(at & (PG - 1), 100);
	at &= ~(PG - 1);
	assert_int_equal(vm_fault(b.map, b.pmap, at + 5 * PG, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_ptr_equal(byte_at(&b, at + 5 * PG), byte_at(&a, BASE + 5 * PG));
	assert_int_equal(vm_object_stats.pages, 256);
	/* Writes on either side copy that page for that side only. */
	assert_int_equal(vm_fault(a.map, a.pmap, BASE + 5 * PG, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	*(uint64_t *)byte_at(&a, BASE + 5 * PG) = 555;
	assert_int_equal(*(uint64_t *)byte_at(&b, at + 5 * PG), 5);
	assert_int_equal(vm_fault(b.map, b.pmap, at + 6 * PG, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	*(uint64_t *)byte_at(&b, at + 6 * PG) = 666;
	assert_int_equal(vm_fault(a.map, a.pmap, BASE + 6 * PG, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_int_equal(*(uint64_t *)byte_at(&a, BASE + 6 * PG), 6);
	assert_int_equal(vm_object_stats.pages, 258);
	assert_true(vm_map_check(a.map) && vm_map_check(b.map));
	as_destroy(&a);
	as_destroy(&b);
}

static void test_copyin_with_deallocate_moves_the_pages(void **state)
{
	struct as a = as_create(), b = as_create();
	struct vm_map_copy *copy;
	vaddr_t at;

	(void)state;
	filled_region(&a, 8 * PG);
	/* Pages 2..4 (the partial pages at both ends included). */
	assert_int_equal(
	    vm_map_copyin(a.map, BASE + 2 * PG + 8, 2 * PG, true, &copy),
	    KERN_SUCCESS);
	assert_int_equal(vm_fault(a.map, a.pmap, BASE + 3 * PG, VM_PROT_READ),
	                 KERN_INVALID_ADDRESS);
	assert_int_equal(vm_fault(a.map, a.pmap, BASE + 5 * PG, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_int_equal(vm_map_copyout(b.map, copy, PG, &at), KERN_SUCCESS);
	at &= ~(PG - 1);
	/* The moved pages read as they were; the sender still maps other
	 * pages of the same object, so a write still copies. */
	assert_int_equal(vm_fault(b.map, b.pmap, at + PG, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	assert_int_equal(*(uint64_t *)byte_at(&b, at + PG), 3);
	assert_true(vm_map_check(a.map) && vm_map_check(b.map));
	as_destroy(&a);
	as_destroy(&b);
}

static void test_copyin_errors_change_nothing(void **state)
{
	struct as a = as_create();
	struct vm_map_copy *copy = NULL;

	(void)state;
	filled_region(&a, 4 * PG);
	region(&a, BASE + 5 * PG, PG, VM_PROT_NONE, VM_INHERIT_COPY);
	/* A hole at page 4, no access at page 5. */
	assert_int_equal(vm_map_copyin(a.map, BASE, 5 * PG, true, &copy),
	                 KERN_INVALID_ADDRESS);
	assert_int_equal(vm_map_copyin(a.map, BASE + 5 * PG, 8, false, &copy),
	                 KERN_PROTECTION_FAILURE);
	assert_int_equal(
	    vm_map_copyin(a.map, ~(vaddr_t)0 - 8, 16, false, &copy),
	    KERN_INVALID_ADDRESS);
	assert_null(copy);
	assert_int_equal(vm_fault(a.map, a.pmap, BASE, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	assert_int_equal(
	    vm_map_check_access(a.map, BASE, BASE + 4 * PG, VM_PROT_WRITE),
	    KERN_SUCCESS);
	assert_int_equal(
	    vm_map_check_access(a.map, BASE, BASE + 6 * PG, VM_PROT_READ),
	    KERN_INVALID_ADDRESS);
	assert_int_equal(vm_map_check_access(a.map, BASE + 5 * PG,
	                                     BASE + 6 * PG, VM_PROT_READ),
	                 KERN_PROTECTION_FAILURE);
	/* Untouched memory travels as zeros without an object. */
	region(&a, BASE + 8 * PG, 2 * PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	assert_int_equal(
	    vm_map_copyin(a.map, BASE + 8 * PG, 2 * PG, false, &copy),
	    KERN_SUCCESS);
	{
		char buf[16];

		memset(buf, 1, sizeof(buf));
		vm_map_copy_read(copy, PG - 8, buf, sizeof(buf));
		for (unsigned i = 0; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0);
	}
	vm_map_copy_discard(copy);
	as_destroy(&a);
}

static void test_inherit_stops_at_the_entry_limit(void **state)
{
	struct as p = as_create(), c = as_create();

	(void)state;
	region(&p, BASE, PG, VM_PROT_DEFAULT, VM_INHERIT_COPY);
	region(&p, BASE + 2 * PG, PG, VM_PROT_READ, VM_INHERIT_COPY);
	vm_map_set_entry_limit(c.map, 1);
	assert_int_equal(vm_user_map_inherit(p.map, c.map), KERN_NO_SPACE);
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
	        test_remove_frees_and_no_access_keeps_pages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copy_between_kernel_and_user,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_copy_needs_access_unless_forced, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copy_between_two_spaces, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_inherit_copy_is_copy_on_write,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inherit_shares_and_leaves_out,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_copy_of_a_shared_region_is_eager, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_forced_write_copies_first,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_thousand_generations_keep_chains_short, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copyin_copyout_copies_no_page,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_copyin_with_deallocate_moves_the_pages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copyin_errors_change_nothing,
	                                    setup, teardown),
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
