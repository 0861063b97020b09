/*
 * The kernel RPCs on tasks and threads (mach.defs, gnumach.defs): the
 * kserver_* routines MIG's server stubs call (kernel/server).  Compiled
 * with the kernel-server flags (mk/kernel.mk): ports are struct port
 * pointers, task_t and thread_t the kernel objects, each passed with a
 * reference MIG drops after the call.  A port returned through an `out
 * mach_port_t` must be a send right the reply can move.
 */
#include "server/mig_kernel.h"

#include <mach/task_info.h>
#include <mach/thread_info.h>
#include <mach/thread_special_ports.h>
#include <mach/thread_status.h>
#include <mach_debug/mach_debug_types.h>

#include "ipc/kmsg.h"
#include "ipc/port.h"
#include "ipc/port_interface.h"
#include "kern/clock.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "machine/pmap.h"
#include "machine/segments.h"
#include "machine/thread.h"
#include "task/sched.h"
#include "task/sched.h"
#include "task/task.h"
#include "task/thread.h"
#include "vm/map.h"

kern_return_t kserver_task_create(task_t parent, boolean_t inherit,
                                  task_t *child)
{
	if (parent == NULL)
		return KERN_INVALID_TASK;
	return task_create_user(parent, inherit, child);
}

kern_return_t kserver_task_terminate(task_t task)
{
	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	return task_terminate(task);
}

kern_return_t kserver_task_threads(task_t task, thread_array_t *list,
                                   mach_msg_type_number_t *count)
{
	struct port **ports = NULL;
	unsigned n = 0;
	unsigned long f;

	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	/* The array (exactly one slot per thread: the message layer frees
	 * it by its count) is allocated under the lock; that never sleeps. */
	f = spin_lock(&task->lock);
	if (task->thread_count > 0) {
		ports = kbuf_alloc(task->thread_count * sizeof(*ports));
		if (ports == NULL) {
			spin_unlock(&task->lock, f);
			return KERN_RESOURCE_SHORTAGE;
		}
	}
	list_for_each_entry(struct thread, t, &task->threads, task_link)
	{
		ports[n++] = task_copy_send(t->ith_sself);
	}
	spin_unlock(&task->lock, f);
	*list = (thread_array_t)ports;
	*count = n;
	return KERN_SUCCESS;
}

kern_return_t kserver_task_suspend(task_t task)
{
	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	return task_suspend(task);
}

kern_return_t kserver_task_resume(task_t task)
{
	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	return task_resume(task);
}

static void time_fill(uint64_t ns, rpc_time_value_t *tv, time_value64_t *tv64)
{
	tv->seconds = (int)(ns / 1000000000);
	tv->microseconds = (int)(ns % 1000000000 / 1000);
	tv64->seconds = (int64_t)(ns / 1000000000);
	tv64->nanoseconds = (int64_t)(ns % 1000000000);
}

/* Sum of the run times of TASK's live threads.  Locks: TASK->lock. */
static uint64_t live_threads_ns(struct task *task)
{
	uint64_t ns = 0;

	list_for_each_entry(struct thread, t, &task->threads, task_link)
	{
		ns += t->user_ns;
	}
	return ns;
}

kern_return_t kserver_task_info(task_t task, int flavor, task_info_t out,
                                mach_msg_type_number_t *count)
{
	unsigned long f;

	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	switch (flavor) {
	case TASK_BASIC_INFO: {
		struct task_basic_info *bi = (void *)out;
		struct pmap_stats st = {0};
		uint64_t vsize = 0, addr = 0, size, off;
		vm_prot_t p, m;
		vm_inherit_t inh;
		bool shared;

		if (*count < TASK_BASIC_INFO_COUNT)
			return KERN_INVALID_ARGUMENT;
		if (task->pmap && task != kernel_task)
			pmap_get_stats(task->pmap, &st);
		while (task->map &&
		       vm_map_region(task->map, &addr, &size, &p, &m, &inh,
		                     &shared, &off) == KERN_SUCCESS) {
			vsize += size;
			addr += size;
		}
		memset(bi, 0, sizeof(*bi));
		f = spin_lock(&task->lock);
		bi->suspend_count = task->suspend_count;
		bi->base_priority = task->priority;
		bi->virtual_size = vsize;
		bi->resident_size = st.resident * PAGE_SIZE;
		time_fill(task->user_ns, &bi->user_time, &bi->user_time64);
		time_fill(task->system_ns, &bi->system_time,
		          &bi->system_time64);
		spin_unlock(&task->lock, f);
		time_fill(task->creation_ns, &bi->creation_time,
		          &bi->creation_time64);
		*count = TASK_BASIC_INFO_COUNT;
		return KERN_SUCCESS;
	}
	case TASK_EVENTS_INFO: {
		struct task_events_info *ei = (void *)out;

		if (*count < TASK_EVENTS_INFO_COUNT)
			return KERN_INVALID_ARGUMENT;
		memset(ei, 0, sizeof(*ei));
		ei->faults = task->faults;
		ei->zero_fills = task->zero_fills;
		ei->messages_sent = task->messages_sent;
		ei->messages_received = task->messages_received;
		*count = TASK_EVENTS_INFO_COUNT;
		return KERN_SUCCESS;
	}
	case TASK_THREAD_TIMES_INFO: {
		struct task_thread_times_info *ti = (void *)out;
		uint64_t ns;

		if (*count < TASK_THREAD_TIMES_INFO_COUNT)
			return KERN_INVALID_ARGUMENT;
		memset(ti, 0, sizeof(*ti));
		f = spin_lock(&task->lock);
		ns = live_threads_ns(task);
		spin_unlock(&task->lock, f);
		time_fill(ns, &ti->user_time, &ti->user_time64);
		time_fill(0, &ti->system_time, &ti->system_time64);
		*count = TASK_THREAD_TIMES_INFO_COUNT;
		return KERN_SUCCESS;
	}
	default:
		return KERN_INVALID_ARGUMENT;
	}
}

/* The special-port slot WHICH of TASK, or NULL. */
static struct port **task_slot(struct task *task, int which)
{
	switch (which) {
	case TASK_KERNEL_PORT:
		return &task->itk_sself;
	case TASK_EXCEPTION_PORT:
		return &task->itk_exception;
	case TASK_BOOTSTRAP_PORT:
		return &task->itk_bootstrap;
	default:
		return NULL;
	}
}

kern_return_t kserver_task_get_special_port(task_t task, int which,
                                            ipc_port_t *port)
{
	struct port **slot;
	struct port *p;
	unsigned long f;

	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	slot = task_slot(task, which);
	if (slot == NULL)
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&task->lock);
	if (!task->active) {
		spin_unlock(&task->lock, f);
		return KERN_FAILURE;
	}
	p = *slot;
	spin_unlock(&task->lock, f);
	*port = task_copy_send(p);
	return KERN_SUCCESS;
}

/* Store the send right PORT (consumed on success) in *SLOT under LOCK,
 * releasing the right it held. */
static void slot_replace(spinlock_t *lock, struct port **slot, ipc_port_t port)
{
	unsigned long f = spin_lock(lock);
	struct port *old = *slot;

	*slot = IP_VALID(port) ? port : NULL;
	spin_unlock(lock, f);
	if (old)
		port_release_send(old);
}

kern_return_t kserver_task_set_special_port(task_t task, int which,
                                            ipc_port_t port)
{
	struct port **slot;

	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	slot = task_slot(task, which);
	if (slot == NULL)
		return KERN_INVALID_ARGUMENT;
	if (!task->active)
		return KERN_FAILURE;
	slot_replace(&task->lock, slot, port);
	return KERN_SUCCESS;
}

kern_return_t kserver_task_set_name(task_t task, const_kernel_debug_name_t name)
{
	unsigned long f;

	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&task->lock);
	strncpy(task->name, name, TASK_NAME_MAX - 1);
	task->name[TASK_NAME_MAX - 1] = '\0';
	spin_unlock(&task->lock, f);
	return KERN_SUCCESS;
}

kern_return_t kserver_thread_create(task_t task, thread_t *child)
{
	if (task == NULL || task == kernel_task)
		return KERN_INVALID_ARGUMENT;
	return thread_create_user(task, child);
}

kern_return_t kserver_thread_terminate(thread_t thread)
{
	if (thread == NULL)
		return KERN_INVALID_ARGUMENT;
	return thread_terminate(thread);
}

kern_return_t kserver_thread_suspend(thread_t thread)
{
	if (thread == NULL)
		return KERN_INVALID_ARGUMENT;
	return thread_suspend(thread);
}

kern_return_t kserver_thread_resume(thread_t thread)
{
	if (thread == NULL)
		return KERN_INVALID_ARGUMENT;
	return thread_resume(thread);
}

kern_return_t kserver_thread_abort(thread_t thread)
{
	if (thread == NULL)
		return KERN_INVALID_ARGUMENT;
	return thread_abort(thread);
}

static struct port **thread_slot(struct thread *t, int which)
{
	switch (which) {
	case THREAD_KERNEL_PORT:
		return &t->ith_sself;
	case THREAD_EXCEPTION_PORT:
		return &t->ith_exception;
	default:
		return NULL;
	}
}

kern_return_t kserver_thread_get_special_port(thread_t thread, int which,
                                              ipc_port_t *port)
{
	struct port **slot;

	if (thread == NULL)
		return KERN_INVALID_ARGUMENT;
	slot = thread_slot(thread, which);
	if (slot == NULL)
		return KERN_INVALID_ARGUMENT;
	*port = task_slot_copy_send(&thread->lock, slot);
	return KERN_SUCCESS;
}

kern_return_t kserver_thread_set_special_port(thread_t thread, int which,
                                              ipc_port_t port)
{
	struct port **slot;

	if (thread == NULL)
		return KERN_INVALID_ARGUMENT;
	slot = thread_slot(thread, which);
	if (slot == NULL)
		return KERN_INVALID_ARGUMENT;
	if (thread->state == THREAD_DEAD)
		return KERN_FAILURE;
	slot_replace(&thread->lock, slot, port);
	return KERN_SUCCESS;
}

kern_return_t kserver_thread_get_state(thread_t thread, int flavor,
                                       thread_state_t state,
                                       mach_msg_type_number_t *count)
{
	/* GNU Mach refuses the caller itself (thread_set_self_state is
	 * the way to change one's own registers). */
	if (thread == NULL || !thread->user || thread == thread_current())
		return KERN_INVALID_ARGUMENT;
	return machine_thread_get_state(thread, flavor, state, count);
}

kern_return_t kserver_thread_set_state(thread_t thread, int flavor,
                                       const thread_state_t state,
                                       mach_msg_type_number_t count)
{
	if (thread == NULL || !thread->user || thread == thread_current())
		return KERN_INVALID_ARGUMENT;
	return machine_thread_set_state(thread, flavor, state, count);
}

/* THREAD_SCHED_INFO of T.  Locks: T->lock held. */
static void sched_info(struct thread *t, struct thread_sched_info *si)
{
	memset(si, 0, sizeof(*si));
	si->policy = t->policy;
	si->data = t->policy_data;
	si->base_priority = t->base_priority;
	si->max_priority = t->max_priority;
	si->cur_priority = t->priority;
	si->depressed = t->depressed;
	si->depress_priority = t->depressed ? t->base_priority : -1;
	si->last_processor = (integer_t)t->last_cpu;
}

kern_return_t kserver_thread_info(thread_t thread, int flavor,
                                  thread_info_t out,
                                  mach_msg_type_number_t *count)
{
	struct thread_basic_info *bi = (void *)out;
	unsigned long f;

	if (thread == NULL)
		return KERN_INVALID_ARGUMENT;
	if (flavor == THREAD_SCHED_INFO) {
		/* GNU Mach fills it whatever room the caller gave (a short
		 * count shows as MIG_ARRAY_TOO_LARGE in the client). */
		f = spin_lock(&thread->lock);
		sched_info(thread, (struct thread_sched_info *)out);
		spin_unlock(&thread->lock, f);
		*count = THREAD_SCHED_INFO_COUNT;
		return KERN_SUCCESS;
	}
	if (flavor != THREAD_BASIC_INFO)
		return KERN_INVALID_ARGUMENT;
	if (*count < THREAD_BASIC_INFO_COUNT)
		return KERN_INVALID_ARGUMENT;
	memset(bi, 0, sizeof(*bi));
	f = spin_lock(&thread->lock);
	time_fill(thread->user_ns, &bi->user_time, &bi->user_time64);
	time_fill(thread->system_ns, &bi->system_time, &bi->system_time64);
	bi->base_priority = thread->base_priority;
	bi->cur_priority = thread->priority;
	if (thread->state == THREAD_RUNNING || thread->state == THREAD_RUNNABLE)
		bi->run_state = TH_STATE_RUNNING;
	else if (thread->stopped)
		bi->run_state = TH_STATE_STOPPED;
	else if (thread->state == THREAD_DEAD)
		bi->run_state = TH_STATE_HALTED;
	else
		bi->run_state = TH_STATE_WAITING;
	bi->suspend_count = thread->suspend_count;
	spin_unlock(&thread->lock, f);
	time_fill(thread->creation_ns, &bi->creation_time,
	          &bi->creation_time64);
	*count = THREAD_BASIC_INFO_COUNT;
	return KERN_SUCCESS;
}

kern_return_t kserver_thread_set_name(thread_t thread,
                                      const_kernel_debug_name_t name)
{
	unsigned long f;

	if (thread == NULL)
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&thread->lock);
	strncpy(thread->name, name, THREAD_NAME_MAX - 1);
	thread->name[THREAD_NAME_MAX - 1] = '\0';
	spin_unlock(&thread->lock, f);
	return KERN_SUCCESS;
}

kern_return_t kserver_thread_get_name(thread_t thread, kernel_debug_name_t name)
{
	unsigned long f;

	if (thread == NULL)
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&thread->lock);
	memset(name, 0, sizeof(kernel_debug_name_t));
	strncpy(name, thread->name, sizeof(kernel_debug_name_t) - 1);
	spin_unlock(&thread->lock, f);
	return KERN_SUCCESS;
}

kern_return_t kserver_mach_ports_register(task_t task, mach_port_array_t ports,
                                          mach_msg_type_number_t count)
{
	struct port *old[TASK_PORTS_REGISTERED];
	unsigned long f;

	if (task == NULL || count > TASK_PORTS_REGISTERED)
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&task->lock);
	for (unsigned i = 0; i < TASK_PORTS_REGISTERED; i++) {
		ipc_port_t p = i < count ? (ipc_port_t)ports[i] : IP_NULL;

		old[i] = task->registered[i];
		task->registered[i] = IP_VALID(p) ? p : NULL;
	}
	spin_unlock(&task->lock, f);
	/* The rights are ours now; the array that carried them is not. */
	if (count > 0)
		kbuf_free(ports, count * sizeof(*ports));
	for (unsigned i = 0; i < TASK_PORTS_REGISTERED; i++)
		if (old[i])
			port_release_send(old[i]);
	return KERN_SUCCESS;
}

kern_return_t kserver_mach_ports_lookup(task_t task, mach_port_array_t *ports,
                                        mach_msg_type_number_t *count)
{
	struct port **out;
	unsigned long f;

	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	out = kbuf_alloc(TASK_PORTS_REGISTERED * sizeof(*out));
	if (out == NULL)
		return KERN_RESOURCE_SHORTAGE;
	f = spin_lock(&task->lock);
	for (unsigned i = 0; i < TASK_PORTS_REGISTERED; i++)
		out[i] = task_copy_send(task->registered[i]);
	spin_unlock(&task->lock, f);
	*ports = (mach_port_array_t)out;
	*count = TASK_PORTS_REGISTERED;
	return KERN_SUCCESS;
}

kern_return_t kserver_task_set_essential(task_t task, boolean_t essential)
{
	(void)essential; /* Mach_R panics for no task's death */
	return task == NULL ? KERN_INVALID_ARGUMENT : KERN_SUCCESS;
}

kern_return_t kserver_thread_depress_abort(thread_t thread)
{
	unsigned long f;

	if (thread == NULL)
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&thread->lock);
	if (thread->depressed) {
		thread->depressed = false;
		sched_reprioritize(thread);
	}
	spin_unlock(&thread->lock, f);
	return KERN_SUCCESS;
}

kern_return_t kserver_thread_terminate_release(thread_t thread, task_t task,
                                               mach_port_name_t thread_name,
                                               mach_port_name_t reply_port,
                                               vm_address_t address,
                                               vm_size_t size)
{
	if (thread == NULL || task == NULL || thread->task != task)
		return KERN_INVALID_ARGUMENT;
	/* What the exiting thread cannot release itself: the names of its
	 * port and its reply port, and its stack. */
	(void)mach_port_deallocate(task->space, thread_name);
	(void)mach_port_destroy(task->space, reply_port);
	if (size)
		(void)vm_map_remove(task->map, address & ~(PAGE_SIZE - 1),
		                    address + size);
	return thread_terminate(thread);
}
