/*
 * VM objects (vm/object.h, docs/VM.md): resident pages in an AVL tree by
 * offset (kern/avl.c), one small record per page from a slab cache, and
 * the shadow chain that copy-on-write builds and collapse keeps short.
 * Pages come from the page allocator (order 0) and belong to the object
 * that holds them until they are removed or the object dies.
 */
#include "vm/object.h"

#include "kern/compiler.h"
#include "kern/page_alloc.h"
#include "kern/panic.h"
#include "kern/slab.h"
#include "kern/string.h"
#include "machine/memlayout.h"

#define PG_MASK ((uint64_t)PAGE_SIZE - 1)

struct vm_object_stats vm_object_stats;

static struct slab_cache object_cache;
static struct slab_cache record_cache;

void vm_object_init(void)
{
	slab_cache_init(&object_cache, "vm.object", sizeof(struct vm_object),
	                0);
	slab_cache_init(&record_cache, "vm.object_page",
	                sizeof(struct vm_object_page), 0);
}

static void stat_add(uint64_t *counter, int64_t delta)
{
	__atomic_fetch_add(counter, (uint64_t)delta, __ATOMIC_RELAXED);
}

static struct vm_object_page *record_of(const struct avl_node *n)
{
	return n != NULL ? container_of(n, struct vm_object_page, node) : NULL;
}

static int record_cmp(const struct avl_node *a, const struct avl_node *b)
{
	uint64_t oa = record_of(a)->offset, ob = record_of(b)->offset;

	return oa < ob ? -1 : oa > ob;
}

/* OBJ's record at OFFSET, or NULL.  OBJ locked. */
static struct vm_object_page *record_find(const struct vm_object *obj,
                                          uint64_t offset)
{
	struct avl_node *n = obj->pages.root;

	while (n != NULL) {
		uint64_t o = record_of(n)->offset;

		if (offset == o)
			return record_of(n);
		n = offset < o ? n->left : n->right;
	}
	return NULL;
}

/* Put record R (offset set) in OBJ's tree.  OBJ locked, offset free. */
static void record_link(struct vm_object *obj, struct vm_object_page *r)
{
	avl_insert(&obj->pages, &r->node, record_cmp);
	obj->resident++;
}

static void record_unlink(struct vm_object *obj, struct vm_object_page *r)
{
	avl_remove(&obj->pages, &r->node);
	obj->resident--;
}

/* Free a record and its page, out of any tree. */
static void record_free(struct vm_object_page *r)
{
	page_free(r->page, 0);
	slab_free(&record_cache, r);
	stat_add(&vm_object_stats.pages, -1);
}

struct vm_object *vm_object_create(uint64_t size)
{
	struct vm_object *obj;

	obj = slab_zalloc(&object_cache);
	if (obj == NULL)
		return NULL;
	spin_init(&obj->lock, "vm_object");
	obj->refs = 1;
	obj->size = (size + PG_MASK) & ~PG_MASK;
	avl_init(&obj->pages);
	stat_add(&vm_object_stats.objects, 1);
	return obj;
}

void vm_object_reference(struct vm_object *obj)
{
	unsigned long fl = spin_lock(&obj->lock);

	assert(obj->refs > 0);
	obj->refs++;
	spin_unlock(&obj->lock, fl);
}

/* Free OBJ's pages and OBJ; return its shadow (whose reference passes to
 * the caller).  OBJ unreferenced and unlocked: nobody else can reach it. */
static struct vm_object *object_destroy(struct vm_object *obj)
{
	struct vm_object *shadow = obj->shadow;
	struct avl_node *n;

	while ((n = avl_first(&obj->pages)) != NULL) {
		struct vm_object_page *r = record_of(n);

		record_unlink(obj, r);
		record_free(r);
	}
	slab_free(&object_cache, obj);
	stat_add(&vm_object_stats.objects, -1);
	return shadow;
}

void vm_object_release(struct vm_object *obj)
{
	while (obj != NULL) {
		unsigned long fl = spin_lock(&obj->lock);
		unsigned left;

		assert(obj->refs > 0);
		left = --obj->refs;
		spin_unlock(&obj->lock, fl);
		if (left > 0)
			return;
		obj = object_destroy(obj);
	}
}

struct page *vm_object_page_lookup(struct vm_object *obj, uint64_t offset)
{
	unsigned long fl = spin_lock(&obj->lock);
	struct vm_object_page *r = record_find(obj, offset);
	struct page *pg = r != NULL ? r->page : NULL;

	spin_unlock(&obj->lock, fl);
	return pg;
}

kern_return_t vm_object_page_insert(struct vm_object *obj, uint64_t offset,
                                    struct page *pg)
{
	struct vm_object_page *r;
	unsigned long fl;

	if ((offset & PG_MASK) != 0 || offset >= obj->size)
		return KERN_INVALID_ARGUMENT;
	/* Allocated before the lock: the slab is below objects in the
	 * lock order, but an allocation need not be done under it. */
	r = slab_alloc(&record_cache);
	if (r == NULL)
		return KERN_RESOURCE_SHORTAGE;
	r->offset = offset;
	r->page = pg;
	fl = spin_lock(&obj->lock);
	if (record_find(obj, offset) != NULL) {
		spin_unlock(&obj->lock, fl);
		slab_free(&record_cache, r);
		return KERN_MEMORY_PRESENT;
	}
	record_link(obj, r);
	spin_unlock(&obj->lock, fl);
	stat_add(&vm_object_stats.pages, 1);
	return KERN_SUCCESS;
}

kern_return_t vm_object_page_alloc(struct vm_object *obj, uint64_t offset,
                                   bool zero, struct page **pg)
{
	struct page *p;
	kern_return_t kr;

	if ((offset & PG_MASK) != 0 || offset >= obj->size)
		return KERN_INVALID_ARGUMENT;
	p = page_alloc(0);
	if (p == NULL)
		return KERN_RESOURCE_SHORTAGE;
	if (zero)
		memset(page_to_virt(p), 0, PAGE_SIZE);
	kr = vm_object_page_insert(obj, offset, p);
	if (kr != KERN_SUCCESS) {
		page_free(p, 0);
		return kr;
	}
	*pg = p;
	return KERN_SUCCESS;
}

bool vm_object_page_remove(struct vm_object *obj, uint64_t offset)
{
	unsigned long fl = spin_lock(&obj->lock);
	struct vm_object_page *r = record_find(obj, offset);

	if (r != NULL)
		record_unlink(obj, r);
	spin_unlock(&obj->lock, fl);
	if (r == NULL)
		return false;
	record_free(r);
	return true;
}

struct vm_object *vm_object_shadow(struct vm_object *backing, uint64_t offset,
                                   uint64_t size)
{
	struct vm_object *obj;

	assert((offset & PG_MASK) == 0);
	obj = vm_object_create(size);
	if (obj == NULL)
		return NULL;
	obj->shadow = backing; /* the caller's reference moves here */
	obj->shadow_offset = offset;
	return obj;
}

struct page *vm_object_chain_lookup(struct vm_object *obj, uint64_t offset,
                                    struct vm_object **holder,
                                    uint64_t *holder_offset)
{
	unsigned long fl = spin_lock(&obj->lock);

	for (;;) {
		struct vm_object_page *r;
		struct vm_object *next;
		unsigned long nfl;

		if (offset >= obj->size)
			break;
		r = record_find(obj, offset);
		if (r != NULL) {
			if (holder != NULL)
				*holder = obj;
			if (holder_offset != NULL)
				*holder_offset = offset;
			spin_unlock(&obj->lock, fl);
			return r->page;
		}
		next = obj->shadow;
		if (next == NULL)
			break;
		offset += obj->shadow_offset;
		/* Hand over hand: the shadow is locked before we let go of
		 * the object that keeps it alive.  Interrupts stay masked
		 * until the last unlock restores FL. */
		nfl = spin_lock(&next->lock);
		spin_unlock(&obj->lock, nfl);
		obj = next;
	}
	spin_unlock(&obj->lock, fl);
	return NULL;
}

kern_return_t vm_object_fault_page(struct vm_object *obj, uint64_t offset,
                                   bool write, struct page **pg, bool *in_top)
{
	struct vm_object *holder = NULL;
	struct page *found, *copy;
	kern_return_t kr;

	if ((offset & PG_MASK) != 0 || offset >= obj->size)
		return KERN_INVALID_ARGUMENT;
	found = vm_object_chain_lookup(obj, offset, &holder, NULL);
	if (found != NULL && (holder == obj || !write)) {
		*pg = found;
		if (in_top != NULL)
			*in_top = holder == obj;
		return KERN_SUCCESS;
	}
	/* Copy-on-write, or zero fill at the top. */
	kr = vm_object_page_alloc(obj, offset, found == NULL, &copy);
	if (kr != KERN_SUCCESS)
		return kr;
	if (found != NULL)
		memcpy(page_to_virt(copy), page_to_virt(found), PAGE_SIZE);
	*pg = copy;
	if (in_top != NULL)
		*in_top = true;
	return KERN_SUCCESS;
}

/*
 * Merge BACKING (OBJ's shadow, referenced by OBJ alone) into OBJ.  Both
 * locked.  Records move up when OBJ sees their offset and holds no page
 * there; the others, hidden or out of OBJ's range, are freed.
 */
static void collapse_one(struct vm_object *obj, struct vm_object *backing)
{
	uint64_t base = obj->shadow_offset;
	struct avl_node *n;

	while ((n = avl_first(&backing->pages)) != NULL) {
		struct vm_object_page *r = record_of(n);

		record_unlink(backing, r);
		if (r->offset >= base && r->offset - base < obj->size &&
		    record_find(obj, r->offset - base) == NULL) {
			r->offset -= base;
			record_link(obj, r);
		} else {
			record_free(r);
		}
	}
	obj->shadow = backing->shadow; /* and backing's reference on it */
	obj->shadow_offset += backing->shadow_offset;
	backing->shadow = NULL;
	backing->refs = 0;
}

unsigned vm_object_collapse(struct vm_object *obj)
{
	unsigned merged = 0;
	unsigned long fl = spin_lock(&obj->lock);

	for (;;) {
		struct vm_object *backing = obj->shadow;
		unsigned long bfl;
		bool mergeable;

		if (backing == NULL || obj->pager != NULL)
			break;
		bfl = spin_lock(&backing->lock);
		mergeable = backing->refs == 1 && backing->pager == NULL;
		if (mergeable)
			collapse_one(obj, backing);
		spin_unlock(&backing->lock, bfl);
		if (!mergeable)
			break;
		/* Nobody else could reach BACKING: it is empty now. */
		object_destroy(backing);
		merged++;
	}
	spin_unlock(&obj->lock, fl);
	return merged;
}

unsigned vm_object_chain_length(struct vm_object *obj)
{
	unsigned n = 0;

	for (; obj != NULL; obj = obj->shadow)
		n++;
	return n;
}

/* One object's own invariants.  OBJ locked. */
static bool object_check_one(struct vm_object *obj)
{
	struct avl_node *n;
	size_t count;

	if (obj->refs == 0 || (obj->size & PG_MASK) != 0 ||
	    (obj->shadow_offset & PG_MASK) != 0)
		return false;
	if (!avl_check(&obj->pages, record_cmp, &count) ||
	    count != obj->resident)
		return false;
	for (n = avl_first(&obj->pages); n != NULL; n = avl_next(n)) {
		const struct vm_object_page *r = record_of(n);

		if ((r->offset & PG_MASK) != 0 || r->offset >= obj->size ||
		    r->page == NULL)
			return false;
	}
	return true;
}

bool vm_object_check(struct vm_object *obj)
{
	uint64_t alive =
	    __atomic_load_n(&vm_object_stats.objects, __ATOMIC_RELAXED);
	uint64_t seen = 0;

	for (; obj != NULL; obj = obj->shadow) {
		unsigned long fl;
		bool ok;

		if (++seen > alive)
			return false; /* a cycle, or a freed object */
		fl = spin_lock(&obj->lock);
		ok = object_check_one(obj);
		spin_unlock(&obj->lock, fl);
		if (!ok)
			return false;
	}
	return true;
}
