/*
 * Out-of-line memory in transit: what a message carries for a typed item
 * with msgt_inline 0 (its 8-byte pointer slot holds a struct ool * in
 * kernel form).  Between tasks it is a virtual copy of the sender's pages
 * (vm/copy.h, through the space's VM operations, space->vm_ops in
 * ipc/space.h); data the kernel sends, and data between spaces without
 * those operations (unit tests), is copied into kernel chunks.
 */
#ifndef IPC_OOL_H
#define IPC_OOL_H

#include <stdbool.h>
#include <stdint.h>

#include <mach/message.h>

struct space;
struct ool;

/* The largest out-of-line region copied into kernel chunks (virtual
 * copies between tasks have no such bound). */
#define OOL_SIZE_MAX (64u * 1024 * 1024)

/*
 * ool_copyin: take SIZE (> 0) bytes at user address UADDR of SPACE's
 * task into a new region in transit *OUT.  With DEALLOC (msgt_deallocate)
 * the sender's pages are deallocated afterwards, as if moved.
 * Locks: no IPC lock held (touches user memory).
 * Returns:
 *   MACH_MSG_SUCCESS
 *   MACH_SEND_INVALID_MEMORY  the range is not readable user memory.
 *   MACH_SEND_NO_BUFFER       SIZE > OOL_SIZE_MAX, or no kernel memory.
 */
mach_msg_return_t ool_copyin(struct space *space, uint64_t uaddr, uint64_t size,
                             bool dealloc, struct ool **out);

/*
 * ool_copyout: give the region OOL to SPACE's task: new memory there
 * holds the data at the same offset within its first page as it had in
 * the sender, and *UADDR gets its address.  Consumes OOL in every case.
 * Locks: no IPC lock held.
 * Returns:
 *   MACH_MSG_SUCCESS
 *   MACH_MSG_VM_SPACE   no room in the receiver's address space, or the
 *                       space has no VM (*UADDR is 0).
 *   MACH_MSG_VM_KERNEL  the new memory could not be written (*UADDR 0).
 */
mach_msg_return_t ool_copyout(struct space *space, struct ool *ool,
                              uint64_t *uaddr);

/* ool_discard: destroy a region in transit.  Locks: any. */
void ool_discard(struct ool *ool);

/* The size of the region in bytes. */
uint64_t ool_size(const struct ool *ool);

/* Where the region began within its first page in the sender. */
uint32_t ool_page_offset(const struct ool *ool);

/*
 * ool_from_kernel: a new region in transit *OUT holding a copy of the
 * SIZE (> 0) bytes of kernel memory at DATA, page offset 0: what a
 * kernel RPC server returns as out-of-line data (mach_port_names,
 * device_read ...).
 * Locks: any (allocates).
 * Returns: MACH_MSG_SUCCESS, MACH_SEND_NO_BUFFER (SIZE > OOL_SIZE_MAX or
 *   no kernel memory).
 */
mach_msg_return_t ool_from_kernel(const void *data, uint64_t size,
                                  struct ool **out);

/*
 * ool_from_copy: a new region in transit *OUT carrying the virtual copy
 * COPY (vm/copy.h; consumed): what vm_read returns.  It allocates
 * nothing: the region is COPY itself.
 * Locks: any.
 * Returns: MACH_MSG_SUCCESS.
 */
struct vm_map_copy;
mach_msg_return_t ool_from_copy(struct vm_map_copy *copy, struct ool **out);

/*
 * ool_read: copy LEN bytes of the region OOL from offset OFF (OFF + LEN
 * <= ool_size) to the kernel buffer BUF: how a kernel RPC server reads
 * out-of-line data it was sent (device_write).  A virtual copy's pages
 * that are paged out are faulted in (vm_map_copy_read).
 * Locks: none held when the region is a virtual copy (sleeps), any
 *   otherwise.
 * Returns KERN_SUCCESS or vm_map_copy_read's errors.
 */
kern_return_t ool_read(const struct ool *ool, uint64_t off, void *buf,
                       uint64_t len);

#endif
