/*
 * Wiring (vm/wire.h): the map marks the regions (vm_map_wire, counting
 * and bounding the pages); here the pages are faulted in, a region at a
 * time, so that they are resident and mapped before the call returns.
 */
#include <mach/vm_wire.h>

#include "machine/memlayout.h"
#include "vm/fault.h"
#include "vm/map.h"
#include "vm/wire.h"

/* The access a fault takes to make a page of a region with PROT
 * resident for ACCESS (VM_PROT_NONE: whatever the region allows). */
static vm_prot_t fault_access(vm_prot_t prot, vm_prot_t access)
{
	vm_prot_t want = (access != VM_PROT_NONE ? access : prot) &
	                 (VM_PROT_READ | VM_PROT_WRITE);

	return want != VM_PROT_NONE ? want : VM_PROT_READ;
}

/* Fault in every page of the regions of MAP in [START, END). */
static kern_return_t fault_in(struct vm_map *map, struct pmap *pmap,
                              vaddr_t start, vaddr_t end, vm_prot_t access)
{
	vaddr_t a = start;

	while (a < end) {
		vaddr_t r = a, top;
		uint64_t size, off;
		vm_prot_t prot, max;
		vm_inherit_t inh;
		bool shared;

		if (vm_map_region(map, &r, &size, &prot, &max, &inh, &shared,
		                  &off) != KERN_SUCCESS ||
		    r >= end)
			break;
		top = r + size < end ? r + size : end;
		if (r < a)
			r = a;
		for (; prot != VM_PROT_NONE && r < top; r += PAGE_SIZE) {
			kern_return_t kr =
			    vm_fault(map, pmap, r, fault_access(prot, access));

			if (kr != KERN_SUCCESS)
				return kr;
		}
		a = top;
	}
	return KERN_SUCCESS;
}

kern_return_t vm_wire_range(struct vm_map *map, struct pmap *pmap,
                            vaddr_t start, vaddr_t end, vm_prot_t access)
{
	kern_return_t kr = vm_map_wire(map, start, end, access);

	if (kr != KERN_SUCCESS || access == VM_PROT_NONE)
		return kr;
	kr = fault_in(map, pmap, start, end, access);
	if (kr != KERN_SUCCESS)
		(void)vm_map_wire(map, start, end, VM_PROT_NONE);
	return kr;
}

kern_return_t vm_wire_all(struct vm_map *map, struct pmap *pmap, int flags)
{
	vaddr_t start, end;
	kern_return_t kr;

	if (flags & ~VM_WIRE_ALL)
		return KERN_INVALID_ARGUMENT;
	if (flags == VM_WIRE_NONE) {
		__atomic_store_n(&map->wire_future, false, __ATOMIC_RELAXED);
		return vm_map_wire_all(map, false, &start, &end);
	}
	if (flags & VM_WIRE_FUTURE)
		__atomic_store_n(&map->wire_future, true, __ATOMIC_RELAXED);
	if (!(flags & VM_WIRE_CURRENT))
		return KERN_SUCCESS;
	kr = vm_map_wire_all(map, true, &start, &end);
	if (kr == KERN_SUCCESS)
		kr = fault_in(map, pmap, start, end, VM_PROT_NONE);
	return kr;
}

kern_return_t vm_wire_new_region(struct vm_map *map, struct pmap *pmap,
                                 vaddr_t start, vaddr_t end)
{
	vm_prot_t prot, max;
	vm_inherit_t inh;
	uint64_t size, off;
	vaddr_t r = start;
	bool shared;

	if (!__atomic_load_n(&map->wire_future, __ATOMIC_RELAXED))
		return KERN_SUCCESS;
	if (vm_map_region(map, &r, &size, &prot, &max, &inh, &shared, &off) !=
	        KERN_SUCCESS ||
	    prot == VM_PROT_NONE)
		return KERN_SUCCESS;
	return vm_wire_range(map, pmap, start, end, fault_access(prot, 0));
}
