// SPDX-License-Identifier: BSD-2-Clause
/*
 * The compact report copy and the per-node state; see storerep.h.  The
 * saved state is outside input when read back (a database can be edited or
 * damaged): every member is type- and range-checked, and a state that fails
 * is replaced by a fresh one (the next report then counts as a first one).
 */
#include "collector/store/storerep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

struct storerep *storerep_new(const struct report *r, const char *json,
			      size_t len)
{
	int n_app = 0;
	size_t off, sz;
	struct storerep *p;
	int nl = r->n_links, nt = r->n_targets;

	if (nl < 0 || nl > REPORT_MAX_LINKS || nt < 0 ||
	    nt > REPORT_MAX_TARGETS || r->n_events < 0 ||
	    r->n_events > REPORT_MAX_EVENTS)
		return NULL;
	for (int i = 0; i < r->n_events; i++)
		n_app += r->events[i].type == RPT_EV_APPLY;
	sz = ALIGN8(sizeof(*p));
	off = sz;
	sz += ALIGN8(nl * sizeof(struct storerep_link));
	sz += ALIGN8(nt * sizeof(struct storerep_target));
	sz += ALIGN8(n_app * sizeof(struct storerep_apply));
	p = malloc(sz);
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->node = r->node;
	p->seq = r->seq;
	p->time_ms = r->time_ms;
	p->uptime_s = r->uptime_s;
	p->apply = r->apply;
	p->drift = r->drift;
	snprintf(p->drift_text, sizeof(p->drift_text), "%s", r->drift_text);
	snprintf(p->profile, sizeof(p->profile), "%s", r->profile);
	snprintf(p->profile_version, sizeof(p->profile_version), "%s",
		 r->profile_version);
	snprintf(p->profile_hash, sizeof(p->profile_hash), "%s",
		 r->profile_hash);
	p->n_links = nl;
	p->n_targets = nt;
	p->n_applies = n_app;
	p->links = (struct storerep_link *)((char *)p + off);
	off += ALIGN8(nl * sizeof(struct storerep_link));
	p->targets = (struct storerep_target *)((char *)p + off);
	off += ALIGN8(nt * sizeof(struct storerep_target));
	p->applies = (struct storerep_apply *)((char *)p + off);
	p->json = malloc(len + 1);
	if (!p->json) {
		free(p);
		return NULL;
	}
	for (int i = 0; i < nl; i++) {
		const struct report_link *l = &r->links[i];
		struct storerep_link *d = &p->links[i];

		snprintf(d->name, sizeof(d->name), "%s", l->name);
		d->state = l->state < RPT_OPER__N ? (uint8_t)l->state : 0;
		d->has_counters = l->has_counters;
		d->rx_bytes = l->rx_bytes;
		d->tx_bytes = l->tx_bytes;
		d->rx_bps = l->has_counters ? l->rx_bps : 0;
		d->tx_bps = l->has_counters ? l->tx_bps : 0;
	}
	for (int i = 0; i < nt; i++) {
		const struct report_target *t = &r->targets[i];
		struct storerep_target *d = &p->targets[i];

		d->code = t->code;
		d->state = t->state < RPT_OPER__N ? (uint8_t)t->state : 0;
		d->rel = t->rel < RPT_REL__N ? (uint8_t)t->rel : 0;
		d->rtt_ms = t->rtt_ms;
		d->rtt_avg_ms = t->rtt_avg_ms;
		d->jitter_ms = t->jitter_ms;
		d->loss_pct = t->loss_pct;
	}
	n_app = 0;
	for (int i = 0; i < r->n_events; i++) {
		const struct report_event *e = &r->events[i];
		struct storerep_apply *a;

		if (e->type != RPT_EV_APPLY)
			continue;
		a = &p->applies[n_app++];
		a->time_ms = e->time_ms;
		a->ok = e->ok;
		snprintf(a->hash, sizeof(a->hash), "%s", e->hash);
		snprintf(a->text, sizeof(a->text), "%s", e->text);
	}
	if (len)
		memcpy(p->json, json, len);
	p->json[len] = '\0';
	p->json_len = len;
	return p;
}

void storerep_free(struct storerep *p)
{
	if (p)
		free(p->json);
	free(p);
}

void storestate_init(struct storestate *s)
{
	memset(s, 0, sizeof(*s));
	s->minute_ms = s->hour_ms = -1;
}

void storestate_free(struct storestate *s)
{
	free(s->links); /* the targets' sums with it */
	storenow_unref(s->cur);
	storestate_init(s);
}

static size_t storestate_sums(const struct storestate *s)
{
	return s->n_links * sizeof(s->links[0]) +
	       s->n_targets * sizeof(s->targets[0]);
}

int storestate_copy(struct storestate *dst, const struct storestate *src)
{
	size_t n = storestate_sums(src);
	struct storestate_link *l = NULL;

	if (n) {
		l = malloc(n);
		if (!l)
			return -ENOMEM;
		memcpy(l, src->links, n);
	}
	*dst = *src;
	dst->links = l;
	dst->targets = l ? (struct storestate_target *)(l + src->n_links)
			 : NULL;
	storenow_ref(dst->cur);
	return 0;
}

size_t storestate_mem(const struct storestate *s)
{
	return storestate_sums(s); /* cur is the node's published block */
}

/*
 * Saved form: {"v":1,"seq":N,"t":ms,"up":s,"drift":b,"apply":i,
 * "l":[[name,state,has_counters,rx,tx],...],"tg":[[code,state],...]}.
 * The open minute's sums are not saved: store_close() writes the open
 * minutes first.
 */
json_t *storestate_to_json(const struct storestate *s)
{
	json_t *l = json_array(), *t = json_array(), *o;

	for (int i = 0; l && i < s->n_links; i++) {
		const struct store_link_now *k = &storenow_links(s->cur)[i];

		json_array_append_new(
			l, json_pack("[s,i,b,I,I]", k->name, k->state,
				     k->has_counters, (json_int_t)k->rx_bytes,
				     (json_int_t)k->tx_bytes));
	}
	for (int i = 0; t && i < s->n_targets; i++) {
		const struct store_target_now *k = &storenow_targets(s->cur)[i];

		json_array_append_new(t, json_pack("[I,i]",
						   (json_int_t)k->code,
						   k->state));
	}
	o = json_pack("{s:i,s:I,s:I,s:I,s:b,s:i,s:o*,s:o*}", "v", 1, "seq",
		      (json_int_t)s->seq, "t", (json_int_t)s->time_ms, "up",
		      (json_int_t)s->uptime_s, "drift", s->drift, "apply",
		      s->apply, "l", l, "tg", t);
	return o;
}

int storestate_from_json(struct storestate *s, code_t node, const json_t *j,
			 char *err, size_t errlen)
{
	struct store_link_now *ln;
	struct store_target_now *tn;
	json_int_t v, seq, t, up;
	int drift, apply;
	json_t *l, *tg, *e;
	json_error_t je;
	size_t i;

	storestate_init(s);
	if (json_unpack_ex((json_t *)j, &je, JSON_STRICT,
			   "{s:I,s:I,s:I,s:I,s:b,s:i,s:o,s:o}", "v", &v, "seq",
			   &seq, "t", &t, "up", &up, "drift", &drift, "apply",
			   &apply, "l", &l, "tg", &tg)) {
		snprintf(err, errlen, "node state: %s", je.text);
		return -EINVAL;
	}
	if (v != 1 || seq < 0 || apply < 0 || apply >= RPT_APPLY__N ||
	    !json_is_array(l) || !json_is_array(tg) ||
	    json_array_size(l) > REPORT_MAX_LINKS ||
	    json_array_size(tg) > REPORT_MAX_TARGETS) {
		snprintf(err, errlen, "node state: version, seq, apply or a "
				      "list out of range");
		return -EINVAL;
	}
	s->seen = true;
	s->seq = (uint64_t)seq;
	s->time_ms = t;
	s->uptime_s = up;
	s->drift = drift;
	s->apply = (uint8_t)apply;
	s->cur = storenow_new((int)json_array_size(l), (int)json_array_size(tg));
	if (s->cur && (json_array_size(l) || json_array_size(tg))) {
		s->links = calloc(1, json_array_size(l) * sizeof(s->links[0]) +
					     json_array_size(tg) *
						     sizeof(s->targets[0]));
		s->targets = s->links ? (struct storestate_target *)(
						s->links + json_array_size(l))
				      : NULL;
	}
	if (!s->cur ||
	    ((json_array_size(l) || json_array_size(tg)) && !s->links)) {
		storestate_free(s);
		snprintf(err, errlen, "node state: out of memory");
		return -ENOMEM;
	}
	ln = storenow_links(s->cur);
	tn = storenow_targets(s->cur);
	json_array_foreach(l, i, e) {
		struct store_link_now *d = &ln[i];
		const char *name;
		json_int_t st, rx, tx;
		int hc;

		if (json_unpack_ex(e, &je, JSON_STRICT, "[s,I,b,I,I]", &name,
				   &st, &hc, &rx, &tx) ||
		    strlen(name) >= sizeof(d->name) || st < 0 ||
		    st >= RPT_OPER__N) {
			storestate_free(s);
			snprintf(err, errlen, "node state: link %zu is bad", i);
			return -EINVAL;
		}
		snprintf(d->name, sizeof(d->name), "%s", name);
		d->state = (uint8_t)st;
		d->has_counters = hc;
		d->rx_bytes = (uint64_t)rx;
		d->tx_bytes = (uint64_t)tx;
		d->rx_bps = d->tx_bps = -1.0f; /* not saved */
		s->n_links++;
	}
	json_array_foreach(tg, i, e) {
		char cerr[CODE_ERR_MAX], buf[CODE_STRLEN];
		json_int_t code, st;
		code_t c;

		if (json_unpack_ex(e, &je, JSON_STRICT, "[I,I]", &code, &st) ||
		    code <= 0 || code > 999999999999LL || st < 0 ||
		    st >= RPT_OPER__N ||
		    code_parse(code_format((code_t)code, buf), &c, cerr,
			       sizeof(cerr))) {
			storestate_free(s);
			snprintf(err, errlen, "node state: target %zu is bad",
				 i);
			return -EINVAL;
		}
		tn[i].code = c;
		tn[i].state = (uint8_t)st;
		tn[i].rel = storenow_rel(node, c);
		tn[i].rtt_ms = tn[i].loss_pct = tn[i].jitter_ms = -1.0f;
		s->n_targets++;
	}
	return 0;
}
