/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The collector's HTTP server (libmicrohttpd, TLS through its GnuTLS
 * backend).  Every TLS listener asks each client for a certificate and
 * refuses, with 403 before any body is read, a request whose certificate
 * is absent, not verified against the configured CA, expired, or not made
 * for client authentication.  The node's identity is the certificate's
 * SAN URI urn:egnet:node:CODE, or else its CN when that is a 12-digit
 * division code; a verified certificate without one (a monitoring system's)
 * has no identity.  Plaintext listeners (only when the config allows them)
 * give no identity either; routes that need one answer 403 there.
 * With session tickets on, a client may resume its session instead of a
 * full handshake; the certificate its full handshake showed is verified
 * again and names it (http_tls.h).
 *
 * Requests are dispatched through a route table (method, path pattern,
 * handler, whether a node identity is needed); an unknown path gets 404,
 * a known path with another method 405 with Allow.  The body is
 * accumulated up to max_body: a Content-Length past it gets 413 before
 * any of the body is read; a chunked body that grows past it has its
 * connection closed (libmicrohttpd cannot queue an answer in the middle
 * of an upload), never more than max_body bytes are kept.  Errors are
 * JSON {"error": WORD, "reason": TEXT}.
 *
 * A handler is called once the whole body is there, on one of the
 * server's worker threads.  It answers at once (http_answer) or takes the
 * request away (http_suspend) and answers later from any thread: the
 * connection is parked without holding its worker and resumed when the
 * answer comes.  Every suspended request must be answered once; at stop
 * the ones still waiting are answered 503 and a later http_answer on them
 * only frees.
 *
 * Threads: each listener has `threads` workers (a libmicrohttpd daemon
 * each, on the listener's socket, run by a thread of ours) polling many
 * connections each, so a client that sends nothing holds no worker; it is
 * cut after `timeout` seconds.
 */
#ifndef EGNET_HTTP_H
#define EGNET_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "collector/ingest/http_stats.h"
#include "common/code.h"

struct http_req;
struct http_server;

#define HTTP_MAX_PARAMS 4

/*
 * A handler: answer with http_answer*() before returning, or call
 * http_suspend() and answer later.  A negative return (-errno) without an
 * answer gives 500.
 */
typedef int (*http_handler)(struct http_req *req, void *arg);

/*
 * One route.  @path is matched segment by segment: "{name}" matches one
 * non-empty segment (its text is a parameter, http_req_param), a last
 * segment "*" matches the rest (also nothing).  A route table ends with
 * an entry whose path is NULL.
 */
struct http_route {
	const char *method; /* "GET", "POST", ... */
	const char *path;
	http_handler fn;
	void *arg;
	bool need_identity; /* a node's certificate is required */
};

/* Where and how the server listens; the PEM texts are copied. */
struct http_listen {
	struct sockaddr_storage ss;
	socklen_t len;
	bool tls;
};

struct http_conf {
	const struct http_listen *listen;
	int n_listen;
	const char *cert_pem, *key_pem, *ca_pem; /* for TLS listeners */
	size_t max_body;
	unsigned connections; /* all listeners together */
	unsigned threads;     /* workers per listener */
	unsigned timeout;     /* s */
	/* TLS session tickets (http_tls.h): resumption without a full
	 * handshake for @ticket_lifetime seconds; off: every connection
	 * makes a full one */
	bool tickets;
	unsigned ticket_lifetime; /* s, > 0 when tickets */
};

/*
 * Start listening.  @routes (and what it points to) must outlive the
 * server; @tables of them are tried in order (@n_tables of them), so a
 * test table can come before the product's.  0 with *@out, or -errno
 * with the reason in @err (a listener that cannot be bound, a certificate
 * GnuTLS refuses).
 */
int http_server_start(struct http_server **out, const struct http_conf *c,
		      const struct http_route *const *tables, int n_tables,
		      char *err, size_t errlen);

/*
 * Stop: no new connections; suspended requests are answered 503; then
 * the workers end.  NULL is a no-op.
 */
void http_server_stop(struct http_server *s);

/* The port listener @i is bound to (useful when it was given 0). */
int http_server_port(const struct http_server *s, int i);

/* A snapshot of the counters (see http_stats.h). */
void http_server_stats(struct http_server *s, struct http_stats *out);

/* ---- for handlers -------------------------------------------------------- */

/*
 * The accessors may be called by the handler, and after http_suspend by
 * whoever holds the request, until its http_answer: the request may be
 * gone right after that.
 */

const char *http_req_method(const struct http_req *req);
const char *http_req_path(const struct http_req *req);
/* The @i-th "{name}" segment of the route, or NULL. */
const char *http_req_param(const struct http_req *req, int i);
/* A query argument (?key=value), or NULL. */
const char *http_req_query(const struct http_req *req, const char *key);
/* A request header, or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);
/* The body (NUL-terminated, @len bytes without the NUL); "" when none. */
const char *http_req_body(const struct http_req *req, size_t *len);
/* The client's node code from its certificate; false when there is none. */
bool http_req_identity(const struct http_req *req, code_t *code);
/* Whether the request came over TLS (a plaintext listener: false). */
bool http_req_tls(const struct http_req *req);

/*
 * Answer @status with @body as JSON (the reference is taken: the caller
 * gives it away; NULL gives an empty body).  From the handler or, after
 * http_suspend, from any thread, once.  0, or -EALREADY when the request
 * was answered already (then @body is released all the same).
 */
int http_answer(struct http_req *req, unsigned status, json_t *body);

/* The same with a text body (copied) and its Content-Type. */
int http_answer_text(struct http_req *req, unsigned status,
		     const char *content_type, const char *text, size_t len);

/* The same, taking @text (malloc'd, @len bytes and a NUL after them):
 * no copy of a big body.  @text is freed in every case. */
int http_answer_text_take(struct http_req *req, unsigned status,
			  const char *content_type, char *text, size_t len);

/* {"error": @word, "reason": printf(@fmt, ...)} with @status. */
int http_error(struct http_req *req, unsigned status, const char *word,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Take the request away from its worker: the handler returns without an
 * answer, and http_answer*() comes later from any thread.  Only from the
 * handler.  0, or -EALREADY when answered already.
 */
int http_suspend(struct http_req *req);

#endif
