/*
 * tests/system/modules/rpc-tasks.c — remote procedure calls between two
 * tasks: a server thread in a child task receives requests on a port and
 * answers through the reply right each carries; we call it with
 * mach_msg(SEND|RCV) and check the replies, sequence numbers, the
 * reply-id convention (request id + 100), typed inline data, a reply
 * through a send right, a timed-out call whose reply comes later, and a
 * server that dies holding the reply right.  Each check states what GNU
 * Mach answers.
 */
#include <mach/notify.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

#define SERVER_PORT 0x2000 /* the service's receive right, in the child */
#define NWORDS      16
#define ID_ADD      500 /* request: add 1 to each word */
#define ID_QUIT     599 /* request: stop serving */
#define NCALLS      20

struct request {
	mach_msg_header_t h;
	mach_msg_type_t t;
	uint32_t words[NWORDS];
};

/* MIG's shape: a return code, then data.  info is what the server saw:
 * the request's seqno, its header bits, and the requests it had to drop
 * (no reply port). */
struct reply {
	mach_msg_header_t h;
	mach_msg_type_t rt;
	kern_return_t ret;
	mach_msg_type_t it;
	uint32_t info[3];
	mach_msg_type_t t;
	uint32_t words[NWORDS];
	char slack[64];
};
#define REPLY_SIZE offsetof(struct reply, slack)

static mach_msg_type_t int32_type(unsigned n)
{
	return (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_INTEGER_32,
	                         .msgt_size = 32,
	                         .msgt_number = n,
	                         .msgt_inline = 1};
}

/* The server, in the child: one reply per request, through the reply
 * right with the disposition it arrived with. */
static void server(void *arg)
{
	union {
		struct request req;
		char buf[sizeof(struct request) + 128];
	} in;
	struct reply out;
	uint32_t dropped = 0;

	(void)arg;
	for (;;) {
		if (mach_msg(&in.req.h, MACH_RCV_MSG, 0, sizeof(in),
		             SERVER_PORT, 0,
		             MACH_PORT_NULL) != MACH_MSG_SUCCESS)
			continue;
		if (in.req.h.msgh_remote_port == MACH_PORT_NULL) {
			dropped++;
			continue;
		}
		memset(&out, 0, sizeof(out));
		out.h.msgh_bits = MACH_MSGH_BITS(
		    MACH_MSGH_BITS_REMOTE(in.req.h.msgh_bits), 0);
		out.h.msgh_size = REPLY_SIZE;
		out.h.msgh_remote_port = in.req.h.msgh_remote_port;
		out.h.msgh_id = in.req.h.msgh_id + 100;
		out.rt = int32_type(1);
		out.it = int32_type(3);
		out.info[0] = in.req.h.msgh_seqno;
		out.info[1] = in.req.h.msgh_bits;
		out.info[2] = dropped;
		out.t = int32_type(NWORDS);
		if (in.req.h.msgh_id == ID_ADD || in.req.h.msgh_id == ID_QUIT) {
			for (int i = 0; i < NWORDS; i++)
				out.words[i] = in.req.words[i] + 1;
		} else {
			out.ret = MIG_BAD_ID;
		}
		(void)mach_msg(&out.h, MACH_SEND_MSG, REPLY_SIZE, 0,
		               MACH_PORT_NULL, 0, MACH_PORT_NULL);
		if (in.req.h.msgh_id == ID_QUIT)
			return;
	}
}

static void request(struct request *r, mach_port_t to, mach_port_t reply,
                    unsigned reply_disp, mach_msg_id_t id, uint32_t base)
{
	memset(r, 0, sizeof(*r));
	machr_msg_header(&r->h, to, MACH_MSG_TYPE_COPY_SEND, reply, reply_disp,
	                 sizeof(*r));
	r->h.msgh_id = id;
	r->t = int32_type(NWORDS);
	for (int i = 0; i < NWORDS; i++)
		r->words[i] = base + (uint32_t)i;
}

/* Words are BASE+1, BASE+2, ... as the server computes them. */
static int words_ok(const struct reply *m, uint32_t base)
{
	for (int i = 0; i < NWORDS; i++)
		if (m->words[i] != base + (uint32_t)i + 1)
			return 0;
	return m->t.msgt_name == MACH_MSG_TYPE_INTEGER_32 &&
	       m->t.msgt_number == NWORDS;
}

static mach_msg_return_t call(mach_port_t svc, mach_port_t reply,
                              mach_msg_id_t id, uint32_t base, struct reply *m,
                              mach_msg_option_t extra,
                              mach_msg_timeout_t timeout)
{
	union {
		struct request req;
		struct reply rep;
	} *u = (void *)m;

	request(&u->req, svc, reply, MACH_MSG_TYPE_MAKE_SEND_ONCE, id, base);
	return mach_msg(&u->req.h, MACH_SEND_MSG | MACH_RCV_MSG | extra,
	                sizeof(u->req), sizeof(*m), reply, timeout,
	                MACH_PORT_NULL);
}

static void check_calls(mach_port_t svc, mach_port_t reply)
{
	struct reply m;
	int ids = 1, seq = 1, data = 1, bits = 1, codes = 1;
	mach_msg_return_t mr = 0;

	for (int i = 0; i < NCALLS && mr == 0; i++) {
		mr = call(svc, reply, ID_ADD, 1000u * (unsigned)i, &m, 0, 0);
		ids &=
		    m.h.msgh_id == ID_ADD + 100 && m.h.msgh_size == REPLY_SIZE;
		seq &= m.info[0] == (uint32_t)i;
		data &= words_ok(&m, 1000u * (unsigned)i);
		/* The server saw (PORT_SEND_ONCE reply, PORT_SEND dest). */
		bits &=
		    m.info[1] == MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE,
		                                MACH_MSG_TYPE_PORT_SEND);
		/* We see the reply arrive on a send-once right, no reply
		 * port, our reply port as local. */
		codes &= m.ret == 0 &&
		         m.h.msgh_bits ==
		             MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE) &&
		         m.h.msgh_local_port == reply &&
		         m.h.msgh_remote_port == MACH_PORT_NULL;
	}
	tap_expect(mr, 0, "%d calls with mach_msg(SEND|RCV)", NCALLS);
	tap_ok(ids, "every reply has id request + 100 (%d) and size %u",
	       m.h.msgh_id, m.h.msgh_size);
	tap_ok(seq, "the server saw sequence numbers 0, 1, 2, ... (last %u)",
	       m.info[0]);
	tap_ok(data, "inline data went there and back");
	tap_ok(bits, "the server saw bits (PORT_SEND_ONCE, PORT_SEND) (%#x)",
	       m.info[1]);
	tap_ok(codes, "replies: bits (0, PORT_SEND_ONCE), local = reply port");
	tap_ok(m.h.msgh_seqno == NCALLS - 1,
	       "the reply port counts its own seqnos (%u)", m.h.msgh_seqno);

	mr = call(svc, reply, 777, 0, &m, 0, 0);
	tap_ok(mr == 0 && m.h.msgh_id == 877 && m.ret == MIG_BAD_ID,
	       "an unknown id: the server answers MIG_BAD_ID (%#x, %d)", mr,
	       m.ret);
}

static void check_reply_kinds(mach_port_t svc, mach_port_t reply)
{
	union {
		struct request req;
		struct reply rep;
	} u;
	mach_port_urefs_t refs = 0;

	request(&u.req, svc, reply, MACH_MSG_TYPE_MAKE_SEND, ID_ADD, 5);
	tap_expect(mach_msg(&u.req.h, MACH_SEND_MSG | MACH_RCV_MSG,
	                    sizeof(u.req), sizeof(u), reply, 0, MACH_PORT_NULL),
	           0, "a call whose reply right is a send right");
	tap_ok(u.rep.info[1] == MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND,
	                                       MACH_MSG_TYPE_PORT_SEND),
	       "the server saw (PORT_SEND, PORT_SEND) (%#x)", u.rep.info[1]);
	tap_ok(u.rep.h.msgh_bits ==
	               MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND) &&
	           words_ok(&u.rep, 5),
	       "the reply comes through it: bits (0, PORT_SEND) (%#x)",
	       u.rep.h.msgh_bits);
	(void)mach_port_get_refs(T, reply, MACH_PORT_RIGHT_SEND, &refs);
	tap_ok(refs == 0, "and no send right of ours is left (%u)", refs);

	request(&u.req, svc, MACH_PORT_NULL, 0, ID_ADD, 0);
	tap_expect(mach_msg(&u.req.h, MACH_SEND_MSG, sizeof(u.req), 0,
	                    MACH_PORT_NULL, 0, MACH_PORT_NULL),
	           0, "a request without a reply port");
	request(&u.req, svc, 0x7777, MACH_MSG_TYPE_MAKE_SEND_ONCE, ID_ADD, 0);
	tap_expect(mach_msg(&u.req.h, MACH_SEND_MSG | MACH_RCV_MSG,
	                    sizeof(u.req), sizeof(u), reply, 0, MACH_PORT_NULL),
	           MACH_SEND_INVALID_REPLY, "a call with an unused reply name");
	tap_expect(call(svc, reply, ID_ADD, 9, &u.rep, 0, 0), 0,
	           "the next call works");
	tap_ok(u.rep.info[2] == 1 && words_ok(&u.rep, 9),
	       "the server had dropped the one reply-less request (%u)",
	       u.rep.info[2]);
	tap_expect(call(svc, 0x7777, ID_ADD, 0, &u.rep, 0, 0),
	           MACH_SEND_INVALID_REPLY,
	           "receiving on an unused name: the send is refused first");
}

static void check_late_reply_and_death(mach_port_t child, mach_port_t svc,
                                       mach_port_t reply, mach_port_t th)
{
	struct reply m;
	mach_msg_return_t mr;
	union {
		struct request req;
		struct reply rep;
	} u;

	(void)thread_suspend(th);
	tap_expect(call(svc, reply, ID_ADD, 40, &m, MACH_RCV_TIMEOUT, 100),
	           MACH_RCV_TIMED_OUT,
	           "a call to a suspended server times out in the receive");
	(void)thread_resume(th);
	mr = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m),
	              reply, 5000, MACH_PORT_NULL);
	tap_ok(mr == 0 && m.h.msgh_id == ID_ADD + 100 && words_ok(&m, 40),
	       "its reply arrives later on the reply port (%#x)", mr);

	(void)thread_suspend(th);
	request(&u.req, svc, reply, MACH_MSG_TYPE_MAKE_SEND_ONCE, ID_ADD, 0);
	tap_expect(mach_msg(&u.req.h, MACH_SEND_MSG, sizeof(u.req), 0,
	                    MACH_PORT_NULL, 0, MACH_PORT_NULL),
	           0, "send a request the server will never see");
	tap_expect(task_terminate(child), 0, "the server's task dies");
	/* GNU Mach: the queued request is destroyed with the port, and its
	 * unused send-once reply right sends a send-once notification —
	 * what MIG turns into MIG_SERVER_DIED. */
	mr = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m),
	              reply, 5000, MACH_PORT_NULL);
	tap_ok(mr == 0 && m.h.msgh_id == MACH_NOTIFY_SEND_ONCE &&
	           m.h.msgh_size == sizeof(mach_msg_header_t),
	       "the reply port gets a send-once notification (%#x, id %d)", mr,
	       m.h.msgh_id);
	request(&u.req, svc, reply, MACH_MSG_TYPE_MAKE_SEND_ONCE, ID_ADD, 0);
	/* GNU Mach: our send right to the dead port is now a dead name. */
	tap_expect(mach_msg(&u.req.h, MACH_SEND_MSG | MACH_RCV_MSG,
	                    sizeof(u.req), sizeof(u), reply, 0, MACH_PORT_NULL),
	           MACH_SEND_INVALID_DEST, "a call to the dead service");
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, child = MACH_PORT_NULL;
	mach_port_t svc, reply, th = MACH_PORT_NULL;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("rpc-tasks: no console\n");
	tap_plan(25);
	svc = machr_new_receive();
	reply = mach_reply_port();
	(void)mach_port_insert_right(T, svc, svc, MACH_MSG_TYPE_MAKE_SEND);
	(void)task_create(T, TRUE, &child);
	tap_expect(mach_port_insert_right(child, SERVER_PORT, svc,
	                                  MACH_MSG_TYPE_MOVE_RECEIVE),
	           0, "the service's receive right moves into the child");
	tap_expect(machr_task_thread_start(child, server, NULL, &th), 0,
	           "start the server thread there");
	check_calls(svc, reply);
	check_reply_kinds(svc, reply);
	check_late_reply_and_death(child, svc, reply, th);
	tap_finish(host_priv);
	return 0;
}
