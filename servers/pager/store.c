/*
 * servers/pager/store.c — the default pager's backing store: page-sized
 * blocks, a bitmap of the used ones, and page reads and writes, either on
 * the disk vd0 (device.defs, 512-byte records) or in a region of the
 * pager's own memory (for GNU Mach, which has no virtio-blk, and for
 * tests).  The object table (object.c) decides which page goes in which
 * block; this file only knows blocks.
 */
#include <device/device.h>
#include <string.h>

#include "pager.h"

#define STORE_MAX_BLOCKS (1u << 22) /* 16 GiB: keeps the bitmap small */

/*
 * The store.  Owned by: this file, set up once by store_init_*.
 * Guarded by: nothing (single-threaded pager).
 */
static struct {
	const char *kind;   /* "memory", "vd0" or NULL before init */
	uint32_t blocks;    /* page-sized blocks */
	uint32_t free;      /* of which unused */
	uint32_t hint;      /* where the next search for a free one starts */
	uint64_t *used;     /* bitmap, one bit per block */
	char *memory;       /* the memory store's blocks */
	mach_port_t device; /* the disk store's device */
	uint32_t per_block; /* the disk's records per block */
} store;

/* Room for the bitmap of BLOCKS blocks; touched so that it is resident. */
static kern_return_t store_bitmap(uint32_t blocks)
{
	vm_size_t size = ((blocks + 63) / 64) * sizeof(uint64_t);
	vm_address_t addr = 0;
	kern_return_t kr;

	size = (size + PAGER_PAGE - 1) & ~(vm_size_t)(PAGER_PAGE - 1);
	kr = vm_allocate(mach_task_self(), &addr, size, TRUE);
	if (kr != KERN_SUCCESS)
		return kr;
	memset((void *)addr, 0, size);
	store.used = (uint64_t *)addr;
	store.blocks = blocks;
	store.free = blocks;
	store.hint = 0;
	return KERN_SUCCESS;
}

kern_return_t store_init_memory(vm_size_t size)
{
	vm_address_t addr = 0;
	uint32_t blocks;
	kern_return_t kr;

	if (store.kind != NULL)
		return KERN_FAILURE;
	blocks = (uint32_t)(size / PAGER_PAGE);
	if (blocks == 0 || size / PAGER_PAGE > STORE_MAX_BLOCKS)
		return KERN_INVALID_ARGUMENT;
	kr = vm_allocate(mach_task_self(), &addr,
	                 (vm_size_t)blocks * PAGER_PAGE, TRUE);
	if (kr != KERN_SUCCESS)
		return kr;
	/* Touch every page now: the kernel must never have to find memory
	 * for the pager while it is short of memory itself. */
	memset((void *)addr, 0, (vm_size_t)blocks * PAGER_PAGE);
	kr = store_bitmap(blocks);
	if (kr != KERN_SUCCESS) {
		vm_deallocate(mach_task_self(), addr,
		              (vm_size_t)blocks * PAGER_PAGE);
		return kr;
	}
	store.memory = (char *)addr;
	store.kind = "memory";
	return KERN_SUCCESS;
}

kern_return_t store_init_disk(mach_port_t device_master)
{
	int status[DEV_STATUS_MAX];
	mach_msg_type_number_t n = DEV_STATUS_MAX;
	mach_port_t dev = MACH_PORT_NULL;
	uint64_t bytes;
	uint32_t record;
	kern_return_t kr;

	if (store.kind != NULL)
		return KERN_FAILURE;
	kr = device_open(device_master, D_READ | D_WRITE, "vd0", &dev);
	if (kr != D_SUCCESS)
		return kr;
	kr = device_get_status(dev, DEV_GET_SIZE, status, &n);
	if (kr == D_SUCCESS && n < DEV_GET_SIZE_COUNT)
		kr = KERN_FAILURE;
	if (kr != D_SUCCESS)
		goto fail;
	bytes = (uint32_t)status[DEV_GET_SIZE_DEVICE_SIZE];
	record = (uint32_t)status[DEV_GET_SIZE_RECORD_SIZE];
	if (record == 0 || PAGER_PAGE % record != 0 || bytes < PAGER_PAGE) {
		pager_log("vd0: %llu bytes in records of %u: unusable",
		          (unsigned long long)bytes, record);
		kr = KERN_FAILURE;
		goto fail;
	}
	if (bytes / PAGER_PAGE > STORE_MAX_BLOCKS)
		bytes = (uint64_t)STORE_MAX_BLOCKS * PAGER_PAGE;
	kr = store_bitmap((uint32_t)(bytes / PAGER_PAGE));
	if (kr != KERN_SUCCESS)
		goto fail;
	store.device = dev;
	store.per_block = PAGER_PAGE / record;
	store.kind = "vd0";
	return KERN_SUCCESS;
fail:
	device_close(dev);
	mach_port_deallocate(mach_task_self(), dev);
	return kr;
}

const char *store_kind(void)
{
	return store.kind != NULL ? store.kind : "none";
}

uint32_t store_blocks(void)
{
	return store.blocks;
}

uint32_t store_free_blocks(void)
{
	return store.free;
}

uint32_t store_alloc(void)
{
	uint32_t words = (store.blocks + 63) / 64, w, i;

	if (store.free == 0)
		return STORE_NO_BLOCK;
	for (i = 0; i < words; i++) {
		w = (store.hint / 64 + i) % words;
		if (store.used[w] == UINT64_MAX)
			continue;
		uint32_t bit = (uint32_t)__builtin_ctzll(~store.used[w]);
		uint32_t block = w * 64 + bit;
		if (block >= store.blocks)
			continue; /* the last word's tail */
		store.used[w] |= 1ull << bit;
		store.free--;
		store.hint = block;
		return block;
	}
	pager_log("store: free count %u but no free bit", store.free);
	return STORE_NO_BLOCK;
}

void store_free(uint32_t block)
{
	uint64_t bit = 1ull << (block % 64);

	if (block >= store.blocks || !(store.used[block / 64] & bit)) {
		pager_log("store: freeing block %u, not in use", block);
		return;
	}
	store.used[block / 64] &= ~bit;
	store.free++;
}

kern_return_t store_read(uint32_t block, void *buf)
{
	io_buf_ptr_t data = 0;
	mach_msg_type_number_t n = 0;
	kern_return_t kr;

	if (block >= store.blocks)
		return KERN_INVALID_ARGUMENT;
	if (store.memory != NULL) {
		memcpy(buf, store.memory + (vm_size_t)block * PAGER_PAGE,
		       PAGER_PAGE);
		return KERN_SUCCESS;
	}
	kr = device_read(store.device, 0, (recnum_t)block * store.per_block,
	                 PAGER_PAGE, &data, &n);
	if (kr != D_SUCCESS)
		return kr;
	if (n == PAGER_PAGE)
		memcpy(buf, (void *)data, PAGER_PAGE);
	else
		kr = D_IO_ERROR;
	vm_deallocate(mach_task_self(), (vm_address_t)data, n);
	return kr;
}

kern_return_t store_write(uint32_t block, const void *buf)
{
	int written = 0;
	kern_return_t kr;

	if (block >= store.blocks)
		return KERN_INVALID_ARGUMENT;
	if (store.memory != NULL) {
		memcpy(store.memory + (vm_size_t)block * PAGER_PAGE, buf,
		       PAGER_PAGE);
		return KERN_SUCCESS;
	}
	kr = device_write(store.device, 0, (recnum_t)block * store.per_block,
	                  (io_buf_ptr_t)buf, PAGER_PAGE, &written);
	if (kr == D_SUCCESS && written != (int)PAGER_PAGE)
		kr = D_IO_ERROR;
	return kr;
}
