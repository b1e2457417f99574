// SPDX-License-Identifier: BSD-2-Clause
/*
 * probe_looped() (agent/probe.c): the looped copy of a probe that a
 * transmit timestamp brings back on the socket's error queue, from the
 * device's headers on.  Our egnet echo requests and ICMP echo requests, v4
 * and v6, are found behind no link-layer header, Ethernet, a VLAN tag, a
 * GRE tunnel's outer headers and Ethernet padding, with their destination
 * and sequence number; a change to any field we check (our own echo
 * replies among them), a header too far in, every truncation and random
 * bytes are refused.  probe_refused(): the ICMP port unreachable that a
 * gateway without its agent sends for our probe, v4 and v6, is found with
 * the probe's destination and sequence number; another ICMP type or code,
 * a quoted packet that is not our request, another node's code or port,
 * every truncation and the other family are not.  Buffers are exactly as
 * long as the packet, so a read past it shows under valgrind and ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "agent/watch/probe.h"
#include "common/inputs.h"
#include "bpf/linkmon.h"

#include "tests/unit/rows.h"

#define SELF  210102001000ULL
#define PORT  7789
#define IDENT 0x4567
#define SEQ   0x8badf00dU

static const uint8_t dst4[4] = {10, 16, 64, 129};
static const uint8_t dst6[16] = {0xfd, 0x45, 0x67, 0x6e, 0x04, 0x10, 0x04, 0x04,
				 0,    0,    0,	   0,	 0,    0,    0,	   1};

/* What is in front of the IP header. */
enum l2 { L2_NONE, L2_ETH, L2_VLAN, L2_GRE, L2_FAR };

/* The fields a row may change, by where they are in our packet. */
enum field {
	F_NONE,
	F_VERSION,
	F_IHL,
	F_LENGTH, /* IPv4 total length, IPv6 payload length */
	F_FRAG,	  /* IPv4: more fragments */
	F_OFFSET, /* IPv4: fragment offset */
	F_PROTO,
	F_DPORT,
	F_ULEN,
	F_MAGIC,
	F_TYPE, /* the egnet type, or the ICMP type */
	F_CODE,
	F_IDENT,
};

struct row {
	const char *name;
	int method, family, l2;
	int ihl;    /* IPv4 header words; 0: 5 */
	size_t pad; /* bytes after the packet (Ethernet padding) */
	enum field field;
	uint8_t xor ; /* applied to the field's first byte */
	int want;     /* 0: found, -1: refused */
};

static struct prober prober(void)
{
	struct prober p;

	memset(&p, 0, sizeof(p));
	p.self = SELF;
	p.port = PORT;
	p.echo_ident = IDENT;
	return p;
}

static size_t l4_len(int method)
{
	return method == PROBE_UDP ? 8 + sizeof(struct egnet_probe) : 16;
}

/* Offset of a field from the IP header. */
static size_t field_at(const struct row *r, size_t iphl)
{
	int v6 = r->family == AF_INET6;

	switch (r->field) {
	case F_VERSION:
	case F_IHL:
		return 0;
	case F_LENGTH:
		return v6 ? 5 : 3;
	case F_FRAG:
		return 6;
	case F_OFFSET:
		return 7;
	case F_PROTO:
		return v6 ? 6 : 9;
	case F_DPORT:
		return iphl + 3;
	case F_ULEN:
		return iphl + 5;
	case F_MAGIC:
		return iphl + 8;
	case F_TYPE:
		return iphl + (r->method == PROBE_UDP ? 8 + 4 : 0);
	case F_CODE:
		return iphl + 8 + 16 + 7;
	case F_IDENT:
		return iphl + 5;
	case F_NONE:
		break;
	}
	return 0;
}

static size_t put_ip4(uint8_t *b, int words, size_t l4len, uint8_t proto,
		      const uint8_t *dst)
{
	size_t hl = (size_t)words * 4;

	memset(b, 0, hl);
	b[0] = (uint8_t)(0x40 | words);
	b[2] = (uint8_t)((hl + l4len) >> 8);
	b[3] = (uint8_t)(hl + l4len);
	b[6] = 0x40; /* don't fragment */
	b[8] = 64;
	b[9] = proto;
	b[12] = 10;
	b[15] = 130;
	memcpy(b + 16, dst, 4);
	return hl;
}

/* The frame as a device would loop it; returns its length. */
static size_t build(const struct row *r, uint8_t *b, size_t *ipat)
{
	int v6 = r->family == AF_INET6;
	size_t l4len = l4_len(r->method), n = 0, hl;
	uint8_t proto = r->method == PROBE_UDP ? IPPROTO_UDP
			: v6		       ? IPPROTO_ICMPV6
					       : IPPROTO_ICMP;
	uint8_t *l4;

	memset(b, 0, 512);
	switch (r->l2) {
	case L2_ETH:
		memset(b, 0x02, 12);
		b[12] = v6 ? 0x86 : 0x08;
		b[13] = v6 ? 0xdd : 0x00;
		n = 14;
		break;
	case L2_VLAN:
		memset(b, 0x02, 12);
		b[12] = 0x81;
		b[14] = 0x00;
		b[15] = 42;
		b[16] = v6 ? 0x86 : 0x08;
		b[17] = v6 ? 0xdd : 0x00;
		n = 18;
		break;
	case L2_GRE: /* Ethernet, outer IPv4 (GRE), GRE header */
		memset(b, 0x02, 12);
		b[12] = 0x08;
		n = 14;
		n += put_ip4(b + n, 5, 4 + (v6 ? 40 : 20) + l4len, 47, dst4);
		b[n + 2] = v6 ? 0x86 : 0x08;
		b[n + 3] = v6 ? 0xdd : 0x00;
		n += 4;
		break;
	case L2_FAR:
		n = 129;
		break;
	}
	*ipat = n;
	if (v6) {
		b[n] = 0x60;
		b[n + 4] = (uint8_t)(l4len >> 8);
		b[n + 5] = (uint8_t)l4len;
		b[n + 6] = proto;
		b[n + 7] = 64;
		b[n + 8] = 0xfd;
		memcpy(b + n + 24, dst6, 16);
		hl = 40;
	} else {
		hl = put_ip4(b + n, r->ihl ? r->ihl : 5, l4len, proto, dst4);
	}
	l4 = b + n + hl;
	if (r->method == PROBE_UDP) {
		struct egnet_probe m = {0};
		uint64_t code = SELF;

		l4[0] = PORT >> 8;
		l4[1] = (uint8_t)PORT;
		l4[2] = PORT >> 8;
		l4[3] = (uint8_t)PORT;
		l4[5] = (uint8_t)l4len;
		m.magic = htonl(EGNET_PROBE_MAGIC);
		m.type = EGNET_PROBE_REQUEST;
		m.ver = 1;
		m.seq = htonl(SEQ);
		for (int i = 0; i < 8; i++) /* network order */
			((uint8_t *)&m.code)[i] =
				(uint8_t)(code >> (56 - 8 * i));
		memcpy(l4 + 8, &m, sizeof(m));
	} else {
		uint32_t s = htonl(SEQ);

		l4[0] = v6 ? 128 : 8;
		l4[4] = IDENT >> 8;
		l4[5] = IDENT & 0xff;
		l4[6] = (uint8_t)(SEQ >> 8);
		l4[7] = (uint8_t)SEQ;
		memcpy(l4 + 8, &s, 4);
	}
	if (r->field != F_NONE)
		b[n + field_at(r, hl)] ^= r->xor ;
	return n + hl + l4len + r->pad;
}

/* probe_looped() on exactly len bytes of b. */
static int looped(const struct prober *p, const struct row *r, const uint8_t *b,
		  size_t len, struct ip_addr *dst, uint32_t *seq)
{
	uint8_t *copy = test_malloc(len ? len : 1);
	int rc;

	memcpy(copy, b, len);
	rc = probe_looped(p, r->method, r->family, copy, len, dst, seq);
	test_free(copy);
	return rc;
}

#define U  PROBE_UDP
#define I  PROBE_ICMP
#define V4 AF_INET
#define V6 AF_INET6

static const struct row rows[] = {
	/* found */
	{"udp4 ethernet", U, V4, L2_ETH, 0, 0, F_NONE, 0, 0},
	{"udp4 no l2 (tun, wireguard)", U, V4, L2_NONE, 0, 0, F_NONE, 0, 0},
	{"udp4 vlan tag", U, V4, L2_VLAN, 0, 0, F_NONE, 0, 0},
	{"udp4 in gre", U, V4, L2_GRE, 0, 0, F_NONE, 0, 0},
	{"udp4 ip options", U, V4, L2_ETH, 7, 0, F_NONE, 0, 0},
	{"udp6 ethernet", U, V6, L2_ETH, 0, 0, F_NONE, 0, 0},
	{"udp6 no l2", U, V6, L2_NONE, 0, 0, F_NONE, 0, 0},
	{"udp6 in gre", U, V6, L2_GRE, 0, 0, F_NONE, 0, 0},
	{"icmp4 ethernet", I, V4, L2_ETH, 0, 0, F_NONE, 0, 0},
	{"icmp4 ethernet padded to 60", I, V4, L2_ETH, 0, 10, F_NONE, 0, 0},
	{"icmp4 no l2", I, V4, L2_NONE, 0, 0, F_NONE, 0, 0},
	{"icmp4 vlan tag", I, V4, L2_VLAN, 0, 0, F_NONE, 0, 0},
	{"icmp6 ethernet", I, V6, L2_ETH, 0, 0, F_NONE, 0, 0},
	{"icmp6 no l2", I, V6, L2_NONE, 0, 0, F_NONE, 0, 0},
	{"icmp6 in gre", I, V6, L2_GRE, 0, 0, F_NONE, 0, 0},
	/* refused */
	{"udp4 header too far in", U, V4, L2_FAR, 0, 0, F_NONE, 0, -1},
	{"icmp6 header too far in", I, V6, L2_FAR, 0, 0, F_NONE, 0, -1},
	{"udp4 ip version 5", U, V4, L2_ETH, 0, 0, F_VERSION, 0x10, -1},
	{"udp4 ihl 4", U, V4, L2_NONE, 0, 0, F_IHL, 0x01, -1},
	{"udp4 total length +1", U, V4, L2_ETH, 0, 0, F_LENGTH, 0x01, -1},
	{"udp4 more fragments", U, V4, L2_ETH, 0, 0, F_FRAG, 0x20, -1},
	{"udp4 fragment offset", U, V4, L2_ETH, 0, 0, F_OFFSET, 0x01, -1},
	{"udp4 tcp", U, V4, L2_ETH, 0, 0, F_PROTO, 17 ^ 6, -1},
	{"udp4 other port", U, V4, L2_ETH, 0, 0, F_DPORT, 0x01, -1},
	{"udp4 udp length", U, V4, L2_ETH, 0, 0, F_ULEN, 0x01, -1},
	{"udp4 magic", U, V4, L2_ETH, 0, 0, F_MAGIC, 0x01, -1},
	{"udp4 our echo reply", U, V4, L2_ETH, 0, 0, F_TYPE, 1 ^ 2, -1},
	{"udp4 other code", U, V4, L2_ETH, 0, 0, F_CODE, 0x01, -1},
	{"udp6 ip version 4", U, V6, L2_ETH, 0, 0, F_VERSION, 0x20, -1},
	{"udp6 payload length", U, V6, L2_ETH, 0, 0, F_LENGTH, 0x01, -1},
	{"udp6 next header", U, V6, L2_ETH, 0, 0, F_PROTO, 17 ^ 0, -1},
	{"udp6 our echo reply", U, V6, L2_ETH, 0, 0, F_TYPE, 1 ^ 2, -1},
	{"icmp4 echo reply", I, V4, L2_ETH, 0, 0, F_TYPE, 8, -1},
	{"icmp4 other ident", I, V4, L2_ETH, 0, 0, F_IDENT, 0x01, -1},
	{"icmp4 udp", I, V4, L2_ETH, 0, 0, F_PROTO, 1 ^ 17, -1},
	{"icmp4 total length", I, V4, L2_ETH, 0, 10, F_LENGTH, 0x02, -1},
	{"icmp6 echo reply", I, V6, L2_ETH, 0, 0, F_TYPE, 128 ^ 129, -1},
	{"icmp6 other ident", I, V6, L2_ETH, 0, 0, F_IDENT, 0x80, -1},
	{"icmp6 icmp4 protocol", I, V6, L2_ETH, 0, 0, F_PROTO, 58 ^ 1, -1},
};

static void test_row(void **state)
{
	const struct row *r = *state;
	struct prober p = prober();
	uint8_t b[512];
	size_t ipat, len = build(r, b, &ipat);
	struct ip_addr dst;
	uint32_t seq = 0;

	(void)ipat;
	assert_int_equal(looped(&p, r, b, len, &dst, &seq), r->want);
	if (r->want)
		return;
	assert_int_equal(seq, SEQ);
	assert_int_equal(dst.family, r->family);
	if (r->family == AF_INET)
		assert_memory_equal(dst.a, dst4, 4);
	else
		assert_memory_equal(dst.a, dst6, 16);
}

/* Asked as the other family's socket, or an unknown one: refused. */
static void test_wrong_family(void **state)
{
	const struct row *r = *state;
	struct row other = *r;
	struct prober p = prober();
	uint8_t b[512];
	size_t ipat, len = build(r, b, &ipat);
	struct ip_addr dst;
	uint32_t seq;

	(void)ipat;
	other.family = r->family == AF_INET ? AF_INET6 : AF_INET;
	assert_int_equal(looped(&p, &other, b, len, &dst, &seq), -1);
	other.family = AF_UNIX;
	assert_int_equal(looped(&p, &other, b, len, &dst, &seq), -1);
}

/* Every length short of the whole packet is refused. */
static void test_truncated(void **state)
{
	const struct row *r = *state;
	struct prober p = prober();
	uint8_t b[512];
	size_t ipat, len = build(r, b, &ipat);
	struct ip_addr dst;
	uint32_t seq;

	(void)ipat;
	for (size_t n = 0; n < len - r->pad; n++)
		assert_int_equal(looped(&p, r, b, n, &dst, &seq), -1);
}

/* Random bytes of random lengths, for each kind of socket. */
static void test_garbage(void **state)
{
	static const struct row kinds[] = {
		{"", U, V4, 0, 0, 0, F_NONE, 0, 0},
		{"", U, V6, 0, 0, 0, F_NONE, 0, 0},
		{"", I, V4, 0, 0, 0, F_NONE, 0, 0},
		{"", I, V6, 0, 0, 0, F_NONE, 0, 0},
	};
	struct prober p = prober();
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint8_t b[300];
	struct ip_addr dst;
	uint32_t seq;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		size_t n;

		for (size_t k = 0; k < sizeof(b); k++) {
			x ^= x << 13; /* xorshift64 */
			x ^= x >> 7;
			x ^= x << 17;
			b[k] = (uint8_t)x;
		}
		n = (size_t)(x >> 40) % sizeof(b);
		for (size_t k = 0; k < ROWS(kinds); k++)
			assert_int_equal(
				looped(&p, &kinds[k], b, n, &dst, &seq), -1);
	}
	memset(b, 0, sizeof(b));
	for (size_t k = 0; k < ROWS(kinds); k++)
		assert_int_equal(
			looped(&p, &kinds[k], b, sizeof(b), &dst, &seq), -1);
	memset(b, 0xff, sizeof(b));
	for (size_t k = 0; k < ROWS(kinds); k++)
		assert_int_equal(
			looped(&p, &kinds[k], b, sizeof(b), &dst, &seq), -1);
}

/* ---- refusals: probe_refused() ------------------------------------------ */

/*
 * The ICMP error a gateway without its agent sends back for our probe:
 * port unreachable (v4 3/3, v6 1/4) quoting the whole request, built by
 * build() with no link-layer header and a field changed as the row says.
 * Returns its length (the buffer exactly that long is the caller's).
 */
static size_t refusal(int family, enum field f, uint8_t type, uint8_t code,
		      uint8_t *b)
{
	struct row r = {"", PROBE_UDP, family, L2_NONE, 0, 0, f, 0x10, 0};
	size_t ipat, n;

	memset(b, 0, 8);
	b[0] = type;
	b[1] = code;
	n = build(&r, b + 8, &ipat);
	return 8 + n;
}

static int refused(struct prober *p, int family, const uint8_t *b, size_t n,
		   struct ip_addr *dst, uint32_t *seq)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	memcpy(copy, b, n);
	rc = probe_refused(p, family, copy, n, dst, seq);
	free(copy);
	return rc;
}

static void test_refused(void **state)
{
	static const enum field changed[] = {
		F_VERSION, F_FRAG, F_OFFSET, F_PROTO, F_DPORT,
		F_ULEN,	   F_MAGIC, F_TYPE, F_CODE,
	};
	struct prober p = prober();
	uint8_t b[600];
	struct ip_addr dst;
	uint32_t seq;
	size_t n;

	(void)state;
	for (int v6 = 0; v6 < 2; v6++) {
		int fam = v6 ? AF_INET6 : AF_INET;
		uint8_t ut = v6 ? 1 : 3, uc = v6 ? 4 : 3;

		n = refusal(fam, F_NONE, ut, uc, b);
		seq = 0;
		assert_int_equal(refused(&p, fam, b, n, &dst, &seq), 0);
		assert_int_equal(seq, SEQ);
		assert_int_equal(dst.family, fam);
		assert_memory_equal(dst.a, v6 ? dst6 : dst4, v6 ? 16 : 4);
		/* as the other family's error: no */
		assert_int_equal(refused(&p, v6 ? AF_INET : AF_INET6, b, n,
					 &dst, &seq),
				 -1);
		/* every truncation */
		for (size_t k = 0; k < n; k++)
			assert_int_equal(refused(&p, fam, b, k, &dst, &seq), -1);
		/* another unreachable (host, admin), or an echo reply */
		for (int c = 0; c < 14; c++) {
			if (c == uc)
				continue;
			n = refusal(fam, F_NONE, ut, (uint8_t)c, b);
			assert_int_equal(refused(&p, fam, b, n, &dst, &seq), -1);
		}
		n = refusal(fam, F_NONE, v6 ? 129 : 0, 0, b);
		assert_int_equal(refused(&p, fam, b, n, &dst, &seq), -1);
		/* a quoted packet that is not our request */
		for (size_t k = 0; k < ROWS(changed); k++) {
			if (v6 && (changed[k] == F_FRAG || changed[k] == F_OFFSET))
				continue; /* not IPv6 fields */
			n = refusal(fam, changed[k], ut, uc, b);
			if (refused(&p, fam, b, n, &dst, &seq) != -1)
				fail_msg("%s: field %d changed, taken",
					 v6 ? "v6" : "v4", (int)changed[k]);
		}
		/* another node's probe, or another port */
		n = refusal(fam, F_NONE, ut, uc, b);
		p.self = SELF + 1000;
		assert_int_equal(refused(&p, fam, b, n, &dst, &seq), -1);
		p = prober();
		p.port = PORT + 1;
		assert_int_equal(refused(&p, fam, b, n, &dst, &seq), -1);
		p = prober();
	}
	/* other families, and garbage */
	n = refusal(AF_INET, F_NONE, 3, 3, b);
	assert_int_equal(refused(&p, AF_UNIX, b, n, &dst, &seq), -1);
	memset(b, 0xff, sizeof(b));
	assert_int_equal(refused(&p, AF_INET, b, sizeof(b), &dst, &seq), -1);
	assert_int_equal(refused(&p, AF_INET6, b, sizeof(b), &dst, &seq), -1);
}

/*
 * prober_open() passes on why its socket failed: with no descriptor left
 * it is -EMFILE, not a made-up -EADDRINUSE, and the reason says so.
 */
static void test_open_errno(void **state)
{
	struct rlimit old, none;
	struct prober p;
	struct inputs in;
	struct diag d;
	char err[256];
	int rc;

	(void)state;
	diag_init(&d);
	assert_int_equal(inputs_load(&in, "profiles/examples/township.conf",
				     NULL, NULL, &d),
			 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	none = old;
	/* the lowest free descriptor is the next one a socket would get */
	none.rlim_cur = 0;
	while (fcntl((int)none.rlim_cur, F_GETFD) >= 0)
		none.rlim_cur++;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &none), 0);
	poison(err, sizeof(err));
	rc = prober_open(&p, &in.ds, err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(rc, -EMFILE);
	assert_non_null(strstr(err, strerror(EMFILE)));
	inputs_free(&in);
	diag_free(&d);
}

int main(void)
{
	for (size_t i = 0; i < ROWS(rows); i++)
		add_test(test_row, &rows[i], "%s: %s", rows[i].name,
			 rows[i].want ? "refused" : "found");
	for (size_t i = 0; i < ROWS(rows); i++)
		if (!rows[i].want) {
			add_test(test_truncated, &rows[i], "%s: truncated",
				 rows[i].name);
			add_test(test_wrong_family, &rows[i],
				 "%s: other family", rows[i].name);
		}
	add_test(test_garbage, NULL, "random bytes");
	add_test(test_refused, NULL,
		 "a port unreachable for our probe: found; anything else not");
	add_test(test_open_errno, NULL, "prober_open: the socket's errno");
	return _cmocka_run_group_tests("probe", tests, ntests, NULL, NULL);
}
