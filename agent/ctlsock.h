/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control socket: a local stream socket (0660) where egnetctl sends one
 * JSON object on one line and gets one JSON object back on one line, then
 * the connection closes.  It is a server that no client can wear down:
 * at most CTLSOCK_MAX_CLIENTS at once (a new client takes the place of the
 * oldest one that has sent nothing yet; when all are talking it gets a
 * "busy" answer and is closed at once), requests of at most CTLSOCK_MAX_REQUEST
 * bytes, answers of at most CTLSOCK_MAX_ANSWER bytes, CTLSOCK_TIMEOUT_MS for a
 * client to send its request and as long again to read the answer.  Every
 * connection is freed on every path (a client that leaves before its answer,
 * one that never reads it, a write error).  When accept() fails (no descriptors
 * left, say) the listener pauses with back-off instead of spinning, and
 * says so in the log at most every CTLSOCK_LOG_EVERY_S seconds.
 *
 * What a request means is not this file's business: each well-formed
 * object goes to the dispatch function, whose answer is sent back.
 */
#ifndef EGNET_CTLSOCK_H
#define EGNET_CTLSOCK_H

#include <event2/event.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CTLSOCK_MAX_CLIENTS 32
#define CTLSOCK_MAX_REQUEST (64 * 1024)
#define CTLSOCK_MAX_ANSWER  (16 * 1024 * 1024)
#define CTLSOCK_TIMEOUT_MS  5000
#define CTLSOCK_LOG_EVERY_S 10

struct ctlsock;

/* Answer a request (a JSON object); the answer is the caller's to give
 * away (it is freed after it is sent).  Never NULL. */
typedef json_t *(*ctlsock_dispatch_fn)(void *arg, const json_t *req);

struct ctlsock_stats {
	int clients;	    /* connected now */
	uint64_t accepted;  /* connections taken */
	uint64_t busy;	    /* refused: CTLSOCK_MAX_CLIENTS were talking */
	uint64_t evicted;   /* idle clients closed for a new one */
	uint64_t timed_out; /* idle or slow clients closed */
	uint64_t bad;	    /* requests that were not one JSON object */
	uint64_t too_long;  /* requests over CTLSOCK_MAX_REQUEST */
	uint64_t accept_errors;
};

/*
 * Listen on path (a stale socket of a dead agent is replaced; a live agent
 * answering there is -EADDRINUSE).  Returns 0 or -errno with the reason in
 * err.
 */
int ctlsock_open(struct ctlsock **out, struct event_base *base,
		 const char *path, ctlsock_dispatch_fn fn, void *arg, char *err,
		 size_t errlen);

/* Close every connection and the listener, remove the socket file. */
void ctlsock_close(struct ctlsock *cs);

void ctlsock_stats(const struct ctlsock *cs, struct ctlsock_stats *st);

/*
 * One request line into a JSON object: strict JSON (no duplicate keys, no
 * NUL in strings), an object at the top.  Returns the object, or NULL with
 * the reason in err.  Pure; for the server and its fuzz target.
 */
json_t *ctlsock_parse(const char *line, size_t len, char *err, size_t errlen);

#endif
