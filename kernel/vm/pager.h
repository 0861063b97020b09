/*
 * The kernel's side of a memory object's pager (docs/VM.md, step 4): the
 * state an object backed by a pager carries, and the operations through
 * which the VM layer reaches the pager without knowing how (the kernel
 * speaks memory_object.defs to a user task: task/pager.c; unit tests
 * plug in their own).
 */
#ifndef VM_PAGER_H
#define VM_PAGER_H

#include <mach/vm_prot.h>
#include <stdbool.h>
#include <stdint.h>

#include "kern/waitq.h"

struct vm_object;

/* How the VM layer asks a pager for things.  Called with no VM lock
 * held; each may send a message and must not block. */
struct vm_pager_ops {
	/* Send the data for [OFFSET, OFFSET + page) with ACCESS. */
	void (*data_request)(struct vm_object *obj, uint64_t offset,
	                     vm_prot_t access);
	/* Lift the lock on the page at OFFSET for ACCESS. */
	void (*data_unlock)(struct vm_object *obj, uint64_t offset,
	                    vm_prot_t access);
	/* OBJ's last reference went: return what must be returned, tell
	 * the pager, free the pager state.  OBJ's pages are freed after. */
	void (*terminate)(struct vm_object *obj);
	/* Pageout: give the pager the page at OFFSET (its data in BUF,
	 * DIRTY or just precious).  Returns whether the message went (else
	 * the page stays). */
	bool (*data_return)(struct vm_object *obj, uint64_t offset,
	                    const void *buf, bool dirty);
};

/*
 * The pager state of an object.
 * Owned by: its object (made with it, freed by ops->terminate).
 * Guarded by: the object's lock; `wq` by its own lock.
 */
struct vm_pager {
	const struct vm_pager_ops *ops;
	void *priv;        /* the implementation's (task/pager.c) */
	struct waitq wq;   /* faults waiting for the object's pages */
	bool ready;        /* memory_object_ready came: requests may go */
	bool may_cache;    /* keep the object when its last mapping goes */
	bool dead;         /* destroyed, or its pager died: no more data */
	bool internal;     /* the default pager's (anonymous memory): it
	                      holds only the pages paged out to it */
	int copy_strategy; /* MEMORY_OBJECT_COPY_* */
};

#endif
