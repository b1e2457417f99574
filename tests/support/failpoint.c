// SPDX-License-Identifier: BSD-2-Clause
/*
 * Failure points for the test build of the agent (see agent/failpoint.h):
 * EGNET_FAILPOINT="apply.op:3:kill" kills the agent before the fourth
 * operation of an apply.
 */
#include "agent/sys/failpoint.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int failpoint(const char *name, int step)
{
	const char *spec = getenv("EGNET_FAILPOINT");
	char want[64], action[16];
	int at;

	if (!spec || sscanf(spec, "%63[^:]:%d:%15s", want, &at, action) != 3)
		return 0;
	if (strcmp(want, name) || at != step)
		return 0;
	if (!strcmp(action, "kill")) {
		fprintf(stderr, "failpoint %s:%d: kill\n", name, step);
		kill(getpid(), SIGKILL);
	}
	return -EIO;
}
