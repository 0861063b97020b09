/*
 * tests/system/machr-modules/vblk.c — Mach_R's disk vd0 through
 * device.defs, as the bootstrap task with a 1 MiB image attached
 * (tests/system/machr-vblk.sh): open, size, out-of-line and inband
 * writes and reads by 512-byte record, reads cut at the end, and
 * D_INVALID_RECNUM past it.  Mach_R only: GNU Mach has no virtio-blk.
 */
#include <device/device.h>
#include <machr/runtime.h>
#include <stdio.h>
#include <string.h>

#define REC     512
#define RECORDS 2048 /* 1 MiB */
#define FIRST   100  /* where the test writes */
#define SIZE    (16 * REC)

static unsigned number;

static void check(int cond, const char *name, kern_return_t kr)
{
	if (cond)
		printf("ok %u - %s\n", ++number, name);
	else
		printf("not ok %u - %s # kr %#x\n", ++number, name, kr);
}

static unsigned char pattern(unsigned i)
{
	return (unsigned char)(i * 31 + i / REC + 7);
}

int main(int argc, char **argv)
{
	static char buf[SIZE];
	mach_port_t host_priv, master, vd = MACH_PORT_NULL;
	int status[DEV_STATUS_MAX], written = -1, same;
	mach_msg_type_number_t n = DEV_STATUS_MAX;
	io_buf_ptr_inband_t in;
	io_buf_ptr_t data = 0;
	kern_return_t kr;

	if (machr_boot_ports(argc, argv, &host_priv, &master) != 0) {
		printf("1..1\nnot ok 1 - boot ports # bad argv\n");
		return 1;
	}
	printf("1..9\n");
	kr = device_open(master, D_READ | D_WRITE, "vd0", &vd);
	check(kr == D_SUCCESS && vd != MACH_PORT_NULL, "vd0 opens", kr);
	kr = device_get_status(vd, DEV_GET_SIZE, status, &n);
	check(kr == D_SUCCESS && n == DEV_GET_SIZE_COUNT &&
	          status[DEV_GET_SIZE_DEVICE_SIZE] == RECORDS * REC &&
	          status[DEV_GET_SIZE_RECORD_SIZE] == REC,
	      "DEV_GET_SIZE: 1 MiB in 512-byte records", kr);

	for (unsigned i = 0; i < SIZE; i++)
		buf[i] = (char)pattern(i);
	kr = device_write(vd, 0, FIRST, buf, SIZE, &written);
	check(kr == D_SUCCESS && written == SIZE,
	      "device_write of 16 records out of line", kr);
	n = 0;
	kr = device_read(vd, 0, FIRST, SIZE, &data, &n);
	same = kr == D_SUCCESS && n == SIZE &&
	       memcmp((void *)data, buf, SIZE) == 0;
	check(same, "device_read gives them back", kr);
	if (kr == D_SUCCESS)
		vm_deallocate(mach_task_self(), (vm_address_t)data, n);

	n = sizeof(in);
	kr = device_read_inband(vd, 0, FIRST + 1, 64, in, &n);
	check(kr == D_SUCCESS && n == 64 && memcmp(in, buf + REC, 64) == 0,
	      "device_read_inband of the next record's first bytes", kr);
	memset(in, 0x5A, sizeof(in));
	kr = device_write_inband(vd, 0, FIRST + 2, in, 100, &written);
	n = sizeof(buf);
	if (kr == D_SUCCESS)
		kr = device_read(vd, 0, FIRST + 2, REC, &data, &n);
	same = kr == D_SUCCESS && n == REC &&
	       memcmp((void *)data, in, 100) == 0 &&
	       memcmp((char *)data + 100, buf + 2 * REC + 100, REC - 100) == 0;
	check(same, "device_write_inband of a partial record keeps the rest",
	      kr);
	if (kr == D_SUCCESS)
		vm_deallocate(mach_task_self(), (vm_address_t)data, n);

	kr = device_read(vd, 0, RECORDS - 1, 4 * REC, &data, &n);
	check(kr == D_SUCCESS && n == REC, "a read is cut at the end", kr);
	if (kr == D_SUCCESS)
		vm_deallocate(mach_task_self(), (vm_address_t)data, n);
	kr = device_write_inband(vd, 0, RECORDS, in, 16, &written);
	check(kr == D_INVALID_RECNUM, "a write past the end: D_INVALID_RECNUM",
	      kr);
	kr = device_close(vd);
	check(kr == D_SUCCESS, "device_close", kr);

	kr = host_reboot(host_priv, RB_AUTOBOOT);
	printf("not ok - host_reboot returned %#x\n", kr);
	return 1;
}
