/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-minute series of a node, aggregated in memory: each report in order
 * adds to the open minute of each of its links (bytes since the previous
 * report, the reported rates) and targets (RTT, loss, jitter); the minute
 * closes when a report of another minute comes (or the store closes it by
 * the clock) and gives one row per link and per target.  A counter that
 * went back (the agent restarted, a counter wrapped) counts from zero.
 * Pure: the rows go to a callback; the only error is -ENOMEM.
 */
#ifndef EGNET_STOREAGG_H
#define EGNET_STOREAGG_H

#include "collector/store/store.h"
#include "collector/store/storerep.h"

#define STOREAGG_MINUTE_MS 60000LL

typedef int (*storeagg_fn)(void *arg, code_t node,
			   const struct store_series_row *row);

/*
 * Add @cur to the open minute of @s and make @s the state of @cur (its
 * links and targets, in its order; a link gone from @cur loses its open
 * minute).  A report older than the state's (seq not above it) changes
 * nothing.  Closing a minute calls @fn per row; a non-zero return from @fn
 * is returned (after @s is fully updated).  -ENOMEM leaves @s as it was.
 */
int storeagg_advance(struct storestate *s, const struct storerep *cur,
		     storeagg_fn fn, void *arg);

/* Close the open minute of node @node: one row per key with samples. */
int storeagg_close(struct storestate *s, code_t node, storeagg_fn fn,
		   void *arg);

#endif
