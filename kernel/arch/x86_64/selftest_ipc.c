/*
 * A self-test of the IPC core on the real machine: a task-like space
 * sends a message to its own port and receives it through ipc_mach_msg,
 * with the message in a page mapped at a user address by a fresh pmap,
 * so the whole path runs as a trap will run it: copyin from user memory
 * under a trap catch, the real spinlocks with interrupts, copyout.
 * Listed in machine_selftests[].
 */
#include <mach/message.h>

#include "ipc/kmsg.h"
#include "ipc/msg.h"
#include "ipc/port_interface.h"
#include "ipc/space.h"
#include "kern/page_alloc.h"
#include "kern/selftest.h"
#include "kern/slab.h"
#include "machine/pmap.h"

void selftest_ipc_self_send(struct selftest_ctx *ctx);

#define MSG_VA 0x0000000050000000UL /* an arbitrary user address */

/* Slab objects in use: a message buffer kept for reuse is not a leak. */
static uint64_t live_objects(void)
{
	kmsg_spares_drain();
	return slab_total_live();
}

void selftest_ipc_self_send(struct selftest_ctx *ctx)
{
	uint64_t live0 = live_objects();
	struct space *space = NULL;
	struct pmap *pmap = pmap_create();
	struct page *pg = page_alloc(0);
	mach_msg_header_t *m = (mach_msg_header_t *)MSG_VA;
	mach_port_name_t p = MACH_PORT_NULL;
	mach_msg_return_t mr;

	if (!selftest_check(ctx, pmap && pg, "no pmap or page"))
		goto out;
	if (!selftest_check(ctx,
	                    pmap_enter(pmap, MSG_VA, page_to_phys(pg),
	                               VM_PROT_READ | VM_PROT_WRITE,
	                               0) == KERN_SUCCESS,
	                    "pmap_enter failed"))
		goto out;
	pmap_activate(pmap);
	if (!selftest_check(ctx, space_create(&space) == KERN_SUCCESS,
	                    "space_create failed") ||
	    !selftest_check(ctx,
	                    mach_port_allocate(space, MACH_PORT_RIGHT_RECEIVE,
	                                       &p) == KERN_SUCCESS,
	                    "mach_port_allocate failed"))
		goto out_active;

	m->msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	m->msgh_size = sizeof(*m);
	m->msgh_remote_port = p;
	m->msgh_local_port = MACH_PORT_NULL;
	m->msgh_id = 4711;
	mr = ipc_mach_msg(space, MSG_VA, MACH_SEND_MSG | MACH_RCV_MSG,
	                  sizeof(*m), 64, p, 0, MACH_PORT_NULL);
	selftest_check(ctx, mr == MACH_MSG_SUCCESS, "mach_msg returned %#x",
	               mr);
	selftest_check(ctx,
	               m->msgh_id == 4711 && m->msgh_local_port == p &&
	                   m->msgh_bits ==
	                       MACH_MSGH_BITS(0, MACH_MSG_TYPE_PORT_SEND),
	               "received id %u, local %#x, bits %#x", m->msgh_id,
	               m->msgh_local_port, m->msgh_bits);
	mr = ipc_mach_msg(space, 0x1000, MACH_SEND_MSG, sizeof(*m), 0,
	                  MACH_PORT_NULL, 0, MACH_PORT_NULL);
	selftest_check(ctx, mr == MACH_SEND_INVALID_DATA,
	               "a send from an unmapped address returned %#x", mr);
	selftest_check(ctx, mach_port_destroy(space, p) == KERN_SUCCESS,
	               "mach_port_destroy failed");
out_active:
	pmap_activate(NULL);
out:
	if (space) {
		space_terminate(space);
		space_release(space);
	}
	if (pmap) {
		pmap_remove(pmap, MSG_VA, MSG_VA + PAGE_SIZE);
		pmap_destroy(pmap);
	}
	if (pg)
		page_free(pg, 0);
	selftest_check(ctx, live_objects() == live0,
	               "slab objects: %llu live, %llu before",
	               (unsigned long long)live_objects(),
	               (unsigned long long)live0);
}
