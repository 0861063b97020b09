/*
 * Unit tests of VM objects (vm/object.c) over a real page allocator:
 * resident pages by offset, shadow chains with copy-on-write simulated
 * at the object level (a "write" is vm_object_fault_page for writing,
 * then a stamp in the page), collapse keeping a chain of 1,000
 * generations short, exhaustion, and random operations checked against
 * a model.  Each test ends with every object, record and page back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host_mem_harness.h"
#include "kern/compiler.h"
#include "vm/object.h"

#define PG ((uint64_t)PAGE_SIZE)

static uint64_t free_base;

static int setup(void **state)
{
	(void)state;
	if (host_mem_start() != 0)
		return -1;
	vm_object_init();
	memset(&vm_object_stats, 0, sizeof(vm_object_stats));
	free_base = host_free_pages();
	return 0;
}

static int teardown(void **state)
{
	struct slab_stats so, sr;
	bool ok;

	(void)state;
	slab_cache_get_stats(slab_cache_find("vm.object"), &so);
	slab_cache_get_stats(slab_cache_find("vm.object_page"), &sr);
	ok = vm_object_stats.objects == 0 && vm_object_stats.pages == 0 &&
	     so.live == 0 && sr.live == 0;
	if (!ok)
		print_error("%lu objects, %lu pages left\n",
		            (unsigned long)vm_object_stats.objects,
		            (unsigned long)vm_object_stats.pages);
	host_mem_stop();
	return ok ? 0 : -1;
}

/* Every page given to objects is back with the allocator (after the
 * caches have given back their empty slabs). */
static void assert_pages_back(void)
{
	slab_cache_reap(slab_cache_find("vm.object"));
	slab_cache_reap(slab_cache_find("vm.object_page"));
	assert_int_equal(vm_object_stats.pages, 0);
	assert_int_equal(host_free_pages(), free_base);
}

static uint64_t stamp_of(struct page *pg)
{
	return *(uint64_t *)page_to_virt(pg);
}

static void stamp(struct page *pg, uint64_t v)
{
	*(uint64_t *)page_to_virt(pg) = v;
}

/* What OBJ shows at OFFSET: the stamp of the chain's page, 0 if none. */
static uint64_t read_at(struct vm_object *obj, uint64_t offset)
{
	struct page *pg = vm_object_chain_lookup(obj, offset, NULL, NULL);

	return pg != NULL ? stamp_of(pg) : 0;
}

/* A write of V at OFFSET of OBJ: fault the page in for writing, stamp. */
static void write_at(struct vm_object *obj, uint64_t offset, uint64_t v)
{
	struct page *pg;
	bool top = false;

	assert_int_equal(vm_object_fault_page(obj, offset, true, &pg, &top),
	                 KERN_SUCCESS);
	assert_true(top);
	assert_ptr_equal(vm_object_page_lookup(obj, offset), pg);
	stamp(pg, v);
}

/* A copy of *OBJ as task_create(inherit) makes it: both sides shadow the
 * old object; *OBJ becomes the parent's side, the child's is returned. */
static struct vm_object *fork_object(struct vm_object **obj)
{
	struct vm_object *old = *obj, *child;

	vm_object_reference(old);
	child = vm_object_shadow(old, 0, old->size);
	assert_non_null(child);
	*obj = vm_object_shadow(old, 0, old->size);
	assert_non_null(*obj);
	return child;
}

static void test_create_and_release_frees_everything(void **state)
{
	struct vm_object *obj;
	struct page *pg;

	(void)state;
	obj = vm_object_create(3 * PG - 1);
	assert_non_null(obj);
	assert_int_equal(obj->size, 3 * PG);
	assert_int_equal(obj->refs, 1);
	assert_int_equal(vm_object_chain_length(obj), 1);
	assert_true(vm_object_check(obj));
	for (uint64_t o = 0; o < 3 * PG; o += PG)
		assert_int_equal(vm_object_page_alloc(obj, o, true, &pg),
		                 KERN_SUCCESS);
	assert_int_equal(obj->resident, 3);
	assert_int_equal(vm_object_stats.pages, 3);
	vm_object_reference(obj);
	vm_object_release(obj);
	assert_int_equal(vm_object_stats.objects, 1);
	vm_object_release(obj);
	assert_int_equal(vm_object_stats.objects, 0);
	assert_pages_back();
}

/* A dying object frees its records and pages a run at a time: runs that
 * fill up and a last partial one. */
static void test_release_of_many_pages_frees_every_run(void **state)
{
	struct vm_object *obj;
	struct page *pg;
	uint64_t n = 101, o;

	(void)state;
	obj = vm_object_create(n * PG);
	assert_non_null(obj);
	for (o = 0; o < n * PG; o += PG)
		assert_int_equal(vm_object_page_alloc(obj, o, false, &pg),
		                 KERN_SUCCESS);
	assert_int_equal(vm_object_stats.pages, n);
	vm_object_release(obj);
	assert_int_equal(vm_object_stats.objects, 0);
	assert_pages_back();
}

static void test_insert_lookup_remove_by_offset(void **state)
{
	struct vm_object *obj = vm_object_create(8 * PG);
	struct page *pg = page_alloc(0), *other = page_alloc(0), *z;

	(void)state;
	assert_non_null(obj);
	assert_null(vm_object_page_lookup(obj, 2 * PG));
	assert_int_equal(vm_object_page_insert(obj, 2 * PG, pg), KERN_SUCCESS);
	assert_ptr_equal(vm_object_page_lookup(obj, 2 * PG), pg);
	assert_null(vm_object_page_lookup(obj, 3 * PG));
	/* Refusals leave the page with the caller. */
	assert_int_equal(vm_object_page_insert(obj, 2 * PG, other),
	                 KERN_MEMORY_PRESENT);
	assert_int_equal(vm_object_page_insert(obj, PG + 1, other),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(vm_object_page_insert(obj, 8 * PG, other),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(vm_object_page_alloc(obj, 8 * PG, true, &z),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(vm_object_page_alloc(obj, 2 * PG, true, &z),
	                 KERN_MEMORY_PRESENT);
	page_free(other, 0);
	assert_int_equal(vm_object_page_alloc(obj, 7 * PG, true, &z),
	                 KERN_SUCCESS);
	assert_int_equal(stamp_of(z), 0);
	assert_int_equal(obj->resident, 2);
	assert_true(vm_object_check(obj));
	assert_true(vm_object_page_remove(obj, 2 * PG));
	assert_false(vm_object_page_remove(obj, 2 * PG));
	assert_null(vm_object_page_lookup(obj, 2 * PG));
	assert_int_equal(obj->resident, 1);
	assert_true(vm_object_check(obj));
	vm_object_release(obj);
	assert_pages_back();
}

static void test_shadow_reads_through_and_copies_on_write(void **state)
{
	struct vm_object *base = vm_object_create(4 * PG), *top, *holder;
	struct page *bp, *pg;
	uint64_t hoff;
	bool in_top;

	(void)state;
	assert_int_equal(vm_object_page_alloc(base, 2 * PG, false, &bp),
	                 KERN_SUCCESS);
	stamp(bp, 42);
	/* TOP's offset 0 is BASE's PG. */
	top = vm_object_shadow(base, PG, 3 * PG);
	assert_non_null(top);
	assert_int_equal(vm_object_chain_length(top), 2);
	assert_true(vm_object_check(top));
	assert_ptr_equal(vm_object_chain_lookup(top, PG, &holder, &hoff), bp);
	assert_ptr_equal(holder, base);
	assert_int_equal(hoff, 2 * PG);
	/* A read maps the shadow's page itself (read-only). */
	assert_int_equal(vm_object_fault_page(top, PG, false, &pg, &in_top),
	                 KERN_SUCCESS);
	assert_ptr_equal(pg, bp);
	assert_false(in_top);
	assert_int_equal(top->resident, 0);
	/* A write copies it into the top; the original stays. */
	assert_int_equal(vm_object_fault_page(top, PG, true, &pg, &in_top),
	                 KERN_SUCCESS);
	assert_true(in_top);
	assert_ptr_not_equal(pg, bp);
	assert_int_equal(stamp_of(pg), 42);
	stamp(pg, 43);
	assert_int_equal(read_at(top, PG), 43);
	assert_int_equal(stamp_of(bp), 42);
	/* The top's own page is returned as it is, read or write. */
	assert_int_equal(vm_object_fault_page(top, PG, false, &pg, NULL),
	                 KERN_SUCCESS);
	assert_int_equal(stamp_of(pg), 43);
	/* Nothing anywhere: zero fill at the top, for a read too. */
	assert_int_equal(vm_object_fault_page(top, 0, false, &pg, &in_top),
	                 KERN_SUCCESS);
	assert_true(in_top);
	assert_int_equal(stamp_of(pg), 0);
	assert_ptr_equal(vm_object_page_lookup(top, 0), pg);
	assert_null(vm_object_page_lookup(base, PG));
	/* Errors. */
	assert_int_equal(vm_object_fault_page(top, 3 * PG, false, &pg, NULL),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(vm_object_fault_page(top, 1, true, &pg, NULL),
	                 KERN_INVALID_ARGUMENT);
	assert_true(vm_object_check(top));
	vm_object_release(top); /* frees BASE too */
	assert_int_equal(vm_object_stats.objects, 0);
	assert_pages_back();
}

static void test_symmetric_copy_isolates_both_sides(void **state)
{
	struct vm_object *parent = vm_object_create(4 * PG), *child;

	(void)state;
	write_at(parent, 0, 1);
	write_at(parent, PG, 2);
	child = fork_object(&parent);
	assert_int_equal(vm_object_chain_length(parent), 2);
	assert_ptr_equal(parent->shadow, child->shadow);
	assert_int_equal(parent->shadow->refs, 2);
	write_at(parent, 0, 10);
	write_at(child, PG, 20);
	write_at(child, 2 * PG, 30);
	assert_int_equal(read_at(parent, 0), 10);
	assert_int_equal(read_at(parent, PG), 2);
	assert_int_equal(read_at(parent, 2 * PG), 0);
	assert_int_equal(read_at(child, 0), 1);
	assert_int_equal(read_at(child, PG), 20);
	assert_int_equal(read_at(child, 2 * PG), 30);
	/* The shared object is still shared: no collapse. */
	assert_int_equal(vm_object_collapse(parent), 0);
	/* The child ends; the parent absorbs what it still sees at once
	 * (the release merges the shared object into its last shadower). */
	vm_object_release(child);
	assert_int_equal(vm_object_chain_length(parent), 1);
	assert_int_equal(vm_object_collapse(parent), 0);
	assert_int_equal(parent->resident, 2);
	assert_int_equal(vm_object_stats.pages, 2);
	assert_int_equal(read_at(parent, 0), 10);
	assert_int_equal(read_at(parent, PG), 2);
	assert_true(vm_object_check(parent));
	vm_object_release(parent);
	assert_pages_back();
}

static void test_collapse_frees_hidden_and_out_of_range_pages(void **state)
{
	struct vm_object *base = vm_object_create(5 * PG), *top;
	struct page *pg;

	(void)state;
	for (uint64_t i = 0; i < 5; i++) {
		assert_int_equal(vm_object_page_alloc(base, i * PG, false, &pg),
		                 KERN_SUCCESS);
		stamp(pg, 100 + i);
	}
	/* TOP sees BASE's pages 1 and 2 only, and hides page 1. */
	top = vm_object_shadow(base, PG, 2 * PG);
	assert_non_null(top);
	write_at(top, 0, 7);
	assert_int_equal(vm_object_stats.pages, 6);
	assert_int_equal(vm_object_collapse(top), 1);
	assert_null(top->shadow);
	assert_int_equal(top->shadow_offset, PG);
	assert_int_equal(top->resident, 2);
	assert_int_equal(vm_object_stats.pages, 2);
	assert_int_equal(vm_object_stats.objects, 1);
	assert_int_equal(read_at(top, 0), 7);
	assert_int_equal(read_at(top, PG), 102);
	assert_true(vm_object_check(top));
	assert_int_equal(vm_object_collapse(top), 0);
	vm_object_release(top);
	assert_pages_back();
}

static void test_collapse_merges_a_whole_chain_adding_offsets(void **state)
{
	struct vm_object *a = vm_object_create(8 * PG), *b, *c;
	struct page *pg;

	(void)state;
	assert_int_equal(vm_object_page_alloc(a, 7 * PG, false, &pg),
	                 KERN_SUCCESS);
	stamp(pg, 77);
	b = vm_object_shadow(a, 2 * PG, 6 * PG);
	assert_non_null(b);
	c = vm_object_shadow(b, 3 * PG, 3 * PG);
	assert_non_null(c);
	/* C's 2*PG is B's 5*PG is A's 7*PG. */
	assert_int_equal(read_at(c, 2 * PG), 77);
	assert_int_equal(vm_object_chain_length(c), 3);
	assert_int_equal(vm_object_collapse(c), 2);
	assert_int_equal(vm_object_chain_length(c), 1);
	assert_int_equal(read_at(c, 2 * PG), 77);
	assert_ptr_equal(vm_object_page_lookup(c, 2 * PG), pg);
	assert_true(vm_object_check(c));
	vm_object_release(c);
	assert_pages_back();
}

#define GEN_PAGES 8

/* 1,000 generations of task_create(inherit): each forks the object,
 * writes on both sides, then the child ends.  Collapse keeps the chain
 * short, and what the parent sees follows the model. */
static void test_thousand_generations_keep_the_chain_short(void **state)
{
	uint64_t model[GEN_PAGES] = {0};
	struct vm_object *obj = vm_object_create(GEN_PAGES * PG), *child;
	unsigned longest = 0;

	(void)state;
	srand(6);
	for (uint64_t gen = 1; gen <= 1000; gen++) {
		unsigned p = (unsigned)rand() % GEN_PAGES;
		unsigned c = (unsigned)rand() % GEN_PAGES;

		child = fork_object(&obj);
		if (gen % 3 != 0) {
			write_at(obj, p * PG, gen);
			model[p] = gen;
		}
		write_at(child, c * PG, gen + 1000000);
		assert_int_equal(read_at(child, c * PG), gen + 1000000);
		vm_object_release(child);
		vm_object_collapse(obj);
		if (vm_object_chain_length(obj) > longest)
			longest = vm_object_chain_length(obj);
		assert_true(vm_object_chain_length(obj) <= 2);
		assert_true(vm_object_stats.objects <= 2);
		assert_true(vm_object_stats.pages <= 2 * GEN_PAGES);
		for (unsigned i = 0; i < GEN_PAGES; i++)
			assert_int_equal(read_at(obj, i * PG), model[i]);
	}
	assert_true(vm_object_check(obj));
	assert_true(longest <= 2);
	vm_object_release(obj);
	assert_pages_back();
}

static void test_exhaustion_fails_cleanly(void **state)
{
	struct slab_cache *oc = slab_cache_find("vm.object");
	struct slab_cache *rc = slab_cache_find("vm.object_page");
	struct vm_object *obj = vm_object_create(3 * PG), *top;
	struct page *pg = page_alloc(0), *got;
	struct page *hoard[4096];
	unsigned n = 0;

	(void)state;
	write_at(obj, 2 * PG, 9); /* a live record, so a limit can bite */
	/* No object: create and shadow fail, the reference stays ours. */
	slab_cache_set_limit(oc, oc->live);
	assert_null(vm_object_create(PG));
	assert_null(vm_object_shadow(obj, 0, PG));
	assert_int_equal(obj->refs, 1);
	slab_cache_set_limit(oc, 0);
	/* No record: the page stays the caller's. */
	slab_cache_set_limit(rc, rc->live);
	assert_int_equal(vm_object_page_insert(obj, 0, pg),
	                 KERN_RESOURCE_SHORTAGE);
	assert_int_equal(vm_object_page_alloc(obj, 0, true, &got),
	                 KERN_RESOURCE_SHORTAGE);
	slab_cache_set_limit(rc, 0);
	page_free(pg, 0);
	/* No page: a write fault under a shadow fails, nothing changes. */
	write_at(obj, 0, 5);
	top = vm_object_shadow(obj, 0, 3 * PG);
	assert_non_null(top);
	while (n < 4096 && (hoard[n] = page_alloc(0)) != NULL)
		n++;
	assert_int_equal(vm_object_fault_page(top, 0, true, &got, NULL),
	                 KERN_RESOURCE_SHORTAGE);
	assert_int_equal(vm_object_fault_page(top, PG, false, &got, NULL),
	                 KERN_RESOURCE_SHORTAGE);
	assert_int_equal(top->resident, 0);
	while (n > 0)
		page_free(hoard[--n], 0);
	assert_int_equal(read_at(top, 0), 5);
	assert_true(vm_object_check(top));
	vm_object_release(top);
	assert_pages_back();
}

static void test_check_catches_broken_invariants(void **state)
{
	struct vm_object *base = vm_object_create(2 * PG), *top;
	struct vm_object_page *r;

	(void)state;
	write_at(base, PG, 1);
	top = vm_object_shadow(base, 0, 2 * PG);
	assert_non_null(top);
	assert_true(vm_object_check(top));
	/* A dead object in the chain. */
	base->refs = 0;
	assert_false(vm_object_check(top));
	base->refs = 1;
	/* A page beyond the object's end. */
	r = container_of(base->pages.root, struct vm_object_page, node);
	r->offset = 2 * PG;
	assert_false(vm_object_check(top));
	r->offset = PG;
	/* A resident count that disagrees with the tree. */
	base->resident++;
	assert_false(vm_object_check(base));
	base->resident--;
	/* A cycle. */
	base->shadow = top;
	assert_false(vm_object_check(top));
	base->shadow = NULL;
	assert_true(vm_object_check(top));
	vm_object_release(top);
	assert_pages_back();
}

#define RND_OBJECTS 12
#define RND_PAGES   6
#define RND_STEPS   4000

/* Random writes, reads, removals, forks, releases and collapses on a set
 * of objects; each object's contents are modelled as an array of stamps. */
static void test_random_operations_match_a_model(void **state)
{
	struct vm_object *obj[RND_OBJECTS] = {0};
	uint64_t model[RND_OBJECTS][RND_PAGES];
	uint64_t next_stamp = 1;

	(void)state;
	srand(1234);
	memset(model, 0, sizeof(model));
	obj[0] = vm_object_create(RND_PAGES * PG);
	for (unsigned step = 0; step < RND_STEPS; step++) {
		unsigned i = (unsigned)rand() % RND_OBJECTS;
		unsigned j = (unsigned)rand() % RND_OBJECTS;
		unsigned p = (unsigned)rand() % RND_PAGES;
		struct page *pg;

		if (obj[i] == NULL) {
			obj[i] = vm_object_create(RND_PAGES * PG);
			assert_non_null(obj[i]);
			memset(model[i], 0, sizeof(model[i]));
			continue;
		}
		switch (rand() % 7) {
		case 0:
		case 1:
			write_at(obj[i], p * PG, next_stamp);
			model[i][p] = next_stamp++;
			break;
		case 2:
			assert_int_equal(vm_object_fault_page(obj[i], p * PG,
			                                      false, &pg, NULL),
			                 KERN_SUCCESS);
			assert_int_equal(stamp_of(pg), model[i][p]);
			break;
		case 3:
			/* Removal changes only what an unshadowed object
			 * shows: back to zero. */
			if (obj[i]->shadow == NULL) {
				vm_object_page_remove(obj[i], p * PG);
				model[i][p] = 0;
			}
			break;
		case 4:
			if (obj[j] == NULL && j != i) {
				obj[j] = fork_object(&obj[i]);
				memcpy(model[j], model[i], sizeof(model[i]));
			}
			break;
		case 5:
			vm_object_release(obj[i]);
			obj[i] = NULL;
			break;
		default:
			vm_object_collapse(obj[i]);
			break;
		}
		for (unsigned k = 0; k < RND_OBJECTS; k++) {
			if (obj[k] == NULL)
				continue;
			assert_true(vm_object_check(obj[k]));
			for (unsigned q = 0; q < RND_PAGES; q++)
				assert_int_equal(read_at(obj[k], q * PG),
				                 model[k][q]);
		}
	}
	for (unsigned k = 0; k < RND_OBJECTS; k++)
		if (obj[k] != NULL)
			vm_object_release(obj[k]);
	assert_pages_back();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_create_and_release_frees_everything, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_release_of_many_pages_frees_every_run, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_insert_lookup_remove_by_offset,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_shadow_reads_through_and_copies_on_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_symmetric_copy_isolates_both_sides, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_collapse_frees_hidden_and_out_of_range_pages, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_collapse_merges_a_whole_chain_adding_offsets, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_thousand_generations_keep_the_chain_short, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_exhaustion_fails_cleanly,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_check_catches_broken_invariants, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_random_operations_match_a_model, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
