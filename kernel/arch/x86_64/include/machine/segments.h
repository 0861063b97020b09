/*
 * x86_64 segment selectors and descriptor tables.  The GDT layout is the
 * one SYSCALL/SYSRET require: kernel code, kernel data, then user data
 * and user code 64 in that order.
 */
#ifndef MACHINE_SEGMENTS_H
#define MACHINE_SEGMENTS_H

#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_USER_CODE32 0x1b /* for SYSRET's selector arithmetic only */
#define SEL_USER_DATA   0x23
#define SEL_USER_CODE   0x2b
#define SEL_TSS         0x30

#define IST_DOUBLE_FAULT  1 /* known-good stacks for faults that may */
#define IST_NMI           2 /* arrive on a broken kernel stack */
#define IST_MACHINE_CHECK 3

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "kern/compiler.h"

/*
 * The 64-bit TSS (Intel SDM vol. 3, 8.7).
 * Owned by: its CPU (gdt.c makes it, with the CPU's GDT).
 * Guarded by: being written only by that CPU.
 */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

/* Each CPU's TSS, set with its descriptor tables (gdt_alloc_cpu; the
 * boot CPU's is static); written only by gdt.c. */
extern struct tss *gdt_tss[];

/* Install the GDT, TSS and IDT on the calling CPU (CPU number CPU). */
void gdt_init_cpu(unsigned cpu);
void idt_init(void);

/* gdt_set_kernel_stack: the stack CPU's traps from user mode start on.
 * Inline: the context switch sets it every time.  Locks: called by CPU
 * itself, interrupts masked. */
static inline void gdt_set_kernel_stack(unsigned cpu, unsigned long top)
{
	gdt_tss[cpu]->rsp[0] = top;
}

void idt_load(void);
#endif

#endif
