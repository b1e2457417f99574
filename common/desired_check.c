// SPDX-License-Identifier: BSD-2-Clause
/*
 * Cross-checks of the desired state while and after desired.c builds it:
 * addresses and subnets two links share, created links named like an
 * interface of the node config, gateways that are not on a connected
 * subnet of their zone, two routes the kernel would hold as one, the
 * collector's port, the node's level.  Each check adds its problems to
 * the build's diagnostics, at the line of the setting at fault and naming
 * the other place involved, and goes on; none logs, none stops the build.
 */
#include "common/desired_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * The subnets of two links must not share an address: the kernel would
 * take either link for it, and the zones' tables would disagree.
 */
void desired_check_overlaps(struct ds_build *b)
{
	for (int j = 0; j < b->n_claims; j++)
		for (int i = 0; i < j; i++) {
			const struct ds_claim *x = &b->claims[i];
			const struct ds_claim *y = &b->claims[j];
			struct ip_prefix sx = x->a, sy = y->a;
			char xb[IP_STRLEN + 8], yb[IP_STRLEN + 8];

			if (x->link == y->link || !ip_prefix_overlap(&sx, &sy))
				continue;
			ip_mask(&sx.addr, sx.len);
			ip_mask(&sy.addr, sy.len);
			diag_add(b->d, y->src.file, y->src.line, y->src.setting,
				 "subnet %s of %s overlaps %s of %s, given at "
				 "%s:%d (%s)",
				 ip_format_prefix(&sy, yb, sizeof(yb)),
				 b->ds->links[y->link].name,
				 ip_format_prefix(&sx, xb, sizeof(xb)),
				 b->ds->links[x->link].name, x->src.file,
				 x->src.line, x->src.setting);
			break;
		}
}

/*
 * A link egnet creates (bridge, vxlan) under a name the node config gives
 * an interface: the bridge would be its own port, or replace the uplink.
 */
void desired_check_names(struct ds_build *b)
{
	const struct nodeconf *nc = b->nc;

	for (int i = 0; i < b->p->n_links; i++) {
		const struct prof_link *pl = &b->p->links[i];

		if (pl->kind == KIND_PHYSICAL)
			continue;
		for (int r = 0; r < ROLE_COUNT; r++)
			for (int k = 0; k < nc->n_ifaces[r]; k++) {
				const struct prof_link *user = NULL;
				char set[32], as[64];

				if (strcmp(nc->ifaces[r][k], pl->name))
					continue;
				/* what the role makes of its interfaces */
				for (int j = 0; j < b->p->n_links; j++)
					if (b->p->links[j].role == r &&
					    b->p->links[j].kind != KIND_VXLAN)
						user = &b->p->links[j];
				if (user && user->kind == KIND_BRIDGE)
					snprintf(as, sizeof(as), "a port of "
						 "bridge %s", user->name);
				else
					snprintf(as, sizeof(as), "the physical "
						 "%s interface",
						 link_role_words[r]);
				snprintf(set, sizeof(set), "interfaces.%s",
					 link_role_words[r]);
				diag_add(b->d, nc->path, nc->iface_line[r], set,
					 "'%s' is the %s %s link the profile "
					 "creates (%s:%d): it cannot also be %s",
					 pl->name, link_role_words[pl->role],
					 link_kind_words[pl->kind], pl->src.file,
					 pl->src.line, as);
			}
	}
}

/*
 * A next hop from the node config or the profile (the parent's is on the
 * uplink subnet by construction): the kernel takes a gateway only on a
 * connected subnet, and a route of a zone's table must leave by that
 * zone's links, so the gateway must be on a subnet of the route's zone.
 * It must not be one of our own addresses, nor the subnet's own or
 * broadcast address.  Reported at the gateway's line (node config) or the
 * route's (an address in the profile), naming the other.
 */
int desired_check_gateway(struct ds_build *b, const struct prof_route *pr,
			  const struct prof_via *v, const struct ds_nh *nh)
{
	const struct ds_claim *on = NULL;
	const char *file = pr->src.file;
	int line = pr->src.line;
	char set[NAME_LEN + 16] = "via", gb[IP_STRLEN], why[512];
	char sb[IP_STRLEN + 8];

	if (v->kind == VIA_PARENT || !nh->gw.family)
		return 0;
	if (v->kind == VIA_GATEWAY) {
		const struct nc_gateway *gw = nodeconf_gateway(b->nc,
							       v->gateway);

		file = b->nc->path;
		line = gw->line;
		snprintf(set, sizeof(set), "gateways.%s", gw->name);
	}
	ip_format_addr(&nh->gw, gb, sizeof(gb));
	why[0] = '\0';
	for (int i = 0; i < b->n_claims && !why[0]; i++) {
		const struct ds_claim *c = &b->claims[i];
		struct ip_prefix host = {nh->gw, ip_bits(nh->gw.family)};

		if (!ip_cmp(&c->a.addr, &nh->gw))
			snprintf(why, sizeof(why), "%s is this gateway's own "
				 "address (on %s, %s:%d)", gb,
				 b->ds->links[c->link].name, c->src.file,
				 c->src.line);
		else if (!on && ip_prefix_contains(&c->a, &host) &&
			 !strcmp(b->ds->links[c->link].zone, pr->zone))
			on = c;
	}
	if (!why[0] && !on)
		snprintf(why, sizeof(why), "next hop %s is on no subnet of "
			 "zone %s's links: the kernel takes a gateway only on "
			 "a connected subnet", gb, pr->zone);
	if (!why[0]) {
		struct ip_prefix g = {nh->gw, on->a.len}, sub = on->a;

		if (ip_check_host(&g, why, sizeof(why)) == 0)
			return 0;
		ip_mask(&sub.addr, sub.len);
		snprintf(why, sizeof(why), "next hop %s is the own or "
			 "broadcast address of subnet %s", gb,
			 ip_format_prefix(&sub, sb, sizeof(sb)));
	}
	if (v->kind == VIA_GATEWAY)
		diag_add(b->d, file, line, set, "%s (route %s:%d)", why,
			 pr->src.file, pr->src.line);
	else
		diag_add(b->d, file, line, set, "%s", why);
	return -EINVAL;
}

/*
 * Two routes the kernel holds as one (table, family, destination, metric;
 * IPv6 takes metric 0 as 1024) from two settings: an aggregate written
 * out as a prefix, a profile prefix that is a connected subnet or a
 * child's block.  Reported at the later, naming the first.
 */
void desired_check_route_twins(struct ds_build *b)
{
	for (int j = 0; j < b->ds->n_routes; j++)
		for (int i = 0; i < j; i++) {
			const struct ds_route *x = &b->ds->routes[i];
			const struct ds_route *y = &b->ds->routes[j];
			int mx = x->metric, my = y->metric;
			char db[IP_STRLEN + 8];

			if (x->family == AF_INET6) {
				mx = mx ? mx : 1024;
				my = my ? my : 1024;
			}
			if (x->table != y->table || x->family != y->family ||
			    mx != my || x->dst.len != y->dst.len ||
			    ip_cmp(&x->dst.addr, &y->dst.addr))
				continue;
			/* a profile route's why is its file:line again */
			bool named = !strncmp(x->why, "connected", 9) ||
				     !strncmp(x->why, "child ", 6);

			diag_add(b->d, b->rsrc[j].file, b->rsrc[j].line,
				 b->rsrc[j].setting, "the route to %s in zone "
				 "%s (metric %d) is already given at %s:%d "
				 "(%s%s%s)",
				 ip_format_prefix(&y->dst, db, sizeof(db)),
				 y->zone, y->metric, b->rsrc[i].file,
				 b->rsrc[i].line, b->rsrc[i].setting,
				 named ? ", " : "", named ? x->why : "");
			break;
		}
}

/* The URL's port is the collector's: the one its firewall service opens. */
void desired_check_collector(struct ds_build *b)
{
	const struct nodeconf *nc = b->nc;
	const struct profile *p = b->p;

	if (!nc->collector_port || nc->collector_port == p->collector_port)
		return;
	diag_add(b->d, nc->path, nc->collector_line, "collector.url",
		 "port %d is not the collector's port %d "
		 "(firewall.collector_port of %s, %s)", nc->collector_port,
		 p->collector_port, p->path,
		 p->collector_port_line ? "as set" : "by default");
}

int desired_check_level(const struct profile *p, const struct nodeconf *nc,
			struct diag *d)
{
	char cb[CODE_STRLEN];

	if (code_level(nc->code) == p->level)
		return 0;
	diag_add(d, nc->path, nc->code_line, "node.code",
		 "%s is a %s, but profile %s (%s) is for a %s",
		 code_format(nc->code, cb),
		 code_level_name(code_level(nc->code)), p->name, p->path,
		 code_level_name(p->level));
	return -EINVAL;
}
