/*
 * Turning a received message in kernel form back into a user message in
 * the receiver's space (copyout.c): the header's ports (reversed: the
 * receiver sees the reply port as remote and the destination as local),
 * the body's rights and out-of-line items, then the bytes (kmsg_put).
 * Also the two partial forms GNU Mach uses on errors: copyout_dest (only
 * the destination survives) and copyout_pseudo (a failed send given back
 * to its sender).
 */
#ifndef IPC_COPYOUT_H
#define IPC_COPYOUT_H

#include <mach/message.h>

struct kmsg;
struct space;

/*
 * kmsg_copyout: give K's rights and memory to SPACE, leaving K in user
 * form.  NOTIFY is the MACH_RCV_NOTIFY name or MACH_PORT_NULL.
 * Locks: no IPC lock held.
 * Returns:
 *   MACH_MSG_SUCCESS
 *   MACH_RCV_INVALID_NOTIFY   NOTIFY names no receive right (K intact).
 *   MACH_RCV_HEADER_ERROR | MACH_MSG_IPC_SPACE or MACH_MSG_IPC_KERNEL
 *                             the reply right could not be given (SPACE
 *                             dead or full); K is intact: the caller
 *                             uses kmsg_copyout_dest.
 *   MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE, MACH_MSG_VM_SPACE, ...
 *                             the header was copied out, and as much of
 *                             the body as possible: rights that did not
 *                             fit became MACH_PORT_NULL, memory that did
 *                             not fit a null pointer with msgt_size 0.
 */
mach_msg_return_t kmsg_copyout(struct kmsg *k, struct space *space,
                               mach_port_name_t notify);

/*
 * kmsg_copyout_body: kmsg_copyout's second half, for K whose header was
 * copied out (by kmsg_copyout or the fast path): the body's rights and
 * out-of-line memory when MACH_MSGH_BITS_COMPLEX.
 * Locks: no IPC lock held.
 * Returns: MACH_MSG_SUCCESS, or MACH_RCV_BODY_ERROR with the bits of what
 *   went wrong (as kmsg_copyout: the message is still delivered).
 */
mach_msg_return_t kmsg_copyout_body(struct kmsg *k, struct space *space);

/*
 * kmsg_copyout_dest: copy out the destination only (its name in SPACE,
 * as msgh_local_port), destroy the reply right and everything in the
 * body.  K is left in user form with no rights, for a header-only put.
 * Locks: no IPC lock held.
 */
void kmsg_copyout_dest(struct kmsg *k, struct space *space);

/*
 * kmsg_copyout_pseudo: give a message that could not be sent back to
 * its sender's SPACE: the destination and reply rights copied out as
 * they are (not reversed, so the sender finds its own names), and the
 * body as kmsg_copyout does.
 * Locks: no IPC lock held.
 * Returns: MACH_MSG_SUCCESS or MACH_MSG_IPC_* / MACH_MSG_VM_* bits.
 */
mach_msg_return_t kmsg_copyout_pseudo(struct kmsg *k, struct space *space);

/*
 * kmsg_put: copy the first SIZE bytes of K (in user form) to the user
 * address UMSG and free K.  Of a kmsg whose body the fast path wrote
 * into UMSG already (KMSG_BODY_DELIVERED), only the header.
 * Locks: no lock held.  Interrupts masked or not: a copy that fails
 *   masked (its fault could not wait for a page) is made again with
 *   interrupts enabled, and they stay so.
 * Returns: MACH_MSG_SUCCESS, or MACH_RCV_INVALID_DATA when the user
 *   buffer cannot be written.
 */
mach_msg_return_t kmsg_put(void *umsg, struct kmsg *k, mach_msg_size_t size);

#endif
