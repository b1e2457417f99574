// SPDX-License-Identifier: BSD-2-Clause
/*
 * The store's one writer thread.  It takes the queued reports in batches,
 * derives each one's events (storediff.c) and minute and hour rows
 * (storeagg.c), and writes the batch — new sequence ranges, events, the
 * rows that closed, and the coalesced writes that are due (summary, last
 * report and state of the nodes that have waited coalesce_ms in a FIFO,
 * at most batch_max of them, so they spread over the batches) — in ONE
 * transaction; only then it publishes the committed ranges and summaries
 * and calls back.  A failed commit undoes the batch in memory as well (each
 * touched node's state is restored from the copy taken when the batch first
 * touched it), so a report the agent sends again is judged afresh.
 *
 * Every flush_ms (a tick) the minutes and hours the clock has closed are
 * closed, and one retention step deletes a bounded chunk of expired rows
 * per table, repeated every 10 ms while a chunk comes back full.  A sync
 * or the stop writes every coalesced write waiting (the stop closes every
 * open minute and hour as well).
 */
#include "collector/store/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/store/storeagg.h"
#include "collector/store/storediff.h"
#include "common/now.h"

/* What one batch writes, grown as the batch is processed. */
struct wbuf {
	struct store *st;
	uint32_t batch;
	struct snode **touched;
	int n_touched, cap_touched;
	struct store_event *ev;
	int n_ev, cap_ev;
	struct store_wrow *rows;
	int n_rows, cap_rows;
	struct store_wranges *ranges;
	struct store_wnode *nodes;
	struct snode **wnodes; /* whose data nodes[i] is */
	char **states;
	int n_nodes;
	/* nodes with coalesced data waiting, oldest first */
	struct snode *dhead, *dtail;
	int n_popped; /* of them, written by this batch */
	bool oom;
};

static int wbuf_grow(void **v, int *cap, int need, size_t size)
{
	void *p;
	int c;

	if (need <= *cap)
		return 0;
	c = *cap ? *cap * 2 : 256;
	while (c < need)
		c *= 2;
	p = realloc(*v, (size_t)c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

static void wbuf_event(void *arg, const struct store_event *e)
{
	struct wbuf *b = arg;

	if (wbuf_grow((void **)&b->ev, &b->cap_ev, b->n_ev + 1,
		      sizeof(b->ev[0]))) {
		b->oom = true;
		return;
	}
	b->ev[b->n_ev++] = *e;
}

static int wbuf_row(void *arg, code_t node, const struct store_series_row *r)
{
	struct wbuf *b = arg;

	if (wbuf_grow((void **)&b->rows, &b->cap_rows, b->n_rows + 1,
		      sizeof(b->rows[0]))) {
		b->oom = true;
		return -ENOMEM;
	}
	b->rows[b->n_rows].node = node;
	b->rows[b->n_rows].r = *r;
	b->n_rows++;
	return 0;
}

/* First touch of @n in this batch: keep a copy of its state to go back
 * to if the commit fails. */
static int wbuf_touch(struct wbuf *b, struct snode *n)
{
	if (n->batch == b->batch)
		return 0;
	if (!n->snap)
		n->snap = malloc(sizeof(*n->snap));
	if (!n->snap ||
	    wbuf_grow((void **)&b->touched, &b->cap_touched,
		      b->n_touched + 1, sizeof(b->touched[0])) ||
	    storeseq_copy(&n->wseq, &n->done) ||
	    storestate_copy(n->snap, &n->ws)) {
		free(n->snap);
		n->snap = NULL;
		storeseq_free(&n->wseq);
		b->oom = true;
		return -ENOMEM;
	}
	n->batch = b->batch;
	n->newest = NULL;
	n->seq_changed = false;
	b->touched[b->n_touched++] = n;
	return 0;
}

static void wbuf_report(struct wbuf *b, struct storerep *p)
{
	struct store *st = b->st;
	long long gap = (long long)st->o.report_interval_s *
			st->o.seen_gap_intervals * 1000;
	struct snode *n = store_node_get(st, p->node);

	p->result = STORE_UNAVAILABLE;
	if (!n) {
		b->oom = true;
		return;
	}
	/* wseq: done and this batch's, only while a batch holds the node */
	if (storeseq_has(n->batch == b->batch ? &n->wseq : &n->done, p->seq)) {
		/* stored, or an earlier copy in this batch: DUP once that
		 * one is committed */
		p->result = STORE_DUP;
		return;
	}
	if (wbuf_touch(b, n) || storeseq_add(&n->wseq, p->seq)) {
		b->oom = true;
		return;
	}
	n->seq_changed = true;
	storediff(&n->ws, p, gap, wbuf_event, b);
	if (storeagg_advance(&n->ws, p, wbuf_row, b))
		b->oom = true;
	if (!n->newest || p->seq > n->newest->seq)
		n->newest = p;
	p->result = STORE_OK;
}

/* The summary of @p, node @code's newest report. */
static void wbuf_info(struct store_node_info *i, code_t code,
		      const struct storerep *p)
{
	i->node = code;
	i->last_seq = p->seq;
	i->last_ms = p->recv_ms;
	i->agent_ms = p->time_ms;
	i->uptime_s = p->uptime_s;
	i->apply = p->apply;
	i->drift = p->drift;
	memcpy(i->profile, p->profile, sizeof(p->profile));
	memcpy(i->profile_version, p->profile_version,
	       sizeof(p->profile_version));
	memcpy(i->profile_hash, p->profile_hash, sizeof(p->profile_hash));
}

/* True when this batch brings node @n a newer last report. */
static bool wbuf_newer(const struct wbuf *b, const struct snode *n)
{
	return n->batch == b->batch && n->newest &&
	       n->newest->seq > n->info.last_seq;
}

/*
 * At a tick: close the open minute and hour of every node that has gone
 * quiet (nothing received for a minute and a report interval by the
 * store's clock), all of them with @all.  A node that reports closes its
 * own periods as its reports' times move on; judging by the time of
 * receipt rather than the report's time keeps an agent whose clock is off
 * from having its minutes closed and merged again at every tick.
 */
static void wbuf_clock(struct wbuf *b, bool all)
{
	struct store *st = b->st;
	long long now = store_clock(st),
		  late = STOREAGG_MINUTE_MS + st->o.report_interval_s * 1000LL;

	for (size_t i = 0; i < st->tab_cap; i++) {
		struct snode *n = st->tab[i];

		long long seen;

		if (!n || (n->ws.minute_ms < 0 && n->ws.hour_ms < 0))
			continue;
		seen = wbuf_newer(b, n) ? n->newest->recv_ms : n->info.last_ms;
		if (!all && now - seen < late)
			continue;
		if (wbuf_touch(b, n))
			return;
		storeagg_close_hour(&n->ws, n->code, wbuf_row, b);
	}
}

static int wbuf_node(struct wbuf *b, struct snode *n)
{
	struct store_wnode *w = &b->nodes[b->n_nodes];
	json_t *j;

	if (wbuf_newer(b, n)) {
		wbuf_info(&w->info, n->code, n->newest);
		w->json = n->newest->json;
		w->json_len = n->newest->json_len;
	} else {
		snode_info_get(n, &w->info);
		w->json = n->json;
		w->json_len = n->json_len;
	}
	j = storestate_to_json(&n->ws);
	b->states[b->n_nodes] = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!b->states[b->n_nodes]) {
		b->oom = true;
		return -ENOMEM;
	}
	w->state = b->states[b->n_nodes];
	b->wnodes[b->n_nodes++] = n;
	n->written = true;
	return 0;
}

/*
 * The coalesced writes of this batch: the nodes at the head of the FIFO
 * that have waited coalesce_ms (at most batch_max of them, so the writes
 * are spread over the batches rather than one big stall), or with @all
 * every waiting node and every node this batch brings a newer report.
 */
static void wbuf_nodes(struct wbuf *b, bool all)
{
	struct store *st = b->st;
	double now = now_mono(), wait = st->o.coalesce_ms / 1000.0;
	int k = 0, max;
	struct snode *n;

	for (n = b->dhead; n && (all || (k < st->o.batch_max &&
					n->dirty_at + wait <= now));
	     n = n->dnext)
		k++;
	max = k + (all ? b->n_touched : 0);
	if (!max)
		return;
	b->nodes = calloc(max, sizeof(b->nodes[0]));
	b->states = calloc(max, sizeof(b->states[0]));
	b->wnodes = calloc(max, sizeof(b->wnodes[0]));
	if (!b->nodes || !b->states || !b->wnodes) {
		b->oom = true;
		return;
	}
	for (n = b->dhead; n && b->n_nodes < k; n = n->dnext)
		if (wbuf_node(b, n))
			return;
	b->n_popped = k;
	for (int i = 0; all && i < b->n_touched; i++)
		if (!b->touched[i]->written && wbuf_newer(b, b->touched[i]) &&
		    wbuf_node(b, b->touched[i]))
			return;
}

/* Publish the batch: committed ranges, summaries, last reports. */
static void wbuf_commit_ok(struct wbuf *b)
{
	struct store *st = b->st;
	double now = now_mono();
	struct storenow **pub = NULL;
	struct store_node_info info;

	/* the nodes' new links and targets: the newest report's block, which
	 * their state holds (storeagg_advance); without room for the list
	 * they keep their older ones */
	if (b->n_touched)
		pub = calloc(b->n_touched, sizeof(*pub));
	for (int i = 0; pub && i < b->n_touched; i++)
		if (wbuf_newer(b, b->touched[i]))
			pub[i] = storenow_ref(b->touched[i]->ws.cur);
	for (int i = 0; i < b->n_popped; i++) {
		struct snode *n = b->dhead;

		b->dhead = n->dnext;
		n->dnext = NULL;
		n->dirty = false;
	}
	if (!b->dhead)
		b->dtail = NULL;
	pthread_mutex_lock(&st->mu);
	for (int i = 0; i < b->n_touched; i++) {
		struct snode *n = b->touched[i];
		struct storerep *p = n->newest;

		storestate_free(n->snap);
		free(n->snap);
		n->snap = NULL;
		if (n->seq_changed) {
			struct storeseq t = n->done;

			n->done = n->wseq;
			n->wseq = t;
		}
		storeseq_free(&n->wseq);
		if (!wbuf_newer(b, n))
			continue;
		wbuf_info(&info, n->code, p);
		if (snode_info_set(st, n, &info))
			b->oom = true; /* the summary stays the older one */
		if (pub && pub[i]) {
			struct storenow *old = n->now;

			n->now = pub[i];
			pub[i] = old; /* dropped after the lock */
		}
		free(n->json);
		n->json = p->json;
		n->json_len = p->json_len;
		p->json = NULL;
		if (n->written || n->dirty)
			continue;
		n->dirty = true;
		n->dirty_at = now;
		if (b->dtail)
			b->dtail->dnext = n;
		else
			b->dhead = n;
		b->dtail = n;
	}
	pthread_mutex_unlock(&st->mu);
	for (int i = 0; pub && i < b->n_touched; i++)
		storenow_unref(pub[i]);
	free(pub);
}

/* Undo the batch in memory. */
static void wbuf_commit_failed(struct wbuf *b)
{
	for (int i = 0; i < b->n_touched; i++) {
		struct snode *n = b->touched[i];

		storestate_free(&n->ws);
		n->ws = *n->snap;
		free(n->snap);
		n->snap = NULL;
		storeseq_free(&n->wseq);
	}
}

static void wbuf_reset(struct wbuf *b)
{
	for (int i = 0; i < b->n_nodes; i++)
		free(b->states[i]);
	free(b->states);
	free(b->nodes);
	free(b->ranges);
	b->states = NULL;
	b->nodes = NULL;
	b->ranges = NULL;
	for (int i = 0; i < b->n_nodes; i++)
		b->wnodes[i]->written = false;
	free(b->wnodes);
	b->wnodes = NULL;
	b->n_nodes = b->n_touched = b->n_ev = b->n_rows = 0;
	b->n_popped = 0;
	b->oom = false;
}

static void store_writer_expire(struct store *st, bool *more)
{
	long long now = store_clock(st);
	uint64_t deleted = 0;
	char err[256];
	int rc;

	rc = st->be->expire(st->h,
			    now - (long long)st->o.retention_days * 86400000LL,
			    now - (long long)st->o.minute_retention_days *
					  86400000LL,
			    st->o.retention_chunk, &deleted, more, err,
			    sizeof(err));
	if (rc)
		*more = false;
	pthread_mutex_lock(&st->smu);
	st->s.rows_deleted += deleted;
	if (rc)
		snprintf(st->s.last_error, sizeof(st->s.last_error), "%s",
			 err);
	pthread_mutex_unlock(&st->smu);
}

static uint64_t store_writer_mem(struct store *st)
{
	uint64_t m = st->tab_cap * sizeof(st->tab[0]) + storeprof_mem(st);

	for (size_t i = 0; i < st->tab_cap; i++) {
		struct snode *n = st->tab[i];

		if (n)
			m += sizeof(*n) + storestate_mem(&n->ws) +
			     storenow_size(n->now) +
			     n->done.cap *
				     sizeof(struct storeseq_range);
	}
	return m;
}

/*
 * The verification records of this batch as the backend's arrays; each
 * outage brings its event (outage-open, or outage-close with why).  The
 * records stay owned by the list (the arrays point into them).
 */
static int store_writer_aux(struct wbuf *b, struct storeaux *aux,
			    struct store_outage **outs, int *n_out,
			    struct store_coverage_pt **cov, int *n_cov)
{
	int no = 0, nc = 0;

	for (struct storeaux *a = aux; a; a = a->next)
		if (a->is_outage)
			no++;
		else
			nc++;
	*outs = no ? calloc((size_t)no, sizeof(**outs)) : NULL;
	*cov = nc ? calloc((size_t)nc, sizeof(**cov)) : NULL;
	if ((no && !*outs) || (nc && !*cov))
		return -ENOMEM;
	for (struct storeaux *a = aux; a; a = a->next) {
		struct store_event e;
		char cb[CODE_STRLEN];
		size_t used = 0;

		if (!a->is_outage) {
			(*cov)[(*n_cov)++] = a->c;
			continue;
		}
		(*outs)[(*n_out)++] = a->o;
		if (a->o.update)
			continue;
		memset(&e, 0, sizeof(e));
		e.node = a->o.root;
		if (!a->o.closed_ms) {
			e.type = STORE_EV_OUTAGE_OPEN;
			e.time_ms = a->o.opened_ms;
			snprintf(e.subject, sizeof(e.subject), "%s", a->o.state);
		} else {
			e.type = STORE_EV_OUTAGE_CLOSE;
			e.time_ms = a->o.closed_ms;
			if (a->o.subsumed_by)
				snprintf(e.subject, sizeof(e.subject),
					 "subsumed by %s",
					 code_format(a->o.subsumed_by, cb));
			else
				snprintf(e.subject, sizeof(e.subject),
					 "repaired");
		}
		used = (size_t)snprintf(e.text, sizeof(e.text), "cut off:");
		for (int l = 0; l < LEVEL_COUNT && used < sizeof(e.text); l++)
			if (a->o.cut[l])
				used += (size_t)snprintf(
					e.text + used, sizeof(e.text) - used,
					" %s %d", code_level_name(l),
					a->o.cut[l]);
		if (used == strlen("cut off:"))
			snprintf(e.text + used, sizeof(e.text) - used,
				 " none");
		wbuf_event(b, &e);
	}
	return 0;
}

/* After the commit: records written are freed; after a failure they go
 * back to the head of the queue (what fits in it) for the next batch. */
static void store_writer_aux_done(struct store *st, struct storeaux *aux,
				  int rc)
{
	struct storeaux *last = NULL;
	uint64_t n = 0, lost = 0;
	int len = 0;

	for (struct storeaux *a = aux; a; a = a->next) {
		last = a;
		len++;
	}
	if (rc && aux) {
		pthread_mutex_lock(&st->qmu);
		if (st->an + len <= STORE_AUX_MAX) {
			last->next = st->ahead;
			st->ahead = aux;
			if (!st->atail)
				st->atail = last;
			st->an += len;
			st->aux_after = now_mono() + 1; /* not a busy loop */
			aux = NULL;
		}
		pthread_mutex_unlock(&st->qmu);
	}
	while (aux) {
		struct storeaux *a = aux;

		aux = a->next;
		free(a);
		if (rc)
			lost++;
		else
			n++;
	}
	pthread_mutex_lock(&st->smu);
	st->s.aux_written += n;
	st->s.aux_busy += lost;
	pthread_mutex_unlock(&st->smu);
}

/* One batch (maybe empty) with the coalesced writes that are due; with
 * @tick what the clock closed, with @final every coalesced write waiting,
 * with @all every open minute and hour.  The commit's 0 or negative
 * errno. */
static int store_writer_batch(struct store *st, struct wbuf *b,
			      struct storerep *items, struct storeaux *aux,
			      bool tick, bool final, bool all)
{
	struct store_outage *outs = NULL;
	struct store_coverage_pt *cov = NULL;
	int n_out = 0, n_cov = 0;
	struct store_wbatch wb;
	char err[256] = "";
	uint64_t stored = 0, dups = 0, unav = 0, rows;
	double t0;
	int rc = 0, nr = 0;

	b->batch++;
	if (b->batch == 0)
		b->batch = 1;
	for (struct storerep *p = items; p; p = p->next)
		wbuf_report(b, p);
	if (tick)
		wbuf_clock(b, all);
	wbuf_nodes(b, final);
	b->ranges = calloc(b->n_touched ? b->n_touched : 1,
			   sizeof(b->ranges[0]));
	if (!b->ranges)
		b->oom = true;
	for (int i = 0; !b->oom && i < b->n_touched; i++)
		if (b->touched[i]->seq_changed) {
			b->ranges[nr].node = b->touched[i]->code;
			b->ranges[nr++].set = &b->touched[i]->wseq;
		}
	if (aux && store_writer_aux(b, aux, &outs, &n_out, &cov, &n_cov))
		b->oom = true;
	memset(&wb, 0, sizeof(wb));
	wb.outages = outs;
	wb.n_outages = n_out;
	wb.cover = cov;
	wb.n_cover = n_cov;
	wb.ranges = b->ranges;
	wb.n_ranges = nr;
	wb.events = b->ev;
	wb.n_events = b->n_ev;
	wb.rows = b->rows;
	wb.n_rows = b->n_rows;
	wb.nodes = b->nodes;
	wb.n_nodes = b->n_nodes;
	rows = (uint64_t)nr + b->n_ev + b->n_rows + b->n_nodes + n_out + n_cov;
	t0 = now_mono();
	if (b->oom) {
		rc = -ENOMEM;
		snprintf(err, sizeof(err), "store: out of memory");
	} else if (rows) {
		rc = st->be->write(st->h, &wb, err, sizeof(err));
	}
	if (rows || rc)
		store_note_commit(st, (now_mono() - t0) * 1000, rc ? err : NULL);
	if (rc)
		wbuf_commit_failed(b);
	else
		wbuf_commit_ok(b);
	wbuf_reset(b);
	free(outs);
	free(cov);
	store_writer_aux_done(st, aux, rc);
	while (items) {
		struct storerep *p = items;

		items = p->next;
		if (rc)
			p->result = STORE_UNAVAILABLE;
		stored += p->result == STORE_OK;
		dups += p->result == STORE_DUP;
		unav += p->result == STORE_UNAVAILABLE;
		if (p->cb)
			p->cb(p->cb_arg, (enum store_result)p->result);
		storerep_free(p);
	}
	pthread_mutex_lock(&st->smu);
	if (rows && !rc) {
		st->s.batches++;
		st->s.rows_written += rows;
	}
	st->s.reports_stored += stored;
	st->s.dups += dups;
	st->s.unavailable += unav;
	if (tick) {
		st->s.nodes = st->n_nodes;
		st->s.mem_bytes = store_writer_mem(st);
		st->s.json_bytes = 0;
		for (size_t i = 0; i < st->tab_cap; i++)
			if (st->tab[i])
				st->s.json_bytes += st->tab[i]->json_len;
	}
	pthread_mutex_unlock(&st->smu);
	return rc;
}

void *store_writer_main(void *arg)
{
	struct store *st = arg;
	struct wbuf b;
	double next_flush = now_mono() + st->o.flush_ms / 1000.0,
	       wait = st->o.batch_wait_ms / 1000.0;
	bool more_expire = false;
	int first_rc = 0, rc;

	memset(&b, 0, sizeof(b));
	b.st = st;
	for (;;) {
		struct storerep *items, *last;
		struct storeaux *aux;
		uint64_t asked;
		bool tick, final, stop;
		int k = 0;

		pthread_mutex_lock(&st->qmu);
		for (;;) {
			double now = now_mono(), w = next_flush - now;
			struct timespec ts;

			if (st->stop || st->sync_asked != st->sync_done ||
			    now >= next_flush || st->qn >= st->o.batch_max ||
			    (st->an && now >= st->aux_after))
				break;
			/* the oldest report has waited long enough for
			 * others to share its commit */
			if (st->qn && now >= st->qhead->enq_mono + wait)
				break;
			if (st->qn && st->qhead->enq_mono + wait - now < w)
				w = st->qhead->enq_mono + wait - now;
			if (more_expire && w > 0.01)
				w = 0.01;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += (time_t)w;
			ts.tv_nsec += (long)((w - (double)(time_t)w) * 1e9);
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&st->qcond, &st->qmu, &ts) &&
			    more_expire)
				break;
		}
		items = last = st->qhead;
		while (last && ++k < st->o.batch_max)
			last = last->next;
		if (last) {
			st->qhead = last->next;
			last->next = NULL;
		} else {
			st->qhead = NULL;
		}
		if (!st->qhead)
			st->qtail = NULL;
		st->qn -= items ? k : 0;
		aux = st->ahead;
		st->ahead = st->atail = NULL;
		st->an = 0;
		stop = st->stop && !st->qhead;
		asked = st->sync_asked;
		final = !st->qhead && (stop || asked != st->sync_done);
		tick = final || now_mono() >= next_flush;
		pthread_mutex_unlock(&st->qmu);

		rc = store_writer_batch(st, &b, items, aux, tick, final, stop);
		if (rc && !first_rc)
			first_rc = rc;
		if (tick || more_expire) {
			store_writer_expire(st, &more_expire);
			if (tick)
				next_flush = now_mono() + st->o.flush_ms / 1000.0;
		}
		if (final) {
			pthread_mutex_lock(&st->qmu);
			st->sync_done = asked;
			st->sync_rc = first_rc;
			first_rc = 0;
			pthread_cond_broadcast(&st->qdone);
			pthread_mutex_unlock(&st->qmu);
		}
		if (stop)
			break;
	}
	free(b.touched);
	free(b.ev);
	free(b.rows);
	return NULL;
}
