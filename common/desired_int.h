/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside the building of the desired state: what desired.c (resolving
 * links, addresses, rules, routes and targets) and desired_check.c (the
 * cross-checks of what is built) share.  Not for users of desired.h.
 * Same error policy: problems go to the build's diagnostics with the line
 * of the setting at fault; nothing here logs.
 */
#ifndef EGNET_DESIRED_INT_H
#define EGNET_DESIRED_INT_H

#include "common/desired.h"

/* Children of this node from the inventory, kept while building. */
struct ds_child {
	const struct inv_node *inv;
	/* per plan index and family */
	struct plan_node pn[PROFILE_MAX_PLANS][FAM_COUNT];
	bool ok[PROFILE_MAX_PLANS][FAM_COUNT];
};

/* Where a resolved object comes from, for messages naming both places. */
struct ds_src {
	const char *file;
	int line;
	char setting[48];
};

/* An address put on a link, with its origin (plan or node config). */
struct ds_claim {
	struct ip_prefix a;
	int link; /* index in ds->links */
	struct ds_src src;
};

/* One desired_build(): its inputs, the planned addresses, what is given. */
struct ds_build {
	struct desired *ds;
	const struct profile *p;
	const struct nodeconf *nc;
	struct diag *d;
	/* this node per plan and family */
	struct plan_node self[PROFILE_MAX_PLANS][FAM_COUNT];
	bool self_ok[PROFILE_MAX_PLANS][FAM_COUNT];
	struct ds_child *kids;
	int n_kids;
	struct ds_claim *claims;
	int n_claims;
	int offered;	    /* addresses given to add_addr */
	struct ds_src *rsrc; /* per ds->routes[i] */
	int n_rsrc;
};

/*
 * Subnets of two links that share an address: reported at the later
 * claim, naming the first.  After all addresses are given.
 */
void desired_check_overlaps(struct ds_build *b);

/* Links the profile creates under a name the node config gives an
 * interface.  Before the links are built. */
void desired_check_names(struct ds_build *b);

/*
 * Next hop nh, resolved from v of route pr, must be a host on a subnet of
 * pr's zone and not one of our addresses.  Returns 0, or -EINVAL with a
 * problem at the gateway's line (node config) or the route's.
 */
int desired_check_gateway(struct ds_build *b, const struct prof_route *pr,
			  const struct prof_via *v, const struct ds_nh *nh);

/* Two built routes the kernel holds as one.  After all routes are built. */
void desired_check_route_twins(struct ds_build *b);

/* The collector URL's port against the profile's collector port. */
void desired_check_collector(struct ds_build *b);

#endif
