/*
 * Unit tests of the disks of the device server (kernel/server/device.c)
 * through MIG's user stubs, on the host build's RAM disk (vd0,
 * arch/host/disk.c): open, the size, reads and writes by 512-byte record
 * inband and out of line, partial records, and the errors for record
 * numbers past the end, negative sizes, read-only disks and failing
 * sectors.
 */
#include <stdlib.h>

#include "kserver_harness.h"

#include "machine/host_test.h"

#define DISK_SECTORS 64
#define REC          512

static int disk_setup(void **state)
{
	host_disk_attach(DISK_SECTORS, false);
	return ks_setup(state);
}

static int ro_disk_setup(void **state)
{
	host_disk_attach(DISK_SECTORS, true);
	return ks_setup(state);
}

static int disk_teardown(void **state)
{
	int r = ks_teardown(state);

	host_disk_detach();
	return r;
}

#define TD(fn) cmocka_unit_test_setup_teardown(fn, disk_setup, disk_teardown)
#define TRO(fn)                                                                \
	cmocka_unit_test_setup_teardown(fn, ro_disk_setup, disk_teardown)

static mach_port_t open_disk(dev_mode_t mode)
{
	mach_port_t dev = MACH_PORT_NULL;

	assert_int_equal(u_device_open(master_name, mode, "vd0", &dev),
	                 D_SUCCESS);
	assert_true(MACH_PORT_VALID(dev));
	return dev;
}

static void test_disk_opens_as_vd0_and_reports_its_size(void **state)
{
	mach_port_t dev = open_disk(D_READ | D_WRITE), other = MACH_PORT_NULL;
	int status[DEV_STATUS_MAX];
	mach_msg_type_number_t n = DEV_STATUS_MAX;

	(void)state;
	assert_int_equal(u_device_open(master_name, D_READ, "vd1", &other),
	                 D_NO_SUCH_DEVICE);
	assert_int_equal(u_device_get_status(dev, DEV_GET_SIZE, status, &n),
	                 D_SUCCESS);
	assert_int_equal(n, DEV_GET_SIZE_COUNT);
	assert_int_equal(status[DEV_GET_SIZE_DEVICE_SIZE], DISK_SECTORS * REC);
	assert_int_equal(status[DEV_GET_SIZE_RECORD_SIZE], REC);
	n = DEV_STATUS_MAX;
	assert_int_equal(u_device_get_status(dev, DEV_GET_RECORDS, status, &n),
	                 D_SUCCESS);
	assert_int_equal(status[DEV_GET_RECORDS_DEVICE_RECORDS], DISK_SECTORS);
	assert_int_equal(status[DEV_GET_RECORDS_RECORD_SIZE], REC);
	n = 1;
	assert_int_equal(u_device_get_status(dev, DEV_GET_SIZE, status, &n),
	                 D_INVALID_SIZE);
	n = DEV_STATUS_MAX;
	assert_int_equal(u_device_get_status(dev, 77, status, &n),
	                 D_INVALID_OPERATION);
	assert_int_equal(u_device_close(dev), D_SUCCESS);
}

static void test_disk_inband_write_keeps_the_rest_of_the_record(void **state)
{
	mach_port_t dev = open_disk(D_READ | D_WRITE);
	unsigned char *disk = host_disk_data();
	io_buf_ptr_inband_t in;
	mach_msg_type_number_t n = sizeof(in);
	int written = -1;

	(void)state;
	memset(disk + 3 * REC, 0xAA, REC);
	for (unsigned i = 0; i < 100; i++)
		in[i] = (char)i;
	assert_int_equal(u_device_write_inband(dev, 0, 3, in, 100, &written),
	                 D_SUCCESS);
	assert_int_equal(written, 100);
	assert_memory_equal(disk + 3 * REC, in, 100);
	for (unsigned i = 100; i < REC; i++)
		assert_int_equal(disk[3 * REC + i], 0xAA);
	memset(in, 0, sizeof(in));
	assert_int_equal(u_device_read_inband(dev, 0, 3, 120, in, &n),
	                 D_SUCCESS);
	assert_int_equal(n, 120);
	for (unsigned i = 0; i < 120; i++)
		assert_int_equal((unsigned char)in[i], i < 100 ? i : 0xAA);
}

static void test_disk_out_of_line_write_reads_back(void **state)
{
	mach_port_t dev = open_disk(D_READ | D_WRITE);
	unsigned char *disk = host_disk_data();
	size_t size = 5 * REC;
	char *buf = malloc(size);
	io_buf_ptr_t data = NULL;
	mach_msg_type_number_t n = 0;
	int written = -1;

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < size; i++)
		buf[i] = (char)(i * 13 + i / REC);
	assert_int_equal(u_device_write(dev, 0, 10, buf, size, &written),
	                 D_SUCCESS);
	assert_int_equal(written, size);
	assert_memory_equal(disk + 10 * REC, buf, size);
	assert_int_equal(u_device_read(dev, 0, 10, (int)size, &data, &n),
	                 D_SUCCESS);
	assert_int_equal(n, size);
	assert_memory_equal(data, buf, size);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)data, n);
	/* Cut at the end of the disk: 2 records are left at 62. */
	assert_int_equal(
	    u_device_read(dev, 0, DISK_SECTORS - 2, (int)size, &data, &n),
	    D_SUCCESS);
	assert_int_equal(n, 2 * REC);
	fake_deallocate(&vm_a, (uint64_t)(uintptr_t)data, n);
	assert_int_equal(
	    u_device_write(dev, 0, DISK_SECTORS - 1, buf, size, &written),
	    D_SUCCESS);
	assert_int_equal(written, REC);
	free(buf);
}

static void test_disk_refuses_records_past_the_end(void **state)
{
	mach_port_t dev = open_disk(D_READ | D_WRITE);
	io_buf_ptr_inband_t in;
	io_buf_ptr_t data = NULL;
	mach_msg_type_number_t n = sizeof(in);
	int written = -1;

	(void)state;
	assert_int_equal(u_device_read_inband(dev, 0, DISK_SECTORS, 1, in, &n),
	                 D_INVALID_RECNUM);
	n = sizeof(in);
	assert_int_equal(
	    u_device_read_inband(dev, 0, DISK_SECTORS + 1, 1, in, &n),
	    D_INVALID_RECNUM);
	assert_int_equal(u_device_read(dev, 0, 1u << 30, REC, &data, &n),
	                 D_INVALID_RECNUM);
	assert_int_equal(
	    u_device_write_inband(dev, 0, DISK_SECTORS, in, 1, &written),
	    D_INVALID_RECNUM);
	/* A read of nothing at the end succeeds with nothing. */
	n = sizeof(in);
	assert_int_equal(u_device_read_inband(dev, 0, DISK_SECTORS, 0, in, &n),
	                 D_SUCCESS);
	assert_int_equal(n, 0);
	n = sizeof(in);
	assert_int_equal(u_device_read_inband(dev, 0, 0, -1, in, &n),
	                 D_INVALID_SIZE);
	assert_int_equal(u_device_read(dev, 0, 0, -512, &data, &n),
	                 D_INVALID_SIZE);
}

static void test_disk_failing_sector_is_an_io_error(void **state)
{
	mach_port_t dev = open_disk(D_READ | D_WRITE);
	io_buf_ptr_inband_t in;
	mach_msg_type_number_t n = sizeof(in);
	int written = -1;

	(void)state;
	host_disk_fail_at(5);
	assert_int_equal(u_device_read_inband(dev, 0, 5, 16, in, &n),
	                 D_IO_ERROR);
	assert_int_equal(u_device_write_inband(dev, 0, 5, in, 16, &written),
	                 D_IO_ERROR);
	n = sizeof(in);
	assert_int_equal(u_device_read_inband(dev, 0, 6, 16, in, &n),
	                 D_SUCCESS);
}

static void test_read_only_disk_refuses_writes(void **state)
{
	mach_port_t dev = MACH_PORT_NULL;
	io_buf_ptr_inband_t in = {0};
	int written = -1;

	(void)state;
	assert_int_equal(
	    u_device_open(master_name, D_READ | D_WRITE, "vd0", &dev),
	    D_READ_ONLY);
	dev = open_disk(D_READ);
	assert_int_equal(u_device_write_inband(dev, 0, 0, in, 16, &written),
	                 D_READ_ONLY);
}

static void test_no_disk_no_vd0(void **state)
{
	mach_port_t dev = MACH_PORT_NULL;

	(void)state;
	assert_int_equal(u_device_open(master_name, D_READ, "vd0", &dev),
	                 D_NO_SUCH_DEVICE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TD(test_disk_opens_as_vd0_and_reports_its_size),
	    TD(test_disk_inband_write_keeps_the_rest_of_the_record),
	    TD(test_disk_out_of_line_write_reads_back),
	    TD(test_disk_refuses_records_past_the_end),
	    TD(test_disk_failing_sector_is_an_io_error),
	    TRO(test_read_only_disk_refuses_writes),
	    T(test_no_disk_no_vd0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
