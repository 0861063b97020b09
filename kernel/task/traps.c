/*
 * The Mach trap table (task/traps.h): GNU Mach's x86_64 numbers, each
 * entry a function of the raw 64-bit arguments.  Every user pointer is
 * read or written with copyin/copyout.
 */
#include <mach/kern_return.h>
#include <mach/message.h>
#include <mach/port.h>

#include "ipc/msg.h"
#include "ipc/port.h"
#include "ipc/port_interface.h"
#include "ipc/right.h"
#include "ipc/space.h"
#include "kern/clock.h"
#include "kern/percpu.h"
#include "kern/printf.h"
#include "machine/cpu.h"
#include "machine/copyio.h"
#include "task/sched.h"
#include "task/task.h"
#include "task/thread.h"
#include "task/traps.h"

typedef uint64_t (*trap_fn)(const uint64_t *a);

struct mach_trap {
	int nargs;
	trap_fn fn; /* NULL: unused slot */
};

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

static uint64_t trap_mach_msg(const uint64_t *a)
{
	return ipc_mach_msg(task_current()->space, a[0], (mach_msg_option_t)a[1],
	                    (mach_msg_size_t)a[2], (mach_msg_size_t)a[3],
	                    (mach_port_name_t)a[4], (mach_msg_timeout_t)a[5],
	                    (mach_port_name_t)a[6]);
}

static uint64_t trap_reply_port(const uint64_t *a)
{
	mach_port_name_t name;

	(void)a;
	if (mach_port_allocate(task_current()->space,
	                       MACH_PORT_RIGHT_RECEIVE,
	                       &name) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	return name;
}

static uint64_t trap_thread_self(const uint64_t *a)
{
	struct thread *t = thread_current();

	(void)a;
	return give_send(task_copy_send(t->ith_sself));
}

static uint64_t trap_task_self(const uint64_t *a)
{
	struct task *t = task_current();
	struct port *p;
	unsigned long f;

	(void)a;
	f = spin_lock(&t->lock);
	p = t->itk_sself;
	spin_unlock(&t->lock, f);
	return give_send(task_copy_send(p));
}

static uint64_t trap_host_self(const uint64_t *a)
{
	(void)a;
	if (!host_name_port)
		return MACH_PORT_NULL;
	return give_send(task_copy_send(host_name_port()));
}

#define PRINT_MAX 1024

static uint64_t trap_print(const uint64_t *a)
{
	char buf[128];
	uint64_t at = a[0];

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

static uint64_t trap_swtch(const uint64_t *a)
{
	(void)a;
	sched_yield();
	return others_runnable();
}

static uint64_t trap_swtch_pri(const uint64_t *a)
{
	struct thread *t = thread_current();
	unsigned long f;

	(void)a;
	/* Depress to the lowest priority for one quantum, as GNU Mach. */
	f = spin_lock(&t->lock);
	t->depressed = true;
	t->priority = SCHED_PRI_IDLE - 1;
	t->depress_until = clock_now_ns() + SCHED_QUANTUM_NS;
	spin_unlock(&t->lock, f);
	sched_yield();
	return others_runnable();
}

static uint64_t trap_thread_switch(const uint64_t *a)
{
	/* The hint (a thread name) and the options are advisory. */
	if (a[1] > 2)
		return KERN_INVALID_ARGUMENT;
	if (a[1] == 1) /* SWITCH_OPTION_DEPRESS */
		trap_swtch_pri(a);
	else
		sched_yield();
	return KERN_SUCCESS;
}

static uint64_t trap_depress_abort(const uint64_t *a)
{
	struct thread *t = thread_current();
	unsigned long f;

	(void)a;
	f = spin_lock(&t->lock);
	if (t->depressed) {
		t->depressed = false;
		t->priority = t->base_priority;
	}
	spin_unlock(&t->lock, f);
	return KERN_SUCCESS;
}

static const struct mach_trap trap_table[MACH_TRAP_COUNT] = {
    [25] = {7, trap_mach_msg},
    [26] = {0, trap_reply_port},
    [27] = {0, trap_thread_self},
    [28] = {0, trap_task_self},
    [29] = {0, trap_host_self},
    [30] = {1, trap_print},
    [59] = {1, trap_swtch_pri},
    [60] = {0, trap_swtch},
    [61] = {3, trap_thread_switch},
    [76] = {1, trap_depress_abort},
};

int mach_trap_nargs(int64_t number)
{
	if (number >= 0 || number <= -MACH_TRAP_COUNT)
		return -1;
	return trap_table[-number].nargs;
}

uint64_t mach_trap_call(int64_t number, const uint64_t *args)
{
	const struct mach_trap *t = &trap_table[-number];

	if (t->fn == NULL)
		return KERN_INVALID_ARGUMENT;
	return t->fn(args);
}
