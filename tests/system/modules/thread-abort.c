/*
 * tests/system/modules/thread-abort.c — thread_abort of a thread blocked
 * in the kernel: a receive returns MACH_RCV_INTERRUPTED, a send blocked
 * on a full queue MACH_SEND_INTERRUPTED (the message is not queued), the
 * receive half of an RPC MACH_RCV_INTERRUPTED, a suspended thread gets
 * it when resumed, a thread_switch wait ends early; and bad arguments.
 * The blocked threads (of our own task) report the code over a port.
 * Each check states what GNU Mach answers.
 */
#include <mach/thread_switch.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>

#define T machr_task

enum block { IN_RECEIVE, IN_RECEIVE_RETRIED, IN_SEND, IN_RPC, IN_WAIT };

static mach_port_t rep, target;

/* Block as KIND says, then report the outcome: id KIND, word = the
 * code. */
static void blocker(void *arg)
{
	enum block kind = (enum block)(uintptr_t)arg;
	struct machr_word_msg m;
	uint64_t w = 0;

	switch (kind) {
	case IN_RECEIVE:
		w = machr_recv_word(target, &m, MACH_RCV_INTERRUPT, 0);
		break;
	case IN_RECEIVE_RETRIED: /* the runtime's mach_msg retries */
		w = machr_recv_word(target, &m, 0, 0);
		break;
	case IN_SEND:
		w = machr_send_word(target, MACH_MSG_TYPE_COPY_SEND,
		                    MACH_PORT_NULL, 0, 9, 9,
		                    MACH_SEND_INTERRUPT, 0);
		break;
	case IN_RPC:
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND,
		                               MACH_MSG_TYPE_MAKE_SEND_ONCE);
		m.h.msgh_size = sizeof(m.h);
		m.h.msgh_remote_port = target;
		m.h.msgh_local_port = mig_get_reply_port();
		m.h.msgh_id = 5;
		w = mach_msg(&m.h,
		             MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_INTERRUPT,
		             sizeof(m.h), sizeof(m), m.h.msgh_local_port, 0,
		             MACH_PORT_NULL);
		break;
	case IN_WAIT:
		w = thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 5000);
		break;
	}
	(void)machr_send_word(rep, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
	                      kind, w, 0, 0);
}

/* Start a blocker of KIND and wait until it is blocked. */
static mach_port_t start(enum block kind)
{
	mach_port_t th = MACH_PORT_NULL;

	if (machr_thread_create(blocker, (void *)(uintptr_t)kind, &th) != 0 ||
	    !machr_thread_wait_blocked(th))
		tap_diag("blocker %d did not block", kind);
	return th;
}

/* Its report within 5 s: the code, or ~0. */
static uint64_t outcome(enum block kind)
{
	struct machr_word_msg m;

	if (machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, 5000) != 0 ||
	    m.h.msgh_id != (mach_msg_id_t)kind)
		return ~(uint64_t)0;
	return m.word;
}

/*
 * thread_abort TH until the blocker of KIND reports (a thread seen
 * WAITING may still be on its way to the call, e.g. in a page fault of
 * its new stack, where an abort has no lasting effect).  Returns the
 * first thread_abort's code; *W gets the report, or ~0.
 */
static kern_return_t abort_blocked(mach_port_t th, enum block kind, uint64_t *w)
{
	struct machr_word_msg m;
	kern_return_t kr = thread_abort(th), kr2 = kr;

	*w = ~(uint64_t)0;
	for (int i = 0; i < 20 && kr2 == KERN_SUCCESS; i++) {
		if (machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, 250) == 0) {
			if (m.h.msgh_id == (mach_msg_id_t)kind)
				*w = m.word;
			break;
		}
		kr2 = thread_abort(th);
	}
	return kr;
}

static int queued(mach_port_t p)
{
	mach_port_status_t st;

	if (mach_port_get_receive_status(T, p, &st) != KERN_SUCCESS)
		return -1;
	return (int)st.mps_msgcount;
}

static void check_blocked(void)
{
	struct machr_word_msg m;
	mach_port_t th;
	uint64_t w;
	int64_t t0;
	int n;

	target = machr_new_receive();
	(void)mach_port_insert_right(T, target, target,
	                             MACH_MSG_TYPE_MAKE_SEND);
	th = start(IN_RECEIVE);
	tap_expect(abort_blocked(th, IN_RECEIVE, &w), 0,
	           "thread_abort of a blocked receiver");
	tap_ok(w == MACH_RCV_INTERRUPTED,
	       "its receive: MACH_RCV_INTERRUPTED "
	       "(%#lx)",
	       (unsigned long)w);

	th = start(IN_RECEIVE_RETRIED);
	tap_expect(thread_abort(th), 0,
	           "thread_abort of a receiver without MACH_RCV_INTERRUPT");
	tap_ok(machr_thread_wait_blocked(th),
	       "the runtime's mach_msg receives again");
	(void)machr_send_word(target, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL,
	                      0, 1, 0, 0, 0);
	tap_ok(outcome(IN_RECEIVE_RETRIED) == 0, "and gets the next message");

	th = start(IN_RECEIVE);
	tap_expect(thread_suspend(th), 0, "suspend a blocked receiver");
	tap_expect(thread_abort(th), 0, "thread_abort of the suspended thread");
	tap_expect(machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, 200),
	           MACH_RCV_TIMED_OUT, "it reports nothing while suspended");
	tap_expect(thread_resume(th), 0, "resume it");
	w = outcome(IN_RECEIVE);
	tap_ok(w == MACH_RCV_INTERRUPTED,
	       "then its receive returns MACH_RCV_INTERRUPTED (%#lx)",
	       (unsigned long)w);

	(void)mach_port_set_qlimit(T, target, 1);
	(void)machr_send_word(target, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL,
	                      0, 1, 0, 0, 0);
	th = start(IN_SEND);
	tap_expect(abort_blocked(th, IN_SEND, &w), 0,
	           "thread_abort of a sender on a full "
	           "queue");
	tap_ok(w == MACH_SEND_INTERRUPTED,
	       "its send: MACH_SEND_INTERRUPTED (%#lx)", (unsigned long)w);
	n = queued(target);
	tap_ok(n == 1, "its message was not queued (%d)", n);
	(void)machr_recv_word(target, &m, MACH_RCV_TIMEOUT, 0);

	th = start(IN_RPC);
	n = queued(target);
	tap_ok(n == 1, "an RPC's request is queued (%d)", n);
	tap_expect(abort_blocked(th, IN_RPC, &w), 0,
	           "thread_abort of it, waiting for "
	           "the reply");
	tap_ok(w == MACH_RCV_INTERRUPTED,
	       "its mach_msg: MACH_RCV_INTERRUPTED (%#lx)", (unsigned long)w);
	(void)machr_recv_word(target, &m, MACH_RCV_TIMEOUT, 0);
	(void)mach_port_deallocate(T, m.h.msgh_remote_port);

	t0 = machr_now_ms();
	th = start(IN_WAIT);
	tap_expect(abort_blocked(th, IN_WAIT, &w), 0,
	           "thread_abort of a thread_switch wait");
	t0 = machr_now_ms() - t0;
	tap_ok(w == KERN_SUCCESS && t0 < 4000,
	       "the 5 s wait ends early (%#lx, after %ld ms)", (unsigned long)w,
	       (long)t0);
	(void)mach_port_destroy(T, target);
}

static void check_bad(void)
{
	mach_port_t th = MACH_PORT_NULL;

	tap_expect(thread_abort(MACH_PORT_NULL), MACH_SEND_INVALID_DEST,
	           "thread_abort(MACH_PORT_NULL)");
	tap_expect(thread_abort(T), KERN_INVALID_ARGUMENT,
	           "thread_abort of a task port");
	tap_expect(thread_create(T, &th), 0, "a thread never started");
	tap_expect(thread_abort(th), 0, "can be aborted");
	tap_expect(thread_terminate(th), 0, "and terminated");
	tap_expect(thread_abort(th), MACH_SEND_INVALID_DEST,
	           "thread_abort of a dead thread");
	(void)mach_port_deallocate(T, th);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("thread-abort: no console\n");
	tap_plan(24);
	rep = machr_new_receive();
	check_blocked();
	check_bad();
	tap_finish(host_priv);
	return 0;
}
