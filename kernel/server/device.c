/*
 * device.defs: the device master port and the one device so far, the
 * console ("console"), whose reads and writes go to the machine console
 * (the serial port on x86_64) byte for byte.  Every other operation is
 * D_INVALID_OPERATION, and every other name D_NO_SUCH_DEVICE, as GNU
 * Mach answers for devices it does not have.
 */
#include <device/device_types.h>

#include "ipc/ool.h"
#include "kern/clock.h"
#include "kern/printf.h"
#include "kern/slab.h"
#include "kern/spinlock.h"
#include "kern/string.h"
#include "kern/waitq.h"
#include "machine/console.h"
#include "device_server.h"
#include "server/kobjects.h"

/* How often a blocked console read looks for input (no receive
 * interrupt yet: the UART is polled). */
#define CONSOLE_POLL_NS (10ULL * 1000 * 1000)

/* The most a device_read takes at once. */
#define DEVICE_READ_MAX 4096

/*
 * A device.
 * Owned by: the kernel, for ever (made by kserver_device_init).
 * Guarded by: nothing (fixed at init); reads wait on `readers`.
 */
struct kdevice {
	const char *name;
	struct port *port; /* KOBJECT_DEVICE */
	spinlock_t lock;   /* held to start a wait on `readers` */
	struct waitq readers;
};

static struct kdevice console_device = {.name = "console"};
static struct port *master_port;

struct port *device_master_port(void)
{
	return master_port;
}

kern_return_t kserver_device_init(void)
{
	spin_init(&console_device.lock, "device.console");
	waitq_init(&console_device.readers);
	console_device.port = NULL;
	master_port = NULL;
	kern_return_t kr =
	    kserver_alloc_port(KOBJECT_MASTER_DEVICE, NULL, &master_port);

	if (kr == KERN_SUCCESS)
		kr = kserver_alloc_port(KOBJECT_DEVICE, &console_device,
		                        &console_device.port);
	return kr;
}

void kserver_device_fini(void)
{
	kserver_free_port(&console_device.port);
	kserver_free_port(&master_port);
}

/* ---- conversions (device_types.defs) ---- */

device_t dev_port_lookup(ipc_port_t port)
{
	return kserver_kobject(port, KOBJECT_DEVICE);
}

ipc_port_t convert_device_to_port(device_t device)
{
	return device != NULL ? kserver_send_right(device->port) : IP_NULL;
}

void device_deallocate(device_t device)
{
	(void)device; /* devices live for ever */
}

/* ---- the console ---- */

/*
 * Read up to LEN (> 0) bytes of console input into BUF: at least one,
 * waiting for it unless MODE has D_NOWAIT.
 * Returns: D_SUCCESS (*GOT bytes), D_WOULD_BLOCK, D_IO_ERROR (the wait
 *   was interrupted: thread_abort).
 */
static io_return_t console_read(struct kdevice *dev, dev_mode_t mode, char *buf,
                                size_t len, size_t *got)
{
	for (;;) {
		struct waiter w;
		unsigned long f;
		size_t n = machine_console_read(buf, len);

		if (n > 0) {
			*got = n;
			return D_SUCCESS;
		}
		if (mode & D_NOWAIT)
			return D_WOULD_BLOCK;
		f = spin_lock(&dev->lock);
		waiter_init(&w);
		if (waitq_wait(&dev->readers, &dev->lock, f,
		               clock_now_ns() + CONSOLE_POLL_NS,
		               &w) == WAITQ_INTERRUPTED)
			return D_IO_ERROR;
	}
}

/* ---- device.defs ---- */

static io_return_t open_device(ipc_port_t master, const_dev_name_t name,
                               device_t *device)
{
	if (master == IP_NULL || master != master_port)
		return D_INVALID_OPERATION;
	if (strcmp(name, console_device.name) != 0)
		return D_NO_SUCH_DEVICE;
	*device = &console_device;
	return D_SUCCESS;
}

kern_return_t ds_device_open(ipc_port_t master_port_arg, ipc_port_t reply_port,
                             mach_msg_type_name_t reply_port_poly,
                             dev_mode_t mode, const_dev_name_t name,
                             device_t *device)
{
	return open_device(master_port_arg, name, device);
}

kern_return_t ds_device_open_new(ipc_port_t master_port_arg,
                                 ipc_port_t reply_port,
                                 mach_msg_type_name_t reply_port_poly,
                                 dev_mode_t mode, const_dev_name_t name,
                                 device_t *device)
{
	return open_device(master_port_arg, name, device);
}

kern_return_t ds_device_close(device_t device)
{
	return device != NULL ? D_SUCCESS : D_NO_SUCH_DEVICE;
}

kern_return_t ds_device_write(device_t device, ipc_port_t reply_port,
                              mach_msg_type_name_t reply_port_poly,
                              dev_mode_t mode, recnum_t recnum,
                              io_buf_ptr_t data, mach_msg_type_number_t count,
                              int *bytes_written)
{
	/* In kernel form the data pointer is the region in transit. */
	struct ool *ool = (struct ool *)data;
	char chunk[256];

	if (device == NULL)
		return D_NO_SUCH_DEVICE;
	if (count > INT32_MAX)
		return D_INVALID_SIZE;
	/* MIG checked the descriptor (bytes): the region holds COUNT bytes,
	 * or is absent when COUNT is 0.  Never read past it anyway. */
	if (ool == NULL)
		count = 0;
	else if (count > ool_size(ool))
		count = (mach_msg_type_number_t)ool_size(ool);
	for (uint64_t off = 0; off < count;) {
		uint64_t n =
		    count - off < sizeof(chunk) ? count - off : sizeof(chunk);

		ool_read(ool, off, chunk, n);
		kconsole_write_raw(chunk, n);
		off += n;
	}
	/* Success: the region is ours to consume (MIG's contract). */
	ool_discard(ool);
	*bytes_written = (int)count;
	return D_SUCCESS;
}

kern_return_t ds_device_write_inband(device_t device, ipc_port_t reply_port,
                                     mach_msg_type_name_t reply_port_poly,
                                     dev_mode_t mode, recnum_t recnum,
                                     const io_buf_ptr_inband_t data,
                                     mach_msg_type_number_t count,
                                     int *bytes_written)
{
	if (device == NULL)
		return D_NO_SUCH_DEVICE;
	kconsole_write_raw(data, count);
	*bytes_written = (int)count;
	return D_SUCCESS;
}

/*
 * How many bytes a read of BYTES_WANTED from DEVICE takes, at most MAX:
 * *WANT (0 for a read of nothing, which succeeds at once).
 */
static io_return_t read_size(device_t device, int bytes_wanted, size_t max,
                             size_t *want)
{
	if (device == NULL)
		return D_NO_SUCH_DEVICE;
	*want = bytes_wanted <= 0            ? 0
	        : (size_t)bytes_wanted < max ? (size_t)bytes_wanted
	                                     : max;
	return D_SUCCESS;
}

kern_return_t ds_device_read(device_t device, ipc_port_t reply_port,
                             mach_msg_type_name_t reply_port_poly,
                             dev_mode_t mode, recnum_t recnum, int bytes_wanted,
                             io_buf_ptr_t *data, mach_msg_type_number_t *count)
{
	size_t want = 0, got = 0;
	struct ool *ool = NULL;
	io_return_t r;
	char *buf;

	r = read_size(device, bytes_wanted, DEVICE_READ_MAX, &want);
	if (r == D_SUCCESS && want > 0) {
		buf = kmalloc(want);
		if (buf == NULL)
			return D_NO_MEMORY;
		r = console_read(device, mode, buf, want, &got);
		if (r == D_SUCCESS &&
		    ool_from_kernel(buf, got, &ool) != MACH_MSG_SUCCESS)
			r = D_NO_MEMORY;
		kfree(buf);
	}
	if (r != D_SUCCESS)
		return r;
	*data = (io_buf_ptr_t)ool;
	*count = (mach_msg_type_number_t)got;
	return D_SUCCESS;
}

kern_return_t ds_device_read_inband(device_t device, ipc_port_t reply_port,
                                    mach_msg_type_name_t reply_port_poly,
                                    dev_mode_t mode, recnum_t recnum,
                                    int bytes_wanted, io_buf_ptr_inband_t data,
                                    mach_msg_type_number_t *count)
{
	size_t want = 0, got = 0;
	io_return_t r;

	r = read_size(device, bytes_wanted, IO_INBAND_MAX, &want);
	if (r == D_SUCCESS && want > 0)
		r = console_read(device, mode, data, want, &got);
	if (r != D_SUCCESS)
		return r;
	*count = (mach_msg_type_number_t)got;
	return D_SUCCESS;
}

/* The console has no mapping, no status and no filters. */

kern_return_t ds_device_map(device_t device, vm_prot_t prot, vm_offset_t offset,
                            vm_size_t size, ipc_port_t *pager, int unmap)
{
	return device != NULL ? D_INVALID_OPERATION : D_NO_SUCH_DEVICE;
}

kern_return_t ds_device_set_status(device_t device, dev_flavor_t flavor,
                                   const dev_status_t status,
                                   mach_msg_type_number_t count)
{
	return device != NULL ? D_INVALID_OPERATION : D_NO_SUCH_DEVICE;
}

kern_return_t ds_device_get_status(device_t device, dev_flavor_t flavor,
                                   dev_status_t status,
                                   mach_msg_type_number_t *count)
{
	return device != NULL ? D_INVALID_OPERATION : D_NO_SUCH_DEVICE;
}

kern_return_t ds_device_set_filter(device_t device, ipc_port_t receive_port,
                                   int priority, const filter_array_t filter,
                                   mach_msg_type_number_t count)
{
	return device != NULL ? D_INVALID_OPERATION : D_NO_SUCH_DEVICE;
}

kern_return_t ds_device_intr_register(device_t device, int id, int flags,
                                      ipc_port_t receive_port)
{
	return device != NULL ? D_INVALID_OPERATION : D_NO_SUCH_DEVICE;
}

kern_return_t ds_device_intr_ack(device_t device, ipc_port_t receive_port)
{
	return device != NULL ? D_INVALID_OPERATION : D_NO_SUCH_DEVICE;
}
