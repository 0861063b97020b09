/*
 * Self-tests of PCI enumeration and of the virtio-blk disks
 * (arch/x86_64/pci.c, virtio_blk.c).  The disk test runs only when a
 * disk is attached (tools/machr-run --disk or --disk-size) and puts back
 * the sectors it overwrites.  Listed in machine_selftests[].
 */
#include "kern/page_alloc.h"
#include "kern/printf.h"
#include "kern/selftest.h"
#include "kern/string.h"
#include "kern/disk.h"
#include "pci.h"

void selftest_pci_host_bridge(struct selftest_ctx *ctx);
void selftest_vblk_write_read(struct selftest_ctx *ctx);

static bool find_host_bridge(const struct pci_func *f, void *arg)
{
	if (f->bus == 0 && f->slot == 0 && f->func == 0 && f->class == 0x06 &&
	    f->subclass == 0x00) {
		*(bool *)arg = true;
		return false;
	}
	return true;
}

static bool count_one(const struct pci_func *f, void *arg)
{
	(void)f;
	(*(unsigned *)arg)++;
	return true;
}

void selftest_pci_host_bridge(struct selftest_ctx *ctx)
{
	bool found = false;
	unsigned n = 0, seen;

	pci_scan(find_host_bridge, &found);
	selftest_check(ctx, found, "no host bridge (class 06:00) at 0:0.0");
	seen = pci_scan(count_one, &n);
	selftest_check(ctx, seen == n && n >= 2,
	               "the walk visited %u functions, counted %u", seen, n);
}

/* Sectors the test rewrites: more than one bounce page's worth. */
#define TEST_SECTORS 10

void selftest_vblk_write_read(struct selftest_ctx *ctx)
{
	uint8_t *saved, *buf;
	uint64_t sectors, first;
	bool ro;
	int r;

	if (machine_disk_count() == 0) {
		kprintf("# no virtio-blk disk attached: skipped\n");
		return;
	}
	if (!selftest_check(ctx, machine_disk_info(0, &sectors, &ro),
	                    "vd0 has no info") ||
	    !selftest_check(ctx, sectors >= TEST_SECTORS && !ro,
	                    "vd0: %llu sectors%s", (unsigned long long)sectors,
	                    ro ? ", read-only" : ""))
		return;
	kprintf("# vd0: %llu sectors\n", (unsigned long long)sectors);
	first = sectors - TEST_SECTORS;
	saved = page_alloc_va(1);
	buf = page_alloc_va(1);
	if (!selftest_check(ctx, saved != NULL && buf != NULL, "no memory"))
		goto out;

	r = machine_disk_rw(0, false, first, saved, TEST_SECTORS);
	selftest_check(ctx, r == DISK_OK, "read of the last sectors: %d", r);
	for (unsigned i = 0; i < TEST_SECTORS * DISK_SECTOR_SIZE; i++)
		buf[i] = (uint8_t)(i * 7 + i / DISK_SECTOR_SIZE);
	r = machine_disk_rw(0, true, first, buf, TEST_SECTORS);
	selftest_check(ctx, r == DISK_OK, "write: %d", r);
	memset(buf, 0, TEST_SECTORS * DISK_SECTOR_SIZE);
	r = machine_disk_rw(0, false, first, buf, TEST_SECTORS);
	selftest_check(ctx, r == DISK_OK, "read back: %d", r);
	for (unsigned i = 0; i < TEST_SECTORS * DISK_SECTOR_SIZE; i++)
		if (!selftest_check(
		        ctx, buf[i] == (uint8_t)(i * 7 + i / DISK_SECTOR_SIZE),
		        "byte %u reads back as %#x", i, buf[i]))
			break;
	r = machine_disk_rw(0, false, sectors - 1, buf, 2);
	selftest_check(ctx, r == DISK_RANGE, "read past the end: %d", r);
	r = machine_disk_rw(0, false, sectors, buf, 0);
	selftest_check(ctx, r == DISK_OK, "empty read at the end: %d", r);
	r = machine_disk_rw(1, false, 0, buf, 1);
	selftest_check(ctx, r == DISK_NO_UNIT || machine_disk_count() > 1,
	               "read of vd1: %d", r);
	r = machine_disk_rw(0, true, first, saved, TEST_SECTORS);
	selftest_check(ctx, r == DISK_OK, "restoring the sectors: %d", r);
out:
	if (saved != NULL)
		page_free_va(saved, 1);
	if (buf != NULL)
		page_free_va(buf, 1);
}
