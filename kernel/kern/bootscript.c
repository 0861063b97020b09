/*
 * The boot script (kern/bootscript.h has the language): a parser that
 * turns each module line into argv words and directives, checking
 * everything against fixed limits, and an evaluator that drives the task
 * code through callbacks.  The lines come from the boot loader, so every
 * malformed one ends in an error code and a one-line reason.
 */
#include "kern/bootscript.h"
#include "kern/compiler.h"
#include "kern/printf.h"
#include "kern/string.h"

static const char *const predefined[BOOTSCRIPT_NPREDEFINED] = {
    [BOOTSCRIPT_VAR_HOST_PORT] = "host-port",
    [BOOTSCRIPT_VAR_DEVICE_PORT] = "device-port",
    [BOOTSCRIPT_VAR_KERNEL_COMMAND_LINE] = "kernel-command-line",
};

/* The state of parsing. */
struct parser {
	struct bootscript *bs;
	const char *kernel_cl; /* the kernel command line, never NULL */
	unsigned lineno;       /* index of the line being parsed */
	const char *line;
	char *err;
	size_t errlen;
};

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __printflike(4, 5);

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		kvsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/*
 * Fail on the current line, quoting the text at AT (if any): at most 24
 * bytes, up to the end of the line, control characters (tabs and
 * newlines included) shown as '?', so that the reason stays one line.
 */
static int parse_fail(struct parser *ps, int code, const char *at,
                      const char *what)
{
	char quote[25];
	size_t n = 0;

	if (!at || !*at)
		return fail(ps->err, ps->errlen, code, "module line %u: %s",
		            ps->lineno, what);
	for (; n < sizeof(quote) - 1 && at[n]; n++)
		quote[n] = ((unsigned char)at[n] < 0x20 || at[n] == 0x7f)
		               ? '?'
		               : at[n];
	quote[n] = '\0';
	return fail(ps->err, ps->errlen, code, "module line %u: %s at \"%s\"",
	            ps->lineno, what, quote);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_control(char c)
{
	return ((unsigned char)c < 0x20 && !is_blank(c)) || c == 0x7f;
}

/* GNU Mach takes `${a/b}` (set by a/b=c on the kernel command line). */
static bool is_name_char(char c)
{
	return !is_blank(c) && !is_control(c) && c != '\0' && c != '$' &&
	       c != '{' && c != '}' && c != '(' && c != ')' && c != '=';
}

/*
 * The value of NAME (LEN bytes) on the kernel command line CL: the text
 * after the '=' of the first blank-separated word "NAME=...", or NULL.
 * *VLEN gets its length.  Quotes mean nothing (as on GNU Mach).
 */
static const char *cmdline_value(const char *cl, const char *name, size_t len,
                                 size_t *vlen)
{
	const char *p = cl;

	for (;;) {
		const char *word;

		while (is_blank(*p))
			p++;
		if (!*p)
			return NULL;
		word = p;
		while (*p && !is_blank(*p))
			p++;
		if ((size_t)(p - word) > len && word[len] == '=' &&
		    strncmp(word, name, len) == 0) {
			*vlen = (size_t)(p - word) - len - 1;
			return word + len + 1;
		}
	}
}

/* The index of variable NAME (LEN bytes), added if new; -1 when full. */
static int var_intern(struct bootscript *bs, const char *name, size_t len)
{
	struct bootscript_var *v;

	for (unsigned i = 0; i < bs->nvar; i++)
		if (strncmp(bs->var[i].name, name, len) == 0 &&
		    bs->var[i].name[len] == '\0')
			return (int)i;
	if (bs->nvar == BOOTSCRIPT_MAX_VARS)
		return -1;
	v = &bs->var[bs->nvar];
	memcpy(v->name, name, len);
	v->name[len] = '\0';
	v->set_by = BOOTSCRIPT_SET_BY_NONE;
	v->first_use = -1;
	v->value.type = BOOTSCRIPT_UNSET;
	return (int)bs->nvar++;
}

/*
 * Read the name that starts at *P: name characters up to END, '=', a
 * blank or the end of the line, which the caller judges.  On success *P
 * points at that character and *NAME, *LEN give the name.
 */
static int parse_name(struct parser *ps, const char **p, char end,
                      const char **name, size_t *len)
{
	const char *start = *p, *q = start;

	while (*q && *q != end && *q != '=' && !is_blank(*q)) {
		if (!is_name_char(*q))
			return parse_fail(ps, BOOTSCRIPT_ESYNTAX, q,
			                  "bad character in a name");
		q++;
	}
	if (q == start)
		return parse_fail(ps, BOOTSCRIPT_ESYNTAX, start - 2,
		                  "empty name");
	if ((size_t)(q - start) > BOOTSCRIPT_NAME_MAX)
		return parse_fail(ps, BOOTSCRIPT_ELIMIT, start,
		                  "name too long");
	*name = start;
	*len = (size_t)(q - start);
	*p = q;
	return BOOTSCRIPT_OK;
}

/* Copy LEN bytes of TEXT and a NUL into the script's storage. */
static int store_text(struct parser *ps, const char *text, size_t len,
                      const char **out)
{
	struct bootscript *bs = ps->bs;

	if (sizeof(bs->text) - bs->ntext < len + 1)
		return parse_fail(ps, BOOTSCRIPT_ELIMIT, NULL,
		                  "script too long");
	memcpy(bs->text + bs->ntext, text, len);
	bs->text[bs->ntext + len] = '\0';
	*out = bs->text + bs->ntext;
	bs->ntext += len + 1;
	return BOOTSCRIPT_OK;
}

/* Append an argv word: the LEN bytes at TEXT, then variable VAR (>= 0). */
static int add_word(struct parser *ps, const char *text, size_t len, int var)
{
	struct bootscript_line *l = &ps->bs->line[ps->lineno];
	struct bootscript_word *w;

	if (l->nword == BOOTSCRIPT_MAX_WORDS)
		return parse_fail(ps, BOOTSCRIPT_ELIMIT, text,
		                  "too many words");
	w = &l->word[l->nword];
	w->var = var;
	if (store_text(ps, text, len, &w->text) != BOOTSCRIPT_OK)
		return BOOTSCRIPT_ELIMIT;
	l->nword++;
	return BOOTSCRIPT_OK;
}

/* `${name}` at *P (past "${"); the word's literal prefix is PRE, PRELEN. */
static int parse_reference(struct parser *ps, const char **p, const char *pre,
                           size_t prelen)
{
	struct bootscript *bs = ps->bs;
	const char *name;
	size_t len;
	int rc, var;

	rc = parse_name(ps, p, '}', &name, &len);
	if (rc != BOOTSCRIPT_OK)
		return rc;
	if (**p != '}')
		return parse_fail(ps, BOOTSCRIPT_ESYNTAX, name - 2,
		                  **p == '=' ? "'=' in a variable name"
		                             : "unterminated ${");
	(*p)++;
	var = var_intern(bs, name, len);
	if (var < 0)
		return parse_fail(ps, BOOTSCRIPT_ELIMIT, name,
		                  "too many variables");
	if (bs->var[var].first_use < 0)
		bs->var[var].first_use = (int)ps->lineno;
	return add_word(ps, pre, prelen, var);
}

static int set_variable(struct parser *ps, const char *name, size_t len)
{
	struct bootscript *bs = ps->bs;
	int var = var_intern(bs, name, len);
	size_t vlen;

	if (var < 0)
		return parse_fail(ps, BOOTSCRIPT_ELIMIT, name,
		                  "too many variables");
	if (var < BOOTSCRIPT_NPREDEFINED)
		return parse_fail(ps, BOOTSCRIPT_EVARIABLE, name,
		                  "a predefined variable cannot be set");
	if (cmdline_value(ps->kernel_cl, name, len, &vlen))
		return fail(ps->err, ps->errlen, BOOTSCRIPT_EVARIABLE,
		            "module line %u: variable '%s' is already set on "
		            "the kernel command line",
		            ps->lineno, bs->var[var].name);
	if (bs->var[var].set_by >= 0)
		return fail(ps->err, ps->errlen, BOOTSCRIPT_EVARIABLE,
		            "module line %u: variable '%s' is already set by "
		            "module line %d",
		            ps->lineno, bs->var[var].name, bs->var[var].set_by);
	bs->var[var].set_by = (int)ps->lineno;
	bs->line[ps->lineno].task_var = var;
	return BOOTSCRIPT_OK;
}

/* `$(fn)` or `$(var=fn)` at *P (past "$("). */
static int parse_directive(struct parser *ps, const char **p)
{
	struct bootscript_line *l = &ps->bs->line[ps->lineno];
	const char *start = *p - 2, *var = NULL, *fn;
	size_t varlen = 0, fnlen;
	int rc;

	rc = parse_name(ps, p, ')', &fn, &fnlen);
	if (rc != BOOTSCRIPT_OK)
		return rc;
	if (**p == '=') {
		var = fn;
		varlen = fnlen;
		(*p)++;
		rc = parse_name(ps, p, ')', &fn, &fnlen);
		if (rc != BOOTSCRIPT_OK)
			return rc;
	}
	if (**p != ')') {
		if (**p == '=')
			return parse_fail(ps, BOOTSCRIPT_ESYNTAX, start,
			                  "two '=' in a directive");
		if (strchr(*p, ')'))
			return parse_fail(ps, BOOTSCRIPT_ESYNTAX, start,
			                  "boot-script functions take no "
			                  "arguments");
		return parse_fail(ps, BOOTSCRIPT_ESYNTAX, start,
		                  "unterminated $(");
	}
	(*p)++;

	if (fnlen == 11 && strncmp(fn, "task-create", 11) == 0) {
		if (l->task_create)
			return parse_fail(ps, BOOTSCRIPT_EFUNCTION, start,
			                  "task-create twice");
		l->task_create = true;
		return var ? set_variable(ps, var, varlen) : BOOTSCRIPT_OK;
	}
	if ((fnlen == 11 && strncmp(fn, "task-resume", 11) == 0) ||
	    (fnlen == 18 && strncmp(fn, "prompt-task-resume", 18) == 0)) {
		if (l->resume != BOOTSCRIPT_NO_RESUME)
			return parse_fail(ps, BOOTSCRIPT_EFUNCTION, start,
			                  "task resumed twice");
		if (var)
			return parse_fail(ps, BOOTSCRIPT_EFUNCTION, start,
			                  "a resume has no value to store");
		l->resume =
		    fnlen == 11 ? BOOTSCRIPT_RESUME : BOOTSCRIPT_PROMPT_RESUME;
		return BOOTSCRIPT_OK;
	}
	return parse_fail(ps, BOOTSCRIPT_EFUNCTION, start, "unknown function");
}

static int parse_line(struct parser *ps)
{
	struct bootscript_line *l = &ps->bs->line[ps->lineno];
	const char *p = ps->line;
	int rc;

	l->nword = 0;
	l->task_create = false;
	l->task_var = -1;
	l->resume = BOOTSCRIPT_NO_RESUME;
	l->task = NULL;
	if (strnlen(p, BOOTSCRIPT_LINE_MAX + 1) > BOOTSCRIPT_LINE_MAX)
		return fail(ps->err, ps->errlen, BOOTSCRIPT_ELIMIT,
		            "module line %u: longer than %u bytes", ps->lineno,
		            BOOTSCRIPT_LINE_MAX);
	for (;;) {
		const char *word;

		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		/* One word: literal text up to a blank, the end, or a `${`
		 * (which ends the word) or a `$(` (a word of its own). */
		word = p;
		while (*p && !is_blank(*p)) {
			if (is_control(*p))
				return parse_fail(ps, BOOTSCRIPT_ESYNTAX, word,
				                  "control character");
			if (p[0] == '$' && (p[1] == '{' || p[1] == '('))
				break;
			p++;
		}
		if (p[0] == '$' && p[1] == '{') {
			size_t prelen = (size_t)(p - word);

			p += 2;
			rc = parse_reference(ps, &p, word, prelen);
		} else if (p[0] == '$' && p[1] == '(') {
			if (p != word)
				return parse_fail(ps, BOOTSCRIPT_ESYNTAX, word,
				                  "$( inside a word");
			p += 2;
			rc = parse_directive(ps, &p);
		} else {
			rc = add_word(ps, word, (size_t)(p - word), -1);
		}
		if (rc != BOOTSCRIPT_OK)
			return rc;
	}
	if (l->resume != BOOTSCRIPT_NO_RESUME && !l->task_create)
		return parse_fail(ps, BOOTSCRIPT_EFUNCTION, NULL,
		                  "task resumed without task-create");
	if (l->task_create && l->nword == 0)
		return parse_fail(ps, BOOTSCRIPT_ESYNTAX, NULL,
		                  "task-create without a program name");
	return BOOTSCRIPT_OK;
}

/* Give the variables nobody has set yet their kernel command line value. */
static int resolve_from_cmdline(struct parser *ps)
{
	struct bootscript *bs = ps->bs;
	const char *copy;

	for (unsigned i = BOOTSCRIPT_NPREDEFINED; i < bs->nvar; i++) {
		struct bootscript_var *v = &bs->var[i];
		const char *value;
		size_t vlen;

		if (v->set_by != BOOTSCRIPT_SET_BY_NONE)
			continue;
		value = cmdline_value(ps->kernel_cl, v->name, strlen(v->name),
		                      &vlen);
		if (!value)
			return fail(ps->err, ps->errlen, BOOTSCRIPT_EVARIABLE,
			            "module line %d: variable '%s' is set "
			            "neither on the kernel command line nor by "
			            "a $(%s=task-create)",
			            v->first_use, v->name, v->name);
		ps->lineno = (unsigned)v->first_use;
		if (store_text(ps, value, vlen, &copy) != BOOTSCRIPT_OK)
			return BOOTSCRIPT_ELIMIT;
		v->set_by = BOOTSCRIPT_SET_BY_KERNEL;
		v->value.type = BOOTSCRIPT_STRING;
		v->value.string = copy;
	}
	return BOOTSCRIPT_OK;
}

int bootscript_parse(struct bootscript *bs, const char *kernel_command_line,
                     const char *const *lines, unsigned nlines, char *err,
                     size_t errlen)
{
	struct parser ps = {.bs = bs, .err = err, .errlen = errlen};
	struct bootscript_var *kcl;
	size_t len;

	bs->nline = 0;
	bs->nvar = 0;
	bs->ntext = 0;
	for (unsigned i = 0; i < BOOTSCRIPT_NPREDEFINED; i++) {
		var_intern(bs, predefined[i], strlen(predefined[i]));
		bs->var[i].set_by = BOOTSCRIPT_SET_BY_KERNEL;
	}
	ps.kernel_cl = kernel_command_line ? kernel_command_line : "";
	len = strnlen(ps.kernel_cl, BOOTSCRIPT_CMDLINE_MAX + 1);
	if (len > BOOTSCRIPT_CMDLINE_MAX)
		return fail(err, errlen, BOOTSCRIPT_ELIMIT,
		            "kernel command line longer than %u bytes",
		            BOOTSCRIPT_CMDLINE_MAX);
	kcl = &bs->var[BOOTSCRIPT_VAR_KERNEL_COMMAND_LINE];
	if (store_text(&ps, ps.kernel_cl, len, &kcl->value.string) !=
	    BOOTSCRIPT_OK)
		return BOOTSCRIPT_ELIMIT;
	kcl->value.type = BOOTSCRIPT_STRING;
	if (nlines > BOOTSCRIPT_MAX_LINES)
		return fail(err, errlen, BOOTSCRIPT_ELIMIT,
		            "%u module lines (at most %u)", nlines,
		            BOOTSCRIPT_MAX_LINES);
	for (unsigned i = 0; i < nlines; i++) {
		int rc;

		ps.lineno = i;
		ps.line = lines[i] ? lines[i] : "";
		rc = parse_line(&ps);
		if (rc != BOOTSCRIPT_OK)
			return rc;
		bs->nline++;
	}
	return resolve_from_cmdline(&ps);
}

/* Run-time failure on line I, naming its program. */
static int run_fail(struct bootscript *bs, unsigned i, char *err, size_t errlen,
                    int code, const char *what, int rc)
{
	const char *name = bs->line[i].nword ? bs->line[i].word[0].text : "";

	return fail(err, errlen, code, "module line %u (%.40s): %s (%d)", i,
	            name, what, rc);
}

/* Build line I's argv in bs->args/bs->argv, inserting its ports. */
static int build_argv(struct bootscript *bs, unsigned i,
                      const struct bootscript_ops *ops, void *ctx, char *err,
                      size_t errlen)
{
	struct bootscript_line *l = &bs->line[i];
	size_t used = 0;

	for (unsigned w = 0; w < l->nword; w++) {
		const struct bootscript_word *word = &l->word[w];
		size_t room = sizeof(bs->args) - used, n = strlen(word->text);
		char *out = bs->args + used;

		if (n >= room)
			goto too_long;
		memcpy(out, word->text, n);
		if (word->var >= 0) {
			const struct bootscript_var *v = &bs->var[word->var];
			uint32_t name;
			int rc;

			switch (v->value.type) {
			case BOOTSCRIPT_STRING:
				if (strlen(v->value.string) >= room - n)
					goto too_long;
				strcpy(out + n, v->value.string);
				break;
			case BOOTSCRIPT_PORT:
				rc = ops->insert_port(ctx, l->task,
				                      v->value.port, &name);
				if (rc != 0)
					return run_fail(
					    bs, i, err, errlen,
					    BOOTSCRIPT_ECALLBACK,
					    "inserting a port failed", rc);
				/* At most 10 digits and the NUL. */
				if (room - n < 11)
					goto too_long;
				ksnprintf(out + n, room - n, "%u", name);
				break;
			default:
				return fail(err, errlen, BOOTSCRIPT_EVARIABLE,
				            "module line %u: variable '%s' has "
				            "no value",
				            i, v->name);
			}
		} else {
			out[n] = '\0';
		}
		bs->argv[w] = out;
		used += strlen(out) + 1;
	}
	bs->argv[l->nword] = NULL;
	return BOOTSCRIPT_OK;
too_long:
	return fail(err, errlen, BOOTSCRIPT_ELIMIT,
	            "module line %u: arguments longer than %u bytes", i,
	            BOOTSCRIPT_ARGS_MAX);
}

static void set_port(struct bootscript_var *v, void *port)
{
	v->value.type = port ? BOOTSCRIPT_PORT : BOOTSCRIPT_UNSET;
	v->value.port = port;
}

int bootscript_run(struct bootscript *bs, const struct bootscript_ops *ops,
                   void *ctx, const struct bootscript_env *env, char *err,
                   size_t errlen)
{
	static const struct bootscript_env none;
	int rc;

	if (!env)
		env = &none;
	set_port(&bs->var[BOOTSCRIPT_VAR_HOST_PORT], env->host_port);
	set_port(&bs->var[BOOTSCRIPT_VAR_DEVICE_PORT], env->device_port);
	/* The kernel command line's values stay; the tasks' are new. */
	for (unsigned v = BOOTSCRIPT_NPREDEFINED; v < bs->nvar; v++)
		if (bs->var[v].set_by >= 0)
			bs->var[v].value.type = BOOTSCRIPT_UNSET;
	for (unsigned i = 0; i < bs->nline; i++)
		bs->line[i].task = NULL;

	/* 1: create every task, setting the variables. */
	for (unsigned i = 0; i < bs->nline; i++) {
		struct bootscript_line *l = &bs->line[i];
		void *task = NULL, *port = NULL;

		if (!l->task_create)
			continue;
		rc = ops->task_create(ctx, i, &task, &port);
		if (rc != 0)
			return run_fail(bs, i, err, errlen,
			                BOOTSCRIPT_ECALLBACK,
			                "task-create failed", rc);
		l->task = task;
		if (l->task_var >= 0)
			set_port(&bs->var[l->task_var], port);
	}
	/* 2: substitute and load, line by line. */
	for (unsigned i = 0; i < bs->nline; i++) {
		struct bootscript_line *l = &bs->line[i];

		if (!l->task_create)
			continue;
		rc = build_argv(bs, i, ops, ctx, err, errlen);
		if (rc != BOOTSCRIPT_OK)
			return rc;
		rc = ops->task_load(ctx, i, l->task, (int)l->nword, bs->argv);
		if (rc != 0)
			return run_fail(bs, i, err, errlen,
			                BOOTSCRIPT_ECALLBACK,
			                "loading the program failed", rc);
	}
	/* 3: start them. */
	for (unsigned i = 0; i < bs->nline; i++) {
		struct bootscript_line *l = &bs->line[i];

		if (l->resume == BOOTSCRIPT_NO_RESUME)
			continue;
		rc = ops->task_resume(ctx, l->task,
		                      l->resume == BOOTSCRIPT_PROMPT_RESUME);
		if (rc != 0)
			return run_fail(bs, i, err, errlen,
			                BOOTSCRIPT_ECALLBACK,
			                "task-resume failed", rc);
	}
	return BOOTSCRIPT_OK;
}
