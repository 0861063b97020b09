/*
 * The machine half of threads on x86_64: a new thread's first kernel
 * stack frame, the FS/GS bases a CPU loads when it switches (the switch
 * itself is inline in the scheduler: machine/switch.h, around
 * switch_stacks in switch.S), and the SYSCALL and SSE setup of a CPU.
 */
#include "kern/percpu.h"
#include "kern/string.h"
#include "machine/cpu.h"
#include "machine/io.h"
#include "machine/pmap.h"
#include "machine/segments.h"
#include "machine/switch.h"
#include "machine/thread.h"
#include "task/task.h"
#include "task/thread.h"
#include "x86.h"

#define EFER_SCE 1UL

/* RFLAGS bits SYSCALL clears: TF, IF, DF, AC (and NT). */
#define SFMASK_BITS 0x47700UL

/* The user RFLAGS of a new thread: IF and the reserved bit 1. */
#define USER_RFLAGS 0x202UL

extern char thread_trampoline[], syscall_entry[];

struct fpu_state machine_fpu_initial;
bool machine_fpu_live[MAX_CPUS];

/* A base register value WRMSR accepts (a canonical address), or 0. */
static uint64_t canonical_or_0(uint64_t v)
{
	return ((int64_t)(v << 16) >> 16) == (int64_t)v ? v : 0;
}

void machine_fpu_init(void)
{
	uint32_t mxcsr = 0x1f80;

	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_XMMEXCPT);
	__asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
	machine_fxsave(&machine_fpu_initial);
	/* Nobody's state is live here yet: the first user of the FPU on
	 * this CPU traps for it (machine_fpu_switch). */
	write_cr0(read_cr0() | CR0_TS);
	machine_fpu_live[cpu_id()] = false;
}

bool machine_fpu_trap(void)
{
	unsigned cpu = cpu_id();
	struct thread *t = thread_current();

	if (machine_fpu_live[cpu] || t == NULL || !t->user)
		return false; /* not a lazy load's trap: an exception */
	machine_clts();
	machine_fxrstor(&t->machine.fpu);
	machine_fpu_live[cpu] = true;
	t->machine.fpu_eager = MACHINE_FPU_EAGER_SWITCHES;
	return true;
}

void machine_syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* SYSRET bases its selectors on the 32-bit user code selector. */
	wrmsr(MSR_STAR, ((uint64_t)(SEL_USER_CODE32 & ~3) << 48) |
	                    ((uint64_t)SEL_KERNEL_CODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, SFMASK_BITS);
}

void machine_thread_setup(struct thread *t, bool user)
{
	uint64_t top = t->kstack_top;
	uint64_t *sp;
	struct trap_frame *f;

	/* The user registers sit at the top; the first kernel frame below. */
	f = (struct trap_frame *)(top - sizeof(struct trap_frame));
	memset(f, 0, sizeof(*f));
	t->machine.frame = f;
	if (user) {
		f->cs = SEL_USER_CODE;
		f->ss = SEL_USER_DATA;
		f->rflags = USER_RFLAGS;
	}
	t->machine.fs_base = 0;
	t->machine.gs_base = 0;
	t->machine.fpu_used = false;
	t->machine.fpu_eager = 0;
	t->machine.fpu = machine_fpu_initial;

	sp = (uint64_t *)f;
	*--sp = 0; /* alignment: thread_trampoline is entered as if called */
	*--sp = (uint64_t)thread_trampoline;
	for (int i = 0; i < 6; i++) /* rbp, rbx, r12-r15 */
		*--sp = 0;
	t->machine.ksp = (uint64_t)sp;
}

/*
 * machine_cpu_bases_zero (machine/switch.h): user code cannot write the
 * base registers directly (CR4.FSGSBASE is clear); it can load a
 * selector into FS or GS, which sets the base to the descriptor's, and
 * every descriptor user code may load has base 0.  So a register holds
 * what the kernel last wrote to it or 0: once the kernel wrote 0 to
 * both, both stay 0 until it writes them again, and a switch to a thread
 * with both bases 0 need not write them.  A selector load by user code
 * lasts until the thread is next switched in (as on GNU Mach, which also
 * loads the bases from its record at every switch).
 */
bool machine_cpu_bases_zero[MAX_CPUS];

void machine_bases_load(unsigned cpu, const struct thread *t)
{
	uint64_t fs = canonical_or_0(t->machine.fs_base);
	uint64_t gs = canonical_or_0(t->machine.gs_base);

	wrmsr(MSR_FS_BASE, fs);
	wrmsr(MSR_KERNEL_GS_BASE, gs);
	machine_cpu_bases_zero[cpu] = (fs | gs) == 0;
}

void machine_thread_reload_bases(struct thread *t)
{
	unsigned long f = intr_save();

	machine_bases_load(cpu_id(), t);
	intr_restore(f);
}

void machine_thread_save_bases(struct thread *t, unsigned long *fs,
                               unsigned long *gs)
{
	unsigned long f = intr_save();

	/* A value the CPU could not take stays as it was set. */
	if (rdmsr(MSR_FS_BASE) != canonical_or_0(t->machine.fs_base))
		t->machine.fs_base = rdmsr(MSR_FS_BASE);
	if (rdmsr(MSR_KERNEL_GS_BASE) != canonical_or_0(t->machine.gs_base))
		t->machine.gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	*fs = t->machine.fs_base;
	*gs = t->machine.gs_base;
	intr_restore(f);
}
