// SPDX-License-Identifier: BSD-2-Clause
/*
 * Strings: utf8_check() on the classic bad sequences (overlongs,
 * surrogates, cut-short sequences, past U+10FFFF, stray continuation
 * bytes, NUL), then the files: a NUL byte, bytes that are not UTF-8 (a
 * GBK-encoded name), a "\x00" escape and an escape that makes a string
 * that is not UTF-8, in a profile and a node config, each refused at its
 * file:line, several in one run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/utf8.h"
#include "files.h"
#include "rows.h"

struct u8_row {
	const char *name;
	const char *bytes;
	size_t len;
	int bad; /* offset of the first bad byte, -1 when fine */
};

#define B(s) s, sizeof(s) - 1

static const struct u8_row u8_rows[] = {
	{"ascii", B("eth0 uplink"), -1},
	{"two bytes (e acute)", B("caf\xc3\xa9"), -1},
	{"three bytes (CJK)", B("\xe4\xb8\xad\xe6\x96\x87"), -1},
	{"four bytes (U+1F600)", B("\xf0\x9f\x98\x80"), -1},
	{"U+10FFFF, the last", B("\xf4\x8f\xbf\xbf"), -1},
	{"U+FFFD", B("\xef\xbf\xbd"), -1},
	{"empty", B(""), -1},
	{"NUL", B("ab\0cd"), 2},
	{"overlong NUL (C0 80)", B("a\xc0\x80"), 1},
	{"overlong slash (C1 AF)", B("\xc1\xaf"), 0},
	{"overlong 3 bytes (E0 80 AF)", B("x\xe0\x80\xaf"), 1},
	{"overlong 4 bytes (F0 80 80 AF)", B("\xf0\x80\x80\xaf"), 0},
	{"surrogate D800", B("ok\xed\xa0\x80"), 2},
	{"surrogate DFFF", B("\xed\xbf\xbf"), 0},
	{"U+110000", B("\xf4\x90\x80\x80"), 0},
	{"F5 lead", B("\xf5\x80\x80\x80"), 0},
	{"FF byte", B("ab\xff"), 2},
	{"lone continuation", B("\x80"), 0},
	{"two bytes cut short", B("abc\xc3"), 3},
	{"three bytes cut short", B("\xe4\xb8"), 0},
	{"four bytes cut short", B("\xf0\x9f\x98"), 0},
	{"bad continuation", B("\xe4\x41\xad"), 0},
	{"GBK (ni hao)", B("\xc4\xe3\xba\xc3"), 0},
	{"Latin-1 e acute", B("caf\xe9"), 3},
};

static void test_utf8(void **state)
{
	const struct u8_row *r = *state;
	size_t bad = 12345;
	int rc = utf8_check(r->bytes, r->len, &bad);

	if (r->bad < 0) {
		assert_int_equal(rc, 0);
		assert_int_equal(bad, 12345); /* untouched */
	} else {
		assert_int_equal(rc, -EILSEQ);
		assert_int_equal(bad, (size_t)r->bad);
	}
}

struct file_row {
	const char *name;
	const char *profile, *node; /* NULL: the good one */
	long plen;		    /* bytes of the profile, -1: strlen */
	struct want w[WANTS_MAX];
};

static const struct file_row file_rows[] = {
	{"NUL byte in a profile",
	 P_HEAD P_PLAN
	 "zones = { common = { table = 100; }; };\n"
	 "links = ( { role = \"uplink\"; zone = \"com\0mon\"; }, "
	 "{ role = \"lan\"; kind = \"bridge\"; name = \"eg-lan\"; "
	 "zone = \"common\"; } );\n" P_ROUTES,
	 NULL,
	 sizeof(P_HEAD P_PLAN) - 1 + 41 + 200,
	 {{"p.conf", 4, NULL, "a NUL byte in column 41"}}},
	{"GBK name in a profile",
	 P_HEAD P_PLAN P_ZONES
	 "links = ( { role = \"uplink\"; zone = \"common\"; }, { role = "
	 "\"lan\"; kind = \"bridge\"; name = \"\xc4\xe3\"; zone = \"common\"; "
	 "} );\n" P_ROUTES,
	 NULL,
	 -1,
	 {{"p.conf", 4, NULL, "not UTF-8 (byte 0xc4 in column 91)"}}},
	{"\\x00 escape",
	 P_HEAD "plans = { extranet = { ipv4 = { prefix = \"10.0.0.0/8\\x00\"; "
		"bits = { city = 4; county = 7; township = 6; }; link = 30; "
		"}; }; };\n" P_ZONES P_LINKS P_ROUTES,
	 NULL,
	 -1,
	 {{"p.conf", 2, NULL, "a \\x00 escape (NUL) in a string"}}},
	{"\\xff escape gives a string that is not UTF-8",
	 P_HEAD P_PLAN P_ZONES
	 "links = ( { role = \"uplink\"; zone = \"common\"; }, { role = "
	 "\"lan\"; kind = \"bridge\"; name = \"eg\\xff\"; zone = \"common\"; "
	 "} );\n" P_ROUTES,
	 NULL,
	 -1,
	 {{"p.conf", 4, "links[1].name", "not UTF-8 (byte 0xff at 3)"}}},
	{"GBK name in a node config",
	 NULL,
	 "node = { code = \"210102001000\"; name = \"\xc4\xe3\xba\xc3\"; "
	 "profile = \"p.conf\"; inventory = \"inv.csv\"; };\n" N_IFACES,
	 -1,
	 {{"n.conf", 1, NULL, "not UTF-8 (byte 0xc4 in column 41)"}}},
	{"overlong and surrogate on two lines, both named",
	 NULL,
	 N_HEAD "interfaces = { uplink = \"eth\xc0\xb0\"; lan = [ \"eth1\" "
		"]; };\n# \xed\xa0\x80 in a comment too\n",
	 -1,
	 {{"n.conf", 2, NULL, "not UTF-8 (byte 0xc0 in column 29)"},
	  {"n.conf", 3, NULL, "not UTF-8 (byte 0xed in column 3)"}}},
};

static void test_file(void **state)
{
	const struct file_row *r = *state;
	long plen = r->plen;

	if (r->profile && plen > (long)strlen(r->profile))
		/* a row with a NUL: its length up to the end of the text */
		plen = (long)(strlen(r->profile) + 1 +
			      strlen(r->profile + strlen(r->profile) + 1));
	write_bytes("p.conf", r->profile ? r->profile : GOOD_PROFILE,
		    r->profile ? plen : -1);
	write_bytes("n.conf", r->node ? r->node : GOOD_NODE, -1);
	write_bytes("inv.csv", GOOD_INV, -1);
	expect_problems("n.conf", NULL, NULL, r->w);
}

/* Blanks around a rate are not a rate. */
static const char *const rates[] = {" 10/second", "10/second ",	 "10 /second",
				    "+10/second", "-1/second",	 "10/Second",
				    "0/minute",	  "100001/hour", "10/"};

static void test_rate(void **state)
{
	const char *rate = *state;
	char text[1024], msg[160];
	struct want w[2] = {{0}};

	snprintf(text, sizeof(text),
		 GOOD_PROFILE "firewall = { log_rate = \"%s\"; };\n", rate);
	snprintf(msg, sizeof(msg),
		 "'%s' is not a rate like 10/minute (second, minute or hour)",
		 rate);
	write_bytes("p.conf", text, -1);
	write_bytes("n.conf", GOOD_NODE, -1);
	write_bytes("inv.csv", GOOD_INV, -1);
	w[0] = (struct want){"p.conf", 6, "firewall.log_rate", msg};
	expect_problems("n.conf", NULL, NULL, w);
}

static void test_good(void **state)
{
	(void)state;
	write_bytes("p.conf",
		    GOOD_PROFILE "firewall = { log_rate = "
				 "\"100000/hour\"; };\n# caf\xc3\xa9\n",
		    -1);
	write_bytes(
		"n.conf",
		"node = { code = \"210102001000\"; name = \"\xe4\xb8\xad\"; "
		"profile = \"p.conf\"; inventory = \"inv.csv\"; };\n" N_IFACES,
		-1);
	write_bytes("inv.csv", GOOD_INV, -1);
	expect_good("n.conf");
}

int main(void)
{
	for (size_t i = 0; i < ROWS(u8_rows); i++)
		add_test(test_utf8, &u8_rows[i], "utf8: %s", u8_rows[i].name);
	for (size_t i = 0; i < ROWS(file_rows); i++)
		add_test(test_file, &file_rows[i], "file: %s",
			 file_rows[i].name);
	for (size_t i = 0; i < ROWS(rates); i++)
		add_test(test_rate, rates[i], "rate '%s'", rates[i]);
	add_test(test_good, NULL, "UTF-8 names and a bound rate accepted");
	return _cmocka_run_group_tests("strings", tests, ntests, files_setup,
				       files_teardown);
}
