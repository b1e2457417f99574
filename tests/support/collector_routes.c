// SPDX-License-Identifier: BSD-2-Clause
/*
 * Test routes of tests/egnet-collector-test (never in the product, which
 * links collector/ingest/testroutes_none.c):
 *   GET|POST /test/echo      200 {"method", "length", "node"} at once
 *   POST     /test/node      the same, a node's certificate needed
 *   GET|POST /test/async     200 {"async": true, "length"} answered from
 *                            another thread after ?delay_ms= (default 50)
 *   GET|POST /test/empty     204, nothing done: the bench's baseline
 */
#include "collector/ingest/testroutes.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static json_t *echo_body(struct http_req *req)
{
	code_t code;
	char cb[CODE_STRLEN];
	size_t len;

	http_req_body(req, &len);
	return json_pack("{s:s, s:I, s:s?}", "method", http_req_method(req),
			 "length", (json_int_t)len, "node",
			 http_req_identity(req, &code) ? code_format(code, cb)
						       : NULL);
}

static int routes_echo(struct http_req *req, void *arg)
{
	(void)arg;
	return http_answer(req, 200, echo_body(req));
}

static int routes_empty(struct http_req *req, void *arg)
{
	(void)arg;
	return http_answer(req, 204, NULL);
}

struct later {
	struct http_req *req;
	long delay_ms;
	size_t len;
};

static void *routes_later(void *arg)
{
	struct later *l = arg;
	struct timespec ts = {l->delay_ms / 1000, (l->delay_ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
	http_answer(l->req, 200,
		    json_pack("{s:b, s:I}", "async", 1, "length",
			      (json_int_t)l->len));
	free(l);
	return NULL;
}

static int routes_async(struct http_req *req, void *arg)
{
	const char *d = http_req_query(req, "delay_ms");
	struct later *l = calloc(1, sizeof(*l));
	pthread_attr_t at;
	pthread_t t;
	int rc;

	(void)arg;
	if (!l)
		return -ENOMEM;
	l->req = req;
	l->delay_ms = d ? strtol(d, NULL, 10) : 50;
	if (l->delay_ms < 0 || l->delay_ms > 60000)
		l->delay_ms = 50;
	http_req_body(req, &l->len);
	rc = http_suspend(req);
	if (rc) {
		free(l);
		return rc;
	}
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, routes_later, l)) {
		pthread_attr_destroy(&at);
		/* answered here then: suspended requests must be answered */
		http_error(req, 500, "internal", "no thread");
		free(l);
		return 0;
	}
	pthread_attr_destroy(&at);
	return 0;
}

static const struct http_route routes[] = {
	{"GET", "/test/echo", routes_echo, NULL, false},
	{"POST", "/test/echo", routes_echo, NULL, false},
	{"POST", "/test/node", routes_echo, NULL, true},
	{"GET", "/test/async", routes_async, NULL, false},
	{"POST", "/test/async", routes_async, NULL, false},
	{"GET", "/test/empty", routes_empty, NULL, false},
	{"POST", "/test/empty", routes_empty, NULL, false},
	{NULL, NULL, NULL, NULL, false},
};

const struct http_route *testroutes_table(void)
{
	return routes;
}
