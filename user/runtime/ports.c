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

mach_msg_return_t machr_send_word(mach_port_t to, mach_msg_type_name_t disp,
                                  mach_port_t reply,
                                  mach_msg_type_name_t reply_disp,
                                  mach_msg_id_t id, uint64_t word,
                                  mach_msg_option_t option,
                                  mach_msg_timeout_t timeout)
{
	struct machr_word_msg m;

	machr_msg_header(&m.h, to, disp, reply, reply_disp,
	                 MACHR_WORD_MSG_SIZE);
	m.h.msgh_id = id;
	m.t = (mach_msg_type_t){.msgt_name = MACH_MSG_TYPE_INTEGER_64,
	                        .msgt_size = 64,
	                        .msgt_number = 1,
	                        .msgt_inline = 1};
	m.word = word;
	return mach_msg(&m.h, MACH_SEND_MSG | option, MACHR_WORD_MSG_SIZE, 0,
	                MACH_PORT_NULL, timeout, MACH_PORT_NULL);
}

mach_msg_return_t machr_recv_word(mach_port_t from, struct machr_word_msg *m,
                                  mach_msg_option_t option,
                                  mach_msg_timeout_t timeout)
{
	m->h.msgh_size = 0;
	m->word = 0;
	return mach_msg(&m->h, MACH_RCV_MSG | option, 0, sizeof(*m), from,
	                timeout, MACH_PORT_NULL);
}
