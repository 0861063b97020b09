/*
 * thread_get_state / thread_set_state flavors of x86_64 (machine/thread.h):
 * the conversion between a thread's saved user registers (the trap frame,
 * the FXSAVE image, the FS/GS bases) and GNU Mach's layouts.
 */
#include <stdint.h>

#include <mach/kern_return.h>
#include <mach/machine/fp_reg.h>
#include <mach/machine/thread_status.h>
#include <mach/machine/vm_types.h>
#include <mach/thread_status.h>

#include "kern/string.h"
#include "machine/memlayout.h"
#include "machine/segments.h"
#include "machine/switch.h"
#include "machine/thread.h"
#include "task/thread.h"

/* FP kinds (GNU Mach's, defined by fp_reg.h only inside its kernel). */
#define FP_KIND_387FX 4 /* FXSAVE/FXRSTOR */

/* RFLAGS bits user code may not set: IOPL, NT, RF, VM, VIF, VIP. */
#define RFLAGS_USER_CLEAR 0x1b7000UL
#define RFLAGS_USER_SET   0x202UL

/* Offsets in the FXSAVE image (Intel SDM vol. 1, 10.5.1). */
#define FX_FCW   0
#define FX_FSW   2
#define FX_FTW   4 /* abridged: one bit per register, 1 = not empty */
#define FX_FOP   6
#define FX_FIP   8
#define FX_FCS   12
#define FX_FDP   16
#define FX_FDS   20
#define FX_MXCSR 24
#define FX_MASK  28
#define FX_ST0   32 /* ST(i) at 32 + 16 i, 10 bytes used */

/* i386_XFLOAT_STATE: four header words, the FXSAVE image and the
 * 64-byte XSAVE header after it (zero: no XSAVE components), as GNU
 * Mach answers on a CPU without XSAVE. */
#define XFLOAT_HEADER_WORDS 4 /* fpkind, initialized, exc_status, kind */
#define XFLOAT_IMAGE_BYTES  (512 + 64)
#define XFLOAT_COUNT        (XFLOAT_HEADER_WORDS + XFLOAT_IMAGE_BYTES / 4)
#define FP_SAVE_KIND_FXSAVE 1 /* GNU Mach's number for the FXSAVE format */

#define FX_XMM0 160 /* xmm0..15, 16 bytes each */

/* The flavors thread_get_state(THREAD_STATE_FLAVOR_LIST) names. */
static const uint32_t flavor_list[] = {i386_THREAD_STATE, i386_FLOAT_STATE,
                                       i386_ISA_PORT_MAP_STATE};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Whether T's FPU state is live in this CPU's registers (it is the
 * calling thread and used them since it was switched in): then its
 * record is not current.  Interrupts masked. */
static bool fpu_live(struct thread *t)
{
	return t == thread_current() && machine_fpu_live[cpu_id()];
}

/* The image current for T: saved from the CPU first if live there. */
static struct fpu_state *fpu_image(struct thread *t)
{
	unsigned long f = intr_save();

	if (fpu_live(t))
		machine_fxsave(&t->machine.fpu);
	intr_restore(f);
	return &t->machine.fpu;
}

/* T's image, changed, made the state it runs with. */
static void fpu_reload(struct thread *t)
{
	unsigned long f = intr_save();

	if (fpu_live(t))
		machine_fxrstor(&t->machine.fpu);
	intr_restore(f);
}

/* The full x87 tag (2 bits) of an 80-bit register R that is in use. */
static unsigned x87_tag(const uint8_t *r)
{
	uint16_t exp = get16(r + 8) & 0x7fff;
	uint64_t mant;

	memcpy(&mant, r, 8);
	if (exp == 0x7fff)
		return 2; /* special: infinity or NaN */
	if (exp == 0)
		return mant == 0 ? 1 : 2; /* zero, or denormal */
	return (mant >> 63) ? 0 : 2;      /* valid, or unnormal */
}

static void get_float(struct thread *t, struct i386_float_state *s)
{
	const uint8_t *fx = fpu_image(t)->bytes;
	struct i386_fp_save *env = (struct i386_fp_save *)s->hw_state;
	struct i386_fp_regs *regs =
	    (struct i386_fp_regs *)(s->hw_state + sizeof(*env));
	unsigned top = (get16(fx + FX_FSW) >> 11) & 7;
	uint16_t tag = 0;

	memset(s, 0, sizeof(*s));
	if (!t->machine.fpu_used)
		return; /* never used the FPU: GNU Mach has no state yet */
	s->fpkind = FP_KIND_387FX;
	s->initialized = 1;
	/* Tags are by physical register; ST(i) is register (top + i) % 8. */
	for (unsigned p = 0; p < 8; p++) {
		unsigned st = (p - top) & 7, t2 = 3;

		if (fx[FX_FTW] & (1u << p))
			t2 = x87_tag(fx + FX_ST0 + 16 * st);
		tag |= (uint16_t)(t2 << (2 * p));
	}
	env->fp_control = get16(fx + FX_FCW);
	env->fp_status = get16(fx + FX_FSW);
	env->fp_tag = tag;
	memcpy(&env->fp_eip, fx + FX_FIP, 4);
	env->fp_cs = get16(fx + FX_FCS);
	env->fp_opcode = get16(fx + FX_FOP);
	memcpy(&env->fp_dp, fx + FX_FDP, 4);
	env->fp_ds = get16(fx + FX_FDS);
	for (unsigned i = 0; i < 8; i++)
		memcpy(regs->fp_reg_word[i], fx + FX_ST0 + 16 * i, 10);
}

static void set_float(struct thread *t, const struct i386_float_state *s)
{
	uint8_t *fx = fpu_image(t)->bytes;
	const struct i386_fp_save *env = (const void *)s->hw_state;
	const struct i386_fp_regs *regs =
	    (const void *)(s->hw_state + sizeof(*env));
	uint8_t abridged = 0;

	for (unsigned p = 0; p < 8; p++)
		if (((env->fp_tag >> (2 * p)) & 3) != 3)
			abridged |= (uint8_t)(1u << p);
	put16(fx + FX_FCW, env->fp_control);
	put16(fx + FX_FSW, env->fp_status);
	fx[FX_FTW] = abridged;
	put16(fx + FX_FOP, env->fp_opcode & 0x7ff);
	memcpy(fx + FX_FIP, &env->fp_eip, 4);
	put16(fx + FX_FCS, env->fp_cs);
	memcpy(fx + FX_FDP, &env->fp_dp, 4);
	put16(fx + FX_FDS, env->fp_ds);
	for (unsigned i = 0; i < 8; i++) {
		memcpy(fx + FX_ST0 + 16 * i, regs->fp_reg_word[i], 10);
		memset(fx + FX_ST0 + 16 * i + 10, 0, 6);
	}
	/* GNU Mach rebuilds the whole image from the x87 state: the SSE
	 * registers and MXCSR come out zero. */
	memset(fx + FX_MXCSR, 0, 4);
	memset(fx + FX_XMM0, 0, 16 * 16);
	t->machine.fpu_used = true;
	fpu_reload(t);
}

int machine_thread_get_state(struct thread *t, int flavor, uint32_t *state,
                             uint32_t *count)
{
	struct trap_frame *f = t->machine.frame;

	switch (flavor) {
	case THREAD_STATE_FLAVOR_LIST:
		if (*count < 3)
			return KERN_INVALID_ARGUMENT;
		memcpy(state, flavor_list, sizeof(flavor_list));
		*count = 3;
		return KERN_SUCCESS;
	case i386_ISA_PORT_MAP_STATE:
		/* No I/O port is open to user code. */
		if (*count < i386_ISA_PORT_MAP_STATE_COUNT)
			return KERN_INVALID_ARGUMENT;
		memset(state, 0xff, sizeof(struct i386_isa_port_map_state));
		*count = i386_ISA_PORT_MAP_STATE_COUNT;
		return KERN_SUCCESS;
	case i386_DEBUG_STATE:
		/* No debug registers are in use. */
		if (*count < i386_DEBUG_STATE_COUNT)
			return KERN_INVALID_ARGUMENT;
		memset(state, 0, sizeof(struct i386_debug_state));
		*count = i386_DEBUG_STATE_COUNT;
		return KERN_SUCCESS;
	case i386_THREAD_STATE:
	case i386_REGS_SEGS_STATE: {
		struct i386_thread_state *s = (void *)state;

		if (*count < i386_THREAD_STATE_COUNT)
			return KERN_INVALID_ARGUMENT;
		memset(s, 0, sizeof(*s));
		s->r8 = f->r8, s->r9 = f->r9, s->r10 = f->r10, s->r11 = f->r11;
		s->r12 = f->r12, s->r13 = f->r13, s->r14 = f->r14;
		s->r15 = f->r15, s->rdi = f->rdi, s->rsi = f->rsi;
		s->rbp = f->rbp, s->rbx = f->rbx, s->rdx = f->rdx;
		s->rcx = f->rcx, s->rax = f->rax, s->rip = f->rip;
		s->rsp = 0; /* as GNU Mach: the stack pointer is ursp */
		s->ursp = f->rsp;
		s->cs = (unsigned)f->cs;
		s->ss = (unsigned)f->ss;
		s->rfl = f->rflags;
		*count = i386_THREAD_STATE_COUNT;
		return KERN_SUCCESS;
	}
	case i386_FLOAT_STATE:
		if (*count < i386_FLOAT_STATE_COUNT)
			return KERN_INVALID_ARGUMENT;
		get_float(t, (struct i386_float_state *)state);
		*count = i386_FLOAT_STATE_COUNT;
		return KERN_SUCCESS;
	case i386_XFLOAT_STATE: {
		struct i386_xfloat_state *s = (void *)state;

		if (*count < (uint32_t)XFLOAT_COUNT)
			return KERN_INVALID_ARGUMENT;
		memset(s, 0, XFLOAT_COUNT * sizeof(uint32_t));
		*count = XFLOAT_COUNT;
		if (!t->machine.fpu_used)
			return KERN_SUCCESS; /* no state yet, as GNU Mach */
		s->fpkind = FP_KIND_387FX;
		s->initialized = 1;
		s->fp_save_kind = FP_SAVE_KIND_FXSAVE;
		memcpy(s->hw_state, fpu_image(t)->bytes, 512);
		return KERN_SUCCESS;
	}
	case i386_FSGS_BASE_STATE: {
		struct i386_fsgs_base_state *s = (void *)state;

		if (*count < i386_FSGS_BASE_STATE_COUNT)
			return KERN_INVALID_ARGUMENT;
		s->fs_base = t->machine.fs_base;
		s->gs_base = t->machine.gs_base;
		if (t == thread_current())
			machine_thread_save_bases(t, &s->fs_base, &s->gs_base);
		*count = i386_FSGS_BASE_STATE_COUNT;
		return KERN_SUCCESS;
	}
	default:
		return KERN_INVALID_ARGUMENT;
	}
}

int machine_thread_set_state(struct thread *t, int flavor,
                             const uint32_t *state, uint32_t count)
{
	struct trap_frame *f = t->machine.frame;

	switch (flavor) {
	case i386_DEBUG_STATE:
		/* Hardware breakpoints are not supported: only "none". */
		if (count < i386_DEBUG_STATE_COUNT)
			return KERN_INVALID_ARGUMENT;
		for (unsigned i = 0; i < i386_DEBUG_STATE_COUNT; i++)
			if (state[i] != 0)
				return KERN_INVALID_ARGUMENT;
		return KERN_SUCCESS;
	case i386_THREAD_STATE:
	case i386_REGS_SEGS_STATE: {
		const struct i386_thread_state *s = (const void *)state;

		if (count < i386_THREAD_STATE_COUNT)
			return KERN_INVALID_ARGUMENT;
		/* A non-canonical RIP would fault on the way out of the
		 * kernel, not in the thread. */
		if (s->rip >= USER_MAX_ADDRESS && s->rip < 0xffff800000000000UL)
			return KERN_INVALID_ARGUMENT;
		f->r8 = s->r8, f->r9 = s->r9, f->r10 = s->r10, f->r11 = s->r11;
		f->r12 = s->r12, f->r13 = s->r13, f->r14 = s->r14;
		f->r15 = s->r15, f->rdi = s->rdi, f->rsi = s->rsi;
		f->rbp = s->rbp, f->rbx = s->rbx, f->rdx = s->rdx;
		f->rcx = s->rcx, f->rax = s->rax, f->rip = s->rip;
		f->rsp = s->ursp; /* GNU Mach takes the stack from ursp */
		f->rflags = (s->rfl & ~RFLAGS_USER_CLEAR) | RFLAGS_USER_SET;
		f->cs = SEL_USER_CODE;
		f->ss = SEL_USER_DATA;
		return KERN_SUCCESS;
	}
	case i386_FLOAT_STATE:
		if (count < i386_FLOAT_STATE_COUNT)
			return KERN_INVALID_ARGUMENT;
		set_float(t, (const struct i386_float_state *)state);
		return KERN_SUCCESS;
	case i386_XFLOAT_STATE: {
		const struct i386_xfloat_state *s = (const void *)state;
		struct fpu_state *img;
		uint32_t mxcsr, mask;

		if (count < (uint32_t)XFLOAT_COUNT)
			return KERN_INVALID_ARGUMENT;
		img = fpu_image(t);
		memcpy(&mask, img->bytes + FX_MASK, 4);
		if (mask == 0)
			mask = 0xffbf; /* the architectural default */
		memcpy(img->bytes, s->hw_state, 512);
		/* Reserved MXCSR bits would make FXRSTOR fault: dropped, as
		 * GNU Mach drops them. */
		memcpy(&mxcsr, img->bytes + FX_MXCSR, 4);
		mxcsr &= mask;
		memcpy(img->bytes + FX_MXCSR, &mxcsr, 4);
		memcpy(img->bytes + FX_MASK, &mask, 4);
		t->machine.fpu_used = true;
		fpu_reload(t);
		return KERN_SUCCESS;
	}
	case i386_FSGS_BASE_STATE: {
		const struct i386_fsgs_base_state *s = (const void *)state;

		if (count < i386_FSGS_BASE_STATE_COUNT)
			return KERN_INVALID_ARGUMENT;
		/* Any value, as GNU Mach: one the CPU cannot hold is loaded
		 * as 0 (machine_thread_load) but reads back as given. */
		t->machine.fs_base = s->fs_base;
		t->machine.gs_base = s->gs_base;
		if (t == thread_current())
			machine_thread_reload_bases(t);
		return KERN_SUCCESS;
	}
	default:
		return KERN_INVALID_ARGUMENT;
	}
}
