/*
 * The memory every page-level unit test starts from: a fresh page
 * allocator over MEM_SIZE bytes of host memory and empty slab caches,
 * and the free-page counter to compare against at the end.  New tests
 * use it (test_vm_object.c first); older ones still spell it out.
 */
#ifndef HOST_MEM_HARNESS_H
#define HOST_MEM_HARNESS_H

#include <stdint.h>
#include <stdlib.h>

#include "kern/memmap.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "machine/host_test.h"

#define HOST_MEM_SIZE  (16UL * 1024 * 1024)
#define HOST_MEM_ALIGN (4UL * 1024 * 1024)

static char *host_mem;
static struct memmap host_memmap;

/* Pages the allocator has free now. */
static inline uint64_t host_free_pages(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st.free_pages;
}

/* A new allocator over fresh memory, no slab caches.  Returns 0, or -1
 * when the host has no memory (a cmocka setup's convention). */
static inline int host_mem_start(void)
{
	host_mem = aligned_alloc(HOST_MEM_ALIGN, HOST_MEM_SIZE);
	if (host_mem == NULL)
		return -1;
	page_alloc_reset_for_tests();
	slab_reset_for_tests();
	memmap_init(&host_memmap);
	memmap_add(&host_memmap, virt_to_phys(host_mem), HOST_MEM_SIZE,
	           MEMMAP_USABLE);
	memmap_finish(&host_memmap);
	page_alloc_init(&host_memmap);
	return 0;
}

/* Forget the allocator and the caches; give the memory back. */
static inline void host_mem_stop(void)
{
	slab_reset_for_tests();
	page_alloc_reset_for_tests();
	free(host_mem);
	host_mem = NULL;
}

#endif
