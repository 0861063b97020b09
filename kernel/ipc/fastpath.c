/*
 * The IPC fast path (ipc/fastpath.h).
 *
 * ipc_fast_rpc is the whole combined send and receive of an RPC's two
 * sides in one function: under one hold of the sender's space lock and
 * the two ports' locks it checks everything, takes the header's rights,
 * hands the message to the receiver already waiting, and queues the
 * caller as a receiver of its own port; then it gives the receiver its
 * CPU and, woken with the answer in its hands, copies that out.  Every
 * guard exits to the general path before anything changed, so a message
 * refused here is treated exactly as if the fast path did not exist.
 *
 * ipc_fast_copyin is its send half alone, for the general send: the
 * header's rights in one pass instead of kmsg_copyin's three.
 */
#include "ipc/fastpath.h"

#include "ipc/copyin.h"
#include "ipc/copyout.h"
#include "ipc/kmsg.h"
#include "ipc/kmsg_kernel.h"
#include "ipc/mqueue.h"
#include "ipc/mqueue_handover.h"
#include "ipc/msg.h"
#include "ipc/port.h"
#include "ipc/right.h"
#include "ipc/space.h"
#include "kern/thread_block.h"

/* A guard failed: leave the message to the general path. */
#define SLOW(why) false

/* A guard failed with SPACE, and DEST unless NULL, locked under the
 * interrupt state F: unlock and leave to the general path. */
static __attribute__((cold)) bool
unlock_slow(struct space *space, struct port *dest, unsigned long f)
{
	if (dest != NULL)
		spin_unlock_masked(&dest->object.lock);
	spin_unlock_masked(&space->lock);
	intr_restore(f);
	return false;
}

/*
 * Whether ENTRY gives the destination right DTYPE: a send right copied
 * or made, or a send-once right moved (one with no dead-name request,
 * whose cancelling would need a notification).
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

/* Whether K's bits are a shape the fast path takes: two dispositions
 * only, the reply made from a receive right or absent; with BODY_OK, a
 * body with rights or out-of-line memory too (its header only is the
 * fast path's). */
static bool header_ok(struct kmsg *k, bool body_ok)
{
	mach_msg_header_t *h = kmsg_user_header(k);
	mach_msg_bits_t bits = h->msgh_bits;
	mach_msg_type_name_t rtype = MACH_MSGH_BITS_LOCAL(bits);
	mach_msg_bits_t other =
	    MACH_MSGH_BITS_PORTS_MASK | (body_ok ? MACH_MSGH_BITS_COMPLEX : 0);

	if (k->hdr.size > IPC_FAST_MAX_SIZE && !body_ok)
		return SLOW("too large to gain anything");
	if (bits & ~other)
		return SLOW("body rights or out-of-line memory");
	if (rtype != MACH_MSG_TYPE_MAKE_SEND_ONCE &&
	    (rtype != 0 || h->msgh_local_port != MACH_PORT_NULL))
		return SLOW("another reply disposition");
	return true;
}

/*
 * Take the destination right DTYPE of ENTRY (DNAME's, the port DEST)
 * and, with REPLY, a send-once right made of it, into K's header.
 * Locks: the space, DEST and REPLY locked; both ports active.
 */
static __always_inline void take_rights(struct space *space, struct kmsg *k,
                                        mach_port_name_t dname,
                                        struct space_entry *entry,
                                        struct port *dest, struct port *reply)
{
	mach_msg_type_name_t dtype = MACH_MSGH_BITS_REMOTE(k->hdr.bits);

	switch (dtype) {
	case MACH_MSG_TYPE_COPY_SEND:
		port_copy_send_locked(dest);
		break;
	case MACH_MSG_TYPE_MAKE_SEND:
		port_make_send_locked(dest);
		break;
	default:
		/* The right leaves its name, taking the name's reference. */
		space_free_entry(space, dname, entry);
		break;
	}
	if (reply != NULL)
		port_make_sonce_locked(reply);
	k->hdr.bits =
	    (k->hdr.bits & MACH_MSGH_BITS_COMPLEX) |
	    MACH_MSGH_BITS(copyin_type(dtype),
	                   reply != NULL ? MACH_MSG_TYPE_PORT_SEND_ONCE : 0);
	k->hdr.remote = port_object(dest);
	k->hdr.local = reply != NULL ? port_object(reply) : IPC_OBJECT_NULL;
}

/*
 * The entry and port of K's destination, looked up for its disposition,
 * and of its reply (NULL when none).
 * Locks: SPACE locked and active.
 */
static __always_inline bool lookup_rights(struct space *space, struct kmsg *k,
                                          struct space_entry **de,
                                          struct port **dest,
                                          struct port **reply)
{
	mach_msg_header_t *h = kmsg_user_header(k);
	mach_msg_type_name_t dtype = MACH_MSGH_BITS_REMOTE(h->msgh_bits);
	struct space_entry *re;

	*de = space_lookup(space, h->msgh_remote_port);
	if (*de == NULL || !dest_ok(*de, dtype))
		return SLOW("no such name, or not the right for it");
	*dest = port_from_object((*de)->object);
	*reply = NULL;
	if (MACH_MSGH_BITS_LOCAL(h->msgh_bits) == 0)
		return true;
	if (h->msgh_remote_port == h->msgh_local_port)
		return SLOW("one name gives both rights");
	re = space_lookup(space, h->msgh_local_port);
	if (re == NULL || !(re->type & MACH_PORT_TYPE_RECEIVE))
		return SLOW("no receive right to make the reply of");
	*reply = port_from_object(re->object);
	if (*reply == *dest)
		return SLOW("a send-once right to the reply port");
	return true;
}

/*
 * Mask interrupts (*F: the state to restore), lock SPACE, look K's
 * rights up (lookup_rights) and lock the live destination port.
 * Locks: none on entry; on success SPACE and *DEST locked, on failure
 *   nothing (and the general path has it all).
 */
static __always_inline bool lock_rights(struct space *space, struct kmsg *k,
                                        struct space_entry **de,
                                        struct port **dest, struct port **reply,
                                        unsigned long *f)
{
	*f = intr_save();
	spin_lock_masked(&space->lock);
	if (!space->active || !lookup_rights(space, k, de, dest, reply))
		return unlock_slow(space, NULL, *f);
	spin_lock_masked(&(*dest)->object.lock);
	if (!port_active(*dest)) /* SLOW: the general path sees a dead name */
		return unlock_slow(space, *dest, *f);
	return true;
}

bool ipc_fast_copyin(struct space *space, struct kmsg *k, unsigned long *flags)
{
	mach_port_name_t dname = kmsg_user_header(k)->msgh_remote_port;
	struct space_entry *de = NULL;
	struct port *dest = NULL, *reply = NULL;
	unsigned long f;

	if (!header_ok(k, true) ||
	    !lock_rights(space, k, &de, &dest, &reply, &f))
		return false;
	/* Two port locks: try the second, never wait for it. */
	if (reply != NULL && !spin_trylock_masked(&reply->object.lock))
		return unlock_slow(space, dest, f); /* SLOW: reply port busy */
	take_rights(space, k, dname, de, dest, reply);
	if (reply != NULL)
		spin_unlock_masked(&reply->object.lock);
	spin_unlock_masked(&space->lock);
	if (k->hdr.bits & MACH_MSGH_BITS_COMPLEX) {
		/* The body's copyin takes space and port locks. */
		spin_unlock_masked(&dest->object.lock);
		intr_restore(f);
		return true;
	}
	*flags = f;
	return true;
}

/*
 * Whether a message for DEST can go straight into the hands of a
 * receiver waiting there, as mqueue_send would see it: a live ordinary
 * port whose receive right a task holds, in no set, with nothing queued
 * and room for one more (a send-once right needs none).
 * Locks: DEST locked.
 */
static bool receiver_waits(struct port *dest, struct kmsg *k)
{
	struct mqueue *mq = &dest->queue;

	if (!port_active(dest) || port_is_kobject(dest) ||
	    dest->receiver == NULL || dest->receiver == space_kernel)
		return SLOW("dead, a kernel object's, or its right in transit");
	if (dest->pset != NULL)
		return SLOW("a port set's member: its receivers wait there");
	if (!list_empty(&mq->messages) || !waitq_has_waiters(&mq->receivers))
		return SLOW("messages queued, or no receiver waiting");
	if (mq->count >= mq->qlimit &&
	    MACH_MSGH_BITS_REMOTE(kmsg_user_header(k)->msgh_bits) !=
	        MACH_MSG_TYPE_MOVE_SEND_ONCE)
		return SLOW("a full queue: the sender waits");
	return true;
}

/*
 * The receiver waiting on DEST that K goes to, its receivers queue left
 * locked (mqueue_first_receiver_lock), once K's body has been written
 * from UMSG, SPACE's buffer, straight into that receiver's (K's header
 * alone was copied in: KMSG_BODY_IN_SENDER).  NULL, with nothing locked
 * and nothing written, when that receiver gave no buffer (it waits
 * elsewhere than in ipc_fast_rpc) or too small a one, or a page is
 * missing or protected on either side.
 * Locks: SPACE and DEST locked.
 */
static struct mqueue_receiver *body_to_receiver(struct space *space,
                                                struct port *dest,
                                                struct kmsg *k, void *umsg)
{
	const mach_msg_size_t head = sizeof(mach_msg_header_t);
	struct mqueue_receiver *r = mqueue_first_receiver_lock(dest, k);
	struct space *to;

	if (r == NULL)
		return NULL; /* SLOW: nobody takes it at once after all */
	to = r->space;
	if (r->umsg == 0 || k->hdr.size > r->rcv_size ||
	    to->vm_ops != space->vm_ops || to->vm_ops == NULL ||
	    to->vm_ops->copy_direct == NULL ||
	    !to->vm_ops->copy_direct(to->vm_ctx, r->umsg + head, space->vm_ctx,
	                             (uint64_t)(uintptr_t)umsg + head,
	                             k->hdr.size - head)) {
		mqueue_receivers_unlock(dest);
		return NULL; /* SLOW: no buffer, too small, or not mapped */
	}
	k->flags = (k->flags & ~KMSG_BODY_IN_SENDER) | KMSG_BODY_DELIVERED;
	return r;
}

/*
 * Whether the caller can wait on PORT, the port it receives from, at
 * once: its receive right in SPACE, in no set, no message queued.
 * Locks: PORT locked.
 */
static bool caller_waits(struct port *port, struct space *space)
{
	if (!port_active(port) || port->receiver != space || port->pset != NULL)
		return SLOW("in a set: the general receive says so");
	if (!list_empty(&port->queue.messages))
		return SLOW("a message to take at once");
	return true;
}

/*
 * Copy the header of K, received in SPACE from its destination port,
 * out in place: the reply right gets a new send-once name, the
 * destination right is used up and its receive right's name shown.
 * Only the plain case: a message to a live port whose receive right
 * SPACE holds, a live reply port (or none), no protected payload, no
 * no-senders notification due; otherwise nothing is done (kmsg_copyout
 * does it).  A body is left to kmsg_copyout_body (deliver_put).
 * Locks: K's destination port locked, interrupts masked; SPACE locked
 *   and active too when K carries a reply right (a new name): without
 *   one, the port's lock alone guards what this reads and writes.
 *   HELD, if not NULL, is a port the caller has locked (the reply port
 *   may be it).
 */
static __always_inline bool
copyout_header_locked(struct space *space, struct kmsg *k, struct port *held)
{
	mach_msg_bits_t bits = k->hdr.bits;
	mach_msg_type_name_t dtype = MACH_MSGH_BITS_REMOTE(bits);
	mach_msg_type_name_t rtype = MACH_MSGH_BITS_LOCAL(bits);
	struct port *dest = port_from_object(k->hdr.remote), *reply = NULL;
	mach_msg_header_t *h = kmsg_user_header(k);
	mach_port_name_t rname = MACH_PORT_NULL;
	struct space_entry *e;

	if (bits & ~(MACH_MSGH_BITS_PORTS_MASK | MACH_MSGH_BITS_COMPLEX))
		return SLOW("other bits");
	if (dtype != MACH_MSG_TYPE_PORT_SEND &&
	    dtype != MACH_MSG_TYPE_PORT_SEND_ONCE)
		return SLOW("no such destination right");
	if (rtype == MACH_MSG_TYPE_PORT_SEND_ONCE &&
	    IPC_OBJECT_VALID(k->hdr.local))
		reply = port_from_object(k->hdr.local);
	else if (rtype != 0 || k->hdr.local != IPC_OBJECT_NULL)
		return SLOW("another reply right");
	if (reply == dest)
		return SLOW("a send-once right to the port received from");
	if (!port_active(dest) || dest->receiver != space ||
	    dest->has_payload ||
	    (dtype == MACH_MSG_TYPE_PORT_SEND && dest->srights == 1 &&
	     dest->nsrequest != NULL))
		return SLOW("moved, dead, a payload or a notification due");
	if (reply != NULL) {
		bool lock = reply != held;

		if (lock && !spin_trylock_masked(&reply->object.lock))
			return SLOW("the reply port is busy");
		if (!port_active(reply) ||
		    space_alloc_entry(space, &rname, &e) != KERN_SUCCESS) {
			if (lock)
				spin_unlock_masked(&reply->object.lock);
			return SLOW("a dead name, or no name left");
		}
		right_entry_fill(space, rname, e, reply,
		                 MACH_MSG_TYPE_PORT_SEND_ONCE);
		if (lock)
			spin_unlock_masked(&reply->object.lock);
	}
	if (dtype == MACH_MSG_TYPE_PORT_SEND)
		dest->srights--;
	else
		dest->sorights--;
	port_unref_nonlast(dest); /* the receive right keeps the port */
	h->msgh_bits =
	    (bits & MACH_MSGH_BITS_COMPLEX) | MACH_MSGH_BITS(rtype, dtype);
	h->msgh_remote_port_do_not_use = rname;
	h->msgh_protected_payload = dest->receiver_name;
	return true;
}

/*
 * Copy K's header out for R, the receiver it is being handed to, as R
 * would on waking (copyout_header_locked): now, under DEST's lock that
 * we hold, instead of under R's second hold of it.  Only for a receiver
 * waiting in ipc_fast_rpc (it then skips its own copyout) with room for
 * K, and when R's space is free to lock if a name must be made in it;
 * otherwise R does it, as before.
 * Locks: K's destination port and HELD (our own port) locked,
 *   interrupts masked.
 */
static void copyout_for_receiver(struct mqueue_receiver *r, struct kmsg *k,
                                 struct port *held)
{
	struct space *to = r->space;
	bool names = MACH_MSGH_BITS_LOCAL(k->hdr.bits) != 0;

	if (r->umsg == 0 || k->hdr.size > r->rcv_size)
		return; /* SLOW: R copies out (or says too large) itself */
	/* Against the lock order (ports before spaces): only try. */
	if (names && !spin_trylock_masked(&to->lock))
		return; /* SLOW: R copies out itself */
	/* (Without the space's lock: a dying space goes inactive first.) */
	if (__atomic_load_n(&to->active, __ATOMIC_RELAXED) &&
	    copyout_header_locked(to, k, held))
		k->flags |= KMSG_HEADER_OUT;
	if (names)
		spin_unlock_masked(&to->lock);
}

/* The rest of a receive into UMSG once K's header is copied out: the
 * body's rights and memory (kmsg_copyout_body), then the bytes; the
 * general receive's answer (a body error still delivers). */
static mach_msg_return_t deliver_put(struct space *space, void *umsg,
                                     struct kmsg *k)
{
	mach_msg_return_t mr = MACH_MSG_SUCCESS, put;

	if (k->hdr.bits & MACH_MSGH_BITS_COMPLEX) {
		intr_enable(); /* out-of-line memory may wait for pages */
		mr = kmsg_copyout_body(k, space);
	}
	put = kmsg_put(umsg, k, k->hdr.size);
	return mr != MACH_MSG_SUCCESS ? mr : put;
}

/*
 * The continuation of a receiver waiting in ipc_fast_rpc that was
 * handed K with its header out (KMSG_HEADER_OUT): what its frames would
 * do once awake, the wait's port reference dropped and K put in its
 * buffer, run instead by the switch that resumes it.  R: K, the
 * receiver's space, its buffer and the port it waited on.
 */
static uint64_t fast_rpc_resume(const struct thread_resume *r)
{
	port_release(r->arg[3]); /* the wait's reference */
	return deliver_put(r->arg[1], r->arg[2], r->arg[0]);
}

/* Give R, waiting on PORT and about to be handed K whose header is out,
 * fast_rpc_resume as its continuation.  Locks: as
 * mqueue_hand_over_locked. */
static void resume_by_continuation(struct mqueue_receiver *r, struct kmsg *k,
                                   struct port *port)
{
	thread_resume_set(r->w.thread, fast_rpc_resume, k, r->space,
	                  (void *)(uintptr_t)r->umsg, port);
}

/*
 * copyout_header_locked, taking the locks.  With UNQUEUED, K did not go
 * through its port's queue (a kernel server's reply given back): it is
 * received only if it comes ahead of nothing (no message queued, no
 * other receiver waiting, K's port still SPACE's and in no set), and
 * takes the seqno the queue would have given it.
 */
static __always_inline bool fast_copyout(struct space *space, struct kmsg *k,
                                         bool unqueued)
{
	struct port *dest = port_from_object(k->hdr.remote);
	unsigned long f = intr_save();
	bool done = false;

	spin_lock_masked(&space->lock);
	if (space->active) {
		spin_lock_masked(&dest->object.lock);
		done = (!unqueued ||
		        (caller_waits(dest, space) &&
		         !waitq_has_waiters(&dest->queue.receivers))) &&
		       copyout_header_locked(space, k, NULL);
		if (done && unqueued)
			k->hdr.seqno = dest->queue.seqno++;
		spin_unlock_masked(&dest->object.lock);
	}
	spin_unlock_masked(&space->lock);
	intr_restore(f);
	return done;
}

bool ipc_fast_receive_queued(struct space *space, void *umsg,
                             mach_msg_size_t rcv_size,
                             mach_port_name_t rcv_name,
                             mach_msg_return_t *result)
{
	struct space_entry *e;
	struct port *port;
	struct kmsg *k;
	unsigned long f = intr_save();
	bool done = false;

	spin_lock_masked(&space->lock);
	e = space->active ? space_lookup(space, rcv_name) : NULL;
	if (e == NULL || !(e->type & MACH_PORT_TYPE_RECEIVE))
		return unlock_slow(space, NULL, f); /* the receive's error */
	port = port_from_object(e->object);
	spin_lock_masked(&port->object.lock);
	if (port->pset == NULL && !list_empty(&port->queue.messages)) {
		k = list_first_entry(&port->queue.messages, struct kmsg, link);
		done = k->hdr.size <= rcv_size &&
		       copyout_header_locked(space, k, NULL);
		if (done)
			mqueue_dequeue_locked(port, k);
	}
	spin_unlock_masked(&port->object.lock);
	spin_unlock_masked(&space->lock);
	intr_restore(f);
	if (done)
		*result = deliver_put(space, umsg, k);
	return done;
}

/*
 * Whether DEST is a kernel object's port whose server mqueue_send would
 * hand a message to, and which the fast path may call directly.
 * Locks: DEST locked.
 */
static bool kernel_serves(struct port *dest)
{
	return ipc_kobject_server != NULL && ipc_kobject_call != NULL &&
	       port_active(dest) && port_is_kobject(dest) &&
	       dest->receiver == space_kernel;
}

/*
 * The rest of an RPC to a kernel object, K's rights taken, its reply
 * made of PORT (RCV_NAME's): the server runs now, in this thread, and
 * its reply comes straight back.  When nothing came in meanwhile and
 * nobody else waits on PORT, the reply is received at once, as if it
 * had been queued and taken (the same seqno); otherwise it is queued
 * and the general receive takes over.
 * Locks: none held.
 */
static mach_msg_return_t call_kernel(struct space *space, void *umsg,
                                     mach_msg_size_t rcv_size,
                                     mach_port_name_t rcv_name,
                                     struct port *port, struct kmsg *k)
{
	struct kmsg *reply = ipc_kobject_call(k);

	if (reply == NULL)
		goto general; /* nothing to wait for but what others send */
	if (reply->hdr.remote == port_object(port) &&
	    reply->hdr.bits ==
	        MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, 0) &&
	    reply->hdr.size <= rcv_size && fast_copyout(space, reply, true))
		return deliver_put(space, umsg, reply);
	(void)ipc_send_kernel(reply);
general:
	return ipc_msg_receive(space, (uint64_t)(uintptr_t)umsg,
	                       MACH_SEND_MSG | MACH_RCV_MSG, rcv_size, rcv_name,
	                       0, MACH_PORT_NULL);
}

/*
 * ipc_fast_rpc's case of a message to RCV_NAME itself, the port the
 * caller then receives from: when nothing is queued there, nobody else
 * waits there and K fits RCV_SIZE, the general path would queue K and
 * take it back at once; here it is received straight away, with the
 * seqno the queue would have given it.  Answers as ipc_fast_rpc.
 * Locks: none held on entry; IPC_FAST_COPIED leaves K's destination
 *   locked (*FLAGS), as ipc_fast_rpc.
 */
static enum ipc_fast to_self(struct space *space, struct kmsg *k, void *umsg,
                             mach_msg_size_t rcv_size,
                             mach_msg_return_t *result, unsigned long *flags)
{
	mach_port_name_t dname = kmsg_user_header(k)->msgh_remote_port;
	struct space_entry *de = NULL;
	struct port *dest = NULL, *reply = NULL;
	struct mqueue *mq;
	unsigned long f;

	if (k->hdr.size > rcv_size)
		return IPC_FAST_NO; /* SLOW: too large, it stays queued */
	if (k->flags & KMSG_BODY_IN_SENDER)
		/* SLOW: only the header was read in (a large body goes
		 * straight into a waiting receiver's buffer: not ours) */
		return IPC_FAST_NO;
	if (!lock_rights(space, k, &de, &dest, &reply, &f))
		return IPC_FAST_NO;
	mq = &dest->queue;
	if (reply != NULL || !caller_waits(dest, space) ||
	    waitq_has_waiters(&mq->receivers) ||
	    (mq->count >= mq->qlimit && MACH_MSGH_BITS_REMOTE(k->hdr.bits) !=
	                                    MACH_MSG_TYPE_MOVE_SEND_ONCE))
		/* SLOW: a reply port, a set, a message or another receiver
		 * first, or a full queue */
		return unlock_slow(space, dest, f);
	take_rights(space, k, dname, de, dest, NULL);
	if (!copyout_header_locked(space, k, dest)) {
		/* Queued and received the general way (a notification due,
		 * a payload...). */
		spin_unlock_masked(&space->lock);
		*flags = f | RFLAGS_IF; /* the general way, interrupts on */
		return IPC_FAST_COPIED;
	}
	k->hdr.seqno = mq->seqno++;
	spin_unlock_masked(&dest->object.lock);
	spin_unlock_masked(&space->lock);
	intr_restore(f);
	*result = deliver_put(space, umsg, k);
	return IPC_FAST_DONE;
}

enum ipc_fast ipc_fast_rpc(struct space *space, struct kmsg *k, void *umsg,
                           mach_msg_size_t rcv_size, mach_port_name_t rcv_name,
                           mach_msg_return_t *result, unsigned long *flags)
{
	mach_port_name_t dname = kmsg_user_header(k)->msgh_remote_port;
	struct space_entry *de = NULL, *rcv;
	struct port *dest = NULL, *reply = NULL, *port;
	struct mqueue_receiver me, *r = NULL;
	struct handoff next;
	mach_msg_size_t size = 0;
	mach_msg_return_t mr;
	unsigned long f;
	bool waits, whole, kernel;

	if (!header_ok(k, false))
		return IPC_FAST_NO;
	if (MACH_MSGH_BITS_LOCAL(kmsg_user_header(k)->msgh_bits) != 0 &&
	    kmsg_user_header(k)->msgh_local_port != rcv_name)
		return IPC_FAST_NO; /* the reply comes elsewhere */
	if (dname == rcv_name)
		return to_self(space, k, umsg, rcv_size, result, flags);

	if (!lock_rights(space, k, &de, &dest, &reply, &f))
		return IPC_FAST_NO;
	if (reply != NULL) {
		port = reply; /* RCV_NAME's, as checked above */
	} else {
		rcv = space_lookup(space, rcv_name);
		if (rcv == NULL || !(rcv->type & MACH_PORT_TYPE_RECEIVE))
			goto slow_dest; /* SLOW: the general receive's error */
		port = port_from_object(rcv->object);
	}
	if (port == dest)
		goto slow_dest; /* SLOW: a receiver of ours waits there */
	/* Two port locks: try the second, never wait for it. */
	if (!spin_trylock_masked(&port->object.lock))
		goto slow_dest; /* SLOW: our port is busy */
	waits = caller_waits(port, space);
	whole = waits && receiver_waits(dest, k);
	kernel = waits && !whole && kernel_serves(dest);
	if ((k->flags & KMSG_BODY_IN_SENDER) &&
	    (!whole || (r = body_to_receiver(space, dest, k, umsg)) == NULL))
		goto slow_port; /* SLOW: the body must come in first */
	take_rights(space, k, dname, de, dest, reply);
	spin_unlock_masked(&space->lock);
	if (kernel) {
		/* A kernel RPC: the server's reply comes straight back. */
		spin_unlock_masked(&port->object.lock);
		spin_unlock_masked(&dest->object.lock);
		intr_enable(); /* the server may wait */
		*result = call_kernel(space, umsg, rcv_size, rcv_name, port, k);
		return IPC_FAST_DONE;
	}
	if (!whole) {
		/* Only the copyin was the fast path's: the general path
		 * sends K from here (to a kernel object, a full queue...). */
		spin_unlock_masked(&port->object.lock);
		*flags = f | RFLAGS_IF; /* the general way, interrupts on */
		return IPC_FAST_COPIED;
	}

	/* Past the guards: nothing below fails or waits.  (The receiver
	 * cannot answer before we wait: it needs PORT's lock.) */
	if (r == NULL)
		r = mqueue_first_receiver_lock(dest, k);
	if (r != NULL) {
		copyout_for_receiver(r, k, port);
		if (k->flags & KMSG_HEADER_OUT)
			resume_by_continuation(r, k, dest);
		mqueue_hand_over_locked(dest, r, k, &next);
	} else {
		mqueue_deliver_locked(dest, k, &next);
	}
	port_ref(port); /* for the wait */
	mqueue_receiver_enqueue(port, space, (uint64_t)(uintptr_t)umsg,
	                        rcv_size, &me);
	spin_unlock_masked(&port->object.lock);
	spin_unlock_masked(&dest->object.lock);
	intr_restore(f);

	/* The receiver runs; the answer comes back in our hands. */
	mr = mqueue_receiver_wait(port, &me, &next, &k, &size);
	/* Back the ordinary way (the switch may instead have run
	 * fast_rpc_resume, and these frames are gone). */
	thread_resume_clear();
	port_release(port);
	if (mr == MACH_MSG_SUCCESS && k->hdr.size <= rcv_size &&
	    ((k->flags & KMSG_HEADER_OUT) || fast_copyout(space, k, false)))
		*result = deliver_put(space, umsg, k);
	else {
		intr_enable();
		*result =
		    ipc_msg_deliver(space, umsg, MACH_SEND_MSG | MACH_RCV_MSG,
		                    rcv_size, MACH_PORT_NULL, mr, k, size);
	}
	return IPC_FAST_DONE;

slow_port:
	spin_unlock_masked(&port->object.lock);
slow_dest:
	(void)unlock_slow(space, dest, f);
	return IPC_FAST_NO;
}
