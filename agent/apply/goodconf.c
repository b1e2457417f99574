// SPDX-License-Identifier: BSD-2-Clause
/*
 * The last good configuration; see goodconf.h.  Copies are whole files,
 * read into memory (with the same bound as every input, CFGFILE_MAX) and
 * written with fsync before the folder is renamed into
 * place, so a crash leaves either the old copy or the new one.
 */
#include "agent/apply/goodconf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libconfig.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/cfgfile.h"
#include "common/log.h"
#include "common/defaults.h"

#define GC_FILES_MAX 64
#define GC_PATH	     8320 /* a state folder, a copy name and a file */

struct gc_files {
	char *rel[GC_FILES_MAX]; /* include paths as the profile writes them */
	int n;
};

static __attribute__((format(printf, 3, 4))) int
gc_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int gc_rm_one(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Remove a copy folder and what is in it; a missing one is fine. */
static void gc_rmtree(const char *path)
{
	nftw(path, gc_rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* @statedir/@which[/@rel] into buf (GC_PATH); too long is cut short, and
 * then names nothing that exists (the state folder is under 4096). */
static void gc_path(char *buf, const char *statedir, const char *which,
		    const char *rel)
{
	int n = snprintf(buf, GC_PATH, "%s/%s%s%s", statedir, which,
			 rel ? "/" : "", rel ? rel : "");

	if (n < 0 || n >= GC_PATH)
		buf[0] = '\0';
}

/* The whole of a file, NUL-terminated, read as every input is
 * (cfgfile_slurp: a regular file up to CFGFILE_MAX, so any input the agent
 * accepts can be kept); NULL with errno set. */
static char *gc_read(const char *path, size_t *len)
{
	char err[160], *text;
	int rc = cfgfile_slurp(path, &text, len, err, sizeof(err));

	if (rc) {
		errno = -rc;
		return NULL;
	}
	return text;
}

static int gc_write(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
		rc = errno ? -errno : -EIO;
	close(fd);
	return rc;
}

/* Make the folders of @path below the copy's root (mkdir -p of dirname). */
static int gc_mkparents(const char *path)
{
	char tmp[GC_PATH];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static int gc_copy(const char *from, const char *to, char *err, size_t errlen)
{
	size_t len;
	char *data = gc_read(from, &len);
	int rc;

	if (!data)
		return gc_err(err, errlen, "%s: %s", from, strerror(errno));
	rc = gc_mkparents(to);
	if (!rc)
		rc = gc_write(to, data, len);
	free(data);
	if (rc)
		return gc_err(err, errlen, "%s: %s", to, strerror(-rc));
	return 0;
}

/* A relative path that stays below its folder. */
static bool gc_inside(const char *rel)
{
	const char *p = rel;

	if (!rel[0] || rel[0] == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
		p += *p == '/';
	}
	return true;
}

/*
 * The files @text @includes (libconfig: `@include "FILE"`, FILE relative
 * to the profile's folder @dir), and theirs, into @f.
 */
static int gc_includes(const char *text, const char *dir, const char *what,
		       struct gc_files *f, int depth, char *err, size_t errlen)
{
	const char *line = text;

	if (depth > 8)
		return gc_err(err, errlen, "includes nested too deep");
	for (; line && *line; line = strchr(line, '\n'), line += !!line) {
		const char *p = line + strspn(line, " \t");
		char rel[1024], path[GC_PATH];
		size_t n, len;
		char *sub;
		int rc, i;

		if (strncmp(p, "@include", 8))
			continue;
		p += 8;
		p += strspn(p, " \t");
		if (*p++ != '"')
			continue; /* not an include libconfig would take */
		n = strcspn(p, "\"\n");
		if (p[n] != '"' || n >= sizeof(rel))
			continue;
		memcpy(rel, p, n);
		rel[n] = '\0';
		if (!gc_inside(rel))
			return gc_err(err, errlen,
				      "the %s includes \"%s\": only "
				      "paths inside its folder can be kept",
				      what, rel);
		for (i = 0; i < f->n && strcmp(f->rel[i], rel); i++)
			;
		if (i < f->n)
			continue;
		if (f->n == GC_FILES_MAX)
			return gc_err(err, errlen, "more than %d included files",
				      GC_FILES_MAX);
		f->rel[f->n++] = xstrdup(rel);
		if (snprintf(path, sizeof(path), "%s/%s", dir, rel) >=
		    (int)sizeof(path))
			path[0] = '\0';
		sub = gc_read(path, &len);
		if (!sub)
			return gc_err(err, errlen, "%s: %s", path,
				      strerror(errno));
		rc = gc_includes(sub, dir, what, f, depth + 1, err, errlen);
		free(sub);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * The files the node config @includes, copied beside it in good.new/ at
 * the same relative paths (so the copy's node.conf reads them as the
 * original does), none of them named as a file of the copy itself.
 */
static int gc_node_includes(const char *node, const char *statedir,
			    char *err, size_t errlen)
{
	struct gc_files f = {0};
	char ndir[4096], t[4096], from[GC_PATH], to[GC_PATH];
	size_t len;
	char *text = gc_read(node, &len);
	int rc, i;

	if (!text)
		return gc_err(err, errlen, "%s: %s", node, strerror(errno));
	snprintf(t, sizeof(t), "%s", node);
	snprintf(ndir, sizeof(ndir), "%s", dirname(t));
	rc = gc_includes(text, ndir, "node config", &f, 0, err, errlen);
	free(text);
	for (i = 0; !rc && i < f.n; i++) {
		if (!strcmp(f.rel[i], "node.conf") ||
		    !strcmp(f.rel[i], "meta.json") ||
		    !strcmp(f.rel[i], "inventory.csv") ||
		    !strncmp(f.rel[i], "profile/", 8)) {
			rc = gc_err(err, errlen,
				    "the node config includes \"%s\": a name "
				    "the copy uses for itself", f.rel[i]);
			break;
		}
		if (snprintf(from, sizeof(from), "%s/%s", ndir, f.rel[i]) >=
		    (int)sizeof(from))
			from[0] = '\0';
		gc_path(to, statedir, "good.new", f.rel[i]);
		rc = gc_copy(from, to, err, errlen);
	}
	for (i = 0; i < f.n; i++)
		free(f.rel[i]);
	return rc;
}

int goodconf_write(const char *statedir, const struct inputs *in, char *err,
		   size_t errlen)
{
	char dir[GC_PATH], to[GC_PATH], pdir[4096], pbase[4096], rel[GC_PATH];
	struct gc_files f = {0};
	json_t *meta = NULL;
	char *text = NULL, *mtext = NULL;
	size_t len;
	int rc, i;

	gc_path(dir, statedir, "good.new", NULL);
	gc_rmtree(dir);
	if (mkdir(dir, 0750) < 0)
		return gc_err(err, errlen, "%s: %s", dir, strerror(errno));
	{
		/* dirname() and basename() write into what they are given */
		char t1[4096], t2[4096];

		snprintf(t1, sizeof(t1), "%s", in->nc.profile);
		snprintf(t2, sizeof(t2), "%s", in->nc.profile);
		snprintf(pdir, sizeof(pdir), "%s", dirname(t1));
		snprintf(pbase, sizeof(pbase), "%s", basename(t2));
	}

	gc_path(to, statedir, "good.new", "node.conf");
	rc = gc_copy(in->nc.path, to, err, errlen);
	if (!rc)
		rc = gc_node_includes(in->nc.path, statedir, err, errlen);
	if (!rc) {
		snprintf(rel, sizeof(rel), "profile/%s", pbase);
		gc_path(to, statedir, "good.new", rel);
		rc = gc_copy(in->nc.profile, to, err, errlen);
	}
	if (!rc) {
		text = gc_read(in->nc.profile, &len);
		rc = text ? gc_includes(text, pdir, "profile", &f, 0, err,
					errlen)
			  : gc_err(err, errlen, "%s: %s", in->nc.profile,
				   strerror(errno));
	}
	for (i = 0; !rc && i < f.n; i++) {
		char from[GC_PATH];

		if (snprintf(from, sizeof(from), "%s/%s", pdir, f.rel[i]) >=
		    (int)sizeof(from))
			from[0] = '\0';
		snprintf(rel, sizeof(rel), "profile/%s", f.rel[i]);
		gc_path(to, statedir, "good.new", rel);
		rc = gc_copy(from, to, err, errlen);
	}
	if (!rc && in->nc.inventory[0]) {
		gc_path(to, statedir, "good.new", "inventory.csv");
		rc = gc_copy(in->nc.inventory, to, err, errlen);
	}
	if (!rc) {
		meta = json_pack("{s:s, s:b, s:I}", "profile", pbase,
				 "inventory", in->nc.inventory[0] != '\0',
				 "saved", (json_int_t)time(NULL));
		mtext = json_dumps(meta, JSON_COMPACT);
		gc_path(to, statedir, "good.new", "meta.json");
		rc = mtext ? gc_write(to, mtext, strlen(mtext)) : -ENOMEM;
		if (rc)
			gc_err(err, errlen, "%s: %s", to, strerror(-rc));
	}
	free(text);
	free(mtext);
	json_decref(meta);
	for (i = 0; i < f.n; i++)
		free(f.rel[i]);
	if (rc)
		gc_rmtree(dir);
	return rc;
}

int goodconf_load(const char *statedir, const char *which, struct inputs *in,
		  struct diag *d, long long *saved)
{
	char node[GC_PATH], prof[GC_PATH], inv[GC_PATH], mpath[GC_PATH];
	const char *base;
	json_t *meta;
	int rc;

	memset(in, 0, sizeof(*in));
	gc_path(mpath, statedir, which, "meta.json");
	if (access(mpath, F_OK))
		return -ENOENT;
	{
		size_t len;
		char *text = gc_read(mpath, &len);

		meta = text ? json_loadb(text, len, 0, NULL) : NULL;
		free(text);
	}
	if (!meta)
		return -EINVAL;
	base = json_string_value(json_object_get(meta, "profile"));
	if (!base || !gc_inside(base) || strchr(base, '/') ||
	    !json_is_boolean(json_object_get(meta, "inventory"))) {
		json_decref(meta);
		return -EINVAL;
	}
	*saved = json_integer_value(json_object_get(meta, "saved"));
	gc_path(node, statedir, which, "node.conf");
	{
		char rel[GC_PATH];

		snprintf(rel, sizeof(rel), "profile/%s", base);
		gc_path(prof, statedir, which, rel);
	}
	gc_path(inv, statedir, which, "inventory.csv");
	rc = inputs_load(in, node, prof,
			 json_is_true(json_object_get(meta, "inventory")) ? inv
									  : NULL,
			 d);
	json_decref(meta);
	return rc;
}

int goodconf_commit(const char *statedir, char *err, size_t errlen)
{
	char cur[GC_PATH], prev[GC_PATH], next[GC_PATH];

	gc_path(cur, statedir, "good", NULL);
	gc_path(prev, statedir, "good.previous", NULL);
	gc_path(next, statedir, "good.new", NULL);
	if (access(cur, F_OK) == 0) {
		gc_rmtree(prev);
		if (rename(cur, prev) < 0)
			return gc_err(err, errlen, "%s: %s", cur,
				      strerror(errno));
	}
	if (rename(next, cur) < 0)
		return gc_err(err, errlen, "%s: %s", next, strerror(errno));
	return 0;
}

void goodconf_discard(const char *statedir)
{
	char next[GC_PATH];

	gc_path(next, statedir, "good.new", NULL);
	gc_rmtree(next);
}

int goodconf_swap(const char *statedir, char *err, size_t errlen)
{
	char cur[GC_PATH], prev[GC_PATH];
	bool have_cur, have_prev;

	gc_path(cur, statedir, "good", NULL);
	gc_path(prev, statedir, "good.previous", NULL);
	have_cur = access(cur, F_OK) == 0;
	have_prev = access(prev, F_OK) == 0;
	if (have_cur && have_prev) {
		if (renameat2(AT_FDCWD, cur, AT_FDCWD, prev, RENAME_EXCHANGE) <
		    0)
			return gc_err(err, errlen, "%s: %s", cur,
				      strerror(errno));
	} else if (have_cur) {
		if (rename(cur, prev) < 0)
			return gc_err(err, errlen, "%s: %s", cur,
				      strerror(errno));
	} else if (have_prev) {
		if (rename(prev, cur) < 0)
			return gc_err(err, errlen, "%s: %s", prev,
				      strerror(errno));
	}
	return 0;
}

void goodconf_statedir(const char *conf, char *out, size_t len)
{
	struct cfgfile cf = {0};
	const char *v = NULL;
	struct diag d;
	config_t c;

	config_init(&c);
	diag_init(&d);
	if (cfgfile_load(&c, conf, "node config", &cf, &d)) {
		/* Leniently: a file refused for a problem elsewhere in it
		 * (a name that is not UTF-8, say) still names its state
		 * folder, where the copy to run with is. */
		char err[160], *text = NULL;
		size_t n;

		char t[4096];

		config_destroy(&c);
		config_init(&c);
		/* an @include in it is the config's folder's, as in
		 * cfgfile_load(), not the current folder's */
		snprintf(t, sizeof(t), "%s", conf);
		config_set_include_dir(&c, dirname(t));
		if (cfgfile_slurp(conf, &text, &n, err, sizeof(err)) != 0 ||
		    !config_read_string(&c, text))
			v = NULL;
		free(text);
	}
	if (config_lookup_string(&c, "paths.state", &v) && v && v[0])
		snprintf(out, len, "%s", v);
	else
		snprintf(out, len, "%s", EGNET_STATE_DIR);
	config_destroy(&c);
	cfgfile_free(&cf);
	diag_free(&d);
}

bool goodconf_exists(const char *statedir, const char *which)
{
	char path[GC_PATH];

	gc_path(path, statedir, which, "meta.json");
	return path[0] && access(path, F_OK) == 0;
}
