// SPDX-License-Identifier: BSD-2-Clause
/*
 * The full verification: every node recomputed from the inputs in three
 * linear passes over the code-ordered array (children after their parent
 * in preorder, so one forward pass decides every state; one backward pass
 * sums freshness and times below, another the subtree counts), and the
 * outage roots in a fourth.  topo_recompute() makes the engine's state
 * that; topo_check() compares it with the incrementally kept one and names
 * the first difference, for the tests and as a self-check.
 */
#include "collector/topo/topo_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct full {
	uint8_t *st;
	int32_t *fb;
	long long *bm;
	int32_t (*cnt)[LEVEL_COUNT][TOPO_STATE__N];
	int32_t total[LEVEL_COUNT][TOPO_STATE__N];
	uint8_t *root;
};

static void full_free(struct full *f)
{
	free(f->st);
	free(f->fb);
	free(f->bm);
	free(f->cnt);
	free(f->root);
}

static int full_alloc(const struct topo *t, struct full *f)
{
	size_t nn = t->nn ? (size_t)t->nn : 1, na = t->na ? (size_t)t->na : 1;

	memset(f, 0, sizeof(*f));
	f->st = malloc(nn);
	f->root = malloc(nn);
	f->fb = calloc(na, sizeof(*f->fb));
	f->bm = calloc(na, sizeof(*f->bm));
	f->cnt = calloc(na, sizeof(*f->cnt));
	if (!f->st || !f->root || !f->fb || !f->bm || !f->cnt) {
		full_free(f);
		return -ENOMEM;
	}
	return 0;
}

/* Freshness and newest times below every agent (backward pass). */
static void full_below(const struct topo *t, struct full *f)
{
	for (int32_t i = t->nn - 1; i >= 0; i--) {
		const struct tnode *x = &t->n[i];
		int32_t p;

		if (x->agent < 0 || x->parent < 0)
			continue;
		p = t->n[x->parent].agent;
		f->fb[p] += f->fb[x->agent] + t->a[x->agent].fresh;
		if (f->bm[x->agent] > f->bm[p])
			f->bm[p] = f->bm[x->agent];
		if (t->a[x->agent].time_ms > f->bm[p])
			f->bm[p] = t->a[x->agent].time_ms;
	}
}

/* States (forward), counts (backward), roots (forward). */
static void full_states(const struct topo *t, struct full *f)
{
	for (int32_t i = 0; i < t->nn; i++) {
		struct topo_in in;

		topo_gather(t, i, f->st, f->fb, f->bm, &in);
		f->st[i] = (uint8_t)topo_decide(&in, NULL);
	}
	memset(f->total, 0, sizeof(f->total));
	for (int32_t i = t->nn - 1; i >= 0; i--) {
		const struct tnode *x = &t->n[i];

		f->total[x->level][f->st[i]]++;
		if (x->agent >= 0)
			f->cnt[x->agent][x->level][f->st[i]]++;
		if (x->parent < 0)
			continue;
		int32_t (*pc)[TOPO_STATE__N] = f->cnt[t->n[x->parent].agent];

		if (x->agent < 0) {
			pc[x->level][f->st[i]]++;
			continue;
		}
		for (int l = x->level; l < LEVEL_COUNT; l++)
			for (int s = 0; s < TOPO_STATE__N; s++)
				pc[l][s] += f->cnt[x->agent][l][s];
	}
	/* root[i]: bit 0 a root, bit 1 broken at or above i */
	for (int32_t i = 0; i < t->nn; i++) {
		int32_t p = t->n[i].parent;
		bool above = p >= 0 && (f->root[p] & 2);
		bool b = topo_broken(f->st[i]);

		f->root[i] = (uint8_t)((b && !above) | ((b || above) << 1));
	}
}

int topo_recompute(struct topo *t, long long now_ms)
{
	struct full f;
	int rc;

	t->nchanged = 0;
	rc = topo_expire(t, now_ms);
	if (rc < 0 || (rc = full_alloc(t, &f)) < 0)
		return rc;
	full_below(t, &f);
	full_states(t, &f);
	for (int32_t k = 0; k < t->na; k++) {
		t->a[k].fresh_below = f.fb[k];
		t->a[k].below_ms = f.bm[k];
		memcpy(t->a[k].cnt, f.cnt[k], sizeof(f.cnt[k]));
	}
	memcpy(t->total, f.total, sizeof(f.total));
	for (int32_t i = 0; rc == 0 && i < t->nn; i++) {
		if (t->n[i].state == f.st[i])
			continue;
		t->n[i].state = f.st[i];
		if (topo_grow((void **)&t->changed, &t->capchanged,
			      t->nchanged + 1, sizeof(*t->changed)) < 0)
			rc = -ENOMEM;
		else
			t->changed[t->nchanged++] = i;
	}
	/* outages: opens first, then closes (subsumed names the new root) */
	for (int32_t i = 0; rc == 0 && i < t->nn; i++)
		if ((f.root[i] & 1) && t->n[i].outage < 0)
			rc = topo_outage_open(t, i);
	for (int32_t i = 0; rc == 0 && i < t->nn; i++) {
		code_t by = 0;

		if ((f.root[i] & 1) || t->n[i].outage < 0)
			continue;
		for (int32_t j = t->n[i].parent; j >= 0; j = t->n[j].parent)
			if (f.root[j] & 1)
				by = t->n[j].code;
		rc = topo_outage_close(t, i, by);
	}
	full_free(&f);
	return rc < 0 ? rc : t->nchanged;
}

#define DIFF(...)                                                             \
	do {                                                                  \
		snprintf(err, errlen, __VA_ARGS__);                           \
		rc = -EPROTO;                                                 \
		goto out;                                                     \
	} while (0)

int topo_check(const struct topo *t, char *err, size_t errlen)
{
	char b[CODE_STRLEN];
	struct full f;
	int rc;

	if ((rc = full_alloc(t, &f)) < 0) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	for (int32_t k = 0; k < t->na; k++) {
		const struct tagent *a = &t->a[k];
		bool fresh = a->time_ms > 0 &&
			     t->now - a->time_ms <=
				     topo_window(t, t->n[a->node].level);

		if (fresh != (bool)a->fresh)
			DIFF("%s: fresh is %d, a full recompute says %d",
			     code_format(t->n[a->node].code, b), a->fresh,
			     fresh);
	}
	full_below(t, &f);
	for (int32_t k = 0; k < t->na; k++) {
		const struct tagent *a = &t->a[k];

		if (a->fresh_below != f.fb[k] || a->below_ms != f.bm[k])
			DIFF("%s: fresh below %d, newest below %lld; a full "
			     "recompute says %d, %lld",
			     code_format(t->n[a->node].code, b), a->fresh_below,
			     a->below_ms, f.fb[k], f.bm[k]);
	}
	full_states(t, &f);
	for (int32_t i = 0; i < t->nn; i++) {
		if (t->n[i].state != f.st[i])
			DIFF("%s: %s, a full recompute says %s",
			     code_format(t->n[i].code, b),
			     topo_state_words[t->n[i].state],
			     topo_state_words[f.st[i]]);
		if ((t->n[i].outage >= 0) != (f.root[i] & 1))
			DIFF("%s: %s an outage root, a full recompute says "
			     "%s", code_format(t->n[i].code, b),
			     t->n[i].outage >= 0 ? "is" : "is not",
			     (f.root[i] & 1) ? "it is" : "it is not");
	}
	for (int32_t k = 0; k < t->na; k++)
		if (memcmp(t->a[k].cnt, f.cnt[k], sizeof(f.cnt[k])))
			DIFF("%s: subtree counts differ from a full recompute",
			     code_format(t->n[t->a[k].node].code, b));
	if (memcmp(t->total, f.total, sizeof(f.total)))
		DIFF("the total counts differ from a full recompute");
	rc = 0;
out:
	full_free(&f);
	return rc;
}
