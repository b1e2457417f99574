// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of ctl/textw.h, egnetctl's table cells: display widths (ASCII
 * one column, CJK ideographs, fullwidth forms and Hangul two, combining
 * marks none, controls and bad UTF-8 shown as one '?'), cells of exactly N
 * columns padded left or right, cut with '~' at a character boundary (a
 * wide character that would straddle the cut replaced by a space), and no
 * escape sequence ever printed.  Each cell is checked by the width of what
 * it holds, so the table rows are the inputs and the widths they must take.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/textw.h"

#include "tests/unit/rows.h"

static const struct wrow {
	const char *in;
	int width;
} wrows[] = {
	{"", 0},
	{"eth0", 4},
	{"辽宁省", 6},			   /* three ideographs */
	{"太原街街道", 10},
	{"和平区 county", 13},
	{"ＡＢ", 4},			   /* fullwidth Latin */
	{"서울", 4},			   /* Hangul */
	{"e\xcc\x81", 1},		   /* e + combining acute */
	{"\x1b[31mred", 8},		   /* ESC shown as '?', one column */
	{"a\tb", 3},			   /* a tab too */
	{"\xff\xfe", 2},		   /* bad bytes: one '?' each */
	{"\xe4\xb8", 2},		   /* a CJK sequence cut short */
	{"\xc2\x9b", 1},		   /* C1 CSI */
	{"\xf0\xa0\x80\x80", 2},	   /* U+20000, extension B */
	{"“引号”", 6},		   /* curly quotes one, ideographs two */
};

static void test_width(void **state)
{
	const struct wrow *r = *state;

	assert_int_equal(textw_width(r->in), r->width);
}

/* The cell of every row at every width 0..14, both alignments. */
static void test_cell_width(void **state)
{
	const struct wrow *r = *state;
	char out[128];

	for (int cols = 0; cols < 15; cols++)
		for (int right = 0; right < 2; right++) {
			textw_cell(out, sizeof(out), r->in, cols, right);
			assert_int_equal(textw_width(out), cols);
			/* nothing of a control is left */
			for (const char *p = out; *p; p++)
				assert_false((unsigned char)*p < 0x20 ||
					     *p == 0x7f);
			assert_null(strstr(out, "\xc2\x9b"));
			if (r->width <= cols) {
				/* whole: padding on the side asked */
				size_t n = strlen(out);

				if (r->width < cols)
					assert_int_equal(right ? out[0] : out[n - 1],
							 ' ');
				assert_null(strchr(out, '~') && !strchr(r->in, '~')
						    ? "cut"
						    : NULL);
			} else if (cols > 0) {
				assert_int_equal(out[strlen(out) - 1], '~');
			}
		}
}

static void test_cell_cases(void **state)
{
	char out[64];

	(void)state;
	/* whole, padded */
	assert_string_equal(textw_cell(out, sizeof(out), "辽宁省", 8, false),
			    "辽宁省  ");
	assert_string_equal(textw_cell(out, sizeof(out), "辽宁省", 8, true),
			    "  辽宁省");
	/* cut: 5 columns hold two ideographs and the '~' */
	assert_string_equal(textw_cell(out, sizeof(out), "太原街街道", 5, false),
			    "太原~");
	/* 6: a third would straddle the '~': a space takes its place */
	assert_string_equal(textw_cell(out, sizeof(out), "太原街街道", 6, false),
			    "太原 ~");
	assert_string_equal(textw_cell(out, sizeof(out), "abcdef", 4, false),
			    "abc~");
	assert_string_equal(textw_cell(out, sizeof(out), "\x1b[2J", 4, false),
			    "?[2J");
	/* NULL is "-" */
	assert_string_equal(textw_cell(out, sizeof(out), NULL, 3, true), "  -");
	/* a buffer too small is never overrun and stays a string */
	memset(out, 'X', sizeof(out));
	textw_cell(out, 5, "太原街街道", 10, false);
	assert_true(strlen(out) < 5);
}

static void test_print(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	textw_print(f, "和平\x1b]0;x\x07区\xff");
	textw_put(f, "沈阳市", 8, true, "|");
	fclose(f);
	assert_string_equal(buf, "和平?]0;x?区?  沈阳市|");
	free(buf);
}

int main(void)
{
	for (size_t i = 0; i < ROWS(wrows); i++) {
		add_test(test_width, &wrows[i], "width row %zu", i);
		add_test(test_cell_width, &wrows[i], "cell row %zu", i);
	}
	add_test(test_cell_cases, NULL, "cell cases");
	add_test(test_print, NULL, "print");
	return _cmocka_run_group_tests("textw", tests, ntests, NULL, NULL);
}
