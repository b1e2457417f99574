/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where a setting was written (file and line, for every problem found
 * after loading), and how long the names of profile objects may be.
 * Shared by the profile and its firewall part.
 */
#ifndef EGNET_SRCLOC_H
#define EGNET_SRCLOC_H

#define NAME_LEN 32 /* zone, plan, service, set names, with the NUL */

struct src {
	const char *file; /* owned by the profile (profile_src) */
	int line;
};

#endif
