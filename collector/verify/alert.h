/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Alert delivery for an outage opened or closed: a webhook (a JSON POST,
 * docs/api.md) and syslog(3), each optional (the collector config's
 * alerts group).
 *
 * Role.  alert_post() only copies the message into a bounded queue and
 * wakes the alert thread: it never blocks the ingest or the verification
 * (a full queue drops the message and counts it).  The thread writes the
 * syslog line and delivers the webhook with libcurl's multi interface,
 * one message at a time and in order; a failure (no connection, a TLS
 * problem, an answer that is not 2xx) is retried after a jittered
 * exponential back-off, up to the attempts allowed, then dropped and
 * counted.
 *
 * Error policy: 0 or a negative errno, reasons in the caller's buffer;
 * delivery problems are counted (alert_stats) and the last one kept as
 * text, not logged (the log would be the alert's own storm).
 */
#ifndef EGNET_ALERT_H
#define EGNET_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "collector/topo/topo.h"

struct alert;

struct alert_opts {
	char webhook[1024];    /* http:// or https:// URL; "" none */
	char webhook_ca[4096]; /* CA file for its certificate; "" system */
	bool syslog;
	int queue_max;         /* messages waiting (256) */
	int timeout_ms;        /* one attempt (5000) */
	int attempts;          /* before a message is dropped (8) */
	int backoff_ms;        /* first retry after about (500) */
	int backoff_max_ms;    /* longest wait (60000) */
};

void alert_opts_default(struct alert_opts *o);

/* An outage opened or closed. */
struct alert_msg {
	enum topo_ev_type type;
	code_t root;
	char name[128];          /* the root's, from the inventory */
	enum topo_state state;
	long long opened_ms, time_ms;
	int cut[LEVEL_COUNT];
	code_t subsumed_by;
};

/*
 * The webhook's body (docs/api.md): {"event": "outage-open" |
 * "outage-close", "root", "name", "level", "state", "opened_ms",
 * "time_ms", "cut_off": {LEVEL: N}, "total", "subsumed_by"}.  New
 * reference.
 */
json_t *alert_body(const struct alert_msg *m);

/* The syslog line into buf: "outage open at CODE (NAME, township,
 * unreachable): cut off village 4".  Returns buf. */
char *alert_line(const struct alert_msg *m, char *buf, size_t len);

/*
 * The delay before attempt @attempt (1: the first retry): @base * 2^(n-1)
 * capped at @max, times a jitter in [0.5, 1.5) from @r (0 <= r < 1).
 */
long long alert_backoff_ms(int attempt, int base, int max, double r);

/* Start the thread (nothing to start when neither webhook nor syslog).
 * 0 or a negative errno with the reason in @err. */
int alert_new(struct alert **a, const struct alert_opts *o, char *err,
	      size_t errlen);

/* Stop: what is still queued is dropped (and counted).  NULL is fine. */
void alert_free(struct alert *a);

/* Queue @m (copied).  0, -ENOBUFS when the queue is full (dropped). */
int alert_post(struct alert *a, const struct alert_msg *m);

struct alert_stats {
	uint64_t queued, delivered, retries, failed, dropped, syslogged;
	int queue;
	char last_error[256];
};

void alert_stats(struct alert *a, struct alert_stats *s);

#endif
