/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The collector's /metrics text (Prometheus exposition format 0.0.4):
 * its HTTP server's counters, the ingest's results and refusals by
 * reason, the store's figures, and per node, per link and per probe
 * target gauges and counters from the store's memory (store_nodes,
 * store_node_state) — never from the nodes' last JSON.
 *
 * Families (all in the egnet_ namespace, units in the names, counters
 * ending in _total, one HELP and TYPE line each, their samples together):
 *   egnet_node_*    info, last_report_age_seconds, last_seq,
 *                   uptime_seconds, drift, apply_state      {node,...}
 *   egnet_link_*    up, receive_bytes_total, transmit_bytes_total,
 *                   receive_bytes_per_second, transmit_bytes_per_second
 *                   {node, link}  (the reports' bits/s over 8: promtool
 *                   wants base units, bytes, not bits)
 *   egnet_target_*  up, rtt_seconds, loss_ratio, jitter_seconds
 *                   {node, target, relation}
 * A counter or rate the node does not have (no counter source, a target
 * never answered, rates after a restart until the next report) has no
 * sample rather than a made-up one.
 *
 * Layout: the text grows in a buffer of its own (struct metrics_buf),
 * doubling, numbers formatted by hand: 20,000 county nodes make ~3
 * million lines.  Error policy: only memory can fail (-ENOMEM, the
 * buffer freed); nothing here logs.
 */
#ifndef EGNET_METRICS_H
#define EGNET_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "collector/ingest/http_stats.h"
#include "collector/ingest/reports.h"
#include "common/inventory.h"

struct store;

struct metrics_buf {
	char *p; /* NUL-terminated when len > 0 */
	size_t len, cap;
	bool oom;
};

/* Free @b's text and make it empty. */
void metrics_buf_free(struct metrics_buf *b);

/* Append to @b (b->oom set when it cannot grow). */
__attribute__((format(printf, 2, 3))) void
metrics_printf(struct metrics_buf *b, const char *fmt, ...);

/*
 * Which series of the nodes' go out (the collector config's metrics
 * group): a province's per-link and per-target series are most of its
 * scrape (20,000 county nodes: ~3 million lines).  A family left out has
 * no HELP or TYPE line either.
 */
struct metrics_opts {
	bool links;   /* egnet_link_* */
	bool targets; /* egnet_target_* */
};

/*
 * The whole /metrics text into @out (empty on entry): @hs and @rs (either
 * may be NULL: those families are left out), the store's figures, and
 * every node's samples, and its links' and targets' as @o says (NULL:
 * all); @inv (may be NULL; the caller holds its lock) names the nodes;
 * @now_ms is the wall clock the report ages are counted to.  0, or
 * -ENOMEM (@out freed).
 */
int metrics_format(struct store *st, const struct inventory *inv,
		   const struct http_stats *hs, const struct reports_stats *rs,
		   const struct metrics_opts *o, long long now_ms,
		   struct metrics_buf *out);

#endif
