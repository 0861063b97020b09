/*
 * The Mach trap table (task/traps.h): GNU Mach's x86_64 numbers, each
 * entry a function of the raw 64-bit arguments.  Every user pointer is
 * read or written with copyin/copyout.
 */
#include <mach/kern_return.h>
#include <mach/message.h>
#include <mach/port.h>
#include <mach/thread_switch.h>
#include <mach/machine/thread_status.h>

#include "ipc/msg.h"
#include "ipc/port.h"
#include "ipc/port_interface.h"
#include "ipc/right.h"
#include "ipc/right_name.h"
#include "ipc/space.h"
#include "kern/clock.h"
#include "kern/percpu.h"
#include "kern/printf.h"
#include "kern/slab.h"
#include "machine/thread.h"
#include "kern/thread_block.h"
#include "kern/waitq.h"
#include "machine/cpu.h"
#include "machine/copyio.h"
#include "machine/trap_args.h"
#include "task/sched.h"
#include "task/task.h"
#include "task/thread.h"
#include "task/traps.h"

/* The parameters of every mach_trap_fn. */
#define TRAP_ARGS                                                              \
	uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,       \
	    uint64_t a5

/* The largest state thread_set_self_state takes, in 32-bit words: 150
 * on GNU Mach (observed: 150 is accepted, 151 KERN_INVALID_ARGUMENT),
 * room for the largest flavor, i386_XFLOAT_STATE. */
#define THREAD_STATE_MAX_WORDS 150

/* The host name port (kernel/server); weak until that part is linked. */
__attribute__((weak)) struct port *host_name_port(void);

/* Give the caller's space a send right to PORT (consumed); its name, or
 * MACH_PORT_NULL. */
static mach_port_name_t give_send(struct port *port)
{
	mach_port_name_t name;

	if (port == NULL)
		return MACH_PORT_NULL;
	if (right_copyout(task_current()->space, port_object(port),
	                  MACH_MSG_TYPE_PORT_SEND, &name) != KERN_SUCCESS) {
		right_release(port_object(port), MACH_MSG_TYPE_PORT_SEND);
		return MACH_PORT_NULL;
	}
	return name;
}

static uint64_t trap_invalid(TRAP_ARGS)
{
	return KERN_INVALID_ARGUMENT;
}

static uint64_t MACH_TRAP_QUICK quick_invalid(void)
{
	return KERN_INVALID_ARGUMENT;
}

/* A trap's return when trap_stack_args failed: the %rax the exception's
 * handling left in the caller's registers. */
static uint64_t trap_rax_unchanged(void)
{
	return thread_current()->machine.frame->rax;
}

/* mach_msg_trap: its seventh argument, the notify port, read here: one
 * load, which every RPC makes twice (GNU Mach reads it whatever the
 * options).  ipc_mach_msg's RPC part is inline: one frame for the trap.
 * Entered with interrupts masked (MACH_MSG_TRAP_INDEX): ipc_mach_msg
 * keeps them so for an RPC's call only. */
static uint64_t trap_mach_msg(TRAP_ARGS)
{
	struct thread *self = thread_current();
	uint64_t at = self->machine.frame->rsp + 8, notify;

	if (unlikely(!trap_user_word(at, &notify))) {
		/* A fault with interrupts masked cannot wait for its page
		 * (kernel_user_fault): read it again with them on. */
		intr_enable();
		if (!trap_user_word(at, &notify)) {
			trap_stack_fault(at);
			return trap_rax_unchanged();
		}
	}
	return ipc_mach_msg(self->space, a0, (mach_msg_option_t)a1,
	                    (mach_msg_size_t)a2, (mach_msg_size_t)a3,
	                    (mach_port_name_t)a4, (mach_msg_timeout_t)a5,
	                    (mach_port_name_t)notify);
}

static uint64_t trap_reply_port(TRAP_ARGS)
{
	mach_port_name_t name;

	if (mach_port_allocate(task_current()->space, MACH_PORT_RIGHT_RECEIVE,
	                       &name) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	return name;
}

/*
 * mach_thread_self, mach_task_self, mach_host_self.  Their quick way
 * (task/traps.h): the caller's space usually names the port already,
 * where the hint says, and right_name_send_hinted adds a reference to
 * that name.  Otherwise, the general way: right_name_send searches for
 * the name (and sets the hint), and failing that a send right is made
 * from *SLOT (LOCK guards it; NULL: it never changes) and copied out,
 * which may allocate a name.
 */
static uint64_t MACH_TRAP_QUICK quick_name(mach_port_name_t name)
{
	return name != MACH_PORT_NULL ? name : MACH_TRAP_AGAIN;
}

static uint64_t self_send(struct space *space, spinlock_t *lock,
                          struct port **slot, struct right_name_hint *hint)
{
	mach_port_name_t name = right_name_send(space, slot, hint);

	if (name != MACH_PORT_NULL)
		return name;
	return give_send(lock != NULL ? task_slot_copy_send(lock, slot)
	                              : task_copy_send(*slot));
}

static uint64_t MACH_TRAP_QUICK quick_thread_self(void)
{
	struct thread *t = thread_current();

	return quick_name(right_name_send_hinted(t->space, &t->ith_sself,
	                                         &t->ith_sself_hint));
}

static uint64_t trap_thread_self(TRAP_ARGS)
{
	struct thread *t = thread_current();

	return self_send(t->space, &t->lock, &t->ith_sself, &t->ith_sself_hint);
}

static uint64_t MACH_TRAP_QUICK quick_task_self(void)
{
	struct task *t = thread_current()->task;

	return quick_name(right_name_send_hinted(t->space, &t->itk_sself,
	                                         &t->itk_sself_hint));
}

static uint64_t trap_task_self(TRAP_ARGS)
{
	struct task *t = task_current();

	return self_send(t->space, &t->lock, &t->itk_sself, &t->itk_sself_hint);
}

/* The host port is never destroyed; host_name_port is a call, which
 * makes this quick way save every register it may clobber. */
static uint64_t MACH_TRAP_QUICK quick_host_self(void)
{
	struct task *t = thread_current()->task;
	struct port *host;

	if (!host_name_port)
		return MACH_TRAP_AGAIN;
	host = host_name_port();
	return quick_name(
	    right_name_send_hinted(t->space, &host, &t->host_hint));
}

static uint64_t trap_host_self(TRAP_ARGS)
{
	struct task *t = task_current();
	struct port *host;

	if (!host_name_port)
		return MACH_PORT_NULL;
	host = host_name_port();
	return self_send(t->space, NULL, &host, &t->host_hint);
}

#define PRINT_MAX 1024

static uint64_t trap_print(TRAP_ARGS)
{
	char buf[128];
	uint64_t at = a0;

	/* Print what is readable, up to the NUL or PRINT_MAX bytes. */
	for (unsigned done = 0; done < PRINT_MAX; done += sizeof(buf) - 1) {
		size_t n = 0;

		while (n < sizeof(buf) - 1 &&
		       copyin((const void *)(at + done + n), &buf[n], 1) == 0 &&
		       buf[n] != '\0')
			n++;
		buf[n] = '\0';
		kprintf("%s", buf);
		if (n < sizeof(buf) - 1)
			break;
	}
	return KERN_SUCCESS;
}

/* Whether another thread could run here now. */
static bool others_runnable(void)
{
	return percpu_area[cpu_id()].sched->count > 0;
}

/* swtch and swtch_pri with nothing else to run here: FALSE at once, as
 * below; otherwise the general way, which yields. */
static uint64_t MACH_TRAP_QUICK quick_swtch(void)
{
	return others_runnable() ? MACH_TRAP_AGAIN : false;
}

static uint64_t trap_swtch(TRAP_ARGS)
{
	/* With nothing else to run here a yield would only come back, as
	 * GNU Mach's does not even start. */
	if (!others_runnable())
		return false;
	sched_yield();
	return others_runnable();
}

/* Depress the calling thread's priority to the lowest for MS
 * milliseconds (or until thread_depress_abort). */
static void depress(uint64_t ms)
{
	struct thread *t = thread_current();
	unsigned long f = spin_lock(&t->lock);

	t->depressed = true;
	t->depress_until = clock_now_ns() + ms * 1000000;
	t->priority = SCHED_PRI_DEPRESS;
	spin_unlock(&t->lock, f);
}

/* The caller runs again: GNU Mach ends a depression then, so none
 * outlives the call (it lasts while others have the CPU). */
static void undepress(void)
{
	struct thread *t = thread_current();
	unsigned long f = spin_lock(&t->lock);

	if (t->depressed) {
		t->depressed = false;
		sched_reprioritize(t);
	}
	spin_unlock(&t->lock, f);
}

static uint64_t trap_swtch_pri(TRAP_ARGS)
{
	bool others;

	/* Nothing else to run here: the depression would end unused. */
	if (!others_runnable())
		return false;
	depress(SCHED_QUANTUM_NS / 1000000);
	sched_yield();
	others = others_runnable();
	undepress();
	return others;
}

static uint64_t trap_thread_switch(TRAP_ARGS)
{
	uint64_t option = (uint32_t)a1, ms = (uint32_t)a2;
	struct waiter w;

	/* The hint (a thread name) is advisory. */
	switch (option) {
	case SWITCH_OPTION_NONE:
		sched_yield();
		return KERN_SUCCESS;
	case SWITCH_OPTION_DEPRESS:
		depress(ms);
		sched_yield();
		undepress();
		return KERN_SUCCESS;
	case SWITCH_OPTION_WAIT:
		/* Sleep; thread_abort ends it early, with success too. */
		waiter_init(&w);
		(void)thread_block_until(&w, clock_now_ns() + ms * 1000000);
		return KERN_SUCCESS;
	default:
		return KERN_INVALID_ARGUMENT;
	}
}

static uint64_t trap_depress_abort(TRAP_ARGS)
{
	struct thread *t = thread_current();
	unsigned long f;

	f = spin_lock(&t->lock);
	if (t->depressed) {
		t->depressed = false;
		sched_reprioritize(t);
	}
	spin_unlock(&t->lock, f);
	return KERN_SUCCESS;
}

/* --- The syscall_* traps: RPCs of mach.defs and mach_port.defs as traps,
 * the task named by the caller's send right --- */

kern_return_t kserver_vm_allocate(struct task *task, uint64_t *addr,
                                  uint64_t size, int anywhere);
kern_return_t kserver_vm_deallocate(struct task *task, uint64_t addr,
                                    uint64_t size);
kern_return_t kserver_vm_map(struct task *task, uint64_t *addr, uint64_t size,
                             uint64_t mask, int anywhere, struct port *object,
                             uint64_t offset, int copy, int cur, int max,
                             int inherit);

/* The task NAME (a send right in the caller's space) stands for,
 * referenced, or NULL. */
static struct task *task_of_name(mach_port_name_t name)
{
	struct ipc_object *o;
	mach_msg_type_name_t type;
	struct task *t;

	if (right_copyin(task_current()->space, name, MACH_MSG_TYPE_COPY_SEND,
	                 false, &o, &type) != KERN_SUCCESS)
		return NULL;
	t = IPC_OBJECT_VALID(o) ? task_from_port(port_from_object(o)) : NULL;
	right_release(o, type);
	return t;
}

/* EXPR with T the task named by NAME; KERN_INVALID_TASK if none. */
#define WITH_TASK(name, t, expr)                                               \
	({                                                                     \
		struct task *t = task_of_name((mach_port_name_t)(name));       \
		uint64_t r_ = KERN_INVALID_TASK;                               \
		if (t != NULL) {                                               \
			r_ = (expr);                                           \
			task_release(t);                                       \
		}                                                              \
		r_;                                                            \
	})

/*
 * The syscall_* traps, like GNU Mach's, do not report a bad pointer for
 * their in/out value: an unreadable one reads as 0, an unwritable one
 * loses the result, and the call's own return code stands (the
 * trap-edges module pins this).  These two helpers say so once.
 */
static uint64_t read_user_word(uint64_t uaddr)
{
	uint64_t v = 0;

	if (copyin((const void *)uaddr, &v, sizeof(v)) != 0)
		v = 0;
	return v;
}

static void write_user(uint64_t uaddr, const void *v, size_t n)
{
	(void)copyout(v, (void *)uaddr, n);
}

static uint64_t vm_allocate_user(struct task *t, uint64_t uaddr, uint64_t size,
                                 uint64_t anywhere)
{
	uint64_t addr = read_user_word(uaddr);
	kern_return_t kr;

	kr = kserver_vm_allocate(t, &addr, size, (int)anywhere);
	if (kr == KERN_SUCCESS)
		write_user(uaddr, &addr, sizeof(addr));
	return kr;
}

static uint64_t trap_vm_allocate(TRAP_ARGS)
{
	return WITH_TASK(a0, t, vm_allocate_user(t, a1, a2, a3));
}

static uint64_t trap_vm_deallocate(TRAP_ARGS)
{
	return WITH_TASK(a0, t, kserver_vm_deallocate(t, a1, a2));
}

static uint64_t vm_map_user(struct task *t, const uint64_t *a)
{
	uint64_t addr;
	kern_return_t kr;

	if ((mach_port_name_t)a[5] != MACH_PORT_NULL)
		return KERN_INVALID_ARGUMENT; /* memory objects: the VM issue */
	addr = read_user_word(a[1]);
	kr = kserver_vm_map(t, &addr, a[2], a[3], (int)a[4], NULL, a[6],
	                    (int)a[7], (int)a[8], (int)a[9], (int)a[10]);
	if (kr == KERN_SUCCESS)
		write_user(a[1], &addr, sizeof(addr));
	return kr;
}

static uint64_t trap_vm_map(TRAP_ARGS)
{
	uint64_t a[11] = {a0, a1, a2, a3, a4, a5};

	if (unlikely(!trap_stack_args(&a[6], 5)))
		return trap_rax_unchanged();
	return WITH_TASK(a0, t, vm_map_user(t, a));
}

static uint64_t task_create_user_trap(struct task *parent, uint64_t inherit,
                                      uint64_t uname)
{
	struct task *child;
	mach_port_name_t name;
	kern_return_t kr;

	kr = task_create_user(parent, (int)inherit != 0, &child);
	if (kr != KERN_SUCCESS)
		return kr;
	name = give_send(task_copy_send(child->itk_sself));
	task_release(child);
	write_user(uname, &name, sizeof(name));
	return KERN_SUCCESS;
}

static uint64_t trap_task_create(TRAP_ARGS)
{
	return WITH_TASK(a0, t, task_create_user_trap(t, a1, a2));
}

static uint64_t trap_task_terminate(TRAP_ARGS)
{
	return WITH_TASK(a0, t, task_terminate(t));
}

static uint64_t trap_task_suspend(TRAP_ARGS)
{
	return WITH_TASK(a0, t, task_suspend(t));
}

static uint64_t port_allocate_user(struct task *t, uint64_t right,
                                   uint64_t uname)
{
	mach_port_name_t name;
	kern_return_t kr;

	kr = mach_port_allocate(t->space, (mach_port_right_t)right, &name);
	if (kr == KERN_SUCCESS)
		write_user(uname, &name, sizeof(name));
	return kr;
}

static uint64_t trap_port_allocate(TRAP_ARGS)
{
	return WITH_TASK(a0, t, port_allocate_user(t, a1, a2));
}

static uint64_t trap_port_deallocate(TRAP_ARGS)
{
	return WITH_TASK(a0, t,
	                 mach_port_deallocate(t->space, (mach_port_name_t)a1));
}

static uint64_t trap_port_allocate_name(TRAP_ARGS)
{
	return WITH_TASK(a0, t,
	                 mach_port_allocate_name(t->space,
	                                         (mach_port_right_t)a1,
	                                         (mach_port_name_t)a2));
}

static uint64_t port_insert_user(struct task *t, uint64_t name, uint64_t right,
                                 uint64_t type_in)
{
	struct ipc_object *o;
	mach_msg_type_name_t type;
	kern_return_t kr;

	/* The right comes from the caller's space, as in a message. */
	kr = right_copyin(task_current()->space, (mach_port_name_t)right,
	                  (mach_msg_type_name_t)type_in, false, &o, &type);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = mach_port_insert_right(t->space, (mach_port_name_t)name, o, type);
	if (kr != KERN_SUCCESS)
		right_release(o, type);
	return kr;
}

kern_return_t kserver_task_set_special_port(struct task *task, int which,
                                            struct port *port);

static uint64_t set_special_user(struct task *t, uint64_t which, uint64_t name)
{
	struct ipc_object *o;
	mach_msg_type_name_t type;
	kern_return_t kr;

	kr = right_copyin(task_current()->space, (mach_port_name_t)name,
	                  MACH_MSG_TYPE_COPY_SEND, true, &o, &type);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = kserver_task_set_special_port(
	    t, (int)which, IPC_OBJECT_VALID(o) ? port_from_object(o) : NULL);
	if (kr != KERN_SUCCESS)
		right_release(o, type);
	return kr;
}

static uint64_t trap_task_set_special_port(TRAP_ARGS)
{
	return WITH_TASK(a0, t, set_special_user(t, a1, a2));
}

static uint64_t trap_port_insert_right(TRAP_ARGS)
{
	return WITH_TASK(a0, t, port_insert_user(t, a1, a2, a3));
}

/* thread_set_self_state(flavor, state, count): the caller's registers
 * become STATE when the trap returns (all of them: %rax too). */
static uint64_t trap_set_self_state(TRAP_ARGS)
{
	struct thread *t = thread_current();
	uint32_t count = (uint32_t)a2;
	uint32_t *buf;
	kern_return_t kr;

	if (count > THREAD_STATE_MAX_WORDS)
		return KERN_INVALID_ARGUMENT;
	buf = kmalloc(THREAD_STATE_MAX_WORDS * sizeof(uint32_t));
	if (buf == NULL)
		return KERN_RESOURCE_SHORTAGE;
	if (copyin((const void *)a1, buf, count * sizeof(uint32_t)) != 0) {
		kfree(buf);
		return KERN_INVALID_ARGUMENT; /* GNU Mach's answer */
	}
	kr = machine_thread_set_state(t, (int)a0, buf, count);
	kfree(buf);
	if (kr != KERN_SUCCESS)
		return kr;
	/* A new register state takes effect whole, %rax included; other
	 * flavors return KERN_SUCCESS. */
	if ((int)a0 == i386_THREAD_STATE || (int)a0 == i386_REGS_SEGS_STATE)
		return t->machine.frame->rax;
	return KERN_SUCCESS;
}

/* The table, one line a trap: its number, its function, its quick way
 * or NULL.  Every other slot is an unused one, trap_invalid, whose quick
 * way answers the same. */
#define MACH_TRAPS(X)                                                          \
	X(MACH_MSG_TRAP_INDEX, trap_mach_msg, NULL)                            \
	X(26, trap_reply_port, NULL)                                           \
	X(27, trap_thread_self, quick_thread_self)                             \
	X(28, trap_task_self, quick_task_self)                                 \
	X(29, trap_host_self, quick_host_self)                                 \
	X(30, trap_print, NULL)                                                \
	X(59, trap_swtch_pri, quick_swtch)                                     \
	X(60, trap_swtch, quick_swtch)                                         \
	X(61, trap_thread_switch, NULL)                                        \
	X(64, trap_vm_map, NULL)                                               \
	X(65, trap_vm_allocate, NULL)                                          \
	X(66, trap_vm_deallocate, NULL)                                        \
	X(68, trap_task_create, NULL)                                          \
	X(69, trap_task_terminate, NULL)                                       \
	X(70, trap_task_suspend, NULL)                                         \
	X(71, trap_task_set_special_port, NULL)                                \
	X(72, trap_port_allocate, NULL)                                        \
	X(73, trap_port_deallocate, NULL)                                      \
	X(74, trap_port_insert_right, NULL)                                    \
	X(75, trap_port_allocate_name, NULL)                                   \
	X(76, trap_depress_abort, NULL)                                        \
	X(77, trap_set_self_state, NULL)

#define FAST_SLOT(n, fast, quick)  [n] = fast,
#define QUICK_SLOT(n, fast, quick) [n] = quick,

/* The initializers override the range first given. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
const mach_trap_fn mach_trap_fast[MACH_TRAP_COUNT] = {
    [0 ... MACH_TRAP_COUNT - 1] = trap_invalid, MACH_TRAPS(FAST_SLOT)};

const mach_trap_quick_fn mach_trap_quick[MACH_TRAP_COUNT] = {
    [0 ... MACH_TRAP_COUNT - 1] = quick_invalid, MACH_TRAPS(QUICK_SLOT)};
#pragma GCC diagnostic pop
