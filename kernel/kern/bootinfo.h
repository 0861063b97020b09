/*
 * What the boot loader handed the kernel, in machine-independent form:
 * the command line, the boot modules and the memory map.  The machine
 * layer fills it (from multiboot on x86_64); bootinfo_check() refuses
 * module layouts that would let the page allocator hand out module bytes
 * or make two modules share memory.
 */
#ifndef KERN_BOOTINFO_H
#define KERN_BOOTINFO_H

#include <stddef.h>

#include "kern/types.h"

#define BOOT_MODULES_MAX 16

/* One boot module: [start, end) of physical memory, and its line. */
struct boot_module {
	paddr_t start, end;
	const char *cmdline; /* NUL terminated, never NULL */
};

/*
 * The boot information.
 * Owned by: the boot code; read-only once the kernel proper starts.
 * Guarded by: nothing (written on the boot CPU before others start).
 */
struct boot_info {
	const char *cmdline;     /* never NULL */
	const char *loader_name; /* never NULL */
	struct boot_module modules[BOOT_MODULES_MAX];
	unsigned nmodules;
	paddr_t kernel_start, kernel_end; /* the loaded image, [start, end) */
};

/*
 * bootinfo_check: check that every module has start <= end, lies below
 * LIMIT, and overlaps neither the kernel image nor another module.
 * Returns 0, or -1 with a one-line reason in ERR.
 */
int bootinfo_check(const struct boot_info *bi, paddr_t limit, char *err,
                   size_t errlen);

#endif
