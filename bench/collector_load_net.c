// SPDX-License-Identifier: BSD-2-Clause
/*
 * collector_load's connections (collector_load.h): one non-blocking TLS
 * connection per simulated node, its own client certificate, OpenSSL over
 * one epoll set on one thread; HTTP/1.1 keep-alive, one request in flight
 * per connection, the answer parsed just enough (status, Content-Length,
 * whether the report was stored or a duplicate).  Connections come from
 * CL_SRC_ADDRS loopback source addresses so that 20,000 connections, and
 * 20,000 more in TIME_WAIT after a storm, do not run out of ports.
 */
#include "bench/collector_load.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/now.h"

double cl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cl_lat_add(struct cl_lat *l, double v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		double *p = realloc(l->v, cap * sizeof(*p));

		if (!p)
			return;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double cl_lat_q(struct cl_lat *l, double q)
{
	size_t i;

	if (!l->n)
		return 0;
	qsort(l->v, l->n, sizeof(*l->v), cmp_double);
	i = (size_t)((double)l->n * q);
	return l->v[i < l->n ? i : l->n - 1];
}

void cl_node_live(struct cl_node *nd, double due)
{
	int slot;

	nd->made++;
	if (nd->n_live == CL_LIVE) { /* the oldest waits no more: dropped */
		nd->live_head = (nd->live_head + 1) % CL_LIVE;
		nd->n_live--;
	}
	slot = (nd->live_head + nd->n_live) % CL_LIVE;
	nd->live[slot] = nd->made;
	nd->live_due[slot] = due;
	nd->n_live++;
}

/* A session (ticket) the collector gave: the node's from now on. */
static int new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct cl_node *nd = SSL_get_app_data(ssl);

	if (!nd)
		return 0;
	SSL_SESSION_free(nd->sess);
	nd->sess = sess;
	return 1; /* the reference is ours */
}

int cl_net_init(struct cl_net *n, struct cl_node *nodes, int nn, int port,
		const char *ca_file, char *err, size_t errlen)
{
	memset(n, 0, sizeof(*n));
	n->nodes = nodes;
	n->n = nn;
	n->srv.sin_family = AF_INET;
	n->srv.sin_port = htons((uint16_t)port);
	n->srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	snprintf(n->host, sizeof(n->host), "127.0.0.1:%d", port);
	n->runq = calloc((size_t)nn, sizeof(int));
	n->retry_idx = calloc((size_t)nn, sizeof(int));
	n->retry_at = calloc((size_t)nn, sizeof(double));
	n->slotq = calloc((size_t)nn, sizeof(int));
	n->mru = calloc((size_t)nn, sizeof(int));
	n->epfd = epoll_create1(EPOLL_CLOEXEC);
	n->ctx = SSL_CTX_new(TLS_client_method());
	if (!n->runq || !n->retry_idx || !n->retry_at || !n->slotq || !n->mru ||
	    n->epfd < 0 ||
	    !n->ctx) {
		snprintf(err, errlen, "out of memory or descriptors");
		return -1;
	}
	SSL_CTX_set_min_proto_version(n->ctx, TLS1_2_VERSION);
	/* sessions kept by node (new_session), not in OpenSSL's cache:
	 * offered only when n->resume asks (tls_start) */
	SSL_CTX_set_session_cache_mode(n->ctx, SSL_SESS_CACHE_CLIENT |
					       SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(n->ctx, new_session);
	SSL_CTX_set_mode(n->ctx, SSL_MODE_RELEASE_BUFFERS |
					 SSL_MODE_ENABLE_PARTIAL_WRITE |
					 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(n->ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(n->ctx, ca_file, NULL) != 1) {
		snprintf(err, errlen, "%s: cannot load the CA", ca_file);
		return -1;
	}
	X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(n->ctx),
				      "127.0.0.1");
	for (int i = 0; i < nn; i++) {
		nodes[i].fd = -1;
		nodes[i].state = CL_NOCONN;
		nodes[i].blo = 1; /* no backlog */
		nodes[i].bhi = 0;
	}
	return 0;
}

void cl_net_free(struct cl_net *n)
{
	cl_net_close_all(n);
	for (int i = 0; i < n->n; i++) {
		SSL_SESSION_free(n->nodes[i].sess);
		n->nodes[i].sess = NULL;
	}
	if (n->epfd >= 0)
		close(n->epfd);
	SSL_CTX_free(n->ctx);
	free(n->runq);
	free(n->retry_idx);
	free(n->retry_at);
	free(n->slotq);
	free(n->mru);
	free(n->st.lat.v);
	free(n->st.lat_backlog.v);
}

void cl_net_path(struct cl_net *n, const char *path)
{
	snprintf(n->path, sizeof(n->path), "%s", path);
}

void cl_net_reset(struct cl_net *n)
{
	free(n->st.lat.v);
	free(n->st.lat_backlog.v);
	memset(&n->st, 0, sizeof(n->st));
}

static bool has_work(const struct cl_node *nd)
{
	return nd->n_live || nd->blo <= nd->bhi;
}

bool cl_net_idle(const struct cl_net *n, int i)
{
	const struct cl_node *nd = &n->nodes[i];

	return !has_work(nd) && !nd->has_req && !nd->waiting;
}

int cl_net_open(const struct cl_net *n)
{
	return n->open;
}

void cl_net_max_open(struct cl_net *n, int max)
{
	n->max_open = max;
}

static void rq_push(struct cl_net *n, int i)
{
	if (n->nodes[i].queued)
		return;
	n->nodes[i].queued = true;
	n->runq[(n->rq_head + n->rq_len) % n->n] = i;
	n->rq_len++;
}

void cl_net_want(struct cl_net *n, int i)
{
	struct cl_node *nd = &n->nodes[i];

	if (!nd->has_req && !nd->waiting && has_work(nd))
		rq_push(n, i);
}

static void conn_close(struct cl_net *n, struct cl_node *nd);
static void set_ev(struct cl_net *n, struct cl_node *nd, uint32_t ev)
{
	struct epoll_event e = {.events = ev, .data.u32 = (uint32_t)(nd - n->nodes)};

	if (nd->ev == ev)
		return;
	epoll_ctl(n->epfd, nd->ev ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, nd->fd, &e);
	nd->ev = ev;
}

static void conn_close(struct cl_net *n, struct cl_node *nd)
{
	if (nd->ssl) {
		/* an idle connection ends cleanly: without this OpenSSL takes
		 * it for a broken one and marks its session not resumable */
		if (nd->state == CL_READY)
			SSL_set_shutdown(nd->ssl, SSL_SENT_SHUTDOWN |
							  SSL_RECEIVED_SHUTDOWN);
		SSL_free(nd->ssl);
		nd->ssl = NULL;
	}
	if (nd->fd >= 0) {
		close(nd->fd); /* leaves the epoll set with it */
		nd->fd = -1;
		n->open--;
	}
	nd->ev = 0;
	nd->state = CL_NOCONN;
}

void cl_net_close_all(struct cl_net *n)
{
	for (int i = 0; i < n->n; i++)
		conn_close(n, &n->nodes[i]);
}

/* The request for the report taken, seq and time_ms patched in. */
static int req_build(struct cl_net *n, struct cl_node *nd)
{
	char hdr[256], num[32];
	int hl = snprintf(hdr, sizeof(hdr),
			  "POST %s HTTP/1.1\r\nHost: %s\r\n"
			  "Content-Type: application/json\r\n"
			  "Content-Length: %zu\r\n\r\n",
			  n->path, n->host, nd->blen);
	int k;

	nd->out = malloc((size_t)hl + nd->blen);
	if (!nd->out)
		return -1;
	memcpy(nd->out, hdr, (size_t)hl);
	memcpy(nd->out + hl, nd->body, nd->blen);
	k = snprintf(num, sizeof(num), "%llu", (unsigned long long)nd->seq);
	memset(nd->out + hl + nd->seq_off, ' ', CL_SEQ_W);
	memcpy(nd->out + hl + nd->seq_off, num, (size_t)k);
	snprintf(num, sizeof(num), "%lld", now_wall_ms());
	memcpy(nd->out + hl + nd->time_off, num, CL_TIME_W);
	nd->out_len = (size_t)hl + nd->blen;
	nd->out_off = 0;
	nd->in_len = 0;
	return 0;
}

/* Take the next report: live first, then the backlog. */
static void req_take(struct cl_node *nd, double now)
{
	if (nd->n_live) {
		nd->seq = nd->live[nd->live_head];
		nd->t_due = nd->live_due[nd->live_head];
		nd->live_head = (nd->live_head + 1) % CL_LIVE;
		nd->n_live--;
		nd->req_live = true;
	} else {
		nd->seq = nd->blo++;
		nd->t_due = now;
		nd->req_live = false;
	}
	nd->t_start = now;
	nd->has_req = true;
}

/* Put the report taken back, first in line. */
static void req_putback(struct cl_node *nd)
{
	if (nd->req_live) {
		if (nd->n_live == CL_LIVE)
			return;
		nd->live_head = (nd->live_head + CL_LIVE - 1) % CL_LIVE;
		nd->live[nd->live_head] = nd->seq;
		nd->live_due[nd->live_head] = nd->t_due;
		nd->n_live++;
	} else {
		nd->blo--;
	}
}

static void req_done(struct cl_net *n, struct cl_node *nd)
{
	free(nd->out);
	nd->out = NULL;
	free(nd->in);
	nd->in = NULL;
	nd->has_req = false;
	n->active--;
}

/* Back off: the report goes back, the node waits CL_RETRY_S. */
static void backoff(struct cl_net *n, struct cl_node *nd)
{
	int i = (int)(nd - n->nodes);

	req_putback(nd);
	req_done(n, nd);
	nd->waiting = true;
	n->retry_idx[(n->rt_head + n->rt_len) % n->n] = i;
	n->retry_at[(n->rt_head + n->rt_len) % n->n] = cl_now() + CL_RETRY_S;
	n->rt_len++;
}

static void transport_error(struct cl_net *n, struct cl_node *nd)
{
	n->st.terr++;
	conn_close(n, nd);
	if (nd->has_req)
		backoff(n, nd);
}

static int conn_open(struct cl_net *n, struct cl_node *nd)
{
	struct sockaddr_in src = {.sin_family = AF_INET};
	int one = 1, i = (int)(nd - n->nodes);

	nd->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (nd->fd < 0)
		return -1;
	setsockopt(nd->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(nd->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		   sizeof(one));
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + (uint32_t)(i % CL_SRC_ADDRS));
	if (bind(nd->fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    (connect(nd->fd, (struct sockaddr *)&n->srv, sizeof(n->srv)) < 0 &&
	     errno != EINPROGRESS)) {
		close(nd->fd);
		nd->fd = -1;
		return -1;
	}
	n->open++;
	nd->state = CL_CONNECTING;
	set_ev(n, nd, EPOLLOUT);
	return 0;
}

static int tls_start(struct cl_net *n, struct cl_node *nd)
{
	nd->ssl = SSL_new(n->ctx);
	if (!nd->ssl || SSL_set_fd(nd->ssl, nd->fd) != 1 ||
	    SSL_use_certificate(nd->ssl, nd->crt) != 1 ||
	    SSL_use_PrivateKey(nd->ssl, nd->key) != 1)
		return -1;
	SSL_set_app_data(nd->ssl, nd);
	if (n->resume && nd->sess && SSL_set_session(nd->ssl, nd->sess) != 1)
		return -1;
	SSL_set_connect_state(nd->ssl);
	nd->state = CL_HANDSHAKE;
	return 0;
}

/* Parse the answer in nd->in: 1 complete (*status set), 0 not yet, -1 bad. */
static int answer_parse(struct cl_node *nd, int *status, bool *close_it)
{
	char *end = memmem(nd->in, nd->in_len, "\r\n\r\n", 4), *p;
	size_t hlen, clen = 0;

	if (!end)
		return nd->in_len >= CL_IN_MAX - 1 ? -1 : 0;
	nd->in[nd->in_len] = '\0';
	if (strncmp(nd->in, "HTTP/1.", 7) || nd->in_len < 12)
		return -1;
	*status = atoi(nd->in + 9);
	hlen = (size_t)(end - nd->in) + 4;
	*close_it = false;
	for (p = strstr(nd->in, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n")) {
		if (!strncasecmp(p + 2, "Content-Length:", 15))
			clen = strtoul(p + 17, NULL, 10);
		else if (!strncasecmp(p + 2, "Connection: close", 17))
			*close_it = true;
	}
	if (hlen + clen >= CL_IN_MAX)
		return -1;
	return nd->in_len >= hlen + clen ? 1 : 0;
}

/* The answer is in: count it; the connection kept unless told. */
static void answer_done(struct cl_net *n, struct cl_node *nd, int status,
			bool close_it)
{
	double now = cl_now();
	bool retry = false;

	if (status == 200 || status == 204) {
		if (status == 204)
			n->st.ok204++;
		else if (strstr(nd->in, "\"stored\":true") ||
			 strstr(nd->in, "\"stored\": true"))
			n->st.stored++;
		else
			n->st.dup++;
		if (nd->seq > nd->acked)
			nd->acked = nd->seq;
		if (nd->req_live)
			cl_lat_add(&n->st.lat, now - nd->t_due);
		else {
			cl_lat_add(&n->st.lat_backlog, now - nd->t_start);
			n->st.backlog_done++;
		}
	} else if (status == 503) {
		n->st.c503++;
		n->st.live_503 += nd->req_live;
		retry = true;
	} else if (status >= 500) {
		n->st.c5xx++;
		retry = true;
	} else {
		n->st.c4xx++;
		if (n->st.c4xx <= 3)
			fprintf(stderr, "collector_load: %d: %.300s\n", status,
				nd->in);
	}
	if (close_it || n->close_after) {
		n->st.closed_answer += close_it;
		SSL_shutdown(nd->ssl);
		conn_close(n, nd);
	} else {
		nd->state = CL_READY;
		n->mru[n->mru_top] = (int)(nd - n->nodes);
		n->mru_top = (n->mru_top + 1) % n->n;
		if (n->mru_len < n->n)
			n->mru_len++;
	}
	if (retry)
		backoff(n, nd);
	else
		req_done(n, nd);
}

/* Drive node @nd's connection as far as it goes without blocking. */
static void drive(struct cl_net *n, struct cl_node *nd)
{
	for (;;) {
		int r = 0, e, status;
		bool close_it;
		socklen_t sl = sizeof(e);

		switch (nd->state) {
		case CL_NOCONN:
			return;
		case CL_CONNECTING:
			if (getsockopt(nd->fd, SOL_SOCKET, SO_ERROR, &e, &sl) ||
			    e) {
				transport_error(n, nd);
				return;
			}
			if (tls_start(n, nd)) {
				transport_error(n, nd);
				return;
			}
			continue;
		case CL_HANDSHAKE:
			r = SSL_do_handshake(nd->ssl);
			if (r == 1) {
				n->st.handshakes++;
				n->st.resumed += SSL_session_reused(nd->ssl) == 1;
				nd->state = CL_READY;
				continue;
			}
			break;
		case CL_READY:
			if (nd->has_req) {
				if (req_build(n, nd)) {
					transport_error(n, nd);
					return;
				}
				nd->state = CL_SEND;
				n->st.sent++;
				continue;
			}
			/* idle: notice the server closing it */
			{
				char c;

				r = SSL_read(nd->ssl, &c, 1);
			}
			if (r > 0) /* nothing was asked: a protocol error */
				r = 0;
			break;
		case CL_SEND:
			r = SSL_write(nd->ssl, nd->out + nd->out_off,
				      (int)(nd->out_len - nd->out_off));
			if (r > 0) {
				nd->out_off += (size_t)r;
				if (nd->out_off == nd->out_len) {
					nd->state = CL_RECV;
					if (!nd->in)
						nd->in = malloc(CL_IN_MAX);
					if (!nd->in) {
						transport_error(n, nd);
						return;
					}
				}
				continue;
			}
			break;
		case CL_RECV:
			r = SSL_read(nd->ssl, nd->in + nd->in_len,
				     (int)(CL_IN_MAX - 1 - nd->in_len));
			if (r > 0) {
				nd->in_len += (size_t)r;
				switch (answer_parse(nd, &status, &close_it)) {
				case 1:
					answer_done(n, nd, status, close_it);
					if (nd->state == CL_READY &&
					    !nd->has_req && !nd->waiting &&
					    has_work(nd))
						rq_push(n, (int)(nd - n->nodes));
					return;
				case 0:
					continue;
				default:
					transport_error(n, nd);
					return;
				}
			}
			break;
		}
		/* r <= 0 from OpenSSL */
		switch (SSL_get_error(nd->ssl, r)) {
		case SSL_ERROR_WANT_READ:
			set_ev(n, nd, EPOLLIN);
			return;
		case SSL_ERROR_WANT_WRITE:
			set_ev(n, nd, EPOLLOUT);
			return;
		default:
			ERR_clear_error();
			if (nd->state == CL_READY && !nd->has_req) {
				n->st.closed_idle++;
				conn_close(n, nd); /* closed while idle */
				return;
			}
			transport_error(n, nd);
			return;
		}
	}
}

static bool evictable(const struct cl_node *nd)
{
	return nd->state == CL_READY && !nd->has_req;
}

/* Make room for one more connection under max_open: close an idle one.
 * False when every open connection is busy. */
static bool evict(struct cl_net *n)
{
	if (!n->max_open || n->open < n->max_open)
		return true;
	if (n->open <= n->active) /* all of them busy (or nearly) */
		return false;
	while (n->mru_len) {
		struct cl_node *nd;

		n->mru_top = (n->mru_top + n->n - 1) % n->n;
		n->mru_len--;
		nd = &n->nodes[n->mru[n->mru_top]];
		if (evictable(nd)) {
			n->st.evicted++;
			conn_close(n, nd);
			return true;
		}
	}
	for (int k = 0; k < n->n; k++) {
		n->evict_cur = (n->evict_cur + 1) % n->n;
		if (evictable(&n->nodes[n->evict_cur])) {
			n->st.evicted++;
			conn_close(n, &n->nodes[n->evict_cur]);
			return true;
		}
	}
	return false;
}

/* Start node @i's next report: connect first when needed. */
static void start(struct cl_net *n, int i)
{
	struct cl_node *nd = &n->nodes[i];

	nd->queued = false;
	if (nd->has_req || nd->waiting || !has_work(nd))
		return;
	if (nd->state == CL_NOCONN && !evict(n)) {
		/* every connection busy: wait for one to be answered */
		if (!nd->slotwait) {
			nd->slotwait = true;
			n->slotq[(n->sq_head + n->sq_len) % n->n] = i;
			n->sq_len++;
		}
		return;
	}
	req_take(nd, cl_now());
	n->active++;
	if (nd->state == CL_NOCONN && conn_open(n, nd)) {
		transport_error(n, nd);
		return;
	}
	if (nd->state == CL_READY)
		drive(n, nd);
}

void cl_net_poll(struct cl_net *n, int ms)
{
	struct epoll_event ev[256];
	double now = cl_now();
	int k;

	while (n->rt_len && n->retry_at[n->rt_head] <= now) {
		int i = n->retry_idx[n->rt_head];

		n->rt_head = (n->rt_head + 1) % n->n;
		n->rt_len--;
		n->nodes[i].waiting = false;
		cl_net_want(n, i);
	}
	while (n->sq_len && evict(n)) {
		int i = n->slotq[n->sq_head];

		n->sq_head = (n->sq_head + 1) % n->n;
		n->sq_len--;
		n->nodes[i].slotwait = false;
		start(n, i);
	}
	while (n->rq_len && (!n->max_active || n->active < n->max_active)) {
		int i = n->runq[n->rq_head];

		n->rq_head = (n->rq_head + 1) % n->n;
		n->rq_len--;
		start(n, i);
	}
	if (n->rq_len && (!n->max_active || n->active < n->max_active))
		ms = 0;
	k = epoll_wait(n->epfd, ev, 256, ms);
	for (int j = 0; j < k; j++) {
		struct cl_node *nd = &n->nodes[ev[j].data.u32];

		if (nd->fd >= 0)
			drive(n, nd);
	}
}
