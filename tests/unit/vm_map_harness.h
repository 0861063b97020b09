/*
 * tests/unit/vm_map_harness.h — the fixture of the address-space map's
 * unit tests (test_vm_map.c, test_vm_map_model.c): a map over fresh
 * pages whose pmap hooks are recorded, and helpers to enter, touch and
 * look at regions.  Each test ends by checking that the map caches'
 * counters are back where they started.
 */
#ifndef VM_MAP_HARNESS_H
#define VM_MAP_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kern/avl.h"
#include "kern/memmap.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "machine/host_test.h"
#include "vm/map.h"
#include "vm/object.h"

#define MiB        (1024UL * 1024)
#define PG         ((vaddr_t)PAGE_SIZE)
#define MEM_SIZE   (16 * MiB)
#define MEM_ALIGN  (4 * MiB)
#define ARRAY_N(a) (sizeof(a) / sizeof((a)[0]))

/* The test map: pages [MIN_PG, MAX_PG). */
#define MIN_PG 16
#define MAX_PG 272
#define MMIN   (MIN_PG * PG)
#define MMAX   (MAX_PG * PG)

#define RW  VM_PROT_DEFAULT
#define ALL VM_PROT_ALL
#define R   VM_PROT_READ

static char *mem;
static struct memmap mm;
static struct vm_map *map;
static struct slab_stats base_map, base_entry;

/* The pmap hook's calls, recorded. */
#define MAX_CALLS 64
static struct call {
	char op; /* 'r' remove, 'p' protect */
	vaddr_t start, end;
	vm_prot_t prot;
} calls[MAX_CALLS];
static unsigned ncalls;
static int pmap_token;

static void rec_remove(void *pmap, vaddr_t start, vaddr_t end)
{
	assert_ptr_equal(pmap, &pmap_token);
	if (ncalls < MAX_CALLS)
		calls[ncalls++] = (struct call){'r', start, end, 0};
}

static void rec_protect(void *pmap, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	assert_ptr_equal(pmap, &pmap_token);
	if (ncalls < MAX_CALLS)
		calls[ncalls++] = (struct call){'p', start, end, prot};
}

static const struct vm_map_pmap_ops rec_ops = {rec_remove, rec_protect};

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
	memset(&vm_object_stats, 0, sizeof(vm_object_stats));
	slab_cache_get_stats(slab_cache_find("vm.map"), &base_map);
	slab_cache_get_stats(slab_cache_find("vm.map_entry"), &base_entry);
	ncalls = 0;
	map = vm_map_create(MMIN, MMAX, &pmap_token, &rec_ops);
	return map != NULL ? 0 : -1;
}

/* Destroy the map; every map and entry object must be back. */
static int teardown(void **state)
{
	struct slab_stats a, b;
	bool ok;

	(void)state;
	if (map != NULL)
		vm_map_destroy(map);
	map = NULL;
	slab_cache_get_stats(slab_cache_find("vm.map"), &a);
	slab_cache_get_stats(slab_cache_find("vm.map_entry"), &b);
	ok = a.live == base_map.live && b.live == base_entry.live &&
	     a.allocs - base_map.allocs == a.frees - base_map.frees &&
	     b.allocs - base_entry.allocs == b.frees - base_entry.frees;
	if (!ok)
		print_error("vm map caches: %lu maps, %lu entries leaked\n",
		            (unsigned long)(a.live - base_map.live),
		            (unsigned long)(b.live - base_entry.live));
	slab_reset_for_tests();
	page_alloc_reset_for_tests();
	free(mem);
	return ok ? 0 : -1;
}

static inline vaddr_t enter_fixed(vaddr_t addr, uint64_t size, vm_prot_t prot,
                                  vm_prot_t max, vm_inherit_t inh)
{
	vaddr_t a = addr;

	assert_int_equal(vm_map_enter(map, &a, size, 0, false, prot, max, inh),
	                 KERN_SUCCESS);
	assert_int_equal(a, addr);
	return a;
}

static inline vaddr_t enter_any(vaddr_t hint, uint64_t size)
{
	vaddr_t a = hint;

	assert_int_equal(
	    vm_map_enter(map, &a, size, 0, true, RW, ALL, VM_INHERIT_COPY),
	    KERN_SUCCESS);
	return a;
}

static inline kern_return_t fault_nothing(void *ctx, vaddr_t addr,
                                          const struct vm_map_lookup_result *r)
{
	(void)ctx;
	(void)addr;
	(void)r;
	return KERN_SUCCESS;
}

/* Resolve a read fault at ADDR, as the fault path does before it enters a
 * translation: from then on the region's changes must reach the pmap. */
static inline void touch(vaddr_t addr)
{
	assert_int_equal(
	    vm_map_lookup_apply(map, addr, VM_PROT_NONE, fault_nothing, NULL),
	    KERN_SUCCESS);
}

/* The region at or after ADDR: its start and size (0 if none). */
struct region {
	vaddr_t start;
	uint64_t size;
	vm_prot_t prot, max;
	vm_inherit_t inh;
	uint64_t offset;
};

static inline struct region region_at(vaddr_t addr)
{
	struct region r = {addr, 0, 0, 0, 0, 0};
	bool shared = true;

	if (vm_map_region(map, &r.start, &r.size, &r.prot, &r.max, &r.inh,
	                  &shared, &r.offset) != KERN_SUCCESS)
		return (struct region){0, 0, 0, 0, 0, 0};
	assert_false(shared);
	return r;
}

static inline unsigned nregions(void)
{
	assert_true(vm_map_check(map));
	return map->nentries;
}

#define MAP_TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

#endif
