/*
 * Wiring (vm/wire.c): keeping a task's pages resident and mapped, for
 * vm_wire, vm_wire_all and physically contiguous memory.  The map keeps
 * which regions are wired (vm_map_wire); this layer faults their pages
 * in.  A map's wired pages are bounded (VM_MAP_WIRED_DEFAULT).
 */
#ifndef VM_WIRE_H
#define VM_WIRE_H

#include <mach/kern_return.h>
#include <mach/vm_prot.h>
#include <stdbool.h>

#include "kern/types.h"

struct vm_map;
struct pmap;

/*
 * vm_wire_range: wire [START, END) of MAP (page aligned, START <= END)
 * for ACCESS and fault its pages in through PMAP, or unwire it
 * (VM_PROT_NONE).
 * Locks: none held (faults may sleep on a pager).
 * Returns vm_map_wire's codes, or a fault's error (the range is unwired
 *   again then).
 */
kern_return_t vm_wire_range(struct vm_map *map, struct pmap *pmap,
                            vaddr_t start, vaddr_t end, vm_prot_t access);

/*
 * vm_wire_all: vm_wire_all's flags (mach/vm_wire.h) on MAP: VM_WIRE_NONE
 * unwires everything and stops wiring new regions; VM_WIRE_CURRENT wires
 * every region with some access (faulting the pages in); VM_WIRE_FUTURE
 * makes vm_map/vm_allocate wire the regions they create
 * (vm_wire_new_region).
 * Locks: none held.
 * Returns KERN_SUCCESS, KERN_INVALID_ARGUMENT (other flags),
 *   KERN_RESOURCE_SHORTAGE (the bound), a fault's error.
 */
kern_return_t vm_wire_all(struct vm_map *map, struct pmap *pmap, int flags);

/*
 * vm_wire_new_region: [START, END) was just made in MAP: wire it if MAP
 * wires its future regions.  Returns vm_wire_range's codes (KERN_SUCCESS
 * when MAP does not wire them).
 */
kern_return_t vm_wire_new_region(struct vm_map *map, struct pmap *pmap,
                                 vaddr_t start, vaddr_t end);

#endif
