/*
 * Port rights crossing the boundary between a name space and a message:
 * the contract between the right layer (space.c, port.c, right.c) and the
 * message layer (copyin.c, copyout.c, msg.c).  See docs/IPC.md.
 *
 * A right "in transit" is an object reference plus a type, held by a
 * message: IPC_RIGHT_SEND, IPC_RIGHT_SEND_ONCE or IPC_RIGHT_RECEIVE
 * (gnumach-dev's MACH_MSG_TYPE_PORT_SEND, _SEND_ONCE, _RECEIVE values).
 * Each holds one reference on the object, and for a send right it counts
 * in port->srights, for a send-once right in port->sorights.
 *
 * The null and dead "objects": IPC_OBJECT_NULL (name MACH_PORT_NULL) and
 * IPC_OBJECT_DEAD (name MACH_PORT_DEAD, or a right to a port that died);
 * neither holds a reference.
 */
#ifndef IPC_RIGHT_H
#define IPC_RIGHT_H

#include <mach/kern_return.h>
#include <mach/message.h>
#include <mach/port.h>

#include "ipc/object.h"

struct port;
struct space_entry;
struct space;

#define IPC_OBJECT_NULL     ((struct ipc_object *)0)
#define IPC_OBJECT_DEAD     ((struct ipc_object *)-1)
#define IPC_OBJECT_VALID(o) ((o) != IPC_OBJECT_NULL && (o) != IPC_OBJECT_DEAD)

#define IPC_RIGHT_SEND      MACH_MSG_TYPE_PORT_SEND
#define IPC_RIGHT_SEND_ONCE MACH_MSG_TYPE_PORT_SEND_ONCE
#define IPC_RIGHT_RECEIVE   MACH_MSG_TYPE_PORT_RECEIVE

/*
 * right_copyin: take the right DISPOSITION (a MACH_MSG_TYPE_MOVE_*,
 * COPY_SEND or MAKE_*) names in SPACE out of (or from) NAME, for a
 * message.  On success *OBJECT holds the right in transit and *TYPE its
 * IPC_RIGHT_* type.
 *   MACH_PORT_NULL gives IPC_OBJECT_NULL; MACH_PORT_DEAD, or a send /
 *   send-once disposition on a dead name (or on a right whose port has
 *   died), gives IPC_OBJECT_DEAD when DEAD_OK, else KERN_INVALID_RIGHT.
 *   MOVE_RECEIVE takes the port out of its port set, if any, and wakes
 *   its receivers (MACH_RCV_PORT_DIED).  A right of the other send kind
 *   to a port that died counts as a dead name.  Moving the last right
 *   of a name that has a dead-name request sends port-deleted.
 * Locks: none held on entry or return (takes space->lock, port->lock).
 * Returns:
 *   KERN_SUCCESS
 *   KERN_INVALID_TASK   SPACE is dead (or NULL).
 *   KERN_INVALID_NAME   NAME denotes nothing in SPACE (or is stale).
 *   KERN_INVALID_RIGHT  NAME holds no right DISPOSITION can use, or it
 *                       denotes a port set.
 *   KERN_INVALID_VALUE  DISPOSITION is not a port disposition.
 */
kern_return_t right_copyin(struct space *space, mach_port_name_t name,
                           mach_msg_type_name_t disposition, bool dead_ok,
                           struct ipc_object **object,
                           mach_msg_type_name_t *type);

/*
 * right_copyout: give the right in transit (OBJECT, TYPE) to SPACE and
 * return its name there in *NAME.  A send right joins the space's
 * existing name for that port (more user references) when there is
 * one; a receive right joins the name of the space's send rights; a
 * send-once right always gets a new name.  A right to a dead port
 * becomes MACH_PORT_DEAD (the right is consumed).  IPC_OBJECT_NULL and
 * IPC_OBJECT_DEAD give MACH_PORT_NULL and MACH_PORT_DEAD.
 * A send right arriving at a name whose user references are at their
 * limit (0xfffe) is absorbed: the count stays there and the right is
 * consumed, as GNU Mach does for received messages (ipc_object_copyout
 * with overflow allowed); so KERN_UREFS_OVERFLOW is never returned
 * (mach_port_insert_right, which refuses instead, has its own path).
 * On failure the right is still in transit (the caller releases it).
 * Locks: none held on entry or return.
 * Returns:
 *   KERN_SUCCESS
 *   KERN_INVALID_TASK    SPACE is dead (or NULL).
 *   KERN_NO_SPACE        SPACE has no room for another name.
 */
kern_return_t right_copyout(struct space *space, struct ipc_object *object,
                            mach_msg_type_name_t type, mach_port_name_t *name);

/*
 * right_entry_fill: put the right in transit of carried TYPE to PORT into
 * ENTRY, fresh from space_alloc_entry for NAME, which takes the right's
 * reference (a receive right makes SPACE the port's receiver; send and
 * receive rights enter the reverse map).
 * Locks: SPACE and PORT locked; PORT active.
 */
void right_entry_fill(struct space *space, mach_port_name_t name,
                      struct space_entry *entry, struct port *port,
                      mach_msg_type_name_t type);

/*
 * Where right_name_send last found the name of a slot's port: a hint,
 * checked before each use, so that it never needs to be told when the
 * name changes (deallocated, its send right moved away, a new name for
 * the port, the slot given another port, the space terminated).
 * Owned by: the owner of the slot it goes with (a task, a thread).
 * Guarded by: the lock of the space the name is in (the slot owner's
 *   task's space, which never changes); all zeroes is a valid hint.
 */
struct right_name_hint {
	struct space_entry *entry; /* the entry that held NAME, or NULL */
	mach_port_name_t name;
};

/* right_name_send (ipc/right_name.h) copies a send right out to a space
 * the cheap way when it can. */

/*
 * right_release: destroy a right in transit, as when a message holding
 * it is destroyed: a send right may trigger a no-senders notification, a
 * send-once right sends a send-once notification through itself, a
 * receive right destroys its port (or goes to the port-destroyed
 * notification port, if one was requested).  NULL and DEAD do nothing.
 * Locks: none held on entry or return.
 */
void right_release(struct ipc_object *object, mach_msg_type_name_t type);

/*
 * right_copy_send: one more send right to PORT's object in transit (the
 * kernel making send rights for its own objects).  OBJECT must be an
 * active port.  Locks: none.
 */
void right_copy_send(struct ipc_object *object);

/*
 * ipc_rights_init: set up the right layer's caches (ports, sets,
 * spaces, dead-name requests) and the kernel space.  Called once at
 * startup, and by unit tests after resetting the allocators.
 * Locks: none.
 */
void ipc_rights_init(void);

#endif
