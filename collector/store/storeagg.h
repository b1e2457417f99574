/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-minute and hourly series of a node, aggregated in memory: each
 * report in order adds to the open minute of each of its links (bytes since
 * the previous report, the reported rates) and targets (RTT, loss,
 * jitter); the minute closes when a report of another minute comes (or
 * the store closes it by the clock) and gives one row per link and per
 * target, and adds into the open hour, which closes likewise and gives the
 * hourly rows.  So the database gets each row once, never a read-modify-
 * write per minute.  A counter that went back (the agent restarted, a
 * counter wrapped) counts from zero.  Pure: the rows go to a callback; the
 * only error is -ENOMEM.
 */
#ifndef EGNET_STOREAGG_H
#define EGNET_STOREAGG_H

#include "collector/store/store.h"
#include "collector/store/storerep.h"

#define STOREAGG_MINUTE_MS 60000LL
#define STOREAGG_HOUR_MS   3600000LL

typedef int (*storeagg_fn)(void *arg, code_t node,
			   const struct store_series_row *row);

/*
 * Add @cur to the open minute of @s and make @s the state of @cur (its
 * links and targets, in its order; a link gone from @cur loses its open
 * minute and hour).  A report older than the state's (seq not above it)
 * changes nothing.  Closing a minute or an hour calls @fn per row
 * (row.hourly says which); a non-zero return from @fn is returned (after
 * @s is fully updated).  -ENOMEM leaves @s as it was.
 */
int storeagg_advance(struct storestate *s, const struct storerep *cur,
		     storeagg_fn fn, void *arg);

/* Close the open minute of node @node: one row per key with samples,
 * added into the open hour (which is closed first if the minute belongs
 * to another). */
int storeagg_close(struct storestate *s, code_t node, storeagg_fn fn,
		   void *arg);

/* Close the open hour (the open minute first): one hourly row per key. */
int storeagg_close_hour(struct storestate *s, code_t node, storeagg_fn fn,
			void *arg);

#endif
