/*
 * bench/ipc_host_bench.c — the message layer's cost on the host
 * (`make bench-host`): the core (kernel/kern, kernel/ipc,
 * kernel/arch/host) built with -O2 and no sanitizers, timed with
 * CLOCK_MONOTONIC.  Host pthreads are threads; blocking is a condition
 * variable, so the RPC figure includes two futex wake-ups per round trip
 * and says more about the host than about the kernel.  Figures are
 * medians of 21 batches (min and max beside), in ns per operation:
 *   ipc_self_send_recv    one mach_msg(SEND|RCV) of a header-only
 *                         message to a port the same thread receives on
 *   ipc_send_then_recv    the same as two calls (a send, then a receive)
 *   ipc_rpc_thread_null   a null RPC to a server thread: client
 *                         SEND|RCV with COPY_SEND and a MAKE_SEND_ONCE
 *                         reply; the server replies and receives the next
 *                         request in one call
 *   ipc_rpc_thread_inline4k  the same with 4 KiB of inline data
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipc/msg.h"
#include "ipc/port_interface.h"
#include "ipc/right.h"
#include "ipc/space.h"
#include "kern/memmap.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "machine/host_thread.h"
#include "machine/memlayout.h"

#define BATCHES 21
#define MEM     (64UL << 20)

struct msg {
	mach_msg_header_t h;
	mach_msg_type_t t;
	char data[4096];
};

static struct space *client, *server;
static mach_port_name_t server_port, to_server, reply_port;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, double v[BATCHES])
{
	qsort(v, BATCHES, sizeof(v[0]), cmp);
	printf("bench host %s %.0f ns (min %.0f, max %.0f)\n", name,
	       v[BATCHES / 2], v[0], v[BATCHES - 1]);
	fflush(stdout);
}

static void check(mach_msg_return_t mr, const char *what)
{
	if (mr != MACH_MSG_SUCCESS) {
		fprintf(stderr, "ipc_host_bench: %s: %#x\n", what, mr);
		exit(1);
	}
}

static void bench_self(unsigned n)
{
	mach_port_name_t p = MACH_PORT_NULL;
	struct msg m;
	double v[BATCHES], w[BATCHES];

	check(mach_port_allocate(client, MACH_PORT_RIGHT_RECEIVE, &p), "port");
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = now_ns();

		for (unsigned i = 0; i < n; i++) {
			m.h.msgh_bits =
			    MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
			m.h.msgh_remote_port = p;
			m.h.msgh_local_port = MACH_PORT_NULL;
			m.h.msgh_id = 1;
			check(ipc_mach_msg(client, (uint64_t)(uintptr_t)&m,
			                   MACH_SEND_MSG | MACH_RCV_MSG,
			                   sizeof(m.h), sizeof(m), p, 0, 0),
			      "self send/receive");
		}
		v[b] = (double)(now_ns() - t0) / n;
		t0 = now_ns();
		for (unsigned i = 0; i < n; i++) {
			m.h.msgh_bits =
			    MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
			m.h.msgh_remote_port = p;
			m.h.msgh_local_port = MACH_PORT_NULL;
			check(ipc_mach_msg(client, (uint64_t)(uintptr_t)&m,
			                   MACH_SEND_MSG, sizeof(m.h), 0, 0, 0,
			                   0),
			      "send");
			check(ipc_mach_msg(client, (uint64_t)(uintptr_t)&m,
			                   MACH_RCV_MSG, 0, sizeof(m), p, 0, 0),
			      "receive");
		}
		w[b] = (double)(now_ns() - t0) / n;
	}
	report("ipc_self_send_recv", v);
	report("ipc_send_then_recv", w);
	check(mach_port_destroy(client, p), "destroy");
}

static size_t request_size;

#define ID_REQUEST 500 /* a request; ID_LAST: the last one */
#define ID_LAST    501

static void *server_main(void *arg)
{
	struct msg m;
	mach_msg_return_t mr;

	(void)arg;
	host_thread_attach();
	mr = ipc_mach_msg(server, (uint64_t)(uintptr_t)&m, MACH_RCV_MSG, 0,
	                  sizeof(m), server_port, 0, 0);
	while (mr == MACH_MSG_SUCCESS) {
		bool last = m.h.msgh_id == ID_LAST;

		if (m.h.msgh_size != request_size)
			check(1, "request size");
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
		m.h.msgh_local_port = MACH_PORT_NULL;
		m.h.msgh_id += 100;
		m.h.msgh_size = sizeof(m.h);
		/* Reply, and (but after the last) wait for the next one. */
		mr = ipc_mach_msg(server, (uint64_t)(uintptr_t)&m,
		                  last ? MACH_SEND_MSG
		                       : MACH_SEND_MSG | MACH_RCV_MSG,
		                  sizeof(m.h), sizeof(m), server_port, 0, 0);
		if (last)
			break;
	}
	check(mr, "server");
	host_thread_detach();
	return NULL;
}

static void bench_rpc(const char *name, unsigned n, size_t inline_bytes)
{
	pthread_t tid;
	struct msg m;
	double v[BATCHES];

	request_size = sizeof(m.h) + (inline_bytes ? 8 + inline_bytes : 0);
	pthread_create(&tid, NULL, server_main, NULL);
	memset(&m, 0, sizeof(m));
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = now_ns();

		for (unsigned i = 0; i < n; i++) {
			m.h.msgh_bits =
			    MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND,
			                   MACH_MSG_TYPE_MAKE_SEND_ONCE);
			m.h.msgh_remote_port = to_server;
			m.h.msgh_local_port = reply_port;
			m.h.msgh_id = ID_REQUEST;
			if (inline_bytes) {
				memset(&m.t, 0, sizeof(m.t));
				m.t.msgt_name = MACH_MSG_TYPE_BYTE;
				m.t.msgt_size = 8;
				m.t.msgt_number = (unsigned)inline_bytes;
				m.t.msgt_inline = 1;
			}
			check(ipc_mach_msg(client, (uint64_t)(uintptr_t)&m,
			                   MACH_SEND_MSG | MACH_RCV_MSG,
			                   (mach_msg_size_t)request_size,
			                   sizeof(m), reply_port, 0, 0),
			      "rpc");
			if (m.h.msgh_id != ID_REQUEST + 100)
				check(1, "reply id");
		}
		v[b] = (double)(now_ns() - t0) / n;
	}
	report(name, v);
	/* One last request tells the server to stop after replying. */
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND,
	                               MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m.h.msgh_remote_port = to_server;
	m.h.msgh_local_port = reply_port;
	m.h.msgh_id = ID_LAST;
	check(ipc_mach_msg(
	          client, (uint64_t)(uintptr_t)&m, MACH_SEND_MSG | MACH_RCV_MSG,
	          (mach_msg_size_t)request_size, sizeof(m), reply_port, 0, 0),
	      "last rpc");
	pthread_join(tid, NULL);
}

int main(void)
{
	static struct memmap map;
	char *mem = aligned_alloc(4UL << 20, MEM);
	struct ipc_object *o;
	mach_msg_type_name_t t;

	if (mem == NULL)
		return 1;
	page_alloc_reset_for_tests();
	slab_reset_for_tests();
	memmap_init(&map);
	memmap_add(&map, virt_to_phys(mem), MEM, MEMMAP_USABLE);
	memmap_finish(&map);
	page_alloc_init(&map);
	ipc_rights_init();
	if (space_create(&client) != KERN_SUCCESS ||
	    space_create(&server) != KERN_SUCCESS)
		return 1;
	check(mach_port_allocate(server, MACH_PORT_RIGHT_RECEIVE, &server_port),
	      "server port");
	check(mach_port_allocate(client, MACH_PORT_RIGHT_RECEIVE, &reply_port),
	      "reply port");
	check(right_copyin(server, server_port, MACH_MSG_TYPE_MAKE_SEND, false,
	                   &o, &t),
	      "make send");
	check(right_copyout(client, o, t, &to_server), "give send");

	bench_self(20000);
	bench_rpc("ipc_rpc_thread_null", 5000, 0);
	bench_rpc("ipc_rpc_thread_inline4k", 5000, 4096);
	fflush(stdout);
	return 0;
}
