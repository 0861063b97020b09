/*
 * The first instructions of Mach_R.  A multiboot v1 loader (GRUB, or
 * QEMU -kernel) enters _start in 32-bit protected mode with paging off,
 * EAX = the multiboot magic and EBX = the physical address of the
 * multiboot information.  This file checks for long mode, maps the first
 * GiB three ways (identity, direct map, kernel image at -2 GiB), enters
 * long mode and calls boot_main(magic, mbi) in the higher half.
 *
 * The code runs at its load address while linked at -2 GiB, so every
 * address it uses before the jump to the higher half is written PHYS(x).
 */
#include "machine/memlayout.h"

#define PHYS(x)		((x) - KERNEL_VMA)
#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	0x00010003	/* page-align modules, memory info,
					   address fields (a.out kludge) */
#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_PS		0x080
#define COM1		0x3f8

	.section .multiboot, "a"
	.balign 4
multiboot_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	PHYS(multiboot_header)	/* header_addr */
	.long	PHYS(_kernel_start)	/* load_addr */
	.long	PHYS(_edata)		/* load_end_addr */
	.long	PHYS(_end)		/* bss_end_addr */
	.long	PHYS(_start)		/* entry_addr */

	.section .boot.text, "ax"
	.code32
	.globl	_start
_start:
	cli
	cld
	movl	%eax, %edi		/* keep magic and info for boot_main */
	movl	%ebx, %esi

	/* Zero the bss (the loader should have; we do not rely on it). */
	movl	$PHYS(_bss_start), %ebp
	movl	%ebp, %edx
	movl	$PHYS(_end), %ecx
	subl	%edx, %ecx
	xchgl	%edi, %ebp		/* rep stosb uses EDI */
	xorl	%eax, %eax
	rep stosb
	movl	%ebp, %edi

	movl	$PHYS(boot_stack_top), %esp

	/* Long mode needs CPUID leaf 0x80000001 with the LM bit. */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	testl	$(1 << 29), %edx
	jz	no_long_mode
	movl	%edx, %ebp		/* EDX bit 20: NX */

	/* PD: 512 x 2 MiB pages covering physical 0 .. 1 GiB. */
	movl	$PHYS(boot_pd), %ebx
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_P | PTE_W | PTE_PS), %eax
	movl	%eax, (%ebx, %ecx, 8)
	incl	%ecx
	cmpl	$512, %ecx
	jb	1b

	movl	$(PHYS(boot_pd) + PTE_P + PTE_W), %eax
	movl	%eax, PHYS(boot_pdpt_low)		/* 0 .. 1 GiB */
	movl	%eax, PHYS(boot_pdpt_high) + 510 * 8	/* -2 GiB */
	movl	$(PHYS(boot_pdpt_low) + PTE_P + PTE_W), %eax
	movl	%eax, PHYS(boot_pml4)			/* identity */
	movl	%eax, PHYS(boot_pml4) + 256 * 8		/* direct map */
	movl	$(PHYS(boot_pdpt_high) + PTE_P + PTE_W), %eax
	movl	%eax, PHYS(boot_pml4) + 511 * 8		/* kernel image */

	movl	%cr4, %eax
	orl	$(1 << 5), %eax			/* PAE */
	movl	%eax, %cr4
	movl	$PHYS(boot_pml4), %eax
	movl	%eax, %cr3

	movl	$0xC0000080, %ecx		/* EFER */
	rdmsr
	orl	$(1 << 8), %eax			/* LME */
	testl	$(1 << 20), %ebp
	jz	2f
	orl	$(1 << 11), %eax		/* NXE, when the CPU has NX */
2:	wrmsr

	movl	%cr0, %eax
	orl	$((1 << 31) | (1 << 16) | 1), %eax	/* PG, WP, PE */
	movl	%eax, %cr0

	lgdt	PHYS(boot_gdt_ptr)
	ljmp	$0x08, $PHYS(long_mode_entry)

	/* No long mode: say so on COM1 and stop. */
no_long_mode:
	movl	$PHYS(no_lm_msg), %esi
3:	lodsb
	testb	%al, %al
	jz	5f
	movb	%al, %bl
	movw	$(COM1 + 5), %dx
4:	inb	%dx, %al
	testb	$0x20, %al
	jz	4b
	movw	$COM1, %dx
	movb	%bl, %al
	outb	%al, %dx
	jmp	3b
5:	hlt
	jmp	5b

	.code64
long_mode_entry:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movabsq	$higher_half, %rax
	jmp	*%rax

	.text
higher_half:
	movabsq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp		/* the backtrace stops here */
	/* EDI = magic, ESI = info: already the first two arguments. */
	call	boot_main
6:	cli
	hlt
	jmp	6b

	.section .rodata
no_lm_msg:
	.asciz	"Mach_R: this CPU has no 64-bit long mode; stopping.\r\n"

	.balign	8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit kernel code */
	.quad	0x00cf92000000ffff	/* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
	.word	boot_gdt_end - boot_gdt - 1
	.long	PHYS(boot_gdt)

	.bss
	.balign	4096
	.globl	boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4096
	.globl	boot_stack_top
boot_stack:	.skip 16384
boot_stack_top:
