/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * egnetctl tree | outages | coverage: the collector's verification
 * answers (docs/api.md) as text.  The answer is outside input: a member
 * missing or of another type prints as "-" (or is left out), strings go
 * through textw (controls shown as '?'), nesting is followed no deeper
 * than the five levels.
 */
#ifndef EGNET_COLLVERIFY_H
#define EGNET_COLLVERIFY_H

#include <jansson.h>
#include <stdio.h>

/* The tree indented two spaces a level: code, name, state, and the
 * descendants' counts that are not zero; then the unexpected nodes. */
void collverify_tree(FILE *f, const json_t *answer);

/* One line per outage (root, level, state, since, cut off per level),
 * then its nodes, ten codes a line. */
void collverify_outages(FILE *f, const json_t *answer, long long now_ms);

/* Per level connected / expected and %, then one line per region. */
void collverify_coverage(FILE *f, const json_t *answer);

#endif
