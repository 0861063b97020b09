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
 * Give CHILD_PMAP the pages of [ADDR, ADDR + SIZE) of the parent: the
 * same pages when SHARE (every page made present first, so that the two
 * tasks never zero-fill apart), else copies of the pages the parent has.
 */
static kern_return_t inherit_pages(struct vm_map *parent,
                                   struct pmap *parent_pmap,
                                   struct pmap *child_pmap, vaddr_t addr,
                                   uint64_t size, vm_prot_t prot, bool share)
{
	for (vaddr_t va = addr; va < addr + size; va += PAGE_SIZE) {
		struct page *pg;
		paddr_t pa;

		if (share && prot != VM_PROT_NONE &&
		    vm_fault(parent, parent_pmap, va, VM_PROT_NONE) !=
		        KERN_SUCCESS)
			return KERN_RESOURCE_SHORTAGE;
		if (!pmap_extract(parent_pmap, va, &pa))
			continue;
		if (share) {
			pg = phys_to_page(pa);
			__atomic_add_fetch(&pg->map_count, 1, __ATOMIC_ACQ_REL);
		} else {
			pg = user_page_alloc();
			if (pg == NULL)
				return KERN_RESOURCE_SHORTAGE;
			memcpy(page_to_virt(pg), phys_to_virt(pa), PAGE_SIZE);
		}
		if (pmap_enter(child_pmap, va, page_to_phys(pg), prot, 0) !=
		    KERN_SUCCESS) {
			free_user_page(page_to_phys(pg));
			return KERN_RESOURCE_SHORTAGE;
		}
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

	while (vm_map_region(parent, &addr, &size, &prot, &max, &inh, &shared,
	                     &offset) == KERN_SUCCESS) {
		vaddr_t at = addr;
		kern_return_t kr;

		if (inh != VM_INHERIT_NONE) {
			kr = vm_map_enter(child, &at, size, 0, false, prot, max,
			                  inh);
			if (kr == KERN_SUCCESS)
				kr = inherit_pages(parent, parent_pmap,
				                   child_pmap, addr, size, prot,
				                   inh == VM_INHERIT_SHARE);
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
