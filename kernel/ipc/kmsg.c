/*
 * Messages in kernel form (ipc/kmsg.h): allocation, the typed-item
 * decoder every body walk uses, and destruction, which releases every
 * right and region a message holds.  Destroying a message can destroy a
 * receive right, whose port then destroys the messages queued on it, and
 * so on: to keep that chain off the stack, destruction is flattened onto
 * a per-CPU list that the outermost kmsg_destroy drains.
 */
#include "ipc/kmsg.h"

#include "ipc/ool.h"
#include "ipc/port.h"
#include "ipc/right.h"
#include "ipc/transit.h"
#include "kern/page_alloc.h"
#include "kern/panic.h"
#include "kern/percpu.h"
#include "kern/slab.h"
#include "kern/string.h"
#include "machine/cpu.h"

#define KMALLOC_LIMIT (64u * 1024)

/* ---- buffers ---- */

static unsigned pages_order(size_t size)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

void *kbuf_alloc(size_t size)
{
	if (size == 0 || size > KBUF_MAX)
		return NULL;
	if (size <= KMALLOC_LIMIT)
		return kmalloc(size);
	return page_alloc_va(pages_order(size));
}

void kbuf_free(void *p, size_t size)
{
	if (p == NULL)
		return;
	if (size <= KMALLOC_LIMIT)
		kfree(p);
	else
		page_free_va(p, pages_order(size));
}

/* ---- allocation ---- */

struct kmsg *kmsg_spares[MAX_CPUS][KMSG_SPARES];

struct kmsg *kmsg_alloc_big(mach_msg_size_t size)
{
	mach_msg_size_t capacity =
	    size <= KMSG_SPARE_CAPACITY ? KMSG_SPARE_CAPACITY : size;
	struct kmsg *k;

	if (size < sizeof(struct kmsg_header) || size > KBUF_MAX ||
	    kmsg_bytes(capacity) > KBUF_MAX)
		return NULL;
	k = kbuf_alloc(kmsg_bytes(capacity));
	if (k != NULL)
		kmsg_init(k, capacity, size);
	return k;
}

struct kmsg *kmsg_alloc(mach_msg_size_t size)
{
	struct kmsg *k = kmsg_alloc_raw(size);

	if (k == NULL)
		return NULL;
	memset(&k->hdr, 0, size);
	k->hdr.size = size;
	return k;
}

void kmsg_spares_drain(void)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		for (unsigned j = 0; j < KMSG_SPARES; j++) {
			struct kmsg *k = __atomic_exchange_n(
			    &kmsg_spares[i][j], NULL, __ATOMIC_ACQUIRE);

			if (k != NULL)
				kbuf_free(k, kmsg_bytes(k->capacity));
		}
	}
}

/* ---- the item decoder ---- */

mach_msg_size_t kmsg_item_decode(void *body, mach_msg_size_t off,
                                 struct kmsg_item *it)
{
	mach_msg_type_t *t = (mach_msg_type_t *)((char *)body + off);
	uint64_t adv;

	it->type = t;
	it->name = t->msgt_name;
	it->size = t->msgt_size;
	it->number = t->msgt_number;
	it->is_inline = t->msgt_inline;
	it->is_port = MACH_MSG_TYPE_PORT_ANY(it->name);
	it->length = ((uint64_t)it->number * it->size + 7) / 8;
	it->data = t + 1;
	adv = sizeof(*t) + (it->is_inline ? it->length : sizeof(uint64_t));
	return (mach_msg_size_t)ALIGN_UP((uint64_t)off + adv, 8);
}

/* ---- destruction ---- */

void kmsg_release_objects(struct ipc_object **objs, mach_msg_type_number_t n,
                          mach_msg_type_name_t name)
{
	for (mach_msg_type_number_t i = 0; i < n; i++) {
		struct ipc_object *o = objs[i];

		objs[i] = IPC_OBJECT_NULL;
		if (!IPC_OBJECT_VALID(o))
			continue;
		if (name == MACH_MSG_TYPE_PORT_RECEIVE)
			transit_leave(port_from_object(o));
		right_release(o, name);
	}
}

void kmsg_clean_body(struct kmsg *k, mach_msg_size_t from, mach_msg_size_t to)
{
	void *body = kmsg_body(k);
	mach_msg_size_t off = from;

	while (off < to) {
		struct kmsg_item it;
		uint64_t *slot;

		off = kmsg_item_decode(body, off, &it);
		if (it.is_inline) {
			if (it.is_port)
				kmsg_release_objects(it.data, it.number,
				                     it.name);
			continue;
		}
		slot = it.data;
		if (*slot == 0)
			continue;
		if (it.is_port) {
			struct ipc_object **objs =
			    (struct ipc_object **)(uintptr_t)*slot;

			kmsg_release_objects(objs, it.number, it.name);
			kbuf_free(objs, (size_t)it.number * sizeof(*objs));
		} else {
			ool_discard((struct ool *)(uintptr_t)*slot);
		}
		*slot = 0;
	}
}

void kmsg_transit_end(struct kmsg *k)
{
	void *body = kmsg_body(k);
	mach_msg_size_t off = 0, end = kmsg_body_size(k);

	if (!(k->hdr.bits & MACH_MSGH_BITS_COMPLEX))
		return;
	while (off < end) {
		struct kmsg_item it;
		struct ipc_object **objs;

		off = kmsg_item_decode(body, off, &it);
		if (it.name != MACH_MSG_TYPE_PORT_RECEIVE)
			continue;
		objs = it.is_inline ? it.data : *(struct ipc_object ***)it.data;
		for (mach_msg_type_number_t i = 0; objs && i < it.number; i++)
			if (IPC_OBJECT_VALID(objs[i]))
				transit_leave(port_from_object(objs[i]));
	}
}

/* Release everything K holds and free it. */
static void kmsg_clean_and_free(struct kmsg *k)
{
	mach_msg_bits_t bits = k->hdr.bits;

	if (IPC_OBJECT_VALID(k->hdr.remote))
		right_release(k->hdr.remote, MACH_MSGH_BITS_REMOTE(bits));
	if (IPC_OBJECT_VALID(k->hdr.local))
		right_release(k->hdr.local, MACH_MSGH_BITS_LOCAL(bits));
	k->hdr.remote = k->hdr.local = IPC_OBJECT_NULL;
	if (bits & MACH_MSGH_BITS_COMPLEX)
		kmsg_clean_body(k, 0, kmsg_body_size(k));
	kmsg_free(k);
}

/*
 * Messages waiting to be destroyed on one CPU, and whether a
 * kmsg_destroy there is draining them.
 * Owned by: the CPU (indexed by cpu_id()).
 * Guarded by: `lock`; the lock also makes it safe if a draining thread
 *   ever moves to another CPU (a later scheduler).
 */
static struct reaper {
	spinlock_t lock;
	struct list pending;
	bool draining;
	bool ready;
} reapers[MAX_CPUS];

void kmsg_destroy(struct kmsg *k)
{
	struct reaper *r = &reapers[cpu_id()];
	unsigned long f;

	if (!r->ready) {
		/* Each CPU sets up its own entry, the first time. */
		spin_init(&r->lock, "kmsg.reaper");
		list_init(&r->pending);
		r->ready = true;
	}
	f = spin_lock(&r->lock);
	list_push_back(&r->pending, &k->link);
	if (r->draining) {
		/* An outer kmsg_destroy on this CPU will get to it. */
		spin_unlock(&r->lock, f);
		return;
	}
	r->draining = true;
	while (!list_empty(&r->pending)) {
		k = list_first_entry(&r->pending, struct kmsg, link);
		list_remove(&k->link);
		spin_unlock(&r->lock, f);
		kmsg_clean_and_free(k);
		f = spin_lock(&r->lock);
	}
	r->draining = false;
	spin_unlock(&r->lock, f);
}
