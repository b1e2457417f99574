// SPDX-License-Identifier: BSD-2-Clause
/* State files; see statedir.h for the layout and the write discipline. */
#include "agent/apply/statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/apply/kjson.h"
#include "common/cfgfile.h"
#include "common/log.h"

static void path_of(const char *dir, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.json", dir, name);
}

int statedir_init(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
			 strerror(errno));
		return -errno;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", dir);
		return -ENOTDIR;
	}
	return 0;
}

void kstate_hash(const struct kstate *ks, char out[17])
{
	json_t *j = kstate_to_json(ks);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	unsigned long long h = 1469598103934665603ULL;

	for (const char *p = s ? s : ""; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	snprintf(out, 17, "%016llx", h);
	free(s);
	json_decref(j);
}

int statedir_write(const char *dir, const char *name, const struct kstate *ks,
		   const struct state_meta *meta, json_t *extra, char *err,
		   size_t errlen)
{
	char path[4200], tmp[4300];
	json_t *doc = extra ? json_deep_copy(extra) : json_object();
	int fd, rc = 0;
	char *text;
	size_t len;

	json_object_set_new(doc, "state", kstate_to_json(ks));
	if (meta)
		json_object_set_new(
			doc, "meta",
			json_pack("{s:s, s:s, s:s, s:I}", "profile",
				  meta->profile, "version", meta->version,
				  "hash", meta->hash, "time",
				  (json_int_t)meta->time));
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(doc);
	if (!text) {
		snprintf(err, errlen, "cannot encode %s", name);
		return -ENOMEM;
	}
	len = strlen(text);
	path_of(dir, name, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot write %s: %s", tmp,
			 strerror(errno));
		free(text);
		return rc;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	free(text);
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 strerror(-rc));
		unlink(tmp);
		return rc;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd); /* the rename itself */
		close(fd);
	}
	return 0;
}

int statedir_read(const char *dir, const char *name, struct kstate *ks,
		  struct state_meta *meta, json_t **extra, char *err,
		  size_t errlen)
{
	char path[4200], e[256];
	json_error_t je;
	json_t *doc, *m;
	int rc;

	memset(ks, 0, sizeof(*ks));
	if (extra)
		*extra = NULL;
	path_of(dir, name, path, sizeof(path));
	if (access(path, F_OK) < 0)
		return -ENOENT;
	{
		/* as every input: a regular file, bounded, never blocking */
		char *text;
		size_t len;

		if (cfgfile_slurp(path, &text, &len, e, sizeof(e))) {
			snprintf(err, errlen, "%s: %s", path, e);
			return -EINVAL;
		}
		doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
		free(text);
	}
	if (!doc) {
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return -EINVAL;
	}
	rc = kstate_from_json(json_object_get(doc, "state"), ks, e, sizeof(e));
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, e);
		json_decref(doc);
		return -EINVAL;
	}
	m = json_object_get(doc, "meta");
	if (meta) {
		memset(meta, 0, sizeof(*meta));
		if (json_is_object(m)) {
			const char *s;

			if ((s = json_string_value(json_object_get(m, "profile"))))
				snprintf(meta->profile, sizeof(meta->profile),
					 "%s", s);
			if ((s = json_string_value(json_object_get(m, "version"))))
				snprintf(meta->version, sizeof(meta->version),
					 "%s", s);
			if ((s = json_string_value(json_object_get(m, "hash"))))
				snprintf(meta->hash, sizeof(meta->hash), "%s",
					 s);
			meta->time = json_integer_value(json_object_get(m, "time"));
		}
	}
	if (extra)
		*extra = doc;
	else
		json_decref(doc);
	return 0;
}

int statedir_remove(const char *dir, const char *name)
{
	char path[4200];

	path_of(dir, name, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

bool statedir_exists(const char *dir, const char *name)
{
	char path[4200];

	path_of(dir, name, path, sizeof(path));
	return access(path, F_OK) == 0;
}
