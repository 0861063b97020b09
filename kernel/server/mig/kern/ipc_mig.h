/*
 * Stand-in for GNU Mach's <kern/ipc_mig.h>, which MIG's kernel-user stubs
 * include (the kernel as a client: memory_object.defs to pagers): the
 * one call they make, mach_msg_send_from_kernel (kernel/server/kclient.c).
 */
#ifndef SERVER_MIG_KERN_IPC_MIG_H
#define SERVER_MIG_KERN_IPC_MIG_H

#include "server/mig_kernel.h"

/*
 * mach_msg_send_from_kernel: send the kernel-form message MSG of SIZE
 * bytes (ports as struct port pointers with MIG's dispositions; out-of-
 * line data as struct ool pointers, consumed) without blocking.
 * Locks: no IPC lock held.
 * Returns MACH_MSG_SUCCESS; MACH_SEND_NO_BUFFER (no memory: the message's
 *   rights and data are released); MACH_SEND_INVALID_DEST (the
 *   destination is dead or null: the message is destroyed).
 */
kern_return_t mach_msg_send_from_kernel(mach_msg_header_t *msg,
                                        mach_msg_size_t size);

#endif
