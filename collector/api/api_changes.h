/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * GET /api/v1/changes' version log (api_changes.c; docs/api.md): the
 * handler (api.h) and, for it and for tests, the two steps it is made of.
 * A scan compares a copy of the engine's node states with the last one
 * and logs the codes that differ under one new version; a read gives the
 * nodes changed after a version, each once, with its state now.  Both
 * take the log's own lock; nothing here logs or answers.
 */
#ifndef EGNET_API_CHANGES_H
#define EGNET_API_CHANGES_H

#include <stdbool.h>
#include <stdint.h>

#include "collector/api/api.h"
#include "collector/verify/verify.h"

#define API_CHANGES_LOG	    32768 /* entries of the log, a ring */
#define API_CHANGES_MAX	    5000  /* nodes in one answer; past it: reset */
#define API_CHANGES_SCAN_MS 250	  /* at most one scan per this, ms */

/*
 * @now (malloc'd, @n nodes in code order, as verify_nodes gives them)
 * becomes the last copy (taken, freed later here).  The first copy, or
 * one of another set of codes (another inventory), starts the log again:
 * a new version that every older one is told to reset from.  Else every
 * node whose state or wrong_parent differs is logged under one new
 * version (none: the version stays).  The oldest entries go when the log
 * is full, and a caller from before them is told to reset.
 */
void api_changes_scan(struct api_changes *c, struct verify_node *now, int n);

/*
 * The nodes changed after version @since: *@out (malloc'd, *@n of them,
 * in code order, their state in the last copy; NULL when none), or
 * *@reset when the caller must start again from the whole tree (@since
 * older than the log holds or newer than its version, more than
 * API_CHANGES_MAX nodes, no memory).  Returns the newest version.
 */
uint64_t api_changes_since(struct api_changes *c, uint64_t since,
			   struct verify_node **out, int *n, bool *reset);

#endif
