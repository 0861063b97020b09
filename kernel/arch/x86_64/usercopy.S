/*
 * user_copy: the copy behind copyin/copyout (machine/copyio.h) between
 * a user range, already checked to lie in user space, and the kernel.  A page
 * fault inside it is resolved as the thread's own (trap.c, through
 * kernel_user_fault) and the copy resumes; one that cannot be resolved
 * makes the copy fail (trap.c sets RIP to user_copy_fixup).  No
 * catch is armed per copy: the faulting instruction's address says it
 * all, which is why this is assembly.
 *
 * user_copy: RDI = dst, RSI = src, RDX = n bytes; user_copy_quads:
 * RCX = n 8-byte words.  ZF set when done, clear after a fault that
 * could not be resolved.  They change %rcx, %rsi, %rdi and the flags
 * only (machine/copyio.h calls them from inline assembly and branches on
 * ZF).  The one load of user_read_word lies in the same range.
 */
	.text
	.globl	user_copy
user_copy:				/* RDI = dst, RSI = src, RDX = n */
	movq	%rdx, %rcx
	shrq	$3, %rcx
	.globl	user_copy_faults
user_copy_faults:			/* from here to user_copy_done */
	rep movsq
	testb	$7, %dl			/* ZF set: whole words (most copies) */
	jnz	1f
	ret
1:	movl	%edx, %ecx
	andl	$7, %ecx
	rep movsb
	cmpl	%ecx, %ecx		/* ZF set */
	ret

	.globl	user_copy_quads
user_copy_quads:			/* RDI = dst, RSI = src, RCX = words */
	rep movsq
	cmpl	%ecx, %ecx
	ret

/*
 * user_read_word: the word at the user address %rax (below
 * USER_MAX_ADDRESS - 8, checked by the caller) into %r11, ZF set; or ZF
 * clear (the fixup) when it does not read.  Nothing else changes, and
 * %r11 carries no C argument, so C calls it from inline assembly
 * (machine/trap_args.h) without moving or saving registers around it.
 */
	.globl	user_read_word
user_read_word:
	movq	(%rax), %r11
	.globl	user_copy_done
user_copy_done:
	cmpl	%eax, %eax		/* ZF set */
	ret

	.globl	user_copy_fixup
user_copy_fixup:
	testq	%rsp, %rsp		/* ZF clear: %rsp is never 0 */
	ret
