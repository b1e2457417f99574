/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SNMP poller: the site's routers and switches of the node config's
 * snmp.devices, read every snmp.interval seconds inside the agent's
 * libevent loop — sysUpTime, sysName and, per configured interface (its
 * ifIndex found by name through ifName, then ifDescr, with GETBULK),
 * ifOperStatus, ifAdminStatus, ifHCInOctets, ifHCOutOctets, ifInErrors,
 * ifOutErrors, ifInDiscards, with rates from the 64-bit counters.
 *
 * How it runs: one net-snmp session per device, in the library's list
 * (snmp_open, snmp_async_send), its socket and its retransmission timer
 * watched by the loop through snmpev.c (the bridge the AgentX subagent
 * uses too), all devices in flight at once.  Nothing blocks:
 * SNMPv3 engine discovery is a request like the others (the session is
 * opened with SNMP_FLAGS_DONT_PROBE), no SIGALRM is used, and net-snmp's
 * callbacks only record what came back — the next request is sent from a
 * deferred event, never from inside the library.  The reply-to-state step
 * is reply.c's (pure).
 *
 * States: a device is "up" after a whole poll, "down" after
 * snmp.down_after polls in a row that failed (no answer, an error, an
 * authentication failure — said in its error), "unknown" before its first
 * poll.  When it is down, its interfaces' state is unknown, not down.
 *
 * net-snmp is set up through snmplib.h, as its second user after the
 * subagent when there is one (open the subagent first).
 *
 * Error policy: poller_open() fails only without memory or net-snmp; a
 * device that cannot be reached or answers garbage is a state, never an
 * error of the agent.  A device's change of state is logged once.
 */
#ifndef EGNET_SNMP_POLL_H
#define EGNET_SNMP_POLL_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>

#include "common/report.h"
#include "common/snmpconf.h"

struct poller;

/*
 * Start polling the devices of @sc (copied) on @base.  0 and *pp, or
 * -errno with the reason in @err.  With no device the poller is idle.
 */
int poller_open(struct poller **pp, struct event_base *base,
		const struct snmpconf *sc, char *err, size_t errlen);
void poller_close(struct poller *p);

/* After a reload or an apply: when the snmp settings changed, every
 * device starts anew with them (new sessions, states unknown); else
 * nothing changes. */
void poller_update(struct poller *p, const struct snmpconf *sc);

/* The devices and interfaces as `egnetctl snmp --json` shows them (a
 * new object, {"ok": true, ...}); NULL p: no devices. */
json_t *poller_json(const struct poller *p);

/* The same into a report's snmp member (its bounds). */
void poller_report(const struct poller *p, struct report *r);

/*
 * Start a poll of device @i (-1: every device) now, if it is idle: for
 * benchmarks.  @walk: find the names again first; @walk_only: and end
 * the poll there (no GET).
 */
void poller_kick(struct poller *p, int i, bool walk, bool walk_only);

/* Polls finished and failed since the start, for benchmarks and tests. */
void poller_counts(const struct poller *p, unsigned long *polls,
		   unsigned long *failed, unsigned long *varbinds);

#endif
