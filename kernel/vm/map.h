/*
 * The address-space map: the machine-independent list of a task's
 * regions (which addresses are mapped, with what protection and
 * inheritance, backed by what), with GNU Mach's vm_* semantics and return
 * codes.  Page tables are the pmap's business (kernel/arch/<arch>/pmap.c);
 * the map tells it about removals and protection changes through
 * struct vm_map_pmap_ops.  An entry maps a range of a VM object
 * (vm/object.h), created on the first fault; entries copied by
 * inheritance share the object "needs-copy" until one side writes
 * (docs/VM.md).
 */
#ifndef VM_MAP_H
#define VM_MAP_H

#include <mach/kern_return.h>
#include <mach/vm_inherit.h>
#include <mach/vm_prot.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kern/avl.h"
#include "kern/list.h"
#include "kern/spinlock.h"
#include "kern/types.h"

struct vm_object;

/* The user part of an address space, as GNU Mach's x86_64 vm_param.h. */
#define VM_MAP_USER_MIN 0x0ULL
#define VM_MAP_USER_MAX 0x800000000000ULL

/* Default bound on the entries of one map (vm_map_set_entry_limit). */
#define VM_MAP_ENTRIES_DEFAULT 32768u

/* Default bound on the wired pages of one map: 64 MiB (docs/ABI.md). */
#define VM_MAP_WIRED_DEFAULT 16384u

/* Pages wired in every map (vm_statistics' wire_count); atomic. */
extern uint64_t vm_map_wired_total;

/*
 * One region: [start, end) with uniform attributes.
 * Owned by: its map (entries come from the "vm.map_entry" slab cache and
 *   never outlive the map).
 * Guarded by: map->lock.
 */
struct vm_map_entry {
	struct avl_node node; /* in map->tree, ordered by start */
	vaddr_t start, end;   /* page aligned, start < end */
	vm_prot_t protection; /* current protection */
	vm_prot_t max_protection;
	vm_inherit_t inheritance; /* VM_INHERIT_* */
	unsigned wired_count;     /* 1 while wired (vm_map_wire), else 0 */
	bool shared;              /* its object is mapped by another map too
	                             and written in place (VM_INHERIT_SHARE) */
	bool needs_copy;          /* OBJECT is shared copy-on-write: the
	                             first write shadows it for this entry */
	bool device;              /* maps a kernel memory object (the time
	                             page): wiring it counts no page */
	bool pmapped;             /* a fault has been resolved through it,
	                             so the pmap may hold translations of
	                             its range; until then removals and
	                             protections skip the page tables */
	struct vm_object *object; /* one reference; NULL until first needed */
	uint64_t offset;          /* of START in OBJECT */
	struct vm_map *map;       /* the map it is in (set when linked) */
	struct list mapper_link;  /* on object->mappers (guarded by the
	                             object's lock) */
};

/*
 * How the map reaches the page tables.  Both are called with map->lock
 * held (lock order: map->lock before any pmap lock) for page-aligned
 * ranges inside the map.  NULL ops (or a NULL member) mean no pmap,
 * as in the unit tests.
 */
struct vm_map_pmap_ops {
	/* Unmap [start, end). */
	void (*remove)(void *pmap, vaddr_t start, vaddr_t end);
	/* Reduce the mappings in [start, end) to at most PROT. */
	void (*protect)(void *pmap, vaddr_t start, vaddr_t end, vm_prot_t prot);
};

/*
 * A task's address space.
 * Owned by: its task (one reference for now: vm_map_destroy frees it).
 * Guarded by: lock, a spinlock until the scheduler brings a sleeping lock;
 *   the bounds, pmap and ops are fixed at creation.
 * Lock order: map->lock before the slab cache locks and the pmap's.
 */
struct vm_map {
	spinlock_t lock;
	struct avl_tree tree; /* entries, non-overlapping, by start */
	vaddr_t min, max;     /* the map covers [min, max) */
	unsigned nentries;    /* entries in the tree */
	unsigned max_entries; /* bound on nentries; KERN_NO_SPACE beyond */
	uint64_t wired_pages; /* pages of wired entries (not device ones) */
	uint64_t max_wired;   /* bound on wired_pages (VM_MAP_WIRED_DEFAULT) */
	bool wire_future;     /* vm_wire_all(VM_WIRE_FUTURE): new regions
	                         made by vm_map/vm_allocate are wired */
	void *pmap;           /* handed to ops */
	const struct vm_map_pmap_ops *ops;
	/* What the last searches for free space learnt: no free range
	 * inside [scan_lo, scan_hi) is longer than scan_gap bytes, and
	 * scan_hi - 1 is mapped (unless scan_hi == scan_lo: nothing known),
	 * so a search for more than scan_gap bytes from inside goes on from
	 * scan_hi (map_find_space). */
	vaddr_t scan_lo, scan_hi;
	uint64_t scan_gap;
	struct vm_map_entry *spare; /* the last entry freed, kept for the
	                               next one made (or NULL): a region
	                               received, freed and received again
	                               takes nothing from the slab */
};

/* What the fault path needs to know about one address (vm_map_lookup). */
struct vm_map_lookup_result {
	vaddr_t start, end; /* the region containing the address */
	vm_prot_t protection, max_protection;
	vm_inherit_t inheritance;
	struct vm_object *object; /* vm_map_lookup_apply: never NULL */
	uint64_t offset;          /* of the faulting page in OBJECT */
	bool needs_copy; /* still shared copy-on-write: map read-only */
	bool shared;     /* written in place by another map too */
};

/* A fault_type bit for vm_map_lookup_apply: the kernel accesses the page
 * for its own purposes (loading a program), whatever the protection. */
#define VM_MAP_LOOKUP_FORCE 0x100

/* vm_map_init: create the slab caches.  Once, before any other call. */
void vm_map_init(void);

/*
 * vm_map_create: an empty map covering [MIN, MAX) (page aligned,
 * MIN < MAX), whose changes reach PMAP through OPS (either may be NULL).
 * Returns the map, or NULL when memory is exhausted.
 */
struct vm_map *vm_map_create(vaddr_t min, vaddr_t max, void *pmap,
                             const struct vm_map_pmap_ops *ops);

/* vm_map_destroy: remove every region (telling the pmap), free MAP. */
void vm_map_destroy(struct vm_map *map);

/* vm_map_set_entry_limit: at most LIMIT entries in MAP (at least 1). */
void vm_map_set_entry_limit(struct vm_map *map, unsigned limit);

/*
 * vm_map_enter: map SIZE bytes (rounded up to pages), object-less, with
 * the given protections and inheritance.  ANYWHERE: the first free range
 * at or above *ADDR (truncated; raised to the map's minimum) whose start
 * has no bits of MASK set (MASK | PAGE_MASK, in fact); no wrap-around.
 * Otherwise exactly at trunc_page(*ADDR); MASK is not checked then.
 * Locks: map->lock not held; taken and released.
 * Returns:
 *   KERN_SUCCESS           *ADDR is the start of the new region.
 *   KERN_INVALID_ARGUMENT  SIZE is 0, a protection has bits beyond
 *                          VM_PROT_ALL, or INHERITANCE is not VM_INHERIT_*.
 *   KERN_INVALID_ADDRESS   fixed: the range is not inside the map.
 *   KERN_NO_SPACE          fixed: part of the range is mapped; anywhere:
 *                          no free range fits; or the map's entry limit.
 *   KERN_RESOURCE_SHORTAGE no memory for an entry.
 */
kern_return_t vm_map_enter(struct vm_map *map, vaddr_t *addr, uint64_t size,
                           vaddr_t mask, bool anywhere, vm_prot_t prot,
                           vm_prot_t max_prot, vm_inherit_t inheritance);

/*
 * vm_map_enter_object: vm_map_enter for a range of OBJECT (the caller's
 * reference moves to the new entry on success) starting at OFFSET (page
 * aligned, or anything for an object with a pager, whose pages are then
 * at OFFSET plus multiples of the page size); NEEDS_COPY maps a
 * copy-on-write copy of it.  OBJECT grows to
 * cover the range if it is smaller.
 * Returns vm_map_enter's codes (on failure the reference stays the
 *   caller's).
 */
kern_return_t vm_map_enter_object(struct vm_map *map, vaddr_t *addr,
                                  uint64_t size, vaddr_t mask, bool anywhere,
                                  struct vm_object *object, uint64_t offset,
                                  bool needs_copy, vm_prot_t prot,
                                  vm_prot_t max_prot, vm_inherit_t inheritance);

/*
 * vm_map_object_protect: reduce every translation of OBJECT's offsets in
 * [START, END) in every map that maps OBJECT directly to at most PROT
 * (VM_PROT_NONE removes them): what a pager's lock_request needs before
 * it flushes or cleans pages, and pageout.
 * Locks: OBJECT's lock held (pmap locks are taken).
 */
void vm_map_object_protect(struct vm_object *object, uint64_t start,
                           uint64_t end, vm_prot_t prot);

/*
 * vm_map_remove: unmap [trunc_page(START), round_page(END)), clipped to
 * the map; entries straddling an edge are split.  Unmapped parts are no
 * error.
 * Returns KERN_SUCCESS; KERN_INVALID_ARGUMENT if END < START;
 *   KERN_NO_SPACE / KERN_RESOURCE_SHORTAGE if a split needs an entry
 *   beyond the limit / memory (nothing is changed then).
 */
kern_return_t vm_map_remove(struct vm_map *map, vaddr_t start, vaddr_t end);

/*
 * vm_map_protect: set the protection (SET_MAX: the maximum protection,
 * which also reduces the current one to it) of [START, END), rounded and
 * clipped as vm_map_remove.  Checked before anything changes.
 * Returns:
 *   KERN_SUCCESS
 *   KERN_INVALID_ARGUMENT    PROT has bits beyond VM_PROT_ALL; END < START.
 *   KERN_INVALID_ADDRESS     part of the range is not mapped.
 *   KERN_PROTECTION_FAILURE  PROT exceeds a region's maximum protection.
 *   KERN_NO_SPACE, KERN_RESOURCE_SHORTAGE   as vm_map_remove.
 */
kern_return_t vm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end,
                             bool set_max, vm_prot_t prot);

/*
 * vm_map_inherit: set the inheritance of the mapped parts of
 * [START, END), rounded and clipped as vm_map_remove (holes are skipped).
 * Returns KERN_SUCCESS; KERN_INVALID_ARGUMENT for a value that is not
 *   VM_INHERIT_* or END < START; KERN_NO_SPACE, KERN_RESOURCE_SHORTAGE
 *   as vm_map_remove.
 */
kern_return_t vm_map_inherit(struct vm_map *map, vaddr_t start, vaddr_t end,
                             vm_inherit_t inheritance);

/*
 * vm_map_lookup: the region containing ADDR, for the page-fault path,
 * checked against the access FAULT_TYPE (VM_PROT_* bits).  *OUT is a copy
 * taken under the lock.
 * Returns KERN_SUCCESS; KERN_INVALID_ADDRESS if ADDR is not mapped;
 *   KERN_PROTECTION_FAILURE if the region does not allow FAULT_TYPE.
 */
kern_return_t vm_map_lookup(struct vm_map *map, vaddr_t addr,
                            vm_prot_t fault_type,
                            struct vm_map_lookup_result *out);

/* What vm_map_lookup_apply calls, under the map's lock. */
typedef kern_return_t (*vm_map_apply_fn)(void *ctx, vaddr_t addr,
                                         const struct vm_map_lookup_result *r);

/*
 * vm_map_lookup_apply: vm_map_lookup for the fault path, then FN(CTX,
 * ADDR, result) with the map still locked, so that the page tables can
 * be changed for the region before anyone changes the region.  On the
 * way the entry gets its object if it had none; a write
 * (FAULT_TYPE & VM_PROT_WRITE) to a needs-copy entry gives it its own
 * shadow of the object (or just clears needs-copy when nobody else
 * references the object); the object's chain is collapsed.
 * VM_MAP_LOOKUP_FORCE in FAULT_TYPE skips the protection check.  FN may
 * take object, pmap and page-allocator locks, nothing else.
 * Returns vm_map_lookup's errors, KERN_RESOURCE_SHORTAGE when no object
 *   can be made, or what FN returns.
 */
kern_return_t vm_map_lookup_apply(struct vm_map *map, vaddr_t addr,
                                  vm_prot_t fault_type, vm_map_apply_fn fn,
                                  void *ctx);

/*
 * vm_map_region: describe the region containing *ADDR or, if none does,
 * the first one above it.  SHARED: the region was shared with another
 * map (vm_map_mark_shared).
 * Returns KERN_SUCCESS (*ADDR, *SIZE and the attributes filled in);
 *   KERN_NO_SPACE when no region is at or above *ADDR.
 */
kern_return_t vm_map_region(struct vm_map *map, vaddr_t *addr, uint64_t *size,
                            vm_prot_t *prot, vm_prot_t *max_prot,
                            vm_inherit_t *inheritance, bool *shared,
                            uint64_t *offset);

/*
 * vm_map_region_object: the object of the region vm_map_region would
 * describe for ADDR, referenced (the caller releases it), or NULL (no
 * region, or one not touched yet).  Locks: map->lock not held.
 */
struct vm_object *vm_map_region_object(struct vm_map *map, vaddr_t addr);

/* vm_map_lowest: the start of MAP's lowest region, or 0 when it has
 * none.  Locks: map->lock not held. */
vaddr_t vm_map_lowest(struct vm_map *map);

/* vm_map_mark_shared: the region containing ADDR (if any) is shared with
 * another map from now on.  Locks: map->lock not held. */
void vm_map_mark_shared(struct vm_map *map, vaddr_t addr);

/*
 * vm_map_check_access: whether [trunc_page(START), round_page(END)) is
 * mapped without a hole and every part of it allows PROT, as the
 * routines that must check a whole range before changing any of it want
 * (vm_write, vm_copy).  An empty range passes.
 * Locks: map->lock not held.
 * Returns KERN_SUCCESS; KERN_INVALID_ADDRESS (a hole, or END < START);
 *   KERN_PROTECTION_FAILURE.
 */
kern_return_t vm_map_check_access(struct vm_map *map, vaddr_t start,
                                  vaddr_t end, vm_prot_t prot);

/*
 * vm_map_fork: fill CHILD (new and empty, reachable by nobody else) from
 * PARENT by each region's inheritance: VM_INHERIT_NONE regions are left
 * out; VM_INHERIT_SHARE ones map the same object (both marked shared);
 * VM_INHERIT_COPY ones share the object needs-copy on both sides, the
 * parent's translations losing write access, so that pages are copied
 * only when written; a COPY of a shared region (written in place by
 * another map) is copied now instead (vm_object_copy_now).
 * Locks: neither map's held (PARENT's, then CHILD's, are taken).
 * Returns KERN_SUCCESS; KERN_NO_SPACE (CHILD's entry limit) or
 *   KERN_RESOURCE_SHORTAGE, with CHILD partly filled (the caller
 *   destroys it).
 */
kern_return_t vm_map_fork(struct vm_map *parent, struct vm_map *child);

/*
 * vm_map_check: verify MAP's invariants (a balanced, ordered tree; entries
 * page aligned, inside the map, not overlapping; no two neighbours that
 * should have been merged; nentries right).  For tests and self-checks.
 * Locks: map->lock not held; taken and released.
 */
bool vm_map_check(struct vm_map *map);

/*
 * Wiring (vm/wire.c drives these; the pages are faulted in there).
 *
 * vm_map_wire: wire (ACCESS != VM_PROT_NONE) or unwire (VM_PROT_NONE) the
 * regions of [START, END) (page aligned, START <= END), splitting entries
 * at the edges.  A wired entry stays wired once however often it is
 * wired; its pages are counted in map->wired_pages and
 * vm_map_wired_total unless it maps device memory.
 * Locks: map->lock not held; taken and released.
 * Returns:
 *   KERN_SUCCESS
 *   KERN_NO_SPACE           no region contains START (even for an empty
 *                           range), a hole in the range, ACCESS beyond a
 *                           region's protection, or the entry limit.
 *   KERN_RESOURCE_SHORTAGE  no memory for an entry, or the wiring would
 *                           pass map->max_wired.
 *   Nothing changes on failure.
 */
kern_return_t vm_map_wire(struct vm_map *map, vaddr_t start, vaddr_t end,
                          vm_prot_t access);

/*
 * vm_map_wire_all: unwire every region (WIRE false) or wire every region
 * whose protection is not VM_PROT_NONE (WIRE true).  *START and *END get
 * the lowest and highest address wired, for faulting in (equal when
 * nothing is).
 * Locks: map->lock not held.
 * Returns KERN_SUCCESS, KERN_NO_SPACE (entry limit) or
 *   KERN_RESOURCE_SHORTAGE (as vm_map_wire; nothing changes then).
 */
kern_return_t vm_map_wire_all(struct vm_map *map, bool wire, vaddr_t *start,
                              vaddr_t *end);

/* vm_map_mark_device: the region containing ADDR (if any) maps device
 * memory from now on.  Locks: map->lock not held. */
void vm_map_mark_device(struct vm_map *map, vaddr_t addr);

#endif
