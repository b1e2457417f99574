/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The standard profile of a level, as loaded from libconfig (with @include).
 * A profile never names a concrete address or physical interface: links are
 * roles, addresses come from the plan, interfaces from the node config.
 * docs/profile.md describes every setting.
 */
#ifndef EGNET_PROFILE_H
#define EGNET_PROFILE_H

#include <libconfig.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/cfgfile.h"
#include "common/code.h"
#include "common/diag.h"
#include "common/fwpolicy.h"
#include "common/ip.h"
#include "common/plan.h"
#include "common/srcloc.h"

#define MAX_VIA    8  /* next hops of a multipath route */
#define PROFILE_MAX_PLANS 8

enum link_role { ROLE_UPLINK, ROLE_DOWNLINK, ROLE_LAN, ROLE_INTERNET,
		 ROLE_COUNT };
enum link_kind { KIND_PHYSICAL, KIND_BRIDGE, KIND_VXLAN };
enum fam { FAM_V4, FAM_V6, FAM_COUNT };

extern const char *const link_role_words[];
extern const char *const link_kind_words[];

struct prof_plan {
	char name[NAME_LEN];
	struct plan_family fam[FAM_COUNT];
	struct src src;
};

struct prof_link {
	char name[IFNAMSIZ]; /* bridge/vxlan: its name; physical: "" */
	int role;	     /* enum link_role */
	int kind;	     /* enum link_kind */
	int mtu;
	bool up;
	char zone[NAME_LEN];
	char plan[NAME_LEN];
	int vni;	/* vxlan */
	int port;	/* vxlan UDP port */
	int underlay;	/* vxlan: role of the link it runs over */
	struct src src;
};

struct prof_zone {
	char name[NAME_LEN];
	int table;
	char desc[64];
	struct src src;
};

enum route_to { TO_DEFAULT, TO_CHILDREN, TO_AGGREGATE, TO_PREFIX };
enum route_type { RT_UNICAST, RT_BLACKHOLE, RT_UNREACHABLE };
enum via_kind { VIA_NONE, VIA_PARENT, VIA_GATEWAY, VIA_ADDR };

struct prof_via {
	int kind;		/* enum via_kind */
	char gateway[NAME_LEN];	/* VIA_GATEWAY: name in the node config */
	struct ip_addr addr;	/* VIA_ADDR */
};

struct prof_route {
	char zone[NAME_LEN];
	int to;			/* enum route_to */
	struct ip_prefix prefix; /* TO_PREFIX */
	int type;		/* enum route_type */
	int metric;
	int family;		/* 0 = both, AF_INET, AF_INET6 */
	struct prof_via via[MAX_VIA];
	int n_via;
	struct src src;
};

struct prof_probe {
	int port;
	struct src port_src; /* line 0 when the default */
	int interval_ms;
	int down_after;
	int up_after;
	int window;
	int village; /* enum village_probe */
};

enum village_probe { VILLAGE_ICMP, VILLAGE_NONE };

struct profile {
	char path[4096];
	char name[NAME_LEN];
	char version[NAME_LEN];
	int level; /* enum code_level */
	char desc[128];
	int rule_priority;  /* first priority of our policy rules */
	int collector_port; /* tcp port of the collector (province) */
	int collector_port_line; /* 0: the default */

	struct prof_plan *plans;
	int n_plans;
	struct prof_link *links;
	int n_links;
	/* zones of links refused for a setting: their zone is not also
	 * reported as having no link */
	char (*refused_zones)[NAME_LEN];
	int n_refused_zones;
	struct prof_zone *zones;
	int n_zones;
	struct prof_route *routes;
	int n_routes;
	struct prof_service *services;
	int n_services;
	struct prof_set *sets;
	int n_sets;
	struct prof_rule *rules;
	int n_rules;
	char log_rate[NAME_LEN];
	struct prof_probe probe;

	char **files; /* file names struct src points at */
	int n_files;
	config_t cfg;
	struct cfgfile cf; /* names of the included files, for cfg */
};

/*
 * Load and check a profile.  Problems go to d (file:line: setting: ...);
 * the profile is filled as far as possible either way.  Returns 0 when d
 * gained no problem, -EINVAL otherwise.  profile_free() in both cases.
 */
int profile_load(struct profile *p, const char *path, struct diag *d);
void profile_free(struct profile *p);

const struct prof_zone *profile_zone(const struct profile *p, const char *n);
const struct prof_plan *profile_plan(const struct profile *p, const char *n);
const struct prof_service *profile_service(const struct profile *p,
					   const char *n);
const struct prof_set *profile_set(const struct profile *p, const char *n);

/* Where setting s is, with a file name the profile keeps. */
struct src profile_src(struct profile *p, const config_setting_t *s);

int fam_of(int af);	/* AF_INET -> FAM_V4 */
int af_of(int fam);	/* FAM_V4 -> AF_INET */

#endif
