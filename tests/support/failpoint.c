// SPDX-License-Identifier: BSD-2-Clause
/*
 * Failure points for the test build of the agent (see agent/failpoint.h):
 * EGNET_FAILPOINT="apply.op:3:kill" kills the agent before the fourth
 * operation of an apply; "apply.op:3:fail,apply.undo:0:fail" fails the
 * fourth and then the first operation of its undo.
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
	int at, used;

	/* one point, or several separated by commas */
	for (; spec && *spec; spec += used + (spec[used] == ',')) {
		used = (int)strcspn(spec, ",");
		if (sscanf(spec, "%63[^:]:%d:%15[^,]", want, &at, action) != 3 ||
		    strcmp(want, name) || at != step)
			continue;
		if (!strcmp(action, "kill")) {
			fprintf(stderr, "failpoint %s:%d: kill\n", name, step);
			kill(getpid(), SIGKILL);
		}
		return -EIO;
	}
	return 0;
}
