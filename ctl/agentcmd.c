// SPDX-License-Identifier: BSD-2-Clause
/*
 * Agent commands of egnetctl.  The agent does the work; this file sends the
 * request, prints the answer for a person (or as JSON with --json) and
 * turns it into an exit code.
 */
#include "ctl/agentcmd.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl/textw.h"

#define ANSWER_MAX (64 * 1024 * 1024)
#define TIMEOUT_MS (10 * 60 * 1000) /* a large apply takes a while */

int agentcmd_request(const char *socket_path, json_t *req, json_t **resp,
		     char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char *text = json_dumps(req, JSON_COMPACT), *buf = NULL;
	size_t len = 0, cap = 0;
	json_error_t je;
	int fd, rc = 0;

	*resp = NULL;
	if (!text || strlen(socket_path) >= sizeof(sun.sun_path)) {
		free(text);
		snprintf(err, errlen, "bad request or socket path");
		return -EINVAL;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "no agent answers on %s: %s",
			 socket_path, strerror(errno));
		goto out;
	}
	if (write(fd, text, strlen(text)) < 0 || write(fd, "\n", 1) < 0) {
		rc = -errno;
		snprintf(err, errlen, "sending to the agent: %s",
			 strerror(errno));
		goto out;
	}
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, TIMEOUT_MS) <= 0) {
			rc = -ETIMEDOUT;
			snprintf(err, errlen, "the agent did not answer");
			goto out;
		}
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			if (cap > ANSWER_MAX) {
				rc = -EMSGSIZE;
				snprintf(err, errlen, "answer too long");
				goto out;
			}
			buf = realloc(buf, cap);
			if (!buf) {
				rc = -ENOMEM;
				snprintf(err, errlen, "out of memory");
				goto out;
			}
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	*resp = buf ? json_loadb(buf, len, 0, &je) : NULL;
	if (!json_is_object(*resp)) {
		json_decref(*resp);
		*resp = NULL;
		rc = -EPROTO;
		snprintf(err, errlen, "the agent's answer is not JSON");
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(text);
	return rc;
}

static void print_strings(const json_t *arr, const char *indent)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		printf("%s%s\n", indent,
		       json_string_value(json_array_get(arr, i)));
}

static void print_time(const char *label, json_int_t t)
{
	char b[64];
	time_t tt = (time_t)t;

	strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", localtime(&tt));
	printf("%s%s", label, b);
}

static double jnum(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : -1;
}

static void human(double v, const char *unit, char *buf, size_t len)
{
	const char *p[] = {"", "k", "M", "G", "T"};
	int i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	/* whole numbers below a thousand stay whole: "12", not "12.0" */
	snprintf(buf, len, i ? "%.1f%s%s" : "%.0f%s%s", v, p[i], unit);
}

static void print_ms(double v)
{
	if (v < 0)
		printf(" %8s", "-");
	else
		printf(" %8.2f", v);
}

/* "drops on eth4: NETFILTER_DROP 20, NO_SOCKET 3" for links with drops. */
static void print_drops(const json_t *links)
{
	bool first = true;

	for (size_t i = 0; i < json_array_size(links); i++) {
		const json_t *l = json_array_get(links, i);
		const json_t *rs = json_object_get(json_object_get(l, "drops"),
						   "reasons");
		const char *reason, *sep = "";
		const json_t *v;

		if (!json_object_size(rs))
			continue;
		printf("%sdrops on %s:", first ? "\n" : "",
		       json_string_value(json_object_get(l, "name")));
		json_object_foreach((json_t *)rs, reason, v) {
			printf("%s %s %.0f", sep, reason, jnum(v, "packets"));
			sep = ",";
		}
		printf("\n");
		first = false;
	}
}

static void print_links(const json_t *r)
{
	const json_t *links = json_object_get(r, "links"),
		     *tg = json_object_get(r, "targets"),
		     *mon = json_object_get(r, "monitor");
	char a[32], b[32], c[32], d[32], e[32], f[32];

	printf("%-14s %-8s %-9s %-10s %8s %8s %10s %8s %8s %10s %7s\n",
	       "LINK", "ROLE", "ZONE", "STATE", "RX pkts", "bytes", "rate",
	       "TX pkts", "bytes", "rate", "DROPS");
	for (size_t i = 0; i < json_array_size(links); i++) {
		const json_t *l = json_array_get(links, i);
		const json_t *c0 = json_object_get(l, "counters");
		const char *role = json_string_value(json_object_get(l, "role"));
		bool port = role && !strcmp(role, "port");

		/* a bridge's ports under it, indented */
		printf("%s%-*s %-8s %-9s %-10s", port ? "  " : "", port ? 12 : 14,
		       json_string_value(json_object_get(l, "name")), role,
		       json_string_value(json_object_get(l, "zone")),
		       json_string_value(json_object_get(l, "state")));
		if (c0) {
			human(jnum(c0, "rx_packets"), "", a, sizeof(a));
			human(jnum(c0, "rx_bytes"), "B", b, sizeof(b));
			human(jnum(c0, "rx_bps"), "b/s", c, sizeof(c));
			human(jnum(c0, "tx_packets"), "", d, sizeof(d));
			human(jnum(c0, "tx_bytes"), "B", e, sizeof(e));
			human(jnum(c0, "tx_bps"), "b/s", f, sizeof(f));
			printf(" %8s %8s %10s %8s %8s %10s", a, b, c, d, e, f);
		}
		if (json_is_object(json_object_get(l, "drops"))) {
			human(jnum(json_object_get(l, "drops"), "packets"), "",
			      a, sizeof(a));
			printf(" %7s", a);
		}
		printf("\n");
	}
	print_drops(links);
	/* the address column as wide as the longest (IPv6 ones are) */
	int aw = 15;

	for (size_t i = 0; i < json_array_size(tg); i++) {
		const char *ad = json_string_value(
			json_object_get(json_array_get(tg, i), "address"));

		if (ad && (int)strlen(ad) > aw && strlen(ad) < 40)
			aw = (int)strlen(ad);
	}
	/* TIMES: where the last RTT's times were taken (ebpf, socket,
	 * socket-rx, user) */
	printf("\n%-8s %-13s %-*s %-6s %-8s %8s %8s %8s %8s %6s  %-9s %s\n",
	       "TARGET", "CODE", aw, "ADDRESS", "PROBE", "STATE", "RTT ms",
	       "avg", "jitter", "max", "loss%", "TIMES", "NAME");
	for (size_t i = 0; i < json_array_size(tg); i++) {
		const json_t *t = json_array_get(tg, i);

		printf("%-8s %-13s %-*s %-6s %-8s",
		       json_string_value(json_object_get(t, "relation")),
		       json_string_value(json_object_get(t, "code")), aw,
		       json_string_value(json_object_get(t, "address")),
		       json_string_value(json_object_get(t, "method")),
		       json_string_value(json_object_get(t, "state")));
		print_ms(jnum(t, "rtt_ms"));
		print_ms(jnum(t, "rtt_avg_ms"));
		print_ms(jnum(t, "jitter_ms"));
		print_ms(jnum(t, "rtt_max_ms"));
		printf(" %6.1f  %-9s %s\n", jnum(t, "loss_pct"),
		       json_string_value(json_object_get(t, "timestamps"))
			       ?: "-",
		       json_string_value(json_object_get(t, "name")));
	}
	if (mon && strcmp(json_string_value(json_object_get(mon, "counters")) ?: "",
			  "ebpf"))
		printf("\ncounters: none (%s)\n",
		       json_string_value(json_object_get(mon, "reason")));
	else if (mon && strcmp(json_string_value(json_object_get(mon, "drops")) ?: "",
			       "ebpf"))
		printf("\ndrops: not counted (%s)\n",
		       json_string_value(json_object_get(mon, "drops_reason")));
}

static int status_code(const json_t *r)
{
	const char *st = json_string_value(json_object_get(r, "state"));

	if (!st)
		return EXIT_FAILED;
	if (!strcmp(st, "converged"))
		return json_is_false(json_object_get(
			       json_object_get(r, "config"), "ok"))
			       ? EXIT_BADCONF
			       : EXIT_OK;
	if (!strcmp(st, "drift"))
		return EXIT_DRIFT;
	if (!strcmp(st, "pending-confirm"))
		return EXIT_PENDING;
	return EXIT_UNAPPLIED;
}

static json_int_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* The reporter: is the collector reached, and what waits in the spool. */
static void print_collector(const json_t *c)
{
	const json_t *sp = json_object_get(c, "spool"),
		     *le = json_object_get(c, "last_error");

	if (!c)
		return;
	printf("collector %s: %s", json_string_value(json_object_get(c, "url")),
	       json_is_true(json_object_get(c, "reachable")) ? "reachable"
							     : "NOT REACHED");
	if (jint(c, "last_ok_ms")) {
		print_time(", last answer ", jint(c, "last_ok_ms") / 1000);
	}
	printf("\n");
	if (le && !json_is_true(json_object_get(c, "reachable"))) {
		printf("  last error: %s (%lld in a row",
		       json_string_value(json_object_get(le, "reason")),
		       (long long)jint(c, "failures_in_row"));
		if (json_object_get(c, "next_try_ms"))
			printf(", next try in %.1f s",
			       (double)jint(c, "next_try_ms") / 1000);
		printf(")\n");
	}
	printf("  spool: %lld waiting (%lld bytes, oldest %lld s), %lld "
	       "dropped by the cap, %lld corrupt, %lld torn; reports made "
	       "%lld, acknowledged %lld, refused %lld\n",
	       (long long)jint(sp, "pending"), (long long)jint(sp, "bytes"),
	       (long long)jint(sp, "oldest_age_s"),
	       (long long)jint(sp, "dropped"), (long long)jint(sp, "corrupt"),
	       (long long)jint(sp, "torn"), (long long)jint(c, "reports_made"),
	       (long long)jint(c, "acknowledged"),
	       (long long)jint(c, "refused"));
	if (json_string_value(json_object_get(c, "last_refusal")))
		printf("  last refusal: %s\n",
		       json_string_value(json_object_get(c, "last_refusal")));
}

/* The AgentX subagent, when the node config enables it. */
static void print_agentx(const json_t *x)
{
	if (!json_is_true(json_object_get(x, "enabled")))
		return;
	printf("agentx   %s: %s, %lld connections, %lld requests, %lld "
	       "traps sent, %lld lost while not connected\n",
	       json_string_value(json_object_get(x, "socket")),
	       json_is_true(json_object_get(x, "connected")) ? "connected"
							     : "NOT CONNECTED",
	       (long long)jint(x, "connects"), (long long)jint(x, "requests"),
	       (long long)jint(x, "traps"), (long long)jint(x, "traps_lost"));
}

static void print_status(const json_t *r)
{
	const json_t *p = json_object_get(r, "profile"),
		     *l = json_object_get(r, "last_apply"),
		     *pend = json_object_get(r, "pending"),
		     *node = json_object_get(r, "node");

	printf("node     %s %s\n",
	       json_string_value(json_object_get(node, "code")),
	       json_string_value(json_object_get(node, "name")));
	printf("state    %s\n", json_string_value(json_object_get(r, "state")));
	if (p) {
		printf("profile  %s %s, hash %s, ",
		       json_string_value(json_object_get(p, "name")),
		       json_string_value(json_object_get(p, "version")),
		       json_string_value(json_object_get(p, "hash")));
		print_time("applied ",
			   json_integer_value(json_object_get(p, "applied")));
		printf("\n");
	}
	if (pend)
		printf("pending  rolls back in %lld s unless confirmed%s\n",
		       (long long)json_integer_value(
			       json_object_get(pend, "seconds_left")),
		       json_is_true(json_object_get(pend, "when_reachable"))
			       ? " (confirms itself when the parent answers)"
			       : "");
	if (l) {
		printf("last     %s: %s (%lld operations, %lld writes), ",
		       json_string_value(json_object_get(l, "result")),
		       json_string_value(json_object_get(l, "message")),
		       (long long)json_integer_value(json_object_get(l, "ops")),
		       (long long)json_integer_value(
			       json_object_get(l, "writes")));
		print_time("", json_integer_value(json_object_get(l, "time")));
		printf("\n");
	}
	if (json_is_true(json_object_get(json_object_get(r, "config"), "ok")) &&
	    json_integer_value(
		    json_object_get(json_object_get(r, "config"), "loaded"))) {
		printf("config   %s, read ",
		       json_object_get(json_object_get(r, "config"), "staged")
			       ? "the copy of the applied configuration"
			       : "the files");
		print_time("", json_integer_value(json_object_get(
				       json_object_get(r, "config"), "loaded")));
		printf("\n");
	}
	if (json_is_false(json_object_get(json_object_get(r, "config"), "ok"))) {
		const json_t *c = json_object_get(r, "config");

		printf("config   HAS PROBLEMS: running with the last good one, ");
		print_time("kept ",
			   json_integer_value(json_object_get(c, "saved")));
		if (json_string_value(json_object_get(c, "hash")) &&
		    json_string_value(json_object_get(c, "hash"))[0])
			printf(", state %s",
			       json_string_value(json_object_get(c, "hash")));
		printf("\n");
		print_strings(json_object_get(c, "problems"), "  ");
	}
	if (json_object_get(json_object_get(r, "config"), "staged")) {
		const json_t *st =
			json_object_get(json_object_get(r, "config"), "staged");

		printf("files    ask for another state (%s), read ",
		       json_string_value(json_object_get(st, "hash")));
		print_time("", json_integer_value(json_object_get(st, "read")));
		printf(": not applied; the applied configuration runs "
		       "(egnetctl apply puts them on)\n");
	}
	if (json_object_get(json_object_get(r, "config"), "reload_refused")) {
		const json_t *c = json_object_get(r, "config");

		printf("reload   REFUSED ");
		print_time("", json_integer_value(
				       json_object_get(c, "refused_at")));
		printf(": still running the configuration read ");
		print_time("", json_integer_value(json_object_get(c, "loaded")));
		printf("\n");
		print_strings(json_object_get(c, "reload_refused"), "  ");
	}
	printf("drift    policy %s\n",
	       json_string_value(json_object_get(r, "drift_policy")));
	print_strings(json_object_get(r, "drift"), "  needs: ");
	print_collector(json_object_get(r, "collector"));
	print_agentx(json_object_get(r, "agentx"));
	if (json_array_size(json_object_get(r, "snmp"))) {
		const json_t *devs = json_object_get(r, "snmp");
		int up = 0, down = 0;

		for (size_t i = 0; i < json_array_size(devs); i++) {
			const char *st = json_string_value(json_object_get(
				json_array_get(devs, i), "state"));

			up += st && !strcmp(st, "up");
			down += st && !strcmp(st, "down");
		}
		printf("snmp     %zu devices: %d up, %d down, %zu not polled "
		       "yet (egnetctl snmp)\n",
		       json_array_size(devs), up, down,
		       json_array_size(devs) - (size_t)up - (size_t)down);
	}
}

static int run_once(const char *cmd, const struct agentcmd_args *a);

int agentcmd_run(const char *cmd, const struct agentcmd_args *a)
{
	int rc;

	if (!a->watch)
		return run_once(cmd, a);
	for (;;) {
		printf("\033[H\033[J"); /* home, clear */
		rc = run_once(cmd, a);
		if (rc == EXIT_NOAGENT)
			return rc;
		fflush(stdout);
		sleep(1);
	}
}

/* `egnetctl snmp`: each device, then its interfaces. */
static void print_snmp(const json_t *r)
{
	const json_t *devs = json_object_get(r, "devices");
	char a[32], b[32], c[32], d[32];

	if (!json_array_size(devs)) {
		printf("no SNMP device is configured (snmp.devices)\n");
		return;
	}
	for (size_t i = 0; i < json_array_size(devs); i++) {
		const json_t *dv = json_array_get(devs, i),
			     *ifs = json_object_get(dv, "interfaces");
		const char *err = json_string_value(json_object_get(dv, "error"));

		printf("%s", i ? "\n" : "");
		textw_put(stdout,
			  json_string_value(json_object_get(dv, "name")), 16,
			  false, " ");
		textw_put(stdout,
			  json_string_value(json_object_get(dv, "address")),
			  15, false, " ");
		printf("v%-3s %-8s", json_string_value(
				     json_object_get(dv, "version")),
		       json_string_value(json_object_get(dv, "state")));
		if (json_object_get(dv, "sys_name")) {
			printf(" sysName ");
			textw_put(stdout,
				  json_string_value(
					  json_object_get(dv, "sys_name")),
				  20, false, NULL);
			printf(" up %.0f s",
			       jnum(dv, "uptime_cs") / 100.0);
		}
		printf("  polls %lld, failed %lld\n",
		       (long long)jnum(dv, "polls"),
		       (long long)jnum(dv, "failed"));
		if (err) {
			printf("  error: ");
			textw_print(stdout, err);
			printf("\n");
		}
		printf("  %-20s %7s %-14s %-7s %10s %10s %10s %10s %7s %7s %7s\n",
		       "INTERFACE", "IFINDEX", "OPER", "ADMIN", "IN bytes",
		       "rate", "OUT bytes", "rate", "IN err", "OUT err",
		       "IN disc");
		for (size_t k = 0; k < json_array_size(ifs); k++) {
			const json_t *f = json_array_get(ifs, k),
				     *e = json_object_get(f, "errors");

			printf("  ");
			textw_put(stdout,
				  json_string_value(json_object_get(f, "name")),
				  20, false, " ");
			printf("%7lld %-14s %-7s", (long long)jnum(f, "ifindex"),
			       json_string_value(json_object_get(f, "oper")),
			       json_string_value(json_object_get(f, "admin")));
			if (json_object_get(f, "in_octets")) {
				human(jnum(f, "in_octets"), "B", a, sizeof(a));
				human(jnum(f, "out_octets"), "B", c, sizeof(c));
				snprintf(b, sizeof(b), "-");
				snprintf(d, sizeof(d), "-");
				if (json_object_get(f, "in_bps")) {
					human(jnum(f, "in_bps"), "b/s", b,
					      sizeof(b));
					human(jnum(f, "out_bps"), "b/s", d,
					      sizeof(d));
				}
				printf(" %10s %10s %10s %10s", a, b, c, d);
			}
			if (e)
				printf(" %7lld %7lld %7lld",
				       (long long)jnum(e, "in"),
				       (long long)jnum(e, "out"),
				       (long long)jnum(e, "in_discards"));
			printf("\n");
		}
	}
}

static int run_once(const char *cmd, const struct agentcmd_args *a)
{
	json_t *req, *resp;
	char err[512];
	int rc, ok;

	req = json_pack("{s:s}", "cmd", cmd);
	if (!strcmp(cmd, "apply")) {
		if (a->confirm)
			json_object_set_new(req, "confirm",
					    json_integer(a->confirm));
		if (a->reachable)
			json_object_set_new(req, "confirm_when",
					    json_string("reachable"));
	}
	rc = agentcmd_request(a->socket, req, &resp, err, sizeof(err));
	json_decref(req);
	if (rc) {
		fprintf(stderr, "egnetctl: %s\n", err);
		return EXIT_NOAGENT;
	}
	ok = json_is_true(json_object_get(resp, "ok"));
	if (a->json) {
		json_dumpf(resp, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
	} else if (!ok) {
		fprintf(stderr, "egnetctl %s: %s\n", cmd,
			json_string_value(json_object_get(resp, "error")));
		for (size_t i = 0;
		     i < json_array_size(json_object_get(resp, "problems")); i++)
			fprintf(stderr, "%s\n",
				json_string_value(json_array_get(
					json_object_get(resp, "problems"), i)));
		if (json_is_true(json_object_get(resp, "rolled_back")))
			fprintf(stderr, "egnetctl %s: everything done was "
				"undone; the previous state is in place\n", cmd);
	} else if (!strcmp(cmd, "status")) {
		print_status(resp);
	} else if (!strcmp(cmd, "links")) {
		print_links(resp);
	} else if (!strcmp(cmd, "snmp")) {
		print_snmp(resp);
	} else if (!strcmp(cmd, "plan")) {
		const json_t *ops = json_object_get(resp, "ops");

		if (!json_array_size(ops))
			printf("no change: the kernel matches the profile\n");
		else
			printf("%zu operation(s):\n", json_array_size(ops));
		print_strings(ops, "  ");
	} else if (!strcmp(cmd, "apply")) {
		json_int_t n = json_integer_value(json_object_get(resp, "ops"));

		if (!n)
			printf("no change: the kernel already matches\n");
		else
			printf("applied: %lld operation(s), %lld netlink "
			       "write(s)\n", (long long)n,
			       (long long)json_integer_value(
				       json_object_get(resp, "writes")));
		if (json_object_get(resp, "deadline"))
			printf("pending: rolls back unless `egnetctl confirm` "
			       "comes in time\n");
	} else {
		printf("%s: ok\n", cmd);
	}
	rc = !ok ? EXIT_FAILED
		 : !strcmp(cmd, "status") ? status_code(resp) : EXIT_OK;
	json_decref(resp);
	return rc;
}
