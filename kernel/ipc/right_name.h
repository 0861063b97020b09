/*
 * right_name_send: the name a space already has for a send right to a
 * port, with a reference added, found through a hint the caller keeps
 * (struct right_name_hint, ipc/right.h).  Inline, for mach_task_self
 * and its kin (task/traps.c), whose whole cost this is; the rest is
 * right.c's.
 */
#ifndef IPC_RIGHT_NAME_H
#define IPC_RIGHT_NAME_H

#include "ipc/port.h"
#include "ipc/right.h"
#include "ipc/space.h"

/*
 * right_name_send_search: right_name_send when the hint does not hold:
 * the reverse map, which brings HINT up to date.  PORT is the slot's.
 * Locks: SPACE locked and active, interrupts masked; SPACE unlocked on
 *   return.
 * Returns: as right_name_send.
 */
mach_port_name_t right_name_send_search(struct space *space, struct port *port,
                                        struct right_name_hint *hint);

/*
 * right_name_send_wait: right_name_send when SPACE's lock was not free
 * at once.  Locks and returns: as right_name_send.
 */
mach_port_name_t right_name_send_wait(struct space *space,
                                      struct port *const *slot,
                                      struct right_name_hint *hint);

/* right_name_send with SPACE locked (and unlocked on return). */
static __always_inline mach_port_name_t right_name_send_locked(
    struct space *space, struct port *const *slot, struct right_name_hint *hint)
{
	mach_port_name_t name = MACH_PORT_NULL;
	struct space_entry *entry;
	struct port *port;

	/* Read with SPACE locked: the port was live when read (the slot
	 * held a send right), and no right to another port at the same
	 * address can enter SPACE before the lookup, so an entry found
	 * holds this very port, and keeps it alive. */
	port = __atomic_load_n(slot, __ATOMIC_RELAXED);
	if (unlikely(!space->active))
		goto out;
	/* The hint holds when its entry, in SPACE's table (whose leaves
	 * live as long as SPACE is active), still has a send right to
	 * PORT under the same generation: then it is the one entry of
	 * SPACE for PORT, and the hint's name its name.  (An entry with a
	 * send right has an object: a null PORT goes to the search.) */
	entry = hint->entry;
	if (unlikely(entry == NULL || entry->object != port_object(port) ||
	             !(entry->type & MACH_PORT_TYPE_SEND) ||
	             entry->gen != SPACE_NAME_GEN(hint->name)))
		return right_name_send_search(space, port, hint);
	if (unlikely(entry->urefs >= SPACE_UREFS_MAX - 1 || !port_active(port)))
		goto out;
	entry->urefs++;
	name = hint->name;
out:
	spin_unlock_masked(&space->lock);
	return name;
}

/*
 * right_name_send: the common case of copying out to SPACE a send right
 * made from the port in *SLOT (a task's or thread's self port, say),
 * without making the right: when SPACE already names a send right to
 * that port below its user-reference limit, add a reference and return
 * the name.  HINT (SPACE's, for this slot) spares the search for the
 * name when it still holds, and is brought up to date when not.  *SLOT
 * is read once, with SPACE locked.
 * Locks: none held on entry or return (takes SPACE->lock); interrupts
 *   masked (for the quick traps, task/traps.h).
 * Returns: the name, or MACH_PORT_NULL (*SLOT empty, no such name, the
 *   references at their limit, the port or SPACE dead), having changed
 *   nothing but HINT: the caller then takes the general way (make the
 *   right, right_copyout).
 */
static __always_inline mach_port_name_t right_name_send(
    struct space *space, struct port *const *slot, struct right_name_hint *hint)
{
	/* The wait for the lock out of line keeps this way free of calls
	 * (and of saved registers). */
	if (unlikely(!spin_trylock_masked(&space->lock)))
		return right_name_send_wait(space, slot, hint);
	return right_name_send_locked(space, slot, hint);
}

#endif
