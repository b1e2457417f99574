/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interface names as the kernel takes them, and the few more that egnet
 * refuses because they would mean something else on the gateway.  The
 * kernel's own rule (dev_valid_name) is: not empty, shorter than IFNAMSIZ,
 * not "." or "..", no '/', ':' or white space; a '%' makes it a pattern
 * (eth%d) that the kernel fills in, so the device would get another name.
 */
#ifndef EGNET_IFNAME_H
#define EGNET_IFNAME_H

#include <stddef.h>

/*
 * 0 when s is a name egnet can give or find an interface under; else
 * -EINVAL with the reason ("at most 15 characters", "'lo' is the loopback
 * device", ...) in err, without the name itself: callers say which name.
 */
int ifname_check(const char *s, char *err, size_t errlen);

#endif
