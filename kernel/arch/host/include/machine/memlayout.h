/*
 * Memory layout in the host build: "physical" memory is a block the test
 * allocates in the process, and the direct map is the identity.
 */
#ifndef MACHINE_MEMLAYOUT_H
#define MACHINE_MEMLAYOUT_H

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)

#ifndef __ASSEMBLER__
#include "kern/types.h"

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)(uintptr_t)va;
}

static inline int virt_in_direct_map(const void *va)
{
	(void)va;
	return 1;
}
#endif

#endif
