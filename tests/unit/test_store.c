// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of collector/store/store.h over the SQLite backend, each in a
 * fresh scratch folder: put, duplicate at once and after a reopen (ranges,
 * last report, events and series survive it); events and their query
 * filters; minute rows and the hourly roll-up; retention moving the
 * store's clock (chunks, the minute retention apart from events and
 * hours); a real SQLITE_FULL (the store's max_db_mb disk budget, a small
 * max_page_count) failing commits: callbacks say UNAVAILABLE and nothing
 * of them is acknowledged or stored; a newer schema version, or another
 * program's database, refused untouched; records that make no sense
 * skipped and counted; a skewed agent clock; the settings through cfg.c; and 4 threads putting 10,000
 * reports for 1,000 nodes (with repeats) while a reader lists nodes:
 * every report stored once, every node's ranges contiguous.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "collector/store/store.h"

#include "tests/unit/reports.h"
#include "tests/unit/scratch.h"

#define NODE_A 210102000000ULL
#define NODE_B 210103000000ULL
#define DAY    86400000LL
#define T0     (1767225600000LL) /* 2026-01-01 00:00 UTC */

static struct report rep;
static long long fake_now;

static long long fake_clock(void *arg)
{
	(void)arg;
	return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

struct results {
	atomic_int n[STORE__N];
};

static void on_done(void *arg, enum store_result res)
{
	struct results *r = arg;

	atomic_fetch_add(&r->n[res], 1);
}

/* The per-report result, for tests that track each seq. */
static int seq_result[64];

static void on_seq(void *arg, enum store_result res)
{
	seq_result[(uintptr_t)arg] = (int)res;
}

static struct store *open_store(int max_db_mb)
{
	struct store_opts o;
	struct store *st = NULL;
	char err[256] = "";

	store_opts_default(&o, dir);
	o.clock_ms = fake_clock;
	o.flush_ms = 50;
	o.max_db_mb = max_db_mb;
	if (store_open(&st, &o, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	return st;
}

/* A small report and its JSON body (jansson). */
static enum store_result put(struct store *st, code_t node, uint64_t seq,
			     long long t, store_done_fn cb, void *arg)
{
	enum store_result res;
	char *body;
	json_t *j;

	rpt_base(&rep, node, seq, t);
	rpt_link(&rep, 0, "uplink", RPT_OPER_UP, seq * 1000, seq * 100);
	rpt_target(&rep, 0, code_parent(node), RPT_OPER_UP, 2.5, 0);
	j = json_pack("{s:i,s:I,s:I}", "schema", 1, "node", (json_int_t)node,
		      "seq", (json_int_t)seq);
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	res = store_put(st, &rep, body, strlen(body), cb, arg);
	free(body);
	return res;
}

struct ranges {
	int n;
	uint64_t lo[16], hi[16];
};

static int range_cb(void *arg, uint64_t lo, uint64_t hi)
{
	struct ranges *r = arg;

	if (r->n < 16) {
		r->lo[r->n] = lo;
		r->hi[r->n] = hi;
	}
	r->n++;
	return 0;
}

static struct ranges ranges_of(struct store *st, code_t node)
{
	struct ranges r = {0};

	assert_int_equal(store_seq_ranges(st, node, range_cb, &r), 0);
	return r;
}

struct evs {
	int n;
	struct store_event e[32];
};

static int ev_cb(void *arg, const struct store_event *e)
{
	struct evs *v = arg;

	if (v->n < 32)
		v->e[v->n] = *e;
	v->n++;
	return 0;
}

static int node_count_cb(void *arg, const struct store_node_info *n)
{
	(*(int *)arg)++;
	assert_true(n->last_seq > 0);
	return 0;
}

static void test_put_dup_reopen(void **state)
{
	struct results res = {0};
	struct store *st;
	struct ranges r;
	struct evs ev = {0};
	struct store_event_q q = {.type = -1};
	char *json;
	size_t len;
	int nodes = 0;

	(void)state;
	fake_now = T0;
	st = open_store(0);
	for (uint64_t s = 1; s <= 5; s++)
		assert_int_equal(put(st, NODE_A, s, T0 + (long long)s * 60000,
				     on_done, &res),
				 STORE_OK);
	for (uint64_t s = 1; s <= 3; s++)
		assert_int_equal(put(st, NODE_B, s, T0 + (long long)s * 60000,
				     on_done, &res),
				 STORE_OK);
	fake_now = T0 + 10 * 60000; /* every minute is closed by now */
	assert_int_equal(store_sync(st), 0);
	assert_int_equal(res.n[STORE_OK], 8);
	/* a duplicate is answered at once, its callback never called */
	assert_int_equal(put(st, NODE_A, 3, T0, on_done, &res), STORE_DUP);
	assert_int_equal(store_sync(st), 0);
	assert_int_equal(res.n[STORE_OK] + res.n[STORE_DUP], 8);
	r = ranges_of(st, NODE_A);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.lo[0], 1);
	assert_int_equal(r.hi[0], 5);
	store_close(st);

	st = open_store(0);
	assert_int_equal(put(st, NODE_A, 3, T0, on_done, &res), STORE_DUP);
	assert_int_equal(put(st, NODE_B, 1, T0, on_done, &res), STORE_DUP);
	r = ranges_of(st, NODE_B);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.hi[0], 3);
	assert_int_equal(store_node_last(st, NODE_A, &json, &len), 0);
	assert_non_null(strstr(json, "\"seq\":5"));
	assert_int_equal(len, strlen(json));
	free(json);
	assert_int_equal(store_node_last(st, 210104000000ULL, &json, &len),
			 -ENOENT);
	assert_int_equal(store_nodes(st, node_count_cb, &nodes), 0);
	assert_int_equal(nodes, 2);
	/* the two first-report events survived */
	assert_int_equal(store_events(st, &q, ev_cb, &ev), 0);
	assert_int_equal(ev.n, 2);
	assert_int_equal(ev.e[0].type, STORE_EV_SEEN);
	/* the state survived too: seq 6 one minute on is no new "seen" */
	fake_now = T0 + 6 * 60000;
	assert_int_equal(put(st, NODE_A, 6, T0 + 6 * 60000, on_done, &res),
			 STORE_OK);
	assert_int_equal(store_sync(st), 0);
	ev.n = 0;
	assert_int_equal(store_events(st, &q, ev_cb, &ev), 0);
	assert_int_equal(ev.n, 2);
	r = ranges_of(st, NODE_A);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.hi[0], 6);
	store_close(st);
}

static void test_events_query(void **state)
{
	struct results res = {0};
	struct store_event_q q = {.type = -1};
	struct evs ev = {0};
	struct store *st;

	(void)state;
	fake_now = T0;
	st = open_store(0);
	/* A: link goes down at seq 2, up at seq 3; B: only seen */
	for (uint64_t s = 1; s <= 3; s++) {
		rpt_base(&rep, NODE_A, s, T0 + (long long)s * 1000);
		rpt_link(&rep, 0, "uplink",
			 s == 2 ? RPT_OPER_DOWN : RPT_OPER_UP, 0, 0);
		assert_int_equal(store_put(st, &rep, "{}", 2, on_done, &res),
				 STORE_OK);
	}
	put(st, NODE_B, 1, T0 + 500, on_done, &res);
	assert_int_equal(store_sync(st), 0);
	assert_int_equal(store_events(st, &q, ev_cb, &ev), 0);
	assert_int_equal(ev.n, 4);
	/* newest first by default */
	assert_int_equal(ev.e[0].type, STORE_EV_LINK_UP);
	assert_int_equal(ev.e[1].type, STORE_EV_LINK_DOWN);
	assert_string_equal(ev.e[1].subject, "uplink");
	assert_int_equal(ev.e[1].time_ms, T0 + 2000);
	/* filters: node, type, limit, order, time */
	ev.n = 0;
	q.node = NODE_A;
	q.oldest_first = true;
	assert_int_equal(store_events(st, &q, ev_cb, &ev), 0);
	assert_int_equal(ev.n, 3);
	assert_int_equal(ev.e[0].type, STORE_EV_SEEN);
	ev.n = 0;
	q.type = STORE_EV_LINK_DOWN;
	assert_int_equal(store_events(st, &q, ev_cb, &ev), 0);
	assert_int_equal(ev.n, 1);
	ev.n = 0;
	q.type = -1;
	q.node = 0;
	q.limit = 2;
	assert_int_equal(store_events(st, &q, ev_cb, &ev), 0);
	assert_int_equal(ev.n, 2);
	assert_int_equal(ev.e[0].node, NODE_B);
	ev.n = 0;
	q.limit = 0;
	q.since_ms = T0 + 1500;
	q.until_ms = T0 + 3000;
	assert_int_equal(store_events(st, &q, ev_cb, &ev), 0);
	assert_int_equal(ev.n, 1);
	assert_int_equal(ev.e[0].type, STORE_EV_LINK_DOWN);
	store_close(st);
}

struct rows {
	int n, minute, hourly;
	uint64_t rx;
	long long t[64];
};

static int row_cb(void *arg, const struct store_series_row *r)
{
	struct rows *v = arg;

	if (r->kind == STORE_SERIES_LINK) {
		if (v->n < 64)
			v->t[v->n] = r->t_ms;
		v->n++;
		v->rx += r->rx_bytes;
		r->hourly ? v->hourly++ : v->minute++;
	}
	return 0;
}

static void test_series(void **state)
{
	struct results res = {0};
	struct store *st;
	struct rows v = {0};

	(void)state;
	fake_now = T0;
	st = open_store(0);
	/* 3 reports a minute for 5 minutes; rx grows 1000 per report */
	for (uint64_t s = 1; s <= 15; s++)
		put(st, NODE_A, s, T0 + (long long)(s - 1) * 20000, on_done,
		    &res);
	assert_int_equal(store_sync(st), 0);
	/* the minute still open is not written yet */
	assert_int_equal(store_series(st, NODE_A, T0, T0 + DAY, row_cb, &v), 0);
	assert_int_equal(v.minute, 4);
	assert_int_equal(v.hourly, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(v.t[i], T0 + i * 60000);
	store_close(st); /* closes it */
	st = open_store(0);
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_series(st, NODE_A, T0, T0 + DAY, row_cb, &v), 0);
	assert_int_equal(v.minute, 5);
	assert_int_equal(v.rx, 14 * 1000);
	/* a wide range reads the hourly roll-up: one row for the hour */
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_series(st, NODE_A, T0, T0 + 3 * DAY, row_cb, &v),
			 0);
	assert_int_equal(v.hourly, 1);
	assert_int_equal(v.rx, 14 * 1000);
	store_close(st);
}

static void test_retention(void **state)
{
	struct results res = {0};
	struct store_event_q q = {.type = -1};
	struct store_stats s1, s2;
	struct store_opts o;
	struct store *st;
	struct evs ev = {0};
	struct rows v = {0};
	char err[256];
	int steps = 0;

	(void)state;
	fake_now = T0;
	store_opts_default(&o, dir);
	o.clock_ms = fake_clock;
	o.flush_ms = 10;
	o.retention_chunk = 10;
	assert_int_equal(store_open(&st, &o, err, sizeof(err)), 0);
	/* 30 nodes of a link and a target, 3 minutes each: 30 events, 90
	 * minute rows and 30 hourly rows (schema v2: a row per node and
	 * period, its link and target packed in it) */
	for (int n = 0; n < 30; n++)
		for (uint64_t s = 1; s <= 3; s++)
			put(st, NODE_A + (code_t)n * 1000, s,
			    T0 + (long long)(s - 1) * 60000, on_done, &res);
	fake_now = T0 + 10 * 60000;
	assert_int_equal(store_sync(st), 0);
	assert_int_equal(store_series(st, NODE_A, T0, T0 + DAY, row_cb, &v), 0);
	assert_int_equal(v.minute, 3);

	/* 8 days on: the minute rows go (in chunks of 10), the rest stays */
	fake_now = T0 + 8 * DAY;
	store_stats(st, &s1);
	assert_int_equal(store_sync(st), 0);
	store_stats(st, &s2);
	assert_true(s2.rows_deleted - s1.rows_deleted <= 10);
	while (s2.rows_deleted - s1.rows_deleted < 90 && steps++ < 100) {
		assert_int_equal(store_sync(st), 0);
		store_stats(st, &s2);
	}
	assert_int_equal(s2.rows_deleted - s1.rows_deleted, 90);
	assert_true(steps >= 8); /* 10 a step: in chunks, never at once */
	assert_int_equal(store_events(st, &q, ev_cb, &ev), 0);
	assert_int_equal(ev.n, 30);
	/* even a narrow range is read from the hours now */
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_series(st, NODE_A, T0, T0 + DAY / 2, row_cb, &v),
			 0);
	assert_int_equal(v.hourly, 1);
	assert_int_equal(v.minute, 0);
	assert_int_equal(v.rx, 2 * 1000);

	/* 181 days on: events and hours go too */
	fake_now = T0 + 181 * DAY;
	for (steps = 0; steps < 100; steps++) {
		assert_int_equal(store_sync(st), 0);
		store_stats(st, &s2);
		if (s2.rows_deleted - s1.rows_deleted == 90 + 30 + 30)
			break;
	}
	assert_int_equal(s2.rows_deleted - s1.rows_deleted, 90 + 30 + 30);
	ev.n = 0;
	assert_int_equal(store_events(st, &q, ev_cb, &ev), 0);
	assert_int_equal(ev.n, 0);
	/* the ranges are not history: they stay */
	assert_int_equal(ranges_of(st, NODE_A).n, 1);
	store_close(st);
}

/* A report with many apply events: ~50 KB of event rows per report. */
static enum store_result put_heavy(struct store *st, uint64_t seq)
{
	char text[REPORT_TEXT_LEN];

	rpt_base(&rep, NODE_A, seq, T0 + (long long)seq * 1000);
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (int i = 0; i < 200; i++)
		rpt_apply(&rep, T0, true, "sha256:ff", text);
	return store_put(st, &rep, "{}", 2, on_seq, (void *)(uintptr_t)seq);
}

static int count_events(struct store *st)
{
	struct store_event_q q = {.type = -1};
	struct evs ev = {0};

	assert_int_equal(store_events(st, &q, ev_cb, &ev), 0);
	return ev.n;
}

static void test_commit_fails(void **state)
{
	struct store_stats s;
	struct ranges r;
	struct store *st;
	int ok = 0, unav = 0, first_unav = 0, rc;

	(void)state;
	fake_now = T0;
	/* a 1 MiB disk budget: a real SQLITE_FULL after ~20 reports */
	st = open_store(1);
	for (uint64_t q = 1; q <= 40; q++) {
		assert_int_equal(put_heavy(st, q), STORE_OK);
		rc = store_sync(st);
		if (seq_result[q] == STORE_OK) {
			assert_int_equal(rc, 0);
			assert_int_equal(first_unav, 0); /* full stays full */
			ok++;
		} else {
			assert_int_equal(seq_result[q], STORE_UNAVAILABLE);
			assert_int_equal(rc, -ENOSPC);
			if (!first_unav)
				first_unav = (int)q;
			unav++;
		}
	}
	assert_true(ok > 0);
	assert_true(unav > 0);
	store_stats(st, &s);
	assert_int_equal(s.unavailable, unav);
	assert_int_equal(s.reports_stored, ok);
	assert_non_null(strstr(s.last_error, "full"));
	/* nothing of the failed ones: ranges and events are the OK ones' */
	r = ranges_of(st, NODE_A);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.lo[0], 1);
	assert_int_equal(r.hi[0], (uint64_t)ok);
	assert_int_equal(count_events(st), 1 + 200 * ok);
	/* a failed one sent again is not a duplicate: judged afresh */
	assert_int_equal(put_heavy(st, (uint64_t)first_unav), STORE_OK);
	assert_int_equal(store_sync(st), -ENOSPC);
	assert_int_equal(seq_result[first_unav], STORE_UNAVAILABLE);
	store_close(st);

	/* the disk has room again: the same reports go in */
	st = open_store(0);
	assert_int_equal(ranges_of(st, NODE_A).hi[0], (uint64_t)ok);
	assert_int_equal(put_heavy(st, (uint64_t)ok), STORE_DUP);
	assert_int_equal(put_heavy(st, (uint64_t)first_unav), STORE_OK);
	assert_int_equal(store_sync(st), 0);
	assert_int_equal(seq_result[first_unav], STORE_OK);
	r = ranges_of(st, NODE_A);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.hi[0], (uint64_t)first_unav);
	store_close(st);
}

static void exec_sql(const char *sql)
{
	char path[128];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/egnet.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int version_cb(void *arg, int n, char **v, char **c)
{
	(void)n;
	(void)c;
	*(int *)arg = atoi(v[0]);
	return 0;
}

static void test_newer_schema_refused(void **state)
{
	struct store_opts o;
	struct store *st = NULL;
	char err[256] = "", path[128];
	sqlite3 *db;
	int v = 0;

	(void)state;
	st = open_store(0);
	store_close(st);
	exec_sql("UPDATE schema_version SET version = 7");
	store_opts_default(&o, dir);
	assert_int_equal(store_open(&st, &o, err, sizeof(err)), -EPROTO);
	assert_null(st);
	assert_non_null(strstr(err, "schema version 7"));
	assert_non_null(strstr(err, "knows up to 3"));
	/* untouched */
	snprintf(path, sizeof(path), "%s/egnet.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_exec(db, "SELECT version FROM schema_version", version_cb, &v,
		     NULL);
	sqlite3_close(db);
	assert_int_equal(v, 7);
}

/* Records that make no sense are skipped and counted, the rest loads. */
static void test_hostile_records(void **state)
{
	struct results res = {0};
	struct store_stats s;
	struct store *st;

	(void)state;
	st = open_store(0);
	put(st, NODE_A, 1, T0, on_done, &res);
	store_close(st);
	exec_sql("INSERT INTO seq_ranges VALUES(210102000000, 50, 40);"
		 "INSERT INTO seq_ranges VALUES(12, 1, 5);"
		 "INSERT INTO nodes(node, state) VALUES(999, '{}');"
		 "INSERT INTO nodes(node, state) VALUES(210103000000, 'zz');");
	st = open_store(0);
	store_stats(st, &s);
	assert_int_equal(s.bad_records, 4); /* one per insert above */
	assert_int_equal(put(st, NODE_A, 1, T0, on_done, &res), STORE_DUP);
	assert_int_equal(put(st, NODE_A, 45, T0, on_done, &res), STORE_OK);
	assert_int_equal(store_sync(st), 0);
	assert_int_equal(res.n[STORE_OK], 2);
	store_close(st);
}

static void test_foreign_db_refused(void **state)
{
	struct store_opts o;
	struct store *st = NULL;
	char err[256] = "";

	(void)state;
	exec_sql("CREATE TABLE accounts(id INTEGER)");
	store_opts_default(&o, dir);
	assert_int_equal(store_open(&st, &o, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "not an egnet store"));
	scratch_write("egnet.db", "this is not a database, it is text", -1);
	assert_true(store_open(&st, &o, err, sizeof(err)) < 0);
	assert_null(st);
	assert_non_null(strstr(err, "egnet.db"));
}

/* An agent whose clock is a day behind, reporting every 20 s while the
 * store's clock moves on: its minute stays open while it reports (closed
 * by its own report times), not closed and merged again at every tick. */
static void test_skewed_agent_clock(void **state)
{
	struct results res = {0};
	struct store_stats s1, s2;
	struct store *st;
	struct rows v = {0};

	(void)state;
	fake_now = T0;
	st = open_store(0);
	store_stats(st, &s1);
	for (uint64_t q = 1; q <= 6; q++) {
		fake_now = T0 + (long long)q * 20000;
		put(st, NODE_A, q, T0 - DAY + (long long)q * 20000, on_done,
		    &res);
		assert_int_equal(store_sync(st), 0);
	}
	store_stats(st, &s2);
	/* rows written: per report its range and (sync) its node; the
	 * first-report event; 2 keys x 2 closed minutes.  Closing by the
	 * report's own time at each tick would add 2-4 rows per sync. */
	assert_int_equal(s2.rows_written - s1.rows_written, 6 + 6 + 1 + 2 * 2);
	/* reports 1-2 are in minute 0, 3-5 in minute 1, 6 in minute 2:
	 * two minutes closed, each written once */
	assert_int_equal(store_series(st, NODE_A, T0 - DAY, T0 - DAY / 2,
				      row_cb, &v),
			 0);
	assert_int_equal(v.minute, 2);
	assert_int_equal(v.t[0], T0 - DAY);
	assert_int_equal(v.t[1], T0 - DAY + 60000);
	/* quiet for long enough: its open minute is closed by the clock */
	fake_now += 3 * 60000;
	assert_int_equal(store_sync(st), 0);
	memset(&v, 0, sizeof(v));
	assert_int_equal(store_series(st, NODE_A, T0 - DAY, T0 - DAY / 2,
				      row_cb, &v),
			 0);
	assert_int_equal(v.minute, 3);
	store_close(st);
}

/* The settings through common/cfg.c: defaults, a value read, the legal
 * minimum of retention refused with its line. */
static void test_cfg(void **state)
{
	struct store_opts o;
	config_t c;
	struct diag d;

	(void)state;
	store_opts_default(&o, NULL);
	assert_int_equal(o.retention_days, 180);
	assert_int_equal(o.minute_retention_days, 7);
	assert_int_equal(o.seen_gap_intervals, 3);
	config_init(&c);
	assert_int_equal(config_read_string(&c, "store = {\n"
						"  dir = \"/srv/egnet\";\n"
						"  retention_days = 30;\n"
						"  flush_ms = 500;\n"
						"};\n"),
			 CONFIG_TRUE);
	diag_init(&d);
	memset(&o, 0, sizeof(o));
	assert_int_equal(cfg_read(&d, config_lookup(&c, "store"), "c.conf",
				  store_cfg_opts, &o),
			 1);
	assert_int_equal(d.items[0].line, 3);
	assert_string_equal(d.items[0].msg, "30 is out of range 180..3650");
	assert_string_equal(o.dir, "/srv/egnet");
	assert_int_equal(o.flush_ms, 500);
	diag_free(&d);
	config_destroy(&c);
}

/* ---- concurrency ---- */

#define C_THREADS 4
#define C_NODES   1000
#define C_PER     10 /* reports per node */

struct cctx {
	struct store *st;
	int k;
	struct results *res;
	atomic_int *dup_now;
	atomic_bool *done;
};

static code_t cnode(int i)
{
	/* counties 01..99 of cities 01..11 of province 21 */
	return 210000000000ULL + (code_t)(i / 99 + 1) * 100000000ULL +
	       (code_t)(i % 99 + 1) * 1000000ULL;
}

static void *cput(void *arg)
{
	struct cctx *c = arg;
	struct report *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	for (int i = c->k; i < C_NODES * C_PER; i += C_THREADS) {
		code_t node = cnode(i % C_NODES);
		uint64_t seq = (uint64_t)(i / C_NODES) + 1;
		enum store_result res;
		char body[96];

		rpt_base(r, node, seq, T0 + (long long)seq * 60000);
		rpt_link(r, 0, "uplink", RPT_OPER_UP, seq * 100, seq * 10);
		snprintf(body, sizeof(body), "{\"node\":%llu,\"seq\":%llu}",
			 (unsigned long long)node, (unsigned long long)seq);
		/* every 7th is sent twice, as an agent retrying would */
		for (int copy = 0; copy < 1 + (i % 7 == 0); copy++) {
			while ((res = store_put(c->st, r, body, strlen(body),
						on_done, c->res)) == STORE_BUSY)
				sched_yield();
			if (res == STORE_DUP)
				atomic_fetch_add(c->dup_now, 1);
		}
	}
	free(r);
	return NULL;
}

static int clist_cb(void *arg, const struct store_node_info *n)
{
	code_t *last = arg;

	assert_true(n->node > *last); /* in code order, each once */
	*last = n->node;
	return 0;
}

static void *creader(void *arg)
{
	struct cctx *c = arg;
	int lists = 0;

	while (!atomic_load(c->done)) {
		code_t last = 0;

		assert_int_equal(store_nodes(c->st, clist_cb, &last), 0);
		lists++;
	}
	return (void *)(intptr_t)lists;
}

static void test_concurrent(void **state)
{
	struct results res = {0};
	atomic_int dup_now = 0;
	atomic_bool done = false;
	struct cctx c[C_THREADS + 1];
	pthread_t t[C_THREADS + 1];
	struct store_stats s;
	struct store *st;
	void *lists;
	int repeats = 0, nodes = 0;

	(void)state;
	fake_now = T0;
	st = open_store(0);
	for (int k = 0; k <= C_THREADS; k++) {
		c[k] = (struct cctx){st, k, &res, &dup_now, &done};
		assert_int_equal(pthread_create(&t[k], NULL,
						k < C_THREADS ? cput : creader,
						&c[k]),
				 0);
	}
	for (int k = 0; k < C_THREADS; k++)
		pthread_join(t[k], NULL);
	assert_int_equal(store_sync(st), 0);
	atomic_store(&done, true);
	pthread_join(t[C_THREADS], &lists);
	assert_true((intptr_t)lists > 0);

	for (int i = 0; i < C_NODES * C_PER; i++)
		repeats += i % 7 == 0;
	/* each report once; each repeat a duplicate, at once or later */
	assert_int_equal(res.n[STORE_OK], C_NODES * C_PER);
	assert_int_equal(res.n[STORE_DUP] + dup_now, repeats);
	assert_int_equal(res.n[STORE_UNAVAILABLE], 0);
	store_stats(st, &s);
	assert_int_equal(s.reports_stored, C_NODES * C_PER);
	assert_int_equal(s.dups, repeats);
	assert_int_equal(store_nodes(st, node_count_cb, &nodes), 0);
	assert_int_equal(nodes, C_NODES);
	store_close(st);
	/* contiguous ranges, also as reloaded */
	st = open_store(0);
	for (int i = 0; i < C_NODES; i++) {
		struct ranges r = ranges_of(st, cnode(i));

		assert_int_equal(r.n, 1);
		assert_int_equal(r.lo[0], 1);
		assert_int_equal(r.hi[0], C_PER);
	}
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(test_put_dup_reopen,
						scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_events_query, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_series, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_retention, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_commit_fails, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused,
						scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_records,
						scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_db_refused,
						scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_skewed_agent_clock,
						scratch_setup, scratch_teardown),
		cmocka_unit_test(test_cfg),
		cmocka_unit_test_setup_teardown(test_concurrent, scratch_setup,
						scratch_teardown),
	};

	return cmocka_run_group_tests_name("store", t, NULL, NULL);
}
