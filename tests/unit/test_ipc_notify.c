/*
 * Unit tests of notifications (ipc/notify.c and what triggers them in
 * port.c, right.c, right_entry.c): each is received through mach_msg as
 * a task would, and its bytes compared with mach/notify.h's layout.
 */
#include "ipc_right_harness.h"

/* The 8-byte descriptor MIG expects for a one-item field. */
static uint64_t descriptor(unsigned name, unsigned size)
{
	mach_msg_type_t t;
	uint64_t v;

	memset(&t, 0, sizeof(t));
	t.msgt_name = name;
	t.msgt_size = size;
	t.msgt_number = 1;
	t.msgt_inline = 1;
	memcpy(&v, &t, sizeof(v));
	return v;
}

static uint64_t descriptor_of(const mach_msg_type_t *t)
{
	uint64_t v;

	memcpy(&v, t, sizeof(v));
	return v;
}

/* Receive a notification of id ID on NOTIFY in S and check its header. */
static void expect_notification(struct space *s, mach_port_name_t notify,
                                mach_msg_id_t id, mach_msg_size_t size,
                                struct h_msg *m)
{
	assert_int_equal(h_recv(s, notify, m), MACH_MSG_SUCCESS);
	assert_int_equal(m->h.msgh_id, id);
	assert_int_equal(m->h.msgh_size, size);
	assert_int_equal(MACH_MSGH_BITS_REMOTE(m->h.msgh_bits), 0);
	assert_int_equal(MACH_MSGH_BITS_LOCAL(m->h.msgh_bits),
	                 MACH_MSG_TYPE_PORT_SEND_ONCE);
	assert_int_equal(m->h.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(m->h.msgh_local_port, notify);
}

static void expect_name_notification(struct space *s, mach_port_name_t notify,
                                     mach_msg_id_t id, mach_port_name_t name)
{
	struct h_msg m;
	mach_dead_name_notification_t *n = (void *)&m;

	expect_notification(s, notify, id, sizeof(*n), &m);
	assert_int_equal(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX, 0);
	assert_int_equal(descriptor_of(&n->not_type),
	                 descriptor(MACH_MSG_TYPE_PORT_NAME, 32));
	assert_int_equal(n->not_port, name);
}

static void expect_no_senders(struct space *s, mach_port_name_t notify,
                              mach_port_mscount_t count)
{
	struct h_msg m;
	mach_no_senders_notification_t *n = (void *)&m;

	expect_notification(s, notify, MACH_NOTIFY_NO_SENDERS, sizeof(*n), &m);
	assert_int_equal(descriptor_of(&n->not_type),
	                 descriptor(MACH_MSG_TYPE_INTEGER_32, 32));
	assert_int_equal(n->not_count, count);
}

static void expect_send_once(struct space *s, mach_port_name_t port)
{
	struct h_msg m;

	expect_notification(s, port, MACH_NOTIFY_SEND_ONCE,
	                    sizeof(mach_send_once_notification_t), &m);
}

/* Nothing (more) is queued on NAME. */
static void expect_nothing(struct space *s, mach_port_name_t name)
{
	struct h_msg m;

	assert_int_equal(h_recv(s, name, &m), MACH_RCV_TIMED_OUT);
}

/* A send-once right to the port NAME in S, for a request. */
static struct ipc_object *sonce(struct space *s, mach_port_name_t name)
{
	return take(s, name, MACH_MSG_TYPE_MAKE_SEND_ONCE);
}

static void request(struct space *s, mach_port_name_t name, mach_msg_id_t id,
                    mach_port_mscount_t sync, struct ipc_object *notify)
{
	struct ipc_object *prev = (void *)1;

	assert_int_equal(
	    mach_port_request_notification(s, name, id, sync, notify, &prev),
	    KERN_SUCCESS);
	assert_null(prev);
}

/* --- no-senders --- */

static void test_no_senders_when_last_send_right_goes(void **state)
{
	mach_port_name_t p, n, snd;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s1);
	request(s1, p, MACH_NOTIFY_NO_SENDERS, 1, sonce(s1, n));
	expect_nothing(s1, n); /* mscount 0 < sync 1: not yet */
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	assert_true(status_of(s1, p).mps_nsrequest);
	assert_int_equal(mach_port_deallocate(s2, snd), KERN_SUCCESS);
	expect_nothing(s1, n); /* one user reference left */
	assert_int_equal(mach_port_deallocate(s2, snd), KERN_SUCCESS);
	expect_no_senders(s1, n, 2);
	assert_false(status_of(s1, p).mps_nsrequest);
	expect_nothing(s1, n);
	assert_consistent(true);
}

static void test_no_senders_immediate_with_sync(void **state)
{
	mach_port_name_t p, n;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s1);
	/* No send rights, mscount 0 >= sync 0: sent at once. */
	request(s1, p, MACH_NOTIFY_NO_SENDERS, 0, sonce(s1, n));
	expect_no_senders(s1, n, 0);
	assert_false(status_of(s1, p).mps_nsrequest);
	/* With a send right extant, it waits, whatever the sync. */
	give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	request(s1, p, MACH_NOTIFY_NO_SENDERS, 0, sonce(s1, n));
	expect_nothing(s1, n);
	assert_int_equal(mach_port_destroy(s2, 1), KERN_SUCCESS);
	expect_no_senders(s1, n, 1);
	/* mscount 1 >= sync 1 and no senders: at once again. */
	request(s1, p, MACH_NOTIFY_NO_SENDERS, 1, sonce(s1, n));
	expect_no_senders(s1, n, 1);
	assert_consistent(true);
}

static void test_no_senders_by_every_way_a_send_right_dies(void **state)
{
	mach_port_name_t p, n, snd;
	struct ipc_object *o;
	struct space *s;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s1);
	/* mod_refs to zero. */
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	request(s1, p, MACH_NOTIFY_NO_SENDERS, 1, sonce(s1, n));
	assert_int_equal(mach_port_mod_refs(s2, snd, MACH_PORT_RIGHT_SEND, -1),
	                 KERN_SUCCESS);
	expect_no_senders(s1, n, 1);
	/* A right in a message that is destroyed. */
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	request(s1, p, MACH_NOTIFY_NO_SENDERS, 2, sonce(s1, n));
	o = take(s2, snd, MACH_MSG_TYPE_MOVE_SEND);
	assert_int_equal(type_of(s2, snd), GONE);
	expect_nothing(s1, n);
	right_release(o, MACH_MSG_TYPE_PORT_SEND);
	expect_no_senders(s1, n, 2);
	/* The task holding it goes away. */
	assert_int_equal(space_create(&s), KERN_SUCCESS);
	give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s);
	request(s1, p, MACH_NOTIFY_NO_SENDERS, 3, sonce(s1, n));
	space_release(s);
	expect_no_senders(s1, n, 3);
	/* The kernel's own send right. */
	port_make_send(port_of(s1, p));
	request(s1, p, MACH_NOTIFY_NO_SENDERS, 4, sonce(s1, n));
	port_release_send(port_of(s1, p));
	expect_no_senders(s1, n, 4);
	assert_consistent(true);
}

static void test_no_senders_when_send_receive_name_destroyed(void **state)
{
	mach_port_name_t p, n;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	assert_int_equal(give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s1), p);
	request(s1, p, MACH_NOTIFY_NO_SENDERS, 1, sonce(s2, n));
	/* The send right goes first: the request fires as no-senders. */
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	expect_no_senders(s2, n, 1);
	expect_nothing(s2, n);
	assert_consistent(true);
}

/* --- send-once --- */

static void test_send_once_when_right_dies_unused(void **state)
{
	mach_port_name_t p, so;
	struct ipc_object *o;
	struct space *s;

	(void)state;
	p = new_receive(s1);
	so = give(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s2);
	assert_int_equal(mach_port_deallocate(s2, so), KERN_SUCCESS);
	expect_send_once(s1, p);
	so = give(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s2);
	assert_int_equal(
	    mach_port_mod_refs(s2, so, MACH_PORT_RIGHT_SEND_ONCE, -1),
	    KERN_SUCCESS);
	expect_send_once(s1, p);
	so = give(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s2);
	assert_int_equal(mach_port_destroy(s2, so), KERN_SUCCESS);
	expect_send_once(s1, p);
	o = sonce(s1, p);
	right_release(o, MACH_MSG_TYPE_PORT_SEND_ONCE);
	expect_send_once(s1, p);
	assert_int_equal(space_create(&s), KERN_SUCCESS);
	give(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s);
	space_release(s);
	expect_send_once(s1, p);
	expect_nothing(s1, p);
	assert_int_equal(status_of(s1, p).mps_sorights, 0);
	assert_consistent(true);
}

static void test_send_once_right_to_dead_port_just_goes(void **state)
{
	mach_port_name_t p, so;

	(void)state;
	p = new_receive(s1);
	so = give(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s2);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	assert_int_equal(type_of(s2, so), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(urefs_of(s2, so, MACH_PORT_RIGHT_DEAD_NAME), 1);
	assert_int_equal(mach_port_deallocate(s2, so), KERN_SUCCESS);
	assert_int_equal(type_of(s2, so), GONE);
}

static void test_no_senders_request_dies_with_port(void **state)
{
	mach_port_name_t p, n;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s3);
	request(s1, p, MACH_NOTIFY_NO_SENDERS, 1, sonce(s2, n));
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	/* The request's send-once right dies unused. */
	expect_send_once(s2, n);
	expect_nothing(s2, n);
	assert_consistent(true);
}

/* --- dead-name --- */

static void test_dead_name_when_port_dies(void **state)
{
	mach_port_name_t p, n, snd, so;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	so = give(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s2);
	request(s2, snd, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	request(s2, so, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	assert_int_equal(type_of(s2, snd),
	                 MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DNREQUEST);
	assert_int_equal(type_of(s2, so),
	                 MACH_PORT_TYPE_SEND_ONCE | MACH_PORT_TYPE_DNREQUEST);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	expect_name_notification(s2, n, MACH_NOTIFY_DEAD_NAME, snd);
	expect_name_notification(s2, n, MACH_NOTIFY_DEAD_NAME, so);
	expect_nothing(s2, n);
	/* Each name is dead, with one more reference for its notice. */
	assert_int_equal(type_of(s2, snd), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(urefs_of(s2, snd, MACH_PORT_RIGHT_DEAD_NAME), 2);
	assert_int_equal(urefs_of(s2, so, MACH_PORT_RIGHT_DEAD_NAME), 2);
	assert_consistent(true);
}

static void test_dead_name_immediate_on_dead_name(void **state)
{
	mach_port_name_t p, n, snd, d;

	(void)state;
	n = new_receive(s2);
	d = new_dead(s2);
	request(s2, d, MACH_NOTIFY_DEAD_NAME, 1, sonce(s2, n));
	expect_name_notification(s2, n, MACH_NOTIFY_DEAD_NAME, d);
	assert_int_equal(urefs_of(s2, d, MACH_PORT_RIGHT_DEAD_NAME), 2);
	/* A send right whose port died is a dead name too. */
	p = new_receive(s1);
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	{
		struct ipc_object *o = sonce(s2, n), *prev;

		assert_int_equal(
		    mach_port_request_notification(
		        s2, snd, MACH_NOTIFY_DEAD_NAME, 0, o, &prev),
		    KERN_INVALID_ARGUMENT);
		request(s2, snd, MACH_NOTIFY_DEAD_NAME, 1, o);
	}
	expect_name_notification(s2, n, MACH_NOTIFY_DEAD_NAME, snd);
	assert_int_equal(urefs_of(s2, snd, MACH_PORT_RIGHT_DEAD_NAME), 2);
	assert_consistent(true);
}

static void test_dead_name_follows_rename(void **state)
{
	mach_port_name_t p, n, snd;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	request(s2, snd, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	assert_int_equal(mach_port_rename(s2, snd, 0x4000), KERN_SUCCESS);
	assert_consistent(true);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	expect_name_notification(s2, n, MACH_NOTIFY_DEAD_NAME, 0x4000);
}

static void test_dead_name_request_on_own_receive_right(void **state)
{
	mach_port_name_t p, n;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	assert_int_equal(give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s1), p);
	request(s1, p, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	/* The receive right goes; the send right stays as a dead name, and
	 * the request fires with the port's death. */
	assert_int_equal(mach_port_mod_refs(s1, p, MACH_PORT_RIGHT_RECEIVE, -1),
	                 KERN_SUCCESS);
	assert_int_equal(type_of(s1, p), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(urefs_of(s1, p, MACH_PORT_RIGHT_DEAD_NAME), 2);
	expect_name_notification(s2, n, MACH_NOTIFY_DEAD_NAME, p);
	expect_nothing(s2, n);
	assert_consistent(true);
}

/* --- port-deleted --- */

static void test_port_deleted_when_name_with_request_goes(void **state)
{
	mach_port_name_t p, n, snd, so, r;
	struct ipc_object *o;
	struct space *s;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	/* deallocate of the last user reference */
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	request(s2, snd, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	assert_int_equal(mach_port_deallocate(s2, snd), KERN_SUCCESS);
	expect_name_notification(s2, n, MACH_NOTIFY_PORT_DELETED, snd);
	/* moving the last send right into a message */
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	request(s2, snd, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	o = take(s2, snd, MACH_MSG_TYPE_MOVE_SEND);
	expect_name_notification(s2, n, MACH_NOTIFY_PORT_DELETED, snd);
	right_release(o, MACH_MSG_TYPE_PORT_SEND);
	/* moving a send-once right */
	so = give(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s2);
	request(s2, so, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	o = take(s2, so, MACH_MSG_TYPE_MOVE_SEND_ONCE);
	expect_name_notification(s2, n, MACH_NOTIFY_PORT_DELETED, so);
	assert_int_equal(put(s1, o, MACH_MSG_TYPE_PORT_SEND_ONCE) != 0, 1);
	/* destroy */
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	request(s2, snd, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	assert_int_equal(mach_port_destroy(s2, snd), KERN_SUCCESS);
	expect_name_notification(s2, n, MACH_NOTIFY_PORT_DELETED, snd);
	/* a receive-only name moved away */
	r = new_receive(s2);
	request(s2, r, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	o = take(s2, r, MACH_MSG_TYPE_MOVE_RECEIVE);
	expect_name_notification(s2, n, MACH_NOTIFY_PORT_DELETED, r);
	put(s3, o, MACH_MSG_TYPE_PORT_RECEIVE);
	/* a receive-only name destroyed */
	r = new_receive(s2);
	request(s2, r, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	assert_int_equal(mach_port_destroy(s2, r), KERN_SUCCESS);
	expect_name_notification(s2, n, MACH_NOTIFY_PORT_DELETED, r);
	/* the space going away */
	assert_int_equal(space_create(&s), KERN_SUCCESS);
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s);
	request(s, snd, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	space_release(s);
	expect_name_notification(s2, n, MACH_NOTIFY_PORT_DELETED, snd);
	expect_nothing(s2, n);
	assert_consistent(false);
}

static void test_cancelled_request_sends_nothing(void **state)
{
	mach_port_name_t p, n, snd;
	struct ipc_object *prev;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	request(s2, snd, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	assert_int_equal(
	    mach_port_request_notification(s2, snd, MACH_NOTIFY_DEAD_NAME, 0,
	                                   IPC_OBJECT_NULL, &prev),
	    KERN_SUCCESS);
	assert_non_null(prev);
	assert_int_equal(type_of(s2, snd), MACH_PORT_TYPE_SEND);
	right_release(prev, MACH_MSG_TYPE_PORT_SEND_ONCE);
	expect_send_once(s2, n);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	expect_nothing(s2, n);
	assert_int_equal(urefs_of(s2, snd, MACH_PORT_RIGHT_DEAD_NAME), 1);
}

/* --- port-destroyed --- */

static void test_port_destroyed_hands_over_the_receive_right(void **state)
{
	mach_port_name_t p, n, snd, got;
	struct h_msg m;
	mach_port_destroyed_notification_t *pd = (void *)&m;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s3);
	request(s1, p, MACH_NOTIFY_PORT_DESTROYED, 0, sonce(s2, n));
	assert_true(status_of(s1, p).mps_pdrequest);
	/* A message waiting on the port survives the hand-over. */
	{
		struct kmsg *k = kmsg_alloc(sizeof(struct kmsg_header));

		k->hdr.bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND, 0);
		k->hdr.remote = take(s3, snd, MACH_MSG_TYPE_COPY_SEND);
		k->hdr.id = 4242;
		assert_int_equal(ipc_send_kernel(k), MACH_MSG_SUCCESS);
	}
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	assert_int_equal(type_of(s1, p), GONE);
	expect_notification(s2, n, MACH_NOTIFY_PORT_DESTROYED, sizeof(*pd), &m);
	assert_true(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	assert_int_equal(descriptor_of(&pd->not_type),
	                 descriptor(MACH_MSG_TYPE_PORT_RECEIVE, 64));
	got = pd->not_port;
	assert_int_equal(type_of(s2, got), MACH_PORT_TYPE_RECEIVE);
	/* Same port: the send right elsewhere still works, the queue is
	 * intact, the request is gone. */
	assert_int_equal(type_of(s3, snd), MACH_PORT_TYPE_SEND);
	assert_int_equal(queued(s2, got), 1);
	assert_false(status_of(s2, got).mps_pdrequest);
	/* It changed hands: mscount (1 before) starts again from 0. */
	assert_int_equal(status_of(s2, got).mps_mscount, 0);
	assert_int_equal(h_recv(s2, got, &m), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, 4242);
	/* Without a request, it dies now. */
	assert_int_equal(mach_port_destroy(s2, got), KERN_SUCCESS);
	assert_int_equal(type_of(s3, snd), MACH_PORT_TYPE_DEAD_NAME);
	assert_consistent(true);
}

static void test_port_destroyed_on_itself_destroys(void **state)
{
	mach_port_name_t p, snd;

	(void)state;
	p = new_receive(s1);
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	request(s1, p, MACH_NOTIFY_PORT_DESTROYED, 0, sonce(s1, p));
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	assert_int_equal(type_of(s2, snd), MACH_PORT_TYPE_DEAD_NAME);
	assert_consistent(true);
}

static void test_port_destroyed_to_dead_notify_port_destroys(void **state)
{
	mach_port_name_t p, n, snd;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s3);
	request(s1, p, MACH_NOTIFY_PORT_DESTROYED, 0, sonce(s2, n));
	assert_int_equal(mach_port_destroy(s2, n), KERN_SUCCESS);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	assert_int_equal(type_of(s3, snd), MACH_PORT_TYPE_DEAD_NAME);
	assert_consistent(true);
}

static void test_port_destroyed_for_receive_right_in_transit(void **state)
{
	mach_port_name_t p, n;
	struct ipc_object *o;
	struct h_msg m;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	request(s1, p, MACH_NOTIFY_PORT_DESTROYED, 0, sonce(s2, n));
	o = take(s1, p, MACH_MSG_TYPE_MOVE_RECEIVE);
	right_release(o, MACH_MSG_TYPE_PORT_RECEIVE);
	expect_notification(s2, n, MACH_NOTIFY_PORT_DESTROYED,
	                    sizeof(mach_port_destroyed_notification_t), &m);
	assert_consistent(true);
}

static void test_space_termination_sends_port_destroyed(void **state)
{
	mach_port_name_t p, n;
	struct space *s;
	struct h_msg m;

	(void)state;
	assert_int_equal(space_create(&s), KERN_SUCCESS);
	n = new_receive(s2);
	p = new_receive(s);
	request(s, p, MACH_NOTIFY_PORT_DESTROYED, 0, sonce(s2, n));
	space_release(s);
	expect_notification(s2, n, MACH_NOTIFY_PORT_DESTROYED,
	                    sizeof(mach_port_destroyed_notification_t), &m);
	assert_int_equal(
	    type_of(s2, ((mach_port_destroyed_notification_t *)&m)->not_port),
	    MACH_PORT_TYPE_RECEIVE);
	assert_consistent(true);
}

/* --- resources --- */

static void test_notification_lost_when_memory_is_short(void **state)
{
	const char *const caches[] = {"kmalloc-64", "kmalloc-128"};
	mach_port_name_t p, n, snd;
	struct slab_stats st;
	void *filler[2] = {NULL, NULL};

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	request(s2, snd, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	request(s1, p, MACH_NOTIFY_PORT_DESTROYED, 0, sonce(s2, n));
	kmsg_spares_drain(); /* no message buffer kept aside either */
	for (unsigned i = 0; i < 2; i++) {
		struct slab_cache *c = slab_cache_find(caches[i]);

		slab_cache_get_stats(c, &st);
		slab_cache_set_limit(c, st.live ? st.live : 1);
		if (st.live == 0)
			filler[i] = slab_alloc(c); /* fill it */
	}
	/* The port-destroyed message cannot be made: the port dies; the
	 * dead-name notice is lost, its right released quietly. */
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	for (unsigned i = 0; i < 2; i++) {
		slab_cache_set_limit(slab_cache_find(caches[i]), 0);
		if (filler[i] != NULL)
			slab_free(slab_cache_find(caches[i]), filler[i]);
	}
	assert_int_equal(type_of(s2, snd), MACH_PORT_TYPE_DEAD_NAME);
	expect_nothing(s2, n);
	assert_int_equal(status_of(s2, n).mps_sorights, 0);
	assert_consistent(true);
}

static void test_notifications_to_dead_ports_leave_nothing(void **state)
{
	mach_port_name_t p, n, snd;

	(void)state;
	p = new_receive(s1);
	n = new_receive(s2);
	snd = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s3);
	request(s3, snd, MACH_NOTIFY_DEAD_NAME, 0, sonce(s2, n));
	request(s1, p, MACH_NOTIFY_NO_SENDERS, 5, sonce(s2, n));
	assert_int_equal(mach_port_destroy(s2, n), KERN_SUCCESS);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	assert_int_equal(urefs_of(s3, snd, MACH_PORT_RIGHT_DEAD_NAME), 2);
	assert_consistent(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    IPC_TEST(test_no_senders_when_last_send_right_goes),
	    IPC_TEST(test_no_senders_immediate_with_sync),
	    IPC_TEST(test_no_senders_by_every_way_a_send_right_dies),
	    IPC_TEST(test_no_senders_when_send_receive_name_destroyed),
	    IPC_TEST(test_send_once_when_right_dies_unused),
	    IPC_TEST(test_send_once_right_to_dead_port_just_goes),
	    IPC_TEST(test_no_senders_request_dies_with_port),
	    IPC_TEST(test_dead_name_when_port_dies),
	    IPC_TEST(test_dead_name_immediate_on_dead_name),
	    IPC_TEST(test_dead_name_follows_rename),
	    IPC_TEST(test_dead_name_request_on_own_receive_right),
	    IPC_TEST(test_port_deleted_when_name_with_request_goes),
	    IPC_TEST(test_cancelled_request_sends_nothing),
	    IPC_TEST(test_port_destroyed_hands_over_the_receive_right),
	    IPC_TEST(test_port_destroyed_on_itself_destroys),
	    IPC_TEST(test_port_destroyed_to_dead_notify_port_destroys),
	    IPC_TEST(test_port_destroyed_for_receive_right_in_transit),
	    IPC_TEST(test_space_termination_sends_port_destroyed),
	    IPC_TEST(test_notification_lost_when_memory_is_short),
	    IPC_TEST(test_notifications_to_dead_ports_leave_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
