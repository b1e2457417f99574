// SPDX-License-Identifier: BSD-2-Clause
/*
 * Outages at their root: after every call, the nodes whose state changed
 * are looked at, with the topmost broken nodes in their subtrees (found
 * through the subtree counts, so a branch without a broken node is not
 * walked), and an outage is opened for every broken node with no broken
 * ancestor and closed for every root that is no longer one (repaired, or
 * subsumed by a new root above).  Opens are queued before closes, so a
 * subsumed outage's close names a root that is already open.
 */
#include "collector/topo/topo_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The topmost broken strict ancestor of i, or -1. */
static int32_t broken_above(const struct topo *t, int32_t i)
{
	int32_t top = -1;

	for (int32_t j = t->n[i].parent; j >= 0; j = t->n[j].parent)
		if (topo_broken(t->n[j].state))
			top = j;
	return top;
}

void topo_outage_counts(const struct topo *t, int32_t i, int cut[LEVEL_COUNT],
			int *total)
{
	const struct tnode *x = &t->n[i];

	memset(cut, 0, LEVEL_COUNT * sizeof(*cut));
	*total = 0;
	if (x->agent < 0)
		return;
	for (int l = x->level + 1; l < LEVEL_COUNT; l++) {
		const int32_t *c = t->a[x->agent].cnt[l];

		cut[l] = c[TOPO_UNREACHABLE] + c[TOPO_ISOLATED] + c[TOPO_SILENT];
		*total += cut[l];
	}
}

static int queue(struct topo *t, enum topo_ev_type type, int32_t i,
		 long long opened, code_t by)
{
	struct topo_event *e;
	int total;

	if (topo_grow((void **)&t->ev, &t->capev, t->nev + 1, sizeof(*t->ev)))
		return -ENOMEM;
	e = &t->ev[t->nev++];
	*e = (struct topo_event){
		.type = type,
		.root = t->n[i].code,
		.state = t->n[i].state,
		.opened_ms = opened,
		.time_ms = t->now,
		.subsumed_by = by,
	};
	topo_outage_counts(t, i, e->cut, &total);
	return 0;
}

int topo_outage_open(struct topo *t, int32_t i)
{
	int32_t s = t->free_out;

	if (s >= 0) {
		t->free_out = t->out[s].next_free;
	} else {
		if (topo_grow((void **)&t->out, &t->capout, t->nout + 1,
			      sizeof(*t->out)))
			return -ENOMEM;
		s = t->nout++;
	}
	t->out[s] = (struct toutage){.node = i, .next_free = -1,
				     .opened_ms = t->now};
	t->n[i].outage = s;
	t->open_out++;
	return queue(t, TOPO_EV_OPEN, i, t->now, 0);
}

int topo_outage_close(struct topo *t, int32_t i, code_t subsumed_by)
{
	int32_t s = t->n[i].outage;
	int rc = queue(t, TOPO_EV_CLOSE, i, t->out[s].opened_ms, subsumed_by);

	t->out[s].node = -1;
	t->out[s].next_free = t->free_out;
	t->free_out = s;
	t->n[i].outage = -1;
	t->open_out--;
	return rc;
}

struct pending {
	int32_t *v;
	int32_t n, cap;
};

/* Settle node i: open when it should be a root, note a close when not. */
static int settle(struct topo *t, int32_t i, struct pending *close)
{
	bool root = topo_broken(t->n[i].state) && broken_above(t, i) < 0;

	if (root && t->n[i].outage < 0)
		return topo_outage_open(t, i);
	if (!root && t->n[i].outage >= 0) {
		if (topo_grow((void **)&close->v, &close->cap, close->n + 1,
			      sizeof(*close->v)))
			return -ENOMEM;
		close->v[close->n++] = i;
	}
	return 0;
}

/* Does the subtree of c (itself included) hold a broken node or a root? */
static bool has_broken(const struct topo *t, int32_t c)
{
	const struct tnode *x = &t->n[c];

	if (x->agent < 0)
		return topo_broken(x->state) || x->outage >= 0;
	for (int l = x->level; l < LEVEL_COUNT; l++)
		if (t->a[x->agent].cnt[l][TOPO_UNREACHABLE] ||
		    t->a[x->agent].cnt[l][TOPO_SILENT])
			return true;
	return false;
}

/* The topmost broken nodes below i (and the roots left there). */
static int settle_below(struct topo *t, int32_t i, struct pending *close)
{
	int rc = 0;

	for (int32_t c = i + 1; rc == 0 && c < t->n[i].end; c = t->n[c].end) {
		if (!has_broken(t, c))
			continue;
		rc = settle(t, c, close);
		if (rc == 0 && !topo_broken(t->n[c].state))
			rc = settle_below(t, c, close);
	}
	return rc;
}

int topo_outage_update(struct topo *t)
{
	struct pending close = {0};
	int rc = 0;

	for (int32_t k = 0; rc == 0 && k < t->nchanged; k++) {
		int32_t i = t->changed[k];

		rc = settle(t, i, &close);
		if (rc == 0 && t->n[i].agent >= 0)
			rc = settle_below(t, i, &close);
	}
	for (int32_t k = 0; rc == 0 && k < close.n; k++) {
		int32_t i = close.v[k], top;

		if (t->n[i].outage < 0)
			continue; /* listed twice */
		top = broken_above(t, i);
		rc = topo_outage_close(t, i, top >= 0 ? t->n[top].code : 0);
	}
	free(close.v);
	return rc;
}
