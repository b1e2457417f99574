/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Telling the service manager we are ready (sd_notify).  notify_systemd.c
 * when libsystemd is there at build time, notify_none.c otherwise.
 */
#ifndef EGNET_NOTIFY_H
#define EGNET_NOTIFY_H

void notify_ready(void);
void notify_stopping(void);
void notify_status(const char *status);

#endif
