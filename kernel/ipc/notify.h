/*
 * Notifications: the messages the kernel sends when rights change
 * (mach/notify.h, notify.defs).  Each is sent through a send-once right
 * the task gave with mach_port_request_notification, or, for the
 * send-once notification, through the send-once right that died unused.
 * notify.c builds them in kernel form (ipc/kmsg.h) and sends them with
 * ipc_send_kernel, which never blocks.
 *
 * Every function consumes NOTIFY, a send-once right in transit
 * (IPC_OBJECT_NULL and IPC_OBJECT_DEAD do nothing).  When no message can
 * be allocated, the right is released silently and the notification is
 * lost (kernel memory exhaustion).
 * Locks: no IPC lock held (sending takes the destination's lock).
 */
#ifndef IPC_NOTIFY_H
#define IPC_NOTIFY_H

#include <mach/notify.h>
#include <mach/port.h>

#include "ipc/object.h"

struct port;

/* MACH_NOTIFY_PORT_DELETED: NAME, which had a dead-name request, went
 * away (its right was deallocated, moved or destroyed). */
void notify_port_deleted(struct ipc_object *notify, mach_port_name_t name);

/* MACH_NOTIFY_DEAD_NAME: the port NAME denoted died. */
void notify_dead_name(struct ipc_object *notify, mach_port_name_t name);

/* MACH_NOTIFY_NO_SENDERS: no send rights remain; MSCOUNT is the port's
 * make-send count. */
void notify_no_senders(struct ipc_object *notify, mach_port_mscount_t mscount);

/* MACH_NOTIFY_SEND_ONCE: SORIGHT died unused; the message goes through
 * it to its own port. */
void notify_send_once(struct ipc_object *soright);

/* MACH_NOTIFY_PORT_DESTROYED: PORT's receive right (with the reference
 * the caller holds for it) travels to NOTIFY (a valid send-once right)
 * instead of being destroyed.  If no message can be made, the port is
 * destroyed instead. */
void notify_port_destroyed(struct ipc_object *notify, struct port *port);

#endif
