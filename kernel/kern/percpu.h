/*
 * Per-CPU data.  Each CPU finds its own struct percpu through the
 * machine's per-CPU register (GS on x86_64): percpu_self() and cpu_id()
 * are one load.  The first two fields are at fixed offsets the machine
 * layer relies on.
 */
#ifndef KERN_PERCPU_H
#define KERN_PERCPU_H

#include <stdint.h>

#include "kern/compiler.h"

#define MAX_CPUS 64

struct trap_catch;
struct thread;
struct sched_cpu;

/*
 * One CPU's private data.
 * Owned by: the CPU itself; other CPUs only read `id` and `online`.
 * Guarded by: being touched only by its own CPU with interrupts masked
 *   where an interrupt handler also writes (ticks).
 */
struct percpu {
	struct percpu *self;      /* offset 0: percpu_self() reads it */
	uint32_t id;              /* offset 8: cpu_id() reads it */
	uint32_t hw_id;           /* the machine's id (the local APIC id) */
	struct trap_catch *catch; /* innermost armed trap catch, or NULL */
	uint64_t kstack_top;      /* offset 24: the current thread's kernel
	                             stack top, for the SYSCALL entry */
	uint64_t user_rsp;        /* offset 32: SYSCALL entry scratch */
	struct thread *current;   /* offset 40: the running thread */
	uint64_t ticks;           /* timer interrupts taken on this CPU */
	int online;               /* set once the CPU runs kernel code */
	struct sched_cpu *sched;  /* this CPU's run queue (kern/sched.c) */
};

STATIC_ASSERT(__builtin_offsetof(struct percpu, id) == 8,
              "cpu_id() reads the id at offset 8");
STATIC_ASSERT(__builtin_offsetof(struct percpu, catch) == 16,
              "arch/x86_64/catch.S links catches at offset 16");

STATIC_ASSERT(__builtin_offsetof(struct percpu, kstack_top) == 24,
              "arch/x86_64/syscall.S reads the kernel stack at offset 24");
STATIC_ASSERT(__builtin_offsetof(struct percpu, user_rsp) == 32,
              "arch/x86_64/syscall.S saves the user RSP at offset 32");
STATIC_ASSERT(__builtin_offsetof(struct percpu, current) == 40,
              "thread_current() reads offset 40");

extern struct percpu percpu_area[MAX_CPUS];

#endif
