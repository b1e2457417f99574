// SPDX-License-Identifier: BSD-2-Clause
/*
 * net-snmp's process-wide set-up (see snmplib.h).  The library keeps its
 * state in globals, so this is the one place that touches them; the
 * subagent (agentx.c) and the poller (poll.c) only open sessions and
 * handlers.  Its users are counted: set up at the first, shut down after
 * the last.
 * Its messages come through a logging callback and go to our log one
 * level down (its errors as our warnings, and so on): they describe the
 * library's view, the caller logs the consequence.
 */
#include "agent/snmp/snmplib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "common/log.h"

/* AgentX sessions are those of this version: AGENTX_VERSION_1 of
 * net-snmp's agentx/protocol.h, a header it does not install. */
#define SNMPLIB_AGENTX_VERSION_1 (192 | 1)

static int users; /* snmplib_init() calls not yet undone */
static bool subagent;
static long agentx_timeout_us;

static int on_log(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message *m = server;
	char buf[512];
	size_t n;

	(void)major;
	(void)minor;
	(void)client;
	if (!m || !m->msg)
		return SNMP_ERR_NOERROR;
	snprintf(buf, sizeof(buf), "%s", m->msg);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (!n)
		return SNMP_ERR_NOERROR;
	if (m->priority <= LOG_ERR)
		log_warnx("net-snmp: %s", buf);
	else if (m->priority <= LOG_WARNING)
		log_info("net-snmp: %s", buf);
	else
		log_debug("net-snmp: %s", buf);
	return SNMP_ERR_NOERROR;
}

/*
 * Every new session: an AgentX one (to the master) waits timeout_ms for
 * an answer and does not resend.  net-snmp waits for the master's
 * answers to open, register and ping synchronously; this bounds how long
 * a master that accepts and then says nothing can hold the loop.
 */
static int on_session(int major, int minor, void *server, void *client)
{
	netsnmp_session *s = server;

	(void)major;
	(void)minor;
	(void)client;
	if (s && s->version == SNMPLIB_AGENTX_VERSION_1 && agentx_timeout_us) {
		s->timeout = agentx_timeout_us;
		s->retries = 0;
	}
	return SNMP_ERR_NOERROR;
}

int snmplib_init(const struct snmplib_subagent *sa, char *err, size_t errlen)
{
	if (users) {
		/* the role was chosen by the first caller, once */
		if (sa && !subagent) {
			snprintf(err, errlen,
				 "AgentX: net-snmp was set up before, "
				 "not as a subagent");
			return -EALREADY;
		}
		users++;
		return 0;
	}
	if (sa && (!sa->socket || sa->socket[0] != '/' || sa->timeout_ms < 1)) {
		snprintf(err, errlen,
			 "AgentX: an absolute socket path and a "
			 "timeout are needed");
		return -EINVAL;
	}
	/* the agent names objects by number: no MIB files read (they are
	 * not all installed, and each missing one would be a message) */
	setenv("MIBS", "", 1);
	setenv("MIBDIRS", "/nonexistent", 1);
	unsetenv("SNMPCONFPATH");
	snmp_disable_log();
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
			       on_log, NULL);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY,
			       SNMP_CALLBACK_SESSION_INIT, on_session, NULL);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS,
			   0);
	/* EGNET_SNMP_DEBUG=usm,snmp_api: net-snmp's debug output, in our
	 * log at debug level */
	if (getenv("EGNET_SNMP_DEBUG")) {
		snmp_set_do_debugging(1);
		debug_register_tokens(getenv("EGNET_SNMP_DEBUG"));
	}
	if (sa) {
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
				       NETSNMP_DS_AGENT_ROLE, 1);
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
				      NETSNMP_DS_AGENT_X_SOCKET, sa->socket);
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
				       NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS,
				       1);
		agentx_timeout_us = (long)sa->timeout_ms * 1000L;
		init_agent("egnet-agent");
		/* after init_agent(), which sets its default (15 s): no
		 * pings nor reconnection by net-snmp (see snmplib.h) */
		netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
				   NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, 0);
		subagent = true;
	}
	init_snmp("egnet-agent");
	users = 1;
	return 0;
}

bool snmplib_is_subagent(void)
{
	return subagent;
}

void snmplib_done(void)
{
	if (users <= 0 || --users)
		return;
	/* snmpd's order: the sessions first, then the agent's state (the
	 * other way round closes the callback session twice) */
	snmp_shutdown("egnet-agent");
	if (subagent)
		shutdown_agent();
	snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
				 on_log, NULL, 1);
	snmp_unregister_callback(SNMP_CALLBACK_LIBRARY,
				 SNMP_CALLBACK_SESSION_INIT, on_session, NULL,
				 1);
	subagent = false;
	agentx_timeout_us = 0;
}
