/*
 * tests/system/modules/garbage-raw.h — part of garbage.c (included once,
 * after garbage-args.h): raw messages through the mach_msg trap, with
 * request ids the target may get and random typed bodies, and every trap
 * number with garbage registers (garbage_trap).
 */

/* Request ids that are fine on any port we hold a right to. */
static int id_allowed_anywhere(mach_msg_id_t id)
{
	switch (id) {
	case 2007: /* task_create: the new task would outlive the child */
	case 2041: /* vm_set_default_memory_manager */
	case 2627: /* processor_set_tasks: the kernel task's port */
	case 2628: /* processor_set_threads */
	case 2632: /* host_set_time */
	case 2633: /* host_adjust_time */
	case 2635: /* host_reboot */
	case 2636: /* vm_wire */
	case 2644: /* host_set_time64 */
	case 2645: /* host_adjust_time64 */
	case 2802: /* device_write: the console */
	case 2803: /* device_write_inband */
	case 2804: /* device_read: may block */
	case 2805: /* device_read_inband */
	case 4203: /* register_new_task_notification */
	case 4207: /* vm_wire_all */
	case 4211: /* task_set_essential */
		return 0;
	}
	return 1;
}

/* Request ids that only read, for our task and threads and the
 * parent's. */
static const mach_msg_id_t readonly_ids[] = {
    2012, 2017, 2019, 2029, 2030, 2034, 2058, 2067, 3200, 3201,
    3207, 3212, 3217, 4214, 2615, 2618, 2011, 2026, 4200,
};
#define NREADONLY ((int)(sizeof(readonly_ids) / sizeof(readonly_ids[0])))

static mach_msg_id_t gid(struct gctx *c)
{
	static const struct {
		int base, n;
	} ranges[] = {{2000, 100}, {3200, 24}, {2600, 50},
	              {4200, 16},  {2800, 16}, {3000, 26}};
	int r = R(7);

	if (r == 6)
		return R(2) ? (mach_msg_id_t)rnd(c) : (mach_msg_id_t)R(5000);
	return ranges[r].base + R(ranges[r].n);
}

/*
 * Fill c->msg with a request to TO with a random id and a random typed
 * body; returns its size.  The id is one the target may get.
 */
static mach_msg_size_t gmessage(struct gctx *c, mach_port_t to,
                                mach_port_t reply)
{
	mach_msg_header_t *h = &c->msg.h;
	uint64_t *q = (uint64_t *)(h + 1);
	int items = R(7), complex = 0;
	mach_msg_id_t id;
	mach_port_type_t type = 0;

	if (to == T || is_parent(to) || is_worker(to))
		id = readonly_ids[R(NREADONLY)];
	else {
		do
			id = gid(c);
		while (!id_allowed_anywhere(id) &&
		       mach_port_type(T, to, &type) == KERN_SUCCESS);
	}
	for (int i = 0; i < items && q < c->msg.q + 480; i++) {
		mach_msg_type_t *t = (mach_msg_type_t *)q;
		mach_port_t n;
		uint64_t a, s;

		memset(t, 0, sizeof(*t));
		switch (R(8)) {
		case 0: /* an int32 */
			t->msgt_name = MACH_MSG_TYPE_INTEGER_32;
			t->msgt_size = 32;
			t->msgt_number = 1;
			t->msgt_inline = 1;
			q[1] = rnd(c);
			q += 2;
			break;
		case 1: /* an int64 */
			t->msgt_name = MACH_MSG_TYPE_INTEGER_64;
			t->msgt_size = 64;
			t->msgt_number = 1;
			t->msgt_inline = 1;
			q[1] = R(2) ? gaddr(c, 1) : gsize(c);
			q += 2;
			break;
		case 2: /* any descriptor at all */
			q[0] = rnd(c);
			q[1] = rnd(c);
			/* the deallocate bit could free our memory */
			t->msgt_deallocate = 0;
			complex |= R(2);
			q += 2;
			break;
		case 3: /* inline ports */
			t->msgt_size = 64;
			t->msgt_number = 1 + R(3);
			t->msgt_inline = 1;
			t->msgt_name = MACH_MSG_TYPE_COPY_SEND;
			for (unsigned k = 0; k < t->msgt_number; k++) {
				n = gname(c);
				q[1 + k] = n;
				if (k == 0)
					t->msgt_name = gdisp(c, n);
			}
			if (t->msgt_name == MACH_MSG_TYPE_MOVE_RECEIVE ||
			    t->msgt_name == MACH_MSG_TYPE_MOVE_SEND ||
			    t->msgt_name == MACH_MSG_TYPE_MOVE_SEND_ONCE)
				for (unsigned k = 1; k < t->msgt_number; k++)
					if (is_protected(c,
					                 (mach_port_t)q[1 + k]))
						q[1 + k] = MACH_PORT_NULL;
			complex = 1;
			q += 1 + t->msgt_number;
			break;
		case 4: /* out-of-line data */
			t->msgt_name = R(2) ? MACH_MSG_TYPE_INTEGER_8
			                    : MACH_MSG_TYPE_INTEGER_32;
			t->msgt_size =
			    t->msgt_name == MACH_MSG_TYPE_INTEGER_8 ? 8 : 32;
			t->msgt_longform = 1;
			a = gaddr(c, 1);
			s = gsize(c);
			t->msgt_number = (mach_msg_type_number_t)s;
			t->msgt_deallocate =
			    R(2) && range_safe(a, s * (t->msgt_size / 8));
			q[1] = a;
			complex = 1;
			q += 2;
			break;
		case 5: /* out-of-line ports */
			t->msgt_name = MACH_MSG_TYPE_COPY_SEND;
			t->msgt_size = 64;
			t->msgt_longform = 1;
			t->msgt_number =
			    R(4) ? (unsigned)(1 + R(8)) : (unsigned)rnd(c);
			if (!on_machr) /* as in mach_ports_register */
				t->msgt_number &= 0xfff;
			if (R(2)) {
				for (int k = 0; k < 8; k++)
					c->buf[2 * k] = gname(c);
				q[1] = (uintptr_t)c->buf;
				if (t->msgt_number > 8)
					t->msgt_number = 8;
			} else
				q[1] = gaddr(c, 0);
			complex = 1;
			q += 2;
			break;
		case 6: /* a string */
			t->msgt_name = MACH_MSG_TYPE_STRING_C;
			t->msgt_size = 8;
			t->msgt_number = R(2) ? 128 : 1 + R(300);
			t->msgt_inline = 1;
			for (unsigned k = 0; k < (t->msgt_number + 7) / 8; k++)
				q[1 + k] = rnd(c);
			q += 1 + (t->msgt_number + 7) / 8;
			break;
		default: /* a well-formed int with a wrong size or number */
			t->msgt_name = MACH_MSG_TYPE_INTEGER_32;
			t->msgt_size = R(2) ? 32 : R(256);
			t->msgt_number =
			    R(2) ? (unsigned)R(3) : (unsigned)rnd(c);
			t->msgt_inline = 1;
			q[1] = rnd(c);
			q += 2;
			break;
		}
	}
	h->msgh_bits =
	    MACH_MSGH_BITS(gdisp(c, to),
	                   reply ? MACH_MSG_TYPE_MAKE_SEND_ONCE : 0) |
	    (complex ? MACH_MSGH_BITS_COMPLEX : 0);
	if (R(16) == 0)
		h->msgh_bits =
		    (mach_msg_bits_t)rnd(c) & ~MACH_MSGH_BITS_COMPLEX;
	h->msgh_remote_port = to;
	h->msgh_local_port = reply;
	h->msgh_seqno = 0;
	h->msgh_id = id;
	h->msgh_size = (mach_msg_size_t)((char *)q - (char *)h);
	if (R(8) == 0)
		h->msgh_size += R(2) ? R(8) : -R(8);
	return h->msgh_size;
}

/* Our raw reply port, made again if the chaos took it. */
static mach_port_t raw_reply(struct gctx *c)
{
	mach_port_type_t t = 0;

	if (wraw[c->id] == MACH_PORT_NULL ||
	    mach_port_type(T, wraw[c->id], &t) != KERN_SUCCESS ||
	    !(t & MACH_PORT_TYPE_RECEIVE))
		wraw[c->id] = mach_reply_port();
	return wraw[c->id];
}

/* A raw request and its reply, through the mach_msg trap with random
 * options (always bounded by timeouts). */
static void call_raw(struct gctx *c)
{
	mach_port_t to = gname(c), reply = R(8) ? raw_reply(c) : gname(c);
	mach_msg_size_t size;
	mach_msg_option_t opt;
	uint64_t r[12];

	if (reply != wraw[c->id] && is_protected(c, reply))
		reply = raw_reply(c);
	size = gmessage(c, to, reply);
	opt = MACH_SEND_MSG | MACH_RCV_MSG;
	if (R(4) == 0)
		opt = (mach_msg_option_t)rnd(c) & 0x7ff3;
	opt |= MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT;
	memset(r, 0, sizeof(r));
	r[0] = (uint64_t)-25;
	r[1] = (uintptr_t)&c->msg;
	if (R(16) == 0)
		r[1] = gptr(c); /* a message that is not there */
	r[2] = opt;
	r[3] = size;
	r[4] = sizeof(c->rcv) - R(2) * R(4096);
	if ((int64_t)r[4] < 0)
		r[4] = 0;
	r[5] = reply == wraw[c->id] || R(2) ? raw_reply(c) : gname(c);
	r[6] = R(6);
	r[7] = gname(c);
	/* The reply goes to the receive buffer: use it for both. */
	if (opt & MACH_RCV_MSG) {
		memcpy(&c->rcv, &c->msg, size < sizeof(c->rcv) ? size : 0);
		if (r[1] == (uintptr_t)&c->msg)
			r[1] = (uintptr_t)&c->rcv;
	}
	if (r[3] > sizeof(c->msg) && r[1] == (uintptr_t)&c->rcv)
		r[3] = sizeof(c->msg);
	trace_trap(c, r);
	(void)garbage_trap(r);
}

/* A trap with garbage registers, or a known trap with garbage kept
 * within the rules above. */
static void call_trap(struct gctx *c)
{
	uint64_t r[12];
	vm_address_t out = 0;
	mach_port_t task, n;
	uint64_t a, s;
	int nr;

	for (int i = 0; i < 12; i++)
		r[i] = R(3) ? rnd(c) : R(2) ? gaddr(c, 0) : gname(c);
	if (R(32) == 0) {
		/* Beyond the table: EXC_BAD_INSTRUCTION, served by the
		 * parent. */
		static const uint64_t far[] = {0,
		                               1,
		                               2,
		                               0x123456,
		                               0x7fffffff,
		                               0x80000000,
		                               (uint64_t)-131,
		                               (uint64_t)-1000,
		                               0xffffffff00000000ULL};
		r[0] = far[R(9)];
		trace_trap(c, r);
		(void)garbage_trap(r);
		return;
	}
	nr = -(int)(1 + R(130));
	r[0] = (uint64_t)(int64_t)nr;
	switch (nr) {
	case -17: /* evc_wait, evc_wait_clear */
	case -18:
		r[1] = (1u << 20) + (uint32_t)rnd(c);
		break;
	case -25: /* mach_msg_trap */
		call_raw(c);
		return;
	case -30: /* mach_print */
		/* GNU Mach reads the string without a fault catch: an
		 * unmapped user address (0x6da0346db124) panics it. */
		r[1] = R(2) || !on_machr ? (uintptr_t) "" : gptr(c);
		break;
	case -59: /* swtch_pri */
	case -60: /* swtch */
		break;
	case -61: /* thread_switch: wait 10 ms at most */
		r[1] = gname(c);
		r[2] = R(2) ? R(4) : rnd(c);
		r[3] = R(11);
		break;
	case -64: /* syscall_vm_map */
	case -65: /* syscall_vm_allocate */
		task = gtask(c, OWN);
		grange(c, task, &a, &s);
		out = a;
		r[1] = task;
		r[2] = R(8) ? (uintptr_t)&out : gptr(c);
		r[3] = s;
		if (nr == -64) {
			r[4] = R(2) ? 0 : rnd(c);
			r[5] = R(3); /* anywhere */
			r[6] = gname(c);
		} else
			r[4] = R(3);
		break;
	case -66: /* syscall_vm_deallocate */
		task = gtask(c, OWN);
		grange(c, task, &a, &s);
		r[1] = task;
		r[2] = a;
		r[3] = s;
		break;
	case -68: /* syscall_task_create: terminate what it made */
		r[1] = gtask(c, RO);
		r[2] = R(3);
		n = MACH_PORT_NULL;
		r[3] = (uintptr_t)&n;
		trace_trap(c, r);
		(void)garbage_trap(r);
		if (n != MACH_PORT_NULL) {
			(void)task_terminate(n);
			(void)mach_port_destroy(T, n);
		}
		return;
	case -69: /* syscall_task_terminate */
	case -70: /* syscall_task_suspend */
		r[1] = gtask(c, NONE);
		break;
	case -71: /* syscall_task_set_special_port */
		r[1] = gtask(c, OWN);
		if (r[1] == T &&
		    (r[2] == TASK_KERNEL_PORT || r[2] == TASK_EXCEPTION_PORT ||
		     (uint32_t)r[2] == TASK_KERNEL_PORT ||
		     (uint32_t)r[2] == TASK_EXCEPTION_PORT))
			r[2] = TASK_BOOTSTRAP_PORT;
		r[3] = gname(c);
		break;
	case -72: /* syscall_mach_port_allocate */
	case -75: /* syscall_mach_port_allocate_name */
		r[1] = gtask(c, OWN);
		r[2] = R(2) ? (uint64_t)R(5) : rnd(c);
		if (nr == -72)
			r[3] = R(2) ? (uintptr_t)&out : gptr(c);
		break;
	case -73: /* syscall_mach_port_deallocate */
		r[1] = gtask(c, OWN);
		r[2] = r[1] == T ? gfree(c) : gname(c);
		break;
	case -74: /* syscall_mach_port_insert_right */
		r[1] = gtask(c, OWN);
		r[2] = r[1] == T ? gfree(c) : gname(c);
		r[3] = gname(c);
		r[4] = gdisp(c, (mach_port_t)r[3]);
		break;
	case -76: /* syscall_thread_depress_abort */
		r[1] = gthread(c, RO);
		break;
	case -77: /* thread_set_self_state: never a state it would take */
		switch (R(3)) {
		case 0:
			r[1] = R(2) ? 99 : rnd(c) | 0x100;
			r[2] = (uintptr_t)c->buf;
			break;
		case 1:
			r[1] = 1 + R(8);
			r[2] = gptr(c);
			break;
		default:
			r[1] = 1;
			r[2] = (uintptr_t)c->buf;
			r[3] = R(8);
			break;
		}
		if (r[2] == (uintptr_t)c->buf && r[1] >= 1 && r[1] <= 16 &&
		    r[3] > 8)
			r[3] = 3;
		break;
	default: /* unused slots, nw_*: anything */
		if (nr >= -24 || (nr >= -58 && nr <= -31) || nr <= -78 ||
		    nr == -62 || nr == -63 || nr == -67)
			break;
		/* the rest takes no argument: as they are */
		break;
	}
	trace_trap(c, r);
	(void)garbage_trap(r);
}
