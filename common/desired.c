// SPDX-License-Identifier: BSD-2-Clause
/*
 * Building the desired state.  Everything here is a pure function of the
 * three inputs, so render, validate and the agent agree by construction and
 * golden files can pin the result.  Order is deterministic: profile order,
 * then children in code order.
 */
#include "common/desired.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

const char *const target_rel_words[] = {"parent", "child", "village"};

#define GROW(arr, n)                                                           \
	((arr) = xrealloc((arr), (size_t)((n) + 1) * sizeof(*(arr))),          \
	 memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

/* Children of this node from the inventory, kept while building. */
struct child {
	const struct inv_node *inv;
	/* per plan index and family */
	struct plan_node pn[PROFILE_MAX_PLANS][FAM_COUNT];
	bool ok[PROFILE_MAX_PLANS][FAM_COUNT];
};

/* Where a resolved object comes from, for messages naming both places. */
struct dsrc {
	const char *file;
	int line;
	char setting[48];
};

/* An address put on a link, with its origin (plan or node config). */
struct claim {
	struct ip_prefix a;
	int link; /* index in ds->links */
	struct dsrc src;
};

struct build {
	struct desired *ds;
	const struct profile *p;
	const struct nodeconf *nc;
	struct diag *d;
	struct plan_node self[PROFILE_MAX_PLANS][FAM_COUNT]; /* per plan, family */
	bool self_ok[PROFILE_MAX_PLANS][FAM_COUNT];
	struct child *kids;
	int n_kids;
	struct claim *claims;
	int n_claims;
	int offered;	    /* addresses given to add_addr */
	struct dsrc *rsrc; /* per ds->routes[i] */
	int n_rsrc;
};

static struct dsrc mksrc(const char *file, int line, const char *setting)
{
	struct dsrc s = {file, line, ""};

	snprintf(s.setting, sizeof(s.setting), "%s", setting);
	return s;
}

static int plan_idx(const struct profile *p, const char *name)
{
	for (int i = 0; i < p->n_plans; i++)
		if (strcmp(p->plans[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * Put address a/len on link li, from src.  An address already given —
 * to this link by another setting, or to another link — is a problem at
 * src naming where it was given first (the kernel would hold it once, and
 * two links with one address answer ARP for it on both).
 */
static void add_addr(struct build *b, int li, const struct ip_addr *a,
		     unsigned len, const struct dsrc *src)
{
	struct ds_link *l = &b->ds->links[li];
	struct ip_prefix *x;
	struct claim *c;
	char ab[IP_STRLEN];

	b->offered++;
	for (int i = 0; i < b->n_claims; i++) {
		const struct claim *o = &b->claims[i];

		if (ip_cmp(&o->a.addr, a))
			continue;
		if (o->link == li && o->src.file == src->file &&
		    o->src.line == src->line && !strcmp(o->src.setting,
							src->setting))
			return; /* the same setting giving it again */
		diag_add(b->d, src->file, src->line, src->setting,
			 "address %s is already %s's, given at %s:%d (%s)",
			 ip_format_addr(a, ab, sizeof(ab)),
			 b->ds->links[o->link].name, o->src.file, o->src.line,
			 o->src.setting);
		return;
	}
	x = GROW(l->addrs, l->n_addrs);
	x->addr = *a;
	x->len = len;
	c = GROW(b->claims, b->n_claims);
	c->a = *x;
	c->link = li;
	c->src = *src;
}

static void add_remote(struct ds_link *l, const struct ip_addr *a)
{
	*GROW(l->remotes, l->n_remotes) = *a;
}

/* Plan this node and every child in every plan; report what does not fit. */
static void plan_all(struct build *b, const struct inventory *inv)
{
	const struct profile *p = b->p;
	char err[256];

	for (int i = 0; i < p->n_plans; i++)
		for (int f = 0; f < FAM_COUNT; f++) {
			if (!p->plans[i].fam[f].set)
				continue;
			int rc = plan_node(&p->plans[i].fam[f], b->ds->code,
					   &b->self[i][f], err, sizeof(err));

			if (rc == 0)
				b->self_ok[i][f] = true;
			else if (rc == -ERANGE) /* else: not planned */
				diag_add(b->d, b->nc->path, b->nc->code_line,
					 "node.code", "plan %s %s: %s",
					 p->plans[i].name,
					 f == FAM_V4 ? "ipv4" : "ipv6", err);
		}
	if (!inv)
		return;
	b->n_kids = inventory_children(inv, b->ds->code, NULL, 0);
	if (!b->n_kids)
		return;
	const struct inv_node **kids = xcalloc((size_t)b->n_kids,
					       sizeof(*kids));
	inventory_children(inv, b->ds->code, kids, b->n_kids);
	b->kids = xcalloc((size_t)b->n_kids, sizeof(*b->kids));
	for (int k = 0; k < b->n_kids; k++) {
		struct child *c = &b->kids[k];

		c->inv = kids[k];
		for (int i = 0; i < p->n_plans; i++)
			for (int f = 0; f < FAM_COUNT; f++) {
				if (!p->plans[i].fam[f].set)
					continue;
				int rc = plan_node(&p->plans[i].fam[f],
						   c->inv->code, &c->pn[i][f],
						   err, sizeof(err));

				if (rc == 0)
					c->ok[i][f] = true;
				else if (rc == -ERANGE) /* else: not planned */
					diag_add(b->d, inv->path, c->inv->line,
						 "code", "plan %s %s: %s",
						 p->plans[i].name,
						 f == FAM_V4 ? "ipv4" : "ipv6",
						 err);
			}
	}
	free(kids);
}

/* The concrete interface(s) of a profile link from the node config. */
static int bind_link(struct build *b, const struct prof_link *pl,
		     struct ds_link *l)
{
	const struct nodeconf *nc = b->nc;

	if (pl->kind == KIND_PHYSICAL) {
		if (nc->n_ifaces[pl->role] != 1) {
			diag_add(b->d, nc->path, nc->iface_line[pl->role],
				 "interfaces", "the profile's physical %s link "
				 "(%s:%d) needs exactly one interface, got %d",
				 link_role_words[pl->role], pl->src.file,
				 pl->src.line, nc->n_ifaces[pl->role]);
			return -EINVAL;
		}
		snprintf(l->name, sizeof(l->name), "%s",
			 nc->ifaces[pl->role][0]);
	} else {
		snprintf(l->name, sizeof(l->name), "%s", pl->name);
	}
	if (pl->kind == KIND_BRIDGE) {
		for (int i = 0; i < nc->n_ifaces[pl->role]; i++)
			snprintf(l->ports[l->n_ports++], IFNAMSIZ, "%s",
				 nc->ifaces[pl->role][i]);
	}
	return 0;
}

/* Addresses the plan gives a link of this role. */
/* Returns how many addresses the plan offers (taken or refused). */
static int plan_addrs(struct build *b, const struct prof_link *pl, int li)
{
	int before = b->offered;

	int pi = plan_idx(b->p, pl->plan);
	struct dsrc src = mksrc(pl->src.file, pl->src.line, "plan");

	if (pi < 0)
		return 0;
	for (int f = 0; f < FAM_COUNT; f++) {
		const struct plan_family *pf = &b->p->plans[pi].fam[f];
		const struct plan_node *me = &b->self[pi][f];

		if (!b->self_ok[pi][f])
			continue;
		switch (pl->role) {
		case ROLE_UPLINK:
			if (me->has_uplink)
				add_addr(b, li, &me->up_child, pf->link, &src);
			break;
		case ROLE_DOWNLINK:
			for (int k = 0; k < b->n_kids; k++)
				if (b->kids[k].ok[pi][f])
					add_addr(b, li,
						 &b->kids[k].pn[pi][f].up_parent,
						 pf->link, &src);
			break;
		case ROLE_LAN:
			add_addr(b, li, &me->lan_gw, me->lan.len, &src);
			break;
		default:
			break;
		}
	}
	return b->offered - before;
}

/* The underlay link of a vxlan: the non-vxlan link of its underlay role. */
static const struct prof_link *underlay_of(const struct profile *p,
					   const struct prof_link *pl)
{
	for (int i = 0; i < p->n_links; i++)
		if (p->links[i].role == pl->underlay &&
		    p->links[i].kind != KIND_VXLAN)
			return &p->links[i];
	return NULL;
}

static void vxlan_ends(struct build *b, const struct prof_link *pl,
		       struct ds_link *l)
{
	const struct prof_link *ul = underlay_of(b->p, pl);
	int pi = ul ? plan_idx(b->p, ul->plan) : -1;
	int f = FAM_V4;

	if (pi < 0)
		return;
	/* The overlay runs over IPv4 when the underlay plan has it. */
	if (!b->p->plans[pi].fam[FAM_V4].set)
		f = FAM_V6;
	if (!b->self_ok[pi][f])
		return;
	for (int i = 0; i < b->ds->n_links; i++)
		if (b->ds->links[i].role == ul->role &&
		    b->ds->links[i].kind == ul->kind)
			snprintf(l->underlay, sizeof(l->underlay), "%s",
				 b->ds->links[i].name);
	switch (pl->underlay) {
	case ROLE_UPLINK:
		if (b->self[pi][f].has_uplink) {
			l->local = b->self[pi][f].up_child;
			add_remote(l, &b->self[pi][f].up_parent);
		}
		break;
	case ROLE_DOWNLINK:
		for (int k = 0; k < b->n_kids; k++)
			if (b->kids[k].ok[pi][f] &&
			    code_level(b->kids[k].inv->code) != LEVEL_VILLAGE)
				add_remote(l, &b->kids[k].pn[pi][f].up_child);
		break;
	default:
		break;
	}
}

/*
 * The subnets of two links must not share an address: the kernel would
 * take either link for it, and the zones' tables would disagree.
 */
static void check_overlaps(struct build *b)
{
	for (int j = 0; j < b->n_claims; j++)
		for (int i = 0; i < j; i++) {
			const struct claim *x = &b->claims[i], *y = &b->claims[j];
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
static void check_names(struct build *b)
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

static void build_links(struct build *b)
{
	const struct profile *p = b->p;
	const struct nodeconf *nc = b->nc;

	/* physical and bridge first: vxlan links refer to them */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < p->n_links; i++) {
			const struct prof_link *pl = &p->links[i];
			struct ds_link *l;

			if ((pl->kind == KIND_VXLAN) != (pass == 1))
				continue;
			l = GROW(b->ds->links, b->ds->n_links);
			l->role = pl->role;
			l->kind = pl->kind;
			l->mtu = pl->mtu;
			l->up = pl->up;
			l->vni = pl->vni;
			l->port = pl->port;
			snprintf(l->zone, sizeof(l->zone), "%s", pl->zone);
			l->table = (unsigned)profile_zone(p, pl->zone)->table;
			if (bind_link(b, pl, l)) {
				free(l->addrs);
				b->ds->n_links--;
				continue;
			}
			if (!plan_addrs(b, pl, b->ds->n_links - 1) &&
			    pl->plan[0] &&
			    (pl->role == ROLE_UPLINK || pl->role == ROLE_LAN) &&
			    !nc->n_addrs[pl->role])
				diag_add(b->d, pl->src.file, pl->src.line,
					 "plan", "plan %s gives a %s no address "
					 "for its %s link",
					 pl->plan,
					 code_level_name(code_level(b->ds->code)),
					 link_role_words[pl->role]);
			if (pl->kind != KIND_VXLAN) {
				bool first = true;

				for (int j = 0; j < b->ds->n_links - 1; j++)
					if (b->ds->links[j].role == pl->role &&
					    b->ds->links[j].kind != KIND_VXLAN)
						first = false;
				for (int a = 0; first && a < nc->n_addrs[pl->role];
				     a++) {
					char set[48];
					struct dsrc src;

					snprintf(set, sizeof(set),
						 "addresses.%s[%d]",
						 link_role_words[pl->role], a);
					src = mksrc(nc->path,
						    nc->addr_line[pl->role][a],
						    set);
					add_addr(b, b->ds->n_links - 1,
						 &nc->addrs[pl->role][a].addr,
						 nc->addrs[pl->role][a].len,
						 &src);
				}
			} else {
				vxlan_ends(b, pl, l);
			}
		}
	check_overlaps(b);
}

/* ---- rules and connected routes --------------------------------------- */

static void build_rules(struct build *b)
{
	const struct profile *p = b->p;
	int prio = p->rule_priority;

	/* iif rules: traffic arriving on a zone's link uses its table */
	for (int z = 0; z < p->n_zones; z++)
		for (int i = 0; i < b->ds->n_links; i++) {
			const struct ds_link *l = &b->ds->links[i];

			if (strcmp(l->zone, p->zones[z].name))
				continue;
			for (int f = 0; f < FAM_COUNT; f++) {
				struct ds_rule *r = GROW(b->ds->rules,
							 b->ds->n_rules);

				r->family = af_of(f);
				r->priority = prio;
				r->table = (unsigned)p->zones[z].table;
				snprintf(r->zone, sizeof(r->zone), "%s",
					 p->zones[z].name);
				snprintf(r->iif, sizeof(r->iif), "%s", l->name);
			}
			prio++;
		}
	/* from rules: what the gateway itself sends from a zone address */
	for (int z = 0; z < p->n_zones; z++)
		for (int i = 0; i < b->ds->n_links; i++) {
			const struct ds_link *l = &b->ds->links[i];

			if (strcmp(l->zone, p->zones[z].name))
				continue;
			for (int a = 0; a < l->n_addrs; a++) {
				struct ds_rule *r = GROW(b->ds->rules,
							 b->ds->n_rules);

				r->family = l->addrs[a].addr.family;
				r->priority = prio;
				r->table = (unsigned)p->zones[z].table;
				snprintf(r->zone, sizeof(r->zone), "%s",
					 p->zones[z].name);
				r->from.addr = l->addrs[a].addr;
				r->from.len = ip_bits(r->from.addr.family);
			}
			prio++;
		}
}

static struct ds_route *new_route(struct build *b, const char *zone,
				  unsigned table, int family,
				  const struct dsrc *src)
{
	struct ds_route *r = GROW(b->ds->routes, b->ds->n_routes);

	*GROW(b->rsrc, b->n_rsrc) = *src;

	r->family = family;
	r->table = table;
	snprintf(r->zone, sizeof(r->zone), "%s", zone);
	return r;
}

static const struct claim *claim_of(const struct build *b, int li,
				    const struct ip_prefix *a)
{
	for (int i = 0; i < b->n_claims; i++)
		if (b->claims[i].link == li && !ip_cmp(&b->claims[i].a.addr,
						       &a->addr))
			return &b->claims[i];
	fatal("address without its origin"); /* add_addr keeps both */
}

/* The connected subnets of a zone's links, copied into the zone's table. */
static void build_connected(struct build *b)
{
	for (int i = 0; i < b->ds->n_links; i++) {
		const struct ds_link *l = &b->ds->links[i];

		for (int a = 0; a < l->n_addrs; a++) {
			struct ds_route *r;

			if (l->addrs[a].len == ip_bits(l->addrs[a].addr.family))
				continue; /* a host address has no subnet */
			r = new_route(b, l->zone, l->table,
				      l->addrs[a].addr.family,
				      &claim_of(b, i, &l->addrs[a])->src);
			r->dst = l->addrs[a];
			ip_mask(&r->dst.addr, r->dst.len);
			r->scope = SCOPE_LINK;
			r->prefsrc = l->addrs[a].addr;
			snprintf(r->nh[0].dev, IFNAMSIZ, "%s", l->name);
			r->n_nh = 1;
			snprintf(r->why, sizeof(r->why), "connected");
		}
	}
}

/* ---- profile routes ---------------------------------------------------- */

/* The first link of a zone with a role (non-vxlan first), or NULL. */
static const struct ds_link *zone_link(const struct desired *ds,
				       const char *zone, int role)
{
	const struct ds_link *found = NULL;

	for (int i = 0; i < ds->n_links; i++) {
		const struct ds_link *l = &ds->links[i];

		if (l->role != role || strcmp(l->zone, zone))
			continue;
		if (!found || (found->kind == KIND_VXLAN &&
			       l->kind != KIND_VXLAN))
			found = l;
	}
	return found;
}

static const struct prof_link *prof_link_of(const struct profile *p,
					    const struct nodeconf *nc,
					    const struct ds_link *l)
{
	for (int i = 0; i < p->n_links; i++) {
		const struct prof_link *pl = &p->links[i];

		if (pl->role != l->role || pl->kind != l->kind)
			continue;
		if (pl->kind != KIND_PHYSICAL && strcmp(pl->name, l->name))
			continue;
		(void)nc;
		return pl;
	}
	return NULL;
}

/* Resolve one next hop of family f; returns 0, or -ENOENT (no such nh in f). */
static int resolve_via(struct build *b, const struct prof_route *pr,
		       const struct prof_via *v, int f, struct ds_nh *nh)
{
	const struct ds_link *up;
	const struct prof_link *pl;
	const struct nc_gateway *gw;
	int pi;

	memset(nh, 0, sizeof(*nh));
	switch (v->kind) {
	case VIA_PARENT:
		up = zone_link(b->ds, pr->zone, ROLE_UPLINK);
		if (!up)
			return -EINVAL;
		pl = prof_link_of(b->p, b->nc, up);
		pi = pl ? plan_idx(b->p, pl->plan) : -1;
		if (pi < 0 || !b->self_ok[pi][f] || !b->self[pi][f].has_uplink)
			return -ENOENT;
		nh->gw = b->self[pi][f].up_parent;
		snprintf(nh->dev, IFNAMSIZ, "%s", up->name);
		return 0;
	case VIA_GATEWAY:
		gw = nodeconf_gateway(b->nc, v->gateway);
		if (!gw)
			return -EINVAL;
		if (gw->addr.family != af_of(f))
			return -ENOENT;
		nh->gw = gw->addr;
		return 0;
	case VIA_ADDR:
		if (v->addr.family != af_of(f))
			return -ENOENT;
		nh->gw = v->addr;
		return 0;
	}
	return -EINVAL;
}

static void route_error(struct build *b, const struct prof_route *pr,
			const struct prof_via *v)
{
	if (v->kind == VIA_PARENT &&
	    code_level(b->ds->code) == LEVEL_PROVINCE)
		diag_add(b->d, pr->src.file, pr->src.line, "via",
			 "the province has no parent in the plan; use "
			 "gateway:NAME");
	else if (v->kind == VIA_PARENT)
		diag_add(b->d, pr->src.file, pr->src.line, "via",
			 "zone %s has no uplink link to reach the parent",
			 pr->zone);
	else
		diag_add(b->d, pr->src.file, pr->src.line, "via",
			 "gateway '%s' is not in the node config's gateways "
			 "(%s)", v->gateway, b->nc->path);
}

/* The plan of the zone: that of its first link with a plan. */
static int zone_plan(const struct build *b, const char *zone)
{
	for (int i = 0; i < b->p->n_links; i++)
		if (!strcmp(b->p->links[i].zone, zone))
			return plan_idx(b->p, b->p->links[i].plan);
	return -1;
}

static void route_children(struct build *b, const struct prof_route *pr,
			   unsigned table, int f)
{
	const struct ds_link *down = zone_link(b->ds, pr->zone, ROLE_DOWNLINK);
	const struct prof_link *pl = down ? prof_link_of(b->p, b->nc, down)
					  : NULL;
	int pi = pl ? plan_idx(b->p, pl->plan) : -1;
	struct dsrc src = mksrc(pr->src.file, pr->src.line, "to");
	char cb[CODE_STRLEN];

	if (pi < 0)
		return;
	for (int k = 0; k < b->n_kids; k++) {
		const struct child *c = &b->kids[k];
		struct ds_route *r;

		if (!c->ok[pi][f])
			continue;
		r = new_route(b, pr->zone, table, af_of(f), &src);
		r->dst = c->pn[pi][f].block;
		r->type = pr->type;
		r->metric = pr->metric;
		if (pr->type == RT_UNICAST) {
			r->nh[0].gw = c->pn[pi][f].up_child;
			snprintf(r->nh[0].dev, IFNAMSIZ, "%s", down->name);
			r->n_nh = 1;
		}
		snprintf(r->why, sizeof(r->why), "child %s",
			 code_format(c->inv->code, cb));
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
static int check_gateway(struct build *b, const struct prof_route *pr,
			 const struct prof_via *v, const struct ds_nh *nh)
{
	const struct claim *on = NULL;
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
		const struct claim *c = &b->claims[i];
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
static void check_route_twins(struct build *b)
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
static void check_collector(struct build *b)
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

static void build_routes(struct build *b)
{
	const struct profile *p = b->p;

	for (int i = 0; i < p->n_routes; i++) {
		const struct prof_route *pr = &p->routes[i];
		const struct prof_zone *z = profile_zone(p, pr->zone);
		bool any = false;

		for (int f = 0; f < FAM_COUNT; f++) {
			struct ds_route r;
			int pi;

			if (pr->family && pr->family != af_of(f))
				continue;
			if (pr->to == TO_CHILDREN) {
				route_children(b, pr, (unsigned)z->table, f);
				any = true;
				continue;
			}
			memset(&r, 0, sizeof(r));
			r.family = af_of(f);
			r.table = (unsigned)z->table;
			snprintf(r.zone, sizeof(r.zone), "%s", pr->zone);
			r.type = pr->type;
			r.metric = pr->metric;
			snprintf(r.why, sizeof(r.why), "%s:%d",
				 strrchr(pr->src.file, '/')
					 ? strrchr(pr->src.file, '/') + 1
					 : pr->src.file,
				 pr->src.line);
			if (pr->to == TO_DEFAULT) {
				r.dst.addr.family = af_of(f);
			} else if (pr->to == TO_PREFIX) {
				r.dst = pr->prefix;
			} else { /* aggregate */
				pi = zone_plan(b, pr->zone);
				if (pi < 0 || !b->self_ok[pi][f])
					continue;
				r.dst = b->self[pi][f].block;
			}
			bool skip = false;
			for (int v = 0; v < pr->n_via && !skip; v++) {
				int rc = resolve_via(b, pr, &pr->via[v], f,
						     &r.nh[r.n_nh]);

				if (rc == -ENOENT && pr->via[v].kind == VIA_PARENT &&
				    code_level(b->ds->code) == LEVEL_PROVINCE) {
					route_error(b, pr, &pr->via[v]);
					any = true; /* reported */
					skip = true;
				} else if (rc == -ENOENT) {
					skip = true;
				} else if (rc) {
					route_error(b, pr, &pr->via[v]);
					any = true; /* reported */
					skip = true;
				} else {
					r.n_nh++;
				}
			}
			if (skip)
				continue;
			for (int v = 0; v < r.n_nh && !skip; v++)
				skip = check_gateway(b, pr, &pr->via[v],
						     &r.nh[v]) != 0;
			if (skip) {
				any = true; /* reported */
				continue;
			}
			struct dsrc src = mksrc(pr->src.file, pr->src.line,
						"to");
			*new_route(b, r.zone, r.table, r.family, &src) = r;
			any = true;
		}
		if (!any)
			diag_add(b->d, pr->src.file, pr->src.line, "to",
				 pr->type == RT_UNICAST
					 ? "the route resolves to nothing for "
					   "this node (no family has both a "
					   "destination and a next hop)"
					 : "the route resolves to nothing for "
					   "this node (no family has its "
					   "destination)");
	}
}

/* ---- probe targets ---------------------------------------------------- */

static void build_targets(struct build *b, const struct inventory *inv)
{
	const struct profile *p = b->p;
	const struct ds_link *up = NULL, *down = NULL;
	const struct prof_link *pl;
	int pi;

	for (int i = 0; i < b->ds->n_links; i++) {
		const struct ds_link *l = &b->ds->links[i];

		if (l->kind == KIND_VXLAN)
			continue;
		if (l->role == ROLE_UPLINK && !up)
			up = l;
		if (l->role == ROLE_DOWNLINK && !down)
			down = l;
	}
	pl = up ? prof_link_of(p, b->nc, up) : NULL;
	pi = pl ? plan_idx(p, pl->plan) : -1;
	if (pi >= 0 && code_level(b->ds->code) != LEVEL_PROVINCE) {
		struct ds_target *t = GROW(b->ds->targets, b->ds->n_targets);
		const struct inv_node *pn =
			inv ? inventory_find(inv, b->ds->parent) : NULL;

		t->code = b->ds->parent;
		t->rel = TGT_PARENT;
		t->method = PROBE_UDP;
		snprintf(t->name, sizeof(t->name), "%s", pn ? pn->name : "");
		for (int f = 0; f < FAM_COUNT; f++)
			if (b->self_ok[pi][f] && b->self[pi][f].has_uplink) {
				t->addr[f] = b->self[pi][f].up_parent;
				t->has[f] = true;
			}
	}
	pl = down ? prof_link_of(p, b->nc, down) : NULL;
	pi = pl ? plan_idx(p, pl->plan) : -1;
	for (int k = 0; k < b->n_kids; k++) {
		const struct child *c = &b->kids[k];
		bool village = code_level(c->inv->code) == LEVEL_VILLAGE;
		struct ds_target *t;

		if (village && p->probe.village == VILLAGE_NONE)
			continue;
		t = GROW(b->ds->targets, b->ds->n_targets);
		t->code = c->inv->code;
		snprintf(t->name, sizeof(t->name), "%s", c->inv->name);
		t->rel = village ? TGT_VILLAGE : TGT_CHILD;
		t->method = village ? PROBE_ICMP : PROBE_UDP;
		if (c->inv->has_addr) {
			int f = fam_of(c->inv->addr.family);

			t->addr[f] = c->inv->addr;
			t->has[f] = true;
			t->from_inventory = true;
			continue;
		}
		for (int f = 0; pi >= 0 && f < FAM_COUNT; f++)
			if (c->ok[pi][f]) {
				t->addr[f] = c->pn[pi][f].up_child;
				t->has[f] = true;
			}
	}
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

int desired_build(struct desired *ds, const struct profile *p,
		  const struct nodeconf *nc, const struct inventory *inv,
		  struct diag *d)
{
	struct build b = {.ds = ds, .p = p, .nc = nc, .d = d};
	int before = diag_count(d);
	char cb[CODE_STRLEN];

	memset(ds, 0, sizeof(*ds));
	ds->p = p;
	ds->nc = nc;
	ds->code = nc->code;
	ds->parent = code_parent(nc->code);
	ds->have_inventory = inv != NULL;
	if (desired_check_level(p, nc, d))
		return -EINVAL;
	if (inv && !inventory_find(inv, nc->code))
		diag_add(d, nc->path, nc->code_line, "node.code", "node %s is "
			 "not in the inventory (%s)", code_format(nc->code, cb),
			 inv->path);
	plan_all(&b, inv);
	ds->n_children = b.n_kids;
	check_names(&b);
	build_links(&b);
	build_rules(&b);
	build_connected(&b);
	build_routes(&b);
	check_route_twins(&b);
	check_collector(&b);
	build_targets(&b, inv);
	free(b.kids);
	free(b.claims);
	free(b.rsrc);
	return diag_count(d) > before ? -EINVAL : 0;
}

void desired_free(struct desired *ds)
{
	for (int i = 0; i < ds->n_links; i++) {
		free(ds->links[i].addrs);
		free(ds->links[i].remotes);
	}
	free(ds->links);
	free(ds->rules);
	free(ds->routes);
	free(ds->targets);
	memset(ds, 0, sizeof(*ds));
}

const struct ds_link *desired_link(const struct desired *ds, const char *name)
{
	for (int i = 0; i < ds->n_links; i++)
		if (strcmp(ds->links[i].name, name) == 0)
			return &ds->links[i];
	return NULL;
}
