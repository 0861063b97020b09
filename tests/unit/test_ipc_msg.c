/*
 * Unit tests of mach_msg (kernel/ipc/msg.c, copyin.c, copyout.c,
 * mqueue.c) on one thread: header dispositions and what the receiver
 * sees, the checks and error codes of sends and receives, timeouts with
 * nothing to wait for, queue limits, too-large receives, sequence
 * numbers, protected payloads, copyout failures.  Kernel-sent messages
 * and messages that die are in test_ipc_msg_lifecycle.c.  Each test ends
 * with the leak check of ipc_msg_harness.h.
 */
#include "ipc_msg_harness.h"

#include "ipc/copyin.h"
#include "ipc/copyout.h"
#include "ipc/mqueue.h"

/* ---- the header ---- */

static void test_make_send_header_only_arrives_with_local_name(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct umsg m;

	(void)state;
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0, sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(status(sa, p).mps_msgcount, 1);
	assert_true(status(sa, p).mps_srights);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND));
	assert_int_equal(m.h.msgh_local_port, p);
	assert_int_equal(m.h.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(m.h.msgh_size, sizeof(m.h));
	assert_int_equal(m.h.msgh_id, 777);
	assert_int_equal(m.h.msgh_seqno, 0);
	/* The send right was used up by the delivery. */
	assert_false(status(sa, p).mps_srights);
	assert_int_equal(status(sa, p).mps_msgcount, 0);
	assert_int_equal(status(sa, p).mps_mscount, 1);
}

static void test_make_send_once_reply_gets_a_name_and_replies(void **state)
{
	mach_port_name_t p = new_port(sa), r = new_port(sa), so;
	struct umsg m;

	(void)state;
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, r, MACH_MSG_TYPE_MAKE_SEND_ONCE,
	       sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(status(sa, r).mps_sorights, 1);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE,
	                                MACH_MSG_TYPE_PORT_SEND));
	so = m.h.msgh_remote_port;
	assert_true(MACH_PORT_VALID(so) && so != r && so != p);
	assert_int_equal(type_of_name(sa, so), MACH_PORT_TYPE_SEND_ONCE);

	header(&m, so, MACH_MSG_TYPE_MOVE_SEND_ONCE, MACH_PORT_NULL, 0,
	       sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(type_of_name(sa, so), 0);
	assert_int_equal(mrecv(sa, &m, r), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
	assert_int_equal(m.h.msgh_local_port, r);
	assert_int_equal(status(sa, r).mps_sorights, 0);
}

static void test_copy_send_keeps_and_move_send_spends_urefs(void **state)
{
	mach_port_name_t p = new_port(sa);
	mach_port_name_t n = give_right(sa, p, MACH_MSG_TYPE_MAKE_SEND, sb);
	struct umsg m;

	(void)state;
	header(&m, n, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, sizeof(m.h));
	assert_int_equal(msend(sb, &m), MACH_MSG_SUCCESS);
	assert_int_equal(refs(sb, n, MACH_PORT_RIGHT_SEND), 1);
	header(&m, n, MACH_MSG_TYPE_MOVE_SEND, MACH_PORT_NULL, 0, sizeof(m.h));
	assert_int_equal(msend(sb, &m), MACH_MSG_SUCCESS);
	assert_int_equal(type_of_name(sb, n), 0); /* the last uref went */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
		assert_int_equal(m.h.msgh_bits,
		                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND));
		assert_int_equal(m.h.msgh_seqno, i);
	}
	assert_false(status(sa, p).mps_srights);
}

/* One row: remote and local dispositions and names -> the answer. */
enum name_kind {
	N_RECV,   /* a receive right (with no send right) */
	N_SEND,   /* a send right only */
	N_SONCE,  /* a send-once right */
	N_UNUSED, /* a name that denotes nothing */
	N_NULL,
	N_DEAD,
};

struct header_case {
	const char *what;
	unsigned rbits;
	enum name_kind remote;
	unsigned lbits;
	enum name_kind local;
	mach_msg_return_t want;
};

static const struct header_case header_cases[] = {
    {"remote 0", 0, N_RECV, 0, N_NULL, MACH_SEND_INVALID_HEADER},
    {"remote PORT_NAME", MACH_MSG_TYPE_PORT_NAME, N_RECV, 0, N_NULL,
     MACH_SEND_INVALID_HEADER},
    {"remote MOVE_RECEIVE", MACH_MSG_TYPE_MOVE_RECEIVE, N_RECV, 0, N_NULL,
     MACH_SEND_INVALID_HEADER},
    {"remote 22", 22, N_RECV, 0, N_NULL, MACH_SEND_INVALID_HEADER},
    {"remote PROTECTED_PAYLOAD", MACH_MSG_TYPE_PROTECTED_PAYLOAD, N_RECV, 0,
     N_NULL, MACH_SEND_INVALID_HEADER},
    {"remote 99", 99, N_RECV, 0, N_NULL, MACH_SEND_INVALID_HEADER},
    {"local 0 with a name", MACH_MSG_TYPE_MAKE_SEND, N_RECV, 0, N_RECV,
     MACH_SEND_INVALID_HEADER},
    {"local MOVE_RECEIVE", MACH_MSG_TYPE_MAKE_SEND, N_RECV,
     MACH_MSG_TYPE_MOVE_RECEIVE, N_RECV, MACH_SEND_INVALID_HEADER},
    {"local 99", MACH_MSG_TYPE_MAKE_SEND, N_RECV, 99, N_NULL,
     MACH_SEND_INVALID_HEADER},
    {"bad header before bad dest", 99, N_UNUSED, 0, N_NULL,
     MACH_SEND_INVALID_HEADER},
    {"MAKE_SEND on a send right", MACH_MSG_TYPE_MAKE_SEND, N_SEND, 0, N_NULL,
     MACH_SEND_INVALID_DEST},
    {"COPY_SEND on a receive right", MACH_MSG_TYPE_COPY_SEND, N_RECV, 0, N_NULL,
     MACH_SEND_INVALID_DEST},
    {"MOVE_SEND on a receive right", MACH_MSG_TYPE_MOVE_SEND, N_RECV, 0, N_NULL,
     MACH_SEND_INVALID_DEST},
    {"MOVE_SEND_ONCE on a send right", MACH_MSG_TYPE_MOVE_SEND_ONCE, N_SEND, 0,
     N_NULL, MACH_SEND_INVALID_DEST},
    {"MAKE_SEND_ONCE on a send-once right", MACH_MSG_TYPE_MAKE_SEND_ONCE,
     N_SONCE, 0, N_NULL, MACH_SEND_INVALID_DEST},
    {"unused destination", MACH_MSG_TYPE_COPY_SEND, N_UNUSED, 0, N_NULL,
     MACH_SEND_INVALID_DEST},
    {"null destination", MACH_MSG_TYPE_COPY_SEND, N_NULL, 0, N_NULL,
     MACH_SEND_INVALID_DEST},
    {"dead destination", MACH_MSG_TYPE_MOVE_SEND, N_DEAD, 0, N_NULL,
     MACH_SEND_INVALID_DEST},
    {"unused reply", MACH_MSG_TYPE_MAKE_SEND, N_RECV,
     MACH_MSG_TYPE_MAKE_SEND_ONCE, N_UNUSED, MACH_SEND_INVALID_REPLY},
    {"COPY_SEND reply on a receive right", MACH_MSG_TYPE_MAKE_SEND, N_RECV,
     MACH_MSG_TYPE_COPY_SEND, N_RECV, MACH_SEND_INVALID_REPLY},
    {"MOVE_SEND_ONCE reply on a send right", MACH_MSG_TYPE_MAKE_SEND, N_RECV,
     MACH_MSG_TYPE_MOVE_SEND_ONCE, N_SEND, MACH_SEND_INVALID_REPLY},
    {"unused dest and unused reply", MACH_MSG_TYPE_COPY_SEND, N_UNUSED,
     MACH_MSG_TYPE_MAKE_SEND_ONCE, N_UNUSED, MACH_SEND_INVALID_DEST},
    /* GNU Mach checks the reply before taking the destination. */
    {"wrong dest right and unused reply", MACH_MSG_TYPE_COPY_SEND, N_RECV,
     MACH_MSG_TYPE_MAKE_SEND_ONCE, N_UNUSED, MACH_SEND_INVALID_REPLY},
    {"MOVE_SEND_ONCE dest, MAKE_SEND_ONCE reply", MACH_MSG_TYPE_MOVE_SEND_ONCE,
     N_SONCE, MACH_MSG_TYPE_MAKE_SEND_ONCE, N_RECV, MACH_MSG_SUCCESS},
    {"COPY_SEND dest, MAKE_SEND reply", MACH_MSG_TYPE_COPY_SEND, N_SEND,
     MACH_MSG_TYPE_MAKE_SEND, N_RECV, MACH_MSG_SUCCESS},
    {"reply MACH_PORT_DEAD", MACH_MSG_TYPE_MAKE_SEND, N_RECV,
     MACH_MSG_TYPE_MOVE_SEND, N_DEAD, MACH_MSG_SUCCESS},
    {"reply null with a type", MACH_MSG_TYPE_MAKE_SEND, N_RECV,
     MACH_MSG_TYPE_MAKE_SEND_ONCE, N_NULL, MACH_MSG_SUCCESS},
};

/* A name of KIND in sa; distinct receive rights for remote and local. */
static mach_port_name_t name_of_kind(enum name_kind kind, mach_port_name_t p)
{
	switch (kind) {
	case N_RECV:
		return new_port(sa);
	case N_SEND:
		return give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
	case N_SONCE:
		return give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, sa);
	case N_UNUSED:
		return 0x4321;
	case N_NULL:
		return MACH_PORT_NULL;
	case N_DEAD:
	default:
		return MACH_PORT_DEAD;
	}
}

static void test_header_disposition_matrix(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(header_cases); i++) {
		const struct header_case *c = &header_cases[i];
		mach_port_name_t target = new_port(sb);
		mach_port_name_t remote = name_of_kind(c->remote, target);
		mach_port_name_t local = name_of_kind(c->local, target);
		mach_port_type_t rt = type_of_name(sa, remote);
		mach_port_type_t lt = type_of_name(sa, local);
		mach_port_urefs_t ru = refs(sa, remote, MACH_PORT_RIGHT_SEND);
		mach_msg_return_t mr;
		struct umsg m;

		header(&m, remote, c->rbits, local, c->lbits, sizeof(m.h));
		mr = msend(sa, &m);
		if (mr != c->want)
			fail_msg("%s: %#x, expected %#x", c->what, mr, c->want);
		if (mr != MACH_MSG_SUCCESS) {
			/* Refused: the sender's rights are untouched. */
			assert_int_equal(type_of_name(sa, remote), rt);
			assert_int_equal(type_of_name(sa, local), lt);
			assert_int_equal(refs(sa, remote, MACH_PORT_RIGHT_SEND),
			                 ru);
		}
		if (MACH_PORT_VALID(remote))
			(void)mach_port_destroy(sa, remote);
		if (MACH_PORT_VALID(local) && local != remote)
			(void)mach_port_destroy(sa, local);
		assert_int_equal(mach_port_destroy(sb, target), KERN_SUCCESS);
	}
}

/* Destination and reply the same name: GNU Mach's special cases. */
struct same_case {
	unsigned d, r;
	unsigned
	    urefs; /* send urefs the name holds besides its receive right */
	mach_msg_return_t want;
	unsigned urefs_after;
	unsigned reply_type; /* carried type of the reply */
};

static const struct same_case same_cases[] = {
    {MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 0,
     MACH_MSG_TYPE_PORT_SEND},
    {MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, 0,
     MACH_MSG_TYPE_PORT_SEND_ONCE},
    {MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 0,
     MACH_MSG_TYPE_PORT_SEND},
    {MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, 0,
     MACH_MSG_TYPE_PORT_SEND_ONCE},
    {MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND, 1, 0, 1,
     MACH_MSG_TYPE_PORT_SEND},
    {MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE, 1, 0, 0,
     MACH_MSG_TYPE_PORT_SEND_ONCE},
    {MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_COPY_SEND, 1, 0, 1,
     MACH_MSG_TYPE_PORT_SEND},
    {MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_COPY_SEND, 1, 0, 0,
     MACH_MSG_TYPE_PORT_SEND},
    {MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MOVE_SEND, 2, 0, 1,
     MACH_MSG_TYPE_PORT_SEND},
    {MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MOVE_SEND, 2, 0, 0,
     MACH_MSG_TYPE_PORT_SEND},
    {MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MOVE_SEND, 1,
     MACH_SEND_INVALID_DEST, 1, 0},
    {MACH_MSG_TYPE_MOVE_SEND_ONCE, MACH_MSG_TYPE_MAKE_SEND, 0,
     MACH_SEND_INVALID_DEST, 0, 0},
    {MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0,
     MACH_SEND_INVALID_REPLY, 0, 0},
    {MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_COPY_SEND, 0,
     MACH_SEND_INVALID_REPLY, 0, 0},
};

static void test_same_name_dest_and_reply_matrix(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(same_cases); i++) {
		const struct same_case *c = &same_cases[i];
		mach_port_name_t p = new_port(sa);
		mach_msg_return_t mr;
		struct umsg m;

		if (c->urefs != 0) {
			assert_int_equal(
			    give_right(sa, p, MACH_MSG_TYPE_MAKE_SEND, sa), p);
			if (c->urefs > 1)
				assert_int_equal(
				    mach_port_mod_refs(sa, p,
				                       MACH_PORT_RIGHT_SEND,
				                       (int)c->urefs - 1),
				    KERN_SUCCESS);
		}
		header(&m, p, c->d, p, c->r, sizeof(m.h));
		mr = msend(sa, &m);
		if (mr != c->want)
			fail_msg("case %u (%u, %u): %#x, expected %#x", i, c->d,
			         c->r, mr, c->want);
		assert_int_equal(refs(sa, p, MACH_PORT_RIGHT_SEND),
		                 c->urefs_after);
		if (mr == MACH_MSG_SUCCESS) {
			assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
			assert_int_equal(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits),
			                 c->reply_type);
			assert_int_equal(m.h.msgh_local_port, p);
			if (c->reply_type == MACH_MSG_TYPE_PORT_SEND)
				assert_int_equal(m.h.msgh_remote_port, p);
			else
				assert_int_equal(
				    type_of_name(sa, m.h.msgh_remote_port),
				    MACH_PORT_TYPE_SEND_ONCE);
		}
		assert_int_equal(mach_port_destroy(sa, p), KERN_SUCCESS);
	}
}

static void test_user_msgh_size_is_ignored(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct umsg m;

	(void)state;
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 9999);
	assert_int_equal(ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
	                              MACH_SEND_MSG, sizeof(m.h), 0, 0, 0, 0),
	                 MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_size, sizeof(m.h));
}

/* A send size and the answer mach_msg must give it. */
struct size_case {
	mach_msg_size_t size;
	mach_msg_return_t want;
};

/* mach_msg(OPTION) of a message to P (MAKE_SEND, its first body word
 * data) at each of the N CASES' sizes, receiving into RCV_SIZE bytes
 * from P when OPTION says so: each answer the case's. */
static void check_send_sizes(mach_port_name_t p, mach_msg_option_t option,
                             mach_msg_size_t rcv_size,
                             const struct size_case *cases, unsigned n)
{
	struct umsg m;

	for (unsigned i = 0; i < n; i++) {
		header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, cases[i].size);
		m.body[0] = 0x1122334455667788ULL; /* data, not an item */
		if (ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m, option,
		                 cases[i].size, rcv_size, p, 0,
		                 0) != cases[i].want)
			fail_msg("size %u: expected %#x", cases[i].size,
			         cases[i].want);
	}
}

static void test_send_size_checks(void **state)
{
	static const struct size_case cases[] = {
	    {0, MACH_SEND_MSG_TOO_SMALL},        {16, MACH_SEND_MSG_TOO_SMALL},
	    {31, MACH_SEND_MSG_TOO_SMALL},       {33, MACH_SEND_MSG_TOO_SMALL},
	    {35, MACH_SEND_MSG_TOO_SMALL},       {36, MACH_SEND_MSG_TOO_SMALL},
	    {44, MACH_SEND_MSG_TOO_SMALL},       {48, MACH_MSG_SUCCESS},
	    {KBUF_MAX + 8, MACH_SEND_NO_BUFFER},
	};
	mach_port_name_t p = new_port(sa);
	struct umsg m;

	(void)state;
	check_send_sizes(p, MACH_SEND_MSG | MACH_SEND_TIMEOUT, 0, cases,
	                 ARRAY_SIZE(cases));
	/* Nothing was taken for the refused ones. */
	assert_int_equal(status(sa, p).mps_mscount, 1);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_size, 48);
}

/* mach_msg(SEND|RCV), an RPC's call, gets its message in on the way
 * inlined in the trap (kmsg_get_part with one rotation of the size):
 * the same answers as the send alone, nothing taken when refused. */
static void test_rpc_send_size_checks(void **state)
{
	static const struct size_case cases[] = {
	    {0, MACH_SEND_MSG_TOO_SMALL},
	    {8, MACH_SEND_MSG_TOO_SMALL},
	    {24, MACH_SEND_MSG_TOO_SMALL},
	    {31, MACH_SEND_MSG_TOO_SMALL},
	    {33, MACH_SEND_MSG_TOO_SMALL},
	    {92, MACH_SEND_MSG_TOO_SMALL},
	    {100, MACH_SEND_MSG_TOO_SMALL},
	    {516, MACH_SEND_MSG_TOO_SMALL},
	    {0xffffffffu, MACH_SEND_MSG_TOO_SMALL},
	    {0xfffffff8u, MACH_SEND_NO_BUFFER},
	    {KBUF_MAX + 8, MACH_SEND_NO_BUFFER},
	};
	mach_port_name_t p = new_port(sa);

	(void)state;
	check_send_sizes(p, MACH_SEND_MSG | MACH_RCV_MSG, sizeof(struct umsg),
	                 cases, ARRAY_SIZE(cases));
	assert_int_equal(status(sa, p).mps_mscount, 0);
	assert_int_equal(status(sa, p).mps_msgcount, 0);
}

/* The size classes of that way below the one copy of a large body: a
 * spare buffer (up to 96 bytes), an allocated one: each message to
 * oneself comes back whole. */
static void test_rpc_to_self_every_size_class(void **state)
{
	static const mach_msg_size_t sizes[] = {32, 40, 96, 104, 504, 512, 520};
	mach_port_name_t p = new_port(sa);
	struct umsg m;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned words = (sizes[i] - sizeof(mach_msg_header_t)) / 8;

		header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, 1);
		for (unsigned w = 0; w < words; w++)
			m.body[w] = 0x5150000000000000ULL | (i << 16) | w;
		assert_int_equal(ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
		                              MACH_SEND_MSG | MACH_RCV_MSG,
		                              sizes[i], sizeof(m), p, 0, 0),
		                 MACH_MSG_SUCCESS);
		assert_int_equal(m.h.msgh_size, sizes[i]);
		assert_int_equal(m.h.msgh_local_port, p);
		assert_int_equal(m.h.msgh_id, 777);
		for (unsigned w = 0; w < words; w++)
			if (m.body[w] !=
			    (0x5150000000000000ULL | (i << 16) | w))
				fail_msg("size %u: word %u is %#llx", sizes[i],
				         w, (unsigned long long)m.body[w]);
	}
	assert_int_equal(status(sa, p).mps_msgcount, 0);
}

static void test_unreadable_message_is_invalid_data(void **state)
{
	mach_port_name_t p = new_port(sa);
	static struct umsg m;

	(void)state;
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h));
	host_copyio_fault_range((char *)&m + 8, 8);
	assert_int_equal(msend(sa, &m), MACH_SEND_INVALID_DATA);
	assert_int_equal(ipc_mach_msg(sa, 0, MACH_SEND_MSG, 32, 0, 0, 0, 0),
	                 MACH_SEND_INVALID_DATA);
	assert_int_equal(
	    ipc_mach_msg(sa, UINT64_MAX - 8, MACH_SEND_MSG, 32, 0, 0, 0, 0),
	    MACH_SEND_INVALID_DATA);
	host_copyio_reset();
	assert_int_equal(status(sa, p).mps_mscount, 0);
	assert_int_equal(status(sa, p).mps_msgcount, 0);
}

/* ---- receiving ---- */

static void test_receive_name_errors(void **state)
{
	mach_port_name_t p = new_port(sa), set = new_set(sa);
	mach_port_name_t s = give_right(sa, p, MACH_MSG_TYPE_MAKE_SEND, sb);
	mach_port_name_t q = new_port(sa);
	struct umsg m;

	(void)state;
	assert_int_equal(mrecv(sa, &m, 0x4321), MACH_RCV_INVALID_NAME);
	assert_int_equal(mrecv(sa, &m, MACH_PORT_NULL), MACH_RCV_INVALID_NAME);
	assert_int_equal(mrecv(sa, &m, MACH_PORT_DEAD), MACH_RCV_INVALID_NAME);
	assert_int_equal(mrecv(sb, &m, s), MACH_RCV_INVALID_NAME);
	assert_int_equal(mach_port_move_member(sa, q, set), KERN_SUCCESS);
	assert_int_equal(mrecv(sa, &m, q), MACH_RCV_IN_SET);
	assert_int_equal(mrecv(sa, &m, set), MACH_RCV_TIMED_OUT);
	assert_int_equal(mrecv(sa, &m, p), MACH_RCV_TIMED_OUT);
	space_terminate(sb);
	assert_int_equal(mrecv(sb, &m, s), MACH_RCV_INVALID_NAME);
}

static void test_receive_timeout_waits_that_long(void **state)
{
	mach_port_name_t p = new_port(sa), set = new_set(sa);
	uint64_t start = clock_now_ns();
	struct umsg m;

	(void)state;
	assert_int_equal(recv_opts(sa, &m, p, sizeof(m), MACH_RCV_TIMEOUT, 30),
	                 MACH_RCV_TIMED_OUT);
	assert_true(clock_now_ns() - start >= 30 * MS);
	start = clock_now_ns();
	assert_int_equal(
	    recv_opts(sa, &m, set, sizeof(m), MACH_RCV_TIMEOUT, 20),
	    MACH_RCV_TIMED_OUT);
	assert_true(clock_now_ns() - start >= 20 * MS);
}

static void test_too_large_without_rcv_large_destroys_it(void **state)
{
	mach_port_name_t p = new_port(sa), r = new_port(sa), q = new_port(sa);
	struct umsg m;

	(void)state;
	loaded_message(&m, p, r, q);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_true(status(sa, q).mps_srights);
	memset(&m, 0, sizeof(m));
	assert_int_equal(recv_opts(sa, &m, p, sizeof(m.h), MACH_RCV_TIMEOUT, 0),
	                 MACH_RCV_TOO_LARGE);
	/* The header tells what it was; everything it carried is gone. */
	assert_int_equal(m.h.msgh_size, body_size(2));
	assert_int_equal(m.h.msgh_local_port, p);
	assert_int_equal(m.h.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(m.h.msgh_bits & ~MACH_MSGH_BITS_COMPLEX,
	                 MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE,
	                                MACH_MSG_TYPE_PORT_SEND));
	assert_int_equal(m.body[0], 0); /* only the header was written */
	assert_int_equal(mrecv(sa, &m, p), MACH_RCV_TIMED_OUT);
	assert_false(status(sa, q).mps_srights);
	/* The unused reply right came back as a send-once notification. */
	assert_int_equal(mrecv(sa, &m, r), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	assert_int_equal(status(sa, r).mps_sorights, 0);
}

static void test_rcv_large_leaves_it_and_tells_the_size(void **state)
{
	mach_port_name_t p = new_port(sa), r = new_port(sa), q = new_port(sa);
	struct umsg m;

	(void)state;
	loaded_message(&m, p, r, q);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	memset(&m, 0, sizeof(m));
	assert_int_equal(recv_opts(sa, &m, p, sizeof(m.h),
	                           MACH_RCV_TIMEOUT | MACH_RCV_LARGE, 0),
	                 MACH_RCV_TOO_LARGE);
	assert_int_equal(m.h.msgh_size, body_size(2));
	assert_int_equal(m.h.msgh_bits, 0); /* nothing else written */
	assert_int_equal(status(sa, p).mps_msgcount, 1);
	assert_int_equal(recv_opts(sa, &m, p, body_size(2),
	                           MACH_RCV_TIMEOUT | MACH_RCV_LARGE, 0),
	                 MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_size, body_size(2));
	assert_int_equal(item_at(&m, 0)->msgt_name, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(m.body[1], q);
}

static void test_rcv_large_on_a_set(void **state)
{
	mach_port_name_t p = new_port(sa), r = new_port(sa), q = new_port(sa);
	mach_port_name_t set = new_set(sa);
	struct umsg m;

	(void)state;
	assert_int_equal(mach_port_move_member(sa, p, set), KERN_SUCCESS);
	loaded_message(&m, p, r, q);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(
	    recv_opts(sa, &m, set, 40, MACH_RCV_TIMEOUT | MACH_RCV_LARGE, 0),
	    MACH_RCV_TOO_LARGE);
	assert_int_equal(m.h.msgh_size, body_size(2));
	assert_int_equal(recv_opts(sa, &m, set, 40, MACH_RCV_TIMEOUT, 0),
	                 MACH_RCV_TOO_LARGE);
	assert_int_equal(m.h.msgh_local_port, p);
	assert_int_equal(mrecv(sa, &m, set), MACH_RCV_TIMED_OUT);
}

static void test_full_queue_times_out_and_gives_it_back(void **state)
{
	mach_port_name_t p = new_port(sa), r = new_port(sa), q = new_port(sa);
	struct umsg m;

	(void)state;
	assert_int_equal(mach_port_set_qlimit(sa, p, 1), KERN_SUCCESS);
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	loaded_message(&m, p, r, q);
	assert_int_equal(msend(sa, &m), MACH_SEND_TIMED_OUT);
	/* The message is back in the buffer, its rights in our space. */
	assert_int_equal(m.h.msgh_remote_port, p);
	assert_int_equal(MACH_MSGH_BITS_REMOTE(m.h.msgh_bits),
	                 MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(MACH_MSGH_BITS_LOCAL(m.h.msgh_bits),
	                 MACH_MSG_TYPE_PORT_SEND_ONCE);
	assert_int_equal(type_of_name(sa, m.h.msgh_local_port),
	                 MACH_PORT_TYPE_SEND_ONCE);
	assert_int_equal(refs(sa, p, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(item_at(&m, 0)->msgt_name, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(m.body[1], q);
	assert_int_equal(refs(sa, q, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(status(sa, p).mps_msgcount, 1);
}

static void test_send_once_destination_ignores_qlimit(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct umsg m;

	(void)state;
	assert_int_equal(mach_port_set_qlimit(sa, p, 0), KERN_SUCCESS);
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_SEND_TIMED_OUT);
	for (int i = 0; i < 3; i++) {
		header(&m, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, sizeof(m.h));
		assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	}
	assert_int_equal(status(sa, p).mps_msgcount, 3);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
}

static void test_seqno_counts_receives(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct umsg m;

	(void)state;
	assert_int_equal(mach_port_set_seqno(sa, p, 42), KERN_SUCCESS);
	for (int i = 0; i < 3; i++) {
		header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h));
		m.h.msgh_seqno = 999; /* ignored */
		assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
		assert_int_equal(m.h.msgh_seqno, 42 + i);
	}
	assert_int_equal(status(sa, p).mps_seqno, 45);
}

static void test_protected_payload_replaces_local_name(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct umsg m;

	(void)state;
	assert_int_equal(
	    mach_port_set_protected_payload(sa, p, 0xfeedface12345678ULL),
	    KERN_SUCCESS);
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(MACH_MSGH_BITS_LOCAL(m.h.msgh_bits),
	                 MACH_MSG_TYPE_PROTECTED_PAYLOAD);
	assert_true(m.h.msgh_protected_payload == 0xfeedface12345678ULL);
	assert_int_equal(mach_port_clear_protected_payload(sa, p),
	                 KERN_SUCCESS);
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
	assert_true(m.h.msgh_protected_payload == p);
}

static void test_unwritable_receive_buffer_loses_the_message(void **state)
{
	mach_port_name_t p = new_port(sa);
	static struct umsg m;

	(void)state;
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	host_copyio_fault_range(&m, sizeof(m));
	assert_int_equal(recv_opts(sa, &m, p, sizeof(m), MACH_RCV_TIMEOUT, 0),
	                 MACH_RCV_INVALID_DATA);
	host_copyio_reset();
	assert_int_equal(status(sa, p).mps_msgcount, 0);
	assert_false(status(sa, p).mps_srights);
}

/* Let SPACE hold no name beyond those it has. */
static void space_full(struct space *s)
{
	space_set_limit(s, s->count);
}

static void test_reply_that_does_not_fit_is_a_header_error(void **state)
{
	mach_port_name_t p = new_port(sb), r = new_port(sa);
	mach_port_name_t to_p = give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
	struct umsg m;

	(void)state;
	header(&m, to_p, MACH_MSG_TYPE_MOVE_SEND, r,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	space_full(sb);
	assert_int_equal(mrecv(sb, &m, p),
	                 MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE);
	assert_int_equal(m.h.msgh_local_port, p);
	assert_int_equal(m.h.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(status(sb, p).mps_msgcount, 0);
	/* The reply right was destroyed: a send-once notification. */
	assert_int_equal(mrecv(sa, &m, r), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
}

static void test_body_right_that_does_not_fit_is_a_body_error(void **state)
{
	mach_port_name_t p = new_port(sb), q = new_port(sa);
	mach_port_name_t to_p = give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
	struct umsg m;
	unsigned at = 0;
	uint64_t slots[2] = {q, q};

	(void)state;
	header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, body_size(3));
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_MAKE_SEND, 64, 2, true), slots,
	         16);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	space_full(sb);
	assert_int_equal(mrecv(sb, &m, p),
	                 MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE);
	assert_int_equal(m.h.msgh_local_port, p);
	assert_int_equal(m.h.msgh_size, body_size(3));
	assert_int_equal(item_at(&m, 0)->msgt_name, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(m.body[1], MACH_PORT_NULL);
	assert_int_equal(m.body[2], MACH_PORT_NULL);
	assert_false(status(sa, q).mps_srights);
}

static void test_out_of_line_without_vm_is_a_body_error(void **state)
{
	mach_port_name_t p = new_port(sb);
	mach_port_name_t to_p = give_right(sb, p, MACH_MSG_TYPE_MAKE_SEND, sa);
	char data[100];
	uint64_t ptr = (uint64_t)(uintptr_t)data;
	struct umsg m;
	unsigned at = 0;

	(void)state;
	memset(data, 7, sizeof(data));
	header(&m, to_p, MACH_MSG_TYPE_COPY_SEND, 0, 0, body_size(2));
	m.h.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_BYTE, 8, 100, false), &ptr, 8);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	space_set_vm(sb, NULL, NULL);
	assert_int_equal(mrecv(sb, &m, p),
	                 MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE);
	assert_int_equal(m.body[1], 0);
	assert_int_equal(item_at(&m, 0)->msgt_size, 0);
	assert_int_equal(item_at(&m, 0)->msgt_number, 100);
}

static void test_send_and_receive_in_one_call(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct umsg m;

	(void)state;
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, body_size(1));
	m.body[0] = 0xabcdef;
	assert_int_equal(
	    ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
	                 MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
	                 body_size(1), sizeof(m), p, 0, 0),
	    MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_local_port, p);
	assert_int_equal(m.body[0], 0xabcdef);
	/* A failed send receives nothing. */
	header(&m, p, MACH_MSG_TYPE_MAKE_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	header(&m, 0x4321, MACH_MSG_TYPE_COPY_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(
	    ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
	                 MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
	                 sizeof(m.h), sizeof(m), p, 0, 0),
	    MACH_SEND_INVALID_DEST);
	assert_int_equal(status(sa, p).mps_msgcount, 1);
	assert_int_equal(
	    ipc_mach_msg(sa, 0, MACH_MSG_OPTION_NONE, 0, 0, 0, 0, 0),
	    MACH_MSG_SUCCESS);
}

static void test_cancel_and_notify_names_are_checked(void **state)
{
	mach_port_name_t p = new_port(sa), r = new_port(sa);
	mach_port_name_t s = give_right(sa, p, MACH_MSG_TYPE_MAKE_SEND, sb);
	struct umsg m;

	(void)state;
	header(&m, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(ipc_mach_msg(sb, (uint64_t)(uintptr_t)&m,
	                              MACH_SEND_MSG | MACH_SEND_CANCEL,
	                              sizeof(m.h), 0, 0, 0, MACH_PORT_NULL),
	                 MACH_SEND_INVALID_NOTIFY);
	assert_int_equal(ipc_mach_msg(sb, (uint64_t)(uintptr_t)&m,
	                              MACH_SEND_MSG | MACH_SEND_CANCEL,
	                              sizeof(m.h), 0, 0, 0, s),
	                 MACH_SEND_INVALID_NOTIFY);
	assert_int_equal(ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
	                              MACH_SEND_MSG | MACH_SEND_CANCEL,
	                              sizeof(m.h), 0, 0, 0, r),
	                 MACH_SEND_INVALID_DEST); /* sa has no send right */
	assert_int_equal(status(sa, p).mps_msgcount, 0);
	header(&m, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(ipc_mach_msg(sb, (uint64_t)(uintptr_t)&m,
	                              MACH_SEND_MSG, sizeof(m.h), 0, 0, 0, 0),
	                 MACH_MSG_SUCCESS);
	assert_int_equal(
	    ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
	                 MACH_RCV_MSG | MACH_RCV_NOTIFY | MACH_RCV_TIMEOUT, 0,
	                 sizeof(m), p, 0, MACH_PORT_NULL),
	    MACH_RCV_INVALID_NOTIFY);
	assert_int_equal(m.h.msgh_local_port, p); /* the header came */
	header(&m, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(ipc_mach_msg(sb, (uint64_t)(uintptr_t)&m,
	                              MACH_SEND_MSG, sizeof(m.h), 0, 0, 0, 0),
	                 MACH_MSG_SUCCESS);
	assert_int_equal(
	    ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
	                 MACH_RCV_MSG | MACH_RCV_NOTIFY | MACH_RCV_TIMEOUT, 0,
	                 sizeof(m), p, 0, r),
	    MACH_MSG_SUCCESS);
	header(&m, s, MACH_MSG_TYPE_COPY_SEND, 0, 0, sizeof(m.h));
	assert_int_equal(ipc_mach_msg(sb, (uint64_t)(uintptr_t)&m,
	                              MACH_SEND_MSG, sizeof(m.h), 0, 0, 0, 0),
	                 MACH_MSG_SUCCESS);
	assert_int_equal(
	    ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
	                 MACH_RCV_MSG | MACH_RCV_NOTIFY | MACH_RCV_TIMEOUT, 0,
	                 sizeof(m), p, 0, 0x4321),
	    MACH_RCV_INVALID_NOTIFY);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_make_send_header_only_arrives_with_local_name),
	    T(test_make_send_once_reply_gets_a_name_and_replies),
	    T(test_copy_send_keeps_and_move_send_spends_urefs),
	    T(test_header_disposition_matrix),
	    T(test_same_name_dest_and_reply_matrix),
	    T(test_user_msgh_size_is_ignored),
	    T(test_send_size_checks),
	    T(test_rpc_send_size_checks),
	    T(test_rpc_to_self_every_size_class),
	    T(test_unreadable_message_is_invalid_data),
	    T(test_receive_name_errors),
	    T(test_receive_timeout_waits_that_long),
	    T(test_too_large_without_rcv_large_destroys_it),
	    T(test_rcv_large_leaves_it_and_tells_the_size),
	    T(test_rcv_large_on_a_set),
	    T(test_full_queue_times_out_and_gives_it_back),
	    T(test_send_once_destination_ignores_qlimit),
	    T(test_seqno_counts_receives),
	    T(test_protected_payload_replaces_local_name),
	    T(test_unwritable_receive_buffer_loses_the_message),
	    T(test_reply_that_does_not_fit_is_a_header_error),
	    T(test_body_right_that_does_not_fit_is_a_body_error),
	    T(test_out_of_line_without_vm_is_a_body_error),
	    T(test_send_and_receive_in_one_call),
	    T(test_cancel_and_notify_names_are_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
