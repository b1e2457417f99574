// SPDX-License-Identifier: BSD-2-Clause
/*
 * The copy of the last good configuration (agent/goodconf.c): the example
 * township copied and loaded back gives the same desired state; commits
 * and swaps move the copies as the applied states move; a copy whose
 * meta.json is damaged or hostile is refused, not followed; a profile
 * that includes a file outside its folder is not copied.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/apply/goodconf.h"
#include "common/render.h"

static char sd[64];

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(sd, sizeof(sd), "/tmp/egnet-test-good-XXXXXX");
	return mkdtemp(sd) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(sd, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sd, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The desired state as egnetctl render prints it. */
static char *rendered(const struct inputs *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	render_text(&in->ds, f);
	fclose(f);
	return buf;
}

static void test_round_trip(void **state)
{
	struct inputs in, back;
	struct diag d;
	long long saved = 0;
	char err[600], *a, *b, path[256];

	(void)state;
	diag_init(&d);
	assert_int_equal(inputs_load(&in, "profiles/examples/township.conf",
				     NULL, NULL, &d),
			 0);
	assert_int_equal(goodconf_write(sd, &in, err, sizeof(err)), 0);
	assert_true(goodconf_exists(sd, "good.new"));
	assert_false(goodconf_exists(sd, "good"));
	snprintf(path, sizeof(path), "%s/good.new/profile/include/probe.conf",
		 sd);
	assert_int_equal(access(path, R_OK), 0);

	assert_int_equal(goodconf_load(sd, "good.new", &back, &d, &saved), 0);
	assert_true(saved > 0);
	a = rendered(&in);
	b = rendered(&back);
	assert_string_equal(a, b);
	free(a);
	free(b);
	inputs_free(&back);

	/* commit: good.new -> good; again: the first becomes good.previous */
	assert_int_equal(goodconf_commit(sd, err, sizeof(err)), 0);
	assert_true(goodconf_exists(sd, "good"));
	assert_false(goodconf_exists(sd, "good.new"));
	write_file("good/marker", "first");
	assert_int_equal(goodconf_write(sd, &in, err, sizeof(err)), 0);
	assert_int_equal(goodconf_commit(sd, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/good.previous/marker", sd);
	assert_int_equal(access(path, F_OK), 0);

	/* a rollback swaps them */
	assert_int_equal(goodconf_swap(sd, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/good/marker", sd);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(goodconf_swap(sd, err, sizeof(err)), 0);
	assert_int_not_equal(access(path, F_OK), 0);

	/* written and thrown away */
	assert_int_equal(goodconf_write(sd, &in, err, sizeof(err)), 0);
	goodconf_discard(sd);
	assert_false(goodconf_exists(sd, "good.new"));
	inputs_free(&in);
	diag_free(&d);
}

/*
 * A node config that @includes a file of its folder: the copy keeps that
 * file beside its node.conf and loads as the original does.
 */
static void test_node_include(void **state)
{
	struct inputs in, back;
	struct diag d;
	long long saved = 0;
	char err[600], path[256], cwd[4096], *a, *b;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(path, sizeof(path), "%s/site", sd);
	assert_int_equal(mkdir(path, 0750), 0);
	{
		char node[3 * 4096 + 512];

		snprintf(node, sizeof(node),
			 "node = { code = \"210102001000\"; name = \"t\";\n"
			 "profile = \"%s/profiles/township.conf\";\n"
			 "inventory = \"%s/profiles/examples/inventory.csv\"; };\n"
			 "@include \"ifaces.conf\"\n"
			 "paths = { state = \"%s\"; };\n", cwd, cwd, sd);
		write_file("site/node.conf", node);
	}
	write_file("site/ifaces.conf",
		   "interfaces = { uplink = \"eth0\"; downlink = [ \"eth1\" ]; "
		   "lan = [ \"eth2\" ]; };\n");
	snprintf(path, sizeof(path), "%s/site/node.conf", sd);
	diag_init(&d);
	if (inputs_load(&in, path, NULL, NULL, &d))
		fail_msg("the node config does not load");
	assert_int_equal(goodconf_write(sd, &in, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/good.new/ifaces.conf", sd);
	assert_int_equal(access(path, R_OK), 0);
	/* from another folder, with the original moved away */
	assert_int_equal(chdir("/"), 0);
	snprintf(path, sizeof(path), "%s/site/ifaces.conf", sd);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(goodconf_load(sd, "good.new", &back, &d, &saved), 0);
	assert_int_equal(chdir(cwd), 0);
	a = rendered(&in);
	b = rendered(&back);
	assert_string_equal(a, b);
	free(a);
	free(b);
	inputs_free(&back);
	inputs_free(&in);

	/* one named as a file of the copy is refused with its name */
	write_file("site/ifaces.conf",
		   "interfaces = { uplink = \"eth0\"; downlink = [ \"eth1\" ]; "
		   "lan = [ \"eth2\" ]; };\n");
	snprintf(path, sizeof(path), "%s/site/meta.json", sd);
	write_file("site/meta.json", "# nothing\n");
	snprintf(path, sizeof(path), "%s/site/node.conf", sd);
	{
		FILE *f = fopen(path, "a");

		assert_non_null(f);
		fputs("@include \"meta.json\"\n", f);
		fclose(f);
	}
	assert_int_equal(inputs_load(&in, path, NULL, NULL, &d), 0);
	assert_int_equal(goodconf_write(sd, &in, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "\"meta.json\": a name the copy uses"));
	inputs_free(&in);
	diag_free(&d);
}

/* A copy with this meta.json: what goodconf_load() says. */
static int load_with_meta(const char *meta)
{
	struct inputs in;
	struct diag d;
	long long saved;
	char path[256];
	int rc;

	snprintf(path, sizeof(path), "%s/bad", sd);
	mkdir(path, 0750);
	if (meta)
		write_file("bad/meta.json", meta);
	else {
		snprintf(path, sizeof(path), "%s/bad/meta.json", sd);
		unlink(path);
	}
	diag_init(&d);
	rc = goodconf_load(sd, "bad", &in, &d, &saved);
	inputs_free(&in);
	diag_free(&d);
	return rc;
}

static void test_hostile_meta(void **state)
{
	static const char *const bad[] = {
		"not json",
		"[]",
		"{\"profile\": \"../../etc/shadow\", \"inventory\": false}",
		"{\"profile\": \"include/plan.conf\", \"inventory\": false}",
		"{\"profile\": \"\", \"inventory\": false}",
		"{\"profile\": \"..\", \"inventory\": false}",
		"{\"profile\": 5, \"inventory\": false}",
		"{\"profile\": \"township.conf\"}",
		"{\"profile\": \"township.conf\", \"inventory\": \"yes\"}",
	};

	(void)state;
	assert_int_equal(load_with_meta(NULL), -ENOENT);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("meta.json: %s\n", bad[i]);
		assert_int_equal(load_with_meta(bad[i]), -EINVAL);
	}
	/* a sound meta.json in a copy without its files: refused by the
	 * loader, with the reason in the diagnostics */
	assert_int_equal(load_with_meta("{\"profile\": \"township.conf\", "
					"\"inventory\": false}"),
			 -EINVAL);
}

static void test_include_outside(void **state)
{
	struct inputs in;
	char err[600], path[256];

	(void)state;
	mkdir(strcat(strcpy(path, sd), "/src"), 0750);
	write_file("src/node.conf", "node = {};\n");
	write_file("src/p.conf", "@include \"ok.conf\"\n");
	write_file("src/ok.conf", "@include \"../outside.conf\"\n");
	write_file("outside.conf", "x = 1;\n");
	memset(&in, 0, sizeof(in));
	snprintf(in.nc.path, sizeof(in.nc.path), "%s/src/node.conf", sd);
	snprintf(in.nc.profile, sizeof(in.nc.profile), "%s/src/p.conf", sd);
	assert_int_not_equal(goodconf_write(sd, &in, err, sizeof(err)), 0);
	assert_string_equal(err, "the profile includes \"../outside.conf\": "
				 "only paths inside its folder can be kept");
	assert_false(goodconf_exists(sd, "good.new"));
	snprintf(path, sizeof(path), "%s/good.new", sd);
	assert_int_not_equal(access(path, F_OK), 0);
}

/* A profile over the old 1 MiB limit (2 MiB of comment) is kept like any
 * other input the loader takes (up to CFGFILE_MAX), so the copy is never
 * older than what runs for want of room. */
static void test_large_profile(void **state)
{
	struct inputs in, back;
	struct diag d;
	long long saved = 0;
	char err[600], path[256], *text, *big, line[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/big", sd);
	mkdir(path, 0750);
	snprintf(path, sizeof(path), "%s/big/include", sd);
	mkdir(path, 0750);
	/* the example township with its includes, the profile padded */
	f = fopen("profiles/township.conf", "r");
	assert_non_null(f);
	big = malloc((3u << 20) + 65536);
	assert_non_null(big);
	big[0] = '\0';
	while (fgets(line, sizeof(line), f))
		strcat(big, line);
	fclose(f);
	text = big + strlen(big);
	for (int i = 0; i < (2 << 20) / 64; i++, text += 64) {
		memset(text, 'x', 64);
		text[0] = '#';
		text[63] = '\n';
	}
	*text = '\0';
	write_file("big/township.conf", big);
	free(big);
	{
		static const char *const incs[] = {"plan", "zones", "sets",
						   "rules-base", "probe"};

		for (size_t i = 0; i < 5; i++) {
			char from[128], to[128], buf[65536];
			size_t n;
			FILE *in_f, *out_f;

			snprintf(from, sizeof(from), "profiles/include/%s.conf",
				 incs[i]);
			snprintf(to, sizeof(to), "%s/big/include/%s.conf", sd,
				 incs[i]);
			in_f = fopen(from, "r");
			out_f = fopen(to, "w");
			assert_non_null(in_f);
			assert_non_null(out_f);
			n = fread(buf, 1, sizeof(buf), in_f);
			fwrite(buf, 1, n, out_f);
			fclose(in_f);
			fclose(out_f);
		}
	}
	snprintf(path, sizeof(path), "%s/big/township.conf", sd);
	diag_init(&d);
	assert_int_equal(inputs_load(&in, "profiles/examples/township.conf",
				     path, NULL, &d),
			 0);
	assert_int_equal(goodconf_write(sd, &in, err, sizeof(err)), 0);
	assert_int_equal(goodconf_load(sd, "good.new", &back, &d, &saved), 0);
	assert_int_equal(diag_count(&d), 0);
	inputs_free(&back);
	goodconf_discard(sd);
	inputs_free(&in);
	diag_free(&d);
}

/* A meta.json that is a FIFO: refused at once, not waited on. */
static void test_meta_fifo(void **state)
{
	struct inputs in;
	struct diag d;
	long long saved;
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo", sd);
	mkdir(path, 0750);
	snprintf(path, sizeof(path), "%s/fifo/meta.json", sd);
	assert_int_equal(mkfifo(path, 0600), 0);
	diag_init(&d);
	assert_int_equal(goodconf_load(sd, "fifo", &in, &d, &saved), -EINVAL);
	inputs_free(&in);
	diag_free(&d);
}

/*
 * A node config refused for a problem elsewhere still names its state
 * folder, also through an @include, which is the config's folder's and
 * not the current folder's.
 */
static void test_statedir_lenient_include(void **state)
{
	char conf[256], out[256], cwd[4096];

	(void)state;
	write_file("paths.conf", "paths = { state = \"/var/tmp/egnet-x\"; };\n");
	write_file("lenient.conf", "@include \"paths.conf\"\n"
				   "node = { name = \"\xff\"; };\n");
	snprintf(conf, sizeof(conf), "%s/lenient.conf", sd);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/"), 0);
	goodconf_statedir(conf, out, sizeof(out));
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(out, "/var/tmp/egnet-x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile_meta),
		cmocka_unit_test(test_include_outside),
		cmocka_unit_test(test_large_profile),
		cmocka_unit_test(test_meta_fifo),
		cmocka_unit_test(test_statedir_lenient_include),
		cmocka_unit_test(test_node_include),
	};

	return cmocka_run_group_tests_name("goodconf", tests, setup, teardown);
}
