/*
 * Compiler helpers shared by every part of the kernel, on the machine
 * and in the host build alike.  Nothing here depends on the architecture.
 */
#ifndef KERN_COMPILER_H
#define KERN_COMPILER_H

#define likely(x)          __builtin_expect(!!(x), 1)
#define unlikely(x)        __builtin_expect(!!(x), 0)
#define __noreturn         __attribute__((noreturn))
#define __packed           __attribute__((packed))
#define __aligned(n)       __attribute__((aligned(n)))
#define __unused           __attribute__((unused))
#define __printflike(f, a) __attribute__((format(printf, f, a)))

/* The C library of the host build may define it already, the same way. */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif

#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)   (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define MIN(a, b)        ((a) < (b) ? (a) : (b))
#define MAX(a, b)        ((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member)                                        \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define STATIC_ASSERT(c, msg) _Static_assert(c, msg)

#endif
