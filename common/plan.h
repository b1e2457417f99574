/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The address plan: from a root prefix and a bit width per level, every
 * node's addresses follow from its division code, so two nodes can never
 * collide and nothing per node has to be written down.
 *
 * A node's block is the root with the index of each of its ancestors' groups
 * (and its own) written into the next `bits[level]` bits.  Inside its block,
 * the slot of child index 0 — which no real child can have, codes count from
 * 1 — is the node's own space: its uplink subnet sits at the start of it and
 * its LAN at the end.  The rest of the block is the downlink pool: child i's
 * uplink subnet is the start of child i's own space, i.e. carved from the
 * parent's pool at the child's index.  A node whose child level has no bits
 * (the last planned level) owns its whole block.
 */
#ifndef EGNET_PLAN_H
#define EGNET_PLAN_H

#include <stdbool.h>

#include "common/code.h"
#include "common/ip.h"

#define PLAN_MAX_BITS 16

struct plan_family {
	bool set;
	struct ip_prefix root;
	unsigned bits[LEVEL_COUNT]; /* bits[LEVEL_PROVINCE] is always 0 */
	unsigned link;		    /* prefix length of an uplink subnet */
	unsigned lan;		    /* LAN prefix length; 0 = upper half */
};

struct plan_node {
	struct ip_prefix block;	  /* the node's aggregate (summary route) */
	struct ip_prefix own;	  /* its own space */
	bool has_uplink;	  /* every node but the province */
	struct ip_prefix uplink;  /* subnet to the parent */
	struct ip_addr up_parent; /* the parent's end */
	struct ip_addr up_child;  /* this node's end */
	bool has_pool;		  /* children are planned below it */
	unsigned child_len;	  /* prefix length of a child's block */
	struct ip_prefix lan;	  /* LAN subnet */
	struct ip_addr lan_gw;	  /* the gateway's LAN address */
};

/*
 * Check that a plan family is consistent: bits fit the root prefix, each
 * level's own space holds its uplink subnet and its LAN.  Returns 0 or
 * -EINVAL with the reason.
 */
int plan_check(const struct plan_family *pf, char *err, size_t errlen);

/*
 * Compute the addresses of a node.  Returns -ERANGE when an index of the
 * code does not fit its level's bits (the reason names the node and the
 * level), -EINVAL when the node's level is not planned.
 */
int plan_node(const struct plan_family *pf, code_t code, struct plan_node *out,
	      char *err, size_t errlen);

/* Deepest level with bits (LEVEL_PROVINCE when none). */
enum code_level plan_depth(const struct plan_family *pf);

/* Prefix length of the block of a node at `level`. */
unsigned plan_block_len(const struct plan_family *pf, enum code_level level);

#endif
