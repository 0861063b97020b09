/*
 * libFuzzer target for the boot script (kernel/kern/bootscript.c).  The
 * first input byte picks a mode:
 *   even: the rest is text: its first line is the kernel command line,
 *         the others are module lines;
 *   odd:  the rest is a list of tokens (`${`, `$(`, host-port,
 *         task-create, `=`, blanks, newlines, control characters, long
 *         runs ...) joined into that text, so that even a run without a
 *         corpus writes scripts that parse.
 * The script is then parsed and run against a fake task layer whose
 * callbacks fail when the input says so.  Nothing may crash or trip a
 * sanitizer; a refusal comes with a one-line reason; a run calls the
 * callbacks in the promised order with argv that matches the parse.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/bootscript.h"

#define check(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "check failed: %s (line %d)\n", #c,    \
			        __LINE__);                                     \
			abort();                                               \
		}                                                              \
	} while (0)

#define TEXT_MAX  ((BOOTSCRIPT_MAX_LINES + 2) * (BOOTSCRIPT_LINE_MAX + 64))
#define MAX_LINES (BOOTSCRIPT_MAX_LINES + 2)

static const char *const tokens[] = {
    "${",
    "}",
    "$(",
    ")",
    "host-port",
    "device-port",
    "kernel-command-line",
    "task-create",
    "task-resume",
    "prompt-task-resume",
    "=",
    " ",
    "\n",
    "\t",
    "$",
    "t",
    "root",
    "x=",
    "a",
    "/hurd/exec",
    "\x01",
    "\x7f",
    "(",
    "{",
    "root=hd0 ",
    "t=",
};

/* ---- the fake task layer ---- */

static int host_obj, device_obj, task_port_obj[BOOTSCRIPT_MAX_LINES];

struct ftask {
	unsigned line;
	bool loaded, resumed;
	void *ports[BOOTSCRIPT_MAX_WORDS];
	unsigned nports;
};

static struct {
	struct ftask task[BOOTSCRIPT_MAX_LINES];
	uint64_t fail_bits; /* bit N: the Nth callback fails */
	unsigned calls;
	bool resuming; /* a resume was seen: no more creates or loads */
	bool loading;  /* a load was seen: no more creates */
} fk;

static struct bootscript bs;

static int should_fail(void)
{
	unsigned n = fk.calls++;

	return n < 64 && (fk.fail_bits >> n) & 1;
}

static int f_create(void *ctx, unsigned line, void **task, void **port)
{
	(void)ctx;
	check(line < bs.nline && bs.line[line].task_create);
	check(!fk.loading && !fk.resuming);
	if (should_fail())
		return 1;
	fk.task[line] = (struct ftask){.line = line};
	*task = &fk.task[line];
	*port = (fk.calls & 7) == 7 ? NULL : &task_port_obj[line];
	return 0;
}

static int f_insert(void *ctx, void *task, void *port, uint32_t *name)
{
	struct ftask *t = task;
	unsigned i;

	(void)ctx;
	check(t && !t->loaded && !fk.resuming);
	check(port != NULL);
	if (should_fail())
		return 2;
	for (i = 0; i < t->nports; i++)
		if (t->ports[i] == port)
			break;
	if (i == t->nports) {
		check(t->nports < BOOTSCRIPT_MAX_WORDS);
		t->ports[t->nports++] = port;
	}
	/* Now and then a large name, to fill the argv buffer. */
	*name = (fk.calls & 3) == 3 ? 4294967295u : i + 1;
	return 0;
}

static int f_load(void *ctx, unsigned line, void *task, int argc,
                  const char *const *argv)
{
	struct ftask *t = task;
	size_t bytes = 0;

	(void)ctx;
	check(t == &fk.task[line] && !t->loaded && !fk.resuming);
	check(argc >= 1 && (unsigned)argc == bs.line[line].nword);
	check(argv[argc] == NULL);
	for (int i = 0; i < argc; i++) {
		const struct bootscript_word *w = &bs.line[line].word[i];

		check(strncmp(argv[i], w->text, strlen(w->text)) == 0);
		if (w->var < 0)
			check(strcmp(argv[i], w->text) == 0);
		bytes += strlen(argv[i]) + 1;
	}
	check(bytes <= BOOTSCRIPT_ARGS_MAX);
	fk.loading = true;
	if (should_fail())
		return 3;
	t->loaded = true;
	return 0;
}

static int f_resume(void *ctx, void *task, bool prompt)
{
	struct ftask *t = task;

	(void)ctx;
	check(t && t->loaded && !t->resumed);
	check(bs.line[t->line].resume ==
	      (prompt ? BOOTSCRIPT_PROMPT_RESUME : BOOTSCRIPT_RESUME));
	fk.resuming = true;
	if (should_fail())
		return 4;
	t->resumed = true;
	return 0;
}

static const struct bootscript_ops ops = {
    .task_create = f_create,
    .insert_port = f_insert,
    .task_load = f_load,
    .task_resume = f_resume,
};

/* ---- input ---- */

static size_t detokenize(const uint8_t *data, size_t size, char *text)
{
	size_t n = 0;

	for (size_t i = 0; i < size; i++) {
		uint8_t b = data[i];
		const char *tok;
		char lit[2] = {0, 0};
		size_t len, reps = 1;

		if (b < 2 * (sizeof(tokens) / sizeof(tokens[0]))) {
			tok = tokens[b >> 1];
			if (b & 1 && i + 1 < size) /* a long run of it */
				reps = data[++i];
		} else {
			lit[0] = (char)b;
			tok = lit;
		}
		len = strlen(tok);
		while (reps-- > 0 && len && n + len < TEXT_MAX) {
			memcpy(text + n, tok, len);
			n += len;
		}
	}
	text[n] = '\0';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[TEXT_MAX + 1];
	const char *lines[MAX_LINES];
	const char *cl;
	struct bootscript_env env = {&host_obj, &device_obj};
	unsigned nlines = 0;
	char err[200], *p;
	int rc;

	if (size < 9)
		return 0;
	memset(&fk, 0, sizeof(fk));
	memcpy(&fk.fail_bits, data + 1, 8);
	/* Callbacks fail rarely: keep only some of the bits. */
	fk.fail_bits &= fk.fail_bits >> 17 & fk.fail_bits >> 33;
	if (data[0] & 1) {
		detokenize(data + 9, size - 9, text);
	} else {
		size_t n = size - 9 < TEXT_MAX ? size - 9 : TEXT_MAX;

		memcpy(text, data + 9, n);
		text[n] = '\0'; /* a NUL inside ends the text early */
	}
	if (data[0] & 2)
		env.device_port = NULL;
	/* Line 0 is the kernel command line; the rest, module lines. */
	cl = text;
	p = strchr(text, '\n');
	while (p && nlines < MAX_LINES) {
		*p++ = '\0';
		lines[nlines++] = p;
		p = strchr(p, '\n');
	}

	err[0] = '\0';
	rc = bootscript_parse(&bs, cl, lines, nlines, err, sizeof(err));
	if (rc != BOOTSCRIPT_OK) {
		check(rc >= BOOTSCRIPT_ELIMIT && rc <= BOOTSCRIPT_EVARIABLE);
		check(err[0] != '\0');
		for (const char *e = err; *e; e++)
			check((unsigned char)*e >= 0x20 && *e != 0x7f);
		check(bootscript_parse(&bs, cl, lines, nlines, NULL, 0) == rc);
		return 0;
	}
	check(bs.nline == nlines);
	for (unsigned i = 0; i < bs.nline; i++) {
		const struct bootscript_line *l = &bs.line[i];

		check(l->nword <= BOOTSCRIPT_MAX_WORDS);
		check(!l->task_create || l->nword >= 1);
		check(l->resume == BOOTSCRIPT_NO_RESUME || l->task_create);
		for (unsigned w = 0; w < l->nword; w++)
			check(l->word[w].var < (int)bs.nvar);
	}
	for (unsigned v = 0; v < bs.nvar; v++)
		check(bs.var[v].set_by != BOOTSCRIPT_SET_BY_NONE);

	err[0] = '\0';
	rc = bootscript_run(&bs, &ops, NULL, &env, err, sizeof(err));
	if (rc != BOOTSCRIPT_OK) {
		check(rc == BOOTSCRIPT_ECALLBACK ||
		      rc == BOOTSCRIPT_EVARIABLE || rc == BOOTSCRIPT_ELIMIT);
		check(err[0] != '\0' && strchr(err, '\n') == NULL);
		return 0;
	}
	for (unsigned i = 0; i < bs.nline; i++) {
		const struct bootscript_line *l = &bs.line[i];

		check(!l->task_create || fk.task[i].loaded);
		check((l->resume != BOOTSCRIPT_NO_RESUME) ==
		      (l->task_create && fk.task[i].resumed));
	}
	return 0;
}
