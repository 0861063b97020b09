/*
 * gsync (gnumach.defs): futex-like waits on a 32-bit word of user
 * memory.  Waiters hang in a small hash table keyed by the word's
 * identity: the task and address for a private word, the physical
 * address for GSYNC_SHARED (so tasks sharing the page meet).  The value
 * check and the enqueue happen under the bucket's lock; wakers take the
 * same lock, so a wake between a waiter's check and its sleep is not
 * lost.
 */
#include "server/mig_kernel.h"

#include "kern/clock.h"
#include "kern/list.h"
#include "kern/spinlock.h"
#include "kern/thread_block.h"
#include "kern/waitq.h"
#include "machine/memlayout.h"
#include "machine/pmap.h"
#include "task/task.h"
#include "task/thread.h"
#include "vm/fault.h"
#include "vm/map.h"

#define GSYNC_SHARED    0x01
#define GSYNC_QUAD      0x02
#define GSYNC_TIMED     0x04
#define GSYNC_BROADCAST 0x08
#define GSYNC_MUTATE    0x10

#define GSYNC_BUCKETS 64

/* Which word a waiter waits on. */
struct gsync_key {
	uint64_t space; /* the task, or 0 for a shared (physical) word */
	uint64_t addr;  /* the user address, or the physical address */
};

/*
 * One waiting thread.  Lives on its thread's stack during the wait.
 * Guarded by: its bucket's lock (link, key, woken).
 */
struct gsync_waiter {
	struct list link;
	struct gsync_key key;
	bool woken;
	struct waiter w;
};

static struct gsync_bucket {
	spinlock_t lock;
	struct list waiters;
} buckets[GSYNC_BUCKETS];
static bool buckets_ready;
static spinlock_t init_lock = SPINLOCK_INIT("gsync.init");

static struct gsync_bucket *bucket_of(const struct gsync_key *k)
{
	uint64_t h = (k->addr >> 2) ^ (k->space >> 4);

	h ^= h >> 17;
	return &buckets[h % GSYNC_BUCKETS];
}

static void gsync_init_once(void)
{
	unsigned long f;

	if (__atomic_load_n(&buckets_ready, __ATOMIC_ACQUIRE))
		return;
	f = spin_lock(&init_lock);
	if (!buckets_ready) {
		for (unsigned i = 0; i < GSYNC_BUCKETS; i++) {
			spin_init(&buckets[i].lock, "gsync.bucket");
			list_init(&buckets[i].waiters);
		}
		__atomic_store_n(&buckets_ready, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&init_lock, f);
}

/*
 * The kernel address of the word(s) at ADDR of TASK (present, readable
 * and, with WRITE, writable) and the key for FLAGS.
 */
static kern_return_t gsync_locate(struct task *task, uint64_t addr, int flags,
                                  bool write, uint32_t **word,
                                  struct gsync_key *key)
{
	unsigned size = (flags & GSYNC_QUAD) ? 8 : 4;
	paddr_t pa;

	if (task == NULL || task->map == NULL)
		return KERN_INVALID_TASK;
	if ((addr & 3) || addr >= VM_MAP_USER_MAX ||
	    (addr & (PAGE_SIZE - 1)) + size > PAGE_SIZE)
		return KERN_INVALID_ADDRESS;
	if (vm_fault(task->map, task->pmap, addr,
	             write ? VM_PROT_WRITE : VM_PROT_READ) != KERN_SUCCESS ||
	    !pmap_extract(task->pmap, addr, &pa))
		return KERN_INVALID_ADDRESS;
	*word = phys_to_virt(pa);
	if (flags & GSYNC_SHARED) {
		key->space = 0;
		key->addr = pa;
	} else {
		key->space = (uint64_t)task;
		key->addr = addr;
	}
	return KERN_SUCCESS;
}

static bool key_eq(const struct gsync_key *a, const struct gsync_key *b)
{
	return a->space == b->space && a->addr == b->addr;
}

kern_return_t kserver_gsync_wait(task_t task, vm_address_t addr, unsigned val1,
                                 unsigned val2, natural_t msec, int flags)
{
	struct gsync_waiter gw;
	struct gsync_bucket *b;
	uint32_t *word;
	uint64_t deadline = UINT64_MAX;
	unsigned long f;
	kern_return_t kr;
	int why;

	gsync_init_once();
	kr = gsync_locate(task, addr, flags, false, &word, &gw.key);
	if (kr != KERN_SUCCESS)
		return kr;
	if (flags & GSYNC_TIMED)
		deadline = clock_now_ns() + (uint64_t)msec * 1000000;
	b = bucket_of(&gw.key);
	f = spin_lock(&b->lock);
	if (__atomic_load_n(&word[0], __ATOMIC_ACQUIRE) != val1 ||
	    ((flags & GSYNC_QUAD) &&
	     __atomic_load_n(&word[1], __ATOMIC_ACQUIRE) != val2)) {
		spin_unlock(&b->lock, f);
		return KERN_INVALID_ARGUMENT;
	}
	waiter_init(&gw.w);
	gw.woken = false;
	list_push_back(&b->waiters, &gw.link);
	spin_unlock(&b->lock, f);

	why = thread_block_until(&gw.w, deadline);

	f = spin_lock(&b->lock);
	/* The key may have changed (requeue): find the bucket again. */
	while (bucket_of(&gw.key) != b) {
		struct gsync_bucket *nb = bucket_of(&gw.key);

		spin_unlock(&b->lock, f);
		b = nb;
		f = spin_lock(&b->lock);
	}
	if (gw.woken) {
		kr = KERN_SUCCESS;
	} else {
		list_remove(&gw.link);
		kr = why == THREAD_BLOCK_TIMED_OUT ? KERN_TIMEDOUT
		                                   : KERN_INTERRUPTED;
	}
	spin_unlock(&b->lock, f);
	return kr;
}

/* Wake the first (ALL: every) waiter for KEY.  Locks: B->lock held. */
static void wake_locked(struct gsync_bucket *b, const struct gsync_key *key,
                        bool all)
{
	struct list *pos = b->waiters.next;

	while (pos != &b->waiters) {
		struct gsync_waiter *gw = (struct gsync_waiter *)pos;

		pos = pos->next;
		if (!key_eq(&gw->key, key))
			continue;
		list_remove(&gw->link);
		gw->woken = true;
		thread_unblock(&gw->w);
		if (!all)
			return;
	}
}

kern_return_t kserver_gsync_wake(task_t task, vm_address_t addr, unsigned val,
                                 int flags)
{
	struct gsync_key key;
	struct gsync_bucket *b;
	uint32_t *word;
	unsigned long f;
	kern_return_t kr;

	gsync_init_once();
	kr = gsync_locate(task, addr, flags & ~GSYNC_QUAD,
	                  (flags & GSYNC_MUTATE) != 0, &word, &key);
	if (kr != KERN_SUCCESS)
		return kr;
	b = bucket_of(&key);
	f = spin_lock(&b->lock);
	if (flags & GSYNC_MUTATE)
		__atomic_store_n(word, val, __ATOMIC_RELEASE);
	wake_locked(b, &key, (flags & GSYNC_BROADCAST) != 0);
	spin_unlock(&b->lock, f);
	return KERN_SUCCESS;
}

kern_return_t kserver_gsync_requeue(task_t task, vm_address_t src,
                                    vm_address_t dst, boolean_t wake_one,
                                    int flags)
{
	struct gsync_key skey, dkey;
	struct gsync_bucket *sb, *db;
	struct list moved;
	uint32_t *word;
	unsigned long f;
	kern_return_t kr;
	bool all = (flags & GSYNC_BROADCAST) != 0;

	gsync_init_once();
	kr = gsync_locate(task, src, flags & ~GSYNC_QUAD, false, &word, &skey);
	if (kr == KERN_SUCCESS)
		kr = gsync_locate(task, dst, flags & ~GSYNC_QUAD, false, &word,
		                  &dkey);
	if (kr != KERN_SUCCESS)
		return kr;
	sb = bucket_of(&skey);
	db = bucket_of(&dkey);
	/* Two bucket locks: always in address order. */
	f = spin_lock(sb < db ? &sb->lock : &db->lock);
	if (sb != db)
		spin_lock(sb < db ? &db->lock : &sb->lock);
	if (wake_one)
		wake_locked(sb, &skey, false);
	list_init(&moved);
	for (struct list *pos = sb->waiters.next; pos != &sb->waiters;) {
		struct gsync_waiter *gw = (struct gsync_waiter *)pos;

		pos = pos->next;
		if (!key_eq(&gw->key, &skey))
			continue;
		list_remove(&gw->link);
		gw->key = dkey;
		list_push_back(&moved, &gw->link);
		if (!all)
			break;
	}
	while (!list_empty(&moved)) {
		struct list *l = moved.next;

		list_remove(l);
		list_push_back(&db->waiters, l);
	}
	if (sb != db)
		spin_unlock(sb < db ? &db->lock : &sb->lock, 0);
	spin_unlock(sb < db ? &sb->lock : &db->lock, f);
	return KERN_SUCCESS;
}
