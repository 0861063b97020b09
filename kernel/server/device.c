/*
 * device.defs: the device master port, the console ("console"), whose
 * reads and writes go to the machine console (the serial port on x86_64)
 * byte for byte, and the disks of kern/disk.h ("vd0", "vd1" ...),
 * read and written in 512-byte records.  Every other operation is
 * D_INVALID_OPERATION, and every other name D_NO_SUCH_DEVICE, as GNU
 * Mach answers for devices it does not have.
 */
#include <device/device_types.h>

#include "ipc/ool.h"
#include "kern/clock.h"
#include "kern/page_alloc.h"
#include "kern/printf.h"
#include "kern/slab.h"
#include "kern/spinlock.h"
#include "kern/string.h"
#include "kern/waitq.h"
#include "machine/console.h"
#include "kern/disk.h"
#include "machine/memlayout.h"
#include "device_server.h"
#include "server/kobjects.h"
#include "vm/fault.h"
#include "server/mapped_time.h"

/* How often a blocked console read looks for input (no receive
 * interrupt yet: the UART is polled). */
#define CONSOLE_POLL_NS (10ULL * 1000 * 1000)

/* The most a device_read takes at once, from the console and a disk. */
#define DEVICE_READ_MAX 4096
#define DISK_READ_MAX   (64 * 1024)
#define DISK_CHUNK      PAGE_SIZE /* disk_transfer's bounce buffer */

/* Disks served (vd0 .. vd3). */
#define DISK_DEVICES 4

/*
 * A device.
 * Owned by: the kernel, for ever (made by kserver_device_init).
 * Guarded by: nothing (fixed at init); reads wait on `readers`.
 */
struct kdevice {
	const char *name;
	int unit;          /* the disk's number, or -1 for the console */
	struct port *port; /* KOBJECT_DEVICE */
	spinlock_t lock;   /* held to start a wait on `readers` */
	struct waitq readers;
};

static struct kdevice console_device = {.name = "console", .unit = -1};
/* The mapped clock: no reads or writes, only device_map (mapped_time.c). */
static struct kdevice time_device = {.name = "time", .unit = -2};
static struct kdevice disk_devices[DISK_DEVICES] = {
    {.name = "vd0", .unit = 0},
    {.name = "vd1", .unit = 1},
    {.name = "vd2", .unit = 2},
    {.name = "vd3", .unit = 3},
};
static unsigned ndisk_devices; /* disks with a port, fixed at init */
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
	time_device.port = NULL;
	if (kr == KERN_SUCCESS)
		kr = kserver_alloc_port(KOBJECT_DEVICE, &time_device,
		                        &time_device.port);
	ndisk_devices = 0;
	for (unsigned i = 0; i < DISK_DEVICES; i++)
		disk_devices[i].port = NULL;
	for (unsigned i = 0;
	     kr == KERN_SUCCESS && i < DISK_DEVICES && i < machine_disk_count();
	     i++) {
		kr = kserver_alloc_port(KOBJECT_DEVICE, &disk_devices[i],
		                        &disk_devices[i].port);
		if (kr == KERN_SUCCESS)
			ndisk_devices++;
	}
	return kr;
}

void kserver_device_fini(void)
{
	for (unsigned i = 0; i < ndisk_devices; i++)
		kserver_free_port(&disk_devices[i].port);
	ndisk_devices = 0;
	kserver_free_port(&console_device.port);
	kserver_free_port(&time_device.port);
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

/* ---- the disks ---- */

static io_return_t disk_result(int r)
{
	switch (r) {
	case DISK_OK:
		return D_SUCCESS;
	case DISK_NO_UNIT:
		return D_NO_SUCH_DEVICE;
	case DISK_RANGE:
		return D_INVALID_RECNUM;
	case DISK_READ_ONLY:
		return D_READ_ONLY;
	default:
		return D_IO_ERROR;
	}
}

/*
 * disk_transfer: move COUNT bytes between disk DEV, from the start of
 * record RECNUM, and BUF (or the region OOL when writing from one).  A
 * transfer need not be whole records: a read takes the records it
 * touches and keeps COUNT bytes, a write of a partial last record keeps
 * the rest of that record (read, merged, written back).  Transfers are
 * cut at the end of the disk.
 * Returns: D_SUCCESS (*DONE bytes moved); D_INVALID_RECNUM (RECNUM past
 *   the end, or at the end for a transfer of something); D_READ_ONLY;
 *   D_NO_MEMORY; D_IO_ERROR (*DONE bytes moved before the failure).
 */
static io_return_t disk_transfer(struct kdevice *dev, bool write,
                                 recnum_t recnum, char *buf,
                                 const struct ool *ool, uint64_t count,
                                 uint64_t *done)
{
	const uint64_t rec = DISK_SECTOR_SIZE;
	uint64_t sectors, avail;
	unsigned unit = (unsigned)dev->unit;
	io_return_t r = D_SUCCESS;
	char *bounce;
	bool ro;

	*done = 0;
	if (!machine_disk_info(unit, &sectors, &ro))
		return D_NO_SUCH_DEVICE;
	if (recnum > sectors || (recnum == sectors && count > 0))
		return D_INVALID_RECNUM;
	if (write && ro)
		return D_READ_ONLY;
	avail = (sectors - recnum) * rec;
	if (count > avail)
		count = avail;
	if (count == 0)
		return D_SUCCESS;
	/* A page at a time: under memory pressure (the default pager
	 * writing pages out) only single pages are sure to be found. */
	/* One page (kmalloc's larger sizes need several contiguous ones):
	 * the default pager's writes are how memory gets free again, so
	 * wait for the pageout daemon rather than fail them. */
	bounce = page_alloc_va(0);
	for (unsigned i = 0;
	     bounce == NULL && i < 100 && vm_fault_memory_wait != NULL &&
	     vm_fault_memory_wait(true);
	     i++)
		bounce = page_alloc_va(0);
	if (bounce == NULL)
		return D_NO_MEMORY;
	while (*done < count && r == D_SUCCESS) {
		uint64_t n = count - *done, first = recnum + *done / rec;
		size_t nrec;

		if (n > DISK_CHUNK)
			n = DISK_CHUNK;
		nrec = (size_t)((n + rec - 1) / rec);
		if (write && n % rec != 0)
			r = disk_result(
			    machine_disk_rw(unit, false, first + nrec - 1,
			                    bounce + (nrec - 1) * rec, 1));
		if (r == D_SUCCESS && write) {
			/* Data that cannot be read back in (its pager failed)
			 * cannot be written. */
			if (ool == NULL)
				memcpy(bounce, buf + *done, n);
			else if (ool_read(ool, *done, bounce, n) !=
			         KERN_SUCCESS)
				r = D_IO_ERROR;
		}
		if (r == D_SUCCESS)
			r = disk_result(
			    machine_disk_rw(unit, write, first, bounce, nrec));
		if (r == D_SUCCESS && !write)
			memcpy(buf + *done, bounce, n);
		if (r == D_SUCCESS)
			*done += n;
	}
	page_free_va(bounce, 0);
	return r;
}

/* ---- device.defs ---- */

static io_return_t open_device(ipc_port_t master, dev_mode_t mode,
                               const_dev_name_t name, device_t *device)
{
	if (master == IP_NULL || master != master_port)
		return D_INVALID_OPERATION;
	if (strcmp(name, console_device.name) == 0) {
		*device = &console_device;
		return D_SUCCESS;
	}
	if (strcmp(name, time_device.name) == 0) { /* any mode, as GNU Mach */
		*device = &time_device;
		return D_SUCCESS;
	}
	for (unsigned i = 0; i < ndisk_devices; i++) {
		uint64_t sectors;
		bool ro;

		if (strcmp(name, disk_devices[i].name) != 0)
			continue;
		if (!machine_disk_info(disk_devices[i].unit, &sectors, &ro))
			return D_NO_SUCH_DEVICE;
		if ((mode & D_WRITE) && ro)
			return D_READ_ONLY;
		*device = &disk_devices[i];
		return D_SUCCESS;
	}
	return D_NO_SUCH_DEVICE;
}

kern_return_t ds_device_open(ipc_port_t master_port_arg, ipc_port_t reply_port,
                             mach_msg_type_name_t reply_port_poly,
                             dev_mode_t mode, const_dev_name_t name,
                             device_t *device)
{
	return open_device(master_port_arg, mode, name, device);
}

kern_return_t ds_device_open_new(ipc_port_t master_port_arg,
                                 ipc_port_t reply_port,
                                 mach_msg_type_name_t reply_port_poly,
                                 dev_mode_t mode, const_dev_name_t name,
                                 device_t *device)
{
	return open_device(master_port_arg, mode, name, device);
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
	if (device == &time_device)
		return D_INVALID_OPERATION;
	if (count > INT32_MAX)
		return D_INVALID_SIZE;
	/* MIG checked the descriptor (bytes): the region holds COUNT bytes,
	 * or is absent when COUNT is 0.  Never read past it anyway. */
	if (ool == NULL)
		count = 0;
	else if (count > ool_size(ool))
		count = (mach_msg_type_number_t)ool_size(ool);
	if (device->unit >= 0) {
		uint64_t done;
		io_return_t r = disk_transfer(device, true, recnum, NULL, ool,
		                              count, &done);

		if (r != D_SUCCESS)
			return r;
		ool_discard(ool);
		*bytes_written = (int)done;
		return D_SUCCESS;
	}
	for (uint64_t off = 0; off < count;) {
		uint64_t n =
		    count - off < sizeof(chunk) ? count - off : sizeof(chunk);

		if (ool_read(ool, off, chunk, n) != KERN_SUCCESS)
			return D_IO_ERROR;
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
	if (device == &time_device)
		return D_INVALID_OPERATION;
	if (device->unit >= 0) {
		uint64_t done;
		io_return_t r = disk_transfer(device, true, recnum,
		                              (char *)data, NULL, count, &done);

		*bytes_written = (int)done;
		return r;
	}
	kconsole_write_raw(data, count);
	*bytes_written = (int)count;
	return D_SUCCESS;
}

/*
 * Read WANT (> 0) bytes from DEVICE into BUF: console input as it comes,
 * or a disk's bytes from record RECNUM.  *GOT bytes.
 */
static io_return_t device_take(device_t device, dev_mode_t mode,
                               recnum_t recnum, char *buf, size_t want,
                               size_t *got)
{
	uint64_t done = 0;
	io_return_t r;

	if (device->unit < 0)
		return console_read(device, mode, buf, want, got);
	r = disk_transfer(device, false, recnum, buf, NULL, want, &done);
	*got = (size_t)done;
	return r;
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
	if (device == &time_device)
		return D_INVALID_OPERATION;
	if (device->unit >= 0 && bytes_wanted < 0)
		return D_INVALID_SIZE;
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

	r = read_size(device, bytes_wanted,
	              device != NULL && device->unit >= 0 ? DISK_READ_MAX
	                                                  : DEVICE_READ_MAX,
	              &want);
	if (r == D_SUCCESS && want > 0) {
		buf = kmalloc(want);
		if (buf == NULL)
			return D_NO_MEMORY;
		r = device_take(device, mode, recnum, buf, want, &got);
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
		r = device_take(device, mode, recnum, data, want, &got);
	if (r != D_SUCCESS)
		return r;
	*count = (mach_msg_type_number_t)got;
	return D_SUCCESS;
}

/* Only the time device maps (any protection and size, as GNU Mach);
 * the console and disks have no status and no filters. */

kern_return_t ds_device_map(device_t device, vm_prot_t prot, vm_offset_t offset,
                            vm_size_t size, ipc_port_t *pager, int unmap)
{
	if (device == NULL)
		return D_NO_SUCH_DEVICE;
	if (device != &time_device)
		return D_INVALID_OPERATION;
	return mapped_time_object(offset, pager) == KERN_SUCCESS ? D_SUCCESS
	                                                         : D_NO_MEMORY;
}

kern_return_t ds_device_set_status(device_t device, dev_flavor_t flavor,
                                   const dev_status_t status,
                                   mach_msg_type_number_t count)
{
	return device != NULL ? D_INVALID_OPERATION : D_NO_SUCH_DEVICE;
}

/*
 * A disk's size: DEV_GET_SIZE in bytes (capped at the largest whole
 * number of records an int holds), DEV_GET_RECORDS in records (capped
 * at INT_MAX), each with the record size, 512.
 */
kern_return_t ds_device_get_status(device_t device, dev_flavor_t flavor,
                                   dev_status_t status,
                                   mach_msg_type_number_t *count)
{
	uint64_t sectors, size;
	bool ro;

	if (device == NULL)
		return D_NO_SUCH_DEVICE;
	if (device->unit < 0 ||
	    (flavor != DEV_GET_SIZE && flavor != DEV_GET_RECORDS))
		return D_INVALID_OPERATION;
	if (*count < DEV_GET_SIZE_COUNT)
		return D_INVALID_SIZE;
	if (!machine_disk_info((unsigned)device->unit, &sectors, &ro))
		return D_NO_SUCH_DEVICE;
	if (flavor == DEV_GET_SIZE) {
		size = sectors * DISK_SECTOR_SIZE;
		if (size > INT32_MAX)
			size = INT32_MAX - INT32_MAX % DISK_SECTOR_SIZE;
	} else {
		size = sectors < INT32_MAX ? sectors : INT32_MAX;
	}
	status[DEV_GET_SIZE_DEVICE_SIZE] = (int)size;
	status[DEV_GET_SIZE_RECORD_SIZE] = DISK_SECTOR_SIZE;
	*count = DEV_GET_SIZE_COUNT;
	return D_SUCCESS;
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
