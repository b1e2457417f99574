// SPDX-License-Identifier: BSD-2-Clause
/*
 * The published links and targets of a node (storerep.h's struct
 * storenow, store.h's store_node_state): built by the writer thread from a
 * committed report, or from the state loaded at open, and swapped into
 * the node under the store's lock; readers take a reference under the
 * lock and read it after.  Pure but for malloc: NULL when out of memory.
 */
#include "collector/store/store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STORENOW_ALIGN8(x) (((x) + 7) & ~(size_t)7)

static size_t storenow_targets_off(unsigned n_links)
{
	return STORENOW_ALIGN8(sizeof(struct storenow) +
			       n_links * sizeof(struct store_link_now));
}

static size_t storenow_bytes(unsigned n_links, unsigned n_targets)
{
	return storenow_targets_off(n_links) +
	       n_targets * sizeof(struct store_target_now);
}

struct store_link_now *storenow_links(const struct storenow *n)
{
	return (struct store_link_now *)((char *)n + sizeof(*n));
}

struct store_target_now *storenow_targets(const struct storenow *n)
{
	return (struct store_target_now *)((char *)n +
					   storenow_targets_off(n->n_links));
}

size_t storenow_size(const struct storenow *n)
{
	return n ? storenow_bytes(n->n_links, n->n_targets) : 0;
}

static struct storenow *storenow_alloc(int n_links, int n_targets)
{
	struct storenow *n;

	if (n_links < 0 || n_links > REPORT_MAX_LINKS || n_targets < 0 ||
	    n_targets > REPORT_MAX_TARGETS)
		return NULL;
	n = calloc(1, storenow_bytes((unsigned)n_links, (unsigned)n_targets));
	if (!n)
		return NULL;
	n->ref = 1;
	n->n_links = (uint16_t)n_links;
	n->n_targets = (uint16_t)n_targets;
	return n;
}

static float storenow_f(double v)
{
	return v >= 0 ? (float)v : -1.0f;
}

struct storenow *storenow_from_rep(const struct storerep *p)
{
	struct storenow *n = storenow_alloc(p->n_links, p->n_targets);
	struct store_link_now *l;
	struct store_target_now *t;

	if (!n)
		return NULL;
	l = storenow_links(n);
	t = storenow_targets(n);
	for (int i = 0; i < p->n_links; i++) {
		const struct storerep_link *s = &p->links[i];

		memcpy(l[i].name, s->name, sizeof(l[i].name));
		l[i].name[sizeof(l[i].name) - 1] = '\0';
		l[i].state = s->state;
		l[i].has_counters = s->has_counters;
		l[i].rx_bytes = s->has_counters ? s->rx_bytes : 0;
		l[i].tx_bytes = s->has_counters ? s->tx_bytes : 0;
		l[i].rx_bps = s->has_counters ? storenow_f(s->rx_bps) : -1.0f;
		l[i].tx_bps = s->has_counters ? storenow_f(s->tx_bps) : -1.0f;
	}
	for (int i = 0; i < p->n_targets; i++) {
		const struct storerep_target *s = &p->targets[i];

		t[i].code = s->code;
		t[i].state = s->state;
		t[i].rel = s->rel;
		/* the reported average when there is one, as the series */
		t[i].rtt_ms = storenow_f(s->rtt_avg_ms >= 0 ? s->rtt_avg_ms
							     : s->rtt_ms);
		t[i].loss_pct = storenow_f(s->loss_pct);
		t[i].jitter_ms = storenow_f(s->jitter_ms);
	}
	return n;
}

/* What a target is to @node, from the codes alone. */
static uint8_t storenow_rel(code_t node, code_t target)
{
	if (target == code_parent(node))
		return RPT_REL_PARENT;
	return code_level(target) == LEVEL_VILLAGE ? RPT_REL_VILLAGE
						    : RPT_REL_CHILD;
}

struct storenow *storenow_from_state(code_t node, const struct storestate *s)
{
	struct storenow *n = storenow_alloc(s->n_links, s->n_targets);
	struct store_link_now *l;
	struct store_target_now *t;

	if (!n)
		return NULL;
	l = storenow_links(n);
	t = storenow_targets(n);
	for (int i = 0; i < s->n_links; i++) {
		memcpy(l[i].name, s->links[i].name, sizeof(l[i].name));
		l[i].name[sizeof(l[i].name) - 1] = '\0';
		l[i].state = s->links[i].state;
		l[i].has_counters = s->links[i].has_counters;
		l[i].rx_bytes = s->links[i].rx;
		l[i].tx_bytes = s->links[i].tx;
		l[i].rx_bps = l[i].tx_bps = -1.0f;
	}
	for (int i = 0; i < s->n_targets; i++) {
		t[i].code = s->targets[i].code;
		t[i].state = s->targets[i].state;
		t[i].rel = storenow_rel(node, s->targets[i].code);
		t[i].rtt_ms = t[i].loss_pct = t[i].jitter_ms = -1.0f;
	}
	return n;
}

struct storenow *storenow_ref(struct storenow *n)
{
	if (n)
		__atomic_add_fetch(&n->ref, 1, __ATOMIC_RELAXED);
	return n;
}

void storenow_unref(struct storenow *n)
{
	if (n && __atomic_sub_fetch(&n->ref, 1, __ATOMIC_ACQ_REL) == 0)
		free(n);
}

struct storenow_ref {
	code_t node;
	struct storenow *now;
};

static int storenow_cmp(const void *a, const void *b)
{
	const struct storenow_ref *x = a, *y = b;

	return x->node < y->node ? -1 : x->node > y->node;
}

int store_node_state(struct store *st, store_now_fn cb, void *arg)
{
	struct storenow_ref *v;
	size_t n = 0, i;
	int rc = 0;

	pthread_mutex_lock(&st->mu);
	v = malloc((st->n_nodes ? st->n_nodes : 1) * sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&st->mu);
		return -ENOMEM;
	}
	for (i = 0; i < st->tab_cap; i++)
		if (st->tab[i] && st->tab[i]->now) {
			v[n].node = st->tab[i]->code;
			v[n++].now = storenow_ref(st->tab[i]->now);
		}
	pthread_mutex_unlock(&st->mu);
	qsort(v, n, sizeof(*v), storenow_cmp);
	for (i = 0; i < n; i++) {
		struct store_node_now s = {
			.node = v[i].node,
			.n_links = v[i].now->n_links,
			.n_targets = v[i].now->n_targets,
			.links = storenow_links(v[i].now),
			.targets = storenow_targets(v[i].now),
		};

		if (!rc)
			rc = cb(arg, &s);
		storenow_unref(v[i].now);
	}
	free(v);
	return rc;
}
