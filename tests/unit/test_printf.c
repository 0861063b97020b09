/*
 * Unit tests of the kernel's formatter (kern/printf.c): every conversion,
 * flag, width and precision that printf.h promises, ksnprintf's
 * truncation and return value, and kprintf's path to the console.  Where
 * printf.h promises C's meaning, the host libc is the oracle.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kern/printf.h"
#include "machine/host_test.h"

static char buf[256];

/* ksnprintf into buf; check the text and that the return is its length. */
#define EXPECT_FMT(want, ...)                                                  \
	do {                                                                   \
		int n_ = ksnprintf(buf, sizeof(buf), __VA_ARGS__);             \
		assert_string_equal(buf, want);                                \
		assert_int_equal(n_, strlen(want));                            \
	} while (0)

/* ---- conversions ---- */

static void test_d_prints_signed_decimal(void **state)
{
	(void)state;
	EXPECT_FMT("0 42 -42", "%d %d %d", 0, 42, -42);
	EXPECT_FMT("-2147483648 2147483647", "%d %d", INT_MIN, INT_MAX);
}

static void test_i_is_the_same_as_d(void **state)
{
	(void)state;
	EXPECT_FMT("-7 7", "%i %i", -7, 7);
}

static void test_u_prints_unsigned_decimal(void **state)
{
	(void)state;
	EXPECT_FMT("0 4294967295", "%u %u", 0u, UINT_MAX);
}

static void test_x_prints_lowercase_hex(void **state)
{
	(void)state;
	EXPECT_FMT("0 ff deadbeef", "%x %x %x", 0u, 255u, 0xdeadbeefu);
}

static void test_X_prints_uppercase_hex(void **state)
{
	(void)state;
	EXPECT_FMT("FF DEADBEEF", "%X %X", 255u, 0xdeadbeefu);
}

static void test_o_prints_octal(void **state)
{
	(void)state;
	EXPECT_FMT("0 10 777", "%o %o %o", 0u, 8u, 511u);
}

static void test_c_prints_one_character(void **state)
{
	(void)state;
	EXPECT_FMT("a-Z", "%c%c%c", 'a', '-', 'Z');
}

static void test_s_prints_string(void **state)
{
	(void)state;
	EXPECT_FMT("hello, world", "%s, %s", "hello", "world");
	EXPECT_FMT("", "%s", "");
}

static void test_s_of_null_prints_placeholder(void **state)
{
	const char *volatile nothing = NULL; /* hidden from gcc's checks */

	(void)state;
	EXPECT_FMT("(null)", "%s", nothing);
}

static void test_p_prints_hex_with_prefix(void **state)
{
	(void)state;
	EXPECT_FMT("0x1234abcd", "%p", (void *)0x1234abcd);
	EXPECT_FMT("0xffff800000000000", "%p", (void *)0xffff800000000000UL);
}

static void test_percent_percent_prints_percent(void **state)
{
	(void)state;
	EXPECT_FMT("100%", "100%%");
	EXPECT_FMT("%d", "%%d");
}

static void test_plain_text_is_copied(void **state)
{
	(void)state;
	EXPECT_FMT("no conversions here", "no conversions here");
	EXPECT_FMT("", "%s", "");
}

/* ---- length modifiers ---- */

static void test_hh_truncates_to_char(void **state)
{
	(void)state;
	EXPECT_FMT("-56 200", "%hhd %hhu", 200, 200);
	EXPECT_FMT("ff", "%hhx", -1);
}

static void test_h_truncates_to_short(void **state)
{
	(void)state;
	EXPECT_FMT("4464 -1 ffff", "%hu %hd %hx", 70000, 65535, -1);
}

static void test_l_takes_long(void **state)
{
	(void)state;
	EXPECT_FMT("-9223372036854775808 18446744073709551615", "%ld %lu",
	           LONG_MIN, ULONG_MAX);
	EXPECT_FMT("ffffffffffffffff", "%lx", ULONG_MAX);
}

static void test_ll_takes_long_long(void **state)
{
	(void)state;
	EXPECT_FMT("-9223372036854775807 1777777777777777777777", "%lld %llo",
	           -LLONG_MAX, ULLONG_MAX);
}

static void test_z_t_j_take_size_ptrdiff_intmax(void **state)
{
	(void)state;
	EXPECT_FMT("18446744073709551615 -5 -9223372036854775808",
	           "%zu %td %jd", SIZE_MAX, (ptrdiff_t)-5, INTMAX_MIN);
	EXPECT_FMT("ABC", "%zX", (size_t)0xabc);
}

/* ---- flags ---- */

static void test_width_pads_on_the_left(void **state)
{
	(void)state;
	EXPECT_FMT("[   42][  -42][   ab][    x]", "[%5d][%5d][%5s][%5c]", 42,
	           -42, "ab", 'x');
}

static void test_width_smaller_than_text_is_ignored(void **state)
{
	(void)state;
	EXPECT_FMT("123456 abcdef", "%3d %3s", 123456, "abcdef");
}

static void test_minus_flag_left_justifies(void **state)
{
	(void)state;
	EXPECT_FMT("[42   ][-42  ][ab   ][x    ]", "[%-5d][%-5d][%-5s][%-5c]",
	           42, -42, "ab", 'x');
}

static void test_zero_flag_pads_with_zeros_after_sign(void **state)
{
	(void)state;
	EXPECT_FMT("00042 -0042 0x00ff", "%05d %05d %#06x", 42, -42, 255u);
}

/* These tests combine flags on purpose: C says which one wins, and gcc
 * warns that the other is ignored. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
static void test_zero_flag_is_ignored_with_minus(void **state)
{
	(void)state;
	EXPECT_FMT("[42   ]", "[%-05d]", 42);
}

static void test_zero_flag_is_ignored_with_precision(void **state)
{
	(void)state;
	EXPECT_FMT("[  042]", "[%05.3d]", 42);
}

#pragma GCC diagnostic pop

static void test_plus_flag_signs_positive_numbers(void **state)
{
	(void)state;
	EXPECT_FMT("+42 -42 +0", "%+d %+d %+d", 42, -42, 0);
}

static void test_space_flag_puts_blank_before_positive(void **state)
{
	(void)state;
	EXPECT_FMT(" 42 -42", "% d % d", 42, -42);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
static void test_plus_flag_overrides_space_flag(void **state)
{
	(void)state;
	EXPECT_FMT("+42", "%+ d", 42);
}

#pragma GCC diagnostic pop

static void test_hash_flag_prefixes_hex(void **state)
{
	(void)state;
	EXPECT_FMT("0xff 0XFF", "%#x %#X", 255u, 255u);
}

static void test_hash_flag_gives_octal_a_leading_zero(void **state)
{
	(void)state;
	EXPECT_FMT("010 0", "%#o %#o", 8u, 0u);
}

/* ---- width and precision ---- */

static void test_star_takes_width_from_arguments(void **state)
{
	(void)state;
	EXPECT_FMT("[   42]", "[%*d]", 5, 42);
}

static void test_negative_star_width_left_justifies(void **state)
{
	(void)state;
	EXPECT_FMT("[42   ]", "[%*d]", -5, 42);
}

static void test_precision_gives_minimum_digits(void **state)
{
	(void)state;
	EXPECT_FMT("00042 -00042 000ff", "%.5d %.5d %.5x", 42, -42, 255u);
}

static void test_precision_zero_prints_nothing_for_zero(void **state)
{
	(void)state;
	EXPECT_FMT("[][   ]", "[%.0d][%3.0u]", 0, 0u);
}

static void test_star_takes_precision_from_arguments(void **state)
{
	(void)state;
	EXPECT_FMT("[0042][ab]", "[%.*d][%.*s]", 4, 42, 2, "abc");
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
static void test_negative_star_precision_counts_as_none(void **state)
{
	(void)state;
	EXPECT_FMT("[abc][00042]", "[%.*s][%0*.*d]", -1, "abc", 5, -3, 42);
}

#pragma GCC diagnostic pop

static void test_precision_truncates_strings(void **state)
{
	(void)state;
	EXPECT_FMT("[hel][  hel][hel  ]", "[%.3s][%5.3s][%-5.3s]", "hello",
	           "hello", "hello");
}

static void test_precision_reads_no_further_than_it_needs(void **state)
{
	char unterminated[3] = {'a', 'b', 'c'};

	(void)state;
	EXPECT_FMT("abc", "%.3s", unterminated);
}

/* ---- odd formats ---- */

static void test_unknown_conversion_is_printed_as_written(void **state)
{
	(void)state;
	/* Built at run time: the compiler would rightly warn otherwise. */
	const char *fmt = "a%qb";

	assert_int_equal(ksnprintf(buf, sizeof(buf), fmt, 0), 4);
	assert_string_equal(buf, "a%qb");
}

static void test_lone_percent_at_end_is_dropped(void **state)
{
	const char *fmt = "abc%";

	(void)state;
	assert_int_equal(ksnprintf(buf, sizeof(buf), fmt, 0), 3);
	assert_string_equal(buf, "abc");
}

/* ---- the buffer ---- */

static void test_truncation_keeps_nul_and_returns_full_length(void **state)
{
	char small[6];

	(void)state;
	memset(small, 'X', sizeof(small));
	assert_int_equal(ksnprintf(small, sizeof(small), "%s-%d", "abcdef", 42),
	                 9);
	assert_string_equal(small, "abcde");
}

static void test_exact_fit_is_not_truncated(void **state)
{
	char small[6];

	(void)state;
	assert_int_equal(ksnprintf(small, sizeof(small), "%d", 12345), 5);
	assert_string_equal(small, "12345");
}

static void test_size_one_writes_only_the_nul(void **state)
{
	char small[2] = {'X', 'Y'};

	(void)state;
	assert_int_equal(ksnprintf(small, 1, "%s", "abc"), 3);
	assert_int_equal(small[0], '\0');
	assert_int_equal(small[1], 'Y');
}

static void test_size_zero_writes_nothing(void **state)
{
	char small[1] = {'X'};

	(void)state;
	assert_int_equal(ksnprintf(small, 0, "%d", 123), 3);
	assert_int_equal(small[0], 'X');
	assert_int_equal(ksnprintf(NULL, 0, "%s%s", "ab", "cd"), 4);
}

static int call_kvsnprintf(char *b, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(b, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_kvsnprintf_takes_a_va_list(void **state)
{
	(void)state;
	assert_int_equal(call_kvsnprintf(buf, sizeof(buf), "%s=%u", "x", 7u),
	                 3);
	assert_string_equal(buf, "x=7");
}

static void test_long_output_is_counted_past_the_buffer(void **state)
{
	(void)state;
	/* 300 characters through a 256-byte buffer. */
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%300s", "end"), 300);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_int_equal(buf[0], ' ');
}

/* ---- the console ---- */

static void test_kprintf_writes_to_the_console(void **state)
{
	(void)state;
	host_console_reset();
	assert_int_equal(kprintf("boot %s: %d MiB\n", "ok", 64), 16);
	assert_string_equal(host_console_output(), "boot ok: 64 MiB\n");
}

static void test_kprintf_writes_long_lines_whole(void **state)
{
	char want[201];

	(void)state;
	memset(want, 'z', 200);
	want[200] = '\0';
	host_console_reset();
	assert_int_equal(kprintf("%s", want), 200);
	assert_string_equal(host_console_output(), want);
}

/* ---- against the C library ---- */

static const long long ivals[] = {0, 1, -1, 42, -9999, LLONG_MIN, LLONG_MAX};

/*
 * KNOWN DIVERGENCES of kern/printf.c from C, reported to its owner and
 * left out of the comparison until fixed (then delete this function):
 *   - '+' and ' ' put a sign on %u: C applies them to signed conversions
 *     only ("%+u" of 5 is "5");
 *   - '#' puts 0x on a zero: C does not ("%#x" of 0 is "0");
 *   - '#' on %o adds a 0 even when the precision already gave one
 *     ("%#.4o" of 1 is "0001").
 */
/* Format every value of ivals (or one string, for 's') with "%FLAGS WIDTH
 * PREC CONV" through ksnprintf and snprintf; returns the mismatches. */
static unsigned compare_with_libc(const char *flags, const char *width,
                                  const char *prec, char conv)
{
	char fmt[32], want[128], got[128];
	unsigned v, bad = 0;

	snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", flags, width, prec,
	         conv == 's' ? "" : "ll", conv);
	for (v = 0; v < ARRAY_SIZE(ivals); v++) {
		int a, b;

		if (conv == 's') {
			a = snprintf(want, sizeof(want), fmt, "Mach_R");
			b = ksnprintf(got, sizeof(got), fmt, "Mach_R");
		} else {
			a = snprintf(want, sizeof(want), fmt, ivals[v]);
			b = ksnprintf(got, sizeof(got), fmt, ivals[v]);
		}
		if (a == b && strcmp(want, got) == 0)
			continue;
		if (bad++ < 10)
			print_error(
			    "%s: libc \"%s\" (%d), kernel \"%s\" (%d)\n", fmt,
			    want, a, got, b);
	}
	return bad;
}

/*
 * Every combination of flags, width and precision on the integer and
 * string conversions, compared with the host's snprintf: printf.h
 * promises C's meaning for all of them.  The combinations C leaves
 * undefined ('#' on d, i, u, s; '0' on s) are not generated.
 */
static void test_matches_c_library_on_every_combination(void **state)
{
	static const char *const flagsets[] = {
	    "", "-", "0", "+", " ", "#", "-0", "-+", "+ ", "0#", "-#", "0+",
	};
	static const char *const widths[] = {"", "1", "6", "12", "25"};
	static const char *const precs[] = {"", ".", ".0", ".1", ".4", ".21"};
	static const char convs[] = "diuxXos";
	unsigned f, w, p, c, bad = 0;

	(void)state;
	for (c = 0; convs[c]; c++) {
		bool no_hash = strchr("dius", convs[c]) != NULL;

		for (f = 0; f < ARRAY_SIZE(flagsets); f++) {
			if ((no_hash && strchr(flagsets[f], '#')) ||
			    (convs[c] == 's' && strchr(flagsets[f], '0')))
				continue;
			for (w = 0; w < ARRAY_SIZE(widths); w++)
				for (p = 0; p < ARRAY_SIZE(precs); p++)
					bad += compare_with_libc(
					    flagsets[f], widths[w], precs[p],
					    convs[c]);
		}
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test(fn)
	const struct CMUnitTest tests[] = {
	    T(test_d_prints_signed_decimal),
	    T(test_i_is_the_same_as_d),
	    T(test_u_prints_unsigned_decimal),
	    T(test_x_prints_lowercase_hex),
	    T(test_X_prints_uppercase_hex),
	    T(test_o_prints_octal),
	    T(test_c_prints_one_character),
	    T(test_s_prints_string),
	    T(test_s_of_null_prints_placeholder),
	    T(test_p_prints_hex_with_prefix),
	    T(test_percent_percent_prints_percent),
	    T(test_plain_text_is_copied),
	    T(test_hh_truncates_to_char),
	    T(test_h_truncates_to_short),
	    T(test_l_takes_long),
	    T(test_ll_takes_long_long),
	    T(test_z_t_j_take_size_ptrdiff_intmax),
	    T(test_width_pads_on_the_left),
	    T(test_width_smaller_than_text_is_ignored),
	    T(test_minus_flag_left_justifies),
	    T(test_zero_flag_pads_with_zeros_after_sign),
	    T(test_zero_flag_is_ignored_with_minus),
	    T(test_zero_flag_is_ignored_with_precision),
	    T(test_plus_flag_signs_positive_numbers),
	    T(test_space_flag_puts_blank_before_positive),
	    T(test_plus_flag_overrides_space_flag),
	    T(test_hash_flag_prefixes_hex),
	    T(test_hash_flag_gives_octal_a_leading_zero),
	    T(test_star_takes_width_from_arguments),
	    T(test_negative_star_width_left_justifies),
	    T(test_precision_gives_minimum_digits),
	    T(test_precision_zero_prints_nothing_for_zero),
	    T(test_star_takes_precision_from_arguments),
	    T(test_negative_star_precision_counts_as_none),
	    T(test_precision_truncates_strings),
	    T(test_precision_reads_no_further_than_it_needs),
	    T(test_unknown_conversion_is_printed_as_written),
	    T(test_lone_percent_at_end_is_dropped),
	    T(test_truncation_keeps_nul_and_returns_full_length),
	    T(test_exact_fit_is_not_truncated),
	    T(test_size_one_writes_only_the_nul),
	    T(test_size_zero_writes_nothing),
	    T(test_kvsnprintf_takes_a_va_list),
	    T(test_long_output_is_counted_past_the_buffer),
	    T(test_kprintf_writes_to_the_console),
	    T(test_kprintf_writes_long_lines_whole),
	    T(test_matches_c_library_on_every_combination),
	};
#undef T

	return cmocka_run_group_tests_name("printf", tests, NULL, NULL);
}
