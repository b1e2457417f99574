// SPDX-License-Identifier: BSD-2-Clause
/*
 * GET /api/v1/changes (docs/api.md): what changed since version N, for
 * the dashboard's live updates.  A version counter and a log of the nodes
 * whose verified state changed, kept here, beside the verification: each
 * call (at most every API_CHANGES_SCAN_MS) takes the engine's node states
 * (verify_nodes: a copy of 15,000 small records) and compares them with
 * the last copy; every node that differs goes in the log under a new
 * version.  An answer is the changed nodes since the caller's version
 * (each once, with its state now), the coverage per level, the open
 * outages without their node lists, and the collector's health figures,
 * so one small poll keeps a page current.
 *
 * A caller is told to start again from the whole tree ("reset": true)
 * when its version is older than what the log still holds, when the
 * inventory changed (another set of nodes), when the collector restarted
 * (another "epoch"), or when more than API_CHANGES_MAX nodes changed.
 */
#include "collector/api/api_changes.h"
#include "collector/api/api_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collector/store/store.h"
#include "collector/verify/verify.h"
#include "common/now.h"

struct changes_ent {
	uint64_t version;
	code_t code;
};

struct api_changes {
	pthread_mutex_t mu;
	long long epoch;	  /* the collector's start, ms */
	uint64_t version;	  /* the newest */
	uint64_t floor;		  /* a caller's version below it: reset */
	struct verify_node *snap; /* the last copy, code order */
	int n;
	struct changes_ent log[API_CHANGES_LOG];
	int head, count;   /* oldest at head */
	long long scan_ms; /* of the last scan, monotonic */
};

struct api_changes *api_changes_new(void)
{
	struct api_changes *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->mu, NULL);
	c->epoch = now_wall_ms();
	return c;
}

void api_changes_free(struct api_changes *c)
{
	if (!c)
		return;
	free(c->snap);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static void log_add(struct api_changes *c, code_t code)
{
	if (c->count == API_CHANGES_LOG) {
		/* the oldest goes: a caller from before it starts again */
		c->floor = c->log[c->head].version;
		c->head = (c->head + 1) % API_CHANGES_LOG;
		c->count--;
	}
	c->log[(c->head + c->count) % API_CHANGES_LOG] =
		(struct changes_ent){c->version, code};
	c->count++;
}

void api_changes_scan(struct api_changes *c, struct verify_node *now, int n)
{
	bool bumped = false;

	pthread_mutex_lock(&c->mu);
	if (!c->snap || n != c->n ||
	    (n && (now[0].code != c->snap[0].code ||
		   now[n - 1].code != c->snap[n - 1].code))) {
		/* the first scan, or another inventory: start again */
		c->floor = ++c->version;
		c->head = c->count = 0;
		goto keep;
	}
	for (int i = 0; i < n; i++) {
		if (now[i].code != c->snap[i].code) {
			c->floor = ++c->version;
			c->head = c->count = 0;
			goto keep;
		}
		if (now[i].state == c->snap[i].state &&
		    now[i].wrong_parent == c->snap[i].wrong_parent)
			continue;
		if (!bumped) {
			c->version++;
			bumped = true;
		}
		log_add(c, now[i].code);
	}
keep:
	free(c->snap);
	c->snap = now;
	c->n = n;
	pthread_mutex_unlock(&c->mu);
}

static int cmp_code(const void *a, const void *b)
{
	code_t x = *(const code_t *)a, y = *(const code_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_vnode(const void *a, const void *b)
{
	code_t x = ((const struct verify_node *)a)->code,
	       y = ((const struct verify_node *)b)->code;

	return x < y ? -1 : x > y;
}

uint64_t api_changes_since(struct api_changes *c, uint64_t since,
			   struct verify_node **out, int *n, bool *reset)
{
	struct verify_node *res = NULL;
	code_t *codes = NULL;
	uint64_t version;
	int k = 0;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&c->mu);
	version = c->version;
	*reset = !c->snap || since < c->floor || since > c->version;
	if (*reset || since == c->version)
		goto out;
	codes = malloc((size_t)c->count * sizeof(*codes));
	res = malloc((size_t)c->count * sizeof(*res));
	if (!codes || !res) {
		*reset = true;
		goto out;
	}
	for (int i = c->count - 1; i >= 0; i--) {
		const struct changes_ent *e =
			&c->log[(c->head + i) % API_CHANGES_LOG];

		if (e->version <= since)
			break;
		codes[k++] = e->code;
	}
	qsort(codes, (size_t)k, sizeof(*codes), cmp_code);
	for (int i = 0; i < k; i++) {
		struct verify_node key = {.code = codes[i]}, *vn;

		if (i && codes[i] == codes[i - 1])
			continue;
		if (*n == API_CHANGES_MAX) {
			*reset = true;
			*n = 0;
			break;
		}
		vn = bsearch(&key, c->snap, (size_t)c->n, sizeof(*c->snap),
			     cmp_vnode);
		if (vn)
			res[(*n)++] = *vn;
	}
out:
	pthread_mutex_unlock(&c->mu);
	free(codes);
	if (*reset || !*n) {
		free(res);
		*n = 0;
	} else
		*out = res;
	return version;
}

/* The nodes changed after @since as JSON; NULL and *@reset when the
 * caller must start again.  *@version: the log's. */
static json_t *changed(struct api_changes *c, uint64_t since, bool *reset,
		       uint64_t *version)
{
	struct verify_node *vn;
	json_t *a;
	int n;

	*version = api_changes_since(c, since, &vn, &n, reset);
	if (*reset)
		return NULL;
	a = json_array();
	for (int i = 0; i < n; i++) {
		char cb[CODE_STRLEN];
		json_t *o = json_pack("{s:s, s:s}", "code",
				      code_format(vn[i].code, cb), "state",
				      topo_state_words[vn[i].state]);

		if (vn[i].wrong_parent)
			json_object_set_new(o, "wrong_parent", json_true());
		json_array_append_new(a, o);
	}
	free(vn);
	return a;
}

static json_t *levels_json(const struct topo_coverage *cv)
{
	json_t *o = json_object();

	for (int l = 0; l < LEVEL_COUNT; l++) {
		json_t *st = json_object();

		if (!cv->expected[l])
			continue;
		for (int s = 0; s < TOPO_STATE__N; s++)
			json_object_set_new(st, topo_state_words[s],
					    json_integer(cv->count[l][s]));
		json_object_set_new(
			o, code_level_name(l),
			json_pack(
				"{s:i, s:i, s:f, s:o}", "connected",
				cv->connected[l], "expected", cv->expected[l],
				"pct",
				(double)(long long)(10000.0 * cv->connected[l] /
							    cv->expected[l] +
						    0.5) /
					100,
				"states", st));
	}
	return o;
}

static json_t *outages_json(struct api_ctx *c)
{
	struct verify_outage *o = NULL;
	json_t *a = json_array();
	int n = 0;

	if (verify_outages(c->verify, &o, &n))
		return a;
	pthread_rwlock_rdlock(&c->inv_lock);
	for (int i = 0; i < n; i++) {
		const struct inv_node *iv =
			c->inv ? inventory_find(c->inv, o[i].root) : NULL;
		json_t *cut = json_object();
		char cb[CODE_STRLEN];
		int total = 0;

		for (int l = LEVEL_CITY; l < LEVEL_COUNT; l++) {
			json_object_set_new(cut, code_level_name(l),
					    json_integer(o[i].cut[l]));
			total += o[i].cut[l];
		}
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:i}",
				     "root", code_format(o[i].root, cb), "name",
				     iv ? iv->name : "", "level",
				     code_level_name(code_level(o[i].root)),
				     "state", topo_state_words[o[i].state],
				     "since", (json_int_t)o[i].opened_ms,
				     "cut_off", cut, "total", total));
	}
	pthread_rwlock_unlock(&c->inv_lock);
	verify_outages_free(o, n);
	return a;
}

/* The collector's own figures the dashboard's header shows. */
static json_t *health_json(struct api_ctx *c)
{
	struct http_stats hs = {0};
	struct reports_stats rs = {0};
	struct store_stats ss;
	uint64_t refused, rejected = 0;

	if (c->http)
		http_server_stats(c->http, &hs);
	if (c->reports)
		reports_stats(c->reports, &rs);
	store_stats(c->store, &ss);
	refused = rs.identity;
	for (int i = 0; i < REPORT_ERR__N; i++)
		refused += rs.refused[i];
	for (int i = 0; i < HTTP_REJ_COUNT; i++)
		rejected += hs.rejected[i];
	return json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:I, "
		"s:b, s:I}",
		"reports_stored", (json_int_t)rs.stored, "reports_duplicate",
		(json_int_t)rs.duplicates, "reports_busy",
		(json_int_t)(rs.busy + rs.unavailable), "reports_refused",
		(json_int_t)refused, "http_answered", (json_int_t)hs.answered,
		"http_rejected", (json_int_t)rejected, "store_queue",
		ss.queue_depth, "store_queue_max", ss.queue_max,
		"store_db_bytes", (json_int_t)ss.db_bytes, "store_up",
		ss.last_error[0] == '\0', "store_nodes", (json_int_t)ss.nodes);
}

int api_changes(struct http_req *req, void *arg)
{
	struct api_ctx *c = arg;
	struct api_changes *ch = c->changes;
	long long since = -1, epoch = 0, t = (long long)(now_mono() * 1000);
	struct topo_coverage cv;
	struct verify_node *vn;
	json_t *nodes, *o;
	bool reset, due;
	uint64_t version;
	int nv;

	if (!c->verify || !ch)
		return http_error(req, 503, "starting", "no verification");
	if (api_query_int(req, "since", 0, 1LL << 62, &since) < 0 ||
	    api_query_int(req, "epoch", 0, 1LL << 50, &epoch) < 0)
		return 0;
	pthread_mutex_lock(&ch->mu);
	due = !ch->snap || t - ch->scan_ms >= API_CHANGES_SCAN_MS;
	if (due)
		ch->scan_ms = t;
	pthread_mutex_unlock(&ch->mu);
	if (due) {
		struct verify_node *now = NULL;
		int n = 0;

		if (verify_nodes(c->verify, &now, &n))
			return http_error(req, 503, "memory",
					  "changes: out of "
					  "memory");
		api_changes_scan(ch, now, n);
	}
	if (since < 0 || (epoch && epoch != ch->epoch)) {
		/* the version only: nothing is after UINT64_MAX */
		version = api_changes_since(ch, UINT64_MAX, &vn, &nv, &reset);
		reset = true;
		nodes = NULL;
	} else
		nodes = changed(ch, (uint64_t)since, &reset, &version);
	if (verify_coverage(c->verify, 0, &cv))
		memset(&cv, 0, sizeof(cv));
	o = json_pack("{s:I, s:I, s:I, s:b, s:i, s:o, s:o, s:o, s:o}",
		      "time_ms", (json_int_t)now_wall_ms(), "epoch",
		      (json_int_t)ch->epoch, "version", (json_int_t)version,
		      "reset", reset, "refresh_ms", c->refresh_ms, "nodes",
		      nodes ? nodes : json_array(), "levels", levels_json(&cv),
		      "outages", outages_json(c), "health", health_json(c));
	return http_answer(req, 200, o);
}
