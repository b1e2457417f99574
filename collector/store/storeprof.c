// SPDX-License-Identifier: BSD-2-Clause
/*
 * A node's summary without its strings (store_int.h's struct snode_info):
 * the profile's name, version and hash, 200 bytes a node, are the same for
 * every gateway of a level running the same release, so each distinct
 * triple is kept once, reference-counted, in a small chained hash table of
 * the store, and a node points at its own.  A triple no node uses any more
 * is freed at once, so hostile agents naming a new profile in every report
 * hold at most one triple each.  Under st->mu (the writer and the loading
 * at open are the only ones that set a summary); nothing logs.
 */
#include "collector/store/store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct storeprof {
	struct storeprof *next; /* in its bucket */
	uint32_t hash, ref;
	char profile[REPORT_NAME_LEN], version[REPORT_NAME_LEN];
	char phash[72];
};

static uint32_t storeprof_hash(const char *a, const char *b, const char *c)
{
	const char *s[3] = {a, b, c};
	uint32_t h = 2166136261u;

	for (int i = 0; i < 3; i++) {
		for (const unsigned char *p = (const unsigned char *)s[i]; *p;
		     p++)
			h = (h ^ *p) * 16777619u;
		h = (h ^ 0xff) * 16777619u; /* "ab","c" is not "a","bc" */
	}
	return h;
}

/* The triple of @i, found or added, with a reference taken; NULL when
 * out of memory. */
static struct storeprof *storeprof_get(struct store *st,
				       const struct store_node_info *i)
{
	uint32_t h = storeprof_hash(i->profile, i->profile_version,
				    i->profile_hash);
	struct storeprof **b = &st->prof[h % STORE_PROF_BUCKETS], *p;

	for (p = *b; p; p = p->next)
		if (p->hash == h && !strcmp(p->profile, i->profile) &&
		    !strcmp(p->version, i->profile_version) &&
		    !strcmp(p->phash, i->profile_hash)) {
			p->ref++;
			return p;
		}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->hash = h;
	p->ref = 1;
	/* the sources are NUL-terminated arrays of the same sizes */
	memcpy(p->profile, i->profile, sizeof(p->profile));
	memcpy(p->version, i->profile_version, sizeof(p->version));
	memcpy(p->phash, i->profile_hash, sizeof(p->phash));
	p->profile[sizeof(p->profile) - 1] = '\0';
	p->version[sizeof(p->version) - 1] = '\0';
	p->phash[sizeof(p->phash) - 1] = '\0';
	p->next = *b;
	*b = p;
	st->n_prof++;
	return p;
}

static void storeprof_put(struct store *st, struct storeprof *p)
{
	struct storeprof **b;

	if (!p || --p->ref)
		return;
	for (b = &st->prof[p->hash % STORE_PROF_BUCKETS]; *b != p;
	     b = &(*b)->next)
		;
	*b = p->next;
	st->n_prof--;
	free(p);
}

int snode_info_set(struct store *st, struct snode *n,
		   const struct store_node_info *i)
{
	struct storeprof *p = NULL;

	if (n->info.prof && !strcmp(n->info.prof->profile, i->profile) &&
	    !strcmp(n->info.prof->version, i->profile_version) &&
	    !strcmp(n->info.prof->phash, i->profile_hash))
		p = n->info.prof; /* the usual case: no change */
	else if (!(p = storeprof_get(st, i)))
		return -ENOMEM;
	if (p != n->info.prof) {
		storeprof_put(st, n->info.prof);
		n->info.prof = p;
	}
	n->info.has = i->node != 0;
	n->info.last_seq = i->last_seq;
	n->info.last_ms = i->last_ms;
	n->info.agent_ms = i->agent_ms;
	n->info.uptime_s = i->uptime_s;
	n->info.apply = (uint8_t)i->apply;
	n->info.drift = i->drift;
	return 0;
}

void snode_info_get(const struct snode *n, struct store_node_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!n->info.has)
		return;
	out->node = n->code;
	out->last_seq = n->info.last_seq;
	out->last_ms = n->info.last_ms;
	out->agent_ms = n->info.agent_ms;
	out->uptime_s = n->info.uptime_s;
	out->apply = (enum report_apply)n->info.apply;
	out->drift = n->info.drift;
	if (n->info.prof) {
		memcpy(out->profile, n->info.prof->profile,
		       sizeof(out->profile));
		memcpy(out->profile_version, n->info.prof->version,
		       sizeof(out->profile_version));
		memcpy(out->profile_hash, n->info.prof->phash,
		       sizeof(out->profile_hash));
	}
}

void snode_info_free(struct store *st, struct snode *n)
{
	storeprof_put(st, n->info.prof);
	memset(&n->info, 0, sizeof(n->info));
}

size_t storeprof_mem(const struct store *st)
{
	return st->n_prof * sizeof(struct storeprof) +
	       sizeof(st->prof);
}
