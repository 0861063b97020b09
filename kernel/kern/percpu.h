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
	uint64_t ticks;           /* timer interrupts taken on this CPU */
	int online;               /* set once the CPU runs kernel code */
};

STATIC_ASSERT(__builtin_offsetof(struct percpu, id) == 8,
              "cpu_id() reads the id at offset 8");
STATIC_ASSERT(__builtin_offsetof(struct percpu, catch) == 16,
              "arch/x86_64/catch.S links catches at offset 16");

extern struct percpu percpu_area[MAX_CPUS];

#endif
