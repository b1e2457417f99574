/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The set of sequence numbers stored for one node, as merged inclusive
 * ranges [lo, hi] in ascending order: an agent numbers its reports from 1
 * and replays its spool in order, so a node normally has one range.
 *
 * Bounded: a hostile or broken agent sending every other number would grow
 * the set without end, so beyond STORESEQ_MAX ranges the two lowest are
 * merged (the gap between them then counts as stored: a report that late
 * in that gap is answered as a duplicate).  Pure; -ENOMEM is the only error.
 */
#ifndef EGNET_STORESEQ_H
#define EGNET_STORESEQ_H

#include <stdbool.h>
#include <stdint.h>

#define STORESEQ_MAX 1024

struct storeseq_range {
	uint64_t lo, hi;
};

struct storeseq {
	uint32_t n, cap;
	struct storeseq_range *v;
};

/* True when @seq is in the set. */
bool storeseq_has(const struct storeseq *s, uint64_t seq);

/* Add @seq (merging neighbours).  0, or -ENOMEM with the set unchanged. */
int storeseq_add(struct storeseq *s, uint64_t seq);

/* Add the range [lo, hi] (lo <= hi), merging; for loading. */
int storeseq_add_range(struct storeseq *s, uint64_t lo, uint64_t hi);

/* Room for @n ranges without allocating.  0 or -ENOMEM. */
int storeseq_reserve(struct storeseq *s, uint32_t n);

/* Make @dst a copy of @src.  0 or -ENOMEM (dst unchanged). */
int storeseq_copy(struct storeseq *dst, const struct storeseq *src);

/* True when both hold the same ranges. */
bool storeseq_equal(const struct storeseq *a, const struct storeseq *b);

void storeseq_free(struct storeseq *s);

#endif
