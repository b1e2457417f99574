// SPDX-License-Identifier: BSD-2-Clause
/*
 * The report decoder (common/report_dec.c, one pass, no tree) against the
 * decoder it replaced (tests/support/report_oracle.c: jansson, then a walk
 * of the tree), body by body: both must accept and refuse the same, with
 * the same word, the same reason word for word (but for JSON syntax, each
 * parser words its own), and when they accept the same bytes of struct.
 * The bodies: the golden county report, pretty and compact; its every
 * prefix; every value of it replaced by each of a set of values (wrong
 * types, edges, words, codes, containers) or removed, and an unknown
 * member added to every object; several such changes at once, with the
 * members of every object shuffled (which error comes first is the
 * oracle's table order, not the body's); the numbers and keys written
 * every way JSON allows; byte-level damage; and the fuzz seeds of the
 * report harness: some 7,000 bodies, valgrind's worth.  EGNET_DIFF_ROUNDS
 * (default 1) multiplies the random rounds, and from 4 puts every value
 * at every path (some 20,000 bodies more).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/report_int.h"
#include "tests/support/report_oracle.h"
#include "tests/unit/reportcase.h"
#include "tests/unit/rows.h"

static struct report *ra; /* the oracle's; rc_r is report_decode()'s */
static size_t n_same;
static int rounds = 1;

static void same(const char *body, size_t len, const char *what)
{
	char msg[768];

	if (report_oracle_diff(body, len, ra, rc_r, msg, sizeof(msg)))
		fail_msg("%s (%zu bytes: %.*s%s): %s", what, len,
			 len > 160 ? 160 : (int)len, body,
			 len > 160 ? "..." : "", msg);
	n_same++;
}

static void same_json(const json_t *j, const char *what)
{
	char *s = json_dumps(j, DUMP_FLAGS | JSON_ENCODE_ANY);

	same(s, strlen(s), what);
	free(s);
}

/* same_json(), and accepted: its decoded report into rc_r */
static void same_ok_json(const json_t *j, const char *what)
{
	char *s = json_dumps(j, DUMP_FLAGS), err[256];
	enum report_err why;

	same(s, strlen(s), what);
	if (report_decode(s, strlen(s), rc_r, &why, err, sizeof(err)))
		fail_msg("%s: refused: %s", what, err);
	free(s);
}

static char *compact(size_t *len)
{
	json_t *j = rc_golden();
	char *s = json_dumps(j, DUMP_FLAGS);

	json_decref(j);
	*len = strlen(s);
	return s;
}

/* A small PRNG, seeded per test: the bodies are the same every run. */
static uint64_t rng = 88172645463325252ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

/* ---- every value path of the golden report ------------------------------ */

#define MAX_PATHS 1024
static char paths[MAX_PATHS][128];
static bool path_obj[MAX_PATHS];
static size_t npaths;

static void collect(const char *path, const json_t *v)
{
	char sub[128];
	const char *key;
	json_t *c;
	size_t i;

	if (*path && npaths < MAX_PATHS) {
		snprintf(paths[npaths], sizeof(paths[0]), "%s", path);
		path_obj[npaths++] = json_is_object(v);
	}
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, c)
		{
			snprintf(sub, sizeof(sub), "%s%s%s", path,
				 *path ? "." : "", key);
			collect(sub, c);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c)
		{
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			collect(sub, c);
		}
	}
}

/* rc_set() that leaves @j alone when @path is not there (an earlier
 * change took it away). */
static void set_if(json_t *j, const char *path, const char *value)
{
	char key[128];
	long idx;
	json_t *c = rc_walk(j, path, key, sizeof(key), &idx);

	if (!c || (idx >= 0 && !json_is_array(c)) ||
	    (idx < 0 && !json_is_object(c)))
		return;
	if (idx >= 0 && (size_t)idx >= json_array_size(c))
		return;
	rc_set(j, path, value);
}

static const char *const values[] = {
	"null",
	"true",
	"false",
	"0",
	"-0",
	"-1",
	"1",
	"2",
	"30",
	"1.5",
	"-0.0",
	"1e300",
	"100.5",
	"60000.5",
	"9223372036854775807",
	"-9223372036854775808",
	"1717740800000",
	"\"\"",
	"\"x\"",
	"\"up\"",
	"\"down\"",
	"\"child\"",
	"\"village\"",
	"\"ebpf\"",
	"\"county\"",
	"\"210102000000\"",
	"\"210100000000\"",
	"\"210102001000\"",
	"\"210102001001\"",
	"\"2101\"",
	"\"a\\u0001b\"",
	"\"lan->uplink\"",
	"\"eth0\"",
	"[]",
	"{}",
	"[1]",
	"{\"zz\":1}",
	"{\"packets\":1,\"bytes\":2}",
	"{\"packets\":-1,\"bytes\":\"2\",\"zz\":0}",
	NULL, /* removed */
};

static void change(json_t *j, size_t p, size_t v)
{
	set_if(j, paths[p], values[v]);
}

/* ---- the tests ---------------------------------------------------------- */

static void test_golden(void **state)
{
	size_t len;
	char *text = rc_slurp(GOLDEN, &len), *c;

	(void)state;
	assert_non_null(text);
	same(text, len, "golden");
	c = compact(&len);
	same(c, len, "golden compact");
	for (size_t cut = 0; cut < len; cut += 1 + (cut > 200 ? 12 : 0))
		same(c, cut, "a prefix");
	free(c);
	free(text);
}

static void test_every_value(void **state)
{
	json_t *g = rc_golden();
	char what[256];

	(void)state;
	/* each path gets every fourth value (all, with EGNET_DIFF_ROUNDS
	 * of 4 or more) and its removal; over the paths, every value goes
	 * everywhere in the schema */
	size_t stride = rounds >= 4 ? 1 : 4;

	for (size_t p = 0; p < npaths; p++) {
		for (size_t v = 0; v < ROWS(values); v++) {
			json_t *j;

			if ((v + p) % stride && values[v])
				continue;
			j = json_deep_copy(g);

			change(j, p, v);
			snprintf(what, sizeof(what), "%s = %s", paths[p],
				 values[v] ? values[v] : "(removed)");
			same_json(j, what);
			json_decref(j);
		}
		if (path_obj[p]) {
			json_t *j = json_deep_copy(g);
			char sub[160];

			snprintf(sub, sizeof(sub), "%s.zz", paths[p]);
			set_if(j, sub, "{\"a\":[1,2]}");
			same_json(j, sub);
			json_decref(j);
		}
	}
	json_decref(g);
}

/* Every object of @j with its members in a random order. */
static json_t *shuffled(const json_t *j)
{
	if (json_is_object(j)) {
		const char *keys[64], *key;
		json_t *o = json_object(), *v;
		size_t n = 0;

		json_object_foreach((json_t *)j, key, v)
		{
			if (n < ROWS(keys))
				keys[n++] = key;
		}
		for (size_t i = n; i > 1; i--) {
			size_t k = rnd((uint32_t)i);
			const char *t = keys[i - 1];

			keys[i - 1] = keys[k];
			keys[k] = t;
		}
		for (size_t i = 0; i < n; i++)
			json_object_set_new(
				o, keys[i],
				shuffled(json_object_get(j, keys[i])));
		return o;
	}
	if (json_is_array(j)) {
		json_t *a = json_array(), *v;
		size_t i;

		json_array_foreach(j, i, v)
			json_array_append_new(a, shuffled(v));
		return a;
	}
	return json_incref((json_t *)j);
}

/* Two to five changes at once, half the time in shuffled objects: the
 * error reported is the first in table order, wherever it is. */
static void test_several(void **state)
{
	json_t *g = rc_golden();
	char what[512];

	(void)state;
	rng = 0x9e3779b97f4a7c15ULL;
	for (int round = 0; round < 1500 * rounds; round++) {
		json_t *j = json_deep_copy(g), *s;
		int n = 2 + (int)rnd(4);
		size_t o = 0;

		for (int k = 0; k < n; k++) {
			size_t p = rnd((uint32_t)npaths),
			       v = rnd((uint32_t)ROWS(values));

			change(j, p, v);
			o += (size_t)snprintf(what + o, sizeof(what) - o,
					      "%s = %s; ", paths[p],
					      values[v] ? values[v] : "-");
			if (o >= sizeof(what))
				o = sizeof(what) - 1;
		}
		if (rnd(2)) {
			s = shuffled(j);
			json_decref(j);
			j = s;
		}
		same_json(j, what);
		json_decref(j);
	}
	/* accepted in any order of members */
	for (int round = 0; round < 50 * rounds; round++) {
		json_t *j = shuffled(g);

		same_json(j, "shuffled");
		json_decref(j);
	}
	json_decref(g);
}

/* The golden report with @at (first occurrence) replaced by @by. */
static void same_replaced(const char *at, const char *by)
{
	size_t len;
	char *g = compact(&len), *p = strstr(g, at), *s, what[256];

	assert_non_null(p);
	s = malloc(len - strlen(at) + strlen(by) + 1);
	memcpy(s, g, (size_t)(p - g));
	strcpy(s + (p - g), by);
	strcat(s, p + strlen(at));
	snprintf(what, sizeof(what), "%.60s -> %.100s", at, by);
	same(s, strlen(s), what);
	free(s);
	free(g);
}

static void test_spellings(void **state)
{
	static const char *const reals[] = {
		"1.84",
		"1.840",
		"184e-2",
		"184E-2",
		"0.184e1",
		"0.184e+1",
		"1.84e0",
		"1.84E+00",
		"18.4e-1",
		"1",
		"2",
		"0",
		"-0",
		"0.0",
		"-0.0",
		"0e0",
		"0e-999",
		"1e-400",
		"4.9e-324",
		"2.5e-324",
		"1e400",
		"-1e400",
		"1e22",
		"1e23",
		"9007199254740993",
		"1.7976931348623157e308",
		"2.2250738585072011e-308",
		"0.1000000000000000055511151231257827021181583404541015625",
		"1.00000000000000011102230246251565404236316680908203125",
		"1.00000000000000011102230246251565404236316680908203124",
		"1.00000000000000011102230246251565404236316680908203126",
		"01",
		"1.",
		".5",
		"1e",
		"1e+",
		"-",
		"+1",
		"0x10",
		"1.5.5",
		"NaN",
		"Infinity",
		"1 2",
		"1,",
		"--1",
		"1e5x",
	};
	static const char *const ints[] = {
		"259200",
		"259200.0",
		"2.592e5",
		"9223372036854775807",
		"9223372036854775808",
		"-9223372036854775808",
		"-9223372036854775809",
		"18446744073709551615",
		"99999999999999999999999999999",
		"0259200",
		"-0",
	};
	static const char *const keys[] = {
		"\"s\\u0065q\"",  "\"\\u0073eq\"", "\"se\\u0071\"",
		"\"seq\\u0000\"", "\"s\\ud800q\"", "\"\\ud83d\\ude00\"",
		"\"seq \"",	  "\"Seq\"",	   "\"\\/seq\"",
	};
	static const char *const strings[] = {
		"\"\\u6c88\\u9633\\u5e02\"",
		"\"\\ud83d\\ude00\"",
		"\"\\ud83d\"",
		"\"\\ude00\"",
		"\"\\u00e9\"",
		"\"\\\"q\\\"\"",
		"\"\\t\"",
		"\"a\\/b\"",
		"\"\\x\"",
		"\"\\u12\"",
		"\"\\u12g4\"",
		"\"\\uDBFF\\uDFFF\"",
		"\"\xf4\x8f\xbf\xbf\"",
		"\"\xf4\x90\x80\x80\"",
		"\"\xc2\x80\"",
		"\"\xe0\x9f\xbf\"",
		"\"\xed\xa0\x80\"",
		"\"\xef\xbf\xbf\"",
		"\"a\tb\"",
		"\"a\x7f b\"",
	};
	char by[2200];

	(void)state;
	for (size_t i = 0; i < ROWS(reals); i++) {
		snprintf(by, sizeof(by), "\"rtt_ms\":%s,", reals[i]);
		same_replaced("\"rtt_ms\":1.84,", by);
		snprintf(by, sizeof(by), "\"loss_pct\":%s,", reals[i]);
		same_replaced("\"loss_pct\":0.5,", by);
	}
	/* digits past any double's need, at and beyond the bound of a
	 * bounded copy */
	for (int n = 60; n <= 2000; n = n * 3 / 2) {
		size_t o = (size_t)snprintf(by, sizeof(by), "\"rtt_ms\":1.");

		for (int k = 0; k < n; k++)
			by[o++] = k == n - 1 ? '1'
				  : k < 16   ? "8399999999999999"[k]
					     : '9';
		strcpy(by + o, ",");
		same_replaced("\"rtt_ms\":1.84,", by);
		o = (size_t)snprintf(by, sizeof(by), "\"rx_bps\":");
		for (int k = 0; k < n && k < 320; k++)
			by[o++] = k ? '0' : '4';
		strcpy(by + o, ".5e-300,");
		same_replaced("\"rx_bps\":48213504.0,", by);
	}
	for (size_t i = 0; i < ROWS(ints); i++) {
		snprintf(by, sizeof(by), "\"uptime_s\":%s,", ints[i]);
		same_replaced("\"uptime_s\":259200,", by);
	}
	for (size_t i = 0; i < ROWS(keys); i++) {
		snprintf(by, sizeof(by), "%s:48213,", keys[i]);
		same_replaced("\"seq\":48213,", by);
	}
	for (size_t i = 0; i < ROWS(strings); i++) {
		snprintf(by, sizeof(by), "\"name\":%s,", strings[i]);
		same_replaced("\"name\":\"沈阳市\",", by);
		snprintf(by, sizeof(by), "\"text\":%s}", strings[i]);
		same_replaced("\"text\":\"\"}", by);
		snprintf(by, sizeof(by), "{%s:{\"packets\":1,\"bytes\":2},",
			 strings[i]);
		same_replaced("{\"netfilter_drop\":", by);
	}
	/* whitespace of every kind, and of none */
	same_replaced("{\"schema\":1,", " \t\r\n{ \"schema\" :\t1 ,\n");
	same_replaced("{\"schema\":1,", "\f{\"schema\":1,");
	same_replaced("{\"schema\":1,", "\v{\"schema\":1,");
	same_replaced("{\"schema\":1,", "{\"schema\":1,\xc2\xa0");
}

/* Bytes put in, taken out or repeated at random places. */
static void test_damage(void **state)
{
	static const char *const bits[] = {
		"\"",	   "\\",      "{",	"}",	     "[",
		"]",	   ",",	      ":",	"0",	     "-",
		"e",	   ".",	      "a",	" ",	     "\x80",
		"\xff",	   "\xc3",    "null",	"\"zz\":1,", ",\"seq\":1",
		"\\u0000", "\\ud800", "[[[[[[", "}}",	     "\"\":0,",
		"1e999",   "\x01",
	};
	size_t len;
	char *g = compact(&len), *s = malloc(2 * len + 64);

	(void)state;
	rng = 0x2545f4914f6cdd1dULL;
	for (int round = 0; round < 1000 * rounds; round++) {
		size_t at = rnd((uint32_t)len), n = len;
		const char *b = bits[rnd(ROWS(bits))];

		memcpy(s, g, len);
		switch (rnd(4)) {
		case 0: /* a byte replaced */
			s[at] = b[0];
			break;
		case 1: { /* a snippet put in */
			size_t k = strlen(b);

			memmove(s + at + k, s + at, len - at);
			memcpy(s + at, b, k);
			n += k;
			break;
		}
		case 2: { /* a span taken out */
			size_t k = 1 + rnd(16);

			if (at + k > len)
				k = len - at;
			memmove(s + at, s + at + k, len - at - k);
			n -= k;
			break;
		}
		default: { /* a span repeated */
			size_t k = 1 + rnd(40);

			if (at + k > len)
				k = len - at;
			memmove(s + at + k, s + at, len - at);
			n += k;
		}
		}
		same(s, n, "damaged");
	}
	free(s);
	free(g);
}

/* Maps and arrays far over their bounds (past the scanner's inline key
 * stack too), and the same with two equal keys far apart. */
static void test_far_over(void **state)
{
	static const struct {
		const char *path;
		int n;
	} grow[] = {
		{"firewall.pairs", 3000},
		{"links[0].drops.reasons", 600},
		{"links", 300},
		{"events", 1000},
	};
	char k[64], key0[64];

	(void)state;
	for (size_t g = 0; g < ROWS(grow); g++) {
		json_t *j = rc_golden(), *c;
		char pk[64];
		long idx;
		char *s, *p, *q;

		c = rc_walk(j, grow[g].path, pk, sizeof(pk), &idx);
		c = idx >= 0 ? json_array_get(c, (size_t)idx)
			     : json_object_get(c, pk);
		if (json_is_array(c)) {
			json_t *e = json_deep_copy(json_array_get(c, 0));

			for (int i = (int)json_array_size(c); i < grow[g].n;
			     i++)
				json_array_append(c, e);
			json_decref(e);
		} else {
			json_t *e = json_deep_copy(
				json_object_iter_value(json_object_iter(c)));

			for (int i = 0; i < grow[g].n; i++) {
				snprintf(k, sizeof(k), "z%d->common", i);
				json_object_set(c, k, e);
			}
			json_decref(e);
		}
		same_json(j, grow[g].path);
		/* the first key of the map given the last one's name */
		s = json_dumps(j, DUMP_FLAGS);
		if (!json_is_array(c)) {
			snprintf(key0, sizeof(key0), "\"z%d->common\"",
				 grow[g].n - 1);
			p = strstr(s, "\"z0->common\"");
			q = strstr(s, key0);
			assert_true(p && q);
			memcpy(p, "\"z1->common\"", 12);
			same(s, strlen(s), "far over, a key twice");
		}
		free(s);
		json_decref(j);
	}
}

static void test_seeds(void **state)
{
	static const char *const dirs[] = {"tests/fuzz/corpus/report",
					   "tests/fuzz/regress/report"};
	size_t files = 0;

	(void)state;
	for (size_t i = 0; i < ROWS(dirs); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char path[512];
			size_t len;
			char *s;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[i],
				 e->d_name);
			if (!(s = rc_slurp(path, &len)))
				continue;
			same(s, len, path);
			free(s);
			files++;
		}
		if (d)
			closedir(d);
	}
	assert_true(files >= 5); /* the seeds are there */
}

/* The bitmap of a table's members holds 64. */
/* ---- bodies with and without the optional members ---------------------- */

#define GOLDEN_SNMP "tests/golden/report_county_snmp.json"

static json_t *snmp_golden(void)
{
	json_error_t je;
	json_t *j = json_load_file(GOLDEN_SNMP, JSON_REJECT_DUPLICATES, &je);

	if (!j)
		fail_msg("%s: %s", GOLDEN_SNMP, je.text);
	return j;
}

/*
 * The report with two SNMP devices (the optional snmp member) against
 * the oracle: as it is, compact and its prefixes; without snmp, with an
 * empty one; every value under snmp replaced by each value or removed
 * and every object there extended; duplicate names; several changes at
 * once in shuffled objects.  And the optional targets[].refused: absent
 * from every target, and from one.
 */
static void test_optional(void **state)
{
	size_t len, np0 = npaths, first;
	char *text = rc_slurp(GOLDEN_SNMP, &len), *c, what[512];
	json_t *g = snmp_golden(), *j;

	(void)state;
	assert_non_null(text);
	same(text, len, "snmp golden");
	same_ok_json(g, "snmp golden");
	assert_int_equal(rc_r->n_snmp, 2);
	c = json_dumps(g, DUMP_FLAGS);
	same(c, strlen(c), "snmp golden compact");
	for (size_t cut = 0; cut < strlen(c); cut += 1 + (cut > 200 ? 6 : 0))
		same(c, cut, "an snmp prefix");
	free(c);
	free(text);
	/* bodies without snmp and with none in it */
	j = json_deep_copy(g);
	json_object_del(j, "snmp");
	same_ok_json(j, "no snmp");
	assert_int_equal(rc_r->n_snmp, 0);
	json_object_set_new(j, "snmp", json_array());
	same_ok_json(j, "snmp []");
	assert_int_equal(rc_r->n_snmp, 0);
	json_decref(j);
	/* the paths under snmp, after the county golden's */
	first = npaths;
	collect("", g);
	assert_true(npaths < MAX_PATHS);
	{
		size_t o = first;

		for (size_t p = first; p < npaths; p++) {
			if (strncmp(paths[p], "snmp", 4))
				continue;
			memmove(paths[o], paths[p], sizeof(paths[0]));
			path_obj[o++] = path_obj[p];
		}
		npaths = o;
	}
	assert_true(npaths > first + 40);
	for (size_t p = first; p < npaths; p++) {
		for (size_t v = 0; v < ROWS(values); v++) {
			j = json_deep_copy(g);
			change(j, p, v);
			snprintf(what, sizeof(what), "%s = %s", paths[p],
				 values[v] ? values[v] : "(removed)");
			same_json(j, what);
			json_decref(j);
		}
		if (path_obj[p]) {
			char sub[160];

			j = json_deep_copy(g);
			snprintf(sub, sizeof(sub), "%s.zz", paths[p]);
			set_if(j, sub, "{\"a\":[1,2]}");
			same_json(j, sub);
			json_decref(j);
		}
	}
	/* names twice: devices, interfaces */
	j = json_deep_copy(g);
	set_if(j, "snmp[1].name", "\"core-sw\"");
	same_json(j, "a device name twice");
	json_decref(j);
	j = json_deep_copy(g);
	set_if(j, "snmp[0].interfaces[1].name", "\"ge-0/0/1\"");
	same_json(j, "an interface name twice");
	json_decref(j);
	/* several at once, anywhere in the snmp member or the report */
	rng = 0x2545f4914f6cdd1dULL;
	for (int round = 0; round < 400 * rounds; round++) {
		int n = 2 + (int)rnd(3);
		size_t o = 0;
		json_t *s;

		j = json_deep_copy(g);
		for (int k = 0; k < n; k++) {
			size_t p = k ? rnd((uint32_t)npaths)
				     : first + rnd((uint32_t)(npaths - first)),
			       v = rnd((uint32_t)ROWS(values));

			change(j, p, v);
			o += (size_t)snprintf(what + o, sizeof(what) - o,
					      "%s = %s; ", paths[p],
					      values[v] ? values[v] : "-");
			if (o >= sizeof(what))
				o = sizeof(what) - 1;
		}
		if (rnd(2)) {
			s = shuffled(j);
			json_decref(j);
			j = s;
		}
		same_json(j, what);
		json_decref(j);
	}
	npaths = np0;
	/* refused left out, as agents of the first release of v1 send */
	j = json_deep_copy(g);
	for (size_t i = 0; i < json_array_size(json_object_get(j, "targets"));
	     i++)
		json_object_del(
			json_array_get(json_object_get(j, "targets"), i),
			"refused");
	memset(rc_r, 0xa5, sizeof(*rc_r)); /* absent is written false */
	same_ok_json(j, "no target with refused");
	for (int i = 0; i < rc_r->n_targets; i++)
		assert_false(rc_r->targets[i].refused);
	json_decref(j);
	/* one without, the others with, one of them true */
	j = json_deep_copy(g);
	json_object_del(json_array_get(json_object_get(j, "targets"), 1),
			"refused");
	json_object_set_new(json_array_get(json_object_get(j, "targets"), 0),
			    "refused", json_true());
	same_ok_json(j, "one target without refused");
	assert_true(rc_r->targets[0].refused);
	assert_false(rc_r->targets[1].refused);
	json_decref(j);
	json_decref(g);
}

static void test_tables(void **state)
{
	(void)state;
	assert_true(rpt_ntop <= 64 && rpt_nnode <= 64 && rpt_nlink <= 64 &&
		    rpt_ndrops <= 64 && rpt_nreason <= 64 &&
		    rpt_ntarget <= 64 && rpt_npair <= 64 &&
		    rpt_nprofile <= 64 && rpt_nsnmp_dev <= 64 &&
		    rpt_nsnmp_if <= 64);
	for (int t = 0; t < RPT_EV__N; t++)
		assert_true(rpt_nevent[t] <= 64);
}

static int setup(void **state)
{
	const char *e = getenv("EGNET_DIFF_ROUNDS");
	json_t *g;

	if (e && atoi(e) > 0)
		rounds = atoi(e);
	ra = malloc(sizeof(*ra));
	if (!ra || rc_setup(state))
		return -1;
	memset(ra, 0, sizeof(*ra));
	memset(rc_r, 0, sizeof(*rc_r));
	g = rc_golden();
	collect("", g);
	json_decref(g);
	return 0;
}

static int teardown(void **state)
{
	print_message("%zu bodies decoded alike by both\n", n_same);
	free(ra);
	return rc_teardown(state);
}

int main(void)
{
	add_test(test_golden, NULL, "golden and its prefixes");
	add_test(test_every_value, NULL,
		 "every value replaced or removed, every object extended");
	add_test(test_several, NULL, "several changes, members shuffled");
	add_test(test_spellings, NULL, "numbers, keys and strings spelt");
	add_test(test_damage, NULL, "bytes damaged");
	add_test(test_far_over, NULL, "far over the bounds");
	add_test(test_seeds, NULL, "the fuzz seeds");
	add_test(test_optional, NULL,
		 "optional members: with and without snmp, refused");
	add_test(test_tables, NULL, "tables fit the member bitmap");
	return _cmocka_run_group_tests("report_diff", tests, ntests, setup,
				       teardown);
}
