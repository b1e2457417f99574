/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * POST /api/v1/reports: an agent's report (common/report.h), decoded
 * strictly, its node checked against the client certificate's, handed to
 * the store and answered once the store has it durably.
 *
 * Answers (JSON):
 *   200 {"ok": true, "node": CODE, "seq": N, "stored": true}   kept now
 *   200 {"ok": true, "node": CODE, "seq": N, "stored": false,
 *        "duplicate": true}                                    kept before
 *   400 / 413 {"error": WORD, "reason": TEXT}  the body is not a report
 *        (WORD: report_err_words: json, schema, version, range, code;
 *        oversize is 413); the agent drops it
 *   403 {"error": "identity", ...}   the report is another node's
 *   503 {"error": "busy" | "store", ...}  not kept: the agent retries
 *
 * Counters (for /metrics) are relaxed atomics, readable from any thread.
 */
#ifndef EGNET_REPORTS_H
#define EGNET_REPORTS_H

#include <stdint.h>

#include "collector/ingest/http.h"
#include "common/report.h"

struct store;
struct verify;

struct reports_stats {
	uint64_t stored, duplicates, busy, unavailable, identity;
	uint64_t refused[REPORT_ERR__N]; /* by report_err */
	uint64_t bytes;			 /* of bodies taken */
};

struct reports_ctx {
	struct store *store;
	struct verify *verify;	 /* NULL: none; each report queued to the
				    store is observed */
	struct reports_stats st; /* live: atomics */
};

/* The handler of POST /api/v1/reports; @arg is a struct reports_ctx. */
int reports_post(struct http_req *req, void *arg);

/* A snapshot of the counters. */
void reports_stats(const struct reports_ctx *c, struct reports_stats *out);

/* Prometheus text of @st appended to *@buf (malloc'd, *@len bytes). */
void reports_metrics(const struct reports_stats *st, char **buf, size_t *len);

#endif
