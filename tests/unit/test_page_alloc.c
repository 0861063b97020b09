/*
 * Unit tests of the buddy page allocator (kern/page_alloc.c).  Each test
 * gets fresh "physical memory": a block of this process's heap that the
 * memory map calls usable (the host direct map is the identity).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kern/memmap.h"
#include "kern/page_alloc.h"
#include "kern/panic.h"
#include "machine/host_test.h"

#define MiB       (1024UL * 1024)
#define PG        PAGE_SIZE
#define MEM_SIZE  (16 * MiB)
#define MEM_ALIGN (4 * MiB) /* one order-PAGE_ORDER_MAX block */

static char *mem;        /* the test's physical memory */
static paddr_t mem_base; /* its "physical" address */
static struct memmap map;
static struct page_alloc_stats start; /* right after page_alloc_init */

static int setup(void **state)
{
	(void)state;
	mem = aligned_alloc(MEM_ALIGN, MEM_SIZE);
	if (mem == NULL)
		return -1;
	mem_base = virt_to_phys(mem);
	page_alloc_reset_for_tests();
	memmap_init(&map);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	page_alloc_reset_for_tests();
	free(mem);
	return 0;
}

/* Start the allocator on the memory map built so far. */
static void boot(void)
{
	memmap_finish(&map);
	page_alloc_init(&map);
	page_alloc_get_stats(&start);
}

/* The whole test memory, usable. */
static void boot_plain(void)
{
	memmap_add(&map, mem_base, MEM_SIZE, MEMMAP_USABLE);
	boot();
}

/*
 * Usable memory starting at an unaligned address, with reserved holes,
 * and a lone last page, too small for the page array (which therefore
 * sits lower), whose buddy lies past the end of managed memory.
 */
static void boot_with_holes(void)
{
	memmap_add(&map, mem_base + 100, MEM_SIZE - 3 * PG - 100,
	           MEMMAP_USABLE);
	memmap_add(&map, mem_base + MEM_SIZE - 2 * PG, PG, MEMMAP_USABLE);
	memmap_add(&map, mem_base + 1 * MiB, 3 * PG, MEMMAP_RESERVED);
	memmap_add(&map, mem_base + 3 * MiB + 123, 5000, MEMMAP_RESERVED);
	boot();
}

/* Every counter but the call totals is where it started, and the free
 * lists agree with the page array. */
static void assert_at_start(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	assert_int_equal(st.managed_pages, start.managed_pages);
	assert_int_equal(st.free_pages, start.free_pages);
	assert_int_equal(st.allocated_pages, 0);
	assert_int_equal(st.alloc_calls - start.alloc_calls,
	                 st.free_calls - start.free_calls);
	page_alloc_check();
}

/* Allocate every page one by one into PAGES (room for MAX); returns how
 * many there were. */
static size_t alloc_all_pages(struct page **pages, size_t max)
{
	size_t n = 0;
	struct page *pg;

	while ((pg = page_alloc(0)) != NULL) {
		assert_true(n < max);
		pages[n++] = pg;
	}
	return n;
}

static void free_pages(struct page **pages, size_t n)
{
	while (n-- > 0)
		page_free(pages[n], 0);
}

static struct page *all[MEM_SIZE / PAGE_SIZE];

/* ---- initialisation ---- */

static void test_init_manages_usable_pages_minus_page_array(void **state)
{
	uint64_t usable;

	(void)state;
	memmap_add(&map, mem_base, MEM_SIZE, MEMMAP_USABLE);
	usable = memmap_finish(&map);
	page_alloc_init(&map);
	page_alloc_get_stats(&start);
	/* The array of struct page was carved out of the same memory. */
	assert_int_equal(start.managed_pages, memmap_usable_bytes(&map) / PG);
	assert_true(start.managed_pages < usable / PG);
	assert_true(start.managed_pages >=
	            usable / PG - (usable / PG * sizeof(struct page)) / PG - 1);
	assert_int_equal(start.free_pages, start.managed_pages);
	assert_int_equal(start.allocated_pages, 0);
	page_alloc_check();
}

static void test_init_twice_panics(void **state)
{
	(void)state;
	boot_plain();
	assert_true(EXPECT_PANIC(page_alloc_init(&map)));
	assert_non_null(strstr(host_panic_message, "twice"));
}

static void test_init_without_usable_memory_panics(void **state)
{
	(void)state;
	memmap_finish(&map);
	assert_true(EXPECT_PANIC(page_alloc_init(&map)));
}

static void test_init_without_room_for_page_array_panics(void **state)
{
	(void)state;
	/* Two lone pages 1 TiB apart: the array for the span cannot fit.
	 * Nothing is touched, so the addresses need no memory behind. */
	memmap_add(&map, 1UL << 30, PG, MEMMAP_USABLE);
	memmap_add(&map, (1UL << 30) + (1UL << 40), PG, MEMMAP_USABLE);
	memmap_finish(&map);
	assert_true(EXPECT_PANIC(page_alloc_init(&map)));
	assert_non_null(strstr(host_panic_message, "page array"));
}

static void test_alloc_before_init_returns_null(void **state)
{
	(void)state;
	assert_null(page_alloc(0));
	assert_null(phys_to_page(mem_base));
	page_alloc_check(); /* nothing to check, nothing to panic about */
}

/* ---- allocation ---- */

static void test_alloc_and_free_every_order(void **state)
{
	struct page_alloc_stats st;
	unsigned order;

	(void)state;
	boot_plain();
	for (order = 0; order <= PAGE_ORDER_MAX; order++) {
		struct page *pg = page_alloc(order);

		assert_non_null(pg);
		page_alloc_get_stats(&st);
		assert_int_equal(st.allocated_pages, 1UL << order);
		assert_int_equal(st.free_pages,
		                 start.free_pages - (1UL << order));
		/* The whole block is ours to write. */
		memset(page_to_virt(pg), 0xa5, PG << order);
		page_alloc_check();
		page_free(pg, order);
	}
	assert_at_start();
}

static void test_alloc_above_max_order_fails_and_counts(void **state)
{
	struct page_alloc_stats st;

	(void)state;
	boot_plain();
	assert_null(page_alloc(PAGE_ORDER_MAX + 1));
	page_alloc_get_stats(&st);
	assert_int_equal(st.failed_calls, start.failed_calls + 1);
	assert_at_start();
}

static void test_exhaustion_returns_null_and_counts_failure(void **state)
{
	struct page_alloc_stats st;
	size_t n;

	(void)state;
	boot_plain();
	n = alloc_all_pages(all, ARRAY_SIZE(all));
	assert_int_equal(n, start.managed_pages);
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_pages, 0);
	assert_int_equal(st.failed_calls, start.failed_calls + 1);
	assert_null(page_alloc(0));
	assert_null(page_alloc(3));
	page_alloc_get_stats(&st);
	assert_int_equal(st.failed_calls, start.failed_calls + 3);
	free_pages(all, n);
	assert_at_start();
}

static void test_large_block_fails_when_memory_is_fragmented(void **state)
{
	size_t n, i;

	(void)state;
	boot_plain();
	n = alloc_all_pages(all, ARRAY_SIZE(all));
	/* Free every other page: half the memory is free, no pair is. */
	for (i = 0; i < n; i++)
		if (page_to_phys(all[i]) / PG % 2 == 0) {
			page_free(all[i], 0);
			all[i] = NULL;
		}
	assert_null(page_alloc(1));
	for (i = 0; i < n; i++)
		if (all[i] != NULL)
			page_free(all[i], 0);
	assert_at_start();
}

/* Allocate maximal blocks until none is left; free them; return how many. */
static size_t count_max_blocks(void)
{
	struct page *blocks[8];
	size_t n = 0, i;

	while (n < ARRAY_SIZE(blocks) &&
	       (blocks[n] = page_alloc(PAGE_ORDER_MAX)) != NULL)
		n++;
	for (i = 0; i < n; i++)
		page_free(blocks[i], PAGE_ORDER_MAX);
	return n;
}

static void test_freeing_everything_coalesces_back(void **state)
{
	size_t fresh, n;

	(void)state;
	boot_plain();
	fresh = count_max_blocks();
	assert_true(fresh >= 1);
	/* Grind everything into single pages, give it all back. */
	n = alloc_all_pages(all, ARRAY_SIZE(all));
	free_pages(all, n);
	page_alloc_check();
	assert_int_equal(count_max_blocks(), fresh);
	assert_at_start();
}

static void test_freed_buddies_merge_and_non_buddies_do_not(void **state)
{
	struct page *a = NULL, *b, *c, *pg;
	paddr_t pa;
	size_t n, i;

	(void)state;
	boot_plain();
	n = alloc_all_pages(all, ARRAY_SIZE(all));
	/* Pages at pfn 4k+1, 4k+2 (neighbours, not buddies) and 4k+3 (the
	 * buddy of 4k+2); all allocated, so phys_to_page finds them. */
	for (pa = mem_base + PG; pa + 3 * PG <= mem_base + MEM_SIZE;
	     pa += 4 * PG) {
		if (phys_to_page(pa) && phys_to_page(pa + 2 * PG)) {
			a = phys_to_page(pa);
			break;
		}
	}
	assert_non_null(a);
	b = a + 1;
	c = a + 2;

	page_free(a, 0);
	page_free(b, 0);
	assert_null(page_alloc(1));
	page_free(c, 0);
	pg = page_alloc(1);
	assert_ptr_equal(pg, b);
	page_free(pg, 1);
	for (i = 0; i < n; i++)
		if (all[i] != a && all[i] != b && all[i] != c)
			page_free(all[i], 0);
	assert_at_start();
}

static void test_blocks_are_naturally_aligned(void **state)
{
	struct page *got[64];
	unsigned order, n, i;

	(void)state;
	boot_with_holes(); /* memory starts at an odd page */
	for (order = 0; order <= PAGE_ORDER_MAX; order++) {
		for (n = 0; n < ARRAY_SIZE(got); n++) {
			got[n] = page_alloc(order);
			if (got[n] == NULL)
				break;
			assert_true(
			    IS_ALIGNED(page_to_phys(got[n]), PG << order));
		}
		assert_true(n > 0);
		for (i = 0; i < n; i++)
			page_free(got[i], order);
	}
	assert_at_start();
}

/* True when [PA, PA + PG) lies inside one of map.usable's ranges. */
static bool in_usable(paddr_t pa)
{
	unsigned i;

	for (i = 0; i < map.nusable; i++)
		if (pa >= map.usable[i].base && pa + PG <= map.usable[i].end)
			return true;
	return false;
}

static void test_never_hands_out_reserved_pages(void **state)
{
	static bool seen[MEM_SIZE / PAGE_SIZE];
	size_t n, i;

	(void)state;
	memset(seen, 0, sizeof(seen));
	boot_with_holes(); /* map.usable now excludes the page array too */
	n = alloc_all_pages(all, ARRAY_SIZE(all));
	assert_int_equal(n, start.managed_pages);
	for (i = 0; i < n; i++) {
		paddr_t pa = page_to_phys(all[i]);
		size_t slot = (pa - mem_base) / PG;

		assert_true(in_usable(pa));
		assert_false(pa < mem_base + PG); /* the unaligned head */
		assert_false(pa >= mem_base + 1 * MiB &&
		             pa < mem_base + 1 * MiB + 3 * PG);
		assert_false(pa >= mem_base + 3 * MiB &&
		             pa < mem_base + 3 * MiB + 2 * PG);
		assert_false(pa == mem_base + MEM_SIZE - 3 * PG);
		assert_false(seen[slot]);
		seen[slot] = true;
	}
	assert_true(seen[MEM_SIZE / PG - 2]); /* the lone last page */
	free_pages(all, n);
	assert_at_start();
}

/* ---- invalid frees ---- */

static void test_double_free_panics(void **state)
{
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(2);
	assert_non_null(pg);
	page_free(pg, 2);
	assert_true(EXPECT_PANIC(page_free(pg, 2)));
	assert_non_null(strstr(host_panic_message, "page_free"));
	/* The allocator is still usable after the caught panic. */
	pg = page_alloc(0);
	assert_non_null(pg);
	page_free(pg, 0);
	assert_at_start();
}

static void test_double_free_after_merge_panics(void **state)
{
	struct page *a, *b;

	(void)state;
	boot_plain();
	a = page_alloc(0);
	b = page_alloc(0);
	page_free(a, 0);
	page_free(b, 0); /* may merge with a: a is no longer a head */
	assert_true(EXPECT_PANIC(page_free(a, 0)));
	assert_true(EXPECT_PANIC(page_free(b, 0)));
	assert_at_start();
}

static void test_free_with_wrong_order_panics(void **state)
{
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(3);
	assert_true(EXPECT_PANIC(page_free(pg, 2)));
	assert_non_null(strstr(host_panic_message, "wrong order"));
	assert_true(EXPECT_PANIC(page_free(pg, 4)));
	assert_true(EXPECT_PANIC(page_free(pg, PAGE_ORDER_MAX + 5)));
	page_free(pg, 3);
	assert_at_start();
}

static void test_free_of_unmanaged_page_panics(void **state)
{
	struct page fake;
	struct page *near;

	(void)state;
	memset(&fake, 0, sizeof(fake));
	fake.flags = PG_HEAD;
	boot_with_holes();
	assert_true(EXPECT_PANIC(page_free(&fake, 0)));
	assert_non_null(strstr(host_panic_message, "not a managed page"));
	assert_true(EXPECT_PANIC(page_free(NULL, 0)));
	/* A struct page of the array, but for a reserved hole. */
	near = phys_to_page(mem_base + 1 * MiB - PG);
	assert_non_null(near);
	assert_true(EXPECT_PANIC(page_free(near + 1, 0)));
	/* A pointer into the middle of an array element. */
	assert_true(
	    EXPECT_PANIC(page_free((struct page *)((char *)near + 1), 0)));
	assert_at_start();
}

static void test_free_of_non_head_page_panics(void **state)
{
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(2);
	assert_true(EXPECT_PANIC(page_free(pg + 1, 0)));
	assert_non_null(strstr(host_panic_message, "not the head"));
	assert_true(EXPECT_PANIC(page_free(pg + 2, 1)));
	page_free(pg, 2);
	assert_at_start();
}

static void test_free_of_slab_page_panics(void **state)
{
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(0);
	pg->flags |= PG_SLAB;
	assert_true(EXPECT_PANIC(page_free(pg, 0)));
	pg->flags &= ~PG_SLAB;
	page_free(pg, 0);
	assert_at_start();
}

static void test_free_va_of_bad_address_panics(void **state)
{
	char *va;
	int local;

	(void)state;
	boot_plain();
	va = page_alloc_va(1);
	assert_non_null(va);
	assert_true(EXPECT_PANIC(page_free_va(va + 1, 1)));
	assert_true(EXPECT_PANIC(page_free_va(&local, 0)));
	page_free_va(va, 1);
	assert_at_start();
}

/* ---- conversions, counters, consistency ---- */

static void test_conversions_round_trip(void **state)
{
	struct page *pg;
	void *va;

	(void)state;
	boot_plain();
	pg = page_alloc(0);
	va = page_to_virt(pg);
	assert_ptr_equal(virt_to_page(va), pg);
	assert_ptr_equal(phys_to_page(page_to_phys(pg)), pg);
	assert_ptr_equal(virt_to_page((char *)va + PG - 1), pg);
	assert_int_equal(page_to_phys(pg), virt_to_phys(va));
	assert_true((char *)va >= mem && (char *)va < mem + MEM_SIZE);
	page_free(pg, 0);
	assert_at_start();
}

static void test_unmanaged_addresses_have_no_page(void **state)
{
	int local;

	(void)state;
	boot_with_holes();
	assert_null(phys_to_page(0));
	assert_null(phys_to_page(mem_base - PG));
	assert_null(phys_to_page(mem_base)); /* the unaligned head page */
	assert_null(phys_to_page(mem_base + 1 * MiB)); /* reserved hole */
	assert_null(phys_to_page(mem_base + MEM_SIZE));
	assert_null(virt_to_page(&local));
	assert_non_null(phys_to_page(mem_base + PG));
	assert_at_start();
}

static void test_va_alloc_returns_writable_block(void **state)
{
	char *va;

	(void)state;
	boot_plain();
	va = page_alloc_va(2);
	assert_non_null(va);
	assert_true(IS_ALIGNED((uintptr_t)va, 4 * PG));
	memset(va, 0x5a, 4 * PG);
	page_free_va(va, 2);
	assert_null(page_alloc_va(PAGE_ORDER_MAX + 1));
	assert_at_start();
}

static void test_counters_track_calls_and_return_to_start(void **state)
{
	struct page_alloc_stats st;
	struct page *a, *b, *c;

	(void)state;
	boot_plain();
	a = page_alloc(0);
	b = page_alloc(4);
	c = page_alloc(PAGE_ORDER_MAX);
	page_alloc_get_stats(&st);
	assert_int_equal(st.alloc_calls, start.alloc_calls + 3);
	assert_int_equal(st.allocated_pages, 1 + 16 + (1 << PAGE_ORDER_MAX));
	assert_int_equal(st.free_pages + st.allocated_pages, st.managed_pages);
	page_free(b, 4);
	page_free(a, 0);
	page_free(c, PAGE_ORDER_MAX);
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_calls, start.free_calls + 3);
	assert_int_equal(st.failed_calls, start.failed_calls);
	assert_at_start();
}

static void test_check_detects_stray_free_flag(void **state)
{
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(0);
	pg->flags |= PG_FREE; /* free, but on no list */
	assert_true(EXPECT_PANIC(page_alloc_check()));
	assert_non_null(strstr(host_panic_message, "page_alloc_check"));
	pg->flags &= ~PG_FREE;
	page_free(pg, 0);
	assert_at_start();
}

static void test_check_detects_page_in_no_block(void **state)
{
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(0);
	pg->flags &= ~PG_HEAD; /* allocated, but no longer a block head */
	assert_true(EXPECT_PANIC(page_alloc_check()));
	pg->flags |= PG_HEAD;
	page_free(pg, 0);
	assert_at_start();
}

static void test_check_detects_wrong_flags_on_free_block(void **state)
{
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(1);            /* a block: no CPU cache holds it */
	page_free(pg, 1);              /* now on a free list, maybe merged */
	while (!(pg->flags & PG_FREE)) /* find the merged block's head */
		pg--;
	pg->flags |= PG_SLAB;
	assert_true(EXPECT_PANIC(page_alloc_check()));
	assert_non_null(strstr(host_panic_message, "wrong flags"));
	pg->flags &= ~PG_SLAB;
	assert_at_start();
}

static void test_check_detects_overlapping_blocks(void **state)
{
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(1);
	pg[1].flags = PG_HEAD; /* a block inside a block */
	assert_true(EXPECT_PANIC(page_alloc_check()));
	assert_non_null(strstr(host_panic_message, "overlaps"));
	pg[1].flags = 0;
	page_free(pg, 1);
	assert_at_start();
}

/* ---- the per-CPU caches of single pages ---- */

/* The cache's geometry, as page_alloc.c fixes it. */
#define CACHE_HIGH  64
#define CACHE_BATCH 32

/* How many pages of the test memory are in some CPU's cache. */
static size_t cached_pages(void)
{
	size_t n = 0;
	paddr_t a;

	for (a = mem_base; a < mem_base + MEM_SIZE; a += PG) {
		struct page *pg = phys_to_page(a);

		if (pg != NULL && (pg->flags & PG_CACHED))
			n++;
	}
	return n;
}

static void test_first_single_page_refills_a_batch(void **state)
{
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(0);
	assert_non_null(pg);
	/* The rest of the batch waits in this CPU's cache, still free. */
	assert_int_equal(cached_pages(), CACHE_BATCH - 1);
	page_alloc_check();
	page_free(pg, 0);
	assert_int_equal(cached_pages(), CACHE_BATCH);
	assert_at_start();
}

static void test_freed_page_is_cached_and_comes_back_first(void **state)
{
	struct page_alloc_stats st;
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(0);
	page_free(pg, 0);
	assert_int_equal(pg->flags, PG_CACHED);
	/* Cached pages count as free, and the check accounts for them. */
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_pages, start.free_pages);
	assert_int_equal(st.allocated_pages, 0);
	page_alloc_check();
	assert_ptr_equal(page_alloc(0), pg);
	assert_int_equal(pg->flags, PG_HEAD);
	page_free(pg, 0);
	assert_at_start();
}

static void test_full_cache_drains_a_batch_to_the_buddy(void **state)
{
	size_t i, n = CACHE_HIGH + 1;

	(void)state;
	boot_plain();
	for (i = 0; i < n; i++)
		all[i] = page_alloc(0);
	/* Three refills of a batch each, 65 pages taken: 31 left. */
	assert_int_equal(cached_pages(), 3 * CACHE_BATCH - n);
	for (i = 0; i < n; i++) {
		size_t before = cached_pages();

		page_free(all[i], 0);
		if (before < CACHE_HIGH) {
			assert_int_equal(cached_pages(), before + 1);
		} else {
			/* Full: the 32 oldest went back to the buddy. */
			assert_int_equal(cached_pages(),
			                 CACHE_HIGH - CACHE_BATCH + 1);
		}
	}
	assert_int_equal(cached_pages(), CACHE_HIGH);
	assert_at_start();
}

static void test_cached_page_freed_again_panics(void **state)
{
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(0);
	page_free(pg, 0);
	assert_true(EXPECT_PANIC(page_free(pg, 0)));
	assert_non_null(strstr(host_panic_message, "already free"));
	assert_true(EXPECT_PANIC(page_free(pg, 1)));
	assert_at_start();
}

static void test_free_batch_caches_every_page(void **state)
{
	struct page_alloc_stats st;
	size_t i;

	(void)state;
	boot_plain();
	for (i = 0; i < 100; i++)
		all[i] = page_alloc(0);
	page_free_batch(all, 100); /* past a full cache: drains on the way */
	assert_true(cached_pages() <= CACHE_HIGH);
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_calls - start.free_calls, 100);
	assert_at_start();
}

static void test_free_batch_panics_on_a_bad_page(void **state)
{
	struct page *pages[3];

	(void)state;
	boot_plain();
	pages[0] = page_alloc(0);
	pages[1] = page_alloc(1); /* not a single page */
	pages[2] = page_alloc(0);
	assert_true(EXPECT_PANIC(page_free_batch(pages, 3)));
	assert_non_null(strstr(host_panic_message, "wrong order"));
	/* The page before the bad one is freed, the others are not. */
	assert_int_equal(pages[0]->flags, PG_CACHED);
	page_free(pages[1], 1);
	page_free(pages[2], 0);
	assert_at_start();
}

/*
 * Pages cached on another CPU are not lost to this one: when the buddy
 * has nothing, page_alloc empties every cache and tries again.
 */
static void test_exhaustion_drains_other_cpus_caches(void **state)
{
	struct page_alloc_stats st;
	size_t n, i;

	(void)state;
	boot_plain();
	host_set_cpu_id(1);
	n = alloc_all_pages(all, ARRAY_SIZE(all));
	/* CPU 1 gives back ten pages, which stay in its cache. */
	for (i = 0; i < 10; i++)
		page_free(all[--n], 0);
	host_set_cpu_id(0);
	assert_int_equal(cached_pages(), 10);
	for (i = 0; i < 10; i++) {
		all[n++] = page_alloc(0);
		assert_non_null(all[n - 1]);
	}
	assert_null(page_alloc(0));
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_pages, 0);
	free_pages(all, n);
	assert_at_start();
}

/* A block that only merging cached pages can make is found too. */
static void test_exhaustion_merges_cached_buddies_for_a_block(void **state)
{
	struct page *pg;
	size_t n, i, j;

	(void)state;
	boot_plain();
	host_set_cpu_id(1);
	n = alloc_all_pages(all, ARRAY_SIZE(all));
	host_set_cpu_id(0);
	/* Free an aligned pair on CPU 2: both sit in its cache. */
	for (i = 0; i + 1 < n; i++)
		if (all[i + 1] == all[i] + 1 &&
		    page_to_phys(all[i]) / PG % 2 == 0)
			break;
	assert_true(i + 1 < n);
	host_set_cpu_id(2);
	page_free(all[i], 0);
	page_free(all[i + 1], 0);
	host_set_cpu_id(0);
	assert_null(page_alloc(2));
	pg = page_alloc(1);
	assert_ptr_equal(pg, all[i]);
	page_free(pg, 1);
	for (j = 0; j < n; j++)
		if (j != i && j != i + 1)
			page_free(all[j], 0);
	assert_at_start();
}

static bool privileged_caller;

static bool privileged(void)
{
	return privileged_caller;
}

/* Cached pages are free pages for the reserve too: a caller that is not
 * privileged cannot take them once only the reserve is left. */
static void test_reserve_holds_with_pages_in_the_cache(void **state)
{
	struct page_alloc_stats st;
	size_t n;

	(void)state;
	boot_plain();
	page_alloc_privileged = privileged;
	page_alloc_set_reserve(40);
	n = alloc_all_pages(all, ARRAY_SIZE(all));
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_pages, 40);
	/* Give ten back: they sit in this CPU's cache; 50 free. */
	free_pages(all + n - 10, 10);
	n -= 10;
	assert_true(cached_pages() >= 10);
	for (size_t i = 0; i < 10; i++)
		all[n++] = page_alloc(0);
	assert_non_null(all[n - 1]);
	assert_null(page_alloc(0));
	privileged_caller = true;
	all[n] = page_alloc(0);
	assert_non_null(all[n]);
	n++;
	privileged_caller = false;
	page_alloc_set_reserve(0);
	page_alloc_privileged = NULL;
	free_pages(all, n);
	assert_at_start();
}

static void test_check_detects_cached_page_in_no_cache(void **state)
{
	struct page *pg;

	(void)state;
	boot_plain();
	pg = page_alloc(0);
	pg->flags = PG_CACHED; /* looks cached, but no cache holds it */
	assert_true(EXPECT_PANIC(page_alloc_check()));
	assert_non_null(strstr(host_panic_message, "cached page in no cache"));
	pg->flags = PG_HEAD;
	page_free(pg, 0);
	assert_at_start();
}

#define THREADS 4

/* One "CPU": allocates and frees blocks of mixed orders, writing a tag
 * into each to catch two CPUs being handed the same page. */
static void *page_worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg, i, n = 0;
	struct page *held[16];

	host_set_cpu_id(id);
	for (i = 0; i < 4000; i++) {
		unsigned order = (i * 7 + id) % 4;
		struct page *pg = page_alloc(order);

		if (pg != NULL) {
			*(unsigned *)page_to_virt(pg) = id;
			held[n++] = pg;
		}
		if (n == ARRAY_SIZE(held) || (pg == NULL && n > 0)) {
			while (n > 0) {
				pg = held[--n];
				if (*(unsigned *)page_to_virt(pg) != id)
					return (void *)1;
				page_free(pg, pg->order);
			}
		}
	}
	while (n > 0) {
		struct page *pg = held[--n];

		page_free(pg, pg->order);
	}
	return NULL;
}

static void test_concurrent_cpus_share_the_allocator_safely(void **state)
{
	pthread_t t[THREADS];
	unsigned i;
	void *bad;

	(void)state;
	boot_plain();
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, page_worker,
		                                (void *)(uintptr_t)(i + 1)),
		                 0);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
	assert_at_start();
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_init_manages_usable_pages_minus_page_array),
	    T(test_init_twice_panics),
	    T(test_init_without_usable_memory_panics),
	    T(test_init_without_room_for_page_array_panics),
	    T(test_alloc_before_init_returns_null),
	    T(test_alloc_and_free_every_order),
	    T(test_alloc_above_max_order_fails_and_counts),
	    T(test_exhaustion_returns_null_and_counts_failure),
	    T(test_large_block_fails_when_memory_is_fragmented),
	    T(test_freeing_everything_coalesces_back),
	    T(test_freed_buddies_merge_and_non_buddies_do_not),
	    T(test_blocks_are_naturally_aligned),
	    T(test_never_hands_out_reserved_pages),
	    T(test_double_free_panics),
	    T(test_double_free_after_merge_panics),
	    T(test_free_with_wrong_order_panics),
	    T(test_free_of_unmanaged_page_panics),
	    T(test_free_of_non_head_page_panics),
	    T(test_free_of_slab_page_panics),
	    T(test_free_va_of_bad_address_panics),
	    T(test_conversions_round_trip),
	    T(test_unmanaged_addresses_have_no_page),
	    T(test_va_alloc_returns_writable_block),
	    T(test_counters_track_calls_and_return_to_start),
	    T(test_check_detects_stray_free_flag),
	    T(test_check_detects_page_in_no_block),
	    T(test_check_detects_wrong_flags_on_free_block),
	    T(test_check_detects_overlapping_blocks),
	    T(test_first_single_page_refills_a_batch),
	    T(test_freed_page_is_cached_and_comes_back_first),
	    T(test_full_cache_drains_a_batch_to_the_buddy),
	    T(test_cached_page_freed_again_panics),
	    T(test_free_batch_caches_every_page),
	    T(test_free_batch_panics_on_a_bad_page),
	    T(test_exhaustion_drains_other_cpus_caches),
	    T(test_exhaustion_merges_cached_buddies_for_a_block),
	    T(test_reserve_holds_with_pages_in_the_cache),
	    T(test_check_detects_cached_page_in_no_cache),
	    T(test_concurrent_cpus_share_the_allocator_safely),
	};
#undef T

	return cmocka_run_group_tests_name("page_alloc", tests, NULL, NULL);
}
