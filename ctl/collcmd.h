/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * egnetctl's commands that read the collector's API (docs/api.md):
 *   nodes            GET /api/v1/nodes
 *   node CODE        GET /api/v1/nodes/CODE (?since= with --since)
 *   events           GET /api/v1/events (--since, --until, --node CODE,
 *                    --type WORD, --limit N)
 *   tree [CODE]      GET /api/v1/tree (?root=CODE)
 *   outages          GET /api/v1/outages (?all=1 with --all)
 *   coverage [CODE]  GET /api/v1/coverage (?region=CODE)
 * over HTTPS with a client certificate of the collector's CA (libcurl,
 * peer and host verified), printed as tables (collview.h) or, with
 * --json, the API's JSON as it came.
 *
 * Error policy: one line on stderr naming what failed (the collector
 * unreachable, the TLS handshake and why, the collector's own
 * {"error","reason"} for a 4xx/5xx) and an exit code:
 *   0 ok, 1 the collector refused or failed the request (or answered
 *   something that is not JSON), 2 usage (a bad --since, a code that is
 *   not one, no collector URL), 3 no collector answers, 8 TLS: a file
 *   that cannot be read, the collector's certificate not verified by the
 *   CA, or ours refused by the collector.
 */
#ifndef EGNET_COLLCMD_H
#define EGNET_COLLCMD_H

#include <stdbool.h>
#include <stddef.h>

#define EXIT_NOCOLLECTOR 3 /* as EXIT_NOAGENT: nobody answers */
#define EXIT_TLS	 8

#define COLLCMD_ANSWER_MAX (64 * 1024 * 1024)

struct collcmd_args {
	const char *url;	     /* https://HOST[:PORT], without a path */
	const char *ca, *cert, *key; /* PEM files */
	bool json;
	const char *code;	     /* node CODE; events --node CODE */
	const char *since, *until;   /* when_parse() forms */
	const char *type;	     /* events --type */
	const char *limit;	     /* events --limit */
	bool all;		     /* outages --all */
	int timeout_s;		     /* the whole request; 0: 30 */
};

/* Fill the TLS files and the URL from the environment (EGNET_COLLECTOR,
 * EGNET_CA, EGNET_CERT, EGNET_KEY) where @a has none, then from
 * common/defaults.h. */
void collcmd_defaults(struct collcmd_args *a);

/*
 * GET @path (with its query) from the collector.  Returns 0 with the
 * HTTP status in *@status and the body (NUL ended, malloc'd, the caller
 * frees it) in *@body, *@len; else an exit code (EXIT_NOCOLLECTOR,
 * EXIT_TLS, EXIT_USAGE for a URL libcurl refuses, 1 otherwise) with the
 * reason in @err.
 */
int collcmd_get(const struct collcmd_args *a, const char *path, long *status,
		char **body, size_t *len, char *err, size_t errlen);

/*
 * The URL path and query of command @cmd with @a's filters, into @buf:
 * 0, or EXIT_USAGE with the reason in @err (an unknown command, a code
 * that is not one, a --since that is not a time, a --limit that is not a
 * number).  @now_ms: the time durations count back from.
 */
int collcmd_path(const char *cmd, const struct collcmd_args *a,
		 long long now_ms, char *buf, size_t len, char *err,
		 size_t errlen);

/* Run @cmd ("nodes", "node", "events", "tree", "outages", "coverage");
 * returns the exit code. */
int collcmd_run(const char *cmd, const struct collcmd_args *a);

#endif
