/*
 * The disks of the host build: RAM disks that unit tests attach with
 * host_disk_attach() before kserver_init, so that the device server's
 * disk paths (kernel/server/device.c) run without a machine.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kern/disk.h"
#include "machine/host_test.h"

/*
 * The one RAM disk, vd0.
 * Guarded by: disk_mutex (host threads may pose as several CPUs).
 */
static pthread_mutex_t disk_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *disk_data;
static uint64_t disk_sectors;
static bool disk_ro;
static int disk_fail_at = -1; /* the sector whose access fails, or -1 */

void host_disk_attach(uint64_t sectors, bool read_only)
{
	pthread_mutex_lock(&disk_mutex);
	free(disk_data);
	disk_data = calloc(sectors ? sectors : 1, DISK_SECTOR_SIZE);
	disk_sectors = disk_data != NULL ? sectors : 0;
	disk_ro = read_only;
	disk_fail_at = -1;
	pthread_mutex_unlock(&disk_mutex);
}

void host_disk_detach(void)
{
	pthread_mutex_lock(&disk_mutex);
	free(disk_data);
	disk_data = NULL;
	disk_sectors = 0;
	pthread_mutex_unlock(&disk_mutex);
}

void host_disk_fail_at(int sector)
{
	pthread_mutex_lock(&disk_mutex);
	disk_fail_at = sector;
	pthread_mutex_unlock(&disk_mutex);
}

unsigned char *host_disk_data(void)
{
	return disk_data;
}

unsigned machine_disk_count(void)
{
	return disk_data != NULL ? 1 : 0;
}

bool machine_disk_info(unsigned unit, uint64_t *sectors, bool *read_only)
{
	if (unit >= machine_disk_count())
		return false;
	*sectors = disk_sectors;
	*read_only = disk_ro;
	return true;
}

int machine_disk_rw(unsigned unit, bool write, uint64_t sector, void *buf,
                    size_t nsect)
{
	int r = DISK_OK;

	pthread_mutex_lock(&disk_mutex);
	if (unit >= (disk_data != NULL ? 1u : 0u))
		r = DISK_NO_UNIT;
	else if (sector > disk_sectors || nsect > disk_sectors - sector)
		r = DISK_RANGE;
	else if (write && disk_ro)
		r = DISK_READ_ONLY;
	else if (disk_fail_at >= 0 && (uint64_t)disk_fail_at >= sector &&
	         (uint64_t)disk_fail_at < sector + nsect)
		r = DISK_IO_ERROR;
	else if (write)
		memcpy(disk_data + sector * DISK_SECTOR_SIZE, buf,
		       nsect * DISK_SECTOR_SIZE);
	else
		memcpy(buf, disk_data + sector * DISK_SECTOR_SIZE,
		       nsect * DISK_SECTOR_SIZE);
	pthread_mutex_unlock(&disk_mutex);
	return r;
}
