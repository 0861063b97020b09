/*
 * IPC spaces: the name table of one task.  This file manages names only:
 * the radix table of entries, the free list with its generations, the
 * reverse map from ports to names, limits and the lifetime of a space.
 * What the rights in an entry mean is right.c's business; terminating a
 * space asks right.c to destroy each entry's rights.
 */
#include "ipc/space.h"

#include "ipc/right_entry.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "kern/string.h"

STATIC_ASSERT(sizeof(struct space_entry) == 32, "a leaf is 4 KiB");
STATIC_ASSERT(SPACE_L1_SIZE == 256, "24-bit indices");

#define NODE_SIZE   4096u
#define RMAP_MIN    64u
#define RMAP_MAX    (1u << 19)
#define LEAF_OF(i)  ((i) >> SPACE_LEAF_SHIFT)
#define L1_OF(leaf) ((leaf) >> SPACE_L2_SHIFT)
#define L2_OF(leaf) ((leaf) & (SPACE_L2_SIZE - 1))
#define SLOT_OF(i)  ((i) & (SPACE_LEAF_SIZE - 1))
#define LEAVES_MAX  (LEAF_OF(SPACE_INDEX_MASK) + 1)

static struct slab_cache space_cache;
static struct slab_cache node_cache;
struct space *space_kernel;

/* Every space, for the invariant checker; the lock is taken alone. */
static spinlock_t registry_lock = SPINLOCK_INIT("space.registry");
static struct list registry = {&registry, &registry};

/* Pages handed out by ipc_buffer_alloc and not yet freed (for leak
 * checks, see invariants.c). */
uint64_t ipc_buffer_pages;

/* At most this many table nodes for a limit of NAMES names: twice what
 * dense names need, so sparse caller-chosen names cannot make one name
 * cost more than about two nodes of kernel memory. */
static uint32_t node_budget(uint32_t names)
{
	uint64_t leaves =
	    ((uint64_t)names + SPACE_LEAF_SIZE - 1) >> SPACE_LEAF_SHIFT;

	return (uint32_t)MIN(2 * leaves + 16, 2 * (uint64_t)LEAVES_MAX);
}

void space_init(void)
{
	slab_cache_init(&space_cache, "ipc.space", sizeof(struct space), 0);
	slab_cache_init(&node_cache, "ipc.space_node", NODE_SIZE, NODE_SIZE);
	spin_init(&registry_lock, "space.registry");
	list_init(&registry);
	space_kernel = NULL;
	if (space_create(&space_kernel) != KERN_SUCCESS)
		panic("ipc: cannot create the kernel space");
	space_kernel->is_kernel = true;
	space_set_limit(space_kernel, SPACE_NAMES_MAX);
}

/* --- buffers --- */

struct buffer_head {
	size_t size;  /* bytes after the head */
	size_t order; /* page order, or (size_t)-1 for kmalloc */
};

#define KMALLOC_MAX (64u * 1024)

void *ipc_buffer_alloc(size_t size)
{
	size_t total = size + sizeof(struct buffer_head);
	struct buffer_head *h;
	unsigned order = 0;

	if (size == 0 || size > (PAGE_SIZE << PAGE_ORDER_MAX) - sizeof(*h))
		return NULL;
	if (total <= KMALLOC_MAX) {
		h = kmalloc(total);
		if (h == NULL)
			return NULL;
		h->order = (size_t)-1;
	} else {
		while ((PAGE_SIZE << order) < total)
			order++;
		h = page_alloc_va(order);
		if (h == NULL)
			return NULL;
		h->order = order;
		ipc_buffer_pages += 1ull << order;
	}
	h->size = size;
	return h + 1;
}

void ipc_buffer_free(void *buf)
{
	struct buffer_head *h;

	if (buf == NULL)
		return;
	h = (struct buffer_head *)buf - 1;
	if (h->order == (size_t)-1) {
		kfree(h);
	} else {
		ipc_buffer_pages -= 1ull << h->order;
		page_free_va(h, (unsigned)h->order);
	}
}

/* --- the table --- */

static struct space_entry *leaf_get(struct space *space, uint32_t leaf)
{
	struct space_entry **l2 = space->l1[L1_OF(leaf)];

	return l2 == NULL ? NULL : l2[L2_OF(leaf)];
}

struct space_entry *space_entry_at(struct space *space, uint32_t index)
{
	if (index > SPACE_INDEX_MASK)
		return NULL;
	return space_slot(space, index);
}

static bool index_usable(uint32_t index)
{
	return index != 0 && index <= SPACE_INDEX_MAX;
}

/*
 * Allocate leaf number LEAF (and its L2 node if needed).  False when the
 * node budget or memory runs out.
 */
static bool leaf_create(struct space *space, uint32_t leaf)
{
	struct space_entry ***l2p = &space->l1[L1_OF(leaf)];
	struct space_entry *entries;
	uint32_t need = (*l2p == NULL) ? 2 : 1;

	if (space->nodes + need > space->node_budget)
		return false;
	if (*l2p == NULL) {
		*l2p = slab_zalloc(&node_cache);
		if (*l2p == NULL)
			return false;
		space->nodes++;
	}
	entries = slab_zalloc(&node_cache);
	if (entries == NULL)
		return false;
	space->nodes++;
	(*l2p)[L2_OF(leaf)] = entries;
	if (leaf < SPACE_NEAR_LEAVES)
		space->near[leaf] = entries;
	return true;
}

/*
 * Names the space chooses come from the free list, which holds the free
 * indices of the leaves below fresh_leaf ("adopted" leaves), oldest
 * freed first.  When it runs dry the next leaf is adopted: made if
 * needed, and its free indices appended in order.  So names go 1, 2, 3
 * ... and a freed index comes back (with its next generation) as late
 * as possible.  Leaves above fresh_leaf exist only for names callers
 * chose; their free indices join the list when the leaf is adopted.
 */
bool space_adopt_leaf(struct space *space)
{
	uint32_t leaf = space->fresh_leaf;
	uint32_t base = leaf << SPACE_LEAF_SHIFT;
	struct space_entry *entries;

	if (leaf >= LEAVES_MAX)
		return false;
	if (leaf_get(space, leaf) == NULL && !leaf_create(space, leaf))
		return false;
	entries = leaf_get(space, leaf);
	for (uint32_t i = 0; i < SPACE_LEAF_SIZE; i++)
		if (index_usable(base + i) &&
		    entries[i].type == MACH_PORT_TYPE_NONE)
			space_free_list_append(space, base + i, &entries[i]);
	space->fresh_leaf++;
	return true;
}

kern_return_t space_alloc_entry_name(struct space *space, mach_port_name_t name,
                                     struct space_entry **entry)
{
	uint32_t index = SPACE_NAME_INDEX(name);
	struct space_entry *e;

	assert_locked(&space->lock);
	assert(space->active);
	*entry = NULL;
	if (!MACH_PORT_NAME_VALID(name) || !index_usable(index))
		return KERN_INVALID_VALUE;
	e = space_slot(space, index);
	if (e != NULL && e->type != MACH_PORT_TYPE_NONE) {
		/* In use; under another generation, it cannot be had. */
		if (e->gen == SPACE_NAME_GEN(name))
			*entry = e;
		return KERN_NAME_EXISTS;
	}
	if (space->count >= space->limit)
		return KERN_NO_SPACE;
	if (e == NULL) {
		if (!leaf_create(space, LEAF_OF(index)))
			return KERN_NO_SPACE;
		e = space_slot(space, index);
	}
	if (space_adopted(space, index))
		space_free_list_unlink(space, e);
	space_entry_take(space, e);
	e->gen = SPACE_NAME_GEN(name);
	*entry = e;
	return KERN_SUCCESS;
}

void space_foreach_entry(struct space *space,
                         void (*fn)(struct space *, mach_port_name_t,
                                    struct space_entry *, void *),
                         void *arg)
{
	for (uint32_t i = 0; i < SPACE_L1_SIZE; i++) {
		struct space_entry **l2 = space->l1[i];

		if (l2 == NULL)
			continue;
		for (uint32_t j = 0; j < SPACE_L2_SIZE; j++) {
			struct space_entry *leaf = l2[j];
			uint32_t base = ((i << SPACE_L2_SHIFT) | j)
			                << SPACE_LEAF_SHIFT;

			if (leaf == NULL)
				continue;
			for (uint32_t k = 0; k < SPACE_LEAF_SIZE; k++) {
				struct space_entry *e = &leaf[k];

				if (e->type != MACH_PORT_TYPE_NONE)
					fn(space, SPACE_NAME(base + k, e->gen),
					   e, arg);
			}
		}
	}
}

/* --- the reverse map --- */

static uint32_t rmap_hash(const struct space *space,
                          const struct ipc_object *object)
{
	uint64_t h = (uint64_t)(uintptr_t)object * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) & space->rmask;
}

/* Rehash into NBUCKETS buckets; keeps the old table if memory is short. */
static void rmap_resize(struct space *space, uint32_t nbuckets)
{
	uint32_t *nb = ipc_buffer_alloc(nbuckets * sizeof(uint32_t));
	uint32_t *old = space->rbuckets;
	uint32_t oldn = space->rmask + 1;

	if (nb == NULL)
		return;
	memset(nb, 0, nbuckets * sizeof(uint32_t));
	space->rbuckets = nb;
	space->rmask = nbuckets - 1;
	for (uint32_t b = 0; b < oldn; b++) {
		uint32_t index = old[b];

		while (index != 0) {
			struct space_entry *e = space_slot(space, index);
			uint32_t next = e->next;
			uint32_t h = rmap_hash(space, e->object);

			e->next = nb[h];
			nb[h] = index;
			index = next;
		}
	}
	ipc_buffer_free(old);
}

struct space_entry *space_rmap_lookup(struct space *space,
                                      struct ipc_object *object,
                                      mach_port_name_t *name)
{
	uint32_t index;

	assert_locked(&space->lock);
	for (index = space->rbuckets[rmap_hash(space, object)]; index != 0;) {
		struct space_entry *e = space_slot(space, index);

		if (e->object == object) {
			*name = SPACE_NAME(index, e->gen);
			return e;
		}
		index = e->next;
	}
	return NULL;
}

void space_rmap_insert(struct space *space, mach_port_name_t name,
                       struct space_entry *entry)
{
	uint32_t h;

	assert_locked(&space->lock);
	assert(entry->type & MACH_PORT_TYPE_SEND_RECEIVE);
	if (space->rcount >= space->rmask + 1 && space->rmask + 1 < RMAP_MAX)
		rmap_resize(space, (space->rmask + 1) * 2);
	h = rmap_hash(space, entry->object);
	entry->next = space->rbuckets[h];
	space->rbuckets[h] = SPACE_NAME_INDEX(name);
	space->rcount++;
}

void space_rmap_remove(struct space *space, mach_port_name_t name,
                       struct space_entry *entry)
{
	uint32_t index = SPACE_NAME_INDEX(name);
	uint32_t *link = &space->rbuckets[rmap_hash(space, entry->object)];

	assert_locked(&space->lock);
	while (*link != index) {
		assert(*link != 0);
		link = &space_slot(space, *link)->next;
	}
	*link = entry->next;
	entry->next = 0;
	space->rcount--;
}

/* --- lifetime --- */

kern_return_t space_create(struct space **spacep)
{
	struct space *space = slab_zalloc(&space_cache);
	unsigned long fl;

	if (space == NULL)
		return KERN_RESOURCE_SHORTAGE;
	space->rbuckets = ipc_buffer_alloc(RMAP_MIN * sizeof(uint32_t));
	if (space->rbuckets == NULL) {
		slab_free(&space_cache, space);
		return KERN_RESOURCE_SHORTAGE;
	}
	memset(space->rbuckets, 0, RMAP_MIN * sizeof(uint32_t));
	space->rmask = RMAP_MIN - 1;
	spin_init(&space->lock, "space");
	atomic_init(&space->refs, 1);
	space->active = true;
	space->limit = SPACE_NAMES_DEFAULT;
	space->node_budget = node_budget(space->limit);
	fl = spin_lock(&registry_lock);
	list_push_back(&registry, &space->all_link);
	spin_unlock(&registry_lock, fl);
	*spacep = space;
	return KERN_SUCCESS;
}

unsigned space_collect(struct space **out, unsigned max)
{
	unsigned long fl = spin_lock(&registry_lock);
	struct list *pos;
	unsigned n = 0;

	list_for_each(pos, &registry)
	{
		struct space *space = container_of(pos, struct space, all_link);

		unsigned refs = atomic_load(&space->refs);

		/* Skip a space whose last reference is going. */
		while (refs != 0 && !atomic_compare_exchange_weak(
		                        &space->refs, &refs, refs + 1))
			;
		if (refs == 0)
			continue;
		if (n < max)
			out[n] = space;
		else
			space_release(space);
		n++;
	}
	spin_unlock(&registry_lock, fl);
	return n;
}

kern_return_t space_lock_active(struct space *space, unsigned long *flags)
{
	if (space == NULL)
		return KERN_INVALID_TASK;
	assert_unlocked(&space->lock);
	*flags = space_lock(space);
	if (!space->active) {
		space_unlock(space, *flags);
		return KERN_INVALID_TASK;
	}
	return KERN_SUCCESS;
}

void space_ref(struct space *space)
{
	unsigned old = atomic_fetch_add(&space->refs, 1);

	assert(old > 0);
}

void space_set_limit(struct space *space, uint32_t names)
{
	unsigned long fl;

	assert(names >= 1 && names <= SPACE_NAMES_MAX);
	fl = space_lock(space);
	space->limit = names;
	space->node_budget = node_budget(names);
	space_unlock(space, fl);
}

void space_set_vm(struct space *space, const struct space_vm_ops *ops,
                  void *ctx)
{
	unsigned long fl = space_lock(space);

	space->vm_ops = ops;
	space->vm_ctx = ctx;
	space_unlock(space, fl);
}

static void clean_one(struct space *space, mach_port_name_t name,
                      struct space_entry *entry, void *arg)
{
	(void)arg;
	right_entry_clean(space, name, entry);
}

/* Free the table of a terminated space (its entries are all free). */
static void table_free(struct space *space)
{
	for (uint32_t i = 0; i < SPACE_L1_SIZE; i++) {
		struct space_entry **l2 = space->l1[i];

		if (l2 == NULL)
			continue;
		for (uint32_t j = 0; j < SPACE_L2_SIZE; j++)
			if (l2[j] != NULL)
				slab_free(&node_cache, l2[j]);
		slab_free(&node_cache, l2);
		space->l1[i] = NULL;
	}
	memset(space->near, 0, sizeof space->near);
	space->nodes = 0;
	space->free_head = space->free_tail = 0;
	ipc_buffer_free(space->rbuckets);
	space->rbuckets = NULL;
}

void space_terminate(struct space *space)
{
	unsigned long fl;

	assert_unlocked(&space->lock);
	fl = space_lock(space);
	if (!space->active) {
		space_unlock(space, fl);
		return;
	}
	space->active = false;
	space_unlock(space, fl);
	/*
	 * Nobody else touches the table now: every operation checks
	 * `active` under the lock first.  Destroying rights sends
	 * notifications, so the lock is not held while doing it.
	 */
	space_foreach_entry(space, clean_one, NULL);
	assert(space->count == 0 && space->rcount == 0);
	table_free(space);
}

void space_release(struct space *space)
{
	unsigned old = atomic_fetch_sub(&space->refs, 1);
	unsigned long fl;

	assert(old > 0);
	if (old != 1)
		return;
	space_terminate(space);
	fl = spin_lock(&registry_lock);
	list_remove(&space->all_link);
	spin_unlock(&registry_lock, fl);
	slab_free(&space_cache, space);
}
