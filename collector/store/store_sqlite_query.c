// SPDX-License-Identifier: BSD-2-Clause
/*
 * The SQLite backend's reads: loading at open (on the write connection,
 * before the writer starts) and the queries (on pooled read connections,
 * any thread).  What comes back from the database is outside input: text
 * is copied bounded, an event of an unknown type is skipped.
 */
#include "collector/store/store_sqlite.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void store_sqlite_text(sqlite3_stmt *s, int col, char *buf,
			      size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(buf, size, "%s", t ? (const char *)t : "");
}

int store_sqlite_load(void *h, store_load_node_fn node_fn,
		      store_load_range_fn range_fn, void *arg, char *err,
		      size_t errlen)
{
	sqlite3 *db = store_sqlite_db(h);
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db,
				"SELECT node, last_seq, last_ms, agent_ms, "
				"uptime_s, apply, drift, profile, "
				"profile_version, profile_hash, json, state "
				"FROM nodes ORDER BY node",
				-1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_node_info n;
		int apply = sqlite3_column_int(s, 5);

		memset(&n, 0, sizeof(n));
		n.node = (code_t)sqlite3_column_int64(s, 0);
		n.last_seq = (uint64_t)sqlite3_column_int64(s, 1);
		n.last_ms = sqlite3_column_int64(s, 2);
		n.agent_ms = sqlite3_column_int64(s, 3);
		n.uptime_s = sqlite3_column_int64(s, 4);
		n.apply = apply >= 0 && apply < RPT_APPLY__N ? apply : 0;
		n.drift = sqlite3_column_int(s, 6) != 0;
		store_sqlite_text(s, 7, n.profile, sizeof(n.profile));
		store_sqlite_text(s, 8, n.profile_version,
				  sizeof(n.profile_version));
		store_sqlite_text(s, 9, n.profile_hash, sizeof(n.profile_hash));
		rc = node_fn(arg, &n, sqlite3_column_blob(s, 10),
			     (size_t)sqlite3_column_bytes(s, 10),
			     (const char *)sqlite3_column_text(s, 11));
		if (rc) {
			sqlite3_finalize(s);
			snprintf(err, errlen, "store: loading nodes: %s",
				 strerror(-rc));
			return rc;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_DONE)
		goto fail;
	rc = sqlite3_prepare_v2(db,
				"SELECT node, lo, hi FROM seq_ranges ORDER BY "
				"node, lo",
				-1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		rc = range_fn(arg, (code_t)sqlite3_column_int64(s, 0),
			      (uint64_t)sqlite3_column_int64(s, 1),
			      (uint64_t)sqlite3_column_int64(s, 2));
		if (rc) {
			sqlite3_finalize(s);
			snprintf(err, errlen, "store: loading ranges: %s",
				 strerror(-rc));
			return rc;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
fail:
	snprintf(err, errlen, "store: loading: %s", sqlite3_errmsg(db));
	return store_sqlite_errno(rc) ? store_sqlite_errno(rc) : -EIO;
}

static int store_sqlite_ev_type(const char *w)
{
	for (int i = 0; i < STORE_EV__N; i++)
		if (w && strcmp(store_ev_words[i], w) == 0)
			return i;
	return -1;
}

int store_sqlite_events(void *h, const struct store_event_q *q,
			store_event_fn cb, void *arg)
{
	char sql[512];
	sqlite3 *db = store_sqlite_reader(h);
	sqlite3_stmt *s = NULL;
	int rc;

	if (!db)
		return -EIO;
	if (q->type >= STORE_EV__N) {
		store_sqlite_reader_done(h, db);
		return -EINVAL;
	}
	snprintf(sql, sizeof(sql),
		 "SELECT time_ms, node, type, subject, text FROM events WHERE "
		 "time_ms >= ?1%s%s%s ORDER BY time_ms %s, id %s LIMIT ?5",
		 q->until_ms ? " AND time_ms < ?2" : "",
		 q->node ? " AND node = ?3" : "", q->type >= 0 ? " AND type = ?4" : "",
		 q->oldest_first ? "ASC" : "DESC",
		 q->oldest_first ? "ASC" : "DESC");
	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, q->since_ms);
		if (q->until_ms)
			sqlite3_bind_int64(s, 2, q->until_ms);
		if (q->node)
			sqlite3_bind_int64(s, 3, (sqlite3_int64)q->node);
		if (q->type >= 0)
			sqlite3_bind_text(s, 4, store_ev_words[q->type], -1,
					  SQLITE_STATIC);
		sqlite3_bind_int(s, 5, q->limit > 0 ? q->limit : -1);
	}
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_event e;
		int t = store_sqlite_ev_type(
			(const char *)sqlite3_column_text(s, 2));

		rc = SQLITE_OK;
		if (t < 0)
			continue;
		e.time_ms = sqlite3_column_int64(s, 0);
		e.node = (code_t)sqlite3_column_int64(s, 1);
		e.type = t;
		store_sqlite_text(s, 3, e.subject, sizeof(e.subject));
		store_sqlite_text(s, 4, e.text, sizeof(e.text));
		rc = cb(arg, &e);
		if (rc) {
			sqlite3_finalize(s);
			store_sqlite_reader_done(h, db);
			return rc;
		}
	}
	sqlite3_finalize(s);
	store_sqlite_reader_done(h, db);
	return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}

int store_sqlite_ranges(void *h, code_t node, store_range_fn cb, void *arg)
{
	sqlite3 *db = store_sqlite_reader(h);
	sqlite3_stmt *s = NULL;
	int rc;

	if (!db)
		return -EIO;
	rc = sqlite3_prepare_v2(db,
				"SELECT lo, hi FROM seq_ranges WHERE node = ?1 "
				"ORDER BY lo",
				-1, &s, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(s, 1, (sqlite3_int64)node);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		rc = cb(arg, (uint64_t)sqlite3_column_int64(s, 0),
			(uint64_t)sqlite3_column_int64(s, 1));
		if (rc) {
			sqlite3_finalize(s);
			store_sqlite_reader_done(h, db);
			return rc;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	store_sqlite_reader_done(h, db);
	return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}
