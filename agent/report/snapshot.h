/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The agent's state as a report (common/report.h): what the reporter
 * sends every interval.  Reads only; the kernel is asked for the link
 * states and the firewall's counters (the rules, not the sets).
 */
#ifndef EGNET_SNAPSHOT_H
#define EGNET_SNAPSHOT_H

#include "agent/agent.h"
#include "agent/watch/monitor.h"
#include "common/report.h"

struct poller;

struct snapshot_src {
	struct agent *a;
	struct monitor *m;
	struct poller **snmp; /* the SNMP poller, or NULL */
	double started; /* monotonic: when the agent started */
};

/* Fill @r (cleared by the caller) but for seq, time_ms and events. */
void snapshot_fill(struct report *r, const struct snapshot_src *s);

#endif
