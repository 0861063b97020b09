/*
 * tests/system/modules/garbage-host.h — part of garbage.c (included once,
 * after garbage-args.h): one routine of mach_host.defs or of gnumach.defs
 * with garbage arguments, through the runtime's MIG stubs.
 */

/* A host port: mostly the real ones. */
static mach_port_t ghost(struct gctx *c, int priv_ok)
{
	mach_port_t n;

	switch (R(4)) {
	case 0:
		return priv_ok ? C_HPRIV : mach_host_self();
	case 1:
		return mach_host_self();
	default:
		n = priv_ok ? gname(c) : gtask(c, NONE);
		return !priv_ok && n == C_HPRIV ? MACH_PORT_NULL : n;
	}
}

/* A host-port argument that is never host-priv. */
static mach_port_t gnopriv(struct gctx *c)
{
	mach_port_t h = ghost(c, 0);
	return h == C_HPRIV ? mach_host_self() : h;
}

/* One routine of mach_host.defs. */
static void call_host(struct gctx *c)
{
	mach_port_t p = MACH_PORT_NULL, q = MACH_PORT_NULL, *arr = NULL;
	mach_msg_type_number_t n = R(2) ? R(1024) : 1024;
	time_value_t tv;
	time_value64_t tv64;
	int k = (int)rnd(c);

	switch (pick(c, "host", 42)) {
	case 0:
		if (host_processors(ghost(c, 1), &arr, &n) == KERN_SUCCESS)
			for (unsigned i = 0; i < n && i < 4; i++)
				kobj(c, arr[i]);
		break;
	case 1:
		(void)processor_start(gname(c));
		break;
	case 2:
		(void)processor_exit(gname(c));
		break;
	case 3:
		if (processor_set_default(ghost(c, 1), &p) == KERN_SUCCESS)
			kobj(c, p);
		break;
	case 4:
		(void)processor_set_create(ghost(c, 1), &p, &q);
		break;
	case 5:
		(void)processor_set_destroy(gname(c));
		break;
	case 6:
		(void)processor_assign(gname(c), gname(c), R(2));
		break;
	case 7:
		(void)processor_get_assignment(gname(c), &p);
		break;
	case 8:
		(void)thread_assign(gthread(c, OWN), gname(c));
		break;
	case 9:
		(void)thread_assign_default(gthread(c, OWN));
		break;
	case 10:
		(void)thread_get_assignment(gthread(c, RO), &p);
		break;
	case 11:
		(void)task_assign(gtask(c, OWN), gname(c), R(2));
		break;
	case 12:
		(void)task_assign_default(gtask(c, OWN), R(2));
		break;
	case 13:
		(void)task_get_assignment(gtask(c, RO), &p);
		break;
	case 14:
		(void)thread_priority(gthread(c, OWN), R(2) ? R(70) : k, R(2));
		break;
	case 15:
		(void)thread_max_priority(gthread(c, OWN), gname(c),
		                          R(2) ? R(70) : k);
		break;
	case 16:
		(void)task_priority(gtask(c, OWN), R(2) ? R(70) : k, R(2));
		break;
	case 17:
		(void)processor_set_max_priority(gname(c), R(2) ? R(70) : k,
		                                 R(2));
		break;
	case 18:
		(void)thread_policy(gthread(c, OWN), R(2) ? R(4) : k, k);
		break;
	case 19:
		(void)processor_set_policy_enable(gname(c), R(2) ? R(4) : k);
		break;
	case 20:
		(void)processor_set_policy_disable(gname(c), R(2) ? R(4) : k,
		                                   R(2));
		break;
	case 21:
		if (host_processor_sets(ghost(c, 1), &arr, &n) ==
		        KERN_SUCCESS &&
		    n > 0)
			kobj(c, arr[0]);
		break;
	case 22:
		if (host_processor_set_priv(ghost(c, 1), gname(c), &p) ==
		    KERN_SUCCESS)
			kobj(c, p);
		break;
	case 23:
		(void)thread_depress_abort(gthread(c, RO));
		break;
	case 24:
		tv.seconds = k;
		tv.microseconds = (int)rnd(c);
		(void)host_set_time(gnopriv(c), tv);
		break;
	case 25:
		tv.seconds = k;
		tv.microseconds = (int)rnd(c);
		(void)host_adjust_time(gnopriv(c), tv, &tv);
		break;
	case 26:
		(void)host_get_time(ghost(c, 1), &tv);
		break;
	case 27:
		(void)host_reboot(gnopriv(c), k);
		break;
	case 28:
		/* Never with a real host port: GNU Mach takes the plain one
		 * and would wire a whole reserved range (the machine
		 * stalls). */
		(void)vm_wire(gtask(c, NONE) == C_HPRIV ? 0
		                                        : gname(c) | 0x40000000,
		              gtask(c, OWN), gaddr(c, 1), gsize(c), R(8));
		break;
	case 29:
		(void)thread_wire(ghost(c, 1), gthread(c, OWN), R(2));
		break;
	case 30:
		(void)host_info(ghost(c, 1), R(2) ? R(8) : k,
		                (host_info_t)c->buf, &n);
		break;
	case 31:
		(void)processor_info(gname(c), R(2) ? R(4) : k, &p,
		                     (processor_info_t)c->buf, &n);
		break;
	case 32:
		(void)processor_set_info(gname(c), R(2) ? R(8) : k, &p,
		                         (processor_set_info_t)c->buf, &n);
		break;
	case 33:
		(void)processor_control(gname(c), (processor_info_t)c->buf,
		                        R(2) ? R(16) : n);
		break;
	case 34:
		(void)host_get_time64(ghost(c, 1), &tv64);
		break;
	case 35:
		/* GNU Mach takes the plain host port here and fails an
		 * assertion (clock_boottime_update) on nanoseconds out of
		 * range: only valid times. */
		tv64.seconds = (int64_t)(rnd(c) & 0xffffffffffULL);
		tv64.nanoseconds = R(1000000000);
		(void)host_set_time64(gnopriv(c), tv64);
		break;
	case 36:
		tv64.seconds = (int64_t)rnd(c);
		tv64.nanoseconds = (int64_t)rnd(c);
		(void)host_adjust_time64(gnopriv(c), tv64, &tv64);
		break;
	case 37:
		(void)host_get_kernel_version(ghost(c, 1), c->text);
		break;
	case 38:
		(void)host_get_uptime64(ghost(c, 1), &tv64);
		break;
	default:
		(void)thread_get_assignment(gthread(c, RO), &p);
		break;
	}
}

/* One routine of gnumach.defs. */
static void call_gnumach(struct gctx *c)
{
	mach_port_t t;
	vm_address_t a, addr;
	vm_size_t s;
	rpc_phys_addr_t pa, *pages = NULL;
	mach_msg_type_number_t n = 0;
	int k = (int)rnd(c);

	switch (pick(c, "gnumach", 15)) {
	case 0:
		(void)vm_cache_statistics(gtask(c, RO),
		                          (vm_cache_statistics_data_t *)c->buf);
		break;
	case 1:
		if (!on_machr) /* see unpinned below */
			break;
		(void)thread_terminate_release(gthread(c, NONE), gtask(c, NONE),
		                               gname(c), gname(c), gaddr(c, 0),
		                               gsize(c));
		break;
	case 2:
		for (int i = 0; i < 40; i++)
			c->text[i] = (char)rnd(c);
		c->text[R(40)] = 0;
		(void)task_set_name(gtask(c, OWN), c->text);
		break;
	case 3:
		(void)register_new_task_notification(gnopriv(c), gname(c),
		                                     gdisp_arg(c));
		break;
	case 4:
		(void)gsync_wait(gtask(c, OWN), gaddr(c, 1), R(2) ? 0 : k,
		                 (unsigned)rnd(c), R(10),
		                 k | 1 /* GSYNC_TIMED */);
		break;
	case 5:
		(void)gsync_wake(gtask(c, OWN), gaddr(c, 1), k, (int)rnd(c));
		break;
	case 6:
		(void)gsync_requeue(gtask(c, OWN), gaddr(c, 1), gaddr(c, 1),
		                    R(2), k);
		break;
	case 7:
		/* As vm_wire: every later allocation would be wired. */
		(void)vm_wire_all(gname(c) | 0x40000000, gtask(c, OWN), k);
		break;
	case 8:
		(void)vm_object_sync(gname(c), gaddr(c, 0), gsize(c), R(2),
		                     R(2), R(2));
		break;
	case 9:
		(void)vm_msync(gtask(c, OWN), gaddr(c, 1), gsize(c), k);
		break;
	case 10:
		if (!on_machr) /* see unpinned below */
			break;
		t = R(2) ? C_HPRIV : ghost(c, 1);
		a = gaddr(c, 0);
		s = gsize(c);
		if (t == C_HPRIV || t == mach_host_self())
			s &= 0xffff; /* wired memory: a little */
		addr = a;
		(void)vm_allocate_contiguous(t, gtask(c, OWN), &addr, &pa, s,
		                             rnd(c), rnd(c), rnd(c));
		break;
	case 11:
		if (on_machr) /* see unpinned below */
			(void)task_set_essential(gtask(c, NONE), R(2));
		break;
	case 12:
		(void)vm_pages_phys(ghost(c, 1), gtask(c, RO), gaddr(c, 1),
		                    R(2) ? 0x1000 * R(8) : gsize(c), &pages,
		                    &n);
		break;
	case 13:
		for (int i = 0; i < 40; i++)
			c->text[i] = (char)rnd(c);
		c->text[R(40)] = 0;
		(void)thread_set_name(gthread(c, OWN), c->text);
		break;
	default:
		(void)thread_get_name(gthread(c, RO), c->text);
		break;
	}
}
