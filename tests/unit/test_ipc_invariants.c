/*
 * Unit tests of the invariant checker (ipc/invariants.c): it must find
 * each kind of corruption it claims to check.  Each row builds a small
 * state, breaks one thing (white box), runs the checker, and repairs.
 */
#include "ipc_right_harness.h"

static struct ipc_check res;

static struct space_entry *entry_of(struct space *s, mach_port_name_t n)
{
	unsigned long f = space_lock(s);
	struct space_entry *e = space_lookup(s, n);

	space_unlock(s, f);
	return e;
}

static unsigned check1(void)
{
	res.errors = 0;
	return ipc_check_space(s1, &res);
}

static unsigned check_exact(void)
{
	struct space *all[2] = {s1, s2};

	res.errors = 0;
	return ipc_check_rights(all, 2, true, &res);
}

static unsigned bad_type(void)
{
	struct space_entry *e = entry_of(s1, new_receive(s1));
	unsigned n;

	e->type |= MACH_PORT_TYPE_SEND_ONCE;
	n = check1();
	e->type = MACH_PORT_TYPE_RECEIVE;
	return n;
}

static unsigned send_without_urefs(void)
{
	mach_port_name_t p = new_receive(s1);
	struct space_entry *e =
	    entry_of(s1, give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s1));
	unsigned n;

	e->urefs = 0;
	n = check1();
	e->urefs = 1;
	return n;
}

static unsigned receive_with_urefs(void)
{
	struct space_entry *e = entry_of(s1, new_receive(s1));
	unsigned n;

	e->urefs = 7;
	n = check1();
	e->urefs = 1;
	return n;
}

static unsigned dead_name_with_object(void)
{
	mach_port_name_t p = new_receive(s1);
	struct space_entry *e = entry_of(s1, new_dead(s1));
	unsigned n;

	e->object = port_object(port_of(s1, p));
	n = check1();
	e->object = NULL;
	return n;
}

static unsigned request_on_dead_name(void)
{
	struct space_entry *e = entry_of(s1, new_dead(s1));
	unsigned n;

	e->request = (struct dnrequest *)1;
	n = check1();
	e->request = NULL;
	return n;
}

static unsigned set_names_a_port(void)
{
	mach_port_name_t p = new_receive(s1);
	struct space_entry *e = entry_of(s1, new_pset(s1));
	struct ipc_object *o = e->object;
	unsigned n;

	e->object = port_object(port_of(s1, p));
	n = check1();
	e->object = o;
	return n;
}

static unsigned set_misnamed(void)
{
	mach_port_name_t s = new_pset(s1);
	struct port_set *set = pset_from_object(entry_of(s1, s)->object);
	unsigned n;

	set->name = 0x999;
	n = check1();
	set->name = s;
	return n;
}

static unsigned member_of_another_set(void)
{
	mach_port_name_t s = new_pset(s1), p = new_receive(s1);
	struct port *port = port_of(s1, p);
	struct port_set *set;
	unsigned n;

	assert_int_equal(mach_port_move_member(s1, p, s), KERN_SUCCESS);
	set = port->pset;
	port->pset = NULL;
	n = check1();
	port->pset = set;
	return n;
}

static unsigned member_without_receive_entry(void)
{
	mach_port_name_t s = new_pset(s1), p = new_receive(s1);
	struct port *port = port_of(s1, p);
	unsigned n;

	assert_int_equal(mach_port_move_member(s1, p, s), KERN_SUCCESS);
	port->receiver_name = 0x4321;
	n = check1();
	port->receiver_name = p;
	return n;
}

static unsigned member_count(void)
{
	mach_port_name_t s = new_pset(s1);
	struct port_set *set = pset_from_object(entry_of(s1, s)->object);
	unsigned n;

	set->nmembers = 3;
	n = check1();
	set->nmembers = 0;
	return n;
}

static unsigned receiver_elsewhere(void)
{
	struct port *port = port_of(s1, new_receive(s1));
	unsigned n;

	port->receiver = s2;
	n = check1();
	port->receiver = s1;
	return n;
}

static unsigned srights_zero(void)
{
	mach_port_name_t p = new_receive(s2);
	struct port *port = port_of(s2, p);
	unsigned n;

	give(s2, p, MACH_MSG_TYPE_MAKE_SEND, s1);
	port->srights = 0;
	n = check1();
	port->srights = 1;
	return n;
}

static unsigned sorights_zero(void)
{
	mach_port_name_t p = new_receive(s2);
	struct port *port = port_of(s2, p);
	unsigned n;

	give(s2, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s1);
	port->sorights = 0;
	n = check1();
	port->sorights = 1;
	return n;
}

static unsigned request_misnamed(void)
{
	mach_port_name_t p = new_receive(s1), q = new_receive(s1);
	struct ipc_object *prev;
	struct space_entry *e = entry_of(s1, p);
	unsigned n;

	assert_int_equal(mach_port_request_notification(
	                     s1, p, MACH_NOTIFY_DEAD_NAME, 0,
	                     take(s1, q, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev),
	                 KERN_SUCCESS);
	e->request->name = 0x999;
	n = check1();
	e->request->name = p;
	return n;
}

static unsigned missing_from_reverse_map(void)
{
	mach_port_name_t p = new_receive(s1);
	struct space_entry *e = entry_of(s1, p);
	unsigned long f;
	unsigned n;

	f = space_lock(s1);
	space_rmap_remove(s1, p, e);
	space_unlock(s1, f);
	n = check1();
	f = space_lock(s1);
	space_rmap_insert(s1, p, e);
	space_unlock(s1, f);
	return n;
}

static unsigned send_once_in_reverse_map(void)
{
	mach_port_name_t p = new_receive(s2);
	mach_port_name_t so = give(s2, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s1);
	struct space_entry *e = entry_of(s1, so);
	unsigned long f;
	unsigned n;

	f = space_lock(s1);
	e->type = MACH_PORT_TYPE_SEND;
	space_rmap_insert(s1, so, e);
	e->type = MACH_PORT_TYPE_SEND_ONCE;
	space_unlock(s1, f);
	n = check1();
	f = space_lock(s1);
	space_rmap_remove(s1, so, e);
	space_unlock(s1, f);
	return n;
}

static unsigned name_count(void)
{
	unsigned n;

	new_receive(s1);
	s1->count++;
	n = check1();
	s1->count--;
	return n;
}

static unsigned over_the_limit(void)
{
	unsigned n;

	new_dead(s1);
	new_dead(s1);
	s1->limit = 1;
	n = check1();
	s1->limit = SPACE_NAMES_DEFAULT;
	return n;
}

static unsigned over_the_budget(void)
{
	unsigned n;

	new_dead(s1);
	s1->node_budget = 1;
	n = check1();
	space_set_limit(s1, SPACE_NAMES_DEFAULT);
	return n;
}

static unsigned free_list_broken_link(void)
{
	uint32_t head;
	unsigned n;

	new_dead(s1);
	head = s1->free_head;
	space_entry_at(s1, head)->prev = 77;
	n = check1();
	space_entry_at(s1, head)->prev = 0;
	return n;
}

static unsigned free_list_bad_tail(void)
{
	uint32_t tail;
	unsigned n;

	new_dead(s1);
	tail = s1->free_tail;
	s1->free_tail = 5;
	n = check1();
	s1->free_tail = tail;
	return n;
}

static unsigned free_list_short(void)
{
	uint32_t head;
	unsigned n;

	new_dead(s1);
	head = s1->free_head;
	s1->free_head = space_entry_at(s1, head)->next;
	space_entry_at(s1, s1->free_head)->prev = 0;
	n = check1();
	space_entry_at(s1, s1->free_head)->prev = head;
	s1->free_head = head;
	return n;
}

static unsigned dead_space_with_names(void)
{
	unsigned n;

	space_terminate(s3);
	s3->count = 1;
	res.errors = 0;
	n = ipc_check_space(s3, &res);
	s3->count = 0;
	return n;
}

static unsigned srights_exact(void)
{
	mach_port_name_t p = new_receive(s2);
	struct port *port = port_of(s2, p);
	unsigned n;

	give(s2, p, MACH_MSG_TYPE_MAKE_SEND, s1);
	port->srights = 2;
	n = check_exact();
	port->srights = 1;
	return n;
}

static unsigned sorights_exact(void)
{
	mach_port_name_t p = new_receive(s2), q = new_receive(s2);
	struct port *port = port_of(s2, q);
	struct ipc_object *prev;
	unsigned n;

	/* A request's right counts as a holder. */
	assert_int_equal(mach_port_request_notification(
	                     s2, p, MACH_NOTIFY_NO_SENDERS, 1,
	                     take(s2, q, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev),
	                 KERN_SUCCESS);
	assert_int_equal(check_exact(), 0);
	port->sorights = 2;
	n = check_exact();
	port->sorights = 1;
	return n;
}

static unsigned refs_below_entries(void)
{
	mach_port_name_t p = new_receive(s2);
	struct port *port = port_of(s2, p);
	unsigned n;

	give(s2, p, MACH_MSG_TYPE_MAKE_SEND, s1);
	atomic_fetch_sub(&port->object.refs, 1);
	n = check_exact();
	atomic_fetch_add(&port->object.refs, 1);
	return n;
}

static const struct {
	const char *name;
	unsigned (*fn)(void);
} rows[] = {
    {"bad type", bad_type},
    {"send without urefs", send_without_urefs},
    {"receive with urefs", receive_with_urefs},
    {"dead name with object", dead_name_with_object},
    {"request on dead name", request_on_dead_name},
    {"set names a port", set_names_a_port},
    {"set misnamed", set_misnamed},
    {"member of another set", member_of_another_set},
    {"member without receive entry", member_without_receive_entry},
    {"member count", member_count},
    {"receiver elsewhere", receiver_elsewhere},
    {"srights zero", srights_zero},
    {"sorights zero", sorights_zero},
    {"request misnamed", request_misnamed},
    {"missing from reverse map", missing_from_reverse_map},
    {"send-once in reverse map", send_once_in_reverse_map},
    {"name count", name_count},
    {"over the limit", over_the_limit},
    {"over the budget", over_the_budget},
    {"free list broken link", free_list_broken_link},
    {"free list bad tail", free_list_bad_tail},
    {"free list short", free_list_short},
    {"dead space with names", dead_space_with_names},
    {"srights exact", srights_exact},
    {"sorights exact", sorights_exact},
    {"refs below entries", refs_below_entries},
};

static void test_checker_finds_each_corruption(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(rows); i++) {
		unsigned n = rows[i].fn();

		if (n == 0)
			fail_msg("%s: not detected", rows[i].name);
		/* Repaired: clean again. */
		res.errors = 0;
		if (ipc_check_space(s1, &res) != 0)
			fail_msg("%s: not repaired: %s", rows[i].name,
			         res.first);
	}
	assert_consistent(false);
}

static void test_checker_passes_a_busy_state(void **state)
{
	mach_port_name_t p, q, s;
	struct ipc_object *prev;

	(void)state;
	p = new_receive(s1);
	q = new_receive(s2);
	s = new_pset(s1);
	assert_int_equal(mach_port_move_member(s1, p, s), KERN_SUCCESS);
	give(s1, p, MACH_MSG_TYPE_MAKE_SEND, s2);
	give(s1, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s3);
	give(s2, q, MACH_MSG_TYPE_MAKE_SEND, s1);
	assert_int_equal(mach_port_request_notification(
	                     s1, p, MACH_NOTIFY_PORT_DESTROYED, 0,
	                     take(s2, q, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev),
	                 KERN_SUCCESS);
	assert_int_equal(mach_port_request_notification(
	                     s2, 1, MACH_NOTIFY_DEAD_NAME, 0,
	                     take(s2, q, MACH_MSG_TYPE_MAKE_SEND_ONCE), &prev),
	                 KERN_SUCCESS);
	assert_consistent(true);
	assert_int_equal(ipc_check_invariants(), 0);
}

static void test_baseline_finds_each_leak(void **state)
{
	struct ipc_baseline b;
	struct port *p;
	struct port_set *set;
	struct space *s;
	void *buf, *node;
	mach_port_name_t n;

	(void)state;
	n = new_receive(s1);
	ipc_baseline_take(&b);
	p = port_alloc();
	set = pset_alloc();
	assert_int_equal(space_create(&s), KERN_SUCCESS);
	buf = ipc_buffer_alloc(100 * 1024);
	node = slab_alloc(slab_cache_find("ipc.space_node"));
	{
		struct ipc_object *prev;

		assert_int_equal(mach_port_request_notification(
		                     s1, n, MACH_NOTIFY_DEAD_NAME, 0,
		                     take(s1, n, MACH_MSG_TYPE_MAKE_SEND_ONCE),
		                     &prev),
		                 KERN_SUCCESS);
	}
	res.errors = 0;
	assert_int_equal(ipc_check_baseline(&b, &res), 7);
	assert_int_equal(mach_port_destroy(s1, n), KERN_SUCCESS);
	slab_free(slab_cache_find("ipc.space_node"), node);
	ipc_buffer_free(buf);
	space_release(s);
	set->object.active = false;
	pset_release(set);
	p->object.active = false;
	port_release(p);
	(void)new_receive(s1); /* in place of N: same counts */
	res.errors = 0;
	assert_int_equal(ipc_check_baseline(&b, &res), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    IPC_TEST(test_checker_finds_each_corruption),
	    IPC_TEST(test_checker_passes_a_busy_state),
	    IPC_TEST(test_baseline_finds_each_leak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
