/*
 * Notification messages in kernel form, laid out as mach/notify.h's
 * structures on x86_64 (every item 8-aligned, a port right an 8-byte
 * slot) so that MIG's notify server accepts them byte for byte.  The
 * only place that knows the message layer's kmsg API (ipc/kmsg.h) on
 * behalf of the right layer: notify_build() is where to adapt.
 */
#include "ipc/notify.h"

#include "ipc/kmsg.h"
#include "ipc/port.h"
#include "ipc/right.h"

/* A port name item: the descriptor, the name, 4 bytes of padding. */
struct notify_name_body {
	mach_msg_type_t type;
	mach_port_name_t name;
	uint32_t pad;
};

/* A 32-bit integer item. */
struct notify_int_body {
	mach_msg_type_t type;
	uint32_t value;
	uint32_t pad;
};

/* A port right item: the slot holds the object in kernel form. */
struct notify_right_body {
	mach_msg_type_t type;
	struct ipc_object *object;
};

#define HDR sizeof(struct kmsg_header)

STATIC_ASSERT(HDR + sizeof(struct notify_name_body) ==
                  sizeof(mach_port_deleted_notification_t),
              "port-deleted layout");
STATIC_ASSERT(HDR + sizeof(struct notify_name_body) ==
                  sizeof(mach_dead_name_notification_t),
              "dead-name layout");
STATIC_ASSERT(HDR + sizeof(struct notify_int_body) ==
                  sizeof(mach_no_senders_notification_t),
              "no-senders layout");
STATIC_ASSERT(HDR + sizeof(struct notify_right_body) ==
                  sizeof(mach_port_destroyed_notification_t),
              "port-destroyed layout");
STATIC_ASSERT(HDR == sizeof(mach_send_once_notification_t), "send-once layout");

static mach_msg_type_t item_type(unsigned name, unsigned size)
{
	mach_msg_type_t t = {0};

	t.msgt_name = name & 0xff;
	t.msgt_size = size & 0xffff;
	t.msgt_number = 1;
	t.msgt_inline = 1;
	return t;
}

/*
 * A notification of BODY_SIZE body bytes with id ID to the send-once
 * right NOTIFY, or NULL (NOTIFY then released) when memory is short.
 */
static struct kmsg *notify_build(struct ipc_object *notify, mach_msg_id_t id,
                                 mach_msg_size_t body_size)
{
	struct kmsg *k = kmsg_alloc((mach_msg_size_t)HDR + body_size);

	if (k == NULL) {
		port_release_sonce(port_from_object(notify));
		return NULL;
	}
	k->hdr.bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0);
	k->hdr.remote = notify;
	k->hdr.local = IPC_OBJECT_NULL;
	k->hdr.id = id;
	return k;
}

static void send_name(struct ipc_object *notify, mach_msg_id_t id,
                      mach_port_name_t name)
{
	struct notify_name_body *b;
	struct kmsg *k;

	if (!IPC_OBJECT_VALID(notify))
		return;
	k = notify_build(notify, id, sizeof(*b));
	if (k == NULL)
		return;
	b = kmsg_body(k);
	b->type = item_type(MACH_MSG_TYPE_PORT_NAME, 32);
	b->name = name;
	(void)ipc_send_kernel(k);
}

void notify_port_deleted(struct ipc_object *notify, mach_port_name_t name)
{
	send_name(notify, MACH_NOTIFY_PORT_DELETED, name);
}

void notify_dead_name(struct ipc_object *notify, mach_port_name_t name)
{
	send_name(notify, MACH_NOTIFY_DEAD_NAME, name);
}

void notify_no_senders(struct ipc_object *notify, mach_port_mscount_t mscount)
{
	struct notify_int_body *b;
	struct kmsg *k;

	if (!IPC_OBJECT_VALID(notify))
		return;
	k = notify_build(notify, MACH_NOTIFY_NO_SENDERS, sizeof(*b));
	if (k == NULL)
		return;
	b = kmsg_body(k);
	b->type = item_type(MACH_MSG_TYPE_INTEGER_32, 32);
	b->value = mscount;
	(void)ipc_send_kernel(k);
}

void notify_send_once(struct ipc_object *soright)
{
	struct kmsg *k;

	if (!IPC_OBJECT_VALID(soright))
		return;
	k = notify_build(soright, MACH_NOTIFY_SEND_ONCE, 0);
	if (k != NULL)
		(void)ipc_send_kernel(k);
}

void notify_port_destroyed(struct ipc_object *notify, struct port *port)
{
	struct notify_right_body *b;
	struct kmsg *k;

	assert(IPC_OBJECT_VALID(notify));
	k = notify_build(notify, MACH_NOTIFY_PORT_DESTROYED, sizeof(*b));
	if (k == NULL) {
		/* No pdrequest is left on the port: this destroys it. */
		port_destroy(port);
		return;
	}
	b = kmsg_body(k);
	b->type = item_type(MACH_MSG_TYPE_PORT_RECEIVE, 64);
	b->object = port_object(port);
	k->hdr.bits |= MACH_MSGH_BITS_COMPLEX;
	k->flags |= KMSG_CARRIES_RIGHTS;
	(void)ipc_send_kernel(k);
}
