// SPDX-License-Identifier: BSD-2-Clause
/*
 * Interface name rules; see ifname.h.  Besides the kernel's rule, egnet
 * takes printable ASCII only (a name goes into nftables sets, JSON and
 * messages as it is) and refuses names that already mean something:
 * "lo", and "all" and "default", which are the sysctl folders
 * /proc/sys/net/ipv{4,6}/conf/{all,default}, so settings meant for the
 * device would go to every device.  A pure function: no state, no logging.
 */
#include "common/ifname.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name, *why;
} reserved[] = {
	{"lo", "the loopback device"},
	{"all", "a sysctl folder (net.ipv4.conf.all) for every device"},
	{"default", "a sysctl folder (net.ipv4.conf.default) for new devices"},
	{"bonding_masters", "a file of /sys/class/net"},
};

int ifname_check(const char *s, char *err, size_t errlen)
{
	size_t n = strlen(s);

	if (!n) {
		snprintf(err, errlen, "empty");
		return -EINVAL;
	}
	if (n >= IFNAMSIZ) {
		snprintf(err, errlen, "at most %d characters", IFNAMSIZ - 1);
		return -EINVAL;
	}
	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		snprintf(err, errlen, "'.' and '..' are folder names");
		return -EINVAL;
	}
	for (const char *c = s; *c; c++) {
		if (*c == '/' || *c == ':') {
			snprintf(err, errlen, "'%c' is not allowed", *c);
			return -EINVAL;
		}
		if (*c == '%') {
			snprintf(err, errlen, "'%%' makes it a pattern the kernel "
				 "numbers (eth%%d)");
			return -EINVAL;
		}
		if ((unsigned char)*c <= ' ' || (unsigned char)*c > '~') {
			snprintf(err, errlen, "blanks, control characters and "
				 "non-ASCII are not allowed");
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(s, reserved[i].name)) {
			snprintf(err, errlen, "'%s' is %s", s, reserved[i].why);
			return -EINVAL;
		}
	return 0;
}
