/*
 * user/runtime/console.c — the "console" device: open it through the
 * device master port and read/write it with the inband device calls.
 */
#include <device/device.h>
#include <machr/runtime.h>

mach_port_t machr_console = MACH_PORT_NULL;

kern_return_t machr_console_open(mach_port_t device_master)
{
	mach_port_t dev;
	kern_return_t kr =
	    device_open(device_master, D_READ | D_WRITE, "console", &dev);

	if (kr == KERN_SUCCESS)
		machr_console = dev;
	return kr;
}

kern_return_t machr_console_write(const char *buf, size_t len)
{
	while (len) {
		mach_msg_type_number_t n = len < IO_INBAND_MAX
		                               ? (mach_msg_type_number_t)len
		                               : IO_INBAND_MAX;
		int written = 0;
		kern_return_t kr =
		    device_write_inband(machr_console, 0, 0, buf, n, &written);

		if (kr != KERN_SUCCESS)
			return kr;
		if (written <= 0 || (size_t)written > n)
			return D_IO_ERROR;
		buf += written;
		len -= (size_t)written;
	}
	return KERN_SUCCESS;
}

long machr_console_read(char *buf, size_t len)
{
	io_buf_ptr_inband_t tmp;
	mach_msg_type_number_t n = IO_INBAND_MAX;
	kern_return_t kr;

	if (len < n)
		n = (mach_msg_type_number_t)len;
	kr = device_read_inband(machr_console, 0, 0, (int)n, tmp, &n);
	if (kr != KERN_SUCCESS)
		return -(long)kr;
	for (mach_msg_type_number_t i = 0; i < n && i < len; i++)
		buf[i] = tmp[i];
	return (long)n;
}
