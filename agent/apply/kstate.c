// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading the kernel through libnl caches, and copying states.  Nothing
 * here writes to the kernel.
 */
#include "agent/apply/kstate.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/fw/fw.h"
#include "common/log.h"

#define GROW(arr, n)                                                           \
	((arr) = xrealloc((arr), (size_t)((n) + 1) * sizeof(*(arr))),          \
	 memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

struct ds_link *kstate_add_link(struct kstate *ks, const struct ds_link *src)
{
	struct ds_link *l = GROW(ks->links, ks->n_links);

	if (src) {
		*l = *src;
		l->addrs = NULL;
		l->n_addrs = 0;
		l->remotes = NULL;
		l->n_remotes = 0;
		for (int i = 0; i < src->n_addrs; i++)
			kstate_link_add_addr(l, &src->addrs[i]);
		for (int i = 0; i < src->n_remotes; i++)
			kstate_link_add_remote(l, &src->remotes[i]);
	}
	return l;
}

void kstate_link_add_addr(struct ds_link *l, const struct ip_prefix *p)
{
	*GROW(l->addrs, l->n_addrs) = *p;
}

void kstate_link_add_remote(struct ds_link *l, const struct ip_addr *a)
{
	*GROW(l->remotes, l->n_remotes) = *a;
}

static void normalise_route(struct ds_route *r)
{
	if (r->family == AF_INET6) {
		if (!r->metric)
			r->metric = 1024;
		r->scope = SCOPE_UNIVERSE;
		if (r->type != RT_UNICAST)
			r->n_nh = 0;
	}
	r->zone[0] = '\0';
	r->why[0] = '\0';
}

void kstate_copy(struct kstate *dst, const struct kstate *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->fw)
		dst->fw = fw_dup(src->fw);
	for (int i = 0; i < src->n_links; i++)
		kstate_add_link(dst, &src->links[i]);
	if (src->n_rules) {
		dst->rules = xmalloc((size_t)src->n_rules * sizeof(*dst->rules));
		memcpy(dst->rules, src->rules,
		       (size_t)src->n_rules * sizeof(*dst->rules));
	}
	dst->n_rules = src->n_rules;
	if (src->n_routes) {
		dst->routes =
			xmalloc((size_t)src->n_routes * sizeof(*dst->routes));
		memcpy(dst->routes, src->routes,
		       (size_t)src->n_routes * sizeof(*dst->routes));
	}
	dst->n_routes = src->n_routes;
}

void kstate_from_desired(struct kstate *ks, const struct desired *ds)
{
	struct kstate tmp = {
		.links = ds->links,
		.n_links = ds->n_links,
		.rules = ds->rules,
		.n_rules = ds->n_rules,
		.routes = ds->routes,
		.n_routes = ds->n_routes,
	};

	kstate_copy(ks, &tmp);
	for (int i = 0; i < ks->n_routes; i++)
		normalise_route(&ks->routes[i]);
	for (int i = 0; i < ks->n_rules; i++)
		ks->rules[i].zone[0] = '\0';
	for (int i = 0; i < ks->n_links; i++) {
		ks->links[i].zone[0] = '\0';
		ks->links[i].table = 0;
	}
}

void kstate_free(struct kstate *ks)
{
	for (int i = 0; i < ks->n_links; i++) {
		free(ks->links[i].addrs);
		free(ks->links[i].remotes);
	}
	fw_free(ks->fw);
	free(ks->links);
	free(ks->kports);
	free(ks->rules);
	free(ks->routes);
	memset(ks, 0, sizeof(*ks));
}

const struct ds_link *kstate_link(const struct kstate *ks, const char *name)
{
	for (int i = 0; i < ks->n_links; i++)
		if (strcmp(ks->links[i].name, name) == 0)
			return &ks->links[i];
	return NULL;
}

static void name_add(char (**v)[IFNAMSIZ], int *n, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp((*v)[i], name))
			return;
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
	snprintf((*v)[(*n)++], IFNAMSIZ, "%s", name);
}

const struct kport *kstate_port(const struct kstate *ks, const char *name)
{
	for (int i = 0; i < ks->n_kports; i++)
		if (!strcmp(ks->kports[i].name, name))
			return &ks->kports[i];
	return NULL;
}

void kscope_build(struct kscope *sc, const struct kstate *target,
		  const struct kstate *prev, int prio_lo, int prio_hi)
{
	const struct kstate *st[2] = {target, prev};

	memset(sc, 0, sizeof(*sc));
	sc->prio_lo = prio_lo;
	sc->prio_hi = prio_hi;
	for (int s = 0; s < 2; s++) {
		if (!st[s])
			continue;
		sc->fw |= st[s]->fw != NULL;
		for (int i = 0; i < st[s]->n_links; i++) {
			const struct ds_link *l = &st[s]->links[i];

			name_add(&sc->links, &sc->n_links, l->name);
			for (int p = 0; p < l->n_ports; p++)
				name_add(&sc->ports, &sc->n_ports, l->ports[p]);
		}
		for (int i = 0; i < st[s]->n_rules; i++) {
			if (st[s]->rules[i].priority < sc->prio_lo)
				sc->prio_lo = st[s]->rules[i].priority;
			if (st[s]->rules[i].priority > sc->prio_hi)
				sc->prio_hi = st[s]->rules[i].priority;
		}
	}
}

void kscope_free(struct kscope *sc)
{
	free(sc->links);
	free(sc->ports);
	memset(sc, 0, sizeof(*sc));
}

static bool in_scope(const struct kscope *sc, const char *name)
{
	for (int i = 0; name && i < sc->n_links; i++)
		if (!strcmp(sc->links[i], name))
			return true;
	return false;
}

static void from_nl_addr(struct nl_addr *a, struct ip_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!a)
		return;
	out->family = nl_addr_get_family(a);
	if (nl_addr_get_len(a) <= sizeof(out->a))
		memcpy(out->a, nl_addr_get_binary_addr(a), nl_addr_get_len(a));
	else
		out->family = 0;
}

/* Index of the owned link with that ifindex in out, or -1. */
static int link_by_index(const struct kstate *ks, int ifindex)
{
	for (int i = 0; i < ks->n_links; i++)
		if (ks->links[i].ifindex == ifindex)
			return i;
	return -1;
}

static int read_links(struct nl_cache *links, const struct kscope *sc,
		      struct kstate *out)
{
	for (struct nl_object *o = nl_cache_get_first(links); o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *k = (struct rtnl_link *)o;
		const char *name = rtnl_link_get_name(k);
		const char *type = rtnl_link_get_type(k);
		struct ds_link *l;

		if (!in_scope(sc, name))
			continue;
		l = kstate_add_link(out, NULL);
		snprintf(l->name, sizeof(l->name), "%s", name);
		snprintf(l->ktype, sizeof(l->ktype), "%s", type ? type : "");
		l->ifindex = rtnl_link_get_ifindex(k);
		l->mtu = (int)rtnl_link_get_mtu(k);
		l->up = (rtnl_link_get_flags(k) & IFF_UP) != 0;
		l->kind = KIND_PHYSICAL;
		if (type && !strcmp(type, "bridge"))
			l->kind = KIND_BRIDGE;
		if (type && !strcmp(type, "vxlan")) {
			struct nl_addr *local = NULL;
			uint32_t v = 0, under = 0;

			l->kind = KIND_VXLAN;
			if (rtnl_link_vxlan_get_id(k, &v) == 0)
				l->vni = (int)v;
			if (rtnl_link_vxlan_get_port(k, &v) == 0)
				l->port = (int)v;
			if (rtnl_link_vxlan_get_local(k, &local) == 0) {
				from_nl_addr(local, &l->local);
				nl_addr_put(local);
			}
			if (rtnl_link_vxlan_get_link(k, &under) == 0 && under) {
				struct rtnl_link *u =
					rtnl_link_get(links, (int)under);

				if (u) {
					snprintf(l->underlay,
						 sizeof(l->underlay), "%s",
						 rtnl_link_get_name(u));
					rtnl_link_put(u);
				}
			}
		}
	}
	/* the scope's ports, wherever they are enslaved, and whether up */
	for (struct nl_object *o = nl_cache_get_first(links); o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *k = (struct rtnl_link *)o;
		const char *name = rtnl_link_get_name(k);
		struct kport *p;
		bool want = false;

		for (int i = 0; name && i < sc->n_ports; i++)
			want |= !strcmp(sc->ports[i], name);
		if (!want)
			continue;
		out->kports = xrealloc(out->kports, (size_t)(out->n_kports + 1) *
							    sizeof(*out->kports));
		p = &out->kports[out->n_kports++];
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", name);
		p->up = (rtnl_link_get_flags(k) & IFF_UP) != 0;
		if (rtnl_link_get_master(k)) {
			struct rtnl_link *m =
				rtnl_link_get(links, rtnl_link_get_master(k));

			if (m) {
				snprintf(p->master, sizeof(p->master), "%s",
					 rtnl_link_get_name(m));
				rtnl_link_put(m);
			}
		}
	}
	/* bridge ports: whatever is enslaved to an owned bridge */
	for (struct nl_object *o = nl_cache_get_first(links); o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *k = (struct rtnl_link *)o;
		int m = rtnl_link_get_master(k);
		int bi = m ? link_by_index(out, m) : -1;
		struct ds_link *br;

		if (bi < 0 || out->links[bi].kind != KIND_BRIDGE)
			continue;
		br = &out->links[bi];
		if (br->n_ports < NC_MAX_PORTS)
			snprintf(br->ports[br->n_ports++], IFNAMSIZ, "%s",
				 rtnl_link_get_name(k));
	}
	return 0;
}

static void read_addrs(struct nl_cache *addrs, struct kstate *out)
{
	for (struct nl_object *o = nl_cache_get_first(addrs); o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		int li = link_by_index(out, rtnl_addr_get_ifindex(a));
		struct ip_prefix p;

		if (li < 0 || rtnl_addr_get_scope(a) >= RT_SCOPE_LINK)
			continue; /* link-local and host addresses: kernel's */
		from_nl_addr(rtnl_addr_get_local(a), &p.addr);
		p.len = rtnl_addr_get_prefixlen(a);
		if (p.addr.family)
			kstate_link_add_addr(&out->links[li], &p);
	}
}

/* Flood entries (all-zero MAC) of owned VXLAN links, from a raw dump:
 * libnl 3.7 cannot parse every bridge neighbour the kernel sends. */
static void fdb_one(const struct nlmsghdr *h, void *arg)
{
	static const uint8_t zero[6];
	struct kstate *out = arg;
	const struct ndmsg *nd = NLMSG_DATA(h);
	size_t len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	const struct rtattr *rta = (const void *)((const char *)nd +
						  NLMSG_ALIGN(sizeof(*nd)));
	const uint8_t *ll = NULL;
	struct ip_addr dst = {0};
	int li;

	if (h->nlmsg_type != RTM_NEWNEIGH || nd->ndm_family != AF_BRIDGE)
		return;
	li = link_by_index(out, nd->ndm_ifindex);
	if (li < 0 || out->links[li].kind != KIND_VXLAN)
		return;
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		size_t n = RTA_PAYLOAD(rta);

		if (rta->rta_type == NDA_LLADDR && n == 6)
			ll = RTA_DATA(rta);
		else if (rta->rta_type == NDA_DST && (n == 4 || n == 16)) {
			dst.family = n == 4 ? AF_INET : AF_INET6;
			memcpy(dst.a, RTA_DATA(rta), n);
		}
	}
	if (ll && !memcmp(ll, zero, 6) && dst.family)
		kstate_link_add_remote(&out->links[li], &dst);
}

static void read_rules(struct nl_cache *rules, const struct kscope *sc,
		       struct kstate *out)
{
	for (struct nl_object *o = nl_cache_get_first(rules); o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_rule *k = (struct rtnl_rule *)o;
		int prio = (int)rtnl_rule_get_prio(k);
		const char *iif = rtnl_rule_get_iif(k);
		struct ds_rule *r;

		if (prio < sc->prio_lo || prio > sc->prio_hi)
			continue;
		r = GROW(out->rules, out->n_rules);
		r->family = rtnl_rule_get_family(k);
		r->priority = prio;
		r->table = rtnl_rule_get_table(k);
		if (iif)
			snprintf(r->iif, sizeof(r->iif), "%s", iif);
		if (rtnl_rule_get_src(k)) {
			from_nl_addr(rtnl_rule_get_src(k), &r->from.addr);
			r->from.len = nl_addr_get_prefixlen(rtnl_rule_get_src(k));
		}
	}
}

/* ifindex -> name, for the raw route dump. */
struct ifnames {
	struct nl_cache *links;
	int last_idx;
	char last[IFNAMSIZ];
};

static const char *ifname_of(struct ifnames *m, int idx)
{
	struct rtnl_link *l;

	if (idx == m->last_idx)
		return m->last;
	m->last_idx = idx;
	m->last[0] = '\0';
	l = rtnl_link_get(m->links, idx);
	if (l) {
		snprintf(m->last, sizeof(m->last), "%s", rtnl_link_get_name(l));
		rtnl_link_put(l);
	}
	return m->last;
}

struct route_ctx {
	struct kstate *out;
	int cap;
	struct ifnames names;
};

static void attr_addr(const struct rtattr *a, int family, struct ip_addr *o)
{
	size_t n = RTA_PAYLOAD(a);

	if ((family == AF_INET && n == 4) || (family == AF_INET6 && n == 16)) {
		o->family = family;
		memcpy(o->a, RTA_DATA(a), n);
	}
}

/*
 * One route of a raw dump.  Routes are read without libnl: its cache costs
 * seconds at 100,000 routes, this costs milliseconds.  Every attribute
 * length is checked against the message.
 */
static void route_one(const struct nlmsghdr *h, void *arg)
{
	struct route_ctx *c = arg;
	const struct rtmsg *rt = NLMSG_DATA(h);
	size_t len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*rt));
	const struct rtattr *a = RTM_RTA(rt);
	struct ds_route r;
	int oif = 0;

	if (h->nlmsg_type != RTM_NEWROUTE || rt->rtm_protocol != EGNET_RTPROT ||
	    (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6))
		return;
	memset(&r, 0, sizeof(r));
	r.family = rt->rtm_family;
	r.table = rt->rtm_table;
	r.dst.addr.family = r.family;
	r.dst.len = rt->rtm_dst_len;
	r.type = rt->rtm_type == RTN_BLACKHOLE	   ? RT_BLACKHOLE
		 : rt->rtm_type == RTN_UNREACHABLE ? RT_UNREACHABLE
						   : RT_UNICAST;
	if (rt->rtm_type != RTN_UNICAST && rt->rtm_type != RTN_BLACKHOLE &&
	    rt->rtm_type != RTN_UNREACHABLE)
		return; /* not a kind of ours */
	r.scope = r.family == AF_INET && rt->rtm_scope == RT_SCOPE_LINK
			  ? SCOPE_LINK
			  : SCOPE_UNIVERSE;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case RTA_DST:
			attr_addr(a, r.family, &r.dst.addr);
			break;
		case RTA_TABLE:
			if (RTA_PAYLOAD(a) == 4)
				memcpy(&r.table, RTA_DATA(a), 4);
			break;
		case RTA_PRIORITY:
			if (RTA_PAYLOAD(a) == 4)
				memcpy(&r.metric, RTA_DATA(a), 4);
			break;
		case RTA_PREFSRC:
			attr_addr(a, r.family, &r.prefsrc);
			break;
		case RTA_GATEWAY:
			attr_addr(a, r.family, &r.nh[0].gw);
			break;
		case RTA_OIF:
			if (RTA_PAYLOAD(a) == 4)
				memcpy(&oif, RTA_DATA(a), 4);
			break;
		case RTA_MULTIPATH: {
			const struct rtnexthop *nh = RTA_DATA(a);
			size_t left = RTA_PAYLOAD(a);

			while (left >= sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
			       nh->rtnh_len <= left && r.n_nh < MAX_VIA) {
				struct ds_nh *d = &r.nh[r.n_nh++];
				const struct rtattr *na = RTNH_DATA(nh);
				size_t nlen = nh->rtnh_len - RTNH_LENGTH(0);

				for (; RTA_OK(na, nlen); na = RTA_NEXT(na, nlen))
					if (na->rta_type == RTA_GATEWAY)
						attr_addr(na, r.family, &d->gw);
				snprintf(d->dev, IFNAMSIZ, "%s",
					 ifname_of(&c->names, nh->rtnh_ifindex));
				left -= (size_t)RTNH_ALIGN(nh->rtnh_len) < left
						? (size_t)RTNH_ALIGN(nh->rtnh_len)
						: left;
				nh = RTNH_NEXT(nh);
			}
			break;
		}
		default:
			break;
		}
	}
	if (r.type == RT_UNICAST && r.n_nh == 0) {
		r.n_nh = 1;
		if (oif)
			snprintf(r.nh[0].dev, IFNAMSIZ, "%s",
				 ifname_of(&c->names, oif));
	} else if (r.type != RT_UNICAST) {
		r.n_nh = 0;
		memset(r.nh, 0, sizeof(r.nh));
	}
	if (c->out->n_routes == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->out->routes = xrealloc(c->out->routes,
					  (size_t)c->cap * sizeof(r));
	}
	c->out->routes[c->out->n_routes++] = r;
}

int kstate_read(struct nlctx *nl, const struct kscope *sc, struct kstate *out,
		char *err, size_t errlen)
{
	struct nl_cache *links = NULL, *addrs = NULL, *rules = NULL;
	struct route_ctx rc_ctx = {.out = out};
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &links)) < 0 ||
	    (rc = rtnl_addr_alloc_cache(nl->sk, &addrs)) < 0 ||
	    (rc = rtnl_rule_alloc_cache(nl->sk, AF_UNSPEC, &rules)) < 0) {
		snprintf(err, errlen, "reading the kernel: %s",
			 nl_geterror(rc));
		rc = -EIO;
		goto out;
	}
	read_links(links, sc, out);
	read_addrs(addrs, out);
	rc = nl_rawdump(RTM_GETNEIGH, AF_BRIDGE, sizeof(struct ndmsg), fdb_one,
		     out);
	if (rc) {
		snprintf(err, errlen, "reading bridge neighbours: %s",
			 strerror(-rc));
		goto out;
	}
	read_rules(rules, sc, out);
	if (sc->fw) {
		out->fw = xcalloc(1, sizeof(*out->fw));
		rc = nft_read(out->fw, NULL, NULL, err, errlen);
		if (rc)
			goto out;
	}
	rc_ctx.names.links = links;
	rc_ctx.names.last_idx = -1;
	rc = nl_rawdump(RTM_GETROUTE, AF_UNSPEC, sizeof(struct rtmsg), route_one,
			&rc_ctx);
	if (rc) {
		snprintf(err, errlen, "reading routes: %s", strerror(-rc));
		goto out;
	}
out:
	if (links)
		nl_cache_free(links);
	if (addrs)
		nl_cache_free(addrs);
	if (rules)
		nl_cache_free(rules);
	if (rc)
		kstate_free(out);
	return rc;
}
