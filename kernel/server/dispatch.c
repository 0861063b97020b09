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

/* Each interface's reply sizes by message id (generated). */
static const struct kserver_reply_sizes *const kserver_sizes[] = {
    &mach_reply_sizes,      &mach_port_reply_sizes,
    &mach_host_reply_sizes, &gnumach_reply_sizes,
    &mach4_reply_sizes,     &mach_debug_reply_sizes,
    &device_reply_sizes,    &memory_object_reply_sizes,
};

/* The largest reply of the routine for message id ID (MIG's Reply
 * structure), or a bare mig_reply_header_t (MIG_BAD_ID) for no routine. */
static mach_msg_size_t kserver_reply_size(mach_msg_id_t id)
{
	for (unsigned i = 0; i < ARRAY_SIZE(kserver_sizes); i++) {
		const struct kserver_reply_sizes *t = kserver_sizes[i];

		if (id >= t->base && (uint32_t)(id - t->base) < t->count &&
		    t->size[id - t->base] >= sizeof(mig_reply_header_t))
			return t->size[id - t->base];
	}
	return sizeof(mig_reply_header_t);
}

/* Each interface's lookup by msgh_id (static inline in its header). */
static mig_routine_t (*const kserver_tables[])(const mach_msg_header_t *) = {
    mach_server_routine,      mach_port_server_routine,
    mach_host_server_routine, gnumach_server_routine,
    mach4_server_routine,     mach_debug_server_routine,
    device_server_routine,    memory_object_server_routine,
};

static mig_routine_t kserver_lookup(const mach_msg_header_t *in)
{
	/* No interface has negative ids, and the generated lookups subtract
	 * their base from the id, which must not overflow. */
	if (in->msgh_id < 0)
		return NULL;
	for (unsigned i = 0; i < ARRAY_SIZE(kserver_tables); i++) {
		mig_routine_t r = kserver_tables[i](in);

		if (r != NULL)
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

bool kserver_handle(struct kmsg *k)
{
	mach_msg_header_t *in = (mach_msg_header_t *)&k->hdr;
	mig_reply_header_t *out;
	struct kmsg *reply;
	mig_routine_t routine;
	kern_return_t kr;

	/* notify.defs ids: 0100 (port deleted) to 0110 (dead name). */
	if (kserver_notify_hook != NULL && in->msgh_id >= 0100 &&
	    in->msgh_id <= 0110 && kserver_notify_hook(k))
		return true;
	/* Zeroed, so that no byte the stub leaves unwritten (MIG's pads)
	 * carries old memory out. */
	reply = kmsg_alloc(kserver_reply_size(in->msgh_id));
	if (reply == NULL) {
		/* No reply can be built: destroying the request releases its
		 * reply right, so a waiting client gets a send-once
		 * notification instead of waiting for ever. */
		release_destination(k);
		kmsg_destroy(k);
		return true;
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
	routine = kserver_lookup(in);
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
		return true;
	}
	(void)ipc_send_kernel(reply);
	return true;
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
}

void kserver_fini(void)
{
	ipc_kobject_server = NULL;
	kserver_device_fini();
	kserver_host_fini();
}
