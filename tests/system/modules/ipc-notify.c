/*
 * tests/system/modules/ipc-notify.c — notifications as a program sees
 * them (notify.defs): no-senders, dead-name, port-deleted,
 * port-destroyed and send-once; their ids, sizes and typed bodies.  Each
 * check states what GNU Mach delivers; the same binary runs on both
 * kernels.
 */
#include <mach/notify.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

/* A received notification, with room for any of them. */
struct note {
	mach_msg_header_t h;
	mach_msg_type_t t;
	union {
		uint32_t u32;
		mach_port_name_inlined_t port;
	} v;
	char slack[64];
};

static mach_msg_return_t get_note(mach_port_t from, struct note *n)
{
	memset(n, 0, sizeof(*n));
	return mach_msg(&n->h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(*n),
	                from, 0, MACH_PORT_NULL);
}

/* The notification's descriptor is exactly NAME/SIZE/1, inline. */
static int type_is(const struct note *n, unsigned name, unsigned size)
{
	return n->t.msgt_name == name && n->t.msgt_size == size &&
	       n->t.msgt_number == 1 && n->t.msgt_inline &&
	       !n->t.msgt_longform && !n->t.msgt_deallocate &&
	       !n->t.msgt_unused;
}

static void check_no_senders(void)
{
	mach_port_t p = machr_new_receive(), prev = 1;
	struct note n;

	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	tap_expect(
	    mach_port_request_notification(T, p, MACH_NOTIFY_NO_SENDERS, 0, p,
	                                   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	    0, "request a no-senders notification");
	tap_ok(prev == MACH_PORT_NULL, "no previous request");
	tap_expect(get_note(p, &n), MACH_RCV_TIMED_OUT,
	           "nothing while a send right exists");
	tap_expect(mach_port_deallocate(T, p), 0, "drop the only send right");
	tap_expect(get_note(p, &n), 0, "a notification arrives");
	tap_ok(n.h.msgh_id == MACH_NOTIFY_NO_SENDERS, "id 0106 (%#o)",
	       n.h.msgh_id);
	tap_ok(n.h.msgh_size == 48, "size 48 (%u)", n.h.msgh_size);
	tap_ok(n.h.msgh_bits == MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE),
	       "bits: local PORT_SEND_ONCE (%#x)", n.h.msgh_bits);
	tap_ok(type_is(&n, MACH_MSG_TYPE_INTEGER_32, 32), "an INTEGER_32 item");
	tap_ok(n.v.u32 == 1, "carrying the make-send count 1 (%u)", n.v.u32);

	tap_expect(
	    mach_port_request_notification(T, p, MACH_NOTIFY_NO_SENDERS, 5, p,
	                                   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	    0, "request with sync 5, above the make-send count");
	tap_expect(get_note(p, &n), MACH_RCV_TIMED_OUT,
	           "does not fire while mscount < sync");
	tap_expect(
	    mach_port_request_notification(T, p, MACH_NOTIFY_NO_SENDERS, 1, p,
	                                   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	    0, "request again with sync 1");
	tap_ok(prev != MACH_PORT_NULL,
	       "the previous request's right comes "
	       "back (%u)",
	       prev);
	tap_expect(get_note(p, &n), 0,
	           "fires at once: no senders, mscount >= 1");
	tap_ok(n.h.msgh_id == MACH_NOTIFY_NO_SENDERS && n.v.u32 == 1,
	       "a no-senders notification with mscount 1 (%u)", n.v.u32);
	(void)mach_port_deallocate(T, prev);
	tap_expect(get_note(p, &n), 0,
	           "the returned right, dropped, sends a "
	           "send-once notification");
	tap_ok(n.h.msgh_id == MACH_NOTIFY_SEND_ONCE, "id 0107 (%#o)",
	       n.h.msgh_id);
	tap_expect(mach_port_request_notification(
	               T, p, 0777, 0, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	           KERN_INVALID_VALUE, "an unknown notification id");
	(void)mach_port_destroy(T, p);
}

static void check_dead_name_and_deleted(void)
{
	mach_port_t p = machr_new_receive(), r = machr_new_receive(),
	            other = MACH_PORT_NULL;
	mach_port_t prev = 1;
	mach_port_urefs_t refs = 0;
	struct note n;

	(void)task_create(T, FALSE, &other);
	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_insert_right(other, 0x600, p,
	                             MACH_MSG_TYPE_MOVE_RECEIVE);
	tap_expect(
	    mach_port_request_notification(T, p, MACH_NOTIFY_DEAD_NAME, 0, r,
	                                   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	    0, "request a dead-name notification on a send right");
	tap_expect(mach_port_destroy(other, 0x600), 0, "the port dies");
	tap_expect(get_note(r, &n), 0, "a notification arrives");
	tap_ok(n.h.msgh_id == MACH_NOTIFY_DEAD_NAME, "id 0110 (%#o)",
	       n.h.msgh_id);
	tap_ok(n.h.msgh_size == 48, "size 48 (%u)", n.h.msgh_size);
	tap_ok(type_is(&n, MACH_MSG_TYPE_PORT_NAME, 32), "a PORT_NAME item");
	tap_ok(n.v.port.name == p, "naming the dead name (%u)", n.v.port.name);
	(void)mach_port_get_refs(T, p, MACH_PORT_RIGHT_DEAD_NAME, &refs);
	tap_ok(refs == 2, "the notification added a dead-name uref (%u)", refs);
	(void)mach_port_mod_refs(T, p, MACH_PORT_RIGHT_DEAD_NAME, -2);

	p = machr_new_receive();
	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_insert_right(other, 0x601, p,
	                             MACH_MSG_TYPE_MOVE_RECEIVE);
	(void)mach_port_request_notification(T, p, MACH_NOTIFY_DEAD_NAME, 0, r,
	                                     MACH_MSG_TYPE_MAKE_SEND_ONCE,
	                                     &prev);
	tap_expect(mach_port_deallocate(T, p), 0,
	           "drop the send right that has a dead-name request");
	tap_expect(get_note(r, &n), 0, "a notification arrives");
	tap_ok(n.h.msgh_id == MACH_NOTIFY_PORT_DELETED,
	       "port-deleted, 0101 "
	       "(%#o)",
	       n.h.msgh_id);
	tap_ok(type_is(&n, MACH_MSG_TYPE_PORT_NAME, 32) && n.v.port.name == p,
	       "naming the deleted name");
	tap_expect(mach_port_request_notification(
	               T, 0x4444, MACH_NOTIFY_DEAD_NAME, 0, r,
	               MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	           KERN_INVALID_NAME, "dead-name request on an unused name");
	(void)task_terminate(other);
	(void)mach_port_destroy(T, r);
}

static void check_port_destroyed(void)
{
	mach_port_t q = machr_new_receive(), r = machr_new_receive(), prev = 1;
	mach_port_type_t t = 0;
	struct note n;

	tap_expect(mach_port_request_notification(
	               T, q, MACH_NOTIFY_PORT_DESTROYED, 0, r,
	               MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	           0, "request a port-destroyed notification");
	tap_expect(mach_port_destroy(T, q), 0, "destroy the receive right");
	tap_expect(get_note(r, &n), 0, "a notification arrives");
	tap_ok(n.h.msgh_id == MACH_NOTIFY_PORT_DESTROYED, "id 0105 (%#o)",
	       n.h.msgh_id);
	tap_ok(n.h.msgh_bits & MACH_MSGH_BITS_COMPLEX, "a complex message");
	tap_ok(type_is(&n, MACH_MSG_TYPE_PORT_RECEIVE, 64),
	       "a PORT_RECEIVE item of 64 bits");
	(void)mach_port_type(T, n.v.port.name, &t);
	tap_ok(t == MACH_PORT_TYPE_RECEIVE,
	       "carrying the receive right, alive (%#x)", t);
	(void)mach_port_destroy(T, n.v.port.name);
	(void)mach_port_destroy(T, r);
}

static void check_send_once(void)
{
	mach_port_t p = machr_new_receive();
	struct note n;

	tap_expect(
	    mach_port_insert_right(T, 0x700, p, MACH_MSG_TYPE_MAKE_SEND_ONCE),
	    0, "make a send-once right under its own name");
	tap_expect(mach_port_deallocate(T, 0x700), 0, "drop it unused");
	tap_expect(get_note(p, &n), 0, "a notification arrives on the port");
	tap_ok(n.h.msgh_id == MACH_NOTIFY_SEND_ONCE, "id 0107 (%#o)",
	       n.h.msgh_id);
	tap_ok(n.h.msgh_size == sizeof(mach_msg_header_t), "header only (%u)",
	       n.h.msgh_size);
	tap_ok(n.h.msgh_bits == MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE),
	       "bits: local PORT_SEND_ONCE (%#x)", n.h.msgh_bits);
	(void)mach_port_destroy(T, p);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("ipc-notify: no console\n");
	tap_plan(45);
	check_no_senders();
	check_dead_name_and_deleted();
	check_port_destroyed();
	check_send_once();
	tap_finish(host_priv);
	return 0;
}
