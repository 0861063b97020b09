/*
 * tests/system/modules/garbage-mach.h — part of garbage.c (included once,
 * after garbage-args.h): one routine of mach.defs or of mach_port.defs
 * with garbage arguments, through the runtime's MIG stubs.
 */

/* A kernel-object port met along the way, for later calls. */
static void kobj(struct gctx *c, mach_port_t n)
{
	keep(c->kobj, &c->nkobj, 16, n);
}

/* One routine of mach.defs. */
static void call_mach(struct gctx *c)
{
	mach_port_t t, p = MACH_PORT_NULL, *arr = NULL;
	mach_msg_type_number_t n = R(2) ? R(1024) : 1024;
	vm_address_t a, addr;
	vm_size_t s, s2;
	vm_prot_t pr, mpr;
	vm_inherit_t inh;
	boolean_t sh;
	vm_offset_t off, data = 0;
	int k = (int)rnd(c);

	switch (pick(c, "mach", 46)) {
	case 0:
		if (task_create(gtask(c, RO), R(3), &p) == KERN_SUCCESS) {
			(void)task_terminate(p);
			(void)mach_port_destroy(T, p);
		}
		break;
	case 1:
		(void)task_terminate(gtask(c, NONE));
		break;
	case 2:
		(void)task_get_emulation_vector(gtask(c, RO), &k,
		                                (emulation_vector_t *)&arr, &n);
		break;
	case 3:
		(void)task_set_emulation_vector(
		    gtask(c, NONE), k, (emulation_vector_t)c->buf, R(64));
		break;
	case 4:
		(void)task_threads(gtask(c, RO), (thread_array_t *)&arr, &n);
		break;
	case 5:
		(void)task_info(gtask(c, RO), R(2) ? R(8) : k,
		                (task_info_t)c->buf, &n);
		break;
	case 6:
		/* A sibling only rarely, late in its run. */
		t = gthread(c, R(64) == 0 && c->calls > rounds * 3 / 4 ? OWN
		                                                       : NONE);
		if (is_worker(t))
			c->terminated_sibling++;
		(void)thread_terminate(t);
		break;
	case 7:
		(void)thread_get_state(gthread(c, RO), R(2) ? R(10) : k,
		                       (thread_state_t)c->buf, &n);
		break;
	case 8:
		t = gthread(c, OWN);
		if (is_worker(t) && k >= 1 && k <= 16 && n > 8)
			n = 3; /* never a state it would take */
		if (is_worker(t) && (k < 1 || k > 16) && R(2))
			k = R(2) ? 99 : 0;
		if (is_worker(t) && k >= 1 && k <= 16)
			n = R(8);
		(void)thread_set_state(t, k, (thread_state_t)c->buf, n);
		break;
	case 9:
		(void)thread_info(gthread(c, RO), R(2) ? R(6) : k,
		                  (thread_info_t)c->buf, &n);
		break;
	case 10:
		t = gtask(c, OWN);
		grange(c, t, &a, &s);
		addr = a;
		(void)vm_allocate(t, &addr, s, R(3));
		break;
	case 11:
		t = gtask(c, OWN);
		grange(c, t, &a, &s);
		(void)vm_deallocate(t, a, s);
		break;
	case 12:
		t = gtask(c, OWN);
		grange(c, t, &a, &s);
		(void)vm_protect(t, a, s, R(2), R(2) ? R(8) : k);
		break;
	case 13:
		(void)vm_inherit(gtask(c, OWN), gaddr(c, 1), gsize(c),
		                 R(2) ? R(4) : k);
		break;
	case 14:
		(void)vm_read(gtask(c, RO), gaddr(c, 1),
		              R(2) ? 0x1000 * R(4) : gsize(c), &data, &n);
		break;
	case 15:
		t = gtask(c, OWN);
		grange(c, t, &a, &s);
		(void)vm_write(t, a, (vm_offset_t)gaddr(c, 1),
		               (mach_msg_type_number_t)s);
		break;
	case 16:
		t = gtask(c, OWN);
		grange(c, t, &a, &s);
		(void)vm_copy(t, gaddr(c, 1), s, a);
		break;
	case 17:
		addr = gaddr(c, 1);
		(void)vm_region(gtask(c, RO), &addr, &s, &pr, &mpr, &inh, &sh,
		                &p, &off);
		break;
	case 18:
		(void)vm_statistics(gtask(c, RO),
		                    (vm_statistics_data_t *)c->buf);
		break;
	case 19:
		for (int i = 0; i < 8; i++)
			c->buf[2 * i] = gname(c);
		n = R(2) ? (unsigned)R(8) : (unsigned)rnd(c);
		/* GNU Mach runs out of kernel map and crashes on a huge
		 * out-of-line port array ("no more room for kmem_valloc"). */
		if (!on_machr)
			n &= 0xfff;
		/* GNU Mach faults at address 0 in the kernel on garbage
		 * registrations (seen with a target that was no task): on
		 * Mach_R only. */
		if (!on_machr)
			break;
		(void)mach_ports_register(gtask(c, OWN),
		                          R(2) ? (mach_port_array_t)c->buf
		                               : (mach_port_array_t)gaddr(c, 0),
		                          n);
		break;
	case 20:
		(void)mach_ports_lookup(gtask(c, RO), (mach_port_array_t *)&arr,
		                        &n);
		break;
	case 21:
		(void)memory_object_data_unavailable(gname(c), gaddr(c, 0),
		                                     gsize(c));
		break;
	case 22:
		(void)memory_object_get_attributes(gname(c), &sh, &sh, &k);
		break;
	case 23:
		p = gname(c);
		(void)vm_set_default_memory_manager(
		    R(2) ? mach_host_self() : gtask(c, NONE), &p);
		break;
	case 24:
		(void)memory_object_lock_request(
		    gname(c), gaddr(c, 0), gsize(c), k, R(2), R(8), gname(c));
		break;
	case 25:
		(void)task_suspend(gtask(c, NONE));
		break;
	case 26:
		(void)task_resume(gtask(c, OWN));
		break;
	case 27:
		(void)task_get_special_port(gtask(c, RO), R(2) ? R(6) : k, &p);
		break;
	case 28:
		t = gtask(c, OWN);
		if (t == T &&
		    (k == TASK_KERNEL_PORT || k == TASK_EXCEPTION_PORT))
			k = TASK_BOOTSTRAP_PORT;
		if (R(2))
			k = R(6);
		if (t == T &&
		    (k == TASK_KERNEL_PORT || k == TASK_EXCEPTION_PORT))
			k = TASK_BOOTSTRAP_PORT;
		(void)task_set_special_port(t, k, gname(c));
		break;
	case 29:
		/* A thread of ours: ended at once. */
		t = gtask(c, OWN);
		if (thread_create(t, &p) == KERN_SUCCESS) {
			(void)thread_terminate(p);
			(void)mach_port_destroy(T, p);
		}
		break;
	case 30:
		/* A sibling: resumed at once. */
		t = gthread(c, OWN);
		if (thread_suspend(t) == KERN_SUCCESS && is_worker(t))
			(void)thread_resume(t);
		break;
	case 31:
		(void)thread_resume(gthread(c, OWN));
		break;
	case 32:
		(void)thread_abort(gthread(c, OWN));
		break;
	case 33:
		(void)thread_get_special_port(gthread(c, RO), R(2) ? R(5) : k,
		                              &p);
		break;
	case 34:
		t = gthread(c, R(2) ? OWN : NONE);
		if (is_worker(t) || t == wself[c->id])
			k = R(2) ? 2
			         : 99; /* not kernel (1) nor exception (3) */
		(void)thread_set_special_port(t, k, gname(c));
		break;
	case 35:
		(void)task_set_emulation(gtask(c, NONE), gaddr(c, 0), k);
		break;
	case 36:
		(void)task_ras_control(gtask(c, NONE), gaddr(c, 0), gaddr(c, 0),
		                       k);
		break;
	case 37:
		t = gtask(c, OWN);
		grange(c, t, &a, &s);
		addr = a;
		(void)vm_map(t, &addr, s, R(2) ? 0 : rnd(c), R(3), gname(c),
		             gaddr(c, 0), R(2), R(8), R(8), R(4));
		break;
	case 38:
		(void)memory_object_data_error(gname(c), gaddr(c, 0), gsize(c),
		                               k);
		break;
	case 39:
		(void)memory_object_destroy(gname(c), k);
		break;
	case 40:
		a = gaddr(c, 0);
		s = gsize(c);
		(void)memory_object_data_supply(
		    gname(c), gaddr(c, 0), (vm_offset_t)a,
		    (mach_msg_type_number_t)s, range_safe(a, s) && R(2), R(8),
		    R(2), gname(c));
		break;
	case 41:
		(void)memory_object_ready(gname(c), R(2), k);
		break;
	case 42:
		(void)memory_object_change_attributes(gname(c), R(2), k,
		                                      gname(c));
		break;
	case 43:
		s2 = rnd(c);
		(void)vm_machine_attribute(gtask(c, OWN), gaddr(c, 0), gsize(c),
		                           R(2) ? R(4) : k,
		                           (vm_machine_attribute_val_t *)&s2);
		break;
	default:
		(void)task_set_name(gtask(c, OWN), "garbage");
		break;
	}
}

/* One routine of mach_port.defs, on our space mostly. */
static void call_port(struct gctx *c)
{
	mach_port_t t = gtask(c, R(8) ? OWN : RO), p = MACH_PORT_NULL;
	int own = t == T || R(2) == 0, ro = is_parent(t);
	mach_port_t *arr = NULL, *arr2 = NULL;
	mach_msg_type_number_t n = 0, n2 = 0;
	mach_port_urefs_t refs;
	mach_port_status_t st;
	mach_msg_type_name_t poly;
	int k = (int)rnd(c);

	if (!own && !ro)
		t = gtask(c, OWN);
	switch (pick(c, "port", ro ? 5 : 20)) {
	case 0:
		(void)mach_port_names(t, &arr, &n,
		                      (mach_port_type_array_t *)&arr2, &n2);
		break;
	case 1:
		(void)mach_port_type(t, gname(c), (mach_port_type_t *)&k);
		break;
	case 2:
		(void)mach_port_get_refs(t, gname(c), R(2) ? R(6) : k, &refs);
		break;
	case 3:
		(void)mach_port_get_set_status(t, gname(c), &arr, &n);
		break;
	case 4:
		(void)mach_port_get_receive_status(t, gname(c), &st);
		break;
	case 5:
		(void)mach_port_rename(t, gfree(c), gname(c));
		break;
	case 6:
		(void)mach_port_allocate_name(t, R(2) ? R(5) : k, gname(c));
		break;
	case 7:
		if (mach_port_allocate(t, R(2) ? R(5) : k, &p) ==
		        KERN_SUCCESS &&
		    t == T)
			keep(c->pool, &c->npool, 16, p);
		break;
	case 8:
		p = gfree(c);
		if (mach_port_destroy(t, p) == KERN_SUCCESS && t == T)
			keep(c->stale, &c->nstale, 16, p);
		break;
	case 9:
		(void)mach_port_deallocate(t, gfree(c));
		break;
	case 10:
		(void)mach_port_mod_refs(t, gfree(c), R(2) ? R(6) : k,
		                         R(2) ? (int)R(5) - 2 : k);
		break;
	case 11:
		(void)mach_port_set_qlimit(t, gname(c), R(2) ? R(20) : k);
		break;
	case 12:
		(void)mach_port_set_mscount(t, gname(c), k);
		break;
	case 13:
		(void)mach_port_move_member(t, gfree(c), gname(c));
		break;
	case 14:
		(void)mach_port_request_notification(
		    t, gname(c), R(2) ? 0x40 + R(16) : k, R(2) ? R(4) : k,
		    gname(c), gdisp_arg(c), &p);
		break;
	case 15:
		p = gname(c);
		(void)mach_port_insert_right(t, gfree(c), p, gdisp(c, p));
		break;
	case 16:
		(void)mach_port_extract_right(t, gfree(c), gdisp(c, 0), &p,
		                              &poly);
		break;
	case 17:
		(void)mach_port_set_seqno(t, gname(c), k);
		break;
	case 18:
		(void)mach_port_set_protected_payload(t, gname(c), rnd(c));
		break;
	default:
		(void)mach_port_clear_protected_payload(t, gname(c));
		break;
	}
}
