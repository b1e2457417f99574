/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Counters of the HTTP server: answers by status class, the server's own
 * refusals by reason, connections, and request latency as a histogram
 * with Prometheus-style buckets (the time from the request's headers to
 * the end of its answer).  The server updates a live struct from its
 * worker threads with relaxed atomic adds; readers take a snapshot and
 * print it in the Prometheus text format for /metrics.
 */
#ifndef EGNET_HTTP_STATS_H
#define EGNET_HTTP_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Why the server itself refused a request (handlers' errors are not). */
enum http_reject {
	HTTP_REJ_NO_CERT,     /* TLS without a client certificate */
	HTTP_REJ_BAD_CERT,    /* not verified, expired, wrong purpose */
	HTTP_REJ_NO_IDENTITY, /* the route needs a node and there is none */
	HTTP_REJ_NOT_FOUND,   /* no route for the path */
	HTTP_REJ_METHOD,      /* the path's routes take other methods */
	HTTP_REJ_TOO_LARGE,   /* body past max_body */
	HTTP_REJ_INTERNAL,    /* a handler failed or gave no answer */
	HTTP_REJ_STOPPING,    /* answered 503 at stop */
	HTTP_REJ_COUNT
};

#define HTTP_LAT_BUCKETS 14

/* Upper bounds of the latency buckets, seconds, ascending. */
extern const double http_lat_bounds[HTTP_LAT_BUCKETS];

struct http_stats {
	uint64_t answered;	       /* requests answered, all statuses */
	uint64_t by_class[6];	       /* [status / 100], 1..5 */
	uint64_t rejected[HTTP_REJ_COUNT];
	uint64_t lat[HTTP_LAT_BUCKETS + 1]; /* per bucket, last: beyond */
	uint64_t lat_sum_us;
	uint64_t conn_total; /* connections accepted */
	uint64_t conn_open;  /* open now */
	uint64_t suspended;  /* requests waiting for an answer now */
	/* TLS connections by handshake, counted at their first request */
	uint64_t tls_full, tls_resumed;
};

/* The word of a reason ("no_cert", "too_large", ...). */
const char *http_reject_word(enum http_reject r);

/* Index of the bucket @seconds falls in (HTTP_LAT_BUCKETS: beyond all). */
int http_stats_bucket(double seconds);

/* Count an answer of @status that took @seconds. */
void http_stats_answer(struct http_stats *live, unsigned status,
		       double seconds);
void http_stats_reject(struct http_stats *live, enum http_reject r);
/* Add @delta (may be negative) to a gauge or counter field. */
void http_stats_add(uint64_t *field, int64_t delta);

/* A consistent-enough copy of @live (each field read atomically). */
void http_stats_snapshot(const struct http_stats *live,
			 struct http_stats *out);

/*
 * The Prometheus text exposition of @st (egnet_http_* metrics, with HELP
 * and TYPE lines; buckets cumulative, as Prometheus wants them) into
 * @buf.  Returns the length of the whole text, like snprintf: a result of
 * @len or more means @buf was too small and holds a cut text.
 */
size_t http_stats_format(const struct http_stats *st, char *buf, size_t len);

#endif
