// SPDX-License-Identifier: BSD-2-Clause
/*
 * Node config loading.  Same policy as the profile: every problem is added
 * with file:line and loading goes on.  Relative paths inside the file are
 * taken from the file's own folder, so a config and its profile can move
 * together.
 */
#include "common/nodeconf.h"

#include <errno.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"
#include "common/cfgfile.h"
#include "common/defaults.h"
#include "common/ifname.h"

const char *const drift_words[] = {"enforce", "report", NULL};

struct node_raw {
	char code[32];
	char name[128];
	char profile[4096];
	char inventory[4096];
	int drift;
	char log_level[16];
};

static const char *const log_words[] = {"error", "warning", "info", "debug",
					NULL};

static const struct cfg_opt node_opts[] = {
	{"code", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct node_raw, code), 32},
	{"name", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct node_raw, name), 128},
	{"profile", CFG_STR, false, 1, 0, 0, "", NULL,
	 offsetof(struct node_raw, profile), 4096},
	{"inventory", CFG_STR, false, 1, 0, 0, "", NULL,
	 offsetof(struct node_raw, inventory), 4096},
	{"drift", CFG_ENUM, false, 0, 0, DRIFT_ENFORCE, NULL, drift_words,
	 offsetof(struct node_raw, drift), 0},
	{"log_level", CFG_STR, false, 1, 0, 0, "info", NULL,
	 offsetof(struct node_raw, log_level), 16},
	CFG_END,
};

static const struct cfg_opt collector_opts[] = {
	{"url", CFG_STR, false, 1, 0, 0, "", NULL,
	 offsetof(struct nodeconf, collector_url), 512},
	{"interval", CFG_INT, false, 1, 3600, 30, NULL, NULL,
	 offsetof(struct nodeconf, report_interval), 0},
	{"ca", CFG_STR, false, 1, 0, 0, EGNET_PKI_CA, NULL,
	 offsetof(struct nodeconf, collector_ca), 4096},
	{"cert", CFG_STR, false, 1, 0, 0, EGNET_PKI_CERT, NULL,
	 offsetof(struct nodeconf, collector_cert), 4096},
	{"key", CFG_STR, false, 1, 0, 0, EGNET_PKI_KEY, NULL,
	 offsetof(struct nodeconf, collector_key), 4096},
	{"allow_http", CFG_BOOL, false, 0, 0, 0, NULL, NULL,
	 offsetof(struct nodeconf, collector_allow_http), 0},
	{"source", CFG_STR, false, 1, 0, 0, "uplink", NULL,
	 offsetof(struct nodeconf, collector_source), 64},
	{"timeout", CFG_INT, false, 1, 300, 10, NULL, NULL,
	 offsetof(struct nodeconf, report_timeout), 0},
	{"spool_max_kib", CFG_INT, false, 64, 1 << 30, 256 << 10, NULL, NULL,
	 offsetof(struct nodeconf, spool_max_kib), 0},
	CFG_END,
};

static const struct cfg_opt paths_opts[] = {
	{"state", CFG_STR, false, 1, 0, 0, EGNET_STATE_DIR, NULL,
	 offsetof(struct nodeconf, state_dir), 4096},
	{"socket", CFG_STR, false, 1, 0, 0, EGNET_SOCKET, NULL,
	 offsetof(struct nodeconf, socket), 108},
	CFG_END,
};

/* snmp.agentx (the snmp group's own settings and devices are the
 * poller's: common/snmpconf.c, whose table knows agentx) */
static const struct cfg_opt agentx_opts[] = {
	{"enabled", CFG_BOOL, false, 0, 0, 0, NULL, NULL,
	 offsetof(struct nodeconf, agentx_enabled), 0},
	{"socket", CFG_STR, false, 1, 107, 0, EGNET_AGENTX_SOCKET, NULL,
	 offsetof(struct nodeconf, agentx_socket), 108},
	{"retry", CFG_INT, false, 1, 3600, 1, NULL, NULL,
	 offsetof(struct nodeconf, agentx_retry), 0},
	{"retry_max", CFG_INT, false, 1, 3600, 60, NULL, NULL,
	 offsetof(struct nodeconf, agentx_retry_max), 0},
	{"ping", CFG_INT, false, 1, 3600, 15, NULL, NULL,
	 offsetof(struct nodeconf, agentx_ping), 0},
	{"timeout_ms", CFG_INT, false, 10, 5000, 500, NULL, NULL,
	 offsetof(struct nodeconf, agentx_timeout_ms), 0},
	CFG_END,
};

/*
 * Drop "." and "DIR/.." components, lexically (no symlinks followed), so
 * messages name "profiles/county.conf" rather than
 * "profiles/examples/../county.conf".
 */
static void path_tidy(char *path)
{
	char *parts[256], *save = NULL, *tok, buf[4096];
	bool abs = path[0] == '/';
	int n = 0;
	size_t used = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, "/", &save); tok && n < 256;
	     tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..") && n > 0 && strcmp(parts[n - 1], ".."))
			n--;
		else if (!strcmp(tok, "..") && abs)
			continue;
		else
			parts[n++] = tok;
	}
	path[0] = '\0';
	if (abs)
		path[used++] = '/', path[used] = '\0';
	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(path + used, 4096 - used, "%s%s",
					 i ? "/" : "", parts[i]);
	if (!n && !abs)
		snprintf(path, 4096, ".");
}

/* A path of the file, taken from the file's own folder; false if too long. */
static bool resolve(const char *base, const char *rel, char *out, size_t len)
{
	char dir[4096];
	int w;

	if (!rel[0] || rel[0] == '/')
		w = snprintf(out, len, "%s", rel);
	else {
		snprintf(dir, sizeof(dir), "%s", base);
		w = snprintf(out, len, "%s/%s", dirname(dir), rel);
	}
	if (w < 0 || (size_t)w >= len)
		return false;
	if (out[0])
		path_tidy(out);
	return true;
}

/* A string or an array of strings, into out[]; returns the count or -1. */
static int read_strings(struct diag *d, const char *file,
			const config_setting_t *s, char (*out)[IFNAMSIZ],
			int max)
{
	int t = config_setting_type(s), n;
	char err[128];

	if (t == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);

		if (ifname_check(v, err, sizeof(err))) {
			cfg_problem(d, s, file, "'%s' is not a valid interface "
				    "name: %s", v, err);
			return -1;
		}
		snprintf(out[0], IFNAMSIZ, "%s", v);
		return 1;
	}
	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
		cfg_problem(d, s, file, "must be an interface name or an array "
			    "of them, not %s", cfg_type_name(t));
		return -1;
	}
	n = config_setting_length(s);
	if (n > max) {
		cfg_problem(d, s, file, "at most %d interfaces", max);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);

		if (!v) {
			cfg_problem(d, e, file, "must be an interface name, "
				    "not %s",
				    cfg_type_name(config_setting_type(e)));
			return -1;
		}
		if (ifname_check(v, err, sizeof(err))) {
			cfg_problem(d, e, file, "'%s' is not a valid interface "
				    "name: %s", v, err);
			return -1;
		}
		for (int j = 0; j < i; j++)
			if (strcmp(out[j], v) == 0) {
				cfg_problem(d, e, file, "'%s' is listed twice",
					    v);
				return -1;
			}
		snprintf(out[i], IFNAMSIZ, "%s", v);
	}
	return n;
}

static void load_interfaces(struct nodeconf *nc, struct diag *d,
			    const config_setting_t *g)
{
	if (!g)
		return;
	if (!config_setting_is_group(g)) {
		cfg_problem(d, g, nc->path, "must be a group role = interface");
		return;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		int role = cfg_word_index(link_role_words,
					  config_setting_name(s));
		int n;

		if (role < 0) {
			char wb[128];

			cfg_problem(d, s, nc->path, "unknown role (one of: %s)",
				    cfg_words(link_role_words, wb, sizeof(wb)));
			continue;
		}
		n = read_strings(d, nc->path, s, nc->ifaces[role],
				 NC_MAX_PORTS);
		if (n >= 0) {
			nc->n_ifaces[role] = n;
			nc->iface_line[role] = cfg_line(s);
		}
	}
	/* one physical interface plays one role */
	for (int r = 0; r < ROLE_COUNT; r++)
		for (int i = 0; i < nc->n_ifaces[r]; i++)
			for (int q = r + 1; q < ROLE_COUNT; q++)
				for (int j = 0; j < nc->n_ifaces[q]; j++)
					if (!strcmp(nc->ifaces[r][i],
						    nc->ifaces[q][j]))
						diag_add(d, nc->path,
							 nc->iface_line[q],
							 "interfaces",
							 "%s plays both %s "
							 "and %s",
							 nc->ifaces[q][j],
							 link_role_words[r],
							 link_role_words[q]);
}

/*
 * The address just parsed (nc->addrs[role][n_addrs[role]]) given before,
 * in this role or another: the problem names both lines.
 */
static bool addr_twice(struct nodeconf *nc, struct diag *d, int role,
		       const config_setting_t *e)
{
	const struct ip_prefix *a = &nc->addrs[role][nc->n_addrs[role]];
	char ab[IP_STRLEN];

	for (int r = 0; r < ROLE_COUNT; r++)
		for (int j = 0; j < nc->n_addrs[r]; j++)
			if (!ip_cmp(&nc->addrs[r][j].addr, &a->addr)) {
				cfg_problem(d, e, nc->path, "address %s is "
					    "already addresses.%s[%d] (line "
					    "%d)",
					    ip_format_addr(&a->addr, ab,
							   sizeof(ab)),
					    link_role_words[r], j,
					    nc->addr_line[r][j]);
				return true;
			}
	return false;
}

static void load_addresses(struct nodeconf *nc, struct diag *d,
			   const config_setting_t *g)
{
	if (!g)
		return;
	if (!config_setting_is_group(g)) {
		cfg_problem(d, g, nc->path, "must be a group role = [ ... ]");
		return;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		int role = cfg_word_index(link_role_words,
					  config_setting_name(s));
		int n = config_setting_length(s);

		if (role < 0) {
			char wb[128];

			cfg_problem(d, s, nc->path, "unknown role (one of: %s)",
				    cfg_words(link_role_words, wb, sizeof(wb)));
			continue;
		}
		if (!config_setting_is_array(s) || n > NC_MAX_ADDRS) {
			cfg_problem(d, s, nc->path, "must be an array of at "
				    "most %d addresses with length",
				    NC_MAX_ADDRS);
			continue;
		}
		nc->addrs_line[role] = cfg_line(s);
		for (int j = 0; j < n; j++) {
			config_setting_t *e =
				config_setting_get_elem(s, (unsigned)j);
			const char *v = config_setting_get_string(e);
			char err[128];

			if (!v) {
				cfg_problem(d, e, nc->path, "must be a string");
				continue;
			}
			if (!strchr(v, '/')) {
				cfg_problem(d, e, nc->path, "'%s' needs a "
					    "prefix length (ADDR/LEN)", v);
				continue;
			}
			if (ip_parse_prefix(v, false,
					    &nc->addrs[role][nc->n_addrs[role]],
					    err, sizeof(err)) ||
			    ip_check_host(&nc->addrs[role][nc->n_addrs[role]],
					  err, sizeof(err))) {
				cfg_problem(d, e, nc->path, "%s", err);
				continue;
			}
			if (addr_twice(nc, d, role, e))
				continue;
			nc->addr_line[role][nc->n_addrs[role]] = cfg_line(e);
			nc->n_addrs[role]++;
		}
	}
}

static void load_gateways(struct nodeconf *nc, struct diag *d,
			  const config_setting_t *g)
{
	if (!g)
		return;
	if (!config_setting_is_group(g)) {
		cfg_problem(d, g, nc->path, "must be a group name = address");
		return;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *v = config_setting_get_string(s);
		struct nc_gateway *gw = &nc->gateways[nc->n_gateways];
		char err[128];

		if (nc->n_gateways == NC_MAX_GW) {
			cfg_problem(d, s, nc->path, "at most %d gateways",
				    NC_MAX_GW);
			break;
		}
		if (strlen(config_setting_name(s)) >= NAME_LEN) {
			cfg_problem(d, s, nc->path, "gateway name longer than "
				    "%d characters", NAME_LEN - 1);
			continue;
		}
		if (!v) {
			cfg_problem(d, s, nc->path, "must be an address string");
			continue;
		}
		if (ip_parse_addr(v, &gw->addr, err, sizeof(err)) ||
		    ip_check_gateway(&gw->addr, err, sizeof(err))) {
			cfg_problem(d, s, nc->path, "%s", err);
			continue;
		}
		snprintf(gw->name, sizeof(gw->name), "%s",
			 config_setting_name(s));
		gw->line = cfg_line(s);
		nc->n_gateways++;
	}
}

/*
 * collector.url: http:// or https://, a host (a name, an IPv4 address or
 * [an IPv6 address]), an optional :PORT of 1..65535, an optional /path.
 * Sets nc->collector_port (the scheme's when none is given).
 */
static void check_url(struct nodeconf *nc, struct diag *d,
		      const config_setting_t *s)
{
	const char *u = nc->collector_url, *h, *end;
	struct ip_addr a;
	char host[256], err[128];
	size_t n;
	long port;

	if (!u[0])
		return;
	nc->collector_line = cfg_line(s);
	if (!strncmp(u, "https://", 8))
		h = u + 8, port = 443;
	else if (!strncmp(u, "http://", 7))
		h = u + 7, port = 80;
	else {
		cfg_problem(d, s, nc->path, "'%s' is not an http:// or "
			    "https:// URL", u);
		return;
	}
	if (*h == '[') {
		end = strchr(h, ']');
		n = end ? (size_t)(end - h - 1) : sizeof(host);
		if (n < sizeof(host)) {
			memcpy(host, h + 1, n);
			host[n] = '\0';
		}
		if (n >= sizeof(host) ||
		    ip_parse_addr(host, &a, err, sizeof(err)) ||
		    a.family != AF_INET6) {
			cfg_problem(d, s, nc->path, "'%s': the host in [ ] "
				    "must be an IPv6 address", u);
			return;
		}
		end++;
	} else {
		end = h + strcspn(h, ":/");
		n = (size_t)(end - h);
		if (!n || n >= sizeof(host) ||
		    strspn(h, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") < n) {
			cfg_problem(d, s, nc->path, "'%s': no host, or a host "
				    "that is not a name or an address", u);
			return;
		}
		memcpy(host, h, n);
		host[n] = '\0';
		if (strspn(host, "0123456789.") == n &&
		    ip_parse_addr(host, &a, err, sizeof(err))) {
			cfg_problem(d, s, nc->path, "'%s': %s", u, err);
			return;
		}
	}
	if (*end == ':') {
		char *stop;

		port = strtol(end + 1, &stop, 10);
		if (end[1] < '0' || end[1] > '9' || stop - end > 6 ||
		    (*stop && *stop != '/') || port < 1 || port > 65535) {
			cfg_problem(d, s, nc->path, "'%s': the port must be "
				    "1..65535", u);
			return;
		}
		end = stop;
	}
	if (*end && *end != '/') {
		cfg_problem(d, s, nc->path, "'%s': text after the host", u);
		return;
	}
	nc->collector_port = (int)port;
}

/*
 * http:// is plain text on the extranet and needs collector.allow_http =
 * true.  https:// is mutual TLS with the files of ca, cert and key, taken
 * from the node config's folder when relative; they are read by the
 * reporter, which says what is wrong with them (they are made on the node,
 * not shipped with its configuration).
 */
static void check_tls(struct nodeconf *nc, struct diag *d,
		      const config_setting_t *g)
{
	static const struct {
		const char *name;
		size_t off;
	} files[] = {
		{"ca", offsetof(struct nodeconf, collector_ca)},
		{"cert", offsetof(struct nodeconf, collector_cert)},
		{"key", offsetof(struct nodeconf, collector_key)},
	};

	if (strcmp(nc->collector_source, "uplink") &&
	    strcmp(nc->collector_source, "none")) {
		struct ip_addr a;
		char err[128];

		if (ip_parse_addr(nc->collector_source, &a, err, sizeof(err)))
			cfg_problem(d, config_setting_get_member(g, "source"),
				    nc->path,
				    "'%s' is neither \"uplink\", \"none\" nor "
				    "an IPv4 or IPv6 address",
				    nc->collector_source);
	}
	if (!strncmp(nc->collector_url, "http://", 7)) {
		if (!nc->collector_allow_http)
			cfg_problem(d, config_setting_get_member(g, "url"),
				    nc->path,
				    "plain http sends reports unencrypted and "
				    "unauthenticated: use https://, or set "
				    "collector.allow_http = true");
		return;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *f = (char *)nc + files[i].off, tmp[4096];

		snprintf(tmp, sizeof(tmp), "%s", f);
		if (!resolve(nc->path, tmp, f, 4096))
			cfg_problem(d,
				    config_setting_get_member(g, files[i].name),
				    nc->path, "path too long");
	}
}

const struct nc_gateway *nodeconf_gateway(const struct nodeconf *nc,
					  const char *name)
{
	for (int i = 0; i < nc->n_gateways; i++)
		if (strcmp(nc->gateways[i].name, name) == 0)
			return &nc->gateways[i];
	return NULL;
}

static const config_setting_t *group(config_t *c, struct nodeconf *nc,
				     struct diag *d, const char *name);

/*
 * snmp = { interval = ...; devices = ( ... ); agentx = { ... }; }: one
 * group, the poller's settings read by snmpconf_load() (its table knows
 * agentx), then agentx's here; the socket is an absolute path.
 */
static void load_snmp(struct nodeconf *nc, struct diag *d, config_t *c)
{
	const config_setting_t *g = group(c, nc, d, "snmp"), *ax = NULL;

	snmpconf_load(&nc->snmp, g, nc->path, d);
	if (g)
		ax = config_setting_get_member(g, "agentx");
	if (ax && !config_setting_is_group(ax)) {
		cfg_problem(d, ax, nc->path, "must be a group { ... }");
		ax = NULL;
	}
	if (cfg_read(d, ax, nc->path, agentx_opts, nc))
		return;
	if (nc->agentx_retry_max < nc->agentx_retry)
		cfg_problem(d, config_setting_get_member(ax, "retry_max"),
			    nc->path, "%d is less than retry (%d)",
			    nc->agentx_retry_max, nc->agentx_retry);
	if (nc->agentx_socket[0] != '/')
		cfg_problem(d, config_setting_get_member(ax, "socket"),
			    nc->path,
			    "'%s' is not an absolute path (the master's "
			    "AgentX socket, e.g. \"/var/agentx/master\")",
			    nc->agentx_socket);
}

static const config_setting_t *group(config_t *c, struct nodeconf *nc,
				     struct diag *d, const char *name)
{
	config_setting_t *s = config_lookup(c, name);

	if (s && !config_setting_is_group(s)) {
		cfg_problem(d, s, nc->path, "must be a group { ... }");
		return NULL;
	}
	return s;
}

int nodeconf_load(struct nodeconf *nc, const char *path,
		  const char *profile_override, struct diag *d)
{
	static const char *const top[] = {"node",     "interfaces", "addresses",
					  "gateways", "collector",  "paths",
					  "snmp",     NULL};
	int before = diag_count(d);
	const config_setting_t *node;
	struct node_raw raw;
	struct cfgfile cf = {0};
	config_t c;
	char err[CODE_ERR_MAX];

	memset(nc, 0, sizeof(*nc));
	memset(&raw, 0, sizeof(raw));
	snprintf(nc->path, sizeof(nc->path), "%s", path);
	config_init(&c);
	if (cfgfile_load(&c, path, "node config", &cf, d)) {
		config_destroy(&c);
		cfgfile_free(&cf);
		return -EINVAL;
	}
	node = group(&c, nc, d, "node");
	if (!node)
		diag_add(d, path, 0, "node", "missing required setting 'node' "
			 "(code, name)");
	else if (cfg_read(d, node, path, node_opts, &raw), raw.code[0]) {
		const config_setting_t *cs =
			config_setting_get_member(node, "code");

		nc->code_line = cfg_line(cs);
		if (code_parse(raw.code, &nc->code, err, sizeof(err)))
			cfg_problem(d, cs, path, "%s", err);
		else if (code_level(nc->code) == LEVEL_VILLAGE)
			cfg_problem(d, cs, path, "a village runs no agent; "
				    "its township probes it");
	}
	snprintf(nc->name, sizeof(nc->name), "%s", raw.name);
	nc->drift = raw.drift;
	snprintf(nc->log_level, sizeof(nc->log_level), "%s", raw.log_level);
	if (node && cfg_word_index(log_words, raw.log_level) < 0)
		cfg_problem(d, config_setting_get_member(node, "log_level"),
			    path, "unknown log level '%s'", raw.log_level);
	if (profile_override)
		snprintf(nc->profile, sizeof(nc->profile), "%s",
			 profile_override);
	else if (!resolve(path, raw.profile, nc->profile, sizeof(nc->profile)))
		diag_add(d, path, 0, "node.profile", "path too long");
	if (!nc->profile[0] && node)
		cfg_problem(d, node, path, "no profile: set node.profile or "
			    "give --profile");
	if (!resolve(path, raw.inventory, nc->inventory, sizeof(nc->inventory)))
		diag_add(d, path, 0, "node.inventory", "path too long");

	load_interfaces(nc, d, group(&c, nc, d, "interfaces"));
	load_addresses(nc, d, group(&c, nc, d, "addresses"));
	load_gateways(nc, d, group(&c, nc, d, "gateways"));
	if (!cfg_read(d, group(&c, nc, d, "collector"), path, collector_opts,
		      nc) && nc->collector_url[0]) {
		check_url(nc, d, config_lookup(&c, "collector.url"));
		check_tls(nc, d, config_lookup(&c, "collector"));
	}
	cfg_read(d, group(&c, nc, d, "paths"), path, paths_opts, nc);
	load_snmp(nc, d, &c);
	for (int i = 0; i < config_setting_length(config_root_setting(&c)); i++) {
		config_setting_t *t =
			config_setting_get_elem(config_root_setting(&c),
						(unsigned)i);

		if (cfg_word_index(top, config_setting_name(t)) < 0)
			cfg_problem(d, t, path, "unknown setting");
	}
	config_destroy(&c);
	cfgfile_free(&cf);
	return diag_count(d) > before ? -EINVAL : 0;
}
