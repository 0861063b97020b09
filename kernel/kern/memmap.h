/*
 * The boot memory map: what the firmware says about physical memory,
 * cleaned up into sorted, non-overlapping, page-aligned ranges of RAM
 * that the page allocator may use.
 *
 * The machine layer fills a struct memmap from the multiboot map
 * (memmap_add), marks what must never be handed out (memmap_reserve: the
 * kernel image, modules, multiboot data, the first MiB), may take a few
 * pages for itself before the page allocator exists (memmap_steal), and
 * finally hands the usable ranges to page_alloc_init().
 *
 * The code is machine independent and unit tested on the host with
 * malformed maps (overlaps, tiny and unaligned regions, reserved holes).
 */
#ifndef KERN_MEMMAP_H
#define KERN_MEMMAP_H

#include "kern/types.h"

#define MEMMAP_MAX 64 /* ranges kept; firmware maps are far smaller */

enum memmap_type {
	MEMMAP_USABLE = 1,   /* RAM free for the kernel to use */
	MEMMAP_RESERVED = 2, /* anything else: firmware, MMIO, ACPI, holes */
};

struct memmap_range {
	paddr_t base; /* page aligned after memmap_finish() */
	paddr_t end;  /* exclusive; base < end */
	enum memmap_type type;
};

/*
 * A physical memory map under construction.
 * Owned by: the boot code, which uses it on one CPU before SMP starts.
 * Guarded by: nothing (single-threaded boot).
 */
struct memmap {
	struct memmap_range raw[MEMMAP_MAX]; /* as reported, in order */
	unsigned nraw;
	struct memmap_range usable[MEMMAP_MAX]; /* cleaned usable RAM */
	unsigned nusable;
	unsigned dropped; /* raw entries ignored (empty, overflow) */
};

void memmap_init(struct memmap *map);

/*
 * memmap_add: record one firmware entry [BASE, BASE+LEN) of TYPE.
 * Returns 0, or -1 when LEN is 0, the range wraps, or the table is full
 * (the entry is then counted in map->dropped and ignored).
 */
int memmap_add(struct memmap *map, paddr_t base, uint64_t len,
               enum memmap_type type);

/*
 * memmap_finish: build map->usable from the raw entries: usable ranges
 * are merged where they overlap or touch, any part covered by a reserved
 * entry is removed (reserved wins), the rest is shrunk to whole pages and
 * ranges smaller than one page are dropped.  The result is sorted.
 * It rebuilds map->usable from the raw entries, so it comes before any
 * memmap_reserve or memmap_steal.
 * Returns the number of usable bytes.
 */
uint64_t memmap_finish(struct memmap *map);

/*
 * memmap_reserve: remove [BASE, BASE+LEN) from the usable ranges (called
 * after memmap_finish).  Bytes partially covering a page remove the whole
 * page.  Returns 0, or -1 when splitting a range would overflow the table.
 */
int memmap_reserve(struct memmap *map, paddr_t base, uint64_t len);

/*
 * memmap_steal: take SIZE bytes (rounded up to pages) aligned to ALIGN
 * (a power of two; less than a page means a page) from the usable
 * ranges, entirely below LIMIT (0: no limit).  The block comes from the
 * top of the highest range that fits.
 * Returns the physical address, or 0 when nothing fits or SIZE is 0 (0
 * is never usable: the first MiB is always reserved by the machine layer).
 */
paddr_t memmap_steal(struct memmap *map, uint64_t size, uint64_t align,
                     paddr_t limit);

/* Total bytes in the usable ranges. */
uint64_t memmap_usable_bytes(const struct memmap *map);

#endif
