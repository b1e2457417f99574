// SPDX-License-Identifier: BSD-2-Clause
/*
 * The verification engine's benchmark: a synthetic national inventory
 * (31 provinces x 12 cities x 9 counties x 11 townships x 15 villages:
 * 593,000 nodes, 40,579 agents), every agent's report fed in-process, and
 * the figures the issue asks for:
 *
 *   feed      the first report of every agent, one topo_observe each;
 *   memory    the engine's own count and the process's RSS growth, per node;
 *   full      topo_recompute(): every node from the inputs (median of runs);
 *   deep      one township's report with one village's probe flipping
 *             down/up: one topo_observe (median, p99);
 *   root      one province's report with one city's probe flipping
 *             down/up (its ~1,600 nodes cut off and back): the same;
 *   naive     the baseline a user would otherwise have: on every change,
 *             a plain recursive recompute of the whole tree (pointer
 *             children, the same decision function, subtree counts and
 *             outage roots), run on the same inputs; the ratio to each
 *             incremental figure.
 *
 * usage: verify_bench [ROUNDS]   (default 200 flips per incremental row)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/topo/topo.h"

#define NP 31
#define NC 12
#define ND 9
#define NT 11
#define NV 15

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[(int)(p * (n - 1))];
}

/* ---- the naive baseline: a pointer tree recomputed whole ---- */

struct nn {
	code_t code;
	enum code_level level;
	struct nn **child;
	int nchild;
	/* inputs, as the engine has them */
	bool seen, fresh;
	long long time_ms;
	enum topo_view down, up, uplink;
	double loss, rtt;
	/* outputs */
	int fb;
	long long below;
	enum topo_state state;
	int cnt[LEVEL_COUNT][TOPO_STATE__N];
	bool root;
};

/* Bottom-up: fresh agents and the newest report below each node. */
static void naive_below(struct nn *x)
{
	x->fb = 0;
	x->below = 0;
	for (int i = 0; i < x->nchild; i++) {
		struct nn *c = x->child[i];

		if (c->level == LEVEL_VILLAGE)
			continue;
		naive_below(c);
		x->fb += c->fresh + c->fb;
		if (c->below > x->below)
			x->below = c->below;
		if (c->time_ms > x->below)
			x->below = c->time_ms;
	}
}

static const struct topo_opts *nopts;

static void naive_walk(struct nn *x, struct nn *p, bool broken_above)
{
	struct topo_in in = {.level = x->level, .seen = x->seen,
			     .fresh = x->fresh, .parent = TOPO_NONE};
	double loss = -1, rtt = -1;

	if (x->level != LEVEL_VILLAGE)
		in.carried = x->fb > 0 &&
			     x->below > x->time_ms + nopts->interval_ms[x->level];
	if (p) {
		in.parent = p->state;
		if (p->fresh) {
			in.down = x->down;
			loss = x->loss;
			rtt = x->rtt;
		}
	}
	if (x->fresh) {
		in.up = p ? x->up : TOPO_VIEW_NONE;
		in.uplink = x->uplink;
	}
	in.over = loss > nopts->loss_pct[x->level] ||
		  rtt > nopts->rtt_ms[x->level];
	x->state = topo_decide(&in, NULL);
	x->root = !broken_above && (x->state == TOPO_UNREACHABLE ||
				    x->state == TOPO_SILENT);
	memset(x->cnt, 0, sizeof(x->cnt));
	x->cnt[x->level][x->state]++;
	for (int i = 0; i < x->nchild; i++) {
		struct nn *c = x->child[i];

		naive_walk(c, x, broken_above || x->state == TOPO_UNREACHABLE ||
					 x->state == TOPO_SILENT);
		for (int l = 0; l < LEVEL_COUNT; l++)
			for (int s = 0; s < TOPO_STATE__N; s++)
				x->cnt[l][s] += c->cnt[l][s];
	}
}

static void naive_all(struct nn **prov, int n)
{
	for (int i = 0; i < n; i++) {
		naive_below(prov[i]);
		naive_walk(prov[i], NULL, false);
	}
}

static struct nn *nnew(code_t c, int nchild)
{
	struct nn *x = calloc(1, sizeof(*x));

	x->code = c;
	x->level = code_level(c);
	x->child = nchild ? calloc((size_t)nchild, sizeof(*x->child)) : NULL;
	x->down = TOPO_VIEW_UP;
	x->up = TOPO_VIEW_UP;
	x->uplink = TOPO_VIEW_UP;
	x->seen = x->fresh = true;
	x->time_ms = 1000;
	x->loss = 0;
	x->rtt = 5;
	return x;
}

static void nfree(struct nn *x)
{
	for (int i = 0; i < x->nchild; i++)
		nfree(x->child[i]);
	free(x->child);
	free(x);
}

/* ---- the synthetic inventory and its reports ---- */

static code_t *codes;
static size_t ncodes;

static void add(code_t c)
{
	codes[ncodes++] = c;
}

static void build_codes(void)
{
	codes = malloc(700000 * sizeof(*codes));
	for (int p = 0; p < NP; p++) {
		code_t pc = (code_t)(11 + p) * 10000000000ULL;

		add(pc);
		for (int c = 1; c <= NC; c++) {
			code_t cc = pc + (code_t)c * 100000000ULL;

			add(cc);
			for (int d = 1; d <= ND; d++) {
				code_t dc = cc + (code_t)d * 1000000ULL;

				add(dc);
				for (int t = 1; t <= NT; t++) {
					code_t tc = dc + (code_t)t * 1000ULL;

					add(tc);
					for (int v = 1; v <= NV; v++)
						add(tc + (code_t)v);
				}
			}
		}
	}
}

static int nchildren(enum code_level l)
{
	static const int n[LEVEL_COUNT] = {NC, ND, NT, NV, 0};

	return n[l];
}

/* The report of agent c at time ms: all up; `flip` (if not 0) down. */
static int report(struct topo *t, code_t c, long long ms, code_t flip)
{
	struct topo_probe p[NV];
	enum code_level l = code_level(c);
	static const code_t unit[LEVEL_COUNT] = {100000000ULL, 1000000ULL,
						 1000ULL, 1ULL, 0};
	struct topo_obs o = {
		.time_ms = ms,
		.parent = code_parent(c),
		.uplink = RPT_OPER_UP,
		.up = {code_parent(c), RPT_OPER_UP, 5, 0, 1, false},
		.n_down = nchildren(l),
		.down = p,
	};

	if (!o.parent)
		o.up.code = 0;
	for (int i = 0; i < o.n_down; i++) {
		code_t k = c + (code_t)(i + 1) * unit[l];

		p[i] = (struct topo_probe){k, k == flip ? RPT_OPER_DOWN
							: RPT_OPER_UP,
					   5, 0, 1, false};
	}
	return topo_observe(t, c, &o, ms);
}

static struct nn *naive_tree(size_t *at)
{
	code_t c = codes[(*at)++];
	int n = nchildren(code_level(c));
	struct nn *x = nnew(c, n);

	if (code_level(c) == LEVEL_VILLAGE)
		x->fresh = false; /* no agent */
	for (int i = 0; i < n; i++)
		x->child[x->nchild++] = naive_tree(at);
	return x;
}

static void row(const char *name, double *v, int n, double naive)
{
	double p50 = pct(v, n, 0.5), p99 = pct(v, n, 0.99);

	printf("%-9s p50 %9.3f ms  p99 %9.3f ms   naive %8.2f ms   "
	       "naive/engine %8.0fx\n",
	       name, p50 * 1e3, p99 * 1e3, naive * 1e3, naive / p50);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	struct topo_opts o;
	struct topo *t;
	char err[256];
	long rss0, rss1;
	double t0, *v;
	long long ms = 1000;
	struct topo_coverage cov;
	char line[96];

	if (rounds < 10)
		rounds = 10;
	v = malloc((size_t)rounds * 2 * sizeof(*v));
	build_codes();
	topo_opts_default(&o);
	rss0 = rss_kib();
	t = topo_new(codes, ncodes, &o, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "topo_new: %s\n", err);
		return 1;
	}
	size_t nagents = 0;

	t0 = mono();
	for (size_t i = 0; i < ncodes; i++) {
		if (code_level(codes[i]) == LEVEL_VILLAGE)
			continue;
		nagents++;
		if (report(t, codes[i], ms, 0) < 0) {
			fprintf(stderr, "observe failed\n");
			return 1;
		}
	}
	double feed = mono() - t0;

	rss1 = rss_kib();
	topo_coverage(t, 0, &cov);
	printf("inventory %zu nodes, %zu agents, %d provinces\n", ncodes,
	       nagents, NP);
	printf("feed      %zu first reports in %.1f ms (%.2f us each)\n",
	       nagents, feed * 1e3, feed * 1e6 / (double)nagents);
	printf("memory    engine %.1f MiB = %.0f B/node; RSS growth %.1f MiB "
	       "= %.0f B/node (target <= 1024)\n",
	       topo_mem(t) / 1048576.0, (double)topo_mem(t) / (double)ncodes,
	       (rss1 - rss0) / 1024.0, (rss1 - rss0) * 1024.0 / (double)ncodes);
	printf("coverage  %s\n",
	       topo_coverage_line(&cov, LEVEL_VILLAGE, line, sizeof(line)));

	/* full verification */
	int nf = 15;

	for (int i = 0; i < nf; i++) {
		t0 = mono();
		topo_recompute(t, ms);
		v[i] = mono() - t0;
	}
	printf("full      p50 %9.3f ms  (target <= 50; %d runs)\n",
	       pct(v, nf, 0.5) * 1e3, nf);

	/* the naive baseline, one recompute of everything per change */
	size_t at = 0;
	struct nn **prov = calloc(NP, sizeof(*prov));

	for (int p = 0; p < NP; p++)
		prov[p] = naive_tree(&at);
	nopts = &o;
	int nn_runs = 15;

	for (int i = 0; i < nn_runs; i++) {
		prov[3]->child[2]->child[4]->child[5]->child[7]->down =
			(i & 1) ? TOPO_VIEW_UP : TOPO_VIEW_DOWN;
		t0 = mono();
		naive_all(prov, NP);
		v[i] = mono() - t0;
	}
	double naive = pct(v, nn_runs, 0.5);

	/* incremental: a village deep in the tree, a city at a province */
	code_t ts = codes[0] + 3 * 10000000000ULL + 3 * 100000000ULL +
		    5 * 1000000ULL + 6 * 1000ULL;
	code_t vil = ts + 8;
	code_t prv = codes[0] + 7 * 10000000000ULL;
	code_t city = prv + 5 * 100000000ULL;
	struct topo_event ev[64];
	int changes = 0;

	for (int i = 0; i < 2 * rounds; i++) {
		ms++;
		t0 = mono();
		changes += report(t, ts, ms, (i & 1) ? 0 : vil);
		v[i] = mono() - t0;
		while (topo_events(t, ev, 64) > 0)
			;
	}
	row("deep", v, 2 * rounds, naive);
	printf("          (%.1f state changes a flip)\n",
	       (double)changes / (2 * rounds));
	changes = 0;
	for (int i = 0; i < 2 * rounds; i++) {
		ms++;
		t0 = mono();
		changes += report(t, prv, ms, (i & 1) ? 0 : city);
		v[i] = mono() - t0;
		while (topo_events(t, ev, 64) > 0)
			;
	}
	row("root", v, 2 * rounds, naive);
	printf("          (%.1f state changes a flip; target <= 1 ms)\n",
	       (double)changes / (2 * rounds));

	char cerr[256];

	if (topo_check(t, cerr, sizeof(cerr)) != 0) {
		printf("CHECK FAILED: %s\n", cerr);
		return 1;
	}
	for (int p = 0; p < NP; p++)
		nfree(prov[p]);
	free(prov);
	topo_free(t);
	free(codes);
	free(v);
	return 0;
}
