// SPDX-License-Identifier: BSD-2-Clause
/*
 * Profile loading.  Every setting is read through an option table or a small
 * reader that adds problems to the diagnostics and goes on, so a single run
 * reports every mistake with its file and line.  Cross references (zones,
 * plans, services, sets) and the checks that need the whole profile are
 * in profile_check.c, run after everything is read.  Nothing here logs.
 */
#include "common/profile_int.h"

#include <errno.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"
#include "common/cfgfile.h"
#include "common/defaults.h"
#include "common/fwpolicy.h"
#include "common/ifname.h"
#include "common/log.h"

const char *const link_role_words[] = {"uplink", "downlink", "lan",
				       "internet", NULL};
const char *const link_kind_words[] = {"physical", "bridge", "vxlan", NULL};
static const char *const level_words[] = {"province", "city", "county",
					  "township", NULL};
static const char *const rt_type_words[] = {"unicast", "blackhole",
					    "unreachable", NULL};
static const char *const family_words[] = {"both", "ipv4", "ipv6", NULL};
static const char *const village_words[] = {"icmp", "none", NULL};

int fam_of(int af)
{
	return af == AF_INET6 ? FAM_V6 : FAM_V4;
}

int af_of(int fam)
{
	return fam == FAM_V6 ? AF_INET6 : AF_INET;
}

struct src profile_src(struct profile *p, const config_setting_t *s)
{
	char buf[4096];
	const char *f = cfg_file(s, p->path, buf, sizeof(buf));

	/* Keep one copy of each file name: struct src points at it. */
	for (int i = 0; i < p->n_files; i++)
		if (!strcmp(p->files[i], f))
			return (struct src){p->files[i], cfg_line(s)};
	p->files = xrealloc(p->files, (size_t)(p->n_files + 1) *
					      sizeof(*p->files));
	p->files[p->n_files] = xstrdup(f);
	return (struct src){p->files[p->n_files++], cfg_line(s)};
}

/* ---- profile = { ... } ---------------------------------------------- */

static const struct cfg_opt head_opts[] = {
	{"name", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct profile, name), NAME_LEN},
	{"version", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct profile, version), NAME_LEN},
	{"level", CFG_ENUM, true, 0, 0, 0, NULL, level_words,
	 offsetof(struct profile, level), 0},
	{"description", CFG_STR, false, 0, 0, 0, "", NULL,
	 offsetof(struct profile, desc), 128},
	CFG_END,
};

/* ---- plans ------------------------------------------------------------ */

struct fam_raw {
	char prefix[IP_STRLEN];
	int link, lan;
	int bits[LEVEL_COUNT];
};

static const struct cfg_opt fam_opts[] = {
	{"prefix", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct fam_raw, prefix), IP_STRLEN},
	{"bits", CFG_SKIP, true, 0, 0, 0, NULL, NULL, 0, 0},
	{"link", CFG_INT, false, 1, 128, 0, NULL, NULL,
	 offsetof(struct fam_raw, link), 0},
	{"lan", CFG_INT, false, 1, 128, 0, NULL, NULL,
	 offsetof(struct fam_raw, lan), 0},
	CFG_END,
};

static const struct cfg_opt bits_opts[] = {
	{"city", CFG_INT, false, 0, PLAN_MAX_BITS, 0, NULL, NULL,
	 offsetof(struct fam_raw, bits[LEVEL_CITY]), 0},
	{"county", CFG_INT, false, 0, PLAN_MAX_BITS, 0, NULL, NULL,
	 offsetof(struct fam_raw, bits[LEVEL_COUNTY]), 0},
	{"township", CFG_INT, false, 0, PLAN_MAX_BITS, 0, NULL, NULL,
	 offsetof(struct fam_raw, bits[LEVEL_TOWNSHIP]), 0},
	{"village", CFG_INT, false, 0, PLAN_MAX_BITS, 0, NULL, NULL,
	 offsetof(struct fam_raw, bits[LEVEL_VILLAGE]), 0},
	CFG_END,
};

static void load_family(struct diag *d, const char *file,
			const config_setting_t *g, int fam,
			struct plan_family *pf)
{
	struct fam_raw raw;
	config_setting_t *bits;
	char err[256];
	int problems;

	memset(&raw, 0, sizeof(raw));
	problems = cfg_read(d, g, file, fam_opts, &raw);
	bits = config_setting_get_member(g, "bits");
	if (bits && !config_setting_is_group(bits)) {
		cfg_problem(d, bits, file, "must be a group, not %s",
			    cfg_type_name(config_setting_type(bits)));
		problems++;
	} else if (bits) {
		problems += cfg_read(d, bits, file, bits_opts, &raw);
	}
	if (problems)
		return;
	if (ip_parse_prefix(raw.prefix, true, &pf->root, err, sizeof(err))) {
		cfg_problem(d, config_setting_get_member(g, "prefix"), file,
			    "%s", err);
		return;
	}
	if (af_of(fam) != pf->root.addr.family) {
		cfg_problem(d, config_setting_get_member(g, "prefix"), file,
			    "'%s' is not an %s prefix", raw.prefix,
			    fam == FAM_V4 ? "IPv4" : "IPv6");
		return;
	}
	if (ip_special_overlap(&pf->root)) {
		cfg_problem(d, config_setting_get_member(g, "prefix"), file,
			    "'%s' overlaps %s: the plan would give out "
			    "addresses no host can have", raw.prefix,
			    ip_special_overlap(&pf->root));
		return;
	}
	for (int l = 0; l < LEVEL_COUNT; l++)
		pf->bits[l] = (unsigned)raw.bits[l];
	pf->link = raw.link ? (unsigned)raw.link : (fam == FAM_V4 ? 30 : 127);
	pf->lan = (unsigned)raw.lan;
	if (pf->link > ip_bits(pf->root.addr.family) - 1 ||
	    (pf->lan && pf->lan > ip_bits(pf->root.addr.family))) {
		cfg_problem(d, g, file, "link /%u%s is longer than an %s "
			    "address allows", pf->link, pf->lan ? " or lan" : "",
			    fam == FAM_V4 ? "IPv4" : "IPv6");
		return;
	}
	if (plan_check(pf, err, sizeof(err))) {
		cfg_problem(d, bits ? bits : g, file, "%s", err);
		return;
	}
	pf->set = true;
}

static void load_plans(struct profile *p, struct diag *d,
		       const config_setting_t *plans)
{
	static const char *const fam_names[] = {"ipv4", "ipv6", NULL};
	int n;

	if (!plans) {
		diag_add(d, p->path, 0, "plans", "missing required setting "
			 "'plans' (the address plan)");
		return;
	}
	if (!config_setting_is_group(plans)) {
		cfg_problem(d, plans, p->path, "must be a group of named plans");
		return;
	}
	n = config_setting_length(plans);
	if (n == 0)
		cfg_problem(d, plans, p->path, "no plan is defined");
	if (n > PROFILE_MAX_PLANS) {
		cfg_problem(d, plans, p->path, "at most %d plans",
			    PROFILE_MAX_PLANS);
		n = PROFILE_MAX_PLANS;
	}
	p->plans = xcalloc((size_t)n, sizeof(*p->plans));
	for (int i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(plans, (unsigned)i);
		struct prof_plan *pl = &p->plans[p->n_plans++];
		bool any = false;

		snprintf(pl->name, sizeof(pl->name), "%s",
			 config_setting_name(g));
		pl->src = profile_src(p, g);
		if (!config_setting_is_group(g)) {
			cfg_problem(d, g, p->path, "must be a group with ipv4 "
				    "and/or ipv6");
			continue;
		}
		for (int j = 0; j < config_setting_length(g); j++) {
			config_setting_t *f =
				config_setting_get_elem(g, (unsigned)j);
			int fam = cfg_word_index(fam_names,
						 config_setting_name(f));

			if (fam < 0) {
				cfg_problem(d, f, p->path, "unknown setting "
					    "(a plan has ipv4 and ipv6)");
				continue;
			}
			if (!config_setting_is_group(f)) {
				cfg_problem(d, f, p->path, "must be a group");
				continue;
			}
			any = true;
			load_family(d, p->path, f, fam, &pl->fam[fam]);
		}
		if (!any)
			cfg_problem(d, g, p->path, "a plan needs ipv4 or ipv6");
	}
}

/* ---- zones ------------------------------------------------------------ */

static const struct cfg_opt zone_opts[] = {
	{"table", CFG_INT, true, 1, 0x7fffffff, 0, NULL, NULL,
	 offsetof(struct prof_zone, table), 0},
	{"description", CFG_STR, false, 0, 0, 0, "", NULL,
	 offsetof(struct prof_zone, desc), 64},
	CFG_END,
};

static void load_zones(struct profile *p, struct diag *d,
		       const config_setting_t *zones)
{
	int n;

	if (!zones) {
		diag_add(d, p->path, 0, "zones", "missing required setting "
			 "'zones'");
		return;
	}
	if (!config_setting_is_group(zones)) {
		cfg_problem(d, zones, p->path, "must be a group of named zones");
		return;
	}
	n = config_setting_length(zones);
	p->zones = xcalloc((size_t)n, sizeof(*p->zones));
	for (int i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(zones, (unsigned)i);
		struct prof_zone *z = &p->zones[p->n_zones];

		if (!config_setting_is_group(g)) {
			cfg_problem(d, g, p->path, "must be a group");
			continue;
		}
		if (strlen(config_setting_name(g)) >= NAME_LEN ||
		    strcmp(config_setting_name(g), ZONE_LOCAL) == 0) {
			cfg_problem(d, g, p->path, "zone name '%s' is reserved "
				    "or longer than %d characters",
				    config_setting_name(g), NAME_LEN - 1);
			continue;
		}
		snprintf(z->name, sizeof(z->name), "%s", config_setting_name(g));
		z->src = profile_src(p, g);
		/* A zone with a wrong setting is still a zone: keep it, so its
		 * uses do not each report it missing.  Its table is 0 when it
		 * is missing or refused (1.. is the range), and only a table
		 * that was read is checked against the kernel's and the other
		 * zones'. */
		cfg_read(d, g, p->path, zone_opts, z);
		p->n_zones++;
		if (!z->table)
			continue;
		if (z->table >= 253 && z->table <= 255)
			cfg_problem(d, config_setting_get_member(g, "table"),
				    p->path, "table %d is the kernel's own "
				    "(default, main, local)", z->table);
		for (int j = 0; j < p->n_zones - 1; j++)
			if (p->zones[j].table == z->table)
				cfg_problem(d, config_setting_get_member(g, "table"),
					    p->path, "table %d is already used "
					    "by zone %s (line %d)", z->table,
					    p->zones[j].name, p->zones[j].src.line);
	}
}

/* ---- links ------------------------------------------------------------ */

static const struct cfg_opt link_opts[] = {
	{"role", CFG_ENUM, true, 0, 0, 0, NULL, link_role_words,
	 offsetof(struct prof_link, role), 0},
	{"kind", CFG_ENUM, false, 0, 0, KIND_PHYSICAL, NULL, link_kind_words,
	 offsetof(struct prof_link, kind), 0},
	{"name", CFG_STR, false, 1, 0, 0, "", NULL,
	 offsetof(struct prof_link, name), IFNAMSIZ},
	{"mtu", CFG_INT, false, 1280, 9216, 1500, NULL, NULL,
	 offsetof(struct prof_link, mtu), 0},
	{"up", CFG_BOOL, false, 0, 0, 1, NULL, NULL,
	 offsetof(struct prof_link, up), 0},
	{"zone", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct prof_link, zone), NAME_LEN},
	{"plan", CFG_STR, false, 1, 0, 0, "", NULL,
	 offsetof(struct prof_link, plan), NAME_LEN},
	{"vni", CFG_INT, false, 1, 16777215, 0, NULL, NULL,
	 offsetof(struct prof_link, vni), 0},
	{"port", CFG_INT, false, 1, 65535, 4789, NULL, NULL,
	 offsetof(struct prof_link, port), 0},
	{"underlay", CFG_ENUM, false, 0, 0, ROLE_UPLINK, NULL, link_role_words,
	 offsetof(struct prof_link, underlay), 0},
	CFG_END,
};

static void check_link(struct profile *p, struct diag *d,
		       const config_setting_t *g, struct prof_link *l)
{
	const config_setting_t *name = config_setting_get_member(g, "name");
	char err[128];

	if (l->kind == KIND_PHYSICAL && l->name[0])
		cfg_problem(d, name, p->path, "a physical link takes its "
			    "interface from the node config, not a name");
	if (l->kind != KIND_PHYSICAL && !l->name[0])
		cfg_problem(d, g, p->path, "a %s link needs a name",
			    link_kind_words[l->kind]);
	if (l->name[0] && ifname_check(l->name, err, sizeof(err)))
		cfg_problem(d, name, p->path, "'%s' is not a valid interface "
			    "name: %s", l->name, err);
	if (l->kind == KIND_VXLAN && !l->vni)
		cfg_problem(d, g, p->path, "a vxlan link needs a vni");
	if (l->kind != KIND_VXLAN && (config_setting_get_member(g, "vni") ||
				      config_setting_get_member(g, "underlay")))
		cfg_problem(d, g, p->path, "vni and underlay are for vxlan "
			    "links only");
	if (l->kind == KIND_VXLAN && l->underlay == ROLE_LAN)
		cfg_problem(d, config_setting_get_member(g, "underlay"),
			    p->path, "a vxlan overlay runs over the uplink, "
			    "downlink or internet, not the lan");
}

static void load_links(struct profile *p, struct diag *d,
		       const config_setting_t *links)
{
	int n;

	if (!links) {
		diag_add(d, p->path, 0, "links", "missing required setting "
			 "'links'");
		return;
	}
	if (!config_setting_is_list(links)) {
		cfg_problem(d, links, p->path, "must be a list ( {...}, ... )");
		return;
	}
	n = config_setting_length(links);
	p->links = xcalloc((size_t)n, sizeof(*p->links));
	for (int i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(links, (unsigned)i);
		struct prof_link *l = &p->links[p->n_links];

		if (!config_setting_is_group(g)) {
			cfg_problem(d, g, p->path, "must be a group { ... }");
			continue;
		}
		l->src = profile_src(p, g);
		if (cfg_read(d, g, p->path, link_opts, l)) {
			if (l->zone[0]) {
				if (!p->refused_zones)
					p->refused_zones = xcalloc(
						(size_t)n,
						sizeof(*p->refused_zones));
				memcpy(p->refused_zones[p->n_refused_zones++],
				       l->zone, NAME_LEN);
			}
			memset(l, 0, sizeof(*l));
			continue;
		}
		check_link(p, d, g, l);
		for (int j = 0; j < p->n_links; j++) {
			const struct prof_link *o = &p->links[j];

			if (l->name[0] && strcmp(o->name, l->name) == 0)
				cfg_problem(d, g, p->path, "link name '%s' is "
					    "already used (line %d)", l->name,
					    o->src.line);
			else if (l->kind == KIND_PHYSICAL &&
				 o->kind == KIND_PHYSICAL && o->role == l->role)
				cfg_problem(d, g, p->path, "a second physical "
					    "%s link (first at line %d)",
					    link_role_words[l->role],
					    o->src.line);
			/* The role's interfaces are the physical link or the
			 * bridge's ports: a port is in one bridge only, and
			 * never also a link of its own. */
			else if (l->kind != KIND_VXLAN &&
				 o->kind != KIND_VXLAN && o->role == l->role)
				cfg_problem(d, g, p->path, "the %s role already "
					    "has a %s link (line %d): its "
					    "interfaces cannot be in both",
					    link_role_words[l->role],
					    link_kind_words[o->kind],
					    o->src.line);
		}
		p->n_links++;
	}
}

/* ---- routes ----------------------------------------------------------- */

struct route_raw {
	char zone[NAME_LEN];
	char to[IP_STRLEN];
	int type, metric, family;
};

static const struct cfg_opt route_opts[] = {
	{"zone", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct route_raw, zone), NAME_LEN},
	{"to", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct route_raw, to), IP_STRLEN},
	{"via", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"type", CFG_ENUM, false, 0, 0, RT_UNICAST, NULL, rt_type_words,
	 offsetof(struct route_raw, type), 0},
	{"metric", CFG_INT, false, 0, 0xfffffff, 0, NULL, NULL,
	 offsetof(struct route_raw, metric), 0},
	{"family", CFG_ENUM, false, 0, 0, 0, NULL, family_words,
	 offsetof(struct route_raw, family), 0},
	CFG_END,
};

static int parse_via(struct diag *d, const char *file,
		     const config_setting_t *s, struct prof_via *v)
{
	const char *str;
	char err[128];

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_problem(d, s, file, "a next hop must be a string, not %s",
			    cfg_type_name(config_setting_type(s)));
		return -EINVAL;
	}
	str = config_setting_get_string(s);
	if (strcmp(str, "parent") == 0) {
		v->kind = VIA_PARENT;
	} else if (strncmp(str, "gateway:", 8) == 0 && str[8] &&
		   strlen(str + 8) < NAME_LEN) {
		v->kind = VIA_GATEWAY;
		snprintf(v->gateway, sizeof(v->gateway), "%s", str + 8);
	} else if (ip_parse_addr(str, &v->addr, err, sizeof(err)) == 0) {
		v->kind = VIA_ADDR;
		if (ip_check_gateway(&v->addr, err, sizeof(err))) {
			cfg_problem(d, s, file, "%s", err);
			return -EINVAL;
		}
	} else {
		cfg_problem(d, s, file, "next hop '%s' is not 'parent', "
			    "'gateway:NAME' or an address", str);
		return -EINVAL;
	}
	return 0;
}

static int load_vias(struct diag *d, const char *file,
		     const config_setting_t *via, struct prof_route *r)
{
	int t = config_setting_type(via);

	if (t == CONFIG_TYPE_STRING)
		return parse_via(d, file, via, &r->via[r->n_via++]);
	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
		cfg_problem(d, via, file, "must be a next hop or an array of "
			    "them, not %s", cfg_type_name(t));
		return -EINVAL;
	}
	if (config_setting_length(via) < 1 ||
	    config_setting_length(via) > MAX_VIA) {
		cfg_problem(d, via, file, "a multipath route has 1..%d next "
			    "hops", MAX_VIA);
		return -EINVAL;
	}
	for (int i = 0; i < config_setting_length(via); i++) {
		const config_setting_t *e =
			config_setting_get_elem(via, (unsigned)i);
		const struct prof_via *v = &r->via[r->n_via];

		if (parse_via(d, file, e, &r->via[r->n_via++]))
			return -EINVAL;
		/* the kernel refuses a multipath route with a next hop twice */
		for (int j = 0; j < r->n_via - 1; j++)
			if (r->via[j].kind == v->kind &&
			    strcmp(r->via[j].gateway, v->gateway) == 0 &&
			    ip_cmp(&r->via[j].addr, &v->addr) == 0) {
				cfg_problem(d, e, file, "next hop '%s' is "
					    "listed twice",
					    config_setting_get_string(e));
				return -EINVAL;
			}
	}
	return 0;
}

static void load_route(struct profile *p, struct diag *d,
		       const config_setting_t *g, struct prof_route *r)
{
	static const char *const to_words[] = {"default", "children",
					       "aggregate", NULL};
	static const int fam_af[] = {0, AF_INET, AF_INET6};
	config_setting_t *via = config_setting_get_member(g, "via");
	struct route_raw raw;
	char err[128];
	int to;

	memset(&raw, 0, sizeof(raw));
	memset(r, 0, sizeof(*r));
	r->src = profile_src(p, g);
	if (cfg_read(d, g, p->path, route_opts, &raw))
		return;
	snprintf(r->zone, sizeof(r->zone), "%s", raw.zone);
	r->type = raw.type;
	r->metric = raw.metric;
	r->family = fam_af[raw.family];
	to = cfg_word_index(to_words, raw.to);
	if (to >= 0) {
		r->to = to;
	} else if (ip_parse_prefix(raw.to, true, &r->prefix, err,
				   sizeof(err)) == 0) {
		r->to = TO_PREFIX;
		if (ip_check_subnet(&r->prefix, err, sizeof(err))) {
			cfg_problem(d, config_setting_get_member(g, "to"),
				    p->path, "%s", err);
			return;
		}
		if (r->family && r->family != r->prefix.addr.family) {
			cfg_problem(d, config_setting_get_member(g, "family"),
				    p->path, "contradicts the family of '%s'",
				    raw.to);
			return;
		}
		r->family = r->prefix.addr.family;
	} else {
		cfg_problem(d, config_setting_get_member(g, "to"), p->path,
			    "'%s' is not default, children, aggregate or a "
			    "prefix (%s)", raw.to, err);
		return;
	}
	if (via && load_vias(d, p->path, via, r))
		return;
	if (r->to == TO_CHILDREN && via) {
		cfg_problem(d, via, p->path, "routes to the children go via "
			    "each child; no next hop is given");
		return;
	}
	if (r->type != RT_UNICAST && via) {
		cfg_problem(d, via, p->path, "a %s route has no next hop",
			    rt_type_words[r->type]);
		return;
	}
	if (r->type == RT_UNICAST && r->to != TO_CHILDREN && !via) {
		cfg_problem(d, g, p->path, "a unicast route needs 'via'");
		return;
	}
	for (int i = 0; i < r->n_via; i++)
		if (r->via[i].kind == VIA_ADDR && r->family &&
		    r->via[i].addr.family != r->family) {
			cfg_problem(d, via, p->path, "next hop family differs "
				    "from the route's");
			return;
		}
	p->n_routes++;
}

static void load_routes(struct profile *p, struct diag *d,
			const config_setting_t *routes)
{
	int n;

	if (!routes)
		return;
	if (!config_setting_is_list(routes)) {
		cfg_problem(d, routes, p->path, "must be a list ( {...}, ... )");
		return;
	}
	n = config_setting_length(routes);
	p->routes = xcalloc((size_t)n, sizeof(*p->routes));
	for (int i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(routes, (unsigned)i);

		if (!config_setting_is_group(g)) {
			cfg_problem(d, g, p->path, "must be a group { ... }");
			continue;
		}
		load_route(p, d, g, &p->routes[p->n_routes]);
	}
}

/* ---- probe, routing ---------------------------------------------------- */

static const struct cfg_opt probe_opts[] = {
	{"port", CFG_INT, false, 1, 65535, 7789, NULL, NULL,
	 offsetof(struct prof_probe, port), 0},
	{"interval", CFG_INT, false, 100, 60000, 1000, NULL, NULL,
	 offsetof(struct prof_probe, interval_ms), 0},
	{"down_after", CFG_INT, false, 1, 100, 3, NULL, NULL,
	 offsetof(struct prof_probe, down_after), 0},
	{"up_after", CFG_INT, false, 1, 100, 2, NULL, NULL,
	 offsetof(struct prof_probe, up_after), 0},
	{"window", CFG_INT, false, 4, EGNET_PROBE_WINDOW_MAX, 60, NULL, NULL,
	 offsetof(struct prof_probe, window), 0},
	{"villages", CFG_ENUM, false, 0, 0, VILLAGE_ICMP, NULL, village_words,
	 offsetof(struct prof_probe, village), 0},
	CFG_END,
};

static const struct cfg_opt routing_opts[] = {
	{"rule_priority", CFG_INT, false, 1, 32000, 10000, NULL, NULL,
	 offsetof(struct profile, rule_priority), 0},
	CFG_END,
};

static const config_setting_t *group_or_null(struct profile *p,
					     struct diag *d, const char *name)
{
	config_setting_t *s = config_lookup(&p->cfg, name);

	if (s && !config_setting_is_group(s)) {
		cfg_problem(d, s, p->path, "must be a group { ... }");
		return NULL;
	}
	return s;
}

/* ---- lookups ---------------------------------------------------------- */

const struct prof_zone *profile_zone(const struct profile *p, const char *n)
{
	for (int i = 0; i < p->n_zones; i++)
		if (strcmp(p->zones[i].name, n) == 0)
			return &p->zones[i];
	return NULL;
}

const struct prof_plan *profile_plan(const struct profile *p, const char *n)
{
	for (int i = 0; i < p->n_plans; i++)
		if (strcmp(p->plans[i].name, n) == 0)
			return &p->plans[i];
	return NULL;
}

const struct prof_service *profile_service(const struct profile *p,
					   const char *n)
{
	for (int i = 0; i < p->n_services; i++)
		if (strcmp(p->services[i].name, n) == 0)
			return &p->services[i];
	return NULL;
}

const struct prof_set *profile_set(const struct profile *p, const char *n)
{
	for (int i = 0; i < p->n_sets; i++)
		if (strcmp(p->sets[i].name, n) == 0)
			return &p->sets[i];
	return NULL;
}

/* ---- load ------------------------------------------------------------- */

int profile_load(struct profile *p, const char *path, struct diag *d)
{
	int before = diag_count(d);
	const config_setting_t *s;

	memset(p, 0, sizeof(*p));
	config_init(&p->cfg);
	snprintf(p->path, sizeof(p->path), "%s", path);
	if (cfgfile_load(&p->cfg, path, "profile", &p->cf, d))
		return -EINVAL;
	s = group_or_null(p, d, "profile");
	if (!s)
		diag_add(d, path, 0, "profile", "missing required setting "
			 "'profile' (name, version, level)");
	cfg_read(d, s, path, head_opts, p);
	load_plans(p, d, config_lookup(&p->cfg, "plans"));
	load_zones(p, d, config_lookup(&p->cfg, "zones"));
	load_links(p, d, config_lookup(&p->cfg, "links"));
	load_routes(p, d, config_lookup(&p->cfg, "routes"));
	cfg_read(d, group_or_null(p, d, "routing"), path, routing_opts, p);
	s = group_or_null(p, d, "probe");
	cfg_read(d, s, path, probe_opts, &p->probe);
	if (s && config_setting_get_member(s, "port"))
		p->probe.port_src =
			profile_src(p, config_setting_get_member(s, "port"));
	fwpolicy_load(p, d, group_or_null(p, d, "firewall"));
	profile_check(p, d);
	fwpolicy_check(p, d);

	for (int i = 0; i < config_setting_length(config_root_setting(&p->cfg));
	     i++) {
		static const char *const top[] = {
			"profile", "plans",   "zones",	  "links", "routes",
			"routing", "probe", "firewall", NULL};
		config_setting_t *t = config_setting_get_elem(
			config_root_setting(&p->cfg), (unsigned)i);

		if (cfg_word_index(top, config_setting_name(t)) < 0)
			cfg_problem(d, t, path, "unknown setting");
	}
	return diag_count(d) > before ? -EINVAL : 0;
}

void profile_free(struct profile *p)
{
	for (int i = 0; i < p->n_sets; i++)
		free(p->sets[i].prefixes);
	free(p->sets);
	free(p->plans);
	free(p->links);
	free(p->refused_zones);
	free(p->zones);
	free(p->routes);
	free(p->services);
	free(p->rules);
	for (int i = 0; i < p->n_files; i++)
		free(p->files[i]);
	free(p->files);
	config_destroy(&p->cfg);
	cfgfile_free(&p->cf);
	memset(p, 0, sizeof(*p));
}
