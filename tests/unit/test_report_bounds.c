// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the bounds of report schema v1 (common/report.h): each
 * array and map of the golden county report grown to exactly its bound
 * (taken) and one over (refused, with the count in the reason), and each
 * string filled to its field's size minus one byte (taken) and to its
 * size (refused as longer than the field holds; never cut).  Lengths are
 * bytes of UTF-8, not characters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/reportcase.h"
#include "tests/unit/rows.h"

/* ---- the bounds of the arrays and maps ---------------------------------- */

/* The golden report with @path (an array or a map) holding @n copies of
 * its first entry, each given a distinct name by @name (may be NULL). */
static json_t *grown(const char *path, int n,
		     void (*name)(json_t *entry, int i, char *key, size_t klen))
{
	json_t *j = rc_golden(), *c = j;
	char key[128], k[128];
	long idx;
	json_t *cont = rc_walk(j, path, key, sizeof(key), &idx);

	c = json_object_get(cont, key);
	if (json_is_array(c)) {
		json_t *first = json_deep_copy(json_array_get(c, 0));

		json_array_clear(c);
		for (int i = 0; i < n; i++) {
			json_t *e = json_deep_copy(first);

			name(e, i, k, sizeof(k));
			json_array_append_new(c, e);
		}
		json_decref(first);
	} else {
		const char *fk = json_object_iter_key(json_object_iter(c));
		json_t *first = json_deep_copy(json_object_get(c, fk));

		json_object_clear(c);
		for (int i = 0; i < n; i++) {
			name(NULL, i, k, sizeof(k));
			json_object_set_new(c, k, json_deep_copy(first));
		}
		json_decref(first);
	}
	return j;
}

static void name_link(json_t *e, int i, char *k, size_t n)
{
	snprintf(k, n, "l%d", i);
	json_object_set_new(e, "name", json_string(k));
}

static void name_target(json_t *e, int i, char *k, size_t n)
{
	/* the parent, then the county's townships 001..999, then repeats */
	if (i == 0 || i > 999) {
		snprintf(k, n, "210100000000");
		json_object_set_new(e, "relation", json_string("parent"));
	} else {
		snprintf(k, n, "210102%03d000", i);
		json_object_set_new(e, "relation", json_string("child"));
	}
	json_object_set_new(e, "code", json_string(k));
}

static void name_event(json_t *e, int i, char *k, size_t n)
{
	(void)e;
	snprintf(k, n, "%d", i);
}

static void name_pair(json_t *e, int i, char *k, size_t n)
{
	(void)e;
	snprintf(k, n, "z%d->common", i);
}

static void name_reason(json_t *e, int i, char *k, size_t n)
{
	(void)e;
	snprintf(k, n, "reason_%d", i);
}

static const struct bound {
	const char *path;
	int max; /* taken at max (when at_ok), refused at max + 1 */
	bool at_ok;
	void (*name)(json_t *, int, char *, size_t);
	const char *over; /* the reason one over */
} bounds[] = {
	{"links", REPORT_MAX_LINKS, true, name_link,
	 "links: 257 entries, over the 256 allowed"},
	{"events", REPORT_MAX_EVENTS, true, name_event,
	 "events: 257 entries, over the 256 allowed"},
	{"firewall.pairs", REPORT_MAX_PAIRS, true, name_pair,
	 "firewall.pairs: 129 pairs, over the 128 allowed"},
	{"links[0].drops.reasons", REPORT_MAX_DROPS, true, name_reason,
	 "links[0].drops.reasons: 17 reasons, over the 16 allowed"},
	/* a node has at most 1 parent and 999 children: 1000 distinct
	 * targets; 1024 is refused for a repeated code, not for the count */
	{"targets", 1000, true, name_target,
	 "targets[1000].code: 210100000000 is targets[0]'s too"},
	{"targets", REPORT_MAX_TARGETS, false, name_target,
	 "targets: 1025 entries, over the 1024 allowed"},
};

static void test_bound(void **state)
{
	const struct bound *t = *state;
	enum report_err why;
	char err[256];
	json_t *j;

	if (t->at_ok) {
		j = grown(t->path, t->max, t->name);
		assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), 0);
		json_decref(j);
	}
	j = grown(t->path, t->max + 1, t->name);
	assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), -1);
	assert_int_equal(why, REPORT_ERR_SCHEMA);
	if (!strstr(err, t->over))
		fail_msg("want \"%s\", got \"%s\"", t->over, err);
	json_decref(j);
}

static const struct strbound {
	const char *path;
	int max; /* bytes: taken at max, refused at max + 1 */
	char c;
} strbounds[] = {
	{"links[0].name", 15, 'e'},   {"links[0].role", 63, 'r'},
	{"links[0].zone", 63, 'z'},   {"targets[1].name", REPORT_NODE_NAME_LEN - 1, 'n'},
	{"agent.version", 31, 'v'},   {"profile.name", 63, 'p'},
	{"profile.version", REPORT_NAME_LEN - 1, 'v'}, {"profile.hash", 71, 'h'},
	{"drift.text", 255, 't'},     {"events[4].text", 255, 't'},
	{"events[4].hash", 71, 'h'},  {"events[1].link", 15, 'l'},
};

static void test_strbound(void **state)
{
	const struct strbound *t = *state;
	enum report_err why;
	char err[256], v[300];

	for (int n = t->max; n <= t->max + 1; n++) {
		json_t *j = rc_golden();

		v[0] = '"';
		memset(v + 1, t->c, (size_t)n);
		snprintf(v + 1 + n, 2, "\"");
		rc_set(j, t->path, v);
		if (n == t->max) {
			assert_int_equal(
				rc_decode_json(j, &why, err, sizeof(err)), 0);
		} else {
			assert_int_equal(
				rc_decode_json(j, &why, err, sizeof(err)), -1);
			assert_int_equal(why, REPORT_ERR_SCHEMA);
			assert_non_null(strstr(err, t->path));
			assert_non_null(strstr(err, "longer than"));
		}
		json_decref(j);
	}
	/* a name of 21 Chinese characters is 63 bytes: bytes count, not
	 * characters */
	if (t->max == 63 && t->c == 'n') {
		json_t *j = rc_golden();
		char s[80] = "\"";

		for (int i = 0; i < 21; i++)
			strcat(s, "街");
		strcat(s, "\"");
		rc_set(j, t->path, s);
		assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), 0);
		strcpy(s + strlen(s) - 1, "a\"");
		rc_set(j, t->path, s);
		assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), -1);
		json_decref(j);
	}
}

int main(void)
{
	for (size_t i = 0; i < ROWS(bounds); i++)
		add_test(test_bound, &bounds[i], "bound %s %d", bounds[i].path,
			 bounds[i].max);
	for (size_t i = 0; i < ROWS(strbounds); i++)
		add_test(test_strbound, &strbounds[i], "string bound %s %d",
			 strbounds[i].path, strbounds[i].max);
	return _cmocka_run_group_tests("report_bounds", tests, ntests, rc_setup,
				       rc_teardown);
}
