/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The firewall part of a profile: services, address sets and the rules
 * between zones and to the gateway itself ("local").  Loading and checking
 * only; compiling to nftables is the agent's business.
 */
#ifndef EGNET_FWPOLICY_H
#define EGNET_FWPOLICY_H

#include <libconfig.h>

#include "common/diag.h"
#include "common/profile.h"

/* Read `firewall = { ... }` (s may be NULL: builtins and defaults only). */
void fwpolicy_load(struct profile *p, struct diag *d,
		   const config_setting_t *s);

/* Cross-check rules against zones, services and sets; contradictions. */
void fwpolicy_check(struct profile *p, struct diag *d);

/* "tcp/22", "udp/33434-33534", "icmp", "any" */
char *fwpolicy_service_str(const struct prof_service *s, char *buf,
			   size_t len);

#endif
