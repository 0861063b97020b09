/*
 * The kernel's printf family on the shared formatter (lib/format.c):
 * kprintf writes to the machine console, ksnprintf fills a buffer.
 * kprintf output from different CPUs is serialized by a lock so lines do
 * not interleave.
 */
#include "kern/printf.h"
#include "kern/spinlock.h"
#include "lib/format.h"
#include "machine/console.h"

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return format_vsnprintf(buf, size, fmt, ap);
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

/* Console output, written in chunks rather than a call per character. */
struct console_sink {
	char tmp[64];
	size_t n;
};

static void console_emit(void *ctx, char c)
{
	struct console_sink *s = ctx;

	s->tmp[s->n++] = c;
	if (s->n == sizeof(s->tmp)) {
		machine_console_write(s->tmp, s->n);
		s->n = 0;
	}
}

static spinlock_t console_lock = SPINLOCK_INIT("console");

int kvprintf(const char *fmt, va_list ap)
{
	struct console_sink s = {.n = 0};
	unsigned long flags = 0;
	int reentered = spin_held(&console_lock);
	int n;

	/* A panic inside kprintf must still get its message out. */
	if (!reentered)
		flags = spin_lock(&console_lock);
	n = format_v(console_emit, &s, fmt, ap);
	if (s.n)
		machine_console_write(s.tmp, s.n);
	if (!reentered)
		spin_unlock(&console_lock, flags);
	return n;
}

void kconsole_write_raw(const char *s, size_t n)
{
	unsigned long flags = spin_lock(&console_lock);

	machine_console_write_raw(s, n);
	spin_unlock(&console_lock, flags);
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
