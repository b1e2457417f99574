/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small simulated extranet for the verification engine's tests: a tree
 * of codes, and what is broken in it (a cut line above a node, a dead
 * gateway that neither reports nor answers probes, a killed agent whose
 * gateway refuses the probes (ICMP port unreachable), a hung reporter
 * whose gateway still answers, an uplink interface down, a slow edge).  Each
 * round every agent that can reach the collector (no cut on its path up)
 * reports what it would see: its probe of its parent (up unless its line
 * is cut or the parent's agent is dead) and of each child (up unless the
 * child's line is cut or its agent is dead).  Included by one test file
 * each (static definitions).
 */
#ifndef EGNET_TEST_TOPOWORLD_H
#define EGNET_TEST_TOPOWORLD_H

#include <stdbool.h>
#include <string.h>

#include "collector/topo/topo.h"

#define WORLD_MAX 512
#define WORLD_INTERVAL 1000

struct world {
	code_t code[WORLD_MAX];
	int n;
	bool cut[WORLD_MAX], dead[WORLD_MAX], hung[WORLD_MAX];
	bool killed[WORLD_MAX];
	bool uplink_down[WORLD_MAX];
	double rtt[WORLD_MAX]; /* of the edge into the node */
	long long now;
	struct topo *t;
};

static int world_idx(const struct world *w, code_t c)
{
	for (int i = 0; i < w->n; i++)
		if (w->code[i] == c)
			return i;
	return -1;
}

static void world_add(struct world *w, code_t c)
{
	w->rtt[w->n] = 5;
	w->code[w->n++] = c;
}

/* Provinces 21 and 22; under 21 two cities, three counties, four
 * townships with 3, 3, 2 and 2 villages; under 22 one of each and one
 * village.  25 nodes. */
__attribute__((unused)) static void world_build(struct world *w)
{
	static const code_t c[] = {
		210000000000, 210100000000, 210101000000, 210101001000,
		210101001001, 210101001002, 210101001003, 210101002000,
		210101002001, 210101002002, 210101002003, 210102000000,
		210102001000, 210102001001, 210102001002, 210200000000,
		210201000000, 210201001000, 210201001001, 210201001002,
		220000000000, 220100000000, 220101000000, 220101001000,
		220101001001,
	};
	struct topo_opts o;
	char err[256];

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		world_add(w, c[i]);
	topo_opts_default(&o);
	for (int l = 0; l < LEVEL_COUNT; l++)
		o.interval_ms[l] = WORLD_INTERVAL;
	w->t = topo_new(w->code, (size_t)w->n, &o, err, sizeof(err));
	if (!w->t) {
		fprintf(stderr, "topo_new: %s\n", err);
		abort();
	}
}

/* The line into i, or into any ancestor, is cut. */
static bool world_cut_above(const struct world *w, int i)
{
	for (code_t c = w->code[i]; c; c = code_parent(c))
		if (w->cut[world_idx(w, c)])
			return true;
	return false;
}

static enum report_oper world_probe(const struct world *w, int from, int to)
{
	int child = code_parent(w->code[to]) == w->code[from] ? to : from;

	return w->cut[child] || w->dead[to] || w->killed[to] ? RPT_OPER_DOWN
							   : RPT_OPER_UP;
}

/* The gateway `to` refuses the probes of `from`: its agent is killed and
 * the line between them works. */
static bool world_refused(const struct world *w, int from, int to)
{
	int child = code_parent(w->code[to]) == w->code[from] ? to : from;

	return w->killed[to] && !w->dead[to] && !w->cut[child] &&
	       code_level(w->code[to]) != LEVEL_VILLAGE;
}

/* One report from agent i as it would see the world now. */
static int world_report(struct world *w, int i)
{
	struct topo_probe down[WORLD_MAX];
	code_t p = code_parent(w->code[i]);
	struct topo_obs o = {
		.time_ms = w->now,
		.parent = p,
		.uplink = w->uplink_down[i] ? RPT_OPER_DOWN : RPT_OPER_UP,
		.down = down,
	};

	if (p) {
		int pi = world_idx(w, p);

		o.up = (struct topo_probe){p, world_probe(w, i, pi),
					   w->rtt[i], 0, 1,
					   world_refused(w, i, pi)};
	}
	for (int c = 0; c < w->n; c++)
		if (code_parent(w->code[c]) == w->code[i])
			down[o.n_down++] = (struct topo_probe){
				w->code[c], world_probe(w, i, c), w->rtt[c], 0,
				1, world_refused(w, i, c)};
	return topo_observe(w->t, w->code[i], &o, w->now);
}

/* A round: the clock moves one interval, every agent that can reports. */
__attribute__((unused)) static void world_round(struct world *w)
{
	w->now += WORLD_INTERVAL;
	for (int i = 0; i < w->n; i++) {
		if (code_level(w->code[i]) == LEVEL_VILLAGE || w->dead[i] ||
		    w->killed[i] || w->hung[i] || world_cut_above(w, i))
			continue;
		if (world_report(w, i) < 0)
			abort();
	}
	if (topo_tick(w->t, w->now) < 0)
		abort();
}

__attribute__((unused)) static void world_rounds(struct world *w, int n)
{
	while (n-- > 0)
		world_round(w);
}

__attribute__((unused)) static enum topo_state world_state(const struct world *w, code_t c)
{
	struct topo_node_info ni;

	if (topo_node(w->t, c, &ni) < 0)
		return TOPO_NONE;
	return ni.state;
}

#endif
