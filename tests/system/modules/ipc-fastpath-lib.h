/*
 * tests/system/modules/ipc-fastpath-lib.h — the machinery of
 * ipc-fastpath.c: a server thread (in our task or in a child task) that
 * is told by a job message what to receive and how to answer, reports
 * what it received on a report port, and waits in mach_msg(SEND|RCV) the
 * way MIG servers do, so that a client's RPC finds it already blocked;
 * a client thread that makes one RPC in the background; message
 * patterns and port-status helpers.  Included by ipc-fastpath.c only.
 */
#ifndef IPC_FASTPATH_LIB_H
#define IPC_FASTPATH_LIB_H

#include <mach/mach_traps.h>
#include <mach/notify.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

#define WAIT_MS   5000 /* every wait a bug could make endless */
#define ID_ACK    4001 /* server -> report port: job taken */
#define ID_REPORT 4002 /* server -> report port: what it received */
#define ID_JOB    4003
#define ID_DONE   4004 /* background caller -> its done port */
#define BUF_MAX   (260 * 1024)

/* What the server does after its receive. */
enum op {
	OP_NONE,       /* nothing: rights received stay where they arrived */
	OP_REPLY,      /* reply through the received remote right */
	OP_HOLD,       /* keep the reply right for a later OP_REPLY_HELD */
	OP_REPLY_HELD, /* (no receive) reply through the right kept */
	OP_DROP,       /* deallocate the received reply right */
	OP_QUIT,
	OP_REPLY_ANY, /* OP_REPLY, also after MACH_RCV_INVALID_DATA */
};

struct job_args {
	uint32_t op;
	mach_port_t rcv_name; /* in the server's space; 0: no receive */
	mach_msg_size_t rcv_size;
	mach_msg_option_t rcv_opt; /* added to MACH_SEND_MSG|MACH_RCV_MSG */
	mach_msg_timeout_t timeout;
	mach_msg_size_t reply_size; /* 0: 64 */
	uint32_t retry; /* after MACH_RCV_TOO_LARGE: receive again in full */
	uint32_t pad;
	uint64_t rcv_buf; /* where to receive (its space); 0: srv_buf */
};

struct job_msg {
	mach_msg_header_t h;
	mach_msg_type_t t;
	struct job_args a;
	char slack[64];
};

/* What the server saw. */
struct result {
	int32_t mr;            /* the receive's return */
	int32_t first_mr;      /* with retry: the first receive's return */
	uint32_t first_size;   /* and the msgh_size it reported */
	uint32_t first_count;  /* the port's msgcount after it */
	int32_t act;           /* the reply's send, or 0 */
	uint32_t sum;          /* checksum of the bytes after the header */
	mach_msg_header_t got; /* the received header */
	uint32_t body[12];     /* the first 48 bytes after it */
};

struct report_msg {
	mach_msg_header_t h;
	mach_msg_type_t t;
	struct result r;
	char slack[64];
};

/* Names the server uses in its own space. */
struct srv_names {
	mach_port_t ctl;    /* receive right: jobs */
	mach_port_t report; /* send right: acks and reports */
};

/* The client's view of a server. */
struct server {
	mach_port_t task;   /* the server's task (machr_task or a child) */
	mach_port_t thread; /* our send right to its thread */
	mach_port_t ctl;    /* our send right to its job port */
	mach_port_t report; /* our receive right for its reports */
	mach_port_t svc;    /* our send right to its service port */
	mach_port_t svc_in; /* the service port's name in its space */
	int broken;         /* a job went unanswered: skip the rest */
};

static char srv_buf[BUF_MAX] __attribute__((aligned(8)));
static char bg_buf[4096] __attribute__((aligned(8)));
static mach_port_t srv_held;
static unsigned srv_held_disp;
static mach_msg_id_t srv_held_id;

/* FNV-1a over N bytes. */
static uint32_t checksum(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* Bytes after the header: a pattern of SEED; the message is simple. */
static void fill(mach_msg_header_t *h, mach_msg_size_t size, unsigned seed)
{
	unsigned char *b = (unsigned char *)(h + 1);

	for (size_t i = 0; i + sizeof(*h) < size; i++)
		b[i] = (unsigned char)(i * 13 + seed);
}

static int pattern_ok(const mach_msg_header_t *h, mach_msg_size_t size,
                      unsigned seed)
{
	const unsigned char *b = (const unsigned char *)(h + 1);

	for (size_t i = 0; i + sizeof(*h) < size; i++)
		if (b[i] != (unsigned char)(i * 13 + seed))
			return 0;
	return 1;
}

static mach_msg_type_t int32_type(unsigned n)
{
	return (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_INTEGER_32,
	                         .msgt_size = 32,
	                         .msgt_number = n,
	                         .msgt_inline = 1};
}

/* Answer through the right NAME (disposition DISP) with a message of
 * SIZE bytes, id ID + 100, the pattern of the request's id. */
static mach_msg_return_t srv_reply(mach_port_t name, unsigned disp,
                                   mach_msg_id_t id, mach_msg_size_t size)
{
	mach_msg_header_t *h = (mach_msg_header_t *)srv_buf;

	if (size == 0)
		size = 64;
	machr_msg_header(h, name, disp, MACH_PORT_NULL, 0, size);
	h->msgh_id = id + 100;
	fill(h, size, (unsigned)id);
	return mach_msg(h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0,
	                MACH_PORT_NULL, WAIT_MS, MACH_PORT_NULL);
}

/* One job: acknowledge it and receive in one mach_msg(SEND|RCV), then
 * act and report. */
static void srv_serve(const struct srv_names *n, const struct job_args *a)
{
	mach_msg_header_t *h = a->rcv_buf != 0
	                           ? (mach_msg_header_t *)(uintptr_t)a->rcv_buf
	                           : (mach_msg_header_t *)srv_buf;
	struct report_msg rep;
	mach_msg_return_t mr = 0;

	memset(&rep, 0, sizeof(rep));
	machr_msg_header(h, n->report, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL,
	                 0, sizeof(*h));
	h->msgh_id = ID_ACK;
	if (a->rcv_name == MACH_PORT_NULL) {
		(void)mach_msg(h, MACH_SEND_MSG, sizeof(*h), 0, MACH_PORT_NULL,
		               0, MACH_PORT_NULL);
		if (a->op == OP_REPLY_HELD) {
			rep.r.act = srv_reply(srv_held, srv_held_disp,
			                      srv_held_id, a->reply_size);
			srv_held = MACH_PORT_NULL;
		}
	} else {
		mr = mach_msg(h, MACH_SEND_MSG | MACH_RCV_MSG | a->rcv_opt,
		              sizeof(*h), a->rcv_size, a->rcv_name, a->timeout,
		              MACH_PORT_NULL);
		if (a->retry && mr == MACH_RCV_TOO_LARGE) {
			mach_port_status_t st;

			rep.r.first_mr = mr;
			rep.r.first_size = h->msgh_size;
			memset(&st, 0, sizeof(st));
			(void)mach_port_get_receive_status(T, a->rcv_name, &st);
			rep.r.first_count = st.mps_msgcount;
			mr = mach_msg(h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0,
			              BUF_MAX, a->rcv_name, 0, MACH_PORT_NULL);
		}
		rep.r.mr = mr;
		rep.r.got = *h;
		if (mr == MACH_MSG_SUCCESS) {
			memcpy(rep.r.body, h + 1, sizeof(rep.r.body));
			rep.r.sum = checksum(h + 1, h->msgh_size - sizeof(*h));
		}
	}
	if ((mr == MACH_MSG_SUCCESS && a->op == OP_REPLY) ||
	    (mr == MACH_RCV_INVALID_DATA && a->op == OP_REPLY_ANY))
		rep.r.act =
		    srv_reply(rep.r.got.msgh_remote_port,
		              MACH_MSGH_BITS_REMOTE(rep.r.got.msgh_bits),
		              rep.r.got.msgh_id, a->reply_size);
	if (mr == MACH_MSG_SUCCESS && a->op == OP_HOLD) {
		srv_held = rep.r.got.msgh_remote_port;
		srv_held_disp = MACH_MSGH_BITS_REMOTE(rep.r.got.msgh_bits);
		srv_held_id = rep.r.got.msgh_id;
	}
	if (mr == MACH_MSG_SUCCESS && a->op == OP_DROP)
		rep.r.act = mach_port_deallocate(T, rep.r.got.msgh_remote_port);
	machr_msg_header(&rep.h, n->report, MACH_MSG_TYPE_COPY_SEND,
	                 MACH_PORT_NULL, 0, offsetof(struct report_msg, slack));
	rep.h.msgh_id = ID_REPORT;
	rep.t = int32_type(sizeof(rep.r) / 4);
	(void)mach_msg(&rep.h, MACH_SEND_MSG, rep.h.msgh_size, 0,
	               MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

/* The server thread: jobs until OP_QUIT or its job port goes away. */
static void srv_main(void *arg)
{
	const struct srv_names *n = arg;
	struct job_msg job;
	mach_msg_return_t mr;

	for (;;) {
		memset(&job, 0, sizeof(job));
		mr = mach_msg(&job.h, MACH_RCV_MSG, 0, sizeof(job), n->ctl, 0,
		              MACH_PORT_NULL);
		if (mr == MACH_RCV_INVALID_NAME || mr == MACH_RCV_PORT_DIED)
			return;
		if (mr != MACH_MSG_SUCCESS || job.h.msgh_id != ID_JOB)
			continue;
		if (job.a.op == OP_QUIT)
			return;
		srv_serve(n, &job.a);
	}
}

/*
 * Give S a job and wait for its ack; with BLOCKED, then wait until its
 * thread is blocked (in the receive the ack was sent with).  0 if the
 * server did not answer (it is then marked broken).
 */
static int job_start(struct server *s, struct job_args a, int blocked)
{
	struct job_msg job;
	struct machr_word_msg ack;

	if (s->broken)
		return 0;
	memset(&job, 0, sizeof(job));
	machr_msg_header(&job.h, s->ctl, MACH_MSG_TYPE_COPY_SEND,
	                 MACH_PORT_NULL, 0, offsetof(struct job_msg, slack));
	job.h.msgh_id = ID_JOB;
	job.t = int32_type(sizeof(job.a) / 4);
	job.a = a;
	if (mach_msg(&job.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, job.h.msgh_size,
	             0, MACH_PORT_NULL, WAIT_MS, MACH_PORT_NULL) != 0 ||
	    machr_recv_word(s->report, &ack, MACH_RCV_TIMEOUT, WAIT_MS) != 0 ||
	    ack.h.msgh_id != ID_ACK) {
		tap_diag("the server did not take a job");
		s->broken = 1;
		return 0;
	}
	if (blocked && a.rcv_name != MACH_PORT_NULL &&
	    !machr_thread_wait_blocked(s->thread)) {
		tap_diag("the server did not block in its receive");
		return 0;
	}
	return 1;
}

/* The server's report of its job into *R (zeroed, mr -1, if none). */
static int job_report(struct server *s, struct result *r)
{
	struct report_msg rep;

	memset(r, 0, sizeof(*r));
	r->mr = -1;
	if (s->broken)
		return 0;
	if (mach_msg(&rep.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(rep),
	             s->report, WAIT_MS, MACH_PORT_NULL) != 0 ||
	    rep.h.msgh_id != ID_REPORT) {
		tap_diag("no report from the server");
		s->broken = 1;
		return 0;
	}
	*r = rep.r;
	return 1;
}

/* Jobs in their usual shapes. */
static struct job_args receive_job(struct server *s, enum op op)
{
	return (struct job_args){
	    .op = op, .rcv_name = s->svc_in, .rcv_size = BUF_MAX};
}

static struct job_args held_reply_job(void)
{
	return (struct job_args){.op = OP_REPLY_HELD};
}

/* A server thread in our own task, serving a new port. */
static void server_local(struct server *s, struct srv_names *n)
{
	memset(s, 0, sizeof(*s));
	s->task = T;
	s->svc = s->svc_in = machr_new_receive();
	s->ctl = machr_new_receive();
	s->report = machr_new_receive();
	(void)mach_port_insert_right(T, s->svc, s->svc,
	                             MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_insert_right(T, s->ctl, s->ctl,
	                             MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_insert_right(T, s->report, s->report,
	                             MACH_MSG_TYPE_MAKE_SEND);
	n->ctl = s->ctl;
	n->report = s->report;
	if (machr_thread_create(srv_main, n, &s->thread) != KERN_SUCCESS)
		s->broken = 1;
}

/* The child's names: fixed, so that its copy of this struct is right. */
#define CHILD_SVC    0x2000
#define CHILD_CTL    0x2001
#define CHILD_REPORT 0x2002
static struct srv_names child_names = {CHILD_CTL, CHILD_REPORT};

/* A server thread in a new child task, serving a new port. */
static void server_child(struct server *s)
{
	mach_port_t child = MACH_PORT_NULL;

	memset(s, 0, sizeof(*s));
	s->svc = machr_new_receive();
	s->ctl = machr_new_receive();
	s->report = machr_new_receive();
	s->svc_in = CHILD_SVC;
	(void)mach_port_insert_right(T, s->svc, s->svc,
	                             MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_insert_right(T, s->ctl, s->ctl,
	                             MACH_MSG_TYPE_MAKE_SEND);
	if (task_create(T, TRUE, &child) != KERN_SUCCESS ||
	    mach_port_insert_right(child, CHILD_SVC, s->svc,
	                           MACH_MSG_TYPE_MOVE_RECEIVE) != 0 ||
	    mach_port_insert_right(child, CHILD_CTL, s->ctl,
	                           MACH_MSG_TYPE_MOVE_RECEIVE) != 0 ||
	    mach_port_insert_right(child, CHILD_REPORT, s->report,
	                           MACH_MSG_TYPE_MAKE_SEND) != 0 ||
	    machr_task_thread_start(child, srv_main, &child_names,
	                            &s->thread) != KERN_SUCCESS)
		s->broken = 1;
	s->task = child;
}

/* Stop S and release what we hold of it. */
static void server_end(struct server *s)
{
	if (s->task != T) {
		(void)task_terminate(s->task);
		(void)mach_port_deallocate(T, s->task);
	} else {
		struct job_msg job;

		memset(&job, 0, sizeof(job));
		machr_msg_header(&job.h, s->ctl, MACH_MSG_TYPE_COPY_SEND,
		                 MACH_PORT_NULL, 0,
		                 offsetof(struct job_msg, slack));
		job.h.msgh_id = ID_JOB;
		job.t = int32_type(sizeof(job.a) / 4);
		job.a.op = OP_QUIT;
		(void)mach_msg(&job.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT,
		               job.h.msgh_size, 0, MACH_PORT_NULL, WAIT_MS,
		               MACH_PORT_NULL);
	}
	(void)mach_port_destroy(T, s->svc);
	(void)mach_port_destroy(T, s->ctl);
	(void)mach_port_destroy(T, s->report);
	(void)mach_port_deallocate(T, s->thread);
}

/* A port's receive status in TASK (all zero if the call fails). */
static mach_port_status_t status(mach_port_t task, mach_port_t p)
{
	mach_port_status_t st;

	memset(&st, 0, sizeof(st));
	(void)mach_port_get_receive_status(task, p, &st);
	return st;
}

static mach_port_type_t type_of(mach_port_t task, mach_port_t p)
{
	mach_port_type_t t = 0;

	(void)mach_port_type(task, p, &t);
	return t;
}

static mach_port_urefs_t refs_of(mach_port_t task, mach_port_t p,
                                 mach_port_right_t right)
{
	mach_port_urefs_t n = 0;

	(void)mach_port_get_refs(task, p, right, &n);
	return n;
}

/* A request of SIZE bytes to DEST (COPY_SEND) with REPLY
 * (MAKE_SEND_ONCE), id ID and its pattern. */
static void request(mach_msg_header_t *h, mach_port_t dest, mach_port_t reply,
                    mach_msg_id_t id, mach_msg_size_t size)
{
	machr_msg_header(h, dest, MACH_MSG_TYPE_COPY_SEND, reply,
	                 reply ? MACH_MSG_TYPE_MAKE_SEND_ONCE : 0, size);
	h->msgh_id = id;
	fill(h, size, (unsigned)id);
}

/* An RPC in a background thread: mach_msg_trap(SEND|RCV|opt) of the
 * request in buf (the trap: an abort must end it), then a word to done. */
struct bg_call {
	mach_msg_header_t *buf;
	mach_msg_option_t opt;
	mach_msg_size_t send_size, rcv_size;
	mach_port_t rcv_name, done, thread;
	mach_msg_return_t mr;
};

static void bg_caller(void *arg)
{
	struct bg_call *c = arg;

	c->mr = mach_msg_trap(c->buf, MACH_SEND_MSG | MACH_RCV_MSG | c->opt,
	                      c->send_size, c->rcv_size, c->rcv_name, WAIT_MS,
	                      MACH_PORT_NULL);
	(void)machr_send_word(c->done, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL,
	                      0, ID_DONE, 0, 0, 0);
}

/* Start an RPC in a background thread: request ID (64 bytes) to DEST
 * with REPLY, receiving on RCV_NAME; 1 once the thread is blocked (in
 * the send or the receive). */
static int bg_start(struct bg_call *c, mach_port_t dest, mach_port_t reply,
                    mach_port_t rcv_name, mach_msg_id_t id)
{
	c->buf = (mach_msg_header_t *)bg_buf;
	c->opt = 0;
	request(c->buf, dest, reply, id, 64);
	c->send_size = 64;
	c->rcv_size = sizeof(bg_buf);
	c->rcv_name = rcv_name;
	c->done = machr_new_receive();
	c->mr = -1;
	if (machr_thread_create(bg_caller, c, &c->thread) != KERN_SUCCESS)
		return 0;
	return machr_thread_wait_blocked(c->thread);
}

/* Wait for C's call to end; its return code. */
static mach_msg_return_t bg_finish(struct bg_call *c)
{
	struct machr_word_msg m;
	mach_msg_return_t mr;

	mr = machr_recv_word(c->done, &m, MACH_RCV_TIMEOUT, 2 * WAIT_MS);
	if (mr == MACH_RCV_TIMED_OUT) {
		/* A call that never returns: end it, so that the thread does
		 * not write into *C after we are gone. */
		tap_diag("a background call never returned");
		(void)thread_abort(c->thread);
		(void)machr_recv_word(c->done, &m, MACH_RCV_TIMEOUT, WAIT_MS);
	}
	(void)mach_port_destroy(T, c->done);
	(void)mach_port_deallocate(T, c->thread);
	return mr == 0 ? c->mr : mr;
}

/*
 * The watchdog: our RPCs use mach_msg(SEND|RCV) with no timeout, as the
 * fast path wants them, so a thread of its own aborts the main thread
 * when a call takes longer than WAIT_MS.  rpc() calls mach_msg_trap
 * itself, as mach_msg() would retry the interrupted call (and the
 * MACH_*_INTERRUPT options that stop it would change the option word
 * the fast path looks at).
 */
#define WD_ARM    4005
#define WD_DISARM 4006
static mach_port_t wd_port, wd_victim;
static int wd_fired;

static void wd_main(void *arg)
{
	struct machr_word_msg m;

	(void)arg;
	for (;;) {
		if (machr_recv_word(wd_port, &m, 0, 0) != 0)
			return;
		if (m.h.msgh_id != WD_ARM)
			continue;
		if (machr_recv_word(wd_port, &m, MACH_RCV_TIMEOUT, WAIT_MS) ==
		    MACH_RCV_TIMED_OUT) {
			wd_fired++;
			(void)thread_abort(wd_victim);
		}
	}
}

static void wd_start(void)
{
	wd_victim = mach_thread_self();
	wd_port = machr_new_receive();
	(void)machr_thread_create(wd_main, NULL, NULL);
}

static void wd_signal(mach_msg_id_t id)
{
	(void)machr_send_word(wd_port, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL,
	                      0, id, 0, 0, 0);
}

/* mach_msg(SEND|RCV|EXTRA) of the message in H, under the watchdog. */
static mach_msg_return_t rpc(mach_msg_header_t *h, mach_msg_size_t send_size,
                             mach_msg_size_t rcv_size, mach_port_t rcv_name,
                             mach_msg_option_t extra,
                             mach_msg_timeout_t timeout)
{
	mach_msg_return_t mr;
	int fired = wd_fired;

	wd_signal(WD_ARM);
	mr = mach_msg_trap(h, MACH_SEND_MSG | MACH_RCV_MSG | extra, send_size,
	                   rcv_size, rcv_name, timeout, MACH_PORT_NULL);
	wd_signal(WD_DISARM);
	if (wd_fired != fired)
		tap_diag("the watchdog aborted a call that never returned");
	return mr;
}

/* Stop the watchdog (it ends when its port goes). */
static void wd_end(void)
{
	(void)mach_port_destroy(T, wd_port);
	(void)mach_port_deallocate(T, wd_victim);
}

#define SO MACH_MSG_TYPE_PORT_SEND_ONCE
#define S  MACH_MSG_TYPE_PORT_SEND

/* The client's message buffer. */
static union {
	mach_msg_header_t h;
	char bytes[BUF_MAX];
} cbuf __attribute__((aligned(8)));
#define H (&cbuf.h)

static uint32_t body_sum(mach_msg_size_t size)
{
	return checksum(H + 1, size - sizeof(*H));
}

/* The reply to request ID of SIZE bytes, as the server makes it, through
 * the send-once right to REPLY. */
static int reply_ok(mach_port_t reply, mach_msg_id_t id, mach_msg_size_t size)
{
	return H->msgh_bits == MACH_MSGH_BITS(0, SO) &&
	       H->msgh_local_port == reply &&
	       H->msgh_remote_port == MACH_PORT_NULL &&
	       H->msgh_id == id + 100 && H->msgh_size == size &&
	       pattern_ok(H, size, (unsigned)id);
}

/* The request the server saw: our COPY_SEND and MAKE_SEND_ONCE. */
static int request_seen(const struct server *s, const struct result *r,
                        mach_msg_id_t id, mach_msg_size_t size)
{
	return r->mr == 0 && r->got.msgh_bits == MACH_MSGH_BITS(SO, S) &&
	       r->got.msgh_local_port == s->svc_in &&
	       r->got.msgh_remote_port != MACH_PORT_NULL &&
	       r->got.msgh_id == id && r->got.msgh_size == size;
}

#endif
