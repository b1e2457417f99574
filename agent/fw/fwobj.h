/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The contents of table inet egnet as libnftnl objects — compiled from the
 * profile, or read from the kernel — and their conversion into a firewall
 * state: the messages that create them and the canonical text.
 */
#ifndef EGNET_FWOBJ_H
#define EGNET_FWOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/fw/fw.h"

/* nftables' data type numbers of set keys, so `nft list` prints the sets
 * right and the plan shows addresses */
#define FW_TYPE_IPADDR  7
#define FW_TYPE_IP6ADDR 8
#define FW_TYPE_IFNAME  41

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

/* The state of these objects: present, messages, canonical text.  A
 * set's elements go out sorted, in messages cut by their content (see
 * fwobj.c), so equal runs of elements make equal messages. */
int fwobjs_to_state(const struct fwobjs *o, struct fwstate *out, char *err,
		    size_t errlen);

/* The comment of a rule ("" when none) into buf. */
const char *fwobj_rule_comment(const struct nftnl_rule *r, char *buf,
			       size_t len);

/* The canonical line of a rule ("rule CHAIN \"COMMENT\" | ...\n"), as in
 * a state's text; the caller frees it. */
char *fwobj_rule_text(struct nftnl_rule *r);

/* An element in a state's messages: its key, and whether it ends an
 * interval.  The key points into the state's messages. */
struct fwelem {
	const uint8_t *key;
	uint16_t len;
	bool end;
};

/* The order of elements in a state: by key length, then key, an end
 * before a start of the same key.  <0, 0, >0. */
int fwobj_elem_cmp(const struct fwelem *a, const struct fwelem *b);

/* Whether set s holds an element (key and end flag) twice: never so in the
 * kernel, so a dump that was disturbed. */
bool fwobj_set_has_repeat(struct nftnl_set *s);

/* What changes in one set: whole intervals (start and end) or elements. */
struct fwelem_diff {
	const char *set; /* in to's messages */
	struct fwelem *del, *add;
	int n_del, n_add;
};

/*
 * The element additions and deletions that take the sets of `from` to
 * those of `to` (both with the same sets), one entry per set that changes.
 * An interval that changes at all is deleted whole and added anew, so a
 * merge or split is the old intervals out and the new ones in.  Element
 * messages the two states share byte for byte are left out unread (they
 * hold the same elements and never cut an interval), so a small change
 * costs about the messages it touches.  The diff
 * points into both states' messages: free it (fwobj_elem_diff_free)
 * before them.  Returns 0, or -EINVAL when the states' sets differ or an
 * element is not of the form we build (then only a full replace will do).
 */
int fwobj_elem_diff(const struct fwstate *from, const struct fwstate *to,
		    struct fwelem_diff **out, int *n_out);
void fwobj_elem_diff_free(struct fwelem_diff *d, int n);

#endif
