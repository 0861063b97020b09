/*
 * bench/scale.c — does the null RPC to the task server stay as cheap when
 * the system is bigger?  Two metrics of issue 7 point 4:
 *   ipc_rpc_task_null_{0,60k,100k}_names: the client's space holds that
 *     many extra names (receive rights).  The client is a third task,
 *     so that its names go away with it in one task_terminate; it sends
 *     its batch means back in a message.  The 0 figure is the same
 *     client before it made any; 60k stays to compare with runs made
 *     when Mach_R's default bound was 65,536 names (now 131,072).
 *   ipc_rpc_task_null_1k_threads: 1,000 threads of another task are
 *     blocked in mach_msg receives on ports of their own.
 * A kernel that refuses to go that far (a per-task bound) gets the
 * figure at what it reached, under a name that says so, and a "not
 * measured" line for the figure it could not give.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "machbench.h"

#define T machr_task

/* Names of the rights the names client task gets from us. */
#define NAME_SVC    0x3000 /* send right to the task server */
#define NAME_REPORT 0x3001 /* send right to our report port */

#define NAMES_COMMON 60000 /* kept to compare with earlier runs */
#define THREADS_MAX  4096
#define REPORT_WAIT  120000 /* ms: 100,000 names take seconds */

/*
 * What the names client task must do.
 * Owned by: this file; filled before task_create, so that the client
 *   task finds it in its copy of our memory, and not changed after.
 */
struct names_job {
	unsigned targets[3]; /* extra names at each measurement, increasing */
	unsigned ntargets;
	unsigned ops, batches; /* per batch, and batches */
};

/*
 * One measurement of the names client, sent to our report port.
 * Owned by: the client (its stack) until sent, then the receiver.
 */
struct names_report {
	mach_msg_header_t h;
	mach_msg_type_t t;
	uint64_t made;    /* extra names in the client's space */
	uint64_t kr;      /* why it made no more (0: it reached the target) */
	uint64_t bad;     /* failed calls */
	uint64_t calls;   /* calls made, warm-ups included */
	uint64_t last;    /* last failing mach_msg return */
	uint64_t batches; /* valid entries of mean[] */
	uint64_t mean[BATCHES_MAX];
	char slack[64];
};
#define REPORT_WORDS (6 + BATCHES_MAX) /* the words after the type */
#define REPORT_SIZE  ((mach_msg_size_t)offsetof(struct names_report, slack))

static struct names_job job;

/* "60k" for 60000, the number itself when not whole thousands. */
static void count_label(char *buf, size_t size, unsigned n)
{
	if (n % 1000 == 0 && n > 0)
		snprintf(buf, size, "%uk", n / 1000);
	else
		snprintf(buf, size, "%u", n);
}

static void scaled_name(char *buf, size_t size, unsigned n, const char *what)
{
	char count[16];

	count_label(count, sizeof count, n);
	snprintf(buf, size, "ipc_rpc_task_null_%s_%s", count, what);
}

/*
 * The names client, in a task of its own (ARG: the job).  It may not
 * print; it reports each measurement in a message, then waits to be
 * terminated.
 */
static void names_client(void *arg)
{
	const struct names_job *j = arg;
	struct bench_client c;
	struct bench_result r;
	struct names_report m;
	kern_return_t kr = KERN_SUCCESS;
	unsigned made = 0;

	memset(&c, 0, sizeof c);
	c.server = NAME_SVC;
	c.reply = machr_new_receive();
	c.kind = RPC_NULL;
	for (unsigned t = 0; t < j->ntargets; t++) {
		while (made < j->targets[t] && kr == KERN_SUCCESS) {
			mach_port_t name;

			kr = syscall_mach_port_allocate(
			    T, MACH_PORT_RIGHT_RECEIVE, &name);
			made += kr == KERN_SUCCESS;
		}
		memset(&m, 0, sizeof m);
		m.bad = bench_batches(bench_rpc_op, &c, j->ops, j->batches, &r);
		m.made = made;
		m.kr = (uint64_t)kr;
		m.calls = c.calls;
		m.last = (uint64_t)c.last;
		m.batches = r.batches;
		memcpy(m.mean, r.mean, sizeof m.mean);
		machr_msg_header(&m.h, NAME_REPORT, MACH_MSG_TYPE_COPY_SEND,
		                 MACH_PORT_NULL, 0, REPORT_SIZE);
		m.t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_INTEGER_64,
		                        .msgt_size = 64,
		                        .msgt_number = REPORT_WORDS,
		                        .msgt_inline = 1};
		(void)mach_msg(&m.h, MACH_SEND_MSG, REPORT_SIZE, 0,
		               MACH_PORT_NULL, 0, MACH_PORT_NULL);
		if (kr != KERN_SUCCESS)
			break;
	}
	for (;;)
		(void)mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, c.reply, 0,
		               MACH_PORT_NULL);
}

/* Receive the names client's reports until its last; print them. */
static void names_reports(struct bench_client *c, mach_port_t report)
{
	uint64_t calls_before = c->calls;

	for (unsigned t = 0; t < job.ntargets; t++) {
		struct names_report m;
		struct bench_result r;
		char name[64], want[64];
		mach_msg_return_t mr;

		scaled_name(want, sizeof want, job.targets[t], "names");
		mr = mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0,
		              sizeof m, report, REPORT_WAIT, MACH_PORT_NULL);
		bench_check(mr == MACH_MSG_SUCCESS &&
		                m.h.msgh_size == REPORT_SIZE,
		            want, "the client task's report: %#x (%s)", mr,
		            bench_kr_name(mr));
		c->calls = calls_before + m.calls; /* m.calls adds up */
		bench_check(m.bad == 0 && m.batches > 0 &&
		                m.batches <= BATCHES_MAX,
		            want, "%lu calls failed, last %#lx",
		            (unsigned long)m.bad, (unsigned long)m.last);
		scaled_name(name, sizeof name, (unsigned)m.made, "names");
		if (m.made < job.targets[t])
			bench_not_measured(
			    want,
			    "the client's space took only %lu extra names "
			    "(mach_port_allocate: %#lx, %s); figure given "
			    "as %s",
			    (unsigned long)m.made, (unsigned long)m.kr,
			    bench_kr_name((kern_return_t)m.kr), name);
		r.batches = (unsigned)m.batches;
		memcpy(r.mean, m.mean, sizeof r.mean);
		bench_report(name, &r);
		if (m.kr != KERN_SUCCESS)
			break;
	}
}

static void names_metrics(struct bench_client *c)
{
	mach_port_t report = machr_new_receive(), child = MACH_PORT_NULL;
	mach_port_t th = MACH_PORT_NULL;
	kern_return_t kr;

	memset(&job, 0, sizeof job);
	job.targets[job.ntargets++] = 0; /* the same client, no extra name */
	job.targets[job.ntargets++] =
	    bench_opts.names < NAMES_COMMON ? bench_opts.names : NAMES_COMMON;
	if (bench_opts.names > NAMES_COMMON)
		job.targets[job.ntargets++] = bench_opts.names;
	job.ops = bench_ops(400);
	job.batches = bench_batch_count(BATCHES_DEFAULT);

	bench_check(report != MACH_PORT_NULL, "ipc_rpc_task_null_names",
	            "no report port (mach_port_allocate)");
	kr = task_create(T, TRUE, &child);
	if (kr == KERN_SUCCESS)
		kr = mach_port_insert_right(child, NAME_SVC, c->server,
		                            MACH_MSG_TYPE_COPY_SEND);
	if (kr == KERN_SUCCESS)
		kr = mach_port_insert_right(child, NAME_REPORT, report,
		                            MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = machr_task_thread_start(child, names_client, &job, &th);
	bench_check(kr == KERN_SUCCESS, "ipc_rpc_task_null_names",
	            "starting the client task: %#x", kr);

	names_reports(c, report);

	kr = task_terminate(child);
	bench_check(kr == KERN_SUCCESS, "ipc_rpc_task_null_names cleanup",
	            "task_terminate: %#x", kr);
	(void)mach_port_deallocate(T, th);
	(void)mach_port_deallocate(T, child);
	(void)mach_port_mod_refs(T, report, MACH_PORT_RIGHT_RECEIVE, -1);
	bench_check_server(c, "ipc_rpc_task_null_names");
}

/* A thread that only waits: a receive on PORT that never gets anything.
 * Runs without the runtime's thread block (machr_thread_start_at). */
static _Noreturn void sleeper(mach_port_t port)
{
	mach_msg_header_t h;

	for (;;)
		(void)mach_msg_trap(&h, MACH_RCV_MSG, 0, sizeof h, port, 0,
		                    MACH_PORT_NULL);
}

/* Whether THREAD is blocked (TH_STATE_WAITING); -1 if thread_info fails. */
static int thread_waiting(mach_port_t thread)
{
	struct thread_basic_info bi;
	mach_msg_type_number_t n = THREAD_BASIC_INFO_COUNT;

	if (thread_info(thread, THREAD_BASIC_INFO, (thread_info_t)&bi, &n) !=
	    KERN_SUCCESS)
		return -1;
	return bi.run_state == TH_STATE_WAITING;
}

static mach_port_t sleepers[THREADS_MAX];

/* Start up to WANT sleepers in TASK; returns how many, *WHY the error
 * that stopped it (KERN_SUCCESS if none). */
static unsigned start_sleepers(mach_port_t task, unsigned want,
                               kern_return_t *why)
{
	vm_address_t stacks = 0;
	kern_return_t kr;
	unsigned i = 0;

	kr = vm_allocate(task, &stacks, want * PAGE, TRUE);
	for (; kr == KERN_SUCCESS && i < want; i++) {
		mach_port_t port;

		kr = mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &port);
		if (kr != KERN_SUCCESS)
			break;
		kr = machr_thread_start_at(task, (void *)sleeper, port,
		                           stacks + (i + 1) * PAGE - 8,
		                           &sleepers[i]);
		if (kr != KERN_SUCCESS)
			break;
	}
	*why = kr;
	return i;
}

static void threads_metric(struct bench_client *c)
{
	unsigned want = bench_opts.threads, made, tries = 0;
	mach_port_t task = MACH_PORT_NULL;
	struct bench_result r;
	char name[64], wanted[64];
	kern_return_t kr, why = KERN_SUCCESS;
	unsigned bad;

	if (want > THREADS_MAX)
		want = THREADS_MAX;
	scaled_name(wanted, sizeof wanted, want, "threads");
	kr = task_create(T, TRUE, &task);
	bench_check(kr == KERN_SUCCESS, wanted, "task_create: %#x", kr);
	made = start_sleepers(task, want, &why);
	bench_check(made > 0, wanted, "no thread started: %#x (%s)", why,
	            bench_kr_name(why));
	/* Every one must be blocked in its receive before we time. */
	for (unsigned i = 0; i < made;) {
		int w = thread_waiting(sleepers[i]);

		if (w < 0 || tries >= 1000)
			bench_check(
			    0, wanted,
			    "thread %u of %u never blocked (thread_info "
			    "%d)",
			    i, made, w);
		if (w) {
			i++;
			continue;
		}
		tries++;
		machr_sleep_ms(10);
	}
	scaled_name(name, sizeof name, made, "threads");
	if (made < want)
		bench_not_measured(wanted,
		                   "only %u threads could be made (%#x, %s); "
		                   "figure given as %s",
		                   made, why, bench_kr_name(why), name);
	c->kind = RPC_NULL;
	bad = bench_batches(bench_rpc_op, c, bench_ops(400),
	                    bench_batch_count(BATCHES_DEFAULT), &r);
	bench_check(bad == 0, name, "%u calls failed, last %#x", bad, c->last);
	bench_check_server(c, name);
	bench_report(name, &r);

	kr = task_terminate(task);
	bench_check(kr == KERN_SUCCESS, "ipc_rpc_task_null_threads cleanup",
	            "task_terminate: %#x", kr);
	for (unsigned i = 0; i < made; i++)
		(void)syscall_mach_port_deallocate(T, sleepers[i]);
	(void)mach_port_deallocate(T, task);
}

void bench_scaling(struct bench_client *c)
{
	/* Their names depend on what was reached: metric= takes them all
	 * by their common start. */
	if (bench_opts.metric != NULL &&
	    strncmp(bench_opts.metric, "ipc_rpc_task_null_", 18) != 0)
		return;
	threads_metric(c);
	names_metrics(c);
}
