/*
 * Port sets: a name a task receives on to get messages from any of
 * several of its ports.  A set holds no messages of its own; its member
 * ports keep theirs, and threads receiving on the set wait on the set's
 * wait queue.  pset.c makes, fills and destroys sets; the message layer
 * (msg.c) receives from them.
 */
#ifndef IPC_PSET_H
#define IPC_PSET_H

#include <mach/port.h>

#include "ipc/object.h"
#include "kern/list.h"
#include "kern/waitq.h"

struct port;
struct space;

/*
 * A port set.
 * Owned by: its references (object.refs): the space entry naming it,
 *   plus temporary ones (a receiving thread holds one while it waits).
 * Guarded by: object.lock for `members`, `nmembers` and `name`;
 *   `receivers` has its own lock (after every object lock).  A member
 *   port's pset/pset_link change with both the set's and the port's
 *   locks held.
 * Lock order: space->lock, then pset->lock, then a member's port->lock.
 */
struct port_set {
	struct ipc_object object; /* kind IPC_OBJECT_PORT_SET; first */
	struct space *space;      /* the space naming the set */
	mach_port_name_t name;    /* its name there (MACH_PORT_NULL: dead) */
	struct list members;      /* struct port, via port->pset_link */
	uint32_t nmembers;
	struct waitq receivers; /* threads receiving on the set */
};

static inline struct port_set *pset_from_object(struct ipc_object *o)
{
	return (struct port_set *)o;
}

static inline unsigned long pset_lock(struct port_set *s)
{
	return spin_lock(&s->object.lock);
}

static inline void pset_unlock(struct port_set *s, unsigned long flags)
{
	spin_unlock(&s->object.lock, flags);
}

/* pset_init: set up the set cache.  Called by ipc_rights_init(). */
void pset_init(void);

/*
 * pset_alloc: a new, active, empty set with one reference (the entry's).
 * Returns: the set, or NULL on exhaustion.  Locks: any.
 */
struct port_set *pset_alloc(void);

void pset_ref(struct port_set *set);
void pset_release(struct port_set *set);

/*
 * pset_add: make PORT a member of SET, leaving any set it was in.  A
 * port with queued messages wakes the set's receivers; threads receiving
 * on the port itself are woken with MACH_RCV_PORT_CHANGED.
 * Locks: the space holding PORT's receive right and naming SET is
 *   locked by the caller; the set and port locks are not held.
 */
void pset_add(struct port_set *set, struct port *port);

/*
 * pset_remove: take PORT out of its set, if any.
 * Locks: as pset_add (the holder of the receive right, space locked).
 * Returns: whether PORT was in a set.
 */
bool pset_remove(struct port *port);

/*
 * pset_destroy: take every member out of SET, mark it dead, wake its
 * receivers with MACH_RCV_PORT_DIED.  The caller's reference stays.
 * Locks: the space naming SET locked; set and port locks not held.
 */
void pset_destroy(struct port_set *set);

#endif
