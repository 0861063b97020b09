/*
 * tests/system/modules/gsync.c — GNU Mach's futex-like calls
 * (gnumach.defs): gsync_wait returns when woken, refuses a changed value,
 * times out with GSYNC_TIMED, is interrupted by thread_abort;
 * gsync_wake of one or all waiters (GSYNC_BROADCAST, GSYNC_MUTATE);
 * gsync_requeue; GSYNC_SHARED across two tasks sharing a page; bad
 * arguments.  Waiters are threads of ours (or of a child) that report
 * their result over a port.  Each check states what GNU Mach answers.
 */
#include <mach/gnumach.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>

#define T machr_task

/* gsync flags (GNU Mach's kern/gsync.h values; not in gnumach-dev). */
#define GSYNC_SHARED    0x01
#define GSYNC_QUAD      0x02
#define GSYNC_TIMED     0x04
#define GSYNC_BROADCAST 0x08
#define GSYNC_MUTATE    0x10

#define CHILD_REPORT 0x1000

static mach_port_t rep;
static volatile unsigned words[4];

struct wait_args {
	mach_port_t report; /* our name for the report port */
	volatile unsigned *addr;
	unsigned value;
	int flags;
	mach_msg_id_t id;
};

/* Wait on ARGS->addr and report gsync_wait's code as id ARGS->id. */
static void waiter(void *arg)
{
	struct wait_args *a = arg;
	kern_return_t kr;

	kr = gsync_wait(machr_task, (vm_address_t)a->addr, a->value, 0, 0,
	                a->flags);
	(void)machr_send_word(a->report, MACH_MSG_TYPE_COPY_SEND,
	                      MACH_PORT_NULL, 0, a->id, (uint32_t)kr, 0, 0);
}

static mach_port_t start_waiter(struct wait_args *a, volatile unsigned *addr,
                                mach_msg_id_t id)
{
	mach_port_t th = MACH_PORT_NULL;

	*a = (struct wait_args){rep, addr, *addr, 0, id};
	if (machr_thread_create(waiter, a, &th) != 0 ||
	    !machr_thread_wait_blocked(th))
		tap_diag("waiter %d did not block", id);
	return th;
}

/* The next report within MS: its id (and code in *KR), or 0. */
static mach_msg_id_t woken(mach_msg_timeout_t ms, kern_return_t *kr)
{
	struct machr_word_msg m;

	if (machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, ms) != 0)
		return 0;
	if (kr)
		*kr = (kern_return_t)m.word;
	return m.h.msgh_id;
}

static void check_wait_and_wake(void)
{
	struct wait_args a1, a2;
	kern_return_t kr = -1;
	int64_t t0, ms;
	mach_msg_id_t id;

	words[0] = 5;
	/* GNU Mach: a value that does not match is KERN_INVALID_ARGUMENT. */
	tap_expect(gsync_wait(T, (vm_address_t)&words[0], 6, 0, 0, 0),
	           KERN_INVALID_ARGUMENT, "gsync_wait on a changed value");
	tap_expect(gsync_wait(T, (vm_address_t)&words[0], 5, 1, 0, GSYNC_QUAD),
	           KERN_INVALID_ARGUMENT,
	           "GSYNC_QUAD with a changed second word");
	t0 = machr_now_ms();
	tap_expect(
	    gsync_wait(T, (vm_address_t)&words[0], 5, 0, 200, GSYNC_TIMED),
	    KERN_TIMEDOUT, "GSYNC_TIMED, 200 ms: KERN_TIMEDOUT");
	ms = machr_now_ms() - t0;
	tap_ok(ms >= 190 && ms < 4000, "after about 200 ms (%ld)", (long)ms);
	/* gsync_wake is a simpleroutine: no reply, so only the send's code. */
	tap_expect(gsync_wake(T, (vm_address_t)&words[0], 0, 0), 0,
	           "gsync_wake with nobody waiting");

	(void)start_waiter(&a1, &words[0], 1);
	tap_ok(woken(200, NULL) == 0, "a waiter blocks in gsync_wait");
	tap_expect(gsync_wake(T, (vm_address_t)&words[0], 0, 0), 0,
	           "gsync_wake");
	id = woken(5000, &kr);
	tap_ok(id == 1 && kr == KERN_SUCCESS,
	       "the waiter returns KERN_SUCCESS (%#x)", kr);

	(void)start_waiter(&a1, &words[0], 1);
	(void)start_waiter(&a2, &words[0], 2);
	tap_expect(gsync_wake(T, (vm_address_t)&words[0], 9, GSYNC_MUTATE), 0,
	           "gsync_wake(GSYNC_MUTATE, 9), two waiters");
	id = woken(5000, &kr);
	tap_ok(id != 0 && kr == KERN_SUCCESS, "one wakes (%d)", id);
	tap_ok(woken(200, NULL) == 0, "only one");
	tap_ok(words[0] == 9, "the word was set to 9 (%u)", words[0]);
	tap_expect(gsync_wake(T, (vm_address_t)&words[0], 0, GSYNC_BROADCAST),
	           0, "gsync_wake(GSYNC_BROADCAST)");
	id = woken(5000, &kr);
	tap_ok(id != 0 && kr == KERN_SUCCESS, "the other wakes (%d)", id);
}

static void check_requeue_and_abort(void)
{
	struct wait_args a1;
	kern_return_t kr = -1;
	mach_msg_id_t id;
	mach_port_t th;

	words[1] = 1;
	words[2] = 2;
	(void)start_waiter(&a1, &words[1], 3);
	tap_expect(gsync_requeue(T, (vm_address_t)&words[1],
	                         (vm_address_t)&words[2], FALSE, 0),
	           0, "gsync_requeue from word 1 to word 2");
	(void)gsync_wake(T, (vm_address_t)&words[1], 0, GSYNC_BROADCAST);
	tap_ok(woken(200, NULL) == 0, "a wake of word 1 finds nobody");
	(void)gsync_wake(T, (vm_address_t)&words[2], 0, 0);
	id = woken(5000, &kr);
	tap_ok(id == 3 && kr == KERN_SUCCESS,
	       "a wake of word 2 wakes the requeued waiter (%#x)", kr);

	(void)start_waiter(&a1, &words[1], 4);
	tap_expect(gsync_requeue(T, (vm_address_t)&words[1],
	                         (vm_address_t)&words[2], TRUE, 0),
	           0, "gsync_requeue with wake_one");
	id = woken(5000, &kr);
	tap_ok(id == 4 && kr == KERN_SUCCESS, "wakes the waiter (%#x)", kr);

	th = start_waiter(&a1, &words[1], 5);
	tap_expect(thread_abort(th), 0, "thread_abort of a gsync waiter");
	id = woken(5000, &kr);
	/* GNU Mach: the interrupted wait returns KERN_INTERRUPTED. */
	tap_ok(id == 5 && kr == KERN_INTERRUPTED,
	       "its gsync_wait returns KERN_INTERRUPTED (%#x)", kr);
}

/* In the child: wait on the shared word (GSYNC_SHARED), report as 7. */
static void shared_waiter(void *arg)
{
	struct wait_args *a = arg;

	a->report = CHILD_REPORT;
	waiter(a);
}

static void check_shared(void)
{
	vm_address_t page = 0;
	mach_port_t c = MACH_PORT_NULL, th = MACH_PORT_NULL;
	static struct wait_args a;
	kern_return_t kr = -1;
	mach_msg_id_t id;

	(void)vm_allocate(T, &page, 4096, TRUE);
	(void)vm_inherit(T, page, 4096, VM_INHERIT_SHARE);
	*(volatile unsigned *)page = 77;
	a = (struct wait_args){0, (volatile unsigned *)page, 77, GSYNC_SHARED,
	                       7};
	(void)task_create(T, TRUE, &c);
	(void)mach_port_insert_right(c, CHILD_REPORT, rep,
	                             MACH_MSG_TYPE_MAKE_SEND);
	tap_expect(machr_task_thread_start(c, shared_waiter, &a, &th), 0,
	           "a child task waits on a shared page (GSYNC_SHARED)");
	tap_ok(machr_thread_wait_blocked(th), "it blocks");
	tap_expect(gsync_wake(T, page, 0, GSYNC_SHARED), 0,
	           "we wake the shared word");
	id = woken(5000, &kr);
	tap_ok(id == 7 && kr == KERN_SUCCESS, "the child wakes (%#x)", kr);
	(void)task_terminate(c);
	(void)mach_port_deallocate(T, c);
	(void)vm_deallocate(T, page, 4096);
}

static void check_bad(mach_port_t host)
{
	/* GNU Mach: KERN_INVALID_ADDRESS for an address that is not 4-byte
	 * aligned or is unmapped; KERN_INVALID_TASK for a port that is no
	 * task. */
	tap_expect(gsync_wait(T, (vm_address_t)&words[0] + 1, 0, 0, 0, 0),
	           KERN_INVALID_ADDRESS, "gsync_wait on an unaligned address");
	tap_expect(gsync_wait(T, 0x10000000, 0, 0, 0, 0), KERN_INVALID_ADDRESS,
	           "gsync_wait on an unmapped address");
	tap_expect(gsync_wait(host, (vm_address_t)&words[0], words[0], 0, 0, 0),
	           KERN_INVALID_TASK, "gsync_wait on the host port");
	tap_expect(
	    gsync_wait(MACH_PORT_NULL, (vm_address_t)&words[0], 0, 0, 0, 0),
	    MACH_SEND_INVALID_DEST, "gsync_wait on MACH_PORT_NULL");
	tap_expect(gsync_wake(T, 0x10000000, 0, 0), 0,
	           "gsync_wake of an unmapped address: no reply, no error");
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("gsync: no console\n");
	tap_plan(30);
	rep = machr_new_receive();
	(void)mach_port_insert_right(T, rep, rep, MACH_MSG_TYPE_MAKE_SEND);
	check_wait_and_wake();
	check_requeue_and_abort();
	check_shared();
	check_bad(host_priv);
	tap_finish(host_priv);
	return 0;
}
