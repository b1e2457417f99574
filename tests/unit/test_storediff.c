// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of collector/store/storediff.c, the events derived from two
 * consecutive reports of a node: agent seen (first report, after a gap
 * beyond the gap rule, not at it), agent restarted (uptime back), link and
 * target up/down by name and code (a new one or a change to "unknown"
 * gives none), drift found/cleared, apply results from the report's
 * RPT_EV_APPLY events only, and a late report (seq not above the last)
 * giving its apply events but no transitions.  Each case feeds a sequence
 * of reports through storediff() and the state update (storeagg_advance)
 * exactly as the writer does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/store/storeagg.h"
#include "collector/store/storediff.h"

#include "tests/unit/reports.h"

#define NODE 210102000000ULL
#define GAP  (3 * 60000LL)

static struct report rep;

struct evlog {
	int n;
	struct store_event ev[64];
};

static void evlog_add(void *arg, const struct store_event *e)
{
	struct evlog *l = arg;

	assert_true(l->n < 64);
	l->ev[l->n++] = *e;
}

static int no_rows(void *arg, code_t node, const struct store_series_row *r)
{
	(void)arg;
	(void)node;
	(void)r;
	return 0;
}

/* Feed rep to the state; the events in *log (cleared first). */
static void step(struct storestate *s, struct evlog *log)
{
	struct storerep *p = storerep_new(&rep, "{}", 2);
	int n;

	assert_non_null(p);
	log->n = 0;
	n = storediff(s, p, GAP, evlog_add, log);
	assert_int_equal(n, log->n);
	assert_int_equal(storeagg_advance(s, p, no_rows, NULL), 0);
	storerep_free(p);
}

/* Two links, two targets, all up, at time t. */
static void small(uint64_t seq, long long t)
{
	rpt_base(&rep, NODE, seq, t);
	rpt_link(&rep, 0, "uplink", RPT_OPER_UP, seq * 1000, seq * 500);
	rpt_link(&rep, 1, "lan0", RPT_OPER_UP, seq * 10, seq * 5);
	rpt_target(&rep, 0, 210100000000ULL, RPT_OPER_UP, 2.0, 0);
	rpt_target(&rep, 1, 210102001000ULL, RPT_OPER_UP, 3.0, 0);
}

static void assert_event(const struct store_event *e, enum store_ev type,
			 const char *subject, long long t)
{
	assert_string_equal(store_ev_words[e->type], store_ev_words[type]);
	assert_string_equal(e->subject, subject);
	assert_int_equal(e->time_ms, t);
	assert_int_equal(e->node, NODE);
}

static void test_first_report(void **state)
{
	struct storestate s;
	struct evlog log;

	(void)state;
	storestate_init(&s);
	small(1, 1000000);
	step(&s, &log);
	assert_int_equal(log.n, 1);
	assert_event(&log.ev[0], STORE_EV_SEEN, "", 1000000);
	assert_string_equal(log.ev[0].text, "first report");
	/* the same again, one interval later: nothing */
	small(2, 1060000);
	step(&s, &log);
	assert_int_equal(log.n, 0);
	storestate_free(&s);
}

static void test_gap_rule(void **state)
{
	struct storestate s;
	struct evlog log;

	(void)state;
	storestate_init(&s);
	small(1, 1000000);
	step(&s, &log);
	/* exactly the gap: still the same run */
	small(2, 1000000 + GAP);
	step(&s, &log);
	assert_int_equal(log.n, 0);
	/* one ms beyond it: seen again */
	small(3, 1000000 + 2 * GAP + 1);
	step(&s, &log);
	assert_int_equal(log.n, 1);
	assert_event(&log.ev[0], STORE_EV_SEEN, "", 1000000 + 2 * GAP + 1);
	assert_non_null(strstr(log.ev[0].text, "180 s"));
	storestate_free(&s);
}

static void test_restart(void **state)
{
	struct storestate s;
	struct evlog log;

	(void)state;
	storestate_init(&s);
	small(10, 1000000);
	step(&s, &log);
	small(11, 1060000);
	rep.uptime_s = 5; /* was 600 */
	step(&s, &log);
	assert_int_equal(log.n, 1);
	assert_event(&log.ev[0], STORE_EV_RESTART, "", 1060000);
	assert_string_equal(log.ev[0].text, "uptime 5 s, was 600 s");
	storestate_free(&s);
}

static void test_link_target_changes(void **state)
{
	struct storestate s;
	struct evlog log;

	(void)state;
	storestate_init(&s);
	small(1, 1000000);
	step(&s, &log);
	small(2, 1060000);
	rep.links[1].state = RPT_OPER_DOWN;
	rep.targets[1].state = RPT_OPER_DOWN;
	step(&s, &log);
	assert_int_equal(log.n, 2);
	assert_event(&log.ev[0], STORE_EV_LINK_DOWN, "lan0", 1060000);
	assert_string_equal(log.ev[0].text, "down, was up");
	assert_event(&log.ev[1], STORE_EV_TARGET_DOWN, "210102001000", 1060000);
	/* the order of links changes and lan0 comes back: found by name */
	small(3, 1120000);
	rep.links[0] = rep.links[1];
	rpt_link(&rep, 1, "uplink", RPT_OPER_UP, 3000, 1500);
	step(&s, &log);
	assert_int_equal(log.n, 2);
	assert_event(&log.ev[0], STORE_EV_LINK_UP, "lan0", 1120000);
	assert_event(&log.ev[1], STORE_EV_TARGET_UP, "210102001000", 1120000);
	/* unknown is no transition; a new link gives none either */
	small(4, 1180000);
	rep.links[0].state = RPT_OPER_UNKNOWN;
	rpt_link(&rep, 2, "lan1", RPT_OPER_DOWN, 0, 0);
	step(&s, &log);
	assert_int_equal(log.n, 0);
	/* and from unknown to down is one */
	small(5, 1240000);
	rep.links[0].state = RPT_OPER_DOWN;
	step(&s, &log);
	assert_int_equal(log.n, 1);
	assert_event(&log.ev[0], STORE_EV_LINK_DOWN, "uplink", 1240000);
	assert_string_equal(log.ev[0].text, "down, was unknown");
	storestate_free(&s);
}

static void test_drift(void **state)
{
	struct storestate s;
	struct evlog log;

	(void)state;
	storestate_init(&s);
	small(1, 1000000);
	step(&s, &log);
	small(2, 1060000);
	rep.drift = true;
	snprintf(rep.drift_text, sizeof(rep.drift_text),
		 "route 10.0.0.0/8 missing");
	step(&s, &log);
	assert_int_equal(log.n, 1);
	assert_event(&log.ev[0], STORE_EV_DRIFT_FOUND, "", 1060000);
	assert_string_equal(log.ev[0].text, "route 10.0.0.0/8 missing");
	small(3, 1120000);
	rep.drift = true;
	step(&s, &log);
	assert_int_equal(log.n, 0);
	small(4, 1180000);
	step(&s, &log);
	assert_int_equal(log.n, 1);
	assert_event(&log.ev[0], STORE_EV_DRIFT_CLEARED, "", 1180000);
	storestate_free(&s);
}

static void test_apply_events(void **state)
{
	struct storestate s;
	struct evlog log;
	struct report_event *e;

	(void)state;
	storestate_init(&s);
	small(1, 1000000);
	step(&s, &log);
	small(2, 1060000);
	/* a link event of the report itself is not an apply result */
	e = &rep.events[rep.n_events++];
	memset(e, 0, sizeof(*e));
	e->type = RPT_EV_LINK;
	e->time_ms = 1050000;
	snprintf(e->link, sizeof(e->link), "lan0");
	rpt_apply(&rep, 1055000, true, "sha256:aa", "applied 12 changes");
	rpt_apply(&rep, 1058000, false, "sha256:bb", "route: EEXIST");
	step(&s, &log);
	assert_int_equal(log.n, 2);
	assert_event(&log.ev[0], STORE_EV_APPLY_OK, "sha256:aa", 1055000);
	assert_string_equal(log.ev[0].text, "applied 12 changes");
	assert_event(&log.ev[1], STORE_EV_APPLY_FAILED, "sha256:bb", 1058000);
	storestate_free(&s);
}

static void test_late_report(void **state)
{
	struct storestate s;
	struct evlog log;

	(void)state;
	storestate_init(&s);
	small(5, 1000000);
	step(&s, &log);
	/* seq 3 arrives late, with a link down and an apply result: only
	 * the apply result counts, and the state stays that of seq 5 */
	small(3, 880000);
	rep.links[0].state = RPT_OPER_DOWN;
	rep.uptime_s = 1;
	rpt_apply(&rep, 870000, true, "sha256:cc", "ok");
	step(&s, &log);
	assert_int_equal(log.n, 1);
	assert_event(&log.ev[0], STORE_EV_APPLY_OK, "sha256:cc", 870000);
	assert_int_equal(s.seq, 5);
	assert_int_equal(storenow_links(s.cur)[0].state, RPT_OPER_UP);
	/* the next in order compares with seq 5: link still up, no event */
	small(6, 1060000);
	step(&s, &log);
	assert_int_equal(log.n, 0);
	storestate_free(&s);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_first_report),
		cmocka_unit_test(test_gap_rule),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_link_target_changes),
		cmocka_unit_test(test_drift),
		cmocka_unit_test(test_apply_events),
		cmocka_unit_test(test_late_report),
	};

	return cmocka_run_group_tests_name("storediff", t, NULL, NULL);
}
