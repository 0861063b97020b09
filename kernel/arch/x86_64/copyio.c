/*
 * copyin/copyout (machine/copyio.h) on x86_64: the range must lie
 * entirely in user space (below USER_MAX_ADDRESS, not wrapping).  The
 * copy itself is usercopy.S: a page fault in it is resolved as the
 * thread's own fault (demand paging, a pager), and one that cannot be
 * makes it return -1 instead of panicking.
 */
#include <stdint.h>

#include "kern/string.h"
#include "machine/copyio.h"
#include "machine/memlayout.h"

static int user_range_ok(const void *addr, size_t n)
{
	uintptr_t a = (uintptr_t)addr;

	return a + n >= a && a + n <= USER_MAX_ADDRESS;
}

/* arch/x86_64/usercopy.S: 0, or -1 after a fault it could not resolve. */
int user_copy(void *dst, const void *src, size_t n);

int copyin(const void *user_src, void *kernel_dst, size_t n)
{
	if (n == 0)
		return 0;
	if (!user_range_ok(user_src, n))
		return -1;
	return user_copy(kernel_dst, user_src, n);
}

int copyout(const void *kernel_src, void *user_dst, size_t n)
{
	if (n == 0)
		return 0;
	if (!user_range_ok(user_dst, n))
		return -1;
	return user_copy(user_dst, kernel_src, n);
}
