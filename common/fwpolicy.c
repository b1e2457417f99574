// SPDX-License-Identifier: BSD-2-Clause
/*
 * Firewall policy of a profile.  The builtin services are the ones every
 * gateway of the extranet needs (management, monitoring, egnet itself); a
 * profile may add its own.  A rule's absent services list means any.
 */
#include "common/fwpolicy.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"
#include "common/log.h"
#include "common/profile.h"

const char *const svc_proto_words[] = {"tcp", "udp", "icmp", "any", NULL};

struct svc_raw {
	char name[NAME_LEN];
	int proto, port, port_end;
};

static const struct cfg_opt svc_opts[] = {
	{"name", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct svc_raw, name), NAME_LEN},
	{"proto", CFG_ENUM, true, 0, 0, 0, NULL, svc_proto_words,
	 offsetof(struct svc_raw, proto), 0},
	{"port", CFG_INT, false, 1, 65535, 0, NULL, NULL,
	 offsetof(struct svc_raw, port), 0},
	{"port_end", CFG_INT, false, 1, 65535, 0, NULL, NULL,
	 offsetof(struct svc_raw, port_end), 0},
	CFG_END,
};

struct fw_raw {
	char log_rate[NAME_LEN];
	int collector_port;
};

static const struct cfg_opt fw_opts[] = {
	{"log_rate", CFG_STR, false, 1, 0, 0, "10/minute", NULL,
	 offsetof(struct fw_raw, log_rate), NAME_LEN},
	{"collector_port", CFG_INT, false, 1, 65535, 8443, NULL, NULL,
	 offsetof(struct fw_raw, collector_port), 0},
	{"services", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"sets", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"rules", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	CFG_END,
};

struct rule_raw {
	char from[NAME_LEN], to[NAME_LEN], peers[NAME_LEN];
	int action;
};

static const char *const action_words[] = {"accept", "drop", NULL};

static const struct cfg_opt rule_opts[] = {
	{"from", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct rule_raw, from), NAME_LEN},
	{"to", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct rule_raw, to), NAME_LEN},
	{"services", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"peers", CFG_STR, false, 1, 0, 0, "", NULL,
	 offsetof(struct rule_raw, peers), NAME_LEN},
	{"action", CFG_ENUM, true, 0, 0, 0, NULL, action_words,
	 offsetof(struct rule_raw, action), 0},
	CFG_END,
};

char *fwpolicy_service_str(const struct prof_service *s, char *buf,
			   size_t len)
{
	if (s->proto == PROTO_ICMP || s->proto == PROTO_ANY)
		snprintf(buf, len, "%s", svc_proto_words[s->proto]);
	else if (s->port_hi > s->port_lo)
		snprintf(buf, len, "%s/%d-%d", svc_proto_words[s->proto],
			 s->port_lo, s->port_hi);
	else
		snprintf(buf, len, "%s/%d", svc_proto_words[s->proto],
			 s->port_lo);
	return buf;
}

static void add_service(struct profile *p, const char *name, int proto,
			int lo, int hi, bool builtin, struct src src)
{
	struct prof_service *s;

	p->services = xrealloc(p->services,
			       (size_t)(p->n_services + 1) * sizeof(*s));
	s = &p->services[p->n_services++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->proto = proto;
	s->port_lo = lo;
	s->port_hi = hi ? hi : lo;
	s->builtin = builtin;
	s->src = src;
}

static void add_builtins(struct profile *p, int collector_port)
{
	const struct src none = {NULL, 0};

	add_service(p, "ssh", PROTO_TCP, 22, 0, true, none);
	add_service(p, "snmp", PROTO_UDP, 161, 0, true, none);
	add_service(p, "snmp-trap", PROTO_UDP, 162, 0, true, none);
	add_service(p, "egnet-probe", PROTO_UDP, p->probe.port, 0, true, none);
	add_service(p, "egnet-collector", PROTO_TCP, collector_port, 0, true,
		    none);
	add_service(p, "http", PROTO_TCP, 80, 0, true, none);
	add_service(p, "https", PROTO_TCP, 443, 0, true, none);
	add_service(p, "dns", PROTO_UDP, 53, 0, true, none);
	add_service(p, "dns-tcp", PROTO_TCP, 53, 0, true, none);
	add_service(p, "ntp", PROTO_UDP, 123, 0, true, none);
	add_service(p, "bgp", PROTO_TCP, 179, 0, true, none);
	add_service(p, "icmp", PROTO_ICMP, 0, 0, true, none);
}

/* "N/UNIT", N 1..100000 in plain digits, nothing around it: sscanf would
 * take blanks before N, a sign, and wrap. */
static bool rate_ok(const char *s)
{
	unsigned long n = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9' && p - s < 7; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	if (p == s || *p != '/' || n == 0 || n > 100000)
		return false;
	p++;
	return !strcmp(p, "second") || !strcmp(p, "minute") ||
	       !strcmp(p, "hour");
}

static void load_services(struct profile *p, struct diag *d,
			  const config_setting_t *list)
{
	if (!list)
		return;
	if (!config_setting_is_list(list)) {
		cfg_problem(d, list, p->path, "must be a list ( {...}, ... )");
		return;
	}
	for (int i = 0; i < config_setting_length(list); i++) {
		config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct svc_raw raw;
		const struct prof_service *old;

		memset(&raw, 0, sizeof(raw));
		if (!config_setting_is_group(g)) {
			cfg_problem(d, g, p->path, "must be a group { ... }");
			continue;
		}
		if (cfg_read(d, g, p->path, svc_opts, &raw))
			continue;
		old = profile_service(p, raw.name);
		if (old) {
			cfg_problem(d, g, p->path, "service '%s' is already "
				    "defined%s", raw.name,
				    old->builtin ? " (builtin)" : "");
			continue;
		}
		if ((raw.proto == PROTO_TCP || raw.proto == PROTO_UDP) &&
		    !raw.port) {
			cfg_problem(d, g, p->path, "a %s service needs a port",
				    svc_proto_words[raw.proto]);
			continue;
		}
		if (raw.port_end && raw.port_end < raw.port) {
			cfg_problem(d, config_setting_get_member(g, "port_end"),
				    p->path, "%d is below port %d",
				    raw.port_end, raw.port);
			continue;
		}
		add_service(p, raw.name, raw.proto, raw.port, raw.port_end,
			    false, profile_src(p, g));
	}
}

/*
 * The prefix just parsed (ps->prefixes[ps->n]) repeats or overlaps one
 * already in the set (at lines[k]): a mistake in the list, and the kernel
 * refuses overlapping elements of an interval set.
 */
static bool set_twice(struct diag *d, const char *file,
		      const config_setting_t *e, const struct prof_set *ps,
		      const int *lines)
{
	const struct ip_prefix *q = &ps->prefixes[ps->n];
	char qb[IP_STRLEN + 8], ob[IP_STRLEN + 8];

	for (int k = 0; k < ps->n; k++) {
		const struct ip_prefix *o = &ps->prefixes[k];

		if (!ip_prefix_overlap(o, q))
			continue;
		ip_format_prefix(q, qb, sizeof(qb));
		ip_format_prefix(o, ob, sizeof(ob));
		if (o->len == q->len)
			cfg_problem(d, e, file, "'%s' is listed twice in set "
				    "%s (first at line %d)", qb, ps->name,
				    lines[k]);
		else
			cfg_problem(d, e, file, "'%s' %s '%s' (line %d) of "
				    "set %s", qb, q->len > o->len ? "is inside"
				    : "holds", ob, lines[k], ps->name);
		return true;
	}
	return false;
}

static int prefix_qcmp(const void *a, const void *b)
{
	const struct ip_prefix *x = *(const struct ip_prefix *const *)a;
	const struct ip_prefix *y = *(const struct ip_prefix *const *)b;
	int c = ip_cmp(&x->addr, &y->addr);

	return c ? c : (int)x->len - (int)y->len;
}

/*
 * The set's prefixes, read in file order, with a prefix that repeats,
 * holds or is inside one kept before it refused and dropped.  Prefixes
 * nest or are apart, so sorted by address a set with no such pair has
 * none between neighbours: that is checked first, in O(n log n), and the
 * pairwise pass in file order (which names each refused prefix against
 * the one it meets) runs only for a set that has one.
 */
static void drop_overlaps(struct diag *d, const char *file,
			  struct prof_set *ps, const config_setting_t **elems,
			  int *lines)
{
	const struct ip_prefix **v = xcalloc((size_t)ps->n + 1, sizeof(*v));
	bool any = false;
	int n = ps->n;

	for (int i = 0; i < n; i++)
		v[i] = &ps->prefixes[i];
	qsort(v, (size_t)n, sizeof(*v), prefix_qcmp);
	for (int i = 1; i < n && !any; i++)
		any = ip_prefix_overlap(v[i - 1], v[i]);
	free(v);
	if (!any)
		return;
	ps->n = 0;
	for (int i = 0; i < n; i++) {
		struct ip_prefix q = ps->prefixes[i];
		int line = lines[i];

		ps->prefixes[ps->n] = q;
		if (set_twice(d, file, elems[i], ps, lines))
			continue;
		lines[ps->n++] = line;
	}
}

static void load_sets(struct profile *p, struct diag *d,
		      const config_setting_t *sets)
{
	int n;

	if (!sets)
		return;
	if (!config_setting_is_group(sets)) {
		cfg_problem(d, sets, p->path, "must be a group of named "
			    "address lists");
		return;
	}
	n = config_setting_length(sets);
	p->sets = xcalloc((size_t)n, sizeof(*p->sets));
	int *lines = NULL; /* of the set's prefixes read */
	const config_setting_t **elems = NULL; /* and their settings */

	for (int i = 0; i < n; i++) {
		config_setting_t *a = config_setting_get_elem(sets, (unsigned)i);
		struct prof_set *ps = &p->sets[p->n_sets];
		int m = config_setting_length(a);

		if (!config_setting_is_array(a) && !config_setting_is_list(a)) {
			cfg_problem(d, a, p->path, "must be an array of "
				    "prefixes [ \"...\", ... ]");
			continue;
		}
		snprintf(ps->name, sizeof(ps->name), "%s",
			 config_setting_name(a));
		ps->src = profile_src(p, a);
		ps->prefixes = xcalloc((size_t)m, sizeof(*ps->prefixes));
		lines = xrealloc(lines, (size_t)(m ? m : 1) * sizeof(*lines));
		elems = xrealloc(elems, (size_t)(m ? m : 1) * sizeof(*elems));
		for (int j = 0; j < m; j++) {
			config_setting_t *e =
				config_setting_get_elem(a, (unsigned)j);
			char err[128];

			if (config_setting_type(e) != CONFIG_TYPE_STRING) {
				cfg_problem(d, e, p->path, "must be a string");
				continue;
			}
			if (ip_parse_prefix(config_setting_get_string(e), true,
					    &ps->prefixes[ps->n], err,
					    sizeof(err)) ||
			    ip_check_subnet(&ps->prefixes[ps->n], err,
					    sizeof(err))) {
				cfg_problem(d, e, p->path, "%s", err);
				continue;
			}
			elems[ps->n] = e;
			lines[ps->n++] = cfg_line(e);
		}
		drop_overlaps(d, p->path, ps, elems, lines);
		p->n_sets++;
	}
	free(lines);
	free(elems);
}

/* Does rule r cover service name svc (by name; an empty list is any)? */
static bool rule_has(const struct prof_rule *r, const char *svc)
{
	for (int i = 0; i < r->n_services; i++)
		if (strcmp(r->services[i], svc) == 0)
			return true;
	return false;
}

static void load_rules(struct profile *p, struct diag *d,
		       const config_setting_t *list)
{
	int n;

	if (!list)
		return;
	if (!config_setting_is_list(list)) {
		cfg_problem(d, list, p->path, "must be a list ( {...}, ... )");
		return;
	}
	n = config_setting_length(list);
	p->rules = xcalloc((size_t)n, sizeof(*p->rules));
	for (int i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct prof_rule *r = &p->rules[p->n_rules];
		config_setting_t *svcs;
		struct rule_raw raw;
		int bad = 0;

		memset(&raw, 0, sizeof(raw));
		if (!config_setting_is_group(g)) {
			cfg_problem(d, g, p->path, "must be a group { ... }");
			continue;
		}
		if (cfg_read(d, g, p->path, rule_opts, &raw))
			continue;
		memset(r, 0, sizeof(*r));
		snprintf(r->from, sizeof(r->from), "%s", raw.from);
		snprintf(r->to, sizeof(r->to), "%s", raw.to);
		snprintf(r->peers, sizeof(r->peers), "%s", raw.peers);
		r->accept = raw.action == 0;
		r->src = profile_src(p, g);
		svcs = config_setting_get_member(g, "services");
		if (svcs && !config_setting_is_array(svcs) &&
		    !config_setting_is_list(svcs)) {
			cfg_problem(d, svcs, p->path, "must be an array of "
				    "service names");
			continue;
		}
		if (svcs && config_setting_length(svcs) > MAX_SVC) {
			cfg_problem(d, svcs, p->path, "at most %d services in "
				    "one rule", MAX_SVC);
			continue;
		}
		for (int j = 0; svcs && j < config_setting_length(svcs); j++) {
			config_setting_t *e =
				config_setting_get_elem(svcs, (unsigned)j);
			const char *v = config_setting_get_string(e);

			if (!v || strlen(v) >= NAME_LEN) {
				cfg_problem(d, e, p->path, "must be a service "
					    "name");
				bad++;
				continue;
			}
			if (rule_has(r, v)) {
				cfg_problem(d, e, p->path, "service '%s' is "
					    "listed twice", v);
				bad++;
				continue;
			}
			snprintf(r->services[r->n_services++], NAME_LEN, "%s",
				 v);
		}
		if (!bad)
			p->n_rules++;
	}
}

void fwpolicy_load(struct profile *p, struct diag *d,
		   const config_setting_t *s)
{
	struct fw_raw raw;

	memset(&raw, 0, sizeof(raw));
	cfg_read(d, s, p->path, fw_opts, &raw);
	snprintf(p->log_rate, sizeof(p->log_rate), "%s", raw.log_rate);
	p->collector_port = raw.collector_port;
	if (s && config_setting_get_member(s, "collector_port"))
		p->collector_port_line = config_setting_source_line(
			config_setting_get_member(s, "collector_port"));
	if (!rate_ok(p->log_rate))
		cfg_problem(d, s ? config_setting_get_member(s, "log_rate")
				 : NULL,
			    p->path, "'%s' is not a rate like 10/minute "
			    "(second, minute or hour)", p->log_rate);
	add_builtins(p, raw.collector_port);
	if (!s)
		return;
	load_services(p, d, config_setting_get_member(s, "services"));
	load_sets(p, d, config_setting_get_member(s, "sets"));
	load_rules(p, d, config_setting_get_member(s, "rules"));
}

void fwpolicy_check(struct profile *p, struct diag *d)
{
	for (int i = 0; i < p->n_rules; i++) {
		const struct prof_rule *r = &p->rules[i];

		if (!profile_zone(p, r->from))
			diag_add(d, r->src.file, r->src.line, "from",
				 "zone '%s' is used but not defined", r->from);
		if (strcmp(r->to, ZONE_LOCAL) && !profile_zone(p, r->to))
			diag_add(d, r->src.file, r->src.line, "to",
				 "zone '%s' is used but not defined", r->to);
		if (r->peers[0] && !profile_set(p, r->peers))
			diag_add(d, r->src.file, r->src.line, "peers",
				 "address set '%s' is not defined", r->peers);
		for (int j = 0; j < r->n_services; j++)
			if (!profile_service(p, r->services[j]))
				diag_add(d, r->src.file, r->src.line,
					 "services", "unknown service '%s'",
					 r->services[j]);
		for (int j = 0; j < i; j++) {
			const struct prof_rule *o = &p->rules[j];
			const char *clash = NULL;

			if (o->accept == r->accept || strcmp(o->from, r->from) ||
			    strcmp(o->to, r->to) || strcmp(o->peers, r->peers))
				continue;
			if (!o->n_services && !r->n_services)
				clash = "any service";
			for (int k = 0; !clash && k < r->n_services; k++)
				if (rule_has(o, r->services[k]))
					clash = r->services[k];
			if (clash)
				diag_add(d, r->src.file, r->src.line,
					 "action", "%s %s %s -> %s contradicts "
					 "line %d, which %s it",
					 r->accept ? "accepting" : "dropping",
					 clash, r->from, r->to, o->src.line,
					 o->accept ? "accepts" : "drops");
		}
		for (int j = 0; j < i; j++) {
			const struct prof_rule *o = &p->rules[j];
			/* o takes any service, or every one r names */
			bool covered = o->n_services == 0 || r->n_services > 0;

			if (o->accept != r->accept || strcmp(o->from, r->from) ||
			    strcmp(o->to, r->to) || strcmp(o->peers, r->peers))
				continue;
			for (int k = 0; covered && o->n_services &&
					k < r->n_services; k++)
				covered = rule_has(o, r->services[k]);
			if (!covered)
				continue;
			diag_add(d, r->src.file, r->src.line, "services",
				 "adds nothing: line %d already %s %s %s -> %s",
				 o->src.line, o->accept ? "accepts" : "drops",
				 o->n_services ? "these services" : "any service",
				 r->from, r->to);
			break;
		}
	}
}
