/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the read API's files (api.c, api_verify.c) share: the checks of
 * query arguments.  Each answers the request with a 400 and the reason
 * when the argument is bad.
 */
#ifndef EGNET_API_INT_H
#define EGNET_API_INT_H

#include "collector/ingest/http.h"
#include "common/code.h"

/* ?@key= as an integer in [lo, hi]: 1 set, 0 absent, -1 bad (answered). */
int api_query_int(struct http_req *req, const char *key, long long lo,
		  long long hi, long long *out);

/* ?@key= as a division code: 1 set, 0 absent, -1 bad (answered). */
int api_query_code(struct http_req *req, const char *key, code_t *out);

#endif
