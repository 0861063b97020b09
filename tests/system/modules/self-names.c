/*
 * tests/system/modules/self-names.c — mach_task_self and mach_thread_self
 * while the name they return changes under them: the name deallocated,
 * its send right moved away in a message and back, the right re-inserted
 * under a name of our choice, the task's or thread's kernel port set to
 * another port and its send rights then removed.  Each time the trap
 * must return the name the space has now, with one more reference (a
 * kernel that remembers where it found the name must notice it moved).
 * Runs as the bootstrap task; argv = [name, host-priv, device-master].
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>

/* Our task's name now (machr_task follows it, for the runtime). */
static mach_port_t self;

/* The send references NAME has in our space, or -1. */
static int send_refs(mach_port_t name)
{
	mach_port_urefs_t refs = 0;

	if (mach_port_get_refs(self, name, MACH_PORT_RIGHT_SEND, &refs) !=
	    KERN_SUCCESS)
		return -1;
	return (int)refs;
}

/* NAME's rights in our space, or 0. */
static mach_port_type_t type_of(mach_port_t name)
{
	mach_port_type_t type = 0;

	if (mach_port_type(self, name, &type) != KERN_SUCCESS)
		return 0;
	return type;
}

/* Whether NAME works as a send right to our own task: task_info
 * through it. */
static int is_our_task(mach_port_t name)
{
	struct task_basic_info info;
	mach_msg_type_number_t n = TASK_BASIC_INFO_COUNT;

	return task_info(name, TASK_BASIC_INFO, (task_info_t)&info, &n) ==
	       KERN_SUCCESS;
}

/* Leave NAME with exactly ONE send reference. */
static kern_return_t set_send_refs(mach_port_t name, int one)
{
	int refs = send_refs(name);

	if (refs < 0)
		return KERN_INVALID_NAME;
	return mach_port_mod_refs(self, name, MACH_PORT_RIGHT_SEND,
	                          (mach_port_delta_t)(one - refs));
}

/* Use NAME as our task's name from now on. */
static void adopt(mach_port_t name)
{
	self = name;
	machr_task = name;
}

/* mach_task_self twice: the same name NAME, a send right to our task,
 * one more reference each time. */
static void expect_self(mach_port_t name, const char *what)
{
	int before = send_refs(name);
	mach_port_t a = mach_task_self(), b = mach_task_self();

	if (!tap_ok(a == name && b == name && send_refs(name) == before + 2 &&
	                is_our_task(name),
	            "%s: mach_task_self is %#x with two more references", what,
	            name))
		tap_diag("got %#x then %#x; references %d -> %d", a, b, before,
		         send_refs(name));
}

static void check_deallocated(void)
{
	mach_port_t t0 = self, t1;

	expect_self(t0, "at first");
	/* All our send references: the name goes away. */
	tap_expect(set_send_refs(t0, 0), KERN_SUCCESS,
	           "the task's name deallocated");
	t1 = mach_task_self();
	adopt(t1);
	tap_ok(t1 == t0 || type_of(t0) == 0,
	       "the old name is gone (or came back: %#x, %#x)", t0, t1);
	tap_ok(t1 != MACH_PORT_NULL && type_of(t1) == MACH_PORT_TYPE_SEND &&
	           send_refs(t1) == 1 && is_our_task(t1),
	       "mach_task_self then makes a name again (%#x, one reference)",
	       t1);
	expect_self(t1, "after that");
}

static void check_moved_away(void)
{
	mach_port_t t0 = self, t1, port = machr_new_receive();
	struct machr_word_msg m = {0};
	mach_msg_return_t mr;

	/* The last send reference leaves in a message to ourselves. */
	tap_expect(set_send_refs(t0, 1), KERN_SUCCESS, "one reference left");
	machr_msg_header(&m.h, port, MACH_MSG_TYPE_MAKE_SEND, t0,
	                 MACH_MSG_TYPE_MOVE_SEND, sizeof(mach_msg_header_t));
	mr = mach_msg(&m.h, MACH_SEND_MSG, sizeof(mach_msg_header_t), 0,
	              MACH_PORT_NULL, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
	t1 = mach_task_self();
	adopt(t1);
	tap_ok(mr == MACH_MSG_SUCCESS && (t1 == t0 || type_of(t0) == 0),
	       "the send right moved away in a message (%#x)", mr);
	tap_ok(t1 != MACH_PORT_NULL && send_refs(t1) == 1 && is_our_task(t1),
	       "mach_task_self makes a new name meanwhile (%#x)", t1);
	/* Back: the right joins the name we have now. */
	mr = mach_msg(&m.h, MACH_RCV_MSG, 0, sizeof m, port,
	              MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
	tap_ok(mr == MACH_MSG_SUCCESS && m.h.msgh_remote_port == t1 &&
	           send_refs(t1) == 2,
	       "received back under that name (%#x, %d references)",
	       m.h.msgh_remote_port, send_refs(t1));
	expect_self(t1, "after it came back");
	(void)mach_port_mod_refs(self, port, MACH_PORT_RIGHT_RECEIVE, -1);
}

/*
 * The send right moved (its last reference) to a name of our choice:
 * the old name with its top byte changed, which is another generation
 * of the same entry on a kernel that keeps the generation there (Mach_R)
 * and merely another name elsewhere.
 */
static void check_reinserted(void)
{
	mach_port_t t0 = self, t1 = self ^ 0x01000000;

	expect_self(t0, "before the move");
	tap_expect(set_send_refs(t0, 1), KERN_SUCCESS, "one reference left");
	tap_expect(mach_port_insert_right(t0, t1, t0, MACH_MSG_TYPE_MOVE_SEND),
	           KERN_SUCCESS, "the right moved to %#x", t1);
	adopt(t1);
	tap_ok(type_of(t0) == 0 && send_refs(t1) == 1,
	       "the old name is gone, the new one has the reference");
	expect_self(t1, "under the chosen name");
}

/* A port of ours with a send right made, set as the special port WHICH
 * of the task or thread TARGET, and that send right removed again: the
 * receive right alone is left.  The port, or MACH_PORT_NULL. */
static mach_port_t special_receive(mach_port_t target, int which, int thread)
{
	mach_port_t port = machr_new_receive();
	kern_return_t kr;

	kr = mach_port_insert_right(self, port, port, MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = thread ? thread_set_special_port(target, which, port)
		            : task_set_special_port(target, which, port);
	if (kr == KERN_SUCCESS)
		kr = set_send_refs(port, 0);
	if (kr != KERN_SUCCESS)
		tap_diag("special port %d: %#x", which, kr);
	return kr == KERN_SUCCESS ? port : MACH_PORT_NULL;
}

/*
 * The task's or thread's kernel port (WHICH of TARGET, THREAD telling
 * which kind) set to a port we hold the receive right of: the trap
 * (SELF_TRAP, named WHAT) copies out a send right to that port, which
 * joins its name, one more reference a call; its send rights removed
 * again (the receive right stays), the next call makes one anew; the
 * kernel port set back, the trap returns TARGET's name again.
 */
static void check_kernel_port(mach_port_t target, int which, int thread,
                              mach_port_t (*self_trap)(void), const char *what)
{
	const mach_port_type_t both =
	    MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE;
	mach_port_t got, port = special_receive(target, which, thread);
	int refs;

	tap_ok(port != MACH_PORT_NULL &&
	           type_of(port) == MACH_PORT_TYPE_RECEIVE,
	       "%s: its kernel port set to a port of ours (%#x), receive "
	       "right only",
	       what, port);
	got = self_trap();
	tap_ok(got == port && type_of(port) == both && send_refs(port) == 1,
	       "%s: a send right joins that port's name (%#x)", what, got);
	got = self_trap();
	tap_ok(got == port && send_refs(port) == 2,
	       "%s again: the same name, one more reference (%d)", what,
	       send_refs(port));
	tap_expect(set_send_refs(port, 0), KERN_SUCCESS,
	           "its send rights removed, the receive right kept");
	got = self_trap();
	tap_ok(got == port && type_of(port) == both && send_refs(port) == 1,
	       "%s makes a send right anew (%#x, %d)", what, got,
	       send_refs(port));
	tap_expect(thread ? thread_set_special_port(target, which, target)
	                  : task_set_special_port(target, which, target),
	           KERN_SUCCESS, "%s: the kernel port set back", what);
	refs = send_refs(target);
	got = self_trap();
	tap_ok(got == target && send_refs(target) == refs + 1,
	       "%s: %#x again, one more reference", what, got);
	(void)mach_port_destroy(self, port);
}

/* Threads calling mach_task_self at once: every reference counts. */
#define CALLS_PER_THREAD 3000
#define CALLERS          3

static volatile int callers_done, callers_bad;

static void caller(void *arg)
{
	int bad = 0;

	(void)arg;
	for (int i = 0; i < CALLS_PER_THREAD; i++)
		bad += mach_task_self() != self;
	__atomic_add_fetch(&callers_bad, bad, __ATOMIC_RELAXED);
	__atomic_add_fetch(&callers_done, 1, __ATOMIC_RELEASE);
}

static void check_concurrent(void)
{
	int before, after, waited = 0;

	tap_expect(set_send_refs(self, 1), KERN_SUCCESS, "one reference left");
	before = send_refs(self);
	for (int i = 0; i < CALLERS; i++)
		(void)machr_thread_create(caller, NULL, NULL);
	while (__atomic_load_n(&callers_done, __ATOMIC_ACQUIRE) < CALLERS &&
	       waited++ < 1000)
		machr_sleep_ms(10);
	after = send_refs(self);
	tap_ok(callers_done == CALLERS && callers_bad == 0 &&
	           after == before + CALLERS * CALLS_PER_THREAD,
	       "%d threads, %d calls each: the same name, every reference "
	       "counted (%d -> %d)",
	       CALLERS, CALLS_PER_THREAD, before, after);
	(void)set_send_refs(self, 1);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("self-names: no console\n");
	self = machr_task;
	tap_plan(31);
	check_deallocated();
	check_moved_away();
	check_reinserted();
	check_kernel_port(self, TASK_KERNEL_PORT, 0, mach_task_self,
	                  "mach_task_self");
	check_kernel_port(mach_thread_self(), THREAD_KERNEL_PORT, 1,
	                  mach_thread_self, "mach_thread_self");
	check_concurrent();
	tap_finish(host_priv);
	return 0;
}
