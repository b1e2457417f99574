// SPDX-License-Identifier: BSD-2-Clause
/*
 * The node config's `snmp` group (snmpconf.h): its options and each
 * device's in cfg.c tables, then what a table cannot say — the version
 * (an integer or a string), the security policy, the secrets file and
 * its ownership, the interfaces.  Problems go to the diagnostics with
 * file:line; nothing is logged.
 */
#include "common/snmpconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cfg.h"
#include "common/ip.h"
#include "common/utf8.h"

const char *const snmp_version_words[] = {"1", "2c", "3", NULL};
const char *const snmp_auth_words[] = {"SHA-224", "SHA-256", "SHA-384",
				       "SHA-512", NULL};
const char *const snmp_priv_words[] = {"AES", "AES-192", "AES-256", NULL};
const char *const snmp_level_words[] = {"authPriv", "authNoPriv",
					"noAuthNoPriv", NULL};

#define SECRETS_MAX 4096 /* bytes of a secrets file */

static const struct cfg_opt snmp_opts[] = {
	{"interval", CFG_INT, false, 1, 3600, 10, NULL, NULL,
	 offsetof(struct snmpconf, interval_s), 0},
	{"timeout_ms", CFG_INT, false, 50, 60000, 1000, NULL, NULL,
	 offsetof(struct snmpconf, timeout_ms), 0},
	{"retries", CFG_INT, false, 0, 10, 1, NULL, NULL,
	 offsetof(struct snmpconf, retries), 0},
	{"down_after", CFG_INT, false, 1, 100, 3, NULL, NULL,
	 offsetof(struct snmpconf, down_after), 0},
	{"max_repetitions", CFG_INT, false, 1, 100, 25, NULL, NULL,
	 offsetof(struct snmpconf, bulk_rows), 0},
	{"max_varbinds", CFG_INT, false, 16, 256, 64, NULL, NULL,
	 offsetof(struct snmpconf, max_varbinds), 0},
	{"devices", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	/* the AgentX subagent's group, read by nodeconf.c */
	{"agentx", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	CFG_END,
};

#define DEV(f) offsetof(struct snmp_devconf, f), sizeof(((struct snmp_devconf *)0)->f)
static const struct cfg_opt dev_opts[] = {
	{"name", CFG_STR, true, 1, 0, 0, NULL, NULL, DEV(name)},
	{"address", CFG_STR, true, 1, 0, 0, NULL, NULL, DEV(address)},
	{"port", CFG_INT, false, 1, 65535, 161, NULL, NULL,
	 offsetof(struct snmp_devconf, port), 0},
	{"version", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"user", CFG_STR, false, 1, 0, 0, "", NULL, DEV(user)},
	{"auth", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"priv", CFG_SKIP, false, 0, 0, 0, NULL, NULL, 0, 0},
	{"level", CFG_ENUM, false, 0, 0, 0, NULL, snmp_level_words,
	 offsetof(struct snmp_devconf, level), 0},
	{"secrets", CFG_STR, false, 1, 0, 0, "", NULL, DEV(secrets)},
	{"community", CFG_STR, false, 1, 0, 0, "", NULL, DEV(community)},
	{"allow_community", CFG_BOOL, false, 0, 0, 0, NULL, NULL,
	 offsetof(struct snmp_devconf, allow_community), 0},
	{"interfaces", CFG_SKIP, true, 0, 0, 0, NULL, NULL, 0, 0},
	CFG_END,
};

/* What a secrets file may hold, with the device's field for each. */
static const struct {
	const char *name;
	size_t off;
} secret_keys[] = {
	{"auth_pass", offsetof(struct snmp_devconf, auth_pass)},
	{"priv_pass", offsetof(struct snmp_devconf, priv_pass)},
	{"community", offsetof(struct snmp_devconf, community)},
};
#define N_SECRET_KEYS (sizeof(secret_keys) / sizeof(secret_keys[0]))

/* version: 3, 2 or 1 as an integer, or "3", "2c", "1" as a string. */
static int read_version(struct snmp_devconf *dc, const config_setting_t *s,
			const char *file, struct diag *d)
{
	int t;

	dc->version = SNMP_V3;
	if (!s)
		return 0;
	t = config_setting_type(s);
	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		long long v = config_setting_get_int64(s);

		if (v == 3 || v == 1) {
			dc->version = v == 3 ? SNMP_V3 : SNMP_V1;
			return 0;
		}
		if (v == 2) {
			dc->version = SNMP_V2C;
			return 0;
		}
	} else if (t == CONFIG_TYPE_STRING) {
		int i = cfg_word_index(snmp_version_words,
				       config_setting_get_string(s));

		if (i >= 0) {
			dc->version = i;
			return 0;
		}
	}
	cfg_problem(d, s, file, "must be 3, \"2c\" or 1");
	return 1;
}

/* auth / priv: one of words; absent is -1. */
static int read_word(const config_setting_t *s, const char *file,
		     const char *const *words, int *out, struct diag *d)
{
	char wb[128];
	int i;

	*out = -1;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_problem(d, s, file, "must be a string, not %s",
			    cfg_type_name(config_setting_type(s)));
		return 1;
	}
	i = cfg_word_index(words, config_setting_get_string(s));
	if (i < 0) {
		cfg_problem(d, s, file, "'%.40s' is not accepted (one of: %s)",
			    config_setting_get_string(s),
			    cfg_words(words, wb, sizeof(wb)));
		return 1;
	}
	*out = i;
	return 0;
}

static int read_ifaces(struct snmp_devconf *dc, const config_setting_t *s,
		       const char *file, struct diag *d)
{
	int n;

	if (!s)
		return 1; /* cfg_read named it missing */
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		cfg_problem(d, s, file, "must be an array of interface names "
			    "as the device's ifName or ifDescr has them");
		return 1;
	}
	n = config_setting_length(s);
	if (n < 1 || n > SNMP_MAX_IFACES) {
		cfg_problem(d, s, file, "1..%d interfaces, not %d",
			    SNMP_MAX_IFACES, n);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		size_t len = v ? strlen(v) : 0;
		bool ok = v && len && len < SNMP_NAME_LEN && utf8_valid(v);

		for (size_t k = 0; ok && k < len; k++)
			ok = (unsigned char)v[k] >= 0x20 && v[k] != 0x7f;
		if (!ok) {
			cfg_problem(d, e, file, "must be a name of 1..%d "
				    "printable characters",
				    SNMP_NAME_LEN - 1);
			return 1;
		}
		for (int j = 0; j < i; j++)
			if (!strcmp(dc->ifaces[j], v)) {
				cfg_problem(d, e, file, "'%s' is listed twice",
					    v);
				return 1;
			}
		snprintf(dc->ifaces[i], SNMP_NAME_LEN, "%s", v);
	}
	dc->n_ifaces = n;
	return 0;
}

/*
 * The secrets file @dc->secrets: a regular file owned by root, with no
 * permission for group or others, of libconfig settings auth_pass,
 * priv_pass, community.  Problems at @at (the device's secrets setting)
 * for the file itself, at the file's own lines for what it holds.
 */
static int read_secrets(struct snmp_devconf *dc, const config_setting_t *at,
			const char *file, struct diag *d)
{
	const char *path = dc->secrets;
	char buf[SECRETS_MAX + 1];
	struct stat st;
	config_t c;
	ssize_t n;
	int fd, problems = 0;

	if (path[0] != '/') {
		cfg_problem(d, at, file, "'%s': the secrets file is given by "
			    "its absolute path", path);
		return 1;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		cfg_problem(d, at, file, "secrets file %s: %s", path,
			    errno == ELOOP ? "is a symbolic link"
					   : strerror(errno));
		return 1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		cfg_problem(d, at, file, "secrets file %s is not a regular "
			    "file", path);
		close(fd);
		return 1;
	}
	if (st.st_uid != 0 || (st.st_mode & 077)) {
		cfg_problem(d, at, file, "secrets file %s must be owned by "
			    "root and readable by root only (it is uid %u, "
			    "mode %04o): chown root %s; chmod 600 %s",
			    path, (unsigned)st.st_uid,
			    (unsigned)(st.st_mode & 07777), path, path);
		close(fd);
		return 1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || n > SECRETS_MAX) {
		cfg_problem(d, at, file, "secrets file %s: %s", path,
			    n < 0 ? strerror(errno) : "larger than 4 KiB");
		return 1;
	}
	buf[n] = '\0';
	if ((size_t)n != strlen(buf) || !utf8_valid(buf)) {
		cfg_problem(d, at, file, "secrets file %s is not text", path);
		return 1;
	}
	config_init(&c);
	if (config_read_string(&c, buf) != CONFIG_TRUE) {
		diag_add(d, path, config_error_line(&c), NULL, "%s",
			 config_error_text(&c));
		config_destroy(&c);
		return 1;
	}
	for (int i = 0; i < config_setting_length(config_root_setting(&c));
	     i++) {
		config_setting_t *s = config_setting_get_elem(
			config_root_setting(&c), (unsigned)i);
		const char *name = config_setting_name(s), *v;
		size_t k;

		for (k = 0; k < N_SECRET_KEYS; k++)
			if (!strcmp(name, secret_keys[k].name))
				break;
		v = config_setting_get_string(s);
		if (k == N_SECRET_KEYS) {
			diag_add(d, path, cfg_line(s), name,
				 "unknown setting (auth_pass, priv_pass, "
				 "community)");
			problems++;
		} else if (!v || !v[0] || strlen(v) >= SNMP_SECRET_LEN) {
			diag_add(d, path, cfg_line(s), name,
				 "must be a string of 1..%d bytes",
				 SNMP_SECRET_LEN - 1);
			problems++;
		} else {
			snprintf((char *)dc + secret_keys[k].off,
				 SNMP_SECRET_LEN, "%s", v);
		}
	}
	config_destroy(&c);
	return problems;
}

/* What the security policy says of a device read whole. */
static int check_security(struct snmp_devconf *dc, const config_setting_t *g,
			  const char *file, struct diag *d)
{
	const config_setting_t *vs = config_setting_get_member(g, "version"),
			       *at = vs ? vs : g;
	int problems = 0;

	if (dc->version == SNMP_V1) {
		cfg_problem(d, at, file, "SNMPv1 has no 64-bit counters "
			    "(ifHCInOctets, ifHCOutOctets): use version = 3, "
			    "or \"2c\" with allow_community = true");
		return 1;
	}
	if (dc->version != SNMP_V3) {
		if (!dc->allow_community) {
			cfg_problem(d, at, file, "SNMPv2c sends its community "
				    "in clear text and cannot be "
				    "authenticated: use version = 3, or set "
				    "allow_community = true");
			return 1;
		}
		if (!dc->community[0]) {
			cfg_problem(d, g, file, "no community (in the device "
				    "or its secrets file)");
			return 1;
		}
		return 0;
	}
	if (dc->community[0]) {
		cfg_problem(d, config_setting_get_member(g, "community") ?: g,
			    file, "a community is for version 1 or 2c, not 3");
		problems++;
	}
	if (dc->level != 0 || dc->auth < 0 || dc->priv < 0) {
		const char *lvl = dc->level ? snmp_level_words[dc->level]
				  : dc->auth < 0 ? "noAuthNoPriv"
						 : "authNoPriv";

		cfg_problem(d, config_setting_get_member(g, "level") ?: g, file,
			    "%s is refused: SNMPv3 is polled with "
			    "authentication and privacy (authPriv: auth = "
			    "\"SHA-256\", priv = \"AES\")",
			    lvl);
		return problems + 1;
	}
	if (!dc->user[0]) {
		cfg_problem(d, g, file, "SNMPv3 needs a user");
		problems++;
	}
	if (strlen(dc->auth_pass) < SNMP_PASS_MIN ||
	    strlen(dc->priv_pass) < SNMP_PASS_MIN) {
		cfg_problem(d, config_setting_get_member(g, "secrets") ?: g,
			    file, "SNMPv3 needs auth_pass and priv_pass of at "
			    "least %d characters in the secrets file",
			    SNMP_PASS_MIN);
		problems++;
	}
	return problems;
}

static int read_device(struct snmpconf *sc, const config_setting_t *g,
		       const char *file, struct diag *d)
{
	struct snmp_devconf *dc = &sc->devices[sc->n_devices];
	struct ip_addr a;
	char err[128];
	int problems;

	memset(dc, 0, sizeof(*dc));
	dc->line = cfg_line(g);
	if (!config_setting_is_group(g)) {
		cfg_problem(d, g, file, "must be a group { name; address; "
			    "... }");
		return 1;
	}
	problems = cfg_read(d, g, file, dev_opts, dc);
	problems += read_version(dc, config_setting_get_member(g, "version"),
				 file, d);
	problems += read_word(config_setting_get_member(g, "auth"), file,
			      snmp_auth_words, &dc->auth, d);
	problems += read_word(config_setting_get_member(g, "priv"), file,
			      snmp_priv_words, &dc->priv, d);
	if (config_setting_get_member(g, "interfaces"))
		problems += read_ifaces(
			dc, config_setting_get_member(g, "interfaces"), file, d);
	if (dc->address[0] && ip_parse_addr(dc->address, &a, err, sizeof(err))) {
		cfg_problem(d, config_setting_get_member(g, "address"), file,
			    "%s", err);
		problems++;
	}
	for (int i = 0; dc->name[0] && i < sc->n_devices; i++)
		if (!strcmp(sc->devices[i].name, dc->name)) {
			cfg_problem(d, config_setting_get_member(g, "name"),
				    file, "'%s' is the name of the device at "
				    "line %d too",
				    dc->name, sc->devices[i].line);
			problems++;
		}
	if (dc->secrets[0])
		problems += read_secrets(
			dc, config_setting_get_member(g, "secrets"), file, d);
	if (!problems)
		problems += check_security(dc, g, file, d);
	sc->n_devices++;
	return problems;
}

int snmpconf_load(struct snmpconf *sc, const config_setting_t *g,
		  const char *file, struct diag *d)
{
	const config_setting_t *devs;
	int problems;

	memset(sc, 0, sizeof(*sc));
	if (g && !config_setting_is_group(g)) {
		cfg_problem(d, g, file, "must be a group { devices = ( ... ); "
			    "... }");
		return 1;
	}
	problems = cfg_read(d, g, file, snmp_opts, sc);
	devs = g ? config_setting_get_member(g, "devices") : NULL;
	if (!devs)
		return problems;
	if (!config_setting_is_list(devs)) {
		cfg_problem(d, devs, file, "must be a list ( { ... }, ... )");
		return problems + 1;
	}
	if (config_setting_length(devs) > SNMP_MAX_DEVICES) {
		cfg_problem(d, devs, file, "at most %d devices",
			    SNMP_MAX_DEVICES);
		return problems + 1;
	}
	for (int i = 0; i < config_setting_length(devs); i++)
		problems += read_device(
			sc, config_setting_get_elem(devs, (unsigned)i), file, d);
	return problems;
}
