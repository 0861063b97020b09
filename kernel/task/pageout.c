/*
 * The pageout daemon (docs/VM.md, step 4): a kernel thread that keeps
 * some memory free by giving pages to their objects' pagers: anonymous
 * memory to the default pager (servers/pager, registered with
 * vm_set_default_memory_manager), a memory object's pages to its own.
 * An object's first pageout attaches it to the default pager
 * (memory_object_create); each page then leaves in its own data_return
 * and comes back through data_request when touched (vm/object.c).
 *
 * What is never paged out: objects mapped VM_INHERIT_SHARE (eager copies
 * read resident pages) and the kernel's own (the clock page: the same
 * flag), wired memory, the default pager's own memory, and pages a pager
 * has locked.  A page of an object that others shadow leaves their maps
 * too (vm_object_pageout_pick).
 *
 * Faults that find memory short wait here (vm_fault_memory_wait) until
 * the daemon has freed some or a time limit passes.
 */
#include "kern/clock.h"
#include "kern/page_alloc.h"
#include "kern/printf.h"
#include "kern/waitq.h"
#include "machine/memlayout.h"
#include "task/pageout.h"
#include "task/pager.h"
#include "task/thread.h"
#include "vm/fault.h"
#include "vm/map.h"
#include "vm/object.h"
#include "vm/pager.h"

/* Pages one visit to an object may take. */
#define PAGES_PER_VISIT 32

/* How long the daemon sleeps when memory is fine, and how long a fault
 * waits for it at most per try. */
#define IDLE_NS    (20ull * 1000 * 1000)
#define WAIT_NS    (50ull * 1000 * 1000)
#define BACKOFF_NS (2ull * 1000 * 1000)

struct vm_pageout_stats vm_pageout_stats;

/* The daemon sleeps here; faults short of memory wake it. */
static struct waitq daemon_wq;
static spinlock_t daemon_lock = SPINLOCK_INIT("pageout");
/* Faults waiting for memory sleep here; the daemon wakes them. */
static struct waitq freed_wq;
static uint64_t low_pages, high_pages; /* fixed at start */
static bool running;

static uint64_t free_pages(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st.free_pages;
}

/* vm_object_rotate's test: OBJ (locked) may lose pages. */
static bool pageable(struct vm_object *obj, void *arg)
{
	(void)arg;
	if (obj->resident == 0 || obj->shared_in_place)
		return false;
	if (obj->pager != NULL && (obj->pager->dead || !obj->pager->ready))
		return false;
	list_for_each_entry(struct vm_map_entry, e, &obj->mappers, mapper_link)
	{
		if (pager_default_maps(e->map) || e->wired_count != 0)
			return false;
	}
	return true;
}

/* Page out up to PAGES_PER_VISIT pages of OBJ (referenced): to its own
 * pager, or the default pager for anonymous memory.  Returns how many
 * left memory. */
static unsigned visit(struct vm_object *obj, void *buf)
{
	unsigned done = 0;

	if (obj->pager == NULL && pager_attach_default(obj) != KERN_SUCCESS)
		return 0;
	if (obj->pager == NULL)
		return 0;
	while (done < PAGES_PER_VISIT) {
		uint64_t offset;
		bool dirty, give, sent;

		if (!vm_object_pageout_pick(obj, buf, &offset, &dirty, &give))
			break;
		sent = !give ||
		       obj->pager->ops->data_return(obj, offset, buf, dirty);
		vm_object_pageout_done(obj, offset, sent);
		if (!sent)
			break;
		done++;
	}
	return done;
}

static void sleep_on(struct waitq *wq, uint64_t ns)
{
	struct waiter w;
	unsigned long f = spin_lock(&daemon_lock);

	waiter_init(&w);
	(void)waitq_wait(wq, &daemon_lock, f, clock_now_ns() + ns, &w);
}

static void daemon(void *arg)
{
	void *buf = page_alloc_va(0);

	(void)arg;
	for (;;) {
		unsigned rounds = 0;

		sleep_on(&daemon_wq, IDLE_NS);
		if (buf == NULL || !pager_default_exists() ||
		    free_pages() >= low_pages)
			continue;
		while (free_pages() < high_pages && rounds++ < 4096) {
			struct vm_object *obj =
			    vm_object_rotate(pageable, NULL);
			unsigned n;

			if (obj == NULL)
				break;
			n = visit(obj, buf);
			vm_object_release(obj);
			/* Nothing went (the pagers are behind): let them
			 * catch up before trying again. */
			if (n == 0)
				sleep_on(&daemon_wq, BACKOFF_NS);
			__atomic_add_fetch(&vm_pageout_stats.pageouts, n,
			                   __ATOMIC_RELAXED);
			waitq_wake_all(&freed_wq, WAITQ_AWAKENED);
		}
		waitq_wake_all(&freed_wq, WAITQ_AWAKENED);
	}
}

/* vm_fault's hook: memory is short (or OBJ could not get a page). */
static bool memory_wait(bool failed)
{
	if (!running || !pager_default_exists())
		return false;
	if (!failed && free_pages() >= low_pages / 2)
		return false;
	waitq_wake_all(&daemon_wq, WAITQ_AWAKENED);
	sleep_on(&freed_wq, WAIT_NS);
	return true;
}

/* page_alloc_privileged: the current thread may use the reserve. */
static bool privileged(void)
{
	struct thread *t = thread_current();

	return t != NULL && t->vm_privileged;
}

void pageout_start(void)
{
	struct page_alloc_stats st;
	struct thread *t;

	page_alloc_get_stats(&st);
	/* Start below a twelfth of memory free, stop above an eighth. */
	low_pages = st.managed_pages / 12;
	high_pages = st.managed_pages / 8;
	waitq_init(&daemon_wq);
	waitq_init(&freed_wq);
	t = thread_create_kernel(daemon, NULL, SCHED_PRI_KERNEL, "pageout");
	if (t == NULL) {
		kprintf("Mach_R: no pageout daemon (no memory)\n");
		return;
	}
	t->vm_privileged = true; /* before it first runs: it was just made */
	page_alloc_privileged = privileged;
	page_alloc_set_reserve(st.managed_pages / 32);
	vm_fault_memory_wait = memory_wait;
	running = true;
}
