// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of collector/api/metrics.h over a real store in a scratch
 * folder: the per-link and per-target samples are the last committed
 * report's (counters, rates over 8, RTT and jitter in seconds, loss as a
 * ratio, the relation label); a newer report replaces them; what a node
 * does not have (no counters, a target never answered) has no sample;
 * after a reopen the counters and states stay and the rates are gone;
 * label values are escaped; and the text's shape: one HELP and one TYPE
 * per family before its samples, a family's samples together, counters
 * ending in _total.  store_node_state() is checked on its own as well.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/api/metrics.h"
#include "collector/store/store.h"

#include "tests/unit/reports.h"
#include "tests/unit/scratch.h"

#define NODE_A 210102000000ULL
#define NODE_B 210103000000ULL
#define T0     (1767225600000LL)

static struct report rep;

static struct store *open_store(void)
{
	struct store_opts o;
	struct store *st = NULL;
	char err[256] = "";

	store_opts_default(&o, dir);
	o.flush_ms = 50;
	if (store_open(&st, &o, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	return st;
}

static void put_rep(struct store *st)
{
	assert_int_equal(store_put(st, &rep, "{}", 2, NULL, NULL), STORE_OK);
	assert_int_equal(store_sync(st), 0);
}

static char *text_of(struct store *st)
{
	struct metrics_buf b;

	assert_int_equal(metrics_format(st, NULL, NULL, NULL, NULL, T0, &b), 0);
	assert_non_null(b.p);
	assert_int_equal(strlen(b.p), b.len);
	return b.p;
}

/* The value of the sample line starting with @sel ("name{labels}"), or
 * fail; NULL @found: it must be absent. */
static double value_of(const char *text, const char *sel)
{
	const char *p = text;
	size_t n = strlen(sel);

	for (; (p = strstr(p, sel)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	fail_msg("no sample %s", sel);
	return 0;
}

static bool has_sample(const char *text, const char *sel)
{
	const char *p = text;
	size_t n = strlen(sel);

	for (; (p = strstr(p, sel)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return true;
	return false;
}

/* One HELP and TYPE per family, right before its samples, samples of a
 * family together, counters named _total; returns the families seen. */
static int check_shape(const char *text)
{
	char seen[64][80], cur[80] = "", type[16] = "";
	int n = 0;

	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		char name[80];
		size_t k;

		assert_non_null(e);
		if (!strncmp(l, "# HELP ", 7)) {
			assert_int_equal(sscanf(l + 7, "%79s", name), 1);
			for (int i = 0; i < n; i++)
				assert_string_not_equal(seen[i], name);
			assert_true(n < 64);
			snprintf(seen[n++], sizeof(seen[0]), "%s", name);
			snprintf(cur, sizeof(cur), "%s", name);
			type[0] = '\0';
		} else if (!strncmp(l, "# TYPE ", 7)) {
			assert_int_equal(sscanf(l + 7, "%79s %15s", name, type), 2);
			assert_string_equal(name, cur);
			if (!strcmp(type, "counter"))
				assert_non_null(strstr(name, "_total"));
		} else {
			k = strcspn(l, "{ ");
			assert_true(k < sizeof(name));
			memcpy(name, l, k);
			name[k] = '\0';
			assert_true(type[0] != '\0');
			/* a summary's or histogram's own suffixes */
			assert_int_equal(strncmp(name, cur, strlen(cur)), 0);
			assert_true(!strcmp(name, cur) ||
				    !strcmp(type, "summary") ||
				    !strcmp(type, "histogram"));
		}
		l = e + 1;
	}
	return n;
}

static void county(code_t node, uint64_t seq)
{
	rpt_county(&rep, node, seq, T0 + (long long)seq * 60000);
}

static void test_links_targets(void **state)
{
	struct store *st = open_store();
	char sel[200], *t;

	(void)state;
	county(NODE_A, 1);
	put_rep(st);
	county(NODE_A, 2);
	rep.links[3].state = RPT_OPER_DOWN;
	rep.links[5].has_counters = false; /* no counter source */
	rep.targets[4].rtt_ms = rep.targets[4].rtt_avg_ms = -1;
	rep.targets[4].jitter_ms = -1;
	rep.targets[4].state = RPT_OPER_DOWN;
	rep.targets[7].rel = RPT_REL_VILLAGE;
	put_rep(st);
	t = text_of(st);
	assert_true(check_shape(t) > 20);
	/* the second report's, not the first's */
	for (int i = 0; i < RPT_LINKS; i++) {
		const struct report_link *l = &rep.links[i];

		snprintf(sel, sizeof(sel),
			 "egnet_link_up{node=\"210102000000\",link=\"%s\"}",
			 l->name);
		assert_int_equal(value_of(t, sel), l->state == RPT_OPER_UP);
		snprintf(sel, sizeof(sel),
			 "egnet_link_receive_bytes_total{node=\"210102000000\","
			 "link=\"%s\"}", l->name);
		if (!l->has_counters) {
			assert_false(has_sample(t, sel));
			continue;
		}
		assert_true(value_of(t, sel) == (double)l->rx_bytes);
		snprintf(sel, sizeof(sel),
			 "egnet_link_transmit_bytes_total{node=\"210102000000\","
			 "link=\"%s\"}", l->name);
		assert_true(value_of(t, sel) == (double)l->tx_bytes);
		snprintf(sel, sizeof(sel),
			 "egnet_link_receive_bytes_per_second{node="
			 "\"210102000000\",link=\"%s\"}", l->name);
		assert_float_equal(value_of(t, sel), l->rx_bps / 8, 0.01);
	}
	for (int i = 0; i < RPT_TARGETS; i++) {
		const struct report_target *g = &rep.targets[i];
		char code[CODE_STRLEN];

		snprintf(sel, sizeof(sel),
			 "egnet_target_up{node=\"210102000000\",target=\"%s\","
			 "relation=\"%s\"}",
			 code_format(g->code, code), report_rel_words[g->rel]);
		assert_int_equal(value_of(t, sel), g->state == RPT_OPER_UP);
		snprintf(sel, sizeof(sel),
			 "egnet_target_rtt_seconds{node=\"210102000000\","
			 "target=\"%s\",relation=\"%s\"}",
			 code, report_rel_words[g->rel]);
		if (g->rtt_avg_ms < 0) {
			assert_false(has_sample(t, sel));
		} else {
			assert_float_equal(value_of(t, sel), g->rtt_avg_ms / 1000,
					   1e-6);
		}
		snprintf(sel, sizeof(sel),
			 "egnet_target_loss_ratio{node=\"210102000000\","
			 "target=\"%s\",relation=\"%s\"}",
			 code, report_rel_words[g->rel]);
		assert_float_equal(value_of(t, sel), g->loss_pct / 100, 1e-4);
	}
	free(t);

	/* reopened: counters and states stay, rates until the next report
	 * do not */
	store_close(st);
	st = open_store();
	t = text_of(st);
	check_shape(t);
	snprintf(sel, sizeof(sel), "egnet_link_receive_bytes_total{node="
		 "\"210102000000\",link=\"%s\"}", rep.links[0].name);
	assert_true(value_of(t, sel) == (double)rep.links[0].rx_bytes);
	assert_int_equal(value_of(t, "egnet_link_up{node=\"210102000000\","
				     "link=\"down3\"}"), 0);
	assert_null(strstr(t, "egnet_link_receive_bytes_per_second{"));
	assert_null(strstr(t, "egnet_target_rtt_seconds{"));
	/* the relation from the codes: the first target is the parent */
	assert_int_equal(value_of(t, "egnet_target_up{node=\"210102000000\","
				     "target=\"210100000000\","
				     "relation=\"parent\"}"), 1);
	free(t);
	store_close(st);
}

static void test_escaped_and_order(void **state)
{
	struct store *st = open_store();
	char *t;

	(void)state;
	county(NODE_B, 1);
	snprintf(rep.links[1].name, sizeof(rep.links[1].name), "a\"b\\c");
	put_rep(st);
	county(NODE_A, 1);
	put_rep(st);
	t = text_of(st);
	check_shape(t);
	assert_int_equal(value_of(t, "egnet_link_up{node=\"210103000000\","
				     "link=\"a\\\"b\\\\c\"}"), 1);
	/* nodes in code order within a family */
	assert_true(strstr(t, "egnet_link_up{node=\"210102000000\"") <
		    strstr(t, "egnet_link_up{node=\"210103000000\""));
	free(t);
	store_close(st);
}

struct nows {
	int n;
	code_t node[4];
	int links[4], targets[4];
	uint64_t rx0[4];
	float rtt0[4];
};

static int now_cb(void *arg, const struct store_node_now *n)
{
	struct nows *v = arg;

	if (v->n < 4) {
		v->node[v->n] = n->node;
		v->links[v->n] = n->n_links;
		v->targets[v->n] = n->n_targets;
		v->rx0[v->n] = n->n_links ? n->links[0].rx_bytes : 0;
		v->rtt0[v->n] = n->n_targets ? n->targets[0].rtt_ms : -2;
	}
	v->n++;
	return v->n == 2 ? 7 : 0; /* a non-zero return stops */
}

static void test_node_state(void **state)
{
	struct store *st = open_store();
	struct nows v = {0};

	(void)state;
	county(NODE_B, 3);
	put_rep(st);
	county(NODE_A, 5);
	rep.n_targets = 2;
	put_rep(st);
	county(NODE_A, 4); /* older: changes nothing */
	put_rep(st);
	rep.node = 210104000000ULL;
	put_rep(st);
	assert_int_equal(store_node_state(st, now_cb, &v), 7);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.node[0], NODE_A);
	assert_int_equal(v.node[1], NODE_B);
	assert_int_equal(v.links[0], RPT_LINKS);
	assert_int_equal(v.targets[0], 2);
	assert_int_equal(v.rx0[0], 5 * 1000003ULL);
	assert_int_equal(v.rx0[1], 3 * 1000003ULL);
	assert_float_equal(v.rtt0[0], 1.0 + 5 % 7, 1e-6);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(test_links_targets,
						scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_escaped_and_order,
						scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_node_state, scratch_setup,
						scratch_teardown),
	};

	(void)scratch_write;
	return cmocka_run_group_tests_name("metrics", t, NULL, NULL);
}
