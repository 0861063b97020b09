/*
 * Unit tests of messages the kernel sends itself (ipc_send_kernel) and of
 * messages that die: destroyed queues releasing their rights, receive
 * rights moved or ports dead between dequeue and copyout, dead receiver
 * spaces, bad bodies, large inline messages and circular receive rights.
 * Split from test_ipc_msg.c; same fixture (ipc_msg_harness.h), and each
 * test ends with its leak check.
 */
#include "ipc_msg_harness.h"

#include "ipc/copyin.h"
#include "ipc/copyout.h"
#include "ipc/mqueue.h"

/* ---- kernel-sent messages ---- */

static struct kmsg *kernel_message(struct space *s, mach_port_name_t name,
                                   mach_msg_type_name_t disposition)
{
	struct kmsg *k = kmsg_alloc(sizeof(struct kmsg_header) + 16);
	mach_msg_type_name_t t;

	assert_non_null(k);
	assert_int_equal(
	    right_copyin(s, name, disposition, false, &k->hdr.remote, &t),
	    KERN_SUCCESS);
	k->hdr.bits = MACH_MSGH_BITS(t, 0);
	k->hdr.id = 4242;
	memcpy(kmsg_body(k), "kernel message!", 16);
	return k;
}

static void test_kernel_send_ignores_qlimit_and_arrives(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct umsg m;

	(void)state;
	assert_int_equal(mach_port_set_qlimit(sa, p, 0), KERN_SUCCESS);
	assert_int_equal(
	    ipc_send_kernel(kernel_message(sa, p, MACH_MSG_TYPE_MAKE_SEND)),
	    MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, 4242);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND));
	assert_memory_equal(m.body, "kernel message!", 16);
}

static void test_kernel_send_to_dead_or_null_destroys(void **state)
{
	mach_port_name_t p = new_port(sa), q = new_port(sa);
	struct kmsg *k = kernel_message(sa, p, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	mach_msg_type_name_t t;

	(void)state;
	assert_int_equal(mach_port_destroy(sa, p), KERN_SUCCESS);
	assert_int_equal(ipc_send_kernel(k), MACH_MSG_SUCCESS);
	k = kmsg_alloc(sizeof(struct kmsg_header));
	assert_non_null(k);
	k->hdr.bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE,
	                             MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(right_copyin(sa, q, MACH_MSG_TYPE_MAKE_SEND, false,
	                              &k->hdr.local, &t),
	                 KERN_SUCCESS);
	assert_int_equal(ipc_send_kernel(k), MACH_SEND_INVALID_DEST);
	assert_false(status(sa, q).mps_srights);
	assert_null(kmsg_alloc(8));
	assert_null(kmsg_alloc(KBUF_MAX));
}

/* ---- messages that die ---- */

static void test_own_receive_right_to_itself_is_destroyed(void **state)
{
	mach_port_name_t p = new_port(sa);
	mach_port_name_t s = give_right(sa, p, MACH_MSG_TYPE_MAKE_SEND, sb);
	struct umsg m;
	unsigned at = 0;
	uint64_t slot = p;

	(void)state;
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, body_size(2));
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_MOVE_RECEIVE, 64, 1, true),
	         &slot, 8);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	/* The message could never be received: it and the port are gone. */
	assert_int_equal(type_of_name(sa, p), 0);
	assert_int_equal(type_of_name(sb, s), MACH_PORT_TYPE_DEAD_NAME);
}

static void test_destroyed_port_releases_queued_rights(void **state)
{
	mach_port_name_t p = new_port(sa), r = new_port(sa), q = new_port(sa);
	struct umsg m;

	(void)state;
	for (int i = 0; i < 3; i++) {
		loaded_message(&m, p, r, q);
		assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	}
	assert_int_equal(status(sa, r).mps_sorights, 3);
	assert_int_equal(mach_port_destroy(sa, p), KERN_SUCCESS);
	assert_false(status(sa, q).mps_srights);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(mrecv(sa, &m, r), MACH_MSG_SUCCESS);
		assert_int_equal(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	}
	assert_int_equal(status(sa, r).mps_sorights, 0);
}

static void test_receive_right_moved_before_copyout(void **state)
{
	mach_port_name_t p = new_port(sa), carrier = new_port(sb);
	mach_port_name_t to_c =
	    give_right(sb, carrier, MACH_MSG_TYPE_MAKE_SEND, sa);
	struct kmsg *k;
	struct umsg m;
	unsigned long f;
	struct port *port = port_of(sa, p);
	mach_msg_size_t size;

	(void)state;
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	/* Take the message off the queue the way a receive does ... */
	port_ref(port);
	f = port_lock(port);
	assert_int_equal(mqueue_receive_port(port, f, sa, MACH_MSG_SIZE_MAX, 0,
	                                     &k, &size, NULL),
	                 MACH_MSG_SUCCESS);
	/* ... then move the receive right away before the copyout. */
	{
		unsigned at = 0;
		uint64_t slot = p;

		header(&m, to_c, MACH_MSG_TYPE_COPY_SEND, 0, 0, body_size(2));
		m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
		add_item(&m, &at,
		         type_of(MACH_MSG_TYPE_MOVE_RECEIVE, 64, 1, true),
		         &slot, 8);
		assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	}
	assert_int_equal(kmsg_copyout(k, sa, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg_put(&m, k, sizeof(m.h)), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_local_port, MACH_PORT_NULL);
	port_release(port);
	/* The send-once right became a send-once notification, which now
	 * waits on the port behind the moved receive right. */
	assert_int_equal(mrecv(sb, &m, carrier), MACH_MSG_SUCCESS);
	p = m.body[1];
	assert_int_equal(type_of_name(sb, p), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
}

/* Take the next message off P (in S) as a receive does, without the
 * copyout. */
static struct kmsg *dequeue(struct space *s, mach_port_name_t p)
{
	struct port *port = port_of(s, p);
	mach_msg_size_t size;
	struct kmsg *k = NULL;
	unsigned long f;

	port_ref(port);
	f = port_lock(port);
	assert_int_equal(mqueue_receive_port(port, f, s, MACH_MSG_SIZE_MAX, 0,
	                                     &k, &size, NULL),
	                 MACH_MSG_SUCCESS);
	port_release(port);
	return k;
}

static void test_destination_dead_before_copyout(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct kmsg *k;
	struct umsg m;

	(void)state;
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	k = dequeue(sa, p);
	assert_int_equal(mach_port_destroy(sa, p), KERN_SUCCESS);
	assert_int_equal(kmsg_copyout(k, sa, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	assert_int_equal(kmsg_put(&m, k, sizeof(m.h)), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_local_port, MACH_PORT_DEAD);
}

static void test_receiver_space_dead_before_copyout(void **state)
{
	mach_port_name_t p = new_port(sb);
	mach_port_name_t to_p = give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
	struct kmsg *k;
	struct umsg m;

	(void)state;
	header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	k = dequeue(sb, p);
	space_terminate(sb);
	assert_int_equal(kmsg_copyout(k, sb, MACH_PORT_NULL),
	                 MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE);
	kmsg_copyout_dest(k, sb);
	assert_int_equal(kmsg_put(&m, k, sizeof(m.h)), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_local_port, MACH_PORT_DEAD);
	/* A dead sender's space can send nothing. */
	header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, sizeof(m.h));
	space_terminate(sa);
	assert_int_equal(msend(sa, &m), MACH_SEND_INVALID_DEST);
}

static void test_bad_body_releases_the_reply_right(void **state)
{
	mach_port_name_t p = new_port(sa), r = new_port(sa);
	uint64_t slot = 0x4321;
	struct umsg m;
	unsigned at = 0;

	(void)state;
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, r, MACH_MSG_TYPE_MAKE_SEND_ONCE,
	       0);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_COPY_SEND, 64, 1, true), &slot,
	         8);
	m.h.msgh_size = body_size(at);
	assert_int_equal(msend(sa, &m), MACH_SEND_INVALID_RIGHT);
	assert_int_equal(status(sa, p).mps_msgcount, 0);
	assert_false(status(sa, p).mps_srights);
	assert_int_equal(mrecv(sa, &m, r), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
}

static void test_large_inline_message(void **state)
{
	const mach_msg_size_t size = 100 * 1024;
	mach_port_name_t p = new_port(sa);
	mach_msg_header_t *h = calloc(1, size);
	unsigned char *body = (unsigned char *)(h + 1);

	(void)state;
	assert_non_null(h);
	h->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	h->msgh_remote_port = p;
	for (size_t i = 0; i < size - sizeof(*h); i++)
		body[i] = (unsigned char)(i * 13);
	assert_int_equal(ipc_mach_msg(sa, (uint64_t)(uintptr_t)h, MACH_SEND_MSG,
	                              size, 0, 0, 0, 0),
	                 MACH_MSG_SUCCESS);
	memset(h, 0, size);
	assert_int_equal(ipc_mach_msg(sa, (uint64_t)(uintptr_t)h,
	                              MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, size,
	                              p, 0, 0),
	                 MACH_MSG_SUCCESS);
	assert_int_equal(h->msgh_size, size);
	for (size_t i = 0; i < size - sizeof(*h); i++)
		if (body[i] != (unsigned char)(i * 13))
			fail_msg("byte %zu", i);
	free(h);
}

static void test_kernel_message_closing_a_cycle_is_destroyed(void **state)
{
	mach_port_name_t p = new_port(sa);
	mach_port_name_t s = give_right(sa, p, MACH_MSG_TYPE_MAKE_SEND, sb);
	struct kmsg *k = kernel_message(sa, p, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	mach_msg_type_t *t = kmsg_body(k);
	mach_msg_type_name_t type;

	(void)state;
	/* A kernel message to P carrying P's own receive right, after an
	 * item that is no right at all. */
	memset(t, 0, 16);
	t[0].msgt_name = MACH_MSG_TYPE_PORT_RECEIVE; /* kernel form */
	t[0].msgt_size = 64;
	t[0].msgt_number = 1;
	t[0].msgt_inline = 1;
	assert_int_equal(right_copyin(sa, p, MACH_MSG_TYPE_MOVE_RECEIVE, false,
	                              (struct ipc_object **)(t + 1), &type),
	                 KERN_SUCCESS);
	k->hdr.bits |= MACH_MSGH_BITS_COMPLEX;
	assert_int_equal(ipc_send_kernel(k), MACH_MSG_SUCCESS);
	assert_int_equal(type_of_name(sb, s), MACH_PORT_TYPE_DEAD_NAME);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_kernel_send_ignores_qlimit_and_arrives),
	    T(test_kernel_send_to_dead_or_null_destroys),
	    T(test_own_receive_right_to_itself_is_destroyed),
	    T(test_destroyed_port_releases_queued_rights),
	    T(test_receive_right_moved_before_copyout),
	    T(test_destination_dead_before_copyout),
	    T(test_receiver_space_dead_before_copyout),
	    T(test_bad_body_releases_the_reply_right),
	    T(test_large_inline_message),
	    T(test_kernel_message_closing_a_cycle_is_destroyed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
