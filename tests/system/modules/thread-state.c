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

#include "thread-state-threads.h"

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

#include "thread-state-fpu.h"

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
