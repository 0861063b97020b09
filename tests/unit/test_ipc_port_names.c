/*
 * Unit tests of the port interface's naming routines
 * (ipc/port_interface.h): mach_port_names, mach_port_rename,
 * mach_port_allocate and mach_port_allocate_name, with their error
 * paths.
 */
#include "ipc_right_harness.h"

/* --- names, type, rename --- */

static void test_names_lists_everything(void **state)
{
	mach_port_name_t *names = (void *)1, r, d, s, so, dp;
	mach_port_type_t *types = (void *)1;
	mach_msg_type_number_t count = 99;
	struct ipc_object *prev;

	(void)state;
	assert_int_equal(mach_port_names(s1, &names, &types, &count),
	                 KERN_SUCCESS);
	assert_int_equal(count, 0);
	assert_null(names);
	assert_null(types);

	r = make_kind(K_SEND_RECEIVE);
	d = make_kind(K_DEAD);
	s = make_kind(K_PSET);
	so = make_kind(K_SONCE);
	dp = make_kind(K_DEADPORT);
	assert_int_equal(mach_port_request_notification(
	                     s1, r, MACH_NOTIFY_DEAD_NAME, 0,
	                     take(s1, r, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev),
	                 KERN_SUCCESS);
	assert_int_equal(mach_port_names(s1, &names, &types, &count),
	                 KERN_SUCCESS);
	assert_int_equal(count, 5);
	assert_int_equal(names[0], r);
	assert_int_equal(types[0], T_SR | MACH_PORT_TYPE_DNREQUEST);
	assert_int_equal(names[1], d);
	assert_int_equal(types[1], T_DN);
	assert_int_equal(names[2], s);
	assert_int_equal(types[2], T_PS);
	assert_int_equal(names[3], so);
	assert_int_equal(types[3], T_SO);
	assert_int_equal(names[4], dp);
	assert_int_equal(types[4], T_DN); /* the port died */
	ipc_buffer_free(names);
	ipc_buffer_free(types);
	assert_int_equal(type_of(s1, r), T_SR | MACH_PORT_TYPE_DNREQUEST);
}

static void test_names_of_a_big_space(void **state)
{
	enum { N = 20000 };
	mach_port_name_t *names;
	mach_port_type_t *types;
	mach_msg_type_number_t count;
	uint64_t pages = ipc_buffer_pages;

	(void)state;
	for (unsigned i = 0; i < N; i++)
		new_dead(s1);
	assert_int_equal(mach_port_names(s1, &names, &types, &count),
	                 KERN_SUCCESS);
	assert_int_equal(count, N);
	assert_true(ipc_buffer_pages > pages); /* beyond kmalloc's sizes */
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(names[i], i + 1);
	ipc_buffer_free(names);
	ipc_buffer_free(types);
}

static void test_rename_moves_every_kind(void **state)
{
	mach_port_status_t st;
	mach_port_name_t set, p;

	(void)state;
	for (enum kind k = K_RECEIVE; k < K_UNUSED; k++) {
		mach_port_name_t n = make_kind(k);
		mach_port_type_t t = type_of(s1, n);

		assert_int_equal(mach_port_rename(s1, n, 0x1000 + k),
		                 KERN_SUCCESS);
		assert_int_equal(type_of(s1, n), GONE);
		assert_int_equal(type_of(s1, 0x1000 + k), t);
	}
	assert_consistent(false);
	/* A set member's set name and a receive right's name follow. */
	set = new_pset(s1);
	p = new_receive(s1);
	assert_int_equal(mach_port_move_member(s1, p, set), KERN_SUCCESS);
	assert_int_equal(mach_port_rename(s1, set, 0x2000), KERN_SUCCESS);
	assert_int_equal(mach_port_rename(s1, p, 0x2001), KERN_SUCCESS);
	st = status_of(s1, 0x2001);
	assert_int_equal(st.mps_pset, 0x2000);
	assert_consistent(false);
}

static void test_rename_errors(void **state)
{
	mach_port_name_t a, b;

	(void)state;
	a = new_receive(s1);
	b = new_receive(s1);
	assert_int_equal(mach_port_rename(s1, a, MACH_PORT_NULL),
	                 KERN_INVALID_VALUE);
	assert_int_equal(mach_port_rename(s1, a, MACH_PORT_DEAD),
	                 KERN_INVALID_VALUE);
	assert_int_equal(mach_port_rename(s1, a, b), KERN_NAME_EXISTS);
	assert_int_equal(mach_port_rename(s1, a, a), KERN_NAME_EXISTS);
	/* The new name is checked before the old one, as GNU Mach does. */
	assert_int_equal(mach_port_rename(s1, 0x4321, b), KERN_NAME_EXISTS);
	assert_int_equal(mach_port_rename(s1, 0x4321, 0x4322),
	                 KERN_INVALID_NAME);
	/* A name the table cannot hold: the right stays where it was. */
	assert_int_equal(mach_port_rename(s1, a, 0x03000000),
	                 KERN_INVALID_VALUE);
	assert_int_equal(type_of(s1, a), T_R);
	assert_int_equal(mach_port_rename(s1, a, SPACE_NAME(2, 7)),
	                 KERN_NAME_EXISTS);
	assert_int_equal(type_of(s1, a), T_R);
	assert_consistent(true);
}

static void test_rename_to_same_index_other_generation(void **state)
{
	mach_port_name_t a;

	(void)state;
	a = new_receive(s1);
	assert_int_equal(mach_port_rename(s1, a, SPACE_NAME(1, 9)),
	                 KERN_SUCCESS);
	assert_int_equal(type_of(s1, SPACE_NAME(1, 9)), T_R);
	assert_int_equal(type_of(s1, a), GONE);
	assert_consistent(true);
}

static void test_rename_with_no_room_for_a_leaf(void **state)
{
	mach_port_name_t a;

	(void)state;
	a = new_receive(s1);
	/* No room for another table node (white box). */
	s1->node_budget = s1->nodes;
	assert_int_equal(mach_port_rename(s1, a, 0x00500000), KERN_NO_SPACE);
	assert_int_equal(type_of(s1, a), T_R);
	assert_consistent(true);
}

/* --- allocate --- */

static void test_allocate_rights(void **state)
{
	static const struct {
		mach_port_right_t right;
		kern_return_t kr;
		mach_port_type_t type;
	} rows[] = {
	    {R_R, KERN_SUCCESS, T_R},
	    {R_PS, KERN_SUCCESS, T_PS},
	    {R_DN, KERN_SUCCESS, T_DN},
	    {R_S, KERN_INVALID_VALUE, 0},
	    {R_SO, KERN_INVALID_VALUE, 0},
	    {R_BAD, KERN_INVALID_VALUE, 0},
	    {0xffffffff, KERN_INVALID_VALUE, 0},
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(rows); i++) {
		mach_port_name_t n = 0;

		assert_int_equal(mach_port_allocate(s1, rows[i].right, &n),
		                 rows[i].kr);
		assert_int_equal(
		    mach_port_allocate_name(s1, rows[i].right, 0x300 + i),
		    rows[i].kr);
		if (rows[i].kr != KERN_SUCCESS)
			continue;
		assert_int_equal(type_of(s1, n), rows[i].type);
		assert_int_equal(type_of(s1, 0x300 + i), rows[i].type);
		assert_int_equal(urefs_of(s1, n, rows[i].right), 1);
	}
	assert_consistent(true);
}

static void test_allocate_receive_fresh_status(void **state)
{
	mach_port_status_t st;
	mach_port_name_t p;

	(void)state;
	p = new_receive(s1);
	st = status_of(s1, p);
	assert_int_equal(st.mps_pset, MACH_PORT_NULL);
	assert_int_equal(st.mps_seqno, 0);
	assert_int_equal(st.mps_mscount, 0);
	assert_int_equal(st.mps_qlimit, MACH_PORT_QLIMIT_DEFAULT);
	assert_int_equal(st.mps_msgcount, 0);
	assert_int_equal(st.mps_sorights, 0);
	assert_false(st.mps_srights);
	assert_false(st.mps_pdrequest);
	assert_false(st.mps_nsrequest);
}

static void test_allocate_when_memory_is_short(void **state)
{
	struct slab_cache *ports = slab_cache_find("ipc.port");
	struct slab_cache *sets = slab_cache_find("ipc.pset");
	struct slab_stats st;
	mach_port_name_t n;

	(void)state;
	new_receive(s1);
	new_pset(s1);
	/* No more ports or sets than now (a limit of 0 means none). */
	slab_cache_get_stats(ports, &st);
	slab_cache_set_limit(ports, st.live);
	slab_cache_get_stats(sets, &st);
	slab_cache_set_limit(sets, st.live);
	assert_int_equal(mach_port_allocate(s1, R_R, &n),
	                 KERN_RESOURCE_SHORTAGE);
	assert_int_equal(mach_port_allocate_name(s1, R_PS, 0x40),
	                 KERN_RESOURCE_SHORTAGE);
	assert_int_equal(mach_port_allocate(s1, R_DN, &n), KERN_SUCCESS);
	slab_cache_set_limit(ports, 0);
	slab_cache_set_limit(sets, 0);
	assert_int_equal(mach_port_allocate(s1, R_R, &n), KERN_SUCCESS);
}

static void test_allocate_name_errors(void **state)
{
	mach_port_name_t p;

	(void)state;
	p = new_receive(s1);
	assert_int_equal(mach_port_allocate_name(s1, R_R, p), KERN_NAME_EXISTS);
	assert_int_equal(mach_port_allocate_name(s1, R_DN, p),
	                 KERN_NAME_EXISTS);
	assert_int_equal(mach_port_allocate_name(s1, R_R, MACH_PORT_NULL),
	                 KERN_INVALID_VALUE);
	assert_int_equal(mach_port_allocate_name(s1, R_R, MACH_PORT_DEAD),
	                 KERN_INVALID_VALUE);
	/* A bad right with a bad name: the name is checked first. */
	assert_int_equal(mach_port_allocate_name(s1, R_S, p),
	                 KERN_INVALID_VALUE);
	space_set_limit(s1, 1);
	assert_int_equal(mach_port_allocate_name(s1, R_PS, 0x800),
	                 KERN_NO_SPACE);
	assert_consistent(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    IPC_TEST(test_names_lists_everything),
	    IPC_TEST(test_names_of_a_big_space),
	    IPC_TEST(test_rename_moves_every_kind),
	    IPC_TEST(test_rename_errors),
	    IPC_TEST(test_rename_to_same_index_other_generation),
	    IPC_TEST(test_rename_with_no_room_for_a_leaf),
	    IPC_TEST(test_allocate_rights),
	    IPC_TEST(test_allocate_receive_fresh_status),
	    IPC_TEST(test_allocate_when_memory_is_short),
	    IPC_TEST(test_allocate_name_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
