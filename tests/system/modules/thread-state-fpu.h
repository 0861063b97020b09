/*
 * tests/system/modules/thread-state-fpu.h — part of thread-state.c
 * (included once, after thread-state-threads.h): the floating-point
 * flavors, i386_FLOAT_STATE (the FSAVE layout) and i386_XFLOAT_STATE (the
 * FXSAVE image), and the isolation of FPU/SSE state between threads and
 * tasks that compute and yield in turn.
 */

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
