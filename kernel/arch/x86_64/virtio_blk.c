/*
 * virtio-blk over the virtio 1.0 ("modern") PCI transport: the disks
 * behind kern/disk.h.  Each disk has one split virtqueue of a few
 * descriptors and one request in flight at a time, through a bounce
 * page; completion is polled (no interrupt yet), with the requester
 * spinning on the used ring and other requesters of the same disk
 * blocked on a wait queue.  QEMU's virtio-blk-pci is a transitional
 * device (PCI id 1af4:1001) that offers both transports; only the modern
 * one, found through its vendor capabilities, is used.
 */
#include "kern/clock.h"
#include "kern/page_alloc.h"
#include "kern/printf.h"
#include "kern/spinlock.h"
#include "kern/string.h"
#include "kern/waitq.h"
#include "machine/cpu.h"
#include "kern/disk.h"
#include "machine/memlayout.h"
#include "pci.h"
#include "x86.h"

#define VIRTIO_VENDOR        0x1AF4
#define VIRTIO_BLK_LEGACY_ID 0x1001 /* transitional */
#define VIRTIO_BLK_MODERN_ID 0x1042 /* 0x1040 + device type 2 */

/* virtio_pci_cap.cfg_type */
#define VIRTIO_CAP_COMMON 1
#define VIRTIO_CAP_NOTIFY 2
#define VIRTIO_CAP_DEVICE 4

/* Device status bits. */
#define VIRTIO_ACKNOWLEDGE 1
#define VIRTIO_DRIVER      2
#define VIRTIO_DRIVER_OK   4
#define VIRTIO_FEATURES_OK 8
#define VIRTIO_FAILED      128

/* Feature bits: VERSION_1 is bit 32, RO bit 5 of virtio-blk. */
#define VIRTIO_F_VERSION_1_HI 1u /* bit 0 of the upper feature dword */
#define VIRTIO_BLK_F_RO       (1u << 5)

/* The common configuration structure (little-endian registers). */
#define COMMON_DFSELECT   0x00
#define COMMON_DF         0x04
#define COMMON_GFSELECT   0x08
#define COMMON_GF         0x0C
#define COMMON_STATUS     0x14
#define COMMON_GENERATION 0x15
#define COMMON_Q_SELECT   0x16
#define COMMON_Q_SIZE     0x18
#define COMMON_Q_ENABLE   0x1C
#define COMMON_Q_NOFF     0x1E
#define COMMON_Q_DESC     0x20
#define COMMON_Q_AVAIL    0x28
#define COMMON_Q_USED     0x30

/* Split-ring descriptor flags. */
#define VRING_DESC_F_NEXT  1
#define VRING_DESC_F_WRITE 2

/* virtio-blk request types and status. */
#define VIRTIO_BLK_T_IN  0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_S_OK  0

#define VBLK_MAX        4
#define VBLK_QUEUE_SIZE 16 /* at most; a request takes 3 descriptors */
#define VBLK_BOUNCE     PAGE_SIZE
#define VBLK_TIMEOUT_NS (10ULL * 1000 * 1000 * 1000)

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vblk_req_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* Layout of a disk's ring page: the three rings, then the request. */
#define RING_DESC   0
#define RING_AVAIL  512
#define RING_USED   1024
#define RING_HEADER 2048
#define RING_STATUS 2064

/*
 * A virtio-blk disk.
 * Owned by: the kernel, for ever (made by the probe).
 * Guarded by: fixed after the probe, except `busy` (under `lock`) and
 *   the ring, the request and `bounce`, which belong to the thread that
 *   set `busy` until it clears it.
 */
struct vblk {
	spinlock_t lock;
	struct waitq idle; /* requesters waiting for `busy` to clear */
	bool busy;         /* a request is in flight */
	volatile uint8_t *common;
	volatile uint16_t *notify; /* queue 0's notification register */
	volatile uint8_t *config;  /* struct virtio_blk_config */
	uint8_t *ring;             /* one page: rings and request header */
	uint8_t *bounce;           /* VBLK_BOUNCE bytes of data */
	uint16_t qsize;
	uint16_t avail_idx; /* next free slot of the available ring */
	uint16_t used_idx;  /* used-ring entries consumed so far */
	uint64_t sectors;
	bool read_only;
};

static struct vblk disks[VBLK_MAX];
static unsigned ndisks;
static bool probed;
static spinlock_t probe_lock = SPINLOCK_INIT("vblk.probe");

static uint32_t rd32(volatile uint8_t *base, unsigned off)
{
	return *(volatile uint32_t *)(base + off);
}

static void wr32(volatile uint8_t *base, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

static uint16_t rd16(volatile uint8_t *base, unsigned off)
{
	return *(volatile uint16_t *)(base + off);
}

static void wr16(volatile uint8_t *base, unsigned off, uint16_t v)
{
	*(volatile uint16_t *)(base + off) = v;
}

static void wr64(volatile uint8_t *base, unsigned off, uint64_t v)
{
	wr32(base, off, (uint32_t)v);
	wr32(base, off + 4, (uint32_t)(v >> 32));
}

static void set_status(struct vblk *d, uint8_t bits)
{
	d->common[COMMON_STATUS] = d->common[COMMON_STATUS] | bits;
}

/* Map the region that vendor capability CAP of F describes. */
static volatile uint8_t *map_cap(const struct pci_func *f, unsigned cap)
{
	unsigned bar = pci_read8(f, cap + 4);
	uint32_t off = pci_read32(f, cap + 8), len = pci_read32(f, cap + 12);
	paddr_t base;

	if (len == 0 || !pci_bar_memory(f, bar, &base))
		return NULL;
	return kmap_mmio(base + off, len);
}

/* The disk's capacity, read consistently (config_generation). */
static uint64_t read_capacity(struct vblk *d)
{
	uint8_t gen;
	uint64_t cap;

	do {
		gen = d->common[COMMON_GENERATION];
		cap = rd32(d->config, 0) | (uint64_t)rd32(d->config, 4) << 32;
	} while (gen != d->common[COMMON_GENERATION]);
	return cap;
}

/*
 * Bring up the modern transport of F into D (virtio 1.0, 3.1.1): reset,
 * features (VERSION_1 only), queue 0, DRIVER_OK.  False on any failure,
 * with the device left FAILED when it got that far.
 */
static bool vblk_attach(const struct pci_func *f, struct vblk *d)
{
	unsigned cap = 0, notify_cap = 0;
	uint32_t notify_mult = 0, features;
	uint16_t qmax, noff;
	volatile uint8_t *notify = NULL;

	while ((cap = pci_next_cap(f, PCI_CAP_VENDOR, cap)) != 0) {
		switch (pci_read8(f, cap + 3)) {
		case VIRTIO_CAP_COMMON:
			if (d->common == NULL)
				d->common = map_cap(f, cap);
			break;
		case VIRTIO_CAP_NOTIFY:
			if (notify_cap == 0) {
				notify_cap = cap;
				notify_mult = pci_read32(f, cap + 16);
				notify = map_cap(f, cap);
			}
			break;
		case VIRTIO_CAP_DEVICE:
			if (d->config == NULL)
				d->config = map_cap(f, cap);
			break;
		}
	}
	if (d->common == NULL || notify == NULL || d->config == NULL)
		return false; /* a legacy-only device */
	pci_write16(f, PCI_COMMAND,
	            pci_read16(f, PCI_COMMAND) | PCI_COMMAND_MEMORY |
	                PCI_COMMAND_MASTER);

	d->common[COMMON_STATUS] = 0;
	while (d->common[COMMON_STATUS] != 0)
		cpu_relax();
	set_status(d, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER);
	wr32(d->common, COMMON_DFSELECT, 0);
	features = rd32(d->common, COMMON_DF);
	d->read_only = (features & VIRTIO_BLK_F_RO) != 0;
	wr32(d->common, COMMON_DFSELECT, 1);
	if (!(rd32(d->common, COMMON_DF) & VIRTIO_F_VERSION_1_HI))
		goto failed;
	wr32(d->common, COMMON_GFSELECT, 0);
	wr32(d->common, COMMON_GF, 0);
	wr32(d->common, COMMON_GFSELECT, 1);
	wr32(d->common, COMMON_GF, VIRTIO_F_VERSION_1_HI);
	set_status(d, VIRTIO_FEATURES_OK);
	if (!(d->common[COMMON_STATUS] & VIRTIO_FEATURES_OK))
		goto failed;

	wr16(d->common, COMMON_Q_SELECT, 0);
	qmax = rd16(d->common, COMMON_Q_SIZE);
	if (qmax < 3)
		goto failed;
	d->qsize = qmax < VBLK_QUEUE_SIZE ? qmax : VBLK_QUEUE_SIZE;
	d->ring = page_alloc_va(0);
	d->bounce = page_alloc_va(0);
	if (d->ring == NULL || d->bounce == NULL)
		goto failed;
	memset(d->ring, 0, PAGE_SIZE);
	wr16(d->common, COMMON_Q_SIZE, d->qsize);
	wr64(d->common, COMMON_Q_DESC, virt_to_phys(d->ring + RING_DESC));
	wr64(d->common, COMMON_Q_AVAIL, virt_to_phys(d->ring + RING_AVAIL));
	wr64(d->common, COMMON_Q_USED, virt_to_phys(d->ring + RING_USED));
	noff = rd16(d->common, COMMON_Q_NOFF);
	d->notify =
	    (volatile uint16_t *)(notify + (uint64_t)noff * notify_mult);
	wr16(d->common, COMMON_Q_ENABLE, 1);
	set_status(d, VIRTIO_DRIVER_OK);

	spin_init(&d->lock, "vblk.disk");
	waitq_init(&d->idle);
	d->sectors = read_capacity(d);
	return true;
failed:
	set_status(d, VIRTIO_FAILED);
	if (d->ring != NULL)
		page_free_va(d->ring, 0);
	if (d->bounce != NULL)
		page_free_va(d->bounce, 0);
	return false;
}

static bool probe_one(const struct pci_func *f, void *arg)
{
	(void)arg;
	if (f->vendor != VIRTIO_VENDOR || (f->device != VIRTIO_BLK_LEGACY_ID &&
	                                   f->device != VIRTIO_BLK_MODERN_ID))
		return true;
	memset(&disks[ndisks], 0, sizeof(disks[ndisks]));
	if (vblk_attach(f, &disks[ndisks])) {
		kprintf("vd%u: virtio-blk at pci %u:%u.%u, %llu sectors%s\n",
		        ndisks, f->bus, f->slot, f->func,
		        (unsigned long long)disks[ndisks].sectors,
		        disks[ndisks].read_only ? ", read-only" : "");
		ndisks++;
	} else {
		kprintf("pci %u:%u.%u: virtio-blk without a usable modern "
		        "transport, ignored\n",
		        f->bus, f->slot, f->func);
	}
	return ndisks < VBLK_MAX;
}

unsigned machine_disk_count(void)
{
	unsigned long fl = spin_lock(&probe_lock);

	if (!probed) {
		pci_scan(probe_one, NULL);
		probed = true;
	}
	spin_unlock(&probe_lock, fl);
	return ndisks;
}

bool machine_disk_info(unsigned unit, uint64_t *sectors, bool *read_only)
{
	if (unit >= machine_disk_count())
		return false;
	*sectors = disks[unit].sectors;
	*read_only = disks[unit].read_only;
	return true;
}

/*
 * One request of NSECT (<= VBLK_BOUNCE / 512) sectors at SECTOR, data in
 * D's bounce page.  The caller owns D (`busy`).  Polls the used ring.
 */
static int vblk_request(struct vblk *d, bool write, uint64_t sector,
                        size_t nsect)
{
	struct vring_desc *desc = (struct vring_desc *)(d->ring + RING_DESC);
	volatile uint16_t *avail = (volatile uint16_t *)(d->ring + RING_AVAIL);
	volatile uint16_t *used_idx =
	    (volatile uint16_t *)(d->ring + RING_USED + 2);
	struct vblk_req_header *h =
	    (struct vblk_req_header *)(d->ring + RING_HEADER);
	volatile uint8_t *status = d->ring + RING_STATUS;
	uint64_t deadline;

	h->type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	h->reserved = 0;
	h->sector = sector;
	*status = 0xFF;
	desc[0] = (struct vring_desc){virt_to_phys(h), sizeof(*h),
	                              VRING_DESC_F_NEXT, 1};
	desc[1] = (struct vring_desc){
	    virt_to_phys(d->bounce), (uint32_t)(nsect * DISK_SECTOR_SIZE),
	    VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE), 2};
	desc[2] = (struct vring_desc){virt_to_phys((void *)status), 1,
	                              VRING_DESC_F_WRITE, 0};
	/* avail: flags, idx, ring[qsize]. */
	avail[2 + d->avail_idx % d->qsize] = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail[1] = ++d->avail_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*d->notify = 0;

	deadline = clock_now_ns() + VBLK_TIMEOUT_NS;
	while (*used_idx == d->used_idx) {
		if (clock_now_ns() > deadline) {
			kprintf("vblk: request at sector %llu timed out\n",
			        (unsigned long long)sector);
			return DISK_IO_ERROR;
		}
		cpu_relax();
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	d->used_idx++;
	return *status == VIRTIO_BLK_S_OK ? DISK_OK : DISK_IO_ERROR;
}

int machine_disk_rw(unsigned unit, bool write, uint64_t sector, void *buf,
                    size_t nsect)
{
	const size_t chunk = VBLK_BOUNCE / DISK_SECTOR_SIZE;
	struct vblk *d;
	unsigned long fl;
	int r = DISK_OK;

	if (unit >= machine_disk_count())
		return DISK_NO_UNIT;
	d = &disks[unit];
	if (sector > d->sectors || nsect > d->sectors - sector)
		return DISK_RANGE;
	if (write && d->read_only)
		return DISK_READ_ONLY;

	fl = spin_lock(&d->lock);
	while (d->busy) {
		struct waiter w;

		waiter_init(&w);
		if (waitq_wait(&d->idle, &d->lock, fl, WAITQ_FOREVER, &w) ==
		    WAITQ_INTERRUPTED)
			return DISK_INTERRUPTED;
		fl = spin_lock(&d->lock);
	}
	d->busy = true;
	spin_unlock(&d->lock, fl);

	for (size_t done = 0; done < nsect && r == DISK_OK;) {
		size_t n = nsect - done < chunk ? nsect - done : chunk;
		char *p = (char *)buf + done * DISK_SECTOR_SIZE;

		if (write)
			memcpy(d->bounce, p, n * DISK_SECTOR_SIZE);
		r = vblk_request(d, write, sector + done, n);
		if (r == DISK_OK && !write)
			memcpy(p, d->bounce, n * DISK_SECTOR_SIZE);
		done += n;
	}

	fl = spin_lock(&d->lock);
	d->busy = false;
	spin_unlock(&d->lock, fl);
	waitq_wake_one(&d->idle, 0);
	return r;
}
