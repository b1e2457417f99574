// SPDX-License-Identifier: BSD-2-Clause
/*
 * The collector's service loop; see daemon.h.  Signals are blocked before
 * the HTTP server's threads start (they inherit the mask) and read on the
 * main thread through a signalfd, so no handler runs at an arbitrary point
 * of a worker.  Loading goes into a fresh struct; only a complete,
 * checked set of inputs replaces the running one.  Problems are logged
 * here, once, with their file and line.
 */
#include "collector/daemon.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/conf.h"
#include "collector/ingest/http_tls.h"
#include "collector/ingest/routes.h"
#include "collector/store/store.h"
#include "collector/verify/alert.h"
#include "collector/verify/verify.h"
#include "common/cfgfile.h"
#include "common/diag.h"
#include "common/inventory.h"
#include "common/log.h"
#include "common/notify.h"

/* What one load gives: all of it, or nothing is used. */
struct inputs_set {
	struct collector_conf conf;
	char *cert, *key, *ca; /* PEM texts */
	struct inventory inv;
	bool have_inv;
};

static void set_free(struct inputs_set *s)
{
	free(s->cert);
	free(s->key);
	free(s->ca);
	if (s->have_inv)
		inventory_free(&s->inv);
	memset(s, 0, sizeof(*s));
}

/* The PEM file of @setting into *@text; a problem at its line if not. */
static void read_pem(const struct collector_conf *c, const char *setting,
		     const char *path, int line, char **text, struct diag *d)
{
	char err[256];
	size_t len;
	int rc = cfgfile_slurp(path, text, &len, err, sizeof(err));

	if (rc)
		diag_add(d, c->path, line, setting, "%s: %s", path, err);
}

/*
 * Load everything into @s (zeroed by the caller).  @conf_path NULL: the
 * inventory only.  0, or -EINVAL with the problems in @d.
 */
static int set_load(struct inputs_set *s, const char *conf_path,
		    const char *inv_override, struct diag *d)
{
	const struct collector_conf *c = &s->conf;
	const char *inv = inv_override;
	char err[256];
	int before = diag_count(d);

	if (conf_path) {
		/* on: one run names the problems of every file */
		conf_load(&s->conf, conf_path, d);
		if (!inv)
			inv = c->inventory;
		if (c->cert[0])
			read_pem(c, "tls.cert", c->cert, c->cert_line,
				 &s->cert, d);
		if (c->key[0])
			read_pem(c, "tls.key", c->key, c->key_line, &s->key, d);
		if (c->ca[0])
			read_pem(c, "tls.ca", c->ca, c->ca_line, &s->ca, d);
		if (s->cert && s->key &&
		    http_tls_check_pair(s->cert, s->key, err, sizeof(err)))
			diag_add(d, c->path, c->key_line, "tls.key",
				 "%s and %s: %s", c->cert, c->key, err);
		if (s->ca && http_tls_check_ca(s->ca, err, sizeof(err)))
			diag_add(d, c->path, c->ca_line, "tls.ca", "%s: %s",
				 c->ca, err);
		if (c->webhook_ca[0]) {
			char *pem = NULL;

			read_pem(c, "alerts.webhook_ca", c->webhook_ca,
				 c->webhook_ca_line, &pem, d);
			free(pem);
		}
	}
	/* none when the config could not even be read */
	if (inv[0]) {
		if (inventory_load(&s->inv, inv, d) == 0)
			s->have_inv = true;
		else
			inventory_free(&s->inv);
	}
	if (s->have_inv && diag_count(d) == before) {
		/* the verification's tree: every node's parent in it */
		struct topo_opts to;
		struct topo *t;

		topo_opts_default(&to);
		t = topo_new_inventory(&s->inv, &to, err, sizeof(err));
		if (!t)
			diag_add(d, s->inv.path, 0, NULL, "not a tree: %s", err);
		topo_free(t);
	}
	return diag_count(d) > before ? -EINVAL : 0;
}

int daemon_check(const char *conf_path, const char *inv_override, FILE *out)
{
	struct inputs_set s;
	struct diag d;
	int rc;

	memset(&s, 0, sizeof(s));
	diag_init(&d);
	rc = set_load(&s, conf_path, inv_override, &d);
	diag_sort(&d);
	diag_print(&d, out);
	if (!rc) {
		if (conf_path)
			fprintf(out, "config OK: %s, %d TLS and %d plaintext "
				"listeners\n", conf_path, s.conf.n_listen,
				s.conf.n_plain);
		fprintf(out, "inventory OK: %d nodes\n", s.inv.n);
	}
	diag_free(&d);
	set_free(&s);
	return rc ? 1 : 0;
}

static void log_diag(const struct diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_item *it = &d->items[i];

		log_warnx("%s:%d: %s%s%s", it->file ? it->file : "-", it->line,
			  it->setting ? it->setting : "",
			  it->setting ? ": " : "", it->msg);
	}
}

static void apply_log_level(const struct collector_conf *c)
{
	enum log_level lvl;

	if (!log_level_parse(c->log_level, &lvl))
		log_set_level(lvl);
}

static int server_start(struct http_server **srv, struct inputs_set *s,
			struct routes_ctx *ctx, const struct http_route *extra)
{
	struct http_listen ls[2 * CONF_MAX_LISTEN];
	const struct http_route *tables[2];
	const struct collector_conf *c = &s->conf;
	struct http_conf hc = {
		.listen = ls,
		.cert_pem = s->cert,
		.key_pem = s->key,
		.ca_pem = s->ca,
		.max_body = (size_t)c->max_body,
		.connections = (unsigned)c->connections,
		.threads = (unsigned)c->threads,
		.timeout = (unsigned)c->timeout,
		.tickets = c->tickets,
		.ticket_lifetime = (unsigned)c->ticket_lifetime,
	};
	int nt = 0, rc;
	char err[256];

	for (int i = 0; i < c->n_listen; i++)
		ls[hc.n_listen++] = (struct http_listen){
			c->listen[i].ss, c->listen[i].len, true};
	for (int i = 0; c->allow_plaintext && i < c->n_plain; i++)
		ls[hc.n_listen++] = (struct http_listen){
			c->plain[i].ss, c->plain[i].len, false};
	if (extra)
		tables[nt++] = extra;
	tables[nt++] = routes_table(ctx);
	rc = http_server_start(srv, &hc, tables, nt, err, sizeof(err));
	if (rc) {
		log_warnx("%s: cannot serve: %s", c->path, err);
		return rc;
	}
	ctx->api.http = *srv;
	for (int i = 0; i < hc.n_listen; i++) {
		const struct conf_listen *cl =
			i < c->n_listen ? &c->listen[i]
					: &c->plain[i - c->n_listen];

		log_info("listening on %s (port %d, %s)", cl->text,
			 http_server_port(*srv, i),
			 ls[i].tls ? "TLS, client certificates required"
				   : "plaintext");
	}
	return 0;
}

/* The store in the state folder (made when missing), with the retention. */
static int store_start(struct store **st, const struct collector_conf *c)
{
	struct store_opts o;
	char err[512];

	o = c->store;
	if (snprintf(o.dir, sizeof(o.dir), "%s", c->state_dir) >=
	    (int)sizeof(o.dir)) {
		log_warnx("%s: state_dir: longer than %zu bytes", c->path,
			  sizeof(o.dir) - 1);
		return -ENAMETOOLONG;
	}
	o.retention_days = c->events_days;
	o.minute_retention_days = c->minute_days;
	if (mkdir(c->state_dir, 0750) < 0 && errno != EEXIST) {
		log_warn("%s: state_dir %s", c->path, c->state_dir);
		return -errno;
	}
	if (store_open(st, &o, err, sizeof(err))) {
		log_warnx("%s: the store in %s: %s", c->path, c->state_dir, err);
		return -EIO;
	}
	log_info("store: %s/egnet.db, events kept %d days, minute series %d",
		 c->state_dir, o.retention_days, o.minute_retention_days);
	return 0;
}

/* The verification and its alerts, on the store's last reports. */
static int verify_start_all(struct verify **v, struct alert **a,
			    const struct inputs_set *s, struct store *st)
{
	const struct collector_conf *c = &s->conf;
	struct verify_opts vo;
	struct alert_opts ao;
	char err[512];

	alert_opts_default(&ao);
	snprintf(ao.webhook, sizeof(ao.webhook), "%s", c->webhook);
	snprintf(ao.webhook_ca, sizeof(ao.webhook_ca), "%s", c->webhook_ca);
	ao.syslog = c->alert_syslog;
	ao.queue_max = c->alert_queue;
	ao.timeout_ms = c->alert_timeout_s * 1000;
	ao.attempts = c->alert_attempts;
	if (alert_new(a, &ao, err, sizeof(err))) {
		log_warnx("%s:%d: alerts: %s", c->path, c->webhook_line, err);
		return -EINVAL;
	}
	verify_opts_default(&vo);
	vo.topo.fresh_intervals = c->fresh_intervals;
	vo.default_interval_s = c->store.report_interval_s;
	vo.alert = *a;
	if (verify_new(v, &vo, &s->inv, st, err, sizeof(err)) ||
	    verify_start(*v)) {
		log_warnx("%s: verification: %s", c->inventory, err);
		return -EINVAL;
	}
	if (c->webhook[0] || c->alert_syslog)
		log_info("alerts: %s%s%s", c->webhook[0] ? "webhook " : "",
			 c->webhook, c->alert_syslog ? " syslog" : "");
	return 0;
}

/*
 * The dashboard's files of @c into @ctx->web (made when NULL).  A root
 * that cannot be read leaves the dashboard off (every page a 404) or, at
 * a reload, the files served so far: the API goes on either way.
 */
static void web_start(struct routes_ctx *ctx, const struct collector_conf *c)
{
	char err[512];
	size_t bytes;
	int files, rc;

	ctx->api.refresh_ms = c->web_refresh_s * 1000;
	rc = ctx->web ? web_reload(ctx->web, c->web_root, err, sizeof(err))
		      : web_load(&ctx->web, c->web_root, err, sizeof(err));
	if (rc) {
		const char *then = ctx->web ? "the files served so far stay"
					    : "no dashboard";

		/* the line of the setting, or none for the default */
		if (c->web_root_line > 0)
			log_warnx("%s:%d: web.root: %s: %s", c->path,
				  c->web_root_line, err, then);
		else
			log_warnx("%s: web.root (default): %s: %s", c->path,
				  err, then);
		if (!ctx->web && web_load(&ctx->web, "", err, sizeof(err)))
			ctx->web = NULL;
		return;
	}
	web_stats(ctx->web, &files, &bytes);
	if (c->web_root[0])
		log_info("dashboard: %d files, %zu bytes from %s", files, bytes,
			 c->web_root);
}

/*
 * SIGHUP: a fresh load; the running inputs are replaced only by a good
 * one.  What only a restart applies is said, and kept as it runs.
 */
static void reload(struct inputs_set *cur, struct routes_ctx *ctx,
		   const char *conf_path, const char *inv_override)
{
	struct inputs_set next;
	struct diag d;
	char what[512];

	notify_reloading();
	memset(&next, 0, sizeof(next));
	diag_init(&d);
	if (set_load(&next, conf_path, inv_override, &d)) {
		diag_sort(&d);
		log_diag(&d);
		log_warnx("%s: reload refused; the running config and "
			  "inventory stay", conf_path);
		set_free(&next);
	} else {
		conf_restart_needed(&cur->conf, &next.conf, what,
				    sizeof(what));
		if (what[0])
			log_warnx("%s: %s changed: only a restart applies "
				  "that; the running values stay",
				  conf_path, what);
		/* the parts a running server applies: the inventory and the
		 * log level; the rest stays as started.  The verification's
		 * engine first (built from the store's last reports): the
		 * inventory is not swapped without it */
		if (ctx->api.verify &&
		    verify_reload(ctx->api.verify, &next.inv, what,
				  sizeof(what))) {
			log_warnx("%s: reload refused: the verification of "
				  "%s: %s", conf_path, next.conf.inventory,
				  what);
			set_free(&next);
			diag_free(&d);
			notify_ready();
			return;
		}
		pthread_rwlock_wrlock(&ctx->api.inv_lock);
		inventory_free(&cur->inv);
		cur->inv = next.inv;
		next.have_inv = false;
		cur->conf.metrics_links = next.conf.metrics_links;
		cur->conf.metrics_targets = next.conf.metrics_targets;
		ctx->api.metrics = (struct metrics_opts){
			.links = cur->conf.metrics_links,
			.targets = cur->conf.metrics_targets};
		pthread_rwlock_unlock(&ctx->api.inv_lock);
		snprintf(cur->conf.log_level, sizeof(cur->conf.log_level),
			 "%s", next.conf.log_level);
		snprintf(cur->conf.inventory, sizeof(cur->conf.inventory),
			 "%s", next.conf.inventory);
		apply_log_level(&cur->conf);
		snprintf(cur->conf.web_root, sizeof(cur->conf.web_root), "%s",
			 next.conf.web_root);
		cur->conf.web_root_line = next.conf.web_root_line;
		cur->conf.web_refresh_s = next.conf.web_refresh_s;
		web_start(ctx, &cur->conf);
		log_info("%s: reloaded; inventory %d nodes", conf_path,
			 cur->inv.n);
		set_free(&next);
	}
	diag_free(&d);
	notify_ready();
}

int daemon_serve(const char *conf_path, const char *inv_override,
		 const struct http_route *extra)
{
	struct http_server *srv = NULL;
	struct store *store = NULL;
	struct verify *verify = NULL;
	struct alert *alert = NULL;
	struct routes_ctx ctx = {0};
	struct inputs_set cur;
	uint64_t wd = notify_watchdog_usec();
	sigset_t mask;
	struct diag d;
	int sfd, rc = 1;

	memset(&cur, 0, sizeof(cur));
	pthread_rwlock_init(&ctx.api.inv_lock, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	/* before any thread: the server's inherit the mask */
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
		log_warn("signals");
		return 1;
	}
	diag_init(&d);
	if (set_load(&cur, conf_path, inv_override, &d)) {
		diag_sort(&d);
		log_diag(&d);
		diag_free(&d);
		goto out;
	}
	diag_free(&d);
	apply_log_level(&cur.conf);
	if (store_start(&store, &cur.conf))
		goto out;
	if (verify_start_all(&verify, &alert, &cur, store))
		goto out;
	ctx.api.store = ctx.reports.store = store;
	ctx.api.verify = ctx.reports.verify = verify;
	ctx.api.alert = alert;
	ctx.api.reports = &ctx.reports;
	ctx.api.inv = &cur.inv;
	ctx.api.changes = api_changes_new();
	web_start(&ctx, &cur.conf);
	ctx.api.metrics = (struct metrics_opts){
		.links = cur.conf.metrics_links,
		.targets = cur.conf.metrics_targets};
	if (server_start(&srv, &cur, &ctx, extra))
		goto out;
	log_info("serving: inventory %s, %d nodes", cur.conf.inventory,
		 cur.inv.n);
	notify_ready();
	for (;;) {
		struct pollfd p = {sfd, POLLIN, 0};
		struct signalfd_siginfo si;
		int timeout = wd ? (int)(wd / 2000) : -1;
		int n = poll(&p, 1, timeout);

		if (wd)
			notify_watchdog();
		if (n < 0 && errno != EINTR) {
			log_warn("poll");
			break;
		}
		if (n <= 0)
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: reloading %s", conf_path);
			reload(&cur, &ctx, conf_path, inv_override);
			continue;
		}
		log_info("signal %u: stopping", si.ssi_signo);
		rc = 0;
		break;
	}
	notify_stopping();
out:
	http_server_stop(srv);
	/* the verification's last records go to the store before it closes */
	verify_free(verify);
	alert_free(alert);
	/* after the server: what it still owed is answered, the rest kept */
	store_close(store);
	api_changes_free(ctx.api.changes);
	web_free(ctx.web);
	set_free(&cur);
	pthread_rwlock_destroy(&ctx.api.inv_lock);
	close(sfd);
	return rc;
}
