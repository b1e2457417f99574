// SPDX-License-Identifier: BSD-2-Clause
/* Built without libsystemd: nothing to notify. */
#include "common/notify.h"

void notify_ready(void)
{
}

void notify_reloading(void)
{
}

void notify_stopping(void)
{
}

void notify_status(const char *status)
{
	(void)status;
}

void notify_watchdog(void)
{
}

uint64_t notify_watchdog_usec(void)
{
	return 0;
}
