/*
 * Self-tests of several CPUs (smp.c, task/sched.c, pmap.c): every CPU
 * the MADT and the command line allow came online and takes timer
 * interrupts, kernel threads run on every CPU, a TLB shootdown reaches a
 * CPU that has the pmap loaded, threads on different CPUs block and
 * wake each other many times without losing a wake, and a handoff's
 * thread is claimed for its waker.  With one CPU they check the same
 * things and pass trivially where a second CPU is needed.
 *
 * The boot thread runs them; it is also CPU 0's idle thread, so a kernel
 * thread it creates goes to another CPU only by being stolen, which an
 * idle CPU does at its next tick.
 */
#include "kern/clock.h"
#include "kern/page_alloc.h"
#include "kern/percpu.h"
#include "kern/printf.h"
#include "kern/selftest.h"
#include "kern/string.h"
#include "kern/thread_block.h"
#include "kern/waitq.h"
#include "machine/cpu.h"
#include "machine/io.h"
#include "machine/memlayout.h"
#include "machine/pmap.h"
#include "machine/trap_catch.h"
#include "task/sched.h"
#include "task/thread.h"
#include "x86.h"

void selftest_smp_cpus_online(struct selftest_ctx *ctx);
void selftest_smp_threads_everywhere(struct selftest_ctx *ctx);
void selftest_smp_shootdown(struct selftest_ctx *ctx);
void selftest_smp_shootdown_crossfire(struct selftest_ctx *ctx);
void selftest_smp_block_wake(struct selftest_ctx *ctx);
void selftest_sched_handoff_claim(struct selftest_ctx *ctx);

#define MS 1000000ULL

/* Sleep the boot thread for NS nanoseconds (a wait nobody wakes). */
static void sleep_ns(uint64_t ns)
{
	static spinlock_t lock = SPINLOCK_INIT("selftest.smp.sleep");
	struct waitq wq;
	struct waiter w;

	waitq_init(&wq);
	waiter_init(&w);
	waitq_wait(&wq, &lock, spin_lock(&lock), clock_now_ns() + ns, &w);
}

void selftest_smp_cpus_online(struct selftest_ctx *ctx)
{
	unsigned n = machine_cpu_count();
	uint64_t before[MAX_CPUS];

	selftest_check(ctx, n == smp_cpus_expected(),
	               "%u CPUs online, %u expected (MADT and smp=)", n,
	               smp_cpus_expected());
	for (unsigned c = 0; c < MAX_CPUS; c++) {
		bool on =
		    __atomic_load_n(&percpu_area[c].online, __ATOMIC_ACQUIRE);

		selftest_check(ctx, on == (c < n), "cpu %u online %d", c, on);
		before[c] =
		    __atomic_load_n(&percpu_area[c].ticks, __ATOMIC_RELAXED);
	}
	sleep_ns(50 * MS);
	for (unsigned c = 0; c < n; c++)
		selftest_check(ctx,
		               __atomic_load_n(&percpu_area[c].ticks,
		                               __ATOMIC_RELAXED) > before[c],
		               "no timer tick on cpu %u in 50 ms", c);
}

/* --- kernel threads on every CPU --- */

static uint64_t seen_cpus; /* bit C: a spinner ran on CPU C */
static unsigned spinners_done;

/* Note the CPU, then keep it (no yield) until every CPU has been seen
 * or two seconds passed, so that the others must run elsewhere. */
static void spinner(void *arg)
{
	uint64_t all = (1ULL << machine_cpu_count()) - 1;
	uint64_t until = clock_now_ns() + 2000 * MS;

	(void)arg;
	__atomic_fetch_or(&seen_cpus, 1ULL << cpu_id(), __ATOMIC_SEQ_CST);
	while ((__atomic_load_n(&seen_cpus, __ATOMIC_SEQ_CST) & all) != all &&
	       clock_now_ns() < until)
		cpu_relax();
	__atomic_fetch_add(&spinners_done, 1, __ATOMIC_SEQ_CST);
}

void selftest_smp_threads_everywhere(struct selftest_ctx *ctx)
{
	unsigned n = machine_cpu_count(), made = 0;
	uint64_t all = (1ULL << n) - 1, until;

	seen_cpus = 0;
	spinners_done = 0;
	for (unsigned i = 0; i < 2 * n; i++)
		made += thread_create_kernel(spinner, NULL, SCHED_PRI_KERNEL,
		                             "selftest.spin") != NULL;
	until = clock_now_ns() + 5000 * MS;
	while (__atomic_load_n(&spinners_done, __ATOMIC_SEQ_CST) < made &&
	       clock_now_ns() < until)
		sleep_ns(5 * MS);
	selftest_check(ctx, made == 2 * n, "made %u threads of %u", made,
	               2 * n);
	selftest_check(ctx, spinners_done == made, "%u of %u threads finished",
	               spinners_done, made);
	selftest_check(ctx, seen_cpus == all,
	               "threads ran on cpus %#llx, expected %#llx",
	               (unsigned long long)seen_cpus, (unsigned long long)all);
	/* The boot thread runs these tests, and sleeps above while the
	 * spinners keep its CPU: as CPU 0's idle thread until it idles, it
	 * must not have moved to a CPU that was idle (CPU 0 would then wait
	 * for it for ever once it had nothing else to run). */
	if (thread_current()->pinned)
		selftest_check(ctx, cpu_id() == 0,
		               "the boot thread moved to cpu %u", cpu_id());
}

/* --- a TLB shootdown reaches another CPU --- */

#define TEST_VA 0x0000000040000000UL

/* Shared by the test and its helper thread.  Stages: 1 the helper has
 * the pmap loaded and read both pages (their translations are cached);
 * 2 the test remapped the first; 3 the helper read it again; 4 the test
 * removed both pages at once (a gathered shootdown); 5 the helper tried
 * to read the second and unloaded the pmap. */
static struct {
	struct pmap *pmap;
	int stage;
	unsigned cpu;
	uint64_t first, second;
	int vector; /* what reading a removed page raised, or -1 */
} shoot;

static int stage_get(void)
{
	return __atomic_load_n(&shoot.stage, __ATOMIC_ACQUIRE);
}

static void stage_set(int s)
{
	__atomic_store_n(&shoot.stage, s, __ATOMIC_RELEASE);
}

static uint64_t read_user_word(vaddr_t va)
{
	uint64_t v;

	if (read_cr4() & (1UL << 21)) /* SMAP */
		__asm__ volatile("stac" : : : "memory");
	v = *(volatile uint64_t *)va;
	if (read_cr4() & (1UL << 21))
		__asm__ volatile("clac" : : : "memory");
	return v;
}

/* Wait for STAGE (yielding when the test needs this CPU). */
static bool helper_wait(int stage, uint64_t until)
{
	while (stage_get() != stage && clock_now_ns() < until) {
		if (machine_cpu_count() == 1)
			sched_yield();
		cpu_relax();
	}
	return stage_get() == stage;
}

/* A kernel thread is not preempted: it stays on its CPU, with the pmap
 * loaded, until it yields (with one CPU, to let the test go on; the pmap
 * stays loaded over that switch to a kernel thread). */
static void shoot_helper(void *arg)
{
	uint64_t until = clock_now_ns() + 3000 * MS;
	struct trap_catch c;

	(void)arg;
	shoot.cpu = cpu_id();
	pmap_activate(shoot.pmap);
	shoot.first = read_user_word(TEST_VA);
	(void)read_user_word(TEST_VA + PAGE_SIZE);
	stage_set(1);
	helper_wait(2, until);
	shoot.second = read_user_word(TEST_VA);
	stage_set(3);
	helper_wait(4, until);
	shoot.vector = -1;
	if (trap_catch_begin(&c) == 0) {
		(void)read_user_word(TEST_VA + PAGE_SIZE);
		trap_catch_end(&c);
	} else {
		shoot.vector = (int)c.vector;
	}
	pmap_activate(NULL);
	stage_set(5);
}

/* Wait for STAGE of the helper: spin (this CPU stays busy, so that the
 * helper runs on another one), or sleep when there is one CPU. */
static bool test_wait(int stage, uint64_t until)
{
	while (stage_get() != stage && clock_now_ns() < until) {
		if (machine_cpu_count() == 1)
			sleep_ns(MS);
		cpu_relax();
	}
	return stage_get() == stage;
}

void selftest_smp_shootdown(struct selftest_ctx *ctx)
{
	uint64_t *a = page_alloc_va(0), *b = page_alloc_va(0);
	uint64_t sent, sent_remove, until = clock_now_ns() + 3000 * MS;
	struct pmap *p = pmap_create();

	if (!selftest_check(ctx, a && b && p, "out of memory"))
		goto out;
	a[0] = 0xaaaaaaaaaaaaaaaaULL;
	b[0] = 0xbbbbbbbbbbbbbbbbULL;
	pmap_enter(p, TEST_VA, virt_to_phys(a), VM_PROT_READ, 0);
	pmap_enter(p, TEST_VA + PAGE_SIZE, virt_to_phys(a), VM_PROT_READ, 0);
	/* A third page keeps the page table from emptying when the first
	 * two go, so that the removal is exactly one gathered shootdown. */
	pmap_enter(p, TEST_VA + 2 * PAGE_SIZE, virt_to_phys(a), VM_PROT_READ,
	           0);
	shoot.pmap = p;
	stage_set(0);
	if (!selftest_check(ctx,
	                    thread_create_kernel(shoot_helper, NULL,
	                                         SCHED_PRI_KERNEL,
	                                         "selftest.shoot") != NULL,
	                    "no helper thread"))
		goto out;
	if (!selftest_check(ctx, test_wait(1, until), "the helper never ran"))
		goto out;
	sent = smp_shootdowns_sent();
	pmap_enter(p, TEST_VA, virt_to_phys(b), VM_PROT_READ, 0);
	stage_set(2);
	if (!selftest_check(ctx, test_wait(3, until), "the helper stopped"))
		goto out;
	sent_remove = smp_shootdowns_sent();
	pmap_remove(p, TEST_VA, TEST_VA + 2 * PAGE_SIZE);
	stage_set(4);
	selftest_check(ctx, test_wait(5, until), "the helper did not finish");
	selftest_check(ctx, shoot.first == a[0], "first read %#llx",
	               (unsigned long long)shoot.first);
	selftest_check(
	    ctx, shoot.second == b[0],
	    "read %#llx after the remap on cpu %u: a stale TLB entry",
	    (unsigned long long)shoot.second, shoot.cpu);
	selftest_check(ctx, shoot.vector == 14,
	               "reading a removed page on cpu %u: vector %d, not a "
	               "page fault",
	               shoot.cpu, shoot.vector);
	if (machine_cpu_count() > 1) {
		selftest_check(ctx, shoot.cpu != cpu_id(),
		               "the helper ran on this cpu (%u)", shoot.cpu);
		selftest_check(ctx, sent_remove > sent,
		               "no shootdown IPI for the remap");
		selftest_check(
		    ctx, smp_shootdowns_sent() == sent_remove + 1,
		    "%llu shootdowns for removing two pages, not 1",
		    (unsigned long long)(smp_shootdowns_sent() - sent_remove));
	}
out:
	while (stage_get() >= 1 && stage_get() <= 4)
		sleep_ns(MS);
	if (p)
		pmap_destroy(p);
	if (a)
		page_free_va(a, 0);
	if (b)
		page_free_va(b, 0);
}

/* --- two CPUs shooting at each other with interrupts masked --- */

#define CROSS_ROUNDS 300

/* Each side has its own pmap loaded and remaps a page of the other's,
 * so every round sends a shootdown to the other CPU, which is itself
 * spinning with interrupts masked: only the answering spin loops
 * (cpu_relax) let both finish.  A deadlock hangs the run (the runner's
 * timeout reports it). */
static struct {
	struct pmap *pmap[2]; /* side I loads pmap[I], remaps pmap[1 - I] */
	paddr_t frame[2];
	int ready[2], done[2], unloaded[2];
	unsigned cpu[2];
} cross;

static void cross_side(unsigned i)
{
	unsigned long f;

	pmap_activate(cross.pmap[i]);
	cross.cpu[i] = cpu_id();
	__atomic_store_n(&cross.ready[i], 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&cross.ready[1 - i], __ATOMIC_ACQUIRE))
		cpu_relax();
	f = intr_save();
	for (unsigned r = 0; r < CROSS_ROUNDS; r++)
		pmap_enter(cross.pmap[1 - i], TEST_VA, cross.frame[r & 1],
		           VM_PROT_READ, 0);
	intr_restore(f);
	__atomic_store_n(&cross.done[i], 1, __ATOMIC_RELEASE);
	/* Keep the pmap loaded until the other side is done too. */
	while (!__atomic_load_n(&cross.done[1 - i], __ATOMIC_ACQUIRE))
		cpu_relax();
	pmap_activate(NULL);
	__atomic_store_n(&cross.unloaded[i], 1, __ATOMIC_RELEASE);
}

static void cross_helper(void *arg)
{
	(void)arg;
	cross_side(1);
}

void selftest_smp_shootdown_crossfire(struct selftest_ctx *ctx)
{
	void *a = page_alloc_va(0), *b = page_alloc_va(0);
	uint64_t sent = smp_shootdowns_sent();

	memset(&cross, 0, sizeof(cross));
	cross.pmap[0] = pmap_create();
	cross.pmap[1] = pmap_create();
	if (!selftest_check(ctx, a && b && cross.pmap[0] && cross.pmap[1],
	                    "out of memory"))
		goto out;
	if (machine_cpu_count() == 1)
		goto out; /* nobody to shoot at */
	cross.frame[0] = virt_to_phys(a);
	cross.frame[1] = virt_to_phys(b);
	if (!selftest_check(ctx,
	                    thread_create_kernel(cross_helper, NULL,
	                                         SCHED_PRI_KERNEL,
	                                         "selftest.cross") != NULL,
	                    "no helper thread"))
		goto out;
	/* This CPU stays busy (no sleep): the helper is stolen by
	 * another one, and both sides run at once. */
	cross_side(0);
	while (!__atomic_load_n(&cross.unloaded[1], __ATOMIC_ACQUIRE))
		cpu_relax(); /* before the pmaps go */
	selftest_check(ctx, cross.cpu[0] != cross.cpu[1],
	               "both sides ran on cpu %u", cross.cpu[0]);
	selftest_check(ctx,
	               smp_shootdowns_sent() - sent >= 2 * (CROSS_ROUNDS - 1),
	               "%llu shootdowns for %u remaps of a mapped page",
	               (unsigned long long)(smp_shootdowns_sent() - sent),
	               2 * (CROSS_ROUNDS - 1));
out:
	for (int i = 0; i < 2; i++)
		if (cross.pmap[i])
			pmap_destroy(cross.pmap[i]);
	if (a)
		page_free_va(a, 0);
	if (b)
		page_free_va(b, 0);
}

/* --- block and wake across CPUs --- */

#define RING      4    /* threads passing a token round a ring */
#define PASSES    1500 /* passes of the token in all */
#define LOST_WAIT (2000 * MS)
#define RING_WORK 50000 /* ns of work after each hand-over */

/* The token ring: thread I waits on wq[I] until turn == I, then hands
 * the token to I + 1 and wakes it.  A wake lost would leave a thread
 * asleep with the token: its wait times out. */
static struct {
	spinlock_t lock;
	struct waitq wq[RING];
	unsigned turn;   /* whose token it is */
	unsigned passes; /* hand-overs so far */
	unsigned timeouts;
	unsigned cross; /* hand-overs to a thread that last ran elsewhere */
	unsigned last_cpu[RING];
	uint64_t cpus; /* CPUs the ring ran on */
	unsigned done;
} ring = {.lock = SPINLOCK_INIT("selftest.smp.ring")};

static void ring_thread(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg, next = (me + 1) % RING;

	for (;;) {
		unsigned long f = spin_lock(&ring.lock);
		struct waiter w;

		while (ring.turn != me && ring.passes < PASSES) {
			waiter_init(&w);
			int r = waitq_wait(&ring.wq[me], &ring.lock, f,
			                   clock_now_ns() + LOST_WAIT, &w);

			f = spin_lock(&ring.lock);
			if (r == WAITQ_TIMED_OUT)
				ring.timeouts++;
		}
		ring.cpus |= 1ULL << cpu_id();
		ring.last_cpu[me] = cpu_id();
		if (ring.passes >= PASSES) {
			ring.done++;
			waitq_wake_one(&ring.wq[next], WAITQ_AWAKENED);
			spin_unlock(&ring.lock, f);
			return;
		}
		ring.passes++;
		ring.turn = next;
		if (ring.last_cpu[next] != ~0u &&
		    ring.last_cpu[next] != cpu_id())
			ring.cross++;
		waitq_wake_one(&ring.wq[next], WAITQ_AWAKENED);
		spin_unlock(&ring.lock, f);
		/* Work a little before waiting again: the woken thread is
		 * then runnable while this one runs, and an idle CPU steals
		 * it, so that the ring spreads over the CPUs. */
		for (uint64_t end = clock_now_ns() + RING_WORK;
		     clock_now_ns() < end;)
			cpu_relax();
	}
}

void selftest_smp_block_wake(struct selftest_ctx *ctx)
{
	unsigned made = 0;
	uint64_t until;

	for (unsigned i = 0; i < RING; i++) {
		waitq_init(&ring.wq[i]);
		ring.last_cpu[i] = ~0u;
	}
	ring.turn = ring.passes = ring.timeouts = ring.cross = 0;
	ring.cpus = 0;
	ring.done = 0;
	for (unsigned i = 0; i < RING; i++)
		made += thread_create_kernel(ring_thread, (void *)(uintptr_t)i,
		                             SCHED_PRI_KERNEL,
		                             "selftest.ring") != NULL;
	if (!selftest_check(ctx, made == RING, "made %u threads", made))
		return; /* the ones made end by timeouts */
	until = clock_now_ns() + 20000 * MS;
	while (__atomic_load_n(&ring.done, __ATOMIC_ACQUIRE) < RING &&
	       clock_now_ns() < until)
		sleep_ns(10 * MS);
	selftest_check(ctx, ring.done == RING, "%u of %u threads finished",
	               ring.done, RING);
	selftest_check(ctx, ring.passes == PASSES, "%u passes of %u",
	               ring.passes, PASSES);
	selftest_check(ctx, ring.timeouts == 0,
	               "%u waits timed out (lost wake)", ring.timeouts);
	if (machine_cpu_count() > 1)
		selftest_check(
		    ctx, __builtin_popcountll(ring.cpus) > 1 && ring.cross > 0,
		    "the ring stayed on cpus %#llx (%u cross-cpu)",
		    (unsigned long long)ring.cpus, ring.cross);
	kprintf("# ring: %u passes, %u to another cpu, cpus %#llx\n",
	        ring.passes, ring.cross, (unsigned long long)ring.cpus);
}

/* --- a handoff's thread, claimed --- */

/*
 * The thread a handoff unblocks (task/sched.c, kern/thread_block.h) is
 * claimed for the waker: nothing else runs it, not even its wait's
 * timeout, until the waker gives it its CPU or blocks for something
 * else, which lets it go first.  The boot thread is the waker (it is
 * pinned, so it is never the one claimed).
 */

/* The helper's deadline: far enough for a slow host to see it asleep
 * and claim it first. */
#define HELPER_WAIT   (400 * MS)
#define HANDOFF_VALUE 5 /* the result the waker gives it */
#define BACK_VALUE    6 /* the result it gives the waker */

/* The helper and the boot thread, under `lock`. */
static struct {
	spinlock_t lock;
	struct waitq wq;       /* the helper waits here, with a deadline */
	struct waitq back;     /* the boot thread waits here */
	struct thread *helper; /* set by the helper when it starts */
	int result;            /* the helper's wait's answer */
	unsigned cpu;          /* where the helper ran after its wait */
	int done;              /* the helper's wait ended */
} ho = {.lock = SPINLOCK_INIT("selftest.sched.handoff")};

static void handoff_helper(void *arg)
{
	unsigned long f = spin_lock(&ho.lock);
	struct waiter w;
	int r;

	(void)arg;
	ho.helper = thread_current();
	waiter_init(&w);
	r = waitq_wait(&ho.wq, &ho.lock, f, clock_now_ns() + HELPER_WAIT, &w);
	f = spin_lock(&ho.lock);
	ho.result = r;
	ho.cpu = cpu_id();
	ho.done = 1;
	waitq_wake_one(&ho.back, BACK_VALUE);
	spin_unlock(&ho.lock, f);
}

/* Whether the helper sleeps in its wait now.  Locks: ho.lock held. */
static bool helper_asleep(void)
{
	return ho.helper != NULL && waitq_has_waiters(&ho.wq) &&
	       __atomic_load_n(&ho.helper->state, __ATOMIC_ACQUIRE) ==
	           THREAD_BLOCKED;
}

/* Start a helper, wait until it sleeps in its wait (not only queued
 * on it: only then is it claimed) and claim it in *H.  Returns -1 when
 * there is no helper asleep to wake (H unused), else whether it was
 * claimed (*H filled in); ho.lock free on return. */
static int helper_claimed(struct selftest_ctx *ctx, struct handoff *h)
{
	uint64_t until = clock_now_ns() + 2000 * MS;
	bool asleep = false;
	unsigned long f;

	waitq_init(&ho.wq);
	waitq_init(&ho.back);
	ho.helper = NULL;
	ho.result = -1;
	ho.done = 0;
	if (!selftest_check(ctx,
	                    thread_create_kernel(handoff_helper, NULL,
	                                         SCHED_PRI_KERNEL,
	                                         "selftest.handoff") != NULL,
	                    "no helper thread"))
		return -1;
	do {
		sleep_ns(1 * MS);
		f = spin_lock(&ho.lock);
		asleep = helper_asleep();
		if (!asleep)
			spin_unlock(&ho.lock, f);
	} while (!asleep && clock_now_ns() < until);
	if (!selftest_check(ctx, asleep, "the helper never waited"))
		return -1; /* its deadline ends it */
	waitq_lock_masked(&ho.wq);
	waitq_wake_locked(&ho.wq, waitq_first_locked(&ho.wq), HANDOFF_VALUE, h);
	waitq_unlock_masked(&ho.wq);
	spin_unlock(&ho.lock, f);
	return selftest_check(ctx, h->thread == ho.helper,
	                      "the helper was not claimed");
}

void selftest_sched_handoff_claim(struct selftest_ctx *ctx)
{
	struct handoff h;
	struct waiter bw;
	unsigned long f;
	uint64_t until;
	int claimed = helper_claimed(ctx, &h);
	int back;

	if (claimed < 0)
		return;
	/* Past its deadline, and a tick or two more, without blocking (a
	 * block would let it go): a timeout that made it run would have
	 * ended its wait by now. */
	until = clock_now_ns() + HELPER_WAIT + 30 * MS;
	while (clock_now_ns() < until)
		cpu_relax();
	f = spin_lock(&ho.lock);
	selftest_check(ctx, !ho.done, "the claimed helper ran (result %d)",
	               ho.result);
	selftest_check(
	    ctx,
	    !claimed || (ho.helper->state == THREAD_RUNNABLE &&
	                 !list_linked(&ho.helper->runq_link)),
	    "the claimed helper is in state %d, %s", ho.helper->state,
	    list_linked(&ho.helper->runq_link) ? "queued" : "on no queue");

	/* The boot thread waits and hands the helper its CPU. */
	waiter_init(&bw);
	back =
	    waitq_wait_handoff(&ho.back, &ho.lock, f, WAITQ_FOREVER, &bw, &h);
	selftest_check(ctx, back == BACK_VALUE, "the boot thread got %d", back);
	selftest_check(ctx, ho.done && ho.result == HANDOFF_VALUE,
	               "the helper's wait: done %d, result %d", ho.done,
	               ho.result);
	selftest_check(ctx, !claimed || ho.cpu == cpu_id(),
	               "the helper ran on cpu %u, the waker is on cpu %u",
	               ho.cpu, cpu_id());

	/* A waker that blocks for something else (here a sleep; in IPC, a
	 * copy that faults and waits for a pager) lets its claim go first:
	 * the helper runs meanwhile, and the handoff is spent. */
	if (helper_claimed(ctx, &h) != 1)
		return;
	sleep_ns(20 * MS);
	f = spin_lock(&ho.lock);
	selftest_check(ctx, ho.done && ho.result == HANDOFF_VALUE,
	               "a blocking waker kept its claim: done %d, result %d",
	               ho.done, ho.result);
	spin_unlock(&ho.lock, f);
	selftest_check(ctx, h.thread == NULL && thread_current()->claim == NULL,
	               "the claim is still recorded");
}
