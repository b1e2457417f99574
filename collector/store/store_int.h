/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside the store: the node table, the queue and the writer's state,
 * shared by store.c (the API side) and store_writer.c (the writer thread).
 *
 * Locking.  st->mu guards the node table and, in each node, what other
 * threads read: the committed ranges (done), the summary (info) and the
 * last report (json) and the published links and targets (now: an
 * immutable block, replaced whole; readers take a reference).  Only the writer thread changes them, and only after
 * a commit.  The rest of a node (wseq: done and the batch's seqs, held only
 * while a batch holds the node; ws; the batch marks) belongs to the
 * writer alone.  st->qmu guards the queue and the sync/stop requests;
 * st->smu the counters.  No thread holds two of them at once.
 */
#ifndef EGNET_STORE_INT_H
#define EGNET_STORE_INT_H

#include <pthread.h>

#include "collector/store/store.h"
#include "collector/store/store_backend.h"
#include "collector/store/storerep.h"
#include "collector/store/storeseq.h"

#define STORE_LAT_WINDOW 1024

#define STORE_PROF_BUCKETS 256

struct storeprof; /* storeprof.c */

/*
 * A node's summary (store.h's struct store_node_info) without its
 * strings: the profile's name, version and hash are shared (storeprof.c).
 */
struct snode_info {
	uint64_t last_seq;
	long long last_ms, agent_ms, uptime_s;
	struct storeprof *prof; /* NULL: nothing committed yet */
	uint8_t apply;		/* enum report_apply */
	bool drift;
	bool has;		/* something committed */
};

struct snode {
	code_t code;
	/* under st->mu (written by the writer after a commit) */
	struct snode_info info;
	struct storeseq done;
	char *json;
	size_t json_len;
	struct storenow *now; /* the last links and targets (immutable) */
	/* the writer's */
	struct storeseq wseq;
	struct storestate ws;
	struct storestate *snap;  /* ws when the batch first touched it */
	struct storerep *newest; /* newest in-order report of the batch */
	uint32_t batch;          /* the last batch that touched it */
	bool dirty;              /* in the FIFO of coalesced writes */
	bool written;            /* this batch writes its coalesced data */
	bool seq_changed;
	double dirty_at;         /* monotonic s, when it joined the FIFO */
	struct snode *dnext;
};

/* A verification record waiting for the writer (under st->qmu). */
struct storeaux {
	struct storeaux *next;
	bool is_outage;
	struct store_outage o;      /* o.nodes: nodes[] below */
	struct store_coverage_pt c;
	code_t nodes[];
};

struct store {
	struct store_opts o;
	const struct store_backend *be;
	void *h;

	pthread_mutex_t mu;
	struct snode **tab; /* open addressing by code */
	size_t tab_cap, n_nodes;
	struct storeprof *prof[STORE_PROF_BUCKETS]; /* the profiles named */
	size_t n_prof;

	pthread_mutex_t qmu;
	pthread_cond_t qcond, qdone;
	struct storerep *qhead, *qtail;
	int qn;
	struct storeaux *ahead, *atail; /* verification records */
	int an;
	double aux_after; /* monotonic s: not before (after a failure) */
	bool stop;
	uint64_t sync_asked, sync_done;
	int sync_rc;
	pthread_t writer;
	bool writer_started;

	pthread_mutex_t smu;
	struct store_stats s;
	double lat[STORE_LAT_WINDOW];
	int lat_n, lat_i;
};

/* The store's clock (opts or the real one), wall ms. */
long long store_clock(const struct store *st);

/* Node @code, or NULL.  Caller holds st->mu, or is the writer. */
struct snode *store_node_find(const struct store *st, code_t code);

/* Node @code, made when missing (writer only; takes st->mu to insert). */
struct snode *store_node_get(struct store *st, code_t code);

/*
 * Node @n's summary from @i (the profile's strings shared, storeprof.c):
 * 0, or -ENOMEM with it unchanged.  Under st->mu, or at open.
 */
int snode_info_set(struct store *st, struct snode *n,
		   const struct store_node_info *i);
/* The whole summary of @n (all zero when nothing is committed). */
void snode_info_get(const struct snode *n, struct store_node_info *out);
/* Drop @n's summary (and its share of a profile). */
void snode_info_free(struct store *st, struct snode *n);
/* Bytes the shared profiles take. */
size_t storeprof_mem(const struct store *st);

/* The writer thread (store_writer.c). */
void *store_writer_main(void *arg);

/* Count a commit of @ms, or an error (@err not NULL). */
void store_note_commit(struct store *st, double ms, const char *err);

#endif
