// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the verification wired to a real store (collector/verify,
 * store v3) in a scratch folder, on a small inventory (a province, a
 * city, a county, two townships with two and one villages), with the
 * reports an agent would send (encoded, put into the store, observed as
 * the ingest does) and a clock the test moves:
 *   - every agent reporting: 100 % at every level, no outage;
 *   - a township's line cut (the county says it is down, its reports
 *     stop): one outage rooted there, its two villages cut off, in the
 *     store with its outage-open event; restored: closed, the close
 *     event, coverage back to 100 %;
 *   - one village down: only it unreachable, an outage of its own with
 *     nothing cut off, nothing above;
 *   - a restart after 10 minutes away: nothing opened for the absence,
 *     an outage open before it goes on with its opening time;
 *   - a report of a code not in the inventory: unexpected;
 *   - the agents' interval (1 s) taken from their reports;
 *   - a reload without a township: its outage closed;
 *   - coverage points per region and minute in the store;
 *   - rows of the outages and coverage tables that make no sense
 *     skipped; an outage the store holds open that the engine does not
 *     have closed at the start;
 *   - the alerts' body, line and back-off, and a webhook delivered to a
 *     local HTTP server that fails its first answer (retried).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "collector/store/store.h"
#include "collector/verify/alert.h"
#include "collector/verify/verify.h"
#include "common/now.h"

#include "tests/unit/scratch.h"

#define PROV 210000000000ULL
#define CITY 210100000000ULL
#define CNTY 210102000000ULL
#define TWN1 210102001000ULL
#define V11  210102001001ULL
#define V12  210102001002ULL
#define TWN2 210102002000ULL
#define V21  210102002001ULL
#define T0   1767225600000LL /* 2026-01-01 00:00 UTC */

static const code_t inv_codes[] = {PROV, CITY, CNTY, TWN1, V11, V12, TWN2, V21};
#define N_INV ((int)(sizeof(inv_codes) / sizeof(inv_codes[0])))

static long long fake_now;
static struct report rep;
static uint64_t seqs[8];

static long long fake_clock(void *arg)
{
	(void)arg;
	return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

/* What the test's world is: lines cut, villages down. */
static bool cut_line[8], village_down[8];

static int idx(code_t c)
{
	for (int i = 0; i < N_INV; i++)
		if (inv_codes[i] == c)
			return i;
	return -1;
}

static void make_inv(struct inventory *inv, code_t leave_out)
{
	memset(inv, 0, sizeof(*inv));
	inv->nodes = calloc(N_INV, sizeof(*inv->nodes));
	for (int i = 0; i < N_INV; i++) {
		if (inv_codes[i] == leave_out ||
		    (leave_out && code_parent(inv_codes[i]) == leave_out))
			continue;
		inv->nodes[inv->n].code = inv_codes[i];
		snprintf(inv->nodes[inv->n].name, INV_NAME_LEN, "node %d", i);
		inv->n++;
	}
}

static struct store *open_store(void)
{
	struct store_opts o;
	struct store *st = NULL;
	char err[256] = "";

	store_opts_default(&o, dir);
	o.clock_ms = fake_clock;
	o.flush_ms = 20;
	o.coalesce_ms = 10;
	o.batch_wait_ms = 0;
	if (store_open(&st, &o, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	return st;
}

static struct verify *open_verify(struct store *st, const struct inventory *inv)
{
	struct verify_opts o;
	struct verify *v = NULL;
	char err[256] = "";

	verify_opts_default(&o);
	o.clock_ms = fake_clock;
	if (verify_new(&v, &o, inv, st, err, sizeof(err)))
		fail_msg("verify_new: %s", err);
	return v;
}

static void add_target(struct report *r, code_t code, enum report_rel rel,
		       enum report_oper st)
{
	struct report_target *t = &r->targets[r->n_targets++];

	memset(t, 0, sizeof(*t));
	t->code = code;
	t->rel = rel;
	t->state = st;
	t->rtt_ms = t->rtt_avg_ms = 2;
	t->jitter_ms = 0.1;
	t->loss_pct = 0;
}

/* Agent @node's report as it would see the world, put into the store
 * and observed, with @parent as the parent it probes.  The observation's
 * return. */
static int send_from(struct store *st, struct verify *v, code_t node,
		     code_t parent)
{
	char err[256], *json = NULL;
	size_t len;
	int i = idx(node), rc;

	memset(&rep, 0, sizeof(rep));
	rep.schema = REPORT_SCHEMA;
	rep.node = node;
	rep.level = code_level(node);
	/* the parent it names: the one it probes (another one above it is
	 * accepted by the decoder and flagged) */
	rep.parent = parent ? parent : code_parent(node);
	rep.seq = ++seqs[i < 0 ? 7 : i];
	rep.time_ms = fake_now;
	rep.interval_s = 1;
	snprintf(rep.agent_version, sizeof(rep.agent_version), "0.11.0");
	rep.apply = RPT_APPLY_CONVERGED;
	rep.n_links = 1;
	snprintf(rep.links[0].name, sizeof(rep.links[0].name), "up0");
	snprintf(rep.links[0].role, sizeof(rep.links[0].role), "uplink");
	snprintf(rep.links[0].zone, sizeof(rep.links[0].zone), "extranet");
	rep.links[0].state = RPT_OPER_UP;
	if (parent)
		add_target(&rep, parent, RPT_REL_PARENT,
			   i >= 0 && cut_line[i] ? RPT_OPER_DOWN : RPT_OPER_UP);
	for (int c = 0; c < N_INV; c++) {
		bool vil = code_level(inv_codes[c]) == LEVEL_VILLAGE;

		if (code_parent(inv_codes[c]) != node)
			continue;
		add_target(&rep, inv_codes[c],
			   vil ? RPT_REL_VILLAGE : RPT_REL_CHILD,
			   cut_line[c] || village_down[c] ? RPT_OPER_DOWN
							  : RPT_OPER_UP);
	}
	if (report_encode(&rep, &json, &len, err, sizeof(err)))
		fail_msg("report_encode: %s", err);
	assert_int_equal(store_put(st, &rep, json, len, NULL, NULL), STORE_OK);
	free(json);
	rc = verify_observe(v, &rep, fake_now);
	return rc;
}

static int send_rep(struct store *st, struct verify *v, code_t node)
{
	return send_from(st, v, node, code_parent(node));
}

/* A second: every agent whose line is up reports; the tick. */
static code_t not_expected; /* reports -ENOENT */

static void round_(struct store *st, struct verify *v)
{
	fake_now += 1000;
	for (int i = 0; i < N_INV; i++)
		if (code_level(inv_codes[i]) != LEVEL_VILLAGE && !cut_line[i])
			assert_int_equal(send_rep(st, v, inv_codes[i]) >= 0,
					 inv_codes[i] != not_expected);
	assert_true(verify_tick(v, fake_now) >= 0);
}

static void rounds(struct store *st, struct verify *v, int n)
{
	while (n-- > 0)
		round_(st, v);
}

static int state_of(struct verify *v, code_t c)
{
	struct topo_node_info ni;

	assert_int_equal(verify_node(v, c, &ni), 0);
	return ni.state;
}

static void assert_full(struct verify *v)
{
	struct topo_coverage c;

	assert_int_equal(verify_coverage(v, 0, &c), 0);
	for (int l = 0; l < LEVEL_COUNT; l++) {
		assert_true(c.expected[l] > 0);
		assert_int_equal(c.connected[l], c.expected[l]);
	}
}

struct evs {
	int open, close;
	code_t last_root;
	char last_subject[72];
};

static int ev_cb(void *arg, const struct store_event *e)
{
	struct evs *x = arg;

	if (e->type == STORE_EV_OUTAGE_OPEN)
		x->open++;
	if (e->type == STORE_EV_OUTAGE_CLOSE)
		x->close++;
	x->last_root = e->node;
	snprintf(x->last_subject, sizeof(x->last_subject), "%s", e->subject);
	return 0;
}

static struct evs outage_events(struct store *st)
{
	struct store_event_q q = {.type = -1, .oldest_first = true};
	struct evs x = {0};

	assert_int_equal(store_sync(st), 0);
	assert_int_equal(store_events(st, &q, ev_cb, &x), 0);
	return x;
}

struct outs {
	int n, open;
	struct store_outage last;
	code_t nodes[8];
};

static int out_cb(void *arg, const struct store_outage *o)
{
	struct outs *x = arg;

	x->n++;
	x->open += !o->closed_ms;
	x->last = *o;
	for (int i = 0; i < o->n_nodes && i < 8; i++)
		x->nodes[i] = o->nodes[i];
	x->last.nodes = NULL;
	return 0;
}

static struct outs stored_outages(struct store *st)
{
	struct store_outage_q q = {0};
	struct outs x = {0};

	assert_int_equal(store_sync(st), 0);
	assert_int_equal(store_outages(st, &q, out_cb, &x), 0);
	return x;
}

struct pts {
	int n;
	struct store_coverage_pt last;
};

static int pt_cb(void *arg, const struct store_coverage_pt *p)
{
	struct pts *x = arg;

	x->n++;
	x->last = *p;
	return 0;
}

static int setup(void **state)
{
	memset(cut_line, 0, sizeof(cut_line));
	memset(village_down, 0, sizeof(village_down));
	memset(seqs, 0, sizeof(seqs));
	not_expected = 0;
	fake_now = T0;
	return scratch_setup(state);
}

/* ---- the cases --------------------------------------------------------- */

static void test_cut_township(void **state)
{
	struct inventory inv;
	struct store *st;
	struct verify *v;
	struct verify_outage *o;
	struct outs so;
	struct evs ev;
	int n;

	(void)state;
	make_inv(&inv, 0);
	st = open_store();
	v = open_verify(st, &inv);
	rounds(st, v, 4);
	assert_full(v);
	assert_int_equal(verify_outages(v, &o, &n), 0);
	assert_int_equal(n, 0);
	verify_outages_free(o, n);

	cut_line[idx(TWN1)] = true;
	round_(st, v);
	assert_int_equal(state_of(v, TWN1), TOPO_UNREACHABLE);
	assert_int_equal(state_of(v, V11), TOPO_ISOLATED);
	assert_int_equal(state_of(v, TWN2), TOPO_CONNECTED);
	assert_int_equal(verify_outages(v, &o, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(o[0].root, TWN1);
	assert_int_equal(o[0].cut[LEVEL_VILLAGE], 2);
	assert_int_equal(o[0].n_nodes, 2);
	assert_int_equal(o[0].nodes[0], V11);
	assert_int_equal(o[0].nodes[1], V12);
	verify_outages_free(o, n);
	rounds(st, v, 5); /* still one, not one per second */
	so = stored_outages(st);
	assert_int_equal(so.n, 1);
	assert_int_equal(so.open, 1);
	assert_int_equal(so.last.root, TWN1);
	assert_int_equal(so.last.cut[LEVEL_VILLAGE], 2);
	assert_int_equal(so.nodes[1], V12);
	ev = outage_events(st);
	assert_int_equal(ev.open, 1);
	assert_int_equal(ev.close, 0);

	cut_line[idx(TWN1)] = false;
	rounds(st, v, 2);
	assert_full(v);
	assert_int_equal(verify_outages(v, &o, &n), 0);
	assert_int_equal(n, 0);
	verify_outages_free(o, n);
	so = stored_outages(st);
	assert_int_equal(so.n, 1);
	assert_int_equal(so.open, 0);
	assert_true(so.last.closed_ms > so.last.opened_ms);
	ev = outage_events(st);
	assert_int_equal(ev.open, 1);
	assert_int_equal(ev.close, 1);
	assert_int_equal(ev.last_root, TWN1);
	assert_string_equal(ev.last_subject, "repaired");

	verify_free(v);
	store_close(st);
	inventory_free(&inv);
}

static void test_village_down(void **state)
{
	struct inventory inv;
	struct store *st;
	struct verify *v;
	struct verify_outage *o;
	int n;

	(void)state;
	make_inv(&inv, 0);
	st = open_store();
	v = open_verify(st, &inv);
	rounds(st, v, 4);
	village_down[idx(V21)] = true;
	rounds(st, v, 2);
	assert_int_equal(state_of(v, V21), TOPO_UNREACHABLE);
	assert_int_equal(state_of(v, TWN2), TOPO_CONNECTED);
	assert_int_equal(state_of(v, V11), TOPO_CONNECTED);
	assert_int_equal(verify_outages(v, &o, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(o[0].root, V21); /* its own, nothing above */
	assert_int_equal(o[0].n_nodes, 0);
	verify_outages_free(o, n);
	verify_free(v);
	store_close(st);
	inventory_free(&inv);
}

static void test_restart(void **state)
{
	struct inventory inv;
	struct store *st;
	struct verify *v;
	struct verify_outage *o;
	long long opened;
	struct evs ev;
	int n;

	(void)state;
	make_inv(&inv, 0);
	st = open_store();
	v = open_verify(st, &inv);
	rounds(st, v, 4);
	cut_line[idx(TWN1)] = true;
	rounds(st, v, 2);
	assert_int_equal(verify_outages(v, &o, &n), 0);
	assert_int_equal(n, 1);
	opened = o[0].opened_ms;
	verify_outages_free(o, n);
	verify_free(v);
	store_close(st);

	/* ten minutes away: no report came, nobody listened */
	fake_now += 600000;
	st = open_store();
	v = open_verify(st, &inv);
	assert_int_equal(state_of(v, CNTY), TOPO_CONNECTED);
	assert_int_equal(state_of(v, TWN2), TOPO_CONNECTED);
	assert_int_equal(verify_outages(v, &o, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(o[0].root, TWN1);
	assert_int_equal(o[0].opened_ms, opened);
	verify_outages_free(o, n);
	rounds(st, v, 2);
	ev = outage_events(st);
	assert_int_equal(ev.open, 1);
	assert_int_equal(ev.close, 0);
	verify_free(v);
	store_close(st);
	inventory_free(&inv);
}

static void test_unexpected(void **state)
{
	struct inventory inv;
	struct store *st;
	struct verify *v;
	struct topo_unexpected *u;
	struct topo_node_info ni;
	struct verify_stats vs;
	int n;

	(void)state;
	make_inv(&inv, 0);
	st = open_store();
	v = open_verify(st, &inv);
	rounds(st, v, 2);
	fake_now += 10;
	assert_int_equal(send_rep(st, v, 210102003000ULL), -ENOENT);
	assert_int_equal(verify_unexpected(v, &u, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(u[0].code, 210102003000ULL);
	assert_int_equal(u[0].parent, CNTY);
	free(u);
	/* the agents' 1 s interval, from their reports */
	verify_stats(v, &vs);
	assert_int_equal(vs.interval_ms[LEVEL_TOWNSHIP], 1000);
	assert_int_equal(vs.interval_ms[LEVEL_COUNTY], 1000);
	assert_int_equal(vs.unexpected, 1);
	assert_int_equal(verify_node(v, TWN1, &ni), 0);
	assert_false(ni.wrong_parent);
	/* a report naming another parent (a county of another city): kept
	 * in the store, flagged, not connected -- and still so when the
	 * engine is rebuilt from the store -- until one names the right
	 * parent again */
	fake_now += 10;
	assert_true(send_from(st, v, TWN1, 210202000000ULL) >= 0);
	assert_int_equal(verify_node(v, TWN1, &ni), 0);
	assert_true(ni.wrong_parent);
	assert_int_equal(ni.said_parent, 210202000000ULL);
	assert_int_equal(ni.state, TOPO_UNCONFIRMED);
	verify_free(v);
	store_close(st);
	st = open_store();
	v = open_verify(st, &inv);
	assert_int_equal(verify_node(v, TWN1, &ni), 0);
	assert_true(ni.wrong_parent);
	assert_int_not_equal(ni.state, TOPO_CONNECTED);
	rounds(st, v, 2);
	assert_int_equal(verify_node(v, TWN1, &ni), 0);
	assert_false(ni.wrong_parent);
	assert_int_equal(ni.state, TOPO_CONNECTED);
	verify_free(v);
	store_close(st);
	inventory_free(&inv);
}

static void test_reload_and_coverage(void **state)
{
	struct inventory inv, inv2;
	struct store *st;
	struct verify *v;
	struct verify_outage *o;
	struct topo_coverage c;
	char err[256];
	int n;

	(void)state;
	make_inv(&inv, 0);
	make_inv(&inv2, TWN2);
	st = open_store();
	v = open_verify(st, &inv);
	rounds(st, v, 3);
	village_down[idx(V21)] = true;
	rounds(st, v, 2);
	assert_int_equal(verify_outages(v, &o, &n), 0);
	assert_int_equal(n, 1);
	verify_outages_free(o, n);
	/* the rebuild reads the committed last reports: all of them */
	assert_int_equal(store_sync(st), 0);
	assert_int_equal(verify_reload(v, &inv2, err, sizeof(err)), 0);
	not_expected = TWN2;
	assert_int_equal(verify_outages(v, &o, &n), 0);
	for (int i = 0; i < n; i++)
		print_message("open: %llu %s\n", (unsigned long long)o[i].root,
			      topo_state_words[o[i].state]);
	assert_int_equal(n, 0); /* its village is no longer expected */
	verify_outages_free(o, n);
	assert_int_equal(verify_coverage(v, 0, &c), 0);
	assert_int_equal(c.expected[LEVEL_TOWNSHIP], 1);
	assert_int_equal(c.expected[LEVEL_VILLAGE], 2);
	assert_int_equal(verify_coverage(v, TWN2, &c), -ENOENT);
	assert_int_equal(outage_events(st).close, 1);

	/* a minute on: a point per region (whole, province, city, county),
	 * with what the engine counts at that moment */
	fake_now = (fake_now / 60000 + 1) * 60000 + 5;
	round_(st, v);
	assert_int_equal(store_sync(st), 0);
	{
		const code_t regions[] = {0, PROV, CITY, CNTY};

		for (int k = 0; k < 4; k++) {
			struct pts p = {0};

			assert_int_equal(verify_coverage(v, regions[k], &c), 0);
			assert_int_equal(store_coverage(st, regions[k], 0, 0, 0,
							pt_cb, &p),
					 0);
			assert_true(p.n >= 1);
			assert_int_equal(p.last.t_ms, fake_now / 60000 * 60000);
			assert_memory_equal(p.last.expected, c.expected,
					    sizeof(c.expected));
			assert_memory_equal(p.last.connected, c.connected,
					    sizeof(c.connected));
		}
	}
	/* a township is not a region whose coverage is kept */
	{
		struct pts p = {0};

		assert_int_equal(store_coverage(st, TWN1, 0, 0, 0, pt_cb, &p), 0);
		assert_int_equal(p.n, 0);
	}
	verify_free(v);
	store_close(st);
	inventory_free(&inv);
	inventory_free(&inv2);
}

/* Rows of the v3 tables that make no sense are skipped, never trusted. */
static void test_hostile_rows(void **state)
{
	static const char *const bad[] = {
		/* not a code, a village's nodes out of order, times the wrong
		 * way round, counts that do not parse, a node list cut short */
		"INSERT INTO outages VALUES(12, 1, 0, 'unreachable', "
		"'0 0 0 0 0', 0, '')",
		"INSERT INTO outages VALUES(210102001000, 5, 0, 'unreachable', "
		"'0 0 0 0 2', 0, '210102001002 210102001001')",
		"INSERT INTO outages VALUES(210102002000, 9, 3, 'unreachable', "
		"'0 0 0 0 0', 0, '')",
		"INSERT INTO outages VALUES(210102000000, 9, 0, 'unreachable', "
		"'0 0 x 0 0', 0, '')",
		"INSERT INTO outages VALUES(210100000000, 9, 0, 'unreachable', "
		"'0 0 0 0 1', 0, '2101020010')",
		"INSERT INTO coverage VALUES(0, 1767225660000, 5, 0, 0, 0, 0, 1, 0, 0, 0, "
		"0)",
		"INSERT INTO coverage VALUES(0, 1767225720000, -1, 0, 0, 0, 0, 1, 0, 0, "
		"0, 0)",
	};
	struct store *st;
	struct outs so;
	struct pts p = {0};
	char path[128];
	sqlite3 *db;

	(void)state;
	st = open_store();
	store_close(st);
	snprintf(path, sizeof(path), "%s/egnet.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sqlite3_exec(db, bad[i], NULL, NULL, NULL),
				 SQLITE_OK);
	/* and one good row of each */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO outages VALUES("
					  "210102001000, 7, 0, 'silent', '0 0 0 "
					  "0 2', 0, '210102001001 210102001002');"
					  "INSERT INTO coverage VALUES(0, 1767225780000, "
					  "1, 1, 1, 2, 3, 1, 1, 1, 2, 3)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	st = open_store();
	so = stored_outages(st);
	assert_int_equal(so.n, 1);
	assert_int_equal(so.last.opened_ms, 7);
	assert_string_equal(so.last.state, "silent");
	assert_int_equal(so.nodes[0], V11);
	assert_int_equal(so.nodes[1], V12);
	assert_int_equal(store_coverage(st, 0, 0, 0, 0, pt_cb, &p), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.last.t_ms, T0 + 180000); /* kept: the clock is T0 */
	assert_int_equal(p.last.expected[LEVEL_VILLAGE], 3);
	/* a restart on them: the good open one is the registry's */
	{
		struct inventory inv;
		struct verify *v;
		struct verify_outage *o;
		int n;

		make_inv(&inv, 0);
		v = open_verify(st, &inv);
		assert_int_equal(verify_outages(v, &o, &n), 0);
		/* nothing reported: the engine has no outage, so the one the
		 * store held open is closed at the start */
		assert_int_equal(n, 0);
		verify_outages_free(o, n);
		verify_free(v);
		inventory_free(&inv);
		assert_int_equal(stored_outages(st).open, 0);
	}
	store_close(st);
}

/* ---- alerts ------------------------------------------------------------ */

static void test_alert_body(void **state)
{
	struct alert_msg m = {
		.type = TOPO_EV_CLOSE,
		.root = TWN1,
		.state = TOPO_UNREACHABLE,
		.opened_ms = T0,
		.time_ms = T0 + 5000,
		.subsumed_by = CNTY,
	};
	char line[256];
	json_t *j;

	(void)state;
	(void)scratch_write;
	snprintf(m.name, sizeof(m.name), "Nanhu street");
	m.cut[LEVEL_VILLAGE] = 2;
	j = alert_body(&m);
	assert_string_equal(json_string_value(json_object_get(j, "event")),
			    "outage-close");
	assert_string_equal(json_string_value(json_object_get(j, "root")),
			    "210102001000");
	assert_string_equal(json_string_value(json_object_get(j, "level")),
			    "township");
	assert_string_equal(json_string_value(json_object_get(j, "state")),
			    "unreachable");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(j, "cut_off"), "village")),
			 2);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	assert_string_equal(
		json_string_value(json_object_get(j, "subsumed_by")),
		"210102000000");
	json_decref(j);
	alert_line(&m, line, sizeof(line));
	assert_string_equal(line, "outage closed at 210102001000 (Nanhu "
				  "street, township, unreachable): cut off "
				  "village 2; subsumed by 210102000000");
	/* doubling from the base, capped, jittered by half either way */
	for (int a = 1; a < 12; a++) {
		long long full = 500LL << (a - 1) > 60000 ? 60000 : 500LL << (a - 1);

		assert_int_equal(alert_backoff_ms(a, 500, 60000, 0), full / 2);
		assert_true(alert_backoff_ms(a, 500, 60000, 0.999) < full * 3 / 2);
		assert_true(alert_backoff_ms(a, 500, 60000, 0.999) >= full);
	}
}

/* A local HTTP server: answers 500 to the first request, 200 after;
 * keeps the bodies. */
struct hook {
	int fd, port, requests;
	char bodies[4][1024];
	pthread_t thr;
};

static void *hook_main(void *arg)
{
	struct hook *h = arg;

	for (int k = 0; k < 3; k++) {
		int c = accept(h->fd, NULL, NULL);
		char buf[8192];
		size_t got = 0;
		const char *body, *cl;
		long want = -1;

		if (c < 0)
			break;
		for (;;) {
			ssize_t r = read(c, buf + got, sizeof(buf) - 1 - got);

			if (r <= 0)
				break;
			got += (size_t)r;
			buf[got] = '\0';
			body = strstr(buf, "\r\n\r\n");
			cl = strcasestr(buf, "content-length:");
			if (body && cl)
				want = strtol(cl + 15, NULL, 10);
			if (body && want >= 0 &&
			    (long)(got - (size_t)(body + 4 - buf)) >= want)
				break;
		}
		body = strstr(buf, "\r\n\r\n");
		if (body && h->requests < 4)
			snprintf(h->bodies[h->requests], sizeof(h->bodies[0]),
				 "%s", body + 4);
		h->requests++;
		dprintf(c, "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: "
			   "close\r\n\r\n",
			k == 0 ? "500 Internal Server Error" : "200 OK");
		close(c);
	}
	return NULL;
}

static void test_webhook_retried(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	struct alert_opts o;
	struct alert_stats s;
	struct alert *al = NULL;
	struct alert_msg m = {.type = TOPO_EV_OPEN, .root = TWN1,
			      .state = TOPO_UNREACHABLE, .opened_ms = T0,
			      .time_ms = T0};
	struct hook h = {0};
	char err[256];
	double end;

	(void)state;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h.fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(h.fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(h.fd, 4), 0);
	getsockname(h.fd, (struct sockaddr *)&a, &alen);
	pthread_create(&h.thr, NULL, hook_main, &h);
	alert_opts_default(&o);
	snprintf(o.webhook, sizeof(o.webhook), "http://127.0.0.1:%d/hook",
		 ntohs(a.sin_port));
	o.backoff_ms = 50;
	assert_int_equal(alert_new(&al, &o, err, sizeof(err)), 0);
	m.cut[LEVEL_VILLAGE] = 2;
	assert_int_equal(alert_post(al, &m), 0);
	m.type = TOPO_EV_CLOSE;
	m.time_ms = T0 + 3000;
	assert_int_equal(alert_post(al, &m), 0);
	/* wait for the outcome, bounded: the thread reports through stats */
	end = now_mono() + 10;
	do {
		alert_stats(al, &s);
		if (s.delivered == 2)
			break;
		usleep(10000);
	} while (now_mono() < end);
	assert_int_equal(s.delivered, 2);
	assert_int_equal(s.retries, 1);
	assert_int_equal(s.dropped, 0);
	assert_non_null(strstr(s.last_error, "answered 500"));
	alert_free(al);
	pthread_join(h.thr, NULL);
	close(h.fd);
	assert_int_equal(h.requests, 3);
	/* the first attempt and its retry carry the opening, then the close:
	 * in order */
	assert_non_null(strstr(h.bodies[0], "\"outage-open\""));
	assert_string_equal(h.bodies[1], h.bodies[0]);
	assert_non_null(strstr(h.bodies[2], "\"outage-close\""));
}

static void test_alert_queue_bounded(void **state)
{
	struct alert_opts o;
	struct alert_stats s;
	struct alert *al = NULL;
	struct alert_msg m = {.type = TOPO_EV_OPEN, .root = TWN1,
			      .opened_ms = T0, .time_ms = T0};
	char err[256];
	int refused = 0;

	(void)state;
	alert_opts_default(&o);
	/* nobody listens on port 9 of loopback: every attempt fails */
	snprintf(o.webhook, sizeof(o.webhook), "http://127.0.0.1:9/");
	o.queue_max = 4;
	o.backoff_ms = 60000;
	assert_int_equal(alert_new(&al, &o, err, sizeof(err)), 0);
	for (int i = 0; i < 10; i++)
		refused += alert_post(al, &m) == -ENOBUFS;
	alert_stats(al, &s);
	assert_int_equal(refused, 6);
	assert_int_equal(s.dropped, 6);
	assert_int_equal(s.queued, 4);
	alert_free(al);
	assert_int_equal(alert_new(&al, &(struct alert_opts){.webhook =
							      "ftp://x/"},
				   err, sizeof(err)),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cut_township, setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_village_down, setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(
			test_unexpected, setup,
			scratch_teardown),
		cmocka_unit_test_setup_teardown(test_reload_and_coverage, setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_rows, setup,
						scratch_teardown),
		cmocka_unit_test(test_alert_body),
		cmocka_unit_test(test_webhook_retried),
		cmocka_unit_test(test_alert_queue_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
