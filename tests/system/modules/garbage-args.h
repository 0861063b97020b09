/*
 * tests/system/modules/garbage-args.h — part of garbage.c (included once,
 * after struct gctx): the generator and the garbage the calls are made
 * with: names (stale, pooled, the parent's, kernel objects), task and
 * thread ports, addresses, sizes and ranges that spare our own memory,
 * the pool of rights, and the dispositions of port items and
 * arguments.
 */

static uint64_t rnd(struct gctx *c)
{
	/* splitmix64 */
	uint64_t z = (c->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
#define R(n) ((int)(rnd(c) % (n)))

static int is_parent(mach_port_t n)
{
	return n == C_PTASK || n == C_PTHREAD;
}

static int is_worker(mach_port_t n)
{
	for (int i = 0; i < NTHREADS; i++)
		if (n == wself[i])
			return 1;
	return 0;
}

/* Names whose rights the threads need: never destroyed, moved or
 * renamed by the chaos. */
static int is_protected(struct gctx *c, mach_port_t n)
{
	if (n == MACH_PORT_NULL || n == T || is_parent(n) || is_worker(n) ||
	    (n >= C_REPORT && n <= C_DEVICE))
		return 1;
	for (int i = 0; i < NTHREADS; i++)
		if (n == wraw[i])
			return 1;
	(void)c;
	return n == mig_get_reply_port();
}

/* A name: mostly ones that mean something somewhere. */
static mach_port_t gname(struct gctx *c)
{
	switch (R(17)) {
	case 0:
		return (mach_port_t)rnd(c);
	case 1:
		return 1 + R(64);
	case 2:
		return c->nstale ? c->stale[R(c->nstale)] : 7;
	case 3:
	case 4:
		return c->npool ? c->pool[R(c->npool)] : 9;
	case 5:
		return T;
	case 6:
		return wself[R(NTHREADS)];
	case 7:
		return C_PTASK;
	case 8:
		return C_PTHREAD;
	case 9:
		return mach_host_self();
	case 10:
		return C_HPRIV;
	case 11:
		return C_DEVICE;
	case 12:
	case 13:
		return c->nkobj ? c->kobj[R(c->nkobj)] : C_DEVICE;
	case 14:
		return R(2) ? MACH_PORT_NULL : MACH_PORT_DEAD;
	case 15:
		return (1 + R(64)) | (1 + R(255)) << 24;
	default:
		/* Never the report port: the parent would have to destroy
		 * the rights in what arrives there. */
		return c->ndevs ? c->devs[R(c->ndevs)] : C_GO;
	}
}

/* A task-port argument.  RO: any; OWN: not the parent's; NONE: neither
 * ours nor the parent's. */
enum { RO, OWN, NONE };
static mach_port_t gtask(struct gctx *c, int pol)
{
	for (;;) {
		mach_port_t n = gname(c);
		if (pol == RO || (!is_parent(n) && (pol == OWN || n != T)))
			return n;
	}
}

/* A thread-port argument.  RO: any; OWN: a sibling (not the caller)
 * but not the parent's; NONE: none of ours nor the parent's. */
static mach_port_t gthread(struct gctx *c, int pol)
{
	for (;;) {
		mach_port_t n = gname(c);
		if (pol == RO)
			return n;
		if (is_parent(n) || n == wself[c->id])
			continue;
		if (pol == OWN || !is_worker(n))
			return n;
	}
}

/* A name in our own space that the chaos may destroy. */
static mach_port_t gfree(struct gctx *c)
{
	for (;;) {
		mach_port_t n = gname(c);
		if (!is_protected(c, n))
			return n;
	}
}

static const uint64_t kaddrs[] = {
    0xffff800000000000ULL, 0xffffffff80000000ULL, 0xffffffffffffffffULL,
    0xfffffffffffff000ULL, 0x0000800000000000ULL, 0x8000000000000000ULL,
    0x00007ffffffff000ULL, 0x00007fffffffffffULL,
};

/* An address: unmapped, kernel, non-canonical, misaligned, or (when
 * VALID may be) one of our buffers. */
static uint64_t gaddr(struct gctx *c, int valid)
{
	switch (R(valid ? 10 : 9)) {
	case 0:
		return R(2) ? 0 : R(4096);
	case 1:
		return 0x1000 + R(0x3ff) * 0x1000 + (R(4) ? 0 : R(4096));
	case 2:
		return kaddrs[R(8)] + (R(2) ? 0 : R(0x100000));
	case 3:
		return 0xffff800000000000ULL + (rnd(c) & 0x7fffffffffffULL);
	case 4:
		return 0x0000800000000000ULL + (rnd(c) % 0xffff000000000000ULL);
	case 5:
		return rnd(c);
	case 6:
	case 7:
		return 0x500000000000ULL + (rnd(c) & 0xfffffffff000ULL) +
		       (R(4) ? 0 : R(4096));
	case 8:
		return live_end + R(0x4000) * 0x1000;
	default:
		return (uint64_t)(uintptr_t)c->buf + R(64);
	}
}

/*
 * A pointer a trap reads or writes in place.  GNU Mach panics on a
 * non-canonical one (mach_print with 0x18d5eda0346db124: a general
 * protection fault in the kernel), so it gets kernel addresses instead,
 * and none in the first page.
 */
static uint64_t gptr(struct gctx *c)
{
	uint64_t a = gaddr(c, 0);

	if (!on_machr && a >= 0x0000800000000000ULL &&
	    a < 0xffff800000000000ULL)
		a = 0xffff800000000000ULL | (a & 0x7fffffffffffULL);
	/* GNU Mach also faults in the kernel on mach_msg_trap with a null
	 * message (a page fault at address 0). */
	if (!on_machr && a < 0x1000)
		a += 0x1000;
	return a;
}

/* A size: small, odd, page multiples, huge. */
static uint64_t gsize(struct gctx *c)
{
	switch (R(8)) {
	case 0:
		return R(2) ? 0 : 1 + R(64);
	case 1:
		return 0x1000 * (1 + R(16));
	case 2:
		return 0x1000 * (1 + R(16)) + 1 + R(4095);
	case 3:
		return 1ULL << (32 + R(32));
	case 4:
		return ~0ULL - R(0x2000);
	case 5:
		return rnd(c);
	case 6:
		return 0x100000000ULL * (1 + R(16));
	default:
		return R(0x20000);
	}
}

/* Does [a, a + n) stay off our code, data and stacks (below 0x400000,
 * from live_end up, or past the user space), without wrapping? */
static int range_safe(uint64_t a, uint64_t n)
{
	uint64_t lo = a & ~0xfffULL, end;

	if (a + n < a || a + n + 0xfff < a + n)
		return lo >= 0x800000000000ULL && n == 0;
	end = (a + n + 0xfff) & ~0xfffULL;
	if (n == 0)
		end = lo;
	return end <= 0x400000 || lo >= live_end;
}

/* An address and size for a call that changes the map of TASK. */
static void grange(struct gctx *c, mach_port_t task, uint64_t *a, uint64_t *n)
{
	for (int i = 0; i < 16; i++) {
		*a = gaddr(c, 0);
		*n = gsize(c);
		if (task != T || range_safe(*a, *n))
			return;
	}
	*a = 0x1000;
	*n = 0x1000;
}

/* Built with -DGARBAGE_TRACE, each call is named on the console first
 * (mach_print), to find the one that stops a kernel. */
static int pick(struct gctx *c, const char *what, int n)
{
	int k = R(n);

	if (skip_case >= 0 && k == skip_case)
		k = (k + 1) % n;
	if (skip_case < -1)
		k = (int)(-skip_case - 2) % n;
#ifdef GARBAGE_TRACE
	char line[48];
	snprintf(line, sizeof(line), "[%d %lu %s %d]\n", c->id, c->calls, what,
	         k);
	mach_print(line);
#else
	(void)what;
#endif
	return k;
}

static void trace_trap(struct gctx *c, const uint64_t *r)
{
#ifdef GARBAGE_TRACE
	char line[200];
	snprintf(line, sizeof(line),
	         "[%d %lu trap %ld %lx %lx %lx %lx %lx %lx / %lx]\n", c->id,
	         c->calls, (long)r[0], (unsigned long)r[1], (unsigned long)r[2],
	         (unsigned long)r[3], (unsigned long)r[4], (unsigned long)r[5],
	         (unsigned long)r[6], (unsigned long)r[7]);
	mach_print(line);
#else
	(void)c;
	(void)r;
#endif
}

static void keep(mach_port_t *a, int *n, int max, mach_port_t name)
{
	if (name == MACH_PORT_NULL || name == MACH_PORT_DEAD)
		return;
	if (*n < max)
		a[(*n)++] = name;
	else
		a[name % max] = name;
}

/* New ports of every kind for the pool, and stale names. */
static void refill(struct gctx *c)
{
	mach_port_t n = MACH_PORT_NULL;
	static const mach_port_right_t rights[] = {
	    MACH_PORT_RIGHT_RECEIVE, MACH_PORT_RIGHT_PORT_SET,
	    MACH_PORT_RIGHT_DEAD_NAME, MACH_PORT_RIGHT_RECEIVE};

	if (mach_port_allocate(T, rights[R(4)], &n) != KERN_SUCCESS)
		return;
	if (R(3) == 0) {
		(void)mach_port_destroy(T, n);
		keep(c->stale, &c->nstale, 16, n);
		return;
	}
	if (R(2))
		(void)mach_port_insert_right(T, n, n, MACH_MSG_TYPE_MAKE_SEND);
	keep(c->pool, &c->npool, 16, n);
}

/* The right a port item of a message may carry: moving one of the
 * protected names is made a copy or a make. */
static mach_msg_type_name_t gdisp(struct gctx *c, mach_port_t n)
{
	static const mach_msg_type_name_t d[] = {MACH_MSG_TYPE_MOVE_RECEIVE,
	                                         MACH_MSG_TYPE_MOVE_SEND,
	                                         MACH_MSG_TYPE_MOVE_SEND_ONCE,
	                                         MACH_MSG_TYPE_COPY_SEND,
	                                         MACH_MSG_TYPE_MAKE_SEND,
	                                         MACH_MSG_TYPE_MAKE_SEND_ONCE,
	                                         MACH_MSG_TYPE_COPY_SEND,
	                                         0,
	                                         1,
	                                         22,
	                                         255};
	mach_msg_type_name_t t = d[R(11)];

	if (is_protected(c, n) &&
	    (t == MACH_MSG_TYPE_MOVE_RECEIVE || t == MACH_MSG_TYPE_MOVE_SEND ||
	     t == MACH_MSG_TYPE_MOVE_SEND_ONCE))
		t = MACH_MSG_TYPE_COPY_SEND;
	return t;
}

/*
 * The disposition of a port argument of a kernel routine (the notify
 * port of mach_port_request_notification, device_set_filter's and
 * device_intr_ack's receive port, register_new_task_notification's
 * port).  GNU Mach fails an assertion (ipc_object_release:
 * io_references > 0) when the child dies after some of these got a
 * receive right or a bad disposition: there, send rights only.
 */
static mach_msg_type_name_t gdisp_arg(struct gctx *c)
{
	static const mach_msg_type_name_t d[] = {MACH_MSG_TYPE_COPY_SEND,
	                                         MACH_MSG_TYPE_MAKE_SEND,
	                                         MACH_MSG_TYPE_MAKE_SEND_ONCE};

	return on_machr ? gdisp(c, MACH_PORT_NULL) : d[R(3)];
}
