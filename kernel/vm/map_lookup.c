/*
 * Looking the address-space map up (vm/map.h): for a page fault
 * (vm_map_lookup, its object made or its copy resolved first), for a
 * caller that acts on the entry under the map's lock
 * (vm_map_lookup_apply), and for vm_region.  Split from map.c, which
 * makes and changes the entries.
 */
#include "vm/map.h"

#include "kern/compiler.h"
#include "kern/panic.h"
#include "machine/memlayout.h"
#include "vm/map_internal.h"
#include "vm/object.h"

/* Fill OUT from E for the page at ADDR. */
static void lookup_fill(const struct vm_map_entry *e, vaddr_t addr,
                        struct vm_map_lookup_result *out)
{
	out->start = e->start;
	out->end = e->end;
	out->protection = e->protection;
	out->max_protection = e->max_protection;
	out->inheritance = e->inheritance;
	out->object = e->object;
	out->offset = e->offset + (trunc_pg(addr) - e->start);
	out->needs_copy = e->needs_copy;
	out->shared = e->shared;
}

/* The entry containing ADDR if it allows FAULT_TYPE (VM_MAP_LOOKUP_FORCE:
 * any protection), in *OUT.  Locks: map->lock held. */
static kern_return_t entry_for_fault(struct vm_map *map, vaddr_t addr,
                                     vm_prot_t fault_type,
                                     struct vm_map_entry **out)
{
	struct vm_map_entry *e = map_entry_lookup(map, addr);
	vm_prot_t want = fault_type & VM_PROT_ALL;

	if (e == NULL)
		return KERN_INVALID_ADDRESS;
	if (!(fault_type & VM_MAP_LOOKUP_FORCE) &&
	    (want & e->protection) != want)
		return KERN_PROTECTION_FAILURE;
	*out = e;
	return KERN_SUCCESS;
}

kern_return_t vm_map_lookup(struct vm_map *map, vaddr_t addr,
                            vm_prot_t fault_type,
                            struct vm_map_lookup_result *out)
{
	struct vm_map_entry *e;
	unsigned long flags;
	kern_return_t kr;

	assert_unlocked(&map->lock);
	flags = spin_lock(&map->lock);
	kr = entry_for_fault(map, addr, fault_type, &e);
	if (kr == KERN_SUCCESS)
		lookup_fill(e, addr, out);
	spin_unlock(&map->lock, flags);
	return kr;
}

/* Give E an object of its own size if it has none.  map->lock held. */
kern_return_t map_entry_make_object(struct vm_map_entry *e)
{
	if (e->object != NULL)
		return KERN_SUCCESS;
	e->object = vm_object_create(e->end - e->start);
	if (e->object == NULL)
		return KERN_RESOURCE_SHORTAGE;
	e->offset = 0;
	map_entry_mapper(e);
	return KERN_SUCCESS;
}

/*
 * End E's copy-on-write sharing before it writes: keep the object if
 * nobody else references it any more, else put a new shadow of E's
 * range of it in front.  map->lock held.
 */
kern_return_t map_entry_resolve_copy(struct vm_map_entry *e)
{
	struct vm_object *obj = e->object, *shadow;

	if (!e->needs_copy)
		return KERN_SUCCESS;
	if (obj->pager == NULL &&
	    __atomic_load_n(&obj->refs, __ATOMIC_ACQUIRE) == 1) {
		e->needs_copy = false;
		return KERN_SUCCESS;
	}
	shadow = vm_object_shadow(obj, e->offset, e->end - e->start);
	if (shadow == NULL)
		return KERN_RESOURCE_SHORTAGE;
	map_entry_unmapper(e); /* it maps the shadow from now on */
	e->object = shadow;    /* E's reference on OBJ now is SHADOW's */
	e->offset = 0;
	e->needs_copy = false;
	map_entry_mapper(e);
	return KERN_SUCCESS;
}

kern_return_t vm_map_lookup_apply(struct vm_map *map, vaddr_t addr,
                                  vm_prot_t fault_type, vm_map_apply_fn fn,
                                  void *ctx)
{
	struct vm_map_lookup_result r;
	struct vm_map_entry *e;
	unsigned long flags;
	kern_return_t kr;

	assert_unlocked(&map->lock);
	flags = spin_lock(&map->lock);
	kr = entry_for_fault(map, addr, fault_type, &e);
	if (kr == KERN_SUCCESS)
		kr = map_entry_make_object(e);
	if (kr == KERN_SUCCESS && (fault_type & VM_PROT_WRITE))
		kr = map_entry_resolve_copy(e);
	if (kr == KERN_SUCCESS) {
		vm_object_collapse(e->object);
		lookup_fill(e, addr, &r);
		e->pmapped = true; /* FN may enter a translation */
		kr = fn(ctx, addr, &r);
	}
	spin_unlock(&map->lock, flags);
	return kr;
}

kern_return_t vm_map_region(struct vm_map *map, vaddr_t *addr, uint64_t *size,
                            vm_prot_t *prot, vm_prot_t *max_prot,
                            vm_inherit_t *inheritance, bool *shared,
                            uint64_t *offset)
{
	struct vm_map_entry *e;
	unsigned long flags;

	assert_unlocked(&map->lock);
	flags = spin_lock(&map->lock);
	e = map_entry_at_or_after(map, *addr);
	if (e == NULL) {
		spin_unlock(&map->lock, flags);
		return KERN_NO_SPACE;
	}
	*addr = e->start;
	*size = e->end - e->start;
	*prot = e->protection;
	*max_prot = e->max_protection;
	*inheritance = e->inheritance;
	*shared = e->shared;
	*offset = e->offset;
	spin_unlock(&map->lock, flags);
	return KERN_SUCCESS;
}
