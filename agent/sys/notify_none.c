// SPDX-License-Identifier: BSD-2-Clause
/* Built without libsystemd: nothing to notify. */
#include "agent/sys/notify.h"

void notify_ready(void)
{
}

void notify_stopping(void)
{
}

void notify_status(const char *status)
{
	(void)status;
}
