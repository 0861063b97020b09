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

#include "kern/compiler.h"
#include "machine/memlayout.h"

/*
 * arch/x86_64/usercopy.S: the copy between a range of user space and the
 * kernel, called from inline assembly: user_copy copies %rdx bytes,
 * user_copy_quads %rcx 8-byte words, from %rsi to %rdi; ZF set when it
 * is done, clear after a fault it could not resolve.  They change %rcx,
 * %rsi, %rdi and the flags only, so the compiler keeps its other
 * registers across the call (the kernel has no red zone below %rsp for
 * the call to clobber) and branches on the flag.  "memory": the copy
 * writes memory, and a fault may run vm_fault meanwhile.
 * user_copy_bytes and user_copy_words call them (C names of their own:
 * a C function named like the symbol would be what the call reaches).
 * Returns: 0, or -1 after a fault.
 */
static __always_inline int user_copy_bytes(void *dst, const void *src, size_t n)
{
	unsigned long count;
	bool done;

	__asm__ volatile("call user_copy"
	                 : "=@ccz"(done), "+D"(dst), "+S"(src), "=c"(count)
	                 : "d"(n)
	                 : "memory");
	return done ? 0 : -1;
}

static __always_inline int user_copy_words(void *dst, const void *src,
                                           size_t words)
{
	bool done;

	__asm__ volatile("call user_copy_quads"
	                 : "=@ccz"(done), "+D"(dst), "+S"(src), "+c"(words)
	                 :
	                 : "memory");
	return done ? 0 : -1;
}

/* Whether [ADDR, ADDR + N) lies in user space (and does not wrap): one
 * comparison when N is known to be small. */
static inline bool user_range_ok(const void *addr, size_t n)
{
	return n <= USER_MAX_ADDRESS && (uintptr_t)addr <= USER_MAX_ADDRESS - n;
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
	return user_copy_bytes(kernel_dst, user_src, n);
}

static inline int copyout(const void *kernel_src, void *user_dst, size_t n)
{
	if (n == 0)
		return 0;
	if (!user_range_ok(user_dst, n))
		return -1;
	return user_copy_bytes(user_dst, kernel_src, n);
}

/*
 * copyin_quads: copyin of N bytes, N a multiple of 8 and not 0 (a
 * message), in 8-byte words.
 * Locks, returns: as copyin.
 */
static inline int copyin_quads(const void *user_src, void *kernel_dst, size_t n)
{
	if (!user_range_ok(user_src, n))
		return -1;
	return user_copy_words(kernel_dst, user_src, n / 8);
}

#endif
