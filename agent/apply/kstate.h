/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel state as the apply engine sees it: links, their addresses, bridge
 * ports and VXLAN flood remotes, policy rules and routes, in the same types
 * as the desired state so the two compare directly.  Only what egnet owns is
 * read: the links named in the scope, routes of protocol egnet, rules in our
 * priority range.
 */
#ifndef EGNET_KSTATE_H
#define EGNET_KSTATE_H

#include "agent/apply/nl.h"
#include "common/desired.h"

/* Route protocol of our routes; /etc/iproute2/rt_protos.d/egnet.conf. */
#define EGNET_RTPROT 147

/* An interface that is, or is to be, a port of one of our bridges. */
struct kport {
	char name[IFNAMSIZ];
	char master[IFNAMSIZ]; /* "" when none */
	bool up;
};

struct fwstate;

struct kstate {
	struct fwstate *fw; /* table inet egnet; NULL: not ours to manage */
	struct ds_link *links;
	int n_links;
	struct kport *kports; /* kernel state only: the scope's ports */
	int n_kports;
	struct ds_rule *rules;
	int n_rules;
	struct ds_route *routes;
	int n_routes;
};

/* What we own in the kernel. */
struct kscope {
	char (*links)[IFNAMSIZ];
	int n_links;
	char (*ports)[IFNAMSIZ];
	int n_ports;
	bool fw; /* read table inet egnet too */
	int prio_lo, prio_hi;
};

/* Deep copy of the kernel-facing part of a desired state, normalised the
 * way the kernel reports it (IPv6 metric 0 is 1024, IPv6 has no scope). */
void kstate_from_desired(struct kstate *ks, const struct desired *ds);
void kstate_copy(struct kstate *dst, const struct kstate *src);
void kstate_free(struct kstate *ks);

/* Scope covering a target and, optionally, a previous state. */
void kscope_build(struct kscope *sc, const struct kstate *target,
		  const struct kstate *prev, int prio_lo, int prio_hi);
void kscope_free(struct kscope *sc);

/*
 * Read what we own from the kernel into out (emptied first).  Links of the
 * scope that do not exist are absent from out.  Returns 0 or -errno with
 * the reason in err.
 */
int kstate_read(struct nlctx *nl, const struct kscope *sc, struct kstate *out,
		char *err, size_t errlen);

const struct ds_link *kstate_link(const struct kstate *ks, const char *name);
const struct kport *kstate_port(const struct kstate *ks, const char *name);

/* Append helpers (the struct is zeroed, then copied from src if given). */
struct ds_link *kstate_add_link(struct kstate *ks, const struct ds_link *src);
void kstate_link_add_addr(struct ds_link *l, const struct ip_prefix *p);
void kstate_link_add_remote(struct ds_link *l, const struct ip_addr *a);

#endif
