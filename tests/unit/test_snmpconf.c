// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the node config's snmp group (common/snmpconf.c): a v3
 * authPriv device and a v2c one with allow_community are taken with their
 * values; each breach of the policy or of a range is refused with the
 * line of the setting and the exact reason; the secrets file is refused
 * unless it is a regular file of root's that no one else may read, and
 * what it holds is checked at its own lines.
 */
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

#include "common/snmpconf.h"

static char dir[] = "/tmp/egnet-snmpconf.XXXXXX";
static char secret[300], badsecret[300];
static struct snmpconf sc;

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* Load "snmp = { TEXT };": the number of problems, the first in *first. */
static int load(const char *text, char *first, size_t len)
{
	char *conf;
	struct diag d;
	config_t c;
	int n;

	assert_true(asprintf(&conf, "snmp = { %s };\n", text) > 0);
	config_init(&c);
	assert_int_equal(config_read_string(&c, conf), CONFIG_TRUE);
	diag_init(&d);
	n = snmpconf_load(&sc, config_lookup(&c, "snmp"), "node.conf", &d);
	first[0] = '\0';
	if (diag_count(&d)) {
		const struct diag_item *it = &d.items[0];

		snprintf(first, len, "%s:%d: %s: %s", it->file, it->line,
			 it->setting ? it->setting : "", it->msg);
	}
	diag_free(&d);
	config_destroy(&c);
	free(conf);
	return n;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(secret, sizeof(secret), "%s/ok.secret", dir);
	snprintf(badsecret, sizeof(badsecret), "%s/open.secret", dir);
	write_file(secret,
		   "auth_pass = \"authpass1234\";\npriv_pass = \"privpass1234\";\n",
		   0600);
	write_file(badsecret, "community = \"c\";\n", 0644);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(secret);
	unlink(badsecret);
	rmdir(dir);
	return 0;
}

static void test_v2c_taken(void **state)
{
	char e[512];

	(void)state;
	assert_int_equal(
		load("interval = 5; devices = ( { name = \"r\"; address = "
		     "\"fd00::1\"; version = \"2c\"; community = \"pub\"; "
		     "allow_community = true; interfaces = [ \"ge-0/0/1\", "
		     "\"Port 7\" ]; } );",
		     e, sizeof(e)),
		0);
	assert_int_equal(sc.interval_s, 5);
	assert_int_equal(sc.down_after, 3);
	assert_int_equal(sc.n_devices, 1);
	assert_int_equal(sc.devices[0].version, SNMP_V2C);
	assert_int_equal(sc.devices[0].port, 161);
	assert_string_equal(sc.devices[0].ifaces[1], "Port 7");
}

static void test_v3(void **state)
{
	char conf[1024], e[512];
	int n;

	(void)state;
	snprintf(conf, sizeof(conf),
		 "devices = ( { name = \"r\"; address = \"10.0.0.1\"; "
		 "version = 3; user = \"u\"; auth = \"SHA-512\"; priv = "
		 "\"AES-256\"; secrets = \"%s\"; interfaces = [ \"x\" ]; } );",
		 secret);
	n = load(conf, e, sizeof(e));
	if (getuid() == 0) {
		assert_int_equal(n, 0);
		assert_int_equal(sc.devices[0].auth, SNMP_AUTH_SHA512);
		assert_int_equal(sc.devices[0].priv, SNMP_PRIV_AES256);
		assert_string_equal(sc.devices[0].auth_pass, "authpass1234");
	} else {
		/* a file of ours is not root's */
		assert_int_equal(n, 1);
		assert_non_null(strstr(e, "must be owned by root"));
	}
}

static const struct row {
	const char *text, *want;
} rows[] = {
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; version = \"2c\";\n"
	 "community = \"c\"; interfaces = [ \"x\" ]; } );",
	 "node.conf:1: snmp.devices[0].version: SNMPv2c sends its community in "
	 "clear text and cannot be authenticated: use version = 3, or set "
	 "allow_community = true"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; version = 1;\n"
	 "community = \"c\"; interfaces = [ \"x\" ]; } );",
	 "node.conf:1: snmp.devices[0].version: SNMPv1 has no 64-bit counters "
	 "(ifHCInOctets, ifHCOutOctets): use version = 3, or \"2c\" with "
	 "allow_community = true"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; user = \"u\";\n"
	 " interfaces = [ \"x\" ]; } );",
	 "node.conf:1: snmp.devices[0]: noAuthNoPriv is refused: SNMPv3 is "
	 "polled with authentication and privacy"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; user = \"u\";\n"
	 " auth = \"SHA-256\"; interfaces = [ \"x\" ]; } );",
	 "node.conf:1: snmp.devices[0]: authNoPriv is refused"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; user = \"u\";\n"
	 " auth = \"SHA-256\"; priv = \"AES\";\n level = \"authNoPriv\"; "
	 "interfaces = [ \"x\" ]; } );",
	 "node.conf:3: snmp.devices[0].level: authNoPriv is refused"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; user = \"u\";\n"
	 " auth = \"MD5\"; priv = \"AES\"; interfaces = [ \"x\" ]; } );",
	 "node.conf:2: snmp.devices[0].auth: 'MD5' is not accepted (one of: "
	 "SHA-224, SHA-256, SHA-384, SHA-512)"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; user = \"u\";\n"
	 " auth = \"SHA-256\"; priv = \"DES\"; interfaces = [ \"x\" ]; } );",
	 "node.conf:2: snmp.devices[0].priv: 'DES' is not accepted"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; user = \"u\";\n"
	 " auth = \"SHA-256\"; priv = \"AES\"; interfaces = [ \"x\" ]; } );",
	 "node.conf:1: snmp.devices[0]: SNMPv3 needs auth_pass and priv_pass"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; version = 4;\n"
	 " interfaces = [ \"x\" ]; } );",
	 "node.conf:1: snmp.devices[0].version: must be 3, \"2c\" or 1"},
	{"devices = ( { name = \"r\"; address = \"router.example\";\n"
	 " interfaces = [ \"x\" ]; } );",
	 "node.conf:1: snmp.devices[0].address: "},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\";\n"
	 " interfaces = [ \"x\", \"x\" ]; } );",
	 "node.conf:2: snmp.devices[0].interfaces[1]: 'x' is listed twice"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\";\n"
	 " interfaces = [ ]; } );",
	 "node.conf:2: snmp.devices[0].interfaces: 1..64 interfaces, not 0"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\";\n"
	 " interfaces = [ \"tab\\there\" ]; } );",
	 "node.conf:2: snmp.devices[0].interfaces[0]: must be a name of "
	 "1..63 printable characters"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; } );",
	 "node.conf:1: snmp.devices[0]: missing required setting 'interfaces'"},
	{"interval = 0;", "node.conf:1: snmp.interval: 0 is out of range 1..3600"},
	{"down_after = 101;",
	 "node.conf:1: snmp.down_after: 101 is out of range 1..100"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; colour = 1;\n"
	 " interfaces = [ \"x\" ]; } );",
	 "node.conf:1: snmp.devices[0].colour: unknown setting"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; version = \"2c\";\n"
	 " allow_community = true; community = \"c\"; interfaces = [ \"x\" ]; },\n"
	 " { name = \"r\"; address = \"10.0.0.2\"; version = \"2c\";\n"
	 " allow_community = true; community = \"c\"; interfaces = [ \"x\" ]; } );",
	 "node.conf:3: snmp.devices[1].name: 'r' is the name of the device at "
	 "line 1 too"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; version = \"2c\";\n"
	 " allow_community = true; secrets = \"relative.secret\";\n"
	 " interfaces = [ \"x\" ]; } );",
	 "node.conf:2: snmp.devices[0].secrets: 'relative.secret': the secrets "
	 "file is given by its absolute path"},
	{"devices = ( { name = \"r\"; address = \"10.0.0.1\"; version = \"2c\";\n"
	 " allow_community = true; secrets = \"/nonexistent/x\";\n"
	 " interfaces = [ \"x\" ]; } );",
	 "node.conf:2: snmp.devices[0].secrets: secrets file /nonexistent/x: "
	 "No such file or directory"},
};

static void test_refused(void **state)
{
	const struct row *r = *state;
	char e[512];

	assert_true(load(r->text, e, sizeof(e)) > 0);
	if (strncmp(e, r->want, strlen(r->want)))
		fail_msg("want \"%s\", got \"%s\"", r->want, e);
}

static void test_open_secrets(void **state)
{
	char conf[1024], e[512];

	(void)state;
	snprintf(conf, sizeof(conf),
		 "devices = ( { name = \"r\"; address = \"10.0.0.1\";\n"
		 " version = \"2c\"; allow_community = true; secrets = "
		 "\"%s\"; interfaces = [ \"x\" ]; } );",
		 badsecret);
	assert_int_equal(load(conf, e, sizeof(e)), 1);
	assert_non_null(strstr(e, "node.conf:2: snmp.devices[0].secrets: "));
	assert_non_null(strstr(e, "must be owned by root and readable by root "
				  "only"));
	assert_non_null(strstr(e, "mode 0644"));
}

/* What the secrets file holds, at its own lines (root: the file is ours). */
static void test_secrets_content(void **state)
{
	char conf[1024], e[512], path[320];

	(void)state;
	if (getuid() != 0) {
		/* not root: every file is refused before it is read, as
		 * test_v3 checks; the content is checked as root */
		print_message("content checks need root's files\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/junk.secret", dir);
	write_file(path, "auth_pass = \"a\";\n\ncolour = \"x\";\n", 0600);
	snprintf(conf, sizeof(conf),
		 "devices = ( { name = \"r\"; address = \"10.0.0.1\";\n"
		 " version = \"2c\"; allow_community = true; secrets = "
		 "\"%s\"; interfaces = [ \"x\" ]; } );",
		 path);
	assert_int_equal(load(conf, e, sizeof(e)), 1);
	assert_non_null(strstr(e, "junk.secret:3: colour: unknown setting"));
	unlink(path);
}

int main(void)
{
	struct CMUnitTest tests[4 + sizeof(rows) / sizeof(rows[0])];
	size_t n = 0;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_v2c_taken);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_v3);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_open_secrets);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_secrets_content);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tests[n++] = (struct CMUnitTest){rows[i].want, test_refused,
						 NULL, NULL, (void *)&rows[i]};
	return cmocka_run_group_tests(tests, setup, teardown);
}
