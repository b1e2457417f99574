// SPDX-License-Identifier: BSD-2-Clause
/*
 * Cost of the report codec (common/report.h), for the collector's budget
 * of 20,000 reports/s on 2 cores:
 *   report_bench [N [BODY.json]]
 * decodes and encodes BODY (default tests/golden/report_county.json, the
 * documented county report) N times (default 20000) and prints the body
 * size, µs per report_decode() (one pass over the bytes, no tree), per
 * decode by the jansson decoder it replaced (tests/support/report_oracle.c,
 * the baseline, run side by side: rounds of each in turn, the best round
 * of each kept), per report_encode() and per bare json_loadb() +
 * json_decref() of the same bytes (what any tree-building reader pays),
 * and the ratios.  Then the same for the compact body the agent sends and
 * for a large body made from it (256 links, 1000 targets, 128 pairs, 256
 * events), to show the decoder stays linear.  The load average is
 * printed first: the figures are only as good as the machine is idle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/report.h"
#include "tests/support/report_oracle.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || !(s = malloc((size_t)n + 1)) ||
	    fread(s, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return s;
}

#define ROUNDS 5

/* Warm: one untimed decode each, then ROUNDS rounds of n/ROUNDS calls of
 * each kind in turn; the best round of each counts (the least disturbed
 * by the other users of the machine). */
static void run(const char *what, const char *body, size_t len, int n,
		struct report *r)
{
	double best_new = 1e9, best_old = 1e9, best_load = 1e9, best_enc = 1e9;
	int per = n / ROUNDS > 0 ? n / ROUNDS : 1;
	enum report_err why;
	char err[256], *out;
	size_t olen;

	if (report_decode(body, len, r, &why, err, sizeof(err)) ||
	    report_decode_jansson(body, len, r, &why, err, sizeof(err))) {
		fprintf(stderr, "%s: refused: %s\n", what, err);
		exit(1);
	}
	for (int round = 0; round < ROUNDS; round++) {
		double t0 = now(), t;

		for (int i = 0; i < per; i++)
			if (report_decode(body, len, r, &why, err, sizeof(err)))
				exit(1);
		t = (now() - t0) / per;
		best_new = t < best_new ? t : best_new;
		t0 = now();
		for (int i = 0; i < per; i++)
			if (report_decode_jansson(body, len, r, &why, err,
						  sizeof(err)))
				exit(1);
		t = (now() - t0) / per;
		best_old = t < best_old ? t : best_old;
		t0 = now();
		for (int i = 0; i < per; i++)
			json_decref(json_loadb(body, len,
					       JSON_REJECT_DUPLICATES, NULL));
		t = (now() - t0) / per;
		best_load = t < best_load ? t : best_load;
		t0 = now();
		for (int i = 0; i < per; i++) {
			if (report_encode(r, &out, &olen, err, sizeof(err)))
				exit(1);
			free(out);
		}
		t = (now() - t0) / per;
		best_enc = t < best_enc ? t : best_enc;
	}
	printf("%-6s body %7zu B (%d links, %d targets)\n"
	       "       decode %8.2f us  jansson decode %8.2f us  "
	       "jansson/decode %.1fx  (%.0f decodes/s per core)\n"
	       "       json_loadb alone %8.2f us  decode/json_loadb %.2f  "
	       "encode %8.2f us\n",
	       what, len, r->n_links, r->n_targets, best_new * 1e6,
	       best_old * 1e6, best_old / best_new, 1 / best_new,
	       best_load * 1e6, best_new / best_load, best_enc * 1e6);
}

/* The body with every array grown to its bound, names made distinct. */
static char *large(const char *body, size_t len, size_t *out)
{
	json_t *j = json_loadb(body, len, 0, NULL), *a, *first, *pairs, *p;
	char k[64];
	char *s;

	a = json_object_get(j, "links");
	first = json_deep_copy(json_array_get(a, 0));
	json_array_clear(a);
	for (int i = 0; i < REPORT_MAX_LINKS; i++) {
		json_t *e = json_deep_copy(first);

		snprintf(k, sizeof(k), "l%d", i);
		json_object_set_new(e, "name", json_string(k));
		json_array_append_new(a, e);
	}
	json_decref(first);
	a = json_object_get(j, "targets");
	first = json_deep_copy(json_array_get(a, 1));
	json_array_remove(a, 1);
	while (json_array_size(a) > 1)
		json_array_remove(a, 1);
	for (int i = 1; i < 1000; i++) {
		json_t *e = json_deep_copy(first);

		snprintf(k, sizeof(k), "210102%03d000", i);
		json_object_set_new(e, "code", json_string(k));
		json_array_append_new(a, e);
	}
	json_decref(first);
	pairs = json_object_get(json_object_get(j, "firewall"), "pairs");
	p = json_deep_copy(json_object_get(pairs, "common->local"));
	json_object_clear(pairs);
	for (int i = 0; i < REPORT_MAX_PAIRS; i++) {
		snprintf(k, sizeof(k), "z%d->common", i);
		json_object_set_new(pairs, k, json_deep_copy(p));
	}
	json_decref(p);
	a = json_object_get(j, "events");
	first = json_deep_copy(json_array_get(a, 4));
	json_array_clear(a);
	for (int i = 0; i < REPORT_MAX_EVENTS; i++)
		json_array_append_new(a, json_deep_copy(first));
	json_decref(first);
	s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	*out = strlen(s);
	return s;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	const char *path =
		argc > 2 ? argv[2] : "tests/golden/report_county.json";
	struct report *r = malloc(sizeof(*r));
	size_t len, blen, clen;
	char *body = slurp(path, &len), *big, *compact, err[256];
	enum report_err why;

	if (!r || n < 1)
		return 1;
	{
		FILE *f = fopen("/proc/loadavg", "r");
		char load[64] = "?";

		if (f && fgets(load, sizeof(load), f))
			load[strcspn(load, "\n")] = '\0';
		if (f)
			fclose(f);
		printf("report_bench: %d decodes of each, best of %d rounds; "
		       "load average %s\n",
		       n, ROUNDS, load);
	}
	run("golden", body, len, n, r);
	/* the compact form, as the agent sends it */
	if (report_encode(r, &compact, &clen, err, sizeof(err)))
		return 1;
	run("sent", compact, clen, n, r);
	big = large(body, len, &blen);
	run("large", big, blen, n / 50 ? n / 50 : 1, r);
	(void)why;
	free(big);
	free(compact);
	free(body);
	free(r);
	return 0;
}
