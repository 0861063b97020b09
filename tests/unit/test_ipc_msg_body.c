/*
 * Unit tests of typed message bodies (kernel/ipc/copyin.c, copyout.c,
 * ool.c, kmsg.c): port rights with every disposition, null and dead
 * names, out-of-line data and port arrays, padding, the complex bit,
 * and a table of malformed items with GNU Mach's error for each, where
 * a refused message must leave nothing queued and nothing leaked.
 */
#include "ipc_msg_harness.h"

#include "ipc/ool.h"

/* sb receives on P; sa holds a send right to it (TO_P). */
static mach_port_name_t p, to_p;

static void pair(void)
{
	p = new_port(sb);
	to_p = give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
}

/* A message from sa to P with one item (descriptor T, DATA). */
static void one_item(struct umsg *m, mach_msg_type_t t, const void *data,
                     size_t bytes)
{
	unsigned at = 0;

	header(m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0);
	m->h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	add_item(m, &at, t, data, bytes);
	m->h.msgh_size = body_size(at);
}

/* ---- rights ---- */

struct disposition_case {
	unsigned disposition;
	unsigned carried;
	mach_port_type_t sender_after; /* the sender's name for the port */
	mach_port_type_t receiver_gets;
};

static const struct disposition_case dispositions[] = {
    {MACH_MSG_TYPE_MOVE_RECEIVE, MACH_MSG_TYPE_PORT_RECEIVE,
     MACH_PORT_TYPE_SEND, MACH_PORT_TYPE_RECEIVE},
    {MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_PORT_SEND, MACH_PORT_TYPE_RECEIVE,
     MACH_PORT_TYPE_SEND},
    {MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_PORT_SEND,
     MACH_PORT_TYPE_SEND_RECEIVE, MACH_PORT_TYPE_SEND},
    {MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_PORT_SEND,
     MACH_PORT_TYPE_SEND_RECEIVE, MACH_PORT_TYPE_SEND},
    {MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND_ONCE,
     MACH_PORT_TYPE_SEND_RECEIVE, MACH_PORT_TYPE_SEND_ONCE},
};

static void test_every_body_disposition(void **state)
{
	(void)state;
	pair();
	for (unsigned i = 0; i < ARRAY_SIZE(dispositions); i++) {
		const struct disposition_case *c = &dispositions[i];
		mach_port_name_t q = new_port(sa), got;
		uint64_t slot = q;
		struct umsg m;

		/* q: a receive right and one send uref in sa. */
		assert_int_equal(give_right(sa, q, MACH_MSG_TYPE_MAKE_SEND, sa),
		                 q);
		one_item(&m, type_of(c->disposition, 64, 1, true), &slot, 8);
		assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
		assert_int_equal(type_of_name(sa, q), c->sender_after);
		assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
		assert_true(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
		assert_int_equal(item_at(&m, 0)->msgt_name, c->carried);
		assert_int_equal(item_at(&m, 0)->msgt_size, 64);
		got = (mach_port_name_t)m.body[1];
		assert_true(m.body[1] <= UINT32_MAX); /* zero-extended */
		assert_int_equal(type_of_name(sb, got), c->receiver_gets);
		assert_int_equal(mach_port_destroy(sb, got), KERN_SUCCESS);
		(void)mach_port_destroy(sa, q);
	}
}

static void test_move_send_once_in_body(void **state)
{
	mach_port_name_t q = new_port(sa), so, got;
	uint64_t slot;
	struct umsg m;

	(void)state;
	pair();
	so = give_right(sa, q, MACH_MSG_TYPE_MAKE_SEND_ONCE, sa);
	slot = so;
	one_item(&m, type_of(MACH_MSG_TYPE_MOVE_SEND_ONCE, 64, 1, true), &slot,
	         8);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(type_of_name(sa, so), 0);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(item_at(&m, 0)->msgt_name,
	                 MACH_MSG_TYPE_PORT_SEND_ONCE);
	got = (mach_port_name_t)m.body[1];
	assert_int_equal(type_of_name(sb, got), MACH_PORT_TYPE_SEND_ONCE);
	assert_int_equal(status(sa, q).mps_sorights, 1);
}

static void test_null_and_dead_names_travel_as_such(void **state)
{
	mach_port_name_t q = new_port(sa);
	mach_port_name_t x = new_port(sb);
	mach_port_name_t dead = give_right(sb, x, MACH_MSG_TYPE_MAKE_SEND, sa);
	uint64_t slots[4];
	struct umsg m;

	(void)state;
	pair();
	assert_int_equal(mach_port_destroy(sb, x), KERN_SUCCESS);
	slots[0] = MACH_PORT_NULL;
	slots[1] = MACH_PORT_DEAD;
	slots[2] = q;
	slots[3] = dead; /* a send right whose port died */
	one_item(&m, type_of(MACH_MSG_TYPE_COPY_SEND, 64, 4, true), slots, 32);
	slots[2] = 0;
	assert_int_equal(give_right(sa, q, MACH_MSG_TYPE_MAKE_SEND, sa), q);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.body[1], MACH_PORT_NULL);
	assert_int_equal(m.body[2], MACH_PORT_DEAD);
	assert_int_equal(type_of_name(sb, (mach_port_name_t)m.body[3]),
	                 MACH_PORT_TYPE_SEND);
	assert_int_equal(m.body[4], MACH_PORT_DEAD);
}

static void test_port_items_without_complex_bit_are_data(void **state)
{
	mach_port_name_t q = new_port(sa);
	uint64_t slot = q | 0xdead00000000ULL;
	struct umsg m;

	(void)state;
	pair();
	one_item(&m, type_of(MACH_MSG_TYPE_MOVE_RECEIVE, 64, 1, true), &slot,
	         8);
	m.h.msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(type_of_name(sa, q), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_false(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	assert_int_equal(item_at(&m, 0)->msgt_name, MACH_MSG_TYPE_MOVE_RECEIVE);
	assert_true(m.body[1] == (q | 0xdead00000000ULL));
}

static void test_complex_bit_cleared_without_rights_or_memory(void **state)
{
	uint32_t v = 0x12345678;
	struct umsg m;

	(void)state;
	pair();
	one_item(&m, type_of(MACH_MSG_TYPE_INTEGER_32, 32, 1, true), &v, 4);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_false(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	assert_int_equal((uint32_t)m.body[1], 0x12345678);
}

static void test_unknown_types_travel_as_data(void **state)
{
	static const unsigned names[] = {99, MACH_MSG_TYPE_PORT_NAME, 22,
	                                 MACH_MSG_TYPE_PROTECTED_PAYLOAD, 255};
	struct umsg m;

	(void)state;
	pair();
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		uint64_t v = 0x4321;

		one_item(&m, type_of(names[i], 64, 1, true), &v, 8);
		assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
		assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
		assert_int_equal(item_at(&m, 0)->msgt_name, names[i]);
		assert_int_equal(m.body[1], 0x4321);
	}
}

static void test_inline_items_are_padded_to_eight_bytes(void **state)
{
	const char chars[3] = {'a', 'b', 'c'};
	const uint32_t i32 = 0xcafef00d;
	const uint16_t i16[3] = {1, 2, 3};
	const uint8_t bits[2] = {0xff, 0x01};
	const uint64_t i64 = 0x0123456789abcdefULL;
	struct umsg m;
	unsigned at = 0;
	mach_msg_type_t t;

	(void)state;
	pair();
	header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0);
	add_item(&m, &at, type_of(MACH_MSG_TYPE_CHAR, 8, 3, true), chars, 3);
	add_item(&m, &at, type_of(MACH_MSG_TYPE_INTEGER_32, 32, 1, true), &i32,
	         4);
	add_item(&m, &at, type_of(MACH_MSG_TYPE_INTEGER_16, 16, 3, true), i16,
	         6);
	add_item(&m, &at, type_of(MACH_MSG_TYPE_BIT, 1, 9, true), bits, 2);
	t = type_of(MACH_MSG_TYPE_INTEGER_64, 64, 1, true);
	t.msgt_longform = 1; /* the long form is the same 8 bytes */
	add_item(&m, &at, t, &i64, 8);
	assert_int_equal(at, 10);
	m.h.msgh_size = body_size(at);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_size, body_size(10));
	assert_memory_equal(&m.body[1], chars, 3);
	assert_memory_equal(&m.body[3], &i32, 4);
	assert_memory_equal(&m.body[5], i16, 6);
	assert_memory_equal(&m.body[7], bits, 2);
	assert_memory_equal(&m.body[9], &i64, 8);
	assert_int_equal(item_at(&m, 8)->msgt_longform, 1);
}

/* ---- malformed items ---- */

enum data_kind {
	D_NONE,
	D_GOOD_OOL,  /* a readable out-of-line region */
	D_BAD_OOL,   /* a region that faults */
	D_NULL_OOL,  /* pointer 0 */
	D_WRAP_OOL,  /* a region that wraps past the top of the address space */
	D_PORT_NAME, /* an 8-byte slot with the name of R (receive right) */
	D_UNUSED,    /* an 8-byte slot with an unused name */
	D_SEND_NAME, /* an 8-byte slot with the name of a send-only right */
	D_BAD_ARRAY, /* an out-of-line port array holding an unused name */
};

struct bad_item {
	const char *what;
	unsigned name, size, number;
	bool is_inline;
	unsigned extra; /* bits: 1 unused, 2 deallocate */
	enum data_kind data;
	unsigned words; /* body words after the descriptor */
	mach_msg_return_t want;
};

static const struct bad_item bad_items[] = {
    {"inline port of 32 bits", MACH_MSG_TYPE_COPY_SEND, 32, 1, true, 0,
     D_PORT_NAME, 1, MACH_SEND_INVALID_TYPE},
    {"out-of-line ports of 64 bits", MACH_MSG_TYPE_COPY_SEND, 64, 1, false, 0,
     D_GOOD_OOL, 1, MACH_SEND_INVALID_TYPE},
    {"unused bits set", MACH_MSG_TYPE_INTEGER_32, 32, 1, true, 1, D_NONE, 1,
     MACH_SEND_INVALID_TYPE},
    {"deallocate on inline data", MACH_MSG_TYPE_INTEGER_32, 32, 1, true, 2,
     D_NONE, 1, MACH_SEND_INVALID_TYPE},
    {"inline data past the end", MACH_MSG_TYPE_INTEGER_32, 32, 3, true, 0,
     D_NONE, 1, MACH_SEND_MSG_TOO_SMALL},
    {"a huge count", MACH_MSG_TYPE_INTEGER_64, 64, 0xffffffffu, true, 0, D_NONE,
     1, MACH_SEND_MSG_TOO_SMALL},
    {"ports past the end", MACH_MSG_TYPE_COPY_SEND, 64, 2, true, 0, D_PORT_NAME,
     1, MACH_SEND_MSG_TOO_SMALL},
    {"no room for the pointer", MACH_MSG_TYPE_BYTE, 8, 10, false, 0, D_NONE, 0,
     MACH_SEND_MSG_TOO_SMALL},
    {"unreadable out-of-line data", MACH_MSG_TYPE_BYTE, 8, 100, false, 0,
     D_BAD_OOL, 1, MACH_SEND_INVALID_MEMORY},
    {"null out-of-line pointer", MACH_MSG_TYPE_BYTE, 8, 100, false, 0,
     D_NULL_OOL, 1, MACH_SEND_INVALID_MEMORY},
    {"out-of-line region wrapping around", MACH_MSG_TYPE_BYTE, 8, 0x2000, false,
     0, D_WRAP_OOL, 1, MACH_SEND_INVALID_MEMORY},
    {"out-of-line data too large", MACH_MSG_TYPE_INTEGER_64, 64,
     OOL_SIZE_MAX / 8 + 1, false, 0, D_GOOD_OOL, 1, MACH_SEND_NO_BUFFER},
    {"unreadable port array", MACH_MSG_TYPE_COPY_SEND, 32, 4, false, 0,
     D_BAD_OOL, 1, MACH_SEND_INVALID_MEMORY},
    {"port array too large", MACH_MSG_TYPE_COPY_SEND, 32, KBUF_MAX, false, 0,
     D_GOOD_OOL, 1, MACH_SEND_INVALID_MEMORY},
    {"right on an unused name", MACH_MSG_TYPE_COPY_SEND, 64, 1, true, 0,
     D_UNUSED, 1, MACH_SEND_INVALID_RIGHT},
    {"COPY_SEND on a receive right", MACH_MSG_TYPE_COPY_SEND, 64, 1, true, 0,
     D_PORT_NAME, 1, MACH_SEND_INVALID_RIGHT},
    {"MOVE_RECEIVE on a send right", MACH_MSG_TYPE_MOVE_RECEIVE, 64, 1, true, 0,
     D_SEND_NAME, 1, MACH_SEND_INVALID_RIGHT},
    {"MOVE_SEND_ONCE on a receive right", MACH_MSG_TYPE_MOVE_SEND_ONCE, 64, 1,
     true, 0, D_PORT_NAME, 1, MACH_SEND_INVALID_RIGHT},
    {"a port array with an unused name", MACH_MSG_TYPE_MAKE_SEND, 32, 3, false,
     0, D_BAD_ARRAY, 1, MACH_SEND_INVALID_RIGHT},
};

static void test_malformed_item_matrix(void **state)
{
	static char region[4 * 4096] __attribute__((aligned(4096)));

	(void)state;
	pair();
	for (unsigned i = 0; i < ARRAY_SIZE(bad_items); i++) {
		const struct bad_item *c = &bad_items[i];
		mach_port_name_t r = new_port(sa), x = new_port(sa);
		mach_port_name_t sx =
		    give_right(sa, x, MACH_MSG_TYPE_MAKE_SEND, sa);
		uint32_t names[3] = {r, MACH_PORT_NULL, 0x4321};
		uint64_t slots[2];
		mach_msg_type_t t;
		struct umsg m;
		unsigned at = 0;
		mach_msg_return_t mr;

		assert_int_equal(sx, x);
		/* A first item that takes rights, to be given back. */
		header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0);
		m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
		slots[0] = r;
		slots[1] = x;
		add_item(&m, &at,
		         type_of(MACH_MSG_TYPE_MAKE_SEND_ONCE, 64, 1, true),
		         &slots[0], 8);
		add_item(&m, &at, type_of(MACH_MSG_TYPE_COPY_SEND, 64, 1, true),
		         &slots[1], 8);

		t = type_of(c->name, c->size, c->number, c->is_inline);
		t.msgt_unused = (c->extra & 1) ? 4 : 0;
		t.msgt_deallocate = (c->extra & 2) != 0;
		switch (c->data) {
		case D_GOOD_OOL:
			slots[0] = (uint64_t)(uintptr_t)region;
			break;
		case D_BAD_OOL:
			slots[0] = (uint64_t)(uintptr_t)region + 4096;
			host_copyio_fault_range(region + 4096, 4096);
			break;
		case D_NULL_OOL:
			slots[0] = 0;
			break;
		case D_WRAP_OOL:
			slots[0] = UINT64_MAX - 0xfff;
			break;
		case D_PORT_NAME:
			slots[0] = r;
			break;
		case D_UNUSED:
			slots[0] = 0x4321;
			break;
		case D_SEND_NAME:
			slots[0] =
			    give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
			break;
		case D_BAD_ARRAY:
			slots[0] = (uint64_t)(uintptr_t)names;
			break;
		default:
			slots[0] = 0x55;
		}
		add_item(&m, &at, t, slots, 8 * c->words);
		m.h.msgh_size = body_size(at);
		mr = msend(sa, &m);
		host_copyio_reset();
		if (mr != c->want)
			fail_msg("%s: %#x, expected %#x", c->what, mr, c->want);
		/* Nothing queued; the first item's rights are gone again:
		 * the send-once right came back as a notification. */
		assert_int_equal(status(sb, p).mps_msgcount, 0);
		assert_int_equal(refs(sa, x, MACH_PORT_RIGHT_SEND), 1);
		assert_int_equal(mrecv(sa, &m, r), MACH_MSG_SUCCESS);
		assert_int_equal(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
		assert_int_equal(status(sa, r).mps_sorights, 0);
		assert_int_equal(mach_port_destroy(sa, r), KERN_SUCCESS);
		assert_int_equal(mach_port_destroy(sa, x), KERN_SUCCESS);
	}
}

/* ---- out-of-line memory ---- */

static void test_out_of_line_data_keeps_its_page_offset(void **state)
{
	const uint32_t n = 3 * 4096 - 100;
	unsigned char *buf = vm_region(&vm_a, 3 * 4096), *got;
	uint64_t ptr = (uint64_t)(uintptr_t)(buf + 100);
	struct umsg m;

	(void)state;
	pair();
	for (int i = 0; i < 3 * 4096; i++)
		buf[i] = (unsigned char)(i * 7);
	one_item(&m, type_of(MACH_MSG_TYPE_BYTE, 8, n, false), &ptr, 8);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(vm_a.deallocs, 0); /* no deallocate asked */
	memset(buf, 0, 3 * 4096);           /* the message has its copy */
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_true(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	assert_int_equal(item_at(&m, 0)->msgt_inline, 0);
	assert_int_equal(item_at(&m, 0)->msgt_deallocate, 1);
	assert_int_equal(item_at(&m, 0)->msgt_number, n);
	assert_int_equal(item_at(&m, 0)->msgt_size, 8);
	got = (unsigned char *)(uintptr_t)m.body[1];
	assert_int_equal(m.body[1] & 4095, 100);
	for (uint32_t i = 0; i < n; i++)
		if (got[i] != (unsigned char)((i + 100) * 7))
			fail_msg("byte %u differs", i);
	fake_deallocate(&vm_b, m.body[1], n);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)buf, 3 * 4096);
}

static void test_out_of_line_deallocate_moves_the_region(void **state)
{
	unsigned char *buf = vm_region(&vm_a, 8192);
	uint64_t ptr = (uint64_t)(uintptr_t)buf;
	mach_msg_type_t t = type_of(MACH_MSG_TYPE_INTEGER_32, 32, 2048, false);
	struct umsg m;

	(void)state;
	pair();
	memset(buf, 0x3c, 8192);
	t.msgt_deallocate = 1;
	one_item(&m, t, &ptr, 8);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(vm_a.deallocs, 1);
	assert_true(vm_a.last_dealloc_addr == ptr);
	assert_int_equal(vm_a.last_dealloc_size, 8192);
	assert_int_equal(vm_live(&vm_a), 0);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(((unsigned char *)(uintptr_t)m.body[1])[8191], 0x3c);
	fake_deallocate(&vm_b, m.body[1], 8192);
}

static void test_empty_out_of_line_item_is_a_null_pointer(void **state)
{
	uint64_t ptr = 0x1234; /* ignored: nothing to copy */
	struct umsg m;

	(void)state;
	pair();
	one_item(&m, type_of(MACH_MSG_TYPE_BYTE, 8, 0, false), &ptr, 8);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.body[1], 0);
	assert_int_equal(item_at(&m, 0)->msgt_deallocate, 1);
	assert_int_equal(vm_b.allocs, 0);
}

static void
test_empty_out_of_line_port_array_shows_its_carried_type(void **state)
{
	uint64_t ptr = 0;
	struct umsg m;

	(void)state;
	pair();
	/* GNU Mach (msg-ways module): COPY_SEND arrives as PORT_SEND, 32-bit
	 * names, even with nothing in the array.  Mach_R left the sender's
	 * disposition (19) in the descriptor. */
	one_item(&m, type_of(MACH_MSG_TYPE_COPY_SEND, 32, 0, false), &ptr, 8);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.body[1], 0);
	assert_int_equal(item_at(&m, 0)->msgt_name, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(item_at(&m, 0)->msgt_size, 32);
	assert_int_equal(item_at(&m, 0)->msgt_deallocate, 1);
}

static void test_large_out_of_line_data_is_intact(void **state)
{
	const uint32_t n = 300 * 1024 + 13;
	unsigned char *buf = malloc(n), *got;
	uint64_t ptr = (uint64_t)(uintptr_t)buf;
	struct umsg m;

	(void)state;
	pair();
	for (uint32_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i ^ (i >> 8));
	one_item(&m, type_of(MACH_MSG_TYPE_BYTE, 8, n, false), &ptr, 8);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	got = (unsigned char *)(uintptr_t)m.body[1];
	assert_memory_equal(got, buf, n);
	fake_deallocate(&vm_b, m.body[1], n);
	free(buf);
}

static void test_out_of_line_port_array(void **state)
{
	mach_port_name_t q = new_port(sa);
	uint32_t *names = vm_region(&vm_a, 4096), *got;
	uint64_t ptr = (uint64_t)(uintptr_t)names;
	mach_msg_type_t t = type_of(MACH_MSG_TYPE_MAKE_SEND, 32, 3, false);
	struct umsg m;

	(void)state;
	pair();
	names[0] = q;
	names[1] = MACH_PORT_NULL;
	names[2] = MACH_PORT_DEAD;
	t.msgt_deallocate = 1;
	one_item(&m, t, &ptr, 8);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(vm_live(&vm_a), 0); /* deallocated */
	assert_true(status(sa, q).mps_srights);
	assert_int_equal(mrecv(sb, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(item_at(&m, 0)->msgt_name, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(item_at(&m, 0)->msgt_size, 32);
	assert_int_equal(item_at(&m, 0)->msgt_number, 3);
	got = (uint32_t *)(uintptr_t)m.body[1];
	assert_int_equal(type_of_name(sb, got[0]), MACH_PORT_TYPE_SEND);
	assert_int_equal(got[1], MACH_PORT_NULL);
	assert_int_equal(got[2], MACH_PORT_DEAD);
	fake_deallocate(&vm_b, m.body[1], 12);
}

static void test_port_array_without_vm_releases_rights(void **state)
{
	mach_port_name_t q = new_port(sa);
	uint32_t names[2] = {q, q};
	uint64_t ptr = (uint64_t)(uintptr_t)names;
	struct umsg m;

	(void)state;
	pair();
	one_item(&m, type_of(MACH_MSG_TYPE_MAKE_SEND, 32, 2, false), &ptr, 8);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	vm_b.failing = 1;
	assert_int_equal(mrecv(sb, &m, p),
	                 MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE);
	assert_int_equal(m.body[1], 0);
	assert_int_equal(item_at(&m, 0)->msgt_size, 0);
	assert_false(status(sa, q).mps_srights);
}

static void test_out_of_line_copyout_failures(void **state)
{
	char data[64] = "out of line";
	uint64_t ptr = (uint64_t)(uintptr_t)data;
	uint32_t name = MACH_PORT_NULL;
	uint64_t nptr = (uint64_t)(uintptr_t)&name;
	struct umsg m;
	unsigned at = 0;

	(void)state;
	pair();
	header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_CHAR, 8, 64, false), &ptr, 8);
	add_item(&m, &at, type_of(MACH_MSG_TYPE_COPY_SEND, 32, 1, false), &nptr,
	         8);
	m.h.msgh_size = body_size(at);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	vm_b.failing = 1; /* the data does not fit; the array does */
	assert_int_equal(mrecv(sb, &m, p),
	                 MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE);
	assert_int_equal(m.body[1], 0);
	assert_int_equal(item_at(&m, 0)->msgt_size, 0);
	assert_int_equal(item_at(&m, 2)->msgt_size, 32);
	assert_int_equal(*(uint32_t *)(uintptr_t)m.body[3], MACH_PORT_NULL);
	fake_deallocate(&vm_b, m.body[3], 4);

	/* Memory the receiver gets but that cannot be written. */
	header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	at = 0;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_CHAR, 8, 64, false), &ptr, 8);
	m.h.msgh_size = body_size(at);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	host_copyio_fail_after(0);
	assert_int_equal(mrecv(sb, &m, p),
	                 MACH_RCV_BODY_ERROR | MACH_MSG_VM_KERNEL);
	host_copyio_reset();
	assert_int_equal(vm_live(&vm_b), 0);
}

static void test_port_array_that_cannot_be_written(void **state)
{
	mach_port_name_t q = new_port(sa);
	uint32_t names[2] = {q, MACH_PORT_NULL};
	uint64_t ptr = (uint64_t)(uintptr_t)names;
	struct umsg m;

	(void)state;
	pair();
	one_item(&m, type_of(MACH_MSG_TYPE_MAKE_SEND, 32, 2, false), &ptr, 8);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	host_copyio_fail_after(0);
	assert_int_equal(mrecv(sb, &m, p),
	                 MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE);
	host_copyio_reset();
	assert_int_equal(vm_live(&vm_b), 0);
}

static void test_space_termination_destroys_queued_bodies(void **state)
{
	mach_port_name_t q = new_port(sa);
	char data[5000];
	uint32_t names[3];
	uint64_t ptr = (uint64_t)(uintptr_t)data, slot = q;
	struct umsg m;
	unsigned at = 0;

	(void)state;
	pair();
	memset(data, 1, sizeof(data));
	header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_CHAR, 8, 5000, false), &ptr, 8);
	add_item(&m, &at, type_of(MACH_MSG_TYPE_MAKE_SEND, 64, 1, true), &slot,
	         8);
	/* An out-of-line port array, and an empty out-of-line item. */
	names[0] = q;
	names[1] = q;
	names[2] = MACH_PORT_NULL;
	ptr = (uint64_t)(uintptr_t)names;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_MAKE_SEND, 32, 3, false), &ptr,
	         8);
	add_item(&m, &at, type_of(MACH_MSG_TYPE_CHAR, 8, 0, false), &ptr, 8);
	m.h.msgh_size = body_size(at);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(status(sa, q).mps_mscount, 3);
	space_terminate(sb);
	assert_false(status(sa, q).mps_srights);
}

/* ---- receive rights in transit: cycles ---- */

/* Send the receive right WHAT (a name in sa) in a message to TO (a name
 * in sa with a send right). */
static mach_msg_return_t send_receive_right(mach_port_name_t to,
                                            mach_port_name_t what)
{
	uint64_t slot = what;
	struct umsg m;
	unsigned at = 0;

	header(&m, to, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0);
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_MOVE_RECEIVE, 64, 1, true),
	         &slot, 8);
	m.h.msgh_size = body_size(at);
	return msend(sa, &m);
}

static void test_a_cycle_of_ports_in_transit_is_destroyed(void **state)
{
	mach_port_name_t p[3], s[3];

	(void)state;
	for (int i = 0; i < 3; i++) {
		p[i] = new_port(sa);
		assert_int_equal(
		    give_right(sa, p[i], MACH_MSG_TYPE_MAKE_SEND, sa), p[i]);
		s[i] = give_right(sa, p[i], MACH_MSG_TYPE_MAKE_SEND, sb);
	}
	/* p0 travels to p1, p1 to p2: a chain, still receivable ... */
	assert_int_equal(send_receive_right(p[1], p[0]), MACH_MSG_SUCCESS);
	assert_int_equal(send_receive_right(p[2], p[1]), MACH_MSG_SUCCESS);
	assert_int_equal(type_of_name(sb, s[0]), MACH_PORT_TYPE_SEND);
	/* ... until p2 would travel to p0, closing the cycle: that message
	 * is destroyed, and with it every port of the chain. */
	assert_int_equal(send_receive_right(p[0], p[2]), MACH_MSG_SUCCESS);
	for (int i = 0; i < 3; i++)
		assert_int_equal(type_of_name(sb, s[i]),
		                 MACH_PORT_TYPE_DEAD_NAME);
}

static void test_a_received_right_leaves_transit(void **state)
{
	mach_port_name_t p = new_port(sa), q = new_port(sa), got;
	struct umsg m;

	(void)state;
	assert_int_equal(give_right(sa, q, MACH_MSG_TYPE_MAKE_SEND, sa), q);
	assert_int_equal(send_receive_right(q, p), MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sa, &m, q), MACH_MSG_SUCCESS);
	got = (mach_port_name_t)m.body[1];
	assert_int_equal(type_of_name(sa, got), MACH_PORT_TYPE_RECEIVE);
	/* Back home: sending q to it is no cycle any more. */
	assert_int_equal(give_right(sa, got, MACH_MSG_TYPE_MAKE_SEND, sa), got);
	assert_int_equal(send_receive_right(got, q), MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sa, &m, got), MACH_MSG_SUCCESS);
	/* q's receive right rejoins the name of our send right to it. */
	assert_int_equal(m.body[1], q);
	assert_int_equal(type_of_name(sa, q), MACH_PORT_TYPE_SEND_RECEIVE);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_every_body_disposition),
	    T(test_move_send_once_in_body),
	    T(test_null_and_dead_names_travel_as_such),
	    T(test_port_items_without_complex_bit_are_data),
	    T(test_complex_bit_cleared_without_rights_or_memory),
	    T(test_unknown_types_travel_as_data),
	    T(test_inline_items_are_padded_to_eight_bytes),
	    T(test_malformed_item_matrix),
	    T(test_out_of_line_data_keeps_its_page_offset),
	    T(test_out_of_line_deallocate_moves_the_region),
	    T(test_empty_out_of_line_item_is_a_null_pointer),
	    T(test_empty_out_of_line_port_array_shows_its_carried_type),
	    T(test_large_out_of_line_data_is_intact),
	    T(test_out_of_line_port_array),
	    T(test_port_array_without_vm_releases_rights),
	    T(test_out_of_line_copyout_failures),
	    T(test_port_array_that_cannot_be_written),
	    T(test_space_termination_destroys_queued_bodies),
	    T(test_a_cycle_of_ports_in_transit_is_destroyed),
	    T(test_a_received_right_leaves_transit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
