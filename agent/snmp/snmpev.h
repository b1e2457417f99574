/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net-snmp's sessions and timers driven by the agent's libevent loop, for
 * every user of net-snmp in the agent (the AgentX subagent, the device
 * poller): the descriptors snmp_select_info2() names are watched for
 * reading, its timeout is a timer; a readable descriptor is snmp_read2()
 * alone, the timer snmp_timeout() and run_alarms() (SIGALRM is off,
 * snmplib.c).  The set is re-synced after each of these and whenever a
 * caller opened, closed or sent something (snmpev_sync()), so no
 * descriptor is missed and no closed one is watched.  One set per
 * process, like net-snmp's own state.
 */
#ifndef EGNET_SNMPEV_H
#define EGNET_SNMPEV_H

struct event_base;

/* Start driving net-snmp from base; its users are counted (the subagent,
 * the poller): a later call with the same base only counts one more, one
 * with another base is refused.  0, -ENOMEM or -EINVAL. */
int snmpev_attach(struct event_base *base);

/* net-snmp's descriptors or timers may have changed: re-sync soon (from
 * the loop, not from inside the caller). */
void snmpev_sync(void);

/*
 * The caller is about to close the session on @fd: its event goes now,
 * not at the next re-sync (a socket opened before that may take the
 * number, and the loop's epoll set drops a closed descriptor, so the old
 * event would never fire for the new one).  Not from inside snmpev's own
 * callbacks (net-snmp's callbacks run there: close from a deferred event).
 */
void snmpev_forget(int fd);

/* Undo one snmpev_attach(); after the last, every event is freed.
 * net-snmp itself stays as it is. */
void snmpev_detach(void);

#endif
