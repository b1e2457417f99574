// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the verification engine (collector/topo/topo.h) over the
 * small simulated extranet of topoworld.h, fed as the agents would report:
 * the scenarios (a county's uplink cut: one outage at the county
 * listing its townships and villages; a township's reporter hung: silent,
 * its villages not counted connected; a township agent killed; a city
 * agent killed with its counties still reporting; one village down: only
 * that village; two breaks in two cities: two outages; a second break
 * under an open outage: not a new root until the first closes; a break
 * above an open outage: subsumed; repair closes; an uplink interface
 * down; a slow edge degrading its subtree), the inputs that are wrong (a
 * node not in the inventory, a wrong parent, a stale or village
 * observation, a bad inventory), and coverage.  After each case the
 * incremental state must equal a full recompute (topo_check).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/topo/topo.h"

#include "tests/unit/topoworld.h"

static int setup(void **state)
{
	struct world *w = malloc(sizeof(*w));

	if (!w)
		return -1;
	world_build(w);
	world_rounds(w, 2);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	topo_free(w->t);
	free(w);
	return 0;
}

static void check(struct world *w)
{
	char err[256] = "";

	if (topo_check(w->t, err, sizeof(err)) != 0)
		fail_msg("incremental != full: %s", err);
}

static int events(struct world *w, struct topo_event *ev, int max)
{
	return topo_events(w->t, ev, max);
}

static void assert_state(struct world *w, code_t c, enum topo_state want)
{
	enum topo_state s = world_state(w, c);

	if (s != want)
		fail_msg("%012llu is %s, want %s", (unsigned long long)c,
			 s == TOPO_NONE ? "not there" : topo_state_words[s],
			 topo_state_words[want]);
}

/* Every node of the subtree of c (itself excluded) is in state s. */
static void assert_below(struct world *w, code_t c, enum topo_state s)
{
	for (int i = 0; i < w->n; i++)
		if (code_is_ancestor(c, w->code[i]))
			assert_state(w, w->code[i], s);
}

static int count_below(struct world *w, code_t c, enum code_level l)
{
	int n = 0;

	for (int i = 0; i < w->n; i++)
		n += code_is_ancestor(c, w->code[i]) &&
		     code_level(w->code[i]) == l;
	return n;
}

static void test_all_connected(void **state)
{
	struct world *w = *state;
	struct topo_coverage cov;
	struct topo_event ev[8];

	for (int i = 0; i < w->n; i++)
		assert_state(w, w->code[i], TOPO_CONNECTED);
	assert_int_equal(topo_outages(w->t, NULL, 0), 0);
	assert_int_equal(events(w, ev, 8), 0);
	assert_int_equal(topo_coverage(w->t, 0, &cov), 0);
	for (int l = 0; l < LEVEL_COUNT; l++) {
		int n = 0;

		for (int i = 0; i < w->n; i++)
			n += code_level(w->code[i]) == (enum code_level)l;
		assert_int_equal(cov.expected[l], n);
		assert_int_equal(cov.connected[l], n);
	}
	check(w);
}

/* A county's uplink cut: one outage, rooted at the county, listing its
 * townships and villages; no other outage, the same one as the county's
 * reports go stale. */
static void test_county_cut(void **state)
{
	struct world *w = *state;
	const code_t county = 210101000000;
	struct topo_event ev[16];
	struct topo_outage o[4];
	code_t cut[16];
	int n;

	w->cut[world_idx(w, county)] = true;
	world_round(w);
	assert_state(w, county, TOPO_UNREACHABLE);
	assert_below(w, county, TOPO_ISOLATED);
	n = events(w, ev, 16);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].type, TOPO_EV_OPEN);
	assert_int_equal(ev[0].root, county);
	assert_int_equal(ev[0].time_ms, w->now);
	assert_int_equal(ev[0].cut[LEVEL_TOWNSHIP],
			 count_below(w, county, LEVEL_TOWNSHIP));
	assert_int_equal(ev[0].cut[LEVEL_VILLAGE],
			 count_below(w, county, LEVEL_VILLAGE));
	check(w);

	world_rounds(w, 5); /* every report of the branch is stale now */
	assert_state(w, county, TOPO_UNREACHABLE);
	assert_below(w, county, TOPO_ISOLATED);
	assert_int_equal(events(w, ev, 16), 0);
	assert_int_equal(topo_outages(w->t, o, 4), 1);
	assert_int_equal(o[0].root, county);
	assert_int_equal(o[0].cut[LEVEL_TOWNSHIP], 2);
	assert_int_equal(o[0].cut[LEVEL_VILLAGE], 6);
	assert_int_equal(o[0].total, 8);
	n = topo_outage_cut(w->t, county, LEVEL_TOWNSHIP, cut, 16);
	assert_int_equal(n, 2);
	assert_int_equal(cut[0], 210101001000);
	assert_int_equal(cut[1], 210101002000);
	n = topo_outage_cut(w->t, county, LEVEL_VILLAGE, cut, 16);
	assert_int_equal(n, 6);
	for (int i = 0; i < n; i++)
		assert_true(code_is_ancestor(county, cut[i]));
	assert_int_equal(topo_outage_cut(w->t, 210101001000, LEVEL_VILLAGE,
					 cut, 16),
			 -ENOENT);
	/* the rest of the tree is untouched */
	assert_state(w, 210102000000, TOPO_CONNECTED);
	assert_state(w, 210100000000, TOPO_CONNECTED);
	check(w);

	/* repair closes it, with its opening time; the branch comes back
	 * without an outage of its own for any node in it */
	w->cut[world_idx(w, county)] = false;
	world_round(w);
	assert_state(w, county, TOPO_CONNECTED);
	assert_below(w, county, TOPO_CONNECTED);
	n = events(w, ev, 16);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].type, TOPO_EV_CLOSE);
	assert_int_equal(ev[0].root, county);
	assert_int_equal(ev[0].subsumed_by, 0);
	assert_int_equal(ev[0].opened_ms, w->now - 6 * WORLD_INTERVAL);
	assert_int_equal(topo_outages(w->t, o, 4), 0);
	check(w);
}

/* A township's reporter stops while its gateway answers: silent, its
 * villages not counted connected, one outage at the township. */
static void test_township_silent(void **state)
{
	struct world *w = *state;
	const code_t ts = 210102001000;
	struct topo_coverage before, after;
	struct topo_outage o[4];

	topo_coverage(w->t, 0, &before);
	w->hung[world_idx(w, ts)] = true;
	world_rounds(w, 2);
	assert_state(w, ts, TOPO_CONNECTED); /* not stale yet */
	world_rounds(w, 2);
	assert_state(w, ts, TOPO_SILENT);
	assert_below(w, ts, TOPO_ISOLATED);
	topo_coverage(w->t, 0, &after);
	assert_int_equal(after.connected[LEVEL_VILLAGE],
			 before.connected[LEVEL_VILLAGE] - 2);
	assert_int_equal(after.connected[LEVEL_TOWNSHIP],
			 before.connected[LEVEL_TOWNSHIP] - 1);
	assert_int_equal(topo_outages(w->t, o, 4), 1);
	assert_int_equal(o[0].root, ts);
	assert_int_equal(o[0].state, TOPO_SILENT);
	assert_int_equal(o[0].cut[LEVEL_VILLAGE], 2);
	check(w);
}

/* A township gateway dead (powered off): it answers nothing, as a cut
 * line would: unreachable; its villages are not counted connected. */
static void test_township_dead(void **state)
{
	struct world *w = *state;
	const code_t ts = 210102001000;

	w->dead[world_idx(w, ts)] = true;
	world_rounds(w, 5);
	assert_state(w, ts, TOPO_UNREACHABLE);
	assert_below(w, ts, TOPO_ISOLATED);
	assert_int_equal(topo_outages(w->t, NULL, 0), 1);
	check(w);
}

/* A township agent killed, its gateway up: the county's probes of it are
 * refused (ICMP port unreachable).  While its last reports are fresh it
 * is unconfirmed (A13), no outage; once they are late it is silent (A4),
 * its villages isolated and not counted, one outage rooted at it.  The
 * agent restarted: connected again, the outage closed. */
static void test_township_killed(void **state)
{
	struct world *w = *state;
	const code_t ts = 210102001000;
	struct topo_coverage before, after;
	struct topo_outage o[4];
	struct topo_event ev[8];
	struct topo_node_info ni;

	topo_coverage(w->t, 0, &before);
	w->killed[world_idx(w, ts)] = true;
	world_round(w);
	assert_state(w, ts, TOPO_UNCONFIRMED);
	assert_int_equal(topo_node(w->t, ts, &ni), 0);
	assert_true(ni.refused);
	assert_int_equal(ni.down, TOPO_VIEW_DOWN);
	assert_int_equal(topo_outages(w->t, NULL, 0), 0);
	world_rounds(w, 4);
	assert_state(w, ts, TOPO_SILENT);
	assert_below(w, ts, TOPO_ISOLATED);
	topo_coverage(w->t, 0, &after);
	assert_int_equal(after.connected[LEVEL_VILLAGE],
			 before.connected[LEVEL_VILLAGE] - 2);
	assert_int_equal(after.connected[LEVEL_TOWNSHIP],
			 before.connected[LEVEL_TOWNSHIP] - 1);
	assert_int_equal(topo_outages(w->t, o, 4), 1);
	assert_int_equal(o[0].root, ts);
	assert_int_equal(o[0].state, TOPO_SILENT);
	assert_int_equal(o[0].cut[LEVEL_VILLAGE], 2);
	check(w);
	/* its line cut as well: nothing answers now, unreachable, the same
	 * outage */
	w->cut[world_idx(w, ts)] = true;
	world_round(w);
	assert_state(w, ts, TOPO_UNREACHABLE);
	assert_int_equal(topo_outages(w->t, o, 4), 1);
	assert_int_equal(o[0].root, ts);
	w->cut[world_idx(w, ts)] = false;
	while (events(w, ev, 8) > 0)
		;
	/* restarted */
	w->killed[world_idx(w, ts)] = false;
	world_rounds(w, 4);
	assert_state(w, ts, TOPO_CONNECTED);
	assert_below(w, ts, TOPO_CONNECTED);
	assert_int_equal(topo_outages(w->t, NULL, 0), 0);
	assert_int_equal(events(w, ev, 8), 1);
	assert_int_equal(ev[0].type, TOPO_EV_CLOSE);
	assert_int_equal(ev[0].root, ts);
	check(w);
}

/* A city agent killed, its counties still reporting through its gateway:
 * the city is silent (its agent died, not the line), the counties below
 * are connected, one outage at the city cutting nothing off. */
static void test_city_killed(void **state)
{
	struct world *w = *state;
	const code_t city = 210100000000;
	struct topo_outage o[4];

	w->dead[world_idx(w, city)] = true;
	world_rounds(w, 5);
	assert_state(w, city, TOPO_SILENT);
	assert_below(w, city, TOPO_CONNECTED);
	assert_int_equal(topo_outages(w->t, o, 4), 1);
	assert_int_equal(o[0].root, city);
	assert_int_equal(o[0].total, 0);
	check(w);
}

/* One village down: only that village, no outage above it. */
static void test_village_down(void **state)
{
	struct world *w = *state;
	const code_t v = 210101002003;
	struct topo_outage o[4];
	struct topo_coverage c;

	w->cut[world_idx(w, v)] = true;
	world_round(w);
	for (int i = 0; i < w->n; i++)
		assert_state(w, w->code[i],
			     w->code[i] == v ? TOPO_UNREACHABLE
					     : TOPO_CONNECTED);
	assert_int_equal(topo_outages(w->t, o, 4), 1);
	assert_int_equal(o[0].root, v);
	assert_int_equal(o[0].total, 0);
	topo_coverage(w->t, 210101002000, &c);
	assert_int_equal(c.expected[LEVEL_VILLAGE], 3);
	assert_int_equal(c.connected[LEVEL_VILLAGE], 2);
	assert_int_equal(c.count[LEVEL_VILLAGE][TOPO_UNREACHABLE], 1);
	check(w);
}

/* A repaired branch where one township never reports again: unconfirmed
 * while its report is due, silent (its own outage) once fresh_intervals
 * pass after its parent saw it back. */
static void test_recovery_expires(void **state)
{
	struct world *w = *state;
	const code_t county = 210101000000, ts = 210101001000;
	struct topo_outage o[4];

	w->cut[world_idx(w, county)] = true;
	world_rounds(w, 5);
	w->hung[world_idx(w, ts)] = true;
	w->cut[world_idx(w, county)] = false;
	world_round(w);
	assert_state(w, county, TOPO_CONNECTED);
	assert_state(w, ts, TOPO_UNCONFIRMED);
	assert_below(w, ts, TOPO_UNCONFIRMED); /* V5: not counted connected */
	assert_int_equal(topo_outages(w->t, NULL, 0), 0);
	world_rounds(w, 2);
	assert_state(w, ts, TOPO_UNCONFIRMED);
	world_round(w); /* 3 intervals: the last still in the window */
	assert_state(w, ts, TOPO_UNCONFIRMED);
	world_round(w);
	assert_state(w, ts, TOPO_SILENT);
	assert_int_equal(topo_outages(w->t, o, 4), 1);
	assert_int_equal(o[0].root, ts);
	check(w);
}

/* Two breaks in different cities: two outages. */
static void test_two_cities(void **state)
{
	struct world *w = *state;
	struct topo_outage o[4];
	struct topo_event ev[8];

	w->cut[world_idx(w, 210102000000)] = true;
	w->cut[world_idx(w, 210201000000)] = true;
	world_rounds(w, 5);
	assert_int_equal(topo_outages(w->t, o, 4), 2);
	assert_int_equal(o[0].root, 210102000000);
	assert_int_equal(o[1].root, 210201000000);
	assert_int_equal(o[0].total, 3);
	assert_int_equal(o[1].total, 3);
	assert_int_equal(events(w, ev, 8), 2);
	assert_int_equal(ev[0].type, TOPO_EV_OPEN);
	assert_int_equal(ev[1].type, TOPO_EV_OPEN);
	check(w);
}

/* A second break under an open outage is not a new root while the first
 * lasts; when the first is repaired, the second opens its own. */
static void test_second_break_under(void **state)
{
	struct world *w = *state;
	const code_t county = 210101000000, ts = 210101001000;
	struct topo_event ev[8];
	struct topo_outage o[4];

	w->cut[world_idx(w, county)] = true;
	world_rounds(w, 2);
	assert_int_equal(events(w, ev, 8), 1);
	w->cut[world_idx(w, ts)] = true;
	world_rounds(w, 5);
	assert_int_equal(events(w, ev, 8), 0);
	assert_int_equal(topo_outages(w->t, o, 4), 1);
	assert_int_equal(o[0].root, county);
	check(w);

	w->cut[world_idx(w, county)] = false;
	world_round(w);
	assert_state(w, county, TOPO_CONNECTED);
	assert_state(w, ts, TOPO_UNREACHABLE);
	/* the city's report closes the county's; the county's own report
	 * then names the township's break */
	assert_int_equal(events(w, ev, 8), 2);
	assert_int_equal(ev[0].type, TOPO_EV_CLOSE);
	assert_int_equal(ev[0].root, county);
	assert_int_equal(ev[0].subsumed_by, 0);
	assert_int_equal(ev[1].type, TOPO_EV_OPEN);
	assert_int_equal(ev[1].root, ts);
	check(w);

	w->cut[world_idx(w, ts)] = false;
	world_round(w);
	assert_int_equal(events(w, ev, 8), 1);
	assert_int_equal(ev[0].type, TOPO_EV_CLOSE);
	assert_int_equal(ev[0].root, ts);
	assert_int_equal(topo_outages(w->t, o, 4), 0);
	for (int i = 0; i < w->n; i++)
		assert_state(w, w->code[i], TOPO_CONNECTED);
	check(w);
}

/* A break above an open outage: the new root opens, the old one closes
 * subsumed by it. */
static void test_break_above(void **state)
{
	struct world *w = *state;
	struct topo_event ev[8];

	w->cut[world_idx(w, 210101001000)] = true;
	world_rounds(w, 2);
	assert_int_equal(events(w, ev, 8), 1);
	w->cut[world_idx(w, 210100000000)] = true;
	world_round(w);
	assert_int_equal(events(w, ev, 8), 2);
	assert_int_equal(ev[0].type, TOPO_EV_OPEN);
	assert_int_equal(ev[0].root, 210100000000);
	assert_int_equal(ev[1].type, TOPO_EV_CLOSE);
	assert_int_equal(ev[1].root, 210101001000);
	assert_int_equal(ev[1].subsumed_by, 210100000000);
	assert_int_equal(topo_outages(w->t, NULL, 0), 1);
	check(w);
}

/* The uplink interface down on a node that still reports (over another
 * path): unreachable, row A9. */
static void test_uplink_down(void **state)
{
	struct world *w = *state;

	w->uplink_down[world_idx(w, 210201000000)] = true;
	world_round(w);
	assert_state(w, 210201000000, TOPO_UNREACHABLE);
	assert_below(w, 210201000000, TOPO_ISOLATED);
	check(w);
}

/* A slow edge into a county: the county and everything under it
 * degraded, still counted connected. */
static void test_degraded(void **state)
{
	struct world *w = *state;
	const code_t county = 210102000000;
	struct topo_coverage c;

	w->rtt[world_idx(w, county)] = 400; /* over 150 ms */
	world_round(w);
	assert_state(w, county, TOPO_DEGRADED);
	assert_below(w, county, TOPO_DEGRADED);
	assert_state(w, 210101000000, TOPO_CONNECTED);
	topo_coverage(w->t, 0, &c);
	assert_int_equal(c.count[LEVEL_VILLAGE][TOPO_DEGRADED], 2);
	assert_int_equal(c.connected[LEVEL_VILLAGE], c.expected[LEVEL_VILLAGE]);
	assert_int_equal(topo_outages(w->t, NULL, 0), 0);
	check(w);
}

/* A node that reports but is not in the inventory: listed as unexpected,
 * nothing else changes. */
static void test_unexpected(void **state)
{
	struct world *w = *state;
	struct topo_obs o = {.time_ms = w->now, .parent = 210100000000};
	struct topo_unexpected u[4];
	struct topo_coverage before, after;

	topo_coverage(w->t, 0, &before);
	assert_int_equal(topo_observe(w->t, 210109000000, &o, w->now),
			 -ENOENT);
	assert_int_equal(topo_observe(w->t, 210109000000, &o, w->now),
			 -ENOENT);
	assert_int_equal(topo_unexpected(w->t, u, 4), 1);
	assert_int_equal(u[0].code, 210109000000);
	assert_int_equal(u[0].parent, 210100000000);
	assert_int_equal(u[0].reports, 2);
	topo_coverage(w->t, 0, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	check(w);
}

/* A report whose parent is not its code's parent is flagged, and its
 * probe of "the parent" is not taken as a view of the edge. */
static void test_wrong_parent(void **state)
{
	struct world *w = *state;
	const code_t county = 210102000000;
	struct topo_obs o = {
		.time_ms = w->now,
		.parent = 210200000000,
		.uplink = RPT_OPER_UP,
		.up = {210200000000, RPT_OPER_UP, 5, 0, 1, false},
	};
	struct topo_node_info ni;

	assert_true(topo_observe(w->t, county, &o, w->now) >= 0);
	assert_int_equal(topo_node(w->t, county, &ni), 0);
	assert_true(ni.wrong_parent);
	assert_int_equal(ni.said_parent, 210200000000);
	assert_int_equal(ni.state, TOPO_UNCONFIRMED);
	/* the probes it did not send leave its township unconfirmed too */
	assert_state(w, 210102001000, TOPO_UNCONFIRMED);
	check(w);
	world_round(w);
	assert_int_equal(topo_node(w->t, county, &ni), 0);
	assert_false(ni.wrong_parent);
	assert_state(w, county, TOPO_CONNECTED);
}

/* Under a parent that cannot speak (its agent hung), a node is connected
 * on its own word (A11) -- but not with a wrong parent (A10). */
static void test_wrong_parent_dark(void **state)
{
	struct world *w = *state;
	const code_t city = 210100000000, county = 210102000000;
	struct topo_obs o = {
		.parent = 210200000000,
		.uplink = RPT_OPER_UP,
		.up = {210200000000, RPT_OPER_UP, 5, 0, 1, false},
	};
	struct topo_node_info ni;

	w->hung[world_idx(w, city)] = true;
	world_rounds(w, 5);
	assert_state(w, city, TOPO_SILENT);
	assert_state(w, county, TOPO_CONNECTED);
	o.time_ms = w->now;
	assert_true(topo_observe(w->t, county, &o, w->now) >= 0);
	assert_int_equal(topo_node(w->t, county, &ni), 0);
	assert_true(ni.wrong_parent);
	assert_int_equal(ni.state, TOPO_UNCONFIRMED);
	check(w);
}

static void test_bad_observations(void **state)
{
	struct world *w = *state;
	struct topo_obs o = {.time_ms = w->now - 500, .parent = 0};
	struct topo_probe p = {210100000000, RPT_OPER_UP, 1, 0, 0, false};
	struct topo_node_info ni;

	assert_int_equal(topo_observe(w->t, 210000000000, &o, w->now),
			 -ESTALE);
	o.time_ms = 0;
	assert_int_equal(topo_observe(w->t, 210000000000, &o, w->now),
			 -EINVAL);
	o.time_ms = w->now;
	o.n_down = -1;
	assert_int_equal(topo_observe(w->t, 210000000000, &o, w->now),
			 -EINVAL);
	o.n_down = 1;
	assert_int_equal(topo_observe(w->t, 210000000000, &o, w->now),
			 -EINVAL); /* n_down without probes */
	o.n_down = 0;
	o.parent = 210101001000;
	assert_int_equal(topo_observe(w->t, 210101001001, &o, w->now),
			 -EINVAL); /* a village runs no agent */
	/* a probe of a code that is not its child is ignored and counted */
	o.parent = 0;
	o.down = &p;
	o.n_down = 1;
	p.code = 210201000000;
	assert_true(topo_observe(w->t, 210000000000, &o, w->now) >= 0);
	assert_int_equal(topo_node(w->t, 210000000000, &ni), 0);
	assert_int_equal(ni.ignored, 1);
	assert_int_equal(topo_node(w->t, 219900000000, &ni), -ENOENT);
	check(w);
}

static void test_bad_inventory(void **state)
{
	static const struct {
		code_t c[3];
		size_t n;
		const char *err;
	} rows[] = {
		{{210000000000, 210100000000, 210100000000}, 3,
		 "210100000000 is listed twice"},
		{{210000000000, 210101000000}, 2,
		 "210101000000: its parent 210100000000 is not listed"},
		{{210000000000, 1234}, 2, "1234 is not a division code"},
		{{210000000000, 2100000000000ULL}, 2,
		 "2100000000000 is not a division code"},
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		errno = 0;
		assert_null(topo_new(rows[i].c, rows[i].n, NULL, err,
				     sizeof(err)));
		assert_int_equal(errno, EINVAL);
		assert_string_equal(err, rows[i].err);
	}
}

static void test_coverage_line(void **state)
{
	struct topo_coverage c = {0};
	char buf[96];

	(void)state;
	c.expected[LEVEL_VILLAGE] = 11580;
	c.connected[LEVEL_VILLAGE] = 11504;
	assert_string_equal(topo_coverage_line(&c, LEVEL_VILLAGE, buf,
					       sizeof(buf)),
			    "villages 11,504 / 11,580 = 99.34 %");
	c.expected[LEVEL_CITY] = 1234567;
	c.connected[LEVEL_CITY] = 1234567;
	assert_string_equal(topo_coverage_line(&c, LEVEL_CITY, buf,
					       sizeof(buf)),
			    "cities 1,234,567 / 1,234,567 = 100.00 %");
	assert_string_equal(topo_coverage_line(&c, LEVEL_COUNTY, buf,
					       sizeof(buf)),
			    "counties 0 / 0");
}

/* Per-region coverage at every level: a region's counts are its own
 * subtree's, and two provinces add up to the whole. */
static void test_coverage_regions(void **state)
{
	struct world *w = *state;
	struct topo_coverage all, p21, p22, ts;

	w->cut[world_idx(w, 220101001000)] = true;
	world_rounds(w, 5);
	assert_int_equal(topo_coverage(w->t, 0, &all), 0);
	assert_int_equal(topo_coverage(w->t, 210000000000, &p21), 0);
	assert_int_equal(topo_coverage(w->t, 220000000000, &p22), 0);
	for (int l = 0; l < LEVEL_COUNT; l++) {
		assert_int_equal(all.expected[l],
				 p21.expected[l] + p22.expected[l]);
		assert_int_equal(all.connected[l],
				 p21.connected[l] + p22.connected[l]);
	}
	assert_int_equal(p22.connected[LEVEL_TOWNSHIP], 0);
	assert_int_equal(p22.connected[LEVEL_VILLAGE], 0);
	assert_int_equal(p21.connected[LEVEL_VILLAGE],
			 p21.expected[LEVEL_VILLAGE]);
	assert_int_equal(topo_coverage(w->t, 210101001002, &ts), 0);
	assert_int_equal(ts.expected[LEVEL_VILLAGE], 1);
	assert_int_equal(topo_coverage(w->t, 239900000000, &ts), -ENOENT);
	check(w);
}

/* The province's own reports stop: silent while its cities' reports come
 * through, unreachable when nothing from it arrives any more. */
static void test_province(void **state)
{
	struct world *w = *state;
	const code_t p = 220000000000;

	w->hung[world_idx(w, p)] = true;
	world_rounds(w, 5);
	assert_state(w, p, TOPO_SILENT);
	assert_state(w, 220100000000, TOPO_CONNECTED);
	w->hung[world_idx(w, p)] = false;
	w->cut[world_idx(w, p)] = true;
	world_rounds(w, 5);
	assert_state(w, p, TOPO_UNREACHABLE);
	assert_below(w, p, TOPO_ISOLATED);
	assert_state(w, 210000000000, TOPO_CONNECTED);
	check(w);
}

/* A full recompute over what the incremental path kept changes nothing. */
static void test_recompute(void **state)
{
	struct world *w = *state;

	w->cut[world_idx(w, 210101000000)] = true;
	w->dead[world_idx(w, 210200000000)] = true;
	world_rounds(w, 5);
	check(w);
	assert_int_equal(topo_recompute(w->t, w->now), 0);
	assert_int_equal(topo_events(w->t, (struct topo_event[4]){0}, 4), 2);
	check(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_all_connected),   T(test_county_cut),
		T(test_township_silent), T(test_township_dead),
		T(test_township_killed),
		T(test_city_killed),     T(test_village_down),
		T(test_recovery_expires),
		T(test_two_cities),      T(test_second_break_under),
		T(test_break_above),     T(test_uplink_down),
		T(test_degraded),        T(test_unexpected),
		T(test_wrong_parent),    T(test_wrong_parent_dark),    T(test_bad_observations),
		cmocka_unit_test(test_bad_inventory),
		cmocka_unit_test(test_coverage_line),
		T(test_coverage_regions), T(test_province),
		T(test_recompute),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
