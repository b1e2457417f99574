/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * collector_load: the collector's load generator (bench/collector drives
 * it).  Shared between collector_load.c (options, certificates, report
 * bodies, the phases and their figures) and collector_load_net.c (the
 * connections: one non-blocking mutual-TLS connection per simulated node,
 * OpenSSL over epoll, HTTP/1.1 keep-alive, one request in flight each).
 *
 * Role: every simulated node is a struct cl_node with its own key and
 * certificate (CN the node's code, as the collector checks), its own
 * report body (the golden county report with its codes edited) and the
 * reports it still has to send: live ones (made now, sent first) and a
 * backlog (a spool being replayed, oldest first).  A phase gives nodes
 * work with cl_net_want(); the engine connects when needed, sends, reads
 * the answer and counts it in the phase's struct cl_stats.
 *
 * TLS sessions: the collector's session tickets are kept, one per node
 * (the last one it gave); with cl_net.resume a node offers its own when it
 * connects, as an agent's libcurl does, else every connection makes a full
 * handshake, as an agent's first does.
 *
 * Error policy: an answer 503 or 5xx, or a transport error, puts the
 * report back and the node waits CL_RETRY_S before it sends again (as an
 * agent's spool does); another 4xx is final and counted.  Nothing is
 * fatal but running out of memory.
 */
#ifndef EGNET_BENCH_COLLECTOR_LOAD_H
#define EGNET_BENCH_COLLECTOR_LOAD_H

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/code.h"

#define CL_LIVE     8    /* live reports a node may have waiting */
#define CL_IN_MAX   1024 /* bytes of an answer kept */
#define CL_RETRY_S  1.0  /* after a 503 or a transport error */
#define CL_SEQ_W    19   /* width of the seq field in a body */
#define CL_TIME_W   13   /* width of time_ms */
#define CL_SRC_ADDRS 32  /* source addresses 127.0.0.2.. (ports apart) */

enum cl_state {
	CL_NOCONN,
	CL_CONNECTING,
	CL_HANDSHAKE,
	CL_READY, /* connected, nothing in flight */
	CL_SEND,
	CL_RECV,
};

struct cl_node {
	code_t code;
	X509 *crt;
	EVP_PKEY *key;
	SSL_SESSION *sess; /* the last session the collector gave (a ticket) */
	char *body; /* compact JSON with seq and time_ms fields to patch */
	size_t blen, seq_off, time_off;

	/* reports: 1..made made so far */
	uint64_t made, acked; /* highest made, highest acknowledged */
	uint64_t blo, bhi;    /* backlog to send, [blo, bhi]; none: blo > bhi */
	uint64_t live[CL_LIVE];
	double live_due[CL_LIVE];
	int live_head, n_live;

	/* the connection */
	int fd;
	SSL *ssl;
	enum cl_state state;
	uint32_t ev; /* epoll events registered, 0: not registered */
	bool queued; /* on the run queue */
	bool slotwait; /* on the queue for a connection slot */
	bool waiting; /* backing off until retry_at */
	bool has_req; /* a report taken for sending */

	/* the request in flight */
	uint64_t seq;
	bool req_live;
	double t_due, t_start;
	char *out;
	size_t out_len, out_off;
	char *in;
	size_t in_len;
};

/* Latencies in seconds. */
struct cl_lat {
	double *v;
	size_t n, cap;
};

struct cl_stats {
	uint64_t sent, stored, dup, ok204, c4xx, c503, c5xx, terr;
	uint64_t handshakes, late, live_503, backlog_done;
	uint64_t resumed;     /* handshakes that resumed a session */
	uint64_t closed_idle; /* idle connections the collector closed */
	uint64_t evicted;     /* idle connections closed under max_open */
	uint64_t closed_answer; /* answers with Connection: close */
	struct cl_lat lat, lat_backlog;
};

struct cl_net {
	int epfd;
	SSL_CTX *ctx;
	struct sockaddr_in srv;
	char host[64];
	char path[128];
	struct cl_node *nodes;
	int n;
	int *runq; /* ring of node indices with work, idle */
	int rq_head, rq_len;
	int *retry_idx; /* ring of nodes backing off, in time order */
	double *retry_at;
	int rt_head, rt_len;
	int *slotq; /* ring of nodes waiting for a connection under max_open */
	int sq_head, sq_len;
	int open, max_open; /* connections open; at most (0: no cap) */
	int *mru;           /* ring used as a stack: nodes answered, newest on top */
	int mru_top, mru_len;
	int evict_cur;      /* where the search for an idle connection goes on */
	int active;    /* nodes with a connection being made or a request */
	int max_active; /* nodes started at once (0: all) */
	bool close_after; /* close each connection after its answer */
	bool resume; /* offer each node's last session (ticket) when connecting */
	struct cl_stats st;
};

double cl_now(void);
void cl_lat_add(struct cl_lat *l, double v);
/* The q-quantile of @l (sorts it); 0 when empty. */
double cl_lat_q(struct cl_lat *l, double q);

/* An engine over @nodes towards 127.0.0.1:@port, trusting @ca_file.
 * 0, or -1 with the reason in @err. */
int cl_net_init(struct cl_net *n, struct cl_node *nodes, int nn, int port,
		const char *ca_file, char *err, size_t errlen);
void cl_net_free(struct cl_net *n);
/* The path requests go to from now on. */
void cl_net_path(struct cl_net *n, const char *path);
/* Node @i has new work: started when the limits allow. */
void cl_net_want(struct cl_net *n, int i);
/* Start what may start, wait up to @ms for events, handle them. */
void cl_net_poll(struct cl_net *n, int ms);
/* Close every connection (nothing may be in flight). */
void cl_net_close_all(struct cl_net *n);
/* Connections open now. */
int cl_net_open(const struct cl_net *n);
/* Keep at most @max connections open (0: no cap): a node that needs one
 * when they are all taken closes an idle one: of the nodes answered, the
 * newest first (reports come round robin: it is the one needed latest;
 * the oldest would be needed next, and closing it would cascade). */
void cl_net_max_open(struct cl_net *n, int max);
/* True when node @i has nothing to send and nothing in flight. */
bool cl_net_idle(const struct cl_net *n, int i);
/* Reset the phase's counters (latencies freed). */
void cl_net_reset(struct cl_net *n);

/* Add a live report (made now: its seq is ++made) to node @nd. */
void cl_node_live(struct cl_node *nd, double due);

/* A run: the options, the nodes, the engine (collector_load.c). */
struct cl_ctx {
	int nn, port, pid, rounds;
	double rate, steady_s, peak_s;
	int peak_conc, mem_conc, replay_nodes, replay_depth;
	const char *ca_file;
	struct cl_node *nodes;
	struct cl_net net;
};

/* GET @path from the collector with node 0's certificate: the body
 * (malloc'd, NUL-ended) or NULL, the HTTP status in *status. */
char *cl_get(const struct cl_ctx *c, const char *path, long *status);

/* The phases named in @list (comma separated), in their fixed order, with
 * their figures and the summary printed (collector_load_phase.c).
 * 0, or 1 when a phase could not run or the verification failed. */
int cl_phases_run(struct cl_ctx *c, const char *list);

#endif
