/*
 * The kernel RPCs on address spaces (mach.defs vm_*): the kserver_*
 * routines of MIG's stubs, over vm/map.c (regions) and vm/fault.c
 * (pages).  vm_map_t is the task (server/mig_kernel.h), referenced for
 * the call.  Out-of-line data comes and goes as struct ool regions
 * (ipc/ool.h): vm_read returns a copy, vm_write consumes its region on
 * success.
 */
#include "server/mig_kernel.h"

#include <mach/vm_statistics.h>

#include "ipc/ool.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "task/task.h"
#include "vm/fault.h"
#include "vm/object.h"
#include "vm/map.h"

#define PG_MASK (PAGE_SIZE - 1)

/* Whether [ADDR, ADDR + SIZE) wraps or leaves user space. */
static bool range_bad(uint64_t addr, uint64_t size)
{
	return addr + size < addr || addr + size > VM_MAP_USER_MAX;
}

kern_return_t kserver_vm_map(vm_map_t task, vm_address_t *address,
                             vm_size_t size, vm_address_t mask,
                             boolean_t anywhere, ipc_port_t memory_object,
                             vm_offset_t offset, boolean_t copy, vm_prot_t cur,
                             vm_prot_t max, vm_inherit_t inh)
{
	vaddr_t addr;
	kern_return_t kr;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_ARGUMENT;
	if (IP_VALID(memory_object))
		return KERN_INVALID_ARGUMENT; /* memory objects: the VM issue */
	if (size == 0)
		return KERN_SUCCESS;
	if (range_bad(anywhere ? 0 : *address, size))
		return anywhere ? KERN_NO_SPACE : KERN_INVALID_ADDRESS;
	addr = anywhere ? vm_user_anywhere_start(task->map) : *address;
	kr = vm_map_enter(task->map, &addr, size, mask, anywhere,
	                  cur & VM_PROT_ALL, max & VM_PROT_ALL, inh);
	if (kr == KERN_SUCCESS)
		*address = addr;
	return kr;
}

kern_return_t kserver_vm_allocate(vm_map_t task, vm_address_t *address,
                                  vm_size_t size, boolean_t anywhere)
{
	return kserver_vm_map(task, address, size, 0, anywhere, IP_NULL, 0,
	                      FALSE, VM_PROT_DEFAULT, VM_PROT_ALL,
	                      VM_INHERIT_DEFAULT);
}

/* Clip [ADDR, ADDR + SIZE) to user space; false if nothing is left. */
static bool clip_user(uint64_t *addr, uint64_t *size)
{
	uint64_t end = *addr + *size;

	if (end < *addr)
		end = VM_MAP_USER_MAX;
	if (end > VM_MAP_USER_MAX)
		end = VM_MAP_USER_MAX;
	if (*addr >= end)
		return false;
	*size = end - *addr;
	return true;
}

kern_return_t kserver_vm_deallocate(vm_map_t task, vm_address_t address,
                                    vm_size_t size)
{
	uint64_t a = address, s = size;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_ARGUMENT;
	if (s == 0 || !clip_user(&a, &s))
		return KERN_SUCCESS;
	return vm_map_remove(task->map, a, a + s);
}

kern_return_t kserver_vm_protect(vm_map_t task, vm_address_t address,
                                 vm_size_t size, boolean_t set_max,
                                 vm_prot_t prot)
{
	uint64_t a = address, s = size;
	kern_return_t kr;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_ARGUMENT;
	if (s == 0 || !clip_user(&a, &s))
		return KERN_SUCCESS;
	kr = vm_map_protect(task->map, a, a + s, set_max, prot & VM_PROT_ALL);
	return kr == KERN_INVALID_ADDRESS ? KERN_SUCCESS : kr;
}

kern_return_t kserver_vm_inherit(vm_map_t task, vm_address_t address,
                                 vm_size_t size, vm_inherit_t inh)
{
	uint64_t a = address, s = size;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_ARGUMENT;
	if (inh > VM_INHERIT_NONE)
		return KERN_INVALID_ARGUMENT;
	if (s == 0 || !clip_user(&a, &s))
		return KERN_SUCCESS;
	return vm_map_inherit(task->map, a, a + s, inh);
}

/* A kernel buffer of SIZE bytes (freed with buffer_free). */
static void *buffer_alloc(uint64_t size, unsigned *order)
{
	*order = 0;
	while ((PAGE_SIZE << *order) < size)
		(*order)++;
	return page_alloc_va(*order);
}

static void buffer_free(void *buf, unsigned order)
{
	page_free_va(buf, order);
}

kern_return_t kserver_vm_read(vm_map_t task, vm_address_t address,
                              vm_size_t size, vm_offset_t *data,
                              mach_msg_type_number_t *count)
{
	struct ool *ool = NULL;
	unsigned order;
	void *buf;
	kern_return_t kr;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_ARGUMENT;
	if (size == 0) {
		*data = 0;
		*count = 0;
		return KERN_SUCCESS;
	}
	if (range_bad(address, size))
		return KERN_INVALID_ADDRESS;
	if (size > OOL_SIZE_MAX)
		return KERN_RESOURCE_SHORTAGE;
	buf = buffer_alloc(size, &order);
	if (buf == NULL)
		return KERN_RESOURCE_SHORTAGE;
	kr = vm_user_copy(task->map, task->pmap, address, NULL, NULL,
	                  (vaddr_t)buf, size, false);
	if (kr == KERN_SUCCESS &&
	    ool_from_kernel(buf, size, &ool) != MACH_MSG_SUCCESS)
		kr = KERN_RESOURCE_SHORTAGE;
	buffer_free(buf, order);
	if (kr != KERN_SUCCESS)
		return kr;
	*data = (vm_offset_t)ool;
	*count = (mach_msg_type_number_t)size;
	return KERN_SUCCESS;
}

kern_return_t kserver_vm_write(vm_map_t task, vm_address_t address,
                               vm_offset_t data, mach_msg_type_number_t count)
{
	struct ool *ool = (struct ool *)data;
	unsigned order;
	void *buf;
	kern_return_t kr;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_ARGUMENT;
	if (address & PG_MASK)
		return KERN_INVALID_ARGUMENT;
	if (count == 0 || ool == NULL) {
		if (ool)
			ool_discard(ool);
		return KERN_SUCCESS;
	}
	if (range_bad(address, count))
		return KERN_INVALID_ADDRESS;
	buf = buffer_alloc(count, &order);
	if (buf == NULL)
		return KERN_RESOURCE_SHORTAGE;
	ool_read(ool, 0, buf, count);
	kr = vm_user_copy(NULL, NULL, (vaddr_t)buf, task->map, task->pmap,
	                  address, count, false);
	buffer_free(buf, order);
	if (kr == KERN_SUCCESS)
		ool_discard(ool);
	return kr;
}

kern_return_t kserver_vm_copy(vm_map_t task, vm_address_t src, vm_size_t size,
                              vm_address_t dst)
{
	unsigned order;
	void *buf;
	kern_return_t kr;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_ARGUMENT;
	if (size == 0)
		return KERN_SUCCESS;
	if (range_bad(src, size) || range_bad(dst, size))
		return KERN_INVALID_ADDRESS;
	if (size > OOL_SIZE_MAX)
		return KERN_RESOURCE_SHORTAGE;
	buf = buffer_alloc(size, &order);
	if (buf == NULL)
		return KERN_RESOURCE_SHORTAGE;
	kr = vm_user_copy(task->map, task->pmap, src, NULL, NULL, (vaddr_t)buf,
	                  size, false);
	if (kr == KERN_SUCCESS)
		kr = vm_user_copy(NULL, NULL, (vaddr_t)buf, task->map,
		                  task->pmap, dst, size, false);
	buffer_free(buf, order);
	return kr;
}

kern_return_t kserver_vm_region(vm_map_t task, vm_address_t *address,
                                vm_size_t *size, vm_prot_t *protection,
                                vm_prot_t *max_protection,
                                vm_inherit_t *inheritance, boolean_t *is_shared,
                                ipc_port_t *object_name, vm_offset_t *offset)
{
	uint64_t addr = *address, sz, off;
	bool shared;
	kern_return_t kr;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_ARGUMENT;
	kr = vm_map_region(task->map, &addr, &sz, protection, max_protection,
	                   inheritance, &shared, &off);
	if (kr != KERN_SUCCESS)
		return kr;
	*address = addr;
	*size = sz;
	*is_shared = shared;
	*object_name = IP_NULL;
	*offset = off;
	return KERN_SUCCESS;
}

kern_return_t kserver_vm_statistics(vm_map_t task, vm_statistics_data_t *st)
{
	struct page_alloc_stats ps;

	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	page_alloc_get_stats(&ps);
	memset(st, 0, sizeof(*st));
	st->pagesize = PAGE_SIZE;
	st->free_count = (integer_t)ps.free_pages;
	/* User pages are active; the kernel's own are wired. */
	st->active_count = (integer_t)vm_object_stats.pages;
	st->wire_count =
	    (integer_t)(ps.allocated_pages - vm_object_stats.pages);
	st->faults = (integer_t)vm_fault_stats.faults;
	st->zero_fill_count = (integer_t)vm_fault_stats.zero_fills;
	st->cow_faults = (integer_t)vm_fault_stats.cow_faults;
	return KERN_SUCCESS;
}
