/*
 * Unit tests of the host and device servers (kernel/server/host.c,
 * device.c) through MIG's user stubs: host information, version, time,
 * reboot's privilege check, the processor set and processors, and the
 * console device (open, inband and out-of-line writes, reads that wait
 * for input, the operations it refuses).
 */
#include <mach/host_info.h>
#include <mach/processor_info.h>

#include "kserver_harness.h"

/* ---- the host ---- */

static void test_host_info_basic(void **state)
{
	integer_t info[HOST_INFO_MAX];
	mach_msg_type_number_t cnt = HOST_INFO_MAX;
	host_basic_info_t b = (host_basic_info_t)info;

	(void)state;
	assert_int_equal(u_host_info(host_name, HOST_BASIC_INFO, info, &cnt),
	                 KERN_SUCCESS);
	assert_int_equal(cnt, HOST_BASIC_INFO_COUNT);
	assert_true(b->avail_cpus >= 1 && b->avail_cpus <= b->max_cpus);
	assert_true(b->memory_size >= MEM_SIZE / 2);
	assert_int_equal(b->cpu_type, CPU_TYPE_X86_64);
}

static void test_host_info_other_flavors(void **state)
{
	integer_t info[HOST_INFO_MAX];
	mach_msg_type_number_t cnt = HOST_INFO_MAX;

	(void)state;
	assert_int_equal(u_host_info(host_name, HOST_SCHED_INFO, info, &cnt),
	                 KERN_SUCCESS);
	assert_int_equal(cnt, HOST_SCHED_INFO_COUNT);
	assert_true(((host_sched_info_t)info)->min_quantum > 0);
	cnt = HOST_INFO_MAX;
	assert_int_equal(u_host_info(host_name, HOST_LOAD_INFO, info, &cnt),
	                 KERN_SUCCESS);
	assert_int_equal(cnt, HOST_LOAD_INFO_COUNT);
	cnt = HOST_INFO_MAX;
	assert_int_equal(
	    u_host_info(host_name, HOST_PROCESSOR_SLOTS, info, &cnt),
	    KERN_SUCCESS);
	assert_true(cnt >= 1);
	assert_int_equal(info[0], 0);
	cnt = HOST_INFO_MAX;
	assert_int_equal(u_host_info(host_name, 99, info, &cnt),
	                 KERN_INVALID_ARGUMENT);
	/* Not a host port at all: GNU Mach says KERN_INVALID_ARGUMENT
	 * (host-info module). */
	cnt = HOST_INFO_MAX;
	assert_int_equal(u_host_info(task_a_name, HOST_BASIC_INFO, info, &cnt),
	                 KERN_INVALID_ARGUMENT);
	/* And a zero count for the slots, too. */
	cnt = 0;
	assert_int_equal(
	    u_host_info(host_name, HOST_PROCESSOR_SLOTS, info, &cnt),
	    KERN_INVALID_ARGUMENT);
}

static void test_kernel_version_says_mach_r(void **state)
{
	kernel_version_t v;

	(void)state;
	/* (host_kernel_version is i386-only: a skip on x86_64.) */
	memset(v, 0, sizeof(v));
	assert_int_equal(u_host_get_kernel_version(host_priv_name, v),
	                 KERN_SUCCESS);
	assert_memory_equal(v, "Mach_R", 6);
}

static void test_time_and_its_privilege(void **state)
{
	time_value_t tv = {.seconds = 1000000, .microseconds = 0}, now;
	time_value64_t t64, up;

	(void)state;
	assert_int_equal(u_host_set_time(host_name, tv), KERN_INVALID_HOST);
	assert_int_equal(u_host_set_time(host_priv_name, tv), KERN_SUCCESS);
	assert_int_equal(u_host_get_time(host_name, &now), KERN_SUCCESS);
	assert_true(now.seconds >= 1000000 && now.seconds < 1000100);
	assert_true(now.microseconds >= 0 && now.microseconds < 1000000);
	assert_int_equal(u_host_get_time64(host_name, &t64), KERN_SUCCESS);
	assert_true(t64.seconds >= 1000000 && t64.nanoseconds < 1000000000);
	assert_int_equal(u_host_get_uptime64(host_name, &up), KERN_SUCCESS);
	assert_true(up.seconds >= 0 && up.seconds < 100);
	tv.microseconds = 2000000;
	assert_int_equal(u_host_set_time(host_priv_name, tv),
	                 KERN_INVALID_ARGUMENT);
}

static void test_host_reboot_needs_the_privileged_port(void **state)
{
	(void)state;
	assert_int_equal(u_host_reboot(host_name, 0), KERN_INVALID_HOST);
	assert_int_equal(u_host_reboot(task_a_name, 0), KERN_INVALID_HOST);
}

/* ---- processor sets and processors ---- */

static void test_default_processor_set(void **state)
{
	mach_port_t pset = MACH_PORT_NULL, ctl = MACH_PORT_NULL, h = 0;
	integer_t info[PROCESSOR_SET_INFO_MAX];
	mach_msg_type_number_t cnt = PROCESSOR_SET_INFO_MAX;
	processor_set_basic_info_t b = (processor_set_basic_info_t)info;

	(void)state;
	assert_int_equal(u_processor_set_default(host_name, &pset),
	                 KERN_SUCCESS);
	assert_int_equal(type_of_name(sa, pset), MACH_PORT_TYPE_SEND);
	assert_int_equal(u_processor_set_info(pset, PROCESSOR_SET_BASIC_INFO,
	                                      &h, info, &cnt),
	                 KERN_SUCCESS);
	assert_int_equal(cnt, PROCESSOR_SET_BASIC_INFO_COUNT);
	assert_true(b->processor_count >= 1);
	assert_int_equal(h, host_name); /* joins our send right's name */
	cnt = PROCESSOR_SET_INFO_MAX;
	assert_int_equal(u_processor_set_info(pset, PROCESSOR_SET_SCHED_INFO,
	                                      &h, info, &cnt),
	                 KERN_SUCCESS);
	/* GNU Mach: the host name port here is KERN_INVALID_ARGUMENT
	 * (pinned by the sched-calls module). */
	assert_int_equal(u_host_processor_set_priv(host_name, pset, &ctl),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(u_host_processor_set_priv(host_priv_name, pset, &ctl),
	                 KERN_SUCCESS);
	assert_int_not_equal(ctl, pset);
	assert_int_equal(type_of_name(sa, ctl), MACH_PORT_TYPE_SEND);
	/* Not yet: the scheduler's operations on it. */
	assert_int_equal(u_processor_set_max_priority(ctl, 10, FALSE),
	                 MIG_BAD_ID);
}

static void test_host_processor_sets_is_a_port_array(void **state)
{
	processor_set_name_array_t sets = NULL;
	mach_msg_type_number_t n = 0;
	mach_port_t pset = MACH_PORT_NULL;

	(void)state;
	assert_int_equal(u_host_processor_sets(host_name, &sets, &n),
	                 KERN_SUCCESS);
	assert_int_equal(n, 1);
	assert_int_equal(u_processor_set_default(host_name, &pset),
	                 KERN_SUCCESS);
	assert_int_equal(sets[0], pset);
	assert_int_equal(refs(sa, pset, MACH_PORT_RIGHT_SEND), 2);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)sets, n * 4);
}

static void test_host_processors_and_processor_info(void **state)
{
	processor_array_t procs = NULL;
	mach_msg_type_number_t n = 0, cnt = PROCESSOR_INFO_MAX;
	integer_t info[PROCESSOR_INFO_MAX];
	processor_basic_info_t b = (processor_basic_info_t)info;
	mach_port_t h = 0;

	(void)state;
	/* GNU Mach: KERN_INVALID_ARGUMENT without host-priv here. */
	assert_int_equal(u_host_processors(host_name, &procs, &n),
	                 KERN_INVALID_ARGUMENT);
	assert_int_equal(u_host_processors(host_priv_name, &procs, &n),
	                 KERN_SUCCESS);
	assert_true(n >= 1);
	assert_int_equal(
	    u_processor_info(procs[0], PROCESSOR_BASIC_INFO, &h, info, &cnt),
	    KERN_SUCCESS);
	assert_int_equal(cnt, PROCESSOR_BASIC_INFO_COUNT);
	assert_int_equal(b->slot_num, 0);
	assert_true(b->is_master);
	assert_int_equal(b->cpu_type, CPU_TYPE_X86_64);
	assert_int_equal(u_processor_start(procs[0]), MIG_BAD_ID);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)procs, n * 4);
}

/* ---- the console device ---- */

static mach_port_t open_console(void)
{
	mach_port_t dev = MACH_PORT_NULL;

	assert_int_equal(
	    u_device_open(master_name, D_READ | D_WRITE, "console", &dev),
	    D_SUCCESS);
	assert_int_equal(type_of_name(sa, dev), MACH_PORT_TYPE_SEND);
	return dev;
}

static void test_device_open_names_and_master(void **state)
{
	mach_port_t dev = MACH_PORT_NULL;

	(void)state;
	assert_int_equal(u_device_open(master_name, D_WRITE, "nosuch", &dev),
	                 D_NO_SUCH_DEVICE);
	assert_int_equal(D_NO_SUCH_DEVICE, 2502);
	assert_int_equal(
	    u_device_open(host_priv_name, D_WRITE, "console", &dev),
	    D_INVALID_OPERATION);
	dev = open_console();
	assert_int_equal(open_console(), dev); /* one port, one name */
	assert_int_equal(u_device_close(dev), D_SUCCESS);
	assert_int_equal(u_device_close(host_name), D_NO_SUCH_DEVICE);
}

static void test_console_writes_pass_bytes_through(void **state)
{
	mach_port_t dev = open_console();
	static char big[5000];
	io_buf_ptr_inband_t line = "ok 1\n";
	int written = -1;

	(void)state;
	host_console_reset();
	assert_int_equal(u_device_write_inband(dev, 0, 0, line, 5, &written),
	                 D_SUCCESS);
	assert_int_equal(written, 5);
	assert_string_equal(host_console_output(), "ok 1\n");
	/* Out of line, and larger than one copy chunk. */
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	host_console_reset();
	assert_int_equal(u_device_write(dev, 0, 0, big, sizeof(big), &written),
	                 D_SUCCESS);
	assert_int_equal(written, sizeof(big));
	assert_int_equal(strlen(host_console_output()), sizeof(big));
	assert_memory_equal(host_console_output(), big, sizeof(big));
}

static void test_console_write_crosses_out_of_line_chunks(void **state)
{
	mach_port_t dev = open_console();
	size_t size = 64 * 1024 + 4000; /* two chunks of the region */
	char *big = malloc(size);
	int written = -1;

	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i < size; i++)
		big[i] = (char)('a' + i % 26);
	host_console_reset();
	assert_int_equal(u_device_write(dev, 0, 0, big, size, &written),
	                 D_SUCCESS);
	assert_int_equal(written, size);
	assert_memory_equal(host_console_output(), big, size);
	free(big);
}

static void test_console_reads_what_arrived(void **state)
{
	mach_port_t dev = open_console();
	io_buf_ptr_inband_t in;
	io_buf_ptr_t data = NULL;
	mach_msg_type_number_t n = 0;

	(void)state;
	assert_int_equal(u_device_read_inband(dev, D_NOWAIT, 0, 10, in, &n),
	                 D_WOULD_BLOCK);
	host_console_input("abc", 3);
	n = sizeof(in); /* what the caller's array holds */
	assert_int_equal(u_device_read_inband(dev, 0, 0, 10, in, &n),
	                 D_SUCCESS);
	assert_int_equal(n, 3);
	assert_memory_equal(in, "abc", 3);
	host_console_input("hello", 5);
	assert_int_equal(u_device_read(dev, 0, 0, 2, &data, &n), D_SUCCESS);
	assert_int_equal(n, 2);
	assert_memory_equal(data, "he", 2);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)data, n);
	assert_int_equal(u_device_read(dev, 0, 0, 100, &data, &n), D_SUCCESS);
	assert_int_equal(n, 3);
	assert_memory_equal(data, "llo", 3);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)data, n);
}

static void *type_later(void *arg)
{
	(void)arg;
	usleep(30 * 1000);
	host_console_input("z", 1);
	return NULL;
}

static void test_console_read_waits_for_input(void **state)
{
	mach_port_t dev = open_console();
	io_buf_ptr_inband_t in;
	mach_msg_type_number_t n = sizeof(in);
	pthread_t typist;

	(void)state;
	assert_int_equal(pthread_create(&typist, NULL, type_later, NULL), 0);
	assert_int_equal(u_device_read_inband(dev, 0, 0, 10, in, &n),
	                 D_SUCCESS);
	assert_int_equal(n, 1);
	assert_int_equal(in[0], 'z');
	pthread_join(typist, NULL);
}

static void test_console_refuses_other_operations(void **state)
{
	mach_port_t dev = open_console();
	int status[4] = {0};
	mach_msg_type_number_t n = 4;

	(void)state;
	assert_int_equal(u_device_get_status(dev, 1, status, &n),
	                 D_INVALID_OPERATION);
	assert_int_equal(u_device_set_status(dev, 1, status, 4),
	                 D_INVALID_OPERATION);
	assert_int_equal(u_device_get_status(host_name, 1, status, &n),
	                 D_NO_SUCH_DEVICE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_host_info_basic),
	    T(test_host_info_other_flavors),
	    T(test_kernel_version_says_mach_r),
	    T(test_time_and_its_privilege),
	    T(test_host_reboot_needs_the_privileged_port),
	    T(test_default_processor_set),
	    T(test_host_processor_sets_is_a_port_array),
	    T(test_host_processors_and_processor_info),
	    T(test_device_open_names_and_master),
	    T(test_console_writes_pass_bytes_through),
	    T(test_console_write_crosses_out_of_line_chunks),
	    T(test_console_reads_what_arrived),
	    T(test_console_read_waits_for_input),
	    T(test_console_refuses_other_operations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
