/*
 * tests/system/modules/ipc-fastpath-edges.h — the second half of
 * ipc-fastpath.c's checks: dead destinations, servers and reply ports,
 * port sets, timeouts, a reply port that is not the receive name, a
 * message to oneself, protected payloads, a kernel port, and a receive
 * buffer smaller than the reply.  Included by ipc-fastpath.c only.
 */
#ifndef IPC_FASTPATH_EDGES_H
#define IPC_FASTPATH_EDGES_H

#include "ipc-fastpath-lib.h"

/* 5a: the destination died before the send. */
static void check_dead_dest(void)
{
	mach_port_t p = machr_new_receive(), r = machr_new_receive();

	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_mod_refs(T, p, MACH_PORT_RIGHT_RECEIVE, -1);
	request(H, p, r, 1000, 64);
	tap_expect(rpc(H, 64, BUF_MAX, r, 0, 0), MACH_SEND_INVALID_DEST,
	           "an RPC on a send right whose port died");
	tap_ok(type_of(T, p) == MACH_PORT_TYPE_DEAD_NAME &&
	           refs_of(T, p, MACH_PORT_RIGHT_DEAD_NAME) == 1 &&
	           status(T, r).mps_sorights == 0 &&
	           status(T, r).mps_msgcount == 0,
	       "the dead name keeps its uref, the reply port is untouched");
	(void)mach_port_destroy(T, p);
	(void)mach_port_destroy(T, r);
}

/* 5b: the server's task dies while the caller waits for the reply. */
static void check_server_dies(void)
{
	struct server b;
	mach_port_t r = machr_new_receive();
	struct bg_call c;
	struct result res;
	mach_msg_return_t mr;

	server_child(&b);
	(void)job_start(&b, receive_job(&b, OP_HOLD), 1);
	(void)bg_start(&c, b.svc, r, r, 1100);
	(void)job_report(&b, &res);
	tap_ok(request_seen(&b, &res, 1100, 64),
	       "a child's server got the request and keeps the reply right");
	tap_expect(task_terminate(b.task), 0, "the server's task dies");
	mr = bg_finish(&c);
	tap_ok(mr == 0 && c.buf->msgh_id == MACH_NOTIFY_SEND_ONCE &&
	           c.buf->msgh_size == sizeof(mach_msg_header_t) &&
	           c.buf->msgh_bits == MACH_MSGH_BITS(0, SO) &&
	           c.buf->msgh_local_port == r &&
	           c.buf->msgh_remote_port == MACH_PORT_NULL,
	       "the waiting caller gets a send-once notification (%#x, id "
	       "%d)",
	       mr, c.buf->msgh_id);
	tap_ok(type_of(T, b.svc) == MACH_PORT_TYPE_DEAD_NAME &&
	           status(T, r).mps_sorights == 0,
	       "the service name is dead, no send-once right is left");
	(void)mach_port_deallocate(T, b.task);
	(void)mach_port_destroy(T, b.svc);
	(void)mach_port_destroy(T, b.ctl);
	(void)mach_port_destroy(T, b.report);
	(void)mach_port_deallocate(T, b.thread);
	(void)mach_port_destroy(T, r);
}

/* 5c: the server drops the reply right while the caller waits. */
static void check_reply_dropped(struct server *s)
{
	mach_port_t r = machr_new_receive();
	struct result res;
	mach_msg_return_t mr;

	(void)job_start(s, receive_job(s, OP_DROP), 1);
	request(H, s->svc, r, 1150, 64);
	mr = rpc(H, 64, BUF_MAX, r, 0, 0);
	(void)job_report(s, &res);
	tap_ok(request_seen(s, &res, 1150, 64) && res.act == 0,
	       "the server deallocates the reply right of an RPC");
	tap_ok(mr == 0 && H->msgh_id == MACH_NOTIFY_SEND_ONCE &&
	           H->msgh_size == sizeof(*H) &&
	           H->msgh_bits == MACH_MSGH_BITS(0, SO) &&
	           H->msgh_local_port == r && H->msgh_seqno == 0 &&
	           status(T, r).mps_sorights == 0,
	       "the caller gets a send-once notification instead (%#x, id "
	       "%d)",
	       mr, H->msgh_id);
	(void)mach_port_destroy(T, r);
}

/* 5d: a reply to a client whose reply port is gone. */
static void check_reply_port_gone(struct server *s)
{
	mach_port_t r = machr_new_receive(), held;
	struct result res;

	request(H, s->svc, r, 1200, 64);
	(void)mach_msg(H, MACH_SEND_MSG | MACH_SEND_TIMEOUT, 64, 0,
	               MACH_PORT_NULL, 0, MACH_PORT_NULL);
	(void)mach_port_destroy(T, r);
	(void)job_start(s, receive_job(s, OP_REPLY), 0);
	(void)job_report(s, &res);
	tap_ok(res.mr == 0 && res.got.msgh_id == 1200 &&
	           res.got.msgh_bits == MACH_MSGH_BITS(SO, S) &&
	           res.got.msgh_remote_port == MACH_PORT_DEAD,
	       "a request whose reply port died in the queue: the server "
	       "gets MACH_PORT_DEAD as reply (%#x, %#x)",
	       res.got.msgh_remote_port, res.got.msgh_bits);
	tap_expect(res.act, MACH_SEND_INVALID_DEST,
	           "its reply to it: MACH_SEND_INVALID_DEST");

	r = machr_new_receive();
	(void)job_start(s, receive_job(s, OP_HOLD), 1);
	request(H, s->svc, r, 1201, 64);
	(void)mach_msg(H, MACH_SEND_MSG | MACH_SEND_TIMEOUT, 64, 0,
	               MACH_PORT_NULL, 0, MACH_PORT_NULL);
	(void)job_report(s, &res);
	(void)mach_port_destroy(T, r);
	held = res.got.msgh_remote_port;
	tap_ok(request_seen(s, &res, 1201, 64) &&
	           type_of(T, held) == MACH_PORT_TYPE_DEAD_NAME,
	       "the reply port dies while the server holds the reply right: "
	       "a dead name");
	(void)job_start(s, held_reply_job(), 0);
	(void)job_report(s, &res);
	tap_expect(res.act, MACH_SEND_INVALID_DEST,
	           "a reply through it: MACH_SEND_INVALID_DEST");
	tap_ok(type_of(T, held) == MACH_PORT_TYPE_DEAD_NAME &&
	           refs_of(T, held, MACH_PORT_RIGHT_DEAD_NAME) == 1,
	       "the dead name stays, with its uref");
	(void)mach_port_destroy(T, held);
}

/* 6: a server receiving on a port set. */
static void check_port_set(struct server *s)
{
	mach_port_t set = MACH_PORT_NULL, rset = MACH_PORT_NULL;
	mach_port_t r = machr_new_receive();
	mach_port_status_t before = status(T, s->svc_in);
	struct job_args a = receive_job(s, OP_REPLY);
	struct result res;

	(void)mach_port_allocate(T, MACH_PORT_RIGHT_PORT_SET, &set);
	(void)mach_port_move_member(T, s->svc_in, set);
	a.rcv_name = set;
	(void)job_start(s, a, 1);
	request(H, s->svc, r, 1300, 64);
	tap_expect(rpc(H, 64, BUF_MAX, r, 0, 0), 0,
	           "an RPC to a server blocked on a port set");
	(void)job_report(s, &res);
	tap_ok(request_seen(s, &res, 1300, 64) &&
	           res.got.msgh_seqno == before.mps_seqno,
	       "the server's local name is the member port");
	tap_ok(reply_ok(r, 1300, 64), "the reply comes back");
	tap_expect(mach_msg(H, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, BUF_MAX,
	                    s->svc_in, 0, MACH_PORT_NULL),
	           MACH_RCV_IN_SET, "receiving on the member: MACH_RCV_IN_SET");

	(void)mach_port_allocate(T, MACH_PORT_RIGHT_PORT_SET, &rset);
	(void)mach_port_move_member(T, r, rset);
	(void)job_start(s, a, 1);
	request(H, s->svc, r, 1301, 64);
	tap_expect(rpc(H, 64, BUF_MAX, r, 0, 0), MACH_RCV_IN_SET,
	           "SEND|RCV whose receive name is in a set: MACH_RCV_IN_SET");
	(void)job_report(s, &res);
	tap_ok(request_seen(s, &res, 1301, 64) && res.act == 0 &&
	           status(T, r).mps_msgcount == 1,
	       "after the send was delivered: the reply waits on the port");
	tap_ok(mach_msg(H, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, BUF_MAX, rset, 0,
	                MACH_PORT_NULL) == 0 &&
	           reply_ok(r, 1301, 64),
	       "and arrives through the set");
	(void)mach_port_move_member(T, s->svc_in, MACH_PORT_NULL);
	(void)mach_port_destroy(T, set);
	(void)mach_port_destroy(T, rset);
	(void)mach_port_destroy(T, r);
}

/* 7: timeouts. */
static void check_timeouts(struct server *s)
{
	mach_port_t r = machr_new_receive();
	mach_msg_timeout_t ms[2] = {300, 0};
	struct result res;

	for (int i = 0; i < 2; i++) {
		(void)job_start(s, receive_job(s, OP_HOLD), 1);
		request(H, s->svc, r, 1400 + i, 64);
		tap_expect(rpc(H, 64, BUF_MAX, r, MACH_RCV_TIMEOUT, ms[i]),
		           MACH_RCV_TIMED_OUT,
		           "SEND|RCV with MACH_RCV_TIMEOUT %u, no reply: "
		           "MACH_RCV_TIMED_OUT",
		           ms[i]);
		(void)job_report(s, &res);
		tap_ok(request_seen(s, &res, 1400 + i, 64) &&
		           status(T, r).mps_sorights == 1,
		       "the server got the request and holds the reply right");
		(void)job_start(s, held_reply_job(), 0);
		(void)job_report(s, &res);
		tap_ok(res.act == 0 && status(T, r).mps_msgcount == 1,
		       "a reply to the caller no longer waiting is queued");
		tap_ok(mach_msg(H, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, BUF_MAX,
		                r, 0, MACH_PORT_NULL) == 0 &&
		           reply_ok(r, 1400 + i, 64) &&
		           status(T, r).mps_sorights == 0,
		       "and received later");
	}
	(void)job_start(s, receive_job(s, OP_REPLY), 1);
	request(H, s->svc, r, 1402, 64);
	tap_ok(rpc(H, 64, BUF_MAX, r, MACH_SEND_TIMEOUT, 0) == 0 &&
	           reply_ok(r, 1402, 64),
	       "MACH_SEND_TIMEOUT 0 to a waiting server with room: the RPC "
	       "works");
	(void)job_report(s, &res);
	(void)job_start(s, receive_job(s, OP_REPLY), 1);
	request(H, s->svc, r, 1403, 64);
	tap_ok(rpc(H, 64, BUF_MAX, r, MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT,
	           WAIT_MS) == 0 &&
	           reply_ok(r, 1403, 64),
	       "MACH_SEND_TIMEOUT|MACH_RCV_TIMEOUT %u: the RPC works", WAIT_MS);
	(void)job_report(s, &res);
	(void)mach_port_destroy(T, r);
}

/* 8a: the reply port is not the receive name. */
static void check_other_reply_port(struct server *s)
{
	mach_port_t r1 = machr_new_receive(), r2 = machr_new_receive();
	struct bg_call c;
	struct result res;
	mach_msg_return_t mr;

	(void)job_start(s, receive_job(s, OP_REPLY), 1);
	(void)bg_start(&c, s->svc, r1, r2, 1500);
	(void)job_report(s, &res);
	tap_ok(request_seen(s, &res, 1500, 64) && res.act == 0,
	       "SEND|RCV with reply port A, receiving on B: the server "
	       "replies");
	tap_ok(status(T, r1).mps_msgcount == 1 &&
	           status(T, r2).mps_msgcount == 0,
	       "the reply waits on A; the caller still waits on B");
	(void)machr_send_word(r2, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 1501, 0,
	                      MACH_SEND_TIMEOUT, 0);
	mr = bg_finish(&c);
	tap_ok(mr == 0 && c.buf->msgh_id == 1501 &&
	           c.buf->msgh_local_port == r2,
	       "the caller gets what is sent to B (%#x)", mr);
	tap_ok(mach_msg(H, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, BUF_MAX, r1, 0,
	                MACH_PORT_NULL) == 0 &&
	           reply_ok(r1, 1500, 64),
	       "the reply is received from A");
	(void)mach_port_destroy(T, r1);
	(void)mach_port_destroy(T, r2);
}

/* 8c's other receiver: it takes one message from the port ARG names,
 * then sends one of its own there (id 1731). */
static void self_echo(void *arg)
{
	mach_port_t p = *(mach_port_t *)arg;
	struct machr_word_msg w;

	(void)machr_recv_word(p, &w, MACH_RCV_TIMEOUT, WAIT_MS);
	(void)machr_send_word(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
	                      1731, w.h.msgh_id, 0, 0);
}

/* A 64-byte message to P with MAKE_SEND and no reply, id ID, sent and
 * received on P by mach_msg(SEND|RCV) into a buffer of RCV_SIZE. */
static mach_msg_return_t to_self_rpc(mach_port_t p, mach_msg_id_t id,
                                     mach_msg_size_t rcv_size)
{
	machr_msg_header(H, p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 64);
	H->msgh_id = id;
	return rpc(H, 64, rcv_size, p, 0, 0);
}

/* 8c: a message to oneself, nothing queued and nobody else waiting: it
 * is received at once, with the seqno and the right a trip through the
 * queue gives it (Mach_R takes no such trip); a message queued before
 * it, a buffer too small or another receiver waiting each make it take
 * the queue, as GNU Mach does. */
static void check_self_queue(void)
{
	mach_port_t p = machr_new_receive(), echo;
	mach_port_status_t st;
	mach_msg_return_t mr;
	struct machr_word_msg w;
	int ok = 1;

	for (unsigned i = 0; i < 3; i++) {
		mr = to_self_rpc(p, 1700 + i, BUF_MAX);
		ok &= mr == 0 && H->msgh_id == (mach_msg_id_t)(1700 + i) &&
		      H->msgh_seqno == i && H->msgh_size == 64 &&
		      H->msgh_bits == MACH_MSGH_BITS(0, S) &&
		      H->msgh_local_port == p &&
		      H->msgh_remote_port == MACH_PORT_NULL;
	}
	st = status(T, p);
	tap_ok(ok && st.mps_seqno == 3 && st.mps_msgcount == 0 &&
	           st.mps_mscount == 3 && st.mps_srights == 0 &&
	           type_of(T, p) == MACH_PORT_TYPE_RECEIVE,
	       "three to ourselves in a row: each back at once, seqno 0-2, "
	       "the send right made gone with it (mscount %u)",
	       st.mps_mscount);

	(void)machr_send_word(p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
	                      1710, 0, 0, 0);
	mr = to_self_rpc(p, 1711, BUF_MAX);
	tap_ok(mr == 0 && H->msgh_id == 1710 && H->msgh_seqno == 3 &&
	           status(T, p).mps_msgcount == 1,
	       "with a message queued first: that one comes back (id %d, "
	       "seqno %u), ours stays queued",
	       H->msgh_id, H->msgh_seqno);
	mr = machr_recv_word(p, &w, MACH_RCV_TIMEOUT, 0);
	tap_ok(mr == 0 && w.h.msgh_id == 1711 && w.h.msgh_seqno == 4,
	       "and is received next (seqno %u)", w.h.msgh_seqno);

	mr = to_self_rpc(p, 1720, 40);
	st = status(T, p);
	tap_ok(mr == MACH_RCV_TOO_LARGE && H->msgh_size == 64 &&
	           H->msgh_id == 1720 && st.mps_msgcount == 0 &&
	           st.mps_seqno == 6 && st.mps_srights == 0,
	       "into 40 bytes: MACH_RCV_TOO_LARGE, the header (size %u), "
	       "the message gone and counted (%#x)",
	       H->msgh_size, mr);

	if (machr_thread_create(self_echo, &p, &echo) != KERN_SUCCESS ||
	    !machr_thread_wait_blocked(echo)) {
		tap_ok(0, "another receiver on the port: no thread");
	} else {
		mr = to_self_rpc(p, 1730, BUF_MAX);
		tap_ok(mr == 0 && H->msgh_id == 1731 &&
		           (uint32_t)((struct machr_word_msg *)H)->word ==
		               1730 &&
		           H->msgh_seqno == 7,
		       "another receiver waiting on the port: ours goes to "
		       "it, and what it sends back comes to us (id %d, seqno "
		       "%u)",
		       H->msgh_id, H->msgh_seqno);
		(void)mach_port_deallocate(T, echo);
	}
	(void)mach_port_destroy(T, p);
}

/* 8d: a message to oneself of every size class, 504 bytes to 8 KiB (a
 * body of 512 or more is the one the fast path may leave in the sender's
 * buffer): it comes back whole, its body the bytes sent (in the same
 * buffer: a kernel that wrote anything else there fails). */
static void check_self_sizes(void)
{
	static const mach_msg_size_t sizes[] = {504,  512,  520,
	                                        1024, 4096, 8192};
	mach_port_t p = machr_new_receive();
	uint32_t *body = (uint32_t *)(H + 1);
	unsigned bad = 0, i, w, words;
	mach_msg_return_t mr;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		words = (sizes[i] - sizeof(mach_msg_header_t)) / 4;
		machr_msg_header(H, p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL,
		                 0, sizes[i]);
		H->msgh_id = 1800 + (mach_msg_id_t)i;
		for (w = 0; w < words; w++)
			body[w] = 0x5e1f0000u ^ (i << 20) ^ w;
		mr = rpc(H, sizes[i], BUF_MAX, p, 0, 0);
		for (w = 0; w < words; w++)
			if (body[w] != (0x5e1f0000u ^ (i << 20) ^ w))
				break;
		if (mr != 0 || H->msgh_size != sizes[i] ||
		    H->msgh_id != 1800 + (mach_msg_id_t)i || w != words) {
			tap_diag("size %u: %#x, size %u, id %d, word %u of %u",
			         sizes[i], mr, H->msgh_size, H->msgh_id, w,
			         words);
			bad++;
		}
	}
	tap_ok(bad == 0 && status(T, p).mps_msgcount == 0,
	       "to ourselves at 504 bytes to 8 KiB: each back whole, its "
	       "body as sent (%u wrong)",
	       bad);
	(void)mach_port_destroy(T, p);
}

/* 8b: a message to oneself. */
static void check_self(void)
{
	mach_port_t p = machr_new_receive(), n = machr_new_receive(), prev;
	struct machr_word_msg w;
	mach_msg_return_t mr;

	(void)mach_port_request_notification(T, p, MACH_NOTIFY_NO_SENDERS, 1, n,
	                                     MACH_MSG_TYPE_MAKE_SEND_ONCE,
	                                     &prev);
	machr_msg_header(H, p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, 64);
	H->msgh_id = 1600;
	tap_expect(rpc(H, 64, BUF_MAX, p, 0, 0), 0,
	           "SEND|RCV to ourselves with MAKE_SEND, receiving on the "
	           "port");
	tap_ok(H->msgh_bits == MACH_MSGH_BITS(0, S) &&
	           H->msgh_local_port == p &&
	           H->msgh_remote_port == MACH_PORT_NULL &&
	           H->msgh_id == 1600 && H->msgh_seqno == 0,
	       "bits (0, PORT_SEND), local the port (%#x)", H->msgh_bits);
	tap_ok(type_of(T, p) == MACH_PORT_TYPE_RECEIVE &&
	           status(T, p).mps_mscount == 1 && !status(T, p).mps_srights,
	       "the send right made went with the message (mscount %u)",
	       status(T, p).mps_mscount);
	mr = machr_recv_word(n, &w, MACH_RCV_TIMEOUT, 0);
	tap_ok(mr == 0 && w.h.msgh_id == MACH_NOTIFY_NO_SENDERS &&
	           (uint32_t)w.word == 1,
	       "a no-senders notification with mscount 1 followed (id %#o, "
	       "%u)",
	       w.h.msgh_id, (unsigned)w.word);

	(void)mach_port_request_notification(T, p, MACH_NOTIFY_NO_SENDERS, 2, n,
	                                     MACH_MSG_TYPE_MAKE_SEND_ONCE,
	                                     &prev);
	machr_msg_header(H, p, MACH_MSG_TYPE_MAKE_SEND, p,
	                 MACH_MSG_TYPE_MAKE_SEND_ONCE, 64);
	H->msgh_id = 1601;
	tap_expect(rpc(H, 64, BUF_MAX, p, 0, 0), 0,
	           "the same with MAKE_SEND_ONCE of the port as reply");
	tap_ok(
	    H->msgh_bits == MACH_MSGH_BITS(SO, S) && H->msgh_local_port == p &&
	        type_of(T, H->msgh_remote_port) == MACH_PORT_TYPE_SEND_ONCE &&
	        status(T, p).mps_sorights == 1 && H->msgh_seqno == 1,
	    "bits (PORT_SEND_ONCE, PORT_SEND), a send-once right to it");
	mr = machr_recv_word(n, &w, MACH_RCV_TIMEOUT, 0);
	tap_ok(mr == 0 && w.h.msgh_id == MACH_NOTIFY_NO_SENDERS &&
	           (uint32_t)w.word == 2,
	       "no-senders again, mscount 2 (id %#o, %u)", w.h.msgh_id,
	       (unsigned)w.word);
	(void)mach_port_deallocate(T, H->msgh_remote_port);
	tap_ok(status(T, p).mps_msgcount == 1 &&
	           mach_msg(H, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, BUF_MAX, p,
	                    0, MACH_PORT_NULL) == 0 &&
	           H->msgh_id == MACH_NOTIFY_SEND_ONCE,
	       "dropping that right sends the port a send-once notification");
	(void)mach_port_destroy(T, p);
	(void)mach_port_destroy(T, n);
}

/* 8c: protected payloads on the service and on the reply port. */
static void check_payload(struct server *s)
{
	mach_port_t r = machr_new_receive();
	struct result res;

	tap_expect(mach_port_set_protected_payload(T, s->svc_in,
	                                           0x1122334455667788ULL),
	           0, "a protected payload on the service port");
	(void)mach_port_set_protected_payload(T, r, 0xcafef00d0badbeefULL);
	(void)job_start(s, receive_job(s, OP_REPLY), 1);
	request(H, s->svc, r, 1700, 64);
	tap_expect(rpc(H, 64, BUF_MAX, r, 0, 0), 0, "an RPC through it");
	(void)job_report(s, &res);
	tap_ok(res.got.msgh_bits ==
	               MACH_MSGH_BITS(SO, MACH_MSG_TYPE_PROTECTED_PAYLOAD) &&
	           res.got.msgh_protected_payload == 0x1122334455667788ULL,
	       "the server gets the payload for the local name (%#x)",
	       res.got.msgh_bits);
	tap_ok(H->msgh_bits ==
	               MACH_MSGH_BITS(0, MACH_MSG_TYPE_PROTECTED_PAYLOAD) &&
	           H->msgh_protected_payload == 0xcafef00d0badbeefULL &&
	           H->msgh_id == 1800,
	       "the reply port's payload comes with the reply (%#x)",
	       H->msgh_bits);
	(void)mach_port_clear_protected_payload(T, s->svc_in);
	(void)mach_port_destroy(T, r);
}

/* 8d: a kernel object port as destination. */
static void check_kernel_port(void)
{
	mach_port_t r = machr_new_receive();
	mach_port_urefs_t urefs = refs_of(T, T, MACH_PORT_RIGHT_SEND);
	mig_reply_header_t *m = (mig_reply_header_t *)H;

	machr_msg_header(H, T, MACH_MSG_TYPE_COPY_SEND, r,
	                 MACH_MSG_TYPE_MAKE_SEND_ONCE, sizeof(*H));
	H->msgh_id = 987654;
	tap_expect(rpc(H, sizeof(*H), BUF_MAX, r, 0, 0), 0,
	           "SEND|RCV to our task port with an unknown id");
	tap_ok(H->msgh_id == 987754 && H->msgh_size == 48 &&
	           H->msgh_bits == MACH_MSGH_BITS(0, SO) &&
	           H->msgh_local_port == r && m->RetCode == MIG_BAD_ID,
	       "the kernel answers MIG_BAD_ID, 48 bytes (id %d, size %u, %d)",
	       H->msgh_id, H->msgh_size, m->RetCode);
	tap_ok(refs_of(T, T, MACH_PORT_RIGHT_SEND) == urefs &&
	           status(T, r).mps_sorights == 0,
	       "the task port's urefs unchanged (%u)", urefs);
	(void)mach_port_destroy(T, r);
}

/* 8e: a receive buffer smaller than the reply. */
static void check_small_reply_buffer(struct server *s)
{
	mach_port_t r = machr_new_receive();
	struct job_args a = receive_job(s, OP_REPLY);
	struct result res;

	a.reply_size = 512;
	(void)job_start(s, a, 1);
	request(H, s->svc, r, 1900, 64);
	tap_expect(rpc(H, 64, 64, r, 0, 0), MACH_RCV_TOO_LARGE,
	           "an RPC with rcv_size 64 and a 512-byte reply: "
	           "MACH_RCV_TOO_LARGE");
	tap_ok(H->msgh_bits == MACH_MSGH_BITS(0, SO) && H->msgh_size == 512 &&
	           H->msgh_local_port == r &&
	           H->msgh_remote_port == MACH_PORT_NULL && H->msgh_id == 2000,
	       "only the reply's header is written, with its size (%#x, %u)",
	       H->msgh_bits, H->msgh_size);
	(void)job_report(s, &res);
	tap_ok(request_seen(s, &res, 1900, 64) && res.act == 0 &&
	           status(T, r).mps_msgcount == 0 &&
	           status(T, r).mps_seqno == 1,
	       "the reply was destroyed (seqno %u)", status(T, r).mps_seqno);
	(void)job_start(s, a, 1);
	request(H, s->svc, r, 1901, 64);
	tap_expect(rpc(H, 64, 64, r, MACH_RCV_LARGE, 0), MACH_RCV_TOO_LARGE,
	           "with MACH_RCV_LARGE: MACH_RCV_TOO_LARGE");
	tap_ok(H->msgh_size == 512 && status(T, r).mps_msgcount == 1,
	       "the size needed (%u), the reply stays queued", H->msgh_size);
	(void)job_report(s, &res);
	tap_ok(mach_msg(H, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, BUF_MAX, r, 0,
	                MACH_PORT_NULL) == 0 &&
	           reply_ok(r, 1901, 512),
	       "and is received with a larger buffer");
	(void)mach_port_destroy(T, r);
}

/*
 * 10: the server suspended while it waits in its receive: the client's
 * RPC waits; resumed, the server has the request and answers.  On
 * Mach_R the request goes into the suspended server's hands at once:
 * it runs its continuation (fastpath.c: fast_rpc_resume) and stops on
 * its way to user mode, in the checks after it.  On
 * GNU Mach the request is numbered too but shows as still queued until
 * the server, resumed, receives it (docs/ABI.md): the queue's count
 * meanwhile may be either.
 */
static void check_suspended_server(struct server *s, const char *who)
{
	mach_port_t r = machr_new_receive();
	mach_port_status_t before, st;
	struct result res;
	struct bg_call c;
	mach_msg_return_t mr;
	int blocked;

	if (!job_start(s, receive_job(s, OP_REPLY), 1)) {
		tap_ok(0, "%s: a server waiting to be suspended", who);
		return;
	}
	before = status(s->task, s->svc_in);
	tap_expect(thread_suspend(s->thread), 0,
	           "%s: the server, waiting in its receive, suspended", who);
	blocked = bg_start(&c, s->svc, r, r, 1800);
	st = status(s->task, s->svc_in);
	tap_ok(blocked && st.mps_seqno == before.mps_seqno + 1 &&
	           st.mps_msgcount <= 1,
	       "%s: an RPC to it waits, its request numbered (seqno %u; "
	       "%u still queued)",
	       who, st.mps_seqno, st.mps_msgcount);
	tap_expect(thread_resume(s->thread), 0, "%s: the server resumed", who);
	mr = bg_finish(&c);
	(void)job_report(s, &res);
	tap_ok(mr == 0 && request_seen(s, &res, 1800, 64) &&
	           res.got.msgh_seqno == before.mps_seqno &&
	           c.buf->msgh_id == 1900 && c.buf->msgh_size == 64 &&
	           c.buf->msgh_local_port == r,
	       "%s: it has the request (seqno %u) and the client its reply "
	       "(%#x, id %d)",
	       who, res.got.msgh_seqno, mr, c.buf->msgh_id);
	(void)mach_port_destroy(T, r);
}

#endif
