/*
 * Threads: the unit of execution.  Every thread has a kernel stack and
 * runs in the kernel on it; a user thread also has saved user registers
 * (machine/thread.h) and belongs to a user task.  The scheduler
 * (kern/sched.h) decides which runnable thread each CPU runs.
 */
#ifndef TASK_THREAD_H
#define TASK_THREAD_H

#include <mach/kern_return.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ipc/right.h"
#include "kern/list.h"
#include "kern/spinlock.h"
#include "kern/thread_block.h"
#include "machine/thread.h"

struct task;
struct port;
struct waiter;

/* Scheduling states (thread->state). */
enum thread_state {
	THREAD_EMBRYO,   /* created, never run yet, not runnable */
	THREAD_RUNNABLE, /* on a run queue */
	THREAD_RUNNING,  /* on a CPU */
	THREAD_BLOCKED,  /* waiting (kern/waitq) or stopped (suspended) */
	THREAD_DEAD,     /* terminated; its stack is freed by the reaper */
};

/* Priorities: 0 is the highest, as in GNU Mach; NRQS queues. */
#define SCHED_NRQS        64 /* priorities 0..63, as GNU Mach's NRQS */
#define SCHED_PRI_USER    25 /* base of user threads (BASEPRI_USER) */
#define SCHED_PRI_KERNEL  10 /* kernel threads */
#define SCHED_PRI_LOWEST  (SCHED_NRQS - 1)
#define SCHED_PRI_IDLE    SCHED_PRI_LOWEST /* never queued */
#define SCHED_PRI_DEPRESS SCHED_PRI_LOWEST /* a depressed thread */
#define SCHED_TIMESHARE_OFFSET                                                 \
	7 /* a timesharing thread's priority starts                            \
	     this much below its base (GNU Mach) */

/* Scheduling policies (mach/policy.h). */
#define SCHED_POLICY_TIMESHARE 1
#define SCHED_POLICY_FIXEDPRI  2
#define THREAD_NAME_MAX        32

/* Ask bits (thread->ast), checked before the thread returns to user mode. */
#define AST_SUSPEND   0x1 /* stop until resumed */
#define AST_TERMINATE 0x2 /* die */
#define AST_ABORT     0x4 /* a pending thread_abort */

/*
 * A thread.
 * Owned by: its references (thread_ref/thread_release): the task's
 *   thread list holds one until the thread is terminated, a running
 *   thread holds one on itself, thread_from_port callers hold one.
 * Guarded by: `lock` for state, suspend_count, ast, wait, priorities,
 *   the special port and name; `refs` is atomic.  The run-queue link is
 *   guarded by the lock of the run queue it is on (kern/sched.c).
 *   `machine` is touched only by the thread itself, or by others while
 *   it is stopped (thread_get/set_state).
 * Lock order: task->lock, then thread->lock, then run-queue locks.
 */
struct thread {
	spinlock_t lock;
	atomic_uint refs;
	struct task *task; /* owning task (holds a reference) */
	/* task->space and task->pmap, fixed for the task's life, copied
	 * here with `task` (thread_set_task) so that a trap or a switch
	 * reads no task: one page less an RPC touches. */
	struct space *space;
	struct pmap *pmap;
	struct list task_link; /* on task->threads */
	enum thread_state state;
	bool stopped;           /* blocked by suspension, not by a wait */
	atomic_bool on_cpu;     /* its registers are still in use by a CPU */
	unsigned last_cpu;      /* CPU it last ran on */
	bool pinned;            /* runs on last_cpu only: never stolen (an
	                           idle thread, and the boot thread, CPU 0's
	                           idle thread before it idles) */
	struct list runq_link;  /* on a run queue while RUNNABLE */
	unsigned runq_cpu;      /* whose run queue runq_link is on */
	int base_priority;      /* thread_priority / task default */
	int max_priority;       /* best base thread_priority may set */
	int priority;           /* scheduling priority: the queue index;
	                           sched_compute_priority's result */
	int policy;             /* SCHED_POLICY_* */
	int policy_data;        /* thread_policy's data (FIXEDPRI quantum) */
	bool depressed;         /* swtch_pri / thread_switch depression */
	uint64_t depress_until; /* clock_now_ns() end of the depression */
	uint32_t usage;         /* recent ticks on a CPU, halved each second */
	uint64_t usage_second;  /* clock second USAGE was last decayed at */
	uint64_t quantum_end;   /* clock_now_ns() end of the time slice */
	int suspend_count;      /* thread_suspend minus thread_resume */
	unsigned ast;           /* AST_* */
	struct waiter *wait;    /* the waiter it blocks on, or NULL */
	uint64_t wait_deadline; /* clock_now_ns() deadline, or UINT64_MAX */
	struct list timeout_link; /* on the timeout list while it has one */
	bool user;                /* has a user context (machine.frame) */
	bool vm_privileged;       /* may use the memory reserve (thread_wire,
	                             the pageout daemon); written by itself */
	struct port *self;        /* the thread's kernel-object port */
	struct port *ith_sself;   /* THREAD_KERNEL_PORT (send right), or NULL */
	struct port *ith_exception; /* THREAD_EXCEPTION_PORT, or NULL */
	struct port *reply_port;    /* mig reply port for kernel RPCs, unused */
	uint64_t user_ns, system_ns; /* time spent */
	uint64_t run_start;          /* machine_clock_ns() at its switch-in */
	uint64_t creation_ns;
	/* The kernel stack: KSTACK_SIZE bytes at kstack, this struct at
	 * their top (thread_alloc) and the stack below it, from kstack_top
	 * down: the thread and its stack's busiest lines share a page (one
	 * page less for a switch to touch).  The boot thread runs on the
	 * boot stack: kstack NULL, kstack_top 0 (it never enters from user
	 * mode, which is all kstack_top is for). */
	void *kstack;
	uint64_t kstack_top;
	void (*entry)(void *); /* kernel threads: the function to run */
	void *entry_arg;
	char name[THREAD_NAME_MAX];
	struct list all_link; /* on the list of every thread, or reaper */
	struct machine_thread machine;
	/* A continuation for the switch that resumes it, or fn NULL
	 * (kern/thread_block.h: thread_resume_set). */
	struct thread_resume resume;
	/* The handoff this thread has claimed a thread for and not yet
	 * switched to or let go (thread_unblock_handoff), or NULL: should
	 * it block for anything else meanwhile, sched_block lets the
	 * claimed thread go first.  Touched only by this thread. */
	struct handoff *claim;
	/* Where mach_thread_self found its name in the task's space last
	 * (task/traps.c); guarded by that space's lock. */
	struct right_name_hint ith_sself_hint;
};

/* thread_init: caches, the boot thread (the caller becomes a thread). */
void thread_init(void);

/*
 * thread_create_kernel: a kernel thread of the kernel task running
 * FN(ARG) at PRIORITY; it is made runnable at once.  Returns the thread
 * (no reference for the caller) or NULL on exhaustion.
 */
struct thread *thread_create_kernel(void (*fn)(void *), void *arg, int priority,
                                    const char *name);

/*
 * thread_create_idle: the thread a secondary CPU (CPU) becomes when it
 * starts (SMP bring-up): a kernel thread that is already RUNNING there,
 * not on any queue.  The CPU runs its start-up code on the thread's own
 * kernel stack (below the unused user frame), sets percpu->current to it
 * and calls sched_idle_loop (arch/x86_64/smp.c).  Returns NULL on
 * exhaustion.
 */
struct thread *thread_create_idle(unsigned cpu);

/*
 * thread_create_user: a new user thread in TASK, stopped (suspend count
 * 1, as thread_create returns it), with zeroed user registers.
 * Returns KERN_SUCCESS and *OUT (one reference for the caller),
 *   KERN_INVALID_ARGUMENT if TASK is terminated, KERN_RESOURCE_SHORTAGE.
 */
kern_return_t thread_create_user(struct task *task, struct thread **out);

void thread_ref(struct thread *thread);
/* thread_release: drop a reference; the last one frees the thread. */
void thread_release(struct thread *thread);

/* thread_current: the calling thread (percpu->current, kern/percpu.h:
 * one load through the per-CPU register). */
static inline struct thread *thread_current(void)
{
	struct thread *t;

	__asm__ volatile("movq %%gs:40, %0" : "=r"(t));
	return t;
}

/*
 * thread_suspend / thread_resume: GNU Mach semantics: suspend counts;
 * a thread with a count above zero does not run user code.
 * Returns KERN_SUCCESS; KERN_FAILURE resuming a thread whose count is
 *   0; KERN_TERMINATED for a dead thread.
 */
kern_return_t thread_suspend(struct thread *thread);
kern_return_t thread_resume(struct thread *thread);

/*
 * thread_wait_stopped: SMP: wait until THREAD, just told to stop, is off
 * every CPU (blocked, stopped or queued, its user registers saved), as
 * GNU Mach's thread_suspend and task_suspend do before they return; its
 * CPU is sent a reschedule IPI to take it out of user mode.  Returns at
 * once for the caller itself, and early if the caller is itself being
 * suspended or terminated.  Locks: none held.
 */
void thread_wait_stopped(struct thread *thread);

/*
 * thread_abort: interrupt THREAD's current wait (a blocked mach_msg
 * returns MACH_RCV_INTERRUPTED / MACH_SEND_INTERRUPTED).
 * Returns KERN_SUCCESS, KERN_TERMINATED for a dead thread.
 */
kern_return_t thread_abort(struct thread *thread);

/*
 * thread_terminate: end THREAD.  If it is the caller, does not return
 * (the thread exits at its next return towards user mode or now).
 * Returns KERN_SUCCESS, KERN_TERMINATED if already dead.
 */
kern_return_t thread_terminate(struct thread *thread);

/* thread_exit: end the calling thread now.  Never returns. */
__attribute__((noreturn)) void thread_exit(void);

/* thread_from_port: the thread PORT stands for, referenced, or NULL. */
struct thread *thread_from_port(struct port *port);

/*
 * thread_check_ast: handle the calling thread's pending ASTs before it
 * returns to user mode (suspension, termination).  May block; may not
 * return (termination).  Locks: none held.
 */
void thread_check_ast(void);

/*
 * thread_user_return_check: last stop of the calling thread before user
 * mode: reschedule if asked, stop while suspended, die if terminated.
 * Locks: none held.  Returns with interrupts masked.
 */
void thread_user_return_check(void);

/* thread_mark_terminate: make THREAD die at its next return towards user
 * mode, interrupting its wait.  Returns false if it was already dying. */
bool thread_mark_terminate(struct thread *thread);

/* task_threads_release_hold: let TASK's stopped threads that nothing
 * holds any more run.  Locks: TASK->lock held. */
void task_threads_release_hold(struct task *task);

#endif
