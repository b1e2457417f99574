/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reports built in C for the store's tests and benchmark: a county-like
 * gateway (rpt_county: 12 links with counters, 20 probe targets, its
 * profile) whose values move with the sequence number, so consecutive
 * reports differ as a real node's do.  A struct report is ~600 KiB: the
 * callers keep one and refill it.  Included by one file each.
 */
#ifndef EGNET_TEST_REPORTS_H
#define EGNET_TEST_REPORTS_H

#include <stdio.h>
#include <string.h>

#include "common/report.h"

#define RPT_LINKS   12
#define RPT_TARGETS 20

/* The header and nothing else (n_* zero). */
__attribute__((unused)) static void rpt_base(struct report *r, code_t node,
					     uint64_t seq, long long t_ms)
{
	r->schema = REPORT_SCHEMA;
	r->node = node;
	r->level = code_level(node);
	r->parent = code_parent(node);
	r->seq = seq;
	r->time_ms = t_ms;
	snprintf(r->agent_version, sizeof(r->agent_version), "0.11.0");
	r->uptime_s = (long long)seq * 60;
	r->interval_s = 60;
	snprintf(r->profile, sizeof(r->profile), "county");
	snprintf(r->profile_version, sizeof(r->profile_version), "2026.3");
	snprintf(r->profile_hash, sizeof(r->profile_hash),
		 "sha256:9f2c4e0a1b7d3c5e8f6a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e");
	r->apply = RPT_APPLY_CONVERGED;
	r->drift = false;
	r->drift_text[0] = '\0';
	r->n_links = r->n_targets = r->n_pairs = r->n_events = 0;
}

/* Link @i with counters that grow by @rate bytes per report. */
__attribute__((unused)) static void rpt_link(struct report *r, int i,
					     const char *name,
					     enum report_oper st,
					     uint64_t rx, uint64_t tx)
{
	struct report_link *l = &r->links[i];

	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->role, sizeof(l->role), "%s", i == 0 ? "uplink" : "downlink");
	snprintf(l->zone, sizeof(l->zone), "extranet");
	l->state = st;
	l->has_counters = true;
	l->rx_bytes = rx;
	l->tx_bytes = tx;
	l->rx_packets = rx / 800;
	l->tx_packets = tx / 800;
	l->rx_bps = (double)(rx % 100000);
	l->tx_bps = (double)(tx % 100000);
	if (r->n_links <= i)
		r->n_links = i + 1;
}

__attribute__((unused)) static void rpt_target(struct report *r, int i,
					       code_t code,
					       enum report_oper st, double rtt,
					       double loss)
{
	struct report_target *t = &r->targets[i];

	memset(t, 0, sizeof(*t));
	t->code = code;
	snprintf(t->name, sizeof(t->name), "t%d", i);
	t->rel = i == 0 ? RPT_REL_PARENT : RPT_REL_CHILD;
	t->state = st;
	t->rtt_ms = rtt;
	t->rtt_avg_ms = rtt;
	t->jitter_ms = rtt >= 0 ? rtt / 10 : -1;
	t->loss_pct = loss;
	t->stamps = rtt >= 0 ? RPT_STAMP_EBPF : RPT_STAMP_NONE;
	t->sent = 60;
	t->received = (uint64_t)(60 - loss * 0.6);
	if (r->n_targets <= i)
		r->n_targets = i + 1;
}

/* An apply result among the report's events. */
__attribute__((unused)) static void rpt_apply(struct report *r, long long t_ms,
					      bool ok, const char *hash,
					      const char *text)
{
	struct report_event *e = &r->events[r->n_events++];

	memset(e, 0, sizeof(*e));
	e->time_ms = t_ms;
	e->type = RPT_EV_APPLY;
	e->ok = ok;
	snprintf(e->hash, sizeof(e->hash), "%s", hash);
	snprintf(e->text, sizeof(e->text), "%s", text);
}

/* A county gateway's report number @seq: 12 links (counters growing with
 * seq), 20 targets (its parent, then townships), all up. */
__attribute__((unused)) static void rpt_county(struct report *r, code_t node,
					       uint64_t seq, long long t_ms)
{
	char name[16];

	rpt_base(r, node, seq, t_ms);
	for (int i = 0; i < RPT_LINKS; i++) {
		snprintf(name, sizeof(name), i ? "down%d" : "uplink", i);
		rpt_link(r, i, name, RPT_OPER_UP,
			 seq * 1000003ULL * (i + 1), seq * 700001ULL * (i + 1));
	}
	for (int i = 0; i < RPT_TARGETS; i++)
		rpt_target(r, i, i == 0 ? code_parent(node) : node + i * 1000ULL,
			   RPT_OPER_UP, 1.0 + (double)((seq + i) % 7),
			   (double)((seq + i) % 3));
}

#endif
