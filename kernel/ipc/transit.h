/*
 * Receive rights in transit, and the cycles they could close.  A port
 * whose receive right travels in a message can only be received once
 * that message is; if the message waits on a port whose own receive
 * right travels (directly, or through a chain of such ports) in a
 * message to the first, none of them can ever be received, and no task
 * could destroy them: a leak a task could repeat at will.  As GNU Mach
 * does, such a message is marked MACH_MSGH_BITS_CIRCULAR at copyin and
 * destroyed instead of queued (mqueue_send).
 *
 * transit.c records, for every port whose receive right is in a
 * message, the destination of that message (the chain to walk).  The
 * record lives under one lock, taken only when receive rights enter or
 * leave messages, never on the common send/receive path.
 */
#ifndef IPC_TRANSIT_H
#define IPC_TRANSIT_H

struct port;

enum transit_result {
	TRANSIT_OK,        /* recorded */
	TRANSIT_CIRCULAR,  /* would close a cycle: nothing recorded */
	TRANSIT_NO_MEMORY, /* no memory for the record: nothing recorded */
};

/*
 * transit_enter: PORT's receive right now travels in a message to DEST.
 * Locks: no IPC lock held (takes the transit lock, a leaf).
 * Returns: TRANSIT_OK, TRANSIT_CIRCULAR (PORT is DEST, or DEST's receive
 *   right travels, through a chain of messages, to PORT), or
 *   TRANSIT_NO_MEMORY.
 */
enum transit_result transit_enter(struct port *port, struct port *dest);

/*
 * transit_leave: PORT's receive right left its message (it was received,
 * given back, or destroyed).  Does nothing if PORT was not recorded.
 * Locks: no IPC lock held.
 */
void transit_leave(struct port *port);

#endif
