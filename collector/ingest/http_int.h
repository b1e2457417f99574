/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside the HTTP server: the server, a listener, a connection's peer and a
 * request, shared by http.c (libmicrohttpd's side: connections, the access
 * handler, start and stop) and http_req.c (the handler's side: accessors,
 * answers, suspend).  Not for handlers: they see http.h.
 */
#ifndef EGNET_HTTP_INT_H
#define EGNET_HTTP_INT_H

#include <microhttpd.h>
#include <pthread.h>

#include "collector/ingest/http.h"
#include "collector/ingest/http_route.h"
#include "collector/ingest/http_tls.h"

#define HTTP_MAX_LISTEN	 16
#define HTTP_MAX_TABLES	 8

/*
 * One worker: a libmicrohttpd daemon without a thread of its own, on a
 * duplicate of its listener's socket, run by our thread (http.c says why).
 */
struct http_worker {
	struct http_listener *l;
	struct MHD_Daemon *mhd;
	int epfd;	/* the daemon's epoll set, libmicrohttpd's */
	int wake;	/* eventfd: a connection resumed, or stop */
	pthread_t thread;
	bool started;
	bool stop;	/* atomic */
};

struct http_listener {
	struct http_server *srv;
	struct http_worker *w;
	int n_w;
	bool tls;
	int port;
};

struct http_server {
	struct http_listener l[HTTP_MAX_LISTEN];
	int n;
	const struct http_route *tables[HTTP_MAX_TABLES];
	int n_tables;
	size_t max_body;
	char *cert, *key, *ca;
	struct http_tls_tickets tickets; /* keyless when off */
	struct http_stats stats;
	pthread_mutex_t mu;
	struct http_req *susp; /* suspended requests, a list */
	bool stopping, stopped;
	int owners;	  /* handlers holding a suspended request */
	int resuming;	  /* answer_set between its unlock and its resume */
	uint64_t orphans; /* answered by stop, not completed yet */
};

/*
 * What one TLS connection's certificate gave, checked on its first request
 * only (a verification costs more than the rest of a small request): the
 * peer cannot change within a connection, as libmicrohttpd allows no
 * renegotiation and no post-handshake authentication.
 */
struct http_peer {
	bool checked, ok, has_code;
	code_t code;
	enum http_reject why;
	char err[200];
};

enum req_state {
	REQ_READING,	/* headers checked, body coming */
	REQ_HANDLING,	/* in its handler */
	REQ_SUSPENDED,	/* waiting for http_answer from elsewhere */
	REQ_ANSWERED,	/* an answer is ready to be queued */
	REQ_QUEUED,	/* handed to libmicrohttpd */
};

struct http_req {
	struct http_server *srv;
	struct http_worker *worker; /* whose daemon has the connection */
	struct MHD_Connection *conn;
	const char *method, *path; /* libmicrohttpd's, for the request */
	bool tls, has_code;
	code_t code;
	const struct http_route *route;
	char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];
	int n_params;
	char *body;
	size_t len, cap;
	size_t clen; /* the Content-Length (0: none) */
	double t0;

	/* under srv->mu */
	enum req_state state;
	unsigned status;
	struct MHD_Response *resp;
	int refs;
	bool owned;   /* its handler's side holds it (suspended) */
	bool by_stop; /* answered 503 by stop */
	bool was_suspended;
	struct http_req *prev, *next;
};

/* Drop one reference of @req (srv->mu held); *@free_it when it was the last. */
void http_req_unref_locked(struct http_req *req, bool *free_it);
void http_req_free(struct http_req *req);
void http_server_free(struct http_server *srv);

/* Wake @w's thread: a connection of its daemon was resumed. */
void http_worker_wake(struct http_worker *w);

/* A response owning @data (freed also on failure), with its Content-Type. */
struct MHD_Response *http_response_new(char *data, size_t len,
				       const char *type);
/* {"error": @word, "reason": @reason} as text (the caller frees), or NULL. */
char *http_error_text(const char *word, const char *reason);

/*
 * Put @resp as the answer of @req (taking it), resuming the connection when
 * it was suspended.  0, or -EALREADY when answered already (then @resp is
 * destroyed and only the handler's reference, if held, is dropped).
 */
int http_answer_set(struct http_req *req, unsigned status,
		    struct MHD_Response *resp);

#endif
