/*
 * A port's message queue: the messages waiting to be received, the
 * queue limit, the sequence number, and the threads waiting to receive
 * from it or to send to it when it is full.  struct port (ipc/port.h)
 * embeds one; the message layer (msg.c) enqueues and dequeues.
 */
#ifndef IPC_MQUEUE_H
#define IPC_MQUEUE_H

#include <mach/message.h>
#include <mach/port.h>

#include "kern/list.h"
#include "kern/waitq.h"

struct kmsg;

/*
 * The queue of one port.
 * Owned by: the port embedding it.
 * Guarded by: the port's lock (port->object.lock) for everything but the
 *   two wait queues, which have their own locks (taken after the port's).
 */
struct mqueue {
	struct list messages;        /* struct kmsg, oldest first */
	mach_port_msgcount_t count;  /* messages on `messages` */
	mach_port_msgcount_t qlimit; /* senders block when count >= qlimit */
	mach_port_seqno_t seqno;     /* seqno of the next message received */
	struct waitq receivers;      /* threads receiving on this port itself */
	struct waitq senders;        /* threads waiting for count < qlimit */
};

/* mqueue_init: an empty queue with MACH_PORT_QLIMIT_DEFAULT, seqno 0. */
void mqueue_init(struct mqueue *mq);

/*
 * mqueue_destroy_messages: destroy every message queued on MQ (each
 * through kmsg_destroy, which releases the rights and memory it holds)
 * and wake its blocked senders (they see the dead port, destroy their
 * message and return MACH_MSG_SUCCESS, as on GNU Mach) and receivers
 * (MACH_RCV_PORT_DIED).  The right layer calls it when the port's
 * receive right is destroyed, after marking the port dead.  MQ must be
 * the queue embedded in a struct port.
 * Locks: the port's lock must NOT be held: destroying a message may
 *   release rights, which sends notifications (takes port locks).  The
 *   caller makes sure nothing can enqueue any more (the port is dead).
 */
void mqueue_destroy_messages(struct mqueue *mq);

/*
 * mqueue_wake_receivers: wake every thread receiving on MQ with RESULT
 * (a mach_msg_return_t: MACH_RCV_PORT_DIED when the receive right moves
 * away or dies, MACH_RCV_PORT_CHANGED when the port joins a port set).
 * Locks: the port's lock may be held.
 */
void mqueue_wake_receivers(struct mqueue *mq, mach_msg_return_t result);

/*
 * mqueue_set_qlimit: change the queue limit (mach_port_set_qlimit) and
 * wake the senders a larger limit lets through.
 * Locks: the port's lock held.
 */
void mqueue_set_qlimit(struct mqueue *mq, mach_port_msgcount_t qlimit);

/*
 * mqueue_send: queue K, a copied-in message whose hdr.remote is a port,
 * on that port, waking a receiver (of the port, or of its port set).
 * A full queue (count >= qlimit) blocks the sender until a receive
 * makes room, unless OPTION has MACH_SEND_ALWAYS or K travels on a
 * send-once right; with MACH_SEND_TIMEOUT it waits until DEADLINE
 * (clock_now_ns() time) at most.  A message for a dead port, or one
 * that would carry its destination's own receive right
 * (MACH_MSGH_BITS_CIRCULAR), is destroyed instead, successfully.  A
 * message for an active kernel-object port goes to the registered
 * kernel server (ipc_kobject_server, ipc/kmsg_kernel.h) instead of the
 * queue, unless the server declines it.
 * Locks: no IPC lock held.
 * Returns:
 *   MACH_MSG_SUCCESS       K was consumed.
 *   MACH_SEND_TIMED_OUT    the queue stayed full; the caller keeps K.
 *   MACH_SEND_INTERRUPTED  the wait was interrupted; the caller keeps K.
 */
mach_msg_return_t mqueue_send(struct kmsg *k, mach_msg_option_t option,
                              uint64_t deadline);

struct handoff;

/*
 * mqueue_send_locked: mqueue_send, entered with the destination port's
 * lock held (as FLAGS from spin_lock; released on return).  With NEXT,
 * a receiver handed the message directly is unblocked for a handoff:
 * NEXT->thread is then its thread, else NULL, and the caller must pass
 * NEXT on to waitq_wait_handoff, thread_block_handoff or
 * thread_handoff_cancel (kern/thread_block.h).
 */
mach_msg_return_t mqueue_send_locked(struct kmsg *k, unsigned long flags,
                                     mach_msg_option_t option,
                                     uint64_t deadline, struct handoff *next);

struct port;
struct port_set;
struct space;

/*
 * mqueue_receive_port / mqueue_receive_set: take the next message for
 * SPACE from PORT (whose receive right SPACE holds) or from the oldest
 * message of any member of SET, waiting until DEADLINE (WAITQ_FOREVER:
 * none) for one.  A message larger than MAX_SIZE stays queued and only
 * its size is returned (MACH_RCV_LARGE).  The message gets its seqno.
 * mqueue_receive_port's NEXT (or NULL) is a thread the caller unblocked
 * for a handoff: it runs in the caller's place while the caller waits,
 * or as thread_unblock would have made it if the caller does not wait
 * (consumed in every case).
 * Locks: entered with the port's (set's) lock held, as FLAGS from
 *   spin_lock; returns with it released.  The caller holds a reference
 *   on PORT (SET) for the wait.
 * Returns:
 *   MACH_MSG_SUCCESS       *OUT is the message.
 *   MACH_RCV_TOO_LARGE     *SIZE is the first message's size.
 *   MACH_RCV_TIMED_OUT     nothing came before DEADLINE.
 *   MACH_RCV_INTERRUPTED   the wait was interrupted (waiter_interrupt).
 *   MACH_RCV_PORT_DIED     the port died or its receive right left
 *                          SPACE (the set was destroyed).
 *   MACH_RCV_PORT_CHANGED  the port joined a port set.
 */
mach_msg_return_t mqueue_receive_port(struct port *port, unsigned long flags,
                                      struct space *space,
                                      mach_msg_size_t max_size,
                                      uint64_t deadline, struct kmsg **out,
                                      mach_msg_size_t *size,
                                      struct handoff *next);
mach_msg_return_t mqueue_receive_set(struct port_set *set, unsigned long flags,
                                     mach_msg_size_t max_size,
                                     uint64_t deadline, struct kmsg **out,
                                     mach_msg_size_t *size);

/*
 * A thread waiting in a receive on one port (not a set), as the port's
 * receivers queue holds it.
 * Owned by: the waiting thread (on its stack).
 * Guarded by: the port's lock and the receivers queue's lock (`handed`
 *   is set under both by the sender that hands it a message).
 */
struct mqueue_receiver {
	struct waiter w;
	struct space *space;      /* the receiving space */
	mach_msg_size_t max_size; /* the largest message it takes */
	struct kmsg *handed;      /* a message given to it directly */
	uint64_t umsg;            /* its user buffer, for a sender to write
	                             a body into (ipc/fastpath.c), or 0 */
	mach_msg_size_t rcv_size; /* that buffer's size */
};

/*
 * mqueue_deliver_locked: put K, a message for PORT that mqueue_send's
 * checks let through (PORT active, no kernel object, room on the queue
 * or a send-once destination, K not circular), where it goes: into the
 * hands of a receiver waiting on PORT itself that takes it (with NEXT,
 * unblocked for a handoff: see mqueue_send_locked), else on the queue,
 * waking a receiver of the port or of its set.
 * Locks: PORT's lock held (and still held on return).
 */
void mqueue_deliver_locked(struct port *port, struct kmsg *k,
                           struct handoff *next);

/*
 * mqueue_receiver_enqueue / mqueue_receiver_wait: mqueue_receive_port's
 * wait in two steps, for a caller that checked that PORT (whose receive
 * right SPACE holds, in no set) has no message, and has more to do under
 * its locks before it blocks: enqueue R as a receiver of PORT taking
 * any size (UMSG, RCV_SIZE: its buffer, for a body written straight in,
 * or 0); later, with no lock held, wait for a message as
 * mqueue_receive_port does (giving the CPU to NEXT meanwhile, if not
 * NULL; consumed), and go on receiving from PORT if the first wake was
 * not for R.
 * Locks: mqueue_receiver_enqueue, PORT's lock held; mqueue_receiver_wait,
 *   none.  The caller holds a reference on PORT until the wait is over.
 * Returns (mqueue_receiver_wait): as mqueue_receive_port, with no
 *   deadline.
 */
/* (Both inline, for the fast path: ipc/mqueue_handover.h.) */

/*
 * mqueue_dequeue_locked: take K, the first message queued on PORT, off
 * the queue as a receive does (its seqno, a blocked sender let in).
 * Locks: PORT's lock held.
 */
void mqueue_dequeue_locked(struct port *port, struct kmsg *k);

/* Queries for mach_port_get_receive_status.  Locks: the port's lock. */
static inline mach_port_msgcount_t mqueue_count(const struct mqueue *mq)
{
	return mq->count;
}

#endif
