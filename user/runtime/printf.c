/*
 * user/runtime/printf.c — printf-style formatting and console output.
 * One formatter (format()) feeds either a string (snprintf) or an output
 * buffer that is written to the console device, or to the mach_print
 * trap while no console is open.  No global state: threads may print.
 */
#include <device/device_types.h>
#include <machr/runtime.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*emit_fn)(void *ctx, char c);

struct spec {
	int left, zero, plus, space, alt;
	int width, prec; /* prec < 0: none */
};

static void pad(emit_fn emit, void *ctx, char c, int n)
{
	while (n-- > 0)
		emit(ctx, c);
}

/* Emit an integer: magnitude V, sign NEG, in BASE (UPPER for %X). */
static int emit_number(emit_fn emit, void *ctx, const struct spec *sp,
                       uint64_t v, int neg, unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0, len, zeros, total;
	const char *prefix = "";
	int is_zero = v == 0;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->prec == 0 && n == 1 && buf[0] == '0')
		n = 0; /* "%.0d" of 0 prints nothing */
	if (neg)
		prefix = "-";
	else if (sp->plus)
		prefix = "+";
	else if (sp->space)
		prefix = " ";
	if (sp->alt && base == 16 && !is_zero)
		prefix = upper ? "0X" : "0x";
	if (sp->alt && base == 8 && (n == 0 || buf[n - 1] != '0'))
		buf[n++] = '0';
	zeros = sp->prec > n ? sp->prec - n : 0;
	len = (int)strlen(prefix) + zeros + n;
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > len) {
		zeros += sp->width - len;
		len = sp->width;
	}
	total = len > sp->width ? len : sp->width;
	if (!sp->left)
		pad(emit, ctx, ' ', sp->width - len);
	while (*prefix)
		emit(ctx, *prefix++);
	pad(emit, ctx, '0', zeros);
	while (n)
		emit(ctx, buf[--n]);
	if (sp->left)
		pad(emit, ctx, ' ', sp->width - len);
	return total;
}

static int format(emit_fn emit, void *ctx, const char *fmt, va_list ap)
{
	int count = 0;

	for (; *fmt; fmt++) {
		struct spec sp = {.prec = -1};
		int lng = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long */
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			emit(ctx, *fmt);
			count++;
			continue;
		}
		for (;; fmt++) {
			char f = fmt[1];
			if (f == '-')
				sp.left = 1;
			else if (f == '0')
				sp.zero = 1;
			else if (f == '+')
				sp.plus = 1;
			else if (f == ' ')
				sp.space = 1;
			else if (f == '#')
				sp.alt = 1;
			else
				break;
		}
		fmt++;
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0)
				sp.left = 1, sp.width = -sp.width;
			fmt++;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			sp.width = sp.width * 10 + (*fmt - '0');
		if (*fmt == '.') {
			sp.prec = 0;
			if (*++fmt == '*') {
				sp.prec = va_arg(ap, int);
				fmt++;
			}
			for (; *fmt >= '0' && *fmt <= '9'; fmt++)
				sp.prec = sp.prec * 10 + (*fmt - '0');
		}
		for (;; fmt++) {
			if (*fmt == 'h')
				lng--;
			else if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
				lng = 1;
			else
				break;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng > 0 ? va_arg(ap, long) : va_arg(ap, int);
			if (lng == -1)
				s = (short)s;
			if (lng == -2)
				s = (signed char)s;
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			count += emit_number(emit, ctx, &sp, u, s < 0, 10, 0);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = lng > 0 ? va_arg(ap, unsigned long)
			            : va_arg(ap, unsigned int);
			if (lng == -1)
				u = (unsigned short)u;
			if (lng == -2)
				u = (unsigned char)u;
			count += emit_number(emit, ctx, &sp, u, 0,
			                     *fmt == 'o'   ? 8
			                     : *fmt == 'u' ? 10
			                                   : 16,
			                     *fmt == 'X');
			break;
		case 'p':
			sp.alt = 1;
			count += emit_number(emit, ctx, &sp,
			                     (uintptr_t)va_arg(ap, void *), 0,
			                     16, 0);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!sp.left)
				pad(emit, ctx, ' ', sp.width - 1);
			emit(ctx, c);
			if (sp.left)
				pad(emit, ctx, ' ', sp.width - 1);
			count += sp.width > 1 ? sp.width : 1;
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			int len;
			if (!str)
				str = "(null)";
			len = (int)strnlen(str, sp.prec < 0 ? (size_t)-1
			                                    : (size_t)sp.prec);
			if (!sp.left)
				pad(emit, ctx, ' ', sp.width - len);
			for (int i = 0; i < len; i++)
				emit(ctx, str[i]);
			if (sp.left)
				pad(emit, ctx, ' ', sp.width - len);
			count += len > sp.width ? len : sp.width;
			break;
		}
		case '%':
			emit(ctx, '%');
			count++;
			break;
		case '\0':
			return count; /* lone '%' at the end */
		default:              /* unknown conversion: print it as is */
			emit(ctx, '%');
			emit(ctx, *fmt);
			count += 2;
			break;
		}
	}
	return count;
}

/* --- snprintf --- */

struct strbuf {
	char *buf;
	size_t size, len;
};

static void emit_str(void *ctx, char c)
{
	struct strbuf *sb = ctx;

	if (sb->len + 1 < sb->size)
		sb->buf[sb->len] = c;
	sb->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct strbuf sb = {buf, size, 0};
	int n = format(emit_str, &sb, fmt, ap);

	if (size)
		buf[sb.len < size ? sb.len : size - 1] = '\0';
	return n;
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
	n = format(emit_out, &ob, fmt, ap);
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
