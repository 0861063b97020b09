/*
 * Threads (task/thread.h): creation, references, suspension, abort,
 * termination, and the checks a thread makes before it returns to user
 * mode (ASTs).  A thread dies on its own stack: thread_exit marks it
 * DEAD and switches away; the next thread on that CPU drops the dead
 * thread's last self reference (sched_switch_done), which frees the
 * stack.
 */
#include "ipc/port.h"
#include "kern/clock.h"
#include "kern/page_alloc.h"
#include "kern/panic.h"
#include "kern/percpu.h"
#include "kern/string.h"
#include "kern/waitq.h"
#include "machine/cpu.h"
#include "machine/pmap.h"
#include "task/sched.h"
#include "task/task.h"
#include "task/thread.h"

static struct thread boot_thread;

/* Make TASK T's task, with its space and pmap (struct thread).  Locks:
 * T not yet running, or T itself calling. */
static void thread_set_task(struct thread *t, struct task *task)
{
	t->task = task;
	t->space = task->space;
	t->pmap = task->pmap;
}

static void thread_fields_init(struct thread *t, struct task *task,
                               int priority)
{
	spin_init(&t->lock, "thread");
	atomic_init(&t->refs, 1);
	atomic_init(&t->on_cpu, false);
	thread_set_task(t, task);
	/* Unlinked (list_linked false) until put on a list. */
	t->runq_link.next = t->runq_link.prev = NULL;
	t->timeout_link.next = t->timeout_link.prev = NULL;
	t->task_link.next = t->task_link.prev = NULL;
	t->base_priority = t->priority = priority;
	t->max_priority = task == kernel_task ? 0 : SCHED_PRI_USER;
	t->policy = SCHED_POLICY_TIMESHARE;
	t->wait_deadline = UINT64_MAX;
	t->last_cpu = cpu_id();
	t->creation_ns = clock_now_ns();
}

void thread_init(void)
{
	struct percpu *cpu = &percpu_area[cpu_id()];

	thread_fields_init(&boot_thread, kernel_task, SCHED_PRI_KERNEL);
	boot_thread.state = THREAD_RUNNING;
	atomic_init(&boot_thread.on_cpu, true);
	strcpy(boot_thread.name, "boot");
	cpu->current = &boot_thread;
	task_ref(kernel_task);
	list_push_back(&kernel_task->threads, &boot_thread.task_link);
	kernel_task->thread_count++;
	sched_init(&boot_thread);
}

/* Where a thread's struct sits in its kernel stack's pages: at their
 * top, cache-line aligned; the stack grows down from below it. */
#define THREAD_SLOT ALIGN_UP(sizeof(struct thread), 64)
STATIC_ASSERT(THREAD_SLOT <= KSTACK_SIZE / 8,
              "struct thread takes at most an eighth of its kernel stack");

/* A thread of TASK with a fresh kernel stack and a self port, stopped. */
static kern_return_t thread_alloc(struct task *task, bool user, int priority,
                                  struct thread **out)
{
	char *stack = page_alloc_va(KSTACK_ORDER);
	struct thread *t;
	kern_return_t kr;

	if (!stack)
		return KERN_RESOURCE_SHORTAGE;
	t = (struct thread *)(stack + KSTACK_SIZE - THREAD_SLOT);
	memset(t, 0, sizeof(*t));
	t->kstack = stack;
	t->kstack_top = (uint64_t)t;
	thread_fields_init(t, task, priority);
	t->user = user;
	t->priority = sched_compute_priority(t, clock_now_ns());
	kr = port_alloc_kobject(KOBJECT_THREAD, t, &t->self);
	if (kr != KERN_SUCCESS) {
		page_free_va(stack, KSTACK_ORDER);
		return kr;
	}
	port_make_send(t->self);
	t->ith_sself = t->self;
	machine_thread_setup(t, user);
	t->state = THREAD_BLOCKED;
	t->stopped = true;
	*out = t;
	return KERN_SUCCESS;
}

/* Put T on TASK's list (with a reference on TASK) unless TASK is dying. */
static kern_return_t thread_attach(struct task *task, struct thread *t)
{
	unsigned long f = spin_lock(&task->lock);

	if (!task->active) {
		spin_unlock(&task->lock, f);
		return KERN_INVALID_ARGUMENT;
	}
	task_ref(task);
	list_push_back(&task->threads, &t->task_link);
	task->thread_count++;
	spin_unlock(&task->lock, f);
	return KERN_SUCCESS;
}

/* Undo thread_alloc for a thread that never ran. */
static void thread_discard(struct thread *t)
{
	if (t->ith_sself)
		port_release_send(t->ith_sself);
	port_destroy_kobject(t->self);
	page_free_va(t->kstack, KSTACK_ORDER); /* T with it */
}

struct thread *thread_create_kernel(void (*fn)(void *), void *arg, int priority,
                                    const char *name)
{
	struct thread *t;
	unsigned long f;

	if (thread_alloc(kernel_task, false, priority, &t) != KERN_SUCCESS)
		return NULL;
	if (thread_attach(kernel_task, t) != KERN_SUCCESS) {
		thread_discard(t);
		return NULL;
	}
	t->entry = fn;
	t->entry_arg = arg;
	strncpy(t->name, name, THREAD_NAME_MAX - 1);
	f = spin_lock(&t->lock);
	t->stopped = false;
	sched_enqueue(t, false);
	spin_unlock(&t->lock, f);
	return t;
}

kern_return_t thread_create_user(struct task *task, struct thread **out)
{
	struct thread *t;
	kern_return_t kr;

	kr = thread_alloc(task, true, task->priority, &t);
	if (kr != KERN_SUCCESS)
		return kr;
	t->suspend_count = 1;
	kr = thread_attach(task, t);
	if (kr != KERN_SUCCESS) {
		thread_discard(t);
		return kr;
	}
	thread_ref(t); /* the caller's; the first is the thread's own */
	*out = t;
	return KERN_SUCCESS;
}

struct thread *thread_create_idle(unsigned cpu)
{
	struct thread *t;

	if (thread_alloc(kernel_task, false, SCHED_PRI_IDLE, &t) !=
	    KERN_SUCCESS)
		return NULL;
	if (thread_attach(kernel_task, t) != KERN_SUCCESS) {
		thread_discard(t);
		return NULL;
	}
	t->state = THREAD_RUNNING;
	t->stopped = false;
	atomic_store(&t->on_cpu, true);
	t->last_cpu = cpu;
	t->pinned = true;
	strcpy(t->name, "idle");
	return t;
}

void thread_ref(struct thread *t)
{
	atomic_fetch_add(&t->refs, 1);
}

void thread_release(struct thread *t)
{
	if (atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	if (t->state != THREAD_DEAD || t == &boot_thread)
		panic("thread_release: last reference to a live thread %p", t);
	page_free_va(t->kstack, KSTACK_ORDER); /* T with it */
}

/* Whether T must not run user code now.  Locks: T->lock. */
static bool thread_held(const struct thread *t)
{
	return t->suspend_count > 0 || t->task->suspend_count > 0;
}

/*
 * Make the waiter T blocks on return WAITER_INTERRUPTED, and a stopped
 * T run its ASTs.  Locks: T->lock held.
 */
static void thread_kick_locked(struct thread *t)
{
	/* SMP: running on another CPU, it sees its ASTs once out of user
	 * mode: now, by a reschedule IPI, rather than at its next tick. */
	if (t->state == THREAD_RUNNING)
		machine_cpu_kick(t->last_cpu);
	if (t->state != THREAD_BLOCKED)
		return;
	if (t->wait) {
		int expected = WAITER_BLOCKED;

		if (atomic_compare_exchange_strong(&t->wait->wake, &expected,
		                                   WAITER_INTERRUPTED) &&
		    !t->stopped)
			sched_enqueue(t, true);
	} else if (t->stopped && (t->ast & AST_TERMINATE)) {
		t->stopped = false;
		sched_enqueue(t, false);
	}
}

/* Let a stopped thread go on if nothing holds it any more.
 * Locks: T->lock held. */
static void thread_release_hold_locked(struct thread *t)
{
	if (t->state == THREAD_BLOCKED && t->stopped && !thread_held(t)) {
		t->stopped = false;
		sched_enqueue(t, false);
	}
}

kern_return_t thread_suspend(struct thread *t)
{
	unsigned long f = spin_lock(&t->lock);

	if (t->state == THREAD_DEAD || (t->ast & AST_TERMINATE)) {
		spin_unlock(&t->lock, f);
		return KERN_TERMINATED;
	}
	t->suspend_count++;
	t->ast |= AST_SUSPEND;
	spin_unlock(&t->lock, f);
	thread_wait_stopped(t);
	return KERN_SUCCESS;
}

void thread_wait_stopped(struct thread *t)
{
	struct thread *self = thread_current();
	bool kicked = false;

	if (t == self)
		return;
	/* The caller's store of T's AST (under T's lock, released) before
	 * our loads of on_cpu and state: the switch that puts T on a CPU
	 * stores on_cpu then reads the AST (a seq_cst store, a fence), so
	 * with this fence one of us sees the other's store (no store-load
	 * reordering lets both miss it). */
	atomic_thread_fence(memory_order_seq_cst);
	while (atomic_load(&t->on_cpu) || t->state == THREAD_RUNNING) {
		/* Two threads suspending each other: the one suspended
		 * first stops waiting, so that it can stop. */
		if (__atomic_load_n(&self->ast, __ATOMIC_RELAXED) &
		    (AST_SUSPEND | AST_TERMINATE))
			return;
		if (!kicked) {
			machine_cpu_kick(t->last_cpu); /* out of user mode */
			kicked = true;
		}
		sched_yield();
		cpu_relax();
	}
}

kern_return_t thread_resume(struct thread *t)
{
	unsigned long f = spin_lock(&t->lock);
	kern_return_t kr = KERN_SUCCESS;

	if (t->state == THREAD_DEAD || (t->ast & AST_TERMINATE))
		kr = KERN_TERMINATED;
	else if (t->suspend_count == 0)
		kr = KERN_FAILURE;
	else if (--t->suspend_count == 0)
		thread_release_hold_locked(t);
	spin_unlock(&t->lock, f);
	return kr;
}

/* Wake every stopped thread of TASK that nothing holds any more.
 * Locks: TASK->lock held. */
void task_threads_release_hold(struct task *task)
{

	list_for_each_entry(struct thread, t, &task->threads, task_link)
	{
		spin_lock(&t->lock);
		thread_release_hold_locked(t);
		spin_unlock(&t->lock, 0);
	}
}

kern_return_t thread_abort(struct thread *t)
{
	unsigned long f = spin_lock(&t->lock);

	if (t->state == THREAD_DEAD || (t->ast & AST_TERMINATE)) {
		spin_unlock(&t->lock, f);
		return KERN_TERMINATED;
	}
	thread_kick_locked(t);
	spin_unlock(&t->lock, f);
	return KERN_SUCCESS;
}

/* Mark T to die at its next return towards user mode and interrupt its
 * wait.  Returns false if it was already dying.  Locks: none held. */
bool thread_mark_terminate(struct thread *t)
{
	unsigned long f = spin_lock(&t->lock);
	bool first = !(t->ast & AST_TERMINATE) && t->state != THREAD_DEAD;

	t->ast |= AST_TERMINATE;
	if (t->state == THREAD_BLOCKED && t->stopped) {
		t->stopped = false;
		sched_enqueue(t, false);
	} else {
		thread_kick_locked(t);
	}
	spin_unlock(&t->lock, f);
	return first;
}

kern_return_t thread_terminate(struct thread *t)
{
	struct task *task = t->task;
	unsigned long f;

	if (!thread_mark_terminate(t))
		return KERN_TERMINATED;
	if (t == thread_current())
		return KERN_SUCCESS; /* it dies on its way to user mode */
	/* Wait until it left its task, as GNU Mach returns once the thread
	 * is gone (its port dead). */
	task_ref(task);
	f = spin_lock(&task->lock);
	while (list_linked(&t->task_link) && t->task == task) {
		struct waiter w;

		waiter_init(&w);
		waitq_wait(&task->exit_wq, &task->lock, f, WAITQ_FOREVER, &w);
		f = spin_lock(&task->lock);
	}
	spin_unlock(&task->lock, f);
	task_release(task);
	return KERN_SUCCESS;
}

__attribute__((noreturn)) void thread_exit(void)
{
	struct thread *t = thread_current();
	struct task *task = t->task;
	unsigned long f;
	bool last;

	if (t == &boot_thread)
		panic("thread_exit: the boot thread");
	/* Leave the task's address space before it may go away. */
	pmap_activate(NULL);
	if (t->ith_sself)
		port_release_send(t->ith_sself);
	if (t->ith_exception)
		port_release_send(t->ith_exception);
	t->ith_sself = t->ith_exception = NULL;
	port_destroy_kobject(t->self);
	t->self = NULL;

	/* Gone from the task: whoever waits in thread_terminate or
	 * task_terminate may go on. */
	f = spin_lock(&task->lock);
	list_remove(&t->task_link); /* leaves it unlinked (list_linked) */
	task->thread_count--;
	task->user_ns += t->user_ns;
	task->system_ns += t->system_ns;
	last = task->thread_count == 0 && !task->active;
	waitq_wake_all(&task->exit_wq, 0);
	spin_unlock(&task->lock, f);
	if (last)
		task_last_thread_gone(task);
	thread_set_task(t, kernel_task);
	t->user = false;
	task_release(task);

	intr_disable();
	spin_lock(&t->lock);
	t->state = THREAD_DEAD;
	spin_unlock(&t->lock, 0);
	sched_block();
	panic("thread_exit: a dead thread ran again");
}

void thread_check_ast(void)
{
	struct thread *t = thread_current();
	unsigned long f;

	for (;;) {
		f = spin_lock(&t->lock);
		if (t->ast & AST_TERMINATE) {
			spin_unlock(&t->lock, f);
			thread_exit();
		}
		if (!thread_held(t)) {
			t->ast &= ~(AST_SUSPEND | AST_ABORT);
			spin_unlock(&t->lock, f);
			return;
		}
		t->state = THREAD_BLOCKED;
		t->stopped = true;
		spin_unlock(&t->lock, 0);
		sched_block();
		intr_restore(f);
	}
}

/* Something asked of T before user mode: a reschedule, a termination, a
 * suspension (T's or its task's).  Interrupts masked. */
static inline bool return_work(struct thread *t)
{
	/* Without the lock: a suspension or termination set on another
	 * CPU just after these reads is caught at the next return (its IPI
	 * or the next tick), as if it had come a moment later.  A task's
	 * suspension is seen in AST_SUSPEND, which task_suspend sets in
	 * each of its threads (the task itself is not read: one page less
	 * for an RPC's return to touch); user_return_work clears it once
	 * nothing holds the thread. */
	return sched_preempt_pending() || sched_handoff_reserved() ||
	       (__atomic_load_n(&t->ast, __ATOMIC_RELAXED) &
	        (AST_SUSPEND | AST_TERMINATE)) ||
	       __atomic_load_n(&t->suspend_count, __ATOMIC_RELAXED) != 0;
}

/* thread_user_return_check when there is work: do it, until none is
 * left.  Returns with interrupts masked. */
static __attribute__((noinline)) void user_return_work(struct thread *t)
{
	bool stop;

	do {
		if (sched_preempt_pending()) {
			spin_lock(&t->lock);
			sched_enqueue(t, false);
			spin_unlock(&t->lock, 0);
			sched_block();
		} else if (sched_handoff_reserved()) {
			sched_handoff_release();
		} else {
			spin_lock(&t->lock);
			stop = (t->ast & AST_TERMINATE) || thread_held(t);
			if (!stop)
				/* A suspension that ended before we stopped. */
				t->ast &= ~AST_SUSPEND;
			spin_unlock(&t->lock, 0);
			if (!stop)
				return; /* interrupts masked, for the way out */
			intr_enable();
			thread_check_ast();
		}
		intr_disable();
	} while (return_work(t));
}

void thread_user_return_check(void)
{
	struct thread *t = thread_current();

	intr_disable();
	if (unlikely(return_work(t)))
		user_return_work(t);
}

struct thread *thread_from_port(struct port *port)
{
	struct thread *t = NULL;
	unsigned long f;

	if (port == NULL)
		return NULL;
	f = port_lock(port);
	if (port_active(port) && port->kotype == KOBJECT_THREAD) {
		t = port->kobject;
		thread_ref(t);
	}
	port_unlock(port, f);
	return t;
}

/* First code of a new thread, from thread_trampoline (switch.S). */
__attribute__((noreturn)) void thread_start(struct thread *prev);
__attribute__((noreturn)) void thread_start(struct thread *prev)
{
	struct thread *self = thread_current();

	sched_switch_done(prev);
	intr_enable();
	if (!self->user) {
		self->entry(self->entry_arg);
		thread_exit();
	}
	self->machine.fpu_used = true; /* the program's first instructions
	                                  (crt0, varargs) use SSE */
	thread_user_return_check();
	machine_user_enter(self->machine.frame);
}
