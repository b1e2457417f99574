// SPDX-License-Identifier: BSD-2-Clause
/*
 * The SQLite backend's series (schema v2): one row per node and period,
 * its links' and targets' figures packed in a blob (storepack.h), in
 * series_m (minutes) and series_h (hours), keyed (node, t).  Here: writing
 * one period of a node (insert, or merge into the row already there), the
 * query, and the v1 -> v2 conversion of the per-key tables.  A blob read
 * back that does not decode is outside input gone wrong: the query skips
 * it, a merge replaces it with the new figures (rather than failing every
 * later batch on it).  SQLite result codes are returned as they are.
 */
#include "collector/store/store_sqlite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/store/storepack.h"

static int store_sqlite_step1(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : rc;
}

int store_sqlite_series_put(sqlite3 *db, sqlite3_stmt *ins, sqlite3_stmt *get,
			    sqlite3_stmt *upd, code_t node, long long t,
			    struct store_series_row *rows, int n)
{
	struct store_series_row *old = NULL, *all = NULL;
	uint8_t *blob = NULL;
	size_t len = 0;
	int rc, n_old = 0, n_all = 0;

	n = storepack_sort(rows, n);
	if (storepack_encode(rows, n, &blob, &len))
		return SQLITE_NOMEM;
	sqlite3_bind_int64(ins, 1, (sqlite3_int64)node);
	sqlite3_bind_int64(ins, 2, t);
	sqlite3_bind_blob(ins, 3, blob, (int)len, SQLITE_STATIC);
	rc = store_sqlite_step1(ins);
	if (rc || sqlite3_changes(db) == 1) {
		free(blob);
		return rc;
	}
	/* the period has a row: merge into it */
	sqlite3_bind_int64(get, 1, (sqlite3_int64)node);
	sqlite3_bind_int64(get, 2, t);
	rc = sqlite3_step(get);
	if (rc == SQLITE_ROW) {
		/* a blob that does not decode is replaced by this one: the
		 * new figures are kept rather than the batch refused */
		if (storepack_decode(sqlite3_column_blob(get, 0),
				     (size_t)sqlite3_column_bytes(get, 0), t,
				     rows[0].hourly, &old, &n_old) == -ENOMEM)
			rc = SQLITE_NOMEM;
		else
			rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	}
	sqlite3_reset(get);
	sqlite3_clear_bindings(get);
	if (!rc && storepack_merge(old, n_old, rows, n, &all, &n_all))
		rc = SQLITE_NOMEM;
	if (!rc) {
		free(blob);
		blob = NULL;
		if (storepack_encode(all, n_all, &blob, &len))
			rc = SQLITE_NOMEM;
	}
	if (!rc) {
		sqlite3_bind_int64(upd, 1, (sqlite3_int64)node);
		sqlite3_bind_int64(upd, 2, t);
		sqlite3_bind_blob(upd, 3, blob, (int)len, SQLITE_STATIC);
		rc = store_sqlite_step1(upd);
	}
	free(old);
	free(all);
	free(blob);
	return rc;
}

int store_sqlite_series(void *h, code_t node, long long since_ms,
			long long until_ms, bool hourly, store_series_fn cb,
			void *arg)
{
	sqlite3 *db = store_sqlite_reader(h);
	sqlite3_stmt *s = NULL;
	int rc;

	if (!db)
		return -EIO;
	rc = sqlite3_prepare_v2(db,
				hourly ? "SELECT t, v FROM series_h WHERE node = "
					 "?1 AND t >= ?2 AND t < ?3 ORDER BY t"
				       : "SELECT t, v FROM series_m WHERE node = "
					 "?1 AND t >= ?2 AND t < ?3 ORDER BY t",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)node);
		sqlite3_bind_int64(s, 2, since_ms);
		sqlite3_bind_int64(s, 3, until_ms);
	}
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_series_row *v;
		int n, e;

		rc = SQLITE_OK;
		e = storepack_decode(sqlite3_column_blob(s, 1),
				     (size_t)sqlite3_column_bytes(s, 1),
				     sqlite3_column_int64(s, 0), hourly, &v, &n);
		if (e == -ENOMEM) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (e) /* damaged: skipped, never trusted */
			continue;
		for (int i = 0; i < n && !e; i++)
			e = cb(arg, &v[i]);
		free(v);
		if (e) {
			sqlite3_finalize(s);
			store_sqlite_reader_done(h, db);
			return e;
		}
	}
	sqlite3_finalize(s);
	store_sqlite_reader_done(h, db);
	return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}

/*
 * v1 -> v2: the per-key rows of each period, read in (node, t, kind, key)
 * order, packed a node and period at a time into the new tables; then the
 * v1 tables dropped.  In the migration's transaction: all or nothing.
 */
static int store_sqlite_v2_tab(sqlite3 *db, const char *sfx)
{
	char sql[1024];
	sqlite3_stmt *s = NULL, *ins = NULL, *get = NULL, *upd = NULL;
	struct store_series_row *rows = NULL;
	int rc, n = 0, cap = 0;
	sqlite3_int64 node = 0, t = 0;
	bool hourly = sfx[0] != '\0';
	const char *tab = hourly ? "series_h" : "series_m";

	snprintf(sql, sizeof(sql),
		 "SELECT node, t, 0, link, rx_bytes, tx_bytes, rx_bps, tx_bps, "
		 "-1, -1, -1, -1, -1, n, 0, 0 FROM series_link%s UNION ALL "
		 "SELECT node, t, 1, target, 0, 0, 0, 0, rtt_avg, rtt_min, "
		 "rtt_max, loss, jitter, n, n_rtt, n_jit FROM series_target%s "
		 "ORDER BY 1, 2, 3, 4",
		 sfx, sfx);
	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	snprintf(sql, sizeof(sql), "INSERT INTO %s(node, t, v) VALUES(?1, ?2, "
		 "?3) ON CONFLICT DO NOTHING", tab);
	if (!rc)
		rc = sqlite3_prepare_v2(db, sql, -1, &ins, NULL);
	snprintf(sql, sizeof(sql), "SELECT v FROM %s WHERE node = ?1 AND t = "
		 "?2", tab);
	if (!rc)
		rc = sqlite3_prepare_v2(db, sql, -1, &get, NULL);
	snprintf(sql, sizeof(sql), "UPDATE %s SET v = ?3 WHERE node = ?1 AND "
		 "t = ?2", tab);
	if (!rc)
		rc = sqlite3_prepare_v2(db, sql, -1, &upd, NULL);
	for (;;) {
		struct store_series_row *r;
		int st = rc ? rc : sqlite3_step(s);
		bool row = st == SQLITE_ROW;

		if (!row && st != SQLITE_DONE) {
			rc = st;
			break;
		}
		if (n && (!row || sqlite3_column_int64(s, 0) != node ||
			  sqlite3_column_int64(s, 1) != t ||
			  n == STOREPACK_MAX_ROWS)) {
			rc = store_sqlite_series_put(db, ins, get, upd,
						     (code_t)node, t, rows, n);
			n = 0;
			if (rc)
				break;
		}
		if (!row)
			break;
		if (n == cap) {
			void *p = realloc(rows, (size_t)(cap ? 2 * cap : 64) *
							sizeof(*rows));

			if (!p) {
				rc = SQLITE_NOMEM;
				break;
			}
			rows = p;
			cap = cap ? 2 * cap : 64;
		}
		node = sqlite3_column_int64(s, 0);
		t = sqlite3_column_int64(s, 1);
		r = &rows[n];
		memset(r, 0, sizeof(*r));
		r->kind = sqlite3_column_int(s, 2) ? STORE_SERIES_TARGET
						   : STORE_SERIES_LINK;
		snprintf(r->key, sizeof(r->key), "%s",
			 sqlite3_column_text(s, 3)
				 ? (const char *)sqlite3_column_text(s, 3)
				 : "");
		r->t_ms = t;
		r->hourly = hourly;
		r->rx_bytes = (uint64_t)sqlite3_column_int64(s, 4);
		r->tx_bytes = (uint64_t)sqlite3_column_int64(s, 5);
		r->rx_bps = sqlite3_column_double(s, 6);
		r->tx_bps = sqlite3_column_double(s, 7);
		r->rtt_avg = sqlite3_column_double(s, 8);
		r->rtt_min = sqlite3_column_double(s, 9);
		r->rtt_max = sqlite3_column_double(s, 10);
		r->loss_pct = sqlite3_column_double(s, 11);
		r->jitter_avg = sqlite3_column_double(s, 12);
		r->samples = (uint32_t)sqlite3_column_int64(s, 13);
		r->rtt_samples = (uint32_t)sqlite3_column_int64(s, 14);
		r->jitter_samples = (uint32_t)sqlite3_column_int64(s, 15);
		/* a key that cannot be packed (a damaged v1 row) is left
		 * behind rather than failing the migration */
		if (r->key[0] == '\0' ||
		    (r->kind == STORE_SERIES_TARGET &&
		     strspn(r->key, "0123456789") != strlen(r->key)))
			continue;
		n++;
	}
	free(rows);
	sqlite3_finalize(s);
	sqlite3_finalize(ins);
	sqlite3_finalize(get);
	sqlite3_finalize(upd);
	return rc;
}

int store_sqlite_v2(sqlite3 *db)
{
	int rc = store_sqlite_v2_tab(db, "");

	if (!rc)
		rc = store_sqlite_v2_tab(db, "_h");
	if (!rc)
		rc = sqlite3_exec(db,
				  "DROP TABLE series_link; DROP TABLE "
				  "series_link_h; DROP TABLE series_target; "
				  "DROP TABLE series_target_h;",
				  NULL, NULL, NULL);
	return rc;
}
