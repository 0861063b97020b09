/*
 * tests/system/modules/garbage-device.h — part of garbage.c (included
 * once, after garbage-args.h): one routine of device.defs with garbage
 * arguments, through the runtime's MIG stubs.
 */

/* A device-port argument: the master, an opened device, garbage. */
static mach_port_t gdev(struct gctx *c)
{
	switch (R(4)) {
	case 0:
		return C_DEVICE;
	case 1:
		return c->ndevs ? c->devs[R(c->ndevs)] : C_DEVICE;
	default:
		return gname(c);
	}
}

static int is_dev(struct gctx *c, mach_port_t n)
{
	for (int i = 0; i < c->ndevs; i++)
		if (c->devs[i] == n)
			return 1;
	return n == C_DEVICE;
}

/* One routine of device.defs. */
static void call_device(struct gctx *c)
{
	static const char *const names[] = {"console", "console", "zz",  "",
	                                    "hd0",     "com0",    "time"};
	mach_port_t d = gdev(c), p = MACH_PORT_NULL;
	mach_msg_type_number_t n = 0;
	io_buf_ptr_t data = NULL;
	int k = (int)rnd(c), w = 0;

	switch (pick(c, "device", 12)) {
	case 0:
	case 1:
		if (R(3) == 0) {
			for (int i = 0; i < 60; i++)
				c->text[i] = (char)(1 + R(255));
			c->text[R(60)] = 0;
		} else
			strcpy(c->text, names[R(7)]);
		/* Only the console is kept (the others would be disks,
		 * whose writes we do not want). */
		if (device_open(d, R(2) ? D_READ | D_WRITE : k, c->text, &p) ==
		        KERN_SUCCESS &&
		    strcmp(c->text, "console") == 0)
			keep(c->devs, &c->ndevs, 4, p);
		break;
	case 2:
		/* Not an opened device: closing the console closes it for
		 * the parent too (no more TAP output on GNU Mach). */
		d = gdev(c);
		if (!is_dev(c, d) || d == C_DEVICE)
			(void)device_close(d);
		break;
	case 3: /* unmapped or kernel data to a device; anything elsewhere */
		(void)device_write(
		    d, k, rnd(c),
		    (io_buf_ptr_t)(uintptr_t)gaddr(c, !is_dev(c, d)),
		    (mach_msg_type_number_t)gsize(c), &w);
		break;
	case 4:
		(void)device_write_inband(d, k, rnd(c), (char *)c->buf,
		                          is_dev(c, d) ? 0 : R(128), &w);
		break;
	case 5:
		/* GNU Mach's console read waits for input even with
		 * D_NOWAIT: reads of real devices on Mach_R only. */
		if (!on_machr && is_dev(c, d) && d != C_DEVICE)
			d = MACH_PORT_NULL;
		(void)device_read(d, k | D_NOWAIT, rnd(c),
		                  R(2) ? (int)R(4096) : k, &data, &n);
		break;
	case 6:
		if (!on_machr && is_dev(c, d) && d != C_DEVICE)
			d = MACH_PORT_NULL;
		n = 128;
		(void)device_read_inband(d, k | D_NOWAIT, rnd(c),
		                         R(2) ? (int)R(200) : k, (char *)c->buf,
		                         &n);
		break;
	case 7:
		(void)device_map(d, R(8), gaddr(c, 0), gsize(c), &p, R(2));
		break;
	case 8:
		/* Not to a real device: on the console it would set the
		 * serial line (GNU Mach's output stops). */
		if (is_dev(c, d) && d != C_DEVICE)
			d = gname(c);
		if (is_dev(c, d) && d != C_DEVICE)
			break;
		(void)device_set_status(d, k, (dev_status_t)c->buf,
		                        R(2) ? R(32) : R(1024));
		break;
	case 9:
		n = R(2) ? R(32) : 1024;
		(void)device_get_status(d, k, (dev_status_t)c->buf, &n);
		break;
	case 10:
		(void)device_set_filter(d, gname(c), gdisp_arg(c), k,
		                        (filter_array_t)c->buf,
		                        R(2) ? R(64) : k);
		break;
	default:
		(void)device_intr_ack(d, gname(c), gdisp_arg(c));
		break;
	}
}
