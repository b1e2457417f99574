/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NOC dashboard's static files (collector/web/, installed in
 * /usr/share/egnet/web), served by the collector at / under the API's own
 * listeners and TLS settings.  Read-only.
 *
 * Role.  The web root is read once, at the start and at each reload, into
 * memory: a table of files by URL path.  A request is a lookup in that
 * table, so nothing a request says ever reaches the file system: "..",
 * "%2e%2e", a NUL, a symlink out of the root are not names the table can
 * hold.  Loading itself follows no symlink (O_NOFOLLOW, each folder opened
 * relative to its parent), takes regular files and folders only, skips
 * names that start with '.' or hold anything but [A-Za-z0-9._-], files of
 * a type it has no Content-Type for, and folders below the first level
 * (the routes are "/", "/{file}" and "/{folder}/{file}"),
 * and refuses a root past WEB_FILES_MAX files or WEB_TOTAL_MAX bytes.
 *
 * Answers: 200 with the file's Content-Type, an ETag (a hash of its bytes)
 * and Cache-Control: no-cache (the browser revalidates, a 304 costs no
 * body); 304 when If-None-Match names the ETag; HEAD the same without the
 * body (libmicrohttpd drops it).  "/" is index.html.  Every answer carries
 * the security headers: Content-Security-Policy default-src 'self' with
 * frame-ancestors 'none', X-Content-Type-Options nosniff, X-Frame-Options
 * DENY, Referrer-Policy no-referrer.  A path that is not a file: 404, as
 * the API's JSON error for /api/ and /metrics and for clients that do not
 * accept text/html, else a small HTML page.
 *
 * Error policy: web_load() returns 0 or -errno with the reason (the path
 * and what is wrong) in the caller's buffer and logs nothing; the handler
 * answers every request and never fails but on memory (500).
 *
 * Threads: handlers read the table under a read lock; web_reload() swaps a
 * complete new table in under the write lock, or keeps the old one.
 */
#ifndef EGNET_WEB_H
#define EGNET_WEB_H

#include <stddef.h>

#include "collector/ingest/http.h"

#define WEB_FILE_MAX  (8u << 20)  /* bytes of one file */
#define WEB_TOTAL_MAX (64u << 20) /* bytes of all files */
#define WEB_FILES_MAX 1024
#define WEB_DEPTH     1	  /* levels of folders below the root */
#define WEB_PATH_MAX  256 /* bytes of a URL path, with its NUL */

struct web;

/*
 * The files of @root into a new *@out.  @root "" gives an empty table (no
 * dashboard: every path is a 404).  0, or -errno with the reason in @err
 * (*@out untouched).
 */
int web_load(struct web **out, const char *root, char *err, size_t errlen);

/* Read @root again and swap it in; on failure the old files stay. */
int web_reload(struct web *w, const char *root, char *err, size_t errlen);

/* How many files, how many bytes are served. */
void web_stats(struct web *w, int *files, size_t *bytes);

void web_free(struct web *w);

/* The handler of GET and HEAD "/", "/{file}" and "/{dir}/{file}"; @arg
 * is a struct web (NULL: no dashboard). */
int web_get(struct http_req *req, void *arg);

/* The Content-Type of a file name by its extension, or NULL (not served). */
const char *web_type(const char *name);

/* Whether @path is one a file of the table may have: "/" then segments of
 * [A-Za-z0-9._-] not starting with '.', shorter than WEB_PATH_MAX. */
bool web_path_ok(const char *path);

#endif
