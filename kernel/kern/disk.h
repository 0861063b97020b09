/*
 * Block devices the machine layer drives itself, numbered from 0 (x86_64:
 * virtio-blk PCI functions in the order the PCI walk finds them,
 * arch/x86_64/virtio_blk.c; the host build: RAM disks for tests,
 * arch/host/disk.c).  Transfers are of whole 512-byte sectors.
 */
#ifndef KERN_DISK_H
#define KERN_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISK_SECTOR_SIZE 512

/* Results of machine_disk_rw. */
#define DISK_OK          0
#define DISK_NO_UNIT     (-1) /* no such disk */
#define DISK_RANGE       (-2) /* sectors past the end of the disk */
#define DISK_IO_ERROR    (-3) /* the device failed the request or hung */
#define DISK_READ_ONLY   (-4) /* a write to a read-only disk */
#define DISK_INTERRUPTED (-5) /* the wait for the disk was aborted */

/*
 * machine_disk_count: how many disks there are.  The first call finds
 * and initialises them.
 * Locks: none held (may block briefly on the first call).
 */
unsigned machine_disk_count(void);

/*
 * machine_disk_info: the size of disk UNIT in sectors and whether it is
 * read-only.  Returns false if there is no such disk.
 */
bool machine_disk_info(unsigned unit, uint64_t *sectors, bool *read_only);

/*
 * machine_disk_rw: read (WRITE false) or write NSECT sectors of disk UNIT
 * starting at SECTOR into or from the kernel buffer BUF (any address,
 * any alignment).  Requests on one disk are served one at a time; the
 * caller blocks until its request is done.
 * Locks: none held; the caller may block.
 * Returns: DISK_OK or one of the DISK_* errors above (nothing
 *   transferred past the first failing piece).
 */
int machine_disk_rw(unsigned unit, bool write, uint64_t sector, void *buf,
                    size_t nsect);

#endif
