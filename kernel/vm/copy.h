/*
 * Virtual copies of address ranges in transit (docs/VM.md, step 3): what
 * an out-of-line message item, vm_read and vm_copy carry between taking
 * a range out of one map (vm_map_copyin) and putting it into another
 * (vm_map_copyout).  A copy holds references on the objects behind the
 * range, shared copy-on-write with the source, so no page is copied
 * until one side writes it.
 */
#ifndef VM_COPY_H
#define VM_COPY_H

#include <mach/kern_return.h>
#include <stdbool.h>
#include <stdint.h>

#include "kern/types.h"

struct vm_map;
struct vm_object;

/*
 * One piece of a copy: a page-aligned range of an object, or of zeros
 * (OBJECT NULL: the source had never been touched there).
 * Owned by: its copy.
 */
struct vm_map_copy_piece {
	struct vm_map_copy_piece *next;
	struct vm_object *object; /* one reference, or NULL */
	uint64_t offset;          /* page aligned, in OBJECT */
	uint64_t size;            /* page aligned, > 0 */
};

/*
 * A virtual copy of SIZE bytes that began OFFSET bytes into its first
 * page: the pieces cover the whole pages, in order.  The first piece
 * lives inside the copy (most copies have one); the others come from a
 * slab cache.
 * Owned by: one holder at a time (a message, a kernel routine); nothing
 *   inside is shared, so no lock.
 */
struct vm_map_copy {
	uint64_t size;   /* bytes of data */
	uint32_t offset; /* of the data in the first page */
	unsigned npieces;
	struct vm_map_copy_piece *pieces, **tail;
	struct vm_map_copy_piece first; /* the first piece, once added */
};

/* vm_map_copy_init: create the slab caches.  Once, at boot. */
void vm_map_copy_init(void);

/*
 * vm_map_copyin: a virtual copy of [ADDR, ADDR + SIZE) of MAP (SIZE > 0):
 * the whole pages covering it, which must be mapped and readable.  The
 * source's entries are clipped to the range and made needs-copy, their
 * translations losing write access; regions shared in place with
 * another map are copied now.  DEALLOC removes the range from MAP
 * instead (its object references move to the copy).
 * Locks: MAP's not held.
 * Returns:
 *   KERN_SUCCESS            *OUT is the copy.
 *   KERN_INVALID_ADDRESS    part of the range is not mapped (or wraps).
 *   KERN_PROTECTION_FAILURE part of it is not readable.
 *   KERN_NO_SPACE           clipping needs entries beyond MAP's limit.
 *   KERN_RESOURCE_SHORTAGE  no memory for the copy.
 *   (Nothing changed on failure.)
 */
kern_return_t vm_map_copyin(struct vm_map *map, vaddr_t addr, uint64_t size,
                            bool dealloc, struct vm_map_copy **out);

/*
 * vm_map_copyout: put COPY into MAP at the first free range at or above
 * HINT, as entries of its own (read-write, maximum all, inherited by
 * copy, needs-copy), and consume COPY.  *ADDR is where the data starts
 * (the range's start plus COPY's offset).
 * Locks: MAP's not held.
 * Returns KERN_SUCCESS; KERN_NO_SPACE (no room, or MAP's entry limit) or
 *   KERN_RESOURCE_SHORTAGE, with COPY left to the caller.
 */
kern_return_t vm_map_copyout(struct vm_map *map, struct vm_map_copy *copy,
                             vaddr_t hint, vaddr_t *addr);

/*
 * vm_map_copy_read: LEN bytes of COPY's data from OFF (within its size)
 * into BUF, reading through the objects' chains: a page paged out or
 * still with its pager is faulted in (asking the pager and waiting), a
 * page never written reads as zeros.
 * Locks: none held (sleeps).
 * Returns KERN_SUCCESS, or vm_fault_object_page's errors
 *   (KERN_MEMORY_ERROR, KERN_ABORTED, KERN_RESOURCE_SHORTAGE).
 */
kern_return_t vm_map_copy_read(const struct vm_map_copy *copy, uint64_t off,
                               void *buf, uint64_t len);

/* vm_map_copy_discard: drop COPY's references and free it (NULL: none). */
void vm_map_copy_discard(struct vm_map_copy *copy);

/*
 * vm_map_copy_new / vm_map_copy_add: an empty copy of SIZE bytes at page
 * offset OFFSET, and one more piece at its end (taking the caller's
 * reference on OBJECT, which may be NULL).  For the map layer.
 * Return NULL / KERN_RESOURCE_SHORTAGE when memory is exhausted.
 */
struct vm_map_copy *vm_map_copy_new(uint64_t size, uint32_t offset);
kern_return_t vm_map_copy_add(struct vm_map_copy *copy,
                              struct vm_object *object, uint64_t offset,
                              uint64_t size);

#endif
