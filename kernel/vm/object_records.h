/*
 * The record tree of a VM object, shared by the files of vm/object*.c
 * (not an interface: vm/object.h is): the records of resident and
 * absent pages by offset in obj->pages (kern/avl.h), and the list of
 * every object alive, which pageout walks.
 */
#ifndef VM_OBJECT_RECORDS_H
#define VM_OBJECT_RECORDS_H

#include "kern/compiler.h"
#include "kern/list.h"
#include "kern/spinlock.h"
#include "vm/object.h"

/*
 * Every object alive (struct vm_object's all_link), for pageout.
 * Guarded by: vm_object_all_lock, which comes before an object's lock:
 *   never take it with an object locked.
 */
extern spinlock_t vm_object_all_lock;
extern struct list vm_object_all;

static inline void stat_add(uint64_t *counter, int64_t delta)
{
	__atomic_fetch_add(counter, (uint64_t)delta, __ATOMIC_RELAXED);
}

static inline struct vm_object_page *record_of(const struct avl_node *n)
{
	return n != NULL ? container_of(n, struct vm_object_page, node) : NULL;
}

static inline int record_cmp(const struct avl_node *a, const struct avl_node *b)
{
	uint64_t oa = record_of(a)->offset, ob = record_of(b)->offset;

	return oa < ob ? -1 : oa > ob;
}

/* OBJ's record at OFFSET, or NULL.  OBJ locked. */
static inline struct vm_object_page *record_find(const struct vm_object *obj,
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

/* OBJ's first record at or above OFFSET, or NULL.  OBJ locked. */
static inline struct vm_object_page *record_ceil(const struct vm_object *obj,
                                                 uint64_t offset)
{
	struct avl_node *n = obj->pages.root, *best = NULL;

	while (n != NULL) {
		if (record_of(n)->offset >= offset) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return record_of(best);
}

#endif
