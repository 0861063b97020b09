/*
 * tests/system/modules/thread-state.c — the x86_64 thread_get_state /
 * thread_set_state flavors of <mach/x86_64/thread_status.h> and
 * <mach/x86_64/fp_reg.h>: i386_THREAD_STATE (1), i386_FLOAT_STATE (2,
 * the FSAVE layout), i386_FSGS_BASE_STATE (7) and i386_XFLOAT_STATE (8,
 * the FXSAVE image), read from and written into threads of ours that are
 * stopped with known values in their registers, which then check what
 * they find when resumed; thread_set_self_state (trap -77); bad
 * arguments; and the isolation of FPU/SSE state between threads and
 * tasks that compute and yield in turn.  Register work is done in
 * assembly (C code may use any SSE register), results travel in memory
 * and messages.  Each check states what GNU Mach answers.
 */
#include <machr/runtime.h>
#include <mach/machine/fp_reg.h>
#include <mach/machine/thread_status.h>
#include <machr/tap.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

/* Trap -77 (mach/syscall_sw.h); no header declares it. */
kern_return_t thread_set_self_state(int flavor, natural_t *state,
                                    natural_t count);

/* fp_reg.h defines the FP kinds only for the kernel. */
#define FP_387FX 4 /* FXSAVE/FXRSTOR */
#define FP_387X  5 /* XSAVE/XRSTOR */

/* GNU Mach's fp_save_kind for the FXSAVE format (not in the headers),
 * and the XFLOAT count it uses with it. */
#define SAVE_FXSAVE  1
#define XFLOAT_COUNT (4 + (512 + 64) / 4)

#define EFL_IF   0x200UL
#define EFL_IOPL 0x3000UL

/* Report ids on our port. */
enum { ID_SPIN = 1, ID_JUMPED, ID_CHURN, ID_SELF_RETURNED };

static mach_port_t rep;  /* reports from our threads */
static mach_port_t park; /* nobody sends here: a place to block forever */
static uint16_t my_cs, my_ss;

/* A report within 5 s with id ID; its word, or ~0. */
static uint64_t report(mach_msg_id_t id)
{
	struct machr_word_msg m;

	if (machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, 5000) != 0 ||
	    m.h.msgh_id != id)
		return ~(uint64_t)0;
	return m.word;
}

/*
 * Drop our right to TH, a runtime thread that ends by itself, once it
 * has ended: it terminates itself through that same name, so the name
 * must not be freed (and handed to a new thread) before.
 */
static void release_thread(mach_port_t th)
{
	mach_port_type_t type = 0;
	int64_t until = machr_now_ms() + 5000;

	while (mach_port_type(T, th, &type) == KERN_SUCCESS &&
	       type != MACH_PORT_TYPE_DEAD_NAME && machr_now_ms() < until)
		machr_sleep_ms(2);
	(void)mach_port_deallocate(T, th);
}

/* ------------------------------------------------------------------ */
/* A thread that loads known registers and waits, yielding, to be read. */

/*
 * regs_spin(s): push the callee-saved registers, load x87 (fninit, fld1,
 * fldpi: ST0 = pi, ST1 = 1), MXCSR, xmm0..15 and rbx, rbp, r12..r15 from
 * S, store %rsp and set s->ready, then loop on swtch (trap -60) until s->go;
 * then store xmm0..15, the x87 control and status words, ST0 and ST1 (popped)
 * and MXCSR into S.  %rdi survives the trap (the kernel restores argument
 * registers).
 */
struct spin {
	uint64_t xmm_in[32];     /* 0 */
	uint64_t xmm_out[32];    /* 256 */
	uint64_t gpr_in[6];      /* 512: rbx, rbp, r12, r13, r14, r15 */
	uint8_t st_out[2][16];   /* 560: ST0, ST1 as stored by fstpt */
	uint32_t mxcsr_in;       /* 592 */
	uint32_t mxcsr_out;      /* 596 */
	uint16_t fcw_out;        /* 600 */
	uint16_t fsw_out;        /* 602 */
	volatile uint32_t ready; /* 604 */
	volatile uint32_t go;    /* 608 */
	uint64_t rsp;            /* 616: %rsp in the loop */
} __attribute__((aligned(16)));
_Static_assert(offsetof(struct spin, gpr_in) == 512, "spin layout");
_Static_assert(offsetof(struct spin, st_out) == 560, "spin layout");
_Static_assert(offsetof(struct spin, mxcsr_in) == 592, "spin layout");
_Static_assert(offsetof(struct spin, fcw_out) == 600, "spin layout");
_Static_assert(offsetof(struct spin, ready) == 604, "spin layout");
_Static_assert(offsetof(struct spin, go) == 608, "spin layout");
_Static_assert(offsetof(struct spin, rsp) == 616, "spin layout");

#define XMM_EACH(op)                                                           \
	op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9) op(10)     \
	    op(11) op(12) op(13) op(14) op(15)
#define STR_(x)       #x
#define STR(x)        STR_(x)
#define XMM_LOAD(k)   "movdqu " STR(k) "*16(%rdi), %xmm" #k "\n"
#define XMM_STORE(k)  "movdqu %xmm" #k ", 256+" STR(k) "*16(%rdi)\n"
#define XMM_LOADB(k)  "movdqu " STR(k) "*16(%rbx), %xmm" #k "\n"
#define XMM_STOREB(k) "movdqu %xmm" #k ", " STR(k) "*16(%rbx)\n"
#define XMM_ADD(k)    "paddq 256(%rbx), %xmm" #k "\n"
#define PUSH_SAVED                                                             \
	"push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
#define POP_SAVED "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\n"

/* clang-format off */
__asm__(".text\n"
	".globl regs_spin\n"
	"regs_spin:\n"
	PUSH_SAVED
	"fninit\n"
	"fld1\n"
	"fldpi\n"
	"ldmxcsr 592(%rdi)\n"
	XMM_EACH(XMM_LOAD)
	"mov 512(%rdi), %rbx\n"
	"mov 520(%rdi), %rbp\n"
	"mov 528(%rdi), %r12\n"
	"mov 536(%rdi), %r13\n"
	"mov 544(%rdi), %r14\n"
	"mov 552(%rdi), %r15\n"
	"mov %rsp, 616(%rdi)\n"
	"movl $1, 604(%rdi)\n"
	".globl regs_spin_loop\n"
	"regs_spin_loop:\n"
	"mov $-60, %eax\n"		/* swtch */
	"syscall\n"
	"cmpl $0, 608(%rdi)\n"
	"je regs_spin_loop\n"
	".globl regs_spin_loop_end\n"
	"regs_spin_loop_end:\n"
	XMM_EACH(XMM_STORE)
	"fnstcw 600(%rdi)\n"
	"fnstsw 602(%rdi)\n"
	"fstpt 560(%rdi)\n"
	"fstpt 576(%rdi)\n"
	"stmxcsr 596(%rdi)\n"
	POP_SAVED
	"ret\n");
/* clang-format on */
void regs_spin(struct spin *s);
extern char regs_spin_loop[], regs_spin_loop_end[];

static void spin_main(void *arg)
{
	regs_spin(arg);
	(void)machr_send_word(rep, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
	                      ID_SPIN, 0, 0, 0);
}

static const uint64_t gpr_pattern[6] = {0x0b0b0b0b0b0b0b0b, 0x0b0b0b0b0b0b0b0a,
                                        0x1212121212121212, 0x1313131313131313,
                                        0x1414141414141414, 0x1515151515151515};

/* Fill S (xmm k = SEED + k in each byte), start a thread running
 * regs_spin on it, and stop it once it is in its loop; MACH_PORT_NULL
 * if it never got there. */
static mach_port_t spin_start(struct spin *s, uint8_t seed, uint32_t mxcsr)
{
	mach_port_t th = MACH_PORT_NULL;
	kern_return_t kr;
	int64_t until;

	memset(s, 0, sizeof(*s));
	for (int k = 0; k < 16; k++)
		memset(&s->xmm_in[2 * k], (uint8_t)(seed + k), 16);
	memcpy(s->gpr_in, gpr_pattern, sizeof(gpr_pattern));
	s->mxcsr_in = mxcsr;
	if (machr_thread_create(spin_main, s, &th) != KERN_SUCCESS) {
		tap_diag("spin_start: create failed");
		return MACH_PORT_NULL;
	}
	until = machr_now_ms() + 5000;
	while (!s->ready && machr_now_ms() < until)
		machr_sleep_ms(5);
	kr = s->ready ? thread_suspend(th) : KERN_FAILURE;
	if (kr != KERN_SUCCESS) {
		tap_diag("spin_start: ready %u, thread_suspend %#x", s->ready,
		         kr);
		(void)thread_terminate(th);
		return MACH_PORT_NULL;
	}
	return th;
}

/* Let the spinning thread store its registers and end; 1 if it did. */
static int spin_finish(mach_port_t th, struct spin *s)
{
	s->go = 1;
	if (thread_resume(th) != KERN_SUCCESS)
		return 0;
	return report(ID_SPIN) == 0;
}

/* 80-bit x87 values as fstpt stores them: mantissa, then exponent. */
struct x87 {
	uint64_t mant;
	uint16_t exp;
};
static const struct x87 X87_ONE = {0x8000000000000000, 0x3fff};
static const struct x87 X87_PI = {0xc90fdaa22168c235, 0x4000};
static const struct x87 X87_TWO = {0x8000000000000000, 0x4000};
static const struct x87 X87_THREE = {0xc000000000000000, 0x4000};

static int x87_is(const void *p, struct x87 v)
{
	struct x87 r;

	memcpy(&r.mant, p, 8);
	memcpy(&r.exp, (const char *)p + 8, 2);
	return r.mant == v.mant && r.exp == v.exp;
}

static void x87_put(void *p, struct x87 v)
{
	memcpy(p, &v.mant, 8);
	memcpy((char *)p + 8, &v.exp, 2);
}

/* ------------------------------------------------------------------ */
/* Where threads started by thread_set_state / thread_set_self_state go. */

/* What jump_target saw on entry (global: the assembly names it). */
struct jumped {
	uint64_t rsp, rdi, rsi, rdx, rfl, cs, ss, fs0, gs0;
};
extern struct jumped jumped;
struct jumped jumped;

/*
 * jump_target: record %rsp, %rdi, %rsi, %rdx, RFLAGS, %cs and %ss as the
 * thread arrived, then call jump_report on an aligned stack.
 * fs_target first reads the quadwords at %fs:0 and %gs:0.
 */
/* clang-format off */
__asm__(".text\n"
	".globl fs_target\n"
	"fs_target:\n"
	"mov %fs:0, %rax\n"
	"mov %rax, jumped+56(%rip)\n"
	"mov %gs:0, %rax\n"
	"mov %rax, jumped+64(%rip)\n"
	".globl jump_target\n"
	"jump_target:\n"
	"mov %rsp, jumped+0(%rip)\n"
	"mov %rdi, jumped+8(%rip)\n"
	"mov %rsi, jumped+16(%rip)\n"
	"mov %rdx, jumped+24(%rip)\n"
	"pushfq\n"
	"popq jumped+32(%rip)\n"
	"xor %eax, %eax\n"
	"mov %cs, %ax\n"
	"mov %rax, jumped+40(%rip)\n"
	"mov %ss, %ax\n"
	"mov %rax, jumped+48(%rip)\n"
	"and $-16, %rsp\n"
	"call jump_report\n"
	"ud2\n");
/* clang-format on */
void jump_target(void);
void fs_target(void);

/* Say we got here, then block for good (the test terminates us).  Only
 * plain sends and receives: no MIG call, no reply port. */
void jump_report(void);
void jump_report(void)
{
	struct machr_word_msg m;

	(void)machr_send_word(rep, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
	                      ID_JUMPED, 0, 0, 0);
	for (;;)
		(void)machr_recv_word(park, &m, 0, 0);
}

/* A fresh 64 KiB stack; the rsp of a function just called at its top. */
static uint64_t new_stack(void)
{
	vm_address_t a = 0;

	if (vm_allocate(T, &a, 65536, TRUE) != KERN_SUCCESS)
		return 0;
	return a + 65536 - 8;
}

/* A state that starts FN(RDI) on a new stack, as thread.c does. */
static void start_state(struct i386_thread_state *st, void (*fn)(void),
                        uint64_t rdi, uint64_t sp)
{
	memset(st, 0, sizeof(*st));
	st->rip = (uintptr_t)fn;
	st->rdi = rdi;
	st->rsp = st->ursp = sp;
	st->cs = my_cs;
	st->ss = my_ss;
	st->rfl = 0x202;
}

/* ------------------------------------------------------------------ */
/* 1. i386_THREAD_STATE */

static void check_thread_state(void)
{
	struct spin s;
	struct i386_thread_state st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT + 8;
	mach_port_t th;
	uint64_t sp;
	kern_return_t kr;

	th = spin_start(&s, 0x40, 0x1f80);
	tap_ok(th != MACH_PORT_NULL, "a thread loads known registers, is "
	                             "suspended in its loop");
	memset(&st, 0xee, sizeof(st));
	tap_expect(
	    thread_get_state(th, i386_THREAD_STATE, (thread_state_t)&st, &n), 0,
	    "thread_get_state(i386_THREAD_STATE) of it");
	/* GNU Mach: count 42 (168 bytes) even when more was offered. */
	tap_ok(n == 42 && n == i386_THREAD_STATE_COUNT, "count %u", n);
	tap_ok(st.rip >= (uintptr_t)regs_spin_loop &&
	           st.rip <= (uintptr_t)regs_spin_loop_end,
	       "rip %#lx is in its loop", (unsigned long)st.rip);
	tap_ok(st.rbx == gpr_pattern[0] && st.rbp == gpr_pattern[1] &&
	           st.r12 == gpr_pattern[2] && st.r13 == gpr_pattern[3] &&
	           st.r14 == gpr_pattern[4] && st.r15 == gpr_pattern[5] &&
	           st.rdi == (uintptr_t)&s,
	       "rbx, rbp, r12..r15, rdi hold what it loaded");
	/* GNU Mach: cs and ss are the user selectors we run with. */
	tap_ok(st.cs == my_cs && st.ss == my_ss,
	       "cs %#x, ss %#x (ours %#x, %#x)", st.cs, st.ss, my_cs, my_ss);
	tap_ok((st.rfl & EFL_IF) && !(st.rfl & EFL_IOPL),
	       "rfl %#lx: IF set, IOPL 0", (unsigned long)st.rfl);
	/* GNU Mach: rsp reads 0; the user stack pointer is in ursp. */
	tap_ok(st.rsp == 0 && st.ursp == s.rsp,
	       "rsp %#lx, ursp %#lx (its %%rsp %#lx)", (unsigned long)st.rsp,
	       (unsigned long)st.ursp, (unsigned long)s.rsp);
	tap_ok(spin_finish(th, &s), "it resumes and finishes");
	release_thread(th);

	/* A new thread started by thread_set_state with a kernel cs and ss,
	 * IOPL 3 and an rsp that is no stack (only ursp is). */
	tap_expect(thread_create(T, &th), 0, "thread_create");
	sp = new_stack();
	start_state(&st, jump_target, 0x1111111111111111, sp);
	st.rsi = 0x2222222222222222;
	st.rdx = 0x3333333333333333;
	st.rsp = 0xbad0;
	st.cs = 0x08;
	st.ss = 0x10;
	st.rfl = 0x202 | EFL_IOPL;
	kr = thread_set_state(th, i386_THREAD_STATE, (thread_state_t)&st,
	                      i386_THREAD_STATE_COUNT);
	tap_expect(kr, 0, "thread_set_state with cs 0x08, ss 0x10, IOPL 3");
	memset(&st, 0, sizeof(st));
	n = i386_THREAD_STATE_COUNT;
	(void)thread_get_state(th, i386_THREAD_STATE, (thread_state_t)&st, &n);
	/* GNU Mach: the selectors are forced to the user ones, IOPL is
	 * cleared, rsp reads 0 again. */
	tap_ok(st.cs == my_cs && st.ss == my_ss && st.ursp == sp &&
	           st.rsp == 0 && st.rip == (uintptr_t)jump_target,
	       "read back: cs %#x, ss %#x, rsp %#lx, ursp and rip as set",
	       st.cs, st.ss, (unsigned long)st.rsp);
	tap_ok((st.rfl & EFL_IOPL) == 0 && (st.rfl & EFL_IF),
	       "read back: rfl %#lx (IOPL cleared, IF set)",
	       (unsigned long)st.rfl);
	tap_expect(thread_resume(th), 0, "thread_resume");
	tap_ok(report(ID_JUMPED) == 0, "it runs at the rip we set");
	tap_ok(jumped.rdi == 0x1111111111111111 &&
	           jumped.rsi == 0x2222222222222222 &&
	           jumped.rdx == 0x3333333333333333,
	       "with rdi, rsi, rdx as set");
	/* GNU Mach: the stack pointer comes from ursp, rsp is ignored. */
	tap_ok(jumped.rsp == sp, "on the stack of ursp (%#lx), not rsp",
	       (unsigned long)jumped.rsp);
	tap_ok(jumped.cs == my_cs && jumped.ss == my_ss &&
	           (jumped.rfl & EFL_IOPL) == 0,
	       "in user mode: cs %#lx, ss %#lx, rflags %#lx",
	       (unsigned long)jumped.cs, (unsigned long)jumped.ss,
	       (unsigned long)jumped.rfl);
	(void)thread_terminate(th);
	(void)mach_port_deallocate(T, th);
}

/* ------------------------------------------------------------------ */
/* 2. i386_FSGS_BASE_STATE */

static const uint64_t fs_area[2] = {0xf5f5f5f5a1a1a1a1, 0};
static const uint64_t gs_area[2] = {0x6565656577777777, 0};

/*
 * fs_wait(flags): set flags[0], loop on swtch until flags[1], then read
 * %fs:0 and %gs:0 (fs_target).  A thread that has run before it is
 * stopped and given new bases.
 */
/* clang-format off */
__asm__(".text\n"
	".globl fs_wait\n"
	"fs_wait:\n"
	"movl $1, (%rdi)\n"
	"1: mov $-60, %eax\n"		/* swtch */
	"syscall\n"
	"cmpl $0, 4(%rdi)\n"
	"je 1b\n"
	"jmp fs_target\n");
/* clang-format on */
void fs_wait(void);
static volatile uint32_t fs_flags[2];

static int set_fsgs(mach_port_t th, uint64_t fs, uint64_t gs)
{
	struct i386_fsgs_base_state b = {fs, gs};

	return thread_set_state(th, i386_FSGS_BASE_STATE, (thread_state_t)&b,
	                        i386_FSGS_BASE_STATE_COUNT);
}

static int get_fsgs(mach_port_t th, struct i386_fsgs_base_state *b)
{
	mach_msg_type_number_t n = 16;

	memset(b, 0xee, sizeof(*b));
	if (thread_get_state(th, i386_FSGS_BASE_STATE, (thread_state_t)b, &n) !=
	    KERN_SUCCESS)
		return -1;
	return (int)n;
}

static void check_fsgs(void)
{
	struct i386_fsgs_base_state b;
	struct i386_thread_state st;
	mach_port_t th;
	int64_t until;
	int n;

	(void)thread_create(T, &th);
	start_state(&st, fs_wait, (uintptr_t)fs_flags, new_stack());
	(void)thread_set_state(th, i386_THREAD_STATE, (thread_state_t)&st,
	                       i386_THREAD_STATE_COUNT);
	/* GNU Mach: count 4, both bases 0. */
	n = get_fsgs(th, &b);
	tap_ok(n == 4 && b.fs_base == 0 && b.gs_base == 0,
	       "FSGS of a new thread: count %d, fs_base %#lx, gs_base %#lx", n,
	       (unsigned long)b.fs_base, (unsigned long)b.gs_base);
	(void)thread_resume(th);
	until = machr_now_ms() + 5000;
	while (!fs_flags[0] && machr_now_ms() < until)
		machr_sleep_ms(5);
	tap_ok(fs_flags[0] && thread_suspend(th) == KERN_SUCCESS,
	       "the thread runs and is suspended");

	/* GNU Mach: no check of the bases; anything is stored as given
	 * (the thread does not run with these). */
	tap_expect(set_fsgs(th, 0x0000800000000000, 0xffff800000001000), 0,
	           "non-canonical fs_base, kernel gs_base: accepted");
	n = get_fsgs(th, &b);
	tap_ok(n == 4 && b.fs_base == 0x0000800000000000 &&
	           b.gs_base == 0xffff800000001000,
	       "and read back as given (%#lx, %#lx)", (unsigned long)b.fs_base,
	       (unsigned long)b.gs_base);
	b.fs_base = (uintptr_t)fs_area;
	b.gs_base = (uintptr_t)gs_area;
	tap_expect(
	    thread_set_state(th, i386_FSGS_BASE_STATE, (thread_state_t)&b, 3),
	    KERN_INVALID_ARGUMENT, "thread_set_state(FSGS) with count 3");
	tap_expect(set_fsgs(th, (uintptr_t)fs_area, (uintptr_t)gs_area), 0,
	           "thread_set_state(i386_FSGS_BASE_STATE) to two variables");
	n = get_fsgs(th, &b);
	tap_ok(n == 4 && b.fs_base == (uintptr_t)fs_area &&
	           b.gs_base == (uintptr_t)gs_area,
	       "read back as set");
	fs_flags[1] = 1;
	tap_expect(thread_resume(th), 0, "thread_resume");
	n = report(ID_JUMPED) == 0;
	tap_ok(n && jumped.fs0 == fs_area[0] && jumped.gs0 == gs_area[0],
	       "the thread reads them at %%fs:0 and %%gs:0 (%#lx, %#lx)",
	       (unsigned long)jumped.fs0, (unsigned long)jumped.gs0);
	(void)thread_terminate(th);
	(void)mach_port_deallocate(T, th);
}

/* ------------------------------------------------------------------ */
/* 3. i386_FLOAT_STATE */

static void check_float(void)
{
	struct spin s;
	struct i386_float_state f;
	struct i386_fp_save *env = (struct i386_fp_save *)f.hw_state;
	struct i386_fp_regs *regs =
	    (struct i386_fp_regs *)(f.hw_state + sizeof(*env));
	mach_msg_type_number_t n = i386_FLOAT_STATE_COUNT + 8;
	mach_port_t th;
	int zero;

	th = spin_start(&s, 0x80, 0x5f80);
	memset(&f, 0xee, sizeof(f));
	tap_expect(
	    thread_get_state(th, i386_FLOAT_STATE, (thread_state_t)&f, &n), 0,
	    "thread_get_state(i386_FLOAT_STATE)");
	/* GNU Mach: count 30 (120 bytes). */
	tap_ok(n == i386_FLOAT_STATE_COUNT, "count %u", n);
	/* GNU Mach: fpkind FP_387FX (4), initialized 1, exc_status 0. */
	tap_ok(f.fpkind == FP_387FX && f.initialized == 1 && f.exc_status == 0,
	       "fpkind %d, initialized %d, exc_status %d", f.fpkind,
	       f.initialized, f.exc_status);
	/* GNU Mach: the control word fninit left, TOP 6 after two loads,
	 * a full tag word with registers 6 and 7 valid (00), the others
	 * empty (11). */
	tap_ok(env->fp_control == 0x37f &&
	           (env->fp_status & FPS_TOS) >> FPS_TOS_SHIFT == 6 &&
	           env->fp_tag == 0x0fff,
	       "control %#x, status %#x, tag %#x", env->fp_control,
	       env->fp_status, env->fp_tag);
	/* GNU Mach: registers in stack order, ST0 first. */
	tap_ok(x87_is(regs->fp_reg_word[0], X87_PI) &&
	           x87_is(regs->fp_reg_word[1], X87_ONE),
	       "ST0 = pi, ST1 = 1 (10 bytes each)");

	x87_put(regs->fp_reg_word[0], X87_TWO);
	x87_put(regs->fp_reg_word[1], X87_THREE);
	env->fp_control = 0x27f;
	tap_expect(thread_set_state(th, i386_FLOAT_STATE, (thread_state_t)&f,
	                            i386_FLOAT_STATE_COUNT - 1),
	           KERN_INVALID_ARGUMENT, "thread_set_state(FLOAT) count 29");
	tap_expect(thread_set_state(th, i386_FLOAT_STATE, (thread_state_t)&f,
	                            i386_FLOAT_STATE_COUNT),
	           0,
	           "thread_set_state(i386_FLOAT_STATE): 2, 3, control 0x27f");
	tap_ok(spin_finish(th, &s), "the thread resumes");
	tap_ok(x87_is(s.st_out[0], X87_TWO) && x87_is(s.st_out[1], X87_THREE) &&
	           s.fcw_out == 0x27f,
	       "it finds ST0 = 2, ST1 = 3, control %#x", s.fcw_out);
	zero = 1;
	for (int k = 0; k < 32; k++)
		zero &= s.xmm_out[k] == 0;
	/* GNU Mach: setting the FSAVE-layout state rebuilds the whole
	 * FXSAVE image from it: xmm0..15 and MXCSR become 0. */
	tap_ok(zero && s.mxcsr_out == 0,
	       "and xmm0..15 = 0, MXCSR %#x (was %#x, xmm %#lx...)",
	       s.mxcsr_out, s.mxcsr_in, (unsigned long)s.xmm_out[0]);
	release_thread(th);
}

/* ------------------------------------------------------------------ */
/* 4. i386_XFLOAT_STATE */

static union {
	struct i386_xfloat_state x;
	natural_t words[1024];
} xf;
#define XHW ((struct i386_xfp_save *)xf.x.hw_state)

static void check_xfloat(void)
{
	struct spin s;
	mach_msg_type_number_t n = 1024, full;
	mach_port_t th;
	kern_return_t kr;
	int ok, zero;

	th = spin_start(&s, 0xc0, 0x5f80);
	memset(&xf, 0xee, sizeof(xf));
	tap_expect(
	    thread_get_state(th, i386_XFLOAT_STATE, (thread_state_t)&xf, &n), 0,
	    "thread_get_state(i386_XFLOAT_STATE), room for 1024");
	full = n;
	/* GNU Mach (QEMU's CPU has no XSAVE): count 148 = 4 header words +
	 * the 512-byte FXSAVE image + a 64-byte XSAVE header; fpkind
	 * FP_387FX (4); fp_save_kind 1 (its FXSAVE format). */
	tap_ok(n == XFLOAT_COUNT, "count %u", n);
	tap_ok(xf.x.fpkind == FP_387FX && xf.x.initialized == 1 &&
	           xf.x.exc_status == 0 && xf.x.fp_save_kind == SAVE_FXSAVE,
	       "fpkind %d, initialized %d, exc_status %d, fp_save_kind %d",
	       xf.x.fpkind, xf.x.initialized, xf.x.exc_status,
	       xf.x.fp_save_kind);
	tap_ok(XHW->fp_control == 0x37f && XHW->fp_mxcsr == 0x5f80,
	       "FXSAVE image: control %#x, mxcsr %#x", XHW->fp_control,
	       XHW->fp_mxcsr);
	tap_ok(memcmp(XHW->fp_xreg_word, s.xmm_in, 256) == 0,
	       "xmm0..15 hold what it loaded");
	tap_ok(x87_is(XHW->fp_reg_word[0], X87_PI) &&
	           x87_is(XHW->fp_reg_word[1], X87_ONE),
	       "ST0 = pi, ST1 = 1 (16-byte slots)");
	n = full - 1;
	tap_expect(
	    thread_get_state(th, i386_XFLOAT_STATE, (thread_state_t)&xf, &n),
	    KERN_INVALID_ARGUMENT, "thread_get_state(XFLOAT) count %u",
	    full - 1);

	/* GNU Mach: reserved MXCSR bits are dropped, not refused. */
	n = full;
	(void)thread_get_state(th, i386_XFLOAT_STATE, (thread_state_t)&xf, &n);
	XHW->fp_mxcsr = 0xffff3f80;
	tap_expect(
	    thread_set_state(th, i386_XFLOAT_STATE, (thread_state_t)&xf, full),
	    0, "thread_set_state(XFLOAT) with MXCSR 0xffff3f80");
	n = full;
	XHW->fp_mxcsr = 0;
	(void)thread_get_state(th, i386_XFLOAT_STATE, (thread_state_t)&xf, &n);
	tap_ok(XHW->fp_mxcsr == 0x3f80, "reads back MXCSR %#x", XHW->fp_mxcsr);

	for (int k = 0; k < 16; k++)
		memset(XHW->fp_xreg_word[k], 0x30 + k, 16);
	XHW->fp_mxcsr = 0x3f80;
	x87_put(XHW->fp_reg_word[0], X87_THREE);
	tap_expect(thread_set_state(th, i386_XFLOAT_STATE, (thread_state_t)&xf,
	                            full - 1),
	           KERN_INVALID_ARGUMENT, "thread_set_state(XFLOAT) count %u",
	           full - 1);
	tap_expect(
	    thread_set_state(th, i386_XFLOAT_STATE, (thread_state_t)&xf, full),
	    0, "thread_set_state(i386_XFLOAT_STATE): new xmm, mxcsr");
	tap_ok(spin_finish(th, &s), "the thread resumes");
	ok = 1;
	for (int k = 0; k < 16; k++)
		for (int i = 0; i < 16; i++)
			ok &= ((uint8_t *)s.xmm_out)[16 * k + i] == 0x30 + k;
	tap_ok(ok, "it finds the new xmm0..15");
	tap_ok(s.mxcsr_out == 0x3f80 && x87_is(s.st_out[0], X87_THREE) &&
	           x87_is(s.st_out[1], X87_ONE),
	       "and mxcsr %#x, ST0 = 3, ST1 = 1", s.mxcsr_out);
	release_thread(th);

	/* A thread that never ran. */
	(void)thread_create(T, &th);
	n = 1024;
	memset(&xf, 0xee, sizeof(xf));
	kr = thread_get_state(th, i386_XFLOAT_STATE, (thread_state_t)&xf, &n);
	zero = 1;
	for (int i = 0; i < 4 * (XFLOAT_COUNT - 4); i++)
		zero &= xf.x.hw_state[i] == 0;
	/* GNU Mach: a thread that never used the FPU has no state yet:
	 * fpkind, initialized and fp_save_kind 0, an all-zero image (not
	 * even the FNINIT control word or the default MXCSR). */
	tap_ok(kr == 0 && n == XFLOAT_COUNT && xf.x.fpkind == 0 &&
	           xf.x.initialized == 0 && xf.x.fp_save_kind == 0 && zero,
	       "a new thread: %#x, count %u, fpkind %d, initialized %d, "
	       "fp_save_kind %d, image %s (control %#x, MXCSR %#x)",
	       kr, n, xf.x.fpkind, xf.x.initialized, xf.x.fp_save_kind,
	       zero ? "zero" : "not zero", XHW->fp_control, XHW->fp_mxcsr);
	(void)thread_terminate(th);
	(void)mach_port_deallocate(T, th);
}

/* ------------------------------------------------------------------ */
/* 5. FPU isolation */

/*
 * churn(c): load xmm0..15 from c->xmm, MXCSR and the x87 control word
 * from C, ST0 = 0 and ST1 = 1; then C->iters times add c->inc to every
 * xmm register (paddq) and 1 to ST0, store the iteration count to
 * *c->mine, and every (c->yield_mask + 1) iterations call swtch.  Between
 * yields, a change of *c->other (another thread's count) means we were
 * preempted: counted in c->preempted.  At the end store the registers
 * back into C.
 */
struct churn {
	uint64_t xmm[32];          /* 0: in, then out */
	uint64_t inc[2];           /* 256 */
	uint64_t iters;            /* 272 */
	uint64_t yield_mask;       /* 280 */
	uint32_t mxcsr, mxcsr_out; /* 288, 292 */
	uint16_t fcw, fcw_out;     /* 296, 298 */
	uint32_t pad;              /* 300 */
	uint8_t st0_out[16];       /* 304 */
	volatile uint64_t *mine;   /* 320 */
	volatile uint64_t *other;  /* 328 */
	uint64_t preempted;        /* 336 */
} __attribute__((aligned(16)));
_Static_assert(offsetof(struct churn, iters) == 272, "churn layout");
_Static_assert(offsetof(struct churn, fcw) == 296, "churn layout");
_Static_assert(offsetof(struct churn, st0_out) == 304, "churn layout");
_Static_assert(offsetof(struct churn, preempted) == 336, "churn layout");

/* clang-format off */
__asm__(".text\n"
	".globl churn\n"
	"churn:\n"
	PUSH_SAVED
	"mov %rdi, %rbx\n"
	"fninit\n"
	"fldcw 296(%rbx)\n"
	"fld1\n"
	"fldz\n"
	"ldmxcsr 288(%rbx)\n"
	XMM_EACH(XMM_LOADB)
	"xor %r12, %r12\n"		/* iteration */
	"mov 320(%rbx), %r14\n"	/* mine */
	"mov 328(%rbx), %r15\n"	/* other */
	"xor %ebp, %ebp\n"		/* preemptions seen */
	"mov (%r15), %r13\n"		/* other's count when last seen */
	"1:\n"
	XMM_EACH(XMM_ADD)
	"fadd %st(1), %st\n"
	"inc %r12\n"
	"mov %r12, (%r14)\n"
	"mov %r12, %rax\n"
	"and 280(%rbx), %rax\n"
	"jnz 2f\n"
	"mov $-60, %eax\n"		/* swtch */
	"syscall\n"
	"mov (%r15), %r13\n"
	"jmp 3f\n"
	"2: cmp (%r15), %r13\n"
	"je 3f\n"
	"inc %rbp\n"
	"mov (%r15), %r13\n"
	"3: cmp 272(%rbx), %r12\n"
	"jb 1b\n"
	XMM_EACH(XMM_STOREB)
	"stmxcsr 292(%rbx)\n"
	"fnstcw 298(%rbx)\n"
	"fstpt 304(%rbx)\n"
	"fstp %st(0)\n"
	"mov %rbp, 336(%rbx)\n"
	POP_SAVED
	"ret\n");
/* clang-format on */
void churn(struct churn *c);

#define CHURN_ITERS 600000

/* Three computations with their own values, rounding modes and x87
 * precision: two threads of ours and one of a child task. */
static struct churn churns[3];
static volatile uint64_t progress[3];

static void churn_setup(int i, uint64_t yield_mask)
{
	static const uint32_t mxcsr[3] = {0x3f80, 0x5f80, 0x7f80};
	static const uint16_t fcw[3] = {0x37f, 0x27f, 0x07f};
	struct churn *c = &churns[i];

	memset(c, 0, sizeof(*c));
	for (int k = 0; k < 32; k++)
		c->xmm[k] =
		    0x0101010101010101ull * (uint64_t)(0x10 * i + k + 1);
	c->inc[0] = 0x100000001ull * (uint64_t)(i + 1);
	c->inc[1] = 0x7000000000000003ull + (uint64_t)i;
	c->iters = CHURN_ITERS;
	c->yield_mask = yield_mask;
	c->mxcsr = mxcsr[i];
	c->fcw = fcw[i];
	c->mine = &progress[i];
	c->other = &progress[i == 0 ? 1 : 0];
}

/* Bits of what C's registers got wrong: 1 xmm, 2 ST0, 4 MXCSR, 8 FCW. */
static uint64_t churn_errors(const struct churn *c, int i)
{
	struct churn want;
	struct x87 count = {(uint64_t)CHURN_ITERS, 16383 + 63};
	uint64_t bad = 0;

	churn_setup(i, 0);
	want = churns[i];
	for (int k = 0; k < 32; k++)
		if (c->xmm[k] != want.xmm[k] + CHURN_ITERS * want.inc[k & 1])
			bad |= 1;
	while (!(count.mant >> 63)) {
		count.mant <<= 1;
		count.exp--;
	}
	if (!x87_is(c->st0_out, count))
		bad |= 2;
	if (c->mxcsr_out != want.mxcsr)
		bad |= 4;
	if (c->fcw_out != want.fcw)
		bad |= 8;
	return bad;
}

#define CHILD_REPORT 0x1000

static void churn_thread(void *arg)
{
	int i = (int)(uintptr_t)arg;
	struct churn done;

	churn(&churns[i]);
	done = churns[i];
	(void)machr_send_word(
	    i == 2 ? CHILD_REPORT : rep,
	    i == 2 ? MACH_MSG_TYPE_COPY_SEND : MACH_MSG_TYPE_MAKE_SEND,
	    MACH_PORT_NULL, 0, ID_CHURN + 10 * i,
	    churn_errors(&done, i) << 32 | (done.preempted > 0), 0, 0);
}

static void check_isolation(void)
{
	mach_port_t th[3] = {0}, child = MACH_PORT_NULL;
	uint64_t got[3] = {~0ull, ~0ull, ~0ull};
	struct machr_word_msg m;
	int64_t t0 = machr_now_ms();

	/* Thread 0 yields every 64 iterations, thread 1 never: it only
	 * lets the others run when preempted. */
	churn_setup(0, 63);
	churn_setup(1, ~0ull);
	churn_setup(2, 63);
	(void)task_create(T, TRUE, &child);
	(void)mach_port_insert_right(child, CHILD_REPORT, rep,
	                             MACH_MSG_TYPE_MAKE_SEND);
	tap_expect(machr_thread_create(churn_thread, (void *)0, &th[0]), 0,
	           "start FPU/SSE computation 0 (yields)");
	tap_expect(machr_thread_create(churn_thread, (void *)1, &th[1]), 0,
	           "start computation 1 (never yields)");
	tap_expect(
	    machr_task_thread_start(child, churn_thread, (void *)2, &th[2]), 0,
	    "start computation 2 in a child task");
	for (int r = 0; r < 3; r++) {
		if (machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, 8000) != 0)
			break;
		for (int i = 0; i < 3; i++)
			if (m.h.msgh_id == ID_CHURN + 10 * i)
				got[i] = m.word;
	}
	tap_diag("%d iterations each in %ld ms", CHURN_ITERS,
	         (long)(machr_now_ms() - t0));
	/* GNU Mach: each thread's x87 stack, control word, MXCSR and xmm
	 * registers are its own across yields and preemption. */
	for (int i = 0; i < 3; i++)
		tap_ok(got[i] >> 32 == 0,
		       "computation %d kept its registers (errors %#lx)", i,
		       (unsigned long)(got[i] >> 32));
	tap_ok(((got[0] | got[1]) & 1) && got[0] != ~0ull && got[1] != ~0ull,
	       "our two threads were preempted while computing");
	(void)task_terminate(child);
	(void)mach_port_deallocate(T, child);
	for (int i = 0; i < 3; i++)
		release_thread(th[i]);
}

/* ------------------------------------------------------------------ */
/* 6. thread_set_self_state */

static kern_return_t self_bad_flavor, self_small;

static void self_jumper(void *arg)
{
	struct i386_thread_state st;
	kern_return_t kr;

	start_state(&st, jump_target, 0x5e1f5e1f5e1f5e1f, (uintptr_t)arg);
	st.rsi = 0x77;
	st.rsp = 0;
	self_bad_flavor = thread_set_self_state(99, (natural_t *)&st,
	                                        i386_THREAD_STATE_COUNT);
	self_small = thread_set_self_state(i386_THREAD_STATE, (natural_t *)&st,
	                                   i386_THREAD_STATE_COUNT - 1);
	kr = thread_set_self_state(i386_THREAD_STATE, (natural_t *)&st,
	                           i386_THREAD_STATE_COUNT);
	(void)machr_send_word(rep, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
	                      ID_SELF_RETURNED, (uint64_t)kr, 0, 0);
}

static void check_self_state(void)
{
	struct machr_word_msg m;
	mach_port_t th = MACH_PORT_NULL;
	uint64_t sp = new_stack();
	int ok;

	memset(&jumped, 0, sizeof(jumped));
	tap_expect(machr_thread_create(self_jumper, (void *)sp, &th), 0,
	           "a thread calls thread_set_self_state");
	ok = machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, 5000) == 0;
	/* GNU Mach: flavor 99 and count 41 are KERN_INVALID_ARGUMENT and
	 * return; a good state does not return: the thread goes on at its
	 * rip, on the stack of its ursp. */
	tap_ok(self_bad_flavor == KERN_INVALID_ARGUMENT &&
	           self_small == KERN_INVALID_ARGUMENT,
	       "flavor 99: %#x, count 41: %#x", self_bad_flavor, self_small);
	tap_ok(ok && m.h.msgh_id == ID_JUMPED,
	       "it jumps to the new rip (message id %d, word %#lx)",
	       m.h.msgh_id, (unsigned long)m.word);
	tap_ok(jumped.rdi == 0x5e1f5e1f5e1f5e1f && jumped.rsi == 0x77 &&
	           jumped.rsp == sp && jumped.cs == my_cs,
	       "with its rdi, rsi and new stack (rsp %#lx)",
	       (unsigned long)jumped.rsp);
	(void)thread_terminate(th);
	(void)mach_port_deallocate(T, th);
}

/* ------------------------------------------------------------------ */
/* 7. Other flavors and bad arguments */

/*
 * What GNU Mach answers thread_get_state with room for 256 words, for
 * each flavor 0..9: 0 (THREAD_STATE_FLAVOR_LIST) lists 1, 2 and 3 only;
 * 3 (i386_ISA_PORT_MAP_STATE) is a 1024-bit map with every port denied;
 * 4 (V86 assist) and 9 do not exist; 5 (i386_REGS_SEGS_STATE) has the
 * thread state's size; 6 (i386_DEBUG_STATE) is 8 zero debug registers.
 */
static const struct {
	kern_return_t kr;
	mach_msg_type_number_t count;
} flavors[10] = {
    {0, 3},
    {0, i386_THREAD_STATE_COUNT},
    {0, i386_FLOAT_STATE_COUNT},
    {0, i386_ISA_PORT_MAP_STATE_COUNT},
    {KERN_INVALID_ARGUMENT, 256},
    {0, i386_THREAD_STATE_COUNT},
    {0, i386_DEBUG_STATE_COUNT},
    {0, i386_FSGS_BASE_STATE_COUNT},
    {0, XFLOAT_COUNT},
    {KERN_INVALID_ARGUMENT, 256},
};

static void check_bad_arguments(void)
{
	struct spin s;
	union {
		struct i386_thread_state st;
		struct i386_isa_port_map_state pm;
		struct i386_debug_state dbg;
		natural_t words[256];
	} u;
	mach_msg_type_number_t n;
	mach_port_t th, self = mach_thread_self();
	static const struct {
		int flavor;
		mach_msg_type_number_t count;
	} small[] = {{i386_THREAD_STATE, i386_THREAD_STATE_COUNT - 1},
	             {i386_FLOAT_STATE, i386_FLOAT_STATE_COUNT - 1},
	             {i386_FSGS_BASE_STATE, i386_FSGS_BASE_STATE_COUNT - 1},
	             {i386_XFLOAT_STATE, 4 + 512 / 4}};
	int ok;

	th = spin_start(&s, 0x20, 0x1f80);
	for (int flavor = 0; flavor <= 9; flavor++) {
		kern_return_t kr;

		n = 256;
		memset(&u, 0xee, sizeof(u));
		kr = thread_get_state(th, flavor, (thread_state_t)&u, &n);
		ok = kr == flavors[flavor].kr && n == flavors[flavor].count;
		if (flavor == 0)
			ok &= u.words[0] == i386_THREAD_STATE &&
			      u.words[1] == i386_FLOAT_STATE &&
			      u.words[2] == i386_ISA_PORT_MAP_STATE;
		for (unsigned i = 0; flavor == 3 && i < n; i++)
			ok &= u.words[i] == 0xffffffff;
		for (unsigned i = 0; flavor == 6 && i < n; i++)
			ok &= u.words[i] == 0;
		tap_ok(ok,
		       "thread_get_state(flavor %d): %#x, count %u, "
		       "words %#x %#x %#x",
		       flavor, kr, n, u.words[0], u.words[1], u.words[2]);
	}
	for (unsigned i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		n = small[i].count;
		tap_expect(thread_get_state(th, small[i].flavor,
		                            (thread_state_t)&u, &n),
		           KERN_INVALID_ARGUMENT,
		           "thread_get_state(flavor %d) with count %u",
		           small[i].flavor, small[i].count);
	}
	/* GNU Mach: a port that is no thread is KERN_INVALID_ARGUMENT, a
	 * null one MACH_SEND_INVALID_DEST, and a thread may not read its
	 * own state (KERN_INVALID_ARGUMENT). */
	n = i386_THREAD_STATE_COUNT;
	tap_expect(
	    thread_get_state(T, i386_THREAD_STATE, (thread_state_t)&u, &n),
	    KERN_INVALID_ARGUMENT, "thread_get_state on a task port");
	tap_expect(thread_set_state(T, i386_THREAD_STATE, (thread_state_t)&u,
	                            i386_THREAD_STATE_COUNT),
	           KERN_INVALID_ARGUMENT, "thread_set_state on a task port");
	n = i386_THREAD_STATE_COUNT;
	tap_expect(thread_get_state(MACH_PORT_NULL, i386_THREAD_STATE,
	                            (thread_state_t)&u, &n),
	           MACH_SEND_INVALID_DEST,
	           "thread_get_state on MACH_PORT_NULL");
	n = i386_THREAD_STATE_COUNT;
	tap_expect(
	    thread_get_state(self, i386_THREAD_STATE, (thread_state_t)&u, &n),
	    KERN_INVALID_ARGUMENT, "thread_get_state of the caller");
	tap_ok(spin_finish(th, &s), "the stopped thread finishes");
	release_thread(th);
	(void)mach_port_deallocate(T, self);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("thread-state: no console\n");
	__asm__("mov %%cs, %0; mov %%ss, %1" : "=r"(my_cs), "=r"(my_ss));
	tap_plan(82);
	rep = machr_new_receive();
	park = machr_new_receive();
	check_thread_state();
	check_fsgs();
	check_float();
	check_xfloat();
	check_isolation();
	check_self_state();
	check_bad_arguments();
	tap_finish(host_priv);
	return 0;
}
