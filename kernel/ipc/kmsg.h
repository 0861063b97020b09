/*
 * A message in kernel form: what copyin (copyin.c) makes of a user
 * message, what waits on a port's queue (mqueue.h), and what copyout
 * (copyout.c) turns back into a user message.  Notifications and other
 * kernel-originated messages are built directly in this form and sent
 * with ipc_send_kernel.
 *
 * The kernel form keeps the user layout (docs/IPC.md): the 32-byte
 * header, with the destination and reply ports as object pointers in
 * the two 8-byte slots; then the body byte for byte, with every port
 * right's 8-byte slot holding its object pointer (IPC_OBJECT_NULL,
 * IPC_OBJECT_DEAD or a referenced object) and every out-of-line item's
 * 8-byte pointer slot holding a kernel handle (struct ool *, ipc/ool.h;
 * for port arrays, a kernel array of object pointers).
 */
#ifndef IPC_KMSG_H
#define IPC_KMSG_H

#include <mach/kern_return.h>
#include <mach/message.h>

#include "ipc/object.h"
#include "kern/compiler.h"
#include "kern/list.h"
#include "kern/percpu.h"
#include "machine/cpu.h"

/*
 * The header of a message in kernel form, laid out like
 * mach_msg_header_t.  `bits` holds the carried types
 * (MACH_MSG_TYPE_PORT_*) of remote and local, not the sender's
 * dispositions, plus MACH_MSGH_BITS_COMPLEX when the body holds rights
 * or out-of-line data.
 */
struct kmsg_header {
	mach_msg_bits_t bits;
	mach_msg_size_t size;      /* header + body, in bytes */
	struct ipc_object *remote; /* destination (a referenced port) */
	struct ipc_object *local;  /* reply right, or NULL / DEAD */
	mach_port_seqno_t seqno;   /* set when received */
	mach_msg_id_t id;
};

STATIC_ASSERT(sizeof(struct kmsg_header) == sizeof(mach_msg_header_t),
              "the kernel header has the user header's layout");

/*
 * A message in kernel form.
 * Owned by: whoever holds it: the sending thread, then the port queue
 *   it sits on, then the receiving thread.  Exactly one owner.
 * Guarded by: the owner; on a queue, the port's lock guards `link`.
 */
struct kmsg {
	struct list link;         /* on mqueue->messages */
	uint64_t stamp;           /* arrival order, for port-set receives */
	mach_msg_size_t capacity; /* bytes allocated for hdr + body */
	uint32_t flags;           /* KMSG_* */
	struct kmsg_header hdr;   /* followed by the body */
};

/* The body holds rights or out-of-line items in kernel form.  Only
 * informative: MACH_MSGH_BITS_COMPLEX in hdr.bits is what makes
 * kmsg_destroy and copyout walk the body. */
#define KMSG_CARRIES_RIGHTS 0x1

/* Only the header was copied in (kmsg_get_part): the body is still in
 * the sender's buffer, for the fast path to write straight into the
 * receiver's (ipc/fastpath.c).  Such a kmsg goes nowhere else. */
#define KMSG_BODY_IN_SENDER 0x2

/* The body was written into the receiver's buffer already: only the
 * header is left to copy out (kmsg_put). */
#define KMSG_BODY_DELIVERED 0x4

/* Its header was copied out already, for the receiver it was handed to
 * (ipc/fastpath.c), which only puts it in its buffer. */
#define KMSG_HEADER_OUT 0x8

/* The user-form view of K's header (the same bytes: the port slots
 * hold names before copyin and after copyout). */
static inline mach_msg_header_t *kmsg_user_header(struct kmsg *k)
{
	return (mach_msg_header_t *)&k->hdr;
}

/* The body: hdr.size - sizeof(struct kmsg_header) bytes. */
static inline void *kmsg_body(struct kmsg *k)
{
	return (char *)&k->hdr + sizeof(struct kmsg_header);
}

/*
 * kmsg_alloc: a message of SIZE bytes (header included; SIZE >=
 * sizeof(struct kmsg_header)), header and body zeroed, hdr.size = SIZE.
 * The body holds no rights yet: fill it, then set MACH_MSGH_BITS_COMPLEX
 * in hdr.bits if it carries rights or out-of-line items (kmsg_destroy
 * then walks the body: every item must be well formed, with inline
 * rights as 8-byte object pointers and msgt_size 64).
 * Locks: any (allocates).
 * Returns: the message, or NULL on exhaustion or SIZE out of range.
 */
struct kmsg *kmsg_alloc(mach_msg_size_t size);

/*
 * Two small message buffers per CPU, kept by kmsg_free for the next
 * kmsg_alloc: a request's buffer is freed by its receiver, whose reply
 * then takes it, so an RPC's messages need not reach the allocator; a
 * kernel RPC's reply is made while its request still lives, hence two.
 * Messages of up to KMSG_SPARE_CAPACITY bytes all get that capacity
 * (which with the kmsg's own fields fills a 128-byte block: no more
 * memory than a smaller one took).  Taken and put back by atomic
 * exchange (any context may send).  Inline, with kmsg_alloc_raw and
 * kmsg_free: every message takes one.
 */
#define KMSG_SPARE_CAPACITY (128u - (mach_msg_size_t)offsetof(struct kmsg, hdr))
#define KMSG_SPARES         2 /* kmsg_spare_take and kmsg_spare_keep know it */
/* (size - header) / 8 of the largest spare-sized message, and the least
 * such value of a size that is no message's (kmsg_get_part). */
#define KMSG_SPARE_WORDS                                                       \
	((KMSG_SPARE_CAPACITY - (mach_msg_size_t)sizeof(struct kmsg_header)) / \
	 8)
#define KMSG_WORDS_BAD ((0x100000000ull - sizeof(struct kmsg_header)) / 8)
void kbuf_free(void *p, size_t size); /* below */
extern struct kmsg *kmsg_spares[MAX_CPUS][KMSG_SPARES];

/* A spare of this CPU, or NULL. */
static inline struct kmsg *kmsg_spare_take(void)
{
	struct kmsg **slot = kmsg_spares[cpu_id()];
	struct kmsg *k = __atomic_exchange_n(&slot[0], NULL, __ATOMIC_ACQUIRE);

	return k != NULL
	           ? k
	           : __atomic_exchange_n(&slot[1], NULL, __ATOMIC_ACQUIRE);
}

/* Keep K as a spare of this CPU; what found no room (K or another), or
 * NULL. */
static inline struct kmsg *kmsg_spare_keep(struct kmsg *k)
{
	struct kmsg **slot = kmsg_spares[cpu_id()];

	k = __atomic_exchange_n(&slot[0], k, __ATOMIC_ACQ_REL);
	return k == NULL ? NULL
	                 : __atomic_exchange_n(&slot[1], k, __ATOMIC_ACQ_REL);
}

/* The bytes of a kmsg of CAPACITY. */
static inline size_t kmsg_bytes(mach_msg_size_t capacity)
{
	return offsetof(struct kmsg, hdr) + (size_t)capacity;
}

/* A new K's fields but its header, for CAPACITY bytes of message. */
static inline void kmsg_init_fields(struct kmsg *k, mach_msg_size_t capacity)
{
	k->link.next = k->link.prev = NULL; /* on no queue */
	k->stamp = 0;
	k->capacity = capacity;
	k->flags = 0;
}

/* A new K's fields, for SIZE bytes of message in CAPACITY. */
static inline void kmsg_init(struct kmsg *k, mach_msg_size_t capacity,
                             mach_msg_size_t size)
{
	kmsg_init_fields(k, capacity);
	k->hdr.size = size;
}

/* kmsg_alloc_big: kmsg_alloc_raw from the allocator (no spare). */
struct kmsg *kmsg_alloc_big(mach_msg_size_t size);

/* kmsg_alloc_raw: kmsg_alloc without zeroing the header and body (for a
 * caller about to fill all SIZE bytes).  Locks and returns as
 * kmsg_alloc. */
static inline struct kmsg *kmsg_alloc_raw(mach_msg_size_t size)
{
	struct kmsg *k;

	if (size >= sizeof(struct kmsg_header) && size <= KMSG_SPARE_CAPACITY &&
	    (k = kmsg_spare_take()) != NULL) {
		kmsg_init(k, KMSG_SPARE_CAPACITY, size);
		return k;
	}
	return kmsg_alloc_big(size);
}

/* kmsg_free: free the memory of K only (its rights already gone); a
 * small one may be kept for the next kmsg_alloc on this CPU. */
static inline void kmsg_free(struct kmsg *k)
{
	if (k->capacity == KMSG_SPARE_CAPACITY)
		k = kmsg_spare_keep(k);
	if (k != NULL)
		kbuf_free(k, kmsg_bytes(k->capacity));
}

/*
 * kmsg_spares_drain: give every message buffer kept for reuse back to
 * the allocator, so that its counts are exact (host_slab_info).
 * Locks: any.
 */
void kmsg_spares_drain(void);

/*
 * kmsg_destroy: release everything K holds (the header's rights, every
 * right and out-of-line region of a complex body, with right_release
 * and ool_discard) and free it.
 * Locks: no IPC lock held (releasing rights sends notifications).
 */
void kmsg_destroy(struct kmsg *k);

/*
 * kmsg_transit_end: the receive rights in K's body stop travelling (the
 * kernel takes them out of the message: a kernel RPC consumes them), so
 * they leave the registry of rights in transit (ipc/transit.h) that
 * detects circular messages.  K keeps the rights.
 * Locks: no IPC lock held.
 */
void kmsg_transit_end(struct kmsg *k);

/*
 * ipc_send_kernel: send K, a kernel-built message whose hdr.remote is a
 * send or send-once right in transit (hdr.bits says which), to its
 * destination.  Never blocks and ignores the queue limit (as
 * MACH_SEND_ALWAYS).  Consumes K in every case: when the destination is
 * dead, K is destroyed; when it is not a send or send-once right to a
 * port, K is destroyed and the call fails.
 * Locks: no IPC lock held.
 * Returns: MACH_MSG_SUCCESS, or MACH_SEND_INVALID_DEST (K destroyed).
 */
kern_return_t ipc_send_kernel(struct kmsg *k);

/* ---- for the message layer (copyin.c, copyout.c, msg.c, ool.c) ---- */

/*
 * One typed item of a body, decoded.  In the 64-bit layout a descriptor
 * (short or long form) is 8 bytes and starts 8-aligned; inline data
 * follows it (padded to 8), an out-of-line item has an 8-byte pointer.
 */
struct kmsg_item {
	mach_msg_type_t *type; /* the descriptor, in the body */
	mach_msg_type_name_t name;
	unsigned size; /* bits per element */
	mach_msg_type_number_t number;
	bool is_inline;
	bool is_port;    /* MACH_MSG_TYPE_PORT_ANY(name) */
	uint64_t length; /* bytes of data: number * size / 8, rounded up */
	void *data;      /* inline: the data; out of line: the 8-byte slot */
};

/*
 * kmsg_item_decode: decode the item whose descriptor is at BODY + OFF
 * (a kernel-form body: trusted, already checked) into *IT.
 * Returns: the offset of the next item.
 */
mach_msg_size_t kmsg_item_decode(void *body, mach_msg_size_t off,
                                 struct kmsg_item *it);

/* The size of K's body in bytes. */
static inline mach_msg_size_t kmsg_body_size(const struct kmsg *k)
{
	return k->hdr.size - (mach_msg_size_t)sizeof(struct kmsg_header);
}

/*
 * kmsg_clean_body: release the rights and out-of-line memory of the
 * kernel-form items of K's body between offsets FROM and TO (item
 * boundaries), leaving the slots NULL.
 * Locks: no IPC lock held.
 */
void kmsg_clean_body(struct kmsg *k, mach_msg_size_t from, mach_msg_size_t to);

/* Release the rights of N object slots of type NAME (NULL/DEAD skipped). */
void kmsg_release_objects(struct ipc_object **objs, mach_msg_type_number_t n,
                          mach_msg_type_name_t name);

/*
 * kbuf_alloc / kbuf_free: kernel memory of SIZE bytes for message data
 * (kmalloc up to 64 KiB, whole pages beyond, up to 4 MiB).  kbuf_free
 * needs the SIZE given to kbuf_alloc.  kbuf_alloc returns NULL for 0,
 * for sizes above KBUF_MAX, or on exhaustion.
 */
#define KBUF_MAX (4u * 1024 * 1024)
void *kbuf_alloc(size_t size);
void kbuf_free(void *p, size_t size);

#endif
