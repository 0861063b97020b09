/*
 * SYSCALL entry (GNU Mach's x86_64 trap convention, docs/ABI.md): the
 * trap number in %eax, arguments in %rdi, %rsi, %rdx, %r10, %r8, %r9,
 * more on the user stack.  The CPU left the return RIP in %rcx and
 * RFLAGS in %r11 and masked interrupts (SFMASK).  We switch to the
 * thread's kernel stack, save the user registers as a struct trap_frame
 * (the same layout as an interrupt's, vector SYSCALL_VECTOR), call
 * syscall_dispatch(frame), and leave through trap_exit with IRETQ,
 * which restores every register (SYSRET would be faster; the IPC fast
 * path issue may add it).
 */
#include "machine/segments.h"

#define SYSCALL_VECTOR 0x100

	.text
	.globl	syscall_entry
syscall_entry:
	swapgs
	movq	%rsp, %gs:32		/* percpu->user_rsp */
	movq	%gs:24, %rsp		/* percpu->kstack_top */
	pushq	$SEL_USER_DATA		/* ss */
	pushq	%gs:32			/* rsp */
	pushq	%r11			/* rflags */
	pushq	$SEL_USER_CODE		/* cs */
	pushq	%rcx			/* rip */
	pushq	$0			/* error */
	pushq	$SYSCALL_VECTOR		/* vector */
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	xorl	%ebp, %ebp
	call	syscall_dispatch
	cli
	jmp	trap_exit
