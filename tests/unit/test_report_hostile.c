// SPDX-License-Identifier: BSD-2-Clause
/*
 * Hostile bodies for report_decode(), made here from the golden county
 * report (tests/support/badbodies.py writes the same classes as files for
 * the collector's HTTP test): every prefix of the report (truncation at
 * every byte), nesting of 100 and 100,000 levels, bodies over the bound
 * (by one byte and 10 MiB), malformed JSON, a raw NUL or a bad UTF-8 byte
 * put at many places, a duplicate of every member; and, member by member
 * over the whole report, each value given the wrong JSON type, each member
 * removed, an unknown member added to each object, each number put out of
 * its range and each code made wrong.  Every one must be refused, with a
 * reason, and when the change has a path, a reason that starts with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/reportcase.h"
#include "tests/unit/rows.h"

static size_t n_bodies;	      /* refused so far, for the summary line */
static const char *note = ""; /* the change, for a failure */

static void refused(const char *body, size_t len, enum report_err want,
		    const char *path)
{
	enum report_err why;
	char err[256];

	if (rc_decode(body, len, &why, err, sizeof(err)) != -1)
		fail_msg("accepted (%zu bytes, %s %s): %.*s", len,
			 path ? path : "-", note, len > 100 ? 100 : (int)len,
			 body);
	if (why <= REPORT_ERR_NONE || why >= REPORT_ERR__N || !err[0] ||
	    err[0] == 'Z')
		fail_msg("refused without a reason (%d): %s", (int)why, err);
	if (want != REPORT_ERR_NONE && why != want)
		fail_msg("want %s, got %s: %s", report_err_words[want],
			 report_err_words[why], err);
	if (path && strncmp(err, path, strlen(path)))
		fail_msg("want a reason at %s, got \"%s\"", path, err);
	n_bodies++;
}

static void refused_json(const json_t *j, enum report_err want,
			 const char *path)
{
	char *s = json_dumps(j, DUMP_FLAGS);

	refused(s, strlen(s), want, path);
	free(s);
}

/*
 * The members a report may leave out (report.c's tables mark them opt):
 * targets[].refused (absent: false; agents of the first release of v1)
 * and the top's snmp (absent: no device).
 */
static bool optional_member(const char *path)
{
	size_t n = strlen(path);

	return !strcmp(path, "snmp") ||
	       (!strncmp(path, "targets[", 8) && n > 8 &&
		!strcmp(path + n - 8, ".refused"));
}

/* Accepted, as if the member removed were there with its zero value. */
static void accepted_json(const json_t *j, const char *path)
{
	char *s = json_dumps(j, DUMP_FLAGS), err[256];
	enum report_err why;

	if (rc_decode(s, strlen(s), &why, err, sizeof(err)))
		fail_msg("refused (%s %s): %s", path, note, err);
	free(s);
}

static char *golden_text(size_t *len)
{
	json_t *j = rc_golden();
	char *s = json_dumps(j, DUMP_FLAGS);

	json_decref(j);
	*len = strlen(s);
	return s;
}

/* ---- the text ----------------------------------------------------------- */

static void test_truncated(void **state)
{
	size_t len;
	char *g = golden_text(&len);

	(void)state;
	for (size_t cut = 0; cut < len; cut++)
		refused(g, cut, REPORT_ERR_JSON, NULL);
	free(g);
}

static void test_deep(void **state)
{
	static const size_t levels[] = {100, 100000};
	static const char *const open[] = {"[", "{\"a\":"};

	(void)state;
	for (size_t l = 0; l < ROWS(levels); l++)
		for (size_t o = 0; o < ROWS(open); o++) {
			size_t w = strlen(open[o]), n = levels[l];
			char *s = malloc(n * (w + 1) + 2), *p = s;

			for (size_t i = 0; i < n; i++, p += w)
				memcpy(p, open[o], w);
			*p++ = '1';
			memset(p, o ? '}' : ']', n);
			refused(s, (size_t)(p + n - s), REPORT_ERR_JSON,
				"report");
			/* unclosed too */
			refused(s, n * w, REPORT_ERR_JSON, "report");
			free(s);
		}
}

static void test_oversize(void **state)
{
	static const size_t sizes[] = {REPORT_MAX_BYTES + 1, 10 << 20};
	size_t len;
	char *g = golden_text(&len);

	(void)state;
	for (size_t i = 0; i < ROWS(sizes); i++) {
		char *s = malloc(sizes[i]);

		memset(s, ' ', sizes[i]);
		memcpy(s, g, len);
		refused(s, sizes[i], REPORT_ERR_SIZE, "report");
		free(s);
	}
	free(g);
}

static void test_malformed(void **state)
{
	static const char *const bodies[] = {
		"{",
		"}",
		"{\"schema\":1,}",
		"{\"schema\" 1}",
		"{'schema':1}",
		"{\"schema\":01}",
		"{\"schema\":1e}",
		"{\"schema\":NaN}",
		"{\"schema\":-}",
		"\"\\x\"",
		"{\"a\":\"\\u12\"}",
		"[1,,2]",
		"{\"schema\":tru}",
		"\xef\xbb\xbf{}",
		"{\"schema\":1}\n\n}",
	};

	(void)state;
	for (size_t i = 0; i < ROWS(bodies); i++)
		refused(bodies[i], strlen(bodies[i]), REPORT_ERR_JSON, NULL);
}

/* A raw NUL (jansson would skip it), 0xff, a lone continuation byte, and
 * a cut 3-byte sequence, put in place of bytes at many places of the
 * report. */
static void test_bad_bytes(void **state)
{
	static const char *const bad[] = {"\0", "\xff", "\x80", "\xe5\xa4"};
	char where[32];
	size_t len;
	char *g = golden_text(&len);

	(void)state;
	for (size_t b = 0; b < ROWS(bad); b++) {
		size_t w = b == 0 ? 1 : strlen(bad[b]);

		for (size_t at = 0; at + w < len; at += 97) {
			char *s;

			/* a continuation byte in a sequence, or a lead
			 * before one, may make another character: put
			 * them among ASCII only */
			if (b >= 2 && ((unsigned char)g[at] >= 0x80 ||
				       (unsigned char)g[at + w] >= 0x80))
				continue;
			s = malloc(len);

			memcpy(s, g, len);
			memcpy(s + at, bad[b], w);
			snprintf(where, sizeof(where), "byte %zu", at);
			note = where;
			refused(s, len, REPORT_ERR_NONE, NULL);
			free(s);
		}
	}
	free(g);
}

/* Every member key in the text ({"K": or ,"K":) repeated just before
 * itself, as "K":0, — a duplicate in that object. */
static void test_duplicate_keys(void **state)
{
	size_t len;
	char *g = golden_text(&len);

	(void)state;
	for (size_t i = 0; i + 1 < len; i++) {
		const char *k = g + i + 1, *end;
		size_t kl;
		char *s;

		if ((g[i] != '{' && g[i] != ',') || *k != '"')
			continue;
		end = strstr(k + 1, "\":");
		assert_non_null(end);
		kl = (size_t)(end + 2 - k); /* "K": */
		s = malloc(len + kl + 3);
		memcpy(s, g, i + 1);
		memcpy(s + i + 1, k, kl);
		memcpy(s + i + 1 + kl, "0,", 2);
		memcpy(s + i + 3 + kl, k, len - (i + 1));
		refused(s, len + kl + 2, REPORT_ERR_JSON, NULL);
		free(s);
	}
	free(g);
}

/* ---- member by member --------------------------------------------------- */

static void path_join(char *out, size_t n, const char *base, const char *key,
		      long idx)
{
	if (idx >= 0)
		snprintf(out, n, "%s[%ld]", base, idx);
	else
		snprintf(out, n, "%s%s%s", base, *base ? "." : "", key);
}

static bool is_code(const char *path)
{
	size_t n = strlen(path);

	return (n >= 4 && !strcmp(path + n - 4, "code")) ||
	       (n >= 6 && !strcmp(path + n - 6, "parent"));
}

/* The changes of the value at @path (of JSON type @v): each is made on a
 * fresh copy of the report and must be refused at @path. */
static void mutate(const char *path, const json_t *v, bool in_map)
{
	static const char *const wrong[] = {
		[JSON_OBJECT] = "[]",  [JSON_ARRAY] = "{}",
		[JSON_STRING] = "7",   [JSON_INTEGER] = "\"7\"",
		[JSON_REAL] = "\"7\"", [JSON_TRUE] = "0",
		[JSON_FALSE] = "0",    [JSON_NULL] = "true",
	};
	char sub[256];
	json_t *j;

	/* the wrong type */
	note = "wrong type";
	j = rc_golden();
	rc_set(j, path, wrong[json_typeof(v)]);
	refused_json(j, REPORT_ERR_NONE, path);
	json_decref(j);
	/* removed: except entries of arrays and of maps, which may go, and
	 * the optional members, which must be accepted without */
	if (!in_map && path[strlen(path) - 1] != ']') {
		note = "removed";
		j = rc_golden();
		rc_set(j, path, NULL);
		if (optional_member(path))
			accepted_json(j, path);
		else
			refused_json(j, REPORT_ERR_NONE, path);
		json_decref(j);
	}
	/* an unknown member */
	if (json_is_object(v)) {
		note = "unknown member";
		j = rc_golden();
		path_join(sub, sizeof(sub), path, "zz", -1);
		rc_set(j, sub, "1");
		refused_json(j, REPORT_ERR_SCHEMA, sub);
		json_decref(j);
	}
	/* out of range: every integer member of the schema refuses -1, every
	 * real one 1e300 */
	if (json_is_integer(v) || json_is_real(v)) {
		note = "out of range";
		j = rc_golden();
		rc_set(j, path, json_is_integer(v) ? "-1" : "1e300");
		refused_json(j, REPORT_ERR_NONE, path);
		json_decref(j);
	}
	/* a wrong code */
	if (json_is_string(v) && is_code(path)) {
		static const char *const bad[] = {
			"\"2101020000x0\"", "\"000000000000\"",
			"\"21010200000\"", "\"210102001001\""};

		for (size_t i = 0; i < ROWS(bad); i++) {
			note = bad[i];
			j = rc_golden();
			rc_set(j, path, bad[i]);
			refused_json(j, REPORT_ERR_NONE, NULL);
			json_decref(j);
		}
	}
	/* a control character in every string */
	if (json_is_string(v) && json_string_length(v)) {
		note = "control character";
		j = rc_golden();
		rc_set(j, path, "\"a\\u0001b\"");
		refused_json(j, REPORT_ERR_NONE, path);
		json_decref(j);
	}
}

static void walk(const char *path, const json_t *v, bool in_map)
{
	char sub[256];
	const char *key;
	json_t *c;
	size_t i;

	if (*path)
		mutate(path, v, in_map);
	if (json_is_object(v)) {
		/* "reasons" and "pairs" are maps: any key */
		bool map = strlen(path) >= 5 &&
			   (!strcmp(path + strlen(path) - 5, "pairs") ||
			    (strlen(path) >= 7 &&
			     !strcmp(path + strlen(path) - 7, "reasons")));

		json_object_foreach((json_t *)v, key, c)
		{
			path_join(sub, sizeof(sub), path, key, -1);
			walk(sub, c, map);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c)
		{
			path_join(sub, sizeof(sub), path, "", (long)i);
			walk(sub, c, false);
		}
	}
}

static void test_every_member(void **state)
{
	json_t *j = rc_golden();

	(void)state;
	walk("", j, false);
	json_decref(j);
	print_message("%zu hostile bodies refused\n", n_bodies);
}

int main(void)
{
	add_test(test_truncated, NULL, "truncated at every byte");
	add_test(test_deep, NULL, "nested 100 and 100,000 levels");
	add_test(test_oversize, NULL, "oversize: bound + 1 and 10 MiB");
	add_test(test_malformed, NULL, "malformed JSON");
	add_test(test_bad_bytes, NULL, "NUL and bad UTF-8 bytes");
	add_test(test_duplicate_keys, NULL, "every member duplicated");
	add_test(test_every_member, NULL,
		 "every member: wrong type, removed, unknown, range, code");
	return _cmocka_run_group_tests("report_hostile", tests, ntests,
				       rc_setup, rc_teardown);
}
