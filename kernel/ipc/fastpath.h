/*
 * The IPC fast path (fastpath.c): the two messages an RPC is made of, a
 * client's request (COPY_SEND to the server, MAKE_SEND_ONCE of its reply
 * port) and a server's reply (MOVE_SEND_ONCE, nothing else), each simple
 * and small, sent with mach_msg's combined send and receive to a thread
 * already waiting for it.  ipc_fast_rpc does the whole call; its send
 * half, ipc_fast_copyin, also serves the general send.  Every other
 * message, and every call whose way is not clear, takes the general
 * path (msg.c), with the same result.
 */
#ifndef IPC_FASTPATH_H
#define IPC_FASTPATH_H

#include <stdbool.h>

#include <mach/message.h>

struct kmsg;
struct space;

/* The largest message the fast path copies in (header included). */
#define IPC_FAST_MAX_SIZE 8192u

/* From this size on (header included) an RPC's message is copied once:
 * the header in (kmsg_get_part), the body straight from the sender's
 * buffer into the waiting receiver's.  Below, two copies cost less than
 * the page-table walks. */
#define IPC_FAST_DIRECT_MIN 512u

/*
 * ipc_fast_copyin: take the header's rights of K, a message kmsg_get
 * just copied in, from SPACE, when it is one the fast path takes:
 *   - its header bits only the two dispositions (and, here,
 *     MACH_MSGH_BITS_COMPLEX: a body is left to kmsg_copyin_body):
 *     COPY_SEND or MAKE_SEND + MAKE_SEND_ONCE of another name, or
 *     MOVE_SEND_ONCE with no reply port;
 *   - SPACE is active and holds those rights (a send-once right with no
 *     dead-name request), the destination port is alive, and the reply
 *     port's lock is free.
 * Any other message is left to kmsg_copyin, untouched: it gets the same
 * treatment there, and its errors.
 * Locks: no IPC lock held on entry.  On success with a simple K, the
 *   destination port (hdr.remote) is locked, *FLAGS holding what
 *   port_unlock needs: hand K to mqueue_send_locked.  With a complex K
 *   nothing is locked: copy its body in (kmsg_copyin_body), then lock
 *   the destination and send.
 * Returns: true when K's header is in kernel form; false when the caller
 *   must take the general path (nothing was done).
 */
bool ipc_fast_copyin(struct space *space, struct kmsg *k, unsigned long *flags);

/* What ipc_fast_rpc did. */
enum ipc_fast {
	IPC_FAST_NO,     /* nothing: the general path sends K */
	IPC_FAST_COPIED, /* K's rights taken, as ipc_fast_copyin does */
	IPC_FAST_DONE,   /* the whole call */
};

/*
 * ipc_fast_rpc: mach_msg with MACH_SEND_MSG | MACH_RCV_MSG and no other
 * option, for K, the message kmsg_get copied in from UMSG, when it is
 * an RPC's request or reply and the way is clear:
 *   - K is one ipc_fast_copyin takes, and its reply port (if any) is
 *     RCV_NAME, the port the caller then receives from;
 *   - a receiver waits on K's destination port itself (an ordinary live
 *     port, in no set, nothing queued, room for one more);
 *   - RCV_NAME names a receive right of SPACE, in no set, with nothing
 *     queued, that is not the destination, and its lock is free.
 * Then the message goes straight into the receiver's hands, and the CPU
 * with it (the receiver runs on the rest of the caller's time slice);
 * a K of which kmsg_get_part copied the header alone (KMSG_BODY_IN_SENDER)
 * needs a receiver waiting in ipc_fast_rpc itself, with room for it, and its
 * body goes from UMSG into that receiver's buffer in one copy (every
 * page present and writable there, present here), else IPC_FAST_NO;
 * the caller waits on RCV_NAME, and the answer, handed to it the same
 * way, is copied out to UMSG (of RCV_SIZE bytes) as the general receive
 * would.  When only the first two guards hold (a kernel object's port,
 * no receiver waiting, a full queue...), it still takes K's rights in
 * one pass, as ipc_fast_copyin.  A message to RCV_NAME itself, with
 * nothing queued there, nobody else waiting and room in RCV_SIZE, is
 * received at once, as the queue would give it back (to_self).
 * Locks: no IPC lock held on entry.  IPC_FAST_COPIED leaves K's
 *   destination port locked (*FLAGS as ipc_fast_copyin, which enable
 *   interrupts at its unlock).  Interrupts masked or not on entry
 *   (masked from mach_msg_trap: no sti on an RPC's way, each of which
 *   ends a translated block under QEMU's TCG); masked, they stay so to
 *   the switch and in the receiver's continuation, and every way that
 *   may wait (a kernel server, a body's out-of-line memory, a copy
 *   whose fault needs a page: kmsg_put) enables them first.
 * Returns:
 *   IPC_FAST_DONE    the call is over: *RESULT is mach_msg's answer, K
 *                    consumed;
 *   IPC_FAST_COPIED  K is in kernel form: send it (mqueue_send_locked)
 *                    and receive the general way;
 *   IPC_FAST_NO      nothing was done: K is the general path's (a K
 *                    with KMSG_BODY_IN_SENDER to copy in whole first).
 */
enum ipc_fast ipc_fast_rpc(struct space *space, struct kmsg *k, void *umsg,
                           mach_msg_size_t rcv_size, mach_port_name_t rcv_name,
                           mach_msg_return_t *result, unsigned long *flags);

/*
 * ipc_fast_receive_queued: the receive half of mach_msg when a message
 * is already queued on RCV_NAME, a port (not a set) whose receive right
 * SPACE holds, and the message is simple, fits the RCV_SIZE bytes at
 * UMSG and needs only the plain header copyout (see fastpath.c): it is
 * dequeued and copied out under one hold of the space's and the port's
 * locks.  Otherwise nothing is done.  For receives with no option but
 * MACH_RCV_MSG and timeouts (the wait, if any, is the general path's).
 * Locks: no IPC lock held.
 * Returns: true (*RESULT being mach_msg's answer) when it received.
 */
bool ipc_fast_receive_queued(struct space *space, void *umsg,
                             mach_msg_size_t rcv_size,
                             mach_port_name_t rcv_name,
                             mach_msg_return_t *result);

#endif
