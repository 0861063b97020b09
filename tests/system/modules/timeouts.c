/*
 * tests/system/modules/timeouts.c — time in mach_msg and the scheduling
 * traps: MACH_RCV_TIMEOUT and MACH_SEND_TIMEOUT with zero and nonzero
 * timeouts (how long they block, measured with host_get_time64), a send
 * that times out on a full queue and one that a receiver unblocks, and
 * what swtch, swtch_pri and thread_switch return.  Time windows are
 * generous (TCG is slow, GNU Mach counts in 10 ms ticks); each check
 * states what GNU Mach answers.
 */
#include <mach/thread_switch.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>

#define T machr_task

/* Elapsed ms of a call. */
#define TIMED(ms, call)                                                        \
	({                                                                     \
		int64_t t0_ = machr_now_ms();                                  \
		__typeof__(call) r_ = (call);                                  \
		*(ms) = machr_now_ms() - t0_;                                  \
		r_;                                                            \
	})

/* At least WANT ms (less a tick), and not absurdly long. */
static int about(int64_t ms, int64_t want)
{
	return ms >= want - 10 && ms < want + 4000;
}

static mach_msg_return_t send_to(mach_port_t p, mach_msg_type_name_t disp,
                                 mach_msg_option_t opt,
                                 mach_msg_timeout_t timeout)
{
	return machr_send_word(p, disp, MACH_PORT_NULL, 0, 1, 0, opt, timeout);
}

static void check_receive(void)
{
	mach_port_t p = machr_new_receive();
	struct machr_word_msg m;
	int64_t ms = 0;

	tap_ok(machr_now_ms() > 0, "host_get_time64 answers (%ld ms)",
	       (long)machr_now_ms());
	tap_expect(TIMED(&ms, machr_recv_word(p, &m, MACH_RCV_TIMEOUT, 0)),
	           MACH_RCV_TIMED_OUT, "receive, timeout 0, empty queue");
	tap_ok(ms < 1000, "returns at once (%ld ms)", (long)ms);
	tap_expect(TIMED(&ms, machr_recv_word(p, &m, MACH_RCV_TIMEOUT, 300)),
	           MACH_RCV_TIMED_OUT, "receive, timeout 300 ms");
	tap_ok(about(ms, 300), "blocks about 300 ms (%ld)", (long)ms);
	(void)send_to(p, MACH_MSG_TYPE_MAKE_SEND, 0, 0);
	tap_expect(TIMED(&ms, machr_recv_word(p, &m, MACH_RCV_TIMEOUT, 3000)),
	           0, "receive, timeout 3 s, a message queued");
	tap_ok(ms < 1000, "returns at once (%ld ms)", (long)ms);
	/* GNU Mach: the timeout is ignored without MACH_RCV_TIMEOUT. */
	(void)send_to(p, MACH_MSG_TYPE_MAKE_SEND, 0, 0);
	tap_expect(machr_recv_word(p, &m, 0, 1), 0,
	           "a timeout without MACH_RCV_TIMEOUT is ignored");
	(void)mach_port_destroy(T, p);
}

static mach_port_t drain_port;

/* After 200 ms, receive the two messages queued on drain_port. */
static void drainer(void *arg)
{
	struct machr_word_msg m;

	(void)arg;
	machr_sleep_ms(200);
	for (int i = 0; i < 2; i++)
		(void)machr_recv_word(drain_port, &m, MACH_RCV_TIMEOUT, 5000);
}

static void check_send(void)
{
	mach_port_t p = machr_new_receive();
	int64_t ms = 0;

	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	tap_expect(mach_port_set_qlimit(T, p, 1), 0, "set qlimit 1");
	tap_expect(send_to(p, MACH_MSG_TYPE_COPY_SEND, MACH_SEND_TIMEOUT, 0), 0,
	           "send, timeout 0, room in the queue");
	tap_expect(TIMED(&ms, send_to(p, MACH_MSG_TYPE_COPY_SEND,
	                              MACH_SEND_TIMEOUT, 0)),
	           MACH_SEND_TIMED_OUT, "send, timeout 0, full queue");
	tap_ok(ms < 1000, "returns at once (%ld ms)", (long)ms);
	tap_expect(TIMED(&ms, send_to(p, MACH_MSG_TYPE_COPY_SEND,
	                              MACH_SEND_TIMEOUT, 300)),
	           MACH_SEND_TIMED_OUT, "send, timeout 300 ms, full queue");
	tap_ok(about(ms, 300), "blocks about 300 ms (%ld)", (long)ms);
	/* GNU Mach: a message on a send-once right ignores the limit. */
	tap_expect(
	    send_to(p, MACH_MSG_TYPE_MAKE_SEND_ONCE, MACH_SEND_TIMEOUT, 0), 0,
	    "a send-once message passes the full queue");
	drain_port = p;
	tap_expect(machr_thread_create(drainer, NULL, NULL), 0,
	           "a thread will empty the queue in 200 ms");
	tap_expect(TIMED(&ms, send_to(p, MACH_MSG_TYPE_COPY_SEND,
	                              MACH_SEND_TIMEOUT, 5000)),
	           0, "send, timeout 5 s: unblocked by the receive");
	tap_ok(ms >= 100 && ms < 4000, "after about 200 ms (%ld)", (long)ms);
	{
		mach_port_status_t st;
		(void)mach_port_get_receive_status(T, p, &st);
		tap_ok(st.mps_msgcount == 1,
		       "then only the unblocked message is queued (%u)",
		       st.mps_msgcount);
	}
	(void)mach_port_destroy(T, p);
}

static void check_switch(void)
{
	mach_port_t self = mach_thread_self();
	int64_t ms = 0;
	boolean_t b;

	/* GNU Mach: swtch and swtch_pri say whether other threads could
	 * run; here nothing else is runnable. */
	b = swtch();
	tap_ok(b == FALSE, "swtch returns FALSE with nothing else to run (%d)",
	       b);
	b = swtch_pri(0);
	tap_ok(b == FALSE, "swtch_pri(0) likewise (%d)", b);
	tap_expect(thread_switch(MACH_PORT_NULL, 0, 0), 0,
	           "thread_switch(NULL, none, 0)");
	tap_expect(thread_switch(MACH_PORT_NULL, SWITCH_OPTION_DEPRESS, 10), 0,
	           "thread_switch(DEPRESS, 10 ms)");
	tap_expect(
	    TIMED(&ms, thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 200)),
	    0, "thread_switch(WAIT, 200 ms)");
	tap_ok(about(ms, 200), "blocks about 200 ms (%ld)", (long)ms);
	tap_expect(thread_switch(self, 0, 0), 0, "thread_switch to ourselves");
	tap_expect(thread_switch(MACH_PORT_NULL, 99, 0), KERN_INVALID_ARGUMENT,
	           "thread_switch with option 99");
	/* GNU Mach: the hint is only a hint; a name that is no thread is
	 * ignored and the call succeeds. */
	tap_expect(thread_switch(0x4444, 0, 0), KERN_SUCCESS,
	           "thread_switch to an unused name succeeds");
	(void)mach_port_deallocate(T, self);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("timeouts: no console\n");
	tap_plan(28);
	check_receive();
	check_send();
	check_switch();
	tap_finish(host_priv);
	return 0;
}
