/*
 * Ports: creation, reference counting, the counts of send and send-once
 * rights (and the no-senders notification when the last send right
 * goes), destruction of a receive right (port-destroyed, dead-name and
 * the rest of a port's death), and kernel-object ports.  Which space
 * names a right is right.c's and space.c's business.
 */
#include "ipc/port.h"

#include "ipc/notify.h"
#include "ipc/pset.h"
#include "ipc/right.h"
#include "ipc/right_entry.h"
#include "ipc/space.h"
#include "kern/slab.h"

static struct slab_cache port_cache;
static struct slab_cache dnrequest_cache;

void port_init(void)
{
	slab_cache_init(&port_cache, "ipc.port", sizeof(struct port), 0);
	slab_cache_init(&dnrequest_cache, "ipc.dnrequest",
	                sizeof(struct dnrequest), 0);
}

struct port *port_alloc(void)
{
	struct port *port = slab_zalloc(&port_cache);

	if (port == NULL)
		return NULL;
	spin_init(&port->object.lock, "port");
	atomic_init(&port->object.refs, 1);
	port->object.kind = IPC_OBJECT_PORT;
	port->object.active = true;
	mqueue_init(&port->queue);
	list_init(&port->dnrequests);
	return port;
}

struct dnrequest *dnrequest_alloc(void)
{
	return slab_zalloc(&dnrequest_cache);
}

void dnrequest_free(struct dnrequest *req)
{
	slab_free(&dnrequest_cache, req);
}

void port_free(struct port *port)
{
	assert(!port->object.active);
	assert(port->srights == 0 && port->sorights == 0);
	assert(port->nsrequest == NULL && port->pdrequest == NULL);
	assert(list_empty(&port->dnrequests));
	assert(port->pset == NULL);
	assert(mqueue_count(&port->queue) == 0);
	assert_unlocked(&port->object.lock);
	slab_free(&port_cache, port);
}

void object_ref(struct ipc_object *object)
{
	unsigned old = atomic_fetch_add(&object->refs, 1);

	assert(old > 0);
}

void object_release(struct ipc_object *object)
{
	if (object->kind == IPC_OBJECT_PORT)
		port_release(port_from_object(object));
	else
		pset_release(pset_from_object(object));
}

void port_make_send(struct port *port)
{
	unsigned long fl = port_lock(port);

	port_make_send_locked(port);
	port_unlock(port, fl);
}

void port_release_send(struct port *port)
{
	struct ipc_object *ns = NULL;
	mach_port_mscount_t mscount = 0;
	unsigned long fl;

	assert_unlocked(&port->object.lock);
	fl = port_lock(port);
	assert(port->srights > 0);
	port->srights--;
	if (port->srights == 0 && port->object.active &&
	    port->nsrequest != NULL) {
		ns = port->nsrequest;
		port->nsrequest = NULL;
		mscount = port->mscount;
	}
	port_unlock(port, fl);
	if (ns != NULL)
		notify_no_senders(ns, mscount);
	port_release(port);
}

void port_release_sonce(struct port *port)
{
	unsigned long fl;

	assert_unlocked(&port->object.lock);
	fl = port_lock(port);
	assert(port->sorights > 0);
	port->sorights--;
	port_unlock(port, fl);
	port_release(port);
}

void port_clear_receiver_locked(struct port *port)
{
	assert_locked(&port->object.lock);
	port->receiver = NULL;
	port->receiver_name = MACH_PORT_NULL;
	port->mscount = 0;
	port->queue.seqno = 0;
	mqueue_wake_receivers(&port->queue, MACH_RCV_PORT_DIED);
}

/* A send-once right in transit (a request's notify right) that will not
 * be used: released without a notification. */
static void sonce_drop(struct ipc_object *so)
{
	if (IPC_OBJECT_VALID(so))
		port_release_sonce(port_from_object(so));
}

void port_destroy(struct port *port)
{
	struct ipc_object *pd, *ns;
	struct list requests;
	unsigned long fl;

	assert_unlocked(&port->object.lock);
	fl = port_lock(port);
	assert(port->object.active);
	assert(port->pset == NULL);
	port_clear_receiver_locked(port);
	pd = port->pdrequest;
	port->pdrequest = NULL;
	if (IPC_OBJECT_VALID(pd) && pd != port_object(port)) {
		/* The receive right (our reference) goes to PD. */
		port_unlock(port, fl);
		notify_port_destroyed(pd, port);
		return;
	}

	/* The port dies. */
	port->object.active = false;
	ns = port->nsrequest;
	port->nsrequest = NULL;
	list_init(&requests);
	if (!list_empty(&port->dnrequests)) {
		requests = port->dnrequests;
		requests.next->prev = &requests;
		requests.prev->next = &requests;
		list_init(&port->dnrequests);
	}
	port->kotype = KOBJECT_NONE;
	port->kobject = NULL;
	port_unlock(port, fl);

	/* A port-destroyed request on the port itself cannot be delivered
	 * (the message would hold the only way to receive it). */
	sonce_drop(pd);
	mqueue_destroy_messages(&port->queue);
	while (!list_empty(&requests)) {
		struct dnrequest *req =
		    list_first_entry(&requests, struct dnrequest, link);

		list_remove(&req->link);
		notify_dead_name(req->notify, req->name);
		dnrequest_free(req);
	}
	/* The no-senders request's right dies unused. */
	if (IPC_OBJECT_VALID(ns))
		notify_send_once(ns);
	port_release(port);
}

void port_set_kobject(struct port *port, enum kobject_type type, void *obj)
{
	unsigned long fl = port_lock(port);

	port->kotype = type;
	port->kobject = obj;
	port_unlock(port, fl);
}

kern_return_t port_alloc_kobject(enum kobject_type type, void *obj,
                                 struct port **portp)
{
	assert(type != KOBJECT_NONE && type < KOBJECT_TYPE_COUNT);
	return port_alloc_kernel(type, obj, portp);
}

kern_return_t port_alloc_kernel(enum kobject_type type, void *obj,
                                struct port **portp)
{
	struct space *space = space_kernel;
	struct space_entry *entry;
	mach_port_name_t name;
	struct port *port;
	kern_return_t kr;
	unsigned long fl;

	assert(type < KOBJECT_TYPE_COUNT);
	port = port_alloc();
	if (port == NULL)
		return KERN_RESOURCE_SHORTAGE;
	port->kotype = type;
	port->kobject = obj;
	fl = space_lock(space);
	kr = space_alloc_entry(space, &name, &entry);
	if (kr != KERN_SUCCESS) {
		space_unlock(space, fl);
		port->object.active = false;
		port_release(port);
		return kr;
	}
	entry->object = port_object(port);
	entry->type = MACH_PORT_TYPE_RECEIVE;
	entry->urefs = 1;
	space_rmap_insert(space, name, entry);
	port->receiver = space;
	port->receiver_name = name;
	space_unlock(space, fl);
	*portp = port;
	return KERN_SUCCESS;
}

void port_destroy_kobject(struct port *port)
{
	struct space *space = space_kernel;
	struct right_deferred d;
	struct space_entry *entry;
	unsigned long fl;

	right_deferred_init(&d);
	fl = space_lock(space);
	assert(port->receiver == space);
	entry = space_lookup(space, port->receiver_name);
	assert(entry != NULL && entry->object == port_object(port));
	right_entry_destroy(space, port->receiver_name, entry, &d);
	space_unlock(space, fl);
	right_deferred_run(&d);
}
