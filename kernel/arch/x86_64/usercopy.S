/*
 * user_copy: the copy behind copyin/copyout (copyio.c) between a user
 * range, already checked to lie in user space, and the kernel.  A page
 * fault inside it is resolved as the thread's own (trap.c, through
 * kernel_user_fault) and the copy resumes; one that cannot be resolved
 * makes the copy return -1 (trap.c sets RIP to user_copy_fixup).  No
 * catch is armed per copy: the faulting instruction's address says it
 * all, which is why this is assembly.
 *
 * int user_copy(void *dst, const void *src, size_t n): 0, or -1.
 */
	.text
	.globl	user_copy
user_copy:				/* RDI = dst, RSI = src, RDX = n */
	movq	%rdx, %rcx
	shrq	$3, %rcx
	.globl	user_copy_faults
user_copy_faults:			/* from here to user_copy_done */
	rep movsq
	movq	%rdx, %rcx
	andq	$7, %rcx
	rep movsb
	.globl	user_copy_done
user_copy_done:
	xorl	%eax, %eax
	ret

	.globl	user_copy_fixup
user_copy_fixup:
	movl	$-1, %eax
	ret
