/*
 * The kernel RPCs on wired and physical memory: vm_wire (mach_host.defs),
 * vm_wire_all, vm_allocate_contiguous and vm_pages_phys (gnumach.defs).
 * Wiring itself is vm/wire.c's; the answers to bad input are GNU Mach's
 * as the vm-special system-test module pins them, except where GNU Mach
 * panics (docs/ABI.md).
 */
#include "server/kobjects.h"
#include "server/mig_kernel.h"

#include "ipc/ool.h"
#include "kern/page_alloc.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "machine/pmap.h"
#include "task/task.h"
#include "vm/fault.h"
#include "vm/map.h"
#include "vm/object.h"
#include "vm/wire.h"

#define PG_MASK ((uint64_t)PAGE_SIZE - 1)

/* vm_pages_phys answers for at most this many pages (2 GiB of address
 * space: a 4 MiB reply), KERN_RESOURCE_SHORTAGE beyond. */
#define PAGES_PHYS_MAX (1ul << PAGE_ORDER_MAX << (PAGE_SHIFT - 3))

/* The inline room MIG's reply has for vm_pages_phys. */
#define PAGES_PHYS_INLINE 256u

kern_return_t kserver_vm_wire(ipc_port_t host, vm_map_t task,
                              vm_address_t address, vm_size_t size,
                              vm_prot_t access)
{
	uint64_t start, end;

	/* GNU Mach: either host port will do. */
	if (kserver_kobject(host, KOBJECT_HOST) == NULL &&
	    kserver_kobject(host, KOBJECT_HOST_PRIV) == NULL)
		return KERN_INVALID_HOST;
	if (task == NULL || task->map == NULL)
		return KERN_INVALID_TASK;
	if (access & ~VM_PROT_ALL)
		return KERN_INVALID_ARGUMENT;
	/* GNU Mach's range arithmetic: rounded out (a range that wraps
	 * becomes empty), clipped to user space; the page at the start must
	 * be mapped even for an empty range. */
	start = address & ~PG_MASK;
	end = (address + size + PG_MASK) & ~PG_MASK;
	if (end > VM_MAP_USER_MAX)
		end = VM_MAP_USER_MAX;
	if (start > end)
		start = end;
	return vm_wire_range(task->map, task->pmap, start, end, access);
}

kern_return_t kserver_vm_wire_all(ipc_port_t host, vm_map_t task,
                                  vm_wire_t flags)
{
	if (kserver_kobject(host, KOBJECT_HOST_PRIV) == NULL)
		return KERN_INVALID_HOST;
	if (task == NULL || task->map == NULL)
		return KERN_INVALID_TASK;
	return vm_wire_all(task->map, task->pmap, flags);
}

/* The anonymous object holding NPAGES pages from FIRST on, zeroed. */
static struct vm_object *contig_object(struct page *first, uint64_t npages)
{
	struct vm_object *obj = vm_object_create(npages * PAGE_SIZE);
	uint64_t i = 0;

	if (obj != NULL)
		for (; i < npages; i++) {
			memset(page_to_virt(first + i), 0, PAGE_SIZE);
			if (vm_object_page_insert(obj, i * PAGE_SIZE,
			                          first + i) != KERN_SUCCESS)
				break;
		}
	if (i < npages) { /* the pages not in OBJ are still ours */
		for (uint64_t k = i; k < npages; k++)
			page_free(first + k, 0);
		if (obj != NULL)
			vm_object_release(obj);
		return NULL;
	}
	return obj;
}

kern_return_t
kserver_vm_allocate_contiguous(host_t host_priv, vm_map_t task,
                               vm_address_t *vaddr, rpc_phys_addr_t *paddr,
                               vm_size_t size, rpc_phys_addr_t pmin,
                               rpc_phys_addr_t pmax, rpc_phys_addr_t palign)
{
	uint64_t npages;
	struct page *first;
	struct vm_object *obj;
	vaddr_t addr;
	kern_return_t kr;

	if (host_priv == NULL)
		return KERN_INVALID_HOST;
	if (task == NULL || task->map == NULL)
		return KERN_INVALID_TASK;
	/* GNU Mach: pmin must be 0 and the alignment 0 or a page.  It
	 * panics on more than its largest block (4 MiB) and on a limit
	 * that cannot hold the size: those are KERN_INVALID_ARGUMENT. */
	if (size == 0 || pmin != 0 || (palign != 0 && palign != PAGE_SIZE) ||
	    size > (PAGE_SIZE << PAGE_ORDER_MAX))
		return KERN_INVALID_ARGUMENT;
	npages = (size + PG_MASK) / PAGE_SIZE;
	if (pmax < npages * PAGE_SIZE)
		return KERN_INVALID_ARGUMENT;
	first = page_alloc_contig(npages, (paddr_t)pmax);
	if (first == NULL)
		return KERN_RESOURCE_SHORTAGE;
	obj = contig_object(first, npages);
	if (obj == NULL)
		return KERN_RESOURCE_SHORTAGE;
	addr = vm_user_anywhere_start(task->map);
	kr = vm_map_enter_object(task->map, &addr, npages * PAGE_SIZE, 0, true,
	                         obj, 0, false, VM_PROT_READ | VM_PROT_WRITE,
	                         VM_PROT_READ | VM_PROT_WRITE, VM_INHERIT_COPY);
	if (kr != KERN_SUCCESS) {
		vm_object_release(obj);
		return kr;
	}
	/* Wired, so that the pages stay where they are. */
	kr = vm_wire_range(task->map, task->pmap, addr,
	                   addr + npages * PAGE_SIZE,
	                   VM_PROT_READ | VM_PROT_WRITE);
	if (kr != KERN_SUCCESS) {
		(void)vm_map_remove(task->map, addr, addr + npages * PAGE_SIZE);
		return kr;
	}
	*vaddr = addr;
	*paddr = page_to_phys(first);
	return KERN_SUCCESS;
}

kern_return_t kserver_vm_pages_phys(host_t host_priv, vm_map_t task,
                                    vm_address_t vaddr, vm_size_t size,
                                    rpc_phys_addr_array_t *pages,
                                    mach_msg_type_number_t *count)
{
	rpc_phys_addr_t *buf;
	uint64_t n, bytes = 0;
	unsigned order = 0;
	struct ool *ool;

	if (host_priv == NULL)
		return KERN_INVALID_HOST;
	if (task == NULL || task->map == NULL)
		return KERN_INVALID_TASK;
	if ((vaddr & PG_MASK) || size > UINT64_MAX - PG_MASK)
		return KERN_INVALID_ARGUMENT;
	n = (size + PG_MASK) / PAGE_SIZE;
	if (n > PAGES_PHYS_MAX)
		return KERN_RESOURCE_SHORTAGE; /* GNU Mach: no reply buffer */
	buf = *pages;
	if (n > PAGES_PHYS_INLINE) {
		bytes = n * sizeof(*buf);
		while ((PAGE_SIZE << order) < bytes)
			order++;
		buf = page_alloc_va(order);
		if (buf == NULL)
			return KERN_RESOURCE_SHORTAGE;
	}
	/* What the page tables say: 0 for a page not resident (or not in
	 * user space). */
	for (uint64_t i = 0; i < n; i++) {
		paddr_t pa = 0;

		if (!pmap_extract(task->pmap, vaddr + i * PAGE_SIZE, &pa))
			pa = 0;
		buf[i] = pa;
	}
	if (buf != *pages) {
		mach_msg_return_t mr = ool_from_kernel(buf, bytes, &ool);

		page_free_va(buf, order);
		if (mr != MACH_MSG_SUCCESS)
			return KERN_RESOURCE_SHORTAGE;
		*pages = (rpc_phys_addr_t *)ool;
	}
	*count = (mach_msg_type_number_t)n;
	return KERN_SUCCESS;
}
