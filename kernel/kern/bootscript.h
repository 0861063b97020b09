/*
 * GNU Mach's boot script: the language of the multiboot module command
 * lines that say which modules become tasks, what their argv is and which
 * ports they get, e.g.
 *
 *   ext2fs --host-priv-port=${host-port} --device-master-port=${device-port}
 *          --exec-server-task=${exec-task} -T typed ${root} $(task-create)
 *          $(task-resume)
 *   ld.so.1 exec /hurd/exec $(exec-task=task-create)
 *
 * bootscript_parse() checks every line and records it; bootscript_run()
 * then executes the script through callbacks the task code supplies, so
 * this file knows nothing of tasks or ports and runs in the unit tests.
 *
 * The language, as observed on GNU Mach 1.8+git20250702 (x86_64):
 *  - Words are separated by blanks (GRUB has removed its quotes).  Line I
 *    belongs to boot module I.
 *  - `${name}` substitutes variable NAME.  It ends the word it is in: the
 *    text before it is kept as a prefix, text after `}` starts a new word
 *    (`a${host-port}b` gives the two words "a1" and "b").
 *  - A port value is inserted into the line's task as a send right, and
 *    the word gets the right's name in decimal.  Names are given in the
 *    order the words appear (`${device-port} ${host-port}` gives "1 2").
 *    A string value is substituted as is, blanks included (one word).
 *  - Variables, the first definition winning: the predefined host-port
 *    and device-port (ports) and kernel-command-line (the whole multiboot
 *    command line, unchanged, as a string); then every `name=value` word
 *    of the kernel command line (`root=device:hd0s1` sets root; split at
 *    the first '=', so `d=e=f` sets d to "e=f"; no quote handling; the
 *    first of two words wins; `host-port=77` changes nothing); then the
 *    `$(var=task-create)` directives.
 *  - `$(fn)` or `$(var=fn)` is a directive; it is not part of argv and
 *    text after `)` starts a new word.  task-create creates the line's
 *    task (with `var=`, the task's port is stored in VAR); task-resume and
 *    prompt-task-resume start it once every line has been processed.
 *  - Evaluation runs in three passes, which is what lets a line use a
 *    variable that a *later* line sets (GNU Mach does this): (1) every
 *    task-create, in line order, setting the variables; (2) for each line
 *    with a task, in order: substitute, then load the program with the
 *    argv; (3) every resume, in line order.  A line without task-create is
 *    not evaluated at all (GNU Mach reports nothing for it).
 *  - A `$` not followed by `{` or `(` is an ordinary character.
 *  - Names may hold any printable character but blanks and `${}()=`
 *    (GNU Mach accepts `${a/b}`).
 *
 * Where we are stricter than GNU Mach (it panics, misbehaves or ignores):
 *  - An unknown function is an error (GNU Mach ignores `$(nosuch)` and
 *    panics on `$(x=nosuch)`).
 *  - A variable used but set nowhere is an error before anything runs
 *    (GNU Mach panics when it gets there).
 *  - task-create twice on one line, task-resume without task-create,
 *    `var=` on a resume, `$(` after other text in a word (`a$(fn)`), and
 *    blanks inside `$( )` (GNU Mach parses `$(fn arg)`; task-create with
 *    an argument then fails) are errors.
 *  - `$(var=task-create)` for a VAR that is predefined, set on the kernel
 *    command line, or set by another task-create is an error (GNU Mach
 *    keeps the first definition silently).
 *  - The same port twice in one line is fine: insert_port gets called for
 *    each (GNU Mach fails an assertion).
 *  - Control characters other than blanks are refused.
 * To confirm on GNU Mach: how prompt-task-resume prompts (the
 * task_resume callback's business); what argv a line that starts with a
 * directive gets (we refuse only a task-create line with no word at all
 * to be argv[0]); which of two task-creates setting one variable wins.
 */
#ifndef KERN_BOOTSCRIPT_H
#define KERN_BOOTSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOTSCRIPT_MAX_LINES 16   /* module lines */
#define BOOTSCRIPT_LINE_MAX  1024 /* bytes in one line */
#define BOOTSCRIPT_MAX_WORDS 64   /* argv words in one line */
#define BOOTSCRIPT_MAX_VARS  32   /* variables, the predefined included */
#define BOOTSCRIPT_NAME_MAX  32   /* bytes in a variable or function name */
/* Bytes of one line's argv after substitution, NULs included. */
#define BOOTSCRIPT_ARGS_MAX    4096
#define BOOTSCRIPT_CMDLINE_MAX 2048 /* bytes of kernel command line */

/* What bootscript_parse() and bootscript_run() return. */
enum bootscript_status {
	BOOTSCRIPT_OK = 0,
	BOOTSCRIPT_ELIMIT,    /* a line, name or argv too long; too many
	                         lines, words or variables */
	BOOTSCRIPT_ESYNTAX,   /* malformed ${ } or $( ), control character,
	                         task-create line without a name */
	BOOTSCRIPT_EFUNCTION, /* unknown function or misused directive */
	BOOTSCRIPT_EVARIABLE, /* undefined, set twice, predefined set, or
	                         (bootscript_run) without a value */
	BOOTSCRIPT_ECALLBACK, /* bootscript_run: a callback failed */
};

/* The predefined variables: their indexes in struct bootscript's var[]. */
enum {
	BOOTSCRIPT_VAR_HOST_PORT,
	BOOTSCRIPT_VAR_DEVICE_PORT,
	BOOTSCRIPT_VAR_KERNEL_COMMAND_LINE,
	BOOTSCRIPT_NPREDEFINED,
};

/* struct bootscript_var's set_by when no line sets the variable. */
#define BOOTSCRIPT_SET_BY_NONE   (-1) /* nobody (yet) */
#define BOOTSCRIPT_SET_BY_KERNEL (-2) /* predefined or kernel command line */

enum bootscript_type {
	BOOTSCRIPT_UNSET,  /* no value (yet) */
	BOOTSCRIPT_STRING, /* text, substituted as is */
	BOOTSCRIPT_PORT,   /* a port object, substituted as a right's name */
};

/* A variable's value.  PORT is the caller's object, opaque here. */
struct bootscript_value {
	enum bootscript_type type;
	const char *string; /* BOOTSCRIPT_STRING */
	void *port;         /* BOOTSCRIPT_PORT */
};

/* One argv word: literal TEXT, then the value of variable VAR if >= 0. */
struct bootscript_word {
	const char *text; /* in the script's own storage; "" if none */
	int var;
};

enum bootscript_resume {
	BOOTSCRIPT_NO_RESUME,
	BOOTSCRIPT_RESUME,        /* $(task-resume) */
	BOOTSCRIPT_PROMPT_RESUME, /* $(prompt-task-resume) */
};

/* One module line, parsed. */
struct bootscript_line {
	struct bootscript_word word[BOOTSCRIPT_MAX_WORDS]; /* argv, in order */
	unsigned nword;
	bool task_create;              /* $(task-create) present */
	int task_var;                  /* var=, or -1 */
	enum bootscript_resume resume; /* only with task_create */
	void *task;                    /* bootscript_run: the line's task */
};

/*
 * A parsed script and the state of its evaluation.
 * Owned by: its creator (about 40 KiB; the boot code keeps one, static).
 * Guarded by: nothing; used by one thread at boot.
 */
struct bootscript {
	struct bootscript_line line[BOOTSCRIPT_MAX_LINES];
	unsigned nline;
	struct bootscript_var {
		char name[BOOTSCRIPT_NAME_MAX + 1];
		/* The line whose task-create sets it (>= 0), or
		 * BOOTSCRIPT_SET_BY_NONE or BOOTSCRIPT_SET_BY_KERNEL. */
		int set_by;
		int first_use;                 /* first line using it, or -1 */
		struct bootscript_value value; /* see set_by */
	} var[BOOTSCRIPT_MAX_VARS];
	unsigned nvar;
	/* The lines' words, the kernel command line, values taken from it. */
	char text[BOOTSCRIPT_MAX_LINES * (BOOTSCRIPT_LINE_MAX + 1) +
	          2 * (BOOTSCRIPT_CMDLINE_MAX + 1)];
	size_t ntext;
	/* bootscript_run's argv of the line being loaded. */
	char args[BOOTSCRIPT_ARGS_MAX];
	const char *argv[BOOTSCRIPT_MAX_WORDS + 1];
};

/*
 * bootscript_parse: parse module lines LINES[0..NLINES-1] (a NULL line is
 * empty) into BS, check that every variable used is predefined, set on
 * KERNEL_COMMAND_LINE (NULL: empty) or set by some line's
 * `$(var=task-create)`, take the string values from the command line, and
 * leave BS ready for bootscript_run().  A blank line is allowed and does
 * nothing.  BS holds no pointer into LINES or KERNEL_COMMAND_LINE.
 * Returns BOOTSCRIPT_OK, or with a one-line reason in ERR naming the line
 * (ERR may be NULL when ERRLEN is 0):
 *   BOOTSCRIPT_ELIMIT     more than BOOTSCRIPT_MAX_LINES lines; a line
 *                         longer than BOOTSCRIPT_LINE_MAX; a kernel
 *                         command line longer than BOOTSCRIPT_CMDLINE_MAX;
 *                         command line values too long to keep; more than
 *                         BOOTSCRIPT_MAX_WORDS words in a line; more than
 *                         BOOTSCRIPT_MAX_VARS variables; a name longer
 *                         than BOOTSCRIPT_NAME_MAX.
 *   BOOTSCRIPT_ESYNTAX    `${` or `$(` without its closing brace; an empty
 *                         name; a bad character in a name; blanks inside
 *                         `$( )`; `$(` after text in the same word; a
 *                         control character; a task-create line with no
 *                         word to be argv[0].
 *   BOOTSCRIPT_EFUNCTION  an unknown function; task-create or a resume
 *                         twice in a line; a resume without task-create;
 *                         `var=` on a resume.
 *   BOOTSCRIPT_EVARIABLE  a variable used but set nowhere; a task-create
 *                         setting a predefined variable, one set on the
 *                         kernel command line or one another line sets.
 */
int bootscript_parse(struct bootscript *bs, const char *kernel_command_line,
                     const char *const *lines, unsigned nlines, char *err,
                     size_t errlen);

/*
 * What bootscript_run() calls.  Each returns 0 on success, anything else
 * on failure (reported in the error message).
 */
struct bootscript_ops {
	/* Create the (empty, suspended) task for module LINE.  *TASK is the
	 * caller's handle, passed back below; *PORT is the port a
	 * `$(var=task-create)` stores in VAR (the task's kernel port). */
	int (*task_create)(void *ctx, unsigned line, void **task, void **port);
	/* Give TASK a send right to PORT; *NAME is its name in TASK.  Called
	 * once per occurrence, so the same PORT may come twice. */
	int (*insert_port)(void *ctx, void *task, void *port, uint32_t *name);
	/* Load module LINE's program into TASK with ARGV[0..ARGC-1] (NULL
	 * terminated).  The strings are valid only during the call. */
	int (*task_load)(void *ctx, unsigned line, void *task, int argc,
	                 const char *const *argv);
	/* Start TASK; with PROMPT, after asking on the console first. */
	int (*task_resume)(void *ctx, void *task, bool prompt);
};

/* The values of the predefined port variables; NULL: no value. */
struct bootscript_env {
	void *host_port;
	void *device_port;
};

/*
 * bootscript_run: evaluate the script BS (parsed by bootscript_parse) in
 * the three passes described at the top, calling OPS with CTX; ENV gives
 * the predefined port variables their values (NULL: none has one).  Stops at
 * the first failure; tasks created until then are left to the caller
 * (each line's task is in bs->line[i].task, NULL if none).
 * Returns BOOTSCRIPT_OK, or with a one-line reason in ERR:
 *   BOOTSCRIPT_ECALLBACK  a callback returned non-zero.
 *   BOOTSCRIPT_EVARIABLE  a port variable used by an evaluated line has
 *                         no value (NULL in ENV, or task_create gave a
 *                         NULL port).
 *   BOOTSCRIPT_ELIMIT     a line's argv needs more than
 *                         BOOTSCRIPT_ARGS_MAX bytes after substitution.
 */
int bootscript_run(struct bootscript *bs, const struct bootscript_ops *ops,
                   void *ctx, const struct bootscript_env *env, char *err,
                   size_t errlen);

#endif
