/*
 * Page faults and copies between address spaces.  A task's memory lives
 * in the VM objects its map entries reference (vm/object.h); a fault
 * resolves the page through the entry's object chain (zero fill on first
 * touch, copy-on-write for shared copies) and enters the translation.
 * Everything here goes through vm_map (regions, protections) and
 * machine/pmap.h (translations).
 */
#ifndef VM_FAULT_H
#define VM_FAULT_H

#include <mach/kern_return.h>
#include <mach/vm_prot.h>
#include <stdbool.h>
#include <stdint.h>

#include "kern/types.h"
#include "vm/object.h"

struct vm_map;
struct pmap;

/* An access bit for vm_fault: never wait for a pager (a fault taken in
 * kernel mode, where the thread must not sleep); the request is still
 * sent and the fault fails with KERN_MEMORY_ERROR. */
#define VM_FAULT_NOWAIT 0x200

/* An access bit for vm_fault: the caller writes the whole page (a pager
 * is asked for VM_PROT_WRITE alone, as GNU Mach's vm_write does). */
#define VM_FAULT_OVERWRITE 0x400

/* Counters for vm_statistics (updated atomically, read as snapshots). */
struct vm_fault_stats {
	uint64_t faults;     /* vm_fault calls */
	uint64_t zero_fills; /* pages zero-filled by them */
	uint64_t cow_faults; /* pages copied by them (copy-on-write) */
};
extern struct vm_fault_stats vm_fault_stats;

/*
 * vm_fault_memory_wait: set by the pageout daemon (task/pageout.c):
 * called by a fault before it allocates (FAILED false: it sleeps and
 * returns true while free memory is below the kernel's reserve) and
 * after an allocation failed (FAILED true: it sleeps a while and returns
 * whether to try again), and by kernel paths that must not fail for want
 * of a page.  NULL: no pageout.
 * Locks: none held.
 */
extern bool (*vm_fault_memory_wait)(bool failed);

/*
 * vm_user_map_create: an empty user address space [0, 2^47) over PMAP.
 * Returns NULL on exhaustion.
 */
struct vm_map *vm_user_map_create(struct pmap *pmap);

/*
 * vm_user_anywhere_start: where an `anywhere` allocation in MAP starts
 * looking: at the task's lowest region (its program), so that memory
 * lands above the program as on GNU Mach, or at the second page of an
 * empty space; never at address 0.
 * Locks: none held.
 */
vaddr_t vm_user_anywhere_start(struct vm_map *map);

/*
 * vm_fault: make the page at ADDR of MAP (translated by PMAP) accessible
 * for ACCESS (VM_PROT_* bits): zero-fill it on first touch, copy it if
 * it is shared copy-on-write and ACCESS writes, and enter its translation
 * with the region's protection (less write while it is shared
 * copy-on-write).
 * Locks: none held (takes the map's, the pmap's and the allocator's).
 * Returns:
 *   KERN_SUCCESS
 *   KERN_INVALID_ADDRESS     ADDR is in no region.
 *   KERN_PROTECTION_FAILURE  the region does not allow ACCESS.
 *   KERN_RESOURCE_SHORTAGE   no free page, object or page-table page.
 *   KERN_MEMORY_ERROR        the object's pager answered data_error or is
 *                            gone (or VM_FAULT_NOWAIT and it must wait).
 *   KERN_ABORTED             the thread was interrupted while it waited
 *                            for a pager (thread_abort, termination): it
 *                            should just run on and fault again.
 */
kern_return_t vm_fault(struct vm_map *map, struct pmap *pmap, vaddr_t addr,
                       vm_prot_t access);

/*
 * vm_fault_object_page: vm_object_fault_page_apply(OBJ, OFFSET, WRITE,
 * FN, CTX) for a kernel routine that may sleep: it asks the pager and
 * waits whenever the object must wait for it, and waits for the pageout
 * daemon (a bounded number of times) when memory is short.
 * Locks: none held (sleeps); the caller holds a reference on OBJ.
 * Returns what FN returns, or KERN_MEMORY_ERROR, KERN_ABORTED
 *   (interrupted), KERN_RESOURCE_SHORTAGE, KERN_INVALID_ARGUMENT (OFFSET
 *   unaligned or beyond OBJ).
 */
kern_return_t vm_fault_object_page(struct vm_object *obj, uint64_t offset,
                                   bool write, vm_object_page_fn fn,
                                   void *ctx);

/*
 * vm_fault_object_range: make every page of [OFFSET, OFFSET + SIZE) of
 * OBJ (page aligned steps from OFFSET) resident, asking its pager and
 * waiting as a read fault would: what an immediate copy of a pager's
 * object (MEMORY_OBJECT_COPY_NONE) needs first.
 * Locks: none held (sleeps).
 * Returns KERN_SUCCESS, KERN_MEMORY_ERROR, KERN_ABORTED (interrupted),
 *   KERN_RESOURCE_SHORTAGE.
 */
kern_return_t vm_fault_object_range(struct vm_object *obj, uint64_t offset,
                                    uint64_t size);

/*
 * vm_user_copy: copy SIZE bytes from SRC_ADDR of (SRC, SRC_PMAP) to
 * DST_ADDR of (DST, DST_PMAP), faulting pages in on both sides as a
 * task would (the source needs VM_PROT_READ, the destination
 * VM_PROT_WRITE unless FORCE, which only needs a region: for loading
 * programs and inheriting memory).  Either side may be the kernel:
 * NULL maps mean a kernel virtual address.
 * Returns KERN_SUCCESS or vm_fault's errors (part may be copied).
 */
kern_return_t vm_user_copy(struct vm_map *src, struct pmap *src_pmap,
                           vaddr_t src_addr, struct vm_map *dst,
                           struct pmap *dst_pmap, vaddr_t dst_addr,
                           uint64_t size, bool force);

/*
 * vm_user_map_inherit: give CHILD (empty) PARENT's regions by their
 * inheritance: vm_map_fork (copy-on-write for VM_INHERIT_COPY, the same
 * object for VM_INHERIT_SHARE, nothing for VM_INHERIT_NONE).
 * Returns KERN_SUCCESS, KERN_RESOURCE_SHORTAGE or KERN_NO_SPACE.
 */
kern_return_t vm_user_map_inherit(struct vm_map *parent, struct vm_map *child);

#endif
