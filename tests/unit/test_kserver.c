/*
 * Unit tests of the kernel-object message server (kernel/server/
 * dispatch.c), its mach_port.defs routines (kernel/server/mach_port.c)
 * and the kernel-side copyin (kernel/ipc/kmsg_kernel.c): requests built
 * by MIG's user stubs or by hand, the reply's exact layout, unknown ids,
 * malformed requests, requests without a reply port, and who owns the
 * request's rights on success and failure.  Host and device routines are
 * in test_kserver_host.c.
 */
#include "kserver_harness.h"

#include "ipc/kmsg.h"

/* ---- raw requests ---- */

/* What a reply with only a return code looks like (mig_reply_header_t). */
struct short_reply {
	mach_msg_header_t h;
	mach_msg_type_t ret_type;
	kern_return_t ret;
	uint32_t pad;
};

/* mach_msg_type_t as the 64-bit word MIG's BAD_TYPECHECK compares. */
static uint64_t type_word(mach_msg_type_t t)
{
	uint64_t w;

	memcpy(&w, &t, sizeof(w));
	return w;
}

/* RetCode's descriptor: INTEGER_32, 32 bits, one, inline. */
static uint64_t retcode_word(void)
{
	return type_word(type_of(MACH_MSG_TYPE_INTEGER_32, 32, 1, true));
}

/* Send M (to DEST with a MAKE_SEND_ONCE reply port of its own) and
 * receive the reply into M.  Returns the reply port's name. */
static mach_port_name_t rpc_raw(struct umsg *m, mach_msg_size_t size)
{
	mach_port_name_t reply = new_port(sa);

	m->h.msgh_local_port = reply;
	m->h.msgh_bits = (m->h.msgh_bits & ~MACH_MSGH_BITS_LOCAL_MASK) |
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m->h.msgh_size = size;
	assert_int_equal(
	    ipc_mach_msg(sa, (uint64_t)(uintptr_t)m,
	                 MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, size,
	                 sizeof(*m), reply, 0, MACH_PORT_NULL),
	    MACH_MSG_SUCCESS);
	return reply;
}

/* A mach_port_allocate request (id 3204) for RIGHT to DEST. */
static mach_msg_size_t allocate_request(struct umsg *m, mach_port_name_t dest,
                                        uint32_t right)
{
	unsigned at = 0;

	header(m, dest, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0,
	       body_size(2));
	m->h.msgh_id = 3204;
	add_item(m, &at, type_of(MACH_MSG_TYPE_INTEGER_32, 32, 1, true), &right,
	         sizeof(right));
	return body_size(at);
}

/* ---- the reply ---- */

static void test_reply_layout_is_what_mig_user_stubs_check(void **state)
{
	struct umsg m;
	mach_port_name_t reply, p = new_port(sa);
	uint32_t words[4];
	unsigned at = 0;

	(void)state;
	/* mach_port_type (3201): header + name (PORT_NAME) = 48 bytes. */
	header(&m, task_a_name, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 0);
	m.h.msgh_id = 3201;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_PORT_NAME, 32, 1, true), &p,
	         sizeof(p));
	reply = rpc_raw(&m, body_size(at));

	/* Header: 64 bytes, simple, the reply right's type as local. */
	assert_int_equal(m.h.msgh_size, 64);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
	assert_int_equal(m.h.msgh_remote_port, MACH_PORT_NULL);
	assert_int_equal(m.h.msgh_local_port, reply);
	assert_int_equal(m.h.msgh_id, 3301);
	/* RetCode: descriptor, value, 4 pad bytes; then the type. */
	assert_true(m.body[0] == retcode_word());
	memcpy(words, &m.body[1], sizeof(words));
	assert_int_equal(words[0], KERN_SUCCESS);
	assert_true(m.body[2] ==
	            type_word(type_of(MACH_MSG_TYPE_INTEGER_32, 32, 1, true)));
	memcpy(words, &m.body[3], sizeof(uint32_t));
	assert_int_equal(words[0], MACH_PORT_TYPE_RECEIVE);
	(void)mach_port_destroy(sa, reply);
}

/* The fast path's exact SEND|RCV: the server's reply comes straight
 * back (ipc_kobject_call); the caller sees what the queued reply gives,
 * seqno included.  With a message already on the reply port, that one
 * comes first and the reply is queued behind it, as before. */
static void test_fast_kernel_rpc_answers_the_same(void **state)
{
	mach_port_name_t reply = new_port(sa), p = new_port(sa);
	struct umsg m, first;
	uint32_t word;

	(void)state;
	for (int round = 0; round < 3; round++) {
		unsigned at = 0;

		header(&m, task_a_name, MACH_MSG_TYPE_COPY_SEND, reply,
		       MACH_MSG_TYPE_MAKE_SEND_ONCE, 0);
		m.h.msgh_id = 3201;
		add_item(&m, &at, type_of(MACH_MSG_TYPE_PORT_NAME, 32, 1, true),
		         &p, sizeof(p));
		if (round == 2) {
			header(&first, reply, MACH_MSG_TYPE_MAKE_SEND, 0, 0,
			       body_size(0));
			first.h.msgh_id = 777;
			assert_int_equal(msend(sa, &first), MACH_MSG_SUCCESS);
		}
		assert_int_equal(ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
		                              MACH_SEND_MSG | MACH_RCV_MSG,
		                              body_size(at), sizeof(m), reply,
		                              0, MACH_PORT_NULL),
		                 MACH_MSG_SUCCESS);
		if (round == 2) {
			assert_int_equal(m.h.msgh_id, 777);
			assert_int_equal(m.h.msgh_seqno, 2);
			assert_int_equal(mrecv(sa, &m, reply),
			                 MACH_MSG_SUCCESS);
		}
		assert_int_equal(m.h.msgh_id, 3301);
		assert_int_equal(m.h.msgh_size, 64);
		assert_int_equal(
		    m.h.msgh_bits,
		    MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE));
		assert_int_equal(m.h.msgh_local_port, reply);
		assert_int_equal(m.h.msgh_remote_port, MACH_PORT_NULL);
		assert_int_equal(m.h.msgh_seqno, round == 2 ? 3 : round);
		memcpy(&word, &m.body[1], sizeof(word));
		assert_int_equal(word, KERN_SUCCESS);
		memcpy(&word, &m.body[3], sizeof(word));
		assert_int_equal(word, MACH_PORT_TYPE_RECEIVE);
	}
	assert_int_equal(status(sa, reply).mps_sorights, 0);
	assert_int_equal(status(sa, reply).mps_msgcount, 0);
	(void)mach_port_destroy(sa, reply);
}

static void test_error_reply_is_a_48_byte_mig_reply_header(void **state)
{
	struct umsg m;
	struct short_reply r;
	mach_port_name_t reply;
	uint32_t bad = 0x12345; /* no such name */
	unsigned at = 0;

	(void)state;
	header(&m, task_a_name, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 0);
	m.h.msgh_id = 3201;
	add_item(&m, &at, type_of(MACH_MSG_TYPE_PORT_NAME, 32, 1, true), &bad,
	         sizeof(bad));
	reply = rpc_raw(&m, body_size(at));
	memcpy(&r, &m, sizeof(r));
	assert_int_equal(r.h.msgh_size, sizeof(mig_reply_header_t));
	assert_int_equal(r.h.msgh_size, 48);
	assert_int_equal(r.h.msgh_id, 3301);
	assert_false(r.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	assert_true(type_word(r.ret_type) == retcode_word());
	assert_int_equal(r.ret, KERN_INVALID_NAME);
	(void)mach_port_destroy(sa, reply);
}

static void test_unknown_id_answers_mig_bad_id(void **state)
{
	static const mach_msg_id_t ids[] = {0,  1999,      3223,     9999,
	                                    -5, INT32_MAX, INT32_MIN};
	struct umsg m;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		mach_port_name_t reply;
		struct short_reply r;

		header(&m, host_name, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL,
		       0, 0);
		m.h.msgh_id = ids[i];
		reply = rpc_raw(&m, sizeof(mach_msg_header_t));
		memcpy(&r, &m, sizeof(r));
		/* + 100, wrapping like the 32-bit field it is. */
		assert_int_equal(r.h.msgh_id,
		                 (mach_msg_id_t)((uint32_t)ids[i] + 100));
		assert_int_equal(r.h.msgh_size, 48);
		assert_true(type_word(r.ret_type) == retcode_word());
		assert_int_equal(r.ret, MIG_BAD_ID);
		(void)mach_port_destroy(sa, reply);
	}
}

static void test_unimplemented_routine_answers_mig_bad_id(void **state)
{
	vm_address_t addr = 0;
	mach_port_array_t ports = NULL;
	mach_msg_type_number_t n = 0;

	(void)state;
	/* Implemented by kernel/task and the VM, which the host build
	 * lacks: unimplemented.c's defaults answer. */
	assert_int_equal(u_vm_allocate(task_a_name, &addr, 4096, TRUE),
	                 MIG_BAD_ID);
	assert_int_equal(u_task_suspend(task_a_name), MIG_BAD_ID);
	assert_int_equal(u_mach_ports_lookup(task_a_name, &ports, &n),
	                 MIG_BAD_ID);
}

static void test_malformed_request_gets_mig_bad_arguments(void **state)
{
	struct umsg m;
	mach_port_name_t reply, before;
	struct short_reply r;
	mach_msg_size_t size;

	(void)state;
	/* Wrong descriptor: an INTEGER_64 where MIG wants INTEGER_32. */
	size = allocate_request(&m, task_a_name, MACH_PORT_RIGHT_RECEIVE);
	*item_at(&m, 0) = type_of(MACH_MSG_TYPE_INTEGER_64, 64, 1, true);
	reply = rpc_raw(&m, size);
	memcpy(&r, &m, sizeof(r));
	assert_int_equal(r.ret, MIG_BAD_ARGUMENTS);
	assert_int_equal(r.h.msgh_size, 48);
	(void)mach_port_destroy(sa, reply);

	/* Wrong size: the body cut short, or longer than the routine's. */
	size = allocate_request(&m, task_a_name, MACH_PORT_RIGHT_RECEIVE);
	reply = rpc_raw(&m, size - 8);
	memcpy(&r, &m, sizeof(r));
	assert_int_equal(r.ret, MIG_BAD_ARGUMENTS);
	(void)mach_port_destroy(sa, reply);
	size = allocate_request(&m, task_a_name, MACH_PORT_RIGHT_RECEIVE);
	reply = rpc_raw(&m, size + 8);
	memcpy(&r, &m, sizeof(r));
	assert_int_equal(r.ret, MIG_BAD_ARGUMENTS);
	(void)mach_port_destroy(sa, reply);

	/* Nothing was allocated: the next name is the next reply port's. */
	before = new_port(sa);
	assert_int_equal(type_of_name(sa, before), MACH_PORT_TYPE_RECEIVE);
	(void)mach_port_destroy(sa, before);
}

static void test_request_without_reply_port_is_served_and_consumed(void **state)
{
	struct umsg m;
	mach_port_name_array_t names = NULL;
	mach_port_type_array_t types = NULL;
	mach_msg_type_number_t n0 = 0, n1 = 0, nt = 0;

	(void)state;
	assert_int_equal(
	    u_mach_port_names(task_b_name, &names, &n0, &types, &nt),
	    KERN_SUCCESS);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)names, n0 * 4);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)types, nt * 4);
	/* A simpleroutine-style send: the routine runs in B's space. */
	(void)allocate_request(&m, task_b_name, MACH_PORT_RIGHT_RECEIVE);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(
	    u_mach_port_names(task_b_name, &names, &n1, &types, &nt),
	    KERN_SUCCESS);
	assert_int_equal(n1, n0 + 1);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)names, n1 * 4);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)types, nt * 4);
	/* Nothing is queued on the task port: it was served. */
	assert_int_equal(task_b_port->queue.count, 0);
}

static void test_destination_right_is_consumed(void **state)
{
	mach_port_name_t n;
	uint32_t before = srights_of(task_a_port);
	mach_port_urefs_t urefs = refs(sa, task_a_name, MACH_PORT_RIGHT_SEND);

	(void)state;
	/* COPY_SEND (what MIG sends) leaves the caller's right alone. */
	assert_int_equal(
	    u_mach_port_allocate(task_a_name, MACH_PORT_RIGHT_RECEIVE, &n),
	    KERN_SUCCESS);
	assert_int_equal(srights_of(task_a_port), before);
	assert_int_equal(refs(sa, task_a_name, MACH_PORT_RIGHT_SEND), urefs);
	(void)mach_port_destroy(sa, n);
}

static void test_reply_goes_to_a_send_right_reply_port(void **state)
{
	struct umsg m;
	mach_port_name_t reply = new_port(sa);
	mach_msg_size_t size;

	(void)state;
	/* MAKE_SEND instead of MIG's MAKE_SEND_ONCE: the reply is queued
	 * on the reply port all the same, and the send right used up. */
	size = allocate_request(&m, task_b_name, MACH_PORT_RIGHT_RECEIVE);
	m.h.msgh_local_port = reply;
	m.h.msgh_bits =
	    MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND);
	m.h.msgh_size = size;
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(mrecv(sa, &m, reply), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, 3304);
	assert_int_equal(m.h.msgh_bits,
	                 MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND));
	assert_int_equal(srights_of(port_of(sa, reply)), 0);
	(void)mach_port_destroy(sa, reply);
}

static void test_reply_to_a_kernel_port_is_served_and_dropped(void **state)
{
	struct umsg m;
	mach_msg_size_t size;
	mach_port_urefs_t urefs = refs(sa, host_name, MACH_PORT_RIGHT_SEND);

	(void)state;
	/* The reply goes to the host port, whose server finds no routine
	 * for id 3304 and drops its own answer (no reply port): it ends. */
	size = allocate_request(&m, task_b_name, MACH_PORT_RIGHT_RECEIVE);
	m.h.msgh_local_port = host_name;
	m.h.msgh_bits =
	    MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_COPY_SEND);
	m.h.msgh_size = size;
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(refs(sa, host_name, MACH_PORT_RIGHT_SEND), urefs);
	assert_int_equal(srights_of(host_name_port()), 2); /* kernel's, ours */
	assert_int_equal(host_name_port()->queue.count, 0);
}

static void test_rpc_destroying_its_own_reply_port_returns(void **state)
{
	struct umsg m;
	mach_port_name_t reply = new_port(sa);
	unsigned at = 0;

	(void)state;
	/* GNU Mach never returns from this (docs/ABI.md); here the reply
	 * dies with its port and the receive reports the name gone. */
	header(&m, task_a_name, MACH_MSG_TYPE_COPY_SEND, reply,
	       MACH_MSG_TYPE_MAKE_SEND_ONCE, 0);
	m.h.msgh_id = 3205; /* mach_port_destroy */
	add_item(&m, &at, type_of(MACH_MSG_TYPE_PORT_NAME, 32, 1, true), &reply,
	         sizeof(reply));
	m.h.msgh_size = body_size(at);
	assert_int_equal(
	    ipc_mach_msg(sa, (uint64_t)(uintptr_t)&m,
	                 MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
	                 m.h.msgh_size, sizeof(m), reply, 0, MACH_PORT_NULL),
	    MACH_RCV_INVALID_NAME);
	assert_int_equal(type_of_name(sa, reply), 0);
}

/* ---- mach_port.defs through MIG's stubs ---- */

static void test_mach_port_allocate_and_destroy_rpcs(void **state)
{
	mach_port_name_t n = MACH_PORT_NULL;
	mach_port_type_t t = 0;

	(void)state;
	assert_int_equal(
	    u_mach_port_allocate(task_a_name, MACH_PORT_RIGHT_RECEIVE, &n),
	    KERN_SUCCESS);
	assert_int_equal(u_mach_port_type(task_a_name, n, &t), KERN_SUCCESS);
	assert_int_equal(t, MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(u_mach_port_allocate(task_a_name, 99, &n),
	                 KERN_INVALID_VALUE);
	assert_int_equal(u_mach_port_destroy(task_a_name, n), KERN_SUCCESS);
	assert_int_equal(u_mach_port_type(task_a_name, n, &t),
	                 KERN_INVALID_NAME);
}

static void test_rpc_on_a_non_task_port_is_invalid_task(void **state)
{
	mach_port_name_t n;

	(void)state;
	/* The host port is a kernel object, but not a task. */
	assert_int_equal(
	    u_mach_port_allocate(host_name, MACH_PORT_RIGHT_RECEIVE, &n),
	    KERN_INVALID_TASK);
}

static void test_mach_port_names_returns_out_of_line_arrays(void **state)
{
	mach_port_name_array_t names = NULL;
	mach_port_type_array_t types = NULL;
	mach_msg_type_number_t n = 0, nt = 0;
	unsigned stale = 0;
	bool seen_host = false;

	(void)state;
	assert_int_equal(
	    u_mach_port_names(task_a_name, &names, &n, &types, &nt),
	    KERN_SUCCESS);
	assert_int_equal(n, nt);
	assert_true(n >= 5);
	for (mach_msg_type_number_t i = 0; i < n; i++) {
		mach_port_type_t t = 0;

		/* The RPC's own reply port is gone by now. */
		if (mach_port_type(sa, names[i], &t) != KERN_SUCCESS) {
			stale++;
			continue;
		}
		assert_int_equal(types[i], t);
		seen_host |= names[i] == host_name;
	}
	assert_true(seen_host);
	assert_int_equal(stale, 1);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)names, n * 4);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)types, nt * 4);
}

static void test_get_set_status_returns_members(void **state)
{
	mach_port_name_t set = new_set(sa), p = new_port(sa);
	mach_port_name_array_t members = NULL;
	mach_msg_type_number_t n = 0;

	(void)state;
	assert_int_equal(u_mach_port_move_member(task_a_name, p, set),
	                 KERN_SUCCESS);
	assert_int_equal(
	    u_mach_port_get_set_status(task_a_name, set, &members, &n),
	    KERN_SUCCESS);
	assert_int_equal(n, 1);
	assert_int_equal(members[0], p);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)members, 4);
	assert_int_equal(
	    u_mach_port_get_set_status(task_a_name, p, &members, &n),
	    KERN_INVALID_RIGHT);
}

static void test_insert_right_takes_the_right_on_success(void **state)
{
	mach_port_name_t p = new_port(sa), there = SPACE_NAME(77, 0);

	(void)state;
	assert_int_equal(u_mach_port_insert_right(task_b_name, there, p,
	                                          MACH_MSG_TYPE_MAKE_SEND),
	                 KERN_SUCCESS);
	assert_int_equal(type_of_name(sb, there), MACH_PORT_TYPE_SEND);
	assert_int_equal(srights_of(port_of(sa, p)), 1);
	assert_int_equal(status(sa, p).mps_mscount, 1);
}

static void
test_receive_right_given_to_the_kernel_can_travel_again(void **state)
{
	mach_port_name_t p = new_port(sa), there = SPACE_NAME(78, 0);
	mach_port_name_t back = MACH_PORT_NULL;
	mach_msg_type_name_t type = 0;

	(void)state;
	/* The receive right travels to the kernel in the request and stays
	 * there (B gets it): it is no longer in transit.  Before the kernel
	 * said so, moving it on again tripped the registry of rights in
	 * transit (an assertion in transit_enter). */
	assert_int_equal(u_mach_port_insert_right(task_b_name, there, p,
	                                          MACH_MSG_TYPE_MOVE_RECEIVE),
	                 KERN_SUCCESS);
	assert_int_equal(type_of_name(sb, there), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(u_mach_port_extract_right(task_b_name, there,
	                                           MACH_MSG_TYPE_MOVE_RECEIVE,
	                                           &back, &type),
	                 KERN_SUCCESS);
	assert_int_equal(type_of_name(sa, back), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(u_mach_port_insert_right(task_b_name, there, back,
	                                          MACH_MSG_TYPE_MOVE_RECEIVE),
	                 KERN_SUCCESS);
	assert_int_equal(type_of_name(sb, there), MACH_PORT_TYPE_RECEIVE);
}

static void test_failed_insert_right_destroys_the_right(void **state)
{
	mach_port_name_t p = new_port(sa);
	struct umsg m;

	(void)state;
	/* MACH_PORT_DEAD is no name to insert at: the request's send right
	 * is destroyed with the request. */
	assert_int_equal(u_mach_port_insert_right(task_b_name, MACH_PORT_DEAD,
	                                          p, MACH_MSG_TYPE_MAKE_SEND),
	                 KERN_INVALID_VALUE);
	assert_int_equal(srights_of(port_of(sa, p)), 0);
	assert_int_equal(status(sa, p).mps_mscount, 1);

	/* A send-once right destroyed unused sends a send-once
	 * notification to its port. */
	assert_int_equal(u_mach_port_insert_right(task_b_name, MACH_PORT_DEAD,
	                                          p,
	                                          MACH_MSG_TYPE_MAKE_SEND_ONCE),
	                 KERN_INVALID_VALUE);
	assert_int_equal(status(sa, p).mps_msgcount, 1);
	assert_int_equal(mrecv(sa, &m, p), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, MACH_NOTIFY_SEND_ONCE);
	assert_int_equal(status(sa, p).mps_sorights, 0);
}

static void test_extract_right_moves_a_receive_right_out(void **state)
{
	mach_port_name_t p = new_port(sa), q = new_port(sb);
	mach_port_name_t got = MACH_PORT_NULL;
	mach_msg_type_name_t type = 0;

	(void)state;
	/* From B's space into the caller's (A): a receive right in a reply
	 * (MOVE_RECEIVE of the kernel's right in transit). */

	assert_int_equal(u_mach_port_extract_right(task_b_name, q,
	                                           MACH_MSG_TYPE_MOVE_RECEIVE,
	                                           &got, &type),
	                 KERN_SUCCESS);
	assert_int_equal(type, MACH_MSG_TYPE_PORT_RECEIVE);
	assert_int_equal(type_of_name(sa, got), MACH_PORT_TYPE_RECEIVE);
	assert_int_equal(type_of_name(sb, q), 0);
	/* MAKE_SEND from our own receive right: a send right comes back
	 * and joins the name. */
	assert_int_equal(u_mach_port_extract_right(task_a_name, p,
	                                           MACH_MSG_TYPE_MAKE_SEND,
	                                           &got, &type),
	                 KERN_SUCCESS);
	assert_int_equal(type, MACH_MSG_TYPE_PORT_SEND);
	assert_int_equal(got, p);
	assert_int_equal(refs(sa, p, MACH_PORT_RIGHT_SEND), 1);
	assert_int_equal(u_mach_port_extract_right(task_a_name, 0x4242,
	                                           MACH_MSG_TYPE_MAKE_SEND,
	                                           &got, &type),
	                 KERN_INVALID_NAME);
}

static void test_request_notification_rpc(void **state)
{
	mach_port_name_t p = new_port(sa), notify = new_port(sa);
	mach_port_name_t prev = 1;
	struct umsg m;

	(void)state;
	assert_int_equal(u_mach_port_request_notification(
	                     task_a_name, p, MACH_NOTIFY_NO_SENDERS, 0, notify,
	                     MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
	                 KERN_SUCCESS);
	assert_int_equal(prev, MACH_PORT_NULL);
	/* No senders and mscount 0 >= 0: it fired at once. */
	assert_int_equal(mrecv(sa, &m, notify), MACH_MSG_SUCCESS);
	assert_int_equal(m.h.msgh_id, MACH_NOTIFY_NO_SENDERS);
}

static void test_port_attributes_rpcs(void **state)
{
	mach_port_name_t p = new_port(sa);
	mach_port_status_t st;
	mach_port_urefs_t r = 0;

	(void)state;
	assert_int_equal(u_mach_port_set_qlimit(task_a_name, p, 3),
	                 KERN_SUCCESS);
	assert_int_equal(u_mach_port_set_mscount(task_a_name, p, 7),
	                 KERN_SUCCESS);
	assert_int_equal(u_mach_port_set_seqno(task_a_name, p, 42),
	                 KERN_SUCCESS);
	assert_int_equal(u_mach_port_get_receive_status(task_a_name, p, &st),
	                 KERN_SUCCESS);
	assert_int_equal(st.mps_qlimit, 3);
	assert_int_equal(st.mps_mscount, 7);
	assert_int_equal(st.mps_seqno, 42);
	assert_int_equal(
	    u_mach_port_mod_refs(task_a_name, p, MACH_PORT_RIGHT_RECEIVE, -1),
	    KERN_SUCCESS);
	assert_int_equal(
	    u_mach_port_get_refs(task_a_name, p, MACH_PORT_RIGHT_RECEIVE, &r),
	    KERN_INVALID_NAME);
	p = new_port(sa);
	assert_int_equal(u_mach_port_rename(task_a_name, p, SPACE_NAME(99, 0)),
	                 KERN_SUCCESS);
	assert_int_equal(u_mach_port_allocate_name(task_a_name,
	                                           MACH_PORT_RIGHT_DEAD_NAME,
	                                           SPACE_NAME(98, 0)),
	                 KERN_SUCCESS);
	assert_int_equal(u_mach_port_deallocate(task_a_name, SPACE_NAME(98, 0)),
	                 KERN_SUCCESS);
	assert_int_equal(u_mach_port_set_protected_payload(
	                     task_a_name, SPACE_NAME(99, 0), 0x1234),
	                 KERN_SUCCESS);
	assert_int_equal(
	    u_mach_port_clear_protected_payload(task_a_name, SPACE_NAME(99, 0)),
	    KERN_SUCCESS);
}

/* ---- kmsg_copyin_from_kernel ---- */

static void test_copyin_from_kernel_makes_the_rights_asked_for(void **state)
{
	struct port *p;
	struct kmsg *k;
	struct {
		mach_msg_type_t t;
		struct ipc_object *o[3];
	} * inline_ports;
	static const mach_msg_type_name_t disp[3] = {
	    MACH_MSG_TYPE_MAKE_SEND, MACH_MSG_TYPE_COPY_SEND,
	    MACH_MSG_TYPE_MAKE_SEND_ONCE};

	(void)state;
	assert_int_equal(port_alloc_kobject(KOBJECT_TEST, NULL, &p),
	                 KERN_SUCCESS);
	port_make_send(p); /* the kernel's own, for COPY_SEND */
	for (unsigned i = 0; i < 3; i++) {
		k = kmsg_alloc(sizeof(struct kmsg_header) +
		               sizeof(*inline_ports));
		assert_non_null(k);
		k->hdr.bits = MACH_MSGH_BITS_COMPLEX;
		inline_ports = kmsg_body(k);
		inline_ports->t = type_of(disp[i], 64, 3, true);
		inline_ports->o[0] = port_object(p);
		inline_ports->o[1] = IPC_OBJECT_NULL;
		inline_ports->o[2] = IPC_OBJECT_DEAD;
		kmsg_copyin_from_kernel(k);
		assert_int_equal(inline_ports->t.msgt_name,
		                 disp[i] == MACH_MSG_TYPE_MAKE_SEND_ONCE
		                     ? MACH_MSG_TYPE_PORT_SEND_ONCE
		                     : MACH_MSG_TYPE_PORT_SEND);
		assert_ptr_equal(inline_ports->o[0], port_object(p));
		assert_ptr_equal(inline_ports->o[1], IPC_OBJECT_NULL);
		assert_ptr_equal(inline_ports->o[2], IPC_OBJECT_DEAD);
		if (disp[i] == MACH_MSG_TYPE_MAKE_SEND_ONCE)
			assert_int_equal(p->sorights, 1);
		else
			assert_int_equal(p->srights, 2);
		kmsg_destroy(k); /* gives the new right back */
		assert_int_equal(p->srights, 1);
		assert_int_equal(p->sorights, 0);
	}
	assert_int_equal(p->mscount, 2); /* port_make_send + MAKE_SEND */
	port_release_send(p);
	port_destroy_kobject(p);
}

static void test_copyin_from_kernel_header_and_dead_port(void **state)
{
	struct port *p;
	struct kmsg *k;

	(void)state;
	assert_int_equal(port_alloc_kobject(KOBJECT_TEST, NULL, &p),
	                 KERN_SUCCESS);
	port_ref(p); /* keep the memory after it dies */
	port_destroy_kobject(p);
	k = kmsg_alloc(sizeof(struct kmsg_header));
	assert_non_null(k);
	k->hdr.bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND,
	                             MACH_MSG_TYPE_MAKE_SEND_ONCE);
	k->hdr.remote = port_object(p);
	k->hdr.local = port_object(p);
	kmsg_copyin_from_kernel(k);
	assert_ptr_equal(k->hdr.remote, IPC_OBJECT_DEAD);
	assert_ptr_equal(k->hdr.local, IPC_OBJECT_DEAD);
	assert_int_equal(k->hdr.bits,
	                 MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND,
	                                MACH_MSG_TYPE_PORT_SEND_ONCE));
	kmsg_destroy(k);
	port_release(p);
}

static void test_no_server_queues_messages_to_kernel_ports(void **state)
{
	struct umsg m;

	(void)state;
	ipc_kobject_server = NULL;
	ipc_kobject_call = NULL;
	(void)allocate_request(&m, task_b_name, MACH_PORT_RIGHT_RECEIVE);
	assert_int_equal(msend(sa, &m), MACH_MSG_SUCCESS);
	assert_int_equal(task_b_port->queue.count, 1);
	ipc_kobject_server = kserver_handle;
	ipc_kobject_call = kserver_call;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_reply_layout_is_what_mig_user_stubs_check),
	    T(test_fast_kernel_rpc_answers_the_same),
	    T(test_error_reply_is_a_48_byte_mig_reply_header),
	    T(test_unknown_id_answers_mig_bad_id),
	    T(test_unimplemented_routine_answers_mig_bad_id),
	    T(test_malformed_request_gets_mig_bad_arguments),
	    T(test_request_without_reply_port_is_served_and_consumed),
	    T(test_destination_right_is_consumed),
	    T(test_reply_goes_to_a_send_right_reply_port),
	    T(test_reply_to_a_kernel_port_is_served_and_dropped),
	    T(test_rpc_destroying_its_own_reply_port_returns),
	    T(test_mach_port_allocate_and_destroy_rpcs),
	    T(test_rpc_on_a_non_task_port_is_invalid_task),
	    T(test_mach_port_names_returns_out_of_line_arrays),
	    T(test_get_set_status_returns_members),
	    T(test_insert_right_takes_the_right_on_success),
	    T(test_receive_right_given_to_the_kernel_can_travel_again),
	    T(test_failed_insert_right_destroys_the_right),
	    T(test_extract_right_moves_a_receive_right_out),
	    T(test_request_notification_rpc),
	    T(test_port_attributes_rpcs),
	    T(test_copyin_from_kernel_makes_the_rights_asked_for),
	    T(test_copyin_from_kernel_header_and_dead_port),
	    T(test_no_server_queues_messages_to_kernel_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
