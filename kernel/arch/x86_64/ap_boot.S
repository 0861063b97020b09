/*
 * The first instructions of an application processor.  A STARTUP IPI
 * starts the CPU in real mode at SMP_TRAMPOLINE_PA (CS = PA >> 4, IP = 0),
 * where smp.c copied the blob between ap_trampoline and
 * ap_trampoline_end and, in the three pages after it, a temporary PML4
 * that maps the trampoline's first 2 MiB one to one and shares the
 * kernel's upper half.  The blob goes to protected mode, turns on PAE,
 * long mode and paging with that PML4, and jumps to ap_entry64 in the
 * kernel image, which loads the kernel's own page tables and stack and
 * calls ap_main(cpu) (smp.c).  Intel SDM vol. 3, 9.4 and 9.8.
 *
 * The blob runs at an address other than its link address, so every
 * address it uses is written TRAMPOLINE(label): its place in the copy.
 */
#include "machine/memlayout.h"

#define TRAMPOLINE(x)	(SMP_TRAMPOLINE_PA + ((x) - ap_trampoline))

	.section .rodata
	.balign	16
	.globl	ap_trampoline, ap_trampoline_end
	.globl	ap_trampoline_pml4, ap_trampoline_efer
ap_trampoline:
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	(ap_gdt_ptr - ap_trampoline)
	movl	%cr0, %eax
	orl	$1, %eax			/* PE */
	movl	%eax, %cr0
	ljmpl	$0x08, $TRAMPOLINE(ap_pm32)

	.code32
ap_pm32:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$(1 << 5), %eax			/* PAE */
	movl	%eax, %cr4
	movl	TRAMPOLINE(ap_trampoline_pml4), %eax
	movl	%eax, %cr3
	movl	$0xC0000080, %ecx		/* EFER */
	rdmsr
	orl	TRAMPOLINE(ap_trampoline_efer), %eax	/* LME, NXE */
	wrmsr
	movl	%cr0, %eax
	orl	$((1 << 31) | (1 << 16) | 1), %eax	/* PG, WP, PE */
	movl	%eax, %cr0
	ljmpl	$0x18, $TRAMPOLINE(ap_lm64)

	.code64
ap_lm64:
	movabsq	$ap_entry64, %rax
	jmp	*%rax

	.balign	8
ap_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff		/* 0x10: data */
	.quad	0x00af9a000000ffff		/* 0x18: 64-bit code */
ap_gdt_end:
ap_gdt_ptr:
	.word	ap_gdt_end - ap_gdt - 1
	.long	TRAMPOLINE(ap_gdt)
	.balign	4
ap_trampoline_pml4:				/* filled in by smp.c */
	.long	0
ap_trampoline_efer:				/* filled in by smp.c */
	.long	0
ap_trampoline_end:

/*
 * ap_entry64: in long mode, in the kernel image, still on the temporary
 * PML4 and without a stack.  Take the kernel's page tables, the stack
 * and CPU number smp.c left in ap_boot_args, and go to C.
 */
	.text
ap_entry64:
	movq	ap_boot_args+0(%rip), %rax	/* cr3 */
	movq	%rax, %cr3
	movq	ap_boot_args+8(%rip), %rsp	/* stack top */
	xorl	%ebp, %ebp			/* the backtrace stops here */
	movl	ap_boot_args+16(%rip), %edi	/* cpu */
	call	ap_main
1:	cli
	hlt
	jmp	1b
