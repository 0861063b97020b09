/*
 * Copying between kernel memory and the current task's user memory.
 * The only way the core touches a user address: a bad user pointer (out
 * of user space, wrapping, unmapped) makes the copy fail with -1, never
 * fault the kernel.
 */
#ifndef MACHINE_COPYIO_H
#define MACHINE_COPYIO_H

#include <stddef.h>

/*
 * copyin: copy N bytes from USER_SRC (a user address) to KERNEL_DST.
 * copyout: copy N bytes from KERNEL_SRC to USER_DST (a user address).
 * A zero N always succeeds.  On failure the destination may have been
 * partly written.
 * Locks: no spinlock held (a copy may take a page fault).
 * Returns: 0, or -1 when a byte of the user range is not accessible.
 */
int copyin(const void *user_src, void *kernel_dst, size_t n);
int copyout(const void *kernel_src, void *user_dst, size_t n);

/* copyin of N bytes, N a multiple of 8 and not 0 (x86_64 copies them by
 * words). */
static inline int copyin_quads(const void *user_src, void *kernel_dst, size_t n)
{
	return copyin(user_src, kernel_dst, n);
}

/*
 * Test hooks of the host build (arch/host/copyio.c).  In a process, a
 * "user address" is any address the test hands in, and copies are plain
 * memcpy, except that:
 *   - the first page (the null page) always faults;
 *   - host_copyio_set_user_range() confines user space to one block
 *     (the fuzzer's arena): anything outside it faults;
 *   - host_copyio_fault_range() makes a chosen range fault;
 *   - host_copyio_fail_after(n) makes every copy after the next N fail.
 * host_copyio_reset() removes all of them.
 */
void host_copyio_set_user_range(const void *start, size_t len);
void host_copyio_fault_range(const void *start, size_t len);
void host_copyio_fail_after(long n);
void host_copyio_reset(void);

/* Copies attempted and failed since the last reset (for tests). */
unsigned long host_copyio_calls(void);
unsigned long host_copyio_faults(void);

#endif
