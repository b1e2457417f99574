// SPDX-License-Identifier: BSD-2-Clause
/*
 * Building the desired state.  Everything here is a pure function of the
 * three inputs, so render, validate and the agent agree by construction and
 * golden files can pin the result.  Order is deterministic: profile order,
 * then children in code order.  The cross-checks of what is built are in
 * desired_check.c.  Problems go to the caller's diagnostics with the line
 * of the setting at fault and the build goes on, so one run reports them
 * all; nothing here logs, and fatal() only for a broken invariant.
 */
#include "common/desired_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

const char *const target_rel_words[] = {"parent", "child", "village"};

#define GROW(arr, n)                                                           \
	((arr) = xrealloc((arr), (size_t)((n) + 1) * sizeof(*(arr))),          \
	 memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

static struct ds_src mksrc(const char *file, int line, const char *setting)
{
	struct ds_src s = {file, line, ""};

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
static void add_addr(struct ds_build *b, int li, const struct ip_addr *a,
		     unsigned len, const struct ds_src *src)
{
	struct ds_link *l = &b->ds->links[li];
	struct ip_prefix *x;
	struct ds_claim *c;
	char ab[IP_STRLEN];

	b->offered++;
	for (int i = 0; i < b->n_claims; i++) {
		const struct ds_claim *o = &b->claims[i];

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
static void plan_all(struct ds_build *b, const struct inventory *inv)
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
		struct ds_child *c = &b->kids[k];

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
static int bind_link(struct ds_build *b, const struct prof_link *pl,
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
static int plan_addrs(struct ds_build *b, const struct prof_link *pl, int li)
{
	int before = b->offered;

	int pi = plan_idx(b->p, pl->plan);
	struct ds_src src = mksrc(pl->src.file, pl->src.line, "plan");

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

static void vxlan_ends(struct ds_build *b, const struct prof_link *pl,
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

static void build_links(struct ds_build *b)
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
					struct ds_src src;

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
	desired_check_overlaps(b);
}

/* ---- rules and connected routes --------------------------------------- */

static void build_rules(struct ds_build *b)
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

static struct ds_route *new_route(struct ds_build *b, const char *zone,
				  unsigned table, int family,
				  const struct ds_src *src)
{
	struct ds_route *r = GROW(b->ds->routes, b->ds->n_routes);

	*GROW(b->rsrc, b->n_rsrc) = *src;

	r->family = family;
	r->table = table;
	snprintf(r->zone, sizeof(r->zone), "%s", zone);
	return r;
}

static const struct ds_claim *claim_of(const struct ds_build *b, int li,
				       const struct ip_prefix *a)
{
	for (int i = 0; i < b->n_claims; i++)
		if (b->claims[i].link == li && !ip_cmp(&b->claims[i].a.addr,
						       &a->addr))
			return &b->claims[i];
	fatal("address without its origin"); /* add_addr keeps both */
}

/* The connected subnets of a zone's links, copied into the zone's table. */
static void build_connected(struct ds_build *b)
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
static int resolve_via(struct ds_build *b, const struct prof_route *pr,
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

static void route_error(struct ds_build *b, const struct prof_route *pr,
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
static int zone_plan(const struct ds_build *b, const char *zone)
{
	for (int i = 0; i < b->p->n_links; i++)
		if (!strcmp(b->p->links[i].zone, zone))
			return plan_idx(b->p, b->p->links[i].plan);
	return -1;
}

static void route_children(struct ds_build *b, const struct prof_route *pr,
			   unsigned table, int f)
{
	const struct ds_link *down = zone_link(b->ds, pr->zone, ROLE_DOWNLINK);
	const struct prof_link *pl = down ? prof_link_of(b->p, b->nc, down)
					  : NULL;
	int pi = pl ? plan_idx(b->p, pl->plan) : -1;
	struct ds_src src = mksrc(pr->src.file, pr->src.line, "to");
	char cb[CODE_STRLEN];

	if (pi < 0)
		return;
	for (int k = 0; k < b->n_kids; k++) {
		const struct ds_child *c = &b->kids[k];
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

static void build_routes(struct ds_build *b)
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
				skip = desired_check_gateway(b, pr, &pr->via[v],
						     &r.nh[v]) != 0;
			if (skip) {
				any = true; /* reported */
				continue;
			}
			struct ds_src src = mksrc(pr->src.file, pr->src.line,
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

static void build_targets(struct ds_build *b, const struct inventory *inv)
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
		const struct ds_child *c = &b->kids[k];
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

int desired_build(struct desired *ds, const struct profile *p,
		  const struct nodeconf *nc, const struct inventory *inv,
		  struct diag *d)
{
	struct ds_build b = {.ds = ds, .p = p, .nc = nc, .d = d};
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
	desired_check_names(&b);
	build_links(&b);
	build_rules(&b);
	build_connected(&b);
	build_routes(&b);
	desired_check_route_twins(&b);
	desired_check_collector(&b);
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
