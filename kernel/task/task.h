/*
 * Tasks: the unit of resource ownership.  A task holds an IPC space (its
 * port names), an address space (a vm_map over a pmap), its threads, and
 * the ports that stand for it.  Tasks are kernel objects: user space
 * names one through a send right to its self port (KOBJECT_TASK).
 */
#ifndef TASK_TASK_H
#define TASK_TASK_H

#include <mach/kern_return.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ipc/right.h"
#include "kern/list.h"
#include "kern/spinlock.h"
#include "kern/waitq.h"

struct space;
struct vm_map;
struct pmap;
struct port;
struct thread;

#define TASK_PORTS_REGISTERED 4 /* TASK_PORT_REGISTER_MAX (mach_param.h) */
#define TASK_NAME_MAX                                                          \
	32 /* bytes of task_set_name's name kept, NUL included                 \
	    */

/*
 * A task.
 * Owned by: its references (task_ref/task_release): each thread of the
 *   task holds one, callers of task_from_port hold one, and the task's
 *   existence (until task_terminate) holds one.
 * Guarded by: `lock` for threads, suspend_count, special ports, name and
 *   active; `refs` is atomic; space, map and pmap are fixed from creation
 *   until the last reference.
 * Lock order: task->lock before thread->lock, before IPC locks.
 */
struct task {
	spinlock_t lock;
	atomic_uint refs;
	bool active;            /* false once task_terminate started */
	struct space *space;    /* port names */
	struct vm_map *map;     /* address space */
	struct pmap *pmap;      /* its page tables */
	struct list threads;    /* struct thread, by task_link */
	unsigned thread_count;  /* threads on the list */
	int suspend_count;      /* task_suspend minus task_resume */
	struct port *self;      /* the task's kernel-object port */
	struct port *itk_sself; /* TASK_KERNEL_PORT (a send right), or NULL */
	struct port
	    *itk_exception; /* TASK_EXCEPTION_PORT (send right), or NULL */
	struct port
	    *itk_bootstrap; /* TASK_BOOTSTRAP_PORT (send right), or NULL */
	struct port *registered[TASK_PORTS_REGISTERED]; /* mach_ports_register
	                                                   send rights */
	int priority; /* default priority of new threads */
	char name[TASK_NAME_MAX];
	uint64_t user_ns, system_ns; /* of threads that ended */
	uint64_t faults, zero_fills; /* task_events_info counters */
	uint64_t messages_sent, messages_received;
	uint64_t creation_ns; /* clock_now_ns() at creation */
	struct list all_link; /* on the list of every task */
	struct waitq exit_wq; /* task_terminate waits here for the threads */
	bool torn_down;       /* space and memory released (task_teardown) */
	/* Where mach_task_self and mach_host_self found their names in
	 * `space` last (task/traps.c); guarded by space->lock. */
	struct right_name_hint itk_sself_hint, host_hint;
};

/* The kernel's own task (no user space; owns the kernel threads). */
extern struct task *kernel_task;

/* task_init: create the caches and the kernel task.  Once, at boot. */
void task_init(void);

/*
 * task_create_user: a new task with an empty address space and an IPC
 * space, no threads, a self port, TASK_KERNEL_PORT = a send right to it,
 * and PARENT's exception and bootstrap ports (none when PARENT is NULL).
 * With INHERIT and a PARENT, the parent's address space is copied
 * (regions with VM_INHERIT_NONE left out).
 * Returns KERN_SUCCESS and *OUT (one reference), or
 *   KERN_RESOURCE_SHORTAGE.
 */
kern_return_t task_create_user(struct task *parent, bool inherit,
                               struct task **out);

void task_ref(struct task *task);
/* task_release: drop a reference; the last one frees the task.
 * Locks: none of the task's held. */
void task_release(struct task *task);

/*
 * task_terminate: stop every thread of TASK, destroy its space (its
 * rights die, notifications go out) and its address space, and
 * disconnect its port.  The calling thread may be one of TASK's: then
 * it does not return to user mode.
 * Returns KERN_SUCCESS, or KERN_FAILURE if TASK is already terminated.
 */
kern_return_t task_terminate(struct task *task);

/* task_suspend / task_resume: count and apply to every thread.
 * Returns KERN_SUCCESS; KERN_FAILURE when resuming a task that is not
 * suspended; KERN_FAILURE for a terminated task. */
kern_return_t task_suspend(struct task *task);
kern_return_t task_resume(struct task *task);

/* The task the current thread belongs to. */
struct task *task_current(void);

/* task_slot_copy_send: one more send right to the port in *SLOT (a
 * task's or thread's special-port field, guarded by LOCK), or NULL when
 * it is empty or dead.  Locks: none held. */
struct port *task_slot_copy_send(spinlock_t *lock, struct port **slot);

/* task_foreach: FN(TASK, ARG) for every task, the kernel's included.
 * Locks: none held; FN runs with the task list locked (it may take a
 * task's lock, not sleep). */
void task_foreach(void (*fn)(struct task *task, void *arg), void *arg);

/* task_copy_send: one more naked send right to PORT for the kernel to
 * hold; NULL when PORT is NULL or dead.  Locks: none held. */
struct port *task_copy_send(struct port *port);

/* task_last_thread_gone: the last thread of a terminated TASK left it
 * (thread_exit): release its space and memory.  Locks: none held. */
void task_last_thread_gone(struct task *task);

/*
 * task_from_port: the task PORT stands for, with a reference, or NULL
 * if PORT is not an active task port.  Locks: none held.
 */
struct task *task_from_port(struct port *port);

#endif
