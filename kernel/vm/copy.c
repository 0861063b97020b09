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
#include "vm/fault.h"
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
	struct vm_map_copy *c = slab_alloc(&copy_cache);

	if (c == NULL)
		return NULL;
	c->size = size;
	c->offset = offset;
	c->npieces = 0;
	c->pieces = NULL;
	c->tail = &c->pieces;
	return c;
}

kern_return_t vm_map_copy_add(struct vm_map_copy *copy,
                              struct vm_object *object, uint64_t offset,
                              uint64_t size)
{
	struct vm_map_copy_piece *p =
	    copy->npieces == 0 ? &copy->first : slab_alloc(&piece_cache);

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
		if (p != &copy->first)
			slab_free(&piece_cache, p);
	}
	slab_free(&copy_cache, copy);
}

/* What read_page copies out of one page. */
struct read_ctx {
	char *dst;
	uint64_t in_page; /* offset of the first byte in the page */
	uint64_t len;
};

static kern_return_t read_page(void *arg, struct page *pg,
                               enum vm_object_fault_how how, vm_prot_t withhold)
{
	struct read_ctx *c = arg;

	(void)how;
	(void)withhold;
	memcpy(c->dst, (char *)page_to_virt(pg) + c->in_page, c->len);
	return KERN_SUCCESS;
}

kern_return_t vm_map_copy_read(const struct vm_map_copy *copy, uint64_t off,
                               void *buf, uint64_t len)
{
	const struct vm_map_copy_piece *p = copy->pieces;
	uint64_t at = off + copy->offset; /* in the pieces' pages */
	uint64_t piece_start = 0;
	char *dst = buf;

	assert(off <= copy->size && len <= copy->size - off);
	while (len > 0) {
		struct read_ctx c = {.dst = dst,
		                     .in_page = at & (PAGE_SIZE - 1)};
		uint64_t in;
		kern_return_t kr;

		while (p != NULL && at >= piece_start + p->size) {
			piece_start += p->size;
			p = p->next;
		}
		assert(p != NULL);
		in = at - piece_start;
		c.len = PAGE_SIZE - c.in_page;
		if (c.len > len)
			c.len = len;
		/* The page may be paged out or still with a pager: fault it
		 * in (a read: nothing is copied up for it). */
		if (p->object == NULL)
			memset(dst, 0, c.len);
		else if ((kr = vm_fault_object_page(
		              p->object,
		              p->offset + (in & ~(uint64_t)(PAGE_SIZE - 1)),
		              false, read_page, &c)) != KERN_SUCCESS)
			return kr;
		dst += c.len;
		at += c.len;
		len -= c.len;
	}
	return KERN_SUCCESS;
}
