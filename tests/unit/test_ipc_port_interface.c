/*
 * Unit tests of the port interface (ipc/port_interface.h): every routine
 * of mach_port.defs, its error paths as tables of name kinds x rights x
 * deltas, and the checks of the ipc-ports conformance module
 * (tests/system/modules/ipc-ports.c), which pin GNU Mach's answers.
 * The naming routines are test_ipc_port_names.c's, receive-right
 * attributes and sets test_ipc_port_status.c's, notifications
 * themselves test_ipc_notify.c's.
 */
#include <limits.h>

#include "ipc_right_harness.h"

/* --- tables --- */

struct refs_row {
	enum kind kind;
	mach_port_right_t right;
	kern_return_t kr;
	mach_port_urefs_t refs;
};

static const struct refs_row refs_rows[] = {
    {K_RECEIVE, MACH_PORT_RIGHT_RECEIVE, KERN_SUCCESS, 1},
    {K_RECEIVE, MACH_PORT_RIGHT_SEND, KERN_SUCCESS, 0},
    {K_RECEIVE, MACH_PORT_RIGHT_SEND_ONCE, KERN_SUCCESS, 0},
    {K_RECEIVE, MACH_PORT_RIGHT_PORT_SET, KERN_SUCCESS, 0},
    {K_RECEIVE, MACH_PORT_RIGHT_DEAD_NAME, KERN_SUCCESS, 0},
    {K_RECEIVE, MACH_PORT_RIGHT_NUMBER, KERN_INVALID_VALUE, 0},
    {K_SEND_RECEIVE, MACH_PORT_RIGHT_SEND, KERN_SUCCESS, 1},
    {K_SEND_RECEIVE, MACH_PORT_RIGHT_RECEIVE, KERN_SUCCESS, 1},
    {K_SEND, MACH_PORT_RIGHT_SEND, KERN_SUCCESS, 1},
    {K_SEND, MACH_PORT_RIGHT_RECEIVE, KERN_SUCCESS, 0},
    {K_SEND3, MACH_PORT_RIGHT_SEND, KERN_SUCCESS, 3},
    {K_SEND3, MACH_PORT_RIGHT_DEAD_NAME, KERN_SUCCESS, 0},
    {K_SONCE, MACH_PORT_RIGHT_SEND_ONCE, KERN_SUCCESS, 1},
    {K_SONCE, MACH_PORT_RIGHT_SEND, KERN_SUCCESS, 0},
    {K_PSET, MACH_PORT_RIGHT_PORT_SET, KERN_SUCCESS, 1},
    {K_PSET, MACH_PORT_RIGHT_RECEIVE, KERN_SUCCESS, 0},
    {K_DEAD, MACH_PORT_RIGHT_DEAD_NAME, KERN_SUCCESS, 1},
    {K_DEAD, MACH_PORT_RIGHT_SEND, KERN_SUCCESS, 0},
    {K_DEADPORT, MACH_PORT_RIGHT_DEAD_NAME, KERN_SUCCESS, 2},
    {K_DEADPORT, MACH_PORT_RIGHT_SEND, KERN_SUCCESS, 0},
    {K_UNUSED, MACH_PORT_RIGHT_SEND, KERN_INVALID_NAME, 0},
    {K_UNUSED, 99, KERN_INVALID_VALUE, 0},
    {K_STALE, MACH_PORT_RIGHT_DEAD_NAME, KERN_INVALID_NAME, 0},
    {K_NULL, MACH_PORT_RIGHT_SEND, KERN_INVALID_NAME, 0},
    {K_DEADVAL, MACH_PORT_RIGHT_DEAD_NAME, KERN_INVALID_NAME, 0},
};

static void test_get_refs_table(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(refs_rows); i++) {
		const struct refs_row *r = &refs_rows[i];
		mach_port_name_t n = make_kind(r->kind);
		mach_port_urefs_t got = 0xdead;
		kern_return_t kr = mach_port_get_refs(s1, n, r->right, &got);

		if (kr != r->kr || (kr == KERN_SUCCESS && got != r->refs))
			fail_msg("row %u (%s, right %u): kr %d refs %u, want "
			         "%d %u",
			         i, kind_names[r->kind], r->right, kr, got,
			         r->kr, r->refs);
	}
	assert_consistent(false);
}

struct delta_row {
	enum kind kind;
	mach_port_right_t right;
	mach_port_delta_t delta;
	kern_return_t kr;
	mach_port_type_t after;  /* type of the name after, or GONE */
	mach_port_urefs_t urefs; /* send or dead-name urefs after */
};

static const struct delta_row delta_rows[] = {
    /* Bad right kinds come first, whatever the name. */
    {K_RECEIVE, R_BAD, 0, KERN_INVALID_VALUE, T_R, 0},
    {K_UNUSED, R_BAD, -1, KERN_INVALID_VALUE, GONE, 0},
    {K_SEND, 1000, 1, KERN_INVALID_VALUE, T_S, 1},
    /* Names that denote nothing. */
    {K_UNUSED, R_S, -1, KERN_INVALID_NAME, GONE, 0},
    {K_STALE, R_DN, -1, KERN_INVALID_NAME, GONE, 0},
    {K_NULL, R_S, 1, KERN_INVALID_NAME, GONE, 0},
    {K_DEADVAL, R_DN, -1, KERN_INVALID_NAME, GONE, 0},
    /* A receive right: 0 or -1 only. */
    {K_RECEIVE, R_R, 0, KERN_SUCCESS, T_R, 0},
    {K_RECEIVE, R_R, 1, KERN_INVALID_VALUE, T_R, 0},
    {K_RECEIVE, R_R, -2, KERN_INVALID_VALUE, T_R, 0},
    {K_RECEIVE, R_R, -1, KERN_SUCCESS, GONE, 0},
    {K_RECEIVE, R_S, 0, KERN_INVALID_RIGHT, T_R, 0},
    {K_RECEIVE, R_S, 1, KERN_INVALID_RIGHT, T_R, 0},
    {K_RECEIVE, R_SO, -1, KERN_INVALID_RIGHT, T_R, 0},
    {K_RECEIVE, R_PS, -1, KERN_INVALID_RIGHT, T_R, 0},
    {K_RECEIVE, R_DN, -1, KERN_INVALID_RIGHT, T_R, 0},
    /* Send and receive on one name. */
    {K_SEND_RECEIVE, R_S, 1, KERN_SUCCESS, T_SR, 2},
    {K_SEND_RECEIVE, R_S, -1, KERN_SUCCESS, T_R, 0},
    {K_SEND_RECEIVE, R_S, -2, KERN_INVALID_VALUE, T_SR, 1},
    {K_SEND_RECEIVE, R_R, -1, KERN_SUCCESS, T_DN, 1},
    {K_SEND_RECEIVE, R_DN, 1, KERN_INVALID_RIGHT, T_SR, 1},
    /* A send right. */
    {K_SEND, R_S, 0, KERN_SUCCESS, T_S, 1},
    {K_SEND, R_S, 2, KERN_SUCCESS, T_S, 3},
    {K_SEND, R_S, -1, KERN_SUCCESS, GONE, 0},
    {K_SEND, R_S, -2, KERN_INVALID_VALUE, T_S, 1},
    {K_SEND, R_S, INT_MIN, KERN_INVALID_VALUE, T_S, 1},
    {K_SEND, R_S, 0xfffd, KERN_SUCCESS, T_S, 0xfffe},
    {K_SEND, R_S, 0xfffe, KERN_UREFS_OVERFLOW, T_S, 1},
    {K_SEND, R_S, INT_MAX, KERN_UREFS_OVERFLOW, T_S, 1},
    {K_SEND, R_R, -1, KERN_INVALID_RIGHT, T_S, 1},
    {K_SEND, R_SO, -1, KERN_INVALID_RIGHT, T_S, 1},
    {K_SEND, R_PS, -1, KERN_INVALID_RIGHT, T_S, 1},
    {K_SEND, R_DN, 1, KERN_INVALID_RIGHT, T_S, 1},
    {K_SEND3, R_S, -1, KERN_SUCCESS, T_S, 2},
    {K_SEND3, R_S, -3, KERN_SUCCESS, GONE, 0},
    {K_SEND3, R_S, -4, KERN_INVALID_VALUE, T_S, 3},
    /* A send-once right: 0 or -1 only. */
    {K_SONCE, R_SO, 0, KERN_SUCCESS, T_SO, 0},
    {K_SONCE, R_SO, 1, KERN_INVALID_VALUE, T_SO, 0},
    {K_SONCE, R_SO, -2, KERN_INVALID_VALUE, T_SO, 0},
    {K_SONCE, R_SO, -1, KERN_SUCCESS, GONE, 0},
    {K_SONCE, R_S, -1, KERN_INVALID_RIGHT, T_SO, 0},
    {K_SONCE, R_DN, -1, KERN_INVALID_RIGHT, T_SO, 0},
    /* A port set where a port right is named, and the reverse. */
    {K_PSET, R_PS, 0, KERN_SUCCESS, T_PS, 0},
    {K_PSET, R_PS, 1, KERN_INVALID_VALUE, T_PS, 0},
    {K_PSET, R_PS, -1, KERN_SUCCESS, GONE, 0},
    {K_PSET, R_R, -1, KERN_INVALID_RIGHT, T_PS, 0},
    {K_PSET, R_S, 1, KERN_INVALID_RIGHT, T_PS, 0},
    {K_RECEIVE, R_PS, 0, KERN_INVALID_RIGHT, T_R, 0},
    /* Dead names. */
    {K_DEAD, R_DN, 1, KERN_SUCCESS, T_DN, 2},
    {K_DEAD, R_DN, -1, KERN_SUCCESS, GONE, 0},
    {K_DEAD, R_DN, -2, KERN_INVALID_VALUE, T_DN, 1},
    /* GNU Mach: a dead name's count may reach 0xffff (ipc-edges.c). */
    {K_DEAD, R_DN, 0xffff, KERN_UREFS_OVERFLOW, T_DN, 1},
    {K_DEAD, R_DN, 0xfffe, KERN_SUCCESS, T_DN, 0xffff},
    {K_DEAD, R_S, -1, KERN_INVALID_RIGHT, T_DN, 1},
    {K_DEAD, R_R, -1, KERN_INVALID_RIGHT, T_DN, 1},
    /* A send right whose port died is a dead name. */
    {K_DEADPORT, R_S, -1, KERN_INVALID_RIGHT, T_DN, 2},
    {K_DEADPORT, R_DN, -1, KERN_SUCCESS, T_DN, 1},
    {K_DEADPORT, R_DN, -2, KERN_SUCCESS, GONE, 0},
    {K_DEADPORT, R_DN, -3, KERN_INVALID_VALUE, T_DN, 2},
    {K_DEADPORT, R_R, -1, KERN_INVALID_RIGHT, T_DN, 2},
};

static void test_mod_refs_table(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(delta_rows); i++) {
		const struct delta_row *r = &delta_rows[i];
		mach_port_name_t n = make_kind(r->kind);
		kern_return_t kr =
		    mach_port_mod_refs(s1, n, r->right, r->delta);
		mach_port_type_t t = type_of(s1, n);
		mach_port_urefs_t u = 0;

		if (t != GONE && (t & MACH_PORT_TYPE_SEND))
			u = urefs_of(s1, n, R_S);
		else if (t == T_DN)
			u = urefs_of(s1, n, R_DN);
		if (kr != r->kr || t != r->after || u != r->urefs)
			fail_msg("row %u (%s, right %u, delta %d): kr %d type "
			         "%#x urefs %u; want %d %#x %u",
			         i, kind_names[r->kind], r->right, r->delta, kr,
			         t, u, r->kr, r->after, r->urefs);
		/* Fresh names for the next row. */
		if (t != GONE && r->kind < K_UNUSED)
			assert_int_equal(mach_port_destroy(s1, n),
			                 KERN_SUCCESS);
		assert_consistent(false);
	}
}

struct kind_row {
	enum kind kind;
	kern_return_t kr;
	mach_port_type_t after;
};

static const struct kind_row dealloc_rows[] = {
    {K_RECEIVE, KERN_INVALID_RIGHT, T_R}, {K_SEND_RECEIVE, KERN_SUCCESS, T_R},
    {K_SEND, KERN_SUCCESS, GONE},         {K_SEND3, KERN_SUCCESS, T_S},
    {K_SONCE, KERN_SUCCESS, GONE},        {K_PSET, KERN_INVALID_RIGHT, T_PS},
    {K_DEAD, KERN_SUCCESS, GONE},         {K_DEADPORT, KERN_SUCCESS, T_DN},
    {K_UNUSED, KERN_INVALID_NAME, GONE},  {K_STALE, KERN_INVALID_NAME, GONE},
    {K_NULL, KERN_INVALID_NAME, GONE},    {K_DEADVAL, KERN_INVALID_NAME, GONE},
};

static void test_deallocate_table(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(dealloc_rows); i++) {
		const struct kind_row *r = &dealloc_rows[i];
		mach_port_name_t n = make_kind(r->kind);
		kern_return_t kr = mach_port_deallocate(s1, n);

		if (kr != r->kr || type_of(s1, n) != r->after)
			fail_msg("row %u (%s): kr %d type %#x", i,
			         kind_names[r->kind], kr, type_of(s1, n));
	}
	assert_int_equal(urefs_of(s1, make_kind(K_SEND3), R_S), 3);
	assert_consistent(false);
}

static const struct kind_row destroy_rows[] = {
    {K_RECEIVE, KERN_SUCCESS, GONE},     {K_SEND_RECEIVE, KERN_SUCCESS, GONE},
    {K_SEND, KERN_SUCCESS, GONE},        {K_SEND3, KERN_SUCCESS, GONE},
    {K_SONCE, KERN_SUCCESS, GONE},       {K_PSET, KERN_SUCCESS, GONE},
    {K_DEAD, KERN_SUCCESS, GONE},        {K_DEADPORT, KERN_SUCCESS, GONE},
    {K_UNUSED, KERN_INVALID_NAME, GONE}, {K_STALE, KERN_INVALID_NAME, GONE},
    {K_NULL, KERN_INVALID_NAME, GONE},   {K_DEADVAL, KERN_INVALID_NAME, GONE},
};

static void test_destroy_table(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(destroy_rows); i++) {
		const struct kind_row *r = &destroy_rows[i];
		mach_port_name_t n = make_kind(r->kind);
		kern_return_t kr = mach_port_destroy(s1, n);

		if (kr != r->kr || type_of(s1, n) != r->after)
			fail_msg("row %u (%s): kr %d", i, kind_names[r->kind],
			         kr);
	}
	assert_int_equal(s1->count, 0);
	assert_consistent(false);
}

static const struct kind_row type_rows[] = {
    {K_RECEIVE, KERN_SUCCESS, T_R},   {K_SEND_RECEIVE, KERN_SUCCESS, T_SR},
    {K_SEND, KERN_SUCCESS, T_S},      {K_SEND3, KERN_SUCCESS, T_S},
    {K_SONCE, KERN_SUCCESS, T_SO},    {K_PSET, KERN_SUCCESS, T_PS},
    {K_DEAD, KERN_SUCCESS, T_DN},     {K_DEADPORT, KERN_SUCCESS, T_DN},
    {K_UNUSED, KERN_INVALID_NAME, 0}, {K_STALE, KERN_INVALID_NAME, 0},
    {K_NULL, KERN_INVALID_NAME, 0},   {K_DEADVAL, KERN_INVALID_NAME, 0},
};

static void test_type_table(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(type_rows); i++) {
		const struct kind_row *r = &type_rows[i];
		mach_port_type_t t = 0;
		kern_return_t kr = mach_port_type(s1, make_kind(r->kind), &t);

		if (kr != r->kr || (kr == KERN_SUCCESS && t != r->after))
			fail_msg("row %u (%s): kr %d type %#x", i,
			         kind_names[r->kind], kr, t);
	}
}

/* Routines that need a receive right, on every other kind of name. */
static void test_receive_routines_on_every_kind(void **state)
{
	(void)state;
	for (enum kind k = 0; k < K_COUNT; k++) {
		mach_port_name_t n = make_kind(k);
		bool recv = k == K_RECEIVE || k == K_SEND_RECEIVE;
		bool named = k < K_UNUSED;
		kern_return_t want = recv    ? KERN_SUCCESS
		                     : named ? KERN_INVALID_RIGHT
		                             : KERN_INVALID_NAME;
		mach_port_status_t st;
		struct ipc_object *prev;

		assert_int_equal(mach_port_set_qlimit(s1, n, 3), want);
		assert_int_equal(mach_port_set_mscount(s1, n, 3), want);
		assert_int_equal(mach_port_set_seqno(s1, n, 3), want);
		assert_int_equal(mach_port_set_protected_payload(s1, n, 3),
		                 want);
		assert_int_equal(mach_port_clear_protected_payload(s1, n),
		                 want);
		assert_int_equal(mach_port_get_receive_status(s1, n, &st),
		                 want);
		assert_int_equal(mach_port_move_member(s1, n, MACH_PORT_NULL),
		                 recv ? KERN_NOT_IN_SET : want);
		assert_int_equal(mach_port_request_notification(
		                     s1, n, MACH_NOTIFY_NO_SENDERS, 1,
		                     IPC_OBJECT_NULL, &prev),
		                 want);
		assert_int_equal(mach_port_request_notification(
		                     s1, n, MACH_NOTIFY_PORT_DESTROYED, 0,
		                     IPC_OBJECT_NULL, &prev),
		                 want);
	}
	assert_consistent(false);
}

/* Every routine refuses a NULL or terminated space first. */
static void test_dead_space_everywhere(void **state)
{
	struct space *spaces[2] = {NULL, s3};
	mach_port_name_t *names, n;
	mach_port_type_t *types, t;
	mach_msg_type_number_t count;
	mach_port_urefs_t u;
	mach_port_status_t st;
	struct ipc_object *o;
	mach_msg_type_name_t ot;

	(void)state;
	n = new_receive(s3);
	space_terminate(s3);
	for (unsigned i = 0; i < 2; i++) {
		struct space *s = spaces[i];
		kern_return_t want = KERN_INVALID_TASK;

		assert_int_equal(mach_port_names(s, &names, &types, &count),
		                 want);
		assert_int_equal(mach_port_type(s, n, &t), want);
		assert_int_equal(mach_port_rename(s, n, 0x99), want);
		assert_int_equal(mach_port_allocate_name(s, R_R, 0x99), want);
		assert_int_equal(mach_port_allocate(s, R_R, &n), want);
		assert_int_equal(mach_port_destroy(s, n), want);
		assert_int_equal(mach_port_deallocate(s, n), want);
		assert_int_equal(mach_port_get_refs(s, n, R_S, &u), want);
		assert_int_equal(mach_port_mod_refs(s, n, R_S, 1), want);
		assert_int_equal(mach_port_set_qlimit(s, n, 1), want);
		assert_int_equal(mach_port_set_mscount(s, n, 1), want);
		assert_int_equal(mach_port_set_seqno(s, n, 1), want);
		assert_int_equal(mach_port_set_protected_payload(s, n, 1),
		                 want);
		assert_int_equal(mach_port_clear_protected_payload(s, n), want);
		assert_int_equal(mach_port_get_receive_status(s, n, &st), want);
		assert_int_equal(mach_port_get_set_status(s, n, &names, &count),
		                 want);
		assert_int_equal(mach_port_move_member(s, n, 0), want);
		assert_int_equal(
		    mach_port_request_notification(s, n, MACH_NOTIFY_DEAD_NAME,
		                                   0, IPC_OBJECT_NULL, &o),
		    want);
		o = take(s1, new_receive(s1), MACH_MSG_TYPE_MAKE_SEND);
		assert_int_equal(
		    mach_port_insert_right(s, 0x99, o, MACH_MSG_TYPE_PORT_SEND),
		    want);
		right_release(o, MACH_MSG_TYPE_PORT_SEND);
		assert_int_equal(mach_port_extract_right(
		                     s, n, MACH_MSG_TYPE_MAKE_SEND, &o, &ot),
		                 want);
	}
}

/* --- insert_right and extract_right --- */

static void test_insert_right_conformance(void **state)
{
	mach_port_name_t p, q;

	(void)state;
	p = new_receive(s1);
	assert_int_equal(
	    mach_port_insert_right(s1, p, take(s1, p, MACH_MSG_TYPE_MAKE_SEND),
	                           MACH_MSG_TYPE_PORT_SEND),
	    KERN_SUCCESS);
	assert_int_equal(type_of(s1, p), T_SR);
	/* Up to the limit, then overflow; the refused right goes back. */
	assert_int_equal(mach_port_mod_refs(s1, p, R_S, 0xfffd), KERN_SUCCESS);
	{
		struct ipc_object *o = take(s1, p, MACH_MSG_TYPE_MAKE_SEND);

		assert_int_equal(
		    mach_port_insert_right(s1, p, o, MACH_MSG_TYPE_PORT_SEND),
		    KERN_UREFS_OVERFLOW);
		right_release(o, MACH_MSG_TYPE_PORT_SEND);
	}
	assert_int_equal(urefs_of(s1, p, R_S), 0xfffe);
	assert_int_equal(mach_port_mod_refs(s1, p, R_S, -0xfffe), KERN_SUCCESS);
	{
		struct ipc_object *o =
		    take(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE);

		struct h_msg m;

		assert_int_equal(mach_port_insert_right(
		                     s1, p, o, MACH_MSG_TYPE_PORT_SEND_ONCE),
		                 KERN_NAME_EXISTS);
		/* Released unused, it sends a send-once notification. */
		right_release(o, MACH_MSG_TYPE_PORT_SEND_ONCE);
		assert_int_equal(h_recv(s1, p, &m), MACH_MSG_SUCCESS);
		assert_int_equal(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	}
	/* In another task: more urefs on the same name, not a second. */
	q = new_receive(s1);
	assert_int_equal(mach_port_insert_right(
	                     s2, 0x501, take(s1, q, MACH_MSG_TYPE_MAKE_SEND),
	                     MACH_MSG_TYPE_PORT_SEND),
	                 KERN_SUCCESS);
	assert_int_equal(mach_port_insert_right(
	                     s2, 0x501, take(s1, q, MACH_MSG_TYPE_MAKE_SEND),
	                     MACH_MSG_TYPE_PORT_SEND),
	                 KERN_SUCCESS);
	assert_int_equal(urefs_of(s2, 0x501, R_S), 2);
	{
		struct ipc_object *o = take(s1, q, MACH_MSG_TYPE_MAKE_SEND);

		assert_int_equal(mach_port_insert_right(
		                     s2, 0x502, o, MACH_MSG_TYPE_PORT_SEND),
		                 KERN_RIGHT_EXISTS);
		right_release(o, MACH_MSG_TYPE_PORT_SEND);
	}
	/* The receive right joins the send right's name. */
	assert_int_equal(mach_port_insert_right(
	                     s2, 0x501, take(s1, q, MACH_MSG_TYPE_MOVE_RECEIVE),
	                     MACH_MSG_TYPE_PORT_RECEIVE),
	                 KERN_SUCCESS);
	assert_int_equal(type_of(s2, 0x501), T_SR);
	assert_int_equal(type_of(s1, q), GONE);
	assert_consistent(true);
}

static void test_insert_right_errors(void **state)
{
	mach_port_name_t p, d;
	struct ipc_object *o, *dead;

	(void)state;
	p = new_receive(s1);
	o = take(s1, p, MACH_MSG_TYPE_MAKE_SEND);
	assert_int_equal(mach_port_insert_right(s2, MACH_PORT_NULL, o,
	                                        MACH_MSG_TYPE_PORT_SEND),
	                 KERN_INVALID_VALUE);
	assert_int_equal(mach_port_insert_right(s2, MACH_PORT_DEAD, o,
	                                        MACH_MSG_TYPE_PORT_SEND),
	                 KERN_INVALID_VALUE);
	assert_int_equal(
	    mach_port_insert_right(s2, 5, o, MACH_MSG_TYPE_MAKE_SEND),
	    KERN_INVALID_VALUE);
	assert_int_equal(mach_port_insert_right(s2, 5, o, 0),
	                 KERN_INVALID_VALUE);
	assert_int_equal(mach_port_insert_right(s2, 5, IPC_OBJECT_NULL,
	                                        MACH_MSG_TYPE_PORT_SEND),
	                 KERN_INVALID_CAPABILITY);
	assert_int_equal(mach_port_insert_right(s2, 5, IPC_OBJECT_DEAD,
	                                        MACH_MSG_TYPE_PORT_SEND),
	                 KERN_INVALID_CAPABILITY);
	d = new_dead(s2);
	assert_int_equal(
	    mach_port_insert_right(s2, d, o, MACH_MSG_TYPE_PORT_SEND),
	    KERN_NAME_EXISTS);
	assert_int_equal(
	    mach_port_insert_right(s2, 0x01000000, o, MACH_MSG_TYPE_PORT_SEND),
	    KERN_INVALID_VALUE);
	space_set_limit(s2, 1);
	assert_int_equal(
	    mach_port_insert_right(s2, 0x600, o, MACH_MSG_TYPE_PORT_SEND),
	    KERN_NO_SPACE);
	/* A right to a port that died on the way. */
	dead = take(s1, p, MACH_MSG_TYPE_MAKE_SEND);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	assert_int_equal(
	    mach_port_insert_right(s3, 0x700, dead, MACH_MSG_TYPE_PORT_SEND),
	    KERN_INVALID_CAPABILITY);
	assert_int_equal(
	    mach_port_insert_right(s2, d, dead, MACH_MSG_TYPE_PORT_SEND),
	    KERN_NAME_EXISTS);
	right_release(dead, MACH_MSG_TYPE_PORT_SEND);
	right_release(o, MACH_MSG_TYPE_PORT_SEND);
	assert_consistent(true);
}

static void test_insert_send_once_and_receive_at_new_names(void **state)
{
	mach_port_name_t p;

	(void)state;
	p = new_receive(s1);
	assert_int_equal(
	    mach_port_insert_right(s2, 0x10,
	                           take(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE),
	                           MACH_MSG_TYPE_PORT_SEND_ONCE),
	    KERN_SUCCESS);
	assert_int_equal(
	    mach_port_insert_right(s2, 0x11,
	                           take(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE),
	                           MACH_MSG_TYPE_PORT_SEND_ONCE),
	    KERN_SUCCESS);
	assert_int_equal(mach_port_insert_right(
	                     s2, 0x12, take(s1, p, MACH_MSG_TYPE_MOVE_RECEIVE),
	                     MACH_MSG_TYPE_PORT_RECEIVE),
	                 KERN_SUCCESS);
	assert_int_equal(type_of(s2, 0x10), T_SO);
	assert_int_equal(type_of(s2, 0x11), T_SO);
	assert_int_equal(type_of(s2, 0x12), T_R);
	assert_int_equal(status_of(s2, 0x12).mps_sorights, 2);
	assert_consistent(true);
}

static void test_extract_right_dispositions(void **state)
{
	static const struct {
		enum kind kind;
		mach_msg_type_name_t disp;
		kern_return_t kr;
		int object; /* 1 port, 0 null, -1 dead */
		mach_port_type_t after;
	} rows[] = {
	    {K_RECEIVE, MACH_MSG_TYPE_MAKE_SEND, KERN_SUCCESS, 1, T_R},
	    {K_RECEIVE, MACH_MSG_TYPE_MAKE_SEND_ONCE, KERN_SUCCESS, 1, T_R},
	    {K_RECEIVE, MACH_MSG_TYPE_MOVE_RECEIVE, KERN_SUCCESS, 1, GONE},
	    {K_RECEIVE, MACH_MSG_TYPE_COPY_SEND, KERN_INVALID_RIGHT, 0, T_R},
	    {K_RECEIVE, MACH_MSG_TYPE_MOVE_SEND, KERN_INVALID_RIGHT, 0, T_R},
	    {K_RECEIVE, MACH_MSG_TYPE_MOVE_SEND_ONCE, KERN_INVALID_RIGHT, 0,
	     T_R},
	    {K_SEND_RECEIVE, MACH_MSG_TYPE_MOVE_RECEIVE, KERN_SUCCESS, 1, T_S},
	    {K_SEND_RECEIVE, MACH_MSG_TYPE_MOVE_SEND, KERN_SUCCESS, 1, T_R},
	    {K_SEND, MACH_MSG_TYPE_COPY_SEND, KERN_SUCCESS, 1, T_S},
	    {K_SEND, MACH_MSG_TYPE_MOVE_SEND, KERN_SUCCESS, 1, GONE},
	    {K_SEND, MACH_MSG_TYPE_MAKE_SEND, KERN_INVALID_RIGHT, 0, T_S},
	    {K_SEND, MACH_MSG_TYPE_MOVE_RECEIVE, KERN_INVALID_RIGHT, 0, T_S},
	    {K_SEND3, MACH_MSG_TYPE_MOVE_SEND, KERN_SUCCESS, 1, T_S},
	    {K_SONCE, MACH_MSG_TYPE_MOVE_SEND_ONCE, KERN_SUCCESS, 1, GONE},
	    {K_SONCE, MACH_MSG_TYPE_COPY_SEND, KERN_INVALID_RIGHT, 0, T_SO},
	    {K_PSET, MACH_MSG_TYPE_MAKE_SEND, KERN_INVALID_RIGHT, 0, T_PS},
	    {K_PSET, MACH_MSG_TYPE_MOVE_RECEIVE, KERN_INVALID_RIGHT, 0, T_PS},
	    {K_DEAD, MACH_MSG_TYPE_COPY_SEND, KERN_SUCCESS, -1, T_DN},
	    {K_DEAD, MACH_MSG_TYPE_MOVE_SEND, KERN_SUCCESS, -1, GONE},
	    {K_DEAD, MACH_MSG_TYPE_MOVE_SEND_ONCE, KERN_SUCCESS, -1, GONE},
	    {K_DEAD, MACH_MSG_TYPE_MAKE_SEND, KERN_INVALID_RIGHT, 0, T_DN},
	    {K_DEADPORT, MACH_MSG_TYPE_MOVE_SEND, KERN_SUCCESS, -1, T_DN},
	    {K_UNUSED, MACH_MSG_TYPE_COPY_SEND, KERN_INVALID_NAME, 0, GONE},
	    {K_NULL, MACH_MSG_TYPE_COPY_SEND, KERN_INVALID_NAME, 0, GONE},
	    {K_DEADVAL, MACH_MSG_TYPE_COPY_SEND, KERN_INVALID_NAME, 0, GONE},
	    {K_RECEIVE, MACH_MSG_TYPE_PORT_NAME, KERN_INVALID_VALUE, 0, T_R},
	    {K_RECEIVE, 22, KERN_INVALID_VALUE, 0, T_R},
	    {K_RECEIVE, 0, KERN_INVALID_VALUE, 0, T_R},
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(rows); i++) {
		mach_port_name_t n = make_kind(rows[i].kind);
		struct ipc_object *o = (void *)1;
		mach_msg_type_name_t t = 99;
		kern_return_t kr =
		    mach_port_extract_right(s1, n, rows[i].disp, &o, &t);
		int got = o == IPC_OBJECT_NULL   ? 0
		          : o == IPC_OBJECT_DEAD ? -1
		                                 : 1;

		if (kr != rows[i].kr || got != rows[i].object ||
		    type_of(s1, n) != rows[i].after)
			fail_msg("row %u (%s, %u): kr %d object %d type %#x", i,
			         kind_names[rows[i].kind], rows[i].disp, kr,
			         got, type_of(s1, n));
		if (kr == KERN_SUCCESS) {
			assert_int_equal(t, right_transit_type(rows[i].disp));
			right_release(o, t);
		}
	}
	assert_consistent(false);
}

/* --- request_notification's arguments --- */

static void test_request_notification_errors(void **state)
{
	mach_port_name_t p, so, d, set;
	struct ipc_object *prev = (void *)1, *n;

	(void)state;
	p = new_receive(s1);
	so = new_receive(s2);
	d = new_dead(s1);
	set = new_pset(s1);
	n = take(s2, so, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	assert_int_equal(mach_port_request_notification(
	                     NULL, p, MACH_NOTIFY_DEAD_NAME, 0, n, &prev),
	                 KERN_INVALID_TASK);
	assert_null(prev);
	assert_int_equal(
	    mach_port_request_notification(s1, p, MACH_NOTIFY_DEAD_NAME, 0,
	                                   IPC_OBJECT_DEAD, &prev),
	    KERN_INVALID_CAPABILITY);
	assert_int_equal(mach_port_request_notification(
	                     s1, p, MACH_NOTIFY_SEND_ONCE, 0, n, &prev),
	                 KERN_INVALID_VALUE);
	assert_int_equal(mach_port_request_notification(s1, p, 0, 0, n, &prev),
	                 KERN_INVALID_VALUE);
	assert_int_equal(mach_port_request_notification(
	                     s1, p, MACH_NOTIFY_PORT_DESTROYED, 1, n, &prev),
	                 KERN_INVALID_VALUE);
	assert_int_equal(mach_port_request_notification(
	                     s1, 0x4321, MACH_NOTIFY_DEAD_NAME, 0, n, &prev),
	                 KERN_INVALID_NAME);
	assert_int_equal(mach_port_request_notification(
	                     s1, 0x4321, MACH_NOTIFY_NO_SENDERS, 0, n, &prev),
	                 KERN_INVALID_NAME);
	assert_int_equal(mach_port_request_notification(
	                     s1, set, MACH_NOTIFY_DEAD_NAME, 0, n, &prev),
	                 KERN_INVALID_RIGHT);
	assert_int_equal(mach_port_request_notification(
	                     s1, set, MACH_NOTIFY_NO_SENDERS, 0, n, &prev),
	                 KERN_INVALID_RIGHT);
	assert_int_equal(mach_port_request_notification(
	                     s1, d, MACH_NOTIFY_DEAD_NAME, 0, n, &prev),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(mach_port_request_notification(
	                     s1, d, MACH_NOTIFY_PORT_DESTROYED, 0, n, &prev),
	                 KERN_INVALID_RIGHT);
	/* A dead name at its user-reference limit (0xffff) cannot take
	 * another. */
	assert_int_equal(mach_port_mod_refs(s1, d, R_DN, 0xfffe), KERN_SUCCESS);
	assert_int_equal(mach_port_request_notification(
	                     s1, d, MACH_NOTIFY_DEAD_NAME, 1, n, &prev),
	                 KERN_UREFS_OVERFLOW);
	/* NOTIFY was never consumed. */
	right_release(n, MACH_MSG_TYPE_PORT_SEND_ONCE);
	assert_int_equal(queued(s2, so), 1); /* its send-once notification */
}

static void test_request_notification_returns_previous(void **state)
{
	mach_port_name_t p, so;
	struct ipc_object *a, *b, *prev;

	(void)state;
	p = new_receive(s1);
	so = new_receive(s2);
	a = take(s2, so, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	b = take(s2, so, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	for (unsigned i = 0; i < 3; i++) {
		mach_msg_id_t id = i == 0   ? MACH_NOTIFY_DEAD_NAME
		                   : i == 1 ? MACH_NOTIFY_NO_SENDERS
		                            : MACH_NOTIFY_PORT_DESTROYED;
		mach_port_mscount_t sync = i == 1 ? 1 : 0;

		assert_int_equal(
		    mach_port_request_notification(s1, p, id, sync, a, &prev),
		    KERN_SUCCESS);
		assert_null(prev);
		assert_int_equal(
		    mach_port_request_notification(s1, p, id, sync, b, &prev),
		    KERN_SUCCESS);
		assert_ptr_equal(prev, a);
		assert_int_equal(mach_port_request_notification(
		                     s1, p, id, sync, IPC_OBJECT_NULL, &prev),
		                 KERN_SUCCESS);
		assert_ptr_equal(prev, b);
		assert_int_equal(mach_port_request_notification(
		                     s1, p, id, sync, IPC_OBJECT_NULL, &prev),
		                 KERN_SUCCESS);
		assert_null(prev);
	}
	assert_int_equal(type_of(s1, p), T_R);
	assert_consistent(false);
	right_release(a, MACH_MSG_TYPE_PORT_SEND_ONCE);
	right_release(b, MACH_MSG_TYPE_PORT_SEND_ONCE);
}

/* --- the ipc-ports conformance module, as unit tests --- */

static void test_conformance_rights_and_refs(void **state)
{
	mach_port_name_t p, q;

	(void)state;
	p = new_receive(s1);
	assert_int_equal(urefs_of(s1, p, R_R), 1);
	assert_int_equal(urefs_of(s1, p, R_S), 0);
	assert_int_equal(
	    mach_port_insert_right(s1, p, take(s1, p, MACH_MSG_TYPE_MAKE_SEND),
	                           MACH_MSG_TYPE_PORT_SEND),
	    KERN_SUCCESS);
	assert_int_equal(mach_port_mod_refs(s1, p, R_S, 3), KERN_SUCCESS);
	assert_int_equal(urefs_of(s1, p, R_S), 4);
	assert_int_equal(mach_port_mod_refs(s1, p, R_S, -5),
	                 KERN_INVALID_VALUE);
	assert_int_equal(urefs_of(s1, p, R_S), 4);
	assert_int_equal(mach_port_mod_refs(s1, p, R_S, -4), KERN_SUCCESS);
	assert_int_equal(type_of(s1, p), T_R);
	assert_int_equal(mach_port_deallocate(s1, p), KERN_INVALID_RIGHT);
	assert_int_equal(mach_port_mod_refs(s1, p, R_R, 1), KERN_INVALID_VALUE);
	assert_int_equal(mach_port_mod_refs(s1, p, R_SO, -1),
	                 KERN_INVALID_RIGHT);
	assert_int_equal(mach_port_mod_refs(s1, p, R_BAD, 0),
	                 KERN_INVALID_VALUE);
	assert_int_equal(mach_port_allocate(s1, R_SO, &q), KERN_INVALID_VALUE);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	assert_int_equal(type_of(s1, p), GONE);
	assert_int_equal(mach_port_destroy(s1, MACH_PORT_NULL),
	                 KERN_INVALID_NAME);
	assert_int_equal(mach_port_type(s1, 0x12345, &(mach_port_type_t){0}),
	                 KERN_INVALID_NAME);
}

static void test_conformance_names(void **state)
{
	mach_port_name_t p, q;

	(void)state;
	p = new_receive(s1);
	q = new_receive(s1);
	assert_int_equal(mach_port_allocate_name(s1, R_R, 0x777), KERN_SUCCESS);
	assert_int_equal(mach_port_rename(s1, 0x777, q), KERN_NAME_EXISTS);
	assert_int_equal(mach_port_rename(s1, 0x777, 0x778), KERN_SUCCESS);
	assert_int_equal(type_of(s1, 0x777), GONE);
	assert_int_equal(type_of(s1, 0x778), T_R);
	assert_int_equal(mach_port_rename(s1, 0x779, 0x77a), KERN_INVALID_NAME);
	assert_int_equal(mach_port_destroy(s1, 0x778), KERN_SUCCESS);
	assert_int_equal(mach_port_destroy(s1, q), KERN_SUCCESS);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	assert_consistent(true);
}

static void test_conformance_dead_names(void **state)
{
	mach_port_name_t p;

	(void)state;
	p = new_receive(s1);
	assert_int_equal(
	    mach_port_insert_right(s1, p, take(s1, p, MACH_MSG_TYPE_MAKE_SEND),
	                           MACH_MSG_TYPE_PORT_SEND),
	    KERN_SUCCESS);
	assert_int_equal(mach_port_mod_refs(s1, p, R_S, 2), KERN_SUCCESS);
	assert_int_equal(mach_port_insert_right(
	                     s2, 0x500, take(s1, p, MACH_MSG_TYPE_MOVE_RECEIVE),
	                     MACH_MSG_TYPE_PORT_RECEIVE),
	                 KERN_SUCCESS);
	assert_int_equal(type_of(s1, p), T_S);
	assert_int_equal(mach_port_destroy(s2, 0x500), KERN_SUCCESS);
	assert_int_equal(type_of(s1, p), T_DN);
	assert_int_equal(urefs_of(s1, p, R_DN), 3);
	assert_int_equal(urefs_of(s1, p, R_S), 0);
	assert_int_equal(mach_port_mod_refs(s1, p, R_S, -1),
	                 KERN_INVALID_RIGHT);
	assert_int_equal(mach_port_deallocate(s1, p), KERN_SUCCESS);
	assert_int_equal(mach_port_mod_refs(s1, p, R_DN, -2), KERN_SUCCESS);
	assert_int_equal(type_of(s1, p), GONE);
	assert_consistent(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    IPC_TEST(test_get_refs_table),
	    IPC_TEST(test_mod_refs_table),
	    IPC_TEST(test_deallocate_table),
	    IPC_TEST(test_destroy_table),
	    IPC_TEST(test_type_table),
	    IPC_TEST(test_receive_routines_on_every_kind),
	    IPC_TEST(test_dead_space_everywhere),
	    IPC_TEST(test_insert_right_conformance),
	    IPC_TEST(test_insert_right_errors),
	    IPC_TEST(test_insert_send_once_and_receive_at_new_names),
	    IPC_TEST(test_extract_right_dispositions),
	    IPC_TEST(test_request_notification_errors),
	    IPC_TEST(test_request_notification_returns_previous),
	    IPC_TEST(test_conformance_rights_and_refs),
	    IPC_TEST(test_conformance_names),
	    IPC_TEST(test_conformance_dead_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
