/*
 * user/runtime/thread.c — threads of the runtime and their control blocks.
 * Each thread made here runs on a MACHR_STACK_SIZE stack aligned to its
 * size, with its struct machr_tcb at the lowest address; __machr_tcb()
 * finds it by masking %rsp.  The main thread (on the stack the kernel
 * gave it) uses a static block.  A thread that finishes ends with
 * thread_terminate_release, which drops its own send right and destroys
 * its MIG reply port as the thread ends.  Its stack is not freed: asking
 * GNU Mach to unmap it in the same call hangs that kernel now and then
 * (the thread seems to run on, stackless, before it ends).
 */
#include <machr/runtime.h>
#include <mach/gnumach.h>
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

/* First code of a new thread (%rdi = its control block). */
static _Noreturn void thread_entry(struct machr_tcb *t)
{
	mach_port_t self;

	t->fn(t->arg);
	/* The creator's right (t->thread) may be gone by now and its name
	 * reused for another thread: end through a right of our own.  The
	 * call never returns: the kernel releases that right and the reply
	 * port it was sent with, and ends the thread. */
	self = mach_thread_self();
	(void)thread_terminate_release(self, machr_task, self,
	                               mig_get_reply_port(), 0, 0);
	for (;;)
		(void)thread_terminate(self);
}

/*
 * Allocate a MACHR_STACK_SIZE stack aligned to its size in TASK (twice
 * the size, then trimmed); its base goes to *BASE.
 */
static kern_return_t stack_allocate(mach_port_t task, vm_address_t *base)
{
	vm_address_t a = 0, b, end;
	kern_return_t kr;

	kr = vm_allocate(task, &a, 2 * MACHR_STACK_SIZE, TRUE);
	if (kr != KERN_SUCCESS)
		return kr;
	b = (a + MACHR_STACK_SIZE - 1) & ~(vm_address_t)(MACHR_STACK_SIZE - 1);
	end = a + 2 * MACHR_STACK_SIZE;
	if (b > a)
		(void)vm_deallocate(task, a, b - a);
	if (end > b + MACHR_STACK_SIZE)
		(void)vm_deallocate(task, b + MACHR_STACK_SIZE,
		                    end - b - MACHR_STACK_SIZE);
	*base = b;
	return KERN_SUCCESS;
}

kern_return_t machr_thread_start_at(mach_port_t task, void *entry,
                                    uintptr_t arg, uintptr_t sp,
                                    mach_port_t *thread)
{
	struct i386_thread_state st;
	mach_port_t th;
	uint16_t cs, ss;
	kern_return_t kr;

	kr = thread_create(task, &th);
	if (kr != KERN_SUCCESS)
		return kr;
	*thread = th;
	__asm__("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
	memset(&st, 0, sizeof st);
	st.rip = (uintptr_t)entry;
	st.rdi = arg;
	/* GNU Mach takes the user stack pointer from ursp and ignores rsp;
	 * set both. */
	st.rsp = st.ursp = sp;
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
		*thread = MACH_PORT_NULL;
	}
	return kr;
}

/*
 * Create a thread in TASK that starts at ENTRY(TCB) on the stack at BASE
 * (whose control block TCB is) and resume it.  The thread's right is
 * stored in *THREAD before the thread runs.  On failure the stack is
 * deallocated too.
 */
static kern_return_t thread_start(mach_port_t task, vm_address_t base,
                                  void *entry, mach_port_t *thread)
{
	/* As if just called: rsp + 8 is 16-byte aligned. */
	kern_return_t kr = machr_thread_start_at(
	    task, entry, base, base + MACHR_STACK_SIZE - 8, thread);

	if (kr != KERN_SUCCESS)
		(void)vm_deallocate(task, base, MACHR_STACK_SIZE);
	return kr;
}

static void tcb_init(struct machr_tcb *t, void (*fn)(void *), void *arg)
{
	t->magic = MACHR_TCB_MAGIC;
	t->self = t;
	t->reply_port = MACH_PORT_NULL;
	t->thread = MACH_PORT_NULL;
	t->fn = fn;
	t->arg = arg;
}

kern_return_t machr_thread_create(void (*fn)(void *), void *arg,
                                  mach_port_t *thread)
{
	struct machr_tcb *t;
	vm_address_t base;
	kern_return_t kr;

	kr = stack_allocate(machr_task, &base);
	if (kr != KERN_SUCCESS)
		return kr;
	t = (struct machr_tcb *)base;
	tcb_init(t, fn, arg);
	/* thread_entry reads t->thread when FN returns. */
	kr = thread_start(machr_task, base, thread_entry, &t->thread);
	if (kr == KERN_SUCCESS && thread)
		*thread = t->thread;
	return kr;
}

/*
 * First code of a thread in another task (%rdi = its control block, in
 * that task's copy of our memory).  Our globals there are copies: the
 * task port and the parked reply ports name rights of *this* space, so
 * the thread takes its own.
 */
static _Noreturn void task_thread_entry(struct machr_tcb *t)
{
	machr_task = mach_task_self();
	t->thread = mach_thread_self();
	t->fn(t->arg);
	for (;;)
		(void)thread_terminate(mach_thread_self());
}

kern_return_t machr_task_thread_start(mach_port_t task, void (*fn)(void *),
                                      void *arg, mach_port_t *thread)
{
	vm_address_t base, page = 0;
	kern_return_t kr;

	kr = stack_allocate(task, &base);
	if (kr != KERN_SUCCESS)
		return kr;
	/* The control block goes to the stack's base page in TASK. */
	kr = vm_allocate(machr_task, &page, 4096, TRUE);
	if (kr == KERN_SUCCESS) {
		tcb_init((struct machr_tcb *)page, fn, arg);
		((struct machr_tcb *)page)->self = (struct machr_tcb *)base;
		kr = vm_write(task, base, page, 4096);
		(void)vm_deallocate(machr_task, page, 4096);
	}
	if (kr != KERN_SUCCESS) {
		(void)vm_deallocate(task, base, MACHR_STACK_SIZE);
		return kr;
	}
	return thread_start(task, base, task_thread_entry, thread);
}

int machr_thread_wait_blocked(mach_port_t thread)
{
	struct thread_basic_info bi;
	mach_msg_type_number_t n;
	int seen = 0;

	/* Two sightings 50 ms apart: a thread on its way to the call it
	 * is meant to block in may wait briefly elsewhere (a page fault). */
	for (int i = 0; i < 500; i++) {
		n = THREAD_BASIC_INFO_COUNT;
		if (thread_info(thread, THREAD_BASIC_INFO, (thread_info_t)&bi,
		                &n) != KERN_SUCCESS ||
		    bi.run_state != TH_STATE_WAITING)
			seen = 0;
		else if (++seen == 2)
			return 1;
		machr_sleep_ms(seen ? 50 : 10);
	}
	return 0;
}
