/*
 * copyin/copyout (machine/copyio.h) on x86_64: the range must lie
 * entirely in user space (below USER_MAX_ADDRESS, not wrapping), and the
 * copy runs under a trap catch, so a page fault on an unmapped user page
 * makes it return -1 instead of panicking.  Until user page faults are
 * resolved (the VM issue), any fault on the range fails the copy.
 */
#include <stdint.h>

#include "kern/string.h"
#include "machine/copyio.h"
#include "machine/memlayout.h"
#include "machine/trap_catch.h"

static int user_range_ok(const void *addr, size_t n)
{
	uintptr_t a = (uintptr_t)addr;

	return a + n >= a && a + n <= USER_MAX_ADDRESS;
}

/* One copy under a catch; DST/SRC already checked by the caller. */
static int copy_caught(void *dst, const void *src, size_t n)
{
	struct trap_catch c;

	if (trap_catch_begin(&c) != 0)
		return -1; /* the catch was unwound: a fault on the range */
	memcpy(dst, src, n);
	trap_catch_end(&c);
	return 0;
}

int copyin(const void *user_src, void *kernel_dst, size_t n)
{
	if (n == 0)
		return 0;
	if (!user_range_ok(user_src, n))
		return -1;
	return copy_caught(kernel_dst, user_src, n);
}

int copyout(const void *kernel_src, void *user_dst, size_t n)
{
	if (n == 0)
		return 0;
	if (!user_range_ok(user_dst, n))
		return -1;
	return copy_caught(user_dst, kernel_src, n);
}
