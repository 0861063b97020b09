/*
 * Copying between kernel memory and the current task's user memory.
 * The only way the core touches a user address: a bad user pointer (out
 * of user space, wrapping, unmapped) makes the copy fail with -1, never
 * fault the kernel.
 */
#ifndef MACHINE_COPYIO_H
#define MACHINE_COPYIO_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include "machine/memlayout.h"

/* arch/x86_64/usercopy.S: copy N bytes between a range of user space
 * and the kernel; 0, or -1 after a fault it could not resolve. */
int user_copy(void *dst, const void *src, size_t n);

/* Whether [ADDR, ADDR + N) lies in user space (and does not wrap). */
static inline bool user_range_ok(const void *addr, size_t n)
{
	uintptr_t a = (uintptr_t)addr;

	return a + n >= a && a + n <= USER_MAX_ADDRESS;
}

/*
 * copyin: copy N bytes from USER_SRC (a user address) to KERNEL_DST.
 * copyout: copy N bytes from KERNEL_SRC to USER_DST (a user address).
 * A zero N always succeeds.  On failure the destination may have been
 * partly written.  Inline on x86_64: the range check, then usercopy.S.
 * Locks: no spinlock held (a copy may take a page fault).
 * Returns: 0, or -1 when a byte of the user range is not accessible.
 */
static inline int copyin(const void *user_src, void *kernel_dst, size_t n)
{
	if (n == 0)
		return 0;
	if (!user_range_ok(user_src, n))
		return -1;
	return user_copy(kernel_dst, user_src, n);
}

static inline int copyout(const void *kernel_src, void *user_dst, size_t n)
{
	if (n == 0)
		return 0;
	if (!user_range_ok(user_dst, n))
		return -1;
	return user_copy(user_dst, kernel_src, n);
}

#endif
