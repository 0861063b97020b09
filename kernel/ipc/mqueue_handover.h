/*
 * The hand-over of a message to a receiver waiting on a port itself,
 * inline: mqueue_deliver_locked's, and the fast path's (ipc/fastpath.c),
 * which does more between its two steps.  A header of its own because
 * it reads struct port (ipc/port.h includes mqueue.h).
 */
#ifndef IPC_MQUEUE_HANDOVER_H
#define IPC_MQUEUE_HANDOVER_H

#include "ipc/kmsg.h"
#include "ipc/mqueue.h"
#include "ipc/port.h"
#include "kern/compiler.h"

/* The waiter result of a receiver handed a message (not a mach_msg
 * return code: those are negative or above 0x1000). */
#define MQUEUE_HANDED 1

/*
 * mqueue_first_receiver_lock / mqueue_hand_over_locked: the hand-over
 * of mqueue_deliver_locked in two steps, for a sender with more to do
 * for the receiver it gives a message to (a body to write into its
 * buffer): the receiver that would get K, waiting on PORT itself, with
 * the receivers queue left locked so that it stays queued; then K given
 * to it (with NEXT, as mqueue_deliver_locked) and the queue unlocked.
 * NULL when mqueue_deliver_locked would queue K instead (nothing
 * locked then).  A caller that gives up unlocks with
 * mqueue_receivers_unlock.
 * Locks: PORT's lock held throughout, as mqueue_deliver_locked wants.
 */
static __always_inline struct mqueue_receiver *
mqueue_first_receiver_lock(struct port *port, struct kmsg *k)
{
	struct mqueue *mq = &port->queue;
	struct mqueue_receiver *r;
	struct waiter *w;

	assert_locked(&port->object.lock);
	if (port->pset != NULL || !list_empty(&mq->messages) ||
	    !waitq_has_waiters(&mq->receivers))
		return NULL;
	/* (The port's lock masks interrupts.) */
	waitq_lock_masked(&mq->receivers);
	w = waitq_first_locked(&mq->receivers);
	if (w != NULL) {
		/* It takes K if it receives for the port's receiving space
		 * and has room. */
		r = container_of(w, struct mqueue_receiver, w);
		if (r->space == port->receiver && k->hdr.size <= r->max_size)
			return r;
	}
	waitq_unlock_masked(&mq->receivers);
	return NULL;
}

static __always_inline void mqueue_hand_over_locked(struct port *port,
                                                    struct mqueue_receiver *r,
                                                    struct kmsg *k,
                                                    struct handoff *next)
{
	struct mqueue *mq = &port->queue;

	k->hdr.seqno = mq->seqno++;
	r->handed = k;
	waitq_wake_locked(&mq->receivers, &r->w, MQUEUE_HANDED, next);
	waitq_unlock_masked(&mq->receivers);
}

/* mqueue_receiver_enqueue (ipc/mqueue.h), inline for the fast path. */
static __always_inline void
mqueue_receiver_enqueue(struct port *port, struct space *space, uint64_t umsg,
                        mach_msg_size_t rcv_size, struct mqueue_receiver *r)
{
	assert_locked(&port->object.lock);
	waiter_init(&r->w);
	r->space = space;
	r->max_size = MACH_MSG_SIZE_MAX;
	r->handed = NULL;
	r->umsg = umsg;
	r->rcv_size = rcv_size;
	waitq_enqueue(&port->queue.receivers, &r->w);
}

static inline void mqueue_receivers_unlock(struct port *port)
{
	waitq_unlock_masked(&port->queue.receivers);
}

/*
 * Whether the wait of R, which returned WHY, ended the receive: with a
 * message handed over (*OUT), an interrupt or the port's death or move
 * (*MR).  Otherwise the receiver looks at the port again.
 */
static inline bool mqueue_wait_ended(struct mqueue_receiver *r, int why,
                                     struct kmsg **out, mach_msg_return_t *mr)
{
	if (why == MQUEUE_HANDED) {
		*out = r->handed;
		*mr = MACH_MSG_SUCCESS;
		return true;
	}
	if (why == WAITQ_INTERRUPTED) {
		*mr = MACH_RCV_INTERRUPTED;
		return true;
	}
	*mr = (mach_msg_return_t)why; /* PORT_DIED, PORT_CHANGED */
	return why > 0;
}

/* mqueue_receiver_wait (ipc/mqueue.h), inline for the fast path. */
static __always_inline mach_msg_return_t mqueue_receiver_wait(
    struct port *port, struct mqueue_receiver *r, struct handoff *next,
    struct kmsg **out, mach_msg_size_t *size)
{
	mach_msg_return_t mr;
	int why;

	why = waitq_block(&port->queue.receivers, &r->w, WAITQ_FOREVER, next);
	if (mqueue_wait_ended(r, why, out, &mr))
		return mr;
	return mqueue_receive_port(port, port_lock(port), r->space, r->max_size,
	                           WAITQ_FOREVER, out, size, NULL);
}

#endif
