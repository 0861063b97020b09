/*
 * tests/system/modules/vm-ool.c — out-of-line memory in messages as the
 * virtual memory sees it, to a port of our own and to another task: the
 * receiver gets a copy taken at send time (the sender's later writes do
 * not show, nor the receiver's in the sender), deallocate removes the
 * sender's range, data keeps its offset within the page (and what the
 * rest of the receiver's page holds), 1 MiB, several items in one
 * message, memory never touched, read-only and inaccessible sources,
 * size 0, and the received region's attributes.  (The descriptor bits on
 * arrival are checked in ipc-msg-edges.c and msg-ways.c.)  Each check
 * states what GNU Mach answers; sends and receives that only set a check
 * up succeed there (MACH_MSG_SUCCESS).
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#include "vm-lib.h"

#define MIB (1024 * 1024ul)

/* Message ids to the worker: ID_CMD (vm-lib.h), a command in w[0] with
 * w[1] and w[2]; ID_OOL, out-of-line data, one item. */
#define ID_OOL 2
enum { OP_WRITE = 1, OP_SEND_OOL, OP_SEND_OOL_DEALLOC };

struct item {
	mach_msg_type_t t;
	void *addr;
};

struct ool_msg {
	mach_msg_header_t h;
	struct item d[4];
	char slack[64];
};

union any_msg {
	mach_msg_header_t h;
	struct ool_msg o;
	struct cmd c;
};

static mach_port_t report_port;

/* Filled before the fork: the child sends from its copy of it. */
static unsigned char child_src[3 * PAGE] __attribute__((aligned(PAGE)));

static struct item ool_item(const void *addr, mach_msg_type_number_t bytes,
                            int dealloc)
{
	return (struct item){.t = {.msgt_name = MACH_MSG_TYPE_BYTE,
	                           .msgt_size = 8,
	                           .msgt_number = bytes,
	                           .msgt_inline = 0,
	                           .msgt_deallocate = dealloc ? 1 : 0},
	                     .addr = (void *)addr};
}

/* Send N out-of-line items (ITEMS) to TO with id ID, making a send right
 * from TO's receive right if MAKE. */
static mach_msg_return_t send_ool(mach_port_t to, int make,
                                  const struct item *items, int n)
{
	struct ool_msg m;
	mach_msg_size_t size =
	    sizeof(m.h) + (mach_msg_size_t)(n * sizeof(struct item));

	memset(&m, 0, sizeof(m));
	machr_msg_header(
	    &m.h, to, make ? MACH_MSG_TYPE_MAKE_SEND : MACH_MSG_TYPE_COPY_SEND,
	    MACH_PORT_NULL, 0, size);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_id = ID_OOL;
	for (int i = 0; i < n; i++)
		m.d[i] = items[i];
	return mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0,
	                MACH_PORT_NULL, 5000, MACH_PORT_NULL);
}

static mach_msg_return_t receive(mach_port_t from, union any_msg *m)
{
	memset(m, 0, sizeof(*m));
	return mach_msg(&m->h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(*m),
	                from, 5000, MACH_PORT_NULL);
}

/*
 * The worker, in the child.  Out-of-line data that arrives is answered
 * with (its address, its byte count, the checksum of its bytes), then its
 * first byte is overwritten with 0xee and the memory kept.  Commands:
 * OP_WRITE (byte w[2] at w[1]); OP_SEND_OOL[_DEALLOC] (w[1], w[2] bytes
 * sent out of line to our report port, which is the answer).
 */
static void worker(void *arg)
{
	union any_msg m;
	struct cmd r;
	struct item it;

	(void)arg;
	for (;;) {
		if (mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof(m), CHILD_INBOX, 0,
		             MACH_PORT_NULL) != MACH_MSG_SUCCESS)
			continue;
		if (m.h.msgh_id == ID_OOL) {
			unsigned char *p = m.o.d[0].addr;
			size_t n = m.o.d[0].t.msgt_number;

			cmd_init(&r, CHILD_REPORT, (uint64_t)p, n,
			         sum_bytes(p, n));
			if (n > 0)
				p[0] = 0xee;
		} else if (m.c.w[0] == OP_WRITE) {
			*(volatile unsigned char *)m.c.w[1] =
			    (unsigned char)m.c.w[2];
			cmd_init(&r, CHILD_REPORT, 0, 0, 0);
		} else {
			it = ool_item((void *)m.c.w[1],
			              (mach_msg_type_number_t)m.c.w[2],
			              m.c.w[0] == OP_SEND_OOL_DEALLOC);
			(void)send_ool(CHILD_REPORT, 0, &it, 1);
			continue;
		}
		(void)mach_msg(&r.h, MACH_SEND_MSG, CMD_SIZE, 0, MACH_PORT_NULL,
		               0, MACH_PORT_NULL);
	}
}

static void check_snapshot(mach_port_t p)
{
	vm_address_t buf = alloc(T, 3 * PAGE);
	union any_msg m;
	struct item it = ool_item((void *)buf, 3 * PAGE, 0);
	struct region r;
	unsigned char *got;
	int ok;

	fill_bytes((void *)buf, 3 * PAGE, 1);
	tap_expect(send_ool(p, 1, &it, 1), 0,
	           "send 3 pages out of line (deallocate FALSE)");
	fill_bytes((void *)buf, 3 * PAGE, 2);
	tap_expect(receive(p, &m), 0, "receive them");
	got = m.o.d[0].addr;
	/* GNU Mach: a copy at send time, at a new page-aligned address. */
	tap_ok(got != NULL && (vm_address_t)got != buf &&
	           ((vm_address_t)got & (PAGE - 1)) == 0 &&
	           m.o.d[0].t.msgt_number == 3 * PAGE,
	       "at a new page-aligned address (%p), %u bytes", (void *)got,
	       m.o.d[0].t.msgt_number);
	tap_ok(got && is_byte_pattern(got, 3 * PAGE, 1, 0),
	       "holding the data at send time, not our writes after it");
	/* GNU Mach: the receiver's copy is its own: VM_PROT_DEFAULT, max
	 * ALL, inherit COPY, not shared, one region of exactly the size. */
	ok = got && region_at(T, (vm_address_t)got, &r) == 0;
	tap_ok(ok && r.prot == VM_PROT_DEFAULT && r.max == VM_PROT_ALL &&
	           r.inherit == VM_INHERIT_COPY && !r.shared,
	       "vm_region of it: prot %d, max %d, inherit %d, shared %d",
	       r.prot, r.max, r.inherit, r.shared);
	tap_diag("received region %#lx + %#lx", (unsigned long)r.addr,
	         (unsigned long)r.size);
	if (got) {
		got[5] = 0x99;
		got[PAGE + 5] = 0x98;
	}
	((volatile unsigned char *)buf)[2 * PAGE + 9] = 0x97;
	tap_ok(is_byte_pattern((void *)buf, 2 * PAGE, 2, 0) && got &&
	           got[2 * PAGE + 9] == pat_byte(1, 2 * PAGE + 9),
	       "writes on either side afterwards stay on that side");
	tap_expect(vm_deallocate(T, (vm_address_t)got, 3 * PAGE), 0,
	           "the receiver deallocates its copy");
	tap_ok(is_byte_pattern((void *)buf, 2 * PAGE, 2, 0),
	       "the sender's memory is unaffected");
	(void)vm_deallocate(T, buf, 3 * PAGE);
}

static void check_deallocate(mach_port_t p)
{
	vm_address_t buf = alloc(T, 2 * PAGE), b3 = alloc(T, 3 * PAGE);
	union any_msg m;
	struct item it = ool_item((void *)buf, 2 * PAGE, 1);
	struct region r;
	int ok;

	fill_bytes((void *)buf, 2 * PAGE, 3);
	tap_expect(send_ool(p, 1, &it, 1), 0,
	           "send 2 pages with deallocate TRUE");
	/* GNU Mach: the range is gone from the sender's map. */
	ok = region_at(T, buf, &r) != 0;
	tap_ok(ok, "vm_region: the sender's range is unmapped");
	tap_expect(page_readable(T, buf + PAGE), KERN_INVALID_ADDRESS,
	           "vm_read of it: KERN_INVALID_ADDRESS");
	tap_expect(receive(p, &m), 0, "receive");
	tap_ok(m.o.d[0].addr && is_byte_pattern(m.o.d[0].addr, 2 * PAGE, 3, 0),
	       "the data arrived whole (%p)", m.o.d[0].addr);
	(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, 2 * PAGE);

	/* Deallocate of a range that starts and ends inside pages: 5000
	 * bytes from offset 123 of page 0 end in page 1. */
	fill_bytes((void *)b3, 3 * PAGE, 4);
	it = ool_item((void *)(b3 + 123), 5000, 1);
	tap_expect(send_ool(p, 1, &it, 1), 0,
	           "send 5000 bytes from offset 123 with deallocate TRUE");
	/* GNU Mach: every page the range touches is unmapped (pages 0 and
	 * 1), the next one stays. */
	tap_ok(page_readable(T, b3) == KERN_INVALID_ADDRESS &&
	           page_readable(T, b3 + PAGE) == KERN_INVALID_ADDRESS &&
	           page_readable(T, b3 + 2 * PAGE) == 0 &&
	           is_byte_pattern((void *)(b3 + 2 * PAGE), PAGE, 4, 2 * PAGE),
	       "the pages it touches are unmapped, the next is intact");
	tap_expect(receive(p, &m), 0, "receive");
	tap_ok(m.o.d[0].addr && is_byte_pattern(m.o.d[0].addr, 5000, 4, 123),
	       "the data arrived whole (%p)", m.o.d[0].addr);
	(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, 5000);
	(void)vm_deallocate(T, b3, 3 * PAGE);
}

static void check_offset(mach_port_t p)
{
	vm_address_t buf = alloc(T, 3 * PAGE);
	union any_msg m;
	struct item it = ool_item((void *)(buf + 123), 5000, 0);
	unsigned char *got, *page;
	struct region r;
	int ok;

	fill_bytes((void *)buf, 3 * PAGE, 5);
	tap_expect(send_ool(p, 1, &it, 1), 0,
	           "send 5000 bytes from offset 123 of a page");
	tap_expect(receive(p, &m), 0, "receive");
	got = m.o.d[0].addr;
	/* GNU Mach: the data keeps its offset within the page. */
	tap_ok(((vm_address_t)got & (PAGE - 1)) == 123,
	       "it arrives at offset 123 of a page (%p)", (void *)got);
	tap_ok(got && is_byte_pattern(got, 5000, 5, 123),
	       "the 5000 bytes intact");
	page = (unsigned char *)((vm_address_t)got & ~(PAGE - 1));
	/* GNU Mach: the receiver's mapping is the two whole pages, an
	 * entry of its own (exactly those pages); a kernel that merges it
	 * with a neighbour of the same attributes is no different to a
	 * program, so only the two pages are required. */
	ok = got && region_at(T, (vm_address_t)page, &r) == 0;
	tap_ok(ok && r.addr <= (vm_address_t)page &&
	           r.addr + r.size >= (vm_address_t)page + 2 * PAGE,
	       "the received region covers the two whole pages (%#lx + %#lx)",
	       (unsigned long)r.addr, (unsigned long)r.size);
	/* GNU Mach: the rest of those pages holds the sender's bytes
	 * around the range (whole pages are copied), not zeros. */
	tap_ok(got && is_byte_pattern(page, 123, 5, 0),
	       "the 123 bytes before it in the page: the sender's (%#x)",
	       got ? page[0] : 0);
	tap_ok(got && is_byte_pattern(got + 5000, 2 * PAGE - 5123, 5, 5123),
	       "the bytes after it to the page's end: the sender's (%#x)",
	       got ? got[5000] : 0);
	tap_expect(vm_deallocate(T, (vm_address_t)got, 5000), 0,
	           "vm_deallocate(addr, 5000) of what arrived");
	tap_ok(region_at(T, (vm_address_t)page, &r) != 0 ||
	           r.addr >= (vm_address_t)page + 2 * PAGE,
	       "removes both pages");
	(void)vm_deallocate(T, buf, 3 * PAGE);
}

static void check_big_and_many(mach_port_t p)
{
	vm_address_t big = alloc(T, MIB), a = alloc(T, PAGE),
	             b = alloc(T, PAGE), c = alloc(T, 3 * PAGE);
	struct item its[3];
	union any_msg m;
	int ok = 1;

	for (size_t i = 0; i < MIB / 8; i++)
		((uint64_t *)big)[i] = i * 0x9e3779b97f4a7c15ull;
	its[0] = ool_item((void *)big, MIB, 0);
	tap_expect(send_ool(p, 1, its, 1), 0, "send 1 MiB out of line");
	((uint64_t *)big)[12345] = 0;
	tap_expect(receive(p, &m), 0, "receive it");
	for (size_t i = 0; m.o.d[0].addr && ok && i < MIB / 8; i++)
		ok =
		    ((uint64_t *)m.o.d[0].addr)[i] == i * 0x9e3779b97f4a7c15ull;
	/* GNU Mach: every word as it was at send time. */
	tap_ok(m.o.d[0].addr && ok && m.o.d[0].t.msgt_number == MIB,
	       "every word of the MiB as sent");
	(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, MIB);
	(void)vm_deallocate(T, big, MIB);

	fill_bytes((void *)a, PAGE, 6);
	fill_bytes((void *)b, PAGE, 7);
	fill_bytes((void *)c, 3 * PAGE, 8);
	its[0] = ool_item((void *)a, PAGE, 0);
	its[1] = ool_item((void *)(b + 100), 100, 0);
	its[2] = ool_item((void *)c, 3 * PAGE, 1);
	tap_expect(send_ool(p, 1, its, 3), 0,
	           "three items in one message (the third deallocated)");
	fill_bytes((void *)a, PAGE, 9);
	tap_expect(receive(p, &m), 0, "receive them");
	/* GNU Mach: each item its own copy, at its own offset. */
	tap_ok(
	    m.o.d[0].addr && is_byte_pattern(m.o.d[0].addr, PAGE, 6, 0) &&
	        m.o.d[1].addr && is_byte_pattern(m.o.d[1].addr, 100, 7, 100) &&
	        ((vm_address_t)m.o.d[1].addr & (PAGE - 1)) == 100 &&
	        m.o.d[2].addr && is_byte_pattern(m.o.d[2].addr, 3 * PAGE, 8, 0),
	    "each holds its data (%p %p %p)", m.o.d[0].addr, m.o.d[1].addr,
	    m.o.d[2].addr);
	tap_ok(page_readable(T, c) == KERN_INVALID_ADDRESS &&
	           page_readable(T, b) == 0,
	       "only the deallocated item's range left the sender");
	for (int i = 0; i < 3; i++)
		(void)vm_deallocate(T, (vm_address_t)m.o.d[i].addr,
		                    m.o.d[i].t.msgt_number);
	(void)vm_deallocate(T, a, PAGE);
	(void)vm_deallocate(T, b, PAGE);
}

static void check_sources(mach_port_t p)
{
	vm_address_t z = alloc(T, 4 * PAGE), ro = alloc(T, 2 * PAGE),
	             no = alloc(T, PAGE);
	union any_msg m;
	struct item it = ool_item((void *)z, 4 * PAGE, 0);
	struct region r;
	int ok;

	tap_expect(send_ool(p, 1, &it, 1), 0, "send 4 pages never touched");
	tap_expect(receive(p, &m), 0, "receive them");
	/* GNU Mach: zeros, writable by the receiver. */
	tap_ok(m.o.d[0].addr && all_zero((vm_address_t)m.o.d[0].addr, 4 * PAGE),
	       "they are zeros");
	if (m.o.d[0].addr)
		((volatile char *)m.o.d[0].addr)[PAGE] = 1;
	tap_ok(all_zero(z, 4 * PAGE),
	       "the receiver writes, the sender's pages stay zero");
	(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, 4 * PAGE);

	fill_bytes((void *)ro, 2 * PAGE, 10);
	(void)vm_protect(T, ro, 2 * PAGE, FALSE, VM_PROT_READ);
	it = ool_item((void *)ro, 2 * PAGE, 0);
	tap_expect(send_ool(p, 1, &it, 1), 0, "send from a read-only region");
	tap_expect(receive(p, &m), 0, "receive it");
	/* GNU Mach: the receiver's copy is VM_PROT_DEFAULT, whatever the
	 * source's protection was. */
	ok =
	    m.o.d[0].addr && region_at(T, (vm_address_t)m.o.d[0].addr, &r) == 0;
	tap_ok(ok && r.prot == VM_PROT_DEFAULT && r.max == VM_PROT_ALL &&
	           is_byte_pattern(m.o.d[0].addr, 2 * PAGE, 10, 0),
	       "it arrives readable and writable (prot %d, max %d)", r.prot,
	       r.max);
	if (ok)
		((volatile char *)m.o.d[0].addr)[0] = 0;
	ok = region_at(T, ro, &r) == 0;
	tap_ok(ok && r.prot == VM_PROT_READ &&
	           is_byte_pattern((void *)ro, 2 * PAGE, 10, 0),
	       "the source stays READ and unchanged (%d)", r.prot);
	(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, 2 * PAGE);
	it = ool_item((void *)ro, 2 * PAGE, 1);
	/* GNU Mach: deallocate needs no write access to the source. */
	tap_expect(send_ool(p, 1, &it, 1), 0,
	           "send from a read-only region with deallocate TRUE");
	tap_ok(page_readable(T, ro) == KERN_INVALID_ADDRESS,
	       "the read-only range is gone");
	tap_expect(receive(p, &m), 0, "receive it");
	tap_ok(m.o.d[0].addr && is_byte_pattern(m.o.d[0].addr, 2 * PAGE, 10, 0),
	       "the data arrived");
	(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, 2 * PAGE);

	(void)vm_protect(T, no, PAGE, FALSE, VM_PROT_NONE);
	it = ool_item((void *)no, PAGE, 0);
	/* GNU Mach: memory without read access cannot be sent. */
	tap_expect(send_ool(p, 1, &it, 1), MACH_SEND_INVALID_MEMORY,
	           "send from a VM_PROT_NONE page: MACH_SEND_INVALID_MEMORY");
	(void)vm_deallocate(T, no, PAGE);
	it = ool_item((void *)no, PAGE, 0);
	tap_expect(send_ool(p, 1, &it, 1), MACH_SEND_INVALID_MEMORY,
	           "send from an unmapped page: MACH_SEND_INVALID_MEMORY");
	/* GNU Mach: a range running into a hole is refused as a whole,
	 * and deallocate then removes nothing. */
	z = alloc(T, 3 * PAGE);
	fill_bytes((void *)z, 3 * PAGE, 11);
	(void)vm_deallocate(T, z + PAGE, PAGE);
	it = ool_item((void *)z, 3 * PAGE, 1);
	tap_expect(send_ool(p, 1, &it, 1), MACH_SEND_INVALID_MEMORY,
	           "send across a hole with deallocate TRUE: "
	           "MACH_SEND_INVALID_MEMORY");
	tap_ok(is_byte_pattern((void *)z, PAGE, 11, 0) &&
	           is_byte_pattern((void *)(z + 2 * PAGE), PAGE, 11, 2 * PAGE),
	       "the pages around the hole stay");
	(void)vm_deallocate(T, z, 3 * PAGE);

	z = alloc(T, PAGE);
	fill_bytes((void *)z, PAGE, 11);
	it = ool_item((void *)z, 0, 1);
	tap_expect(send_ool(p, 1, &it, 1), 0,
	           "send 0 bytes (with deallocate TRUE)");
	tap_expect(receive(p, &m), 0, "receive them");
	/* GNU Mach: an empty item arrives as a null address; deallocate
	 * of nothing leaves the sender's page alone. */
	tap_ok(m.o.d[0].addr == NULL && m.o.d[0].t.msgt_number == 0,
	       "an empty item arrives as address 0 (%p)", m.o.d[0].addr);
	tap_ok(page_readable(T, z) == 0 &&
	           is_byte_pattern((void *)z, PAGE, 11, 0),
	       "the sender's page stays");
	(void)vm_deallocate(T, z, PAGE);
}

/* How long the data lives: past the sender's own deallocation, through
 * forwarding, and once per send of a buffer changed in between. */
static void check_lifetimes(mach_port_t p)
{
	vm_address_t buf = alloc(T, 8 * PAGE), fwd;
	mach_port_t q = machr_new_receive();
	union any_msg m;
	struct item it = ool_item((void *)buf, 8 * PAGE, 0);
	int ok = 1;

	fill_bytes((void *)buf, 8 * PAGE, 16);
	tap_expect(send_ool(p, 1, &it, 1), 0, "send 8 pages");
	tap_expect(vm_deallocate(T, buf, 8 * PAGE), 0,
	           "the sender deallocates them before they are received");
	tap_expect(receive(p, &m), 0, "receive");
	/* GNU Mach: the message holds its own copy. */
	tap_ok(m.o.d[0].addr && is_byte_pattern(m.o.d[0].addr, 8 * PAGE, 16, 0),
	       "the data is whole");
	fwd = (vm_address_t)m.o.d[0].addr;
	it = ool_item((void *)fwd, 8 * PAGE, 1);
	tap_expect(send_ool(q, 1, &it, 1), 0,
	           "forward the received pages with deallocate TRUE");
	tap_expect(receive(q, &m), 0, "receive them again");
	tap_ok(page_readable(T, fwd) == KERN_INVALID_ADDRESS ||
	           fwd == (vm_address_t)m.o.d[0].addr,
	       "the forwarder's range is gone (or reused for the new copy)");
	tap_ok(m.o.d[0].addr && is_byte_pattern(m.o.d[0].addr, 8 * PAGE, 16, 0),
	       "the data is whole");
	(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, 8 * PAGE);

	/* Four sends of one buffer, a word of every page changed between
	 * them (the default queue limit is 5). */
	buf = alloc(T, 16 * PAGE);
	fill_bytes((void *)buf, 16 * PAGE, 17);
	for (uint64_t k = 0; k < 4; k++) {
		for (size_t pg = 0; pg < 16; pg++)
			((volatile uint64_t *)(buf + pg * PAGE))[1] = k;
		it = ool_item((void *)buf, 16 * PAGE, 0);
		ok &= send_ool(q, 1, &it, 1) == 0;
	}
	tap_ok(ok, "four sends of a buffer changed in between");
	for (uint64_t k = 0; k < 4; k++) {
		ok &= receive(q, &m) == 0 && m.o.d[0].addr != NULL;
		for (size_t pg = 0; ok && pg < 16; pg++)
			ok = ((uint64_t *)((char *)m.o.d[0].addr +
			                   pg * PAGE))[1] == k &&
			     ((uint64_t *)((char *)m.o.d[0].addr +
			                   pg * PAGE))[2] ==
			         *(uint64_t *)(buf + pg * PAGE + 16);
		(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, 16 * PAGE);
	}
	/* GNU Mach: each message holds the buffer as it was at its send. */
	tap_ok(ok, "each message holds the buffer as at its send");
	(void)vm_deallocate(T, buf, 16 * PAGE);
	(void)mach_port_destroy(T, q);
}

/*
 * Out-of-line data taken from pages shared with a child (SHARE), or
 * copy-on-write with one (COPY): the message holds the data at the send
 * whoever writes afterwards, and SHARE pages stay shared.
 */
static void check_inherited_source(mach_port_t p, vm_inherit_t mode)
{
	const char *what = mode == VM_INHERIT_SHARE ? "SHARE" : "COPY";
	vm_address_t buf = alloc(T, 8 * PAGE), other = alloc(T, PAGE);
	mach_port_t c = MACH_PORT_NULL;
	union any_msg m;
	struct item it = ool_item((void *)buf, 8 * PAGE, 0);
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	int ok;

	fill_bytes((void *)buf, 8 * PAGE, 20);
	fill_bytes((void *)other, PAGE, 21);
	(void)vm_inherit(T, buf, 8 * PAGE, mode);
	tap_expect(task_create(T, TRUE, &c), 0, "%s: a child", what);
	tap_expect(send_ool(p, 1, &it, 1), 0,
	           "%s: send 8 pages the child inherited", what);
	((volatile unsigned char *)buf)[7] = 0x77;
	ok = vm_write(c, buf + 3 * PAGE, other, PAGE) == 0;
	tap_expect(receive(p, &m), 0, "%s: receive them", what);
	/* GNU Mach: the data at the send, neither side's later writes. */
	tap_ok(ok && m.o.d[0].addr &&
	           is_byte_pattern(m.o.d[0].addr, 8 * PAGE, 20, 0),
	       "%s: the message holds the data at the send", what);
	ok = vm_read(c, buf, PAGE, &data, &n) == 0;
	/* GNU Mach: SHARE pages stay shared after the send (each side
	 * sees the other's write), COPY pages stay apart. */
	if (mode == VM_INHERIT_SHARE)
		tap_ok(
		    ok && ((unsigned char *)data)[7] == 0x77 &&
		        is_byte_pattern((void *)(buf + 3 * PAGE), PAGE, 21, 0),
		    "SHARE: the pages are still shared");
	else
		tap_ok(ok && ((unsigned char *)data)[7] == pat_byte(20, 7) &&
		           is_byte_pattern((void *)(buf + 3 * PAGE), PAGE, 20,
		                           3 * PAGE),
		       "COPY: the pages are still apart");
	if (ok)
		(void)vm_deallocate(T, data, n);
	(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, 8 * PAGE);
	(void)task_terminate(c);
	(void)mach_port_deallocate(T, c);
	(void)vm_deallocate(T, buf, 8 * PAGE);
	(void)vm_deallocate(T, other, PAGE);
}

/*
 * No page is kept once the copies are gone: 16 round trips of 1 MiB
 * (received and deallocated) and 16 MiB sent to a port destroyed with
 * the messages queued.
 */
static void check_pages_return(mach_port_t p)
{
	vm_address_t buf = alloc(T, MIB);
	struct vm_statistics before, after;
	union any_msg m;
	struct item it = ool_item((void *)buf, MIB, 0);
	int ok = 1;

	fill_bytes((void *)buf, MIB, 19);
	(void)vm_statistics(T, &before);
	for (int i = 0; i < 16; i++) {
		((volatile unsigned char *)buf)[i * PAGE] = (unsigned char)i;
		ok &= send_ool(p, 1, &it, 1) == 0 && receive(p, &m) == 0 &&
		      m.o.d[0].addr &&
		      ((unsigned char *)m.o.d[0].addr)[i * PAGE] == i;
		(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, MIB);
	}
	for (int round = 0; round < 4; round++) {
		mach_port_t q = machr_new_receive();
		for (int i = 0; i < 4; i++)
			ok &= send_ool(q, 1, &it, 1) == 0;
		(void)mach_port_destroy(T, q);
	}
	(void)vm_statistics(T, &after);
	tap_ok(ok, "16 round trips of 1 MiB, 16 MiB queued to ports then "
	           "destroyed");
	/* GNU Mach: the free page count is back (within 128 pages of
	 * kernel caches; a leak would be 256 pages per MiB). */
	tap_ok(after.free_count + 128 >= before.free_count,
	       "the pages come back: free before %d, after %d",
	       before.free_count, after.free_count);
	(void)vm_deallocate(T, buf, MIB);
}

static void check_other_task(void)
{
	mach_port_t c = MACH_PORT_NULL, in, th = MACH_PORT_NULL;
	vm_address_t buf = alloc(T, 3 * PAGE), got;
	union any_msg m;
	struct item it;
	struct cmd k;
	kern_return_t kr;
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	int ok;

	fill_bytes(child_src, sizeof(child_src), 12);
	kr = task_create(T, TRUE, &c);
	in = machr_new_receive();
	(void)mach_port_insert_right(T, in, in, MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = mach_port_insert_right(c, CHILD_REPORT, report_port,
		                            MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = mach_port_insert_right(c, CHILD_INBOX, in,
		                            MACH_MSG_TYPE_MOVE_RECEIVE);
	if (kr == KERN_SUCCESS)
		kr = machr_task_thread_start(c, worker, NULL, &th);
	tap_expect(kr, 0, "a child task with a worker thread");
	fill_bytes(child_src, sizeof(child_src), 13);

	fill_bytes((void *)buf, 3 * PAGE, 14);
	it = ool_item((void *)(buf + 123), 2 * PAGE, 0);
	tap_expect(send_ool(in, 0, &it, 1), 0,
	           "send 2 pages from offset 123 to the child");
	fill_bytes((void *)buf, 3 * PAGE, 15);
	tap_expect(receive(report_port, &m), 0, "the child answers");
	got = m.c.w[0];
	/* GNU Mach: the child gets the data at send time at offset 123. */
	tap_ok((got & (PAGE - 1)) == 123 && m.c.w[1] == 2 * PAGE &&
	           m.c.w[2] == pattern_sum(14, 123, 2 * PAGE),
	       "it got our bytes at send time, at offset 123 (%#lx)",
	       (unsigned long)got);
	/* GNU Mach: its write (0xee at the first byte) stays in the
	 * child. */
	ok = vm_read(c, got & ~(PAGE - 1), PAGE, &data, &n) == 0;
	tap_ok(ok && ((unsigned char *)data)[123] == 0xee &&
	           ((volatile unsigned char *)buf)[123] == pat_byte(15, 123),
	       "its write to its copy stays there");
	if (ok)
		(void)vm_deallocate(T, data, n);

	it = ool_item((void *)buf, 3 * PAGE, 1);
	tap_expect(send_ool(in, 0, &it, 1), 0,
	           "send 3 pages to the child with deallocate TRUE");
	tap_ok(page_readable(T, buf) == KERN_INVALID_ADDRESS,
	       "they are gone from here");
	tap_expect(receive(report_port, &m), 0, "the child answers");
	tap_ok(m.c.w[1] == 3 * PAGE && m.c.w[2] == pattern_sum(15, 0, 3 * PAGE),
	       "it got them whole");

	cmd_init(&k, in, OP_SEND_OOL, (uint64_t)child_src + 10, 2 * PAGE);
	(void)mach_msg(&k.h, MACH_SEND_MSG, CMD_SIZE, 0, MACH_PORT_NULL, 0,
	               MACH_PORT_NULL);
	tap_expect(receive(report_port, &m), 0,
	           "the child sends us 2 pages of its memory from offset 10");
	/* GNU Mach: its copy as at the fork, at offset 10 of our page. */
	tap_ok(m.h.msgh_id == ID_OOL && m.o.d[0].addr &&
	           ((vm_address_t)m.o.d[0].addr & (PAGE - 1)) == 10 &&
	           is_byte_pattern(m.o.d[0].addr, 2 * PAGE, 12, 10),
	       "we get its bytes, at offset 10 (%p)", m.o.d[0].addr);
	if (m.o.d[0].addr)
		memset(m.o.d[0].addr, 0, 100);
	cmd_init(&k, in, OP_WRITE, (uint64_t)child_src + 200, 0x55);
	(void)mach_msg(&k.h, MACH_SEND_MSG, CMD_SIZE, 0, MACH_PORT_NULL, 0,
	               MACH_PORT_NULL);
	(void)receive(report_port, (union any_msg *)&k);
	ok = vm_read(c, (vm_address_t)child_src, PAGE, &data, &n) == 0;
	tap_ok(ok && is_byte_pattern((void *)(data + 10), 100, 12, 10) &&
	           ((unsigned char *)data)[200] == 0x55 && m.o.d[0].addr &&
	           ((unsigned char *)m.o.d[0].addr)[190] == pat_byte(12, 200),
	       "writes on either side afterwards stay on that side");
	if (ok)
		(void)vm_deallocate(T, data, n);
	(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, 2 * PAGE);

	cmd_init(&k, in, OP_SEND_OOL_DEALLOC, (uint64_t)child_src, 3 * PAGE);
	(void)mach_msg(&k.h, MACH_SEND_MSG, CMD_SIZE, 0, MACH_PORT_NULL, 0,
	               MACH_PORT_NULL);
	tap_expect(receive(report_port, &m), 0,
	           "the child sends us 3 pages with deallocate TRUE");
	tap_ok(m.o.d[0].addr && ((unsigned char *)m.o.d[0].addr)[200] == 0x55 &&
	           is_byte_pattern((char *)m.o.d[0].addr + PAGE, 2 * PAGE, 12,
	                           PAGE),
	       "we get them");
	/* GNU Mach: deallocate works for a sender in another task too. */
	tap_ok(page_readable(c, (vm_address_t)child_src + PAGE) ==
	           KERN_INVALID_ADDRESS,
	       "they are gone from the child");
	(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, 3 * PAGE);

	/* The child sends us its first received copy (0xee, then our
	 * pattern 14 from offset 124) and dies before we receive. */
	cmd_init(&k, in, OP_SEND_OOL, got, 2 * PAGE);
	(void)mach_msg(&k.h, MACH_SEND_MSG, CMD_SIZE, 0, MACH_PORT_NULL, 0,
	               MACH_PORT_NULL);
	ok = 0;
	for (int i = 0; i < 500 && !ok; i++) {
		mach_port_status_t st;
		memset(&st, 0, sizeof(st));
		(void)mach_port_get_receive_status(T, report_port, &st);
		ok = st.mps_msgcount == 1;
		if (!ok)
			machr_sleep_ms(10);
	}
	tap_expect(task_terminate(c), 0,
	           "the child sends us 2 pages and dies before we receive");
	/* GNU Mach: the message holds the data whatever became of the
	 * sender. */
	tap_expect(receive(report_port, &m), 0, "we receive them");
	tap_ok(
	    ok && m.o.d[0].addr && *(unsigned char *)m.o.d[0].addr == 0xee &&
	        pattern_sum(14, 124, 2 * PAGE - 1) ==
	            sum_bytes((unsigned char *)m.o.d[0].addr + 1, 2 * PAGE - 1),
	    "the data is whole (%p)", m.o.d[0].addr);
	(void)vm_deallocate(T, (vm_address_t)m.o.d[0].addr, 2 * PAGE);
	(void)mach_port_deallocate(T, c);
	(void)mach_port_deallocate(T, in);
	(void)mach_port_deallocate(T, th);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, p;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("vm-ool: no console\n");
	tap_plan(93);
	report_port = machr_new_receive();
	p = machr_new_receive();
	check_snapshot(p);
	check_deallocate(p);
	check_offset(p);
	check_big_and_many(p);
	check_sources(p);
	check_lifetimes(p);
	check_inherited_source(p, VM_INHERIT_SHARE);
	check_inherited_source(p, VM_INHERIT_COPY);
	check_pages_return(p);
	check_other_task();
	tap_finish(host_priv);
	return 0;
}
