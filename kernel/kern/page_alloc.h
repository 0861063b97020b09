/*
 * The physical page allocator: a binary buddy allocator over the usable
 * RAM of the boot memory map, with one struct page per physical page.
 *
 * Blocks are 2^order pages, naturally aligned in physical memory (so a
 * block of order k starts at a multiple of 2^k pages).  Callers reach the
 * memory through the direct map (phys_to_virt).  The allocator never hands
 * out a page that was not in the usable ranges given to page_alloc_init,
 * so the kernel image, the modules and the boot data stay untouched.
 *
 * Single pages go through a small cache per CPU (at most 64 pages) in
 * front of the buddy, so that most page_alloc(0) and page_free(_, 0)
 * calls take no shared lock; the pages there are free (the counters say
 * so) but do not merge until the cache drains.
 */
#ifndef KERN_PAGE_ALLOC_H
#define KERN_PAGE_ALLOC_H

#include "kern/list.h"
#include "kern/types.h"
#include "machine/memlayout.h"

#define PAGE_ORDER_MAX 10 /* largest block: 2^10 pages = 4 MiB */

struct memmap;
struct slab;

/* page->flags */
#define PG_RESERVED 0x1  /* not managed: a hole, or used at boot */
#define PG_FREE     0x2  /* the head of a free block on a free list */
#define PG_SLAB     0x4  /* the head page of a slab (page->slab is valid) */
#define PG_HEAD     0x8  /* the head page of an allocated block */
#define PG_CACHED   0x10 /* a free single page in a CPU's cache */

/*
 * The descriptor of one physical page.
 * Owned by: the page allocator while the page is free; the allocating
 *   subsystem (slab, a VM object) while it is allocated.
 * Guarded by: the page allocator's lock for `flags`, `order` and `link`
 *   while the page is in a free block; its CPU cache's lock while it is
 *   cached (PG_CACHED); the owner's lock otherwise.
 */
struct page {
	struct list link;  /* free list, or the owner's list */
	uint32_t flags;    /* PG_* */
	uint8_t order;     /* block order, valid in a block's head page */
	uint16_t entries;  /* a page table's present entries (arch pmap) */
	struct slab *slab; /* the slab this page belongs to, set in every
	                      page of a slab (PG_SLAB marks its head) */
};

/*
 * page_alloc_init: take over the usable ranges of MAP.  The page array
 * itself is carved out of MAP first, so MAP shrinks by its size.
 * Locks: called once on the boot CPU before anything else allocates.
 * Panics if the usable memory cannot even hold the page array.
 */
void page_alloc_init(struct memmap *map);

/*
 * page_alloc: allocate a block of 2^ORDER pages.  A single page comes
 * from this CPU's cache, refilled from the buddy 32 pages at a time.
 * Locks: any; takes this CPU's cache lock and, on a refill or for a
 *   larger block, the allocator's spinlock internally.
 * Returns: the head page, or NULL if ORDER > PAGE_ORDER_MAX or no free
 *   block is large enough even once every CPU's cache has been emptied
 *   into the buddy, or only the reserve is left (never panics on
 *   exhaustion).  Contents are undefined.  Counts alloc_calls on
 *   success, failed_calls otherwise.
 */
struct page *page_alloc(unsigned order);

/*
 * page_alloc_set_reserve: keep the last PAGES free pages for privileged
 * callers (page_alloc_privileged returns true for them: the pageout
 * daemon and the default pager's threads); others' page_alloc fails
 * when it would dip into them.  Pages in CPU caches count as free.
 * page_alloc_privileged is called with the allocator's locks held: it
 * must only read.
 */
void page_alloc_set_reserve(uint64_t pages);
extern bool (*page_alloc_privileged)(void);

/*
 * page_free: give back a block that page_alloc(ORDER) returned.  A
 * single page goes on this CPU's cache; when the cache is full its 32
 * oldest pages go back to the buddy first.
 * Locks: any; takes this CPU's cache lock and, for a drain or a larger
 *   block, the allocator's spinlock internally.
 * Panics on an invalid free: a page outside managed memory, a page that
 * is not a block head, a block already free (or cached), or an ORDER
 * other than the one it was allocated with.
 */
void page_free(struct page *pg, unsigned order);

/*
 * page_free_batch: page_free(PAGES[i], 0) for i < N, under one hold of
 * this CPU's cache lock: for owners that give back many single pages at
 * once (a VM object that dies).
 * Locks: as page_free.
 * Panics on an invalid free as page_free does; the pages before the bad
 *   one are freed.
 */
void page_free_batch(struct page *const *pages, unsigned n);

/*
 * page_alloc_contig: NPAGES (1 to 2^PAGE_ORDER_MAX) physically contiguous
 * pages, all below LIMIT (the last byte's address + 1 <= LIMIT), from
 * the smallest free block that holds such a run.  Each page is an order-0
 * block of its own (page_free(pg + i, 0) frees one).
 * Locks: any; takes the allocator's lock (the search walks the free
 *   lists: O(free blocks)), and every CPU cache's in turn to empty them
 *   when the first search fails.
 * Returns the first page, or NULL (no such run free, or NPAGES out of
 *   range).
 */
struct page *page_alloc_contig(uint64_t npages, paddr_t limit);

/* Conversions between a page, its physical address and its direct-map
 * address.  phys_to_page returns NULL for an unmanaged address. */
paddr_t page_to_phys(const struct page *pg);
struct page *phys_to_page(paddr_t pa);
void *page_to_virt(const struct page *pg);
struct page *virt_to_page(const void *va);

/* Convenience: allocate/free 2^ORDER pages by direct-map address. */
void *page_alloc_va(unsigned order);
void page_free_va(void *va, unsigned order);

/*
 * Counters, a snapshot (other CPUs' caches are read without their locks).
 * free_pages + allocated_pages == managed_pages at all times.
 */
struct page_alloc_stats {
	uint64_t managed_pages;   /* pages the allocator owns */
	uint64_t free_pages;      /* pages in free blocks and CPU caches */
	uint64_t allocated_pages; /* pages in allocated blocks */
	uint64_t alloc_calls, free_calls, failed_calls;
};
void page_alloc_get_stats(struct page_alloc_stats *st);

/* Check the free lists and the CPU caches against the page array and the
 * counters; panics on corruption.  Holds every cache lock and the
 * allocator's lock while it walks the array.  For tests and the
 * self-test. */
void page_alloc_check(void);

/*
 * Host unit tests only: forget everything, so that the next
 * page_alloc_init() starts from scratch on a new memory map.  Whatever
 * was allocated is lost; callers must not touch the old pages again.
 */
void page_alloc_reset_for_tests(void);

#endif
