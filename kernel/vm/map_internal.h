/*
 * vm/map_internal.h — the entry layer of the address-space map, shared
 * by its files: map.c (entries, the vm_* operations), map_lookup.c
 * (lookups for faults and vm_region), map_copy.c (fork and virtual
 * copies in and out) and map_wire.c (wiring).  Private to
 * kernel/vm.  Unless said otherwise, every function here wants the map's
 * lock held.
 */
#ifndef VM_MAP_INTERNAL_H
#define VM_MAP_INTERNAL_H

#include "kern/slab.h"
#include "vm/map.h"

#define PG_MASK     ((vaddr_t)PAGE_SIZE - 1)
#define trunc_pg(a) ((vaddr_t)(a) & ~PG_MASK)
#define MAX_SPARES  2

/* Where entries come from. */
extern struct slab_cache map_entry_cache;

/* Entries allocated ahead of a change, so the change itself cannot fail.
 * Owned by: the operation's stack. */
struct spares {
	struct vm_map_entry *e[MAX_SPARES];
	unsigned n;
};

/* What vm_map_protect / vm_map_inherit / vm_map_wire set on each entry
 * of a range. */
enum change_kind { CHANGE_PROT, CHANGE_MAX, CHANGE_INHERIT, CHANGE_WIRE };

struct change {
	enum change_kind kind;
	int value;
};

/* Count (ADD) or uncount E's pages in [FROM, TO) as wired, if E is wired
 * and not device memory.  map->lock held. */
void map_wired_account(struct vm_map *map, const struct vm_map_entry *e,
                       vaddr_t from, vaddr_t to, bool add);

/* A new entry for MAP (the map's spare, else from the slab cache), or
 * NULL; and the way back.  map->lock held. */
struct vm_map_entry *map_entry_alloc(struct vm_map *map);
void map_entry_free(struct vm_map *map, struct vm_map_entry *e);

struct vm_map_entry *map_entry_of(const struct avl_node *n);

struct vm_map_entry *map_entry_next(const struct vm_map_entry *e);

/* The entry containing ADDR, or NULL. */
struct vm_map_entry *map_entry_lookup(const struct vm_map *map, vaddr_t addr);

/* The entry containing ADDR or else the first above it, or NULL. */
struct vm_map_entry *map_entry_at_or_after(const struct vm_map *map,
                                           vaddr_t addr);

/* Put E (new: any mapper_link is a copy's) in MAP, and on its object's
 * mappers. */
void map_entry_link(struct vm_map *map, struct vm_map_entry *e);

/* Put E on its object's mappers (pageout and a pager's lock_request
 * find every translation of the object through them). */
void map_entry_mapper(struct vm_map_entry *e);

/* Take E off its object's mappers (if it is on them). */
void map_entry_unmapper(struct vm_map_entry *e);

/* Unlink E and free it with its object reference.  Its translations
 * are gone already. */
void map_entry_unlink_free(struct vm_map *map, struct vm_map_entry *e);

/* Merge every mergeable pair of neighbours touching [START, END]. */
void map_merge_around(struct vm_map *map, vaddr_t start, vaddr_t end);

/* Merge E with its neighbours where they could be one entry (E may be
 * freed). */
void map_merge_neighbours(struct vm_map *map, struct vm_map_entry *e);

/* [START, END) of MAP is being unmapped; BOUNDARY is the end of what
 * stays mapped just below START (START itself when an entry is trimmed
 * there, else the end of the entry before, or anything lower): keep the
 * search's knowledge (map->scan_*) true. */
void map_scan_cut(struct vm_map *map, vaddr_t start, vaddr_t end,
                  vaddr_t boundary);

/*
 * Check that NET_NEW more entries fit MAP's limit and allocate NALLOC
 * spares.  Returns KERN_SUCCESS, KERN_NO_SPACE or KERN_RESOURCE_SHORTAGE.
 */
kern_return_t map_spares_get(struct vm_map *map, unsigned net_new,
                             unsigned nalloc, struct spares *sp);

/*
 * Split E at ADDR (strictly inside it) with a spare: E keeps
 * [start, ADDR), the returned new entry holds [ADDR, end).
 */
struct vm_map_entry *map_entry_split(struct vm_map *map, struct vm_map_entry *e,
                                     vaddr_t addr, struct spares *sp);

/* Find a free, MASK-aligned range of SIZE bytes at or above START (and
 * remember how far the map is full from START on). */
bool map_find_space(struct vm_map *map, vaddr_t start, uint64_t size,
                    vaddr_t mask, vaddr_t *found);

/* Unmap [START, END) (page aligned), trimming the entries at its edges.
 * map->lock held. */
void map_remove_locked(struct vm_map *map, vaddr_t start, vaddr_t end);

/* Set E's wiring to WIRED, counting its pages. */
void map_entry_set_wired(struct vm_map *map, struct vm_map_entry *e,
                         bool wired);

/*
 * Apply C to the mapped parts of [START, END), splitting the entries that
 * straddle an edge and need the change, then merging.
 * Locks: map->lock held.
 */
kern_return_t map_change_range(struct vm_map *map, vaddr_t start, vaddr_t end,
                               const struct change *c);

/* Give E an object of its own size if it has none.  map->lock held. */
kern_return_t map_entry_make_object(struct vm_map_entry *e);

/*
 * End E's copy-on-write sharing before it writes: keep the object if
 * nobody else references it any more, else put a new shadow of E's
 * range of it in front.  map->lock held.
 */
kern_return_t map_entry_resolve_copy(struct vm_map_entry *e);

/*
 * Whether [START, END) (page aligned, START < END) is mapped without a
 * hole and every part allows PROT; if so, and FIRST and LAST are not
 * NULL, the entries containing START and END - 1.  map->lock held.
 * Returns KERN_SUCCESS, KERN_INVALID_ADDRESS or KERN_PROTECTION_FAILURE.
 */
kern_return_t map_range_allows(struct vm_map *map, vaddr_t start, vaddr_t end,
                               vm_prot_t prot, struct vm_map_entry **first,
                               struct vm_map_entry **last);

#endif
