// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the engine's users read back: one node, coverage of a region, the
 * open outages and the nodes each cuts off, the queued events, the nodes
 * that report without being in the inventory.  Reading changes nothing
 * except topo_events(), which takes what it returns off the queue.
 */
#include "collector/topo/topo_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int topo_node(const struct topo *t, code_t code, struct topo_node_info *out)
{
	int32_t i = topo_find(t, code), top = -1;
	const struct tnode *x;

	if (i < 0)
		return -ENOENT;
	x = &t->n[i];
	memset(out, 0, sizeof(*out));
	out->code = x->code;
	out->level = x->level;
	out->state = x->state;
	out->down = x->down;
	out->refused = x->refused;
	out->rtt_ms = x->rtt;
	out->loss_pct = x->loss;
	out->jitter_ms = x->jitter;
	if (x->agent >= 0) {
		const struct tagent *a = &t->a[x->agent];

		out->agent = true;
		out->fresh = a->fresh;
		out->wrong_parent = a->wrong_parent;
		out->said_parent = a->said_parent;
		out->last_ms = a->time_ms;
		out->up = a->up;
		out->uplink = a->uplink;
		out->ignored = a->ignored;
	}
	for (int32_t j = i; j >= 0; j = t->n[j].parent)
		if (t->n[j].outage >= 0)
			top = j;
	out->outage = top >= 0 ? t->n[top].code : 0;
	return 0;
}

int topo_coverage(const struct topo *t, code_t region,
		  struct topo_coverage *out)
{
	memset(out, 0, sizeof(*out));
	if (region == 0) {
		memcpy(out->count, t->total, sizeof(out->count));
	} else {
		int32_t i = topo_find(t, region);

		if (i < 0)
			return -ENOENT;
		if (t->n[i].agent >= 0)
			memcpy(out->count, t->a[t->n[i].agent].cnt,
			       sizeof(out->count));
		else
			out->count[LEVEL_VILLAGE][t->n[i].state] = 1;
	}
	for (int l = 0; l < LEVEL_COUNT; l++) {
		for (int s = 0; s < TOPO_STATE__N; s++)
			out->expected[l] += out->count[l][s];
		out->connected[l] = out->count[l][TOPO_CONNECTED] +
				    out->count[l][TOPO_DEGRADED];
	}
	return 0;
}

/* 11504 as "11,504" */
static char *thousands(int v, char *buf, size_t len)
{
	char raw[16];
	int n = snprintf(raw, sizeof(raw), "%d", v < 0 ? 0 : v), w = 0;

	for (int i = 0; i < n && (size_t)w + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[w++] = ',';
		buf[w++] = raw[i];
	}
	buf[w] = '\0';
	return buf;
}

char *topo_coverage_line(const struct topo_coverage *c, enum code_level l,
			 char *buf, size_t len)
{
	static const char *const plural[LEVEL_COUNT] = {
		"provinces", "cities", "counties", "townships", "villages"};
	char a[16], b[16];

	if (l < 0 || l >= LEVEL_COUNT) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (c->expected[l] == 0)
		snprintf(buf, len, "%s 0 / 0", plural[l]);
	else
		snprintf(buf, len, "%s %s / %s = %.2f %%", plural[l],
			 thousands(c->connected[l], a, sizeof(a)),
			 thousands(c->expected[l], b, sizeof(b)),
			 100.0 * c->connected[l] / c->expected[l]);
	return buf;
}

int topo_outages(const struct topo *t, struct topo_outage *out, int max)
{
	int n = 0;

	/* slots are in no order; the nodes are: walk the roots by code */
	if (t->open_out == 0)
		return 0;
	for (int32_t i = 0; i < t->nn && n < t->open_out; i++) {
		if (t->n[i].outage < 0)
			continue;
		if (n < max) {
			struct topo_outage *o = &out[n];

			o->root = t->n[i].code;
			o->state = t->n[i].state;
			o->opened_ms = t->out[t->n[i].outage].opened_ms;
			topo_outage_counts(t, i, o->cut, &o->total);
		}
		n++;
	}
	return n;
}

int topo_outage_cut(const struct topo *t, code_t root, enum code_level level,
		    code_t *out, int max)
{
	int32_t i = topo_find(t, root);
	int n = 0;

	if (i < 0 || t->n[i].outage < 0)
		return -ENOENT;
	for (int32_t j = i + 1; j < t->n[i].end; j++) {
		if (t->n[j].level != level || !topo_cutoff(t->n[j].state))
			continue;
		if (n < max)
			out[n] = t->n[j].code;
		n++;
	}
	return n;
}

int topo_events(struct topo *t, struct topo_event *out, int max)
{
	int n = max < t->nev ? max : t->nev;

	if (n <= 0)
		return 0;
	memcpy(out, t->ev, (size_t)n * sizeof(*out));
	memmove(t->ev, t->ev + n, (size_t)(t->nev - n) * sizeof(*t->ev));
	t->nev -= n;
	return n;
}

int topo_unexpected(const struct topo *t, struct topo_unexpected *out,
		    int max)
{
	for (int32_t k = 0; k < t->nunexp && k < max; k++)
		out[k] = (struct topo_unexpected){
			.code = t->unexp[k].code,
			.parent = t->unexp[k].parent,
			.last_ms = t->unexp[k].last_ms,
			.reports = t->unexp[k].reports,
		};
	return t->nunexp;
}
