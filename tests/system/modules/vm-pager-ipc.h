/*
 * tests/system/modules/vm-pager-ipc.h — vm-pager.c's groups where
 * mach_msg itself faults on the pager's memory: the kernel's copy of a
 * message in or out must wait for the pager like any other fault, and
 * the pager must be able to run meanwhile.  Part of the vm-pager module:
 * included once, after the groups and helpers it uses.
 */
#ifndef VM_PAGER_IPC_H
#define VM_PAGER_IPC_H

/*
 * A message sent to the pager wakes it, and the same mach_msg's receive
 * then faults in the pager's memory: the pager must run to answer.  The
 * worker's buffer holds its message already (supplied so) and is
 * write-locked, so that the send reads it and the receive's copyout of
 * the message waiting on the worker's port asks data_unlock.  (Mach_R
 * once kept the pager, woken by that send to run in the sender's place,
 * off every run queue until the receive was over: both waited for
 * ever.)
 */
static void check_send_then_fault(void)
{
	mach_port_t port, control, name;
	vm_address_t a = 0, b = 0;
	mach_msg_header_t *m;
	struct pg_job *j;
	uint64_t w = 0;
	int ok;

	if (!pg_group_begin_object(&port, &control, &name, &a, PAGE,
	                           VM_INHERIT_NONE, &ev, "send, then fault"))
		goto out;
	(void)memory_object_ready(control, FALSE, MEMORY_OBJECT_COPY_DELAY);
	if (vm_allocate(T, &b, PAGE, TRUE) != KERN_SUCCESS)
		goto out;
	m = (mach_msg_header_t *)(b + 64);
	machr_msg_header(m, port, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
	                 sizeof(*m));
	m->msgh_id = 0x5351;
	j = pg_job(PG_SEND_RECEIVE, a + 64, 0x5352);
	/* The worker reads its message: the page comes, write-locked. */
	if (j == NULL || pg_run(j) != KERN_SUCCESS ||
	    !pg_expect_msg(port, MO_DATA_REQUEST, &ev, "the send's read"))
		goto out;
	pg_expect(memory_object_data_supply(control, 0, b, PAGE, TRUE,
	                                    VM_PROT_WRITE, FALSE,
	                                    MACH_PORT_NULL),
	          KERN_SUCCESS, "supplied with its message, write-locked");
	ok = pg_next(port, WAIT_MS, &ev) == 0x5351;
	pg_ok(ok, "the pager receives the worker's message (got %s)",
	      pg_id_name(ev.id));
	ok = pg_next(port, WAIT_MS, &ev) == MO_DATA_UNLOCK;
	pg_ok(ok && ev.offset == 0 &&
	          ev.access == (VM_PROT_READ | VM_PROT_WRITE),
	      "then the receive's copyout asks data_unlock(%#lx, access %d) "
	      "(got %s)",
	      (unsigned long)ev.offset, ev.access, pg_id_name(ev.id));
	(void)memory_object_lock_request(control, 0, PAGE,
	                                 MEMORY_OBJECT_RETURN_NONE, FALSE,
	                                 VM_PROT_NONE, MACH_PORT_NULL);
	ok = pg_report(j, WAIT_MS, &w) && w == 0x5352;
	pg_ok(ok, "unlocked, the worker receives what waited (%#lx)",
	      (unsigned long)w);
	/* The page the kernel wrote is dirty: returned, then terminate. */
	(void)vm_deallocate(T, a, PAGE);
	while (pg_next(port, WAIT_MS, &ev) == MO_DATA_RETURN)
		continue;
	pg_ok(ev.id == MO_TERMINATE,
	      "vm_deallocate: the written page returned, then terminate "
	      "(got %s)",
	      pg_id_name(ev.id));
	pg_object_destroy(port, ev.control, ev.name);
out:
	pg_group_end(8, "send, then fault");
}

/* Two checks: a data_request for page 0 comes on PORT (WHAT asks it),
 * and CONTROL's page 0 is supplied with the page at B, unlocked.  1 if
 * the request came. */
static int asked_and_supplied(mach_port_t port, mach_port_t control,
                              vm_address_t b, const char *what)
{
	if (!pg_expect_msg(port, MO_DATA_REQUEST, &ev, what))
		return 0;
	pg_expect(memory_object_data_supply(control, 0, b, PAGE, FALSE,
	                                    VM_PROT_NONE, FALSE,
	                                    MACH_PORT_NULL),
	          KERN_SUCCESS, "%s: supplied", what);
	return 1;
}

/*
 * An RPC whose request and answer are in a page the pager must bring:
 * the client's buffer is in the pager's memory, absent when the call
 * reads the request, and flushed again while the client waits for the
 * answer.  The server answers the way servers do (mach_msg with SEND
 * and RCV) to a client waiting in the same kind of call.  On Mach_R
 * both copies run with interrupts masked at first (mach_msg_trap's RPC
 * way, and the continuation the server's switch gives the client),
 * where a fault cannot wait for its page: each must be made again,
 * waiting, not fail with MACH_SEND_INVALID_DATA or MACH_RCV_INVALID_DATA.
 */
static void check_rpc_answer_fault(void)
{
	mach_port_t port, control, name, svc, go, rp;
	vm_address_t a = 0, b = 0, sbuf = 0;
	mach_msg_header_t *m;
	struct pg_job *client, *server, *got;
	uint64_t w = 0;
	int ok;

	svc = machr_new_receive();
	go = machr_new_receive();
	rp = machr_new_receive();
	if (!pg_group_begin_object(&port, &control, &name, &a, PAGE,
	                           VM_INHERIT_NONE, &ev, "an RPC's answer") ||
	    svc == MACH_PORT_NULL || go == MACH_PORT_NULL ||
	    rp == MACH_PORT_NULL ||
	    mach_port_insert_right(T, svc, svc, MACH_MSG_TYPE_MAKE_SEND) !=
	        KERN_SUCCESS ||
	    mach_port_insert_right(T, go, go, MACH_MSG_TYPE_MAKE_SEND) !=
	        KERN_SUCCESS)
		goto out;
	(void)memory_object_ready(control, FALSE, MEMORY_OBJECT_COPY_DELAY);
	if (vm_allocate(T, &b, PAGE, TRUE) != KERN_SUCCESS ||
	    vm_allocate(T, &sbuf, PAGE, TRUE) != KERN_SUCCESS)
		goto out;
	m = (mach_msg_header_t *)(b + 64);
	machr_msg_header(m, svc, MACH_MSG_TYPE_COPY_SEND, rp,
	                 MACH_MSG_TYPE_MAKE_SEND_ONCE, sizeof(*m));
	m->msgh_id = 0x5360;

	/* The server waits for a request first (so that the call is an
	 * RPC's, handed to it), then for our word to answer. */
	got = pg_job(PG_READ, 0, 0); /* never run: the server's report */
	server = pg_job(PG_SERVE, sbuf, svc);
	client = pg_job(PG_RPC, a + 64, rp);
	if (got == NULL || server == NULL || client == NULL)
		goto out;
	server->size = (vm_size_t)(got - pg_jobs);
	server->object = go;
	client->size = sizeof(*m);
	if (pg_run(server) != KERN_SUCCESS ||
	    !machr_thread_wait_blocked(server->thread) ||
	    pg_run(client) != KERN_SUCCESS ||
	    !asked_and_supplied(port, control, b,
	                        "the kernel reads the client's request"))
		goto out;
	ok = pg_report(got, WAIT_MS, &w) && w == 0x5360;
	pg_ok(ok, "the server receives the request (%#lx)", (unsigned long)w);
	ok = ok && still_blocked(client->thread, client);
	pg_ok(ok, "the client waits for the answer");
	/* Its buffer's page goes (written: dropped, not returned). */
	pg_expect(memory_object_lock_request(control, 0, PAGE,
	                                     MEMORY_OBJECT_RETURN_NONE, TRUE,
	                                     VM_PROT_NONE, MACH_PORT_NULL),
	          KERN_SUCCESS, "the client's page flushed");
	if (!ok || machr_send_word(go, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL,
	                           0, 1, 0, 0, 0) != MACH_MSG_SUCCESS)
		goto out;
	if (!asked_and_supplied(port, control, b,
	                        "the answer's copyout asks for the page"))
		goto out;
	ok = pg_report(client, WAIT_MS, &w) && w == 0x5361;
	pg_ok(ok, "the client receives the answer, not an error (%#lx)",
	      (unsigned long)w);
	/* The server waits for its next request: gone with its port. */
	(void)mach_port_destroy(T, svc);
	svc = MACH_PORT_NULL;
	ok = pg_report(server, WAIT_MS, &w) && w == MACH_RCV_PORT_DIED;
	pg_ok(ok, "the server's answer went, its next receive ends (%#lx)",
	      (unsigned long)w);
	(void)vm_deallocate(T, a, PAGE);
	while (pg_next(port, WAIT_MS, &ev) == MO_DATA_RETURN)
		continue;
	pg_ok(ev.id == MO_TERMINATE, "vm_deallocate: then terminate (got %s)",
	      pg_id_name(ev.id));
	pg_object_destroy(port, ev.control, ev.name);
out:
	if (svc != MACH_PORT_NULL)
		(void)mach_port_destroy(T, svc);
	if (go != MACH_PORT_NULL)
		(void)mach_port_destroy(T, go);
	if (rp != MACH_PORT_NULL)
		(void)mach_port_destroy(T, rp);
	if (b != 0)
		(void)vm_deallocate(T, b, PAGE);
	if (sbuf != 0)
		(void)vm_deallocate(T, sbuf, PAGE);
	pg_group_end(12, "an RPC's answer");
}

#endif
