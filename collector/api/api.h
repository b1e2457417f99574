/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The collector's read API (docs/api.md): GET /api/v1/nodes,
 * /api/v1/nodes/{code}, /api/v1/events, the verification's /api/v1/tree,
 * /api/v1/outages and /api/v1/coverage, the dashboard's
 * /api/v1/changes, and /metrics in the Prometheus text format.  Handlers read the store and the inventory; they change
 * nothing.  A query argument that is not what it should be (a code that
 * is not one, a time that is not a number, a limit out of range) is a 400
 * with the reason, never a guess.
 */
#ifndef EGNET_API_H
#define EGNET_API_H

#include <pthread.h>

#include "collector/api/metrics.h"
#include "collector/ingest/http.h"
#include "collector/ingest/reports.h"
#include "common/inventory.h"

struct store;
struct verify;

struct api_ctx {
	struct http_server *http; /* set once the server is started */
	struct store *store;
	struct reports_ctx *reports;
	/* the inventory, swapped by a reload under the write lock */
	pthread_rwlock_t inv_lock;
	const struct inventory *inv;
	struct verify *verify; /* the verification (NULL: none) */
	struct metrics_opts metrics; /* what /metrics says (under inv_lock) */
	struct alert *alert;   /* its alerts (NULL: none) */
	struct api_changes *changes; /* /api/v1/changes' log (NULL: none) */
	int refresh_ms;	       /* the dashboard's poll, said by changes */
};

#define API_EVENTS_DEFAULT 1000	 /* events answered without ?limit= */
#define API_EVENTS_MAX	   100000
#define API_SERIES_DEFAULT_MS (3600 * 1000LL) /* ?since= default: an hour */

int api_nodes(struct http_req *req, void *arg);
int api_node(struct http_req *req, void *arg);
int api_events(struct http_req *req, void *arg);
int api_metrics(struct http_req *req, void *arg);

/* api_verify.c: the verification's routes and metrics families. */
int api_tree(struct http_req *req, void *arg);
int api_outages(struct http_req *req, void *arg);
int api_coverage(struct http_req *req, void *arg);
struct metrics_buf;
void api_verify_metrics(struct api_ctx *c, struct metrics_buf *b);

/* api_changes.c: GET /api/v1/changes?since=VERSION&epoch=EPOCH, the nodes
 * whose verified state changed since, coverage, open outages, health. */
struct api_changes *api_changes_new(void);
void api_changes_free(struct api_changes *c);
int api_changes(struct http_req *req, void *arg);

#endif
