/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside the SQLite backend: what store_sqlite.c (schema, writes, expiry)
 * and store_sqlite_query.c (loading and queries) share.
 */
#ifndef EGNET_STORE_SQLITE_H
#define EGNET_STORE_SQLITE_H

#include <pthread.h>
#include <sqlite3.h>

#include "collector/store/store_backend.h"

#define STORE_SQLITE_POOL 4 /* read connections kept open */

/* SQLite's result code as a negative errno (0 for OK, ROW, DONE). */
int store_sqlite_errno(int rc);

/* A read connection from the pool (or a new one), NULL when it cannot
 * be opened; give it back with store_sqlite_reader_done(). */
sqlite3 *store_sqlite_reader(void *h);
void store_sqlite_reader_done(void *h, sqlite3 *db);

/* The write connection (loading, before the writer thread starts). */
sqlite3 *store_sqlite_db(void *h);

int store_sqlite_load(void *h, store_load_node_fn node_fn,
		      store_load_range_fn range_fn, void *arg, char *err,
		      size_t errlen);
int store_sqlite_events(void *h, const struct store_event_q *q,
			store_event_fn cb, void *arg);
int store_sqlite_series(void *h, code_t node, long long since_ms,
			long long until_ms, bool hourly, store_series_fn cb,
			void *arg);
/*
 * Write node @node's rows of the period @t (all of one period: minute or
 * hour, rows[0].hourly says which; @rows is sorted and folded in place)
 * as one packed row, merged into the row already there; through the
 * write connection's statements of store_sqlite.c (insert-or-nothing,
 * get, update).  An SQLite result code (0: done).
 */
int store_sqlite_series_put(sqlite3 *db, sqlite3_stmt *ins, sqlite3_stmt *get,
			    sqlite3_stmt *upd, code_t node, long long t,
			    struct store_series_row *rows, int n);

/* The v1 -> v2 conversion of the series (in the migration's
 * transaction); an SQLite result code. */
int store_sqlite_v2(sqlite3 *db);

/* store_sqlite_verify.c: outages and coverage (v3).  The puts bind and
 * step a write statement (an SQLite result code); expiry deletes at most
 * @chunk rows of each table older than @before (closed outages only). */
int store_sqlite_outage_put(sqlite3_stmt *s, const struct store_outage *o);
int store_sqlite_coverage_put(sqlite3_stmt *s,
			      const struct store_coverage_pt *p);
int store_sqlite_verify_expire(sqlite3 *db, long long before, int chunk,
			       uint64_t *deleted, bool *more);
int store_sqlite_outages(void *h, const struct store_outage_q *q,
			 store_outage_fn cb, void *arg);
int store_sqlite_coverage(void *h, code_t region, long long since_ms,
			  long long until_ms, int limit, store_coverage_fn cb,
			  void *arg);

int store_sqlite_ranges(void *h, code_t node, store_range_fn cb, void *arg);

#endif
