// SPDX-License-Identifier: BSD-2-Clause
/*
 * Test routes of tests/egnet-collector-test (never in the product, which
 * links collector/ingest/testroutes_none.c):
 *   GET|POST /test/echo      200 {"method", "length", "node"} at once
 *   POST     /test/node      the same, a node's certificate needed
 *   GET|POST /test/async     200 {"async": true, "length"} answered from
 *                            one answering thread after ?delay_ms=
 *                            (default 50)
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

/*
 * One answering thread, as the store's writer will be: requests queue in
 * arrival order and each is answered at its due time (a short delay behind
 * a long one waits for it: fine for tests).
 */
struct later {
	struct http_req *req;
	double due;
	size_t len;
	struct later *next;
};

static pthread_mutex_t later_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t later_cv = PTHREAD_COND_INITIALIZER;
static struct later *later_head, *later_tail;
static pthread_once_t later_once = PTHREAD_ONCE_INIT;
static int later_ok;

static double later_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *routes_later(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&later_mu);
	for (;;) {
		struct later *l;
		double wait;

		while (!later_head)
			pthread_cond_wait(&later_cv, &later_mu);
		l = later_head;
		wait = l->due - later_now();
		if (wait > 0) {
			struct timespec ts = {(time_t)wait,
					      (long)((wait - (double)(time_t)wait) *
						     1e9)};

			pthread_mutex_unlock(&later_mu);
			nanosleep(&ts, NULL);
			pthread_mutex_lock(&later_mu);
			continue;
		}
		later_head = l->next;
		if (!later_head)
			later_tail = NULL;
		pthread_mutex_unlock(&later_mu);
		http_answer(l->req, 200,
			    json_pack("{s:b, s:I}", "async", 1, "length",
				      (json_int_t)l->len));
		free(l);
		pthread_mutex_lock(&later_mu);
	}
	return NULL;
}

static void later_start(void)
{
	pthread_t t;

	later_ok = pthread_create(&t, NULL, routes_later, NULL) == 0;
	if (later_ok)
		pthread_detach(t);
}

static int routes_async(struct http_req *req, void *arg)
{
	const char *d = http_req_query(req, "delay_ms");
	long ms = d ? strtol(d, NULL, 10) : 50;
	struct later *l;
	int rc;

	(void)arg;
	pthread_once(&later_once, later_start);
	if (!later_ok)
		return -EAGAIN;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	if (ms < 0 || ms > 60000)
		ms = 50;
	l->req = req;
	l->due = later_now() + (double)ms / 1000;
	http_req_body(req, &l->len);
	rc = http_suspend(req);
	if (rc) {
		free(l);
		return rc;
	}
	pthread_mutex_lock(&later_mu);
	if (later_tail)
		later_tail->next = l;
	else
		later_head = l;
	later_tail = l;
	pthread_cond_signal(&later_cv);
	pthread_mutex_unlock(&later_mu);
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
