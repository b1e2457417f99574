/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The node config (/etc/egnet/agent.conf): who this gateway is (its
 * division code), which physical interface plays which role, the addresses
 * and gateways the plan cannot know (an ISP's), where its profile and
 * inventory are, and the agent's own paths.  docs/profile.md describes it.
 */
#ifndef EGNET_NODECONF_H
#define EGNET_NODECONF_H

#include <libconfig.h>
#include <net/if.h>
#include <stdbool.h>

#include "common/code.h"
#include "common/diag.h"
#include "common/ip.h"
#include "common/profile.h"
#include "common/snmpconf.h"

#define NC_MAX_PORTS 16
#define NC_MAX_ADDRS 8
#define NC_MAX_GW    8

enum drift_policy { DRIFT_ENFORCE, DRIFT_REPORT };
extern const char *const drift_words[];

struct nc_gateway {
	char name[NAME_LEN];
	struct ip_addr addr;
	int line;
};

struct nodeconf {
	char path[4096];
	code_t code;
	char name[128];
	char profile[4096];   /* resolved against the node config's folder */
	char inventory[4096]; /* "" when none */
	int drift;	      /* enum drift_policy */
	char log_level[16];

	/* interfaces[role]: the physical interface, or a bridge's ports */
	char ifaces[ROLE_COUNT][NC_MAX_PORTS][IFNAMSIZ];
	int n_ifaces[ROLE_COUNT];
	int iface_line[ROLE_COUNT];

	struct ip_prefix addrs[ROLE_COUNT][NC_MAX_ADDRS];
	int n_addrs[ROLE_COUNT];
	int addrs_line[ROLE_COUNT];
	int addr_line[ROLE_COUNT][NC_MAX_ADDRS]; /* each address's */

	struct nc_gateway gateways[NC_MAX_GW];
	int n_gateways;

	char collector_url[512];
	int collector_port; /* the URL's, or its scheme's; 0 without a URL */
	int collector_line;
	int report_interval;	/* s */
	/* TLS towards the collector: its CA, our certificate and key (PEM;
	 * resolved against the node config's folder) */
	char collector_ca[4096], collector_cert[4096], collector_key[4096];
	bool collector_allow_http; /* an http:// URL is refused without it */
	/* where reports leave from: "uplink" (the uplink's address, so the
	 * extranet's policy rules route them), "none" (the kernel's
	 * choice), or an address */
	char collector_source[64];
	int report_timeout;	   /* s: a request that takes longer failed */
	int spool_max_kib;	   /* the report spool's cap (KiB; 256 MiB) */

	char state_dir[4096];
	char socket[108]; /* sun_path */

	struct snmpconf snmp; /* devices to poll (snmpconf.h) */

	/* snmp.agentx: EGNET-MIB published through the local snmpd */
	bool agentx_enabled;
	char agentx_socket[108]; /* the master's AgentX socket (sun_path) */
	int agentx_retry;	  /* s: first reconnection after this */
	int agentx_retry_max;	  /* s: doubling up to this */
	int agentx_ping;	  /* s: is the master still there */
	int agentx_timeout_ms;	  /* a master's answer takes at most this */

	int code_line;
};

/*
 * Load a node config.  Problems go to d; returns 0 or -EINVAL.  A profile
 * path given on the command line (override, may be NULL) wins over the
 * file's own.
 */
int nodeconf_load(struct nodeconf *nc, const char *path,
		  const char *profile_override, struct diag *d);

const struct nc_gateway *nodeconf_gateway(const struct nodeconf *nc,
					  const char *name);

#endif
