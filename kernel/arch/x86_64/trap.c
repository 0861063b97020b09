/*
 * What happens after trap_entry.S: CPU exceptions, the timer interrupt
 * and stray interrupts.  An exception in kernel mode is either caught by
 * an armed trap catch (machine/trap_catch.h) or reported — vector, error
 * code, CR2, registers, backtrace — and ends in panic().  Exceptions from
 * user mode become exception messages once tasks exist (a later issue);
 * until then they are reported the same way.
 */
#include "kern/clock.h"
#include "kern/panic.h"
#include "kern/percpu.h"
#include "kern/printf.h"
#include "machine/cpu.h"
#include "machine/intr.h"
#include "machine/io.h"
#include "machine/trap_catch.h"
#include "machine/trap_frame.h"
#include "task/sched.h"
#include "task/thread.h"
#include "x86.h"

static const char *const exception_names[32] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "BOUND range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack-segment fault",
    "general protection",
    "page fault",
    "reserved 15",
    "x87 floating point",
    "alignment check",
    "machine check",
    "SIMD floating point",
    "virtualization",
    "control protection",
    "reserved 22",
    "reserved 23",
    "reserved 24",
    "reserved 25",
    "reserved 26",
    "reserved 27",
    "hypervisor injection",
    "VMM communication",
    "security",
    "reserved 31",
};

void trap_catch_end(struct trap_catch *c)
{
	struct percpu *cpu = percpu_self();

	if (cpu->catch != c)
		panic("trap_catch_end: catch %p is not the innermost", c);
	cpu->catch = c->prev;
}

void trap_frame_print(const struct trap_frame *f)
{
	kprintf("  rip %016llx  cs %04llx  rflags %016llx\n"
	        "  rsp %016llx  ss %04llx\n"
	        "  rax %016llx  rbx %016llx  rcx %016llx\n"
	        "  rdx %016llx  rsi %016llx  rdi %016llx\n"
	        "  rbp %016llx  r8  %016llx  r9  %016llx\n"
	        "  r10 %016llx  r11 %016llx  r12 %016llx\n"
	        "  r13 %016llx  r14 %016llx  r15 %016llx\n"
	        "  cr2 %016llx  cr3 %016llx\n",
	        (unsigned long long)f->rip, (unsigned long long)f->cs,
	        (unsigned long long)f->rflags, (unsigned long long)f->rsp,
	        (unsigned long long)f->ss, (unsigned long long)f->rax,
	        (unsigned long long)f->rbx, (unsigned long long)f->rcx,
	        (unsigned long long)f->rdx, (unsigned long long)f->rsi,
	        (unsigned long long)f->rdi, (unsigned long long)f->rbp,
	        (unsigned long long)f->r8, (unsigned long long)f->r9,
	        (unsigned long long)f->r10, (unsigned long long)f->r11,
	        (unsigned long long)f->r12, (unsigned long long)f->r13,
	        (unsigned long long)f->r14, (unsigned long long)f->r15,
	        (unsigned long long)read_cr2(), (unsigned long long)read_cr3());
}

/* usercopy.S: the copy's faulting range and where a failed copy goes. */
extern const char user_copy_faults[], user_copy_done[], user_copy_fixup[];

static void exception(struct trap_frame *f)
{
	struct percpu *cpu = percpu_self();
	unsigned v = (unsigned)f->vector;
	int user = (f->cs & 3) != 0;

	/* #NM: the thread's FPU state was left to load on first use. */
	if (user && v == 7 && machine_fpu_trap())
		return;
	if (user && v != 2 && v != 8 && v != 18) {
		user_trap(f);
		return;
	}
	/* copyin/copyout (usercopy.S): the user page may just need its
	 * fault resolved; if it cannot be, the copy returns -1. */
	if (!user && v == 14 && f->rip >= (uint64_t)user_copy_faults &&
	    f->rip < (uint64_t)user_copy_done) {
		if (!kernel_user_fault(f))
			f->rip = (uint64_t)user_copy_fixup;
		return;
	}
	/* A user page the kernel touches under a catch may just need its
	 * zero-fill fault. */
	if (!user && v == 14 && cpu->catch && kernel_user_fault(f))
		return;
	cpu = percpu_self(); /* kernel_user_fault may have slept */
	if (!user && cpu->catch && v != 2 && v != 8 && v != 18) {
		struct trap_catch *c = cpu->catch;

		c->vector = v;
		c->error = f->error;
		c->addr = v == 14 ? read_cr2() : 0;
		cpu->catch = c->prev;
		trap_catch_resume(c);
	}
	kprintf("\n%s exception %u (%s), error code %#llx, on cpu %u\n",
	        user ? "user" : "kernel", v, exception_names[v],
	        (unsigned long long)f->error, cpu->id);
	trap_frame_print(f);
	backtrace_print(f->rip, f->rbp);
	panic("unhandled %s exception %u (%s) at %#llx",
	      user ? "user" : "kernel", v, exception_names[v],
	      (unsigned long long)f->rip);
}

void trap_dispatch(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;

	if (v < 32) {
		if (v == 2 && cpus_halting)
			halt_this_cpu();
		exception(f);
		return;
	}
	switch (v) {
	case VEC_TIMER:
		clock_tick();
		sched_tick();
		lapic_eoi();
		if ((f->cs & 3) && percpu_self()->current)
			thread_user_return_check();
		return;
	case VEC_IPI_TLB:
		smp_tlb_service();
		lapic_eoi();
		return;
	case VEC_IPI_RESCHED:
		/* The sender set need_resched: an idle CPU looks at its queue
		 * when hlt returns, a user thread on its way out. */
		lapic_eoi();
		if ((f->cs & 3) && percpu_self()->current)
			thread_user_return_check();
		return;
	case VEC_IPI_HALT:
		halt_this_cpu();
	case VEC_SPURIOUS:
		return;
	case VEC_PIC_BASE + 7:
	case VEC_PIC_BASE + 15:
		return; /* spurious interrupts of the masked legacy PICs */
	default:
		kprintf("stray interrupt %u on cpu %u\n", v, cpu_id());
		lapic_eoi();
		return;
	}
}
