// SPDX-License-Identifier: BSD-2-Clause
/* sd_notify through libsystemd; a no-op outside systemd. */
#include "agent/sys/notify.h"

#include <systemd/sd-daemon.h>

void notify_ready(void)
{
	sd_notify(0, "READY=1");
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void notify_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}
