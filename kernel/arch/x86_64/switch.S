/*
 * Kernel context switch and the first steps of a new thread.
 *
 * switch_stacks(uint64_t *save_ksp, uint64_t new_ksp, void *prev):
 * push the callee-saved registers on the current kernel stack, store the
 * stack pointer in *save_ksp, load new_ksp, pop that thread's
 * callee-saved registers and return on its stack, with PREV in %rax:
 * the thread that ran before, which the resumed code hands to
 * sched_switch_done().
 */
/* Push the callee-saved registers and store the stack pointer in
 * *%rdi: the context switch_stacks resumes. */
	.macro	save_context
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	.endm

	.text
	.globl	switch_stacks
switch_stacks:
	save_context
	movq	%rsi, %rsp
	movq	%rdx, %rax
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

/*
 * switch_to_resume(uint64_t *save_ksp, struct trap_frame *frame,
 * void *prev): as switch_stacks for the current thread, which returns
 * when something switches back to it; but the thread switched to is one
 * with a continuation (kern/thread_block.h): its kernel stack is taken
 * from its user registers (FRAME) down, sched_continue(PREV) finishes
 * its system call, and it leaves for user mode with that answer the
 * system call's way (syscall.S).  Interrupts masked.
 */
	.globl	switch_to_resume
switch_to_resume:
	save_context
	movq	%rsi, %rsp		/* 16-byte aligned: see syscall.S */
	movq	%rdx, %rdi
	xorl	%ebp, %ebp		/* the end of a kernel backtrace */
	call	sched_continue
	jmp	syscall_trap_return

/*
 * thread_trampoline: where a new thread's first switch_stacks returns
 * (machine_thread_setup puts its address under six zeroed registers).
 * Calls thread_start(prev), which never returns.
 */
	.globl	thread_trampoline
thread_trampoline:
	movq	%rax, %rdi
	xorl	%ebp, %ebp		/* end of the backtrace */
	call	thread_start
	ud2

/*
 * machine_user_enter(struct trap_frame *f): leave for user mode with the
 * registers in F (at the top of the current kernel stack).
 */
	.globl	machine_user_enter
machine_user_enter:
	cli
	movq	%rdi, %rsp
	jmp	trap_exit
