/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the report tests share: the golden county report
 * (tests/golden/report_county.json) as text and as JSON, a changed copy of
 * it (one member set, added or removed by its path, "links[0].state"),
 * bodies dumped the way report_encode() dumps them, and a decode into a
 * struct filled with garbage first, so a field the decoder forgets to
 * write can never pass.  Included by one test file each (static
 * definitions).
 */
#ifndef EGNET_TEST_REPORTCASE_H
#define EGNET_TEST_REPORTCASE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/report.h"

#define GOLDEN	   "tests/golden/report_county.json"
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

static struct report *rc_r; /* ~600 KiB: one, on the heap */

__attribute__((unused)) static char *rc_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) &&
	    fread(s, 1, (size_t)n, f) == (size_t)n) {
		s[n] = '\0';
		*len = (size_t)n;
	} else {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static json_t *rc_golden(void)
{
	json_error_t je;
	json_t *j = json_load_file(GOLDEN, JSON_REJECT_DUPLICATES, &je);

	if (!j) {
		fprintf(stderr, "%s: %s\n", GOLDEN, je.text);
		abort();
	}
	return j;
}

/*
 * The container that holds the last component of @path in @j, with that
 * component in *key (a member) or *idx (an index, else -1).  NULL when a
 * component on the way is not there.
 */
static json_t *rc_walk(json_t *j, const char *path, char *key, size_t klen,
		       long *idx)
{
	const char *p = path;

	for (;;) {
		char k[128];
		size_t n = 0;
		long i = -1;

		if (*p == '[') {
			char *end;

			i = strtol(p + 1, &end, 10);
			p = end + 1;
		} else {
			while (*p && *p != '.' && *p != '[' &&
			       n + 1 < sizeof(k))
				k[n++] = *p++;
		}
		k[n] = '\0';
		if (*p == '.')
			p++;
		if (!*p) {
			snprintf(key, klen, "%s", k);
			*idx = i;
			return j;
		}
		j = i >= 0 ? json_array_get(j, (size_t)i)
			   : json_object_get(j, k);
		if (!j)
			return NULL;
	}
}

/* In @j, set @path to @value (JSON text, or NULL to remove it). */
static void rc_set(json_t *j, const char *path, const char *value)
{
	char key[128];
	long idx;
	json_t *c = rc_walk(j, path, key, sizeof(key), &idx), *v = NULL;

	if (!c) {
		fprintf(stderr, "test: no %s in the golden report\n", path);
		abort();
	}
	if (value &&
	    !(v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL))) {
		fprintf(stderr, "test: bad JSON for %s: %s\n", path, value);
		abort();
	}
	if (idx >= 0)
		v ? json_array_set_new(c, (size_t)idx, v)
		  : json_array_remove(c, (size_t)idx);
	else
		v ? json_object_set_new(c, key, v) : json_object_del(c, key);
}

/* Decode @body into rc_r, garbage first. */
static int rc_decode(const char *body, size_t len, enum report_err *why,
		     char *err, size_t errlen)
{
	memset(rc_r, 0xa5, sizeof(*rc_r));
	memset(err, 'Z', errlen - 1);
	err[errlen - 1] = '\0';
	*why = (enum report_err)77;
	return report_decode(body, len, rc_r, why, err, errlen);
}

/* Dump @j and decode it. */
__attribute__((unused)) static int
rc_decode_json(const json_t *j, enum report_err *why, char *err, size_t errlen)
{
	char *s = json_dumps(j, DUMP_FLAGS | JSON_ENCODE_ANY);
	int rc = rc_decode(s, strlen(s), why, err, errlen);

	free(s);
	return rc;
}

static int rc_setup(void **state)
{
	(void)state;
	rc_r = malloc(sizeof(*rc_r));
	return rc_r ? 0 : -1;
}

static int rc_teardown(void **state)
{
	(void)state;
	free(rc_r);
	return 0;
}

#endif
