// SPDX-License-Identifier: BSD-2-Clause
/*
 * Seeds for the state and firewall harnesses, made by the agent's own
 * code: seeds OUT NODE.conf...  For each node config, the target state an
 * apply would write (agent.c's target_of: the desired state, its compiled
 * firewall) as OUT/state/NAME-applied.json, -pending.json (with its
 * target, deadline and meta) and -journal.json, without the firewall
 * (tens of kilobytes of it would slow every run), and once with it
 * (township); the firewall's messages as OUT/fw/township.bin (the
 * harness's first byte 0: raw messages) and township.b64 (first byte 1:
 * the base64 text), and a few messages alone of every node's (NAME-N.bin).  `make fuzz-seeds`
 * refreshes tests/fuzz/corpus/state and fw with it.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/fw/fw.h"
#include "agent/apply/kjson.h"
#include "agent/apply/statedir.h"
#include "common/inputs.h"

static int put(const char *path, const void *a, size_t alen, const void *b,
	       size_t blen)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(a, 1, alen, f) != alen ||
	    fwrite(b, 1, blen, f) != blen) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static int seeds_of(const char *out, const char *conf)
{
	char dir[4096], name[256], path[4400], err[300], *base;
	struct state_meta m = {0};
	struct kstate t, empty = {0};
	struct inputs in;
	struct diag d;
	struct fwstate *fw;
	json_t *extra, *fwj;
	int rc;

	snprintf(name, sizeof(name), "%s", conf);
	base = basename(name);
	base[strcspn(base, ".")] = '\0';
	diag_init(&d);
	if (inputs_load(&in, conf, NULL, NULL, &d)) {
		diag_print(&d, stderr);
		diag_free(&d);
		inputs_free(&in);
		return -1;
	}
	kstate_from_desired(&t, &in.ds);
	t.fw = calloc(1, sizeof(*t.fw));
	if (!t.fw || fw_compile(&in.ds, t.fw, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", conf, err);
		return -1;
	}
	snprintf(m.profile, sizeof(m.profile), "%s", in.p.name);
	snprintf(m.version, sizeof(m.version), "%s", in.p.version);
	kstate_hash(&t, m.hash);
	m.time = 1764633600; /* fixed, so seeds do not change every run */

	snprintf(dir, sizeof(dir), "%s/state", out);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s-applied-fw", base);
	rc = strcmp(base, "township")
		     ? 0
		     : statedir_write(dir, path, &t, &m, NULL, err, sizeof(err));
	fw = t.fw;
	t.fw = NULL;
	snprintf(path, sizeof(path), "%s-applied", base);
	rc = rc ? rc : statedir_write(dir, path, &t, &m, NULL, err, sizeof(err));
	extra = json_pack("{s:o, s:I, s:b, s:{s:s, s:s, s:s, s:I}}", "target",
			  kstate_to_json(&t), "deadline", (json_int_t)m.time + 60,
			  "reachable", 1, "target_meta", "profile", m.profile,
			  "version", m.version, "hash", m.hash, "time",
			  (json_int_t)m.time);
	snprintf(path, sizeof(path), "%s-pending", base);
	rc = rc ? rc : statedir_write(dir, path, &empty, NULL, extra, err,
				      sizeof(err));
	json_decref(extra);
	extra = json_pack("{s:o}", "target", kstate_to_json(&t));
	snprintf(path, sizeof(path), "%s-journal", base);
	rc = rc ? rc : statedir_write(dir, path, &empty, NULL, extra, err,
				      sizeof(err));
	json_decref(extra);
	if (rc)
		fprintf(stderr, "%s\n", err);

	snprintf(dir, sizeof(dir), "%s/fw", out);
	mkdir(dir, 0755);
	fwj = fw_to_json(fw);
	if (!strcmp(base, "township")) {
		const char *b64 =
			json_string_value(json_object_get(fwj, "messages"));

		snprintf(path, sizeof(path), "%s/%s.bin", dir, base);
		rc = rc ? rc : put(path, "\0", 1, fw->msgs, fw->len);
		snprintf(path, sizeof(path), "%s/%s.b64", dir, base);
		rc = rc ? rc : put(path, "\1", 1, b64, strlen(b64));
	}
	json_decref(fwj);
	/* single messages: the first chains, the first set and its first
	 * elements, rules here and there */
	for (size_t off = 0, k = 0; off < fw->len; k++) {
		const struct nlmsghdr *h = (const void *)(fw->msgs + off);

		if (!rc && (k < 4 || k % 37 == 0)) {
			snprintf(path, sizeof(path), "%s/%s-%zu.bin", dir, base,
				 k);
			rc = put(path, "\0", 1, h, NLMSG_ALIGN(h->nlmsg_len));
		}
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	t.fw = fw;
	kstate_free(&t);
	inputs_free(&in);
	diag_free(&d);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: seeds OUT NODE.conf...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		rc |= seeds_of(argv[1], argv[i]);
	return rc ? 1 : 0;
}
