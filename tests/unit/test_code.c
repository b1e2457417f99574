// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of common/code.h, the 12-digit division codes (PP CC DD TTT
 * VVV): parsing of the full and short (2/4/6/9-digit) forms and the exact
 * reason given for each rejection (length, non-digit, province group below
 * 11, a group set under a zero group), formatting, and the tree read off the
 * digits: level, parent, strict ancestry, index, group and ancestor at a
 * level, level names both ways and the largest index per level.  Every table
 * row is registered as its own cmocka test case, named after its input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/code.h"

#include "tests/unit/rows.h"

/* ---- code_parse: accepted forms ---- */

static const struct parse_ok {
	const char *in;
	code_t code;
	enum code_level level;
} parse_ok_rows[] = {
	/* 12 digits, one per level */
	{"210000000000", 210000000000ULL, LEVEL_PROVINCE},
	{"210100000000", 210100000000ULL, LEVEL_CITY},
	{"210102000000", 210102000000ULL, LEVEL_COUNTY},
	{"210102003000", 210102003000ULL, LEVEL_TOWNSHIP},
	{"210102003004", 210102003004ULL, LEVEL_VILLAGE},
	/* the bounds of each group */
	{"110000000000", 110000000000ULL, LEVEL_PROVINCE},
	{"999999999999", 999999999999ULL, LEVEL_VILLAGE},
	{"219900000000", 219900000000ULL, LEVEL_CITY},
	{"210199999000", 210199999000ULL, LEVEL_TOWNSHIP},
	/* short forms, padded with zeros to 12 digits */
	{"21", 210000000000ULL, LEVEL_PROVINCE},
	{"2101", 210100000000ULL, LEVEL_CITY},
	{"210102", 210102000000ULL, LEVEL_COUNTY},
	{"210102003", 210102003000ULL, LEVEL_TOWNSHIP},
	/* a short form may stop above its length: "2100" is the province */
	{"2100", 210000000000ULL, LEVEL_PROVINCE},
	{"210100000", 210100000000ULL, LEVEL_CITY},
};

static void test_parse_ok(void **state)
{
	const struct parse_ok *t = *state;
	char err[CODE_ERR_MAX];
	code_t c = 12345;

	poison(err, sizeof(err));
	assert_int_equal(code_parse(t->in, &c, err, sizeof(err)), 0);
	assert_int_equal(c, t->code);
	assert_int_equal(code_level(c), t->level);
}

/* ---- code_parse: rejections with their exact reason ---- */

static const struct parse_err {
	const char *in;
	const char *msg;
} parse_err_rows[] = {
	/* wrong length */
	{NULL, "code '' has 0 digits (want 12, or 2/4/6/9)"},
	{"", "code '' has 0 digits (want 12, or 2/4/6/9)"},
	{"2", "code '2' has 1 digits (want 12, or 2/4/6/9)"},
	{"210", "code '210' has 3 digits (want 12, or 2/4/6/9)"},
	{"21010", "code '21010' has 5 digits (want 12, or 2/4/6/9)"},
	{"21010200", "code '21010200' has 8 digits (want 12, or 2/4/6/9)"},
	{"21010200300",
	 "code '21010200300' has 11 digits (want 12, or 2/4/6/9)"},
	{"2101020030040",
	 "code '2101020030040' has 13 digits (want 12, or 2/4/6/9)"},
	/* the echo of an overlong input is cut at 20 characters */
	{"210102003004210102003004",
	 "code '21010200300421010200' has 24 digits (want 12, or 2/4/6/9)"},
	/* the length is checked before the digits */
	{"abc", "code 'abc' has 3 digits (want 12, or 2/4/6/9)"},
	/* non-digits, with their 1-based position */
	{"x1", "code 'x1' has a non-digit at position 1"},
	{"+1", "code '+1' has a non-digit at position 1"},
	{"21010a", "code '21010a' has a non-digit at position 6"},
	{"21010200300a", "code '21010200300a' has a non-digit at position 12"},
	{"2101 2003004", "code '2101 2003004' has a non-digit at position 5"},
	{"-10102003004", "code '-10102003004' has a non-digit at position 1"},
	{"21010200300/", "code '21010200300/' has a non-digit at position 12"},
	{"21010200300:", "code '21010200300:' has a non-digit at position 12"},
	/* province group below 11 */
	{"00", "code '00': province group 00 is not a province (11..99)"},
	{"05", "code '05': province group 05 is not a province (11..99)"},
	{"10", "code '10': province group 10 is not a province (11..99)"},
	{"100000000000",
	 "code '100000000000': province group 10 is not a province (11..99)"},
	{"000102003004",
	 "code '000102003004': province group 00 is not a province (11..99)"},
	/* a group set under a zero group */
	{"210001000000",
	 "code '210001000000': county group is set under a zero city group"},
	{"210100001000", "code '210100001000': township group is set under a "
			 "zero county group"},
	{"210102000001", "code '210102000001': village group is set under a "
			 "zero township group"},
	/* only the gap right above the set group is named */
	{"210000000001", "code '210000000001': village group is set under a "
			 "zero township group"},
	{"210100001", "code '210100001': township group is set under a zero "
		      "county group"},
	{"210000001000", "code '210000001000': township group is set under a "
			 "zero county group"},
};

static void test_parse_err(void **state)
{
	const struct parse_err *t = *state;
	char err[CODE_ERR_MAX];
	code_t c = 12345;

	poison(err, sizeof(err));
	assert_int_equal(code_parse(t->in, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, t->msg);
	assert_int_equal(c, 12345); /* untouched on failure */
}

/* The reason is cut to the caller's buffer, never written past it. */
static void test_parse_err_truncated(void **state)
{
	char *err = test_malloc(10);
	code_t c = 0;

	(void)state;
	poison(err, 10);
	assert_int_equal(code_parse("x1", &c, err, 10), -EINVAL);
	assert_string_equal(err, "code 'x1'");
	test_free(err);
}

/* ---- code_format ---- */

static const struct fmt {
	code_t code;
	const char *out;
} fmt_rows[] = {
	{210102003004ULL, "210102003004"},
	{210000000000ULL, "210000000000"},
	{110000000000ULL, "110000000000"},
	{999999999999ULL, "999999999999"},
	{0, "000000000000"},
	{1, "000000000001"},
	/* more than 12 digits: only the low 12 are written */
	{1210102003004ULL, "210102003004"},
};

static void test_format(void **state)
{
	const struct fmt *t = *state;
	char buf[CODE_STRLEN + 4];

	memset(buf, 'Z', sizeof(buf));
	assert_ptr_equal(code_format(t->code, buf), buf);
	assert_string_equal(buf, t->out);
	/* exactly CODE_STRLEN bytes written: the rest is untouched */
	assert_int_equal(buf[CODE_STRLEN], 'Z');
}

/* format, then parse, gives the code back */
static void test_format_roundtrip(void **state)
{
	const struct parse_ok *t = *state;
	char buf[CODE_STRLEN], err[CODE_ERR_MAX];
	code_t c = 0;

	assert_int_equal(
		code_parse(code_format(t->code, buf), &c, err, sizeof(err)), 0);
	assert_int_equal(c, t->code);
}

/* ---- level, parent and index of a node ---- */

static const struct node {
	code_t code;
	enum code_level level;
	code_t parent;
	unsigned index;
} node_rows[] = {
	{210000000000ULL, LEVEL_PROVINCE, 0, 21},
	{210100000000ULL, LEVEL_CITY, 210000000000ULL, 1},
	{210102000000ULL, LEVEL_COUNTY, 210100000000ULL, 2},
	{210102003000ULL, LEVEL_TOWNSHIP, 210102000000ULL, 3},
	{210102003004ULL, LEVEL_VILLAGE, 210102003000ULL, 4},
	{999999999999ULL, LEVEL_VILLAGE, 999999999000ULL, 999},
	{999999999000ULL, LEVEL_TOWNSHIP, 999999000000ULL, 999},
	{999999000000ULL, LEVEL_COUNTY, 999900000000ULL, 99},
	{999900000000ULL, LEVEL_CITY, 990000000000ULL, 99},
	{110000000000ULL, LEVEL_PROVINCE, 0, 11},
	/* a village under township 010: the zero inside a group is kept */
	{210102010001ULL, LEVEL_VILLAGE, 210102010000ULL, 1},
	{210102100000ULL, LEVEL_TOWNSHIP, 210102000000ULL, 100},
};

static void test_node(void **state)
{
	const struct node *t = *state;

	assert_int_equal(code_level(t->code), t->level);
	assert_int_equal(code_parent(t->code), t->parent);
	assert_int_equal(code_index(t->code), t->index);
	if (t->parent) {
		/* one level up, and the parent is an ancestor of its child */
		assert_int_equal(code_level(t->parent), t->level - 1);
		assert_true(code_is_ancestor(t->parent, t->code));
	}
}

/* Walking up from a village reaches 0 after exactly five steps. */
static void test_parent_chain(void **state)
{
	static const code_t chain[] = {
		210102003004ULL, 210102003000ULL, 210102000000ULL,
		210100000000ULL, 210000000000ULL, 0,
	};

	(void)state;
	for (size_t i = 0; i + 1 < ROWS(chain); i++)
		assert_int_equal(code_parent(chain[i]), chain[i + 1]);
}

/* ---- code_is_ancestor ---- */

static const struct anc {
	code_t a, b;
	bool is;
} anc_rows[] = {
	/* down the line */
	{210000000000ULL, 210100000000ULL, true},
	{210000000000ULL, 210102003004ULL, true},
	{210100000000ULL, 210102003004ULL, true},
	{210102000000ULL, 210102003004ULL, true},
	{210102003000ULL, 210102003004ULL, true},
	{210100000000ULL, 210102003000ULL, true},
	/* the other direction */
	{210102003004ULL, 210102003000ULL, false},
	{210100000000ULL, 210000000000ULL, false},
	{210102003004ULL, 210000000000ULL, false},
	/* a node is not its own ancestor */
	{210000000000ULL, 210000000000ULL, false},
	{210100000000ULL, 210100000000ULL, false},
	{210102003000ULL, 210102003000ULL, false},
	{210102003004ULL, 210102003004ULL, false},
	/* unrelated branches */
	{210100000000ULL, 210200003000ULL, false},
	{210102000000ULL, 210112003004ULL, false},
	{210102003000ULL, 210102004001ULL, false},
	{210000000000ULL, 220100000000ULL, false},
	{210102003004ULL, 210102003005ULL, false},
	{210102001000ULL, 210102010001ULL, false},
	{210101000000ULL, 211001000000ULL, false},
};

static void test_ancestor(void **state)
{
	const struct anc *t = *state;

	assert_int_equal(code_is_ancestor(t->a, t->b), t->is);
}

/* ---- code_group and code_ancestor_at ---- */

static const struct group {
	code_t code;
	enum code_level level;
	unsigned group;
	code_t ancestor;
} group_rows[] = {
	{210102003004ULL, LEVEL_PROVINCE, 21, 210000000000ULL},
	{210102003004ULL, LEVEL_CITY, 1, 210100000000ULL},
	{210102003004ULL, LEVEL_COUNTY, 2, 210102000000ULL},
	{210102003004ULL, LEVEL_TOWNSHIP, 3, 210102003000ULL},
	{210102003004ULL, LEVEL_VILLAGE, 4, 210102003004ULL},
	{999999999999ULL, LEVEL_CITY, 99, 999900000000ULL},
	{999999999999ULL, LEVEL_TOWNSHIP, 999, 999999999000ULL},
	{123456789012ULL, LEVEL_PROVINCE, 12, 120000000000ULL},
	{123456789012ULL, LEVEL_CITY, 34, 123400000000ULL},
	{123456789012ULL, LEVEL_COUNTY, 56, 123456000000ULL},
	{123456789012ULL, LEVEL_TOWNSHIP, 789, 123456789000ULL},
	{123456789012ULL, LEVEL_VILLAGE, 12, 123456789012ULL},
	/* a code that stops above the level: group 0, ancestor itself */
	{210100000000ULL, LEVEL_COUNTY, 0, 210100000000ULL},
	{210100000000ULL, LEVEL_VILLAGE, 0, 210100000000ULL},
	/* out of range levels */
	{210102003004ULL, LEVEL_NONE, 0, 0},
	{210102003004ULL, LEVEL_COUNT, 0, 0},
};

static void test_group(void **state)
{
	const struct group *t = *state;

	assert_int_equal(code_group(t->code, t->level), t->group);
	assert_int_equal(code_ancestor_at(t->code, t->level), t->ancestor);
}

/* ---- level names and the largest index ---- */

static const struct lname {
	enum code_level level;
	const char *name;
	unsigned max_index;
} lname_rows[] = {
	{LEVEL_PROVINCE, "province", 99}, {LEVEL_CITY, "city", 99},
	{LEVEL_COUNTY, "county", 99},	  {LEVEL_TOWNSHIP, "township", 999},
	{LEVEL_VILLAGE, "village", 999},
};

static void test_level_name(void **state)
{
	const struct lname *t = *state;

	assert_string_equal(code_level_name(t->level), t->name);
	assert_int_equal(code_level_from_name(t->name), t->level);
	assert_int_equal(code_level_max_index(t->level), t->max_index);
}

static void test_level_name_unknown(void **state)
{
	static const char *const bad[] = {
		"", "Village", "villages", "vill", "town", " city", "?",
	};

	(void)state;
	assert_string_equal(code_level_name(LEVEL_NONE), "?");
	assert_string_equal(code_level_name(LEVEL_COUNT), "?");
	assert_string_equal(code_level_name((enum code_level)42), "?");
	assert_int_equal(code_level_max_index(LEVEL_NONE), 0);
	assert_int_equal(code_level_max_index(LEVEL_COUNT), 0);
	assert_int_equal(code_level_from_name(NULL), LEVEL_NONE);
	for (size_t i = 0; i < ROWS(bad); i++)
		assert_int_equal(code_level_from_name(bad[i]), LEVEL_NONE);
}

int main(void)
{
	char buf[CODE_STRLEN];

	for (size_t i = 0; i < ROWS(parse_ok_rows); i++)
		add_test(test_parse_ok, &parse_ok_rows[i], "parse ok '%s'",
			 parse_ok_rows[i].in);
	for (size_t i = 0; i < ROWS(parse_err_rows); i++)
		add_test(test_parse_err, &parse_err_rows[i],
			 "parse rejects '%s'",
			 parse_err_rows[i].in ? parse_err_rows[i].in
					      : "(null)");
	add_test(test_parse_err_truncated, NULL, "parse reason truncated");
	for (size_t i = 0; i < ROWS(fmt_rows); i++)
		add_test(test_format, &fmt_rows[i], "format %llu",
			 (unsigned long long)fmt_rows[i].code);
	for (size_t i = 0; i < ROWS(parse_ok_rows); i++)
		add_test(test_format_roundtrip, &parse_ok_rows[i],
			 "format-parse roundtrip %s",
			 code_format(parse_ok_rows[i].code, buf));
	for (size_t i = 0; i < ROWS(node_rows); i++)
		add_test(test_node, &node_rows[i], "level/parent/index %s",
			 code_format(node_rows[i].code, buf));
	add_test(test_parent_chain, NULL, "parent chain to 0");
	for (size_t i = 0; i < ROWS(anc_rows); i++) {
		char b2[CODE_STRLEN];

		add_test(test_ancestor, &anc_rows[i], "is_ancestor(%s, %s) %s",
			 code_format(anc_rows[i].a, buf),
			 code_format(anc_rows[i].b, b2),
			 anc_rows[i].is ? "yes" : "no");
	}
	for (size_t i = 0; i < ROWS(group_rows); i++)
		add_test(test_group, &group_rows[i],
			 "group/ancestor_at %s at %s (%d)",
			 code_format(group_rows[i].code, buf),
			 code_level_name(group_rows[i].level),
			 (int)group_rows[i].level);
	for (size_t i = 0; i < ROWS(lname_rows); i++)
		add_test(test_level_name, &lname_rows[i], "level name %s",
			 lname_rows[i].name);
	add_test(test_level_name_unknown, NULL, "level name unknown");

	return _cmocka_run_group_tests("code", tests, ntests, NULL, NULL);
}
