/*
 * tests/system/modules/task-lifecycle.c — tasks and threads from birth to
 * death as a program sees them: task_create (with and without inherited
 * memory), task_info, task_threads, suspend counts, names, special ports,
 * thread_create/set_state/resume in a child task, thread_info,
 * thread_get_state, thread_abort, thread_terminate and task_terminate.
 * Child threads report back over a port we insert into the child under a
 * name we choose, never by timing.  Each check states what GNU Mach
 * answers.
 */
#include <mach/gnumach.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

/* Names we give our rights in the children. */
#define CHILD_REPORT 0x1000 /* send right to our report port */
#define CHILD_INBOX  0x1001 /* receive right the child waits on */

/* Changed by the parent after task_create(inherit TRUE): the child must
 * see the value at creation. */
static volatile uint64_t inherited = 0x1234;

/* In the child: say what the inherited variable holds, then end. */
static void child_report(void *arg)
{
	(void)machr_send_word(CHILD_REPORT, MACH_MSG_TYPE_COPY_SEND,
	                      MACH_PORT_NULL, 0, (mach_msg_id_t)(uintptr_t)arg,
	                      inherited, 0, 0);
}

/*
 * In the child: wait on the inbox (interruptibly) and report each
 * outcome as id 2, word = the mach_msg code << 32 | the word received;
 * a received 0 ends the thread.
 */
static void child_waiter(void *arg)
{
	struct machr_word_msg m;
	mach_msg_return_t mr;

	(void)arg;
	do {
		mr = machr_recv_word(CHILD_INBOX, &m, MACH_RCV_INTERRUPT, 0);
		(void)machr_send_word(
		    CHILD_REPORT, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 2,
		    (uint64_t)mr << 32 | (uint32_t)m.word, 0, 0);
	} while (mr != MACH_MSG_SUCCESS || m.word != 0);
}

static int task_suspend_count(mach_port_t task)
{
	struct task_basic_info bi;
	mach_msg_type_number_t n = TASK_BASIC_INFO_COUNT;

	if (task_info(task, TASK_BASIC_INFO, (task_info_t)&bi, &n) !=
	    KERN_SUCCESS)
		return -1;
	return bi.suspend_count;
}

static int thread_basic(mach_port_t th, struct thread_basic_info *bi)
{
	mach_msg_type_number_t n = THREAD_BASIC_INFO_COUNT;

	memset(bi, 0, sizeof(*bi));
	return thread_info(th, THREAD_BASIC_INFO, (thread_info_t)bi, &n) ==
	       KERN_SUCCESS;
}

/* A report from the child within 5 s; its word, or ~0 on none. */
static uint64_t report(mach_port_t rep, mach_msg_id_t *id)
{
	struct machr_word_msg m;

	if (machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, 5000) != 0)
		return ~(uint64_t)0;
	if (id)
		*id = m.h.msgh_id;
	return m.word;
}

/* Nothing reported for 200 ms (the reporting thread cannot run). */
static int no_report(mach_port_t rep)
{
	struct machr_word_msg m;

	return machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, 200) ==
	       MACH_RCV_TIMED_OUT;
}

static void check_empty_task(mach_port_t host)
{
	mach_port_t c = MACH_PORT_NULL, p = MACH_PORT_NULL, mine;
	struct task_basic_info bi;
	struct task_thread_times_info tt;
	struct task_events_info ev;
	thread_array_t threads = NULL;
	mach_msg_type_number_t n;

	tap_expect(task_create(T, FALSE, &c), 0, "task_create(inherit FALSE)");
	n = TASK_BASIC_INFO_COUNT;
	tap_expect(task_info(c, TASK_BASIC_INFO, (task_info_t)&bi, &n), 0,
	           "task_info(TASK_BASIC_INFO)");
	/* GNU Mach: count TASK_BASIC_INFO_COUNT, suspend count 0, an empty
	 * address space. */
	tap_ok(n == TASK_BASIC_INFO_COUNT && bi.suspend_count == 0,
	       "count %u, suspend count %d", n, bi.suspend_count);
	tap_ok(bi.virtual_size == 0, "an empty map: virtual size %#lx",
	       (unsigned long)bi.virtual_size);
	n = TASK_THREAD_TIMES_INFO_COUNT;
	tap_expect(task_info(c, TASK_THREAD_TIMES_INFO, (task_info_t)&tt, &n),
	           0, "task_info(TASK_THREAD_TIMES_INFO)");
	tap_ok(n == TASK_THREAD_TIMES_INFO_COUNT && tt.user_time.seconds == 0,
	       "no live threads, no time (count %u)", n);
	n = TASK_EVENTS_INFO_COUNT;
	tap_expect(task_info(c, TASK_EVENTS_INFO, (task_info_t)&ev, &n), 0,
	           "task_info(TASK_EVENTS_INFO)");
	n = TASK_BASIC_INFO_COUNT;
	tap_expect(task_info(c, 99, (task_info_t)&bi, &n),
	           KERN_INVALID_ARGUMENT, "task_info of an unknown flavor");
	n = 2;
	tap_expect(task_info(c, TASK_BASIC_INFO, (task_info_t)&bi, &n),
	           KERN_INVALID_ARGUMENT, "task_info with a count too small");
	n = TASK_BASIC_INFO_COUNT;
	tap_expect(task_info(host, TASK_BASIC_INFO, (task_info_t)&bi, &n),
	           KERN_INVALID_ARGUMENT, "task_info on the host port");
	n = TASK_BASIC_INFO_COUNT;
	tap_expect(
	    task_info(MACH_PORT_NULL, TASK_BASIC_INFO, (task_info_t)&bi, &n),
	    MACH_SEND_INVALID_DEST, "task_info on MACH_PORT_NULL");

	n = 99;
	tap_expect(task_threads(c, &threads, &n), 0, "task_threads");
	tap_ok(n == 0, "a new task has no threads (%u)", n);

	tap_expect(task_suspend(c), 0, "task_suspend");
	tap_expect(task_suspend(c), 0, "task_suspend again");
	tap_ok(task_suspend_count(c) == 2, "suspend count 2 (%d)",
	       task_suspend_count(c));
	tap_expect(task_resume(c), 0, "task_resume");
	tap_expect(task_resume(c), 0, "task_resume again");
	tap_ok(task_suspend_count(c) == 0, "suspend count 0 (%d)",
	       task_suspend_count(c));
	/* GNU Mach: resuming a task that is not suspended fails. */
	tap_expect(task_resume(c), KERN_FAILURE,
	           "task_resume below zero is KERN_FAILURE");

	tap_expect(task_set_name(c, "lifecycle-child"), 0, "task_set_name");

	tap_expect(task_get_special_port(c, TASK_KERNEL_PORT, &p), 0,
	           "task_get_special_port(TASK_KERNEL_PORT)");
	tap_ok(p == c, "is the task's port, under our name for it (%u, %u)", p,
	       c);
	(void)mach_port_deallocate(T, p);
	p = 1;
	tap_expect(task_get_special_port(c, TASK_EXCEPTION_PORT, &p), 0,
	           "task_get_special_port(TASK_EXCEPTION_PORT)");
	/* GNU Mach: a new task inherits its parent's exception port; the
	 * bootstrap task has none. */
	tap_ok(p == MACH_PORT_NULL, "null for the bootstrap task's child (%u)",
	       p);
	mine = machr_new_receive();
	(void)mach_port_insert_right(T, mine, mine, MACH_MSG_TYPE_MAKE_SEND);
	tap_expect(task_set_special_port(c, TASK_BOOTSTRAP_PORT, mine), 0,
	           "task_set_special_port(TASK_BOOTSTRAP_PORT)");
	tap_expect(task_get_special_port(c, TASK_BOOTSTRAP_PORT, &p), 0,
	           "task_get_special_port(TASK_BOOTSTRAP_PORT)");
	tap_ok(p == mine, "gives back our port (%u, %u)", p, mine);
	(void)mach_port_deallocate(T, p);
	tap_expect(task_set_special_port(c, TASK_EXCEPTION_PORT, mine), 0,
	           "task_set_special_port(TASK_EXCEPTION_PORT)");
	tap_expect(task_get_special_port(c, TASK_EXCEPTION_PORT, &p), 0,
	           "task_get_special_port(TASK_EXCEPTION_PORT) again");
	tap_ok(p == mine, "gives back our port (%u)", p);
	(void)mach_port_deallocate(T, p);
	tap_expect(task_get_special_port(c, 99, &p), KERN_INVALID_ARGUMENT,
	           "task_get_special_port of an unknown port");
	tap_expect(task_set_special_port(c, 99, mine), KERN_INVALID_ARGUMENT,
	           "task_set_special_port of an unknown port");

	tap_expect(task_terminate(c), 0, "task_terminate");
	{
		mach_port_type_t t = 0;
		(void)mach_port_type(T, c, &t);
		/* GNU Mach: our send right to the task becomes a dead name. */
		tap_ok(t == MACH_PORT_TYPE_DEAD_NAME,
		       "our right to it is a dead name (%#x)", t);
	}
	n = TASK_BASIC_INFO_COUNT;
	tap_expect(task_info(c, TASK_BASIC_INFO, (task_info_t)&bi, &n),
	           MACH_SEND_INVALID_DEST,
	           "task_info on the dead task: MACH_SEND_INVALID_DEST");
	tap_expect(task_terminate(c), MACH_SEND_INVALID_DEST,
	           "task_terminate twice: MACH_SEND_INVALID_DEST");
	/* GNU Mach: KERN_INVALID_TASK here, where task_info on the host
	 * port said KERN_INVALID_ARGUMENT. */
	tap_expect(task_create(host, FALSE, &p), KERN_INVALID_TASK,
	           "task_create on the host port: KERN_INVALID_TASK");
	(void)mach_port_mod_refs(T, c, MACH_PORT_RIGHT_DEAD_NAME, -1);
	(void)mach_port_destroy(T, mine);
}

static void check_threads_in_child(void)
{
	mach_port_t c = MACH_PORT_NULL, rep = machr_new_receive(), inbox;
	mach_port_t th = MACH_PORT_NULL, th2 = MACH_PORT_NULL;
	struct thread_basic_info bi;
	struct i386_thread_state st;
	thread_array_t threads = NULL;
	mach_msg_type_number_t n;
	kernel_debug_name_t name;
	mach_msg_id_t id = 0;
	uint64_t w;
	uint16_t cs;
	int ok;

	inherited = 0x1234;
	tap_expect(task_create(T, TRUE, &c), 0, "task_create(inherit TRUE)");
	inherited = 1;
	(void)mach_port_insert_right(c, CHILD_REPORT, rep,
	                             MACH_MSG_TYPE_MAKE_SEND);
	tap_expect(machr_task_thread_start(c, child_report, (void *)7, &th), 0,
	           "thread_create + thread_set_state + thread_resume in it");
	w = report(rep, &id);
	tap_ok(w == 0x1234 && id == 7,
	       "the child ran our code on a copy of our data (%#lx, id %d)",
	       (unsigned long)w, id);

	inbox = machr_new_receive();
	(void)mach_port_insert_right(T, inbox, inbox, MACH_MSG_TYPE_MAKE_SEND);
	tap_expect(mach_port_insert_right(c, CHILD_INBOX, inbox,
	                                  MACH_MSG_TYPE_MOVE_RECEIVE),
	           0, "move a receive right into the child");
	tap_expect(machr_task_thread_start(c, child_waiter, NULL, &th2), 0,
	           "start a waiting thread in the child");
	tap_ok(machr_thread_wait_blocked(th2),
	       "it blocks in mach_msg (WAITING)");
	n = 99;
	tap_expect(task_threads(c, &threads, &n), 0, "task_threads");
	/* The first thread has ended by the time its report arrived. */
	tap_ok(n == 1, "one live thread (%u)", n);
	for (mach_msg_type_number_t i = 0; i < n; i++)
		(void)mach_port_deallocate(T, threads[i]);
	(void)vm_deallocate(T, (vm_address_t)threads, n * sizeof(*threads));

	tap_ok(thread_basic(th2, &bi) && bi.suspend_count == 0,
	       "thread_info(THREAD_BASIC_INFO): suspend count 0");
	tap_expect(thread_suspend(th2), 0, "thread_suspend");
	ok = thread_basic(th2, &bi);
	tap_ok(ok && bi.suspend_count == 1, "suspend count 1 (%d)",
	       bi.suspend_count);
	tap_ok(task_suspend_count(c) == 0,
	       "the task's suspend count stays 0 (%d)", task_suspend_count(c));
	n = i386_THREAD_STATE_COUNT;
	memset(&st, 0, sizeof(st));
	tap_expect(
	    thread_get_state(th2, i386_THREAD_STATE, (thread_state_t)&st, &n),
	    0, "thread_get_state(i386_THREAD_STATE)");
	__asm__("mov %%cs, %0" : "=r"(cs));
	tap_ok(n == i386_THREAD_STATE_COUNT && st.cs == cs && st.ursp != 0 &&
	           st.rip > 0x400000 && st.rip < (uintptr_t)&inherited,
	       "count %u, cs %#x, rip %#lx in our text, ursp %#lx", n, st.cs,
	       (unsigned long)st.rip, (unsigned long)st.ursp);
	n = 2;
	tap_expect(
	    thread_get_state(th2, i386_THREAD_STATE, (thread_state_t)&st, &n),
	    KERN_INVALID_ARGUMENT, "thread_get_state with count 2");
	n = i386_THREAD_STATE_COUNT;
	tap_expect(thread_get_state(th2, 99, (thread_state_t)&st, &n),
	           KERN_INVALID_ARGUMENT, "thread_get_state of flavor 99");

	(void)machr_send_word(inbox, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0,
	                      1, 11, 0, 0);
	tap_ok(no_report(rep), "a suspended thread does not receive");
	tap_expect(thread_resume(th2), 0, "thread_resume");
	w = report(rep, &id);
	tap_ok(id == 2 && w == 11, "then it receives the message (%#lx)",
	       (unsigned long)w);
	tap_ok(machr_thread_wait_blocked(th2), "and waits again");
	/* GNU Mach: a thread whose suspend count is 0 cannot be resumed. */
	tap_expect(thread_resume(th2), KERN_FAILURE,
	           "thread_resume below zero is KERN_FAILURE");

	tap_expect(task_suspend(c), 0, "task_suspend the child");
	tap_ok(task_suspend_count(c) == 1, "task suspend count 1");
	ok = thread_basic(th2, &bi);
	tap_ok(ok && bi.suspend_count == 0,
	       "the thread's own count stays 0 (%d)", bi.suspend_count);
	(void)machr_send_word(inbox, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0,
	                      1, 12, 0, 0);
	tap_ok(no_report(rep), "a suspended task's thread does not receive");
	tap_expect(task_resume(c), 0, "task_resume");
	w = report(rep, &id);
	tap_ok(id == 2 && w == 12, "then it receives (%#lx)", (unsigned long)w);
	tap_ok(machr_thread_wait_blocked(th2), "and waits again");

	tap_expect(thread_set_name(th2, "waiter"), 0, "thread_set_name");
	memset(name, 0, sizeof(name));
	tap_expect(thread_get_name(th2, name), 0, "thread_get_name");
	tap_ok(strcmp(name, "waiter") == 0, "gives back the name (%s)", name);

	tap_expect(thread_abort(th2), 0, "thread_abort of the waiting thread");
	w = report(rep, &id);
	tap_ok(id == 2 && w >> 32 == MACH_RCV_INTERRUPTED,
	       "its receive returns MACH_RCV_INTERRUPTED (%#lx)",
	       (unsigned long)(w >> 32));
	tap_ok(machr_thread_wait_blocked(th2), "it waits again");

	tap_expect(thread_terminate(th2), 0, "thread_terminate");
	{
		mach_port_type_t t = 0;
		(void)mach_port_type(T, th2, &t);
		tap_ok(t == MACH_PORT_TYPE_DEAD_NAME,
		       "our right to it is a dead name (%#x)", t);
	}
	tap_expect(thread_suspend(th2), MACH_SEND_INVALID_DEST,
	           "thread_suspend of the ended thread: "
	           "MACH_SEND_INVALID_DEST");
	n = 99;
	(void)task_threads(c, &threads, &n);
	tap_ok(n == 0, "the child has no threads left (%u)", n);
	(void)vm_deallocate(T, (vm_address_t)threads, n * sizeof(*threads));

	tap_expect(thread_create(c, &th2), 0, "thread_create, not started");
	st.ursp = 0;
	tap_expect(thread_set_state(th2, 99, (thread_state_t)&st,
	                            i386_THREAD_STATE_COUNT),
	           KERN_INVALID_ARGUMENT, "thread_set_state of flavor 99");
	tap_expect(
	    thread_set_state(th2, i386_THREAD_STATE, (thread_state_t)&st, 3),
	    KERN_INVALID_ARGUMENT, "thread_set_state with count 3");
	ok = thread_basic(th2, &bi);
	tap_ok(ok && bi.suspend_count == 1,
	       "a created thread starts suspended once (%d)", bi.suspend_count);
	tap_expect(task_terminate(c), 0, "task_terminate with a live thread");
	{
		mach_port_type_t t = 0;
		(void)mach_port_type(T, th2, &t);
		tap_ok(t == MACH_PORT_TYPE_DEAD_NAME,
		       "its thread's port died with it (%#x)", t);
	}
	tap_expect(thread_create(c, &th2), MACH_SEND_INVALID_DEST,
	           "thread_create in the dead task: MACH_SEND_INVALID_DEST");
	(void)mach_port_destroy(T, rep);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("task-lifecycle: no console\n");
	tap_plan(83);
	check_empty_task(host_priv);
	check_threads_in_child();
	tap_finish(host_priv);
	return 0;
}
