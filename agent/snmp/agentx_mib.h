/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * EGNET-MIB's objects as one sorted list of instances, built from the
 * agent's state (the node's fields and what `egnetctl links --json`
 * shows), so that a GET is a lookup and a GETNEXT the first instance
 * after the name asked: strictly increasing by construction, every
 * instance reachable by GETNEXT.  Pure: no I/O, no logging; rows or
 * columns the state does not have (no counters without eBPF, no RTT
 * before an answer) are left out, never given a made-up value.
 */
#ifndef EGNET_AGENTX_MIB_H
#define EGNET_AGENTX_MIB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/types.h>

/*
 * enterprises.32473: IANA's number for documentation (RFC 5612), a
 * placeholder until the project has its own private enterprise number;
 * mibs/EGNET-MIB.txt says the same.
 */
#define EGNET_MIB_OID	  1, 3, 6, 1, 4, 1, 32473
#define EGNET_MIB_OID_LEN 7
#define AXM_OBJECTS	  1 /* egnetObjects: what the handler serves */
#define AXM_NOTIFICATIONS 0 /* egnetNotifications */
#define AXM_NODE	  1 /* egnetObjects.1: scalars */
#define AXM_LINKS	  2 /* egnetObjects.2: egnetLinkTable */
#define AXM_TARGETS	  3 /* egnetObjects.3: egnetTargetTable */

/* notifications (egnetNotifications.N) */
enum { AXM_TRAP_TARGET_DOWN = 1, AXM_TRAP_TARGET_UP = 2, AXM_TRAP_DRIFT = 3 };

/* node scalars (egnetNode.N.0) */
enum {
	AXM_NODE_CODE = 1,
	AXM_NODE_LEVEL,
	AXM_NODE_PROFILE,
	AXM_NODE_VERSION,
	AXM_NODE_HASH,
	AXM_NODE_STATE,
	AXM_NODE_DRIFT,
};

/* egnetLinkEntry columns */
enum {
	AXM_LINK_NAME = 2,
	AXM_LINK_ROLE,
	AXM_LINK_ZONE,
	AXM_LINK_OPER,
	AXM_LINK_IN_OCTETS,
	AXM_LINK_OUT_OCTETS,
	AXM_LINK_IN_PKTS,
	AXM_LINK_OUT_PKTS,
	AXM_LINK_DROPS,
};

/* egnetTargetEntry columns */
enum {
	AXM_TGT_CODE = 2,
	AXM_TGT_KIND,
	AXM_TGT_REACHABLE,
	AXM_TGT_RTT,
	AXM_TGT_LOSS,
	AXM_TGT_JITTER,
};

/* rows at most, per table (the MIB's index range) */
#define AXM_MAX_ROWS 65535
#define AXM_OID_MAX  16
#define AXM_STR_MAX  64

enum axm_type { AXM_STRING, AXM_INTEGER, AXM_GAUGE, AXM_COUNTER64 };

struct axm_var {
	oid name[AXM_OID_MAX];
	size_t len;
	int type; /* enum axm_type */
	uint64_t num;
	char str[AXM_STR_MAX + 1];
	size_t str_len;
};

/* The node group's values. */
struct axm_node {
	char code[16];
	int level; /* egnetNodeLevel: 1 province .. 5 village */
	char profile[AXM_STR_MAX + 1], version[AXM_STR_MAX + 1];
	char hash[17];
	int state;	/* egnetNodeApplyState: 1..5 */
	unsigned drift; /* differences found */
};

struct axm_table {
	struct axm_var *v;
	int n, cap;
};

/*
 * Build t (empty or built before: it is reset) from the node and the JSON
 * of monitor_links() (its "links" and "targets"; members of the wrong type
 * are left out as absent).  The list is sorted, without duplicates.
 */
void axm_build(struct axm_table *t, const struct axm_node *node,
	       const json_t *links);
void axm_free(struct axm_table *t);

/* The instance named exactly, or NULL. */
const struct axm_var *axm_get(const struct axm_table *t, const oid *name,
			      size_t len);

/* The first instance after name (name need not be one), or NULL. */
const struct axm_var *axm_next(const struct axm_table *t, const oid *name,
			       size_t len);

/* Words of the agent's JSON into the MIB's enumerations (0: unknown). */
int axm_oper_value(const char *state);	  /* egnetLinkOperStatus */
int axm_kind_value(const char *relation); /* egnetTargetKind */
int axm_reach_value(const char *state);	  /* egnetTargetReachable */

#endif
