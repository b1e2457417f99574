/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The collector's store: every accepted report kept durably, the last report
 * of every node, the events derived from consecutive reports of a node, and
 * per-minute / hourly series of its links and probe targets.
 *
 * Role: one narrow interface for the rest of the collector.  store_put() is
 * called from the HTTP worker threads; a report that repeats a (node, seq)
 * already stored is answered STORE_DUP at once, the others are queued to ONE
 * writer thread that commits them in batches (one transaction each) and only
 * then calls back: STORE_OK means the report's sequence number and its
 * events are on disk (the agent may drop it from its spool); the minute
 * and hour rows go with the batch in which they close.  The last report
 * (raw JSON), the node summary and the node's diff state are written
 * coalesced — the newest per node — every coalesce_ms and on
 * store_close(): a crash loses at most that much of them (the events and
 * ranges are never lost; the open minute and hour of each node are).  Queries run on any thread,
 * on read connections of their own, concurrently with the writer.
 *
 * Error policy: functions return 0 or a negative errno; store_open() writes
 * a one-line reason into the caller's buffer; nothing here logs.  A record
 * read back from the database that does not make sense (a range the wrong
 * way round, a state blob that does not parse) is skipped and counted in
 * store_stats.bad_records, never trusted.
 *
 * Backends.  Everything that does not depend on the database — the queue,
 * the writer thread, duplicate checks on the in-memory sequence ranges, the
 * event derivation (storediff.c), the per-minute aggregation (storeagg.c) —
 * is in backend-independent files.  A backend provides the operations of
 * struct store_backend (store_backend.h): open and migrate, load what a
 * restart needs, write one batch in one transaction, delete one chunk of
 * expired rows, and the three database queries.  SQLite (store_sqlite.c) is
 * the embedded default; a PostgreSQL backend is another such table.
 */
#ifndef EGNET_STORE_H
#define EGNET_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"
#include "common/code.h"
#include "common/report.h"

struct store;

enum store_result {
	STORE_OK,          /* durable: seq range and events committed */
	STORE_DUP,         /* (node, seq) was stored before: nothing written */
	STORE_BUSY,        /* the queue is full: try again (503) */
	STORE_UNAVAILABLE, /* the commit failed (disk full, I/O, read-only) */
	STORE__N
};
extern const char *const store_result_words[];

/* Settings; store_cfg_opts reads them from the collector's "store" group. */
struct store_opts {
	char dir[256];           /* state dir: the db is DIR/egnet.db */
	int retention_days;      /* events and hourly series (>= 180 by law) */
	int minute_retention_days; /* per-minute series */
	int flush_ms;            /* minutes closed by the clock, retention */
	int coalesce_ms;         /* last reports, summaries, node states */
	int queue_max;           /* reports waiting for the writer */
	int batch_max;           /* reports per transaction */
	int batch_wait_ms;       /* how long a report may wait for others to
				    share its commit (and fsync) */
	int report_interval_s;   /* the agents' report interval */
	int seen_gap_intervals;  /* "agent seen" after a gap of > N intervals */
	int retention_chunk;     /* rows deleted per table per step */
	int max_db_mb;           /* 0: no cap; else SQLITE_FULL beyond it */
	/* Wall clock in ms (retention, minute closing, receive time); NULL:
	 * the real one.  Tests move time with it. */
	long long (*clock_ms)(void *arg);
	void *clock_arg;
};

/* The option table for cfg_read() over struct store_opts (CFG_END ended). */
extern const struct cfg_opt store_cfg_opts[];

/* Fill @o with the defaults of store_cfg_opts and @dir (may be NULL). */
void store_opts_default(struct store_opts *o, const char *dir);

/*
 * Open (creating it when missing) DIR/egnet.db: WAL, synchronous=FULL,
 * schema migrated to the current version, sequence ranges, summaries, last
 * reports and diff state of every node loaded, writer thread started.
 * 0, or a negative errno with the reason in err (a database of a newer
 * schema than this build knows is refused with -EPROTO, untouched).
 */
int store_open(struct store **st, const struct store_opts *o, char *err,
	       size_t errlen);

/*
 * Flush everything still in memory (queue, last reports, open minutes,
 * summaries), stop the writer, close.  Every callback still owed is called
 * before it returns.  NULL is fine.
 */
void store_close(struct store *st);

typedef void (*store_done_fn)(void *arg, enum store_result res);

/*
 * Keep report @r with its raw body @json (@len bytes).  Returns at once:
 *   STORE_DUP   (node, seq) is stored already; @cb is not called;
 *   STORE_BUSY  the queue is full; @cb is not called;
 *   STORE_OK    queued: @cb(arg, result) comes later, from the writer
 *               thread, with STORE_OK, STORE_DUP (a copy queued at the same
 *               time was committed first) or STORE_UNAVAILABLE.
 * @r and @json are copied (the compact part of @r only); the caller may
 * reuse them when this returns.  -ENOMEM is returned as STORE_BUSY.
 */
enum store_result store_put(struct store *st, const struct report *r,
			    const char *json, size_t len, store_done_fn cb,
			    void *arg);

/* Wait until everything queued before the call is committed and the
 * coalesced data (last reports, summaries, closed minutes, minutes the
 * clock has closed) and one retention step are written.  0 or the
 * negative errno of the failed commit. */
int store_sync(struct store *st);

/* A node's summary, as listed. */
struct store_node_info {
	code_t node;
	uint64_t last_seq;
	long long last_ms;   /* when the collector received it (store clock) */
	long long agent_ms;  /* the report's own time */
	long long uptime_s;
	enum report_apply apply;
	bool drift;
	char profile[REPORT_NAME_LEN], profile_version[REPORT_NAME_LEN], profile_hash[72];
};

typedef int (*store_node_fn)(void *arg, const struct store_node_info *n);

/* Every node's summary, in code order; a non-zero return from @cb stops
 * and is returned.  From memory: the newest committed. */
int store_nodes(struct store *st, store_node_fn cb, void *arg);

/* A copy (malloc'd, the caller frees) of the raw JSON of node @code's last
 * report.  0, -ENOENT when it has none, -ENOMEM. */
int store_node_last(struct store *st, code_t code, char **json, size_t *len);

/*
 * What a node's links and probe targets were in its last committed report,
 * kept in memory for /metrics (not parsed from the JSON at each scrape).
 * After a restart, until the node's next report: the states and counters
 * saved with the node, rates and measurements absent (negative), the
 * relation derived from the codes.  Sizes: 44 bytes a link, 24 a target.
 */
struct store_link_now {
	uint64_t rx_bytes, tx_bytes; /* the counters (has_counters) */
	float rx_bps, tx_bps;        /* bits/s; negative: absent */
	char name[16];
	uint8_t state;               /* enum report_oper */
	bool has_counters;
	uint8_t pad_[2];
} __attribute__((packed, aligned(4)));

struct store_target_now {
	code_t code;
	float rtt_ms, loss_pct, jitter_ms; /* the last; negative: absent */
	uint8_t rel;                       /* enum report_rel */
	uint8_t state;                     /* enum report_oper */
	uint8_t pad_[2];
};

struct store_node_now {
	code_t node;
	int n_links, n_targets;
	const struct store_link_now *links;
	const struct store_target_now *targets;
};

typedef int (*store_now_fn)(void *arg, const struct store_node_now *n);

/*
 * Every node's links and targets as last committed, in code order; a
 * non-zero return from @cb stops and is returned.  The lock is held only
 * to take a reference to each node's (immutable) state: @cb runs
 * unlocked, and what it is given is valid until it returns.  0 or
 * -ENOMEM.
 */
int store_node_state(struct store *st, store_now_fn cb, void *arg);

/* Events. */
enum store_ev {
	STORE_EV_SEEN,          /* first report, or after a gap */
	STORE_EV_RESTART,       /* uptime went back */
	STORE_EV_LINK_UP,       /* subject: link name */
	STORE_EV_LINK_DOWN,
	STORE_EV_TARGET_UP,     /* subject: target code */
	STORE_EV_TARGET_DOWN,
	STORE_EV_DRIFT_FOUND,   /* text: the first difference */
	STORE_EV_DRIFT_CLEARED,
	STORE_EV_APPLY_OK,      /* subject: profile hash; text: the agent's */
	STORE_EV_APPLY_FAILED,
	STORE_EV_OUTAGE_OPEN,   /* node: the root; subject: its state */
	STORE_EV_OUTAGE_CLOSE,  /* subject: "repaired" or "subsumed by CODE" */
	STORE_EV__N
};
extern const char *const store_ev_words[]; /* "agent-seen", "link-down"... */

struct store_event {
	long long time_ms;
	code_t node;
	enum store_ev type;
	char subject[72];
	char text[REPORT_TEXT_LEN];
};

struct store_event_q {
	long long since_ms, until_ms; /* [since, until); until 0: no bound */
	code_t node;                  /* 0: all */
	int type;                     /* enum store_ev, or -1: all */
	int limit;                    /* 0: no limit */
	bool oldest_first;            /* default newest first */
};

typedef int (*store_event_fn)(void *arg, const struct store_event *e);
int store_events(struct store *st, const struct store_event_q *q,
		 store_event_fn cb, void *arg);

/* Series. */
enum store_series_kind { STORE_SERIES_LINK, STORE_SERIES_TARGET };

struct store_series_row {
	enum store_series_kind kind;
	char key[16];      /* link name, or target code (12 digits) */
	long long t_ms;    /* start of the minute or hour */
	bool hourly;
	/* links */
	uint64_t rx_bytes, tx_bytes; /* delta over the period */
	double rx_bps, tx_bps;       /* mean of the reports' rates */
	/* targets: ms and %, negative when never measured */
	double rtt_avg, rtt_min, rtt_max, loss_pct, jitter_avg;
	uint32_t samples;        /* reports in the period */
	uint32_t rtt_samples, jitter_samples; /* of them, measured */
};

typedef int (*store_series_fn)(void *arg, const struct store_series_row *r);

/* Rows of node @code in [since, until), oldest first: per minute when the
 * range is at most two days and minute rows are still kept for all of it,
 * else hourly (row.hourly says which). */
int store_series(struct store *st, code_t code, long long since_ms,
		 long long until_ms, store_series_fn cb, void *arg);

/* The stored sequence ranges [lo, hi] of node @code, ascending, as the
 * database holds them. */
typedef int (*store_range_fn)(void *arg, uint64_t lo, uint64_t hi);
int store_seq_ranges(struct store *st, code_t code, store_range_fn cb,
		     void *arg);

/*
 * Verification records (collector/verify): outages opened and closed and
 * coverage per minute.  They are queued like reports and written by the
 * writer thread with its next batch (one transaction); they are kept as
 * long as events (retention_days).  An outage is one row per (root,
 * opened_ms), written at its opening and replaced at its close; each call
 * of store_put_outage() but an update also writes the event outage-open
 * (closed_ms 0) or outage-close.
 */
struct store_outage {
	code_t root;
	long long opened_ms, closed_ms; /* closed_ms 0: still open */
	char state[16];                 /* the root's: unreachable, silent */
	int cut[LEVEL_COUNT];           /* descendants cut off per level */
	code_t subsumed_by;             /* closed by a break above it, or 0 */
	bool update;                    /* an open one's counts changed: the
					   row replaced, no event */
	int n_nodes;
	const code_t *nodes;            /* the cut-off nodes, code order */
};

#define STORE_OUTAGE_NODES_MAX 100000 /* nodes kept with one outage */
#define STORE_AUX_MAX 65536           /* verification records waiting */

/* Queue @o (copied; nodes beyond STORE_OUTAGE_NODES_MAX are left out).
 * 0, -EBUSY when STORE_AUX_MAX records wait already, -ENOMEM,
 * -EINVAL for a root that is not a code or times that make no sense. */
int store_put_outage(struct store *st, const struct store_outage *o);

struct store_outage_q {
	long long since_ms;  /* opened or closed at or after; 0: all */
	bool open_only;      /* only the ones not closed */
	int limit;           /* 0: no limit; newest opened first */
};

typedef int (*store_outage_fn)(void *arg, const struct store_outage *o);

/* The outages kept, newest opened first; @o->nodes valid during @cb. */
int store_outages(struct store *st, const struct store_outage_q *q,
		  store_outage_fn cb, void *arg);

/* Connected and expected nodes of a region (0: the whole inventory) per
 * level, at the start of a minute. */
struct store_coverage_pt {
	long long t_ms;
	code_t region;
	int connected[LEVEL_COUNT], expected[LEVEL_COUNT];
};

/* Queue @n points (copied); a point of the same region and minute
 * replaces the one kept.  0, -EBUSY, -ENOMEM, -EINVAL. */
int store_put_coverage(struct store *st, const struct store_coverage_pt *p,
		       int n);

typedef int (*store_coverage_fn)(void *arg,
				 const struct store_coverage_pt *p);

/* Points of @region in [since, until) (until 0: no bound), oldest first,
 * at most @limit (0: all). */
int store_coverage(struct store *st, code_t region, long long since_ms,
		   long long until_ms, int limit, store_coverage_fn cb,
		   void *arg);

struct store_stats {
	int queue_depth, queue_max;
	uint64_t batches, rows_written, rows_deleted;
	uint64_t reports_stored, dups, busy, unavailable, bad_records;
	double commit_p50_ms, commit_p99_ms; /* over the last commits */
	int commit_window;                   /* how many */
	double commit_sum_ms;                /* over all commits */
	uint64_t commits;
	uint64_t db_bytes;
	uint64_t db_mem_bytes;     /* the backend's caches (bounded) */
	uint64_t nodes, mem_bytes; /* per-node state, JSON not counted */
	uint64_t json_bytes;       /* last reports held in memory */
	uint64_t aux_written, aux_busy; /* verification records */
	char last_error[256];      /* "" when none */
};

void store_stats(struct store *st, struct store_stats *s);

#endif
