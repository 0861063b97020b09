/*
 * Zero-fill page faults and page-wise copies between address spaces
 * (vm/fault.h).  Anonymous pages belong to the translations that map
 * them: vm_user_map_create's removal hook frees each page it unmaps.
 */
#include "kern/page_alloc.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "machine/pmap.h"
#include "vm/fault.h"
#include "vm/map.h"

struct vm_fault_stats vm_fault_stats;

/* A user page is freed when its last mapping goes (pages of regions
 * inherited with VM_INHERIT_SHARE are mapped by several tasks). */
static void free_user_page(paddr_t pa)
{
	struct page *pg = phys_to_page(pa);

	if (__atomic_sub_fetch(&pg->map_count, 1, __ATOMIC_ACQ_REL) == 0) {
		__atomic_sub_fetch(&vm_fault_stats.user_pages, 1,
		                   __ATOMIC_RELAXED);
		page_free(pg, 0);
	}
}

/* A zeroed page for a user mapping, or NULL. */
static struct page *user_page_alloc(void)
{
	struct page *pg = page_alloc(0);

	if (pg) {
		memset(page_to_virt(pg), 0, PAGE_SIZE);
		pg->map_count = 1;
		__atomic_add_fetch(&vm_fault_stats.user_pages, 1,
		                   __ATOMIC_RELAXED);
	}
	return pg;
}

static void user_map_remove(void *pmap, vaddr_t start, vaddr_t end)
{
	pmap_remove_release(pmap, start, end, free_user_page);
}

/* Pages made inaccessible are freed: without VM objects nothing else
 * would keep them (a known gap, docs/ABI.md: their contents read as
 * zeros once access is given back). */
static void user_map_protect(void *pmap, vaddr_t start, vaddr_t end,
                             vm_prot_t prot)
{
	if (!(prot & VM_PROT_ALL))
		pmap_remove_release(pmap, start, end, free_user_page);
	else
		pmap_protect(pmap, start, end, prot);
}

static const struct vm_map_pmap_ops user_map_ops = {
    .remove = user_map_remove,
    .protect = user_map_protect,
};

struct vm_map *vm_user_map_create(struct pmap *pmap)
{
	return vm_map_create(VM_MAP_USER_MIN, VM_MAP_USER_MAX, pmap,
	                     &user_map_ops);
}

/* One fault, applied under the map's lock (vm_map_lookup_apply). */
struct fault_ctx {
	struct pmap *pmap;
	struct page *fresh; /* a zeroed page to use, or NULL once used */
};

static kern_return_t fault_apply(void *arg, vaddr_t addr,
                                 const struct vm_map_lookup_result *r)
{
	struct fault_ctx *c = arg;
	vaddr_t va = addr & ~(PAGE_SIZE - 1);
	paddr_t pa;
	kern_return_t kr;

	if (!(r->protection & VM_PROT_ALL))
		return KERN_PROTECTION_FAILURE;
	if (pmap_extract(c->pmap, va, &pa))
		/* Present: the region allows more than the translation. */
		return pmap_enter(c->pmap, va, pa & ~(PAGE_SIZE - 1),
		                  r->protection, 0);
	if (c->fresh == NULL)
		return KERN_RESOURCE_SHORTAGE;
	kr = pmap_enter(c->pmap, va, page_to_phys(c->fresh), r->protection, 0);
	if (kr == KERN_SUCCESS)
		c->fresh = NULL;
	return kr;
}

kern_return_t vm_fault(struct vm_map *map, struct pmap *pmap, vaddr_t addr,
                       vm_prot_t access)
{
	struct fault_ctx c = {pmap, NULL};
	bool pmap_extract_was_present;
	paddr_t pa;
	kern_return_t kr;

	if (addr >= VM_MAP_USER_MAX)
		return KERN_INVALID_ADDRESS;
	pmap_extract_was_present =
	    pmap_extract(pmap, addr & ~(PAGE_SIZE - 1), &pa);
	if (!pmap_extract_was_present)
		c.fresh = user_page_alloc();
	kr = vm_map_lookup_apply(map, addr, access, fault_apply, &c);
	__atomic_add_fetch(&vm_fault_stats.faults, 1, __ATOMIC_RELAXED);
	if (c.fresh)
		free_user_page(page_to_phys(c.fresh));
	else if (kr == KERN_SUCCESS && !pmap_extract_was_present)
		__atomic_add_fetch(&vm_fault_stats.zero_fills, 1,
		                   __ATOMIC_RELAXED);
	return kr;
}

/* The kernel address of byte ADDR of (MAP, PMAP) after making its page
 * accessible for ACCESS; FORCE: any region will do. */
static kern_return_t user_byte(struct vm_map *map, struct pmap *pmap,
                               vaddr_t addr, vm_prot_t access, bool force,
                               char **out)
{
	paddr_t pa;
	kern_return_t kr;

	if (map == NULL) {
		*out = (char *)addr;
		return KERN_SUCCESS;
	}
	kr = vm_fault(map, pmap, addr, force ? VM_PROT_NONE : access);
	if (kr != KERN_SUCCESS)
		return kr;
	if (!pmap_extract(pmap, addr, &pa))
		return KERN_INVALID_ADDRESS; /* removed meanwhile */
	*out = phys_to_virt(pa);
	return KERN_SUCCESS;
}

kern_return_t vm_user_copy(struct vm_map *src, struct pmap *src_pmap,
                           vaddr_t src_addr, struct vm_map *dst,
                           struct pmap *dst_pmap, vaddr_t dst_addr,
                           uint64_t size, bool force)
{
	while (size > 0) {
		uint64_t n = size;
		uint64_t src_room = PAGE_SIZE - (src_addr & (PAGE_SIZE - 1));
		uint64_t dst_room = PAGE_SIZE - (dst_addr & (PAGE_SIZE - 1));
		char *from, *to;
		kern_return_t kr;

		if (src && n > src_room)
			n = src_room;
		if (dst && n > dst_room)
			n = dst_room;
		kr = user_byte(src, src_pmap, src_addr, VM_PROT_READ, force,
		               &from);
		if (kr == KERN_SUCCESS)
			kr = user_byte(dst, dst_pmap, dst_addr, VM_PROT_WRITE,
			               force, &to);
		if (kr != KERN_SUCCESS)
			return kr;
		memcpy(to, from, n);
		src_addr += n;
		dst_addr += n;
		size -= n;
	}
	return KERN_SUCCESS;
}

/*
 * Shared regions are made present before they are shared, so that the
 * two tasks do not zero-fill the same page apart; at most this many
 * pages per task_create (then only the present pages are shared: a
 * bound on what one call may allocate, until VM objects share lazily).
 */
#define SHARE_PREFAULT_PAGES 4096 /* 16 MiB */

#define PRESENT_BATCH 64

/*
 * Give CHILD_PMAP the present pages of [ADDR, ADDR + SIZE) of the
 * parent: the same pages when SHARE, else copies.  Only page tables that
 * exist are visited, so the time grows with the memory in use, not with
 * the size of the region.  *PREFAULT counts down the pages a shared
 * region may still make present.
 */
static kern_return_t inherit_pages(struct vm_map *parent,
                                   struct pmap *parent_pmap,
                                   struct pmap *child_pmap, vaddr_t addr,
                                   uint64_t size, vm_prot_t prot, bool share,
                                   unsigned *prefault)
{
	vaddr_t vas[PRESENT_BATCH], next = addr, end = addr + size;
	paddr_t pas[PRESENT_BATCH];

	if (share && prot != VM_PROT_NONE && size / PAGE_SIZE <= *prefault) {
		*prefault -= (unsigned)(size / PAGE_SIZE);
		for (vaddr_t va = addr; va < end; va += PAGE_SIZE)
			if (vm_fault(parent, parent_pmap, va, VM_PROT_NONE) !=
			    KERN_SUCCESS)
				return KERN_RESOURCE_SHORTAGE;
	}
	while (next < end) {
		unsigned n = pmap_present(parent_pmap, next, end, vas, pas,
		                          PRESENT_BATCH, &next);

		for (unsigned i = 0; i < n; i++) {
			struct page *pg;

			if (share) {
				pg = phys_to_page(pas[i]);
				__atomic_add_fetch(&pg->map_count, 1,
				                   __ATOMIC_ACQ_REL);
			} else {
				pg = user_page_alloc();
				if (pg == NULL)
					return KERN_RESOURCE_SHORTAGE;
				memcpy(page_to_virt(pg), phys_to_virt(pas[i]),
				       PAGE_SIZE);
			}
			if (pmap_enter(child_pmap, vas[i], page_to_phys(pg),
			               prot, 0) != KERN_SUCCESS) {
				free_user_page(page_to_phys(pg));
				return KERN_RESOURCE_SHORTAGE;
			}
		}
		if (n == 0)
			break;
	}
	return KERN_SUCCESS;
}

kern_return_t vm_user_map_inherit(struct vm_map *parent,
                                  struct pmap *parent_pmap,
                                  struct vm_map *child, struct pmap *child_pmap)
{
	vaddr_t addr = 0;
	uint64_t size, offset;
	vm_prot_t prot, max;
	vm_inherit_t inh;
	bool shared;
	unsigned prefault = SHARE_PREFAULT_PAGES;

	while (vm_map_region(parent, &addr, &size, &prot, &max, &inh, &shared,
	                     &offset) == KERN_SUCCESS) {
		vaddr_t at = addr;
		kern_return_t kr;

		if (inh != VM_INHERIT_NONE) {
			kr = vm_map_enter(child, &at, size, 0, false, prot, max,
			                  inh);
			if (kr == KERN_SUCCESS)
				kr = inherit_pages(
				    parent, parent_pmap, child_pmap, addr, size,
				    prot, inh == VM_INHERIT_SHARE, &prefault);
			if (kr == KERN_SUCCESS && inh == VM_INHERIT_SHARE) {
				vm_map_mark_shared(parent, addr);
				vm_map_mark_shared(child, addr);
			}
			if (kr != KERN_SUCCESS)
				return kr;
		}
		if (addr + size < addr || addr + size >= VM_MAP_USER_MAX)
			break;
		addr += size;
	}
	return KERN_SUCCESS;
}

vaddr_t vm_user_anywhere_start(struct vm_map *map)
{
	vaddr_t addr = 0;
	uint64_t size, off;
	vm_prot_t p, m;
	vm_inherit_t inh;
	bool shared;

	if (vm_map_region(map, &addr, &size, &p, &m, &inh, &shared, &off) ==
	    KERN_SUCCESS)
		return addr;
	return PAGE_SIZE;
}
