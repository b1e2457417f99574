// SPDX-License-Identifier: BSD-2-Clause
/*
 * The collector's route table; see routes.h.  Like lldpd's client.c
 * handler table: one line per route, the handlers below it.  Handlers of
 * other parts (reports, nodes, events, the store's metrics) replace the
 * not-implemented ones as they come.
 */
#include "collector/ingest/routes.h"

#include <errno.h>
#include <stdlib.h>

static int routes_todo(struct http_req *req, void *arg)
{
	(void)arg;
	return http_error(req, 501, "not_implemented",
			  "%s %s is not in this build yet",
			  http_req_method(req), http_req_path(req));
}

static int routes_metrics(struct http_req *req, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct http_stats st;
	size_t cap = 8192, n;
	char *buf = NULL;
	int rc;

	if (!ctx->http)
		return http_error(req, 503, "starting", "not serving yet");
	http_server_stats(ctx->http, &st);
	for (;;) {
		char *p = realloc(buf, cap);

		if (!p) {
			free(buf);
			return -ENOMEM;
		}
		buf = p;
		n = http_stats_format(&st, buf, cap);
		if (n < cap)
			break;
		cap = n + 1;
	}
	rc = http_answer_text(req, 200, "text/plain; version=0.0.4", buf, n);
	free(buf);
	return rc;
}

static struct http_route routes[] = {
	{"POST", "/api/v1/reports", routes_todo, NULL, true},
	{"GET", "/api/v1/nodes", routes_todo, NULL, false},
	{"GET", "/api/v1/nodes/{code}", routes_todo, NULL, false},
	{"GET", "/api/v1/events", routes_todo, NULL, false},
	{"GET", "/metrics", routes_metrics, NULL, false},
	{NULL, NULL, NULL, NULL, false},
};

const struct http_route *routes_table(struct routes_ctx *ctx)
{
	for (struct http_route *r = routes; r->path; r++)
		r->arg = ctx;
	return routes;
}
