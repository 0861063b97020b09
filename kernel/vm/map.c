/*
 * The address-space map (vm/map.h): a task's regions in an AVL tree
 * ordered by start address (kern/avl.c), so that the fault path's lookup
 * and every operation's search cost O(log n).  Each operation that splits
 * entries first checks the map's entry limit and takes the entries it may
 * need from the slab cache, so it either fails with nothing changed or
 * completes; neighbours whose attributes agree are merged afterwards.
 */
#include "vm/map.h"
#include "vm/map_internal.h"

#include "kern/compiler.h"
#include "kern/panic.h"
#include "kern/slab.h"
#include "machine/memlayout.h"
#include "vm/copy.h"
#include "vm/object.h"

static struct slab_cache map_cache;
struct slab_cache map_entry_cache;

uint64_t vm_map_wired_total;

/* Count (ADD) or uncount E's pages in [FROM, TO) as wired, if E is wired
 * and not device memory.  map->lock held. */
void map_wired_account(struct vm_map *map, const struct vm_map_entry *e,
                       vaddr_t from, vaddr_t to, bool add)
{
	uint64_t pages = (to - from) / PAGE_SIZE;

	if (e->wired_count == 0 || e->device || pages == 0)
		return;
	map->wired_pages += add ? pages : -pages;
	__atomic_add_fetch(&vm_map_wired_total, add ? pages : -pages,
	                   __ATOMIC_RELAXED);
}

void vm_map_init(void)
{
	slab_cache_init(&map_cache, "vm.map", sizeof(struct vm_map), 0);
	slab_cache_init(&map_entry_cache, "vm.map_entry",
	                sizeof(struct vm_map_entry), 0);
}

struct vm_map_entry *map_entry_alloc(struct vm_map *map)
{
	struct vm_map_entry *e = map->spare;

	if (e == NULL)
		return slab_alloc(&map_entry_cache);
	map->spare = NULL;
	return e;
}

void map_entry_free(struct vm_map *map, struct vm_map_entry *e)
{
	if (map->spare == NULL)
		map->spare = e;
	else
		slab_free(&map_entry_cache, e);
}

struct vm_map_entry *map_entry_of(const struct avl_node *n)
{
	return n != NULL ? container_of(n, struct vm_map_entry, node) : NULL;
}

struct vm_map_entry *map_entry_next(const struct vm_map_entry *e)
{
	return map_entry_of(avl_next(&e->node));
}

static struct vm_map_entry *entry_prev(const struct vm_map_entry *e)
{
	return map_entry_of(avl_prev(&e->node));
}

static int entry_cmp(const struct avl_node *a, const struct avl_node *b)
{
	vaddr_t sa = map_entry_of(a)->start, sb = map_entry_of(b)->start;

	return sa < sb ? -1 : sa > sb;
}

/* The entry with the greatest start <= ADDR, or NULL. */
static struct vm_map_entry *entry_floor(const struct vm_map *map, vaddr_t addr)
{
	struct avl_node *n = map->tree.root, *best = NULL;

	while (n != NULL) {
		if (map_entry_of(n)->start <= addr) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return map_entry_of(best);
}

/* The entry containing ADDR, or NULL. */
struct vm_map_entry *map_entry_lookup(const struct vm_map *map, vaddr_t addr)
{
	struct vm_map_entry *e = entry_floor(map, addr);

	return e != NULL && addr < e->end ? e : NULL;
}

/* The entry containing ADDR or else the first above it, or NULL. */
struct vm_map_entry *map_entry_at_or_after(const struct vm_map *map,
                                           vaddr_t addr)
{
	struct vm_map_entry *e = entry_floor(map, addr);

	if (e == NULL)
		return map_entry_of(avl_first(&map->tree));
	return addr < e->end ? e : map_entry_next(e);
}

void map_entry_mapper(struct vm_map_entry *e)
{
	if (e->object != NULL) {
		unsigned long fl = spin_lock(&e->object->lock);

		list_push_back(&e->object->mappers, &e->mapper_link);
		spin_unlock(&e->object->lock, fl);
	}
}

/* Put E (new: any mapper_link is a copy's) in MAP, and on its object's
 * mappers. */
void map_entry_link(struct vm_map *map, struct vm_map_entry *e)
{
	avl_insert(&map->tree, &e->node, entry_cmp);
	map->nentries++;
	/* Mapping more makes no free range longer; one mapped from the
	 * end of the searched span extends it. */
	if (e->start == map->scan_hi)
		map->scan_hi = e->end;
	e->map = map;
	e->mapper_link = (struct list){NULL, NULL};
	map_entry_mapper(e);
}

/* Take E off its object's mappers (if it is on them). */
void map_entry_unmapper(struct vm_map_entry *e)
{
	if (list_linked(&e->mapper_link)) {
		unsigned long fl = spin_lock(&e->object->lock);

		list_remove(&e->mapper_link);
		spin_unlock(&e->object->lock, fl);
	}
}

/* Unlink E and free it with its object reference.  Its translations
 * are gone already. */
void map_entry_unlink_free(struct vm_map *map, struct vm_map_entry *e)
{
	avl_remove(&map->tree, &e->node);
	map->nentries--;
	map_entry_unmapper(e);
	if (e->object != NULL)
		vm_object_release(e->object);
	map_entry_free(map, e);
}

/* True when A and B are adjacent and could be one entry. */
static bool entries_mergeable(const struct vm_map_entry *a,
                              const struct vm_map_entry *b)
{
	return a->end == b->start && a->protection == b->protection &&
	       a->max_protection == b->max_protection &&
	       a->inheritance == b->inheritance &&
	       a->wired_count == b->wired_count && a->object == b->object &&
	       a->shared == b->shared && a->needs_copy == b->needs_copy &&
	       (a->object == NULL ||
	        a->offset + (a->end - a->start) == b->offset);
}

/* Make A (with B after it) one entry if they could be; true if so (B
 * is freed). */
static bool entries_merge(struct vm_map *map, struct vm_map_entry *a,
                          struct vm_map_entry *b)
{
	if (!entries_mergeable(a, b))
		return false;
	a->end = b->end;
	a->pmapped |= b->pmapped;
	map_entry_unlink_free(map, b);
	return true;
}

/* Merge every mergeable pair of neighbours touching [START, END]. */
void map_merge_around(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e = map_entry_at_or_after(map, start), *n;

	if (e == NULL)
		e = map_entry_of(avl_last(&map->tree));
	else if (entry_prev(e) != NULL)
		e = entry_prev(e);
	while (e != NULL && (n = map_entry_next(e)) != NULL &&
	       n->start <= end) {
		if (!entries_merge(map, e, n))
			e = n;
	}
}

/* Merge E with its neighbours where they could be one entry (E may be
 * freed). */
void map_merge_neighbours(struct vm_map *map, struct vm_map_entry *e)
{
	struct vm_map_entry *p = entry_prev(e), *n = map_entry_next(e);

	if (n != NULL)
		(void)entries_merge(map, e, n);
	if (p != NULL)
		(void)entries_merge(map, p, e);
}

/* [START, END) of MAP is being unmapped; BOUNDARY is the end of what
 * stays mapped just below START (START itself when an entry is trimmed
 * there, else the end of the entry before, or anything lower): keep the
 * search's knowledge (map->scan_*) true. */
void map_scan_cut(struct vm_map *map, vaddr_t start, vaddr_t end,
                  vaddr_t boundary)
{
	/* Below BOUNDARY nothing changes and BOUNDARY - 1 stays mapped. */
	if (start < map->scan_hi && end > map->scan_lo)
		map->scan_hi =
		    boundary > map->scan_lo ? boundary : map->scan_lo;
}

/*
 * Check that NET_NEW more entries fit MAP's limit and allocate NALLOC
 * spares.  Returns KERN_SUCCESS, KERN_NO_SPACE or KERN_RESOURCE_SHORTAGE.
 */
kern_return_t map_spares_get(struct vm_map *map, unsigned net_new,
                             unsigned nalloc, struct spares *sp)
{
	sp->n = 0;
	if (map->nentries + net_new > map->max_entries)
		return KERN_NO_SPACE;
	while (sp->n < nalloc) {
		struct vm_map_entry *e = map_entry_alloc(map);

		if (e == NULL) {
			while (sp->n > 0)
				map_entry_free(map, sp->e[--sp->n]);
			return KERN_RESOURCE_SHORTAGE;
		}
		sp->e[sp->n++] = e;
	}
	return KERN_SUCCESS;
}

/*
 * Split E at ADDR (strictly inside it) with a spare: E keeps
 * [start, ADDR), the returned new entry holds [ADDR, end).
 */
struct vm_map_entry *map_entry_split(struct vm_map *map, struct vm_map_entry *e,
                                     vaddr_t addr, struct spares *sp)
{
	struct vm_map_entry *n;

	assert(e->start < addr && addr < e->end && sp->n > 0);
	n = sp->e[--sp->n];
	*n = *e;
	if (n->object != NULL)
		vm_object_reference(n->object);
	n->start = addr;
	n->offset = e->offset + (addr - e->start);
	e->end = addr;
	map_entry_link(map, n);
	return n;
}

/* Clip [*START, *END) (END not yet rounded) to MAP, rounded to pages. */
static kern_return_t range_clip(const struct vm_map *map, vaddr_t *start,
                                vaddr_t *end)
{
	if (*end < *start)
		return KERN_INVALID_ARGUMENT;
	if (*end > map->max)
		*end = map->max;
	*end = (*end + PG_MASK) & ~PG_MASK;
	*start = trunc_pg(*start);
	if (*start < map->min)
		*start = map->min;
	return KERN_SUCCESS;
}

struct vm_map *vm_map_create(vaddr_t min, vaddr_t max, void *pmap,
                             const struct vm_map_pmap_ops *ops)
{
	struct vm_map *map;

	assert(min < max && (min & PG_MASK) == 0 && (max & PG_MASK) == 0);
	map = slab_zalloc(&map_cache);
	if (map == NULL)
		return NULL;
	spin_init(&map->lock, "vm_map");
	avl_init(&map->tree);
	map->min = min;
	map->max = max;
	map->max_entries = VM_MAP_ENTRIES_DEFAULT;
	map->max_wired = VM_MAP_WIRED_DEFAULT;
	map->pmap = pmap;
	map->ops = ops;
	map->scan_lo = map->scan_hi = min;
	return map;
}

/* Unmap [START, END) of E's range from the page tables, unless no fault
 * ever entered a translation for E. */
static void pmap_remove_range(struct vm_map *map, const struct vm_map_entry *e,
                              vaddr_t start, vaddr_t end)
{
	if (e->pmapped && map->ops != NULL && map->ops->remove != NULL)
		map->ops->remove(map->pmap, start, end);
}

void vm_map_destroy(struct vm_map *map)
{
	struct vm_map_entry *e;
	unsigned long flags = spin_lock(&map->lock);

	while ((e = map_entry_of(map->tree.root)) != NULL) {
		pmap_remove_range(map, e, e->start, e->end);
		map_wired_account(map, e, e->start, e->end, false);
		map_entry_unlink_free(map, e);
	}
	if (map->spare != NULL)
		slab_free(&map_entry_cache, map->spare);
	spin_unlock(&map->lock, flags);
	slab_free(&map_cache, map);
}

void vm_map_set_entry_limit(struct vm_map *map, unsigned limit)
{
	unsigned long flags = spin_lock(&map->lock);

	map->max_entries = limit > 0 ? limit : 1;
	spin_unlock(&map->lock, flags);
}

/* Account entry E met by a search that has seen [from, *POS) so far:
 * the free range before it, and how far the search has seen. */
static void scan_note(const struct vm_map_entry *e, vaddr_t *pos, uint64_t *gap)
{
	if (e->start > *pos && e->start - *pos > *gap)
		*gap = e->start - *pos;
	if (e->end > *pos)
		*pos = e->end;
}

/* Find a free, MASK-aligned range of SIZE bytes at or above START (and
 * remember the free ranges passed over: map->scan_*). */
bool map_find_space(struct vm_map *map, vaddr_t start, uint64_t size,
                    vaddr_t mask, vaddr_t *found)
{
	struct vm_map_entry *e;
	vaddr_t from, pos; /* seen: [from, pos), free ranges at most GAP */
	uint64_t gap = 0;

	/* No free range of SIZE starts inside the span searched before. */
	if (start >= map->scan_lo && start < map->scan_hi &&
	    size > map->scan_gap)
		start = map->scan_hi;
	from = pos = start;
	e = map_entry_at_or_after(map, start);
	for (;;) {
		if (start > ~mask)
			return false;
		start = (start + mask) & ~mask;
		if (start >= map->max || size > map->max - start)
			return false;
		for (; e != NULL && e->end <= start; e = map_entry_next(e))
			scan_note(e, &pos, &gap);
		if (e == NULL || start + size <= e->start)
			break;
		scan_note(e, &pos, &gap);
		start = e->end;
		e = map_entry_next(e);
	}
	*found = start;
	/* [from, pos) ends mapped.  It extends the span if it starts at
	 * either end (a free range reaching past FROM from below would be
	 * counted short otherwise); else it replaces it. */
	if (pos > from) {
		if (from == map->scan_hi || from == map->scan_lo) {
			if (pos > map->scan_hi)
				map->scan_hi = pos;
			if (gap > map->scan_gap)
				map->scan_gap = gap;
		} else {
			map->scan_lo = from;
			map->scan_hi = pos;
			map->scan_gap = gap;
		}
	}
	return true;
}

/* vm_map_enter and vm_map_enter_object: OBJECT (or NULL) with OFFSET
 * and NEEDS_COPY goes into the new entry. */
static kern_return_t enter(struct vm_map *map, vaddr_t *addr, uint64_t size,
                           vaddr_t mask, bool anywhere, vm_prot_t prot,
                           vm_prot_t max_prot, vm_inherit_t inheritance,
                           struct vm_object *object, uint64_t offset,
                           bool needs_copy)
{
	struct vm_map_entry *prev, *next, *e;
	struct spares sp;
	vaddr_t start, end;
	unsigned long flags;
	kern_return_t kr;

	assert_unlocked(&map->lock);
	if (size == 0 || (prot & ~VM_PROT_ALL) != 0 ||
	    (max_prot & ~VM_PROT_ALL) != 0 || inheritance < VM_INHERIT_SHARE ||
	    inheritance > VM_INHERIT_NONE)
		return KERN_INVALID_ARGUMENT;
	if (size > UINT64_MAX - PG_MASK)
		return anywhere ? KERN_NO_SPACE : KERN_INVALID_ADDRESS;
	size = (size + PG_MASK) & ~PG_MASK;
	start = trunc_pg(*addr);

	flags = spin_lock(&map->lock);
	if (anywhere) {
		if (start < map->min)
			start = map->min;
		if (!map_find_space(map, start, size, mask | PG_MASK, &start)) {
			spin_unlock(&map->lock, flags);
			return KERN_NO_SPACE;
		}
	} else {
		if (start < map->min || start >= map->max ||
		    size > map->max - start) {
			spin_unlock(&map->lock, flags);
			return KERN_INVALID_ADDRESS;
		}
		e = map_entry_at_or_after(map, start);
		if (e != NULL && e->start < start + size) {
			spin_unlock(&map->lock, flags);
			return KERN_NO_SPACE;
		}
	}
	end = start + size;

	/* Extend an equal object-less neighbour rather than spend an
	 * entry. */
	next = map_entry_at_or_after(map, start);
	prev = next != NULL ? entry_prev(next)
	                    : map_entry_of(avl_last(&map->tree));
	e = NULL;
	if (object != NULL) {
		/* no extension: the new entry is the object's */
	} else if (prev != NULL && prev->end == start && prev->object == NULL &&
	           prev->protection == prot &&
	           prev->max_protection == max_prot &&
	           prev->inheritance == inheritance && prev->wired_count == 0) {
		prev->end = end;
		e = prev;
	} else if (next != NULL && next->start == end && next->object == NULL &&
	           next->protection == prot &&
	           next->max_protection == max_prot &&
	           next->inheritance == inheritance && next->wired_count == 0) {
		next->start = start;
		e = next;
	}
	if (e == NULL) {
		kr = map_spares_get(map, 1, 1, &sp);
		if (kr != KERN_SUCCESS) {
			spin_unlock(&map->lock, flags);
			return kr;
		}
		e = sp.e[--sp.n];
		*e = (struct vm_map_entry){
		    .start = start,
		    .end = end,
		    .protection = prot,
		    .max_protection = max_prot,
		    .inheritance = inheritance,
		    .object = object,
		    .offset = object != NULL ? offset : 0,
		    .needs_copy = object != NULL && needs_copy,
		};
		map_entry_link(map, e);
	}
	map_merge_around(map, start, end);
	spin_unlock(&map->lock, flags);
	*addr = start;
	return KERN_SUCCESS;
}

kern_return_t vm_map_enter(struct vm_map *map, vaddr_t *addr, uint64_t size,
                           vaddr_t mask, bool anywhere, vm_prot_t prot,
                           vm_prot_t max_prot, vm_inherit_t inheritance)
{
	return enter(map, addr, size, mask, anywhere, prot, max_prot,
	             inheritance, NULL, 0, false);
}

kern_return_t vm_map_enter_object(struct vm_map *map, vaddr_t *addr,
                                  uint64_t size, vaddr_t mask, bool anywhere,
                                  struct vm_object *object, uint64_t offset,
                                  bool needs_copy, vm_prot_t prot,
                                  vm_prot_t max_prot, vm_inherit_t inheritance)
{
	uint64_t end;
	unsigned long fl;

	assert(object != NULL);
	if (size == 0 || size > UINT64_MAX - PG_MASK ||
	    offset > UINT64_MAX - ((size + PG_MASK) & ~PG_MASK))
		return KERN_INVALID_ARGUMENT;
	end = offset + ((size + PG_MASK) & ~PG_MASK);
	fl = spin_lock(&object->lock);
	if (object->size < end)
		object->size = end; /* a pager's object is as big as mapped */
	spin_unlock(&object->lock, fl);
	return enter(map, addr, size, mask, anywhere, prot, max_prot,
	             inheritance, object, offset, needs_copy);
}

void vm_map_object_protect(struct vm_object *object, uint64_t start,
                           uint64_t end, vm_prot_t prot)
{
	assert_locked(&object->lock);
	list_for_each_entry(struct vm_map_entry, e, &object->mappers,
	                    mapper_link)
	{
		uint64_t lo = e->offset, hi = e->offset + (e->end - e->start);
		const struct vm_map_pmap_ops *ops = e->map->ops;

		if (lo < start)
			lo = start;
		if (hi > end)
			hi = end;
		if (lo >= hi || ops == NULL)
			continue;
		if (prot == VM_PROT_NONE && ops->remove != NULL)
			ops->remove(e->map->pmap, e->start + (lo - e->offset),
			            e->start + (hi - e->offset));
		else if (ops->protect != NULL)
			ops->protect(e->map->pmap, e->start + (lo - e->offset),
			             e->start + (hi - e->offset), prot);
	}
}

/* E's object is E's alone: one reference (E's), no pager. */
static bool entry_sole_user(const struct vm_map_entry *e)
{
	const struct vm_object *obj = e->object;

	return obj != NULL && obj->pager == NULL &&
	       __atomic_load_n(&obj->refs, __ATOMIC_ACQUIRE) == 1;
}

/*
 * [START, END) of E is being unmapped while E stays: free the pages of
 * E's object there if E alone can see them (one reference, no pager).
 */
static void entry_drop_pages(struct vm_map_entry *e, vaddr_t start, vaddr_t end)
{
	if (entry_sole_user(e))
		vm_object_page_remove_range(e->object,
		                            e->offset + (start - e->start),
		                            e->offset + (end - e->start));
}

kern_return_t vm_map_remove(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;
	struct vm_object *hole = NULL;
	uint64_t hole_start = 0, hole_end = 0;
	struct spares sp;
	unsigned long flags;
	kern_return_t kr;

	assert_unlocked(&map->lock);
	kr = range_clip(map, &start, &end);
	if (kr != KERN_SUCCESS || start >= end)
		return kr;
	flags = spin_lock(&map->lock);
	e = map_entry_lookup(map, start);
	if (e != NULL && e->start < start && end < e->end) {
		/* A hole in the middle of one entry: the only case needing one.
		 */
		kr = map_spares_get(map, 1, 1, &sp);
		if (kr != KERN_SUCCESS) {
			spin_unlock(&map->lock, flags);
			return kr;
		}
		/* The hole's pages are freed below if E alone sees them: the
		 * split is about to give its object a second reference. */
		if (entry_sole_user(e)) {
			hole = e->object;
			hole_start = e->offset + (start - e->start);
			hole_end = e->offset + (end - e->start);
		}
		map_entry_split(map, e, start, &sp);
	}
	map_remove_locked(map, start, end);
	if (hole != NULL)
		vm_object_page_remove_range(hole, hole_start, hole_end);
	spin_unlock(&map->lock, flags);
	return KERN_SUCCESS;
}

/* Unmap [START, END) (page aligned), trimming the entries at its edges.
 * map->lock held. */
void map_remove_locked(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e = map_entry_at_or_after(map, start), *next;
	struct vm_map_entry *below;

	if (e != NULL && e->start < start) {
		map_scan_cut(map, start, end, start); /* E is trimmed */
	} else {
		below = e != NULL ? entry_prev(e)
		                  : map_entry_of(avl_last(&map->tree));
		map_scan_cut(map, start, end,
		             below != NULL ? below->end : map->min);
	}
	while (e != NULL && e->start < end) {
		next = map_entry_next(e);
		if (e->start < start) {
			pmap_remove_range(map, e, start, e->end);
			entry_drop_pages(e, start, e->end);
			map_wired_account(map, e, start, e->end, false);
			e->end = start;
		} else if (end < e->end) {
			pmap_remove_range(map, e, e->start, end);
			entry_drop_pages(e, e->start, end);
			map_wired_account(map, e, e->start, end, false);
			e->offset += end - e->start;
			e->start = end;
		} else {
			pmap_remove_range(map, e, e->start, e->end);
			map_wired_account(map, e, e->start, e->end, false);
			map_entry_unlink_free(map, e);
		}
		e = next;
	}
}

static bool change_differs(const struct vm_map_entry *e, const struct change *c)
{
	switch (c->kind) {
	case CHANGE_PROT:
		return e->protection != c->value;
	case CHANGE_MAX:
		return e->max_protection != c->value ||
		       (e->protection & ~c->value) != 0;
	case CHANGE_WIRE:
		return e->wired_count != (unsigned)c->value;
	default:
		return e->inheritance != c->value;
	}
}

/* Set E's wiring to WIRED, counting its pages. */
void map_entry_set_wired(struct vm_map *map, struct vm_map_entry *e, bool wired)
{
	map_wired_account(map, e, e->start, e->end, false);
	e->wired_count = wired;
	map_wired_account(map, e, e->start, e->end, true);
}

static void change_apply(struct vm_map *map, struct vm_map_entry *e,
                         const struct change *c)
{
	vm_prot_t old = e->protection;

	switch (c->kind) {
	case CHANGE_PROT:
		e->protection = c->value;
		break;
	case CHANGE_MAX:
		e->max_protection = c->value;
		e->protection &= c->value;
		break;
	case CHANGE_WIRE:
		map_entry_set_wired(map, e, c->value != 0);
		return;
	default:
		e->inheritance = c->value;
		return;
	}
	/* GNU Mach: taking every access away unwires. */
	if (e->protection == VM_PROT_NONE && e->wired_count != 0)
		map_entry_set_wired(map, e, false);
	/* Only a lost right needs the page tables; gains come by fault. */
	if ((old & ~e->protection) != 0 && e->pmapped && map->ops != NULL &&
	    map->ops->protect != NULL)
		map->ops->protect(map->pmap, e->start, e->end, e->protection);
}

/*
 * Apply C to the mapped parts of [START, END), splitting the entries that
 * straddle an edge and need the change, then merging.
 * Locks: map->lock held.
 */
kern_return_t map_change_range(struct vm_map *map, vaddr_t start, vaddr_t end,
                               const struct change *c)
{
	struct vm_map_entry *first = map_entry_lookup(map, start);
	struct vm_map_entry *last = map_entry_lookup(map, end - 1), *e;
	struct spares sp;
	unsigned need = 0;
	kern_return_t kr;

	assert_locked(&map->lock);
	if (first != NULL && first->start < start && change_differs(first, c))
		need++;
	if (last != NULL && end < last->end && change_differs(last, c))
		need++;
	kr = map_spares_get(map, need, need, &sp);
	if (kr != KERN_SUCCESS)
		return kr;
	for (e = map_entry_at_or_after(map, start); e != NULL && e->start < end;
	     e = map_entry_next(e)) {
		if (!change_differs(e, c))
			continue;
		if (e->start < start)
			e = map_entry_split(map, e, start, &sp);
		if (end < e->end)
			map_entry_split(map, e, end, &sp);
		change_apply(map, e, c);
	}
	assert(sp.n == 0);
	map_merge_around(map, start, end);
	return KERN_SUCCESS;
}

kern_return_t vm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end,
                             bool set_max, vm_prot_t prot)
{
	struct change c = {set_max ? CHANGE_MAX : CHANGE_PROT, prot};
	struct vm_map_entry *e;
	unsigned long flags;
	vaddr_t covered;
	kern_return_t kr;

	assert_unlocked(&map->lock);
	if ((prot & ~VM_PROT_ALL) != 0)
		return KERN_INVALID_ARGUMENT;
	kr = range_clip(map, &start, &end);
	if (kr != KERN_SUCCESS || start >= end)
		return kr;
	flags = spin_lock(&map->lock);
	/* Check the whole range first: no hole, nothing beyond its maximum. */
	covered = start;
	for (e = map_entry_lookup(map, start); e != NULL && e->start < end;
	     e = map_entry_next(e)) {
		if (e->start > covered)
			break;
		if ((prot & e->max_protection) != prot) {
			spin_unlock(&map->lock, flags);
			return KERN_PROTECTION_FAILURE;
		}
		covered = e->end;
	}
	if (covered < end)
		kr = KERN_INVALID_ADDRESS;
	else
		kr = map_change_range(map, start, end, &c);
	spin_unlock(&map->lock, flags);
	return kr;
}

kern_return_t vm_map_inherit(struct vm_map *map, vaddr_t start, vaddr_t end,
                             vm_inherit_t inheritance)
{
	struct change c = {CHANGE_INHERIT, inheritance};
	unsigned long flags;
	kern_return_t kr;

	assert_unlocked(&map->lock);
	if (inheritance < VM_INHERIT_SHARE || inheritance > VM_INHERIT_NONE)
		return KERN_INVALID_ARGUMENT;
	kr = range_clip(map, &start, &end);
	if (kr != KERN_SUCCESS || start >= end)
		return kr;
	flags = spin_lock(&map->lock);
	kr = map_change_range(map, start, end, &c);
	spin_unlock(&map->lock, flags);
	return kr;
}

bool vm_map_check(struct vm_map *map)
{
	struct vm_map_entry *e, *prev = NULL;
	unsigned long flags;
	size_t count;
	bool ok;

	assert_unlocked(&map->lock);
	flags = spin_lock(&map->lock);
	ok = avl_check(&map->tree, entry_cmp, &count) && count == map->nentries;
	for (e = map_entry_of(avl_first(&map->tree)); ok && e != NULL;
	     e = map_entry_next(e)) {
		ok = e->start < e->end && (e->start & PG_MASK) == 0 &&
		     (e->end & PG_MASK) == 0 && e->start >= map->min &&
		     e->end <= map->max &&
		     (e->object == NULL ||
		      e->offset + (e->end - e->start) <= e->object->size) &&
		     (e->object != NULL || !e->needs_copy) &&
		     (prev == NULL ||
		      (prev->end <= e->start && !entries_mergeable(prev, e)));
		prev = e;
	}
	spin_unlock(&map->lock, flags);
	return ok;
}

vaddr_t vm_map_lowest(struct vm_map *map)
{
	struct vm_map_entry *e;
	unsigned long flags;
	vaddr_t lowest;

	assert_unlocked(&map->lock);
	flags = spin_lock(&map->lock);
	e = map_entry_of(avl_first(&map->tree));
	lowest = e != NULL ? e->start : 0;
	spin_unlock(&map->lock, flags);
	return lowest;
}

void vm_map_mark_shared(struct vm_map *map, vaddr_t addr)
{
	struct vm_map_entry *e;
	unsigned long flags;

	assert_unlocked(&map->lock);
	flags = spin_lock(&map->lock);
	e = map_entry_lookup(map, addr);
	if (e != NULL)
		e->shared = true;
	spin_unlock(&map->lock, flags);
}

/*
 * Whether [START, END) (page aligned, START < END) is mapped without a
 * hole and every part allows PROT.  map->lock held.
 * Returns KERN_SUCCESS, KERN_INVALID_ADDRESS or KERN_PROTECTION_FAILURE.
 */
kern_return_t map_range_allows(struct vm_map *map, vaddr_t start, vaddr_t end,
                               vm_prot_t prot, struct vm_map_entry **first,
                               struct vm_map_entry **last)
{
	struct vm_map_entry *e = map_entry_lookup(map, start), *prev = NULL;

	if (first != NULL)
		*first = e;
	for (; e != NULL; e = map_entry_next(e)) {
		if (prev != NULL && e->start > prev->end)
			break; /* a hole */
		if ((e->protection & prot) != prot)
			return KERN_PROTECTION_FAILURE;
		prev = e;
		if (e->end >= end) {
			if (last != NULL)
				*last = e;
			return KERN_SUCCESS;
		}
	}
	return KERN_INVALID_ADDRESS;
}

kern_return_t vm_map_check_access(struct vm_map *map, vaddr_t start,
                                  vaddr_t end, vm_prot_t prot)
{
	unsigned long flags;
	kern_return_t kr;

	assert_unlocked(&map->lock);
	if (end < start)
		return KERN_INVALID_ADDRESS;
	start = trunc_pg(start);
	end = (end + PG_MASK) & ~PG_MASK;
	if (start >= end)
		return KERN_SUCCESS;
	flags = spin_lock(&map->lock);
	kr = map_range_allows(map, start, end, prot, NULL, NULL);
	spin_unlock(&map->lock, flags);
	return kr;
}
