/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The contents of table inet egnet as libnftnl objects — compiled from the
 * profile, or read from the kernel — and their conversion into a firewall
 * state: the messages that create them and the canonical text.
 */
#ifndef EGNET_FWOBJ_H
#define EGNET_FWOBJ_H

#include <stddef.h>

#include "agent/fw/fw.h"

struct nftnl_chain;
struct nftnl_set;
struct nftnl_rule;

struct fwobjs {
	struct nftnl_chain **chains;
	int n_chains;
	struct nftnl_set **sets; /* with their elements */
	int n_sets;
	struct nftnl_rule **rules; /* in chain order */
	int n_rules;
};

void fwobjs_init(struct fwobjs *o);
void fwobjs_free(struct fwobjs *o);
void fwobjs_add_chain(struct fwobjs *o, struct nftnl_chain *c);
void fwobjs_add_set(struct fwobjs *o, struct nftnl_set *s);
void fwobjs_add_rule(struct fwobjs *o, struct nftnl_rule *r);

/* The state of these objects: present, messages, canonical text. */
int fwobjs_to_state(const struct fwobjs *o, struct fwstate *out, char *err,
		    size_t errlen);

/* The comment of a rule ("" when none) into buf. */
const char *fwobj_rule_comment(const struct nftnl_rule *r, char *buf,
			       size_t len);

#endif
