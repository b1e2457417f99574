// SPDX-License-Identifier: BSD-2-Clause
/*
 * The read API (api.h): nodes, one node with its series, events, metrics.
 * Everything is read from the store (its memory for summaries, its read
 * connections for events and series) and from the inventory under its
 * read lock.
 */
#include "collector/api/api.h"
#include "collector/api/api_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/api/metrics.h"
#include "collector/store/store.h"
#include "collector/verify/verify.h"
#include "common/log.h"
#include "common/now.h"

/* ---- query arguments ------------------------------------------------------- */

int api_query_int(struct http_req *req, const char *key, long long lo,
		  long long hi, long long *out)
{
	const char *v = http_req_query(req, key);
	char *end;
	long long n;

	if (!v)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno || n < lo || n > hi) {
		http_error(req, 400, "query", "%s=%.40s: not an integer in "
			   "%lld..%lld", key, v, lo, hi);
		return -1;
	}
	*out = n;
	return 1;
}

int api_query_code(struct http_req *req, const char *key, code_t *out)
{
	const char *v = http_req_query(req, key);
	char err[128];

	if (!v)
		return 0;
	if (code_parse(v, out, err, sizeof(err))) {
		http_error(req, 400, "query", "%s=%.40s: %s", key, v, err);
		return -1;
	}
	return 1;
}

/* ---- nodes ------------------------------------------------------------------ */

struct infos {
	struct store_node_info *v;
	size_t n, cap;
};

static int collect_info(void *arg, const struct store_node_info *n)
{
	struct infos *in = arg;

	if (in->n == in->cap) {
		in->cap = in->cap ? 2 * in->cap : 256;
		in->v = xrealloc(in->v, in->cap * sizeof(*in->v));
	}
	in->v[in->n++] = *n;
	return 0;
}

static json_t *node_json(code_t code, const struct inv_node *iv,
			 const struct store_node_info *si);

/* node_json() with the verified state (null when not in the inventory),
 * wrong_parent and the parent its last report named (null when none). */
static json_t *node_json_v(struct api_ctx *c, code_t code,
			   const struct inv_node *iv,
			   const struct store_node_info *si)
{
	json_t *o = node_json(code, iv, si);
	struct topo_node_info ni;
	char pb[CODE_STRLEN];

	if (c->verify && !verify_node(c->verify, code, &ni)) {
		json_object_set_new(o, "state",
				    json_string(topo_state_words[ni.state]));
		json_object_set_new(o, "wrong_parent",
				    json_boolean(ni.wrong_parent));
		json_object_set_new(o, "reported_parent",
				    ni.said_parent
					    ? json_string(code_format(
						      ni.said_parent, pb))
					    : json_null());
	} else {
		json_object_set_new(o, "state", json_null());
		json_object_set_new(o, "wrong_parent", json_false());
		json_object_set_new(o, "reported_parent", json_null());
	}
	return o;
}

static json_t *node_json(code_t code, const struct inv_node *iv,
			 const struct store_node_info *si)
{
	char cb[CODE_STRLEN], pb[CODE_STRLEN];
	enum code_level l = code_level(code);
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:b}", "code",
			      code_format(code, cb), "name", iv ? iv->name : "",
			      "level", code_level_name(l), "parent",
			      l == LEVEL_PROVINCE
				      ? json_null()
				      : json_string(code_format(code_parent(code),
								pb)),
			      "expected", iv != NULL);

	if (!si) {
		/* never reported: every member there, null (docs/api.md) */
		static const char *const none[] = {
			"last_seq", "last_report_ms", "agent_time_ms",
			"uptime_s", "apply", "drift", "profile",
		};

		for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
			json_object_set_new(o, none[i], json_null());
		return o;
	}
	json_object_set_new(o, "last_seq", json_integer((json_int_t)si->last_seq));
	json_object_set_new(o, "last_report_ms", json_integer(si->last_ms));
	json_object_set_new(o, "agent_time_ms", json_integer(si->agent_ms));
	json_object_set_new(o, "uptime_s", json_integer(si->uptime_s));
	json_object_set_new(o, "apply",
			    json_string(report_apply_words[si->apply]));
	json_object_set_new(o, "drift", json_boolean(si->drift));
	json_object_set_new(o, "profile",
			    si->profile[0]
				    ? json_pack("{s:s, s:s, s:s}", "name",
						si->profile, "version",
						si->profile_version, "hash",
						si->profile_hash)
				    : json_null());
	return o;
}

/*
 * Every node known: the inventory's gateways (a village runs no agent) and
 * every node that reported, merged in code order.
 */
int api_nodes(struct http_req *req, void *arg)
{
	struct api_ctx *c = arg;
	struct infos in = {0};
	json_t *a = json_array();
	size_t i = 0;
	int k = 0, rc;

	rc = store_nodes(c->store, collect_info, &in);
	if (rc < 0) {
		free(in.v);
		json_decref(a);
		return http_error(req, 503, "store", "nodes: %s", strerror(-rc));
	}
	pthread_rwlock_rdlock(&c->inv_lock);
	for (;;) {
		const struct inv_node *iv = NULL;
		const struct store_node_info *si = NULL;

		while (c->inv && k < c->inv->n &&
		       code_level(c->inv->nodes[k].code) == LEVEL_VILLAGE &&
		       (i == in.n || in.v[i].node != c->inv->nodes[k].code))
			k++;
		if (c->inv && k < c->inv->n)
			iv = &c->inv->nodes[k];
		if (i < in.n)
			si = &in.v[i];
		if (!iv && !si)
			break;
		if (iv && si && iv->code == si->node) {
			json_array_append_new(a, node_json_v(c, iv->code, iv, si));
			k++, i++;
		} else if (iv && (!si || iv->code < si->node)) {
			json_array_append_new(a, node_json_v(c, iv->code, iv, NULL));
			k++;
		} else {
			json_array_append_new(a, node_json_v(c, si->node, NULL, si));
			i++;
		}
	}
	pthread_rwlock_unlock(&c->inv_lock);
	free(in.v);
	return http_answer(req, 200,
			   json_pack("{s:I, s:o}", "time_ms",
				     (json_int_t)now_wall_ms(), "nodes", a));
}

/* A stored figure as JSON: null when never measured (negative); minima
 * and maxima are kept in single precision, so they are rounded to the
 * microsecond rather than shown as 2.0999999046325684. */
static json_t *figure(double v)
{
	return v < 0 ? json_null()
		     : json_real((double)(long long)(v * 1e6 + 0.5) / 1e6);
}

static int series_row(void *arg, const struct store_series_row *r)
{
	json_t *o;

	if (r->kind == STORE_SERIES_LINK)
		o = json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:f, s:f, s:i}",
			      "kind", "link", "key", r->key, "t_ms",
			      (json_int_t)r->t_ms, "period",
			      r->hourly ? "hour" : "minute", "rx_bytes",
			      (json_int_t)r->rx_bytes, "tx_bytes",
			      (json_int_t)r->tx_bytes, "rx_bps", r->rx_bps,
			      "tx_bps", r->tx_bps, "samples", (int)r->samples);
	else
		o = json_pack("{s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:o, "
			      "s:i}",
			      "kind", "target", "key", r->key, "t_ms",
			      (json_int_t)r->t_ms, "period",
			      r->hourly ? "hour" : "minute", "rtt_avg_ms",
			      figure(r->rtt_avg), "rtt_min_ms",
			      figure(r->rtt_min), "rtt_max_ms",
			      figure(r->rtt_max), "loss_pct",
			      figure(r->loss_pct), "jitter_ms",
			      figure(r->jitter_avg),
			      "samples", (int)r->samples);
	json_array_append_new(arg, o);
	return 0;
}

static int range_row(void *arg, uint64_t lo, uint64_t hi)
{
	json_array_append_new(arg, json_pack("[I, I]", (json_int_t)lo,
					     (json_int_t)hi));
	return 0;
}

/* One node: what the inventory says, its last report, its series. */
int api_node(struct http_req *req, void *arg)
{
	struct api_ctx *c = arg;
	const char *p = http_req_param(req, 0);
	long long now = now_wall_ms(), since = now - API_SERIES_DEFAULT_MS,
		  until = now;
	char err[128], *json = NULL;
	const struct inv_node *iv;
	struct infos in = {0};
	const struct store_node_info *si = NULL;
	json_t *o, *series, *last = NULL;
	code_t code;
	size_t len;
	int rc;

	if (!p || code_parse(p, &code, err, sizeof(err)))
		return http_error(req, 400, "code", "%.40s: %s", p ? p : "",
				  err);
	if (api_query_int(req, "since", 0, 1LL << 50, &since) < 0 ||
	    api_query_int(req, "until", 0, 1LL << 50, &until) < 0)
		return 0;
	if (since > until)
		return http_error(req, 400, "query", "since=%lld is after "
				  "until=%lld", since, until);
	rc = store_node_last(c->store, code, &json, &len);
	if (rc == 0) {
		last = json_loadb(json, len, 0, NULL);
		free(json);
	}
	store_nodes(c->store, collect_info, &in);
	for (size_t i = 0; i < in.n; i++)
		if (in.v[i].node == code)
			si = &in.v[i];
	pthread_rwlock_rdlock(&c->inv_lock);
	iv = c->inv ? inventory_find(c->inv, code) : NULL;
	if (!iv && !si) {
		pthread_rwlock_unlock(&c->inv_lock);
		free(in.v);
		json_decref(last);
		return http_error(req, 404, "node", "%.40s: neither in the "
				  "inventory nor ever reported", p);
	}
	o = node_json_v(c, code, iv, si);
	pthread_rwlock_unlock(&c->inv_lock);
	free(in.v);
	json_object_set_new(o, "last_report", last ? last : json_null());
	series = json_array();
	rc = store_series(c->store, code, since, until, series_row, series);
	if (rc < 0) {
		json_decref(series);
		json_decref(o);
		return http_error(req, 503, "store", "series: %s",
				  strerror(-rc));
	}
	{
		json_t *ranges = json_array();

		/* which reports are stored: a gap is a report lost (or a
		 * sequence block an agent's restart skipped) */
		if (store_seq_ranges(c->store, code, range_row, ranges) < 0) {
			json_decref(ranges);
			ranges = json_null();
		}
		json_object_set_new(o, "seq_ranges", ranges);
	}
	json_object_set_new(o, "time_ms", json_integer(now));
	json_object_set_new(o, "series",
			    json_pack("{s:I, s:I, s:o}", "since_ms",
				      (json_int_t)since, "until_ms",
				      (json_int_t)until, "rows", series));
	return http_answer(req, 200, o);
}

/* ---- events ----------------------------------------------------------------- */

static int event_row(void *arg, const struct store_event *e)
{
	char cb[CODE_STRLEN];

	json_array_append_new(
		arg, json_pack("{s:I, s:s, s:s, s:s, s:s}", "time_ms",
			       (json_int_t)e->time_ms, "node",
			       code_format(e->node, cb), "type",
			       store_ev_words[e->type], "subject", e->subject,
			       "text", e->text));
	return 0;
}

int api_events(struct http_req *req, void *arg)
{
	struct api_ctx *c = arg;
	struct store_event_q q = {.type = -1, .limit = API_EVENTS_DEFAULT};
	const char *type = http_req_query(req, "type"),
		   *order = http_req_query(req, "order");
	long long since = 0, until = 0, limit = API_EVENTS_DEFAULT;
	json_t *a;
	int rc;

	if (api_query_int(req, "since", 0, 1LL << 50, &since) < 0 ||
	    api_query_int(req, "until", 0, 1LL << 50, &until) < 0 ||
	    api_query_int(req, "limit", 1, API_EVENTS_MAX, &limit) < 0 ||
	    api_query_code(req, "node", &q.node) < 0)
		return 0;
	if (type) {
		for (int i = 0; i < STORE_EV__N; i++)
			if (!strcmp(store_ev_words[i], type))
				q.type = i;
		if (q.type < 0)
			return http_error(req, 400, "query",
					  "type=%.40s: not an event type",
					  type);
	}
	if (until && since >= until)
		return http_error(req, 400, "query", "since=%lld is not before "
				  "until=%lld", since, until);
	if (order && strcmp(order, "asc") && strcmp(order, "desc"))
		return http_error(req, 400, "query",
				  "order=%.40s: asc or desc", order);
	q.since_ms = since;
	q.until_ms = until;
	q.limit = (int)limit;
	q.oldest_first = order && !strcmp(order, "asc");
	a = json_array();
	rc = store_events(c->store, &q, event_row, a);
	if (rc < 0) {
		json_decref(a);
		return http_error(req, 503, "store", "events: %s",
				  strerror(-rc));
	}
	return http_answer(req, 200, json_pack("{s:I, s:o}", "time_ms",
					       (json_int_t)now_wall_ms(),
					       "events", a));
}

/* ---- metrics ---------------------------------------------------------------- */

int api_metrics(struct http_req *req, void *arg)
{
	struct api_ctx *c = arg;
	struct http_stats hs;
	struct reports_stats rs;
	struct metrics_buf b;
	int rc;

	if (!c->http)
		return http_error(req, 503, "starting", "not serving yet");
	http_server_stats(c->http, &hs);
	reports_stats(c->reports, &rs);
	pthread_rwlock_rdlock(&c->inv_lock);
	rc = metrics_format(c->store, c->inv, &hs, &rs, &c->metrics,
			    now_wall_ms(), &b);
	pthread_rwlock_unlock(&c->inv_lock);
	if (!rc) {
		api_verify_metrics(c, &b);
		if (b.oom) {
			metrics_buf_free(&b);
			rc = -ENOMEM;
		}
	}
	if (rc)
		return http_error(req, 503, "memory", "metrics: %s",
				  strerror(-rc));
	return http_answer_text_take(req, 200, "text/plain; version=0.0.4",
				     b.p, b.len);
}
