/*
 * <stdio.h> — formatted output of the runtime (user/runtime/printf.c).
 * Each call is formatted in its own buffer (no shared state between
 * threads) and written in as few pieces as possible to the console device once
 * machr_console_open() succeeded, else to the mach_print trap.
 * Conversions: d i u x X o c s p %, flags - 0 + space #, width and
 * precision (also *), length hh h l ll z t j.
 */
#ifndef MACHR_STDIO_H
#define MACHR_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int puts(const char *s);
int putchar(int c);

#endif
