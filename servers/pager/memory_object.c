/*
 * servers/pager/memory_object.c — the default pager's side of the
 * external memory management protocol: what MIG's server stubs for
 * memory_object.defs and memory_object_default.defs call when the kernel
 * creates a temporary object, initializes or terminates one, asks for a
 * page or hands one back.
 *
 * Every routine here consumes what its message carried (port rights, out
 * of line data) and returns KERN_SUCCESS, even for a request it refuses
 * (logged): the kernel sends these as simpleroutines and waits for no
 * reply, and a bad request must not cost the pager a right or a page.
 * The control port of most requests comes with a new send right
 * (MACH_MSG_TYPE_MAKE_SEND in the .defs); the object keeps the one from
 * init or create, the others are released here.
 *
 * What GNU Mach sends, as seen with --trace (tests/system/pager.sh's
 * modules): for anonymous memory, memory_object_create on the default
 * port at the object's first pageout (the size is the whole VM object;
 * no memory_object_init, no ready expected), then data_return one page at
 * a time (dirty, not kernel_copy), data_request of one page (access READ,
 * or READ|WRITE for a write fault) to page it back in, and
 * memory_object_terminate when the object dies, without returning its
 * pages first.  For an object of default_pager_object_create mapped by a
 * task: memory_object_init once however many mappings, data_request per
 * page, data_return under pressure, and on the last unmapping every
 * dirty page returned, then memory_object_terminate; a new mapping starts
 * over with memory_object_init.
 */
#include <mach/memory_object.h>
#include <mach/memory_object_default_server.h>
#include <mach/memory_object_server.h>
#include <string.h>

#include "pager.h"

/* One page of bounce buffer between the store and the kernel. */
static char page_buf[PAGER_PAGE] __attribute__((aligned(PAGER_PAGE)));

/* Pages dropped for want of a block: the first one is logged. */
static unsigned long mo_lost_pages;

static void mo_release_send(mach_port_t port)
{
	if (MACH_PORT_VALID(port))
		(void)mach_port_deallocate(mach_task_self(), port);
}

/* Look up the object of PORT for routine WHAT; logs a miss. */
static struct pager_object *mo_object(mach_port_t port, const char *what)
{
	struct pager_object *obj = object_lookup(port);

	if (obj == NULL)
		pager_log("%s on port %#x: not one of our objects", what, port);
	return obj;
}

/* The object's page count (its size rounded up to pages). */
static uint64_t mo_pages(const struct pager_object *obj)
{
	return ((uint64_t)obj->size + PAGER_PAGE - 1) / PAGER_PAGE;
}

kern_return_t memory_object_create(mach_port_t default_port,
                                   mach_port_t new_object, vm_size_t size,
                                   mach_port_t control, mach_port_t name,
                                   vm_size_t page_size)
{
	PAGER_TRACE("memory_object_create port %#x size %#lx control %#x "
	            "name %#x page %lu",
	            new_object, (unsigned long)size, control, name,
	            (unsigned long)page_size);
	struct pager_object *obj = NULL;

	/* The kernel moves its send right to the default port to us. */
	pager_drop_own_sends(default_port);
	if (default_port != pager_default_port)
		pager_log("memory_object_create on port %#x, not the default "
		          "pager's",
		          default_port);
	else if (page_size != PAGER_PAGE)
		pager_log("memory_object_create: page size %lu, ours %u",
		          (unsigned long)page_size, PAGER_PAGE);
	else if (size / PAGER_PAGE >= PAGE_LOST)
		pager_log("memory_object_create: size %#lx too large",
		          (unsigned long)size);
	else if ((obj = object_new(new_object, size, ORIGIN_KERNEL)) == NULL)
		pager_log("memory_object_create: %u objects, table full",
		          OBJECT_MAX);
	else if (pager_serve_port(new_object) != KERN_SUCCESS) {
		pager_log("memory_object_create: cannot serve port %#x",
		          new_object);
		object_delete(obj);
		obj = NULL;
	}
	if (obj == NULL) {
		/* Refused: the kernel sees a dead pager. */
		(void)mach_port_destroy(mach_task_self(), new_object);
		mo_release_send(control);
		mo_release_send(name);
		return KERN_SUCCESS;
	}
	/* The kernel counts an object it created as ready: no
	 * memory_object_ready for it. */
	obj->control = control;
	obj->name = name;
	return KERN_SUCCESS;
}

kern_return_t memory_object_init(mach_port_t port, mach_port_t control,
                                 mach_port_t name, vm_size_t page_size)
{
	PAGER_TRACE("memory_object_init port %#x control %#x name %#x", port,
	            control, name);
	struct pager_object *obj = mo_object(port, "memory_object_init");
	kern_return_t kr;

	if (obj == NULL || page_size != PAGER_PAGE) {
		if (obj != NULL)
			pager_log("memory_object_init: page size %lu, ours %u",
			          (unsigned long)page_size, PAGER_PAGE);
		mo_release_send(control);
		mo_release_send(name);
		return KERN_SUCCESS;
	}
	if (obj->control != MACH_PORT_NULL) {
		/* Only after a terminate we have not seen yet: the kernel
		 * starts over with a new control port. */
		pager_log("memory_object_init: object %llu already has a "
		          "control port",
		          (unsigned long long)obj->id);
		mo_release_send(obj->control);
		mo_release_send(obj->name);
	}
	obj->control = control;
	obj->name = name;
	/* Not cached: the last unmapping terminates the object, so its
	 * store blocks come back at once.  Copies are the kernel's. */
	kr = memory_object_ready(control, FALSE, MEMORY_OBJECT_COPY_DELAY);
	if (kr != KERN_SUCCESS)
		pager_log("memory_object_ready: %#x", kr);
	return KERN_SUCCESS;
}

kern_return_t memory_object_terminate(mach_port_t port, mach_port_t control,
                                      mach_port_t name)
{
	PAGER_TRACE("memory_object_terminate port %#x control %#x name %#x",
	            port, control, name);
	struct pager_object *obj = mo_object(port, "memory_object_terminate");

	/* CONTROL and NAME come as receive rights: destroying them drops
	 * our send rights under the same names too. */
	if (obj != NULL && obj->control != control)
		mo_release_send(obj->control);
	if (obj != NULL && obj->name != name)
		mo_release_send(obj->name);
	if (MACH_PORT_VALID(control))
		(void)mach_port_destroy(mach_task_self(), control);
	if (MACH_PORT_VALID(name))
		(void)mach_port_destroy(mach_task_self(), name);
	if (obj == NULL)
		return KERN_SUCCESS;
	obj->control = MACH_PORT_NULL;
	obj->name = MACH_PORT_NULL;
	if (obj->origin == ORIGIN_KERNEL) {
		object_delete(obj);
		(void)mach_port_destroy(mach_task_self(), port);
	} else {
		/* The kernel returned the dirty pages first: they are the
		 * object's contents for its next memory_object_init.  The
		 * object lives while a task holds a send right (no-senders
		 * ends it, default_pager.c). */
		pager_drop_own_sends(port);
	}
	return KERN_SUCCESS;
}

/* Answer that pages [FIRST, FIRST+COUNT) were never written. */
static void mo_unavailable(mach_port_t control, uint64_t first, uint64_t count)
{
	kern_return_t kr;

	if (count == 0)
		return;
	kr = memory_object_data_unavailable(control, first * PAGER_PAGE,
	                                    count * PAGER_PAGE);
	if (kr != KERN_SUCCESS)
		pager_log("memory_object_data_unavailable: %#x", kr);
}

/* Answer that pages [FIRST, FIRST+COUNT) cannot be had: WHY. */
static void mo_error(mach_port_t control, uint64_t first, uint64_t count,
                     kern_return_t why)
{
	kern_return_t kr;

	kr = memory_object_data_error(control, first * PAGER_PAGE,
	                              count * PAGER_PAGE, why);
	if (kr != KERN_SUCCESS)
		pager_log("memory_object_data_error: %#x", kr);
}

kern_return_t memory_object_data_request(mach_port_t port, mach_port_t control,
                                         vm_offset_t offset, vm_size_t length,
                                         vm_prot_t access)
{
	PAGER_TRACE("data_request port %#x [%#lx, +%#lx) access %d", port,
	            (unsigned long)offset, (unsigned long)length, access);
	struct pager_object *obj =
	    mo_object(port, "memory_object_data_request");
	uint64_t first, end, limit, page, absent = 0, run = 0;
	kern_return_t kr;

	(void)access;
	if (obj == NULL)
		goto out;
	if (offset % PAGER_PAGE != 0 || length % PAGER_PAGE != 0 ||
	    length == 0 || offset + length < offset)
		pager_log("data_request [%#lx, +%#lx) of object %llu: not "
		          "whole pages",
		          (unsigned long)offset, (unsigned long)length,
		          (unsigned long long)obj->id);
	if (length == 0 || offset + length < offset)
		goto out;
	first = offset / PAGER_PAGE;
	end = (offset + length + PAGER_PAGE - 1) / PAGER_PAGE;
	limit = end < mo_pages(obj) ? end : mo_pages(obj);
	for (page = first; page < limit; page++) {
		uint32_t block = object_page_block(obj, (uint32_t)page);
		if (block == PAGE_ABSENT) {
			if (absent == 0)
				run = page;
			absent++;
			continue;
		}
		mo_unavailable(control, run, absent);
		absent = 0;
		if (block == PAGE_LOST) {
			mo_error(control, page, 1, KERN_NO_SPACE);
		} else if ((kr = store_read(block, page_buf)) != KERN_SUCCESS) {
			pager_log("store read of block %u: %#x", block, kr);
			mo_error(control, page, 1, KERN_MEMORY_ERROR);
		} else {
			/* A copy of the wired buffer, not the buffer. */
			kr = memory_object_data_supply(
			    control, page * PAGER_PAGE, (vm_offset_t)page_buf,
			    PAGER_PAGE, FALSE, VM_PROT_NONE, FALSE,
			    MACH_PORT_NULL);
			if (kr != KERN_SUCCESS)
				pager_log("memory_object_data_supply: %#x", kr);
		}
	}
	mo_unavailable(control, run, absent);
	absent = 0;
	if (end > limit) {
		/* One error for the whole part past the end. */
		page = first > limit ? first : limit;
		pager_log("data_request: pages [%#llx, %#llx) past object "
		          "%llu's end",
		          (unsigned long long)page, (unsigned long long)end,
		          (unsigned long long)obj->id);
		mo_error(control, page, end - page, KERN_INVALID_ADDRESS);
	}
	mo_unavailable(control, run, absent);
out:
	mo_release_send(control);
	return KERN_SUCCESS;
}

/*
 * Store the pages of DATA (COUNT bytes, from OFFSET) in OBJ.  With
 * ONLY_NEW, pages the store already holds are left alone
 * (data_initialize).
 */
static void mo_store(struct pager_object *obj, vm_offset_t offset,
                     const char *data, vm_size_t count, int only_new)
{
	uint64_t page = offset / PAGER_PAGE;
	kern_return_t kr;

	if (offset % PAGER_PAGE != 0) {
		pager_log("data_return at %#lx of object %llu: not a page "
		          "boundary, dropped",
		          (unsigned long)offset, (unsigned long long)obj->id);
		return;
	}
	for (vm_size_t done = 0; done < count; done += PAGER_PAGE, page++) {
		const char *src = data + done;
		uint32_t block;

		if (page >= mo_pages(obj)) {
			pager_log("data_return: page %#llx past object %llu's "
			          "end, dropped",
			          (unsigned long long)page,
			          (unsigned long long)obj->id);
			break;
		}
		if (only_new &&
		    object_page_block(obj, (uint32_t)page) != PAGE_ABSENT)
			continue;
		if (count - done < PAGER_PAGE) {
			memset(page_buf, 0, PAGER_PAGE);
			memcpy(page_buf, src, count - done);
			src = page_buf;
		}
		block = object_page_store(obj, (uint32_t)page);
		if (block == PAGE_LOST) {
			if (mo_lost_pages++ == 0)
				pager_log("store full (%u blocks): pages are "
				          "being lost",
				          store_blocks());
			continue;
		}
		kr = store_write(block, src);
		if (kr != KERN_SUCCESS) {
			pager_log("store write of block %u: %#x", block, kr);
			object_page_lose(obj, (uint32_t)page);
			continue;
		}
	}
}

kern_return_t memory_object_data_return(mach_port_t port, mach_port_t control,
                                        vm_offset_t offset, vm_offset_t data,
                                        mach_msg_type_number_t count,
                                        boolean_t dirty, boolean_t kernel_copy)
{
	PAGER_TRACE("data_return port %#x [%#lx, +%#x) dirty %d kernel_copy %d",
	            port, (unsigned long)offset, count, dirty, kernel_copy);
	struct pager_object *obj = mo_object(port, "memory_object_data_return");

	(void)dirty;
	(void)kernel_copy;
	if (obj != NULL)
		mo_store(obj, offset, (const char *)data, count, 0);
	if (count != 0)
		(void)vm_deallocate(mach_task_self(), data, count);
	mo_release_send(control);
	return KERN_SUCCESS;
}

kern_return_t memory_object_data_initialize(mach_port_t port,
                                            mach_port_t control,
                                            vm_offset_t offset,
                                            vm_offset_t data,
                                            mach_msg_type_number_t count)
{
	PAGER_TRACE("data_initialize port %#x [%#lx, +%#x)", port,
	            (unsigned long)offset, count);
	struct pager_object *obj =
	    mo_object(port, "memory_object_data_initialize");

	if (obj != NULL)
		mo_store(obj, offset, (const char *)data, count, 1);
	if (count != 0)
		(void)vm_deallocate(mach_task_self(), data, count);
	mo_release_send(control);
	return KERN_SUCCESS;
}

kern_return_t memory_object_data_unlock(mach_port_t port, mach_port_t control,
                                        vm_offset_t offset, vm_size_t length,
                                        vm_prot_t access)
{
	PAGER_TRACE("data_unlock port %#x [%#lx, +%#lx) access %d", port,
	            (unsigned long)offset, (unsigned long)length, access);
	kern_return_t kr;

	(void)access;
	/* We never lock pages we supply; grant whatever is asked. */
	if (mo_object(port, "memory_object_data_unlock") != NULL) {
		kr = memory_object_lock_request(
		    control, offset, length, MEMORY_OBJECT_RETURN_NONE, FALSE,
		    VM_PROT_NONE, MACH_PORT_NULL);
		if (kr != KERN_SUCCESS)
			pager_log("memory_object_lock_request: %#x", kr);
	}
	mo_release_send(control);
	return KERN_SUCCESS;
}

kern_return_t memory_object_copy(mach_port_t port, mach_port_t control,
                                 vm_offset_t offset, vm_size_t length,
                                 mach_port_t new_object)
{
	(void)offset;
	(void)length;
	/* Our objects are MEMORY_OBJECT_COPY_DELAY: the kernel makes
	 * copies itself and should never ask. */
	pager_log("memory_object_copy on port %#x: not supported", port);
	if (MACH_PORT_VALID(new_object))
		(void)mach_port_destroy(mach_task_self(), new_object);
	mo_release_send(control);
	return KERN_SUCCESS;
}

kern_return_t memory_object_lock_completed(mach_port_t port,
                                           mach_port_t control,
                                           vm_offset_t offset, vm_size_t length)
{
	(void)port;
	(void)offset;
	(void)length;
	mo_release_send(control);
	return KERN_SUCCESS;
}

kern_return_t
memory_object_supply_completed(mach_port_t port, mach_port_t control,
                               vm_offset_t offset, vm_size_t length,
                               kern_return_t result, vm_offset_t error_offset)
{
	(void)port;
	(void)length;
	if (result != KERN_SUCCESS)
		pager_log("supply at %#lx failed at %#lx: %#x",
		          (unsigned long)offset, (unsigned long)error_offset,
		          result);
	mo_release_send(control);
	return KERN_SUCCESS;
}

kern_return_t memory_object_change_completed(mach_port_t port,
                                             boolean_t may_cache,
                                             memory_object_copy_strategy_t s)
{
	(void)port;
	(void)may_cache;
	(void)s;
	return KERN_SUCCESS;
}
