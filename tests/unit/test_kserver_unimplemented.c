/*
 * Unit tests of the routines no subsystem serves in the host build
 * (kernel/server/unimplemented.c's weak MIG_BAD_ID defaults) and of
 * mach_debug.defs (kernel/server/debug.c).
 *
 * The list of routines is not written by hand: tools/kserver-routines.sh
 * reads MIG's generated routine tables (build/server-mig/NAME_server.c,
 * the base id from NAME_server.h) into kserver_routines.h, one
 * KSR(id, name, weak, body) line a routine, weak when unimplemented.c
 * defines its server routine, body when its request carries more than
 * the header.  Every weak routine gets a bare-header request: MIG's type
 * check refuses it with MIG_BAD_ARGUMENTS when the routine wants a body,
 * else the stub reaches the default, MIG_BAD_ID.  A correctly typed body
 * (MIG's own user stubs) reaches the default for the routines with one
 * that the unit tests have stubs for.
 */
#include "kserver_harness.h"

#include <mach_debug/slab_info.h>

struct ksr {
	mach_msg_id_t id;
	const char *name;
	bool weak; /* served by unimplemented.c's default here */
	bool body; /* the request has more than the header */
};

static const struct ksr routines[] = {
#define KSR(id, name, weak, body) {id, name, weak, body},
#include "kserver_routines.h"
#undef KSR
};

/* mig_reply_header_t as it arrives, and room for longer replies. */
struct rreply {
	mach_msg_header_t h;
	mach_msg_type_t ret_type;
	kern_return_t ret;
	uint32_t pad;
	uint64_t rest[60];
};

/*
 * Send the request M (SIZE bytes, its destination and id set) with a
 * fresh MAKE_SEND_ONCE reply port and receive the answer into *R; the
 * reply port is destroyed afterwards.
 */
static void call_raw(struct umsg *m, mach_msg_size_t size, struct rreply *r)
{
	mach_port_name_t reply = new_port(sa);
	mach_msg_return_t mr;

	m->h.msgh_local_port = reply;
	m->h.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(m->h.msgh_bits),
	                                MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m->h.msgh_size = size;
	memset(r, 0xa5, sizeof(*r));
	mr = ipc_mach_msg(sa, (uint64_t)(uintptr_t)m, MACH_SEND_MSG, size, 0,
	                  MACH_PORT_NULL, 0, MACH_PORT_NULL);
	assert_int_equal(mr, MACH_MSG_SUCCESS);
	mr = ipc_mach_msg(sa, (uint64_t)(uintptr_t)r,
	                  MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(*r), reply,
	                  0, MACH_PORT_NULL);
	assert_int_equal(mr, MACH_MSG_SUCCESS);
	assert_int_equal(r->h.msgh_local_port, reply);
	(void)mach_port_destroy(sa, reply);
}

/* R is the 48-byte mig_reply_header_t answering ID with KR. */
static void assert_short_reply(const struct rreply *r, mach_msg_id_t id,
                               kern_return_t kr, const char *name)
{
	mach_msg_type_t rt = type_of(MACH_MSG_TYPE_INTEGER_32, 32, 1, true);

	if (r->ret != kr)
		print_error("%s (%d): %d, not %d\n", name, id, r->ret, kr);
	assert_int_equal(r->ret, kr);
	assert_int_equal(r->h.msgh_size, sizeof(mig_reply_header_t));
	assert_int_equal(r->h.msgh_size, 48);
	assert_int_equal(r->h.msgh_id, id + 100);
	assert_int_equal(r->h.msgh_bits,
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
	assert_int_equal(r->h.msgh_remote_port, MACH_PORT_NULL);
	assert_memory_equal(&r->ret_type, &rt, sizeof(rt));
}

/* ---- the table ---- */

static unsigned count_routines(bool weak)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(routines); i++)
		n += routines[i].weak == weak;
	return n;
}

static void test_routine_table_is_read_from_mig(void **state)
{
	(void)state;
	/* Every interface is there: mach.defs' first routine, the served
	 * ones, and the last of device.defs. */
	assert_int_equal(routines[0].id, 2007);
	assert_string_equal(routines[0].name, "task_create");
	assert_true(count_routines(false) >= 40); /* host, device, ports */
	assert_true(count_routines(true) >= 90);
	for (unsigned i = 0; i < ARRAY_SIZE(routines); i++) {
		const struct ksr *k = &routines[i];

		/* What kernel/server serves itself is never weak. */
		if (strncmp(k->name, "mach_port_", 10) == 0 && k->id >= 3200 &&
		    k->id < 3300)
			assert_false(k->weak);
		if (strncmp(k->name, "device_", 7) == 0)
			assert_false(k->weak);
		if (strcmp(k->name, "host_slab_info") == 0 ||
		    strcmp(k->name, "host_info") == 0)
			assert_false(k->weak);
		if (strcmp(k->name, "task_suspend") == 0 ||
		    strcmp(k->name, "gsync_wait") == 0)
			assert_true(k->weak);
	}
}

/* Bare headers to the weak routines, at destination DEST. */
static void bare_headers_to(mach_port_name_t dest)
{
	unsigned sent = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(routines); i++) {
		const struct ksr *k = &routines[i];
		struct umsg m;
		struct rreply r;

		if (!k->weak)
			continue;
		header(&m, dest, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 0);
		m.h.msgh_id = k->id;
		call_raw(&m, sizeof(mach_msg_header_t), &r);
		assert_short_reply(&r, k->id,
		                   k->body ? MIG_BAD_ARGUMENTS : MIG_BAD_ID,
		                   k->name);
		sent++;
	}
	assert_int_equal(sent, count_routines(true));
	/* The destination right was used up each time, no more. */
	assert_int_equal(refs(sa, dest, MACH_PORT_RIGHT_SEND), 1);
}

static void test_weak_routines_with_a_bare_header(void **state)
{
	(void)state;
	bare_headers_to(task_a_name); /* converts to a task */
	bare_headers_to(host_priv_name);
	bare_headers_to(master_name);
}

/* An 8-byte body that no routine's type check accepts: a request with
 * a body is refused, one without (a size that is not the header's) too. */
static void test_weak_routines_with_a_wrong_body(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(routines); i++) {
		const struct ksr *k = &routines[i];
		uint32_t junk = 0x5a5a5a5a;
		struct umsg m;
		struct rreply r;
		unsigned at = 0;

		if (!k->weak)
			continue;
		header(&m, task_a_name, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL,
		       0, 0);
		m.h.msgh_id = k->id;
		add_item(&m, &at, type_of(MACH_MSG_TYPE_BOOLEAN, 1, 1, true),
		         &junk, sizeof(junk));
		call_raw(&m, body_size(at), &r);
		assert_short_reply(&r, k->id, MIG_BAD_ARGUMENTS, k->name);
	}
}

/* Correctly typed bodies, through MIG's user stubs: the type check
 * passes and the default answers. */
static void test_weak_routines_with_a_typed_body(void **state)
{
	integer_t info[64];
	natural_t state_words[64];
	mach_msg_type_number_t cnt = 64;
	mach_port_t port = MACH_PORT_NULL;
	vm_offset_t data = 0;
	vm_address_t addr = 0x10000;
	vm_size_t size = 0;
	vm_prot_t prot = 0, maxprot = 0;
	vm_inherit_t inh = 0;
	boolean_t shared = FALSE;
	vm_machine_attribute_val_t val = 0;
	time_value_t adj = {0, 0}, old;
	static char page[64];

	(void)state;
	assert_int_equal(u_task_create(task_a_name, FALSE, &port), MIG_BAD_ID);
	assert_int_equal(u_task_info(task_a_name, 1, info, &cnt), MIG_BAD_ID);
	cnt = 64;
	assert_int_equal(u_thread_get_state(task_a_name, 1, state_words, &cnt),
	                 MIG_BAD_ID);
	cnt = 64;
	assert_int_equal(u_thread_info(task_a_name, 1, info, &cnt), MIG_BAD_ID);
	assert_int_equal(u_vm_deallocate(task_a_name, addr, 4096), MIG_BAD_ID);
	assert_int_equal(u_vm_protect(task_a_name, addr, 4096, FALSE, 1),
	                 MIG_BAD_ID);
	assert_int_equal(u_vm_inherit(task_a_name, addr, 4096, 0), MIG_BAD_ID);
	assert_int_equal(u_vm_read(task_a_name, addr, 4096, &data, &cnt),
	                 MIG_BAD_ID);
	/* Out of line: the region in transit is destroyed with the
	 * request. */
	assert_int_equal(
	    u_vm_write(task_a_name, addr, (vm_offset_t)page, sizeof(page)),
	    MIG_BAD_ID);
	assert_int_equal(u_vm_copy(task_a_name, addr, 4096, addr + 4096),
	                 MIG_BAD_ID);
	assert_int_equal(u_vm_region(task_a_name, &addr, &size, &prot, &maxprot,
	                             &inh, &shared, &port, &data),
	                 MIG_BAD_ID);
	assert_int_equal(u_task_get_special_port(task_a_name, 1, &port),
	                 MIG_BAD_ID);
	/* A right in the body goes back when the request is destroyed. */
	assert_int_equal(u_task_set_special_port(task_a_name, 1, task_b_name),
	                 MIG_BAD_ID);
	assert_int_equal(refs(sa, task_b_name, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(
	    u_vm_machine_attribute(task_a_name, addr, 4096, 0, &val),
	    MIG_BAD_ID);
	assert_int_equal(u_task_ras_control(task_a_name, 0, 0, 0), MIG_BAD_ID);
	assert_int_equal(u_task_priority(task_a_name, 10, FALSE), MIG_BAD_ID);
	assert_int_equal(u_thread_priority(task_a_name, 10, FALSE), MIG_BAD_ID);
	assert_int_equal(u_thread_policy(task_a_name, 1, 0), MIG_BAD_ID);
	assert_int_equal(u_host_adjust_time(host_priv_name, adj, &old),
	                 MIG_BAD_ID);
	assert_int_equal(u_vm_wire(host_priv_name, task_a_name, addr, 4096, 1),
	                 MIG_BAD_ID);
	assert_int_equal(u_processor_control(host_name, info, 4), MIG_BAD_ID);
	assert_int_equal(u_task_assign(task_a_name, host_name, FALSE),
	                 MIG_BAD_ID);
	assert_int_equal(u_processor_set_policy_enable(host_name, 1),
	                 MIG_BAD_ID);
	assert_int_equal(refs(sa, task_a_name, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(refs(sa, host_name, MACH_PORT_RIGHT_SEND), 1);
}

/* More of them, with ports and out-of-line data in the body. */
static void test_more_weak_routines_with_a_typed_body(void **state)
{
	natural_t words[8] = {0};
	mach_port_t ports[1], port = MACH_PORT_NULL, rp = new_port(sa);
	vm_address_t addr = 0x10000;
	time_value64_t adj = {0, 0}, old;
	static char page[64];

	(void)state;
	ports[0] = task_b_name;
	assert_int_equal(u_mach_ports_register(task_a_name, ports, 1),
	                 MIG_BAD_ID);
	assert_int_equal(u_task_set_emulation_vector(task_a_name, 0, NULL, 0),
	                 MIG_BAD_ID);
	assert_int_equal(u_task_set_emulation(task_a_name, 0x1000, 3),
	                 MIG_BAD_ID);
	assert_int_equal(u_thread_set_state(task_a_name, 1, words, 8),
	                 MIG_BAD_ID);
	assert_int_equal(u_thread_get_special_port(task_a_name, 1, &port),
	                 MIG_BAD_ID);
	assert_int_equal(u_thread_set_special_port(task_a_name, 1, task_b_name),
	                 MIG_BAD_ID);
	assert_int_equal(u_thread_max_priority(task_a_name, host_name, 10),
	                 MIG_BAD_ID);
	assert_int_equal(u_thread_assign(task_a_name, host_name), MIG_BAD_ID);
	assert_int_equal(u_thread_wire(host_priv_name, task_a_name, TRUE),
	                 MIG_BAD_ID);
	assert_int_equal(u_task_assign_default(task_a_name, FALSE), MIG_BAD_ID);
	assert_int_equal(u_processor_assign(host_name, host_name, FALSE),
	                 MIG_BAD_ID);
	assert_int_equal(u_processor_set_policy_disable(host_name, 1, FALSE),
	                 MIG_BAD_ID);
	assert_int_equal(u_host_adjust_time64(host_priv_name, adj, &old),
	                 MIG_BAD_ID);
	assert_int_equal(u_vm_set_default_memory_manager(host_priv_name, &port),
	                 MIG_BAD_ID);
	assert_int_equal(u_vm_map(task_a_name, &addr, 4096, 0, TRUE,
	                          MACH_PORT_NULL, 0, FALSE, 1, 7, 1),
	                 MIG_BAD_ID);
	/* Simple routines: no reply comes back, the send succeeds, and the
	 * default's answer goes nowhere (nothing may leak on the way). */
	assert_int_equal(u_memory_object_data_unavailable(task_a_name, 0, 4096),
	                 KERN_SUCCESS);
	assert_int_equal(
	    u_memory_object_lock_request(task_a_name, 0, 4096, 0, FALSE, 0, rp),
	    KERN_SUCCESS);
	/* Its reply_to, a send-once right in the body, was destroyed with
	 * the refused request: a send-once notification says so. */
	{
		struct rreply r;

		assert_int_equal(ipc_mach_msg(sa, (uint64_t)(uintptr_t)&r,
		                              MACH_RCV_MSG | MACH_RCV_TIMEOUT,
		                              0, sizeof(r), rp, 0,
		                              MACH_PORT_NULL),
		                 MACH_MSG_SUCCESS);
		assert_int_equal(r.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
		assert_int_equal(r.h.msgh_size, sizeof(mach_msg_header_t));
	}
	assert_int_equal(u_memory_object_data_error(task_a_name, 0, 4096, 5),
	                 KERN_SUCCESS);
	assert_int_equal(u_memory_object_destroy(task_a_name, 0), KERN_SUCCESS);
	assert_int_equal(
	    u_memory_object_data_supply(task_a_name, 0, (vm_offset_t)page,
	                                sizeof(page), FALSE, 0, FALSE, rp),
	    KERN_SUCCESS);
	assert_int_equal(u_memory_object_ready(task_a_name, TRUE, 0),
	                 KERN_SUCCESS);
	assert_int_equal(
	    u_memory_object_change_attributes(task_a_name, TRUE, 0, rp),
	    KERN_SUCCESS);
	/* Every right the refused requests carried went back. */
	assert_int_equal(refs(sa, task_a_name, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(refs(sa, task_b_name, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(srights_of(task_b_port), 1);
	(void)mach_port_destroy(sa, rp);
}

/* ---- mach_debug.defs: host_slab_info ---- */

/* What host_slab_info's reply looks like (the array out of line). */
struct slab_reply {
	mach_msg_header_t h;
	mach_msg_type_t ret_type;
	kern_return_t ret;
	uint32_t pad;
	mach_msg_type_long_t info_type;
	cache_info_t *info;
};

/* host_slab_info (3022) to DEST, asking for COUNT inline (MIG's
 * CountInOut): the reply in *R. */
static void slab_info_call(mach_port_name_t dest, uint32_t count,
                           struct rreply *r)
{
	struct umsg m;
	unsigned at = 0;

	header(&m, dest, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 0);
	m.h.msgh_id = 3022;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_INTEGER_32, 32, 1, true),
	         &count, sizeof(count));
	call_raw(&m, body_size(at), r);
}

/* The caches host_slab_info lists now: *N of them, at *INFO (the
 * caller's to give back with fake_deallocate). */
static cache_info_t *slab_info(mach_port_name_t dest, unsigned *n)
{
	struct rreply r;
	struct slab_reply s;

	slab_info_call(dest, 0, &r);
	memcpy(&s, &r, sizeof(s));
	assert_int_equal(s.ret, KERN_SUCCESS);
	assert_true(s.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	assert_int_equal(s.h.msgh_size, sizeof(s));
	assert_int_equal(s.h.msgh_id, 3122);
	assert_false(s.info_type.msgtl_header.msgt_inline);
	assert_true(s.info_type.msgtl_header.msgt_longform);
	assert_int_equal(s.info_type.msgtl_name, MACH_MSG_TYPE_INTEGER_64);
	assert_int_equal(s.info_type.msgtl_size, 64);
	assert_int_equal(s.info_type.msgtl_number % 15, 0);
	*n = s.info_type.msgtl_number / 15;
	assert_int_equal(sizeof(cache_info_t), 15 * 8);
	return s.info;
}

static const cache_info_t *find_cache(const cache_info_t *info, unsigned n,
                                      const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(info[i].name, name) == 0)
			return &info[i];
	return NULL;
}

static void test_host_slab_info_lists_the_caches(void **state)
{
	unsigned n = 0;
	cache_info_t *info = slab_info(host_name, &n);
	const cache_info_t *port, *space;

	(void)state;
	assert_true(n >= 4);
	port = find_cache(info, n, "ipc.port");
	space = find_cache(info, n, "ipc.space");
	assert_non_null(port);
	assert_non_null(space);
	assert_non_null(find_cache(info, n, "ipc.pset"));
	assert_int_equal(port->obj_size, sizeof(struct port));
	assert_int_equal(port->buf_size, port->obj_size);
	assert_int_equal(space->obj_size, sizeof(struct space));
	for (unsigned i = 0; i < n; i++) {
		const cache_info_t *c = &info[i];

		/* A terminated name, no flags, and counts that agree. */
		assert_true(memchr(c->name, '\0', CACHE_NAME_MAX_LEN) != NULL);
		assert_true(c->name[0] != '\0');
		assert_int_equal(c->flags, 0);
		assert_int_equal(c->nr_bufs, c->nr_slabs * c->bufs_per_slab);
		assert_true(c->nr_objs <= c->nr_bufs);
		assert_true(c->slab_size >= 4096);
		assert_true(c->bufs_per_slab * c->obj_size <= c->slab_size);
		assert_int_equal(c->nr_free_slabs, 0);
	}
	/* The two spaces and the kernel's at least; the kernel's ports. */
	assert_true(space->nr_objs >= 3);
	assert_true(port->nr_objs >= 7);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)info,
	                n * sizeof(cache_info_t));
}

static void test_host_slab_info_counts_move_with_ports(void **state)
{
	mach_port_name_t p[5];
	unsigned n0 = 0, n1 = 0, n2 = 0;
	cache_info_t *before, *during, *after;
	unsigned long live0;

	(void)state;
	/* A reply port lives while each call runs: it is gone after. */
	before = slab_info(host_name, &n0);
	live0 = find_cache(before, n0, "ipc.port")->nr_objs;
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = new_port(sa);
	during = slab_info(host_name, &n1);
	assert_int_equal(find_cache(during, n1, "ipc.port")->nr_objs,
	                 live0 + ARRAY_SIZE(p));
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++)
		assert_int_equal(mach_port_destroy(sa, p[i]), KERN_SUCCESS);
	after = slab_info(host_name, &n2);
	assert_int_equal(find_cache(after, n2, "ipc.port")->nr_objs, live0);
	assert_int_equal(n0, n2);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)before,
	                n0 * sizeof(cache_info_t));
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)during,
	                n1 * sizeof(cache_info_t));
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)after,
	                n2 * sizeof(cache_info_t));
}

static void test_host_slab_info_wants_a_host_port(void **state)
{
	struct rreply r;
	unsigned n = 0;
	cache_info_t *info;

	(void)state;
	/* The privileged port names the host too. */
	info = slab_info(host_priv_name, &n);
	assert_true(n >= 4);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)info,
	                n * sizeof(cache_info_t));
	slab_info_call(task_a_name, 0, &r);
	assert_short_reply(&r, 3022, KERN_INVALID_HOST, "host_slab_info");
	slab_info_call(master_name, 17, &r);
	assert_short_reply(&r, 3022, KERN_INVALID_HOST, "host_slab_info");
}

/* ---- mach_debug.defs: mach_port_get_srights ---- */

/* mach_port_get_srights (3007) of NAME in DEST's space: the return code,
 * and the count in *SRIGHTS on success. */
static kern_return_t get_srights(mach_port_name_t dest, mach_port_name_t name,
                                 uint32_t *srights)
{
	struct umsg m;
	struct rreply r;
	unsigned at = 0;
	mach_msg_type_t it = type_of(MACH_MSG_TYPE_INTEGER_32, 32, 1, true);

	header(&m, dest, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 0);
	m.h.msgh_id = 3007;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_PORT_NAME, 32, 1, true), &name,
	         sizeof(name));
	call_raw(&m, body_size(at), &r);
	if (r.ret != KERN_SUCCESS) {
		assert_short_reply(&r, 3007, r.ret, "mach_port_get_srights");
		return r.ret;
	}
	assert_int_equal(r.h.msgh_size, 64);
	assert_int_equal(r.h.msgh_id, 3107);
	assert_memory_equal(&r.rest[0], &it, sizeof(it));
	memcpy(srights, &r.rest[1], sizeof(*srights));
	return KERN_SUCCESS;
}

static void test_get_srights_counts_send_rights(void **state)
{
	mach_port_name_t p = new_port(sa), q;
	uint32_t n = 99;

	(void)state;
	assert_int_equal(get_srights(task_a_name, p, &n), KERN_SUCCESS);
	assert_int_equal(n, 0);
	/* Two send rights of A's (one name), then one given to B. */
	assert_int_equal(give_right(sa, p, MACH_MSG_TYPE_MAKE_SEND, sa), p);
	assert_int_equal(get_srights(task_a_name, p, &n), KERN_SUCCESS);
	assert_int_equal(n, 1);
	q = give_right(sa, p, MACH_MSG_TYPE_MAKE_SEND, sb);
	assert_int_equal(get_srights(task_a_name, p, &n), KERN_SUCCESS);
	assert_int_equal(n, 2);
	assert_int_equal(srights_of(port_of(sa, p)), 2);
	/* Only a receive right is asked about: B's send right is not. */
	assert_int_equal(get_srights(task_b_name, q, &n), KERN_INVALID_RIGHT);
	assert_int_equal(mach_port_deallocate(sb, q), KERN_SUCCESS);
	assert_int_equal(get_srights(task_a_name, p, &n), KERN_SUCCESS);
	assert_int_equal(n, 1);
	(void)mach_port_destroy(sa, p);
}

static void test_get_srights_bad_names(void **state)
{
	mach_port_name_t ps = new_set(sa);
	uint32_t n = 99;

	(void)state;
	assert_int_equal(get_srights(task_a_name, 0x12345, &n),
	                 KERN_INVALID_NAME);
	assert_int_equal(get_srights(task_a_name, MACH_PORT_NULL, &n),
	                 KERN_INVALID_NAME);
	assert_int_equal(get_srights(task_a_name, MACH_PORT_DEAD, &n),
	                 KERN_INVALID_NAME);
	/* A send right and a port set are not receive rights. */
	assert_int_equal(get_srights(task_a_name, host_name, &n),
	                 KERN_INVALID_RIGHT);
	assert_int_equal(get_srights(task_a_name, ps, &n), KERN_INVALID_RIGHT);
	assert_int_equal(n, 99);
	/* Not a task port. */
	assert_int_equal(get_srights(host_name, ps, &n), KERN_INVALID_TASK);
	(void)mach_port_destroy(sa, ps);
}

static void test_get_srights_in_a_dead_space(void **state)
{
	struct space *sc = NULL;
	struct task task_c;
	struct port *task_c_port;
	mach_port_name_t c_name;
	uint32_t n = 99;

	(void)state;
	assert_int_equal(space_create(&sc), KERN_SUCCESS);
	fake_task(&task_c, sc, &task_c_port);
	c_name = send_right_in(sa, task_c_port);
	assert_int_equal(get_srights(c_name, 1, &n), KERN_INVALID_NAME);
	space_terminate(sc);
	assert_int_equal(get_srights(c_name, 1, &n), KERN_INVALID_TASK);
	assert_int_equal(n, 99);
	port_destroy_kobject(task_c_port);
	space_release(sc);
	(void)mach_port_destroy(sa, c_name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_routine_table_is_read_from_mig),
	    T(test_weak_routines_with_a_bare_header),
	    T(test_weak_routines_with_a_wrong_body),
	    T(test_weak_routines_with_a_typed_body),
	    T(test_more_weak_routines_with_a_typed_body),
	    T(test_host_slab_info_lists_the_caches),
	    T(test_host_slab_info_counts_move_with_ports),
	    T(test_host_slab_info_wants_a_host_port),
	    T(test_get_srights_counts_send_rights),
	    T(test_get_srights_bad_names),
	    T(test_get_srights_in_a_dead_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
