// SPDX-License-Identifier: BSD-2-Clause
/*
 * The agent's reporter resumes its TLS session after the collector closed
 * the connection: the real reporter (agent/report/reporter.c, libcurl on a
 * libevent loop) against the real HTTP server (collector/ingest/http.c,
 * GnuTLS with session tickets) on 127.0.0.1, certificates made by
 * packaging/egnet-pki.  The server closes a connection idle for 1 s; the
 * reporter is asked for a report every 1.6 s, so each one after the first
 * comes on a new connection, and the server counts how each handshake went
 * (egnet_tls_handshakes_total): the first full, every later one resumed.
 * A reporter that makes each request's libcurl handle without sharing its
 * TLS sessions makes them all full, and this fails.
 */
#include <errno.h>
#include <event2/event.h>
#include <ftw.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/report/reporter.h"
#include "collector/ingest/http.h"
#include "common/report.h"

#define GOLDEN	"tests/golden/report_county.json"
#define NODE	"210102001000"
#define REPORTS 4

static int posts; /* reports the server took */

static int h_report(struct http_req *req, void *arg)
{
	(void)arg;
	__atomic_fetch_add(&posts, 1, __ATOMIC_RELAXED);
	return http_answer(req, 204, NULL);
}

static const struct http_route routes[] = {
	{"POST", "/api/v1/reports", h_report, NULL, false},
	{NULL, NULL, NULL, NULL, false},
};

static struct report *golden; /* the county report, filled in each time */

static void fill(struct report *r, void *arg)
{
	(void)arg;
	memcpy(r, golden, sizeof(*r));
}

struct run {
	struct event_base *base;
	struct reporter *rp;
	struct event *ask;
	int asked;
};

/* Ask for a report; stop once the server has them all (or too late). */
static void on_ask(evutil_socket_t fd, short what, void *arg)
{
	struct run *run = arg;
	struct timeval tv = {1, 600000};

	(void)fd;
	(void)what;
	if (__atomic_load_n(&posts, __ATOMIC_RELAXED) >= REPORTS ||
	    run->asked > 3 * REPORTS) {
		event_base_loopbreak(run->base);
		return;
	}
	if (run->asked++)
		reporter_soon(run->rp);
	evtimer_add(run->ask, &tv);
}

static char dir[64]; /* the certificates and the spool */

/* The file @dir/@name, NUL-ended (malloc'd), or NULL. */
static char *slurp(const char *name, size_t *len)
{
	char path[256];
	char *s = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", name[0] == '/' ? "" : dir, name);
	if (!strcmp(name, GOLDEN))
		snprintf(path, sizeof(path), "%s", GOLDEN);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) &&
	    fread(s, 1, (size_t)n, f) == (size_t)n) {
		s[n] = '\0';
		*len = (size_t)n;
	} else {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static void resume_test(bool tickets, void **state)
{
	char cmd[512], err[256], url[64], ca[128], cert[128], key[128],
		spool[128];
	char *cpem, *kpem, *capem, *body;
	struct http_listen l = {.len = sizeof(struct sockaddr_in), .tls = true};
	struct sockaddr_in *a = (struct sockaddr_in *)&l.ss;
	const struct http_route *tables[] = {routes};
	struct http_server *srv = NULL;
	struct http_stats st;
	enum report_err why;
	struct run run = {0};
	size_t len;

	(void)state;
	snprintf(cmd, sizeof(cmd),
		 "packaging/egnet-pki init %s/pki >/dev/null && "
		 "packaging/egnet-pki collector %s/pki localhost 127.0.0.1 "
		 ">/dev/null && packaging/egnet-pki node %s/pki " NODE
		 " >/dev/null",
		 dir, dir, dir);
	if (system(cmd) != 0)
		fail_msg("egnet-pki failed: %s", cmd);
	cpem = slurp("pki/collector/localhost.crt", &len);
	kpem = slurp("pki/collector/localhost.key", &len);
	capem = slurp("pki/ca.crt", &len);
	assert_non_null(cpem);
	assert_non_null(kpem);
	assert_non_null(capem);

	body = slurp(GOLDEN, &len);
	assert_non_null(body);
	if (report_decode(body, len, golden, &why, err, sizeof(err)))
		fail_msg("%s: %s", GOLDEN, err);
	free(body);

	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct http_conf hc = {
		.listen = &l,
		.n_listen = 1,
		.cert_pem = cpem,
		.key_pem = kpem,
		.ca_pem = capem,
		.max_body = 1 << 20,
		.connections = 16,
		.threads = 1,
		.timeout = 1, /* idle connections closed after 1 s */
		.tickets = tickets,
		.ticket_lifetime = 60,
	};
	if (http_server_start(&srv, &hc, tables, 1, err, sizeof(err)))
		fail_msg("server: %s", err);
	free(cpem);
	free(kpem);
	free(capem);

	snprintf(url, sizeof(url), "https://127.0.0.1:%d",
		 http_server_port(srv, 0));
	snprintf(ca, sizeof(ca), "%s/pki/ca.crt", dir);
	snprintf(cert, sizeof(cert), "%s/pki/nodes/" NODE ".crt", dir);
	snprintf(key, sizeof(key), "%s/pki/nodes/" NODE ".key", dir);
	snprintf(spool, sizeof(spool), "%s/spool-%d", dir, tickets);
	struct reporter_opts o = {
		.url = url,
		.ca = ca,
		.cert = cert,
		.key = key,
		.interval_s = 3600, /* only the reports asked for */
		.timeout_s = 10,
		.spool_dir = spool,
		.fill = fill,
	};
	run.base = event_base_new();
	assert_non_null(run.base);
	if (reporter_open(&run.rp, run.base, &o, err, sizeof(err)))
		fail_msg("reporter: %s", err);
	run.ask = evtimer_new(run.base, on_ask, &run);
	posts = 0;
	on_ask(-1, 0, &run); /* the first report comes by itself */
	event_base_dispatch(run.base);

	http_server_stats(srv, &st);
	reporter_close(run.rp);
	event_free(run.ask);
	event_base_free(run.base);
	http_server_stop(srv);

	print_message("tickets %s: %d reports, %llu connections, %llu full "
		      "handshakes, %llu resumed\n",
		      tickets ? "on" : "off", posts,
		      (unsigned long long)st.conn_total,
		      (unsigned long long)st.tls_full,
		      (unsigned long long)st.tls_resumed);
	assert_true(posts >= REPORTS);
	/* the collector closed the idle connection between reports */
	assert_true(st.conn_total >= 2);
	/* a handshake is counted at its connection's first request: a
	 * connection the collector closed as the reporter picked it up
	 * (the report is sent again on a new one) has none */
	assert_true(st.tls_full + st.tls_resumed <= st.conn_total);
	assert_true(st.tls_full + st.tls_resumed >= 2);
	if (tickets) {
		assert_int_equal(st.tls_full, 1);
		assert_true(st.tls_resumed >= 1);
	} else {
		assert_int_equal(st.tls_resumed, 0);
	}
}

static void test_resumes(void **state)
{
	resume_test(true, state);
}

static void test_no_tickets(void **state)
{
	resume_test(false, state);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/egnet-resume-XXXXXX");
	golden = malloc(sizeof(*golden));
	return golden && mkdtemp(dir) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int teardown(void **state)
{
	(void)state;
	free(golden);
	golden = NULL;
	return nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resumes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_tickets, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
