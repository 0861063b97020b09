/*
 * The physical map in the host build: the interface of the x86_64
 * machine/pmap.h (whose comments give each routine's contract), kept as a
 * software table of translations (a hash of page address -> physical
 * page, protection, wired) so that machine-independent VM code can be
 * unit-tested in a process.  Nothing is ever translated by hardware;
 * tests look translations up with pmap_extract and host_pmap_lookup.
 *
 * Differences a test may see: protections are kept exactly as entered
 * (x86 cannot express write-only or execute-only), and `tables` in
 * pmap_stats counts the allocations of the software table (the bucket
 * array and one node per translation), which also return to zero on
 * pmap_destroy.
 */
#ifndef MACHINE_PMAP_H
#define MACHINE_PMAP_H

#include <mach/kern_return.h>
#include <mach/vm_prot.h>

#include "kern/types.h"
#include "machine/memlayout.h"

#define PMAP_USER_MIN 0x0UL
#define PMAP_USER_MAX 0x0000800000000000UL /* as on x86_64 */

#define PMAP_WIRED 0x1

struct pmap;

struct pmap_stats {
	uint64_t resident; /* pages mapped */
	uint64_t wired;    /* of which entered with PMAP_WIRED */
	uint64_t tables;   /* allocations held by the software table */
};

void pmap_init(void);
struct pmap *pmap_kernel(void);
struct pmap *pmap_create(void);
void pmap_destroy(struct pmap *pmap);
kern_return_t pmap_enter(struct pmap *pmap, vaddr_t va, paddr_t pa,
                         vm_prot_t prot, unsigned flags);
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
void pmap_protect(struct pmap *pmap, vaddr_t start, vaddr_t end,
                  vm_prot_t prot);
int pmap_extract(struct pmap *pmap, vaddr_t va, paddr_t *pa);
/* No memory is reached through a host pmap: always false here. */
#define PMAP_COPY_MAX (16u * 1024)
bool pmap_copy_user(struct pmap *dst_pmap, vaddr_t dst, struct pmap *src_pmap,
                    vaddr_t src, size_t size);
void pmap_activate(struct pmap *pmap);
void pmap_get_stats(struct pmap *pmap, struct pmap_stats *st);
unsigned pmap_present(struct pmap *pmap, vaddr_t start, vaddr_t end,
                      vaddr_t *vas, paddr_t *pas, unsigned max, vaddr_t *next);

/*
 * Host tests only.  host_pmap_lookup: the translation of the page at VA
 * (1 and the outputs set, or 0).  host_pmap_current: the pmap last
 * activated (the kernel pmap at start).  host_pmap_fail_next_enter: make
 * the next pmap_enter that needs memory return KERN_RESOURCE_SHORTAGE.
 * host_pmap_live: pmaps created and not destroyed (process-wide).
 */
int host_pmap_lookup(struct pmap *pmap, vaddr_t va, paddr_t *pa,
                     vm_prot_t *prot, int *wired);
struct pmap *host_pmap_current(void);
void host_pmap_fail_next_enter(void);
long host_pmap_live(void);

#endif
