/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Telling the service manager how we are (sd_notify): ready, reloading,
 * stopping, a status line, and the watchdog's keep-alive.
 * notify_systemd.c when libsystemd is there at build time, notify_none.c
 * otherwise (common.mk picks).  Used by the agent and the collector.
 */
#ifndef EGNET_NOTIFY_H
#define EGNET_NOTIFY_H

#include <stdint.h>

void notify_ready(void);
void notify_reloading(void);
void notify_stopping(void);
void notify_status(const char *status);
void notify_watchdog(void);

/* The watchdog interval the service manager asks for (µs), 0 when none. */
uint64_t notify_watchdog_usec(void);

#endif
