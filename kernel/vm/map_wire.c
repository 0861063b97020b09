/*
 * Wiring in the address-space map (vm/map.h, "Wiring"): per-entry wired
 * counts within the task's and the system's bounds, and device memory
 * marks.  The pages themselves are faulted in by vm/wire.c.
 */
#include "vm/map.h"

#include "kern/compiler.h"
#include "kern/panic.h"
#include "kern/slab.h"
#include "machine/memlayout.h"
#include "vm/copy.h"
#include "vm/map_internal.h"
#include "vm/object.h"

kern_return_t vm_map_wire(struct vm_map *map, vaddr_t start, vaddr_t end,
                          vm_prot_t access)
{
	struct change c = {CHANGE_WIRE, access != VM_PROT_NONE};
	struct vm_map_entry *e, *first;
	uint64_t add = 0;
	vaddr_t covered = start;
	unsigned long flags;
	kern_return_t kr = KERN_SUCCESS;

	assert_unlocked(&map->lock);
	flags = spin_lock(&map->lock);
	first = map_entry_lookup(map, start);
	if (first == NULL) {
		spin_unlock(&map->lock, flags);
		return KERN_NO_SPACE;
	}
	for (e = first; e != NULL && e->start < end; e = map_entry_next(e)) {
		vaddr_t lo = e->start > start ? e->start : start;
		vaddr_t hi = e->end < end ? e->end : end;

		if (e->start > covered ||
		    (c.value && (access & e->protection) != access)) {
			kr = KERN_NO_SPACE;
			break;
		}
		if (c.value && e->wired_count == 0 && !e->device)
			add += (hi - lo) / PAGE_SIZE;
		covered = e->end;
	}
	if (kr == KERN_SUCCESS && covered < end)
		kr = KERN_NO_SPACE;
	if (kr == KERN_SUCCESS && map->wired_pages + add > map->max_wired)
		kr = KERN_RESOURCE_SHORTAGE;
	if (kr == KERN_SUCCESS && start < end)
		kr = map_change_range(map, start, end, &c);
	spin_unlock(&map->lock, flags);
	return kr;
}

kern_return_t vm_map_wire_all(struct vm_map *map, bool wire, vaddr_t *start,
                              vaddr_t *end)
{
	struct vm_map_entry *e;
	uint64_t add = 0;
	unsigned long flags;

	assert_unlocked(&map->lock);
	*start = *end = 0;
	flags = spin_lock(&map->lock);
	for (e = map_entry_of(avl_first(&map->tree)); wire && e != NULL;
	     e = map_entry_next(e))
		if (e->protection != VM_PROT_NONE && e->wired_count == 0 &&
		    !e->device)
			add += (e->end - e->start) / PAGE_SIZE;
	if (map->wired_pages + add > map->max_wired) {
		spin_unlock(&map->lock, flags);
		return KERN_RESOURCE_SHORTAGE;
	}
	for (e = map_entry_of(avl_first(&map->tree)); e != NULL;
	     e = map_entry_next(e)) {
		if (wire && e->protection == VM_PROT_NONE)
			continue;
		map_entry_set_wired(map, e, wire);
		if (wire && *start == *end)
			*start = e->start;
		if (wire)
			*end = e->end;
	}
	map_merge_around(map, map->min, map->max);
	spin_unlock(&map->lock, flags);
	return KERN_SUCCESS;
}

void vm_map_mark_device(struct vm_map *map, vaddr_t addr)
{
	struct vm_map_entry *e;
	unsigned long flags;

	assert_unlocked(&map->lock);
	flags = spin_lock(&map->lock);
	e = map_entry_lookup(map, addr);
	if (e != NULL && !e->device) {
		map_wired_account(map, e, e->start, e->end, false);
		e->device = true;
	}
	spin_unlock(&map->lock, flags);
}
