/*
 * user/runtime/thread.c — threads of the runtime and their control blocks.
 * Each thread made here runs on a MACHR_STACK_SIZE stack aligned to its
 * size, with its struct machr_tcb at the lowest address; __machr_tcb()
 * finds it by masking %rsp.  The main thread (on the stack the kernel
 * gave it) uses a static block.  A finished thread's stack is not freed;
 * its MIG reply port is parked for the next new thread (destroying it
 * with an RPC would need another reply port, and an RPC that destroys its
 * own reply port never returns on GNU Mach).
 */
#include <machr/runtime.h>
#include <mach/machine/thread_status.h>
#include <string.h>
#include "tcb.h"

static struct machr_tcb main_tcb = {.magic = MACHR_TCB_MAGIC,
                                    .self = &main_tcb};

struct machr_tcb *__machr_tcb(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	struct machr_tcb *t;

	if (sp <= __machr_initial_sp + 4096 &&
	    sp + MACHR_MAIN_STACK > __machr_initial_sp)
		return &main_tcb;
	t = (struct machr_tcb *)(sp & ~(uintptr_t)(MACHR_STACK_SIZE - 1));
	if (t->magic == MACHR_TCB_MAGIC && t->self == t)
		return t;
	return &main_tcb;
}

#define SPARE_PORTS 32
static mach_port_t spare_reply_ports[SPARE_PORTS]; /* 0 = empty slot */

/* First code of a new thread (%rdi = its control block). */
static _Noreturn void thread_entry(struct machr_tcb *t)
{
	/* Start with a parked reply port if there is one. */
	for (int i = 0; i < SPARE_PORTS && t->reply_port == MACH_PORT_NULL; i++)
		t->reply_port = __atomic_exchange_n(
		    &spare_reply_ports[i], MACH_PORT_NULL, __ATOMIC_ACQ_REL);
	t->fn(t->arg);

	for (int i = 0; i < SPARE_PORTS && t->reply_port != MACH_PORT_NULL;
	     i++) {
		mach_port_t empty = MACH_PORT_NULL;
		if (__atomic_compare_exchange_n(
		        &spare_reply_ports[i], &empty, t->reply_port, 0,
		        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			t->reply_port = MACH_PORT_NULL;
	}
	/* t->thread is the right handed to the creator; if that was already
	 * deallocated, fall back to a fresh one. */
	(void)thread_terminate(t->thread);
	for (;;)
		(void)thread_terminate(mach_thread_self());
}

kern_return_t machr_thread_create(void (*fn)(void *), void *arg,
                                  mach_port_t *thread)
{
	vm_address_t a = 0, base, end;
	struct i386_thread_state st;
	struct machr_tcb *t;
	mach_port_t th;
	uint16_t cs, ss;
	kern_return_t kr;

	/* Twice the size, then trim to one aligned stack. */
	kr = vm_allocate(machr_task, &a, 2 * MACHR_STACK_SIZE, TRUE);
	if (kr != KERN_SUCCESS)
		return kr;
	base =
	    (a + MACHR_STACK_SIZE - 1) & ~(vm_address_t)(MACHR_STACK_SIZE - 1);
	end = a + 2 * MACHR_STACK_SIZE;
	if (base > a)
		(void)vm_deallocate(machr_task, a, base - a);
	if (end > base + MACHR_STACK_SIZE)
		(void)vm_deallocate(machr_task, base + MACHR_STACK_SIZE,
		                    end - base - MACHR_STACK_SIZE);

	t = (struct machr_tcb *)base;
	t->magic = MACHR_TCB_MAGIC;
	t->self = t;
	t->reply_port = MACH_PORT_NULL;
	t->fn = fn;
	t->arg = arg;

	kr = thread_create(machr_task, &th);
	if (kr != KERN_SUCCESS) {
		(void)vm_deallocate(machr_task, base, MACHR_STACK_SIZE);
		return kr;
	}
	t->thread = th;

	__asm__("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
	memset(&st, 0, sizeof st);
	st.rip = (uintptr_t)thread_entry;
	st.rdi = (uintptr_t)t;
	/* GNU Mach takes the user stack pointer from ursp and ignores rsp;
	 * set both.  As if just called: rsp + 8 is 16-byte aligned. */
	st.rsp = st.ursp = base + MACHR_STACK_SIZE - 8;
	st.cs = cs;
	st.ss = ss;
	st.rfl = 0x202;
	kr = thread_set_state(th, i386_THREAD_STATE, (thread_state_t)&st,
	                      i386_THREAD_STATE_COUNT);
	if (kr == KERN_SUCCESS)
		kr = thread_resume(th);
	if (kr != KERN_SUCCESS) {
		(void)thread_terminate(th);
		(void)mach_port_deallocate(machr_task, th);
		(void)vm_deallocate(machr_task, base, MACHR_STACK_SIZE);
		return kr;
	}
	if (thread)
		*thread = th;
	return KERN_SUCCESS;
}
