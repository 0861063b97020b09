/*
 * The routines of mach_port.defs on a struct space (port_interface.h).
 * Each checks its arguments in the order GNU Mach does (so the same bad
 * call gets the same code), locks the space, does its work on entries
 * through right.c and right_entry.c, unlocks, and only then sends the
 * notifications the change implies.
 */
#include "ipc/port_interface.h"

#include <mach/notify.h>

#include "ipc/port.h"
#include "ipc/pset.h"
#include "ipc/right.h"
#include "ipc/right_entry.h"
#include "ipc/space.h"
#include "kern/string.h"

/* The entry NAME denotes, checked for dead ports.  Space locked. */
static struct space_entry *lookup(struct space *space, mach_port_name_t name)
{
	struct space_entry *entry = space_lookup(space, name);

	if (entry != NULL)
		(void)right_check_dead(space, name, entry);
	return entry;
}

static mach_port_type_t reported_type(const struct space_entry *entry)
{
	return entry->type |
	       (entry->request != NULL ? MACH_PORT_TYPE_DNREQUEST : 0);
}

/* --- names --- */

struct names_fill {
	mach_port_name_t *names;
	mach_port_type_t *types;
	uint32_t n;
};

static void check_dead_one(struct space *space, mach_port_name_t name,
                           struct space_entry *entry, void *arg)
{
	(void)arg;
	(void)right_check_dead(space, name, entry);
}

static void fill_one(struct space *space, mach_port_name_t name,
                     struct space_entry *entry, void *arg)
{
	struct names_fill *f = arg;

	(void)space;
	f->names[f->n] = name;
	f->types[f->n] = reported_type(entry);
	f->n++;
}

kern_return_t mach_port_names(struct space *space, mach_port_name_t **names,
                              mach_port_type_t **types,
                              mach_msg_type_number_t *count)
{
	struct names_fill f = {0};
	kern_return_t kr;
	unsigned long fl;

	*names = NULL;
	*types = NULL;
	*count = 0;
	kr = space_lock_active(space, &fl);
	if (kr != KERN_SUCCESS)
		return kr;
	if (space->count > 0) {
		f.names = ipc_buffer_alloc(space->count * sizeof(*f.names));
		f.types = ipc_buffer_alloc(space->count * sizeof(*f.types));
		if (f.names == NULL || f.types == NULL) {
			space_unlock(space, fl);
			ipc_buffer_free(f.names);
			ipc_buffer_free(f.types);
			return KERN_RESOURCE_SHORTAGE;
		}
		space_foreach_entry(space, check_dead_one, NULL);
		space_foreach_entry(space, fill_one, &f);
		assert(f.n == space->count);
	}
	space_unlock(space, fl);
	*names = f.names;
	*types = f.types;
	*count = f.n;
	return KERN_SUCCESS;
}

kern_return_t mach_port_type(struct space *space, mach_port_name_t name,
                             mach_port_type_t *type)
{
	struct space_entry *entry;
	kern_return_t kr;
	unsigned long fl;

	kr = space_lock_active(space, &fl);
	if (kr != KERN_SUCCESS)
		return kr;
	entry = lookup(space, name);
	if (entry == NULL)
		kr = KERN_INVALID_NAME;
	else
		*type = reported_type(entry);
	space_unlock(space, fl);
	return kr;
}

/* Record in the objects that NAME is now the entry's name.  Locks:
 * space locked. */
static void renamed(struct space_entry *entry, mach_port_name_t name)
{
	unsigned long fl;

	if (entry->type & MACH_PORT_TYPE_PORT_SET) {
		struct port_set *set = pset_from_object(entry->object);

		fl = pset_lock(set);
		set->name = name;
		pset_unlock(set, fl);
	} else if (entry->object != NULL) {
		struct port *port = port_from_object(entry->object);

		fl = port_lock(port);
		if (entry->request != NULL)
			entry->request->name = name;
		if (entry->type & MACH_PORT_TYPE_RECEIVE)
			port->receiver_name = name;
		port_unlock(port, fl);
	}
}

kern_return_t mach_port_rename(struct space *space, mach_port_name_t old_name,
                               mach_port_name_t new_name)
{
	struct space_entry *entry, saved;
	mach_port_name_t name;
	kern_return_t kr;
	unsigned long fl;

	if (space == NULL)
		return KERN_INVALID_TASK;
	if (!MACH_PORT_NAME_VALID(new_name))
		return KERN_INVALID_VALUE;
	kr = space_lock_active(space, &fl);
	if (kr != KERN_SUCCESS)
		return kr;
	if (space_lookup(space, new_name) != NULL) {
		space_unlock(space, fl);
		return KERN_NAME_EXISTS;
	}
	entry = lookup(space, old_name);
	if (entry == NULL) {
		space_unlock(space, fl);
		return KERN_INVALID_NAME;
	}
	/* Free the old name first, so a full space can still rename; put
	 * the right back under it if the new one cannot be had. */
	saved = *entry;
	if (saved.type & MACH_PORT_TYPE_SEND_RECEIVE)
		space_rmap_remove(space, old_name, entry);
	entry->request = NULL;
	space_free_entry(space, old_name, entry);
	name = new_name;
	kr = space_alloc_entry_name(space, new_name, &entry);
	if (kr != KERN_SUCCESS) {
		name = old_name;
		if (space_alloc_entry_name(space, old_name, &entry) !=
		    KERN_SUCCESS)
			panic("mach_port_rename: lost name %#x", old_name);
	}
	entry->object = saved.object;
	entry->request = saved.request;
	entry->type = saved.type;
	entry->urefs = saved.urefs;
	if (saved.type & MACH_PORT_TYPE_SEND_RECEIVE)
		space_rmap_insert(space, name, entry);
	renamed(entry, name);
	space_unlock(space, fl);
	return kr;
}

/* --- allocate and destroy --- */

/* Make the object a new name for RIGHT will hold; NULL on exhaustion. */
static struct ipc_object *new_object(mach_port_right_t right)
{
	if (right == MACH_PORT_RIGHT_RECEIVE) {
		struct port *port = port_alloc();

		return port == NULL ? NULL : port_object(port);
	}
	if (right == MACH_PORT_RIGHT_PORT_SET) {
		struct port_set *set = pset_alloc();

		return set == NULL ? NULL : &set->object;
	}
	return NULL;
}

static void discard_object(struct ipc_object *object)
{
	if (object == NULL)
		return;
	object->active = false;
	object_release(object);
}

static bool allocatable(mach_port_right_t right)
{
	return right == MACH_PORT_RIGHT_RECEIVE ||
	       right == MACH_PORT_RIGHT_PORT_SET ||
	       right == MACH_PORT_RIGHT_DEAD_NAME;
}

/* A new RIGHT under *NAME (chosen by the space when WANT is NULL). */
static kern_return_t allocate(struct space *space, mach_port_right_t right,
                              mach_port_name_t want, mach_port_name_t *name)
{
	struct ipc_object *object = NULL;
	struct space_entry *entry;
	kern_return_t kr;
	unsigned long fl;

	if (right != MACH_PORT_RIGHT_DEAD_NAME) {
		object = new_object(right);
		if (object == NULL)
			return KERN_RESOURCE_SHORTAGE;
	}
	kr = space_lock_active(space, &fl);
	if (kr == KERN_SUCCESS) {
		*name = want;
		kr = want == MACH_PORT_NULL
		         ? space_alloc_entry(space, name, &entry)
		         : space_alloc_entry_name(space, want, &entry);
		if (kr != KERN_SUCCESS)
			space_unlock(space, fl);
	}
	if (kr != KERN_SUCCESS) {
		discard_object(object);
		return kr;
	}
	entry->object = object;
	entry->urefs = 1;
	if (right == MACH_PORT_RIGHT_RECEIVE) {
		struct port *port = port_from_object(object);

		entry->type = MACH_PORT_TYPE_RECEIVE;
		space_rmap_insert(space, *name, entry);
		port->receiver = space;
		port->receiver_name = *name;
	} else if (right == MACH_PORT_RIGHT_PORT_SET) {
		struct port_set *set = pset_from_object(object);

		entry->type = MACH_PORT_TYPE_PORT_SET;
		set->space = space;
		set->name = *name;
	} else {
		entry->type = MACH_PORT_TYPE_DEAD_NAME;
	}
	space_unlock(space, fl);
	return KERN_SUCCESS;
}

kern_return_t mach_port_allocate_name(struct space *space,
                                      mach_port_right_t right,
                                      mach_port_name_t name)
{
	mach_port_name_t got;

	if (space == NULL)
		return KERN_INVALID_TASK;
	if (!MACH_PORT_NAME_VALID(name) || !allocatable(right))
		return KERN_INVALID_VALUE;
	return allocate(space, right, name, &got);
}

kern_return_t mach_port_allocate(struct space *space, mach_port_right_t right,
                                 mach_port_name_t *name)
{
	if (space == NULL)
		return KERN_INVALID_TASK;
	if (!allocatable(right))
		return KERN_INVALID_VALUE;
	return allocate(space, right, MACH_PORT_NULL, name);
}

/*
 * The frame of a routine that works on one name: entry_op_begin locks
 * SPACE and finds NAME's entry; the caller works on op->entry (deferring
 * notifications and port destruction into op->d); entry_op_end unlocks
 * and runs what was deferred.  entry_op_end must follow every begin.
 */
struct entry_op {
	struct right_deferred d;
	struct space_entry *entry;
	unsigned long fl;
	bool locked;
};

/* Returns KERN_SUCCESS (SPACE locked, op->entry set), KERN_INVALID_TASK
 * (nothing locked) or KERN_INVALID_NAME (SPACE locked). */
static kern_return_t entry_op_begin(struct space *space, mach_port_name_t name,
                                    struct entry_op *op)
{
	kern_return_t kr;

	right_deferred_init(&op->d);
	op->entry = NULL;
	op->locked = false;
	kr = space_lock_active(space, &op->fl);
	if (kr != KERN_SUCCESS)
		return kr;
	op->locked = true;
	op->entry = space_lookup(space, name);
	return op->entry != NULL ? KERN_SUCCESS : KERN_INVALID_NAME;
}

/* Unlocks what entry_op_begin locked, runs the deferred work; returns KR. */
static kern_return_t entry_op_end(struct space *space, struct entry_op *op,
                                  kern_return_t kr)
{
	if (op->locked)
		space_unlock(space, op->fl);
	right_deferred_run(&op->d);
	return kr;
}

kern_return_t mach_port_destroy(struct space *space, mach_port_name_t name)
{
	struct entry_op op;
	kern_return_t kr = entry_op_begin(space, name, &op);

	if (kr == KERN_SUCCESS)
		right_entry_destroy(space, name, op.entry, &op.d);
	return entry_op_end(space, &op, kr);
}

kern_return_t mach_port_deallocate(struct space *space, mach_port_name_t name)
{
	struct entry_op op;
	kern_return_t kr = entry_op_begin(space, name, &op);

	if (kr == KERN_SUCCESS)
		kr = right_entry_dealloc(space, name, op.entry, &op.d);
	return entry_op_end(space, &op, kr);
}

/* --- user references --- */

kern_return_t mach_port_get_refs(struct space *space, mach_port_name_t name,
                                 mach_port_right_t right,
                                 mach_port_urefs_t *refs)
{
	struct space_entry *entry;
	kern_return_t kr;
	unsigned long fl;

	if (space == NULL)
		return KERN_INVALID_TASK;
	if (right >= MACH_PORT_RIGHT_NUMBER)
		return KERN_INVALID_VALUE;
	kr = space_lock_active(space, &fl);
	if (kr != KERN_SUCCESS)
		return kr;
	entry = lookup(space, name);
	if (entry == NULL) {
		kr = KERN_INVALID_NAME;
	} else if ((entry->type & MACH_PORT_TYPE(right)) == 0) {
		*refs = 0;
	} else if (right == MACH_PORT_RIGHT_SEND ||
	           right == MACH_PORT_RIGHT_DEAD_NAME) {
		*refs = entry->urefs;
	} else {
		*refs = 1;
	}
	space_unlock(space, fl);
	return kr;
}

kern_return_t mach_port_mod_refs(struct space *space, mach_port_name_t name,
                                 mach_port_right_t right,
                                 mach_port_delta_t delta)
{
	struct entry_op op;
	kern_return_t kr;

	if (space == NULL)
		return KERN_INVALID_TASK;
	if (right >= MACH_PORT_RIGHT_NUMBER)
		return KERN_INVALID_VALUE;
	kr = entry_op_begin(space, name, &op);
	if (kr == KERN_SUCCESS)
		kr = right_entry_delta(space, name, op.entry, right, delta,
		                       &op.d);
	return entry_op_end(space, &op, kr);
}

/* --- notifications and moving rights --- */

static kern_return_t request_receive(struct space *space, mach_port_name_t name,
                                     mach_msg_id_t id, mach_port_mscount_t sync,
                                     struct ipc_object *notify,
                                     struct ipc_object **previous,
                                     struct right_deferred *d)
{
	struct port *port;
	kern_return_t kr;
	unsigned long fl;

	kr = right_lookup_receive(space, name, &port);
	if (kr != KERN_SUCCESS)
		return kr;
	fl = port_lock(port);
	if (id == MACH_NOTIFY_PORT_DESTROYED) {
		*previous = port->pdrequest;
		port->pdrequest = notify;
	} else {
		*previous = port->nsrequest;
		if (port->srights == 0 && sync <= port->mscount &&
		    notify != IPC_OBJECT_NULL) {
			port->nsrequest = NULL;
			d->no_senders = notify;
			d->no_senders_count = port->mscount;
		} else {
			port->nsrequest = notify;
		}
	}
	port_unlock(port, fl);
	return KERN_SUCCESS;
}

kern_return_t mach_port_request_notification(struct space *space,
                                             mach_port_name_t name,
                                             mach_msg_id_t id,
                                             mach_port_mscount_t sync,
                                             struct ipc_object *notify,
                                             struct ipc_object **previous)
{
	struct right_deferred d;
	struct space_entry *entry;
	kern_return_t kr;
	unsigned long fl;

	*previous = IPC_OBJECT_NULL;
	if (space == NULL)
		return KERN_INVALID_TASK;
	if (notify == IPC_OBJECT_DEAD)
		return KERN_INVALID_CAPABILITY;
	if (id != MACH_NOTIFY_PORT_DESTROYED && id != MACH_NOTIFY_NO_SENDERS &&
	    id != MACH_NOTIFY_DEAD_NAME)
		return KERN_INVALID_VALUE;
	if (id == MACH_NOTIFY_PORT_DESTROYED && sync != 0)
		return KERN_INVALID_VALUE;
	kr = space_lock_active(space, &fl);
	if (kr != KERN_SUCCESS)
		return kr;
	right_deferred_init(&d);
	if (id != MACH_NOTIFY_DEAD_NAME) {
		kr = request_receive(space, name, id, sync, notify, previous,
		                     &d);
	} else {
		entry = space_lookup(space, name);
		if (entry == NULL)
			kr = KERN_INVALID_NAME;
		else
			kr = right_dnrequest(space, name, entry, sync != 0,
			                     notify, previous, &d);
	}
	space_unlock(space, fl);
	right_deferred_run(&d);
	return kr;
}

kern_return_t mach_port_insert_right(struct space *space, mach_port_name_t name,
                                     struct ipc_object *poly,
                                     mach_msg_type_name_t poly_type)
{
	kern_return_t kr;
	unsigned long fl;

	if (space == NULL)
		return KERN_INVALID_TASK;
	if (!MACH_PORT_NAME_VALID(name) ||
	    !MACH_MSG_TYPE_PORT_ANY_RIGHT(poly_type))
		return KERN_INVALID_VALUE;
	if (!IPC_OBJECT_VALID(poly))
		return KERN_INVALID_CAPABILITY;
	assert(poly->kind == IPC_OBJECT_PORT);
	kr = space_lock_active(space, &fl);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = right_insert(space, name, port_from_object(poly), poly_type);
	space_unlock(space, fl);
	return kr;
}

kern_return_t mach_port_extract_right(struct space *space,
                                      mach_port_name_t name,
                                      mach_msg_type_name_t disposition,
                                      struct ipc_object **poly,
                                      mach_msg_type_name_t *poly_type)
{
	struct entry_op op;
	kern_return_t kr;

	*poly = IPC_OBJECT_NULL;
	*poly_type = 0;
	if (space == NULL)
		return KERN_INVALID_TASK;
	if (!MACH_MSG_TYPE_PORT_ANY(disposition))
		return KERN_INVALID_VALUE;
	kr = entry_op_begin(space, name, &op);
	if (kr == KERN_SUCCESS)
		kr = right_entry_copyin(space, name, op.entry, disposition,
		                        true, poly, &op.d);
	kr = entry_op_end(space, &op, kr);
	if (kr == KERN_SUCCESS)
		*poly_type = right_transit_type(disposition);
	return kr;
}
