/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The collector's API: its route table.  /api/v1/reports (POST, a node's
 * certificate needed; reports.h), /api/v1/nodes, /api/v1/nodes/{code},
 * /api/v1/events, the verification's and the dashboard's /api/v1/tree,
 * outages, coverage, changes and /metrics (GET; collector/api/api.h), and
 * the dashboard's files at / (GET, HEAD; collector/api/web.h).
 */
#ifndef EGNET_ROUTES_H
#define EGNET_ROUTES_H

#include "collector/api/api.h"
#include "collector/api/web.h"
#include "collector/ingest/http.h"
#include "collector/ingest/reports.h"

/* What the handlers reach; filled by the daemon. */
struct routes_ctx {
	struct api_ctx api;	    /* api.http: set once the server is started */
	struct reports_ctx reports; /* reports.store as api.store */
	struct web *web;	    /* the dashboard's files (NULL: none) */
};

/* The table (static storage), its handlers given @ctx. */
const struct http_route *routes_table(struct routes_ctx *ctx);

#endif
