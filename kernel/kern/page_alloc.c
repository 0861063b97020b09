/*
 * The physical page allocator: a binary buddy allocator over the usable
 * RAM that the boot memory map (kern/memmap.c) describes.  One struct page
 * per physical page lives in an array carved out of that map; the slab
 * allocator (kern/slab.c) and later the VM system build on it.
 *
 * A block of order k always starts at a physical multiple of 2^k pages.
 * The array starts at a multiple of the largest block, so an index is as
 * aligned as its frame and a block's buddy is one bit of the index away.
 * Pages the map does not call usable stay PG_RESERVED forever and are
 * never part of a block.
 *
 * Single pages, by far the most common request (VM objects, page tables,
 * slabs of small objects), go through a cache per CPU in front of the
 * buddy: a free pushes the page on this CPU's cache, an allocation pops
 * one, and only every PCACHE_BATCH-th call takes the buddy lock, to
 * refill or drain a batch.  A cached page is free but in no buddy block
 * (PG_CACHED): it does not merge until it is drained.
 */
#include "kern/page_alloc.h"

#include "kern/compiler.h"
#include "kern/memmap.h"
#include "kern/panic.h"
#include "kern/percpu.h"
#include "kern/spinlock.h"
#include "kern/string.h"

/*
 * The allocator.
 * Owned by: this file; set up once by page_alloc_init().
 * Guarded by: pa.lock for the free lists, `buddy_free`, the counters in
 *   `stats` and the flags of pages in buddy blocks.  `pages`, `base`,
 *   `npages` and `ready` are written only by page_alloc_init() before any
 *   other CPU runs, then only read.  `reserve` is written under pa.lock
 *   and read without it (one word).  `ncaches` only grows, under pa.lock.
 * Lock order: a CPU's page cache lock, then pa.lock; a leaf otherwise:
 *   callers may hold any other lock (slab caches do).
 */
static struct {
	spinlock_t lock;
	bool ready;
	struct page *pages; /* one per page of [base, base + npages pages) */
	paddr_t base;       /* physical address of pages[0]'s page */
	uint64_t npages;
	struct list free[PAGE_ORDER_MAX + 1]; /* free block heads by order */
	uint64_t buddy_free; /* pages in the free lists' blocks */
	/* managed_pages and the calls that reached the buddy; free and
	 * allocated pages are computed (page_alloc_get_stats). */
	struct page_alloc_stats stats;
	uint64_t reserve; /* free pages only privileged callers may take */
	unsigned ncaches; /* CPUs 0 .. ncaches - 1 have used their cache */
} pa = {.lock = SPINLOCK_INIT("page_alloc")};

/*
 * A CPU's cache of free single pages.
 * Owned by: its CPU, which allocates from it and frees into it.
 * Guarded by: `lock`, which its CPU takes (uncontended) on every use,
 *   with interrupts masked, and another CPU only to empty it
 *   (caches_drain_all on exhaustion, page_alloc_check).  `count`,
 *   `allocs` and `frees` are also read without it, as snapshots
 *   (page_alloc_get_stats).
 * Lock order: before pa.lock; one cache lock at a time, but in
 *   page_alloc_check (all of them, in CPU order).
 */
struct page_cache {
	spinlock_t lock;
	struct list pages;      /* PG_CACHED pages, most recently freed first */
	uint64_t count;         /* pages on `pages`, at most PCACHE_HIGH */
	uint64_t allocs, frees; /* page_alloc(0)/page_free(_, 0) served here */
} __aligned(64);

/* A cache holds at most PCACHE_HIGH pages; refills and drains move
 * PCACHE_BATCH pages under one hold of pa.lock. */
#define PCACHE_HIGH        64
#define PCACHE_BATCH_ORDER 5
#define PCACHE_BATCH       (1U << PCACHE_BATCH_ORDER)

static struct page_cache pcache[MAX_CPUS];

bool (*page_alloc_privileged)(void);

void page_alloc_set_reserve(uint64_t pages)
{
	unsigned long flags = spin_lock(&pa.lock);

	__atomic_store_n(&pa.reserve, pages, __ATOMIC_RELAXED);
	spin_unlock(&pa.lock, flags);
}

static inline uint64_t page_index(const struct page *pg)
{
	return (uint64_t)(pg - pa.pages);
}

static inline uint64_t index_pfn(uint64_t idx)
{
	return (pa.base >> PAGE_SHIFT) + idx;
}

/* True when PG points at an element of the page array. */
static bool page_in_array(const struct page *pg)
{
	uintptr_t p = (uintptr_t)pg, lo = (uintptr_t)pa.pages;

	return pa.ready && p >= lo && p < lo + pa.npages * sizeof(*pg) &&
	       (p - lo) % sizeof(*pg) == 0;
}

/*
 * Put the free block of 2^ORDER pages at IDX on the free lists, merged
 * with its buddy as long as the buddy is a whole free block of the same
 * order.
 */
static void free_block_locked(uint64_t idx, unsigned order)
{
	assert_locked(&pa.lock);
	/* pa.base is a multiple of the largest block, so an index is as
	 * aligned as its frame and a block's buddy is one bit away. */
	while (order < PAGE_ORDER_MAX) {
		uint64_t bidx = idx ^ (1UL << order);
		struct page *buddy = &pa.pages[bidx];

		if (bidx >= pa.npages || buddy->flags != PG_FREE ||
		    buddy->order != order)
			break;
		list_remove(&buddy->link);
		buddy->flags = 0;
		idx &= bidx;
		order++;
	}
	pa.pages[idx].flags |= PG_FREE;
	pa.pages[idx].order = (uint8_t)order;
	list_push_front(&pa.free[order], &pa.pages[idx].link);
}

/* Hand the pages [FIRST, END) of the array to the free lists, as the
 * largest naturally aligned blocks that fit. */
static void free_range_locked(uint64_t first, uint64_t end)
{
	while (first < end) {
		unsigned order = PAGE_ORDER_MAX;

		while (order > 0 &&
		       ((index_pfn(first) & ((1UL << order) - 1)) != 0 ||
		        first + (1UL << order) > end))
			order--;
		free_block_locked(first, order);
		first += 1UL << order;
	}
}

void page_alloc_init(struct memmap *map)
{
	uint64_t i, lo, hi, bytes, managed = 0;
	paddr_t array;
	unsigned long flags;

	if (pa.ready)
		panic("page_alloc_init: called twice");
	if (map->nusable == 0)
		panic("page_alloc_init: no usable memory");

	/* The array starts at a multiple of the largest block (the pages
	 * below the first usable one stay reserved): see free_block_locked. */
	lo = ALIGN_DOWN(map->usable[0].base,
	                (paddr_t)PAGE_SIZE << PAGE_ORDER_MAX);
	hi = map->usable[map->nusable - 1].end;
	bytes = ((hi - lo) >> PAGE_SHIFT) * sizeof(struct page);
	array = memmap_steal(map, bytes, PAGE_SIZE, 0);
	if (array == 0)
		panic("page_alloc_init: no room for a %lu-byte page array",
		      (unsigned long)bytes);

	flags = spin_lock(&pa.lock);
	pa.pages = phys_to_virt(array);
	pa.base = lo;
	pa.npages = (hi - lo) >> PAGE_SHIFT;
	memset(pa.pages, 0, bytes);
	for (i = 0; i < pa.npages; i++)
		pa.pages[i].flags = PG_RESERVED;
	for (i = 0; i <= PAGE_ORDER_MAX; i++)
		list_init(&pa.free[i]);

	/* What is left of the map after the steal is what we manage. */
	for (i = 0; i < map->nusable; i++) {
		uint64_t first = (map->usable[i].base - lo) >> PAGE_SHIFT;
		uint64_t end = (map->usable[i].end - lo) >> PAGE_SHIFT;
		uint64_t j;

		for (j = first; j < end; j++)
			pa.pages[j].flags = 0;
		free_range_locked(first, end);
		managed += end - first;
	}
	for (i = 0; i < MAX_CPUS; i++) {
		spin_init(&pcache[i].lock, "page_cache");
		list_init(&pcache[i].pages);
	}
	pa.stats.managed_pages = managed;
	pa.buddy_free = managed;
	pa.ready = true;
	spin_unlock(&pa.lock, flags);
}

/* Store V in *C, a counter that one writer (under a lock) changes and
 * others read without it. */
static inline void count_set(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, v, __ATOMIC_RELAXED);
}

static inline uint64_t count_get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Make CPU's cache count in the totals (page_alloc_get_stats), before
 * it first holds a page.  Interrupts masked, no allocator lock held. */
static void cache_note(unsigned cpu)
{
	spin_lock_masked(&pa.lock);
	if (cpu >= pa.ncaches)
		__atomic_store_n(&pa.ncaches, cpu + 1, __ATOMIC_RELAXED);
	spin_unlock_masked(&pa.lock);
}

/* This CPU's cache.  Interrupts masked, so that the thread stays here. */
static inline struct page_cache *cache_mine(void)
{
	unsigned cpu = cpu_id();

	if (unlikely(cpu >= __atomic_load_n(&pa.ncaches, __ATOMIC_RELAXED)))
		cache_note(cpu);
	return &pcache[cpu];
}

/*
 * This CPU's cache, locked, for a fast path; interrupts masked by the
 * caller.  NULL when the slow path must do it: the cache is not counted
 * in the totals yet (cache_mine), or another CPU holds its lock to drain
 * it.  Nothing here calls out, so that the fast paths stay short.
 */
static __always_inline struct page_cache *cache_try_mine(void)
{
	unsigned cpu = cpu_id();
	struct page_cache *c = &pcache[cpu];

	if (unlikely(cpu >= __atomic_load_n(&pa.ncaches, __ATOMIC_RELAXED) ||
	             !spin_trylock_masked(&c->lock)))
		return NULL;
	return c;
}

/* Push PG, an allocated single page, on C (locked). */
static inline void cache_push(struct page_cache *c, struct page *pg)
{
	pg->flags = PG_CACHED;
	list_push_front(&c->pages, &pg->link);
	count_set(&c->count, c->count + 1);
}

/* Pop C's (locked, not empty) most recently freed page, allocated. */
static inline struct page *cache_pop(struct page_cache *c)
{
	struct page *pg = list_first_entry(&c->pages, struct page, link);

	list_remove(&pg->link);
	pg->flags = PG_HEAD;
	count_set(&c->count, c->count - 1);
	return pg;
}

/* Give up to N of C's (locked) oldest pages back to the buddy; returns
 * how many went.  Takes pa.lock. */
static uint64_t cache_drain_locked(struct page_cache *c, uint64_t n)
{
	uint64_t done = 0;

	n = MIN(n, c->count);
	spin_lock_masked(&pa.lock);
	for (; done < n; done++) {
		struct page *pg =
		    container_of(c->pages.prev, struct page, link);

		list_remove(&pg->link);
		pg->flags = 0;
		free_block_locked(page_index(pg), 0);
	}
	count_set(&c->count, c->count - n);
	count_set(&pa.buddy_free, pa.buddy_free + n);
	spin_unlock_masked(&pa.lock);
	return done;
}

/* Empty every CPU's cache into the buddy, one at a time (the memory is
 * short: cached pages may be what a caller needs, or what merges into
 * the block it needs).  No allocator lock held.  Returns how many pages
 * went back. */
static uint64_t caches_drain_all(void)
{
	unsigned long flags = intr_save();
	uint64_t done = 0;
	unsigned i;

	for (i = 0; i < __atomic_load_n(&pa.ncaches, __ATOMIC_RELAXED); i++) {
		spin_lock_masked(&pcache[i].lock);
		done += cache_drain_locked(&pcache[i], PCACHE_HIGH);
		spin_unlock_masked(&pcache[i].lock);
	}
	intr_restore(flags);
	return done;
}

/* Free pages now: the buddy's and every cache's (other CPUs' counts are
 * snapshots).  pa.lock held. */
static uint64_t free_pages_locked(void)
{
	uint64_t n = pa.buddy_free;
	unsigned i;

	for (i = 0; i < pa.ncaches; i++)
		n += count_get(&pcache[i].count);
	return n;
}

/* True when the caller must not take N of the FREE() free pages: that
 * would dip into the reserve and the caller is not privileged. */
static bool reserve_forbids(uint64_t (*free)(void), uint64_t n)
{
	uint64_t reserve = __atomic_load_n(&pa.reserve, __ATOMIC_RELAXED);

	return reserve != 0 && free() < reserve + n &&
	       (page_alloc_privileged == NULL || !page_alloc_privileged());
}

/*
 * Take a block of 2^ORDER pages off the free lists, splitting a larger
 * one if need be, and make it an allocated block.  pa.lock held.
 * Returns its head, or NULL if no block is large enough.  Counts no call.
 */
static struct page *buddy_take_locked(unsigned order)
{
	struct page *pg;
	unsigned j;

	for (j = order; j <= PAGE_ORDER_MAX; j++)
		if (!list_empty(&pa.free[j]))
			break;
	if (j > PAGE_ORDER_MAX)
		return NULL;
	pg = list_first_entry(&pa.free[j], struct page, link);
	list_remove(&pg->link);
	pg->flags &= ~PG_FREE;
	/* Split: the upper halves go back, each on its own list. */
	while (j > order) {
		struct page *upper;

		j--;
		upper = pg + (1UL << j);
		upper->flags |= PG_FREE;
		upper->order = (uint8_t)j;
		list_push_front(&pa.free[j], &upper->link);
	}
	pg->flags |= PG_HEAD;
	pg->order = (uint8_t)order;
	count_set(&pa.buddy_free, pa.buddy_free - (1UL << order));
	return pg;
}

/*
 * Refill C (locked, empty) from the buddy and return one more page,
 * allocated: one block of PCACHE_BATCH pages split at once (its pages go
 * out in address order), or, when memory is too fragmented for that, as
 * many single pages as the buddy has, up to PCACHE_BATCH.  pa.lock held.
 * Returns NULL when the buddy has no page.
 */
static struct page *cache_refill_locked(struct page_cache *c)
{
	struct page *pg = buddy_take_locked(PCACHE_BATCH_ORDER);
	unsigned i;

	if (pg != NULL) {
		for (i = PCACHE_BATCH - 1; i > 0; i--) {
			pg[i].order = 0;
			cache_push(c, &pg[i]);
		}
		pg->order = 0;
		return pg;
	}
	pg = buddy_take_locked(0);
	for (i = 1; pg != NULL && i < PCACHE_BATCH; i++) {
		struct page *more = buddy_take_locked(0);

		if (more == NULL)
			break;
		cache_push(c, more);
	}
	return pg;
}

/*
 * One try at a block of 2^ORDER pages: from this CPU's cache (order 0,
 * the reserve near), else from the buddy, refilling the cache when ORDER
 * is 0.  No allocator lock held on entry or return.
 * Returns the block, or NULL with *FORBIDDEN set when the reserve stood
 * in the way (clear when no block was free).
 */
static struct page *alloc_try(unsigned order, bool *forbidden)
{
	unsigned long flags = intr_save();
	struct page_cache *c = cache_mine();
	struct page *pg = NULL;

	spin_lock_masked(&c->lock);
	spin_lock_masked(&pa.lock);
	*forbidden = reserve_forbids(free_pages_locked, 1UL << order);
	if (*forbidden) {
		/* Nothing for this caller. */
	} else if (order == 0 && c->count > 0) {
		pg = cache_pop(c);
		count_set(&c->allocs, c->allocs + 1);
	} else {
		pg = order == 0 ? cache_refill_locked(c)
		                : buddy_take_locked(order);
		if (pg != NULL)
			pa.stats.alloc_calls++;
	}
	spin_unlock_masked(&pa.lock);
	spin_unlock_masked(&c->lock);
	intr_restore(flags);
	return pg;
}

/* page_alloc past its fast path: any order, an empty cache, or the
 * reserve near.  No lock held. */
static __noinline struct page *page_alloc_slow(unsigned order)
{
	struct page *pg = NULL;
	unsigned long flags;
	bool forbidden = false;

	if (order <= PAGE_ORDER_MAX && pa.ready) {
		pg = alloc_try(order, &forbidden);
		/* Exhaustion is only real once no cache holds a page. */
		if (pg == NULL && !forbidden && caches_drain_all() > 0)
			pg = alloc_try(order, &forbidden);
	}
	if (pg == NULL) {
		flags = spin_lock(&pa.lock);
		pa.stats.failed_calls++;
		spin_unlock(&pa.lock, flags);
	}
	return pg;
}

/* Whether a single page may come from this CPU's cache C without a look
 * at the reserve: with the buddy's and C's pages alone, more than the
 * reserve is free. */
static inline bool reserve_far(const struct page_cache *c)
{
	uint64_t reserve = __atomic_load_n(&pa.reserve, __ATOMIC_RELAXED);

	return reserve == 0 || count_get(&pa.buddy_free) + c->count > reserve;
}

struct page *page_alloc(unsigned order)
{
	struct page_cache *c;
	unsigned long flags;

	if (likely(order == 0)) {
		flags = intr_save();
		c = cache_try_mine();
		if (likely(c != NULL)) {
			if (likely(c->count > 0 && reserve_far(c))) {
				struct page *pg = cache_pop(c);

				count_set(&c->allocs, c->allocs + 1);
				spin_unlock_masked(&c->lock);
				intr_restore(flags);
				return pg;
			}
			spin_unlock_masked(&c->lock);
		}
		intr_restore(flags);
	}
	return page_alloc_slow(order);
}

/* Why freeing PG with ORDER is wrong, or NULL if it is a valid free. */
static const char *page_free_error(const struct page *pg, unsigned order)
{
	if (!page_in_array(pg) || (pg->flags & PG_RESERVED))
		return "not a managed page";
	if (pg->flags & (PG_FREE | PG_CACHED))
		return "block already free";
	if (!(pg->flags & PG_HEAD))
		return "not the head of an allocated block";
	if (pg->order != order)
		return "freed with the wrong order";
	if (pg->flags & PG_SLAB)
		return "page still heads a slab";
	return NULL;
}

static __noreturn void page_free_panic(const struct page *pg, unsigned order,
                                       const char *why)
{
	unsigned had = page_in_array(pg) ? pg->order : 0;

	panic("page_free(%p, order %u): %s (block order %u)", (const void *)pg,
	      order, why, had);
}

/* page_free past its fast path: a block, a full cache, or an invalid
 * free.  No allocator lock held. */
static __noinline void page_free_slow(struct page *pg, unsigned order)
{
	struct page_cache *c;
	unsigned long flags;
	const char *why;

	if (order == 0) {
		flags = intr_save();
		c = cache_mine();
		spin_lock_masked(&c->lock);
		why = page_free_error(pg, order);
		if (unlikely(why != NULL)) {
			/* Unlocked first, so that a host test that catches
			 * the panic finds the allocator usable. */
			spin_unlock_masked(&c->lock);
			intr_restore(flags);
			page_free_panic(pg, order, why);
		}
		if (c->count >= PCACHE_HIGH)
			cache_drain_locked(c, PCACHE_BATCH);
		cache_push(c, pg);
		count_set(&c->frees, c->frees + 1);
		spin_unlock_masked(&c->lock);
		intr_restore(flags);
		return;
	}

	flags = spin_lock(&pa.lock);
	why = page_free_error(pg, order);
	if (unlikely(why != NULL)) {
		spin_unlock(&pa.lock, flags);
		page_free_panic(pg, order, why);
	}
	pg->flags &= ~PG_HEAD;
	free_block_locked(page_index(pg), order);
	count_set(&pa.buddy_free, pa.buddy_free + (1UL << order));
	pa.stats.free_calls++;
	spin_unlock(&pa.lock, flags);
}

/* Whether PG may go on a cache as it is: a single page, allocated, and
 * nothing else (its flags are its owner's, stable here).  Otherwise
 * page_free_error says what is wrong. */
static __always_inline bool page_free_plain(const struct page *pg)
{
	return page_in_array(pg) && pg->flags == PG_HEAD && pg->order == 0;
}

void page_free(struct page *pg, unsigned order)
{
	struct page_cache *c;
	unsigned long flags;

	/* A plainly valid single page goes on this CPU's cache if there is
	 * room; anything else is the slow path's. */
	if (likely(order == 0 && page_free_plain(pg))) {
		flags = intr_save();
		c = cache_try_mine();
		if (likely(c != NULL)) {
			if (likely(c->count < PCACHE_HIGH)) {
				cache_push(c, pg);
				count_set(&c->frees, c->frees + 1);
				spin_unlock_masked(&c->lock);
				intr_restore(flags);
				return;
			}
			spin_unlock_masked(&c->lock);
		}
		intr_restore(flags);
	}
	page_free_slow(pg, order);
}

void page_free_batch(struct page *const *pages, unsigned n)
{
	unsigned long flags = intr_save();
	struct page_cache *c = cache_mine();
	unsigned i;

	spin_lock_masked(&c->lock);
	for (i = 0; i < n; i++) {
		struct page *pg = pages[i];

		if (unlikely(!page_free_plain(pg))) {
			count_set(&c->frees, c->frees + i);
			spin_unlock_masked(&c->lock);
			intr_restore(flags);
			page_free_panic(pg, 0, page_free_error(pg, 0));
		}
		if (unlikely(c->count >= PCACHE_HIGH))
			cache_drain_locked(c, PCACHE_BATCH);
		cache_push(c, pg);
	}
	count_set(&c->frees, c->frees + n);
	spin_unlock_masked(&c->lock);
	intr_restore(flags);
}

paddr_t page_to_phys(const struct page *pg)
{
	return pa.base + page_index(pg) * PAGE_SIZE;
}

struct page *phys_to_page(paddr_t addr)
{
	struct page *pg;

	if (!pa.ready || addr < pa.base ||
	    (addr - pa.base) >> PAGE_SHIFT >= pa.npages)
		return NULL;
	pg = &pa.pages[(addr - pa.base) >> PAGE_SHIFT];
	/* PG_RESERVED never changes after init: no lock needed. */
	return (pg->flags & PG_RESERVED) ? NULL : pg;
}

void *page_to_virt(const struct page *pg)
{
	return phys_to_virt(page_to_phys(pg));
}

struct page *virt_to_page(const void *va)
{
	if (!virt_in_direct_map(va))
		return NULL;
	return phys_to_page(virt_to_phys(va));
}

void *page_alloc_va(unsigned order)
{
	struct page *pg = page_alloc(order);

	return pg ? page_to_virt(pg) : NULL;
}

void page_free_va(void *va, unsigned order)
{
	struct page *pg = virt_to_page(va);

	if (pg == NULL || !IS_ALIGNED((uintptr_t)va, PAGE_SIZE))
		panic("page_free_va(%p, order %u): not a managed page", va,
		      order);
	page_free(pg, order);
}

void page_alloc_get_stats(struct page_alloc_stats *st)
{
	unsigned long flags = spin_lock(&pa.lock);
	unsigned i;

	*st = pa.stats;
	st->free_pages = pa.buddy_free;
	for (i = 0; i < pa.ncaches; i++) {
		st->free_pages += count_get(&pcache[i].count);
		st->alloc_calls += count_get(&pcache[i].allocs);
		st->free_calls += count_get(&pcache[i].frees);
	}
	spin_unlock(&pa.lock, flags);
	st->allocated_pages = st->managed_pages - st->free_pages;
}

/* Check the caches: PG_CACHED single pages, as many as counted.  Adds
 * their pages to *CACHED.  Every cache and pa.lock held. */
static const char *caches_check_locked(uint64_t *cached, uint64_t *where)
{
	unsigned i;

	for (i = 0; i < MAX_CPUS; i++) {
		uint64_t n = 0;

		list_for_each_entry(struct page, pg, &pcache[i].pages, link)
		{
			*where = page_index(pg);
			if (!page_in_array(pg))
				return "cached page outside the array";
			if (pg->flags != PG_CACHED || pg->order != 0)
				return "cached page with wrong flags";
			n++;
		}
		if (n != pcache[i].count)
			return "cache page counter wrong";
		if (n != 0 && i >= pa.ncaches)
			return "cache not counted in the totals";
		*cached += n;
	}
	return NULL;
}

/*
 * Check the free lists and the caches, then that the array is exactly
 * partitioned into reserved pages, free blocks, cached pages and
 * allocated blocks that agree with the counters.  Returns what is wrong,
 * with the page index in *WHERE, or NULL.  Every cache and pa.lock held.
 */
static const char *page_alloc_check_locked(uint64_t *where)
{
	uint64_t listed = 0, heads = 0, free_pages = 0, alloc_pages = 0;
	uint64_t cached = 0, in_array = 0;
	uint64_t i, j;
	unsigned order;
	const char *why;

	*where = 0;
	if (!pa.ready)
		return NULL;
	for (order = 0; order <= PAGE_ORDER_MAX; order++) {
		struct list *l;

		list_for_each(l, &pa.free[order])
		{
			struct page *pg = container_of(l, struct page, link);
			uint64_t idx = page_index(pg);

			*where = idx;
			if (!page_in_array(pg))
				return "free list entry outside the array";
			if (pg->flags != PG_FREE || pg->order != order)
				return "free list entry with wrong flags";
			if ((index_pfn(idx) & ((1UL << order) - 1)) != 0 ||
			    idx + (1UL << order) > pa.npages)
				return "misaligned or overhanging free block";
			if (order < PAGE_ORDER_MAX) {
				struct page *b = phys_to_page(
				    page_to_phys(pg) ^ (PAGE_SIZE << order));

				if (b && (b->flags & PG_FREE) &&
				    b->order == order)
					return "free buddies left unmerged";
			}
			listed++;
			free_pages += 1UL << order;
		}
	}
	why = caches_check_locked(&cached, where);
	if (why != NULL)
		return why;

	for (i = 0; i < pa.npages;) {
		struct page *pg = &pa.pages[i];
		uint64_t n;

		*where = i;
		if (pg->flags & PG_RESERVED) {
			i++;
			continue;
		}
		if (pg->flags & PG_CACHED) {
			if (pg->flags != PG_CACHED || pg->order != 0)
				return "cached page with wrong flags";
			in_array++;
			i++;
			continue;
		}
		if (!(pg->flags & (PG_FREE | PG_HEAD)))
			return "page in no block";
		n = 1UL << pg->order;
		if (i + n > pa.npages)
			return "block past the end of the array";
		for (j = 1; j < n; j++)
			if (pg[j].flags &
			    (PG_RESERVED | PG_FREE | PG_HEAD | PG_CACHED)) {
				*where = i + j;
				return "block overlaps another";
			}
		if (pg->flags & PG_FREE)
			heads++;
		else
			alloc_pages += n;
		i += n;
	}

	if (heads != listed)
		return "free block not on its free list";
	if (in_array != cached)
		return "cached page in no cache";
	if (free_pages != pa.buddy_free)
		return "free page counter wrong";
	if (free_pages + cached + alloc_pages != pa.stats.managed_pages)
		return "managed page counter wrong";
	return NULL;
}

void page_alloc_check(void)
{
	unsigned long flags = intr_save();
	const char *why;
	uint64_t where;
	unsigned i;

	/* The only place that holds more than one cache lock: in CPU
	 * order, then pa.lock, for a snapshot no CPU changes. */
	for (i = 0; i < MAX_CPUS; i++)
		spin_lock_masked(&pcache[i].lock);
	spin_lock_masked(&pa.lock);
	why = page_alloc_check_locked(&where);
	spin_unlock_masked(&pa.lock);
	for (i = MAX_CPUS; i-- > 0;)
		spin_unlock_masked(&pcache[i].lock);
	intr_restore(flags);
	if (why != NULL)
		panic("page_alloc_check: %s (page %lu)", why,
		      (unsigned long)where);
}

void page_alloc_reset_for_tests(void)
{
	memset(&pa, 0, sizeof(pa));
	memset(pcache, 0, sizeof(pcache));
	spin_init(&pa.lock, "page_alloc");
}

/*
 * A free block of the smallest order from *ORDER up that would hold
 * NPAGES pages ending at or below LIMIT (physical), its order in *ORDER
 * (the smallest fitting block: large ones stay whole).  pa.lock held.
 */
static struct page *contig_find_locked(uint64_t npages, paddr_t limit,
                                       unsigned *order)
{
	for (unsigned j = *order; j <= PAGE_ORDER_MAX; j++) {
		list_for_each_entry(struct page, pg, &pa.free[j], link)
		{
			if (page_to_phys(pg) + npages * PAGE_SIZE <= limit) {
				*order = j;
				return pg;
			}
		}
	}
	return NULL;
}

/*
 * One try at page_alloc_contig's run: NPAGES pages below LIMIT out of a
 * free block of order ORDER or more.  No allocator lock held.  Returns
 * the first page or NULL.
 */
static struct page *contig_try(uint64_t npages, paddr_t limit, unsigned order)
{
	unsigned long flags = spin_lock(&pa.lock);
	unsigned j = order;
	struct page *pg;
	uint64_t idx, i;

	pg = contig_find_locked(npages, limit, &j);
	if (pg == NULL) {
		spin_unlock(&pa.lock, flags);
		return NULL;
	}
	list_remove(&pg->link);
	pg->flags &= ~PG_FREE;
	idx = page_index(pg);
	/* Keep the first NPAGES pages, each a block of its own; the rest of
	 * the block goes back (merging with what it can). */
	for (i = 0; i < npages; i++) {
		pa.pages[idx + i].flags |= PG_HEAD;
		pa.pages[idx + i].order = 0;
	}
	free_range_locked(idx + npages, idx + (1UL << j));
	count_set(&pa.buddy_free, pa.buddy_free - npages);
	pa.stats.alloc_calls++;
	spin_unlock(&pa.lock, flags);
	return pg;
}

struct page *page_alloc_contig(uint64_t npages, paddr_t limit)
{
	unsigned order = 0;
	struct page *pg = NULL;
	unsigned long flags;

	while (order <= PAGE_ORDER_MAX && (1UL << order) < npages)
		order++;
	if (npages != 0 && order <= PAGE_ORDER_MAX && pa.ready) {
		pg = contig_try(npages, limit, order);
		/* Cached pages may complete the run. */
		if (pg == NULL && caches_drain_all() > 0)
			pg = contig_try(npages, limit, order);
	}
	if (pg == NULL) {
		flags = spin_lock(&pa.lock);
		pa.stats.failed_calls++;
		spin_unlock(&pa.lock, flags);
	}
	return pg;
}
