/*
 * The kernel as a MIG client (kern/ipc_mig.h stand-in): the one call
 * MIG's kernel-user stubs make.  The stub has built the message in
 * kernel form on its stack; it becomes a kmsg, its dispositions become
 * rights (kmsg_copyin_from_kernel) and it is sent without blocking.
 */
#include "kern/ipc_mig.h"

#include "ipc/kmsg.h"
#include "ipc/kmsg_kernel.h"
#include "ipc/ool.h"
#include "kern/string.h"

kern_return_t mach_msg_send_from_kernel(mach_msg_header_t *msg,
                                        mach_msg_size_t size)
{
	struct kmsg *k = kmsg_alloc(size);

	if (k == NULL) {
		/* Nothing was copied in yet: only out-of-line data is ours
		 * to release. */
		void *body = msg + 1;
		mach_msg_size_t off = 0, end = size - sizeof(*msg);

		while ((msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) && off < end) {
			struct kmsg_item it;

			off = kmsg_item_decode(body, off, &it);
			if (!it.is_inline && !it.is_port)
				ool_discard(*(struct ool **)it.data);
		}
		return MACH_SEND_NO_BUFFER;
	}
	memcpy(&k->hdr, msg, size);
	k->hdr.size = size;
	if (msg->msgh_bits & MACH_MSGH_BITS_COMPLEX)
		k->flags |= KMSG_CARRIES_RIGHTS;
	kmsg_copyin_from_kernel(k);
	return ipc_send_kernel(k);
}
