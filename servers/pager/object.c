/*
 * servers/pager/object.c — the memory objects the default pager backs
 * and, for each, which of its pages the store holds and where.
 *
 * Objects live in a fixed table, found by their port.  Page records
 * (object, page, block) come from one pool sized by the store at startup
 * and are found through one hash table; each object also chains its own
 * records, so dropping an object's pages costs its own page count.  A
 * page the kernel handed us when the store was full is kept as a record
 * without a block (PAGE_LOST), so reading it back is an error rather
 * than zeros.
 */
#include <string.h>

#include "pager.h"

#define NIL UINT32_MAX
#define LOST_MARGIN                                                            \
	1024u /* records beyond the store's blocks, for lost pages */

/*
 * One page of one object held by the store (or lost).
 * Owned by: the pool below; linked in one hash chain and in its object's
 *   list while in use, in the free list otherwise.
 * Guarded by: nothing (single-threaded pager).
 */
struct page_rec {
	uint32_t next_hash; /* hash chain, or the free list */
	uint32_t next_obj;  /* the object's list */
	uint32_t slot;      /* the object's index in objects[] */
	uint32_t page;      /* offset / PAGER_PAGE */
	uint32_t block;     /* store block, or PAGE_LOST */
};

/*
 * The table.  Owned by: this file.  Guarded by: nothing (single-threaded).
 */
static struct pager_object objects[OBJECT_MAX];
static unsigned live_objects;
static uint64_t next_id = 1;

static struct page_rec *recs;
static uint32_t nrecs, free_rec = NIL;
static uint32_t *buckets;
static uint32_t bucket_mask;

/* Allocate SIZE bytes of zeroed, touched memory. */
static void *object_memory(vm_size_t size, kern_return_t *kr)
{
	vm_address_t addr = 0;

	size = (size + PAGER_PAGE - 1) & ~(vm_size_t)(PAGER_PAGE - 1);
	*kr = vm_allocate(mach_task_self(), &addr, size, TRUE);
	if (*kr != KERN_SUCCESS)
		return NULL;
	memset((void *)addr, 0, size);
	return (void *)addr;
}

kern_return_t object_table_init(uint32_t blocks)
{
	uint32_t nb = 1;
	kern_return_t kr;

	nrecs = blocks + LOST_MARGIN;
	while (nb < nrecs)
		nb <<= 1;
	recs = object_memory((vm_size_t)nrecs * sizeof(*recs), &kr);
	if (recs == NULL)
		return kr;
	buckets = object_memory((vm_size_t)nb * sizeof(*buckets), &kr);
	if (buckets == NULL)
		return kr;
	bucket_mask = nb - 1;
	for (uint32_t i = 0; i < nb; i++)
		buckets[i] = NIL;
	for (uint32_t i = 0; i < nrecs; i++)
		recs[i].next_hash = i + 1 < nrecs ? i + 1 : NIL;
	free_rec = 0;
	return KERN_SUCCESS;
}

static uint32_t object_hash(uint32_t slot, uint32_t page)
{
	return ((slot * 0x9e3779b1u) ^ (page * 0x85ebca77u)) & bucket_mask;
}

static uint32_t object_slot(struct pager_object *obj)
{
	return (uint32_t)(obj - objects);
}

struct pager_object *object_new(mach_port_t port, vm_size_t size,
                                enum object_origin origin)
{
	for (unsigned i = 0; i < OBJECT_MAX; i++) {
		struct pager_object *obj = &objects[i];
		if (obj->in_use)
			continue;
		memset(obj, 0, sizeof(*obj));
		obj->in_use = 1;
		obj->port = port;
		obj->size = size;
		obj->origin = origin;
		obj->id = next_id++;
		obj->first_page = NIL;
		live_objects++;
		return obj;
	}
	return NULL;
}

struct pager_object *object_lookup(mach_port_t port)
{
	if (port == MACH_PORT_NULL)
		return NULL;
	for (unsigned i = 0; i < OBJECT_MAX; i++)
		if (objects[i].in_use && objects[i].port == port)
			return &objects[i];
	return NULL;
}

struct pager_object *object_lookup_name(mach_port_t name)
{
	if (name == MACH_PORT_NULL)
		return NULL;
	for (unsigned i = 0; i < OBJECT_MAX; i++)
		if (objects[i].in_use && objects[i].name == name)
			return &objects[i];
	return NULL;
}

/* The record of page PAGE of the object in SLOT, or NIL. */
static uint32_t object_find(uint32_t slot, uint32_t page)
{
	uint32_t r = buckets[object_hash(slot, page)];

	while (r != NIL && (recs[r].slot != slot || recs[r].page != page))
		r = recs[r].next_hash;
	return r;
}

uint32_t object_page_block(struct pager_object *obj, uint32_t page)
{
	uint32_t r = object_find(object_slot(obj), page);

	if (r != NIL)
		return recs[r].block;
	return obj->damaged ? PAGE_LOST : PAGE_ABSENT;
}

uint32_t object_page_store(struct pager_object *obj, uint32_t page)
{
	uint32_t slot = object_slot(obj), r = object_find(slot, page), h;

	if (r != NIL && recs[r].block != PAGE_LOST)
		return recs[r].block;
	if (r == NIL) {
		if (free_rec == NIL) {
			/* Not even room to remember the loss: every page
			 * of this object we do not hold becomes an error. */
			obj->damaged = 1;
			return PAGE_LOST;
		}
		r = free_rec;
		free_rec = recs[r].next_hash;
		h = object_hash(slot, page);
		recs[r] = (struct page_rec){.next_hash = buckets[h],
		                            .next_obj = obj->first_page,
		                            .slot = slot,
		                            .page = page,
		                            .block = PAGE_LOST};
		buckets[h] = r;
		obj->first_page = r;
		obj->pages++;
	}
	recs[r].block = store_alloc();
	if (recs[r].block == STORE_NO_BLOCK)
		recs[r].block = PAGE_LOST;
	else
		obj->blocks++;
	return recs[r].block;
}

void object_page_lose(struct pager_object *obj, uint32_t page)
{
	uint32_t r = object_find(object_slot(obj), page);

	if (r == NIL) {
		obj->damaged = 1;
		return;
	}
	if (recs[r].block != PAGE_LOST) {
		store_free(recs[r].block);
		recs[r].block = PAGE_LOST;
		obj->blocks--;
	}
}

void object_drop_pages(struct pager_object *obj)
{
	uint32_t r = obj->first_page, next, *link;

	for (; r != NIL; r = next) {
		next = recs[r].next_obj;
		link = &buckets[object_hash(recs[r].slot, recs[r].page)];
		while (*link != r && *link != NIL)
			link = &recs[*link].next_hash;
		if (*link == r)
			*link = recs[r].next_hash;
		else
			pager_log("page record %u missing from its chain", r);
		if (recs[r].block != PAGE_LOST)
			store_free(recs[r].block);
		recs[r].next_hash = free_rec;
		free_rec = r;
	}
	obj->first_page = NIL;
	obj->pages = 0;
	obj->blocks = 0;
	obj->damaged = 0;
}

void object_delete(struct pager_object *obj)
{
	object_drop_pages(obj);
	obj->in_use = 0;
	live_objects--;
}

void object_each(void (*fn)(struct pager_object *, void *), void *arg)
{
	for (unsigned i = 0; i < OBJECT_MAX; i++)
		if (objects[i].in_use)
			fn(&objects[i], arg);
}

unsigned object_count(void)
{
	return live_objects;
}

uint32_t object_page_offsets(struct pager_object *obj, vm_offset_t *out,
                             uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t r = obj->first_page; r != NIL && n < max;
	     r = recs[r].next_obj)
		if (recs[r].block != PAGE_LOST)
			out[n++] = (vm_offset_t)recs[r].page * PAGER_PAGE;
	return n;
}
