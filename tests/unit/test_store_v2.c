// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the store's schema v2 (one series row per node and period,
 * collector/store/storepack.h): a v1 database made by SQL (the v1 schema
 * and per-key rows of two nodes, minutes and hours, a target never
 * measured in one minute) opened by the store: migrated to v2 in place,
 * the v1 tables gone, one row per node and period, and store_series()
 * giving back every v1 row field by field; a late report of a minute
 * already written merged into its row (sums add, means weighted); a
 * damaged blob skipped by the query and replaced by the next write; and
 * storepack's decoder refusing truncated, oversized and wrong blobs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "collector/store/store.h"
#include "collector/store/storepack.h"

#include "tests/unit/reports.h"
#include "tests/unit/scratch.h"

#define NODE_A 210102000000ULL
#define NODE_B 210103000000ULL
#define T0     (1767225600000LL)
#define DAY    86400000LL

static long long fake_now;
static struct report rep;

static long long fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static struct store *open_store(void)
{
	struct store_opts o;
	struct store *st = NULL;
	char err[256] = "";

	store_opts_default(&o, dir);
	o.clock_ms = fake_clock;
	o.flush_ms = 50;
	if (store_open(&st, &o, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	return st;
}

static void exec_sql(const char *sql)
{
	char path[128];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/egnet.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static long long query_int(const char *sql)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	snprintf(path, sizeof(path), "%s/egnet.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* The v1 schema, as the v1 collector made it. */
static const char v1_schema[] =
	"CREATE TABLE schema_version(version INTEGER NOT NULL);"
	"INSERT INTO schema_version VALUES(1);"
	"CREATE TABLE seq_ranges(node INTEGER NOT NULL, lo INTEGER NOT NULL, "
	"hi INTEGER NOT NULL, PRIMARY KEY(node, lo)) WITHOUT ROWID;"
	"CREATE TABLE events(id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, "
	"node INTEGER NOT NULL, type TEXT NOT NULL, subject TEXT NOT NULL, "
	"text TEXT NOT NULL);"
	"CREATE INDEX events_time ON events(time_ms);"
	"CREATE INDEX events_node ON events(node, time_ms);"
	"CREATE TABLE nodes(node INTEGER PRIMARY KEY, last_seq INTEGER, last_ms "
	"INTEGER, agent_ms INTEGER, uptime_s INTEGER, apply INTEGER, drift "
	"INTEGER, profile TEXT, profile_version TEXT, profile_hash TEXT, json "
	"BLOB, state TEXT);"
	"CREATE TABLE series_link(node INTEGER, link TEXT, t INTEGER, rx_bytes "
	"INTEGER, tx_bytes INTEGER, rx_bps REAL, tx_bps REAL, n INTEGER, "
	"PRIMARY KEY(node, t, link)) WITHOUT ROWID;"
	"CREATE TABLE series_link_h(node INTEGER, link TEXT, t INTEGER, "
	"rx_bytes INTEGER, tx_bytes INTEGER, rx_bps REAL, tx_bps REAL, n "
	"INTEGER, PRIMARY KEY(node, t, link)) WITHOUT ROWID;"
	"CREATE TABLE series_target(node INTEGER, target TEXT, t INTEGER, "
	"rtt_avg REAL, rtt_min REAL, rtt_max REAL, loss REAL, jitter REAL, n "
	"INTEGER, n_rtt INTEGER, n_jit INTEGER, PRIMARY KEY(node, t, target)) "
	"WITHOUT ROWID;"
	"CREATE TABLE series_target_h(node INTEGER, target TEXT, t INTEGER, "
	"rtt_avg REAL, rtt_min REAL, rtt_max REAL, loss REAL, jitter REAL, n "
	"INTEGER, n_rtt INTEGER, n_jit INTEGER, PRIMARY KEY(node, t, target)) "
	"WITHOUT ROWID;";

struct got {
	int n;
	struct store_series_row r[64];
};

static int got_cb(void *arg, const struct store_series_row *r)
{
	struct got *g = arg;

	if (g->n < 64)
		g->r[g->n] = *r;
	g->n++;
	return 0;
}

/* Node @node's v1 rows: for minutes 0..2 links "down1", "uplink" and
 * targets; minute 1's second target never measured. */
static void v1_rows(code_t node, int k)
{
	char sql[1024];

	for (int m = 0; m < 3; m++) {
		long long t = T0 + m * 60000LL;

		snprintf(sql, sizeof(sql),
			 "INSERT INTO series_link VALUES(%llu, 'uplink', %lld, "
			 "%d, %d, %d.5, %d.25, 3);"
			 "INSERT INTO series_link VALUES(%llu, 'down1', %lld, "
			 "%d, %d, 0, 0, 3);"
			 "INSERT INTO series_target VALUES(%llu, '210100000000', "
			 "%lld, %d.5, 1.0, 9.0, 0.5, 0.75, 3, 3, 2);"
			 "INSERT INTO series_target VALUES(%llu, '210102001000', "
			 "%lld, %s);",
			 (unsigned long long)node, t, 1000 * (m + k), 100 * m,
			 m + 7, m + k, (unsigned long long)node, t, 5 * m,
			 6 * m, (unsigned long long)node, t, m + 2,
			 (unsigned long long)node, t,
			 m == 1 ? "-1, -1, -1, 100, -1, 2, 0, 0"
				: "4.0, 3.0, 5.0, 0, 0.5, 2, 1, 1");
		exec_sql(sql);
	}
	snprintf(sql, sizeof(sql),
		 "INSERT INTO series_link_h VALUES(%llu, 'uplink', %lld, %d, "
		 "300, 8.5, 1.25, 9);"
		 "INSERT INTO series_target_h VALUES(%llu, '210100000000', "
		 "%lld, 3.5, 1.0, 9.0, 0.5, 0.75, 9, 9, 6);",
		 (unsigned long long)node, T0, 3000 + k,
		 (unsigned long long)node, T0);
	exec_sql(sql);
}

/* The v1 row of (table, node, t, key) as store_series gives it. */
static void expect_v1(const struct store_series_row *r, code_t node)
{
	char sql[400];
	const char *tab = r->kind == STORE_SERIES_LINK
				  ? (r->hourly ? "series_link_h" : "series_link")
				  : (r->hourly ? "series_target_h"
					       : "series_target");
	const char *col = r->kind == STORE_SERIES_LINK ? "link" : "target";
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *s;

	snprintf(path, sizeof(path), "%s/v1.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql),
		 r->kind == STORE_SERIES_LINK
			 ? "SELECT rx_bytes, tx_bytes, rx_bps, tx_bps, n FROM %s "
			   "WHERE node = %llu AND t = %lld AND %s = '%s'"
			 : "SELECT rtt_avg, rtt_min, rtt_max, loss, jitter, n, "
			   "n_rtt, n_jit FROM %s WHERE node = %llu AND t = %lld "
			   "AND %s = '%s'",
		 tab, (unsigned long long)node, r->t_ms, col, r->key);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	if (r->kind == STORE_SERIES_LINK) {
		assert_int_equal(r->rx_bytes, sqlite3_column_int64(s, 0));
		assert_int_equal(r->tx_bytes, sqlite3_column_int64(s, 1));
		assert_true(r->rx_bps == sqlite3_column_double(s, 2));
		assert_true(r->tx_bps == sqlite3_column_double(s, 3));
		assert_int_equal(r->samples, sqlite3_column_int64(s, 4));
	} else {
		assert_int_equal(r->samples, sqlite3_column_int64(s, 5));
		assert_int_equal(r->rtt_samples, sqlite3_column_int64(s, 6));
		assert_int_equal(r->jitter_samples, sqlite3_column_int64(s, 7));
		assert_true(r->loss_pct == sqlite3_column_double(s, 3));
		if (r->rtt_samples) {
			assert_true(r->rtt_avg == sqlite3_column_double(s, 0));
			assert_true(r->rtt_min == sqlite3_column_double(s, 1));
			assert_true(r->rtt_max == sqlite3_column_double(s, 2));
		} else {
			assert_true(r->rtt_avg < 0 && r->rtt_min < 0 &&
				    r->rtt_max < 0);
		}
		if (r->jitter_samples)
			assert_true(r->jitter_avg == sqlite3_column_double(s, 4));
		else
			assert_true(r->jitter_avg < 0);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void test_migrate_v1(void **state)
{
	char v1[160];
	struct store *st;
	struct got g = {0};

	(void)state;
	exec_sql(v1_schema);
	v1_rows(NODE_A, 0);
	v1_rows(NODE_B, 5);
	/* a copy of the v1 database to compare with */
	snprintf(v1, sizeof(v1), "VACUUM INTO '%s/v1.db'", dir);
	exec_sql(v1);
	fake_now = T0 + 3600000;
	st = open_store();
	store_close(st);
	/* migrated through v2 to the current version (v3 adds tables) */
	assert_int_equal(query_int("SELECT version FROM schema_version"), 3);
	assert_int_equal(query_int("SELECT count(*) FROM sqlite_master WHERE "
				   "name LIKE 'series_link%' OR name LIKE "
				   "'series_target%'"), 0);
	/* a row per node and minute, per node and hour */
	assert_int_equal(query_int("SELECT count(*) FROM series_m"), 6);
	assert_int_equal(query_int("SELECT count(*) FROM series_h"), 2);

	st = open_store();
	assert_int_equal(store_series(st, NODE_A, T0, T0 + DAY, got_cb, &g), 0);
	assert_int_equal(g.n, 3 * 4);
	for (int i = 0; i < g.n; i++) {
		assert_false(g.r[i].hourly);
		assert_int_equal(g.r[i].t_ms, T0 + (i / 4) * 60000LL);
		expect_v1(&g.r[i], NODE_A);
	}
	/* the v1 order: by time, links before targets, by key */
	assert_string_equal(g.r[0].key, "down1");
	assert_string_equal(g.r[1].key, "uplink");
	assert_string_equal(g.r[2].key, "210100000000");
	assert_string_equal(g.r[3].key, "210102001000");
	assert_int_equal(g.r[5 + 2].rtt_samples, 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(store_series(st, NODE_B, T0, T0 + 3 * DAY, got_cb, &g),
			 0);
	assert_int_equal(g.n, 2);
	for (int i = 0; i < g.n; i++) {
		assert_true(g.r[i].hourly);
		expect_v1(&g.r[i], NODE_B);
	}
	store_close(st);
}

static void put_at(struct store *st, uint64_t seq, long long t, double rtt)
{
	rpt_base(&rep, NODE_A, seq, t);
	rpt_link(&rep, 0, "uplink", RPT_OPER_UP, seq * 1000, seq * 100);
	rpt_target(&rep, 0, code_parent(NODE_A), RPT_OPER_UP, rtt, 0);
	assert_int_equal(store_put(st, &rep, "{}", 2, NULL, NULL), STORE_OK);
	assert_int_equal(store_sync(st), 0);
}

/* A report of a minute already written (an agent's clock went back after
 * a restart of the collector) is merged into its row. */
static void test_merge_late(void **state)
{
	struct store *st;
	struct got g = {0};

	(void)state;
	fake_now = T0;
	st = open_store();
	put_at(st, 1, T0 + 1000, 2.0);
	put_at(st, 2, T0 + 2000, 4.0);
	store_close(st); /* minute 0 written: rx 1000, rtt mean 3 of 2 */
	st = open_store();
	put_at(st, 3, T0 + 3000, 9.0);
	store_close(st);
	assert_int_equal(query_int("SELECT count(*) FROM series_m"), 1);
	st = open_store();
	assert_int_equal(store_series(st, NODE_A, T0, T0 + DAY, got_cb, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].kind, STORE_SERIES_LINK);
	assert_int_equal(g.r[0].rx_bytes, 2000);
	assert_int_equal(g.r[0].samples, 3);
	assert_int_equal(g.r[1].samples, 3);
	assert_int_equal(g.r[1].rtt_samples, 3);
	assert_float_equal(g.r[1].rtt_avg, 5.0, 1e-9);
	assert_float_equal(g.r[1].rtt_min, 2.0, 1e-6);
	assert_float_equal(g.r[1].rtt_max, 9.0, 1e-6);
	store_close(st);
}

/* A damaged blob is skipped by the query, the other rows are read, and
 * the next write of that period replaces it. */
static void test_damaged_blob(void **state)
{
	struct store *st;
	struct got g = {0};

	(void)state;
	fake_now = T0;
	st = open_store();
	put_at(st, 1, T0 + 1000, 2.0);
	put_at(st, 2, T0 + 61000, 2.0);
	store_close(st);
	exec_sql("UPDATE series_m SET v = x'01ff' WHERE t = 1767225600000");
	st = open_store();
	assert_int_equal(store_series(st, NODE_A, T0, T0 + DAY, got_cb, &g), 0);
	assert_int_equal(g.n, 2); /* minute 1 only */
	assert_int_equal(g.r[0].t_ms, T0 + 60000);
	put_at(st, 3, T0 + 2000, 2.0);
	store_close(st);
	memset(&g, 0, sizeof(g));
	st = open_store();
	assert_int_equal(store_series(st, NODE_A, T0, T0 + DAY, got_cb, &g), 0);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.r[0].t_ms, T0);
	assert_int_equal(g.r[0].samples, 1);
	store_close(st);
}

static void test_pack_hostile(void **state)
{
	struct store_series_row in[3], *out = NULL;
	uint8_t *blob = NULL, big[64];
	size_t len = 0;
	int n = 0;

	(void)state;
	memset(in, 0, sizeof(in));
	in[0].kind = STORE_SERIES_TARGET;
	snprintf(in[0].key, sizeof(in[0].key), "210100000000");
	in[0].samples = 2;
	in[0].rtt_samples = 1;
	in[0].rtt_avg = 3;
	in[1].kind = STORE_SERIES_LINK;
	snprintf(in[1].key, sizeof(in[1].key), "uplink");
	in[1].rx_bytes = 1ULL << 40;
	in[1].samples = 1;
	in[2] = in[1];
	assert_int_equal(storepack_sort(in, 3), 2); /* the two uplinks folded */
	assert_int_equal(in[0].kind, STORE_SERIES_LINK);
	assert_int_equal(in[0].rx_bytes, 2ULL << 40);
	assert_int_equal(storepack_encode(in, 2, &blob, &len), 0);
	assert_int_equal(storepack_decode(blob, len, T0, false, &out, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].rx_bytes, 2ULL << 40);
	assert_true(out[0].rtt_avg < 0);
	assert_true(out[1].rtt_avg == 3);
	assert_true(out[1].jitter_avg < 0);
	free(out);
	/* every truncation is refused, and a byte more */
	for (size_t k = 0; k < len; k++)
		assert_int_equal(storepack_decode(blob, k, T0, false, &out, &n),
				 -EBADMSG);
	memset(big, 0, sizeof(big));
	memcpy(big, blob, len);
	assert_int_equal(storepack_decode(big, len + 1, T0, false, &out, &n),
			 -EBADMSG);
	/* a wrong version, a count past the bound, an unknown kind */
	big[0] = 2;
	assert_int_equal(storepack_decode(big, len, T0, false, &out, &n),
			 -EBADMSG);
	big[0] = 1;
	big[1] = 0xff;
	big[2] = 0x7f;
	assert_int_equal(storepack_decode(big, len, T0, false, &out, &n),
			 -EBADMSG);
	memcpy(big, blob, len);
	big[2] = 9;
	assert_int_equal(storepack_decode(big, len, T0, false, &out, &n),
			 -EBADMSG);
	/* a link name's length past its field */
	memcpy(big, blob, len);
	big[3] = 40;
	assert_int_equal(storepack_decode(big, len, T0, false, &out, &n),
			 -EBADMSG);
	assert_null(out);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(test_migrate_v1, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_merge_late, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_damaged_blob,
						scratch_setup, scratch_teardown),
		cmocka_unit_test(test_pack_hostile),
	};

	(void)scratch_write;
	return cmocka_run_group_tests_name("store_v2", t, NULL, NULL);
}
