/*
 * Copyin of messages (ipc/copyin.h).  The header's two ports are checked
 * under the sender's space lock before anything is taken, so that a
 * message refused for a bad reply port leaves the destination right
 * where it was; the rights themselves are then taken with right_copyin
 * (ipc/right.h).  Body items are taken one by one, and a bad item
 * releases what the earlier ones took.
 */
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

/* Bits of a port in a body: 8-byte slots inline, 4-byte names in an
 * out-of-line array (GNU Mach's PORT_T / PORT_NAME_T sizes). */
#define PORT_T_BITS      64
#define PORT_NAME_T_BITS 32

mach_msg_return_t kmsg_get(const void *umsg, mach_msg_size_t send_size,
                           struct kmsg **out)
{
	return kmsg_get_part(umsg, send_size, false, out);
}

/* ---- the header ---- */

/*
 * Whether the entry E could give up a right for DISPOSITION, the way a
 * reply port is checked (a dead name passes: it becomes MACH_PORT_DEAD).
 */
static bool entry_can_copyin(const struct space_entry *e,
                             mach_msg_type_name_t disposition)
{
	switch (disposition) {
	case MACH_MSG_TYPE_MAKE_SEND:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		return (e->type & MACH_PORT_TYPE_RECEIVE) != 0;
	case MACH_MSG_TYPE_COPY_SEND:
	case MACH_MSG_TYPE_MOVE_SEND:
		return (e->type &
		        (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_DEAD_NAME)) != 0;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		return (e->type & (MACH_PORT_TYPE_SEND_ONCE |
		                   MACH_PORT_TYPE_DEAD_NAME)) != 0;
	default:
		return false;
	}
}

/* One more send right to the port OBJ (held in transit by the caller),
 * or DEAD if it died meanwhile. */
static struct ipc_object *copy_send_or_dead(struct ipc_object *obj)
{
	struct port *port = port_from_object(obj);
	unsigned long f = port_lock(port);
	struct ipc_object *copy = IPC_OBJECT_DEAD;

	if (port_active(port)) {
		port_copy_send_locked(port);
		copy = obj;
	}
	port_unlock(port, f);
	return copy;
}

/* The result of the header checks, taken under the space lock. */
enum header_check {
	HDR_OK,
	HDR_BAD_DEST,
	HDR_BAD_REPLY,
	HDR_BAD_NOTIFY,
};

static enum header_check
check_header(struct space *space, mach_port_name_t dest,
             mach_msg_type_name_t dtype, mach_port_name_t reply,
             mach_msg_type_name_t rtype, mach_port_name_t notify)
{
	struct space_entry *de, *re;
	enum header_check r = HDR_OK;
	unsigned long f = space_lock(space);

	if (!space->active) {
		r = HDR_BAD_DEST;
		goto out;
	}
	if (notify != MACH_PORT_NULL) {
		struct space_entry *ne = space_lookup(space, notify);

		if (ne == NULL || !(ne->type & MACH_PORT_TYPE_RECEIVE)) {
			r = HDR_BAD_NOTIFY;
			goto out;
		}
	}
	de = space_lookup(space, dest);
	if (de == NULL) {
		r = HDR_BAD_DEST;
		goto out;
	}
	if (dest == reply) {
		/* One entry gives both rights (GNU Mach's order of checks). */
		if (!entry_can_copyin(de, rtype))
			r = HDR_BAD_REPLY;
		else if (dtype == MACH_MSG_TYPE_MOVE_SEND_ONCE ||
		         rtype == MACH_MSG_TYPE_MOVE_SEND_ONCE)
			r = HDR_BAD_DEST; /* the one right cannot go twice */
		else if (dtype == MACH_MSG_TYPE_MOVE_SEND &&
		         rtype == MACH_MSG_TYPE_MOVE_SEND &&
		         (!(de->type & MACH_PORT_TYPE_SEND) || de->urefs < 2))
			r = HDR_BAD_DEST; /* two moves need two references */
		goto out;
	}
	if (MACH_PORT_VALID(reply)) {
		re = space_lookup(space, reply);
		if (re == NULL || !entry_can_copyin(re, rtype))
			r = HDR_BAD_REPLY;
	}
out:
	space_unlock(space, f);
	return r;
}

/*
 * Take the destination and reply rights when both are one name.
 * Returns: MACH_MSG_SUCCESS or the error (nothing taken).
 */
static mach_msg_return_t
copyin_same_name(struct space *space, mach_port_name_t name,
                 mach_msg_type_name_t dtype, mach_msg_type_name_t rtype,
                 struct ipc_object **dobj, struct ipc_object **robj)
{
	mach_msg_type_name_t t;

	if (dtype == MACH_MSG_TYPE_COPY_SEND &&
	    rtype == MACH_MSG_TYPE_COPY_SEND) {
		if (right_copyin(space, name, dtype, false, dobj, &t) !=
		    KERN_SUCCESS)
			return MACH_SEND_INVALID_DEST;
		*robj = copy_send_or_dead(*dobj);
		return MACH_MSG_SUCCESS;
	}
	if ((dtype == MACH_MSG_TYPE_MOVE_SEND &&
	     rtype == MACH_MSG_TYPE_COPY_SEND) ||
	    (dtype == MACH_MSG_TYPE_COPY_SEND &&
	     rtype == MACH_MSG_TYPE_MOVE_SEND)) {
		/* One move, duplicated: the name loses one reference. */
		if (right_copyin(space, name, MACH_MSG_TYPE_MOVE_SEND, false,
		                 dobj, &t) != KERN_SUCCESS)
			return MACH_SEND_INVALID_DEST;
		*robj = copy_send_or_dead(*dobj);
		return MACH_MSG_SUCCESS;
	}
	/* MOVE_SEND twice, or a MAKE_* with anything: two copyins, the
	 * first never takes what the second needs (checked above). */
	if (right_copyin(space, name, dtype, false, dobj, &t) != KERN_SUCCESS)
		return MACH_SEND_INVALID_DEST;
	if (right_copyin(space, name, rtype, true, robj, &t) != KERN_SUCCESS) {
		/* Only another thread of the task changing the name between
		 * the check and now gets here: give up what we took. */
		right_release(*dobj, copyin_type(dtype));
		return MACH_SEND_INVALID_REPLY;
	}
	return MACH_MSG_SUCCESS;
}

static mach_msg_return_t copyin_header(struct kmsg *k, struct space *space,
                                       mach_port_name_t notify)
{
	mach_msg_header_t *h = (mach_msg_header_t *)&k->hdr;
	mach_msg_bits_t mbits = h->msgh_bits & ~MACH_MSGH_BITS_CIRCULAR;
	mach_msg_type_name_t dtype = MACH_MSGH_BITS_REMOTE(mbits);
	mach_msg_type_name_t rtype = MACH_MSGH_BITS_LOCAL(mbits);
	mach_port_name_t dest = h->msgh_remote_port;
	mach_port_name_t reply = h->msgh_local_port;
	struct ipc_object *dobj = IPC_OBJECT_NULL, *robj = IPC_OBJECT_NULL;
	mach_msg_type_name_t t;
	mach_msg_return_t mr;

	if (!MACH_MSG_TYPE_PORT_ANY_SEND(dtype))
		return MACH_SEND_INVALID_HEADER;
	if (rtype == 0 ? reply != MACH_PORT_NULL
	               : !MACH_MSG_TYPE_PORT_ANY_SEND(rtype))
		return MACH_SEND_INVALID_HEADER;

	switch (check_header(space, dest, dtype, reply, rtype, notify)) {
	case HDR_OK:
		break;
	case HDR_BAD_DEST:
		return MACH_SEND_INVALID_DEST;
	case HDR_BAD_REPLY:
		return MACH_SEND_INVALID_REPLY;
	case HDR_BAD_NOTIFY:
		return MACH_SEND_INVALID_NOTIFY;
	}

	if (dest == reply) {
		mr = copyin_same_name(space, dest, dtype, rtype, &dobj, &robj);
		if (mr != MACH_MSG_SUCCESS)
			return mr;
	} else {
		if (right_copyin(space, dest, dtype, false, &dobj, &t) !=
		    KERN_SUCCESS)
			return MACH_SEND_INVALID_DEST;
		if (!MACH_PORT_VALID(reply)) {
			robj = reply == MACH_PORT_DEAD ? IPC_OBJECT_DEAD
			                               : IPC_OBJECT_NULL;
		} else if (right_copyin(space, reply, rtype, true, &robj, &t) !=
		           KERN_SUCCESS) {
			/* A race with another thread of the task (see
			 * copyin_same_name). */
			right_release(dobj, copyin_type(dtype));
			return MACH_SEND_INVALID_REPLY;
		}
	}
	if (!IPC_OBJECT_VALID(dobj) || dobj->kind != IPC_OBJECT_PORT) {
		/* right_copyin never gives these for a destination with
		 * dead_ok false; be safe anyway. */
		if (IPC_OBJECT_VALID(dobj))
			right_release(dobj, copyin_type(dtype));
		if (IPC_OBJECT_VALID(robj))
			right_release(robj, copyin_type(rtype));
		return MACH_SEND_INVALID_DEST;
	}
	k->hdr.bits = MACH_MSGH_BITS_OTHER(mbits) |
	              MACH_MSGH_BITS(copyin_type(dtype), copyin_type(rtype));
	k->hdr.remote = dobj;
	k->hdr.local = robj;
	return MACH_MSG_SUCCESS;
}

/* ---- the body ---- */

/*
 * Record that the receive right OBJ travels in K (ipc/transit.h); a
 * right that would close a cycle of ports in transit marks K circular,
 * so that mqueue_send destroys it.
 */
static mach_msg_return_t enter_transit(struct kmsg *k, struct ipc_object *obj)
{
	switch (transit_enter(port_from_object(obj),
	                      port_from_object(k->hdr.remote))) {
	case TRANSIT_OK:
		return MACH_MSG_SUCCESS;
	case TRANSIT_CIRCULAR:
		k->hdr.bits |= MACH_MSGH_BITS_CIRCULAR;
		return MACH_MSG_SUCCESS;
	default:
		return MACH_SEND_NO_BUFFER;
	}
}

/*
 * Copy in the NUMBER names at OBJS (8-byte slots holding a 32-bit name
 * each) as rights of disposition NAME, in place.  On failure the rights
 * taken so far are released and every slot is left NULL.
 */
static mach_msg_return_t copyin_port_slots(struct kmsg *k, struct space *space,
                                           struct ipc_object **objs,
                                           mach_msg_type_number_t number,
                                           mach_msg_type_name_t name)
{
	for (mach_msg_type_number_t i = 0; i < number; i++) {
		mach_port_name_t n = (mach_port_name_t)(uintptr_t)objs[i];
		mach_msg_type_name_t t;

		if (!MACH_PORT_VALID(n)) {
			objs[i] = n == MACH_PORT_DEAD ? IPC_OBJECT_DEAD
			                              : IPC_OBJECT_NULL;
			continue;
		}
		if (right_copyin(space, n, name, true, &objs[i], &t) !=
		    KERN_SUCCESS) {
			objs[i] = IPC_OBJECT_NULL;
			kmsg_release_objects(objs, i, copyin_type(name));
			for (mach_msg_type_number_t j = i; j < number; j++)
				objs[j] = IPC_OBJECT_NULL;
			return MACH_SEND_INVALID_RIGHT;
		}
		if (name == MACH_MSG_TYPE_MOVE_RECEIVE &&
		    IPC_OBJECT_VALID(objs[i])) {
			mach_msg_return_t mr = enter_transit(k, objs[i]);

			if (mr != MACH_MSG_SUCCESS) {
				kmsg_release_objects(
				    objs, i + 1, MACH_MSG_TYPE_PORT_RECEIVE);
				for (mach_msg_type_number_t j = i; j < number;
				     j++)
					objs[j] = IPC_OBJECT_NULL;
				return mr;
			}
		}
	}
	return MACH_MSG_SUCCESS;
}

/*
 * Copy in an out-of-line port array: NUMBER 4-byte names at user address
 * UADDR become a kernel array of 8-byte slots (still names; the caller
 * turns them into rights).
 */
static mach_msg_return_t copyin_port_array(struct space *space, uint64_t uaddr,
                                           mach_msg_type_number_t number,
                                           bool dealloc,
                                           struct ipc_object ***out)
{
	size_t ksize = (size_t)number * sizeof(struct ipc_object *);
	size_t usize = (size_t)number * sizeof(mach_port_name_t);
	uint64_t *slots;

	slots = kbuf_alloc(ksize);
	if (slots == NULL)
		return MACH_SEND_INVALID_MEMORY;
	if (copyin((const void *)(uintptr_t)uaddr, slots, usize) != 0) {
		kbuf_free(slots, ksize);
		return MACH_SEND_INVALID_MEMORY;
	}
	/* Widen in place, from the end: slot i covers names 2i and 2i+1,
	 * which were read before (2i >= i) or are read as it is written. */
	for (mach_msg_type_number_t i = number; i-- > 0;) {
		uint32_t name;

		memcpy(&name, (char *)slots + (size_t)i * sizeof(name),
		       sizeof(name));
		slots[i] = name;
	}
	if (dealloc && space->vm_ops != NULL &&
	    space->vm_ops->deallocate != NULL)
		space->vm_ops->deallocate(space->vm_ctx, uaddr, usize);
	*out = (struct ipc_object **)slots;
	return MACH_MSG_SUCCESS;
}

/*
 * Copy in one body item at OFF.  *NEXT gets the next item's offset and
 * *COMPLEX is set when the item carries rights or memory.  On failure
 * the item holds nothing.
 */
static mach_msg_return_t copyin_item(struct kmsg *k, struct space *space,
                                     mach_msg_size_t off, mach_msg_size_t end,
                                     mach_msg_size_t *next, bool *complex)
{
	char *body = kmsg_body(k);
	mach_msg_type_t *t = (mach_msg_type_t *)(body + off);
	uint64_t data = (uint64_t)off + sizeof(*t), length;
	uint64_t *slot = (uint64_t *)(body + data);
	struct ipc_object **objs = NULL;
	mach_msg_type_name_t name;
	mach_msg_type_number_t number;
	unsigned size;
	bool is_inline, dealloc, is_port;
	mach_msg_return_t mr;

	if (end - off < sizeof(*t))
		return MACH_SEND_MSG_TOO_SMALL;
	name = t->msgt_name;
	size = t->msgt_size;
	number = t->msgt_number;
	is_inline = t->msgt_inline;
	dealloc = t->msgt_deallocate;
	is_port = MACH_MSG_TYPE_PORT_ANY(name);
	if ((is_port && is_inline && size != PORT_T_BITS) ||
	    (is_port && !is_inline && size != PORT_NAME_T_BITS) ||
	    t->msgt_unused != 0 || (dealloc && is_inline))
		return MACH_SEND_INVALID_TYPE;
	length = ((uint64_t)number * size + 7) / 8;

	if (is_inline) {
		if (end - data < length)
			return MACH_SEND_MSG_TOO_SMALL;
		*next = (mach_msg_size_t)ALIGN_UP(data + length, 8);
		if (!is_port)
			return MACH_MSG_SUCCESS;
		objs = (struct ipc_object **)slot;
		/* Only the low half of each slot is the name. */
		for (mach_msg_type_number_t i = 0; i < number; i++)
			slot[i] &= 0xffffffffu;
	} else {
		uint64_t uaddr;

		if (end - data < sizeof(uint64_t))
			return MACH_SEND_MSG_TOO_SMALL;
		*next = (mach_msg_size_t)(data + sizeof(uint64_t));
		uaddr = *slot;
		*slot = 0;
		*complex = true;
		if (number == 0 || length == 0)
			return MACH_MSG_SUCCESS; /* no memory: pointer 0 (an
			                            empty port array keeps the
			                            sender's disposition: see
			                            copyout_body) */
		if (is_port) {
			mr = copyin_port_array(space, uaddr, number, dealloc,
			                       &objs);
			if (mr != MACH_MSG_SUCCESS)
				return mr;
			/* In kernel form the array holds 8-byte slots. */
			t->msgt_size = PORT_T_BITS;
			*slot = (uint64_t)(uintptr_t)objs;
		} else {
			struct ool *ool;

			mr = ool_copyin(space, uaddr, length, dealloc, &ool);
			if (mr != MACH_MSG_SUCCESS)
				return mr;
			*slot = (uint64_t)(uintptr_t)ool;
			return MACH_MSG_SUCCESS;
		}
	}

	*complex = true;
	mr = copyin_port_slots(k, space, objs, number, name);
	if (mr != MACH_MSG_SUCCESS) {
		if (!is_inline) {
			kbuf_free(objs, (size_t)number * sizeof(*objs));
			*slot = 0;
		}
		return mr;
	}
	t->msgt_name = copyin_type(name);
	return MACH_MSG_SUCCESS;
}

static mach_msg_return_t copyin_body(struct kmsg *k, struct space *space)
{
	mach_msg_size_t off = 0, end = kmsg_body_size(k), next;
	bool complex = false;
	mach_msg_return_t mr;

	while (off < end) {
		mr = copyin_item(k, space, off, end, &next, &complex);
		if (mr != MACH_MSG_SUCCESS) {
			kmsg_clean_body(k, 0, off);
			return mr;
		}
		off = next;
	}
	if (!complex)
		k->hdr.bits &= ~MACH_MSGH_BITS_COMPLEX;
	return MACH_MSG_SUCCESS;
}

mach_msg_return_t kmsg_copyin_body(struct kmsg *k, struct space *space)
{
	mach_msg_bits_t bits;
	mach_msg_return_t mr;

	if (!(k->hdr.bits & MACH_MSGH_BITS_COMPLEX))
		return MACH_MSG_SUCCESS;
	mr = copyin_body(k, space);
	if (mr != MACH_MSG_SUCCESS) {
		bits = k->hdr.bits;
		if (IPC_OBJECT_VALID(k->hdr.remote))
			right_release(k->hdr.remote,
			              MACH_MSGH_BITS_REMOTE(bits));
		if (IPC_OBJECT_VALID(k->hdr.local))
			right_release(k->hdr.local, MACH_MSGH_BITS_LOCAL(bits));
		k->hdr.remote = k->hdr.local = IPC_OBJECT_NULL;
		k->hdr.bits &= ~MACH_MSGH_BITS_COMPLEX;
	}
	return mr;
}

mach_msg_return_t kmsg_copyin(struct kmsg *k, struct space *space,
                              mach_port_name_t notify)
{
	mach_msg_return_t mr;

	mr = copyin_header(k, space, notify);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	return kmsg_copyin_body(k, space);
}
