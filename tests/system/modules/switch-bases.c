/*
 * tests/system/modules/switch-bases.c — each thread runs with its own
 * FS and GS bases across context switches, whatever ran before it on the
 * CPU: threads with bases of their own (set by thread_set_state
 * i386_FSGS_BASE_STATE before they start) and threads with both bases 0
 * pass a message around a ring many times, and each one, when the
 * message reaches it, reads through %fs and %gs a variable whose value it
 * knows.  A thread with bases 0 reads it at the variable's own address,
 * so a base left over from the thread before would read elsewhere (or
 * fault).  The ring puts zero-base threads after zero-base ones (Mach_R
 * then does not write the base registers) and after threads with bases,
 * in both orders.  Both kernels must pass every lap.
 */
#include <machr/runtime.h>
#include <mach/machine/thread_status.h>
#include <machr/tap.h>
#include <stddef.h>
#include <string.h>

#define T    machr_task
#define LAPS 300

/*
 * One member of the ring.  The thread waits on `in`, checks what it
 * reads at FS + fs_off and GS + gs_off, and passes the word on to `out`
 * plus one for each check that failed.
 */
struct member {
	mach_port_t in, out;
	uint64_t fs_base, gs_base; /* what the thread is given */
	uintptr_t fs_off, gs_off;  /* where it reads through FS and GS */
	uint64_t fs_want, gs_want; /* and what it must find there */
};

static const uint64_t fs_a[1] = {0xa1a1a1a1f5f5f5f5};
static const uint64_t gs_a[1] = {0xa2a2a2a26e6e6e6e};
static const uint64_t fs_b[1] = {0xb1b1b1b1f5f5f5f5};
static const uint64_t gs_b[1] = {0xb2b2b2b26e6e6e6e};
static const uint64_t at_zero_fs = 0x0f0f0f0f01234567;
static const uint64_t at_zero_gs = 0x6a6a6a6a89abcdef;

static uint64_t fs_read(uintptr_t off)
{
	uint64_t v;

	__asm__ volatile("movq %%fs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

static uint64_t gs_read(uintptr_t off)
{
	uint64_t v;

	__asm__ volatile("movq %%gs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

/* The checks failed by the calling thread, member M. */
static uint64_t member_check(const struct member *m)
{
	return (fs_read(m->fs_off) != m->fs_want) +
	       (gs_read(m->gs_off) != m->gs_want);
}

/* A ring thread's code (started with its struct member in %rdi): no
 * runtime control block, only mach_msg. */
static __attribute__((noreturn)) void member_run(struct member *m)
{
	struct machr_word_msg msg;

	for (;;) {
		if (machr_recv_word(m->in, &msg, 0, 0) != MACH_MSG_SUCCESS)
			continue;
		(void)machr_send_word(m->out, MACH_MSG_TYPE_MAKE_SEND,
		                      MACH_PORT_NULL, 0, 1,
		                      msg.word + member_check(m), 0, 0);
	}
}

/* Start member M as a new thread with M's bases; 0 on success. */
static int member_start(struct member *m)
{
	struct i386_thread_state st;
	struct i386_fsgs_base_state b = {m->fs_base, m->gs_base};
	vm_address_t stack = 0;
	uint16_t cs, ss;
	mach_port_t th;

	if (vm_allocate(T, &stack, 65536, TRUE) != KERN_SUCCESS ||
	    thread_create(T, &th) != KERN_SUCCESS)
		return -1;
	__asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
	memset(&st, 0, sizeof(st));
	st.rip = (uintptr_t)member_run;
	st.rdi = (uintptr_t)m;
	st.rsp = st.ursp = stack + 65536 - 8;
	st.cs = cs;
	st.ss = ss;
	st.rfl = 0x202;
	if (thread_set_state(th, i386_THREAD_STATE, (thread_state_t)&st,
	                     i386_THREAD_STATE_COUNT) != KERN_SUCCESS ||
	    thread_set_state(th, i386_FSGS_BASE_STATE, (thread_state_t)&b,
	                     i386_FSGS_BASE_STATE_COUNT) != KERN_SUCCESS)
		return -1;
	return thread_resume(th) == KERN_SUCCESS ? 0 : -1;
}

/* A member with its own bases at FS and GS (reads at offset 0). */
static struct member with_bases(const uint64_t *fs, const uint64_t *gs)
{
	return (struct member){.fs_base = (uintptr_t)fs,
	                       .gs_base = (uintptr_t)gs,
	                       .fs_want = fs[0],
	                       .gs_want = gs[0]};
}

/* A member with both bases 0 (reads at the variables' addresses). */
static struct member zero_bases(void)
{
	return (struct member){.fs_off = (uintptr_t)&at_zero_fs,
	                       .gs_off = (uintptr_t)&at_zero_gs,
	                       .fs_want = at_zero_fs,
	                       .gs_want = at_zero_gs};
}

int main(int argc, char **argv)
{
	/* The ring: main (bases 0), Z (0), A, B, Y (0), back to main. */
	static struct member ring[5];
	mach_port_t host_priv, device_master;
	struct machr_word_msg msg;
	unsigned laps = 0, n = 5;
	uint64_t failed = 0;
	int started = 0;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("switch-bases: no console\n");
	tap_plan(3);
	ring[0] = zero_bases();
	ring[1] = zero_bases();
	ring[2] = with_bases(fs_a, gs_a);
	ring[3] = with_bases(fs_b, gs_b);
	ring[4] = zero_bases();
	for (unsigned i = 0; i < n; i++)
		ring[i].in = machr_new_receive();
	for (unsigned i = 0; i < n; i++)
		ring[i].out = ring[(i + 1) % n].in;
	tap_ok(member_check(&ring[0]) == 0,
	       "the main thread reads through FS and GS at base 0");
	for (unsigned i = 1; i < n; i++)
		started += member_start(&ring[i]) == 0;
	for (; started == (int)n - 1 && laps < LAPS; laps++) {
		if (machr_send_word(ring[0].out, MACH_MSG_TYPE_MAKE_SEND,
		                    MACH_PORT_NULL, 0, 1, 0, 0,
		                    0) != MACH_MSG_SUCCESS ||
		    machr_recv_word(ring[0].in, &msg, MACH_RCV_TIMEOUT, 5000) !=
		        MACH_MSG_SUCCESS)
			break;
		failed += msg.word + member_check(&ring[0]);
	}
	tap_ok(started == (int)n - 1 && laps == LAPS,
	       "%u laps of a ring of 5 threads (2 with bases, 3 without)",
	       laps);
	tap_ok(laps > 0 && failed == 0,
	       "every thread found its own FS and GS bases (%lu checks "
	       "failed)",
	       (unsigned long)failed);
	tap_finish(host_priv);
	return 0;
}
