/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The collector's API: its route table.  /api/v1/reports (POST, a node's
 * certificate needed), /api/v1/nodes, /api/v1/nodes/{code},
 * /api/v1/events and /metrics (GET).  Handlers not written yet answer 501
 * with {"error": "not_implemented"}; /metrics prints the HTTP server's
 * counters.
 */
#ifndef EGNET_ROUTES_H
#define EGNET_ROUTES_H

#include "collector/ingest/http.h"

/* What the handlers reach; filled by the daemon. */
struct routes_ctx {
	struct http_server *http; /* set once the server is started */
};

/* The table (static storage), its handlers given @ctx. */
const struct http_route *routes_table(struct routes_ctx *ctx);

#endif
