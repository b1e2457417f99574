// SPDX-License-Identifier: BSD-2-Clause
/*
 * The prober's targets: taken from the desired state (a target kept over
 * a reload keeps its window and figures), their windows of probes, the
 * state machine (down after N lost in a row, up after M answered), an
 * answer's RTT from the best pair of times there is, and the figures over
 * the window.  No sockets here (probe.c), nothing logs.
 */
#include "agent/watch/probe_int.h"
#include "common/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/watch/linkmon.h"
#include "common/log.h"
#include "common/now.h"

const char *const probe_state_words[] = {"unknown", "up", "down"};
const char *const probe_ts_words[] = {"user", "socket-rx", "socket", "ebpf"};

void probe_target_take(struct prober *p, const struct desired *ds,
		       struct probe_target *old, int n_old)
{
	p->t = xcalloc((size_t)ds->n_targets + 1, sizeof(*p->t));
	p->n = 0;
	for (int i = 0; i < ds->n_targets; i++) {
		const struct ds_target *d = &ds->targets[i];
		struct probe_target *t = &p->t[p->n];
		struct probe_target *was = NULL;
		int f = d->has[FAM_V4] ? FAM_V4 : FAM_V6;

		if (!d->has[f])
			continue; /* no address: nothing to probe */
		for (int k = 0; k < n_old && !was; k++)
			if (old[k].code == d->code &&
			    !ip_cmp(&old[k].addr, &d->addr[f]))
				was = &old[k];
		if (was) {
			*t = *was; /* keeps its window and figures */
			was->win = NULL;
		} else {
			t->code = d->code;
			t->addr = d->addr[f];
			t->state = PS_UNKNOWN;
			t->since = now_mono();
			t->since_wall = now_wall_ms();
			t->last_rtt = t->last_user_rtt = -1;
			t->last_ts = -1;
		}
		snprintf(t->name, sizeof(t->name), "%s", d->name);
		t->rel = d->rel;
		t->method = d->method;
		if (!t->win) {
			t->win = xcalloc((size_t)p->window, sizeof(*t->win));
			for (int k = 0; k < p->window; k++)
				t->win[k].rtt = -1;
			t->head = 0;
		}
		p->n++;
	}
}

int probe_window(const struct prof_probe *pp)
{
	return pp->window > PROBE_WINDOW_MAX ? PROBE_WINDOW_MAX : pp->window;
}

void prober_retarget(struct prober *p, const struct desired *ds)
{
	const struct prof_probe *pp = &ds->p->probe;
	struct probe_target *old = p->t;
	int n_old = p->n;

	/* the same port and window (else the prober is opened anew);
	 * interval and thresholds may change */
	p->interval_ms = pp->interval_ms;
	p->down_after = pp->down_after;
	p->up_after = pp->up_after;
	probe_target_take(p, ds, old, n_old);
	for (int i = 0; i < n_old; i++)
		free(old[i].win);
	free(old);
}

void probe_target_set_state(struct prober *p, struct probe_target *t, int state)
{
	if (t->state == state)
		return;
	t->state = state;
	t->since = now_mono();
	t->since_wall = now_wall_ms();
	if (p->on_change)
		p->on_change(t, p->arg);
}

/* The target probing addr with seq still open in its window, or NULL. */
struct probe_slot *probe_target_slot(struct prober *p, const struct ip_addr *a,
				     uint32_t seq, int method,
				     struct probe_target **tp)
{
	for (int i = 0; i < p->n; i++) {
		struct probe_target *t = &p->t[i];

		if (t->method != method || ip_cmp(&t->addr, a))
			continue;
		for (int k = 0; k < p->window; k++)
			if (t->win[k].seq == seq && t->win[k].rtt == -1) {
				*tp = t;
				return &t->win[k];
			}
	}
	return NULL;
}

void probe_target_answered(struct prober *p, struct probe_target *t,
			   struct probe_slot *s, double rx_user,
			   double rx_kernel)
{
	uint64_t ktx = 0, krx = 0;

	s->rtt = (rx_user - s->sent) * 1e3;
	s->ts = PT_USER;
	t->last_user_rtt = s->rtt;
	/* the best pair of times there is; BPF stamps egnet probes only,
	 * and only on the links it is attached to */
	if (p->lm && linkmon_probe_ts(p->lm, s->seq, &ktx, &krx) == 0 && ktx &&
	    krx > ktx) {
		s->rtt = (double)(krx - ktx) / 1e6;
		s->ts = PT_EBPF;
	} else if (rx_kernel > 0 && s->sent_kernel > 0 &&
		   rx_kernel > s->sent_kernel) {
		s->rtt = (rx_kernel - s->sent_kernel) * 1e3;
		s->ts = PT_SOCKET;
	} else if (rx_kernel > 0 && rx_kernel >= s->sent) {
		s->rtt = (rx_kernel - s->sent) * 1e3;
		s->ts = PT_SOCKET_RX;
	}
	t->last_rtt = s->rtt;
	t->last_ts = s->ts;
	t->last_answer = rx_user;
	t->received++;
	t->misses = 0;
	t->answers++;
	if (t->answers >= p->up_after || t->state == PS_UP)
		probe_target_set_state(p, t, PS_UP);
}

void probe_stats(const struct prober *p, const struct probe_target *t,
		 struct probe_stats *st)
{
	double sum = 0, prev = -1, jit = 0;
	int lost = 0, got = 0, pairs = 0;

	memset(st, 0, sizeof(*st));
	st->rtt_min = st->rtt_max = st->rtt_avg = st->jitter = -1;
	/* oldest first, so jitter follows the order of the probes */
	for (int k = 0; k < p->window; k++) {
		const struct probe_slot *s = &t->win[(t->head + k) % p->window];

		if (!s->seq)
			continue;
		if (s->rtt >= 0) {
			got++;
			sum += s->rtt;
			if (st->rtt_min < 0 || s->rtt < st->rtt_min)
				st->rtt_min = s->rtt;
			if (s->rtt > st->rtt_max)
				st->rtt_max = s->rtt;
			if (prev >= 0) {
				/* mean difference of successive RTTs */
				jit += s->rtt > prev ? s->rtt - prev
						     : prev - s->rtt;
				pairs++;
			}
			prev = s->rtt;
		} else if (s->rtt == -2) {
			lost++;
		}
	}
	st->samples = got + lost;
	if (st->samples)
		st->loss = 100.0 * lost / st->samples;
	if (got)
		st->rtt_avg = sum / got;
	if (pairs)
		st->jitter = jit / pairs;
}

bool probe_target_refused(const struct prober *p,
			  const struct probe_target *t, double now)
{
	double span = (p->down_after + 1) * (p->interval_ms / 1000.0);

	if (span < 3)
		span = 3;
	return t->method == PROBE_UDP && t->last_refusal > 0 &&
	       t->last_refusal > t->last_answer &&
	       now - t->last_refusal <= span;
}

double prober_parent_answer(const struct prober *p)
{
	double last = 0;

	for (int i = 0; i < p->n; i++)
		if (p->t[i].rel == TGT_PARENT && p->t[i].last_answer > last)
			last = p->t[i].last_answer;
	return last;
}

bool prober_has_parent(const struct prober *p)
{
	for (int i = 0; i < p->n; i++)
		if (p->t[i].rel == TGT_PARENT)
			return true;
	return false;
}

static json_t *num(double v)
{
	return v < 0 ? json_null()
		     : json_real((double)(long long)(v * 1000) / 1000);
}

json_t *prober_json(const struct prober *p)
{
	json_t *a = json_array();
	char cb[CODE_STRLEN], ab[IP_STRLEN];
	double now = now_mono();

	for (int i = 0; i < p->n; i++) {
		const struct probe_target *t = &p->t[i];
		struct probe_stats st;

		probe_stats(p, t, &st);
		json_array_append_new(
			a,
			json_pack(
				"{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, "
				"s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:I, s:I, "
				"s:I, s:b, s:I}",
				"code", code_format(t->code, cb), "name",
				t->name, "relation", target_rel_words[t->rel],
				"method",
				t->method == PROBE_UDP ? "egnet" : "icmp",
				"address",
				ip_format_addr(&t->addr, ab, sizeof(ab)),
				"state", probe_state_words[t->state],
				"since_ms", (json_int_t)t->since_wall, "rtt_ms",
				num(t->last_rtt), "user_rtt_ms",
				num(t->last_user_rtt), "rtt_avg_ms",
				num(st.rtt_avg), "rtt_min_ms", num(st.rtt_min),
				"rtt_max_ms", num(st.rtt_max), "jitter_ms",
				num(st.jitter), "loss_pct", json_real(st.loss),
				"timestamps",
				t->last_ts < 0
					? json_null()
					: json_string(
						  probe_ts_words[t->last_ts]),
				"kernel_timestamps", t->last_ts >= PT_SOCKET,
				"sent", (json_int_t)t->sent, "received",
				(json_int_t)t->received, "bad",
				(json_int_t)t->bad, "refused",
				probe_target_refused(p, t, now), "refusals",
				(json_int_t)t->refusals));
	}
	return a;
}

int prober_report(const struct prober *p, struct report_target *out, int max)
{
	double now = now_mono();
	int n = 0;

	for (int i = 0; i < p->n && n < max; i++) {
		const struct probe_target *t = &p->t[i];
		struct report_target *o = &out[n++];
		struct probe_stats st;

		probe_stats(p, t, &st);
		memset(o, 0, sizeof(*o));
		o->code = t->code;
		snprintf(o->name, sizeof(o->name), "%s", t->name);
		o->rel = t->rel == TGT_PARENT  ? RPT_REL_PARENT
			 : t->rel == TGT_CHILD ? RPT_REL_CHILD
					       : RPT_REL_VILLAGE;
		o->state = t->state == PS_UP	 ? RPT_OPER_UP
			   : t->state == PS_DOWN ? RPT_OPER_DOWN
						 : RPT_OPER_UNKNOWN;
		o->since_ms = t->since_wall;
		o->rtt_ms = t->last_rtt;
		o->rtt_avg_ms = st.rtt_avg;
		o->jitter_ms = st.jitter;
		o->loss_pct = st.loss;
		/* enum probe_ts is report_stamp's words after "none" */
		o->stamps = t->last_ts < 0 ? RPT_STAMP_NONE
					   : (enum report_stamp)(t->last_ts + 1);
		o->sent = t->sent;
		o->received = t->received;
		o->refused = probe_target_refused(p, t, now);
	}
	return n;
}
