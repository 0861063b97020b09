/*
 * mach_msg (ipc/msg.h): the order of GNU Mach's mach_msg_trap.  Send:
 * get the bytes, copy the rights in, queue (blocking on a full queue);
 * a send that fails after copyin hands the message back (copyout
 * pseudo).  Receive: find the port or set, take a message (blocking),
 * check its size, copy the rights out, put the bytes.
 */
#include "ipc/msg.h"

#include "ipc/copyin.h"
#include "ipc/copyout.h"
#include "ipc/fastpath.h"
#include "ipc/kmsg.h"
#include "ipc/mqueue.h"
#include "ipc/port.h"
#include "ipc/pset.h"
#include "ipc/space.h"
#include "kern/clock.h"
#include "kern/thread_block.h"
#include "kern/waitq.h"
#include "machine/copyio.h"

#define NS_PER_MS 1000000ULL

static uint64_t deadline_after(mach_msg_timeout_t ms)
{
	return clock_now_ns() + (uint64_t)ms * NS_PER_MS;
}

/*
 * The send half for K, the message kmsg_get copied in from UMSG, handing
 * the CPU on to a receiver given the message when NEXT is not NULL (see
 * mqueue_send_locked: the caller must pass NEXT on).
 */
/*
 * Send K, in kernel form with its destination port locked (F), handing
 * the CPU on to a receiver given the message when NEXT is not NULL (see
 * mqueue_send_locked: the caller must pass NEXT on); a message the queue
 * does not take goes back to the sender's buffer UMSG.
 */
static mach_msg_return_t send_copied(struct space *space, void *umsg,
                                     struct kmsg *k, unsigned long f,
                                     mach_msg_option_t option,
                                     mach_msg_timeout_t timeout,
                                     struct handoff *next)
{
	uint64_t deadline = (option & MACH_SEND_TIMEOUT)
	                        ? deadline_after(timeout)
	                        : WAITQ_FOREVER;
	mach_msg_return_t mr;

	/* A user's MACH_SEND_ALWAYS is the kernel's own: ignored. */
	mr = mqueue_send_locked(k, f, option & MACH_SEND_TIMEOUT, deadline,
	                        next);
	if (mr != MACH_MSG_SUCCESS) {
		/* Still ours: give it back to the sender. */
		mr |= kmsg_copyout_pseudo(k, space);
		(void)kmsg_put(umsg, k, k->hdr.size);
	}
	return mr;
}

/* The send half for K, the message kmsg_get copied in from UMSG (NEXT as
 * send_copied's). */
static mach_msg_return_t send_kmsg(struct space *space, void *umsg,
                                   struct kmsg *k, mach_msg_option_t option,
                                   mach_msg_timeout_t timeout,
                                   mach_port_name_t notify,
                                   struct handoff *next)
{
	unsigned long f;
	mach_msg_return_t mr;

	if ((option & MACH_SEND_CANCEL) || !ipc_fast_copyin(space, k, &f)) {
		if (option & MACH_SEND_CANCEL)
			mr = notify == MACH_PORT_NULL
			         ? MACH_SEND_INVALID_NOTIFY
			         : kmsg_copyin(k, space, notify);
		else
			mr = kmsg_copyin(k, space, MACH_PORT_NULL);
		if (mr != MACH_MSG_SUCCESS) {
			kmsg_free(k);
			return mr;
		}
		f = port_lock(port_from_object(k->hdr.remote));
	} else if (k->hdr.bits & MACH_MSGH_BITS_COMPLEX) {
		/* The header's rights were the fast path's; the body's are
		 * the general copyin's. */
		mr = kmsg_copyin_body(k, space);
		if (mr != MACH_MSG_SUCCESS) {
			kmsg_free(k);
			return mr;
		}
		f = port_lock(port_from_object(k->hdr.remote));
	}
	return send_copied(space, umsg, k, f, option, timeout, next);
}

mach_msg_return_t ipc_msg_send(struct space *space, uint64_t msg,
                               mach_msg_option_t option,
                               mach_msg_size_t send_size,
                               mach_msg_timeout_t timeout,
                               mach_port_name_t notify)
{
	void *umsg = (void *)(uintptr_t)msg;
	struct kmsg *k;
	mach_msg_return_t mr;

	mr = kmsg_get(umsg, send_size, &k);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	return send_kmsg(space, umsg, k, option, timeout, notify, NULL);
}

/*
 * Find what RCV_NAME names in SPACE for receiving: a port whose receive
 * right SPACE holds and which is in no set, or a port set.  On success
 * the object is referenced and locked (*FLAGS).
 */
static mach_msg_return_t lookup_receiver(struct space *space,
                                         mach_port_name_t rcv_name,
                                         struct ipc_object **out,
                                         unsigned long *flags)
{
	struct space_entry *e;
	struct ipc_object *o = NULL;
	unsigned long f = space_lock(space), of;

	e = space->active ? space_lookup(space, rcv_name) : NULL;
	if (e != NULL && (e->type & MACH_PORT_TYPE_RECEIVE)) {
		struct port *port = port_from_object(e->object);

		of = port_lock(port);
		if (port->pset != NULL) {
			port_unlock(port, of);
			space_unlock(space, f);
			return MACH_RCV_IN_SET;
		}
		port_ref(port);
		o = e->object;
	} else if (e != NULL && (e->type & MACH_PORT_TYPE_PORT_SET)) {
		struct port_set *set = pset_from_object(e->object);

		of = pset_lock(set);
		pset_ref(set);
		o = e->object;
	} else {
		space_unlock(space, f);
		return MACH_RCV_INVALID_NAME;
	}
	/* Hand over hand: the space's lock goes first, so it takes the
	 * object lock's saved state (interrupts masked) and the object's
	 * lock, released last, restores the caller's. */
	space_unlock(space, of);
	*flags = f;
	*out = o;
	return MACH_MSG_SUCCESS;
}

/* Drop the reference lookup_receiver took. */
static void release_receiver(struct ipc_object *o)
{
	if (o->kind == IPC_OBJECT_PORT)
		port_release(port_from_object(o));
	else
		pset_release(pset_from_object(o));
}

/* The receive half; NEXT (or NULL) runs in the caller's place while it
 * waits (mqueue_receive_port), and is consumed in every case. */
static mach_msg_return_t receive(struct space *space, uint64_t msg,
                                 mach_msg_option_t option,
                                 mach_msg_size_t rcv_size,
                                 mach_port_name_t rcv_name,
                                 mach_msg_timeout_t timeout,
                                 mach_port_name_t notify, struct handoff *next)
{
	void *umsg = (void *)(uintptr_t)msg;
	mach_msg_size_t max_size, size = 0;
	struct ipc_object *o;
	unsigned long f;
	uint64_t deadline;
	struct kmsg *k = NULL;
	mach_msg_return_t mr;

	if (!(option & (MACH_RCV_LARGE | MACH_RCV_NOTIFY)) &&
	    ipc_fast_receive_queued(space, umsg, rcv_size, rcv_name, &mr)) {
		/* A message was there: no wait, nobody to run instead. */
		if (next != NULL)
			thread_handoff_cancel(next);
		return mr;
	}
	mr = lookup_receiver(space, rcv_name, &o, &f);
	if (mr != MACH_MSG_SUCCESS) {
		if (next != NULL)
			thread_handoff_cancel(next);
		return mr;
	}
	deadline = (option & MACH_RCV_TIMEOUT) ? deadline_after(timeout)
	                                       : WAITQ_FOREVER;
	max_size = (option & MACH_RCV_LARGE) ? rcv_size : MACH_MSG_SIZE_MAX;
	if (o->kind == IPC_OBJECT_PORT) {
		mr = mqueue_receive_port(port_from_object(o), f, space,
		                         max_size, deadline, &k, &size, next);
	} else {
		if (next != NULL)
			thread_handoff_cancel(next);
		mr = mqueue_receive_set(pset_from_object(o), f, max_size,
		                        deadline, &k, &size);
	}
	release_receiver(o);
	return ipc_msg_deliver(space, umsg, option, rcv_size, notify, mr, k,
	                       size);
}

mach_msg_return_t ipc_msg_deliver(struct space *space, void *umsg,
                                  mach_msg_option_t option,
                                  mach_msg_size_t rcv_size,
                                  mach_port_name_t notify, mach_msg_return_t mr,
                                  struct kmsg *k, mach_msg_size_t size)
{
	if (mr == MACH_RCV_TOO_LARGE) {
		/* MACH_RCV_LARGE: the message stays; say how large it is. */
		(void)copyout(&size,
		              (char *)umsg +
		                  offsetof(mach_msg_header_t, msgh_size),
		              sizeof(size));
		return mr;
	}
	if (mr != MACH_MSG_SUCCESS)
		return mr;

	if (k->hdr.size > rcv_size) {
		/* Without MACH_RCV_LARGE: destroyed, the header tells. */
		kmsg_copyout_dest(k, space);
		(void)kmsg_put(umsg, k, sizeof(mach_msg_header_t));
		return MACH_RCV_TOO_LARGE;
	}
	if (option & MACH_RCV_NOTIFY)
		mr = notify == MACH_PORT_NULL ? MACH_RCV_INVALID_NOTIFY
		                              : kmsg_copyout(k, space, notify);
	else
		mr = kmsg_copyout(k, space, MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS) {
		if ((mr & ~MACH_MSG_MASK) == MACH_RCV_BODY_ERROR) {
			(void)kmsg_put(umsg, k, k->hdr.size);
		} else {
			kmsg_copyout_dest(k, space);
			(void)kmsg_put(umsg, k, sizeof(mach_msg_header_t));
		}
		return mr;
	}
	return kmsg_put(umsg, k, k->hdr.size);
}

mach_msg_return_t
ipc_msg_receive(struct space *space, uint64_t msg, mach_msg_option_t option,
                mach_msg_size_t rcv_size, mach_port_name_t rcv_name,
                mach_msg_timeout_t timeout, mach_port_name_t notify)
{
	return receive(space, msg, option, rcv_size, rcv_name, timeout, notify,
	               NULL);
}

mach_msg_return_t
ipc_mach_msg_general(struct space *space, uint64_t msg,
                     mach_msg_option_t option, mach_msg_size_t send_size,
                     mach_msg_size_t rcv_size, mach_port_name_t rcv_name,
                     mach_msg_timeout_t timeout, mach_port_name_t notify)
{
	void *umsg = (void *)(uintptr_t)msg;
	struct handoff next;
	struct kmsg *k;
	mach_msg_return_t mr;

	if (option == (MACH_SEND_MSG | MACH_RCV_MSG))
		return ipc_mach_msg(space, msg, option, send_size, rcv_size,
		                    rcv_name, timeout, notify);
	if (!(option & MACH_SEND_MSG))
		return (option & MACH_RCV_MSG)
		           ? receive(space, msg, option, rcv_size, rcv_name,
		                     timeout, notify, NULL)
		           : MACH_MSG_SUCCESS;
	mr = kmsg_get(umsg, send_size, &k);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	if (!(option & MACH_RCV_MSG))
		return send_kmsg(space, umsg, k, option, timeout, notify, NULL);
	/* A receiver handed the message runs while we wait for ours. */
	mr = send_kmsg(space, umsg, k, option, timeout, notify, &next);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	return receive(space, msg, option, rcv_size, rcv_name, timeout, notify,
	               &next);
}

mach_msg_return_t ipc_mach_msg_rpc_again(struct space *space, uint64_t msg,
                                         mach_msg_size_t send_size,
                                         mach_msg_size_t rcv_size,
                                         mach_port_name_t rcv_name,
                                         mach_msg_return_t mr)
{
	if (intr_enabled())
		return mr;
	intr_enable();
	return ipc_mach_msg_general(space, msg, MACH_SEND_MSG | MACH_RCV_MSG,
	                            send_size, rcv_size, rcv_name, 0,
	                            MACH_PORT_NULL);
}

mach_msg_return_t ipc_mach_msg_rpc_rest(struct space *space, uint64_t msg,
                                        mach_msg_size_t rcv_size,
                                        mach_port_name_t rcv_name,
                                        struct kmsg *k, enum ipc_fast how,
                                        unsigned long f)
{
	const mach_msg_option_t option = MACH_SEND_MSG | MACH_RCV_MSG;
	void *umsg = (void *)(uintptr_t)msg;
	mach_msg_size_t send_size = k->hdr.size;
	struct handoff next;
	mach_msg_return_t mr;

	/* No timeout and no notify name count with this option. */
	if (how == IPC_FAST_COPIED) {
		mr = send_copied(space, umsg, k, f, option, 0, &next);
	} else {
		intr_enable(); /* mach_msg_trap may have come masked */
		if (k->flags & KMSG_BODY_IN_SENDER) {
			/* Not the fast path's after all: read it whole. */
			kmsg_free(k);
			mr = kmsg_get(umsg, send_size, &k);
			if (mr != MACH_MSG_SUCCESS)
				return mr;
		}
		mr =
		    send_kmsg(space, umsg, k, option, 0, MACH_PORT_NULL, &next);
	}
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	return receive(space, msg, option, rcv_size, rcv_name, 0,
	               MACH_PORT_NULL, &next);
}
