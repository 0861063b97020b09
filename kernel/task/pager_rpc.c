/*
 * Memory objects served by user pagers (docs/VM.md, step 4): the kernel
 * as a client of memory_object.defs (MIG's kernel-user stubs,
 * build/server-mig/memory_object_user.c).  The pager's calls on the
 * control port are in memory_object_rpc.c, the default memory manager in
 * default_pager_rpc.c; task/kpager.h is what they share.
 *
 * The first vm_map of a memory-object port makes a VM object with a
 * pager (struct kpager) and two kernel ports, control and name, and
 * sends memory_object_init.  Faults on pages the object lacks send
 * data_request and wait (vm/fault.c) until the pager supplies the data,
 * says it is unavailable (zeros) or an error (an exception), or the
 * object dies.  When the last reference goes, dirty pages go back in
 * data_return and memory_object_terminate hands the pager the control
 * and name receive rights.  With may_cache the table below keeps a
 * reference, so the object outlives its mappings.  The death of the
 * memory object's port (a dead-name request) makes the object dead.
 *
 * Lock order: the table lock, port locks, then object locks; no object
 * lock is held while a message is sent (sending takes port locks).
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

static bool pager_notify(struct kmsg *k);

static spinlock_t table_lock = SPINLOCK_INIT("pager.table");

static struct list table = {&table, &table}; /* struct kpager, by link */
static struct slab_cache kpager_cache;
static bool kpager_cache_ready;

/* ---- the messages the kernel sends ---- */

static void send_data_request(struct vm_object *obj, uint64_t offset,
                              vm_prot_t access)
{
	struct kpager *kp = kpager_of(obj);

	if (obj->pager->internal)
		__atomic_add_fetch(&vm_pageout_stats.pageins, 1,
		                   __ATOMIC_RELAXED);
	(void)memory_object_data_request(kp->port, kp->control, offset,
	                                 PAGE_SIZE, access);
}

static void send_data_unlock(struct vm_object *obj, uint64_t offset,
                             vm_prot_t access)
{
	struct kpager *kp = kpager_of(obj);

	(void)memory_object_data_unlock(kp->port, kp->control, offset,
	                                PAGE_SIZE, access);
}

/*
 * Take the receive right of the kernel port *SLOT out of the kernel
 * space for a message (MOVE_RECEIVE): the port stops standing for the
 * object.  Returns the port, or NULL.
 */
struct port *kpager_take_receive(struct port **slot)
{
	struct port *port = *slot;
	struct ipc_object *o;
	mach_msg_type_name_t type;
	unsigned long f;

	*slot = NULL;
	if (port == NULL)
		return NULL;
	f = port_lock(port);
	port->kotype = KOBJECT_NONE;
	port->kobject = NULL;
	port_unlock(port, f);
	if (right_copyin(space_kernel, port->receiver_name,
	                 MACH_MSG_TYPE_MOVE_RECEIVE, false, &o,
	                 &type) != KERN_SUCCESS)
		return NULL;
	port_release_send(port); /* the kernel's own (kserver_alloc_port) */
	return port_from_object(o);
}

/*
 * Watch KP's memory object port: a dead-name request whose notification
 * (a send-once right to the control port) reaches pager_notify.
 */
void kpager_watch_death(struct kpager *kp)
{
	struct dnrequest *req = dnrequest_alloc();
	unsigned long f;

	if (req == NULL)
		return; /* unwatched: a dead pager is noticed at the next send
		         */
	f = port_lock(kp->control);
	port_make_sonce_locked(kp->control);
	port_unlock(kp->control, f);
	req->name = 0;
	req->notify = port_object(kp->control);
	f = port_lock(kp->port);
	if (port_active(kp->port)) {
		list_push_back(&kp->port->dnrequests, &req->link);
		kp->death = req;
		req = NULL;
	}
	port_unlock(kp->port, f);
	if (req != NULL) {
		port_release_sonce(kp->control);
		dnrequest_free(req);
	}
}

/* Take back KP's dead-name request if the port has not used it. */
void kpager_unwatch_death(struct kpager *kp)
{
	struct dnrequest *req = NULL;
	unsigned long f;

	if (kp->port == NULL)
		return;
	f = port_lock(kp->port);
	if (kp->death != NULL && list_linked(&kp->death->link)) {
		req = kp->death;
		list_remove(&req->link);
	}
	kp->death = NULL;
	port_unlock(kp->port, f);
	if (req != NULL) {
		/* Unused: it goes silently (no send-once notification). */
		port_release_sonce(port_from_object(req->notify));
		dnrequest_free(req);
	}
}

bool kpager_run_fits(const struct return_run *run,
                     const struct vm_object_page *r)
{
	return run->n == 0 || (run->n < RETURN_RUN_PAGES &&
	                       r->offset == run->offset + run->n * PAGE_SIZE &&
	                       r->dirty == run->dirty);
}

void kpager_run_add(struct return_run *run, const struct vm_object_page *r)
{
	if (run->n == 0) {
		run->offset = r->offset;
		run->dirty = r->dirty;
	}
	memcpy(run->buf + run->n * PAGE_SIZE, page_to_virt(r->page), PAGE_SIZE);
	run->n++;
}

/* Send the run R has gathered, if any. */
void kpager_run_flush(struct kpager *kp, struct return_run *r, bool kcopy)
{
	struct ool *ool;

	if (r->n == 0)
		return;
	if (ool_from_kernel(r->buf, (uint64_t)r->n * PAGE_SIZE, &ool) ==
	    MACH_MSG_SUCCESS)
		(void)memory_object_data_return(
		    kp->port, kp->control, r->offset, (vm_offset_t)ool,
		    (mach_msg_type_number_t)(r->n * PAGE_SIZE), r->dirty,
		    kcopy && r->dirty);
	r->n = 0;
}

/* Take KP off the table: its port no longer finds its object. */
void kpager_forget(struct kpager *kp)
{
	unsigned long f = spin_lock(&table_lock);

	if (list_linked(&kp->link))
		list_remove(&kp->link);
	spin_unlock(&table_lock, f);
}

/* Terminate: dirty and precious pages back, then the rights.  OBJ has no
 * reference left; nobody else can reach it (the table let go of it first). */
static void pager_terminate(struct vm_object *obj)
{
	struct kpager *kp = kpager_of(obj);
	struct return_run run = {0};
	unsigned long f;

	kpager_forget(kp);
	kpager_unwatch_death(kp);
	/* The default pager's objects die with their data: nothing back. */
	if (!kp->terminated && !obj->pager->internal)
		run.buf = page_alloc_va(4); /* 16 pages */
	if (!kp->terminated) {
		/* Nobody else can reach OBJ: its lock is taken only for the
		 * record functions' assertions. */
		f = spin_lock(&obj->lock);
		for (struct vm_object_page *r = vm_object_record_ceil(obj, 0);
		     run.buf != NULL && r != NULL;
		     r = vm_object_record_next(r)) {
			if (r->page == NULL || (!r->dirty && !r->precious))
				continue;
			if (!kpager_run_fits(&run, r)) {
				spin_unlock(&obj->lock, f);
				kpager_run_flush(kp, &run, false);
				f = spin_lock(&obj->lock);
			}
			kpager_run_add(&run, r);
		}
		spin_unlock(&obj->lock, f);
		kpager_run_flush(kp, &run, false);
		if (run.buf != NULL)
			page_free_va(run.buf, 4);
		kp->terminated = true;
		/* The kernel's send right to the object moves too. */
		(void)memory_object_terminate(kp->port,
		                              kpager_take_receive(&kp->control),
		                              kpager_take_receive(&kp->name));
		kp->port = NULL;
	}
	if (kp->control != NULL)
		kserver_free_port(&kp->control);
	if (kp->name != NULL)
		kserver_free_port(&kp->name);
	if (kp->port != NULL)
		port_release_send(kp->port);
	obj->pager = NULL;
	slab_free(&kpager_cache, kp);
}

/* Pages handed to one pager and not yet received by it: beyond this,
 * pageout waits (each queued data_return holds a copy of its page, so
 * a slow pager would otherwise turn pageout into a memory hog). */
#define RETURNS_IN_FLIGHT 16

/* Pageout: one page to the pager (the kernel keeps no copy). */
static bool send_data_return(struct vm_object *obj, uint64_t offset,
                             const void *buf, bool dirty)
{
	struct kpager *kp = kpager_of(obj);
	struct ool *ool;
	unsigned long f;
	bool busy;

	if (kp->port == NULL)
		return false;
	f = port_lock(kp->port);
	busy = mqueue_count(&kp->port->queue) >= RETURNS_IN_FLIGHT;
	port_unlock(kp->port, f);
	if (busy || obj->pager->dead ||
	    ool_from_kernel(buf, PAGE_SIZE, &ool) != MACH_MSG_SUCCESS)
		return false;
	return memory_object_data_return(kp->port, kp->control, offset,
	                                 (vm_offset_t)ool, PAGE_SIZE, dirty,
	                                 FALSE) == MACH_MSG_SUCCESS;
}

static const struct vm_pager_ops kpager_ops = {
    .data_request = send_data_request,
    .data_unlock = send_data_unlock,
    .terminate = pager_terminate,
    .data_return = send_data_return,
};

/* ---- finding the object of a memory object port ---- */

/* A pager for OBJ with its control and name ports (not yet OBJ's), or
 * NULL when memory is exhausted. */
struct kpager *kpager_new(struct vm_object *obj)
{
	struct kpager *kp = slab_zalloc(&kpager_cache);

	if (kp == NULL)
		return NULL;
	if (kserver_alloc_port(KOBJECT_MEMORY_OBJECT_CONTROL, obj,
	                       &kp->control) != KERN_SUCCESS ||
	    kserver_alloc_port(KOBJECT_MEMORY_OBJECT_NAME, obj, &kp->name) !=
	        KERN_SUCCESS) {
		kserver_free_port(&kp->control);
		slab_free(&kpager_cache, kp);
		return NULL;
	}
	kp->vp.ops = &kpager_ops;
	waitq_init(&kp->vp.wq);
	kp->obj = obj;
	return kp;
}

void kpager_free(struct kpager *kp)
{
	kserver_free_port(&kp->control);
	kserver_free_port(&kp->name);
	slab_free(&kpager_cache, kp);
}

/* The slab cache and the notification hook, once. */
void kpager_init(void)
{
	unsigned long f = spin_lock(&table_lock);

	if (!kpager_cache_ready) {
		slab_cache_init(&kpager_cache, "vm.pager",
		                sizeof(struct kpager), 0);
		kserver_notify_hook = pager_notify;
		kpager_cache_ready = true;
	}
	spin_unlock(&table_lock, f);
}

kern_return_t pager_object_for_port(struct port *port, struct vm_object **out)
{
	struct kpager *kp;
	struct vm_object *obj;
	unsigned long f;

	kpager_init();
	f = spin_lock(&table_lock);
	list_for_each_entry(struct kpager, k, &table, link)
	{
		if (k->port == port && vm_object_try_reference(k->obj)) {
			*out = k->obj;
			spin_unlock(&table_lock, f);
			return KERN_SUCCESS;
		}
	}
	spin_unlock(&table_lock, f);

	obj = vm_object_create(0);
	kp = obj != NULL ? kpager_new(obj) : NULL;
	if (kp == NULL) {
		if (obj != NULL)
			vm_object_release(obj);
		return KERN_RESOURCE_SHORTAGE;
	}
	kp->vp.copy_strategy = MEMORY_OBJECT_COPY_NONE; /* until ready */
	f = port_lock(port);
	port_copy_send_locked(port); /* the object's own send right */
	port_unlock(port, f);
	kp->port = port;
	obj->pager = &kp->vp;
	kpager_watch_death(kp);
	f = spin_lock(&table_lock);
	list_push_back(&table, &kp->link);
	spin_unlock(&table_lock, f);
	(void)memory_object_init(port, kp->control, kp->name, PAGE_SIZE);
	*out = obj;
	return KERN_SUCCESS;
}

kern_return_t pager_copy_call(struct vm_object *obj, uint64_t offset,
                              uint64_t size, struct vm_object **out)
{
	struct kpager *kp = kpager_of(obj);
	struct port *np, *moved;
	kern_return_t kr;

	if (kp->port == NULL || obj->pager->dead)
		return KERN_MEMORY_ERROR;
	kr = port_alloc_kernel(KOBJECT_NONE, NULL, &np);
	if (kr != KERN_SUCCESS)
		return kr;
	port_make_send(np); /* ours, until the new object has its own */
	port_make_send(np); /* the one kpager_take_receive lets go of */
	moved = np;
	moved = kpager_take_receive(&moved);
	if (moved == NULL) {
		port_release_send(np);
		return KERN_RESOURCE_SHORTAGE;
	}
	(void)memory_object_copy(kp->port, kp->control, offset, size, moved);
	kr = pager_object_for_port(np, out);
	port_release_send(np);
	return kr;
}

ipc_port_t pager_name_port(struct vm_object *obj)
{
	struct kpager *kp = obj->pager ? kpager_of(obj) : NULL;
	struct port *name = kp != NULL ? kp->name : NULL;

	if (name == NULL)
		return IP_NULL;
	port_make_send(name);
	return name;
}

/* Keep OBJ cached (the table's reference) or not, as may_cache says. */
void kpager_set_cached(struct vm_object *obj, bool may_cache)
{
	struct kpager *kp = kpager_of(obj);
	bool take = false, drop = false;
	unsigned long f = spin_lock(&table_lock);

	if (may_cache && !kp->cached && list_linked(&kp->link))
		kp->cached = take = true;
	else if (!may_cache && kp->cached) {
		kp->cached = false;
		drop = true;
	}
	spin_unlock(&table_lock, f);
	if (take)
		vm_object_reference(obj);
	if (drop)
		vm_object_release(obj);
}

void kpager_wake(struct vm_object *obj)
{
	waitq_wake_all(&obj->pager->wq, WAITQ_AWAKENED);
}

/* OBJ's pager will give no more data, and its port no longer finds OBJ
 * (a vm_map of it makes a new object). */
void kpager_cut_off(struct vm_object *obj)
{
	unsigned long f = spin_lock(&obj->lock);

	obj->pager->dead = true;
	spin_unlock(&obj->lock, f);
	kpager_forget(kpager_of(obj));
}

/*
 * The memory object's port died (its pager is gone): faults on pages the
 * object lacks take KERN_MEMORY_ERROR from now on, and the control and
 * name ports die with it.
 */
static void pager_died(struct vm_object *obj)
{
	struct kpager *kp = kpager_of(obj);

	kpager_cut_off(obj);
	kp->death = NULL; /* used up by the port's death */
	if (!kp->terminated) {
		kp->terminated = true;
		kserver_free_port(&kp->control);
		kserver_free_port(&kp->name);
		port_release_send(kp->port);
		kp->port = NULL;
	}
	kpager_set_cached(obj, false);
	kpager_wake(obj);
}

/* kserver_notify_hook: a dead-name notification on a control port. */
static bool pager_notify(struct kmsg *k)
{
	struct port *dest = port_from_object(k->hdr.remote);
	struct vm_object *obj = NULL;
	unsigned long f;

	if (k->hdr.id != MACH_NOTIFY_DEAD_NAME)
		return false;
	f = port_lock(dest);
	if (dest->kotype == KOBJECT_MEMORY_OBJECT_CONTROL &&
	    dest->kobject != NULL && vm_object_try_reference(dest->kobject))
		obj = dest->kobject;
	port_unlock(dest, f);
	if (obj == NULL)
		return false;
	/* The notification came through the request's send-once right. */
	if (MACH_MSGH_BITS_REMOTE(k->hdr.bits) == MACH_MSG_TYPE_PORT_SEND_ONCE)
		port_release_sonce(dest);
	else
		port_release_send(dest);
	k->hdr.remote = IPC_OBJECT_NULL;
	kmsg_destroy(k);
	if (obj->pager != NULL && !obj->pager->dead)
		pager_died(obj);
	vm_object_release(obj);
	return true;
}
