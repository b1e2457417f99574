// SPDX-License-Identifier: BSD-2-Clause
/*
 * The dashboard's static files (collector/api/web.c): which URL paths a
 * file of the table may have, the Content-Type by extension, and what
 * loading a web root takes and leaves: regular files of a known type, one
 * level of folders; never a symlink (to a file or a folder, in the root or
 * out of it), a hidden name, a deeper folder; a root past the bounds
 * refused with its reason; a reload that fails keeps the files served.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "collector/api/web.h"
#include "tests/unit/scratch.h"

static void test_paths(void **state)
{
	static const struct {
		const char *path;
		bool ok;
	} rows[] = {
		{"/index.html", true},
		{"/sub/x.css", true},
		{"/a-b_c.1.js", true},
		{"/", false}, /* "/" is index.html, said by the handler */
		{"", false},
		{"index.html", false},
		{"/..", false},
		{"/../etc/passwd", false},
		{"/sub/../index.html", false},
		{"/./index.html", false},
		{"/.hidden", false},
		{"//index.html", false},
		{"/index.html/", false},
		{"/sub//x.css", false},
		{"/a\\b.js", false},
		{"/a b.js", false},
		{"/%2e%2e/x", false},
		{"/\xe5\x8d\x97.html",
		 false}, /* a name the loader never takes */
	};
	char longp[WEB_PATH_MAX + 8];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (web_path_ok(rows[i].path) != rows[i].ok)
			print_message("path '%s'\n", rows[i].path);
		assert_int_equal(web_path_ok(rows[i].path), rows[i].ok);
	}
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[WEB_PATH_MAX] = '\0'; /* 256 bytes: one too many */
	assert_false(web_path_ok(longp));
	longp[WEB_PATH_MAX - 1] = '\0'; /* 255: the longest that fits */
	assert_true(web_path_ok(longp));
}

static void test_types(void **state)
{
	(void)state;
	assert_string_equal(web_type("index.html"), "text/html; charset=utf-8");
	assert_string_equal(web_type("app.js"),
			    "text/javascript; charset=utf-8");
	assert_string_equal(web_type("a.b.css"), "text/css; charset=utf-8");
	assert_string_equal(web_type("favicon.svg"), "image/svg+xml");
	assert_string_equal(web_type("x.json"), "application/json");
	assert_null(web_type("notes.md"));
	assert_null(web_type("Makefile"));
	assert_null(web_type("index.html.bak"));
	assert_null(web_type("app.JS")); /* no guessing */
}

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static void test_load(void **state)
{
	char root[256], p[256], q[256], err[512];
	struct web *w = NULL;
	size_t bytes;
	int files;

	(void)state;
	path_of(p, sizeof(p), "root");
	assert_int_equal(mkdir(p, 0755), 0);
	path_of(p, sizeof(p), "root/sub");
	assert_int_equal(mkdir(p, 0755), 0);
	path_of(p, sizeof(p), "root/sub/deeper");
	assert_int_equal(mkdir(p, 0755), 0);
	path_of(p, sizeof(p), "outside");
	assert_int_equal(mkdir(p, 0755), 0);
	scratch_write("root/index.html", "<!doctype html>", -1); /* 15 */
	scratch_write("root/app.js", "'use strict';", -1);	 /* 13 */
	scratch_write("root/sub/x.css", "a{}", -1);		 /* 3 */
	scratch_write("root/sub/deeper/y.js", "too deep", -1);
	scratch_write("root/.hidden.js", "hidden", -1);
	scratch_write("root/notes.md", "no type", -1);
	scratch_write("outside/secret.js", "secret", -1);
	path_of(p, sizeof(p), "outside/secret.js");
	path_of(q, sizeof(q), "root/link.js");
	assert_int_equal(symlink(p, q), 0);
	path_of(q, sizeof(q), "root/inner.js"); /* even one inside the root */
	assert_int_equal(symlink("app.js", q), 0);
	path_of(p, sizeof(p), "outside");
	path_of(q, sizeof(q), "root/linkdir");
	assert_int_equal(symlink(p, q), 0);

	path_of(root, sizeof(root), "root");
	assert_int_equal(web_load(&w, root, err, sizeof(err)), 0);
	web_stats(w, &files, &bytes);
	assert_int_equal(files, 3);
	assert_int_equal(bytes, 15 + 13 + 3);

	/* a reload that cannot read its root keeps what is served */
	path_of(p, sizeof(p), "missing");
	assert_int_equal(web_reload(w, p, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "missing"));
	web_stats(w, &files, &bytes);
	assert_int_equal(files, 3);
	/* "" is no dashboard */
	assert_int_equal(web_reload(w, "", err, sizeof(err)), 0);
	web_stats(w, &files, &bytes);
	assert_int_equal(files, 0);
	web_free(w);

	/* a file past WEB_FILE_MAX: refused, named */
	{
		char *big = malloc(WEB_FILE_MAX + 1);

		assert_non_null(big);
		memset(big, 'x', WEB_FILE_MAX + 1);
		scratch_write("root/big.js", big, WEB_FILE_MAX + 1);
		free(big);
	}
	w = NULL;
	assert_int_equal(web_load(&w, root, err, sizeof(err)), -EFBIG);
	assert_null(w);
	assert_non_null(strstr(err, "/big.js"));
	assert_non_null(strstr(err, root));
	path_of(p, sizeof(p), "root/big.js");
	unlink(p);

	/* a root of a file, not a folder */
	path_of(p, sizeof(p), "root/app.js");
	assert_int_equal(web_load(&w, p, err, sizeof(err)), -ENOTDIR);
}

static void test_too_many(void **state)
{
	char root[256], name[256], err[512];
	struct web *w = NULL;

	(void)state;
	path_of(root, sizeof(root), "many");
	assert_int_equal(mkdir(root, 0755), 0);
	for (int i = 0; i <= WEB_FILES_MAX; i++) {
		snprintf(name, sizeof(name), "many/f%d.txt", i);
		scratch_write(name, "", -1);
	}
	assert_int_equal(web_load(&w, root, err, sizeof(err)), -EMFILE);
	assert_non_null(strstr(err, "more than 1024 files"));
	snprintf(name, sizeof(name), "%s/many/f0.txt", dir);
	unlink(name);
	assert_int_equal(web_load(&w, root, err, sizeof(err)), 0);
	web_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_too_many),
	};

	return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
