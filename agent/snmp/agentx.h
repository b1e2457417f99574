/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The AgentX subagent: EGNET-MIB (mibs/EGNET-MIB.txt) published through
 * the local snmpd, its master.  The connection is made at start and, when
 * it fails or snmpd goes away, tried again after snmp.agentx.retry
 * seconds, twice as long after each failure up to retry_max, registering
 * the subtree anew; the master is pinged every snmp.agentx.ping seconds
 * (one that stopped answering is left and tried again); the loop is never
 * held longer than snmp.agentx.timeout_ms by a master that does not
 * answer.  Values
 * are read from the agent's state (the node, the monitor's links and the
 * prober's targets, what `egnetctl status` and `links` show) when a
 * request comes; traps egnetTargetDown / egnetTargetUp on a target's
 * change of state and egnetDrift on drift found or gone go to the master,
 * which sends them to its trap sinks (lost while not connected: the
 * tables say the state at the next walk).
 *
 * Errors: a request for anything but reading is refused (notWritable);
 * net-snmp's own messages go to the log one level down (snmplib.c); the
 * functions below take a NULL subagent (none configured) and do nothing.
 */
#ifndef EGNET_AGENTX_H
#define EGNET_AGENTX_H

#include <jansson.h>
#include <stddef.h>

#include "common/code.h"

struct agentx;
struct agent;
struct monitor;
struct event_base;

struct agentx_opts {
	const char *socket; /* the master's AgentX socket */
	int retry_s;	    /* first reconnection after this */
	int retry_max_s;    /* doubling up to this */
	int ping_s;	    /* is the master still there: this often */
	int timeout_ms;	    /* a master's answer waited for at most */
};

/*
 * Set up net-snmp as a subagent of o->socket (once per process), register
 * EGNET-MIB's objects, drive it all from base.  Values come from a and m
 * (borrowed: they outlive the subagent).  Not being able to reach the
 * master is no error: it is tried again.  0, or -errno with the reason in
 * err.
 */
int agentx_open(struct agentx **ax, struct event_base *base,
		const struct agentx_opts *o, struct agent *a, struct monitor *m,
		char *err, size_t errlen);
void agentx_close(struct agentx *ax);

/* A target's state changed (its code): egnetTargetDown or Up. */
void agentx_target_changed(struct agentx *ax, code_t code);

/* Drift found or gone: egnetDrift with the number of differences. */
void agentx_drift_changed(struct agentx *ax);

/* {"socket", "connected", "connects", "requests", "traps", "traps_lost"} */
json_t *agentx_status(const struct agentx *ax);

#endif
