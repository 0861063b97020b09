/*
 * Unit tests of the boot script (kern/bootscript.c): the argv and the
 * order of task creation, port insertion, loading and resumption that
 * GNU Mach was seen to produce for given module lines (a fake task layer
 * records every callback), then every malformed line, each refused with
 * its own code and a one-line reason, and every callback failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kern/bootscript.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a fake task layer that logs what it is asked to do ---- */

static int host_obj, device_obj, task_port_obj[BOOTSCRIPT_MAX_LINES];

struct fake_task {
	unsigned line;
	void *ports[32]; /* ports[i] has name i + 1, as names go from 1 */
	unsigned nports;
};

struct fake {
	char log[8192];
	struct fake_task task[BOOTSCRIPT_MAX_LINES];
	int fail_create, fail_load, fail_resume; /* line to fail, or -1 */
	int fail_insert;     /* the Nth insert (from 0) fails, or -1 */
	int inserts;         /* inserts so far */
	bool null_task_port; /* task_create gives no port */
};

static struct bootscript bs;
static struct fake fk;
static char err[256];

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	size_t n = strlen(fk.log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fk.log + n, sizeof(fk.log) - n, fmt, ap);
	va_end(ap);
}

static const char *port_label(void *port)
{
	static char buf[16];

	if (port == &host_obj)
		return "host";
	if (port == &device_obj)
		return "device";
	for (unsigned i = 0; i < BOOTSCRIPT_MAX_LINES; i++)
		if (port == &task_port_obj[i]) {
			snprintf(buf, sizeof(buf), "task%u", i);
			return buf;
		}
	return "?";
}

static int fake_create(void *ctx, unsigned line, void **task, void **port)
{
	struct fake *f = ctx;

	logf_("create %u; ", line);
	if ((int)line == f->fail_create)
		return 5;
	f->task[line].line = line;
	f->task[line].nports = 0;
	*task = &f->task[line];
	*port = f->null_task_port ? NULL : &task_port_obj[line];
	return 0;
}

/* Mach's way: a second right to the same port gets the same name. */
static int fake_insert(void *ctx, void *task, void *port, uint32_t *name)
{
	struct fake *f = ctx;
	struct fake_task *t = task;
	unsigned i;

	logf_("insert %u %s; ", t->line, port_label(port));
	if (f->inserts++ == f->fail_insert)
		return 15;
	for (i = 0; i < t->nports; i++)
		if (t->ports[i] == port)
			break;
	if (i == t->nports) {
		assert_true(t->nports < NELEM(t->ports));
		t->ports[t->nports++] = port;
	}
	*name = i + 1;
	return 0;
}

static int fake_load(void *ctx, unsigned line, void *task, int argc,
                     const char *const *argv)
{
	struct fake *f = ctx;
	struct fake_task *t = task;

	assert_int_equal(t->line, line);
	assert_null(argv[argc]);
	logf_("load %u:", line);
	for (int i = 0; i < argc; i++)
		logf_(" [%s]", argv[i]);
	logf_("; ");
	return (int)line == f->fail_load ? 7 : 0;
}

static int fake_resume(void *ctx, void *task, bool prompt)
{
	struct fake *f = ctx;
	struct fake_task *t = task;

	logf_("%s %u; ", prompt ? "prompt-resume" : "resume", t->line);
	return (int)t->line == f->fail_resume ? 9 : 0;
}

static const struct bootscript_ops ops = {
    .task_create = fake_create,
    .insert_port = fake_insert,
    .task_load = fake_load,
    .task_resume = fake_resume,
};

static const struct bootscript_env env = {
    .host_port = &host_obj,
    .device_port = &device_obj,
};

static int setup(void **state)
{
	(void)state;
	memset(&bs, 0xa5, sizeof(bs)); /* no help from a zeroed struct */
	memset(&fk, 0, sizeof(fk));
	fk.fail_create = fk.fail_load = fk.fail_resume = fk.fail_insert = -1;
	memset(err, 0, sizeof(err));
	return 0;
}

/* Parse LINES with kernel command line CL, run, compare the call log. */
static void run_ok(const char *cl, const char *const *lines, unsigned n,
                   const char *want)
{
	int rc = bootscript_parse(&bs, cl, lines, n, err, sizeof(err));

	if (rc != BOOTSCRIPT_OK)
		print_message("# parse: %s\n", err);
	assert_int_equal(rc, BOOTSCRIPT_OK);
	rc = bootscript_run(&bs, &ops, &fk, &env, err, sizeof(err));
	if (rc != BOOTSCRIPT_OK)
		print_message("# run: %s\n", err);
	assert_int_equal(rc, BOOTSCRIPT_OK);
	assert_string_equal(fk.log, want);
}

static void run1(const char *line, const char *want)
{
	run_ok("", &line, 1, want);
}

/* ---- what GNU Mach does, replayed ---- */

static void test_hurd_boot_lines_run_in_three_passes(void **state)
{
	const char *lines[] = {
	    "ext2fs --multiboot-command-line=${kernel-command-line} "
	    "--host-priv-port=${host-port} --device-master-port=${device-port} "
	    "--exec-server-task=${exec-task} -T typed ${root} $(task-create) "
	    "$(task-resume)",
	    "ld.so.1 exec /hurd/exec $(exec-task=task-create)",
	};

	(void)state;
	run_ok("/boot/gnumach root=device:hd0s1 console=com0", lines, 2,
	       "create 0; create 1; "
	       "insert 0 host; insert 0 device; insert 0 task1; "
	       "load 0: [ext2fs] [--multiboot-command-line=/boot/gnumach "
	       "root=device:hd0s1 console=com0] [--host-priv-port=1] "
	       "[--device-master-port=2] [--exec-server-task=3] [-T] [typed] "
	       "[device:hd0s1]; "
	       "load 1: [ld.so.1] [exec] [/hurd/exec]; "
	       "resume 0; ");
	assert_ptr_equal(bs.line[0].task, &fk.task[0]);
	assert_ptr_equal(bs.line[1].task, &fk.task[1]);
}

static void test_bootstrap_module_gets_host_and_device_names(void **state)
{
	(void)state;
	/* machr-run's line: argv [name, "1", "2"] as on GNU Mach. */
	run1("/hello ${host-port} ${device-port} $(task-create) "
	     "$(task-resume)",
	     "create 0; insert 0 host; insert 0 device; "
	     "load 0: [/hello] [1] [2]; resume 0; ");
}

static void test_names_follow_order_of_appearance(void **state)
{
	(void)state;
	run1("p ${device-port} ${host-port} $(task-create)",
	     "create 0; insert 0 device; insert 0 host; "
	     "load 0: [p] [1] [2]; ");
}

static void test_variable_ends_its_word(void **state)
{
	(void)state;
	/* GNU Mach: `${host-port}post a${host-port}b${device-port}c` gives
	 * "1 post a1 b2 c". */
	run1("p ${host-port}post a${host-port}b${device-port}c $(task-create)",
	     "create 0; insert 0 host; insert 0 host; insert 0 device; "
	     "load 0: [p] [1] [post] [a1] [b2] [c]; ");
}

static void test_text_after_directive_starts_a_word(void **state)
{
	(void)state;
	run1("p $(task-create)x", "create 0; load 0: [p] [x]; ");
}

static void test_directives_anywhere_in_the_line(void **state)
{
	(void)state;
	run1("$(task-resume) p $(task-create) q",
	     "create 0; load 0: [p] [q]; resume 0; ");
}

static void test_dollar_without_brace_is_literal(void **state)
{
	(void)state;
	run1("p a$b $x $ $$ x$ $(task-create)",
	     "create 0; load 0: [p] [a$b] [$x] [$] [$$] [x$]; ");
}

static void test_same_port_twice_gets_one_name(void **state)
{
	(void)state;
	run1("p ${host-port} ${host-port} $(task-create)",
	     "create 0; insert 0 host; insert 0 host; load 0: [p] [1] [1]; ");
}

static void test_later_line_can_set_a_variable(void **state)
{
	/* GNU Mach: line 0 gets line 1's task port, created first. */
	const char *lines[] = {
	    "p ${host-port} ${device-port} ${t} $(task-create) $(task-resume)",
	    "q $(t=task-create)",
	};

	(void)state;
	run_ok("", lines, 2,
	       "create 0; create 1; insert 0 host; insert 0 device; "
	       "insert 0 task1; load 0: [p] [1] [2] [3]; load 1: [q]; "
	       "resume 0; ");
}

static void test_task_may_get_its_own_port(void **state)
{
	(void)state;
	run1("p ${host-port} ${t} $(t=task-create) $(task-resume)",
	     "create 0; insert 0 host; insert 0 task0; load 0: [p] [1] [2]; "
	     "resume 0; ");
}

static void test_tasks_resume_in_line_order_after_loading(void **state)
{
	const char *lines[] = {
	    "a $(task-create) $(prompt-task-resume)",
	    "b $(task-create)",
	    "c $(task-resume) $(task-create)",
	};

	(void)state;
	run_ok("", lines, 3,
	       "create 0; create 1; create 2; load 0: [a]; load 1: [b]; "
	       "load 2: [c]; prompt-resume 0; resume 2; ");
}

static void test_line_without_task_create_is_not_evaluated(void **state)
{
	const char *lines[] = {
	    "data ${host-port} ${kernel-command-line}",
	    "p ${host-port} $(task-create)",
	};

	(void)state;
	run_ok("", lines, 2, "create 1; insert 1 host; load 1: [p] [1]; ");
	assert_null(bs.line[0].task);
}

static void test_blank_and_null_lines_do_nothing(void **state)
{
	const char *lines[] = {NULL, "", " \t\r\n ", "p $(task-create)"};

	(void)state;
	run_ok(NULL, lines, 4, "create 3; load 3: [p]; ");
	assert_int_equal(bs.nline, 4);
}

static void test_kernel_command_line_is_one_string_word(void **state)
{
	const char *line = "p x${kernel-command-line}y $(task-create)";

	(void)state;
	/* GNU Mach keeps the text as is, blanks included. */
	run_ok("/boot/gnumach console=com0 a  b", &line, 1,
	       "create 0; load 0: [p] [x/boot/gnumach console=com0 a  b] "
	       "[y]; ");
}

static void test_kernel_command_line_sets_variables(void **state)
{
	const char *line = "p ${foo} ${d} ${x} ${e} ${a/b} ${console} "
	                   "${host-port} $(task-create)";

	(void)state;
	/* GNU Mach: split at the first '=', first word wins, no quotes,
	 * predefined names cannot be overridden, any name characters. */
	run_ok("/boot/gnumach foo=1 d=e=f x=\"a b\" foo=2 e= a/b=c "
	       "console=com0 host-port=77 -s",
	       &line, 1,
	       "create 0; insert 0 host; "
	       "load 0: [p] [1] [e=f] [\"a] [] [c] [com0] [1]; ");
}

static void test_kernel_command_line_vanishes_after_parse(void **state)
{
	char cl[] = "root=hd0 z";
	const char *line = "p ${root} ${kernel-command-line} $(task-create)";

	(void)state;
	assert_int_equal(bootscript_parse(&bs, cl, &line, 1, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	memset(cl, 'X', sizeof(cl) - 1);
	assert_int_equal(bootscript_run(&bs, &ops, &fk, &env, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	assert_string_equal(fk.log, "create 0; load 0: [p] [hd0] "
	                            "[root=hd0 z]; ");
}

static void test_parse_records_words_and_directives(void **state)
{
	const char *line = "ext2fs -x=${host-port} $(t=task-create) "
	                   "$(prompt-task-resume) tail";

	(void)state;
	assert_int_equal(bootscript_parse(&bs, "", &line, 1, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	assert_int_equal(bs.nline, 1);
	assert_int_equal(bs.line[0].nword, 3);
	assert_string_equal(bs.line[0].word[0].text, "ext2fs");
	assert_int_equal(bs.line[0].word[0].var, -1);
	assert_string_equal(bs.line[0].word[1].text, "-x=");
	assert_int_equal(bs.line[0].word[1].var, BOOTSCRIPT_VAR_HOST_PORT);
	assert_string_equal(bs.line[0].word[2].text, "tail");
	assert_true(bs.line[0].task_create);
	assert_int_equal(bs.line[0].resume, BOOTSCRIPT_PROMPT_RESUME);
	assert_true(bs.line[0].task_var >= BOOTSCRIPT_NPREDEFINED);
	assert_string_equal(bs.var[bs.line[0].task_var].name, "t");
	assert_int_equal(bs.var[bs.line[0].task_var].set_by, 0);
}

static void test_script_can_run_twice(void **state)
{
	const char *line = "p ${host-port} $(task-create) $(task-resume)";

	(void)state;
	run1(line, "create 0; insert 0 host; load 0: [p] [1]; resume 0; ");
	fk.log[0] = '\0';
	assert_int_equal(bootscript_run(&bs, &ops, &fk, &env, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	assert_string_equal(fk.log, "create 0; insert 0 host; load 0: [p] [1]; "
	                            "resume 0; ");
}

static void test_limits_are_reachable(void **state)
{
	static char line[BOOTSCRIPT_LINE_MAX + 1];
	const char *lines[BOOTSCRIPT_MAX_LINES];
	size_t n = 0;

	(void)state;
	/* 64 words in a line of exactly 1024 bytes. */
	for (int w = 0; w < BOOTSCRIPT_MAX_WORDS; w++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s",
		                      w ? " w" : "p");
	memset(line + n, ' ', BOOTSCRIPT_LINE_MAX - n);
	line[BOOTSCRIPT_LINE_MAX] = '\0';
	for (unsigned i = 0; i < BOOTSCRIPT_MAX_LINES; i++)
		lines[i] = line;
	assert_int_equal(bootscript_parse(&bs, "", lines, BOOTSCRIPT_MAX_LINES,
	                                  err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	assert_int_equal(bs.line[15].nword, BOOTSCRIPT_MAX_WORDS);
}

/* ---- malformed scripts, one table row each ---- */

struct bad_script {
	const char *name;
	const char *cl;
	const char *lines[3];
	int code;
	const char *why;
};

static const struct bad_script bad_scripts[] = {
    {"unterminated ${",
     "",
     {"p ${host-port"},
     BOOTSCRIPT_ESYNTAX,
     "line 0: unterminated ${"},
    {"blank inside ${}",
     "",
     {"p ${host port}"},
     BOOTSCRIPT_ESYNTAX,
     "unterminated ${"},
    {"tab inside ${}",
     "",
     {"p ${a\tb}"},
     BOOTSCRIPT_ESYNTAX,
     "unterminated ${ at \"${a?b}\""},
    {"empty ${}", "", {"p ${}"}, BOOTSCRIPT_ESYNTAX, "empty name"},
    {"'=' in ${}", "", {"p ${a=b}"}, BOOTSCRIPT_ESYNTAX, "'='"},
    {"'$' in ${}", "", {"p ${a$b}"}, BOOTSCRIPT_ESYNTAX, "bad character"},
    {"'(' in ${}", "", {"p ${a(b}"}, BOOTSCRIPT_ESYNTAX, "bad character"},
    {"')' in ${}", "", {"p ${a)}"}, BOOTSCRIPT_ESYNTAX, "bad character"},
    {"empty $()", "", {"p $()"}, BOOTSCRIPT_ESYNTAX, "empty name"},
    {"empty var in $()",
     "",
     {"p $(=task-create)"},
     BOOTSCRIPT_ESYNTAX,
     "empty name"},
    {"empty function in $()",
     "",
     {"p $(x=)"},
     BOOTSCRIPT_ESYNTAX,
     "empty name"},
    {"unterminated $(",
     "",
     {"p $(task-create"},
     BOOTSCRIPT_ESYNTAX,
     "unterminated $("},
    {"function arguments",
     "",
     {"p $(task-create foo)"},
     BOOTSCRIPT_ESYNTAX,
     "no arguments"},
    {"two '=' in $()", "", {"p $(a=b=c)"}, BOOTSCRIPT_ESYNTAX, "two '='"},
    {"'}' in $()",
     "",
     {"p $(task-create})"},
     BOOTSCRIPT_ESYNTAX,
     "bad character"},
    {"$( inside a word",
     "",
     {"p a$(task-create)"},
     BOOTSCRIPT_ESYNTAX,
     "$( inside a word"},
    {"control character",
     "",
     {"p a\x01z $(task-create)"},
     BOOTSCRIPT_ESYNTAX,
     "control character at \"a?z"},
    {"DEL character", "", {"p \x7f"}, BOOTSCRIPT_ESYNTAX, "control"},
    {"task-create without a name",
     "",
     {"$(task-create)"},
     BOOTSCRIPT_ESYNTAX,
     "without a program name"},
    {"unknown function",
     "",
     {"p $(nosuch) $(task-create)"},
     BOOTSCRIPT_EFUNCTION,
     "unknown function at \"$(nosuch)"},
    {"unknown function with var",
     "",
     {"p $(x=nosuch)"},
     BOOTSCRIPT_EFUNCTION,
     "unknown function"},
    {"task-create twice",
     "",
     {"p $(task-create) $(task-create)"},
     BOOTSCRIPT_EFUNCTION,
     "task-create twice"},
    {"two resumes",
     "",
     {"p $(task-create) $(task-resume) "
      "$(prompt-task-resume)"},
     BOOTSCRIPT_EFUNCTION,
     "resumed twice"},
    {"resume without task",
     "",
     {"p $(task-resume)"},
     BOOTSCRIPT_EFUNCTION,
     "without task-create"},
    {"var= on a resume",
     "",
     {"p $(task-create) $(x=task-resume)"},
     BOOTSCRIPT_EFUNCTION,
     "no value to store"},
    {"undefined variable",
     "",
     {"p ${nosuch} $(task-create)"},
     BOOTSCRIPT_EVARIABLE,
     "'nosuch' is set neither"},
    {"undefined in a taskless line",
     "",
     {"p ${nosuch}"},
     BOOTSCRIPT_EVARIABLE,
     "line 0: variable 'nosuch'"},
    {"undefined in line 2",
     "",
     {"a", "b", "c ${v}"},
     BOOTSCRIPT_EVARIABLE,
     "module line 2"},
    {"predefined set",
     "",
     {"p $(host-port=task-create)"},
     BOOTSCRIPT_EVARIABLE,
     "predefined"},
    {"set on the command line too",
     "root=x",
     {"p $(root=task-create)"},
     BOOTSCRIPT_EVARIABLE,
     "kernel command line"},
    {"set by two lines",
     "",
     {"p $(t=task-create)", "q $(t=task-create)"},
     BOOTSCRIPT_EVARIABLE,
     "line 1: variable 't' is already set by module "
     "line 0"},
    {"name too long",
     "",
     {"p ${abcdefghijabcdefghijabcdefghijabc}"},
     BOOTSCRIPT_ELIMIT,
     "name too long"},
    {"function name too long",
     "",
     {"p $(abcdefghijabcdefghijabcdefghijabc)"},
     BOOTSCRIPT_ELIMIT,
     "name too long"},
};

static void test_malformed_script_is_refused(void **state)
{
	const struct bad_script *c = *state;
	unsigned n = 0;
	int rc;

	setup(NULL);
	while (n < NELEM(c->lines) && c->lines[n])
		n++;
	rc = bootscript_parse(&bs, c->cl, c->lines, n, err, sizeof(err));
	if (rc != c->code || !strstr(err, c->why))
		print_message("# %s: got %d \"%s\", expected %d \"%s\"\n",
		              c->name, rc, err, c->code, c->why);
	assert_int_equal(rc, c->code);
	assert_non_null(strstr(err, c->why));
	for (const char *e = err; *e; e++)
		assert_false((unsigned char)*e < 0x20 || *e == 0x7f);
}

static void test_line_over_1024_bytes_is_refused(void **state)
{
	static char line[BOOTSCRIPT_LINE_MAX + 2];
	const char *l = line;

	(void)state;
	memset(line, 'a', BOOTSCRIPT_LINE_MAX + 1);
	assert_int_equal(bootscript_parse(&bs, "", &l, 1, err, sizeof(err)),
	                 BOOTSCRIPT_ELIMIT);
	assert_non_null(strstr(err, "longer than 1024 bytes"));
}

static void test_65_words_are_refused(void **state)
{
	char line[200] = "p";
	const char *l = line;

	(void)state;
	for (int w = 1; w <= BOOTSCRIPT_MAX_WORDS; w++)
		strcat(line, " w");
	assert_int_equal(bootscript_parse(&bs, "", &l, 1, err, sizeof(err)),
	                 BOOTSCRIPT_ELIMIT);
	assert_non_null(strstr(err, "too many words"));
}

static void test_17_lines_are_refused(void **state)
{
	const char *lines[BOOTSCRIPT_MAX_LINES + 1];

	(void)state;
	for (unsigned i = 0; i < NELEM(lines); i++)
		lines[i] = "p";
	assert_int_equal(
	    bootscript_parse(&bs, "", lines, NELEM(lines), err, sizeof(err)),
	    BOOTSCRIPT_ELIMIT);
	assert_non_null(strstr(err, "17 module lines"));
}

static void test_too_many_variables_are_refused(void **state)
{
	char line[600] = "p";
	const char *l = line;

	(void)state;
	for (int v = 0; v < BOOTSCRIPT_MAX_VARS; v++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
		         " ${v%d}", v);
	assert_int_equal(bootscript_parse(&bs, "", &l, 1, err, sizeof(err)),
	                 BOOTSCRIPT_ELIMIT);
	assert_non_null(strstr(err, "too many variables"));
	/* The same when the last one is set rather than used. */
	line[0] = '\0';
	strcat(line, "p");
	for (int v = 0; v < BOOTSCRIPT_MAX_VARS - BOOTSCRIPT_NPREDEFINED; v++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
		         " ${v%d}", v);
	strcat(line, " $(t=task-create)");
	assert_int_equal(bootscript_parse(&bs, "", &l, 1, err, sizeof(err)),
	                 BOOTSCRIPT_ELIMIT);
	assert_non_null(strstr(err, "too many variables at \"t=task"));
}

static void test_long_kernel_command_line_is_refused(void **state)
{
	static char cl[BOOTSCRIPT_CMDLINE_MAX + 2];
	const char *l = "p";

	(void)state;
	memset(cl, 'c', BOOTSCRIPT_CMDLINE_MAX + 1);
	assert_int_equal(bootscript_parse(&bs, cl, &l, 1, err, sizeof(err)),
	                 BOOTSCRIPT_ELIMIT);
	assert_non_null(strstr(err, "kernel command line longer"));
	cl[BOOTSCRIPT_CMDLINE_MAX] = '\0';
	assert_int_equal(bootscript_parse(&bs, cl, &l, 1, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
}

static void test_error_buffer_may_be_null(void **state)
{
	const char *l = "p ${";

	(void)state;
	assert_int_equal(bootscript_parse(&bs, "", &l, 1, NULL, 0),
	                 BOOTSCRIPT_ESYNTAX);
}

/* ---- evaluation failures ---- */

static void parse1(const char *line)
{
	assert_int_equal(bootscript_parse(&bs, "", &line, 1, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
}

static void run_fails(int code, const char *why)
{
	int rc = bootscript_run(&bs, &ops, &fk, &env, err, sizeof(err));

	if (rc != code || !strstr(err, why))
		print_message("# got %d \"%s\"\n", rc, err);
	assert_int_equal(rc, code);
	assert_non_null(strstr(err, why));
	assert_null(strchr(err, '\n'));
}

static void test_failed_task_create_stops_the_script(void **state)
{
	const char *lines[] = {"a $(task-create)", "b $(task-create)"};

	(void)state;
	assert_int_equal(bootscript_parse(&bs, "", lines, 2, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	fk.fail_create = 1;
	run_fails(BOOTSCRIPT_ECALLBACK, "module line 1 (b): task-create "
	                                "failed (5)");
	assert_string_equal(fk.log, "create 0; create 1; ");
	assert_ptr_equal(bs.line[0].task, &fk.task[0]);
	assert_null(bs.line[1].task);
}

static void test_failed_insert_stops_the_script(void **state)
{
	(void)state;
	parse1("p ${host-port} ${device-port} $(task-create) $(task-resume)");
	fk.fail_insert = 1;
	run_fails(BOOTSCRIPT_ECALLBACK, "inserting a port failed (15)");
	assert_string_equal(fk.log,
	                    "create 0; insert 0 host; insert 0 device; ");
}

static void test_failed_load_stops_the_script(void **state)
{
	(void)state;
	parse1("p $(task-create) $(task-resume)");
	fk.fail_load = 0;
	run_fails(BOOTSCRIPT_ECALLBACK, "loading the program failed (7)");
	assert_string_equal(fk.log, "create 0; load 0: [p]; ");
}

static void test_failed_resume_stops_the_script(void **state)
{
	const char *lines[] = {"a $(task-create) $(task-resume)",
	                       "b $(task-create) $(task-resume)"};

	(void)state;
	assert_int_equal(bootscript_parse(&bs, "", lines, 2, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	fk.fail_resume = 0;
	run_fails(BOOTSCRIPT_ECALLBACK, "module line 0 (a): task-resume");
	assert_string_equal(fk.log, "create 0; create 1; load 0: [a]; "
	                            "load 1: [b]; resume 0; ");
}

static void test_missing_host_port_is_an_error(void **state)
{
	static const struct bootscript_env no_host = {.device_port =
	                                                  &device_obj};

	(void)state;
	parse1("p ${host-port} $(task-create)");
	assert_int_equal(
	    bootscript_run(&bs, &ops, &fk, &no_host, err, sizeof(err)),
	    BOOTSCRIPT_EVARIABLE);
	assert_non_null(strstr(err, "'host-port' has no value"));
	assert_int_equal(bootscript_run(&bs, &ops, &fk, NULL, err, sizeof(err)),
	                 BOOTSCRIPT_EVARIABLE);
}

static void test_task_without_port_is_an_error_when_used(void **state)
{
	const char *lines[] = {"a ${t} $(task-create)", "b $(t=task-create)"};

	(void)state;
	assert_int_equal(bootscript_parse(&bs, "", lines, 2, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	fk.null_task_port = true;
	run_fails(BOOTSCRIPT_EVARIABLE, "'t' has no value");
}

static void test_argv_over_4096_bytes_is_refused(void **state)
{
	static char cl[BOOTSCRIPT_CMDLINE_MAX + 1];
	const char *line = "p ${kernel-command-line} ${kernel-command-line} "
	                   "$(task-create)";

	(void)state;
	memset(cl, 'k', BOOTSCRIPT_CMDLINE_MAX);
	assert_int_equal(bootscript_parse(&bs, cl, &line, 1, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	run_fails(BOOTSCRIPT_ELIMIT, "arguments longer than 4096 bytes");
	assert_string_equal(fk.log, "create 0; ");
}

static void test_argv_of_exactly_4096_bytes_is_accepted(void **state)
{
	static char cl[BOOTSCRIPT_CMDLINE_MAX + 1];
	const char *line = "ppp ${kernel-command-line} ${kernel-command-line} "
	                   "$(task-create)";

	(void)state;
	/* 4 + 2 * (N + 1) = 4096 bytes: N = 2045. */
	memset(cl, 'k', 2045);
	assert_int_equal(bootscript_parse(&bs, cl, &line, 1, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	assert_int_equal(bootscript_run(&bs, &ops, &fk, &env, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	cl[2045] = 'k';
	assert_int_equal(bootscript_parse(&bs, cl, &line, 1, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	run_fails(BOOTSCRIPT_ELIMIT, "arguments longer");
}

static void test_argv_overflow_by_a_later_word_is_refused(void **state)
{
	static char cl[BOOTSCRIPT_CMDLINE_MAX + 1];
	const char *literal = "ppp ${kernel-command-line} "
	                      "${kernel-command-line} zz $(task-create)";
	const char *port = "ppp ${kernel-command-line} "
	                   "${kernel-command-line} ${host-port} $(task-create)";

	(void)state;
	/* The buffer is full after three words: a literal does not fit. */
	memset(cl, 'k', 2045);
	assert_int_equal(
	    bootscript_parse(&bs, cl, &literal, 1, err, sizeof(err)),
	    BOOTSCRIPT_OK);
	run_fails(BOOTSCRIPT_ELIMIT, "arguments longer");
	/* 10 bytes are left: too few for any port name and its NUL. */
	cl[2040] = '\0';
	assert_int_equal(bootscript_parse(&bs, cl, &port, 1, err, sizeof(err)),
	                 BOOTSCRIPT_OK);
	run_fails(BOOTSCRIPT_ELIMIT, "arguments longer");
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    T(test_hurd_boot_lines_run_in_three_passes),
	    T(test_bootstrap_module_gets_host_and_device_names),
	    T(test_names_follow_order_of_appearance),
	    T(test_variable_ends_its_word),
	    T(test_text_after_directive_starts_a_word),
	    T(test_directives_anywhere_in_the_line),
	    T(test_dollar_without_brace_is_literal),
	    T(test_same_port_twice_gets_one_name),
	    T(test_later_line_can_set_a_variable),
	    T(test_task_may_get_its_own_port),
	    T(test_tasks_resume_in_line_order_after_loading),
	    T(test_line_without_task_create_is_not_evaluated),
	    T(test_blank_and_null_lines_do_nothing),
	    T(test_kernel_command_line_is_one_string_word),
	    T(test_kernel_command_line_sets_variables),
	    T(test_kernel_command_line_vanishes_after_parse),
	    T(test_parse_records_words_and_directives),
	    T(test_script_can_run_twice),
	    T(test_limits_are_reachable),
	    T(test_line_over_1024_bytes_is_refused),
	    T(test_65_words_are_refused),
	    T(test_17_lines_are_refused),
	    T(test_too_many_variables_are_refused),
	    T(test_long_kernel_command_line_is_refused),
	    T(test_error_buffer_may_be_null),
	    T(test_failed_task_create_stops_the_script),
	    T(test_failed_insert_stops_the_script),
	    T(test_failed_load_stops_the_script),
	    T(test_failed_resume_stops_the_script),
	    T(test_missing_host_port_is_an_error),
	    T(test_task_without_port_is_an_error_when_used),
	    T(test_argv_over_4096_bytes_is_refused),
	    T(test_argv_of_exactly_4096_bytes_is_accepted),
	    T(test_argv_overflow_by_a_later_word_is_refused),
	};
	static struct CMUnitTest tests[NELEM(fixed) + NELEM(bad_scripts)];
	static char names[NELEM(bad_scripts)][96];
	size_t n = 0;

	for (size_t i = 0; i < NELEM(fixed); i++)
		tests[n++] = fixed[i];
	/* One test per malformation, named after it. */
	for (size_t i = 0; i < NELEM(bad_scripts); i++) {
		snprintf(names[i], sizeof(names[i]), "refuses %s",
		         bad_scripts[i].name);
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_malformed_script_is_refused, (void *)&bad_scripts[i]);
		tests[n++].name = names[i];
	}
	return _cmocka_run_group_tests("bootscript", tests, n, NULL, NULL);
}
