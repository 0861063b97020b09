/*
 * Tasks (task/task.h): creation with an IPC space and an address space,
 * suspension, termination, and their kernel-object ports.
 *
 * Termination: task_terminate marks the task inactive and every thread
 * to die at its next return towards user mode (interrupting its wait),
 * then waits until they are gone, unless it is one of them.  The last
 * thread to leave (or task_terminate itself, for a task without threads)
 * releases the space and the memory: task_teardown.  The task structure
 * lives on until its last reference.
 */
#include "ipc/port.h"
#include "ipc/space.h"
#include "kern/clock.h"
#include "kern/panic.h"
#include "kern/slab.h"
#include "kern/string.h"
#include "machine/cpu.h"
#include "machine/pmap.h"
#include "task/task.h"
#include "task/thread.h"
#include "vm/copy.h"
#include "vm/fault.h"
#include "vm/map.h"
#include "vm/wire.h"

struct task *kernel_task;
static struct task kernel_task_store;
static struct slab_cache task_cache;
static spinlock_t tasks_lock = SPINLOCK_INIT("tasks");
static struct list all_tasks = {&all_tasks, &all_tasks};

static void task_fields_init(struct task *t)
{
	spin_init(&t->lock, "task");
	atomic_init(&t->refs, 1);
	t->active = true;
	list_init(&t->threads);
	waitq_init(&t->exit_wq);
	t->priority = SCHED_PRI_USER;
	t->creation_ns = clock_now_ns();
}

void task_init(void)
{
	slab_cache_init(&task_cache, "task", sizeof(struct task), 0);
	kernel_task = &kernel_task_store;
	task_fields_init(kernel_task);
	kernel_task->priority = SCHED_PRI_KERNEL;
	kernel_task->pmap = pmap_kernel();
	kernel_task->space = space_kernel;
	strcpy(kernel_task->name, "kernel");
	/* Listed by processor_set_tasks like any task, as on GNU Mach; the
	 * task RPCs refuse it (it has no map, and is never terminated or
	 * suspended). */
	if (port_alloc_kobject(KOBJECT_TASK, kernel_task, &kernel_task->self) ==
	    KERN_SUCCESS) {
		port_make_send(kernel_task->self);
		kernel_task->itk_sself = kernel_task->self;
	}
	list_push_back(&all_tasks, &kernel_task->all_link);
}

void task_foreach(void (*fn)(struct task *task, void *arg), void *arg)
{
	unsigned long f = spin_lock(&tasks_lock);

	list_for_each_entry(struct task, t, &all_tasks, all_link)
	{
		fn(t, arg);
	}
	spin_unlock(&tasks_lock, f);
}

/* A region a message brought into T's space at [ADDR, ADDR + SIZE):
 * wired at once when T asked vm_wire_all(VM_WIRE_FUTURE), as GNU Mach
 * does (a default pager must never fault on what it was sent).  A failure
 * to wire (the task's wired limit) leaves the data mapped, unwired. */
static void wire_received(struct task *t, uint64_t addr, uint64_t size)
{
	uint64_t start = addr & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t end =
	    (addr + size + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);

	(void)vm_wire_new_region(t->map, t->pmap, start, end);
}

/* OOL memory for the message layer: the task's address space. */
static kern_return_t task_vm_allocate(void *ctx, uint64_t size, uint64_t *addr)
{
	struct task *t = ctx;
	kern_return_t kr;

	*addr = vm_user_anywhere_start(t->map);
	kr = vm_map_enter(t->map, addr, size, 0, true, VM_PROT_DEFAULT,
	                  VM_PROT_ALL, VM_INHERIT_DEFAULT);
	if (kr == KERN_SUCCESS)
		wire_received(t, *addr, size);
	return kr;
}

static void task_vm_deallocate(void *ctx, uint64_t addr, uint64_t size)
{
	struct task *t = ctx;

	vm_map_remove(t->map, addr, addr + size);
}

/* Out-of-line memory is worth a wait for the pageout daemon when memory
 * is short (GNU Mach waits too): at most this many tries. */
#define OOL_MEMORY_TRIES 100

/* Whether KR says memory is short and the pageout daemon made room. */
static bool memory_retry(kern_return_t kr, unsigned *tries)
{
	return kr == KERN_RESOURCE_SHORTAGE && vm_fault_memory_wait != NULL &&
	       (*tries)++ < OOL_MEMORY_TRIES && vm_fault_memory_wait(true);
}

static kern_return_t task_vm_copyin(void *ctx, uint64_t addr, uint64_t size,
                                    bool dealloc, struct vm_map_copy **out)
{
	struct task *t = ctx;
	unsigned tries = 0;
	kern_return_t kr;

	do
		kr = vm_map_copyin(t->map, addr, size, dealloc, out);
	while (memory_retry(kr, &tries));
	return kr;
}

static kern_return_t task_vm_copyout(void *ctx, struct vm_map_copy *copy,
                                     uint64_t *addr)
{
	struct task *t = ctx;
	unsigned tries = 0;
	kern_return_t kr;

	uint64_t size = copy->size;

	do
		kr = vm_map_copyout(t->map, copy,
		                    vm_user_anywhere_start(t->map), addr);
	while (memory_retry(kr, &tries));
	if (kr == KERN_SUCCESS)
		wire_received(t, *addr, size);
	return kr;
}

static bool task_vm_copy_direct(void *ctx, uint64_t dst, void *src_ctx,
                                uint64_t src, uint64_t size)
{
	struct task *to = ctx, *from = src_ctx;

	return pmap_copy_user(to->pmap, dst, from->pmap, src, size);
}

static const struct space_vm_ops task_space_vm_ops = {
    .allocate = task_vm_allocate,
    .deallocate = task_vm_deallocate,
    .copyin = task_vm_copyin,
    .copyout = task_vm_copyout,
    .copy_direct = task_vm_copy_direct,
};

struct port *task_copy_send(struct port *port)
{
	unsigned long f;

	if (port == NULL)
		return NULL;
	f = port_lock(port);
	if (!port_active(port)) {
		port_unlock(port, f);
		return NULL;
	}
	port_copy_send_locked(port);
	port_unlock(port, f);
	return port;
}

struct port *task_slot_copy_send(spinlock_t *lock, struct port **slot)
{
	unsigned long f = spin_lock(lock);
	struct port *p = *slot;

	spin_unlock(lock, f);
	return task_copy_send(p);
}

/* Drop the send rights TASK holds for its special ports and destroy its
 * self port.  Locks: none held. */
static void task_teardown_ports(struct task *t)
{
	struct port *ports[3 + TASK_PORTS_REGISTERED];
	unsigned long f = spin_lock(&t->lock);

	ports[0] = t->itk_sself;
	ports[1] = t->itk_exception;
	ports[2] = t->itk_bootstrap;
	t->itk_sself = t->itk_exception = t->itk_bootstrap = NULL;
	for (unsigned i = 0; i < TASK_PORTS_REGISTERED; i++) {
		ports[3 + i] = t->registered[i];
		t->registered[i] = NULL;
	}
	spin_unlock(&t->lock, f);
	for (unsigned i = 0; i < 3 + TASK_PORTS_REGISTERED; i++)
		if (ports[i])
			port_release_send(ports[i]);
	if (t->self) {
		port_destroy_kobject(t->self);
		t->self = NULL;
	}
}

static void task_free(struct task *t)
{
	unsigned long f = spin_lock(&tasks_lock);

	list_remove(&t->all_link);
	spin_unlock(&tasks_lock, f);
	if (t->map)
		vm_map_destroy(t->map);
	if (t->pmap)
		pmap_destroy(t->pmap);
	if (t->space)
		space_release(t->space);
	slab_free(&task_cache, t);
}

kern_return_t task_create_user(struct task *parent, bool inherit,
                               struct task **out)
{
	struct task *t = slab_zalloc(&task_cache);
	kern_return_t kr = KERN_RESOURCE_SHORTAGE;
	unsigned long f;

	if (!t)
		return KERN_RESOURCE_SHORTAGE;
	task_fields_init(t);
	f = spin_lock(&tasks_lock);
	list_push_back(&all_tasks, &t->all_link);
	spin_unlock(&tasks_lock, f);
	t->pmap = pmap_create();
	if (!t->pmap)
		goto fail;
	t->map = vm_user_map_create(t->pmap);
	if (!t->map)
		goto fail;
	kr = space_create(&t->space);
	if (kr != KERN_SUCCESS)
		goto fail;
	space_set_vm(t->space, &task_space_vm_ops, t);
	kr = port_alloc_kobject(KOBJECT_TASK, t, &t->self);
	if (kr != KERN_SUCCESS)
		goto fail;
	port_make_send(t->self);
	t->itk_sself = t->self;
	if (parent && parent != kernel_task) {
		f = spin_lock(&parent->lock);
		if (parent->itk_exception) {
			t->itk_exception =
			    task_copy_send(parent->itk_exception);
		}
		if (parent->itk_bootstrap) {
			t->itk_bootstrap =
			    task_copy_send(parent->itk_bootstrap);
		}
		t->priority = parent->priority;
		spin_unlock(&parent->lock, f);
		if (inherit) {
			kr = vm_user_map_inherit(parent->map, t->map);
			if (kr != KERN_SUCCESS)
				goto fail;
		}
	}
	task_ref(t); /* the caller's; the first is the task's existence */
	*out = t;
	return KERN_SUCCESS;

fail:
	t->active = false;
	task_teardown_ports(t);
	task_free(t);
	return kr;
}

void task_ref(struct task *t)
{
	atomic_fetch_add(&t->refs, 1);
}

void task_release(struct task *t)
{
	if (atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	if (t == kernel_task)
		panic("task_release: last reference to the kernel task");
	task_free(t);
}

struct task *task_current(void)
{
	return thread_current()->task;
}

struct task *task_from_port(struct port *port)
{
	struct task *t = NULL;
	unsigned long f;

	if (port == NULL)
		return NULL;
	f = port_lock(port);
	if (port_active(port) && port->kotype == KOBJECT_TASK) {
		t = port->kobject;
		task_ref(t);
	}
	port_unlock(port, f);
	return t;
}

/* Release what a terminated task holds: its rights, its memory, its
 * ports.  Once.  Locks: none held. */
static void task_teardown(struct task *t)
{
	unsigned long f = spin_lock(&t->lock);
	bool done = t->torn_down;

	t->torn_down = true;
	spin_unlock(&t->lock, f);
	if (done)
		return;
	task_teardown_ports(t);
	space_terminate(t->space);
	vm_map_remove(t->map, VM_MAP_USER_MIN, VM_MAP_USER_MAX);
	task_release(t); /* the reference of its existence */
}

void task_last_thread_gone(struct task *t)
{
	task_teardown(t);
}

kern_return_t task_terminate(struct task *t)
{
	struct thread *self = thread_current();
	unsigned long f;

	if (t == kernel_task)
		return KERN_INVALID_ARGUMENT;
	task_ref(t);
	f = spin_lock(&t->lock);
	if (!t->active) {
		spin_unlock(&t->lock, f);
		task_release(t);
		return KERN_FAILURE;
	}
	t->active = false;
	list_for_each_entry(struct thread, th, &t->threads, task_link)
	{
		thread_mark_terminate(th);
	}
	if (self->task == t) {
		/* We die on the way out; the last thread tears down. */
		spin_unlock(&t->lock, f);
		task_release(t);
		return KERN_SUCCESS;
	}
	while (t->thread_count > 0) {
		struct waiter w;

		waiter_init(&w);
		waitq_wait(&t->exit_wq, &t->lock, f, WAITQ_FOREVER, &w);
		f = spin_lock(&t->lock);
	}
	spin_unlock(&t->lock, f);
	task_teardown(t);
	task_release(t);
	return KERN_SUCCESS;
}

static void task_wait_stopped(struct task *t);

kern_return_t task_suspend(struct task *t)
{
	unsigned long f;

	if (t == kernel_task)
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&t->lock);
	if (!t->active) {
		spin_unlock(&t->lock, f);
		return KERN_FAILURE;
	}
	if (t->suspend_count++ == 0)
		list_for_each_entry(struct thread, th, &t->threads, task_link)
		{
			spin_lock(&th->lock);
			th->ast |= AST_SUSPEND;
			spin_unlock(&th->lock, 0);
		}
	spin_unlock(&t->lock, f);
	task_wait_stopped(t);
	return KERN_SUCCESS;
}

/* SMP: wait until none of T's threads but the caller runs on a CPU
 * (thread_wait_stopped), one running thread at a time.  Locks: none. */
static void task_wait_stopped(struct task *t)
{
	for (;;) {
		struct thread *running = NULL;
		unsigned long f = spin_lock(&t->lock);

		list_for_each_entry(struct thread, th, &t->threads, task_link)
		{

			if (th != thread_current() &&
			    (atomic_load(&th->on_cpu) ||
			     th->state == THREAD_RUNNING)) {
				thread_ref(th);
				running = th;
				break;
			}
		}
		spin_unlock(&t->lock, f);
		if (running == NULL)
			return;
		thread_wait_stopped(running);
		thread_release(running);
		if (thread_current()->ast & (AST_SUSPEND | AST_TERMINATE))
			return;
	}
}

kern_return_t task_resume(struct task *t)
{
	unsigned long f;
	kern_return_t kr = KERN_SUCCESS;

	if (t == kernel_task)
		return KERN_INVALID_ARGUMENT;
	f = spin_lock(&t->lock);
	if (!t->active)
		kr = KERN_FAILURE;
	else if (t->suspend_count == 0)
		kr = KERN_FAILURE;
	else if (--t->suspend_count == 0)
		task_threads_release_hold(t);
	spin_unlock(&t->lock, f);
	return kr;
}
