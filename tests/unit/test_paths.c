// SPDX-License-Identifier: BSD-2-Clause
/*
 * Input paths: a node config, profile, @include or inventory that is a
 * directory, a device, a FIFO or too large is refused by name without
 * blocking, an @include's problem at the line of the @include; an
 * absolute @include is taken as written and a nested relative one from
 * the main profile's folder (docs/profile.md); an empty path is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "common/cfgfile.h"
#include "files.h"
#include "rows.h"

/* The good files plus, in the folder: d/ (a folder), ff (a FIFO),
 * big.conf (CFGFILE_MAX + 1 bytes, sparse), probe.conf, sub/inc1.conf
 * that includes "inc2.conf" (from the main folder: inc2.conf). */
static void make_files(void)
{
	char path[256];
	int fd;

	write_bytes("p.conf", GOOD_PROFILE, -1);
	write_bytes("n.conf", GOOD_NODE, -1);
	write_bytes("inv.csv", GOOD_INV, -1);
	write_bytes("probe.conf", "probe = { window = 60; };\n", -1);
	snprintf(path, sizeof(path), "%s/d", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0755);
	write_bytes("sub/inc1.conf", "@include \"inc2.conf\"\n", -1);
	write_bytes("inc2.conf", "routing = { rule_priority = 200; };\n", -1);
	write_bytes("self.conf", "@include \"self.conf\"\n", -1);
	write_bytes("syntax.conf", "\nprobe = { window = ; };\n", -1);
	snprintf(path, sizeof(path), "%s/ff", dir);
	if (access(path, F_OK))
		assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, CFGFILE_MAX + 1), 0);
	close(fd);
}

struct path_row {
	const char *name;
	const char *node, *profile, *inv; /* as given to inputs_load */
	const char *ptext;		  /* p.conf; NULL: the good one */
	struct want w[WANTS_MAX];
};

#define INCL(x) GOOD_PROFILE "@include \"" x "\"\n"

static const struct path_row rows[] = {
	{"@include of a directory",
	 "n.conf",
	 NULL,
	 NULL,
	 INCL("d"),
	 {{"p.conf", 6, NULL,
	   "@include \"d\": $D/d is a directory, not a file"}}},
	{"@include of a device",
	 "n.conf",
	 NULL,
	 NULL,
	 INCL("/dev/zero"),
	 {{"p.conf", 6, NULL,
	   "@include \"/dev/zero\": /dev/zero is a device, not a file"}}},
	{"@include of a FIFO",
	 "n.conf",
	 NULL,
	 NULL,
	 INCL("ff"),
	 {{"p.conf", 6, NULL, "@include \"ff\": $D/ff is a FIFO, not a file"}}},
	{"@include of a missing file",
	 "n.conf",
	 NULL,
	 NULL,
	 INCL("nothere"),
	 {{"p.conf", 6, NULL,
	   "@include \"nothere\": $D/nothere: No such file or directory"}}},
	{"@include of a file over the cap",
	 "n.conf",
	 NULL,
	 NULL,
	 INCL("big.conf"),
	 {{"p.conf", 6, NULL,
	   "@include \"big.conf\": $D/big.conf is larger than 16 MiB"}}},
	{"@include nested for ever",
	 "n.conf",
	 NULL,
	 NULL,
	 INCL("self.conf"),
	 {{"self.conf", 1, NULL,
	   "@include \"self.conf\": includes nested more than 10 deep"}}},
	{"syntax error in an included file",
	 "n.conf",
	 NULL,
	 NULL,
	 INCL("syntax.conf"),
	 {{"syntax.conf", 2, NULL, "syntax error"}}},
	{"@include with an escape",
	 "n.conf",
	 NULL,
	 NULL,
	 INCL("a\\\"b"),
	 {{"p.conf", 6, NULL,
	   "@include: the file name must be a plain string on one line"}}},
	{"three bad @includes, each named",
	 "n.conf",
	 NULL,
	 NULL,
	 GOOD_PROFILE
	 "@include \"d\"\n@include \"ff\"\n@include \"/dev/null\"\n",
	 {{"p.conf", 6, NULL,
	   "@include \"d\": $D/d is a directory, not a file"},
	  {"p.conf", 7, NULL, "@include \"ff\": $D/ff is a FIFO, not a file"},
	  {"p.conf", 8, NULL,
	   "@include \"/dev/null\": /dev/null is a device, not a file"}}},
	{"profile is a directory",
	 "n.conf",
	 "d",
	 NULL,
	 NULL,
	 {{"d", 0, NULL,
	   "cannot read the profile: is a directory, not a file"}}},
	{"profile is a FIFO",
	 "n.conf",
	 "ff",
	 NULL,
	 NULL,
	 {{"ff", 0, NULL, "cannot read the profile: is a FIFO, not a file"}}},
	{"profile over the cap",
	 "n.conf",
	 "big.conf",
	 NULL,
	 NULL,
	 {{"big.conf", 0, NULL,
	   "cannot read the profile: is larger than 16 MiB"}}},
	{"node config is a device",
	 "/dev/zero",
	 NULL,
	 NULL,
	 NULL,
	 {{"/dev/zero", 0, NULL,
	   "cannot read the node config: is a device, not a file"}}},
	{"node config is a directory",
	 "d",
	 NULL,
	 NULL,
	 NULL,
	 {{"d", 0, NULL,
	   "cannot read the node config: is a directory, not a file"}}},
	{"inventory is /dev/zero",
	 "n.conf",
	 NULL,
	 "/dev/zero",
	 NULL,
	 {{"/dev/zero", 0, NULL,
	   "cannot read the inventory: is a device, not a file"}}},
	{"inventory is a FIFO",
	 "n.conf",
	 NULL,
	 "ff",
	 NULL,
	 {{"ff", 0, NULL, "cannot read the inventory: is a FIFO, not a file"}}},
	{"inventory over the cap",
	 "n.conf",
	 NULL,
	 "big.conf",
	 NULL,
	 {{"big.conf", 0, NULL,
	   "cannot read the inventory: is larger than 16 MiB"}}},
	{"empty profile path",
	 "n.conf",
	 "",
	 NULL,
	 NULL,
	 {{"profile", 0, NULL, "empty path: name a file"}}},
	{"empty inventory path",
	 "n.conf",
	 NULL,
	 "",
	 NULL,
	 {{"inventory", 0, NULL, "empty path: name a file"}}},
	{"empty node config path",
	 "",
	 NULL,
	 NULL,
	 NULL,
	 {{"node config", 0, NULL, "empty path: name a file"}}},
};

static void test_bad(void **state)
{
	const struct path_row *r = *state;

	make_files();
	if (r->ptext)
		write_bytes("p.conf", r->ptext, -1);
	expect_problems(r->node, r->profile, r->inv, r->w);
}

/* An absolute @include as written; a relative one inside an included
 * file from the main profile's folder; both accepted. */
static void test_include_rules(void **state)
{
	char text[2048];

	(void)state;
	make_files();
	snprintf(text, sizeof(text),
		 GOOD_PROFILE "@include \"%s/probe.conf\"\n@include "
			      "\"sub/inc1.conf\"\n",
		 dir);
	write_bytes("p.conf", text, -1);
	expect_good("n.conf");
}

/* A problem in an included file is named in that file, by the path it
 * was read from. */
static void test_problem_in_include(void **state)
{
	static const struct want w[] = {
		{"probe.conf", 1, "probe.window", "1 is out of range 4..3600"},
		{"inc2.conf", 1, "routing.rule_priority",
		 "0 is out of range 1..32000"},
		{NULL, 0, NULL, NULL},
	};

	(void)state;
	make_files();
	write_bytes("probe.conf", "probe = { window = 1; };\n", -1);
	write_bytes("inc2.conf", "routing = { rule_priority = 0; };\n", -1);
	write_bytes("p.conf",
		    GOOD_PROFILE "@include \"probe.conf\"\n@include "
				 "\"sub/inc1.conf\"\n",
		    -1);
	expect_problems("n.conf", NULL, NULL, w);
}

int main(void)
{
	for (size_t i = 0; i < ROWS(rows); i++)
		add_test(test_bad, &rows[i], "%s", rows[i].name);
	add_test(test_include_rules, NULL, "absolute and nested includes");
	add_test(test_problem_in_include, NULL, "problem in an included file");
	return _cmocka_run_group_tests("paths", tests, ntests, files_setup,
				       files_teardown);
}
