// SPDX-License-Identifier: BSD-2-Clause
/* Per-minute aggregation of a node's links and targets; see storeagg.h. */
#include "collector/store/storeagg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/store/storediff.h"

int storeagg_close(struct storestate *s, code_t node, storeagg_fn fn,
		   void *arg)
{
	struct store_series_row row;
	int rc = 0;

	if (s->minute_ms < 0)
		return 0;
	for (int i = 0; i < s->n_links; i++) {
		struct storestate_link *l = &s->links[i];

		if (!l->a_n)
			continue;
		memset(&row, 0, sizeof(row));
		row.kind = STORE_SERIES_LINK;
		snprintf(row.key, sizeof(row.key), "%s", l->name);
		row.t_ms = s->minute_ms;
		row.rx_bytes = l->a_rx;
		row.tx_bytes = l->a_tx;
		row.rx_bps = l->a_rx_bps / l->a_n;
		row.tx_bps = l->a_tx_bps / l->a_n;
		row.rtt_avg = row.rtt_min = row.rtt_max = row.loss_pct =
			row.jitter_avg = -1;
		row.samples = l->a_n;
		if (!rc)
			rc = fn(arg, node, &row);
		l->a_rx = l->a_tx = 0;
		l->a_rx_bps = l->a_tx_bps = 0;
		l->a_n = 0;
	}
	for (int i = 0; i < s->n_targets; i++) {
		struct storestate_target *t = &s->targets[i];

		if (!t->a_n)
			continue;
		memset(&row, 0, sizeof(row));
		row.kind = STORE_SERIES_TARGET;
		code_format(t->code, row.key);
		row.t_ms = s->minute_ms;
		row.rtt_avg = t->a_n_rtt ? t->a_rtt_sum / t->a_n_rtt : -1;
		row.rtt_min = t->a_n_rtt ? t->a_rtt_min : -1;
		row.rtt_max = t->a_n_rtt ? t->a_rtt_max : -1;
		row.loss_pct = t->a_loss_sum / t->a_n;
		row.jitter_avg = t->a_n_jit ? t->a_jit_sum / t->a_n_jit : -1;
		row.samples = t->a_n;
		row.rtt_samples = t->a_n_rtt;
		row.jitter_samples = t->a_n_jit;
		if (!rc)
			rc = fn(arg, node, &row);
		memset(&t->a_n, 0,
		       sizeof(*t) - offsetof(struct storestate_target, a_n));
	}
	s->minute_ms = -1;
	return rc;
}

/* A new key (calloc'd) has has_counters false: no delta on its first
 * report, there is nothing to take it from. */
static void storeagg_link(struct storestate_link *d,
			  const struct storerep_link *l)
{
	if (l->has_counters) {
		if (d->has_counters) {
			d->a_rx += l->rx_bytes >= d->rx ? l->rx_bytes - d->rx
							: l->rx_bytes;
			d->a_tx += l->tx_bytes >= d->tx ? l->tx_bytes - d->tx
							: l->tx_bytes;
		}
		d->a_rx_bps += l->rx_bps;
		d->a_tx_bps += l->tx_bps;
		d->a_n++;
		d->rx = l->rx_bytes;
		d->tx = l->tx_bytes;
	}
	d->has_counters = l->has_counters;
	d->state = l->state;
}

static void storeagg_target(struct storestate_target *d,
			    const struct storerep_target *g)
{
	double rtt = g->rtt_avg_ms >= 0 ? g->rtt_avg_ms : g->rtt_ms;
	double one = g->rtt_ms >= 0 ? g->rtt_ms : rtt;

	if (rtt >= 0) {
		if (!d->a_n_rtt || one < d->a_rtt_min)
			d->a_rtt_min = (float)one;
		if (!d->a_n_rtt || one > d->a_rtt_max)
			d->a_rtt_max = (float)one;
		d->a_rtt_sum += rtt;
		d->a_n_rtt++;
	}
	if (g->jitter_ms >= 0) {
		d->a_jit_sum += g->jitter_ms;
		d->a_n_jit++;
	}
	d->a_loss_sum += g->loss_pct >= 0 ? g->loss_pct : 0;
	d->a_n++;
	d->state = g->state;
}

/* True when @cur has exactly the links and targets of @s, in order. */
static bool storeagg_same_keys(const struct storestate *s,
			       const struct storerep *cur)
{
	if (s->n_links != cur->n_links || s->n_targets != cur->n_targets)
		return false;
	for (int i = 0; i < cur->n_links; i++)
		if (strcmp(s->links[i].name, cur->links[i].name))
			return false;
	for (int i = 0; i < cur->n_targets; i++)
		if (s->targets[i].code != cur->targets[i].code)
			return false;
	return true;
}

int storeagg_advance(struct storestate *s, const struct storerep *cur,
		     storeagg_fn fn, void *arg)
{
	long long m = cur->time_ms > 0 ? cur->time_ms -
						 cur->time_ms % STOREAGG_MINUTE_MS
				       : 0;
	int rc = 0;

	if (s->seen && cur->seq <= s->seq)
		return 0;
	if (!storeagg_same_keys(s, cur)) {
		struct storestate_link *l = NULL;
		struct storestate_target *t = NULL;

		if (cur->n_links &&
		    !(l = calloc(cur->n_links, sizeof(*l))))
			return -ENOMEM;
		if (cur->n_targets &&
		    !(t = calloc(cur->n_targets, sizeof(*t)))) {
			free(l);
			return -ENOMEM;
		}
		for (int i = 0; i < cur->n_links; i++) {
			int k = storediff_link(s, cur->links[i].name, i);

			if (k >= 0)
				l[i] = s->links[k];
			else
				snprintf(l[i].name, sizeof(l[i].name), "%s",
					 cur->links[i].name);
		}
		for (int i = 0; i < cur->n_targets; i++) {
			int k = storediff_target(s, cur->targets[i].code, i);

			if (k >= 0)
				t[i] = s->targets[k];
			else
				t[i].code = cur->targets[i].code;
		}
		free(s->links);
		free(s->targets);
		s->links = l;
		s->targets = t;
		s->n_links = (uint16_t)cur->n_links;
		s->n_targets = (uint16_t)cur->n_targets;
	}
	if (s->minute_ms >= 0 && m != s->minute_ms)
		rc = storeagg_close(s, cur->node, fn, arg);
	s->minute_ms = m;
	for (int i = 0; i < cur->n_links; i++)
		storeagg_link(&s->links[i], &cur->links[i]);
	for (int i = 0; i < cur->n_targets; i++)
		storeagg_target(&s->targets[i], &cur->targets[i]);
	s->seen = true;
	s->seq = cur->seq;
	s->time_ms = cur->time_ms;
	s->uptime_s = cur->uptime_s;
	s->drift = cur->drift;
	s->apply = (uint8_t)cur->apply;
	return rc;
}
