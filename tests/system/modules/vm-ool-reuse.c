/*
 * tests/system/modules/vm-ool-reuse.c — out-of-line memory received,
 * used and deallocated again and again at the same addresses, the way an
 * RPC server treats it: a region received after another was read and
 * freed at its place shows its own data (no translation of the old one
 * survives), a received region never touched and then partly
 * deallocated keeps the rest, and writes on either side after the send,
 * touched or not, stay on their side.  GNU Mach gives every answer
 * checked here.
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#include "vm-lib.h"

#define NPAGES 4

struct ool_msg {
	mach_msg_header_t h;
	mach_msg_type_t t;
	void *addr;
	char slack[64];
};

/* Send BYTES at ADDR out of line to P (our own receive right). */
static mach_msg_return_t send_ool(mach_port_t p, vm_address_t addr,
                                  mach_msg_type_number_t bytes)
{
	struct ool_msg m;
	mach_msg_size_t size = offsetof(struct ool_msg, slack);

	memset(&m, 0, sizeof(m));
	machr_msg_header(&m.h, p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
	                 size);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_id = 7;
	m.t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_BYTE,
	                        .msgt_size = 8,
	                        .msgt_number = bytes,
	                        .msgt_inline = 0};
	m.addr = (void *)addr;
	return mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0,
	                MACH_PORT_NULL, 5000, MACH_PORT_NULL);
}

/* Send NPAGES pages at BUF to P and receive them: the received address,
 * or 0. */
static vm_address_t round_trip(mach_port_t p, vm_address_t buf)
{
	struct ool_msg m;

	if (send_ool(p, buf, NPAGES * PAGE) != MACH_MSG_SUCCESS)
		return 0;
	memset(&m, 0, sizeof(m));
	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), p,
	             5000, MACH_PORT_NULL) != MACH_MSG_SUCCESS ||
	    m.t.msgt_number != NPAGES * PAGE)
		return 0;
	return (vm_address_t)m.addr;
}

/* Regions received one after the other, each read (or written) and
 * deallocated before the next arrives, land where the last one was: each
 * must show its own send's data on every page. */
static void check_reuse(mach_port_t p)
{
	vm_address_t buf = alloc(T, NPAGES * PAGE), got, first = 0;
	int ok = 1, same = 1;

	for (unsigned round = 0; round < 6; round++) {
		fill_bytes((void *)buf, NPAGES * PAGE, 20 + round);
		got = round_trip(p, buf);
		if (got == 0) {
			ok = 0;
			break;
		}
		if (round == 0)
			first = got;
		same &= got == first;
		/* Read every page, write one in odd rounds: translations
		 * that a stale region would leave behind. */
		ok &=
		    is_byte_pattern((void *)got, NPAGES * PAGE, 20 + round, 0);
		if (round & 1)
			((volatile unsigned char *)got)[PAGE + 5] = 0x77;
		(void)vm_deallocate(T, got, NPAGES * PAGE);
	}
	tap_ok(ok, "six regions received at one place, each read (and "
	           "written) then freed: each shows its own data");
	tap_ok(is_byte_pattern((void *)buf, NPAGES * PAGE, 25, 0),
	       "the receiver's writes never reached the sender");
	tap_diag("the regions %s the same address",
	         same ? "all came at" : "did not all come at");
	(void)vm_deallocate(T, buf, NPAGES * PAGE);
}

/* A region received and never touched, deallocated in the middle: the
 * rest stays, with the data, and each side's writes stay its own. */
static void check_partial(mach_port_t p)
{
	vm_address_t buf = alloc(T, NPAGES * PAGE), got;
	unsigned char *g;

	fill_bytes((void *)buf, NPAGES * PAGE, 30);
	got = round_trip(p, buf);
	g = (unsigned char *)got;
	tap_ok(got != 0 &&
	           vm_deallocate(T, got + PAGE, 2 * PAGE) == KERN_SUCCESS,
	       "the middle of a region never touched deallocated");
	tap_ok(got != 0 &&
	           page_readable(T, got + PAGE) == KERN_INVALID_ADDRESS &&
	           page_readable(T, got + 2 * PAGE) == KERN_INVALID_ADDRESS,
	       "its pages are gone");
	/* The sender writes after the send, before the receiver looks. */
	((volatile unsigned char *)buf)[3 * PAGE + 9] = 0x11;
	tap_ok(got != 0 && is_byte_pattern(g, PAGE, 30, 0) &&
	           is_byte_pattern(g + 3 * PAGE, PAGE, 30, 3 * PAGE),
	       "the first and last pages keep the data of the send");
	if (got != 0) {
		g[3] = 0x22;
		g[3 * PAGE + 4] = 0x33;
	}
	tap_ok(got != 0 && g[3] == 0x22 && g[3 * PAGE + 4] == 0x33 &&
	           ((unsigned char *)buf)[3] == pat_byte(30, 3) &&
	           ((unsigned char *)buf)[3 * PAGE + 4] ==
	               pat_byte(30, 3 * PAGE + 4) &&
	           ((unsigned char *)buf)[3 * PAGE + 9] == 0x11,
	       "writes after the send stay on their side");
	if (got != 0) {
		(void)vm_deallocate(T, got, PAGE);
		(void)vm_deallocate(T, got + 3 * PAGE, PAGE);
	}
	(void)vm_deallocate(T, buf, NPAGES * PAGE);
}

/* A source never touched (its pages all zero-fill), sent, then written
 * by the sender: the receiver still reads zeros. */
static void check_untouched_source(mach_port_t p)
{
	vm_address_t buf = alloc(T, NPAGES * PAGE), got;

	got = round_trip(p, buf);
	((volatile unsigned char *)buf)[2 * PAGE] = 0x44;
	tap_ok(got != 0 && all_zero(got, NPAGES * PAGE),
	       "an untouched source written after the send: the receiver "
	       "reads zeros");
	if (got != 0) {
		((volatile unsigned char *)got)[PAGE] = 0x55;
		(void)vm_deallocate(T, got, NPAGES * PAGE);
	}
	tap_ok(((unsigned char *)buf)[2 * PAGE] == 0x44 &&
	           ((unsigned char *)buf)[PAGE] == 0,
	       "and the receiver's write does not reach the sender");
	(void)vm_deallocate(T, buf, NPAGES * PAGE);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, p;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("vm-ool-reuse: no console\n");
	tap_plan(8);
	p = machr_new_receive();
	check_reuse(p);
	check_partial(p);
	check_untouched_source(p);
	tap_finish(host_priv);
	return 0;
}
