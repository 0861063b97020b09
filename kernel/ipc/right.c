/*
 * Rights crossing between spaces and messages (ipc/right.h): copyin
 * takes a right out of a name, copyout gives one a name, release
 * destroys one in transit.  Also the pieces every right operation
 * shares: the deferred work run after the space lock, the lazy turning
 * of rights to dead ports into dead names, and dead-name requests.
 * Per-name operations of the port interface are in right_entry.c.
 */
#include "ipc/right.h"

#include "ipc/notify.h"
#include "ipc/port.h"
#include "ipc/pset.h"
#include "ipc/right_entry.h"
#include "ipc/right_name.h"
#include "ipc/space.h"

void ipc_rights_init(void)
{
	port_init();
	pset_init();
	space_init();
}

/* --- deferred work --- */

void right_deferred_init(struct right_deferred *d)
{
	*d = (struct right_deferred){0};
}

void right_deferred_run(struct right_deferred *d)
{
	/* The send right first: a no-senders notification is due while the
	 * port still lives, as when the rights went one by one. */
	if (d->release_send != NULL)
		port_release_send(d->release_send);
	if (d->destroy != NULL)
		port_destroy(d->destroy);
	if (d->release_sonce != NULL)
		notify_send_once(port_object(d->release_sonce));
	if (d->deleted_notify != NULL)
		notify_port_deleted(d->deleted_notify, d->deleted_name);
	if (d->dead_notify != NULL)
		notify_dead_name(d->dead_notify, d->dead_name);
	if (d->no_senders != NULL)
		notify_no_senders(d->no_senders, d->no_senders_count);
	right_deferred_init(d);
}

kern_return_t right_lookup_receive(struct space *space, mach_port_name_t name,
                                   struct port **port)
{
	struct space_entry *entry = space_lookup(space, name);

	if (entry == NULL)
		return KERN_INVALID_NAME;
	if ((entry->type & MACH_PORT_TYPE_RECEIVE) == 0)
		return KERN_INVALID_RIGHT;
	*port = port_from_object(entry->object);
	return KERN_SUCCESS;
}

/* --- dead names --- */

struct ipc_object *right_dncancel_locked(struct port *port,
                                         struct space_entry *entry)
{
	struct dnrequest *req = entry->request;
	struct ipc_object *notify;

	assert_locked(&port->object.lock);
	if (req == NULL)
		return NULL;
	entry->request = NULL;
	if (!port->object.active)
		return NULL; /* fired with the port's death */
	list_remove(&req->link);
	notify = req->notify;
	dnrequest_free(req);
	return notify;
}

bool right_check_dead(struct space *space, mach_port_name_t name,
                      struct space_entry *entry)
{
	mach_port_type_t type = entry->type;
	struct port *port;
	unsigned long fl;
	uint32_t urefs;

	assert_locked(&space->lock);
	if ((type & MACH_PORT_TYPE_SEND_RIGHTS) == 0 ||
	    (type & MACH_PORT_TYPE_RECEIVE) != 0)
		return false;
	port = port_from_object(entry->object);
	/* Alive when looked at: nothing to do, and no need of the port's
	 * lock for that (a death just after is as if it came after the
	 * call); the common case.  Death is final: once seen, it stays. */
	if (__atomic_load_n(&port->object.active, __ATOMIC_ACQUIRE))
		return false;
	fl = port_lock(port);
	if (type & MACH_PORT_TYPE_SEND)
		port->srights--;
	else
		port->sorights--;
	port_unlock(port, fl);
	if (type & MACH_PORT_TYPE_SEND)
		space_rmap_remove(space, name, entry);
	/* A request that fired sent a dead-name notification naming this
	 * entry: the task gets a user reference for that name. */
	urefs = entry->urefs + (entry->request != NULL ? 1 : 0);
	entry->request = NULL;
	entry->object = NULL;
	entry->type = MACH_PORT_TYPE_DEAD_NAME;
	entry->urefs = (uint16_t)urefs;
	port_release(port);
	return true;
}

/* --- copyin --- */

/* Consume one user reference of a dead name (MOVE_* on it). */
static void dead_name_consume(struct space *space, mach_port_name_t name,
                              struct space_entry *entry)
{
	if (--entry->urefs == 0)
		space_free_entry(space, name, entry);
}

/*
 * ENTRY lacks the right a disposition needs: is it a dead name?  A
 * right of the other send kind whose port died counts as one, so the
 * answer does not depend on whether the death was noticed yet.
 */
static bool dead_name(struct space *space, mach_port_name_t name,
                      struct space_entry *entry)
{
	(void)right_check_dead(space, name, entry);
	return entry->type == MACH_PORT_TYPE_DEAD_NAME;
}

/* Free ENTRY, which held only the right the caller took (its reference
 * goes with that right), cancelling its dead-name request. */
static void entry_give_up(struct space *space, mach_port_name_t name,
                          struct space_entry *entry, struct port *port,
                          struct right_deferred *d)
{
	unsigned long fl = port_lock(port);

	d->deleted_notify = right_dncancel_locked(port, entry);
	d->deleted_name = name;
	port_unlock(port, fl);
	if (entry->type & MACH_PORT_TYPE_SEND_RECEIVE)
		space_rmap_remove(space, name, entry);
	space_free_entry(space, name, entry);
}

static kern_return_t copyin_receive(struct space *space, mach_port_name_t name,
                                    struct space_entry *entry,
                                    struct ipc_object **object,
                                    struct right_deferred *d)
{
	struct port *port;
	unsigned long fl;

	if ((entry->type & MACH_PORT_TYPE_RECEIVE) == 0)
		return KERN_INVALID_RIGHT;
	port = port_from_object(entry->object);
	pset_remove(port);
	fl = port_lock(port);
	port_clear_receiver_locked(port);
	if (entry->type & MACH_PORT_TYPE_SEND) {
		/* The send rights keep the name. */
		entry->type = MACH_PORT_TYPE_SEND;
		port_ref(port);
	}
	port_unlock(port, fl);
	if (entry->type & MACH_PORT_TYPE_RECEIVE)
		entry_give_up(space, name, entry, port, d);
	*object = port_object(port);
	return KERN_SUCCESS;
}

static kern_return_t copyin_send(struct space *space, mach_port_name_t name,
                                 struct space_entry *entry, bool move,
                                 bool dead_ok, struct ipc_object **object,
                                 struct right_deferred *d)
{
	struct port *port;
	unsigned long fl;

	if ((entry->type & MACH_PORT_TYPE_SEND) == 0 ||
	    right_check_dead(space, name, entry)) {
		if (!dead_name(space, name, entry) || !dead_ok)
			return KERN_INVALID_RIGHT;
		if (move)
			dead_name_consume(space, name, entry);
		*object = IPC_OBJECT_DEAD;
		return KERN_SUCCESS;
	}
	port = port_from_object(entry->object);
	*object = port_object(port);
	if (!move || entry->urefs > 1) {
		/* A new send right; the name keeps its own. */
		fl = port_lock(port);
		port_copy_send_locked(port);
		port_unlock(port, fl);
		if (move)
			entry->urefs--;
		return KERN_SUCCESS;
	}
	/* The name's only send right leaves it. */
	if (entry->type & MACH_PORT_TYPE_RECEIVE) {
		entry->type = MACH_PORT_TYPE_RECEIVE;
		entry->urefs = 1;
		port_ref(port);
	} else {
		entry_give_up(space, name, entry, port, d);
	}
	return KERN_SUCCESS;
}

kern_return_t right_entry_copyin(struct space *space, mach_port_name_t name,
                                 struct space_entry *entry,
                                 mach_msg_type_name_t disposition, bool dead_ok,
                                 struct ipc_object **object,
                                 struct right_deferred *d)
{
	struct port *port;
	unsigned long fl;

	assert_locked(&space->lock);
	switch (disposition) {
	case MACH_MSG_TYPE_MAKE_SEND:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		if ((entry->type & MACH_PORT_TYPE_RECEIVE) == 0)
			return KERN_INVALID_RIGHT;
		port = port_from_object(entry->object);
		fl = port_lock(port);
		if (disposition == MACH_MSG_TYPE_MAKE_SEND)
			port_make_send_locked(port);
		else
			port_make_sonce_locked(port);
		port_unlock(port, fl);
		*object = port_object(port);
		return KERN_SUCCESS;
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		return copyin_receive(space, name, entry, object, d);
	case MACH_MSG_TYPE_COPY_SEND:
	case MACH_MSG_TYPE_MOVE_SEND:
		return copyin_send(space, name, entry,
		                   disposition == MACH_MSG_TYPE_MOVE_SEND,
		                   dead_ok, object, d);
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		if ((entry->type & MACH_PORT_TYPE_SEND_ONCE) == 0 ||
		    right_check_dead(space, name, entry)) {
			if (!dead_name(space, name, entry) || !dead_ok)
				return KERN_INVALID_RIGHT;
			dead_name_consume(space, name, entry);
			*object = IPC_OBJECT_DEAD;
			return KERN_SUCCESS;
		}
		port = port_from_object(entry->object);
		entry_give_up(space, name, entry, port, d);
		*object = port_object(port);
		return KERN_SUCCESS;
	default:
		return KERN_INVALID_VALUE;
	}
}

kern_return_t right_copyin(struct space *space, mach_port_name_t name,
                           mach_msg_type_name_t disposition, bool dead_ok,
                           struct ipc_object **object,
                           mach_msg_type_name_t *type)
{
	struct right_deferred d;
	struct space_entry *entry;
	kern_return_t kr;
	unsigned long fl;

	*object = IPC_OBJECT_NULL;
	*type = right_transit_type(disposition);
	if (*type == 0)
		return KERN_INVALID_VALUE;
	if (name == MACH_PORT_NULL)
		return KERN_SUCCESS;
	if (name == MACH_PORT_DEAD) {
		if (!dead_ok)
			return KERN_INVALID_RIGHT;
		*object = IPC_OBJECT_DEAD;
		return KERN_SUCCESS;
	}
	if (space == NULL)
		return KERN_INVALID_TASK;
	assert_unlocked(&space->lock);
	right_deferred_init(&d);
	fl = space_lock(space);
	if (!space->active) {
		kr = KERN_INVALID_TASK;
	} else {
		entry = space_lookup(space, name);
		if (entry == NULL)
			kr = KERN_INVALID_NAME;
		else
			kr = right_entry_copyin(space, name, entry, disposition,
			                        dead_ok, object, &d);
	}
	space_unlock(space, fl);
	right_deferred_run(&d);
	return kr;
}

/* --- copyout and insert --- */

void right_entry_fill(struct space *space, mach_port_name_t name,
                      struct space_entry *entry, struct port *port,
                      mach_msg_type_name_t type)
{
	entry->object = port_object(port);
	entry->urefs = 1;
	switch (type) {
	case MACH_MSG_TYPE_PORT_SEND_ONCE:
		entry->type = MACH_PORT_TYPE_SEND_ONCE;
		return;
	case MACH_MSG_TYPE_PORT_SEND:
		entry->type = MACH_PORT_TYPE_SEND;
		break;
	default:
		entry->type = MACH_PORT_TYPE_RECEIVE;
		port->receiver = space;
		port->receiver_name = name;
		break;
	}
	space_rmap_insert(space, name, entry);
}

/*
 * Merge the send or receive right in transit into ENTRY, which holds
 * the space's send and/or receive rights for PORT.  At the user
 * reference limit, PEG keeps the count there and drops the right (as
 * a received message does); otherwise it is KERN_UREFS_OVERFLOW.
 * Locks: space and port locked.
 */
static kern_return_t entry_join(struct space *space, mach_port_name_t name,
                                struct space_entry *entry, struct port *port,
                                mach_msg_type_name_t type, bool peg)
{
	if (type == MACH_MSG_TYPE_PORT_RECEIVE) {
		assert(entry->type == MACH_PORT_TYPE_SEND);
		entry->type |= MACH_PORT_TYPE_RECEIVE;
		port->receiver = space;
		port->receiver_name = name;
	} else if ((entry->type & MACH_PORT_TYPE_SEND) == 0) {
		entry->type |= MACH_PORT_TYPE_SEND;
		entry->urefs = 1;
	} else {
		if (entry->urefs + 1u >= SPACE_UREFS_MAX && !peg)
			return KERN_UREFS_OVERFLOW;
		if (entry->urefs + 1u < SPACE_UREFS_MAX)
			entry->urefs++;
		assert(port->srights > 1);
		port->srights--;
	}
	port_unref_nonlast(port);
	return KERN_SUCCESS;
}

kern_return_t right_insert(struct space *space, mach_port_name_t name,
                           struct port *port, mach_msg_type_name_t type)
{
	struct space_entry *entry;
	mach_port_name_t oname;
	kern_return_t kr;
	unsigned long fl;

	assert_locked(&space->lock);
	assert(space->active);
	fl = port_lock(port);
	if (port->object.active && type != MACH_MSG_TYPE_PORT_SEND_ONCE &&
	    (entry = space_rmap_lookup(space, port_object(port), &oname))) {
		kr = oname != name
		         ? KERN_RIGHT_EXISTS
		         : entry_join(space, name, entry, port, type, false);
	} else if (space_lookup(space, name) != NULL) {
		kr = KERN_NAME_EXISTS;
	} else if (!port->object.active) {
		kr = KERN_INVALID_CAPABILITY;
	} else {
		kr = space_alloc_entry_name(space, name, &entry);
		if (kr == KERN_SUCCESS)
			right_entry_fill(space, name, entry, port, type);
	}
	port_unlock(port, fl);
	return kr;
}

kern_return_t right_copyout(struct space *space, struct ipc_object *object,
                            mach_msg_type_name_t type, mach_port_name_t *name)
{
	struct space_entry *entry;
	struct port *port;
	kern_return_t kr = KERN_SUCCESS;
	unsigned long sfl, pfl;

	if (!IPC_OBJECT_VALID(object)) {
		*name =
		    object == IPC_OBJECT_NULL ? MACH_PORT_NULL : MACH_PORT_DEAD;
		return KERN_SUCCESS;
	}
	if (space == NULL)
		return KERN_INVALID_TASK;
	assert(object->kind == IPC_OBJECT_PORT);
	assert_unlocked(&space->lock);
	port = port_from_object(object);
	sfl = space_lock(space);
	if (!space->active) {
		space_unlock(space, sfl);
		return KERN_INVALID_TASK;
	}
	pfl = port_lock(port);
	if (!port->object.active) {
		/* The right died in transit: the receiver sees a dead name. */
		assert(type != MACH_MSG_TYPE_PORT_RECEIVE);
		if (type == MACH_MSG_TYPE_PORT_SEND)
			port->srights--;
		else
			port->sorights--;
		port_unlock(port, pfl);
		space_unlock(space, sfl);
		port_release(port);
		*name = MACH_PORT_DEAD;
		return KERN_SUCCESS;
	}
	if (type != MACH_MSG_TYPE_PORT_SEND_ONCE &&
	    (entry = space_rmap_lookup(space, object, name)) != NULL) {
		kr = entry_join(space, *name, entry, port, type, true);
		assert(kr == KERN_SUCCESS);
	} else {
		kr = space_alloc_entry(space, name, &entry);
		if (kr == KERN_SUCCESS)
			right_entry_fill(space, *name, entry, port, type);
	}
	port_unlock(port, pfl);
	space_unlock(space, sfl);
	return kr;
}

mach_port_name_t right_name_send(struct space *space, struct port *const *slot,
                                 struct right_name_hint *hint)
{
	mach_port_name_t name = MACH_PORT_NULL;
	struct space_entry *entry;
	struct port *port;
	unsigned long f;

	f = space_lock(space);
	/* Read with SPACE locked: the port was live when read (the slot
	 * held a send right), and no right to another port at the same
	 * address can enter SPACE before the lookup, so an entry found
	 * holds this very port, and keeps it alive. */
	port = __atomic_load_n(slot, __ATOMIC_RELAXED);
	if (port == NULL || !space->active)
		goto out;
	entry = space_rmap_lookup(space, port_object(port), &name);
	if (entry == NULL || !(entry->type & MACH_PORT_TYPE_SEND)) {
		name = MACH_PORT_NULL;
		goto out;
	}
	hint->entry = entry;
	hint->name = name;
	if (entry->urefs >= SPACE_UREFS_MAX - 1 || !port_active(port))
		name = MACH_PORT_NULL;
	else
		entry->urefs++;
out:
	space_unlock(space, f);
	return name;
}

/* --- rights in transit --- */

void right_release(struct ipc_object *object, mach_msg_type_name_t type)
{
	struct port *port;
	unsigned long fl;
	bool active;

	if (!IPC_OBJECT_VALID(object))
		return;
	assert(object->kind == IPC_OBJECT_PORT);
	port = port_from_object(object);
	switch (type) {
	case MACH_MSG_TYPE_PORT_SEND:
		port_release_send(port);
		break;
	case MACH_MSG_TYPE_PORT_SEND_ONCE:
		fl = port_lock(port);
		active = port->object.active;
		port_unlock(port, fl);
		if (active)
			notify_send_once(object);
		else
			port_release_sonce(port);
		break;
	case MACH_MSG_TYPE_PORT_RECEIVE:
		port_destroy(port);
		break;
	default:
		panic("right_release: type %u", type);
	}
}

void right_copy_send(struct ipc_object *object)
{
	struct port *port = port_from_object(object);
	unsigned long fl;

	assert(IPC_OBJECT_VALID(object) && object->kind == IPC_OBJECT_PORT);
	fl = port_lock(port);

	assert(port->object.active);
	port->srights++;
	port_ref(port);
	port_unlock(port, fl);
}

/* --- dead-name requests --- */

kern_return_t right_dnrequest(struct space *space, mach_port_name_t name,
                              struct space_entry *entry, bool immediate,
                              struct ipc_object *notify,
                              struct ipc_object **previous,
                              struct right_deferred *d)
{
	*previous = IPC_OBJECT_NULL;
	assert_locked(&space->lock);
	while ((entry->type & MACH_PORT_TYPE_PORT_RIGHTS) != 0 &&
	       !right_check_dead(space, name, entry)) {
		struct port *port = port_from_object(entry->object);
		struct dnrequest *req = NULL;
		unsigned long fl;

		if (notify != IPC_OBJECT_NULL && entry->request == NULL) {
			req = dnrequest_alloc();
			if (req == NULL)
				return KERN_RESOURCE_SHORTAGE;
		}
		fl = port_lock(port);
		if (!port->object.active) {
			/* Died since the check: look again. */
			port_unlock(port, fl);
			if (req != NULL)
				dnrequest_free(req);
			continue;
		}
		if (entry->request != NULL) {
			*previous = entry->request->notify;
			if (notify == IPC_OBJECT_NULL)
				(void)right_dncancel_locked(port, entry);
			else
				entry->request->notify = notify;
		} else if (notify != IPC_OBJECT_NULL) {
			req->name = name;
			req->notify = notify;
			list_push_back(&port->dnrequests, &req->link);
			entry->request = req;
		}
		port_unlock(port, fl);
		return KERN_SUCCESS;
	}
	if ((entry->type & MACH_PORT_TYPE_DEAD_NAME) && immediate &&
	    notify != IPC_OBJECT_NULL) {
		if (entry->urefs + 1u >
		    SPACE_UREFS_MAX) /* dead names reach it */
			return KERN_UREFS_OVERFLOW;
		entry->urefs++;
		d->dead_notify = notify;
		d->dead_name = name;
		return KERN_SUCCESS;
	}
	return (entry->type & MACH_PORT_TYPE_DEAD_NAME) ? KERN_INVALID_ARGUMENT
	                                                : KERN_INVALID_RIGHT;
}
