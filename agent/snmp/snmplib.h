/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * net-snmp's process-wide set-up, done once: the library's messages into
 * our logger one level down, no SIGALRM (timers are run from the agent's
 * event loop), no configuration or persistent files of its own, no MIB
 * files loaded (the agent names every object by number).  The AgentX
 * subagent role is set here too, because it must be chosen before
 * init_agent() and init_snmp() run, which happen once per process.
 * Whatever else uses net-snmp in the agent (the device poller) relies on
 * this set-up and sets its own sessions' timeouts.
 *
 * Every user (the subagent, the poller) calls snmplib_init() before its
 * first session and snmplib_done() when it stops: the library is set up
 * at the first call and shut down after the last.  The subagent's role
 * can only be taken by the first call, so the agent's daemon opens the
 * subagent before the poller (agent/daemon.c) and closes it after.
 *
 * Error policy: 0 or -errno with the reason in err; nothing is logged.
 */
#ifndef EGNET_SNMPLIB_H
#define EGNET_SNMPLIB_H

#include <stdbool.h>
#include <stddef.h>

struct snmplib_subagent {
	const char *socket; /* the master's AgentX socket */
	int timeout_ms;	    /* a master's answer waited for at most */
};

/*
 * Initialise net-snmp for this process; sa non-NULL also makes it an
 * AgentX subagent of sa->socket (the connection is tried once, at once;
 * net-snmp's own pings and reconnection are off: a master that breaks
 * every connection would make it pile up retries, so the subagent
 * (agentx.c) reconnects and pings on its own timers).  Later calls only
 * count one more user and return 0: the first call's role holds until
 * the last user is gone, and a later call with sa non-NULL when the
 * first had none is refused (-EALREADY).  Returns 0, -EINVAL or
 * -EALREADY with the reason in err.
 */
int snmplib_init(const struct snmplib_subagent *sa, char *err, size_t errlen);

/* Whether snmplib_init() made this process a subagent. */
bool snmplib_is_subagent(void);

/* Undo one snmplib_init(); after the last, net-snmp is shut down (every
 * session of its list closed, then the agent's state) and may be set up
 * again, in either role.  Without a user: nothing. */
void snmplib_done(void);

#endif
