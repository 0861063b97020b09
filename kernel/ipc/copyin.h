/*
 * Turning a user message into a message in kernel form (copyin.c): the
 * bytes (kmsg_get), then the header's ports and the body's rights and
 * out-of-line items (kmsg_copyin).  The checks and their error codes are
 * GNU Mach's, in GNU Mach's order (docs/IPC.md).
 */
#ifndef IPC_COPYIN_H
#define IPC_COPYIN_H

#include <mach/message.h>

#include "ipc/fastpath.h"
#include "ipc/kmsg.h"
#include "ipc/right_entry.h"
#include "kern/compiler.h"
#include "machine/copyio.h"

struct kmsg;
struct space;

/*
 * kmsg_get: copy the SEND_SIZE-byte message at user address UMSG into a
 * new kmsg.  Its hdr.size becomes SEND_SIZE (the user's msgh_size is
 * ignored, as on GNU Mach); hdr.remote/local hold the user's 32-bit names
 * until kmsg_copyin.
 * Locks: no IPC lock held.
 * Returns:
 *   MACH_MSG_SUCCESS        *OUT is the message.
 *   MACH_SEND_MSG_TOO_SMALL SEND_SIZE is below the 32-byte header or not a
 *                           multiple of 8 (MACH_MSG_USER_ALIGNMENT).
 *   MACH_SEND_NO_BUFFER     no memory for a message that large.
 *   MACH_SEND_INVALID_DATA  the user buffer could not be read.
 */
mach_msg_return_t kmsg_get(const void *umsg, mach_msg_size_t send_size,
                           struct kmsg **out);

/* kmsg_get_part's end: the first COPY bytes of the SEND_SIZE-byte
 * message at UMSG into K, a new kmsg with room for them. */
static __always_inline mach_msg_return_t
kmsg_get_fill(const void *umsg, mach_msg_size_t send_size, mach_msg_size_t copy,
              struct kmsg *k, struct kmsg **out)
{
	mach_msg_header_t *h = (mach_msg_header_t *)&k->hdr;

	/* COPY is SEND_SIZE or the header: a multiple of 8. */
	if (copyin_quads(umsg, h, copy) != 0) {
		kmsg_free(k);
		return MACH_SEND_INVALID_DATA;
	}
	/* hdr.size is SEND_SIZE.  Only the low halves of the port slots
	 * are names (little endian): the high halves cleared. */
	h->msgh_size = send_size;
	__builtin_memset((char *)&h->msgh_remote_port_do_not_use + 4, 0, 4);
	__builtin_memset((char *)&h->msgh_protected_payload + 4, 0, 4);
	*out = k;
	return MACH_MSG_SUCCESS;
}

/*
 * kmsg_get_part: kmsg_get, for mach_msg(MACH_SEND_MSG | MACH_RCV_MSG)
 * when RPC: a message of IPC_FAST_DIRECT_MIN to IPC_FAST_MAX_SIZE bytes
 * then has its header alone copied in, for the fast path's one copy of
 * the body.  Such a kmsg (KMSG_BODY_IN_SENDER, hdr.size SEND_SIZE) has
 * room for the header only.
 * Locks, returns: as kmsg_get.  (Inline: every message sent comes
 * through here.)
 */
static __always_inline mach_msg_return_t kmsg_get_part(
    const void *umsg, mach_msg_size_t send_size, bool rpc, struct kmsg **out)
{
	/* (SEND_SIZE - 32) / 8 for a message's size (the header at least,
	 * a multiple of 8), else at least KMSG_WORDS_BAD: the rotation
	 * brings the low bits to the top.  One test for both. */
	uint32_t over = send_size - (uint32_t)sizeof(mach_msg_header_t);
	uint32_t words = over >> 3 | over << 29;
	mach_msg_size_t copy = send_size;
	struct kmsg *k = NULL;

	if (unlikely(words >= KMSG_WORDS_BAD))
		return MACH_SEND_MSG_TOO_SMALL;
	/* Every byte of the copy is copied in: no zeroing. */
	if (likely(words <= KMSG_SPARE_WORDS) &&
	    likely((k = kmsg_spare_take()) != NULL)) {
		kmsg_init_fields(k, KMSG_SPARE_CAPACITY);
		return kmsg_get_fill(umsg, send_size, send_size, k, out);
	}
	if (rpc && send_size - IPC_FAST_DIRECT_MIN <=
	               IPC_FAST_MAX_SIZE - IPC_FAST_DIRECT_MIN) {
		copy = sizeof(mach_msg_header_t);
		k = kmsg_spare_take();
		if (k != NULL)
			kmsg_init_fields(k, KMSG_SPARE_CAPACITY);
	}
	if (k == NULL) {
		k = kmsg_alloc_big(copy);
		if (k == NULL)
			return MACH_SEND_NO_BUFFER;
	}
	if (copy < send_size)
		k->flags |= KMSG_BODY_IN_SENDER;
	return kmsg_get_fill(umsg, send_size, copy, k, out);
}

/*
 * kmsg_copyin: take the rights and memory K names from SPACE: the
 * header's destination and reply, then (MACH_MSGH_BITS_COMPLEX only)
 * every body item.  NOTIFY is the MACH_SEND_CANCEL notify name or
 * MACH_PORT_NULL.  On failure K holds nothing (free it with kmsg_free)
 * and SPACE is as it was, except that rights of body items before the
 * bad one were taken and destroyed (as GNU Mach does).
 * Locks: no IPC lock held.
 * Returns:
 *   MACH_MSG_SUCCESS
 *   MACH_SEND_INVALID_HEADER  bad remote/local dispositions, or a reply
 *                             name with reply disposition 0.
 *   MACH_SEND_INVALID_NOTIFY  NOTIFY names no receive right.
 *   MACH_SEND_INVALID_DEST    the destination cannot be copied in.
 *   MACH_SEND_INVALID_REPLY   the reply port cannot be copied in.
 *   MACH_SEND_MSG_TOO_SMALL   the body ends inside an item.
 *   MACH_SEND_INVALID_TYPE    a bad descriptor (port size, unused bits,
 *                             deallocate on inline data).
 *   MACH_SEND_INVALID_RIGHT   a body right cannot be copied in.
 *   MACH_SEND_INVALID_MEMORY  out-of-line memory cannot be read.
 *   MACH_SEND_NO_BUFFER       no kernel memory for out-of-line data.
 */
mach_msg_return_t kmsg_copyin(struct kmsg *k, struct space *space,
                              mach_port_name_t notify);

/*
 * kmsg_copyin_body: kmsg_copyin's second half, for K whose header's
 * rights were taken (by kmsg_copyin or ipc_fast_copyin): the body's
 * rights and out-of-line memory when MACH_MSGH_BITS_COMPLEX.  On failure
 * the header's rights are released too, K holds nothing (free it with
 * kmsg_free) and the error is one of kmsg_copyin's body errors.
 * Locks: no IPC lock held.
 */
mach_msg_return_t kmsg_copyin_body(struct kmsg *k, struct space *space);

/* The carried type of a right copied in with DISPOSITION (0 for 0). */
static inline mach_msg_type_name_t copyin_type(mach_msg_type_name_t disposition)
{
	return right_transit_type(disposition);
}

#endif
