/*
 * Messages the kernel's RPC servers exchange with the IPC layer
 * (kmsg_kernel.c).  A message sent to a kernel-object port is handed to
 * the registered server (ipc_kobject_server) in the sender's context
 * instead of being queued; the server's reply, which the kernel builds
 * with port dispositions the way MIG writes them, becomes an ordinary
 * message in kernel form with kmsg_copyin_from_kernel and goes out with
 * ipc_send_kernel.
 */
#ifndef IPC_KMSG_KERNEL_H
#define IPC_KMSG_KERNEL_H

#include <stdbool.h>

#include <mach/message.h>

#include "ipc/right.h"

struct kmsg;

/*
 * The kernel's RPC server: called by mqueue_send (the one place every
 * message goes through to reach a queue) for a message whose
 * destination is an active kernel-object port (port_is_kobject(), its
 * receive right in space_kernel).  It returns true when it took the
 * message (consumed in every case: served, answered or destroyed), false
 * to have it queued on the port as any other message.  NULL, as in the
 * IPC unit tests that set none, queues every message.
 * Set once at boot (kserver_init), before any task runs; unit tests set
 * and clear it around each test.
 * Locks: called with no IPC lock held; may block (the sender's thread).
 */
typedef bool (*ipc_kobject_server_t)(struct kmsg *k);
extern ipc_kobject_server_t ipc_kobject_server;

/*
 * The same server, for a caller that will receive the reply itself (the
 * fast path's RPC to a kernel object): it serves K as ipc_kobject_server
 * does, but gives the reply back, in kernel form, instead of sending it.
 * NULL when there is none (no reply right, MIG_NO_REPLY: K's fate is
 * ipc_kobject_server's).  Consumes K.  Set with ipc_kobject_server (and
 * NULL when that is).
 * Locks: as ipc_kobject_server.
 */
typedef struct kmsg *(*ipc_kobject_call_t)(struct kmsg *k);
extern ipc_kobject_call_t ipc_kobject_call;

/*
 * kmsg_copyin_from_kernel: turn K, built by the kernel, into a message
 * in kernel form that carries rights.  As built, the header's remote and
 * local slots and every port slot of the body (inline items, and the
 * kernel arrays of out-of-line port items, msgt_size 64) hold struct
 * port pointers (or NULL, or IPC_OBJECT_DEAD), and the header bits and
 * each port item's msgt_name hold a disposition:
 *   MOVE_RECEIVE / MOVE_SEND / MOVE_SEND_ONCE (equal to PORT_RECEIVE /
 *     PORT_SEND / PORT_SEND_ONCE): the kernel gives a right it holds;
 *   COPY_SEND: one more send right to a port the kernel holds one for;
 *   MAKE_SEND / MAKE_SEND_ONCE: a new right to a port whose receive right
 *     the kernel holds (kernel-object ports).
 * Afterwards they are carried types (MACH_MSG_TYPE_PORT_*); a right that
 * cannot be made because its port died is IPC_OBJECT_DEAD.  Out-of-line
 * data slots already hold a struct ool * (ool_from_kernel) and are left
 * alone.  MACH_MSGH_BITS_COMPLEX decides whether the body is walked.
 * Never fails.
 * Locks: no IPC lock held.
 */
void kmsg_copyin_from_kernel(struct kmsg *k);

/*
 * copyin_kernel_object: the right DISPOSITION (as above) gives from the
 * port O the kernel holds, as a right in transit: O itself (with a new
 * send or send-once right counted for COPY_SEND and the MAKE_*
 * dispositions), O unchanged for NULL, DEAD and the MOVE_*
 * dispositions, IPC_OBJECT_DEAD when a right must be made for a port
 * that died.  What kmsg_copyin_from_kernel does to each slot; kernel
 * servers use it to make a send right for a reply (convert_*_to_port).
 * Inline: what needs no new right (a reply's MOVE_SEND_ONCE, every
 * kernel RPC's) costs no call.
 * Locks: no IPC lock held.
 */
struct ipc_object *copyin_kernel_make(struct ipc_object *o,
                                      mach_msg_type_name_t disposition);

static inline struct ipc_object *
copyin_kernel_object(struct ipc_object *o, mach_msg_type_name_t disposition)
{
	if (!IPC_OBJECT_VALID(o) ||
	    (disposition != MACH_MSG_TYPE_COPY_SEND &&
	     disposition != MACH_MSG_TYPE_MAKE_SEND &&
	     disposition != MACH_MSG_TYPE_MAKE_SEND_ONCE))
		return o; /* MOVE_*: the kernel's own right travels */
	return copyin_kernel_make(o, disposition);
}

#endif
