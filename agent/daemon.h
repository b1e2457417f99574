/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The agent's event loop (libevent): the control socket, netlink events for
 * drift, the commit-confirm deadline and its reachability check, signals.
 */
#ifndef EGNET_DAEMON_H
#define EGNET_DAEMON_H

#include "agent/agent.h"

/* Run until SIGTERM or SIGINT; returns the exit code. */
int daemon_run(struct agent *a);

#endif
