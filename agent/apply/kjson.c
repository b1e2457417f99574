// SPDX-License-Identifier: BSD-2-Clause
/*
 * Kernel state <-> JSON.  Only the fields the kernel holds are written; the
 * desired state's annotations (zones, origins) are not part of it.
 */
#include "agent/apply/kjson.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "agent/fw/fw.h"
#include "common/log.h"
#include "common/render.h"

static const char *const kind_names[] = {"physical", "bridge", "vxlan", NULL};
static const char *const type_names[] = {"unicast", "blackhole",
					 "unreachable", NULL};

static json_t *link_json(const struct ds_link *l)
{
	json_t *o = json_pack("{s:s, s:s, s:i, s:b}", "name", l->name, "kind",
			      kind_names[l->kind], "mtu", l->mtu, "up", l->up);
	json_t *addrs = json_array(), *ports = json_array(),
	       *rem = json_array();

	for (int i = 0; i < l->n_addrs; i++)
		json_array_append_new(addrs, render_json_prefix(&l->addrs[i]));
	for (int i = 0; i < l->n_ports; i++)
		json_array_append_new(ports, json_string(l->ports[i]));
	for (int i = 0; i < l->n_remotes; i++)
		json_array_append_new(rem, render_json_addr(&l->remotes[i]));
	json_object_set_new(o, "addresses", addrs);
	json_object_set_new(o, "ports", ports);
	if (l->kind == KIND_VXLAN) {
		json_object_set_new(o, "vni", json_integer(l->vni));
		json_object_set_new(o, "port", json_integer(l->port));
		json_object_set_new(o, "underlay", json_string(l->underlay));
		json_object_set_new(o, "local", render_json_addr(&l->local));
		json_object_set_new(o, "remotes", rem);
	} else {
		json_decref(rem);
	}
	return o;
}

json_t *kstate_to_json(const struct kstate *ks)
{
	json_t *links = json_array(), *rules = json_array(),
	       *routes = json_array();

	for (int i = 0; i < ks->n_links; i++)
		json_array_append_new(links, link_json(&ks->links[i]));
	for (int i = 0; i < ks->n_rules; i++) {
		const struct ds_rule *r = &ks->rules[i];
		json_t *o = json_pack("{s:i, s:i, s:I}", "family", r->family,
				      "priority", r->priority, "table",
				      (json_int_t)r->table);

		if (r->iif[0])
			json_object_set_new(o, "iif", json_string(r->iif));
		else
			json_object_set_new(o, "from", render_json_prefix(&r->from));
		json_array_append_new(rules, o);
	}
	for (int i = 0; i < ks->n_routes; i++) {
		const struct ds_route *r = &ks->routes[i];
		json_t *nhs = json_array();

		for (int n = 0; n < r->n_nh; n++)
			json_array_append_new(
				nhs, json_pack("{s:o, s:s}", "via",
					       render_json_addr(&r->nh[n].gw), "dev",
					       r->nh[n].dev));
		json_array_append_new(
			routes,
			json_pack("{s:i, s:I, s:o, s:s, s:b, s:i, s:o, s:o}",
				  "family", r->family, "table",
				  (json_int_t)r->table, "dst", render_json_prefix(&r->dst),
				  "type", type_names[r->type], "link_scope",
				  r->scope == SCOPE_LINK, "metric", r->metric,
				  "prefsrc", render_json_addr(&r->prefsrc), "nexthops",
				  nhs));
	}
	json_t *j = json_pack("{s:i, s:o, s:o, s:o}", "format", 1, "links",
			      links, "rules", rules, "routes", routes);

	if (ks->fw)
		json_object_set_new(j, "firewall", fw_to_json(ks->fw));
	return j;
}

/* ---- reading ------------------------------------------------------------ */

#define BAD(...)                                                               \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EINVAL;                                                \
	} while (0)

static int get_addr(const json_t *v, struct ip_addr *out, bool nullable,
		    char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (nullable && json_is_null(v))
		return 0;
	if (!json_is_string(v))
		BAD("an address must be a string");
	return ip_parse_addr(json_string_value(v), out, err, errlen);
}

static int get_prefix(const json_t *v, struct ip_prefix *out, char *err,
		      size_t errlen)
{
	if (!json_is_string(v))
		BAD("a prefix must be a string");
	return ip_parse_prefix(json_string_value(v), false, out, err, errlen);
}

static int get_name(const json_t *v, char *out, char *err, size_t errlen)
{
	if (!json_is_string(v) || strlen(json_string_value(v)) >= IFNAMSIZ)
		BAD("an interface name must be a string of at most %d "
		    "characters", IFNAMSIZ - 1);
	snprintf(out, IFNAMSIZ, "%s", json_string_value(v));
	return 0;
}

/*
 * Member @key of @o as an integer in [lo, hi] into *out: false when it is
 * absent, not an integer or out of range (a state file that says mtu -1
 * or table 2^40 is refused, not cast).
 */
static bool int_in(const json_t *o, const char *key, long long lo,
		   long long hi, long long *out)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return false;
	*out = json_integer_value(v);
	return true;
}

static int word(const json_t *v, const char *const *words)
{
	for (int i = 0; json_is_string(v) && words[i]; i++)
		if (!strcmp(words[i], json_string_value(v)))
			return i;
	return -1;
}

static int read_link(const json_t *o, struct ds_link *l, char *err,
		     size_t errlen)
{
	const json_t *a;
	long long v, w;
	size_t i;
	int rc;

	if (!json_is_object(o))
		BAD("not an object");
	if ((rc = get_name(json_object_get(o, "name"), l->name, err, errlen)))
		return rc;
	l->kind = word(json_object_get(o, "kind"), kind_names);
	if (l->kind < 0)
		BAD("%s: unknown kind", l->name);
	if (!int_in(o, "mtu", 0, 65536, &v) ||
	    !json_is_boolean(json_object_get(o, "up")))
		BAD("%s: mtu (0 to 65536) and up are required", l->name);
	l->mtu = (int)v;
	l->up = json_is_true(json_object_get(o, "up"));
	a = json_object_get(o, "addresses");
	if (!json_is_array(a))
		BAD("%s: addresses must be an array", l->name);
	for (i = 0; i < json_array_size(a); i++) {
		struct ip_prefix p;

		if ((rc = get_prefix(json_array_get(a, i), &p, err, errlen)))
			return rc;
		kstate_link_add_addr(l, &p);
	}
	a = json_object_get(o, "ports");
	if (!json_is_array(a) || json_array_size(a) > NC_MAX_PORTS)
		BAD("%s: ports must be an array of at most %d", l->name,
		    NC_MAX_PORTS);
	for (i = 0; i < json_array_size(a); i++)
		if ((rc = get_name(json_array_get(a, i), l->ports[l->n_ports++],
				   err, errlen)))
			return rc;
	if (l->kind != KIND_VXLAN)
		return 0;
	if (!int_in(o, "vni", 1, 16777215, &v) ||
	    !int_in(o, "port", 1, 65535, &w))
		BAD("%s: vni or port out of range", l->name);
	l->vni = (int)v;
	l->port = (int)w;
	if (json_is_string(json_object_get(o, "underlay")) &&
	    (rc = get_name(json_object_get(o, "underlay"), l->underlay, err,
			   errlen)))
		return rc;
	if ((rc = get_addr(json_object_get(o, "local"), &l->local, true, err,
			   errlen)))
		return rc;
	a = json_object_get(o, "remotes");
	if (!json_is_array(a))
		BAD("%s: remotes must be an array", l->name);
	for (i = 0; i < json_array_size(a); i++) {
		struct ip_addr r;

		if ((rc = get_addr(json_array_get(a, i), &r, false, err,
				   errlen)))
			return rc;
		kstate_link_add_remote(l, &r);
	}
	return 0;
}

static int read_rule(const json_t *o, struct ds_rule *r, char *err,
		     size_t errlen)
{
	long long fam, prio, table;
	const json_t *v;

	if (!json_is_object(o) || !int_in(o, "family", 0, 255, &fam) ||
	    !int_in(o, "priority", 0, INT_MAX, &prio) ||
	    !int_in(o, "table", 1, UINT32_MAX, &table))
		BAD("a rule needs family, priority (0 to %d) and table (1 to "
		    "%u)", INT_MAX, UINT32_MAX);
	r->family = (int)fam;
	r->priority = (int)prio;
	r->table = (unsigned)table;
	if (r->family != AF_INET && r->family != AF_INET6)
		BAD("rule %d: bad family", r->priority);
	if ((v = json_object_get(o, "iif")))
		return get_name(v, r->iif, err, errlen);
	if ((v = json_object_get(o, "from")))
		return get_prefix(v, &r->from, err, errlen);
	BAD("rule %d: needs iif or from", r->priority);
}

static int read_route(const json_t *o, struct ds_route *r, char *err,
		      size_t errlen)
{
	long long fam, table, metric;
	const json_t *nhs;
	int rc;

	if (!json_is_object(o))
		BAD("a route must be an object");
	if (!int_in(o, "family", 0, 255, &fam) ||
	    !int_in(o, "table", 1, UINT32_MAX, &table) ||
	    !int_in(o, "metric", 0, INT_MAX, &metric))
		BAD("a route needs family, table (1 to %u) and metric (0 to "
		    "%d)", UINT32_MAX, INT_MAX);
	r->family = (int)fam;
	r->table = (unsigned)table;
	r->metric = (int)metric;
	r->type = word(json_object_get(o, "type"), type_names);
	r->scope = json_is_true(json_object_get(o, "link_scope")) ? SCOPE_LINK
								  : SCOPE_UNIVERSE;
	if (r->type < 0 || (r->family != AF_INET && r->family != AF_INET6))
		BAD("a route needs family and a known type");
	if ((rc = get_prefix(json_object_get(o, "dst"), &r->dst, err, errlen)) ||
	    (rc = get_addr(json_object_get(o, "prefsrc"), &r->prefsrc, true,
			   err, errlen)))
		return rc;
	nhs = json_object_get(o, "nexthops");
	if (!json_is_array(nhs) || json_array_size(nhs) > MAX_VIA)
		BAD("route nexthops must be an array of at most %d", MAX_VIA);
	for (size_t i = 0; i < json_array_size(nhs); i++) {
		const json_t *nh = json_array_get(nhs, i);
		struct ds_nh *d = &r->nh[r->n_nh++];

		if ((rc = get_addr(json_object_get(nh, "via"), &d->gw, true,
				   err, errlen)))
			return rc;
		if (json_is_string(json_object_get(nh, "dev")) &&
		    (rc = get_name(json_object_get(nh, "dev"), d->dev, err,
				   errlen)))
			return rc;
	}
	return 0;
}

int kstate_from_json(const json_t *j, struct kstate *ks, char *err,
		     size_t errlen)
{
	const json_t *links = json_object_get(j, "links"),
		     *rules = json_object_get(j, "rules"),
		     *routes = json_object_get(j, "routes");
	char e[200];
	int rc = 0;

	memset(ks, 0, sizeof(*ks));
	if (json_integer_value(json_object_get(j, "format")) != 1 ||
	    !json_is_array(links) || !json_is_array(rules) ||
	    !json_is_array(routes)) {
		snprintf(err, errlen, "not an egnet state (format 1 with "
			 "links, rules and routes)");
		return -EINVAL;
	}
	for (size_t i = 0; i < json_array_size(links) && !rc; i++) {
		struct ds_link *l = kstate_add_link(ks, NULL);

		if ((rc = read_link(json_array_get(links, i), l, e, sizeof(e))))
			snprintf(err, errlen, "links[%zu]: %s", i, e);
	}
	if (!rc && json_array_size(rules)) {
		ks->rules = xcalloc(json_array_size(rules), sizeof(*ks->rules));
		for (size_t i = 0; i < json_array_size(rules) && !rc; i++) {
			rc = read_rule(json_array_get(rules, i),
				       &ks->rules[ks->n_rules++], e, sizeof(e));
			if (rc)
				snprintf(err, errlen, "rules[%zu]: %s", i, e);
		}
	}
	if (!rc && json_array_size(routes)) {
		ks->routes =
			xcalloc(json_array_size(routes), sizeof(*ks->routes));
		for (size_t i = 0; i < json_array_size(routes) && !rc; i++) {
			rc = read_route(json_array_get(routes, i),
					&ks->routes[ks->n_routes++], e,
					sizeof(e));
			if (rc)
				snprintf(err, errlen, "routes[%zu]: %s", i, e);
		}
	}
	if (!rc && json_object_get(j, "firewall")) {
		rc = fw_from_json(json_object_get(j, "firewall"), &ks->fw, e,
				  sizeof(e));
		if (rc)
			snprintf(err, errlen, "%s", e);
	}
	if (rc)
		kstate_free(ks);
	return rc;
}
