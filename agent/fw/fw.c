// SPDX-License-Identifier: BSD-2-Clause
/*
 * Compiling the firewall policy into nftables objects, and the firewall
 * state (messages + canonical text) that the apply engine compares, stores
 * and replays.  Rules are built from small helpers (meta, cmp, payload,
 * lookup, counter, verdict) in the manner of nft's own linearisation; every
 * rule has a counter and a comment naming its zone pair and action, which
 * is how counters are read back per zone pair.
 */
#include "agent/fw/fw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/fw/fwobj.h"
#include "common/desired.h"
#include "common/fwpolicy.h"
#include "common/log.h"

/* ---- expression helpers -------------------------------------------------- */

static void add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	nftnl_rule_add_expr(r, e);
}

static void meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	add_expr(r, e);
}

static void cmp(struct nftnl_rule *r, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add_expr(r, e);
}

static void payload(struct nftnl_rule *r, uint32_t base, uint32_t off,
		    uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	add_expr(r, e);
}

static void lookup(struct nftnl_rule *r, const char *set)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	/* the kernel reports the flags: set them so both texts agree */
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, 0);
	add_expr(r, e);
}

static void range(struct nftnl_rule *r, uint8_t from, uint8_t to)
{
	struct nftnl_expr *e = nftnl_expr_alloc("range");

	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, &from, 1);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, &to, 1);
	add_expr(r, e);
}

static void counter(struct nftnl_rule *r)
{
	add_expr(r, nftnl_expr_alloc("counter"));
}

static void verdict(struct nftnl_rule *r, uint32_t v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, v);
	add_expr(r, e);
}

/* A rate-limited log of what the next rule drops. */
static void limit_log(struct nftnl_rule *r, const char *rate,
		      const char *prefix)
{
	struct nftnl_expr *e = nftnl_expr_alloc("limit");
	unsigned n = 10;
	char unit[16] = "minute";

	sscanf(rate, "%u/%15s", &n, unit);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, n);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT,
			   !strcmp(unit, "second") ? 1
			   : !strcmp(unit, "hour") ? 3600
						   : 60);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, 5);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
	add_expr(r, e);
	e = nftnl_expr_alloc("log");
	nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_LEVEL, 4); /* warning */
	add_expr(r, e);
}

/* ---- matches ------------------------------------------------------------ */

static void match_if(struct nftnl_rule *r, uint32_t key, const char *zone)
{
	char set[64];

	snprintf(set, sizeof(set), "z_%s", zone);
	meta(r, key);
	lookup(r, set);
}

static void match_l4(struct nftnl_rule *r, uint8_t proto)
{
	meta(r, NFT_META_L4PROTO);
	cmp(r, &proto, 1);
}

static void match_service(struct nftnl_rule *r, const struct prof_service *s,
			  uint8_t icmp_proto)
{
	uint16_t port;

	switch (s->proto) {
	case PROTO_TCP:
	case PROTO_UDP:
		match_l4(r, s->proto == PROTO_TCP ? IPPROTO_TCP : IPPROTO_UDP);
		payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
		if (s->port_hi > s->port_lo) {
			struct nftnl_expr *e = nftnl_expr_alloc("range");
			uint16_t lo = htons((uint16_t)s->port_lo),
				 hi = htons((uint16_t)s->port_hi);

			nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_EQ);
			nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, &lo, 2);
			nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, &hi, 2);
			add_expr(r, e);
		} else {
			port = htons((uint16_t)s->port_lo);
			cmp(r, &port, 2);
		}
		break;
	case PROTO_ICMP:
		match_l4(r, icmp_proto);
		break;
	default:
		break;
	}
}

/* The peers of a set in one family: its single addresses (h_SET_F, a
 * hash set) or its wider intervals (p_SET_F, an interval set). */
static void match_peers(struct nftnl_rule *r, const char *set, int fam,
			bool hosts)
{
	char name[64];
	uint8_t nfproto = fam == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;

	snprintf(name, sizeof(name), "%c_%s_%d", hosts ? 'h' : 'p', set,
		 fam == AF_INET6 ? 6 : 4);
	meta(r, NFT_META_NFPROTO);
	cmp(r, &nfproto, 1);
	if (fam == AF_INET6)
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, 8, 16);
	else
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	lookup(r, name);
}

/* ---- building ------------------------------------------------------------ */

static struct nftnl_rule *new_rule(struct fwobjs *o, const char *chain,
				   const char *comment)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, FW_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment);
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
			    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	fwobjs_add_rule(o, r);
	return r;
}

static void add_chain(struct fwobjs *o, const char *name, uint32_t hook)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, FW_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	/* our rules police our zones only; other interfaces pass */
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	fwobjs_add_chain(o, c);
}

static struct nftnl_set *add_set(struct fwobjs *o, const char *name,
				 uint32_t type, uint32_t len, uint32_t flags)
{
	struct nftnl_set *s = nftnl_set_alloc();

	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, FW_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, len);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	{
		/* how nft should print the keys: interface names in host
		 * order, addresses in network order (nft's own byteorder
		 * numbers: 1 host, 2 big endian) */
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(64);

		nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
				    type == FW_TYPE_IFNAME ? 1 : 2);
		nftnl_set_set_data(s, NFTNL_SET_USERDATA,
				   nftnl_udata_buf_data(ud),
				   nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	fwobjs_add_set(o, s);
	return s;
}

static void add_elem(struct nftnl_set *s, const void *key, uint32_t len,
		     bool end)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();

	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
	if (end)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS,
				       NFT_SET_ELEM_INTERVAL_END);
	nftnl_set_elem_add(s, e);
}

static int pfx_cmp(const void *a, const void *b)
{
	const struct ip_prefix *x = a, *y = b;
	int c = ip_cmp(&x->addr, &y->addr);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The end of a prefix: its first address plus 2^(bits-len), carried
 * across bytes; true when that is past the last address. */
static bool pfx_end(const struct ip_prefix *p, int fam, struct ip_addr *end)
{
	unsigned bytes = ip_bits(fam) / 8;
	struct ip_addr one = {.family = fam};
	int c = 0;

	*end = p->addr;
	ip_mask(end, p->len);
	if (p->len == 0)
		return true;
	ip_set_bits(&one, p->len - 1, 1, 1);
	for (int b = (int)bytes - 1; b >= 0; b--) {
		int sum = end->a[b] + one.a[b] + c;

		end->a[b] = (uint8_t)sum;
		c = sum >> 8;
	}
	return c != 0;
}

/*
 * The peers of one family's prefixes, merged: prefixes inside others
 * dropped, touching ones merged (the kernel refuses overlaps in an
 * interval set).  What is left of a single address goes into the hash set
 * h_SET_F, every wider interval into the interval set p_SET_F as [start,
 * end) with the end flagged.  Both sets exist, empty or not, so moving a
 * peer from one to the other changes elements only.  The split is for the
 * kernel: a hash set commits an element in constant time, while an
 * interval set's commit walks the whole set.
 */
static void peer_set(struct fwobjs *o, const struct prof_set *ps, int fam)
{
	unsigned bits = ip_bits(fam), bytes = bits / 8;
	struct ip_prefix *v = xcalloc((size_t)ps->n + 1, sizeof(*v));
	struct nftnl_set *s, *h;
	char name[64];
	int n = 0;

	for (int i = 0; i < ps->n; i++)
		if (ps->prefixes[i].addr.family == fam)
			v[n++] = ps->prefixes[i];
	snprintf(name, sizeof(name), "p_%s_%d", ps->name, fam == AF_INET6 ? 6 : 4);
	s = add_set(o, name, fam == AF_INET6 ? FW_TYPE_IP6ADDR : FW_TYPE_IPADDR,
		    bytes, NFT_SET_INTERVAL);
	snprintf(name, sizeof(name), "h_%s_%d", ps->name, fam == AF_INET6 ? 6 : 4);
	h = add_set(o, name, fam == AF_INET6 ? FW_TYPE_IP6ADDR : FW_TYPE_IPADDR,
		    bytes, 0);
	if (n > 1)
		qsort(v, (size_t)n, sizeof(*v), pfx_cmp);
	for (int i = 0; i < n;) {
		struct ip_addr start = v[i].addr, end, e2, host;
		struct ip_prefix one;
		bool top = pfx_end(&v[i], fam, &end);
		int j = i + 1;

		ip_mask(&start, v[i].len);
		/* swallow the prefixes that start before this end */
		while (j < n && (top || ip_cmp(&v[j].addr, &end) <= 0)) {
			if (pfx_end(&v[j], fam, &e2))
				top = true;
			else if (!top && ip_cmp(&e2, &end) > 0)
				end = e2;
			j++;
		}
		one.addr = start;
		one.len = bits;
		if (!top && !pfx_end(&one, fam, &host) &&
		    !ip_cmp(&host, &end)) {
			add_elem(h, start.a, bytes, false);
		} else {
			add_elem(s, start.a, bytes, false);
			if (!top)
				add_elem(s, end.a, bytes, true);
		}
		i = j;
	}
	free(v);
}

static void established(struct fwobjs *o, const char *chain)
{
	static const uint32_t states[] = {2, 4}; /* established, related */

	for (int i = 0; i < 2; i++) {
		struct nftnl_rule *r = new_rule(o, chain,
						i ? "egnet related" :
						    "egnet established");
		struct nftnl_expr *e = nftnl_expr_alloc("ct");

		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
		add_expr(r, e);
		cmp(r, &states[i], 4);
		counter(r);
		verdict(r, NF_ACCEPT);
	}
}

/*
 * The rules of one profile rule: one nftables rule per service (both ICMP
 * protocols for "icmp") and per family when it names peers.
 */
static void policy_rule(struct fwobjs *o, const struct profile *p,
			const struct prof_rule *pr)
{
	bool local = !strcmp(pr->to, ZONE_LOCAL);
	const char *chain = local ? "input" : "forward";
	int nsvc = pr->n_services ? pr->n_services : 1;
	char comment[128];

	snprintf(comment, sizeof(comment), "egnet %s>%s %s", pr->from, pr->to,
		 pr->accept ? "accept" : "drop");
	for (int s = 0; s < nsvc; s++) {
		const struct prof_service *svc =
			pr->n_services ? profile_service(p, pr->services[s])
				       : NULL;
		int nicmp = svc && svc->proto == PROTO_ICMP ? 2 : 1;

		for (int ic = 0; ic < nicmp; ic++)
			/* with peers: per family, a rule for the single
			 * addresses and one for the wider intervals */
			for (int f = 0; f < (pr->peers[0] ? 4 : 1); f++) {
				struct nftnl_rule *r =
					new_rule(o, chain, comment);

				match_if(r, NFT_META_IIFNAME, pr->from);
				if (!local)
					match_if(r, NFT_META_OIFNAME, pr->to);
				if (pr->peers[0])
					match_peers(r, pr->peers,
						    f / 2 ? AF_INET6 : AF_INET,
						    f % 2 == 0);
				if (svc)
					match_service(r, svc,
						      ic ? IPPROTO_ICMPV6
							 : IPPROTO_ICMP);
				counter(r);
				verdict(r, pr->accept ? NF_ACCEPT : NF_DROP);
			}
	}
}

/* The default: drop, with a rate-limited log naming the pair. */
static void default_drop(struct fwobjs *o, const struct profile *p,
			 const char *from, const char *to)
{
	bool local = !strcmp(to, ZONE_LOCAL), other = !strcmp(to, "other");
	const char *chain = local ? "input" : "forward";
	char prefix[96], comment[128];
	struct nftnl_rule *r;

	snprintf(prefix, sizeof(prefix), "egnet drop %s>%s ", from, to);
	snprintf(comment, sizeof(comment), "egnet %s>%s log", from, to);
	r = new_rule(o, chain, comment);
	match_if(r, NFT_META_IIFNAME, from);
	if (!local && !other)
		match_if(r, NFT_META_OIFNAME, to);
	counter(r);
	limit_log(r, p->log_rate, prefix);

	snprintf(comment, sizeof(comment), "egnet %s>%s drop", from, to);
	r = new_rule(o, chain, comment);
	match_if(r, NFT_META_IIFNAME, from);
	if (!local && !other)
		match_if(r, NFT_META_OIFNAME, to);
	counter(r);
	verdict(r, NF_DROP);
}

/*
 * The underlay of our own VXLAN overlays: from each remote end, on the
 * underlay link, to the overlay's port.  Without it the default drop of
 * the underlay's zone would cut the dedicated zone off.
 */
static void overlays(struct fwobjs *o, const struct desired *ds)
{
	for (int i = 0; i < ds->n_links; i++) {
		const struct ds_link *l = &ds->links[i];
		uint16_t port = htons((uint16_t)l->port);
		char comment[64];

		if (l->kind != KIND_VXLAN || !l->underlay[0])
			continue;
		snprintf(comment, sizeof(comment), "egnet overlay %s", l->name);
		for (int r = 0; r < l->n_remotes; r++) {
			const struct ip_addr *a = &l->remotes[r];
			bool v6 = a->family == AF_INET6;
			uint8_t nfproto = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
			struct nftnl_rule *rule = new_rule(o, "input", comment);
			char key[IFNAMSIZ] = {0};

			memcpy(key, l->underlay, strnlen(l->underlay,
							 IFNAMSIZ - 1));
			meta(rule, NFT_META_IIFNAME);
			cmp(rule, key, IFNAMSIZ);
			meta(rule, NFT_META_NFPROTO);
			cmp(rule, &nfproto, 1);
			payload(rule, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12,
				v6 ? 16 : 4);
			cmp(rule, a->a, v6 ? 16 : 4);
			match_l4(rule, IPPROTO_UDP);
			payload(rule, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
			cmp(rule, &port, 2);
			counter(rule);
			verdict(rule, NF_ACCEPT);
		}
	}
}

int fw_compile(const struct desired *ds, struct fwstate *out, char *err,
	       size_t errlen)
{
	const struct profile *p = ds->p;
	struct fwobjs o;
	int rc;

	fwobjs_init(&o);
	add_chain(&o, "input", NF_INET_LOCAL_IN);
	add_chain(&o, "forward", NF_INET_FORWARD);
	for (int z = 0; z < p->n_zones; z++) {
		char name[64];
		struct nftnl_set *s;

		snprintf(name, sizeof(name), "z_%s", p->zones[z].name);
		s = add_set(&o, name, FW_TYPE_IFNAME, IFNAMSIZ, 0);
		for (int i = 0; i < ds->n_links; i++) {
			char key[IFNAMSIZ] = {0};

			if (strcmp(ds->links[i].zone, p->zones[z].name))
				continue;
			memcpy(key, ds->links[i].name,
			       strnlen(ds->links[i].name, IFNAMSIZ - 1));
			add_elem(s, key, IFNAMSIZ, false);
		}
	}
	for (int i = 0; i < p->n_sets; i++) {
		peer_set(&o, &p->sets[i], AF_INET);
		peer_set(&o, &p->sets[i], AF_INET6);
	}

	established(&o, "input");
	/* IPv6 neighbour discovery to the gateway itself: never dropped */
	{
		struct nftnl_rule *r = new_rule(&o, "input", "egnet nd");

		match_l4(r, IPPROTO_ICMPV6);
		payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
		range(r, 133, 137);
		counter(r);
		verdict(r, NF_ACCEPT);
	}
	overlays(&o, ds);
	for (int i = 0; i < p->n_rules; i++)
		if (!strcmp(p->rules[i].to, ZONE_LOCAL))
			policy_rule(&o, p, &p->rules[i]);
	for (int z = 0; z < p->n_zones; z++)
		default_drop(&o, p, p->zones[z].name, ZONE_LOCAL);

	established(&o, "forward");
	for (int i = 0; i < p->n_rules; i++)
		if (strcmp(p->rules[i].to, ZONE_LOCAL))
			policy_rule(&o, p, &p->rules[i]);
	for (int a = 0; a < p->n_zones; a++) {
		for (int b = 0; b < p->n_zones; b++)
			default_drop(&o, p, p->zones[a].name, p->zones[b].name);
		default_drop(&o, p, p->zones[a].name, "other");
	}
	rc = fwobjs_to_state(&o, out, err, errlen);
	fwobjs_free(&o);
	return rc;
}

/* ---- states ----------------------------------------------------------------- */

struct fwstate *fw_dup(const struct fwstate *fw)
{
	struct fwstate *d = xcalloc(1, sizeof(*d));

	*d = *fw;
	d->canon = xstrdup(fw->canon ? fw->canon : "");
	d->msgs = NULL;
	if (fw->len) {
		d->msgs = xmalloc(fw->len);
		memcpy(d->msgs, fw->msgs, fw->len);
	}
	return d;
}

void fw_release(struct fwstate *fw)
{
	free(fw->canon);
	free(fw->msgs);
	fw->canon = NULL;
	fw->msgs = NULL;
}

void fw_free(struct fwstate *fw)
{
	if (!fw)
		return;
	fw_release(fw);
	free(fw);
}

bool fw_same(const struct fwstate *a, const struct fwstate *b)
{
	if (!a || !b)
		return a == b;
	if (a->present != b->present)
		return false;
	return !a->present || !strcmp(a->canon ? a->canon : "",
				      b->canon ? b->canon : "");
}

/* One line of a canonical text, for fw_diff_lines. */
struct line {
	const char *p;
	size_t len;
};

static int line_cmp(const void *x, const void *y)
{
	const struct line *a = x, *b = y;
	int c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* The lines of s (without their newlines) in *v; their count. */
static size_t split_lines(const char *s, struct line **v)
{
	size_t n = 0, cap = 0;

	*v = NULL;
	while (*s) {
		const char *eol = strchr(s, '\n');
		size_t len = eol ? (size_t)(eol - s) : strlen(s);

		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			*v = xrealloc(*v, cap * sizeof(**v));
		}
		(*v)[n++] = (struct line){s, len};
		s += len + (eol ? 1 : 0);
	}
	return n;
}

int fw_diff_lines(const struct fwstate *a, const struct fwstate *b,
		  char ***lines)
{
	const char *s = a && a->present && a->canon ? a->canon : "";
	const char *t = b && b->present && b->canon ? b->canon : "";
	struct line *la, *lb;
	size_t na = split_lines(s, &la), nb = split_lines(t, &lb);
	int n = 0;

	/* a set of 100,000 addresses is 100,000 lines: b's sorted and
	 * searched, a's kept in their order */
	if (nb)
		qsort(lb, nb, sizeof(*lb), line_cmp);
	*lines = NULL;
	for (size_t i = 0; i < na; i++) {
		if (nb && bsearch(&la[i], lb, nb, sizeof(*lb), line_cmp))
			continue;
		if (!(n & (n - 1)))
			*lines = xrealloc(*lines, (size_t)(n ? 2 * n : 1) *
							  sizeof(char *));
		(*lines)[n] = xmalloc(la[i].len + 1);
		memcpy((*lines)[n], la[i].p, la[i].len);
		(*lines)[n][la[i].len] = '\0';
		n++;
	}
	free(la);
	free(lb);
	return n;
}
