/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Cases of inputs that must be refused: a profile, a node config and an
 * inventory written to a scratch folder (the base ones, or a case's own),
 * loaded as egnetctl validate --node loads them, and the problems compared
 * with the case's list: exactly these FILE:LINE: SETTING: message lines,
 * no fewer and no more.  The base files describe a township with every
 * role, a gateway and a collector, one setting per line, so that a case's
 * line numbers are plain.  Included by one test file each.
 */
#ifndef EGNET_TEST_LOADCASE_H
#define EGNET_TEST_LOADCASE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/inputs.h"
#include "tests/unit/scratch.h"

#define write_file(name, text) scratch_write((name), (text), -1)

#define P1_HEAD                                                                \
	"profile = { name = \"t\"; version = \"1\"; level = \"township\"; };\n"
#define P2_PLAN                                                                \
	"plans = { extranet = { ipv4 = { prefix = \"10.0.0.0/8\"; bits = { "  \
	"city = 4; county = 7; township = 6; }; link = 30; }; ipv6 = { "       \
	"prefix = \"fd45:676e::/32\"; bits = { city = 6; county = 7; "        \
	"township = 9; village = 8; }; link = 127; lan = 64; }; }; };\n"
#define P3_ZONES                                                               \
	"zones = { common = { table = 100; }; internet = { table = 102; }; "  \
	"};\n"
#define P4_UP "links = ( { role = \"uplink\"; zone = \"common\"; },\n"
#define P5_DOWN                                                                \
	"{ role = \"downlink\"; kind = \"bridge\"; name = \"eg-down\"; zone = " \
	"\"common\"; },\n"
#define P6_LAN                                                                 \
	"{ role = \"lan\"; kind = \"bridge\"; name = \"eg-lan\"; zone = "     \
	"\"common\"; },\n"
#define P7_INET                                                                \
	"{ role = \"internet\"; zone = \"internet\"; plan = \"extranet\"; } "  \
	");\n"
#define P_LINKS P4_UP P5_DOWN P6_LAN P7_INET
#define P8_ROUTE                                                               \
	"routes = ( { zone = \"common\"; to = \"default\"; via = \"parent\"; " \
	"},\n"
#define P9_ROUTE                                                               \
	"{ zone = \"internet\"; to = \"default\"; family = \"ipv4\"; via = "   \
	"\"gateway:isp\"; } );\n"
#define P10_PROBE "probe = { port = 7789; };\n"
#define P_HEAD P1_HEAD P2_PLAN P3_ZONES
#define BASE_PROFILE P_HEAD P_LINKS P8_ROUTE P9_ROUTE P10_PROBE

#define N1_NODE                                                                \
	"node = { code = \"210102001000\"; name = \"n\"; profile = "          \
	"\"p.conf\"; inventory = \"inv.csv\"; };\n"
#define N2_IFACES                                                              \
	"interfaces = { uplink = \"eth0\"; downlink = [ \"eth1\" ]; lan = [ "  \
	"\"eth2\" ]; internet = \"eth3\"; };\n"
#define N3_ADDRS "addresses = { internet = [ \"192.0.2.34/29\" ]; };\n"
#define N4_GWS "gateways = { isp = \"192.0.2.33\"; };\n"
#define N5_COLL "collector = { url = \"https://10.8.0.10:8443\"; };\n"
#define BASE_NODE N1_NODE N2_IFACES N3_ADDRS N4_GWS N5_COLL

#define BASE_INV                                                               \
	"code,name,address\n"                                                  \
	"210000000000,p,\n"                                                    \
	"210100000000,c,\n"                                                    \
	"210102000000,d,\n"                                                    \
	"210102001000,t,\n"                                                    \
	"210102001001,v,\n"

enum which { F_PROFILE, F_NODE, F_INV };
static const char *const fnames[] = {"p.conf", "n.conf", "inv.csv"};

struct want {
	enum which file;
	int line;
	const char *setting; /* NULL: none */
	const char *msg;     /* exact; "@" stands for the scratch folder */
};

#define MAX_WANT 4
#define ROWS_N(t) (sizeof(t) / sizeof((t)[0]))

struct lcase {
	const char *name;
	const char *profile, *node, *inv; /* NULL: the base one */
	struct want want[MAX_WANT];	  /* ended by msg NULL */
};

/* want->msg with "@" replaced by the scratch folder. */
static void expand(const char *msg, char *out, size_t len)
{
	size_t o = 0;

	for (; *msg && o + 1 < len; msg++) {
		if (*msg == '@') {
			o += (size_t)snprintf(out + o, len - o, "%s", dir);
			if (o >= len)
				o = len - 1;
		} else {
			out[o++] = *msg;
		}
	}
	out[o] = '\0';
}

static bool item_is(const struct diag_item *it, const struct want *w)
{
	char file[128], msg[1024];

	snprintf(file, sizeof(file), "%s/%s", dir, fnames[w->file]);
	expand(w->msg, msg, sizeof(msg));
	return it->file && !strcmp(it->file, file) && it->line == w->line &&
	       ((!w->setting && !it->setting) ||
		(w->setting && it->setting && !strcmp(w->setting, it->setting))) &&
	       !strcmp(it->msg, msg);
}

static void load(const struct lcase *c, struct inputs *in, struct diag *d)
{
	char node_path[128];

	write_file("p.conf", c->profile ? c->profile : BASE_PROFILE);
	write_file("n.conf", c->node ? c->node : BASE_NODE);
	write_file("inv.csv", c->inv ? c->inv : BASE_INV);
	snprintf(node_path, sizeof(node_path), "%s/n.conf", dir);
	diag_init(d);
	inputs_load(in, node_path, NULL, NULL, d);
}

/* The case's problems, exactly: each wanted line once, nothing else. */
static void run_case(void **state)
{
	const struct lcase *c = *state;
	struct inputs in;
	struct diag d;
	size_t n_want = 0;
	bool ok = true;

	load(c, &in, &d);
	while (n_want < MAX_WANT && c->want[n_want].msg)
		n_want++;
	for (size_t w = 0; w < n_want; w++) {
		bool found = false;

		for (size_t i = 0; i < d.n && !found; i++)
			found = item_is(&d.items[i], &c->want[w]);
		if (!found) {
			print_message("case %s: want %s:%d: %s: %s\n", c->name,
				      fnames[c->want[w].file], c->want[w].line,
				      c->want[w].setting ? c->want[w].setting
							 : "-",
				      c->want[w].msg);
			ok = false;
		}
	}
	if (d.n != n_want) {
		print_message("case %s: %zu problems, want %zu\n", c->name, d.n,
			      n_want);
		ok = false;
	}
	if (!ok)
		print_diag(&d);
	inputs_free(&in);
	diag_free(&d);
	assert_true(ok);
}

/* The base files are sound: no problem at all. */
static void test_base(void **state)
{
	static const struct lcase base = {"base", NULL, NULL, NULL, {{0}}};
	struct inputs in;
	struct diag d;

	(void)state;
	load(&base, &in, &d);
	if (d.n)
		print_diag(&d);
	assert_int_equal(diag_count(&d), 0);
	assert_true(in.have_ds);
	inputs_free(&in);
	diag_free(&d);
}

/* A cmocka group: the base case, then one test per row of cases. */
static int run_cases(const char *group, const struct lcase *cases, size_t n,
		     const struct CMUnitTest *extra, size_t n_extra)
{
	struct CMUnitTest *t = calloc(n + n_extra + 1, sizeof(*t));
	size_t k = 0;
	int rc;

	assert_non_null(t);
	t[k++] = (struct CMUnitTest)cmocka_unit_test(test_base);
	for (size_t i = 0; i < n_extra; i++)
		t[k++] = extra[i];
	for (size_t i = 0; i < n; i++)
		t[k++] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL,
					     (void *)&cases[i]};
	rc = _cmocka_run_group_tests(group, t, k, scratch_setup, scratch_teardown);
	free(t);
	return rc;
}

#endif
