/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The collector's config (/etc/egnet/collector.conf, libconfig): where it
 * listens (TLS, and plaintext only when asked), its certificate, key and
 * the CA its nodes' client certificates must chain to, the inventory, its
 * state folder, how long history is kept, the limits of the HTTP
 * server, where alerts of outages go (a webhook, syslog) and the
 * dashboard's files.  collector/examples/collector.conf shows every
 * setting.
 *
 * Loading follows the node config's policy: every problem is added to the
 * diagnostics as FILE:LINE: SETTING: what is wrong, loading goes on so one
 * run names them all, and nothing is logged.  Relative paths are taken
 * from the config file's own folder.
 */
#ifndef EGNET_COLLECTOR_CONF_H
#define EGNET_COLLECTOR_CONF_H

#include <stdbool.h>
#include <sys/socket.h>

#include "collector/store/store.h"
#include "common/diag.h"

#define CONF_MAX_LISTEN 16
#define CONF_DEFAULT    "/etc/egnet/collector.conf"

/* One "ADDR:PORT" or "[ADDR6]:PORT" of listen or tls.plaintext_listen. */
struct conf_listen {
	char text[64]; /* as written */
	struct sockaddr_storage ss;
	socklen_t len;
	int line;
};

struct collector_conf {
	char path[4096];

	struct conf_listen listen[CONF_MAX_LISTEN];
	int n_listen;

	/* tls = { ... } */
	char cert[4096], key[4096], ca[4096];
	bool allow_plaintext;
	bool tickets;	     /* TLS session tickets (resumption) */
	int ticket_lifetime; /* s a ticket is taken after it was given */
	struct conf_listen plain[CONF_MAX_LISTEN];
	int n_plain;

	char inventory[4096];
	char state_dir[4096];
	/* lines of the paths, for problems found in the files they name */
	int cert_line, key_line, ca_line, inventory_line;
	char log_level[16]; /* error, warning, info, debug */
	int log_word;	    /* its index, as cfg.c reads it */

	/* retention = { ... } */
	int events_days, minute_days;

	/* limits = { ... } */
	int max_body;	 /* bytes of a request body */
	int connections; /* open connections, all listeners together */
	int threads;	 /* worker threads of each listener */
	int timeout;	 /* s a connection may stay idle */

	/* alerts = { ... }: an outage opened or closed (alert.h) */
	char webhook[1024], webhook_ca[4096];
	bool alert_syslog;
	int alert_queue, alert_timeout_s, alert_attempts;
	int webhook_line, webhook_ca_line;

	/* verify = { ... } */
	int fresh_intervals;

	/* web = { ... }: the dashboard (collector/api/web.h) */
	char web_root[4096]; /* its files; "" for none */
	int web_refresh_s;   /* how often a page asks what changed */
	int web_root_line;

	/* metrics = { ... }: per-link and per-target series in /metrics
	 * (a reload applies them) */
	bool metrics_links, metrics_targets;

	/* store = { ... }: the store's tuning (store_cfg_opts but its
	 * folder and retention, which are state_dir and retention above) */
	struct store_opts store;
};

/*
 * Load @path into @c (overwritten whole).  0, or -EINVAL with the problems
 * in @d; @c then holds what could be read and must not be used.
 */
int conf_load(struct collector_conf *c, const char *path, struct diag *d);

/*
 * "ADDR:PORT" (IPv4) or "[ADDR]:PORT" (IPv6), port 1..65535, into @l.  0,
 * or -EINVAL with the reason in @err.  Names are not resolved.
 */
int conf_parse_listen(const char *s, struct conf_listen *l, char *err,
		      size_t errlen);

/*
 * What differs between @a and @b that only a restart applies (listen
 * addresses, certificates, limits): a comma-separated list of setting names
 * in @buf, "" when nothing does.  Returns @buf.
 */
char *conf_restart_needed(const struct collector_conf *a,
			  const struct collector_conf *b, char *buf,
			  size_t len);

#endif
