// SPDX-License-Identifier: BSD-2-Clause
/*
 * The collector store's benchmark: county-like reports (12 links, 20
 * probe targets, a ~5 KB JSON body) from 20,000 nodes put into a store in
 * a scratch folder, with the figures the issue asks for beside a baseline
 * run in the same process on the same disk:
 *
 *   peak      puts/s from 2 threads as fast as the store takes them, until
 *             every report is acknowledged; CPU per report, of the
 *             process and of the writer thread;
 *   sustained 2,000 reports/s paced: the share of one core the writer
 *             thread and the whole process used;
 *   commit    latency p50/p99 (the store's own window);
 *   memory    RSS growth per node, with and without the last report's
 *             JSON (which the store keeps by design), and the store's own
 *             count of its per-node state;
 *   baseline  bare SQLite: the same JSON blobs inserted into a one-table
 *             database (WAL, synchronous=FULL) in batches of the size the
 *             store's batches had; the ratio store/baseline;
 *   series    rows and bytes (SQLite's dbstat, indexes included) of the
 *             series tables per
 *             node-day: 1,000 nodes reporting once a minute for an hour
 *             on a store clock of the bench's own, in a store apart.
 *
 * usage: store_bench [NODES [ROUNDS]]   (default 20000 2: rounds per
 * phase, each round one report from every node)
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector/store/store.h"
#include "common/now.h"

#include "tests/unit/reports.h"

#define BODIES 512 /* distinct JSON bodies, reused by node */

static int n_nodes = 20000, rounds = 2;
static char *body[BODIES];
static size_t body_len[BODIES];
static atomic_long done_ok, done_other;

static code_t bench_node(int i)
{
	/* counties: 99 cities x 99 counties per province, from 21 on */
	int p = i / 9801, c = (i % 9801) / 99, d = i % 99;

	return (code_t)(21 + p) * 10000000000ULL + (code_t)(c + 1) * 100000000ULL +
	       (code_t)(d + 1) * 1000000ULL;
}

/* A JSON body shaped like a schema v1 report of @r. */
static char *bench_json(const struct report *r, size_t *len)
{
	json_t *links = json_array(), *targets = json_array(), *o;
	char code[CODE_STRLEN], *s;

	for (int i = 0; i < r->n_links; i++) {
		const struct report_link *l = &r->links[i];

		json_array_append_new(
			links,
			json_pack("{s:s,s:s,s:s,s:s,s:{s:I,s:I,s:I,s:I,s:f,s:f}}",
				  "name", l->name, "role", l->role, "zone",
				  l->zone, "state", "up", "counters",
				  "rx_packets", (json_int_t)l->rx_packets,
				  "rx_bytes", (json_int_t)l->rx_bytes,
				  "tx_packets", (json_int_t)l->tx_packets,
				  "tx_bytes", (json_int_t)l->tx_bytes, "rx_bps",
				  l->rx_bps, "tx_bps", l->tx_bps));
	}
	for (int i = 0; i < r->n_targets; i++) {
		const struct report_target *t = &r->targets[i];

		json_array_append_new(
			targets,
			json_pack("{s:s,s:s,s:s,s:s,s:I,s:f,s:f,s:f,s:f,s:s,s:I,"
				  "s:I}",
				  "code", code_format(t->code, code), "name",
				  t->name, "rel", "child", "state", "up",
				  "since_ms", (json_int_t)t->since_ms, "rtt_ms",
				  t->rtt_ms, "rtt_avg_ms", t->rtt_avg_ms,
				  "jitter_ms", t->jitter_ms, "loss_pct",
				  t->loss_pct, "stamps", "ebpf", "sent",
				  (json_int_t)t->sent, "received",
				  (json_int_t)t->received));
	}
	o = json_pack("{s:i,s:s,s:s,s:s,s:I,s:I,s:s,s:I,s:{s:s,s:s,s:s},s:s,"
		      "s:b,s:o,s:o,s:[],s:[]}",
		      "schema", 1, "node", code_format(r->node, code), "level",
		      "county", "parent", "210100000000", "seq",
		      (json_int_t)r->seq, "time_ms", (json_int_t)r->time_ms,
		      "agent_version", r->agent_version, "uptime_s",
		      (json_int_t)r->uptime_s, "profile", "name", r->profile,
		      "version", r->profile_version, "hash", r->profile_hash,
		      "apply", "converged", "drift", 0, "links", links,
		      "targets", targets, "pairs", "events");
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	*len = strlen(s);
	return s;
}

static void on_done(void *arg, enum store_result res)
{
	(void)arg;
	if (res == STORE_OK)
		atomic_fetch_add(&done_ok, 1);
	else
		atomic_fetch_add(&done_other, 1);
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* CPU seconds of the store's writer thread (named "store-writer"). */
static double writer_cpu_s(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	double v = 0;

	while (d && (e = readdir(d))) {
		char path[300], comm[64] = "", buf[1024];
		unsigned long ut = 0, stt = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		if (strncmp(comm, "store-writer", 12))
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat",
			 e->d_name);
		f = fopen(path, "r");
		if (f && fgets(buf, sizeof(buf), f)) {
			char *p = strrchr(buf, ')');

			/* after "pid (comm)": state is field 3, utime 14 */
			if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u "
					       "%*u %*u %*u %lu %lu",
					&ut, &stt) == 2)
				v = (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK);
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return v;
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

struct putter {
	struct store *st;
	int k, nk;
	int round_lo, round_hi; /* seqs [lo, hi) */
	double pace;            /* reports/s for this thread, 0: flat out */
	long busy;
};

static void *bench_put(void *arg)
{
	struct putter *p = arg;
	struct report *r = calloc(1, sizeof(*r));
	double t0 = now_mono();
	long n = 0;

	if (!r)
		return NULL;
	for (int s = p->round_lo; s < p->round_hi; s++)
		for (int i = p->k; i < n_nodes; i += p->nk) {
			enum store_result res;

			/* the agent's clock is the collector's */
			rpt_county(r, bench_node(i), (uint64_t)s,
				   now_wall_ms());
			if (p->pace) {
				double due = t0 + (double)n / p->pace;
				struct timespec ts;

				ts.tv_sec = (time_t)due;
				ts.tv_nsec = (long)((due - (double)ts.tv_sec) * 1e9);
				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
						NULL);
			}
			while ((res = store_put(p->st, r, body[i % BODIES],
						body_len[i % BODIES], on_done,
						NULL)) == STORE_BUSY) {
				p->busy++;
				sched_yield();
			}
			n++;
		}
	free(r);
	return NULL;
}

/* Run 2 putters over seqs [lo, hi) at @pace reports/s in all (0: flat
 * out); returns the wall seconds until every report is acknowledged (its
 * callback came), and in *sync_s the time store_sync() took after that
 * (the coalesced writes still waiting), and the stats before that sync
 * in *before. */
struct phase {
	double cpu, wcpu;       /* process and writer CPU s until acked */
	double sync_s, sync_wcpu; /* the sync after: wall and writer CPU s */
	struct store_stats s;   /* before the sync */
};

static double bench_run(struct store *st, int lo, int hi, double pace,
			long *busy, struct phase *ph)
{
	double c0 = cpu_s(), w0 = writer_cpu_s();
	long want = atomic_load(&done_ok) + (long)(hi - lo) * n_nodes;
	struct putter p[2];
	pthread_t t[2];
	double t0 = now_mono(), t1;

	for (int k = 0; k < 2; k++) {
		p[k] = (struct putter){st, k, 2, lo, hi, pace / 2, 0};
		pthread_create(&t[k], NULL, bench_put, &p[k]);
	}
	for (int k = 0; k < 2; k++) {
		pthread_join(t[k], NULL);
		*busy += p[k].busy;
	}
	while (atomic_load(&done_ok) + atomic_load(&done_other) < want) {
		struct timespec ts = {0, 100000};

		nanosleep(&ts, NULL);
	}
	t1 = now_mono();
	ph->cpu = cpu_s() - c0;
	ph->wcpu = writer_cpu_s() - w0;
	store_stats(st, &ph->s);
	w0 = writer_cpu_s();
	store_sync(st);
	ph->sync_s = now_mono() - t1;
	ph->sync_wcpu = writer_cpu_s() - w0;
	return t1 - t0;
}

/* Bare SQLite: the same blobs, batches of @batch, @n rows. */
static double bench_baseline(const char *dir, long n, int batch)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *s;
	double t0;

	snprintf(path, sizeof(path), "%s/baseline.db", dir);
	if (sqlite3_open(path, &db))
		return -1;
	sqlite3_exec(db,
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
		     "CREATE TABLE r(id INTEGER PRIMARY KEY, node INTEGER, seq "
		     "INTEGER, json BLOB)",
		     NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO r(node, seq, json) VALUES(?,?,?)",
			   -1, &s, NULL);
	t0 = now_mono();
	for (long i = 0; i < n;) {
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		for (int k = 0; k < batch && i < n; k++, i++) {
			sqlite3_bind_int64(s, 1, (sqlite3_int64)bench_node(
							 (int)(i % n_nodes)));
			sqlite3_bind_int64(s, 2, i / n_nodes + 1);
			sqlite3_bind_blob(s, 3, body[i % BODIES],
					  (int)body_len[i % BODIES],
					  SQLITE_STATIC);
			sqlite3_step(s);
			sqlite3_reset(s);
		}
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	t0 = now_mono() - t0;
	sqlite3_finalize(s);
	sqlite3_close(db);
	return t0;
}

/*
 * The memory budget's case: nodes of 5 links and 5 targets (~10 links +
 * targets), one report each, in a store of their own; the store's count
 * of its per-node state, and RSS growth besides the JSON.
 */
static void bench_small(const char *dir)
{
	char sub[512], err[256];
	struct store_opts o;
	struct store_stats s;
	struct store *st;
	struct report *r = calloc(1, sizeof(*r));
	long rss0;

	snprintf(sub, sizeof(sub), "%s/small", dir);
	if (!r || mkdir(sub, 0700))
		return;
	rss0 = rss_kb();
	store_opts_default(&o, sub);
	o.queue_max = 1 << 20;
	if (store_open(&st, &o, err, sizeof(err))) {
		free(r);
		return;
	}
	for (int i = 0; i < n_nodes; i++) {
		rpt_county(r, bench_node(i), 1, now_wall_ms());
		r->n_links = 5;
		r->n_targets = 5;
		while (store_put(st, r, "{}", 2, NULL, NULL) == STORE_BUSY)
			sched_yield();
	}
	store_sync(st);
	store_stats(st, &s);
	printf("memory, nodes of 5 links + 5 targets: the store counts %.0f "
	       "bytes/node of its own state; RSS +%.0f bytes/node (%d nodes, "
	       "SQLite's page cache and malloc's arenas included)\n",
	       (double)s.mem_bytes / (double)(s.nodes ? s.nodes : 1),
	       (rss_kb() - rss0) * 1024.0 / n_nodes, n_nodes);
	store_close(st);
	free(r);
}

static long long series_now;

static long long series_clock(void *arg)
{
	(void)arg;
	return series_now;
}

/* Rows and bytes of every series table of the database in @sub. */
static void bench_series_tables(const char *sub, double node_minutes,
				double node_hours)
{
	char path[600];
	sqlite3 *db;
	sqlite3_stmt *s;
	double rows_d = 0, bytes_d = 0;

	snprintf(path, sizeof(path), "%s/egnet.db", sub);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL))
		return;
	if (sqlite3_prepare_v2(db,
			       "SELECT m.name, (SELECT count(*) FROM "
			       "pragma_table_info(m.name)), (SELECT sum(pgsize) "
			       "FROM dbstat WHERE name IN (SELECT name FROM "
			       "sqlite_master WHERE tbl_name = m.name)) FROM "
			       "sqlite_master m WHERE m.type = 'table' AND "
			       "m.name LIKE 'series%' ORDER BY 1",
			       -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(s, 0);
			bool hourly = strstr(name, "_h") != NULL;
			double per = hourly ? node_hours / 24 : node_minutes / 1440;
			char sql[200];
			sqlite3_stmt *c;
			double rows = 0, bytes = sqlite3_column_double(s, 2);

			snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"",
				 name);
			if (sqlite3_prepare_v2(db, sql, -1, &c, NULL) == SQLITE_OK &&
			    sqlite3_step(c) == SQLITE_ROW)
				rows = sqlite3_column_double(c, 0);
			sqlite3_finalize(c);
			printf("series: table %-16s %9.0f rows %10.0f bytes = "
			       "%7.1f rows and %9.0f bytes per node-day\n",
			       name, rows, bytes, rows / per, bytes / per);
			rows_d += rows / per;
			bytes_d += bytes / per;
		}
		sqlite3_finalize(s);
	}
	printf("series: in all %.1f rows and %.0f bytes per node-day (%.1f "
	       "MB per node-week; x20,000 nodes x 7 days: %.2f billion rows, "
	       "%.0f GB)\n",
	       rows_d, bytes_d, bytes_d * 7 / 1e6, rows_d * 20000 * 7 / 1e9,
	       bytes_d * 20000 * 7 / 1e9);
	sqlite3_close(db);
}

/* 1,000 county nodes, one report a minute for an hour (the store's clock
 * the reports' own), closed: the series volume of that hour. */
static void bench_series(const char *dir)
{
	const int nodes = 1000, minutes = 60;
	const long long t0 = 1767225600000LL;
	char sub[512], err[256];
	struct store_opts o;
	struct store *st;
	struct report *r = calloc(1, sizeof(*r));
	double c0, w0 = 0;

	snprintf(sub, sizeof(sub), "%s/series", dir);
	if (!r || mkdir(sub, 0700)) {
		free(r);
		return;
	}
	store_opts_default(&o, sub);
	o.queue_max = 1 << 20;
	o.clock_ms = series_clock;
	series_now = t0;
	if (store_open(&st, &o, err, sizeof(err))) {
		free(r);
		return;
	}
	c0 = writer_cpu_s();
	for (int m = 0; m < minutes; m++) {
		series_now = t0 + m * 60000LL + 30000;
		for (int i = 0; i < nodes; i++) {
			rpt_county(r, bench_node(i), (uint64_t)m + 1,
				   series_now);
			while (store_put(st, r, "{}", 2, NULL, NULL) ==
			       STORE_BUSY)
				sched_yield();
		}
		store_sync(st);
	}
	w0 = writer_cpu_s() - c0;
	store_close(st);
	printf("series: %d nodes x %d minutes of reports of %d links and %d "
	       "targets; writer %.1f us per report\n",
	       nodes, minutes, RPT_LINKS, RPT_TARGETS,
	       w0 / (nodes * minutes) * 1e6);
	bench_series_tables(sub, (double)nodes * minutes, nodes);
	free(r);
}

static int bench_rm(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/egnet-store-bench-XXXXXX", err[256];
	struct store_stats s0, s;
	struct store_opts o;
	struct store *st;
	struct report *r;
	double wall, cpu0, base, fill, peak, node_w;
	struct phase ph;
	long busy = 0, rss0, rss1, n_put;
	size_t avg_body = 0;
	int batch;

	if (argc > 1)
		n_nodes = atoi(argv[1]);
	if (argc > 2)
		rounds = atoi(argv[2]);
	if (n_nodes < 1 || n_nodes > 9801 * 70 || rounds < 1) {
		fprintf(stderr, "usage: store_bench [NODES [ROUNDS]]\n");
		return 2;
	}
	if (!mkdtemp(dir))
		return 1;
	r = calloc(1, sizeof(*r));
	for (int i = 0; i < BODIES; i++) {
		rpt_county(r, bench_node(i), 1, 1767225600000LL);
		body[i] = bench_json(r, &body_len[i]);
		avg_body += body_len[i];
	}
	avg_body /= BODIES;
	/* the cost of building the structs, to take out of the store's */
	cpu0 = cpu_s();
	for (int i = 0; i < 20000; i++)
		rpt_county(r, bench_node(i % n_nodes), 2, 1767225600000LL);
	fill = (cpu_s() - cpu0) / 20000;
	free(r);

	printf("store bench: %d nodes, reports of %d links and %d targets, "
	       "JSON %zu bytes\n",
	       n_nodes, RPT_LINKS, RPT_TARGETS, avg_body);
	bench_small(dir); /* first: a fresh process for its RSS figure */
	bench_series(dir);
	if (getenv("STORE_BENCH_SERIES_ONLY")) {
		nftw(dir, bench_rm, 8, FTW_DEPTH | FTW_PHYS);
		return 0;
	}
	rss0 = rss_kb();
	store_opts_default(&o, dir);
	o.queue_max = 16384;
	/* longer than a phase: the coalesced writes are measured apart, in
	 * the sync that ends each phase */
	o.coalesce_ms = 600000;
	if (store_open(&st, &o, err, sizeof(err))) {
		fprintf(stderr, "store_open: %s\n", err);
		return 1;
	}

	/* round 1: every node seen once (the memory figure) */
	bench_run(st, 1, 2, 0, &busy, &ph);
	rss1 = rss_kb();
	store_stats(st, &s);
	printf("memory: RSS +%.0f bytes/node in all, +%.0f bytes/node besides "
	       "the last reports' JSON; the store counts %.0f bytes/node of "
	       "its own state\n",
	       (rss1 - rss0) * 1024.0 / n_nodes,
	       ((rss1 - rss0) * 1024.0 - (double)s.json_bytes) / n_nodes,
	       (double)s.mem_bytes / (double)(s.nodes ? s.nodes : 1));

	/* peak: rounds flat out */
	store_stats(st, &s0);
	wall = bench_run(st, 2, 2 + rounds, 0, &busy, &ph);
	n_put = (long)(ph.s.reports_stored - s0.reports_stored);
	peak = n_put / wall;
	batch = (int)((ph.s.batches - s0.batches)
			      ? n_put / (long)(ph.s.batches - s0.batches)
			      : 1);
	node_w = ph.sync_wcpu / n_nodes;
	printf("peak: %ld reports acknowledged in %.2f s = %.0f reports/s "
	       "(%ld busy retries, batches of ~%d)\n",
	       n_put, wall, peak, busy, batch);
	printf("peak CPU per report: %.1f us in the process (%.1f us of it "
	       "building structs), %.1f us in the writer thread\n",
	       ph.cpu / n_put * 1e6, fill * 1e6, ph.wcpu / n_put * 1e6);
	printf("peak commit latency: p50 %.2f ms, p99 %.2f ms over the last %d "
	       "commits\n",
	       ph.s.commit_p50_ms, ph.s.commit_p99_ms, ph.s.commit_window);
	printf("coalesced writes: the sync wrote %d nodes' last report, "
	       "summary and state in %.2f s, %.1f us writer CPU per node\n",
	       n_nodes, ph.sync_s, node_w * 1e6);

	/* sustained: 2,000 reports/s for the same rounds */
	store_stats(st, &s0);
	wall = bench_run(st, 2 + rounds, 2 + 2 * rounds, 2000, &busy, &ph);
	n_put = (long)(ph.s.reports_stored - s0.reports_stored);
	printf("sustained: %ld reports at %.0f reports/s, batches of ~%.0f: "
	       "the writer thread used %.1f %% of one core (%.1f us/report), "
	       "the whole process %.1f %% (%.1f us/report, putters and their "
	       "struct building included)\n",
	       n_put, n_put / wall,
	       (double)n_put / (double)(ph.s.batches - s0.batches ? ph.s.batches - s0.batches : 1),
	       ph.wcpu / wall * 100, ph.wcpu / n_put * 1e6, ph.cpu / wall * 100,
	       ph.cpu / n_put * 1e6);
	printf("sustained with the coalesced writes of the default %d s "
	       "(%d nodes / %d s = %.0f node writes/s): writer %.1f %% of one "
	       "core\n",
	       60, n_nodes, 60, n_nodes / 60.0,
	       (ph.wcpu / wall + node_w * n_nodes / 60.0) * 100);
	printf("sustained commit latency: p50 %.2f ms, p99 %.2f ms; db %.1f "
	       "MB\n",
	       ph.s.commit_p50_ms, ph.s.commit_p99_ms, ph.s.db_bytes / 1e6);
	store_close(st);

	n_put = (long)rounds * n_nodes;
	base = bench_baseline(dir, n_put, batch);
	printf("baseline: bare SQLite, %ld JSON blobs in batches of %d: %.0f "
	       "rows/s; store peak / baseline = %.2f\n",
	       n_put, batch, n_put / base, peak / (n_put / base));
	for (int i = 0; i < BODIES; i++)
		free(body[i]);
	nftw(dir, bench_rm, 8, FTW_DEPTH | FTW_PHYS);
	return atomic_load(&done_other) ? 1 : 0;
}
