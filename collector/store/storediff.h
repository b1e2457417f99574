/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Events derived from two consecutive reports of a node: what the store
 * remembers of the previous one (struct storestate) against the new one.
 * Pure: no clock, no I/O, no allocation.
 *
 *   agent-seen     the first report ever, or the first after a gap (the
 *                  report times differ by more than gap_ms)
 *   agent-restart  uptime went back
 *   link-up/-down  a link known before changed to up or down (by name)
 *   target-up/-down  likewise for a probe target (by code)
 *   drift-found / drift-cleared
 *   apply-ok / apply-failed  one per RPT_EV_APPLY event of the report,
 *                  subject the profile hash it applied
 *
 * A link or target seen for the first time gives no up/down event (its
 * state is the starting point).  A report older than the previous one (a
 * seq at or below it: replayed late) gives only its apply events: the
 * transitions are measured between reports in order.
 */
#ifndef EGNET_STOREDIFF_H
#define EGNET_STOREDIFF_H

#include "collector/store/store.h"
#include "collector/store/storerep.h"

typedef void (*storediff_fn)(void *arg, const struct store_event *e);

/* Call @fn for each event of @cur after @prev; returns how many. */
int storediff(const struct storestate *prev, const struct storerep *cur,
	      long long gap_ms, storediff_fn fn, void *arg);

/* Index of link @name in @s (trying @hint first), or -1. */
int storediff_link(const struct storestate *s, const char *name, int hint);

/* Index of target @code in @s (trying @hint first), or -1. */
int storediff_target(const struct storestate *s, code_t code, int hint);

#endif
