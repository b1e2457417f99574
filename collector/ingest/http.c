// SPDX-License-Identifier: BSD-2-Clause
/*
 * The HTTP server; http.h states its policy.  Each listener has its own
 * socket, made here so IPv4 and IPv6 are alike and port 0 works, and
 * `threads` workers: each a libmicrohttpd daemon in epoll mode on a
 * duplicate of that socket (they all accept from it, as libmicrohttpd's
 * own thread pool does), with suspend/resume (MHD_ALLOW_SUSPEND_RESUME),
 * and no thread of libmicrohttpd's: one thread of ours waits for the
 * daemon's epoll set and its wake-up eventfd, then runs MHD_run().
 *
 * Why not libmicrohttpd's internal threads: its epoll loop (0.9.75, and
 * later ones) takes at most 128 events per epoll_wait and calls it again,
 * with the same timeout, after exactly 128.  When nothing more comes, that
 * second wait sleeps until the nearest connection timeout (~30 s) with 128
 * ready connections taken off the kernel's ready list and unserved: under
 * load (256 requests in flight over 2 workers, 128 each) every request in
 * flight stalled until the idle timeout cut its connection.  MHD_run()
 * never waits (its waits have a timeout of 0), and our wait ends with the
 * first ready event or wake-up, at the daemon's MHD_get_timeout() or
 * after HTTP_TICK_MS at most.  Without libmicrohttpd's thread it has no
 * inter-thread channel either: a resume from another thread writes the
 * worker's eventfd (http_worker_wake).  tests/unit/test_http_burst.c
 * fails if this goes.
 *
 * A request's life: the first call of the access handler (headers only)
 * checks the client certificate, finds the route and the Content-Length;
 * a refusal is queued right there, so libmicrohttpd never reads the body
 * (it closes the connection after the answer).  Later calls hand body
 * bytes, kept up to max_body.  The last call runs the handler.
 *
 * Locking: srv->mu guards every request's answer state and the list of
 * suspended requests.  No libmicrohttpd function is called with it held
 * (libmicrohttpd calls us back with its own locks held).  A request is
 * freed by the last of its two holders: libmicrohttpd (until the request
 * completes) and, while suspended, its handler's side (until
 * http_answer).  The server itself is freed by the last of the stop and
 * the handlers still holding a request (owners), so a late http_answer
 * after stop finds its lock.
 */
#include "collector/ingest/http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "collector/ingest/http_tls.h"
#include "common/log.h"

#define HTTP_STOP_WAIT_MS 1000 /* for the 503s of stop to go out */
#define HTTP_TICK_MS	  1000 /* a worker's longest sleep, whatever MHD says */

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the access handler -------------------------------------------------- */

/* Queue the answer now (from a worker of the connection). */
static enum MHD_Result queue(struct http_req *req)
{
	struct MHD_Response *r;
	enum MHD_Result res;
	unsigned status;

	pthread_mutex_lock(&req->srv->mu);
	r = req->resp;
	req->resp = NULL;
	status = req->status;
	req->state = REQ_QUEUED;
	pthread_mutex_unlock(&req->srv->mu);
	if (!r)
		return MHD_NO;
	res = MHD_queue_response(req->conn, status, r);
	MHD_destroy_response(r);
	return res;
}

/*
 * A refusal of the server's own, counted by reason, queued at once; @allow
 * (may be NULL) goes in an Allow header.
 */
static enum MHD_Result refuse(struct http_req *req, unsigned status,
			      enum http_reject why, const char *allow,
			      const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static enum MHD_Result refuse(struct http_req *req, unsigned status,
			      enum http_reject why, const char *allow,
			      const char *fmt, ...)
{
	struct MHD_Response *r = NULL;
	char reason[512], *text;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	http_stats_reject(&req->srv->stats, why);
	log_debug("%s %s: %u %s: %s", req->method, req->path, status,
		  http_reject_word(why), reason);
	text = http_error_text(http_reject_word(why), reason);
	if (text)
		r = http_response_new(text, strlen(text), "application/json");
	if (r && allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	if (http_answer_set(req, status, r))
		return MHD_NO;
	return queue(req);
}

/* First call: headers are in, nothing of the body is read. */
static enum MHD_Result req_start(struct http_listener *l,
				 struct http_req *req)
{
	char allow[64];
	const char *cl;
	int rc;

	if (l->tls) {
		const union MHD_ConnectionInfo *sc = MHD_get_connection_info(
			req->conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		struct http_peer *peer = sc ? sc->socket_context : NULL;

		if (!peer)
			return MHD_NO;
		if (!peer->checked) {
			const union MHD_ConnectionInfo *ci =
				MHD_get_connection_info(
					req->conn,
					MHD_CONNECTION_INFO_GNUTLS_SESSION);

			gnutls_session_t ts =
				ci ? (gnutls_session_t)ci->tls_session : NULL;

			peer->ok = !http_tls_check(ts, &peer->has_code,
						   &peer->code, &peer->why,
						   peer->err,
						   sizeof(peer->err));
			peer->checked = true;
			http_stats_add(ts && gnutls_session_is_resumed(ts)
					       ? &l->srv->stats.tls_resumed
					       : &l->srv->stats.tls_full,
				       1);
		}
		if (!peer->ok)
			return refuse(req, MHD_HTTP_FORBIDDEN, peer->why, NULL,
				      "%s", peer->err);
		req->has_code = peer->has_code;
		req->code = peer->code;
	}
	rc = http_route_find(l->srv->tables, l->srv->n_tables, req->method,
			     req->path, &req->route, req->params,
			     &req->n_params, allow, sizeof(allow));
	if (rc == -ENOENT)
		return refuse(req, MHD_HTTP_NOT_FOUND, HTTP_REJ_NOT_FOUND,
			      NULL, "no such path");
	if (rc)
		return refuse(req, MHD_HTTP_METHOD_NOT_ALLOWED,
			      HTTP_REJ_METHOD, allow, "%s takes %s",
			      req->path, allow);
	if (req->route->need_identity && !req->has_code)
		return refuse(req, MHD_HTTP_FORBIDDEN, HTTP_REJ_NO_IDENTITY,
			      NULL, "%s", l->tls ? "the client certificate names no "
					     "node"
					   : "a node's client certificate is "
					     "needed (TLS)");
	cl = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno || end == cl || n > l->srv->max_body)
			return refuse(req, MHD_HTTP_CONTENT_TOO_LARGE,
				      HTTP_REJ_TOO_LARGE, NULL,
				      "the body is larger than %zu bytes",
				      l->srv->max_body);
		req->clen = (size_t)n;
	}
	return MHD_YES;
}

/* Body bytes: kept up to max_body, else the connection is closed. */
static enum MHD_Result req_body(struct http_req *req, const char *data,
				size_t n)
{
	size_t max = req->srv->max_body;

	if (n > max - req->len) {
		http_stats_reject(&req->srv->stats, HTTP_REJ_TOO_LARGE);
		log_debug("%s %s: body past %zu bytes: connection closed",
			  req->method, req->path, max);
		return MHD_NO;
	}
	if (req->len + n + 1 > req->cap) {
		/* the announced length at once: no growth by doubling, whose
		 * freed steps would be left between the reports kept */
		size_t cap = req->cap ? req->cap
				      : req->clen >= req->len + n ? req->clen + 1
								  : 4096;
		char *p;

		while (cap < req->len + n + 1)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		p = realloc(req->body, cap);
		if (!p)
			return MHD_NO;
		req->body = p;
		req->cap = cap;
	}
	memcpy(req->body + req->len, data, n);
	req->len += n;
	req->body[req->len] = '\0';
	return MHD_YES;
}

/* The whole request is in: run its handler. */
static enum MHD_Result req_handle(struct http_req *req)
{
	enum req_state st;
	bool susp;
	int rc;

	pthread_mutex_lock(&req->srv->mu);
	req->state = REQ_HANDLING;
	pthread_mutex_unlock(&req->srv->mu);
	rc = req->route->fn(req, req->route->arg);
	pthread_mutex_lock(&req->srv->mu);
	st = req->state;
	susp = req->was_suspended;
	pthread_mutex_unlock(&req->srv->mu);
	if (susp)
		return MHD_YES; /* queued when resumed, answered or not yet */
	if (st == REQ_ANSWERED)
		return queue(req);
	if (rc == -ESHUTDOWN)
		return refuse(req, MHD_HTTP_SERVICE_UNAVAILABLE,
			      HTTP_REJ_STOPPING, NULL, "the collector is "
			      "stopping");
	return refuse(req, MHD_HTTP_INTERNAL_SERVER_ERROR, HTTP_REJ_INTERNAL,
		      NULL, rc < 0 ? "the handler failed: %s"
			     : "the handler gave no answer%.0s",
		      strerror(rc < 0 ? -rc : 0));
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn,
				 const char *url, const char *method,
				 const char *version, const char *data,
				 size_t *data_size, void **con_cls)
{
	struct http_worker *w = cls;
	struct http_listener *l = w->l;
	struct http_req *req = *con_cls;
	enum req_state st;

	(void)version;
	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		req->srv = l->srv;
		req->worker = w;
		req->conn = conn;
		req->method = method;
		req->path = url;
		req->tls = l->tls;
		req->refs = 1;
		req->t0 = mono();
		req->state = REQ_READING;
		*con_cls = req;
		return req_start(l, req);
	}
	pthread_mutex_lock(&l->srv->mu);
	st = req->state;
	pthread_mutex_unlock(&l->srv->mu);
	if (st == REQ_ANSWERED) /* resumed with its answer */
		return queue(req);
	if (st != REQ_READING) /* cannot be: refused requests read nothing */
		return MHD_NO;
	if (*data_size) {
		enum MHD_Result r = req_body(req, data, *data_size);

		*data_size = 0;
		return r;
	}
	return req_handle(req);
}

static void completed_cb(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode why)
{
	struct http_listener *l = ((struct http_worker *)cls)->l;
	struct http_req *req = *con_cls;
	bool free_it, by_stop;

	(void)conn;
	(void)why;
	if (!req)
		return;
	*con_cls = NULL;
	if (req->status)
		http_stats_answer(&l->srv->stats, req->status,
				  mono() - req->t0);
	pthread_mutex_lock(&l->srv->mu);
	by_stop = req->by_stop;
	http_req_unref_locked(req, &free_it);
	pthread_mutex_unlock(&l->srv->mu);
	if (by_stop)
		http_stats_add(&l->srv->orphans, -1);
	if (free_it)
		http_req_free(req);
}

static void connection_cb(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_listener *l = ((struct http_worker *)cls)->l;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		/* before the handshake: libmicrohttpd has made the session,
		 * not started it */
		if (l->tls) {
			const union MHD_ConnectionInfo *ci =
				MHD_get_connection_info(
					conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);

			if (ci && ci->tls_session &&
			    http_tls_session_setup(
				    (gnutls_session_t)ci->tls_session,
				    &l->srv->tickets))
				log_debug("http: no session ticket for a "
					  "connection");
		}
		/* NULL when out of memory: its requests are then closed */
		*socket_context = l->tls ? calloc(1, sizeof(struct http_peer))
					 : NULL;
		http_stats_add(&l->srv->stats.conn_total, 1);
		http_stats_add(&l->srv->stats.conn_open, 1);
	} else {
		free(*socket_context);
		*socket_context = NULL;
		http_stats_add(&l->srv->stats.conn_open, -1);
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", buf);
}

/* ---- start and stop ------------------------------------------------------ */

static int listen_socket(const struct http_listen *hl, int *port, char *err,
			 size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd, one = 1, saved;

	fd = socket(hl->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (hl->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&hl->ss, hl->len) < 0 ||
	    listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		goto fail;
	*port = ntohs(ss.ss_family == AF_INET6
			      ? ((struct sockaddr_in6 *)&ss)->sin6_port
			      : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
fail:
	saved = errno;
	snprintf(err, errlen, "cannot listen: %s", strerror(saved));
	if (fd >= 0)
		close(fd);
	return -saved;
}

void http_worker_wake(struct http_worker *w)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is full, the worker wakes all the same */
	if (write(w->wake, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("http: cannot wake a worker: %s", strerror(errno));
}

/* A worker's thread: wait for its daemon's events, run it, again. */
static void *worker_run(void *arg)
{
	struct http_worker *w = arg;
	struct pollfd p[2] = {{.fd = w->epfd, .events = POLLIN},
			      {.fd = w->wake, .events = POLLIN}};

	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		MHD_UNSIGNED_LONG_LONG t;
		int ms = HTTP_TICK_MS;
		uint64_t v;

		if (MHD_get_timeout(w->mhd, &t) == MHD_YES && t < (unsigned)ms)
			ms = (int)t;
		if (poll(p, 2, ms) < 0 && errno != EINTR) {
			log_warn("http: poll: %s", strerror(errno));
			usleep(10000);
		}
		/* emptied before MHD_run: a resume after this wakes again */
		if (p[1].revents & POLLIN &&
		    read(w->wake, &v, sizeof(v)) < 0 && errno != EAGAIN)
			log_warn("http: eventfd: %s", strerror(errno));
		if (__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE))
			break;
		MHD_run(w->mhd);
	}
	return NULL;
}

/* Worker @w of @l on @fd (its own descriptor, taken also on failure). */
static int worker_start(struct http_server *srv, struct http_listener *l,
			struct http_worker *w, const struct http_conf *c,
			unsigned limit, int fd, char *err, size_t errlen)
{
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;
	int rc;

	w->l = l;
	w->epfd = w->wake = -1;
	if (l->tls)
		flags |= MHD_USE_TLS;
	/* the TLS options count only with MHD_USE_TLS */
	w->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, access_cb, w,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_NOTIFY_COMPLETED, completed_cb, w,
		MHD_OPTION_NOTIFY_CONNECTION, connection_cb, w,
		MHD_OPTION_CONNECTION_LIMIT, limit,
		MHD_OPTION_CONNECTION_TIMEOUT, c->timeout,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
		l->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, srv->cert,
		MHD_OPTION_HTTPS_MEM_KEY, srv->key,
		MHD_OPTION_HTTPS_MEM_TRUST, srv->ca,
		MHD_OPTION_HTTPS_PRIORITIES,
		"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
		MHD_OPTION_END);
	if (!w->mhd) {
		snprintf(err, errlen, "libmicrohttpd refused to start%s",
			 l->tls ? " (is the certificate, key or CA wrong?)"
				: "");
		close(fd);
		return -EINVAL;
	}
	di = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	w->epfd = di ? di->epoll_fd : -1;
	w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->epfd < 0 || w->wake < 0) {
		snprintf(err, errlen, "no epoll set or eventfd: %s",
			 strerror(errno));
		return -EMFILE;
	}
	rc = pthread_create(&w->thread, NULL, worker_run, w);
	if (rc) {
		snprintf(err, errlen, "cannot start a thread: %s",
			 strerror(rc));
		return -rc;
	}
	w->started = true;
	pthread_setname_np(w->thread, "http-worker");
	return 0;
}

static int listener_start(struct http_server *srv, struct http_listener *l,
			  const struct http_conf *c,
			  const struct http_listen *hl, char *err,
			  size_t errlen)
{
	unsigned limit = c->connections / (unsigned)c->n_listen / c->threads;
	int fd = listen_socket(hl, &l->port, err, errlen);

	if (fd < 0)
		return fd;
	l->srv = srv;
	l->tls = hl->tls;
	if (!limit)
		limit = 1;
	l->w = calloc(c->threads, sizeof(*l->w));
	if (!l->w) {
		close(fd);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < c->threads; i++) {
		/* the last worker takes the socket itself */
		int wfd = i + 1 < c->threads ? fcntl(fd, F_DUPFD_CLOEXEC, 0)
					     : fd;
		int rc;

		if (wfd < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot listen: %s",
				 strerror(errno));
			close(fd);
			return rc;
		}
		rc = worker_start(srv, l, &l->w[l->n_w], c, limit, wfd, err,
				  errlen);
		if (l->w[l->n_w].mhd)
			l->n_w++;
		if (rc) {
			if (wfd != fd)
				close(fd);
			return rc;
		}
	}
	return 0;
}

/* Stop @l's workers' threads, then their daemons (connections closed). */
static void listener_stop(struct http_listener *l)
{
	for (int i = 0; i < l->n_w; i++) {
		__atomic_store_n(&l->w[i].stop, true, __ATOMIC_RELEASE);
		if (l->w[i].wake >= 0)
			http_worker_wake(&l->w[i]);
	}
	for (int i = 0; i < l->n_w; i++) {
		struct http_worker *w = &l->w[i];

		if (w->started)
			pthread_join(w->thread, NULL);
		MHD_stop_daemon(w->mhd);
		if (w->wake >= 0)
			close(w->wake);
	}
	free(l->w);
	l->w = NULL;
	l->n_w = 0;
}

int http_server_start(struct http_server **out, const struct http_conf *c,
		      const struct http_route *const *tables, int n_tables,
		      char *err, size_t errlen)
{
	struct http_server *srv;
	int rc = 0;

	if (c->n_listen < 1 || c->n_listen > HTTP_MAX_LISTEN || n_tables < 0 ||
	    n_tables > HTTP_MAX_TABLES || !c->threads || !c->max_body) {
		snprintf(err, errlen, "bad server settings");
		return -EINVAL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	pthread_mutex_init(&srv->mu, NULL);
	memcpy(srv->tables, tables, sizeof(*tables) * (size_t)n_tables);
	srv->n_tables = n_tables;
	srv->max_body = c->max_body;
	for (int i = 0; i < c->n_listen; i++)
		if (c->listen[i].tls && !srv->cert) {
			char e2[200];

			srv->cert = strdup(c->cert_pem ? c->cert_pem : "");
			srv->key = strdup(c->key_pem ? c->key_pem : "");
			srv->ca = strdup(c->ca_pem ? c->ca_pem : "");
			if (!srv->cert || !srv->key || !srv->ca) {
				rc = -ENOMEM;
				goto fail;
			}
			if ((rc = http_tls_check_pair(srv->cert, srv->key, e2,
						      sizeof(e2)))) {
				snprintf(err, errlen, "%s", e2);
				goto fail;
			}
			if ((rc = http_tls_check_ca(srv->ca, e2, sizeof(e2)))) {
				snprintf(err, errlen, "CA: %s", e2);
				goto fail;
			}
		}
	if (srv->cert && c->tickets &&
	    (rc = http_tls_tickets_init(&srv->tickets, c->ticket_lifetime))) {
		snprintf(err, errlen, "no session ticket key: %s",
			 strerror(-rc));
		goto fail;
	}
	for (int i = 0; i < c->n_listen; i++) {
		rc = listener_start(srv, &srv->l[i], c, &c->listen[i], err,
				    errlen);
		srv->n++; /* stopped by stop, started or not */
		if (rc)
			goto fail;
	}
	*out = srv;
	return 0;
fail:
	http_server_stop(srv);
	return rc;
}

int http_server_port(const struct http_server *s, int i)
{
	return i >= 0 && i < s->n ? s->l[i].port : -1;
}

void http_server_stats(struct http_server *s, struct http_stats *out)
{
	http_stats_snapshot(&s->stats, out);
}

/*
 * Answer every suspended request 503 and resume it; their handlers'
 * later http_answer only drops their reference.
 */
static void answer_suspended(struct http_server *srv)
{
	struct parked {
		struct MHD_Connection *conn;
		struct http_worker *w;
	} *p = NULL;
	size_t n = 0, cap = 0;

	pthread_mutex_lock(&srv->mu);
	srv->stopping = true;
	for (struct http_req *r = srv->susp, *next; r; r = next) {
		char *text = http_error_text("stopping", "the collector is "
					"stopping");

		next = r->next;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			p = xrealloc(p, cap * sizeof(*p));
		}
		p[n++] = (struct parked){r->conn, r->worker};
		r->resp = text ? http_response_new(text, strlen(text),
					      "application/json")
			       : NULL;
		r->status = 503;
		r->state = REQ_ANSWERED;
		r->by_stop = true; /* its handler's reference stays */
		r->prev = r->next = NULL;
		http_stats_reject(&srv->stats, HTTP_REJ_STOPPING);
		http_stats_add(&srv->stats.suspended, -1);
		http_stats_add(&srv->orphans, 1);
	}
	srv->susp = NULL;
	pthread_mutex_unlock(&srv->mu);
	/* a request may be gone once resumed: not its worker */
	for (size_t i = 0; i < n; i++) {
		MHD_resume_connection(p[i].conn);
		http_worker_wake(p[i].w);
	}
	free(p);
}

void http_server_stop(struct http_server *s)
{
	bool last;

	if (!s)
		return;
	answer_suspended(s);
	/* answers taken off the list before stop resume their connection:
	 * the daemons must still be there */
	for (;;) {
		pthread_mutex_lock(&s->mu);
		last = !s->resuming;
		pthread_mutex_unlock(&s->mu);
		if (last)
			break;
		sched_yield();
	}
	/* the 503s a moment to go out */
	for (int i = 0; i < HTTP_STOP_WAIT_MS / 10 &&
			__atomic_load_n(&s->orphans, __ATOMIC_RELAXED);
	     i++)
		usleep(10000);
	for (int i = 0; i < s->n; i++)
		listener_stop(&s->l[i]);
	pthread_mutex_lock(&s->mu);
	s->stopped = true;
	last = !s->owners;
	pthread_mutex_unlock(&s->mu);
	if (last)
		http_server_free(s);
}
