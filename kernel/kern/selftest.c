/*
 * The machine-independent self-tests and the TAP runner.  They exercise
 * the allocators under load and the clock on the real machine, where
 * unit tests cannot reach: real RAM from the boot memory map, real timer
 * interrupts.
 */
#include <stdarg.h>

#include "kern/clock.h"
#include "kern/page_alloc.h"
#include "kern/printf.h"
#include "kern/selftest.h"
#include "kern/slab.h"
#include "kern/spinlock.h"
#include "kern/string.h"
#include "machine/cpu.h"

bool selftest_check(struct selftest_ctx *ctx, bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return true;
	ctx->failures++;
	kprintf("# ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	return false;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A block allocated in a load test: the link lives in the block itself. */
struct held_block {
	struct held_block *next;
	unsigned order;
	uint64_t tag;
};

static void test_page_alloc_mixed_orders(struct selftest_ctx *ctx)
{
	struct page_alloc_stats before, after;
	struct held_block *held = NULL;
	unsigned n = 0;

	page_alloc_get_stats(&before);
	/* Allocate blocks of orders 0-4, tag every page, then check the
	 * tags: two blocks sharing a page would overwrite each other. */
	for (unsigned i = 0; i < 1500; i++) {
		unsigned order = (unsigned)(rng() % 5);
		struct held_block *b = page_alloc_va(order);

		if (!b)
			break;
		for (unsigned p = 0; p < (1u << order); p++)
			*(uint64_t *)((char *)b + p * PAGE_SIZE + 64) =
			    (uint64_t)i << 8 | p;
		b->order = order;
		b->tag = i;
		b->next = held;
		held = b;
		n++;
	}
	selftest_check(ctx, n == 1500, "only %u of 1500 blocks allocated", n);
	for (struct held_block *b = held; b; b = b->next) {
		selftest_check(ctx,
		               virt_to_page(b) &&
		                   page_to_phys(virt_to_page(b)) %
		                           (PAGE_SIZE << b->order) ==
		                       0,
		               "block %llu of order %u is misaligned",
		               (unsigned long long)b->tag, b->order);
		for (unsigned p = 0; p < (1u << b->order); p++) {
			uint64_t want = b->tag << 8 | p;
			uint64_t got =
			    *(uint64_t *)((char *)b + p * PAGE_SIZE + 64);

			if (!selftest_check(ctx, got == want,
			                    "block %llu page %u overwritten",
			                    (unsigned long long)b->tag, p))
				break;
		}
	}
	while (held) {
		struct held_block *b = held;

		held = b->next;
		page_free_va(b, b->order);
	}
	page_alloc_check();
	page_alloc_get_stats(&after);
	selftest_check(ctx, after.free_pages == before.free_pages,
	               "free pages %llu after, %llu before",
	               (unsigned long long)after.free_pages,
	               (unsigned long long)before.free_pages);
}

static void test_page_alloc_exhaustion(struct selftest_ctx *ctx)
{
	struct page_alloc_stats before, mid, after;
	struct held_block *held = NULL;
	uint64_t n = 0;

	page_alloc_get_stats(&before);
	for (;;) {
		struct held_block *b = page_alloc_va(0);

		if (!b)
			break;
		b->next = held;
		held = b;
		n++;
	}
	page_alloc_get_stats(&mid);
	selftest_check(ctx, mid.free_pages == 0, "%llu pages left free",
	               (unsigned long long)mid.free_pages);
	selftest_check(
	    ctx, n == before.free_pages, "%llu pages allocated, %llu were free",
	    (unsigned long long)n, (unsigned long long)before.free_pages);
	selftest_check(ctx, mid.failed_calls == before.failed_calls + 1,
	               "the refused allocation was not counted");
	selftest_check(ctx, page_alloc(3) == NULL,
	               "an order-3 block was found in exhausted memory");
	while (held) {
		struct held_block *b = held;

		held = b->next;
		page_free_va(b, 0);
	}
	page_alloc_check();
	page_alloc_get_stats(&after);
	selftest_check(ctx, after.free_pages == before.free_pages,
	               "free pages %llu after, %llu before",
	               (unsigned long long)after.free_pages,
	               (unsigned long long)before.free_pages);
	/* Freed order-0 pages must coalesce back into large blocks. */
	void *big = page_alloc_va(PAGE_ORDER_MAX);

	selftest_check(ctx, big != NULL, "no 4 MiB block after coalescing");
	if (big)
		page_free_va(big, PAGE_ORDER_MAX);
}

static void test_slab_under_load(struct selftest_ctx *ctx)
{
	static struct slab_cache cache;
	static void *objs[20000];
	struct slab_stats st;
	unsigned n = ARRAY_SIZE(objs);

	slab_cache_init(&cache, "selftest-200", 200, 0);
	for (unsigned i = 0; i < n; i++) {
		objs[i] = slab_alloc(&cache);
		if (!selftest_check(ctx, objs[i] != NULL, "alloc %u failed", i))
			return;
		memset(objs[i], (int)(i & 0xff), 200);
	}
	for (unsigned i = 0; i < n; i += 2)
		slab_free(&cache, objs[i]);
	for (unsigned i = 1; i < n; i += 2)
		selftest_check(ctx,
		               ((unsigned char *)objs[i])[199] == (i & 0xff),
		               "object %u corrupted", i);
	for (unsigned i = 0; i < n; i += 2)
		objs[i] = slab_alloc(&cache);
	slab_cache_get_stats(&cache, &st);
	selftest_check(ctx, st.live == n, "live %llu, expected %u",
	               (unsigned long long)st.live, n);
	for (unsigned i = 0; i < n; i++)
		slab_free(&cache, objs[i]);
	slab_cache_reap(&cache);
	slab_cache_get_stats(&cache, &st);
	selftest_check(ctx, st.live == 0 && st.slabs == 0,
	               "after freeing all: live %llu, slabs %llu",
	               (unsigned long long)st.live,
	               (unsigned long long)st.slabs);
	selftest_check(ctx, st.allocs == st.frees, "allocs %llu != frees %llu",
	               (unsigned long long)st.allocs,
	               (unsigned long long)st.frees);
}

static void test_kmalloc_size_classes(struct selftest_ctx *ctx)
{
	uint64_t live = slab_total_live();

	for (size_t size = 1; size <= 65536; size = size * 2 + 1) {
		unsigned char *p = kmalloc(size);

		if (!selftest_check(ctx, p != NULL, "kmalloc(%zu) failed",
		                    size))
			continue;
		memset(p, 0xa5, size);
		kfree(p);
	}
	selftest_check(ctx, kmalloc(0) == NULL, "kmalloc(0) gave memory");
	selftest_check(ctx, kmalloc(65537) == NULL,
	               "kmalloc(64K+1) gave memory");
	selftest_check(ctx, slab_total_live() == live, "kmalloc leaked");
}

static void test_timer_ticks_at_hz(struct selftest_ctx *ctx)
{
	uint64_t t0, t1, k0, k1, expect, got;

	/* Count ticks over 300 ms of the TSC clock. */
	k0 = clock_ticks();
	t0 = clock_now_ns();
	while (clock_now_ns() - t0 < 300000000ULL)
		machine_idle();
	t1 = clock_now_ns();
	k1 = clock_ticks();
	expect = (t1 - t0) * clock_hz() / 1000000000ULL;
	got = k1 - k0;
	selftest_check(ctx, got * 10 >= expect * 7 && got * 10 <= expect * 13,
	               "%llu ticks in %llu ms at %u Hz; expected about %llu",
	               (unsigned long long)got,
	               (unsigned long long)((t1 - t0) / 1000000), clock_hz(),
	               (unsigned long long)expect);
}

static void test_clock_monotonic(struct selftest_ctx *ctx)
{
	uint64_t prev = clock_now_ns(), first = prev;

	for (int i = 0; i < 20000; i++) {
		uint64_t now = clock_now_ns();

		if (!selftest_check(
		        ctx, now >= prev, "clock went back from %llu to %llu",
		        (unsigned long long)prev, (unsigned long long)now))
			return;
		prev = now;
	}
	selftest_check(ctx, prev > first, "clock did not advance");
}

static void test_spinlock_masks_interrupts(struct selftest_ctx *ctx)
{
	spinlock_t a = SPINLOCK_INIT("a"), b = SPINLOCK_INIT("b");
	unsigned long fa, fb;

	intr_enable();
	fa = spin_lock(&a);
	selftest_check(ctx, !intr_enabled(), "interrupts on under a lock");
	selftest_check(ctx, spin_held(&a), "lock a not held");
	fb = spin_lock(&b);
	spin_unlock(&b, fb);
	selftest_check(ctx, !intr_enabled(), "inner unlock enabled interrupts");
	spin_unlock(&a, fa);
	selftest_check(ctx, intr_enabled(), "interrupts not restored");
	selftest_check(ctx, !spin_held(&a), "lock a still held");
}

static const struct selftest core_selftests[] = {
    {"page allocator: mixed orders under load", test_page_alloc_mixed_orders},
    {"page allocator: exhaustion returns NULL, then coalesces",
     test_page_alloc_exhaustion},
    {"slab: 20000 objects allocated, freed, reaped", test_slab_under_load},
    {"kmalloc: every size class", test_kmalloc_size_classes},
    {"timer: ticks advance at the configured HZ", test_timer_ticks_at_hz},
    {"clock: monotonic nanoseconds", test_clock_monotonic},
    {"spinlock: masks and restores interrupts", test_spinlock_masks_interrupts},
};

static void run_one(const struct selftest *t, unsigned number, unsigned *failed)
{
	struct selftest_ctx ctx = {0};

	t->fn(&ctx);
	kprintf("%sok %u - %s\n", ctx.failures ? "not " : "", number, t->name);
	if (ctx.failures)
		(*failed)++;
}

unsigned selftest_run(void)
{
	unsigned n = ARRAY_SIZE(core_selftests) + machine_nselftests;
	unsigned number = 0, failed = 0;

	kprintf("1..%u\n", n);
	for (unsigned i = 0; i < ARRAY_SIZE(core_selftests); i++)
		run_one(&core_selftests[i], ++number, &failed);
	for (unsigned i = 0; i < machine_nselftests; i++)
		run_one(&machine_selftests[i], ++number, &failed);
	return failed;
}
