/*
 * tests/system/modules/threads-misc.c — threads of one task together:
 * ten threads asleep at once (thread_switch waits and receives with a
 * timeout) that all wake and report; per-thread FS/GS bases
 * (i386_FSGS_BASE_STATE given to ten threads, each reading its own at
 * %fs:0 and %gs:0); thread_abort of a blocked receive after
 * thread_set_state rewrote the blocked thread's registers (it goes on at
 * the new rip and finds the receive's code in %rax); task_threads and task_info
 * as threads come and go; task_resume on the dead name of a terminated task; a
 * fault handler that turns the faulting thread to a function of ours, which
 * allocates the missing page and goes back to the faulting instruction
 * with thread_set_self_state.  Each check states what GNU Mach answers.
 */
#include <mach/exc_server.h>
#include <mach/exception.h>
#include <mach/thread_switch.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T       machr_task
#define NSLEEP  10
#define NFSGS   10
#define NCOME   5
#define SLEEPMS 300

/* Trap -77 (mach/syscall_sw.h); no header declares it. */
kern_return_t thread_set_self_state(int flavor, natural_t *state,
                                    natural_t count);
boolean_t exc_server(mach_msg_header_t *in, mach_msg_header_t *out);

static mach_port_t rep;  /* threads report here */
static mach_port_t park; /* threads that are done block here */

static void report(mach_msg_id_t id, uint64_t word)
{
	(void)machr_send_word(rep, MACH_MSG_TYPE_MAKE_SEND, MACH_PORT_NULL, 0,
	                      id, word, 0, 0);
}

/* A report within 5 s: its id in *ID, the word returned (~0 if none). */
static uint64_t next_report(mach_msg_id_t *id)
{
	struct machr_word_msg m;

	*id = -1;
	if (machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, 5000) != 0)
		return ~(uint64_t)0;
	*id = m.h.msgh_id;
	return m.word;
}

static _Noreturn void park_forever(void)
{
	struct machr_word_msg m;

	for (;;)
		(void)machr_recv_word(park, &m, 0, 0);
}

/*
 * Deallocate the name of a runtime thread that ends by itself once it is
 * a dead name (the thread terminates itself through that very name, so
 * it must not be freed and reused before).  Gives up after 5 s.
 */
static void release_when_dead(mach_port_t th)
{
	for (int i = 0; i < 500; i++) {
		mach_port_type_t t = 0;

		if (mach_port_type(T, th, &t) != 0 ||
		    t == MACH_PORT_TYPE_DEAD_NAME) {
			(void)mach_port_deallocate(T, th);
			return;
		}
		machr_sleep_ms(10);
	}
	tap_diag("thread name %#x never died", th);
}

/* ------------------------------------------------------------------ */
/* 1. Ten sleepers */

static void sleeper(void *arg)
{
	int i = (int)(uintptr_t)arg;
	int64_t t0 = machr_now_ms();
	kern_return_t kr;

	if (i % 2 == 0) {
		kr = thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, SLEEPMS);
	} else {
		struct machr_word_msg m;
		mach_port_t p = machr_new_receive();

		kr = machr_recv_word(p, &m, MACH_RCV_TIMEOUT, SLEEPMS);
		(void)mach_port_destroy(T, p);
	}
	/* The code in the low half, the time slept in the high half. */
	report(i, (uint64_t)(uint32_t)kr | (uint64_t)(machr_now_ms() - t0)
	                                       << 32);
}

static void check_sleepers(void)
{
	mach_port_t th[NSLEEP];
	int seen = 0, codes_ok = 1, slept_ok = 1, n = 0;
	int64_t t0 = machr_now_ms(), total;

	for (int i = 0; i < NSLEEP; i++)
		if (machr_thread_create(sleeper, (void *)(uintptr_t)i,
		                        &th[i]) == 0)
			n++;
	tap_ok(n == NSLEEP, "start %d sleeping threads (%d started)", NSLEEP,
	       n);
	for (int k = 0; k < NSLEEP; k++) {
		mach_msg_id_t id;
		uint64_t w = next_report(&id);
		kern_return_t want;
		int64_t ms = (int64_t)(w >> 32);

		if (id < 0 || id >= NSLEEP || (seen & (1 << id)))
			break;
		seen |= 1 << id;
		/* GNU Mach: a thread_switch wait ends with KERN_SUCCESS,
		 * the receive with MACH_RCV_TIMED_OUT. */
		want = id % 2 == 0 ? KERN_SUCCESS : MACH_RCV_TIMED_OUT;
		if ((kern_return_t)(uint32_t)w != want) {
			tap_diag("thread %d: code %#x", id, (uint32_t)w);
			codes_ok = 0;
		}
		if (ms < SLEEPMS - 50) {
			tap_diag("thread %d woke after %ld ms", id, (long)ms);
			slept_ok = 0;
		}
	}
	total = machr_now_ms() - t0;
	tap_ok(seen == (1 << NSLEEP) - 1, "all %d woke and reported (%#x)",
	       NSLEEP, seen);
	tap_ok(codes_ok, "waits ended with KERN_SUCCESS, receives with "
	                 "MACH_RCV_TIMED_OUT");
	tap_ok(slept_ok, "each slept its %d ms", SLEEPMS);
	tap_ok(total < 5 * SLEEPMS,
	       "they slept at the same time (all done after %ld ms)",
	       (long)total);
	for (int i = 0; i < NSLEEP; i++)
		release_when_dead(th[i]);
}

/* ------------------------------------------------------------------ */
/* 2. Per-thread FS/GS bases */

static uint64_t fs_areas[NFSGS], gs_areas[NFSGS];
static uint64_t fs_seen[NFSGS], gs_seen[NFSGS];
static mach_port_t fsgs_go;

static void fsgs_worker(void *arg)
{
	int i = (int)(uintptr_t)arg;
	struct machr_word_msg m;
	uint64_t fs0, gs0;

	/* Blocked here while its bases are set (an interrupted receive is
	 * retried by the runtime's mach_msg). */
	(void)machr_recv_word(fsgs_go, &m, 0, 0);
	__asm__ volatile("mov %%fs:0, %0\n\tmov %%gs:0, %1"
	                 : "=r"(fs0), "=r"(gs0));
	fs_seen[i] = fs0;
	gs_seen[i] = gs0;
	report(100 + i, 0);
	park_forever();
}

static void check_fsgs(void)
{
	mach_port_t th[NFSGS];
	int set_ok = 1, read_ok = 1, seen_ok = 1, got = 0;

	fsgs_go = machr_new_receive();
	for (int i = 0; i < NFSGS; i++) {
		fs_areas[i] = 0xf500000000000000ull | (uint64_t)i;
		gs_areas[i] = 0x6500000000000000ull | (uint64_t)i << 8;
		th[i] = MACH_PORT_NULL;
		(void)machr_thread_create(fsgs_worker, (void *)(uintptr_t)i,
		                          &th[i]);
	}
	for (int i = 0; i < NFSGS; i++) {
		struct i386_fsgs_base_state b = {(uintptr_t)&fs_areas[i],
		                                 (uintptr_t)&gs_areas[i]};
		mach_msg_type_number_t n = i386_FSGS_BASE_STATE_COUNT;

		(void)machr_thread_wait_blocked(th[i]);
		if (thread_suspend(th[i]) != 0 ||
		    thread_set_state(th[i], i386_FSGS_BASE_STATE,
		                     (thread_state_t)&b,
		                     i386_FSGS_BASE_STATE_COUNT) != 0)
			set_ok = 0;
		memset(&b, 0, sizeof b);
		if (thread_get_state(th[i], i386_FSGS_BASE_STATE,
		                     (thread_state_t)&b, &n) != 0 ||
		    b.fs_base != (uintptr_t)&fs_areas[i] ||
		    b.gs_base != (uintptr_t)&gs_areas[i])
			read_ok = 0;
		if (thread_resume(th[i]) != 0)
			set_ok = 0;
	}
	tap_ok(set_ok, "give %d blocked threads FS and GS bases of their own",
	       NFSGS);
	tap_ok(read_ok, "thread_get_state reads each thread's bases back");
	for (int i = 0; i < NFSGS; i++)
		(void)machr_send_word(fsgs_go, MACH_MSG_TYPE_MAKE_SEND,
		                      MACH_PORT_NULL, 0, 1, 0, 0, 0);
	for (int k = 0; k < NFSGS; k++) {
		mach_msg_id_t id;

		(void)next_report(&id);
		if (id >= 100 && id < 100 + NFSGS)
			got++;
	}
	for (int i = 0; i < NFSGS; i++)
		if (fs_seen[i] != fs_areas[i] || gs_seen[i] != gs_areas[i]) {
			tap_diag("thread %d read %#lx %#lx", i,
			         (unsigned long)fs_seen[i],
			         (unsigned long)gs_seen[i]);
			seen_ok = 0;
		}
	tap_ok(got == NFSGS && seen_ok,
	       "each of the %d reads its own values at %%fs:0 and %%gs:0", got);
	for (int i = 0; i < NFSGS; i++) {
		(void)thread_terminate(th[i]);
		(void)mach_port_deallocate(T, th[i]);
	}
	(void)mach_port_destroy(T, fsgs_go);
}

/* ------------------------------------------------------------------ */
/* 3. thread_abort after thread_set_state of a blocked receiver */

/* What landing found in the registers when the thread got there. */
struct landed {
	uint64_t rax, rdi, rsi, rsp;
};
extern struct landed landed;
struct landed landed;
void landing(void);
void landing_report(void);

/* clang-format off */
__asm__(".text\n"
	".globl landing\n"
	"landing:\n"
	"mov %rax, landed+0(%rip)\n"
	"mov %rdi, landed+8(%rip)\n"
	"mov %rsi, landed+16(%rip)\n"
	"mov %rsp, landed+24(%rip)\n"
	"and $-16, %rsp\n"
	"call landing_report\n"
	"ud2\n");
/* clang-format on */

#define ID_LANDED   200
#define ID_RETURNED 201

void landing_report(void)
{
	report(ID_LANDED, 0);
	park_forever();
}

static mach_port_t abort_port;

static void abort_receiver(void *arg)
{
	struct machr_word_msg m;
	kern_return_t kr;

	(void)arg;
	kr = mach_msg_trap(&m.h, MACH_RCV_MSG | MACH_RCV_INTERRUPT, 0, sizeof m,
	                   abort_port, 0, MACH_PORT_NULL);
	report(ID_RETURNED, (uint64_t)kr);
	park_forever();
}

static void check_abort_after_set_state(void)
{
	struct i386_thread_state st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	mach_port_t th = MACH_PORT_NULL;
	vm_address_t stack = 0;
	mach_msg_id_t id;
	uint64_t w;
	int ok;

	abort_port = machr_new_receive();
	(void)vm_allocate(T, &stack, 65536, TRUE);
	(void)machr_thread_create(abort_receiver, NULL, &th);
	ok = machr_thread_wait_blocked(th) && thread_suspend(th) == 0 &&
	     thread_get_state(th, i386_THREAD_STATE, (thread_state_t)&st, &n) ==
	         0;
	tap_ok(ok, "a thread blocked in a receive, suspended, its state read");
	st.rip = (uintptr_t)landing;
	st.rax = 0xaaaa5555;
	st.rdi = 0xd1d1d1d1;
	st.rsi = 0x5151;
	st.rsp = st.ursp = stack + 65536 - 8;
	tap_expect(thread_set_state(th, i386_THREAD_STATE, (thread_state_t)&st,
	                            i386_THREAD_STATE_COUNT),
	           0, "thread_set_state: new rip, rax, rdi, rsi and stack");
	tap_expect(thread_abort(th), 0, "thread_abort of it");
	tap_expect(thread_resume(th), 0, "thread_resume");
	w = next_report(&id);
	/* GNU Mach: the thread goes on at the new rip with the registers
	 * as set, except rax: the aborted receive still returns
	 * MACH_RCV_INTERRUPTED there, over the value set. */
	tap_ok(id == ID_LANDED,
	       "it goes on at the new rip (report %d, word %#lx)", id,
	       (unsigned long)w);
	tap_ok(landed.rdi == 0xd1d1d1d1 && landed.rsi == 0x5151 &&
	           landed.rsp == stack + 65536 - 8,
	       "with the rdi, rsi and stack set (rsp %#lx)",
	       (unsigned long)landed.rsp);
	tap_ok(landed.rax == MACH_RCV_INTERRUPTED,
	       "and MACH_RCV_INTERRUPTED in rax, not the value set (%#lx)",
	       (unsigned long)landed.rax);
	(void)thread_terminate(th);
	(void)mach_port_deallocate(T, th);
	(void)mach_port_destroy(T, abort_port);
}

/* ------------------------------------------------------------------ */
/* 4. task_threads and task_info as threads come and go */

static void idler(void *arg)
{
	(void)arg;
	park_forever();
}

/* Number of our threads (-1 on error); *HAS gets a bit for each of
 * TH[0..NCOME) in the list. */
static int count_threads(const mach_port_t *th, unsigned *has)
{
	thread_array_t list;
	mach_msg_type_number_t n = 0;

	*has = 0;
	if (task_threads(T, &list, &n) != 0)
		return -1;
	for (mach_msg_type_number_t i = 0; i < n; i++) {
		for (int k = 0; k < NCOME; k++)
			if (th[k] != MACH_PORT_NULL && list[i] == th[k])
				*has |= 1u << k;
		(void)mach_port_deallocate(T, list[i]);
	}
	(void)vm_deallocate(T, (vm_address_t)list, n * sizeof *list);
	return (int)n;
}

static int basic_info_ok(void)
{
	task_basic_info_data_t bi;
	task_thread_times_info_data_t tt;
	mach_msg_type_number_t n = TASK_BASIC_INFO_COUNT;
	mach_msg_type_number_t m = TASK_THREAD_TIMES_INFO_COUNT;

	return task_info(T, TASK_BASIC_INFO, (task_info_t)&bi, &n) == 0 &&
	       n == TASK_BASIC_INFO_COUNT && bi.suspend_count == 0 &&
	       task_info(T, TASK_THREAD_TIMES_INFO, (task_info_t)&tt, &m) ==
	           0 &&
	       m == TASK_THREAD_TIMES_INFO_COUNT;
}

static void check_counts(void)
{
	mach_port_t th[NCOME] = {0};
	unsigned has;
	int base, n, started = 0;

	base = count_threads(th, &has);
	tap_ok(base >= 1 && basic_info_ok(),
	       "task_threads before: %d; task_info answers", base);
	for (int i = 0; i < NCOME; i++)
		if (machr_thread_create(idler, NULL, &th[i]) == 0)
			started++;
	n = count_threads(th, &has);
	tap_ok(started == NCOME && n == base + NCOME &&
	           has == (1u << NCOME) - 1,
	       "%d threads more: task_threads lists %d, ours among them (%#x)",
	       started, n, has);
	tap_ok(basic_info_ok(), "task_info answers with them");
	tap_expect(thread_terminate(th[1]), 0, "thread_terminate one");
	tap_expect(thread_terminate(th[3]), 0, "and another");
	n = count_threads(th, &has);
	tap_ok(n == base + NCOME - 2 && has == 0x15,
	       "task_threads lists %d, without those two (%#x)", n, has);
	tap_ok(basic_info_ok(), "task_info answers");
	for (int i = 0; i < NCOME; i++) {
		if (i != 1 && i != 3)
			(void)thread_terminate(th[i]);
		(void)mach_port_deallocate(T, th[i]);
		th[i] = MACH_PORT_NULL;
	}
	n = count_threads(th, &has);
	tap_ok(n == base, "all gone: task_threads lists %d again", n);
}

static void check_dead_task(void)
{
	mach_port_t c = MACH_PORT_NULL;
	mach_port_type_t t = 0;

	tap_expect(task_create(T, FALSE, &c), 0, "task_create");
	tap_expect(task_terminate(c), 0, "task_terminate");
	(void)mach_port_type(T, c, &t);
	tap_ok(t == MACH_PORT_TYPE_DEAD_NAME, "its name is a dead name (%#x)",
	       t);
	/* GNU Mach: the RPC finds no destination. */
	tap_expect(task_resume(c), MACH_SEND_INVALID_DEST,
	           "task_resume on the dead name");
	tap_expect(task_suspend(c), MACH_SEND_INVALID_DEST,
	           "task_suspend on it");
	(void)mach_port_deallocate(T, c);
}

/* ------------------------------------------------------------------ */
/* 5. A fault handler that runs in the faulting thread */

void touch(uint64_t *p);
/* clang-format off */
__asm__(".text\n"
	".globl touch\n"
	"touch:\n"
	"movq $0x600df00d, (%rdi)\n"
	"ret\n");
/* clang-format on */

static mach_port_t exc_port;
static vm_address_t hole;
static struct i386_thread_state saved; /* the faulting thread's state */
static struct {
	integer_t exc, code;
	long subcode;
	uintptr_t rip;
	kern_return_t get, set;
} seen;
static kern_return_t fixer_alloc = -1, fixer_self = -1;
static vm_address_t fixer_addr;

/* Runs in the faulting thread, on its own stack below the fault. */
static void fixer(struct i386_thread_state *st)
{
	vm_address_t a = hole;

	fixer_alloc = vm_allocate(T, &a, 4096, FALSE);
	fixer_addr = a;
	fixer_self = thread_set_self_state(i386_THREAD_STATE, (natural_t *)st,
	                                   i386_THREAD_STATE_COUNT);
	report(ID_RETURNED, (uint64_t)fixer_self); /* not reached */
	park_forever();
}

kern_return_t catch_exception_raise(mach_port_t port, mach_port_t thread,
                                    mach_port_t task, integer_t exception,
                                    integer_t code, rpc_long_integer_t subcode)
{
	struct i386_thread_state st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;
	uint64_t sp;

	(void)port;
	seen.exc = exception;
	seen.code = code;
	seen.subcode = subcode;
	seen.get = thread_get_state(thread, i386_THREAD_STATE,
	                            (thread_state_t)&saved, &n);
	seen.rip = saved.rip;
	st = saved;
	/* Below the faulting frame (and its red zone), as if just called. */
	sp = ((saved.ursp - 512) & ~(uint64_t)15) - 8;
	st.rip = (uintptr_t)fixer;
	st.rdi = (uintptr_t)&saved;
	st.rsp = st.ursp = sp;
	seen.set =
	    thread_set_state(thread, i386_THREAD_STATE, (thread_state_t)&st,
	                     i386_THREAD_STATE_COUNT);
	(void)mach_port_deallocate(T, thread);
	(void)mach_port_deallocate(T, task);
	return KERN_SUCCESS;
}

#define ID_TOUCHED 300

static void toucher(void *arg)
{
	(void)arg;
	(void)thread_set_special_port(mach_thread_self(), THREAD_EXCEPTION_PORT,
	                              exc_port);
	touch((uint64_t *)(hole + 24));
	report(ID_TOUCHED, *(volatile uint64_t *)(hole + 24));
	park_forever();
}

static void check_fault_fixer(void)
{
	union {
		mach_msg_header_t h;
		char buf[512];
	} in, out;
	mach_port_t th = MACH_PORT_NULL;
	mach_msg_id_t id;
	uint64_t w;
	int ok;

	exc_port = machr_new_receive();
	(void)mach_port_insert_right(T, exc_port, exc_port,
	                             MACH_MSG_TYPE_MAKE_SEND);
	(void)vm_allocate(T, &hole, 4096, TRUE);
	(void)vm_deallocate(T, hole, 4096);
	(void)machr_thread_create(toucher, NULL, &th);
	ok = mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in,
	              exc_port, 5000, MACH_PORT_NULL) == 0 &&
	     in.h.msgh_id == 2400 && exc_server(&in.h, &out.h);
	tap_ok(ok && seen.exc == EXC_BAD_ACCESS &&
	           seen.code == KERN_INVALID_ADDRESS &&
	           seen.subcode == (long)(hole + 24),
	       "a write to an unmapped page: EXC_BAD_ACCESS at %#lx (code "
	       "%#x)",
	       (unsigned long)seen.subcode, seen.code);
	tap_ok(seen.get == 0 && seen.set == 0 && seen.rip == (uintptr_t)touch,
	       "the handler reads the state (rip at the write) and points "
	       "the thread at a function of ours");
	ok = ok && mach_msg(&out.h, MACH_SEND_MSG, out.h.msgh_size, 0,
	                    MACH_PORT_NULL, 0, MACH_PORT_NULL) == 0;
	w = next_report(&id);
	tap_ok(ok && fixer_alloc == 0 && fixer_addr == hole,
	       "that function runs in the faulting thread: vm_allocate at "
	       "%#lx (%#x)",
	       (unsigned long)fixer_addr, fixer_alloc);
	tap_ok(id == ID_TOUCHED && w == 0x600df00d,
	       "thread_set_self_state takes it back to the write, which "
	       "succeeds (report %d, word %#lx)",
	       id, (unsigned long)w);
	tap_ok(*(volatile uint64_t *)(hole + 24) == 0x600df00d &&
	           *(volatile uint64_t *)hole == 0,
	       "the new page holds the value, zero elsewhere");
	(void)thread_terminate(th);
	(void)mach_port_deallocate(T, th);
	(void)mach_port_destroy(T, exc_port);
	(void)vm_deallocate(T, hole, 4096);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("threads-misc: no console\n");
	tap_plan(33);
	rep = machr_new_receive();
	park = machr_new_receive();
	check_sleepers();
	check_fsgs();
	check_abort_after_set_state();
	check_counts();
	check_dead_task();
	check_fault_fixer();
	tap_finish(host_priv);
	return 0;
}
