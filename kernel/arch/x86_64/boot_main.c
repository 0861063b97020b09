/*
 * boot_main: the x86_64 boot sequence in C, entered from boot.S in long
 * mode on the boot stack.  It brings up, in order: the per-CPU area (so
 * locks work), the console, the descriptor tables (so faults are
 * reported), then reads the multiboot information, checks it, builds the
 * kernel page tables and the allocators, calibrates the clock and starts
 * the timer, and hands over to kern_main().
 */
#include "kern/bootinfo.h"
#include "kern/clock.h"
#include "kern/cmdline.h"
#include "kern/memmap.h"
#include "kern/page_alloc.h"
#include "kern/printf.h"
#include "kern/startup.h"
#include "kern/string.h"
#include "machine/cpu.h"
#include "machine/memlayout.h"
#include "machine/pmap.h"
#include "machine/segments.h"
#include "multiboot.h"
#include "serial.h"
#include "x86.h"

extern char _kernel_start[], _end[];

static struct memmap boot_memmap;

static void print_memmap(const struct memmap *map)
{
	kprintf("memory map (from the boot loader):\n");
	for (unsigned i = 0; i < map->nraw; i++)
		kprintf("  %016llx-%016llx %s\n",
		        (unsigned long long)map->raw[i].base,
		        (unsigned long long)map->raw[i].end,
		        map->raw[i].type == MEMMAP_USABLE ? "usable"
		                                          : "reserved");
	if (map->dropped)
		kprintf("  (%u malformed entries ignored)\n", map->dropped);
}

/* The highest end of usable RAM, before anything is reserved. */
static paddr_t ram_top(const struct memmap *map)
{
	paddr_t top = 0;

	for (unsigned i = 0; i < map->nusable; i++)
		top = MAX(top, map->usable[i].end);
	return top;
}

/* The options must be read before anything can fail, so that even an
 * early halt leaves QEMU when asked (`qemu_exit`). */
static void read_options(const char *text)
{
	char err[128];

	if (cmdline_parse(&boot_cmdline, text, err, sizeof(err)) < 0) {
		/* Still honour qemu_exit if the word is there at all. */
		const char *p = text;

		while ((p = strchr(p, 'q')) != NULL)
			if (strncmp(p++, "qemu_exit", 9) == 0)
				machine_set_qemu_exit(1);
		boot_fatal("malformed command line: %s", err);
	}
	if (cmdline_has(&boot_cmdline, "qemu_exit"))
		machine_set_qemu_exit(1);
	if (boot_options_parse(&boot_cmdline, &boot_options, err, sizeof(err)) <
	    0)
		boot_fatal("bad command line option: %s", err);
}

static void reserve(struct memmap *map, paddr_t base, uint64_t len,
                    const char *what)
{
	if (memmap_reserve(map, base, len) < 0)
		boot_fatal("the memory map is too fragmented to reserve the %s",
		           what);
}

/* The AP trampoline's pages (smp.c) must not hold anything the loader
 * gave us that is still read after boot (module command lines). */
static void check_trampoline(const struct boot_info *bi,
                             const struct multiboot_extent *ext, unsigned next)
{
	paddr_t lo = SMP_TRAMPOLINE_PA;
	paddr_t hi = lo + SMP_TRAMPOLINE_PAGES * PAGE_SIZE;

	for (unsigned i = 0; i < next; i++)
		if (ext[i].base < hi && ext[i].base + ext[i].len > lo)
			smp_trampoline_clobbers_boot_data = 1;
	for (unsigned i = 0; i < bi->nmodules; i++)
		if (bi->modules[i].start < hi && bi->modules[i].end > lo)
			smp_trampoline_clobbers_boot_data = 1;
}

void boot_main(uint32_t magic, uint32_t mbi_pa);

void boot_main(uint32_t magic, uint32_t mbi_pa)
{
	struct multiboot_extent ext[MULTIBOOT_EXTENTS_MAX];
	struct boot_info *bi = &boot_info;
	unsigned next;
	uint64_t usable;
	char err[160];

	percpu_init(0, 0);
	percpu_area[0].online = 1;
	serial_init(0);
	gdt_init_cpu(0);
	idt_init();
	cpu_features_detect();

	kprintf("\nMach_R %s (%s), a Mach microkernel for x86_64\n",
	        MACHR_VERSION, MACHR_GIT_REV);
	cpu_features_print();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		boot_fatal("not started by a multiboot loader (magic %#x)",
		           magic);

	multiboot_parse(mbi_pa, bi, &boot_memmap, ext, &next);
	read_options(bi->cmdline);
	if (boot_options.console_com != 0)
		serial_init(boot_options.console_com);
	kprintf("boot loader: %s\n", bi->loader_name);
	kprintf("command line: %s\n", bi->cmdline[0] ? bi->cmdline : "(none)");
	print_memmap(&boot_memmap);

	bi->kernel_start = virt_to_phys(_kernel_start);
	bi->kernel_end = virt_to_phys(_end);
	kprintf(
	    "kernel: %016llx-%016llx (%llu KiB)\n",
	    (unsigned long long)bi->kernel_start,
	    (unsigned long long)bi->kernel_end,
	    (unsigned long long)((bi->kernel_end - bi->kernel_start) >> 10));
	for (unsigned i = 0; i < bi->nmodules; i++)
		kprintf("module %u: %016llx-%016llx %s\n", i,
		        (unsigned long long)bi->modules[i].start,
		        (unsigned long long)bi->modules[i].end,
		        bi->modules[i].cmdline);

	usable = memmap_finish(&boot_memmap);
	if (usable < (uint64_t)BOOT_MIN_RAM_MB << 20)
		boot_fatal("only %llu MiB of usable RAM; Mach_R needs at least "
		           "%u MiB",
		           (unsigned long long)(usable >> 20), BOOT_MIN_RAM_MB);
	if (bootinfo_check(bi, ram_top(&boot_memmap), err, sizeof(err)) < 0)
		boot_fatal("bad boot modules: %s", err);

	/* Nothing the loader gave us may be handed out as free memory. */
	reserve(&boot_memmap, 0, 1 << 20, "first MiB");
	reserve(&boot_memmap, bi->kernel_start,
	        bi->kernel_end - bi->kernel_start, "kernel image");
	for (unsigned i = 0; i < next; i++)
		reserve(&boot_memmap, ext[i].base, ext[i].len, "boot data");
	for (unsigned i = 0; i < bi->nmodules; i++)
		reserve(&boot_memmap, bi->modules[i].start,
		        bi->modules[i].end - bi->modules[i].start, "modules");
	check_trampoline(bi, ext, next);

	kmap_init(&boot_memmap, ram_top(&boot_memmap));
	page_alloc_init(&boot_memmap);
	pmap_init();

	pic_disable();
	lapic_init();
	percpu_area[0].hw_id = lapic_id();
	tsc_calibrate();
	clock_init(boot_options.hz);
	lapic_timer_start(boot_options.hz);
	kprintf("clock: TSC %llu kHz, APIC timer %llu kHz, %u Hz tick\n",
	        (unsigned long long)(tsc_hz() / 1000),
	        (unsigned long long)(lapic_timer_hz() / 1000), boot_options.hz);
	intr_enable();
	kern_main();
}
