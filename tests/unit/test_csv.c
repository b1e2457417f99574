// SPDX-License-Identifier: BSD-2-Clause
/*
 * The inventory CSV read strictly: LF or CRLF line ends, RFC 4180 quotes,
 * a UTF-8 BOM at the start of the file only; a lone CR, NUL, any other
 * control character, a BOM further on and bytes that are not UTF-8 are
 * refused with the line and the column, every bad line named in one run,
 * and the load refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "files.h"
#include "rows.h"

#define INV_HEAD                                                               \
	"code,name,address\n210000000000,p,\n210100000000,c,\n"                \
	"210102000000,d,\n210102001000,t,\n"

struct csv_row {
	const char *name;
	const char *text;
	long len; /* -1: strlen */
	struct want w[WANTS_MAX];
};

#define BAD(name, line6, ...)                                                  \
	{                                                                      \
		name, INV_HEAD line6, sizeof(INV_HEAD line6) - 1,              \
		{                                                              \
			__VA_ARGS__                                            \
		}                                                              \
	}

static const struct csv_row rows[] = {
	BAD("lone CR hides a field", "210102001001,v\r,10.0.0.1\n",
	    {"inv.csv", 6, NULL,
	     "a carriage return (CR) inside the line, at column 15"}),
	BAD("CR at the end of a field", "210102001001,v\r\r\n",
	    {"inv.csv", 6, NULL,
	     "a carriage return (CR) inside the line, at column 15"}),
	BAD("NUL in a name", "210102001001,v\0w,\n",
	    {"inv.csv", 6, NULL, "a control character (0x00) at column 15"}),
	BAD("escape character", "210102001001,v\x1b[31m,\n",
	    {"inv.csv", 6, NULL, "a control character (0x1b) at column 15"}),
	BAD("DEL", "210102001001,v\x7f,\n",
	    {"inv.csv", 6, NULL, "a control character (0x7f) at column 15"}),
	BAD("vertical tab", "210102001001,\x0bv,\n",
	    {"inv.csv", 6, NULL, "a control character (0x0b) at column 14"}),
	BAD("tab", "210102001001,\tv,\n",
	    {"inv.csv", 6, NULL, "a control character (0x09) at column 14"}),
	BAD("BOM in the middle", "210102001001,\xef\xbb\xbfv,\n",
	    {"inv.csv", 6, NULL,
	     "a byte order mark (BOM) at column 14; only the file may start "
	     "with one"}),
	BAD("GBK name", "210102001001,\xc4\xe3\xba\xc3,\n",
	    {"inv.csv", 6, NULL, "not UTF-8 (byte 0xc4 at column 14)"}),
	BAD("overlong in a name", "210102001001,v\xc0\xaf,\n",
	    {"inv.csv", 6, NULL, "not UTF-8 (byte 0xc0 at column 15)"}),
	BAD("surrogate in a name", "210102001001,v\xed\xa0\x80,\n",
	    {"inv.csv", 6, NULL, "not UTF-8 (byte 0xed at column 15)"}),
	BAD("cut-short sequence at the end of the file",
	    "210102001001,v\xe4\xb8",
	    {"inv.csv", 6, NULL, "not UTF-8 (byte 0xe4 at column 15)"}),
	BAD("three bad lines, each named",
	    "210102001001,a\rb,\n210102001002,x\0y,\n210102001003,\xff,\n",
	    {"inv.csv", 6, NULL,
	     "a carriage return (CR) inside the line, at column 15"},
	    {"inv.csv", 7, NULL, "a control character (0x00) at column 15"},
	    {"inv.csv", 8, NULL, "not UTF-8 (byte 0xff at column 14)"}),
	BAD("a line break inside quotes", "210102001001,\"v\nw\",\n",
	    {"inv.csv", 6, NULL, "unterminated quote in column name"}),
	BAD("text after a closing quote", "210102001001,\"v\"x,\n",
	    {"inv.csv", 6, NULL, "text after a closing quote in column name"}),
};

static void test_bad(void **state)
{
	const struct csv_row *r = *state;

	write_bytes("p.conf", GOOD_PROFILE, -1);
	write_bytes("n.conf", GOOD_NODE, -1);
	write_bytes("inv.csv", r->text, r->len);
	expect_problems("n.conf", NULL, NULL, r->w);
}

/* What is accepted: CRLF throughout, a BOM at the start, quotes with a
 * doubled quote and a comma, blanks around a field, UTF-8 names, no line
 * end at the end of the file. */
static void test_good(void **state)
{
	(void)state;
	write_bytes("p.conf", GOOD_PROFILE, -1);
	write_bytes("n.conf", GOOD_NODE, -1);
	write_bytes(
		"inv.csv",
		"\xef\xbb\xbf"
		"code,name,address\r\n210000000000,p,\r\n210100000000,c,\r\n"
		"210102000000,d,\r\n210102001000,\"t \"\"x\"\", y\",\r\n"
		"210102001001, \xe4\xb8\xad\xe6\x96\x87 ,",
		-1);
	expect_good("n.conf");
}

int main(void)
{
	for (size_t i = 0; i < ROWS(rows); i++)
		add_test(test_bad, &rows[i], "%s", rows[i].name);
	add_test(test_good, NULL, "CRLF, BOM, quotes, UTF-8 accepted");
	return _cmocka_run_group_tests("csv", tests, ntests, files_setup,
				       files_teardown);
}
