/*
 * printf-style formatting, shared by the kernel (kern/printf.c) and the
 * user runtime (user/runtime/printf.c): one formatter, and each side
 * supplies where the characters go.  Freestanding: it needs no library.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, with flags '-', '0', '+',
 * ' ', '#', a width and a precision (either may be '*'), and the length
 * modifiers hh h l ll z t j, all with C's meaning.  No floating point.
 */
#include <stdint.h>

#include "lib/format.h"

/* The destination and the count of characters produced. */
struct out {
	format_emit_fn emit;
	void *ctx;
	int count;
};

static void out_put(struct out *s, char c)
{
	s->emit(s->ctx, c);
	s->count++;
}

static void out_repeat(struct out *s, char c, int n)
{
	while (n-- > 0)
		out_put(s, c);
}

static int str_len(const char *p, int max)
{
	int n = 0;

	while ((max < 0 || n < max) && p[n])
		n++;
	return n;
}

/* A conversion's flags, width and precision. */
struct spec {
	int left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
};

static void put_number(struct out *s, const struct spec *sp, uint64_t v,
                       int negative, int is_signed, unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, prefix_len, zeros, pad;
	const char *prefix = "";
	int is_zero = v == 0;

	if (!(is_zero && sp->prec == 0))
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	zeros = sp->prec > n ? sp->prec - n : 0;

	if (negative)
		prefix = "-";
	else if (sp->plus && is_signed)
		prefix = "+";
	else if (sp->space && is_signed)
		prefix = " ";
	else if (sp->alt && base == 16 && !is_zero)
		prefix = upper ? "0X" : "0x";
	else if (sp->alt && base == 8 && zeros == 0 &&
	         (n == 0 || tmp[n - 1] != '0'))
		prefix = "0"; /* '#' makes the first digit a zero */
	prefix_len = str_len(prefix, -1);

	pad = sp->width - prefix_len - zeros - n;
	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!sp->left)
		out_repeat(s, ' ', pad);
	while (*prefix)
		out_put(s, *prefix++);
	out_repeat(s, '0', zeros);
	while (n)
		out_put(s, tmp[--n]);
	if (sp->left)
		out_repeat(s, ' ', pad);
}

static void put_string(struct out *s, const struct spec *sp, const char *str)
{
	int n;

	if (!str)
		str = "(null)";
	n = str_len(str, sp->prec);
	if (!sp->left)
		out_repeat(s, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		out_put(s, str[i]);
	if (sp->left)
		out_repeat(s, ' ', sp->width - n);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

int format_v(format_emit_fn emit, void *ctx, const char *fmt, va_list ap)
{
	struct out out = {emit, ctx, 0}, *s = &out;

	while (*fmt) {
		struct spec sp = {.prec = -1};
		enum length len = LEN_INT;
		uint64_t u;
		int64_t i;

		if (*fmt != '%') {
			out_put(s, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = 1;
			else if (*fmt == '0')
				sp.zero = 1;
			else if (*fmt == '+')
				sp.plus = 1;
			else if (*fmt == ' ')
				sp.space = 1;
			else if (*fmt == '#')
				sp.alt = 1;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = 1;
				sp.width = -sp.width;
			}
			fmt++;
		} else
			while (*fmt >= '0' && *fmt <= '9')
				sp.width = sp.width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			sp.prec = 0;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
				fmt++;
			} else
				while (*fmt >= '0' && *fmt <= '9')
					sp.prec = sp.prec * 10 + (*fmt++ - '0');
		}
		switch (*fmt) {
		case 'h':
			len = fmt[1] == 'h' ? (fmt++, LEN_CHAR) : LEN_SHORT;
			fmt++;
			break;
		case 'l':
			len = fmt[1] == 'l' ? (fmt++, LEN_LLONG) : LEN_LONG;
			fmt++;
			break;
		case 'z':
		case 't':
		case 'j':
			len = LEN_SIZE;
			fmt++;
			break;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			switch (len) {
			case LEN_CHAR:
				i = (signed char)va_arg(ap, int);
				break;
			case LEN_SHORT:
				i = (short)va_arg(ap, int);
				break;
			case LEN_INT:
				i = va_arg(ap, int);
				break;
			default:
				i = va_arg(ap, int64_t);
				break;
			}
			put_number(s, &sp, i < 0 ? -(uint64_t)i : (uint64_t)i,
			           i < 0, 1, 10, 0);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			switch (len) {
			case LEN_CHAR:
				u = (unsigned char)va_arg(ap, unsigned);
				break;
			case LEN_SHORT:
				u = (unsigned short)va_arg(ap, unsigned);
				break;
			case LEN_INT:
				u = va_arg(ap, unsigned);
				break;
			default:
				u = va_arg(ap, uint64_t);
				break;
			}
			put_number(s, &sp, u, 0, 0,
			           *fmt == 'o'   ? 8
			           : *fmt == 'u' ? 10
			                         : 16,
			           *fmt == 'X');
			break;
		case 'p':
			sp.alt = 1;
			put_number(s, &sp, (uintptr_t)va_arg(ap, void *), 0, 0,
			           16, 0);
			break;
		case 'c':
			sp.prec = -1;
			out_repeat(s, ' ', sp.left ? 0 : sp.width - 1);
			out_put(s, (char)va_arg(ap, int));
			out_repeat(s, ' ', sp.left ? sp.width - 1 : 0);
			break;
		case 's':
			put_string(s, &sp, va_arg(ap, const char *));
			break;
		case '%':
			out_put(s, '%');
			break;
		case '\0':
			return out.count;
		default: /* unknown conversion: show it as written */
			out_put(s, '%');
			out_put(s, *fmt);
			break;
		}
		fmt++;
	}
	return out.count;
}

/* A buffer being filled by format_vsnprintf; characters past `size` are
 * counted but dropped. */
struct buf_sink {
	char *buf;
	size_t size, len;
};

static void buf_emit(void *ctx, char c)
{
	struct buf_sink *b = ctx;

	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = {buf, size, 0};
	int n = format_v(buf_emit, &b, fmt, ap);

	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}
