/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Route matching for the HTTP server (http.h describes the patterns).
 * Pure functions: no allocation, nothing logged.
 */
#ifndef EGNET_HTTP_ROUTE_H
#define EGNET_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "collector/ingest/http.h"

#define HTTP_PARAM_MAX 64 /* bytes of one {name} segment, with its NUL */

/*
 * Does @path match @pattern?  The "{name}" segments' texts go to params
 * (at most HTTP_MAX_PARAMS, each shorter than HTTP_PARAM_MAX, else no
 * match), their count to *@n_params.
 */
bool http_route_match(const char *pattern, const char *path,
		      char params[][HTTP_PARAM_MAX], int *n_params);

/*
 * The route of @tables (@n of them, tried in order, each ended by a NULL
 * path) for @method and @path.  0 with *@out and its params; -ENOENT when
 * no route has the path; -EOPNOTSUPP when routes have the path but not
 * the method, with their methods in @allow ("GET, POST").
 */
int http_route_find(const struct http_route *const *tables, int n,
		    const char *method, const char *path,
		    const struct http_route **out,
		    char params[][HTTP_PARAM_MAX], int *n_params, char *allow,
		    size_t allow_len);

#endif
