/*
 * The kernel's printf family.  One formatter (kvsnprintf-style, writing
 * through a small sink) serves both kprintf, which goes to the machine
 * console, and ksnprintf, which fills a buffer.  kprintf output from
 * different CPUs is serialized by a lock so lines do not interleave.
 */
#include <stdint.h>

#include "kern/printf.h"
#include "kern/spinlock.h"
#include "kern/string.h"
#include "machine/console.h"

/* Where formatted characters go. */
struct sink {
	char *buf;    /* buffer, or NULL for the console */
	size_t size;  /* buffer size */
	size_t len;   /* characters produced so far (even past size) */
	char tmp[64]; /* console output is flushed in chunks */
	size_t ntmp;
};

static void sink_flush(struct sink *s)
{
	if (s->ntmp) {
		machine_console_write(s->tmp, s->ntmp);
		s->ntmp = 0;
	}
}

static void sink_put(struct sink *s, char c)
{
	if (s->buf) {
		if (s->len + 1 < s->size)
			s->buf[s->len] = c;
	} else {
		s->tmp[s->ntmp++] = c;
		if (s->ntmp == sizeof(s->tmp))
			sink_flush(s);
	}
	s->len++;
}

static void sink_repeat(struct sink *s, char c, int n)
{
	while (n-- > 0)
		sink_put(s, c);
}

/* A conversion's flags, width and precision. */
struct spec {
	int left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
};

static void put_number(struct sink *s, const struct spec *sp, uint64_t v,
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
	prefix_len = (int)strlen(prefix);

	pad = sp->width - prefix_len - zeros - n;
	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!sp->left)
		sink_repeat(s, ' ', pad);
	while (*prefix)
		sink_put(s, *prefix++);
	sink_repeat(s, '0', zeros);
	while (n)
		sink_put(s, tmp[--n]);
	if (sp->left)
		sink_repeat(s, ' ', pad);
}

static void put_string(struct sink *s, const struct spec *sp, const char *str)
{
	int n;

	if (!str)
		str = "(null)";
	n = (int)(sp->prec >= 0 ? strnlen(str, (size_t)sp->prec) : strlen(str));
	if (!sp->left)
		sink_repeat(s, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		sink_put(s, str[i]);
	if (sp->left)
		sink_repeat(s, ' ', sp->width - n);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static void format(struct sink *s, const char *fmt, va_list ap)
{
	while (*fmt) {
		struct spec sp = {.prec = -1};
		enum length len = LEN_INT;
		uint64_t u;
		int64_t i;

		if (*fmt != '%') {
			sink_put(s, *fmt++);
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
			sink_repeat(s, ' ', sp.left ? 0 : sp.width - 1);
			sink_put(s, (char)va_arg(ap, int));
			sink_repeat(s, ' ', sp.left ? sp.width - 1 : 0);
			break;
		case 's':
			put_string(s, &sp, va_arg(ap, const char *));
			break;
		case '%':
			sink_put(s, '%');
			break;
		case '\0':
			return;
		default: /* unknown conversion: show it as written */
			sink_put(s, '%');
			sink_put(s, *fmt);
			break;
		}
		fmt++;
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	static char dummy;
	struct sink s = {.buf = size ? buf : &dummy, .size = size};

	format(&s, fmt, ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static spinlock_t console_lock = SPINLOCK_INIT("console");

int kvprintf(const char *fmt, va_list ap)
{
	struct sink s = {0};
	unsigned long flags = 0;
	int reentered = spin_held(&console_lock);

	/* A panic inside kprintf must still get its message out. */
	if (!reentered)
		flags = spin_lock(&console_lock);
	format(&s, fmt, ap);
	sink_flush(&s);
	if (!reentered)
		spin_unlock(&console_lock, flags);
	return (int)s.len;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
