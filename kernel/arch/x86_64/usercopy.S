/*
 * user_copy: the copy behind copyin/copyout (machine/copyio.h) between
 * a user range, already checked to lie in user space, and the kernel.  A page
 * fault inside it is resolved as the thread's own (trap.c, through
 * kernel_user_fault) and the copy resumes; one that cannot be resolved
 * makes the copy return -1 (trap.c sets RIP to user_copy_fixup).  No
 * catch is armed per copy: the faulting instruction's address says it
 * all, which is why this is assembly.
 *
 * user_copy: RDI = dst, RSI = src, RDX = n bytes; user_copy_quads:
 * RCX = n 8-byte words.  %eax 0 and ZF set, or %eax -1 and ZF clear.
 * They change %rax, %rcx, %rsi, %rdi and the flags only
 * (machine/copyio.h calls them from inline assembly and branches on
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
	testb	$7, %dl			/* most copies are whole words */
	jnz	1f
	xorl	%eax, %eax
	ret
1:	movl	%edx, %ecx
	andl	$7, %ecx
	rep movsb
	xorl	%eax, %eax
	ret

	.globl	user_copy_quads
user_copy_quads:			/* RDI = dst, RSI = src, RCX = words */
	rep movsq
	xorl	%eax, %eax
	ret

/*
 * user_read_word: the word at the user address %rax (below
 * USER_MAX_ADDRESS - 8, checked by the caller) into %r11, %eax 0 and ZF
 * set; or %eax -1 and ZF clear (the fixup) when it does not read.
 * Nothing else changes, and neither register carries a C argument, so
 * C calls it from inline assembly (machine/trap_args.h) without moving
 * or saving registers around it.
 */
	.globl	user_read_word
user_read_word:
	movq	(%rax), %r11
	.globl	user_copy_done
user_copy_done:
	xorl	%eax, %eax
	ret

	.globl	user_copy_fixup
user_copy_fixup:
	orl	$-1, %eax		/* and ZF clear */
	ret
