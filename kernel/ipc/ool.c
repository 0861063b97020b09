/*
 * Out-of-line memory in transit (ipc/ool.h).  Between two tasks it is a
 * virtual copy (vm/copy.h): the sender's pages are shared copy-on-write
 * with the message and then with the receiver, and no byte is copied.
 * Data from the kernel (ool_from_kernel) and from spaces without a VM
 * (the unit tests') is copied into kernel chunks instead.
 */
#include "ipc/ool.h"

#include "ipc/kmsg.h"
#include "ipc/space.h"
#include "kern/panic.h"
#include "kern/slab.h"
#include "kern/string.h"
#include "machine/copyio.h"
#include "machine/memlayout.h"
#include "vm/copy.h"

#define OOL_CHUNK (64u * 1024) /* kmalloc's largest size */

/*
 * A region in transit whose data is in OOL_CHUNK-sized kmalloc chunks
 * (the last one shorter), with the offset within its first page it had
 * in the sender's address space.  A virtual copy needs no header of its
 * own: its struct ool pointer is the struct vm_map_copy's address with
 * the low bit set (both are at least 8-byte aligned), so that an RPC
 * carrying memory allocates nothing here.
 * Owned by: the message holding it (one owner).
 */
struct ool {
	uint64_t size;
	uint32_t offset;  /* sender address modulo PAGE_SIZE */
	uint32_t nchunks; /* chunks allocated so far (all, once copied in) */
	void *chunk[];
};

#define OOL_COPY_TAG ((uintptr_t)1)

/* The virtual copy O stands for, or NULL when O holds chunks. */
static struct vm_map_copy *ool_copy(const struct ool *o)
{
	uintptr_t p = (uintptr_t)o;

	return p & OOL_COPY_TAG ? (struct vm_map_copy *)(p & ~OOL_COPY_TAG)
	                        : NULL;
}

static struct ool *ool_of_copy(struct vm_map_copy *copy)
{
	assert(((uintptr_t)copy & OOL_COPY_TAG) == 0);
	return (struct ool *)((uintptr_t)copy | OOL_COPY_TAG);
}

static size_t ool_header_size(uint32_t nchunks)
{
	return sizeof(struct ool) + (size_t)nchunks * sizeof(void *);
}

/* Chunks for SIZE bytes (the length of the chunk array). */
static uint32_t chunks_for(uint64_t size)
{
	return (uint32_t)((size + OOL_CHUNK - 1) / OOL_CHUNK);
}

static size_t chunk_len(const struct ool *o, uint32_t i)
{
	uint64_t left = o->size - (uint64_t)i * OOL_CHUNK;

	return left < OOL_CHUNK ? (size_t)left : OOL_CHUNK;
}

uint64_t ool_size(const struct ool *ool)
{
	const struct vm_map_copy *copy = ool_copy(ool);

	return copy != NULL ? copy->size : ool->size;
}

uint32_t ool_page_offset(const struct ool *ool)
{
	const struct vm_map_copy *copy = ool_copy(ool);

	return copy != NULL ? copy->offset : ool->offset;
}

void ool_discard(struct ool *o)
{
	if (o == NULL)
		return;
	if (ool_copy(o) != NULL) {
		vm_map_copy_discard(ool_copy(o));
		return;
	}
	for (uint32_t i = 0; i < o->nchunks; i++)
		kfree(o->chunk[i]);
	kbuf_free(o, ool_header_size(chunks_for(o->size)));
}

/* A region of SIZE bytes at page offset OFFSET with every chunk
 * allocated (contents undefined), or NULL. */
static struct ool *ool_alloc(uint64_t size, uint32_t offset)
{
	uint32_t n = chunks_for(size);
	struct ool *o = kbuf_alloc(ool_header_size(n));

	if (o == NULL)
		return NULL;
	o->size = size;
	o->offset = offset;
	o->nchunks = 0;
	for (uint32_t i = 0; i < n; i++) {
		void *c = kmalloc(chunk_len(o, i));

		if (c == NULL) {
			ool_discard(o);
			return NULL;
		}
		o->chunk[o->nchunks++] = c;
	}
	return o;
}

/* ool_copyin of a task's memory: a virtual copy. */
static mach_msg_return_t ool_copyin_virtual(struct space *space, uint64_t uaddr,
                                            uint64_t size, bool dealloc,
                                            struct ool **out)
{
	struct vm_map_copy *copy;
	kern_return_t kr;

	kr = space->vm_ops->copyin(space->vm_ctx, uaddr, size, dealloc, &copy);
	if (kr != KERN_SUCCESS)
		return kr == KERN_RESOURCE_SHORTAGE || kr == KERN_NO_SPACE
		           ? MACH_SEND_NO_BUFFER
		           : MACH_SEND_INVALID_MEMORY;
	*out = ool_of_copy(copy);
	return MACH_MSG_SUCCESS;
}

mach_msg_return_t ool_from_copy(struct vm_map_copy *copy, struct ool **out)
{
	*out = ool_of_copy(copy);
	return MACH_MSG_SUCCESS;
}

mach_msg_return_t ool_copyin(struct space *space, uint64_t uaddr, uint64_t size,
                             bool dealloc, struct ool **out)
{
	struct ool *o;

	assert(size > 0);
	if (uaddr + size < uaddr)
		return MACH_SEND_INVALID_MEMORY;
	if (space->vm_ops != NULL && space->vm_ops->copyin != NULL)
		return ool_copyin_virtual(space, uaddr, size, dealloc, out);
	if (size > OOL_SIZE_MAX)
		return MACH_SEND_NO_BUFFER;
	o = ool_alloc(size, (uint32_t)(uaddr & (PAGE_SIZE - 1)));
	if (o == NULL)
		return MACH_SEND_NO_BUFFER;
	for (uint32_t i = 0; i < o->nchunks; i++) {
		if (copyin((const void *)(uintptr_t)(uaddr +
		                                     (uint64_t)i * OOL_CHUNK),
		           o->chunk[i], chunk_len(o, i)) != 0) {
			ool_discard(o);
			return MACH_SEND_INVALID_MEMORY;
		}
	}
	/* The copy is taken: with DEALLOC the sender's pages just go away
	 * (a space without a VM, the kernel's or a test's, has none). */
	if (dealloc && space->vm_ops != NULL &&
	    space->vm_ops->deallocate != NULL)
		space->vm_ops->deallocate(space->vm_ctx, uaddr, size);
	*out = o;
	return MACH_MSG_SUCCESS;
}

mach_msg_return_t ool_copyout(struct space *space, struct ool *o,
                              uint64_t *uaddr)
{
	uint64_t base = 0, addr, span;
	mach_msg_return_t mr = MACH_MSG_SUCCESS;

	*uaddr = 0;
	if (ool_copy(o) != NULL) {
		/* A virtual copy goes to a task's map (only tasks make them);
		 * a successful copyout consumes it. */
		if (space->vm_ops != NULL && space->vm_ops->copyout != NULL &&
		    space->vm_ops->copyout(space->vm_ctx, ool_copy(o), uaddr) ==
		        KERN_SUCCESS)
			return MACH_MSG_SUCCESS;
		ool_discard(o);
		return MACH_MSG_VM_SPACE;
	}
	span = ALIGN_UP(o->offset + o->size, (uint64_t)PAGE_SIZE);
	if (space->vm_ops == NULL || space->vm_ops->allocate == NULL ||
	    space->vm_ops->allocate(space->vm_ctx, span, &base) !=
	        KERN_SUCCESS) {
		mr = MACH_MSG_VM_SPACE;
		goto out;
	}
	addr = base + o->offset;
	for (uint32_t i = 0; i < o->nchunks; i++) {
		if (copyout(o->chunk[i],
		            (void *)(uintptr_t)(addr + (uint64_t)i * OOL_CHUNK),
		            chunk_len(o, i)) != 0)
			goto fail;
	}
	*uaddr = addr;
	goto out;
fail:
	space->vm_ops->deallocate(space->vm_ctx, base, span);
	mr = MACH_MSG_VM_KERNEL;
out:
	ool_discard(o);
	return mr;
}

mach_msg_return_t ool_from_kernel(const void *data, uint64_t size,
                                  struct ool **out)
{
	struct ool *o;

	assert(size > 0);
	if (size > OOL_SIZE_MAX)
		return MACH_SEND_NO_BUFFER;
	o = ool_alloc(size, 0);
	if (o == NULL)
		return MACH_SEND_NO_BUFFER;
	for (uint32_t i = 0; i < o->nchunks; i++)
		memcpy(o->chunk[i],
		       (const char *)data + (uint64_t)i * OOL_CHUNK,
		       chunk_len(o, i));
	*out = o;
	return MACH_MSG_SUCCESS;
}

kern_return_t ool_read(const struct ool *o, uint64_t off, void *buf,
                       uint64_t len)
{
	char *dst = buf;

	if (ool_copy(o) != NULL)
		return vm_map_copy_read(ool_copy(o), off, buf, len);
	assert(off <= o->size && len <= o->size - off);
	while (len > 0) {
		uint32_t i = (uint32_t)(off / OOL_CHUNK);
		uint64_t in = off % OOL_CHUNK;
		uint64_t n = chunk_len(o, i) - in;

		if (n > len)
			n = len;
		memcpy(dst, (const char *)o->chunk[i] + in, n);
		dst += n;
		off += n;
		len -= n;
	}
	return KERN_SUCCESS;
}
