/*
 * tests/system/modules/notify-tasks.c — notifications caused by another
 * task: dead-name when the task holding a receive right dies (and when a
 * task's own port dies), no-senders when the other task's send right goes
 * away (deallocated by us through its task port, or with the task),
 * send-once when a task dies holding a send-once right, port-destroyed
 * when it dies holding a receive right with that request.  The children
 * need no threads: we place rights in their spaces with insert_right.
 * Notifications are read as one-word messages (their single item fits
 * the word).  Each check states what GNU Mach sends.
 */
#include <mach/notify.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>

#define T machr_task

static mach_port_t new_child(void)
{
	mach_port_t c = MACH_PORT_NULL;

	(void)task_create(T, FALSE, &c);
	return c;
}

/* The next notification on PORT within 5 s, or id 0. */
static mach_msg_id_t note(mach_port_t port, uint32_t *value)
{
	struct machr_word_msg m;

	if (machr_recv_word(port, &m, MACH_RCV_TIMEOUT, 5000) != 0)
		return 0;
	if (value)
		*value = (uint32_t)m.word;
	return m.h.msgh_id;
}

static int nothing(mach_port_t port)
{
	struct machr_word_msg m;

	return machr_recv_word(port, &m, MACH_RCV_TIMEOUT, 0) ==
	       MACH_RCV_TIMED_OUT;
}

static mach_port_t request(mach_port_t name, mach_msg_id_t kind,
                           mach_port_t notify)
{
	mach_port_t prev = MACH_PORT_NULL;

	return mach_port_request_notification(
	    T, name, kind, 0, notify, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
}

static void check_dead_name(mach_port_t n)
{
	mach_port_t c = new_child(), p = machr_new_receive();
	mach_port_urefs_t refs = 0;
	mach_msg_id_t id;
	uint32_t v = 0;

	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	tap_expect(
	    mach_port_insert_right(c, 0x500, p, MACH_MSG_TYPE_MOVE_RECEIVE), 0,
	    "a child takes the receive right of a port we send to");
	tap_expect(request(p, MACH_NOTIFY_DEAD_NAME, n), 0,
	           "request a dead-name notification");
	tap_ok(nothing(n), "nothing while the child lives");
	tap_expect(task_terminate(c), 0, "the child dies");
	/* GNU Mach: dead-name (0110) naming our name, which gains a uref. */
	id = note(n, &v);
	tap_ok(id == MACH_NOTIFY_DEAD_NAME && v == p,
	       "dead-name arrives, naming our right (%#x)", v);
	(void)mach_port_get_refs(T, p, MACH_PORT_RIGHT_DEAD_NAME, &refs);
	tap_ok(refs == 2, "our dead name has 2 urefs (%u)", refs);
	(void)mach_port_destroy(T, p);

	c = new_child();
	tap_expect(request(c, MACH_NOTIFY_DEAD_NAME, n), 0,
	           "request a dead-name notification on a task's port");
	tap_expect(task_terminate(c), 0, "the task dies");
	id = note(n, &v);
	tap_ok(id == MACH_NOTIFY_DEAD_NAME && v == c,
	       "dead-name arrives for the task port (%#x)", v);
	(void)mach_port_destroy(T, c);
}

static void check_no_senders(mach_port_t n)
{
	mach_port_t c = new_child(), p = machr_new_receive();
	mach_msg_id_t id;
	uint32_t v = 0;

	tap_expect(mach_port_insert_right(c, 0x501, p, MACH_MSG_TYPE_MAKE_SEND),
	           0, "a child gets the only send right to our port");
	tap_expect(request(p, MACH_NOTIFY_NO_SENDERS, n), 0,
	           "request a no-senders notification");
	tap_ok(nothing(n), "nothing while the child holds it");
	tap_expect(mach_port_deallocate(c, 0x501), 0,
	           "deallocate the child's send right through its task port");
	/* GNU Mach: no-senders (0106) with the make-send count. */
	id = note(n, &v);
	tap_ok(id == MACH_NOTIFY_NO_SENDERS && v == 1,
	       "no-senders arrives, mscount 1 (%u)", v);

	tap_expect(mach_port_insert_right(c, 0x502, p, MACH_MSG_TYPE_MAKE_SEND),
	           0, "give the child a send right again");
	(void)mach_port_insert_right(c, 0x502, p, MACH_MSG_TYPE_MAKE_SEND);
	(void)request(p, MACH_NOTIFY_NO_SENDERS, n);
	tap_ok(nothing(n), "nothing while it holds 2 urefs");
	tap_expect(task_terminate(c), 0, "the child dies");
	id = note(n, &v);
	tap_ok(id == MACH_NOTIFY_NO_SENDERS && v == 3,
	       "no-senders arrives when the task dies, mscount 3 (%u)", v);
	(void)mach_port_destroy(T, p);
}

static void check_send_once_and_destroyed(mach_port_t n)
{
	mach_port_t c = new_child(), p = machr_new_receive();
	mach_port_t q = machr_new_receive(), prev = MACH_PORT_NULL;
	mach_port_type_t t = 0;
	mach_msg_id_t id;
	uint32_t v = 0;

	tap_expect(
	    mach_port_insert_right(c, 0x600, p, MACH_MSG_TYPE_MAKE_SEND_ONCE),
	    0, "a child gets a send-once right to our port");
	tap_expect(
	    mach_port_insert_right(c, 0x601, q, MACH_MSG_TYPE_MOVE_RECEIVE), 0,
	    "and the receive right of another port");
	tap_expect(mach_port_request_notification(
	               c, 0x601, MACH_NOTIFY_PORT_DESTROYED, 0, n,
	               MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	           0, "with a port-destroyed request (made in its space)");
	tap_expect(task_terminate(c), 0, "the child dies");
	/* GNU Mach: the unused send-once right sends send-once (0107),
	 * header only, on the port it named. */
	tap_ok(note(p, NULL) == MACH_NOTIFY_SEND_ONCE,
	       "send-once arrives on our port");
	/* GNU Mach: port-destroyed (0105) hands the receive right to us. */
	id = note(n, &v);
	tap_ok(id == MACH_NOTIFY_PORT_DESTROYED, "port-destroyed arrives");
	(void)mach_port_type(T, v, &t);
	tap_ok(t == MACH_PORT_TYPE_RECEIVE,
	       "carrying the live receive right (%#x, %#x)", v, t);
	(void)mach_port_destroy(T, v);
	(void)mach_port_destroy(T, p);
	(void)mach_port_deallocate(T, c);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, n;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("notify-tasks: no console\n");
	tap_plan(26);
	n = machr_new_receive();
	check_dead_name(n);
	check_no_senders(n);
	check_send_once_and_destroyed(n);
	tap_ok(nothing(n), "no other notification was sent");
	tap_finish(host_priv);
	return 0;
}
