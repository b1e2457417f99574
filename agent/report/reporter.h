/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The reporter: makes a report on the collector's interval and at once on
 * a change of state, queues it in the spool (spool.h) and sends it to the
 * collector with libcurl's multi interface driven by the agent's libevent
 * loop — never blocking it: a collector that accepts connections and
 * never answers costs a socket and a timer, not a probe or a drift check.
 *
 * Sending: the newest report first (the collector sees the present at
 * once), the backlog after it oldest first, one request of each in
 * flight; each acknowledged by its sequence number.  A failure (no
 * connection, a timeout, 5xx, 401/403/404/408/429) keeps the report in
 * the spool and waits a jittered exponential back-off (1 s doubling to
 * 5 min, half of it random) so that thousands of agents do not come back
 * in step; a report the collector refuses as malformed (400, 413, 422) is
 * dropped and counted by the reason it gives, never retried forever.
 *
 * Error policy: reporter_open() returns 0 or -errno with the reason in
 * err; after that nothing fails loudly: problems are counted, logged once
 * per change and shown in reporter_status().
 */
#ifndef EGNET_REPORTER_H
#define EGNET_REPORTER_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/report.h"

struct reporter;

struct reporter_opts {
	const char *url;	  /* the collector: http(s)://HOST[:PORT][/BASE] */
	const char *ca, *cert, *key; /* PEM files, for https */
	/* the source address reports leave from ("" or NULL: the kernel's
	 * choice): the uplink's, so the extranet's policy rules (from the
	 * node's addresses) route them */
	const char *source;
	int interval_s;		  /* a report at least this often */
	int timeout_s;		  /* a request taking longer failed */
	const char *spool_dir;
	uint64_t spool_cap;	  /* bytes */
	/*
	 * Fill @r with the node's state: everything but seq, time_ms and
	 * events, which the reporter sets.  @r arrives cleared.
	 */
	void (*fill)(struct report *r, void *arg);
	void *arg;
};

int reporter_open(struct reporter **out, struct event_base *base,
		  const struct reporter_opts *o, char *err, size_t errlen);

/* Abort what is in flight (it stays in the spool), close the spool. */
void reporter_close(struct reporter *rp);

/* Something happened: it goes in the next report, which is made soon
 * (within REPORTER_SOON_MS, at most one such report a second). */
void reporter_event(struct reporter *rp, const struct report_event *ev);

/* The state changed without an event of its own (an apply, a reload). */
void reporter_soon(struct reporter *rp);

#define REPORTER_SOON_MS 200

/* What `egnetctl status` shows of the collector and the spool. */
json_t *reporter_status(struct reporter *rp);

#endif
