/*
 * tests/system/modules/vm-pager.c — the external memory management
 * protocol as a well-behaved pager sees it on GNU Mach: vm_map of a
 * memory object port, memory_object_init and _ready, data_request and
 * the answers (data_supply, data_unavailable), page locks and
 * data_unlock, lock_request with its data_return and lock_completed,
 * precious pages, attributes, terminate, the object cache, several
 * mappings and offsets, copies under the three copy strategies, and a
 * mapping shared with a child task, vm_read and vm_write of pager
 * memory.  vm-pager-misbehave.c has the
 * pagers that do not answer or answer wrongly.  The pager is this
 * task's main thread (pager-lib.h); worker threads touch the memory.
 * The copy-strategy groups are in vm-pager-copy.h, the ones where
 * mach_msg faults on pager memory in vm-pager-ipc.h.
 * Each check states what GNU Mach does.
 *
 * The protocol as GNU Mach runs it (x86_64, page size 4096):
 *
 * Rights.  The pager holds the receive right of the memory object port
 * and gives send rights to its clients; vm_map(memory_object = a send
 * right) makes the kernel keep its own send right.  When the kernel first
 * meets the port it creates a VM object for it and two kernel ports: the
 * control port (also called the request port; the pager calls
 * mach.defs's memory_object_* on it) and the name port (what vm_region
 * shows as the object's name, used for nothing else).  Every message the
 * kernel sends the pager is one-way (no reply port): to the object port
 * as a send right (msgh_bits COMPLEX | PORT_SEND in the local field,
 * 0x80001100), or, for the *_completed answers, to the send-once right
 * the pager's reply_to made (PORT_SEND_ONCE; change_completed, carrying no
 * port, is not complex).  The pager's calls are one-way too; the only
 * RPC is memory_object_get_attributes.
 *
 * 1. vm_map returns at once and the kernel sends memory_object_init(
 *    object, control, name, 4096): a send right to each of the two ports,
 *    one init per object however many times it is mapped (or re-mapped
 *    while cached).  vm_map does not wait for the pager.
 * 2. Until the pager calls memory_object_ready(control, may_cache,
 *    copy_strategy) the object is not ready: memory_object_get_attributes
 *    says ready FALSE, may_cache FALSE, strategy 0 (COPY_NONE), and a
 *    thread touching the memory waits without any data_request.
 *    memory_object_change_attributes makes the object ready just as
 *    well, and ready on a ready object sets the attributes again.
 * 3. A fault on a page the object does not hold sends
 *    memory_object_data_request(object, control, offset, 4096, access):
 *    one page, access VM_PROT_READ for a read and READ|WRITE for a
 *    write (the kernel's own accesses alike: vm_read asks READ, while
 *    vm_write of a whole page asks WRITE alone); the offset is the mapping's
 * offset plus the page's place in it, not rounded (a mapping at object offset
 * 0x123 asks for 0x123). The thread waits for the answer:
 *    - memory_object_data_supply(control, offset, data, count, dealloc,
 *      lock_value, precious, reply_to): the page is filled and the thread
 *      runs on; with reply_to, memory_object_supply_completed(offset,
 *      length, result, error_offset) follows (result 0, or
 *      KERN_MEMORY_PRESENT with error_offset when the page was already
 *      there, the old contents staying).  One supply may carry several
 *      pages (one supply_completed for the range), and pages nobody asked
 *      for are taken.  lock_value is the access the
 *      pager withholds: a page supplied with VM_PROT_WRITE reads fine, and
 *      a write sends memory_object_data_unlock(offset, 4096, READ|WRITE)
 *      and waits until the pager lifts the lock with lock_request.
 *    - memory_object_data_unavailable(control, offset, size): the page
 *      is zero-filled.
 *    - memory_object_data_error(control, offset, size, code): the
 *      thread takes EXC_BAD_ACCESS, code KERN_MEMORY_ERROR whatever the
 *      pager's code, subcode the address; the next touch asks again.
 *    The kernel sends no second data_request for a page already asked
 *    for, even if the thread that asked was aborted or terminated.
 * 4. memory_object_lock_request(control, offset, size, should_return,
 *    should_flush, lock_value, reply_to) acts on the resident pages of the
 *    range: RETURN_DIRTY sends the modified pages, RETURN_ALL also the
 *    precious ones, in memory_object_data_return(object, control, offset,
 *    data, count, dirty, kernel_copy), one message per run of contiguous
 *    pages (dirty TRUE and kernel_copy TRUE for modified pages, both FALSE
 *    for a clean precious page); the pages are then clean.  should_flush
 *    evicts them (the next touch asks again).  lock_value sets the
 *    withheld access (VM_PROT_NONE lifts a lock, VM_PROT_WRITE makes the
 *    next write send data_unlock, VM_PROT_ALL makes a read send
 *    data_unlock asking READ).  A page still being asked for is left
 *    alone (the request stands).  Then memory_object_lock_completed(
 *    reply_to, control, offset, size) reports the request done, echoing
 *    its range.  Clean non-precious pages are never sent.
 * 5. memory_object_change_attributes(control, may_cache, strategy,
 *    reply_to) answers memory_object_change_completed(reply_to,
 *    may_cache, strategy) with the new values; get_attributes shows them.
 * 6. When the last mapping goes (vm_deallocate) and may_cache is FALSE,
 *    the kernel returns the dirty pages (data_return, dirty TRUE,
 *    kernel_copy FALSE) and the precious ones (dirty FALSE), and sends
 * memory_object_terminate(object, control, name) moving its send right to the
 * object and the receive rights of the control and name ports to the pager.
 * With may_cache TRUE the object and its pages stay cached: no terminate, and a
 * new vm_map finds the same object (no init, resident pages without requests).
 *    memory_object_destroy(control, reason) sends terminate at once,
 *    mapped or not, and discards the dirty pages (no data_return); later
 *    touches of pages that were not resident take EXC_BAD_ACCESS /
 *    KERN_MEMORY_ERROR.
 * 7. vm_map(copy=TRUE) follows the object's copy strategy: DELAY makes a
 *    lazy copy without telling the pager (pages the copy lacks are asked
 *    of the original object); CALL sends memory_object_copy(object,
 *    control, offset, length, new_object) with the receive right of a new
 *    memory object port, which the kernel then initialises like any
 *    other (init on the new port; the copy's faults ask the new object,
 *    even for pages the original holds); NONE copies at once: vm_map
 *    asks for every page of the range the object lacks (data_request,
 *    access READ), waits for them, and returns a private copy that the
 *    pager hears no more of.
 * 8. A mapping inherited VM_INHERIT_SHARE by a child task is the same
 *    object: no new init, writes seen both ways, the child's faults ask
 *    the same pager.
 * 9. When the object port dies (the pager destroys its receive right),
 *    the kernel destroys the object's control port (the pager's right
 *    becomes a dead name) and every waiting or later fault on it takes
 *    EXC_BAD_ACCESS / KERN_MEMORY_ERROR.  Malformed calls on the control
 *    port are dropped without a word (they are one-way); unknown message
 *    ids there get a MIG_BAD_ID reply.  vm-pager-misbehave.c has these.
 */
#include "pager-lib.h"

/* The object most groups work on, and what its init said. */
static struct {
	mach_port_t port, control, name;
	vm_address_t addr;
	vm_size_t size;
} o;

static struct pg_event ev;

/* Read (or write) ADDR in a worker while the pager answers the one
 * data_request it causes with a supply of pattern TAG; the worker's
 * report must come.  Two checks. */
static int fault_in(mach_port_t port, mach_port_t control, vm_address_t addr,
                    vm_offset_t offset, uint32_t tag, const char *what)
{
	struct pg_job *j = pg_start(PG_READ, addr, 0, NULL);
	uint64_t w = 0;
	int ok;

	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST &&
	     ev.offset == offset && ev.length == PAGE;
	pg_ok(ok, "%s: data_request at %#lx (got %s %#lx)", what,
	      (unsigned long)offset, pg_id_name(ev.id),
	      (unsigned long)ev.offset);
	if (ok)
		(void)pg_supply(control, offset, PAGE, tag, VM_PROT_NONE, FALSE,
		                MACH_PORT_NULL);
	ok = ok && pg_report(j, WAIT_MS, &w) && w == pg_word(tag, offset);
	pg_ok(ok, "%s: the reader sees the supplied page (%#lx)", what,
	      (unsigned long)w);
	return ok;
}

/* The group's object: map 4 pages, init, ready, the first faults. */
static void check_init_ready(void)
{
	struct pg_job *j;
	mach_port_t th = MACH_PORT_NULL, obj = MACH_PORT_NULL;
	boolean_t ready = 2, may_cache = 2;
	memory_object_copy_strategy_t st = -1;
	vm_address_t start;
	vm_size_t size;
	vm_offset_t off = 1;
	uint64_t w = 0;
	int ok;

	pg_group_begin();
	o.size = 4 * PAGE;
	if (!pg_map_new(&o.port, &o.control, &o.name, &o.addr, o.size,
	                VM_INHERIT_NONE, &ev, "init"))
		goto out;
	/* GNU Mach: init comes to the object port with the page size 4096
	 * and send rights to two new ports, the control and the name. */
	pg_ok(ev.port == o.port && ev.object == o.port && ev.page_size == PAGE,
	      "init: on the object port, page size %#lx",
	      (unsigned long)ev.page_size);
	/* GNU Mach: the kernel's messages are one-way (no reply port), to
	 * a send right; complex, as they carry the control port. */
	pg_ok(ev.bits == (MACH_MSGH_BITS_COMPLEX |
	                  MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND)),
	      "init: header bits %#x", ev.bits);
	pg_ok(pg_type(o.control) == MACH_PORT_TYPE_SEND &&
	          pg_type(o.name) == MACH_PORT_TYPE_SEND &&
	          o.control != o.name && o.control != o.port &&
	          o.name != o.port,
	      "init: control %#x and name %#x are two new send rights",
	      o.control, o.name);
	/* GNU Mach: before ready, get_attributes says not ready, no
	 * caching, strategy 0 (MEMORY_OBJECT_COPY_NONE). */
	pg_expect(
	    memory_object_get_attributes(o.control, &ready, &may_cache, &st),
	    KERN_SUCCESS, "get_attributes before ready");
	pg_ok(!ready && !may_cache && st == MEMORY_OBJECT_COPY_NONE,
	      "before ready: ready %d, may_cache %d, strategy %d", ready,
	      may_cache, st);

	/* GNU Mach: a fault before ready waits, without a data_request. */
	j = pg_start(PG_READ, o.addr, 0, &th);
	pg_silent(o.port, &ev, "a read before ready: no data_request");
	pg_ok(machr_thread_wait_blocked(th), "the reader is blocked");
	pg_expect(
	    memory_object_ready(o.control, FALSE, MEMORY_OBJECT_COPY_DELAY),
	    KERN_SUCCESS, "memory_object_ready(may_cache FALSE, DELAY)");
	if (!pg_expect_msg(o.port, MO_DATA_REQUEST, &ev, "after ready"))
		goto out;
	/* GNU Mach: one page at offset 0, access READ, on the same control
	 * port name as init's. */
	pg_ok(ev.offset == 0 && ev.length == PAGE &&
	          ev.access == VM_PROT_READ && ev.control == o.control &&
	          ev.bits == (MACH_MSGH_BITS_COMPLEX |
	                      MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND)),
	      "data_request(offset %#lx, length %#lx, access %d)",
	      (unsigned long)ev.offset, (unsigned long)ev.length, ev.access);
	ready = may_cache = 2;
	pg_expect(
	    memory_object_get_attributes(o.control, &ready, &may_cache, &st),
	    KERN_SUCCESS, "get_attributes after ready");
	pg_ok(ready && !may_cache && st == MEMORY_OBJECT_COPY_DELAY,
	      "after ready: ready %d, may_cache %d, strategy %d", ready,
	      may_cache, st);
	pg_expect(
	    pg_supply(o.control, 0, PAGE, 0xa0, VM_PROT_NONE, FALSE, o.port),
	    KERN_SUCCESS, "data_supply of page 0, reply to the object");
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0xa0, 0);
	pg_ok(ok, "the reader sees the supplied data (%#lx)", (unsigned long)w);
	/* GNU Mach: supply_completed(offset, length, result 0, 0). */
	if (pg_expect_msg(o.port, MO_SUPPLY_COMPLETED, &ev, "after supply"))
		/* to the send-once right made from reply_to */
		pg_ok(ev.offset == 0 && ev.length == PAGE &&
		          ev.result == KERN_SUCCESS && ev.error_offset == 0 &&
		          ev.bits ==
		              (MACH_MSGH_BITS_COMPLEX |
		               MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE)),
		      "supply_completed(%#lx, %#lx, %#x, %#lx)",
		      (unsigned long)ev.offset, (unsigned long)ev.length,
		      ev.result, (unsigned long)ev.error_offset);

	/* GNU Mach: a write fault asks for READ|WRITE. */
	j = pg_start(PG_WRITE, o.addr + PAGE + 8, 77, NULL);
	if (!pg_expect_msg(o.port, MO_DATA_REQUEST, &ev, "a write"))
		goto out;
	pg_ok(ev.offset == PAGE && ev.length == PAGE &&
	          ev.access == (VM_PROT_READ | VM_PROT_WRITE),
	      "write: data_request(offset %#lx, length %#lx, access %d)",
	      (unsigned long)ev.offset, (unsigned long)ev.length, ev.access);
	pg_expect(memory_object_data_unavailable(o.control, PAGE, PAGE),
	          KERN_SUCCESS, "data_unavailable");
	pg_ok(pg_report(j, WAIT_MS, NULL), "the write completes");
	ok = pg_peek(o.addr + PAGE, &w) && w == 0;
	ok = ok && pg_peek(o.addr + PAGE + 8, &w) && w == 77;
	ok = ok && pg_peek(o.addr + 2 * PAGE - 8, &w) && w == 0;
	pg_ok(ok, "data_unavailable: a zero-filled page (with the write)");
	/* GNU Mach: vm_region names the object by the name port of init. */
	ok = pg_region(T, o.addr, &start, &size, &obj, &off) == KERN_SUCCESS;
	pg_ok(ok && start == o.addr && size == o.size && obj == o.name &&
	          off == 0,
	      "vm_region: %#lx bytes, object name %#x, offset %#lx",
	      (unsigned long)size, obj, (unsigned long)off);
	if (obj != MACH_PORT_NULL)
		(void)mach_port_deallocate(T, obj);
out:
	pg_group_end(24, "init/ready");
}

/* change_attributes instead of ready; ready again on a ready object. */
static void check_ready_variants(void)
{
	mach_port_t port, control, name, rp = pg_new_object(), th;
	boolean_t ready = 2, may_cache = 2;
	memory_object_copy_strategy_t st = -1;
	vm_address_t a = 0;
	struct pg_job *j;
	uint64_t w = 0;
	int ok;

	if (!pg_group_begin_object(&port, &control, &name, &a, 2 * PAGE,
	                           VM_INHERIT_NONE, &ev, "change before ready"))
		goto out;
	j = pg_start(PG_READ, a, 0, &th);
	pg_silent(port, &ev, "a read before ready: no data_request");
	/* GNU Mach: change_attributes makes the object ready as
	 * memory_object_ready would: change_completed, then the waiting
	 * fault's data_request. */
	pg_expect(memory_object_change_attributes(control, TRUE,
	                                          MEMORY_OBJECT_COPY_CALL, rp),
	          KERN_SUCCESS, "change_attributes(TRUE, CALL) before ready");
	ok = pg_next(rp, WAIT_MS, &ev) == MO_CHANGE_COMPLETED;
	pg_ok(ok && ev.may_cache && ev.strategy == MEMORY_OBJECT_COPY_CALL,
	      "change_completed(may_cache %d, strategy %d)", ev.may_cache,
	      ev.strategy);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST && ev.offset == 0;
	pg_ok(ok, "then the waiting read's data_request (got %s)",
	      pg_id_name(ev.id));
	(void)memory_object_get_attributes(control, &ready, &may_cache, &st);
	pg_ok(ready && may_cache && st == MEMORY_OBJECT_COPY_CALL,
	      "get_attributes: ready %d, may_cache %d, strategy %d", ready,
	      may_cache, st);
	/* GNU Mach: ready on a ready object sets the attributes again. */
	(void)memory_object_ready(control, FALSE, MEMORY_OBJECT_COPY_NONE);
	ready = may_cache = 2;
	(void)memory_object_get_attributes(control, &ready, &may_cache, &st);
	pg_ok(ready && !may_cache && st == MEMORY_OBJECT_COPY_NONE,
	      "ready(FALSE, NONE) again: ready %d, may_cache %d, strategy %d",
	      ready, may_cache, st);
	(void)pg_supply(control, 0, PAGE, 0x30, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0x30, 0);
	pg_ok(ok, "the read completes (%#lx)", (unsigned long)w);
	(void)vm_deallocate(T, a, 2 * PAGE);
	(void)pg_expect_msg(port, MO_TERMINATE, &ev,
	                    "vm_deallocate (may_cache FALSE again)");
	pg_object_destroy(port, ev.control, ev.name);
out:
	(void)mach_port_destroy(T, rp);
	pg_group_end(10, "change before ready");
}

/* Page locks: lock_value in data_supply and lock_request, data_unlock. */
static void check_locks(void)
{
	struct pg_job *j;
	mach_port_t th = MACH_PORT_NULL;
	uint64_t w = 0;
	int ok;

	pg_group_begin();
	if (pg_broken || o.control == MACH_PORT_NULL)
		goto out;
	j = pg_start(PG_READ, o.addr + 2 * PAGE, 0, NULL);
	if (!pg_expect_msg(o.port, MO_DATA_REQUEST, &ev, "a read of page 2"))
		goto out;
	(void)pg_supply(o.control, 2 * PAGE, PAGE, 0xa2, VM_PROT_WRITE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0xa2, 2 * PAGE);
	pg_ok(ok, "a page supplied write-locked reads (%#lx)",
	      (unsigned long)w);
	/* GNU Mach: a write to it sends data_unlock(offset, a page,
	 * READ|WRITE) and waits. */
	j = pg_start(PG_WRITE, o.addr + 2 * PAGE + 16, 99, &th);
	if (!pg_expect_msg(o.port, MO_DATA_UNLOCK, &ev, "a write to it"))
		goto out;
	pg_ok(ev.offset == 2 * PAGE && ev.length == PAGE &&
	          ev.access == (VM_PROT_READ | VM_PROT_WRITE),
	      "data_unlock(offset %#lx, length %#lx, access %d)",
	      (unsigned long)ev.offset, (unsigned long)ev.length, ev.access);
	pg_ok(machr_thread_wait_blocked(th), "the writer waits");
	pg_expect(memory_object_lock_request(o.control, 2 * PAGE, PAGE,
	                                     MEMORY_OBJECT_RETURN_NONE, FALSE,
	                                     VM_PROT_NONE, o.port),
	          KERN_SUCCESS, "lock_request(lock_value NONE) unlocks it");
	/* GNU Mach: lock_completed(offset, size) to the reply port. */
	if (pg_expect_msg(o.port, MO_LOCK_COMPLETED, &ev, "lock_request"))
		pg_ok(ev.offset == 2 * PAGE && ev.length == PAGE &&
		          ev.object == o.port,
		      "lock_completed(%#lx, %#lx)", (unsigned long)ev.offset,
		      (unsigned long)ev.length);
	pg_ok(pg_report(j, WAIT_MS, NULL), "the write completes");

	/* GNU Mach: lock_request can write-lock a resident page. */
	pg_expect(memory_object_lock_request(o.control, 0, PAGE,
	                                     MEMORY_OBJECT_RETURN_NONE, FALSE,
	                                     VM_PROT_WRITE, o.port),
	          KERN_SUCCESS, "lock_request(lock_value WRITE) on page 0");
	(void)pg_expect_msg(o.port, MO_LOCK_COMPLETED, &ev, "write lock");
	j = pg_start(PG_WRITE, o.addr + 8, 1, NULL);
	if (!pg_expect_msg(o.port, MO_DATA_UNLOCK, &ev, "a write to page 0"))
		goto out;
	pg_ok(ev.offset == 0 && ev.access == (VM_PROT_READ | VM_PROT_WRITE),
	      "data_unlock(%#lx, access %d)", (unsigned long)ev.offset,
	      ev.access);
	(void)memory_object_lock_request(o.control, 0, PAGE,
	                                 MEMORY_OBJECT_RETURN_NONE, FALSE,
	                                 VM_PROT_NONE, MACH_PORT_NULL);
	pg_ok(pg_report(j, WAIT_MS, NULL), "unlocked, the write completes");
	/* GNU Mach: without reply_to, no lock_completed. */
	pg_silent(o.port, &ev, "no lock_completed without reply_to");
out:
	pg_group_end(15, "locks");
}

/* lock_request's cleaning and flushing; precious pages. */
static void check_clean_flush(void)
{
	uint64_t w = 0;
	int ok;

	pg_group_begin();
	if (pg_broken || o.control == MACH_PORT_NULL)
		goto out;
	/* Pages 0, 1 and 2 are dirty, page 3 absent.  GNU Mach: one
	 * data_return for the run, dirty and kernel_copy TRUE. */
	pg_expect(memory_object_lock_request(o.control, 0, o.size,
	                                     MEMORY_OBJECT_RETURN_DIRTY, FALSE,
	                                     VM_PROT_NONE, o.port),
	          KERN_SUCCESS, "lock_request(RETURN_DIRTY)");
	if (!pg_expect_msg(o.port, MO_DATA_RETURN, &ev, "RETURN_DIRTY"))
		goto out;
	pg_ok(ev.offset == 0 && ev.count == 3 * PAGE && ev.dirty &&
	          ev.kernel_copy && ev.control == o.control,
	      "data_return(offset %#lx, %#x bytes, dirty %d, kernel_copy %d)",
	      (unsigned long)ev.offset, ev.count, ev.dirty, ev.kernel_copy);
	ok = ev.count == 3 * PAGE && ((uint64_t *)ev.data)[1] == 1 &&
	     ((uint64_t *)ev.data)[2] == pg_word(0xa0, 0) &&
	     ((uint64_t *)(ev.data + PAGE))[1] == 77 &&
	     ((uint64_t *)(ev.data + 2 * PAGE))[2] == 99 &&
	     ((uint64_t *)(ev.data + 2 * PAGE))[3] == pg_word(0xa2, 2 * PAGE);
	pg_ok(ok, "the returned data holds the writes");
	if (pg_expect_msg(o.port, MO_LOCK_COMPLETED, &ev, "then"))
		pg_ok(ev.offset == 0 && ev.length == o.size,
		      "lock_completed for the whole range (%#lx, %#lx)",
		      (unsigned long)ev.offset, (unsigned long)ev.length);
	/* GNU Mach: the returned pages are clean now. */
	(void)memory_object_lock_request(o.control, 0, o.size,
	                                 MEMORY_OBJECT_RETURN_DIRTY, FALSE,
	                                 VM_PROT_NONE, o.port);
	(void)pg_expect_msg(o.port, MO_LOCK_COMPLETED, &ev,
	                    "RETURN_DIRTY again: no data_return, only");

	/* A precious page: returned by RETURN_ALL even though clean, not
	 * by RETURN_DIRTY. */
	pg_expect(pg_supply(o.control, 3 * PAGE, PAGE, 0xa3, VM_PROT_NONE, TRUE,
	                    o.port),
	          KERN_SUCCESS, "data_supply(precious) of page 3");
	if (pg_expect_msg(o.port, MO_SUPPLY_COMPLETED, &ev, "precious"))
		pg_ok(ev.offset == 3 * PAGE && ev.result == KERN_SUCCESS,
		      "supply_completed(%#lx, result %#x)",
		      (unsigned long)ev.offset, ev.result);
	(void)memory_object_lock_request(o.control, 0, o.size,
	                                 MEMORY_OBJECT_RETURN_DIRTY, FALSE,
	                                 VM_PROT_NONE, o.port);
	(void)pg_expect_msg(o.port, MO_LOCK_COMPLETED, &ev,
	                    "RETURN_DIRTY skips a clean precious page");
	pg_expect(memory_object_lock_request(o.control, 0, o.size,
	                                     MEMORY_OBJECT_RETURN_ALL, TRUE,
	                                     VM_PROT_NONE, o.port),
	          KERN_SUCCESS, "lock_request(RETURN_ALL, flush)");
	if (!pg_expect_msg(o.port, MO_DATA_RETURN, &ev, "RETURN_ALL"))
		goto out;
	/* GNU Mach: only the precious page, dirty FALSE, kernel_copy
	 * FALSE; clean ordinary pages are dropped silently. */
	pg_ok(ev.offset == 3 * PAGE && ev.count == PAGE && !ev.dirty &&
	          !ev.kernel_copy && pg_holds(ev.data, PAGE, 0xa3, 3 * PAGE),
	      "data_return(offset %#lx, %#x bytes, dirty %d, kernel_copy %d)",
	      (unsigned long)ev.offset, ev.count, ev.dirty, ev.kernel_copy);
	(void)pg_expect_msg(o.port, MO_LOCK_COMPLETED, &ev, "then");
	/* GNU Mach: flushed pages are asked for again. */
	ok = fault_in(o.port, o.control, o.addr + 8, 0, 0xb0, "after flush");
	ok = pg_peek(o.addr + 16, &w);
	pg_ok(ok && w == pg_word(0xb0, 0), "page 0 holds the new data (%#lx)",
	      (unsigned long)w);
out:
	pg_group_end(18, "clean/flush");
}

/* change_attributes, then the end of the object. */
static void check_attributes_terminate(void)
{
	vm_offset_t b;
	uint64_t w = 0;
	int ok;
	boolean_t ready = 2, may_cache = 2;
	memory_object_copy_strategy_t st = -1;

	pg_group_begin();
	if (pg_broken || o.control == MACH_PORT_NULL)
		goto out;
	pg_expect(memory_object_change_attributes(
	              o.control, TRUE, MEMORY_OBJECT_COPY_CALL, o.port),
	          KERN_SUCCESS, "change_attributes(may_cache TRUE, CALL)");
	/* GNU Mach: change_completed carries the new attributes. */
	if (pg_expect_msg(o.port, MO_CHANGE_COMPLETED, &ev, "change"))
		/* not complex: it carries no port */
		pg_ok(ev.may_cache == TRUE &&
		          ev.strategy == MEMORY_OBJECT_COPY_CALL &&
		          ev.bits ==
		              MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND_ONCE),
		      "change_completed(may_cache %d, strategy %d)",
		      ev.may_cache, ev.strategy);
	(void)memory_object_get_attributes(o.control, &ready, &may_cache, &st);
	pg_ok(ready && may_cache && st == MEMORY_OBJECT_COPY_CALL,
	      "get_attributes: ready %d, may_cache %d, strategy %d", ready,
	      may_cache, st);
	(void)memory_object_change_attributes(
	    o.control, FALSE, MEMORY_OBJECT_COPY_DELAY, MACH_PORT_NULL);
	pg_silent(o.port, &ev, "no change_completed without reply_to");

	/* GNU Mach: the last vm_deallocate returns the dirty page
	 * (kernel_copy FALSE) and terminates the object. */
	/* GNU Mach: one supply may carry several pages (one
	 * supply_completed for the range); with dealloc FALSE the buffer
	 * stays ours. */
	b = pg_buffer(0xa5, PAGE, 2 * PAGE);
	pg_expect(memory_object_data_supply(o.control, PAGE, b, 2 * PAGE, FALSE,
	                                    VM_PROT_NONE, FALSE, o.port),
	          KERN_SUCCESS, "data_supply of pages 1 and 2 at once");
	ok = pg_next(o.port, WAIT_MS, &ev) == MO_SUPPLY_COMPLETED;
	pg_ok(ok && ev.offset == PAGE && ev.length == 2 * PAGE &&
	          ev.result == KERN_SUCCESS,
	      "supply_completed(%#lx, %#lx, %#x)", (unsigned long)ev.offset,
	      (unsigned long)ev.length, ev.result);
	pg_ok(pg_holds(b, 2 * PAGE, 0xa5, PAGE),
	      "dealloc FALSE: the buffer is still ours");
	(void)vm_deallocate(T, b, 2 * PAGE);
	ok = pg_peek(o.addr + 2 * PAGE, &w) && w == pg_word(0xa5, 2 * PAGE);
	pg_ok(ok && pg_quiet(o.port, &ev),
	      "page 2 reads without a data_request (%#lx)", (unsigned long)w);

	/* GNU Mach: the last vm_deallocate returns the dirty page 0
	 * (kernel_copy FALSE), then the precious page 3 (dirty FALSE),
	 * and terminates the object; clean pages 1 and 2 are dropped. */
	(void)pg_poke(o.addr, 0x1234);
	(void)pg_supply(o.control, 3 * PAGE, PAGE, 0xa6, VM_PROT_NONE, TRUE,
	                MACH_PORT_NULL);
	pg_expect(vm_deallocate(T, o.addr, o.size), KERN_SUCCESS,
	          "vm_deallocate of the only mapping");
	if (pg_expect_msg(o.port, MO_DATA_RETURN, &ev, "then"))
		pg_ok(ev.offset == 0 && ev.count == PAGE && ev.dirty &&
		          !ev.kernel_copy && ((uint64_t *)ev.data)[0] == 0x1234,
		      "data_return(offset %#lx, %#x bytes, dirty %d, "
		      "kernel_copy %d)",
		      (unsigned long)ev.offset, ev.count, ev.dirty,
		      ev.kernel_copy);
	if (pg_expect_msg(o.port, MO_DATA_RETURN, &ev, "then"))
		pg_ok(ev.offset == 3 * PAGE && ev.count == PAGE && !ev.dirty &&
		          !ev.kernel_copy &&
		          pg_holds(ev.data, PAGE, 0xa6, 3 * PAGE),
		      "data_return(offset %#lx, %#x bytes, dirty %d, "
		      "kernel_copy %d): the precious page",
		      (unsigned long)ev.offset, ev.count, ev.dirty,
		      ev.kernel_copy);
	if (!pg_expect_msg(o.port, MO_TERMINATE, &ev, "then"))
		goto out;
	/* GNU Mach: terminate moves the control and name receive rights
	 * to us (we already held send rights under those names). */
	pg_ok(ev.object == o.port && ev.control == o.control &&
	          ev.name == o.name,
	      "terminate(object %#x, control %#x, name %#x)", ev.object,
	      ev.control, ev.name);
	pg_ok((pg_type(o.control) & MACH_PORT_TYPE_RECEIVE) &&
	          (pg_type(o.name) & MACH_PORT_TYPE_RECEIVE),
	      "we now hold the control and name receive rights (%#x, %#x)",
	      pg_type(o.control), pg_type(o.name));
	pg_silent(o.port, &ev, "nothing after terminate");
	(void)mach_port_destroy(T, o.control);
	(void)mach_port_destroy(T, o.name);
	(void)mach_port_destroy(T, o.port);
out:
	pg_group_end(18, "attributes/terminate");
}

/* may_cache TRUE: the object outlives its mappings; several mappings,
 * offsets; memory_object_destroy. */
static void check_cache_destroy(void)
{
	mach_port_t port, control, name, exc = pg_new_object(), th, obj;
	vm_address_t a = 0, b = 0, c = 0, start;
	vm_size_t size;
	vm_offset_t off = 0;
	struct pg_job *j;
	uint64_t w = 0;
	kern_return_t kr;
	int ok;

	if (!pg_group_begin_object(&port, &control, &name, &a, 4 * PAGE,
	                           VM_INHERIT_NONE, &ev, "cache"))
		goto out;
	(void)memory_object_ready(control, TRUE, MEMORY_OBJECT_COPY_DELAY);
	(void)fault_in(port, control, a, 0, 0xc0, "cache");
	pg_expect(vm_deallocate(T, a, 4 * PAGE), KERN_SUCCESS,
	          "vm_deallocate of a cached object's mapping");
	pg_silent(port, &ev, "may_cache TRUE: no terminate");
	kr = pg_map(T, &a, 4 * PAGE, port, 0, FALSE, VM_INHERIT_NONE);
	pg_ok(kr == KERN_SUCCESS && pg_quiet(port, &ev),
	      "mapped again: the cached object, no init");
	j = pg_start(PG_READ, a, 0, NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0xc0, 0);
	pg_ok(ok && pg_quiet(port, &ev),
	      "its cached page reads without a data_request (%#lx)",
	      (unsigned long)w);

	/* A second mapping at object offset PAGE: the same object. */
	kr = pg_map(T, &b, PAGE, port, PAGE, FALSE, VM_INHERIT_NONE);
	pg_ok(kr == KERN_SUCCESS && pg_quiet(port, &ev),
	      "a second mapping at offset %#lx: no init", PAGE);
	j = pg_start(PG_WRITE, b + 8, 4321, NULL);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST;
	pg_ok(ok && ev.offset == PAGE,
	      "a write through it: data_request at %#lx (got %s)",
	      (unsigned long)ev.offset, pg_id_name(ev.id));
	(void)memory_object_data_unavailable(control, PAGE, PAGE);
	ok = pg_report(j, WAIT_MS, NULL) && pg_peek(a + PAGE + 8, &w) &&
	     w == 4321;
	pg_ok(ok, "the first mapping sees the write");
	/* GNU Mach: an offset that is not page aligned is accepted and
	 * passed through: the request is for offset 0x123. */
	kr = pg_map(T, &c, PAGE, port, 0x123, FALSE, VM_INHERIT_NONE);
	pg_expect(kr, KERN_SUCCESS, "vm_map at object offset 0x123");
	ok = pg_region(T, c, &start, &size, &obj, &off) == KERN_SUCCESS;
	pg_ok(ok && start == c && obj == name && off == 0x123,
	      "vm_region: offset %#lx", (unsigned long)off);
	if (obj != MACH_PORT_NULL)
		(void)mach_port_deallocate(T, obj);
	if (kr == KERN_SUCCESS)
		(void)fault_in(port, control, c, 0x123, 0xc1, "offset 0x123");
	(void)vm_deallocate(T, c, PAGE);

	/* GNU Mach: destroy terminates at once, while mapped, and drops the
	 * dirty page 1 without a data_return. */
	pg_expect(memory_object_destroy(control, KERN_ABORTED), KERN_SUCCESS,
	          "memory_object_destroy");
	ok = pg_expect_msg(port, MO_TERMINATE, &ev, "destroy");
	pg_ok(ok && ev.control == control && ev.name == name,
	      "terminate names the object's control and name");
	pg_ok(pg_type(control) & MACH_PORT_TYPE_RECEIVE,
	      "the control receive right is ours");
	/* GNU Mach: a page that was not resident now faults with
	 * EXC_BAD_ACCESS / KERN_MEMORY_ERROR at the address. */
	j = pg_start_exc(PG_READ, a + 2 * PAGE, exc, &th);
	ok = pg_catch(exc, WAIT_MS);
	pg_ok(ok && pg_exc.exc == EXC_BAD_ACCESS &&
	          pg_exc.code == KERN_MEMORY_ERROR &&
	          pg_exc.subcode == (long)(a + 2 * PAGE),
	      "after destroy, a new fault: exception %d, code %#x, subcode "
	      "%#lx",
	      pg_exc.exc, pg_exc.code, pg_exc.subcode);
	pg_silent(port, &ev, "and no data_request");
	pg_expect(vm_deallocate(T, a, 4 * PAGE), KERN_SUCCESS,
	          "vm_deallocate of the destroyed object's mappings");
	(void)vm_deallocate(T, b, PAGE);
	pg_silent(port, &ev, "no second terminate");
	pg_object_destroy(port, control, name);
	(void)mach_port_destroy(T, exc);
out:
	pg_group_end(23, "cache/destroy");
}

/* A mapping a child task inherits VM_INHERIT_SHARE. */
static void check_share(void)
{
	mach_port_t port, control, name, c = MACH_PORT_NULL, th;
	vm_address_t a = 0;
	struct pg_job *jw, *jr;
	uint64_t w = 0;
	int ok;

	if (!pg_group_begin_object(&port, &control, &name, &a, 2 * PAGE,
	                           VM_INHERIT_SHARE, &ev, "share"))
		goto out;
	(void)memory_object_ready(control, FALSE, MEMORY_OBJECT_COPY_DELAY);
	(void)fault_in(port, control, a, 0, 0xf0, "share");
	/* The child's jobs exist before it does, in its copy of our data. */
	jw = pg_job(PG_WRITE, a + 8, 0x5151);
	jr = pg_job(PG_READ, a + PAGE, 0);
	pg_expect(task_create(T, TRUE, &c), KERN_SUCCESS,
	          "task_create(inherit TRUE)");
	pg_silent(port, &ev, "no message to the pager");
	(void)pg_start_in(c, jw, &th);
	ok = pg_report(jw, WAIT_MS, NULL) && pg_peek(a + 8, &w) && w == 0x5151;
	pg_ok(ok, "the child's write shows in our mapping");
	(void)pg_start_in(c, jr, &th);
	ok =
	    pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST && ev.offset == PAGE;
	pg_ok(ok, "the child's fault asks our pager (%s at %#lx)",
	      pg_id_name(ev.id), (unsigned long)ev.offset);
	if (ok)
		(void)pg_supply(control, PAGE, PAGE, 0xf1, VM_PROT_NONE, FALSE,
		                MACH_PORT_NULL);
	ok = pg_report(jr, WAIT_MS, &w) && w == pg_word(0xf1, PAGE);
	pg_ok(ok, "the child reads the supplied page (%#lx)", (unsigned long)w);
	(void)task_terminate(c);
	(void)mach_port_deallocate(T, c);
	(void)vm_deallocate(T, a, 2 * PAGE);
	(void)pg_expect_msg(port, MO_DATA_RETURN, &ev,
	                    "the child and our mapping gone");
	(void)pg_expect_msg(port, MO_TERMINATE, &ev, "then");
	pg_object_destroy(port, ev.control, ev.name);
out:
	pg_group_end(11, "share");
}

/* The kernel touching pager memory for us (vm_read, vm_write); a read
 * lock; a flush while a page is being asked for. */
static void check_kernel_access(void)
{
	mach_port_t port, control, name, r;
	vm_address_t a = 0;
	struct pg_job *j;
	uint64_t w = 0;
	int ok;

	if (!pg_group_begin_object(&port, &control, &name, &a, 4 * PAGE,
	                           VM_INHERIT_NONE, &ev, "kernel access"))
		goto out;
	(void)memory_object_ready(control, FALSE, MEMORY_OBJECT_COPY_DELAY);
	/* GNU Mach: vm_read faults the page in as a read would. */
	j = pg_start(PG_VM_READ, a, 0, NULL);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST;
	pg_ok(ok && ev.offset == 0 && ev.access == VM_PROT_READ,
	      "vm_read: data_request(%#lx, access %d) (got %s)",
	      (unsigned long)ev.offset, ev.access, pg_id_name(ev.id));
	(void)pg_supply(control, 0, PAGE, 0x50, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0x50, 0);
	pg_ok(ok, "vm_read returns the supplied data (%#lx)", (unsigned long)w);
	/* GNU Mach: vm_write of a whole page asks for it with access WRITE
	 * alone, then overwrites it. */
	j = pg_start(PG_VM_WRITE, a + PAGE, 0x77, NULL);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST;
	pg_ok(ok && ev.offset == PAGE && ev.access == VM_PROT_WRITE,
	      "vm_write: data_request(%#lx, access %d) (got %s)",
	      (unsigned long)ev.offset, ev.access, pg_id_name(ev.id));
	(void)pg_supply(control, PAGE, PAGE, 0x51, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == KERN_SUCCESS;
	pg_ok(ok, "vm_write returns KERN_SUCCESS (%#lx)", (unsigned long)w);
	ok = pg_peek(a + PAGE + 16, &w) && w == 0x77;
	pg_ok(ok && pg_quiet(port, &ev), "the mapping reads what it wrote");

	/* GNU Mach: with every access withheld, a read sends data_unlock
	 * asking for READ. */
	(void)memory_object_lock_request(control, 0, PAGE,
	                                 MEMORY_OBJECT_RETURN_NONE, FALSE,
	                                 VM_PROT_ALL, port);
	(void)pg_expect_msg(port, MO_LOCK_COMPLETED, &ev, "lock_value ALL");
	j = pg_start(PG_READ, a + 8, 0, NULL);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_UNLOCK;
	pg_ok(ok && ev.offset == 0 && ev.access == VM_PROT_READ,
	      "a read of it: data_unlock(%#lx, access %d) (got %s)",
	      (unsigned long)ev.offset, ev.access, pg_id_name(ev.id));
	(void)memory_object_lock_request(control, 0, PAGE,
	                                 MEMORY_OBJECT_RETURN_NONE, FALSE,
	                                 VM_PROT_NONE, MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0x50, 0);
	pg_ok(ok, "unlocked, the read completes (%#lx)", (unsigned long)w);

	/* GNU Mach: a flush while page 2 is being asked for returns the
	 * dirty page 1 and leaves the request standing. */
	j = pg_start(PG_READ, a + 2 * PAGE, 0, NULL);
	(void)pg_expect_msg(port, MO_DATA_REQUEST, &ev, "a read of page 2");
	(void)memory_object_lock_request(control, 0, 4 * PAGE,
	                                 MEMORY_OBJECT_RETURN_ALL, TRUE,
	                                 VM_PROT_NONE, port);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_RETURN;
	pg_ok(ok && ev.offset == PAGE && ev.count == PAGE && ev.dirty,
	      "flush: data_return of page 1 (%s at %#lx)", pg_id_name(ev.id),
	      (unsigned long)ev.offset);
	(void)pg_expect_msg(port, MO_LOCK_COMPLETED, &ev, "then");
	(void)pg_supply(control, 2 * PAGE, PAGE, 0x52, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == pg_word(0x52, 2 * PAGE);
	pg_ok(ok, "the waiting read gets the later supply (%#lx)",
	      (unsigned long)w);

	/* GNU Mach: a message received into a page the pager has not
	 * supplied yet waits in the kernel for it (its copyout faults). */
	r = machr_new_receive();
	(void)machr_send_word(r, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
	                      0x4d53, 7, 0, 0);
	j = pg_start(PG_RECEIVE, a + 3 * PAGE, r, NULL);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_REQUEST;
	pg_ok(ok && ev.offset == 3 * PAGE,
	      "a receive into page 3: data_request(%#lx, access %d) (got %s)",
	      (unsigned long)ev.offset, ev.access, pg_id_name(ev.id));
	(void)pg_supply(control, 3 * PAGE, PAGE, 0x53, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == 0x4d53;
	pg_ok(ok, "the receive completes into the supplied page (%#lx)",
	      (unsigned long)w);
	(void)mach_port_destroy(T, r);
	/* Written by the kernel, page 3 is dirty: a flush returns it. */
	(void)memory_object_lock_request(control, 3 * PAGE, PAGE,
	                                 MEMORY_OBJECT_RETURN_DIRTY, TRUE,
	                                 VM_PROT_NONE, port);
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_RETURN;
	pg_ok(ok && ev.offset == 3 * PAGE && ev.dirty,
	      "flush: data_return of page 3 (%s at %#lx)", pg_id_name(ev.id),
	      (unsigned long)ev.offset);
	(void)pg_expect_msg(port, MO_LOCK_COMPLETED, &ev, "then");
	(void)vm_deallocate(T, a, 4 * PAGE);
	(void)pg_expect_msg(port, MO_TERMINATE, &ev,
	                    "vm_deallocate, no page dirty");
	pg_object_destroy(port, ev.control, ev.name);
out:
	pg_group_end(19, "kernel access");
}

#include "vm-pager-copy.h"

#include "vm-pager-ipc.h"

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("vm-pager: no console\n");
	pg_init();
	tap_plan(24 + 10 + 15 + 18 + 18 + 23 + 14 + 14 + 11 + 19 + 15 + 8 + 12);
	check_init_ready();
	check_ready_variants();
	check_locks();
	check_clean_flush();
	check_attributes_terminate();
	check_cache_destroy();
	check_copy_delay();
	check_copy_call();
	check_share();
	check_kernel_access();
	check_copy_none();
	check_send_then_fault();
	check_rpc_answer_fault();
	tap_finish(host_priv);
	return 0;
}
