// SPDX-License-Identifier: BSD-2-Clause
/*
 * The /metrics text for a province of county-like nodes (12 links with
 * counters, 20 probe targets each, tests/unit/reports.h): a store in a
 * scratch folder filled with one report per node, then metrics_format()
 * timed over a few runs with each setting of the collector config's
 * metrics group (links and targets true or false): its size, its lines
 * and the time it takes, the store's per-node state.  The HTTP transfer
 * is not counted.
 *
 * usage: metrics_bench [NODES [RUNS [OUT]]]  (default 20000 3; OUT: write
 * the last text there, e.g. for promtool check metrics)
 */
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "collector/api/metrics.h"
#include "collector/store/store.h"
#include "common/now.h"

#include "tests/unit/reports.h"

static code_t bench_node(int i)
{
	int p = i / 9801, c = (i % 9801) / 99, d = i % 99;

	return (code_t)(21 + p) * 10000000000ULL + (code_t)(c + 1) * 100000000ULL +
	       (code_t)(d + 1) * 1000000ULL;
}

static int bench_rm(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/egnet-metrics-bench-XXXXXX", err[256];
	int n_nodes = argc > 1 ? atoi(argv[1]) : 20000,
	    runs = argc > 2 ? atoi(argv[2]) : 3;
	const char *out = argc > 3 ? argv[3] : NULL;
	struct report *r = calloc(1, sizeof(*r));
	struct store_opts o;
	struct store_stats s;
	struct metrics_buf b = {0};
	struct store *st;

	if (n_nodes < 1 || n_nodes > 9801 * 70 || runs < 1 || !r ||
	    !mkdtemp(dir)) {
		fprintf(stderr, "usage: metrics_bench [NODES [RUNS [OUT]]]\n");
		return 2;
	}
	store_opts_default(&o, dir);
	o.queue_max = 1 << 20;
	if (store_open(&st, &o, err, sizeof(err))) {
		fprintf(stderr, "store_open: %s\n", err);
		return 1;
	}
	for (int i = 0; i < n_nodes; i++) {
		rpt_county(r, bench_node(i), 1 + (uint64_t)i % 97, now_wall_ms());
		while (store_put(st, r, "{}", 2, NULL, NULL) == STORE_BUSY)
			sched_yield();
	}
	store_sync(st);
	store_stats(st, &s);
	printf("metrics: %d nodes of %d links and %d targets; the store's "
	       "per-node state %.0f bytes/node\n",
	       n_nodes, RPT_LINKS, RPT_TARGETS, (double)s.mem_bytes / n_nodes);
	/* the collector config's metrics group, each way; the full text
	 * last, so OUT gets it */
	for (int w = 3; w >= 0; w--) {
		struct metrics_opts mo = {.links = w & 1, .targets = w & 2};
		double best = 1e9, sum = 0;
		size_t lines = 0;

		for (int k = 0; k < runs; k++) {
			double t0 = now_mono(), t;

			metrics_buf_free(&b);
			if (metrics_format(st, NULL, NULL, NULL, &mo,
					   now_wall_ms(), &b)) {
				fprintf(stderr, "metrics_format: out of memory\n");
				return 1;
			}
			t = now_mono() - t0;
			sum += t;
			if (t < best)
				best = t;
		}
		for (size_t i = 0; i < b.len; i++)
			lines += b.p[i] == '\n';
		printf("metrics = { links = %-5s targets = %-5s }: %7.1f MB, "
		       "%8zu lines (%6.0f bytes/node), made in %.3f s best, "
		       "%.3f s mean of %d; +%ld MB RSS while making it\n",
		       mo.links ? "true;" : "false;",
		       mo.targets ? "true;" : "false;", b.len / 1e6, lines,
		       (double)b.len / n_nodes, best, sum / runs, runs,
		       rss_kb() / 1024);
		if (w == 3 && out) {
			FILE *f = fopen(out, "w");

			if (!f || fwrite(b.p, 1, b.len, f) != b.len ||
			    fclose(f)) {
				fprintf(stderr, "%s: cannot write\n", out);
				return 1;
			}
			out = NULL;
		}
	}
	metrics_buf_free(&b);
	store_close(st);
	free(r);
	nftw(dir, bench_rm, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}
