// SPDX-License-Identifier: BSD-2-Clause
/*
 * Sequence ranges of a node; see storeseq.h.  Binary search over the sorted
 * ranges; an insertion keeps them merged (no two ranges touch or overlap).
 */
#include "collector/store/storeseq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Index of the first range whose hi >= seq (n when none). */
static uint32_t storeseq_find(const struct storeseq *s, uint64_t seq)
{
	uint32_t lo = 0, hi = s->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].hi < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool storeseq_has(const struct storeseq *s, uint64_t seq)
{
	uint32_t i = storeseq_find(s, seq);

	return i < s->n && s->v[i].lo <= seq;
}

static int storeseq_grow(struct storeseq *s)
{
	uint32_t cap = s->cap ? s->cap * 2 : 1;
	struct storeseq_range *v;

	if (s->n < s->cap)
		return 0;
	v = realloc(s->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->cap = cap;
	return 0;
}

int storeseq_add_range(struct storeseq *s, uint64_t lo, uint64_t hi)
{
	/* first range that touches or follows [lo, hi] */
	uint32_t i = storeseq_find(s, lo == 0 ? 0 : lo - 1), j;

	if (hi < lo)
		return -EINVAL;
	if (i < s->n && (hi == UINT64_MAX || s->v[i].lo <= hi + 1)) {
		/* merge with i and every range after it that touches */
		if (s->v[i].lo > lo)
			s->v[i].lo = lo;
		if (s->v[i].hi < hi)
			s->v[i].hi = hi;
		for (j = i + 1; j < s->n && (s->v[i].hi == UINT64_MAX ||
					     s->v[j].lo <= s->v[i].hi + 1);
		     j++)
			if (s->v[j].hi > s->v[i].hi)
				s->v[i].hi = s->v[j].hi;
		if (j > i + 1) {
			memmove(&s->v[i + 1], &s->v[j],
				(s->n - j) * sizeof(s->v[0]));
			s->n -= j - i - 1;
		}
		return 0;
	}
	if (storeseq_grow(s))
		return -ENOMEM;
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(s->v[0]));
	s->v[i].lo = lo;
	s->v[i].hi = hi;
	s->n++;
	if (s->n > STORESEQ_MAX) {
		/* bounded: the two lowest become one */
		s->v[0].hi = s->v[1].hi;
		memmove(&s->v[1], &s->v[2], (s->n - 2) * sizeof(s->v[0]));
		s->n--;
	}
	return 0;
}

int storeseq_add(struct storeseq *s, uint64_t seq)
{
	return storeseq_add_range(s, seq, seq);
}

int storeseq_reserve(struct storeseq *s, uint32_t n)
{
	struct storeseq_range *v;

	if (s->cap >= n)
		return 0;
	v = realloc(s->v, n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->cap = n;
	return 0;
}

int storeseq_copy(struct storeseq *dst, const struct storeseq *src)
{
	if (storeseq_reserve(dst, src->n))
		return -ENOMEM;
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(src->v[0]));
	dst->n = src->n;
	return 0;
}

bool storeseq_equal(const struct storeseq *a, const struct storeseq *b)
{
	return a->n == b->n &&
	       (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof(a->v[0])) == 0);
}

void storeseq_free(struct storeseq *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
