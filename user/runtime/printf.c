/*
 * user/runtime/printf.c — printf-style formatting and console output.
 * The formatter is lib/format.c, shared with the kernel; here it feeds
 * either a string (snprintf) or an output buffer that is written to the
 * console device, or to the mach_print trap while no console is open.
 * No global state: threads may print.
 */
#include <device/device_types.h>
#include <machr/runtime.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/format.h"

/* --- snprintf --- */

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return format_vsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* --- console output --- */

struct outbuf {
	size_t len;
	char buf[IO_INBAND_MAX + 1]; /* +1 for mach_print's NUL */
};

static void out_write(const char *s, size_t n)
{
	if (machr_console != MACH_PORT_NULL) {
		machr_console_write(s, n);
	} else {
		char tmp[IO_INBAND_MAX + 1];
		while (n) {
			size_t k = n < IO_INBAND_MAX ? n : IO_INBAND_MAX;
			memcpy(tmp, s, k);
			tmp[k] = '\0';
			mach_print(tmp);
			s += k;
			n -= k;
		}
	}
}

static void emit_out(void *ctx, char c)
{
	struct outbuf *ob = ctx;

	ob->buf[ob->len++] = c;
	if (ob->len == IO_INBAND_MAX) {
		out_write(ob->buf, ob->len);
		ob->len = 0;
	}
}

int vprintf(const char *fmt, va_list ap)
{
	struct outbuf ob;
	int n;

	ob.len = 0;
	n = format_v(emit_out, &ob, fmt, ap);
	if (ob.len)
		out_write(ob.buf, ob.len);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}

int putchar(int c)
{
	char ch = (char)c;

	out_write(&ch, 1);
	return (unsigned char)c;
}
