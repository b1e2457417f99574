// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the store's pure parts besides the event derivation:
 * storeagg.c (per-minute rows of links and targets: byte deltas between
 * reports, counter resets, mean rates, RTT mean/min/max, loss and jitter,
 * unmeasured RTT, one row per key when the minute closes, a new link
 * counting from its second report; hourly rows that are the sums and
 * weighted means of their minutes, given when the hour closes), storeseq.c (merged ranges, the bound
 * on their number) and storerep.c's saved state (round trip, and hostile
 * saved forms refused).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/store/storeagg.h"
#include "collector/store/storeseq.h"

#include "tests/unit/reports.h"

#define NODE 210102000000ULL
#define T0   (1700000000000LL - 1700000000000LL % 60000)

static struct report rep;

struct rowlog {
	int n;
	struct store_series_row r[64];
};

static int rowlog_add(void *arg, code_t node, const struct store_series_row *r)
{
	struct rowlog *l = arg;

	assert_int_equal(node, NODE);
	assert_true(l->n < 64);
	l->r[l->n++] = *r;
	return 0;
}

static void feed(struct storestate *s, struct rowlog *log)
{
	struct storerep *p = storerep_new(&rep, "", 0);

	assert_non_null(p);
	assert_int_equal(storeagg_advance(s, p, rowlog_add, log), 0);
	storerep_free(p);
}

static const struct store_series_row *find(const struct rowlog *l,
					   const char *key)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->r[i].key, key) == 0)
			return &l->r[i];
	fail_msg("no row for %s", key);
	return NULL;
}

static void test_minute_rows(void **state)
{
	struct storestate s;
	struct rowlog log = {0};
	const struct store_series_row *r;
	/* three reports in one minute, then one in the next */
	static const struct {
		long long t;
		uint64_t rx, tx;
		double rx_bps, rtt, loss;
	} in[] = {
		{T0 + 0, 1000, 100, 10, 2.0, 0},
		{T0 + 20000, 4000, 400, 20, 4.0, 10},
		{T0 + 40000, 9000, 900, 60, -1, 20}, /* RTT not measured */
		{T0 + 60000, 10000, 1000, 5, 3.0, 0},
	};

	(void)state;
	storestate_init(&s);
	for (size_t i = 0; i < 4; i++) {
		rpt_base(&rep, NODE, i + 1, in[i].t);
		rpt_link(&rep, 0, "uplink", RPT_OPER_UP, in[i].rx, in[i].tx);
		rep.links[0].rx_bps = in[i].rx_bps;
		rep.links[0].tx_bps = in[i].rx_bps / 2;
		rpt_target(&rep, 0, 210100000000ULL, RPT_OPER_UP, in[i].rtt,
			   in[i].loss);
		feed(&s, &log);
		if (i < 3)
			assert_int_equal(log.n, 0);
	}
	/* the first minute closed: one row per key */
	assert_int_equal(log.n, 2);
	r = find(&log, "uplink");
	assert_int_equal(r->kind, STORE_SERIES_LINK);
	assert_int_equal(r->t_ms, T0);
	/* the first report has nothing to diff against */
	assert_int_equal(r->rx_bytes, in[2].rx - in[0].rx);
	assert_int_equal(r->tx_bytes, in[2].tx - in[0].tx);
	assert_true(r->rx_bps == (in[0].rx_bps + in[1].rx_bps + in[2].rx_bps) / 3);
	assert_int_equal(r->samples, 3);
	r = find(&log, "210100000000");
	assert_int_equal(r->kind, STORE_SERIES_TARGET);
	assert_true(r->rtt_avg == (in[0].rtt + in[1].rtt) / 2);
	assert_true(r->rtt_min == in[0].rtt);
	assert_true(r->rtt_max == in[1].rtt);
	assert_true(r->loss_pct == (in[0].loss + in[1].loss + in[2].loss) / 3);
	assert_int_equal(r->samples, 3);
	assert_int_equal(r->rtt_samples, 2);
	/* closing the second minute: the delta across the minute boundary
	 * belongs to the report that saw it */
	log.n = 0;
	assert_int_equal(storeagg_close(&s, NODE, rowlog_add, &log), 0);
	assert_int_equal(log.n, 2);
	r = find(&log, "uplink");
	assert_int_equal(r->t_ms, T0 + 60000);
	assert_int_equal(r->rx_bytes, in[3].rx - in[2].rx);
	/* closed twice gives nothing */
	log.n = 0;
	assert_int_equal(storeagg_close(&s, NODE, rowlog_add, &log), 0);
	assert_int_equal(log.n, 0);
	storestate_free(&s);
}

static void test_counter_reset_and_new_link(void **state)
{
	struct storestate s;
	struct rowlog log = {0};
	const struct store_series_row *r;

	(void)state;
	storestate_init(&s);
	rpt_base(&rep, NODE, 1, T0);
	rpt_link(&rep, 0, "uplink", RPT_OPER_UP, 50000, 50000);
	feed(&s, &log);
	/* counters went back (agent restarted): count from zero */
	rpt_base(&rep, NODE, 2, T0 + 10000);
	rpt_link(&rep, 0, "uplink", RPT_OPER_UP, 700, 300);
	rpt_link(&rep, 1, "lan0", RPT_OPER_UP, 123456, 654321); /* new */
	feed(&s, &log);
	rpt_base(&rep, NODE, 3, T0 + 20000);
	rpt_link(&rep, 0, "uplink", RPT_OPER_UP, 1700, 1300);
	rpt_link(&rep, 1, "lan0", RPT_OPER_UP, 123556, 654421);
	feed(&s, &log);
	assert_int_equal(storeagg_close(&s, NODE, rowlog_add, &log), 0);
	r = find(&log, "uplink");
	assert_int_equal(r->rx_bytes, 700 + 1000);
	assert_int_equal(r->tx_bytes, 300 + 1000);
	r = find(&log, "lan0");
	assert_int_equal(r->rx_bytes, 100);
	assert_int_equal(r->tx_bytes, 100);
	assert_int_equal(r->samples, 2);
	storestate_free(&s);
}

static void test_hour_rows(void **state)
{
	struct storestate s;
	struct rowlog log = {0};
	long long h0 = T0 - T0 % STOREAGG_HOUR_MS;
	uint64_t rx_minutes = 0;
	double rtt_sum = 0, min = 1e9, max = -1;
	uint32_t n = 0;

	(void)state;
	storestate_init(&s);
	/* 4 reports in each of the last 3 minutes of an hour, then one in
	 * the next hour */
	for (uint64_t q = 1; q <= 13; q++) {
		long long t = q <= 12 ? h0 + 57 * 60000 +
						(long long)(q - 1) * 15000
				      : h0 + STOREAGG_HOUR_MS + 5000;

		rpt_base(&rep, NODE, q, t);
		rpt_link(&rep, 0, "uplink", RPT_OPER_UP, q * q * 100, q * 10);
		rpt_target(&rep, 0, 210100000000ULL, RPT_OPER_UP,
			   (double)(q % 5) + 1, (double)(q % 2) * 50);
		feed(&s, &log);
	}
	/* 3 minutes x 2 keys, then the hour's 2 rows */
	assert_int_equal(log.n, 8);
	for (int i = 0; i < 6; i++) {
		const struct store_series_row *r = &log.r[i];

		assert_false(r->hourly);
		if (r->kind == STORE_SERIES_LINK) {
			rx_minutes += r->rx_bytes;
		} else {
			rtt_sum += r->rtt_avg * r->rtt_samples;
			n += r->rtt_samples;
			min = r->rtt_min < min ? r->rtt_min : min;
			max = r->rtt_max > max ? r->rtt_max : max;
		}
	}
	for (int i = 6; i < 8; i++) {
		const struct store_series_row *r = &log.r[i];

		assert_true(r->hourly);
		assert_int_equal(r->t_ms, h0);
		assert_int_equal(r->samples, 12);
		if (r->kind == STORE_SERIES_LINK) {
			assert_int_equal(r->rx_bytes, rx_minutes);
			assert_int_equal(r->rx_bytes, 12 * 12 * 100 - 100);
		} else {
			assert_true(r->rtt_avg == rtt_sum / n);
			assert_true(r->rtt_min == min && r->rtt_max == max);
			assert_true(r->loss_pct == 25.0);
		}
	}
	/* closing the new hour gives its minute, then its hour */
	log.n = 0;
	assert_int_equal(storeagg_close_hour(&s, NODE, rowlog_add, &log), 0);
	assert_int_equal(log.n, 4);
	assert_false(log.r[0].hourly);
	assert_true(log.r[3].hourly);
	assert_int_equal(log.r[3].t_ms, h0 + STOREAGG_HOUR_MS);
	storestate_free(&s);
}

static void test_late_report_ignored(void **state)
{
	struct storestate s;
	struct rowlog log = {0};

	(void)state;
	storestate_init(&s);
	rpt_base(&rep, NODE, 5, T0);
	rpt_link(&rep, 0, "uplink", RPT_OPER_UP, 5000, 5000);
	feed(&s, &log);
	rpt_base(&rep, NODE, 4, T0 + 1000);
	rpt_link(&rep, 0, "uplink", RPT_OPER_UP, 1, 1);
	feed(&s, &log);
	assert_int_equal(s.seq, 5);
	assert_int_equal(storenow_links(s.cur)[0].rx_bytes, 5000);
	assert_int_equal(s.links[0].m.n, 1);
	storestate_free(&s);
}

/*
 * An hour of reports every second with irregular rates and RTTs: the
 * float sums (storerep.h) keep the hourly and minute means within the
 * documented n * 2^-24 of the exact (double) means, and byte counts exact.
 */
static void test_float_precision(void **state)
{
	struct storestate s;
	struct rowlog log = {0};
	long long h0 = T0 - T0 % STOREAGG_HOUR_MS;
	double bps = 0, rtt = 0, loss = 0, bound = 3600.0 / (1 << 24);
	uint64_t rx = 0;

	(void)state;
	storestate_init(&s);
	for (int q = 0; q < 3600; q++) {
		double r = 0.1 + (double)((q * 7919) % 1000) / 7.0;
		double b = 9.87654321e9 - (double)((q * 104729) % 100000) *
						  12345.678;

		rpt_base(&rep, NODE, (uint64_t)q + 1, h0 + (long long)q * 1000);
		/* 1.25 GB per report: the minute's sum passes 2^32 */
		rpt_link(&rep, 0, "uplink", RPT_OPER_UP,
			 (uint64_t)q * 1250000000ULL, 0);
		rep.links[0].rx_bps = b;
		rpt_target(&rep, 0, 210100000000ULL, RPT_OPER_UP, r,
			   (double)(q % 3));
		if (q) {
			bps += b;
			rtt += r;
			loss += q % 3;
			rx += 1250000000ULL;
		} else {
			bps += b; /* the first report's rate counts, */
			rtt += r; /* its bytes have nothing to diff */
		}
		/* the rows of each closed minute go: keep only the hour */
		log.n = 0;
		feed(&s, &log);
	}
	log.n = 0;
	assert_int_equal(storeagg_close_hour(&s, NODE, rowlog_add, &log), 0);
	for (int i = 0; i < log.n; i++) {
		const struct store_series_row *r = &log.r[i];
		double want;

		if (!r->hourly)
			continue;
		assert_int_equal(r->samples, 3600);
		if (r->kind == STORE_SERIES_LINK) {
			assert_int_equal(r->rx_bytes, rx);
			want = bps / 3600;
			if (fabs(r->rx_bps - want) > want * bound)
				fail_msg("hourly rate %.9g, exact %.9g", r->rx_bps,
					 want);
		} else {
			want = rtt / 3600;
			if (fabs(r->rtt_avg - want) > want * bound)
				fail_msg("hourly RTT %.9g, exact %.9g", r->rtt_avg,
					 want);
			want = loss / 3600;
			if (fabs(r->loss_pct - want) > want * bound)
				fail_msg("hourly loss %.9g, exact %.9g",
					 r->loss_pct, want);
		}
	}
	storestate_free(&s);
}

/*
 * Counts saturate at STOREAGG_N_MAX: the reports past it are left out of
 * the minute's means (which stay the means of those counted), not of its
 * bytes; the hour the minute goes into keeps its bytes as well.
 */
static void test_count_saturates(void **state)
{
	struct storestate s;
	struct rowlog log = {0};
	int total = STOREAGG_N_MAX + 10;
	const struct store_series_row *r;

	(void)state;
	storestate_init(&s);
	for (int q = 0; q < total; q++) {
		rpt_base(&rep, NODE, (uint64_t)q + 1, T0 + q / 2);
		rpt_link(&rep, 0, "uplink", RPT_OPER_UP, (uint64_t)q * 10, 0);
		/* the uncounted ones would move the mean */
		rep.links[0].rx_bps = q < STOREAGG_N_MAX ? 100 : 1e9;
		rpt_target(&rep, 0, 210100000000ULL, RPT_OPER_UP,
			   q < STOREAGG_N_MAX ? 2.0 : 500.0, 0);
		feed(&s, &log);
	}
	assert_int_equal(log.n, 0);
	assert_int_equal(storeagg_close_hour(&s, NODE, rowlog_add, &log), 0);
	assert_int_equal(log.n, 4);
	for (int i = 0; i < 4; i++) {
		r = &log.r[i];
		assert_int_equal(r->samples, STOREAGG_N_MAX);
		if (r->kind == STORE_SERIES_LINK) {
			assert_int_equal(r->rx_bytes, (uint64_t)(total - 1) * 10);
			assert_true(r->rx_bps == 100);
		} else {
			assert_true(r->rtt_avg == 2.0);
		}
	}
	storestate_free(&s);
}

static void test_seq_ranges(void **state)
{
	struct storeseq s = {0};

	(void)state;
	for (uint64_t i = 1; i <= 10; i++)
		assert_int_equal(storeseq_add(&s, i), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(storeseq_add(&s, 20), 0);
	assert_int_equal(storeseq_add(&s, 15), 0);
	assert_int_equal(s.n, 3);
	assert_true(storeseq_has(&s, 1) && storeseq_has(&s, 10));
	assert_false(storeseq_has(&s, 11) || storeseq_has(&s, 0) ||
		     storeseq_has(&s, 21));
	/* filling 11..14 and 16..19 joins everything */
	for (uint64_t i = 11; i < 20; i++)
		assert_int_equal(storeseq_add(&s, i), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].lo, 1);
	assert_int_equal(s.v[0].hi, 20);
	/* a range over several */
	assert_int_equal(storeseq_add_range(&s, 30, 40), 0);
	assert_int_equal(storeseq_add_range(&s, 50, 60), 0);
	assert_int_equal(storeseq_add_range(&s, 21, 55), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].hi, 60);
	assert_int_equal(storeseq_add_range(&s, 9, 3), -EINVAL);
	storeseq_free(&s);
}

static void test_seq_bound(void **state)
{
	struct storeseq s = {0};

	(void)state;
	/* every other number: the set stays bounded, the low end merged */
	for (uint64_t i = 1; i <= 2 * (STORESEQ_MAX + 100); i += 2)
		assert_int_equal(storeseq_add(&s, i), 0);
	assert_int_equal(s.n, STORESEQ_MAX);
	assert_true(storeseq_has(&s, 2)); /* the merged gap */
	assert_false(storeseq_has(&s, 2 * (STORESEQ_MAX + 100) - 2));
	for (uint32_t i = 1; i < s.n; i++)
		assert_true(s.v[i - 1].hi + 1 < s.v[i].lo);
	storeseq_free(&s);
}

static void test_state_roundtrip(void **state)
{
	struct storestate s, back;
	struct rowlog log = {0};
	char err[128];
	json_t *j;

	(void)state;
	storestate_init(&s);
	rpt_county(&rep, NODE, 7, T0);
	rep.drift = true;
	rep.links[3].state = RPT_OPER_DOWN;
	feed(&s, &log);
	j = storestate_to_json(&s);
	assert_non_null(j);
	assert_int_equal(storestate_from_json(&back, NODE, j, err, sizeof(err)),
			 0);
	json_decref(j);
	assert_true(back.seen);
	assert_int_equal(back.seq, 7);
	assert_int_equal(back.time_ms, T0);
	assert_true(back.drift);
	assert_int_equal(back.n_links, RPT_LINKS);
	assert_int_equal(back.n_targets, RPT_TARGETS);
	for (int i = 0; i < RPT_LINKS; i++) {
		const struct store_link_now *a = &storenow_links(back.cur)[i],
					    *b = &storenow_links(s.cur)[i];

		assert_string_equal(a->name, b->name);
		assert_int_equal(a->state, b->state);
		assert_int_equal(a->has_counters, b->has_counters);
		assert_int_equal(a->rx_bytes, b->rx_bytes);
		assert_int_equal(a->tx_bytes, b->tx_bytes);
		assert_true(a->rx_bps < 0); /* rates are not saved */
	}
	for (int i = 0; i < RPT_TARGETS; i++) {
		const struct store_target_now *a = &storenow_targets(back.cur)[i],
					      *b = &storenow_targets(s.cur)[i];

		assert_int_equal(a->code, b->code);
		assert_int_equal(a->state, b->state);
		assert_int_equal(a->rel, b->rel); /* from the codes */
		assert_true(a->rtt_ms < 0);
	}
	/* the sums start empty, one per key */
	assert_non_null(back.links);
	assert_int_equal(back.links[0].m.n, 0);
	storestate_free(&back);
	storestate_free(&s);
}

static const char *const bad_states[] = {
	"[]",
	"{\"v\":2,\"seq\":1,\"t\":0,\"up\":0,\"drift\":false,\"apply\":0,"
	"\"l\":[],\"tg\":[]}",
	"{\"v\":1,\"seq\":-1,\"t\":0,\"up\":0,\"drift\":false,\"apply\":0,"
	"\"l\":[],\"tg\":[]}",
	"{\"v\":1,\"seq\":1,\"t\":0,\"up\":0,\"drift\":false,\"apply\":99,"
	"\"l\":[],\"tg\":[]}",
	"{\"v\":1,\"seq\":1,\"t\":0,\"up\":0,\"drift\":false,\"apply\":0,"
	"\"l\":[[\"a-name-far-too-long-for-ifnamsiz\",1,true,0,0]],\"tg\":[]}",
	"{\"v\":1,\"seq\":1,\"t\":0,\"up\":0,\"drift\":false,\"apply\":0,"
	"\"l\":[[\"eth0\",7,true,0,0]],\"tg\":[]}",
	"{\"v\":1,\"seq\":1,\"t\":0,\"up\":0,\"drift\":false,\"apply\":0,"
	"\"l\":[],\"tg\":[[12,1]]}",
	"{\"v\":1,\"seq\":1,\"t\":0,\"up\":0,\"drift\":false,\"apply\":0,"
	"\"l\":[],\"tg\":[],\"extra\":1}",
};

static void test_state_hostile(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_states) / sizeof(bad_states[0]); i++) {
		struct storestate s;
		char err[128] = "";
		json_t *j = json_loads(bad_states[i], 0, NULL);

		assert_non_null(j);
		assert_int_equal(storestate_from_json(&s, NODE, j, err,
						      sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "node state"));
		assert_false(s.seen);
		assert_null(s.links);
		assert_null(s.cur);
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_minute_rows),
		cmocka_unit_test(test_counter_reset_and_new_link),
		cmocka_unit_test(test_hour_rows),
		cmocka_unit_test(test_late_report_ignored),
		cmocka_unit_test(test_float_precision),
		cmocka_unit_test(test_count_saturates),
		cmocka_unit_test(test_seq_ranges),
		cmocka_unit_test(test_seq_bound),
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_state_hostile),
	};

	return cmocka_run_group_tests_name("storeagg", t, NULL, NULL);
}
