// SPDX-License-Identifier: BSD-2-Clause
/* Failure points in the product: none.  See failpoint.h. */
#include "agent/sys/failpoint.h"

int failpoint(const char *name, int step)
{
	(void)name;
	(void)step;
	return 0;
}
