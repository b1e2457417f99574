// SPDX-License-Identifier: BSD-2-Clause
/* Kernel settings through /proc/sys; see sysctl.h. */
#include "agent/sys/sysctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int sysctl_forwarding_on(char *err, size_t errlen)
{
	static const char *const files[] = {
		"/proc/sys/net/ipv4/ip_forward",
		"/proc/sys/net/ipv6/conf/all/forwarding",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f = fopen(files[i], "w");

		if (!f || fputs("1\n", f) == EOF || fclose(f) == EOF) {
			int e = errno ? errno : EIO;

			snprintf(err, errlen, "%s: %s", files[i], strerror(e));
			return -e;
		}
	}
	return 0;
}
