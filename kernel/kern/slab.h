/*
 * Slab caches: fixed-size kernel objects of one type, carved out of page
 * allocator blocks, with counters that tests read to prove that nothing
 * leaked.  kmalloc() is a set of power-of-two caches on top, for memory
 * with no type of its own.
 */
#ifndef KERN_SLAB_H
#define KERN_SLAB_H

#include <stddef.h>

#include "kern/list.h"
#include "kern/spinlock.h"
#include "kern/types.h"

#define SLAB_NAME_MAX 32

/*
 * A cache of objects of one type.
 * Owned by: the subsystem that created it (caches live forever).
 * Guarded by: cache->lock for the slab lists and counters.
 */
struct slab_cache {
	spinlock_t lock;
	char name[SLAB_NAME_MAX];
	size_t obj_size;   /* bytes per object, after alignment */
	size_t align;      /* object alignment */
	unsigned order;    /* each slab is 2^order pages */
	unsigned per_slab; /* objects per slab */
	struct list partial, full, empty; /* slabs by how full they are */
	/* counters (slab_cache_stats) */
	uint64_t live;          /* objects allocated and not freed */
	uint64_t allocs, frees; /* totals since creation */
	uint64_t failed;        /* allocations refused: no memory or limit */
	uint64_t slabs;         /* slabs currently held */
	uint64_t limit;         /* at most this many live objects; 0: none */
	struct list all_link;   /* on the global list of caches */
};

/*
 * slab_cache_init: set up CACHE for objects of SIZE bytes aligned to
 * ALIGN (0 means the natural alignment, 8 bytes at least) and register it
 * on the global list.  Objects larger than half of a 4 MiB block, a zero
 * SIZE, and an ALIGN that is not a power of two up to a page are refused
 * with a panic (programming errors).  NAME is copied (truncated to
 * SLAB_NAME_MAX - 1 characters).
 * Locks: takes the registry lock; none of the slab locks held on entry.
 */
void slab_cache_init(struct slab_cache *cache, const char *name, size_t size,
                     size_t align);

/*
 * slab_alloc: allocate one object, contents undefined.
 * Locks: any (takes cache->lock and the page allocator's lock).
 * Returns the object, or NULL when the page allocator is exhausted or
 *   the cache's limit of live objects is reached.
 */
void *slab_alloc(struct slab_cache *cache);

/* slab_zalloc: slab_alloc, then zero the object. */
void *slab_zalloc(struct slab_cache *cache);

/*
 * slab_free: give OBJ back to CACHE.
 * Panics on an invalid free: OBJ not from this cache, not at an object
 * boundary, or already free.
 */
void slab_free(struct slab_cache *cache, void *obj);

/*
 * slab_free_batch: slab_free(CACHE, OBJS[i]) for i < N, under one hold
 * of CACHE's lock: for owners that give back many objects at once.
 * Locks: as slab_free (takes cache->lock, maybe the page allocator's).
 * Panics on an invalid free as slab_free does; the objects before the
 *   bad one are freed.
 */
void slab_free_batch(struct slab_cache *cache, void *const *objs, unsigned n);

/*
 * slab_cache_set_limit: allow at most LIMIT live objects in CACHE (0: no
 * limit).  Objects already live above a new, lower limit stay valid;
 * further allocations fail until enough are freed.
 */
void slab_cache_set_limit(struct slab_cache *cache, uint64_t limit);

/*
 * Give the cache's empty slabs back to the page allocator.  A cache keeps
 * at most one empty slab on its own; reaping drops that one too.
 */
void slab_cache_reap(struct slab_cache *cache);

/*
 * slab_cache_destroy: return every slab of CACHE to the page allocator
 * and take it off the global list; CACHE may then be reused or freed.
 * For caches of loadable parts and for tests: most caches live forever.
 * Panics if objects are still live, or for the kmalloc caches.
 */
void slab_cache_destroy(struct slab_cache *cache);

struct slab_stats {
	uint64_t live, allocs, frees, failed, slabs;
};
void slab_cache_get_stats(struct slab_cache *cache, struct slab_stats *st);

/* Look a registered cache up by name (NULL if none). */
struct slab_cache *slab_cache_find(const char *name);

/* Call FN on every registered cache (for leak checks and dumps), in the
 * order they were registered.  FN runs under the registry lock: it may
 * take a cache's lock (slab_cache_get_stats, slab_cache_reap) but must
 * not create or destroy caches. */
void slab_cache_foreach(void (*fn)(struct slab_cache *, void *), void *arg);

/* Sum of `live` over every registered cache but the internal slab-desc
 * cache, whose objects are slab descriptors rather than allocations. */
uint64_t slab_total_live(void);

/*
 * kmalloc: SIZE bytes from the power-of-two cache that fits (16 bytes to
 * 64 KiB; objects are aligned to min(their size, 4 KiB)).
 * Returns NULL for size 0, sizes above 64 KiB, or exhaustion.
 * kfree(NULL) does nothing; any other pointer must come from kmalloc.
 */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *ptr);

/*
 * Host unit tests only: forget every cache and every slab, as if no cache
 * had ever been created (the built-in ones are set up again on next use).
 * Pair it with page_alloc_reset_for_tests(): the slabs' pages are not
 * given back, so a failed test cannot leave stale slabs to the next.
 */
void slab_reset_for_tests(void);

#endif
