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
#include "kern/waitq.h"
#include "machine/memlayout.h"
#include "vm/map.h"
#include "vm/object_records.h"
#include "vm/pager.h"

#define PG_MASK ((uint64_t)PAGE_SIZE - 1)

struct vm_object_stats vm_object_stats;

static struct slab_cache object_cache;
static struct slab_cache record_cache;

spinlock_t vm_object_all_lock = SPINLOCK_INIT("vm_object.all");
struct list vm_object_all = {&vm_object_all, &vm_object_all};

void vm_object_init(void)
{
	slab_cache_init(&object_cache, "vm.object", sizeof(struct vm_object),
	                0);
	slab_cache_init(&record_cache, "vm.object_page",
	                sizeof(struct vm_object_page), 0);
}

/* Put record R (offset set) in OBJ's tree.  OBJ locked, offset free. */
static void record_link(struct vm_object *obj, struct vm_object_page *r)
{
	avl_insert(&obj->pages, &r->node, record_cmp);
	obj->resident++;
	if (r->state == VM_PAGE_ABSENT)
		obj->absent++;
}

static void record_unlink(struct vm_object *obj, struct vm_object_page *r)
{
	avl_remove(&obj->pages, &r->node);
	obj->resident--;
	if (r->state == VM_PAGE_ABSENT)
		obj->absent--;
}

void vm_object_record_set_state(struct vm_object *obj, struct vm_object_page *r,
                                uint8_t state)
{
	assert_locked(&obj->lock);
	if (r->state == VM_PAGE_ABSENT)
		obj->absent--;
	if (state == VM_PAGE_ABSENT)
		obj->absent++;
	r->state = state;
}

/* Free a record and its page, out of any tree. */
static void record_free(struct vm_object_page *r)
{
	if (r->page != NULL) {
		page_free(r->page, 0);
		stat_add(&vm_object_stats.pages, -1);
	}
	slab_free(&record_cache, r);
}

void (*vm_object_name_destroy)(struct vm_object *obj);

struct vm_object *vm_object_create(uint64_t size)
{
	struct vm_object *obj;
	unsigned long fl;

	obj = slab_zalloc(&object_cache);
	if (obj == NULL)
		return NULL;
	spin_init(&obj->lock, "vm_object");
	obj->refs = 1;
	obj->size = (size + PG_MASK) & ~PG_MASK;
	avl_init(&obj->pages);
	list_init(&obj->mappers);
	list_init(&obj->shadowers);
	list_init(&obj->shadow_link);
	stat_add(&vm_object_stats.objects, 1);
	fl = spin_lock(&vm_object_all_lock);
	list_push_back(&vm_object_all, &obj->all_link);
	spin_unlock(&vm_object_all_lock, fl);
	return obj;
}

void vm_object_reference(struct vm_object *obj)
{
	unsigned long fl = spin_lock(&obj->lock);

	assert(obj->refs > 0);
	obj->refs++;
	spin_unlock(&obj->lock, fl);
}

/* Records a dying object frees at a time: one lock hold each for their
 * pages and for them (page_free_batch, slab_free_batch). */
#define DESTROY_RUN 16

/* Free the records RUN[0 .. N), out of any tree, and their pages. */
static void records_free(void *const *run, unsigned n)
{
	struct page *pages[DESTROY_RUN];
	unsigned i, np = 0;

	if (n == 1) { /* a lone record costs less the plain way */
		record_free(run[0]);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct vm_object_page *r = run[i];

		if (r->page != NULL)
			pages[np++] = r->page;
	}
	page_free_batch(pages, np);
	stat_add(&vm_object_stats.pages, -(int64_t)np);
	slab_free_batch(&record_cache, run, n);
}

/* Free OBJ's pages and OBJ; return its shadow (whose reference passes to
 * the caller).  OBJ unreferenced and unlocked: nobody else can reach it. */
static struct vm_object *object_destroy(struct vm_object *obj)
{
	struct vm_object *shadow = obj->shadow;
	struct avl_node *n, *cursor = NULL;
	void *run[DESTROY_RUN];
	unsigned nrun = 0;

	unsigned long afl = spin_lock(&vm_object_all_lock);

	list_remove(&obj->all_link);
	spin_unlock(&vm_object_all_lock, afl);
	if (obj->pager != NULL)
		obj->pager->ops->terminate(obj); /* its pages are still here */
	if (obj->name != NULL && vm_object_name_destroy != NULL)
		vm_object_name_destroy(obj);
	if (shadow != NULL) {
		unsigned long fl = spin_lock(&shadow->lock);

		list_remove(&obj->shadow_link);
		spin_unlock(&shadow->lock, fl);
	}
	/* Nobody else can see the tree any more: empty it in one pass, a
	 * run of records at a time. */
	while ((n = avl_drain(&obj->pages, &cursor)) != NULL) {
		run[nrun++] = record_of(n);
		if (nrun == DESTROY_RUN) {
			records_free(run, nrun);
			nrun = 0;
		}
	}
	records_free(run, nrun);
	slab_free(&object_cache, obj);
	stat_add(&vm_object_stats.objects, -1);
	return shadow;
}

static void collapse_one(struct vm_object *obj, struct vm_object *backing);

/*
 * OBJ (locked) has just been left with one reference: if that is the
 * reference of the one object shadowing it, merge OBJ into that object
 * now.  Taking the shadower's lock goes against the lock order, so it is
 * only tried.  Returns true when OBJ was merged (it is empty, unlocked
 * and unreferenced: the caller frees it).
 */
static bool collapse_into_shadower(struct vm_object *obj, unsigned long fl)
{
	struct vm_object *above;
	unsigned long afl;

	if (obj->pager != NULL || list_empty(&obj->shadowers) ||
	    obj->shadowers.next->next != &obj->shadowers)
		return false;
	above =
	    container_of(obj->shadowers.next, struct vm_object, shadow_link);
	if (above->pager != NULL || !spin_trylock(&above->lock, &afl))
		return false;
	if (above->refs == 0) { /* being destroyed: it will let go of OBJ */
		spin_unlock(&above->lock, afl);
		return false;
	}
	collapse_one(above, obj);
	spin_unlock(&obj->lock, afl);
	spin_unlock(&above->lock, fl);
	return true;
}

void vm_object_release(struct vm_object *obj)
{
	while (obj != NULL) {
		unsigned long fl = spin_lock(&obj->lock);
		unsigned left;

		assert(obj->refs > 0);
		left = --obj->refs;
		if (left == 1 && collapse_into_shadower(obj, fl)) {
			object_destroy(obj);
			return;
		}
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
	/* A page made here (zero fill, copy) is new to any pager. */
	*r = (struct vm_object_page){
	    .offset = offset, .page = pg, .dirty = true};
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
	unsigned long fl;

	assert((offset & PG_MASK) == 0 || backing->pager != NULL);

	obj = vm_object_create(size);
	if (obj == NULL)
		return NULL;
	obj->shadow = backing; /* the caller's reference moves here */
	obj->shadow_offset = offset;
	fl = spin_lock(&backing->lock);
	list_push_back(&backing->shadowers, &obj->shadow_link);
	spin_unlock(&backing->lock, fl);
	return obj;
}

/*
 * Walk OBJ's chain for OFFSET and return with one object locked
 * (*HOLDER, its saved flags in *FL, the offset there in *HOFF): the one
 * holding a record for OFFSET (returned), or else the last object the
 * walk reached (NULL returned: no record; a bottom object with a pager
 * is where the data must come from).
 */
static struct vm_object_page *chain_walk(struct vm_object *obj, uint64_t offset,
                                         struct vm_object **holder,
                                         uint64_t *hoff, unsigned long *fl)
{
	unsigned long f = spin_lock(&obj->lock);
	struct vm_object_page *r = NULL;

	for (;;) {
		struct vm_object *next;
		unsigned long nfl;

		if (offset >= obj->size)
			break;
		r = record_find(obj, offset);
		if (r != NULL)
			break;
		next = obj->shadow;
		if (next == NULL)
			break;
		offset += obj->shadow_offset;
		/* Hand over hand: the shadow is locked before we let go of
		 * the object that keeps it alive.  Interrupts stay masked
		 * until the last unlock restores the first flags. */
		nfl = spin_lock(&next->lock);
		spin_unlock(&obj->lock, nfl);
		obj = next;
	}
	*holder = obj;
	*hoff = offset;
	*fl = f;
	return r;
}

struct page *vm_object_chain_lookup(struct vm_object *obj, uint64_t offset,
                                    struct vm_object **holder,
                                    uint64_t *holder_offset)
{
	struct vm_object *h;
	struct vm_object_page *r;
	unsigned long fl;
	struct page *pg = NULL;
	uint64_t hoff;

	r = chain_walk(obj, offset, &h, &hoff, &fl);
	if (r != NULL && r->page != NULL) {
		pg = r->page;
		if (holder != NULL)
			*holder = h;
		if (holder_offset != NULL)
			*holder_offset = hoff;
	}
	spin_unlock(&h->lock, fl);
	return pg;
}

/*
 * Tell the caller of vm_object_fault_page_apply to wait on HOLDER's
 * pager (locked) after sending ASK for HOFF, if any.
 */
static kern_return_t must_wait(struct vm_object *holder, uint64_t hoff, int ask,
                               vm_prot_t access, struct vm_object_wait *wait)
{
	holder->refs++; /* the waiter's, released by vm_object_wait_end */
	wait->object = holder;
	wait->offset = hoff;
	wait->ask = ask;
	wait->access = access;
	wait->gen = waitq_generation(&holder->pager->wq);
	return VM_OBJECT_MUST_WAIT;
}

/*
 * A fault found no page for HOFF in HOLDER (locked), the bottom of the
 * chain, which has a pager: ask it (once per page: an absent record
 * marks the request) and wait.
 */
static kern_return_t pager_miss(struct vm_object *holder, uint64_t hoff,
                                bool write, struct vm_object_wait *wait)
{
	struct vm_object_page *r;

	if (holder->pager->dead)
		return KERN_MEMORY_ERROR;
	/* Not ready, or as many pages asked as allowed: wait for the
	 * pager's next word before asking. */
	if (!holder->pager->ready || holder->absent >= VM_OBJECT_ABSENT_MAX)
		return must_wait(holder, hoff, VM_ASK_NOTHING, 0, wait);
	r = slab_alloc(&record_cache);
	if (r == NULL)
		return KERN_RESOURCE_SHORTAGE;
	*r = (struct vm_object_page){.offset = hoff, .state = VM_PAGE_ABSENT};
	record_link(holder, r);
	/* A page the kernel is about to overwrite whole is asked for
	 * writing only, as GNU Mach's vm_write does. */
	return must_wait(holder, hoff, VM_ASK_DATA,
	                 !write            ? VM_PROT_READ
	                 : wait->overwrite ? VM_PROT_WRITE
	                                   : VM_PROT_READ | VM_PROT_WRITE,
	                 wait);
}

/*
 * A fault found R, a record of HOLDER (locked, HOFF) that has a pager.
 * Returns KERN_SUCCESS when the page can be used now (*WITHHOLD: the
 * access the pager keeps back), or what the fault must do instead.
 */
static kern_return_t pager_page_ready(struct vm_object *holder,
                                      struct vm_object_page *r, uint64_t hoff,
                                      bool write, vm_prot_t *withhold,
                                      struct vm_object_wait *wait)
{
	vm_prot_t need;

	switch (r->state) {
	case VM_PAGE_ABSENT:
		if (holder->pager->dead)
			return KERN_MEMORY_ERROR; /* it will never come */
		return must_wait(holder, hoff, VM_ASK_NOTHING, 0, wait);
	case VM_PAGE_PAGING_OUT:
		return must_wait(holder, hoff, VM_ASK_NOTHING, 0, wait);
	case VM_PAGE_PAGED_OUT:
		if (holder->pager->dead)
			return KERN_MEMORY_ERROR;
		if (holder->absent >= VM_OBJECT_ABSENT_MAX)
			return must_wait(holder, hoff, VM_ASK_NOTHING, 0, wait);
		vm_object_record_set_state(holder, r, VM_PAGE_ABSENT);
		return must_wait(
		    holder, hoff, VM_ASK_DATA,
		    write ? VM_PROT_READ | VM_PROT_WRITE : VM_PROT_READ, wait);
	case VM_PAGE_ERROR:
		/* Reported once (whatever the pager's code, as GNU Mach):
		 * the next touch asks the pager again. */
		record_unlink(holder, r);
		record_free(r);
		return KERN_MEMORY_ERROR;
	default:
		break;
	}
	/* The pager withholds what this access needs: ask it to lift the
	 * lock (once) and wait. */
	need = write ? VM_PROT_READ | VM_PROT_WRITE : VM_PROT_READ;
	if (r->lock & need) {
		if (r->state == VM_PAGE_UNLOCKING)
			return must_wait(holder, hoff, VM_ASK_NOTHING, 0, wait);
		vm_object_record_set_state(holder, r, VM_PAGE_UNLOCKING);
		return must_wait(holder, hoff, VM_ASK_UNLOCK, need, wait);
	}
	if (write)
		r->dirty = true;
	/* Not written yet: mapped read-only, so that the first write
	 * faults and marks it dirty. */
	*withhold = r->lock | (write ? 0 : VM_PROT_WRITE);
	return KERN_SUCCESS;
}

kern_return_t vm_object_fault_page_apply(struct vm_object *obj, uint64_t offset,
                                         bool write, vm_object_page_fn fn,
                                         void *ctx, struct vm_object_wait *wait)
{
	/* A pager's object may be mapped at any offset (GNU Mach passes an
	 * unaligned one through to the pager); anonymous ones by pages. */
	if (((offset & PG_MASK) != 0 && obj->pager == NULL) ||
	    offset >= obj->size)
		return KERN_INVALID_ARGUMENT;
	for (;;) {
		struct vm_object *holder = NULL;
		struct vm_object_page *r;
		struct page *copy;
		enum vm_object_fault_how how;
		vm_prot_t withhold = 0;
		unsigned long fl;
		uint64_t hoff;
		kern_return_t kr;

		r = chain_walk(obj, offset, &holder, &hoff, &fl);
		/* The default pager holds only what was paged out (its records
		 * say so): other pages are zero-filled here, unasked. */
		if (r == NULL && holder->pager != NULL &&
		    !holder->pager->internal) {
			kr = pager_miss(holder, hoff, write && holder == obj,
			                wait);
			spin_unlock(&holder->lock, fl);
			return kr;
		}
		if (r != NULL && holder->pager != NULL) {
			kr = pager_page_ready(holder, r, hoff,
			                      write && holder == obj, &withhold,
			                      wait);
			if (kr != KERN_SUCCESS) {
				spin_unlock(&holder->lock, fl);
				return kr;
			}
		}
		/* A pager's page is mapped only where its object is mapped
		 * directly (its mappers: lock_request must find every
		 * translation); below another object it is copied up. */
		if (r != NULL &&
		    (holder == obj || (!write && holder->pager == NULL))) {
			/* Called under the holder's lock: a deeper page cannot
			 * be freed by a collapse while FN maps it. */
			kr = fn(ctx, r->page,
			        holder == obj ? VM_OBJECT_PAGE_OWN
			                      : VM_OBJECT_PAGE_BELOW,
			        withhold);
			spin_unlock(&holder->lock, fl);
			return kr;
		}
		copy = page_alloc(0);
		if (copy != NULL && r != NULL)
			memcpy(page_to_virt(copy), page_to_virt(r->page),
			       PAGE_SIZE);
		else if (copy != NULL)
			memset(page_to_virt(copy), 0, PAGE_SIZE);
		spin_unlock(&holder->lock, fl);
		if (copy == NULL)
			return KERN_RESOURCE_SHORTAGE;
		how = r != NULL ? VM_OBJECT_PAGE_COPIED : VM_OBJECT_PAGE_ZEROED;
		kr = vm_object_page_insert(obj, offset, copy);
		if (kr == KERN_MEMORY_PRESENT) {
			/* Another thread got there first: use its page. */
			page_free(copy, 0);
			continue;
		}
		if (kr != KERN_SUCCESS) {
			page_free(copy, 0);
			return kr;
		}
		/* A page of OBJ itself stays while the caller's reference
		 * does: only OBJ's own users remove pages from it. */
		return fn(ctx, copy, how, 0);
	}
}

void vm_object_wait_end(struct vm_object_wait *wait, bool sleep)
{
	struct vm_object *obj = wait->object;

	if (sleep) {
		struct waiter w;
		unsigned long fl = spin_lock(&obj->lock);

		waiter_init(&w);
		wait->result =
		    waitq_wait_unless(&obj->pager->wq, wait->gen, &obj->lock,
		                      fl, WAITQ_FOREVER, &w);
	}
	wait->object = NULL;
	vm_object_release(obj);
}

/* vm_object_fault_page's callback: remember the page. */
struct fault_page_result {
	struct page *pg;
	bool in_top;
};

static kern_return_t remember_page(void *ctx, struct page *pg,
                                   enum vm_object_fault_how how,
                                   vm_prot_t withhold)
{
	struct fault_page_result *res = ctx;

	(void)withhold;
	res->pg = pg;
	res->in_top = how != VM_OBJECT_PAGE_BELOW;
	return KERN_SUCCESS;
}

kern_return_t vm_object_fault_page(struct vm_object *obj, uint64_t offset,
                                   bool write, struct page **pg, bool *in_top)
{
	struct fault_page_result res = {NULL, false};
	kern_return_t kr;

	kr = vm_object_fault_page_apply(obj, offset, write, remember_page, &res,
	                                &(struct vm_object_wait){0});
	if (kr == KERN_SUCCESS) {
		*pg = res.pg;
		if (in_top != NULL)
			*in_top = res.in_top;
	}
	return kr;
}

struct vm_object_page *vm_object_record(struct vm_object *obj, uint64_t offset,
                                        bool make)
{
	struct vm_object_page *r;

	assert_locked(&obj->lock);
	r = record_find(obj, offset);
	if (r != NULL || !make)
		return r;
	r = slab_alloc(&record_cache);
	if (r == NULL)
		return NULL;
	*r = (struct vm_object_page){.offset = offset, .state = VM_PAGE_ABSENT};
	if (offset >= obj->size)
		obj->size = offset + PAGE_SIZE; /* a pager may supply ahead */
	record_link(obj, r);
	return r;
}

void vm_object_record_fill(struct vm_object *obj, struct vm_object_page *r,
                           struct page *pg)
{
	assert(r->page == NULL);
	r->page = pg;
	vm_object_record_set_state(obj, r, VM_PAGE_RESIDENT);
	stat_add(&vm_object_stats.pages, 1);
}

struct vm_object_page *vm_object_record_ceil(struct vm_object *obj,
                                             uint64_t offset)
{
	assert_locked(&obj->lock);
	return record_ceil(obj, offset);
}

struct vm_object_page *vm_object_record_next(struct vm_object_page *r)
{
	return record_of(avl_next(&r->node));
}

void vm_object_record_remove(struct vm_object *obj, struct vm_object_page *r)
{
	assert_locked(&obj->lock);
	record_unlink(obj, r);
	record_free(r);
}

bool vm_object_try_reference(struct vm_object *obj)
{
	unsigned long fl = spin_lock(&obj->lock);
	bool alive = obj->refs > 0;

	if (alive)
		obj->refs++;
	spin_unlock(&obj->lock, fl);
	return alive;
}

unsigned vm_object_page_remove_range(struct vm_object *obj, uint64_t start,
                                     uint64_t end)
{
	unsigned long fl = spin_lock(&obj->lock);
	struct vm_object_page *r = record_ceil(obj, start), *next;
	unsigned freed = 0;

	for (; r != NULL && r->offset < end; r = next) {
		next = record_of(avl_next(&r->node));
		record_unlink(obj, r);
		record_free(r);
		freed++;
	}
	spin_unlock(&obj->lock, fl);
	return freed;
}

struct vm_object *vm_object_copy_now(struct vm_object *src, uint64_t offset,
                                     uint64_t size)
{
	struct vm_object *copy, *obj = src;
	uint64_t base = offset; /* where the copy's offset 0 is in OBJ */

	assert((offset & PG_MASK) == 0 || src->pager != NULL);
	copy = vm_object_create(size);
	if (copy == NULL)
		return NULL;
	size = copy->size;
	/* Level by level from the top, hand over hand as
	 * vm_object_chain_lookup: a page already copied from an upper object
	 * hides the ones below it. */
	unsigned long fl = spin_lock(&obj->lock);

	for (;;) {
		uint64_t top =
		    obj->size < base + size ? obj->size : base + size;
		struct vm_object_page *r = record_ceil(obj, base);
		struct vm_object *next;
		unsigned long nfl;

		for (; r != NULL && r->offset < top;
		     r = record_of(avl_next(&r->node))) {
			struct page *pg;
			kern_return_t kr;

			kr = vm_object_page_alloc(copy, r->offset - base, false,
			                          &pg);
			if (kr == KERN_MEMORY_PRESENT)
				continue;
			if (kr != KERN_SUCCESS) {
				spin_unlock(&obj->lock, fl);
				vm_object_release(copy);
				return NULL;
			}
			memcpy(page_to_virt(pg), page_to_virt(r->page),
			       PAGE_SIZE);
		}
		next = obj->shadow;
		if (next == NULL)
			break;
		base += obj->shadow_offset;
		nfl = spin_lock(&next->lock);
		spin_unlock(&obj->lock, nfl);
		obj = next;
	}
	spin_unlock(&obj->lock, fl);
	return copy;
}

/*
 * Merge BACKING (OBJ's shadow, referenced by OBJ alone) into OBJ.  Both
 * locked (BACKING's shadow is locked here for its list).  Records move up when
 * OBJ sees their offset and holds no page there; the others, hidden or out of
 * OBJ's range, are freed.
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
	list_remove(&obj->shadow_link);
	obj->shadow = backing->shadow; /* and backing's reference on it */
	obj->shadow_offset += backing->shadow_offset;
	if (obj->shadow != NULL) {
		unsigned long fl = spin_lock(&obj->shadow->lock);

		list_remove(&backing->shadow_link);
		list_push_back(&obj->shadow->shadowers, &obj->shadow_link);
		spin_unlock(&obj->shadow->lock, fl);
	}
	backing->shadow = NULL;
	backing->refs = 0;
	/* BACKING's memory lives on in OBJ, and so does its name (if OBJ
	 * has none), so that merging changes no region's name. */
	if (obj->name == NULL) {
		obj->name = backing->name;
		backing->name = NULL;
	}
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
	unsigned absent = 0;

	if (obj->refs == 0 || (obj->size & PG_MASK) != 0 ||
	    ((obj->shadow_offset & PG_MASK) != 0 &&
	     (obj->shadow == NULL || obj->shadow->pager == NULL)))
		return false;
	if (!avl_check(&obj->pages, record_cmp, &count) ||
	    count != obj->resident || obj->absent > VM_OBJECT_ABSENT_MAX)
		return false;
	for (n = avl_first(&obj->pages); n != NULL; n = avl_next(n)) {
		const struct vm_object_page *r = record_of(n);

		if (r->state == VM_PAGE_ABSENT)
			absent++;
		if (((r->offset & PG_MASK) != 0 && obj->pager == NULL) ||
		    r->offset >= obj->size ||
		    (r->page == NULL) != (r->state == VM_PAGE_ABSENT ||
		                          r->state == VM_PAGE_ERROR ||
		                          r->state == VM_PAGE_PAGED_OUT))
			return false;
	}
	return absent == obj->absent;
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
