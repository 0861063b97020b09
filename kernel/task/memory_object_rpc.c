/*
 * The pager's calls on a memory object's control port (mach.defs
 * memory_object_*: ready, attributes, data_supply, data_unavailable,
 * data_error, lock_request, destroy), served as kernel RPCs
 * (kserver_memory_object_*).  The kernel's own side of the protocol is
 * pager_rpc.c; task/kpager.h is what they share.
 */
#include "server/mig_kernel.h"

#include <mach/memory_object.h>
#include <mach/notify.h>

#include "ipc/kmsg.h"
#include "ipc/mqueue.h"
#include "ipc/ool.h"
#include "ipc/port.h"
#include "ipc/right.h"
#include "ipc/space.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "memory_object_default_user.h"
#include "memory_object_user.h"
#include "server/kobjects.h"
#include "server/kserver.h"
#include "task/pageout.h"
#include "task/kpager.h"
#include "task/pager.h"
#include "task/task.h"
#include "vm/fault.h"
#include "vm/map.h"
#include "vm/object.h"
#include "vm/pager.h"

#define PG_MASK ((uint64_t)PAGE_SIZE - 1)

/* OBJ has a pager and SIZE is whole pages (the offset need not be
 * aligned: the object's pages are where its mappings put them). */
static kern_return_t check_range(vm_object_t obj, vm_offset_t offset,
                                 vm_size_t size)
{
	if (obj == NULL || obj->pager == NULL)
		return KERN_INVALID_ARGUMENT;
	if ((size & PG_MASK) || offset + size < offset)
		return KERN_INVALID_ARGUMENT;
	return KERN_SUCCESS;
}

/* GNU Mach: an unknown copy strategy leaves the object's as it was. */
static void set_strategy(struct vm_object *obj,
                         memory_object_copy_strategy_t cs)
{
	if (cs >= MEMORY_OBJECT_COPY_NONE && cs <= MEMORY_OBJECT_COPY_TEMPORARY)
		obj->pager->copy_strategy = cs;
}

static kern_return_t object_ready(vm_object_t obj, boolean_t may_cache,
                                  memory_object_copy_strategy_t cs)
{
	unsigned long f;

	if (obj == NULL || obj->pager == NULL)
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&obj->lock);
	obj->pager->ready = true;
	obj->pager->may_cache = may_cache != 0;
	set_strategy(obj, cs);
	spin_unlock(&obj->lock, f);
	kpager_set_cached(obj, may_cache != 0);
	kpager_wake(obj);
	return KERN_SUCCESS;
}

static kern_return_t object_get_attributes(vm_object_t obj, boolean_t *ready,
                                           boolean_t *may_cache,
                                           memory_object_copy_strategy_t *cs)
{
	if (obj == NULL || obj->pager == NULL)
		return KERN_INVALID_ARGUMENT;
	*ready = obj->pager->ready;
	*may_cache = obj->pager->may_cache;
	*cs = obj->pager->copy_strategy;
	return KERN_SUCCESS;
}

static kern_return_t object_change_attributes(vm_object_t obj,
                                              boolean_t may_cache,
                                              memory_object_copy_strategy_t cs,
                                              ipc_port_t reply_to,
                                              mach_msg_type_name_t reply_poly)
{
	if (obj == NULL || obj->pager == NULL)
		return KERN_INVALID_ARGUMENT;
	/* GNU Mach: a change of attributes makes the object ready too. */
	obj->pager->ready = true;
	obj->pager->may_cache = may_cache != 0;
	set_strategy(obj, cs);
	kpager_set_cached(obj, may_cache != 0);
	kpager_wake(obj);
	if (IP_VALID(reply_to))
		(void)memory_object_change_completed(reply_to, reply_poly,
		                                     may_cache, cs);
	return KERN_SUCCESS;
}

/* A page for supplied data: memory may be short (the pager answers
 * while the pageout daemon makes room), so wait for it a while. */
static struct page *page_for_supply(void)
{
	struct page *pg = page_alloc(0);

	for (unsigned i = 0; pg == NULL && i < 100 && vm_fault_memory_wait &&
	                     vm_fault_memory_wait(true);
	     i++)
		pg = page_alloc(0);
	return pg;
}

/* The data for [OFFSET, OFFSET + SIZE) of OBJ could not be kept: the
 * faults waiting for it must ask again (the pager still has it). */
static void unask(struct vm_object *obj, uint64_t offset, uint64_t size)
{
	unsigned long f = spin_lock(&obj->lock);

	for (uint64_t off = offset; off < offset + size; off += PAGE_SIZE) {
		struct vm_object_page *r = vm_object_record(obj, off, false);

		if (r == NULL || r->state != VM_PAGE_ABSENT)
			continue;
		if (obj->pager->internal)
			vm_object_record_set_state(obj, r, VM_PAGE_PAGED_OUT);
		else
			vm_object_record_remove(obj, r);
	}
	spin_unlock(&obj->lock, f);
	kpager_wake(obj);
}

static kern_return_t object_data_supply(vm_object_t obj, vm_offset_t offset,
                                        vm_offset_t data,
                                        mach_msg_type_number_t count,
                                        vm_prot_t lock_value,
                                        boolean_t precious, ipc_port_t reply_to,
                                        mach_msg_type_name_t reply_poly)
{
	struct ool *ool = (struct ool *)data;
	kern_return_t result = KERN_SUCCESS, kr;
	uint64_t error_offset = 0;

	kr = check_range(obj, offset, count);
	if (kr != KERN_SUCCESS || ool == NULL || ool_size(ool) < count)
		return kr != KERN_SUCCESS ? kr : KERN_INVALID_ARGUMENT;
	for (uint64_t done = 0; done < count; done += PAGE_SIZE) {
		struct page *pg = page_for_supply();
		struct vm_object_page *r;
		unsigned long f;

		kern_return_t rkr = KERN_RESOURCE_SHORTAGE;

		/* The pager's data may itself be paged out: reading it in
		 * can fail (its own pager's error, an abort). */
		if (pg == NULL || (rkr = ool_read(ool, done, page_to_virt(pg),
		                                  PAGE_SIZE)) != KERN_SUCCESS) {
			if (pg != NULL)
				page_free(pg, 0);
			result = rkr;
			error_offset = offset + done;
			unask(obj, offset + done, count - done);
			break;
		}
		f = spin_lock(&obj->lock);
		r = vm_object_record(obj, offset + done, true);
		if (r == NULL || r->page != NULL) {
			/* Already there: the old contents stay. */
			spin_unlock(&obj->lock, f);
			page_free(pg, 0);
			if (result == KERN_SUCCESS) {
				result = r == NULL ? KERN_RESOURCE_SHORTAGE
				                   : KERN_MEMORY_PRESENT;
				error_offset = offset + done;
			}
			continue;
		}
		vm_object_record_fill(obj, r, pg);
		r->lock = (uint8_t)(lock_value & VM_PROT_ALL);
		r->precious = precious != 0;
		r->dirty = false;
		spin_unlock(&obj->lock, f);
	}
	kpager_wake(obj);
	if (IP_VALID(reply_to))
		(void)memory_object_supply_completed(
		    reply_to, reply_poly, kpager_of(obj)->control, offset,
		    count, result, error_offset);
	ool_discard(ool);
	return KERN_SUCCESS;
}

/* Give the absent records of [OFFSET, OFFSET + SIZE) of OBJ zero pages
 * (ZERO) or the error CODE. */
static kern_return_t answer_absent(vm_object_t obj, vm_offset_t offset,
                                   vm_size_t size, bool zero,
                                   kern_return_t code)
{
	kern_return_t kr = check_range(obj, offset, size);

	if (kr != KERN_SUCCESS)
		return kr;
	for (uint64_t done = 0; done < size; done += PAGE_SIZE) {
		struct page *pg = zero ? page_alloc(0) : NULL;
		struct vm_object_page *r;
		unsigned long f;

		if (zero && pg == NULL)
			break;
		if (pg != NULL)
			memset(page_to_virt(pg), 0, PAGE_SIZE);
		f = spin_lock(&obj->lock);
		r = vm_object_record(obj, offset + done, false);
		if (r != NULL && r->state == VM_PAGE_ABSENT) {
			if (zero) {
				vm_object_record_fill(obj, r, pg);
				pg = NULL;
			} else {
				vm_object_record_set_state(obj, r,
				                           VM_PAGE_ERROR);
				r->error = code;
			}
		}
		spin_unlock(&obj->lock, f);
		if (pg != NULL)
			page_free(pg, 0);
	}
	kpager_wake(obj);
	return KERN_SUCCESS;
}

static kern_return_t object_data_unavailable(vm_object_t obj,
                                             vm_offset_t offset, vm_size_t size)
{
	return answer_absent(obj, offset, size, true, KERN_SUCCESS);
}

static kern_return_t object_data_error(vm_object_t obj, vm_offset_t offset,
                                       vm_size_t size,
                                       kern_return_t error_value)
{
	return answer_absent(obj, offset, size, false, error_value);
}

static kern_return_t
object_lock_request(vm_object_t obj, vm_offset_t offset, vm_size_t size,
                    memory_object_return_t should_return,
                    boolean_t should_flush, vm_prot_t lock_value,
                    ipc_port_t reply_to, mach_msg_type_name_t reply_poly)
{
	struct kpager *kp;
	struct return_run run = {0};
	uint64_t at = offset, end;
	kern_return_t kr = check_range(obj, offset, size);

	if (kr != KERN_SUCCESS)
		return kr;
	/* GNU Mach: a lock value beyond VM_PROT_ALL is refused (the reply
	 * right then dies unused: a send-once notification). */
	if (lock_value & ~VM_PROT_ALL)
		return KERN_INVALID_ARGUMENT;
	kp = kpager_of(obj);
	end = offset + size;
	run.buf = page_alloc_va(4);
	if (run.buf == NULL)
		return KERN_RESOURCE_SHORTAGE;
	/* A run at a time: gathered under the object's lock, sent after. */
	while (at < end) {
		unsigned long f = spin_lock(&obj->lock);
		struct vm_object_page *r, *next;
		vm_prot_t keep = VM_PROT_ALL;

		/* Stop every writer first: the returned data and the dirty
		 * flags must agree; flushing removes the translations. */
		if (should_flush)
			keep = VM_PROT_NONE;
		else if (should_return != MEMORY_OBJECT_RETURN_NONE ||
		         (lock_value & VM_PROT_WRITE))
			keep = VM_PROT_READ | VM_PROT_EXECUTE;
		if (lock_value & VM_PROT_READ)
			keep = VM_PROT_NONE;
		if (keep != VM_PROT_ALL)
			vm_map_object_protect(obj, at, end, keep);
		for (r = vm_object_record_ceil(obj, at);
		     r != NULL && r->offset < end; r = next) {
			bool give =
			    r->page != NULL &&
			    ((should_return != MEMORY_OBJECT_RETURN_NONE &&
			      r->dirty) ||
			     (should_return == MEMORY_OBJECT_RETURN_ALL &&
			      r->precious));

			next = vm_object_record_next(r);
			at = r->offset + PAGE_SIZE;
			if (give) {
				if (!kpager_run_fits(&run, r)) {
					at = r->offset;
					break; /* send this run first */
				}
				kpager_run_add(&run, r);
				r->dirty = false;
			}
			if (r->page != NULL) {
				/* A waiting fault looks at the new lock again
				 * (and asks again if it still withholds). */
				r->lock = (uint8_t)lock_value;
				if (r->state == VM_PAGE_UNLOCKING)
					vm_object_record_set_state(
					    obj, r, VM_PAGE_RESIDENT);
			}
			if (should_flush && r->state != VM_PAGE_ABSENT)
				vm_object_record_remove(obj, r);
		}
		if (r == NULL || r->offset >= end)
			at = end;
		spin_unlock(&obj->lock, f);
		kpager_run_flush(kp, &run, true);
	}
	page_free_va(run.buf, 4);
	kpager_wake(obj);
	if (IP_VALID(reply_to))
		(void)memory_object_lock_completed(reply_to, reply_poly,
		                                   kp->control, offset, size);
	return KERN_SUCCESS;
}

static kern_return_t object_destroy(vm_object_t obj, kern_return_t reason)
{
	struct kpager *kp;

	if (obj == NULL || obj->pager == NULL)
		return KERN_INVALID_ARGUMENT;
	kp = kpager_of(obj);
	kpager_cut_off(obj);
	kpager_unwatch_death(kp);
	if (!kp->terminated) {
		kp->terminated = true;
		(void)memory_object_terminate(kp->port,
		                              kpager_take_receive(&kp->control),
		                              kpager_take_receive(&kp->name));
		kp->port = NULL;
	}
	kpager_set_cached(obj, false);
	kpager_wake(obj);
	return KERN_SUCCESS;
}

/*
 * The routines MIG's stubs call: the control port's object comes
 * referenced (vm_object_lookup) and GNU Mach's stubs have no destructor
 * for it, so each routine lets go of it.
 */

kern_return_t kserver_memory_object_ready(vm_object_t obj, boolean_t may_cache,
                                          memory_object_copy_strategy_t cs)
{
	kern_return_t kr = object_ready(obj, may_cache, cs);

	vm_object_deallocate(obj);
	return kr;
}

kern_return_t
kserver_memory_object_get_attributes(vm_object_t obj, boolean_t *ready,
                                     boolean_t *may_cache,
                                     memory_object_copy_strategy_t *cs)
{
	kern_return_t kr = object_get_attributes(obj, ready, may_cache, cs);

	vm_object_deallocate(obj);
	return kr;
}

kern_return_t kserver_memory_object_change_attributes(
    vm_object_t obj, boolean_t may_cache, memory_object_copy_strategy_t cs,
    ipc_port_t reply_to, mach_msg_type_name_t reply_poly)
{
	kern_return_t kr =
	    object_change_attributes(obj, may_cache, cs, reply_to, reply_poly);

	vm_object_deallocate(obj);
	return kr;
}

kern_return_t kserver_memory_object_data_supply(
    vm_object_t obj, vm_offset_t offset, vm_offset_t data,
    mach_msg_type_number_t count, vm_prot_t lock_value, boolean_t precious,
    ipc_port_t reply_to, mach_msg_type_name_t reply_poly)
{
	kern_return_t kr =
	    object_data_supply(obj, offset, data, count, lock_value, precious,
	                       reply_to, reply_poly);

	vm_object_deallocate(obj);
	return kr;
}

kern_return_t kserver_memory_object_data_unavailable(vm_object_t obj,
                                                     vm_offset_t offset,
                                                     vm_size_t size)
{
	kern_return_t kr = object_data_unavailable(obj, offset, size);

	vm_object_deallocate(obj);
	return kr;
}

kern_return_t kserver_memory_object_data_error(vm_object_t obj,
                                               vm_offset_t offset,
                                               vm_size_t size,
                                               kern_return_t error_value)
{
	kern_return_t kr = object_data_error(obj, offset, size, error_value);

	vm_object_deallocate(obj);
	return kr;
}

kern_return_t kserver_memory_object_lock_request(
    vm_object_t obj, vm_offset_t offset, vm_size_t size,
    memory_object_return_t should_return, boolean_t should_flush,
    vm_prot_t lock_value, ipc_port_t reply_to, mach_msg_type_name_t reply_poly)
{
	kern_return_t kr =
	    object_lock_request(obj, offset, size, should_return, should_flush,
	                        lock_value, reply_to, reply_poly);

	vm_object_deallocate(obj);
	return kr;
}

kern_return_t kserver_memory_object_destroy(vm_object_t obj,
                                            kern_return_t reason)
{
	kern_return_t kr = object_destroy(obj, reason);

	vm_object_deallocate(obj);
	return kr;
}
