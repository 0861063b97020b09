/*
 * copyin/copyout (machine/copyio.h) in the host build: memcpy within the
 * process, with hooks a test uses to make chosen user addresses fault.
 * The hooks are process-wide and meant to be set while no other thread
 * copies (a test's setup); the counters are atomic.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "machine/copyio.h"
#include "machine/memlayout.h"

#define FAULT_RANGES 8

static struct {
	uintptr_t start, end;
} fault[FAULT_RANGES];
static unsigned nfault;
static uintptr_t user_start, user_end; /* 0, 0: no confinement */
static atomic_long fail_countdown = -1;
static atomic_ulong calls, faults;

void host_copyio_set_user_range(const void *start, size_t len)
{
	user_start = (uintptr_t)start;
	user_end = user_start + len;
}

void host_copyio_fault_range(const void *start, size_t len)
{
	if (nfault < FAULT_RANGES) {
		fault[nfault].start = (uintptr_t)start;
		fault[nfault].end = (uintptr_t)start + len;
		nfault++;
	}
}

void host_copyio_fail_after(long n)
{
	atomic_store(&fail_countdown, n);
}

void host_copyio_reset(void)
{
	nfault = 0;
	user_start = user_end = 0;
	atomic_store(&fail_countdown, -1);
	atomic_store(&calls, 0);
	atomic_store(&faults, 0);
}

unsigned long host_copyio_calls(void)
{
	return atomic_load(&calls);
}

unsigned long host_copyio_faults(void)
{
	return atomic_load(&faults);
}

/* Whether the user range [ADDR, ADDR + N) may be accessed. */
static int user_ok(const void *addr, size_t n)
{
	uintptr_t a = (uintptr_t)addr;
	long left;

	atomic_fetch_add(&calls, 1);
	left = atomic_load(&fail_countdown);
	while (left >= 0) {
		if (left == 0)
			goto bad;
		if (atomic_compare_exchange_weak(&fail_countdown, &left,
		                                 left - 1))
			break;
	}
	if (n == 0)
		return 1;
	if (a + n < a || a < PAGE_SIZE)
		goto bad;
	if (user_end != 0 && (a < user_start || a + n > user_end))
		goto bad;
	for (unsigned i = 0; i < nfault; i++)
		if (a < fault[i].end && a + n > fault[i].start)
			goto bad;
	return 1;
bad:
	atomic_fetch_add(&faults, 1);
	return 0;
}

int copyin(const void *user_src, void *kernel_dst, size_t n)
{
	if (!user_ok(user_src, n))
		return -1;
	if (n != 0)
		memcpy(kernel_dst, user_src, n);
	return 0;
}

int copyout(const void *kernel_src, void *user_dst, size_t n)
{
	if (!user_ok(user_dst, n))
		return -1;
	if (n != 0)
		memcpy(user_dst, kernel_src, n);
	return 0;
}
