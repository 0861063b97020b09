/*
 * tests/system/modules/ipc-msg.c — mach_msg as a program sees it: header
 * dispositions and what the receiver gets, bad destinations and replies,
 * timeouts, queue limits, too-large receives, typed inline data, port
 * rights and out-of-line memory in bodies, protected payloads.  Each
 * check states what GNU Mach answers; the same binary runs on both kernels.
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

/* A message with one typed item of up to 64 bytes, and room to spare. */
struct msg {
	mach_msg_header_t h;
	mach_msg_type_t t;
	union {
		uint64_t words[8];
		mach_port_name_inlined_t ports[8];
		struct {
			void *addr;
		} ool;
	} d;
	char slack[128];
};

static void header(struct msg *m, mach_port_t remote, unsigned rbits,
                   mach_port_t local, unsigned lbits, mach_msg_size_t size)
{
	memset(m, 0, sizeof(*m));
	machr_msg_header(&m->h, remote, rbits, local, lbits, size);
	m->h.msgh_id = 777;
}

static mach_msg_return_t send(struct msg *m)
{
	return mach_msg(&m->h, MACH_SEND_MSG | MACH_SEND_TIMEOUT,
	                m->h.msgh_size, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

static mach_msg_return_t receive(struct msg *m, mach_port_t from,
                                 mach_msg_size_t size, mach_msg_option_t extra)
{
	return mach_msg(&m->h, MACH_RCV_MSG | MACH_RCV_TIMEOUT | extra, 0, size,
	                from, 0, MACH_PORT_NULL);
}

static void check_header(void)
{
	mach_port_t p = machr_new_receive(), r = machr_new_receive();
	struct msg m;

	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, sizeof(m.h));
	tap_expect(send(&m), 0, "send a header-only message with MAKE_SEND");
	tap_expect(receive(&m, p, sizeof(m), 0), 0, "receive it");
	tap_ok(m.h.msgh_bits == MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND),
	       "received bits: no reply, local PORT_SEND (%#x)", m.h.msgh_bits);
	tap_ok(m.h.msgh_local_port == p && m.h.msgh_remote_port == 0,
	       "local names the port, remote is null");
	tap_ok(m.h.msgh_size == sizeof(m.h) && m.h.msgh_id == 777,
	       "size and id unchanged");

	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, r, MACH_MSG_TYPE_MAKE_SEND_ONCE,
	       sizeof(m.h));
	tap_expect(send(&m), 0, "send with a MAKE_SEND_ONCE reply port");
	tap_expect(receive(&m, p, sizeof(m), 0), 0, "receive it");
	tap_ok(m.h.msgh_bits == MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE,
	                                       MACH_MSG_TYPE_PORT_SEND),
	       "received bits: reply PORT_SEND_ONCE, local PORT_SEND (%#x)",
	       m.h.msgh_bits);
	tap_ok(m.h.msgh_remote_port != MACH_PORT_NULL &&
	           m.h.msgh_remote_port != r,
	       "the send-once right got a name of its own (%u)",
	       m.h.msgh_remote_port);
	{
		mach_port_type_t t = 0;

		(void)mach_port_type(T, m.h.msgh_remote_port, &t);
		tap_ok(t == MACH_PORT_TYPE_SEND_ONCE, "of type SEND_ONCE");
	}
	header(&m, m.h.msgh_remote_port, MACH_MSG_TYPE_MOVE_SEND_ONCE,
	       MACH_PORT_NULL, 0, sizeof(m.h));
	tap_expect(send(&m), 0, "reply through the send-once right");
	tap_expect(receive(&m, r, sizeof(m), 0), 0, "the reply arrives");
	tap_ok(m.h.msgh_bits == MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE),
	       "reply bits: local PORT_SEND_ONCE (%#x)", m.h.msgh_bits);
	(void)mach_port_destroy(T, p);
	(void)mach_port_destroy(T, r);
}

static void check_bad_sends(void)
{
	mach_port_t p = machr_new_receive();
	struct msg m;

	header(&m, 0x4321, MACH_MSG_TYPE_COPY_SEND, 0, 0, sizeof(m.h));
	tap_expect(send(&m), MACH_SEND_INVALID_DEST, "send to an unused name");
	header(&m, MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND, 0, 0, sizeof(m.h));
	tap_expect(send(&m), MACH_SEND_INVALID_DEST, "send to MACH_PORT_NULL");
	header(&m, p, MACH_MSG_TYPE_COPY_SEND, 0, 0, sizeof(m.h));
	tap_expect(send(&m), MACH_SEND_INVALID_DEST,
	           "COPY_SEND without a send right");
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0x4321,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, sizeof(m.h));
	tap_expect(send(&m), MACH_SEND_INVALID_REPLY, "reply port unused name");
	header(&m, p, 99, 0, 0, sizeof(m.h));
	tap_expect(send(&m), MACH_SEND_INVALID_HEADER, "remote disposition 99");
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 16);
	tap_expect(send(&m), MACH_SEND_MSG_TOO_SMALL, "size 16: too small");
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h) + 3);
	tap_expect(send(&m), MACH_SEND_MSG_TOO_SMALL,
	           "size not a multiple of 4");
	tap_expect(receive(&m, 0x4321, sizeof(m), 0), MACH_RCV_INVALID_NAME,
	           "receive on an unused name");
	tap_expect(receive(&m, p, sizeof(m), 0), MACH_RCV_TIMED_OUT,
	           "receive on an empty port with timeout 0");
	(void)mach_port_destroy(T, p);
}

static void check_queue_limit_and_size(void)
{
	mach_port_t p = machr_new_receive();
	struct msg m;

	(void)mach_port_set_qlimit(T, p, 1);
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h) + 16);
	m.t.msgt_name = MACH_MSG_TYPE_INTEGER_64;
	m.t.msgt_size = 64;
	m.t.msgt_number = 1;
	m.t.msgt_inline = 1;
	m.d.words[0] = 0x1122334455667788ULL;
	tap_expect(send(&m), 0, "first message fills qlimit 1");
	tap_expect(send(&m), MACH_SEND_TIMED_OUT,
	           "second message on a full queue times out");
	tap_expect(receive(&m, p, sizeof(m.h), 0), MACH_RCV_TOO_LARGE,
	           "receive into a header-sized buffer: too large");
	tap_expect(receive(&m, p, sizeof(m), 0), MACH_RCV_TIMED_OUT,
	           "without MACH_RCV_LARGE the too-large message is destroyed");
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h) + 16);
	m.t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_INTEGER_64,
	                        .msgt_size = 64,
	                        .msgt_number = 1,
	                        .msgt_inline = 1};
	tap_expect(send(&m), 0, "send another");
	memset(&m, 0, sizeof(m));
	tap_expect(receive(&m, p, sizeof(m.h), MACH_RCV_LARGE),
	           MACH_RCV_TOO_LARGE, "MACH_RCV_LARGE with a small buffer");
	tap_ok(m.h.msgh_size == sizeof(m.h) + 16,
	       "reports the size needed (%u)", m.h.msgh_size);
	tap_expect(receive(&m, p, sizeof(m), 0), 0, "and leaves it queued");
	(void)mach_port_destroy(T, p);
}

static void check_body_rights(void)
{
	mach_port_t p = machr_new_receive(), q = machr_new_receive();
	mach_port_urefs_t n = 0;
	mach_port_type_t t = 0;
	struct msg m;

	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h) + 16);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m.t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_MAKE_SEND,
	                        .msgt_size = 64,
	                        .msgt_number = 1,
	                        .msgt_inline = 1};
	m.d.ports[0].name = q;
	tap_expect(send(&m), 0, "send a MAKE_SEND right in the body");
	tap_expect(receive(&m, p, sizeof(m), 0), 0, "receive it");
	tap_ok(m.t.msgt_name == MACH_MSG_TYPE_PORT_SEND,
	       "the item now says PORT_SEND (%u)", m.t.msgt_name);
	tap_ok(m.d.ports[0].name == q, "named as our own receive right (%u)",
	       m.d.ports[0].name);
	(void)mach_port_get_refs(T, q, MACH_PORT_RIGHT_SEND, &n);
	tap_ok(n == 1, "one send uref arrived (%u)", n);

	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h) + 16);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m.t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_MOVE_RECEIVE,
	                        .msgt_size = 64,
	                        .msgt_number = 1,
	                        .msgt_inline = 1};
	m.d.ports[0].name = q;
	tap_expect(send(&m), 0, "send the receive right itself");
	(void)mach_port_type(T, q, &t);
	tap_ok(t == MACH_PORT_TYPE_SEND,
	       "in transit, only the send right "
	       "stays (%#x)",
	       t);
	tap_expect(receive(&m, p, sizeof(m), 0), 0, "receive it back");
	(void)mach_port_type(T, m.d.ports[0].name, &t);
	tap_ok(m.t.msgt_name == MACH_MSG_TYPE_PORT_RECEIVE &&
	           m.d.ports[0].name == q && t == MACH_PORT_TYPE_SEND_RECEIVE,
	       "it rejoins the send right's name (%u, %#x)", m.d.ports[0].name,
	       t);

	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h) + 16);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m.t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_COPY_SEND,
	                        .msgt_size = 64,
	                        .msgt_number = 1,
	                        .msgt_inline = 1};
	m.d.ports[0].name = 0x4321;
	tap_expect(send(&m), MACH_SEND_INVALID_RIGHT,
	           "a body right on a bad name");
	tap_expect(receive(&m, p, sizeof(m), 0), MACH_RCV_TIMED_OUT,
	           "the refused message was not queued");
	m.t.msgt_name = 99;
	m.d.ports[0].name = 0x4321;
	tap_expect(send(&m), 0,
	           "an item of unknown type 99 is carried as data");
	m.d.ports[0].name = 0;
	tap_expect(receive(&m, p, sizeof(m), 0), 0, "and arrives");
	tap_ok(m.t.msgt_name == 99 && m.d.ports[0].name == 0x4321,
	       "unchanged (type %u, value %#x)", m.t.msgt_name,
	       m.d.ports[0].name);
	(void)mach_port_destroy(T, p);
	(void)mach_port_destroy(T, q);
}

static void check_out_of_line(void)
{
	mach_port_t p = machr_new_receive();
	vm_address_t buf = 0;
	struct msg m;
	int same = 1;

	(void)vm_allocate(T, &buf, 3 * 4096, TRUE);
	for (int i = 0; i < 3 * 4096; i++)
		((unsigned char *)buf)[i] = (unsigned char)(i * 7);
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h) + 16);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m.t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_BYTE,
	                        .msgt_size = 8,
	                        .msgt_number = 3 * 4096 - 100,
	                        .msgt_inline = 0,
	                        .msgt_longform = 1};
	m.d.ool.addr = (void *)(buf + 100);
	tap_expect(send(&m), 0, "send 12188 bytes out of line");
	memset(&m, 0, sizeof(m));
	tap_expect(receive(&m, p, sizeof(m), 0), 0, "receive them");
	tap_ok(m.t.msgt_inline == 0 && m.t.msgt_number == 3 * 4096 - 100,
	       "the descriptor keeps the count (%u)", m.t.msgt_number);
	for (int i = 0; same && i < 3 * 4096 - 100; i++)
		same = ((unsigned char *)m.d.ool.addr)[i] ==
		       (unsigned char)((i + 100) * 7);
	tap_ok(same, "the data arrives intact");
	tap_ok(((vm_address_t)m.d.ool.addr & 4095) == 100,
	       "at the same offset within its page (%p)", m.d.ool.addr);
	tap_diag("ool data received at %p (sent from %p)", m.d.ool.addr,
	         (void *)(buf + 100));
	(void)vm_deallocate(T, (vm_address_t)m.d.ool.addr, 3 * 4096);
	(void)vm_deallocate(T, buf, 3 * 4096);
	(void)mach_port_destroy(T, p);
}

static void check_protected_payload(void)
{
	mach_port_t p = machr_new_receive();
	struct msg m;

	tap_expect(mach_port_set_protected_payload(T, p, 0xfeedface12345678ULL),
	           0, "set a protected payload");
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h));
	tap_expect(send(&m), 0, "send to the port");
	tap_expect(receive(&m, p, sizeof(m), 0), 0, "receive");
	tap_ok(MACH_MSGH_BITS_LOCAL(m.h.msgh_bits) ==
	           MACH_MSG_TYPE_PROTECTED_PAYLOAD,
	       "local bits say PROTECTED_PAYLOAD (%#x)", m.h.msgh_bits);
	tap_ok(m.h.msgh_protected_payload == 0xfeedface12345678ULL,
	       "the payload replaces the local name");
	tap_expect(mach_port_clear_protected_payload(T, p), 0, "clear it");
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h));
	(void)send(&m);
	(void)receive(&m, p, sizeof(m), 0);
	tap_ok(MACH_MSGH_BITS_LOCAL(m.h.msgh_bits) == MACH_MSG_TYPE_PORT_SEND &&
	           m.h.msgh_local_port == p,
	       "cleared: the local name is back");
	(void)mach_port_destroy(T, p);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("ipc-msg: no console\n");
	tap_plan(56);
	check_header();
	check_bad_sends();
	check_queue_limit_and_size();
	check_body_rights();
	check_out_of_line();
	check_protected_payload();
	tap_finish(host_priv);
	return 0;
}
