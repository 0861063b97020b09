/*
 * IDT entry stubs.  Each vector's stub pushes a zero in place of the
 * error code when the CPU pushes none, then its vector number, and jumps
 * to trap_common, which saves the general registers as a struct
 * trap_frame, switches GS to the kernel's per-CPU area when the trap
 * came from user mode, and calls trap_dispatch(frame).
 */
	.text

	/* Vectors 8, 10-14, 17, 21, 29 and 30 come with an error code. */
	.macro	vector_stub v
	.balign	16
vector_\v:
	.if	!((\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30))
	pushq	$0
	.endif
	pushq	$\v
	jmp	trap_common
	.endm

	.globl	trap_vectors_start
trap_vectors_start:
	.altmacro
	.set	i, 0
	.rept	256
	vector_stub %i
	.set	i, i + 1
	.endr

trap_common:
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
	testb	$3, 18*8(%rsp)		/* the saved CS: from user mode? */
	jz	1f
	swapgs
1:	cld
	movq	%rsp, %rdi
	movq	%rsp, %rbx		/* callee-saved: the frame */
	andq	$-16, %rsp		/* the ABI's call alignment */
	call	trap_dispatch
	movq	%rbx, %rsp
	/* Fall through to trap_exit. */

/*
 * trap_exit: return to the context saved in the struct trap_frame at
 * %rsp, switching GS back to the user's when it is a user context.
 * Interrupts must be masked (IRETQ restores the saved RFLAGS).
 * Also the way a new user thread first enters user mode, and the return
 * path of SYSCALL entries (syscall.S).
 */
	.globl	trap_exit
trap_exit:
	testb	$3, 18*8(%rsp)
	jz	2f
	swapgs
2:	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector and error code */
	iretq

	.macro	vector_addr v
	.quad	vector_\v
	.endm

	/* The address of each stub, for idt.c. */
	.section .rodata
	.balign	8
	.globl	trap_vector_table
trap_vector_table:
	.set	i, 0
	.rept	256
	vector_addr %i
	.set	i, i + 1
	.endr
