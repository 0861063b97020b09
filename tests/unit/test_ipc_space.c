/*
 * Unit tests of IPC spaces (ipc/space.c): names and their generations,
 * the radix table, the free list, the reverse map, limits, termination,
 * the kernel space and the buffers for array out-parameters.
 */
#include "ipc_right_harness.h"

static void test_first_names_are_1_2_3_4(void **state)
{
	(void)state;
	assert_int_equal(new_receive(s1), 1);
	assert_int_equal(new_receive(s1), 2);
	assert_int_equal(new_pset(s1), 3);
	assert_int_equal(new_dead(s1), 4);
	/* Another space counts on its own. */
	assert_int_equal(new_receive(s2), 1);
}

static void test_freed_name_is_stale_and_index_reused_later(void **state)
{
	mach_port_name_t a, b, c;

	(void)state;
	a = new_receive(s1);
	b = new_receive(s1);
	assert_int_equal(mach_port_destroy(s1, a), KERN_SUCCESS);
	assert_int_equal(type_of(s1, a), (mach_port_type_t)-1);
	assert_int_equal(mach_port_destroy(s1, a), KERN_INVALID_NAME);
	/* Fresh indices are used before freed ones. */
	c = new_receive(s1);
	assert_int_equal(SPACE_NAME_INDEX(c), 3);
	assert_int_equal(mach_port_destroy(s1, b), KERN_SUCCESS);
	assert_int_equal(mach_port_destroy(s1, c), KERN_SUCCESS);
}

static void test_reused_index_gets_next_generation(void **state)
{
	mach_port_name_t first, n = 0;

	(void)state;
	first = new_receive(s1);
	assert_int_equal(mach_port_destroy(s1, first), KERN_SUCCESS);
	/* Use up the fresh indices of the first leaf (1..127). */
	for (unsigned i = 2; i < SPACE_LEAF_SIZE; i++)
		assert_int_equal(SPACE_NAME_INDEX(new_dead(s1)), i);
	assert_int_equal(mach_port_allocate(s1, MACH_PORT_RIGHT_DEAD_NAME, &n),
	                 KERN_SUCCESS);
	assert_int_equal(n, SPACE_NAME(1, 1));
	assert_int_not_equal(n, first);
	assert_int_equal(type_of(s1, first), (mach_port_type_t)-1);
	assert_int_equal(type_of(s1, n), MACH_PORT_TYPE_DEAD_NAME);
}

static void test_generation_wraps_after_256_reuses(void **state)
{
	mach_port_name_t n = 0;

	(void)state;
	assert_int_equal(mach_port_allocate_name(s1, MACH_PORT_RIGHT_DEAD_NAME,
	                                         SPACE_NAME(5, 255)),
	                 KERN_SUCCESS);
	assert_int_equal(mach_port_destroy(s1, SPACE_NAME(5, 255)),
	                 KERN_SUCCESS);
	assert_int_equal(mach_port_allocate_name(s1, MACH_PORT_RIGHT_DEAD_NAME,
	                                         SPACE_NAME(5, 0)),
	                 KERN_SUCCESS);
	n = SPACE_NAME(5, 0);
	assert_int_equal(type_of(s1, n), MACH_PORT_TYPE_DEAD_NAME);
	assert_int_equal(type_of(s1, SPACE_NAME(5, 255)), (mach_port_type_t)-1);
}

static void test_lookup_rejects_reserved_and_stale(void **state)
{
	static const mach_port_name_t bad[] = {MACH_PORT_NULL,
	                                       MACH_PORT_DEAD,
	                                       0x00ffffff,
	                                       0x01000000,
	                                       0x7f000000,
	                                       SPACE_NAME(1, 1),
	                                       SPACE_NAME(1, 255),
	                                       2,
	                                       0x12345,
	                                       SPACE_NAME(0xfffffe, 0)};
	unsigned long f;

	(void)state;
	assert_int_equal(new_receive(s1), 1);
	f = space_lock(s1);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		assert_null(space_lookup(s1, bad[i]));
	assert_non_null(space_lookup(s1, 1));
	space_unlock(s1, f);
}

static void test_allocate_name_reserved_indices_invalid(void **state)
{
	(void)state;
	/* Index 0 and index 0xffffff cannot be held by the table. */
	assert_int_equal(
	    mach_port_allocate_name(s1, MACH_PORT_RIGHT_RECEIVE, 0x01000000),
	    KERN_INVALID_VALUE);
	assert_int_equal(
	    mach_port_allocate_name(s1, MACH_PORT_RIGHT_RECEIVE, 0x00ffffff),
	    KERN_INVALID_VALUE);
	assert_int_equal(
	    mach_port_allocate_name(s1, MACH_PORT_RIGHT_RECEIVE, 0x05ffffff),
	    KERN_INVALID_VALUE);
}

static void test_allocate_name_index_held_by_other_generation(void **state)
{
	(void)state;
	assert_int_equal(new_receive(s1), 1);
	/* Same index, other generation: the slot is taken. */
	assert_int_equal(mach_port_allocate_name(s1, MACH_PORT_RIGHT_RECEIVE,
	                                         SPACE_NAME(1, 9)),
	                 KERN_NAME_EXISTS);
	assert_int_equal(type_of(s1, SPACE_NAME(1, 9)), (mach_port_type_t)-1);
}

/* Receive rights under each of the N NAMES in s1, each then found. */
static void allocate_receives(const mach_port_name_t *names, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(mach_port_allocate_name(
		                     s1, MACH_PORT_RIGHT_RECEIVE, names[i]),
		                 KERN_SUCCESS);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(type_of(s1, names[i]), MACH_PORT_TYPE_RECEIVE);
}

static void test_sparse_names_far_apart(void **state)
{
	static const mach_port_name_t names[] = {0x777, 0x12345678, 0xfffffe,
	                                         0xabcdef01, 0x00800000};

	(void)state;
	allocate_receives(names, ARRAY_SIZE(names));
	/* Names the space picks still start at 1. */
	assert_int_equal(new_receive(s1), 1);
	assert_consistent(true);
}

/* The first leaves are reached from the space itself (space->near), the
 * others through the L2 node: names on both sides of the boundary. */
static void test_near_leaves_and_the_rest(void **state)
{
	const uint32_t edge = SPACE_NEAR_LEAVES * SPACE_LEAF_SIZE;
	const mach_port_name_t names[] = {SPACE_NAME(edge - 1, 0),
	                                  SPACE_NAME(edge, 0),
	                                  SPACE_NAME(edge + 1, 3)};
	(void)state;
	allocate_receives(names, ARRAY_SIZE(names));
	assert_non_null(s1->near[SPACE_NEAR_LEAVES - 1]);
	assert_ptr_equal(s1->near[SPACE_NEAR_LEAVES - 1],
	                 s1->l1[0][SPACE_NEAR_LEAVES - 1]);
	assert_null(s1->near[0]); /* no name below the edge's leaf yet */
	assert_int_equal(new_receive(s1), 1);
	assert_non_null(s1->near[0]);
	assert_consistent(true);
}

static void test_limit_gives_no_space(void **state)
{
	mach_port_name_t n;

	(void)state;
	space_set_limit(s1, 3);
	new_receive(s1);
	new_pset(s1);
	new_dead(s1);
	assert_int_equal(mach_port_allocate(s1, MACH_PORT_RIGHT_RECEIVE, &n),
	                 KERN_NO_SPACE);
	assert_int_equal(
	    mach_port_allocate_name(s1, MACH_PORT_RIGHT_PORT_SET, 0x500),
	    KERN_NO_SPACE);
	assert_int_equal(mach_port_allocate(s1, MACH_PORT_RIGHT_DEAD_NAME, &n),
	                 KERN_NO_SPACE);
	/* A message's right finds no room either. */
	n = new_receive(s2);
	{
		struct ipc_object *o = take(s2, n, MACH_MSG_TYPE_MAKE_SEND);
		mach_port_name_t got = 0;

		assert_int_equal(
		    right_copyout(s1, o, MACH_MSG_TYPE_PORT_SEND, &got),
		    KERN_NO_SPACE);
		right_release(o, MACH_MSG_TYPE_PORT_SEND);
	}
	/* Freeing one makes room for one. */
	assert_int_equal(mach_port_destroy(s1, 1), KERN_SUCCESS);
	assert_int_equal(mach_port_allocate(s1, MACH_PORT_RIGHT_RECEIVE, &n),
	                 KERN_SUCCESS);
	assert_consistent(true);
}

static void test_rename_works_at_the_limit(void **state)
{
	(void)state;
	space_set_limit(s1, 2);
	new_receive(s1);
	new_receive(s1);
	assert_int_equal(mach_port_rename(s1, 2, 0x900), KERN_SUCCESS);
	assert_int_equal(type_of(s1, 0x900), MACH_PORT_TYPE_RECEIVE);
	assert_consistent(true);
}

static void test_many_names_grow_the_table(void **state)
{
	enum { N = 5000 };
	mach_port_name_t *names = calloc(N, sizeof(*names));

	(void)state;
	assert_non_null(names);
	for (unsigned i = 0; i < N; i++) {
		names[i] = new_receive(s1);
		assert_int_equal(names[i], i + 1);
	}
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(type_of(s1, names[i]), MACH_PORT_TYPE_RECEIVE);
	assert_consistent(true);
	for (unsigned i = 0; i < N; i += 2)
		assert_int_equal(mach_port_destroy(s1, names[i]), KERN_SUCCESS);
	assert_consistent(true);
	free(names);
}

static void test_sparse_names_bounded_by_node_budget(void **state)
{
	kern_return_t kr = KERN_SUCCESS;
	unsigned got = 0;

	(void)state;
	space_set_limit(s1, 256); /* budget: 2 * 2 leaves + 16 nodes */
	/* Each name in its own L2 node: two nodes per name. */
	for (unsigned i = 1; i < 256 && kr == KERN_SUCCESS; i++) {
		kr = mach_port_allocate_name(s1, MACH_PORT_RIGHT_DEAD_NAME,
		                             (i << 16) | 1);
		if (kr == KERN_SUCCESS)
			got++;
	}
	assert_int_equal(kr, KERN_NO_SPACE);
	assert_int_equal(got, 10);
	assert_true(s1->nodes <= s1->node_budget);
	assert_consistent(true);
}

static void test_send_rights_share_one_name(void **state)
{
	mach_port_name_t p, a, b;

	(void)state;
	p = new_receive(s1);
	a = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	b = give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	assert_int_equal(a, b);
	assert_int_equal(urefs_of(s2, a, MACH_PORT_RIGHT_SEND), 2);
	/* A send-once right gets a name of its own. */
	b = give(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s2);
	assert_int_not_equal(a, b);
	assert_int_equal(type_of(s2, b), MACH_PORT_TYPE_SEND_ONCE);
	assert_consistent(true);
}

static void test_reverse_map_grows_with_many_ports(void **state)
{
	enum { N = 700 };
	mach_port_name_t p[N], n[N];

	(void)state;
	for (unsigned i = 0; i < N; i++) {
		p[i] = new_receive(s1);
		n[i] = give(s1, p[i], MACH_MSG_TYPE_MAKE_SEND, s2);
	}
	assert_true(s2->rmask + 1 >= N);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(give(s1, p[i], MACH_MSG_TYPE_MAKE_SEND, s2),
		                 n[i]);
	assert_consistent(true);
}

static void test_terminated_space_refuses_everything(void **state)
{
	mach_port_name_t p, n = 0;
	struct ipc_object *o;
	mach_msg_type_name_t t;
	mach_port_type_t ty;

	(void)state;
	p = new_receive(s2);
	new_receive(s1);
	space_terminate(s1);
	space_terminate(s1); /* twice is fine */
	assert_int_equal(mach_port_allocate(s1, MACH_PORT_RIGHT_RECEIVE, &n),
	                 KERN_INVALID_TASK);
	assert_int_equal(mach_port_type(s1, 1, &ty), KERN_INVALID_TASK);
	assert_int_equal(
	    right_copyin(s1, 1, MACH_MSG_TYPE_MAKE_SEND, false, &o, &t),
	    KERN_INVALID_TASK);
	o = take(s2, p, MACH_MSG_TYPE_MAKE_SEND);
	assert_int_equal(right_copyout(s1, o, MACH_MSG_TYPE_PORT_SEND, &n),
	                 KERN_INVALID_TASK);
	right_release(o, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(s1->count, 0);
	assert_int_equal(s1->nodes, 0);
	assert_consistent(true);
}

static void test_release_of_last_reference_terminates(void **state)
{
	struct space *s;
	mach_port_name_t p, q;

	(void)state;
	assert_int_equal(space_create(&s), KERN_SUCCESS);
	p = new_receive(s);
	q = give(s, p, MACH_MSG_TYPE_MAKE_SEND, s1);
	space_ref(s);
	space_release(s);
	assert_true(s->active);
	space_release(s); /* terminates and frees */
	assert_int_equal(type_of(s1, q), MACH_PORT_TYPE_DEAD_NAME);
}

static void test_null_space_is_invalid_task(void **state)
{
	mach_port_name_t n;
	struct ipc_object *o;
	mach_msg_type_name_t t;

	(void)state;
	assert_int_equal(mach_port_allocate(NULL, MACH_PORT_RIGHT_RECEIVE, &n),
	                 KERN_INVALID_TASK);
	assert_int_equal(
	    right_copyin(NULL, 5, MACH_MSG_TYPE_COPY_SEND, false, &o, &t),
	    KERN_INVALID_TASK);
	assert_int_equal(right_copyout(NULL, (struct ipc_object *)&n,
	                               MACH_MSG_TYPE_PORT_SEND, &n),
	                 KERN_INVALID_TASK);
}

static kern_return_t vm_alloc(void *ctx, uint64_t size, uint64_t *addr)
{
	*addr = size + (uint64_t)(uintptr_t)ctx;
	return KERN_SUCCESS;
}

static void vm_dealloc(void *ctx, uint64_t addr, uint64_t size)
{
	(void)ctx;
	(void)addr;
	(void)size;
}

static void test_vm_hook_is_stored(void **state)
{
	static const struct space_vm_ops ops = {.allocate = vm_alloc,
	                                        .deallocate = vm_dealloc};
	uint64_t a = 0;

	(void)state;
	assert_null(s1->vm_ops);
	space_set_vm(s1, &ops, (void *)(uintptr_t)0x1000);
	assert_ptr_equal(s1->vm_ops, &ops);
	assert_int_equal(s1->vm_ops->allocate(s1->vm_ctx, 5, &a), KERN_SUCCESS);
	assert_int_equal(a, 0x1005);
}

static void test_kernel_space_holds_kobject_ports(void **state)
{
	struct port *kp;
	int obj;

	(void)state;
	assert_non_null(space_kernel);
	assert_true(space_kernel->is_kernel);
	assert_int_equal(port_alloc_kobject(KOBJECT_TEST, &obj, &kp),
	                 KERN_SUCCESS);
	assert_ptr_equal(kp->receiver, space_kernel);
	assert_true(port_is_kobject(kp));
	assert_ptr_equal(kp->kobject, &obj);
	assert_int_equal(space_kernel->count, 1);
	port_destroy_kobject(kp);
	assert_int_equal(space_kernel->count, 0);
}

static void test_buffers_small_and_large(void **state)
{
	uint64_t pages = ipc_buffer_pages;
	char *a, *b;

	(void)state;
	assert_null(ipc_buffer_alloc(0));
	assert_null(ipc_buffer_alloc((size_t)1 << 40));
	a = ipc_buffer_alloc(100);
	b = ipc_buffer_alloc(300 * 1024);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(ipc_buffer_pages, pages + 128);
	memset(a, 1, 100);
	memset(b, 2, 300 * 1024);
	ipc_buffer_free(a);
	ipc_buffer_free(b);
	ipc_buffer_free(NULL);
	assert_int_equal(ipc_buffer_pages, pages);
}

static void test_space_collect_lists_every_space(void **state)
{
	struct space *all[8];
	unsigned n;

	(void)state;
	n = space_collect(all, 2);
	assert_int_equal(n, 4); /* kernel, s1, s2, s3 */
	assert_ptr_equal(all[0], space_kernel);
	space_release(all[0]);
	space_release(all[1]);
	assert_int_equal(space_collect(NULL, 0), 4);
}

static void test_checker_catches_corruption(void **state)
{
	struct ipc_check res = {0};
	mach_port_name_t p;
	struct port *port;

	(void)state;
	p = new_receive(s1);
	give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	port = port_of(s1, p);
	port->srights++;
	{
		struct space *both[2] = {s1, s2};
		unsigned loose = ipc_check_rights(both, 2, false, &res);
		unsigned exact = ipc_check_rights(both, 2, true, &res);

		port->srights--;
		assert_int_equal(loose, 0);
		assert_int_not_equal(exact, 0);
	}
	port->receiver_name = 77;
	res.errors = 0;
	assert_int_not_equal(ipc_check_space(s1, &res), 0);
	port->receiver_name = p;
	s1->count++;
	res.errors = 0;
	assert_int_not_equal(ipc_check_space(s1, &res), 0);
	s1->count--;
	res.errors = 0;
	assert_int_equal(ipc_check_space(s1, &res), 0);
}

static void test_checker_catches_leaks(void **state)
{
	struct ipc_baseline b;
	struct ipc_check res = {0};
	struct port *p;

	(void)state;
	ipc_baseline_take(&b);
	p = port_alloc();
	assert_int_not_equal(ipc_check_baseline(&b, &res), 0);
	p->object.active = false;
	port_release(p);
	res.errors = 0;
	assert_int_equal(ipc_check_baseline(&b, &res), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    IPC_TEST(test_first_names_are_1_2_3_4),
	    IPC_TEST(test_freed_name_is_stale_and_index_reused_later),
	    IPC_TEST(test_reused_index_gets_next_generation),
	    IPC_TEST(test_generation_wraps_after_256_reuses),
	    IPC_TEST(test_lookup_rejects_reserved_and_stale),
	    IPC_TEST(test_allocate_name_reserved_indices_invalid),
	    IPC_TEST(test_allocate_name_index_held_by_other_generation),
	    IPC_TEST(test_sparse_names_far_apart),
	    IPC_TEST(test_near_leaves_and_the_rest),
	    IPC_TEST(test_limit_gives_no_space),
	    IPC_TEST(test_rename_works_at_the_limit),
	    IPC_TEST(test_many_names_grow_the_table),
	    IPC_TEST(test_sparse_names_bounded_by_node_budget),
	    IPC_TEST(test_send_rights_share_one_name),
	    IPC_TEST(test_reverse_map_grows_with_many_ports),
	    IPC_TEST(test_terminated_space_refuses_everything),
	    IPC_TEST(test_release_of_last_reference_terminates),
	    IPC_TEST(test_null_space_is_invalid_task),
	    IPC_TEST(test_vm_hook_is_stored),
	    IPC_TEST(test_kernel_space_holds_kobject_ports),
	    IPC_TEST(test_buffers_small_and_large),
	    IPC_TEST(test_space_collect_lists_every_space),
	    IPC_TEST(test_checker_catches_corruption),
	    IPC_TEST(test_checker_catches_leaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
