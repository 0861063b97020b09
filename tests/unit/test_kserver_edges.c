/*
 * Error paths of the host and device servers (kernel/server/host.c,
 * device.c) through MIG's user stubs: ports of the wrong kind, counts
 * too small for a flavor, unknown flavors, bad times, and what the
 * console refuses, with GNU Mach's answers as docs/ABI.md records them.
 * The happy paths are in test_kserver_host.c.
 */
#include <mach/host_info.h>
#include <mach/processor_info.h>

#include "kserver_harness.h"

/* kernel/task's task and thread count (a weak hook in host.c). */
void kserver_count_tasks(unsigned *tasks, unsigned *threads)
{
	*tasks = 3;
	*threads = 7;
}

/* ---- the host ---- */

static void test_host_info_count_below_the_flavors(void **state)
{
	integer_t info[HOST_INFO_MAX];
	mach_msg_type_number_t cnt;

	(void)state;
	/* docs/ABI.md: a count below the flavour's is KERN_FAILURE. */
	cnt = HOST_BASIC_INFO_COUNT - 1;
	assert_int_equal(u_host_info(host_name, HOST_BASIC_INFO, info, &cnt),
	                 KERN_FAILURE);
	cnt = HOST_SCHED_INFO_COUNT - 1;
	assert_int_equal(u_host_info(host_name, HOST_SCHED_INFO, info, &cnt),
	                 KERN_FAILURE);
	cnt = HOST_LOAD_INFO_COUNT - 1;
	assert_int_equal(u_host_info(host_name, HOST_LOAD_INFO, info, &cnt),
	                 KERN_FAILURE);
	/* The privileged port serves it too. */
	cnt = HOST_INFO_MAX;
	assert_int_equal(
	    u_host_info(host_priv_name, HOST_BASIC_INFO, info, &cnt),
	    KERN_SUCCESS);
	assert_int_equal(cnt, HOST_BASIC_INFO_COUNT);
}

static void test_host_calls_on_a_task_port(void **state)
{
	time_value_t now;
	time_value64_t t64;
	kernel_version_t v;
	mach_port_t pset = MACH_PORT_NULL;
	processor_set_name_array_t sets = NULL;
	mach_msg_type_number_t n = 0;

	(void)state;
	/* docs/ABI.md: host_get_time and host_get_uptime64 answer
	 * KERN_INVALID_HOST on a task port. */
	assert_int_equal(u_host_get_time(task_a_name, &now), KERN_INVALID_HOST);
	assert_int_equal(u_host_get_time64(task_a_name, &t64),
	                 KERN_INVALID_HOST);
	assert_int_equal(u_host_get_uptime64(task_a_name, &t64),
	                 KERN_INVALID_HOST);
	assert_int_equal(u_host_get_kernel_version(task_a_name, v),
	                 KERN_INVALID_HOST);
	/* ... and a task port for a host is KERN_INVALID_ARGUMENT. */
	assert_int_equal(u_processor_set_default(task_a_name, &pset),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(pset, MACH_PORT_NULL);
	assert_int_equal(u_host_processor_sets(task_a_name, &sets, &n),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(refs(sa, task_a_name, MACH_PORT_RIGHT_SEND), 1);
}

static void test_setting_the_time_checks_port_and_value(void **state)
{
	time_value64_t t = {.seconds = 2000000, .nanoseconds = 0}, now;
	time_value_t bad = {.seconds = 5, .microseconds = -1};

	(void)state;
	/* mach_host.defs gives host_set_time64 a host_t, not host_priv_t,
	 * and GNU Mach checks no more: the name port sets the clock too. */
	assert_int_equal(u_host_set_time64(task_a_name, t), KERN_INVALID_HOST);
	assert_int_equal(u_host_set_time64(host_name, t), KERN_SUCCESS);
	t.nanoseconds = 1000000000;
	assert_int_equal(u_host_set_time64(host_priv_name, t),
	                 KERN_INVALID_ARGUMENT);
	t.nanoseconds = -1;
	assert_int_equal(u_host_set_time64(host_priv_name, t),
	                 KERN_INVALID_ARGUMENT);
	t.nanoseconds = 999999999;
	assert_int_equal(u_host_set_time64(host_priv_name, t), KERN_SUCCESS);
	assert_int_equal(u_host_get_time64(host_name, &now), KERN_SUCCESS);
	assert_true(now.seconds >= 2000000 && now.seconds < 2000100);
	/* A bad value without the privilege: the port is checked first. */
	assert_int_equal(u_host_set_time(host_name, bad), KERN_INVALID_HOST);
	assert_int_equal(u_host_set_time(host_priv_name, bad),
	                 KERN_INVALID_ARGUMENT);
}

static void test_host_reboot_has_no_debugger(void **state)
{
	(void)state;
	/* docs/ABI.md: RB_DEBUGGER (0x1000) is KERN_INVALID_ARGUMENT. */
	assert_int_equal(u_host_reboot(host_priv_name, 0x1000),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(u_host_reboot(host_priv_name, 0x1000 | 0x08),
	                 KERN_INVALID_ARGUMENT);
}

/* ---- processor sets and processors ---- */

/* A send right to the default set's name port. */
static mach_port_t default_pset(void)
{
	mach_port_t pset = MACH_PORT_NULL;

	assert_int_equal(u_processor_set_default(host_name, &pset),
	                 KERN_SUCCESS);
	return pset;
}

static void test_processor_set_info_errors(void **state)
{
	integer_t info[PROCESSOR_SET_INFO_MAX];
	processor_set_basic_info_t b = (processor_set_basic_info_t)info;
	mach_msg_type_number_t cnt = PROCESSOR_SET_INFO_MAX;
	mach_port_t pset = default_pset(), ctl = MACH_PORT_NULL, h = 0;

	(void)state;
	/* The task and thread counts come from kernel/task's hook. */
	assert_int_equal(u_processor_set_info(pset, PROCESSOR_SET_BASIC_INFO,
	                                      &h, info, &cnt),
	                 KERN_SUCCESS);
	assert_int_equal(b->task_count, 3);
	assert_int_equal(b->thread_count, 7);
	cnt = PROCESSOR_SET_INFO_MAX;
	assert_int_equal(u_processor_set_info(pset, 99, &h, info, &cnt),
	                 KERN_INVALID_ARGUMENT);
	cnt = PROCESSOR_SET_BASIC_INFO_COUNT - 1;
	assert_int_equal(u_processor_set_info(pset, PROCESSOR_SET_BASIC_INFO,
	                                      &h, info, &cnt),
	                 KERN_FAILURE);
	cnt = PROCESSOR_SET_SCHED_INFO_COUNT - 1;
	assert_int_equal(u_processor_set_info(pset, PROCESSOR_SET_SCHED_INFO,
	                                      &h, info, &cnt),
	                 KERN_FAILURE);
	cnt = PROCESSOR_SET_INFO_MAX;
	assert_int_equal(u_processor_set_info(host_name,
	                                      PROCESSOR_SET_BASIC_INFO, &h,
	                                      info, &cnt),
	                 KERN_INVALID_ARGUMENT);
	/* The set's control port names it too, as on GNU Mach. */
	assert_int_equal(u_host_processor_set_priv(host_priv_name, pset, &ctl),
	                 KERN_SUCCESS);
	cnt = PROCESSOR_SET_INFO_MAX;
	assert_int_equal(
	    u_processor_set_info(ctl, PROCESSOR_SET_SCHED_INFO, &h, info, &cnt),
	    KERN_SUCCESS);
	assert_int_equal(cnt, PROCESSOR_SET_SCHED_INFO_COUNT);
	/* Not a set: KERN_INVALID_ARGUMENT. */
	assert_int_equal(
	    u_host_processor_set_priv(host_priv_name, task_a_name, &ctl),
	    KERN_INVALID_ARGUMENT);
}

static void test_processor_info_errors(void **state)
{
	processor_array_t procs = NULL;
	mach_msg_type_number_t n = 0, cnt = PROCESSOR_INFO_MAX;
	integer_t info[PROCESSOR_INFO_MAX];
	mach_port_t h = 0;

	(void)state;
	assert_int_equal(u_host_processors(task_a_name, &procs, &n),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(u_host_processors(host_priv_name, &procs, &n),
	                 KERN_SUCCESS);
	/* docs/ABI.md: an unknown processor_info flavor is KERN_FAILURE. */
	assert_int_equal(u_processor_info(procs[0], 99, &h, info, &cnt),
	                 KERN_FAILURE);
	cnt = PROCESSOR_BASIC_INFO_COUNT - 1;
	assert_int_equal(
	    u_processor_info(procs[0], PROCESSOR_BASIC_INFO, &h, info, &cnt),
	    KERN_FAILURE);
	cnt = PROCESSOR_INFO_MAX;
	assert_int_equal(
	    u_processor_info(host_name, PROCESSOR_BASIC_INFO, &h, info, &cnt),
	    KERN_INVALID_ARGUMENT);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)procs, n * 4);
}

/* ---- the console device ---- */

static void test_device_calls_on_a_non_device(void **state)
{
	io_buf_ptr_inband_t in = "x";
	io_buf_ptr_t data = NULL;
	mach_msg_type_number_t n = sizeof(in);
	int written = -1, status[4] = {0};
	mach_port_t pager = MACH_PORT_NULL;
	static char buf[16];

	(void)state;
	/* docs/ABI.md: an invalid device port is D_NO_SUCH_DEVICE. */
	assert_int_equal(
	    u_device_write(host_name, 0, 0, buf, sizeof(buf), &written),
	    D_NO_SUCH_DEVICE);
	assert_int_equal(
	    u_device_write_inband(task_a_name, 0, 0, in, 1, &written),
	    D_NO_SUCH_DEVICE);
	assert_int_equal(written, -1);
	assert_int_equal(u_device_read(master_name, 0, 0, 4, &data, &n),
	                 D_NO_SUCH_DEVICE);
	assert_int_equal(u_device_read_inband(host_name, 0, 0, 4, in, &n),
	                 D_NO_SUCH_DEVICE);
	assert_int_equal(u_device_map(host_name, 1, 0, 4096, &pager, 0),
	                 D_NO_SUCH_DEVICE);
	assert_int_equal(u_device_set_status(host_name, 1, status, 4),
	                 D_NO_SUCH_DEVICE);
	assert_int_equal(u_device_set_filter(host_name, MACH_PORT_NULL,
	                                     MACH_MSG_TYPE_MAKE_SEND, 0, NULL,
	                                     0),
	                 D_NO_SUCH_DEVICE);
	assert_int_equal(u_device_intr_register(host_name, 1, 0, MACH_PORT_NULL,
	                                        MACH_MSG_TYPE_MAKE_SEND),
	                 D_NO_SUCH_DEVICE);
	assert_int_equal(u_device_intr_ack(host_name, MACH_PORT_NULL,
	                                   MACH_MSG_TYPE_MAKE_SEND),
	                 D_NO_SUCH_DEVICE);
	assert_int_equal(refs(sa, host_name, MACH_PORT_RIGHT_SEND), 1);
}

static void test_console_refuses_maps_filters_and_interrupts(void **state)
{
	mach_port_t dev = MACH_PORT_NULL, pager = MACH_PORT_NULL;
	mach_port_t rp = new_port(sa);
	filter_t filter[2] = {0, 0};

	(void)state;
	assert_int_equal(
	    u_device_open(master_name, D_READ | D_WRITE, "console", &dev),
	    D_SUCCESS);
	/* docs/ABI.md: D_INVALID_OPERATION for all of these. */
	assert_int_equal(u_device_map(dev, 1, 0, 4096, &pager, 0),
	                 D_INVALID_OPERATION);
	assert_int_equal(pager, MACH_PORT_NULL);
	assert_int_equal(
	    u_device_set_filter(dev, rp, MACH_MSG_TYPE_MAKE_SEND, 0, filter, 2),
	    D_INVALID_OPERATION);
	assert_int_equal(
	    u_device_intr_register(dev, 1, 0, rp, MACH_MSG_TYPE_MAKE_SEND),
	    D_INVALID_OPERATION);
	assert_int_equal(u_device_intr_ack(dev, rp, MACH_MSG_TYPE_MAKE_SEND),
	                 D_INVALID_OPERATION);
	/* The refused requests' send rights went away with them. */
	assert_int_equal(srights_of(port_of(sa, rp)), 0);
	(void)mach_port_destroy(sa, rp);
}

static void test_console_empty_reads_and_writes(void **state)
{
	mach_port_t dev = MACH_PORT_NULL;
	io_buf_ptr_inband_t in;
	io_buf_ptr_t data = NULL;
	mach_msg_type_number_t n = 77;
	int written = -1;

	(void)state;
	assert_int_equal(u_device_open(master_name, D_WRITE, "console", &dev),
	                 D_SUCCESS);
	host_console_reset();
	/* docs/ABI.md: a 0-byte write succeeds with 0 written. */
	assert_int_equal(u_device_write_inband(dev, 0, 0, in, 0, &written),
	                 D_SUCCESS);
	assert_int_equal(written, 0);
	written = -1;
	assert_int_equal(u_device_write(dev, 0, 0, NULL, 0, &written),
	                 D_SUCCESS);
	assert_int_equal(written, 0);
	assert_string_equal(host_console_output(), "");
	/* Reads of nothing (or less) return at once, with nothing. */
	assert_int_equal(u_device_read(dev, 0, 0, 0, &data, &n), D_SUCCESS);
	assert_int_equal(n, 0);
	n = sizeof(in);
	assert_int_equal(u_device_read_inband(dev, 0, 0, -5, in, &n),
	                 D_SUCCESS);
	assert_int_equal(n, 0);
	/* Without input and D_NOWAIT, out of line too: D_WOULD_BLOCK. */
	assert_int_equal(u_device_read(dev, D_NOWAIT, 0, 8, &data, &n),
	                 D_WOULD_BLOCK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_host_info_count_below_the_flavors),
	    T(test_host_calls_on_a_task_port),
	    T(test_setting_the_time_checks_port_and_value),
	    T(test_host_reboot_has_no_debugger),
	    T(test_processor_set_info_errors),
	    T(test_processor_info_errors),
	    T(test_device_calls_on_a_non_device),
	    T(test_console_refuses_maps_filters_and_interrupts),
	    T(test_console_empty_reads_and_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
