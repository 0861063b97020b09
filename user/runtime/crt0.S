/*
 * user/runtime/crt0.S — program entry point.
 *
 * The kernel starts the bootstrap task with %rsp pointing at argc (8
 * bytes), then the argv pointers, 0, the envp pointers, 0.  We clear the
 * frame pointer, hand that address to the C part (start.c) and give it a
 * 16-byte aligned stack as the SysV ABI requires at a call.
 */
	.section .text._start, "ax", @progbits
	.globl	_start
	.type	_start, @function
_start:
	xorl	%ebp, %ebp
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	__machr_start
	hlt			/* not reached: __machr_start never returns */
	.size	_start, . - _start

	.section .note.GNU-stack, "", @progbits
