/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The desired state of one gateway: profile + node config + inventory
 * resolved into concrete links, addresses, zones, policy rules, routes,
 * firewall interface sets and probe targets.  This is what `egnetctl
 * render` prints and what the agent makes the kernel equal to.
 */
#ifndef EGNET_DESIRED_H
#define EGNET_DESIRED_H

#include "common/inventory.h"
#include "common/nodeconf.h"
#include "common/plan.h"
#include "common/profile.h"

struct ds_link {
	char name[IFNAMSIZ];
	int ifindex;	   /* kernel state only */
	char ktype[16];	   /* kernel state only: "veth", "bridge", ... */
	int role, kind, mtu;
	bool up;
	char zone[NAME_LEN];
	unsigned table;
	char ports[NC_MAX_PORTS][IFNAMSIZ]; /* bridge */
	int n_ports;
	int vni, port;			/* vxlan */
	char underlay[IFNAMSIZ];
	struct ip_addr local;		/* unset: the kernel picks */
	struct ip_addr *remotes;
	int n_remotes;
	struct ip_prefix *addrs;
	int n_addrs;
};

struct ds_rule {
	int family;
	int priority;
	unsigned table;
	char zone[NAME_LEN];
	char iif[IFNAMSIZ];	/* or */
	struct ip_prefix from;	/* when iif is "" */
};

struct ds_nh {
	struct ip_addr gw; /* unset for on-link */
	char dev[IFNAMSIZ];
};

enum ds_scope { SCOPE_UNIVERSE, SCOPE_LINK };

struct ds_route {
	int family;
	unsigned table;
	char zone[NAME_LEN];
	struct ip_prefix dst;
	int type; /* enum route_type */
	int scope;
	int metric;
	struct ip_addr prefsrc; /* connected routes */
	struct ds_nh nh[MAX_VIA];
	int n_nh;
	char why[48]; /* "connected", "child 210102001000", "profile:12" */
};

enum target_rel { TGT_PARENT, TGT_CHILD, TGT_VILLAGE };
extern const char *const target_rel_words[]; /* "parent", ... */
enum target_method { PROBE_UDP, PROBE_ICMP };

struct ds_target {
	code_t code;
	char name[INV_NAME_LEN];
	int rel;    /* enum target_rel */
	int method; /* enum target_method */
	struct ip_addr addr[FAM_COUNT];
	bool has[FAM_COUNT];
	bool from_inventory; /* address given in the inventory */
};

struct desired {
	const struct profile *p;
	const struct nodeconf *nc;
	code_t code;
	code_t parent;
	struct ds_link *links;
	int n_links;
	struct ds_rule *rules;
	int n_rules;
	struct ds_route *routes;
	int n_routes;
	struct ds_target *targets;
	int n_targets;
	int n_children; /* expected children found in the inventory */
	bool have_inventory;
};

/*
 * Resolve the desired state.  p and nc must have loaded without problems;
 * inv may be NULL (no children known).  Problems (level mismatch, an index
 * that does not fit the plan, a role with no interface, a route without a
 * next hop...) go to d with the line of the setting at fault.  Returns 0 or
 * -EINVAL; desired_free() in both cases.  ds borrows p and nc.
 */
int desired_build(struct desired *ds, const struct profile *p,
		  const struct nodeconf *nc, const struct inventory *inv,
		  struct diag *d);
void desired_free(struct desired *ds);

/* The node's level must be the profile's; -EINVAL and a problem if not. */
int desired_check_level(const struct profile *p, const struct nodeconf *nc,
			struct diag *d);

const struct ds_link *desired_link(const struct desired *ds, const char *name);

#endif
