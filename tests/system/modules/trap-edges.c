/*
 * tests/system/modules/trap-edges.c — what the kernel answers when user
 * space hands it bad pointers and bad trap arguments: mach_msg_trap with
 * message pointers that are null, unmapped, in kernel space,
 * non-canonical, unaligned or crossing into an unmapped page; the 7th
 * argument read from an unmapped user stack; unknown trap numbers;
 * mach_print of bad strings; the syscall_* traps with bad out-pointers
 * (and whether the operation happened anyway); thread_set_self_state
 * with bad states and counts; which registers survive a trap; the
 * scheduling traps with garbage.  Every trap is made from assembly with
 * a label at the `syscall` and after it, so a thread of ours serving the
 * exception port can tell where the thread stopped and resume it.  Each
 * check states what GNU Mach answers.  The checks on which GNU Mach
 * panics are skipped; a mask in argv[3] runs them (and others) to look
 * at a kernel by hand: the plan then no longer adds up.
 */
#include <mach/exception.h>
#include <mach/exc_server.h>
#include <mach/machine/thread_status.h>
#include <mach/thread_switch.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T machr_task

boolean_t exc_server(mach_msg_header_t *in, mach_msg_header_t *out);

/*
 * te_trap(a1, ..., a7, number): trap NUMBER with arguments 1-6 in
 * registers and the 7th where the kernel looks for it, at 8(%rsp).
 * te_badstack(rsp, number): trap NUMBER with zero arguments and %rsp
 * set to RSP; the old %rsp is kept in %rbx.
 * te_setself(flavor, state, count): thread_set_self_state (-77); if it
 * succeeds, the state's rip is te_setself_landing, which returns
 * SETSELF_JUMPED from te_setself.  te_setself_regs_landing first stores
 * the registers it arrived with into te_regs_got[], as te_regs does.
 * te_regs(number): load known values into every general register, trap,
 * store what came back into te_regs_got[].
 */
#define SETSELF_JUMPED 0x5e75e7L
#define REG(i)         (0x5a5a000000000000UL | ((uint64_t)(i) << 8) | (i))
enum {
	R_RAX,
	R_RDI,
	R_RSI,
	R_RDX,
	R_R10,
	R_R8,
	R_R9,
	R_RBX,
	R_RBP,
	R_R12,
	R_R13,
	R_R14,
	R_R15,
	R_RCX,
	R_R11,
	R_RSP,
	NREGS
};
static const char *const reg_names[NREGS] = {
    "rax", "rdi", "rsi", "rdx", "r10", "r8",  "r9",  "rbx",
    "rbp", "r12", "r13", "r14", "r15", "rcx", "r11", "rsp"};
uint64_t te_regs_got[NREGS], te_regs_sp, te_setself_sp;

/* clang-format off */
__asm__(".macro te_store_regs\n"
	"movq %rax, te_regs_got+0(%rip)\n"
	"movq %rdi, te_regs_got+8(%rip)\n"
	"movq %rsi, te_regs_got+16(%rip)\n"
	"movq %rdx, te_regs_got+24(%rip)\n"
	"movq %r10, te_regs_got+32(%rip)\n"
	"movq %r8, te_regs_got+40(%rip)\n"
	"movq %r9, te_regs_got+48(%rip)\n"
	"movq %rbx, te_regs_got+56(%rip)\n"
	"movq %rbp, te_regs_got+64(%rip)\n"
	"movq %r12, te_regs_got+72(%rip)\n"
	"movq %r13, te_regs_got+80(%rip)\n"
	"movq %r14, te_regs_got+88(%rip)\n"
	"movq %r15, te_regs_got+96(%rip)\n"
	"movq %rcx, te_regs_got+104(%rip)\n"
	"movq %r11, te_regs_got+112(%rip)\n"
	"movq %rsp, te_regs_got+120(%rip)\n"
	".endm\n"
	".text\n"
	".globl te_trap\n"
	"te_trap:\n"
	"movq 16(%rsp), %rax\n"
	"movq %rcx, %r10\n"
	".globl te_trap_insn\n"
	"te_trap_insn: syscall\n"
	".globl te_trap_after\n"
	"te_trap_after: ret\n"

	".globl te_badstack\n"
	"te_badstack:\n"
	"pushq %rbx\n"
	"movq %rsp, %rbx\n"
	"movq %rsi, %rax\n"
	"movq %rdi, %rsp\n"
	"xorl %edi, %edi\n"
	"xorl %esi, %esi\n"
	"xorl %edx, %edx\n"
	"xorl %r10d, %r10d\n"
	"xorl %r8d, %r8d\n"
	"xorl %r9d, %r9d\n"
	".globl te_badstack_insn\n"
	"te_badstack_insn: syscall\n"
	".globl te_badstack_after\n"
	"te_badstack_after:\n"
	"movq %rbx, %rsp\n"
	"popq %rbx\n"
	"ret\n"

	".globl te_setself\n"
	"te_setself:\n"
	"pushq %rbx\n pushq %rbp\n pushq %r12\n"
	"pushq %r13\n pushq %r14\n pushq %r15\n"
	"movq %rsp, te_setself_sp(%rip)\n"
	"movq $-77, %rax\n"
	".globl te_setself_insn\n"
	"te_setself_insn: syscall\n"
	".globl te_setself_after\n"
	"te_setself_after:\n"
	"popq %r15\n popq %r14\n popq %r13\n"
	"popq %r12\n popq %rbp\n popq %rbx\n"
	"ret\n"
	".globl te_setself_landing\n"
	"te_setself_landing:\n"
	"movq te_setself_sp(%rip), %rsp\n"
	"movq $0x5e75e7, %rax\n"
	"jmp te_setself_after\n"
	".globl te_setself_regs_landing\n"
	"te_setself_regs_landing:\n"
	"te_store_regs\n"
	"jmp te_setself_landing\n"

	".globl te_regs\n"
	"te_regs:\n"
	"pushq %rbx\n pushq %rbp\n pushq %r12\n"
	"pushq %r13\n pushq %r14\n pushq %r15\n"
	"movq %rdi, %rax\n"
	"movabsq $0x5a5a000000000101, %rdi\n"
	"movabsq $0x5a5a000000000202, %rsi\n"
	"movabsq $0x5a5a000000000303, %rdx\n"
	"movabsq $0x5a5a000000000404, %r10\n"
	"movabsq $0x5a5a000000000505, %r8\n"
	"movabsq $0x5a5a000000000606, %r9\n"
	"movabsq $0x5a5a000000000707, %rbx\n"
	"movabsq $0x5a5a000000000808, %rbp\n"
	"movabsq $0x5a5a000000000909, %r12\n"
	"movabsq $0x5a5a000000000a0a, %r13\n"
	"movabsq $0x5a5a000000000b0b, %r14\n"
	"movabsq $0x5a5a000000000c0c, %r15\n"
	"movabsq $0x5a5a000000000d0d, %rcx\n"
	"movabsq $0x5a5a000000000e0e, %r11\n"
	"movq %rsp, te_regs_sp(%rip)\n"
	".globl te_regs_insn\n"
	"te_regs_insn: syscall\n"
	"te_store_regs\n"
	"popq %r15\n popq %r14\n popq %r13\n"
	"popq %r12\n popq %rbp\n popq %rbx\n"
	"ret\n");
/* clang-format on */

long te_trap(long a1, long a2, long a3, long a4, long a5, long a6, long a7,
             long number);
long te_badstack(uintptr_t rsp, long number);
long te_setself(long flavor, uintptr_t state, long count);
void te_regs(long number);
extern char te_trap_insn[], te_trap_after[], te_badstack_insn[],
    te_badstack_after[], te_setself_insn[], te_setself_after[],
    te_setself_landing[], te_setself_regs_landing[], te_regs_insn[];

/* Where a trap may stop with an exception, and where to resume it. */
static const struct {
	char *insn, *after;
} stops[] = {{te_trap_insn, te_trap_after},
             {te_badstack_insn, te_badstack_after},
             {te_setself_insn, te_setself_after}};

/* The last exception the handler thread served. */
static volatile struct {
	int count;
	integer_t exc, code;
	long subcode;
	uint64_t rip, rax, rsp;
	int at_insn; /* rip was at the syscall (else after it) */
} seen;

static mach_port_t exc_port;

kern_return_t catch_exception_raise(mach_port_t port, mach_port_t thread,
                                    mach_port_t task, integer_t exception,
                                    integer_t code, rpc_long_integer_t subcode)
{
	struct i386_thread_state st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	kern_return_t kr = KERN_FAILURE;

	(void)port;
	seen.exc = exception;
	seen.code = code;
	seen.subcode = subcode;
	seen.rip = seen.rax = seen.rsp = 0;
	seen.at_insn = -1;
	if (thread_get_state(thread, i386_THREAD_STATE, (thread_state_t)&st,
	                     &n) == KERN_SUCCESS) {
		seen.rip = st.rip;
		seen.rax = st.rax;
		seen.rsp = st.ursp;
		for (unsigned i = 0; i < sizeof(stops) / sizeof(stops[0]);
		     i++) {
			if (st.rip == (uintptr_t)stops[i].after) {
				seen.at_insn = 0;
				kr = KERN_SUCCESS;
			} else if (st.rip == (uintptr_t)stops[i].insn) {
				seen.at_insn = 1;
				st.rip = (uintptr_t)stops[i].after;
				kr = thread_set_state(thread, i386_THREAD_STATE,
				                      (thread_state_t)&st, n);
			}
		}
	}
	seen.count++;
	(void)mach_port_deallocate(T, thread);
	(void)mach_port_deallocate(T, task);
	return kr; /* an unknown place: the task dies, the run times out */
}

static void handler(void *arg)
{
	union {
		mach_msg_header_t h;
		char buf[512];
	} in, out;

	(void)arg;
	for (;;) {
		if (mach_msg(&in.h, MACH_RCV_MSG, 0, sizeof(in), exc_port, 0,
		             MACH_PORT_NULL) != 0)
			continue;
		if (exc_server(&in.h, &out.h))
			(void)mach_msg(&out.h, MACH_SEND_MSG, out.h.msgh_size,
			               0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
	}
}

/* One trap and whether it raised an exception (its codes in seen). */
struct outcome {
	long ret;
	int exc; /* number of exceptions it raised */
};

static struct outcome trap(long number, long a1, long a2, long a3, long a4,
                           long a5, long a6, long a7)
{
	struct outcome o;
	int before = seen.count;

	o.ret = te_trap(a1, a2, a3, a4, a5, a6, a7, number);
	o.exc = seen.count - before;
	return o;
}

/* A trap that must not raise an exception and must return WANT. */
static void expect_ret(struct outcome o, long want, const char *what)
{
	if (!tap_ok(o.exc == 0 && o.ret == want, "%s: %#lx", what, o.ret))
		tap_diag("got %#lx with %d exceptions (last %d/%#x/%#lx), "
		         "expected %#lx",
		         o.ret, o.exc, seen.exc, seen.code, seen.subcode, want);
}

/* A fresh page anywhere. */
static vm_address_t page(void)
{
	vm_address_t a = 0;

	(void)vm_allocate(T, &a, 4096, TRUE);
	return a;
}

/*
 * A page mapped at EDGE, far above where vm_allocate(anywhere) puts
 * things, with the unmapped page EDGE + 4096 after it: no allocation of
 * ours can fill that hole.
 */
#define EDGE 0x500000000000UL
static vm_address_t page_before_hole(void)
{
	return EDGE; /* allocated by main */
}

#define KERNEL_ADDR  0xffff800000000000L
#define NONCANONICAL 0x0000900000000000L

static mach_port_t port_p;

static long send_at(uintptr_t msg, long size)
{
	struct outcome o =
	    trap(-25, (long)msg, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0, 0,
	         0, 0);
	return o.exc ? -1 : o.ret;
}

static long recv_at(uintptr_t msg, long size)
{
	struct outcome o = trap(-25, (long)msg, MACH_RCV_MSG | MACH_RCV_TIMEOUT,
	                        0, size, port_p, 0, 0);
	return o.exc ? -1 : o.ret;
}

/* Queue a word message on port_p. */
static void queue_word(uint64_t w)
{
	(void)machr_send_word(port_p, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL,
	                      0, 7, w, 0, 0);
}

/* 1 if a message is still queued on port_p (and take it). */
static int still_queued(void)
{
	struct machr_word_msg m;

	return machr_recv_word(port_p, &m, MACH_RCV_TIMEOUT, 0) == 0;
}

/*
 * The message-pointer checks, numbered: bit N of probe_mask runs check N
 * (argv[3] may set it; the default is every check GNU Mach survives).
 * GNU Mach panics (a kernel page fault at address 0) on a send from a
 * NULL message (check 0), a receive into one (5), and a receive into
 * NULL with a too small size (12): these are not run by default.
 */
#define MSG_BAD_KINDS 5
#define PROBE_DEFAULT 0x0fdeUL /* not 0, 5, 12 and up */
static unsigned long probe_mask = PROBE_DEFAULT;

static void check_msg_pointers(void)
{
	vm_address_t pg = page(), edge = page_before_hole();
	vm_address_t gone = edge + 4096;
	struct {
		const char *what;
		uintptr_t addr;
	} bad[MSG_BAD_KINDS] = {{"NULL", 0},
	                        {"unmapped", gone},
	                        {"kernel", KERNEL_ADDR},
	                        {"non-canonical", NONCANONICAL},
	                        {"crossing into an unmapped page", gone - 16}};
	struct machr_word_msg *m;
	long r;

	port_p = machr_new_receive();
	for (unsigned i = 0; i < MSG_BAD_KINDS; i++) {
		if (!(probe_mask & (1UL << i)))
			continue;
		/* GNU Mach: a header it cannot copy in is
		 * MACH_SEND_INVALID_DATA, no exception. */
		r = send_at(bad[i].addr, 32);
		tap_ok(r == MACH_SEND_INVALID_DATA && !still_queued(),
		       "mach_msg_trap send, %s message: %#lx", bad[i].what, r);
	}
	for (unsigned i = 0; i < MSG_BAD_KINDS; i++) {
		if (!(probe_mask & (1UL << (MSG_BAD_KINDS + i))))
			continue;
		/* GNU Mach: a message it cannot copy out is
		 * MACH_RCV_INVALID_DATA, and it is gone from the queue. */
		queue_word(i);
		r = recv_at(bad[i].addr, 64);
		tap_ok(r == MACH_RCV_INVALID_DATA && !still_queued(),
		       "mach_msg_trap receive into %s buffer: %#lx, dropped",
		       bad[i].what, r);
	}

	if (probe_mask & (1UL << 10)) {
		/* GNU Mach: a send whose header is mapped but whose body
		 * runs into an unmapped page is MACH_SEND_INVALID_DATA. */
		m = (struct machr_word_msg *)(gone - 32);
		machr_msg_header(&m->h, port_p, MACH_MSG_TYPE_MAKE_SEND, 0, 0,
		                 48);
		r = send_at((uintptr_t)m, 48);
		tap_ok(r == MACH_SEND_INVALID_DATA && !still_queued(),
		       "send of a header mapped, body unmapped: %#lx", r);
	}

	if (probe_mask & (1UL << 11)) {
		/* GNU Mach: unaligned messages are fine both ways. */
		m = (struct machr_word_msg *)(pg + 4);
		machr_msg_header(&m->h, port_p, MACH_MSG_TYPE_MAKE_SEND, 0, 0,
		                 32);
		m->h.msgh_id = 77;
		r = send_at((uintptr_t)m, 32);
		tap_ok(r == 0, "send from an unaligned message: %#lx", r);
		m = (struct machr_word_msg *)(pg + 1024 + 3);
		r = recv_at((uintptr_t)m, 64);
		tap_ok(r == 0 && m->h.msgh_id == 77 && m->h.msgh_size == 32,
		       "receive into an unaligned buffer: %#lx (id %d)", r,
		       m->h.msgh_id);
	}

	if (probe_mask & (1UL << 12)) {
		/* GNU Mach panics: it writes the header at address 0. */
		queue_word(9);
		r = recv_at(0, 8);
		tap_ok(r == MACH_RCV_TOO_LARGE && still_queued(),
		       "receive into NULL with size 8: %#lx, kept", r);
	}
}

/* An exception's codes, rip and rax, checked against GNU Mach's. */
static void expect_exc(struct outcome o, integer_t exc, integer_t code,
                       long subcode, int at_insn, const char *what)
{
	if (!tap_ok(o.exc == 1 && seen.exc == exc && seen.code == code &&
	                seen.subcode == subcode && seen.at_insn == at_insn,
	            "%s: exception %d code %#x subcode %#lx, rip %s syscall",
	            what, seen.exc, seen.code, seen.subcode,
	            seen.at_insn == 1 ? "at" : "after"))
		tap_diag("%d exceptions; expected %d %#x %#lx, rip %s", o.exc,
		         exc, code, subcode, at_insn ? "at" : "after");
}

static void check_bad_stack(void)
{
	vm_address_t gone = page_before_hole() + 4096;
	struct outcome o;
	int before;

	/* GNU Mach: reading the 7th argument of mach_msg_trap from an
	 * unmapped stack raises EXC_BAD_ACCESS/KERN_INVALID_ADDRESS with
	 * the address of the argument, rip after the syscall. */
	before = seen.count;
	o.ret = te_badstack(gone + 0x100, -25);
	o.exc = seen.count - before;
	expect_exc(o, EXC_BAD_ACCESS, KERN_INVALID_ADDRESS, gone + 0x108, 0,
	           "mach_msg_trap with %rsp unmapped");
	tap_ok(seen.rsp == gone + 0x100,
	       "the state's rsp is the bad one (%#lx)",
	       (unsigned long)seen.rsp);
	tap_diag("rax in the state %#lx, after resuming %#lx",
	         (unsigned long)seen.rax, o.ret);

	/* GNU Mach: the same with %rsp in kernel space. */
	before = seen.count;
	o.ret = te_badstack(KERNEL_ADDR, -25);
	o.exc = seen.count - before;
	expect_exc(o, EXC_BAD_ACCESS, KERN_INVALID_ADDRESS, KERNEL_ADDR + 16, 0,
	           "mach_msg_trap with %rsp in kernel space");

	/* GNU Mach: syscall_vm_map's arguments 7 to 11 too, read from the
	 * last: the 11th's address, or the end of the 11th in kernel
	 * space. */
	before = seen.count;
	o.ret = te_badstack(gone + 0x100, -64);
	o.exc = seen.count - before;
	expect_exc(o, EXC_BAD_ACCESS, KERN_INVALID_ADDRESS, gone + 0x128, 0,
	           "syscall_vm_map with %rsp unmapped");
	before = seen.count;
	o.ret = te_badstack(KERNEL_ADDR, -64);
	o.exc = seen.count - before;
	expect_exc(o, EXC_BAD_ACCESS, KERN_INVALID_ADDRESS, KERNEL_ADDR + 48, 0,
	           "syscall_vm_map with %rsp in kernel space");

	/* GNU Mach: a trap of 6 arguments or fewer never reads the stack. */
	before = seen.count;
	o.ret = te_badstack(gone + 0x100, -1);
	o.exc = seen.count - before;
	expect_ret(o, KERN_INVALID_ARGUMENT, "trap -1 with %rsp unmapped");
}

static void check_trap_numbers(void)
{
	struct outcome o;

	/* GNU Mach: an unused slot in the table is kern_invalid. */
	expect_ret(trap(-1, 0, 0, 0, 0, 0, 0, 0), KERN_INVALID_ARGUMENT,
	           "trap -1 (unused slot): KERN_INVALID_ARGUMENT");
	expect_ret(trap(0, 0, 0, 0, 0, 0, 0, 0), KERN_INVALID_ARGUMENT,
	           "trap 0 (unused slot): KERN_INVALID_ARGUMENT");
	/* GNU Mach: a number outside the table raises
	 * EXC_BAD_INSTRUCTION/EXC_I386_INVOP. */
	static const long out[] = {1, 0x123456, -200};
	for (unsigned i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		char what[64];

		o = trap(out[i], 0, 0, 0, 0, 0, 0, 0);
		snprintf(what, sizeof what, "trap %#lx", out[i]);
		expect_exc(o, EXC_BAD_INSTRUCTION, EXC_I386_INVOP, 0, 0, what);
		tap_diag("%s: rax in the state %#lx, after resuming %#lx", what,
		         (unsigned long)seen.rax, o.ret);
	}
}

static void check_print(void)
{
	vm_address_t edge = page_before_hole();
	char *tail = (char *)(edge + 4096 - 3);

	memcpy(tail, "ab\n", 3); /* no NUL before the hole */
	/* GNU Mach: mach_print(NULL) prints nothing and returns 0. */
	expect_ret(trap(-30, 0, 0, 0, 0, 0, 0, 0), 0, "mach_print(NULL)");
	/* GNU Mach panics on an unmapped string (a kernel page fault at
	 * its address): not run by default. */
	if (probe_mask & (1UL << 13))
		expect_ret(trap(-30, KERNEL_ADDR, 0, 0, 0, 0, 0, 0), 0,
		           "mach_print(kernel address)");
	if (probe_mask & (1UL << 14))
		expect_ret(trap(-30, (long)tail, 0, 0, 0, 0, 0, 0), 0,
		           "mach_print of a string running into a hole");
	if (probe_mask & (1UL << 15))
		expect_ret(trap(-30, (long)(edge + 4096), 0, 0, 0, 0, 0, 0), 0,
		           "mach_print(unmapped)");
}

/* Number of names in our space, or -1. */
static int count_names(void)
{
	mach_port_name_array_t names;
	mach_port_type_array_t types;
	mach_msg_type_number_t n = 0, nt = 0;

	if (mach_port_names(T, &names, &n, &types, &nt) != KERN_SUCCESS)
		return -1;
	(void)vm_deallocate(T, (vm_address_t)names, n * sizeof *names);
	(void)vm_deallocate(T, (vm_address_t)types, nt * sizeof *types);
	return (int)n;
}

static mach_port_t pset;

/* Number of tasks on the machine, or -1. */
static int count_tasks(void)
{
	task_array_t tasks;
	mach_msg_type_number_t n = 0;

	if (processor_set_tasks(pset, &tasks, &n) != KERN_SUCCESS)
		return -1;
	for (unsigned i = 0; i < n; i++)
		(void)mach_port_deallocate(T, tasks[i]);
	(void)vm_deallocate(T, (vm_address_t)tasks, n * sizeof *tasks);
	return (int)n;
}

/* The next page vm_allocate(anywhere) would hand out (taken back). */
static vm_address_t next_page(void)
{
	vm_address_t a = page();

	(void)vm_deallocate(T, a, 4096);
	return a;
}

/* Our task's virtual size (task_info), or 0. */
static vm_size_t vsize(void)
{
	struct task_basic_info info;
	mach_msg_type_number_t n = TASK_BASIC_INFO_COUNT;

	if (task_info(T, TASK_BASIC_INFO, (task_info_t)&info, &n) != 0)
		return 0;
	return info.virtual_size;
}

static void check_out_pointers(void)
{
	vm_address_t edge = page_before_hole(), gone = edge + 4096;
	vm_address_t ro = page(), fixed = next_page(), probe;
	vm_size_t v1, v2;
	long bad[] = {(long)gone, KERNEL_ADDR, 0};
	const char *badname[] = {"unmapped", "kernel", "NULL"};
	struct outcome o;
	int n1, n2;

	/* GNU Mach: a fixed vm_allocate whose address sits in a read-only
	 * page: the address is read, the memory allocated, the failed
	 * write-back ignored: KERN_SUCCESS. */
	*(vm_address_t *)ro = fixed;
	(void)vm_protect(T, ro, 4096, FALSE, VM_PROT_READ);
	o = trap(-65, T, (long)ro, 4096, FALSE, 0, 0, 0);
	expect_ret(o, KERN_SUCCESS,
	           "syscall_vm_allocate, fixed, address in a read-only page");
	probe = fixed;
	tap_ok(vm_allocate(T, &probe, 4096, FALSE) == KERN_NO_SPACE,
	       "and the memory is allocated (fixed %#lx)",
	       (unsigned long)fixed);

	/* GNU Mach panics on a copyin from address 0 (a kernel page fault
	 * at 0): the NULL pointers are not tried by default.  For the
	 * others, GNU Mach ignores the failed copyin/copyout: the call
	 * succeeds and the object is made, its name or address lost. */
	for (unsigned i = 0; i < 3; i++) {
		char what[80];

		if (bad[i] == 0 && !(probe_mask & (1UL << 16)))
			continue;
		v1 = vsize();
		o = trap(-65, T, bad[i], 4096, TRUE, 0, 0, 0);
		v2 = vsize();
		snprintf(what, sizeof what,
		         "syscall_vm_allocate, anywhere, %s address",
		         badname[i]);
		expect_ret(o, KERN_SUCCESS, what);
		tap_ok(v1 != 0 && v2 == v1 + 4096,
		       "and a page was allocated (virtual size %#lx -> %#lx)",
		       (unsigned long)v1, (unsigned long)v2);

		n1 = count_names();
		o = trap(-72, T, MACH_PORT_RIGHT_RECEIVE, bad[i], 0, 0, 0, 0);
		n2 = count_names();
		snprintf(what, sizeof what,
		         "syscall_mach_port_allocate, %s name", badname[i]);
		expect_ret(o, KERN_SUCCESS, what);
		tap_ok(n2 == n1 + 1, "and a name is added (%d -> %d)", n1, n2);

		n1 = count_tasks();
		o = trap(-68, T, FALSE, bad[i], 0, 0, 0, 0);
		n2 = count_tasks();
		snprintf(what, sizeof what, "syscall_task_create, %s child",
		         badname[i]);
		expect_ret(o, KERN_SUCCESS, what);
		tap_ok(n1 > 0 && n2 == n1 + 1,
		       "and the task is made (%d -> %d tasks)", n1, n2);
	}
}

static uint16_t my_cs, my_ss;

static void check_set_self_state(void)
{
	static struct i386_thread_state st;
	static uint64_t stack[64];
	vm_address_t gone = page_before_hole() + 4096;
	int before;
	long r;

	__asm__("mov %%cs, %0; mov %%ss, %1" : "=r"(my_cs), "=r"(my_ss));
	memset(&st, 0, sizeof st);
	st.rip = (uintptr_t)te_setself_landing;
	st.ursp = (uintptr_t)&stack[60];
	st.cs = my_cs;
	st.ss = my_ss;
	st.rfl = 0x202;

	struct {
		const char *what;
		uintptr_t state;
		long count, want;
	} cases[] = {
	    /* GNU Mach: a state it cannot copy in is
	     * KERN_INVALID_ARGUMENT, no exception. */
	    {"NULL state", 0, i386_THREAD_STATE_COUNT, KERN_INVALID_ARGUMENT},
	    {"unmapped state", gone, i386_THREAD_STATE_COUNT,
	     KERN_INVALID_ARGUMENT},
	    {"kernel state", KERNEL_ADDR, i386_THREAD_STATE_COUNT,
	     KERN_INVALID_ARGUMENT},
	    {"state crossing into a hole", gone - 8, i386_THREAD_STATE_COUNT,
	     KERN_INVALID_ARGUMENT},
	    /* GNU Mach: one word more than the flavor's count is accepted,
	     * 1000 is KERN_INVALID_ARGUMENT; the count is 32 bits
	     * (0x100000000 is 0, 0x10000002a is 42). */
	    {"count 43", (uintptr_t)&st, 43, SETSELF_JUMPED},
	    {"count 1000", (uintptr_t)&st, 1000, KERN_INVALID_ARGUMENT},
	    {"count 0xffffffff", (uintptr_t)&st, 0xffffffffL,
	     KERN_INVALID_ARGUMENT},
	    {"count 0x100000000", (uintptr_t)&st, 0x100000000L,
	     KERN_INVALID_ARGUMENT},
	    {"count 0x10000002a", (uintptr_t)&st, 0x10000002aL, SETSELF_JUMPED},
	    /* The same state with the right count: the thread jumps. */
	    {"good state, count 42", (uintptr_t)&st, i386_THREAD_STATE_COUNT,
	     SETSELF_JUMPED},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].state == 0 && !(probe_mask & (1UL << 16)))
			continue;
		before = seen.count;
		r = te_setself(i386_THREAD_STATE, cases[i].state,
		               cases[i].count);
		tap_ok(r == cases[i].want && seen.count == before,
		       "thread_set_self_state, %s: %#lx", cases[i].what, r);
	}
}

/*
 * A new register state whose rcx is its rip and r11 its rflags, as the
 * CPU leaves them after a SYSCALL: every register still comes from the
 * state (Mach_R leaves such a frame by SYSRET), rcx and r11 included.
 */
static void check_set_self_state_registers(void)
{
	static struct i386_thread_state st;
	static uint64_t stack[64];
	uint64_t want[NREGS];
	long r;
	int ok;

	memset(&st, 0, sizeof st);
	for (int i = 0; i < NREGS; i++)
		want[i] = REG(i + 0x10);
	st.rax = want[R_RAX], st.rdi = want[R_RDI], st.rsi = want[R_RSI];
	st.rdx = want[R_RDX], st.r10 = want[R_R10], st.r8 = want[R_R8];
	st.r9 = want[R_R9], st.rbx = want[R_RBX], st.rbp = want[R_RBP];
	st.r12 = want[R_R12], st.r13 = want[R_R13], st.r14 = want[R_R14];
	st.r15 = want[R_R15];
	st.rip = st.rcx = want[R_RCX] = (uintptr_t)te_setself_regs_landing;
	st.rfl = st.r11 = want[R_R11] = 0x202;
	st.ursp = want[R_RSP] = (uintptr_t)&stack[60];
	st.cs = my_cs;
	st.ss = my_ss;
	memset(te_regs_got, 0, sizeof te_regs_got);
	r = te_setself(i386_THREAD_STATE, (uintptr_t)&st,
	               i386_THREAD_STATE_COUNT);
	ok = r == SETSELF_JUMPED;
	for (int i = 0; i < NREGS; i++)
		if (te_regs_got[i] != want[i]) {
			tap_diag("%s: %#lx, not %#lx", reg_names[i],
			         (unsigned long)te_regs_got[i],
			         (unsigned long)want[i]);
			ok = 0;
		}
	tap_ok(ok,
	       "thread_set_self_state with rcx = rip, r11 = rflags: every "
	       "register from the state (%#lx)",
	       r);
}

/* Whether te_regs' trap gave back every register GNU Mach keeps (the
 * argument registers, the callee-saved ones and rsp; not rcx and r11). */
static int regs_preserved(void)
{
	int ok = 1;

	for (int i = R_RDI; i <= R_R15; i++)
		if (te_regs_got[i] != REG(i)) {
			tap_diag("%s: %#lx", reg_names[i],
			         (unsigned long)te_regs_got[i]);
			ok = 0;
		}
	if (te_regs_got[R_RSP] != te_regs_sp)
		ok = 0;
	return ok;
}

static void check_registers(void)
{
	static const long numbers[] = {-60, -1, -28};
	mach_port_t thread = mach_thread_self(), port = machr_new_receive();
	kern_return_t kr;

	for (unsigned k = 0; k < sizeof(numbers) / sizeof(numbers[0]); k++) {
		te_regs(numbers[k]);
		tap_ok(regs_preserved(),
		       "trap %ld preserves rdi rsi rdx r10 r8 r9 rbx rbp "
		       "r12-r15 rsp",
		       numbers[k]);
		tap_diag("trap %ld: rax %#lx rcx %#lx r11 %#lx", numbers[k],
		         (unsigned long)te_regs_got[R_RAX],
		         (unsigned long)te_regs_got[R_RCX],
		         (unsigned long)te_regs_got[R_R11]);
	}

	/* mach_thread_self when THREAD_KERNEL_PORT is a port we hold only
	 * the receive right of: the trap makes a send right (on Mach_R its
	 * quick way gives up and the general way runs). */
	kr = mach_port_insert_right(T, port, port, MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = thread_set_special_port(thread, THREAD_KERNEL_PORT, port);
	if (kr == KERN_SUCCESS)
		kr = mach_port_mod_refs(T, port, MACH_PORT_RIGHT_SEND, -1);
	te_regs(-27);
	tap_ok(kr == KERN_SUCCESS && te_regs_got[R_RAX] == port &&
	           regs_preserved(),
	       "mach_thread_self making a send right preserves the same "
	       "registers (%#x, %#lx)",
	       kr, (unsigned long)te_regs_got[R_RAX]);
	(void)thread_set_special_port(thread, THREAD_KERNEL_PORT, thread);
	(void)mach_port_destroy(T, port);
	(void)mach_port_deallocate(T, thread);
}

/*
 * mach_task_self and mach_thread_self return the name the space has and
 * add a user reference to it; at the limit (0xfffe) the name comes back
 * and the count stays there.
 */
static void check_self_refs(void)
{
	mach_port_t th = mach_thread_self();
	mach_port_urefs_t r0 = 0, r1 = 0, r2 = 0, t0 = 0, t1 = 0;
	mach_port_t got;

	(void)mach_port_get_refs(T, T, MACH_PORT_RIGHT_SEND, &r0);
	got = mach_task_self();
	(void)mach_port_get_refs(T, T, MACH_PORT_RIGHT_SEND, &r1);
	tap_ok(got == T && r1 == r0 + 1,
	       "mach_task_self: the same name, one more reference "
	       "(%#x, %u -> %u)",
	       got, r0, r1);
	(void)mach_port_mod_refs(T, T, MACH_PORT_RIGHT_SEND,
	                         (mach_port_delta_t)(0xfffe - r1));
	got = mach_task_self();
	(void)mach_port_get_refs(T, T, MACH_PORT_RIGHT_SEND, &r2);
	tap_ok(got == T && r2 == 0xfffe,
	       "mach_task_self at 0xfffe references: the name, the count "
	       "stays (%#x, %#x)",
	       got, r2);
	(void)mach_port_mod_refs(T, T, MACH_PORT_RIGHT_SEND,
	                         -(mach_port_delta_t)(r2 - r0));

	(void)mach_port_get_refs(T, th, MACH_PORT_RIGHT_SEND, &t0);
	got = mach_thread_self();
	(void)mach_port_get_refs(T, th, MACH_PORT_RIGHT_SEND, &t1);
	tap_ok(got == th && t1 == t0 + 1,
	       "mach_thread_self: the same name, one more reference "
	       "(%#x, %u -> %u)",
	       got, t0, t1);
	/* Give back what this check's two calls added. */
	(void)mach_port_mod_refs(T, th, MACH_PORT_RIGHT_SEND,
	                         -(mach_port_delta_t)(t1 - t0 + 1));
}

static void check_sched_garbage(void)
{
	/* GNU Mach: swtch ignores its registers; FALSE, nothing else runs. */
	expect_ret(trap(-60, -1, -1, -1, -1, -1, -1, -1), 0,
	           "swtch with garbage registers");
	expect_ret(trap(-59, 0x7fffffff, 0, 0, 0, 0, 0, 0), 0,
	           "swtch_pri(0x7fffffff)");
	expect_ret(trap(-59, -5, 0, 0, 0, 0, 0, 0), 0, "swtch_pri(-5)");
	/* GNU Mach: a name that is no thread is ignored. */
	expect_ret(trap(-61, 0xdeadbeef, SWITCH_OPTION_NONE, 0, 0, 0, 0, 0), 0,
	           "thread_switch(0xdeadbeef, NONE)");
	/* GNU Mach: an unknown option is KERN_INVALID_ARGUMENT. */
	expect_ret(trap(-61, 0, 99, 0, 0, 0, 0, 0), KERN_INVALID_ARGUMENT,
	           "thread_switch option 99");
	expect_ret(trap(-61, 0, -1, 0, 0, 0, 0, 0), KERN_INVALID_ARGUMENT,
	           "thread_switch option -1");
	expect_ret(trap(-61, 0, SWITCH_OPTION_WAIT, 0, 0, 0, 0, 0), 0,
	           "thread_switch WAIT 0 ms");
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, pset_name = MACH_PORT_NULL;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("trap-edges: no console\n");
	if (argc > 3)
		probe_mask = strtoul(argv[3], NULL, 0);
	tap_plan(63);
	exc_port = machr_new_receive();
	(void)mach_port_insert_right(T, exc_port, exc_port,
	                             MACH_MSG_TYPE_MAKE_SEND);
	(void)machr_thread_create(handler, NULL, NULL);
	tap_expect(thread_set_special_port(mach_thread_self(),
	                                   THREAD_EXCEPTION_PORT, exc_port),
	           0, "our thread's exception port is served by a thread");
	{
		vm_address_t a = EDGE;

		tap_expect(vm_allocate(T, &a, 4096, FALSE), 0,
		           "a page at %#lx, the hole after it", EDGE);
	}
	(void)processor_set_default(mach_host_self(), &pset_name);
	(void)host_processor_set_priv(host_priv, pset_name, &pset);

	check_trap_numbers();
	check_bad_stack();
	check_msg_pointers();
	check_print();
	check_out_pointers();
	check_set_self_state();
	check_set_self_state_registers();
	check_registers();
	check_self_refs();
	check_sched_garbage();
	tap_finish(host_priv);
	return 0;
}
