// SPDX-License-Identifier: BSD-2-Clause
/*
 * The event loop: the control socket (ctlsock.c, its commands in
 * ctlcmd.c), netlink and nftables events for drift, the commit-confirm
 * deadline and its confirm-when-reachable check, the prober's timer and
 * sockets, the monitor's sampling tick, net-snmp's users (the AgentX
 * subagent, the SNMP poller of agent/snmp/poll.h: their sessions and
 * timers through snmpev.c), signals.  Everything here runs on
 * one thread; every callback is short, so probes and drift correction keep
 * their times whatever clients do.
 */
#include "agent/daemon.h"

#include <errno.h>
#include <event2/event.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent/ctlcmd.h"
#include "agent/ctlsock.h"
#include "agent/report/reporter.h"
#include "agent/report/snapshot.h"
#include "agent/snmp/agentx.h"
#include "agent/snmp/poll.h"
#include "agent/watch/monitor.h"
#include "common/defaults.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/now.h"

#define DRIFT_DELAY  50	  /* ms after a netlink event */
#define DRIFT_PERIOD 30	  /* s: in case events were lost */

struct daemon {
	struct agent *a;
	struct event_base *base;
	struct ctlsock *ctl;
	struct ctlcmd_ctx cmd;
	struct event *sig_hup, *sig_term, *sig_int;
	struct event *mon_ev, *nfmon_ev, *drift_timer, *drift_tick;
	struct event *confirm_timer, *sample_tick;
	struct event *watchdog; /* NULL: the service manager asks for none */
	int mon_fd, nfmon_fd;
	bool was_pending;
	double pending_since; /* monotonic: answers after it confirm */
	struct monitor mon;
	struct event *probe_timer, *probe_ev[PROBER_FDS];
	struct reporter *rep; /* NULL: no collector configured, or no spool */
	char rep_key[4 * 4096 + 1024];  /* the settings it was opened with */
	struct snapshot_src snap;
	struct agentx *ax; /* NULL: snmp.agentx not enabled, or not set up */
	char ax_key[200];  /* the settings it was opened with */
	struct poller *snmp; /* NULL: it could not start (logged) */
	struct {		 /* the agent as the last report saw it */
		int state;
		long long apply_time;
		bool drift;
	} seen;
};

static void probe_arm(struct daemon *dm);
static void monitor_refresh(struct daemon *dm);
static void arm_pending(struct daemon *dm);

/* ---- reports --------------------------------------------------------------- */

static void rep_fill(struct report *r, void *arg)
{
	snapshot_fill(r, arg);
}

static void on_mon_event(const struct report_event *ev, void *arg)
{
	struct daemon *dm = arg;

	reporter_event(dm->rep, ev);
	if (ev->type == RPT_EV_TARGET)
		agentx_target_changed(dm->ax, ev->code);
}

/*
 * After anything that may change the agent's state: an apply that ended,
 * drift found or gone, another state — an event and a report soon.
 */
static void watch_agent(struct daemon *dm)
{
	struct agent *a = dm->a;
	bool drift = a->drift && json_array_size(a->drift) > 0;
	struct report_event ev = {.time_ms = now_wall_ms()};

	if (a->last.time != dm->seen.apply_time) {
		ev.type = RPT_EV_APPLY;
		ev.ok = !strcmp(a->last.result, "ok");
		snprintf(ev.hash, sizeof(ev.hash), "%s",
			 a->pending ? a->pending_meta.hash
				    : a->applied_meta.hash);
		snprintf(ev.text, sizeof(ev.text), "%s: %.200s", a->last.result,
			 a->last.msg);
		reporter_event(dm->rep, &ev);
	}
	if (drift != dm->seen.drift) {
		ev.type = RPT_EV_DRIFT;
		ev.ok = !drift;
		ev.hash[0] = '\0';
		snprintf(ev.text, sizeof(ev.text), "%s%.200s",
			 drift ? "drift: " : "no drift",
			 drift ? json_string_value(json_array_get(a->drift, 0))
					 ?: ""
			       : "");
		reporter_event(dm->rep, &ev);
		agentx_drift_changed(dm->ax);
	}
	if (a->state != dm->seen.state)
		reporter_soon(dm->rep);
	dm->seen.state = a->state;
	dm->seen.apply_time = a->last.time;
	dm->seen.drift = drift;
}

/* The settings a reporter runs with, as one string to compare. */
static void rep_key(const struct nodeconf *nc, const char *statedir,
		    char *buf, size_t len)
{
	snprintf(buf, len, "%s|%s|%s|%s|%d|%d|%d|%s|%d", nc->collector_url,
		 nc->collector_ca, nc->collector_cert, nc->collector_key,
		 nc->report_interval, nc->report_timeout, nc->spool_max_kib,
		 statedir, nc->collector_allow_http);
}

/*
 * The address reports leave from (collector.source): by default the first
 * address of the URL's family on the node's uplink (not a VXLAN overlay),
 * so that the extranet's policy rules — from the node's addresses to its
 * zone's table — route them towards the NOC; "" for a node without one
 * (the province, whose NOC is on its own LAN) or with source = "none".
 */
static void rep_source(const struct desired *ds, const struct nodeconf *nc,
		       char *buf, size_t len)
{
	const char *h = strstr(nc->collector_url, "://");
	int fam = AF_INET;

	buf[0] = '\0';
	if (!strcmp(nc->collector_source, "none"))
		return;
	if (strcmp(nc->collector_source, "uplink")) {
		snprintf(buf, len, "%s", nc->collector_source);
		return;
	}
	if (h && h[3] == '[')
		fam = AF_INET6;
	for (int i = 0; i < ds->n_links; i++) {
		const struct ds_link *l = &ds->links[i];

		if (l->role != ROLE_UPLINK || l->kind == KIND_VXLAN)
			continue;
		for (int k = 0; k < l->n_addrs; k++)
			if (l->addrs[k].addr.family == fam) {
				ip_format_addr(&l->addrs[k].addr, buf, len);
				return;
			}
	}
}

/* (Re)open the reporter when the collector's settings changed. */
static void rep_follow(struct daemon *dm)
{
	const struct nodeconf *nc = &dm->a->in.nc;
	char key[sizeof(dm->rep_key)], dir[4200], err[400], src[IP_STRLEN];
	struct reporter_opts o = {0};
	size_t kl;

	rep_source(&dm->a->in.ds, nc, src, sizeof(src));
	rep_key(nc, dm->a->statedir, key, sizeof(key));
	kl = strlen(key);
	snprintf(key + kl, sizeof(key) - kl, "|%s", src);
	if (dm->rep && !strcmp(key, dm->rep_key))
		return;
	reporter_close(dm->rep);
	dm->rep = NULL;
	snprintf(dm->rep_key, sizeof(dm->rep_key), "%s", key);
	if (!nc->collector_url[0])
		return;
	snprintf(dir, sizeof(dir), "%s/spool", dm->a->statedir);
	o.url = nc->collector_url;
	o.ca = nc->collector_ca;
	o.cert = nc->collector_cert;
	o.key = nc->collector_key;
	o.source = src;
	o.interval_s = nc->report_interval;
	o.timeout_s = nc->report_timeout;
	o.spool_dir = dir;
	o.spool_cap = (uint64_t)nc->spool_max_kib << 10;
	o.fill = rep_fill;
	o.arg = &dm->snap;
	if (reporter_open(&dm->rep, dm->base, &o, err, sizeof(err)) < 0)
		log_warnx("reports to %s: %s; none are made", nc->collector_url,
			  err);
	else
		log_info("reporting to %s every %d s", nc->collector_url,
			 nc->report_interval);
}

/* ---- AgentX ---------------------------------------------------------------- */

static void ax_key(const struct nodeconf *nc, char *buf, size_t len)
{
	snprintf(buf, len, "%d|%s|%d|%d|%d|%d", nc->agentx_enabled,
		 nc->agentx_socket, nc->agentx_retry, nc->agentx_retry_max,
		 nc->agentx_ping, nc->agentx_timeout_ms);
}

/*
 * The subagent as snmp.agentx says.  net-snmp holds its role and master
 * for the life of the process: settings changed by a reload take effect
 * at the next start, and the log says so.
 */
static void ax_follow(struct daemon *dm)
{
	const struct nodeconf *nc = &dm->a->in.nc;
	struct agentx_opts o = {.socket = nc->agentx_socket,
				.retry_s = nc->agentx_retry,
				.retry_max_s = nc->agentx_retry_max,
				.ping_s = nc->agentx_ping,
				.timeout_ms = nc->agentx_timeout_ms};
	char key[sizeof(dm->ax_key)], err[300];

	ax_key(nc, key, sizeof(key));
	if (dm->ax_key[0]) {
		if (strcmp(key, dm->ax_key))
			log_warnx("snmp.agentx changed: the new settings take "
				  "effect when the agent restarts");
		return;
	}
	snprintf(dm->ax_key, sizeof(dm->ax_key), "%s", key);
	if (!nc->agentx_enabled)
		return;
	if (agentx_open(&dm->ax, dm->base, &o, dm->a, &dm->mon, err,
			sizeof(err)))
		log_warnx("%s; EGNET-MIB is not published", err);
}

/* ---- drift ----------------------------------------------------------------- */

static void drift_check(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)fd;
	(void)what;
	agent_check_drift(dm->a);
	watch_agent(dm);
}

static void mon_read(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;
	struct timeval tv = {0, DRIFT_DELAY * 1000};
	char buf[16384];
	bool any = false;

	(void)what;
	/* which object changed does not matter: the check reads it all */
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0 || (n < 0 && errno == ENOBUFS)) {
			any = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (any && !evtimer_pending(dm->drift_timer, NULL))
		evtimer_add(dm->drift_timer, &tv);
}

static int mon_open(struct daemon *dm)
{
	static const int groups[] = {RTNLGRP_LINK,	 RTNLGRP_IPV4_IFADDR,
				     RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
				     RTNLGRP_IPV6_ROUTE,  RTNLGRP_IPV4_RULE,
				     RTNLGRP_IPV6_RULE,	 RTNLGRP_NEIGH};
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_ROUTE);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &groups[i], sizeof(groups[i])) < 0)
			goto fail;
	dm->mon_fd = fd;
	dm->mon_ev = event_new(dm->base, fd, EV_READ | EV_PERSIST, mon_read,
			       dm);
	event_add(dm->mon_ev, NULL);

	/* nftables changes (a rule added or deleted by hand in our table) */
	int g = NFNLGRP_NFTABLES;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_NETFILTER);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g,
		       sizeof(g)) < 0) {
		log_warn("nftables events (firewall drift will be seen every "
			 "%d s only)", DRIFT_PERIOD);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	dm->nfmon_fd = fd;
	dm->nfmon_ev = event_new(dm->base, fd, EV_READ | EV_PERSIST, mon_read,
				 dm);
	return event_add(dm->nfmon_ev, NULL);
fail:
	log_warn("netlink events (drift will be seen every %d s only)",
		 DRIFT_PERIOD);
	if (fd >= 0)
		close(fd);
	return -1;
}

/* ---- commit-confirm -------------------------------------------------------- */

static void confirm_due(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)fd;
	(void)what;
	agent_confirm_expired(dm->a);
	arm_pending(dm);
	watch_agent(dm);
}

/*
 * confirm-when reachable: the prober's parent target answered after the
 * change (the apply, or the start-up that found it pending).
 */
static void check_reachable(struct daemon *dm)
{
	struct agent *a = dm->a;

	if (!a->pending || !a->confirm_reachable || !dm->mon.probing ||
	    prober_parent_answer(&dm->mon.probe) <= dm->pending_since)
		return;
	log_info("the parent answers after the change: confirming");
	json_decref(agent_confirm(a));
	arm_pending(dm);
	watch_agent(dm);
}

/* Keep the deadline timer and the reachability check in line with the
 * agent's pending state. */
static void arm_pending(struct daemon *dm)
{
	struct agent *a = dm->a;

	evtimer_del(dm->confirm_timer);
	if (!a->pending || a->state == AGENT_FAILED) {
		dm->was_pending = false;
		return;
	}
	long long left = a->deadline - (long long)time(NULL);
	struct timeval tv = {left > 0 ? left : 0, 0};

	evtimer_add(dm->confirm_timer, &tv);
	if (dm->was_pending)
		return;
	/* a new commit-confirm: only answers from now on confirm it */
	dm->was_pending = true;
	dm->pending_since = now_mono();
	if (a->confirm_reachable &&
	    (!dm->mon.probing || !prober_has_parent(&dm->mon.probe)))
		log_warnx("confirm-when reachable: the parent is not probed "
			  "(%s); the deadline decides",
			  dm->mon.probing ? "no parent target"
					  : dm->mon.probe_reason);
}

/* ---- probes ----------------------------------------------------------------- */

static void probe_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)fd;
	(void)what;
	prober_tick(&dm->mon.probe);
	check_reachable(dm);
}

static void probe_read(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)what;
	prober_read(&dm->mon.probe, fd);
	check_reachable(dm);
}

static void sample_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)fd;
	(void)what;
	monitor_sample(&dm->mon, &dm->a->in.ds);
}

/* After a control-socket command: follow what it changed. */
static void cmd_changed(void *arg, unsigned what)
{
	struct daemon *dm = arg;

	if (what & CTLCMD_PENDING)
		arm_pending(dm);
	if (what & CTLCMD_CONFIG) {
		monitor_refresh(dm);
		rep_follow(dm);
		ax_follow(dm);
	}
	watch_agent(dm);
}

/* (Re)start the probe timer at the profile's interval; sockets watched. */
static void probe_arm(struct daemon *dm)
{
	struct prober *p = &dm->mon.probe;
	struct timeval tv;
	int fds[PROBER_FDS];

	if (!dm->mon.probing)
		return;
	prober_fds(p, fds);
	tv.tv_sec = p->interval_ms / 1000;
	tv.tv_usec = (p->interval_ms % 1000) * 1000;
	if (!dm->probe_timer)
		dm->probe_timer = event_new(dm->base, -1, EV_PERSIST,
					    probe_tick, dm);
	event_add(dm->probe_timer, &tv);
	for (int i = 0; i < PROBER_FDS; i++)
		if (!dm->probe_ev[i] && fds[i] >= 0) {
			dm->probe_ev[i] = event_new(dm->base, fds[i],
						    EV_READ | EV_PERSIST,
						    probe_read, dm);
			event_add(dm->probe_ev[i], NULL);
		}
}

/*
 * After an apply or a reload: the monitor follows the new configuration.
 * When the prober's sockets are to be reopened, their events go first:
 * a closed descriptor's number may come back for a new socket.
 */
static void monitor_refresh(struct daemon *dm)
{
	if (monitor_probe_reopens(&dm->mon, &dm->a->in.ds))
		for (int i = 0; i < PROBER_FDS; i++)
			if (dm->probe_ev[i]) {
				event_free(dm->probe_ev[i]);
				dm->probe_ev[i] = NULL;
			}
	monitor_update(&dm->mon, &dm->a->in.ds);
	probe_arm(dm);
	if (dm->snmp)
		poller_update(dm->snmp, &dm->a->in.nc.snmp);
}

/* ---- signals and the loop ------------------------------------------------- */

/* The service manager's watchdog, fed from the loop itself: a loop that
 * hangs stops feeding it, and is restarted. */
static void watchdog_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	notify_watchdog();
}

/* Every half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises. */
static void watchdog_arm(struct daemon *dm)
{
	uint64_t half = notify_watchdog_usec() / 2;
	struct timeval tv = {(time_t)(half / 1000000),
			     (suseconds_t)(half % 1000000)};

	if (!half)
		return;
	dm->watchdog = event_new(dm->base, -1, EV_PERSIST, watchdog_tick, dm);
	if (dm->watchdog)
		event_add(dm->watchdog, &tv);
}

static void on_hup(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)fd;
	(void)what;
	json_decref(agent_reload(dm->a));
	monitor_refresh(dm);
	rep_follow(dm);
	ax_follow(dm);
	watch_agent(dm);
}

static void on_term(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)what;
	log_info("signal %d: stopping", (int)fd);
	event_base_loopbreak(dm->base);
}

int daemon_run(struct agent *a)
{
	struct timeval tick = {DRIFT_PERIOD, 0};
	struct timeval sample = {MONITOR_SAMPLE_MS / 1000,
				 (MONITOR_SAMPLE_MS % 1000) * 1000};
	struct daemon dm = {.a = a, .mon_fd = -1, .nfmon_fd = -1};
	char err[300];
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	dm.base = event_base_new();
	if (!dm.base)
		fatal("event_base_new");
	dm.cmd = (struct ctlcmd_ctx){.a = a, .mon = &dm.mon, .rep = &dm.rep,
				     .ax = &dm.ax, .snmp = &dm.snmp,
				     .changed = cmd_changed, .arg = &dm};
	dm.snap = (struct snapshot_src){.a = a, .m = &dm.mon,
					.snmp = &dm.snmp,
					.started = now_mono()};
	if (ctlsock_open(&dm.ctl, dm.base, a->sockpath, ctlcmd_dispatch,
			 &dm.cmd, err, sizeof(err))) {
		log_warnx("%s", err);
		event_base_free(dm.base);
		return 1;
	}
	dm.drift_timer = evtimer_new(dm.base, drift_check, &dm);
	dm.drift_tick = event_new(dm.base, -1, EV_PERSIST, drift_check, &dm);
	dm.confirm_timer = evtimer_new(dm.base, confirm_due, &dm);
	dm.sample_tick = event_new(dm.base, -1, EV_PERSIST, sample_tick, &dm);
	dm.sig_hup = evsignal_new(dm.base, SIGHUP, on_hup, &dm);
	dm.sig_term = evsignal_new(dm.base, SIGTERM, on_term, &dm);
	dm.sig_int = evsignal_new(dm.base, SIGINT, on_term, &dm);
	event_add(dm.sig_hup, NULL);
	event_add(dm.sig_term, NULL);
	event_add(dm.sig_int, NULL);
	event_add(dm.drift_tick, &tick);
	mon_open(&dm);

	dm.cmd.cs = dm.ctl;
	agent_startup(a);
	monitor_open(&dm.mon, &a->in.ds);
	dm.mon.on_event = on_mon_event;
	dm.mon.event_arg = &dm;
	dm.seen.state = a->state;
	dm.seen.apply_time = a->last.time;
	rep_follow(&dm);
	/* the subagent before the poller: only the first user of net-snmp
	 * can make it a subagent (snmplib.h) */
	ax_follow(&dm);
	if (poller_open(&dm.snmp, dm.base, &a->in.nc.snmp, err, sizeof(err)))
		log_warnx("snmp: %s; no device is polled", err);
	else if (a->in.nc.snmp.n_devices)
		log_info("snmp: polling %d devices every %d s",
			 a->in.nc.snmp.n_devices, a->in.nc.snmp.interval_s);
	{
		struct report_event ev = {.time_ms = now_wall_ms(),
					  .type = RPT_EV_START};

		snprintf(ev.text, sizeof(ev.text),
			 "agent %s started, state %s", EGNET_VERSION,
			 agent_state_words[a->state]);
		reporter_event(dm.rep, &ev);
	}
	watch_agent(&dm);
	arm_pending(&dm);
	probe_arm(&dm);
	event_add(dm.sample_tick, &sample);
	log_info("ready: node %s, state %s, control socket %s", a->in.nc.name,
		 agent_state_words[a->state], a->sockpath);
	notify_ready();
	watchdog_arm(&dm);
	event_base_dispatch(dm.base);
	notify_stopping();

	ctlsock_close(dm.ctl);
	reporter_close(dm.rep);
	/* the poller's after the subagent's net-snmp: snmplib.h */
	poller_close(dm.snmp);
	agentx_close(dm.ax);
	for (int i = 0; i < PROBER_FDS; i++)
		if (dm.probe_ev[i])
			event_free(dm.probe_ev[i]);
	if (dm.probe_timer)
		event_free(dm.probe_timer);
	monitor_close(&dm.mon);
	if (dm.mon_ev)
		event_free(dm.mon_ev);
	if (dm.mon_fd >= 0)
		close(dm.mon_fd);
	if (dm.nfmon_ev)
		event_free(dm.nfmon_ev);
	if (dm.nfmon_fd >= 0)
		close(dm.nfmon_fd);
	event_free(dm.drift_timer);
	event_free(dm.drift_tick);
	event_free(dm.confirm_timer);
	event_free(dm.sample_tick);
	if (dm.watchdog)
		event_free(dm.watchdog);
	event_free(dm.sig_hup);
	event_free(dm.sig_term);
	event_free(dm.sig_int);
	event_base_free(dm.base);
	return rc;
}
