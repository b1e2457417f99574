// SPDX-License-Identifier: BSD-2-Clause
/*
 * Collector config loading; see conf.h.  The settings are described in
 * option tables read by common/cfg.c; only the address lists are read by
 * hand.  Every problem is added to the diagnostics with its file and line
 * and loading goes on.
 */
#include "collector/conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"
#include "common/cfgfile.h"

static const char *const log_words[] = {"error", "warning", "info", "debug",
					NULL};

static const struct cfg_opt top_opts[] = {
	{"listen", CFG_SKIP, true, 0, 0, 0, NULL, NULL, 0, 0},
	{"tls", CFG_SKIP, true, 0, 0, 0, NULL, NULL, 0, 0},
	{"retention", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"limits", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"store", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"alerts", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"verify", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"web", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"metrics", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"inventory", CFG_STR, false, 1, 0, 0, "/etc/egnet/inventory.csv", NULL,
	 offsetof(struct collector_conf, inventory), 4096},
	{"state_dir", CFG_STR, false, 1, 0, 0, "/var/lib/egnet-collector", NULL,
	 offsetof(struct collector_conf, state_dir), 4096},
	{"log_level", CFG_ENUM, false, 0, 0, 2, NULL, log_words,
	 offsetof(struct collector_conf, log_word), 0},
	CFG_END,
};

static const struct cfg_opt tls_opts[] = {
	{"cert", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct collector_conf, cert), 4096},
	{"key", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct collector_conf, key), 4096},
	{"ca", CFG_STR, true, 1, 0, 0, NULL, NULL,
	 offsetof(struct collector_conf, ca), 4096},
	{"allow_plaintext", CFG_BOOL, false, 0, 0, 0, NULL, NULL,
	 offsetof(struct collector_conf, allow_plaintext), 0},
	{"plaintext_listen", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	/* session tickets: a reconnecting agent resumes without a full
	 * handshake while its ticket is younger than ticket_lifetime (s),
	 * which bounds how long a ticket stands in for the certificate
	 * (docs/design.md, "Session tickets"); 7 days is TLS 1.3's limit */
	{"tickets", CFG_BOOL, false, 0, 0, 1, NULL, NULL,
	 offsetof(struct collector_conf, tickets), 0},
	{"ticket_lifetime", CFG_INT, false, 1, 604800, 3600, NULL, NULL,
	 offsetof(struct collector_conf, ticket_lifetime), 0},
	CFG_END,
};

static const struct cfg_opt retention_opts[] = {
	/* six months of network logs is the legal minimum */
	{"events_days", CFG_INT, false, 180, 3650, 180, NULL, NULL,
	 offsetof(struct collector_conf, events_days), 0},
	{"minute_days", CFG_INT, false, 1, 90, 7, NULL, NULL,
	 offsetof(struct collector_conf, minute_days), 0},
	CFG_END,
};

static const struct cfg_opt limits_opts[] = {
	{"max_body", CFG_INT, false, 1, 256 << 20, 1 << 20, NULL, NULL,
	 offsetof(struct collector_conf, max_body), 0},
	{"connections", CFG_INT, false, 1, 100000, 1024, NULL, NULL,
	 offsetof(struct collector_conf, connections), 0},
	{"threads", CFG_INT, false, 1, 256, 4, NULL, NULL,
	 offsetof(struct collector_conf, threads), 0},
	{"timeout", CFG_INT, false, 1, 3600, 30, NULL, NULL,
	 offsetof(struct collector_conf, timeout), 0},
	CFG_END,
};

static const struct cfg_opt alerts_opts[] = {
	{"webhook", CFG_STR, false, 0, 1023, 0, "", NULL,
	 offsetof(struct collector_conf, webhook), 1024},
	{"webhook_ca", CFG_STR, false, 0, 4095, 0, "", NULL,
	 offsetof(struct collector_conf, webhook_ca), 4096},
	{"syslog", CFG_BOOL, false, 0, 0, 0, NULL, NULL,
	 offsetof(struct collector_conf, alert_syslog), 0},
	{"queue", CFG_INT, false, 1, 100000, 256, NULL, NULL,
	 offsetof(struct collector_conf, alert_queue), 0},
	{"timeout_s", CFG_INT, false, 1, 300, 5, NULL, NULL,
	 offsetof(struct collector_conf, alert_timeout_s), 0},
	{"attempts", CFG_INT, false, 1, 1000, 8, NULL, NULL,
	 offsetof(struct collector_conf, alert_attempts), 0},
	CFG_END,
};

static const struct cfg_opt verify_opts[] = {
	/* a report is fresh while at most this many intervals old */
	{"fresh_intervals", CFG_INT, false, 1, 100, 3, NULL, NULL,
	 offsetof(struct collector_conf, fresh_intervals), 0},
	CFG_END,
};

static const struct cfg_opt web_opts[] = {
	/* the dashboard's files ("" for none); a relative path is taken
	 * from this file's folder */
	{"root", CFG_STR, false, 0, 4095, 0, "/usr/share/egnet/web", NULL,
	 offsetof(struct collector_conf, web_root), 4096},
	/* how often a page polls /api/v1/changes */
	{"refresh_s", CFG_INT, false, 1, 300, 2, NULL, NULL,
	 offsetof(struct collector_conf, web_refresh_s), 0},
	CFG_END,
};

/* What /metrics includes beside the collector's own and the nodes':
 * per-link and per-target series (most of a big province's scrape). */
static const struct cfg_opt metrics_opts[] = {
	{"links", CFG_BOOL, false, 0, 0, 1, NULL, NULL,
	 offsetof(struct collector_conf, metrics_links), 0},
	{"targets", CFG_BOOL, false, 0, 0, 1, NULL, NULL,
	 offsetof(struct collector_conf, metrics_targets), 0},
	CFG_END,
};

/* The store's options but the ones set elsewhere in this file. */
static const struct cfg_opt *store_tuning(void)
{
	static struct cfg_opt t[32];
	static bool made;
	size_t n = 0;

	if (made)
		return t;
	for (const struct cfg_opt *o = store_cfg_opts; o->name; o++)
		if (strcmp(o->name, "dir") && strcmp(o->name, "retention_days") &&
		    strcmp(o->name, "minute_retention_days") &&
		    n + 1 < sizeof(t) / sizeof(t[0]))
			t[n++] = *o;
	t[n] = (struct cfg_opt)CFG_END;
	made = true;
	return t;
}

int conf_parse_listen(const char *s, struct conf_listen *l, char *err,
		      size_t errlen)
{
	const char *colon;
	char host[64], *stop;
	size_t n;
	long port;

	memset(l, 0, sizeof(*l));
	if (strlen(s) >= sizeof(l->text)) {
		snprintf(err, errlen, "too long to be ADDR:PORT");
		return -EINVAL;
	}
	snprintf(l->text, sizeof(l->text), "%s", s);
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':') {
			snprintf(err, errlen, "'%s' is not [IPV6]:PORT", s);
			return -EINVAL;
		}
		n = (size_t)(end - s - 1);
		memcpy(host, s + 1, n);
		host[n] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon) {
			snprintf(err, errlen, "'%s' is not ADDR:PORT (an IPv6 "
				 "address goes in [ ])", s);
			return -EINVAL;
		}
		n = (size_t)(colon - s);
		memcpy(host, s, n);
		host[n] = '\0';
	}
	errno = 0;
	port = strtol(colon + 1, &stop, 10);
	if (colon[1] < '0' || colon[1] > '9' || *stop || errno || port < 1 ||
	    port > 65535) {
		snprintf(err, errlen, "'%s': the port must be 1..65535", s);
		return -EINVAL;
	}
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&l->ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) {
			snprintf(err, errlen, "'%s' is not an IPv6 address",
				 host);
			return -EINVAL;
		}
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		l->len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&l->ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
			snprintf(err, errlen, "'%s' is not an IPv4 address "
				 "(names are not resolved)", host);
			return -EINVAL;
		}
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		l->len = sizeof(*a);
	}
	return 0;
}

static bool listen_same(const struct conf_listen *a,
			const struct conf_listen *b)
{
	return a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
}

/*
 * A string or a list/array of strings of addresses into out[] (*n); each
 * one unknown to @others (the other list) and not given twice.
 */
static void read_listen(struct diag *d, const char *file,
			const config_setting_t *s, struct conf_listen *out,
			int *n, const struct conf_listen *others, int n_others)
{
	int t = config_setting_type(s), count;
	bool one = t == CONFIG_TYPE_STRING;

	if (!one && t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
		cfg_problem(d, s, file, "must be a list of \"ADDR:PORT\", not "
			    "%s", cfg_type_name(t));
		return;
	}
	count = one ? 1 : config_setting_length(s);
	if (count > CONF_MAX_LISTEN) {
		cfg_problem(d, s, file, "at most %d addresses", CONF_MAX_LISTEN);
		return;
	}
	for (int i = 0; i < count; i++) {
		const config_setting_t *e =
			one ? s : config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		struct conf_listen *l = &out[*n];
		char err[128];
		bool dup = false;

		if (!v) {
			cfg_problem(d, e, file, "must be a string \"ADDR:PORT\","
				    " not %s",
				    cfg_type_name(config_setting_type(e)));
			continue;
		}
		if (conf_parse_listen(v, l, err, sizeof(err))) {
			cfg_problem(d, e, file, "%s", err);
			continue;
		}
		l->line = cfg_line(e);
		for (int j = 0; j < *n && !dup; j++)
			if (listen_same(&out[j], l)) {
				cfg_problem(d, e, file, "%s is listed twice "
					    "(line %d)", v, out[j].line);
				dup = true;
			}
		for (int j = 0; j < n_others && !dup; j++)
			if (listen_same(&others[j], l)) {
				cfg_problem(d, e, file, "%s is also a TLS "
					    "listen address (line %d)", v,
					    others[j].line);
				dup = true;
			}
		if (!dup)
			(*n)++;
	}
}

/* @p taken from the folder of @base unless absolute; false if too long. */
static bool resolve(const char *base, char *p, size_t len)
{
	char dir[4096], out[4096];
	int w;

	if (!p[0] || p[0] == '/')
		return true;
	snprintf(dir, sizeof(dir), "%s", base);
	w = snprintf(out, sizeof(out), "%s/%s", dirname(dir), p);
	if (w < 0 || (size_t)w >= len)
		return false;
	memcpy(p, out, (size_t)w + 1);
	return true;
}

static const config_setting_t *group(config_t *cfg, const char *file,
				     struct diag *d, const char *name)
{
	config_setting_t *s = config_lookup(cfg, name);

	if (s && !config_setting_is_group(s)) {
		cfg_problem(d, s, file, "must be a group { ... }");
		return NULL;
	}
	return s;
}

int conf_load(struct collector_conf *c, const char *path, struct diag *d)
{
	int before = diag_count(d);
	const config_setting_t *tls, *s;
	struct cfgfile cf = {0};
	config_t cfg;
	struct {
		char *field;
		const char *name;
	} paths[] = {{c->cert, "tls.cert"},	{c->key, "tls.key"},
		     {c->ca, "tls.ca"},		{c->inventory, "inventory"},
		     {c->state_dir, "state_dir"},
		     {c->webhook_ca, "alerts.webhook_ca"},
		     {c->web_root, "web.root"}};

	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	config_init(&cfg);
	if (cfgfile_load(&cfg, path, "collector config", &cf, d)) {
		config_destroy(&cfg);
		cfgfile_free(&cf);
		return -EINVAL;
	}
	cfg_read(d, config_root_setting(&cfg), path, top_opts, c);
	snprintf(c->log_level, sizeof(c->log_level), "%s",
		 log_words[c->log_word]);

	s = config_lookup(&cfg, "listen");
	if (s)
		read_listen(d, path, s, c->listen, &c->n_listen, NULL, 0);
	if (s && !c->n_listen && diag_count(d) == before)
		cfg_problem(d, s, path, "no address to listen on");

	tls = group(&cfg, path, d, "tls");
	if (tls) {
		cfg_read(d, tls, path, tls_opts, c);
		s = config_setting_get_member(tls, "plaintext_listen");
		if (s)
			read_listen(d, path, s, c->plain, &c->n_plain,
				    c->listen, c->n_listen);
		if (s && c->n_plain && !c->allow_plaintext)
			cfg_problem(d, s, path, "plaintext listeners need "
				    "allow_plaintext = true");
		if (c->allow_plaintext && !s)
			cfg_problem(d, config_setting_get_member(
					       tls, "allow_plaintext"),
				    path, "allow_plaintext needs "
				    "plaintext_listen = [\"ADDR:PORT\", ...]");
	}
	cfg_read(d, group(&cfg, path, d, "retention"), path, retention_opts, c);
	cfg_read(d, group(&cfg, path, d, "limits"), path, limits_opts, c);
	cfg_read(d, group(&cfg, path, d, "alerts"), path, alerts_opts, c);
	s = config_lookup(&cfg, "alerts.webhook");
	c->webhook_line = cfg_line(s);
	c->webhook_ca_line = cfg_line(config_lookup(&cfg, "alerts.webhook_ca"));
	if (s && c->webhook[0] && strncmp(c->webhook, "https://", 8) &&
	    strncmp(c->webhook, "http://", 7))
		cfg_problem(d, s, path, "'%s' is not an https:// (or http://) "
			    "URL", c->webhook);
	if (c->webhook_ca[0] && !c->webhook[0])
		cfg_problem(d, config_lookup(&cfg, "alerts.webhook_ca"), path,
			    "webhook_ca without a webhook");
	cfg_read(d, group(&cfg, path, d, "verify"), path, verify_opts, c);
	cfg_read(d, group(&cfg, path, d, "web"), path, web_opts, c);
	c->web_root_line = cfg_line(config_lookup(&cfg, "web.root"));
	cfg_read(d, group(&cfg, path, d, "metrics"), path, metrics_opts, c);
	store_opts_default(&c->store, NULL);
	cfg_read(d, group(&cfg, path, d, "store"), path, store_tuning(), &c->store);

	c->cert_line = cfg_line(config_lookup(&cfg, "tls.cert"));
	c->key_line = cfg_line(config_lookup(&cfg, "tls.key"));
	c->ca_line = cfg_line(config_lookup(&cfg, "tls.ca"));
	c->inventory_line = cfg_line(config_lookup(&cfg, "inventory"));
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!resolve(path, paths[i].field, 4096))
			diag_add(d, path, 0, paths[i].name, "path too long");
	config_destroy(&cfg);
	cfgfile_free(&cf);
	return diag_count(d) > before ? -EINVAL : 0;
}

char *conf_restart_needed(const struct collector_conf *a,
			  const struct collector_conf *b, char *buf,
			  size_t len)
{
	size_t used = 0;
	bool same_listen = a->n_listen == b->n_listen,
	     same_plain = a->n_plain == b->n_plain;

	for (int i = 0; same_listen && i < a->n_listen; i++)
		same_listen = listen_same(&a->listen[i], &b->listen[i]);
	for (int i = 0; same_plain && i < a->n_plain; i++)
		same_plain = listen_same(&a->plain[i], &b->plain[i]);

	const struct {
		bool differ;
		const char *name;
	} what[] = {
		{!same_listen, "listen"},
		{strcmp(a->cert, b->cert) != 0, "tls.cert"},
		{strcmp(a->key, b->key) != 0, "tls.key"},
		{strcmp(a->ca, b->ca) != 0, "tls.ca"},
		{a->allow_plaintext != b->allow_plaintext,
		 "tls.allow_plaintext"},
		{!same_plain, "tls.plaintext_listen"},
		{a->tickets != b->tickets, "tls.tickets"},
		{a->ticket_lifetime != b->ticket_lifetime,
		 "tls.ticket_lifetime"},
		{strcmp(a->state_dir, b->state_dir) != 0, "state_dir"},
		{a->events_days != b->events_days, "retention.events_days"},
		{a->minute_days != b->minute_days, "retention.minute_days"},
		{a->max_body != b->max_body, "limits.max_body"},
		{a->connections != b->connections, "limits.connections"},
		{a->threads != b->threads, "limits.threads"},
		{a->timeout != b->timeout, "limits.timeout"},
		{memcmp(&a->store, &b->store, sizeof(a->store)) != 0, "store"},
		{strcmp(a->webhook, b->webhook) != 0, "alerts.webhook"},
		{strcmp(a->webhook_ca, b->webhook_ca) != 0,
		 "alerts.webhook_ca"},
		{a->alert_syslog != b->alert_syslog, "alerts.syslog"},
		{a->alert_queue != b->alert_queue ||
			 a->alert_timeout_s != b->alert_timeout_s ||
			 a->alert_attempts != b->alert_attempts,
		 "alerts"},
		{a->fresh_intervals != b->fresh_intervals,
		 "verify.fresh_intervals"},
	};

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		int w;

		if (!what[i].differ || used >= len)
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			     what[i].name);
		if (w > 0)
			used += (size_t)w;
	}
	return buf;
}
