/*
 * The kernel command line: words separated by blanks, each either a flag
 * (`selftest`) or `key=value`, where a value may be double-quoted to hold
 * blanks (`key="a b"`).  GNU Mach's `console=com0` is one such option.
 * Unknown keys are kept (later they go to the bootstrap task's
 * environment, as on GNU Mach); only malformed text is an error.
 *
 * boot_options_parse() turns the options the kernel itself reads into a
 * struct boot_options, checking each value's range.
 */
#ifndef KERN_CMDLINE_H
#define KERN_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMDLINE_MAX      1024 /* bytes of command line kept */
#define CMDLINE_MAX_OPTS 64

/*
 * A parsed command line.
 * Owned by: its creator (the boot code keeps one for the whole run).
 * Guarded by: nothing; written once at boot, read-only afterwards.
 */
struct cmdline {
	char buf[CMDLINE_MAX + 1]; /* keys and values, NUL separated */
	struct cmdline_opt {
		const char *key;
		const char *value; /* NULL for a flag */
	} opt[CMDLINE_MAX_OPTS];
	unsigned nopt;
};

/*
 * cmdline_parse: parse TEXT (NULL means empty) into CL.
 * Returns 0, or -1 with a one-line reason in ERR when TEXT is longer than
 *   CMDLINE_MAX, has more than CMDLINE_MAX_OPTS words, an unterminated
 *   quote, a key that is empty (`=x`) or holds a quote, or a control
 *   character.
 */
int cmdline_parse(struct cmdline *cl, const char *text, char *err,
                  size_t errlen);

/* The value of the last KEY given, "" for a flag, NULL if absent. */
const char *cmdline_get(const struct cmdline *cl, const char *key);

/* True if KEY appears, as a flag or with a value. */
bool cmdline_has(const struct cmdline *cl, const char *key);

/*
 * cmdline_get_uint: read KEY as a decimal number (or 0x hexadecimal) in
 * [MIN, MAX] into *OUT; *OUT = DEF when KEY is absent.
 * Returns 0, or -1 with a reason in ERR when the value is missing, not a
 *   number, or out of range.
 */
int cmdline_get_uint(const struct cmdline *cl, const char *key, uint64_t def,
                     uint64_t min, uint64_t max, uint64_t *out, char *err,
                     size_t errlen);

/*
 * The options the kernel reads for itself (docs/ARCHITECTURE.md lists
 * them).  Owned by the boot code; read-only after boot.
 */
enum debug_crash {
	DEBUG_CRASH_NONE,
	DEBUG_CRASH_PANIC, /* debug_crash=panic: call panic() */
	DEBUG_CRASH_FAULT, /* debug_crash=fault: an unhandled page fault */
};

struct boot_options {
	unsigned hz;     /* timer interrupts per second (hz=, 10..10000) */
	int console_com; /* serial console unit (console=comN), -1: none */
	bool selftest;   /* run the in-kernel self-tests, then power off */
	bool qemu_exit;  /* on halt, leave QEMU through isa-debug-exit */
	enum debug_crash debug_crash; /* crash on purpose after boot (tests) */
};

#define BOOT_HZ_DEFAULT 100

/*
 * boot_options_parse: fill OPT from CL, with defaults for what is absent.
 * Returns 0, or -1 with a reason in ERR for a bad value (hz=abc, hz=0,
 *   console=lpt1, debug_crash=other).
 */
int boot_options_parse(const struct cmdline *cl, struct boot_options *opt,
                       char *err, size_t errlen);

#endif
