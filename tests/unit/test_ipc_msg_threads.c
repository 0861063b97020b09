/*
 * Multi-threaded unit tests of mach_msg (kernel/ipc/mqueue.c, msg.c,
 * kern/waitq.c): host pthreads pose as threads (machine/host_thread.h).
 * Blocking sends on full queues woken by receives, send and receive
 * timeouts, interrupts of blocked sends and receives, ports and sets
 * dying under a waiting thread, port-set receives racing senders with
 * no message lost or received twice, and an RPC ping-pong.
 */
#include "ipc_msg_harness.h"

#define WAIT_LONG 5000 /* ms: a wait that should never expire */

/* A thread running one mach_msg call. */
struct call {
	pthread_t tid;
	struct host_thread *self;
	atomic_int started, done;
	struct space *space;
	struct umsg m;
	mach_msg_option_t option;
	mach_msg_size_t send_size, rcv_size;
	mach_port_name_t rcv_name;
	mach_msg_timeout_t timeout;
	mach_msg_return_t mr;
};

static void *call_main(void *arg)
{
	struct call *c = arg;

	host_thread_attach();
	c->self = host_thread_self();
	atomic_store(&c->started, 1);
	c->mr = ipc_mach_msg(c->space, (uint64_t)(uintptr_t)&c->m, c->option,
	                     c->send_size, c->rcv_size, c->rcv_name, c->timeout,
	                     MACH_PORT_NULL);
	atomic_store(&c->done, 1);
	host_thread_detach();
	return NULL;
}

static void call_start(struct call *c)
{
	atomic_init(&c->started, 0);
	atomic_init(&c->done, 0);
	assert_int_equal(pthread_create(&c->tid, NULL, call_main, c), 0);
	while (!atomic_load(&c->started))
		usleep(100);
}

/* Wait until C blocks in the kernel (it must, before it can finish). */
static void call_wait_blocked(struct call *c)
{
	while (!host_thread_blocked(c->self)) {
		assert_false(atomic_load(&c->done));
		usleep(100);
	}
}

static void call_join(struct call *c)
{
	pthread_join(c->tid, NULL);
}

/* A blocking send of a header-only MAKE_SEND message to P in sa. */
static void start_send(struct call *c, mach_port_name_t p,
                       mach_msg_option_t extra, mach_msg_timeout_t timeout)
{
	memset(c, 0, sizeof(*c));
	c->space = sa;
	header(&c->m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(c->m.h));
	c->m.h.msgh_id = 1234;
	c->option = MACH_SEND_MSG | extra;
	c->send_size = sizeof(c->m.h);
	c->timeout = timeout;
	call_start(c);
}

static void start_receive(struct call *c, struct space *s,
                          mach_port_name_t from, mach_msg_option_t extra,
                          mach_msg_timeout_t timeout)
{
	memset(c, 0, sizeof(*c));
	c->space = s;
	c->option = MACH_RCV_MSG | extra;
	c->rcv_size = sizeof(c->m);
	c->rcv_name = from;
	c->timeout = timeout;
	call_start(c);
}

static void fill(mach_port_name_t p, mach_port_msgcount_t qlimit)
{
	struct umsg m;

	assert_int_equal(mach_port_set_qlimit(sa, p, qlimit), KERN_SUCCESS);
	for (unsigned i = 0; i < qlimit; i++) {
		header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h));
		assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	}
}

/* ---- blocked senders ---- */

static void test_full_queue_blocks_sender_until_a_receive(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct call c;
	struct umsg m;

	(void)state;
	fill(p, 1);
	start_send(&c, p, 0, 0);
	call_wait_blocked(&c);
	assert_int_equal(status(sa, p).mps_msgcount, 1);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	call_join(&c);
	assert_int_equal(c.mr, MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, 1234);
}

static void test_send_timeout_expires_and_gives_message_back(void **state)
{
	mach_port_name_t p = new_port(sa);
	uint64_t start;
	struct call c;

	(void)state;
	fill(p, 1);
	start = clock_now_ns();
	start_send(&c, p, MACH_SEND_TIMEOUT, 40);
	call_join(&c);
	assert_int_equal(c.mr, MACH_SEND_TIMED_OUT);
	assert_true(clock_now_ns() - start >= 40 * MS);
	assert_int_equal(c.m.h.msgh_remote_port, p);
	assert_int_equal(refs(sa, p, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(status(sa, p).mps_msgcount, 1);
}

static void test_interrupted_send_gives_message_back(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct call c;

	(void)state;
	fill(p, 1);
	start_send(&c, p, 0, 0);
	call_wait_blocked(&c);
	assert_true(host_thread_interrupt(c.self));
	call_join(&c);
	assert_int_equal(c.mr, MACH_SEND_INTERRUPTED);
	assert_int_equal(c.m.h.msgh_remote_port, p);
	assert_int_equal(status(sa, p).mps_msgcount, 1);
}

static void test_blocked_sender_on_dying_port_succeeds(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct call c;

	(void)state;
	fill(p, 1);
	start_send(&c, p, 0, 0);
	call_wait_blocked(&c);
	assert_int_equal(mach_port_destroy(sa, p), KERN_SUCCESS);
	call_join(&c);
	/* GNU Mach: as if sent, then destroyed with the port. */
	assert_int_equal(c.mr, MACH_MSG_SUCCESS);
}

static void test_larger_qlimit_lets_blocked_senders_in(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct call c[2];

	(void)state;
	fill(p, 1);
	start_send(&c[0], p, 0, 0);
	start_send(&c[1], p, 0, 0);
	call_wait_blocked(&c[0]);
	call_wait_blocked(&c[1]);
	assert_int_equal(mach_port_set_qlimit(sa, p, 3), KERN_SUCCESS);
	call_join(&c[0]);
	call_join(&c[1]);
	assert_int_equal(c[0].mr, MACH_MSG_SUCCESS);
	assert_int_equal(c[1].mr, MACH_MSG_SUCCESS);
	assert_int_equal(status(sa, p).mps_msgcount, 3);
}

/* ---- blocked receivers ---- */

static void test_blocked_receive_gets_the_next_send(void **state)
{
	mach_port_name_t p = new_port(sb);
	mach_port_name_t to_p = give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
	struct call c;
	struct umsg m;

	(void)state;
	start_receive(&c, sb, p, 0, 0);
	call_wait_blocked(&c);
	header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, body_size(1));
	m.body[0] = 0x5555;
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	call_join(&c);
	assert_int_equal(c.mr, MACH_MSG_SUCCESS);
	assert_int_equal(c.m.h.msgh_local_port, p);
	assert_int_equal(c.m.body[0], 0x5555);
}

/* A waiting receiver is handed each message directly, with the port's
 * next sequence number, as if it had been queued and taken. */
static void test_waiting_receiver_is_handed_messages_in_order(void **state)
{
	mach_port_name_t p = new_port(sb);
	mach_port_name_t to_p = give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
	struct call c;
	struct umsg m;

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		start_receive(&c, sb, p, 0, 0);
		call_wait_blocked(&c);
		header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, body_size(1));
		m.body[0] = 0x100 + i;
		assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
		call_join(&c);
		assert_int_equal(c.mr, MACH_MSG_SUCCESS);
		assert_int_equal(c.m.h.msgh_seqno, i);
		assert_int_equal(c.m.body[0], 0x100 + i);
	}
}

/* A waiting receiver without room (MACH_RCV_LARGE) is not handed the
 * message: it is queued, the receiver learns its size, and the next
 * receive takes it. */
static void test_waiting_receiver_without_room_leaves_it_queued(void **state)
{
	mach_port_name_t p = new_port(sb);
	mach_port_name_t to_p = give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
	struct call c;
	struct umsg m;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.space = sb;
	c.option = MACH_RCV_MSG | MACH_RCV_LARGE;
	c.rcv_size = sizeof(c.m.h);
	c.rcv_name = p;
	call_start(&c);
	call_wait_blocked(&c);
	header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, body_size(1));
	m.body[0] = 0x77;
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	call_join(&c);
	assert_int_equal(c.mr, MACH_RCV_TOO_LARGE);
	assert_int_equal(c.m.h.msgh_size, body_size(1));
	start_receive(&c, sb, p, 0, 0);
	call_join(&c);
	assert_int_equal(c.mr, MACH_MSG_SUCCESS);
	assert_int_equal(c.m.body[0], 0x77);
}

static void test_interrupted_receive(void **state)
{
	mach_port_name_t p = new_port(sa), set = new_set(sa);
	struct call c;

	(void)state;
	start_receive(&c, sa, p, MACH_RCV_TIMEOUT, WAIT_LONG);
	call_wait_blocked(&c);
	assert_true(host_thread_interrupt(c.self));
	call_join(&c);
	assert_int_equal(c.mr, MACH_RCV_INTERRUPTED);

	start_receive(&c, sa, set, 0, 0);
	call_wait_blocked(&c);
	assert_true(host_thread_interrupt(c.self));
	call_join(&c);
	assert_int_equal(c.mr, MACH_RCV_INTERRUPTED);
}

static void test_receiver_sees_port_die(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct call c;

	(void)state;
	start_receive(&c, sa, p, 0, 0);
	call_wait_blocked(&c);
	assert_int_equal(mach_port_destroy(sa, p), KERN_SUCCESS);
	call_join(&c);
	assert_int_equal(c.mr, MACH_RCV_PORT_DIED);
}

static void test_receiver_sees_receive_right_leave(void **state)
{
	mach_port_name_t p = new_port(sa), q = new_port(sb);
	mach_port_name_t to_q = give_right(sb, q, MACH_MSG_TYPE_MAKE_SEND, sa);
	uint64_t slot = p;
	struct call c;
	struct umsg m;
	unsigned at = 0;

	(void)state;
	start_receive(&c, sa, p, 0, 0);
	call_wait_blocked(&c);
	header(&m, to_q, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_MOVE_RECEIVE, 64, 1, true),
	         &slot, 8);
	m.h.msgh_size = body_size(at);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	call_join(&c);
	assert_int_equal(c.mr, MACH_RCV_PORT_DIED);
}

static void test_receiver_sees_port_join_a_set(void **state)
{
	mach_port_name_t p = new_port(sa), set = new_set(sa);
	struct call c;

	(void)state;
	start_receive(&c, sa, p, 0, 0);
	call_wait_blocked(&c);
	assert_int_equal(mach_port_move_member(sa, p, set), KERN_SUCCESS);
	call_join(&c);
	assert_int_equal(c.mr, MACH_RCV_PORT_CHANGED);
}

static void test_receiver_sees_set_die(void **state)
{
	mach_port_name_t set = new_set(sa);
	struct call c;

	(void)state;
	start_receive(&c, sa, set, 0, 0);
	call_wait_blocked(&c);
	assert_int_equal(mach_port_destroy(sa, set), KERN_SUCCESS);
	call_join(&c);
	assert_int_equal(c.mr, MACH_RCV_PORT_DIED);
}

static void test_set_receiver_woken_by_member_send(void **state)
{
	mach_port_name_t set = new_set(sa), p[3];
	struct call c;
	struct umsg m;

	(void)state;
	for (int i = 0; i < 3; i++) {
		p[i] = new_port(sa);
		assert_int_equal(mach_port_move_member(sa, p[i], set),
		                 KERN_SUCCESS);
	}
	for (int round = 0; round < 200; round++) {
		start_receive(&c, sa, set, MACH_RCV_TIMEOUT, WAIT_LONG);
		if (round & 1)
			call_wait_blocked(&c);
		header(&m, p[round % 3], MACH_MSG_TYPE_MAKE_SEND, 0, 0,
		       sizeof(m.h));
		assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
		call_join(&c);
		assert_int_equal(c.mr, MACH_MSG_SUCCESS);
		assert_int_equal(c.m.h.msgh_local_port, p[round % 3]);
	}
}

static void test_set_receive_takes_oldest_message_first(void **state)
{
	mach_port_name_t set = new_set(sa), p[3];
	struct umsg m;

	(void)state;
	for (int i = 0; i < 3; i++) {
		p[i] = new_port(sa);
		assert_int_equal(mach_port_move_member(sa, p[i], set),
		                 KERN_SUCCESS);
	}
	static const int order[] = {2, 0, 1, 2, 2, 0};
	for (unsigned i = 0; i < ARRAY_SIZE(order); i++) {
		header(&m, p[order[i]], MACH_MSG_TYPE_MAKE_SEND, 0, 0,
		       sizeof(m.h));
		m.h.msgh_id = (mach_msg_id_t)i;
		assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(order); i++) {
		assert_int_equal(mrecv(sa, &m, set), MACH_MSG_SUCCESS);
		assert_int_equal(m.h.msgh_id, (mach_msg_id_t)i);
		assert_int_equal(m.h.msgh_local_port, p[order[i]]);
	}
}

/* ---- races ---- */

#define MEMBERS    4
#define SENDERS    4
#define RECEIVERS  3
#define PER_SENDER 300

static mach_port_name_t race_ports[MEMBERS], race_set;
static atomic_int seen[SENDERS * PER_SENDER];
static atomic_int received;

static void *race_sender(void *arg)
{
	int id = (int)(intptr_t)arg;
	struct umsg m;

	host_thread_attach();
	for (int i = 0; i < PER_SENDER; i++) {
		mach_port_name_t p = race_ports[(id + i) % MEMBERS];

		header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, body_size(1));
		m.body[0] = (uint64_t)(id * PER_SENDER + i);
		/* No timeout: a full queue blocks until a receive. */
		assert_int_equal(send_opts(sa, &m, 0, 0), MACH_MSG_SUCCESS);
	}
	host_thread_detach();
	return NULL;
}

static void *race_receiver(void *arg)
{
	struct umsg m;

	(void)arg;
	host_thread_attach();
	while (atomic_load(&received) < SENDERS * PER_SENDER) {
		mach_msg_return_t mr = recv_opts(sa, &m, race_set, sizeof(m),
		                                 MACH_RCV_TIMEOUT, 50);

		if (mr == MACH_RCV_TIMED_OUT)
			continue;
		assert_int_equal(mr, MACH_MSG_SUCCESS);
		assert_true(m.body[0] < SENDERS * PER_SENDER);
		assert_int_equal(atomic_fetch_add(&seen[m.body[0]], 1), 0);
		atomic_fetch_add(&received, 1);
	}
	host_thread_detach();
	return NULL;
}

static void test_set_receivers_racing_senders_lose_nothing(void **state)
{
	pthread_t s[SENDERS], r[RECEIVERS];
	uint64_t start = clock_now_ns();

	(void)state;
	race_set = new_set(sa);
	for (int i = 0; i < MEMBERS; i++) {
		race_ports[i] = new_port(sa);
		assert_int_equal(mach_port_set_qlimit(sa, race_ports[i], 2),
		                 KERN_SUCCESS);
		assert_int_equal(
		    mach_port_move_member(sa, race_ports[i], race_set),
		    KERN_SUCCESS);
	}
	atomic_store(&received, 0);
	for (int i = 0; i < SENDERS * PER_SENDER; i++)
		atomic_store(&seen[i], 0);
	for (int i = 0; i < RECEIVERS; i++)
		pthread_create(&r[i], NULL, race_receiver, NULL);
	for (int i = 0; i < SENDERS; i++)
		pthread_create(&s[i], NULL, race_sender, (void *)(intptr_t)i);
	for (int i = 0; i < SENDERS; i++)
		pthread_join(s[i], NULL);
	for (int i = 0; i < RECEIVERS; i++)
		pthread_join(r[i], NULL);
	assert_int_equal(atomic_load(&received), SENDERS * PER_SENDER);
	for (int i = 0; i < MEMBERS; i++) {
		assert_int_equal(status(sa, race_ports[i]).mps_msgcount, 0);
		assert_int_equal(status(sa, race_ports[i]).mps_seqno,
		                 SENDERS * PER_SENDER / MEMBERS);
	}
	print_message("# %d messages through a set of %d in %.1f ms\n",
	              SENDERS * PER_SENDER, MEMBERS,
	              (double)(clock_now_ns() - start) / 1e6);
}

/* An RPC ping-pong: the client sends with a MAKE_SEND_ONCE reply port
 * and receives the reply in the same call; the server answers through
 * the send-once right. */
#define RPCS 500

static mach_port_name_t server_port, client_reply, client_to_server;

static void *server_main(void *arg)
{
	struct umsg m;

	(void)arg;
	host_thread_attach();
	for (int i = 0; i < RPCS; i++) {
		mach_port_name_t reply;

		memset(&m, 0, sizeof(m));
		assert_int_equal(recv_opts(sb, &m, server_port, sizeof(m),
		                           MACH_RCV_TIMEOUT, WAIT_LONG),
		                 MACH_MSG_SUCCESS);
		assert_int_equal(m.h.msgh_id, i);
		reply = m.h.msgh_remote_port;
		header(&m, reply, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 0,
		       body_size(1));
		m.h.msgh_id = i + 100;
		m.body[0] = (uint64_t)i * 3;
		assert_int_equal(msend(sb, &m), MACH_MSG_SUCCESS);
	}
	host_thread_detach();
	return NULL;
}

static void test_rpc_ping_pong_between_two_threads(void **state)
{
	pthread_t server;
	struct umsg m;

	(void)state;
	server_port = new_port(sb);
	client_to_server =
	    give_right(sb, server_port, MACH_MSG_TYPE_MAKE_SEND, sa);
	client_reply = new_port(sa);
	pthread_create(&server, NULL, server_main, NULL);
	for (int i = 0; i < RPCS; i++) {
		header(&m, client_to_server, MACH_MSG_TYPE_COPY_SEND,
		       client_reply, MACH_MSG_TYPE_MAKE_SEND_ONCE, sizeof(m.h));
		m.h.msgh_id = i;
		assert_int_equal(ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
		                              MACH_SEND_MSG | MACH_RCV_MSG |
		                                  MACH_RCV_TIMEOUT,
		                              sizeof(m.h), sizeof(m),
		                              client_reply, WAIT_LONG,
		                              MACH_PORT_NULL),
		                 MACH_MSG_SUCCESS);
		assert_int_equal(m.h.msgh_id, i + 100);
		assert_int_equal(m.body[0], (uint64_t)i * 3);
		assert_int_equal(m.h.msgh_local_port, client_reply);
	}
	pthread_join(server, NULL);
	assert_int_equal(status(sa, client_reply).mps_sorights, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_full_queue_blocks_sender_until_a_receive),
	    T(test_send_timeout_expires_and_gives_message_back),
	    T(test_interrupted_send_gives_message_back),
	    T(test_blocked_sender_on_dying_port_succeeds),
	    T(test_larger_qlimit_lets_blocked_senders_in),
	    T(test_blocked_receive_gets_the_next_send),
	    T(test_waiting_receiver_is_handed_messages_in_order),
	    T(test_waiting_receiver_without_room_leaves_it_queued),
	    T(test_interrupted_receive),
	    T(test_receiver_sees_port_die),
	    T(test_receiver_sees_receive_right_leave),
	    T(test_receiver_sees_port_join_a_set),
	    T(test_receiver_sees_set_die),
	    T(test_set_receiver_woken_by_member_send),
	    T(test_set_receive_takes_oldest_message_first),
	    T(test_set_receivers_racing_senders_lose_nothing),
	    T(test_rpc_ping_pong_between_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
