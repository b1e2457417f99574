/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * egnetctl's commands that talk to the agent over its control socket:
 * plan, apply, confirm, rollback, status.
 */
#ifndef EGNET_AGENTCMD_H
#define EGNET_AGENTCMD_H

#include <jansson.h>
#include <stdbool.h>

/* Exit codes of these commands (also in `egnetctl help`). */
#define EXIT_OK		0
#define EXIT_FAILED	1 /* refused, failed (and rolled back), problems */
#define EXIT_USAGE	2
#define EXIT_NOAGENT	3 /* the agent does not answer */
#define EXIT_DRIFT	4 /* status: the kernel differs from the profile */
#define EXIT_PENDING	5 /* status: a commit-confirm waits */
#define EXIT_UNAPPLIED	6 /* status: nothing applied, or the last failed */
#define EXIT_BADCONF	7 /* status: converged, but on the last good
			   * configuration: the files have problems */

struct agentcmd_args {
	const char *socket; /* control socket path */
	bool json;
	int confirm;	    /* apply --confirm SECONDS */
	bool reachable;	    /* apply --confirm-when reachable */
	bool watch;	    /* links --watch */
};

/*
 * Send one request, read one answer.  Returns 0, or -errno with the reason
 * in err (agent not running, bad answer).
 */
int agentcmd_request(const char *socket, json_t *req, json_t **resp,
		     char *err, size_t errlen);

int agentcmd_run(const char *cmd, const struct agentcmd_args *a);

#endif
