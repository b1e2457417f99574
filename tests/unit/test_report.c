// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of common/report.h, the report schema v1: the golden county
 * report (docs/report.md's example) decodes, and encodes back to the very
 * same text; a report filled with every kind of value, edge values
 * included, comes back field by field through report_encode() and
 * report_decode() into a struct full of garbage; every class of refusal
 * gives its enum report_err and a reason naming the field (one row per
 * case, each a change to the golden report by path); the body's size and
 * nesting at and over their bounds; report_check() refuses what the
 * encoder must not send.  The bounds of arrays and strings are
 * test_report_bounds.c's, generated hostile bodies test_report_hostile.c's.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/reportcase.h"
#include "tests/unit/rows.h"

/* ---- the golden report -------------------------------------------------- */

static void test_golden_round_trip(void **state)
{
	size_t len = 0;
	char *text = rc_slurp(GOLDEN, &len), *again, err[256];
	enum report_err why;
	json_t *j;

	(void)state;
	assert_non_null(text);
	assert_int_equal(rc_decode(text, len, &why, err, sizeof(err)), 0);
	assert_int_equal(why, REPORT_ERR_NONE);
	assert_int_equal(rc_r->n_links, 8);
	assert_int_equal(rc_r->n_targets, 10);
	/* the file is what the encoder writes, indented, byte for byte */
	j = report_to_json(rc_r);
	again = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	assert_non_null(again);
	assert_true(len == strlen(again) + 1 && text[len - 1] == '\n');
	assert_memory_equal(text, again, len - 1);
	assert_int_equal(report_check(rc_r, err, sizeof(err)), 0);
	json_decref(j);
	free(again);
	/* docs/report.md shows the very same file */
	again = rc_slurp("docs/report.md", &len);
	assert_non_null(again);
	assert_non_null(strstr(again, text));
	free(again);
	free(text);
}

/* ---- a filled report, field by field ------------------------------------ */

static void fill(struct report *r)
{
	static const char *const why[] = {
		"netfilter_drop", "no_socket",	 "ip_inhdr",
		"tcp_csum",	  "udp_csum",	 "otherhost",
		"pkt_too_small",  "ip_rpfilter", "ip_noproto",
		"socket_rcvbuff", "proto_mem",	 "neigh_failed",
		"qdisc_drop",	  "full_ring",	 "carrier_lost",
		"dev_ready"};

	memset(r, 0, sizeof(*r));
	r->schema = REPORT_SCHEMA;
	r->node = 210102001000ULL;
	r->level = LEVEL_TOWNSHIP;
	r->parent = 210102000000ULL;
	r->seq = INT64_MAX;
	r->time_ms = 4102444799999LL;
	snprintf(r->agent_version, sizeof(r->agent_version), "0.1.0+g1a2b3c");
	r->uptime_s = 3155760000LL;
	r->interval_s = 3600;
	snprintf(r->profile, sizeof(r->profile), "township \"试行\"");
	snprintf(r->profile_version, sizeof(r->profile_version), "2024.2");
	snprintf(r->profile_hash, sizeof(r->profile_hash), "sha256:%064d", 7);
	r->apply = RPT_APPLY_PENDING;
	r->drift = true;
	snprintf(r->drift_text, sizeof(r->drift_text),
		 "eg-lan: mtu 1500,\twant 9000 \\ \"quoted\"");
	r->n_links = 3;
	snprintf(r->links[0].name, 16, "eth0");
	snprintf(r->links[0].role, 64, "uplink");
	snprintf(r->links[0].zone, 64, "common");
	r->links[0].state = RPT_OPER_DOWN;
	r->links[0].has_counters = true;
	r->links[0].rx_packets = INT64_MAX;
	r->links[0].rx_bytes = 1;
	r->links[0].tx_packets = 0;
	r->links[0].tx_bytes = 123456789012345ULL;
	r->links[0].rx_bps = 1e13;
	r->links[0].tx_bps = 0.1 + 0.2;
	r->links[0].has_drops = true;
	r->links[0].drop_packets = 5000;
	r->links[0].drop_bytes = 600000;
	r->links[0].n_drops = REPORT_MAX_DROPS;
	for (int i = 0; i < REPORT_MAX_DROPS; i++) {
		snprintf(r->links[0].drops[i].reason, REPORT_NAME_LEN, "%s",
			 why[i]);
		r->links[0].drops[i].packets = (uint64_t)(100 - i);
		r->links[0].drops[i].bytes = (uint64_t)(100 - i) * 64;
	}
	snprintf(r->links[1].name, 16, "eg-lan");
	snprintf(r->links[1].role, 64, "lan");
	r->links[1].state = RPT_OPER_UNKNOWN; /* no zone, counters, drops */
	snprintf(r->links[2].name, 16, "eth1");
	snprintf(r->links[2].role, 64, "port");
	snprintf(r->links[2].zone, 64, "common");
	r->links[2].state = RPT_OPER_UP;
	r->links[2].has_drops = true; /* drops without reasons */
	r->links[2].drop_packets = 3;
	r->links[2].drop_bytes = 180;
	r->n_targets = 4;
	for (int i = 0; i < 4; i++) {
		struct report_target *t = &r->targets[i];

		t->code = i ? 210102001000ULL + (code_t)i : r->parent;
		t->rel = i ? RPT_REL_VILLAGE : RPT_REL_PARENT;
		snprintf(t->name, sizeof(t->name), i ? "社区 %d" : "", i);
		t->state = (enum report_oper)(i % 3);
		t->since_ms = i ? 1577836800000LL + i : 0;
		t->rtt_ms = i == 1 ? -1 : 60000.0 - i;
		t->rtt_avg_ms = i == 2 ? -1 : 0.001 * i;
		t->jitter_ms = i == 3 ? -1 : 1.0 / 3;
		t->loss_pct = 100.0 * i / 3;
		t->stamps = (enum report_stamp)(i + 1 == 4 ? 0 : i + 1);
		t->sent = 1000 + (uint64_t)i;
		t->received = (uint64_t)i;
	}
	r->n_pairs = 2;
	snprintf(r->pairs[0].pair, 64, "common->internet");
	snprintf(r->pairs[1].pair, 64, "internet->local");
	r->pairs[0].acc_packets = 1;
	r->pairs[0].acc_bytes = 2;
	r->pairs[1].drop_packets = 3;
	r->pairs[1].drop_bytes = INT64_MAX;
	r->n_events = RPT_EV__N;
	for (int i = 0; i < RPT_EV__N; i++) {
		struct report_event *e = &r->events[i];

		e->type = (enum report_ev)i;
		e->time_ms = 1577836800000LL + i;
	}
	r->events[RPT_EV_TARGET].code = 210102001002ULL;
	r->events[RPT_EV_TARGET].state = RPT_OPER_DOWN;
	snprintf(r->events[RPT_EV_LINK].link, 16, "eth0");
	r->events[RPT_EV_LINK].state = RPT_OPER_UP;
	r->events[RPT_EV_APPLY].ok = true;
	snprintf(r->events[RPT_EV_APPLY].text, REPORT_TEXT_LEN, "applied");
	snprintf(r->events[RPT_EV_APPLY].hash, 72, "%s", r->profile_hash);
	r->events[RPT_EV_DRIFT].ok = true;
	snprintf(r->events[RPT_EV_DRIFT].text, REPORT_TEXT_LEN, "corrected");
}

#define SAME_INT(f) assert_true(a->f == b->f)
#define SAME_STR(f) assert_string_equal(a->f, b->f)
#define SAME_DBL(f) assert_true(a->f == b->f || (a->f < 0 && b->f < 0))

static void same_link(const struct report_link *a, const struct report_link *b)
{
	SAME_STR(name);
	SAME_STR(role);
	SAME_STR(zone);
	SAME_INT(state);
	SAME_INT(has_counters);
	if (a->has_counters) {
		SAME_INT(rx_packets);
		SAME_INT(rx_bytes);
		SAME_INT(tx_packets);
		SAME_INT(tx_bytes);
		/* 15 digits on the wire */
		assert_true(fabs(a->rx_bps - b->rx_bps) <= 1e-14 * a->rx_bps);
		assert_true(fabs(a->tx_bps - b->tx_bps) <= 1e-14 * a->tx_bps);
	}
	SAME_INT(has_drops);
	if (!a->has_drops)
		return;
	SAME_INT(drop_packets);
	SAME_INT(drop_bytes);
	SAME_INT(n_drops);
	for (int i = 0; i < a->n_drops; i++) {
		SAME_STR(drops[i].reason);
		SAME_INT(drops[i].packets);
		SAME_INT(drops[i].bytes);
	}
}

static void same_event(const struct report_event *a,
		       const struct report_event *b)
{
	SAME_INT(time_ms);
	SAME_INT(type);
	switch (a->type) {
	case RPT_EV_TARGET:
		SAME_INT(code);
		SAME_INT(state);
		break;
	case RPT_EV_LINK:
		SAME_STR(link);
		SAME_INT(state);
		break;
	case RPT_EV_APPLY:
		SAME_STR(hash);
		/* fall through */
	case RPT_EV_DRIFT:
		SAME_INT(ok);
		SAME_STR(text);
		break;
	default:
		break;
	}
}

static void same(const struct report *a, const struct report *b)
{
	SAME_INT(schema);
	SAME_INT(node);
	SAME_INT(level);
	SAME_INT(parent);
	SAME_INT(seq);
	SAME_INT(time_ms);
	SAME_STR(agent_version);
	SAME_INT(uptime_s);
	SAME_INT(interval_s);
	SAME_STR(profile);
	SAME_STR(profile_version);
	SAME_STR(profile_hash);
	SAME_INT(apply);
	SAME_INT(drift);
	SAME_STR(drift_text);
	SAME_INT(n_links);
	SAME_INT(n_targets);
	SAME_INT(n_pairs);
	SAME_INT(n_events);
	for (int i = 0; i < a->n_links; i++)
		same_link(&a->links[i], &b->links[i]);
	for (int i = 0; i < a->n_targets; i++) {
		SAME_INT(targets[i].code);
		SAME_STR(targets[i].name);
		SAME_INT(targets[i].rel);
		SAME_INT(targets[i].state);
		SAME_INT(targets[i].since_ms);
		SAME_DBL(targets[i].rtt_ms);
		SAME_DBL(targets[i].rtt_avg_ms);
		assert_true(fabs(a->targets[i].jitter_ms -
				 b->targets[i].jitter_ms) < 1e-14);
		assert_true(fabs(a->targets[i].loss_pct -
				 b->targets[i].loss_pct) < 1e-12);
		SAME_INT(targets[i].stamps);
		SAME_INT(targets[i].sent);
		SAME_INT(targets[i].received);
	}
	for (int i = 0; i < a->n_pairs; i++) {
		SAME_STR(pairs[i].pair);
		SAME_INT(pairs[i].acc_packets);
		SAME_INT(pairs[i].acc_bytes);
		SAME_INT(pairs[i].drop_packets);
		SAME_INT(pairs[i].drop_bytes);
	}
	for (int i = 0; i < a->n_events; i++)
		same_event(&a->events[i], &b->events[i]);
}

static void test_filled_round_trip(void **state)
{
	struct report *r = malloc(sizeof(*r));
	enum report_err why;
	char err[256], *s, *s2;
	size_t len, len2;

	(void)state;
	fill(r);
	assert_int_equal(report_encode(r, &s, &len, err, sizeof(err)), 0);
	assert_int_equal(rc_decode(s, len, &why, err, sizeof(err)), 0);
	same(r, rc_r);
	/* and what was decoded encodes to the same body again */
	assert_int_equal(report_encode(rc_r, &s2, &len2, err, sizeof(err)), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(s, s2, len);
	free(s);
	free(s2);
	free(r);
}

/* ---- refusals: one change to the golden report each --------------------- */

static const struct refusal {
	const char *path, *value; /* NULL value: the member removed */
	enum report_err why;
	const char *reason; /* a fragment of the reason, path included */
} refusals[] = {
	/* version */
	{"schema", "2", REPORT_ERR_VERSION, "schema: 2 is not 1"},
	{"schema", "\"1\"", REPORT_ERR_VERSION, "schema: the integer 1"},
	{"schema", NULL, REPORT_ERR_SCHEMA, "schema: missing"},
	/* unknown and missing members */
	{"extra", "1", REPORT_ERR_SCHEMA, "extra: unknown member"},
	{"links[0].counters.rx_drops", "1", REPORT_ERR_SCHEMA,
	 "links[0].counters.rx_drops: unknown member"},
	{"events[1].code", "\"210102006000\"", REPORT_ERR_SCHEMA,
	 "events[1].code: unknown member"},
	{"seq", NULL, REPORT_ERR_SCHEMA, "seq: missing"},
	{"targets[1].stamps", NULL, REPORT_ERR_SCHEMA,
	 "targets[1].stamps: missing"},
	{"events[2].corrected", NULL, REPORT_ERR_SCHEMA,
	 "events[2].corrected: missing"},
	{"events[0].type", NULL, REPORT_ERR_SCHEMA, "events[0].type: missing"},
	/* types */
	{"seq", "\"48213\"", REPORT_ERR_SCHEMA,
	 "seq: an integer expected, not a string"},
	{"seq", "48213.0", REPORT_ERR_SCHEMA, "seq: an integer expected"},
	{"links", "{}", REPORT_ERR_SCHEMA, "links: an array expected"},
	{"links[0]", "5", REPORT_ERR_SCHEMA, "links[0]: an object expected"},
	{"drift.found", "1", REPORT_ERR_SCHEMA, "drift.found: true or false"},
	{"targets[0].rtt_ms", "\"1\"", REPORT_ERR_SCHEMA,
	 "targets[0].rtt_ms: a number or null"},
	{"targets[0].loss_pct", "null", REPORT_ERR_SCHEMA,
	 "targets[0].loss_pct: a number expected"},
	{"profile", "[]", REPORT_ERR_SCHEMA, "profile: an object or null"},
	{"links[0].drops.reasons", "[]", REPORT_ERR_SCHEMA,
	 "links[0].drops.reasons: an object expected"},
	{"firewall.pairs.common->local.accepted", "null", REPORT_ERR_SCHEMA,
	 "firewall.pairs.common->local.accepted: an object expected"},
	/* ranges */
	{"links[0].counters.rx_bytes", "-1", REPORT_ERR_RANGE,
	 "links[0].counters.rx_bytes: -1 is negative"},
	{"seq", "0", REPORT_ERR_RANGE, "seq: 0: a sequence number starts at 1"},
	{"time_ms", "1500000000000", REPORT_ERR_RANGE,
	 "time_ms: 1500000000000 is "
	 "not a time from 2020"},
	{"time_ms", "4102444800000", REPORT_ERR_RANGE,
	 "time_ms: 4102444800000"},
	{"targets[2].since_ms", "-5", REPORT_ERR_RANGE, "targets[2].since_ms"},
	{"targets[1].loss_pct", "100.5", REPORT_ERR_RANGE,
	 "targets[1].loss_pct: 100.5 is out of range 0..100"},
	{"targets[1].loss_pct", "-0.1", REPORT_ERR_RANGE,
	 "targets[1].loss_pct"},
	{"targets[1].rtt_ms", "-1", REPORT_ERR_RANGE,
	 "targets[1].rtt_ms: -1 is out of range 0..60000 (null"},
	{"targets[1].jitter_ms", "60000.5", REPORT_ERR_RANGE,
	 "targets[1].jitter_ms"},
	{"agent.uptime_s", "-1", REPORT_ERR_RANGE, "agent.uptime_s: -1"},
	{"agent.interval_s", "0", REPORT_ERR_RANGE,
	 "agent.interval_s: 0 is out of range 1..3600"},
	{"agent.interval_s", "3601", REPORT_ERR_RANGE,
	 "agent.interval_s: 3601 is out of range 1..3600"},
	{"events[0].time_ms", "0", REPORT_ERR_RANGE, "events[0].time_ms: 0"},
	{"links[1].counters.tx_bps", "1e14", REPORT_ERR_RANGE,
	 "links[1].counters.tx_bps"},
	/* words */
	{"links[3].state", "\"sideways\"", REPORT_ERR_SCHEMA,
	 "links[3].state: \"sideways\" is not one of unknown, up, down"},
	{"apply", "\"ok\"", REPORT_ERR_SCHEMA,
	 "apply: \"ok\" is not one of "
	 "unapplied, converged"},
	{"targets[0].stamps", "\"tsc\"", REPORT_ERR_SCHEMA,
	 "targets[0].stamps: \"tsc\" is not one of user, socket-rx, socket, "
	 "ebpf, null"},
	{"events[0].type", "\"reboot\"", REPORT_ERR_SCHEMA, "events[0].type"},
	{"node.level", "\"moon\"", REPORT_ERR_SCHEMA, "node.level: \"moon\""},
	/* codes */
	{"node.code", "\"210102\"", REPORT_ERR_CODE,
	 "node.code: \"210102\" is not 12 digits"},
	{"node.code", "\"21010200000a\"", REPORT_ERR_CODE, "non-digit"},
	{"node.code", "\"000102000000\"", REPORT_ERR_CODE, "province group"},
	{"node.parent", "\"210102001000\"", REPORT_ERR_CODE,
	 "node: parent 210102001000 is a township, not above the county "
	 "210102000000"},
	{"node.parent", "\"210102000000\"", REPORT_ERR_CODE,
	 "node: parent 210102000000 is a county, not above"},
	{"node.parent", "\"210102001001\"", REPORT_ERR_CODE,
	 "is a village, not above"},
	{"targets[6].refused", "1", REPORT_ERR_SCHEMA,
	 "targets[6].refused: true or false expected"},
	{"node.parent", "null", REPORT_ERR_CODE, "node: parent null"},
	{"node.level", "\"city\"", REPORT_ERR_CODE,
	 "node: level city, but 210102000000 is a county"},
	{"targets[1].code", "\"210103001000\"", REPORT_ERR_CODE,
	 "targets[1].relation: 210103001000 is not a child gateway of node"},
	{"targets[0].relation", "\"child\"", REPORT_ERR_CODE,
	 "targets[0].relation"},
	{"targets[1].relation", "\"parent\"", REPORT_ERR_CODE,
	 "is not the parent of node"},
	{"targets[1].relation", "\"village\"", REPORT_ERR_CODE,
	 "is not a village under node"},
	{"events[0].code", "\"2101\"", REPORT_ERR_CODE, "events[0].code"},
	{"events[0].code", "\"210102001001\"", REPORT_ERR_CODE,
	 "events[0].code: 210102001001 is neither the parent nor a child"},
	/* strings */
	{"links[0].name", "\"eth0:1\"", REPORT_ERR_SCHEMA,
	 "links[0].name: not an interface name: ':'"},
	{"links[0].name", "\"lo\"", REPORT_ERR_SCHEMA, "loopback"},
	{"links[0].name", "\"eth0 \"", REPORT_ERR_SCHEMA,
	 "links[0].name: byte 4 (0x20) is not printable ASCII"},
	{"links[0].role", "\"\"", REPORT_ERR_SCHEMA, "links[0].role: empty"},
	{"links[0].zone", "\"com\\u0001mon\"", REPORT_ERR_SCHEMA,
	 "links[0].zone: byte 3 (0x01) is a control character"},
	{"targets[1].name", "\"太原\\u0085街\"", REPORT_ERR_SCHEMA,
	 "targets[1].name: byte 6 (0xc2) is a control character"},
	{"events[4].text", "\"a\\nb\"", REPORT_ERR_SCHEMA, "events[4].text"},
	{"drift.text", "\"a\\u007fb\"", REPORT_ERR_SCHEMA, "drift.text"},
	{"profile.hash", "\"sha 256\"", REPORT_ERR_SCHEMA, "profile.hash"},
	{"profile.name", "\"\"", REPORT_ERR_SCHEMA, "profile.name: empty"},
	{"links[0].drops.reasons.no\\u0001", "{\"packets\":1,\"bytes\":2}",
	 REPORT_ERR_SCHEMA, "is a control character"},
	{"firewall.pairs.common", "{}", REPORT_ERR_SCHEMA,
	 "firewall.pairs.common: a zone pair is FROM->TO"},
	{"firewall.pairs.a->b->c", "{}", REPORT_ERR_SCHEMA, "FROM->TO"},
	{"firewall.pairs.->b", "{}", REPORT_ERR_SCHEMA, "FROM->TO"},
	/* duplicates */
	{"links[1].name", "\"eth0\"", REPORT_ERR_SCHEMA,
	 "links[1].name: \"eth0\" is links[0]'s too"},
	{"targets[5].code", "\"210102002000\"", REPORT_ERR_SCHEMA,
	 "targets[5].code: 210102002000 is targets[2]'s too"},
};

static void test_refusal(void **state)
{
	const struct refusal *t = *state;
	json_t *j = rc_golden();
	enum report_err why;
	char err[256];

	/* "\\u0001" in a path stands for that byte in a key */
	if (strstr(t->path, "\\u0001")) {
		char p[128];

		snprintf(p, sizeof(p), "%.*s\001",
			 (int)(strstr(t->path, "\\u") - t->path), t->path);
		rc_set(j, p, t->value);
	} else {
		rc_set(j, t->path, t->value);
	}
	assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), -1);
	if (why != t->why || !strstr(err, t->reason))
		fail_msg("want %s \"%s\", got %s \"%s\"",
			 report_err_words[t->why], t->reason,
			 report_err_words[why], err);
	json_decref(j);
}

/* ---- refusals of the text itself ---------------------------------------- */

static char *compact_golden(size_t *len)
{
	json_t *j = rc_golden();
	char *s = json_dumps(j, DUMP_FLAGS);

	json_decref(j);
	*len = strlen(s);
	return s;
}

/* @s with @at replaced by @by (first occurrence), malloc'd. */
static char *replace(const char *s, const char *at, const char *by, size_t *len)
{
	/* "" is the end of the text */
	const char *p = *at ? strstr(s, at) : s + strlen(s);
	size_t n = strlen(s) - strlen(at) + strlen(by);
	char *o = malloc(n + 1);

	assert_non_null(p);
	memcpy(o, s, (size_t)(p - s));
	memcpy(o + (p - s), by, strlen(by));
	strcpy(o + (p - s) + strlen(by), p + strlen(at));
	*len = n;
	return o;
}

static const struct text_refusal {
	const char *name, *at, *by;
	enum report_err why;
	const char *reason;
} text_refusals[] = {
	{"duplicate key at the top", "{\"schema\":1,",
	 "{\"schema\":1,\"seq\":1,", REPORT_ERR_JSON, "duplicate object key"},
	{"duplicate key in a link", "\"state\":\"up\"",
	 "\"state\":\"up\",\"state\":\"down\"", REPORT_ERR_JSON, "duplicate"},
	{"bad UTF-8 in a name", "太原街", "\xff\xfe", REPORT_ERR_JSON,
	 "not JSON"},
	{"overlong UTF-8", "太原街", "\xc0\xaf", REPORT_ERR_JSON, "not JSON"},
	{"surrogate in UTF-8", "太原街", "\xed\xa0\x80", REPORT_ERR_JSON,
	 "not JSON"},
	{"escaped NUL", "\"eth0\"", "\"eth\\u0000\"", REPORT_ERR_JSON,
	 "not JSON"},
	{"lone surrogate escape", "\"eth0\"", "\"eth\\ud800\"", REPORT_ERR_JSON,
	 "not JSON"},
	{"trailing garbage", "", "x", REPORT_ERR_JSON, "end of file expected"},
	{"two documents", "", "{}", REPORT_ERR_JSON, "end of file expected"},
	{"a counter past 2^63", "\"rx_bytes\":702938475612",
	 "\"rx_bytes\":18446744073709551615", REPORT_ERR_JSON, "too big"},
};

static void test_text_refusal(void **state)
{
	const struct text_refusal *t = *state;
	size_t len, n;
	char *g = compact_golden(&len), *body = replace(g, t->at, t->by, &n),
	     err[256];
	enum report_err why;

	assert_int_equal(rc_decode(body, n, &why, err, sizeof(err)), -1);
	if (why != t->why || !strstr(err, t->reason))
		fail_msg("want %s \"%s\", got %s \"%s\"",
			 report_err_words[t->why], t->reason,
			 report_err_words[why], err);
	free(body);
	free(g);
}

static void test_raw_nul(void **state)
{
	size_t len;
	char *g = compact_golden(&len), err[256], *p = strstr(g, "eth0");
	enum report_err why;

	(void)state;
	/* jansson alone would skip it and read "eth" */
	p[3] = '\0';
	assert_int_equal(rc_decode(g, len, &why, err, sizeof(err)), -1);
	assert_int_equal(why, REPORT_ERR_JSON);
	assert_non_null(strstr(err, "report: a NUL byte at byte"));
	free(g);
}

static void test_not_an_object(void **state)
{
	static const char *const bodies[] = {"1", "\"report\"", "null"};
	enum report_err why;
	char err[256];

	(void)state;
	assert_int_equal(rc_decode("[{}]", 4, &why, err, sizeof(err)), -1);
	assert_int_equal(why, REPORT_ERR_SCHEMA);
	assert_non_null(
		strstr(err, "report: an object expected, not an array"));
	/* a bare value is not a JSON text for the parser */
	for (size_t i = 0; i < ROWS(bodies); i++) {
		assert_int_equal(rc_decode(bodies[i], strlen(bodies[i]), &why,
					   err, sizeof(err)),
				 -1);
		assert_int_equal(why, REPORT_ERR_JSON);
	}
	assert_int_equal(rc_decode("", 0, &why, err, sizeof(err)), -1);
	assert_int_equal(why, REPORT_ERR_JSON);
}

/* ---- size and depth ----------------------------------------------------- */

static void test_size_bound(void **state)
{
	size_t len;
	char *g = compact_golden(&len), err[256];
	char *big = malloc(REPORT_MAX_BYTES + 2);
	enum report_err why;

	(void)state;
	/* the report padded with blanks to exactly the bound: taken */
	memset(big, ' ', REPORT_MAX_BYTES + 1);
	memcpy(big, g, len);
	assert_int_equal(
		rc_decode(big, REPORT_MAX_BYTES, &why, err, sizeof(err)), 0);
	/* one byte over: refused before parsing */
	assert_int_equal(
		rc_decode(big, REPORT_MAX_BYTES + 1, &why, err, sizeof(err)),
		-1);
	assert_int_equal(why, REPORT_ERR_SIZE);
	assert_non_null(strstr(err, "1048577 bytes, over the 1048576"));
	free(big);
	free(g);
}

/* A report whose links[0].counters.rx_bytes nests @k arrays: the
 * counters object is at depth 4, so depth 4 + k. */
static void test_depth(void **state)
{
	enum report_err why;
	char err[256], v[64];

	(void)state;
	for (int k = 3; k <= 6; k++) {
		json_t *j = rc_golden();
		int d = 4 + k;

		snprintf(v, sizeof(v), "%.*s1%.*s", k, "[[[[[[[[", k,
			 "]]]]]]]]");
		rc_set(j, "links[0].counters.rx_bytes", v);
		assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), -1);
		if (d <= REPORT_MAX_DEPTH) {
			assert_int_equal(why, REPORT_ERR_SCHEMA);
			assert_non_null(strstr(err, "an integer expected"));
		} else {
			assert_int_equal(why, REPORT_ERR_JSON);
			assert_non_null(strstr(err, "nested deeper than 8"));
		}
		json_decref(j);
	}
	/* brackets inside strings do not count */
	{
		json_t *j = rc_golden();

		rc_set(j, "drift.text", "\"[[[[[[[[[[{{{{{{{{{{\\\"[[[[\"");
		assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), 0);
		json_decref(j);
	}
}

/* ---- report_check on structs -------------------------------------------- */

static void test_check(void **state)
{
	struct report *r = malloc(sizeof(*r));
	char err[256], *s;
	size_t len;

	(void)state;
#define REFUSED(change, frag)                                                  \
	do {                                                                   \
		fill(r);                                                       \
		change;                                                        \
		assert_int_equal(report_check(r, err, sizeof(err)), -1);       \
		if (!strstr(err, frag))                                        \
			fail_msg("%s: want \"%s\", got \"%s\"", #change, frag, \
				 err);                                         \
		assert_int_equal(report_encode(r, &s, &len, err, sizeof(err)), \
				 -1);                                          \
		assert_null(s);                                                \
	} while (0)
	fill(r);
	assert_int_equal(report_check(r, err, sizeof(err)), 0);
	REFUSED(r->schema = 2, "schema: 2 is not 1");
	REFUSED(r->links[0].rx_bytes = (uint64_t)INT64_MAX + 1,
		"links[0].counters.rx_bytes: 9223372036854775808 is over");
	REFUSED(r->seq = 0, "seq: 0");
	REFUSED(memset(r->links[0].zone, 'z', 64),
		"links[0].zone: not NUL-terminated");
	REFUSED(strcpy(r->targets[1].name, "\xff"),
		"targets[1].name: not UTF-8");
	REFUSED(r->targets[0].rtt_ms = NAN, "targets[0].rtt_ms: not a finite");
	REFUSED(r->links[0].rx_bps = INFINITY, "links[0].counters.rx_bps");
	REFUSED(r->targets[0].loss_pct = 101, "targets[0].loss_pct: 101");
	REFUSED(r->n_links = REPORT_MAX_LINKS + 1, "links: 257 entries");
	REFUSED(r->n_events = -1, "events: -1 entries");
	REFUSED(r->events[1].type = RPT_EV__N, "events[1].type: 5 is not");
	REFUSED(r->links[2].state = RPT_OPER__N, "links[2].state: 3 is not");
	REFUSED(r->targets[2].stamps = RPT_STAMP__N, "targets[2].stamps");
	REFUSED(strcpy(r->pairs[1].pair, "common->internet"),
		"firewall.pairs[1]: \"common->internet\" is [0]'s too");
	REFUSED(strcpy(r->pairs[1].pair, "common"), "FROM->TO");
	REFUSED(strcpy(r->links[0].drops[5].reason, "no_socket"),
		"links[0].drops.reasons[5]: reason \"no_socket\" is [1]'s too");
	REFUSED(strcpy(r->links[1].name, "eth0"), "links[1].name: \"eth0\"");
	REFUSED(r->level = LEVEL_COUNTY, "node: level county");
	REFUSED(r->node = 210102001001ULL, "villages run no agent");
	REFUSED(r->node = 1000000000000ULL, "node.code: more than 12");
	REFUSED(r->targets[1].code = 210102002001ULL,
		"targets[1].relation: 210102002001 is not a village under");
	REFUSED(r->events[0].code = 5, "events[0].code");
	REFUSED(r->parent = 0, "node: parent null, but 210102001000 is a");
	REFUSED(r->parent = 210102000001ULL, "node.parent: code '210102000001'");
	REFUSED(r->parent = 210102002000ULL, "is a township, not above");
	REFUSED(r->targets[1].refused = true,
		"targets[1].refused: true for a village");
	REFUSED(r->links[1].n_drops = 17; r->links[1].has_drops = true,
					  "links[1].drops.reasons: 17 entries");
	/* fields of a null part are not looked at */
	fill(r);
	r->links[1].rx_bps = NAN;
	r->targets[1].rtt_ms = -INFINITY; /* negative: not measured */
	assert_int_equal(report_check(r, err, sizeof(err)), 0);
	free(r);
}

/*
 * A parent above the node other than its code's is the agent's claim:
 * accepted and flagged (report_parent_mismatch), with the probe of that
 * parent and its events; round trip unchanged.  The golden one is not
 * flagged.
 */
static void test_parent_mismatch(void **state)
{
	json_t *j = rc_golden(), *back;
	enum report_err why;
	char err[256];

	(void)state;
	assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), 0);
	assert_false(report_parent_mismatch(rc_r));
	/* another city, and a province two levels up: both claims */
	for (int k = 0; k < 2; k++) {
		const char *p = k ? "\"210000000000\"" : "\"210200000000\"";

		rc_set(j, "node.parent", p);
		rc_set(j, "targets[0].code", p);
		if (rc_decode_json(j, &why, err, sizeof(err)))
			fail_msg("parent %s refused: %s", p, err);
		assert_int_equal(why, REPORT_ERR_NONE);
		assert_true(report_parent_mismatch(rc_r));
		assert_int_equal(rc_r->parent,
				 k ? 210000000000ULL : 210200000000ULL);
		assert_int_equal(report_check(rc_r, err, sizeof(err)), 0);
		back = report_to_json(rc_r);
		assert_true(json_equal(back, j));
		json_decref(back);
	}
	/* the parent's probe must still name the parent the report names */
	rc_set(j, "targets[0].code", "\"210100000000\"");
	assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), -1);
	assert_int_equal(why, REPORT_ERR_CODE);
	json_decref(j);
}

/* The reason is one line of UTF-8 and never overruns the buffer. */
static void test_reason_buffer(void **state)
{
	json_t *j = rc_golden();
	enum report_err why;
	char err[256], tiny[12];

	(void)state;
	rc_set(j, "links[0].state",
	       "\"\\n\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	       "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	       "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	       "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	       "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"");
	assert_int_equal(rc_decode_json(j, &why, err, sizeof(err)), -1);
	assert_null(strchr(err, '\n'));
	assert_non_null(strstr(err, "...\" is not one of"));
	for (size_t n = 1; n <= sizeof(tiny); n++) {
		char *s = json_dumps(j, DUMP_FLAGS);

		memset(tiny, 'Q', sizeof(tiny));
		assert_int_equal(
			report_decode(s, strlen(s), rc_r, &why, tiny, n), -1);
		assert_true(strlen(tiny) < n);
		assert_true(n == sizeof(tiny) || tiny[n] == 'Q');
		free(s);
	}
	/* no buffer at all */
	{
		char *s = json_dumps(j, DUMP_FLAGS);

		assert_int_equal(
			report_decode(s, strlen(s), rc_r, &why, NULL, 0), -1);
		assert_int_equal(why, REPORT_ERR_SCHEMA);
		free(s);
	}
	json_decref(j);
}

int main(void)
{
	add_test(test_golden_round_trip, NULL,
		 "golden county report round trip");
	add_test(test_filled_round_trip, NULL, "filled report round trip");
	for (size_t i = 0; i < ROWS(refusals); i++)
		add_test(test_refusal, &refusals[i], "refused: %s = %s",
			 refusals[i].path,
			 refusals[i].value ? refusals[i].value : "(removed)");
	for (size_t i = 0; i < ROWS(text_refusals); i++)
		add_test(test_text_refusal, &text_refusals[i], "refused: %s",
			 text_refusals[i].name);
	add_test(test_raw_nul, NULL, "refused: a NUL byte in the body");
	add_test(test_not_an_object, NULL, "refused: not an object");
	add_test(test_size_bound, NULL, "body size at and over the bound");
	add_test(test_depth, NULL, "nesting depth at and over the bound");
	add_test(test_check, NULL, "report_check refusals");
	add_test(test_parent_mismatch, NULL,
		 "another parent above: accepted, flagged");
	add_test(test_reason_buffer, NULL, "reason: one line, bounded");
	return _cmocka_run_group_tests("report", tests, ntests, rc_setup,
				       rc_teardown);
}
