/*
 * Spinlocks that mask interrupts on the local CPU while held.
 *
 * spin_lock() returns the interrupt state it found; spin_unlock() gets it
 * back and restores it, so locks nest in any order the lock order allows
 * (docs/ARCHITECTURE.md).  Taking a lock this CPU already holds is a
 * deadlock and panics at once instead of spinning forever.
 */
#ifndef KERN_SPINLOCK_H
#define KERN_SPINLOCK_H

#include <stdatomic.h>
#include <stdbool.h>

#include "kern/compiler.h"
#include "kern/panic.h"
#include "machine/cpu.h"

/* The lock word holds its holder's cpu_id() + 1: 0 is a free lock (a
 * zeroed lock is a free one), and who holds it is known in the same
 * word that is taken atomically. */
#define SPIN_NO_OWNER   0u
#define SPIN_OWNER(cpu) ((unsigned)(cpu) + 1)

/*
 * A spinlock.
 * Owned by: the structure it is embedded in.
 * Guarded by: itself: `holder` goes from SPIN_NO_OWNER to the taker's
 *   number by compare-and-exchange, and back by the holder alone.
 */
typedef struct spinlock {
	atomic_uint holder; /* SPIN_OWNER(holder's CPU), or SPIN_NO_OWNER */
	const char *name;   /* for panic messages */
} spinlock_t;

#define SPINLOCK_INIT(n)                                                       \
	{                                                                      \
		.holder = SPIN_NO_OWNER, .name = (n)                           \
	}

static __always_inline void spin_init(spinlock_t *l, const char *name)
{
	atomic_init(&l->holder, SPIN_NO_OWNER);
	l->name = name;
}

/* True when the calling CPU holds L: only the holder's number there is
 * this CPU's. */
static __always_inline bool spin_held(const spinlock_t *l)
{
	return atomic_load_explicit(&l->holder, memory_order_relaxed) ==
	       SPIN_OWNER(cpu_id());
}

/* L, found held by SEEN, must not be ours (ME): taking it again would
 * spin forever. */
static __always_inline void spin_not_ours(const spinlock_t *l, unsigned seen,
                                          unsigned me)
{
	if (unlikely(seen == me))
		panic("spinlock %s: taken twice by cpu %u", l->name, cpu_id());
}

/*
 * spin_lock_masked / spin_unlock_masked: take and release L with
 * interrupts already masked by the caller (intr_save), which keeps them
 * masked: no state to hand back.
 * Locks: as spin_lock / spin_unlock.
 */
static __always_inline void spin_lock_masked(spinlock_t *l)
{
	unsigned me = SPIN_OWNER(cpu_id()), seen = SPIN_NO_OWNER;

	/* Taken at once, it was not ours; only a wait may be a deadlock on
	 * ourselves. */
	while (!atomic_compare_exchange_weak_explicit(&l->holder, &seen, me,
	                                              memory_order_acquire,
	                                              memory_order_relaxed)) {
		spin_not_ours(l, seen, me);
		while (atomic_load_explicit(&l->holder, memory_order_relaxed) !=
		       SPIN_NO_OWNER)
			cpu_relax();
		seen = SPIN_NO_OWNER;
	}
}

static __always_inline void spin_unlock_masked(spinlock_t *l)
{
	if (unlikely(!spin_held(l)))
		panic("spinlock %s: released but not held", l->name);
	atomic_store_explicit(&l->holder, SPIN_NO_OWNER, memory_order_release);
}

/*
 * spin_lock: mask interrupts, then take L.
 * Locks: L must not be held by this CPU on entry; held on return.
 * Returns: the interrupt state to hand back to spin_unlock().
 */
static __always_inline unsigned long spin_lock(spinlock_t *l)
{
	unsigned long flags = intr_save();

	spin_lock_masked(l);
	return flags;
}

/*
 * spin_trylock_masked: take L if it is free now, else give up at once:
 * for taking a lock against the lock order without risking a deadlock.
 * Interrupts masked by the caller.
 * Locks: L must not be held by this CPU on entry; held on success.
 * Returns whether L was taken.
 */
static __always_inline bool spin_trylock_masked(spinlock_t *l)
{
	unsigned me = SPIN_OWNER(cpu_id()), seen = SPIN_NO_OWNER;

	if (!atomic_compare_exchange_strong_explicit(&l->holder, &seen, me,
	                                             memory_order_acquire,
	                                             memory_order_relaxed)) {
		spin_not_ours(l, seen, me);
		return false;
	}
	return true;
}

/*
 * spin_trylock: spin_trylock_masked, masking interrupts first.
 * Returns true (and the interrupt state in *FLAGS) when L was taken.
 */
static __always_inline bool spin_trylock(spinlock_t *l, unsigned long *flags)
{
	unsigned long f = intr_save();

	if (!spin_trylock_masked(l)) {
		intr_restore(f);
		return false;
	}
	*flags = f;
	return true;
}

/*
 * spin_unlock: release L and restore the interrupt state FLAGS that the
 * matching spin_lock() returned.
 * Locks: L held by this CPU on entry; released on return.
 */
static __always_inline void spin_unlock(spinlock_t *l, unsigned long flags)
{
	spin_unlock_masked(l);
	intr_restore(flags);
}

#define assert_locked(l)   assert(spin_held(l))
#define assert_unlocked(l) assert(!spin_held(l))

#endif
