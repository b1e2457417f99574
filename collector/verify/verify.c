// SPDX-License-Identifier: BSD-2-Clause
/*
 * The verification wired in (verify.h): the engine and what goes with it
 * (the inventory's codes and names, the regions whose coverage is kept),
 * built from the store's last reports, fed by the ingest, ticked by a
 * thread of its own, its outages tracked in the registry and written to
 * the store and the alerts.  Everything under v->mu but the building of a
 * new engine, which reads the store unlocked and is swapped in whole.
 */
#include "collector/verify/verify_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/store/store.h"
#include "collector/verify/alert.h"
#include "common/now.h"

void verify_opts_default(struct verify_opts *o)
{
	memset(o, 0, sizeof(*o));
	topo_opts_default(&o->topo);
	o->default_interval_s = 60;
	o->tick_ms = 1000;
	o->coverage_ms = 60000;
	o->coverage_depth = LEVEL_COUNTY;
}

static long long verify_now(const struct verify *v)
{
	return v->o.clock_ms ? v->o.clock_ms(v->o.clock_arg) : now_wall_ms();
}

static void vset_free(struct vset *s)
{
	topo_free(s->t);
	free(s->codes);
	free(s->name_off);
	free(s->names);
	free(s->regions);
	memset(s, 0, sizeof(*s));
}

static int verify_code_cmp(const void *a, const void *b)
{
	code_t x = *(const code_t *)a, y = *(const code_t *)b;

	return x < y ? -1 : x > y;
}

/* The name of @code in @s, "" when not in it. */
const char *vset_name(const struct vset *s, code_t code)
{
	const code_t *p = bsearch(&code, s->codes, (size_t)s->n,
				  sizeof(code_t), verify_code_cmp);

	return p ? s->names + s->name_off[p - s->codes] : "";
}

/* ---- building an engine from the store's last reports ------------------- */

struct vbuild {
	struct verify *v;
	struct report *r;
	struct topo_probe *probes;
	struct topo *t;        /* NULL: the intervals pass */
	int iv[LEVEL_COUNT];   /* largest interval_s per level, ms */
	long long newest, shift, now;
	uint64_t bad;
};

static int vbuild_node(void *arg, const struct store_node_info *n)
{
	struct vbuild *b = arg;
	enum report_err why;
	char err[256], *json = NULL;
	struct topo_obs o;
	size_t len;
	int l;

	if (store_node_last(b->v->st, n->node, &json, &len))
		return 0;
	if (report_decode(json, len, b->r, &why, err, sizeof(err)) ||
	    b->r->node != n->node) {
		free(json);
		b->bad++;
		return 0;
	}
	free(json);
	l = code_level(n->node);
	if (!b->t) {
		if (l >= 0 && l < LEVEL_COUNT &&
		    b->r->interval_s * 1000 > b->iv[l])
			b->iv[l] = (int)(b->r->interval_s * 1000);
		if (n->last_ms > b->newest)
			b->newest = n->last_ms;
		return 0;
	}
	topo_obs_from_report(b->r, n->last_ms + b->shift, &o, b->probes,
			     REPORT_MAX_TARGETS);
	topo_observe(b->t, n->node, &o, b->now);
	return 0;
}

/*
 * A new set for @inv with the intervals @iv (@start: found from the
 * reports, the largest per level, written into @iv and v->iv_said),
 * every last report of the store observed at its receipt time (@start:
 * moved forward by the time since the newest receipt, the collector's
 * absence), recomputed and its events dropped (the caller reconciles).
 */
static int vset_build(struct verify *v, const struct inventory *inv,
		      int iv[LEVEL_COUNT], bool start, struct vset *out,
		      char *err, size_t errlen)
{
	struct vbuild b = {.v = v};
	struct topo_opts to = v->o.topo;
	size_t pool = 0, used = 0;
	struct topo_event ev[64];
	int rc = -ENOMEM;

	memset(out, 0, sizeof(*out));
	b.r = malloc(sizeof(*b.r));
	b.probes = malloc(REPORT_MAX_TARGETS * sizeof(*b.probes));
	if (!b.r || !b.probes)
		goto fail;
	b.now = verify_now(v);
	if (start) {
		store_nodes(v->st, vbuild_node, &b);
		for (int l = 0; l < LEVEL_COUNT; l++) {
			v->iv_said[l] = b.iv[l] != 0;
			iv[l] = b.iv[l] ? b.iv[l]
					: v->o.default_interval_s * 1000;
		}
		if (b.newest && b.now > b.newest)
			b.shift = b.now - b.newest;
	}
	for (int l = 0; l < LEVEL_COUNT; l++)
		to.interval_ms[l] = iv[l];
	out->n = inv->n;
	out->codes = malloc((size_t)(inv->n ? inv->n : 1) * sizeof(code_t));
	out->name_off = malloc((size_t)(inv->n ? inv->n : 1) * sizeof(uint32_t));
	out->regions = malloc((size_t)(inv->n ? inv->n : 1) * sizeof(code_t));
	if (!out->codes || !out->name_off || !out->regions)
		goto fail;
	for (int i = 0; i < inv->n; i++)
		pool += strlen(inv->nodes[i].name) + 1;
	out->names = malloc(pool ? pool : 1);
	if (!out->names)
		goto fail;
	for (int i = 0; i < inv->n; i++) {
		size_t k = strlen(inv->nodes[i].name) + 1;

		out->codes[i] = inv->nodes[i].code;
		out->name_off[i] = (uint32_t)used;
		memcpy(out->names + used, inv->nodes[i].name, k);
		used += k;
		if (code_level(inv->nodes[i].code) <= v->o.coverage_depth)
			out->regions[out->nregions++] = inv->nodes[i].code;
	}
	out->t = topo_new(out->codes, (size_t)out->n, &to, err, errlen);
	if (!out->t) {
		rc = errno ? -errno : -EINVAL;
		goto fail;
	}
	b.t = out->t;
	store_nodes(v->st, vbuild_node, &b);
	topo_recompute(out->t, b.now);
	while (topo_events(out->t, ev, 64) > 0)
		;
	free(b.r);
	free(b.probes);
	__atomic_add_fetch(&v->s.bad_records, b.bad, __ATOMIC_RELAXED);
	return 0;
fail:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "verification: out of memory");
	free(b.r);
	free(b.probes);
	vset_free(out);
	return rc;
}

/* ---- the registry ---------------------------------------------------------- */

static struct vreg *reg_find(struct verify *v, code_t root)
{
	for (int i = 0; i < v->nreg; i++)
		if (v->reg[i].root == root)
			return &v->reg[i];
	return NULL;
}

/* The nodes cut off by the open outage at @root, all levels, code order. */
static int reg_nodes(struct verify *v, code_t root, code_t **out, int *n)
{
	int total = 0, got;
	code_t *p;

	*out = NULL;
	*n = 0;
	for (int l = 0; l < LEVEL_COUNT; l++) {
		got = topo_outage_cut(v->set.t, root, l, NULL, 0);
		if (got < 0)
			return got;
		total += got;
	}
	if (total > STORE_OUTAGE_NODES_MAX)
		total = STORE_OUTAGE_NODES_MAX;
	p = malloc((size_t)(total ? total : 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	got = 0;
	for (int l = 0; l < LEVEL_COUNT && got < total; l++) {
		int k = topo_outage_cut(v->set.t, root, l, p + got, total - got);

		got += k < total - got ? k : total - got;
	}
	qsort(p, (size_t)got, sizeof(*p), verify_code_cmp);
	*out = p;
	*n = got;
	return 0;
}

/* The registry's entry @g into the store (closed at @closed_ms, or open
 * with @update when only its counts changed) and the alerts. */
static void reg_emit(struct verify *v, const struct vreg *g, long long closed_ms,
		     code_t subsumed_by, bool update)
{
	struct store_outage so = {
		.root = g->root,
		.opened_ms = g->opened_ms,
		.closed_ms = closed_ms,
		.subsumed_by = subsumed_by,
		.update = update,
		.n_nodes = g->n_nodes,
		.nodes = g->nodes,
	};

	snprintf(so.state, sizeof(so.state), "%s", topo_state_words[g->state]);
	memcpy(so.cut, g->cut, sizeof(so.cut));
	if (store_put_outage(v->st, &so))
		v->s.store_errors++;
	if (!update && v->o.alert) {
		struct alert_msg m = {
			.type = closed_ms ? TOPO_EV_CLOSE : TOPO_EV_OPEN,
			.root = g->root,
			.state = g->state,
			.opened_ms = g->opened_ms,
			.time_ms = closed_ms ? closed_ms : g->opened_ms,
			.subsumed_by = subsumed_by,
		};

		snprintf(m.name, sizeof(m.name), "%s",
			 vset_name(&v->set, g->root));
		memcpy(m.cut, g->cut, sizeof(m.cut));
		alert_post(v->o.alert, &m);
	}
}

static void reg_open(struct verify *v, code_t root, enum topo_state state,
		     long long opened_ms, const int cut[LEVEL_COUNT])
{
	struct vreg *g;

	if (reg_find(v, root))
		return;
	if (v->nreg == v->capreg) {
		int nc = v->capreg ? 2 * v->capreg : 16;
		struct vreg *p = realloc(v->reg, (size_t)nc * sizeof(*p));

		if (!p) {
			v->s.store_errors++;
			return;
		}
		v->reg = p;
		v->capreg = nc;
	}
	g = &v->reg[v->nreg++];
	memset(g, 0, sizeof(*g));
	g->root = root;
	g->state = state;
	g->opened_ms = opened_ms;
	memcpy(g->cut, cut, sizeof(g->cut));
	reg_nodes(v, root, &g->nodes, &g->n_nodes);
	v->s.opened++;
	reg_emit(v, g, 0, 0, false);
}

static void reg_close(struct verify *v, code_t root, long long time_ms,
		      code_t subsumed_by)
{
	struct vreg *g = reg_find(v, root);

	if (!g)
		return;
	/* a close in the same second as its opening still ends after it */
	reg_emit(v, g, time_ms > g->opened_ms ? time_ms : g->opened_ms,
		 subsumed_by, false);
	v->s.closed++;
	free(g->nodes);
	*g = v->reg[--v->nreg];
}

/* The engine's queued events into the registry. */
static void verify_settle(struct verify *v)
{
	struct topo_event ev[64];
	int n;

	while ((n = topo_events(v->set.t, ev, 64)) > 0)
		for (int i = 0; i < n; i++) {
			if (ev[i].type == TOPO_EV_OPEN)
				reg_open(v, ev[i].root, ev[i].state,
					 ev[i].time_ms, ev[i].cut);
			else
				reg_close(v, ev[i].root, ev[i].time_ms,
					  ev[i].subsumed_by);
		}
}

/*
 * The registry made to agree with the engine's open outages: one open in
 * both goes on (counts refreshed, the store's row replaced when they
 * moved), one only in the engine opens at its time, one only in the
 * registry closes at @now.
 */
static void verify_reconcile(struct verify *v, long long now)
{
	int n = topo_outages(v->set.t, NULL, 0);
	struct topo_outage *o = malloc((size_t)(n ? n : 1) * sizeof(*o));

	if (!o) {
		v->s.store_errors++;
		return;
	}
	n = topo_outages(v->set.t, o, n);
	for (int i = v->nreg - 1; i >= 0; i--) {
		bool still = false;

		for (int k = 0; k < n && !still; k++)
			still = o[k].root == v->reg[i].root;
		if (!still)
			reg_close(v, v->reg[i].root, now, 0);
	}
	for (int k = 0; k < n; k++) {
		struct vreg *g = reg_find(v, o[k].root);

		if (!g) {
			reg_open(v, o[k].root, o[k].state, o[k].opened_ms,
				 o[k].cut);
			continue;
		}
		if (!memcmp(g->cut, o[k].cut, sizeof(g->cut)) &&
		    g->state == o[k].state)
			continue;
		memcpy(g->cut, o[k].cut, sizeof(g->cut));
		g->state = o[k].state;
		free(g->nodes);
		reg_nodes(v, g->root, &g->nodes, &g->n_nodes);
		reg_emit(v, g, 0, 0, true);
	}
	v->s.open_outages = v->nreg;
	free(o);
}

/* The outages the store holds open, as the registry at the start. */
static int verify_load_open(void *arg, const struct store_outage *so)
{
	struct verify *v = arg;
	struct vreg *g;

	if (reg_find(v, so->root))
		return 0; /* an older row of the same root: keep the newest */
	if (v->nreg == v->capreg) {
		int nc = v->capreg ? 2 * v->capreg : 16;
		struct vreg *p = realloc(v->reg, (size_t)nc * sizeof(*p));

		if (!p)
			return -ENOMEM;
		v->reg = p;
		v->capreg = nc;
	}
	g = &v->reg[v->nreg++];
	memset(g, 0, sizeof(*g));
	g->root = so->root;
	g->state = strcmp(so->state, "silent") ? TOPO_UNREACHABLE : TOPO_SILENT;
	g->opened_ms = so->opened_ms;
	memcpy(g->cut, so->cut, sizeof(g->cut));
	if (so->n_nodes) {
		g->nodes = malloc((size_t)so->n_nodes * sizeof(code_t));
		if (!g->nodes)
			return -ENOMEM;
		memcpy(g->nodes, so->nodes, (size_t)so->n_nodes * sizeof(code_t));
		g->n_nodes = so->n_nodes;
	}
	return 0;
}

/* ---- life ------------------------------------------------------------------- */

int verify_new(struct verify **out, const struct verify_opts *o,
	       const struct inventory *inv, struct store *st, char *err,
	       size_t errlen)
{
	struct verify *v = calloc(1, sizeof(*v));
	struct store_outage_q q = {.open_only = true};
	pthread_condattr_t ca;
	int rc;

	*out = NULL;
	if (!v) {
		snprintf(err, errlen, "verification: out of memory");
		return -ENOMEM;
	}
	v->o = *o;
	v->st = st;
	pthread_mutex_init(&v->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&v->cv, &ca);
	pthread_condattr_destroy(&ca);
	rc = vset_build(v, inv, v->iv, true, &v->set, err, errlen);
	if (!rc) {
		rc = store_outages(st, &q, verify_load_open, v);
		if (rc)
			snprintf(err, errlen, "verification: the open outages "
				 "in the store: %s", strerror(-rc));
	}
	if (rc) {
		verify_free(v);
		return rc;
	}
	memcpy(v->iv_want, v->iv, sizeof(v->iv));
	verify_reconcile(v, verify_now(v));
	*out = v;
	return 0;
}

static void *verify_main(void *arg)
{
	struct verify *v = arg;

	pthread_mutex_lock(&v->mu);
	while (!v->stop) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += v->o.tick_ms / 1000;
		ts.tv_nsec += (long)(v->o.tick_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&v->cv, &v->mu, &ts);
		if (v->stop)
			break;
		pthread_mutex_unlock(&v->mu);
		verify_tick(v, verify_now(v));
		pthread_mutex_lock(&v->mu);
	}
	pthread_mutex_unlock(&v->mu);
	return NULL;
}

int verify_start(struct verify *v)
{
	int rc = pthread_create(&v->thr, NULL, verify_main, v);

	if (rc)
		return -rc;
	pthread_setname_np(v->thr, "verify");
	v->started = true;
	return 0;
}

void verify_free(struct verify *v)
{
	if (!v)
		return;
	if (v->started) {
		pthread_mutex_lock(&v->mu);
		v->stop = true;
		pthread_cond_signal(&v->cv);
		pthread_mutex_unlock(&v->mu);
		pthread_join(v->thr, NULL);
	}
	vset_free(&v->set);
	for (int i = 0; i < v->nreg; i++)
		free(v->reg[i].nodes);
	free(v->reg);
	pthread_mutex_destroy(&v->mu);
	pthread_cond_destroy(&v->cv);
	free(v);
}

/* ---- feed, tick, reload ------------------------------------------------ */

int verify_observe(struct verify *v, const struct report *r,
		   long long recv_ms)
{
	static __thread struct topo_probe probes[REPORT_MAX_TARGETS];
	enum code_level l = code_level(r->node);
	struct topo_obs o;
	int rc;

	topo_obs_from_report(r, recv_ms, &o, probes, REPORT_MAX_TARGETS);
	pthread_mutex_lock(&v->mu);
	if (l >= 0 && l < LEVEL_COUNT && l != LEVEL_VILLAGE &&
	    r->interval_s > 0 && r->interval_s <= 3600) {
		int iv = (int)r->interval_s * 1000;

		/* the first report of a level says its interval; after it,
		 * only a longer one changes it (no node judged early) */
		if (!v->iv_said[l] || iv > v->iv_want[l]) {
			v->iv_said[l] = true;
			v->iv_want[l] = iv;
			if (iv != v->iv[l])
				v->rebuild = true;
		}
	}
	rc = topo_observe(v->set.t, r->node, &o, recv_ms);
	if (rc >= 0)
		v->s.observed++;
	else if (rc == -ENOENT)
		v->s.unexpected++;
	else if (rc == -ESTALE)
		v->s.stale++;
	else
		v->s.refused++;
	verify_settle(v);
	v->s.open_outages = v->nreg;
	pthread_mutex_unlock(&v->mu);
	return rc;
}

/* Swap @next in (under v->mu) and reconcile; the old set into @next. */
static void verify_swap(struct verify *v, struct vset *next, long long now)
{
	struct vset old = v->set;

	v->set = *next;
	*next = old;
	v->s.rebuilds++;
	verify_reconcile(v, now);
}

/* A coverage point for every region and the whole, at the period's
 * start (under v->mu; queued to the store after it). */
static int verify_coverage_points(struct verify *v, long long slot,
				  struct store_coverage_pt **out)
{
	int n = v->set.nregions + 1, k = 0;
	struct store_coverage_pt *p = calloc((size_t)n, sizeof(*p));

	*out = p;
	if (!p)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		code_t region = i ? v->set.regions[i - 1] : 0;
		struct topo_coverage c;

		if (topo_coverage(v->set.t, region, &c))
			continue;
		p[k].t_ms = slot * v->o.coverage_ms;
		p[k].region = region;
		memcpy(p[k].connected, c.connected, sizeof(c.connected));
		memcpy(p[k].expected, c.expected, sizeof(c.expected));
		k++;
	}
	return k;
}

int verify_tick(struct verify *v, long long now_ms)
{
	struct store_coverage_pt *pts = NULL;
	int rc, npts = 0, iv[LEVEL_COUNT];
	long long slot = now_ms / v->o.coverage_ms;
	bool rebuild;

	pthread_mutex_lock(&v->mu);
	rc = topo_tick(v->set.t, now_ms);
	verify_settle(v);
	verify_reconcile(v, now_ms); /* counts of the open ones moved */
	if (slot != v->cov_slot) {
		v->cov_slot = slot;
		npts = verify_coverage_points(v, slot, &pts);
	}
	rebuild = v->rebuild;
	v->rebuild = false;
	memcpy(iv, v->iv_want, sizeof(iv));
	v->s.mem = topo_mem(v->set.t);
	pthread_mutex_unlock(&v->mu);
	if (npts > 0 && store_put_coverage(v->st, pts, npts))
		__atomic_add_fetch(&v->s.store_errors, 1, __ATOMIC_RELAXED);
	free(pts);
	if (rebuild) {
		struct inventory inv = {0};
		struct vset next;
		char err[256];

		/* the same inventory, its codes and names as the set has them */
		pthread_mutex_lock(&v->mu);
		inv.n = v->set.n;
		inv.nodes = calloc((size_t)(inv.n ? inv.n : 1),
				   sizeof(*inv.nodes));
		for (int i = 0; inv.nodes && i < inv.n; i++) {
			inv.nodes[i].code = v->set.codes[i];
			snprintf(inv.nodes[i].name, sizeof(inv.nodes[i].name),
				 "%s", v->set.names + v->set.name_off[i]);
		}
		pthread_mutex_unlock(&v->mu);
		if (inv.nodes && !vset_build(v, &inv, iv, false, &next, err,
					     sizeof(err))) {
			pthread_mutex_lock(&v->mu);
			memcpy(v->iv, iv, sizeof(iv));
			verify_swap(v, &next, now_ms);
			pthread_mutex_unlock(&v->mu);
			vset_free(&next);
		}
		free(inv.nodes);
	}
	return rc;
}

int verify_reload(struct verify *v, const struct inventory *inv, char *err,
		  size_t errlen)
{
	struct vset next;
	int iv[LEVEL_COUNT], rc;

	pthread_mutex_lock(&v->mu);
	memcpy(iv, v->iv_want, sizeof(iv));
	pthread_mutex_unlock(&v->mu);
	rc = vset_build(v, inv, iv, false, &next, err, errlen);
	if (rc)
		return rc;
	pthread_mutex_lock(&v->mu);
	memcpy(v->iv, iv, sizeof(iv));
	verify_swap(v, &next, verify_now(v));
	pthread_mutex_unlock(&v->mu);
	vset_free(&next);
	return 0;
}

void verify_stats(struct verify *v, struct verify_stats *s)
{
	pthread_mutex_lock(&v->mu);
	*s = v->s;
	for (int l = 0; l < LEVEL_COUNT; l++)
		s->interval_ms[l] = v->iv[l];
	s->mem = topo_mem(v->set.t);
	pthread_mutex_unlock(&v->mu);
}
