/*
 * Copyout of messages (ipc/copyout.h).  The destination right a message
 * carries is consumed on delivery: a send right is released (which may
 * send a no-senders notification); a send-once right is used up
 * silently when the receiver holds the receive right, and otherwise
 * (the receive right moved between dequeue and copyout) turns into a
 * send-once notification, as on GNU Mach.
 */
#include "ipc/copyout.h"

#include "ipc/copyin.h"

#include "ipc/kmsg.h"
#include "ipc/ool.h"
#include "ipc/port.h"
#include "ipc/right.h"
#include "ipc/space.h"
#include "ipc/transit.h"
#include "kern/panic.h"
#include "kern/string.h"
#include "machine/copyio.h"
#include "machine/memlayout.h"

#define PORT_NAME_T_BITS 32

/*
 * Use up the destination right DEST (of carried type TYPE) of a message
 * received in SPACE.  *NAME gets the name SPACE has for the port's
 * receive right (MACH_PORT_NULL when SPACE does not hold it,
 * MACH_PORT_DEAD when the port died); *PAYLOAD / *HAS_PAYLOAD its
 * protected payload.
 */
static void consume_dest(struct space *space, struct ipc_object *dest,
                         mach_msg_type_name_t type, mach_port_name_t *name,
                         uint64_t *payload, bool *has_payload)
{
	struct port *port = port_from_object(dest);
	unsigned long f = port_lock(port);
	bool active = port_active(port), mine = port->receiver == space;

	*name = !active ? MACH_PORT_DEAD
	        : mine  ? port->receiver_name
	                : MACH_PORT_NULL;
	*payload = port->payload;
	*has_payload = port->has_payload;
	port_unlock(port, f);

	if (!active)
		right_release(dest, type);
	else if (type == MACH_MSG_TYPE_PORT_SEND)
		port_release_send(port);
	else if (mine)
		port_release_sonce(port);
	else
		right_release(dest, type); /* a send-once notification */
}

/* The name a right that is not an object (NULL or DEAD) shows as. */
static mach_port_name_t invalid_name(struct ipc_object *o)
{
	return o == IPC_OBJECT_DEAD ? MACH_PORT_DEAD : MACH_PORT_NULL;
}

/*
 * Give one right in transit to SPACE; the right is consumed either way.
 * Returns: MACH_MSG_SUCCESS, or MACH_MSG_IPC_SPACE / MACH_MSG_IPC_KERNEL
 *   (the right was destroyed and *NAME is MACH_PORT_NULL).
 */
static mach_msg_return_t copyout_object(struct space *space,
                                        struct ipc_object *o,
                                        mach_msg_type_name_t type,
                                        mach_port_name_t *name)
{
	kern_return_t kr;

	if (!IPC_OBJECT_VALID(o)) {
		*name = invalid_name(o);
		return MACH_MSG_SUCCESS;
	}
	if (type == MACH_MSG_TYPE_PORT_RECEIVE)
		transit_leave(port_from_object(o));
	kr = right_copyout(space, o, type, name);
	if (kr == KERN_SUCCESS)
		return MACH_MSG_SUCCESS;
	right_release(o, type);
	*name = MACH_PORT_NULL;
	return kr == KERN_RESOURCE_SHORTAGE ? MACH_MSG_IPC_KERNEL
	                                    : MACH_MSG_IPC_SPACE;
}

/* Copy out N rights in 8-byte slots, in place (names zero-extended). */
static mach_msg_return_t copyout_slots(struct space *space, uint64_t *slots,
                                       mach_msg_type_number_t n,
                                       mach_msg_type_name_t type)
{
	mach_msg_return_t mr = MACH_MSG_SUCCESS;

	for (mach_msg_type_number_t i = 0; i < n; i++) {
		struct ipc_object *o = (struct ipc_object *)(uintptr_t)slots[i];
		mach_port_name_t name;

		mr |= copyout_object(space, o, type, &name);
		slots[i] = name;
	}
	return mr;
}

/* An out-of-line port array: user memory of 4-byte names. */
static mach_msg_return_t copyout_port_array(struct space *space,
                                            struct kmsg_item *it)
{
	uint64_t *slot = it->data, uaddr = 0;
	uint64_t *objs = (uint64_t *)(uintptr_t)*slot;
	size_t ksize = (size_t)it->number * sizeof(uint64_t);
	size_t usize = (size_t)it->number * sizeof(mach_port_name_t);
	mach_msg_return_t mr = MACH_MSG_SUCCESS;

	if (space->vm_ops == NULL || space->vm_ops->allocate == NULL ||
	    space->vm_ops->allocate(space->vm_ctx,
	                            ALIGN_UP((uint64_t)usize, PAGE_SIZE),
	                            &uaddr) != KERN_SUCCESS) {
		kmsg_release_objects((struct ipc_object **)objs, it->number,
		                     it->name);
		kbuf_free(objs, ksize);
		*slot = 0;
		it->type->msgt_size = 0;
		return MACH_MSG_VM_SPACE;
	}
	mr |= copyout_slots(space, objs, it->number, it->name);
	/* Narrow in place: name i moves down from slot i. */
	for (mach_msg_type_number_t i = 0; i < it->number; i++) {
		uint32_t name = (uint32_t)objs[i];

		memcpy((char *)objs + (size_t)i * sizeof(name), &name,
		       sizeof(name));
	}
	if (copyout(objs, (void *)(uintptr_t)uaddr, usize) != 0) {
		space->vm_ops->deallocate(space->vm_ctx, uaddr,
		                          ALIGN_UP((uint64_t)usize, PAGE_SIZE));
		uaddr = 0;
		it->type->msgt_size = 0;
		mr |= MACH_MSG_VM_SPACE;
	} else {
		it->type->msgt_size = PORT_NAME_T_BITS;
	}
	kbuf_free(objs, ksize);
	*slot = uaddr;
	return mr;
}

static mach_msg_return_t copyout_body(struct kmsg *k, struct space *space)
{
	void *body = kmsg_body(k);
	mach_msg_size_t off = 0, end = kmsg_body_size(k);
	mach_msg_return_t mr = MACH_MSG_SUCCESS;

	while (off < end) {
		struct kmsg_item it;
		uint64_t *slot, addr;

		off = kmsg_item_decode(body, off, &it);
		if (it.is_inline) {
			it.type->msgt_deallocate = 0;
			if (it.is_port)
				mr |= copyout_slots(space, it.data, it.number,
				                    it.name);
			continue;
		}
		it.type->msgt_deallocate = 1;
		slot = it.data;
		if (*slot == 0) {
			/* Empty: the pointer stays 0.  A port array shows
			 * what it would carry and 32-bit names, as a full one
			 * (GNU Mach converts an empty array's disposition
			 * here, not at copyin: a kernel RPC still sees the
			 * sender's and refuses it, msg-ways and sched-calls
			 * modules). */
			if (it.is_port) {
				it.type->msgt_name = copyin_type(it.name);
				it.type->msgt_size = PORT_NAME_T_BITS;
			}
			continue;
		}
		if (it.is_port) {
			mr |= copyout_port_array(space, &it);
			continue;
		}
		mach_msg_return_t r =
		    ool_copyout(space, (struct ool *)(uintptr_t)*slot, &addr);
		*slot = addr;
		if (r != MACH_MSG_SUCCESS) {
			it.type->msgt_size = 0;
			mr |= r;
		}
	}
	return mr;
}

/* Whether NOTIFY names a receive right in SPACE. */
static bool notify_ok(struct space *space, mach_port_name_t notify)
{
	unsigned long f = space_lock(space);
	struct space_entry *e =
	    space->active ? space_lookup(space, notify) : NULL;
	bool ok = e != NULL && (e->type & MACH_PORT_TYPE_RECEIVE);

	space_unlock(space, f);
	return ok;
}

mach_msg_return_t kmsg_copyout(struct kmsg *k, struct space *space,
                               mach_port_name_t notify)
{
	mach_msg_bits_t mbits = k->hdr.bits;
	mach_msg_type_name_t dtype = MACH_MSGH_BITS_REMOTE(mbits);
	mach_msg_type_name_t rtype = MACH_MSGH_BITS_LOCAL(mbits);
	struct ipc_object *reply = k->hdr.local;
	mach_port_name_t dest_name, reply_name;
	mach_msg_header_t *h = kmsg_user_header(k);
	uint64_t payload;
	bool has_payload;

	/* The fast path copies out only for a receiver that then puts K
	 * straight in its buffer (ipc/fastpath.c). */
	assert(!(k->flags & KMSG_HEADER_OUT));
	if (notify != MACH_PORT_NULL && !notify_ok(space, notify))
		return MACH_RCV_INVALID_NOTIFY;
	if (IPC_OBJECT_VALID(reply)) {
		kern_return_t kr =
		    right_copyout(space, reply, rtype, &reply_name);

		if (kr != KERN_SUCCESS)
			return MACH_RCV_HEADER_ERROR |
			       (kr == KERN_RESOURCE_SHORTAGE
			            ? MACH_MSG_IPC_KERNEL
			            : MACH_MSG_IPC_SPACE);
	} else {
		unsigned long f = space_lock(space);
		bool active = space->active;

		space_unlock(space, f);
		if (!active)
			return MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE;
		reply_name = invalid_name(reply);
	}
	consume_dest(space, k->hdr.remote, dtype, &dest_name, &payload,
	             &has_payload);

	h->msgh_bits =
	    MACH_MSGH_BITS_OTHER(mbits) |
	    MACH_MSGH_BITS(rtype, has_payload ? MACH_MSG_TYPE_PROTECTED_PAYLOAD
	                                      : dtype);
	h->msgh_remote_port_do_not_use = reply_name;
	h->msgh_protected_payload = has_payload ? payload : dest_name;

	return kmsg_copyout_body(k, space);
}

mach_msg_return_t kmsg_copyout_body(struct kmsg *k, struct space *space)
{
	mach_msg_return_t mr;

	if (!(k->hdr.bits & MACH_MSGH_BITS_COMPLEX))
		return MACH_MSG_SUCCESS;
	mr = copyout_body(k, space);
	return mr == MACH_MSG_SUCCESS ? mr : (mr | MACH_RCV_BODY_ERROR);
}

void kmsg_copyout_dest(struct kmsg *k, struct space *space)
{
	mach_msg_bits_t mbits = k->hdr.bits;
	mach_msg_type_name_t dtype = MACH_MSGH_BITS_REMOTE(mbits);
	mach_msg_type_name_t rtype = MACH_MSGH_BITS_LOCAL(mbits);
	struct ipc_object *reply = k->hdr.local;
	mach_port_name_t dest_name, reply_name;
	mach_msg_header_t *h = kmsg_user_header(k);
	uint64_t payload;
	bool has_payload;

	consume_dest(space, k->hdr.remote, dtype, &dest_name, &payload,
	             &has_payload);
	if (IPC_OBJECT_VALID(reply)) {
		right_release(reply, rtype);
		reply_name = MACH_PORT_NULL;
	} else {
		reply_name = invalid_name(reply);
	}
	if (mbits & MACH_MSGH_BITS_COMPLEX)
		kmsg_clean_body(k, 0, kmsg_body_size(k));
	h->msgh_bits =
	    MACH_MSGH_BITS_OTHER(mbits) | MACH_MSGH_BITS(rtype, dtype);
	h->msgh_remote_port_do_not_use = reply_name;
	h->msgh_protected_payload = dest_name;
	/* The body holds nothing any more: never walk it again. */
	k->hdr.bits &= ~MACH_MSGH_BITS_COMPLEX;
}

mach_msg_return_t kmsg_copyout_pseudo(struct kmsg *k, struct space *space)
{
	mach_msg_bits_t mbits = k->hdr.bits;
	mach_port_name_t dest_name, reply_name;
	mach_msg_header_t *h = kmsg_user_header(k);
	mach_msg_return_t mr;

	mr = copyout_object(space, k->hdr.remote, MACH_MSGH_BITS_REMOTE(mbits),
	                    &dest_name);
	mr |= copyout_object(space, k->hdr.local, MACH_MSGH_BITS_LOCAL(mbits),
	                     &reply_name);
	h->msgh_bits = mbits & ~MACH_MSGH_BITS_CIRCULAR;
	h->msgh_remote_port_do_not_use = dest_name;
	h->msgh_protected_payload = reply_name;
	if (mbits & MACH_MSGH_BITS_COMPLEX)
		mr |= copyout_body(k, space);
	return mr;
}

/* kmsg_put's answer after its copy of SIZE bytes from FROM to TO
 * failed: when it ran with interrupts masked (the fast path's
 * receiver), its fault could not wait for a page (kernel_user_fault),
 * so it is made again with them on.  Locks: none held. */
static __attribute__((cold, noinline)) mach_msg_return_t
put_again_unmasked(const void *from, void *to, size_t size)
{
	if (intr_enabled())
		return MACH_RCV_INVALID_DATA;
	intr_enable();
	return copyout(from, to, size) == 0 ? MACH_MSG_SUCCESS
	                                    : MACH_RCV_INVALID_DATA;
}

mach_msg_return_t kmsg_put(void *umsg, struct kmsg *k, mach_msg_size_t size)
{
	mach_msg_return_t mr = MACH_MSG_SUCCESS;

	if (unlikely(k->flags & KMSG_BODY_DELIVERED) &&
	    size > sizeof(mach_msg_header_t))
		size = sizeof(mach_msg_header_t); /* the body is there */
	if (unlikely(copyout(&k->hdr, umsg, size) != 0))
		mr = put_again_unmasked(&k->hdr, umsg, size);
	kmsg_free(k);
	return mr;
}
