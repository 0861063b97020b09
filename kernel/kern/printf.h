/*
 * Kernel formatted output.  kprintf() writes to the machine console
 * (machine_console_write); ksnprintf() formats into a buffer.  The
 * conversions are lib/format.h's (C's integer, string and pointer ones).
 */
#ifndef KERN_PRINTF_H
#define KERN_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

#include "kern/compiler.h"

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printflike(3, 4);
int kvprintf(const char *fmt, va_list ap);
int kprintf(const char *fmt, ...) __printflike(1, 2);

/*
 * kconsole_write_raw: write N bytes to the console as they are (no "\r"
 * added), as one piece: with several CPUs, never interleaved with a
 * kprintf or another write (the console device's writes come here).
 * Locks: takes the console lock; not to be called with it held.
 */
void kconsole_write_raw(const char *s, size_t n);

#endif
