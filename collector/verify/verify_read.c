// SPDX-License-Identifier: BSD-2-Clause
/*
 * The verification's reads for the API (verify.h): copies taken under
 * the lock, so a handler builds its answer with the engine free again.
 * The outages are the registry's (their opening time survives a rebuild
 * and a restart) with the engine's counts and nodes.
 */
#include "collector/verify/verify_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int verify_nodes(struct verify *v, struct verify_node **out, int *n)
{
	struct verify_node *p;

	pthread_mutex_lock(&v->mu);
	p = malloc((size_t)(v->set.n ? v->set.n : 1) * sizeof(*p));
	if (!p) {
		pthread_mutex_unlock(&v->mu);
		return -ENOMEM;
	}
	for (int i = 0; i < v->set.n; i++) {
		struct topo_node_info ni;

		memset(&ni, 0, sizeof(ni));
		topo_node(v->set.t, v->set.codes[i], &ni);
		p[i] = (struct verify_node){
			.code = v->set.codes[i],
			.level = (uint8_t)code_level(v->set.codes[i]),
			.state = (uint8_t)ni.state,
			.wrong_parent = ni.wrong_parent,
		};
	}
	*n = v->set.n;
	pthread_mutex_unlock(&v->mu);
	*out = p;
	return 0;
}

int verify_node(struct verify *v, code_t code, struct topo_node_info *out)
{
	int rc;

	pthread_mutex_lock(&v->mu);
	rc = topo_node(v->set.t, code, out);
	pthread_mutex_unlock(&v->mu);
	return rc;
}

void verify_outages_free(struct verify_outage *o, int n)
{
	for (int i = 0; o && i < n; i++)
		free(o[i].nodes);
	free(o);
}

static int verify_outage_cmp(const void *a, const void *b)
{
	const struct verify_outage *x = a, *y = b;

	return x->root < y->root ? -1 : x->root > y->root;
}

int verify_outages(struct verify *v, struct verify_outage **out, int *n)
{
	struct verify_outage *p;
	int k = 0;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&v->mu);
	p = calloc((size_t)(v->nreg ? v->nreg : 1), sizeof(*p));
	for (int i = 0; p && i < v->nreg; i++) {
		const struct vreg *g = &v->reg[i];

		p[k] = (struct verify_outage){
			.root = g->root,
			.state = g->state,
			.opened_ms = g->opened_ms,
		};
		memcpy(p[k].cut, g->cut, sizeof(g->cut));
		if (g->n_nodes) {
			p[k].nodes = malloc((size_t)g->n_nodes * sizeof(code_t));
			if (!p[k].nodes) {
				verify_outages_free(p, k);
				p = NULL;
				break;
			}
			memcpy(p[k].nodes, g->nodes,
			       (size_t)g->n_nodes * sizeof(code_t));
			p[k].n_nodes = g->n_nodes;
		}
		k++;
	}
	pthread_mutex_unlock(&v->mu);
	if (!p)
		return -ENOMEM;
	qsort(p, (size_t)k, sizeof(*p), verify_outage_cmp);
	*out = p;
	*n = k;
	return 0;
}

int verify_coverage(struct verify *v, code_t region,
		    struct topo_coverage *out)
{
	int rc;

	pthread_mutex_lock(&v->mu);
	rc = topo_coverage(v->set.t, region, out);
	pthread_mutex_unlock(&v->mu);
	return rc;
}

int verify_unexpected(struct verify *v, struct topo_unexpected **out, int *n)
{
	struct topo_unexpected *p;
	int k;

	pthread_mutex_lock(&v->mu);
	k = topo_unexpected(v->set.t, NULL, 0);
	p = malloc((size_t)(k ? k : 1) * sizeof(*p));
	if (p)
		k = topo_unexpected(v->set.t, p, k);
	pthread_mutex_unlock(&v->mu);
	if (!p)
		return -ENOMEM;
	*out = p;
	*n = k;
	return 0;
}
