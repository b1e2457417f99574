// SPDX-License-Identifier: BSD-2-Clause
/*
 * Route matching; see http_route.h.  A path is compared segment by
 * segment, so "/api/v1/nodes/{code}" takes "/api/v1/nodes/210102000000"
 * but neither "/api/v1/nodes/" nor "/api/v1/nodes/a/b".
 */
#include "collector/ingest/http_route.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Length of the segment starting at s (up to '/' or the end). */
static size_t seg_len(const char *s)
{
	return strcspn(s, "/");
}

bool http_route_match(const char *pattern, const char *path,
		      char params[][HTTP_PARAM_MAX], int *n_params)
{
	const char *p = pattern, *q = path;

	*n_params = 0;
	if (*p != '/' || *q != '/')
		return false;
	for (;;) {
		size_t pl, ql;

		p++, q++; /* past the '/' */
		pl = seg_len(p);
		ql = seg_len(q);
		if (pl == 1 && p[0] == '*' && !p[1])
			return true;
		if (pl > 2 && p[0] == '{' && p[pl - 1] == '}') {
			if (!ql || ql >= HTTP_PARAM_MAX ||
			    *n_params >= HTTP_MAX_PARAMS)
				return false;
			memcpy(params[*n_params], q, ql);
			params[*n_params][ql] = '\0';
			(*n_params)++;
		} else if (pl != ql || memcmp(p, q, pl) != 0)
			return false;
		p += pl;
		q += ql;
		if (!*p || !*q)
			return !*p && !*q;
	}
}

int http_route_find(const struct http_route *const *tables, int n,
		    const char *method, const char *path,
		    const struct http_route **out,
		    char params[][HTTP_PARAM_MAX], int *n_params, char *allow,
		    size_t allow_len)
{
	char tmp[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];
	size_t used = 0;
	int nt;

	if (allow_len)
		allow[0] = '\0';
	for (int t = 0; t < n; t++)
		for (const struct http_route *r = tables[t]; r && r->path; r++) {
			if (!http_route_match(r->path, path, tmp, &nt))
				continue;
			if (!strcmp(r->method, method)) {
				memcpy(params, tmp, sizeof(tmp));
				*n_params = nt;
				*out = r;
				return 0;
			}
			/* the same method twice in Allow says nothing more */
			if (used < allow_len && !strstr(allow, r->method)) {
				int w = snprintf(allow + used, allow_len - used,
						 "%s%s", used ? ", " : "",
						 r->method);
				if (w > 0)
					used += (size_t)w;
			}
		}
	return used ? -EOPNOTSUPP : -ENOENT;
}
