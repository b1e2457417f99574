// SPDX-License-Identifier: BSD-2-Clause
/*
 * The SQLite backend's verification tables (schema v3): outages, one row
 * per (root, opened_ms) written at the opening and replaced at the close,
 * and coverage, one row per (region, minute).  Writes bind the write
 * connection's statements (store_sqlite.c, the writer thread); queries run
 * on pooled read connections.  A row read back is outside input: a root
 * or node that is not a code, counts that do not parse, times the wrong
 * way round make the row skipped, never trusted.
 */
#include "collector/store/store_sqlite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Codes in text form: 12 digits each, one space between. */
#define CODE_TEXT (CODE_LEN + 1)

static bool store_sqlite_code_ok(code_t c)
{
	char buf[CODE_STRLEN], err[CODE_ERR_MAX];
	code_t back;

	return c > 0 && c <= 999999999999ULL &&
	       code_parse(code_format(c, buf), &back, err, sizeof(err)) == 0 &&
	       back == c;
}

int store_sqlite_outage_put(sqlite3_stmt *s, const struct store_outage *o)
{
	char cut[LEVEL_COUNT * 12], *nodes;
	size_t used = 0;
	int rc;

	nodes = malloc((size_t)o->n_nodes * CODE_TEXT + 1);
	if (!nodes)
		return SQLITE_NOMEM;
	nodes[0] = '\0';
	for (int i = 0; i < o->n_nodes; i++) {
		char cb[CODE_STRLEN];

		used += (size_t)sprintf(nodes + used, "%s%s", i ? " " : "",
					code_format(o->nodes[i], cb));
	}
	snprintf(cut, sizeof(cut), "%d %d %d %d %d", o->cut[0], o->cut[1],
		 o->cut[2], o->cut[3], o->cut[4]);
	sqlite3_bind_int64(s, 1, (sqlite3_int64)o->root);
	sqlite3_bind_int64(s, 2, o->opened_ms);
	sqlite3_bind_int64(s, 3, o->closed_ms);
	sqlite3_bind_text(s, 4, o->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, cut, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)o->subsumed_by);
	sqlite3_bind_text(s, 7, nodes, (int)used, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	free(nodes);
	return rc == SQLITE_DONE ? 0 : rc;
}

int store_sqlite_coverage_put(sqlite3_stmt *s,
			      const struct store_coverage_pt *p)
{
	int rc;

	sqlite3_bind_int64(s, 1, (sqlite3_int64)p->region);
	sqlite3_bind_int64(s, 2, p->t_ms);
	for (int l = 0; l < LEVEL_COUNT; l++) {
		sqlite3_bind_int(s, 3 + l, p->connected[l]);
		sqlite3_bind_int(s, 3 + LEVEL_COUNT + l, p->expected[l]);
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : rc;
}

/* One DELETE ... LIMIT chunk; adds to *deleted, sets *more when full. */
static int store_sqlite_delete(sqlite3 *db, const char *sql, long long before,
			       int chunk, uint64_t *deleted, bool *more)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	if (!rc) {
		sqlite3_bind_int64(s, 1, before);
		sqlite3_bind_int(s, 2, chunk);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE ? 0 : rc;
	}
	if (!rc) {
		uint64_t n = (uint64_t)sqlite3_changes(db);

		*deleted += n;
		if (n >= (uint64_t)chunk)
			*more = true;
	}
	sqlite3_finalize(s);
	return rc;
}

int store_sqlite_verify_expire(sqlite3 *db, long long before, int chunk,
			       uint64_t *deleted, bool *more)
{
	int rc = store_sqlite_delete(
		db,
		"DELETE FROM outages WHERE rowid IN (SELECT rowid FROM outages "
		"WHERE closed_ms > 0 AND closed_ms < ?1 LIMIT ?2)",
		before, chunk, deleted, more);

	if (!rc)
		rc = store_sqlite_delete(
			db,
			"DELETE FROM coverage WHERE rowid IN (SELECT rowid FROM "
			"coverage WHERE t < ?1 LIMIT ?2)",
			before, chunk, deleted, more);
	return rc;
}

/*
 * The row's nodes text into @v (grown as needed): 12-digit codes, one
 * space between, ascending.  The count, or -1 when it does not parse.
 */
static int store_sqlite_nodes(const char *t, int len, code_t **v, int *cap)
{
	int n = 0;

	if (len < 0 || (len && len % CODE_TEXT != CODE_LEN))
		return len == 0 ? 0 : -1;
	for (int i = 0; i < len; i += CODE_TEXT) {
		char one[CODE_STRLEN], err[CODE_ERR_MAX];
		code_t c;

		memcpy(one, t + i, CODE_LEN);
		one[CODE_LEN] = '\0';
		if ((i + CODE_LEN < len && t[i + CODE_LEN] != ' ') ||
		    code_parse(one, &c, err, sizeof(err)) ||
		    (n && c <= (*v)[n - 1]))
			return -1;
		if (n == *cap) {
			int nc = *cap ? 2 * *cap : 64;
			code_t *p = realloc(*v, (size_t)nc * sizeof(*p));

			if (!p)
				return -1;
			*v = p;
			*cap = nc;
		}
		(*v)[n++] = c;
	}
	return n;
}

int store_sqlite_outages(void *h, const struct store_outage_q *q,
			 store_outage_fn cb, void *arg)
{
	sqlite3 *db = store_sqlite_reader(h);
	sqlite3_stmt *s = NULL;
	code_t *nodes = NULL;
	int rc, cap = 0;

	if (!db)
		return -EIO;
	rc = sqlite3_prepare_v2(
		db,
		q->open_only
			? "SELECT root, opened_ms, closed_ms, state, cut, "
			  "subsumed_by, nodes FROM outages WHERE closed_ms = 0 "
			  "ORDER BY opened_ms DESC, root LIMIT ?2"
			: "SELECT root, opened_ms, closed_ms, state, cut, "
			  "subsumed_by, nodes FROM outages WHERE opened_ms >= "
			  "?1 OR closed_ms = 0 OR closed_ms >= ?1 ORDER BY "
			  "opened_ms DESC, root LIMIT ?2",
		-1, &s, NULL);
	if (rc == SQLITE_OK) {
		if (!q->open_only)
			sqlite3_bind_int64(s, 1, q->since_ms);
		sqlite3_bind_int(s, 2, q->limit > 0 ? q->limit : -1);
	}
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(s, 3),
			   *cut = (const char *)sqlite3_column_text(s, 4);
		struct store_outage o;
		int n, used = 0;

		rc = SQLITE_OK;
		memset(&o, 0, sizeof(o));
		o.root = (code_t)sqlite3_column_int64(s, 0);
		o.opened_ms = sqlite3_column_int64(s, 1);
		o.closed_ms = sqlite3_column_int64(s, 2);
		o.subsumed_by = (code_t)sqlite3_column_int64(s, 5);
		n = store_sqlite_nodes((const char *)sqlite3_column_text(s, 6),
				       sqlite3_column_bytes(s, 6), &nodes,
				       &cap);
		if (!state || !cut || strlen(state) >= sizeof(o.state) ||
		    sscanf(cut, "%d %d %d %d %d%n", &o.cut[0], &o.cut[1],
			   &o.cut[2], &o.cut[3], &o.cut[4], &used) != 5 ||
		    cut[used] || n < 0 || !store_sqlite_code_ok(o.root) ||
		    (o.subsumed_by && !store_sqlite_code_ok(o.subsumed_by)) ||
		    o.opened_ms <= 0 ||
		    (o.closed_ms && o.closed_ms < o.opened_ms))
			continue; /* not trusted */
		memcpy(o.state, state, strlen(state) + 1);
		o.nodes = nodes;
		o.n_nodes = n;
		rc = cb(arg, &o);
		if (rc) {
			sqlite3_finalize(s);
			store_sqlite_reader_done(h, db);
			free(nodes);
			return rc;
		}
	}
	sqlite3_finalize(s);
	store_sqlite_reader_done(h, db);
	free(nodes);
	return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}

int store_sqlite_coverage(void *h, code_t region, long long since_ms,
			  long long until_ms, int limit, store_coverage_fn cb,
			  void *arg)
{
	sqlite3 *db = store_sqlite_reader(h);
	sqlite3_stmt *s = NULL;
	int rc;

	if (!db)
		return -EIO;
	rc = sqlite3_prepare_v2(db,
				"SELECT t, c0, c1, c2, c3, c4, e0, e1, e2, e3, "
				"e4 FROM coverage WHERE region = ?1 AND t >= ?2 "
				"AND t < ?3 ORDER BY t LIMIT ?4",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)region);
		sqlite3_bind_int64(s, 2, since_ms);
		sqlite3_bind_int64(s, 3, until_ms ? until_ms : INT64_MAX);
		sqlite3_bind_int(s, 4, limit > 0 ? limit : -1);
	}
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_coverage_pt p;
		bool ok = true;

		rc = SQLITE_OK;
		memset(&p, 0, sizeof(p));
		p.region = region;
		p.t_ms = sqlite3_column_int64(s, 0);
		for (int l = 0; l < LEVEL_COUNT; l++) {
			p.connected[l] = sqlite3_column_int(s, 1 + l);
			p.expected[l] = sqlite3_column_int(s, 1 + LEVEL_COUNT + l);
			if (p.connected[l] < 0 || p.expected[l] < 0 ||
			    p.connected[l] > p.expected[l])
				ok = false;
		}
		if (!ok)
			continue;
		rc = cb(arg, &p);
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
