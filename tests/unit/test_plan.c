// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of common/plan.h, the address plan.  Plan families are built
 * here: IPv4 10.0.0.0/8 with 4 city, 7 county and 6 township bits and /30
 * links, IPv6 fd45:676e::/32 with 6/7/9/8 bits, /127 links and /64 LANs, and
 * variants of both.  For a node of each level the expected block, own space,
 * uplink subnet with both ends, pool and LAN with its gateway are worked out
 * by hand in the comments and asserted exactly; then the layout rules (a
 * child's uplink inside its parent's block and outside the parent's own
 * space, no two siblings overlapping), the errors of plan_node for an index
 * that does not fit and a level without bits, and plan_check on inconsistent
 * plans, each with its return code and exact message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/code.h"
#include "common/ip.h"
#include "common/plan.h"

#include "tests/unit/rows.h"

#define ERR_LEN 256

/* ---- the plan families ---- */

struct plan_spec {
	const char *name;
	const char *root;
	unsigned bits[LEVEL_COUNT]; /* province, city, county, township,
				       village */
	unsigned link, lan;
};

/* Block lengths: province /8, city /12, county /19, township /25. */
static const struct plan_spec v4 = {
	"v4", "10.0.0.0/8", {0, 4, 7, 6, 0}, 30, 0,
};
static const struct plan_spec v4_l31 = {
	"v4 /31 links", "10.0.0.0/8", {0, 4, 7, 6, 0}, 31, 0,
};
/* No level bits: the province owns the whole root. */
static const struct plan_spec v4_flat = {
	"v4 flat", "10.0.0.0/8", {0}, 30, 0,
};
/* The root given with host bits: they are ignored. */
static const struct plan_spec v4_hostbits = {
	"v4 root with host bits", "10.1.2.3/8", {0, 4, 7, 6, 0}, 30, 0,
};
/* Block lengths: province /32, city /38, county /45, township /54,
 * village /62. */
static const struct plan_spec v6 = {
	"v6", "fd45:676e::/32", {0, 6, 7, 9, 8}, 127, 64,
};
static const struct plan_spec v6_l126 = {
	"v6 /126 links", "fd45:676e::/32", {0, 6, 7, 9, 8}, 126, 64,
};

static void build(const struct plan_spec *s, struct plan_family *pf)
{
	char err[ERR_LEN];

	memset(pf, 0, sizeof(*pf));
	pf->set = true;
	if (ip_parse_prefix(s->root, false, &pf->root, err, sizeof(err)))
		fail_msg("bad root in the test table: %s", err);
	memcpy(pf->bits, s->bits, sizeof(pf->bits));
	pf->link = s->link;
	pf->lan = s->lan;
}

/* The node must be planned. */
static struct plan_node node(const struct plan_family *pf, code_t code)
{
	struct plan_node n;
	char err[ERR_LEN];

	if (plan_node(pf, code, &n, err, sizeof(err)))
		fail_msg("%s", err);
	return n;
}

static const char *pfx(const struct ip_prefix *p, char *buf)
{
	return ip_format_prefix(p, buf, IP_STRLEN);
}

static const char *adr(const struct ip_addr *a, char *buf)
{
	return ip_format_addr(a, buf, IP_STRLEN);
}

/* ---- the addresses of one node ---- */

static const struct node_row {
	const struct plan_spec *plan;
	code_t code;
	const char *block, *own;
	const char *uplink, *up_parent, *up_child; /* NULL: no uplink */
	bool has_pool;
	unsigned child_len;
	const char *lan, *lan_gw;
} node_rows[] = {
	/*
	 * IPv4, 10.0.0.0/8; bits 8..11 city, 12..18 county, 19..24 township,
	 * 25..31 the township's own.
	 *
	 * Province 21: block = root.  Own = its child slot 0, /8+4 = /12.  No
	 * uplink.  LAN = upper half of own, /13: bit 12 set = 2nd byte
	 * 0000 1000 = 8 -> 10.8.0.0/13, gateway +1.
	 */
	{&v4, 210000000000ULL, "10.0.0.0/8", "10.0.0.0/12", NULL, NULL, NULL,
	 true, 12, "10.8.0.0/13", "10.8.0.1"},
	/*
	 * City 21 03: 3 = 0011 in bits 8..11 -> 2nd byte 0011 0000 = 48,
	 * block 10.48.0.0/12.  Own = slot 0 of its 7 county bits,
	 * /12+7 = /19.  Uplink /30 at the start of own: 10.48.0.0/30,
	 * parent +1 = .1, child +2 = .2 (a /30 skips the subnet address).
	 * LAN = upper half of own, /20: bit 19 = 3rd byte 0001 0000 = 16 ->
	 * 10.48.16.0/20, gateway 10.48.16.1.  Children are /19.
	 */
	{&v4, 210300000000ULL, "10.48.0.0/12", "10.48.0.0/19", "10.48.0.0/30",
	 "10.48.0.1", "10.48.0.2", true, 19, "10.48.16.0/20", "10.48.16.1"},
	/*
	 * County 21 03 05: 5 = 0000101 in bits 12..18 -> 2nd byte low nibble
	 * 0000 (stays 48), 3rd byte top three bits 101 = 1010 0000 = 160:
	 * block 10.48.160.0/19.  Own /19+6 = /25: 10.48.160.0/25.  Uplink
	 * 10.48.160.0/30, ends .1 and .2.  LAN /26: bit 25 = 4th byte
	 * 0100 0000 = 64 -> 10.48.160.64/26, gateway .65.  Children /25.
	 */
	{&v4, 210305000000ULL, "10.48.160.0/19", "10.48.160.0/25",
	 "10.48.160.0/30", "10.48.160.1", "10.48.160.2", true, 25,
	 "10.48.160.64/26", "10.48.160.65"},
	/*
	 * Township 21 03 05 009: 9 = 001001 in bits 19..24 -> 3rd byte bits
	 * 3..7 = 00100 = 4, 160 + 4 = 164; 4th byte bit 0 = 1 = 128: block
	 * 10.48.164.128/25.  No village bits: own = the whole block, no pool.
	 * Uplink 10.48.164.128/30, ends .129 and .130.  LAN = upper half,
	 * /26: 128 + 64 = 192 -> 10.48.164.192/26, gateway .193.
	 */
	{&v4, 210305009000ULL, "10.48.164.128/25", "10.48.164.128/25",
	 "10.48.164.128/30", "10.48.164.129", "10.48.164.130", false, 0,
	 "10.48.164.192/26", "10.48.164.193"},
	/*
	 * The largest indexes, township 21 15 99 063: city 15 = 1111 -> 2nd
	 * byte 1111 0000; county 99 = 1100011 -> 2nd byte low nibble 1100,
	 * 1111 1100 = 252, 3rd byte top three 011; township 63 = 111111 ->
	 * 3rd byte bits 3..7 = 11111, 011 11111 = 127, 4th byte bit 0 = 1 =
	 * 128: 10.252.127.128/25.  LAN 128 + 64 = 192.
	 */
	{&v4, 211599063000ULL, "10.252.127.128/25", "10.252.127.128/25",
	 "10.252.127.128/30", "10.252.127.129", "10.252.127.130", false, 0,
	 "10.252.127.192/26", "10.252.127.193"},
	/* /31 links use both addresses: parent +0, child +1 */
	{&v4_l31, 210300000000ULL, "10.48.0.0/12", "10.48.0.0/19",
	 "10.48.0.0/31", "10.48.0.0", "10.48.0.1", true, 19, "10.48.16.0/20",
	 "10.48.16.1"},
	{&v4_l31, 210305009000ULL, "10.48.164.128/25", "10.48.164.128/25",
	 "10.48.164.128/31", "10.48.164.128", "10.48.164.129", false, 0,
	 "10.48.164.192/26", "10.48.164.193"},
	/* No level bits: own = block = root, LAN = upper half /9: bit 8 =
	 * 2nd byte 1000 0000 = 128. */
	{&v4_flat, 210000000000ULL, "10.0.0.0/8", "10.0.0.0/8", NULL, NULL,
	 NULL, false, 0, "10.128.0.0/9", "10.128.0.1"},
	/* The root's host bits 1.2.3 are dropped; city 3 as above. */
	{&v4_hostbits, 210000000000ULL, "10.0.0.0/8", "10.0.0.0/12", NULL, NULL,
	 NULL, true, 12, "10.8.0.0/13", "10.8.0.1"},
	{&v4_hostbits, 210300000000ULL, "10.48.0.0/12", "10.48.0.0/19",
	 "10.48.0.0/30", "10.48.0.1", "10.48.0.2", true, 19, "10.48.16.0/20",
	 "10.48.16.1"},
	/*
	 * IPv6, fd45:676e::/32; bits 32..37 city, 38..44 county, 45..53
	 * township, 54..61 village; 16-bit group 2 holds bits 32..47, group 3
	 * bits 48..63 (position p in a group weighs 1 << (15 - p)).
	 *
	 * Province: own = slot 0 of 6 city bits, /38.  LAN /64 = the last
	 * /64 of own: bits 38..63 set -> group 2 positions 6..15 = 0x03ff,
	 * group 3 = 0xffff: fd45:676e:3ff:ffff::/64.
	 */
	{&v6, 210000000000ULL, "fd45:676e::/32", "fd45:676e::/38", NULL, NULL,
	 NULL, true, 38, "fd45:676e:3ff:ffff::/64", "fd45:676e:3ff:ffff::1"},
	/*
	 * City 21 05: 5 = 000101 at group 2 positions 0..5 -> 0001 01.. =
	 * 0x1400: block fd45:676e:1400::/38, own /38+7 = /45.  Uplink /127 at
	 * its start, both addresses used: parent ::0, child ::1.  LAN: bits
	 * 45..63 set -> group 2 positions 13..15 = 0x0007 -> 0x1407, group 3
	 * = 0xffff.
	 */
	{&v6, 210500000000ULL, "fd45:676e:1400::/38", "fd45:676e:1400::/45",
	 "fd45:676e:1400::/127", "fd45:676e:1400::", "fd45:676e:1400::1", true,
	 45, "fd45:676e:1407:ffff::/64", "fd45:676e:1407:ffff::1"},
	/*
	 * County 21 05 03: 3 = 0000011 at group 2 positions 6..12 -> 3 <<
	 * (15 - 12) = 0x0018, 0x1400 | 0x0018 = 0x1418: block
	 * fd45:676e:1418::/45, own /45+9 = /54.  LAN: bits 54..63 set ->
	 * group 3 positions 6..15 = 0x03ff.
	 */
	{&v6, 210503000000ULL, "fd45:676e:1418::/45", "fd45:676e:1418::/54",
	 "fd45:676e:1418::/127", "fd45:676e:1418::", "fd45:676e:1418::1", true,
	 54, "fd45:676e:1418:3ff::/64", "fd45:676e:1418:3ff::1"},
	/*
	 * Township 21 05 03 012: 12 = 000001100 at bits 45..53 -> group 2
	 * positions 13..15 = 000, group 3 positions 0..5 = 001100 -> 0011
	 * 0000 0000 0000 = 0x3000: block fd45:676e:1418:3000::/54, own
	 * /54+8 = /62.  LAN: bits 62..63 set -> 0x3003.
	 */
	{&v6, 210503012000ULL, "fd45:676e:1418:3000::/54",
	 "fd45:676e:1418:3000::/62", "fd45:676e:1418:3000::/127",
	 "fd45:676e:1418:3000::", "fd45:676e:1418:3000::1", true, 62,
	 "fd45:676e:1418:3003::/64", "fd45:676e:1418:3003::1"},
	/*
	 * Village 21 05 03 012 007: 7 = 00000111 at group 3 positions 6..13
	 * -> 7 << (15 - 13) = 0x001c, 0x3000 | 0x001c = 0x301c: block
	 * fd45:676e:1418:301c::/62 = own, no pool.  LAN: bits 62..63 set ->
	 * 0x301f.
	 */
	{&v6, 210503012007ULL, "fd45:676e:1418:301c::/62",
	 "fd45:676e:1418:301c::/62", "fd45:676e:1418:301c::/127",
	 "fd45:676e:1418:301c::", "fd45:676e:1418:301c::1", false, 0,
	 "fd45:676e:1418:301f::/64", "fd45:676e:1418:301f::1"},
	/*
	 * The largest indexes, village 21 63 99 511 255: group 2 = city 63
	 * << 10 = 0xfc00 | county 99 << 3 = 0x318 | township 511 >> 6 = 0x7
	 * = 0xff1f; group 3 = (511 & 63) << 10 = 0xfc00 | 255 << 2 = 0x3fc =
	 * 0xfffc; LAN 0xfffc | 3 = 0xffff.
	 */
	{&v6, 216399511255ULL, "fd45:676e:ff1f:fffc::/62",
	 "fd45:676e:ff1f:fffc::/62", "fd45:676e:ff1f:fffc::/127",
	 "fd45:676e:ff1f:fffc::", "fd45:676e:ff1f:fffc::1", false, 0,
	 "fd45:676e:ff1f:ffff::/64", "fd45:676e:ff1f:ffff::1"},
	/* a /126 link has four addresses: skip the subnet address */
	{&v6_l126, 210503012007ULL, "fd45:676e:1418:301c::/62",
	 "fd45:676e:1418:301c::/62", "fd45:676e:1418:301c::/126",
	 "fd45:676e:1418:301c::1", "fd45:676e:1418:301c::2", false, 0,
	 "fd45:676e:1418:301f::/64", "fd45:676e:1418:301f::1"},
};

static void test_node(void **state)
{
	const struct node_row *t = *state;
	struct plan_family pf;
	struct plan_node n;
	char err[ERR_LEN], b[IP_STRLEN];

	build(t->plan, &pf);
	memset(&n, 0xa5, sizeof(n));
	poison(err, sizeof(err));
	assert_int_equal(plan_node(&pf, t->code, &n, err, sizeof(err)), 0);
	assert_string_equal(pfx(&n.block, b), t->block);
	assert_string_equal(pfx(&n.own, b), t->own);
	if (t->uplink) {
		assert_true(n.has_uplink);
		assert_string_equal(pfx(&n.uplink, b), t->uplink);
		assert_string_equal(adr(&n.up_parent, b), t->up_parent);
		assert_string_equal(adr(&n.up_child, b), t->up_child);
	} else {
		/* the province: nothing set */
		assert_false(n.has_uplink);
		assert_string_equal(pfx(&n.uplink, b), "-/0");
		assert_string_equal(adr(&n.up_parent, b), "-");
		assert_string_equal(adr(&n.up_child, b), "-");
	}
	assert_int_equal(n.has_pool, t->has_pool);
	assert_int_equal(n.child_len, t->child_len);
	assert_string_equal(pfx(&n.lan, b), t->lan);
	assert_string_equal(adr(&n.lan_gw, b), t->lan_gw);
}

/*
 * The rules of the layout, for every node of the table: the uplink with its
 * two distinct ends and the LAN with its gateway sit inside the own space
 * without touching each other; the own space is inside the block; a child's
 * block has the parent's child_len, and the child's block and uplink lie in
 * the parent's pool: inside its block, outside its own space.
 */
static void test_layout(void **state)
{
	const struct node_row *t = *state;
	struct plan_family pf;
	struct plan_node n, p;
	struct ip_prefix gw, a, c;

	build(t->plan, &pf);
	n = node(&pf, t->code);
	assert_true(ip_prefix_contains(&n.block, &n.own));
	assert_true(ip_prefix_contains(&n.own, &n.lan));
	gw = (struct ip_prefix){n.lan_gw, ip_bits(n.lan_gw.family)};
	assert_true(ip_prefix_contains(&n.lan, &gw));
	assert_int_not_equal(ip_cmp(&n.lan_gw, &n.lan.addr), 0);
	if (!n.has_uplink) {
		assert_int_equal(code_level(t->code), LEVEL_PROVINCE);
		return;
	}
	assert_true(ip_prefix_contains(&n.own, &n.uplink));
	assert_false(ip_prefix_overlap(&n.uplink, &n.lan));
	a = (struct ip_prefix){n.up_parent, ip_bits(n.up_parent.family)};
	c = (struct ip_prefix){n.up_child, ip_bits(n.up_child.family)};
	assert_true(ip_prefix_contains(&n.uplink, &a));
	assert_true(ip_prefix_contains(&n.uplink, &c));
	assert_int_not_equal(ip_cmp(&n.up_parent, &n.up_child), 0);

	p = node(&pf, code_parent(t->code));
	assert_true(p.has_pool);
	assert_int_equal(n.block.len, p.child_len);
	assert_true(ip_prefix_contains(&p.block, &n.block));
	assert_true(ip_prefix_contains(&p.block, &n.uplink));
	assert_false(ip_prefix_overlap(&p.own, &n.block));
	assert_false(ip_prefix_overlap(&p.own, &n.uplink));
	assert_false(ip_prefix_overlap(&p.lan, &n.uplink));
	assert_false(ip_prefix_overlap(&p.lan, &n.lan));
}

/* ---- no two siblings overlap ---- */

static const struct sib_row {
	const struct plan_spec *plan;
	code_t parent;
	code_t step; /* the weight of the children's group */
	unsigned count;
} sib_rows[] = {
	{&v4, 210000000000ULL, 100000000ULL, 15}, /* cities 1..15 */
	{&v4, 210300000000ULL, 1000000ULL, 99},	  /* counties 1..99 */
	{&v4, 210305000000ULL, 1000ULL, 63},	  /* townships 1..63 */
	{&v4_l31, 210000000000ULL, 100000000ULL, 15},
	{&v6, 210000000000ULL, 100000000ULL, 63}, /* cities 1..63 */
	{&v6, 210503012000ULL, 1ULL, 255},	  /* villages 1..255 */
};

#define MAX_SIBS 255

static void test_siblings(void **state)
{
	const struct sib_row *t = *state;
	struct plan_family pf;
	struct plan_node p, *k;

	assert_true(t->count <= MAX_SIBS);
	k = test_calloc(t->count, sizeof(*k));
	build(t->plan, &pf);
	p = node(&pf, t->parent);
	for (unsigned i = 0; i < t->count; i++) {
		code_t c = t->parent + (i + 1) * t->step;

		assert_int_equal(code_parent(c), t->parent);
		k[i] = node(&pf, c);
		assert_true(ip_prefix_contains(&p.block, &k[i].block));
		assert_false(ip_prefix_overlap(&p.own, &k[i].block));
		for (unsigned j = 0; j < i; j++) {
			assert_false(
				ip_prefix_overlap(&k[i].block, &k[j].block));
			assert_false(
				ip_prefix_overlap(&k[i].uplink, &k[j].uplink));
			assert_false(ip_prefix_overlap(&k[i].lan, &k[j].lan));
			assert_false(
				ip_prefix_overlap(&k[i].uplink, &k[j].lan));
			assert_false(
				ip_prefix_overlap(&k[i].lan, &k[j].uplink));
		}
	}
	test_free(k);
}

/* ---- plan_node errors ---- */

static const struct node_err {
	const struct plan_spec *plan;
	code_t code;
	int rc;
	const char *msg;
} node_err_rows[] = {
	/* city 16 needs 5 bits, the plan has 4 */
	{&v4, 211600000000ULL, -ERANGE,
	 "node 211600000000: city index 16 does not fit the 4 bits of level "
	 "city (at most 15)"},
	/* below it too: the node is named, the level is the city's */
	{&v4, 211601001000ULL, -ERANGE,
	 "node 211601001000: city index 16 does not fit the 4 bits of level "
	 "city (at most 15)"},
	{&v4, 210101064000ULL, -ERANGE,
	 "node 210101064000: township index 64 does not fit the 6 bits of "
	 "level township (at most 63)"},
	{&v6, 216400000000ULL, -ERANGE,
	 "node 216400000000: city index 64 does not fit the 6 bits of level "
	 "city (at most 63)"},
	{&v6, 210101512000ULL, -ERANGE,
	 "node 210101512000: township index 512 does not fit the 9 bits of "
	 "level township (at most 511)"},
	{&v6, 210101001256ULL, -ERANGE,
	 "node 210101001256: village index 256 does not fit the 8 bits of "
	 "level village (at most 255)"},
	/* a level without bits */
	{&v4, 210101001001ULL, -EINVAL,
	 "node 210101001001: level village has no bits in the plan"},
	/* the level is checked before the indexes */
	{&v4, 211601001001ULL, -EINVAL,
	 "node 211601001001: level village has no bits in the plan"},
	{&v4_flat, 210100000000ULL, -EINVAL,
	 "node 210100000000: level city has no bits in the plan"},
};

static void test_node_err(void **state)
{
	const struct node_err *t = *state;
	struct plan_family pf;
	struct plan_node n;
	char err[ERR_LEN];

	build(t->plan, &pf);
	poison(err, sizeof(err));
	assert_int_equal(plan_node(&pf, t->code, &n, err, sizeof(err)), t->rc);
	assert_string_equal(err, t->msg);
}

/* ---- plan_check ---- */

/* A plan spec written in place, in a table row. */
#define SPEC(...) (&(const struct plan_spec){__VA_ARGS__})

static const struct check_row {
	const struct plan_spec *spec;
	int rc;
	const char *msg; /* NULL when accepted */
} check_rows[] = {
	{&v4, 0, NULL},
	{&v4_l31, 0, NULL},
	{&v4_flat, 0, NULL},
	{&v4_hostbits, 0, NULL},
	{&v6, 0, NULL},
	{&v6_l126, 0, NULL},
	/* 8 + 8 + 8 + 2 = 26 level bits, 32 - 8 = 24 host bits */
	{SPEC("v4 overflow", "10.0.0.0/8", {0, 8, 8, 8, 2}, 30, 0), -EINVAL,
	 "bits of the levels (26) overflow the 24 host bits of the root "
	 "prefix /8"},
	/* 6 + 4 = 10 level bits, 128 - 120 = 8 host bits */
	{SPEC("v6 overflow", "fd45::/120", {0, 6, 4, 0, 0}, 127, 0), -EINVAL,
	 "bits of the levels (10) overflow the 8 host bits of the root prefix "
	 "/120"},
	/* bits below a level with none */
	{SPEC("v4 gap", "10.0.0.0/8", {0, 4, 0, 6, 0}, 30, 0), -EINVAL,
	 "level township has bits but level county above it has none"},
	{SPEC("v4 village only", "10.0.0.0/8", {0, 0, 0, 0, 3}, 30, 0), -EINVAL,
	 "level village has bits but level city above it has none"},
	{SPEC("v6 gap", "fd45:676e::/32", {0, 6, 7, 0, 8}, 127, 64), -EINVAL,
	 "level village has bits but level township above it has none"},
	/* 32 + 6 + 7 + 9 + 12 = /66 township own space: no /64 LAN in it */
	{SPEC("v6 own /66", "fd45:676e::/32", {0, 6, 7, 9, 12}, 127, 64),
	 -EINVAL,
	 "the township level's own space is a /66: no room for a /64 LAN "
	 "(want a LAN of /67..127)"},
	/* 32 + 16 + 16 = /64 city own space: the /64 LAN is all of it */
	{SPEC("v6 own /64", "fd45:676e::/32", {0, 16, 16, 16, 16}, 127, 64),
	 -EINVAL,
	 "the city level's own space is a /64: no room for a /64 LAN (want a "
	 "LAN of /65..127)"},
	/* a LAN without room for a host */
	{SPEC("v4 /31 LAN", "10.0.0.0/8", {0, 4, 7, 6, 0}, 30, 31), -EINVAL,
	 "the province level's own space is a /12: no room for a /31 LAN "
	 "(want a LAN of /13..30)"},
	{SPEC("v6 /128 LAN", "fd45:676e::/32", {0, 6, 7, 9, 8}, 127, 128),
	 -EINVAL,
	 "the province level's own space is a /38: no room for a /128 LAN "
	 "(want a LAN of /39..127)"},
	/* 8 + 4 + 7 + 12 = /31 county own space: half of it is a /32 */
	{SPEC("v4 own /31", "10.0.0.0/8", {0, 4, 7, 12, 0}, 30, 0), -EINVAL,
	 "the county level's own space is a /31: too small for a LAN (at "
	 "most /29)"},
	/* 8 + 8 + 8 = 24 level bits fill the 24 host bits exactly: that is
	 * no overflow, but the county's own space is then a single /32 */
	{SPEC("v4 exactly full", "10.0.0.0/8", {0, 8, 8, 8, 0}, 30, 0), -EINVAL,
	 "the county level's own space is a /32: too small for a LAN (at "
	 "most /29)"},
	/* without level bits the province's own space is the root */
	{SPEC("v4 flat /24 LAN", "10.0.0.0/24", {0}, 30, 24), -EINVAL,
	 "the province level's own space is a /24: no room for a /24 LAN "
	 "(want a LAN of /25..30)"},
	/* an uplink as large as the own space leaves no room for the LAN */
	{SPEC("v4 /25 links", "10.0.0.0/8", {0, 4, 7, 6, 0}, 25, 0), -EINVAL,
	 "the county level's own space is a /25: no room for a /25 uplink "
	 "beside its LAN"},
	/* the province has no uplink, the city's /19 is the first checked */
	{SPEC("v4 /12 links", "10.0.0.0/8", {0, 4, 7, 6, 0}, 12, 0), -EINVAL,
	 "the city level's own space is a /19: no room for a /12 uplink "
	 "beside its LAN"},
	/* the smallest that fits: /29 own, /30 LAN at its end, /30 uplink at
	 * its start */
	{SPEC("v4 own /29", "10.0.0.0/8", {0, 4, 7, 10, 0}, 30, 0), 0, NULL},
};

static void test_check(void **state)
{
	const struct check_row *t = *state;
	struct plan_family pf;
	char err[ERR_LEN];

	build(t->spec, &pf);
	poison(err, sizeof(err));
	assert_int_equal(plan_check(&pf, err, sizeof(err)), t->rc);
	if (t->msg)
		assert_string_equal(err, t->msg);
}

/* ---- plan_depth and plan_block_len ---- */

static const struct depth_row {
	const struct plan_spec *plan;
	enum code_level depth;
	unsigned len[LEVEL_COUNT];
} depth_rows[] = {
	{&v4, LEVEL_TOWNSHIP, {8, 12, 19, 25, 25}},
	{&v6, LEVEL_VILLAGE, {32, 38, 45, 54, 62}},
	{&v4_flat, LEVEL_PROVINCE, {8, 8, 8, 8, 8}},
};

static void test_depth(void **state)
{
	const struct depth_row *t = *state;
	struct plan_family pf;

	build(t->plan, &pf);
	assert_int_equal(plan_depth(&pf), t->depth);
	for (int l = 0; l < LEVEL_COUNT; l++)
		assert_int_equal(plan_block_len(&pf, l), t->len[l]);
}

/* The depth stops at the first level without bits. */
static void test_depth_gap(void **state)
{
	struct plan_family pf;
	static const struct plan_spec gap = {
		"gap", "10.0.0.0/8", {0, 4, 0, 6, 0}, 30, 0,
	};

	(void)state;
	build(&gap, &pf);
	assert_int_equal(plan_depth(&pf), LEVEL_CITY);
}

int main(void)
{
	char cb[CODE_STRLEN];

	for (size_t i = 0; i < ROWS(node_rows); i++)
		add_test(test_node, &node_rows[i], "node %s %s",
			 node_rows[i].plan->name,
			 code_format(node_rows[i].code, cb));
	for (size_t i = 0; i < ROWS(node_rows); i++)
		add_test(test_layout, &node_rows[i], "layout %s %s",
			 node_rows[i].plan->name,
			 code_format(node_rows[i].code, cb));
	for (size_t i = 0; i < ROWS(sib_rows); i++)
		add_test(test_siblings, &sib_rows[i],
			 "siblings %s under %s, 1..%u", sib_rows[i].plan->name,
			 code_format(sib_rows[i].parent, cb),
			 sib_rows[i].count);
	for (size_t i = 0; i < ROWS(node_err_rows); i++)
		add_test(test_node_err, &node_err_rows[i], "node error %s %s",
			 node_err_rows[i].plan->name,
			 code_format(node_err_rows[i].code, cb));
	for (size_t i = 0; i < ROWS(check_rows); i++)
		add_test(test_check, &check_rows[i], "check %s",
			 check_rows[i].spec->name);
	for (size_t i = 0; i < ROWS(depth_rows); i++)
		add_test(test_depth, &depth_rows[i], "depth %s",
			 depth_rows[i].plan->name);
	add_test(test_depth_gap, NULL, "depth stops at a gap");

	return _cmocka_run_group_tests("plan", tests, ntests, NULL, NULL);
}
