/*
 * Unit tests of the fast path (ipc/fastpath.h): the header shapes its
 * copyin takes, each guard that leaves a message to the general path
 * untouched, the sameness of what a receiver gets either way, and whole
 * RPCs between two threads through ipc_fast_rpc.
 * Same fixture as test_ipc_msg.c (ipc_msg_harness.h); each test ends
 * with its leak check.
 */
#include "ipc_msg_harness.h"

#include "ipc/copyin.h"
#include "ipc/fastpath.h"
#include "ipc/mqueue.h"
#include "machine/host_thread.h"

#include <pthread.h>
#include <unistd.h>

/* Copy M in as the send half does; the fast copyin's verdict.  A taken
 * message is sent at once (its port is locked). */
static bool fast_send(struct space *s, struct umsg *m, mach_msg_size_t size)
{
	struct kmsg *k;
	unsigned long f;

	assert_int_equal(kmsg_get(m, size, &k), MACH_MSG_SUCCESS);
	if (!ipc_fast_copyin(s, k, &f)) {
		kmsg_free(k);
		return false;
	}
	if (k->hdr.bits & MACH_MSGH_BITS_COMPLEX) {
		/* The header only: the body is the general copyin's. */
		assert_false(
		    spin_held(&port_from_object(k->hdr.remote)->object.lock));
		assert_int_equal(kmsg_copyin_body(k, s), MACH_MSG_SUCCESS);
		f = port_lock(port_from_object(k->hdr.remote));
	}
	assert_true(spin_held(&port_from_object(k->hdr.remote)->object.lock));
	assert_int_equal(mqueue_send_locked(k, f, 0, WAITQ_FOREVER, NULL),
	                 MACH_MSG_SUCCESS);
	return true;
}

/* The counts a refused message must leave as they were. */
struct snapshot {
	mach_port_urefs_t send_refs;
	mach_port_status_t dest, reply;
	unsigned names;
};

static struct snapshot take(struct space *s, mach_port_name_t send,
                            mach_port_name_t dest, mach_port_name_t reply)
{
	struct snapshot sn;

	memset(&sn, 0, sizeof(sn));
	sn.send_refs = refs(s, send, MACH_PORT_RIGHT_SEND);
	if (dest != MACH_PORT_NULL)
		sn.dest = status(sb, dest);
	if (reply != MACH_PORT_NULL)
		sn.reply = status(s, reply);
	sn.names = s->count;
	return sn;
}

static void assert_same(struct snapshot a, struct snapshot b)
{
	assert_int_equal(a.send_refs, b.send_refs);
	assert_memory_equal(&a.dest, &b.dest, sizeof(a.dest));
	assert_memory_equal(&a.reply, &b.reply, sizeof(a.reply));
	assert_int_equal(a.names, b.names);
}

static void test_request_and_reply_are_taken(void **state)
{
	mach_port_name_t server = new_port(sb), reply = new_port(sa);
	mach_port_name_t to_server =
	    give_right(sb, server, MACH_MSG_TYPE_MAKE_SEND, sa);
	struct umsg m;

	(void)state;
	header(&m, to_server, MACH_MSG_TYPE_COPY_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, body_size(1));
	m.body[0] = 0x1234;
	assert_true(fast_send(sa, &m, body_size(1)));
	/* The server gets what the general path would give it. */
	assert_int_equal(mrecv(sb, &m, server), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE,
	                                MACH_MSG_TYPE_PORT_SEND));
	assert_int_equal(m.h.msgh_local_port, server);
	assert_int_equal(m.h.msgh_size, body_size(1));
	assert_int_equal(m.body[0], 0x1234);
	assert_int_equal(type_of_name(sb, m.h.msgh_remote_port),
	                 MACH_PORT_TYPE_SEND_ONCE);
	assert_int_equal(refs(sa, to_server, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(status(sa, reply).mps_sorights, 1);

	/* Its reply moves the send-once right back. */
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	m.h.msgh_local_port = MACH_PORT_NULL;
	m.h.msgh_id = 888;
	assert_true(fast_send(sb, &m, sizeof(mach_msg_header_t)));
	assert_int_equal(type_of_name(sb, m.h.msgh_remote_port), 0);
	assert_int_equal(mrecv(sa, &m, reply), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, 888);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
	assert_int_equal(m.h.msgh_local_port, reply);
	assert_int_equal(status(sa, reply).mps_sorights, 0);
}

static void test_make_send_to_own_port_is_taken(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct umsg m;

	(void)state;
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, body_size(0));
	assert_true(fast_send(sa, &m, body_size(0)));
	assert_int_equal(status(sa, p).mps_mscount, 1);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_local_port, p);
	assert_int_equal(status(sa, p).mps_srights, 0);
}

/* Refused: nothing changed, the general path takes it from here. */
static void refused(struct space *s, struct umsg *m, struct snapshot before,
                    mach_port_name_t send, mach_port_name_t dest,
                    mach_port_name_t reply)
{
	assert_false(fast_send(s, m, m->h.msgh_size));
	assert_same(before, take(s, send, dest, reply));
}

static void test_guards_leave_messages_untouched(void **state)
{
	mach_port_name_t server = new_port(sb), reply = new_port(sa);
	mach_port_name_t to_server =
	    give_right(sb, server, MACH_MSG_TYPE_MAKE_SEND, sa);
	mach_port_name_t own_once =
	    give_right(sa, reply, MACH_MSG_TYPE_MAKE_SEND_ONCE, sa);
	struct snapshot before = take(sa, to_server, server, reply);
	const mach_msg_size_t size = body_size(0);
	struct umsg m;

	(void)state;
	/* Other bits. */
	header(&m, to_server, MACH_MSG_TYPE_COPY_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, size);
	m.h.msgh_bits |= MACH_MSGH_BITS_CIRCULAR;
	refused(sa, &m, before, to_server, server, reply);
	/* Other dispositions. */
	header(&m, to_server, MACH_MSG_TYPE_MOVE_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, size);
	refused(sa, &m, before, to_server, server, reply);
	header(&m, to_server, MACH_MSG_TYPE_COPY_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND, size);
	refused(sa, &m, before, to_server, server, reply);
	/* A reply name without a disposition (MACH_SEND_INVALID_HEADER). */
	header(&m, to_server, MACH_MSG_TYPE_COPY_SEND, reply, 0, size);
	refused(sa, &m, before, to_server, server, reply);
	/* One name for both rights. */
	header(&m, reply, MACH_MSG_TYPE_MAKE_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, size);
	refused(sa, &m, before, to_server, server, reply);
	/* No such destination; no receive right to make the reply of. */
	header(&m, 0x77, MACH_MSG_TYPE_COPY_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, size);
	refused(sa, &m, before, to_server, server, reply);
	header(&m, to_server, MACH_MSG_TYPE_COPY_SEND, to_server,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, size);
	refused(sa, &m, before, to_server, server, reply);
	/* A send right moved as a send-once right, and the reverse. */
	header(&m, to_server, MACH_MSG_TYPE_MOVE_SEND_ONCE, MACH_PORT_NULL, 0,
	       size);
	refused(sa, &m, before, to_server, server, reply);
	header(&m, own_once, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, size);
	refused(sa, &m, before, to_server, server, reply);
	/* A send-once right to the very port the reply is made of. */
	header(&m, own_once, MACH_MSG_TYPE_MOVE_SEND_ONCE, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, size);
	before.reply.mps_sorights = status(sa, reply).mps_sorights;
	refused(sa, &m, before, to_server, server, reply);
	assert_int_equal(type_of_name(sa, own_once), MACH_PORT_TYPE_SEND_ONCE);
	assert_int_equal(mach_port_deallocate(sa, own_once), KERN_SUCCESS);
}

/* A complex message: the fast path takes the header's rights, the
 * general copyin the body's; the receiver gets both. */
static void test_complex_message_header_is_taken(void **state)
{
	mach_port_name_t server = new_port(sb), reply = new_port(sa);
	mach_port_name_t carried = new_port(sa);
	mach_port_name_t to_server =
	    give_right(sb, server, MACH_MSG_TYPE_MAKE_SEND, sa);
	struct umsg m;
	unsigned at = 0;
	uint64_t slot = carried;

	(void)state;
	header(&m, to_server, MACH_MSG_TYPE_COPY_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, body_size(2));
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_MAKE_SEND, 64, 1, true), &slot,
	         8);
	assert_true(fast_send(sa, &m, body_size(2)));
	assert_int_equal(status(sa, carried).mps_mscount, 1);
	assert_int_equal(mrecv(sb, &m, server), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS_COMPLEX |
	                     MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE,
	                                    MACH_MSG_TYPE_PORT_SEND));
	assert_int_equal(type_of_name(sb, (mach_port_name_t)m.body[1]),
	                 MACH_PORT_TYPE_SEND);
	assert_int_equal(type_of_name(sb, m.h.msgh_remote_port),
	                 MACH_PORT_TYPE_SEND_ONCE);
	assert_int_equal(status(sa, reply).mps_sorights, 1);
	assert_int_equal(mach_port_deallocate(sb, m.h.msgh_remote_port),
	                 KERN_SUCCESS);
	assert_int_equal(mach_port_deallocate(sb, (mach_port_name_t)m.body[1]),
	                 KERN_SUCCESS);
	/* A bad body item: the header's rights go back as they came. */
	header(&m, to_server, MACH_MSG_TYPE_COPY_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, body_size(2));
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	at = 0;
	slot = 0x77; /* no such name */
	add_item(&m, &at, type_of(MACH_MSG_TYPE_COPY_SEND, 64, 1, true), &slot,
	         8);
	assert_int_equal(send_opts(sa, &m, MACH_SEND_TIMEOUT, 0),
	                 MACH_SEND_INVALID_RIGHT);
	assert_int_equal(refs(sa, to_server, MACH_PORT_RIGHT_SEND), 1);
	/* Both send-once rights made died unused (the first deallocated,
	 * the second with the message): two notifications. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(mrecv(sa, &m, reply), MACH_MSG_SUCCESS);
		assert_int_equal(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	}
	assert_int_equal(status(sa, reply).mps_sorights, 0);
}

/* Beyond IPC_FAST_MAX_SIZE an RPC is the general path's (ipc_fast_rpc
 * refuses it untouched); its header's rights are still taken in one
 * pass (ipc_fast_copyin). */
static void test_too_large_for_the_rpc_path(void **state)
{
	mach_port_name_t p = new_port(sb), reply = new_port(sa);
	mach_port_name_t to_p = give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
	mach_msg_size_t size = IPC_FAST_MAX_SIZE + 8;
	struct umsg *m = calloc(1, size);
	mach_msg_return_t mr;
	struct kmsg *k;
	unsigned long f;

	(void)state;
	assert_non_null(m);
	header(m, to_p, MACH_MSG_TYPE_COPY_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, size);
	assert_int_equal(kmsg_get(m, size, &k), MACH_MSG_SUCCESS);
	assert_int_equal(ipc_fast_rpc(sa, k, m, size, reply, &mr, &f),
	                 IPC_FAST_NO);
	assert_int_equal(status(sa, reply).mps_sorights, 0);
	assert_int_equal(refs(sa, to_p, MACH_PORT_RIGHT_SEND), 1);
	kmsg_free(k);
	assert_true(fast_send(sa, m, size));
	assert_int_equal(status(sb, p).mps_msgcount, 1);
	free(m);
}

static void
test_dead_destination_and_dead_name_request_are_refused(void **state)
{
	mach_port_name_t server = new_port(sb), reply = new_port(sa);
	mach_port_name_t to_server =
	    give_right(sb, server, MACH_MSG_TYPE_MAKE_SEND, sa);
	mach_port_name_t once =
	    give_right(sb, server, MACH_MSG_TYPE_MAKE_SEND_ONCE, sa);
	struct ipc_object *notify, *prev;
	mach_msg_type_name_t t;
	struct umsg m;

	(void)state;
	/* A send-once right with a dead-name request. */
	assert_int_equal(right_copyin(sa, reply, MACH_MSG_TYPE_MAKE_SEND_ONCE,
	                              false, &notify, &t),
	                 KERN_SUCCESS);
	assert_int_equal(mach_port_request_notification(
	                     sa, once, MACH_NOTIFY_DEAD_NAME, 0, notify, &prev),
	                 KERN_SUCCESS);
	header(&m, once, MACH_MSG_TYPE_MOVE_SEND_ONCE, MACH_PORT_NULL, 0,
	       body_size(0));
	assert_false(fast_send(sa, &m, body_size(0)));
	assert_int_equal(type_of_name(sa, once), MACH_PORT_TYPE_SEND_ONCE);

	/* The destination died: the general path sees a dead name. */
	assert_int_equal(mach_port_destroy(sb, server), KERN_SUCCESS);
	header(&m, to_server, MACH_MSG_TYPE_COPY_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, body_size(0));
	assert_false(fast_send(sa, &m, body_size(0)));
	assert_int_equal(status(sa, reply).mps_sorights, 1); /* the request */
	assert_int_equal(send_opts(sa, &m, MACH_SEND_TIMEOUT, 0),
	                 MACH_SEND_INVALID_DEST);
}

static void test_busy_reply_port_is_refused(void **state)
{
	mach_port_name_t server = new_port(sb), reply = new_port(sa);
	mach_port_name_t to_server =
	    give_right(sb, server, MACH_MSG_TYPE_MAKE_SEND, sa);
	struct port *rp = port_of(sa, reply);
	struct umsg m;
	bool taken;

	(void)state;
	header(&m, to_server, MACH_MSG_TYPE_COPY_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, body_size(0));
	/* Another CPU holds the reply port: the fast path does not wait. */
	atomic_store(&rp->object.lock.holder, SPIN_OWNER(77)); /* another CPU */
	taken = fast_send(sa, &m, body_size(0));
	atomic_store(&rp->object.lock.holder, SPIN_NO_OWNER);
	assert_false(taken);
	assert_int_equal(status(sa, reply).mps_sorights, 0);
}

/* ---- whole RPCs through ipc_fast_rpc ---- */

#define RPCS 300

static mach_port_name_t server_port, client_reply, client_to_server;
static struct host_thread *server_thread;
static atomic_int server_ready;

/* The ports of an RPC test (SERVER_PORT in sb, our send right to it
 * and our reply port in sa) and its server thread running FN; a hang
 * fails the test by alarm(). */
static pthread_t start_server(void *(*fn)(void *))
{
	pthread_t server;

	server_port = new_port(sb);
	client_to_server =
	    give_right(sb, server_port, MACH_MSG_TYPE_MAKE_SEND, sa);
	client_reply = new_port(sa);
	atomic_init(&server_ready, 0);
	alarm(60);
	pthread_create(&server, NULL, fn, NULL);
	return server;
}

/* Let the server wait first, so that the way is clear. */
static void wait_server_blocked(void)
{
	while (!atomic_load(&server_ready) ||
	       !host_thread_blocked(server_thread))
		usleep(50);
}

/* Every call below but the first receive is an exact SEND|RCV, the
 * fast path's shape; a hang fails the test by alarm(). */
/* The requests' body words (their pattern) and how many RPCs the
 * server takes (then one more, answered by a plain send). */
static unsigned request_words;
static int rpc_rounds;

static uint64_t pattern(int i, unsigned j)
{
	return (uint64_t)i * 1000 + j;
}

static void *rpc_server(void *arg)
{
	struct umsg m;
	mach_msg_option_t option = MACH_RCV_MSG;
	mach_msg_size_t size = 0;

	(void)arg;
	host_thread_attach();
	server_thread = host_thread_self();
	atomic_store(&server_ready, 1);
	for (int i = 0; i <= rpc_rounds; i++) {
		mach_msg_return_t mr =
		    ipc_mach_msg(sb, (uint64_t)(uintptr_t)&m, option, size,
		                 sizeof(m), server_port, 0, MACH_PORT_NULL);
		bool intact = mr == MACH_MSG_SUCCESS && m.h.msgh_id == i &&
		              m.h.msgh_size == body_size(request_words) &&
		              m.h.msgh_bits ==
		                  MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE,
		                                 MACH_MSG_TYPE_PORT_SEND) &&
		              m.h.msgh_local_port == server_port &&
		              type_of_name(sb, m.h.msgh_remote_port) ==
		                  MACH_PORT_TYPE_SEND_ONCE;

		for (unsigned j = 0; intact && j < request_words; j++)
			intact = m.body[j] == pattern(i, j);
		if (!intact)
			break;
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
		m.h.msgh_local_port = MACH_PORT_NULL;
		m.h.msgh_id = i + 100;
		m.h.msgh_size = body_size(1);
		m.body[0] = (uint64_t)i * 7;
		if (i == rpc_rounds) { /* the last: reply alone */
			(void)msend(sb, &m);
			break;
		}
		option = MACH_SEND_MSG | MACH_RCV_MSG;
		size = body_size(1);
	}
	host_thread_detach();
	return NULL;
}

/* RPC I of the test: a request of request_words words, its answer. */
static void client_rpc(int i)
{
	struct umsg m;

	wait_server_blocked();
	header(&m, client_to_server, MACH_MSG_TYPE_COPY_SEND, client_reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, body_size(request_words));
	m.h.msgh_id = i;
	for (unsigned j = 0; j < request_words; j++)
		m.body[j] = pattern(i, j);
	assert_int_equal(ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
	                              MACH_SEND_MSG | MACH_RCV_MSG,
	                              body_size(request_words), sizeof(m),
	                              client_reply, 0, MACH_PORT_NULL),
	                 MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, i + 100);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
	assert_int_equal(m.h.msgh_local_port, client_reply);
	assert_int_equal(m.h.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(m.h.msgh_size, body_size(1));
	assert_int_equal(m.body[0], (uint64_t)i * 7);
}

static void test_rpcs_through_the_fast_path(void **state)
{
	pthread_t server;

	(void)state;
	request_words = 0;
	rpc_rounds = RPCS;
	server = start_server(rpc_server);
	for (int i = 0; i <= RPCS; i++)
		client_rpc(i);
	pthread_join(server, NULL);
	alarm(0);
	assert_int_equal(status(sa, client_reply).mps_sorights, 0);
	assert_int_equal(status(sa, client_reply).mps_seqno, RPCS + 1);
	assert_int_equal(status(sb, server_port).mps_seqno, RPCS + 1);
	assert_int_equal(refs(sa, client_to_server, MACH_PORT_RIGHT_SEND), 1);
}

#define BIG_RPCS  40
#define BIG_WORDS 62 /* body_size(62) = 528: past IPC_FAST_DIRECT_MIN */

/* A request past IPC_FAST_DIRECT_MIN to a server waiting in
 * ipc_fast_rpc goes from our buffer into its buffer (copy_direct) once
 * and arrives intact; refused (a page missing, say), it takes two copies
 * the general way, with the same result. */
static void test_large_rpcs_copy_the_body_once(void **state)
{
	pthread_t server;

	(void)state;
	request_words = BIG_WORDS;
	rpc_rounds = BIG_RPCS;
	server = start_server(rpc_server);
	for (int i = 0; i <= BIG_RPCS; i++) {
		if (i == BIG_RPCS / 2) /* the second half: refused */
			atomic_store(&vm_b.refuse_direct, true);
		client_rpc(i);
	}
	pthread_join(server, NULL);
	alarm(0);
	/* The first request found the server in a plain receive (no buffer
	 * given); requests 1 .. BIG_RPCS / 2 - 1 went in one copy. */
	assert_int_equal(atomic_load(&vm_b.direct_copies), BIG_RPCS / 2 - 1);
	assert_int_equal(atomic_load(&vm_a.direct_copies), 0);
	assert_int_equal(status(sa, client_reply).mps_sorights, 0);
	assert_int_equal(status(sb, server_port).mps_seqno, BIG_RPCS + 1);
	assert_int_equal(status(sb, server_port).mps_msgcount, 0);
}

/* No receiver waiting, and a message already queued for us: the fast
 * path only takes the rights; the call ends the general way, with the
 * same answer. */
static void test_rpc_to_nobody_waiting_ends_the_general_way(void **state)
{
	mach_port_name_t p = new_port(sb), reply = new_port(sa);
	mach_port_name_t to_p = give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
	struct umsg m;

	(void)state;
	/* A reply already waits on our port: received at once. */
	header(&m, reply, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
	       body_size(0));
	m.h.msgh_id = 5;
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, body_size(0));
	m.h.msgh_id = 6;
	assert_int_equal(ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
	                              MACH_SEND_MSG | MACH_RCV_MSG,
	                              body_size(0), sizeof(m), reply, 0,
	                              MACH_PORT_NULL),
	                 MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, 5);
	assert_int_equal(m.h.msgh_local_port, reply);
	/* The request waits on P, its reply right made. */
	assert_int_equal(status(sb, p).mps_msgcount, 1);
	assert_int_equal(status(sa, reply).mps_sorights, 1);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, 6);
	assert_int_equal(mach_port_deallocate(sb, m.h.msgh_remote_port),
	                 KERN_SUCCESS);
	/* The send-once right died unused: a notification on REPLY. */
	assert_int_equal(mrecv(sa, &m, reply), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
}

/* One mach_msg(SEND|RCV) of M (header only) to and from P, through
 * ipc_fast_rpc alone; its verdict, *MR the call's answer when DONE. */
static enum ipc_fast fast_to_self(mach_port_name_t p, struct umsg *m,
                                  mach_msg_return_t *mr)
{
	enum ipc_fast v;
	struct kmsg *k;
	unsigned long f;

	assert_int_equal(kmsg_get(m, body_size(0), &k), MACH_MSG_SUCCESS);
	v = ipc_fast_rpc(sa, k, m, sizeof(*m), p, mr, &f);
	if (v == IPC_FAST_NO)
		kmsg_free(k);
	else if (v == IPC_FAST_COPIED)
		assert_int_equal(
		    mqueue_send_locked(k, f, 0, WAITQ_FOREVER, NULL),
		    MACH_MSG_SUCCESS);
	return v;
}

/* A message to the port we receive from, nothing queued there and
 * nobody waiting: received at once, as the queue would give it; with a
 * message queued first, or a no-senders notification due, the queue's
 * way. */
static void test_message_to_ourselves_is_received_at_once(void **state)
{
	mach_port_name_t p = new_port(sa), n = new_port(sa);
	struct ipc_object *notify, *prev;
	mach_msg_type_name_t t;
	mach_msg_return_t mr;
	struct umsg m;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		header(&m, p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
		       body_size(0));
		m.h.msgh_id = 40 + (int)i;
		assert_int_equal(fast_to_self(p, &m, &mr), IPC_FAST_DONE);
		assert_int_equal(mr, MACH_MSG_SUCCESS);
		assert_int_equal(m.h.msgh_id, 40 + (int)i);
		assert_int_equal(m.h.msgh_seqno, i);
		assert_int_equal(m.h.msgh_local_port, p);
		assert_int_equal(m.h.msgh_bits,
		                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND));
	}
	assert_int_equal(status(sa, p).mps_msgcount, 0);
	assert_int_equal(status(sa, p).mps_mscount, 2);
	assert_int_equal(status(sa, p).mps_srights, 0);

	/* Something queued first: left to the general path untouched. */
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, body_size(0));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(fast_to_self(p, &m, &mr), IPC_FAST_NO);
	assert_int_equal(status(sa, p).mps_msgcount, 1);
	assert_int_equal(status(sa, p).mps_srights, 1);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);

	/* The right made would be the last one, with a no-senders request:
	 * taken, then queued (the notification is the receive's). */
	assert_int_equal(right_copyin(sa, n, MACH_MSG_TYPE_MAKE_SEND_ONCE,
	                              false, &notify, &t),
	                 KERN_SUCCESS);
	/* (Armed: its mscount, 4, is past the 3 made so far.) */
	assert_int_equal(mach_port_request_notification(
	                     sa, p, MACH_NOTIFY_NO_SENDERS, 4, notify, &prev),
	                 KERN_SUCCESS);
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, body_size(0));
	assert_int_equal(fast_to_self(p, &m, &mr), IPC_FAST_COPIED);
	assert_int_equal(status(sa, p).mps_msgcount, 1);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_seqno, 3);
	assert_int_equal(mrecv(sa, &m, n), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, MACH_NOTIFY_NO_SENDERS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_request_and_reply_are_taken),
	    T(test_make_send_to_own_port_is_taken),
	    T(test_guards_leave_messages_untouched),
	    T(test_complex_message_header_is_taken),
	    T(test_too_large_for_the_rpc_path),
	    T(test_dead_destination_and_dead_name_request_are_refused),
	    T(test_busy_reply_port_is_refused),
	    T(test_rpcs_through_the_fast_path),
	    T(test_large_rpcs_copy_the_body_once),
	    T(test_rpc_to_nobody_waiting_ends_the_general_way),
	    T(test_message_to_ourselves_is_received_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
