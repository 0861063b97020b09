/*
 * The kernel's virtual memory layout on x86_64 (docs/ARCHITECTURE.md):
 *
 *   0x0000000000000000 - 0x00007fffffffffff  user space (47 bits, as on
 *                                            GNU Mach)
 *   0xffff800000000000 - ...                 direct map of all physical RAM
 *   0xffffffff80000000 - 0xffffffffffffffff  the kernel image (-2 GiB),
 *                                            mapping physical 0 upward
 */
#ifndef MACHINE_MEMLAYOUT_H
#define MACHINE_MEMLAYOUT_H

#define PAGE_SHIFT       12
#define PAGE_SIZE        (1UL << PAGE_SHIFT)
#define KERNEL_VMA       0xffffffff80000000UL
#define KERNEL_LOAD_PHYS 0x100000UL
#define DIRECT_MAP_BASE  0xffff800000000000UL
#define DIRECT_MAP_MAX   0x0000400000000000UL /* 64 TiB of RAM at most */
#define USER_MAX_ADDRESS 0x0000800000000000UL

/* Four pages of the reserved first MiB hold the application processors'
 * start code and its page tables (smp.c, ap_boot.S): 448 KiB, clear of
 * the BIOS data, QEMU's multiboot information (0x9000) and the EBDA. */
#define SMP_TRAMPOLINE_PA    0x70000
#define SMP_TRAMPOLINE_PAGES 4

#ifndef __ASSEMBLER__
#include "kern/types.h"

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECT_MAP_BASE);
}

/* Only for addresses in the direct map or the kernel image. */
static inline paddr_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	if (v >= KERNEL_VMA)
		return v - KERNEL_VMA;
	return v - DIRECT_MAP_BASE;
}

/* True when VA lies in the direct map (where page-allocator memory is). */
static inline int virt_in_direct_map(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	return v >= DIRECT_MAP_BASE && v < DIRECT_MAP_BASE + DIRECT_MAP_MAX;
}
#endif

#endif
