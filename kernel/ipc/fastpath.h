/*
 * The IPC fast path (fastpath.c): the copyin of the two messages an RPC
 * is made of, a client's request (COPY_SEND to the server, MAKE_SEND_ONCE
 * of its reply port) and a server's reply (MOVE_SEND_ONCE, nothing
 * else), each simple and small, in one pass under the sender's space
 * lock.  The message layer (msg.c) then sends it with the destination
 * port still locked; a receiver already waiting is handed the message
 * and, in a combined send and receive, the CPU (mqueue_send_locked,
 * waitq_wait_handoff).  Every other message takes the general copyin
 * (copyin.c), with the same result.
 */
#ifndef IPC_FASTPATH_H
#define IPC_FASTPATH_H

#include <stdbool.h>

#include <mach/message.h>

struct kmsg;
struct space;

/* The largest message the fast path copies in (header included). */
#define IPC_FAST_MAX_SIZE 8192u

/*
 * ipc_fast_copyin: take the header's rights of K, a message kmsg_get
 * just copied in, from SPACE, when it is one the fast path takes:
 *   - at most IPC_FAST_MAX_SIZE bytes;
 *   - its bits only the two dispositions (no body rights, nothing out of
 *     line): COPY_SEND + MAKE_SEND_ONCE of another name, or
 *     MOVE_SEND_ONCE with no reply port;
 *   - SPACE is active and holds those rights (a send-once right with no
 *     dead-name request), the destination port is alive, and the reply
 *     port's lock is free.
 * Any other message is left to kmsg_copyin, untouched: it gets the same
 * treatment there, and its errors.
 * Locks: no IPC lock held on entry.  On success the destination port
 *   (hdr.remote) is locked, *FLAGS holding what port_unlock needs: hand
 *   K to mqueue_send_locked.
 * Returns: true when K is in kernel form; false when the caller must
 *   take the general path (nothing was done).
 */
bool ipc_fast_copyin(struct space *space, struct kmsg *k, unsigned long *flags);

#endif
