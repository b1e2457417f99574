/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside profile loading: what profile.c (reading the settings) calls in
 * profile_check.c (the checks that need the whole profile).  Not for
 * users of profile.h.  Same error policy: problems go to the diagnostics
 * with file and line, nothing logs.
 */
#ifndef EGNET_PROFILE_INT_H
#define EGNET_PROFILE_INT_H

#include "common/profile.h"

/*
 * Check p once links, zones, plans, routes, probe and firewall are read:
 * every problem goes to d.  A link without a plan is given the first plan
 * here, so it runs before anything that reads a link's plan.
 */
void profile_check(struct profile *p, struct diag *d);

#endif
