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

#include "ipc/copyin.h"
#include "ipc/fastpath.h"
#include "kern/compiler.h"
#include "machine/cpu.h"

struct space;

/*
 * ipc_mach_msg_general: ipc_mach_msg out of line, every option (the
 * inline part's way for MACH_SEND_MSG | MACH_RCV_MSG).
 * Locks, returns: as ipc_mach_msg.
 */
mach_msg_return_t
ipc_mach_msg_general(struct space *space, uint64_t msg,
                     mach_msg_option_t option, mach_msg_size_t send_size,
                     mach_msg_size_t rcv_size, mach_port_name_t rcv_name,
                     mach_msg_timeout_t timeout, mach_port_name_t notify);

/*
 * ipc_mach_msg_rpc_rest: the rest of ipc_mach_msg(MACH_SEND_MSG |
 * MACH_RCV_MSG) for K, the message kmsg_get_part copied in from MSG
 * (its hdr.size the send size), when ipc_fast_rpc answered HOW,
 * IPC_FAST_COPIED (F as it left it) or IPC_FAST_NO: the general send,
 * then the general receive.
 * Locks: none held but, with IPC_FAST_COPIED, K's destination port's
 *   (F); may block.
 * Returns: as ipc_mach_msg.
 */
mach_msg_return_t ipc_mach_msg_rpc_rest(struct space *space, uint64_t msg,
                                        mach_msg_size_t rcv_size,
                                        mach_port_name_t rcv_name,
                                        struct kmsg *k, enum ipc_fast how,
                                        unsigned long f);

/*
 * ipc_mach_msg_rpc_again: ipc_mach_msg's RPC call (MACH_SEND_MSG |
 * MACH_RCV_MSG, whose timeout and notify name do not count) after the
 * message's copy failed with MR: masked (mach_msg_trap), a fault cannot
 * wait for its page (kernel_user_fault), so the call is made again with
 * interrupts on; unmasked, MR is the answer.
 * Locks: no lock held; may block.
 */
mach_msg_return_t ipc_mach_msg_rpc_again(struct space *space, uint64_t msg,
                                         mach_msg_size_t send_size,
                                         mach_msg_size_t rcv_size,
                                         mach_port_name_t rcv_name,
                                         mach_msg_return_t mr);

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
 *
 * Inline: mach_msg(SEND|RCV), an RPC's call, copies its message in and
 * goes to the fast path (ipc/fastpath.h) here, in the caller's frame
 * (the trap's: in an RPC's steady state neither side returns through
 * it, the answer comes by continuation); any other option goes to
 * ipc_mach_msg_general, and what the fast path leaves to the general
 * path to ipc_mach_msg_rpc_rest.
 * Locks: no lock held; may block.  Interrupts masked or not: masked
 *   (mach_msg_trap's RPC call), they stay so along the fast path only,
 *   and every other way enables them before it may block or fault.
 * Returns: MACH_MSG_SUCCESS or any of the MACH_SEND_* and MACH_RCV_*
 *   codes of mach/message.h (see copyin.h, copyout.h, mqueue.h).
 */
static __always_inline mach_msg_return_t
ipc_mach_msg(struct space *space, uint64_t msg, mach_msg_option_t option,
             mach_msg_size_t send_size, mach_msg_size_t rcv_size,
             mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
             mach_port_name_t notify)
{
	void *umsg = (void *)(uintptr_t)msg;
	mach_msg_return_t mr, result;
	unsigned long f;
	enum ipc_fast how;
	struct kmsg *k;

	if (unlikely(option != (MACH_SEND_MSG | MACH_RCV_MSG))) {
		intr_enable(); /* mach_msg_trap may have come masked */
		return ipc_mach_msg_general(space, msg, option, send_size,
		                            rcv_size, rcv_name, timeout,
		                            notify);
	}
	/* A large message's body may go straight from our buffer to the
	 * receiver's: the header first (kmsg_get_part). */
	mr = kmsg_get_part(umsg, send_size, true, &k);
	if (unlikely(mr != MACH_MSG_SUCCESS))
		return ipc_mach_msg_rpc_again(space, msg, send_size, rcv_size,
		                              rcv_name, mr);
	/* A receiver handed the message runs while we wait for ours. */
	how = ipc_fast_rpc(space, k, umsg, rcv_size, rcv_name, &result, &f);
	if (likely(how == IPC_FAST_DONE))
		return result;
	return ipc_mach_msg_rpc_rest(space, msg, rcv_size, rcv_name, k, how, f);
}

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
