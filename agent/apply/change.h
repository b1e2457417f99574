/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The difference between two kernel states as an ordered list of
 * operations: deletions first (routes, rules, flood entries, addresses,
 * ports, links), then creations (links, ports, addresses, flood entries,
 * rules, routes), so no operation depends on a later one.  Every operation
 * has an inverse, which is what rollback runs, in reverse.
 */
#ifndef EGNET_CHANGE_H
#define EGNET_CHANGE_H

#include <jansson.h>
#include <stdio.h>

#include "agent/apply/kstate.h"

enum op_type {
	OP_ROUTE_DEL,
	OP_RULE_DEL,
	OP_FDB_DEL,
	OP_ADDR_DEL,
	OP_PORT_DEL,
	OP_LINK_DEL,
	OP_LINK_ADD,
	OP_LINK_SET,
	OP_PORT_ADD,
	OP_ADDR_ADD,
	OP_FDB_ADD,
	OP_RULE_ADD,
	OP_ROUTE_ADD,
	OP_ROUTE_REPLACE,
	OP_FW_REPLACE,
	OP_COUNT,
};

/*
 * An operation.  Routes, rules and the attributes of a link to create are
 * pointed at, not copied: a plan of 100,000 routes stays a few megabytes.
 * What they point into (the current and target states) must live as long
 * as the operation; change_adopt() hands a state to the change for that.
 */
struct op {
	int type;
	char dev[IFNAMSIZ];    /* the link, the port, or the device */
	char master[IFNAMSIZ]; /* ports: the bridge */
	bool up, old_up;       /* LINK_SET, PORT_*: after and before */
	int mtu, old_mtu;      /* LINK_SET */
	struct ip_prefix addr; /* ADDR_* */
	struct ip_addr remote; /* FDB_* */
	const struct ds_link *link;   /* LINK_ADD/DEL: its attributes */
	const struct ds_rule *rule;   /* RULE_* */
	const struct ds_route *route; /* ROUTE_* */
	const struct ds_route *old_route; /* ROUTE_REPLACE: before */
	const struct fwstate *fw, *old_fw; /* FW_REPLACE: after, before */
};

#define CHANGE_MAX_OWNED 8

struct change {
	struct op *ops;
	int n, cap;
	struct kstate owned[CHANGE_MAX_OWNED]; /* states the ops point into */
	int n_owned;
};

/* A new zeroed operation at the end of ch. */
struct op *change_add(struct change *ch, int type);

/* Give ch a state its operations point into (moved: *ks is emptied). */
void change_adopt(struct change *ch, struct kstate *ks);

/* Move everything of src to the end of dst (src is emptied). */
void change_move(struct change *dst, struct change *src);

/*
 * Operations that turn cur into target.  Fails (-EINVAL, reason in err)
 * when it cannot be done safely: a physical interface that is missing, or a
 * name we must create that exists as another kind of link.  @left (may be
 * NULL) is the state being left: a physical link it had and target has
 * not is let go of, with the addresses left had put on it removed.
 */
int change_compute(const struct kstate *cur, const struct kstate *target,
		   const struct kstate *left,
		   struct change *out, char *err, size_t errlen);
void change_free(struct change *ch);

/* The operation that undoes op. */
struct op op_inverse(const struct op *op);

/* One line, iproute2-like: "route add 10.0.0.0/8 via ... table 100". */
char *op_format(const struct op *op, char *buf, size_t len);

void change_print(const struct change *ch, FILE *out);
json_t *change_json(const struct change *ch);

/* Order routes and rules by key, for comparing states. */
int route_key_cmp(const struct ds_route *a, const struct ds_route *b);
bool route_same(const struct ds_route *want, const struct ds_route *got);

#endif
