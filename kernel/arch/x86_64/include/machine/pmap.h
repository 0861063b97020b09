/*
 * The physical map (pmap): the machine-dependent half of a task's address
 * space, holding the hardware translations of its user half.  The
 * machine-independent VM code (vm/) decides what is mapped where and
 * tells the pmap; the pmap only keeps the translations and may be told
 * to forget any of them, since VM can always re-enter them on a fault
 * (except wired ones, which it must keep).
 *
 * The same interface is implemented by arch/host (a software table) so
 * that VM code can be unit-tested in a process.
 *
 * Addresses given to pmap_enter/remove/protect/extract must be
 * page-aligned and in the user half [PMAP_USER_MIN, PMAP_USER_MAX);
 * anything else is a programming error in the kernel and panics.
 *
 * Lock order: vm map/object locks (later) -> pmap->lock -> page
 * allocator lock.  Every routine takes and releases pmap->lock itself.
 */
#ifndef MACHINE_PMAP_H
#define MACHINE_PMAP_H

#include <mach/kern_return.h>
#include <mach/vm_prot.h>

#include "kern/types.h"
#include "machine/memlayout.h"

#define PMAP_USER_MIN 0x0UL
#define PMAP_USER_MAX USER_MAX_ADDRESS /* 2^47: the user half */

/* pmap_enter flags */
#define PMAP_WIRED                                                             \
	0x1 /* counted in the wired count (VM will not                         \
	       remove it to reclaim memory) */

struct pmap;

/* Counters of one pmap, read under its lock (a snapshot). */
struct pmap_stats {
	uint64_t resident; /* pages mapped in the user half */
	uint64_t wired;    /* of which entered with PMAP_WIRED */
	uint64_t tables;   /* page-table pages owned (the top table included) */
};

/*
 * pmap_init: set up the kernel pmap around the kernel's page tables
 * (kmap.c) and the pmap allocator.
 * Locks: called once on the boot CPU, after page_alloc_init.
 */
void pmap_init(void);

/* pmap_kernel: the kernel's pmap (user half empty, never destroyed). */
struct pmap *pmap_kernel(void);

/*
 * pmap_create: a new pmap with an empty user half; its kernel half is
 * the kernel's own (shared, not copied tables).
 * Returns: the pmap, or NULL when memory is short (never panics on
 *   exhaustion).
 */
struct pmap *pmap_create(void);

/*
 * pmap_destroy: free PMAP and every page-table page of its user half.
 * The pages it mapped belong to VM and are not freed.
 * Panics if PMAP is the kernel pmap or is active on some CPU.
 */
void pmap_destroy(struct pmap *pmap);

/*
 * pmap_enter: map the page at VA to physical page PA with protection
 * PROT (VM_PROT_*; READ is implied by WRITE and EXECUTE on x86), user
 * accessible, replacing any previous translation of VA.  FLAGS:
 * PMAP_WIRED.
 * Panics on an unaligned or non-user VA, an unaligned PA, or PROT
 * VM_PROT_NONE (use pmap_remove).
 * Returns:
 *   KERN_SUCCESS            the translation is in place.
 *   KERN_RESOURCE_SHORTAGE  no memory for a page-table page; nothing
 *                           changed.
 */
kern_return_t pmap_enter(struct pmap *pmap, vaddr_t va, paddr_t pa,
                         vm_prot_t prot, unsigned flags);

/*
 * pmap_remove: forget every translation in [START, END).  Page-table
 * pages left empty are freed.  Panics on a bad range (unaligned, not in
 * the user half, START > END).
 */
void pmap_remove(struct pmap *pmap, vaddr_t start, vaddr_t end);

/* What pmap_remove_release hands each page it unmaps. */
typedef void (*pmap_release_fn)(paddr_t pa);

/*
 * pmap_remove_release: pmap_remove, calling RELEASE with the physical
 * page of every translation it removes (after the TLB forgot it): for
 * memory the pmap's translations own (anonymous pages until VM objects
 * exist).  RELEASE runs with PMAP's lock held: it may only free pages.
 */
void pmap_remove_release(struct pmap *pmap, vaddr_t start, vaddr_t end,
                         pmap_release_fn release);

/*
 * pmap_protect: set the protection of every existing translation in
 * [START, END) to PROT; VM_PROT_NONE removes them.  Addresses without a
 * translation are left alone.  Panics on a bad range.
 */
void pmap_protect(struct pmap *pmap, vaddr_t start, vaddr_t end,
                  vm_prot_t prot);

/*
 * pmap_extract: the physical address VA translates to.
 * Returns: 1 and *PA set (with VA's offset in the page) when VA is
 *   mapped, 0 otherwise (also for any VA outside the user half).
 */
int pmap_extract(struct pmap *pmap, vaddr_t va, paddr_t *pa);

/*
 * pmap_copy_user: copy SIZE bytes from user address SRC of SRC_PMAP to
 * user address DST of DST_PMAP through the direct map of physical
 * memory, if every page of the source is mapped for user reading and
 * every page of the destination for user writing now, and no page is
 * on both sides (as when two tasks share memory): nothing is written
 * otherwise.  Nothing faults or sleeps: both pmaps are locked
 * for the copy (in address order; once if the same), so no translation
 * changes under it.  At most PMAP_COPY_MAX bytes.
 * Locks: neither pmap's lock held on entry; any spinlock ordered before
 *   pmap locks may be (the IPC fast path holds space, port and wait
 *   queue locks).
 * Returns: true when copied, false when a page was missing or
 *   protected, or the range is too long or not user memory.
 */
#define PMAP_COPY_MAX (16u * 1024)
bool pmap_copy_user(struct pmap *dst_pmap, vaddr_t dst, struct pmap *src_pmap,
                    vaddr_t src, size_t size);

/*
 * pmap_activate: make PMAP (the kernel pmap when NULL) the address space
 * of this CPU.  Locks: none held; masks interrupts for the switch.
 */
void pmap_activate(struct pmap *pmap);

/* pmap_activate_masked: pmap_activate with interrupts masked by the
 * caller (the context switch), for a PMAP that is not NULL (a task's:
 * the kernel task's is pmap_kernel()). */
void pmap_activate_masked(struct pmap *pmap);

/*
 * pmap_present: the translations of [START, END) in address order, at
 * most MAX: their addresses in VAS[] and physical pages in PAS[].  Only
 * page tables that exist are visited, so a huge range with few pages is
 * cheap.  Returns how many were stored; *NEXT is where to go on (END
 * when the range is done).  Panics on a bad range.
 */
unsigned pmap_present(struct pmap *pmap, vaddr_t start, vaddr_t end,
                      vaddr_t *vas, paddr_t *pas, unsigned max, vaddr_t *next);

/* pmap_get_stats: the counters of PMAP. */
void pmap_get_stats(struct pmap *pmap, struct pmap_stats *st);

#endif
