/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel settings the agent needs, written through /proc/sys (a file
 * write, no command).  0 or -errno with the reason; nothing logs.
 */
#ifndef EGNET_SYSCTL_H
#define EGNET_SYSCTL_H

#include <stddef.h>

/* A gateway forwards: IPv4 and IPv6 forwarding on. */
int sysctl_forwarding_on(char *err, size_t errlen);

#endif
