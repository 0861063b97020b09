/*
 * The scheduler (task/sched.h) and the kernel's blocking primitive
 * (kern/thread_block.h).
 *
 * A thread that blocks sets its state under its own lock and calls
 * sched_block, which picks the next thread from the CPU's queue (the
 * idle thread if none) and switches.  A waker sets the waiter's wake
 * word first, then takes the thread's lock: either the sleeper sees the
 * word before it blocks, or the waker sees THREAD_BLOCKED and enqueues
 * it; no wake is lost.  A thread enqueued while its old CPU is still
 * switching away from it is not run elsewhere until that CPU cleared
 * on_cpu (sched_switch_done).
 */
#include "kern/clock.h"
#include "kern/panic.h"
#include "kern/percpu.h"
#include "kern/thread_block.h"
#include "kern/waitq.h"
#include "machine/cpu.h"
#include "machine/switch.h"
#include "task/sched.h"
#include "task/task.h"

static struct sched_cpu sched_cpus[MAX_CPUS];

/* One more than the highest id of a CPU that schedules: the bound of the
 * loops over CPUs on the hot paths (a CPU sets it before it runs its
 * idle loop; it only grows). */
static unsigned cpu_ids = 1;

static unsigned cpu_ids_now(void)
{
	return __atomic_load_n(&cpu_ids, __ATOMIC_ACQUIRE);
}

/* Count the calling CPU among those that schedule. */
static void cpu_ids_include_self(void)
{
	unsigned want = cpu_id() + 1, seen = cpu_ids_now();

	while (seen < want &&
	       !__atomic_compare_exchange_n(&cpu_ids, &seen, want, false,
	                                    __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
		continue;
}

/* Threads with a wake-up deadline, earliest first. */
static spinlock_t timeout_lock = SPINLOCK_INIT("sched.timeouts");
static struct list timeouts = {&timeouts, &timeouts};

static struct sched_cpu *this_cpu(void)
{
	return &sched_cpus[cpu_id()];
}

/* this_cpu(), in one load through GS (percpu->sched, which syscall.S
 * reads too), once sched_init has set it: not for the timer's tick,
 * which runs before.  Interrupts masked. */
STATIC_ASSERT(__builtin_offsetof(struct percpu, sched) == 64,
              "this_cpu_scheduling() reads percpu->sched at offset 64");

static struct sched_cpu *this_cpu_scheduling(void)
{
	struct sched_cpu *s;

	__asm__ volatile("movq %%gs:64, %0" : "=r"(s));
	return s;
}

void sched_init(struct thread *boot_thread)
{
	for (unsigned c = 0; c < MAX_CPUS; c++) {
		struct sched_cpu *s = &sched_cpus[c];

		spin_init(&s->lock, "sched.runq");
		for (unsigned p = 0; p < SCHED_NRQS; p++)
			list_init(&s->queues[p]);
		percpu_area[c].sched = s;
	}
	/* The boot thread is this CPU's idle thread until it idles for
	 * good (sched_idle_loop): when this CPU has nothing else to run, it
	 * runs it, so it must not be running on another CPU then. */
	boot_thread->pinned = true;
	sched_cpus[cpu_id()].idle = boot_thread;
	cpu_ids_include_self();
}

/*
 * Wake an idle CPU other than BUSY, if there is one, so that it takes
 * the work just queued on BUSY's queue (pick_next steals when idle).
 * A hint: the CPU found idle may have found work already.
 */
static void kick_idle_cpu(unsigned busy)
{
	for (unsigned c = 0, n = cpu_ids_now(); c < n; c++) {
		if (c == busy || !percpu_area[c].online)
			continue;
		if (percpu_area[c].current == sched_cpus[c].idle) {
			machine_cpu_kick(c);
			return;
		}
	}
}

/* Halve T's usage for each clock second since it was last decayed. */
static void usage_decay(struct thread *t, uint64_t now)
{
	uint64_t second = now / 1000000000ULL;
	uint64_t n = second - t->usage_second;

	t->usage = n >= 32 ? 0 : t->usage >> n;
	t->usage_second = second;
}

int sched_compute_priority(struct thread *t, uint64_t now)
{
	int pri;

	usage_decay(t, now);
	if (t->depressed)
		return SCHED_PRI_DEPRESS;
	if (t->policy == SCHED_POLICY_FIXEDPRI || !t->user)
		return t->base_priority;
	/* Timesharing: below the base by a fixed offset, and further the
	 * more CPU the thread used lately (a tick in 32 counts). */
	pri = t->base_priority + SCHED_TIMESHARE_OFFSET + (int)(t->usage / 32);
	return pri > SCHED_PRI_LOWEST ? SCHED_PRI_LOWEST : pri;
}

/*
 * SMP: a thread goes on its last CPU's queue.  When that CPU is another
 * one and must run it now (need_resched), it gets a reschedule IPI;
 * when that CPU is busy, an idle CPU is woken to steal it, except for a
 * thread RESERVED for a handoff (make_runnable): woken onto the waker's
 * own CPU, it is run there by take_handoff when the waker blocks, or
 * sched_handoff_release kicks an idle CPU for it when the waker goes
 * back to user mode instead.
 */
static void enqueue(struct thread *t, bool front, bool reserved)
{
	unsigned c = t->last_cpu;
	struct sched_cpu *s;
	struct thread *cur;
	unsigned long f;
	bool resched = false;

	assert_locked(&t->lock);
	if (c >= MAX_CPUS || !percpu_area[c].online)
		c = cpu_id();
	s = &sched_cpus[c];
	/* The priority weighs usage decayed by the second: a clock a tick
	 * old will do, and reading it costs nothing. */
	t->priority = sched_compute_priority(t, clock_coarse_ns());
	f = spin_lock(&s->lock);
	t->state = THREAD_RUNNABLE;
	t->runq_cpu = c;
	if (front)
		list_push_front(&s->queues[t->priority], &t->runq_link);
	else
		list_push_back(&s->queues[t->priority], &t->runq_link);
	s->bitmap |= 1ULL << t->priority;
	s->count++;
	cur = percpu_area[c].current;
	if (cur == NULL || cur == s->idle || t->priority < cur->priority)
		s->need_resched = resched = true;
	spin_unlock(&s->lock, f);
	if (resched)
		machine_cpu_kick(c); /* nothing when C is the caller's CPU */
	else if (!reserved && !t->pinned)
		kick_idle_cpu(c); /* (a pinned thread waits for C) */
}

void sched_enqueue(struct thread *t, bool front)
{
	enqueue(t, front, false);
}

/* Take T, queued on S at priority P, off S's queue.  Locks: S->lock
 * held. */
static void runq_remove(struct sched_cpu *s, struct thread *t, unsigned p)
{
	list_remove(&t->runq_link);
	if (list_empty(&s->queues[p]))
		s->bitmap &= ~(1ULL << p);
	s->count--;
}

/* The highest-priority queued thread of S, dequeued; NULL if none.
 * Locks: S->lock held. */
static struct thread *runq_pop(struct sched_cpu *s)
{
	struct thread *t;
	unsigned p;

	if (s->bitmap == 0)
		return NULL;
	p = (unsigned)__builtin_ctzll(s->bitmap);
	t = list_first_entry(&s->queues[p], struct thread, runq_link);
	runq_remove(s, t, p);
	return t;
}

/* runq_pop for another CPU than S's: the highest-priority thread
 * queued on S that may move there (not pinned), dequeued; NULL if none.
 * Locks: S->lock held. */
static struct thread *runq_steal(struct sched_cpu *s)
{
	for (uint64_t bits = s->bitmap; bits != 0; bits &= bits - 1) {
		unsigned p = (unsigned)__builtin_ctzll(bits);

		list_for_each_entry(struct thread, t, &s->queues[p], runq_link)
		{
			if (t->pinned)
				continue;
			runq_remove(s, t, p);
			return t;
		}
	}
	return NULL;
}

/* The next thread for the calling CPU: its own queue first, then work
 * taken from another CPU's (never a pinned thread), else its idle
 * thread.  Interrupts masked. */
static struct thread *pick_next(struct sched_cpu *self)
{
	struct thread *t;
	unsigned long f;

	f = spin_lock(&self->lock);
	self->need_resched = false;
	t = runq_pop(self);
	spin_unlock(&self->lock, f);
	if (t)
		return t;
	for (unsigned c = 0, n = cpu_ids_now(); c < n; c++) {
		struct sched_cpu *s = &sched_cpus[c];

		if (s == self || !percpu_area[c].online || s->count == 0)
			continue;
		f = spin_lock(&s->lock);
		t = runq_steal(s);
		spin_unlock(&s->lock, f);
		if (t)
			return t;
	}
	return self->idle;
}

/* What sched_switch_done does, for the switches in this file. */
static __always_inline void switch_done(struct thread *prev)
{
	/* Read before on_cpu clears: from then on another CPU may run a
	 * thread that is not dead yet, to its end and its release. */
	bool dead = prev->state == THREAD_DEAD;

	atomic_store_explicit(&prev->on_cpu, false, memory_order_release);
	if (dead)
		thread_release(prev); /* the reference it held on itself */
}

void sched_switch_done(struct thread *prev)
{
	switch_done(prev);
}

uint64_t sched_continue(struct thread *prev)
{
	struct thread *self;
	uint64_t (*fn)(const struct thread_resume *);

	switch_done(prev);
	/* Read after the call: nothing to keep across it. */
	self = thread_current();
	fn = self->resume.fn;
	/* Its arguments stay until the thread waits again, after FN. */
	self->resume.fn = NULL;
	return fn(&self->resume); /* interrupts masked: see sched.h */
}

/*
 * The thread CUR woke last, taken off this CPU's queue, when CUR now
 * blocks: the receiver of an RPC runs at once, on the rest of the
 * client's time slice, ahead of the queue.  NULL if there is none or it
 * is no longer queued here, or something of higher priority waits.
 * Interrupts masked.
 */
static struct thread *take_handoff(struct sched_cpu *s, struct thread *cur)
{
	struct thread *t = s->handoff;
	unsigned long f;
	bool taken = false;

	s->handoff = NULL;
	if (t == NULL)
		return NULL;
	f = spin_lock(&s->lock);
	if (cur->state == THREAD_BLOCKED && t->state == THREAD_RUNNABLE &&
	    list_linked(&t->runq_link) && t->last_cpu == cpu_id() &&
	    (unsigned)__builtin_ctzll(s->bitmap) >= (unsigned)t->priority) {
		runq_remove(s, t, (unsigned)t->priority);
		taken = true;
	}
	spin_unlock(&s->lock, f);
	thread_release(t); /* wake_waiter's reference */
	return taken ? t : NULL;
}

/* Wait until T, about to run here, is off the CPU it last ran on (its
 * switch_done there).  Out of line: seldom needed. */
static __attribute__((noinline)) void wait_off_cpu(struct thread *t)
{
	while (atomic_load_explicit(&t->on_cpu, memory_order_acquire))
		cpu_relax();
}

/*
 * Switch from CUR to NEXT (not queued, claimed by the caller), NEXT
 * running until QUANTUM_END if that is later than now (a handoff lends
 * the rest of CUR's slice).  Returns when CUR runs again.  Interrupts
 * masked.
 */
static __always_inline void switch_to(struct sched_cpu *s, struct thread *cur,
                                      struct thread *next, uint64_t quantum_end)
{
	unsigned cpu = cpu_id();
	uint64_t now;

	/* SMP: NEXT may still be leaving the CPU it blocked on. */
	if (unlikely(atomic_load_explicit(&next->on_cpu, memory_order_acquire)))
		wait_off_cpu(next);
	/* This CPU's clock, not clock_now_ns's shared one: a thread's run
	 * starts and ends on the same CPU, which is all the accounting
	 * needs; a slice's end is compared with other CPUs' clocks only by
	 * the tick, a few microseconds more or less do not matter there. */
	now = machine_switch_clock_ns();
	cur->user_ns += now - cur->run_start;
	next->run_start = now;
	next->state = THREAD_RUNNING;
	atomic_store(&next->on_cpu, true);
	next->last_cpu = cpu;
	next->quantum_end =
	    quantum_end > now ? quantum_end : now + SCHED_QUANTUM_NS;
	machine_set_current(next);
	s->switches++;
	switch_done(machine_switch(cpu, cur, next));
}

void sched_block(void)
{
	struct sched_cpu *s = this_cpu();
	struct thread *cur = thread_current();
	struct thread *next;
	uint64_t quantum_end = 0;

	if (intr_enabled())
		panic("sched_block with interrupts enabled");
	/* Blocking with a thread claimed for a handoff (a copy that faults
	 * and waits for a pager, say): that thread is on no run queue, and
	 * may be the very one we wait for: it runs the ordinary way. */
	if (unlikely(cur->claim != NULL))
		thread_handoff_cancel(cur->claim);
	next = take_handoff(s, cur);
	if (next != NULL)
		quantum_end = cur->quantum_end; /* the sender's time */
	else
		next = pick_next(s);
	/* The boot thread waits before it becomes the idle thread: with
	 * nothing else to run, idle the CPU until it is woken. */
	while (next == cur && cur->state == THREAD_BLOCKED) {
		machine_idle();
		intr_disable();
		next = pick_next(s);
	}
	if (next == cur) {
		cur->state = THREAD_RUNNING;
		return;
	}
	/* SMP: no "runnable thread lost" check here (next idle while CUR is
	 * RUNNABLE): another CPU may have stolen CUR from the queue and now
	 * waits for CUR's on_cpu to clear, which this switch does. */
	switch_to(s, cur, next, quantum_end);
}

void sched_yield(void)
{
	struct thread *cur = thread_current();
	unsigned long f = intr_save();

	spin_lock(&cur->lock);
	if (cur != this_cpu()->idle)
		sched_enqueue(cur, false);
	spin_unlock(&cur->lock, 0);
	sched_block();
	intr_restore(f);
}

bool sched_preempt_pending(void)
{
	return this_cpu()->need_resched;
}

bool sched_handoff_reserved(void)
{
	return this_cpu()->handoff != NULL;
}

void sched_reprioritize(struct thread *t)
{
	struct sched_cpu *s;
	unsigned long f;

	assert_locked(&t->lock);
	if (t->state == THREAD_RUNNING) {
		t->priority = sched_compute_priority(t, clock_now_ns());
		return; /* the next tick or block weighs it */
	}
	if (t->state != THREAD_RUNNABLE) {
		/* Not queued: thread_info shows the new value; enqueue
		 * computes it again when it wakes. */
		t->priority = sched_compute_priority(t, clock_now_ns());
		return;
	}
	s = &sched_cpus[t->runq_cpu];
	f = spin_lock(&s->lock);
	if (t->state != THREAD_RUNNABLE || !list_linked(&t->runq_link)) {
		spin_unlock(&s->lock, f);
		return;
	}
	runq_remove(s, t, (unsigned)t->priority);
	spin_unlock(&s->lock, f);
	sched_enqueue(t, false);
}

/* End the depressions that have run out among the threads queued on S
 * at the depressed priority.  Interrupt context. */
static void expire_depressions(struct sched_cpu *s, uint64_t now)
{
	struct thread *expired[8];
	unsigned n = 0;

	spin_lock(&s->lock);
	if (s->bitmap & (1ULL << SCHED_PRI_DEPRESS))
		list_for_each_entry(struct thread, t,
		                    &s->queues[SCHED_PRI_DEPRESS], runq_link)
		{

			if (t->depressed && now >= t->depress_until && n < 8) {
				thread_ref(t);
				expired[n++] = t;
			}
		}
	spin_unlock(&s->lock, 0);
	for (unsigned i = 0; i < n; i++) {
		struct thread *t = expired[i];

		spin_lock(&t->lock);
		if (t->depressed && now >= t->depress_until) {
			t->depressed = false;
			sched_reprioritize(t);
		}
		spin_unlock(&t->lock, 0);
		thread_release(t);
	}
}

void sched_tick(void)
{
	struct sched_cpu *s = this_cpu();
	struct thread *cur = percpu_area[cpu_id()].current;
	uint64_t now = clock_now_ns();

	if (cur && cur != s->idle) {
		spin_lock(&cur->lock);
		cur->usage++;
		if (cur->depressed && now >= cur->depress_until)
			cur->depressed = false;
		cur->priority = sched_compute_priority(cur, now);
		spin_unlock(&cur->lock, 0);
	}
	if (cur && cur != s->idle && now >= cur->quantum_end) {
		spin_lock(&s->lock);
		if (s->bitmap && (unsigned)__builtin_ctzll(s->bitmap) <=
		                     (unsigned)cur->priority)
			s->need_resched = true;
		spin_unlock(&s->lock, 0);
	}
	expire_depressions(s, now);
	if (cpu_id() != 0)
		return;
	for (;;) {
		struct thread *t = NULL;

		spin_lock(&timeout_lock);
		if (!list_empty(&timeouts)) {
			t = list_first_entry(&timeouts, struct thread,
			                     timeout_link);
			if (t->wait_deadline > now) {
				t = NULL;
			} else {
				list_remove(&t->timeout_link);
				thread_ref(t);
			}
		}
		spin_unlock(&timeout_lock, 0);
		if (t == NULL)
			break;
		spin_lock(&t->lock);
		if (t->state == THREAD_BLOCKED && t->wait && !t->stopped)
			sched_enqueue(t, true);
		spin_unlock(&t->lock, 0);
		thread_release(t);
	}
}

void sched_set_timeout(struct thread *t, uint64_t deadline)
{
	struct list *pos;
	unsigned long f;

	assert_locked(&t->lock);
	f = spin_lock(&timeout_lock);
	if (list_linked(&t->timeout_link))
		list_remove(&t->timeout_link);
	t->wait_deadline = deadline;
	for (pos = timeouts.next; pos != &timeouts; pos = pos->next) {
		struct thread *o =
		    container_of(pos, struct thread, timeout_link);

		if (o->wait_deadline > deadline)
			break;
	}
	list_insert_after(pos->prev, &t->timeout_link);
	spin_unlock(&timeout_lock, f);
}

void sched_cancel_timeout(struct thread *t)
{
	unsigned long f = spin_lock(&timeout_lock);

	if (list_linked(&t->timeout_link))
		list_remove(&t->timeout_link);
	spin_unlock(&timeout_lock, f);
}

/* Whether another CPU has threads queued that this idle one could
 * steal (a hint, read without the queues' locks). */
static bool work_elsewhere(void)
{
	for (unsigned c = 0, n = cpu_ids_now(); c < n; c++)
		if (c != cpu_id() && percpu_area[c].online &&
		    sched_cpus[c].count > 0)
			return true;
	return false;
}

__attribute__((noreturn)) void sched_idle_loop(void)
{
	struct thread *self = thread_current();

	self->priority = self->base_priority = SCHED_PRI_IDLE;
	self->policy = SCHED_POLICY_FIXEDPRI;
	this_cpu()->idle = self;
	cpu_ids_include_self();
	for (;;) {
		intr_disable();
		if (this_cpu()->count || this_cpu()->need_resched ||
		    work_elsewhere()) {
			self->state = THREAD_RUNNING;
			sched_block();
		}
		machine_idle();
	}
}

uint64_t sched_context_switches(void)
{
	uint64_t n = 0;

	for (unsigned c = 0; c < MAX_CPUS; c++)
		n += sched_cpus[c].switches;
	return n;
}

/* --- kern/thread_block.h for the kernel --- */

void thread_resume_set(void *thread,
                       uint64_t (*fn)(const struct thread_resume *r), void *a0,
                       void *a1, void *a2, void *a3)
{
	struct thread *t = thread;

	if (!t->user)
		return;
	t->resume.fn = fn;
	t->resume.arg[0] = a0;
	t->resume.arg[1] = a1;
	t->resume.arg[2] = a2;
	t->resume.arg[3] = a3;
}

void thread_resume_clear(void)
{
	thread_current()->resume.fn = NULL;
}

void *thread_block_self(void)
{
	return thread_current();
}

int thread_block_until(struct waiter *w, uint64_t deadline)
{
	struct thread *self = w->thread;
	unsigned long f = intr_save();
	int why;

	for (;;) {
		spin_lock(&self->lock);
		why = atomic_load(&w->wake);
		if (why != WAITER_BLOCKED)
			break;
		if (self->ast & AST_TERMINATE) {
			/* A dying thread does not start new waits. */
			int expected = WAITER_BLOCKED;

			if (atomic_compare_exchange_strong(&w->wake, &expected,
			                                   WAITER_INTERRUPTED))
				why = WAITER_INTERRUPTED;
			else
				why = expected;
			break;
		}
		if (deadline != UINT64_MAX && clock_now_ns() >= deadline) {
			why = THREAD_BLOCK_TIMED_OUT;
			break;
		}
		self->state = THREAD_BLOCKED;
		self->wait = w;
		if (deadline != UINT64_MAX)
			sched_set_timeout(self, deadline);
		spin_unlock(&self->lock, 0);
		sched_block();
	}
	self->wait = NULL;
	if (deadline != UINT64_MAX)
		sched_cancel_timeout(self);
	spin_unlock(&self->lock, 0);
	intr_restore(f);
	return why;
}

/* Whether T, whose waiter W was unblocked, still sleeps in that wait
 * (so it is the waker's to run).  Locks: T's lock held. */
static bool still_waiting(struct thread *t, struct waiter *w)
{
	return t->state == THREAD_BLOCKED && t->wait == w && !t->stopped;
}

/*
 * Queue T, whose wait is over, at the front, and reserved for a handoff
 * when it last ran on this CPU and no other thread holds the
 * reservation.  Only one thread can be handed the CPU when the waker
 * blocks: any other woken here (a wake_all) is enqueued the ordinary
 * way, with an idle CPU kicked to take it, or it would wait for the
 * waker to block or for a tick.  Locks: T's lock held.
 */
static void run_woken(struct thread *t)
{
	struct sched_cpu *s = this_cpu();
	bool reserve = t->last_cpu == cpu_id() && s->handoff == NULL;

	enqueue(t, true, reserve);
	if (reserve) {
		thread_ref(t); /* dropped by take_handoff or
		                  sched_handoff_release */
		s->handoff = t;
	}
}

/* Make T, whose waiter W was just unblocked, run if it still sleeps in
 * that wait (run_woken). */
static void make_runnable(struct thread *t, struct waiter *w)
{
	unsigned long f = spin_lock(&t->lock);

	if (still_waiting(t, w)) {
		t->wait = NULL; /* the wait is over: see thread_block_handoff */
		run_woken(t);
	}
	spin_unlock(&t->lock, f);
}

void sched_handoff_release(void)
{
	struct sched_cpu *s = this_cpu();
	struct thread *t = s->handoff;

	assert(!intr_enabled());
	if (t == NULL)
		return;
	s->handoff = NULL;
	/* The reserved thread (or whatever is queued here now) would wait
	 * for this CPU's next block or tick: let an idle CPU take it. */
	if (__atomic_load_n(&s->count, __ATOMIC_RELAXED) > 0)
		kick_idle_cpu(cpu_id());
	thread_release(t); /* make_runnable's reference */
}

static void wake_waiter(struct waiter *w, int why)
{
	struct thread *t = w->thread;
	int expected = WAITER_BLOCKED;

	/* The last touch of W: once woken, its owner may return. */
	if (atomic_compare_exchange_strong(&w->wake, &expected, why))
		make_runnable(t, w);
}

void thread_unblock(struct waiter *w)
{
	wake_waiter(w, WAITER_UNBLOCKED);
}

void thread_interrupt(struct waiter *w)
{
	wake_waiter(w, WAITER_INTERRUPTED);
}

/* run_woken for a pinned thread, then T's lock released.  Out of line,
 * so that thread_unblock_handoff keeps nothing across a call. */
static __attribute__((noinline)) void run_woken_unlock(struct thread *t)
{
	run_woken(t);
	spin_unlock_masked(&t->lock);
}

/* The claim of thread_unblock_handoff.  Locks: T's lock held on entry,
 * released on return. */
static __always_inline void claim_unlock(struct thread *t, struct waiter *w,
                                         struct handoff *h)
{
	int expected = WAITER_BLOCKED;

	/* The last touch of W: once woken, its owner may return. */
	if (atomic_compare_exchange_strong(&w->wake, &expected,
	                                   WAITER_UNBLOCKED) &&
	    still_waiting(t, w)) {
		t->wait = NULL;
		if (unlikely(t->pinned)) {
			/* It runs on its own CPU only (the boot thread): the
			 * ordinary way, not switched to from here. */
			run_woken_unlock(t);
			return;
		}
		t->state = THREAD_RUNNABLE;
		h->thread = t;
		thread_current()->claim = h;
	}
	spin_unlock_masked(&t->lock);
}

/* thread_unblock_handoff when T's lock is busy: wait for it. */
static __attribute__((noinline)) void
unblock_handoff_contended(struct thread *t, struct waiter *w, struct handoff *h)
{
	spin_lock_masked(&t->lock);
	claim_unlock(t, w, h);
}

/*
 * The handoff's claim: T is taken for the waker the moment its wait is
 * over.  Under T's lock, W's wake word goes from WAITER_BLOCKED to
 * WAITER_UNBLOCKED and, if T sleeps in W, T becomes RUNNABLE on no run
 * queue with its wait ended: claimed (but a pinned thread, which must
 * not run elsewhere, is queued as thread_unblock would).  Nobody else
 * makes a claimed thread run (a timeout, an abort, a resume look for
 * BLOCKED threads), so it cannot run, end or be freed until the waker
 * switches to it (thread_block_handoff) or queues it
 * (thread_handoff_cancel): no reference is needed.  T's lock is taken
 * before the wake: a thread that sees its wake returns at once, and it
 * could otherwise be gone by the time its lock is touched.
 */
void thread_unblock_handoff(struct waiter *w, struct handoff *h)
{
	struct thread *t = w->thread;

	h->thread = NULL;
	/* The lock tried here, waited for out of line: nothing is kept
	 * across a call on the way through. */
	if (unlikely(!spin_trylock_masked(&t->lock))) {
		unblock_handoff_contended(t, w, h);
		return;
	}
	claim_unlock(t, w, h);
}

void thread_handoff_cancel(struct handoff *h)
{
	struct thread *t = h->thread;
	unsigned long f;

	if (t == NULL)
		return;
	h->thread = NULL;
	thread_current()->claim = NULL;
	f = spin_lock(&t->lock);
	run_woken(t);
	spin_unlock(&t->lock, f);
}

int thread_block_handoff(struct waiter *w, struct handoff *h, uint64_t deadline)
{
	struct thread *self = w->thread, *next = h->thread;
	struct sched_cpu *s;
	unsigned long f;
	int why;

	if (next == NULL)
		return thread_block_until(w, deadline);
	f = intr_save();
	s = this_cpu_scheduling(); /* NEXT: the scheduler runs */
	/* The timeout needs the general wait; something queued here before
	 * NEXT (by the priority it had when it blocked: a tick's decay more
	 * or less does not matter here) runs first: no direct switch. */
	if (deadline != UINT64_MAX ||
	    (s->bitmap != 0 &&
	     (unsigned)__builtin_ctzll(s->bitmap) < (unsigned)next->priority)) {
		thread_handoff_cancel(h);
		intr_restore(f);
		return thread_block_until(w, deadline);
	}
	spin_lock_masked(&self->lock);
	if (atomic_load(&w->wake) != WAITER_BLOCKED ||
	    (self->ast & AST_TERMINATE)) {
		/* Woken already, or dying: NEXT just becomes runnable. */
		spin_unlock_masked(&self->lock);
		thread_handoff_cancel(h);
		intr_restore(f);
		return thread_block_until(w, deadline);
	}
	self->state = THREAD_BLOCKED;
	self->wait = w;
	self->claim = NULL;
	spin_unlock_masked(&self->lock);
	switch_to(s, self, next, self->quantum_end);

	/* Running again: woken, as a rule, by a waker that unblocked W
	 * and, making us run, ended the wait (self->wait NULL, written
	 * under our lock before we ran).  Anything else (a stopped thread
	 * let go, say) takes thread_block_until's look under the lock. */
	why = atomic_load(&w->wake);
	intr_restore(f);
	if (why != WAITER_BLOCKED &&
	    __atomic_load_n(&self->wait, __ATOMIC_RELAXED) == NULL)
		return why;
	return thread_block_until(w, deadline);
}
