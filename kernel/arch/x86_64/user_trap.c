/*
 * Traps from user mode: SYSCALL (Mach traps) and CPU exceptions.  A
 * page fault goes to vm_fault first; what it cannot resolve, and every
 * other exception, becomes a Mach exception with GNU Mach's x86 codes
 * (<mach/x86_64/exception.h>).  Both paths end in the checks a thread
 * makes before it returns to user mode.
 */
#include <mach/exception.h>
#include <mach/kern_return.h>
#include <mach/machine/exception.h>

#include "machine/copyio.h"
#include "machine/cpu.h"
#include "machine/io.h"
#include "machine/memlayout.h"
#include "machine/trap_args.h"
#include "machine/trap_catch.h"
#include "machine/trap_frame.h"
#include "task/exception.h"
#include "task/sched.h"
#include "task/task.h"
#include "task/thread.h"
#include "task/traps.h"
#include "vm/fault.h"
#include "x86.h"

#define PF_WRITE 0x2
#define PF_FETCH 0x10

/*
 * syscall_bad_number: a trap number outside the table (syscall_entry
 * calls every other trap itself): EXC_BAD_INSTRUCTION, as GNU Mach
 * raises for it.  Entered with interrupts masked; syscall_entry makes
 * the checks before user mode afterwards.
 */
void syscall_bad_number(void);

/* What syscall.S assumes of the frame, the trap table and threads. */
#define FRAME_AT(field, off)                                                   \
	STATIC_ASSERT(__builtin_offsetof(struct trap_frame, field) == (off),   \
	              "syscall.S: the offset of " #field)
FRAME_AT(r15, 0);
FRAME_AT(r14, 8);
FRAME_AT(r13, 16);
FRAME_AT(r12, 24);
FRAME_AT(r11, 32);
FRAME_AT(r10, 40);
FRAME_AT(r9, 48);
FRAME_AT(r8, 56);
FRAME_AT(rbp, 64);
FRAME_AT(rdi, 72);
FRAME_AT(rsi, 80);
FRAME_AT(rdx, 88);
FRAME_AT(rcx, 96);
FRAME_AT(rbx, 104);
FRAME_AT(rax, 112);
FRAME_AT(rip, 136);
FRAME_AT(cs, 144);
FRAME_AT(rflags, 152);
FRAME_AT(rsp, 160);
FRAME_AT(ss, 168);
STATIC_ASSERT(sizeof(struct trap_frame) % 16 == 0,
              "syscall.S calls with the frame as the stack: 16-byte aligned");
STATIC_ASSERT(MACH_TRAP_COUNT == 130, "syscall.S: MACH_TRAP_COUNT");
STATIC_ASSERT(MACH_MSG_TRAP_INDEX == 25, "syscall.S: MACH_MSG_TRAP_INDEX");
STATIC_ASSERT(MACH_TRAP_AGAIN == (uint64_t)-1, "syscall.S: MACH_TRAP_AGAIN");
STATIC_ASSERT(MACH_TRAP_AGAIN == (uint64_t)-1, "syscall.S: MACH_TRAP_AGAIN");
STATIC_ASSERT(__builtin_offsetof(struct thread, suspend_count) == 0xa0,
              "syscall.S: T_SUSPEND_COUNT");
STATIC_ASSERT(__builtin_offsetof(struct thread, ast) == 0xa4,
              "syscall.S: T_AST");
STATIC_ASSERT(AST_SUSPEND == 0x1, "syscall.S: AST_SUSPEND");
STATIC_ASSERT(AST_TERMINATE == 0x2, "syscall.S: AST_TERMINATE");
STATIC_ASSERT(__builtin_offsetof(struct percpu, sched) == 64,
              "syscall.S: PERCPU_SCHED");
STATIC_ASSERT(__builtin_offsetof(struct sched_cpu, need_resched) == 0x41c,
              "syscall.S: SCHED_NEED_RESCHED");
STATIC_ASSERT(__builtin_offsetof(struct sched_cpu, handoff) == 0x428,
              "syscall.S: SCHED_HANDOFF");

void trap_stack_fault(uint64_t at)
{
	/* GNU Mach reports the word's own address for a user address that
	 * does not read, the end of the word for one outside user space
	 * (its range check fails there). */
	exception_raise_current(EXC_BAD_ACCESS, KERN_INVALID_ADDRESS,
	                        (int64_t)(at < USER_MAX_ADDRESS ? at : at + 8));
}

bool trap_stack_args(uint64_t *more, int count)
{
	uint64_t rsp = thread_current()->machine.frame->rsp;

	/* From the last, as GNU Mach reads them: the address reported is
	 * the first word found unreadable that way. */
	for (int i = count - 1; i >= 0; i--) {
		uint64_t at = rsp + 8 + 8 * (uint64_t)i;

		if (unlikely(!trap_user_word(at, &more[i]))) {
			trap_stack_fault(at);
			return false;
		}
	}
	return true;
}

void syscall_bad_number(void)
{
	intr_enable();
	exception_raise_current(EXC_BAD_INSTRUCTION, EXC_I386_INVOP, 0);
}

/* Fault access type from a page-fault error code. */
static vm_prot_t fault_access(uint64_t error)
{
	if (error & PF_FETCH)
		return VM_PROT_EXECUTE;
	return (error & PF_WRITE) ? VM_PROT_WRITE : VM_PROT_READ;
}

bool kernel_user_fault(struct trap_frame *f)
{
	struct thread *t = thread_current();
	uint64_t addr = read_cr2();
	vm_prot_t access = fault_access(f->error) & ~VM_PROT_EXECUTE;
	struct percpu *cpu;
	struct trap_catch *catch;
	kern_return_t kr;

	if (t == NULL || !t->user || addr >= USER_MAX_ADDRESS)
		return false;
	/* A copy that ran with interrupts masked may hold a spinlock: it
	 * must not sleep, so the copy fails instead of waiting for a pager
	 * or for memory (the pager is asked all the same). */
	if (!(f->rflags & RFLAGS_IF))
		return vm_fault(t->task->map, t->task->pmap, addr,
		                access | VM_FAULT_NOWAIT) == KERN_SUCCESS;
	/* Otherwise it waits, as GNU Mach's kernel does.  The catch chain
	 * is the running thread's: keep it aside while others run here,
	 * and put it back on whichever CPU the thread wakes up on. */
	cpu = percpu_self();
	catch = cpu->catch;
	cpu->catch = NULL;
	intr_enable();
	kr = vm_fault(t->task->map, t->task->pmap, addr, access);
	intr_disable();
	percpu_self()->catch = catch;
	return kr == KERN_SUCCESS;
}

void user_trap(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;
	uint64_t cr2 = read_cr2();
	struct task *task = task_current();
	kern_return_t kr;

	intr_enable();
	switch (v) {
	case 14:
		kr = vm_fault(task->map, task->pmap, cr2,
		              fault_access(f->error));
		/* Aborted while waiting for a pager: back to user mode (its
		 * ASTs first), where the access faults again. */
		if (kr != KERN_SUCCESS && kr != KERN_ABORTED)
			exception_raise_current(EXC_BAD_ACCESS, kr,
			                        (int64_t)cr2);
		break;
	case 0:
		exception_raise_current(EXC_ARITHMETIC, EXC_I386_DIV, 0);
		break;
	case 4:
		exception_raise_current(EXC_ARITHMETIC, EXC_I386_INTO, 0);
		break;
	case 5:
		exception_raise_current(EXC_ARITHMETIC, EXC_I386_BOUND, 0);
		break;
	case 16:
	case 19:
		exception_raise_current(EXC_ARITHMETIC, EXC_I386_EXTERR,
		                        (int64_t)f->error);
		break;
	case 1:
		exception_raise_current(EXC_BREAKPOINT, EXC_I386_SGL, 0);
		break;
	case 3:
		exception_raise_current(EXC_BREAKPOINT, EXC_I386_BPT, 0);
		break;
	case 6:
		exception_raise_current(EXC_BAD_INSTRUCTION, EXC_I386_INVOP, 0);
		break;
	default:
		/* #GP, #SS, #NP, #AC and the rest: the vector as the code
		 * (EXC_I386_GPFLT for #GP), the CPU's error code as the
		 * subcode. */
		exception_raise_current(EXC_BAD_INSTRUCTION, v,
		                        (int64_t)f->error);
		break;
	}
	thread_user_return_check();
}
