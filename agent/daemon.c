// SPDX-License-Identifier: BSD-2-Clause
/*
 * Event loop.  Requests on the control socket are one JSON object per line
 * (at most CTL_MAX bytes); each gets one JSON line back and the connection
 * closes.  A bad request gets {"ok": false, "error": ...}; nothing a client
 * sends can stop the daemon.
 */
#include "agent/daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent/watch/monitor.h"
#include "agent/sys/notify.h"
#include "common/log.h"

#define CTL_MAX	     (64 * 1024)
#define DRIFT_DELAY  50	  /* ms after a netlink event */
#define DRIFT_PERIOD 30	  /* s: in case events were lost */
#define REACH_EVERY  500  /* ms between echoes to the parent */

struct daemon {
	struct agent *a;
	struct event_base *base;
	struct evconnlistener *ctl;
	struct event *sig_hup, *sig_term, *sig_int;
	struct event *mon_ev, *nfmon_ev, *drift_timer, *drift_tick;
	struct event *confirm_timer, *reach_timer, *reach_ev;
	int mon_fd, nfmon_fd, reach_fd;
	uint16_t reach_seq;
	struct monitor mon;
	struct event *probe_timer, *probe_ev[4];
};

static void probe_arm(struct daemon *dm);
static void monitor_refresh(struct daemon *dm);

static void arm_pending(struct daemon *dm);

/* ---- control socket ------------------------------------------------------ */

static json_t *dispatch(struct daemon *dm, const json_t *req)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	struct agent *a = dm->a;
	json_t *resp;

	if (!cmd)
		return json_pack("{s:b, s:s}", "ok", 0, "error",
				 "a request is {\"cmd\": ...}");
	if (!strcmp(cmd, "status")) {
		json_t *s = agent_status(a), *l = monitor_links(&dm->mon,
							       &a->in.ds);

		/* how links are watched, and the targets' states */
		json_object_set(s, "monitor", json_object_get(l, "monitor"));
		json_object_set(s, "targets", json_object_get(l, "targets"));
		json_decref(l);
		return s;
	}
	if (!strcmp(cmd, "links"))
		return monitor_links(&dm->mon, &a->in.ds);
	if (!strcmp(cmd, "plan"))
		return agent_plan(a);
	if (!strcmp(cmd, "apply")) {
		json_t *c = json_object_get(req, "confirm");
		const char *when =
			json_string_value(json_object_get(req, "confirm_when"));
		json_int_t secs = json_is_integer(c) ? json_integer_value(c) : 0;

		if ((c && !json_is_integer(c)) || secs < 0 || secs > 86400)
			return json_pack("{s:b, s:s}", "ok", 0, "error",
					 "confirm is a number of seconds, "
					 "0..86400");
		if (when && strcmp(when, "reachable"))
			return json_pack("{s:b, s:s}", "ok", 0, "error",
					 "confirm_when takes only "
					 "\"reachable\"");
		resp = agent_apply(a, (int)secs, when != NULL);
		arm_pending(dm);
		monitor_refresh(dm);
		return resp;
	}
	if (!strcmp(cmd, "confirm")) {
		resp = agent_confirm(a);
		arm_pending(dm);
		return resp;
	}
	if (!strcmp(cmd, "rollback")) {
		resp = agent_rollback(a);
		arm_pending(dm);
		return resp;
	}
	if (!strcmp(cmd, "reload")) {
		resp = agent_reload(a);
		monitor_refresh(dm);
		return resp;
	}
	return json_pack("{s:b, s:s}", "ok", 0, "error",
			 "unknown command (status, links, plan, apply, "
			 "confirm, rollback, reload)");
}

static void ctl_written(struct bufferevent *bev, void *arg)
{
	(void)arg;
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		bufferevent_free(bev);
}

static void ctl_reply(struct bufferevent *bev, json_t *resp)
{
	char *text = json_dumps(resp, JSON_COMPACT);

	json_decref(resp);
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, ctl_written, NULL, NULL);
	if (text) {
		bufferevent_write(bev, text, strlen(text));
		free(text);
	}
	bufferevent_write(bev, "\n", 1);
}

static void ctl_line(struct daemon *dm, struct bufferevent *bev, char *line,
		     size_t len)
{
	json_error_t je;
	json_t *req;

	req = json_loadb(line, len, 0, &je);
	free(line);
	if (!json_is_object(req)) {
		json_decref(req);
		ctl_reply(bev, json_pack("{s:b, s:s}", "ok", 0, "error",
					 "a request is one JSON object"));
		return;
	}
	ctl_reply(bev, dispatch(dm, req));
	json_decref(req);
}

static void ctl_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
	if (line) {
		ctl_line(arg, bev, line, len);
		return;
	}
	if (evbuffer_get_length(in) > CTL_MAX)
		ctl_reply(bev, json_pack("{s:b, s:s}", "ok", 0, "error",
					 "request too long"));
}

static void ctl_event(struct bufferevent *bev, short what, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);

	/* a last request without its newline still gets its answer */
	if ((what & BEV_EVENT_EOF) && len > 0 && len <= CTL_MAX) {
		char *line = malloc(len + 1);

		if (line && evbuffer_remove(in, line, len) == (int)len) {
			line[len] = '\0';
			ctl_line(arg, bev, line, len);
			return;
		}
		free(line);
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_free(bev);
}

static void ctl_accept(struct evconnlistener *l, evutil_socket_t fd,
		       struct sockaddr *sa, int socklen, void *arg)
{
	struct daemon *dm = arg;
	struct bufferevent *bev;

	(void)l;
	(void)sa;
	(void)socklen;
	bev = bufferevent_socket_new(dm->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		close(fd);
		return;
	}
	bufferevent_setwatermark(bev, EV_READ, 0, CTL_MAX + 1);
	bufferevent_setcb(bev, ctl_read, NULL, ctl_event, dm);
	bufferevent_enable(bev, EV_READ);
}

static int ctl_open(struct daemon *dm, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *path = dm->a->sockpath;
	char dir[sizeof(sun.sun_path)];
	char *slash;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0750);
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	/* a socket left by a dead agent is replaced; a live one is not */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(fd);
		snprintf(err, errlen, "another agent answers on %s", path);
		return -EADDRINUSE;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0660) < 0)
		goto fail;
	dm->ctl = evconnlistener_new(dm->base, ctl_accept, dm,
				     LEV_OPT_CLOSE_ON_FREE, 16, fd);
	if (!dm->ctl)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -errno;
}

/* ---- drift ----------------------------------------------------------------- */

static void drift_check(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)fd;
	(void)what;
	agent_check_drift(dm->a);
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
}

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)(p[len - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

/* An echo reply from the parent confirms the pending apply. */
static void reach_read(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;
	struct agent *a = dm->a;
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	uint8_t buf[1500];
	ssize_t n;

	(void)what;
	while ((n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen)) > 0) {
		bool reply = false;

		if (from.ss_family == AF_INET && n >= 20) {
			size_t hl = (size_t)(buf[0] & 0x0f) * 4;
			const struct sockaddr_in *s4 = (void *)&from;

			reply = (size_t)n >= hl + 8 && buf[hl] == ICMP_ECHOREPLY &&
				!memcmp(&s4->sin_addr, a->parent[FAM_V4].a, 4);
		} else if (from.ss_family == AF_INET6 && n >= 8) {
			const struct sockaddr_in6 *s6 = (void *)&from;

			reply = buf[0] == ICMP6_ECHO_REPLY &&
				!memcmp(&s6->sin6_addr, a->parent[FAM_V6].a,
					16);
		}
		if (reply && a->pending && a->confirm_reachable) {
			log_info("the parent answers after the change: "
				 "confirming");
			json_decref(agent_confirm(a));
			arm_pending(dm);
			return;
		}
		flen = sizeof(from);
	}
}

static void reach_send(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;
	struct agent *a = dm->a;
	struct sockaddr_storage to = {0};
	uint8_t pkt[16] = {0};
	socklen_t tlen;

	(void)fd;
	(void)what;
	if (dm->reach_fd < 0)
		return;
	if (a->parent[FAM_V4].family) {
		struct sockaddr_in *s4 = (void *)&to;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a->parent[FAM_V4].a, 4);
		tlen = sizeof(*s4);
		pkt[0] = ICMP_ECHO;
	} else {
		struct sockaddr_in6 *s6 = (void *)&to;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->parent[FAM_V6].a, 16);
		tlen = sizeof(*s6);
		pkt[0] = ICMP6_ECHO_REQUEST;
	}
	pkt[4] = (uint8_t)(getpid() >> 8);
	pkt[5] = (uint8_t)getpid();
	pkt[6] = (uint8_t)(dm->reach_seq >> 8);
	pkt[7] = (uint8_t)dm->reach_seq++;
	if (to.ss_family == AF_INET) {
		uint16_t c = csum(pkt, sizeof(pkt));

		memcpy(&pkt[2], &c, 2);
	}
	sendto(dm->reach_fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
	       tlen);
}

static void reach_stop(struct daemon *dm)
{
	if (dm->reach_timer)
		event_free(dm->reach_timer);
	if (dm->reach_ev)
		event_free(dm->reach_ev);
	if (dm->reach_fd >= 0)
		close(dm->reach_fd);
	dm->reach_timer = dm->reach_ev = NULL;
	dm->reach_fd = -1;
}

static void reach_start(struct daemon *dm)
{
	struct agent *a = dm->a;
	struct timeval tv = {0, REACH_EVERY * 1000};
	int v4 = a->parent[FAM_V4].family != 0;

	if (dm->reach_fd >= 0)
		return;
	if (!v4 && !a->parent[FAM_V6].family) {
		log_warnx("confirm-when reachable: no parent address; the "
			  "deadline decides");
		return;
	}
	/* the kernel computes ICMPv6 checksums on raw sockets itself */
	dm->reach_fd = socket(v4 ? AF_INET : AF_INET6,
			      SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			      v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (dm->reach_fd < 0) {
		log_warn("confirm-when reachable: ICMP socket");
		return;
	}
	dm->reach_ev = event_new(dm->base, dm->reach_fd, EV_READ | EV_PERSIST,
				 reach_read, dm);
	dm->reach_timer = event_new(dm->base, -1, EV_PERSIST, reach_send, dm);
	event_add(dm->reach_ev, NULL);
	event_add(dm->reach_timer, &tv);
	reach_send(-1, 0, dm);
}

/* Keep the deadline timer and the reachability check in line with the
 * agent's pending state. */
static void arm_pending(struct daemon *dm)
{
	struct agent *a = dm->a;

	evtimer_del(dm->confirm_timer);
	if (!a->pending || a->state == AGENT_FAILED) {
		reach_stop(dm);
		return;
	}
	long long left = a->deadline - (long long)time(NULL);
	struct timeval tv = {left > 0 ? left : 0, 0};

	evtimer_add(dm->confirm_timer, &tv);
	if (a->confirm_reachable)
		reach_start(dm);
}

/* ---- probes ----------------------------------------------------------------- */

static void probe_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)fd;
	(void)what;
	prober_tick(&dm->mon.probe);
}

static void probe_read(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)what;
	prober_read(&dm->mon.probe, fd);
}

/* (Re)start the probe timer at the profile's interval; sockets watched. */
static void probe_arm(struct daemon *dm)
{
	struct prober *p = &dm->mon.probe;
	struct timeval tv;
	int fds[4];

	if (!dm->mon.probing)
		return;
	fds[0] = p->udp4;
	fds[1] = p->udp6;
	fds[2] = p->icmp4;
	fds[3] = p->icmp6;
	p->interval_ms = dm->a->in.p.probe.interval_ms;
	p->down_after = dm->a->in.p.probe.down_after;
	p->up_after = dm->a->in.p.probe.up_after;
	tv.tv_sec = p->interval_ms / 1000;
	tv.tv_usec = (p->interval_ms % 1000) * 1000;
	if (!dm->probe_timer)
		dm->probe_timer = event_new(dm->base, -1, EV_PERSIST,
					    probe_tick, dm);
	event_add(dm->probe_timer, &tv);
	for (int i = 0; i < 4; i++)
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
		for (int i = 0; i < 4; i++)
			if (dm->probe_ev[i]) {
				event_free(dm->probe_ev[i]);
				dm->probe_ev[i] = NULL;
			}
	monitor_update(&dm->mon, &dm->a->in.ds);
	probe_arm(dm);
}

/* ---- signals and the loop ------------------------------------------------- */

static void on_hup(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)fd;
	(void)what;
	json_decref(agent_reload(dm->a));
	monitor_refresh(dm);
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
	struct daemon dm = {.a = a, .mon_fd = -1, .nfmon_fd = -1,
			    .reach_fd = -1};
	char err[300];
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	dm.base = event_base_new();
	if (!dm.base)
		fatal("event_base_new");
	if (ctl_open(&dm, err, sizeof(err))) {
		log_warnx("%s", err);
		event_base_free(dm.base);
		return 1;
	}
	dm.drift_timer = evtimer_new(dm.base, drift_check, &dm);
	dm.drift_tick = event_new(dm.base, -1, EV_PERSIST, drift_check, &dm);
	dm.confirm_timer = evtimer_new(dm.base, confirm_due, &dm);
	dm.sig_hup = evsignal_new(dm.base, SIGHUP, on_hup, &dm);
	dm.sig_term = evsignal_new(dm.base, SIGTERM, on_term, &dm);
	dm.sig_int = evsignal_new(dm.base, SIGINT, on_term, &dm);
	event_add(dm.sig_hup, NULL);
	event_add(dm.sig_term, NULL);
	event_add(dm.sig_int, NULL);
	event_add(dm.drift_tick, &tick);
	mon_open(&dm);

	agent_startup(a);
	arm_pending(&dm);
	monitor_open(&dm.mon, &a->in.ds);
	probe_arm(&dm);
	log_info("ready: node %s, state %s, control socket %s", a->in.nc.name,
		 agent_state_words[a->state], a->sockpath);
	log_info("not in this build yet: reporting to the collector");
	notify_ready();
	event_base_dispatch(dm.base);
	notify_stopping();

	reach_stop(&dm);
	for (int i = 0; i < 4; i++)
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
	event_free(dm.sig_hup);
	event_free(dm.sig_term);
	event_free(dm.sig_int);
	evconnlistener_free(dm.ctl);
	unlink(a->sockpath);
	event_base_free(dm.base);
	return rc;
}
