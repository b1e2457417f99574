/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Defaults and limits that more than one part needs, written once: where
 * the agent keeps its state and its control socket, the longest
 * commit-confirm, the longest probe window, the node's TLS files.
 */
#ifndef EGNET_DEFAULTS_H
#define EGNET_DEFAULTS_H

#ifndef EGNET_VERSION
#define EGNET_VERSION "0.1.0" /* what agents report and packages carry */
#endif

#define EGNET_STATE_DIR	       "/var/lib/egnet"
#define EGNET_SOCKET	       "/run/egnet/agent.sock"
#define EGNET_AGENTX_SOCKET    "/var/agentx/master" /* snmpd's default */
#define EGNET_CONFIRM_MAX_S    86400 /* commit-confirm: a day at most */
#define EGNET_PROBE_WINDOW_MAX 3600  /* probes kept per target */

/* TLS files, as packaging/egnet-pki lays them out on a node */
#define EGNET_PKI_CA   "/etc/egnet/pki/ca.crt"
#define EGNET_PKI_CERT "/etc/egnet/pki/node.crt"
#define EGNET_PKI_KEY  "/etc/egnet/pki/node.key"

#endif
