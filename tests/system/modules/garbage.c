/*
 * tests/system/modules/garbage.c — every trap and every kernel RPC with
 * garbage, from several threads, and nothing leaks.
 *
 * The bootstrap task takes a snapshot of the kernel's slab caches
 * (host_slab_info), makes a child task (task_create, inherit TRUE) and
 * starts NTHREADS threads in it.  Each runs a fixed number of rounds of a
 * deterministic generator (seeded per thread) that calls, with random
 * and stale names, unmapped, kernel, non-canonical and misaligned
 * addresses, huge and odd sizes and ill-typed message items:
 *   - every trap number from -1 to -130 and a few positive and huge ones
 *     (garbage_trap below loads all argument registers and the stack
 *     arguments 7 to 11);
 *   - every routine of mach.defs, mach_port.defs, mach_host.defs,
 *     gnumach.defs and device.defs through the runtime's MIG stubs;
 *   - raw messages with a random msgh_id in each interface's range (and
 *     beyond) and random typed bodies: wrong msgt_name/size/number,
 *     out-of-line items at unmapped and kernel addresses, port items with
 *     random names and dispositions.
 * The parent serves the child's exceptions (the out-of-range trap
 * numbers raise EXC_BAD_INSTRUCTION; the thread is moved past its
 * syscall), waits for every thread's death (dead-name notifications) or
 * the time budget, terminates the child, waits for its port to be a dead
 * name, destroys everything it made for the run and takes the snapshot
 * again.  On Mach_R every cache's live object count must be back to its
 * baseline; on GNU Mach (background activity, caches it keeps) the
 * differences are only reported (docs/ABI.md).
 *
 * What is never done, because it would end the experiment trivially or
 * change the machine beyond the child's life (everything else is called):
 *   - task_terminate/task_suspend of the child's own task and every
 *     call that would change the parent: with the parent's task and
 *     thread ports only calls that read (info, state, regions, names);
 *     the child never gets rights to other tasks or threads than its
 *     own and the parent's main thread: processor_set_tasks and
 *     processor_set_threads are never called (on GNU Mach they hand out
 *     the kernel task's port);
 *   - host_reboot with the host-priv port, host_set_time/adjust_time
 *     with it (the wall clock is shared), register_new_task_notification
 *     and vm_set_default_memory_manager with it (they outlive the
 *     child), vm_wire and vm_wire_all with any real host port (GNU Mach
 *     takes the plain one; a reserved terabyte would be wired);
 *     task_set_essential of the child (GNU Mach panics when an essential
 *     task dies), task_set_emulation(_vector)/task_ras_control on it;
 *   - in the child's own task: thread_terminate/thread_suspend of the
 *     calling thread, thread_suspend of a sibling other than
 *     immediately followed by thread_resume, thread_set_state of its
 *     threads with a state that would be taken (only bad flavors and
 *     counts), thread_set_self_state with a state that would be taken,
 *     setting the task's or a thread's kernel or exception port,
 *     vm_deallocate/vm_protect/vm_map/vm_allocate/vm_write/vm_copy (and
 *     the traps, and out-of-line items with the deallocate bit) over the
 *     program's own code, data and stacks (the ranges used there lie
 *     below 0x400000, above the last stack, or past the user space),
 *     mach_port_destroy/deallocate/mod_refs/rename/extract/insert/
 *     move_member of the names the threads need (task, threads, their
 *     reply ports, the report ports); a thread_terminate of a sibling is
 *     rare (part of the chaos: the parent waits for every thread's death
 *     either way);
 *   - calls that would block forever: receives and sends always carry a
 *     timeout of a few ms, gsync_wait is always GSYNC_TIMED,
 *     thread_switch waits at most 10 ms, device reads are D_NOWAIT;
 *   - console output: device writes to an opened device carry unmapped
 *     data or none, mach_print only reads an empty string or garbage
 *     addresses, and opened devices get no device_set_status (the serial
 *     line's settings) nor device_close (the parent's console is the
 *     same device): the TAP output must stay readable;
 *   - tasks made by task_create (RPC or trap) are terminated at once and
 *     the trap's result pointer is always valid (a task whose right was
 *     lost would outlive the child on any kernel); threads made by
 *     thread_create are terminated at once;
 *   - nothing is sent to the parent's report port but the reports (the
 *     parent would have to destroy the rights in what arrives there);
 *     every mach_msg of the child, the MIG stubs' too, has a 20 ms
 *     timeout (a request to a port of its own is never answered).
 * On GNU Mach, which panics on some garbage, also (docs/ABI.md):
 *   - no unmapped, null or non-canonical pointers to mach_print and
 *     mach_msg_trap (kernel page and protection faults), no garbage
 *     nanoseconds to host_set_time64 (an assertion), no
 *     mach_ports_register (a fault at address 0) and no out-of-line port
 *     arrays of more than 4095 names (the kernel map runs out, then the
 *     machine crashes), no device_read of the console (it waits for
 *     input despite D_NOWAIT);
 *   - unpinned: with other seeds GNU Mach fails the assertion
 *     io_references > 0 in ipc_object_release when the child dies;
 *     while looking for the call, vm_allocate_contiguous,
 *     thread_terminate_release, task_set_essential and receive rights
 *     or bad dispositions as routine arguments were left out there, and
 *     it runs ROUNDS_GNUMACH calls only (longer runs also hit a slab
 *     assertion, kmem_cache_alloc_from_slab: bufctl != NULL).
 */
#include <device/device.h>
#include <mach/exc_server.h>
#include <mach/gnumach.h>
#include <mach/notify.h>
#include <mach/task_special_ports.h>
#include <mach/thread_special_ports.h>
#include <mach/thread_switch.h>
#include <mach_debug/mach_debug.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T machr_task

#define NTHREADS 4
/* Calls per thread: about 3 s under TCG on Mach_R.  GNU Mach gets
 * fewer: with longer runs its own bugs stop it (kernel traps, and
 * kmem_cache_alloc_from_slab: bufctl != NULL). */
#define ROUNDS_MACHR   3000
#define ROUNDS_GNUMACH 400
#define BUDGET         30 /* seconds the parent waits for the threads at most */

/* Names of our rights in the child. */
#define C_REPORT  0x2001 /* send right to the parent's report port */
#define C_GO      0x2002 /* receive right the threads wait on to start */
#define C_PTASK   0x2003 /* the parent's task port */
#define C_PTHREAD 0x2004 /* the parent's main thread */
#define C_HPRIV   0x2005 /* host-priv */
#define C_DEVICE  0x2006 /* device master */

/* Report ids from the child. */
#define ID_READY 1
#define ID_DONE  2

boolean_t exc_server(mach_msg_header_t *in, mach_msg_header_t *out);

/*
 * garbage_trap(r): load %rax = r[0], the six argument registers from
 * r[1..6] (%rdi, %rsi, %rdx, %r10, %r8, %r9) and the stack arguments 7 to
 * 11 from r[7..11] (at 8(%rsp) .. 40(%rsp) when the syscall runs), trap,
 * return %rax.  garbage_trap_sys is the syscall, garbage_trap_back the
 * instruction after it: the parent resumes a thread whose trap raised an
 * exception there.
 */
__asm__(".text\n"
        ".globl garbage_trap\n"
        "garbage_trap:\n"
        "	pushq %rbx\n"
        "	movq %rdi, %rbx\n"
        "	subq $48, %rsp\n"
        "	movq 56(%rbx), %rax; movq %rax, 8(%rsp)\n"
        "	movq 64(%rbx), %rax; movq %rax, 16(%rsp)\n"
        "	movq 72(%rbx), %rax; movq %rax, 24(%rsp)\n"
        "	movq 80(%rbx), %rax; movq %rax, 32(%rsp)\n"
        "	movq 88(%rbx), %rax; movq %rax, 40(%rsp)\n"
        "	movq 8(%rbx), %rdi\n"
        "	movq 16(%rbx), %rsi\n"
        "	movq 24(%rbx), %rdx\n"
        "	movq 32(%rbx), %r10\n"
        "	movq 40(%rbx), %r8\n"
        "	movq 48(%rbx), %r9\n"
        "	movq 0(%rbx), %rax\n"
        ".globl garbage_trap_sys\n"
        "garbage_trap_sys:\n"
        "	syscall\n"
        ".globl garbage_trap_back\n"
        "garbage_trap_back:\n"
        "	addq $48, %rsp\n"
        "	popq %rbx\n"
        "	ret\n");
uint64_t garbage_trap(const uint64_t r[12]);
extern char garbage_trap_sys[], garbage_trap_back[];

/* ---- what the child's threads share ------------------------------- */

static mach_port_t wself[NTHREADS]; /* the threads' own names */
static mach_port_t wraw[NTHREADS];  /* their raw-message reply ports */
static vm_address_t live_end;       /* our memory ends below this */
static int on_machr;                /* set before task_create */
static unsigned long rounds;        /* ROUNDS_MACHR or ROUNDS_GNUMACH */
/* To find a call that breaks a kernel: argv[3] may be a mask of call
 * groups to leave out (bit 0 traps, 1 raw messages, 2 mach, 3 mach_port,
 * 4 mach_host, 5 gnumach, 6 device) and argv[4] one case of each group
 * to leave out (-1: none) or, negated minus 2, the only case to make. */
static unsigned long skip_groups;
static long skip_case = -1;

/* Set in the child only: every mach_msg there has a timeout. */
static int bounded_msgs;

/*
 * mach_msg(), as the runtime's (user/runtime/mach_msg.c), used by the MIG
 * stubs too: in the child every send and receive is bounded by 20 ms, so
 * an RPC whose request went to a port of our own (nobody answers) or to
 * a full queue comes back; a kernel's reply is queued before the receive
 * starts, so it is never cut short.
 */
mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                           mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                           mach_port_t rcv_name, mach_msg_timeout_t timeout,
                           mach_port_t notify)
{
	mach_msg_return_t mr;

	if (bounded_msgs) {
		if (!(option & (MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT)) ||
		    timeout > 20)
			timeout = 20;
		option |= MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT;
	}
	do
		mr = mach_msg_trap(msg, option, send_size, rcv_size, rcv_name,
		                   timeout, notify);
	while (mr == MACH_SEND_INTERRUPTED && !(option & MACH_SEND_INTERRUPT));
	option &= ~MACH_SEND_MSG;
	while (mr == MACH_RCV_INTERRUPTED && !(option & MACH_RCV_INTERRUPT))
		mr = mach_msg_trap(msg, option, 0, rcv_size, rcv_name, timeout,
		                   notify);
	return mr;
}

/* Per-thread state. */
struct gctx {
	int id;
	uint64_t s;            /* generator state */
	mach_port_t pool[16];  /* live rights of ours */
	mach_port_t stale[16]; /* destroyed names */
	mach_port_t kobj[16];  /* kernel objects met (psets, devices, ...) */
	mach_port_t devs[4];   /* opened devices */
	int npool, nstale, nkobj, ndevs;
	unsigned long calls, terminated_sibling;
	union {
		mach_msg_header_t h;
		uint64_t q[512];
	} msg, rcv;
	natural_t buf[1024];
	char text[512];
};
static struct gctx ctxs[NTHREADS];

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

/* ---- the calls ----------------------------------------------------- */

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

/* A child thread: say we are here, wait for the go, then the chaos. */
static void worker(void *arg)
{
	struct gctx *c = &ctxs[(uintptr_t)arg];
	struct machr_word_msg m;

	c->id = (int)(uintptr_t)arg;
	c->s = 0x5eed0000 + (uint64_t)c->id * 0x1234567;
	wself[c->id] = mach_thread_self();
	wraw[c->id] = mach_reply_port();
	(void)machr_send_word(C_REPORT, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL,
	                      0, ID_READY, c->id, 0, 0);
	if (machr_recv_word(C_GO, &m, MACH_RCV_TIMEOUT, 30000) != 0)
		return;
	live_end = m.word;
	bounded_msgs = 1;
	for (int i = 0; i < 4; i++)
		refill(c);
	for (c->calls = 0; c->calls < rounds; c->calls++) {
		if (R(16) == 0)
			refill(c);
		int g = R(8);
		if (skip_groups >> (g < 2 ? 0 : g - 1) & 1)
			continue;
		switch (g) {
		case 0:
		case 1:
			call_trap(c);
			break;
		case 2:
			call_raw(c);
			break;
		case 3:
			call_mach(c);
			break;
		case 4:
			call_port(c);
			break;
		case 5:
			call_host(c);
			break;
		case 6:
			call_gnumach(c);
			break;
		default:
			call_device(c);
			break;
		}
	}
	(void)machr_send_word(C_REPORT, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL,
	                      0, ID_DONE, c->calls, MACH_SEND_TIMEOUT, 1000);
}

/* ---- the parent ------------------------------------------------------ */

static unsigned long exc_served, exc_killed;

/* An exception of a child thread: a trap beyond the table is skipped
 * (the thread goes on after its syscall); anything else ends the
 * thread. */
kern_return_t catch_exception_raise(mach_port_t port, mach_port_t thread,
                                    mach_port_t task, integer_t exception,
                                    integer_t code, rpc_long_integer_t subcode)
{
	struct i386_thread_state st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	int skipped = 0;

	(void)port;
	if (thread_get_state(thread, i386_THREAD_STATE, (thread_state_t)&st,
	                     &n) == KERN_SUCCESS &&
	    (st.rip == (uintptr_t)garbage_trap_sys ||
	     st.rip == (uintptr_t)garbage_trap_back)) {
		st.rip = (uintptr_t)garbage_trap_back;
		st.rax = KERN_FAILURE;
		skipped = thread_set_state(thread, i386_THREAD_STATE,
		                           (thread_state_t)&st, n) == 0;
	}
	if (skipped)
		exc_served++;
	else {
		exc_killed++;
		tap_diag("exception %d code %#x subcode %#lx at rip %#lx: "
		         "thread ended",
		         exception, code, (unsigned long)subcode,
		         (unsigned long)st.rip);
		(void)thread_terminate(thread);
	}
	(void)mach_port_deallocate(T, thread);
	(void)mach_port_deallocate(T, task);
	return KERN_SUCCESS;
}

#define MAX_CACHES 128
struct snapshot {
	unsigned n;
	cache_info_t c[MAX_CACHES];
};
static struct snapshot before, after;

/* Read a byte of every page of our own writable regions up to 1 MiB
 * (program data, bss, the stack): pages first touched during the run
 * would otherwise count as kernel memory that grew (Mach_R's
 * vm.object_page cache holds every task's pages). */
static void touch_own_memory(void)
{
	vm_address_t addr = 0;

	for (;;) {
		vm_size_t size;
		vm_prot_t prot, max;
		vm_inherit_t inh;
		boolean_t shared;
		mach_port_t name = MACH_PORT_NULL;
		vm_offset_t off;

		if (vm_region(T, &addr, &size, &prot, &max, &inh, &shared,
		              &name, &off) != KERN_SUCCESS)
			break;
		if (name != MACH_PORT_NULL)
			(void)mach_port_deallocate(T, name);
		if ((prot & VM_PROT_WRITE) && size <= (1u << 20))
			for (vm_size_t i = 0; i < size; i += 4096)
				(void)((volatile char *)addr)[i];
		addr += size;
	}
}

static kern_return_t snap(mach_port_t host_priv, struct snapshot *s)
{
	cache_info_array_t info = NULL;
	mach_msg_type_number_t n = 0;
	kern_return_t kr;

	kr = host_slab_info(host_priv, &info, &n);
	if (kr != KERN_SUCCESS)
		return kr;
	s->n = n < MAX_CACHES ? n : MAX_CACHES;
	memcpy(s->c, info, s->n * sizeof(cache_info_t));
	(void)vm_deallocate(T, (vm_address_t)info, n * sizeof(cache_info_t));
	return KERN_SUCCESS;
}

/* Caches whose live count differs (by name); prints them if SAY. */
static int slab_diffs(int say)
{
	int diffs = 0;

	for (unsigned i = 0; i < after.n; i++) {
		long was = 0;
		int found = 0;
		/* Mach_R's slab-desc counts slabs, not objects: a cache
		 * that grew keeps one empty slab (kern/slab.c). */
		if (strncmp(after.c[i].name, "slab-desc", CACHE_NAME_MAX_LEN) ==
		    0)
			continue;
		for (unsigned j = 0; j < before.n; j++)
			if (strncmp(before.c[j].name, after.c[i].name,
			            CACHE_NAME_MAX_LEN) == 0) {
				was = (long)before.c[j].nr_objs;
				found = 1;
			}
		if ((long)after.c[i].nr_objs == was)
			continue;
		diffs++;
		if (say)
			tap_diag("cache %.*s: %ld live objects before, %ld "
			         "after%s",
			         CACHE_NAME_MAX_LEN, after.c[i].name, was,
			         (long)after.c[i].nr_objs,
			         found ? "" : " (a new cache)");
	}
	return diffs;
}

static int64_t uptime_ms(mach_port_t host)
{
	time_value64_t tv;

	if (host_get_uptime64(host, &tv) != KERN_SUCCESS)
		return -1;
	return tv.seconds * 1000 + tv.nanoseconds / 1000000;
}

/* One message from the child (200 ms at most): a report, a thread's
 * death or an exception. */
static void serve(mach_port_t set, int *ready, int *done, int *dead,
                  unsigned long *calls)
{
	union {
		mach_msg_header_t h;
		struct machr_word_msg w;
		char buf[1024];
	} in, out;

	if (mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(in), set,
	             200, MACH_PORT_NULL) != 0)
		return;
	if (in.h.msgh_id == MACH_NOTIFY_DEAD_NAME)
		(*dead)++;
	else if (in.h.msgh_id == ID_READY)
		(*ready)++;
	else if (in.h.msgh_id == ID_DONE) {
		(*done)++;
		*calls += in.w.word;
	} else if (exc_server(&in.h, &out.h) &&
	           out.h.msgh_remote_port != MACH_PORT_NULL)
		(void)mach_msg(&out.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT,
		               out.h.msgh_size, 0, MACH_PORT_NULL, 100,
		               MACH_PORT_NULL);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, host = mach_host_self();
	mach_port_t child = MACH_PORT_NULL, th[NTHREADS], rep, exc, notify, set,
	            go, prev;
	kernel_version_t version;
	vm_address_t fence = 0;
	unsigned long calls = 0;
	int machr, ready = 0, done = 0, dead = 0, started = 0;
	int64_t t0;
	mach_port_type_t type = 0;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("garbage: no console\n");
	if (argc > 3 && argv[3][0] >= '0' && argv[3][0] <= '9')
		skip_groups = strtoul(argv[3], NULL, 0);
	if (argc > 4 &&
	    (argv[4][0] == '-' || (argv[4][0] >= '0' && argv[4][0] <= '9')))
		skip_case = strtol(argv[4], NULL, 0);
	tap_plan(9);
	memset(version, 0, sizeof(version));
	(void)host_get_kernel_version(host, version);
	machr = strncmp(version, "Mach_R", 6) == 0;
	tap_diag("kernel: %.40s", version);

	/* Everything we need for the run exists before the baseline. */
	rep = machr_new_receive();
	exc = machr_new_receive();
	notify = machr_new_receive();
	(void)mach_port_insert_right(T, exc, exc, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_allocate(T, MACH_PORT_RIGHT_PORT_SET, &set);
	(void)mach_port_move_member(T, rep, set);
	(void)mach_port_move_member(T, exc, set);
	(void)mach_port_move_member(T, notify, set);
	/* Warm-up: the same calls after, into memory touched now. */
	touch_own_memory();
	(void)snap(host_priv, &after);
	(void)snap(host_priv, &before);
	(void)uptime_ms(host);
	tap_expect(snap(host_priv, &before), 0,
	           "host_slab_info: the baseline (%u caches)", before.n);

	on_machr = machr;
	rounds = machr ? ROUNDS_MACHR : ROUNDS_GNUMACH;
	tap_expect(task_create(T, TRUE, &child), 0,
	           "task_create(inherit TRUE)");
	go = machr_new_receive();
	(void)mach_port_insert_right(T, go, go, MACH_MSG_TYPE_MAKE_SEND);
	(void)task_set_special_port(child, TASK_EXCEPTION_PORT, exc);
	(void)mach_port_insert_right(child, C_REPORT, rep,
	                             MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_insert_right(child, C_GO, go,
	                             MACH_MSG_TYPE_MOVE_RECEIVE);
	(void)mach_port_insert_right(child, C_PTASK, T,
	                             MACH_MSG_TYPE_COPY_SEND);
	{
		mach_port_t me = mach_thread_self();
		(void)mach_port_insert_right(child, C_PTHREAD, me,
		                             MACH_MSG_TYPE_COPY_SEND);
		(void)mach_port_deallocate(T, me);
	}
	(void)mach_port_insert_right(child, C_HPRIV, host_priv,
	                             MACH_MSG_TYPE_COPY_SEND);
	(void)mach_port_insert_right(child, C_DEVICE, device_master,
	                             MACH_MSG_TYPE_COPY_SEND);
	for (int i = 0; i < NTHREADS; i++) {
		th[i] = MACH_PORT_NULL;
		if (machr_task_thread_start(child, worker, (void *)(uintptr_t)i,
		                            &th[i]) != KERN_SUCCESS)
			continue;
		started++;
		(void)mach_port_request_notification(
		    T, th[i], MACH_NOTIFY_DEAD_NAME, 0, notify,
		    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	}
	tap_ok(started == NTHREADS, "%d threads started in the child", started);
	t0 = uptime_ms(host);
	while (ready < started && dead < started &&
	       uptime_ms(host) - t0 < 20000)
		serve(set, &ready, &done, &dead, &calls);
	/* The child's memory so far ends below this page. */
	(void)vm_allocate(child, &fence, 4096, TRUE);
	for (int i = 0; i < ready; i++)
		(void)machr_send_word(go, MACH_MSG_TYPE_COPY_SEND,
		                      MACH_PORT_NULL, 0, 0, fence + 4096, 0, 0);
	tap_ok(ready == started, "every thread is ready (%d)", ready);

	/* The watchdog: exceptions, reports and deaths until every thread
	 * died or the budget is spent. */
	t0 = uptime_ms(host);
	while (dead < started && uptime_ms(host) - t0 < BUDGET * 1000) {
		serve(set, &ready, &done, &dead, &calls);
	}
	tap_diag("%d of %d threads finished their %lu calls (%lu in all), "
	         "%lu exceptions skipped, %lu threads ended by one, %lld ms",
	         done, started, rounds, calls, exc_served, exc_killed,
	         (long long)(uptime_ms(host) - t0));
	for (int i = 0; dead < started && i < NTHREADS; i++) {
		struct thread_basic_info bi;
		mach_msg_type_number_t n = THREAD_BASIC_INFO_COUNT;
		if (thread_info(th[i], THREAD_BASIC_INFO, (thread_info_t)&bi,
		                &n) == KERN_SUCCESS)
			tap_diag("thread %d: run state %d, suspend count %d, "
			         "priority %d/%d, flags %#x",
			         i, bi.run_state, bi.suspend_count,
			         bi.cur_priority, bi.base_priority, bi.flags);
	}
	tap_ok(dead == started, "every thread of the child ended (%d of %d)",
	       dead, started);

	tap_expect(task_terminate(child), 0, "task_terminate the child");
	for (int i = 0; i < 250; i++) {
		if (mach_port_type(T, child, &type) == KERN_SUCCESS &&
		    type == MACH_PORT_TYPE_DEAD_NAME)
			break;
		machr_sleep_ms(20);
	}
	tap_ok(type == MACH_PORT_TYPE_DEAD_NAME,
	       "its port is a dead name (%#x)", type);

	/* Undo everything we made for the run, then compare (the kernel
	 * may finish a dead thread's teardown a little later: try a few
	 * times). */
	(void)mach_port_destroy(T, child);
	for (int i = 0; i < NTHREADS; i++)
		if (th[i] != MACH_PORT_NULL)
			(void)mach_port_destroy(T, th[i]);
	(void)mach_port_destroy(T, go);
	/* rep, exc, notify and set are older than the baseline: kept. */
	{
		kern_return_t kr = KERN_SUCCESS;
		int diffs = -1;
		for (int i = 0; i < 50 && diffs != 0; i++) {
			if (i > 0)
				machr_sleep_ms(100);
			kr = snap(host_priv, &after);
			if (kr != KERN_SUCCESS)
				break;
			diffs = slab_diffs(0);
		}
		tap_expect(kr, 0, "host_slab_info after the run (%u caches)",
		           after.n);
		diffs = slab_diffs(1);
		if (machr)
			tap_ok(diffs == 0,
			       "every slab cache is back to its baseline "
			       "(%d differ)",
			       diffs);
		else
			/* GNU Mach keeps objects in caches and works in the
			 * background: its counts are only reported. */
			tap_ok(1,
			       "GNU Mach: %d caches differ (reported only, "
			       "docs/ABI.md)",
			       diffs);
	}
	tap_finish(host_priv);
	return 0;
}
