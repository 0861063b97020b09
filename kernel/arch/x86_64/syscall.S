/*
 * SYSCALL entry (GNU Mach's x86_64 trap convention, docs/ABI.md): the
 * trap number in %eax, arguments in %rdi, %rsi, %rdx, %r10, %r8, %r9,
 * more on the user stack.  The CPU left the return RIP in %rcx and
 * RFLAGS in %r11 and masked interrupts (SFMASK).
 *
 * Two ways through, chosen by the trap table (task/traps.h):
 *
 * - A quick trap (mach_trap_quick[n] set: unused slots, mach_task_self
 *   and its kin) runs with interrupts masked on a partial save: the top
 *   of the frame and %rax; it saves the registers it uses itself
 *   (MACH_TRAP_QUICK: no register is the caller's to save).  It never
 *   blocks, faults, raises an exception or reads the frame; the frame
 *   below its top keeps stale words, as it does whenever the thread
 *   runs in user mode (only a stopped thread's, or one in the kernel
 *   the general way, is its registers).  It leaves by SYSRET with no
 *   check before user mode: any reschedule, suspension or termination
 *   asked of this thread while interrupts were masked came from another
 *   CPU with an IPI (or is the timer's), which is taken at the first
 *   user instruction and makes the checks then; this CPU asked for none
 *   (a quick trap does not).  A quick trap that cannot answer that way
 *   says so, and the trap runs again the general way with the
 *   registers it came with.
 *
 * - Every other trap: the user registers saved whole as a struct
 *   trap_frame (the same layout as an interrupt's, vector
 *   SYSCALL_VECTOR), which thread_get_state, thread_set_state and
 *   exceptions read and write; the trap called from mach_trap_fast with
 *   the argument registers (%r10 moved to %rcx), interrupts enabled;
 *   then the checks before user mode (thread_user_return_check), and the
 *   way out: SYSRET when the frame is one SYSRET can restore exactly,
 *   IRETQ (trap_exit) otherwise.
 *
 * A number outside the table goes to syscall_bad_number (user_trap.c).
 */
#include "machine/segments.h"

#define SYSCALL_VECTOR 0x100
#define MACH_TRAP_COUNT 130	/* task/traps.h; user_trap.c checks */
#define MACH_MSG_TRAP_INDEX 25	/* task/traps.h; user_trap.c checks */

/* struct trap_frame offsets (machine/trap_frame.h; user_trap.c checks) */
#define F_R15	0
#define F_R14	8
#define F_R13	16
#define F_R12	24
#define F_R11	32
#define F_R10	40
#define F_R9	48
#define F_R8	56
#define F_RBP	64
#define F_RDI	72
#define F_RSI	80
#define F_RDX	88
#define F_RCX	96
#define F_RBX	104
#define F_RAX	112
#define F_RIP	136
#define F_CS	144
#define F_RFLAGS 152
#define F_RSP	160
#define F_SS	168

/* The top of the frame, pushed first by both ways (five words, from
 * F_RIP up): offsets from %rsp once they are pushed. */
#define TOP_RFLAGS	16
#define TOP_RSP		24

/* struct thread and struct task (task/thread.h, task/task.h; user_trap.c
 * checks) */
#define T_SUSPEND_COUNT		0xa0
#define T_AST			0xa4
#define AST_SUSPEND		0x1
#define AST_TERMINATE		0x2
/* The thread's suspend_count not 0, or AST_SUSPEND (its task's
 * suspension too: task_suspend sets it in every thread) or AST_TERMINATE
 * in its ast, the next word: one test of all. */
#if T_AST != T_SUSPEND_COUNT + 4
#error "thread: ast must follow suspend_count"
#endif
#define SUSPEND_OR_TERMINATE	(((AST_SUSPEND | AST_TERMINATE) << 32) | 0xffffffff)

/* sched_preempt_pending and sched_handoff_reserved (task/sched.c),
 * inline: the CPU's run queue (percpu->sched, kern/percpu.h) has
 * need_resched set, or a thread reserved for a handoff (task/sched.h;
 * user_trap.c checks the offsets). */
#define PERCPU_SCHED		64
#define SCHED_NEED_RESCHED	0x41c
#define SCHED_HANDOFF		0x428

#define MACH_TRAP_AGAIN (-1)	/* task/traps.h */

#define RFLAGS_TF 0x100
#define RFLAGS_RF 0x10000

/*
 * The frame under its top (five words pushed, %rcx and %rax as the
 * SYSCALL left them); a memory operand based on %rsp is read before
 * the push moves %rsp.
 */
	.macro	push_frame_rest
	pushq	$0			/* error */
	pushq	$SYSCALL_VECTOR		/* vector */
	pushq	%rax
	pushq	%rbx
	pushq	%rcx			/* as SYSCALL left it: the rip */
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	F_RFLAGS-F_R10(%rsp)	/* r11 as SYSCALL left it: rflags */
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	/* DF is clear (SFMASK); the stack is 16-byte aligned (a frame is
	 * 176 bytes under the stack top). */
	xorl	%ebp, %ebp		/* the end of a kernel backtrace */
	.endm

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
	/* The trap number is the low 32 bits of %rax, negative: their
	 * negation, an unsigned 32-bit index, rejects the positive numbers
	 * as well as those past the table's end.  %r11 (saved above) holds
	 * it; %rax stays as it came, for the frame. */
	movl	%eax, %r11d
	negl	%r11d
	cmpl	$MACH_TRAP_COUNT, %r11d
	jae	5f
	cmpq	$0, mach_trap_quick(,%r11,8)
	jne	6f

	/* The general way: the rest of the frame. */
1:	push_frame_rest
	movq	%r10, %rcx		/* the fourth argument, C's way */
	/* Interrupts on, but for mach_msg_trap, which enables them itself
	 * wherever its RPC fast path does not go on (task/traps.h). */
	cmpl	$MACH_MSG_TRAP_INDEX, %r11d
	je	9f
	sti
9:	call	*mach_trap_fast(,%r11,8)
	/* The way back of a trap taken the general way, %rax its answer,
	 * %rsp its frame; a continuation comes here too (switch.S). */
	.globl	syscall_trap_return
syscall_trap_return:
	/* The checks before user mode, their common case: nothing asked of
	 * the thread (return_work in task/thread.c, which does the rest).
	 * %rax, the trap's answer, stays for the way out; the frame gets it
	 * only when there is work (the thread may stop there, and what
	 * reads or changes its registers then sees it in the frame). */
2:	cli
	movq	%gs:PERCPU_SCHED, %rcx	/* sched_preempt_pending() */
	cmpb	$0, SCHED_NEED_RESCHED(%rcx)
	jne	3f
	cmpq	$0, SCHED_HANDOFF(%rcx)	/* sched_handoff_reserved() */
	jne	3f
	movq	%gs:40, %rcx		/* percpu->current */
	movabsq	$SUSPEND_OR_TERMINATE, %rdx
	testq	%rdx, T_SUSPEND_COUNT(%rcx)
	jz	4f
	/* Out of the way of the common case. */
3:	movq	%rax, F_RAX(%rsp)
	call	thread_user_return_check	/* returns with interrupts masked */
	jmp	syscall_exit
5:	push_frame_rest
	call	syscall_bad_number
	movq	F_RAX(%rsp), %rax
	jmp	2b

/*
 * syscall_exit: return to the user context in the struct trap_frame at
 * %rsp, which a SYSCALL saved.  Interrupts must be masked.
 *
 * SYSRET loads RIP from %rcx and RFLAGS from %r11 (clearing RF), and
 * fixed flat CS and SS, user code and user data (STAR; segments.h);
 * it does not touch %rsp.  It restores the frame exactly only when the
 * saved %rcx is the saved RIP and the saved %r11 the saved RFLAGS (a
 * trap's own frame; thread_set_state or an exception reply may have
 * changed either), RF and TF are clear (SYSRET cannot set RF, and a
 * single step goes the IRETQ way, as it came), and RIP is a user
 * address: SYSRET to a non-canonical RIP raises #GP in ring 0, on the
 * user's stack (Intel SDM, SYSRET).  The values checked are the ones
 * SYSRET is given, so a frame written meanwhile by another CPU cannot
 * slip a non-canonical RIP past.  The saved CS and SS need no check:
 * whatever writes a thread's user frame stores these same two
 * selectors (this entry, machine_thread_setup, thread_set_state).
 */
	.globl	syscall_exit
syscall_exit:
	movq	F_RAX(%rsp), %rax
	/* From syscall_trap_return: %rax the answer, which the frame may
	 * not hold yet. */
4:	movq	F_RIP(%rsp), %rcx
	movq	F_RFLAGS(%rsp), %r11
	cmpq	%rcx, F_RCX(%rsp)
	jne	8f
	cmpq	%r11, F_R11(%rsp)
	jne	8f
	testl	$(RFLAGS_TF | RFLAGS_RF), %r11d
	jnz	8f
	movq	%rcx, %rdx
	shrq	$47, %rdx		/* user addresses are below 2^47 */
	jnz	8f
	movq	F_R15(%rsp), %r15
	movq	F_R14(%rsp), %r14
	movq	F_R13(%rsp), %r13
	movq	F_R12(%rsp), %r12
	movq	F_R10(%rsp), %r10
	movq	F_R9(%rsp), %r9
	movq	F_R8(%rsp), %r8
	movq	F_RBP(%rsp), %rbp
	movq	F_RDI(%rsp), %rdi
	movq	F_RSI(%rsp), %rsi
	movq	F_RDX(%rsp), %rdx
	movq	F_RBX(%rsp), %rbx
	swapgs
	movq	F_RSP(%rsp), %rsp
	sysretq
	/* The IRETQ way restores the frame: the answer goes in first. */
8:	movq	%rax, F_RAX(%rsp)
	jmp	trap_exit

	/*
	 * The quick way.  A single step (TF) leaves the IRETQ way, as it
	 * came, and so does a SYSCALL that was the last instruction below
	 * 2^47 (its RIP is not canonical: see syscall_exit); both take the
	 * general way.  RF is not looked at: SYSRET clears it, as the end
	 * of an instruction does.
	 */
6:	btq	$47, %rcx
	jc	1b
	testb	$(RFLAGS_TF >> 8), TOP_RFLAGS+1(%rsp)
	jnz	1b
	/* The quick trap keeps every register but %rax (MACH_TRAP_QUICK):
	 * %rcx is still the RIP, %r11 the trap's index. */
	pushq	%rax			/* for the general way, if need be;
					   16-byte aligned: 6 words pushed */
	call	*mach_trap_quick(,%r11,8)
	cmpq	$MACH_TRAP_AGAIN, %rax
	je	7f
	movq	8+TOP_RFLAGS(%rsp), %r11 /* above the saved %rax */
	movq	8+TOP_RSP(%rsp), %rsp
	swapgs
	sysretq
	/* Again, the general way, as the trap came. */
7:	popq	%rax
	jmp	1b
