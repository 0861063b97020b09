/*
 * Unit tests of the port interface's routines on receive rights and port
 * sets (ipc/port_status.c): queue limit, make-send count, sequence
 * number, protected payload, receive status, set membership and status,
 * and what happens to them when kernel memory is short.
 */
#include "ipc_right_harness.h"

/* --- receive-right attributes and status --- */

static void test_qlimit_bounds(void **state)
{
	mach_port_name_t p;

	(void)state;
	p = new_receive(s1);
	assert_int_equal(mach_port_set_qlimit(s1, p, MACH_PORT_QLIMIT_MAX + 1),
	                 KERN_INVALID_VALUE);
	assert_int_equal(mach_port_set_qlimit(s1, 0x4321, 0xffffffff),
	                 KERN_INVALID_VALUE);
	assert_int_equal(mach_port_set_qlimit(NULL, p, 1), KERN_INVALID_TASK);
	assert_int_equal(mach_port_set_qlimit(s1, p, MACH_PORT_QLIMIT_MAX),
	                 KERN_SUCCESS);
	assert_int_equal(status_of(s1, p).mps_qlimit, MACH_PORT_QLIMIT_MAX);
	assert_int_equal(mach_port_set_qlimit(s1, p, 1), KERN_SUCCESS);
	assert_int_equal(status_of(s1, p).mps_qlimit, 1);
	assert_int_equal(mach_port_set_qlimit(s1, p, 0), KERN_SUCCESS);
	assert_int_equal(status_of(s1, p).mps_qlimit, 0);
}

static void test_receive_status_reports_everything(void **state)
{
	mach_port_name_t p, so, set;
	struct ipc_object *prev;
	mach_port_status_t st;

	(void)state;
	p = new_receive(s1);
	set = new_pset(s1);
	give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	so = new_receive(s2);
	give(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s2);
	assert_int_equal(mach_port_move_member(s1, p, set), KERN_SUCCESS);
	assert_int_equal(mach_port_set_seqno(s1, p, 42), KERN_SUCCESS);
	assert_int_equal(mach_port_request_notification(
	                     s1, p, MACH_NOTIFY_NO_SENDERS, 100,
	                     take(s2, so, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev),
	                 KERN_SUCCESS);
	assert_int_equal(mach_port_request_notification(
	                     s1, p, MACH_NOTIFY_PORT_DESTROYED, 0,
	                     take(s2, so, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev),
	                 KERN_SUCCESS);
	st = status_of(s1, p);
	assert_int_equal(st.mps_pset, set);
	assert_int_equal(st.mps_seqno, 42);
	assert_int_equal(st.mps_mscount, 2);
	assert_int_equal(st.mps_sorights, 1);
	assert_true(st.mps_srights);
	assert_true(st.mps_pdrequest);
	assert_true(st.mps_nsrequest);
	assert_int_equal(mach_port_set_mscount(s1, p, 7), KERN_SUCCESS);
	assert_int_equal(status_of(s1, p).mps_mscount, 7);
	assert_consistent(true);
}

static void test_protected_payload_set_and_clear(void **state)
{
	mach_port_name_t p;
	struct port *port;

	(void)state;
	p = new_receive(s1);
	port = port_of(s1, p);
	assert_false(port->has_payload);
	assert_int_equal(
	    mach_port_set_protected_payload(s1, p, 0xfeedface12345678ULL),
	    KERN_SUCCESS);
	assert_true(port->has_payload);
	assert_int_equal(port->payload, 0xfeedface12345678ULL);
	assert_int_equal(mach_port_clear_protected_payload(s1, p),
	                 KERN_SUCCESS);
	assert_false(port->has_payload);
}

/* --- port sets --- */

static void test_port_sets_conformance(void **state)
{
	mach_port_name_t p, s, *members = (void *)1;
	mach_msg_type_number_t n = 99;

	(void)state;
	p = new_receive(s1);
	s = new_pset(s1);
	assert_int_equal(mach_port_move_member(s1, p, s), KERN_SUCCESS);
	assert_int_equal(status_of(s1, p).mps_pset, s);
	assert_int_equal(mach_port_get_set_status(s1, s, &members, &n),
	                 KERN_SUCCESS);
	assert_int_equal(n, 1);
	assert_int_equal(members[0], p);
	ipc_buffer_free(members);
	assert_int_equal(mach_port_move_member(s1, s, s), KERN_INVALID_RIGHT);
	assert_int_equal(mach_port_move_member(s1, p, p), KERN_INVALID_RIGHT);
	assert_int_equal(mach_port_get_set_status(s1, p, &members, &n),
	                 KERN_INVALID_RIGHT);
	{
		mach_port_status_t st;

		assert_int_equal(mach_port_get_receive_status(s1, s, &st),
		                 KERN_INVALID_RIGHT);
	}
	assert_int_equal(mach_port_move_member(s1, p, MACH_PORT_NULL),
	                 KERN_SUCCESS);
	assert_int_equal(mach_port_get_set_status(s1, s, &members, &n),
	                 KERN_SUCCESS);
	assert_int_equal(n, 0);
	assert_null(members);
	assert_int_equal(mach_port_move_member(s1, p, MACH_PORT_NULL),
	                 KERN_NOT_IN_SET);
	assert_int_equal(mach_port_move_member(s1, p, s), KERN_SUCCESS);
	assert_int_equal(mach_port_destroy(s1, s), KERN_SUCCESS);
	assert_int_equal(status_of(s1, p).mps_pset, MACH_PORT_NULL);
	assert_consistent(true);
}

static void test_move_member_between_sets_and_errors(void **state)
{
	mach_port_name_t a, b, p, q, snd, *m;
	mach_msg_type_number_t n;

	(void)state;
	a = new_pset(s1);
	b = new_pset(s1);
	p = new_receive(s1);
	q = new_receive(s1);
	snd = make_kind(K_SEND);
	assert_int_equal(mach_port_move_member(s1, p, a), KERN_SUCCESS);
	assert_int_equal(mach_port_move_member(s1, q, a), KERN_SUCCESS);
	assert_int_equal(mach_port_move_member(s1, p, b), KERN_SUCCESS);
	assert_int_equal(mach_port_move_member(s1, p, b), KERN_SUCCESS);
	assert_int_equal(mach_port_get_set_status(s1, a, &m, &n), KERN_SUCCESS);
	assert_int_equal(n, 1);
	assert_int_equal(m[0], q);
	ipc_buffer_free(m);
	assert_int_equal(status_of(s1, p).mps_pset, b);
	assert_int_equal(mach_port_move_member(s1, 0x4321, a),
	                 KERN_INVALID_NAME);
	assert_int_equal(mach_port_move_member(s1, p, 0x4321),
	                 KERN_INVALID_NAME);
	assert_int_equal(mach_port_move_member(s1, snd, a), KERN_INVALID_RIGHT);
	assert_int_equal(mach_port_move_member(s1, p, snd), KERN_INVALID_RIGHT);
	assert_int_equal(mach_port_get_set_status(s1, 0x4321, &m, &n),
	                 KERN_INVALID_NAME);
	/* The receive right moving away takes the port out of its set. */
	give(s1, q, MACH_MSG_TYPE_MOVE_RECEIVE, s2);
	assert_int_equal(mach_port_get_set_status(s1, a, &m, &n), KERN_SUCCESS);
	assert_int_equal(n, 0);
	/* Destroying a member leaves the set empty too. */
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	assert_int_equal(mach_port_get_set_status(s1, b, &m, &n), KERN_SUCCESS);
	assert_int_equal(n, 0);
	assert_consistent(false);
}

static void test_port_with_messages_joining_a_set_is_received(void **state)
{
	mach_port_name_t p, set;
	struct h_msg m;
	struct kmsg *k;

	(void)state;
	p = new_receive(s1);
	set = new_pset(s1);
	k = kmsg_alloc(sizeof(struct kmsg_header));
	k->hdr.bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND, 0);
	k->hdr.remote = take(s1, p, MACH_MSG_TYPE_MAKE_SEND);
	k->hdr.id = 99;
	assert_int_equal(ipc_send_kernel(k), MACH_MSG_SUCCESS);
	assert_int_equal(mach_port_move_member(s1, p, set), KERN_SUCCESS);
	assert_int_equal(h_recv(s1, p, &m), MACH_RCV_IN_SET);
	assert_int_equal(h_recv(s1, set, &m), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, 99);
	assert_int_equal(m.h.msgh_local_port, p);
}

static void test_array_results_when_memory_is_short(void **state)
{
	struct slab_cache *c = slab_cache_find("kmalloc-32");
	mach_port_name_t set, p, *names;
	mach_port_type_t *types;
	mach_msg_type_number_t n = 5;
	struct slab_stats st;
	void *filler;

	(void)state;
	set = new_pset(s1);
	p = new_receive(s1);
	assert_int_equal(mach_port_move_member(s1, p, set), KERN_SUCCESS);
	/* Two names: 8 bytes each array, a kmalloc-32 buffer each.  (A
	 * filler object, so that the limit is never 0, "no limit".) */
	filler = slab_alloc(c);
	slab_cache_get_stats(c, &st);
	slab_cache_set_limit(c, st.live + 1);
	assert_int_equal(mach_port_names(s1, &names, &types, &n),
	                 KERN_RESOURCE_SHORTAGE);
	assert_int_equal(n, 0);
	assert_null(names);
	slab_cache_set_limit(c, st.live);
	assert_int_equal(mach_port_get_set_status(s1, set, &names, &n),
	                 KERN_RESOURCE_SHORTAGE);
	assert_null(names);
	slab_cache_set_limit(c, 0);
	slab_free(c, filler);
	assert_int_equal(mach_port_names(s1, &names, &types, &n), KERN_SUCCESS);
	assert_int_equal(n, 2);
	ipc_buffer_free(names);
	ipc_buffer_free(types);
}

static void test_dead_name_request_when_memory_is_short(void **state)
{
	struct slab_cache *c = slab_cache_find("ipc.dnrequest");
	mach_port_name_t p, q;
	struct ipc_object *n, *prev;
	struct slab_stats st;

	(void)state;
	p = new_receive(s1);
	q = new_receive(s1);
	n = take(s1, q, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	assert_int_equal(mach_port_request_notification(
	                     s1, q, MACH_NOTIFY_DEAD_NAME, 0, n, &prev),
	                 KERN_SUCCESS);
	slab_cache_get_stats(c, &st);
	slab_cache_set_limit(c, st.live);
	n = take(s1, q, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	assert_int_equal(mach_port_request_notification(
	                     s1, p, MACH_NOTIFY_DEAD_NAME, 0, n, &prev),
	                 KERN_RESOURCE_SHORTAGE);
	assert_int_equal(type_of(s1, p), MACH_PORT_TYPE_RECEIVE);
	slab_cache_set_limit(c, 0);
	assert_int_equal(mach_port_request_notification(
	                     s1, p, MACH_NOTIFY_DEAD_NAME, 0, n, &prev),
	                 KERN_SUCCESS);
	assert_consistent(true);
}

static void test_deallocate_send_receive_with_many_refs(void **state)
{
	mach_port_name_t p = make_kind(K_SEND_RECEIVE);

	(void)state;
	assert_int_equal(mach_port_mod_refs(s1, p, R_S, 2), KERN_SUCCESS);
	assert_int_equal(mach_port_deallocate(s1, p), KERN_SUCCESS);
	assert_int_equal(type_of(s1, p), T_SR);
	assert_int_equal(urefs_of(s1, p, R_S), 2);
	assert_consistent(true);
}

static void test_object_references(void **state)
{
	mach_port_name_t s = new_pset(s1), p = new_receive(s1);
	struct ipc_object *set, *port;

	(void)state;
	{
		unsigned long f = space_lock(s1);

		set = space_lookup(s1, s)->object;
		port = space_lookup(s1, p)->object;
		space_unlock(s1, f);
	}
	object_ref(set);
	object_ref(port);
	assert_int_equal(mach_port_destroy(s1, s), KERN_SUCCESS);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	assert_false(set->active);
	assert_false(port->active);
	object_release(set);
	object_release(port);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    IPC_TEST(test_qlimit_bounds),
	    IPC_TEST(test_receive_status_reports_everything),
	    IPC_TEST(test_protected_payload_set_and_clear),
	    IPC_TEST(test_port_sets_conformance),
	    IPC_TEST(test_move_member_between_sets_and_errors),
	    IPC_TEST(test_port_with_messages_joining_a_set_is_received),
	    IPC_TEST(test_array_results_when_memory_is_short),
	    IPC_TEST(test_dead_name_request_when_memory_is_short),
	    IPC_TEST(test_deallocate_send_receive_with_many_refs),
	    IPC_TEST(test_object_references),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
