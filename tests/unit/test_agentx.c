// SPDX-License-Identifier: BSD-2-Clause
/*
 * The AgentX subagent's pure parts: EGNET-MIB's instances built from the
 * agent's state (agentx_mib.c) — strictly increasing, every one reached
 * by GETNEXT from the root, GET of each, GETNEXT from names between
 * instances, absent values left out, hostile JSON members ignored — and
 * the node config's snmp.agentx settings as validate reports them.
 */
#include "tests/unit/loadcase.h"

#include "agent/snmp/agentx_mib.h"

#include <net-snmp/net-snmp-includes.h>

#define OBJ EGNET_MIB_OID, AXM_OBJECTS

static const struct axm_node NODE = {
	.code = "210102001000",
	.level = 4,
	.profile = "township",
	.version = "2026.11",
	.hash = "93456dab9a624747",
	.state = 2,
	.drift = 0,
};

/* two links (the second without counters), two targets (the second has
 * not answered: no RTT, no jitter) */
static const char *const LINKS_JSON =
	"{\"links\": ["
	"{\"name\": \"eth0\", \"role\": \"uplink\", \"zone\": \"common\", "
	"\"state\": \"up\", \"counters\": {\"rx_bytes\": 5000000000, "
	"\"tx_bytes\": 7, \"rx_packets\": 3, \"tx_packets\": 4}, "
	"\"drops\": {\"packets\": 9, \"bytes\": 900}},"
	"{\"name\": \"eg-lan\", \"role\": \"lan\", \"zone\": \"common\", "
	"\"state\": \"no-carrier\"}],"
	"\"targets\": ["
	"{\"code\": \"210102000000\", \"relation\": \"parent\", \"state\": "
	"\"up\", \"rtt_ms\": 0.1234, \"loss_pct\": 12.5, \"jitter_ms\": "
	"0.0004},"
	"{\"code\": \"210102001001\", \"relation\": \"village\", \"state\": "
	"\"down\", \"rtt_ms\": null, \"loss_pct\": 100.0, \"jitter_ms\": "
	"null}]}";

static void build(struct axm_table *t, const char *json)
{
	json_error_t e;
	json_t *j = json_loads(json, 0, &e);

	assert_non_null(j);
	memset(t, 0, sizeof(*t));
	axm_build(t, &NODE, j);
	json_decref(j);
}

static const struct axm_var *get(const struct axm_table *t, const oid *sub,
				 size_t n)
{
	oid name[AXM_OID_MAX] = {OBJ};

	memcpy(name + EGNET_MIB_OID_LEN + 1, sub, n * sizeof(oid));
	return axm_get(t, name, EGNET_MIB_OID_LEN + 1 + n);
}

#define GET(t, ...)                                                            \
	get((t), (const oid[]){__VA_ARGS__},                                   \
	    sizeof((const oid[]){__VA_ARGS__}) / sizeof(oid))

static void test_values(void **state)
{
	struct axm_table t;
	const struct axm_var *v;

	(void)state;
	build(&t, LINKS_JSON);
	v = GET(&t, 1, 1, 0);
	assert_non_null(v);
	assert_int_equal(v->type, AXM_STRING);
	assert_string_equal(v->str, "210102001000");
	assert_int_equal(GET(&t, 1, 2, 0)->num, 4);
	assert_string_equal(GET(&t, 1, 5, 0)->str, "93456dab9a624747");
	assert_int_equal(GET(&t, 1, 6, 0)->num, 2);
	assert_int_equal(GET(&t, 1, 7, 0)->type, AXM_GAUGE);
	assert_string_equal(GET(&t, 2, 1, 2, 2)->str, "eg-lan");
	assert_string_equal(GET(&t, 2, 1, 3, 1)->str, "uplink");
	assert_int_equal(GET(&t, 2, 1, 5, 1)->num, 1);
	assert_int_equal(GET(&t, 2, 1, 5, 2)->num, 3); /* noCarrier */
	v = GET(&t, 2, 1, 6, 1);
	assert_int_equal(v->type, AXM_COUNTER64);
	assert_true(v->num == 5000000000ULL); /* past 32 bits */
	assert_int_equal(GET(&t, 2, 1, 9, 1)->num, 4);
	assert_int_equal(GET(&t, 2, 1, 10, 1)->num, 9);
	/* no counters on eg-lan: those instances are absent, not 0 */
	for (oid c = 6; c <= 10; c++)
		assert_null(GET(&t, 2, 1, c, 2));
	assert_string_equal(GET(&t, 3, 1, 2, 2)->str, "210102001001");
	assert_int_equal(GET(&t, 3, 1, 3, 1)->num, 1);	 /* parent */
	assert_int_equal(GET(&t, 3, 1, 3, 2)->num, 3);	 /* village */
	assert_int_equal(GET(&t, 3, 1, 4, 2)->num, 2);	 /* unreachable */
	assert_int_equal(GET(&t, 3, 1, 5, 1)->num, 123); /* µs */
	assert_int_equal(GET(&t, 3, 1, 6, 1)->num, 12500);
	assert_int_equal(GET(&t, 3, 1, 6, 2)->num, 100000);
	assert_int_equal(GET(&t, 3, 1, 7, 1)->num, 0); /* 0.4 µs rounds */
	assert_null(GET(&t, 3, 1, 5, 2));
	assert_null(GET(&t, 3, 1, 7, 2));
	/* not instances: a column, a row past the last, the table */
	assert_null(GET(&t, 2, 1, 2));
	assert_null(GET(&t, 2, 1, 2, 3));
	assert_null(GET(&t, 2));
	assert_int_equal(t.n, 7 + 2 * 4 + 5 + 2 * 4 + 2);
	axm_free(&t);
}

/* GETNEXT from the MIB's root visits every instance once, in order, and
 * GET finds each. */
static void test_walk(void **state)
{
	static const oid root[] = {EGNET_MIB_OID};
	struct axm_table t;
	const struct axm_var *v, *prev = NULL;
	int n = 0;

	(void)state;
	build(&t, LINKS_JSON);
	for (v = axm_next(&t, root, OID_LENGTH(root)); v;
	     v = axm_next(&t, v->name, v->len)) {
		if (prev)
			assert_true(snmp_oid_compare(prev->name, prev->len,
						     v->name, v->len) < 0);
		assert_ptr_equal(axm_get(&t, v->name, v->len), v);
		prev = v;
		n++;
	}
	assert_int_equal(n, t.n);
	axm_free(&t);
}

struct next_row {
	oid from[AXM_OID_MAX];
	size_t from_len;
	oid to[AXM_OID_MAX]; /* to_len 0: past the last */
	size_t to_len;
};

#define O(...) {__VA_ARGS__}, sizeof((oid[]){__VA_ARGS__}) / sizeof(oid)

static const struct next_row next_rows[] = {
	/* before the subtree, the MIB's root, the objects' root */
	{O(1, 3, 6, 1, 4, 1), O(OBJ, 1, 1, 0)},
	{O(EGNET_MIB_OID), O(OBJ, 1, 1, 0)},
	{O(OBJ), O(OBJ, 1, 1, 0)},
	/* a scalar's object (no .0) and its instance */
	{O(OBJ, 1, 3), O(OBJ, 1, 3, 0)},
	{O(OBJ, 1, 3, 0), O(OBJ, 1, 4, 0)},
	/* last scalar to the first column of the link table */
	{O(OBJ, 1, 7, 0), O(OBJ, 2, 1, 2, 1)},
	/* a row past the last: the next column */
	{O(OBJ, 2, 1, 2, 99), O(OBJ, 2, 1, 3, 1)},
	/* row 2 has no counters: from row 1's in-octets to row 1's out */
	{O(OBJ, 2, 1, 6, 1), O(OBJ, 2, 1, 7, 1)},
	/* the last link column to the target table */
	{O(OBJ, 2, 1, 10, 1), O(OBJ, 3, 1, 2, 1)},
	/* a name longer than any instance */
	{O(OBJ, 3, 1, 2, 1, 5, 5), O(OBJ, 3, 1, 2, 2)},
	/* the last instance, and beyond */
	{O(OBJ, 3, 1, 7, 1), {0}, 0},
	{O(EGNET_MIB_OID, 2), {0}, 0},
};

static void test_next(void **state)
{
	struct axm_table t;

	(void)state;
	build(&t, LINKS_JSON);
	for (size_t i = 0; i < ROWS_N(next_rows); i++) {
		const struct next_row *r = &next_rows[i];
		const struct axm_var *v = axm_next(&t, r->from, r->from_len);

		if (!r->to_len) {
			if (v)
				print_message("row %zu: want none\n", i);
			assert_null(v);
			continue;
		}
		if (!v || snmp_oid_compare(v->name, v->len, r->to, r->to_len))
			print_message("row %zu: wrong next\n", i);
		assert_non_null(v);
		assert_int_equal(
			snmp_oid_compare(v->name, v->len, r->to, r->to_len), 0);
	}
	axm_free(&t);
}

/* Members of the wrong type, unknown words, a long name, no arrays at
 * all: left out or cut, never a crash; the node group stays whole. */
static void test_hostile(void **state)
{
	static const char *const docs[] = {
		"{}",
		"{\"links\": 3, \"targets\": \"x\"}",
		"{\"links\": [1, null, [], {\"name\": 5, \"state\": \"odd\", "
		"\"counters\": {\"rx_bytes\": -5, \"tx_bytes\": \"9\", "
		"\"rx_packets\": 1.5}, \"drops\": []}], \"targets\": "
		"[{\"code\": "
		"[], \"relation\": \"cousin\", \"state\": 1, \"rtt_ms\": -3, "
		"\"loss_pct\": 1e300, \"jitter_ms\": \"1\"}]}",
		"{\"links\": [{\"name\": \"a-name-much-longer-than-sixty-four-"
		"characters-which-the-mib-does-not-allow-at-all-xxxxxxxx\"}]}",
	};
	struct axm_table t;
	const struct axm_var *v;

	(void)state;
	for (size_t i = 0; i < ROWS_N(docs); i++) {
		build(&t, docs[i]);
		assert_non_null(GET(&t, 1, 1, 0));
		assert_non_null(GET(&t, 1, 7, 0));
		if (i == 2) {
			/* index 4 (the object): name "" kept, the rest out */
			assert_string_equal(GET(&t, 2, 1, 2, 4)->str, "");
			assert_null(GET(&t, 2, 1, 5, 4));
			assert_null(GET(&t, 2, 1, 6, 4));
			assert_null(GET(&t, 2, 1, 7, 4));
			assert_null(GET(&t, 2, 1, 10, 4));
			assert_null(GET(&t, 3, 1, 3, 1));
			assert_null(GET(&t, 3, 1, 4, 1));
			assert_int_equal(GET(&t, 3, 1, 5, 1)->num, 0);
			assert_int_equal(GET(&t, 3, 1, 6, 1)->num, 100000);
			assert_null(GET(&t, 3, 1, 7, 1));
		}
		if (i == 3) {
			v = GET(&t, 2, 1, 2, 1);
			assert_int_equal(v->str_len, AXM_STR_MAX);
		}
		axm_free(&t);
	}
}

static void test_words(void **state)
{
	(void)state;
	assert_int_equal(axm_oper_value("up"), 1);
	assert_int_equal(axm_oper_value("absent"), 4);
	assert_int_equal(axm_oper_value("UP"), 0);
	assert_int_equal(axm_oper_value(NULL), 0);
	assert_int_equal(axm_kind_value("child"), 2);
	assert_int_equal(axm_reach_value("unknown"), 3);
	assert_int_equal(axm_reach_value(""), 0);
}

/* The node config's snmp group (N1..N5 are lines 1..5). */
static const struct lcase cases[] = {
	{"agentx enabled, every setting",
	 NULL,
	 BASE_NODE
	 "snmp = { agentx = { enabled = true; socket = "
	 "\"/run/snmp/agentx\"; retry = 2; retry_max = 30; ping = 10; "
	 "timeout_ms = 300; }; };\n",
	 NULL,
	 {{0}}},
	{"socket relative",
	 NULL,
	 BASE_NODE "snmp = { agentx = { socket = \"agentx/master\"; }; };\n",
	 NULL,
	 {{F_NODE, 6, "snmp.agentx.socket",
	   "'agentx/master' is not an absolute path (the master's AgentX "
	   "socket, e.g. \"/var/agentx/master\")"}}},
	{"socket too long",
	 NULL,
	 BASE_NODE
	 "snmp = { agentx = { socket = \"/"
	 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"; }; };\n",
	 NULL,
	 {{F_NODE, 6, "snmp.agentx.socket",
	   "'/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is too long (at most "
	   "107 characters)"}}},
	{"retry_max below retry",
	 NULL,
	 BASE_NODE "snmp = { agentx = { retry = 10;\nretry_max = 5; }; };\n",
	 NULL,
	 {{F_NODE, 7, "snmp.agentx.retry_max", "5 is less than retry (10)"}}},
	{"agentx not a group",
	 NULL,
	 BASE_NODE "snmp = { agentx = true; };\n",
	 NULL,
	 {{F_NODE, 6, "snmp.agentx", "must be a group { ... }"}}},
	{"snmp not a group",
	 NULL,
	 BASE_NODE "snmp = 5;\n",
	 NULL,
	 {{F_NODE, 6, "snmp", "must be a group { ... }"}}},
	{"unknown settings",
	 NULL,
	 BASE_NODE "snmp = { agentx = { enable = true; }; traps = 1; };\n",
	 NULL,
	 {{F_NODE, 6, "snmp.agentx.enable", "unknown setting"},
	  {F_NODE, 6, "snmp.traps", "unknown setting"}}},
	{"enabled not a boolean",
	 NULL,
	 BASE_NODE "snmp = { agentx = { enabled = \"yes\"; }; };\n",
	 NULL,
	 {{F_NODE, 6, "snmp.agentx.enabled",
	   "must be a boolean (true or false), not a string"}}},
};

int main(void)
{
	static const struct CMUnitTest extra[] = {
		cmocka_unit_test(test_values), cmocka_unit_test(test_walk),
		cmocka_unit_test(test_next),   cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_words),
	};

	return run_cases("agentx", cases, ROWS_N(cases), extra, ROWS_N(extra));
}
