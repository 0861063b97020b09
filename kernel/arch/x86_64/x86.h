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
void percpu_init(unsigned cpu, uint32_t hw_id);

static inline struct percpu *percpu_self(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* user_trap.c */
void user_trap(struct trap_frame *f);
/* A kernel page fault at a user address under a trap catch: resolve it
 * as the current thread's fault; false if it cannot be. */
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
void lapic_send_halt_ipi_all(void);
uint32_t lapic_id(void);
uint64_t pit_wait_calibrate(uint64_t (*read)(void), unsigned ms);
void tsc_calibrate(void);
uint64_t tsc_hz(void);
uint64_t lapic_timer_hz(void);

#endif
