/*
 * Interfaces between the files of arch/x86_64 that the core does not see.
 */
#ifndef X86_X86_H
#define X86_X86_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/compiler.h"
#include "kern/memmap.h"
#include "kern/percpu.h"
#include "machine/trap_catch.h"
#include "machine/trap_frame.h"

/* cpu.c */
struct cpu_features {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	uint32_t leaf1_ecx, leaf1_edx, ext_ecx, ext_edx, leaf7_ebx;
	int has_nx, has_1g_pages, has_apic, has_x2apic, has_invariant_tsc;
};
extern struct cpu_features cpu_features;
void cpu_features_detect(void);
void cpu_features_print(void);
/* percpu_init: point GS at CPU's struct percpu.  The CPU is not yet
 * `online` (the scheduler does not use it until its caller says so). */
void percpu_init(unsigned cpu, uint32_t hw_id);

static inline struct percpu *percpu_self(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* user_trap.c */
void user_trap(struct trap_frame *f);
/* A kernel page fault at a user address in a user copy (usercopy.S) or
 * under a trap catch: resolve it as the current thread's fault; false if
 * it cannot be.  When the copy ran with interrupts enabled (no spinlock
 * held) it may sleep for a pager or for memory, and return on another
 * CPU. */
bool kernel_user_fault(struct trap_frame *f);

/* trap.c, catch.S, poweroff.c */
void trap_dispatch(struct trap_frame *f);
void trap_frame_print(const struct trap_frame *f);
__noreturn void trap_catch_resume(struct trap_catch *c);
/* Print RIP (unless 0), then the return addresses up the frame chain
 * that starts at RBP. */
void backtrace_print(uint64_t rip, uint64_t rbp);
extern volatile int cpus_halting;
__noreturn void halt_this_cpu(void);
void machine_set_qemu_exit(int on);

/* gdt.c, idt.c */
/* gdt_alloc_cpu: descriptor tables for CPU (not the boot CPU); false
 * when memory is short. */
bool gdt_alloc_cpu(unsigned cpu);

/* acpi.c: the local APIC ids of the enabled processors in the ACPI
 * MADT, at most MAX of them in IDS; 0 when there is no MADT. */
unsigned acpi_cpu_apic_ids(uint32_t *ids, unsigned max);

/* smp.c */
/* Set by boot_main when the boot loader's data lies in the trampoline's
 * pages (SMP_TRAMPOLINE_PA): the other CPUs then stay parked. */
extern int smp_trampoline_clobbers_boot_data;
/*
 * smp_tlb_shootdown: invalidate VA (SMP_SHOOT_ALL: every non-global
 * entry) on the CPUs in the mask CPUS other than the caller, and wait
 * until each has.  Any context, interrupts masked or not: while waiting
 * for the lock of the single request slot it answers others' requests.
 */
#define SMP_SHOOT_ALL ((vaddr_t)-1)
void smp_tlb_shootdown(uint64_t cpus, vaddr_t va);
/* smp_cpus_expected: the CPUs that should be online: those the MADT
 * lists, capped by smp=N / nosmp (for the self-tests). */
unsigned smp_cpus_expected(void);
/* smp_shootdowns_sent: shootdowns that went to other CPUs so far. */
uint64_t smp_shootdowns_sent(void);

/* kmap.c: the kernel's page tables */
void kmap_init(struct memmap *map, paddr_t ram_top);
void *kmap_mmio(paddr_t pa, uint64_t size);
paddr_t kmap_direct_top(void);
uint64_t *kmap_pml4(void);

/* lapic.c, pit.c, tsc.c */
void pic_disable(void);
void lapic_init(void);
void lapic_eoi(void);
void lapic_timer_start(unsigned hz);
void lapic_timer_start_calibrated(unsigned hz);
/* IPIs to the CPU whose APIC id is HW_ID: a fixed VECTOR; INIT; STARTUP
 * at ENTRY (4 KiB aligned, below 1 MiB). */
void lapic_send_ipi(uint32_t hw_id, unsigned vector);
void lapic_send_init(uint32_t hw_id);
void lapic_send_startup(uint32_t hw_id, paddr_t entry);
void lapic_send_halt_ipi_all(void);
uint32_t lapic_id(void);
uint64_t pit_wait_calibrate(uint64_t (*read)(void), unsigned ms);
void tsc_calibrate(void);
uint64_t tsc_hz(void);
uint64_t lapic_timer_hz(void);

#endif
