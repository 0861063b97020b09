/*
 * bench/ipc.c — the IPC metrics: a message to oneself, and RPCs to a
 * server thread in this task and in a second task (null, 4 KiB inline,
 * 1 MiB out of line).  The server counts what it receives and every
 * error; after each metric the client asks for those counters and checks
 * them against what it sent, so a figure never hides failing calls.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "machbench.h"

#define T machr_task

#define SERVER_NAME 0x2000 /* the task server's receive right, in its task */

/* Request ids; a reply's id is the request's + 100 (MIG's habit). */
enum {
	ID_NULL = 4000,
	ID_INLINE4K,
	ID_OOL1M,
	ID_STATS, /* reply carries struct bench_server_stats */
	ID_QUIT,  /* reply, then the server thread ends */
};

#define INLINE_BYTES 4096

/*
 * Every request and reply of the benchmark RPCs.
 * Owned by: the thread whose stack holds it (client or server).
 */
struct rpc_msg {
	mach_msg_header_t h;
	mach_msg_type_t t;
	union {
		char data[INLINE_BYTES];         /* ID_INLINE4K */
		void *addr;                      /* ID_OOL1M */
		struct bench_server_stats stats; /* reply to ID_STATS */
	};
	char slack[64]; /* room for anything a kernel appends */
};

#define SIZE_NULL ((mach_msg_size_t)sizeof(mach_msg_header_t))
#define SIZE_INLINE                                                            \
	((mach_msg_size_t)(offsetof(struct rpc_msg, data) + INLINE_BYTES))
#define SIZE_OOL                                                               \
	((mach_msg_size_t)(offsetof(struct rpc_msg, addr) + sizeof(void *)))
#define SIZE_STATS                                                             \
	((mach_msg_size_t)(offsetof(struct rpc_msg, stats) +                   \
	                   sizeof(struct bench_server_stats)))

/* Check one request, count it in S and turn M into its reply; returns
 * the reply's size, or 0 when the request deserves none. */
static mach_msg_size_t serve(struct rpc_msg *m, struct bench_server_stats *s)
{
	mach_msg_size_t size = m->h.msgh_size, reply = SIZE_NULL;
	int good;

	switch (m->h.msgh_id) {
	case ID_NULL:
	case ID_QUIT:
		good = size == SIZE_NULL;
		break;
	case ID_INLINE4K:
		good = size == SIZE_INLINE && m->t.msgt_inline &&
		       m->t.msgt_name == MACH_MSG_TYPE_BYTE &&
		       m->t.msgt_number == INLINE_BYTES;
		s->inline_bytes += good ? INLINE_BYTES : 0;
		break;
	case ID_OOL1M:
		good = size == SIZE_OOL && !m->t.msgt_inline &&
		       m->t.msgt_number == MIB && m->addr != NULL;
		if (good) {
			kern_return_t kr =
			    vm_deallocate(T, (vm_address_t)m->addr, MIB);

			if (kr != KERN_SUCCESS) {
				s->last_error = kr;
				good = 0;
			}
			s->ool_bytes += MIB;
		}
		break;
	case ID_STATS:
		good = size == SIZE_NULL;
		m->t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_INTEGER_64,
		                         .msgt_size = 64,
		                         .msgt_number = sizeof(*s) / 8,
		                         .msgt_inline = 1};
		m->stats = *s;
		m->stats.errors += !good;
		reply = SIZE_STATS;
		break;
	default:
		good = 0;
	}
	if (m->h.msgh_id != ID_STATS)
		s->requests++;
	if (!good)
		s->errors++;
	if (m->h.msgh_remote_port == MACH_PORT_NULL) {
		s->errors++;
		return 0;
	}
	m->h.msgh_bits =
	    MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(m->h.msgh_bits), 0);
	m->h.msgh_size = reply;
	m->h.msgh_local_port = MACH_PORT_NULL;
	m->h.msgh_id += 100;
	return reply;
}

/*
 * The RPC server: ARG is the name of its receive right in its own
 * space.  It replies and receives the next request in one mach_msg, and
 * ends after answering ID_QUIT (the task server is terminated instead).
 * It never prints: in another task our console port is not its name.
 */
static void rpc_server(void *arg)
{
	mach_port_t port = (mach_port_t)(uintptr_t)arg;
	struct bench_server_stats s;
	struct rpc_msg m;
	mach_msg_size_t reply = 0;

	memset(&s, 0, sizeof s);
	for (;;) {
		mach_msg_return_t mr =
		    mach_msg(&m.h, (reply ? MACH_SEND_MSG : 0) | MACH_RCV_MSG,
		             reply, sizeof m, port, 0, MACH_PORT_NULL);

		if (mr != MACH_MSG_SUCCESS) {
			s.errors++;
			s.last_error = mr;
			reply = 0;
			continue;
		}
		reply = serve(&m, &s);
		if (m.h.msgh_id == ID_QUIT + 100) {
			(void)mach_msg(&m.h, MACH_SEND_MSG, reply, 0,
			               MACH_PORT_NULL, 0, MACH_PORT_NULL);
			return;
		}
	}
}

/* One request of C's kind (or ID) in M, as the client sends it. */
static mach_msg_size_t request(struct bench_client *c, struct rpc_msg *m,
                               mach_msg_id_t id)
{
	m->h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND,
	                                MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m->h.msgh_remote_port = c->server;
	m->h.msgh_local_port = c->reply;
	m->h.msgh_id = id;
	switch (id) {
	case ID_INLINE4K:
		m->h.msgh_size = SIZE_INLINE;
		m->t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_BYTE,
		                         .msgt_size = 8,
		                         .msgt_number = INLINE_BYTES,
		                         .msgt_inline = 1};
		break;
	case ID_OOL1M:
		m->h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
		m->h.msgh_size = SIZE_OOL;
		m->t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_BYTE,
		                         .msgt_size = 8,
		                         .msgt_number = MIB,
		                         .msgt_inline = 0,
		                         .msgt_deallocate = 0};
		m->addr = c->ool;
		break;
	default:
		m->h.msgh_size = SIZE_NULL;
	}
	return m->h.msgh_size;
}

unsigned bench_rpc_op(void *ctx, unsigned n)
{
	static const mach_msg_id_t ids[] = {ID_NULL, ID_INLINE4K, ID_OOL1M};
	static const uint64_t bytes[] = {0, INLINE_BYTES, MIB};
	struct bench_client *c = ctx;
	mach_msg_id_t id = ids[c->kind];
	struct rpc_msg m;
	unsigned bad = 0;

	for (unsigned i = 0; i < n; i++) {
		mach_msg_size_t size = request(c, &m, id);
		mach_msg_return_t mr =
		    mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, size, sizeof m,
		             c->reply, 0, MACH_PORT_NULL);

		if (mr != MACH_MSG_SUCCESS || m.h.msgh_id != id + 100 ||
		    m.h.msgh_size != SIZE_NULL) {
			bad++;
			c->last = mr;
		}
	}
	c->calls += n;
	c->bytes += n * bytes[c->kind];
	return bad;
}

mach_msg_return_t bench_server_stats(struct bench_client *c,
                                     struct bench_server_stats *s)
{
	struct rpc_msg m;
	mach_msg_return_t mr;

	mr = mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG,
	              request(c, &m, ID_STATS), sizeof m, c->reply, 0,
	              MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	if (m.h.msgh_id != ID_STATS + 100 || m.h.msgh_size != SIZE_STATS)
		return MACH_RCV_INVALID_DATA;
	*s = m.stats;
	return MACH_MSG_SUCCESS;
}

void bench_check_server(struct bench_client *c, const char *name)
{
	struct bench_server_stats s;
	mach_msg_return_t mr = bench_server_stats(c, &s);

	bench_check(mr == MACH_MSG_SUCCESS, name, "asking the server: %#x (%s)",
	            mr, bench_kr_name(mr));
	bench_check(c->last == MACH_MSG_SUCCESS && s.errors == 0 &&
	                s.requests == c->calls &&
	                s.inline_bytes + s.ool_bytes == c->bytes,
	            name,
	            "client: %lu calls, %lu bytes, last error %#x; server: "
	            "%lu requests, %lu bytes, %lu errors, last %#lx",
	            (unsigned long)c->calls, (unsigned long)c->bytes, c->last,
	            (unsigned long)s.requests,
	            (unsigned long)(s.inline_bytes + s.ool_bytes),
	            (unsigned long)s.errors, (unsigned long)s.last_error);
}

/* ipc_self_send_recv: a header-only message to a port we receive on. */
static unsigned op_self(void *ctx, unsigned n)
{
	mach_port_t port = *(mach_port_t *)ctx;
	struct rpc_msg m;
	unsigned bad = 0;

	for (unsigned i = 0; i < n; i++) {
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
		m.h.msgh_size = SIZE_NULL;
		m.h.msgh_remote_port = port;
		m.h.msgh_local_port = MACH_PORT_NULL;
		m.h.msgh_id = ID_NULL;
		bad += mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG, SIZE_NULL,
		                sizeof m, port, 0,
		                MACH_PORT_NULL) != MACH_MSG_SUCCESS ||
		       m.h.msgh_id != ID_NULL || m.h.msgh_size != SIZE_NULL ||
		       m.h.msgh_local_port != port;
	}
	return bad;
}

static void self_send_recv(void)
{
	mach_port_t port;
	struct bench_result r;
	unsigned bad;
	kern_return_t kr;

	if (!bench_selected("ipc_self_send_recv"))
		return;
	port = machr_new_receive();
	bench_check(port != MACH_PORT_NULL, "ipc_self_send_recv",
	            "mach_port_allocate failed");
	bad = bench_batches(op_self, &port, bench_ops(1000),
	                    bench_batch_count(BATCHES_DEFAULT), &r);
	bench_check(bad == 0, "ipc_self_send_recv", "%u calls failed", bad);
	bench_report("ipc_self_send_recv", &r);
	kr = mach_port_mod_refs(T, port, MACH_PORT_RIGHT_RECEIVE, -1);
	bench_check(kr == KERN_SUCCESS, "ipc_self_send_recv cleanup",
	            "mach_port_mod_refs: %#x", kr);
}

/* The three RPC metrics PREFIX_{null,inline4k,ool1m} through C. */
static void rpc_metrics(const char *prefix, struct bench_client *c)
{
	static const struct {
		const char *suffix;
		enum bench_rpc_kind kind;
		unsigned ops, batches;
	} kinds[] = {
	    {"null", RPC_NULL, 400, BATCHES_DEFAULT},
	    {"inline4k", RPC_INLINE4K, 200, BATCHES_DEFAULT},
	    {"ool1m", RPC_OOL1M, 40, BATCHES_1MIB},
	};

	for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		struct bench_result r;
		char name[64];
		unsigned bad;

		snprintf(name, sizeof name, "%s_%s", prefix, kinds[k].suffix);
		if (!bench_selected(name))
			continue;
		c->kind = kinds[k].kind;
		bad = bench_batches(bench_rpc_op, c, bench_ops(kinds[k].ops),
		                    bench_batch_count(kinds[k].batches), &r);
		bench_check(bad == 0, name, "%u calls failed, last %#x (%s)",
		            bad, c->last, bench_kr_name(c->last));
		bench_check_server(c, name);
		bench_report(name, &r);
	}
	c->kind = RPC_NULL;
}

/* A client of server port SVC with a fresh reply port and a resident
 * 1 MiB buffer (shared by every client: the server never writes it). */
static void client_init(struct bench_client *c, mach_port_t svc,
                        const char *name)
{
	static vm_address_t ool;
	kern_return_t kr = KERN_SUCCESS;

	if (ool == 0) {
		kr = vm_allocate(T, &ool, MIB, TRUE);
		if (kr == KERN_SUCCESS)
			memset((void *)ool, 0x5a, MIB);
	}
	bench_check(kr == KERN_SUCCESS, name, "vm_allocate of 1 MiB: %#x", kr);
	memset(c, 0, sizeof *c);
	c->server = svc;
	c->reply = machr_new_receive();
	c->ool = (void *)ool;
	bench_check(c->reply != MACH_PORT_NULL, name,
	            "no reply port (mach_port_allocate)");
}

static void thread_rpcs(void)
{
	struct bench_client c;
	struct rpc_msg m;
	mach_port_t svc = machr_new_receive(), th = MACH_PORT_NULL;
	kern_return_t kr;

	bench_check(svc != MACH_PORT_NULL, "ipc_rpc_thread",
	            "no server port (mach_port_allocate)");
	kr = mach_port_insert_right(T, svc, svc, MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = machr_thread_create(rpc_server, (void *)(uintptr_t)svc,
		                         &th);
	bench_check(kr == KERN_SUCCESS, "ipc_rpc_thread",
	            "starting the server thread: %#x", kr);
	client_init(&c, svc, "ipc_rpc_thread");
	rpc_metrics("ipc_rpc_thread", &c);

	kr = mach_msg(&m.h, MACH_SEND_MSG | MACH_RCV_MSG,
	              request(&c, &m, ID_QUIT), sizeof m, c.reply, 0,
	              MACH_PORT_NULL);
	bench_check(kr == MACH_MSG_SUCCESS && m.h.msgh_id == ID_QUIT + 100,
	            "ipc_rpc_thread quit", "the server's last reply: %#x", kr);
	(void)mach_port_deallocate(T, th);
	kr = mach_port_mod_refs(T, svc, MACH_PORT_RIGHT_RECEIVE, -1);
	if (kr == KERN_SUCCESS)
		kr =
		    mach_port_mod_refs(T, c.reply, MACH_PORT_RIGHT_RECEIVE, -1);
	bench_check(kr == KERN_SUCCESS, "ipc_rpc_thread cleanup",
	            "mach_port_mod_refs: %#x", kr);
}

static void task_rpcs(void)
{
	struct bench_client c;
	mach_port_t svc = machr_new_receive(), child = MACH_PORT_NULL;
	mach_port_t th = MACH_PORT_NULL;
	kern_return_t kr;

	/* Our name keeps only the send right: the receive right moves to
	 * the server's task. */
	bench_check(svc != MACH_PORT_NULL, "ipc_rpc_task",
	            "no server port (mach_port_allocate)");
	kr = mach_port_insert_right(T, svc, svc, MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = task_create(T, TRUE, &child);
	if (kr == KERN_SUCCESS)
		kr = mach_port_insert_right(child, SERVER_NAME, svc,
		                            MACH_MSG_TYPE_MOVE_RECEIVE);
	if (kr == KERN_SUCCESS)
		kr = machr_task_thread_start(
		    child, rpc_server, (void *)(uintptr_t)SERVER_NAME, &th);
	bench_check(kr == KERN_SUCCESS, "ipc_rpc_task",
	            "starting the server task: %#x", kr);
	client_init(&c, svc, "ipc_rpc_task");
	rpc_metrics("ipc_rpc_task", &c);

	bench_scaling(&c);

	kr = task_terminate(child);
	bench_check(kr == KERN_SUCCESS, "ipc_rpc_task cleanup",
	            "task_terminate: %#x", kr);
	(void)mach_port_deallocate(T, th);
	(void)mach_port_deallocate(T, child);
	(void)mach_port_deallocate(T, svc);
	(void)mach_port_mod_refs(T, c.reply, MACH_PORT_RIGHT_RECEIVE, -1);
}

void bench_ipc(void)
{
	self_send_recv();
	thread_rpcs();
	task_rpcs();
}
