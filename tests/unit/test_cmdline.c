/*
 * Unit tests of the kernel command line (kern/cmdline.c): words, flags,
 * key=value and quoted values, every malformed input that must end in an
 * error message, numbers with ranges, and the options the kernel reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kern/cmdline.h"

static struct cmdline cl;
static char err[128];

static int setup(void **state)
{
	(void)state;
	memset(&cl, 0xa5, sizeof(cl)); /* no help from a zeroed struct */
	memset(err, 0, sizeof(err));
	return 0;
}

static void parse_ok(const char *text)
{
	assert_int_equal(cmdline_parse(&cl, text, err, sizeof(err)), 0);
}

/* TEXT is refused with a one-line reason containing WHY. */
static void parse_fails(const char *text, const char *why)
{
	memset(err, 0, sizeof(err));
	assert_int_equal(cmdline_parse(&cl, text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, why));
	assert_null(strchr(err, '\n'));
}

/* ---- words ---- */

static void test_null_text_parses_as_empty(void **state)
{
	(void)state;
	parse_ok(NULL);
	assert_int_equal(cl.nopt, 0);
	assert_null(cmdline_get(&cl, "anything"));
}

static void test_blank_text_has_no_options(void **state)
{
	(void)state;
	parse_ok(" \t\r\n  ");
	assert_int_equal(cl.nopt, 0);
}

static void test_flag_is_present_with_empty_value(void **state)
{
	(void)state;
	parse_ok("selftest");
	assert_int_equal(cl.nopt, 1);
	assert_true(cmdline_has(&cl, "selftest"));
	assert_string_equal(cmdline_get(&cl, "selftest"), "");
	assert_null(cl.opt[0].value);
}

static void test_key_value_pairs_are_split(void **state)
{
	(void)state;
	parse_ok("console=com0  hz=250\troot=hd0s1");
	assert_int_equal(cl.nopt, 3);
	assert_string_equal(cmdline_get(&cl, "console"), "com0");
	assert_string_equal(cmdline_get(&cl, "hz"), "250");
	assert_string_equal(cmdline_get(&cl, "root"), "hd0s1");
}

static void test_absent_key_is_null(void **state)
{
	(void)state;
	parse_ok("a=1 b");
	assert_null(cmdline_get(&cl, "c"));
	assert_false(cmdline_has(&cl, "c"));
	assert_false(cmdline_has(&cl, "a=1"));
	/* A key is matched whole, not by prefix. */
	assert_false(cmdline_has(&cl, "bb"));
	assert_false(cmdline_has(&cl, ""));
}

static void test_quoted_value_keeps_blanks(void **state)
{
	(void)state;
	parse_ok("init=\"/bin/sh -c  ls\" next=1");
	assert_string_equal(cmdline_get(&cl, "init"), "/bin/sh -c  ls");
	assert_string_equal(cmdline_get(&cl, "next"), "1");
}

static void test_empty_values_are_empty_strings(void **state)
{
	(void)state;
	parse_ok("a= b=\"\"");
	assert_string_equal(cmdline_get(&cl, "a"), "");
	assert_string_equal(cmdline_get(&cl, "b"), "");
	assert_non_null(cl.opt[0].value);
}

static void test_value_may_hold_equals_sign(void **state)
{
	(void)state;
	parse_ok("opt=a=b");
	assert_string_equal(cmdline_get(&cl, "opt"), "a=b");
}

static void test_last_occurrence_of_a_key_wins(void **state)
{
	(void)state;
	parse_ok("hz=100 x hz=250 hz=300");
	assert_string_equal(cmdline_get(&cl, "hz"), "300");
}

static void test_unknown_keys_are_kept(void **state)
{
	(void)state;
	parse_ok("--weird.key=value MiXeD");
	assert_string_equal(cmdline_get(&cl, "--weird.key"), "value");
	assert_true(cmdline_has(&cl, "MiXeD"));
}

static void test_reparse_forgets_previous_options(void **state)
{
	(void)state;
	parse_ok("a=1 b=2");
	parse_ok("c=3");
	assert_int_equal(cl.nopt, 1);
	assert_null(cmdline_get(&cl, "a"));
}

/* ---- limits ---- */

static void test_longest_command_line_is_accepted(void **state)
{
	static char text[CMDLINE_MAX + 1];

	(void)state;
	memset(text, 'k', CMDLINE_MAX);
	text[CMDLINE_MAX] = '\0';
	parse_ok(text);
	assert_int_equal(strlen(cl.opt[0].key), CMDLINE_MAX);
}

static void test_too_long_command_line_is_rejected(void **state)
{
	static char text[CMDLINE_MAX + 2];

	(void)state;
	memset(text, 'k', CMDLINE_MAX + 1);
	text[CMDLINE_MAX + 1] = '\0';
	parse_fails(text, "too long");
}

static void test_most_options_filling_the_buffer_are_intact(void **state)
{
	static char text[CMDLINE_MAX + 1];
	char key[8];
	size_t len = 0;
	unsigned i;

	(void)state;
	/* 64 "kNN=vvv..." words, one blank apart, 1024 bytes in all: the
	 * stored keys and values need every byte of the buffer. */
	for (i = 0; i < CMDLINE_MAX_OPTS; i++) {
		len += (size_t)sprintf(text + len, "%sk%02u=", i ? " " : "", i);
		while (len < (i + 1) * (CMDLINE_MAX / CMDLINE_MAX_OPTS))
			text[len++] = (char)('a' + i % 26);
	}
	text[len] = '\0';
	assert_int_equal(len, CMDLINE_MAX);
	parse_ok(text);
	assert_int_equal(cl.nopt, CMDLINE_MAX_OPTS);
	for (i = 0; i < CMDLINE_MAX_OPTS; i++) {
		const char *v;

		snprintf(key, sizeof(key), "k%02u", i);
		v = cmdline_get(&cl, key);
		assert_non_null(v);
		assert_true(strlen(v) >= 11);
		assert_int_equal(v[0], 'a' + i % 26);
		assert_int_equal(v[strlen(v) - 1], 'a' + i % 26);
	}
}

static void test_too_many_options_are_rejected(void **state)
{
	char text[4 * (CMDLINE_MAX_OPTS + 1)];
	size_t len = 0;
	unsigned i;

	(void)state;
	for (i = 0; i < CMDLINE_MAX_OPTS; i++)
		len += (size_t)sprintf(text + len, "%u ", i % 10);
	parse_ok(text);
	assert_int_equal(cl.nopt, CMDLINE_MAX_OPTS);
	strcat(text, "x");
	parse_fails(text, "too many");
}

/* ---- malformed text ---- */

static void test_unterminated_quote_is_rejected(void **state)
{
	(void)state;
	parse_fails("a=1 init=\"/bin/sh -c", "unterminated quote");
}

static void test_option_without_name_is_rejected(void **state)
{
	(void)state;
	parse_fails("=x", "without a name");
	parse_fails("a=1 =", "without a name");
}

static void test_quote_in_name_is_rejected(void **state)
{
	(void)state;
	parse_fails("a\"b=1", "quote in option name");
	parse_fails("\"a b\"", "quote in option name");
}

static void test_control_character_is_rejected(void **state)
{
	(void)state;
	parse_fails("a\001b", "control character");
	parse_fails("k=v\033x", "control character");
	parse_fails("k\177", "control character");
	parse_fails("k=\"a\001b\"", "control character");
}

static void test_text_glued_after_closing_quote_is_rejected(void **state)
{
	(void)state;
	parse_fails("k=\"a\"b", "after closing quote");
}

static void test_error_message_is_cut_to_its_buffer(void **state)
{
	char small[8];

	(void)state;
	memset(small, 'X', sizeof(small));
	assert_int_equal(cmdline_parse(&cl, "=oops", small, sizeof(small)), -1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* ---- numbers ---- */

static int get_uint(const char *key, uint64_t def, uint64_t min, uint64_t max,
                    uint64_t *out)
{
	memset(err, 0, sizeof(err));
	return cmdline_get_uint(&cl, key, def, min, max, out, err, sizeof(err));
}

static void test_uint_reads_decimal_and_hex(void **state)
{
	uint64_t v;

	(void)state;
	parse_ok("a=1234 b=0x1F c=0XfF d=0 e=18446744073709551615");
	assert_int_equal(get_uint("a", 0, 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 1234);
	assert_int_equal(get_uint("b", 0, 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(get_uint("c", 0, 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 255);
	assert_int_equal(get_uint("d", 7, 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(get_uint("e", 0, 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, UINT64_MAX);
}

static void test_uint_absent_key_gives_default(void **state)
{
	uint64_t v = 0;

	(void)state;
	parse_ok("other=1");
	/* The default is not range checked: the caller chose it. */
	assert_int_equal(get_uint("hz", 100, 200, 300, &v), 0);
	assert_int_equal(v, 100);
}

static void test_uint_range_is_checked_inclusively(void **state)
{
	uint64_t v = 0;

	(void)state;
	parse_ok("lo=10 hi=10000 under=9 over=10001");
	assert_int_equal(get_uint("lo", 0, 10, 10000, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(get_uint("hi", 0, 10, 10000, &v), 0);
	assert_int_equal(v, 10000);
	v = 77;
	assert_int_equal(get_uint("under", 0, 10, 10000, &v), -1);
	assert_non_null(strstr(err, "10..10000"));
	assert_int_equal(get_uint("over", 0, 10, 10000, &v), -1);
	assert_int_equal(v, 77); /* untouched on error */
}

static void test_uint_rejects_what_is_not_a_number(void **state)
{
	static const char *const keys[] = {"neg",  "alpha", "mixed",
	                                   "hexg", "space", "plus"};
	uint64_t v;
	unsigned i;

	(void)state;
	parse_ok("neg=-5 alpha=abc mixed=12a hexg=0x1g space=\"1 2\" "
	         "plus=+3");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		assert_int_equal(get_uint(keys[i], 0, 0, UINT64_MAX, &v), -1);
		assert_non_null(strstr(err, "not a number"));
	}
}

static void test_uint_rejects_missing_number(void **state)
{
	uint64_t v;

	(void)state;
	parse_ok("flag empty= hex=0x");
	assert_int_equal(get_uint("flag", 0, 0, UINT64_MAX, &v), -1);
	assert_non_null(strstr(err, "number is needed"));
	assert_int_equal(get_uint("empty", 0, 0, UINT64_MAX, &v), -1);
	assert_int_equal(get_uint("hex", 0, 0, UINT64_MAX, &v), -1);
}

static void test_uint_rejects_overflow(void **state)
{
	uint64_t v;

	(void)state;
	parse_ok("a=18446744073709551616 b=0x10000000000000000 "
	         "c=99999999999999999999999");
	assert_int_equal(get_uint("a", 0, 0, UINT64_MAX, &v), -1);
	assert_non_null(strstr(err, "too large"));
	assert_int_equal(get_uint("b", 0, 0, UINT64_MAX, &v), -1);
	assert_int_equal(get_uint("c", 0, 0, UINT64_MAX, &v), -1);
}

/* ---- the kernel's own options ---- */

static int boot_opts(const char *text, struct boot_options *opt)
{
	parse_ok(text);
	memset(opt, 0x5a, sizeof(*opt));
	memset(err, 0, sizeof(err));
	return boot_options_parse(&cl, opt, err, sizeof(err));
}

static void test_boot_options_default_when_absent(void **state)
{
	struct boot_options opt;

	(void)state;
	assert_int_equal(boot_opts("", &opt), 0);
	assert_int_equal(opt.hz, BOOT_HZ_DEFAULT);
	assert_int_equal(opt.console_com, 0);
	assert_false(opt.selftest);
	assert_false(opt.qemu_exit);
}

static void test_boot_options_are_read(void **state)
{
	struct boot_options opt;

	(void)state;
	assert_int_equal(boot_opts("hz=250 console=com1 selftest qemu_exit "
	                           "unknown=kept",
	                           &opt),
	                 0);
	assert_int_equal(opt.hz, 250);
	assert_int_equal(opt.console_com, 1);
	assert_true(opt.selftest);
	assert_true(opt.qemu_exit);
	assert_int_equal(boot_opts("console=com3 hz=0x3e8", &opt), 0);
	assert_int_equal(opt.console_com, 3);
	assert_int_equal(opt.hz, 1000);
}

static void test_boot_options_reject_bad_hz(void **state)
{
	static const char *const bad[] = {"hz=abc",   "hz=0", "hz=9",
	                                  "hz=10001", "hz",   "hz=-100"};
	struct boot_options opt;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(boot_opts(bad[i], &opt), -1);
		assert_non_null(strstr(err, "hz"));
	}
	assert_int_equal(boot_opts("hz=10", &opt), 0);
	assert_int_equal(boot_opts("hz=10000", &opt), 0);
}

static void test_boot_options_read_debug_crash(void **state)
{
	struct boot_options opt;

	(void)state;
	assert_int_equal(boot_opts("selftest", &opt), 0);
	assert_int_equal(opt.debug_crash, DEBUG_CRASH_NONE);
	assert_int_equal(boot_opts("debug_crash=panic", &opt), 0);
	assert_int_equal(opt.debug_crash, DEBUG_CRASH_PANIC);
	assert_int_equal(boot_opts("debug_crash=fault", &opt), 0);
	assert_int_equal(opt.debug_crash, DEBUG_CRASH_FAULT);
	assert_int_equal(boot_opts("debug_crash=reboot", &opt), -1);
	assert_non_null(strstr(err, "debug_crash=reboot"));
	assert_int_equal(boot_opts("debug_crash", &opt), -1);
}

static void test_boot_options_reject_bad_console(void **state)
{
	static const char *const bad[] = {"console=lpt1",  "console=com4",
	                                  "console=com10", "console=com",
	                                  "console",       "console=COM1"};
	struct boot_options opt;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(boot_opts(bad[i], &opt), -1);
		assert_non_null(strstr(err, "console"));
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
	    T(test_null_text_parses_as_empty),
	    T(test_blank_text_has_no_options),
	    T(test_flag_is_present_with_empty_value),
	    T(test_key_value_pairs_are_split),
	    T(test_absent_key_is_null),
	    T(test_quoted_value_keeps_blanks),
	    T(test_empty_values_are_empty_strings),
	    T(test_value_may_hold_equals_sign),
	    T(test_last_occurrence_of_a_key_wins),
	    T(test_unknown_keys_are_kept),
	    T(test_reparse_forgets_previous_options),
	    T(test_longest_command_line_is_accepted),
	    T(test_too_long_command_line_is_rejected),
	    T(test_most_options_filling_the_buffer_are_intact),
	    T(test_too_many_options_are_rejected),
	    T(test_unterminated_quote_is_rejected),
	    T(test_option_without_name_is_rejected),
	    T(test_quote_in_name_is_rejected),
	    T(test_control_character_is_rejected),
	    T(test_text_glued_after_closing_quote_is_rejected),
	    T(test_error_message_is_cut_to_its_buffer),
	    T(test_uint_reads_decimal_and_hex),
	    T(test_uint_absent_key_gives_default),
	    T(test_uint_range_is_checked_inclusively),
	    T(test_uint_rejects_what_is_not_a_number),
	    T(test_uint_rejects_missing_number),
	    T(test_uint_rejects_overflow),
	    T(test_boot_options_default_when_absent),
	    T(test_boot_options_are_read),
	    T(test_boot_options_reject_bad_hz),
	    T(test_boot_options_read_debug_crash),
	    T(test_boot_options_reject_bad_console),
	};
#undef T

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
