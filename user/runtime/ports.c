/*
 * user/runtime/ports.c — small conveniences over the port interface and
 * message headers that test programs use again and again.
 */
#include <machr/runtime.h>

mach_port_t machr_new_receive(void)
{
	mach_port_t p = MACH_PORT_NULL;

	if (mach_port_allocate(machr_task, MACH_PORT_RIGHT_RECEIVE, &p) !=
	    KERN_SUCCESS)
		return MACH_PORT_NULL;
	return p;
}

void machr_msg_header(mach_msg_header_t *h, mach_port_t remote,
                      mach_msg_type_name_t rbits, mach_port_t local,
                      mach_msg_type_name_t lbits, mach_msg_size_t size)
{
	h->msgh_bits = MACH_MSGH_BITS(rbits, lbits);
	h->msgh_size = size;
	h->msgh_remote_port = remote;
	h->msgh_local_port = local;
	h->msgh_seqno = 0;
	h->msgh_id = 0;
}
