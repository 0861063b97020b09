/* Reading the multiboot v1 information (multiboot.c). */
#ifndef X86_MULTIBOOT_H
#define X86_MULTIBOOT_H

#include "kern/bootinfo.h"
#include "kern/memmap.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002
#define MULTIBOOT_EXTENTS_MAX      (8 + BOOT_MODULES_MAX)

/* A piece of memory that holds boot-loader data and must be reserved. */
struct multiboot_extent {
	paddr_t base;
	uint64_t len;
};

/*
 * multiboot_parse: fill BI (command line, loader name, modules) and MAP
 * (the raw memory map) from the information at MBI_PA, and list in EXT
 * (*NEXT entries) the memory that information occupies.  Stops the boot
 * with boot_fatal() on information it cannot trust.
 */
void multiboot_parse(paddr_t mbi_pa, struct boot_info *bi, struct memmap *map,
                     struct multiboot_extent *ext, unsigned *next);

#endif
