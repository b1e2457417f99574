// SPDX-License-Identifier: BSD-2-Clause
/*
 * net-snmp in the libevent loop (see snmpev.h).  Re-syncing is deferred
 * to an event of its own: a read may close the very descriptor whose
 * event is running, and that event is only freed from outside its
 * callback.  Errors: allocation failures are fatal (xmalloc); net-snmp
 * reports its own through the log callback (snmplib.c).
 */
#include "agent/snmp/snmpev.h"

#include <errno.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "common/log.h"

/* descriptors watched at most: net-snmp's sessions of this process */
#define SNMPEV_MAX_FDS 1024

static struct {
	struct event_base *base;
	struct event *timer, *resync;
	struct event *ev[SNMPEV_MAX_FDS];
	int fd[SNMPEV_MAX_FDS];
	int n;
	int users; /* snmpev_attach() calls not yet undone */
} S;

static void resync_cb(evutil_socket_t fd, short what, void *arg);

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	netsnmp_large_fd_set set;

	(void)what;
	(void)arg;
	netsnmp_large_fd_set_init(&set, (int)fd + 1);
	NETSNMP_LARGE_FD_SET((int)fd, &set);
	snmp_read2(&set);
	netsnmp_large_fd_set_cleanup(&set);
	netsnmp_check_outstanding_agent_requests();
	snmpev_sync();
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	snmp_timeout();
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
	resync_cb(-1, 0, NULL);
}

static bool watched(int fd)
{
	for (int i = 0; i < S.n; i++)
		if (S.fd[i] == fd)
			return true;
	return false;
}

static void resync_cb(evutil_socket_t unused, short what, void *arg)
{
	netsnmp_large_fd_set set;
	struct timeval tv = {0, 0};
	int maxfd = 0, block = 1, w = 0;

	(void)unused;
	(void)what;
	(void)arg;
	if (!S.base)
		return;
	netsnmp_large_fd_set_init(&set, FD_SETSIZE);
	snmp_select_info2(&maxfd, &set, &tv, &block);
	/* events of descriptors no longer there go first: a new socket may
	 * have the number of a closed one */
	for (int i = 0; i < S.n; i++) {
		if (S.fd[i] < maxfd && NETSNMP_LARGE_FD_ISSET(S.fd[i], &set)) {
			S.ev[w] = S.ev[i];
			S.fd[w++] = S.fd[i];
			continue;
		}
		event_free(S.ev[i]);
	}
	S.n = w;
	for (int fd = 0; fd < maxfd; fd++) {
		if (!NETSNMP_LARGE_FD_ISSET(fd, &set) || watched(fd))
			continue;
		if (S.n == SNMPEV_MAX_FDS) {
			log_warnx("snmp: more than %d sessions; the rest are "
				  "not served",
				  SNMPEV_MAX_FDS);
			break;
		}
		S.ev[S.n] = event_new(S.base, fd, EV_READ | EV_PERSIST, on_read,
				      NULL);
		if (!S.ev[S.n])
			fatal("event_new");
		event_add(S.ev[S.n], NULL);
		S.fd[S.n++] = fd;
	}
	netsnmp_large_fd_set_cleanup(&set);
	evtimer_del(S.timer);
	if (!block)
		evtimer_add(S.timer, &tv);
}

int snmpev_attach(struct event_base *base)
{
	if (S.base) {
		if (base != S.base)
			return -EINVAL;
		S.users++;
		return 0;
	}
	memset(&S, 0, sizeof(S));
	S.timer = evtimer_new(base, on_timer, NULL);
	S.resync = event_new(base, -1, 0, resync_cb, NULL);
	if (!S.timer || !S.resync) {
		if (S.timer)
			event_free(S.timer);
		if (S.resync)
			event_free(S.resync);
		return -ENOMEM;
	}
	S.base = base;
	S.users = 1;
	resync_cb(-1, 0, NULL);
	return 0;
}

void snmpev_forget(int fd)
{
	for (int i = 0; S.base && i < S.n; i++) {
		if (S.fd[i] != fd)
			continue;
		event_free(S.ev[i]);
		S.ev[i] = S.ev[S.n - 1];
		S.fd[i] = S.fd[S.n - 1];
		S.n--;
		return;
	}
}

void snmpev_sync(void)
{
	if (S.base)
		event_active(S.resync, EV_TIMEOUT, 0);
}

void snmpev_detach(void)
{
	if (!S.base || --S.users > 0)
		return;
	for (int i = 0; i < S.n; i++)
		event_free(S.ev[i]);
	event_free(S.timer);
	event_free(S.resync);
	memset(&S, 0, sizeof(S));
}
