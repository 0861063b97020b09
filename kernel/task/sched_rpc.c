/*
 * The kernel RPCs on scheduling and processor sets (mach_host.defs, and
 * thread_wire): priorities, policies, the one processor set's lists and
 * limits, assignments.  Mach_R has one processor set (kserver_pset),
 * like GNU Mach's default: the calls that would make or move between
 * sets answer KERN_FAILURE, as GNU Mach does.  The answers to bad input
 * follow the sched-calls system-test module, pinned on GNU Mach.
 */
#include "server/kobjects.h"
#include "server/mig_kernel.h"

#include <mach/policy.h>

#include "ipc/kmsg.h"
#include "kern/clock.h"
#include "task/sched.h"
#include "task/task.h"
#include "task/thread.h"

static bool priority_valid(int pri)
{
	return pri >= 0 && pri < SCHED_NRQS;
}

/* Give T the base priority PRI (and the maximum too with SET_MAX).
 * Locks: T->lock held. */
static kern_return_t set_priority_locked(struct thread *t, int pri,
                                         bool set_max)
{
	if (pri < t->max_priority)
		return KERN_FAILURE; /* above its maximum */
	t->base_priority = pri;
	if (set_max)
		t->max_priority = pri;
	sched_reprioritize(t);
	return KERN_SUCCESS;
}

kern_return_t kserver_thread_priority(thread_t thread, int priority,
                                      boolean_t set_max)
{
	unsigned long f;
	kern_return_t kr;

	if (thread == NULL || !priority_valid(priority))
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&thread->lock);
	kr = set_priority_locked(thread, priority, set_max);
	spin_unlock(&thread->lock, f);
	return kr;
}

/* Lower T's maximum to MAX (a number >= the base pulls the base down).
 * Locks: T->lock held. */
static void set_max_locked(struct thread *t, int max)
{
	t->max_priority = max;
	if (t->base_priority < max) {
		t->base_priority = max;
		sched_reprioritize(t);
	}
}

kern_return_t kserver_thread_max_priority(thread_t thread, processor_set_t pset,
                                          int max)
{
	unsigned long f;

	if (thread == NULL || pset == NULL || !priority_valid(max))
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&thread->lock);
	set_max_locked(thread, max);
	spin_unlock(&thread->lock, f);
	return KERN_SUCCESS;
}

/* Call FN(THREAD, ARG) for every thread of TASK.  Locks: none held;
 * FN runs with TASK->lock held. */
static void for_each_thread(struct task *task,
                            void (*fn)(struct thread *t, int arg), int arg)
{
	unsigned long f = spin_lock(&task->lock);

	list_for_each_entry(struct thread, t, &task->threads, task_link)
	{
		spin_lock(&t->lock);
		fn(t, arg);
		spin_unlock(&t->lock, 0);
	}
	spin_unlock(&task->lock, f);
}

static void thread_set_base(struct thread *t, int pri)
{
	(void)set_priority_locked(t, pri, false);
}

kern_return_t kserver_task_priority(task_t task, int priority,
                                    boolean_t change_threads)
{
	unsigned long f;

	if (task == NULL || task == kernel_task || !priority_valid(priority))
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&task->lock);
	task->priority = priority;
	spin_unlock(&task->lock, f);
	if (change_threads)
		for_each_thread(task, thread_set_base, priority);
	return KERN_SUCCESS;
}

static void thread_lower_max(struct thread *t, int max)
{
	set_max_locked(t, max);
}

static void task_lower_max(struct task *task, void *arg)
{

	if (task == kernel_task)
		return;
	spin_lock(&task->lock);
	list_for_each_entry(struct thread, t, &task->threads, task_link)
	{
		spin_lock(&t->lock);
		thread_lower_max(t, *(int *)arg);
		spin_unlock(&t->lock, 0);
	}
	spin_unlock(&task->lock, 0);
}

kern_return_t kserver_processor_set_max_priority(processor_set_t pset, int max,
                                                 boolean_t change_threads)
{
	if (pset == NULL || !priority_valid(max))
		return KERN_INVALID_ARGUMENT;
	/* GNU Mach keeps the value but gives new threads the usual
	 * maximum; only change_threads moves existing ones. */
	pset->max_priority = max;
	if (change_threads)
		task_foreach(task_lower_max, &max);
	return KERN_SUCCESS;
}

kern_return_t kserver_thread_policy(thread_t thread, int policy, int data)
{
	unsigned long f;

	if (thread == NULL || invalid_policy(policy))
		return KERN_INVALID_ARGUMENT;
	if (!(kserver_pset.policies & policy))
		return KERN_FAILURE; /* not enabled in the set */
	f = spin_lock(&thread->lock);
	thread->policy = policy;
	thread->policy_data = policy == POLICY_FIXEDPRI ? data : 0;
	sched_reprioritize(thread);
	spin_unlock(&thread->lock, f);
	return KERN_SUCCESS;
}

kern_return_t kserver_processor_set_policy_enable(processor_set_t pset,
                                                  int policy)
{
	if (pset == NULL || invalid_policy(policy))
		return KERN_INVALID_ARGUMENT;
	pset->policies |= policy;
	return KERN_SUCCESS;
}

static void thread_to_timeshare(struct thread *t, int policy)
{
	if (t->policy == policy) {
		t->policy = POLICY_TIMESHARE;
		t->policy_data = 0;
		sched_reprioritize(t);
	}
}

static void task_to_timeshare(struct task *task, void *arg)
{

	spin_lock(&task->lock);
	list_for_each_entry(struct thread, t, &task->threads, task_link)
	{
		spin_lock(&t->lock);
		if (t->user)
			thread_to_timeshare(t, *(int *)arg);
		spin_unlock(&t->lock, 0);
	}
	spin_unlock(&task->lock, 0);
}

kern_return_t kserver_processor_set_policy_disable(processor_set_t pset,
                                                   int policy,
                                                   boolean_t change_threads)
{
	/* Timesharing cannot be turned off. */
	if (pset == NULL || invalid_policy(policy) ||
	    policy == POLICY_TIMESHARE)
		return KERN_INVALID_ARGUMENT;
	pset->policies &= ~policy;
	if (change_threads)
		task_foreach(task_to_timeshare, &policy);
	return KERN_SUCCESS;
}

/* --- the set's tasks and threads --- */

/* Tasks and threads with ports: what the listings return. */
struct census {
	unsigned tasks, threads;
	struct port **ports; /* when listing: room for `room` */
	unsigned room, n;
	bool want_threads;
};

static void census_task(struct task *task, void *arg)
{
	struct census *c = arg;

	spin_lock(&task->lock);
	if (task->active && task->itk_sself) {
		c->tasks++;
		if (c->ports && !c->want_threads && c->n < c->room)
			c->ports[c->n++] = task_copy_send(task->itk_sself);
	}
	list_for_each_entry(struct thread, t, &task->threads, task_link)
	{
		if (t->ith_sself == NULL)
			continue;
		c->threads++;
		if (c->ports && c->want_threads && c->n < c->room)
			c->ports[c->n++] = task_copy_send(t->ith_sself);
	}
	spin_unlock(&task->lock, 0);
}

void kserver_count_tasks(unsigned *tasks, unsigned *threads)
{
	struct census c = {0};

	task_foreach(census_task, &c);
	*tasks = c.tasks;
	*threads = c.threads;
}

/* The send rights of every task (THREADS: thread) in a port array. */
static kern_return_t listing(bool threads, ipc_port_t **list,
                             mach_msg_type_number_t *count)
{
	struct census c = {0};

	/* Count, allocate, then fill what fits (tasks may come and go in
	 * between: the array is trimmed to what was filled). */
	task_foreach(census_task, &c);
	c.room = threads ? c.threads : c.tasks;
	c.want_threads = threads;
	c.tasks = c.threads = 0;
	if (c.room == 0) {
		*list = NULL;
		*count = 0;
		return KERN_SUCCESS;
	}
	c.ports = kbuf_alloc(c.room * sizeof(*c.ports));
	if (c.ports == NULL)
		return KERN_RESOURCE_SHORTAGE;
	task_foreach(census_task, &c);
	while (c.n < c.room)
		c.ports[c.n++] = NULL; /* gone meanwhile: null entries */
	*list = (ipc_port_t *)c.ports;
	*count = c.n;
	return KERN_SUCCESS;
}

kern_return_t kserver_processor_set_tasks(processor_set_t pset,
                                          task_array_t *list,
                                          mach_msg_type_number_t *count)
{
	if (pset == NULL)
		return KERN_INVALID_ARGUMENT;
	return listing(false, list, count);
}

kern_return_t kserver_processor_set_threads(processor_set_t pset,
                                            thread_array_t *list,
                                            mach_msg_type_number_t *count)
{
	if (pset == NULL)
		return KERN_INVALID_ARGUMENT;
	return listing(true, list, count);
}

/* --- one set: no creating, destroying or moving --- */

kern_return_t kserver_processor_set_create(host_t host, processor_set_t *set,
                                           processor_set_t *name)
{
	(void)host, (void)set, (void)name;
	return KERN_FAILURE;
}

kern_return_t kserver_processor_set_destroy(processor_set_t set)
{
	(void)set;
	return KERN_FAILURE;
}

kern_return_t kserver_task_assign(task_t task, processor_set_t set,
                                  boolean_t assign_threads)
{
	(void)task, (void)set, (void)assign_threads;
	return KERN_FAILURE;
}

kern_return_t kserver_task_assign_default(task_t task, boolean_t assign_threads)
{
	(void)task, (void)assign_threads;
	return KERN_FAILURE;
}

kern_return_t kserver_thread_assign(thread_t thread, processor_set_t set)
{
	(void)thread, (void)set;
	return KERN_FAILURE;
}

kern_return_t kserver_thread_assign_default(thread_t thread)
{
	(void)thread;
	return KERN_FAILURE;
}

kern_return_t kserver_processor_assign(processor_t processor,
                                       processor_set_t set, boolean_t wait)
{
	(void)processor, (void)set, (void)wait;
	return KERN_FAILURE;
}

kern_return_t kserver_task_get_assignment(task_t task, processor_set_t *set)
{
	if (task == NULL)
		return KERN_INVALID_ARGUMENT;
	*set = &kserver_pset;
	return KERN_SUCCESS;
}

kern_return_t kserver_thread_get_assignment(thread_t thread,
                                            processor_set_t *set)
{
	if (thread == NULL)
		return KERN_INVALID_ARGUMENT;
	*set = &kserver_pset;
	return KERN_SUCCESS;
}

kern_return_t kserver_processor_get_assignment(processor_t processor,
                                               processor_set_t *set)
{
	if (processor == NULL)
		return KERN_INVALID_ARGUMENT;
	*set = &kserver_pset;
	return KERN_SUCCESS;
}

/* Processors are started at boot and stay: control, start and exit
 * answer KERN_FAILURE as GNU Mach does for its processors. */
kern_return_t kserver_processor_start(processor_t processor)
{
	return processor == NULL ? KERN_INVALID_ARGUMENT : KERN_FAILURE;
}

kern_return_t kserver_processor_exit(processor_t processor)
{
	return processor == NULL ? KERN_INVALID_ARGUMENT : KERN_FAILURE;
}

kern_return_t kserver_processor_control(processor_t processor,
                                        const processor_info_t cmd,
                                        mach_msg_type_number_t count)
{
	(void)cmd, (void)count;
	return processor == NULL ? KERN_INVALID_ARGUMENT : KERN_FAILURE;
}

kern_return_t kserver_thread_wire(host_t host_priv, thread_t thread,
                                  boolean_t wired)
{
	/* Every Mach_R thread's kernel stack is resident; GNU Mach accepts
	 * this only for the caller itself. */
	if (host_priv == NULL || thread == NULL || thread != thread_current())
		return KERN_INVALID_ARGUMENT;
	/* A wired thread (the default pager's) may take the memory kept
	 * for freeing memory (task/pageout.c). */
	thread->vm_privileged = wired != 0;
	return KERN_SUCCESS;
}
