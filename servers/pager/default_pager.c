/*
 * servers/pager/default_pager.c — what the pager offers tasks rather
 * than the kernel: default_pager.defs on the default pager port (objects
 * a task creates and maps itself, the store's usage, the objects and
 * their pages) and the no-senders notification that ends an object a
 * task created once nobody holds it.
 */
#include <mach.h>
#include <mach/default_pager_types.h>
#include <mach/notify.h>
#include <string.h>

#include "default_pager_server.h"
#include "pager.h"

#define DP_OBJECT_SIZE_MAX ((vm_size_t)PAGE_LOST * PAGER_PAGE)

/* 1 if PORT is the default pager port; logs a request on another. */
static int dp_is_default(mach_port_t port, const char *what)
{
	if (port == pager_default_port)
		return 1;
	pager_log("%s on port %#x, not the default pager port", what, port);
	return 0;
}

kern_return_t default_pager_object_create(mach_port_t pager,
                                          mach_port_t *memory_object,
                                          vm_size_t size)
{
	mach_port_t port = MACH_PORT_NULL, previous = MACH_PORT_NULL;
	struct pager_object *obj;
	kern_return_t kr;

	if (!dp_is_default(pager, "default_pager_object_create"))
		return KERN_INVALID_ARGUMENT;
	if (size == 0 || size > DP_OBJECT_SIZE_MAX)
		return KERN_INVALID_ARGUMENT;
	kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE,
	                        &port);
	if (kr != KERN_SUCCESS)
		return kr;
	obj = object_new(port, size, ORIGIN_TASK);
	if (obj == NULL) {
		kr = KERN_RESOURCE_SHORTAGE;
		goto fail;
	}
	kr = pager_serve_port(port);
	/* The reply makes the first send right (make-send count 1):
	 * no-senders once every right made from then on is gone. */
	if (kr == KERN_SUCCESS)
		kr = mach_port_request_notification(
		    mach_task_self(), port, MACH_NOTIFY_NO_SENDERS, 1, port,
		    MACH_MSG_TYPE_MAKE_SEND_ONCE, &previous);
	if (kr != KERN_SUCCESS) {
		object_delete(obj);
		goto fail;
	}
	*memory_object = port;
	return KERN_SUCCESS;
fail:
	(void)mach_port_destroy(mach_task_self(), port);
	return kr;
}

kern_return_t do_mach_notify_no_senders(mach_port_t port,
                                        mach_port_mscount_t mscount)
{
	struct pager_object *obj = object_lookup(port);

	(void)mscount;
	if (obj == NULL || obj->origin != ORIGIN_TASK) {
		pager_log("no-senders on port %#x: not a task's object", port);
		return KERN_SUCCESS;
	}
	if (obj->control != MACH_PORT_NULL) {
		/* Cannot be while the kernel holds its send right; if it
		 * happens anyway, the kernel's side dies with the port. */
		pager_log("no-senders on object %llu still in use",
		          (unsigned long long)obj->id);
		(void)mach_port_deallocate(mach_task_self(), obj->control);
		(void)mach_port_deallocate(mach_task_self(), obj->name);
	}
	object_delete(obj);
	(void)mach_port_destroy(mach_task_self(), port);
	return KERN_SUCCESS;
}

kern_return_t default_pager_info(mach_port_t pager, default_pager_info_t *info)
{
	if (!dp_is_default(pager, "default_pager_info"))
		return KERN_INVALID_ARGUMENT;
	info->dpi_total_space = (vm_size_t)store_blocks() * PAGER_PAGE;
	info->dpi_free_space = (vm_size_t)store_free_blocks() * PAGER_PAGE;
	info->dpi_page_size = PAGER_PAGE;
	return KERN_SUCCESS;
}

/*
 * Where default_pager_objects puts its answer.
 * Owned by: the caller's stack, for one call.  Guarded by: nothing.
 */
struct dp_listing {
	default_pager_object_t *objects;
	mach_port_t *ports;
	unsigned n, max;
	kern_return_t kr;
};

static void dp_list_one(struct pager_object *obj, void *arg)
{
	struct dp_listing *l = arg;
	kern_return_t kr;

	if (l->n >= l->max || l->kr != KERN_SUCCESS)
		return;
	/* The reply moves a send right for each object: make it now. */
	kr = mach_port_insert_right(mach_task_self(), obj->port, obj->port,
	                            MACH_MSG_TYPE_MAKE_SEND);
	if (kr != KERN_SUCCESS) {
		l->kr = kr;
		return;
	}
	l->objects[l->n].dpo_object = (vm_offset_t)obj->id;
	l->objects[l->n].dpo_size = (vm_size_t)obj->blocks * PAGER_PAGE;
	l->ports[l->n] = obj->port;
	l->n++;
}

/* *ARRAY (room for *COUNT of SIZE bytes) or fresh memory for WANT. */
static kern_return_t dp_room(void **array, mach_msg_type_number_t *count,
                             unsigned want, size_t size)
{
	vm_address_t addr = 0;
	kern_return_t kr;

	if (want <= *count)
		return KERN_SUCCESS;
	kr = vm_allocate(mach_task_self(), &addr, want * size, TRUE);
	if (kr != KERN_SUCCESS)
		return kr;
	*array = (void *)addr;
	*count = want;
	return KERN_SUCCESS;
}

kern_return_t default_pager_objects(mach_port_t pager,
                                    default_pager_object_array_t *objects,
                                    mach_msg_type_number_t *objects_count,
                                    mach_port_array_t *ports,
                                    mach_msg_type_number_t *ports_count)
{
	unsigned want = object_count();
	void *o = *objects, *p = *ports;
	mach_msg_type_number_t oc = *objects_count, pc = *ports_count;
	struct dp_listing l;
	kern_return_t kr;

	if (!dp_is_default(pager, "default_pager_objects"))
		return KERN_INVALID_ARGUMENT;
	kr = dp_room(&o, &oc, want, sizeof(default_pager_object_t));
	if (kr == KERN_SUCCESS)
		kr = dp_room(&p, &pc, want, sizeof(mach_port_t));
	if (kr != KERN_SUCCESS)
		goto fail;
	l = (struct dp_listing){.objects = o, .ports = p, .max = want};
	object_each(dp_list_one, &l);
	if (l.kr != KERN_SUCCESS) {
		kr = l.kr;
		for (unsigned i = 0; i < l.n; i++)
			(void)mach_port_deallocate(mach_task_self(),
			                           l.ports[i]);
		goto fail;
	}
	*objects = o;
	*ports = p;
	*objects_count = l.n;
	*ports_count = l.n;
	return KERN_SUCCESS;
fail:
	if (o != *objects)
		(void)vm_deallocate(mach_task_self(), (vm_address_t)o,
		                    oc * sizeof(default_pager_object_t));
	if (p != *ports)
		(void)vm_deallocate(mach_task_self(), (vm_address_t)p,
		                    pc * sizeof(mach_port_t));
	return kr;
}

kern_return_t default_pager_object_pages(mach_port_t pager, mach_port_t object,
                                         default_pager_page_array_t *pages,
                                         mach_msg_type_number_t *count)
{
	struct pager_object *obj;
	void *a = *pages;
	mach_msg_type_number_t n = *count;
	kern_return_t kr;

	if (!dp_is_default(pager, "default_pager_object_pages"))
		return KERN_INVALID_ARGUMENT;
	/* The kernel's name port for the object (as the .defs says), or
	 * the object itself. */
	obj = object_lookup_name(object);
	if (obj == NULL)
		obj = object_lookup(object);
	if (obj == NULL)
		return KERN_INVALID_ARGUMENT;
	kr = dp_room(&a, &n, obj->blocks, sizeof(default_pager_page_t));
	if (kr != KERN_SUCCESS)
		return kr;
	/* default_pager_page_t is one vm_offset_t. */
	*count = object_page_offsets(obj, (vm_offset_t *)a, n);
	*pages = a;
	/* The request's right to OBJECT is ours to drop. */
	if (MACH_PORT_VALID(object))
		(void)mach_port_deallocate(mach_task_self(), object);
	return KERN_SUCCESS;
}

kern_return_t default_pager_paging_file(mach_port_t pager, mach_port_t master,
                                        const_default_pager_filename_t filename,
                                        boolean_t add)
{
	(void)pager;
	(void)filename;
	(void)add;
	/* One store, chosen at startup. */
	if (MACH_PORT_VALID(master))
		(void)mach_port_deallocate(mach_task_self(), master);
	return KERN_FAILURE;
}

kern_return_t default_pager_register_fileserver(mach_port_t pager,
                                                mach_port_t fileserver)
{
	(void)pager;
	if (MACH_PORT_VALID(fileserver))
		(void)mach_port_deallocate(mach_task_self(), fileserver);
	return KERN_FAILURE;
}

/* The other notifications: none is asked for; log and drop. */
kern_return_t do_mach_notify_port_deleted(mach_port_t port,
                                          mach_port_name_t name)
{
	pager_log("port-deleted %#x on %#x", name, port);
	return KERN_SUCCESS;
}

kern_return_t do_mach_notify_msg_accepted(mach_port_t port,
                                          mach_port_name_t name)
{
	pager_log("msg-accepted %#x on %#x", name, port);
	return KERN_SUCCESS;
}

kern_return_t do_mach_notify_port_destroyed(mach_port_t port,
                                            mach_port_t rights)
{
	pager_log("port-destroyed on %#x", port);
	if (MACH_PORT_VALID(rights))
		(void)mach_port_destroy(mach_task_self(), rights);
	return KERN_SUCCESS;
}

kern_return_t do_mach_notify_send_once(mach_port_t port)
{
	(void)port;
	return KERN_SUCCESS;
}

kern_return_t do_mach_notify_dead_name(mach_port_t port, mach_port_name_t name)
{
	pager_log("dead-name %#x on %#x", name, port);
	/* The notification carries a dead-name reference. */
	if (MACH_PORT_VALID(name))
		(void)mach_port_deallocate(mach_task_self(), name);
	return KERN_SUCCESS;
}
