/*
 * servers/pager/main.c — the default pager's startup and serving loop.
 *
 * Started by the boot script as
 *   pager ${host-port} ${device-port} [--store=auto|disk|memory]
 *         [--store-size=MB] [--trace] [--selftest]
 * it wires itself, opens its store (the disk vd0, or its own memory),
 * names its port PAGER_PORT_NAME (rendezvous.h), registers as the
 * default memory manager and then receives on one port
 * set holding the default pager port and every memory object it backs,
 * handing each message to MIG's demultiplexers (memory_object.c,
 * default_pager.c).  One thread, no allocation after startup other than
 * what the kernel hands it in messages.  --trace logs every request;
 * --selftest checks the store and the object table (selftest.c) and ends
 * the run instead of serving.
 */
#include <device/device.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <mach.h>
#include <mach/default_pager_types.h>
#include <mach/gnumach.h>
#include <mach/mach_host.h>
#include <mach/memory_object_default_server.h>
#include <mach/memory_object_server.h>
#include <mach/notify_server.h>
#include <mach/vm_wire.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "default_pager_server.h"
#include "pager.h"
#include "rendezvous.h"

#define MEMORY_STORE_DEFAULT_MB 16
#define MSG_BUF                 8192

int pager_trace;
mach_port_t pager_default_port = MACH_PORT_NULL;
mach_port_t pager_port_set = MACH_PORT_NULL;

boolean_t memory_object_server(mach_msg_header_t *, mach_msg_header_t *);
boolean_t memory_object_default_server(mach_msg_header_t *,
                                       mach_msg_header_t *);
boolean_t default_pager_server(mach_msg_header_t *, mach_msg_header_t *);
boolean_t notify_server(mach_msg_header_t *, mach_msg_header_t *);

void pager_log(const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("pager: %s\n", line);
}

kern_return_t pager_serve_port(mach_port_t port)
{
	return mach_port_move_member(mach_task_self(), port, pager_port_set);
}

void pager_drop_own_sends(mach_port_t port)
{
	mach_port_urefs_t refs = 0;

	if (mach_port_get_refs(mach_task_self(), port, MACH_PORT_RIGHT_SEND,
	                       &refs) == KERN_SUCCESS &&
	    refs > 0)
		(void)mach_port_mod_refs(mach_task_self(), port,
		                         MACH_PORT_RIGHT_SEND,
		                         -(mach_port_delta_t)refs);
}

/*
 * Release what the body of message H still carries (port rights, out of
 * line memory): a request no routine consumed, or a reply that could not
 * be sent.  The header's ports are the caller's business.
 */
static void pager_discard_body(mach_msg_header_t *h)
{
	char *p = (char *)(h + 1), *end = (char *)h + h->msgh_size;

	if (!(h->msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return;
	while (p + sizeof(mach_msg_type_t) <= end) {
		mach_msg_type_long_t *t = (mach_msg_type_long_t *)p;
		unsigned name = t->msgtl_header.msgt_name;
		unsigned size = t->msgtl_header.msgt_size;
		uint64_t number = t->msgtl_header.msgt_number;
		uint64_t bytes, step;
		char *data = p + sizeof(mach_msg_type_t);
		int inline_data = t->msgtl_header.msgt_inline;

		if (t->msgtl_header.msgt_longform) {
			name = t->msgtl_name;
			size = t->msgtl_size;
			number = t->msgtl_number;
		}
		bytes = (number * size + 7) / 8;
		step = sizeof(mach_msg_type_t) + (inline_data ? bytes : 8);
		if (step > (uint64_t)(end - p))
			return;
		if (!inline_data)
			data = *(char **)data;
		if (MACH_MSG_TYPE_PORT_ANY(name) && size >= 32 && data != NULL)
			for (uint64_t i = 0; i < number; i++) {
				mach_port_t port =
				    *(mach_port_t *)(data + i * (size / 8));
				if (!MACH_PORT_VALID(port))
					continue;
				if (name == MACH_MSG_TYPE_PORT_RECEIVE)
					(void)mach_port_mod_refs(
					    mach_task_self(), port,
					    MACH_PORT_RIGHT_RECEIVE, -1);
				else
					(void)mach_port_deallocate(
					    mach_task_self(), port);
			}
		if (!inline_data && data != NULL && bytes != 0)
			(void)vm_deallocate(mach_task_self(),
			                    (vm_address_t)data, bytes);
		p += (step + 7) & ~7ull;
	}
}

/* Receive and answer requests forever. */
static void pager_serve(void)
{
	static union {
		mach_msg_header_t h;
		char buf[MSG_BUF];
	} in, out;
	mig_reply_header_t *reply = (mig_reply_header_t *)&out.h;
	mach_msg_return_t mr;

	for (;;) {
		mr =
		    mach_msg(&in.h, MACH_RCV_MSG, 0, sizeof(in), pager_port_set,
		             MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
		if (mr != MACH_MSG_SUCCESS) {
			/* A message too large was dropped by the kernel. */
			pager_log("receive: %#x", mr);
			continue;
		}
		if (!memory_object_server(&in.h, &out.h) &&
		    !memory_object_default_server(&in.h, &out.h) &&
		    !default_pager_server(&in.h, &out.h) &&
		    !notify_server(&in.h, &out.h))
			pager_log("message id %d on port %#x: unknown",
			          in.h.msgh_id, in.h.msgh_local_port);
		if (reply->RetCode == MIG_NO_REPLY)
			continue;
		if (reply->RetCode != KERN_SUCCESS) {
			/* Nothing consumed the request: free what it
			 * carried, but keep the reply port for the
			 * error. */
			if (reply->RetCode == MIG_BAD_ARGUMENTS)
				pager_log("message id %d: bad arguments",
				          in.h.msgh_id);
			pager_discard_body(&in.h);
		}
		if (!MACH_PORT_VALID(out.h.msgh_remote_port))
			continue;
		mr = mach_msg(&out.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT,
		              out.h.msgh_size, 0, MACH_PORT_NULL, 0,
		              MACH_PORT_NULL);
		if (mr != MACH_MSG_SUCCESS) {
			pager_log("reply to message id %d: %#x", in.h.msgh_id,
			          mr);
			/* Not sent: the reply right and what the body
			 * carries are still ours. */
			if (mr == MACH_SEND_INVALID_DEST ||
			    mr == MACH_SEND_TIMED_OUT) {
				(void)mach_port_deallocate(
				    mach_task_self(), out.h.msgh_remote_port);
				pager_discard_body(&out.h);
			}
		}
	}
}

/* Keep the pager's memory resident: it must never wait for the pageout
 * it serves.  An error is logged, not fatal (a kernel may lack these). */
static void pager_wire(mach_port_t host_priv)
{
	kern_return_t kr;

	kr = thread_wire(host_priv, mach_thread_self(), TRUE);
	if (kr != KERN_SUCCESS)
		pager_log("thread_wire: %#x (continuing)", kr);
	kr = vm_wire_all(host_priv, mach_task_self(), VM_WIRE_ALL);
	if (kr != KERN_SUCCESS)
		pager_log("vm_wire_all: %#x (continuing)", kr);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, previous;
	const char *store = "auto";
	unsigned long mb = MEMORY_STORE_DEFAULT_MB;
	int selftest = 0;
	kern_return_t kr;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0) {
		mach_print("pager: started without host and device ports\n");
		return 1;
	}
	if (machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("pager: no console; logging through mach_print\n");
	for (int i = 3; i < argc; i++) {
		if (strncmp(argv[i], "--store=", 8) == 0)
			store = argv[i] + 8;
		else if (strcmp(argv[i], "--selftest") == 0)
			selftest = 1;
		else if (strcmp(argv[i], "--trace") == 0)
			pager_trace = 1;
		else if (strncmp(argv[i], "--store-size=", 13) == 0)
			mb = strtoul(argv[i] + 13, NULL, 10);
		else
			pager_log("unknown argument %s, ignored", argv[i]);
	}
	if (strcmp(store, "auto") != 0 && strcmp(store, "disk") != 0 &&
	    strcmp(store, "memory") != 0) {
		pager_log("--store=%s: want auto, disk or memory", store);
		return 1;
	}
	if (mb == 0 || mb > 1024) {
		pager_log("--store-size=%lu: want 1..1024 (MiB)", mb);
		return 1;
	}

	pager_wire(host_priv);
	kr = KERN_FAILURE;
	if (strcmp(store, "memory") != 0) {
		kr = store_init_disk(device_master);
		if (kr != KERN_SUCCESS)
			pager_log("vd0: %#x%s", kr,
			          strcmp(store, "disk") == 0
			              ? ""
			              : "; using a store in memory");
		if (kr != KERN_SUCCESS && strcmp(store, "disk") == 0)
			return 1;
	}
	if (kr != KERN_SUCCESS)
		kr = store_init_memory((vm_size_t)mb << 20);
	if (kr == KERN_SUCCESS)
		kr = object_table_init(store_blocks());
	if (kr != KERN_SUCCESS) {
		pager_log("no store: %#x", kr);
		return 1;
	}
	if (selftest) {
		pager_selftest(strcmp(store, "memory") == 0 ? "memory"
		               : strcmp(store, "disk") == 0 ? "vd0"
		                                            : store_kind());
		tap_finish(host_priv);
		return 1;
	}

	/* The default port under a name known to tests (rendezvous.h). */
	if (mach_port_allocate_name(mach_task_self(), MACH_PORT_RIGHT_RECEIVE,
	                            PAGER_PORT_NAME) == KERN_SUCCESS)
		pager_default_port = PAGER_PORT_NAME;
	else
		pager_default_port = machr_new_receive();
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET,
	                       &pager_port_set) != KERN_SUCCESS ||
	    pager_default_port == MACH_PORT_NULL ||
	    pager_serve_port(pager_default_port) != KERN_SUCCESS) {
		pager_log("cannot make its ports");
		return 1;
	}
	previous = pager_default_port;
	kr = vm_set_default_memory_manager(host_priv, &previous);
	if (kr != KERN_SUCCESS) {
		/* The kernel will not page to us, but tasks can still
		 * create objects here (rendezvous.h). */
		pager_log("vm_set_default_memory_manager: %#x (serving "
		          "anyway)",
		          kr);
		previous = MACH_PORT_NULL;
	}
	if (MACH_PORT_VALID(previous)) {
		pager_log("replacing another default pager (port %#x)",
		          previous);
		(void)mach_port_deallocate(mach_task_self(), previous);
	}
	pager_log("%s ready: store %s, %u pages of %u bytes",
	          kr == KERN_SUCCESS ? "default pager" : "pager (unregistered)",
	          store_kind(), store_blocks(), PAGER_PAGE);
	pager_serve();
	return 0;
}
