/*
 * tests/system/modules/ipc-edges.c — corner cases of the port interface
 * where Mach's documentation leaves room: notifications on destroyed
 * names, dead-name reference limits, requests on dead names and sets,
 * qlimit 0, renaming a name to itself, inserting a dead right.  Each
 * check states what GNU Mach answers.
 */
#include <mach/notify.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

struct note {
	mach_msg_header_t h;
	mach_msg_type_t t;
	uint32_t v;
	char slack[64];
};

static mach_msg_return_t get_note(mach_port_t from, struct note *n)
{
	memset(n, 0, sizeof(*n));
	return mach_msg(&n->h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(*n),
	                from, 0, MACH_PORT_NULL);
}

/* A dead name with REFS user references, in our space. */
static mach_port_t dead_name(mach_port_t other, mach_port_urefs_t refs)
{
	mach_port_t p = machr_new_receive();

	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	if (refs > 1)
		(void)mach_port_mod_refs(T, p, MACH_PORT_RIGHT_SEND,
		                         (mach_port_delta_t)refs - 1);
	(void)mach_port_insert_right(other, 0x900, p,
	                             MACH_MSG_TYPE_MOVE_RECEIVE);
	(void)mach_port_destroy(other, 0x900);
	return p;
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, other = MACH_PORT_NULL;
	mach_port_t p, r, prev, d;
	mach_port_urefs_t refs = 0;
	struct note n;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("ipc-edges: no console\n");
	tap_plan(21);
	(void)task_create(T, FALSE, &other);

	/* 1: destroying a send+receive name with a no-senders request. */
	p = machr_new_receive();
	r = machr_new_receive();
	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_request_notification(T, p, MACH_NOTIFY_NO_SENDERS, 0, r,
	                                     MACH_MSG_TYPE_MAKE_SEND_ONCE,
	                                     &prev);
	(void)mach_port_destroy(T, p);
	tap_expect(get_note(r, &n), 0,
	           "destroying the port notifies the "
	           "no-senders port");
	tap_ok(n.h.msgh_id == MACH_NOTIFY_NO_SENDERS && n.v == 1,
	       "a no-senders notification with the mscount (id %#o, %u)",
	       n.h.msgh_id, n.v);

	/* 2: user-reference limits by kind of name. */
	d = dead_name(other, 1);
	tap_expect(mach_port_mod_refs(T, d, MACH_PORT_RIGHT_DEAD_NAME, 0xfffe),
	           0, "dead name urefs up to 0xffff");
	tap_expect(mach_port_mod_refs(T, d, MACH_PORT_RIGHT_DEAD_NAME, 1),
	           KERN_UREFS_OVERFLOW, "one more overflows");
	tap_expect(
	    mach_port_request_notification(T, d, MACH_NOTIFY_DEAD_NAME, 1, r,
	                                   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	    KERN_UREFS_OVERFLOW,
	    "a dead-name request that would add a uref overflows");
	tap_expect(get_note(r, &n), 0, "its unused notify right comes back");
	tap_ok(n.h.msgh_id == MACH_NOTIFY_SEND_ONCE,
	       "as a send-once notification (id %#o)", n.h.msgh_id);
	(void)mach_port_mod_refs(T, d, MACH_PORT_RIGHT_DEAD_NAME, -0xfffe);
	{
		mach_port_t q = machr_new_receive();
		mach_port_urefs_t sr = 0;

		(void)mach_port_insert_right(other, 0x902, q,
		                             MACH_MSG_TYPE_MAKE_SEND);
		tap_expect(mach_port_mod_refs(other, 0x902,
		                              MACH_PORT_RIGHT_SEND, 0xfffe),
		           KERN_UREFS_OVERFLOW,
		           "a send-only name overflows past 0xfffe too");
		tap_expect(mach_port_mod_refs(other, 0x902,
		                              MACH_PORT_RIGHT_SEND, 0xfffd),
		           0, "and reaches 0xfffe");
		(void)mach_port_get_refs(other, 0x902, MACH_PORT_RIGHT_SEND,
		                         &sr);
		tap_ok(sr == 0xfffe, "send-only name at %#x", sr);
		(void)mach_port_destroy(T, q);
	}

	/* 3: requests on dead names and on sets. */
	tap_expect(
	    mach_port_request_notification(T, d, MACH_NOTIFY_DEAD_NAME, 0, r,
	                                   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	    KERN_INVALID_ARGUMENT,
	    "dead-name request on a dead name, "
	    "sync 0");
	tap_expect(get_note(r, &n), 0,
	           "the refused request's notify right "
	           "comes back");
	tap_ok(n.h.msgh_id == MACH_NOTIFY_SEND_ONCE,
	       "as a send-once notification (id %#o)", n.h.msgh_id);
	tap_expect(
	    mach_port_request_notification(T, d, MACH_NOTIFY_DEAD_NAME, 1, r,
	                                   MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	    0, "dead-name request on a dead name, sync 1");
	tap_expect(get_note(r, &n), 0, "fires at once");
	tap_ok(n.h.msgh_id == MACH_NOTIFY_DEAD_NAME && n.v == d,
	       "a dead-name notification for it (id %#o)", n.h.msgh_id);
	(void)mach_port_get_refs(T, d, MACH_PORT_RIGHT_DEAD_NAME, &refs);
	tap_ok(refs == 2, "which added a uref (%u)", refs);
	{
		mach_port_t s;

		(void)mach_port_allocate(T, MACH_PORT_RIGHT_PORT_SET, &s);
		tap_expect(mach_port_request_notification(
		               T, s, MACH_NOTIFY_DEAD_NAME, 0, r,
		               MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
		           KERN_INVALID_RIGHT,
		           "dead-name request on a port set");
		(void)mach_port_destroy(T, s);
	}

	/* 5, 6: qlimit 0 and rename to itself. */
	p = machr_new_receive();
	tap_expect(mach_port_set_qlimit(T, p, 0), 0, "qlimit 0 is accepted");
	tap_expect(mach_port_rename(T, p, p), KERN_NAME_EXISTS,
	           "rename a name to itself");

	/* 7: inserting a right to a dead port. */
	tap_expect(
	    mach_port_insert_right(other, 0x901, d, MACH_MSG_TYPE_COPY_SEND),
	    KERN_INVALID_CAPABILITY, "insert_right of a dead right");

	(void)mach_port_destroy(T, p);
	(void)mach_port_destroy(T, r);
	(void)task_terminate(other);
	tap_finish(host_priv);
	return 0;
}
