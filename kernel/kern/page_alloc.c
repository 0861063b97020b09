/*
 * The physical page allocator: a binary buddy allocator over the usable
 * RAM that the boot memory map (kern/memmap.c) describes.  One struct page
 * per physical page lives in an array carved out of that map; the slab
 * allocator (kern/slab.c) and later the VM system build on it.
 *
 * Buddies are found from absolute page frame numbers, so a block of order
 * k always starts at a physical multiple of 2^k pages, whatever the base
 * of the array.  Pages the map does not call usable stay PG_RESERVED
 * forever and are never part of a block.
 */
#include "kern/page_alloc.h"

#include "kern/compiler.h"
#include "kern/memmap.h"
#include "kern/panic.h"
#include "kern/spinlock.h"
#include "kern/string.h"

/*
 * The allocator.
 * Owned by: this file; set up once by page_alloc_init().
 * Guarded by: pa.lock for the free lists, the counters and the flags of
 *   free pages.  `pages`, `base`, `npages` and `ready` are written only by
 *   page_alloc_init() before any other CPU runs, then only read.
 * Lock order: a leaf; callers may hold any other lock (slab caches do).
 */
static struct {
	spinlock_t lock;
	bool ready;
	struct page *pages; /* one per page of [base, base + npages pages) */
	paddr_t base;       /* physical address of pages[0]'s page */
	uint64_t npages;
	struct list free[PAGE_ORDER_MAX + 1]; /* free block heads by order */
	struct page_alloc_stats stats;
	uint64_t reserve; /* free pages only privileged callers may take */
} pa = {.lock = SPINLOCK_INIT("page_alloc")};

bool (*page_alloc_privileged)(void);

void page_alloc_set_reserve(uint64_t pages)
{
	unsigned long flags = spin_lock(&pa.lock);

	pa.reserve = pages;
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
	while (order < PAGE_ORDER_MAX) {
		uint64_t pfn = index_pfn(idx);
		uint64_t buddy_pfn = pfn ^ (1UL << order);
		uint64_t bidx;
		struct page *buddy;

		if (buddy_pfn < index_pfn(0))
			break;
		bidx = buddy_pfn - index_pfn(0);
		if (bidx >= pa.npages)
			break;
		buddy = &pa.pages[bidx];
		if (!(buddy->flags & PG_FREE) || buddy->order != order)
			break;
		list_remove(&buddy->link);
		buddy->flags &= ~PG_FREE;
		idx = MIN(idx, bidx);
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

	lo = map->usable[0].base;
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
	pa.stats.managed_pages = managed;
	pa.stats.free_pages = managed;
	pa.ready = true;
	spin_unlock(&pa.lock, flags);
}

struct page *page_alloc(unsigned order)
{
	struct page *pg;
	unsigned long flags;
	unsigned j;

	flags = spin_lock(&pa.lock);
	if (unlikely(order > PAGE_ORDER_MAX || !pa.ready))
		goto fail;
	/* The last pages are for whoever frees memory (pageout, the default
	 * pager). */
	if (pa.stats.free_pages < pa.reserve + (1UL << order) &&
	    (page_alloc_privileged == NULL || !page_alloc_privileged()))
		goto fail;
	for (j = order; j <= PAGE_ORDER_MAX; j++)
		if (!list_empty(&pa.free[j]))
			break;
	if (j > PAGE_ORDER_MAX)
		goto fail;

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
	pa.stats.free_pages -= 1UL << order;
	pa.stats.allocated_pages += 1UL << order;
	pa.stats.alloc_calls++;
	spin_unlock(&pa.lock, flags);
	return pg;

fail:
	pa.stats.failed_calls++;
	spin_unlock(&pa.lock, flags);
	return NULL;
}

/* Why freeing PG with ORDER is wrong, or NULL if it is a valid free. */
static const char *page_free_error(const struct page *pg, unsigned order)
{
	if (!page_in_array(pg) || (pg->flags & PG_RESERVED))
		return "not a managed page";
	if (pg->flags & PG_FREE)
		return "block already free";
	if (!(pg->flags & PG_HEAD))
		return "not the head of an allocated block";
	if (pg->order != order)
		return "freed with the wrong order";
	if (pg->flags & PG_SLAB)
		return "page still heads a slab";
	return NULL;
}

void page_free(struct page *pg, unsigned order)
{
	unsigned long flags;
	const char *why;

	flags = spin_lock(&pa.lock);
	why = page_free_error(pg, order);
	if (unlikely(why != NULL)) {
		unsigned had = page_in_array(pg) ? pg->order : 0;

		/* Unlocked first, so that a host test that catches the panic
		 * finds the allocator usable. */
		spin_unlock(&pa.lock, flags);
		panic("page_free(%p, order %u): %s (block order %u)",
		      (void *)pg, order, why, had);
	}
	pg->flags &= ~PG_HEAD;
	free_block_locked(page_index(pg), order);
	pa.stats.free_pages += 1UL << order;
	pa.stats.allocated_pages -= 1UL << order;
	pa.stats.free_calls++;
	spin_unlock(&pa.lock, flags);
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

	*st = pa.stats;
	spin_unlock(&pa.lock, flags);
}

/*
 * Check the free lists, then that the array is exactly partitioned into
 * reserved pages, free blocks and allocated blocks that agree with the
 * counters.  Returns what is wrong, with the page index in *WHERE, or NULL.
 */
static const char *page_alloc_check_locked(uint64_t *where)
{
	uint64_t listed = 0, heads = 0, free_pages = 0, alloc_pages = 0;
	uint64_t i, j;
	unsigned order;

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

	for (i = 0; i < pa.npages;) {
		struct page *pg = &pa.pages[i];
		uint64_t n;

		*where = i;
		if (pg->flags & PG_RESERVED) {
			i++;
			continue;
		}
		if (!(pg->flags & (PG_FREE | PG_HEAD)))
			return "page in no block";
		n = 1UL << pg->order;
		if (i + n > pa.npages)
			return "block past the end of the array";
		for (j = 1; j < n; j++)
			if (pg[j].flags & (PG_RESERVED | PG_FREE | PG_HEAD)) {
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
	if (free_pages != pa.stats.free_pages)
		return "free page counter wrong";
	if (alloc_pages != pa.stats.allocated_pages)
		return "allocated page counter wrong";
	if (free_pages + alloc_pages != pa.stats.managed_pages)
		return "managed page counter wrong";
	return NULL;
}

void page_alloc_check(void)
{
	unsigned long flags;
	const char *why;
	uint64_t where;

	flags = spin_lock(&pa.lock);
	why = page_alloc_check_locked(&where);
	spin_unlock(&pa.lock, flags);
	if (why != NULL)
		panic("page_alloc_check: %s (page %lu)", why,
		      (unsigned long)where);
}

void page_alloc_reset_for_tests(void)
{
	memset(&pa, 0, sizeof(pa));
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

struct page *page_alloc_contig(uint64_t npages, paddr_t limit)
{
	unsigned order = 0, j;
	struct page *pg;
	unsigned long flags;
	uint64_t idx, i;

	while (order <= PAGE_ORDER_MAX && (1UL << order) < npages)
		order++;
	flags = spin_lock(&pa.lock);
	if (npages == 0 || order > PAGE_ORDER_MAX || !pa.ready) {
		pa.stats.failed_calls++;
		spin_unlock(&pa.lock, flags);
		return NULL;
	}
	j = order;
	pg = contig_find_locked(npages, limit, &j);
	if (pg == NULL) {
		pa.stats.failed_calls++;
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
	pa.stats.free_pages -= npages;
	pa.stats.allocated_pages += npages;
	pa.stats.alloc_calls++;
	spin_unlock(&pa.lock, flags);
	return pg;
}
