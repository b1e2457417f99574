// SPDX-License-Identifier: BSD-2-Clause
/*
 * Computing the change between two kernel states.  Routes and rules are
 * sorted by key and merged, so a plan over 100,000 routes stays O(n log n).
 * A route's key is (family, table, destination, metric), as in the kernel;
 * two routes with the same key and different next hops are a replace.
 */
#include "agent/apply/change.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/fw/fw.h"
#include "common/log.h"

static const char *const rt_type_names[] = {"unicast", "blackhole",
					    "unreachable"};

struct op *change_add(struct change *ch, int type)
{
	struct op *op;

	if (ch->n == ch->cap) {
		ch->cap = ch->cap ? ch->cap * 2 : 64;
		ch->ops = xrealloc(ch->ops, (size_t)ch->cap * sizeof(*ch->ops));
	}
	op = &ch->ops[ch->n++];
	memset(op, 0, sizeof(*op));
	op->type = type;
	return op;
}

#define new_op change_add

void change_adopt(struct change *ch, struct kstate *ks)
{
	if (ch->n_owned == CHANGE_MAX_OWNED)
		fatal("change_adopt: more than %d states", CHANGE_MAX_OWNED);
	ch->owned[ch->n_owned++] = *ks;
	memset(ks, 0, sizeof(*ks));
}

void change_move(struct change *dst, struct change *src)
{
	for (int i = 0; i < src->n; i++)
		*change_add(dst, src->ops[i].type) = src->ops[i];
	for (int i = 0; i < src->n_owned; i++)
		change_adopt(dst, &src->owned[i]);
	src->n_owned = 0;
	change_free(src);
}

static bool has_addr(const struct ds_link *l, const struct ip_prefix *p)
{
	for (int i = 0; l && i < l->n_addrs; i++)
		if (!ip_cmp(&l->addrs[i].addr, &p->addr) &&
		    l->addrs[i].len == p->len)
			return true;
	return false;
}

static bool has_remote(const struct ds_link *l, const struct ip_addr *a)
{
	for (int i = 0; l && i < l->n_remotes; i++)
		if (!ip_cmp(&l->remotes[i], a))
			return true;
	return false;
}

static bool has_port(const struct ds_link *l, const char *p)
{
	for (int i = 0; l && i < l->n_ports; i++)
		if (!strcmp(l->ports[i], p))
			return true;
	return false;
}

/* VXLAN attributes the kernel cannot change in place. */
static bool vxlan_differs(const struct ds_link *t, const struct ds_link *c)
{
	return t->vni != c->vni || t->port != c->port ||
	       ip_cmp(&t->local, &c->local) ||
	       strcmp(t->underlay, c->underlay);
}

/* ---- routes and rules --------------------------------------------------- */

int route_key_cmp(const struct ds_route *a, const struct ds_route *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if (a->dst.len != b->dst.len)
		return a->dst.len < b->dst.len ? -1 : 1;
	c = memcmp(a->dst.addr.a, b->dst.addr.a, sizeof(a->dst.addr.a));
	if (c)
		return c;
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	return 0;
}

/* Does the kernel's route `got` match what we want?  A next hop without a
 * device in `want` matches any device the kernel resolved. */
bool route_same(const struct ds_route *want, const struct ds_route *got)
{
	if (want->type != got->type || want->scope != got->scope ||
	    ip_cmp(&want->prefsrc, &got->prefsrc) ||
	    want->n_nh != got->n_nh)
		return false;
	for (int i = 0; i < want->n_nh; i++) {
		if (ip_cmp(&want->nh[i].gw, &got->nh[i].gw))
			return false;
		if (want->nh[i].dev[0] &&
		    strcmp(want->nh[i].dev, got->nh[i].dev))
			return false;
	}
	return true;
}

static int rule_cmp(const struct ds_rule *a, const struct ds_rule *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if ((c = strcmp(a->iif, b->iif)))
		return c;
	if (a->from.len != b->from.len)
		return a->from.len < b->from.len ? -1 : 1;
	return memcmp(a->from.addr.a, b->from.addr.a, sizeof(a->from.addr.a));
}

static int route_ptr_cmp(const void *a, const void *b)
{
	return route_key_cmp(*(const struct ds_route *const *)a,
			     *(const struct ds_route *const *)b);
}

static int rule_ptr_cmp(const void *a, const void *b)
{
	return rule_cmp(*(const struct ds_rule *const *)a,
			*(const struct ds_rule *const *)b);
}

static const struct ds_route **sorted_routes(const struct kstate *ks)
{
	const struct ds_route **v = xcalloc((size_t)ks->n_routes + 1,
					    sizeof(*v));

	for (int i = 0; i < ks->n_routes; i++)
		v[i] = &ks->routes[i];
	if (ks->n_routes > 1)
		qsort(v, (size_t)ks->n_routes, sizeof(*v), route_ptr_cmp);
	return v;
}

static bool via_any(const struct ds_route *r, char (*devs)[IFNAMSIZ], int n)
{
	for (int i = 0; i < r->n_nh; i++)
		for (int j = 0; j < n; j++)
			if (!strcmp(r->nh[i].dev, devs[j]))
				return true;
	return false;
}

/*
 * Routes: merge the two sorted lists.  Routes through a link that is
 * deleted or re-created go first and come back after (the kernel drops them
 * with the link).
 */
static void diff_routes(const struct kstate *cur, const struct kstate *tgt,
			char (*gone)[IFNAMSIZ], int n_gone, struct change *ch)
{
	const struct ds_route **c = sorted_routes(cur), **t = sorted_routes(tgt);
	int i = 0, j = 0;

	while (i < cur->n_routes || j < tgt->n_routes) {
		int k = i >= cur->n_routes   ? 1
			: j >= tgt->n_routes ? -1
					     : route_key_cmp(c[i], t[j]);

		if (k < 0) {
			new_op(ch, OP_ROUTE_DEL)->route = c[i++];
		} else if (k > 0) {
			new_op(ch, OP_ROUTE_ADD)->route = t[j++];
		} else {
			if (via_any(c[i], gone, n_gone)) {
				new_op(ch, OP_ROUTE_DEL)->route = c[i];
				new_op(ch, OP_ROUTE_ADD)->route = t[j];
			} else if (!route_same(t[j], c[i])) {
				struct op *op = new_op(ch, OP_ROUTE_REPLACE);

				op->route = t[j];
				op->old_route = c[i];
			}
			i++;
			j++;
		}
	}
	free(c);
	free(t);
}

static void diff_rules(const struct kstate *cur, const struct kstate *tgt,
		       struct change *ch)
{
	const struct ds_rule **c = xcalloc((size_t)cur->n_rules + 1, sizeof(*c));
	const struct ds_rule **t = xcalloc((size_t)tgt->n_rules + 1, sizeof(*t));
	int i = 0, j = 0;

	for (int k = 0; k < cur->n_rules; k++)
		c[k] = &cur->rules[k];
	for (int k = 0; k < tgt->n_rules; k++)
		t[k] = &tgt->rules[k];
	if (cur->n_rules > 1)
		qsort(c, (size_t)cur->n_rules, sizeof(*c), rule_ptr_cmp);
	if (tgt->n_rules > 1)
		qsort(t, (size_t)tgt->n_rules, sizeof(*t), rule_ptr_cmp);
	while (i < cur->n_rules || j < tgt->n_rules) {
		int k = i >= cur->n_rules   ? 1
			: j >= tgt->n_rules ? -1
					    : rule_cmp(c[i], t[j]);

		if (k < 0)
			new_op(ch, OP_RULE_DEL)->rule = c[i++];
		else if (k > 0)
			new_op(ch, OP_RULE_ADD)->rule = t[j++];
		else
			i++, j++;
	}
	free(c);
	free(t);
}

/* ---- links -------------------------------------------------------------- */

static struct op *link_op(struct change *ch, int type, const struct ds_link *l)
{
	struct op *op = new_op(ch, type);

	op->link = l;
	snprintf(op->dev, IFNAMSIZ, "%s", l->name);
	op->mtu = l->mtu;
	op->up = l->up;
	return op;
}

/* Take a port out of a bridge; it stays up or down as it is. */
static void port_del(const struct kstate *cur, const char *port,
		     const char *bridge, struct change *ch)
{
	const struct kport *kp = kstate_port(cur, port);
	struct op *op = new_op(ch, OP_PORT_DEL);

	snprintf(op->dev, IFNAMSIZ, "%s", port);
	snprintf(op->master, IFNAMSIZ, "%s", bridge);
	op->up = kp ? kp->up : true;
	op->old_up = op->up;
}

static void del_link_contents(const struct kstate *cur, const struct ds_link *c,
			      struct change *ch)
{
	for (int a = 0; a < c->n_addrs; a++) {
		struct op *op = new_op(ch, OP_ADDR_DEL);

		snprintf(op->dev, IFNAMSIZ, "%s", c->name);
		op->addr = c->addrs[a];
	}
	for (int r = 0; r < c->n_remotes; r++) {
		struct op *op = new_op(ch, OP_FDB_DEL);

		snprintf(op->dev, IFNAMSIZ, "%s", c->name);
		op->remote = c->remotes[r];
	}
	for (int p = 0; p < c->n_ports; p++)
		port_del(cur, c->ports[p], c->name, ch);
}

static void add_link_contents(const struct kstate *cur, const struct ds_link *t,
			      const struct ds_link *c, struct change *ch)
{
	for (int a = 0; a < t->n_addrs; a++) {
		struct op *op;

		if (has_addr(c, &t->addrs[a]))
			continue;
		op = new_op(ch, OP_ADDR_ADD);
		snprintf(op->dev, IFNAMSIZ, "%s", t->name);
		op->addr = t->addrs[a];
	}
	for (int r = 0; r < t->n_remotes; r++) {
		struct op *op;

		if (has_remote(c, &t->remotes[r]))
			continue;
		op = new_op(ch, OP_FDB_ADD);
		snprintf(op->dev, IFNAMSIZ, "%s", t->name);
		op->remote = t->remotes[r];
	}
	for (int p = 0; p < t->n_ports; p++) {
		struct op *op;

		if (has_port(c, t->ports[p]))
			continue;
		const struct kport *kp = kstate_port(cur, t->ports[p]);

		op = new_op(ch, OP_PORT_ADD);
		snprintf(op->dev, IFNAMSIZ, "%s", t->ports[p]);
		snprintf(op->master, IFNAMSIZ, "%s", t->name);
		op->up = true;
		/* what undo returns to */
		op->old_up = kp ? kp->up : false;
	}
}

/*
 * A physical link we managed and manage no more: the addresses the state
 * we leave had on it go (another link may carry them now), the rest of it
 * (its state, other addresses) is left as it is.
 */
static void release_link(const struct ds_link *c, const struct kstate *left,
			 struct change *ch)
{
	const struct ds_link *l = left ? kstate_link(left, c->name) : NULL;

	if (!l)
		return;
	for (int a = 0; a < c->n_addrs; a++)
		if (has_addr(l, &c->addrs[a])) {
			struct op *op = new_op(ch, OP_ADDR_DEL);

			snprintf(op->dev, IFNAMSIZ, "%s", c->name);
			op->addr = c->addrs[a];
		}
}

static int diff_links(const struct kstate *cur, const struct kstate *tgt,
		      const struct kstate *left, char (**gone)[IFNAMSIZ],
		      int *n_gone, struct change *ch, char *err, size_t errlen)
{
	for (int i = 0; i < tgt->n_links; i++) {
		const struct ds_link *t = &tgt->links[i];
		const struct ds_link *c = kstate_link(cur, t->name);

		if (!c && t->kind == KIND_PHYSICAL) {
			snprintf(err, errlen, "interface %s (%s) does not "
				 "exist", t->name, link_role_words[t->role]);
			return -EINVAL;
		}
		if (c && t->kind != KIND_PHYSICAL && c->kind != t->kind) {
			snprintf(err, errlen, "%s exists as a %s link; egnet "
				 "creates its %s only under a free name",
				 t->name, c->ktype[0] ? c->ktype : "physical",
				 link_kind_words[t->kind]);
			return -EINVAL;
		}
		if (c && t->kind == KIND_VXLAN && vxlan_differs(t, c)) {
			del_link_contents(cur, c, ch);
			link_op(ch, OP_LINK_DEL, c);
			*gone = xrealloc(*gone, (size_t)(*n_gone + 1) *
							sizeof(**gone));
			snprintf((*gone)[(*n_gone)++], IFNAMSIZ, "%s", c->name);
			c = NULL;
		}
		if (!c) {
			link_op(ch, OP_LINK_ADD, t);
			add_link_contents(cur, t, NULL, ch);
			continue;
		}
		if (c->mtu != t->mtu || c->up != t->up) {
			struct op *op = link_op(ch, OP_LINK_SET, t);

			op->old_mtu = c->mtu;
			op->old_up = c->up;
		}
		for (int a = 0; a < c->n_addrs; a++)
			if (!has_addr(t, &c->addrs[a])) {
				struct op *op = new_op(ch, OP_ADDR_DEL);

				snprintf(op->dev, IFNAMSIZ, "%s", c->name);
				op->addr = c->addrs[a];
			}
		for (int r = 0; r < c->n_remotes; r++)
			if (!has_remote(t, &c->remotes[r])) {
				struct op *op = new_op(ch, OP_FDB_DEL);

				snprintf(op->dev, IFNAMSIZ, "%s", c->name);
				op->remote = c->remotes[r];
			}
		for (int p = 0; p < c->n_ports; p++)
			if (!has_port(t, c->ports[p]))
				port_del(cur, c->ports[p], c->name, ch);
		add_link_contents(cur, t, c, ch);
	}
	/* owned virtual links no longer wanted go; physical ones are let go.
	 * VXLAN links first: the kernel deletes a VXLAN link with its
	 * underlay (one of our bridges, say), and deleting it after that
	 * would fail on a device that is gone. */
	for (int i = 0; i < 2 * cur->n_links; i++) {
		const struct ds_link *c = &cur->links[i % cur->n_links];

		if ((i < cur->n_links) != (c->kind == KIND_VXLAN))
			continue;
		if (kstate_link(tgt, c->name))
			continue;
		if (c->kind == KIND_PHYSICAL) {
			release_link(c, left, ch);
			continue;
		}
		del_link_contents(cur, c, ch);
		link_op(ch, OP_LINK_DEL, c);
		*gone = xrealloc(*gone, (size_t)(*n_gone + 1) * sizeof(**gone));
		snprintf((*gone)[(*n_gone)++], IFNAMSIZ, "%s", c->name);
	}
	return 0;
}

/* Order the operations by phase (their type), keeping the order within a
 * phase: a stable bucket pass, since qsort is not stable. */
static void order_phases(struct change *ch)
{
	struct op *v;
	int k = 0;

	if (ch->n < 2)
		return;
	v = xmalloc((size_t)ch->n * sizeof(*v));
	for (int t = 0; t < OP_COUNT; t++)
		for (int i = 0; i < ch->n; i++)
			if (ch->ops[i].type == t)
				v[k++] = ch->ops[i];
	free(ch->ops);
	ch->ops = v;
	ch->cap = ch->n;
}

int change_compute(const struct kstate *cur, const struct kstate *target,
		   const struct kstate *left, struct change *out, char *err,
		   size_t errlen)
{
	char(*gone)[IFNAMSIZ] = NULL;
	int n_gone = 0, rc;

	memset(out, 0, sizeof(*out));
	rc = diff_links(cur, target, left, &gone, &n_gone, out, err, errlen);
	if (rc) {
		free(gone);
		change_free(out);
		return rc;
	}
	diff_rules(cur, target, out);
	diff_routes(cur, target, gone, n_gone, out);
	/* the firewall: replaced whole when its text differs */
	if (target->fw && !fw_same(target->fw, cur->fw)) {
		struct op *op = new_op(out, OP_FW_REPLACE);

		op->fw = target->fw;
		op->old_fw = cur->fw;
	}
	free(gone);
	order_phases(out);
	return 0;
}

void change_free(struct change *ch)
{
	free(ch->ops);
	for (int i = 0; i < ch->n_owned; i++)
		kstate_free(&ch->owned[i]);
	memset(ch, 0, sizeof(*ch));
}

struct op op_inverse(const struct op *op)
{
	struct op inv = *op;

	switch (op->type) {
	case OP_ROUTE_DEL:
		inv.type = OP_ROUTE_ADD;
		break;
	case OP_ROUTE_ADD:
		inv.type = OP_ROUTE_DEL;
		break;
	case OP_ROUTE_REPLACE:
		inv.route = op->old_route;
		inv.old_route = op->route;
		break;
	case OP_RULE_DEL:
		inv.type = OP_RULE_ADD;
		break;
	case OP_RULE_ADD:
		inv.type = OP_RULE_DEL;
		break;
	case OP_FDB_DEL:
		inv.type = OP_FDB_ADD;
		break;
	case OP_FDB_ADD:
		inv.type = OP_FDB_DEL;
		break;
	case OP_ADDR_DEL:
		inv.type = OP_ADDR_ADD;
		break;
	case OP_ADDR_ADD:
		inv.type = OP_ADDR_DEL;
		break;
	case OP_PORT_DEL:
		inv.type = OP_PORT_ADD;
		break;
	case OP_PORT_ADD:
		/* out of the bridge, and back down if it was */
		inv.type = OP_PORT_DEL;
		inv.up = op->old_up;
		inv.old_up = op->up;
		break;
	case OP_LINK_DEL:
		inv.type = OP_LINK_ADD;
		break;
	case OP_LINK_ADD:
		inv.type = OP_LINK_DEL;
		break;
	case OP_FW_REPLACE:
		inv.fw = op->old_fw;
		inv.old_fw = op->fw;
		break;
	case OP_LINK_SET:
		inv.mtu = op->old_mtu;
		inv.up = op->old_up;
		inv.old_mtu = op->mtu;
		inv.old_up = op->up;
		break;
	}
	return inv;
}

/* ---- printing ------------------------------------------------------------ */

static char *route_str(const struct ds_route *r, char *buf, size_t len)
{
	char b[IP_STRLEN];
	size_t u = 0;

#define PUT(...)                                                               \
	do {                                                                   \
		int w_ = snprintf(buf + u, len - u, __VA_ARGS__);              \
		if (w_ > 0)                                                    \
			u += (size_t)w_ < len - u ? (size_t)w_ : len - u - 1;  \
	} while (0)

	buf[0] = '\0';
	PUT("%s", r->family == AF_INET6 ? "-6 " : "");
	if (r->type != RT_UNICAST)
		PUT("%s ", rt_type_names[r->type]);
	if (!r->dst.len)
		PUT("default");
	else
		PUT("%s", ip_format_prefix(&r->dst, b, sizeof(b)));
	for (int i = 0; i < r->n_nh; i++) {
		if (r->n_nh > 1)
			PUT(" nexthop");
		if (r->nh[i].gw.family)
			PUT(" via %s", ip_format_addr(&r->nh[i].gw, b,
						      sizeof(b)));
		if (r->nh[i].dev[0])
			PUT(" dev %s", r->nh[i].dev);
	}
	PUT(" table %u", r->table);
	if (r->scope == SCOPE_LINK)
		PUT(" scope link");
	if (r->prefsrc.family)
		PUT(" src %s", ip_format_addr(&r->prefsrc, b, sizeof(b)));
	if (r->metric)
		PUT(" metric %d", r->metric);
#undef PUT
	return buf;
}

char *op_format(const struct op *op, char *buf, size_t len)
{
	char b[IP_STRLEN], r[256];
	const struct ds_link *l = op->link;

	switch (op->type) {
	case OP_ROUTE_DEL:
	case OP_ROUTE_ADD:
	case OP_ROUTE_REPLACE:
		snprintf(buf, len, "route %s %s",
			 op->type == OP_ROUTE_DEL   ? "del"
			 : op->type == OP_ROUTE_ADD ? "add"
						    : "replace",
			 route_str(op->route, r, sizeof(r)));
		break;
	case OP_RULE_DEL:
	case OP_RULE_ADD:
		if (op->rule->iif[0])
			snprintf(r, sizeof(r), "iif %s", op->rule->iif);
		else
			snprintf(r, sizeof(r), "from %s",
				 ip_format_prefix(&op->rule->from, b,
						  sizeof(b)));
		snprintf(buf, len, "rule %s %spriority %d %s lookup %u",
			 op->type == OP_RULE_DEL ? "del" : "add",
			 op->rule->family == AF_INET6 ? "-6 " : "",
			 op->rule->priority, r, op->rule->table);
		break;
	case OP_FDB_DEL:
	case OP_FDB_ADD:
		snprintf(buf, len, "fdb %s 00:00:00:00:00:00 dev %s dst %s",
			 op->type == OP_FDB_DEL ? "del" : "append", op->dev,
			 ip_format_addr(&op->remote, b, sizeof(b)));
		break;
	case OP_ADDR_DEL:
	case OP_ADDR_ADD:
		snprintf(buf, len, "address %s %s dev %s",
			 op->type == OP_ADDR_DEL ? "del" : "add",
			 ip_format_prefix(&op->addr, b, sizeof(b)), op->dev);
		break;
	case OP_PORT_DEL:
		snprintf(buf, len, "link set %s nomaster%s", op->dev,
			 op->up ? "" : " down");
		break;
	case OP_PORT_ADD:
		snprintf(buf, len, "link set %s master %s up", op->dev,
			 op->master);
		break;
	case OP_LINK_DEL:
		snprintf(buf, len, "link del %s", op->dev);
		break;
	case OP_LINK_ADD:
		if (l->kind == KIND_VXLAN)
			snprintf(buf, len, "link add %s type vxlan id %d "
				 "dstport %d%s%s%s%s mtu %d%s", l->name,
				 l->vni, l->port, l->local.family ? " local " : "",
				 l->local.family ? ip_format_addr(&l->local, b,
								  sizeof(b))
						 : "",
				 l->underlay[0] ? " dev " : "", l->underlay,
				 l->mtu, l->up ? " up" : "");
		else
			snprintf(buf, len, "link add %s type %s mtu %d%s",
				 l->name, link_kind_words[l->kind], l->mtu,
				 l->up ? " up" : "");
		break;
	case OP_LINK_SET:
		snprintf(buf, len, "link set %s mtu %d %s (was mtu %d %s)",
			 op->dev, op->mtu, op->up ? "up" : "down", op->old_mtu,
			 op->old_up ? "up" : "down");
		break;
	case OP_FW_REPLACE: {
		struct nft_how how;

		/* nft_update's own decision: in place, or the whole table */
		nft_update_how(op->old_fw, op->fw, &how);
		if (how.incremental)
			snprintf(buf, len, "firewall update table inet egnet: "
				 "+%d -%d elements, +%d -%d rules",
				 how.elems_add, how.elems_del, how.rules_add,
				 how.rules_del);
		else if (op->fw && op->fw->present)
			snprintf(buf, len, "firewall replace table inet egnet "
				 "(%d rules, %d sets, %d elements)",
				 op->fw->n_rules, op->fw->n_sets,
				 op->fw->n_elems);
		else
			snprintf(buf, len, "firewall delete table inet egnet");
		break;
	}
	default:
		snprintf(buf, len, "?");
	}
	return buf;
}

#define FW_LINES_SHOWN 200

/* What a firewall update or replace changes, line by line ("+ ..." / "- ..."). */
static void fw_detail(const struct op *op,
		      void (*emit)(const char *line, void *arg), void *arg)
{
	char **add, **del, buf[1200];
	int na = fw_diff_lines(op->fw, op->old_fw, &add);
	int nd = fw_diff_lines(op->old_fw, op->fw, &del);

	for (int i = 0; i < nd; i++) {
		if (i < FW_LINES_SHOWN) {
			snprintf(buf, sizeof(buf), "  - %s", del[i]);
			emit(buf, arg);
		}
		free(del[i]);
	}
	for (int i = 0; i < na; i++) {
		if (i < FW_LINES_SHOWN) {
			snprintf(buf, sizeof(buf), "  + %s", add[i]);
			emit(buf, arg);
		}
		free(add[i]);
	}
	if (na > FW_LINES_SHOWN || nd > FW_LINES_SHOWN) {
		snprintf(buf, sizeof(buf), "  (%d lines added, %d removed; "
			 "the first %d of each shown)", na, nd, FW_LINES_SHOWN);
		emit(buf, arg);
	}
	free(add);
	free(del);
}

static void emit_file(const char *line, void *arg)
{
	fprintf(arg, "%s\n", line);
}

static void emit_json(const char *line, void *arg)
{
	json_array_append_new(arg, json_string(line));
}

void change_print(const struct change *ch, FILE *out)
{
	char buf[512];

	for (int i = 0; i < ch->n; i++) {
		fprintf(out, "%s\n", op_format(&ch->ops[i], buf, sizeof(buf)));
		if (ch->ops[i].type == OP_FW_REPLACE)
			fw_detail(&ch->ops[i], emit_file, out);
	}
}

json_t *change_json(const struct change *ch)
{
	json_t *a = json_array();
	char buf[512];

	for (int i = 0; i < ch->n; i++) {
		json_array_append_new(
			a, json_string(op_format(&ch->ops[i], buf, sizeof(buf))));
		if (ch->ops[i].type == OP_FW_REPLACE)
			fw_detail(&ch->ops[i], emit_json, a);
	}
	return a;
}
