/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The firewall part of a profile: services, address sets and the rules
 * between zones and to the gateway itself ("local").  Loading and checking
 * only; compiling to nftables is the agent's business.  The types are
 * here and the profile holds them (profile.h includes this file, never
 * the other way round).
 */
#ifndef EGNET_FWPOLICY_H
#define EGNET_FWPOLICY_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/diag.h"
#include "common/ip.h"
#include "common/srcloc.h"

#define MAX_SVC 16 /* services named by one firewall rule */

enum svc_proto { PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_ANY };
extern const char *const svc_proto_words[];

struct prof_service {
	char name[NAME_LEN];
	int proto;
	int port_lo, port_hi;
	bool builtin;
	struct src src;
};

struct prof_set {
	char name[NAME_LEN];
	struct ip_prefix *prefixes;
	int n;
	struct src src;
};

#define ZONE_LOCAL "local" /* the gateway itself, as a firewall target */

struct prof_rule {
	char from[NAME_LEN];
	char to[NAME_LEN]; /* a zone or "local" */
	char services[MAX_SVC][NAME_LEN];
	int n_services;	   /* 0 = any */
	char peers[NAME_LEN]; /* optional source address set */
	bool accept;
	struct src src;
};

struct profile;

/* Read `firewall = { ... }` (s may be NULL: builtins and defaults only). */
void fwpolicy_load(struct profile *p, struct diag *d,
		   const config_setting_t *s);

/* Cross-check rules against zones, services and sets; contradictions. */
void fwpolicy_check(struct profile *p, struct diag *d);

/* "tcp/22", "udp/33434-33534", "icmp", "any" */
char *fwpolicy_service_str(const struct prof_service *s, char *buf,
			   size_t len);

#endif
