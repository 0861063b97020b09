/*
 * user/runtime/mach_msg.c — mach_msg(): the trap plus the conventional
 * retry of interrupted operations.  A send interrupted before the message
 * was queued (MACH_SEND_INTERRUPTED) is retried whole unless the caller
 * asked for MACH_SEND_INTERRUPT; a receive interrupted after the send
 * succeeded (MACH_RCV_INTERRUPTED) is retried as a receive only unless
 * the caller asked for MACH_RCV_INTERRUPT.
 */
#include <mach.h>

mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                           mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                           mach_port_t rcv_name, mach_msg_timeout_t timeout,
                           mach_port_t notify)
{
	mach_msg_return_t mr;

	do
		mr = mach_msg_trap(msg, option, send_size, rcv_size, rcv_name,
		                   timeout, notify);
	while (mr == MACH_SEND_INTERRUPTED && !(option & MACH_SEND_INTERRUPT));

	option &= ~MACH_SEND_MSG;
	while (mr == MACH_RCV_INTERRUPTED && !(option & MACH_RCV_INTERRUPT))
		mr = mach_msg_trap(msg, option, 0, rcv_size, rcv_name, timeout,
		                   notify);
	return mr;
}
