// SPDX-License-Identifier: BSD-2-Clause
/*
 * The spool's options (defaults, range checks, the libconfig group) and
 * its meta file, spool.meta: how far sequence numbers were handed out and
 * the counters that must outlive a restart.  The file is replaced whole
 * (temp file, fsync, rename, fsync of the folder), so it is either the
 * old one or the new one; one that does not read back as ours is refused.
 */
#include "agent/report/spool_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cfg.h"
#include "common/cfgfile.h"

#define SPOOL_META     "spool.meta"
#define SPOOL_META_TMP "spool.meta.tmp"

void spool_opts_default(struct spool_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->segment_size = 4u << 20;
	o->cap = 256u << 20;
}

int spool_opts_check(const struct spool_opts *o, char *err, size_t errlen)
{
	if (o->segment_size < 4096 || o->segment_size > SPOOL_SEG_MAX) {
		snprintf(err, errlen,
			 "spool segment size %llu is out of range 4096..1 GiB",
			 (unsigned long long)o->segment_size);
		return -EINVAL;
	}
	if (o->cap < 2 * o->segment_size) {
		snprintf(err, errlen,
			 "spool cap %llu is below twice the segment size "
			 "(%llu)",
			 (unsigned long long)o->cap,
			 (unsigned long long)o->segment_size);
		return -EINVAL;
	}
	return 0;
}

struct spool_conf {
	int segment_kib;
	int cap_mib;
};

static const struct cfg_opt spool_conf_opts[] = {
	{"segment_kib", CFG_INT, false, 64, 1 << 20, 4096, NULL, NULL,
	 offsetof(struct spool_conf, segment_kib), 0},
	{"cap_mib", CFG_INT, false, 4, 1 << 20, 256, NULL, NULL,
	 offsetof(struct spool_conf, cap_mib), 0},
	CFG_END,
};

int spool_opts_read(struct diag *d, const config_setting_t *group,
		    const char *file, struct spool_opts *o)
{
	struct spool_conf c;
	char e[160];
	int n;

	spool_opts_default(o);
	n = cfg_read(d, group, file, spool_conf_opts, &c);
	if (n)
		return n;
	o->segment_size = (uint64_t)c.segment_kib << 10;
	o->cap = (uint64_t)c.cap_mib << 20;
	if (spool_opts_check(o, e, sizeof(e))) {
		cfg_problem(d, group, file, "%s", e);
		spool_opts_default(o);
		return 1;
	}
	return 0;
}

/* A counter of the meta file: a non-negative integer. */
static int spool_meta_u64(json_t *doc, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(doc, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int spool_meta_read(struct spool *s, char *err, size_t errlen)
{
	char path[4200], e[160];
	json_error_t je;
	json_t *doc;
	char *text;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/" SPOOL_META, s->dir);
	if (faccessat(s->dirfd, SPOOL_META, F_OK, 0) < 0 && errno == ENOENT)
		return 0; /* a new spool */
	rc = cfgfile_slurp(path, &text, &len, e, sizeof(e));
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, e);
		return rc;
	}
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!doc || !json_is_object(doc) ||
	    json_integer_value(json_object_get(doc, "version")) != 1 ||
	    spool_meta_u64(doc, "reserved_to", &s->reserved_to) ||
	    spool_meta_u64(doc, "dropped", &s->dropped) ||
	    spool_meta_u64(doc, "torn", &s->torn)) {
		snprintf(err, errlen,
			 "%s: not a spool meta file of version 1 (sequence "
			 "numbers unknown; move it away to start a new spool)",
			 path);
		json_decref(doc);
		return -EINVAL;
	}
	json_decref(doc);
	return 0;
}

int spool_meta_write(struct spool *s, char *err, size_t errlen)
{
	char text[256];
	int fd, n, rc = 0;

	n = snprintf(text, sizeof(text),
		     "{\"version\": 1, \"reserved_to\": %llu, "
		     "\"dropped\": %llu, \"torn\": %llu}\n",
		     (unsigned long long)s->reserved_to,
		     (unsigned long long)s->dropped,
		     (unsigned long long)s->torn);
	fd = openat(s->dirfd, SPOOL_META_TMP,
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	ssize_t w = write(fd, text, (size_t)n);

	if (w < 0)
		rc = -errno;
	else if (w != n)
		rc = -ENOSPC; /* a short write of 100 bytes: the disk is full */
	else if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (!rc && renameat(s->dirfd, SPOOL_META_TMP, s->dirfd, SPOOL_META) < 0)
		rc = -errno;
	if (!rc && fsync(s->dirfd) < 0)
		rc = -errno;
out:
	if (rc) {
		snprintf(err, errlen, "cannot write %s/" SPOOL_META ": %s",
			 s->dir, strerror(-rc));
		unlinkat(s->dirfd, SPOOL_META_TMP, 0);
	}
	return rc;
}
