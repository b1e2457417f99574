// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of common/ip.h, IPv4 and IPv6 addresses as bit strings: parsing
 * of addresses and of prefixes (strict subnets whose host bits must be zero
 * and interface addresses that keep them, a missing length, bad lengths) with
 * the exact reason of each rejection, formatting, setting bit fields across
 * byte boundaries and at the end of the address, addition with carry and wrap,
 * masking, containment and overlap of prefixes, and ordering.  Every table row
 * is registered as its own cmocka test case, named after its input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "common/ip.h"

#include "tests/unit/rows.h"

#define ERR_LEN 256

/* An address that must parse. */
static struct ip_addr addr(const char *s)
{
	struct ip_addr a;
	char err[ERR_LEN];

	if (ip_parse_addr(s, &a, err, sizeof(err)) != 0)
		fail_msg("bad address in the test table: %s", err);
	return a;
}

/* A prefix that must parse, host bits kept. */
static struct ip_prefix prefix(const char *s)
{
	struct ip_prefix p;
	char err[ERR_LEN];

	if (ip_parse_prefix(s, false, &p, err, sizeof(err)) != 0)
		fail_msg("bad prefix in the test table: %s", err);
	return p;
}

/* The bytes past the family's width are never touched. */
static void assert_tail_zero(const struct ip_addr *a)
{
	static const uint8_t zero[16];
	unsigned n = ip_bits(a->family) / 8;

	assert_memory_equal(a->a + n, zero, sizeof(zero) - n);
}

/* ---- ip_bits ---- */

static void test_bits(void **state)
{
	(void)state;
	assert_int_equal(ip_bits(AF_INET), 32);
	assert_int_equal(ip_bits(AF_INET6), 128);
	assert_int_equal(ip_bits(0), 0);
	assert_int_equal(ip_bits(AF_UNIX), 0);
}

/* ---- ip_parse_addr ---- */

static const struct addr_ok {
	const char *in;
	int family;
	uint8_t a[16];
	const char *out; /* canonical form */
} addr_ok_rows[] = {
	{"10.0.0.1", AF_INET, {10, 0, 0, 1}, "10.0.0.1"},
	{"0.0.0.0", AF_INET, {0}, "0.0.0.0"},
	{"255.255.255.255", AF_INET, {255, 255, 255, 255}, "255.255.255.255"},
	{"192.168.1.254", AF_INET, {192, 168, 1, 254}, "192.168.1.254"},
	{"fd45:676e::1",
	 AF_INET6,
	 {0xfd, 0x45, 0x67, 0x6e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	 "fd45:676e::1"},
	{"::", AF_INET6, {0}, "::"},
	{"::1", AF_INET6, {[15] = 1}, "::1"},
	/* upper case and spelt-out zeros come back canonical */
	{"FD45:676E:0:0::1",
	 AF_INET6,
	 {0xfd, 0x45, 0x67, 0x6e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	 "fd45:676e::1"},
	/* the first longest zero run is the one compressed */
	{"2001:db8:0:0:1:0:0:1",
	 AF_INET6,
	 {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1},
	 "2001:db8::1:0:0:1"},
	/* IPv4-mapped is an IPv6 address */
	{"::ffff:10.0.0.1",
	 AF_INET6,
	 {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1},
	 "::ffff:10.0.0.1"},
	{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	 AF_INET6,
	 {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff},
	 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
};

static void test_addr_ok(void **state)
{
	const struct addr_ok *t = *state;
	struct ip_addr a;
	char err[ERR_LEN], buf[IP_STRLEN];

	memset(&a, 0xa5, sizeof(a));
	poison(err, sizeof(err));
	assert_int_equal(ip_parse_addr(t->in, &a, err, sizeof(err)), 0);
	assert_int_equal(a.family, t->family);
	assert_memory_equal(a.a, t->a, sizeof(a.a));
	assert_string_equal(ip_format_addr(&a, buf, sizeof(buf)), t->out);
}

static const struct addr_err {
	const char *in;
	const char *msg;
} addr_err_rows[] = {
	{NULL, "empty address"},
	{"", "empty address"},
	{"10.0.0", "'10.0.0' is not an IPv4 or IPv6 address"},
	{"10.0.0.256", "'10.0.0.256' is not an IPv4 or IPv6 address"},
	{"10.0.0.1.2", "'10.0.0.1.2' is not an IPv4 or IPv6 address"},
	{"10.0.0.1 ", "'10.0.0.1 ' is not an IPv4 or IPv6 address"},
	{" 10.0.0.1", "' 10.0.0.1' is not an IPv4 or IPv6 address"},
	{"10.0.0.0/8", "'10.0.0.0/8' is not an IPv4 or IPv6 address"},
	{"garbage", "'garbage' is not an IPv4 or IPv6 address"},
	{"fd45::1::2", "'fd45::1::2' is not an IPv4 or IPv6 address"},
	{"fd45:676e::g", "'fd45:676e::g' is not an IPv4 or IPv6 address"},
	{"fd45:1:2:3:4:5:6:7:8",
	 "'fd45:1:2:3:4:5:6:7:8' is not an IPv4 or IPv6 address"},
	{"fd45::/64", "'fd45::/64' is not an IPv4 or IPv6 address"},
	{":", "':' is not an IPv4 or IPv6 address"},
};

static void test_addr_err(void **state)
{
	const struct addr_err *t = *state;
	struct ip_addr a;
	char err[ERR_LEN];

	poison(err, sizeof(err));
	assert_int_equal(ip_parse_addr(t->in, &a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, t->msg);
	assert_int_equal(a.family, 0);
}

/* ---- ip_parse_prefix ---- */

static const struct pfx {
	const char *in;
	bool strict;
	const char *out; /* formatted prefix, or NULL when rejected */
	const char *msg; /* the reason when rejected */
} pfx_rows[] = {
	/* subnets */
	{"10.0.0.0/8", true, "10.0.0.0/8", NULL},
	{"10.48.164.128/25", true, "10.48.164.128/25", NULL},
	{"0.0.0.0/0", true, "0.0.0.0/0", NULL},
	{"10.0.0.1/32", true, "10.0.0.1/32", NULL},
	{"fd45:676e::/32", true, "fd45:676e::/32", NULL},
	{"fd45:676e:1418:301c::/62", true, "fd45:676e:1418:301c::/62", NULL},
	{"::/0", true, "::/0", NULL},
	{"fd45::1/128", true, "fd45::1/128", NULL},
	/* a leading zero in the length is still decimal */
	{"10.0.0.0/08", true, "10.0.0.0/8", NULL},
	/* no length: the full length, which never has host bits */
	{"10.0.0.1", true, "10.0.0.1/32", NULL},
	{"10.0.0.1", false, "10.0.0.1/32", NULL},
	{"fd45::1", true, "fd45::1/128", NULL},
	/* host bits: kept when not strict ... */
	{"10.0.0.1/8", false, "10.0.0.1/8", NULL},
	{"10.48.164.130/25", false, "10.48.164.130/25", NULL},
	{"fd45:676e::1/64", false, "fd45:676e::1/64", NULL},
	/* ... refused when strict, naming the subnet */
	{"10.0.0.1/8", true, NULL,
	 "'10.0.0.1/8' has host bits set (the subnet is 10.0.0.0/8)"},
	{"10.48.164.130/25", true, NULL,
	 "'10.48.164.130/25' has host bits set (the subnet is "
	 "10.48.164.128/25)"},
	{"10.1.2.3/12", true, NULL,
	 "'10.1.2.3/12' has host bits set (the subnet is 10.0.0.0/12)"},
	{"10.0.0.0/0", true, NULL,
	 "'10.0.0.0/0' has host bits set (the subnet is 0.0.0.0/0)"},
	{"10.0.0.1/31", true, NULL,
	 "'10.0.0.1/31' has host bits set (the subnet is 10.0.0.0/31)"},
	{"fd45:676e::1/64", true, NULL,
	 "'fd45:676e::1/64' has host bits set (the subnet is fd45:676e::/64)"},
	/* fd45:676e:1418:301f:: /62: 0x301f & ~3 = 0x301c */
	{"fd45:676e:1418:301f::1/62", true, NULL,
	 "'fd45:676e:1418:301f::1/62' has host bits set (the subnet is "
	 "fd45:676e:1418:301c::/62)"},
	{"fd45::1/127", true, NULL,
	 "'fd45::1/127' has host bits set (the subnet is fd45::/127)"},
	/* bad lengths, strict or not */
	{"10.0.0.0/33", true, NULL,
	 "'10.0.0.0/33': prefix length must be 0..32"},
	{"10.0.0.0/33", false, NULL,
	 "'10.0.0.0/33': prefix length must be 0..32"},
	{"10.0.0.0/-1", false, NULL,
	 "'10.0.0.0/-1': prefix length must be 0..32"},
	{"10.0.0.0/abc", false, NULL,
	 "'10.0.0.0/abc': prefix length must be 0..32"},
	{"10.0.0.0/", false, NULL, "'10.0.0.0/': prefix length must be 0..32"},
	{"10.0.0.0/8x", false, NULL,
	 "'10.0.0.0/8x': prefix length must be 0..32"},
	{"10.0.0.0/8/8", false, NULL,
	 "'10.0.0.0/8/8': prefix length must be 0..32"},
	{"10.0.0.0/0x8", false, NULL,
	 "'10.0.0.0/0x8': prefix length must be 0..32"},
	{"10.0.0.0/99999999999999999999", false, NULL,
	 "'10.0.0.0/99999999999999999999': prefix length must be 0..32"},
	{"fd45::/129", false, NULL,
	 "'fd45::/129': prefix length must be 0..128"},
	{"fd45::/-1", false, NULL, "'fd45::/-1': prefix length must be 0..128"},
	{"fd45::/", false, NULL, "'fd45::/': prefix length must be 0..128"},
	/* bad addresses: the address part is named */
	{NULL, false, NULL, "empty prefix"},
	{"", false, NULL, "empty address"},
	{"/", false, NULL, "empty address"},
	{"/8", false, NULL, "empty address"},
	{"garbage/8", false, NULL, "'garbage' is not an IPv4 or IPv6 address"},
	{"10.0.0.256/8", false, NULL,
	 "'10.0.0.256' is not an IPv4 or IPv6 address"},
	/* an address part of 64 characters or more */
	{"0000000000111111111122222222223333333333444444444455555555556666/8",
	 false, NULL,
	 "'0000000000111111111122222222223333333333...' is too long for an "
	 "address"},
};

static void test_prefix(void **state)
{
	const struct pfx *t = *state;
	struct ip_prefix p;
	char err[ERR_LEN], buf[IP_STRLEN];
	int rc;

	memset(&p, 0xa5, sizeof(p));
	poison(err, sizeof(err));
	rc = ip_parse_prefix(t->in, t->strict, &p, err, sizeof(err));
	if (t->out) {
		assert_int_equal(rc, 0);
		assert_string_equal(ip_format_prefix(&p, buf, sizeof(buf)),
				    t->out);
		assert_tail_zero(&p.addr);
	} else {
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(err, t->msg);
	}
}

/* The parsed length is a number, not only text that formats right. */
static void test_prefix_fields(void **state)
{
	struct ip_prefix p;
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(
		ip_parse_prefix("10.48.0.0/12", true, &p, err, sizeof(err)), 0);
	assert_int_equal(p.addr.family, AF_INET);
	assert_int_equal(p.len, 12);
	assert_memory_equal(p.addr.a, ((uint8_t[16]){10, 48, 0, 0}), 16);
	assert_int_equal(ip_parse_prefix("fd45::", true, &p, err, sizeof(err)),
			 0);
	assert_int_equal(p.addr.family, AF_INET6);
	assert_int_equal(p.len, 128);
}

/* ---- formatting ---- */

static void test_format(void **state)
{
	struct ip_addr unset = {0};
	struct ip_prefix up = {0};
	struct ip_addr v6 = addr("fd45:676e:1418:301f::1");
	struct ip_prefix p =
		prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	char buf[IP_STRLEN], small[5];

	(void)state;
	assert_string_equal(ip_format_addr(&unset, buf, sizeof(buf)), "-");
	assert_string_equal(ip_format_prefix(&up, buf, sizeof(buf)), "-/0");
	/* a buffer too small for the address gives "-", not a cut address */
	assert_ptr_equal(ip_format_addr(&v6, small, sizeof(small)), small);
	assert_string_equal(small, "-");
	/* the longest form fits IP_STRLEN */
	assert_ptr_equal(ip_format_prefix(&p, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	p = prefix("10.48.164.130/25");
	assert_string_equal(ip_format_prefix(&p, buf, sizeof(buf)),
			    "10.48.164.130/25");
}

/* ---- ip_set_bits ---- */

static const struct setb {
	const char *in;
	unsigned pos, width;
	uint64_t v;
	const char *out;
} setb_rows[] = {
	/* 3 = 0011 into bits 8..11: byte 1 = 0011 0000 = 48 */
	{"0.0.0.0", 8, 4, 3, "0.48.0.0"},
	/* 5 = 0000101 into bits 12..18: byte 1 low nibble 0000, byte 2 top
	 * three bits 101 = 0xa0 = 160 */
	{"0.0.0.0", 12, 7, 5, "0.0.160.0"},
	/* 9 = 001001 into bits 19..24: byte 2 bits 3..7 = 00100 = 4, byte 3
	 * bit 0 = 1 = 128 */
	{"0.0.0.0", 19, 6, 9, "0.0.4.128"},
	{"0.0.0.0", 0, 32, 0x0a30a480, "10.48.164.128"},
	/* zeros clear: bits 4..11 of all-ones, 1111 0000 0000 1111 */
	{"255.255.255.255", 4, 8, 0, "240.15.255.255"},
	/* only the low `width` bits of v: 0x1f3 & 0xf = 0011 */
	{"0.0.0.0", 0, 4, 0x1f3, "48.0.0.0"},
	/* the other bits are kept */
	{"10.0.0.1", 8, 4, 3, "10.48.0.1"},
	/* the last byte, the last bit */
	{"0.0.0.0", 24, 8, 0xfe, "0.0.0.254"},
	{"0.0.0.0", 31, 1, 1, "0.0.0.1"},
	/* a field running past bit 31 is cut there: bits 28..31 get the
	 * leading 1010 of 0xa5, nothing spills into byte 4 */
	{"0.0.0.0", 28, 8, 0xa5, "0.0.0.10"},
	{"0.0.0.0", 32, 8, 0xff, "0.0.0.0"},
	{"1.2.3.4", 9, 0, 0xff, "1.2.3.4"},
	/* IPv6: the last byte and the last two bits */
	{"::", 120, 8, 0xab, "::ab"},
	{"::", 126, 2, 3, "::3"},
	{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 124, 8, 0,
	 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0"},
	/* a full 64-bit field as the interface identifier */
	{"fd45::", 64, 64, 0x0123456789abcdefULL, "fd45::123:4567:89ab:cdef"},
	{"::", 0, 64, 0xfd45676e14183000ULL, "fd45:676e:1418:3000::"},
	/* 5 = 000101 into bits 32..37: group 2 = 0001 0100 ... = 0x1400 */
	{"::", 32, 6, 5, "0:0:1400::"},
	/* 12 = 000001100 into bits 45..53: group 2 bits 13..15 = 000, group 3
	 * bits 0..5 = 001100 -> 0011 0000 0000 0000 = 0x3000 */
	{"::", 45, 9, 12, "0:0:0:3000::"},
	/* 0xff into bits 60..67, across 16-bit groups 3 (bits 48..63) and 4
	 * (bits 64..79): 0x000f, 0xf000; the zero runs tie at three groups
	 * and the first is compressed */
	{"::", 60, 8, 0xff, "::f:f000:0:0:0"},
};

static void test_set_bits(void **state)
{
	const struct setb *t = *state;
	struct ip_addr a = addr(t->in);
	char buf[IP_STRLEN];

	ip_set_bits(&a, t->pos, t->width, t->v);
	assert_string_equal(ip_format_addr(&a, buf, sizeof(buf)), t->out);
	assert_tail_zero(&a);
}

/* Without a family there are no bits to set. */
static void test_set_bits_unset(void **state)
{
	struct ip_addr a = {0};
	static const uint8_t zero[16];

	(void)state;
	ip_set_bits(&a, 0, 8, 0xff);
	ip_add(&a, 1);
	assert_memory_equal(a.a, zero, sizeof(zero));
}

/* ---- ip_add ---- */

static const struct add {
	const char *in;
	uint64_t n;
	const char *out;
} add_rows[] = {
	{"10.0.0.1", 0, "10.0.0.1"},
	{"10.0.0.1", 1, "10.0.0.2"},
	{"10.0.0.255", 1, "10.0.1.0"},
	{"10.0.0.255", 0x101, "10.0.2.0"},
	{"10.0.0.0", 256, "10.0.1.0"},
	/* 200 + 100 = 300 = 256 + 44 */
	{"10.0.0.200", 100, "10.0.1.44"},
	{"10.255.255.255", 1, "11.0.0.0"},
	/* 10.0.0.1 + 1.2.3.4 */
	{"10.0.0.1", 0x01020304, "11.2.3.5"},
	/* wraps within 32 bits: 2^32 + 1 adds 1 */
	{"255.255.255.255", 1, "0.0.0.0"},
	{"255.255.255.255", 2, "0.0.0.1"},
	{"0.0.0.0", 0x100000001ULL, "0.0.0.1"},
	{"fd45::1", 1, "fd45::2"},
	/* carry across 16-bit groups */
	{"fd45::ff", 1, "fd45::100"},
	{"fd45::ffff", 1, "fd45::1:0"},
	{"fd45::ffff:ffff", 1, "fd45::1:0:0"},
	/* carry across the 64-bit halves */
	{"fd45:0:0:0:ffff:ffff:ffff:ffff", 1, "fd45:0:0:1::"},
	{"fd45::1", 0xffffffffffffffffULL, "fd45:0:0:1::"},
	{"fd45::", 0xffffffffffffffffULL, "fd45::ffff:ffff:ffff:ffff"},
	{"fd45::2", 0xffffffffffffffffULL, "fd45:0:0:1::1"},
	/* wraps within 128 bits */
	{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, "::"},
};

static void test_add(void **state)
{
	const struct add *t = *state;
	struct ip_addr a = addr(t->in);
	char buf[IP_STRLEN];

	ip_add(&a, t->n);
	assert_string_equal(ip_format_addr(&a, buf, sizeof(buf)), t->out);
	assert_tail_zero(&a);
}

/* ---- ip_mask ---- */

static const struct mask {
	const char *in;
	unsigned len;
	const char *out;
} mask_rows[] = {
	{"10.255.255.255", 8, "10.0.0.0"},
	{"10.255.255.255", 12, "10.240.0.0"},
	{"10.48.164.255", 25, "10.48.164.128"},
	{"10.48.164.255", 31, "10.48.164.254"},
	{"10.48.164.255", 32, "10.48.164.255"},
	{"10.48.164.255", 0, "0.0.0.0"},
	{"fd45:676e:1418:301f::1", 62, "fd45:676e:1418:301c::"},
	{"fd45:676e:1418:301f::1", 32, "fd45:676e::"},
	{"::3", 127, "::2"},
	{"::3", 128, "::3"},
	{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, "8000::"},
};

static void test_mask(void **state)
{
	const struct mask *t = *state;
	struct ip_addr a = addr(t->in);
	char buf[IP_STRLEN];

	ip_mask(&a, t->len);
	assert_string_equal(ip_format_addr(&a, buf, sizeof(buf)), t->out);
}

/* ---- ip_prefix_contains and ip_prefix_overlap ---- */

static const struct cont {
	const char *p, *q;
	bool p_has_q, q_has_p, overlap;
} cont_rows[] = {
	{"10.0.0.0/8", "10.48.0.0/12", true, false, true},
	{"10.0.0.0/8", "10.48.164.128/25", true, false, true},
	{"10.0.0.0/8", "10.0.0.0/8", true, true, true},
	{"10.0.0.0/12", "10.48.0.0/12", false, false, false},
	{"10.0.0.0/8", "11.0.0.0/8", false, false, false},
	/* adjacent /30s */
	{"10.48.0.0/30", "10.48.0.4/30", false, false, false},
	{"10.48.0.0/30", "10.48.0.3/32", true, false, true},
	{"0.0.0.0/0", "10.0.0.1/32", true, false, true},
	/* p's own host bits do not matter */
	{"10.0.0.1/8", "10.1.0.0/16", true, false, true},
	/* the families never mix */
	{"10.0.0.0/8", "fd45::/16", false, false, false},
	{"0.0.0.0/0", "::/0", false, false, false},
	{"fd45:676e::/32", "fd45:676e:1418:301c::/62", true, false, true},
	{"fd45:676e::/32", "fd45:676f::/32", false, false, false},
	{"fd45:676e:1418:301c::/62", "fd45:676e:1418:301f::/64", true, false,
	 true},
	{"fd45:676e:1418:301c::/62", "fd45:676e:1418:3020::/64", false, false,
	 false},
	{"fd45::/127", "fd45::1/128", true, false, true},
};

static void test_contains(void **state)
{
	const struct cont *t = *state;
	struct ip_prefix p = prefix(t->p), q = prefix(t->q);

	assert_int_equal(ip_prefix_contains(&p, &q), t->p_has_q);
	assert_int_equal(ip_prefix_contains(&q, &p), t->q_has_p);
	assert_int_equal(ip_prefix_overlap(&p, &q), t->overlap);
	assert_int_equal(ip_prefix_overlap(&q, &p), t->overlap);
}

/* ---- ip_cmp ---- */

static const struct cmp {
	const char *x, *y; /* NULL: unset address */
	int sign;
} cmp_rows[] = {
	{"10.0.0.1", "10.0.0.2", -1},
	{"10.0.0.2", "10.0.0.1", 1},
	{"10.0.0.1", "10.0.0.1", 0},
	{"10.0.1.0", "10.0.0.255", 1},
	{"9.255.255.255", "10.0.0.0", -1},
	/* family first: AF_INET sorts before AF_INET6 */
	{"255.255.255.255", "::", -1},
	{"::", "0.0.0.0", 1},
	{"::1", "::2", -1},
	{"fd45:676e::", "fd45:676e::", 0},
	{"fd45:676f::", "fd45:676e:ffff::", 1},
	{NULL, "0.0.0.0", -1},
	{NULL, NULL, 0},
};

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_cmp(void **state)
{
	const struct cmp *t = *state;
	struct ip_addr x = {0}, y = {0};

	if (t->x)
		x = addr(t->x);
	if (t->y)
		y = addr(t->y);
	assert_int_equal(sign(ip_cmp(&x, &y)), t->sign);
	assert_int_equal(sign(ip_cmp(&y, &x)), -t->sign);
}

int main(void)
{
	add_test(test_bits, NULL, "ip_bits");
	for (size_t i = 0; i < ROWS(addr_ok_rows); i++)
		add_test(test_addr_ok, &addr_ok_rows[i], "parse addr '%s'",
			 addr_ok_rows[i].in);
	for (size_t i = 0; i < ROWS(addr_err_rows); i++)
		add_test(test_addr_err, &addr_err_rows[i],
			 "parse addr rejects '%s'",
			 addr_err_rows[i].in ? addr_err_rows[i].in : "(null)");
	for (size_t i = 0; i < ROWS(pfx_rows); i++)
		add_test(test_prefix, &pfx_rows[i], "parse prefix '%.70s'%s",
			 pfx_rows[i].in ? pfx_rows[i].in : "(null)",
			 pfx_rows[i].strict ? " strict" : "");
	add_test(test_prefix_fields, NULL, "parse prefix fields");
	add_test(test_format, NULL, "format");
	for (size_t i = 0; i < ROWS(setb_rows); i++)
		add_test(test_set_bits, &setb_rows[i],
			 "set_bits %s pos %u width %u v %#llx", setb_rows[i].in,
			 setb_rows[i].pos, setb_rows[i].width,
			 (unsigned long long)setb_rows[i].v);
	add_test(test_set_bits_unset, NULL, "set_bits/add unset family");
	for (size_t i = 0; i < ROWS(add_rows); i++)
		add_test(test_add, &add_rows[i], "add %s + %#llx",
			 add_rows[i].in, (unsigned long long)add_rows[i].n);
	for (size_t i = 0; i < ROWS(mask_rows); i++)
		add_test(test_mask, &mask_rows[i], "mask %s/%u",
			 mask_rows[i].in, mask_rows[i].len);
	for (size_t i = 0; i < ROWS(cont_rows); i++)
		add_test(test_contains, &cont_rows[i], "contains %s %s",
			 cont_rows[i].p, cont_rows[i].q);
	for (size_t i = 0; i < ROWS(cmp_rows); i++)
		add_test(test_cmp, &cmp_rows[i], "cmp %s %s",
			 cmp_rows[i].x ? cmp_rows[i].x : "unset",
			 cmp_rows[i].y ? cmp_rows[i].y : "unset");

	return _cmocka_run_group_tests("ip", tests, ntests, NULL, NULL);
}
