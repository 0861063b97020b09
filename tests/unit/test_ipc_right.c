/*
 * Unit tests of the right/message boundary (ipc/right.h): right_copyin
 * for every disposition on every kind of name, right_copyout joining
 * and making names, rights to ports that die in transit, the user
 * reference limit on received rights, right_release, right_copy_send,
 * and kernel-object ports.
 */
#include "ipc_right_harness.h"

#define MS  MACH_MSG_TYPE_MOVE_SEND
#define CS  MACH_MSG_TYPE_COPY_SEND
#define MKS MACH_MSG_TYPE_MAKE_SEND
#define MSO MACH_MSG_TYPE_MOVE_SEND_ONCE
#define MKO MACH_MSG_TYPE_MAKE_SEND_ONCE
#define MR  MACH_MSG_TYPE_MOVE_RECEIVE

enum obj { O_NULL, O_DEAD, O_PORT };

struct copyin_row {
	enum kind kind;
	mach_msg_type_name_t disp;
	bool dead_ok;
	kern_return_t kr;
	enum obj obj;
	mach_port_type_t after;
	mach_port_urefs_t urefs; /* send or dead-name urefs after */
};

static const struct copyin_row copyin_rows[] = {
    /* receive */
    {K_RECEIVE, MKS, false, KERN_SUCCESS, O_PORT, T_R, 0},
    {K_RECEIVE, MKO, false, KERN_SUCCESS, O_PORT, T_R, 0},
    {K_RECEIVE, MR, false, KERN_SUCCESS, O_PORT, GONE, 0},
    {K_RECEIVE, CS, true, KERN_INVALID_RIGHT, O_NULL, T_R, 0},
    {K_RECEIVE, MS, true, KERN_INVALID_RIGHT, O_NULL, T_R, 0},
    {K_RECEIVE, MSO, true, KERN_INVALID_RIGHT, O_NULL, T_R, 0},
    /* send + receive */
    {K_SEND_RECEIVE, MR, false, KERN_SUCCESS, O_PORT, T_S, 1},
    {K_SEND_RECEIVE, MS, false, KERN_SUCCESS, O_PORT, T_R, 0},
    {K_SEND_RECEIVE, CS, false, KERN_SUCCESS, O_PORT, T_SR, 1},
    {K_SEND_RECEIVE, MKS, false, KERN_SUCCESS, O_PORT, T_SR, 1},
    /* send */
    {K_SEND, CS, false, KERN_SUCCESS, O_PORT, T_S, 1},
    {K_SEND, MS, false, KERN_SUCCESS, O_PORT, GONE, 0},
    {K_SEND, MKS, false, KERN_INVALID_RIGHT, O_NULL, T_S, 1},
    {K_SEND, MKO, false, KERN_INVALID_RIGHT, O_NULL, T_S, 1},
    {K_SEND, MR, false, KERN_INVALID_RIGHT, O_NULL, T_S, 1},
    {K_SEND, MSO, true, KERN_INVALID_RIGHT, O_NULL, T_S, 1},
    {K_SEND3, MS, false, KERN_SUCCESS, O_PORT, T_S, 2},
    {K_SEND3, CS, false, KERN_SUCCESS, O_PORT, T_S, 3},
    /* send-once */
    {K_SONCE, MSO, false, KERN_SUCCESS, O_PORT, GONE, 0},
    {K_SONCE, CS, true, KERN_INVALID_RIGHT, O_NULL, T_SO, 0},
    {K_SONCE, MS, true, KERN_INVALID_RIGHT, O_NULL, T_SO, 0},
    {K_SONCE, MKO, true, KERN_INVALID_RIGHT, O_NULL, T_SO, 0},
    /* a port set is never a port right */
    {K_PSET, MKS, true, KERN_INVALID_RIGHT, O_NULL, T_PS, 0},
    {K_PSET, MR, true, KERN_INVALID_RIGHT, O_NULL, T_PS, 0},
    {K_PSET, CS, true, KERN_INVALID_RIGHT, O_NULL, T_PS, 0},
    {K_PSET, MSO, true, KERN_INVALID_RIGHT, O_NULL, T_PS, 0},
    /* dead names: only with DEAD_OK, send dispositions only */
    {K_DEAD, CS, true, KERN_SUCCESS, O_DEAD, T_DN, 1},
    {K_DEAD, CS, false, KERN_INVALID_RIGHT, O_NULL, T_DN, 1},
    {K_DEAD, MS, true, KERN_SUCCESS, O_DEAD, GONE, 0},
    {K_DEAD, MS, false, KERN_INVALID_RIGHT, O_NULL, T_DN, 1},
    {K_DEAD, MSO, true, KERN_SUCCESS, O_DEAD, GONE, 0},
    {K_DEAD, MKS, true, KERN_INVALID_RIGHT, O_NULL, T_DN, 1},
    {K_DEAD, MR, true, KERN_INVALID_RIGHT, O_NULL, T_DN, 1},
    {K_DEADPORT, CS, true, KERN_SUCCESS, O_DEAD, T_DN, 2},
    {K_DEADPORT, MS, true, KERN_SUCCESS, O_DEAD, T_DN, 1},
    {K_DEADPORT, MS, false, KERN_INVALID_RIGHT, O_NULL, T_DN, 2},
    {K_DEADPORT, MSO, true, KERN_SUCCESS, O_DEAD, T_DN, 1},
    /* names that denote nothing */
    {K_UNUSED, CS, true, KERN_INVALID_NAME, O_NULL, GONE, 0},
    {K_STALE, MS, true, KERN_INVALID_NAME, O_NULL, GONE, 0},
    {K_NULL, MS, false, KERN_SUCCESS, O_NULL, GONE, 0},
    {K_NULL, MR, false, KERN_SUCCESS, O_NULL, GONE, 0},
    {K_DEADVAL, CS, true, KERN_SUCCESS, O_DEAD, GONE, 0},
    {K_DEADVAL, CS, false, KERN_INVALID_RIGHT, O_NULL, GONE, 0},
    /* not a port disposition, whatever the name */
    {K_RECEIVE, MACH_MSG_TYPE_PORT_NAME, true, KERN_INVALID_VALUE, O_NULL, T_R,
     0},
    {K_NULL, 99, true, KERN_INVALID_VALUE, O_NULL, GONE, 0},
    {K_UNUSED, 0, true, KERN_INVALID_VALUE, O_NULL, GONE, 0},
};

static void test_copyin_table(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(copyin_rows); i++) {
		const struct copyin_row *r = &copyin_rows[i];
		mach_port_name_t n = make_kind(r->kind);
		struct ipc_object *o = (void *)1;
		mach_msg_type_name_t t = 0;
		kern_return_t kr =
		    right_copyin(s1, n, r->disp, r->dead_ok, &o, &t);
		enum obj got = o == IPC_OBJECT_NULL   ? O_NULL
		               : o == IPC_OBJECT_DEAD ? O_DEAD
		                                      : O_PORT;
		mach_port_type_t after = type_of(s1, n);
		mach_port_urefs_t u = 0;

		if (after == T_DN)
			u = urefs_of(s1, n, MACH_PORT_RIGHT_DEAD_NAME);
		else if (after != GONE && (after & T_S))
			u = urefs_of(s1, n, MACH_PORT_RIGHT_SEND);
		if (kr != r->kr || got != r->obj || after != r->after ||
		    u != r->urefs)
			fail_msg("row %u (%s, disposition %u, dead_ok %d): kr "
			         "%d object %d type %#x urefs %u",
			         i, kind_names[r->kind], r->disp, r->dead_ok,
			         kr, got, after, u);
		if (kr == KERN_SUCCESS) {
			assert_int_equal(t, right_transit_type(r->disp));
			right_release(o, t);
		}
		assert_consistent(false);
	}
}

static void test_copyin_counts_rights(void **state)
{
	mach_port_name_t p;
	struct ipc_object *a, *b, *c;
	struct port *port;

	(void)state;
	p = new_receive(s1);
	port = port_of(s1, p);
	a = take(s1, p, MKS);
	b = take(s1, p, MKS);
	c = take(s1, p, MKO);
	assert_int_equal(port->mscount, 2);
	assert_int_equal(port->srights, 2);
	assert_int_equal(port->sorights, 1);
	right_release(a, MACH_MSG_TYPE_PORT_SEND);
	right_release(b, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(port->srights, 0);
	assert_int_equal(port->mscount, 2);
	assert_int_equal(put(s1, c, MACH_MSG_TYPE_PORT_SEND_ONCE) != p, 1);
	assert_int_equal(port->sorights, 1);
	assert_consistent(true);
}

static void test_copyout_joins_and_makes_names(void **state)
{
	mach_port_name_t p, a, b, so1, so2;

	(void)state;
	p = new_receive(s1);
	a = put(s2, take(s1, p, MKS), MACH_MSG_TYPE_PORT_SEND);
	b = put(s2, take(s1, p, MKS), MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(a, b);
	assert_int_equal(urefs_of(s2, a, MACH_PORT_RIGHT_SEND), 2);
	so1 = put(s2, take(s1, p, MKO), MACH_MSG_TYPE_PORT_SEND_ONCE);
	so2 = put(s2, take(s1, p, MKO), MACH_MSG_TYPE_PORT_SEND_ONCE);
	assert_int_not_equal(so1, so2);
	assert_int_not_equal(so1, a);
	/* The receive right joins the send right's name ... */
	assert_int_equal(put(s2, take(s1, p, MR), MACH_MSG_TYPE_PORT_RECEIVE),
	                 a);
	assert_int_equal(type_of(s2, a), T_SR);
	assert_int_equal(port_of(s2, a)->receiver, s2);
	assert_int_equal(port_of(s2, a)->receiver_name, a);
	/* ... and a send right joins the receive right's name. */
	p = new_receive(s1);
	a = put(s2, take(s1, p, MR), MACH_MSG_TYPE_PORT_RECEIVE);
	assert_int_equal(type_of(s2, a), T_R);
	assert_int_equal(give(s2, a, MKS, s2), a);
	assert_int_equal(type_of(s2, a), T_SR);
	assert_consistent(true);
}

static void test_copyout_null_and_dead(void **state)
{
	mach_port_name_t n = 5;

	(void)state;
	assert_int_equal(
	    right_copyout(s1, IPC_OBJECT_NULL, MACH_MSG_TYPE_PORT_SEND, &n),
	    KERN_SUCCESS);
	assert_int_equal(n, MACH_PORT_NULL);
	assert_int_equal(right_copyout(s1, IPC_OBJECT_DEAD,
	                               MACH_MSG_TYPE_PORT_SEND_ONCE, &n),
	                 KERN_SUCCESS);
	assert_int_equal(n, MACH_PORT_DEAD);
	/* Even a dead space takes nothing: NULL needs no name. */
	space_terminate(s3);
	assert_int_equal(
	    right_copyout(s3, IPC_OBJECT_NULL, MACH_MSG_TYPE_PORT_SEND, &n),
	    KERN_SUCCESS);
	assert_int_equal(s1->count, 0);
}

static void test_rights_to_a_port_dying_in_transit(void **state)
{
	mach_port_name_t p, n;
	struct ipc_object *s, *so;

	(void)state;
	p = new_receive(s1);
	s = take(s1, p, MKS);
	so = take(s1, p, MKO);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	assert_int_equal(right_copyout(s2, s, MACH_MSG_TYPE_PORT_SEND, &n),
	                 KERN_SUCCESS);
	assert_int_equal(n, MACH_PORT_DEAD);
	assert_int_equal(
	    right_copyout(s2, so, MACH_MSG_TYPE_PORT_SEND_ONCE, &n),
	    KERN_SUCCESS);
	assert_int_equal(n, MACH_PORT_DEAD);
	assert_int_equal(s2->count, 0);
	/* Released instead, they go quietly. */
	p = new_receive(s1);
	s = take(s1, p, MKS);
	so = take(s1, p, MKO);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	right_release(s, MACH_MSG_TYPE_PORT_SEND);
	right_release(so, MACH_MSG_TYPE_PORT_SEND_ONCE);
	assert_consistent(true);
}

static void test_copyout_pegs_urefs_at_the_limit(void **state)
{
	mach_port_name_t p, n;

	(void)state;
	p = new_receive(s1);
	n = give(s1, p, MKS, s2);
	assert_int_equal(
	    mach_port_mod_refs(s2, n, MACH_PORT_RIGHT_SEND, 0xfffd),
	    KERN_SUCCESS);
	/* A received send right beyond the limit is absorbed. */
	assert_int_equal(give(s1, p, MKS, s2), n);
	assert_int_equal(urefs_of(s2, n, MACH_PORT_RIGHT_SEND), 0xfffe);
	assert_int_equal(port_of(s1, p)->srights, 1);
	assert_consistent(true);
}

static void test_release_receive_destroys_port(void **state)
{
	mach_port_name_t p, snd;
	struct ipc_object *o;

	(void)state;
	p = new_receive(s1);
	snd = give(s1, p, MKS, s2);
	o = take(s1, p, MR);
	assert_int_equal(type_of(s1, p), GONE);
	assert_null(port_from_object(o)->receiver);
	right_release(o, MACH_MSG_TYPE_PORT_RECEIVE);
	assert_int_equal(type_of(s2, snd), T_DN);
	right_release(IPC_OBJECT_NULL, MACH_MSG_TYPE_PORT_SEND);
	right_release(IPC_OBJECT_DEAD, MACH_MSG_TYPE_PORT_RECEIVE);
	assert_consistent(true);
}

static void test_release_with_bad_type_panics(void **state)
{
	mach_port_name_t p;
	struct ipc_object *o;

	(void)state;
	p = new_receive(s1);
	o = take(s1, p, MKS);
	assert_true(EXPECT_PANIC(right_release(o, MACH_MSG_TYPE_PORT_NAME)));
	right_release(o, MACH_MSG_TYPE_PORT_SEND);
}

static void test_copy_send_for_the_kernel(void **state)
{
	mach_port_name_t p;
	struct ipc_object *o;
	struct port *port;

	(void)state;
	p = new_receive(s1);
	o = take(s1, p, MKS);
	port = port_from_object(o);
	right_copy_send(o);
	assert_int_equal(port->srights, 2);
	assert_int_equal(port->mscount, 1);
	right_release(o, MACH_MSG_TYPE_PORT_SEND);
	right_release(o, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(port->srights, 0);
}

static void test_kobject_port_send_rights(void **state)
{
	struct port *kp;
	mach_port_name_t n;
	int obj;

	(void)state;
	assert_int_equal(port_alloc_kobject(KOBJECT_TEST, &obj, &kp),
	                 KERN_SUCCESS);
	port_make_send(kp);
	n = put(s1, port_object(kp), MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(type_of(s1, n), T_S);
	port_make_send(kp);
	assert_int_equal(put(s1, port_object(kp), MACH_MSG_TYPE_PORT_SEND), n);
	assert_int_equal(kp->mscount, 2);
	port_destroy_kobject(kp);
	assert_int_equal(type_of(s1, n), T_DN);
	assert_int_equal(urefs_of(s1, n, MACH_PORT_RIGHT_DEAD_NAME), 2);
}

static void test_kobject_port_when_kernel_space_is_full(void **state)
{
	struct port *kp;
	int obj;

	(void)state;
	space_set_limit(space_kernel, 1);
	assert_int_equal(port_alloc_kobject(KOBJECT_TEST, &obj, &kp),
	                 KERN_SUCCESS);
	{
		struct port *kp2 = NULL;

		assert_int_equal(port_alloc_kobject(KOBJECT_HOST, &obj, &kp2),
		                 KERN_NO_SPACE);
		assert_null(kp2);
	}
	port_set_kobject(kp, KOBJECT_THREAD, NULL);
	assert_int_equal(kp->kotype, KOBJECT_THREAD);
	port_destroy_kobject(kp);
	space_set_limit(space_kernel, SPACE_NAMES_MAX);
}

static void test_lazy_dead_conversion_drops_the_port(void **state)
{
	struct slab_cache *ports = slab_cache_find("ipc.port");
	struct slab_stats before, after;
	mach_port_name_t p, snd;

	(void)state;
	p = new_receive(s1);
	snd = give(s1, p, MKS, s2);
	slab_cache_get_stats(ports, &before);
	assert_int_equal(mach_port_destroy(s1, p), KERN_SUCCESS);
	/* s2's entry still holds the dead port until looked at. */
	slab_cache_get_stats(ports, &after);
	assert_int_equal(after.live, before.live);
	assert_int_equal(type_of(s2, snd), T_DN);
	slab_cache_get_stats(ports, &after);
	assert_int_equal(after.live, before.live - 1);
	assert_consistent(true);
}

static void test_move_receive_wakes_and_leaves_set(void **state)
{
	mach_port_name_t p, set;
	struct port *port;

	(void)state;
	p = new_receive(s1);
	set = new_pset(s1);
	assert_int_equal(mach_port_move_member(s1, p, set), KERN_SUCCESS);
	port = port_of(s1, p);
	assert_non_null(port->pset);
	give(s1, p, MR, s2);
	assert_null(port->pset);
	assert_ptr_equal(port->receiver, s2);
	assert_consistent(true);
}

static void test_moving_receive_right_resets_mscount_and_seqno(void **state)
{
	mach_port_name_t p, q;
	mach_port_status_t st;

	(void)state;
	p = new_receive(s1);
	give(s1, p, MKS, s3);
	give(s1, p, MKS, s3);
	assert_int_equal(mach_port_set_seqno(s1, p, 5), KERN_SUCCESS);
	st = status_of(s1, p);
	assert_int_equal(st.mps_mscount, 2);
	assert_int_equal(st.mps_seqno, 5);
	q = give(s1, p, MR, s2);
	st = status_of(s2, q);
	assert_int_equal(st.mps_mscount, 0);
	assert_int_equal(st.mps_seqno, 0);
	assert_true(st.mps_srights); /* the send rights stay */
	assert_consistent(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    IPC_TEST(test_copyin_table),
	    IPC_TEST(test_copyin_counts_rights),
	    IPC_TEST(test_copyout_joins_and_makes_names),
	    IPC_TEST(test_copyout_null_and_dead),
	    IPC_TEST(test_rights_to_a_port_dying_in_transit),
	    IPC_TEST(test_copyout_pegs_urefs_at_the_limit),
	    IPC_TEST(test_release_receive_destroys_port),
	    IPC_TEST(test_release_with_bad_type_panics),
	    IPC_TEST(test_copy_send_for_the_kernel),
	    IPC_TEST(test_kobject_port_send_rights),
	    IPC_TEST(test_kobject_port_when_kernel_space_is_full),
	    IPC_TEST(test_lazy_dead_conversion_drops_the_port),
	    IPC_TEST(test_move_receive_wakes_and_leaves_set),
	    IPC_TEST(test_moving_receive_right_resets_mscount_and_seqno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
