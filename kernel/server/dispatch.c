/*
 * The kernel-object message server: where a request sent to a kernel
 * object's port (ipc_kobject_server, ipc/kmsg_kernel.h) meets MIG's
 * generated stubs.  The stubs (build/.../server-mig/NAME_server.c)
 * decode the request in place, call the kserver_NAME routine (the other
 * files of kernel/server, or a subsystem's NAME_rpc.c) and encode the
 * reply; this file sets the reply up, decides what happens to the
 * request's rights, and sends the reply.  Also kserver_init, which makes
 * the kernel's own ports.
 */
#include "server/kserver.h"

#include "device_server.h"
#include "gnumach_server.h"
#include "ipc/kmsg.h"
#include "ipc/kmsg_kernel.h"
#include "ipc/right.h"
#include "kern/panic.h"
#include "mach4_server.h"
#include "mach_debug_server.h"
#include "mach_host_server.h"
#include "mach_port_server.h"
#include "mach_server.h"
#include "memory_object_server.h"
#include "server/kobjects.h"
#include "server/reply_sizes.h"

/* One served interface: its routine lookup by msgh_id (static inline in
 * its MIG header) and its replies' sizes by msgh_id (generated). */
struct kserver_iface {
	mig_routine_t (*lookup)(const mach_msg_header_t *in);
	const struct kserver_reply_sizes *sizes;
};

static const struct kserver_iface kserver_ifaces[] = {
    {mach_server_routine, &mach_reply_sizes},
    {mach_port_server_routine, &mach_port_reply_sizes},
    {mach_host_server_routine, &mach_host_reply_sizes},
    {gnumach_server_routine, &gnumach_reply_sizes},
    {mach4_server_routine, &mach4_reply_sizes},
    {mach_debug_server_routine, &mach_debug_reply_sizes},
    {device_server_routine, &device_reply_sizes},
    {memory_object_server_routine, &memory_object_reply_sizes},
};

/*
 * The routine serving IN, or NULL, and in *REPLY_SIZE the largest reply
 * it makes (MIG's Reply structure), or a bare mig_reply_header_t (the
 * MIG_BAD_ID answer) when there is none.
 */
static mig_routine_t kserver_lookup(const mach_msg_header_t *in,
                                    mach_msg_size_t *reply_size)
{
	*reply_size = sizeof(mig_reply_header_t);
	/* No interface has negative ids, and the generated lookups subtract
	 * their base from the id, which must not overflow. */
	if (in->msgh_id < 0)
		return NULL;
	for (unsigned i = 0; i < ARRAY_SIZE(kserver_ifaces); i++) {
		const struct kserver_iface *f = &kserver_ifaces[i];
		mig_routine_t r = f->lookup(in);
		uint32_t at = (uint32_t)(in->msgh_id - f->sizes->base);

		if (r == NULL)
			continue;
		if (in->msgh_id >= f->sizes->base && at < f->sizes->count &&
		    f->sizes->size[at] > *reply_size)
			*reply_size = f->sizes->size[at];
		return r;
	}
	return NULL;
}

/* What every reply starts as: mig_reply_header_t with RetCode's
 * descriptor (the stubs fill in RetCode and anything after it). */
static const mach_msg_type_t retcode_type = {
    .msgt_name = MACH_MSG_TYPE_INTEGER_32,
    .msgt_size = 32,
    .msgt_number = 1,
    .msgt_inline = 1,
};

/*
 * Use up K's destination right (a send or send-once right to the kernel
 * port) and clear it from K.  A send-once right goes silently:
 * destroying it unused would send a send-once notification to this same
 * kernel port, which would come back here, and so on for ever.
 */
static void release_destination(struct kmsg *k)
{
	struct port *dest = port_from_object(k->hdr.remote);

	if (MACH_MSGH_BITS_REMOTE(k->hdr.bits) == MACH_MSG_TYPE_PORT_SEND_ONCE)
		port_release_sonce(dest);
	else
		port_release_send(dest);
	k->hdr.remote = IPC_OBJECT_NULL;
	k->hdr.bits &= ~MACH_MSGH_BITS_REMOTE_MASK;
}

bool (*kserver_notify_hook)(struct kmsg *k);

/* kserver_handle's work; the reply is given back (NULL: none). */
static struct kmsg *serve(struct kmsg *k)
{
	mach_msg_header_t *in = (mach_msg_header_t *)&k->hdr;
	mig_reply_header_t *out;
	struct kmsg *reply;
	mig_routine_t routine;
	mach_msg_size_t reply_size;
	kern_return_t kr;

	/* notify.defs ids: 0100 (port deleted) to 0110 (dead name). */
	if (kserver_notify_hook != NULL && in->msgh_id >= 0100 &&
	    in->msgh_id <= 0110 && kserver_notify_hook(k))
		return NULL;
	/* Zeroed, so that no byte the stub leaves unwritten (MIG's pads)
	 * carries old memory out. */
	routine = kserver_lookup(in, &reply_size);
	reply = kmsg_alloc(reply_size);
	if (reply == NULL) {
		/* No reply can be built: destroying the request releases its
		 * reply right, so a waiting client gets a send-once
		 * notification instead of waiting for ever. */
		release_destination(k);
		kmsg_destroy(k);
		return NULL;
	}
	/* The reply right moves from the request to the reply. */
	out = (mig_reply_header_t *)&reply->hdr;
	out->Head.msgh_bits =
	    MACH_MSGH_BITS(MACH_MSGH_BITS_LOCAL(k->hdr.bits), 0);
	out->Head.msgh_size = sizeof(mig_reply_header_t);
	/* Wraps for ids near INT_MAX (any id may be sent). */
	out->Head.msgh_id = (mach_msg_id_t)((uint32_t)in->msgh_id + 100);
	reply->hdr.remote = k->hdr.local;
	k->hdr.local = IPC_OBJECT_NULL;
	k->hdr.bits &= ~MACH_MSGH_BITS_LOCAL_MASK;
	out->RetCodeType = retcode_type;
	out->RetCode = KERN_SUCCESS;

	/* Receive rights in the request travel no further. */
	kmsg_transit_end(k);
	if (routine != NULL)
		routine(in, &out->Head);
	else
		out->RetCode = MIG_BAD_ID;
	kr = out->RetCode;
	/* The stub writes within its Reply structure, whose size we gave. */
	if (out->Head.msgh_size > reply->capacity)
		panic("kserver: reply to id %d of %u bytes in %u", in->msgh_id,
		      out->Head.msgh_size, reply->capacity);

	/* On success the routine took the body's rights and memory (MIG's
	 * contract); on failure they are still in the request. */
	release_destination(k);
	if (kr == KERN_SUCCESS || kr == MIG_NO_REPLY)
		kmsg_free(k);
	else
		kmsg_destroy(k);

	/* A reply to nobody (no reply port, or MIG_NO_REPLY: the routine
	 * answers later itself) is destroyed, after its dispositions became
	 * rights so that destruction releases the right things. */
	kmsg_copyin_from_kernel(reply);
	if (kr == MIG_NO_REPLY || !IPC_OBJECT_VALID(reply->hdr.remote)) {
		kmsg_destroy(reply);
		return NULL;
	}
	return reply;
}

bool kserver_handle(struct kmsg *k)
{
	struct kmsg *reply = serve(k);

	if (reply != NULL)
		(void)ipc_send_kernel(reply);
	return true;
}

struct kmsg *kserver_call(struct kmsg *k)
{
	return serve(k);
}

/* ---- the kernel's ports ---- */

kern_return_t kserver_alloc_port(enum kobject_type type, void *obj,
                                 struct port **port)
{
	kern_return_t kr = port_alloc_kobject(type, obj, port);

	if (kr == KERN_SUCCESS)
		port_make_send(*port);
	return kr;
}

void kserver_free_port(struct port **port)
{
	if (*port != NULL) {
		port_release_send(*port);
		port_destroy_kobject(*port);
	}
	*port = NULL;
}

void *kserver_kobject(ipc_port_t port, enum kobject_type type)
{
	void *obj = NULL;
	unsigned long f;

	if (!IP_VALID(port))
		return NULL;
	f = port_lock(port);
	if (port_active(port) && port->kotype == type)
		obj = port->kobject;
	port_unlock(port, f);
	return obj;
}

ipc_port_t kserver_send_right(struct port *port)
{
	if (port == NULL)
		return IP_NULL;
	return port_from_object(
	    copyin_kernel_object(port_object(port), MACH_MSG_TYPE_MAKE_SEND));
}

struct port *host_name_port(void)
{
	return kserver_host.name_port;
}

struct port *host_priv_port(void)
{
	return kserver_host.priv_port;
}

void kserver_init(void)
{
	kern_return_t kr = kserver_host_init();

	if (kr == KERN_SUCCESS)
		kr = kserver_device_init();
	if (kr != KERN_SUCCESS)
		panic("kserver_init: cannot make the kernel's ports (%d)", kr);
	ipc_kobject_server = kserver_handle;
	ipc_kobject_call = kserver_call;
}

void kserver_fini(void)
{
	ipc_kobject_server = NULL;
	ipc_kobject_call = NULL;
	kserver_device_fini();
	kserver_host_fini();
}
