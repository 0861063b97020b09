/*
 * tests/system/modules/ipc-msg-edges.c — corners of mach_msg that the
 * documentation leaves open: send sizes, which error wins when both
 * header ports are bad, unused header bits, the same port as destination
 * and reply, how out-of-line items look on arrival.  Each check states
 * what GNU Mach answers.
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

struct msg {
	mach_msg_header_t h;
	mach_msg_type_t t;
	union {
		uint64_t words[8];
		void *addr;
	} d;
	char slack[128];
};

static void header(struct msg *m, mach_port_t remote, unsigned rbits,
                   mach_port_t local, unsigned lbits, mach_msg_size_t size)
{
	memset(m, 0, sizeof(*m));
	machr_msg_header(&m->h, remote, rbits, local, lbits, size);
}

static mach_msg_return_t send_n(struct msg *m, mach_msg_size_t n)
{
	return mach_msg(&m->h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, n, 0,
	                MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

static mach_msg_return_t receive(struct msg *m, mach_port_t from)
{
	memset(m, 0, sizeof(*m));
	return mach_msg(&m->h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(*m),
	                from, 0, MACH_PORT_NULL);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, p, q;
	vm_address_t buf = 0;
	struct msg m;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("ipc-msg-edges: no console\n");
	tap_plan(18);
	p = machr_new_receive();
	q = machr_new_receive();

	/* Sizes. */
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 36);
	tap_expect(send_n(&m, 36), MACH_SEND_MSG_TOO_SMALL,
	           "send size 36: not a multiple of 8");
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 999);
	tap_expect(send_n(&m, 40), 0, "msgh_size 999 with send size 40");
	tap_expect(receive(&m, p), 0, "receive it");
	tap_ok(m.h.msgh_size == 40, "the send size wins (%u)", m.h.msgh_size);

	/* Both header ports bad. */
	header(&m, p, MACH_MSG_TYPE_COPY_SEND, 0x4321,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, 32);
	tap_expect(send_n(&m, 32), MACH_SEND_INVALID_REPLY,
	           "bad destination right and unused reply: the reply is "
	           "reported");

	/* Unused header bits. */
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 32);
	m.h.msgh_bits |= 0x00010000;
	tap_expect(send_n(&m, 32), 0, "unused header bit set: accepted");
	tap_expect(receive(&m, p), 0, "receive it");
	tap_ok(m.h.msgh_bits & 0x00010000, "and the bit travels (%#x)",
	       m.h.msgh_bits);

	/* The same port as destination and reply. */
	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	header(&m, p, MACH_MSG_TYPE_COPY_SEND, p, MACH_MSG_TYPE_COPY_SEND, 32);
	tap_expect(send_n(&m, 32), 0, "COPY_SEND to and from the same name");
	tap_expect(receive(&m, p), 0, "receive it");
	tap_ok(m.h.msgh_remote_port == p && m.h.msgh_local_port == p,
	       "both name the port");
	header(&m, p, MACH_MSG_TYPE_MOVE_SEND_ONCE, p,
	       MACH_MSG_TYPE_MOVE_SEND_ONCE, 32);
	tap_expect(send_n(&m, 32), MACH_SEND_INVALID_REPLY,
	           "MOVE_SEND_ONCE twice on a send name: the reply is checked "
	           "first");
	(void)mach_port_insert_right(T, 0x800, p, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	header(&m, 0x800, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0x800,
	       MACH_MSG_TYPE_MOVE_SEND_ONCE, 32);
	tap_expect(send_n(&m, 32), MACH_SEND_INVALID_DEST,
	           "MOVE_SEND_ONCE twice on a send-once name");
	{
		mach_port_type_t t = 0;

		tap_ok(mach_port_type(T, 0x800, &t) == 0 &&
		           t == MACH_PORT_TYPE_SEND_ONCE,
		       "the refused send leaves the send-once right (%#x)", t);
		(void)mach_port_deallocate(T, 0x800);
		(void)receive(&m, p); /* its send-once notification */
	}

	/* Out-of-line items on arrival. */
	(void)vm_allocate(T, &buf, 4096, TRUE);
	header(&m, q, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 48);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m.t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_BYTE,
	                        .msgt_size = 8,
	                        .msgt_number = 100,
	                        .msgt_inline = 0,
	                        .msgt_longform = 1};
	m.d.addr = (void *)buf;
	tap_expect(send_n(&m, 48), 0, "send 100 bytes out of line");
	tap_expect(receive(&m, q), 0, "receive them");
	tap_ok(m.t.msgt_deallocate, "received OOL item has deallocate set");
	tap_ok(m.t.msgt_longform && !m.t.msgt_inline,
	       "and keeps longform, not inline");
	tap_diag("received OOL descriptor: name %u size %u number %u",
	         m.t.msgt_name, m.t.msgt_size, m.t.msgt_number);
	(void)vm_deallocate(T, (vm_address_t)m.d.addr, 4096);
	(void)vm_deallocate(T, buf, 4096);
	(void)mach_port_destroy(T, p);
	(void)mach_port_destroy(T, q);
	tap_finish(host_priv);
	return 0;
}
