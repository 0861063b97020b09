/*
 * mach_msg as a kernel function: the trap handler (issue 5) calls
 * ipc_mach_msg with the current task's space and the trap's arguments.
 * It sends, receives, or does both in one call (an RPC), with GNU Mach's
 * options, timeouts and error returns (docs/IPC.md).
 */
#ifndef IPC_MSG_H
#define IPC_MSG_H

#include <stdint.h>

#include <mach/message.h>

struct space;

/*
 * ipc_mach_msg: the mach_msg_trap of SPACE's task.  MSG is the user
 * address of the message buffer; OPTION the MACH_SEND_* / MACH_RCV_*
 * options; SEND_SIZE the bytes to send; RCV_SIZE the buffer's size for
 * the received message; RCV_NAME the port or port set to receive from;
 * TIMEOUT in milliseconds (with MACH_SEND_TIMEOUT / MACH_RCV_TIMEOUT);
 * NOTIFY the MACH_SEND_CANCEL / MACH_RCV_NOTIFY port.
 *
 * With MACH_SEND_MSG the message is sent first; if that fails, nothing
 * is received.  A send that fails after its rights were taken
 * (MACH_SEND_TIMED_OUT, MACH_SEND_INTERRUPTED) gives the message and its
 * rights back to the sender's buffer and space.
 *
 * With MACH_RCV_MSG a message that does not fit RCV_SIZE is destroyed
 * and only its header (with the destination's name) is written, unless
 * MACH_RCV_LARGE, where it stays queued and msgh_size tells the size.
 * Locks: no lock held; may block.
 * Returns: MACH_MSG_SUCCESS or any of the MACH_SEND_* and MACH_RCV_*
 *   codes of mach/message.h (see copyin.h, copyout.h, mqueue.h).
 */
mach_msg_return_t
ipc_mach_msg(struct space *space, uint64_t msg, mach_msg_option_t option,
             mach_msg_size_t send_size, mach_msg_size_t rcv_size,
             mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
             mach_port_name_t notify);

/* The send and receive halves, for callers that need only one. */
mach_msg_return_t ipc_msg_send(struct space *space, uint64_t msg,
                               mach_msg_option_t option,
                               mach_msg_size_t send_size,
                               mach_msg_timeout_t timeout,
                               mach_port_name_t notify);
mach_msg_return_t
ipc_msg_receive(struct space *space, uint64_t msg, mach_msg_option_t option,
                mach_msg_size_t rcv_size, mach_port_name_t rcv_name,
                mach_msg_timeout_t timeout, mach_port_name_t notify);

struct kmsg;

/*
 * ipc_msg_deliver: the end of a receive into the user buffer UMSG of
 * RCV_SIZE bytes, given what the queue answered (MR; K and SIZE as
 * mqueue_receive_port leaves them): report MACH_RCV_TOO_LARGE's size,
 * or destroy a message larger than the buffer, or copy K's rights out
 * to SPACE (MACH_RCV_NOTIFY with NOTIFY, per OPTION) and its bytes to
 * UMSG.  K is consumed.  For the fast path, whose receive half ends the
 * same way as the general one.
 * Locks: no IPC lock held.
 * Returns: mach_msg's return code for the receive.
 */
mach_msg_return_t ipc_msg_deliver(struct space *space, void *umsg,
                                  mach_msg_option_t option,
                                  mach_msg_size_t rcv_size,
                                  mach_port_name_t notify, mach_msg_return_t mr,
                                  struct kmsg *k, mach_msg_size_t size);

#endif
