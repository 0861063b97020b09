/*
 * The blocking primitive of kern/thread_block.h in the kernel, before
 * the scheduler exists: the boot thread is the only thread, so blocking
 * means idling the CPU (interrupts enabled) until an interrupt handler
 * unblocks the waiter or the deadline passes.  The scheduler of issue 5
 * replaces this file.
 */
#include <stdatomic.h>

#include "kern/clock.h"
#include "kern/thread_block.h"
#include "kern/waitq.h"
#include "machine/cpu.h"

static int boot_thread; /* the only thread: its address is its identity */

void *thread_block_self(void)
{
	return &boot_thread;
}

int thread_block_until(struct waiter *w, uint64_t deadline)
{
	unsigned long flags = intr_save();
	int why;

	while ((why = atomic_load(&w->wake)) == WAITER_BLOCKED) {
		if (deadline != UINT64_MAX && clock_now_ns() >= deadline) {
			why = THREAD_BLOCK_TIMED_OUT;
			break;
		}
		/* Idle until the next interrupt (the timer at worst). */
		machine_idle();
		intr_disable();
	}
	intr_restore(flags);
	return why;
}

static void set_wake(struct waiter *w, int why)
{
	int expected = WAITER_BLOCKED;

	atomic_compare_exchange_strong(&w->wake, &expected, why);
}

void thread_unblock(struct waiter *w)
{
	set_wake(w, WAITER_UNBLOCKED);
}

void thread_interrupt(struct waiter *w)
{
	set_wake(w, WAITER_INTERRUPTED);
}
