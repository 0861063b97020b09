/*
 * Unit tests of the slab caches and kmalloc (kern/slab.c).  Each test runs
 * on a fresh page allocator over heap memory, and ends by checking that
 * every registered cache's counters are back where they started and that
 * every page went back to the page allocator.
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
#include "kern/slab.h"
#include "machine/host_test.h"

#define MiB        (1024UL * 1024)
#define PG         PAGE_SIZE
#define MEM_SIZE   (16 * MiB)
#define MEM_ALIGN  (4 * MiB)
#define MAX_CACHES 64

static char *mem;
static struct memmap map;
static struct page_alloc_stats pstart;

/* Each registered cache's counters when the test started. */
static struct {
	struct slab_cache *cache;
	struct slab_stats st;
} base[MAX_CACHES];
static unsigned nbase;

/* The caches a test made; destroyed by the teardown. */
static struct slab_cache tc, tc2;

static void snapshot(struct slab_cache *cache, void *arg)
{
	(void)arg;
	assert_true(nbase < MAX_CACHES);
	base[nbase].cache = cache;
	slab_cache_get_stats(cache, &base[nbase].st);
	nbase++;
}

/* A clean slate, whatever the previous test left behind. */
static int setup(void **state)
{
	(void)state;
	mem = aligned_alloc(MEM_ALIGN, MEM_SIZE);
	if (mem == NULL)
		return -1;
	page_alloc_reset_for_tests();
	slab_reset_for_tests();
	memmap_init(&map);
	memmap_add(&map, virt_to_phys(mem), MEM_SIZE, MEMMAP_USABLE);
	memmap_finish(&map);
	page_alloc_init(&map);
	page_alloc_get_stats(&pstart);
	memset(&tc, 0, sizeof(tc));
	memset(&tc2, 0, sizeof(tc2));
	nbase = 0;
	slab_cache_foreach(snapshot, NULL);
	return 0;
}

static void reap(struct slab_cache *cache, void *arg)
{
	(void)arg;
	slab_cache_reap(cache);
}

/* Destroy a test cache if the test made it; false if it had leaks. */
static bool destroy_test_cache(struct slab_cache *cache)
{
	if (cache->all_link.next == NULL)
		return true;
	if (cache->live != 0) {
		print_error("cache %s: %lu objects leaked\n", cache->name,
		            (unsigned long)cache->live);
		return false;
	}
	slab_cache_destroy(cache);
	return true;
}

/*
 * The leak check: every cache that existed at the start has the same live
 * count; once reaped (twice: slab-desc gets descriptors back from the
 * other caches), no cache holds a slab and every page is free again.
 * It reports rather than asserts, so that it always resets everything
 * and frees the memory, and a failed test cannot spoil the next.
 */
static int teardown(void **state)
{
	struct page_alloc_stats st;
	bool ok = true;
	unsigned i;

	(void)state;
	ok &= destroy_test_cache(&tc);
	ok &= destroy_test_cache(&tc2);
	slab_cache_foreach(reap, NULL);
	slab_cache_foreach(reap, NULL);
	for (i = 0; i < nbase; i++) {
		struct slab_stats now;

		slab_cache_get_stats(base[i].cache, &now);
		if (now.live != base[i].st.live ||
		    now.allocs - base[i].st.allocs !=
		        now.frees - base[i].st.frees ||
		    now.slabs != 0) {
			print_error("cache %s: live %lu, slabs %lu after the "
			            "test\n",
			            base[i].cache->name,
			            (unsigned long)now.live,
			            (unsigned long)now.slabs);
			ok = false;
		}
	}
	page_alloc_get_stats(&st);
	if (ok && st.free_pages != pstart.free_pages) {
		print_error("%lu pages not given back\n",
		            (unsigned long)(pstart.free_pages - st.free_pages));
		ok = false;
	}
	if (ok)
		page_alloc_check();
	slab_reset_for_tests();
	page_alloc_reset_for_tests();
	free(mem);
	return ok ? 0 : -1;
}

static struct slab_stats stats(struct slab_cache *cache)
{
	struct slab_stats st;

	slab_cache_get_stats(cache, &st);
	return st;
}

/* ---- basic allocation ---- */

static void test_alloc_returns_distinct_aligned_objects(void **state)
{
	void *obj[40];
	unsigned i, j;

	(void)state;
	slab_cache_init(&tc, "test-48", 40, 16);
	assert_int_equal(tc.obj_size, 48);
	for (i = 0; i < ARRAY_SIZE(obj); i++) {
		obj[i] = slab_alloc(&tc);
		assert_non_null(obj[i]);
		assert_true(IS_ALIGNED((uintptr_t)obj[i], 16));
		memset(obj[i], (int)i, 40);
		for (j = 0; j < i; j++) {
			uintptr_t a = (uintptr_t)obj[i], b = (uintptr_t)obj[j];

			assert_true(a + 48 <= b || b + 48 <= a);
		}
	}
	for (i = 0; i < ARRAY_SIZE(obj); i++) {
		assert_int_equal(((unsigned char *)obj[i])[39], i);
		slab_free(&tc, obj[i]);
	}
}

static void test_freed_object_is_reused(void **state)
{
	void *a, *b;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	a = slab_alloc(&tc);
	slab_free(&tc, a);
	b = slab_alloc(&tc);
	assert_ptr_equal(a, b);
	slab_free(&tc, b);
}

static void test_counters_track_live_allocs_frees_slabs(void **state)
{
	void *a, *b;
	struct slab_stats st;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	st = stats(&tc);
	assert_int_equal(st.live + st.allocs + st.frees + st.slabs, 0);
	a = slab_alloc(&tc);
	b = slab_alloc(&tc);
	st = stats(&tc);
	assert_int_equal(st.live, 2);
	assert_int_equal(st.allocs, 2);
	assert_int_equal(st.frees, 0);
	assert_int_equal(st.slabs, 1);
	slab_free(&tc, a);
	st = stats(&tc);
	assert_int_equal(st.live, 1);
	assert_int_equal(st.frees, 1);
	slab_free(&tc, b);
	st = stats(&tc);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.allocs, 2);
	assert_int_equal(st.frees, 2);
	assert_int_equal(st.failed, 0);
}

static void test_full_slab_makes_cache_grow(void **state)
{
	void **obj;
	unsigned i, n;

	(void)state;
	slab_cache_init(&tc, "test", 200, 0);
	n = tc.per_slab;
	obj = calloc(n + 1, sizeof(*obj));
	for (i = 0; i < n; i++)
		obj[i] = slab_alloc(&tc);
	assert_int_equal(stats(&tc).slabs, 1);
	obj[n] = slab_alloc(&tc);
	assert_non_null(obj[n]);
	assert_int_equal(stats(&tc).slabs, 2);
	for (i = 0; i <= n; i++)
		slab_free(&tc, obj[i]);
	free(obj);
}

static void test_freeing_into_a_full_slab_makes_it_reusable(void **state)
{
	void **obj;
	unsigned i, n;

	(void)state;
	slab_cache_init(&tc, "test", 200, 0);
	n = tc.per_slab;
	obj = calloc(2 * n, sizeof(*obj));
	for (i = 0; i < 2 * n; i++)
		obj[i] = slab_alloc(&tc);
	assert_int_equal(stats(&tc).slabs, 2);
	/* Both slabs full; a free in the first makes it partial, and the
	 * next allocation takes that slot rather than a new slab. */
	slab_free(&tc, obj[3]);
	obj[3] = slab_alloc(&tc);
	assert_non_null(obj[3]);
	assert_int_equal(stats(&tc).slabs, 2);
	/* A slab that stays partial is still found. */
	slab_free(&tc, obj[1]);
	slab_free(&tc, obj[2]);
	obj[1] = slab_alloc(&tc);
	obj[2] = slab_alloc(&tc);
	assert_int_equal(stats(&tc).slabs, 2);
	for (i = 0; i < 2 * n; i++)
		slab_free(&tc, obj[i]);
	free(obj);
}

static void test_free_batch_frees_every_object(void **state)
{
	void *obj[100];
	struct slab_stats st;
	unsigned i;

	(void)state;
	slab_cache_init(&tc, "test", 96, 0);
	for (i = 0; i < ARRAY_SIZE(obj); i++)
		obj[i] = slab_alloc(&tc);
	slab_free_batch(&tc, obj, ARRAY_SIZE(obj));
	st = stats(&tc);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.frees, ARRAY_SIZE(obj));
	assert_true(st.slabs <= 1); /* empties go back but one */
}

static void test_free_batch_panics_on_a_double_free(void **state)
{
	void *obj[3];

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	obj[0] = slab_alloc(&tc);
	obj[1] = slab_alloc(&tc);
	obj[2] = obj[0];
	assert_true(EXPECT_PANIC(slab_free_batch(&tc, obj, 3)));
	assert_non_null(strstr(host_panic_message, "already free"));
	/* The objects before the bad one were freed. */
	assert_int_equal(stats(&tc).live, 0);
}

static void test_zalloc_returns_zeroed_object(void **state)
{
	unsigned char *p;
	unsigned i;

	(void)state;
	slab_cache_init(&tc, "test", 100, 0);
	p = slab_alloc(&tc);
	memset(p, 0xff, 100);
	slab_free(&tc, p);
	p = slab_zalloc(&tc);
	for (i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	slab_free(&tc, p);
}

static void test_alignment_is_respected(void **state)
{
	void *obj[20];
	unsigned i;

	(void)state;
	slab_cache_init(&tc, "test", 24, 256);
	assert_int_equal(tc.obj_size, 256);
	for (i = 0; i < ARRAY_SIZE(obj); i++) {
		obj[i] = slab_alloc(&tc);
		assert_true(IS_ALIGNED((uintptr_t)obj[i], 256));
	}
	for (i = 0; i < ARRAY_SIZE(obj); i++)
		slab_free(&tc, obj[i]);
}

static void test_small_objects_keep_descriptor_in_slab(void **state)
{
	struct slab_cache *desc = slab_cache_find("slab-desc");
	uint64_t before = stats(desc).live;
	void *p;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	p = slab_alloc(&tc);
	assert_int_equal(stats(desc).live, before);
	/* The descriptor sits before the first object in the page. */
	assert_false(IS_ALIGNED((uintptr_t)p, PG));
	slab_free(&tc, p);
}

static void test_large_objects_use_separate_descriptor(void **state)
{
	struct slab_cache *desc = slab_cache_find("slab-desc");
	uint64_t before = stats(desc).live;
	void *p;

	(void)state;
	slab_cache_init(&tc, "test", 1024, 0);
	p = slab_alloc(&tc);
	assert_int_equal(stats(desc).live, before + 1);
	/* Objects start at the very beginning of the block. */
	assert_true(IS_ALIGNED((uintptr_t)p, PG));
	slab_free(&tc, p);
	slab_cache_reap(&tc);
	assert_int_equal(stats(desc).live, before);
}

static void test_objects_on_every_page_of_a_slab_free(void **state)
{
	void *obj[64];
	unsigned i, n;

	(void)state;
	/* 3000-byte objects: a multi-page slab, objects straddling pages. */
	slab_cache_init(&tc, "test", 3000, 0);
	assert_true(tc.order > 0);
	n = tc.per_slab;
	assert_true(n <= ARRAY_SIZE(obj));
	for (i = 0; i < n; i++)
		obj[i] = slab_alloc(&tc);
	assert_int_equal(stats(&tc).slabs, 1);
	for (i = n; i-- > 0;)
		slab_free(&tc, obj[i]);
	assert_int_equal(stats(&tc).live, 0);
}

/* ---- limits and exhaustion ---- */

static void test_limit_reached_returns_null_and_counts(void **state)
{
	void *a, *b, *c;

	(void)state;
	slab_cache_init(&tc, "test", 32, 0);
	slab_cache_set_limit(&tc, 2);
	a = slab_alloc(&tc);
	b = slab_alloc(&tc);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(slab_alloc(&tc));
	assert_int_equal(stats(&tc).failed, 1);
	assert_int_equal(stats(&tc).live, 2);
	slab_free(&tc, a);
	c = slab_alloc(&tc); /* room again */
	assert_non_null(c);
	slab_cache_set_limit(&tc, 0);
	a = slab_alloc(&tc);
	assert_non_null(a);
	slab_free(&tc, a);
	slab_free(&tc, b);
	slab_free(&tc, c);
}

static void test_page_exhaustion_returns_null_and_counts(void **state)
{
	struct page *pages[MEM_SIZE / PAGE_SIZE];
	struct page *pg;
	size_t n = 0;
	void *obj;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	while ((pg = page_alloc(0)) != NULL)
		pages[n++] = pg;
	assert_null(slab_alloc(&tc));
	assert_int_equal(stats(&tc).failed, 1);
	assert_int_equal(stats(&tc).slabs, 0);
	assert_null(kmalloc(4096)); /* off-slab: block or descriptor fails */
	while (n > 0)
		page_free(pages[--n], 0);
	obj = slab_alloc(&tc);
	assert_non_null(obj);
	slab_free(&tc, obj);
}

static void test_offslab_descriptor_exhaustion_frees_block(void **state)
{
	struct page *pages[MEM_SIZE / PAGE_SIZE];
	struct page *pg;
	struct page_alloc_stats st;
	size_t n = 0;

	(void)state;
	slab_cache_init(&tc, "test", 512, 0); /* order 0, off-slab */
	assert_int_equal(tc.order, 0);
	while ((pg = page_alloc(0)) != NULL)
		pages[n++] = pg;
	/* One page back: the slab gets it, its descriptor cannot. */
	page_free(pages[--n], 0);
	assert_null(slab_alloc(&tc));
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_pages, 1);
	while (n > 0)
		page_free(pages[--n], 0);
}

/* ---- empty slabs ---- */

static void test_cache_keeps_at_most_one_empty_slab(void **state)
{
	void **obj;
	unsigned i, n;

	(void)state;
	slab_cache_init(&tc, "test", 256, 0);
	n = 3 * tc.per_slab;
	obj = calloc(n, sizeof(*obj));
	for (i = 0; i < n; i++)
		obj[i] = slab_alloc(&tc);
	assert_int_equal(stats(&tc).slabs, 3);
	for (i = 0; i < n; i++)
		slab_free(&tc, obj[i]);
	assert_int_equal(stats(&tc).slabs, 1);
	free(obj);
}

static void test_reap_returns_pages_to_page_allocator(void **state)
{
	struct page_alloc_stats st;
	void *p;

	(void)state;
	slab_cache_init(&tc, "test", 256, 0);
	p = slab_alloc(&tc);
	slab_free(&tc, p);
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_pages, pstart.free_pages - 1);
	assert_int_equal(stats(&tc).slabs, 1);
	slab_cache_reap(&tc);
	assert_int_equal(stats(&tc).slabs, 0);
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_pages, pstart.free_pages);
}

static void test_reap_keeps_slabs_with_live_objects(void **state)
{
	void *p;

	(void)state;
	slab_cache_init(&tc, "test", 256, 0);
	p = slab_alloc(&tc);
	slab_cache_reap(&tc);
	assert_int_equal(stats(&tc).slabs, 1);
	memset(p, 1, 256); /* still ours */
	slab_free(&tc, p);
}

/* ---- invalid frees ---- */

static void test_double_free_panics(void **state)
{
	void *a, *b;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	a = slab_alloc(&tc);
	b = slab_alloc(&tc);
	slab_free(&tc, a);
	assert_true(EXPECT_PANIC(slab_free(&tc, a)));
	assert_non_null(strstr(host_panic_message, "already free"));
	assert_int_equal(stats(&tc).live, 1);
	slab_free(&tc, b); /* the cache still works after the panic */
}

static void test_free_to_wrong_cache_panics(void **state)
{
	void *a;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	slab_cache_init(&tc2, "test2", 64, 0);
	a = slab_alloc(&tc);
	assert_true(EXPECT_PANIC(slab_free(&tc2, a)));
	assert_non_null(strstr(host_panic_message, "another cache"));
	assert_int_equal(stats(&tc).live, 1);
	assert_int_equal(stats(&tc2).frees, 0);
	slab_free(&tc, a);
}

static void test_misaligned_pointer_panics(void **state)
{
	char *a;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	a = slab_alloc(&tc);
	assert_true(EXPECT_PANIC(slab_free(&tc, a + 1)));
	assert_non_null(strstr(host_panic_message, "object boundary"));
	/* Past the last object, though still inside the slab's page. */
	assert_true((uintptr_t)(a + 64 * tc.per_slab) % PG != 0);
	assert_true(EXPECT_PANIC(slab_free(&tc, a + 64 * tc.per_slab)));
	assert_non_null(strstr(host_panic_message, "object boundary"));
	slab_free(&tc, a);
}

static void test_pointer_before_first_object_panics(void **state)
{
	char *a;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	a = slab_alloc(&tc);
	/* The page start holds the on-slab descriptor, not an object. */
	assert_true(
	    EXPECT_PANIC(slab_free(&tc, (void *)ALIGN_DOWN((uintptr_t)a, PG))));
	slab_free(&tc, a);
}

static void test_free_of_non_slab_memory_panics(void **state)
{
	void *page;
	int local;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	page = page_alloc_va(0);
	assert_true(EXPECT_PANIC(slab_free(&tc, page)));
	assert_non_null(strstr(host_panic_message, "not a slab object"));
	assert_true(EXPECT_PANIC(slab_free(&tc, &local)));
	assert_true(EXPECT_PANIC(slab_free(&tc, NULL)));
	page_free_va(page, 0);
}

static void test_free_after_slab_was_reaped_panics(void **state)
{
	void *a;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	a = slab_alloc(&tc);
	slab_free(&tc, a);
	slab_cache_reap(&tc);
	assert_true(EXPECT_PANIC(slab_free(&tc, a)));
}

/* ---- cache set-up and registry ---- */

static void test_init_rejects_bad_parameters(void **state)
{
	(void)state;
	assert_true(EXPECT_PANIC(slab_cache_init(&tc, "bad", 64, 3)));
	assert_true(EXPECT_PANIC(slab_cache_init(&tc, "bad", 64, 2 * PG)));
	assert_true(EXPECT_PANIC(slab_cache_init(&tc, "bad", 0, 0)));
	assert_true(EXPECT_PANIC(
	    slab_cache_init(&tc, "bad", (PG << PAGE_ORDER_MAX) / 2 + 1, 0)));
	assert_null(slab_cache_find("bad"));
	memset(&tc, 0, sizeof(tc));
}

static void test_largest_object_fits(void **state)
{
	void *p;

	(void)state;
	slab_cache_init(&tc, "test", (PG << PAGE_ORDER_MAX) / 2, 0);
	assert_int_equal(tc.per_slab, 1);
	assert_int_equal(tc.order, PAGE_ORDER_MAX - 1);
	p = slab_alloc(&tc);
	assert_non_null(p);
	slab_free(&tc, p);
}

/* Objects of a page or more take the smallest block holding one: a
 * page-sized kmalloc needs one free page, not eight contiguous ones
 * (the pageout path allocates them when memory is short and
 * fragmented). */
static void test_page_sized_objects_need_one_block(void **state)
{
	struct slab_cache *k4;
	void *p = kmalloc(PG);

	(void)state;
	assert_non_null(p);
	kfree(p);
	k4 = slab_cache_find("kmalloc-4096");
	assert_non_null(k4);
	assert_int_equal(k4->order, 0);
	slab_cache_init(&tc, "test-2pages", 2 * PG, 0);
	assert_int_equal(tc.order, 1);
	slab_cache_init(&tc2, "test-small", PG / 4, 0);
	assert_true(tc2.per_slab >= 4);
}

static void test_find_returns_registered_cache(void **state)
{
	(void)state;
	slab_cache_init(&tc, "test-find", 64, 0);
	assert_ptr_equal(slab_cache_find("test-find"), &tc);
	assert_non_null(slab_cache_find("kmalloc-16"));
	assert_null(slab_cache_find("no-such-cache"));
}

static void test_long_name_is_truncated(void **state)
{
	(void)state;
	slab_cache_init(&tc, "a-cache-name-much-longer-than-thirty-one-chars",
	                64, 0);
	assert_int_equal(strlen(tc.name), SLAB_NAME_MAX - 1);
	assert_ptr_equal(slab_cache_find("a-cache-name-much-longer-than-t"),
	                 &tc);
}

static void test_destroy_unregisters_cache(void **state)
{
	void *p;

	(void)state;
	slab_cache_init(&tc, "test-gone", 64, 0);
	p = slab_alloc(&tc);
	slab_free(&tc, p);
	slab_cache_destroy(&tc);
	assert_null(slab_cache_find("test-gone"));
	memset(&tc, 0, sizeof(tc));
}

static void test_destroy_with_live_objects_panics(void **state)
{
	void *p;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	p = slab_alloc(&tc);
	assert_true(EXPECT_PANIC(slab_cache_destroy(&tc)));
	assert_non_null(strstr(host_panic_message, "still live"));
	slab_free(&tc, p);
}

static void test_destroy_of_builtin_cache_panics(void **state)
{
	(void)state;
	assert_true(
	    EXPECT_PANIC(slab_cache_destroy(slab_cache_find("kmalloc-64"))));
	assert_true(
	    EXPECT_PANIC(slab_cache_destroy(slab_cache_find("slab-desc"))));
}

static void count_cache(struct slab_cache *cache, void *arg)
{
	if (cache == &tc || cache == &tc2)
		(*(unsigned *)arg)++;
}

static void test_foreach_visits_every_cache(void **state)
{
	unsigned seen = 0;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	slab_cache_init(&tc2, "test2", 64, 0);
	slab_cache_foreach(count_cache, &seen);
	assert_int_equal(seen, 2);
}

static void test_total_live_sums_all_caches(void **state)
{
	void *a, *b, *c;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	a = slab_alloc(&tc);
	b = slab_alloc(&tc);
	c = kmalloc(100);
	assert_int_equal(slab_total_live(), 3);
	slab_free(&tc, a);
	slab_free(&tc, b);
	kfree(c);
	assert_int_equal(slab_total_live(), 0);
}

static void test_total_live_ignores_kept_slab_descriptors(void **state)
{
	(void)state;
	/* kmalloc-4096 keeps its empty slab, and the slab its descriptor. */
	kfree(kmalloc(4096));
	assert_int_equal(stats(slab_cache_find("kmalloc-4096")).slabs, 1);
	assert_int_equal(stats(slab_cache_find("slab-desc")).live, 1);
	assert_int_equal(slab_total_live(), 0);
}

/* ---- kmalloc ---- */

static void test_kmalloc_picks_smallest_fitting_class(void **state)
{
	static const struct {
		size_t size;
		const char *cache;
	} cases[] = {
	    {1, "kmalloc-16"},        {16, "kmalloc-16"},
	    {17, "kmalloc-32"},       {32, "kmalloc-32"},
	    {33, "kmalloc-64"},       {100, "kmalloc-128"},
	    {256, "kmalloc-256"},     {257, "kmalloc-512"},
	    {1000, "kmalloc-1024"},   {2048, "kmalloc-2048"},
	    {4000, "kmalloc-4096"},   {4097, "kmalloc-8192"},
	    {16384, "kmalloc-16384"}, {20000, "kmalloc-32768"},
	    {32769, "kmalloc-65536"}, {65536, "kmalloc-65536"},
	};
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct slab_cache *c = slab_cache_find(cases[i].cache);
		uint64_t before = stats(c).live;
		size_t align = MIN(c->obj_size, (size_t)PG);
		void *p = kmalloc(cases[i].size);

		assert_non_null(p);
		assert_int_equal(stats(c).live, before + 1);
		assert_true(IS_ALIGNED((uintptr_t)p, align));
		memset(p, 0x77, cases[i].size);
		kfree(p);
		assert_int_equal(stats(c).live, before);
	}
}

static void test_kmalloc_rejects_zero_and_oversize(void **state)
{
	(void)state;
	assert_null(kmalloc(0));
	assert_null(kmalloc(64 * 1024 + 1));
	assert_null(kmalloc(SIZE_MAX));
	assert_null(kzalloc(0));
}

static void test_kzalloc_returns_zeroed_memory(void **state)
{
	unsigned char *p;
	unsigned i;

	(void)state;
	p = kmalloc(300);
	memset(p, 0xee, 300);
	kfree(p);
	p = kzalloc(300);
	for (i = 0; i < 300; i++)
		assert_int_equal(p[i], 0);
	kfree(p);
}

static void test_kmalloc_objects_do_not_overlap(void **state)
{
	unsigned char *p[32];
	unsigned i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = kmalloc(24 + i * 37);
		memset(p[i], (int)i, 24 + i * 37);
	}
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		for (j = 0; j < 24 + i * 37; j++)
			assert_int_equal(p[i][j], i);
		kfree(p[i]);
	}
}

static void test_kfree_null_does_nothing(void **state)
{
	(void)state;
	kfree(NULL);
}

static void test_kfree_double_free_panics(void **state)
{
	void *p;

	(void)state;
	p = kmalloc(40);
	kfree(p);
	assert_true(EXPECT_PANIC(kfree(p)));
	assert_non_null(strstr(host_panic_message, "already free"));
}

static void test_kfree_of_other_cache_object_panics(void **state)
{
	void *p;

	(void)state;
	slab_cache_init(&tc, "test", 64, 0);
	p = slab_alloc(&tc);
	assert_true(EXPECT_PANIC(kfree(p)));
	assert_non_null(strstr(host_panic_message, "not of kmalloc"));
	slab_free(&tc, p);
}

static void test_kfree_of_non_slab_memory_panics(void **state)
{
	void *page;
	int local;

	(void)state;
	page = page_alloc_va(0);
	assert_true(EXPECT_PANIC(kfree(page)));
	assert_true(EXPECT_PANIC(kfree(&local)));
	page_free_va(page, 0);
}

static void test_kfree_of_interior_pointer_panics(void **state)
{
	char *p;

	(void)state;
	p = kmalloc(128);
	assert_true(EXPECT_PANIC(kfree(p + 8)));
	kfree(p);
}

#define THREADS 4

/* One "CPU": allocates and frees objects of the shared cache and of
 * kmalloc, tagging each to catch an object handed out twice. */
static void *slab_worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg, i, j;
	unsigned *held[64];

	host_set_cpu_id(id);
	for (i = 0; i < 200; i++) {
		for (j = 0; j < ARRAY_SIZE(held); j++) {
			held[j] = j % 2 ? slab_alloc(&tc)
			                : kmalloc(16 + (i + j) % 200);
			if (held[j] == NULL)
				return (void *)1;
			*held[j] = id;
		}
		for (j = 0; j < ARRAY_SIZE(held); j++) {
			if (*held[j] != id)
				return (void *)1;
			if (j % 2)
				slab_free(&tc, held[j]);
			else
				kfree(held[j]);
		}
	}
	return NULL;
}

static void test_concurrent_cpus_share_caches_safely(void **state)
{
	pthread_t t[THREADS];
	unsigned i;
	void *bad;

	(void)state;
	slab_cache_init(&tc, "test", 48, 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, slab_worker,
		                                (void *)(uintptr_t)(i + 1)),
		                 0);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
	assert_int_equal(stats(&tc).live, 0);
	assert_int_equal(stats(&tc).allocs, THREADS * 200 * 32);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_alloc_returns_distinct_aligned_objects),
	    T(test_freed_object_is_reused),
	    T(test_counters_track_live_allocs_frees_slabs),
	    T(test_full_slab_makes_cache_grow),
	    T(test_freeing_into_a_full_slab_makes_it_reusable),
	    T(test_free_batch_frees_every_object),
	    T(test_free_batch_panics_on_a_double_free),
	    T(test_zalloc_returns_zeroed_object),
	    T(test_alignment_is_respected),
	    T(test_small_objects_keep_descriptor_in_slab),
	    T(test_large_objects_use_separate_descriptor),
	    T(test_objects_on_every_page_of_a_slab_free),
	    T(test_limit_reached_returns_null_and_counts),
	    T(test_page_exhaustion_returns_null_and_counts),
	    T(test_offslab_descriptor_exhaustion_frees_block),
	    T(test_cache_keeps_at_most_one_empty_slab),
	    T(test_reap_returns_pages_to_page_allocator),
	    T(test_reap_keeps_slabs_with_live_objects),
	    T(test_double_free_panics),
	    T(test_free_to_wrong_cache_panics),
	    T(test_misaligned_pointer_panics),
	    T(test_pointer_before_first_object_panics),
	    T(test_free_of_non_slab_memory_panics),
	    T(test_free_after_slab_was_reaped_panics),
	    T(test_init_rejects_bad_parameters),
	    T(test_largest_object_fits),
	    T(test_page_sized_objects_need_one_block),
	    T(test_find_returns_registered_cache),
	    T(test_long_name_is_truncated),
	    T(test_destroy_unregisters_cache),
	    T(test_destroy_with_live_objects_panics),
	    T(test_destroy_of_builtin_cache_panics),
	    T(test_foreach_visits_every_cache),
	    T(test_total_live_sums_all_caches),
	    T(test_total_live_ignores_kept_slab_descriptors),
	    T(test_kmalloc_picks_smallest_fitting_class),
	    T(test_kmalloc_rejects_zero_and_oversize),
	    T(test_kzalloc_returns_zeroed_memory),
	    T(test_kmalloc_objects_do_not_overlap),
	    T(test_kfree_null_does_nothing),
	    T(test_kfree_double_free_panics),
	    T(test_kfree_of_other_cache_object_panics),
	    T(test_kfree_of_non_slab_memory_panics),
	    T(test_kfree_of_interior_pointer_panics),
	    T(test_concurrent_cpus_share_caches_safely),
	};
#undef T

	return cmocka_run_group_tests_name("slab", tests, NULL, NULL);
}
