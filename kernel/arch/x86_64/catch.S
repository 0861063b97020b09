/*
 * trap_catch_begin / trap_catch_resume: the register save and restore
 * behind machine/trap_catch.h (a setjmp for kernel exceptions).  The
 * offsets follow struct trap_catch.
 */
	.text
	.globl	trap_catch_begin
trap_catch_begin:			/* RDI = struct trap_catch * */
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rax		/* the caller's RSP after return */
	movq	%rax, 48(%rdi)
	movq	(%rsp), %rax		/* the return address */
	movq	%rax, 56(%rdi)
	pushfq
	popq	%rax
	movq	%rax, 64(%rdi)
	movq	%gs:16, %rax		/* percpu->catch: link it in */
	movq	%rax, 72(%rdi)
	movq	%rdi, %gs:16
	xorl	%eax, %eax
	ret

	/* Never returns: continue after trap_catch_begin with EAX = 1. */
	.globl	trap_catch_resume
trap_catch_resume:			/* RDI = struct trap_catch * */
	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	48(%rdi), %rsp
	pushq	64(%rdi)
	popfq
	movl	$1, %eax
	jmpq	*56(%rdi)
