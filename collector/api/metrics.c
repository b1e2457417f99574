// SPDX-License-Identifier: BSD-2-Clause
/*
 * The /metrics text; see metrics.h.  One pass over the nodes' summaries
 * and one over their links and targets, each family into a buffer of its
 * own, then the families joined: samples of a family stay together as
 * the format wants, without a pass over the store per family.
 */
#include "collector/api/metrics.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/store/store.h"

/* ---- the buffer ----------------------------------------------------------- */

void metrics_buf_free(struct metrics_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static bool metrics_reserve(struct metrics_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void metrics_put(struct metrics_buf *b, const char *s, size_t n)
{
	if (!metrics_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void metrics_str(struct metrics_buf *b, const char *s)
{
	metrics_put(b, s, strlen(s));
}

void metrics_printf(struct metrics_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !metrics_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void metrics_u64(struct metrics_buf *b, unsigned long long v)
{
	char t[24];
	int i = sizeof(t);

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	metrics_put(b, t + i, sizeof(t) - (size_t)i);
}

/* @v (>= 0) with @dec decimals (1..9), rounded; beyond 2^63 / 10^dec
 * through printf. */
static void metrics_fixed(struct metrics_buf *b, double v, int dec)
{
	static const long long pw[] = {1,	  10,	    100,      1000,
				       10000,	  100000,   1000000,  10000000,
				       100000000, 1000000000};
	char t[16];
	long long x, f;

	if (!(v >= 0) || v * (double)pw[dec] > 9e18) {
		metrics_printf(b, "%.*f", dec, v);
		return;
	}
	x = (long long)(v * (double)pw[dec] + 0.5);
	metrics_u64(b, (unsigned long long)(x / pw[dec]));
	f = x % pw[dec];
	t[0] = '.';
	for (int i = dec; i > 0; i--, f /= 10)
		t[i] = (char)('0' + f % 10);
	metrics_put(b, t, (size_t)dec + 1);
}

/* A label value: \, " and newline escaped. */
static void metrics_label(struct metrics_buf *b, const char *s)
{
	size_t n = strcspn(s, "\\\"\n");

	metrics_put(b, s, n);
	for (s += n; *s; s++) {
		if (*s == '\\' || *s == '"')
			metrics_put(b, "\\", 1);
		metrics_put(b, *s == '\n' ? "\\n" : s, *s == '\n' ? 2 : 1);
	}
}

static void metrics_head(struct metrics_buf *b, const char *name,
			 const char *type, const char *help)
{
	metrics_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		       type);
}

/* ---- the server, the ingest, the store ------------------------------------ */

/* The heap in use (glibc's count over every arena, mmap'd blocks too):
 * unlike the RSS, not the memory the allocator keeps free. */
static void metrics_heap(struct metrics_buf *b)
{
	struct mallinfo2 mi = mallinfo2();

	metrics_printf(b,
	    "# HELP egnet_heap_bytes Bytes of the collector's heap in use.\n"
	    "# TYPE egnet_heap_bytes gauge\negnet_heap_bytes %zu\n",
	    mi.uordblks + mi.hblkhd);
}

static void metrics_store(struct store *st, struct metrics_buf *b)
{
	struct store_stats s;

	metrics_heap(b);
	store_stats(st, &s);
	metrics_printf(b,
	    "# HELP egnet_store_queue_depth Reports waiting for the store's "
	    "writer.\n# TYPE egnet_store_queue_depth gauge\n"
	    "egnet_store_queue_depth %d\n"
	    "# HELP egnet_store_queue_max The writer queue's bound.\n"
	    "# TYPE egnet_store_queue_max gauge\negnet_store_queue_max %d\n"
	    "# HELP egnet_store_batches_total Transactions committed.\n"
	    "# TYPE egnet_store_batches_total counter\n"
	    "egnet_store_batches_total %llu\n"
	    "# HELP egnet_store_rows_written_total Rows written.\n"
	    "# TYPE egnet_store_rows_written_total counter\n"
	    "egnet_store_rows_written_total %llu\n"
	    "# HELP egnet_store_rows_deleted_total Rows deleted by retention.\n"
	    "# TYPE egnet_store_rows_deleted_total counter\n"
	    "egnet_store_rows_deleted_total %llu\n"
	    "# HELP egnet_store_reports_total Reports by what the store did "
	    "with them.\n# TYPE egnet_store_reports_total counter\n"
	    "egnet_store_reports_total{result=\"stored\"} %llu\n"
	    "egnet_store_reports_total{result=\"duplicate\"} %llu\n"
	    "egnet_store_reports_total{result=\"busy\"} %llu\n"
	    "egnet_store_reports_total{result=\"unavailable\"} %llu\n"
	    "# HELP egnet_store_bad_records_total Records read back that made "
	    "no sense.\n# TYPE egnet_store_bad_records_total counter\n"
	    "egnet_store_bad_records_total %llu\n"
	    "# HELP egnet_store_commit_seconds Commit time: quantiles over the "
	    "last commits, sum and count over all.\n"
	    "# TYPE egnet_store_commit_seconds summary\n"
	    "egnet_store_commit_seconds{quantile=\"0.5\"} %.6f\n"
	    "egnet_store_commit_seconds{quantile=\"0.99\"} %.6f\n"
	    "egnet_store_commit_seconds_sum %.6f\n"
	    "egnet_store_commit_seconds_count %llu\n"
	    "# HELP egnet_store_db_bytes Size of the database files.\n"
	    "# TYPE egnet_store_db_bytes gauge\negnet_store_db_bytes %llu\n"
	    "# HELP egnet_store_db_memory_bytes Memory of the database's "
	    "caches (bounded by their settings, not per node).\n"
	    "# TYPE egnet_store_db_memory_bytes gauge\n"
	    "egnet_store_db_memory_bytes %llu\n"
	    "# HELP egnet_store_nodes Nodes the store holds.\n"
	    "# TYPE egnet_store_nodes gauge\negnet_store_nodes %llu\n"
	    "# HELP egnet_store_memory_bytes Memory of the per-node state "
	    "(last reports apart).\n# TYPE egnet_store_memory_bytes gauge\n"
	    "egnet_store_memory_bytes %llu\n"
	    "# HELP egnet_store_json_bytes Memory of the last reports held.\n"
	    "# TYPE egnet_store_json_bytes gauge\negnet_store_json_bytes %llu\n"
	    "# HELP egnet_store_up Whether the last commit succeeded.\n"
	    "# TYPE egnet_store_up gauge\negnet_store_up %d\n",
	    s.queue_depth, s.queue_max, (unsigned long long)s.batches,
	    (unsigned long long)s.rows_written,
	    (unsigned long long)s.rows_deleted,
	    (unsigned long long)s.reports_stored, (unsigned long long)s.dups,
	    (unsigned long long)s.busy, (unsigned long long)s.unavailable,
	    (unsigned long long)s.bad_records, s.commit_p50_ms / 1000,
	    s.commit_p99_ms / 1000, s.commit_sum_ms / 1000,
	    (unsigned long long)s.commits, (unsigned long long)s.db_bytes,
	    (unsigned long long)s.db_mem_bytes, (unsigned long long)s.nodes, (unsigned long long)s.mem_bytes,
	    (unsigned long long)s.json_bytes, s.last_error[0] == '\0');
}

/* ---- nodes ---------------------------------------------------------------- */

enum {
	F_INFO, F_AGE, F_SEQ, F_UPTIME, F_DRIFT, F_APPLY,
	F_LINK_UP, F_LINK_RX, F_LINK_TX, F_LINK_RXBPS, F_LINK_TXBPS,
	F_TG_UP, F_TG_RTT, F_TG_LOSS, F_TG_JIT,
	F__N
};

static const char *const metrics_fam[F__N][3] = {
	[F_INFO] = {"egnet_node_info", "gauge",
		    "A node that reported: its level, name and whether the "
		    "inventory expects it."},
	[F_AGE] = {"egnet_node_last_report_age_seconds", "gauge",
		   "Seconds since the node's last report was received."},
	[F_SEQ] = {"egnet_node_last_seq", "gauge",
		   "Sequence number of the node's last report."},
	[F_UPTIME] = {"egnet_node_uptime_seconds", "gauge",
		      "The node's agent uptime, as reported."},
	[F_DRIFT] = {"egnet_node_drift", "gauge",
		     "1 when the node's kernel differs from its applied state."},
	[F_APPLY] = {"egnet_node_apply_state", "gauge",
		     "The node's agent state (1 for the one it is in)."},
	[F_LINK_UP] = {"egnet_link_up", "gauge",
		       "1 when the link was up in the node's last report, 0 "
		       "when down or unknown."},
	[F_LINK_RX] = {"egnet_link_receive_bytes_total", "counter",
		       "Bytes the link received, the node's counter."},
	[F_LINK_TX] = {"egnet_link_transmit_bytes_total", "counter",
		       "Bytes the link sent, the node's counter."},
	[F_LINK_RXBPS] = {"egnet_link_receive_bytes_per_second", "gauge",
			  "Receive rate (the reported bits/s over 8) over the agent's last sampling "
			  "interval."},
	[F_LINK_TXBPS] = {"egnet_link_transmit_bytes_per_second", "gauge",
			  "Transmit rate (the reported bits/s over 8) over the agent's last sampling "
			  "interval."},
	[F_TG_UP] = {"egnet_target_up", "gauge",
		     "1 when the probe target answered in the node's last "
		     "report, 0 when down or unknown."},
	[F_TG_RTT] = {"egnet_target_rtt_seconds", "gauge",
		      "Round-trip time to the target, the last report's mean."},
	[F_TG_LOSS] = {"egnet_target_loss_ratio", "gauge",
		       "Share of the probes to the target that were lost."},
	[F_TG_JIT] = {"egnet_target_jitter_seconds", "gauge",
		      "Jitter of the round-trip time to the target."},
};

struct metrics_pass {
	struct metrics_buf f[F__N];
	const struct inventory *inv;
	long long now;
	struct metrics_opts o;
};

/* Whether family @k goes out under @o. */
static bool metrics_fam_on(const struct metrics_opts *o, int k)
{
	if (k >= F_LINK_UP && k <= F_LINK_TXBPS)
		return o->links;
	if (k >= F_TG_UP && k <= F_TG_JIT)
		return o->targets;
	return true;
}

/* "NAME{node=\"CODE\"" into family @k: the caller closes the labels. */
static void metrics_open(struct metrics_pass *m, int k, const char *code)
{
	struct metrics_buf *b = &m->f[k];

	metrics_str(b, metrics_fam[k][0]);
	metrics_put(b, "{node=\"", 7);
	metrics_put(b, code, CODE_STRLEN - 1);
	metrics_put(b, "\"", 1);
}

static void metrics_close_u64(struct metrics_buf *b, unsigned long long v)
{
	metrics_put(b, "} ", 2);
	metrics_u64(b, v);
	metrics_put(b, "\n", 1);
}

static int metrics_node(void *arg, const struct store_node_info *n)
{
	struct metrics_pass *m = arg;
	const struct inv_node *iv = m->inv ? inventory_find(m->inv, n->node)
					   : NULL;
	double age = (double)(m->now - n->last_ms) / 1000;
	char cb[CODE_STRLEN];
	struct metrics_buf *b;

	code_format(n->node, cb);
	b = &m->f[F_INFO];
	metrics_open(m, F_INFO, cb);
	metrics_str(b, ",level=\"");
	metrics_str(b, code_level_name(code_level(n->node)));
	metrics_str(b, "\",name=\"");
	metrics_label(b, iv ? iv->name : "");
	metrics_str(b, iv ? "\",expected=\"yes\"} 1\n"
			  : "\",expected=\"no\"} 1\n");
	b = &m->f[F_AGE];
	metrics_open(m, F_AGE, cb);
	metrics_put(b, "} ", 2);
	if (age < 0) {
		metrics_put(b, "-", 1);
		age = -age;
	}
	metrics_fixed(b, age, 3);
	metrics_put(b, "\n", 1);
	metrics_open(m, F_SEQ, cb);
	metrics_close_u64(&m->f[F_SEQ], n->last_seq);
	metrics_open(m, F_UPTIME, cb);
	metrics_close_u64(&m->f[F_UPTIME],
			  n->uptime_s > 0 ? (unsigned long long)n->uptime_s : 0);
	metrics_open(m, F_DRIFT, cb);
	metrics_close_u64(&m->f[F_DRIFT], n->drift);
	for (int i = 0; i < RPT_APPLY__N; i++) {
		b = &m->f[F_APPLY];
		metrics_open(m, F_APPLY, cb);
		metrics_str(b, ",state=\"");
		metrics_str(b, report_apply_words[i]);
		metrics_put(b, "\"", 1);
		metrics_close_u64(b, (int)n->apply == i);
	}
	return 0;
}

static void metrics_link_open(struct metrics_pass *m, int k, const char *code,
			      const struct store_link_now *l)
{
	metrics_open(m, k, code);
	metrics_put(&m->f[k], ",link=\"", 7);
	metrics_label(&m->f[k], l->name);
	metrics_put(&m->f[k], "\"", 1);
}

static void metrics_target_open(struct metrics_pass *m, int k,
				const char *code, const char *tcode,
				const char *rel)
{
	struct metrics_buf *b = &m->f[k];

	metrics_open(m, k, code);
	metrics_put(b, ",target=\"", 9);
	metrics_put(b, tcode, CODE_STRLEN - 1);
	metrics_put(b, "\",relation=\"", 12);
	metrics_str(b, rel);
	metrics_put(b, "\"} ", 3);
}

static int metrics_now(void *arg, const struct store_node_now *n)
{
	struct metrics_pass *m = arg;
	char cb[CODE_STRLEN], tb[CODE_STRLEN];

	code_format(n->node, cb);
	for (int i = 0; m->o.links && i < n->n_links; i++) {
		const struct store_link_now *l = &n->links[i];

		metrics_link_open(m, F_LINK_UP, cb, l);
		metrics_close_u64(&m->f[F_LINK_UP], l->state == RPT_OPER_UP);
		if (!l->has_counters)
			continue;
		metrics_link_open(m, F_LINK_RX, cb, l);
		metrics_close_u64(&m->f[F_LINK_RX], l->rx_bytes);
		metrics_link_open(m, F_LINK_TX, cb, l);
		metrics_close_u64(&m->f[F_LINK_TX], l->tx_bytes);
		if (l->rx_bps >= 0) {
			metrics_link_open(m, F_LINK_RXBPS, cb, l);
			metrics_put(&m->f[F_LINK_RXBPS], "} ", 2);
			metrics_fixed(&m->f[F_LINK_RXBPS], l->rx_bps / 8.0, 3);
			metrics_put(&m->f[F_LINK_RXBPS], "\n", 1);
		}
		if (l->tx_bps >= 0) {
			metrics_link_open(m, F_LINK_TXBPS, cb, l);
			metrics_put(&m->f[F_LINK_TXBPS], "} ", 2);
			metrics_fixed(&m->f[F_LINK_TXBPS], l->tx_bps / 8.0, 3);
			metrics_put(&m->f[F_LINK_TXBPS], "\n", 1);
		}
	}
	for (int i = 0; m->o.targets && i < n->n_targets; i++) {
		const struct store_target_now *t = &n->targets[i];
		const char *rel = t->rel < RPT_REL__N ? report_rel_words[t->rel]
						      : "unknown";

		code_format(t->code, tb);
		metrics_target_open(m, F_TG_UP, cb, tb, rel);
		metrics_u64(&m->f[F_TG_UP], t->state == RPT_OPER_UP);
		metrics_put(&m->f[F_TG_UP], "\n", 1);
		if (t->rtt_ms >= 0) {
			metrics_target_open(m, F_TG_RTT, cb, tb, rel);
			metrics_fixed(&m->f[F_TG_RTT], t->rtt_ms / 1000.0, 6);
			metrics_put(&m->f[F_TG_RTT], "\n", 1);
		}
		if (t->loss_pct >= 0) {
			metrics_target_open(m, F_TG_LOSS, cb, tb, rel);
			metrics_fixed(&m->f[F_TG_LOSS], t->loss_pct / 100.0, 4);
			metrics_put(&m->f[F_TG_LOSS], "\n", 1);
		}
		if (t->jitter_ms >= 0) {
			metrics_target_open(m, F_TG_JIT, cb, tb, rel);
			metrics_fixed(&m->f[F_TG_JIT], t->jitter_ms / 1000.0, 6);
			metrics_put(&m->f[F_TG_JIT], "\n", 1);
		}
	}
	return 0;
}

/* ---- the whole text ------------------------------------------------------- */

int metrics_format(struct store *st, const struct inventory *inv,
		   const struct http_stats *hs, const struct reports_stats *rs,
		   const struct metrics_opts *o, long long now_ms,
		   struct metrics_buf *out)
{
	struct metrics_pass *m = calloc(1, sizeof(*m));
	size_t total = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!m)
		return -ENOMEM;
	m->inv = inv;
	m->now = now_ms;
	m->o = o ? *o : (struct metrics_opts){.links = true, .targets = true};
	if (hs) {
		size_t n = http_stats_format(hs, NULL, 0);

		if (metrics_reserve(out, n)) {
			http_stats_format(hs, out->p, n + 1);
			out->len = n;
		}
	}
	if (rs) {
		char *buf = NULL;
		size_t len = 0;

		reports_metrics(rs, &buf, &len);
		metrics_put(out, buf, len);
		free(buf);
	}
	metrics_store(st, out);
	rc = store_nodes(st, metrics_node, m);
	if (!rc && (m->o.links || m->o.targets))
		rc = store_node_state(st, metrics_now, m);
	for (int k = 0; k < F__N; k++)
		total += m->f[k].len + 256;
	metrics_reserve(out, total);
	for (int k = 0; k < F__N; k++) {
		if (m->f[k].oom)
			out->oom = true;
		if (!metrics_fam_on(&m->o, k))
			continue;
		metrics_head(out, metrics_fam[k][0], metrics_fam[k][1],
			     metrics_fam[k][2]);
		if (m->f[k].len)
			metrics_put(out, m->f[k].p, m->f[k].len);
		metrics_buf_free(&m->f[k]);
	}
	free(m);
	if (rc || out->oom) {
		metrics_buf_free(out);
		return rc ? rc : -ENOMEM;
	}
	return 0;
}
