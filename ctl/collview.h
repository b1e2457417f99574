/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The collector's answers as tables an operator reads (egnetctl nodes,
 * node CODE, events; docs/api.md has the JSON).  Columns are sized by
 * display width (textw.h), so Chinese names line up; a member that is
 * missing, null or of another type than expected shows as "-", never
 * crashes: the answer is outside input.  Ages are counted on the
 * collector's clock where the answer gives it.
 *
 * Error policy: printing only, to the FILE given; nothing fails.
 */
#ifndef EGNET_COLLVIEW_H
#define EGNET_COLLVIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* GET /api/v1/nodes: one line per node. */
void collview_nodes(FILE *f, const json_t *answer);

/* GET /api/v1/nodes/{code}: header, links, targets, series summary. */
void collview_node(FILE *f, const json_t *answer);

/* GET /api/v1/events: one line per event, in the answer's order. */
void collview_events(FILE *f, const json_t *answer);

/* min/avg/max of one figure; n is 0 when nothing was measured. */
struct collview_stat {
	double min, avg, max;
	double weight; /* of avg: the samples of the rows */
	int n;         /* rows with the figure */
};

/* One link's or target's rows summarised. */
struct collview_sum {
	char key[16];  /* link name or target code */
	bool target;
	int rows;
	/* links: rx_bps, tx_bps; targets: rtt (min of rtt_min_ms, weighted
	 * avg of rtt_avg_ms, max of rtt_max_ms), loss_pct, jitter_ms */
	struct collview_stat s[3];
};

/*
 * Summarise series rows (the "rows" array of a node's "series") per key,
 * in order of first appearance.  Averages are weighted by each row's
 * "samples" (1 when absent).  Returns the count, with *@out malloc'd (the
 * caller frees it; NULL when 0).  Rows that are not objects, have no
 * "kind" of link/target or no "key" are skipped.
 */
size_t collview_series(const json_t *rows, struct collview_sum **out);

#endif
