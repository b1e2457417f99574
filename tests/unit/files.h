/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Input files for the reader tests (test_numbers, test_strings, test_csv,
 * test_paths): a fresh folder per run, files written byte for byte (NULs
 * and all), inputs_load() run on them and every expected problem checked
 * exactly — file, line, setting and message — and the load refused with
 * no desired state built (nothing to apply).  "$D" in an expected file or
 * message stands for the folder.  Included by one test file each.
 */
#ifndef EGNET_TEST_FILES_H
#define EGNET_TEST_FILES_H

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/inputs.h"
#include "tests/unit/scratch.h"

#define files_setup    scratch_setup
#define files_teardown scratch_teardown
#define write_bytes    scratch_write

/* One line each, as in test_load.c, so line numbers are plain. */
#define P_HEAD                                                                 \
	"profile = { name = \"t\"; version = \"1\"; level = \"township\"; "    \
	"};\n"
#define P_PLAN                                                                 \
	"plans = { extranet = { ipv4 = { prefix = \"10.0.0.0/8\"; bits = { "   \
	"city = 4; county = 7; township = 6; }; link = 30; }; }; };\n"
#define P_ZONES "zones = { common = { table = 100; }; };\n"
#define P_LINKS                                                                \
	"links = ( { role = \"uplink\"; zone = \"common\"; }, { role = "       \
	"\"lan\"; kind = \"bridge\"; name = \"eg-lan\"; zone = \"common\"; } " \
	");\n"
#define P_ROUTES                                                               \
	"routes = ( { zone = \"common\"; to = \"default\"; via = \"parent\"; " \
	"} );\n"
#define GOOD_PROFILE P_HEAD P_PLAN P_ZONES P_LINKS P_ROUTES

#define N_HEAD                                                                 \
	"node = { code = \"210102001000\"; name = \"n\"; profile = "           \
	"\"p.conf\"; inventory = \"inv.csv\"; };\n"
#define N_IFACES  "interfaces = { uplink = \"eth0\"; lan = [ \"eth1\" ]; };\n"
#define GOOD_NODE N_HEAD N_IFACES

#define GOOD_INV                                                               \
	"code,name,address\n"                                                  \
	"210000000000,p,\n"                                                    \
	"210100000000,c,\n"                                                    \
	"210102000000,d,\n"                                                    \
	"210102001000,t,\n"                                                    \
	"210102001001,v,\n"

struct want {
	const char *file; /* relative to the folder; NULL: end of the list */
	int line;
	const char *setting; /* NULL: none */
	const char *msg;     /* exact, "$D" for the folder */
};

#define WANTS_MAX 6

/* @s with "$D" replaced by the folder. */
static const char *subst(const char *s, char *buf, size_t len)
{
	const char *p = s ? strstr(s, "$D") : NULL;

	if (!p)
		return s;
	snprintf(buf, len, "%.*s%s%s", (int)(p - s), s, dir, p + 2);
	return buf;
}

/*
 * Load (@node, @profile, @inv: paths relative to the folder, NULL for
 * none; "" given as is) and check that each of @w is among the problems.
 */
static void expect_problems(const char *node, const char *profile,
			    const char *inv, const struct want *w)
{
	char np[256], pp[256], ip[256];
	struct inputs in;
	struct diag d;
	bool all = true;

#define REL(buf, x)                                                            \
	((x) ? ((x)[0] && (x)[0] != '/'                                        \
			? (snprintf(buf, sizeof(buf), "%s/%s", dir, (x)), buf) \
			: (x))                                                 \
	     : NULL)
	diag_init(&d);
	assert_int_not_equal(inputs_load(&in, REL(np, node), REL(pp, profile),
					 REL(ip, inv), &d),
			     0);
#undef REL
	assert_false(in.have_ds); /* nothing to apply */
	for (int k = 0; k < WANTS_MAX && w[k].file; k++) {
		char fb[256], mb[512], file[256];
		bool found = false;

		snprintf(file, sizeof(file), "%s",
			 subst(w[k].file, fb, sizeof(fb)));
		if (file[0] != '/' && strcmp(file, "profile") &&
		    strcmp(file, "node config") && strcmp(file, "inventory"))
			snprintf(file, sizeof(file), "%s/%s", dir, w[k].file);
		for (size_t i = 0; i < d.n && !found; i++) {
			const struct diag_item *it = &d.items[i];

			found = it->file && !strcmp(it->file, file) &&
				it->line == w[k].line &&
				((!w[k].setting && !it->setting) ||
				 (w[k].setting && it->setting &&
				  !strcmp(w[k].setting, it->setting))) &&
				!strcmp(subst(w[k].msg, mb, sizeof(mb)),
					it->msg);
		}
		if (!found) {
			print_message("want %s:%d: %s: %s\n", file, w[k].line,
				      w[k].setting ? w[k].setting : "-",
				      subst(w[k].msg, mb, sizeof(mb)));
			all = false;
		}
	}
	if (!all)
		print_diag(&d);
	inputs_free(&in);
	diag_free(&d);
	assert_true(all);
}

/* The good files load with no problem (the base the cases break). */
static void expect_good(const char *node)
{
	char np[256];
	struct inputs in;
	struct diag d;

	snprintf(np, sizeof(np), "%s/%s", dir, node);
	diag_init(&d);
	if (inputs_load(&in, np, NULL, NULL, &d))
		print_diag(&d);
	assert_int_equal(diag_count(&d), 0);
	inputs_free(&in);
	diag_free(&d);
}

#endif
