/*
 * Host threads posing as kernel threads, for multi-threaded unit tests,
 * the fuzzer and the host benchmark (arch/host/sched_host.c).  Each
 * pthread that runs core code next to others must first take a CPU
 * number of its own (host_thread_attach): spinlocks tell their holder
 * by CPU number, so two pthreads sharing one would look like a CPU
 * taking a lock twice.
 */
#ifndef MACHINE_HOST_THREAD_H
#define MACHINE_HOST_THREAD_H

#include <stdbool.h>

struct host_thread;

/* Give the calling pthread a CPU number no other attached pthread has
 * (1..MAX_CPUS-1; CPU 0 stays the main thread's).  Returns it. */
unsigned host_thread_attach(void);

/* Give the calling pthread's CPU number back (before it exits). */
void host_thread_detach(void);

/* The calling pthread's blocking context. */
struct host_thread *host_thread_self(void);

/* True while T is blocked in thread_block_until. */
bool host_thread_blocked(struct host_thread *t);

/*
 * Interrupt T's current wait, as thread_abort will: the waiter it is
 * blocked on gets WAITER_INTERRUPTED.  Returns false (and does nothing)
 * when T is not blocked.
 */
bool host_thread_interrupt(struct host_thread *t);

#endif
