// SPDX-License-Identifier: BSD-2-Clause
/* Per-minute and hourly aggregation of a node's series; see storeagg.h. */
#include "collector/store/storeagg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/store/storediff.h"

static void storeagg_lrow(struct store_series_row *row, const char *name,
			  long long t, bool hourly,
			  const struct storeagg_lacc *a)
{
	memset(row, 0, sizeof(*row));
	row->kind = STORE_SERIES_LINK;
	snprintf(row->key, sizeof(row->key), "%s", name);
	row->t_ms = t;
	row->hourly = hourly;
	row->rx_bytes = a->rx;
	row->tx_bytes = a->tx;
	row->rx_bps = (double)a->rx_bps / a->n;
	row->tx_bps = (double)a->tx_bps / a->n;
	row->rtt_avg = row->rtt_min = row->rtt_max = row->loss_pct =
		row->jitter_avg = -1;
	row->samples = a->n;
}

static void storeagg_trow(struct store_series_row *row, code_t code,
			  long long t, bool hourly,
			  const struct storeagg_tacc *a)
{
	memset(row, 0, sizeof(*row));
	row->kind = STORE_SERIES_TARGET;
	code_format(code, row->key);
	row->t_ms = t;
	row->hourly = hourly;
	row->rtt_avg = a->n_rtt ? (double)a->rtt / a->n_rtt : -1;
	row->rtt_min = a->n_rtt ? a->rtt_min : -1;
	row->rtt_max = a->n_rtt ? a->rtt_max : -1;
	row->loss_pct = (double)a->loss / a->n;
	row->jitter_avg = a->n_jit ? (double)a->jit / a->n_jit : -1;
	row->samples = a->n;
	row->rtt_samples = a->n_rtt;
	row->jitter_samples = a->n_jit;
}

/* A minute into its hour; the means only while the count holds them
 * (storerep.h: precision). */
static void storeagg_ladd(struct storeagg_lacc *h,
			  const struct storeagg_lacc *m)
{
	h->rx += m->rx;
	h->tx += m->tx;
	if ((uint32_t)h->n + m->n > STOREAGG_N_MAX)
		return;
	h->rx_bps += m->rx_bps;
	h->tx_bps += m->tx_bps;
	h->n = (uint16_t)(h->n + m->n);
}

static void storeagg_tadd(struct storeagg_tacc *h,
			  const struct storeagg_tacc *m)
{
	if (m->n_rtt) {
		if (!h->n_rtt || m->rtt_min < h->rtt_min)
			h->rtt_min = m->rtt_min;
		if (!h->n_rtt || m->rtt_max > h->rtt_max)
			h->rtt_max = m->rtt_max;
	}
	if ((uint32_t)h->n + m->n > STOREAGG_N_MAX)
		return;
	h->rtt += m->rtt;
	h->loss += m->loss;
	h->jit += m->jit;
	h->n = (uint16_t)(h->n + m->n);
	h->n_rtt = (uint16_t)(h->n_rtt + m->n_rtt);
	h->n_jit = (uint16_t)(h->n_jit + m->n_jit);
}

int storeagg_close_hour(struct storestate *s, code_t node, storeagg_fn fn,
			void *arg)
{
	struct store_series_row row;
	int rc = storeagg_close(s, node, fn, arg);

	if (s->hour_ms < 0)
		return rc;
	for (int i = 0; i < s->n_links; i++) {
		struct storestate_link *l = &s->links[i];

		if (!l->h.n)
			continue;
		storeagg_lrow(&row, storenow_links(s->cur)[i].name, s->hour_ms,
			      true, &l->h);
		if (!rc)
			rc = fn(arg, node, &row);
		memset(&l->h, 0, sizeof(l->h));
	}
	for (int i = 0; i < s->n_targets; i++) {
		struct storestate_target *t = &s->targets[i];

		if (!t->h.n)
			continue;
		storeagg_trow(&row, storenow_targets(s->cur)[i].code,
			      s->hour_ms, true, &t->h);
		if (!rc)
			rc = fn(arg, node, &row);
		memset(&t->h, 0, sizeof(t->h));
	}
	s->hour_ms = -1;
	return rc;
}

int storeagg_close(struct storestate *s, code_t node, storeagg_fn fn,
		   void *arg)
{
	long long hour = s->minute_ms - s->minute_ms % STOREAGG_HOUR_MS;
	struct store_series_row row;
	int rc = 0;

	if (s->minute_ms < 0)
		return 0;
	if (s->hour_ms >= 0 && s->hour_ms != hour) {
		long long m = s->minute_ms;

		s->minute_ms = -1; /* the hour without this minute */
		rc = storeagg_close_hour(s, node, fn, arg);
		s->minute_ms = m;
	}
	s->hour_ms = hour;
	for (int i = 0; i < s->n_links; i++) {
		struct storestate_link *l = &s->links[i];

		if (!l->m.n)
			continue;
		storeagg_lrow(&row, storenow_links(s->cur)[i].name,
			      s->minute_ms, false, &l->m);
		if (!rc)
			rc = fn(arg, node, &row);
		storeagg_ladd(&l->h, &l->m);
		memset(&l->m, 0, sizeof(l->m));
	}
	for (int i = 0; i < s->n_targets; i++) {
		struct storestate_target *t = &s->targets[i];

		if (!t->m.n)
			continue;
		storeagg_trow(&row, storenow_targets(s->cur)[i].code,
			      s->minute_ms, false, &t->m);
		if (!rc)
			rc = fn(arg, node, &row);
		storeagg_tadd(&t->h, &t->m);
		memset(&t->m, 0, sizeof(t->m));
	}
	s->minute_ms = -1;
	return rc;
}

/* @l's report into @d's open minute; @prev is the link in the previous
 * report (NULL: a new one, whose first report has nothing to take a delta
 * from, as has one that came without counters). */
static void storeagg_link(struct storestate_link *d,
			  const struct store_link_now *prev,
			  const struct storerep_link *l)
{
	if (!l->has_counters)
		return;
	if (prev && prev->has_counters) {
		d->m.rx += l->rx_bytes >= prev->rx_bytes
				   ? l->rx_bytes - prev->rx_bytes
				   : l->rx_bytes;
		d->m.tx += l->tx_bytes >= prev->tx_bytes
				   ? l->tx_bytes - prev->tx_bytes
				   : l->tx_bytes;
	}
	if (d->m.n < STOREAGG_N_MAX) {
		d->m.rx_bps += (float)l->rx_bps;
		d->m.tx_bps += (float)l->tx_bps;
		d->m.n++;
	}
}

static void storeagg_target(struct storestate_target *d,
			    const struct storerep_target *g)
{
	double rtt = g->rtt_avg_ms >= 0 ? g->rtt_avg_ms : g->rtt_ms;
	double one = g->rtt_ms >= 0 ? g->rtt_ms : rtt;
	struct storeagg_tacc *a = &d->m;

	if (a->n == STOREAGG_N_MAX)
		return; /* saturated: storerep.h */
	if (rtt >= 0) {
		if (!a->n_rtt || one < a->rtt_min)
			a->rtt_min = (float)one;
		if (!a->n_rtt || one > a->rtt_max)
			a->rtt_max = (float)one;
		a->rtt += (float)rtt;
		a->n_rtt++;
	}
	if (g->jitter_ms >= 0) {
		a->jit += (float)g->jitter_ms;
		a->n_jit++;
	}
	a->loss += g->loss_pct >= 0 ? (float)g->loss_pct : 0;
	a->n++;
}

/* True when @cur has exactly the links and targets of @s, in order. */
static bool storeagg_same_keys(const struct storestate *s,
			       const struct storerep *cur)
{
	if (s->n_links != cur->n_links || s->n_targets != cur->n_targets)
		return false;
	for (int i = 0; i < cur->n_links; i++)
		if (strcmp(storenow_links(s->cur)[i].name, cur->links[i].name))
			return false;
	for (int i = 0; i < cur->n_targets; i++)
		if (storenow_targets(s->cur)[i].code != cur->targets[i].code)
			return false;
	return true;
}

/*
 * Sums in @cur's order, carrying those of the keys @s had (by name, by
 * code); the others start empty.  Into *@l and *@t (one allocation, *@l
 * the one to free), or -ENOMEM.
 */
static int storeagg_rekey(const struct storestate *s,
			  const struct storerep *cur,
			  struct storestate_link **l,
			  struct storestate_target **t)
{
	size_t nl = (size_t)cur->n_links, nt = (size_t)cur->n_targets;

	*l = NULL;
	*t = NULL;
	if (!nl && !nt)
		return 0;
	*l = calloc(1, nl * sizeof(**l) + nt * sizeof(**t));
	if (!*l)
		return -ENOMEM;
	*t = (struct storestate_target *)(*l + nl);
	for (size_t i = 0; i < nl; i++) {
		int k = storediff_link(s, cur->links[i].name, (int)i);

		if (k >= 0)
			(*l)[i] = s->links[k];
	}
	for (size_t i = 0; i < nt; i++) {
		int k = storediff_target(s, cur->targets[i].code, (int)i);

		if (k >= 0)
			(*t)[i] = s->targets[k];
	}
	return 0;
}

int storeagg_advance(struct storestate *s, const struct storerep *cur,
		     storeagg_fn fn, void *arg)
{
	long long m = cur->time_ms > 0 ? cur->time_ms -
						 cur->time_ms % STOREAGG_MINUTE_MS
				       : 0;
	struct storenow *old = s->cur, *nw;
	int rc = 0;

	if (s->seen && cur->seq <= s->seq)
		return 0;
	nw = storenow_from_rep(cur);
	if (!nw)
		return -ENOMEM;
	if (!storeagg_same_keys(s, cur)) {
		struct storestate_link *l;
		struct storestate_target *t;

		if (storeagg_rekey(s, cur, &l, &t)) {
			storenow_unref(nw);
			return -ENOMEM;
		}
		/* a link gone loses its open minute and hour */
		free(s->links);
		s->links = l;
		s->targets = t;
		s->n_links = (uint16_t)cur->n_links;
		s->n_targets = (uint16_t)cur->n_targets;
	}
	/* the keys are the new report's from here; the previous one's
	 * counters stay in @old for the deltas */
	s->cur = nw;
	if (s->minute_ms >= 0 && m != s->minute_ms)
		rc = storeagg_close(s, cur->node, fn, arg);
	if (s->hour_ms >= 0 && m - m % STOREAGG_HOUR_MS != s->hour_ms) {
		int r2 = storeagg_close_hour(s, cur->node, fn, arg);

		rc = rc ? rc : r2;
	}
	s->minute_ms = m;
	for (int i = 0; i < cur->n_links; i++) {
		int k = storenow_link(old, cur->links[i].name, i);

		storeagg_link(&s->links[i],
			      k >= 0 ? &storenow_links(old)[k] : NULL,
			      &cur->links[i]);
	}
	for (int i = 0; i < cur->n_targets; i++)
		storeagg_target(&s->targets[i], &cur->targets[i]);
	storenow_unref(old);
	s->seen = true;
	s->seq = cur->seq;
	s->time_ms = cur->time_ms;
	s->uptime_s = cur->uptime_s;
	s->drift = cur->drift;
	s->apply = (uint8_t)cur->apply;
	return rc;
}
