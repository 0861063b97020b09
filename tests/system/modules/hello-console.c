/*
 * tests/system/modules/hello-console.c — the smallest system test: as the
 * bootstrap task (argv = [name, host-priv, device-master]), open the
 * "console" device through the device master port with MIG's
 * device_open, write TAP lines to it with device_write_inband, then
 * host_reboot() so that QEMU (-no-reboot) exits.
 */
#include <device/device.h>
#include <machr/runtime.h>
#include <stdio.h>
#include <string.h>

static mach_port_t console = MACH_PORT_NULL;

/* Write a string to the console device; returns the first error. */
static kern_return_t put(const char *s)
{
	size_t len = strlen(s);

	while (len) {
		int written = 0;
		mach_msg_type_number_t n = len < IO_INBAND_MAX
		                               ? (mach_msg_type_number_t)len
		                               : IO_INBAND_MAX;
		kern_return_t kr =
		    device_write_inband(console, 0, 0, s, n, &written);

		if (kr != KERN_SUCCESS)
			return kr;
		if (written <= 0 || (size_t)written > n)
			return D_IO_ERROR;
		s += written;
		len -= (size_t)written;
	}
	return KERN_SUCCESS;
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;
	kern_return_t kr;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0) {
		mach_print(
		    "1..2\nnot ok 1 - console device opened # bad argv\n");
		return 1;
	}

	kr = device_open(device_master, D_READ | D_WRITE, "console", &console);
	if (kr != KERN_SUCCESS || console == MACH_PORT_NULL) {
		/* No console port: fall back to mach_print for the verdict. */
		printf("1..2\nnot ok 1 - console device opened # device_open: "
		       "%#x, port %u\n"
		       "not ok 2 - console write # skipped\n",
		       kr, console);
	} else {
		kr = put("1..2\nok 1 - console device opened\n");
		if (kr != KERN_SUCCESS)
			printf("not ok 2 - console write # "
			       "device_write_inband: %#x\n",
			       kr);
		else if ((kr = put("ok 2 - console write\n")) != KERN_SUCCESS)
			printf("not ok 2 - console write # "
			       "device_write_inband: %#x\n",
			       kr);
	}

	kr = host_reboot(host_priv, RB_AUTOBOOT);
	printf("not ok - host_reboot returned %#x\n", kr);
	return 1;
}
