/*
 * The kernel's RPC servers (kernel/server): MIG's kernel-server stubs for
 * gnumach-dev's mach, mach_port, mach_host, gnumach, mach4 and device
 * interfaces, served on kernel-object ports in the sender's context
 * (docs/ARCHITECTURE.md, "Kernel RPC").  This header is what the rest of
 * the kernel uses: start-up, and the host and device ports the bootstrap
 * task and the mach_host_self trap hand out.
 */
#ifndef SERVER_KSERVER_H
#define SERVER_KSERVER_H

#include <stdbool.h>

struct kmsg;
struct port;

/*
 * kserver_init: create the host name and host-privileged ports, the
 * device master port, the default processor set (and its name port),
 * one processor port per CPU and the console device; register
 * kserver_handle as the IPC layer's kernel-object server.  Once at boot,
 * after ipc_rights_init (unit tests: after each ipc_rights_init).
 * Panics if kernel memory is already short (boot cannot go on).
 * Locks: none held.
 */
void kserver_init(void);

/*
 * kserver_fini: unregister the server and destroy every port
 * kserver_init made (send rights to them become dead names).  For unit
 * tests, so that their leak checks balance.  Locks: none held.
 */
void kserver_fini(void);

/*
 * The ports kserver_init made, for the bootstrap task (send rights to
 * host_priv_port and device_master_port are its names 1 and 2) and for
 * the mach_host_self trap (host_name_port).  The kernel holds a send
 * right to each, for as long as it runs: copy it (port_copy_send_locked,
 * or MACH_MSG_TYPE_COPY_SEND) to give one away.  No reference is given.
 * Locks: any.  Returns NULL before kserver_init.
 */
struct port *host_name_port(void);
struct port *host_priv_port(void);
struct port *device_master_port(void);

/*
 * kserver_handle: serve the request K (in kernel form, its destination
 * an active kernel-object port) as GNU Mach's ipc_kobject_server does:
 * find the routine among the interfaces' MIG tables by msgh_id (none:
 * MIG_BAD_ID), run it, and send the reply (msgh_id + 100) to K's reply
 * right.  Rights and memory in K belong to the routine when it returns
 * KERN_SUCCESS (or MIG_NO_REPLY); otherwise K is destroyed, except for
 * the reply right.  Without a valid reply right the reply is destroyed.
 * Always consumes K; returns true (the ipc_kobject_server contract).
 * Locks: no IPC lock held; may block (device_read).
 */
bool kserver_handle(struct kmsg *k);

/*
 * kserver_call: kserver_handle, giving the reply back (in kernel form,
 * its destination K's reply right) instead of sending it; NULL when
 * there is none to send (no valid reply right, MIG_NO_REPLY, a
 * notification the hook took, no memory for a reply).  The
 * ipc_kobject_call hook.  Consumes K.
 * Locks: as kserver_handle.
 */
struct kmsg *kserver_call(struct kmsg *k);

/*
 * kserver_notify_hook: a notification (notify.defs) that reached a kernel
 * port is offered to this hook first, if set (the pager code watches its
 * memory objects' deaths this way).  It returns true when it took K
 * (consumed it); false leaves K to the normal path.
 * Locks: none held.
 */
extern bool (*kserver_notify_hook)(struct kmsg *k);

#endif
