/*
 * Page faults and page-wise copies between address spaces (vm/fault.h).
 * A task's pages belong to the VM objects its map entries reference
 * (vm/object.c); the page tables only cache them, so removing a
 * translation frees nothing.  A fault asks the entry's object chain for
 * the page (zero fill, copy-on-write) and enters the translation.
 */
#include "kern/page_alloc.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "machine/pmap.h"
#include "vm/fault.h"
#include "vm/map.h"
#include "vm/object.h"
#include "vm/pager.h"

struct vm_fault_stats vm_fault_stats;
bool (*vm_fault_memory_wait)(bool failed);

/* A fault short of memory retries this many times (each a wait of the
 * pageout daemon's) before it gives up with KERN_RESOURCE_SHORTAGE. */
#define MEMORY_RETRIES 400

static void user_map_remove(void *pmap, vaddr_t start, vaddr_t end)
{
	pmap_remove(pmap, start, end);
}

static void user_map_protect(void *pmap, vaddr_t start, vaddr_t end,
                             vm_prot_t prot)
{
	if (!(prot & VM_PROT_ALL))
		pmap_remove(pmap, start, end);
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

/* One fault, resolved under the map's lock (vm_map_lookup_apply). */
struct fault_ctx {
	struct pmap *pmap;
	vm_prot_t access; /* VM_PROT_* asked for, maybe VM_MAP_LOOKUP_FORCE */
	vaddr_t va;       /* the page's address */
	vm_prot_t prot;   /* the region's protection */
	bool needs_copy;  /* the region still shares its object */
	paddr_t pa;       /* out: the page resolved */
	struct vm_object_wait wait; /* out: what to wait for */
};

static void stat_inc(uint64_t *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

/* Map PG at the faulting address (vm_object_fault_page_apply's call). */
static kern_return_t fault_map_page(void *arg, struct page *pg,
                                    enum vm_object_fault_how how,
                                    vm_prot_t withhold)
{
	struct fault_ctx *c = arg;
	vm_prot_t prot = c->prot & ~withhold;

	if (how == VM_OBJECT_PAGE_ZEROED)
		stat_inc(&vm_fault_stats.zero_fills);
	else if (how == VM_OBJECT_PAGE_COPIED)
		stat_inc(&vm_fault_stats.cow_faults);
	/* A page shared copy-on-write is mapped read-only: writing it
	 * faults again, and that fault copies it. */
	if (how == VM_OBJECT_PAGE_BELOW || c->needs_copy)
		prot &= ~VM_PROT_WRITE;
	c->pa = page_to_phys(pg);
	if (!(prot & VM_PROT_ALL))
		return KERN_SUCCESS; /* a forced access to a hidden page */
	return pmap_enter(c->pmap, c->va, c->pa, prot, 0);
}

static kern_return_t fault_apply(void *arg, vaddr_t addr,
                                 const struct vm_map_lookup_result *r)
{
	struct fault_ctx *c = arg;

	c->va = addr & ~(vaddr_t)(PAGE_SIZE - 1);
	c->prot = r->protection;
	c->needs_copy = r->needs_copy;
	if (!(r->protection & VM_PROT_ALL) &&
	    !(c->access & VM_MAP_LOOKUP_FORCE))
		return KERN_PROTECTION_FAILURE;
	/* A region that other maps write in place never maps a page of a
	 * deeper object: a write through another map would copy it up and
	 * leave our translation stale.  So it copies up on reads too. */
	return vm_object_fault_page_apply(
	    r->object, r->offset, (c->access & VM_PROT_WRITE) != 0 || r->shared,
	    fault_map_page, c, &c->wait);
}

/*
 * After VM_OBJECT_MUST_WAIT, with every lock dropped: send the pager what
 * WAIT says to ask, then wait for its answer (SLEEP) or just drop WAIT's
 * reference.  Returns KERN_ABORTED when the thread was interrupted
 * waiting, else KERN_SUCCESS (try again).
 */
static kern_return_t ask_pager_and_wait(struct vm_object_wait *wait, bool sleep)
{
	struct vm_pager *pager = wait->object->pager;

	if (wait->ask == VM_ASK_DATA)
		pager->ops->data_request(wait->object, wait->offset,
		                         wait->access);
	else if (wait->ask == VM_ASK_UNLOCK)
		pager->ops->data_unlock(wait->object, wait->offset,
		                        wait->access);
	vm_object_wait_end(wait, sleep);
	return sleep && wait->result == WAITQ_INTERRUPTED ? KERN_ABORTED
	                                                  : KERN_SUCCESS;
}

/* vm_fault, also giving the physical address of the page resolved. */
static kern_return_t fault_page(struct vm_map *map, struct pmap *pmap,
                                vaddr_t addr, vm_prot_t access, paddr_t *pa)
{
	struct fault_ctx c = {
	    .pmap = pmap,
	    .access = access & ~(VM_FAULT_NOWAIT | VM_FAULT_OVERWRITE),
	    .wait = {.overwrite = (access & VM_FAULT_OVERWRITE) != 0}};
	kern_return_t kr;

	if (addr >= VM_MAP_USER_MAX)
		return KERN_INVALID_ADDRESS;
	stat_inc(&vm_fault_stats.faults);
	/* Low on memory: let the pageout daemon make room first (a fault
	 * in kernel mode must not sleep). */
	for (unsigned i = 0;
	     vm_fault_memory_wait != NULL && !(access & VM_FAULT_NOWAIT) &&
	     i < MEMORY_RETRIES && vm_fault_memory_wait(false);
	     i++)
		continue; /* user memory leaves the kernel its reserve */
	for (unsigned tries = 0;;) {
		kr = vm_map_lookup_apply(map, addr, c.access, fault_apply, &c);
		if (kr == KERN_RESOURCE_SHORTAGE && vm_fault_memory_wait &&
		    !(access & VM_FAULT_NOWAIT) && tries++ < MEMORY_RETRIES &&
		    vm_fault_memory_wait(true))
			continue;
		if (kr != VM_OBJECT_MUST_WAIT)
			break;
		c.wait.overwrite = (access & VM_FAULT_OVERWRITE) != 0;
		/* Every lock is dropped: ask the pager, then wait for its
		 * answer (or for the thread to be aborted) and try again. */
		kr = ask_pager_and_wait(&c.wait, !(access & VM_FAULT_NOWAIT));
		if (access & VM_FAULT_NOWAIT)
			return KERN_MEMORY_ERROR;
		if (kr != KERN_SUCCESS)
			return kr;
	}
	if (kr == KERN_SUCCESS && pa != NULL)
		*pa = c.pa + (addr & (PAGE_SIZE - 1));
	return kr;
}

kern_return_t vm_fault_object_page(struct vm_object *obj, uint64_t offset,
                                   bool write, vm_object_page_fn fn, void *ctx)
{
	for (unsigned tries = 0;;) {
		struct vm_object_wait wait = {.overwrite = false};
		kern_return_t kr = vm_object_fault_page_apply(
		    obj, offset, write, fn, ctx, &wait);

		if (kr == KERN_RESOURCE_SHORTAGE && vm_fault_memory_wait &&
		    tries++ < MEMORY_RETRIES && vm_fault_memory_wait(true))
			continue;
		if (kr != VM_OBJECT_MUST_WAIT)
			return kr;
		if (ask_pager_and_wait(&wait, true) != KERN_SUCCESS)
			return KERN_ABORTED;
	}
}

/* vm_fault_object_range's callback: nothing to map. */
static kern_return_t page_is_there(void *ctx, struct page *pg,
                                   enum vm_object_fault_how how,
                                   vm_prot_t withhold)
{
	(void)ctx;
	(void)pg;
	(void)how;
	(void)withhold;
	return KERN_SUCCESS;
}

kern_return_t vm_fault_object_range(struct vm_object *obj, uint64_t offset,
                                    uint64_t size)
{
	for (uint64_t done = 0; done < size; done += PAGE_SIZE) {
		kern_return_t kr = vm_fault_object_page(
		    obj, offset + done, false, page_is_there, NULL);

		if (kr != KERN_SUCCESS)
			return kr;
	}
	return KERN_SUCCESS;
}

kern_return_t vm_fault(struct vm_map *map, struct pmap *pmap, vaddr_t addr,
                       vm_prot_t access)
{
	return fault_page(map, pmap, addr, access, NULL);
}

/* The kernel address of byte ADDR of (MAP, PMAP) after making its page
 * accessible for ACCESS; FORCE: any region will do (the access still
 * decides whether the page is made private for writing). */
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
	kr = fault_page(map, pmap, addr,
	                access | (force ? VM_MAP_LOOKUP_FORCE : 0), &pa);
	if (kr != KERN_SUCCESS)
		return kr;
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
		/* A whole page written: the old contents are not needed. */
		if (kr == KERN_SUCCESS)
			kr = user_byte(
			    dst, dst_pmap, dst_addr,
			    VM_PROT_WRITE |
			        (n == PAGE_SIZE ? VM_FAULT_OVERWRITE : 0),
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

kern_return_t vm_user_map_inherit(struct vm_map *parent, struct vm_map *child)
{
	return vm_map_fork(parent, child);
}

vaddr_t vm_user_anywhere_start(struct vm_map *map)
{
	vaddr_t lowest = vm_map_lowest(map);

	return lowest != 0 ? lowest : PAGE_SIZE;
}
