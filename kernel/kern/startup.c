/*
 * The kernel proper starts here, after the machine layer has set up
 * memory, traps and the clock.  For now it reports what it has and runs
 * the self-tests; user tasks come with the tasks issue.
 */
#include <stdarg.h>

#include "ipc/right.h"
#include "kern/clock.h"
#include "kern/page_alloc.h"
#include "kern/printf.h"
#include "kern/selftest.h"
#include "kern/slab.h"
#include "kern/startup.h"
#include "machine/cpu.h"
#include "server/kserver.h"
#include "vm/copy.h"
#include "vm/map.h"
#include "vm/object.h"

struct boot_info boot_info;
struct boot_options boot_options;
struct cmdline boot_cmdline;

void boot_fatal(const char *fmt, ...)
{
	va_list ap;

	kprintf("\nMach_R: cannot boot: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\nMach_R: halted.\n");
	machine_halt_all();
}

/* The tasks layer (kernel/task), absent from the host build. */
__attribute__((weak)) void tasks_init(void);
__attribute__((weak)) __noreturn void tasks_start(void);

void kern_main(void)
{
	struct page_alloc_stats st;

	ipc_rights_init();
	kserver_init(); /* the kernel's own ports, before any task */
	vm_map_init();
	vm_object_init();
	vm_map_copy_init();
	if (tasks_init)
		tasks_init();
	page_alloc_get_stats(&st);
	kprintf("Mach_R: %llu MiB free of %llu MiB managed, clock at %u Hz\n",
	        (unsigned long long)(st.free_pages * PAGE_SIZE >> 20),
	        (unsigned long long)(st.managed_pages * PAGE_SIZE >> 20),
	        clock_hz());

	if (boot_options.debug_crash == DEBUG_CRASH_PANIC)
		panic("debug_crash=panic requested on the command line");
	if (boot_options.debug_crash == DEBUG_CRASH_FAULT)
		machine_debug_fault();

	if (boot_options.selftest) {
		unsigned failed = selftest_run();

		kprintf("Mach_R: self-tests done, %u failed; powering off\n",
		        failed);
		machine_poweroff(failed ? 1 : 0);
	}

	if (tasks_start)
		tasks_start();
	kprintf("Mach_R: idle (no tasks layer)\n");
	for (;;)
		machine_idle();
}
