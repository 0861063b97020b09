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
/* Install the GDT, TSS and IDT on the calling CPU (CPU number CPU). */
void gdt_init_cpu(unsigned cpu);
void idt_init(void);
/* gdt_set_kernel_stack: the stack CPU's traps from user mode start on. */
void gdt_set_kernel_stack(unsigned cpu, unsigned long top);
void idt_load(void);
#endif

#endif
