/*
 * Memory objects served by user pagers (docs/VM.md, step 4): the kernel
 * as a client of memory_object.defs (MIG's kernel-user stubs,
 * build/server-mig/memory_object_user.c) and the pager's calls on the
 * control port (mach.defs memory_object_*, the kserver_ routines here).
 *
 * The first vm_map of a memory-object port makes a VM object with a
 * pager (struct kpager) and two kernel ports, control and name, and
 * sends memory_object_init.  Faults on pages the object lacks send
 * data_request and wait (vm/fault.c) until the pager supplies the data,
 * says it is unavailable (zeros) or an error (an exception), or the
 * object dies.  When the last reference goes, dirty pages go back in
 * data_return and memory_object_terminate hands the pager the control
 * and name receive rights.  With may_cache the table below keeps a
 * reference, so the object outlives its mappings.
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
#include "task/pager.h"
#include "task/task.h"
#include "vm/fault.h"
#include "vm/map.h"
#include "vm/object.h"
#include "vm/pager.h"

#define PG_MASK ((uint64_t)PAGE_SIZE - 1)

/* The longest run of pages one data_return carries. */
#define RETURN_RUN_PAGES 16

/*
 * The kernel's side of one memory object.
 * Owned by: its VM object (made with it, freed by its terminate).
 * Guarded by: the object's lock for the vm_pager part; `port`,
 *   `control`, `name` and `obj` are fixed until terminate; `link` and
 *   `cached` by table_lock.
 */
struct kpager {
	struct vm_pager vp;      /* first: obj->pager points here */
	struct vm_object *obj;   /* the object (no reference of its own) */
	struct port *port;       /* a send right to the memory object */
	struct port *control;    /* KOBJECT_MEMORY_OBJECT_CONTROL */
	struct port *name;       /* KOBJECT_MEMORY_OBJECT_NAME */
	struct list link;        /* on `table` while the port maps to obj */
	bool cached;             /* the table holds a reference (may_cache) */
	bool terminated;         /* memory_object_terminate was sent */
	struct dnrequest *death; /* on port's dead-name requests, notifying
	                            the control port (guarded by port's lock) */
};

static bool pager_notify(struct kmsg *k);

static spinlock_t table_lock = SPINLOCK_INIT("pager.table");

/* The default memory manager: a send right, or NULL (guarded by
 * table_lock), and the map of the task that registered it (its memory
 * is never paged out: it would wait for itself). */
static struct port *default_pager;
static struct vm_map *default_pager_map;
static struct list table = {&table, &table}; /* struct kpager, by link */
static struct slab_cache kpager_cache;
static bool kpager_cache_ready;

static struct kpager *kpager_of(struct vm_object *obj)
{
	return (struct kpager *)obj->pager;
}

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
static struct port *take_receive(struct port **slot)
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
static void watch_death(struct kpager *kp)
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
static void unwatch_death(struct kpager *kp)
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

/* A page-sized snapshot of the resident pages listed, for data_return. */
struct return_run {
	uint64_t offset;
	unsigned n;
	bool dirty;
	char *buf; /* RETURN_RUN_PAGES pages */
};

/* Send the run R has gathered, if any. */
static void run_flush(struct kpager *kp, struct return_run *r, bool kcopy)
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
static void forget(struct kpager *kp)
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

	forget(kp);
	unwatch_death(kp);
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
			if (run.n == RETURN_RUN_PAGES ||
			    (run.n > 0 &&
			     (r->offset != run.offset + run.n * PAGE_SIZE ||
			      r->dirty != run.dirty))) {
				spin_unlock(&obj->lock, f);
				run_flush(kp, &run, false);
				f = spin_lock(&obj->lock);
			}
			if (run.n == 0) {
				run.offset = r->offset;
				run.dirty = r->dirty;
			}
			memcpy(run.buf + run.n * PAGE_SIZE,
			       page_to_virt(r->page), PAGE_SIZE);
			run.n++;
		}
		spin_unlock(&obj->lock, f);
		run_flush(kp, &run, false);
		if (run.buf != NULL)
			page_free_va(run.buf, 4);
		kp->terminated = true;
		/* The kernel's send right to the object moves too. */
		(void)memory_object_terminate(kp->port,
		                              take_receive(&kp->control),
		                              take_receive(&kp->name));
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
static struct kpager *kpager_new(struct vm_object *obj)
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

/* The slab cache and the notification hook, once. */
static void pager_init_once(void)
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

	pager_init_once();
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
	watch_death(kp);
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
	port_make_send(np); /* the one take_receive lets go of */
	moved = np;
	moved = take_receive(&moved);
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
static void set_cached(struct vm_object *obj, bool may_cache)
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

/* ---- the pager's calls (mach.defs) ---- */

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

static void wake(struct vm_object *obj)
{
	waitq_wake_all(&obj->pager->wq, WAITQ_AWAKENED);
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
	set_cached(obj, may_cache != 0);
	wake(obj);
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
	set_cached(obj, may_cache != 0);
	wake(obj);
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
	wake(obj);
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
	wake(obj);
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
	wake(obj);
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
				if (run.n > 0 &&
				    (run.n == RETURN_RUN_PAGES ||
				     r->offset !=
				         run.offset + run.n * PAGE_SIZE ||
				     run.dirty != r->dirty)) {
					at = r->offset;
					break; /* send this run first */
				}
				if (run.n == 0) {
					run.offset = r->offset;
					run.dirty = r->dirty;
				}
				memcpy(run.buf + run.n * PAGE_SIZE,
				       page_to_virt(r->page), PAGE_SIZE);
				run.n++;
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
		run_flush(kp, &run, true);
	}
	page_free_va(run.buf, 4);
	wake(obj);
	if (IP_VALID(reply_to))
		(void)memory_object_lock_completed(reply_to, reply_poly,
		                                   kp->control, offset, size);
	return KERN_SUCCESS;
}

/* OBJ's pager will give no more data, and its port no longer finds OBJ
 * (a vm_map of it makes a new object). */
static void cut_off(struct vm_object *obj)
{
	unsigned long f = spin_lock(&obj->lock);

	obj->pager->dead = true;
	spin_unlock(&obj->lock, f);
	forget(kpager_of(obj));
}

static kern_return_t object_destroy(vm_object_t obj, kern_return_t reason)
{
	struct kpager *kp;

	if (obj == NULL || obj->pager == NULL)
		return KERN_INVALID_ARGUMENT;
	kp = kpager_of(obj);
	cut_off(obj);
	unwatch_death(kp);
	if (!kp->terminated) {
		kp->terminated = true;
		(void)memory_object_terminate(kp->port,
		                              take_receive(&kp->control),
		                              take_receive(&kp->name));
		kp->port = NULL;
	}
	set_cached(obj, false);
	wake(obj);
	return KERN_SUCCESS;
}

/*
 * The memory object's port died (its pager is gone): faults on pages the
 * object lacks take KERN_MEMORY_ERROR from now on, and the control and
 * name ports die with it.
 */
static void pager_died(struct vm_object *obj)
{
	struct kpager *kp = kpager_of(obj);

	cut_off(obj);
	kp->death = NULL; /* used up by the port's death */
	if (!kp->terminated) {
		kp->terminated = true;
		kserver_free_port(&kp->control);
		kserver_free_port(&kp->name);
		port_release_send(kp->port);
		kp->port = NULL;
	}
	set_cached(obj, false);
	wake(obj);
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

/* ---- the default memory manager ---- */

/* One more send right to P (the kernel holds one) if P is alive. */
static bool copy_send(struct port *p)
{
	unsigned long f = port_lock(p);
	bool alive = port_active(p);

	if (alive)
		port_copy_send_locked(p);
	port_unlock(p, f);
	return alive;
}

kern_return_t kserver_vm_set_default_memory_manager(host_t host_priv,
                                                    ipc_port_t *manager)
{
	struct port *old;
	unsigned long f;

	if (host_priv == NULL)
		return KERN_INVALID_HOST;
	pager_init_once();
	f = spin_lock(&table_lock);
	old = default_pager;
	if (IP_VALID(*manager)) {
		/* The request's send right becomes ours; the old one goes
		 * back in the reply. */
		default_pager = *manager;
		default_pager_map = task_current()->map;
		*manager = old;
	} else {
		*manager = old != NULL && copy_send(old) ? old : IP_NULL;
	}
	spin_unlock(&table_lock, f);
	return KERN_SUCCESS;
}

bool pager_default_exists(void)
{
	return __atomic_load_n(&default_pager, __ATOMIC_ACQUIRE) != NULL;
}

bool pager_default_maps(const struct vm_map *map)
{
	return map != NULL && map == default_pager_map;
}

kern_return_t pager_attach_default(struct vm_object *obj)
{
	struct port *dp, *port, *moved;
	struct kpager *kp;
	unsigned long f;
	uint64_t size;

	pager_init_once();
	f = spin_lock(&table_lock);
	dp = default_pager;
	if (dp != NULL && !copy_send(dp)) /* memory_object_create moves one */
		dp = NULL;
	spin_unlock(&table_lock, f);
	if (dp == NULL)
		return KERN_FAILURE;
	kp = kpager_new(obj);
	if (kp == NULL ||
	    port_alloc_kernel(KOBJECT_NONE, NULL, &port) != KERN_SUCCESS) {
		if (kp != NULL) {
			kserver_free_port(&kp->control);
			kserver_free_port(&kp->name);
			slab_free(&kpager_cache, kp);
		}
		port_release_send(dp);
		return KERN_RESOURCE_SHORTAGE;
	}
	port_make_send(port); /* the object's */
	port_make_send(port); /* the one take_receive lets go of */
	moved = port;
	moved = take_receive(&moved);
	kp->port = port;
	kp->vp.internal = true;
	kp->vp.ready = true; /* the default pager sends no ready */
	kp->vp.copy_strategy = MEMORY_OBJECT_COPY_DELAY;
	f = spin_lock(&obj->lock);
	if (obj->pager != NULL) {
		/* Someone else was quicker: undo ours. */
		spin_unlock(&obj->lock, f);
		if (moved != NULL)
			port_destroy(moved);
		port_release_send(port);
		kserver_free_port(&kp->control);
		kserver_free_port(&kp->name);
		slab_free(&kpager_cache, kp);
		port_release_send(dp);
		return KERN_SUCCESS;
	}
	obj->pager = &kp->vp;
	size = obj->size;
	spin_unlock(&obj->lock, f);
	watch_death(kp);
	(void)memory_object_create(dp, moved, size, kp->control, kp->name,
	                           PAGE_SIZE);
	return KERN_SUCCESS;
}
