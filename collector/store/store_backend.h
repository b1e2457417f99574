/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a store backend provides (store.c drives it; see store.h).
 *
 * A backend keeps: the sequence ranges of every node, the events, the node
 * summaries with their last report (raw JSON) and saved diff state
 * (opaque text), and the series per minute and per hour.  It is called:
 *
 *   open     once, from store_open(): create or migrate the schema; refuse
 *            (-EPROTO) a schema newer than it knows, touching nothing;
 *   load     once, after open: every node's summary, JSON and state, and
 *            every node's ranges, through the callbacks;
 *   write    from the writer thread only: ALL of one batch in ONE
 *            transaction, durable when it returns 0 (the store acknowledges
 *            reports on that); on failure nothing of it is kept;
 *   expire   from the writer thread, between batches: delete at most
 *            @chunk rows per table older than the cutoffs, each table in
 *            its own short transaction, so expiry never stalls the writer;
 *            *more when a table had a full chunk (there may be more);
 *   events, series, ranges, outages, coverage   from any thread, concurrently with write
 *            (their own connections or equivalent);
 *   size     bytes the database takes on disk, any thread;
 *   close    once, after the writer thread stopped.
 *
 * Functions return 0 or a negative errno with the reason in err where they
 * take one; a query's callback returning non-zero stops it and that value
 * is returned.
 */
#ifndef EGNET_STORE_BACKEND_H
#define EGNET_STORE_BACKEND_H

#include "collector/store/store.h"
#include "collector/store/storeseq.h"

/* A node's coalesced data, written at a flush. */
struct store_wnode {
	struct store_node_info info;
	const char *json;
	size_t json_len;
	const char *state; /* NUL-terminated */
};

/* A node whose ranges changed in this batch: the whole new set. */
struct store_wranges {
	code_t node;
	const struct storeseq *set;
};

/* A closed minute: written to the minute table and added into the hour. */
struct store_wrow {
	code_t node;
	struct store_series_row r;
};

struct store_wbatch {
	const struct store_wranges *ranges;
	int n_ranges;
	const struct store_event *events;
	int n_events;
	const struct store_wnode *nodes;
	int n_nodes;
	const struct store_wrow *rows;
	int n_rows;
	const struct store_outage *outages; /* insert or replace */
	int n_outages;
	const struct store_coverage_pt *cover;
	int n_cover;
};

typedef int (*store_load_node_fn)(void *arg, const struct store_node_info *n,
				  const char *json, size_t len,
				  const char *state);
typedef int (*store_load_range_fn)(void *arg, code_t node, uint64_t lo,
				   uint64_t hi);

struct store_backend {
	const char *name;
	int (*open)(void **h, const struct store_opts *o, char *err,
		    size_t errlen);
	int (*load)(void *h, store_load_node_fn node_fn,
		    store_load_range_fn range_fn, void *arg, char *err,
		    size_t errlen);
	int (*write)(void *h, const struct store_wbatch *b, char *err,
		     size_t errlen);
	/* rows older than: events and hourly rows, minute rows */
	int (*expire)(void *h, long long keep_after_ms,
		      long long minutes_after_ms, int chunk,
		      uint64_t *deleted, bool *more, char *err,
		      size_t errlen);
	int (*events)(void *h, const struct store_event_q *q,
		      store_event_fn cb, void *arg);
	int (*series)(void *h, code_t node, long long since_ms,
		      long long until_ms, bool hourly, store_series_fn cb,
		      void *arg);
	int (*ranges)(void *h, code_t node, store_range_fn cb, void *arg);
	int (*outages)(void *h, const struct store_outage_q *q,
		       store_outage_fn cb, void *arg);
	int (*coverage)(void *h, code_t region, long long since_ms,
			long long until_ms, int limit, store_coverage_fn cb,
			void *arg);
	uint64_t (*size)(void *h);
	/* bytes of memory the backend holds (caches: bounded, not per node);
	 * any thread */
	uint64_t (*mem)(void *h);
	void (*close)(void *h);
};

extern const struct store_backend store_sqlite;

#endif
