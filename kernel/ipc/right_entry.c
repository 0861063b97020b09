/*
 * What the port interface does to the rights of one name: destroy them
 * all (mach_port_destroy, and a terminated space), release one user
 * reference (mach_port_deallocate), change a count (mach_port_mod_refs).
 * Each runs with the space locked and leaves the work that sends
 * messages in a struct right_deferred (right_entry.h).
 */
#include "ipc/port.h"
#include "ipc/pset.h"
#include "ipc/right.h"
#include "ipc/right_entry.h"
#include "ipc/space.h"

/* Would DELTA take the count below zero, or to the limit or beyond? */
static bool urefs_underflow(uint32_t urefs, mach_port_delta_t delta)
{
	return delta < 0 && (int64_t)urefs + delta < 0;
}

/* GNU Mach lets a dead name's count reach SPACE_UREFS_MAX, but a send
 * right's only SPACE_UREFS_MAX - 1 (tests/system/modules/ipc-edges.c). */
static bool urefs_overflow(uint32_t urefs, mach_port_delta_t delta,
                           mach_port_right_t right)
{
	uint32_t max = right == MACH_PORT_RIGHT_DEAD_NAME ? SPACE_UREFS_MAX
	                                                  : SPACE_UREFS_MAX - 1;

	return delta > 0 && (int64_t)urefs + delta > max;
}

/* Free the name of a send or send-once right (all its user references),
 * cancelling its request; the right goes to D with the entry's
 * reference.  Locks: SPACE locked. */
static void drop_send_name(struct space *space, mach_port_name_t name,
                           struct space_entry *entry, struct right_deferred *d)
{
	struct port *port = port_from_object(entry->object);
	unsigned long fl = port_lock(port);

	d->deleted_notify = right_dncancel_locked(port, entry);
	d->deleted_name = name;
	port_unlock(port, fl);
	if (entry->type & MACH_PORT_TYPE_SEND) {
		space_rmap_remove(space, name, entry);
		d->release_send = port;
	} else {
		d->release_sonce = port;
	}
	space_free_entry(space, name, entry);
}

/* Drop the send right of a send+receive name; the receive right keeps
 * the name and its reference.  Locks: SPACE locked. */
static void drop_send_keep_receive(struct space_entry *entry,
                                   struct right_deferred *d)
{
	struct port *port = port_from_object(entry->object);

	entry->type = MACH_PORT_TYPE_RECEIVE;
	entry->urefs = 1;
	port_ref(port);
	d->release_send = port;
}

/*
 * Destroy the receive right of NAME.  A send right on the same name
 * becomes a dead name when KEEP_DEAD (mod_refs), or goes too (destroy).
 * Locks: SPACE locked.
 */
static void destroy_receive(struct space *space, mach_port_name_t name,
                            struct space_entry *entry, bool keep_dead,
                            struct right_deferred *d)
{
	struct port *port = port_from_object(entry->object);
	bool send = (entry->type & MACH_PORT_TYPE_SEND) != 0;
	unsigned long fl;

	pset_remove(port);
	fl = port_lock(port);
	/* Cleared for good by port_destroy, after the send right (whose
	 * no-senders notification carries the make-send count) is gone. */
	port->receiver = NULL;
	port->receiver_name = MACH_PORT_NULL;
	if (send)
		port_ref(port); /* for the send right, released first */
	if (!(send && keep_dead)) {
		d->deleted_notify = right_dncancel_locked(port, entry);
		d->deleted_name = name;
	}
	port_unlock(port, fl);
	space_rmap_remove(space, name, entry);
	if (send)
		d->release_send = port;
	d->destroy = port;
	if (send && keep_dead) {
		/* The dead-name request stays on the port and fires as it
		 * dies: its notification brings one more user reference. */
		entry->urefs += entry->request != NULL ? 1 : 0;
		entry->request = NULL;
		entry->object = NULL;
		entry->type = MACH_PORT_TYPE_DEAD_NAME;
		return;
	}
	space_free_entry(space, name, entry);
}

static void destroy_set(struct space *space, mach_port_name_t name,
                        struct space_entry *entry)
{
	struct port_set *set = pset_from_object(entry->object);

	pset_destroy(set);
	space_free_entry(space, name, entry);
	pset_release(set);
}

void right_entry_destroy(struct space *space, mach_port_name_t name,
                         struct space_entry *entry, struct right_deferred *d)
{
	assert_locked(&space->lock);
	(void)right_check_dead(space, name, entry);
	switch (entry->type) {
	case MACH_PORT_TYPE_DEAD_NAME:
		space_free_entry(space, name, entry);
		break;
	case MACH_PORT_TYPE_PORT_SET:
		destroy_set(space, name, entry);
		break;
	case MACH_PORT_TYPE_SEND:
	case MACH_PORT_TYPE_SEND_ONCE:
		drop_send_name(space, name, entry, d);
		break;
	case MACH_PORT_TYPE_RECEIVE:
	case MACH_PORT_TYPE_SEND_RECEIVE:
		destroy_receive(space, name, entry, false, d);
		break;
	default:
		panic("space entry %#x: bad type %#x", name, entry->type);
	}
}

void right_entry_clean(struct space *space, mach_port_name_t name,
                       struct space_entry *entry)
{
	struct right_deferred d;
	unsigned long fl;

	assert(!space->active);
	right_deferred_init(&d);
	fl = space_lock(space);
	right_entry_destroy(space, name, entry, &d);
	space_unlock(space, fl);
	right_deferred_run(&d);
}

kern_return_t right_entry_dealloc(struct space *space, mach_port_name_t name,
                                  struct space_entry *entry,
                                  struct right_deferred *d)
{
	assert_locked(&space->lock);
	(void)right_check_dead(space, name, entry);
	switch (entry->type) {
	case MACH_PORT_TYPE_DEAD_NAME:
		if (--entry->urefs == 0)
			space_free_entry(space, name, entry);
		return KERN_SUCCESS;
	case MACH_PORT_TYPE_SEND_ONCE:
		drop_send_name(space, name, entry, d);
		return KERN_SUCCESS;
	case MACH_PORT_TYPE_SEND:
		if (entry->urefs > 1)
			entry->urefs--;
		else
			drop_send_name(space, name, entry, d);
		return KERN_SUCCESS;
	case MACH_PORT_TYPE_SEND_RECEIVE:
		if (entry->urefs > 1)
			entry->urefs--;
		else
			drop_send_keep_receive(entry, d);
		return KERN_SUCCESS;
	default:
		return KERN_INVALID_RIGHT;
	}
}

kern_return_t right_entry_delta(struct space *space, mach_port_name_t name,
                                struct space_entry *entry,
                                mach_port_right_t right,
                                mach_port_delta_t delta,
                                struct right_deferred *d)
{
	uint32_t urefs;

	assert_locked(&space->lock);
	assert(right < MACH_PORT_RIGHT_NUMBER);
	(void)right_check_dead(space, name, entry);
	if ((entry->type & MACH_PORT_TYPE(right)) == 0)
		return KERN_INVALID_RIGHT;
	switch (right) {
	case MACH_PORT_RIGHT_PORT_SET:
	case MACH_PORT_RIGHT_RECEIVE:
	case MACH_PORT_RIGHT_SEND_ONCE:
		/* A name holds at most one of these: 0 or -1 only. */
		if (delta == 0)
			return KERN_SUCCESS;
		if (delta != -1)
			return KERN_INVALID_VALUE;
		if (right == MACH_PORT_RIGHT_PORT_SET)
			destroy_set(space, name, entry);
		else if (right == MACH_PORT_RIGHT_RECEIVE)
			destroy_receive(space, name, entry, true, d);
		else
			drop_send_name(space, name, entry, d);
		return KERN_SUCCESS;
	default: /* MACH_PORT_RIGHT_SEND, MACH_PORT_RIGHT_DEAD_NAME */
		urefs = entry->urefs;
		if (urefs_underflow(urefs, delta))
			return KERN_INVALID_VALUE;
		if (urefs_overflow(urefs, delta, right))
			return KERN_UREFS_OVERFLOW;
		urefs = (uint32_t)((int64_t)urefs + delta);
		if (urefs > 0)
			entry->urefs = (uint16_t)urefs;
		else if (right == MACH_PORT_RIGHT_DEAD_NAME)
			space_free_entry(space, name, entry);
		else if (entry->type & MACH_PORT_TYPE_RECEIVE)
			drop_send_keep_receive(entry, d);
		else
			drop_send_name(space, name, entry, d);
		return KERN_SUCCESS;
	}
}
