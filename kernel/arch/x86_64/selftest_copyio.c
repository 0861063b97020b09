/*
 * Self-tests of the machine pieces under IPC on x86_64: copyin/copyout
 * refuse kernel and wrapping ranges and turn a fault on an unmapped user
 * page into -1, and a wait queue's deadline ends a wait on the boot
 * thread (arch/x86_64/thread_block.c).  Listed in machine_selftests[].
 */
#include "kern/clock.h"
#include "kern/selftest.h"
#include "kern/spinlock.h"
#include "kern/waitq.h"
#include "machine/copyio.h"
#include "machine/cpu.h"
#include "machine/memlayout.h"

void selftest_copyio(struct selftest_ctx *ctx);
void selftest_waitq_deadline(struct selftest_ctx *ctx);

void selftest_copyio(struct selftest_ctx *ctx)
{
	static char kbuf[64];
	char local[16];

	/* The lower half is empty in the kernel's tables: every user
	 * address faults, and the fault must come back as -1. */
	selftest_check(ctx, copyin((void *)0x1000, local, 8) == -1,
	               "copyin from an unmapped user page");
	selftest_check(ctx, copyout(local, (void *)0x400000, 8) == -1,
	               "copyout to an unmapped user page");
	selftest_check(ctx,
	               copyin((void *)(USER_MAX_ADDRESS - 4), local, 8) == -1,
	               "copyin across the top of user space");
	selftest_check(ctx, copyin(kbuf, local, 8) == -1,
	               "copyin from a kernel address");
	selftest_check(ctx, copyout(local, kbuf, 8) == -1,
	               "copyout to a kernel address");
	selftest_check(ctx, copyin((void *)~0UL, local, 2) == -1,
	               "copyin of a wrapping range");
	selftest_check(ctx, copyin((void *)0x1000, local, 0) == 0,
	               "an empty copy succeeds");
	selftest_check(ctx, intr_enabled(), "interrupts on after the faults");
}

void selftest_waitq_deadline(struct selftest_ctx *ctx)
{
	static spinlock_t lock = SPINLOCK_INIT("selftest.waitq");
	struct waitq wq;
	struct waiter w;
	uint64_t start = clock_now_ns();
	unsigned long f;
	int r;

	waitq_init(&wq);
	waiter_init(&w);
	f = spin_lock(&lock);
	r = waitq_wait(&wq, &lock, f, start + 20000000ULL, &w);
	selftest_check(ctx, r == WAITQ_TIMED_OUT, "wait returned %d", r);
	selftest_check(ctx, clock_now_ns() - start >= 20000000ULL,
	               "woke after %llu ns",
	               (unsigned long long)(clock_now_ns() - start));
	selftest_check(ctx, waitq_empty(&wq), "the waiter left the queue");
	selftest_check(ctx, intr_enabled(), "interrupts on after the wait");
}
