// SPDX-License-Identifier: BSD-2-Clause
/*
 * The expected tree and the incremental path: building the tree from the
 * inventory's codes, taking one observation, expiring stale reports, and
 * recomputing only what an input change can reach (the node, the
 * children whose view changed, the ancestors whose "carried" may flip;
 * down a subtree only where a state changed).  Coverage counts move along
 * the ancestors of a node whose state changes; outages are settled at the
 * end of every call (topo_outage.c).
 */
#include "collector/topo/topo_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unexpected nodes kept (a wrong inventory, not an attack: reports come
 * over mutual TLS from certified nodes). */
#define TOPO_MAX_UNEXPECTED 65536

int topo_grow(void **p, int32_t *cap, int32_t need, size_t sz)
{
	int32_t c = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, (size_t)c * sz);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static int cmp_code(const void *a, const void *b)
{
	code_t x = *(const code_t *)a, y = *(const code_t *)b;

	return x < y ? -1 : x > y;
}

int32_t topo_find(const struct topo *t, code_t code)
{
	int32_t lo = 0, hi = t->nn;

	while (lo < hi) {
		int32_t mid = lo + (hi - lo) / 2;

		if (t->n[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nn && t->n[lo].code == code ? lo : -1;
}

static bool valid_code(code_t c)
{
	char buf[CODE_STRLEN], err[CODE_ERR_MAX];
	code_t back;

	if (c >= 1000000000000ULL)
		return false;
	return code_parse(code_format(c, buf), &back, err, sizeof(err)) == 0 &&
	       back == c;
}

/* Sorted, checked codes into the node and agent arrays. */
static int build(struct topo *t, code_t *c, size_t n, char *err,
		 size_t errlen)
{
	char b1[CODE_STRLEN], b2[CODE_STRLEN];

	qsort(c, n, sizeof(*c), cmp_code);
	t->n = calloc(n ? n : 1, sizeof(*t->n));
	if (!t->n)
		return -ENOMEM;
	t->nn = (int32_t)n;
	for (size_t i = 0; i < n; i++) {
		if (!valid_code(c[i])) {
			snprintf(err, errlen, "%llu is not a division code",
				 (unsigned long long)c[i]);
			return -EINVAL;
		}
		if (i && c[i] == c[i - 1]) {
			snprintf(err, errlen, "%s is listed twice",
				 code_format(c[i], b1));
			return -EINVAL;
		}
		t->n[i] = (struct tnode){
			.code = c[i],
			.parent = -1,
			.end = (int32_t)i + 1,
			.agent = -1,
			.outage = -1,
			.rtt = -1,
			.loss = -1,
			.jitter = -1,
			.level = (uint8_t)code_level(c[i]),
			.down = TOPO_VIEW_UNKNOWN,
		};
		if (t->n[i].level < LEVEL_VILLAGE)
			t->n[i].agent = t->na++;
	}
	for (int32_t i = 0; i < t->nn; i++) {
		code_t p = code_parent(t->n[i].code);

		if (p && (t->n[i].parent = topo_find(t, p)) < 0) {
			snprintf(err, errlen, "%s: its parent %s is not listed",
				 code_format(t->n[i].code, b1),
				 code_format(p, b2));
			return -EINVAL;
		}
	}
	t->a = calloc(t->na ? (size_t)t->na : 1, sizeof(*t->a));
	if (!t->a)
		return -ENOMEM;
	for (int32_t i = t->nn - 1; i >= 0; i--) {
		struct tnode *x = &t->n[i];

		if (x->agent >= 0) {
			struct tagent *a = &t->a[x->agent];

			a->node = i;
			a->prev = a->next = -1;
			a->gprev = a->gnext = -1;
			a->cnt[x->level][TOPO_NEVER]++;
		}
		t->total[x->level][TOPO_NEVER]++;
		if (x->parent >= 0) {
			struct tnode *p = &t->n[x->parent];
			struct tagent *pa = &t->a[p->agent];

			if (x->end > p->end)
				p->end = x->end;
			if (x->agent >= 0) {
				for (int l = 0; l < LEVEL_COUNT; l++)
					pa->cnt[l][TOPO_NEVER] +=
						t->a[x->agent].cnt[l][TOPO_NEVER];
			} else {
				pa->cnt[LEVEL_VILLAGE][TOPO_NEVER]++;
			}
		}
	}
	return 0;
}

struct topo *topo_new(const code_t *codes, size_t n,
		      const struct topo_opts *o, char *err, size_t errlen)
{
	struct topo *t;
	code_t *c;
	int rc = -ENOMEM;

	if (n > 100000000) {
		snprintf(err, errlen, "%zu nodes is more than the engine takes",
			 n);
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	c = malloc((n ? n : 1) * sizeof(*c));
	if (!t || !c)
		goto fail;
	if (n)
		memcpy(c, codes, n * sizeof(*c));
	if (o)
		t->o = *o;
	else
		topo_opts_default(&t->o);
	if (t->o.fresh_intervals < 1)
		t->o.fresh_intervals = 1;
	for (int l = 0; l < LEVEL_COUNT; l++) {
		t->head[l] = t->tail[l] = -1;
		t->ghead[l] = t->gtail[l] = -1;
		if (t->o.interval_ms[l] < 1)
			t->o.interval_ms[l] = 1;
	}
	t->free_out = -1;
	rc = build(t, c, n, err, errlen);
	if (rc < 0)
		goto fail;
	free(c);
	return t;
fail:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory for %zu nodes", n);
	free(c);
	topo_free(t);
	errno = -rc;
	return NULL;
}

struct topo *topo_new_inventory(const struct inventory *inv,
				const struct topo_opts *o, char *err,
				size_t errlen)
{
	code_t *c = malloc((inv->n ? (size_t)inv->n : 1) * sizeof(*c));
	struct topo *t;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	for (int i = 0; i < inv->n; i++)
		c[i] = inv->nodes[i].code;
	t = topo_new(c, (size_t)inv->n, o, err, errlen);
	free(c);
	return t;
}

void topo_free(struct topo *t)
{
	if (!t)
		return;
	free(t->n);
	free(t->a);
	free(t->changed);
	free(t->out);
	free(t->ev);
	free(t->unexp);
	free(t);
}

size_t topo_mem(const struct topo *t)
{
	return sizeof(*t) + (size_t)t->nn * sizeof(*t->n) +
	       (size_t)t->na * sizeof(*t->a) +
	       (size_t)t->capchanged * sizeof(*t->changed) +
	       (size_t)t->capout * sizeof(*t->out) +
	       (size_t)t->capev * sizeof(*t->ev) +
	       (size_t)t->capunexp * sizeof(*t->unexp);
}

/* ---- state changes and the recursive recompute ---- */

int topo_set_state(struct topo *t, int32_t i, int s)
{
	struct tnode *x = &t->n[i];
	int old = x->state, l = x->level;

	x->state = (uint8_t)s;
	for (int32_t j = i; j >= 0; j = t->n[j].parent) {
		if (t->n[j].agent < 0)
			continue;
		t->a[t->n[j].agent].cnt[l][old]--;
		t->a[t->n[j].agent].cnt[l][s]++;
	}
	t->total[l][old]--;
	t->total[l][s]++;
	if (topo_grow((void **)&t->changed, &t->capchanged, t->nchanged + 1,
		      sizeof(*t->changed)) < 0)
		return -ENOMEM;
	t->changed[t->nchanged++] = i;
	return 0;
}

/*
 * Recompute node i from its inputs; when its state changes, its children
 * (whose decision reads it) too, and so on down.  Depth <= 5.
 */
static int recompute(struct topo *t, int32_t i)
{
	struct topo_in in;
	int s, rc;

	topo_gather(t, i, NULL, NULL, NULL, &in);
	s = topo_decide(&in, NULL);
	if (s == t->n[i].state)
		return 0;
	rc = topo_set_state(t, i, s);
	for (int32_t c = i + 1; rc == 0 && c < t->n[i].end; c = t->n[c].end)
		rc = recompute(t, c);
	return rc;
}

static int recompute_children(struct topo *t, int32_t i)
{
	int rc = 0;

	for (int32_t c = i + 1; rc == 0 && c < t->n[i].end; c = t->n[c].end)
		rc = recompute(t, c);
	return rc;
}

/* The ancestors that are not fresh, top-down: their "carried" reads the
 * freshness and the times below them. */
static int recompute_ancestors(struct topo *t, int32_t i)
{
	int32_t up[LEVEL_COUNT];
	int n = 0, rc = 0;

	for (int32_t j = t->n[i].parent; j >= 0 && n < LEVEL_COUNT;
	     j = t->n[j].parent)
		if (!t->a[t->n[j].agent].fresh)
			up[n++] = j;
	while (rc == 0 && n > 0)
		rc = recompute(t, up[--n]);
	return rc;
}

/* ---- freshness ---- */

static void list_remove(struct topo *t, int32_t ai)
{
	struct tagent *a = &t->a[ai];
	int l = t->n[a->node].level;

	if (a->prev >= 0)
		t->a[a->prev].next = a->next;
	else
		t->head[l] = a->next;
	if (a->next >= 0)
		t->a[a->next].prev = a->prev;
	else
		t->tail[l] = a->prev;
	a->prev = a->next = -1;
}

/* Insert by time (from the tail: times mostly grow). */
static void list_insert(struct topo *t, int32_t ai)
{
	struct tagent *a = &t->a[ai];
	int l = t->n[a->node].level;
	int32_t p = t->tail[l];

	while (p >= 0 && t->a[p].time_ms > a->time_ms)
		p = t->a[p].prev;
	a->prev = p;
	a->next = p >= 0 ? t->a[p].next : t->head[l];
	if (a->next >= 0)
		t->a[a->next].prev = ai;
	else
		t->tail[l] = ai;
	if (p >= 0)
		t->a[p].next = ai;
	else
		t->head[l] = ai;
}

/* The recovery list: agents by up_since, until fresh_intervals pass. */
static void grace_remove(struct topo *t, int32_t ai)
{
	struct tagent *a = &t->a[ai];
	int l = t->n[a->node].level;

	if (!a->in_grace)
		return;
	if (a->gprev >= 0)
		t->a[a->gprev].gnext = a->gnext;
	else
		t->ghead[l] = a->gnext;
	if (a->gnext >= 0)
		t->a[a->gnext].gprev = a->gprev;
	else
		t->gtail[l] = a->gprev;
	a->gprev = a->gnext = -1;
	a->in_grace = 0;
}

/* Child c's parent sees it up from `since` on (its report's time). */
static void grace_set(struct topo *t, int32_t c, long long since)
{
	int32_t ai = t->n[c].agent, p;
	struct tagent *a = &t->a[ai];
	int l = t->n[c].level;

	grace_remove(t, ai);
	a->up_since = since;
	for (p = t->gtail[l]; p >= 0 && t->a[p].up_since > since;)
		p = t->a[p].gprev;
	a->gprev = p;
	a->gnext = p >= 0 ? t->a[p].gnext : t->ghead[l];
	if (a->gnext >= 0)
		t->a[a->gnext].gprev = ai;
	else
		t->gtail[l] = ai;
	if (p >= 0)
		t->a[p].gnext = ai;
	else
		t->ghead[l] = ai;
	a->in_grace = 1;
}

static void set_fresh(struct topo *t, int32_t i, bool fresh)
{
	struct tagent *a = &t->a[t->n[i].agent];

	a->fresh = fresh;
	for (int32_t j = t->n[i].parent; j >= 0; j = t->n[j].parent)
		t->a[t->n[j].agent].fresh_below += fresh ? 1 : -1;
}

int topo_expire(struct topo *t, long long now)
{
	int rc = 0;

	if (now > t->now)
		t->now = now;
	for (int l = 0; l < LEVEL_VILLAGE && rc == 0; l++) {
		long long w = topo_window(t, l);

		while (rc == 0 && t->head[l] >= 0 &&
		       t->now - t->a[t->head[l]].time_ms > w) {
			int32_t ai = t->head[l], i = t->a[ai].node;

			list_remove(t, ai);
			set_fresh(t, i, false);
			rc = recompute_ancestors(t, i);
			if (rc == 0)
				rc = recompute(t, i);
			if (rc == 0)
				rc = recompute_children(t, i);
		}
		while (rc == 0 && t->ghead[l] >= 0 &&
		       t->now - t->a[t->ghead[l]].up_since > w) {
			int32_t ai = t->ghead[l];

			grace_remove(t, ai);
			rc = recompute(t, t->a[ai].node);
		}
	}
	return rc;
}

int topo_finish(struct topo *t, int rc)
{
	if (rc == 0)
		rc = topo_outage_update(t);
	return rc < 0 ? rc : t->nchanged;
}

int topo_tick(struct topo *t, long long now_ms)
{
	t->nchanged = 0;
	return topo_finish(t, topo_expire(t, now_ms));
}

/* ---- observations ---- */

static void note_unexpected(struct topo *t, code_t code, const struct topo_obs *o)
{
	int32_t lo = 0, hi = t->nunexp;

	while (lo < hi) {
		int32_t mid = lo + (hi - lo) / 2;

		if (t->unexp[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == t->nunexp || t->unexp[lo].code != code) {
		if (t->nunexp >= TOPO_MAX_UNEXPECTED ||
		    topo_grow((void **)&t->unexp, &t->capunexp, t->nunexp + 1,
			      sizeof(*t->unexp)) < 0)
			return;
		memmove(&t->unexp[lo + 1], &t->unexp[lo],
			(size_t)(t->nunexp - lo) * sizeof(*t->unexp));
		t->unexp[lo] = (struct tunexp){.code = code};
		t->nunexp++;
	}
	t->unexp[lo].parent = o->parent;
	if (o->time_ms > t->unexp[lo].last_ms)
		t->unexp[lo].last_ms = o->time_ms;
	t->unexp[lo].reports++;
}

static float metric(double v)
{
	return v >= 0 && v < 1e9 ? (float)v : -1.0f;
}

struct child_probe {
	int32_t c;
	const struct topo_probe *p;
};

static int cmp_child(const void *a, const void *b)
{
	const struct child_probe *x = a, *y = b;

	return x->c < y->c ? -1 : x->c > y->c;
}

/*
 * Set the children's down views from the observation's probes (a child
 * not probed gets UNKNOWN and no figures); the children whose view or
 * figures changed go into *dirty (malloc'd, *ndirty of them, the caller
 * frees).  Probes of codes that are not i's children are counted in
 * a->ignored.  0 or -ENOMEM.
 */
static int set_children(struct topo *t, int32_t i, const struct topo_obs *o,
			int32_t **dirty, int32_t *ndirty)
{
	struct tagent *a = &t->a[t->n[i].agent];
	struct child_probe *cp = NULL;
	int32_t ncp = 0, k = 0, cap = 0;

	a->ignored = 0;
	if (o->n_down && !(cp = malloc((size_t)o->n_down * sizeof(*cp))))
		return -ENOMEM;
	for (int j = 0; j < o->n_down; j++) {
		int32_t c = topo_find(t, o->down[j].code);

		if (c < 0 || t->n[c].parent != i) {
			a->ignored++;
			continue;
		}
		cp[ncp++] = (struct child_probe){c, &o->down[j]};
	}
	if (ncp > 1)
		qsort(cp, (size_t)ncp, sizeof(*cp), cmp_child);
	*ndirty = 0;
	for (int32_t c = i + 1; c < t->n[i].end; c = t->n[c].end) {
		struct tnode *x = &t->n[c];
		const struct topo_probe *p = NULL;
		uint8_t down, refused;
		float rtt, loss, jitter;

		while (k < ncp && cp[k].c < c)
			k++;
		while (k < ncp && cp[k].c == c)
			p = cp[k++].p; /* the last of duplicates */
		down = p ? (uint8_t)topo_view_of(p->state) : TOPO_VIEW_UNKNOWN;
		/* gateways only: a village is probed by ICMP echo */
		refused = p && p->refused && x->agent >= 0;
		rtt = p ? metric(p->rtt_ms) : -1;
		loss = p ? metric(p->loss_pct) : -1;
		jitter = p ? metric(p->jitter_ms) : -1;
		if (down == x->down && refused == x->refused && rtt == x->rtt &&
		    loss == x->loss && jitter == x->jitter)
			continue;
		if (x->agent >= 0 && down == TOPO_VIEW_UP && x->down != down)
			grace_set(t, c, o->time_ms);
		x->down = down;
		x->refused = refused;
		x->rtt = rtt;
		x->loss = loss;
		x->jitter = jitter;
		if (x->agent < 0 && down != TOPO_VIEW_UNKNOWN)
			x->seen = 1;
		if (topo_grow((void **)dirty, &cap, *ndirty + 1,
			      sizeof(**dirty)) < 0) {
			free(cp);
			return -ENOMEM;
		}
		(*dirty)[(*ndirty)++] = c;
	}
	free(cp);
	return 0;
}

static int apply(struct topo *t, int32_t i, const struct topo_obs *o)
{
	struct tnode *x = &t->n[i];
	int32_t ai = x->agent;
	struct tagent *a = &t->a[ai];
	code_t parent = code_parent(x->code);
	bool was = a->fresh, fresh;
	int32_t *dirty = NULL, ndirty = 0;
	int rc;

	a->wrong_parent = o->parent != parent ||
			  (o->up.code != 0 && o->up.code != parent);
	a->said_parent = o->parent;
	if (o->up.code == 0 || a->wrong_parent || !parent) {
		a->up = parent ? TOPO_VIEW_UNKNOWN : TOPO_VIEW_NONE;
		a->rtt = a->loss = a->jitter = -1;
	} else {
		a->up = (uint8_t)topo_view_of(o->up.state);
		a->rtt = metric(o->up.rtt_ms);
		a->loss = metric(o->up.loss_pct);
		a->jitter = metric(o->up.jitter_ms);
	}
	a->uplink = (uint8_t)topo_view_of(o->uplink);
	if (a->time_ms > 0 && a->fresh)
		list_remove(t, ai);
	a->time_ms = o->time_ms;
	for (int32_t j = x->parent; j >= 0; j = t->n[j].parent) {
		struct tagent *pa = &t->a[t->n[j].agent];

		if (o->time_ms > pa->below_ms)
			pa->below_ms = o->time_ms;
	}
	fresh = t->now - a->time_ms <= topo_window(t, x->level);
	if (fresh)
		list_insert(t, ai);
	if (fresh != was)
		set_fresh(t, i, fresh);
	rc = set_children(t, i, o, &dirty, &ndirty);
	/* the parent speaks again: its views of its children count again */
	for (int32_t c = i + 1; fresh && !was && c < x->end; c = t->n[c].end)
		if (t->n[c].agent >= 0 && t->n[c].down == TOPO_VIEW_UP)
			grace_set(t, c, o->time_ms);
	if (rc == 0)
		rc = recompute_ancestors(t, i);
	if (rc == 0)
		rc = recompute(t, i);
	if (rc == 0 && fresh != was)
		rc = recompute_children(t, i);
	for (int32_t k = 0; rc == 0 && k < ndirty && fresh == was; k++)
		rc = recompute(t, dirty[k]);
	free(dirty);
	return rc;
}

int topo_observe(struct topo *t, code_t code, const struct topo_obs *o,
		 long long now_ms)
{
	int32_t i;
	int rc;

	if (!o || o->time_ms <= 0 || o->n_down < 0 || (o->n_down && !o->down))
		return -EINVAL;
	i = topo_find(t, code);
	if (i < 0) {
		note_unexpected(t, code, o);
		return -ENOENT;
	}
	if (t->n[i].agent < 0)
		return -EINVAL;
	if (o->time_ms < t->a[t->n[i].agent].time_ms)
		return -ESTALE;
	t->nchanged = 0;
	rc = topo_expire(t, now_ms);
	if (rc == 0)
		rc = apply(t, i, o);
	return topo_finish(t, rc);
}
