// SPDX-License-Identifier: BSD-2-Clause
/*
 * The verification's read API (docs/api.md): GET /api/v1/tree (the
 * inventory nested, each node's state and its descendants' counts per
 * state), /api/v1/outages (the open ones; ?all=1 with the closed ones the
 * store keeps), /api/v1/coverage (per level, per region, and its history
 * from the store with ?since=), and the verification's /metrics families.
 * The engine's state is copied under its lock (verify_read.c) and the
 * answer built after; names come from the inventory under its read lock.
 */
#include "collector/api/api.h"
#include "collector/api/api_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/api/metrics.h"
#include "collector/store/store.h"
#include "collector/verify/alert.h"
#include "collector/verify/verify.h"
#include "common/log.h"
#include "common/now.h"

static const char *api_verify_name(const struct api_ctx *c, code_t code)
{
	const struct inv_node *iv = c->inv ? inventory_find(c->inv, code)
					   : NULL;

	return iv ? iv->name : "";
}

static json_t *api_verify_counts(const int n[TOPO_STATE__N])
{
	json_t *o = json_object();

	for (int s = 0; s < TOPO_STATE__N; s++)
		json_object_set_new(o, topo_state_words[s], json_integer(n[s]));
	return o;
}

/* ---- tree ------------------------------------------------------------------ */

struct tree_frame {
	code_t code;
	json_t *o, *children; /* NULL past the depth asked */
	int counts[TOPO_STATE__N];
};

static void tree_pop(struct tree_frame *st, int *depth)
{
	struct tree_frame *f = &st[--*depth];

	if (f->o)
		json_object_set_new(f->o, "descendants",
				    api_verify_counts(f->counts));
	/* the parent counts this node's subtree too */
	if (*depth > 0)
		for (int s = 0; s < TOPO_STATE__N; s++)
			st[*depth - 1].counts[s] += f->counts[s];
}

int api_tree(struct http_req *req, void *arg)
{
	struct api_ctx *c = arg;
	struct tree_frame st[LEVEL_COUNT + 1];
	struct topo_unexpected *un = NULL;
	struct verify_node *nodes = NULL;
	long long depth_max = LEVEL_COUNT;
	code_t root = 0;
	json_t *roots, *unexp;
	int n = 0, nu = 0, depth = 0, root_level = 0;
	char cb[CODE_STRLEN], pb[CODE_STRLEN];

	if (!c->verify)
		return http_error(req, 503, "starting", "no verification");
	if (api_query_code(req, "root", &root) < 0 ||
	    api_query_int(req, "depth", 0, LEVEL_COUNT, &depth_max) < 0)
		return 0;
	if (root) {
		struct topo_node_info ni;

		if (verify_node(c->verify, root, &ni))
			return http_error(req, 404, "node", "root=%s: not in "
					  "the inventory",
					  code_format(root, cb));
	}
	if (verify_nodes(c->verify, &nodes, &n) ||
	    verify_unexpected(c->verify, &un, &nu)) {
		free(nodes);
		return http_error(req, 503, "memory", "tree: out of memory");
	}
	roots = json_array();
	if (root)
		root_level = code_level(root);
	pthread_rwlock_rdlock(&c->inv_lock);
	for (int i = 0; i < n; i++) {
		const struct verify_node *vn = &nodes[i];
		struct tree_frame *f;
		bool show;

		if (root && vn->code != root && !code_is_ancestor(root, vn->code))
			continue;
		while (depth > 0 && !code_is_ancestor(st[depth - 1].code,
						      vn->code))
			tree_pop(st, &depth);
		if (depth > 0)
			st[depth - 1].counts[vn->state]++;
		if (depth > LEVEL_COUNT - 1) /* cannot be: five levels */
			continue;
		show = vn->level - root_level <= depth_max &&
		       (depth == 0 || st[depth - 1].children);
		f = &st[depth++];
		memset(f, 0, sizeof(*f));
		f->code = vn->code;
		if (!show)
			continue;
		f->o = json_pack("{s:s, s:s, s:s, s:s}", "code",
				 code_format(vn->code, cb), "name",
				 api_verify_name(c, vn->code), "level",
				 code_level_name(vn->level), "state",
				 topo_state_words[vn->state]);
		if (vn->wrong_parent)
			json_object_set_new(f->o, "wrong_parent", json_true());
		if (vn->level - root_level < depth_max &&
		    vn->level < LEVEL_VILLAGE) {
			f->children = json_array();
			json_object_set_new(f->o, "children", f->children);
		}
		json_array_append_new(depth > 1 ? st[depth - 2].children : roots,
				      f->o);
	}
	while (depth > 0)
		tree_pop(st, &depth);
	pthread_rwlock_unlock(&c->inv_lock);
	unexp = json_array();
	for (int i = 0; i < nu; i++)
		json_array_append_new(
			unexp,
			json_pack("{s:s, s:s, s:s, s:I, s:I}", "code",
				  code_format(un[i].code, cb), "level",
				  code_level_name(code_level(un[i].code)),
				  "parent", code_format(un[i].parent, pb),
				  "last_ms", (json_int_t)un[i].last_ms,
				  "reports", (json_int_t)un[i].reports));
	free(nodes);
	free(un);
	return http_answer(req, 200,
			   json_pack("{s:I, s:o, s:o}", "time_ms",
				     (json_int_t)now_wall_ms(), "tree", roots,
				     "unexpected", unexp));
}

/* ---- outages ------------------------------------------------------------------ */

static json_t *api_verify_cut(const int cut[LEVEL_COUNT], int *total)
{
	json_t *o = json_object();

	*total = 0;
	for (int l = LEVEL_CITY; l < LEVEL_COUNT; l++) {
		json_object_set_new(o, code_level_name(l), json_integer(cut[l]));
		*total += cut[l];
	}
	return o;
}

static json_t *api_verify_nodes(const code_t *nodes, int n)
{
	json_t *a = json_array();
	char cb[CODE_STRLEN];

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_string(code_format(nodes[i], cb)));
	return a;
}

static json_t *api_verify_outage(const struct api_ctx *c, code_t root,
				 const char *state, long long since,
				 const int cut[LEVEL_COUNT], const code_t *nodes,
				 int n)
{
	char cb[CODE_STRLEN];
	json_t *co;
	int total;

	co = api_verify_cut(cut, &total);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:i, s:o}", "root",
			 code_format(root, cb), "name", api_verify_name(c, root),
			 "level", code_level_name(code_level(root)), "state",
			 state, "since", (json_int_t)since, "cut_off", co,
			 "total", total, "nodes", api_verify_nodes(nodes, n));
}

static int api_verify_closed(void *arg, const struct store_outage *o)
{
	void **pair = arg;
	const struct api_ctx *c = pair[0];
	char cb[CODE_STRLEN];
	json_t *j;

	if (!o->closed_ms)
		return 0; /* the open ones are the registry's */
	j = api_verify_outage(c, o->root, o->state, o->opened_ms, o->cut,
			      o->nodes, o->n_nodes);
	json_object_set_new(j, "open", json_false());
	json_object_set_new(j, "closed_ms", json_integer(o->closed_ms));
	json_object_set_new(j, "subsumed_by",
			    o->subsumed_by
				    ? json_string(code_format(o->subsumed_by, cb))
				    : json_null());
	json_array_append_new(pair[1], j);
	return 0;
}

int api_outages(struct http_req *req, void *arg)
{
	struct api_ctx *c = arg;
	struct verify_outage *o = NULL;
	long long all = 0, since = 0, limit = 1000;
	json_t *a;
	int n = 0, rc;

	if (!c->verify)
		return http_error(req, 503, "starting", "no verification");
	if (api_query_int(req, "all", 0, 1, &all) < 0 ||
	    api_query_int(req, "since", 0, 1LL << 50, &since) < 0 ||
	    api_query_int(req, "limit", 1, 100000, &limit) < 0)
		return 0;
	if (verify_outages(c->verify, &o, &n))
		return http_error(req, 503, "memory", "outages: out of memory");
	a = json_array();
	pthread_rwlock_rdlock(&c->inv_lock);
	for (int i = 0; i < n; i++) {
		json_t *j = api_verify_outage(c, o[i].root,
					      topo_state_words[o[i].state],
					      o[i].opened_ms, o[i].cut,
					      o[i].nodes, o[i].n_nodes);

		json_object_set_new(j, "open", json_true());
		json_array_append_new(a, j);
	}
	verify_outages_free(o, n);
	rc = 0;
	if (all) {
		struct store_outage_q q = {.since_ms = since,
					   .limit = (int)limit};
		void *pair[2] = {c, a};

		rc = store_outages(c->store, &q, api_verify_closed, pair);
	}
	pthread_rwlock_unlock(&c->inv_lock);
	if (rc < 0) {
		json_decref(a);
		return http_error(req, 503, "store", "outages: %s",
				  strerror(-rc));
	}
	return http_answer(req, 200, json_pack("{s:I, s:o}", "time_ms",
					       (json_int_t)now_wall_ms(),
					       "outages", a));
}

/* ---- coverage ------------------------------------------------------------------ */

static json_t *api_verify_levels(const int conn[LEVEL_COUNT],
				 const int exp[LEVEL_COUNT],
				 const struct topo_coverage *states)
{
	json_t *o = json_object();

	for (int l = 0; l < LEVEL_COUNT; l++) {
		json_t *e;

		if (!exp[l])
			continue;
		e = json_pack("{s:i, s:i, s:f}", "connected", conn[l],
			      "expected", exp[l],
			      "pct", (double)(long long)(10000.0 * conn[l] /
							 exp[l] + 0.5) / 100);
		if (states)
			json_object_set_new(e, "states",
					    api_verify_counts(states->count[l]));
		json_object_set_new(o, code_level_name(l), e);
	}
	return o;
}

static int api_verify_point(void *arg, const struct store_coverage_pt *p)
{
	json_array_append_new(arg,
			      json_pack("{s:I, s:o}", "t_ms", (json_int_t)p->t_ms,
					"levels",
					api_verify_levels(p->connected,
							  p->expected, NULL)));
	return 0;
}

int api_coverage(struct http_req *req, void *arg)
{
	struct api_ctx *c = arg;
	struct verify_node *nodes = NULL;
	struct topo_coverage all;
	long long since = -1, until = 0, depth = LEVEL_COUNTY;
	code_t region = 0;
	char cb[CODE_STRLEN];
	json_t *regions, *o;
	int n = 0;

	if (!c->verify)
		return http_error(req, 503, "starting", "no verification");
	if (api_query_code(req, "region", &region) < 0 ||
	    api_query_int(req, "since", 0, 1LL << 50, &since) < 0 ||
	    api_query_int(req, "until", 0, 1LL << 50, &until) < 0 ||
	    api_query_int(req, "depth", 0, LEVEL_TOWNSHIP, &depth) < 0)
		return 0;
	if (verify_coverage(c->verify, region, &all))
		return http_error(req, 404, "region", "%s: not in the "
				  "inventory", code_format(region, cb));
	if (verify_nodes(c->verify, &nodes, &n))
		return http_error(req, 503, "memory", "coverage: out of memory");
	regions = json_array();
	pthread_rwlock_rdlock(&c->inv_lock);
	for (int i = 0; i < n; i++) {
		struct topo_coverage rc;
		code_t code = nodes[i].code;

		if (nodes[i].level > depth || code == region ||
		    (region && !code_is_ancestor(region, code)) ||
		    verify_coverage(c->verify, code, &rc))
			continue;
		json_array_append_new(
			regions,
			json_pack("{s:s, s:s, s:s, s:o}", "code",
				  code_format(code, cb), "name",
				  api_verify_name(c, code), "level",
				  code_level_name(nodes[i].level), "levels",
				  api_verify_levels(rc.connected, rc.expected,
						    NULL)));
	}
	pthread_rwlock_unlock(&c->inv_lock);
	free(nodes);
	o = json_pack("{s:I, s:o, s:o, s:o}", "time_ms",
		      (json_int_t)now_wall_ms(), "region",
		      region ? json_string(code_format(region, cb)) : json_null(),
		      "levels",
		      api_verify_levels(all.connected, all.expected, &all),
		      "regions", regions);
	if (since >= 0) {
		json_t *h = json_array();
		int rc = store_coverage(c->store, region, since, until, 100000,
					api_verify_point, h);

		if (rc < 0) {
			json_decref(h);
			json_decref(o);
			return http_error(req, 503, "store", "coverage: %s",
					  strerror(-rc));
		}
		json_object_set_new(o, "history", h);
	}
	return http_answer(req, 200, o);
}

/* ---- metrics ------------------------------------------------------------------- */

void api_verify_metrics(struct api_ctx *c, struct metrics_buf *b)
{
	struct verify_outage *o = NULL;
	struct verify_stats vs;
	struct alert_stats as;
	struct topo_coverage all;
	char cb[CODE_STRLEN];
	int n = 0;

	if (!c->verify || verify_coverage(c->verify, 0, &all))
		return;
	verify_stats(c->verify, &vs);
	metrics_printf(b, "# HELP egnet_coverage_connected Nodes connected "
		       "(or degraded), by level.\n"
		       "# TYPE egnet_coverage_connected gauge\n");
	for (int l = 0; l < LEVEL_COUNT; l++)
		metrics_printf(b, "egnet_coverage_connected{level=\"%s\"} %d\n",
			       code_level_name(l), all.connected[l]);
	metrics_printf(b, "# HELP egnet_coverage_expected Nodes of the "
		       "inventory, by level.\n"
		       "# TYPE egnet_coverage_expected gauge\n");
	for (int l = 0; l < LEVEL_COUNT; l++)
		metrics_printf(b, "egnet_coverage_expected{level=\"%s\"} %d\n",
			       code_level_name(l), all.expected[l]);
	metrics_printf(b, "# HELP egnet_coverage_ratio Connected over "
		       "expected, by level (1 when none is expected).\n"
		       "# TYPE egnet_coverage_ratio gauge\n");
	for (int l = 0; l < LEVEL_COUNT; l++)
		metrics_printf(b, "egnet_coverage_ratio{level=\"%s\"} %.6f\n",
			       code_level_name(l),
			       all.expected[l] ? (double)all.connected[l] /
							 all.expected[l]
					       : 1.0);
	metrics_printf(b, "# HELP egnet_nodes_state Inventory nodes by "
		       "verified state and level.\n"
		       "# TYPE egnet_nodes_state gauge\n");
	for (int l = 0; l < LEVEL_COUNT; l++)
		for (int s = 0; s < TOPO_STATE__N; s++)
			metrics_printf(b, "egnet_nodes_state{level=\"%s\","
				       "state=\"%s\"} %d\n",
				       code_level_name(l), topo_state_words[s],
				       all.count[l][s]);
	metrics_printf(b, "# HELP egnet_outages_open Outages open now.\n"
		       "# TYPE egnet_outages_open gauge\n"
		       "egnet_outages_open %d\n", vs.open_outages);
	metrics_printf(b, "# HELP egnet_outage_cut_off Nodes an open outage "
		       "cuts off, by root and level.\n"
		       "# TYPE egnet_outage_cut_off gauge\n");
	if (!verify_outages(c->verify, &o, &n))
		for (int i = 0; i < n; i++)
			for (int l = LEVEL_CITY; l < LEVEL_COUNT; l++)
				metrics_printf(b, "egnet_outage_cut_off{root="
					       "\"%s\",level=\"%s\"} %d\n",
					       code_format(o[i].root, cb),
					       code_level_name(l), o[i].cut[l]);
	verify_outages_free(o, n);
	metrics_printf(b, "# HELP egnet_outages_total Outages opened and "
		       "closed since the start.\n"
		       "# TYPE egnet_outages_total counter\n"
		       "egnet_outages_total{event=\"open\"} %llu\n"
		       "egnet_outages_total{event=\"close\"} %llu\n",
		       (unsigned long long)vs.opened,
		       (unsigned long long)vs.closed);
	alert_stats(c->alert, &as);
	metrics_printf(b, "# HELP egnet_alerts_total Outage alerts, by "
		       "result.\n"
		       "# TYPE egnet_alerts_total counter\n"
		       "egnet_alerts_total{result=\"delivered\"} %llu\n"
		       "egnet_alerts_total{result=\"retried\"} %llu\n"
		       "egnet_alerts_total{result=\"failed\"} %llu\n"
		       "egnet_alerts_total{result=\"dropped\"} %llu\n"
		       "egnet_alerts_total{result=\"syslog\"} %llu\n",
		       (unsigned long long)as.delivered,
		       (unsigned long long)as.retries,
		       (unsigned long long)as.failed,
		       (unsigned long long)as.dropped,
		       (unsigned long long)as.syslogged);
}
