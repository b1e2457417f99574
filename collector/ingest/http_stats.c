// SPDX-License-Identifier: BSD-2-Clause
/*
 * HTTP counters and their Prometheus text; see http_stats.h.  Pure
 * functions and relaxed atomics: nothing here logs or fails.
 */
#include "collector/ingest/http_stats.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const double http_lat_bounds[HTTP_LAT_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1,	0.25,  0.5,    1,     2.5,  5,     10,
};

static const char *const reject_words[HTTP_REJ_COUNT] = {
	[HTTP_REJ_NO_CERT] = "no_cert",
	[HTTP_REJ_BAD_CERT] = "bad_cert",
	[HTTP_REJ_NO_IDENTITY] = "no_identity",
	[HTTP_REJ_NOT_FOUND] = "not_found",
	[HTTP_REJ_METHOD] = "method_not_allowed",
	[HTTP_REJ_TOO_LARGE] = "too_large",
	[HTTP_REJ_INTERNAL] = "internal",
	[HTTP_REJ_STOPPING] = "stopping",
};

const char *http_reject_word(enum http_reject r)
{
	return (unsigned)r < HTTP_REJ_COUNT ? reject_words[r] : "unknown";
}

int http_stats_bucket(double seconds)
{
	int i = 0;

	while (i < HTTP_LAT_BUCKETS && seconds > http_lat_bounds[i])
		i++;
	return i;
}

void http_stats_add(uint64_t *field, int64_t delta)
{
	__atomic_fetch_add(field, (uint64_t)delta, __ATOMIC_RELAXED);
}

void http_stats_answer(struct http_stats *live, unsigned status,
		       double seconds)
{
	unsigned cls = status / 100;

	http_stats_add(&live->answered, 1);
	if (cls >= 1 && cls <= 5)
		http_stats_add(&live->by_class[cls], 1);
	http_stats_add(&live->lat[http_stats_bucket(seconds)], 1);
	if (seconds > 0)
		http_stats_add(&live->lat_sum_us,
			       (int64_t)(seconds * 1e6 + 0.5));
}

void http_stats_reject(struct http_stats *live, enum http_reject r)
{
	if ((unsigned)r < HTTP_REJ_COUNT)
		http_stats_add(&live->rejected[r], 1);
}

void http_stats_snapshot(const struct http_stats *live,
			 struct http_stats *out)
{
	const uint64_t *src = (const uint64_t *)live;
	uint64_t *dst = (uint64_t *)out;

	/* the struct is uint64_t fields only */
	for (size_t i = 0; i < sizeof(*live) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

struct out {
	char *buf;
	size_t len, used;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(o->used < o->len ? o->buf + o->used : NULL,
		      o->used < o->len ? o->len - o->used : 0, fmt, ap);
	va_end(ap);
	if (w > 0)
		o->used += (size_t)w;
}

size_t http_stats_format(const struct http_stats *st, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	uint64_t cum = 0;

	if (len)
		buf[0] = '\0';
	put(&o, "# HELP egnet_http_requests_total Requests answered, by "
		"status class.\n# TYPE egnet_http_requests_total counter\n");
	for (int c = 1; c <= 5; c++)
		put(&o, "egnet_http_requests_total{code=\"%dxx\"} %llu\n", c,
		    (unsigned long long)st->by_class[c]);
	put(&o, "# HELP egnet_http_rejected_total Requests the server "
		"refused itself, by reason.\n"
		"# TYPE egnet_http_rejected_total counter\n");
	for (int r = 0; r < HTTP_REJ_COUNT; r++)
		put(&o, "egnet_http_rejected_total{reason=\"%s\"} %llu\n",
		    reject_words[r], (unsigned long long)st->rejected[r]);
	put(&o, "# HELP egnet_http_request_duration_seconds Time from a "
		"request's headers to the end of its answer.\n"
		"# TYPE egnet_http_request_duration_seconds histogram\n");
	for (int i = 0; i <= HTTP_LAT_BUCKETS; i++) {
		cum += st->lat[i];
		if (i < HTTP_LAT_BUCKETS)
			put(&o, "egnet_http_request_duration_seconds_bucket"
				"{le=\"%g\"} %llu\n",
			    http_lat_bounds[i], (unsigned long long)cum);
		else
			put(&o, "egnet_http_request_duration_seconds_bucket"
				"{le=\"+Inf\"} %llu\n",
			    (unsigned long long)cum);
	}
	put(&o, "egnet_http_request_duration_seconds_sum %.6f\n",
	    (double)st->lat_sum_us / 1e6);
	put(&o, "egnet_http_request_duration_seconds_count %llu\n",
	    (unsigned long long)cum);
	put(&o, "# HELP egnet_http_connections_total Connections accepted.\n"
		"# TYPE egnet_http_connections_total counter\n"
		"egnet_http_connections_total %llu\n"
		"# HELP egnet_http_connections_open Connections open now.\n"
		"# TYPE egnet_http_connections_open gauge\n"
		"egnet_http_connections_open %llu\n"
		"# HELP egnet_http_suspended Requests waiting for an "
		"answer now.\n# TYPE egnet_http_suspended gauge\n"
		"egnet_http_suspended %llu\n"
		"# HELP egnet_tls_handshakes_total TLS connections by their "
		"handshake: resumed from a session ticket or full (counted "
		"at their first request).\n"
		"# TYPE egnet_tls_handshakes_total counter\n"
		"egnet_tls_handshakes_total{resumed=\"false\"} %llu\n"
		"egnet_tls_handshakes_total{resumed=\"true\"} %llu\n",
	    (unsigned long long)st->conn_total,
	    (unsigned long long)st->conn_open,
	    (unsigned long long)st->suspended,
	    (unsigned long long)st->tls_full,
	    (unsigned long long)st->tls_resumed);
	return o.used;
}
