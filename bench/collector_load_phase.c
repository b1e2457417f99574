// SPDX-License-Identifier: BSD-2-Clause
/*
 * collector_load's phases (collector_load.c lists them): each gives the
 * nodes their work through the engine (collector_load_net.c), measures the
 * collector's CPU (/proc/PID/stat) and memory (/proc/PID/status, /metrics)
 * around it, prints one line per round, and at the end a summary: the
 * medians of the `reports` and `limit` rows, their ratio, and each of the
 * issue's targets with its figure, met or not.
 *
 * A `limit` row posts to /test/empty, which stores nothing: the sequence
 * numbers it used are given back afterwards, so that what the collector
 * stored stays one contiguous range per node and verify can say so.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/collector_load.h"

#define ROWS 2
static const char *const row_name[ROWS] = {"limit", "reports"};
static const char *const row_path[ROWS] = {"/test/empty", "/api/v1/reports"};

/* ---- the collector's CPU and memory ------------------------------------- */

struct snap {
	double t, srv, self; /* s: wall, collector CPU, own CPU */
};

static double proc_cpu(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* after the name: state and ten more fields, then utime stime */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%llu %llu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long proc_rss_kib(int pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* The collector's threads and their CPU seconds. */
struct threads {
	int n;
	struct {
		int tid;
		char comm[24];
		double cpu;
	} t[64];
};

static void threads_take(int pid, struct threads *th)
{
	char path[64], buf[1024], *o, *cl;
	DIR *d;
	struct dirent *e;

	th->n = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (e = readdir(d)) && th->n < 64) {
		unsigned long long ut, st;
		FILE *f;
		size_t k;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.12s/stat", pid,
			 e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		k = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[k] = '\0';
		o = strchr(buf, '(');
		cl = strrchr(buf, ')');
		if (!o || !cl || cl - o > 20 ||
		    sscanf(cl + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			   "%*u %llu %llu", &ut, &st) != 2)
			continue;
		th->t[th->n].tid = atoi(e->d_name);
		snprintf(th->t[th->n].comm, sizeof(th->t[0].comm), "%.*s",
			 (int)(cl - o - 1), o + 1);
		th->t[th->n].cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
		th->n++;
	}
	if (d)
		closedir(d);
}

/* "name 12%, name 30%": each thread's share of a core between @a and @b,
 * those above 1 %. */
static void threads_print(const struct threads *a, const struct threads *b,
			  double secs)
{
	printf("        collector threads:");
	for (int i = 0; i < b->n; i++) {
		double c0 = 0, pct;

		for (int j = 0; j < a->n; j++)
			if (a->t[j].tid == b->t[i].tid)
				c0 = a->t[j].cpu;
		pct = (b->t[i].cpu - c0) / secs * 100;
		if (pct >= 1)
			printf(" %s %.0f%%", b->t[i].comm, pct);
	}
	printf("\n");
}

static struct snap snap_take(int pid)
{
	struct rusage ru;
	struct snap s = {cl_now(), proc_cpu(pid), 0};

	getrusage(RUSAGE_SELF, &ru);
	s.self = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	return s;
}

/* A metric's value from the collector's /metrics, -1 when absent. */
static double metric(const char *text, const char *name)
{
	size_t l = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, name, l) && p[l] == ' ')
			return atof(p + l + 1);
	return -1;
}

/* ---- helpers ---------------------------------------------------------------- */

static double median(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n ? v[(n - 1) / 2] : 0;
}

static bool busy(const struct cl_net *n)
{
	return n->active || n->rq_len || n->rt_len || n->sq_len;
}

/*
 * Wait up to @max_s for what is in flight; the requests still unanswered
 * then (the server has them and does not answer) are printed and left:
 * waiting longer would let the collector's idle timeout close every other
 * connection meanwhile.
 */
static void drain(struct cl_net *n, double max_s)
{
	double end = cl_now() + max_s;

	while (busy(n) && cl_now() < end)
		cl_net_poll(n, 10);
	if (n->active)
		printf("        %d requests still unanswered %.0f s after the "
		       "row (their requests are in the collector's socket "
		       "buffers, unread)\n",
		       n->active, max_s);
}

/* The sequence numbers a `limit` row takes are given back after it. */
static uint64_t *seq_save(const struct cl_ctx *c)
{
	uint64_t *v = malloc(2 * sizeof(*v) * (size_t)c->nn);

	for (int i = 0; v && i < c->nn; i++) {
		v[2 * i] = c->nodes[i].made;
		v[2 * i + 1] = c->nodes[i].acked;
	}
	return v;
}

static void seq_restore(struct cl_ctx *c, uint64_t *v)
{
	for (int i = 0; v && i < c->nn; i++) {
		c->nodes[i].made = v[2 * i];
		c->nodes[i].acked = v[2 * i + 1];
		c->nodes[i].n_live = 0;
		c->nodes[i].blo = 1;
		c->nodes[i].bhi = 0;
	}
	free(v);
}

static uint64_t ok_of(const struct cl_stats *s)
{
	return s->stored + s->dup + s->ok204;
}

/* One round's line. */
static void line(const char *phase, int row, int round, struct cl_net *n,
		 double secs, const struct snap *a, const struct snap *b)
{
	const struct cl_stats *s = &n->st;

	printf("%-6s %-7s round %d: %llu answered ok (%llu stored, %llu dup, "
	       "%llu 204) in %.2f s = %.0f/s; latency p50 %.1f ms p99 %.1f ms; "
	       "4xx %llu, 503 %llu, other 5xx %llu, transport errors %llu; "
	       "%llu handshakes, %llu resumed (%llu idle connections closed by the "
	       "collector, %llu after its answer, %llu by the cap); CPU: collector %.1f%%, generator "
	       "%.1f%% of a core\n",
	       phase, row_name[row], round, (unsigned long long)ok_of(s),
	       (unsigned long long)s->stored, (unsigned long long)s->dup,
	       (unsigned long long)s->ok204, secs, (double)ok_of(s) / secs,
	       cl_lat_q(&n->st.lat, 0.5) * 1e3, cl_lat_q(&n->st.lat, 0.99) * 1e3,
	       (unsigned long long)s->c4xx, (unsigned long long)s->c503,
	       (unsigned long long)s->c5xx, (unsigned long long)s->terr,
	       (unsigned long long)s->handshakes,
	       (unsigned long long)s->resumed,
	       (unsigned long long)s->closed_idle,
	       (unsigned long long)s->closed_answer,
	       (unsigned long long)s->evicted, (b->srv - a->srv) / (b->t - a->t) * 100,
	       (b->self - a->self) / (b->t - a->t) * 100);
	fflush(stdout);
}

/* ---- phases ------------------------------------------------------------------ */

/* The figures the summary needs. */
static struct {
	bool mem, storm, steady, peak, replay, verify;
	double mem_per_node, mem_store_per_node, mem_heap_per_node, mem_json;
	double storm_s[ROWS][16], steady_cpu[ROWS][16], steady_p99[ROWS][16];
	double storm_res_s[ROWS][16]; /* the storm resuming TLS sessions */
	uint64_t storm_res_bad, storm_res_miss; /* not stored; not resumed */
	double peak_rps[ROWS][16], peak_cpu[ROWS][16];
	uint64_t storm_bad;
	double replay_s, replay_live_p99;
	uint64_t replay_live_refused, replay_live;
	int verify_bad;
} R;

/* Every node sends one report; at most @max_active at once (0: all). */
static double oneshot(struct cl_ctx *c, int row, int max_active,
		      bool close_after, struct snap *a, struct snap *b)
{
	struct cl_net *n = &c->net;
	double t0;

	cl_net_reset(n);
	cl_net_path(n, row_path[row]);
	n->max_active = max_active;
	n->close_after = close_after;
	*a = snap_take(c->pid);
	t0 = a->t;
	for (int i = 0; i < c->nn; i++) {
		cl_node_live(&c->nodes[i], t0);
		cl_net_want(n, i);
	}
	drain(n, 120);
	*b = snap_take(c->pid);
	n->max_active = 0;
	n->close_after = false;
	return b->t - t0;
}

static int phase_mem(struct cl_ctx *c)
{
	struct snap a, b;
	long rss0 = proc_rss_kib(c->pid), rss1, rss2, st;
	double secs, json = -1, mem = -1, nodes, per_conn, db0 = -1, db = -1,
	       heap0 = -1, heap = -1;
	uint64_t *sv = seq_save(c);
	char *m;
	int open;

	printf("== mem: on the fresh collector (RSS %ld KiB), every node "
	       "connects and posts to the limit (RSS with the connections "
	       "open), then posts a report over its connection, %d at a time "
	       "(RSS with the nodes known)\n",
	       rss0, c->mem_conc);
	cl_net_close_all(&c->net);
	secs = oneshot(c, 0, 0, false, &a, &b);
	line("mem", 0, 1, &c->net, secs, &a, &b);
	seq_restore(c, sv);
	open = cl_net_open(&c->net);
	m = cl_get(c, "/metrics", &st);
	db0 = m ? metric(m, "egnet_store_db_memory_bytes") : -1;
	heap0 = m ? metric(m, "egnet_heap_bytes") : -1;
	free(m);
	rss1 = proc_rss_kib(c->pid);
	secs = oneshot(c, 1, c->mem_conc, false, &a, &b);
	line("mem", 1, 1, &c->net, secs, &a, &b);
	/* the store refreshes its figures at its ticks (flush_ms, 1 s) */
	for (int k = 0; k < 50; k++) {
		m = cl_get(c, "/metrics", &st);
		nodes = m ? metric(m, "egnet_store_nodes") : -1;
		json = m ? metric(m, "egnet_store_json_bytes") : -1;
		mem = m ? metric(m, "egnet_store_memory_bytes") : -1;
		db = m ? metric(m, "egnet_store_db_memory_bytes") : -1;
		heap = m ? metric(m, "egnet_heap_bytes") : -1;
		free(m);
		if (nodes >= c->nn)
			break;
		usleep(100000);
	}
	rss2 = proc_rss_kib(c->pid);
	if (st != 200 || json < 0 || mem < 0 || db < 0 || db0 < 0 ||
	    heap < 0 || heap0 < 0) {
		printf("mem: /metrics: %ld, no store figures\n", st);
		return 1;
	}
	per_conn = open ? (double)(rss1 - rss0) * 1024 / open : 0;
	R.mem = true;
	R.mem_json = json;
	/* SQLite's page caches grow with the database up to their bound
	 * (cache_size), whatever the number of nodes: counted apart, like
	 * the connections */
	R.mem_per_node = ((double)(rss2 - rss1) * 1024 - json - (db - db0)) /
			 c->nn;
	R.mem_store_per_node = mem / c->nn;
	/* the heap in use, not what the allocator keeps free: the figure
	 * the target is judged by (the RSS one beside it) */
	R.mem_heap_per_node = (heap - heap0 - json - (db - db0)) / c->nn;
	printf("mem: RSS %ld KiB fresh, %ld KiB with %d connections open "
	       "(%.0f bytes per connection), %ld KiB with %d nodes known: "
	       "+%.0f bytes per node, of which the last report's JSON %.0f "
	       "(egnet_store_json_bytes %.0f) and SQLite's caches %.0f "
	       "(egnet_store_db_memory_bytes %.0f -> %.0f, bounded); beyond "
	       "them %.0f bytes per node by the RSS; the heap in use "
	       "(egnet_heap_bytes) %.0f -> %.0f KiB: %.0f bytes per node beyond "
	       "the JSON and SQLite's caches (the store's own count, "
	       "egnet_store_memory_bytes: %.0f per node)\n",
	       rss0, rss1, open, per_conn, rss2, c->nn,
	       (double)(rss2 - rss1) * 1024 / c->nn, json / c->nn, json,
	       (db - db0) / c->nn, db0, db, R.mem_per_node, heap0 / 1024,
	       heap / 1024, R.mem_heap_per_node, R.mem_store_per_node);
	return 0;
}

/*
 * The storm: every connection closed, then every node reconnects at once
 * and posts one report.  First with full handshakes (no session offered,
 * as after a restart of the collector, whose ticket key is gone), then
 * offering the session ticket each node got in the first part (as agents
 * do after a path outage, or when the collector closed idle connections).
 */
static void phase_storm(struct cl_ctx *c)
{
	struct snap a, b;

	printf("== storm: every connection closed, then %d nodes reconnect at "
	       "once and post one report; time until every one is answered: "
	       "full TLS handshakes (storm), then resuming the session each "
	       "node got (storm-r)\n",
	       c->nn);
	for (int r = 0; r < c->rounds && r < 16; r++)
		for (int res = 0; res < 2; res++)
			for (int row = 0; row < ROWS; row++) {
				uint64_t *sv = row == 0 ? seq_save(c) : NULL;
				double secs;

				cl_net_close_all(&c->net);
				c->net.resume = res;
				secs = oneshot(c, row, 0, false, &a, &b);
				c->net.resume = false;
				line(res ? "storm-r" : "storm", row, r + 1,
				     &c->net, secs, &a, &b);
				(res ? R.storm_res_s : R.storm_s)[row][r] = secs;
				if (row == 1)
					*(res ? &R.storm_res_bad : &R.storm_bad) +=
						(uint64_t)c->nn - c->net.st.stored;
				if (res)
					R.storm_res_miss +=
						c->net.st.handshakes -
						c->net.st.resumed;
				if (sv)
					seq_restore(c, sv);
			}
	R.storm = true;
}

/* Live reports at @rate over every node for @secs: node j % nn at j/rate. */
static void paced(struct cl_ctx *c, double rate, double secs, double t0,
		  bool (*stop)(struct cl_ctx *c))
{
	struct cl_net *n = &c->net;
	double end = t0 + secs;
	uint64_t j = 0;

	for (;;) {
		double now = cl_now(), next;
		int ms;

		if (now >= end && (!stop || stop(c)))
			break;
		while ((next = t0 + (double)j / rate) <= now) {
			int i = (int)(j % (uint64_t)c->nn);
			struct cl_node *nd = &c->nodes[i];

			if (nd->has_req || nd->n_live)
				n->st.late++;
			cl_node_live(nd, next);
			cl_net_want(n, i);
			j++;
		}
		/* whole ms, rounded up: a busy loop would take the CPU the
		 * collector needs (the reports of one ms go together) */
		ms = (int)((next - now) * 1000) + 1;
		cl_net_poll(n, ms > 5 ? 5 : ms);
	}
}

static void phase_steady(struct cl_ctx *c)
{
	static struct threads ta, tb;
	struct snap a, b;

	printf("== steady: %.0f reports/s over %d keep-alive connections (each "
	       "node every %.1f s) for %.0f s; latency from when a report is "
	       "due\n",
	       c->rate, c->nn, c->nn / c->rate, c->steady_s);
	for (int r = 0; r < c->rounds && r < 16; r++)
		for (int row = 0; row < ROWS; row++) {
			uint64_t *sv = row == 0 ? seq_save(c) : NULL;

			cl_net_reset(&c->net);
			cl_net_path(&c->net, row_path[row]);
			threads_take(c->pid, &ta);
			a = snap_take(c->pid);
			paced(c, c->rate, c->steady_s, a.t, NULL);
			b = snap_take(c->pid);
			threads_take(c->pid, &tb);
			drain(&c->net, 5);
			line("steady", row, r + 1, &c->net, b.t - a.t, &a, &b);
			threads_print(&ta, &tb, b.t - a.t);
			R.steady_cpu[row][r] = (b.srv - a.srv) / (b.t - a.t) * 100;
			R.steady_p99[row][r] = cl_lat_q(&c->net.st.lat, 0.99) * 1e3;
			if (sv)
				seq_restore(c, sv);
		}
	R.steady = true;
}

static void phase_peak(struct cl_ctx *c)
{
	struct cl_net *n = &c->net;
	static struct threads ta, tb;
	struct snap a, b;
	int cur = 0;

	printf("== peak: %d requests in flight over the established "
	       "connections, nodes in turn, for %.0f s\n",
	       c->peak_conc, c->peak_s);
	for (int r = 0; r < c->rounds && r < 16; r++)
		for (int row = 0; row < ROWS; row++) {
			uint64_t *sv = row == 0 ? seq_save(c) : NULL;
			double end;

			cl_net_reset(n);
			cl_net_path(n, row_path[row]);
			threads_take(c->pid, &ta);
			a = snap_take(c->pid);
			end = a.t + c->peak_s;
			while (cl_now() < end) {
				for (int tries = 0;
				     n->active + n->rq_len < c->peak_conc &&
				     tries < c->nn; tries++) {
					cur = (cur + 1) % c->nn;
					if (!cl_net_idle(n, cur))
						continue;
					cl_node_live(&c->nodes[cur], cl_now());
					cl_net_want(n, cur);
				}
				cl_net_poll(n, 5);
			}
			b = snap_take(c->pid);
			threads_take(c->pid, &tb);
			line("peak", row, r + 1, n, b.t - a.t, &a, &b);
			threads_print(&ta, &tb, b.t - a.t);
			R.peak_rps[row][r] = (double)ok_of(&n->st) / (b.t - a.t);
			R.peak_cpu[row][r] = (b.srv - a.srv) / (b.t - a.t) * 100;
			drain(n, 5);
			if (sv)
				seq_restore(c, sv);
		}
	R.peak = true;
}

static bool replay_done(struct cl_ctx *c)
{
	return c->net.st.backlog_done >=
		       (uint64_t)c->replay_nodes * (uint64_t)c->replay_depth ||
	       cl_now() > R.replay_s; /* the deadline, until the end */
}

static void phase_replay(struct cl_ctx *c)
{
	struct cl_net *n = &c->net;
	struct snap a, b;
	double secs;

	printf("== replay: %d nodes replay %d spooled reports each (oldest "
	       "first, one in flight per node) while live reports go on at "
	       "%.0f/s over all %d nodes\n",
	       c->replay_nodes, c->replay_depth, c->rate, c->nn);
	cl_net_reset(n);
	cl_net_path(n, row_path[1]);
	for (int i = 0; i < c->replay_nodes; i++) {
		struct cl_node *nd = &c->nodes[i];

		nd->blo = nd->made + 1;
		nd->made += (uint64_t)c->replay_depth;
		nd->bhi = nd->made;
		cl_net_want(n, i);
	}
	a = snap_take(c->pid);
	R.replay_s = a.t + 600;
	paced(c, c->rate, 1, a.t, replay_done);
	b = snap_take(c->pid);
	secs = b.t - a.t;
	drain(n, 5);
	printf("replay: %llu spooled reports answered in %.2f s (%.0f/s), "
	       "their p50 %.1f ms p99 %.1f ms; live: %zu answered, p50 %.1f "
	       "ms p99 %.1f ms, %llu refused 503; spooled refused 503: %llu; "
	       "4xx %llu, other 5xx %llu, transport errors %llu; CPU: collector "
	       "%.1f%%, generator %.1f%% of a core\n",
	       (unsigned long long)n->st.backlog_done, secs,
	       (double)n->st.backlog_done / secs,
	       cl_lat_q(&n->st.lat_backlog, 0.5) * 1e3,
	       cl_lat_q(&n->st.lat_backlog, 0.99) * 1e3, n->st.lat.n,
	       cl_lat_q(&n->st.lat, 0.5) * 1e3, cl_lat_q(&n->st.lat, 0.99) * 1e3,
	       (unsigned long long)n->st.live_503,
	       (unsigned long long)(n->st.c503 - n->st.live_503),
	       (unsigned long long)n->st.c4xx, (unsigned long long)n->st.c5xx,
	       (unsigned long long)n->st.terr,
	       (b.srv - a.srv) / secs * 100, (b.self - a.self) / secs * 100);
	R.replay = n->st.backlog_done ==
		   (uint64_t)c->replay_nodes * (uint64_t)c->replay_depth;
	R.replay_s = secs;
	R.replay_live_p99 = cl_lat_q(&n->st.lat, 0.99) * 1e3;
	R.replay_live_refused = n->st.live_503;
	R.replay_live = n->st.lat.n;
}

static int node_find(const struct cl_ctx *c, code_t code)
{
	int lo = 0, hi = c->nn - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (c->nodes[mid].code == code)
			return mid;
		if (c->nodes[mid].code < code)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Node @i's stored ranges are exactly [[1, made]]. */
static bool ranges_ok(const struct cl_ctx *c, int i, char *got, size_t gl)
{
	char path[64], cb[CODE_STRLEN];
	json_t *j = NULL, *rg;
	long st;
	char *body;
	bool ok = false;

	snprintf(path, sizeof(path), "/api/v1/nodes/%s",
		 code_format(c->nodes[i].code, cb));
	body = cl_get(c, path, &st);
	if (body && st == 200)
		j = json_loads(body, 0, NULL);
	rg = json_object_get(j, "seq_ranges");
	if (rg) {
		char *s = json_dumps(rg, JSON_COMPACT);

		snprintf(got, gl, "%s", s ? s : "?");
		free(s);
		ok = json_array_size(rg) == 1 &&
		     json_integer_value(json_array_get(json_array_get(rg, 0), 0)) == 1 &&
		     (uint64_t)json_integer_value(json_array_get(json_array_get(rg, 0), 1)) ==
			     c->nodes[i].made;
	} else {
		snprintf(got, gl, "HTTP %ld", st);
	}
	json_decref(j);
	free(body);
	return ok;
}

static int phase_verify(struct cl_ctx *c)
{
	int same = 0, differ = 0, missing, bad_ranges = 0, sample = 0;
	json_t *j = NULL, *a, *v;
	long st;
	char *body;
	size_t k;

	body = cl_get(c, "/api/v1/nodes", &st);
	if (body && st == 200)
		j = json_loads(body, 0, NULL);
	free(body);
	a = json_object_get(j, "nodes");
	if (!json_is_array(a)) {
		printf("verify: GET /api/v1/nodes: HTTP %ld, no nodes\n", st);
		json_decref(j);
		R.verify_bad = c->nn;
		return 1;
	}
	json_array_foreach(a, k, v) {
		const char *cs = json_string_value(json_object_get(v, "code"));
		json_t *ls = json_object_get(v, "last_seq");
		code_t code;
		char e[CODE_ERR_MAX];
		int i;

		if (!cs || code_parse(cs, &code, e, sizeof(e)) ||
		    (i = node_find(c, code)) < 0 || !json_is_integer(ls))
			continue; /* the inventory's others */
		if ((uint64_t)json_integer_value(ls) == c->nodes[i].made &&
		    c->nodes[i].acked == c->nodes[i].made)
			same++;
		else if (differ++ < 3)
			printf("verify: %s: last_seq %lld, sent up to %llu, "
			       "acknowledged up to %llu\n",
			       cs, (long long)json_integer_value(ls),
			       (unsigned long long)c->nodes[i].made,
			       (unsigned long long)c->nodes[i].acked);
	}
	json_decref(j);
	missing = c->nn - same - differ;
	for (int i = 0; i < c->nn; i += c->nn / 16 + 1) {
		char got[256], cb[CODE_STRLEN];

		sample++;
		if (!ranges_ok(c, i, got, sizeof(got)) && bad_ranges++ < 3)
			printf("verify: %s: seq_ranges %s, sent 1..%llu\n",
			       code_format(c->nodes[i].code, cb), got,
			       (unsigned long long)c->nodes[i].made);
	}
	printf("verify: GET /api/v1/nodes: %d of %d nodes' last_seq is the "
	       "last they sent and had acknowledged, %d differ, %d missing; "
	       "stored ranges exactly 1..last for %d of %d sampled nodes\n",
	       same, c->nn, differ, missing, sample - bad_ranges, sample);
	R.verify = true;
	R.verify_bad = differ + missing + bad_ranges;
	return R.verify_bad ? 1 : 0;
}

/* ---- the summary ------------------------------------------------------------- */

static void target(const char *what, double v, const char *unit, bool met)
{
	printf("target %-52s %10.2f %-8s %s\n", what, v, unit,
	       met ? "met" : "NOT MET");
}

static void summary(const struct cl_ctx *c)
{
	int n = c->rounds < 16 ? c->rounds : 16;

	printf("== summary (medians of %d alternating rounds; collector and "
	       "generator share %ld CPUs)\n",
	       n, sysconf(_SC_NPROCESSORS_ONLN));
	if (R.steady) {
		double cr = median(R.steady_cpu[1], n), cl = median(R.steady_cpu[0], n);
		double pr = median(R.steady_p99[1], n);

		printf("steady: collector CPU %.1f%% of a core for reports, %.1f%% "
		       "for the limit (ratio %.2f); p99 %.1f ms (limit %.1f)\n",
		       cr, cl, cl > 0 ? cr / cl : 0, pr,
		       median(R.steady_p99[0], n));
		target("steady 2,000 reports/s: collector CPU <= 10 %", cr,
		       "% core", cr <= 10);
		target("steady 2,000 reports/s: p99 < 50 ms", pr, "ms", pr < 50);
	}
	if (R.peak) {
		double pr = median(R.peak_rps[1], n), pl = median(R.peak_rps[0], n);

		printf("peak: %.0f reports/s, limit %.0f/s: share of the limit "
		       "%.2f; collector CPU %.0f%% (limit %.0f%%)\n",
		       pr, pl, pl > 0 ? pr / pl : 0, median(R.peak_cpu[1], n),
		       median(R.peak_cpu[0], n));
		target("peak >= 20,000 reports/s", pr, "/s", pr >= 20000);
		target("peak >= 0.5 of the empty server's rate",
		       pl > 0 ? pr / pl : 0, "x", pl > 0 && pr / pl >= 0.5);
	}
	if (R.storm) {
		double sr = median(R.storm_s[1], n), sl = median(R.storm_s[0], n);
		double rr = median(R.storm_res_s[1], n),
		       rl = median(R.storm_res_s[0], n);

		printf("storm: %d reconnects all answered in %.2f s for reports, "
		       "%.2f s for the limit (ratio %.2f); %llu not stored at "
		       "first answer over all rounds\n",
		       c->nn, sr, sl, sl > 0 ? sr / sl : 0,
		       (unsigned long long)R.storm_bad);
		printf("storm-r (resumed): %d reconnects all answered in %.2f s "
		       "for reports, %.2f s for the limit (ratio %.2f); %llu not "
		       "stored at first answer, %llu handshakes not resumed\n",
		       c->nn, rr, rl, rl > 0 ? rr / rl : 0,
		       (unsigned long long)R.storm_res_bad,
		       (unsigned long long)R.storm_res_miss);
		printf("storm: resumption against full handshakes: reports %.2f s "
		       "/ %.2f s = %.2f, limit %.2f s / %.2f s = %.2f\n",
		       rr, sr, sr > 0 ? rr / sr : 0, rl, sl,
		       sl > 0 ? rl / sl : 0);
		target("storm of 20,000 reconnects all stored within 10 s "
		       "(resuming TLS sessions)", rr, "s",
		       rr <= 10 && !R.storm_res_bad);
		target("storm of 20,000 reconnects all stored within 10 s "
		       "(full handshakes)", sr, "s", sr <= 10 && !R.storm_bad);
	}
	if (R.mem)
		target("collector memory per node beyond the last report <= 2 KiB",
		       R.mem_heap_per_node, "bytes",
		       R.mem_heap_per_node <= 2048);
	if (R.replay_live || R.replay) {
		printf("replay: %d x %d spooled reports in %.1f s; live p99 %.1f "
		       "ms\n",
		       c->replay_nodes, c->replay_depth, R.replay_s,
		       R.replay_live_p99);
		target("replay of 1,000 x 360 without refusing live reports",
		       (double)R.replay_live_refused, "refused",
		       R.replay && !R.replay_live_refused);
	}
	if (R.verify)
		target("every node's last_seq as sent (GET /api/v1/nodes)",
		       (double)R.verify_bad, "wrong", !R.verify_bad);
}

int cl_phases_run(struct cl_ctx *c, const char *list)
{
	int rc = 0;

	if (strstr(list, "mem"))
		rc |= phase_mem(c);
	if (strstr(list, "storm"))
		phase_storm(c);
	if (strstr(list, "steady"))
		phase_steady(c);
	if (strstr(list, "peak"))
		phase_peak(c);
	if (strstr(list, "replay"))
		phase_replay(c);
	if (strstr(list, "verify"))
		rc |= phase_verify(c);
	summary(c);
	return rc;
}
