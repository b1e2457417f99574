// SPDX-License-Identifier: BSD-2-Clause
/*
 * The decision table of topo.h as one pure function, and the gathering of
 * one node's inputs from the engine's records.  Both the incremental path
 * and the full recompute call these two, so the table lives in one place;
 * topo_decide names the row it took, so the tests can prove every row.
 */
#include "collector/topo/topo_int.h"

#include <string.h>

const char *const topo_state_words[] = {
	[TOPO_NEVER] = "never",
	[TOPO_CONNECTED] = "connected",
	[TOPO_DEGRADED] = "degraded",
	[TOPO_UNCONFIRMED] = "unconfirmed",
	[TOPO_UNREACHABLE] = "unreachable",
	[TOPO_ISOLATED] = "isolated",
	[TOPO_SILENT] = "silent",
};

void topo_opts_default(struct topo_opts *o)
{
	static const double rtt[LEVEL_COUNT] = {100, 100, 150, 200, 300};

	memset(o, 0, sizeof(*o));
	for (int l = 0; l < LEVEL_COUNT; l++) {
		o->interval_ms[l] = 30000;
		o->loss_pct[l] = 2;
		o->rtt_ms[l] = rtt[l];
	}
	o->fresh_intervals = 3;
}

#define ROW(name, st)                                                         \
	do {                                                                  \
		if (row)                                                      \
			*row = (name);                                        \
		return (st);                                                  \
	} while (0)

static bool parent_cut(enum topo_state p)
{
	return p == TOPO_UNREACHABLE || p == TOPO_ISOLATED;
}

static bool parent_dark(enum topo_state p)
{
	return p == TOPO_SILENT || p == TOPO_NEVER;
}

/* Both ends say up: the parent's quality passes down to the child. */
static enum topo_state confirmed(const struct topo_in *in)
{
	if (in->parent == TOPO_UNCONFIRMED)
		return TOPO_UNCONFIRMED;
	if (in->parent == TOPO_DEGRADED || in->over)
		return TOPO_DEGRADED;
	return TOPO_CONNECTED;
}

static enum topo_state decide_province(const struct topo_in *in,
				       const char **row)
{
	if (!in->seen)
		ROW("P1", TOPO_NEVER);
	if (in->fresh)
		ROW("P2", TOPO_CONNECTED);
	if (in->carried)
		ROW("P3", TOPO_SILENT);
	ROW("P4", TOPO_UNREACHABLE);
}

static enum topo_state decide_village(const struct topo_in *in,
				      const char **row)
{
	if (!in->seen)
		ROW("V1", TOPO_NEVER);
	if (parent_cut(in->parent) || parent_dark(in->parent))
		ROW("V2", TOPO_ISOLATED);
	if (in->down == TOPO_VIEW_DOWN)
		ROW("V3", TOPO_UNREACHABLE);
	if (in->down == TOPO_VIEW_UP)
		ROW("V4", confirmed(in));
	ROW("V5", TOPO_UNCONFIRMED);
}

enum topo_state topo_decide(const struct topo_in *in, const char **row)
{
	if (in->level == LEVEL_PROVINCE || in->parent == TOPO_NONE)
		return decide_province(in, row);
	if (in->level == LEVEL_VILLAGE)
		return decide_village(in, row);
	if (!in->seen)
		ROW("A1", TOPO_NEVER);
	if (parent_cut(in->parent))
		ROW("A2", TOPO_ISOLATED);
	/* the parent cannot reach it: down, and not refused by the gateway */
	bool lost = in->down == TOPO_VIEW_DOWN && !in->refused;

	if (!in->fresh) {
		if (in->carried)
			ROW("A3", TOPO_SILENT);
		if (in->down == TOPO_VIEW_DOWN && in->refused)
			ROW("A4", TOPO_SILENT);
		if (lost)
			ROW("A5", TOPO_UNREACHABLE);
		if (in->down == TOPO_VIEW_UP && in->recovering)
			ROW("A6", TOPO_UNCONFIRMED);
		if (in->parent == TOPO_CONNECTED || in->parent == TOPO_DEGRADED)
			ROW("A7", TOPO_SILENT);
		ROW("A8", TOPO_ISOLATED);
	}
	if (in->uplink == TOPO_VIEW_DOWN)
		ROW("A9", TOPO_UNREACHABLE);
	if (in->wrong_parent)
		ROW("A10", lost ? TOPO_UNREACHABLE : TOPO_UNCONFIRMED);
	if (parent_dark(in->parent))
		ROW("A11", in->over ? TOPO_DEGRADED : TOPO_CONNECTED);
	if (lost || in->up == TOPO_VIEW_DOWN)
		ROW("A12", TOPO_UNREACHABLE);
	if (in->down == TOPO_VIEW_DOWN)
		ROW("A13", TOPO_UNCONFIRMED); /* refused, reports not late */
	if (in->down == TOPO_VIEW_UP && in->up == TOPO_VIEW_UP)
		ROW("A14", confirmed(in));
	ROW("A15", TOPO_UNCONFIRMED);
}

static bool over(const struct topo *t, int level, double loss, double rtt)
{
	return (t->o.loss_pct[level] > 0 && loss > t->o.loss_pct[level]) ||
	       (t->o.rtt_ms[level] > 0 && rtt > t->o.rtt_ms[level]);
}

void topo_gather(const struct topo *t, int32_t i, const uint8_t *states,
		 const int32_t *fresh_below, const long long *below_ms,
		 struct topo_in *in)
{
	const struct tnode *n = &t->n[i];
	const struct tagent *a = n->agent >= 0 ? &t->a[n->agent] : NULL;
	const struct tagent *pa = NULL;
	double loss = -1, rtt = -1;

	memset(in, 0, sizeof(*in));
	in->level = n->level;
	in->parent = TOPO_NONE;
	if (n->parent >= 0) {
		in->parent = states ? states[n->parent] : t->n[n->parent].state;
		pa = &t->a[t->n[n->parent].agent];
	}
	if (pa && pa->fresh) {
		in->down = n->down;
		/* a refusal says something only of a probe that failed */
		in->refused = a && n->refused && n->down == TOPO_VIEW_DOWN;
		loss = n->loss;
		rtt = n->rtt;
	}
	if (!a) {
		in->seen = n->seen;
	} else {
		in->seen = a->time_ms > 0;
		in->fresh = a->fresh;
		int32_t fb = fresh_below ? fresh_below[n->agent]
					 : a->fresh_below;
		long long bm = below_ms ? below_ms[n->agent] : a->below_ms;

		in->carried = fb > 0 &&
			      bm > a->time_ms + t->o.interval_ms[n->level];
		in->recovering = !a->fresh && a->up_since > a->time_ms &&
				 t->now - a->up_since <=
					 topo_window(t, n->level);
		if (a->fresh) {
			in->wrong_parent = a->wrong_parent;
			in->up = n->parent >= 0 ? a->up : TOPO_VIEW_NONE;
			in->uplink = a->uplink;
			if (a->loss > loss)
				loss = a->loss;
			if (a->rtt > rtt)
				rtt = a->rtt;
		}
	}
	in->over = over(t, n->level, loss, rtt);
}

enum topo_view topo_view_of(enum report_oper s)
{
	return s == RPT_OPER_UP     ? TOPO_VIEW_UP
	       : s == RPT_OPER_DOWN ? TOPO_VIEW_DOWN
				    : TOPO_VIEW_UNKNOWN;
}

int topo_obs_from_report(const struct report *r, long long time_ms,
			 struct topo_obs *o, struct topo_probe *buf, int max)
{
	int left = 0;

	memset(o, 0, sizeof(*o));
	o->time_ms = time_ms;
	o->parent = r->parent;
	o->uplink = RPT_OPER_UNKNOWN;
	for (int i = 0; i < r->n_links; i++)
		if (strcmp(r->links[i].role, "uplink") == 0) {
			o->uplink = r->links[i].state;
			break;
		}
	for (int i = 0; i < r->n_targets; i++) {
		const struct report_target *rt = &r->targets[i];
		struct topo_probe p = {
			.code = rt->code,
			.state = rt->state,
			.rtt_ms = rt->rtt_ms,
			.loss_pct = rt->loss_pct,
			.jitter_ms = rt->jitter_ms,
			.refused = rt->refused,
		};

		if (rt->rel == RPT_REL_PARENT) {
			if (o->up.code == 0)
				o->up = p;
			continue;
		}
		if (o->n_down >= max) {
			left++;
			continue;
		}
		buf[o->n_down++] = p;
	}
	o->down = buf;
	return left;
}
