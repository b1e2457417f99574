// SPDX-License-Identifier: BSD-2-Clause
/*
 * The SQLite backend of the store (struct store_backend, store_backend.h):
 * DIR/egnet.db in WAL mode, one write connection used by the writer thread
 * only, and a small pool of read-only connections for queries from any
 * thread (WAL lets them read while the writer commits).  The queries are
 * in store_sqlite_query.c; the schema and its migrations here.
 *
 * synchronous=FULL: in WAL mode NORMAL does not sync the WAL at each
 * commit, so a commit can be lost to a power cut or an OS crash — and the
 * store acknowledges reports on the commit, after which the agent deletes
 * them from its spool.  FULL syncs the WAL per commit; batching many
 * reports per transaction is what pays for that fsync.
 *
 * Errors: SQLite's codes become negative errnos (SQLITE_FULL -ENOSPC,
 * SQLITE_READONLY -EROFS, SQLITE_IOERR -EIO, SQLITE_BUSY -EBUSY, else -EIO)
 * with sqlite3_errmsg() in err; a failed write is rolled back whole.
 */
#include "collector/store/store_sqlite.h"

#include "collector/store/storepack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * Migrations: entry v takes the schema from v-1 to v — its SQL, then its
 * C step when it has one (a conversion SQL cannot say) — in the same
 * transaction that records the new version; a database newer than the
 * build is refused.
 *
 * v2: the series in one row per node and period (storepack.h's blob)
 * instead of one per link and target: series_m per minute, series_h per
 * hour, the four v1 tables converted and dropped.
 *
 * v3: the verification's outages (one row per root and opening, replaced
 * at its close) and coverage points (one row per region and minute).
 */
#define STORE_SQLITE_VERSION 3

struct store_sqlite_migration {
	const char *sql;
	int (*fn)(sqlite3 *db);
};

static const struct store_sqlite_migration
	store_sqlite_migrations[STORE_SQLITE_VERSION + 1] = {
	[1] = {"CREATE TABLE schema_version(version INTEGER NOT NULL);"
	      "INSERT INTO schema_version VALUES(0);"
	      "CREATE TABLE seq_ranges(node INTEGER NOT NULL, lo INTEGER NOT "
	      "NULL, hi INTEGER NOT NULL, PRIMARY KEY(node, lo)) WITHOUT ROWID;"
	      "CREATE TABLE events(id INTEGER PRIMARY KEY, time_ms INTEGER NOT "
	      "NULL, node INTEGER NOT NULL, type TEXT NOT NULL, subject TEXT "
	      "NOT NULL, text TEXT NOT NULL);"
	      "CREATE INDEX events_time ON events(time_ms);"
	      "CREATE INDEX events_node ON events(node, time_ms);"
	      "CREATE TABLE nodes(node INTEGER PRIMARY KEY, last_seq INTEGER, "
	      "last_ms INTEGER, agent_ms INTEGER, uptime_s INTEGER, apply "
	      "INTEGER, drift INTEGER, profile TEXT, profile_version TEXT, "
	      "profile_hash TEXT, json BLOB, state TEXT);"
	      "CREATE TABLE series_link(node INTEGER, link TEXT, t INTEGER, "
	      "rx_bytes INTEGER, tx_bytes INTEGER, rx_bps REAL, tx_bps REAL, n "
	      "INTEGER, PRIMARY KEY(node, t, link)) WITHOUT ROWID;"
	      "CREATE TABLE series_link_h(node INTEGER, link TEXT, t INTEGER, "
	      "rx_bytes INTEGER, tx_bytes INTEGER, rx_bps REAL, tx_bps REAL, n "
	      "INTEGER, PRIMARY KEY(node, t, link)) WITHOUT ROWID;"
	      "CREATE TABLE series_target(node INTEGER, target TEXT, t INTEGER, "
	      "rtt_avg REAL, rtt_min REAL, rtt_max REAL, loss REAL, jitter "
	      "REAL, n INTEGER, n_rtt INTEGER, n_jit INTEGER, PRIMARY KEY(node, "
	      "t, target)) WITHOUT ROWID;"
	      "CREATE TABLE series_target_h(node INTEGER, target TEXT, t "
	      "INTEGER, rtt_avg REAL, rtt_min REAL, rtt_max REAL, loss REAL, "
	      "jitter REAL, n INTEGER, n_rtt INTEGER, n_jit INTEGER, PRIMARY "
	      "KEY(node, t, target)) WITHOUT ROWID;", NULL},
	/* rowid tables: a WITHOUT ROWID row past ~1 KB (a county's blob is
	 * more) spills into an overflow page of its own, most of it empty */
	[2] = {"CREATE TABLE series_m(node INTEGER NOT NULL, t INTEGER NOT "
	       "NULL, v BLOB NOT NULL, PRIMARY KEY(node, t));"
	       "CREATE TABLE series_h(node INTEGER NOT NULL, t INTEGER NOT "
	       "NULL, v BLOB NOT NULL, PRIMARY KEY(node, t));",
	       store_sqlite_v2},
	[3] = {"CREATE TABLE outages(root INTEGER NOT NULL, opened_ms INTEGER "
	       "NOT NULL, closed_ms INTEGER NOT NULL, state TEXT NOT NULL, "
	       "cut TEXT NOT NULL, subsumed_by INTEGER NOT NULL, nodes TEXT "
	       "NOT NULL, PRIMARY KEY(root, opened_ms));"
	       "CREATE INDEX outages_closed ON outages(closed_ms);"
	       "CREATE TABLE coverage(region INTEGER NOT NULL, t INTEGER NOT "
	       "NULL, c0 INTEGER, c1 INTEGER, c2 INTEGER, c3 INTEGER, c4 "
	       "INTEGER, e0 INTEGER, e1 INTEGER, e2 INTEGER, e3 INTEGER, e4 "
	       "INTEGER, PRIMARY KEY(region, t));"
	       "CREATE INDEX coverage_t ON coverage(t);", NULL},
};

/* A period's row is written once when it closes; a late report of a
 * period already written (or one more after a restart) is merged into
 * it in C (storepack_merge): sums add, means are weighted by samples. */
#define SERIES_INS(tab)                                                     \
	"INSERT INTO " tab "(node, t, v) VALUES(?1, ?2, ?3) ON CONFLICT DO " \
	"NOTHING"
#define SERIES_GET(tab) "SELECT v FROM " tab " WHERE node = ?1 AND t = ?2"
#define SERIES_UPD(tab) "UPDATE " tab " SET v = ?3 WHERE node = ?1 AND t = ?2"

enum {
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_RANGE_DEL,
	Q_RANGE_INS,
	Q_EVENT_INS,
	Q_NODE_PUT,
	Q_SER_INS_M,
	Q_SER_INS_H,
	Q_SER_GET_M,
	Q_SER_GET_H,
	Q_SER_UPD_M,
	Q_SER_UPD_H,
	Q_OUT_PUT,
	Q_COV_PUT,
	Q__N
};

static const char *const store_sqlite_sql[Q__N] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_RANGE_DEL] = "DELETE FROM seq_ranges WHERE node = ?1",
	[Q_RANGE_INS] = "INSERT INTO seq_ranges(node, lo, hi) VALUES(?1, ?2, "
			"?3)",
	[Q_EVENT_INS] = "INSERT INTO events(time_ms, node, type, subject, "
			"text) VALUES(?1, ?2, ?3, ?4, ?5)",
	[Q_NODE_PUT] = "INSERT OR REPLACE INTO nodes(node, last_seq, last_ms, "
		       "agent_ms, uptime_s, apply, drift, profile, "
		       "profile_version, profile_hash, json, state) "
		       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
		       "?12)",
	[Q_SER_INS_M] = SERIES_INS("series_m"),
	[Q_SER_INS_H] = SERIES_INS("series_h"),
	[Q_SER_GET_M] = SERIES_GET("series_m"),
	[Q_SER_GET_H] = SERIES_GET("series_h"),
	[Q_SER_UPD_M] = SERIES_UPD("series_m"),
	[Q_SER_UPD_H] = SERIES_UPD("series_h"),
	[Q_OUT_PUT] = "INSERT OR REPLACE INTO outages(root, opened_ms, "
		      "closed_ms, state, cut, subsumed_by, nodes) VALUES(?1, "
		      "?2, ?3, ?4, ?5, ?6, ?7)",
	[Q_COV_PUT] = "INSERT OR REPLACE INTO coverage(region, t, c0, c1, c2, "
		      "c3, c4, e0, e1, e2, e3, e4) VALUES(?1, ?2, ?3, ?4, ?5, "
		      "?6, ?7, ?8, ?9, ?10, ?11, ?12)",
};

struct sqlh {
	char path[300];
	sqlite3 *db;
	sqlite3_stmt *q[Q__N];
	pthread_mutex_t pmu;
	sqlite3 *pool[STORE_SQLITE_POOL];
	int npool;
	code_t cursor[2]; /* expiry: the node each series table is at */
};

int store_sqlite_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return -EROFS;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

static int store_sqlite_fail(sqlite3 *db, int rc, const char *what, char *err,
			     size_t errlen)
{
	snprintf(err, errlen, "store: %s: %s", what,
		 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	return store_sqlite_errno(rc) ? store_sqlite_errno(rc) : -EIO;
}

/* Bring the schema to STORE_SQLITE_VERSION in one transaction. */
static int store_sqlite_migrate(struct sqlh *h, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int v = 0, rc;

	rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc)
		return store_sqlite_fail(h->db, rc, h->path, err, errlen);
	if (sqlite3_prepare_v2(h->db, "SELECT version FROM schema_version", -1,
			       &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	} else if (sqlite3_prepare_v2(h->db, "SELECT 1 FROM sqlite_master "
					     "WHERE name <> ''",
				      -1, &s, NULL) == SQLITE_OK) {
		/* no version table: a new database, or somebody else's */
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc == SQLITE_ROW) {
			sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
			snprintf(err, errlen,
				 "store: %s has tables but no schema_version: "
				 "not an egnet store",
				 h->path);
			return -EPROTO;
		}
	}
	if (v > STORE_SQLITE_VERSION || v < 0) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		snprintf(err, errlen,
			 "store: %s has schema version %d, this collector knows "
			 "up to %d: refusing to open it (a newer collector "
			 "made it)",
			 h->path, v, STORE_SQLITE_VERSION);
		return -EPROTO;
	}
	for (int n = v + 1; n <= STORE_SQLITE_VERSION; n++) {
		char set[80];

		snprintf(set, sizeof(set), "UPDATE schema_version SET version=%d",
			 n);
		rc = sqlite3_exec(h->db, store_sqlite_migrations[n].sql, NULL,
				  NULL, NULL);
		if (!rc && store_sqlite_migrations[n].fn)
			rc = store_sqlite_migrations[n].fn(h->db);
		if (!rc)
			rc = sqlite3_exec(h->db, set, NULL, NULL, NULL);
		if (rc) {
			int e = store_sqlite_fail(h->db, rc, "migration", err,
						  errlen);

			sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
			return e;
		}
	}
	rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
	if (rc) {
		int e = store_sqlite_fail(h->db, rc, h->path, err, errlen);

		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		return e;
	}
	return 0;
}

static void store_sqlite_close(void *hv)
{
	struct sqlh *h = hv;

	if (!h)
		return;
	for (int i = 0; i < Q__N; i++)
		sqlite3_finalize(h->q[i]);
	for (int i = 0; i < h->npool; i++)
		sqlite3_close(h->pool[i]);
	sqlite3_close(h->db);
	pthread_mutex_destroy(&h->pmu);
	free(h);
}

static int store_sqlite_open(void **out, const struct store_opts *o,
			     char *err, size_t errlen)
{
	struct sqlh *h = calloc(1, sizeof(*h));
	char pragma[80];
	struct stat sb;
	int rc;

	*out = NULL;
	if (!h) {
		snprintf(err, errlen, "store: out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&h->pmu, NULL);
	snprintf(h->path, sizeof(h->path), "%s/egnet.db", o->dir);
	if (stat(o->dir, &sb) || !S_ISDIR(sb.st_mode)) {
		rc = errno ? -errno : -ENOTDIR;
		snprintf(err, errlen, "store: state dir %s: %s", o->dir,
			 strerror(-rc));
		store_sqlite_close(h);
		return rc;
	}
	rc = sqlite3_open_v2(h->path, &h->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc) {
		rc = store_sqlite_fail(h->db, rc, h->path, err, errlen);
		store_sqlite_close(h);
		return rc;
	}
	sqlite3_busy_timeout(h->db, 5000);
	/* 32 MiB of page cache for the writer: the series and range
	 * B-trees it updates stay in memory rather than in pread() */
	rc = sqlite3_exec(h->db, "PRAGMA journal_mode=WAL; "
				 "PRAGMA synchronous=FULL; "
				 "PRAGMA cache_size=-32768",
			  NULL, NULL, NULL);
	if (rc) {
		rc = store_sqlite_fail(h->db, rc, h->path, err, errlen);
		store_sqlite_close(h);
		return rc;
	}
	rc = store_sqlite_migrate(h, err, errlen);
	if (rc) {
		store_sqlite_close(h);
		return rc;
	}
	if (o->max_db_mb > 0) {
		/* a disk budget: beyond it commits fail with SQLITE_FULL */
		snprintf(pragma, sizeof(pragma), "PRAGMA max_page_count=%lld",
			 (long long)o->max_db_mb * 1024 * 1024 / 4096);
		sqlite3_exec(h->db, pragma, NULL, NULL, NULL);
	}
	for (int i = 0; i < Q__N; i++) {
		rc = sqlite3_prepare_v3(h->db, store_sqlite_sql[i], -1,
					SQLITE_PREPARE_PERSISTENT, &h->q[i],
					NULL);
		if (rc) {
			rc = store_sqlite_fail(h->db, rc, store_sqlite_sql[i],
					       err, errlen);
			store_sqlite_close(h);
			return rc;
		}
	}
	*out = h;
	return 0;
}

/* Run one prepared statement to its end and reset it. */
static int store_sqlite_step(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : rc;
}

/*
 * The batch's closed minutes and hours: rows of one node and period come
 * together (storeagg closes a node's period key by key), each such run
 * written as one packed row.
 */
static int store_sqlite_rows(struct sqlh *h, const struct store_wbatch *b)
{
	struct store_series_row *run;
	int rc = 0;

	if (!b->n_rows)
		return 0;
	run = malloc((size_t)b->n_rows * sizeof(*run));
	if (!run)
		return SQLITE_NOMEM;
	for (int i = 0; !rc && i < b->n_rows;) {
		const struct store_wrow *w = &b->rows[i];
		bool hr = w->r.hourly;
		int n = 0;

		while (i < b->n_rows && b->rows[i].node == w->node &&
		       b->rows[i].r.t_ms == w->r.t_ms &&
		       b->rows[i].r.hourly == hr && n < STOREPACK_MAX_ROWS)
			run[n++] = b->rows[i++].r;
		rc = store_sqlite_series_put(h->db,
					     h->q[hr ? Q_SER_INS_H : Q_SER_INS_M],
					     h->q[hr ? Q_SER_GET_H : Q_SER_GET_M],
					     h->q[hr ? Q_SER_UPD_H : Q_SER_UPD_M],
					     w->node, w->r.t_ms, run, n);
	}
	free(run);
	return rc;
}

static int store_sqlite_node(struct sqlh *h, const struct store_wnode *n)
{
	sqlite3_stmt *s = h->q[Q_NODE_PUT];
	const struct store_node_info *i = &n->info;

	sqlite3_bind_int64(s, 1, (sqlite3_int64)i->node);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)i->last_seq);
	sqlite3_bind_int64(s, 3, i->last_ms);
	sqlite3_bind_int64(s, 4, i->agent_ms);
	sqlite3_bind_int64(s, 5, i->uptime_s);
	sqlite3_bind_int(s, 6, (int)i->apply);
	sqlite3_bind_int(s, 7, i->drift);
	sqlite3_bind_text(s, 8, i->profile, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, i->profile_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, i->profile_hash, -1, SQLITE_STATIC);
	if (n->json)
		sqlite3_bind_blob(s, 11, n->json, (int)n->json_len,
				  SQLITE_STATIC);
	sqlite3_bind_text(s, 12, n->state, -1, SQLITE_STATIC);
	return store_sqlite_step(s);
}

static int store_sqlite_write(void *hv, const struct store_wbatch *b,
			      char *err, size_t errlen)
{
	struct sqlh *h = hv;
	int rc = store_sqlite_step(h->q[Q_BEGIN]);

	for (int i = 0; !rc && i < b->n_ranges; i++) {
		const struct storeseq *set = b->ranges[i].set;
		sqlite3_stmt *s = h->q[Q_RANGE_INS];

		sqlite3_bind_int64(h->q[Q_RANGE_DEL], 1,
				   (sqlite3_int64)b->ranges[i].node);
		rc = store_sqlite_step(h->q[Q_RANGE_DEL]);
		for (uint32_t k = 0; !rc && k < set->n; k++) {
			sqlite3_bind_int64(s, 1,
					   (sqlite3_int64)b->ranges[i].node);
			sqlite3_bind_int64(s, 2, (sqlite3_int64)set->v[k].lo);
			sqlite3_bind_int64(s, 3, (sqlite3_int64)set->v[k].hi);
			rc = store_sqlite_step(s);
		}
	}
	for (int i = 0; !rc && i < b->n_events; i++) {
		const struct store_event *e = &b->events[i];
		sqlite3_stmt *s = h->q[Q_EVENT_INS];

		sqlite3_bind_int64(s, 1, e->time_ms);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)e->node);
		sqlite3_bind_text(s, 3, store_ev_words[e->type], -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(s, 4, e->subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, e->text, -1, SQLITE_STATIC);
		rc = store_sqlite_step(s);
	}
	if (!rc)
		rc = store_sqlite_rows(h, b);
	for (int i = 0; !rc && i < b->n_outages; i++)
		rc = store_sqlite_outage_put(h->q[Q_OUT_PUT], &b->outages[i]);
	for (int i = 0; !rc && i < b->n_cover; i++)
		rc = store_sqlite_coverage_put(h->q[Q_COV_PUT], &b->cover[i]);
	for (int i = 0; !rc && i < b->n_nodes; i++)
		rc = store_sqlite_node(h, &b->nodes[i]);
	if (!rc)
		rc = store_sqlite_step(h->q[Q_COMMIT]);
	if (rc) {
		int e = store_sqlite_fail(h->db, rc, "commit", err, errlen);

		if (!sqlite3_get_autocommit(h->db))
			store_sqlite_step(h->q[Q_ROLLBACK]);
		return e;
	}
	return 0;
}

/*
 * Expiry of one series table, by node: the rows are keyed (node, t)
 * for the queries, with no index on time to keep up on every insert, so
 * each step goes on from the node where the last one stopped (a seek per
 * node), deletes that node's rows older than @before through the key, and
 * stops after @chunk rows or STORE_SQLITE_SWEEP nodes, all in one short
 * transaction.  A node with more than what is left of the chunk keeps the
 * cursor for the next step.
 */
#define STORE_SQLITE_SWEEP 512

static int store_sqlite_expire_series(struct sqlh *h, int tab,
				      long long before, int chunk,
				      uint64_t *deleted, bool *more)
{
	static const char *const names[2] = {"series_m", "series_h"};
	char sql_next[160], sql_del[320];
	sqlite3_stmt *next = NULL, *del = NULL;
	bool wrapped = false;
	uint64_t n = 0;
	int rc;

	snprintf(sql_next, sizeof(sql_next),
		 "SELECT node FROM %s WHERE node > ?1 ORDER BY node LIMIT 1",
		 names[tab]);
	snprintf(sql_del, sizeof(sql_del),
		 "DELETE FROM %s WHERE (node, t) IN (SELECT node, t FROM %s "
		 "WHERE node = ?1 AND t < ?2 LIMIT ?3)",
		 names[tab], names[tab]);
	rc = sqlite3_prepare_v2(h->db, sql_next, -1, &next, NULL);
	if (!rc)
		rc = sqlite3_prepare_v2(h->db, sql_del, -1, &del, NULL);
	if (!rc)
		rc = sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (int v = 0; !rc && v < STORE_SQLITE_SWEEP && n < (uint64_t)chunk;
	     v++) {
		sqlite3_int64 node;
		uint64_t got;

		sqlite3_bind_int64(next, 1, (sqlite3_int64)h->cursor[tab]);
		rc = sqlite3_step(next);
		node = rc == SQLITE_ROW ? sqlite3_column_int64(next, 0) : 0;
		sqlite3_reset(next);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
		rc = 0;
		if (!node) { /* the end: once round from the start */
			h->cursor[tab] = 0;
			if (wrapped)
				break;
			wrapped = true;
			continue;
		}
		sqlite3_bind_int64(del, 1, node);
		sqlite3_bind_int64(del, 2, before);
		sqlite3_bind_int64(del, 3, (sqlite3_int64)chunk - (sqlite3_int64)n);
		rc = store_sqlite_step(del);
		got = rc ? 0 : (uint64_t)sqlite3_changes(h->db);
		n += got;
		/* a node cut short by the chunk is gone on with next time */
		h->cursor[tab] = n >= (uint64_t)chunk ? (code_t)node - 1
						      : (code_t)node;
	}
	if (!rc)
		rc = sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
	else if (!sqlite3_get_autocommit(h->db))
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(next);
	sqlite3_finalize(del);
	if (rc)
		n = 0;
	*deleted += n;
	if (n >= (uint64_t)chunk)
		*more = true;
	return rc;
}

static int store_sqlite_expire(void *hv, long long keep_after_ms,
			       long long minutes_after_ms, int chunk,
			       uint64_t *deleted, bool *more, char *err,
			       size_t errlen)
{
	struct sqlh *h = hv;
	sqlite3_stmt *s = NULL;
	int rc;

	*deleted = 0;
	*more = false;
	/* events have their time index (the queries use it) */
	rc = sqlite3_prepare_v2(h->db,
				"DELETE FROM events WHERE id IN (SELECT id FROM "
				"events WHERE time_ms < ?1 ORDER BY time_ms "
				"LIMIT ?2)",
				-1, &s, NULL);
	if (!rc) {
		sqlite3_bind_int64(s, 1, keep_after_ms);
		sqlite3_bind_int(s, 2, chunk);
		rc = store_sqlite_step(s);
		if (!rc) {
			uint64_t n = (uint64_t)sqlite3_changes(h->db);

			*deleted += n;
			*more = n >= (uint64_t)chunk;
		}
	}
	sqlite3_finalize(s);
	if (!rc)
		rc = store_sqlite_verify_expire(h->db, keep_after_ms, chunk,
						deleted, more);
	for (int tab = 0; tab < 2 && !rc; tab++)
		rc = store_sqlite_expire_series(h, tab,
						tab == 0 ? minutes_after_ms
							 : keep_after_ms,
						chunk, deleted, more);
	if (rc)
		return store_sqlite_fail(h->db, rc, "expiry", err, errlen);
	return 0;
}

sqlite3 *store_sqlite_reader(void *hv)
{
	struct sqlh *h = hv;
	sqlite3 *db = NULL;

	pthread_mutex_lock(&h->pmu);
	if (h->npool)
		db = h->pool[--h->npool];
	pthread_mutex_unlock(&h->pmu);
	if (db)
		return db;
	if (sqlite3_open_v2(h->path, &db,
			    SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
			    NULL)) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

void store_sqlite_reader_done(void *hv, sqlite3 *db)
{
	struct sqlh *h = hv;

	pthread_mutex_lock(&h->pmu);
	if (h->npool < STORE_SQLITE_POOL) {
		h->pool[h->npool++] = db;
		db = NULL;
	}
	pthread_mutex_unlock(&h->pmu);
	sqlite3_close(db);
}

static uint64_t store_sqlite_size(void *hv)
{
	struct sqlh *h = hv;
	char wal[320];
	struct stat sb;
	uint64_t n = 0;

	if (stat(h->path, &sb) == 0)
		n += (uint64_t)sb.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", h->path);
	if (stat(wal, &sb) == 0)
		n += (uint64_t)sb.st_size;
	return n;
}

/* Every byte SQLite has allocated in the process: the page caches of the
 * write connection (cache_size above) and of the read connections, the
 * schemas and statements.  sqlite3_memory_used() is thread-safe. */
static uint64_t store_sqlite_mem(void *hv)
{
	(void)hv;
	return (uint64_t)sqlite3_memory_used();
}

const struct store_backend store_sqlite = {
	.name = "sqlite",
	.open = store_sqlite_open,
	.load = store_sqlite_load,
	.write = store_sqlite_write,
	.expire = store_sqlite_expire,
	.events = store_sqlite_events,
	.series = store_sqlite_series,
	.ranges = store_sqlite_ranges,
	.outages = store_sqlite_outages,
	.coverage = store_sqlite_coverage,
	.size = store_sqlite_size,
	.mem = store_sqlite_mem,
	.close = store_sqlite_close,
};

/* The write connection, for loading (before the writer starts). */
sqlite3 *store_sqlite_db(void *hv)
{
	return ((struct sqlh *)hv)->db;
}
