/*
 * user/runtime/time.c — the time of day for tests that measure how long
 * a call blocked, and a plain delay.
 */
#include <machr/runtime.h>
#include <mach/thread_switch.h>

int64_t machr_now_ms(void)
{
	static mach_port_t host; /* mach_host_self() adds a uref per call */
	time_value64_t tv;

	if (host == MACH_PORT_NULL)
		host = mach_host_self();
	if (host_get_time64(host, &tv) != KERN_SUCCESS)
		return -1;
	return tv.seconds * 1000 + tv.nanoseconds / 1000000;
}

void machr_sleep_ms(unsigned ms)
{
	(void)thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, ms);
}
