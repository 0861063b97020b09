/*
 * tests/system/modules/ipc-fastpath.c — mach_msg RPCs to a server thread
 * that is already blocked in its receive, in the shapes an IPC fast path
 * must leave to the slow path (a complex message, a large one, a receive
 * buffer too small, a full queue, no receiver waiting, a dead port or
 * server, a port set, timeouts, a reply port that is not the receive
 * name, a message to oneself, protected payloads, a kernel port), and
 * the plain RPC it takes, for comparison.  Each case checks the return
 * codes, both received headers, the data, and the rights and counts
 * left behind.  Each check states what GNU Mach answers.
 */
#include "ipc-fastpath-lib.h"
#include "ipc-fastpath-edges.h"

/* 0: the RPC the fast path takes, for comparison. */
static void check_plain(struct server *s, const char *who)
{
	mach_port_t r = machr_new_receive();
	mach_port_status_t before = status(s->task, s->svc_in), st;
	mach_port_urefs_t urefs = refs_of(T, s->svc, MACH_PORT_RIGHT_SEND);
	struct result res;
	uint32_t sum;

	(void)job_start(s, receive_job(s, OP_REPLY), 1);
	request(H, s->svc, r, 100, 96);
	sum = body_sum(96);
	tap_expect(rpc(H, 96, BUF_MAX, r, 0, 0), 0,
	           "%s: an RPC to a server blocked in its receive", who);
	(void)job_report(s, &res);
	tap_ok(request_seen(s, &res, 100, 96) && res.sum == sum &&
	           res.got.msgh_seqno == before.mps_seqno,
	       "%s: the server got (PORT_SEND_ONCE, PORT_SEND), its port "
	       "as local, seqno %u, the data (%#x)",
	       who, res.got.msgh_seqno, res.got.msgh_bits);
	tap_ok(s->task != T || res.got.msgh_remote_port != r,
	       "%s: the reply right got a name of its own", who);
	tap_ok(reply_ok(r, 100, 64) && H->msgh_seqno == 0,
	       "%s: the reply: bits (0, PORT_SEND_ONCE), local the reply "
	       "port, id 200, seqno 0, its data (%#x)",
	       who, H->msgh_bits);
	st = status(s->task, s->svc_in);
	tap_ok(st.mps_seqno == before.mps_seqno + 1 && st.mps_msgcount == 0 &&
	           refs_of(T, s->svc, MACH_PORT_RIGHT_SEND) == urefs,
	       "%s: the service port's seqno +1, queue empty, our send "
	       "urefs unchanged (%u)",
	       who, urefs);
	st = status(T, r);
	tap_ok(st.mps_sorights == 0 && st.mps_msgcount == 0 &&
	           st.mps_seqno == 1 &&
	           type_of(T, r) == MACH_PORT_TYPE_RECEIVE &&
	           type_of(s->task, res.got.msgh_remote_port) == 0,
	       "%s: no send-once right left on either side (sorights %u)", who,
	       st.mps_sorights);
	(void)mach_port_destroy(T, r);
}

/*
 * 0b: the header's dispositions, one RPC each: the fast path takes only
 * COPY_SEND or MAKE_SEND with MAKE_SEND_ONCE; the others must give the
 * same bits and leave the same rights.
 */
static const struct disp_case {
	const char *what;
	mach_msg_type_name_t remote, local;
	mach_msg_bits_t seen;      /* the server's bits */
	mach_msg_type_name_t back; /* the reply's local type */
} disp_cases[] = {
    {"MAKE_SEND, MAKE_SEND_ONCE", MACH_MSG_TYPE_MAKE_SEND,
     MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_MSGH_BITS(SO, S), SO},
    {"MOVE_SEND, MAKE_SEND_ONCE", MACH_MSG_TYPE_MOVE_SEND,
     MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_MSGH_BITS(SO, S), SO},
    {"MAKE_SEND_ONCE, MAKE_SEND_ONCE", MACH_MSG_TYPE_MAKE_SEND_ONCE,
     MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_MSGH_BITS(SO, SO), SO},
    {"COPY_SEND, MOVE_SEND_ONCE", MACH_MSG_TYPE_COPY_SEND,
     MACH_MSG_TYPE_MOVE_SEND_ONCE, MACH_MSGH_BITS(SO, S), SO},
    {"COPY_SEND, MAKE_SEND", MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND,
     MACH_MSGH_BITS(S, S), S},
    {"COPY_SEND, COPY_SEND", MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_COPY_SEND,
     MACH_MSGH_BITS(S, S), S},
};

static void check_dispositions(struct server *s)
{
	for (size_t i = 0; i < sizeof(disp_cases) / sizeof(disp_cases[0]);
	     i++) {
		const struct disp_case *d = &disp_cases[i];
		mach_port_t r = machr_new_receive(), local = r;
		mach_port_urefs_t urefs =
		    refs_of(T, s->svc, MACH_PORT_RIGHT_SEND);
		mach_msg_type_name_t ty;
		mach_port_type_t want;
		mach_port_status_t st;
		struct result res;
		mach_msg_return_t mr;

		if (d->remote == MACH_MSG_TYPE_MOVE_SEND)
			(void)mach_port_mod_refs(T, s->svc,
			                         MACH_PORT_RIGHT_SEND, 1);
		if (d->local == MACH_MSG_TYPE_COPY_SEND)
			(void)mach_port_insert_right(T, r, r,
			                             MACH_MSG_TYPE_MAKE_SEND);
		if (d->local == MACH_MSG_TYPE_MOVE_SEND_ONCE)
			(void)mach_port_extract_right(
			    T, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, &local, &ty);
		(void)job_start(s, receive_job(s, OP_REPLY), 1);
		machr_msg_header(H, s->svc, d->remote, local, d->local, 64);
		H->msgh_id = 2100 + (mach_msg_id_t)i;
		fill(H, 64, 2100 + (unsigned)i);
		mr = rpc(H, 64, BUF_MAX, r, 0, 0);
		(void)job_report(s, &res);
		tap_ok(mr == 0 && res.mr == 0 && res.got.msgh_bits == d->seen &&
		           res.got.msgh_local_port == s->svc_in &&
		           res.got.msgh_id == 2100 + (mach_msg_id_t)i &&
		           H->msgh_bits == MACH_MSGH_BITS(0, d->back) &&
		           H->msgh_local_port == r &&
		           pattern_ok(H, 64, 2100 + (unsigned)i),
		       "%s: the server sees %#x, the reply %#x (%#x)", d->what,
		       res.got.msgh_bits, H->msgh_bits, mr);
		/* Our name for the reply port keeps a send right only when
		 * it was copied; an extracted send-once right went. */
		want = d->local == MACH_MSG_TYPE_COPY_SEND
		           ? MACH_PORT_TYPE_SEND_RECEIVE
		           : MACH_PORT_TYPE_RECEIVE;
		st = status(T, r);
		tap_ok(refs_of(T, s->svc, MACH_PORT_RIGHT_SEND) == urefs &&
		           st.mps_sorights == 0 && st.mps_msgcount == 0 &&
		           !st.mps_srights ==
		               (d->local != MACH_MSG_TYPE_COPY_SEND) &&
		           st.mps_mscount == (d->back == S ? 1u : 0u) &&
		           type_of(T, r) == want &&
		           (local == r || type_of(T, local) == 0),
		       "%s: rights left (svc urefs %u, reply srights %d "
		       "sorights %u mscount %u)",
		       d->what, refs_of(T, s->svc, MACH_PORT_RIGHT_SEND),
		       st.mps_srights, st.mps_sorights, st.mps_mscount);
		(void)mach_port_destroy(T, r);
	}
}

/* 1b: out-of-line memory to a waiting receiver. */
static void check_out_of_line(struct server *s)
{
	struct ool_msg {
		mach_msg_header_t h;
		mach_msg_type_t t;
		void *addr;
	} *m = (struct ool_msg *)H;
	mach_port_t r = machr_new_receive();
	vm_address_t buf = 0, got;
	struct result res;
	mach_msg_return_t mr;
	int same = 1;

	(void)vm_allocate(T, &buf, 8192, TRUE);
	for (int i = 0; i < 8192; i++)
		((unsigned char *)buf)[i] = (unsigned char)(i * 5);
	(void)job_start(s, receive_job(s, OP_REPLY), 1);
	request(H, s->svc, r, 2200, sizeof(*m));
	H->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m->t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_BYTE,
	                         .msgt_size = 8,
	                         .msgt_number = 8192,
	                         .msgt_longform = 1};
	m->addr = (void *)buf;
	mr = rpc(H, sizeof(*m), BUF_MAX, r, 0, 0);
	(void)job_report(s, &res);
	tap_ok(mr == 0 && reply_ok(r, 2200, 64) && res.mr == 0 &&
	           res.got.msgh_bits ==
	               (MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(SO, S)),
	       "an RPC with 8 KiB out of line: the server gets it complex "
	       "(%#x)",
	       res.got.msgh_bits);
	memcpy(&got, &res.body[2], sizeof(got));
	for (int i = 0; same && got && i < 8192; i++)
		same = ((unsigned char *)got)[i] == (unsigned char)(i * 5);
	tap_ok(got != 0 && got != buf && same && res.body[1] == 8192,
	       "at a new address of its own, intact");
	(void)vm_deallocate(T, got, 8192);
	(void)vm_deallocate(T, buf, 8192);
	(void)mach_port_destroy(T, r);
}

/* 1c: the complex bit on a message with only data. */
static void check_complex_data_only(struct server *s)
{
	mach_port_t r = machr_new_receive();
	struct result res;
	mach_msg_return_t mr;

	(void)job_start(s, receive_job(s, OP_REPLY), 1);
	request(H, s->svc, r, 2300, 48);
	H->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	*(mach_msg_type_t *)(H + 1) = int32_type(2);
	mr = rpc(H, 48, BUF_MAX, r, 0, 0);
	(void)job_report(s, &res);
	tap_ok(mr == 0 && reply_ok(r, 2300, 64) && res.mr == 0 &&
	           res.got.msgh_bits == MACH_MSGH_BITS(SO, S) &&
	           res.got.msgh_size == 48,
	       "a complex message with only data: it arrives without the "
	       "complex bit (%#x)",
	       res.got.msgh_bits);
	(void)mach_port_destroy(T, r);
}

/* A message with three rights in its body. */
struct rights_msg {
	mach_msg_header_t h;
	struct {
		mach_msg_type_t t;
		mach_port_name_inlined_t p;
	} it[3];
};

static mach_msg_type_t port_type(mach_msg_type_name_t disp)
{
	return (mach_msg_type_t){.msgt_name = disp,
	                         .msgt_size = 64,
	                         .msgt_number = 1,
	                         .msgt_inline = 1};
}

/* 1: send, send-once and receive rights in the body. */
static void check_body_rights(struct server *s, const char *who)
{
	mach_port_t r = machr_new_receive(), x = machr_new_receive();
	mach_port_t y = machr_new_receive(), z = machr_new_receive();
	struct rights_msg *m = (struct rights_msg *)H;
	mach_port_t got[3];
	mach_port_status_t st;
	struct result res;

	(void)mach_port_insert_right(T, z, z, MACH_MSG_TYPE_MAKE_SEND);
	(void)job_start(s, receive_job(s, OP_REPLY), 1);
	memset(m, 0, sizeof(*m));
	request(H, s->svc, r, 300, sizeof(*m));
	H->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m->it[0].t = port_type(MACH_MSG_TYPE_MAKE_SEND);
	m->it[0].p.name = x;
	m->it[1].t = port_type(MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m->it[1].p.name = y;
	m->it[2].t = port_type(MACH_MSG_TYPE_MOVE_RECEIVE);
	m->it[2].p.name = z;
	tap_expect(rpc(H, sizeof(*m), BUF_MAX, r, 0, 0), 0,
	           "%s: an RPC carrying a send, a send-once and a receive "
	           "right",
	           who);
	tap_ok(reply_ok(r, 300, 64), "%s: its reply comes back", who);
	(void)job_report(s, &res);
	for (int i = 0; i < 3; i++)
		got[i] = res.body[i * 4 + 2];
	tap_ok(res.mr == 0 &&
	           res.got.msgh_bits ==
	               (MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(SO, S)) &&
	           res.got.msgh_size == sizeof(*m),
	       "%s: the server got it complex, (PORT_SEND_ONCE, PORT_SEND) "
	       "(%#x)",
	       who, res.got.msgh_bits);
	tap_ok((res.body[0] & 0xff) == MACH_MSG_TYPE_PORT_SEND &&
	           (res.body[4] & 0xff) == MACH_MSG_TYPE_PORT_SEND_ONCE &&
	           (res.body[8] & 0xff) == MACH_MSG_TYPE_PORT_RECEIVE,
	       "%s: items say PORT_SEND, PORT_SEND_ONCE, PORT_RECEIVE", who);
	tap_ok(type_of(s->task, got[0]) & MACH_PORT_TYPE_SEND &&
	           type_of(s->task, got[1]) == MACH_PORT_TYPE_SEND_ONCE &&
	           type_of(s->task, got[2]) & MACH_PORT_TYPE_RECEIVE &&
	           got[0] != got[1] && got[1] != got[2] && got[0] != got[2],
	       "%s: the names it got hold SEND, SEND_ONCE, RECEIVE", who);
	tap_ok(refs_of(s->task, got[0], MACH_PORT_RIGHT_SEND) == 1 &&
	           refs_of(s->task, got[1], MACH_PORT_RIGHT_SEND_ONCE) == 1,
	       "%s: one uref each", who);
	if (s->task == T)
		tap_ok(got[0] == x &&
		           type_of(T, x) == MACH_PORT_TYPE_SEND_RECEIVE &&
		           got[1] != y && got[2] == z &&
		           type_of(T, z) == MACH_PORT_TYPE_SEND_RECEIVE,
		       "%s: the send right joins our receive name, the "
		       "receive right our send name, send-once: a new name",
		       who);
	else
		tap_ok(type_of(T, z) == MACH_PORT_TYPE_SEND &&
		           status(s->task, got[2]).mps_srights,
		       "%s: our name for the moved port keeps only its send "
		       "right, which the receiver's status counts",
		       who);
	st = status(T, x);
	tap_ok(st.mps_srights && st.mps_mscount == 1 &&
	           status(T, y).mps_sorights == 1,
	       "%s: the ports count the rights made (mscount %u, sorights "
	       "%u)",
	       who, st.mps_mscount, status(T, y).mps_sorights);
	if (s->task == T) {
		(void)mach_port_deallocate(T, got[1]);
	} else {
		(void)mach_port_destroy(s->task, got[0]);
		(void)mach_port_destroy(s->task, got[1]);
		(void)mach_port_destroy(s->task, got[2]);
	}
	(void)mach_port_destroy(T, r);
	(void)mach_port_destroy(T, x);
	(void)mach_port_destroy(T, y);
	(void)mach_port_destroy(T, z);
}

/* 2a: inline data of SIZE bytes both ways. */
static void check_size(struct server *s, mach_msg_size_t size)
{
	mach_port_t r = machr_new_receive();
	struct job_args a = receive_job(s, OP_REPLY);
	struct result res;
	mach_msg_return_t mr;
	uint32_t sum;

	a.reply_size = size;
	(void)job_start(s, a, 1);
	request(H, s->svc, r, 400, size);
	sum = body_sum(size);
	mr = rpc(H, size, BUF_MAX, r, 0, 0);
	(void)job_report(s, &res);
	tap_ok(mr == 0 && request_seen(s, &res, 400, size) && res.sum == sum,
	       "%u bytes inline to a waiting server arrive intact (%#x)", size,
	       mr);
	tap_ok(reply_ok(r, 400, size) && status(T, r).mps_msgcount == 0,
	       "and %u bytes come back intact", size);
	(void)mach_port_destroy(T, r);
}

/* One 4 KiB RPC to S, already waiting, id ID, from the request at M;
 * true when the server saw it intact and the reply came back intact. */
static int call_4k(struct server *s, mach_msg_header_t *m, mach_msg_id_t id,
                   mach_msg_return_t *mr, struct result *res)
{
	mach_port_t r = machr_new_receive();
	uint32_t sum;
	int ok;

	request(m, s->svc, r, id, 4096);
	sum = checksum(m + 1, 4096 - sizeof(*m));
	*mr = rpc(m, 4096, BUF_MAX, r, 0, 0);
	(void)job_report(s, res);
	ok = *mr == 0 && request_seen(s, res, id, 4096) && res->sum == sum &&
	     m->msgh_bits == MACH_MSGH_BITS(0, SO) && m->msgh_local_port == r &&
	     m->msgh_id == id + 100 && m->msgh_size == 4096 &&
	     pattern_ok(m, 4096, (unsigned)id);
	(void)mach_port_destroy(T, r);
	return ok;
}

/* call_4k of job A, started first. */
static int rpc_4k(struct server *s, struct job_args a, mach_msg_header_t *m,
                  mach_msg_id_t id, mach_msg_return_t *mr, struct result *res)
{
	a.reply_size = 4096;
	(void)job_start(s, a, 1);
	return call_4k(s, m, id, mr, res);
}

/*
 * 2c: a body large enough to go in one copy, from the client's buffer
 * straight into the buffer of the server waiting for it, and the cases
 * where it cannot: a server page never touched, or read-only, and a
 * request whose tail is not mapped (the receiver waits on).  Whichever way the
 * body goes, what arrives is the same.
 */
static void check_one_copy(struct server *s, const char *who)
{
	struct job_args a = receive_job(s, OP_REPLY);
	vm_address_t buf = 0, mine = 0;
	mach_port_t r;
	mach_msg_header_t *m;
	struct result res;
	mach_msg_return_t mr = 0;
	int ok;

	/* The first may find the server's pages still shared copy-on-write
	 * with ours (task_create) or absent; the second finds them. */
	for (int i = 0; i < 2; i++) {
		ok = rpc_4k(s, a, H, 500 + i, &mr, &res);
		tap_ok(
		    ok,
		    "%s: 4 KiB to a waiting server, %s time: intact both ways "
		    "(%#x)",
		    who, i ? "a second" : "the first", mr);
	}

	/* Into fresh memory, from the middle of its first page: the
	 * server's acknowledgement touches that page, not the next. */
	tap_ok(vm_allocate(s->task, &buf, 3 * 4096, TRUE) == KERN_SUCCESS,
	       "%s: three pages for the server's buffer", who);
	a.rcv_buf = buf + 2048;
	a.rcv_size = 2 * 4096;
	ok = rpc_4k(s, a, H, 510, &mr, &res);
	tap_ok(ok, "%s: into an untouched server page: intact both ways (%#x)",
	       who, mr);
	/* Into a read-only page: the server's receive fails there, its
	 * header and rights delivered, and it can still answer. */
	a.op = OP_REPLY_ANY;
	ok = vm_protect(s->task, buf + 4096, 4096, FALSE, VM_PROT_READ) ==
	     KERN_SUCCESS;
	(void)rpc_4k(s, a, H, 520, &mr, &res);
	tap_ok(ok && res.mr == MACH_RCV_INVALID_DATA &&
	           res.got.msgh_id == 520 && res.got.msgh_size == 4096 &&
	           res.got.msgh_bits == MACH_MSGH_BITS(SO, S),
	       "%s: into a read-only server page: MACH_RCV_INVALID_DATA "
	       "there (%#x), the header and its rights delivered",
	       who, res.mr);
	tap_ok(mr == 0 && H->msgh_id == 620 && pattern_ok(H, 4096, 520),
	       "%s: and its answer through that reply right (%#x)", who, mr);
	(void)vm_deallocate(s->task, buf, 3 * 4096);

	/* A thread server receiving into our own request buffer, 64
	 * bytes on: the bytes it gets are those we sent. */
	if (s->task == T) {
		a = receive_job(s, OP_REPLY);
		a.rcv_buf = (uint64_t)(uintptr_t)(cbuf.bytes + 64);
		a.rcv_size = 8192;
		ok = rpc_4k(s, a, H, 525, &mr, &res);
		tap_ok(ok,
		       "%s: into our own request's buffer, 64 bytes on: "
		       "intact both ways (%#x)",
		       who, mr);
	}

	/* A request whose last bytes lie on an unmapped page. */
	a = receive_job(s, OP_REPLY);
	a.reply_size = 4096;
	(void)job_start(s, a, 1);
	if (vm_allocate(T, &mine, 2 * 4096, TRUE) == KERN_SUCCESS)
		(void)vm_deallocate(T, mine + 4096, 4096);
	m = (mach_msg_header_t *)(mine + 2048);
	r = machr_new_receive();
	if (mine != 0)
		request(m, s->svc, r, 530, 2048);
	mr = mine != 0 ? rpc(m, 4096, 4096, r, 0, 0) : KERN_FAILURE;
	(void)mach_port_destroy(T, r);
	tap_expect(mr, MACH_SEND_INVALID_DATA,
	           "%s: a request running onto an unmapped page", who);
	tap_ok(status(s->task, s->svc_in).mps_msgcount == 0,
	       "%s: nothing reached the server's port", who);
	(void)vm_deallocate(T, mine, 4096);
	ok = call_4k(s, H, 540, &mr, &res);
	tap_ok(ok,
	       "%s: the server still waiting takes the next one intact (%#x)",
	       who, mr);
}

/* 2b: a waiting server whose rcv_size is too small. */
static void check_too_large(struct server *s)
{
	mach_port_t r = machr_new_receive();
	mach_port_status_t before = status(T, s->svc_in);
	struct job_args a = receive_job(s, OP_NONE);
	struct result res;
	mach_msg_return_t mr;

	a.rcv_size = 64;
	(void)job_start(s, a, 1);
	request(H, s->svc, r, 500, 4096);
	mr = rpc(H, 4096, BUF_MAX, r, 0, 0);
	(void)job_report(s, &res);
	tap_ok(res.mr == MACH_RCV_TOO_LARGE,
	       "a 4096-byte request to a server receiving 64 bytes: "
	       "MACH_RCV_TOO_LARGE there (%#x)",
	       res.mr);
	/* GNU Mach: the header keeps the request's bits, but the reply
	 * right went with the message. */
	tap_ok(res.got.msgh_bits == MACH_MSGH_BITS(SO, S) &&
	           res.got.msgh_local_port == s->svc_in &&
	           res.got.msgh_remote_port == MACH_PORT_NULL &&
	           res.got.msgh_size == 4096 && res.got.msgh_id == 500,
	       "it gets the header: bits (PORT_SEND_ONCE, PORT_SEND), its "
	       "port, size 4096, no reply name (%#x, %u)",
	       res.got.msgh_bits, res.got.msgh_remote_port);
	tap_ok(mr == 0 && H->msgh_id == MACH_NOTIFY_SEND_ONCE &&
	           H->msgh_size == sizeof(*H) &&
	           H->msgh_bits == MACH_MSGH_BITS(0, SO) &&
	           H->msgh_local_port == r,
	       "the destroyed request's reply right sends us a send-once "
	       "notification (%#x, id %d)",
	       mr, H->msgh_id);
	tap_ok(status(T, s->svc_in).mps_msgcount == 0 &&
	           status(T, s->svc_in).mps_seqno == before.mps_seqno + 1 &&
	           status(T, r).mps_sorights == 0,
	       "the request is gone and counted; no send-once right left");

	a.rcv_opt = MACH_RCV_LARGE;
	a.retry = 1;
	a.op = OP_REPLY;
	before = status(T, s->svc_in);
	(void)job_start(s, a, 1);
	request(H, s->svc, r, 501, 4096);
	mr = rpc(H, 4096, BUF_MAX, r, 0, 0);
	(void)job_report(s, &res);
	tap_ok(res.first_mr == MACH_RCV_TOO_LARGE && res.first_size == 4096 &&
	           res.first_count == 1,
	       "with MACH_RCV_LARGE: the size (%u) is reported and the "
	       "request stays queued (%u)",
	       res.first_size, res.first_count);
	tap_ok(request_seen(s, &res, 501, 4096) &&
	           res.got.msgh_seqno == before.mps_seqno && mr == 0 &&
	           reply_ok(r, 501, 64),
	       "received again in full (seqno %u), the RPC completes",
	       res.got.msgh_seqno);
	(void)mach_port_destroy(T, r);
}

/* 3: a full queue. */
static void check_full_queue(struct server *s)
{
	mach_port_t r = machr_new_receive();
	mach_port_urefs_t urefs = refs_of(T, s->svc, MACH_PORT_RIGHT_SEND);
	mach_port_status_t before;
	struct bg_call c;
	struct machr_word_msg w;
	struct result res;
	mach_msg_return_t mr;

	(void)mach_port_set_qlimit(T, s->svc_in, 1);
	tap_expect(machr_send_word(s->svc, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, 0,
	                           MACH_SEND_TIMEOUT, 0),
	           0, "qlimit 1: one message fills the queue");
	before = status(T, s->svc_in);
	request(H, s->svc, r, 600, 64);
	tap_expect(rpc(H, 64, BUF_MAX, r, MACH_SEND_TIMEOUT, 0),
	           MACH_SEND_TIMED_OUT,
	           "SEND|RCV with MACH_SEND_TIMEOUT 0 on the full queue");
	tap_ok(status(T, r).mps_msgcount == 0 &&
	           status(T, s->svc_in).mps_msgcount == 1,
	       "nothing queued on either port");
	tap_ok(status(T, r).mps_sorights == 1 &&
	           H->msgh_bits == MACH_MSGH_BITS(S, SO) &&
	           H->msgh_remote_port == s->svc &&
	           type_of(T, H->msgh_local_port) == MACH_PORT_TYPE_SEND_ONCE,
	       "the message comes back to us with its rights: a send-once "
	       "right to the reply port (bits %#x, sorights %u)",
	       H->msgh_bits, status(T, r).mps_sorights);
	/* GNU Mach: the refused message is received back ("pseudo
	 * receive"), the destination's copied send right included. */
	tap_ok(refs_of(T, s->svc, MACH_PORT_RIGHT_SEND) == urefs + 1,
	       "and a second uref of the destination's send right (%u)",
	       refs_of(T, s->svc, MACH_PORT_RIGHT_SEND));
	(void)mach_port_deallocate(T, s->svc);
	(void)mach_port_deallocate(T, H->msgh_local_port);
	(void)machr_recv_word(r, &w, MACH_RCV_TIMEOUT, 0);

	/* A blocked sender, and a server that makes room. */
	tap_ok(bg_start(&c, s->svc, r, r, 601) &&
	           status(T, s->svc_in).mps_msgcount == 1,
	       "an RPC blocks in its send on the full queue");
	(void)job_start(s, receive_job(s, OP_NONE), 0);
	(void)job_report(s, &res);
	tap_ok(res.mr == 0 && res.got.msgh_id == 1 &&
	           res.got.msgh_seqno == before.mps_seqno,
	       "the server takes the first message (seqno %u)",
	       res.got.msgh_seqno);
	tap_ok(machr_thread_wait_blocked(c.thread) &&
	           status(T, s->svc_in).mps_msgcount == 1,
	       "the blocked request is queued in its place");
	(void)job_start(s, receive_job(s, OP_REPLY), 0);
	(void)job_report(s, &res);
	mr = bg_finish(&c);
	tap_ok(request_seen(s, &res, 601, 64) &&
	           res.got.msgh_seqno == before.mps_seqno + 1,
	       "the server gets it next (seqno %u)", res.got.msgh_seqno);
	tap_ok(mr == 0 && c.buf->msgh_id == 701 &&
	           c.buf->msgh_bits == MACH_MSGH_BITS(0, SO),
	       "and the caller its reply (%#x)", mr);

	/* Send-once destinations ignore the limit. */
	(void)machr_send_word(s->svc, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1, 0,
	                      MACH_SEND_TIMEOUT, 0);
	machr_msg_header(H, s->svc, MACH_MSG_TYPE_MAKE_SEND_ONCE, r,
	                 MACH_MSG_TYPE_MAKE_SEND_ONCE, 64);
	H->msgh_id = 602;
	tap_expect(
	    rpc(H, 64, BUF_MAX, r, MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT, 0),
	    MACH_RCV_TIMED_OUT,
	    "SEND|RCV to a send-once right of the full port: the send "
	    "passes, the receive times out");
	tap_ok(status(T, s->svc_in).mps_msgcount == 2 &&
	           status(T, s->svc_in).mps_sorights == 1 &&
	           status(T, r).mps_sorights == 1,
	       "two queued past qlimit 1 (%u), the queued one holding a "
	       "send-once right to it",
	       status(T, s->svc_in).mps_msgcount);
	for (int i = 0; i < 2; i++)
		(void)mach_msg(H, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, BUF_MAX,
		               s->svc_in, 0, MACH_PORT_NULL);
	(void)mach_port_deallocate(T, H->msgh_remote_port);
	(void)machr_recv_word(r, &w, MACH_RCV_TIMEOUT, 0);
	(void)mach_port_set_qlimit(T, s->svc_in, MACH_PORT_QLIMIT_DEFAULT);

	/* A reply passes a full reply port. */
	(void)mach_port_set_qlimit(T, r, 1);
	(void)machr_send_word(r, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 1, 0,
	                      MACH_SEND_TIMEOUT, 0);
	request(H, s->svc, r, 603, 64);
	(void)mach_msg(H, MACH_SEND_MSG | MACH_SEND_TIMEOUT, 64, 0,
	               MACH_PORT_NULL, 0, MACH_PORT_NULL);
	(void)job_start(s, receive_job(s, OP_REPLY), 0);
	(void)job_report(s, &res);
	tap_ok(res.act == 0 && status(T, r).mps_msgcount == 2,
	       "the server's reply passes our full reply port (%#x, %u)",
	       res.act, status(T, r).mps_msgcount);
	(void)mach_port_destroy(T, r);
}

/* 4: no receiver waiting. */
static void check_not_waiting(struct server *s)
{
	mach_port_t r = machr_new_receive();
	mach_port_status_t before = status(T, s->svc_in);
	struct bg_call c;
	struct result res;
	mach_msg_return_t mr;

	request(H, s->svc, r, 800, 64);
	tap_expect(mach_msg(H, MACH_SEND_MSG | MACH_SEND_TIMEOUT, 64, 0,
	                    MACH_PORT_NULL, 0, MACH_PORT_NULL),
	           0, "a request while no server waits");
	tap_ok(status(T, s->svc_in).mps_msgcount == 1 &&
	           status(T, s->svc_in).mps_seqno == before.mps_seqno &&
	           status(T, r).mps_sorights == 1,
	       "is queued, no seqno taken yet, one send-once right made");
	(void)job_start(s, receive_job(s, OP_REPLY), 0);
	(void)job_report(s, &res);
	tap_ok(request_seen(s, &res, 800, 64) &&
	           res.got.msgh_seqno == before.mps_seqno &&
	           status(T, s->svc_in).mps_msgcount == 0,
	       "the server receives it later (seqno %u)", res.got.msgh_seqno);
	tap_ok(status(T, r).mps_msgcount == 1,
	       "its reply waits on our reply port");
	tap_ok(mach_msg(H, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, BUF_MAX, r, 0,
	                MACH_PORT_NULL) == 0 &&
	           reply_ok(r, 800, 64),
	       "and arrives");

	tap_ok(bg_start(&c, s->svc, r, r, 801) &&
	           status(T, s->svc_in).mps_msgcount == 1,
	       "SEND|RCV while no server waits: queued, the caller waits");
	(void)job_start(s, receive_job(s, OP_REPLY), 0);
	(void)job_report(s, &res);
	mr = bg_finish(&c);
	tap_ok(mr == 0 && request_seen(s, &res, 801, 64) &&
	           res.got.msgh_seqno == before.mps_seqno + 1 &&
	           c.buf->msgh_id == 901 && c.buf->msgh_seqno == 1,
	       "the server takes it (seqno %u), the caller gets its reply "
	       "(%#x)",
	       res.got.msgh_seqno, mr);
	(void)mach_port_destroy(T, r);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;
	static struct srv_names local_names;
	struct server loc, child;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("ipc-fastpath: no console\n");
	tap_plan(171);
	wd_start();
	server_local(&loc, &local_names);
	server_child(&child);
	check_plain(&loc, "thread");
	check_plain(&child, "task");
	check_body_rights(&loc, "thread");
	check_body_rights(&child, "task");
	check_dispositions(&loc);
	check_out_of_line(&loc);
	check_complex_data_only(&loc);
	check_one_copy(&loc, "thread");
	check_one_copy(&child, "task");
	check_size(&loc, 4096);
	check_size(&loc, 8192);
	check_size(&loc, 65536);
	check_size(&loc, 256 * 1024);
	check_too_large(&loc);
	check_full_queue(&loc);
	check_not_waiting(&loc);
	check_dead_dest();
	check_server_dies();
	check_reply_dropped(&loc);
	check_reply_port_gone(&loc);
	check_port_set(&loc);
	check_timeouts(&loc);
	check_other_reply_port(&loc);
	check_self();
	check_self_queue();
	check_self_sizes();
	check_payload(&loc);
	check_kernel_port();
	check_small_reply_buffer(&loc);
	check_suspended_server(&loc, "thread");
	check_suspended_server(&child, "task");
	check_plain(&loc, "thread, at the end");
	server_end(&child);
	server_end(&loc);
	wd_end();
	tap_finish(host_priv);
	return 0;
}
