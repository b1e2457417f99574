/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net-snmp's global set-up, done once for the whole agent: whatever in
 * the agent speaks SNMP (the poller, an AgentX subagent) calls
 * snmplib_init() before its first session and snmplib_done() when it
 * stops; the library is set up at the first call and shut down after the
 * last.
 *
 * What it sets, before init_snmp(): no configuration file is read (not
 * /etc/snmp, not ~/.snmp), no MIB is loaded (OIDs are numeric), nothing
 * is saved to or loaded from net-snmp's persistent folder, and no SIGALRM
 * (timers are the caller's event loop's).  A part that needs more of the
 * library (an AgentX subagent sets NETSNMP_DS_AGENT_ROLE and calls
 * init_agent()) does so before its snmplib_init() and passes @app as the
 * name init_snmp() is given; the first caller's name is the one used.
 * net-snmp's own messages go to the agent's log one level down
 * (warnings as debug, errors as info).
 *
 * Error policy: snmplib_init() returns 0 or -errno; it does not log.
 */
#ifndef EGNET_SNMPLIB_H
#define EGNET_SNMPLIB_H

int snmplib_init(const char *app);
void snmplib_done(void);

#endif
