// SPDX-License-Identifier: BSD-2-Clause
/*
 * The checks of a profile that need all of it read: uses of zones and
 * plans that are not defined, zones no link uses, VXLAN devices the kernel
 * would take as one, routes the kernel would hold as one, UDP ports egnet
 * and the gateway's daemons would share, VXLAN MTUs with no room for the
 * headers.  Each problem goes to the diagnostics at the line of the
 * setting at fault, naming the other place involved, and the checks go
 * on; nothing here logs.
 */
#include "common/profile_int.h"

#include <stdio.h>
#include <string.h>

static void check_refs(struct profile *p, struct diag *d)
{
	for (int i = 0; i < p->n_links; i++) {
		struct prof_link *l = &p->links[i];

		if (!profile_zone(p, l->zone))
			diag_add(d, l->src.file, l->src.line, "zone",
				 "zone '%s' is used but not defined", l->zone);
		if (!l->plan[0] && p->n_plans > 0)
			snprintf(l->plan, sizeof(l->plan), "%s",
				 p->plans[0].name);
		if (l->plan[0] && !profile_plan(p, l->plan))
			diag_add(d, l->src.file, l->src.line, "plan",
				 "plan '%s' is used but not defined", l->plan);
		for (int j = 0; l->kind == KIND_VXLAN && j < i; j++)
			if (p->links[j].kind == KIND_VXLAN &&
			    p->links[j].vni == l->vni &&
			    p->links[j].port == l->port)
				diag_add(d, l->src.file, l->src.line, "vni",
					 "vni %d on port %d is already %s's "
					 "(line %d): the kernel takes one "
					 "device per VNI and port",
					 l->vni, l->port, p->links[j].name,
					 p->links[j].src.line);
		if (l->kind == KIND_VXLAN) {
			bool found = false;

			for (int j = 0; j < p->n_links; j++)
				found |= p->links[j].role == l->underlay &&
					 p->links[j].kind != KIND_VXLAN;
			if (!found)
				diag_add(d, l->src.file, l->src.line,
					 "underlay", "no %s link to run over",
					 link_role_words[l->underlay]);
		}
	}
	for (int i = 0; i < p->n_routes; i++) {
		const struct prof_route *r = &p->routes[i];

		if (!profile_zone(p, r->zone))
			diag_add(d, r->src.file, r->src.line, "zone",
				 "route to an unknown zone '%s'", r->zone);
	}
	for (int i = 0; i < p->n_zones; i++) {
		bool used = false;

		for (int j = 0; j < p->n_links; j++)
			used |= strcmp(p->links[j].zone, p->zones[i].name) == 0;
		for (int j = 0; j < p->n_refused_zones; j++)
			used |= strcmp(p->refused_zones[j], p->zones[i].name) == 0;
		if (!used) {
			char path[NAME_LEN + 8];

			snprintf(path, sizeof(path), "zones.%s",
				 p->zones[i].name);
			diag_add(d, p->zones[i].src.file, p->zones[i].src.line,
				 path, "zone has no link");
		}
	}
}

/* "line N" when there is in here's file, else "FILE:N". */
static const char *where(const struct src *here, const struct src *there,
			 char *buf, size_t len)
{
	if (there->line <= 0)
		snprintf(buf, len, "by default");
	else if (here->file && there->file && strcmp(here->file, there->file))
		snprintf(buf, len, "at %s:%d", there->file, there->line);
	else
		snprintf(buf, len, "at line %d", there->line);
	return buf;
}

/* 0.0.0.0/0 and ::/0 are the default route of their family. */
static int route_to(const struct prof_route *r)
{
	return r->to == TO_PREFIX && r->prefix.len == 0 ? TO_DEFAULT : r->to;
}

/*
 * Two routes the kernel would hold as one: the same table (zone),
 * destination and metric in a family both cover.  The type does not make
 * them two (a blackhole and a unicast route to one prefix collide).
 * Equivalent forms count: `default` is 0.0.0.0/0 and ::/0.
 */
static void check_routes(struct profile *p, struct diag *d)
{
	static const char *const fam_word[] = {"", "ipv4 ", "ipv6 "};

	for (int i = 0; i < p->n_routes; i++) {
		const struct prof_route *r = &p->routes[i];

		for (int j = 0; j < i; j++) {
			const struct prof_route *o = &p->routes[j];
			int fam = r->family ? r->family : o->family;
			char dst[IP_STRLEN + 8], at[4200];

			if (strcmp(o->zone, r->zone) || o->metric != r->metric ||
			    (r->family && o->family && r->family != o->family) ||
			    route_to(o) != route_to(r))
				continue;
			if (route_to(r) == TO_PREFIX &&
			    (r->prefix.len != o->prefix.len ||
			     ip_cmp(&r->prefix.addr, &o->prefix.addr)))
				continue;
			if (r->to == TO_PREFIX) {
				ip_format_prefix(&r->prefix, dst, sizeof(dst));
				if (!r->prefix.len)
					strcat(dst, " (default)");
			}
			else
				snprintf(dst, sizeof(dst), "%s",
					 route_to(r) == TO_DEFAULT ? "default"
					 : route_to(r) == TO_CHILDREN
						 ? "the children"
						 : "the aggregate");
			diag_add(d, r->src.file, r->src.line, "to",
				 "the %sroute to %s in zone %s (metric %d) is "
				 "already given %s: the kernel holds one route "
				 "per table, destination and metric",
				 fam_word[fam == AF_INET ? 1 : fam == AF_INET6
								 ? 2 : 0],
				 dst, r->zone, r->metric,
				 where(&r->src, &o->src, at, sizeof(at)));
			break;
		}
	}
}

/*
 * Our own UDP sockets: the probe port and each VXLAN port.  A VXLAN port
 * equal to the probe port would have one socket get both; either equal to
 * a builtin UDP service (snmp, dns, ntp) would take the port of a daemon
 * the gateway runs.
 */
static void check_ports(struct profile *p, struct diag *d)
{
	const struct prof_probe *pr = &p->probe;
	struct src probe_src = pr->port_src;
	char at[4200];

	if (!probe_src.file)
		probe_src.file = p->path;
	for (int i = 0; i < p->n_services; i++) {
		const struct prof_service *s = &p->services[i];

		if (!s->builtin || s->proto != PROTO_UDP ||
		    !strcmp(s->name, "egnet-probe"))
			continue;
		if (pr->port >= s->port_lo && pr->port <= s->port_hi)
			diag_add(d, probe_src.file, probe_src.line,
				 "probe.port", "port %d is the builtin %s "
				 "service's (udp/%d), a daemon of the gateway",
				 pr->port, s->name, s->port_lo);
		for (int j = 0; j < p->n_links; j++) {
			const struct prof_link *l = &p->links[j];

			if (l->kind == KIND_VXLAN && l->port >= s->port_lo &&
			    l->port <= s->port_hi)
				diag_add(d, l->src.file, l->src.line, "port",
					 "port %d is the builtin %s service's "
					 "(udp/%d), a daemon of the gateway",
					 l->port, s->name, s->port_lo);
		}
	}
	for (int j = 0; j < p->n_links; j++) {
		const struct prof_link *l = &p->links[j];

		if (l->kind == KIND_VXLAN && l->port == pr->port)
			diag_add(d, l->src.file, l->src.line, "port",
				 "VXLAN port %d is the probe port (probe.port "
				 "%s): one UDP socket would get both", l->port,
				 where(&l->src, &probe_src, at, sizeof(at)));
	}
}

/*
 * The kernel refuses a VXLAN device whose MTU leaves no room for its
 * headers on the underlay (50 bytes over IPv4, 70 over IPv6).
 */
static void check_vxlan_mtu(struct profile *p, struct diag *d)
{
	for (int i = 0; i < p->n_links; i++) {
		const struct prof_link *l = &p->links[i], *ul = NULL;
		const struct prof_plan *pl;
		int room;

		if (l->kind != KIND_VXLAN)
			continue;
		for (int j = 0; j < p->n_links && !ul; j++)
			if (p->links[j].role == l->underlay &&
			    p->links[j].kind != KIND_VXLAN)
				ul = &p->links[j];
		pl = ul ? profile_plan(p, ul->plan) : NULL;
		if (!pl)
			continue;
		room = pl->fam[FAM_V4].set ? 50 : 70;
		if (l->mtu > ul->mtu - room)
			diag_add(d, l->src.file, l->src.line, "mtu",
				 "mtu %d leaves no room for the VXLAN headers "
				 "(%d bytes over %s) on the %s link's mtu %d "
				 "(line %d): at most %d", l->mtu, room,
				 room == 50 ? "IPv4" : "IPv6",
				 link_role_words[ul->role], ul->mtu,
				 ul->src.line, ul->mtu - room);
	}
}

void profile_check(struct profile *p, struct diag *d)
{
	check_refs(p, d);
	check_routes(p, d);
	check_ports(p, d);
	check_vxlan_mtu(p, d);
}
