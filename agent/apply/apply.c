// SPDX-License-Identifier: BSD-2-Clause
/*
 * Operations to netlink requests.  Requests are built by libnl (one
 * function per kind of object) and sent by nl_batch(); link operations are
 * sent one per batch because later requests need their interface indexes.
 */
#include "agent/apply/apply.h"

#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/sys/failpoint.h"
#include "agent/fw/fw.h"
#include "common/log.h"

/* Interface indexes by name, looked up once per name and batch. */
struct ifcache {
	char names[64][IFNAMSIZ];
	int idx[64];
	int n;
};

static int ifindex(struct ifcache *m, const char *name)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->names[i], name))
			return m->idx[i];
	i = (int)if_nametoindex(name);
	if (m->n < 64) {
		snprintf(m->names[m->n], IFNAMSIZ, "%s", name);
		m->idx[m->n++] = i;
	}
	return i;
}

static struct nl_addr *nladdr(const struct ip_addr *a, unsigned len)
{
	struct nl_addr *n = nl_addr_build(a->family, a->a,
					  a->family == AF_INET ? 4 : 16);

	if (n)
		nl_addr_set_prefixlen(n, (int)len);
	return n;
}

static int route_msg(const struct op *op, struct ifcache *m, struct nl_msg **msg)
{
	const struct ds_route *r = op->route;
	struct rtnl_route *k = rtnl_route_alloc();
	struct nl_addr *a;
	int rc, flags;

	rtnl_route_set_family(k, (uint8_t)r->family);
	rtnl_route_set_table(k, r->table);
	a = nladdr(&r->dst.addr, r->dst.len);
	rtnl_route_set_dst(k, a);
	nl_addr_put(a);
	rtnl_route_set_type(k, r->type == RT_BLACKHOLE	    ? RTN_BLACKHOLE
			       : r->type == RT_UNREACHABLE ? RTN_UNREACHABLE
							   : RTN_UNICAST);
	rtnl_route_set_protocol(k, EGNET_RTPROT);
	rtnl_route_set_scope(k, r->scope == SCOPE_LINK ? RT_SCOPE_LINK
						       : RT_SCOPE_UNIVERSE);
	rtnl_route_set_priority(k, (uint32_t)r->metric);
	if (r->prefsrc.family) {
		a = nladdr(&r->prefsrc, ip_bits(r->prefsrc.family));
		rtnl_route_set_pref_src(k, a);
		nl_addr_put(a);
	}
	for (int i = 0; i < r->n_nh; i++) {
		struct rtnl_nexthop *nh = rtnl_route_nh_alloc();

		if (r->nh[i].gw.family) {
			a = nladdr(&r->nh[i].gw, ip_bits(r->nh[i].gw.family));
			rtnl_route_nh_set_gateway(nh, a);
			nl_addr_put(a);
		}
		if (r->nh[i].dev[0])
			rtnl_route_nh_set_ifindex(nh, ifindex(m, r->nh[i].dev));
		rtnl_route_add_nexthop(k, nh);
	}
	if (op->type == OP_ROUTE_DEL) {
		rc = rtnl_route_build_del_request(k, 0, msg);
	} else {
		flags = NLM_F_CREATE |
			(op->type == OP_ROUTE_REPLACE ? NLM_F_REPLACE
						      : NLM_F_EXCL);
		rc = rtnl_route_build_add_request(k, flags, msg);
	}
	rtnl_route_put(k);
	return rc < 0 ? -EINVAL : 0;
}

static int rule_msg(const struct op *op, struct nl_msg **msg)
{
	const struct ds_rule *r = op->rule;
	struct rtnl_rule *k = rtnl_rule_alloc();
	int rc;

	rtnl_rule_set_family(k, r->family);
	rtnl_rule_set_prio(k, (uint32_t)r->priority);
	rtnl_rule_set_table(k, r->table);
	rtnl_rule_set_action(k, FR_ACT_TO_TBL);
	if (r->iif[0]) {
		rtnl_rule_set_iif(k, r->iif);
	} else {
		struct nl_addr *a = nladdr(&r->from.addr, r->from.len);

		rtnl_rule_set_src(k, a);
		nl_addr_put(a);
	}
	if (op->type == OP_RULE_DEL)
		rc = rtnl_rule_build_delete_request(k, 0, msg);
	else
		rc = rtnl_rule_build_add_request(k, NLM_F_CREATE | NLM_F_EXCL,
						 msg);
	rtnl_rule_put(k);
	return rc < 0 ? -EINVAL : 0;
}

static int addr_msg(const struct op *op, struct ifcache *m, struct nl_msg **msg)
{
	struct rtnl_addr *k = rtnl_addr_alloc();
	struct nl_addr *a = nladdr(&op->addr.addr, op->addr.len);
	int rc;

	rtnl_addr_set_ifindex(k, ifindex(m, op->dev));
	rtnl_addr_set_family(k, op->addr.addr.family);
	rtnl_addr_set_local(k, a);
	rtnl_addr_set_prefixlen(k, (int)op->addr.len);
	nl_addr_put(a);
	/* A router's addresses are planned: no DAD, so routes with this
	 * source can go in at once. */
	if (op->addr.addr.family == AF_INET6)
		rtnl_addr_set_flags(k, IFA_F_NODAD);
	if (op->type == OP_ADDR_DEL)
		rc = rtnl_addr_build_delete_request(k, 0, msg);
	else
		rc = rtnl_addr_build_add_request(k, NLM_F_CREATE | NLM_F_EXCL,
						 msg);
	rtnl_addr_put(k);
	return rc < 0 ? -EINVAL : 0;
}

static int fdb_msg(const struct op *op, struct ifcache *m, struct nl_msg **msg)
{
	static const uint8_t zero[6];
	struct rtnl_neigh *k = rtnl_neigh_alloc();
	struct nl_addr *ll = nl_addr_build(AF_LLC, zero, 6);
	struct nl_addr *dst = nladdr(&op->remote, ip_bits(op->remote.family));
	int rc;

	rtnl_neigh_set_ifindex(k, ifindex(m, op->dev));
	/* libnl refuses a destination of another family than the entry's:
	 * set it first, then make the entry a bridge one */
	rtnl_neigh_set_dst(k, dst);
	rtnl_neigh_set_lladdr(k, ll);
	rtnl_neigh_set_family(k, AF_BRIDGE);
	rtnl_neigh_set_state(k, NUD_PERMANENT);
	rtnl_neigh_set_flags(k, NTF_SELF);
	nl_addr_put(ll);
	nl_addr_put(dst);
	if (op->type == OP_FDB_DEL)
		rc = rtnl_neigh_build_delete_request(k, 0, msg);
	else
		rc = rtnl_neigh_build_add_request(
			k, NLM_F_CREATE | NLM_F_APPEND, msg);
	rtnl_neigh_put(k);
	return rc < 0 ? -EINVAL : 0;
}

static int link_msg(const struct op *op, struct ifcache *m, struct nl_msg **msg)
{
	const struct ds_link *l = op->link;
	struct rtnl_link *k = NULL, *orig = NULL;
	int rc = 0;

	switch (op->type) {
	case OP_LINK_ADD:
		k = l->kind == KIND_VXLAN ? rtnl_link_vxlan_alloc()
					  : rtnl_link_bridge_alloc();
		rtnl_link_set_name(k, l->name);
		rtnl_link_set_mtu(k, (unsigned)l->mtu);
		if (l->up)
			rtnl_link_set_flags(k, IFF_UP);
		if (l->kind == KIND_VXLAN) {
			rtnl_link_vxlan_set_id(k, (uint32_t)l->vni);
			rtnl_link_vxlan_set_port(k, (uint32_t)l->port);
			if (l->local.family) {
				struct nl_addr *a =
					nladdr(&l->local, ip_bits(l->local.family));

				rtnl_link_vxlan_set_local(k, a);
				nl_addr_put(a);
			}
			if (l->underlay[0])
				rtnl_link_vxlan_set_link(
					k, (uint32_t)ifindex(m, l->underlay));
		}
		rc = rtnl_link_build_add_request(k, NLM_F_CREATE | NLM_F_EXCL,
						 msg);
		break;
	case OP_LINK_DEL:
		k = rtnl_link_alloc();
		rtnl_link_set_name(k, op->dev);
		rc = rtnl_link_build_delete_request(k, msg);
		break;
	case OP_LINK_SET:
	case OP_PORT_ADD:
	case OP_PORT_DEL:
		orig = rtnl_link_alloc();
		k = rtnl_link_alloc();
		rtnl_link_set_ifindex(orig, ifindex(m, op->dev));
		if (op->type == OP_LINK_SET) {
			rtnl_link_set_mtu(k, (unsigned)op->mtu);
			if (op->up)
				rtnl_link_set_flags(k, IFF_UP);
			else
				rtnl_link_unset_flags(k, IFF_UP);
		} else if (op->type == OP_PORT_ADD) {
			rtnl_link_set_master(k, ifindex(m, op->master));
			rtnl_link_set_flags(k, IFF_UP);
		} else {
			rtnl_link_set_master(k, 0);
			if (!op->up)
				rtnl_link_unset_flags(k, IFF_UP);
		}
		rc = rtnl_link_build_change_request(orig, k, 0, msg);
		break;
	}
	if (k)
		rtnl_link_put(k);
	if (orig)
		rtnl_link_put(orig);
	return rc < 0 ? -EINVAL : 0;
}

static bool is_link_op(int type)
{
	return type == OP_LINK_ADD || type == OP_LINK_DEL ||
	       type == OP_LINK_SET || type == OP_PORT_ADD ||
	       type == OP_PORT_DEL;
}

/*
 * The firewall is one nftables transaction of its own: run it alone and
 * record its result like a netlink request's.  It goes from the state read
 * before (old_fw) to the new one: only the elements and rules that differ
 * when the table's shape is the same, the whole table otherwise.
 */
static int run_fw(const struct op *op, struct change *log,
		  struct apply_result *res, int index)
{
	char err[400], b[200];
	int rc = nft_update(op->old_fw, op->fw, NULL, err, sizeof(err));

	if (rc == 0) {
		if (log)
			*change_add(log, op->type) = *op;
		res->done++;
		return 0;
	}
	if (!res->err) {
		res->err = rc;
		res->failed_op = index;
		snprintf(res->msg, sizeof(res->msg), "%s: %s",
			 op_format(op, b, sizeof(b)), err);
	}
	return 1;
}

static int op_msg(const struct op *op, struct ifcache *m, struct nl_msg **msg)
{
	switch (op->type) {
	case OP_ROUTE_DEL:
	case OP_ROUTE_ADD:
	case OP_ROUTE_REPLACE:
		return route_msg(op, m, msg);
	case OP_RULE_DEL:
	case OP_RULE_ADD:
		return rule_msg(op, msg);
	case OP_ADDR_DEL:
	case OP_ADDR_ADD:
		return addr_msg(op, m, msg);
	case OP_FDB_DEL:
	case OP_FDB_ADD:
		return fdb_msg(op, m, msg);
	default:
		return link_msg(op, m, msg);
	}
}

static void append(struct change *log, const struct op *op)
{
	if (log)
		*change_add(log, op->type) = *op;
}

/*
 * Run ops[from, to) as batches; on the first failure stop.  Interface
 * indexes are looked up afresh after every link operation.
 */
static int run_ops(struct nlctx *nl, const struct op *ops, int n,
		   struct change *log, struct apply_result *res, bool stop_early)
{
	struct nl_msg **msgs = xcalloc((size_t)n + 1, sizeof(*msgs));
	struct nl_result *rr = xcalloc((size_t)n + 1, sizeof(*rr));
	int i = 0, failures = 0;

	while (i < n) {
		struct ifcache m = {.n = 0};
		int start = i, cnt = 0, rc = 0, fp = 0;

		if (ops[i].type == OP_FW_REPLACE) {
			int f = failpoint(stop_early ? "apply.op" : "apply.undo",
					  i);

			if (f) {
				char b[200];

				if (!res->err) {
					res->err = f;
					res->failed_op = i;
					snprintf(res->msg, sizeof(res->msg),
						 "%s: failure point",
						 op_format(&ops[i], b, sizeof(b)));
				}
				failures++;
				break;
			}
			failures += run_fw(&ops[i], log, res, i);
			i++;
			if (res->err && stop_early)
				break;
			continue;
		}
		/* one link op alone, or a run of other ops */
		do {
			fp = failpoint(stop_early ? "apply.op" : "apply.undo", i);
			if (fp)
				break;
			if (op_msg(&ops[i], &m, &msgs[cnt]) < 0) {
				rc = -ENOMEM;
				break;
			}
			cnt++;
			i++;
		} while (i < n && !is_link_op(ops[i - 1].type) &&
			 !is_link_op(ops[i].type) &&
			 ops[i].type != OP_FW_REPLACE);
		if (cnt) {
			int brc = nl_batch(nl, msgs, (size_t)cnt, rr);

			/* a socket failure leaves results unknown: say why */
			for (int k = 0; brc && k < cnt; k++)
				if (rr[k].err == -ECANCELED)
					snprintf(rr[k].msg, sizeof(rr[k].msg),
						 "netlink socket: %s",
						 strerror(-brc));
		}
		for (int k = 0; k < cnt; k++) {
			nlmsg_free(msgs[k]);
			if (rr[k].err == 0) {
				append(log, &ops[start + k]);
				res->done++;
				continue;
			}
			failures++;
			if (res->err)
				continue;
			char b[384];

			res->err = rr[k].err;
			res->failed_op = start + k;
			snprintf(res->msg, sizeof(res->msg), "%s: %s%s%s",
				 op_format(&ops[start + k], b, sizeof(b)),
				 strerror(-rr[k].err), rr[k].msg[0] ? ": " : "",
				 rr[k].msg);
		}
		if (!res->err && (fp || rc)) {
			char b[384];

			res->err = fp ? fp : rc;
			res->failed_op = i;
			snprintf(res->msg, sizeof(res->msg), "%s: %s",
				 op_format(&ops[i], b, sizeof(b)),
				 fp ? "failure point" : "cannot build request");
			failures++;
		}
		if ((res->err && stop_early) || fp || rc)
			break;
	}
	free(msgs);
	free(rr);
	return failures;
}

int apply_undo(struct nlctx *nl, const struct change *log)
{
	struct op *inv = xcalloc((size_t)log->n + 1, sizeof(*inv));
	struct apply_result r = {.failed_op = -1};
	int failures;

	for (int i = 0; i < log->n; i++)
		inv[i] = op_inverse(&log->ops[log->n - 1 - i]);
	/* best effort: go on past a failed inverse */
	failures = run_ops(nl, inv, log->n, NULL, &r, false);
	if (failures)
		log_warnx("rollback: %d operation(s) could not be undone; "
			  "first: %s", failures, r.msg);
	free(inv);
	return failures;
}

int apply_change(struct nlctx *nl, const struct change *ch,
		 struct change *log, struct apply_result *res)
{
	struct change mine = {0};

	memset(res, 0, sizeof(*res));
	res->failed_op = -1;
	run_ops(nl, ch->ops, ch->n, log ? log : &mine, res, true);
	if (res->err && !log)
		res->undo_errors = apply_undo(nl, &mine);
	change_free(&mine);
	return res->err;
}
