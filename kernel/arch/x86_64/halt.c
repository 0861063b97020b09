/*
 * Stopping: halting every CPU after a panic, powering off, and the
 * register dump and backtrace that panic() prints.
 *
 * With the `qemu_exit` boot option (tools/machr-run sets it), halting and
 * powering off leave QEMU through its isa-debug-exit device, so a test
 * run ends as soon as the kernel stops.  Otherwise halting stops the
 * CPUs for good and powering off tries QEMU's ACPI ports.
 */
#include "kern/printf.h"
#include "machine/cpu.h"
#include "machine/io.h"
#include "machine/memlayout.h"
#include "x86.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4 /* QEMU exits with (value << 1) | 1 */
#define HALT_EXIT_CODE       0x7f /* a halt is a failure for a test run */

volatile int cpus_halting;
static int qemu_exit;

void machine_set_qemu_exit(int on)
{
	qemu_exit = on;
}

void halt_this_cpu(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void machine_halt_all(void)
{
	intr_disable();
	if (!cpus_halting) {
		cpus_halting = 1;
		lapic_send_halt_ipi_all();
	}
	if (qemu_exit)
		outb(QEMU_DEBUG_EXIT_PORT, HALT_EXIT_CODE);
	halt_this_cpu();
}

void machine_poweroff(int status)
{
	intr_disable();
	if (qemu_exit)
		outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
	outw(0x604, 0x2000);  /* QEMU's ACPI PM1a control (pc and q35) */
	outw(0xb004, 0x2000); /* older QEMU and Bochs */
	kprintf("poweroff failed; halting\n");
	machine_halt_all();
}

void machine_debug_fault(void)
{
	(void)*(volatile uint64_t *)0x1000UL; /* the lower half is unmapped */
}

static int frame_pointer_ok(uint64_t rbp)
{
	return rbp >= DIRECT_MAP_BASE && (rbp & 7) == 0 &&
	       rbp < 0xfffffffffffff000ULL;
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	kprintf("backtrace (addr2line -e build/kernel/machr ADDR):\n");
	if (rip)
		kprintf("  %016llx\n", (unsigned long long)rip);
	for (int depth = 0; depth < 24 && frame_pointer_ok(rbp); depth++) {
		const uint64_t *frame = (const uint64_t *)rbp;

		if (frame[1] < KERNEL_VMA)
			break;
		kprintf("  %016llx\n", (unsigned long long)frame[1]);
		if (frame[0] <= rbp) /* stacks grow down: callers are above */
			break;
		rbp = frame[0];
	}
}

void machine_panic_dump(void)
{
	uint64_t rsp, rbp, cr0, cr3, cr4;

	__asm__ volatile("movq %%rsp, %0; movq %%rbp, %1"
	                 : "=r"(rsp), "=r"(rbp));
	cr0 = read_cr0();
	cr3 = read_cr3();
	cr4 = read_cr4();
	kprintf("cpu %u  rsp %016llx  rbp %016llx\n"
	        "cr0 %016llx  cr2 %016llx  cr3 %016llx  cr4 %016llx\n",
	        cpu_id(), (unsigned long long)rsp, (unsigned long long)rbp,
	        (unsigned long long)cr0, (unsigned long long)read_cr2(),
	        (unsigned long long)cr3, (unsigned long long)cr4);
	backtrace_print(0, rbp); /* from our caller, panic() */
}
