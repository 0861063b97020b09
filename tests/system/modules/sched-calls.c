/*
 * tests/system/modules/sched-calls.c — the scheduling and processor-set
 * calls of mach_host.defs and mach.defs as a program sees them: thread
 * priorities (thread_info, thread_priority, thread_max_priority,
 * task_priority), depression (swtch_pri, thread_switch, thread_depress_
 * abort), the default processor set (its name and control ports, info,
 * tasks, threads, max priority, policies), assignments, thread_policy,
 * thread_wire, task_set_essential, mach_ports_register/lookup and the
 * processor calls.  The threads whose priorities are read stay
 * suspended; only the depression checks use a spinning thread and time
 * windows (generous ones).  Each check states what GNU Mach answers.
 */
#include <mach/gnumach.h>
#include <mach/mach_host.h>
#include <mach/thread_switch.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

static mach_port_t host_priv, host; /* host control and name ports */
/* The CPUs running (HOST_BASIC_INFO's avail_cpus): GNU Mach's Debian
 * build has one; Mach_R may run with more (machr-run --smp). */
static int ncpus = 1;
static mach_port_t pset_name, pset; /* default set: name and control */
static mach_port_t self;            /* the main thread */

static kern_return_t sched_info(mach_port_t th, struct thread_sched_info *si)
{
	mach_msg_type_number_t n = THREAD_SCHED_INFO_COUNT;

	memset(si, 0x5a, sizeof(*si));
	return thread_info(th, THREAD_SCHED_INFO, (thread_info_t)si, &n);
}

static kern_return_t basic_info(mach_port_t th, struct thread_basic_info *bi)
{
	mach_msg_type_number_t n = THREAD_BASIC_INFO_COUNT;

	memset(bi, 0x5a, sizeof(*bi));
	return thread_info(th, THREAD_BASIC_INFO, (thread_info_t)bi, &n);
}

/* base, cur, max of TH packed as base << 16 | cur << 8 | max, or -1. */
static int prios(mach_port_t th)
{
	struct thread_sched_info si;

	if (sched_info(th, &si) != KERN_SUCCESS)
		return -1;
	return si.base_priority << 16 | si.cur_priority << 8 | si.max_priority;
}
#define PRIOS(b, c, m) ((b) << 16 | (c) << 8 | (m))

static mach_port_t new_thread(void)
{
	mach_port_t th = MACH_PORT_NULL;

	(void)thread_create(T, &th);
	return th;
}

static void check_thread_info(void)
{
	struct thread_sched_info si;
	struct thread_basic_info bi;
	mach_port_t th = new_thread();
	mach_msg_type_number_t n;

	tap_expect(sched_info(th, &si), 0, "thread_info(THREAD_SCHED_INFO)");
	tap_diag("new thread: policy %d data %d base %d max %d cur %d "
	         "depressed %d depress_priority %d last_processor %d",
	         si.policy, si.data, si.base_priority, si.max_priority,
	         si.cur_priority, si.depressed, si.depress_priority,
	         si.last_processor);
	/* GNU Mach: a new user thread is timesharing with base and max 25;
	 * the current priority of a thread that never ran reads base + 7. */
	tap_ok(si.policy == POLICY_TIMESHARE && si.data == 0,
	       "new thread: POLICY_TIMESHARE, data 0 (%d, %d)", si.policy,
	       si.data);
	tap_ok(si.base_priority == 25 && si.cur_priority == 32 &&
	           si.max_priority == 25,
	       "new thread: base 25, cur 32, max 25 (%d, %d, %d)",
	       si.base_priority, si.cur_priority, si.max_priority);
	/* GNU Mach: depress_priority reads -1 when not depressed. */
	tap_ok(si.depressed == 0 && si.depress_priority == -1 &&
	           si.last_processor == 0,
	       "not depressed, depress_priority -1, last processor 0 "
	       "(%d, %d, %d)",
	       si.depressed, si.depress_priority, si.last_processor);
	tap_expect(basic_info(th, &bi), 0, "thread_info(THREAD_BASIC_INFO)");
	tap_ok(bi.base_priority == 25 && bi.cur_priority == 32,
	       "basic info: base 25, cur 32 (%d, %d)", bi.base_priority,
	       bi.cur_priority);

	tap_expect(sched_info(self, &si), 0, "THREAD_SCHED_INFO of ourselves");
	tap_diag("main thread: policy %d base %d max %d cur %d depressed %d",
	         si.policy, si.base_priority, si.max_priority, si.cur_priority,
	         si.depressed);
	/* GNU Mach: the bootstrap task's thread has the same numbers (cur
	 * 32 or 33 with its usage). */
	tap_ok(si.policy == POLICY_TIMESHARE && si.base_priority == 25 &&
	           si.max_priority == 25 && si.cur_priority >= 25 &&
	           si.cur_priority <= 40,
	       "main thread: timesharing, base 25, max 25, cur %d",
	       si.cur_priority);

	/* GNU Mach: the kernel fills the whole structure anyway, which the
	 * stub refuses. */
	n = THREAD_SCHED_INFO_COUNT - 1;
	tap_expect(thread_info(th, THREAD_SCHED_INFO, (thread_info_t)&si, &n),
	           MIG_ARRAY_TOO_LARGE,
	           "THREAD_SCHED_INFO with count 7: MIG_ARRAY_TOO_LARGE");
	n = THREAD_SCHED_INFO_COUNT;
	tap_expect(thread_info(th, 99, (thread_info_t)&si, &n),
	           KERN_INVALID_ARGUMENT, "thread_info of flavor 99");
	n = THREAD_SCHED_INFO_COUNT;
	tap_expect(thread_info(T, THREAD_SCHED_INFO, (thread_info_t)&si, &n),
	           KERN_INVALID_ARGUMENT, "thread_info on our task port");
	(void)thread_terminate(th);
	(void)mach_port_deallocate(T, th);
}

static void check_thread_priority(void)
{
	mach_port_t th = new_thread();

	/* GNU Mach: priorities run from 0 (highest) to 63; a number below
	 * the max (a higher priority) is KERN_FAILURE and changes nothing. */
	tap_expect(thread_priority(th, 30, FALSE), 0,
	           "thread_priority 30 (lower)");
	tap_ok(prios(th) == PRIOS(30, 37, 25), "base 30, cur 37, max 25 (%#x)",
	       prios(th));
	tap_expect(thread_priority(th, 10, FALSE), KERN_FAILURE,
	           "thread_priority 10, above max 25: KERN_FAILURE");
	tap_expect(thread_priority(th, 10, TRUE), KERN_FAILURE,
	           "likewise with set_max TRUE");
	tap_ok(prios(th) == PRIOS(30, 37, 25), "unchanged (%#x)", prios(th));
	tap_expect(thread_priority(th, 25, FALSE), 0,
	           "thread_priority 25, at the max");
	tap_expect(thread_priority(th, 40, TRUE), 0,
	           "thread_priority 40, set_max TRUE");
	tap_ok(prios(th) == PRIOS(40, 47, 40), "base 40, cur 47, max 40 (%#x)",
	       prios(th));
	tap_expect(thread_priority(th, 30, FALSE), KERN_FAILURE,
	           "then going back to 30 is KERN_FAILURE");
	tap_expect(thread_priority(th, 63, FALSE), 0,
	           "thread_priority 63 (the lowest)");
	/* GNU Mach: cur = base + 7, capped at 63. */
	tap_ok(prios(th) == PRIOS(63, 63, 40), "base 63, cur 63 (%#x)",
	       prios(th));
	tap_expect(thread_priority(th, 64, FALSE), KERN_INVALID_ARGUMENT,
	           "thread_priority 64: KERN_INVALID_ARGUMENT");
	tap_expect(thread_priority(th, -1, TRUE), KERN_INVALID_ARGUMENT,
	           "thread_priority -1: KERN_INVALID_ARGUMENT");
	tap_expect(thread_priority(th, 1000, TRUE), KERN_INVALID_ARGUMENT,
	           "thread_priority 1000: KERN_INVALID_ARGUMENT");
	tap_ok(prios(th) == PRIOS(63, 63, 40), "unchanged (%#x)", prios(th));
	tap_expect(thread_priority(T, 30, FALSE), KERN_INVALID_ARGUMENT,
	           "thread_priority on a task port");
	tap_expect(thread_priority(MACH_PORT_NULL, 30, FALSE),
	           MACH_SEND_INVALID_DEST, "thread_priority on MACH_PORT_NULL");

	/* With the set's control port the max can go back up. */
	tap_expect(thread_max_priority(th, pset, 5), 0,
	           "thread_max_priority 5 with the set's control port");
	tap_ok(prios(th) == PRIOS(63, 63, 5), "base 63, max 5 (%#x)",
	       prios(th));
	tap_expect(thread_priority(th, 5, FALSE), 0,
	           "then thread_priority 5 works");
	tap_ok(prios(th) == PRIOS(5, 12, 5), "base 5, cur 12 (%#x)", prios(th));
	tap_expect(thread_max_priority(th, pset, 30), 0,
	           "thread_max_priority 30, below the base 5");
	/* GNU Mach: the base follows the max down. */
	tap_ok(prios(th) == PRIOS(30, 37, 30), "base follows: 30, 37, 30 (%#x)",
	       prios(th));
	tap_expect(thread_max_priority(th, pset, 63), 0,
	           "thread_max_priority 63");
	tap_expect(thread_max_priority(th, pset_name, 0), KERN_INVALID_ARGUMENT,
	           "thread_max_priority with the set's name port");
	tap_expect(thread_max_priority(th, host, 0), KERN_INVALID_ARGUMENT,
	           "thread_max_priority with the host port");
	tap_expect(thread_max_priority(th, pset, 64), KERN_INVALID_ARGUMENT,
	           "thread_max_priority 64");
	tap_expect(thread_max_priority(th, pset, -1), KERN_INVALID_ARGUMENT,
	           "thread_max_priority -1");
	tap_expect(thread_max_priority(T, pset, 0), KERN_INVALID_ARGUMENT,
	           "thread_max_priority on a task port");
	tap_expect(thread_max_priority(MACH_PORT_NULL, pset, 0),
	           MACH_SEND_INVALID_DEST,
	           "thread_max_priority on MACH_PORT_NULL");
	tap_ok(prios(th) == PRIOS(63, 63, 63), "base, cur, max 63 (%#x)",
	       prios(th));
	(void)thread_terminate(th);
	(void)mach_port_deallocate(T, th);
}

static void check_task_priority(void)
{
	mach_port_t old = new_thread(), young;

	tap_expect(task_priority(T, 28, FALSE), 0,
	           "task_priority 28, change_threads FALSE");
	tap_ok(prios(old) == PRIOS(25, 32, 25),
	       "an existing thread keeps 25 (%#x)", prios(old));
	young = new_thread();
	tap_ok(prios(young) == PRIOS(28, 35, 25),
	       "a new thread gets base 28, max 25 (%#x)", prios(young));
	tap_expect(task_priority(T, 27, TRUE), 0,
	           "task_priority 27, change_threads TRUE");
	tap_ok(prios(old) == PRIOS(27, 34, 25) &&
	           prios(young) == PRIOS(27, 34, 25),
	       "existing threads get 27 (%#x, %#x)", prios(old), prios(young));
	tap_ok((prios(self) >> 16) == 27, "the main thread too (%#x)",
	       prios(self));
	/* GNU Mach: task_priority checks only the range 0..63. */
	tap_expect(task_priority(T, 63, FALSE), 0, "task_priority 63");
	tap_expect(task_priority(T, 64, FALSE), KERN_INVALID_ARGUMENT,
	           "task_priority 64");
	tap_expect(task_priority(T, -1, FALSE), KERN_INVALID_ARGUMENT,
	           "task_priority -1");
	tap_expect(task_priority(self, 25, FALSE), KERN_INVALID_ARGUMENT,
	           "task_priority on a thread port");
	tap_expect(task_priority(MACH_PORT_NULL, 25, FALSE),
	           MACH_SEND_INVALID_DEST, "task_priority on MACH_PORT_NULL");
	tap_expect(task_priority(T, 25, TRUE), 0, "task_priority back to 25");
	tap_ok((prios(self) >> 16) == 25, "the main thread is back at 25 (%#x)",
	       prios(self));
	(void)thread_terminate(old);
	(void)thread_terminate(young);
	(void)mach_port_deallocate(T, old);
	(void)mach_port_deallocate(T, young);
}

static volatile int spinning;

/* Spin for at most 5 s (a kernel that never preempts it then fails the
 * checks instead of hanging). */
static void spinner(void *arg)
{
	int64_t end = machr_now_ms() + 5000;

	(void)arg;
	while (machr_now_ms() < end)
		for (int i = 0; i < 1000000; i++)
			spinning++;
}

static mach_port_t depressed_thread;

/* After 300 ms, end the main thread's depression. */
static void aborter(void *arg)
{
	(void)arg;
	machr_sleep_ms(300);
	(void)thread_depress_abort(depressed_thread);
}

static void check_depress(void)
{
	struct thread_sched_info si;
	mach_port_t th = new_thread(), sp = MACH_PORT_NULL;
	int64_t t0, ms;
	boolean_t b;

	tap_expect(thread_depress_abort(th), 0,
	           "thread_depress_abort of a thread not depressed");
	tap_expect(thread_depress_abort(T), KERN_INVALID_ARGUMENT,
	           "thread_depress_abort on a task port");
	tap_expect(thread_depress_abort(MACH_PORT_NULL), MACH_SEND_INVALID_DEST,
	           "thread_depress_abort on MACH_PORT_NULL");

	/* GNU Mach: with nothing else to run, no depression outlives the
	 * call. */
	b = swtch_pri(0);
	(void)sched_info(self, &si);
	tap_ok(b == FALSE && si.depressed == 0 && si.depress_priority == -1,
	       "swtch_pri alone: FALSE, not depressed after (%d, %d, %d)", b,
	       si.depressed, si.depress_priority);
	tap_expect(thread_depress_abort(self), 0, "thread_depress_abort");
	tap_expect(thread_switch(MACH_PORT_NULL, SWITCH_OPTION_DEPRESS, 5000),
	           0, "thread_switch(DEPRESS, 5 s) alone");
	(void)sched_info(self, &si);
	tap_ok(si.depressed == 0, "not depressed after (%d)", si.depressed);

	/* With a spinning thread, a depressed thread runs again only when
	 * the depression ends: by its timeout or by thread_depress_abort. */
	tap_expect(machr_thread_create(spinner, NULL, &sp), 0,
	           "start a spinning thread");
	/* (With another CPU free, the spinner runs there: nothing waits
	 * for ours, and a depression ends at once.) */
	b = swtch_pri(0);
	tap_ok(b == TRUE || ncpus > 1,
	       "swtch_pri with it runnable: TRUE (%d)%s", b,
	       ncpus > 1 ? " # SKIP more than one CPU" : "");
	(void)thread_depress_abort(self);
	t0 = machr_now_ms();
	tap_expect(thread_switch(MACH_PORT_NULL, SWITCH_OPTION_DEPRESS, 400), 0,
	           "thread_switch(DEPRESS, 400 ms)");
	ms = machr_now_ms() - t0;
	tap_ok((ms >= 380 && ms < 3000) || ncpus > 1,
	       "returns after the 400 ms (%ld)%s", (long)ms,
	       ncpus > 1 ? " # SKIP more than one CPU" : "");
	depressed_thread = self;
	tap_expect(machr_thread_create(aborter, NULL, NULL), 0,
	           "a thread will abort our depression in 300 ms");
	t0 = machr_now_ms();
	tap_expect(thread_switch(MACH_PORT_NULL, SWITCH_OPTION_DEPRESS, 4000),
	           0, "thread_switch(DEPRESS, 4 s)");
	ms = machr_now_ms() - t0;
	tap_ok((ms >= 250 && ms < 2500) || ncpus > 1,
	       "returns after about 300 ms (%ld)%s", (long)ms,
	       ncpus > 1 ? " # SKIP more than one CPU" : "");
	(void)thread_suspend(sp);
	(void)sched_info(sp, &si);
	tap_ok(spinning > 0 && si.cur_priority > si.base_priority,
	       "the spinner ran; its usage lowered its priority (%d, %d)",
	       si.base_priority, si.cur_priority);
	(void)thread_terminate(sp);
	(void)mach_port_deallocate(T, sp);
	(void)thread_terminate(th);
	(void)mach_port_deallocate(T, th);
}

/* Is NAME among the N names of LIST? */
static int listed(mach_port_t *list, mach_msg_type_number_t n, mach_port_t name)
{
	for (mach_msg_type_number_t i = 0; i < n; i++)
		if (list[i] == name)
			return 1;
	return 0;
}

static void drop_list(mach_port_t *list, mach_msg_type_number_t n)
{
	for (mach_msg_type_number_t i = 0; i < n; i++)
		(void)mach_port_deallocate(T, list[i]);
	(void)vm_deallocate(T, (vm_address_t)list, n * sizeof(*list));
}

/*
 * processor_set_tasks or _threads (CALL, named WHAT): on the control
 * port, COUNT entries (as processor_set_info counted), OURS among them;
 * on the name port KERN_INVALID_ARGUMENT.
 */
static void check_listing(kern_return_t (*call)(mach_port_t, mach_port_t **,
                                                mach_msg_type_number_t *),
                          const char *what, int count, mach_port_t ours)
{
	mach_port_t *list = NULL;
	mach_msg_type_number_t n = 0;

	tap_expect(call(pset, &list, &n), 0, "%s", what);
	tap_ok(n == (unsigned)count && listed(list, n, ours),
	       "%s: %u as counted (%d), ours among them", what, n, count);
	drop_list(list, n);
	tap_expect(call(pset_name, &list, &n), KERN_INVALID_ARGUMENT,
	           "%s on the name port", what);
}

static void check_pset(void)
{
	processor_set_name_array_t sets = NULL;
	struct processor_set_basic_info pb;
	struct processor_set_sched_info ps;
	mach_port_t h = MACH_PORT_NULL, p = MACH_PORT_NULL, q = MACH_PORT_NULL;
	mach_msg_type_number_t n;
	mach_port_type_t type = 0;
	int tasks, threads;

	tap_expect(processor_set_default(host, &pset_name), 0,
	           "processor_set_default");
	tap_expect(processor_set_default(host_priv, &p), 0,
	           "processor_set_default on the host control port");
	tap_ok(p == pset_name, "the same name (%u, %u)", p, pset_name);
	(void)mach_port_deallocate(T, p);
	tap_expect(processor_set_default(T, &p), KERN_INVALID_ARGUMENT,
	           "processor_set_default on a task port");
	tap_expect(processor_set_default(MACH_PORT_NULL, &p),
	           MACH_SEND_INVALID_DEST, "processor_set_default on NULL");

	n = 99;
	tap_expect(host_processor_sets(host, &sets, &n), 0,
	           "host_processor_sets");
	tap_ok(n == 1 && sets[0] == pset_name,
	       "one set, the default's name port (%u, %u)", n, n ? sets[0] : 0);
	drop_list(sets, n);
	tap_expect(host_processor_sets(T, &sets, &n), KERN_INVALID_ARGUMENT,
	           "host_processor_sets on a task port");

	tap_expect(host_processor_set_priv(host_priv, pset_name, &pset), 0,
	           "host_processor_set_priv");
	tap_ok(pset != pset_name && pset != MACH_PORT_NULL,
	       "the control port is another port (%u)", pset);
	tap_expect(host_processor_set_priv(host, pset_name, &p),
	           KERN_INVALID_ARGUMENT,
	           "host_processor_set_priv on the host name port");
	tap_expect(host_processor_set_priv(host_priv, pset, &p), 0,
	           "host_processor_set_priv given the control port");
	tap_ok(p == pset, "gives the control port back (%u)", p);
	(void)mach_port_deallocate(T, p);
	tap_expect(host_processor_set_priv(host_priv, host, &p),
	           KERN_INVALID_ARGUMENT,
	           "host_processor_set_priv given the host port");

	n = PROCESSOR_SET_BASIC_INFO_COUNT;
	memset(&pb, 0xff, sizeof(pb));
	tap_expect(processor_set_info(pset_name, PROCESSOR_SET_BASIC_INFO, &h,
	                              (processor_set_info_t)&pb, &n),
	           0, "processor_set_info(BASIC)");
	tap_diag("basic: count %u processors %d tasks %d threads %d load %d "
	         "mach factor %d host %u",
	         n, pb.processor_count, pb.task_count, pb.thread_count,
	         pb.load_average, pb.mach_factor, h);
	/* GNU Mach: 1 processor, 2 tasks (the kernel's and ours), 9
	 * threads, load 0, mach factor 0. */
	tap_ok(n == PROCESSOR_SET_BASIC_INFO_COUNT &&
	           pb.processor_count == ncpus && pb.task_count == 2,
	       "count 5, %d processor(s), two tasks (%u, %d, %d)", ncpus, n,
	       pb.processor_count, pb.task_count);
	tap_ok(h == host, "the host name port comes back (%u, %u)", h, host);
	(void)mach_port_deallocate(T, h);
	tasks = pb.task_count;
	threads = pb.thread_count;
	n = PROCESSOR_SET_SCHED_INFO_COUNT;
	memset(&ps, 0xff, sizeof(ps));
	tap_expect(processor_set_info(pset_name, PROCESSOR_SET_SCHED_INFO, &h,
	                              (processor_set_info_t)&ps, &n),
	           0, "processor_set_info(SCHED)");
	/* GNU Mach: only timesharing is enabled; the max is 25. */
	tap_ok(n == 2 && ps.policies == POLICY_TIMESHARE &&
	           ps.max_priority == 25,
	       "policies %#x, max priority %d (count %u)", ps.policies,
	       ps.max_priority, n);
	(void)mach_port_deallocate(T, h);
	n = PROCESSOR_SET_BASIC_INFO_COUNT;
	tap_expect(processor_set_info(pset, PROCESSOR_SET_BASIC_INFO, &h,
	                              (processor_set_info_t)&pb, &n),
	           0, "processor_set_info on the control port");
	(void)mach_port_deallocate(T, h);
	n = PROCESSOR_SET_BASIC_INFO_COUNT;
	tap_expect(processor_set_info(pset_name, 99, &h,
	                              (processor_set_info_t)&pb, &n),
	           KERN_INVALID_ARGUMENT, "processor_set_info flavor 99");
	/* GNU Mach: a short count is KERN_FAILURE here. */
	n = 4;
	tap_expect(processor_set_info(pset_name, PROCESSOR_SET_BASIC_INFO, &h,
	                              (processor_set_info_t)&pb, &n),
	           KERN_FAILURE, "processor_set_info(BASIC) with count 4");
	n = PROCESSOR_SET_BASIC_INFO_COUNT;
	tap_expect(processor_set_info(host, PROCESSOR_SET_BASIC_INFO, &h,
	                              (processor_set_info_t)&pb, &n),
	           KERN_INVALID_ARGUMENT,
	           "processor_set_info on the host port");

	check_listing(processor_set_tasks, "processor_set_tasks", tasks, T);
	check_listing(processor_set_threads, "processor_set_threads", threads,
	              self);

	/* GNU Mach: no set can be made or destroyed; KERN_FAILURE whatever
	 * the port (even a task's). */
	tap_expect(processor_set_create(host, &p, &q), KERN_FAILURE,
	           "processor_set_create: KERN_FAILURE");
	tap_expect(processor_set_create(T, &p, &q), KERN_FAILURE,
	           "processor_set_create on a task port: KERN_FAILURE");
	tap_expect(processor_set_destroy(pset), KERN_FAILURE,
	           "processor_set_destroy of the default set: KERN_FAILURE");
	tap_expect(processor_set_destroy(pset_name), KERN_FAILURE,
	           "processor_set_destroy on the name port: KERN_FAILURE");
	tap_expect(processor_set_destroy(host), KERN_FAILURE,
	           "processor_set_destroy on the host port: KERN_FAILURE");
	tap_expect(processor_set_destroy(MACH_PORT_NULL),
	           MACH_SEND_INVALID_DEST, "processor_set_destroy on NULL");
	(void)mach_port_type(T, pset, &type);
	tap_ok(type == MACH_PORT_TYPE_SEND, "the control port lives (%#x)",
	       type);
}

static void check_pset_sched(void)
{
	struct processor_set_sched_info ps;
	struct thread_sched_info si;
	mach_port_t h, th = new_thread(), th2;
	mach_msg_type_number_t n = PROCESSOR_SET_SCHED_INFO_COUNT;

	tap_expect(processor_set_max_priority(pset, 10, FALSE), 0,
	           "processor_set_max_priority 10, change_threads FALSE");
	(void)processor_set_info(pset_name, PROCESSOR_SET_SCHED_INFO, &h,
	                         (processor_set_info_t)&ps, &n);
	(void)mach_port_deallocate(T, h);
	tap_ok(ps.max_priority == 10, "the set's max is 10 (%d)",
	       ps.max_priority);
	/* GNU Mach: neither existing nor new threads take the new max. */
	tap_ok(prios(th) == PRIOS(25, 32, 25),
	       "an existing thread keeps max 25 "
	       "(%#x)",
	       prios(th));
	th2 = new_thread();
	tap_ok(prios(th2) == PRIOS(25, 32, 25),
	       "a new thread gets max 25 as well (%#x)", prios(th2));
	tap_expect(processor_set_max_priority(pset, 30, TRUE), 0,
	           "processor_set_max_priority 30, change_threads TRUE");
	tap_ok(prios(th) == PRIOS(30, 37, 30), "existing threads follow (%#x)",
	       prios(th));
	tap_expect(processor_set_max_priority(pset_name, 0, FALSE),
	           KERN_INVALID_ARGUMENT,
	           "processor_set_max_priority on the name port");
	tap_expect(processor_set_max_priority(pset, 64, FALSE),
	           KERN_INVALID_ARGUMENT, "processor_set_max_priority 64");
	tap_expect(processor_set_max_priority(pset, -1, FALSE),
	           KERN_INVALID_ARGUMENT, "processor_set_max_priority -1");
	tap_expect(processor_set_max_priority(pset, 25, TRUE), 0,
	           "processor_set_max_priority back to 25");
	tap_expect(thread_max_priority(self, pset, 25), 0,
	           "and our own max back to 25");
	tap_expect(thread_priority(self, 25, FALSE), 0,
	           "and our priority back to 25");

	tap_expect(thread_policy(th, POLICY_FIXEDPRI, 50), KERN_FAILURE,
	           "thread_policy FIXEDPRI while the set forbids it");
	tap_expect(thread_policy(th, POLICY_TIMESHARE, 0), 0,
	           "thread_policy TIMESHARE");
	tap_expect(processor_set_policy_enable(pset, POLICY_FIXEDPRI), 0,
	           "processor_set_policy_enable FIXEDPRI");
	tap_expect(thread_policy(th, POLICY_FIXEDPRI, 50), 0,
	           "then thread_policy FIXEDPRI, 50 ms");
	(void)sched_info(th, &si);
	tap_diag("fixed: policy %d data %d", si.policy, si.data);
	tap_ok(si.policy == POLICY_FIXEDPRI && si.data == 50,
	       "sched info: FIXEDPRI, data %d", si.data);
	tap_expect(thread_policy(th, 0, 0), KERN_INVALID_ARGUMENT,
	           "thread_policy 0");
	tap_expect(thread_policy(th, 3, 0), KERN_INVALID_ARGUMENT,
	           "thread_policy 3");
	tap_expect(thread_policy(T, POLICY_TIMESHARE, 0), KERN_INVALID_ARGUMENT,
	           "thread_policy on a task port");
	tap_expect(processor_set_policy_disable(pset, POLICY_FIXEDPRI, TRUE), 0,
	           "processor_set_policy_disable FIXEDPRI, change_threads");
	(void)sched_info(th, &si);
	tap_ok(si.policy == POLICY_TIMESHARE,
	       "the fixed thread is timesharing again (%d)", si.policy);
	tap_expect(processor_set_policy_disable(pset, POLICY_TIMESHARE, FALSE),
	           KERN_INVALID_ARGUMENT,
	           "processor_set_policy_disable TIMESHARE");
	tap_expect(processor_set_policy_enable(pset, 3), KERN_INVALID_ARGUMENT,
	           "processor_set_policy_enable 3");
	tap_expect(processor_set_policy_enable(pset_name, POLICY_FIXEDPRI),
	           KERN_INVALID_ARGUMENT,
	           "processor_set_policy_enable on the name port");
	(void)thread_terminate(th);
	(void)thread_terminate(th2);
	(void)mach_port_deallocate(T, th);
	(void)mach_port_deallocate(T, th2);
}

static void check_assign(void)
{
	mach_port_t th = new_thread(), p = MACH_PORT_NULL;

	tap_expect(task_get_assignment(T, &p), 0, "task_get_assignment");
	tap_ok(p == pset_name, "the default set's name (%u, %u)", p, pset_name);
	(void)mach_port_deallocate(T, p);
	tap_expect(thread_get_assignment(th, &p), 0, "thread_get_assignment");
	tap_ok(p == pset_name, "the default set's name (%u)", p);
	(void)mach_port_deallocate(T, p);
	tap_expect(task_get_assignment(self, &p), KERN_INVALID_ARGUMENT,
	           "task_get_assignment on a thread port");
	tap_expect(thread_get_assignment(T, &p), KERN_INVALID_ARGUMENT,
	           "thread_get_assignment on a task port");
	/* GNU Mach: every assignment is KERN_FAILURE, whatever the ports
	 * (even to the default set, or on a port of the wrong kind). */
	tap_expect(task_assign(T, pset, FALSE), KERN_FAILURE,
	           "task_assign to the default set: KERN_FAILURE");
	tap_expect(task_assign(T, pset, TRUE), KERN_FAILURE,
	           "task_assign, assign_threads TRUE: KERN_FAILURE");
	tap_expect(task_assign(T, pset_name, FALSE), KERN_FAILURE,
	           "task_assign to the name port: KERN_FAILURE");
	tap_expect(task_assign_default(T, TRUE), KERN_FAILURE,
	           "task_assign_default: KERN_FAILURE");
	tap_expect(task_assign_default(self, FALSE), KERN_FAILURE,
	           "task_assign_default on a thread port: KERN_FAILURE");
	tap_expect(thread_assign(th, pset), KERN_FAILURE,
	           "thread_assign: KERN_FAILURE");
	tap_expect(thread_assign(th, pset_name), KERN_FAILURE,
	           "thread_assign to the name port: KERN_FAILURE");
	tap_expect(thread_assign_default(th), KERN_FAILURE,
	           "thread_assign_default: KERN_FAILURE");
	tap_expect(thread_assign_default(T), KERN_FAILURE,
	           "thread_assign_default on a task port: KERN_FAILURE");
	tap_expect(thread_assign(MACH_PORT_NULL, pset), MACH_SEND_INVALID_DEST,
	           "thread_assign on NULL");

	tap_expect(thread_wire(host_priv, self, TRUE), 0,
	           "thread_wire of ourselves, TRUE");
	tap_expect(thread_wire(host_priv, self, FALSE), 0,
	           "thread_wire of ourselves, FALSE");
	/* GNU Mach: only the calling thread can be wired; another thread,
	 * even one of ours (started or not), is KERN_INVALID_ARGUMENT. */
	tap_expect(thread_wire(host_priv, th, TRUE), KERN_INVALID_ARGUMENT,
	           "thread_wire of another thread of ours");
	tap_expect(thread_wire(host, self, TRUE), KERN_INVALID_ARGUMENT,
	           "thread_wire with the host name port");
	tap_expect(thread_wire(host_priv, T, TRUE), KERN_INVALID_ARGUMENT,
	           "thread_wire of a task port");
	tap_expect(thread_wire(host_priv, MACH_PORT_NULL, TRUE),
	           KERN_INVALID_ARGUMENT, "thread_wire of MACH_PORT_NULL");

	/* A simpleroutine: only the send can fail. */
	tap_expect(task_set_essential(T, FALSE), 0, "task_set_essential");
	tap_expect(task_set_essential(MACH_PORT_NULL, FALSE),
	           MACH_SEND_INVALID_DEST, "task_set_essential on NULL");
	(void)thread_terminate(th);
	(void)mach_port_deallocate(T, th);
}

static void check_registered(void)
{
	mach_port_t a = machr_new_receive(), b = machr_new_receive();
	mach_port_t reg[5], *out = NULL;
	mach_msg_type_number_t n = 0;

	(void)mach_port_insert_right(T, a, a, MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_insert_right(T, b, b, MACH_MSG_TYPE_MAKE_SEND);
	tap_expect(mach_ports_lookup(T, &out, &n), 0, "mach_ports_lookup");
	tap_ok(n == 4 && out[0] == 0 && out[1] == 0 && out[2] == 0 &&
	           out[3] == 0,
	       "4 null ports at first (%u)", n);
	(void)vm_deallocate(T, (vm_address_t)out, n * sizeof(*out));
	reg[0] = a;
	reg[1] = b;
	tap_expect(mach_ports_register(T, reg, 2), 0,
	           "mach_ports_register of 2 ports");
	tap_expect(mach_ports_lookup(T, &out, &n), 0, "mach_ports_lookup");
	tap_ok(n == 4 && out[0] == a && out[1] == b && out[2] == 0,
	       "4 ports: ours, then null (%u: %u %u %u)", n, n ? out[0] : 0,
	       n > 1 ? out[1] : 0, n > 2 ? out[2] : 0);
	drop_list(out, n);
	for (int i = 0; i < 5; i++)
		reg[i] = a;
	tap_expect(mach_ports_register(T, reg, 5), KERN_INVALID_ARGUMENT,
	           "mach_ports_register of 5 ports");
	/* GNU Mach: an empty array is refused by the kernel's stub. */
	tap_expect(mach_ports_register(T, reg, 0), MIG_BAD_ARGUMENTS,
	           "mach_ports_register of none: MIG_BAD_ARGUMENTS");
	reg[0] = MACH_PORT_NULL;
	tap_expect(mach_ports_register(T, reg, 1), 0,
	           "mach_ports_register of one null port");
	tap_expect(mach_ports_lookup(T, &out, &n), 0, "mach_ports_lookup");
	tap_ok(n == 4 && out[0] == 0 && out[1] == 0, "all null again (%u)", n);
	(void)vm_deallocate(T, (vm_address_t)out, n * sizeof(*out));
	tap_expect(mach_ports_lookup(self, &out, &n), KERN_INVALID_ARGUMENT,
	           "mach_ports_lookup on a thread port");
	(void)mach_port_destroy(T, a);
	(void)mach_port_destroy(T, b);
}

static void check_processors(void)
{
	processor_array_t cpus = NULL;
	struct processor_basic_info pi;
	mach_port_t h = MACH_PORT_NULL, p = MACH_PORT_NULL;
	mach_msg_type_number_t n = 0;
	integer_t cmd[4] = {0};

	tap_expect(host_processors(host_priv, &cpus, &n), 0, "host_processors");
	tap_ok(n == (mach_msg_type_number_t)ncpus && cpus[0] != MACH_PORT_NULL,
	       "%d processor(s) (%u)", ncpus, n);
	tap_expect(host_processors(host, &cpus, &n), KERN_INVALID_ARGUMENT,
	           "host_processors on the host name port");
	n = PROCESSOR_BASIC_INFO_COUNT;
	memset(&pi, 0xff, sizeof(pi));
	tap_expect(processor_info(cpus[0], PROCESSOR_BASIC_INFO, &h,
	                          (processor_info_t)&pi, &n),
	           0, "processor_info(BASIC)");
	tap_diag("cpu: type %d subtype %d running %d slot %d master %d host %u",
	         pi.cpu_type, pi.cpu_subtype, pi.running, pi.slot_num,
	         pi.is_master, h);
	tap_ok(n == PROCESSOR_BASIC_INFO_COUNT &&
	           pi.cpu_type == CPU_TYPE_X86_64 &&
	           pi.cpu_subtype == CPU_SUBTYPE_AT386 && pi.running == 1 &&
	           pi.slot_num == 0 && pi.is_master == 1 && h == host,
	       "x86_64/AT386, running, slot 0, master, the host port");
	(void)mach_port_deallocate(T, h);
	n = PROCESSOR_BASIC_INFO_COUNT;
	/* GNU Mach: an unknown flavor and a short count are KERN_FAILURE. */
	tap_expect(processor_info(cpus[0], 99, &h, (processor_info_t)&pi, &n),
	           KERN_FAILURE, "processor_info flavor 99");
	n = 2;
	tap_expect(processor_info(cpus[0], PROCESSOR_BASIC_INFO, &h,
	                          (processor_info_t)&pi, &n),
	           KERN_FAILURE, "processor_info with count 2");
	n = PROCESSOR_BASIC_INFO_COUNT;
	tap_expect(processor_info(pset, PROCESSOR_BASIC_INFO, &h,
	                          (processor_info_t)&pi, &n),
	           KERN_INVALID_ARGUMENT, "processor_info on a set port");
	tap_expect(processor_get_assignment(cpus[0], &p), 0,
	           "processor_get_assignment");
	tap_ok(p == pset_name, "the default set's name (%u)", p);
	(void)mach_port_deallocate(T, p);
	tap_expect(processor_get_assignment(pset, &p), KERN_INVALID_ARGUMENT,
	           "processor_get_assignment on a set port");
	/* GNU Mach: processor_assign fails even on a wrong port. */
	tap_expect(processor_assign(cpus[0], pset, FALSE), KERN_FAILURE,
	           "processor_assign: KERN_FAILURE");
	tap_expect(processor_assign(host, pset, FALSE), KERN_FAILURE,
	           "processor_assign on the host port: KERN_FAILURE");
	tap_expect(processor_control(cpus[0], cmd, 4), KERN_FAILURE,
	           "processor_control: KERN_FAILURE");
	tap_expect(processor_control(host, cmd, 2), KERN_INVALID_ARGUMENT,
	           "processor_control on the host port");
	tap_expect(processor_start(cpus[0]), KERN_FAILURE,
	           "processor_start of the running processor");
	tap_expect(processor_start(pset), KERN_INVALID_ARGUMENT,
	           "processor_start on a set port");
	tap_expect(processor_exit(pset), KERN_INVALID_ARGUMENT,
	           "processor_exit on a set port");
	tap_expect(processor_exit(MACH_PORT_NULL), MACH_SEND_INVALID_DEST,
	           "processor_exit on NULL");
	/* GNU Mach: the only processor does not stop. */
	tap_expect(processor_exit(cpus[0]), KERN_FAILURE,
	           "processor_exit of the only processor: KERN_FAILURE");
	drop_list(cpus, 1);
}

int main(int argc, char **argv)
{
	mach_port_t device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("sched-calls: no console\n");
	host = mach_host_self();
	self = mach_thread_self();
	{
		host_basic_info_data_t b;
		mach_msg_type_number_t n = HOST_BASIC_INFO_COUNT;

		if (host_info(host, HOST_BASIC_INFO, (host_info_t)&b, &n) ==
		        KERN_SUCCESS &&
		    b.avail_cpus >= 1)
			ncpus = b.avail_cpus;
	}
	tap_plan(186);
	check_thread_info();
	check_pset();
	check_thread_priority();
	check_task_priority();
	check_depress();
	check_pset_sched();
	check_assign();
	check_registered();
	check_processors();
	tap_finish(host_priv);
	return 0;
}
