// SPDX-License-Identifier: BSD-2-Clause
/*
 * The store's one writer thread.  It takes the queued reports in batches,
 * derives each one's events (storediff.c) and minute rows (storeagg.c),
 * writes the batch — new sequence ranges, events, closed minutes and, at a
 * flush, the coalesced summaries, last reports and states — in ONE
 * transaction, and only then publishes the committed ranges and summaries
 * and calls back.  A failed commit undoes the batch in memory as well (each
 * touched node's state is restored from the copy taken when the batch first
 * touched it), so a report the agent sends again is judged afresh.
 *
 * Between batches, at each flush, one retention step deletes a bounded
 * chunk of expired rows per table.
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
	char **states;
	int n_nodes;
	struct snode **dirty; /* nodes with coalesced data waiting */
	int n_dirty, cap_dirty;
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
	if (wbuf_grow((void **)&b->touched, &b->cap_touched,
		      b->n_touched + 1, sizeof(b->touched[0])) ||
	    storeseq_reserve(&n->wseq, n->done.n) ||
	    storestate_copy(&n->snap, &n->ws)) {
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
	if (storeseq_has(&n->wseq, p->seq)) {
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

/* At a flush: close the minutes and hours the clock has closed (all of
 * them when @all), and with @nodes gather the coalesced data of every node
 * committed since the last such flush. */
static void wbuf_flush(struct wbuf *b, bool all, bool nodes)
{
	struct store *st = b->st;
	long long now = store_clock(st),
		  late = STOREAGG_MINUTE_MS + st->o.report_interval_s * 1000LL;

	for (size_t i = 0; i < st->tab_cap; i++) {
		struct snode *n = st->tab[i];
		bool m, h;

		if (!n)
			continue;
		m = n->ws.minute_ms >= 0 &&
		    (all || n->ws.minute_ms + late <= now);
		h = n->ws.hour_ms >= 0 &&
		    (all || n->ws.hour_ms + STOREAGG_HOUR_MS + late <= now);
		if (!m && !h)
			continue;
		if (wbuf_touch(b, n))
			return;
		if (h)
			storeagg_close_hour(&n->ws, n->code, wbuf_row, b);
		else
			storeagg_close(&n->ws, n->code, wbuf_row, b);
	}
	if (!nodes)
		return;
	/* the nodes committed since the last flush, and this batch's */
	int max = b->n_dirty + b->n_touched;

	b->nodes = calloc(max ? max : 1, sizeof(b->nodes[0]));
	b->states = calloc(max ? max : 1, sizeof(b->states[0]));
	if (!b->nodes || !b->states) {
		b->oom = true;
		return;
	}
	for (int i = 0; i < max; i++) {
		struct snode *n = i < b->n_dirty ? b->dirty[i]
						 : b->touched[i - b->n_dirty];
		struct store_wnode *w = &b->nodes[b->n_nodes];
		json_t *j;

		if (i >= b->n_dirty && (n->dirty || !wbuf_newer(b, n)))
			continue;
		if (wbuf_newer(b, n)) {
			wbuf_info(&w->info, n->code, n->newest);
			w->json = n->newest->json;
			w->json_len = n->newest->json_len;
		} else {
			w->info = n->info;
			w->json = n->json;
			w->json_len = n->json_len;
		}
		j = storestate_to_json(&n->ws);
		b->states[b->n_nodes] = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (!b->states[b->n_nodes]) {
			b->oom = true;
			return;
		}
		w->state = b->states[b->n_nodes++];
	}
}

/* Publish the batch: committed ranges, summaries, last reports. */
static void wbuf_commit_ok(struct wbuf *b, bool flushed)
{
	struct store *st = b->st;

	if (flushed) {
		for (int i = 0; i < b->n_dirty; i++)
			b->dirty[i]->dirty = false;
		b->n_dirty = 0;
	}
	pthread_mutex_lock(&st->mu);
	for (int i = 0; i < b->n_touched; i++) {
		struct snode *n = b->touched[i];
		struct storerep *p = n->newest;

		storestate_free(&n->snap);
		if (n->seq_changed && storeseq_copy(&n->done, &n->wseq))
			b->oom = true; /* done stays smaller: safe */
		if (!wbuf_newer(b, n))
			continue;
		wbuf_info(&n->info, n->code, p);
		free(n->json);
		n->json = p->json;
		n->json_len = p->json_len;
		p->json = NULL;
		if (!flushed && !n->dirty && !wbuf_grow((void **)&b->dirty, &b->cap_dirty,
					    b->n_dirty + 1,
					    sizeof(b->dirty[0]))) {
			n->dirty = true;
			b->dirty[b->n_dirty++] = n;
		}
	}
	pthread_mutex_unlock(&st->mu);
}

/* Undo the batch in memory. */
static void wbuf_commit_failed(struct wbuf *b)
{
	for (int i = 0; i < b->n_touched; i++) {
		struct snode *n = b->touched[i];

		storestate_free(&n->ws);
		n->ws = n->snap;
		storestate_init(&n->snap);
		/* cannot fail: wbuf_touch() reserved the room */
		storeseq_copy(&n->wseq, &n->done);
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
	b->n_nodes = b->n_touched = b->n_ev = b->n_rows = 0;
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
	uint64_t m = st->tab_cap * sizeof(st->tab[0]);

	for (size_t i = 0; i < st->tab_cap; i++) {
		struct snode *n = st->tab[i];

		if (n)
			m += sizeof(*n) + storestate_mem(&n->ws) +
			     (n->done.cap + n->wseq.cap) *
				     sizeof(struct storeseq_range);
	}
	return m;
}

/* One batch (maybe empty); with @flush what the clock closed, with
 * @nodes the coalesced data too, with @all every open minute and hour.
 * The commit's 0 or negative errno. */
static int store_writer_batch(struct store *st, struct wbuf *b,
			      struct storerep *items, bool flush, bool nodes,
			      bool all)
{
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
	if (flush)
		wbuf_flush(b, all, nodes);
	b->ranges = calloc(b->n_touched ? b->n_touched : 1,
			   sizeof(b->ranges[0]));
	if (!b->ranges)
		b->oom = true;
	for (int i = 0; !b->oom && i < b->n_touched; i++)
		if (b->touched[i]->seq_changed) {
			b->ranges[nr].node = b->touched[i]->code;
			b->ranges[nr++].set = &b->touched[i]->wseq;
		}
	memset(&wb, 0, sizeof(wb));
	wb.ranges = b->ranges;
	wb.n_ranges = nr;
	wb.events = b->ev;
	wb.n_events = b->n_ev;
	wb.rows = b->rows;
	wb.n_rows = b->n_rows;
	wb.nodes = b->nodes;
	wb.n_nodes = b->n_nodes;
	rows = (uint64_t)nr + b->n_ev + b->n_rows + b->n_nodes;
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
		wbuf_commit_ok(b, nodes);
	wbuf_reset(b);
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
	if (flush) {
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
	       next_nodes = now_mono() + st->o.coalesce_ms / 1000.0;
	bool more_expire = false;
	int first_rc = 0, rc;

	memset(&b, 0, sizeof(b));
	b.st = st;
	for (;;) {
		struct storerep *items, *last;
		uint64_t asked;
		bool flush, nodes, stop;
		int k = 0;

		pthread_mutex_lock(&st->qmu);
		while (!st->qn && !st->stop && st->sync_asked == st->sync_done &&
		       now_mono() < next_flush) {
			double w = more_expire ? 0.01 : next_flush - now_mono();
			struct timespec ts;

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
		stop = st->stop && !st->qhead;
		asked = st->sync_asked;
		flush = !st->qhead && (stop || asked != st->sync_done ||
				       now_mono() >= next_flush);
		nodes = flush && (stop || asked != st->sync_done ||
				  now_mono() >= next_nodes);
		pthread_mutex_unlock(&st->qmu);

		rc = store_writer_batch(st, &b, items, flush, nodes, stop);
		if (rc && !first_rc)
			first_rc = rc;
		if (flush || more_expire) {
			store_writer_expire(st, &more_expire);
			if (flush)
				next_flush = now_mono() + st->o.flush_ms / 1000.0;
			if (nodes)
				next_nodes = now_mono() + st->o.coalesce_ms / 1000.0;
		}
		if (flush) {
			pthread_mutex_lock(&st->qmu);
			st->sync_done = asked;
			st->sync_rc = first_rc;
			first_rc = 0;
			pthread_cond_broadcast(&st->qdone);
			pthread_mutex_unlock(&st->qmu);
		}
		if (stop && flush)
			break;
	}
	free(b.touched);
	free(b.ev);
	free(b.rows);
	free(b.dirty);
	return NULL;
}
