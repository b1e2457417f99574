// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the collector's HTTP server (collector/ingest/): route
 * patterns and the choice between 404 and 405 with its Allow list; the
 * latency buckets and the Prometheus text (cumulative buckets ending in
 * the count); names a certificate gives; and a real server on a
 * plaintext 127.0.0.1 listener with an ephemeral port, driven by libcurl:
 * a handler answering at once, one answering from another thread, JSON
 * errors for 404/405/413, a body kept byte for byte, a handler that fails
 * or forgets to answer (500), and stop while a request is suspended (the
 * client gets 503; the late http_answer only frees: valgrind checks it).
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "collector/ingest/http.h"
#include "collector/ingest/http_route.h"
#include "collector/ingest/http_stats.h"
#include "collector/ingest/http_tls.h"

static int dummy(struct http_req *req, void *arg)
{
	(void)arg;
	return http_answer(req, 204, NULL);
}

/* ---- route patterns ---- */

static const struct match_row {
	const char *pattern, *path;
	bool match;
	const char *param0, *param1;
} match_rows[] = {
	{"/api/v1/nodes", "/api/v1/nodes", true, NULL, NULL},
	{"/api/v1/nodes", "/api/v1/nodes/", false, NULL, NULL},
	{"/api/v1/nodes", "/api/v1/node", false, NULL, NULL},
	{"/api/v1/nodes", "/api/v1/nodesx", false, NULL, NULL},
	{"/api/v1/nodes/{code}", "/api/v1/nodes/210102000000", true,
	 "210102000000", NULL},
	{"/api/v1/nodes/{code}", "/api/v1/nodes/", false, NULL, NULL},
	{"/api/v1/nodes/{code}", "/api/v1/nodes", false, NULL, NULL},
	{"/api/v1/nodes/{code}", "/api/v1/nodes/a/b", false, NULL, NULL},
	{"/a/{x}/b/{y}", "/a/1/b/2", true, "1", "2"},
	{"/a/{x}/b/{y}", "/a/1/c/2", false, NULL, NULL},
	{"/static/*", "/static/", true, NULL, NULL},
	{"/static/*", "/static/css/a.css", true, NULL, NULL},
	{"/static/*", "/stat", false, NULL, NULL},
	{"/", "/", true, NULL, NULL},
	{"/", "/x", false, NULL, NULL},
	{"/x", "x", false, NULL, NULL},
};

static void test_match(void **state)
{
	char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];
	int n = -1;

	(void)state;
	for (size_t i = 0; i < sizeof(match_rows) / sizeof(match_rows[0]); i++) {
		const struct match_row *r = &match_rows[i];
		bool m = http_route_match(r->pattern, r->path, params, &n);

		if (m != r->match)
			fail_msg("%s against %s: %d", r->path, r->pattern, m);
		if (!m)
			continue;
		assert_int_equal(n, (r->param0 != NULL) + (r->param1 != NULL));
		if (r->param0)
			assert_string_equal(params[0], r->param0);
		if (r->param1)
			assert_string_equal(params[1], r->param1);
	}
}

static void test_match_long_param(void **state)
{
	char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX], path[300];
	int n;

	(void)state;
	/* a segment longer than a parameter holds is no match, not a cut */
	snprintf(path, sizeof(path), "/n/%0*d", HTTP_PARAM_MAX, 7);
	assert_false(http_route_match("/n/{c}", path, params, &n));
	snprintf(path, sizeof(path), "/n/%0*d", HTTP_PARAM_MAX - 1, 7);
	assert_true(http_route_match("/n/{c}", path, params, &n));
	assert_int_equal(strlen(params[0]), HTTP_PARAM_MAX - 1);
}

static void test_find(void **state)
{
	static const struct http_route first[] = {
		{"POST", "/x", dummy, NULL, false},
		{NULL, NULL, NULL, NULL, false},
	};
	static const struct http_route second[] = {
		{"GET", "/x", dummy, NULL, false},
		{"POST", "/x", dummy, (void *)1, false},
		{"GET", "/y/{id}", dummy, NULL, false},
		{NULL, NULL, NULL, NULL, false},
	};
	const struct http_route *const tables[] = {first, second};
	char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX], allow[64];
	const struct http_route *r = NULL;
	int n;

	(void)state;
	/* the first table wins */
	assert_int_equal(http_route_find(tables, 2, "POST", "/x", &r, params,
					 &n, allow, sizeof(allow)),
			 0);
	assert_ptr_equal(r, &first[0]);
	assert_int_equal(http_route_find(tables, 2, "GET", "/x", &r, params,
					 &n, allow, sizeof(allow)),
			 0);
	assert_ptr_equal(r, &second[0]);
	assert_int_equal(http_route_find(tables, 2, "DELETE", "/x", &r, params,
					 &n, allow, sizeof(allow)),
			 -EOPNOTSUPP);
	/* each method once */
	assert_string_equal(allow, "POST, GET");
	assert_int_equal(http_route_find(tables, 2, "GET", "/y/5", &r, params,
					 &n, allow, sizeof(allow)),
			 0);
	assert_string_equal(params[0], "5");
	assert_int_equal(http_route_find(tables, 2, "GET", "/z", &r, params,
					 &n, allow, sizeof(allow)),
			 -ENOENT);
	assert_int_equal(http_route_find(tables, 1, "GET", "/y/5", &r, params,
					 &n, allow, sizeof(allow)),
			 -ENOENT);
}

/* ---- counters ---- */

static void test_buckets(void **state)
{
	(void)state;
	assert_int_equal(http_stats_bucket(0), 0);
	for (int i = 0; i < HTTP_LAT_BUCKETS; i++) {
		/* "le": a bound falls in its own bucket, past it the next */
		assert_int_equal(http_stats_bucket(http_lat_bounds[i]), i);
		assert_int_equal(http_stats_bucket(http_lat_bounds[i] * 1.001),
				 i + 1);
		if (i)
			assert_true(http_lat_bounds[i] > http_lat_bounds[i - 1]);
	}
}

static void test_format(void **state)
{
	struct http_stats live = {0}, st;
	unsigned long long prev = 0, v, inf = 0, count = 0, c2 = 0, rej = 0;
	char buf[8192], small[100], *line, *save = NULL;
	int buckets = 0;
	size_t n;

	(void)state;
	for (int i = 0; i <= HTTP_LAT_BUCKETS + 1; i++)
		http_stats_answer(&live, 200 + (unsigned)i % 3 * 100,
				  i ? http_lat_bounds[i % HTTP_LAT_BUCKETS] * 1.5
				    : 0);
	http_stats_reject(&live, HTTP_REJ_TOO_LARGE);
	http_stats_snapshot(&live, &st);
	n = http_stats_format(&st, buf, sizeof(buf));
	assert_true(n < sizeof(buf));
	assert_int_equal(strlen(buf), n);
	/* a buffer too small: the full length is still told, the text cut */
	assert_int_equal(http_stats_format(&st, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "egnet_http_request_duration_seconds_bucket"
				 "{le=\"+Inf\"} %llu", &v) == 1)
			inf = v;
		else if (strstr(line, "_bucket{le=") &&
			 sscanf(strchr(line, '}') + 1, "%llu", &v) == 1) {
			assert_true(v >= prev); /* cumulative */
			prev = v;
			buckets++;
		} else if (sscanf(line, "egnet_http_request_duration_seconds_"
					"count %llu", &v) == 1)
			count = v;
		else if (sscanf(line, "egnet_http_requests_total{code=\"2xx\"} "
				      "%llu", &v) == 1)
			c2 = v;
		else if (sscanf(line, "egnet_http_rejected_total{reason="
				      "\"too_large\"} %llu", &v) == 1)
			rej = v;
	}
	assert_int_equal(buckets, HTTP_LAT_BUCKETS);
	assert_int_equal(inf, st.answered);
	assert_int_equal(count, st.answered);
	assert_int_equal(c2, st.by_class[2]);
	assert_true(c2 > 0);
	assert_int_equal(rej, 1);
}

/* ---- names a certificate gives ---- */

static void test_code_of(void **state)
{
	static const struct {
		const char *name, *prefix;
		int rc;
	} rows[] = {
		{"urn:egnet:node:210102001000", HTTP_TLS_URN, 0},
		{"urn:egnet:node:21010200100", HTTP_TLS_URN, -EINVAL},
		{"urn:egnet:node:2101020010000", HTTP_TLS_URN, -EINVAL},
		{"urn:egnet:node:21010200100x", HTTP_TLS_URN, -EINVAL},
		{"urn:egnet:nodes:210102001000", HTTP_TLS_URN, -EINVAL},
		{"210102001000", "", 0},
		{"2101", "", -EINVAL},
		{"010102001000", "", -EINVAL}, /* no province 01 */
	};
	code_t c;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = http_tls_code_of(rows[i].name, strlen(rows[i].name),
					  rows[i].prefix, &c);

		if (rc != rows[i].rc)
			fail_msg("%s: %d", rows[i].name, rc);
		if (!rc) {
			char cb[CODE_STRLEN];

			assert_string_equal(code_format(c, cb),
					    rows[i].name + strlen(rows[i].prefix));
		}
	}
	assert_int_equal(http_tls_identity("junk", 4, &c), -EINVAL);
}

/* ---- a real server ---- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct http_req *parked; /* suspended by h_park */

static int h_echo(struct http_req *req, void *arg)
{
	size_t len;
	const char *b = http_req_body(req, &len);

	(void)arg;
	return http_answer(req, 200,
			   json_pack("{s:s, s:s%, s:s?}", "method",
				     http_req_method(req), "body", b, len,
				     "param", http_req_param(req, 0)));
}

static void *answer_later(void *arg)
{
	struct http_req *req = arg;

	http_answer(req, 201, json_pack("{s:b}", "later", 1));
	return NULL;
}

static int h_async(struct http_req *req, void *arg)
{
	pthread_t t;

	(void)arg;
	assert_int_equal(http_suspend(req), 0);
	assert_int_equal(http_suspend(req), -EALREADY);
	/* answered from another thread, maybe before this returns */
	assert_int_equal(pthread_create(&t, NULL, answer_later, req), 0);
	pthread_detach(t);
	return 0;
}

static int h_fail(struct http_req *req, void *arg)
{
	(void)req;
	(void)arg;
	return -EIO;
}

static int h_silent(struct http_req *req, void *arg)
{
	(void)req;
	(void)arg;
	return 0;
}

static int h_park(struct http_req *req, void *arg)
{
	(void)arg;
	assert_int_equal(http_suspend(req), 0);
	pthread_mutex_lock(&mu);
	parked = req;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return 0;
}

static const struct http_route test_routes[] = {
	{"GET", "/echo", h_echo, NULL, false},
	{"POST", "/echo", h_echo, NULL, false},
	{"GET", "/echo/{p}", h_echo, NULL, false},
	{"GET", "/async", h_async, NULL, false},
	{"GET", "/fail", h_fail, NULL, false},
	{"GET", "/silent", h_silent, NULL, false},
	{"GET", "/park", h_park, NULL, false},
	{"GET", "/node", h_echo, NULL, true},
	{NULL, NULL, NULL, NULL, false},
};

#define MAX_BODY 1000

static struct http_server *start(void)
{
	struct http_listen l = {.len = sizeof(struct sockaddr_in), .tls = false};
	struct sockaddr_in *a = (struct sockaddr_in *)&l.ss;
	const struct http_route *tables[] = {test_routes};
	struct http_conf c = {.listen = &l, .n_listen = 1,
			      .max_body = MAX_BODY, .connections = 64,
			      .threads = 2, .timeout = 5};
	struct http_server *srv = NULL;
	char err[256];

	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = 0;
	if (http_server_start(&srv, &c, tables, 1, err, sizeof(err)))
		fail_msg("start: %s", err);
	return srv;
}

struct got {
	long status;
	char body[16384];
	size_t len;
	char allow[64];
};

static size_t got_body(char *p, size_t sz, size_t n, void *u)
{
	struct got *g = u;
	size_t k = sz * n;

	if (g->len + k < sizeof(g->body)) {
		memcpy(g->body + g->len, p, k);
		g->len += k;
		g->body[g->len] = '\0';
	}
	return k;
}

static size_t got_header(char *p, size_t sz, size_t n, void *u)
{
	struct got *g = u;

	if (!strncasecmp(p, "Allow: ", 7))
		snprintf(g->allow, sizeof(g->allow), "%.*s",
			 (int)strcspn(p + 7, "\r\n"), p + 7);
	return sz * n;
}

/* One request; @body NULL: GET (or @method). */
static void fetch(int port, const char *method, const char *path,
		  const char *body, long blen, struct got *g)
{
	char url[256];
	CURL *h = curl_easy_init();
	CURLcode rc;

	memset(g, 0, sizeof(*g));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, got_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, g);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, got_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, g);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, blen);
	}
	if (method)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &g->status);
	curl_easy_cleanup(h);
}

static json_t *parse(const struct got *g)
{
	json_t *j = json_loadb(g->body, g->len, JSON_ALLOW_NUL, NULL);

	if (!j)
		fail_msg("not JSON: %s", g->body);
	return j;
}

static void expect_error(const struct got *g, long status, const char *word)
{
	json_t *j = parse(g);

	assert_int_equal(g->status, status);
	assert_string_equal(json_string_value(json_object_get(j, "error")),
			    word);
	assert_non_null(json_string_value(json_object_get(j, "reason")));
	json_decref(j);
}

static void test_server(void **state)
{
	struct http_server *srv = start();
	int port = http_server_port(srv, 0);
	char body[MAX_BODY + 1];
	struct http_stats st;
	struct got g;
	json_t *j;

	(void)state;
	assert_true(port > 0);
	fetch(port, NULL, "/echo/abc", NULL, 0, &g);
	assert_int_equal(g.status, 200);
	j = parse(&g);
	assert_string_equal(json_string_value(json_object_get(j, "param")),
			    "abc");
	json_decref(j);

	/* the body byte for byte, NULs included, up to max_body */
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (char)(i % 7 ? 'a' + i % 26 : 0);
	fetch(port, NULL, "/echo", body, MAX_BODY, &g);
	assert_int_equal(g.status, 200);
	j = parse(&g);
	assert_int_equal(json_string_length(json_object_get(j, "body")),
			 MAX_BODY);
	assert_memory_equal(json_string_value(json_object_get(j, "body")),
			    body, MAX_BODY);
	json_decref(j);
	fetch(port, NULL, "/echo", body, MAX_BODY + 1, &g);
	expect_error(&g, 413, "too_large");

	fetch(port, NULL, "/async", NULL, 0, &g);
	assert_int_equal(g.status, 201);
	j = parse(&g);
	assert_true(json_is_true(json_object_get(j, "later")));
	json_decref(j);

	fetch(port, NULL, "/nothing", NULL, 0, &g);
	expect_error(&g, 404, "not_found");
	fetch(port, "DELETE", "/echo", NULL, 0, &g);
	expect_error(&g, 405, "method_not_allowed");
	assert_string_equal(g.allow, "GET, POST");
	fetch(port, NULL, "/fail", NULL, 0, &g);
	expect_error(&g, 500, "internal");
	fetch(port, NULL, "/silent", NULL, 0, &g);
	expect_error(&g, 500, "internal");
	/* plaintext: no identity */
	fetch(port, NULL, "/node", NULL, 0, &g);
	expect_error(&g, 403, "no_identity");

	/* an answer is counted when libmicrohttpd says the request is
	 * completed, which may come after the client has read it */
	for (int i = 0; i < 200; i++) {
		http_server_stats(srv, &st);
		if (st.by_class[2] >= 3)
			break;
		usleep(10000);
	}
	assert_int_equal(st.rejected[HTTP_REJ_TOO_LARGE], 1);
	assert_int_equal(st.rejected[HTTP_REJ_NOT_FOUND], 1);
	assert_int_equal(st.rejected[HTTP_REJ_METHOD], 1);
	assert_int_equal(st.rejected[HTTP_REJ_INTERNAL], 2);
	assert_int_equal(st.rejected[HTTP_REJ_NO_IDENTITY], 1);
	assert_int_equal(st.by_class[2], 3);
	assert_int_equal(st.suspended, 0);
	http_server_stop(srv);
}

struct bg {
	int port;
	struct got g;
};

static void *bg_fetch(void *arg)
{
	struct bg *b = arg;

	fetch(b->port, NULL, "/park", NULL, 0, &b->g);
	return NULL;
}

static void test_stop_suspended(void **state)
{
	struct http_server *srv = start();
	struct bg b = {.port = http_server_port(srv, 0)};
	struct http_stats st;
	pthread_t t;

	(void)state;
	parked = NULL;
	assert_int_equal(pthread_create(&t, NULL, bg_fetch, &b), 0);
	pthread_mutex_lock(&mu);
	while (!parked)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	http_server_stats(srv, &st);
	assert_int_equal(st.suspended, 1);
	http_server_stop(srv);
	pthread_join(t, NULL);
	expect_error(&b.g, 503, "stopping");
	/* the handler's side answers late: only its reference goes */
	assert_int_equal(http_answer(parked, 200, json_object()), -EALREADY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_long_param),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_code_of),
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_stop_suspended),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_ALL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
