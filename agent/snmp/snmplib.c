// SPDX-License-Identifier: BSD-2-Clause
/*
 * net-snmp's one-time set-up (snmplib.h): the settings that keep the
 * library from reading files, loading MIBs, saving state or arming
 * SIGALRM, its log into ours, and a count of users so that it is shut
 * down after the last.
 */
#include "agent/snmp/snmplib.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static int users;

/* net-snmp's messages, one level down: they are the library's view. */
static int on_log(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message *m = server;
	size_t n;

	(void)major;
	(void)minor;
	(void)client;
	if (!m || !m->msg)
		return 0;
	n = strcspn(m->msg, "\n");
	if (m->priority <= LOG_ERR)
		log_info("net-snmp: %.*s", (int)n, m->msg);
	else
		log_debug("net-snmp: %.*s", (int)n, m->msg);
	return 0;
}

int snmplib_init(const char *app)
{
	if (users++)
		return 0;
	/* the environment must not bring files or MIBs in */
	setenv("MIBS", "", 1);
	setenv("MIBDIRS", "/nonexistent", 1);
	unsetenv("SNMPCONFPATH");
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS,
			   0);
	snmp_disable_log();
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
			       on_log, NULL);
	/* EGNET_SNMP_DEBUG=usm,snmp_api: net-snmp's debug output, in our
	 * log at debug level */
	if (getenv("EGNET_SNMP_DEBUG")) {
		snmp_set_do_debugging(1);
		debug_register_tokens(getenv("EGNET_SNMP_DEBUG"));
	}
	init_snmp(app ? app : "egnet-agent");
	return 0;
}

void snmplib_done(void)
{
	if (users <= 0 || --users)
		return;
	snmp_shutdown("egnet-agent");
	snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
				 on_log, NULL, 1);
}
