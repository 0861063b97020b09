/*
 * Memory and string routines shared by the kernel and the user runtime.
 * Built with -fno-builtin -fno-tree-loop-distribute-patterns (see the
 * makefiles) so that the compiler does not turn these loops back into
 * calls to themselves.  The host build uses the C library's instead.
 */
#include <stdint.h>

#include "lib/string.h"

/*
 * Bulk copies and fills use the string instructions: one `rep movsq` or
 * `rep stosq` moves eight bytes per step, which is also what an emulator
 * runs fastest (and what -icount counts: one per step).
 */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *d = dst;
	size_t words = n / 8, rest = n % 8;

	__asm__ volatile("rep movsq"
	                 : "+D"(d), "+S"(src), "+c"(words)
	                 :
	                 : "memory");
	__asm__ volatile("rep movsb"
	                 : "+D"(d), "+S"(src), "+c"(rest)
	                 :
	                 : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--) /* overlapping, destination above: copy backwards */
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t words = n / 8, rest = n % 8;
	uint64_t pattern = (unsigned char)c * 0x0101010101010101ull;

	__asm__ volatile("rep stosq"
	                 : "+D"(d), "+c"(words)
	                 : "a"(pattern)
	                 : "memory");
	__asm__ volatile("rep stosb"
	                 : "+D"(d), "+c"(rest)
	                 : "a"(pattern)
	                 : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strcpy(char *restrict dst, const char *restrict src)
{
	char *d = dst;

	while ((*d++ = *src++))
		;
	return dst;
}

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = 0;
	return dst;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *hit = NULL;

	for (;; s++) {
		if (*s == (char)c)
			hit = s;
		if (!*s)
			return (char *)hit;
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
