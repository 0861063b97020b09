/*
 * Parsing of the kernel command line into options, and of the options
 * the kernel itself understands.  Everything here runs at boot on text
 * from the boot loader, so every malformed input ends in an error
 * message, never in a fault.
 */
#include "kern/cmdline.h"
#include "kern/printf.h"
#include "kern/string.h"

static int fail(char *err, size_t errlen, const char *what, const char *at)
{
	if (at)
		ksnprintf(err, errlen, "%s at \"%.20s\"", what, at);
	else
		ksnprintf(err, errlen, "%s", what);
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cmdline_parse(struct cmdline *cl, const char *text, char *err,
                  size_t errlen)
{
	const char *p = text ? text : "";
	char *out = cl->buf;

	cl->nopt = 0;
	if (strnlen(p, CMDLINE_MAX + 1) > CMDLINE_MAX)
		return fail(err, errlen, "command line too long", NULL);

	for (;;) {
		struct cmdline_opt *o;
		const char *word = p;

		while (is_blank(*p))
			p++;
		if (!*p)
			return 0;
		word = p;
		if (cl->nopt == CMDLINE_MAX_OPTS)
			return fail(err, errlen, "too many options", word);
		o = &cl->opt[cl->nopt];
		o->key = out;
		o->value = NULL;
		/* The key runs up to '=', a blank or the end. */
		while (*p && *p != '=' && !is_blank(*p)) {
			if (*p == '"')
				return fail(err, errlen, "quote in option name",
				            word);
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return fail(err, errlen, "control character",
				            word);
			*out++ = *p++;
		}
		if (out == o->key)
			return fail(err, errlen, "option without a name", word);
		*out++ = '\0';
		if (*p == '=') {
			p++;
			o->value = out;
			if (*p == '"') {
				const char *q = p++;

				while (*p && *p != '"') {
					if ((unsigned char)*p < 0x20 ||
					    *p == 0x7f)
						return fail(err, errlen,
						            "control character",
						            word);
					*out++ = *p++;
				}
				if (*p != '"')
					return fail(err, errlen,
					            "unterminated quote", q);
				p++;
				if (*p && !is_blank(*p))
					return fail(err, errlen,
					            "text after closing quote",
					            q);
			} else {
				while (*p && !is_blank(*p)) {
					if ((unsigned char)*p < 0x20 ||
					    *p == 0x7f)
						return fail(err, errlen,
						            "control character",
						            word);
					*out++ = *p++;
				}
			}
			*out++ = '\0';
		}
		cl->nopt++;
	}
}

const char *cmdline_get(const struct cmdline *cl, const char *key)
{
	for (unsigned i = cl->nopt; i-- > 0;)
		if (strcmp(cl->opt[i].key, key) == 0)
			return cl->opt[i].value ? cl->opt[i].value : "";
	return NULL;
}

bool cmdline_has(const struct cmdline *cl, const char *key)
{
	return cmdline_get(cl, key) != NULL;
}

int cmdline_get_uint(const struct cmdline *cl, const char *key, uint64_t def,
                     uint64_t min, uint64_t max, uint64_t *out, char *err,
                     size_t errlen)
{
	const char *v = cmdline_get(cl, key), *p;
	unsigned base = 10;
	uint64_t n = 0;

	if (!v) {
		*out = def;
		return 0;
	}
	p = v;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p) {
		ksnprintf(err, errlen, "%s: a number is needed", key);
		return -1;
	}
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else {
			ksnprintf(err, errlen, "%s=%s: not a number", key, v);
			return -1;
		}
		if (n > (UINT64_MAX - d) / base) {
			ksnprintf(err, errlen, "%s=%s: too large", key, v);
			return -1;
		}
		n = n * base + d;
	}
	if (n < min || n > max) {
		ksnprintf(err, errlen, "%s=%s: must be %llu..%llu", key, v,
		          (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = n;
	return 0;
}

int boot_options_parse(const struct cmdline *cl, struct boot_options *opt,
                       char *err, size_t errlen)
{
	const char *console = cmdline_get(cl, "console");
	uint64_t hz;

	if (cmdline_get_uint(cl, "hz", BOOT_HZ_DEFAULT, 10, 10000, &hz, err,
	                     errlen) < 0)
		return -1;
	opt->hz = (unsigned)hz;
	opt->selftest = cmdline_has(cl, "selftest");
	opt->qemu_exit = cmdline_has(cl, "qemu_exit");
	opt->debug_crash = DEBUG_CRASH_NONE;
	if (cmdline_has(cl, "debug_crash")) {
		const char *v = cmdline_get(cl, "debug_crash");

		if (strcmp(v, "panic") == 0)
			opt->debug_crash = DEBUG_CRASH_PANIC;
		else if (strcmp(v, "fault") == 0)
			opt->debug_crash = DEBUG_CRASH_FAULT;
		else {
			ksnprintf(err, errlen,
			          "debug_crash=%s: expected panic or fault", v);
			return -1;
		}
	}
	/* GNU Mach's spelling: console=com0 is the first serial port. */
	opt->console_com = 0;
	if (console) {
		if (strncmp(console, "com", 3) == 0 && console[3] >= '0' &&
		    console[3] <= '3' && console[4] == '\0')
			opt->console_com = console[3] - '0';
		else {
			ksnprintf(err, errlen,
			          "console=%s: expected com0..com3", console);
			return -1;
		}
	}
	return 0;
}
