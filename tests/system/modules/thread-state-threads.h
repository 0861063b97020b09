/*
 * tests/system/modules/thread-state-threads.h — part of thread-state.c
 * (included once, after its report helpers): the threads whose registers
 * the checks read and write.  regs_spin loads known general, SSE and x87
 * registers and spins, yielding, until told to store them and end;
 * jump_target and fs_target are where a state set by thread_set_state or
 * thread_set_self_state sends a thread, and record what it found there.
 */

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
