/*
 * Kernel-built messages (ipc/kmsg_kernel.h): the hook through which
 * messages reach the kernel's RPC servers, and the copyin of a message
 * the kernel built with dispositions, as MIG's server stubs leave a
 * reply.  The user-side copyin (copyin.c) takes rights from a space by
 * name; this one takes them from port pointers the kernel holds.
 */
#include "ipc/kmsg_kernel.h"

#include "ipc/copyin.h"
#include "ipc/kmsg.h"
#include "ipc/port.h"
#include "ipc/right.h"

ipc_kobject_server_t ipc_kobject_server;
ipc_kobject_call_t ipc_kobject_call;

/* copyin_kernel_object's part that makes a right (kmsg_kernel.h): a
 * valid O, DISP one of COPY_SEND, MAKE_SEND and MAKE_SEND_ONCE. */
struct ipc_object *copyin_kernel_make(struct ipc_object *o,
                                      mach_msg_type_name_t disp)
{
	struct port *port = port_from_object(o);
	unsigned long f;

	f = port_lock(port);
	if (!port_active(port)) {
		port_unlock(port, f);
		return IPC_OBJECT_DEAD;
	}
	if (disp == MACH_MSG_TYPE_COPY_SEND)
		port_copy_send_locked(port);
	else if (disp == MACH_MSG_TYPE_MAKE_SEND)
		port_make_send_locked(port);
	else
		port_make_sonce_locked(port);
	port_unlock(port, f);
	return o;
}

/* Copy in the N port slots at OBJS, of disposition DISP, in place. */
static void copyin_kernel_slots(struct ipc_object **objs,
                                mach_msg_type_number_t n,
                                mach_msg_type_name_t disp)
{
	for (mach_msg_type_number_t i = 0; i < n; i++)
		objs[i] = copyin_kernel_object(objs[i], disp);
}

void kmsg_copyin_from_kernel(struct kmsg *k)
{
	mach_msg_type_name_t rdisp = MACH_MSGH_BITS_REMOTE(k->hdr.bits);
	mach_msg_type_name_t ldisp = MACH_MSGH_BITS_LOCAL(k->hdr.bits);
	void *body = kmsg_body(k);
	mach_msg_size_t off = 0, end = kmsg_body_size(k);

	k->hdr.remote = copyin_kernel_object(k->hdr.remote, rdisp);
	k->hdr.local = copyin_kernel_object(k->hdr.local, ldisp);
	k->hdr.bits = MACH_MSGH_BITS_OTHER(k->hdr.bits) |
	              MACH_MSGH_BITS(copyin_type(rdisp), copyin_type(ldisp));
	if (!(k->hdr.bits & MACH_MSGH_BITS_COMPLEX))
		return;
	while (off < end) {
		struct kmsg_item it;
		struct ipc_object **objs;

		off = kmsg_item_decode(body, off, &it);
		if (!it.is_port)
			continue;
		objs = it.is_inline ? it.data : *(struct ipc_object ***)it.data;
		if (objs != NULL)
			copyin_kernel_slots(objs, it.number, it.name);
		it.type->msgt_name = copyin_type(it.name);
	}
}
