/*
 * The boot memory map: turns the firmware's list of regions, which may
 * overlap, be unaligned or be plain wrong, into sorted page-aligned ranges
 * of usable RAM.  The machine layer feeds it; page_alloc_init() consumes
 * it.  Everything here runs on the boot CPU before SMP, so nothing locks.
 */
#include "kern/memmap.h"

#include "kern/compiler.h"
#include "kern/string.h"
#include "machine/memlayout.h"

void memmap_init(struct memmap *map)
{
	memset(map, 0, sizeof(*map));
}

int memmap_add(struct memmap *map, paddr_t base, uint64_t len,
               enum memmap_type type)
{
	/* An end past 2^64 - 1 cannot be represented: treat it as bogus. */
	if (len == 0 || len > UINT64_MAX - base || map->nraw == MEMMAP_MAX) {
		map->dropped++;
		return -1;
	}
	map->raw[map->nraw].base = base;
	map->raw[map->nraw].end = base + len;
	/* Anything the firmware does not call RAM is off limits. */
	map->raw[map->nraw].type =
	    type == MEMMAP_USABLE ? MEMMAP_USABLE : MEMMAP_RESERVED;
	map->nraw++;
	return 0;
}

/* Remove entry I of the usable table, keeping the rest in order. */
static void usable_delete(struct memmap *map, unsigned i)
{
	memmove(&map->usable[i], &map->usable[i + 1],
	        (map->nusable - i - 1) * sizeof(map->usable[0]));
	map->nusable--;
}

/* Open a slot at I of the usable table; the caller checked for room. */
static void usable_insert(struct memmap *map, unsigned i, paddr_t base,
                          paddr_t end)
{
	memmove(&map->usable[i + 1], &map->usable[i],
	        (map->nusable - i) * sizeof(map->usable[0]));
	map->usable[i].base = base;
	map->usable[i].end = end;
	map->usable[i].type = MEMMAP_USABLE;
	map->nusable++;
}

/*
 * Cut [BASE, END) out of the sorted, disjoint usable table.  Since the
 * ranges are disjoint, at most one of them can strictly contain the hole
 * and need splitting; that split is checked for room before anything
 * changes, so a failure leaves the table as it was.
 * Returns 0, or -1 when the split would overflow the table.
 */
static int usable_cut(struct memmap *map, paddr_t base, paddr_t end)
{
	unsigned i;

	for (i = 0; i < map->nusable; i++) {
		struct memmap_range *r = &map->usable[i];

		if (r->base < base && r->end > end &&
		    map->nusable == MEMMAP_MAX)
			return -1;
	}
	for (i = 0; i < map->nusable;) {
		struct memmap_range *r = &map->usable[i];

		if (r->end <= base || r->base >= end) {
			i++;
		} else if (r->base < base && r->end > end) {
			paddr_t tail = r->end;

			r->end = base;
			usable_insert(map, i + 1, end, tail);
			return 0;
		} else if (r->base < base) {
			r->end = base;
			i++;
		} else if (r->end > end) {
			r->base = end;
			i++;
		} else {
			usable_delete(map, i);
		}
	}
	return 0;
}

uint64_t memmap_finish(struct memmap *map)
{
	unsigned i, j, n = 0;

	/* Gather the usable entries, sorted by base (insertion sort: the
	 * table is tiny and usually already in order). */
	for (i = 0; i < map->nraw; i++) {
		struct memmap_range r = map->raw[i];

		if (r.type != MEMMAP_USABLE)
			continue;
		for (j = n; j > 0 && map->usable[j - 1].base > r.base; j--)
			map->usable[j] = map->usable[j - 1];
		map->usable[j] = r;
		n++;
	}

	/* Merge the ones that overlap or touch. */
	map->nusable = 0;
	for (i = 0; i < n; i++) {
		struct memmap_range *last;

		if (map->nusable > 0) {
			last = &map->usable[map->nusable - 1];
			if (map->usable[i].base <= last->end) {
				last->end = MAX(last->end, map->usable[i].end);
				continue;
			}
		}
		map->usable[map->nusable++] = map->usable[i];
	}

	/*
	 * Reserved wins.  Each cut splits at most one range, so the table
	 * never holds more than (usable + reserved) entries <= MEMMAP_MAX
	 * and usable_cut cannot fail here.
	 */
	for (i = 0; i < map->nraw; i++)
		if (map->raw[i].type != MEMMAP_USABLE)
			(void)usable_cut(map, map->raw[i].base,
			                 map->raw[i].end);

	/* Keep whole pages only. */
	for (i = 0; i < map->nusable;) {
		struct memmap_range *r = &map->usable[i];
		paddr_t base = ALIGN_UP(r->base, PAGE_SIZE);
		paddr_t end = ALIGN_DOWN(r->end, PAGE_SIZE);

		if (base < r->base || base >= end) { /* wrapped, or < 1 page */
			usable_delete(map, i);
			continue;
		}
		r->base = base;
		r->end = end;
		i++;
	}
	return memmap_usable_bytes(map);
}

int memmap_reserve(struct memmap *map, paddr_t base, uint64_t len)
{
	paddr_t end;

	if (len == 0)
		return 0;
	end = len > UINT64_MAX - base ? UINT64_MAX : base + len;
	/* Whole pages: round the hole outward.  An end in the last page of
	 * the address space stays unaligned, which is harmless: no usable
	 * range reaches past the last whole page. */
	base = ALIGN_DOWN(base, PAGE_SIZE);
	if (end <= UINT64_MAX - (PAGE_SIZE - 1))
		end = ALIGN_UP(end, PAGE_SIZE);
	return usable_cut(map, base, end);
}

paddr_t memmap_steal(struct memmap *map, uint64_t size, uint64_t align,
                     paddr_t limit)
{
	unsigned i;

	if (size == 0 || size > UINT64_MAX - (PAGE_SIZE - 1))
		return 0;
	size = ALIGN_UP(size, PAGE_SIZE);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if ((align & (align - 1)) != 0)
		return 0;
	if (limit == 0)
		limit = UINT64_MAX;

	/*
	 * Take from the top of the highest range that fits below LIMIT:
	 * low memory is scarcer (ISA DMA, the boot identity map) and a whole
	 * range's tail comes off without splitting anything.
	 */
	for (i = map->nusable; i-- > 0;) {
		struct memmap_range *r = &map->usable[i];
		paddr_t top = MIN(r->end, ALIGN_DOWN(limit, PAGE_SIZE));
		paddr_t start;

		if (top <= r->base || top - r->base < size)
			continue;
		start = ALIGN_DOWN(top - size, align);
		if (start < r->base)
			continue;
		if (start + size == r->end) {
			r->end = start;
		} else if (map->nusable < MEMMAP_MAX) {
			usable_insert(map, i + 1, start + size, r->end);
			r->end = start;
		} else {
			/* No slot for the part above: it is given up. */
			r->end = start;
		}
		if (r->base == r->end)
			usable_delete(map, i);
		return start;
	}
	return 0;
}

uint64_t memmap_usable_bytes(const struct memmap *map)
{
	uint64_t total = 0;
	unsigned i;

	for (i = 0; i < map->nusable; i++)
		total += map->usable[i].end - map->usable[i].base;
	return total;
}
