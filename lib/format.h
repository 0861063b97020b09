/*
 * printf-style formatting through a per-character callback (format.c);
 * the kernel and the user runtime build their printf families on it.
 */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each formatted character in order. */
typedef void (*format_emit_fn)(void *ctx, char c);

/*
 * format_v: format FMT with AP, handing every character to EMIT(CTX, c).
 * Returns the number of characters produced.
 */
int format_v(format_emit_fn emit, void *ctx, const char *fmt, va_list ap);

/*
 * format_vsnprintf: vsnprintf's contract: format into BUF, writing at
 * most SIZE bytes including the terminating NUL (nothing when SIZE is 0).
 * Returns the length the whole output would have had.
 */
int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
