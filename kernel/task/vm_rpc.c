/*
 * The kernel RPCs on address spaces (mach.defs vm_*): the kserver_*
 * routines of MIG's stubs, over vm/map.c (regions) and vm/fault.c
 * (pages).  vm_map_t is the task (server/mig_kernel.h), referenced for
 * the call.  Out-of-line data comes and goes as struct ool regions
 * (ipc/ool.h): vm_read returns a virtual copy (vm/copy.h), vm_write
 * consumes its region on success.
 */
#include "server/kobjects.h"
#include "server/mig_kernel.h"

#include <mach/vm_statistics.h>

#include "ipc/ool.h"
#include "ipc/port.h"
#include <mach/memory_object.h>
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "task/pageout.h"
#include "task/pager.h"
#include "task/task.h"
#include "vm/copy.h"
#include "vm/fault.h"
#include "vm/object.h"
#include "vm/pager.h"
#include "vm/map.h"
#include "vm/wire.h"

#define PG_MASK (PAGE_SIZE - 1)

/* Whether [ADDR, ADDR + SIZE) wraps or leaves user space. */
static bool range_bad(uint64_t addr, uint64_t size)
{
	return addr + size < addr || addr + size > VM_MAP_USER_MAX;
}

/*
 * vm_map(copy=TRUE) by the object's copy strategy: CALL asks the pager
 * for a new object (memory_object_copy); NONE copies now, reading every
 * page in; DELAY (and TEMPORARY) keep *OBJ, mapped copy-on-write.  *OBJ
 * (referenced) is replaced by the object to map.
 */
static kern_return_t copy_of(struct vm_object **obj, vm_offset_t offset,
                             vm_size_t size)
{
	struct vm_object *copy;
	kern_return_t kr;

	switch ((*obj)->pager->copy_strategy) {
	case MEMORY_OBJECT_COPY_CALL:
		kr = pager_copy_call(*obj, offset, size, &copy);
		break;
	case MEMORY_OBJECT_COPY_NONE:
		kr = vm_fault_object_range(*obj, offset, size);
		copy = NULL;
		if (kr == KERN_SUCCESS) {
			copy = vm_object_copy_now(*obj, offset, size);
			kr = copy ? KERN_SUCCESS : KERN_RESOURCE_SHORTAGE;
		}
		break;
	default:
		return KERN_SUCCESS;
	}
	vm_object_release(*obj);
	*obj = copy;
	return kr;
}

/*
 * vm_map of a kernel memory object (the time device's, whose port's
 * kobject is its VM object, which lives for ever): OBJ itself, so that
 * every mapping shows the kernel's page; copy-on-write when the mapping
 * could ever write, so that nothing writes the kernel's page; a copy of
 * it for COPY; and through a private shadow when the range runs past
 * OBJ, so that faults there never add pages to OBJ.
 */
static kern_return_t map_kernel_object(struct task *task, vaddr_t *addr,
                                       vm_size_t size, vm_address_t mask,
                                       bool anywhere, struct vm_object *obj,
                                       vm_offset_t offset, bool copy,
                                       vm_prot_t cur, vm_prot_t max,
                                       vm_inherit_t inh)
{
	uint64_t span = (size + PG_MASK) & ~(uint64_t)PG_MASK;
	struct vm_object *o = obj;
	bool cow = false;
	kern_return_t kr;

	offset &= ~(vm_offset_t)PG_MASK;
	if (offset > UINT64_MAX - span)
		return KERN_INVALID_ARGUMENT;
	vm_object_reference(obj);
	if (copy)
		o = vm_object_copy_now(obj, offset, span);
	else if (offset + span > obj->size)
		o = vm_object_shadow(obj, offset, span);
	else
		cow = (max & VM_PROT_WRITE) != 0;
	if (o == NULL) {
		vm_object_release(obj);
		return KERN_RESOURCE_SHORTAGE;
	}
	if (o != obj) {
		if (copy)
			vm_object_release(obj);
		offset = 0; /* the new object starts at OFFSET of OBJ */
	}
	kr = vm_map_enter_object(task->map, addr, size, mask, anywhere, o,
	                         offset, cow, cur, max, inh);
	if (kr != KERN_SUCCESS) {
		vm_object_release(o);
		return kr;
	}
	vm_map_mark_device(task->map, *addr);
	return KERN_SUCCESS;
}

/* vm_map of the memory object PORT (MIG's stub releases the request's
 * send right after a success: the object keeps one of its own). */
static kern_return_t map_memory_object(struct task *task, vaddr_t *addr,
                                       vm_size_t size, vm_address_t mask,
                                       bool anywhere, ipc_port_t port,
                                       vm_offset_t offset, bool copy,
                                       vm_prot_t cur, vm_prot_t max,
                                       vm_inherit_t inh)
{
	struct vm_object *obj;
	kern_return_t kr;

	if (size == 0)
		return KERN_INVALID_ARGUMENT;
	obj = kserver_kobject(port, KOBJECT_MEMORY_OBJECT);
	if (obj != NULL)
		return map_kernel_object(task, addr, size, mask, anywhere, obj,
		                         offset, copy, cur, max, inh);
	/* GNU Mach: a kernel object's port (a task's, a device's ...) is
	 * no memory object. */
	if (port_is_kobject(port))
		return KERN_INVALID_ARGUMENT;
	kr = pager_object_for_port(port, &obj);
	if (kr != KERN_SUCCESS)
		return kr;
	if (copy) {
		kr = copy_of(&obj, offset, size);
		if (kr != KERN_SUCCESS)
			return kr;
		if (obj->pager == NULL) {
			offset = 0; /* a new anonymous object, just for us */
			copy = false;
		}
	}
	kr = vm_map_enter_object(task->map, addr, size, mask, anywhere, obj,
	                         offset, copy, cur, max, inh);
	if (kr != KERN_SUCCESS)
		vm_object_release(obj);
	return kr;
}

/* Where vm_map/vm_allocate(anywhere) search from: address 0 in an empty
 * space, as on GNU Mach; else above the program (vm_user_anywhere_start,
 * which the message layer's copyouts keep using: they never land at 0). */
static vaddr_t user_anywhere_start(struct vm_map *map)
{
	vaddr_t addr = 0;
	uint64_t size, off;
	vm_prot_t p, m;
	vm_inherit_t inh;
	bool shared;

	if (vm_map_region(map, &addr, &size, &p, &m, &inh, &shared, &off) !=
	    KERN_SUCCESS)
		return 0;
	return vm_user_anywhere_start(map);
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
	if (IP_VALID(memory_object) && size == 0)
		return KERN_INVALID_ARGUMENT;
	if (size == 0)
		return KERN_SUCCESS;
	if (size > UINT64_MAX - PG_MASK)
		return KERN_INVALID_ARGUMENT; /* GNU Mach: rounding overflows */
	if (range_bad(anywhere ? 0 : *address, size))
		return anywhere ? KERN_NO_SPACE : KERN_INVALID_ADDRESS;
	addr = anywhere ? user_anywhere_start(task->map) : *address;
	if (IP_VALID(memory_object))
		kr = map_memory_object(
		    task, &addr, size, mask, anywhere, memory_object, offset,
		    copy, cur & VM_PROT_ALL, max & VM_PROT_ALL, inh);
	else
		kr = vm_map_enter(task->map, &addr, size, mask, anywhere,
		                  cur & VM_PROT_ALL, max & VM_PROT_ALL, inh);
	if (kr == KERN_SUCCESS)
		kr = vm_wire_new_region(task->map, task->pmap, addr,
		                        addr + ((size + PG_MASK) & ~PG_MASK));
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

kern_return_t kserver_vm_read(vm_map_t task, vm_address_t address,
                              vm_size_t size, vm_offset_t *data,
                              mach_msg_type_number_t *count)
{
	struct vm_map_copy *copy;
	struct ool *ool;
	kern_return_t kr;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_ARGUMENT;
	if (size == 0) {
		*data = 0;
		*count = 0;
		return KERN_SUCCESS;
	}
	if (range_bad(address, size) || size > UINT32_MAX)
		return KERN_INVALID_ADDRESS;
	/* A virtual copy: the data keeps its offset within the page. */
	kr = vm_map_copyin(task->map, address, size, false, &copy);
	if (kr != KERN_SUCCESS)
		return kr;
	if (ool_from_copy(copy, &ool) != MACH_MSG_SUCCESS) {
		vm_map_copy_discard(copy);
		return KERN_RESOURCE_SHORTAGE;
	}
	*data = (vm_offset_t)ool;
	*count = (mach_msg_type_number_t)size;
	return KERN_SUCCESS;
}

/* Where write_pages reads the bytes it writes. */
typedef kern_return_t (*read_fn)(const void *src, uint64_t off, void *buf,
                                 uint64_t len);

static kern_return_t read_ool(const void *src, uint64_t off, void *buf,
                              uint64_t len)
{
	return ool_read(src, off, buf, len);
}

static kern_return_t read_copy(const void *src, uint64_t off, void *buf,
                               uint64_t len)
{
	return vm_map_copy_read(src, off, buf, len);
}

/*
 * Write SIZE bytes read from SRC by READ to DST of TASK (page aligned),
 * a page at a time through a bounce page, after checking that the whole
 * destination is mapped and writable (GNU Mach writes nothing then).
 * Returns KERN_SUCCESS, KERN_INVALID_ADDRESS, KERN_PROTECTION_FAILURE,
 *   KERN_RESOURCE_SHORTAGE, or READ's errors (KERN_MEMORY_ERROR,
 *   KERN_ABORTED).
 */
static kern_return_t write_pages(struct task *task, vaddr_t dst, uint64_t size,
                                 read_fn read, const void *src)
{
	kern_return_t kr;
	char *bounce;

	kr = vm_map_check_access(task->map, dst, dst + size, VM_PROT_WRITE);
	if (kr != KERN_SUCCESS)
		return kr;
	bounce = page_alloc_va(0);
	if (bounce == NULL)
		return KERN_RESOURCE_SHORTAGE;
	for (uint64_t done = 0; done < size && kr == KERN_SUCCESS;
	     done += PAGE_SIZE) {
		uint64_t n = size - done < PAGE_SIZE ? size - done : PAGE_SIZE;

		kr = read(src, done, bounce, n);
		if (kr == KERN_SUCCESS)
			kr =
			    vm_user_copy(NULL, NULL, (vaddr_t)bounce, task->map,
			                 task->pmap, dst + done, n, false);
	}
	page_free_va(bounce, 0);
	return kr;
}

kern_return_t kserver_vm_write(vm_map_t task, vm_address_t address,
                               vm_offset_t data, mach_msg_type_number_t count)
{
	struct ool *ool = (struct ool *)data;
	kern_return_t kr;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_ARGUMENT;
	if ((address & PG_MASK) || (count & PG_MASK))
		return KERN_INVALID_ARGUMENT;
	if (count == 0 || ool == NULL) {
		if (ool)
			ool_discard(ool);
		return KERN_SUCCESS;
	}
	if (ool_page_offset(ool) != 0)
		return KERN_INVALID_ARGUMENT; /* the data must be page aligned
		                               */
	if (range_bad(address, count) || count > ool_size(ool))
		return KERN_INVALID_ADDRESS;
	kr = write_pages(task, address, count, read_ool, ool);
	if (kr == KERN_SUCCESS)
		ool_discard(ool);
	return kr;
}

kern_return_t kserver_vm_copy(vm_map_t task, vm_address_t src, vm_size_t size,
                              vm_address_t dst)
{
	struct vm_map_copy *copy;
	kern_return_t kr;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_ARGUMENT;
	if ((src & PG_MASK) || (dst & PG_MASK) || (size & PG_MASK))
		return KERN_INVALID_ARGUMENT;
	if (size == 0)
		return KERN_SUCCESS;
	if (range_bad(src, size) || range_bad(dst, size))
		return KERN_INVALID_ADDRESS;
	kr = vm_map_check_access(task->map, dst, dst + size, VM_PROT_WRITE);
	if (kr != KERN_SUCCESS)
		return kr;
	/* A snapshot of the source first: overlapping ranges copy as
	 * memmove does. */
	kr = vm_map_copyin(task->map, src, size, false, &copy);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = write_pages(task, dst, size, read_copy, copy);
	vm_map_copy_discard(copy);
	return kr;
}

kern_return_t kserver_vm_region(vm_map_t task, vm_address_t *address,
                                vm_size_t *size, vm_prot_t *protection,
                                vm_prot_t *max_protection,
                                vm_inherit_t *inheritance, boolean_t *is_shared,
                                ipc_port_t *object_name, vm_offset_t *offset)
{
	uint64_t addr = *address, sz, off;
	struct vm_object *obj;
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
	obj = vm_map_region_object(task->map, addr);
	if (obj != NULL) {
		*object_name = object_name_port(obj);
		vm_object_release(obj);
	}
	*offset = off;
	return KERN_SUCCESS;
}

kern_return_t kserver_vm_statistics(vm_map_t task, vm_statistics_data_t *st)
{
	static uint64_t kernel_pages; /* set once, a word: no lock needed */
	struct page_alloc_stats ps;
	uint64_t wired;

	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	page_alloc_get_stats(&ps);
	memset(st, 0, sizeof(*st));
	st->pagesize = PAGE_SIZE;
	st->free_count = (integer_t)ps.free_pages;
	/* User pages are active, or wired by vm_wire & co; the kernel's
	 * own count as wired, as they were when first asked (a fixed
	 * figure, so that the wired count moves with wiring alone). */
	wired = __atomic_load_n(&vm_map_wired_total, __ATOMIC_RELAXED);
	if (kernel_pages == 0)
		kernel_pages = ps.allocated_pages - vm_object_stats.pages;
	st->active_count = (integer_t)(vm_object_stats.pages > wired
	                                   ? vm_object_stats.pages - wired
	                                   : 0);
	st->wire_count = (integer_t)(kernel_pages + wired);
	st->faults = (integer_t)vm_fault_stats.faults;
	st->zero_fill_count = (integer_t)vm_fault_stats.zero_fills;
	st->cow_faults = (integer_t)vm_fault_stats.cow_faults;
	st->pageins = (integer_t)vm_pageout_stats.pageins;
	st->pageouts = (integer_t)vm_pageout_stats.pageouts;
	return KERN_SUCCESS;
}
