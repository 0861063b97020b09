/*
 * Slab caches on top of the page allocator (kern/page_alloc.c), and
 * kmalloc's power-of-two caches on top of them.
 *
 * A slab is one page allocator block cut into equal objects.  Its
 * descriptor (struct slab) sits at the start of the block for small
 * objects, and comes from the internal "slab-desc" cache for objects of
 * PAGE_SIZE / 8 bytes and more, where it would waste a whole object.
 * Every page of a slab points at the descriptor (page->slab), so finding
 * the slab of any object is one lookup, and a bitmap of allocated objects
 * in the descriptor catches double and foreign frees in O(1).
 *
 * Lock order: the registry lock, then a cache's lock, then the slab-desc
 * cache's lock, then the page allocator's lock.
 */
#include "kern/slab.h"

#include "kern/compiler.h"
#include "kern/page_alloc.h"
#include "kern/panic.h"
#include "kern/string.h"

#define SLAB_MAX_OBJS    512 /* objects per slab, at most */
#define SLAB_MAP_WORDS   (SLAB_MAX_OBJS / 64)
#define SLAB_ONSLAB_MAX  (PAGE_SIZE / 8) /* larger objects: off-slab */
#define SLAB_MIN_OFFSLAB 8               /* objects per off-slab slab */
#define SLAB_OBJ_MAX     ((PAGE_SIZE << PAGE_ORDER_MAX) / 2)

#define KMALLOC_MIN_SHIFT 4  /* 16 bytes */
#define KMALLOC_MAX_SHIFT 16 /* 64 KiB */
#define KMALLOC_CLASSES   (KMALLOC_MAX_SHIFT - KMALLOC_MIN_SHIFT + 1)

/*
 * One slab: a block of 2^cache->order pages holding cache->per_slab
 * objects.
 * Owned by: its cache, from slab_grow() to slab_destroy().
 * Guarded by: cache->lock.
 */
struct slab {
	struct list link;              /* on cache->partial, full or empty */
	struct slab_cache *cache;      /* the cache it belongs to */
	struct page *page;             /* head page of the block */
	char *objs;                    /* the first object */
	unsigned inuse;                /* objects allocated */
	uint64_t used[SLAB_MAP_WORDS]; /* bit i set: object i allocated */
};

STATIC_ASSERT(sizeof(struct slab) < SLAB_ONSLAB_MAX,
              "the slab-desc cache must keep its descriptors on-slab");

/*
 * Every registered cache.  Guarded by registry_lock, which also
 * serialises the one-time set-up of the built-in caches.
 */
static spinlock_t registry_lock = SPINLOCK_INIT("slab_registry");
static struct list registry = {&registry, &registry};
static atomic_bool builtin_ready;

static struct slab_cache slab_desc_cache;
static struct slab_cache kmalloc_caches[KMALLOC_CLASSES];
static const char *const kmalloc_names[KMALLOC_CLASSES] = {
    "kmalloc-16",    "kmalloc-32",   "kmalloc-64",    "kmalloc-128",
    "kmalloc-256",   "kmalloc-512",  "kmalloc-1024",  "kmalloc-2048",
    "kmalloc-4096",  "kmalloc-8192", "kmalloc-16384", "kmalloc-32768",
    "kmalloc-65536",
};

static inline bool cache_offslab(const struct slab_cache *cache)
{
	return cache->obj_size >= SLAB_ONSLAB_MAX;
}

/* Offset of the first object from the start of the block. */
static inline size_t cache_first_offset(const struct slab_cache *cache)
{
	return cache_offslab(cache)
	           ? 0
	           : ALIGN_UP(sizeof(struct slab), cache->align);
}

static bool cache_is_builtin(const struct slab_cache *cache)
{
	uintptr_t c = (uintptr_t)cache, k = (uintptr_t)kmalloc_caches;

	return cache == &slab_desc_cache ||
	       (c >= k && c < k + sizeof(kmalloc_caches));
}

/* Fill in CACHE's geometry; does not register it. */
static void cache_setup(struct slab_cache *cache, const char *name, size_t size,
                        size_t align)
{
	size_t n = strnlen(name, SLAB_NAME_MAX - 1);

	if (align == 0)
		align = 8;
	if ((align & (align - 1)) != 0 || align > PAGE_SIZE)
		panic("slab_cache_init(%s): bad alignment %lu", name,
		      (unsigned long)align);
	if (size == 0 || size > SLAB_OBJ_MAX)
		panic("slab_cache_init(%s): bad object size %lu", name,
		      (unsigned long)size);

	memset(cache, 0, sizeof(*cache));
	memcpy(cache->name, name, n);
	cache->name[n] = '\0';
	spin_init(&cache->lock, cache->name);
	list_init(&cache->partial);
	list_init(&cache->full);
	list_init(&cache->empty);
	cache->align = MAX(align, (size_t)8);
	cache->obj_size = ALIGN_UP(size, cache->align);

	if (!cache_offslab(cache)) {
		cache->order = 0;
		cache->per_slab = (unsigned)MIN(
		    (PAGE_SIZE - cache_first_offset(cache)) / cache->obj_size,
		    (size_t)SLAB_MAX_OBJS);
	} else {
		/* Several objects per slab, except for objects of a page or
		 * more: those take the smallest block that holds one, so
		 * that a page-sized kmalloc needs a single free page (what
		 * memory pressure leaves; task/pageout.c). */
		while ((PAGE_SIZE << cache->order) <
		           (cache->obj_size < PAGE_SIZE
		                ? cache->obj_size * SLAB_MIN_OFFSLAB
		                : cache->obj_size) &&
		       cache->order < PAGE_ORDER_MAX)
			cache->order++;
		cache->per_slab =
		    (unsigned)((PAGE_SIZE << cache->order) / cache->obj_size);
	}
	assert(cache->per_slab >= 1 && cache->per_slab <= SLAB_MAX_OBJS);
}

/* Set up the slab-desc and kmalloc caches, once. */
static void slab_builtin_init(void)
{
	unsigned long flags;
	unsigned i;

	if (likely(atomic_load_explicit(&builtin_ready, memory_order_acquire)))
		return;
	flags = spin_lock(&registry_lock);
	if (!atomic_load_explicit(&builtin_ready, memory_order_relaxed)) {
		cache_setup(&slab_desc_cache, "slab-desc", sizeof(struct slab),
		            0);
		list_push_back(&registry, &slab_desc_cache.all_link);
		for (i = 0; i < KMALLOC_CLASSES; i++) {
			size_t size = (size_t)1 << (i + KMALLOC_MIN_SHIFT);

			cache_setup(&kmalloc_caches[i], kmalloc_names[i], size,
			            MIN(size, PAGE_SIZE));
			list_push_back(&registry, &kmalloc_caches[i].all_link);
		}
		atomic_store_explicit(&builtin_ready, true,
		                      memory_order_release);
	}
	spin_unlock(&registry_lock, flags);
}

void slab_cache_init(struct slab_cache *cache, const char *name, size_t size,
                     size_t align)
{
	unsigned long flags;

	slab_builtin_init();
	cache_setup(cache, name, size, align);
	flags = spin_lock(&registry_lock);
	list_push_back(&registry, &cache->all_link);
	spin_unlock(&registry_lock, flags);
}

/*
 * Make a new, empty slab for CACHE and put it on the empty list.
 * Locks: cache->lock held.
 * Returns the slab, or NULL when the page allocator (or, off-slab, the
 *   slab-desc cache) is exhausted.
 */
static struct slab *slab_grow(struct slab_cache *cache)
{
	struct page *pg;
	struct slab *s;
	char *base;
	unsigned long i;

	assert_locked(&cache->lock);
	pg = page_alloc(cache->order);
	if (pg == NULL)
		return NULL;
	base = page_to_virt(pg);
	if (cache_offslab(cache)) {
		s = slab_alloc(&slab_desc_cache);
		if (s == NULL) {
			page_free(pg, cache->order);
			return NULL;
		}
	} else {
		s = (struct slab *)base;
	}
	memset(s, 0, sizeof(*s));
	s->cache = cache;
	s->page = pg;
	s->objs = base + cache_first_offset(cache);
	for (i = 0; i < 1UL << cache->order; i++)
		pg[i].slab = s;
	pg->flags |= PG_SLAB;
	list_push_front(&cache->empty, &s->link);
	cache->slabs++;
	return s;
}

/*
 * Give the empty slab S back to the page allocator; S is on no list.
 * Locks: cache->lock held.
 */
static void slab_destroy(struct slab_cache *cache, struct slab *s)
{
	struct page *pg = s->page;
	unsigned long i;

	assert_locked(&cache->lock);
	assert(s->inuse == 0 && !list_linked(&s->link));
	pg->flags &= ~PG_SLAB;
	for (i = 0; i < 1UL << cache->order; i++)
		pg[i].slab = NULL;
	if (cache_offslab(cache))
		slab_free(&slab_desc_cache, s);
	page_free(pg, cache->order);
	cache->slabs--;
}

/* The first free object of S, which is not full. */
static unsigned slab_first_free(const struct slab *s)
{
	unsigned w;

	for (w = 0; w < SLAB_MAP_WORDS; w++)
		if (~s->used[w] != 0)
			return w * 64 + (unsigned)__builtin_ctzll(~s->used[w]);
	return SLAB_MAX_OBJS;
}

void *slab_alloc(struct slab_cache *cache)
{
	unsigned long flags;
	struct slab *s;
	unsigned idx;

	flags = spin_lock(&cache->lock);
	if (cache->limit != 0 && cache->live >= cache->limit)
		goto fail;
	if (!list_empty(&cache->partial))
		s = list_first_entry(&cache->partial, struct slab, link);
	else if (!list_empty(&cache->empty))
		s = list_first_entry(&cache->empty, struct slab, link);
	else if ((s = slab_grow(cache)) == NULL)
		goto fail;

	idx = slab_first_free(s);
	assert(idx < cache->per_slab);
	s->used[idx / 64] |= 1ULL << (idx % 64);
	s->inuse++;
	list_remove(&s->link);
	list_push_front(s->inuse == cache->per_slab ? &cache->full
	                                            : &cache->partial,
	                &s->link);
	cache->live++;
	cache->allocs++;
	spin_unlock(&cache->lock, flags);
	return s->objs + (size_t)idx * cache->obj_size;

fail:
	cache->failed++;
	spin_unlock(&cache->lock, flags);
	return NULL;
}

void *slab_zalloc(struct slab_cache *cache)
{
	void *obj = slab_alloc(cache);

	if (obj != NULL)
		memset(obj, 0, cache->obj_size);
	return obj;
}

/*
 * Why OBJ cannot be freed to CACHE, or NULL if it can; on success *SP and
 * *IDXP locate it.  Locks: cache->lock held.
 */
static const char *slab_free_error(struct slab_cache *cache, const void *obj,
                                   struct slab **sp, unsigned *idxp)
{
	struct page *pg = virt_to_page(obj);
	struct slab *s;
	uintptr_t off;

	if (pg == NULL || pg->slab == NULL)
		return "not a slab object";
	s = pg->slab;
	if (s->cache != cache)
		return "object of another cache";
	if ((uintptr_t)obj < (uintptr_t)s->objs)
		return "not at an object boundary";
	off = (uintptr_t)obj - (uintptr_t)s->objs;
	if (off % cache->obj_size != 0 ||
	    off / cache->obj_size >= cache->per_slab)
		return "not at an object boundary";
	*idxp = (unsigned)(off / cache->obj_size);
	if (!(s->used[*idxp / 64] & (1ULL << (*idxp % 64))))
		return "already free";
	*sp = s;
	return NULL;
}

/*
 * Free OBJ to CACHE (locked, with the interrupt state FLAGS that its
 * spin_lock returned, for the panic of an invalid free: it unlocks
 * first, so that a host test that catches the panic finds the cache
 * usable).
 */
static void slab_free_locked(struct slab_cache *cache, void *obj,
                             unsigned long flags)
{
	const char *why;
	struct slab *s = NULL;
	unsigned idx = 0;

	why = slab_free_error(cache, obj, &s, &idx);
	if (unlikely(why != NULL)) {
		spin_unlock(&cache->lock, flags);
		panic("slab_free(%s, %p): %s", cache->name, obj, why);
	}
	s->used[idx / 64] &= ~(1ULL << (idx % 64));
	cache->live--;
	cache->frees++;
	/* A slab moves only when its list changes: full to partial, or
	 * partial to empty. */
	if (s->inuse-- == cache->per_slab && s->inuse > 0) {
		list_remove(&s->link);
		list_push_front(&cache->partial, &s->link);
	} else if (s->inuse == 0) {
		list_remove(&s->link);
		if (list_empty(&cache->empty))
			list_push_front(&cache->empty, &s->link);
		else
			slab_destroy(cache, s); /* one empty slab is enough */
	}
}

void slab_free(struct slab_cache *cache, void *obj)
{
	unsigned long flags = spin_lock(&cache->lock);

	slab_free_locked(cache, obj, flags);
	spin_unlock(&cache->lock, flags);
}

void slab_free_batch(struct slab_cache *cache, void *const *objs, unsigned n)
{
	unsigned long flags = spin_lock(&cache->lock);
	unsigned i;

	for (i = 0; i < n; i++)
		slab_free_locked(cache, objs[i], flags);
	spin_unlock(&cache->lock, flags);
}

void slab_cache_set_limit(struct slab_cache *cache, uint64_t limit)
{
	unsigned long flags = spin_lock(&cache->lock);

	cache->limit = limit;
	spin_unlock(&cache->lock, flags);
}

/* Locks: cache->lock held. */
static void cache_reap_locked(struct slab_cache *cache)
{
	while (!list_empty(&cache->empty)) {
		struct slab *s =
		    list_first_entry(&cache->empty, struct slab, link);

		list_remove(&s->link);
		slab_destroy(cache, s);
	}
}

void slab_cache_reap(struct slab_cache *cache)
{
	unsigned long flags = spin_lock(&cache->lock);

	cache_reap_locked(cache);
	spin_unlock(&cache->lock, flags);
}

void slab_cache_destroy(struct slab_cache *cache)
{
	unsigned long flags;
	uint64_t live;

	if (cache_is_builtin(cache))
		panic("slab_cache_destroy(%s): a built-in cache", cache->name);
	flags = spin_lock(&cache->lock);
	live = cache->live;
	if (live != 0) {
		spin_unlock(&cache->lock, flags);
		panic("slab_cache_destroy(%s): %lu objects still live",
		      cache->name, (unsigned long)live);
	}
	cache_reap_locked(cache);
	assert(cache->slabs == 0);
	spin_unlock(&cache->lock, flags);

	flags = spin_lock(&registry_lock);
	list_remove(&cache->all_link);
	spin_unlock(&registry_lock, flags);
}

void slab_cache_get_stats(struct slab_cache *cache, struct slab_stats *st)
{
	unsigned long flags = spin_lock(&cache->lock);

	st->live = cache->live;
	st->allocs = cache->allocs;
	st->frees = cache->frees;
	st->failed = cache->failed;
	st->slabs = cache->slabs;
	spin_unlock(&cache->lock, flags);
}

struct slab_cache *slab_cache_find(const char *name)
{
	struct slab_cache *found = NULL;
	unsigned long flags;
	struct list *l;

	slab_builtin_init();
	flags = spin_lock(&registry_lock);
	list_for_each(l, &registry)
	{
		struct slab_cache *c =
		    container_of(l, struct slab_cache, all_link);

		if (strncmp(c->name, name, SLAB_NAME_MAX) == 0) {
			found = c;
			break;
		}
	}
	spin_unlock(&registry_lock, flags);
	return found;
}

void slab_cache_foreach(void (*fn)(struct slab_cache *, void *), void *arg)
{
	unsigned long flags;
	struct list *l;

	slab_builtin_init();
	flags = spin_lock(&registry_lock);
	list_for_each(l, &registry)
	    fn(container_of(l, struct slab_cache, all_link), arg);
	spin_unlock(&registry_lock, flags);
}

static void add_live(struct slab_cache *cache, void *arg)
{
	struct slab_stats st;

	/* Descriptors follow slabs, which caches keep after their objects
	 * are freed: counting them would look like a leak. */
	if (cache == &slab_desc_cache)
		return;
	slab_cache_get_stats(cache, &st);
	*(uint64_t *)arg += st.live;
}

uint64_t slab_total_live(void)
{
	uint64_t total = 0;

	slab_cache_foreach(add_live, &total);
	return total;
}

void *kmalloc(size_t size)
{
	unsigned shift;

	if (size == 0 || size > (1UL << KMALLOC_MAX_SHIFT))
		return NULL;
	slab_builtin_init();
	shift = size <= (1UL << KMALLOC_MIN_SHIFT)
	            ? KMALLOC_MIN_SHIFT
	            : 64 - (unsigned)__builtin_clzl(size - 1);
	return slab_alloc(&kmalloc_caches[shift - KMALLOC_MIN_SHIFT]);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void kfree(void *ptr)
{
	struct page *pg;
	struct slab_cache *cache;

	if (ptr == NULL)
		return;
	/* A valid object pins its slab, so page->slab is stable here. */
	pg = virt_to_page(ptr);
	if (pg == NULL || pg->slab == NULL)
		panic("kfree(%p): not a kmalloc object", ptr);
	cache = pg->slab->cache;
	if (!cache_is_builtin(cache) || cache == &slab_desc_cache)
		panic("kfree(%p): object of cache %s, not of kmalloc", ptr,
		      cache->name);
	slab_free(cache, ptr);
}

void slab_reset_for_tests(void)
{
	unsigned long flags = spin_lock(&registry_lock);

	list_init(&registry);
	atomic_store_explicit(&builtin_ready, false, memory_order_release);
	spin_unlock(&registry_lock, flags);
}
