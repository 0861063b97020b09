/*
 * Copying out a send right the cheap way: when a space already names a
 * send right to the port, the name, with a reference added.  For
 * mach_task_self and its kin (task/traps.c), whose whole cost this is.
 * The caller keeps a hint of where the name was found last (struct
 * right_name_hint, ipc/right.h): right_name_send_hinted, inline and
 * without a call, tries only that; right_name_send (right.c) searches
 * the reverse map and brings the hint up to date.
 */
#ifndef IPC_RIGHT_NAME_H
#define IPC_RIGHT_NAME_H

#include "ipc/port.h"
#include "ipc/right.h"
#include "ipc/space.h"

/*
 * right_name_send: when SPACE already names a send right to the port in
 * *SLOT (a task's or thread's self port, say) below its user-reference
 * limit, add a reference and return the name, without making a right;
 * HINT (SPACE's, for this slot) is set to where the name was found.
 * *SLOT is read once, with SPACE locked.
 * Locks: none held on entry or return (takes SPACE->lock).
 * Returns: the name, or MACH_PORT_NULL (*SLOT empty, no such name, the
 *   references at their limit, the port or SPACE dead), having changed
 *   nothing but HINT: the caller then takes the general way (make the
 *   right, right_copyout).
 */
mach_port_name_t right_name_send(struct space *space, struct port *const *slot,
                                 struct right_name_hint *hint);

/*
 * right_name_send_hinted: right_name_send where HINT still holds and
 * SPACE's lock is free at once; MACH_PORT_NULL, having changed nothing,
 * in every other case (then right_name_send).  The hint holds when its
 * entry, in SPACE's table (whose leaves live as long as SPACE is
 * active), still has a send right to the port under the same
 * generation: then it is the one entry of SPACE for that port, and the
 * hint's name its name.  It calls no function (but panic).
 * Locks: none held on entry or return; interrupts masked (for the quick
 *   traps, task/traps.h).
 */
static __always_inline mach_port_name_t
right_name_send_hinted(struct space *space, struct port *const *slot,
                       const struct right_name_hint *hint)
{
	mach_port_name_t name = MACH_PORT_NULL;
	struct space_entry *entry;
	struct port *port;

	if (unlikely(!spin_trylock_masked(&space->lock)))
		return MACH_PORT_NULL;
	/* Read with SPACE locked: the entry's send right, if it is one to
	 * this port, keeps the port alive.  (An entry with a send right
	 * has an object: a null *SLOT matches none.) */
	entry = hint->entry;
	port = __atomic_load_n(slot, __ATOMIC_RELAXED);
	if (likely(entry != NULL && space->active &&
	           entry->object == port_object(port) &&
	           (entry->type & MACH_PORT_TYPE_SEND) &&
	           entry->gen == SPACE_NAME_GEN(hint->name) &&
	           entry->urefs < SPACE_UREFS_MAX - 1 && port_active(port))) {
		entry->urefs++;
		name = hint->name;
	}
	spin_unlock_masked(&space->lock);
	return name;
}

#endif
