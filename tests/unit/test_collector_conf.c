// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of collector/conf.c: "ADDR:PORT" and "[ADDR6]:PORT" parsing
 * with the exact reason of each refusal, the defaults of a minimal config,
 * paths taken from the config's folder, and which differences between two
 * configs only a restart applies.  (tests/cli/test_collector_conf.sh runs
 * -n on broken copies of the example for the file:line messages.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/conf.h"

#include "tests/unit/scratch.h"

static const struct listen_row {
	const char *in;
	int family, port;
	const char *addr, *err;
} listen_rows[] = {
	{"127.0.0.1:8443", AF_INET, 8443, "127.0.0.1", NULL},
	{"0.0.0.0:1", AF_INET, 1, "0.0.0.0", NULL},
	{"[::1]:65535", AF_INET6, 65535, "::1", NULL},
	{"[fe80::1:2]:80", AF_INET6, 80, "fe80::1:2", NULL},
	{"127.0.0.1:0", 0, 0, NULL, "'127.0.0.1:0': the port must be 1..65535"},
	{"127.0.0.1:65536", 0, 0, NULL,
	 "'127.0.0.1:65536': the port must be 1..65535"},
	{"127.0.0.1:", 0, 0, NULL, "'127.0.0.1:': the port must be 1..65535"},
	{"127.0.0.1:+80", 0, 0, NULL, "'127.0.0.1:+80': the port must be 1..65535"},
	{"127.0.0.1:80x", 0, 0, NULL, "'127.0.0.1:80x': the port must be 1..65535"},
	{"127.0.0.1", 0, 0, NULL,
	 "'127.0.0.1' is not ADDR:PORT (an IPv6 address goes in [ ])"},
	{"::1:80", 0, 0, NULL,
	 "'::1:80' is not ADDR:PORT (an IPv6 address goes in [ ])"},
	{"[::1]80", 0, 0, NULL, "'[::1]80' is not [IPV6]:PORT"},
	{"[127.0.0.1]:80", 0, 0, NULL, "'127.0.0.1' is not an IPv6 address"},
	{"localhost:80", 0, 0, NULL,
	 "'localhost' is not an IPv4 address (names are not resolved)"},
	{"1.2.3.256:80", 0, 0, NULL,
	 "'1.2.3.256' is not an IPv4 address (names are not resolved)"},
};

static void test_listen(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(listen_rows) / sizeof(listen_rows[0]);
	     i++) {
		const struct listen_row *r = &listen_rows[i];
		struct conf_listen l;
		char err[128] = "", ab[64];
		int rc = conf_parse_listen(r->in, &l, err, sizeof(err));

		if (r->err) {
			if (rc != -EINVAL || strcmp(err, r->err))
				fail_msg("%s: rc %d, '%s'", r->in, rc, err);
			continue;
		}
		if (rc)
			fail_msg("%s: %s", r->in, err);
		assert_int_equal(l.ss.ss_family, r->family);
		if (r->family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&l.ss;

			assert_int_equal(ntohs(a->sin_port), r->port);
			inet_ntop(AF_INET, &a->sin_addr, ab, sizeof(ab));
			assert_int_equal(l.len, sizeof(*a));
		} else {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&l.ss;

			assert_int_equal(ntohs(a->sin6_port), r->port);
			inet_ntop(AF_INET6, &a->sin6_addr, ab, sizeof(ab));
			assert_int_equal(l.len, sizeof(*a));
		}
		assert_string_equal(ab, r->addr);
		assert_string_equal(l.text, r->in);
	}
}

static void test_defaults_and_paths(void **state)
{
	struct collector_conf c;
	char path[256], want[512];
	struct diag d;

	(void)state;
	scratch_write("c.conf",
		      "listen = [\"127.0.0.1:8443\"];\n"
		      "tls = { cert = \"s.crt\"; key = \"/abs/s.key\"; "
		      "ca = \"sub/ca.crt\"; };\n",
		      -1);
	snprintf(path, sizeof(path), "%s/c.conf", dir);
	diag_init(&d);
	if (conf_load(&c, path, &d)) {
		print_diag(&d);
		fail();
	}
	diag_free(&d);
	assert_int_equal(c.n_listen, 1);
	assert_int_equal(c.n_plain, 0);
	assert_false(c.allow_plaintext);
	/* the defaults the example and the design name */
	assert_int_equal(c.events_days, 180);
	assert_int_equal(c.minute_days, 7);
	assert_int_equal(c.max_body, 1048576);
	assert_string_equal(c.log_level, "info");
	assert_string_equal(c.inventory, "/etc/egnet/inventory.csv");
	/* relative paths from the file's folder, absolute ones as written */
	snprintf(want, sizeof(want), "%s/s.crt", dir);
	assert_string_equal(c.cert, want);
	assert_string_equal(c.key, "/abs/s.key");
	snprintf(want, sizeof(want), "%s/sub/ca.crt", dir);
	assert_string_equal(c.ca, want);
	assert_int_equal(c.cert_line, 2);
	/* the dashboard: the installed files, a poll every 2 s */
	assert_string_equal(c.web_root, "/usr/share/egnet/web");
	assert_int_equal(c.web_refresh_s, 2);
}

/* web = { ... }: a relative root from the file's folder, "" for none, the
 * refresh's bounds at its line */
static void test_web(void **state)
{
	struct collector_conf c;
	char path[256], want[512];
	struct diag d;

	(void)state;
	scratch_write("w.conf",
		      "listen = [\"127.0.0.1:8443\"];\n"
		      "tls = { cert = \"s.crt\"; key = \"s.key\"; ca = \"ca.crt\"; };\n"
		      "web = { root = \"www\"; refresh_s = 5; };\n",
		      -1);
	snprintf(path, sizeof(path), "%s/w.conf", dir);
	diag_init(&d);
	if (conf_load(&c, path, &d)) {
		print_diag(&d);
		fail();
	}
	diag_free(&d);
	snprintf(want, sizeof(want), "%s/www", dir);
	assert_string_equal(c.web_root, want);
	assert_int_equal(c.web_root_line, 3);
	assert_int_equal(c.web_refresh_s, 5);

	scratch_write("w.conf",
		      "listen = [\"127.0.0.1:8443\"];\n"
		      "tls = { cert = \"s.crt\"; key = \"s.key\"; ca = \"ca.crt\"; };\n"
		      "web = { root = \"\"; };\n",
		      -1);
	diag_init(&d);
	assert_int_equal(conf_load(&c, path, &d), 0);
	diag_free(&d);
	assert_string_equal(c.web_root, "");

	scratch_write("w.conf",
		      "listen = [\"127.0.0.1:8443\"];\n"
		      "tls = { cert = \"s.crt\"; key = \"s.key\"; ca = \"ca.crt\"; };\n"
		      "web = {\n  refresh_s = 0;\n  colour = 1;\n};\n",
		      -1);
	diag_init(&d);
	assert_int_equal(conf_load(&c, path, &d), -EINVAL);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.items[0].line, 4);
	assert_string_equal(d.items[0].setting, "web.refresh_s");
	assert_int_equal(d.items[1].line, 5);
	assert_string_equal(d.items[1].setting, "web.colour");
	diag_free(&d);
}

static void test_restart_needed(void **state)
{
	struct collector_conf a, b;
	char what[256];

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(conf_parse_listen("127.0.0.1:1", &a.listen[0], what,
					   sizeof(what)),
			 0);
	a.n_listen = 1;
	a.events_days = 180;
	b = a;
	assert_string_equal(conf_restart_needed(&a, &b, what, sizeof(what)),
			    "");
	/* what a running server applies does not ask for a restart */
	snprintf(b.inventory, sizeof(b.inventory), "other.csv");
	snprintf(b.log_level, sizeof(b.log_level), "debug");
	assert_string_equal(conf_restart_needed(&a, &b, what, sizeof(what)),
			    "");
	b.threads = 9;
	b.listen[0].line = 7; /* a line alone is no change */
	assert_string_equal(conf_restart_needed(&a, &b, what, sizeof(what)),
			    "limits.threads");
	conf_parse_listen("127.0.0.1:2", &b.listen[0], what, sizeof(what));
	snprintf(b.ca, sizeof(b.ca), "x");
	assert_string_equal(conf_restart_needed(&a, &b, what, sizeof(what)),
			    "listen, tls.ca, limits.threads");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen),
		cmocka_unit_test_setup_teardown(test_defaults_and_paths,
						scratch_setup, scratch_teardown),
		cmocka_unit_test(test_restart_needed),
		cmocka_unit_test_setup_teardown(test_web, scratch_setup,
						scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
