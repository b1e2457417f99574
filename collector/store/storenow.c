// SPDX-License-Identifier: BSD-2-Clause
/*
 * The links and targets of a node's last report (storerep.h's struct
 * storenow, store.h's store_node_state): built by the writer thread from
 * each report it takes in order (the node's state holds it), or from the
 * state loaded at open, and once the report is committed swapped into the
 * node under the store's lock; readers take a reference under the lock
 * and read it after.  Pure but for malloc: NULL when out of memory.
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

struct storenow *storenow_new(int n_links, int n_targets)
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
	struct storenow *n = storenow_new(p->n_links, p->n_targets);
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

uint8_t storenow_rel(code_t node, code_t target)
{
	if (target == code_parent(node))
		return RPT_REL_PARENT;
	return code_level(target) == LEVEL_VILLAGE ? RPT_REL_VILLAGE
						    : RPT_REL_CHILD;
}

int storenow_link(const struct storenow *n, const char *name, int hint)
{
	const struct store_link_now *l;

	if (!n)
		return -1;
	l = storenow_links(n);
	if (hint >= 0 && hint < n->n_links && strcmp(l[hint].name, name) == 0)
		return hint;
	for (int i = 0; i < n->n_links; i++)
		if (strcmp(l[i].name, name) == 0)
			return i;
	return -1;
}

int storenow_target(const struct storenow *n, code_t code, int hint)
{
	const struct store_target_now *t;

	if (!n)
		return -1;
	t = storenow_targets(n);
	if (hint >= 0 && hint < n->n_targets && t[hint].code == code)
		return hint;
	for (int i = 0; i < n->n_targets; i++)
		if (t[i].code == code)
			return i;
	return -1;
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
