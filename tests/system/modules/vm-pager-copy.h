/*
 * tests/system/modules/vm-pager-copy.h — vm-pager.c's groups on the copy
 * strategies (point 7 of its summary): vm_map(copy=TRUE) of a COPY_DELAY
 * object (copy-on-write, the pager hears nothing more), of a COPY_CALL
 * one (memory_object_copy with a new object port) and of a COPY_NONE one
 * (every page read in at once, a private copy).  Part of the vm-pager
 * module: included once, after the groups and helpers it uses.
 */
#ifndef VM_PAGER_COPY_H
#define VM_PAGER_COPY_H

/*
 * The start of a copy group (pg_group_begin_object): a new 2-page object
 * mapped at *A, made ready with STRATEGY, its page 0 faulted in with TAG
 * (four checks).  1 if its init came.
 */
static int copy_original(mach_port_t *port, mach_port_t *control,
                         mach_port_t *name, vm_address_t *a,
                         memory_object_copy_strategy_t strategy, uint32_t tag,
                         const char *what)
{
	if (!pg_group_begin_object(port, control, name, a, 2 * PAGE,
	                           VM_INHERIT_NONE, &ev, what))
		return 0;
	(void)memory_object_ready(*control, FALSE, strategy);
	(void)fault_in(*port, *control, *a, 0, tag, what);
	return 1;
}

/*
 * The end of a copy group: C, a copy of the 2-page original A of PORT
 * whose page 0 the pager supplied with TAG, and the original keep their
 * writes apart; the copy goes without a word to the pager, the original
 * returns its page and the object terminates (six checks).
 */
static void copy_apart_then_end(mach_port_t port, vm_address_t a,
                                vm_address_t c, uint32_t tag)
{
	uint64_t w = 0;
	int ok;

	ok = pg_poke(c, 55) && pg_peek(a, &w) && w == pg_word(tag, 0);
	pg_ok(ok, "a write to the copy leaves the original");
	ok = pg_poke(a, 66) && pg_peek(c, &w) && w == 55;
	pg_ok(ok, "a write to the original leaves the copy");
	(void)vm_deallocate(T, c, 2 * PAGE);
	pg_silent(port, &ev, "vm_deallocate of the copy: no message");
	(void)vm_deallocate(T, a, 2 * PAGE);
	(void)pg_expect_msg(port, MO_DATA_RETURN, &ev,
	                    "vm_deallocate of the original");
	(void)pg_expect_msg(port, MO_TERMINATE, &ev, "then");
	pg_object_destroy(port, ev.control, ev.name);
}

/* vm_map(copy=TRUE) of SIZE bytes of PORT, started in a worker (it may
 * wait for the pager); its job. */
static struct pg_job *map_copy_in_worker(mach_port_t port, vm_size_t size)
{
	struct pg_job *j = pg_job(PG_MAP, 0, 0);

	j->object = port;
	j->size = size;
	j->copy = TRUE;
	(void)pg_run(j);
	return j;
}

/* vm_map(copy=TRUE) of a COPY_DELAY object. */
static void check_copy_delay(void)
{
	mach_port_t port, control, name;
	vm_address_t a = 0, c = 0;
	kern_return_t kr;
	uint64_t w = 0;
	int ok;

	if (!copy_original(&port, &control, &name, &a, MEMORY_OBJECT_COPY_DELAY,
	                   0xd0, "copy DELAY"))
		goto out;
	/* GNU Mach: the copy is made without the pager. */
	kr = pg_map(T, &c, 2 * PAGE, port, 0, TRUE, VM_INHERIT_NONE);
	pg_expect(kr, KERN_SUCCESS, "vm_map(copy=TRUE) of a DELAY object");
	if (kr != KERN_SUCCESS)
		goto out;
	pg_silent(port, &ev, "no message to the pager");
	ok = pg_peek(c, &w);
	pg_ok(ok && w == pg_word(0xd0, 0) && pg_quiet(port, &ev),
	      "the copy's page 0 is the original's, no request (%#lx)",
	      (unsigned long)w);
	/* GNU Mach: what the copy lacks is asked of the original object. */
	(void)fault_in(port, control, c + PAGE, PAGE, 0xd1,
	               "the copy's page 1");
	copy_apart_then_end(port, a, c, 0xd0);
out:
	pg_group_end(14, "copy DELAY");
}

/* vm_map(copy=TRUE) of a COPY_CALL object: memory_object_copy. */
static void check_copy_call(void)
{
	mach_port_t port, control, name, np, nc = MACH_PORT_NULL;
	vm_address_t a = 0;
	struct pg_job *j;
	uint64_t w = 0;
	int ok;

	if (!copy_original(&port, &control, &name, &a, MEMORY_OBJECT_COPY_CALL,
	                   0xe0, "copy CALL"))
		goto out;
	j = map_copy_in_worker(port, 2 * PAGE);
	if (!pg_expect_msg(port, MO_COPY, &ev, "vm_map(copy=TRUE)"))
		goto out;
	/* GNU Mach: memory_object_copy(object, control, offset 0, the
	 * mapping's size, the receive right of a new object port). */
	np = ev.new_object;
	pg_ok(ev.object == port && ev.control == control && ev.offset == 0 &&
	          ev.length == 2 * PAGE &&
	          pg_type(np) == MACH_PORT_TYPE_RECEIVE,
	      "copy(offset %#lx, length %#lx, new object type %#x)",
	      (unsigned long)ev.offset, (unsigned long)ev.length, pg_type(np));
	/* GNU Mach: the new object is initialised like any other. */
	if (pg_expect_msg(np, MO_INIT, &ev, "the new object")) {
		nc = ev.control;
		pg_ok(ev.object == np && nc != control && ev.page_size == PAGE,
		      "init of the new object, its own control port");
		(void)memory_object_ready(nc, FALSE, MEMORY_OBJECT_COPY_DELAY);
	}
	ok = pg_report(j, WAIT_MS, &w) && w == KERN_SUCCESS;
	pg_ok(ok, "vm_map(copy=TRUE) returns KERN_SUCCESS (%#lx)",
	      (unsigned long)w);
	if (!ok || nc == MACH_PORT_NULL)
		goto out;
	/* GNU Mach: the copy's faults ask the new object, even for a page
	 * the original holds. */
	(void)fault_in(np, nc, j->addr, 0, 0xe1, "the copy's page 0");
	pg_silent(port, &ev, "the original pager hears nothing");
	(void)vm_deallocate(T, j->addr, 2 * PAGE);
	(void)pg_expect_msg(np, MO_TERMINATE, &ev,
	                    "vm_deallocate of the copy: the new object");
	(void)vm_deallocate(T, a, 2 * PAGE);
	(void)pg_expect_msg(port, MO_TERMINATE, &ev,
	                    "vm_deallocate of the original");
	pg_object_destroy(port, ev.control, ev.name);
	(void)mach_port_destroy(T, np);
out:
	pg_group_end(14, "copy CALL");
}

/* vm_map(copy=TRUE) of a COPY_NONE object: an immediate copy. */
static void check_copy_none(void)
{
	mach_port_t port, control, name, th = MACH_PORT_NULL;
	vm_address_t a = 0, c;
	struct pg_job *j;
	uint64_t w = 0;
	int ok;

	if (!copy_original(&port, &control, &name, &a, MEMORY_OBJECT_COPY_NONE,
	                   0x10, "copy NONE"))
		goto out;
	j = map_copy_in_worker(port, 2 * PAGE);
	th = j->thread;
	/* GNU Mach: vm_map reads the whole range at once, asking for the
	 * page the object lacks (access READ), and waits for it. */
	if (!pg_expect_msg(port, MO_DATA_REQUEST, &ev, "vm_map(copy=TRUE)"))
		goto out;
	pg_ok(ev.offset == PAGE && ev.length == PAGE &&
	          ev.access == VM_PROT_READ,
	      "data_request(offset %#lx, length %#lx, access %d)",
	      (unsigned long)ev.offset, (unsigned long)ev.length, ev.access);
	pg_ok(still_blocked(th, j), "vm_map waits for the page");
	(void)pg_supply(control, PAGE, PAGE, 0x11, VM_PROT_NONE, FALSE,
	                MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == KERN_SUCCESS;
	pg_ok(ok, "then vm_map returns KERN_SUCCESS (%#lx)", (unsigned long)w);
	if (!ok)
		goto out;
	c = j->addr;
	ok = pg_peek(c, &w) && w == pg_word(0x10, 0);
	ok = ok && pg_peek(c + PAGE, &w) && w == pg_word(0x11, PAGE);
	pg_ok(ok, "the copy holds both pages");
	pg_silent(port, &ev, "nothing else comes to the pager");
	copy_apart_then_end(port, a, c, 0x10);
out:
	pg_group_end(15, "copy NONE");
}

#endif
