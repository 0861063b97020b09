/*
 * user/runtime/tcb.h — the runtime's per-thread control block (private).
 * The main thread's block is static; a thread made by machr_thread_create
 * has its block at the base of its MACHR_STACK_SIZE-aligned stack, found
 * by masking the stack pointer (so no kernel TLS support is needed).
 */
#ifndef MACHR_TCB_H
#define MACHR_TCB_H

#include <mach.h>
#include <stdint.h>

#define MACHR_STACK_SIZE (64 * 1024) /* power of two */
#define MACHR_MAIN_STACK                                                       \
	(16 * 1024 * 1024) /* how far main's stack may grow                    \
	                    */
#define MACHR_TCB_MAGIC 0x4d616368525f5442ull

struct machr_tcb {
	uint64_t magic;
	struct machr_tcb *self;
	mach_port_t reply_port; /* cached MIG reply port, or MACH_PORT_NULL */
	mach_port_t thread;     /* send right to the thread (not main) */
	void (*fn)(void *);
	void *arg;
};

extern uintptr_t __machr_initial_sp; /* %rsp at _start */
struct machr_tcb *__machr_tcb(void);

#endif
