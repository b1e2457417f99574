// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of common/jscan.h, the strict JSON scanner the report decoder
 * reads with: numbers against glibc's strtod in the C locale, bit for bit
 * (random decimals of every length and exponent, the edges of double and
 * long long, the fast path's edges, digits past a bounded copy); strings
 * decoded (escapes, surrogate pairs, UTF-8 kept) and refused (each class,
 * with its word); a cap that cuts the copy but not the length; duplicate
 * keys found in skipped objects whatever their spelling, and none where
 * there are none, also past the inline key stack; nesting at and over the
 * bound; what may follow a value.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/jscan.h"
#include "tests/unit/rows.h"

static uint64_t rng = 0x853c49e6748fea9bULL;
static char what_buf[64]; /* the last error's text */

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* The number @text scanned whole: its type, *iv, *dv; -1 when refused. */
static int number(const char *text, long long *iv, double *dv)
{
	struct jscan s;
	int t;

	jscan_init(&s, text, strlen(text), 8);
	t = jscan_number(&s, iv, dv);
	if (t >= 0 && s.p != s.end)
		t = -2; /* stopped short */
	jscan_fini(&s);
	return t;
}

static double c_strtod(const char *text)
{
	static locale_t c;

	if (!c)
		c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return strtod_l(text, NULL, c);
}

static void same_double(const char *text)
{
	long long iv;
	double dv, want = c_strtod(text);
	int t = number(text, &iv, &dv);

	if (isinf(want)) {
		if (t != -1)
			fail_msg("%s: overflow taken (%d, %g)", text, t, dv);
		return;
	}
	if (t != JSCAN_REAL)
		fail_msg("%s: type %d", text, t);
	if (memcmp(&dv, &want, sizeof(dv)))
		fail_msg("%s: %.17g, strtod %.17g", text, dv, want);
}

static void test_reals(void **state)
{
	static const char *const fixed[] = {
		"0.0",
		"-0.0",
		"1e0",
		"1E+2",
		"1e-2",
		"0.1",
		"0.3",
		"9007199254740992.0",
		"9007199254740993.0",
		"9007199254740993e0",
		"1e22",
		"1e23",
		"1e-22",
		"1e-23",
		"123456789012345678e-5",
		"4.9e-324",
		"2.4703282292062327e-324",
		"2.4703282292062328e-324",
		"1e-400",
		"1.7976931348623157e308",
		"1.7976931348623158e308",
		"1.7976931348623159e308",
		"1e309",
		"-1e309",
		"2.2250738585072011e-308",
		"2.2250738585072012e-308",
		"0e99999999999999999999",
		"1e-99999999999999999999",
		"1e99999999999999999999",
	};
	char buf[2600];

	(void)state;
	for (size_t i = 0; i < ROWS(fixed); i++)
		same_double(fixed[i]);
	/* random decimals: 1..25 digits, a point anywhere, exponents */
	for (int round = 0; round < 200000; round++) {
		int nd = 1 + (int)rnd(25), point = (int)rnd((uint32_t)nd + 1);
		size_t o = 0;

		if (rnd(2))
			buf[o++] = '-';
		for (int k = 0; k < nd; k++) {
			if (k == point && k)
				buf[o++] = '.';
			buf[o++] = (char)('0' + (k == 0 && nd > 1 && point != 1
							 ? 1 + rnd(9)
							 : rnd(10)));
		}
		if (point == 0 || point == nd)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, ".%u",
					      rnd(10));
		if (rnd(3))
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "e%d",
					      (int)rnd(700) - 350);
		buf[o] = '\0';
		same_double(buf);
	}
	/* long: digits past the bounded copy, near halfway points */
	for (int round = 0; round < 400; round++) {
		int nd = 60 + (int)rnd(2000);
		size_t o = 0;

		buf[o++] = '0' + 1 + (char)rnd(9);
		buf[o++] = '.';
		for (int k = 0; k < nd && o < 2500; k++)
			buf[o++] = round & 1	 ? (char)('0' + rnd(10))
				   : k < 16	 ? "7976931348623157"[k]
				   : k == nd - 1 ? '1'
						 : (round & 2 ? '0' : '9');
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "e%d",
				      (int)rnd(640) - 330);
		buf[o] = '\0';
		same_double(buf);
	}
	/* halfway between two doubles, exactly and by a hair */
	same_double("1.00000000000000011102230246251565404236316680908203125");
	same_double("1.000000000000000111022302462515654042363166809082031250"
		    "00000000000000000000000000000000000000000000000000000001");
	same_double("1.000000000000000111022302462515654042363166809082031249"
		    "99999999999999999999999999999999999999999999999999999999");
}

static void test_integers(void **state)
{
	static const struct {
		const char *text;
		int type;
		long long v;
	} rows[] = {
		{"0", JSCAN_INT, 0},
		{"-0", JSCAN_INT, 0},
		{"7", JSCAN_INT, 7},
		{"999999999999999999", JSCAN_INT, 999999999999999999LL},
		{"9223372036854775807", JSCAN_INT, INT64_MAX},
		{"-9223372036854775808", JSCAN_INT, INT64_MIN},
		{"9223372036854775808", -1, 0},
		{"-9223372036854775809", -1, 0},
		{"18446744073709551616", -1, 0},
		{"00", -2, 0},
		{"01", -2, 0},
		{"-", -1, 0},
		{"-a", -1, 0},
		{"1.", -1, 0},
		{"1e", -1, 0},
		{"1e+", -1, 0},
		{".5", -1, 0},
		{"+1", -1, 0},
	};

	(void)state;
	for (size_t i = 0; i < ROWS(rows); i++) {
		long long iv = 42;
		double dv;
		int t = number(rows[i].text, &iv, &dv);

		if (t != rows[i].type ||
		    (t == JSCAN_INT && (iv != rows[i].v || dv != (double)iv)))
			fail_msg("%s: type %d value %lld", rows[i].text, t, iv);
	}
	/* every 1..19-digit integer of random digits, both signs */
	for (int round = 0; round < 100000; round++) {
		char buf[32];
		int nd = 1 + (int)rnd(19);
		long long iv;
		double dv;
		size_t o = 0;

		if (rnd(2))
			buf[o++] = '-';
		buf[o++] = (char)('1' + rnd(9));
		for (int k = 1; k < nd; k++)
			buf[o++] = (char)('0' + rnd(10));
		buf[o] = '\0';
		errno = 0;
		{
			long long want = strtoll(buf, NULL, 10);
			int t = number(buf, &iv, &dv);

			if (errno == ERANGE ? t != -1
					    : t != JSCAN_INT || iv != want)
				fail_msg("%s: type %d value %lld", buf, t, iv);
		}
	}
}

/* The string @json (with its quotes) decoded: 0 and the bytes, or the
 * error's text. */
static int string(const char *json, size_t n, size_t cap, char *out,
		  size_t *len, const char **what)
{
	struct jscan s;
	int rc;

	jscan_init(&s, json, n, 8);
	rc = jscan_string(&s, out, cap, len, NULL);
	/* the text may live in the scanner: keep a copy */
	snprintf(what_buf, sizeof(what_buf), "%s", s.what ? s.what : "");
	*what = s.what ? what_buf : NULL;
	jscan_fini(&s);
	return rc;
}

static void test_strings(void **state)
{
	static const struct {
		const char *json, *want; /* want NULL: refused, with word */
		const char *word;
	} rows[] = {
		{"\"\"", "", NULL},
		{"\"abc\"", "abc", NULL},
		{"\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d", NULL},
		{"\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t", NULL},
		{"\"\\u0041\\u00e9\\u6C88\"", "A\xc3\xa9\xe6\xb2\x88", NULL},
		{"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", NULL},
		{"\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", NULL},
		{"\"\xe6\xb2\x88\xe9\x98\xb3\"", "\xe6\xb2\x88\xe9\x98\xb3",
		 NULL},
		{"\"\xf4\x8f\xbf\xbf\"", "\xf4\x8f\xbf\xbf", NULL},
		{"\"a\x7f\"", "a\x7f", NULL},
		{"\"\\u0000\"", NULL, "\\u0000"},
		{"\"\\ud800\"", NULL, "lone high"},
		{"\"\\ud800\\u0041\"", NULL, "lone high"},
		{"\"\\udc00\"", NULL, "lone low"},
		{"\"\\u12\"", NULL, "invalid escape"},
		{"\"\\u12g4\"", NULL, "invalid escape"},
		{"\"\\x\"", NULL, "invalid escape"},
		{"\"\\", NULL, "premature end"},
		{"\"abc", NULL, "premature end"},
		{"\"a\nb\"", NULL, "newline"},
		{"\"a\tb\"", NULL, "control character 0x9"},
		{"\"\x80\"", NULL, "unable to decode byte 0x80"},
		{"\"\xc0\xaf\"", NULL, "unable to decode"},
		{"\"\xc1\xbf\"", NULL, "unable to decode"},
		{"\"\xe0\x9f\xbf\"", NULL, "unable to decode"},
		{"\"\xed\xa0\x80\"", NULL, "unable to decode"},
		{"\"\xf0\x8f\xbf\xbf\"", NULL, "unable to decode"},
		{"\"\xf4\x90\x80\x80\"", NULL, "unable to decode"},
		{"\"\xf5\x80\x80\x80\"", NULL, "unable to decode"},
		{"\"\xe6\xb2\"", NULL, "unable to decode"},
		{"\"\xe6\xb2", NULL, "unable to decode"},
	};

	(void)state;
	for (size_t i = 0; i < ROWS(rows); i++) {
		char out[64];
		size_t len = 0;
		const char *what;
		int rc = string(rows[i].json, strlen(rows[i].json), sizeof(out),
				out, &len, &what);

		if (rows[i].want
			    ? rc || len != strlen(rows[i].want) ||
				      strcmp(out, rows[i].want)
			    : rc != -1 || !what || !strstr(what, rows[i].word))
			fail_msg("%s: rc %d \"%s\" (%s)", rows[i].json, rc,
				 rc ? "" : out, what ? what : "-");
	}
	/* a cap cuts the copy, never the length, never past the cap */
	{
		char out[8];
		size_t len;
		const char *what;

		memset(out, 'Q', sizeof(out));
		assert_int_equal(string("\"abcdefghij\\u00e9\"", 18, 5, out,
					&len, &what),
				 0);
		assert_int_equal(len, 12);
		assert_string_equal(out, "abcd");
		assert_int_equal(out[5], 'Q');
	}
}

/* @text skipped whole: 0, or -1 with the error's text in *what. */
static int skipped(const char *text, int depth, const char **what)
{
	struct jscan s;
	int rc;

	jscan_init(&s, text, strlen(text), depth);
	rc = jscan_skip(&s);
	if (!rc)
		rc = jscan_end(&s);
	snprintf(what_buf, sizeof(what_buf), "%s", s.what ? s.what : "");
	*what = s.what ? what_buf : NULL;
	jscan_fini(&s);
	return rc;
}

static void test_skip(void **state)
{
	static const struct {
		const char *text, *word; /* word NULL: taken */
	} rows[] = {
		{"{}", NULL},
		{"[]", NULL},
		{" {\"a\" : [1, 2.5, \"x\", true, false, null, {}]} \n", NULL},
		{"{\"a\":1,\"b\":2,\"c\":{\"a\":1}}", NULL},
		{"{\"a\":1,\"a\":2}", "duplicate"},
		{"{\"a\":1,\"\\u0061\":2}", "duplicate"},
		{"{\"\\u00e9\":1,\"\xc3\xa9\":2}", "duplicate"},
		{"{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", "duplicate"},
		{"{\"ab\":1,\"a\":2,\"abc\":3,\"b\":4}", NULL},
		{"[{\"a\":1},{\"a\":1}]", NULL},
		{"{\"a\":{\"b\":1,\"b\":1}}", "duplicate"},
		{"{\"a\":1,}", "string expected"},
		{"{\"a\" 1}", "':' expected"},
		{"{1:1}", "string or '}'"},
		{"[1,]", "invalid token"},
		{"[1 2]", "',' or ']'"},
		{"{\"a\":1 \"b\":2}", "',' or '}'"},
		{"{\"a\":1}x", "end of file expected"},
		{"{\"a\":1}{}", "end of file expected"},
		{"[tru]", "invalid token"},
		{"[nul]", "invalid token"},
		{"[1e400]", "overflow"},
		{"[", "premature end"},
		{"{\"a\":", "premature end"},
		{"[[[[[[[[1]]]]]]]]", NULL},
		{"[[[[[[[[[1]]]]]]]]]", "nested"},
		{"\f[]", "invalid token"},
	};
	const char *what;

	(void)state;
	for (size_t i = 0; i < ROWS(rows); i++) {
		int rc = skipped(rows[i].text, 8, &what);

		if (rows[i].word
			    ? rc != -1 || !what || !strstr(what, rows[i].word)
			    : rc != 0)
			fail_msg("%s: rc %d (%s)", rows[i].text, rc,
				 what ? what : "-");
	}
}

/* Past the inline stack: 5,000 keys, then the same with one repeated. */
static void test_many_keys(void **state)
{
	size_t n = 5000, o = 0;
	char *s = malloc(n * 16 + 16);
	const char *what;

	(void)state;
	s[o++] = '{';
	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(s + o, "%s\"k%zu\":0", i ? "," : "", i);
	s[o++] = '}';
	s[o] = '\0';
	assert_int_equal(skipped(s, 8, &what), 0);
	memcpy(strstr(s, "\"k4321\""), "\"k1234\"", 7);
	assert_int_equal(skipped(s, 8, &what), -1);
	assert_non_null(strstr(what, "duplicate"));
	free(s);
}

int main(void)
{
	add_test(test_reals, NULL, "reals as strtod reads them");
	add_test(test_integers, NULL, "integers and what is not one");
	add_test(test_strings, NULL, "strings decoded and refused");
	add_test(test_skip, NULL, "values skipped: grammar, keys, depth");
	add_test(test_many_keys, NULL, "duplicate keys past the inline stack");
	return _cmocka_run_group_tests("jscan", tests, ntests, NULL, NULL);
}
