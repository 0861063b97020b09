/*
 * Operations on the rights of one space entry, shared inside the right
 * layer (right.c, port_interface.c, space.c).  Each works with the space
 * locked and collects what must happen after the space is unlocked
 * (destroying ports, releasing rights, sending notifications) in a
 * struct right_deferred, which the caller runs with no lock held: a
 * notification is a message, and sending one may take any port lock.
 * Not for the message layer: it uses ipc/right.h.
 */
#ifndef IPC_RIGHT_ENTRY_H
#define IPC_RIGHT_ENTRY_H

#include <mach/kern_return.h>
#include <mach/message.h>
#include <mach/port.h>

#include "ipc/object.h"

struct space;
struct space_entry;
struct port;
struct port_set;

/*
 * Work left for after the space lock.  Each pointer holds the reference
 * (and right) the deferred action consumes.
 * Owned by: the calling thread (on its stack).
 */
struct right_deferred {
	struct port *release_send;  /* a send right to release */
	struct port *release_sonce; /* a send-once right to destroy unused
	                               (sends a send-once notification) */
	struct port *destroy;       /* a receive right to destroy */
	struct ipc_object *deleted_notify; /* port-deleted notification */
	mach_port_name_t deleted_name;
	struct ipc_object *dead_notify; /* dead-name notification (now) */
	mach_port_name_t dead_name;
	struct ipc_object *no_senders; /* no-senders notification (now) */
	mach_port_mscount_t no_senders_count;
};

void right_deferred_init(struct right_deferred *d);

/* right_deferred_run: do D's work.  Locks: no IPC lock held. */
void right_deferred_run(struct right_deferred *d);

/*
 * right_check_dead: if ENTRY holds only send or send-once rights and
 * their port has died, turn it into a dead name (keeping its user
 * references, plus one when a dead-name request fired for it).
 * Locks: SPACE locked; no port lock held.
 * Returns: whether the entry is (now) a dead name it was not before.
 */
bool right_check_dead(struct space *space, mach_port_name_t name,
                      struct space_entry *entry);

/*
 * right_entry_destroy: destroy every right NAME holds and free the name
 * (mach_port_destroy).  Locks: SPACE locked.
 */
void right_entry_destroy(struct space *space, mach_port_name_t name,
                         struct space_entry *entry, struct right_deferred *d);

/*
 * right_entry_clean: right_entry_destroy for a terminated space, taking
 * and releasing its lock and running the deferred work.
 * Locks: none held; SPACE terminated (owned by the caller).
 */
void right_entry_clean(struct space *space, mach_port_name_t name,
                       struct space_entry *entry);

/*
 * right_entry_dealloc: release one user reference of a send, send-once
 * or dead-name right (mach_port_deallocate).
 * Locks: SPACE locked.
 * Returns: KERN_SUCCESS, KERN_INVALID_RIGHT (receive-only, or set).
 */
kern_return_t right_entry_dealloc(struct space *space, mach_port_name_t name,
                                  struct space_entry *entry,
                                  struct right_deferred *d);

/*
 * right_entry_delta: add DELTA user references of RIGHT (a
 * MACH_PORT_RIGHT_* below MACH_PORT_RIGHT_NUMBER) to NAME
 * (mach_port_mod_refs).  Locks: SPACE locked.
 * Returns: KERN_SUCCESS, KERN_INVALID_RIGHT (NAME holds no such right),
 *   KERN_INVALID_VALUE (the count would go below zero, or a receive,
 *   send-once or set right given a delta other than 0 or -1),
 *   KERN_UREFS_OVERFLOW (the count would reach MACH_PORT_UREFS_MAX).
 */
kern_return_t right_entry_delta(struct space *space, mach_port_name_t name,
                                struct space_entry *entry,
                                mach_port_right_t right,
                                mach_port_delta_t delta,
                                struct right_deferred *d);

/*
 * right_entry_copyin: right_copyin on a looked-up entry.
 * Locks: SPACE locked.  Returns as right_copyin.
 */
kern_return_t right_entry_copyin(struct space *space, mach_port_name_t name,
                                 struct space_entry *entry,
                                 mach_msg_type_name_t disposition, bool dead_ok,
                                 struct ipc_object **object,
                                 struct right_deferred *d);

/*
 * right_insert: give the right in transit (PORT, TYPE) to SPACE under
 * NAME (mach_port_insert_right): a send or receive right joins the name
 * the space already has for the port, which must be NAME.
 * Locks: SPACE locked and active.
 * Returns: KERN_SUCCESS (right consumed), or with the right still in
 *   transit: KERN_NAME_EXISTS (NAME holds something else),
 *   KERN_RIGHT_EXISTS (the space names the port otherwise),
 *   KERN_INVALID_CAPABILITY (the port is dead), KERN_UREFS_OVERFLOW,
 *   KERN_NO_SPACE, KERN_INVALID_VALUE (a name the table cannot hold).
 */
kern_return_t right_insert(struct space *space, mach_port_name_t name,
                           struct port *port, mach_msg_type_name_t type);

/*
 * right_dnrequest: register NOTIFY (a send-once right in transit, or
 * NULL to cancel) for a dead-name notification on NAME; the request it
 * replaces, if any, goes to *PREVIOUS.  With IMMEDIATE and NAME a dead
 * name, the notification is sent at once (the name gains a user
 * reference).  Locks: SPACE locked.
 * Returns: KERN_SUCCESS (NOTIFY consumed), KERN_INVALID_RIGHT (a set),
 *   KERN_INVALID_ARGUMENT (a dead name without IMMEDIATE),
 *   KERN_UREFS_OVERFLOW, KERN_RESOURCE_SHORTAGE.
 */
kern_return_t right_dnrequest(struct space *space, mach_port_name_t name,
                              struct space_entry *entry, bool immediate,
                              struct ipc_object *notify,
                              struct ipc_object **previous,
                              struct right_deferred *d);

/*
 * right_lookup_receive: the port whose receive right NAME denotes.
 * Locks: SPACE locked.
 * Returns: KERN_SUCCESS, KERN_INVALID_NAME, KERN_INVALID_RIGHT.
 */
kern_return_t right_lookup_receive(struct space *space, mach_port_name_t name,
                                   struct port **port);

/*
 * right_dncancel_locked: take ENTRY's dead-name request off PORT and
 * return its notify right (NULL when there was none, or when it already
 * fired with the port's death).  ENTRY->request is cleared.
 * Locks: the space and PORT locked.
 */
struct ipc_object *right_dncancel_locked(struct port *port,
                                         struct space_entry *entry);

/*
 * Transit type of a disposition (MACH_MSG_TYPE_PORT_*), or 0 when
 * DISPOSITION is not a port disposition.
 */
static inline mach_msg_type_name_t
right_transit_type(mach_msg_type_name_t disposition)
{
	switch (disposition) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		return MACH_MSG_TYPE_PORT_RECEIVE;
	case MACH_MSG_TYPE_MOVE_SEND:
	case MACH_MSG_TYPE_COPY_SEND:
	case MACH_MSG_TYPE_MAKE_SEND:
		return MACH_MSG_TYPE_PORT_SEND;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		return MACH_MSG_TYPE_PORT_SEND_ONCE;
	default:
		return 0;
	}
}

#endif
