/*
 * Fork and virtual copies (vm/map.h): a child's map made from its
 * parent's by inheritance, and ranges copied in and out of maps as
 * vm_map_copy pieces (vm/copy.h) for out-of-line memory, vm_read and
 * vm_copy.  The entry layer is map.c's (vm/map_internal.h).
 */
#include "vm/map.h"

#include "kern/compiler.h"
#include "kern/panic.h"
#include "kern/slab.h"
#include "machine/memlayout.h"
#include "vm/copy.h"
#include "vm/map_internal.h"
#include "vm/object.h"

/* Make parent entry E's copy for the child in N (E's fields copied).
 * Both maps locked. */
static kern_return_t fork_entry(struct vm_map *parent, struct vm_map_entry *e,
                                struct vm_map_entry *n)
{
	kern_return_t kr;

	if (e->inheritance == VM_INHERIT_SHARE) {
		kr = map_entry_make_object(e);
		if (kr == KERN_SUCCESS)
			kr = map_entry_resolve_copy(e);
		if (kr != KERN_SUCCESS)
			return kr;
		vm_object_reference(e->object);
		e->shared = true;
		e->object->shared_in_place = true; /* never paged out */
		*n = *e;
		return KERN_SUCCESS;
	}
	*n = *e;
	n->shared = false;
	if (e->object == NULL)
		return KERN_SUCCESS; /* nothing touched: each zero-fills */
	if (e->shared || e->wired_count != 0) {
		/* Others write this object in place, or its pages must stay
		 * where they are (wired): copy what is there. */
		n->object =
		    vm_object_copy_now(e->object, e->offset, e->end - e->start);
		n->offset = 0;
		n->needs_copy = false;
		return n->object != NULL ? KERN_SUCCESS
		                         : KERN_RESOURCE_SHORTAGE;
	}
	vm_object_reference(e->object);
	e->needs_copy = n->needs_copy = true;
	if ((e->protection & VM_PROT_WRITE) && e->pmapped &&
	    parent->ops != NULL && parent->ops->protect != NULL)
		parent->ops->protect(parent->pmap, e->start, e->end,
		                     e->protection & ~VM_PROT_WRITE);
	return KERN_SUCCESS;
}

kern_return_t vm_map_fork(struct vm_map *parent, struct vm_map *child)
{
	struct vm_map_entry *e, *n;
	unsigned long pflags, cflags;
	kern_return_t kr = KERN_SUCCESS;

	assert_unlocked(&parent->lock);
	pflags = spin_lock(&parent->lock);
	/* CHILD is reachable by nobody else: no lock order to respect. */
	cflags = spin_lock(&child->lock);
	for (e = map_entry_of(avl_first(&parent->tree)); e != NULL;
	     e = map_entry_next(e)) {
		if (e->inheritance == VM_INHERIT_NONE)
			continue;
		if (child->nentries >= child->max_entries) {
			kr = KERN_NO_SPACE;
			break;
		}
		n = map_entry_alloc(child);
		if (n == NULL) {
			kr = KERN_RESOURCE_SHORTAGE;
			break;
		}
		kr = fork_entry(parent, e, n);
		if (kr != KERN_SUCCESS) {
			map_entry_free(child, n);
			break;
		}
		n->wired_count = 0; /* wiring is not inherited */
		n->pmapped = false; /* CHILD's page tables are empty */
		map_entry_link(child, n);
	}
	/* New needs-copy flags may have made neighbours equal. */
	map_merge_around(parent, parent->min, parent->max);
	map_merge_around(child, child->min, child->max);
	spin_unlock(&child->lock, cflags);
	spin_unlock(&parent->lock, pflags);
	return kr;
}

/*
 * Check that [START, END) is mapped without a hole and readable, and
 * split the entries at its edges; *FIRST gets the entry that starts at
 * START then, *SPLIT whether anything was split.  map->lock held.
 * Returns KERN_SUCCESS, KERN_INVALID_ADDRESS, KERN_PROTECTION_FAILURE,
 *   KERN_NO_SPACE or KERN_RESOURCE_SHORTAGE (nothing changed then).
 */
static kern_return_t copyin_clip(struct vm_map *map, vaddr_t start, vaddr_t end,
                                 struct vm_map_entry **first, bool *split)
{
	struct vm_map_entry *f, *last;
	struct spares sp;
	unsigned need;
	kern_return_t kr;

	kr = map_range_allows(map, start, end, VM_PROT_READ, &f, &last);
	if (kr != KERN_SUCCESS)
		return kr;
	need = (f->start < start) + (end < last->end);
	*split = need != 0;
	if (need != 0) {
		kr = map_spares_get(map, need, need, &sp);
		if (kr != KERN_SUCCESS)
			return kr;
	}
	if (f->start < start) {
		struct vm_map_entry *n = map_entry_split(map, f, start, &sp);

		if (last == f)
			last = n;
		f = n;
	}
	if (end < last->end)
		map_entry_split(map, last, end, &sp);
	*first = f;
	return KERN_SUCCESS;
}

/* The piece of COPY for E (inside the copied range); *MARKED becomes true
 * if E is made needs-copy here.  map->lock held. */
static kern_return_t copyin_entry(struct vm_map *map, struct vm_map_entry *e,
                                  bool dealloc, struct vm_map_copy *copy,
                                  bool *marked)
{
	struct vm_object *obj = e->object;
	uint64_t offset = e->offset, size = e->end - e->start;
	kern_return_t kr;

	if (obj != NULL && (e->shared || (e->wired_count != 0 && !dealloc))) {
		/* Written in place by another map, or wired and staying (its
		 * pages must not move): copy what is there.  A wired range
		 * sent with deallocate just moves. */
		obj = vm_object_copy_now(obj, offset, size);
		if (obj == NULL)
			return KERN_RESOURCE_SHORTAGE;
		offset = 0;
	} else if (obj != NULL) {
		vm_object_reference(obj);
		if (!dealloc && !e->needs_copy) {
			e->needs_copy = true;
			*marked = true;
			if ((e->protection & VM_PROT_WRITE) && e->pmapped &&
			    map->ops != NULL && map->ops->protect != NULL)
				map->ops->protect(map->pmap, e->start, e->end,
				                  e->protection &
				                      ~VM_PROT_WRITE);
		}
	}
	kr = vm_map_copy_add(copy, obj, offset, size);
	if (kr != KERN_SUCCESS && obj != NULL)
		vm_object_release(obj);
	return kr;
}

kern_return_t vm_map_copyin(struct vm_map *map, vaddr_t addr, uint64_t size,
                            bool dealloc, struct vm_map_copy **out)
{
	vaddr_t start = trunc_pg(addr), end;
	struct vm_map_copy *copy;
	struct vm_map_entry *e;
	bool changed = false;
	unsigned long flags;
	kern_return_t kr;

	assert_unlocked(&map->lock);
	assert(size > 0);
	if (addr + size < addr || addr + size > map->max - PG_MASK ||
	    start < map->min)
		return KERN_INVALID_ADDRESS;
	end = (addr + size + PG_MASK) & ~PG_MASK;
	copy = vm_map_copy_new(size, (uint32_t)(addr & PG_MASK));
	if (copy == NULL)
		return KERN_RESOURCE_SHORTAGE;
	flags = spin_lock(&map->lock);
	kr = copyin_clip(map, start, end, &e, &changed);
	for (; kr == KERN_SUCCESS && e != NULL && e->start < end;
	     e = map_entry_next(e))
		kr = copyin_entry(map, e, dealloc, copy, &changed);
	if (kr == KERN_SUCCESS && dealloc)
		map_remove_locked(map, start, end);
	/* Clipping and needs-copy may leave neighbours equal again (a
	 * second copy of the same range changes nothing). */
	if (changed)
		map_merge_around(map, start, end);
	spin_unlock(&map->lock, flags);
	if (kr != KERN_SUCCESS) {
		vm_map_copy_discard(copy);
		return kr;
	}
	*out = copy;
	return KERN_SUCCESS;
}

kern_return_t vm_map_copyout(struct vm_map *map, struct vm_map_copy *copy,
                             vaddr_t hint, vaddr_t *addr)
{
	uint64_t span = (copy->offset + copy->size + PG_MASK) & ~PG_MASK;
	struct vm_map_copy_piece *p;
	struct vm_map_entry *e = NULL;
	unsigned long flags;
	vaddr_t start, at;

	assert_unlocked(&map->lock);
	flags = spin_lock(&map->lock);
	if (map->nentries + copy->npieces > map->max_entries ||
	    !map_find_space(map, hint < map->min ? map->min : trunc_pg(hint),
	                    span, PG_MASK, &start)) {
		spin_unlock(&map->lock, flags);
		return KERN_NO_SPACE;
	}
	/* Link an entry per piece; the pieces keep their references until
	 * every entry exists, so that a failure can take them all back. */
	at = start;
	for (p = copy->pieces; p != NULL; p = p->next) {
		e = map_entry_alloc(map);
		if (e == NULL) {
			map_scan_cut(map, start, at, map->min);
			while (at > start) {
				e = map_entry_lookup(map, at - 1);
				at = e->start;
				map_entry_unmapper(e);
				e->object = NULL; /* still the piece's */
				map_entry_unlink_free(map, e);
			}
			spin_unlock(&map->lock, flags);
			return KERN_RESOURCE_SHORTAGE;
		}
		*e = (struct vm_map_entry){
		    .start = at,
		    .end = at + p->size,
		    .protection = VM_PROT_DEFAULT,
		    .max_protection = VM_PROT_ALL,
		    .inheritance = VM_INHERIT_COPY,
		    .needs_copy = p->object != NULL,
		    .object = p->object,
		    .offset = p->object != NULL ? p->offset : 0,
		};
		map_entry_link(map, e);
		at += p->size;
	}
	for (p = copy->pieces; p != NULL; p = p->next)
		p->object = NULL; /* the references are the entries' now */
	if (copy->npieces == 1)
		map_merge_neighbours(map, e);
	else
		map_merge_around(map, start, start + span);
	spin_unlock(&map->lock, flags);
	*addr = start + copy->offset;
	vm_map_copy_discard(copy);
	return KERN_SUCCESS;
}

struct vm_object *vm_map_region_object(struct vm_map *map, vaddr_t addr)
{
	struct vm_map_entry *e;
	struct vm_object *obj = NULL;
	unsigned long flags;

	assert_unlocked(&map->lock);
	flags = spin_lock(&map->lock);
	e = map_entry_at_or_after(map, addr);
	if (e != NULL && e->object != NULL) {
		obj = e->object;
		vm_object_reference(obj);
	}
	spin_unlock(&map->lock, flags);
	return obj;
}
