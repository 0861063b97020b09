/*
 * Unit tests of the address-space map (vm/map.c, map_lookup.c): every
 * operation and error path, the entry limit and the pmap hooks.  The
 * randomized run against a page-array model is test_vm_map_model.c.
 */
#include "vm_map_harness.h"

/* ---- vm_map_enter ---- */

static void test_enter_anywhere_is_first_fit_from_minimum(void **state)
{
	(void)state;
	assert_int_equal(enter_any(0, PG), MMIN);
	assert_int_equal(enter_any(0, 3 * PG), MMIN + PG);
	/* Merged with its equal neighbour. */
	assert_int_equal(nregions(), 1);
	assert_int_equal(region_at(0).size, 4 * PG);
}

static void test_enter_anywhere_starts_at_hint_and_skips_regions(void **state)
{
	(void)state;
	enter_fixed(MMIN + 10 * PG, 2 * PG, R, ALL, VM_INHERIT_COPY);
	/* A hint inside a region: the first hole after it. */
	assert_int_equal(enter_any(MMIN + 10 * PG + 5, PG), MMIN + 12 * PG);
	/* A hole too small is skipped. */
	enter_fixed(MMIN + 14 * PG, PG, R, ALL, VM_INHERIT_COPY);
	assert_int_equal(enter_any(MMIN + 13 * PG, 2 * PG), MMIN + 15 * PG);
	/* A hint below the minimum starts at the minimum. */
	assert_int_equal(enter_any(0, 10 * PG), MMIN);
	assert_int_equal(nregions(), 5);
}

static void test_enter_anywhere_finds_holes_left_in_a_full_run(void **state)
{
	(void)state;
	/* Distinct attributes: one entry each. */
	enter_fixed(MMIN, PG, R, ALL, VM_INHERIT_COPY);
	assert_int_equal(enter_any(0, 2 * PG), MMIN + PG);
	enter_fixed(MMIN + 3 * PG, PG, R, ALL, VM_INHERIT_NONE);
	assert_int_equal(enter_any(MMIN, PG), MMIN + 4 * PG);
	/* A hole freed inside the run searched before is found again. */
	assert_int_equal(vm_map_remove(map, MMIN + PG, MMIN + 2 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(enter_any(MMIN, PG), MMIN + PG);
	/* A hole too small is passed over, then used by what fits. */
	assert_int_equal(vm_map_remove(map, MMIN, MMIN + PG), KERN_SUCCESS);
	assert_int_equal(enter_any(MMIN, 2 * PG), MMIN + 5 * PG);
	assert_int_equal(enter_any(MMIN, PG), MMIN);
	/* A search from inside the run still honours its mask. */
	{
		vaddr_t a = MMIN;

		assert_int_equal(vm_map_enter(map, &a, PG, 16 * PG - 1, true,
		                              RW, ALL, VM_INHERIT_COPY),
		                 KERN_SUCCESS);
		assert_int_equal(a, MMIN + 16 * PG);
	}
	assert_true(vm_map_check(map));
}

static void test_enter_anywhere_small_holes_passed_over_stay_found(void **state)
{
	(void)state;
	enter_fixed(MMIN, PG, R, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 2 * PG, PG, R, ALL, VM_INHERIT_NONE);
	/* The one-page hole at MMIN + PG is too small twice... */
	assert_int_equal(enter_any(MMIN, 4 * PG), MMIN + 3 * PG);
	assert_int_equal(enter_any(MMIN, 4 * PG), MMIN + 7 * PG);
	/* ...but still there for a page. */
	assert_int_equal(enter_any(MMIN, PG), MMIN + PG);
	/* Freed next to a hole: the joined hole is found from its start. */
	assert_int_equal(vm_map_remove(map, MMIN + 2 * PG, MMIN + 3 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(vm_map_remove(map, MMIN + PG, MMIN + 2 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(enter_any(MMIN, 2 * PG), MMIN + PG);
	assert_true(vm_map_check(map));
}

static void test_enter_anywhere_honours_mask(void **state)
{
	vaddr_t a = 0;

	(void)state;
	enter_fixed(MMIN, PG, R, ALL, VM_INHERIT_COPY);
	assert_int_equal(vm_map_enter(map, &a, PG, 64 * PG - 1, true, RW, ALL,
	                              VM_INHERIT_COPY),
	                 KERN_SUCCESS);
	assert_int_equal(a, 64 * PG);
	/* A mask below a page still gives a page-aligned address. */
	a = MMIN + 3;
	assert_int_equal(
	    vm_map_enter(map, &a, 1, 7, true, RW, ALL, VM_INHERIT_COPY),
	    KERN_SUCCESS);
	assert_int_equal(a, MMIN + PG);
}

static void test_enter_anywhere_full_map_is_no_space(void **state)
{
	vaddr_t a = 0;

	(void)state;
	assert_int_equal(enter_any(0, MMAX - MMIN), MMIN);
	assert_int_equal(
	    vm_map_enter(map, &a, PG, 0, true, RW, ALL, VM_INHERIT_COPY),
	    KERN_NO_SPACE);
	vm_map_remove(map, MMIN + 5 * PG, MMIN + 6 * PG);
	a = MMIN + 6 * PG; /* no wrap-around below the hint */
	assert_int_equal(
	    vm_map_enter(map, &a, PG, 0, true, RW, ALL, VM_INHERIT_COPY),
	    KERN_NO_SPACE);
	a = 0;
	assert_int_equal(
	    vm_map_enter(map, &a, PG, 0, true, RW, ALL, VM_INHERIT_COPY),
	    KERN_SUCCESS);
	assert_int_equal(a, MMIN + 5 * PG);
}

static void test_enter_rounds_address_down_and_size_up(void **state)
{
	struct region r;

	(void)state;
	vaddr_t a = MMIN + 2 * PG + 123;
	assert_int_equal(
	    vm_map_enter(map, &a, PG + 1, 0, false, RW, ALL, VM_INHERIT_SHARE),
	    KERN_SUCCESS);
	assert_int_equal(a, MMIN + 2 * PG);
	r = region_at(0);
	assert_int_equal(r.start, MMIN + 2 * PG);
	assert_int_equal(r.size, 2 * PG);
	assert_int_equal(r.prot, RW);
	assert_int_equal(r.max, ALL);
	assert_int_equal(r.inh, VM_INHERIT_SHARE);
}

/* Every way vm_map_enter refuses, and the address it leaves alone. */
static void test_enter_error_matrix(void **state)
{
	static const struct {
		vaddr_t addr;
		uint64_t size;
		bool anywhere;
		vm_prot_t prot, max;
		vm_inherit_t inh;
		kern_return_t kr;
	} cases[] = {
	    {MMIN, 0, false, RW, ALL, VM_INHERIT_COPY, KERN_INVALID_ARGUMENT},
	    {MMIN, 0, true, RW, ALL, VM_INHERIT_COPY, KERN_INVALID_ARGUMENT},
	    {MMIN, PG, false, 8, ALL, VM_INHERIT_COPY, KERN_INVALID_ARGUMENT},
	    {MMIN, PG, false, RW, 0x10, VM_INHERIT_COPY, KERN_INVALID_ARGUMENT},
	    {MMIN, PG, false, RW, ALL, 3, KERN_INVALID_ARGUMENT},
	    {MMIN, PG, true, RW, ALL, -1, KERN_INVALID_ARGUMENT},
	    {0, PG, false, RW, ALL, VM_INHERIT_COPY, KERN_INVALID_ADDRESS},
	    {MMIN - PG, 2 * PG, false, RW, ALL, VM_INHERIT_COPY,
	     KERN_INVALID_ADDRESS},
	    {MMAX, PG, false, RW, ALL, VM_INHERIT_COPY, KERN_INVALID_ADDRESS},
	    {MMAX - PG, 2 * PG, false, RW, ALL, VM_INHERIT_COPY,
	     KERN_INVALID_ADDRESS},
	    {MMIN, UINT64_MAX, false, RW, ALL, VM_INHERIT_COPY,
	     KERN_INVALID_ADDRESS},
	    {MMIN, UINT64_MAX, true, RW, ALL, VM_INHERIT_COPY, KERN_NO_SPACE},
	    {MMIN, MMAX - MMIN + 1, true, RW, ALL, VM_INHERIT_COPY,
	     KERN_NO_SPACE},
	    {MMAX, PG, true, RW, ALL, VM_INHERIT_COPY, KERN_NO_SPACE},
	    {UINT64_MAX, PG, true, RW, ALL, VM_INHERIT_COPY, KERN_NO_SPACE},
	    /* Occupied: [MMIN + 4 pages, MMIN + 6 pages) is mapped below. */
	    {MMIN + 4 * PG, PG, false, RW, ALL, VM_INHERIT_COPY, KERN_NO_SPACE},
	    {MMIN + 3 * PG, 2 * PG, false, RW, ALL, VM_INHERIT_COPY,
	     KERN_NO_SPACE},
	    {MMIN + 5 * PG, 4 * PG, false, RW, ALL, VM_INHERIT_COPY,
	     KERN_NO_SPACE},
	    {MMIN, 10 * PG, false, RW, ALL, VM_INHERIT_COPY, KERN_NO_SPACE},
	};

	(void)state;
	enter_fixed(MMIN + 4 * PG, 2 * PG, R, R, VM_INHERIT_NONE);
	for (unsigned i = 0; i < ARRAY_N(cases); i++) {
		vaddr_t a = cases[i].addr;

		assert_int_equal(vm_map_enter(map, &a, cases[i].size, 0,
		                              cases[i].anywhere, cases[i].prot,
		                              cases[i].max, cases[i].inh),
		                 cases[i].kr);
		assert_int_equal(a, cases[i].addr);
	}
	assert_int_equal(nregions(), 1);
}

static void test_enter_merges_only_equal_neighbours(void **state)
{
	(void)state;
	enter_fixed(MMIN, PG, RW, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 2 * PG, PG, RW, ALL, VM_INHERIT_COPY);
	assert_int_equal(nregions(), 2);
	/* Filling the hole joins all three. */
	enter_fixed(MMIN + PG, PG, RW, ALL, VM_INHERIT_COPY);
	assert_int_equal(nregions(), 1);
	/* Each differing attribute keeps an entry apart. */
	enter_fixed(MMIN + 3 * PG, PG, R, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 4 * PG, PG, R, R, VM_INHERIT_COPY);
	enter_fixed(MMIN + 5 * PG, PG, R, R, VM_INHERIT_SHARE);
	assert_int_equal(nregions(), 4);
	/* Joining the next neighbour only. */
	enter_fixed(MMIN + 7 * PG, PG, RW, ALL, VM_INHERIT_NONE);
	enter_fixed(MMIN + 6 * PG, PG, RW, ALL, VM_INHERIT_NONE);
	assert_int_equal(nregions(), 5);
	assert_int_equal(region_at(MMIN + 6 * PG).size, 2 * PG);
}

/* ---- the entry limit ---- */

static void test_entry_limit_gives_no_space(void **state)
{
	vaddr_t a;

	(void)state;
	vm_map_set_entry_limit(map, 3);
	enter_fixed(MMIN, 4 * PG, RW, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 10 * PG, PG, RW, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 20 * PG, PG, RW, ALL, VM_INHERIT_COPY);
	a = MMIN + 30 * PG;
	assert_int_equal(
	    vm_map_enter(map, &a, PG, 0, false, RW, ALL, VM_INHERIT_COPY),
	    KERN_NO_SPACE);
	/* Growing an entry is no new entry. */
	enter_fixed(MMIN + 11 * PG, PG, RW, ALL, VM_INHERIT_COPY);
	/* Splits are refused, with nothing changed. */
	assert_int_equal(vm_map_remove(map, MMIN + PG, MMIN + 2 * PG),
	                 KERN_NO_SPACE);
	assert_int_equal(
	    vm_map_protect(map, MMIN + PG, MMIN + 2 * PG, false, R),
	    KERN_NO_SPACE);
	assert_int_equal(
	    vm_map_inherit(map, MMIN, MMIN + 2 * PG, VM_INHERIT_SHARE),
	    KERN_NO_SPACE);
	assert_int_equal(region_at(0).size, 4 * PG);
	assert_int_equal(region_at(0).prot, RW);
	/* Trimming and unchanged attributes need no entry. */
	assert_int_equal(vm_map_remove(map, MMIN + 3 * PG, MMIN + 4 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(
	    vm_map_protect(map, MMIN + PG, MMIN + 2 * PG, false, RW),
	    KERN_SUCCESS);
	assert_int_equal(nregions(), 3);
	/* A limit of 0 means 1. */
	vm_map_set_entry_limit(map, 0);
	assert_int_equal(map->max_entries, 1);
}

static void test_entry_exhaustion_is_resource_shortage(void **state)
{
	struct slab_cache *c = slab_cache_find("vm.map_entry");
	vaddr_t a = MMIN;

	(void)state;
	enter_fixed(MMIN + 2 * PG, 4 * PG, RW, ALL, VM_INHERIT_COPY);
	slab_cache_set_limit(c, c->live);
	assert_int_equal(
	    vm_map_enter(map, &a, PG, 0, false, RW, R, VM_INHERIT_COPY),
	    KERN_RESOURCE_SHORTAGE);
	assert_int_equal(vm_map_remove(map, MMIN + 3 * PG, MMIN + 4 * PG),
	                 KERN_RESOURCE_SHORTAGE);
	assert_int_equal(
	    vm_map_protect(map, MMIN + 3 * PG, MMIN + 4 * PG, false, R),
	    KERN_RESOURCE_SHORTAGE);
	slab_cache_set_limit(c, 0);
	assert_int_equal(nregions(), 1);
	assert_int_equal(region_at(0).size, 4 * PG);
}

/* ---- vm_map_remove ---- */

static void test_remove_splits_at_both_edges(void **state)
{
	struct region r;

	(void)state;
	enter_fixed(MMIN, 10 * PG, RW, ALL, VM_INHERIT_COPY);
	touch(MMIN);
	ncalls = 0;
	/* Start truncated, end rounded. */
	assert_int_equal(
	    vm_map_remove(map, MMIN + 3 * PG + 7, MMIN + 5 * PG + 1),
	    KERN_SUCCESS);
	assert_int_equal(nregions(), 2);
	r = region_at(0);
	assert_int_equal(r.start, MMIN);
	assert_int_equal(r.size, 3 * PG);
	r = region_at(MMIN + 3 * PG);
	assert_int_equal(r.start, MMIN + 6 * PG);
	assert_int_equal(r.size, 4 * PG);
	assert_int_equal(r.offset, 6 * PG);
	assert_int_equal(ncalls, 1);
	assert_int_equal(calls[0].op, 'r');
	assert_int_equal(calls[0].start, MMIN + 3 * PG);
	assert_int_equal(calls[0].end, MMIN + 6 * PG);
}

static void test_remove_spanning_entries_and_holes(void **state)
{
	(void)state;
	enter_fixed(MMIN, 2 * PG, RW, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 4 * PG, 2 * PG, R, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 8 * PG, 2 * PG, RW, ALL, VM_INHERIT_COPY);
	touch(MMIN);
	touch(MMIN + 4 * PG);
	touch(MMIN + 8 * PG);
	ncalls = 0;
	assert_int_equal(vm_map_remove(map, MMIN + PG, MMIN + 9 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(nregions(), 2);
	assert_int_equal(region_at(0).size, PG);
	assert_int_equal(region_at(MMIN + PG).start, MMIN + 9 * PG);
	assert_int_equal(ncalls, 3);
	/* Unmapped space, empty ranges and space outside the map: fine. */
	assert_int_equal(vm_map_remove(map, MMIN + 2 * PG, MMIN + 8 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(vm_map_remove(map, MMIN, MMIN), KERN_SUCCESS);
	assert_int_equal(vm_map_remove(map, 0, PG), KERN_SUCCESS);
	assert_int_equal(vm_map_remove(map, MMAX, UINT64_MAX), KERN_SUCCESS);
	assert_int_equal(vm_map_remove(map, MMIN + PG, MMIN),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(nregions(), 2);
	/* Everything, clipped to the map. */
	assert_int_equal(vm_map_remove(map, 0, UINT64_MAX), KERN_SUCCESS);
	assert_int_equal(nregions(), 0);
	assert_int_equal(region_at(0).size, 0);
}

/* ---- vm_map_protect ---- */

static void test_protect_error_matrix(void **state)
{
	static const struct {
		vaddr_t start, end;
		bool set_max;
		vm_prot_t prot;
		kern_return_t kr;
	} cases[] = {
	    /* Mapped: [0,4) RW/ALL, [4,6) R/R; hole [6,8); [8,9) RW/ALL. */
	    {0, PG, false, 8, KERN_INVALID_ARGUMENT},
	    {0, PG, false, VM_PROT_NOTIFY, KERN_INVALID_ARGUMENT},
	    {PG, 0, false, R, KERN_INVALID_ARGUMENT},
	    {4 * PG, 5 * PG, false, RW, KERN_PROTECTION_FAILURE},
	    {4 * PG, 5 * PG, true, ALL, KERN_PROTECTION_FAILURE},
	    {0, 6 * PG, false, RW, KERN_PROTECTION_FAILURE},
	    {5 * PG, 7 * PG, false, R, KERN_INVALID_ADDRESS},
	    {6 * PG, 7 * PG, false, R, KERN_INVALID_ADDRESS},
	    {0, 9 * PG, false, R, KERN_INVALID_ADDRESS},
	    {7 * PG, 9 * PG, false, R, KERN_INVALID_ADDRESS},
	    {9 * PG, 10 * PG, false, VM_PROT_NONE, KERN_INVALID_ADDRESS},
	    /* Before the hole, a protection failure comes first. */
	    {4 * PG, 8 * PG, false, RW, KERN_PROTECTION_FAILURE},
	};

	(void)state;
	enter_fixed(MMIN, 4 * PG, RW, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 4 * PG, 2 * PG, R, R, VM_INHERIT_COPY);
	enter_fixed(MMIN + 8 * PG, PG, RW, ALL, VM_INHERIT_COPY);
	ncalls = 0;
	for (unsigned i = 0; i < ARRAY_N(cases); i++)
		assert_int_equal(vm_map_protect(map, MMIN + cases[i].start,
		                                MMIN + cases[i].end,
		                                cases[i].set_max,
		                                cases[i].prot),
		                 cases[i].kr);
	assert_int_equal(ncalls, 0);
	assert_int_equal(nregions(), 3);
	assert_int_equal(region_at(0).prot, RW);
	/* Empty and out-of-map ranges do nothing. */
	assert_int_equal(vm_map_protect(map, MMIN, MMIN, false, R),
	                 KERN_SUCCESS);
	assert_int_equal(vm_map_protect(map, MMAX, MMAX + PG, false, R),
	                 KERN_SUCCESS);
}

static void test_protect_splits_and_merges_back(void **state)
{
	(void)state;
	enter_fixed(MMIN, 10 * PG, RW, ALL, VM_INHERIT_COPY);
	touch(MMIN);
	ncalls = 0;
	assert_int_equal(
	    vm_map_protect(map, MMIN + 2 * PG + 1, MMIN + 4 * PG - 1, false, R),
	    KERN_SUCCESS);
	assert_int_equal(nregions(), 3);
	assert_int_equal(region_at(MMIN + 2 * PG).start, MMIN + 2 * PG);
	assert_int_equal(region_at(MMIN + 2 * PG).size, 2 * PG);
	assert_int_equal(region_at(MMIN + 2 * PG).prot, R);
	assert_int_equal(region_at(MMIN + 2 * PG).offset, 2 * PG);
	assert_int_equal(ncalls, 1);
	assert_int_equal(calls[0].op, 'p');
	assert_int_equal(calls[0].start, MMIN + 2 * PG);
	assert_int_equal(calls[0].end, MMIN + 4 * PG);
	assert_int_equal(calls[0].prot, R);
	/* Raising needs no pmap call; the entries merge again. */
	assert_int_equal(vm_map_protect(map, MMIN, MMIN + 10 * PG, false, RW),
	                 KERN_SUCCESS);
	assert_int_equal(ncalls, 1);
	assert_int_equal(nregions(), 1);
	/* Execute alone removes read and write. */
	assert_int_equal(
	    vm_map_protect(map, MMIN, MMIN + PG, false, VM_PROT_EXECUTE),
	    KERN_SUCCESS);
	assert_int_equal(ncalls, 2);
	assert_int_equal(region_at(0).prot, VM_PROT_EXECUTE);
}

static void test_protect_set_max_lowers_current(void **state)
{
	struct region r;

	(void)state;
	enter_fixed(MMIN, 2 * PG, RW, ALL, VM_INHERIT_COPY);
	touch(MMIN);
	ncalls = 0;
	assert_int_equal(vm_map_protect(map, MMIN, MMIN + PG, true, R),
	                 KERN_SUCCESS);
	r = region_at(0);
	assert_int_equal(r.size, PG);
	assert_int_equal(r.max, R);
	assert_int_equal(r.prot, R);
	assert_int_equal(ncalls, 1);
	/* The maximum cannot be raised again. */
	assert_int_equal(vm_map_protect(map, MMIN, MMIN + PG, true, RW),
	                 KERN_PROTECTION_FAILURE);
	assert_int_equal(vm_map_protect(map, MMIN, MMIN + PG, false, RW),
	                 KERN_PROTECTION_FAILURE);
	/* A lower maximum that keeps the current one: no pmap call. */
	assert_int_equal(
	    vm_map_protect(map, MMIN + PG, MMIN + 2 * PG, true, RW),
	    KERN_SUCCESS);
	assert_int_equal(ncalls, 1);
	assert_int_equal(region_at(MMIN + PG).max, RW);
	assert_int_equal(region_at(MMIN + PG).prot, RW);
}

/* ---- vm_map_inherit ---- */

static void test_inherit_splits_skips_holes_and_merges(void **state)
{
	(void)state;
	enter_fixed(MMIN, 4 * PG, RW, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 6 * PG, 2 * PG, RW, ALL, VM_INHERIT_COPY);
	assert_int_equal(
	    vm_map_inherit(map, MMIN + PG, MMIN + 7 * PG, VM_INHERIT_SHARE),
	    KERN_SUCCESS);
	assert_int_equal(nregions(), 4);
	assert_int_equal(region_at(MMIN + PG).inh, VM_INHERIT_SHARE);
	assert_int_equal(region_at(MMIN + PG).size, 3 * PG);
	assert_int_equal(region_at(MMIN + 6 * PG).inh, VM_INHERIT_SHARE);
	assert_int_equal(region_at(MMIN + 6 * PG).size, PG);
	assert_int_equal(region_at(MMIN + 7 * PG).inh, VM_INHERIT_COPY);
	assert_int_equal(vm_map_inherit(map, 0, UINT64_MAX, VM_INHERIT_NONE),
	                 KERN_SUCCESS);
	assert_int_equal(nregions(), 2);
	assert_int_equal(vm_map_inherit(map, MMIN, MMIN + PG, 3),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(vm_map_inherit(map, MMIN, MMIN + PG, -1),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(vm_map_inherit(map, MMIN + PG, MMIN, VM_INHERIT_COPY),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(vm_map_inherit(map, MMIN, MMIN, VM_INHERIT_COPY),
	                 KERN_SUCCESS);
	assert_int_equal(ncalls, 0);
}

/* ---- vm_map_lookup and vm_map_region ---- */

static void test_lookup_for_faults(void **state)
{
	struct vm_map_lookup_result res;

	(void)state;
	enter_fixed(MMIN + 2 * PG, 4 * PG, R, ALL, VM_INHERIT_NONE);
	assert_int_equal(vm_map_lookup(map, MMIN + 3 * PG + 5, R, &res),
	                 KERN_SUCCESS);
	assert_int_equal(res.start, MMIN + 2 * PG);
	assert_int_equal(res.end, MMIN + 6 * PG);
	assert_int_equal(res.protection, R);
	assert_int_equal(res.max_protection, ALL);
	assert_int_equal(res.inheritance, VM_INHERIT_NONE);
	assert_null(res.object);
	assert_int_equal(res.offset, PG);
	assert_int_equal(vm_map_lookup(map, MMIN + 3 * PG, VM_PROT_WRITE, &res),
	                 KERN_PROTECTION_FAILURE);
	assert_int_equal(vm_map_lookup(map, MMIN + 3 * PG, VM_PROT_NONE, &res),
	                 KERN_SUCCESS);
	assert_int_equal(vm_map_lookup(map, MMIN + 6 * PG, R, &res),
	                 KERN_INVALID_ADDRESS);
	assert_int_equal(vm_map_lookup(map, MMIN + 2 * PG - 1, R, &res),
	                 KERN_INVALID_ADDRESS);
	assert_int_equal(vm_map_lookup(map, 0, R, &res), KERN_INVALID_ADDRESS);
}

static void test_region_at_after_and_past_last(void **state)
{
	struct region r;

	(void)state;
	assert_int_equal(region_at(0).size, 0); /* empty map: KERN_NO_SPACE */
	enter_fixed(MMIN + 2 * PG, PG, R, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 5 * PG, 2 * PG, RW, RW, VM_INHERIT_SHARE);
	r = region_at(MMIN + 2 * PG + 100);
	assert_int_equal(r.start, MMIN + 2 * PG);
	r = region_at(MMIN + 3 * PG);
	assert_int_equal(r.start, MMIN + 5 * PG);
	assert_int_equal(r.size, 2 * PG);
	assert_int_equal(r.prot, RW);
	assert_int_equal(r.max, RW);
	assert_int_equal(r.inh, VM_INHERIT_SHARE);
	r = region_at(MMIN + 7 * PG);
	assert_int_equal(r.size, 0);
	r = region_at(UINT64_MAX);
	assert_int_equal(r.size, 0);
}

/* ---- destruction and the checker ---- */

static void test_destroy_unmaps_every_region(void **state)
{
	(void)state;
	enter_fixed(MMIN, PG, RW, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 2 * PG, PG, RW, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 4 * PG, PG, RW, ALL, VM_INHERIT_COPY);
	touch(MMIN);
	touch(MMIN + 2 * PG);
	touch(MMIN + 4 * PG);
	ncalls = 0;
	vm_map_destroy(map);
	map = NULL;
	assert_int_equal(ncalls, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(calls[i].op, 'r');
}

static void test_untouched_regions_never_reach_the_pmap(void **state)
{
	(void)state;
	enter_fixed(MMIN, 4 * PG, RW, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 8 * PG, 4 * PG, RW, ALL, VM_INHERIT_COPY);
	ncalls = 0;
	/* No fault went through them: no translation can exist. */
	assert_int_equal(vm_map_protect(map, MMIN, MMIN + 4 * PG, false, R),
	                 KERN_SUCCESS);
	assert_int_equal(
	    vm_map_protect(map, MMIN + 8 * PG, MMIN + 12 * PG, false, R),
	    KERN_SUCCESS);
	assert_int_equal(vm_map_remove(map, MMIN + PG, MMIN + 2 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(ncalls, 0);
	/* A fault in one piece: its changes reach the pmap, the others'
	 * still do not. */
	touch(MMIN + 9 * PG);
	assert_int_equal(vm_map_remove(map, MMIN, MMIN + 12 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(ncalls, 1);
	assert_int_equal(calls[0].op, 'r');
	assert_int_equal(calls[0].start, MMIN + 8 * PG);
	assert_int_equal(calls[0].end, MMIN + 12 * PG);
}

static void test_merged_region_keeps_reaching_the_pmap(void **state)
{
	(void)state;
	enter_fixed(MMIN, 4 * PG, RW, ALL, VM_INHERIT_COPY);
	touch(MMIN);
	/* Split, then merged back: the touched part's translations still
	 * count. */
	assert_int_equal(
	    vm_map_protect(map, MMIN + 2 * PG, MMIN + 4 * PG, false, R),
	    KERN_SUCCESS);
	assert_int_equal(vm_map_protect(map, MMIN, MMIN + 4 * PG, false, RW),
	                 KERN_SUCCESS);
	assert_int_equal(nregions(), 1);
	ncalls = 0;
	assert_int_equal(vm_map_remove(map, MMIN + 3 * PG, MMIN + 4 * PG),
	                 KERN_SUCCESS);
	assert_int_equal(ncalls, 1);
}

static void test_null_ops_are_allowed(void **state)
{
	(void)state;
	vm_map_destroy(map);
	map = vm_map_create(MMIN, MMAX, NULL, NULL);
	enter_fixed(MMIN, 4 * PG, RW, ALL, VM_INHERIT_COPY);
	assert_int_equal(vm_map_protect(map, MMIN, MMIN + PG, false, R),
	                 KERN_SUCCESS);
	assert_int_equal(vm_map_remove(map, MMIN, MMIN + 2 * PG), KERN_SUCCESS);
	assert_int_equal(ncalls, 0);
}

static void test_checker_catches_unmerged_and_overlap(void **state)
{
	struct vm_map_entry *e;

	(void)state;
	enter_fixed(MMIN, PG, RW, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + PG, PG, R, ALL, VM_INHERIT_COPY);
	assert_true(vm_map_check(map));
	e = container_of(avl_last(&map->tree), struct vm_map_entry, node);
	e->protection = RW; /* now equal to its neighbour: unmerged */
	assert_false(vm_map_check(map));
	e->protection = R;
	e->start -= PG / 2 * 2; /* overlapping */
	assert_false(vm_map_check(map));
	e->start += PG;
	map->nentries++;
	assert_false(vm_map_check(map));
	map->nentries--;
	assert_true(vm_map_check(map));
}

static void test_split_failure_gives_back_first_spare(void **state)
{
	struct slab_cache *c = slab_cache_find("vm.map_entry");

	(void)state;
	enter_fixed(MMIN, 4 * PG, RW, ALL, VM_INHERIT_COPY);
	/* A change in the middle needs two entries; only one is left. */
	slab_cache_set_limit(c, c->live + 1);
	assert_int_equal(
	    vm_map_protect(map, MMIN + PG, MMIN + 2 * PG, false, R),
	    KERN_RESOURCE_SHORTAGE);
	slab_cache_set_limit(c, 0);
	assert_int_equal(nregions(), 1);
	/* Given back (the map may keep it as its one spare). */
	assert_int_equal(c->live,
	                 base_entry.live + 1 + (map->spare != NULL ? 1 : 0));
}

static void test_freed_entry_is_kept_for_the_next(void **state)
{
	struct slab_cache *c = slab_cache_find("vm.map_entry");
	struct slab_stats before, after;

	(void)state;
	enter_fixed(MMIN, PG, R, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 2 * PG, PG, RW, ALL, VM_INHERIT_COPY);
	assert_int_equal(vm_map_remove(map, MMIN + 2 * PG, MMIN + 3 * PG),
	                 KERN_SUCCESS);
	assert_non_null(map->spare);
	slab_cache_get_stats(c, &before);
	enter_fixed(MMIN + 4 * PG, PG, RW, ALL, VM_INHERIT_COPY);
	slab_cache_get_stats(c, &after);
	assert_null(map->spare);
	assert_int_equal(after.allocs, before.allocs);
	assert_int_equal(nregions(), 2);
	/* One spare at most: the others go back to the cache. */
	assert_int_equal(vm_map_remove(map, MMIN, MMIN + 5 * PG), KERN_SUCCESS);
	slab_cache_get_stats(c, &after);
	assert_int_equal(after.live, before.live - 1);
}

static void test_create_fails_when_maps_exhausted(void **state)
{
	struct slab_cache *c = slab_cache_find("vm.map");

	(void)state;
	slab_cache_set_limit(c, c->live);
	assert_null(vm_map_create(MMIN, MMAX, NULL, NULL));
	slab_cache_set_limit(c, 0);
}

static void test_enter_anywhere_mask_beyond_top_is_no_space(void **state)
{
	vaddr_t a = MMIN + PG;

	(void)state;
	/* Aligning the hint up would wrap past the top of the address space. */
	assert_int_equal(vm_map_enter(map, &a, PG, ~(vaddr_t)0 >> 1, true, RW,
	                              ALL, VM_INHERIT_COPY),
	                 KERN_NO_SPACE);
	a = UINT64_MAX;
	assert_int_equal(
	    vm_map_enter(map, &a, PG, 0xffff, true, RW, ALL, VM_INHERIT_COPY),
	    KERN_NO_SPACE);
	assert_int_equal(nregions(), 0);
}

/* Entries backed by one object merge only where the offsets continue. */
static void test_object_entries_merge_only_when_contiguous(void **state)
{
	struct vm_object *object = vm_object_create(8 * PG);
	struct vm_map_entry *a, *b;

	(void)state;
	assert_non_null(object);
	enter_fixed(MMIN, PG, R, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + PG, PG, RW, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 3 * PG, PG, R, ALL, VM_INHERIT_COPY);
	enter_fixed(MMIN + 4 * PG, PG, RW, ALL, VM_INHERIT_COPY);
	a = container_of(avl_first(&map->tree), struct vm_map_entry, node);
	b = container_of(avl_next(&a->node), struct vm_map_entry, node);
	a->object = b->object = object; /* object's first reference: A's */
	vm_object_reference(object);
	a->offset = 0;
	b->offset = PG;
	a = container_of(avl_next(&b->node), struct vm_map_entry, node);
	b = container_of(avl_next(&a->node), struct vm_map_entry, node);
	a->object = b->object = object;
	vm_object_reference(object);
	vm_object_reference(object);
	a->offset = 0;
	b->offset = 5 * PG;
	assert_int_equal(vm_map_protect(map, MMIN, MMIN + 8 * PG, false, R),
	                 KERN_INVALID_ADDRESS);
	assert_int_equal(vm_map_protect(map, MMIN, MMIN + 2 * PG, false, R),
	                 KERN_SUCCESS);
	assert_int_equal(
	    vm_map_protect(map, MMIN + 3 * PG, MMIN + 5 * PG, false, R),
	    KERN_SUCCESS);
	assert_int_equal(nregions(), 3);
	assert_int_equal(region_at(0).size, 2 * PG);
	assert_int_equal(object->refs, 3); /* the merge gave one back */
	/* A split keeps the object offset of each part. */
	assert_int_equal(
	    vm_map_inherit(map, MMIN + PG, MMIN + 2 * PG, VM_INHERIT_NONE),
	    KERN_SUCCESS);
	assert_int_equal(region_at(MMIN + PG).offset, PG);
	assert_int_equal(region_at(MMIN + 4 * PG).offset, 5 * PG);
	/* Object entries are not extended by an object-less enter. */
	enter_fixed(MMIN + 5 * PG, PG, R, ALL, VM_INHERIT_COPY);
	assert_int_equal(nregions(), 5);
	assert_int_equal(object->refs, 4); /* one per entry */
	vm_map_destroy(map);
	map = NULL;
	assert_int_equal(vm_object_stats.objects, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    MAP_TEST(test_enter_anywhere_is_first_fit_from_minimum),
	    MAP_TEST(test_enter_anywhere_starts_at_hint_and_skips_regions),
	    MAP_TEST(test_enter_anywhere_finds_holes_left_in_a_full_run),
	    MAP_TEST(test_enter_anywhere_small_holes_passed_over_stay_found),
	    MAP_TEST(test_enter_anywhere_honours_mask),
	    MAP_TEST(test_enter_anywhere_full_map_is_no_space),
	    MAP_TEST(test_enter_rounds_address_down_and_size_up),
	    MAP_TEST(test_enter_error_matrix),
	    MAP_TEST(test_enter_merges_only_equal_neighbours),
	    MAP_TEST(test_entry_limit_gives_no_space),
	    MAP_TEST(test_entry_exhaustion_is_resource_shortage),
	    MAP_TEST(test_remove_splits_at_both_edges),
	    MAP_TEST(test_remove_spanning_entries_and_holes),
	    MAP_TEST(test_protect_error_matrix),
	    MAP_TEST(test_protect_splits_and_merges_back),
	    MAP_TEST(test_protect_set_max_lowers_current),
	    MAP_TEST(test_inherit_splits_skips_holes_and_merges),
	    MAP_TEST(test_lookup_for_faults),
	    MAP_TEST(test_region_at_after_and_past_last),
	    MAP_TEST(test_destroy_unmaps_every_region),
	    MAP_TEST(test_untouched_regions_never_reach_the_pmap),
	    MAP_TEST(test_merged_region_keeps_reaching_the_pmap),
	    MAP_TEST(test_null_ops_are_allowed),
	    MAP_TEST(test_checker_catches_unmerged_and_overlap),
	    MAP_TEST(test_split_failure_gives_back_first_spare),
	    MAP_TEST(test_freed_entry_is_kept_for_the_next),
	    MAP_TEST(test_create_fails_when_maps_exhausted),
	    MAP_TEST(test_enter_anywhere_mask_beyond_top_is_no_space),
	    MAP_TEST(test_object_entries_merge_only_when_contiguous),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
