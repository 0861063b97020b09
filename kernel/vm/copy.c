/*
 * Virtual copies in transit (vm/copy.h): a list of object pieces.  The
 * map layer (vm/map.c) builds them from a source range and turns them
 * into entries of the destination; this file owns their memory and
 * reads through them for kernel routines that want the bytes.
 */
#include "vm/copy.h"

#include "kern/page_alloc.h"
#include "kern/panic.h"
#include "kern/slab.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "vm/object.h"

static struct slab_cache copy_cache;
static struct slab_cache piece_cache;

void vm_map_copy_init(void)
{
	slab_cache_init(&copy_cache, "vm.copy", sizeof(struct vm_map_copy), 0);
	slab_cache_init(&piece_cache, "vm.copy_piece",
	                sizeof(struct vm_map_copy_piece), 0);
}

struct vm_map_copy *vm_map_copy_new(uint64_t size, uint32_t offset)
{
	struct vm_map_copy *c = slab_zalloc(&copy_cache);

	if (c == NULL)
		return NULL;
	c->size = size;
	c->offset = offset;
	c->tail = &c->pieces;
	return c;
}

kern_return_t vm_map_copy_add(struct vm_map_copy *copy,
                              struct vm_object *object, uint64_t offset,
                              uint64_t size)
{
	struct vm_map_copy_piece *p = slab_alloc(&piece_cache);

	if (p == NULL)
		return KERN_RESOURCE_SHORTAGE;
	p->next = NULL;
	p->object = object;
	p->offset = offset;
	p->size = size;
	*copy->tail = p;
	copy->tail = &p->next;
	copy->npieces++;
	return KERN_SUCCESS;
}

void vm_map_copy_discard(struct vm_map_copy *copy)
{
	struct vm_map_copy_piece *p, *next;

	if (copy == NULL)
		return;
	for (p = copy->pieces; p != NULL; p = next) {
		next = p->next;
		if (p->object != NULL)
			vm_object_release(p->object);
		slab_free(&piece_cache, p);
	}
	slab_free(&copy_cache, copy);
}

void vm_map_copy_read(const struct vm_map_copy *copy, uint64_t off, void *buf,
                      uint64_t len)
{
	const struct vm_map_copy_piece *p = copy->pieces;
	uint64_t at = off + copy->offset; /* in the pieces' pages */
	uint64_t piece_start = 0;
	char *dst = buf;

	assert(off <= copy->size && len <= copy->size - off);
	while (len > 0) {
		uint64_t in, n;
		struct page *pg = NULL;

		while (p != NULL && at >= piece_start + p->size) {
			piece_start += p->size;
			p = p->next;
		}
		assert(p != NULL);
		in = at - piece_start;
		n = PAGE_SIZE - (at & (PAGE_SIZE - 1));
		if (n > len)
			n = len;
		if (p->object != NULL)
			pg = vm_object_chain_lookup(
			    p->object,
			    p->offset + (in & ~(uint64_t)(PAGE_SIZE - 1)), NULL,
			    NULL);
		if (pg != NULL)
			memcpy(dst,
			       (char *)page_to_virt(pg) +
			           (at & (PAGE_SIZE - 1)),
			       n);
		else
			memset(dst, 0, n);
		dst += n;
		at += n;
		len -= n;
	}
}
