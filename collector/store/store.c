// SPDX-License-Identifier: BSD-2-Clause
/*
 * The store's API side; see store.h.  Opening loads what a restart needs
 * through the backend and starts the writer thread (store_writer.c);
 * store_put() answers a duplicate from the committed ranges in memory and
 * queues the rest; queries of summaries and last reports are answered from
 * memory, the others through the backend's read connections.
 */
#include "collector/store/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/now.h"

const char *const store_result_words[] = {
	[STORE_OK] = "ok",
	[STORE_DUP] = "duplicate",
	[STORE_BUSY] = "busy",
	[STORE_UNAVAILABLE] = "unavailable",
	NULL,
};

#define OPT_INT(n, lo, hi, d, f)                                           \
	{n, CFG_INT, false, lo, hi, d, NULL, NULL,                         \
	 offsetof(struct store_opts, f), 0}

const struct cfg_opt store_cfg_opts[] = {
	{"dir", CFG_STR, false, 0, 255, 0, "/var/lib/egnet-collector", NULL,
	 offsetof(struct store_opts, dir), sizeof(((struct store_opts *)0)->dir)},
	/* six months of network logs is the legal minimum */
	OPT_INT("retention_days", 180, 3650, 180, retention_days),
	OPT_INT("minute_retention_days", 1, 90, 7, minute_retention_days),
	OPT_INT("flush_ms", 10, 60000, 1000, flush_ms),
	/* a node reports every 10-60 s: a minute coalesces several reports
	 * into one write of its last report */
	OPT_INT("coalesce_ms", 10, 600000, 60000, coalesce_ms),
	OPT_INT("queue_max", 16, 1000000, 8192, queue_max),
	OPT_INT("batch_max", 1, 100000, 1024, batch_max),
	/* group commit: at 2,000 reports/s, 5 ms make batches of ~10 and
	 * 200 fsyncs/s instead of one per report */
	OPT_INT("batch_wait_ms", 0, 1000, 5, batch_wait_ms),
	OPT_INT("report_interval_s", 1, 3600, 60, report_interval_s),
	OPT_INT("seen_gap_intervals", 1, 1000, 3, seen_gap_intervals),
	OPT_INT("retention_chunk", 10, 100000, 2000, retention_chunk),
	OPT_INT("max_db_mb", 0, 16777216, 0, max_db_mb),
	CFG_END,
};

void store_opts_default(struct store_opts *o, const char *dir)
{
	struct diag d;

	memset(o, 0, sizeof(*o));
	diag_init(&d);
	cfg_read(&d, NULL, "-", store_cfg_opts, o); /* defaults only */
	diag_free(&d);
	if (dir)
		snprintf(o->dir, sizeof(o->dir), "%s", dir);
}

long long store_clock(const struct store *st)
{
	return st->o.clock_ms ? st->o.clock_ms(st->o.clock_arg)
			      : now_wall_ms();
}

static size_t store_slot(code_t code, size_t cap)
{
	uint64_t h = code * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 17) & (cap - 1);
}

struct snode *store_node_find(const struct store *st, code_t code)
{
	if (!st->tab_cap)
		return NULL;
	for (size_t i = store_slot(code, st->tab_cap);;
	     i = (i + 1) & (st->tab_cap - 1)) {
		if (!st->tab[i])
			return NULL;
		if (st->tab[i]->code == code)
			return st->tab[i];
	}
}

static int store_tab_grow(struct store *st)
{
	size_t cap = st->tab_cap ? st->tab_cap * 2 : 1024;
	struct snode **t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < st->tab_cap; i++) {
		struct snode *n = st->tab[i];
		size_t j;

		if (!n)
			continue;
		for (j = store_slot(n->code, cap); t[j]; j = (j + 1) & (cap - 1))
			;
		t[j] = n;
	}
	free(st->tab);
	st->tab = t;
	st->tab_cap = cap;
	return 0;
}

struct snode *store_node_get(struct store *st, code_t code)
{
	struct snode *n = store_node_find(st, code);
	size_t j;

	if (n)
		return n;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->code = code;
	storestate_init(&n->ws);
	pthread_mutex_lock(&st->mu);
	if ((st->n_nodes + 1) * 10 > st->tab_cap * 7 && store_tab_grow(st)) {
		pthread_mutex_unlock(&st->mu);
		free(n);
		return NULL;
	}
	for (j = store_slot(code, st->tab_cap); st->tab[j];
	     j = (j + 1) & (st->tab_cap - 1))
		;
	st->tab[j] = n;
	st->n_nodes++;
	pthread_mutex_unlock(&st->mu);
	return n;
}

static void store_node_free(struct store *st, struct snode *n)
{
	snode_info_free(st, n);
	storeseq_free(&n->done);
	storeseq_free(&n->wseq);
	storestate_free(&n->ws);
	if (n->snap)
		storestate_free(n->snap);
	free(n->snap);
	storenow_unref(n->now);
	free(n->json);
	free(n);
}

/* ---- loading ---- */

/* True when @c is a valid 12-digit division code (a record read back). */
static bool store_code_ok(code_t c)
{
	char buf[CODE_STRLEN], err[CODE_ERR_MAX];
	code_t back;

	return c > 0 && c <= 999999999999ULL &&
	       code_parse(code_format(c, buf), &back, err, sizeof(err)) == 0 &&
	       back == c;
}

static int store_load_node(void *arg, const struct store_node_info *info,
			   const char *json, size_t len, const char *state)
{
	struct store *st = arg;
	struct snode *n;
	char err[128];
	json_t *j;

	if (!store_code_ok(info->node)) {
		st->s.bad_records++;
		return 0;
	}
	n = store_node_get(st, info->node);
	if (!n)
		return -ENOMEM;
	if (snode_info_set(st, n, info))
		return -ENOMEM;
	if (json) {
		n->json = malloc(len + 1);
		if (!n->json)
			return -ENOMEM;
		memcpy(n->json, json, len);
		n->json[len] = '\0';
		n->json_len = len;
	}
	j = state ? json_loads(state, 0, NULL) : NULL;
	if (!j || storestate_from_json(&n->ws, n->code, j, err, sizeof(err))) {
		/* the next report counts as a first one */
		storestate_init(&n->ws);
		st->s.bad_records++;
	}
	json_decref(j);
	/* no reader yet: the store is not returned before loading ends */
	storenow_unref(n->now);
	n->now = storenow_ref(n->ws.cur); /* NULL: none */
	return 0;
}

static int store_load_range(void *arg, code_t node, uint64_t lo, uint64_t hi)
{
	struct store *st = arg;
	struct snode *n;

	if (hi < lo || !store_code_ok(node)) {
		st->s.bad_records++;
		return 0;
	}
	n = store_node_get(st, node);
	if (!n || storeseq_add_range(&n->done, lo, hi))
		return -ENOMEM;
	return 0;
}

/* ---- open, close ---- */

static void store_free(struct store *st)
{
	for (size_t i = 0; i < st->tab_cap; i++)
		if (st->tab[i])
			store_node_free(st, st->tab[i]);
	free(st->tab);
	while (st->ahead) {
		struct storeaux *a = st->ahead;

		st->ahead = a->next;
		free(a);
	}
	pthread_mutex_destroy(&st->mu);
	pthread_mutex_destroy(&st->qmu);
	pthread_mutex_destroy(&st->smu);
	pthread_cond_destroy(&st->qcond);
	pthread_cond_destroy(&st->qdone);
	free(st);
}

int store_open(struct store **out, const struct store_opts *o, char *err,
	       size_t errlen)
{
	struct store *st = calloc(1, sizeof(*st));
	pthread_condattr_t ca;
	int rc;

	*out = NULL;
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	st->o = *o;
	st->be = &store_sqlite;
	pthread_mutex_init(&st->mu, NULL);
	pthread_mutex_init(&st->qmu, NULL);
	pthread_mutex_init(&st->smu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st->qcond, &ca);
	pthread_cond_init(&st->qdone, &ca);
	pthread_condattr_destroy(&ca);
	st->s.queue_max = o->queue_max;
	if (o->queue_max < 1 || o->batch_max < 1 || o->flush_ms < 1 ||
	    o->coalesce_ms < 1 ||
	    o->retention_chunk < 1 || o->dir[0] == '\0') {
		snprintf(err, errlen, "store: dir, queue_max, batch_max, "
				      "flush_ms and retention_chunk must be set");
		store_free(st);
		return -EINVAL;
	}
	rc = st->be->open(&st->h, o, err, errlen);
	if (rc) {
		store_free(st);
		return rc;
	}
	rc = st->be->load(st->h, store_load_node, store_load_range, st, err,
			  errlen);
	if (rc == 0 && (rc = -pthread_create(&st->writer, NULL,
					     store_writer_main, st)))
		snprintf(err, errlen, "store: writer thread: %s",
			 strerror(-rc));
	if (rc) {
		st->be->close(st->h);
		store_free(st);
		return rc;
	}
	st->writer_started = true;
	pthread_setname_np(st->writer, "store-writer");
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->qmu);
	st->stop = true;
	pthread_cond_broadcast(&st->qcond);
	pthread_mutex_unlock(&st->qmu);
	if (st->writer_started)
		pthread_join(st->writer, NULL);
	st->be->close(st->h);
	store_free(st);
}

/* ---- put, sync ---- */

enum store_result store_put(struct store *st, const struct report *r,
			    const char *json, size_t len, store_done_fn cb,
			    void *arg)
{
	struct storerep *p;
	struct snode *n;
	bool dup;

	pthread_mutex_lock(&st->mu);
	n = store_node_find(st, r->node);
	dup = n && storeseq_has(&n->done, r->seq);
	pthread_mutex_unlock(&st->mu);
	if (dup) {
		pthread_mutex_lock(&st->smu);
		st->s.dups++;
		pthread_mutex_unlock(&st->smu);
		return STORE_DUP;
	}
	p = storerep_new(r, json, len);
	pthread_mutex_lock(&st->qmu);
	if (!p || st->qn >= st->o.queue_max || st->stop) {
		pthread_mutex_unlock(&st->qmu);
		storerep_free(p);
		pthread_mutex_lock(&st->smu);
		st->s.busy++;
		pthread_mutex_unlock(&st->smu);
		return STORE_BUSY;
	}
	p->recv_ms = store_clock(st);
	p->enq_mono = now_mono();
	p->cb = cb;
	p->cb_arg = arg;
	if (st->qtail)
		st->qtail->next = p;
	else
		st->qhead = p;
	st->qtail = p;
	/* the writer waits for the first report, then for a full batch or
	 * the batch wait: no wake-up per report */
	if (++st->qn == 1 || st->qn == st->o.batch_max)
		pthread_cond_signal(&st->qcond);
	pthread_mutex_unlock(&st->qmu);
	return STORE_OK;
}

int store_sync(struct store *st)
{
	uint64_t want;
	int rc;

	pthread_mutex_lock(&st->qmu);
	want = ++st->sync_asked;
	pthread_cond_broadcast(&st->qcond);
	while (st->sync_done < want)
		pthread_cond_wait(&st->qdone, &st->qmu);
	rc = st->sync_rc;
	pthread_mutex_unlock(&st->qmu);
	return rc;
}

/* ---- verification records ---- */

/* Queue @a (taken) for the writer; -EBUSY when full or stopping. */
static int store_aux_queue(struct store *st, struct storeaux *a)
{
	pthread_mutex_lock(&st->qmu);
	if (st->an >= STORE_AUX_MAX || st->stop) {
		pthread_mutex_unlock(&st->qmu);
		free(a);
		pthread_mutex_lock(&st->smu);
		st->s.aux_busy++;
		pthread_mutex_unlock(&st->smu);
		return -EBUSY;
	}
	if (st->atail)
		st->atail->next = a;
	else
		st->ahead = a;
	st->atail = a;
	st->an++;
	pthread_cond_signal(&st->qcond);
	pthread_mutex_unlock(&st->qmu);
	return 0;
}

int store_put_outage(struct store *st, const struct store_outage *o)
{
	int n = o->n_nodes < 0 ? 0 : o->n_nodes;
	struct storeaux *a;

	if (!store_code_ok(o->root) || o->opened_ms <= 0 ||
	    (o->closed_ms && o->closed_ms < o->opened_ms) ||
	    (n && !o->nodes) ||
	    (o->subsumed_by && !store_code_ok(o->subsumed_by)))
		return -EINVAL;
	if (n > STORE_OUTAGE_NODES_MAX)
		n = STORE_OUTAGE_NODES_MAX;
	a = calloc(1, sizeof(*a) + (size_t)n * sizeof(code_t));
	if (!a)
		return -ENOMEM;
	a->is_outage = true;
	a->o = *o;
	snprintf(a->o.state, sizeof(a->o.state), "%s", o->state);
	if (n)
		memcpy(a->nodes, o->nodes, (size_t)n * sizeof(code_t));
	a->o.nodes = a->nodes;
	a->o.n_nodes = n;
	return store_aux_queue(st, a);
}

int store_put_coverage(struct store *st, const struct store_coverage_pt *p,
		       int n)
{
	for (int i = 0; i < n; i++)
		if (p[i].t_ms <= 0 || (p[i].region && !store_code_ok(p[i].region)))
			return -EINVAL;
	for (int i = 0; i < n; i++) {
		struct storeaux *a = calloc(1, sizeof(*a));
		int rc;

		if (!a)
			return -ENOMEM;
		a->c = p[i];
		rc = store_aux_queue(st, a);
		if (rc)
			return rc;
	}
	return 0;
}

int store_outages(struct store *st, const struct store_outage_q *q,
		  store_outage_fn cb, void *arg)
{
	return st->be->outages(st->h, q, cb, arg);
}

int store_coverage(struct store *st, code_t region, long long since_ms,
		   long long until_ms, int limit, store_coverage_fn cb,
		   void *arg)
{
	return st->be->coverage(st->h, region, since_ms, until_ms, limit, cb,
				arg);
}

/* ---- queries ---- */

static int store_info_cmp(const void *a, const void *b)
{
	const struct store_node_info *x = a, *y = b;

	return x->node < y->node ? -1 : x->node > y->node;
}

int store_nodes(struct store *st, store_node_fn cb, void *arg)
{
	struct store_node_info *v;
	size_t n = 0;
	int rc = 0;

	pthread_mutex_lock(&st->mu);
	v = malloc((st->n_nodes ? st->n_nodes : 1) * sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&st->mu);
		return -ENOMEM;
	}
	for (size_t i = 0; i < st->tab_cap; i++)
		if (st->tab[i] && st->tab[i]->info.has)
			snode_info_get(st->tab[i], &v[n++]);
	pthread_mutex_unlock(&st->mu);
	qsort(v, n, sizeof(*v), store_info_cmp);
	for (size_t i = 0; i < n && !rc; i++)
		rc = cb(arg, &v[i]);
	free(v);
	return rc;
}

int store_node_last(struct store *st, code_t code, char **json, size_t *len)
{
	struct snode *n;
	int rc = -ENOENT;

	*json = NULL;
	*len = 0;
	pthread_mutex_lock(&st->mu);
	n = store_node_find(st, code);
	if (n && n->json) {
		*json = malloc(n->json_len + 1);
		if (*json) {
			memcpy(*json, n->json, n->json_len + 1);
			*len = n->json_len;
			rc = 0;
		} else {
			rc = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int store_events(struct store *st, const struct store_event_q *q,
		 store_event_fn cb, void *arg)
{
	return st->be->events(st->h, q, cb, arg);
}

int store_series(struct store *st, code_t code, long long since_ms,
		 long long until_ms, store_series_fn cb, void *arg)
{
	long long kept = store_clock(st) -
			 (long long)st->o.minute_retention_days * 86400000LL;
	bool hourly = until_ms - since_ms > 2 * 86400000LL || since_ms < kept;

	return st->be->series(st->h, code, since_ms, until_ms, hourly, cb,
			      arg);
}

int store_seq_ranges(struct store *st, code_t code, store_range_fn cb,
		     void *arg)
{
	return st->be->ranges(st->h, code, cb, arg);
}

static int store_dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void store_note_commit(struct store *st, double ms, const char *err)
{
	pthread_mutex_lock(&st->smu);
	if (err) {
		snprintf(st->s.last_error, sizeof(st->s.last_error), "%s", err);
	} else {
		st->s.commit_sum_ms += ms;
		st->s.commits++;
		st->lat[st->lat_i] = ms;
		st->lat_i = (st->lat_i + 1) % STORE_LAT_WINDOW;
		if (st->lat_n < STORE_LAT_WINDOW)
			st->lat_n++;
	}
	pthread_mutex_unlock(&st->smu);
}

void store_stats(struct store *st, struct store_stats *s)
{
	double v[STORE_LAT_WINDOW];
	int n;

	pthread_mutex_lock(&st->smu);
	*s = st->s;
	n = st->lat_n;
	memcpy(v, st->lat, n * sizeof(v[0]));
	pthread_mutex_unlock(&st->smu);
	pthread_mutex_lock(&st->qmu);
	s->queue_depth = st->qn;
	pthread_mutex_unlock(&st->qmu);
	s->queue_max = st->o.queue_max;
	s->commit_window = n;
	if (n) {
		qsort(v, n, sizeof(v[0]), store_dbl_cmp);
		s->commit_p50_ms = v[(n - 1) / 2];
		s->commit_p99_ms = v[(n * 99 + 99) / 100 - 1];
	}
	s->db_bytes = st->be->size(st->h);
	s->db_mem_bytes = st->be->mem ? st->be->mem(st->h) : 0;
}
