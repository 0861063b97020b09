/*
 * tests/system/modules/vm-pager-misbehave.c — memory managers that do
 * not play by the rules, as GNU Mach copes with them: a pager that never
 * answers a data_request (the faulting thread waits; thread_abort,
 * thread_terminate and task_terminate), one that answers data_error (an
 * exception), a client writing against its map protection (an exception
 * before any pager call), one that dies with a fault pending, and one that
 * sends garbage (supplies nobody asked for, at odd offsets and sizes, to the
 * wrong ports, bad lock requests and attributes, unknown message ids on
 * the control port, vm_map of ports that are not memory objects), and
 * many threads faulting on pages nobody supplies (the bound on the pages
 * asked at once).  The
 * protocol itself is summarised at the top of vm-pager.c; the pager
 * machinery is pager-lib.h.  Each check states what GNU Mach does.
 *
 * Two bad inputs crash GNU Mach itself, so they are not tried here
 * (Mach_R should answer them with an error and carry on):
 * memory_object_data_supply with a count of 0 (a kernel page fault), and
 * a reply_to port on a call the kernel rejects or that finds the page
 * present (data_supply at an unaligned offset, a second supply of a
 * resident page, change_attributes with strategy 77): the next receive
 * on the reply port trips ipc_kmsg_copyout_header's assertion
 * "dest->ip_sorights > 0".
 */
#include "pager-lib.h"

static struct pg_event ev;

/* Map SIZE bytes of a new object, wait for init and make it ready
 * (two checks).  1 if it all went. */
static int map_ready(mach_port_t *port, mach_port_t *control, mach_port_t *name,
                     vm_address_t *addr, vm_size_t size, const char *what)
{
	if (!pg_map_new(port, control, name, addr, size, VM_INHERIT_NONE, &ev,
	                what))
		return 0;
	(void)memory_object_ready(*control, FALSE, MEMORY_OBJECT_COPY_DELAY);
	return 1;
}

/* A pager that does not answer; thread_abort, thread_terminate. */
static void check_no_answer(mach_port_t port, mach_port_t control,
                            vm_address_t a)
{
	struct pg_job *j, *j2;
	mach_port_t th = MACH_PORT_NULL, th2 = MACH_PORT_NULL;
	uint64_t w = 0;
	int ok;

	pg_group_begin();
	if (pg_broken)
		goto out;
	j = pg_start(PG_READ, a, 0, &th);
	if (!pg_expect_msg(port, MO_DATA_REQUEST, &ev, "a read"))
		goto out;
	pg_ok(still_blocked(th, j), "unanswered, the reader waits");
	/* GNU Mach: thread_abort succeeds, the fault is not given up nor
	 * asked again: the thread keeps waiting for the same page and
	 * runs on when it comes. */
	pg_expect(thread_abort(th), KERN_SUCCESS,
	          "thread_abort of the waiting reader");
	pg_silent(port, &ev, "no second data_request");
	pg_ok(still_blocked(th, j), "the reader still waits");
	/* GNU Mach: a second thread faulting on the same page waits for
	 * the same answer. */
	j2 = pg_start(PG_WRITE, a + 8, 5, &th2);
	pg_silent(port, &ev, "a second thread, a write: no data_request");
	pg_ok(still_blocked(th2, j2), "it waits too");
	(void)pg_supply(control, 0, PAGE, 0x20, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0x20, 0);
	pg_ok(ok, "the supply ends its wait, with the data (%#lx)",
	      (unsigned long)w);
	pg_ok(pg_report(j2, WAIT_MS, NULL), "and the writer's");

	/* GNU Mach: a write fault answered with a write-locked page goes
	 * on to ask data_unlock. */
	j = pg_start(PG_WRITE, a + 8 * PAGE, 6, &th);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST &&
	     ev.access == (VM_PROT_READ | VM_PROT_WRITE);
	(void)pg_supply(control, 8 * PAGE, PAGE, 0x28, VM_PROT_WRITE, FALSE,
	                MACH_PORT_NULL);
	ok = ok && pg_next(port, WAIT_MS, &ev) == MO_DATA_UNLOCK &&
	     ev.offset == 8 * PAGE;
	pg_ok(ok, "a write answered write-locked: data_unlock (got %s)",
	      pg_id_name(ev.id));
	(void)memory_object_lock_request(control, 8 * PAGE, PAGE,
	                                 MEMORY_OBJECT_RETURN_NONE, FALSE,
	                                 VM_PROT_NONE, MACH_PORT_NULL);
	pg_ok(pg_report(j, WAIT_MS, NULL), "unlocked, the write completes");

	/* GNU Mach: a thread terminated while waiting leaves the request
	 * outstanding; the next reader waits for that answer. */
	j = pg_start(PG_READ, a + PAGE, 0, &th);
	ok = pg_expect_msg(port, MO_DATA_REQUEST, &ev, "a read of page 1");
	pg_expect(thread_terminate(th), KERN_SUCCESS,
	          "thread_terminate of the waiting reader");
	j = pg_start(PG_READ, a + PAGE, 0, &th);
	pg_silent(port, &ev, "another reader: no new data_request");
	(void)pg_supply(control, PAGE, PAGE, 0x21, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0x21, PAGE);
	pg_ok(ok, "the supply serves it (%#lx)", (unsigned long)w);
out:
	pg_group_end(15, "no answer");
}

/* task_terminate of a child task waiting on the pager. */
static void check_task_terminate(mach_port_t port, mach_port_t control)
{
	mach_port_t c = MACH_PORT_NULL, th, notify = machr_new_receive(), prev;
	vm_address_t at = 0;
	struct machr_word_msg m;
	struct pg_job *j;
	int ok;

	pg_group_begin();
	if (pg_broken)
		goto out;
	/* A free address here is free in the child, a copy of us. */
	(void)vm_allocate(T, &at, PAGE, TRUE);
	(void)vm_deallocate(T, at, PAGE);
	j = pg_job(PG_READ, at, 0);
	(void)task_create(T, TRUE, &c);
	pg_expect(vm_map(c, &at, PAGE, 0, FALSE, port, 2 * PAGE, FALSE,
	                 VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_NONE),
	          KERN_SUCCESS, "vm_map into a child at a fixed address");
	(void)mach_port_request_notification(
	    T, c, MACH_NOTIFY_DEAD_NAME, 0, notify,
	    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	(void)pg_start_in(c, j, &th);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST &&
	     ev.offset == 2 * PAGE;
	pg_ok(ok, "the child's read: data_request at %#lx (got %s)",
	      (unsigned long)ev.offset, pg_id_name(ev.id));
	/* GNU Mach: the task ends though its thread waits on the pager. */
	pg_expect(task_terminate(c), KERN_SUCCESS,
	          "task_terminate of the waiting child");
	ok = machr_recv_word(notify, &m, MACH_RCV_TIMEOUT, WAIT_MS) == 0 &&
	     m.h.msgh_id == MACH_NOTIFY_DEAD_NAME;
	pg_ok(ok, "the child is dead (dead-name notification)");
	(void)pg_supply(control, 2 * PAGE, PAGE, 0x22, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	pg_silent(port, &ev, "a late supply: nothing more from the kernel");
	(void)mach_port_destroy(T, c);
	(void)mach_port_destroy(T, notify);
out:
	pg_group_end(5, "task_terminate");
}

/* data_error: an exception for the faulting thread. */
static void check_data_error(mach_port_t port, mach_port_t control,
                             vm_address_t a)
{
	static const kern_return_t codes[] = {KERN_FAILURE, KERN_MEMORY_ERROR,
	                                      0x1234};
	mach_port_t exc = pg_new_object(), th;
	struct pg_job *j;
	int ok;

	pg_group_begin();
	if (pg_broken)
		goto out;
	for (int i = 0; i < 3; i++) {
		vm_address_t at = a + (3 + i) * PAGE;

		(void)pg_start_exc(PG_READ, at, exc, &th);
		ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST;
		pg_expect(memory_object_data_error(control, ev.offset, PAGE,
		                                   codes[i]),
		          KERN_SUCCESS, "data_error(code %#x)", codes[i]);
		/* GNU Mach: EXC_BAD_ACCESS, code KERN_MEMORY_ERROR whatever
		 * the pager's code, subcode the address. */
		ok = ok && pg_catch(exc, WAIT_MS);
		pg_ok(ok && pg_exc.exc == EXC_BAD_ACCESS &&
		          pg_exc.code == KERN_MEMORY_ERROR &&
		          pg_exc.subcode == (long)at,
		      "the reader takes exception %d, code %#x, subcode %#lx",
		      pg_exc.exc, pg_exc.code, pg_exc.subcode);
	}
	/* GNU Mach: the error does not stick: the next fault asks again. */
	j = pg_start(PG_READ, a + 3 * PAGE, 0, &th);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST &&
	     ev.offset == 3 * PAGE;
	pg_ok(ok, "a new read of the page: data_request again (got %s)",
	      pg_id_name(ev.id));
	(void)memory_object_data_unavailable(control, 3 * PAGE, PAGE);
	pg_ok(pg_report(j, WAIT_MS, NULL), "answered, the read completes");
out:
	(void)mach_port_destroy(T, exc);
	pg_group_end(8, "data_error");
}

/* A client writing where its map protection forbids it: no business
 * of the pager's. */
static void check_map_protection(void)
{
	mach_port_t port, control, name, exc = pg_new_object(), th;
	struct pg_job *j;
	vm_address_t a = 0;
	kern_return_t kr;
	uint64_t w = 0;
	int ok;

	pg_group_begin();
	if (pg_broken)
		goto out;
	port = pg_new_object();
	kr = vm_map(T, &a, PAGE, 0, TRUE, port, 0, FALSE, VM_PROT_READ,
	            VM_PROT_ALL, VM_INHERIT_NONE);
	pg_expect(kr, KERN_SUCCESS, "vm_map with protection READ");
	if (kr != KERN_SUCCESS ||
	    !pg_expect_msg(port, MO_INIT, &ev, "protection READ"))
		goto out;
	control = ev.control;
	name = ev.name;
	(void)memory_object_ready(control, FALSE, MEMORY_OBJECT_COPY_DELAY);
	/* GNU Mach: a write faults on the map protection with
	 * EXC_BAD_ACCESS / KERN_PROTECTION_FAILURE before asking the
	 * pager anything. */
	(void)pg_start_exc(PG_WRITE, a + 8, exc, &th);
	ok = pg_catch(exc, WAIT_MS);
	pg_ok(ok && pg_exc.exc == EXC_BAD_ACCESS &&
	          pg_exc.code == KERN_PROTECTION_FAILURE &&
	          pg_exc.subcode == (long)(a + 8),
	      "a write: exception %d, code %#x, subcode %#lx", pg_exc.exc,
	      pg_exc.code, pg_exc.subcode);
	pg_silent(port, &ev, "and the pager hears nothing");
	/* GNU Mach: after vm_protect, the write faults the page in. */
	(void)vm_protect(T, a, PAGE, FALSE, VM_PROT_READ | VM_PROT_WRITE);
	j = pg_start(PG_WRITE, a + 8, 3, &th);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST;
	pg_ok(ok && ev.access == (VM_PROT_READ | VM_PROT_WRITE),
	      "made writable, a write asks (access %d, got %s)", ev.access,
	      pg_id_name(ev.id));
	(void)memory_object_data_unavailable(control, 0, PAGE);
	/* The writer's report first: with several CPUs nothing orders its
	 * store (after it wakes) before a new reader's load. */
	ok = pg_report(j, WAIT_MS, NULL) && pg_peek(a + 8, &w) && w == 3;
	pg_ok(ok, "and completes (%#lx)", (unsigned long)w);
	(void)vm_deallocate(T, a, PAGE);
	(void)pg_expect_msg(port, MO_DATA_RETURN, &ev, "vm_deallocate");
	(void)pg_expect_msg(port, MO_TERMINATE, &ev, "then");
	pg_object_destroy(port, control, name);
out:
	(void)mach_port_destroy(T, exc);
	pg_group_end(8, "map protection");
}

/* The pager's port dies while a fault waits, or before one. */
static void check_pager_dies(void)
{
	mach_port_t port, control, name, exc = pg_new_object(), th;
	vm_address_t a = 0;
	int ok;

	pg_group_begin();
	if (pg_broken ||
	    !map_ready(&port, &control, &name, &a, 2 * PAGE, "dies"))
		goto out;
	(void)pg_start_exc(PG_READ, a, exc, &th);
	ok = pg_expect_msg(port, MO_DATA_REQUEST, &ev, "a read");
	pg_expect(mach_port_mod_refs(T, port, MACH_PORT_RIGHT_RECEIVE, -1),
	          KERN_SUCCESS, "the pager destroys its receive right");
	/* GNU Mach: the waiting thread takes EXC_BAD_ACCESS /
	 * KERN_MEMORY_ERROR at the address. */
	ok = pg_catch(exc, WAIT_MS);
	pg_ok(ok && pg_exc.exc == EXC_BAD_ACCESS &&
	          pg_exc.code == KERN_MEMORY_ERROR && pg_exc.subcode == (long)a,
	      "the waiting reader takes exception %d, code %#x, subcode %#lx",
	      pg_exc.exc, pg_exc.code, pg_exc.subcode);
	(void)pg_start_exc(PG_READ, a + PAGE, exc, &th);
	ok = pg_catch(exc, WAIT_MS);
	pg_ok(ok && pg_exc.exc == EXC_BAD_ACCESS &&
	          pg_exc.code == KERN_MEMORY_ERROR,
	      "a later read takes the same (%d, %#x)", pg_exc.exc, pg_exc.code);
	/* GNU Mach: the control port goes with the object. */
	pg_ok(pg_type(control) == MACH_PORT_TYPE_DEAD_NAME,
	      "our control right is a dead name (%#x)", pg_type(control));
	pg_expect(memory_object_data_unavailable(control, 0, PAGE),
	          MACH_SEND_INVALID_DEST, "a call on it");
	pg_expect(vm_deallocate(T, a, 2 * PAGE), KERN_SUCCESS,
	          "vm_deallocate of the mapping");
	(void)mach_port_destroy(T, control);
	(void)mach_port_destroy(T, name);
out:
	(void)mach_port_destroy(T, exc);
	pg_group_end(9, "pager dies");
}

struct raw {
	mach_msg_header_t h;
	mach_msg_type_t t;
	kern_return_t code;
	char slack[256];
};

/* Send an empty message with id ID to CONTROL and return the reply's
 * return code (or the receive error, as a negative number below
 * -0x10000000). */
static long raw_call(mach_port_t control, mach_port_t reply, mach_msg_id_t id,
                     mach_msg_id_t *reply_id)
{
	struct raw m;
	mach_msg_return_t mr;

	machr_msg_header(&m.h, control, MACH_MSG_TYPE_COPY_SEND, reply,
	                 MACH_MSG_TYPE_MAKE_SEND_ONCE, sizeof(m.h));
	m.h.msgh_id = id;
	mr = mach_msg(&m.h, MACH_SEND_MSG, sizeof(m.h), 0, MACH_PORT_NULL, 0,
	              MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS)
		return -(long)mr;
	mr = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m),
	              reply, WAIT_MS, MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS)
		return -(long)mr;
	*reply_id = m.h.msgh_id;
	return m.code;
}

/* Answers nobody asked for, and calls with bad arguments. */
static void check_garbage(mach_port_t port, mach_port_t control,
                          mach_port_t name, vm_address_t a)
{
	static const struct {
		mach_msg_id_t id;
		const char *what;
		kern_return_t want;
	} raws[] = {
	    {4242, "id 4242", MIG_BAD_ID},
	    {2038, "old memory_object_data_provided (2038)", MIG_BAD_ID},
	    {2091, "old memory_object_set_attributes (2091)", MIG_BAD_ID},
	    {2043, "old xxx_memory_object_lock_request (2043)", MIG_BAD_ID},
	    {2200, "memory_object_init's id, empty", MIG_BAD_ARGUMENTS},
	    {2203, "memory_object_data_request's id, empty", MIG_BAD_ARGUMENTS},
	};
	mach_port_t rp = pg_new_object(), th, dead;
	boolean_t ready = 2, may_cache = 2;
	memory_object_copy_strategy_t st = -1;
	vm_address_t b = 0;
	struct pg_job *j;
	uint64_t w = 0;
	int ok;

	pg_group_begin();
	if (pg_broken)
		goto out;
	/* GNU Mach: a supply nobody asked for is taken (result 0), and the
	 * page is then resident. */
	(void)pg_supply(control, 6 * PAGE, PAGE, 0x26, VM_PROT_NONE, FALSE, rp);
	ok = pg_next(rp, WAIT_MS, &ev) == MO_SUPPLY_COMPLETED;
	pg_ok(ok && ev.offset == 6 * PAGE && ev.result == KERN_SUCCESS,
	      "an unasked supply: supply_completed(%#lx, result %#x)",
	      (unsigned long)ev.offset, ev.result);
	j = pg_start(PG_READ, a + 6 * PAGE, 0, &th);
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0x26, 6 * PAGE);
	pg_ok(ok && pg_quiet(port, &ev),
	      "the page reads without a data_request (%#lx)", (unsigned long)w);
	/* GNU Mach: a second supply of a resident page is dropped. */
	pg_expect(pg_supply(control, 6 * PAGE, PAGE, 0x27, VM_PROT_NONE, FALSE,
	                    MACH_PORT_NULL),
	          KERN_SUCCESS, "a second supply of the resident page");
	ok = pg_peek(a + 6 * PAGE + 40, &w) && w == pg_word(0x26, 6 * PAGE);
	pg_ok(ok, "the first data stays");

	/* GNU Mach: malformed supplies are dropped silently (the call is a
	 * one-way message) and the object goes on working. */
	pg_expect(pg_supply(control, 7 * PAGE + 0x10, PAGE, 0x28, VM_PROT_NONE,
	                    FALSE, MACH_PORT_NULL),
	          KERN_SUCCESS, "a supply at an unaligned offset is sent");
	pg_expect(pg_supply(control, 7 * PAGE, 100, 0x28, VM_PROT_NONE, FALSE,
	                    MACH_PORT_NULL),
	          KERN_SUCCESS, "a supply of 100 bytes is sent");
	pg_expect(pg_supply(control, 7 * PAGE, PAGE + 100, 0x28, VM_PROT_NONE,
	                    FALSE, MACH_PORT_NULL),
	          KERN_SUCCESS, "a supply of a page and 100 bytes is sent");
	pg_expect(pg_supply(control, 100 * PAGE, PAGE, 0x28, VM_PROT_NONE,
	                    FALSE, MACH_PORT_NULL),
	          KERN_SUCCESS, "a supply past the object's mapped size");
	j = pg_start(PG_READ, a + 7 * PAGE, 0, &th);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST &&
	     ev.offset == 7 * PAGE;
	pg_ok(ok, "none installed page 7: a read asks for it (got %s)",
	      pg_id_name(ev.id));
	(void)pg_supply(control, 7 * PAGE, PAGE, 0x29, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0x29, 7 * PAGE);
	pg_ok(ok, "and a proper supply serves it (%#lx)", (unsigned long)w);

	/* GNU Mach: data_unavailable for a page nobody asked for is
	 * ignored (the page is asked for when touched), and data_error on
	 * a resident page too (it stays readable). */
	(void)memory_object_data_unavailable(control, 9 * PAGE, PAGE);
	j = pg_start(PG_READ, a + 9 * PAGE, 0, &th);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST &&
	     ev.offset == 9 * PAGE;
	pg_ok(ok, "an unasked data_unavailable: a read still asks (got %s)",
	      pg_id_name(ev.id));
	(void)pg_supply(control, 9 * PAGE, PAGE, 0x39, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0x39, 9 * PAGE);
	pg_ok(ok, "and gets the supply (%#lx)", (unsigned long)w);
	(void)memory_object_data_error(control, 9 * PAGE, PAGE, KERN_FAILURE);
	ok = pg_peek(a + 9 * PAGE + 8, &w) && w == pg_word(0x39, 9 * PAGE);
	pg_ok(ok && pg_quiet(port, &ev),
	      "data_error on a resident page: it still reads (%#lx)",
	      (unsigned long)w);

	/* The wrong ports. */
	pg_expect(
	    pg_supply(T, 0, PAGE, 0x2a, VM_PROT_NONE, FALSE, MACH_PORT_NULL),
	    KERN_SUCCESS, "data_supply to our task port is sent");
	(void)pg_supply(port, 0, PAGE, 0x2a, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_next(port, WAIT_MS, &ev) == 2093 && !ev.decoded;
	pg_ok(ok, "data_supply to the object port lands in our queue (id %d)",
	      ev.id);
	pg_expect(pg_supply(MACH_PORT_NULL, 0, PAGE, 0x2a, VM_PROT_NONE, FALSE,
	                    MACH_PORT_NULL),
	          MACH_SEND_INVALID_DEST, "data_supply to MACH_PORT_NULL");
	/* GNU Mach: get_attributes on a port that is not a control port. */
	pg_expect(memory_object_get_attributes(T, &ready, &may_cache, &st),
	          KERN_INVALID_ARGUMENT, "get_attributes on our task port");
	pg_expect(memory_object_get_attributes(name, &ready, &may_cache, &st),
	          KERN_INVALID_ARGUMENT, "get_attributes on the name port");

	/* lock_request's arguments.  GNU Mach: should_return 7 is taken;
	 * a lock_value outside VM_PROT_ALL is refused, the reply right
	 * destroyed (a send-once notification); the range is not checked
	 * against the object. */
	(void)memory_object_lock_request(control, 0, PAGE, 7, FALSE,
	                                 VM_PROT_NONE, rp);
	ok = pg_next(rp, WAIT_MS, &ev) == MO_LOCK_COMPLETED;
	pg_ok(ok, "lock_request(should_return 7): lock_completed (got %s)",
	      pg_id_name(ev.id));
	/* GNU Mach: and 7 counts as a return: page 0, dirty since
	 * check_no_answer's write, comes back. */
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_RETURN;
	pg_ok(ok && ev.offset == 0 && ev.count == PAGE && ev.dirty,
	      "and the dirty page 0 is returned (got %s at %#lx)",
	      pg_id_name(ev.id), (unsigned long)ev.offset);
	(void)memory_object_lock_request(
	    control, 0, PAGE, MEMORY_OBJECT_RETURN_NONE, FALSE, 0x55, rp);
	ok = pg_next(rp, WAIT_MS, &ev) == MACH_NOTIFY_SEND_ONCE;
	pg_ok(ok,
	      "lock_request(lock_value 0x55): a send-once notification "
	      "(got %s)",
	      pg_id_name(ev.id));
	(void)memory_object_lock_request(control, 64 * PAGE, 8 * PAGE,
	                                 MEMORY_OBJECT_RETURN_ALL, TRUE,
	                                 VM_PROT_NONE, rp);
	ok = pg_next(rp, WAIT_MS, &ev) == MO_LOCK_COMPLETED;
	pg_ok(ok && ev.offset == 64 * PAGE && ev.length == 8 * PAGE,
	      "lock_request past the end: lock_completed(%#lx, %#lx)",
	      (unsigned long)ev.offset, (unsigned long)ev.length);

	/* Attributes.  GNU Mach: a second ready, or a change, with an
	 * unknown strategy leaves the strategy as it was. */
	(void)memory_object_ready(control, FALSE, 99);
	(void)memory_object_change_attributes(control, FALSE, 77,
	                                      MACH_PORT_NULL);
	pg_expect(
	    memory_object_get_attributes(control, &ready, &may_cache, &st),
	    KERN_SUCCESS, "get_attributes");
	pg_ok(ready && !may_cache && st == MEMORY_OBJECT_COPY_DELAY,
	      "after ready(99), change(77): ready %d, may_cache %d, strategy "
	      "%d",
	      ready, may_cache, st);

	/* Messages the control port does not serve.  GNU Mach: MIG_BAD_ID
	 * for unknown ids (the two old calls of mach.defs included), and
	 * MIG_BAD_ARGUMENTS for memory_object.defs ids (the kernel serves
	 * that interface on its ports too). */
	for (unsigned i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
		mach_msg_id_t rid = 0;
		long code = raw_call(control, rp, raws[i].id, &rid);

		pg_ok(code == raws[i].want && rid == raws[i].id + 100,
		      "%s to the control port: reply %d, code %ld",
		      raws[i].what, rid, code);
	}

	/* vm_map of what is not a memory object.  GNU Mach:
	 * KERN_INVALID_ARGUMENT for kernel ports and a zero size; a dead
	 * name maps (as MEMORY_OBJECT_NULL: zero-filled memory). */
	pg_expect(vm_map(T, &b, PAGE, 0, TRUE, T, 0, FALSE, VM_PROT_DEFAULT,
	                 VM_PROT_ALL, VM_INHERIT_COPY),
	          KERN_INVALID_ARGUMENT, "vm_map of our task port");
	pg_expect(vm_map(T, &b, PAGE, 0, TRUE, control, 0, FALSE,
	                 VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY),
	          KERN_INVALID_ARGUMENT, "vm_map of the control port");
	pg_expect(vm_map(T, &b, PAGE, 0, TRUE, name, 0, FALSE, VM_PROT_DEFAULT,
	                 VM_PROT_ALL, VM_INHERIT_COPY),
	          KERN_INVALID_ARGUMENT, "vm_map of the name port");
	pg_expect(vm_map(T, &b, 0, 0, TRUE, port, 0, FALSE, VM_PROT_DEFAULT,
	                 VM_PROT_ALL, VM_INHERIT_COPY),
	          KERN_INVALID_ARGUMENT, "vm_map of size 0");
	dead = pg_new_object();
	(void)mach_port_mod_refs(T, dead, MACH_PORT_RIGHT_RECEIVE, -1);
	b = 0;
	pg_expect(vm_map(T, &b, PAGE, 0, TRUE, dead, 0, FALSE, VM_PROT_DEFAULT,
	                 VM_PROT_ALL, VM_INHERIT_COPY),
	          KERN_SUCCESS, "vm_map of a dead name");
	j = pg_start(PG_READ, b + 8, 0, &th);
	ok = b != 0 && pg_report(j, WAIT_MS, &w) && w == 0;
	pg_ok(ok, "it reads as zero (%#lx)", (unsigned long)w);
	if (b != 0)
		(void)vm_deallocate(T, b, PAGE);
	(void)mach_port_destroy(T, dead);
	pg_silent(port, &ev, "the object heard none of it");
out:
	(void)mach_port_destroy(T, rp);
	pg_group_end(37, "garbage");
}

/*
 * GNU Mach: at most 51 pages of one object are asked of its pager at
 * once; the faults beyond wait, unasked, and each answer lets one more
 * request go (a bound on what a pager that never answers makes the kernel
 * keep).  BOUND_READERS readers of as many pages of such a pager.
 */
#define BOUND_READERS 70
#define ASKED_MAX     51

static void check_request_bound(void)
{
	mach_port_t port, control, name;
	vm_address_t a = 0;
	vm_offset_t first = ~(vm_offset_t)0;
	unsigned asked = 0, more = 0;
	int started = 0;

	pg_group_begin();
	if (pg_broken || !map_ready(&port, &control, &name, &a,
	                            BOUND_READERS * PAGE, "bound"))
		goto out;
	for (int i = 0; i < BOUND_READERS; i++)
		started += pg_start(PG_READ, a + i * PAGE, 0, NULL) != NULL;
	while (pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST) {
		asked++;
		if (ev.offset < first)
			first = ev.offset;
	}
	pg_ok(started == BOUND_READERS && asked == ASKED_MAX,
	      "%d readers of as many pages: %u data_requests", started, asked);
	(void)pg_supply(control, first, PAGE, 0x30, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	while (pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST)
		more++;
	pg_ok(more == 1, "one page supplied: %u more data_request(s)", more);
	/* The readers still waiting go; then the object. */
	pg_reap(pg_group_job);
	pg_expect(vm_deallocate(T, a, BOUND_READERS * PAGE), KERN_SUCCESS,
	          "vm_deallocate of the mapping");
	pg_object_destroy(port, control, name);
out:
	pg_group_end(5, "request bound");
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, port, control, name;
	vm_address_t a = 0;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("vm-pager-misbehave: no console\n");
	pg_init();
	tap_plan(2 + 15 + 5 + 8 + 8 + 9 + 37 + 5);
	/* One object, 10 pages, for all but check_pager_dies. */
	pg_group_begin();
	(void)map_ready(&port, &control, &name, &a, 10 * PAGE, "object");
	pg_group_end(2, "object");
	check_no_answer(port, control, a);
	check_task_terminate(port, control);
	check_data_error(port, control, a);
	check_map_protection();
	check_pager_dies();
	check_garbage(port, control, name, a);
	check_request_bound();
	tap_finish(host_priv);
	return 0;
}
