/*
 * The machine-independent start of the kernel, entered by the machine
 * layer once memory, traps and the clock work.
 */
#ifndef KERN_STARTUP_H
#define KERN_STARTUP_H

#include "kern/bootinfo.h"
#include "kern/cmdline.h"
#include "kern/compiler.h"

/* The boot information and options, valid after the machine layer's
 * boot code has filled them (read-only afterwards). */
extern struct boot_info boot_info;
extern struct boot_options boot_options;
extern struct cmdline boot_cmdline;

/*
 * kern_main: start the kernel proper: report, then run the self-tests
 * (`selftest`) and power off, or go on to start the bootstrap task.
 * Interrupts are enabled on entry.  Never returns.
 */
__noreturn void kern_main(void);

/*
 * boot_fatal: the boot cannot go on because of what the boot loader or
 * the user gave us (too little RAM, overlapping modules, a malformed
 * command line).  Prints the reason and halts cleanly, without the
 * register dump of a panic (this is not a kernel bug).
 */
__noreturn void boot_fatal(const char *fmt, ...) __printflike(1, 2);

/* Usable RAM below which Mach_R refuses to boot. */
#define BOOT_MIN_RAM_MB 32

#endif
