// SPDX-License-Identifier: BSD-2-Clause
/*
 * The dashboard's static files; see web.h.  The table is sorted by path
 * and searched with bsearch; an answer copies the file's bytes, so a
 * reload may free the old table while its answers are still being sent.
 * The answers need headers of their own (ETag, the security headers), so
 * they are built here on the server's internal response functions
 * (http_int.h) rather than through http_answer_text().
 */
#include "collector/api/web.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/ingest/http_int.h"

struct web_file {
	char path[WEB_PATH_MAX]; /* "/app.js" */
	const char *type;
	char etag[24]; /* "\"" 16 hex digits "\"" */
	char *data;
	size_t len;
};

struct web_set {
	struct web_file *f;
	int n, cap;
	size_t bytes;
};

struct web {
	pthread_rwlock_t lock;
	struct web_set set;
};

static const struct {
	const char *ext, *type;
} web_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".txt", "text/plain; charset=utf-8"},
	{".woff2", "font/woff2"},
};

/* What the page may do: only its own origin, never framed, no inline
 * script; the charts are SVG built through the DOM. */
#define WEB_CSP                                                                \
	"default-src 'self'; img-src 'self' data:; base-uri 'none'; "          \
	"form-action 'none'; frame-ancestors 'none'"

const char *web_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot)
		return NULL;
	for (size_t i = 0; i < sizeof(web_types) / sizeof(web_types[0]); i++)
		if (!strcmp(dot, web_types[i].ext))
			return web_types[i].type;
	return NULL;
}

/* One name of a file or folder as the table takes it. */
static bool name_ok(const char *s, size_t n)
{
	if (!n || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

bool web_path_ok(const char *path)
{
	size_t len = strnlen(path, WEB_PATH_MAX);

	if (len >= WEB_PATH_MAX || path[0] != '/')
		return false;
	for (const char *p = path + 1;;) {
		size_t n = strcspn(p, "/");

		if (!name_ok(p, n))
			return false;
		p += n;
		if (!*p)
			return true;
		p++;
	}
}

/* FNV-1a, 64 bits: an ETag needs to change with the bytes, no more. */
static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void set_free(struct web_set *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->f[i].data);
	free(s->f);
	memset(s, 0, sizeof(*s));
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct web_file *)a)->path,
		      ((const struct web_file *)b)->path);
}

/* The regular file @name of the folder @dfd (opened without following a
 * symlink) into @s as @path. */
static int add_file(struct web_set *s, int dfd, const char *name,
		    const char *path, const char *type, char *err,
		    size_t errlen)
{
	struct web_file *f;
	struct stat st;
	size_t got = 0;
	int fd, rc = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0; /* replaced by something else since the listing */
	}
	if ((size_t)st.st_size > WEB_FILE_MAX ||
	    s->bytes + (size_t)st.st_size > WEB_TOTAL_MAX) {
		snprintf(err, errlen,
			 "%s: %lld bytes: past the bound of %u "
			 "a file, %u all together",
			 path, (long long)st.st_size, WEB_FILE_MAX,
			 WEB_TOTAL_MAX);
		close(fd);
		return -EFBIG;
	}
	if (s->n == WEB_FILES_MAX) {
		snprintf(err, errlen, "%s: more than %d files", path,
			 WEB_FILES_MAX);
		close(fd);
		return -EMFILE;
	}
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 16;
		struct web_file *nf = realloc(s->f, (size_t)cap * sizeof(*nf));

		if (!nf) {
			close(fd);
			return -ENOMEM;
		}
		s->f = nf;
		s->cap = cap;
	}
	f = &s->f[s->n];
	memset(f, 0, sizeof(*f));
	f->data = malloc((size_t)st.st_size + 1);
	if (!f->data) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, f->data + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			snprintf(err, errlen, "%s: %s", path,
				 r < 0 ? strerror(errno)
				       : "shorter than its size");
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (rc) {
		free(f->data);
		return rc;
	}
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->type = type;
	f->len = got;
	snprintf(f->etag, sizeof(f->etag), "\"%016llx\"",
		 (unsigned long long)fnv1a(f->data, got));
	s->bytes += got;
	s->n++;
	return 0;
}

/* The folder @dfd (taken: closed here) as URL @prefix ("" at the root). */
static int add_dir(struct web_set *s, int dfd, const char *prefix, int depth,
		   char *err, size_t errlen)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		snprintf(err, errlen, "%s/: %s", prefix, strerror(errno));
		close(dfd);
		return -errno;
	}
	while (!rc && (e = readdir(d))) {
		char path[WEB_PATH_MAX];
		struct stat st;
		const char *type;
		int w;

		if (!name_ok(e->d_name, strlen(e->d_name)))
			continue; /* ".", "..", hidden or odd names */
		w = snprintf(path, sizeof(path), "%s/%s", prefix, e->d_name);
		if (w < 0 || (size_t)w >= sizeof(path))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub;

			if (depth >= WEB_DEPTH)
				continue;
			sub = openat(dirfd(d), e->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
			if (sub < 0)
				continue;
			rc = add_dir(s, sub, path, depth + 1, err, errlen);
		} else if (S_ISREG(st.st_mode) && (type = web_type(e->d_name)))
			rc = add_file(s, dirfd(d), e->d_name, path, type, err,
				      errlen);
		/* symlinks, devices, sockets: never served */
	}
	closedir(d);
	return rc;
}

static int set_load(struct web_set *s, const char *root, char *err,
		    size_t errlen)
{
	int fd, rc;

	memset(s, 0, sizeof(*s));
	if (!root[0])
		return 0;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return rc;
	}
	rc = add_dir(s, fd, "", 0, err, errlen);
	if (rc) {
		/* the reason names the URL path; say which root it is in */
		char inner[512];

		snprintf(inner, sizeof(inner), "%s", err);
		snprintf(err, errlen, "%s: %s", root, inner);
		set_free(s);
		return rc;
	}
	if (s->n)
		qsort(s->f, (size_t)s->n, sizeof(*s->f), cmp_file);
	return 0;
}

int web_load(struct web **out, const char *root, char *err, size_t errlen)
{
	struct web *w = calloc(1, sizeof(*w));
	int rc;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = set_load(&w->set, root, err, errlen);
	if (rc) {
		free(w);
		return rc;
	}
	pthread_rwlock_init(&w->lock, NULL);
	*out = w;
	return 0;
}

int web_reload(struct web *w, const char *root, char *err, size_t errlen)
{
	struct web_set s, old;
	int rc = set_load(&s, root, err, errlen);

	if (rc)
		return rc;
	pthread_rwlock_wrlock(&w->lock);
	old = w->set;
	w->set = s;
	pthread_rwlock_unlock(&w->lock);
	set_free(&old);
	return 0;
}

void web_stats(struct web *w, int *files, size_t *bytes)
{
	pthread_rwlock_rdlock(&w->lock);
	*files = w->set.n;
	*bytes = w->set.bytes;
	pthread_rwlock_unlock(&w->lock);
}

void web_free(struct web *w)
{
	if (!w)
		return;
	set_free(&w->set);
	pthread_rwlock_destroy(&w->lock);
	free(w);
}

/* ---- answers ------------------------------------------------------------- */

static void web_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy", WEB_CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

/* @len bytes of @data (copied) with @type and the security headers. */
static int web_answer(struct http_req *req, unsigned status, const char *type,
		      const char *data, size_t len, const char *etag)
{
	struct MHD_Response *r;
	char *copy = malloc(len + 1);

	if (!copy)
		return http_answer_set(req, 500, NULL);
	memcpy(copy, data, len);
	copy[len] = '\0';
	r = http_response_new(copy, len, type);
	if (!r)
		return http_answer_set(req, 500, NULL);
	web_headers(r);
	if (etag) {
		MHD_add_response_header(r, "ETag", etag);
		MHD_add_response_header(r, "Cache-Control", "no-cache");
	} else
		MHD_add_response_header(r, "Cache-Control", "no-store");
	return http_answer_set(req, status, r);
}

/* Does If-None-Match (a list, or "*") name @etag? */
static bool etag_match(const char *inm, const char *etag)
{
	size_t n = strlen(etag);

	if (!inm)
		return false;
	for (const char *p = inm; *p;) {
		p += strspn(p, " \t,");
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (*p == '*' || (!strncmp(p, etag, n) &&
				  (!p[n] || p[n] == ',' || p[n] == ' ')))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

static bool is_api(const char *path)
{
	static const char *const api[] = {"/api/", "/api", "/metrics"};

	for (size_t i = 0; i < sizeof(api) / sizeof(api[0]); i++) {
		size_t n = strlen(api[i]);

		if (!strncmp(path, api[i], n) &&
		    (!path[n] || path[n] == '/' || api[i][n - 1] == '/'))
			return true;
	}
	return false;
}

static int not_found(struct http_req *req, const char *path)
{
	static const char page[] =
		"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">"
		"<title>404</title><h1>404: no such page</h1>"
		"<p><a href=\"/\">egnet NOC dashboard</a></p></html>\n";
	const char *accept = http_req_header(req, "Accept");
	char *text;
	int rc;

	http_stats_reject(&req->srv->stats, HTTP_REJ_NOT_FOUND);
	if (!is_api(path) && accept && strstr(accept, "text/html"))
		return web_answer(req, 404, "text/html; charset=utf-8", page,
				  sizeof(page) - 1, NULL);
	/* the server's own 404 (http.c's refuse), for every client that
	 * reads JSON */
	text = http_error_text(http_reject_word(HTTP_REJ_NOT_FOUND),
			       "no such path");
	if (!text)
		return http_answer_set(req, 500, NULL);
	rc = web_answer(req, 404, "application/json", text, strlen(text), NULL);
	free(text);
	return rc;
}

int web_get(struct http_req *req, void *arg)
{
	struct web *w = arg;
	const char *path = http_req_path(req);
	struct web_file key, *f;
	int rc;

	if (!path || is_api(path) || !w)
		return not_found(req, path ? path : "");
	if (!strcmp(path, "/"))
		path = "/index.html";
	if (!web_path_ok(path))
		return not_found(req, path);
	snprintf(key.path, sizeof(key.path), "%s", path);
	pthread_rwlock_rdlock(&w->lock);
	f = w->set.n ? bsearch(&key, w->set.f, (size_t)w->set.n,
			       sizeof(*w->set.f), cmp_file)
		     : NULL;
	if (!f) {
		pthread_rwlock_unlock(&w->lock);
		return not_found(req, path);
	}
	if (etag_match(http_req_header(req, "If-None-Match"), f->etag))
		rc = web_answer(req, 304, NULL, "", 0, f->etag);
	else
		rc = web_answer(req, 200, f->type, f->data, f->len, f->etag);
	pthread_rwlock_unlock(&w->lock);
	return rc;
}
