/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The node config's `snmp` group: the site's routers and switches the
 * agent polls over SNMP (agent/snmp/poll.h), and how often.  Read by
 * nodeconf_load(); docs/profile.md describes the settings.
 *
 * Policy: only SNMPv3 with authentication and privacy (SHA-2, AES) is
 * taken as it is; v2c sends the community in clear text and is taken
 * only with allow_community = true; v1 (no 64-bit counters) is refused.  A v3 device without auth or priv is
 * refused.  Pass phrases and communities may sit in a separate secrets
 * file (an absolute path), which must be a regular file owned by root
 * and readable by its owner only; anything else is refused.
 *
 * Error policy: every problem goes to the diagnostics with its file and
 * line (the secrets file's own lines for its settings); nothing is logged.
 */
#ifndef EGNET_SNMPCONF_H
#define EGNET_SNMPCONF_H

#include <libconfig.h>
#include <stdbool.h>

#include "common/diag.h"

#define SNMP_MAX_DEVICES 16
#define SNMP_MAX_IFACES	 64  /* per device */
#define SNMP_NAME_LEN	 64  /* a device's or an interface's name, NUL */
#define SNMP_SECRET_LEN	 128 /* a pass phrase or community, NUL */
#define SNMP_PASS_MIN	 8   /* USM's shortest pass phrase */

enum snmp_version { SNMP_V1, SNMP_V2C, SNMP_V3 };
extern const char *const snmp_version_words[]; /* "1", "2c", "3" */

/* USM authentication: SHA-2 only (indexes of snmp_auth_words) */
enum snmp_auth { SNMP_AUTH_SHA224, SNMP_AUTH_SHA256, SNMP_AUTH_SHA384,
		 SNMP_AUTH_SHA512 };
extern const char *const snmp_auth_words[];
enum snmp_priv { SNMP_PRIV_AES, SNMP_PRIV_AES192, SNMP_PRIV_AES256 };
extern const char *const snmp_priv_words[];
/* USM security levels: only authPriv is accepted */
extern const char *const snmp_level_words[];

struct snmp_devconf {
	char name[SNMP_NAME_LEN];
	char address[64]; /* an IPv4 or IPv6 address */
	int port;
	int version; /* enum snmp_version */
	char user[SNMP_NAME_LEN];
	int auth, priv, level;
	char auth_pass[SNMP_SECRET_LEN], priv_pass[SNMP_SECRET_LEN];
	char community[SNMP_SECRET_LEN];
	char secrets[256];
	bool allow_community;
	char ifaces[SNMP_MAX_IFACES][SNMP_NAME_LEN];
	int n_ifaces;
	int line;
};

struct snmpconf {
	int interval_s;	     /* between polls of a device */
	int timeout_ms;	     /* one request's wait */
	int retries;	     /* resends of a request */
	int down_after;	     /* failed polls before a device is down */
	int bulk_rows;	     /* GETBULK max-repetitions */
	int max_varbinds;    /* varbinds in one GET */
	int n_devices;
	struct snmp_devconf devices[SNMP_MAX_DEVICES];
};

/*
 * Read the `snmp` group @g (NULL: none, no devices) of @file into @sc.
 * Problems go to @d; returns how many were added.
 */
int snmpconf_load(struct snmpconf *sc, const config_setting_t *g,
		  const char *file, struct diag *d);

#endif
