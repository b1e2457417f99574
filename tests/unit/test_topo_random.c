// SPDX-License-Identifier: BSD-2-Clause
/*
 * Randomized tests of the verification engine: after every step of a
 * random sequence (observations with random views, figures, wrong
 * parents, foreign and missing targets, stale times; ticks; clock jumps)
 * the incrementally kept state must equal a full recompute (topo_check),
 * a full recompute must find nothing to change, and the open outages
 * replayed from the event stream must be exactly the engine's open
 * outages.  A second sequence breaks and repairs the simulated extranet
 * of topoworld.h at random.  TOPO_SEED picks the first seed; a failure
 * names the seed and the step.
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

#define SEEDS 100
#define STEPS 4000

static uint64_t rng;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static enum report_oper rnd_oper(void)
{
	unsigned r = rnd(10);

	return r < 6 ? RPT_OPER_UP : r < 9 ? RPT_OPER_DOWN : RPT_OPER_UNKNOWN;
}

/* The open roots, as the events say. */
struct opened {
	code_t root[WORLD_MAX];
	int n;
};

static void replay(struct topo *t, struct opened *op, unsigned seed, int step)
{
	struct topo_event ev[64];
	int n;

	while ((n = topo_events(t, ev, 64)) > 0) {
		for (int k = 0; k < n; k++) {
			int at = -1;

			for (int j = 0; j < op->n; j++)
				if (op->root[j] == ev[k].root)
					at = j;
			if (ev[k].type == TOPO_EV_OPEN) {
				if (at >= 0)
					fail_msg("seed %u step %d: %012llu "
						 "opened twice", seed, step,
						 (unsigned long long)ev[k].root);
				op->root[op->n++] = ev[k].root;
			} else {
				if (at < 0)
					fail_msg("seed %u step %d: %012llu "
						 "closed, not open", seed, step,
						 (unsigned long long)ev[k].root);
				op->root[at] = op->root[--op->n];
			}
		}
	}
}

static void compare(struct topo *t, struct opened *op, unsigned seed,
		    int step)
{
	struct topo_outage o[WORLD_MAX];
	char err[256];
	int n;

	if (topo_check(t, err, sizeof(err)) != 0)
		fail_msg("seed %u step %d: %s", seed, step, err);
	replay(t, op, seed, step);
	n = topo_outages(t, o, WORLD_MAX);
	assert_int_equal(n, op->n);
	for (int i = 0; i < n; i++) {
		bool found = false;

		for (int j = 0; j < op->n; j++)
			found |= op->root[j] == o[i].root;
		if (!found)
			fail_msg("seed %u step %d: outage %012llu open without "
				 "an event", seed, step,
				 (unsigned long long)o[i].root);
	}
}

/* A tree of two or three provinces with a random shape. */
static void random_tree(struct world *w)
{
	struct topo_opts o;
	char err[256];

	memset(w, 0, sizeof(*w));
	for (unsigned p = 0, np = 2 + rnd(2); p < np; p++) {
		code_t pc = (code_t)(11 + p * 10) * 10000000000ULL;

		world_add(w, pc);
		for (unsigned c = 1, nc = 1 + rnd(3); c <= nc; c++) {
			code_t cc = pc + c * 100000000ULL;

			world_add(w, cc);
			for (unsigned d = 1, nd = rnd(3); d <= nd; d++) {
				code_t dc = cc + d * 1000000ULL;

				world_add(w, dc);
				for (unsigned s = 1, ns = rnd(3); s <= ns; s++) {
					code_t sc = dc + s * 1000ULL;

					world_add(w, sc);
					for (unsigned v = 1, nv = rnd(4); v <= nv;
					     v++)
						world_add(w, sc + v);
				}
			}
		}
	}
	topo_opts_default(&o);
	for (int l = 0; l < LEVEL_COUNT; l++)
		o.interval_ms[l] = WORLD_INTERVAL * (1 + (int)rnd(2));
	o.rtt_ms[LEVEL_COUNTY] = 50;
	w->t = topo_new(w->code, (size_t)w->n, &o, err, sizeof(err));
	if (!w->t)
		fail_msg("topo_new: %s", err);
}

static void random_obs(struct world *w, unsigned seed, int step)
{
	struct topo_probe down[WORLD_MAX + 2];
	int i;
	code_t c, p;
	struct topo_obs o = {.down = down};
	struct topo_node_info ni;

	do
		i = (int)rnd((unsigned)w->n);
	while (code_level(w->code[i]) == LEVEL_VILLAGE);
	c = w->code[i];
	p = code_parent(c);
	assert_int_equal(topo_node(w->t, c, &ni), 0);
	o.time_ms = ni.last_ms + (long long)rnd(2500) - (rnd(20) == 0 ? 900 : 0);
	if (o.time_ms <= 0)
		o.time_ms = 1;
	o.parent = rnd(30) == 0 ? 990000000000ULL : p;
	o.uplink = rnd(8) == 0 ? rnd_oper() : RPT_OPER_UP;
	if (p && rnd(10))
		o.up = (struct topo_probe){rnd(40) ? p : 990000000000ULL,
					   rnd_oper(), rnd(120), rnd(4), 1,
					   rnd(8) == 0};
	for (int k = 0; k < w->n; k++)
		if (code_parent(w->code[k]) == c && rnd(10))
			down[o.n_down++] = (struct topo_probe){
				w->code[k], rnd_oper(), (double)rnd(400),
				(double)rnd(5), rnd(3) - 1.0, rnd(4) == 0};
	if (rnd(10) == 0)
		down[o.n_down++] = (struct topo_probe){w->code[rnd((unsigned)w->n)],
						       rnd_oper(), 1, 0, 0, false};
	int rc = topo_observe(w->t, c, &o, w->now);

	if (o.time_ms < ni.last_ms)
		assert_int_equal(rc, -ESTALE);
	else if (rc < 0)
		fail_msg("seed %u step %d: observe %d", seed, step, rc);
}

static void test_random_obs(void **state)
{
	unsigned seed0 = getenv("TOPO_SEED") ? (unsigned)atoi(getenv("TOPO_SEED")) : 1;

	(void)state;
	for (unsigned seed = seed0; seed < seed0 + SEEDS; seed++) {
		struct world *w = malloc(sizeof(*w));
		struct opened op = {0};

		assert_non_null(w);
		rng = 0x9e3779b97f4a7c15ULL ^ seed;
		random_tree(w);
		w->now = 1;
		for (int step = 0; step < STEPS; step++) {
			unsigned r = rnd(100);

			w->now += rnd(r < 3 ? 20000 : 700);
			if (r < 70)
				random_obs(w, seed, step);
			else if (r < 95)
				assert_true(topo_tick(w->t, w->now) >= 0);
			else {
				/* expire first: what is left for a full
				 * recompute to change must be nothing */
				assert_true(topo_tick(w->t, w->now) >= 0);
				compare(w->t, &op, seed, step);
				assert_int_equal(topo_recompute(w->t, w->now),
						 0);
			}
			compare(w->t, &op, seed, step);
		}
		topo_free(w->t);
		free(w);
	}
}

/* The simulated extranet broken and repaired at random, agents
 * reporting in a random order each round. */
static void test_random_world(void **state)
{
	unsigned seed0 = getenv("TOPO_SEED") ? (unsigned)atoi(getenv("TOPO_SEED")) : 1;

	(void)state;
	for (unsigned seed = seed0; seed < seed0 + SEEDS; seed++) {
		struct world *w = malloc(sizeof(*w));
		struct opened op = {0};

		assert_non_null(w);
		rng = 0x2545f4914f6cdd1dULL ^ seed;
		random_tree(w);
		for (int step = 0; step < STEPS / 10; step++) {
			int i = (int)rnd((unsigned)w->n);

			switch (rnd(7)) {
			case 0: w->cut[i] = !w->cut[i]; break;
			case 1: w->dead[i] = !w->dead[i]; break;
			case 2: w->hung[i] = !w->hung[i]; break;
			case 3: w->uplink_down[i] = !w->uplink_down[i]; break;
			case 4: w->rtt[i] = rnd(2) ? 5 : 300; break;
			case 5: w->killed[i] = !w->killed[i]; break;
			default: break;
			}
			w->now += WORLD_INTERVAL;
			for (int k = 0; k < w->n; k++) {
				int a = (int)rnd((unsigned)w->n);

				if (code_level(w->code[a]) == LEVEL_VILLAGE ||
				    w->dead[a] || w->killed[a] || w->hung[a] ||
				    world_cut_above(w, a) || rnd(4) == 0)
					continue;
				if (world_report(w, a) < 0)
					fail_msg("seed %u step %d: report", seed,
						 step);
				compare(w->t, &op, seed, step);
			}
			assert_true(topo_tick(w->t, w->now) >= 0);
			compare(w->t, &op, seed, step);
		}
		topo_free(w->t);
		free(w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_obs),
		cmocka_unit_test(test_random_world),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
