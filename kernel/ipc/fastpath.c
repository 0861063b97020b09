/*
 * The IPC fast path's copyin (ipc/fastpath.h).  The general copyin
 * checks the header under the space lock, then takes each right with
 * right_copyin, which locks the space and the port again; here both
 * rights are checked and taken under one hold of the space lock, and
 * the destination port stays locked for the send.  Each guard exits to
 * the general path before anything changed, so that a message refused
 * here is treated exactly as if the fast path did not exist.
 */
#include "ipc/fastpath.h"

#include "ipc/copyin.h"
#include "ipc/kmsg.h"
#include "ipc/port.h"
#include "ipc/right.h"
#include "ipc/space.h"

/* A guard failed: leave the message to the general path. */
#define SLOW(why) false

/* The user-form view of K's header. */
static inline mach_msg_header_t *user_header(struct kmsg *k)
{
	return (mach_msg_header_t *)&k->hdr;
}

/*
 * Check that ENTRY (DNAME's) gives the destination right DTYPE: a send
 * right copied or made, or a send-once right moved (one with no
 * dead-name request, whose cancelling would need a notification).
 */
static bool dest_ok(const struct space_entry *e, mach_msg_type_name_t dtype)
{
	switch (dtype) {
	case MACH_MSG_TYPE_COPY_SEND:
		return (e->type & MACH_PORT_TYPE_SEND) != 0;
	case MACH_MSG_TYPE_MAKE_SEND:
		return (e->type & MACH_PORT_TYPE_RECEIVE) != 0;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		return e->type == MACH_PORT_TYPE_SEND_ONCE &&
		       e->request == NULL;
	default:
		return false;
	}
}

/*
 * Take the header's rights for K from SPACE: the destination's (DTYPE
 * of DNAME), and, when RTYPE is MAKE_SEND_ONCE, a send-once right made
 * from RNAME's receive right.  Leaves the destination port locked on
 * success.
 * Locks: SPACE locked and active.
 */
static bool take_rights(struct space *space, struct kmsg *k,
                        mach_msg_type_name_t dtype, mach_port_name_t dname,
                        mach_msg_type_name_t rtype, mach_port_name_t rname,
                        unsigned long *flags)
{
	struct space_entry *de, *re;
	struct port *dest, *reply = NULL;
	unsigned long df, rf;

	de = space_lookup(space, dname);
	if (de == NULL || !dest_ok(de, dtype))
		return SLOW("no such name, or not the right for it");
	dest = port_from_object(de->object);
	if (rtype == MACH_MSG_TYPE_MAKE_SEND_ONCE) {
		if (dname == rname)
			return SLOW("one name gives both rights");
		re = space_lookup(space, rname);
		if (re == NULL || !(re->type & MACH_PORT_TYPE_RECEIVE))
			return SLOW("no receive right to make the reply of");
		reply = port_from_object(re->object);
		if (reply == dest)
			return SLOW("a send-once right to the reply port");
	}
	df = port_lock(dest);
	if (!port_active(dest)) {
		port_unlock(dest, df);
		return SLOW("the destination died: a dead name");
	}
	if (reply != NULL) {
		/* Two port locks: try the second, never wait for it. */
		if (!spin_trylock(&reply->object.lock, &rf)) {
			port_unlock(dest, df);
			return SLOW("the reply port is busy");
		}
		port_make_sonce_locked(reply);
		port_unlock(reply, rf);
	}
	switch (dtype) {
	case MACH_MSG_TYPE_COPY_SEND:
		port_copy_send_locked(dest);
		break;
	case MACH_MSG_TYPE_MAKE_SEND:
		port_make_send_locked(dest);
		break;
	default:
		/* The right leaves its name, taking the name's reference. */
		space_free_entry(space, dname, de);
		break;
	}
	k->hdr.bits = MACH_MSGH_BITS(copyin_type(dtype), copyin_type(rtype));
	k->hdr.remote = port_object(dest);
	k->hdr.local = reply != NULL ? port_object(reply) : IPC_OBJECT_NULL;
	*flags = df;
	return true;
}

bool ipc_fast_copyin(struct space *space, struct kmsg *k, unsigned long *flags)
{
	mach_msg_header_t *h = user_header(k);
	mach_msg_bits_t bits = h->msgh_bits;
	mach_msg_type_name_t dtype = MACH_MSGH_BITS_REMOTE(bits);
	mach_msg_type_name_t rtype = MACH_MSGH_BITS_LOCAL(bits);
	mach_port_name_t rname = h->msgh_local_port;
	unsigned long sf;

	if (k->hdr.size > IPC_FAST_MAX_SIZE)
		return SLOW("too large to gain anything");
	if (bits & ~MACH_MSGH_BITS_PORTS_MASK)
		return SLOW("body rights or out-of-line memory");
	if (rtype != MACH_MSG_TYPE_MAKE_SEND_ONCE &&
	    (rtype != 0 || rname != MACH_PORT_NULL))
		return SLOW("another reply disposition");
	sf = space_lock(space);
	if (!space->active || !take_rights(space, k, dtype, h->msgh_remote_port,
	                                   rtype, rname, flags)) {
		space_unlock(space, sf);
		return SLOW("see take_rights");
	}
	/* Hand over hand, as lookup_receiver: the space's lock goes first
	 * with the port's saved state; the port's, released last, restores
	 * the caller's. */
	space_unlock(space, *flags);
	*flags = sf;
	return true;
}
