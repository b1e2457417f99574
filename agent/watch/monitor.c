// SPDX-License-Identifier: BSD-2-Clause
/*
 * Link monitoring glue: linkmon (eBPF) and the prober under one roof, with
 * rates computed on the monitor's own tick (monitor_sample), so that
 * readers — status, links, the reports — change nothing.  Without BPF the agent still probes,
 * with the sockets' kernel receive timestamps, and says so.
 */
#include "agent/watch/monitor.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent/watch/linkmon.h"
#include "common/desired.h"
#include "common/log.h"
#include "common/now.h"

/* Reasons shown per link: the kernel has about a hundred. */
#define MON_DROP_REASONS 256

static const char *const class_words[] = {"tcp", "udp", "icmp", "other",
					  "probe"};

static void on_change(const struct probe_target *t, void *arg)
{
	struct monitor *m = arg;
	char cb[CODE_STRLEN], ab[IP_STRLEN];

	log_warnx("%s %s (%s, %s) is %s%s", target_rel_words[t->rel],
		  code_format(t->code, cb), t->name,
		  ip_format_addr(&t->addr, ab, sizeof(ab)),
		  probe_state_words[t->state],
		  t->state == PS_DOWN && probe_target_refused(&m->probe, t,
							      now_mono())
			  ? " (refused: its gateway is up, its agent is not)"
			  : "");
	json_array_append_new(
		m->events, json_pack("{s:I, s:s, s:s, s:s, s:s}", "time_ms",
				     (json_int_t)t->since_wall, "code", cb,
				     "name", t->name, "relation", target_rel_words[t->rel],
				     "state", probe_state_words[t->state]));
	while (json_array_size(m->events) > 100)
		json_array_remove(m->events, 0);
	if (m->on_event) {
		struct report_event ev = {.time_ms = t->since_wall,
					  .type = RPT_EV_TARGET,
					  .code = t->code,
					  .state = t->state == PS_UP
							   ? RPT_OPER_UP
						   : t->state == PS_DOWN
							   ? RPT_OPER_DOWN
							   : RPT_OPER_UNKNOWN};

		snprintf(ev.text, sizeof(ev.text), "%s %s (%s) is %s",
			 target_rel_words[t->rel], cb, t->name,
			 probe_state_words[t->state]);
		m->on_event(&ev, m->event_arg);
	}
}

/* Links and bridge ports: how many names watch_names() gives. */
static int n_watched(const struct desired *ds)
{
	int n = ds->n_links;

	for (int i = 0; i < ds->n_links; i++)
		n += ds->links[i].n_ports;
	return n;
}

/*
 * Every managed link, and every port of a managed bridge: a port is where
 * one child's line is, and its counters and drops are that line's.
 */
static int watch_names(const struct desired *ds, char (*names)[16])
{
	int n = 0;

	for (int i = 0; i < ds->n_links; i++) {
		const struct ds_link *l = &ds->links[i];

		snprintf(names[n++], 16, "%s", l->name);
		for (int k = 0; k < l->n_ports; k++)
			snprintf(names[n++], 16, "%s", l->ports[k]);
	}
	return n;
}

static void attach_links(struct monitor *m, const struct desired *ds)
{
	char(*names)[16] = xcalloc((size_t)n_watched(ds) + 1, sizeof(*names));
	char err[256];
	int n;

	if (!m->lm) {
		free(names);
		return;
	}
	n = watch_names(ds, names);
	if (linkmon_sync(m->lm, names, n, err, sizeof(err)))
		log_warnx("link monitor: %s", err);
	free(names);
}

static void open_prober(struct monitor *m, const struct desired *ds)
{
	char err[256];

	m->probe_reason[0] = 0;
	if (prober_open(&m->probe, ds, err, sizeof(err)) == 0) {
		m->probing = true;
		prober_use_linkmon(&m->probe, m->lm);
		m->probe.on_change = on_change;
		m->probe.arg = m;
	} else {
		snprintf(m->probe_reason, sizeof(m->probe_reason), "%s", err);
		log_warnx("probes: %s", err);
	}
}

void monitor_open(struct monitor *m, const struct desired *ds)
{
	char err[256];

	memset(m, 0, sizeof(*m));
	m->events = json_array();
	m->lm = linkmon_open((uint16_t)ds->p->probe.port, err, sizeof(err));
	if (!m->lm) {
		snprintf(m->lm_reason, sizeof(m->lm_reason), "%s", err);
		log_warnx("link monitor without eBPF: %s; probes use socket "
			  "timestamps",
			  err);
	} else if (linkmon_drops_off(m->lm)) {
		log_info("drops by reason are not counted: %s",
			 linkmon_drops_off(m->lm));
	}
	attach_links(m, ds);
	open_prober(m, ds);
}

void monitor_close(struct monitor *m)
{
	if (m->probing)
		prober_close(&m->probe);
	if (m->lm)
		linkmon_close(m->lm); /* detaches */
	free(m->prev);
	json_decref(m->events);
	memset(m, 0, sizeof(*m));
}

bool monitor_probe_reopens(const struct monitor *m, const struct desired *ds)
{
	const struct prof_probe *pp = &ds->p->probe;

	return !m->probing || m->probe.port != (uint16_t)pp->port ||
	       m->probe.window != probe_window(pp);
}

void monitor_update(struct monitor *m, const struct desired *ds)
{
	attach_links(m, ds);
	if (m->lm)
		linkmon_set_probe_port(m->lm, (uint16_t)ds->p->probe.port);
	if (!monitor_probe_reopens(m, ds)) {
		prober_retarget(&m->probe, ds);
		return;
	}
	/* Another port, another window, or no sockets yet: new sockets,
	 * the targets start afresh. */
	if (m->probing) {
		log_info("probes: port or window changed, sockets reopened");
		prober_close(&m->probe);
		m->probing = false;
	}
	open_prober(m, ds);
}

/* Up and running (carrier) as the kernel says. */
static const char *oper(const char *name)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	const char *s = "absent";

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		s = !(ifr.ifr_flags & IFF_UP)	    ? "down"
		    : (ifr.ifr_flags & IFF_RUNNING) ? "up"
						    : "no-carrier";
	if (fd >= 0)
		close(fd);
	return s;
}

/* A state of oper() in a report's words: only "up" is up. */
static enum report_oper oper_word(const char *s)
{
	return !strcmp(s, "up") ? RPT_OPER_UP : RPT_OPER_DOWN;
}

/* More packets first, then by reason, so the order is stable. */
static int drop_cmp(const void *a, const void *b)
{
	const struct lm_drop *x = a, *y = b;

	if (x->packets != y->packets)
		return x->packets > y->packets ? -1 : 1;
	return x->reason < y->reason ? -1 : x->reason > y->reason;
}

static struct mon_prev *prev_of(struct monitor *m, const char *name)
{
	for (int i = 0; i < m->n_prev; i++)
		if (!strcmp(m->prev[i].name, name))
			return &m->prev[i];
	m->prev = xrealloc(m->prev, (size_t)(m->n_prev + 1) * sizeof(*m->prev));
	memset(&m->prev[m->n_prev], 0, sizeof(m->prev[0]));
	snprintf(m->prev[m->n_prev].name, IFNAMSIZ, "%s", name);
	return &m->prev[m->n_prev++];
}

/*
 * The drops on a link since it was attached, as linkmon_drops_refresh()
 * read them: totals and by the kernel's reason, most first.
 */
static json_t *drops_json(struct monitor *m, const char *name)
{
	struct lm_drop dr[MON_DROP_REASONS];
	uint64_t packets = 0, bytes = 0;
	json_t *reasons;
	char buf[16];
	int n = linkmon_drops(m->lm, name, dr, MON_DROP_REASONS);

	qsort(dr, (size_t)n, sizeof(dr[0]), drop_cmp);
	reasons = json_object();
	for (int i = 0; i < n; i++) {
		packets += dr[i].packets;
		bytes += dr[i].bytes;
		json_object_set_new(reasons,
				    linkmon_reason_name(m->lm, dr[i].reason,
							buf, sizeof(buf)),
				    json_pack("{s:I, s:I}", "packets",
					      (json_int_t)dr[i].packets,
					      "bytes",
					      (json_int_t)dr[i].bytes));
	}
	return json_pack("{s:I, s:I, s:o}", "packets", (json_int_t)packets,
			 "bytes", (json_int_t)bytes, "reasons", reasons);
}

static void totals(const struct lm_counts *c, uint64_t tot[2][2])
{
	memset(tot, 0, 4 * sizeof(tot[0][0]));
	for (int d = 0; d < 2; d++)
		for (int k = 0; k < LM_CLASSES; k++) {
			tot[d][0] += c->packets[d][k];
			tot[d][1] += c->bytes[d][k];
		}
}

/* One device's rates over the time since its last sample. */
static void sample_one(struct monitor *m, const char *name, double now)
{
	struct mon_prev *p;
	struct lm_counts c;
	uint64_t tot[2][2];
	double dt;

	if (linkmon_read(m->lm, name, &c))
		return;
	totals(&c, tot);
	p = prev_of(m, name);
	dt = now - p->t;
	/* counters that went back: the link was re-created */
	if (p->t > 0 && tot[0][0] >= p->rx_pkts && tot[0][1] >= p->rx_bytes &&
	    tot[1][0] >= p->tx_pkts && tot[1][1] >= p->tx_bytes && dt > 0) {
		p->rx_pps = (double)(tot[0][0] - p->rx_pkts) / dt;
		p->rx_bps = 8.0 * (double)(tot[0][1] - p->rx_bytes) / dt;
		p->tx_pps = (double)(tot[1][0] - p->tx_pkts) / dt;
		p->tx_bps = 8.0 * (double)(tot[1][1] - p->tx_bytes) / dt;
	}
	p->t = now;
	p->rx_pkts = tot[0][0];
	p->rx_bytes = tot[0][1];
	p->tx_pkts = tot[1][0];
	p->tx_bytes = tot[1][1];
}

/* A link's state now; a change since the last look is an event. */
static void watch_state(struct monitor *m, const char *name)
{
	struct mon_prev *p = prev_of(m, name);
	const char *s = oper(name);

	if (!strcmp(p->oper, s))
		return;
	if (p->oper[0] && m->on_event) {
		struct report_event ev = {.time_ms = now_wall_ms(),
					  .type = RPT_EV_LINK,
					  .state = oper_word(s)};

		snprintf(ev.link, sizeof(ev.link), "%s", name);
		snprintf(ev.text, sizeof(ev.text), "link %s is %s (was %s)",
			 name, s, p->oper);
		log_warnx("%s", ev.text);
		m->on_event(&ev, m->event_arg);
	}
	snprintf(p->oper, sizeof(p->oper), "%s", s);
}

void monitor_sample(struct monitor *m, const struct desired *ds)
{
	double now = now_mono();

	for (int i = 0; i < ds->n_links; i++) {
		watch_state(m, ds->links[i].name);
		for (int k = 0; k < ds->links[i].n_ports; k++)
			watch_state(m, ds->links[i].ports[k]);
	}
	if (!m->lm)
		return;
	for (int i = 0; i < ds->n_links; i++) {
		const struct ds_link *l = &ds->links[i];

		sample_one(m, l->name, now);
		for (int k = 0; k < l->n_ports; k++)
			sample_one(m, l->ports[k], now);
	}
}

/* Counters, rates and drops of one watched device into @o. */
static void link_figures(struct monitor *m, const char *name, json_t *o,
			 bool drops_read)
{
	struct lm_counts c;

	if (m->lm && linkmon_read(m->lm, name, &c) == 0) {
		struct mon_prev *p = prev_of(m, name);
		uint64_t tot[2][2] = {{0}};
		json_t *cls = json_object();

		totals(&c, tot);
		for (int k = 0; k < LM_CLASSES; k++)
			json_object_set_new(
				cls, class_words[k],
				json_pack(
					"{s:I, s:I, s:I, s:I}", "rx_packets",
					(json_int_t)c.packets[0][k], "rx_bytes",
					(json_int_t)c.bytes[0][k], "tx_packets",
					(json_int_t)c.packets[1][k], "tx_bytes",
					(json_int_t)c.bytes[1][k]));
		json_object_set_new(
			o, "counters",
			json_pack("{s:I, s:I, s:I, s:I, s:f, s:f, s:f, "
				  "s:f, s:o}",
				  "rx_packets", (json_int_t)tot[0][0],
				  "rx_bytes", (json_int_t)tot[0][1],
				  "tx_packets", (json_int_t)tot[1][0],
				  "tx_bytes", (json_int_t)tot[1][1], "rx_pps",
				  p->rx_pps, "rx_bps", p->rx_bps, "tx_pps",
				  p->tx_pps, "tx_bps", p->tx_bps, "classes",
				  cls));
	}
	if (m->lm && !linkmon_drops_off(m->lm))
		json_object_set_new(o, "drops",
				    drops_read ? drops_json(m, name)
					       : json_null());
}

json_t *monitor_links(struct monitor *m, const struct desired *ds)
{
	json_t *links = json_array(), *r;
	/* all links' drops in one pass over the map */
	bool drops_read = m->lm && !linkmon_drops_off(m->lm) &&
			  linkmon_drops_refresh(m->lm) == 0;

	for (int i = 0; i < ds->n_links; i++) {
		const struct ds_link *l = &ds->links[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", l->name,
				      "role", link_role_words[l->role], "zone",
				      l->zone, "state", oper(l->name));

		link_figures(m, l->name, o, drops_read);
		json_array_append_new(links, o);
		for (int k = 0; k < l->n_ports; k++) {
			o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name",
				      l->ports[k], "role", "port", "bridge",
				      l->name, "zone", l->zone, "state",
				      oper(l->ports[k]));
			link_figures(m, l->ports[k], o, drops_read);
			json_array_append_new(links, o);
		}
	}
	r = json_pack("{s:b, s:o, s:o, s:O}", "ok", 1, "links", links,
		      "targets",
		      m->probing ? prober_json(&m->probe) : json_array(),
		      "events", m->events);
	json_object_set_new(
		r, "monitor",
		json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:I, s:I}", "counters",
			  m->lm ? "ebpf" : "none", "reason", m->lm_reason,
			  "drops",
			  m->lm && !linkmon_drops_off(m->lm) ? "ebpf" : "none",
			  "drops_reason",
			  !m->lm ? m->lm_reason
				 : linkmon_drops_off(m->lm) ?: "",
			  "probing", m->probing, "probe_reason",
			  m->probe_reason, "probe_bad",
			  (json_int_t)(m->probing ? m->probe.bad : 0),
			  "echo_answered",
			  (json_int_t)(m->probing ? m->probe.answered : 0)));
	return r;
}

/* ---- into a report ------------------------------------------------------- */

static void report_link(struct monitor *m, const char *name, const char *role,
			const char *zone, bool drops_read, struct report_link *o)
{
	struct lm_counts c;

	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", name);
	snprintf(o->role, sizeof(o->role), "%s", role);
	snprintf(o->zone, sizeof(o->zone), "%s", zone);
	o->state = oper_word(oper(name));
	if (m->lm && linkmon_read(m->lm, name, &c) == 0) {
		struct mon_prev *p = prev_of(m, name);
		uint64_t tot[2][2];

		totals(&c, tot);
		o->has_counters = true;
		o->rx_packets = tot[0][0];
		o->rx_bytes = tot[0][1];
		o->tx_packets = tot[1][0];
		o->tx_bytes = tot[1][1];
		o->rx_bps = p->rx_bps;
		o->tx_bps = p->tx_bps;
	}
	if (drops_read) {
		struct lm_drop dr[MON_DROP_REASONS];
		int n = linkmon_drops(m->lm, name, dr, MON_DROP_REASONS);

		qsort(dr, (size_t)n, sizeof(dr[0]), drop_cmp);
		o->has_drops = true;
		for (int i = 0; i < n; i++) {
			o->drop_packets += dr[i].packets;
			o->drop_bytes += dr[i].bytes;
			if (o->n_drops < REPORT_MAX_DROPS) {
				struct report_drop *d = &o->drops[o->n_drops++];
				char buf[REPORT_NAME_LEN];

				snprintf(d->reason, sizeof(d->reason), "%s",
					 linkmon_reason_name(m->lm,
							     dr[i].reason, buf,
							     sizeof(buf)));
				d->packets = dr[i].packets;
				d->bytes = dr[i].bytes;
			}
		}
	}
}

void monitor_report(struct monitor *m, const struct desired *ds,
		    struct report *r)
{
	bool drops_read = m->lm && !linkmon_drops_off(m->lm) &&
			  linkmon_drops_refresh(m->lm) == 0;

	r->n_links = 0;
	for (int i = 0; i < ds->n_links; i++) {
		const struct ds_link *l = &ds->links[i];

		if (r->n_links < REPORT_MAX_LINKS)
			report_link(m, l->name, link_role_words[l->role],
				    l->zone, drops_read,
				    &r->links[r->n_links++]);
		for (int k = 0; k < l->n_ports; k++)
			if (r->n_links < REPORT_MAX_LINKS)
				report_link(m, l->ports[k], "port", l->zone,
					    drops_read,
					    &r->links[r->n_links++]);
	}
	r->n_targets = m->probing ? prober_report(&m->probe, r->targets,
						  REPORT_MAX_TARGETS)
				  : 0;
}
