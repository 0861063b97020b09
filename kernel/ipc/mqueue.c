/*
 * Message queues (ipc/mqueue.h): queueing a message on its destination
 * port, taking the next one off a port or a port set, and the blocking
 * on both sides.  Each port's queue is guarded by the port's lock; no
 * lock wider than one port (or one set, for its receivers) is taken on
 * the way, so sends to different ports never contend.
 *
 * A port set keeps no queue of its own: its receivers wait on the
 * set's wait queue and pick the oldest message among the members (by
 * arrival stamp), holding the set's lock, which orders them against
 * each other and against membership changes.  Senders hold only the
 * port's lock; a wake they send between a receiver's scan and its sleep
 * is caught by the wait queue's generation (waitq_wait_unless).
 */
#include "ipc/mqueue.h"
#include "ipc/mqueue_handover.h"

#include "ipc/kmsg.h"
#include "ipc/kmsg_kernel.h"
#include "ipc/port.h"
#include "ipc/pset.h"
#include "ipc/right.h"
#include "ipc/space.h"
#include "ipc/transit.h"
#include "kern/clock.h"
#include "kern/panic.h"
#include "kern/thread_block.h"

/* Arrival order of messages over every port, for port-set receives. */
static atomic_uint_fast64_t arrivals;

static inline struct port *mqueue_port(struct mqueue *mq)
{
	return container_of(mq, struct port, queue);
}

void mqueue_init(struct mqueue *mq)
{
	list_init(&mq->messages);
	mq->count = 0;
	mq->qlimit = MACH_PORT_QLIMIT_DEFAULT;
	mq->seqno = 0;
	waitq_init(&mq->receivers);
	waitq_init(&mq->senders);
}

void mqueue_wake_receivers(struct mqueue *mq, mach_msg_return_t result)
{
	waitq_wake_all(&mq->receivers, (int)result);
}

void mqueue_set_qlimit(struct mqueue *mq, mach_port_msgcount_t qlimit)
{
	mq->qlimit = qlimit;
	/* Let every blocked sender look again: each takes a free slot or
	 * blocks anew. */
	if (mq->count < qlimit)
		waitq_wake_all(&mq->senders, WAITQ_AWAKENED);
}

void mqueue_destroy_messages(struct mqueue *mq)
{
	struct port *port = mqueue_port(mq);
	struct list doomed;
	unsigned long f;

	list_init(&doomed);
	assert_unlocked(&port->object.lock);
	f = port_lock(port);
	assert(!port_active(port));
	while (!list_empty(&mq->messages)) {
		struct kmsg *k =
		    list_first_entry(&mq->messages, struct kmsg, link);

		list_remove(&k->link);
		list_push_back(&doomed, &k->link);
	}
	mq->count = 0;
	waitq_wake_all(&mq->senders, WAITQ_AWAKENED);
	waitq_wake_all(&mq->receivers, MACH_RCV_PORT_DIED);
	port_unlock(port, f);

	while (!list_empty(&doomed)) {
		struct kmsg *k = list_first_entry(&doomed, struct kmsg, link);

		list_remove(&k->link);
		kmsg_destroy(k);
	}
}

/* ---- sending ---- */

/* Destroy K, sent to a port that died: its destination right just goes. */
static void destroy_undeliverable(struct kmsg *k)
{
	kmsg_destroy(k);
}

mach_msg_return_t mqueue_send(struct kmsg *k, mach_msg_option_t option,
                              uint64_t deadline)
{
	struct port *port = port_from_object(k->hdr.remote);

	assert(IPC_OBJECT_VALID(k->hdr.remote) &&
	       k->hdr.remote->kind == IPC_OBJECT_PORT);
	assert_unlocked(&port->object.lock);
	return mqueue_send_locked(k, port_lock(port), option, deadline, NULL);
}

mach_msg_return_t mqueue_send_locked(struct kmsg *k, unsigned long f,
                                     mach_msg_option_t option,
                                     uint64_t deadline, struct handoff *next)
{
	struct port *port = port_from_object(k->hdr.remote);
	struct mqueue *mq = &port->queue;
	bool timed_out = false;

	assert_locked(&port->object.lock);
	if (next != NULL)
		next->thread = NULL;
	if (ipc_kobject_server != NULL && port_active(port) &&
	    port_is_kobject(port) && port->receiver == space_kernel) {
		/* A kernel object's port: its server handles the message
		 * now, in the sender's context (ipc/kmsg_kernel.h). */
		port_unlock(port, f);
		if (ipc_kobject_server(k))
			return MACH_MSG_SUCCESS;
		f = port_lock(port);
	}
	for (;;) {
		struct waiter w;
		int r;

		if (!port_active(port)) {
			/* As if it was queued, then destroyed with the port. */
			port_unlock(port, f);
			destroy_undeliverable(k);
			return MACH_MSG_SUCCESS;
		}
		if (mq->count < mq->qlimit || (option & MACH_SEND_ALWAYS) ||
		    MACH_MSGH_BITS_REMOTE(k->hdr.bits) ==
		        MACH_MSG_TYPE_PORT_SEND_ONCE)
			break;
		if (timed_out || ((option & MACH_SEND_TIMEOUT) &&
		                  clock_now_ns() >= deadline)) {
			port_unlock(port, f);
			return MACH_SEND_TIMED_OUT;
		}
		waiter_init(&w);
		r = waitq_wait(&mq->senders, &port->object.lock, f,
		               (option & MACH_SEND_TIMEOUT) ? deadline
		                                            : WAITQ_FOREVER,
		               &w);
		if (r == WAITQ_INTERRUPTED)
			return MACH_SEND_INTERRUPTED;
		f = port_lock(port);
		if (r == WAITQ_TIMED_OUT)
			timed_out = true; /* look once more, then give up */
	}

	if (k->hdr.bits & MACH_MSGH_BITS_CIRCULAR) {
		/* It would carry its own destination's receive right: it
		 * could never be received.  Destroy it (GNU Mach does). */
		port_unlock(port, f);
		kmsg_destroy(k);
		return MACH_MSG_SUCCESS;
	}
	mqueue_deliver_locked(port, k, next);
	port_unlock(port, f);
	return MACH_MSG_SUCCESS;
}

void mqueue_deliver_locked(struct port *port, struct kmsg *k,
                           struct handoff *next)
{
	struct mqueue *mq = &port->queue;
	struct mqueue_receiver *r;

	assert_locked(&port->object.lock);
	if (next != NULL)
		next->thread = NULL;
	/* A receiver already waiting on the port itself takes the message
	 * from our hands: no trip through the queue. */
	r = mqueue_first_receiver_lock(port, k);
	if (r != NULL) {
		mqueue_hand_over_locked(port, r, k, next);
		return;
	}
	k->stamp =
	    atomic_fetch_add_explicit(&arrivals, 1, memory_order_relaxed);
	list_push_back(&mq->messages, &k->link);
	mq->count++;
	if (port->pset != NULL)
		waitq_wake_one(&port->pset->receivers, WAITQ_AWAKENED);
	else if (waitq_has_waiters(&mq->receivers))
		waitq_wake_one(&mq->receivers, WAITQ_AWAKENED);
}

/*
 * Record the receive rights a kernel-built message carries as in
 * transit (ipc/transit.h), marking it circular if one would close a
 * cycle.  Without memory for a record, the right just goes unrecorded.
 */
static void kernel_message_transit(struct kmsg *k)
{
	void *body = kmsg_body(k);
	mach_msg_size_t off = 0, end = kmsg_body_size(k);
	struct port *dest = port_from_object(k->hdr.remote);

	while (off < end) {
		struct kmsg_item it;
		struct ipc_object **objs;

		off = kmsg_item_decode(body, off, &it);
		if (it.name != MACH_MSG_TYPE_PORT_RECEIVE)
			continue;
		objs = it.is_inline ? it.data : *(struct ipc_object ***)it.data;
		for (mach_msg_type_number_t i = 0;
		     objs != NULL && i < it.number; i++)
			if (IPC_OBJECT_VALID(objs[i]) &&
			    transit_enter(port_from_object(objs[i]), dest) ==
			        TRANSIT_CIRCULAR)
				k->hdr.bits |= MACH_MSGH_BITS_CIRCULAR;
	}
}

kern_return_t ipc_send_kernel(struct kmsg *k)
{
	struct ipc_object *dest = k->hdr.remote;

	mach_msg_type_name_t type = MACH_MSGH_BITS_REMOTE(k->hdr.bits);

	if (!IPC_OBJECT_VALID(dest) || dest->kind != IPC_OBJECT_PORT ||
	    (type != MACH_MSG_TYPE_PORT_SEND &&
	     type != MACH_MSG_TYPE_PORT_SEND_ONCE)) {
		kmsg_destroy(k);
		return MACH_SEND_INVALID_DEST;
	}
	if (k->hdr.bits & MACH_MSGH_BITS_COMPLEX)
		kernel_message_transit(k);
	return mqueue_send(k, MACH_SEND_ALWAYS, WAITQ_FOREVER);
}

/* ---- receiving ---- */

/*
 * Take the first message of PORT's queue if it fits MAX_SIZE.  When it
 * does not, wake another receiver of RECEIVERS (which may have room).
 * Locks: the port's lock held.
 */
static mach_msg_return_t take_first(struct port *port, struct waitq *receivers,
                                    mach_msg_size_t max_size, struct kmsg **out,
                                    mach_msg_size_t *size)
{
	struct mqueue *mq = &port->queue;
	struct kmsg *k = list_first_entry(&mq->messages, struct kmsg, link);

	if (k->hdr.size > max_size) {
		*size = k->hdr.size;
		waitq_wake_one(receivers, WAITQ_AWAKENED);
		return MACH_RCV_TOO_LARGE;
	}
	list_remove(&k->link);
	mq->count--;
	k->hdr.seqno = mq->seqno++;
	/* Both queues' waiters enqueue under the port's lock, which we
	 * hold: an empty one is sure to stay so (their generations are
	 * not used). */
	if (mq->count < mq->qlimit && waitq_has_waiters(&mq->senders))
		waitq_wake_one(&mq->senders, WAITQ_AWAKENED);
	*out = k;
	return MACH_MSG_SUCCESS;
}

void mqueue_dequeue_locked(struct port *port, struct kmsg *k)
{
	struct kmsg *first;
	mach_msg_size_t size;

	assert(k == list_first_entry(&port->queue.messages, struct kmsg, link));
	(void)take_first(port, &port->queue.receivers, MACH_MSG_SIZE_MAX,
	                 &first, &size);
}

/* Whether a receiver should stop waiting: DEADLINE passed or the last
 * wait timed out. */
static bool past(uint64_t deadline, bool timed_out)
{
	return timed_out ||
	       (deadline != WAITQ_FOREVER && clock_now_ns() >= deadline);
}

mach_msg_return_t mqueue_receive_port(struct port *port, unsigned long f,
                                      struct space *space,
                                      mach_msg_size_t max_size,
                                      uint64_t deadline, struct kmsg **out,
                                      mach_msg_size_t *size,
                                      struct handoff *next)
{
	struct mqueue *mq = &port->queue;
	bool timed_out = false;
	mach_msg_return_t mr;

	assert_locked(&port->object.lock);
	for (;;) {
		struct mqueue_receiver pr = {.space = space,
		                             .max_size = max_size};
		int r;

		if (!port_active(port) || port->receiver != space) {
			mr = MACH_RCV_PORT_DIED;
			break;
		}
		if (port->pset != NULL) {
			mr = MACH_RCV_PORT_CHANGED;
			break;
		}
		if (!list_empty(&mq->messages)) {
			mr = take_first(port, &mq->receivers, max_size, out,
			                size);
			break;
		}
		if (past(deadline, timed_out)) {
			mr = MACH_RCV_TIMED_OUT;
			break;
		}
		waiter_init(&pr.w);
		r = waitq_wait_handoff(&mq->receivers, &port->object.lock, f,
		                       deadline, &pr.w, next);
		next = NULL; /* consumed */
		if (mqueue_wait_ended(&pr, r, out, &mr))
			return mr;
		f = port_lock(port);
		if (r == WAITQ_TIMED_OUT)
			timed_out = true;
	}
	port_unlock(port, f);
	if (next != NULL)
		thread_handoff_cancel(next);
	return mr;
}

/*
 * The member of SET whose first message arrived first, or NULL.
 * Locks: the set's lock held (member queues' heads cannot change but by
 *   receivers of the set, which hold it too).
 */
static struct port *oldest_member(struct port_set *set)
{
	struct port *best = NULL;
	uint64_t best_stamp = UINT64_MAX;
	struct list *l;

	list_for_each(l, &set->members)
	{
		struct port *p = container_of(l, struct port, pset_link);
		unsigned long f = port_lock(p);

		if (!list_empty(&p->queue.messages)) {
			struct kmsg *k = list_first_entry(&p->queue.messages,
			                                  struct kmsg, link);

			if (k->stamp < best_stamp) {
				best_stamp = k->stamp;
				best = p;
			}
		}
		port_unlock(p, f);
	}
	return best;
}

mach_msg_return_t mqueue_receive_set(struct port_set *set, unsigned long f,
                                     mach_msg_size_t max_size,
                                     uint64_t deadline, struct kmsg **out,
                                     mach_msg_size_t *size)
{
	bool timed_out = false;
	mach_msg_return_t mr;

	assert_locked(&set->object.lock);
	for (;;) {
		struct waiter w;
		struct port *p;
		uint64_t gen;
		int r;

		if (!set->object.active) {
			mr = MACH_RCV_PORT_DIED;
			break;
		}
		/* Read before the scan: any send after it moves it on. */
		gen = waitq_generation(&set->receivers);
		p = oldest_member(set);
		if (p != NULL) {
			unsigned long pf = port_lock(p);

			mr =
			    take_first(p, &set->receivers, max_size, out, size);
			port_unlock(p, pf);
			break;
		}
		if (past(deadline, timed_out)) {
			mr = MACH_RCV_TIMED_OUT;
			break;
		}
		waiter_init(&w);
		r = waitq_wait_unless(&set->receivers, gen, &set->object.lock,
		                      f, deadline, &w);
		if (r == WAITQ_INTERRUPTED)
			return MACH_RCV_INTERRUPTED;
		if (r > 0)
			return (mach_msg_return_t)r; /* PORT_DIED */
		f = pset_lock(set);
		if (r == WAITQ_TIMED_OUT)
			timed_out = true;
	}
	pset_unlock(set, f);
	return mr;
}
