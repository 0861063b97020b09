/*
 * task/kpager.h — what the kernel's side of memory objects
 * (pager_rpc.c), the pager's calls on the control port
 * (memory_object_rpc.c) and the default memory manager
 * (default_pager_rpc.c) share.  Private to kernel/task.
 */
#ifndef TASK_KPAGER_H
#define TASK_KPAGER_H

#include <mach/kern_return.h>
#include <stdbool.h>
#include <stdint.h>

#include "kern/list.h"
#include "vm/object.h"
#include "vm/pager.h"

struct dnrequest;
struct port;

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

/* KP of OBJ, an object with a pager made here. */
static inline struct kpager *kpager_of(struct vm_object *obj)
{
	return (struct kpager *)obj->pager;
}

/* A page-sized snapshot of the resident pages listed, for data_return. */
struct return_run {
	uint64_t offset;
	unsigned n;
	bool dirty;
	char *buf; /* RETURN_RUN_PAGES pages */
};

/* The slab cache and the notification hook, once.  Locks: none held. */
void kpager_init(void);

/* A pager for OBJ with its control and name ports (not yet OBJ's), or
 * NULL when memory is exhausted.  kpager_free undoes it (before OBJ has
 * it).  Locks: none held. */
struct kpager *kpager_new(struct vm_object *obj);
void kpager_free(struct kpager *kp);

/*
 * kpager_take_receive: take the receive right of the kernel port *SLOT
 * out of the kernel space for a message (MOVE_RECEIVE): the port stops
 * standing for the object.  Returns the port, or NULL.
 * Locks: none held.
 */
struct port *kpager_take_receive(struct port **slot);

/* Watch KP's memory object port for its death (a dead-name request whose
 * notification reaches the control port), or stop.  Locks: none held. */
void kpager_watch_death(struct kpager *kp);
void kpager_unwatch_death(struct kpager *kp);

/* Whether the resident page of record R can join RUN (the next page,
 * equally dirty, room left); kpager_run_add adds it (a copy of the page).
 * Locks: R's object's. */
bool kpager_run_fits(const struct return_run *run,
                     const struct vm_object_page *r);
void kpager_run_add(struct return_run *run, const struct vm_object_page *r);

/* Send the data_return run R has gathered, if any (KCOPY: the kernel
 * keeps a copy).  Locks: none held. */
void kpager_run_flush(struct kpager *kp, struct return_run *r, bool kcopy);

/* Take KP off the table: its port no longer finds its object.
 * Locks: none held. */
void kpager_forget(struct kpager *kp);

/* Keep OBJ cached (the table's reference) or not, as MAY_CACHE says.
 * Locks: none held. */
void kpager_set_cached(struct vm_object *obj, bool may_cache);

/* OBJ's pager will give no more data, and its port no longer finds OBJ
 * (a vm_map of it makes a new object).  Locks: none held. */
void kpager_cut_off(struct vm_object *obj);

/* Wake every fault waiting on OBJ's pager.  Locks: any. */
void kpager_wake(struct vm_object *obj);

#endif
