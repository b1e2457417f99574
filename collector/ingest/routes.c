// SPDX-License-Identifier: BSD-2-Clause
/*
 * The collector's route table; see routes.h.  Like lldpd's client.c
 * handler table: one line per route, the handlers below it.  Handlers of
 * other parts (reports, nodes, events, the store's metrics) replace the
 * not-implemented ones as they come.
 */
#include "collector/ingest/routes.h"


static int routes_reports(struct http_req *req, void *arg)
{
	struct routes_ctx *ctx = arg;

	return reports_post(req, &ctx->reports);
}

static int routes_nodes(struct http_req *req, void *arg)
{
	return api_nodes(req, &((struct routes_ctx *)arg)->api);
}

static int routes_node(struct http_req *req, void *arg)
{
	return api_node(req, &((struct routes_ctx *)arg)->api);
}

static int routes_events(struct http_req *req, void *arg)
{
	return api_events(req, &((struct routes_ctx *)arg)->api);
}

static int routes_metrics(struct http_req *req, void *arg)
{
	return api_metrics(req, &((struct routes_ctx *)arg)->api);
}

static int routes_tree(struct http_req *req, void *arg)
{
	return api_tree(req, &((struct routes_ctx *)arg)->api);
}

static int routes_outages(struct http_req *req, void *arg)
{
	return api_outages(req, &((struct routes_ctx *)arg)->api);
}

static int routes_coverage(struct http_req *req, void *arg)
{
	return api_coverage(req, &((struct routes_ctx *)arg)->api);
}

static int routes_changes(struct http_req *req, void *arg)
{
	return api_changes(req, &((struct routes_ctx *)arg)->api);
}

static int routes_web(struct http_req *req, void *arg)
{
	return web_get(req, ((struct routes_ctx *)arg)->web);
}

static struct http_route routes[] = {
	/* the node is checked by the handler: over TLS the certificate's,
	 * on a plaintext listener (allowed by the config) the report's */
	{"POST", "/api/v1/reports", routes_reports, NULL, false},
	{"GET", "/api/v1/nodes", routes_nodes, NULL, false},
	{"GET", "/api/v1/nodes/{code}", routes_node, NULL, false},
	{"GET", "/api/v1/events", routes_events, NULL, false},
	{"GET", "/api/v1/tree", routes_tree, NULL, false},
	{"GET", "/api/v1/outages", routes_outages, NULL, false},
	{"GET", "/api/v1/coverage", routes_coverage, NULL, false},
	{"GET", "/api/v1/changes", routes_changes, NULL, false},
	{"GET", "/metrics", routes_metrics, NULL, false},
	/* the dashboard's files (collector/api/web.h), after every API
	 * route: what they do not take is the web's to answer */
	{"GET", "/", routes_web, NULL, false},
	{"HEAD", "/", routes_web, NULL, false},
	{"GET", "/{file}", routes_web, NULL, false},
	{"HEAD", "/{file}", routes_web, NULL, false},
	{"GET", "/{dir}/{file}", routes_web, NULL, false},
	{"HEAD", "/{dir}/{file}", routes_web, NULL, false},
	{NULL, NULL, NULL, NULL, false},
};

const struct http_route *routes_table(struct routes_ctx *ctx)
{
	for (struct http_route *r = routes; r->path; r++)
		r->arg = ctx;
	return routes;
}
