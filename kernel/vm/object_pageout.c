/*
 * VM objects, pageout's part (vm/object.h, docs/VM.md): choosing a
 * resident page of an object to write out and unmapping it everywhere,
 * taking it back once written (or not), and the walk over every object
 * alive that pageout uses to pick its next one.
 */
#include "vm/object.h"

#include "kern/page_alloc.h"
#include "kern/string.h"
#include "kern/waitq.h"
#include "vm/map.h"
#include "vm/object_records.h"
#include "vm/pager.h"

/*
 * Remove every translation of offset OFF of OBJ (locked): in the maps
 * that map OBJ, and in those that map an object shadowing it, which may
 * map OBJ's page read-only below their own.  The shadowers' locks come
 * against the lock order: they are only tried.  Returns false (some
 * translations may be gone, which is harmless) when one was busy.
 */
static bool unmap_everywhere(struct vm_object *obj, uint64_t off,
                             unsigned depth)
{
	bool ok = true;

	vm_map_object_protect(obj, off, off + PAGE_SIZE, VM_PROT_NONE);
	if (depth > 16)
		return list_empty(&obj->shadowers);
	list_for_each_entry(struct vm_object, s, &obj->shadowers, shadow_link)
	{
		unsigned long sfl;

		if (off < s->shadow_offset || off - s->shadow_offset >= s->size)
			continue; /* S cannot see it */
		if (!spin_trylock(&s->lock, &sfl))
			return false;
		ok = unmap_everywhere(s, off - s->shadow_offset, depth + 1);
		spin_unlock(&s->lock, sfl);
		if (!ok)
			return false;
	}
	return true;
}

bool vm_object_pageout_pick(struct vm_object *obj, void *buf, uint64_t *offset,
                            bool *dirty, bool *give)
{
	unsigned long fl = spin_lock(&obj->lock);
	struct vm_object_page *r = record_ceil(obj, obj->pageout_cursor);

	while (r != NULL && (r->state != VM_PAGE_RESIDENT || r->lock != 0))
		r = record_of(avl_next(&r->node));
	if (r == NULL) {
		obj->pageout_cursor = 0;
		spin_unlock(&obj->lock, fl);
		return false;
	}
	obj->pageout_cursor = r->offset + PAGE_SIZE;
	/* No map may see it while it goes: every translation first. */
	if (!unmap_everywhere(obj, r->offset, 0)) {
		spin_unlock(&obj->lock, fl);
		return false; /* a shadower is busy: another time */
	}
	*offset = r->offset;
	*dirty = r->dirty;
	*give = r->dirty || r->precious;
	if (*give)
		memcpy(buf, page_to_virt(r->page), PAGE_SIZE);
	vm_object_record_set_state(obj, r, VM_PAGE_PAGING_OUT);
	spin_unlock(&obj->lock, fl);
	return true;
}

void vm_object_pageout_done(struct vm_object *obj, uint64_t offset, bool sent)
{
	unsigned long fl = spin_lock(&obj->lock);
	struct vm_object_page *r = record_find(obj, offset);
	struct page *pg = NULL;

	if (r != NULL && r->state == VM_PAGE_PAGING_OUT) {
		if (sent) {
			pg = r->page;
			r->page = NULL;
			r->dirty = false;
			vm_object_record_set_state(obj, r, VM_PAGE_PAGED_OUT);
		} else {
			vm_object_record_set_state(obj, r, VM_PAGE_RESIDENT);
		}
	}
	spin_unlock(&obj->lock, fl);
	if (pg != NULL) {
		page_free(pg, 0);
		stat_add(&vm_object_stats.pages, -1);
	}
	waitq_wake_all(&obj->pager->wq, WAITQ_AWAKENED);
}

struct vm_object *
vm_object_rotate(bool (*accept)(struct vm_object *obj, void *arg), void *arg)
{
	struct vm_object *found = NULL;
	unsigned long fl = spin_lock(&vm_object_all_lock);
	struct list *pos = vm_object_all.next;

	/* Look at each object once; the one taken goes to the back. */
	for (struct list *end = vm_object_all.prev; pos != &vm_object_all;) {
		struct vm_object *obj =
		    container_of(pos, struct vm_object, all_link);
		struct list *next = pos->next;
		unsigned long ofl = spin_lock(&obj->lock);
		bool take = obj->refs > 0 && accept(obj, arg);

		if (take)
			obj->refs++;
		spin_unlock(&obj->lock, ofl);
		list_remove(pos);
		list_push_back(&vm_object_all, pos);
		if (take) {
			found = obj;
			break;
		}
		if (pos == end)
			break;
		pos = next;
	}
	spin_unlock(&vm_object_all_lock, fl);
	return found;
}
