// SPDX-License-Identifier: BSD-2-Clause
/*
 * Text and JSON forms of the desired state.  The text form reads like the
 * iproute2 and nft listings engineers know, one object per line.
 */
#include "common/render.h"

#include <string.h>

#include "common/fwpolicy.h"

static const char *const type_words[] = {"unicast", "blackhole",
					 "unreachable"};
static const char *const method_words[] = {"udp", "icmp"};

static const char *fam_name(int af)
{
	return af == AF_INET6 ? "ipv6" : "ipv4";
}

static char *dst_str(const struct ip_prefix *p, char *buf, size_t len)
{
	if (p->len == 0)
		snprintf(buf, len, "default");
	else
		ip_format_prefix(p, buf, len);
	return buf;
}

/* One zone's interfaces, for the firewall's interface sets. */
static void zone_ifaces(const struct desired *ds, const char *zone, FILE *out)
{
	for (int i = 0; i < ds->n_links; i++)
		if (!strcmp(ds->links[i].zone, zone))
			fprintf(out, " %s", ds->links[i].name);
}

static void text_links(const struct desired *ds, FILE *out)
{
	char b[IP_STRLEN];

	fprintf(out, "\nlinks\n");
	for (int i = 0; i < ds->n_links; i++) {
		const struct ds_link *l = &ds->links[i];

		fprintf(out, "  %-15s %-8s %-8s mtu %d %s zone %s\n", l->name,
			link_role_words[l->role], link_kind_words[l->kind],
			l->mtu, l->up ? "up" : "down", l->zone);
		if (l->kind == KIND_BRIDGE) {
			fprintf(out, "    ports");
			for (int p = 0; p < l->n_ports; p++)
				fprintf(out, " %s", l->ports[p]);
			fprintf(out, "%s\n", l->n_ports ? "" : " (none)");
		}
		if (l->kind == KIND_VXLAN) {
			fprintf(out, "    vni %d port %d dev %s local %s\n",
				l->vni, l->port,
				l->underlay[0] ? l->underlay : "-",
				l->local.family ? ip_format_addr(&l->local, b,
								 sizeof(b))
						: "any");
			for (int r = 0; r < l->n_remotes; r++)
				fprintf(out, "    remote %s\n",
					ip_format_addr(&l->remotes[r], b,
						       sizeof(b)));
		}
		for (int a = 0; a < l->n_addrs; a++)
			fprintf(out, "    address %s\n",
				ip_format_prefix(&l->addrs[a], b, sizeof(b)));
	}
}

static void text_routes(const struct desired *ds, FILE *out)
{
	char b[IP_STRLEN];
	const struct profile *p = ds->p;

	fprintf(out, "\nroutes (proto egnet)\n");
	for (int z = 0; z < p->n_zones; z++) {
		fprintf(out, "  table %d (%s)\n", p->zones[z].table,
			p->zones[z].name);
		for (int i = 0; i < ds->n_routes; i++) {
			const struct ds_route *r = &ds->routes[i];

			if (strcmp(r->zone, p->zones[z].name))
				continue;
			fprintf(out, "    %s ", fam_name(r->family));
			if (r->type != RT_UNICAST)
				fprintf(out, "%s ", type_words[r->type]);
			fprintf(out, "%s", dst_str(&r->dst, b, sizeof(b)));
			for (int n = 0; n < r->n_nh; n++) {
				if (r->n_nh > 1)
					fprintf(out, " nexthop");
				if (r->nh[n].gw.family)
					fprintf(out, " via %s",
						ip_format_addr(&r->nh[n].gw, b,
							       sizeof(b)));
				if (r->nh[n].dev[0])
					fprintf(out, " dev %s", r->nh[n].dev);
			}
			if (r->scope == SCOPE_LINK)
				fprintf(out, " scope link src %s",
					ip_format_addr(&r->prefsrc, b,
						       sizeof(b)));
			if (r->metric)
				fprintf(out, " metric %d", r->metric);
			fprintf(out, "  # %s\n", r->why);
		}
	}
}

static void text_firewall(const struct desired *ds, FILE *out)
{
	const struct profile *p = ds->p;
	char b[64];

	fprintf(out, "\nfirewall (table inet egnet)\n");
	for (int z = 0; z < p->n_zones; z++) {
		fprintf(out, "  zone %-12s", p->zones[z].name);
		zone_ifaces(ds, p->zones[z].name, out);
		fprintf(out, "\n");
	}
	for (int i = 0; i < p->n_services; i++) {
		if (p->services[i].builtin)
			continue;
		fprintf(out, "  service %s %s\n", p->services[i].name,
			fwpolicy_service_str(&p->services[i], b, sizeof(b)));
	}
	for (int i = 0; i < p->n_sets; i++) {
		fprintf(out, "  set %s", p->sets[i].name);
		for (int j = 0; j < p->sets[i].n; j++)
			fprintf(out, " %s",
				ip_format_prefix(&p->sets[i].prefixes[j], b,
						 sizeof(b)));
		fprintf(out, "\n");
	}
	fprintf(out, "  established,related accept\n");
	fprintf(out, "  icmpv6 neighbour discovery to local accept\n");
	for (int i = 0; i < ds->n_links; i++) {
		const struct ds_link *l = &ds->links[i];
		char ab[IP_STRLEN];

		if (l->kind != KIND_VXLAN || !l->underlay[0])
			continue;
		for (int r = 0; r < l->n_remotes; r++)
			fprintf(out, "  overlay %s: udp/%d from %s on %s to local "
				"accept counter\n", l->name, l->port,
				ip_format_addr(&l->remotes[r], ab, sizeof(ab)),
				l->underlay);
	}
	for (int i = 0; i < p->n_rules; i++) {
		const struct prof_rule *r = &p->rules[i];

		fprintf(out, "  %s -> %s", r->from, r->to);
		if (r->peers[0])
			fprintf(out, " from @%s", r->peers);
		if (!r->n_services)
			fprintf(out, " any");
		for (int s = 0; s < r->n_services; s++) {
			const struct prof_service *sv =
				profile_service(p, r->services[s]);

			fprintf(out, " %s(%s)", r->services[s],
				sv ? fwpolicy_service_str(sv, b, sizeof(b))
				   : "?");
		}
		fprintf(out, " %s counter\n", r->accept ? "accept" : "drop");
	}
	fprintf(out, "  otherwise drop, log \"egnet drop FROM>TO\" at %s, "
		"counter\n", p->log_rate);
}

static void text_probes(const struct desired *ds, FILE *out)
{
	const struct prof_probe *pr = &ds->p->probe;
	char cb[CODE_STRLEN], b[IP_STRLEN];

	fprintf(out, "\nprobes\n");
	fprintf(out, "  egnet echo udp/%d every %d ms; down after %d misses, "
		"up after %d answers; window %d\n", pr->port, pr->interval_ms,
		pr->down_after, pr->up_after, pr->window);
	if (!ds->have_inventory)
		fprintf(out, "  (no inventory: children unknown)\n");
	for (int i = 0; i < ds->n_targets; i++) {
		const struct ds_target *t = &ds->targets[i];

		fprintf(out, "  %-7s %s %-4s", target_rel_words[t->rel],
			code_format(t->code, cb), method_words[t->method]);
		for (int f = 0; f < FAM_COUNT; f++)
			if (t->has[f])
				fprintf(out, " %s",
					ip_format_addr(&t->addr[f], b,
						       sizeof(b)));
		if (t->name[0])
			fprintf(out, "  %s", t->name);
		fprintf(out, "%s\n", t->from_inventory ? " (inventory)" : "");
	}
}

void render_text(const struct desired *ds, FILE *out)
{
	const struct profile *p = ds->p;
	char cb[CODE_STRLEN], pb[CODE_STRLEN], b[IP_STRLEN];

	fprintf(out, "node %s %s \"%s\"\n", code_format(ds->code, cb),
		code_level_name(code_level(ds->code)), ds->nc->name);
	if (code_level(ds->code) != LEVEL_PROVINCE)
		fprintf(out, "parent %s\n", code_format(ds->parent, pb));
	fprintf(out, "profile %s version %s level %s\n", p->name, p->version,
		code_level_name(p->level));
	fprintf(out, "drift %s\n", drift_words[ds->nc->drift]);

	text_links(ds, out);

	fprintf(out, "\nzones\n");
	for (int z = 0; z < p->n_zones; z++)
		fprintf(out, "  %-12s table %d%s%s\n", p->zones[z].name,
			p->zones[z].table, p->zones[z].desc[0] ? "  # " : "",
			p->zones[z].desc);

	fprintf(out, "\nrules\n");
	for (int i = 0; i < ds->n_rules; i++) {
		const struct ds_rule *r = &ds->rules[i];

		fprintf(out, "  %d %s ", r->priority, fam_name(r->family));
		if (r->iif[0])
			fprintf(out, "iif %s", r->iif);
		else
			fprintf(out, "from %s",
				ip_format_prefix(&r->from, b, sizeof(b)));
		fprintf(out, " lookup %u  # %s\n", r->table, r->zone);
	}
	text_routes(ds, out);
	text_firewall(ds, out);
	text_probes(ds, out);
}

/* ---- JSON --------------------------------------------------------------- */

json_t *render_json_addr(const struct ip_addr *a)
{
	char b[IP_STRLEN];

	return a->family ? json_string(ip_format_addr(a, b, sizeof(b)))
			 : json_null();
}

json_t *render_json_prefix(const struct ip_prefix *p)
{
	char b[IP_STRLEN];

	return json_string(ip_format_prefix(p, b, sizeof(b)));
}

static json_t *json_links(const struct desired *ds)
{
	json_t *arr = json_array();

	for (int i = 0; i < ds->n_links; i++) {
		const struct ds_link *l = &ds->links[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:b, s:s, s:i}",
				      "name", l->name, "role",
				      link_role_words[l->role], "kind",
				      link_kind_words[l->kind], "mtu", l->mtu,
				      "up", l->up, "zone", l->zone, "table",
				      (int)l->table);
		json_t *addrs = json_array();

		for (int a = 0; a < l->n_addrs; a++)
			json_array_append_new(addrs, render_json_prefix(&l->addrs[a]));
		json_object_set_new(o, "addresses", addrs);
		if (l->kind == KIND_BRIDGE) {
			json_t *ports = json_array();

			for (int p = 0; p < l->n_ports; p++)
				json_array_append_new(ports,
						      json_string(l->ports[p]));
			json_object_set_new(o, "ports", ports);
		}
		if (l->kind == KIND_VXLAN) {
			json_t *rem = json_array();

			json_object_set_new(o, "vni", json_integer(l->vni));
			json_object_set_new(o, "port", json_integer(l->port));
			json_object_set_new(o, "underlay",
					    json_string(l->underlay));
			json_object_set_new(o, "local",
					    l->local.family ? render_json_addr(&l->local)
							    : json_null());
			for (int r = 0; r < l->n_remotes; r++)
				json_array_append_new(rem,
						      render_json_addr(&l->remotes[r]));
			json_object_set_new(o, "remotes", rem);
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *json_routes(const struct desired *ds)
{
	json_t *arr = json_array();

	for (int i = 0; i < ds->n_routes; i++) {
		const struct ds_route *r = &ds->routes[i];
		json_t *nhs = json_array();
		json_t *o = json_pack(
			"{s:s, s:i, s:s, s:o, s:s, s:s, s:i, s:s}", "family",
			fam_name(r->family), "table", (int)r->table, "zone",
			r->zone, "dst", render_json_prefix(&r->dst), "type",
			type_words[r->type], "scope",
			r->scope == SCOPE_LINK ? "link" : "universe", "metric",
			r->metric, "origin", r->why);

		for (int n = 0; n < r->n_nh; n++) {
			json_t *nh = json_object();

			if (r->nh[n].gw.family)
				json_object_set_new(nh, "via",
						    render_json_addr(&r->nh[n].gw));
			if (r->nh[n].dev[0])
				json_object_set_new(nh, "dev",
						    json_string(r->nh[n].dev));
			json_array_append_new(nhs, nh);
		}
		json_object_set_new(o, "nexthops", nhs);
		if (r->scope == SCOPE_LINK)
			json_object_set_new(o, "prefsrc", render_json_addr(&r->prefsrc));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *json_firewall(const struct desired *ds)
{
	const struct profile *p = ds->p;
	json_t *zones = json_object(), *rules = json_array(),
	       *svcs = json_object(), *sets = json_object();
	char b[64];

	for (int z = 0; z < p->n_zones; z++) {
		json_t *ifs = json_array();

		for (int i = 0; i < ds->n_links; i++)
			if (!strcmp(ds->links[i].zone, p->zones[z].name))
				json_array_append_new(
					ifs, json_string(ds->links[i].name));
		json_object_set_new(zones, p->zones[z].name, ifs);
	}
	for (int i = 0; i < p->n_services; i++)
		json_object_set_new(svcs, p->services[i].name,
				    json_string(fwpolicy_service_str(
					    &p->services[i], b, sizeof(b))));
	for (int i = 0; i < p->n_sets; i++) {
		json_t *a = json_array();

		for (int j = 0; j < p->sets[i].n; j++)
			json_array_append_new(a,
					      render_json_prefix(&p->sets[i].prefixes[j]));
		json_object_set_new(sets, p->sets[i].name, a);
	}
	for (int i = 0; i < p->n_rules; i++) {
		const struct prof_rule *r = &p->rules[i];
		json_t *s = json_array();

		for (int j = 0; j < r->n_services; j++)
			json_array_append_new(s, json_string(r->services[j]));
		json_array_append_new(
			rules, json_pack("{s:s, s:s, s:o, s:s*, s:s}", "from",
					 r->from, "to", r->to, "services", s,
					 "peers", r->peers[0] ? r->peers : NULL,
					 "action",
					 r->accept ? "accept" : "drop"));
	}
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:s}", "table",
			 "inet egnet", "zones", zones, "services", svcs,
			 "sets", sets, "rules", rules, "log_rate",
			 p->log_rate);
}

static json_t *json_probes(const struct desired *ds)
{
	const struct prof_probe *pr = &ds->p->probe;
	json_t *targets = json_array();
	char cb[CODE_STRLEN];

	for (int i = 0; i < ds->n_targets; i++) {
		const struct ds_target *t = &ds->targets[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "code",
				      code_format(t->code, cb), "name", t->name,
				      "relation", target_rel_words[t->rel], "method",
				      method_words[t->method]);

		json_object_set_new(o, "ipv4",
				    t->has[FAM_V4] ? render_json_addr(&t->addr[FAM_V4])
						   : json_null());
		json_object_set_new(o, "ipv6",
				    t->has[FAM_V6] ? render_json_addr(&t->addr[FAM_V6])
						   : json_null());
		json_array_append_new(targets, o);
	}
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:o}", "port", pr->port,
			 "interval_ms", pr->interval_ms, "down_after",
			 pr->down_after, "up_after", pr->up_after, "window",
			 pr->window, "targets", targets);
}

json_t *render_json(const struct desired *ds)
{
	const struct profile *p = ds->p;
	char cb[CODE_STRLEN], pb[CODE_STRLEN];
	json_t *zones = json_array(), *rules = json_array();
	char b[IP_STRLEN];

	for (int z = 0; z < p->n_zones; z++)
		json_array_append_new(zones,
				      json_pack("{s:s, s:i, s:s}", "name",
						p->zones[z].name, "table",
						p->zones[z].table,
						"description",
						p->zones[z].desc));
	for (int i = 0; i < ds->n_rules; i++) {
		const struct ds_rule *r = &ds->rules[i];
		json_t *o = json_pack("{s:s, s:i, s:i, s:s}", "family",
				      fam_name(r->family), "priority",
				      r->priority, "table", (int)r->table,
				      "zone", r->zone);

		if (r->iif[0])
			json_object_set_new(o, "iif", json_string(r->iif));
		else
			json_object_set_new(o, "from",
					    json_string(ip_format_prefix(
						    &r->from, b, sizeof(b))));
		json_array_append_new(rules, o);
	}
	return json_pack(
		"{s:{s:s, s:s, s:s, s:s*}, s:{s:s, s:s, s:s}, s:s, s:o, s:o, "
		"s:o, s:o, s:o, s:o}",
		"node", "code", code_format(ds->code, cb), "name",
		ds->nc->name, "level", code_level_name(code_level(ds->code)),
		"parent",
		code_level(ds->code) == LEVEL_PROVINCE
			? NULL
			: code_format(ds->parent, pb),
		"profile", "name", p->name, "version", p->version, "level",
		code_level_name(p->level), "drift", drift_words[ds->nc->drift],
		"links", json_links(ds), "zones", zones, "rules", rules,
		"routes", json_routes(ds), "firewall", json_firewall(ds),
		"probes", json_probes(ds));
}
