// SPDX-License-Identifier: BSD-2-Clause
/*
 * IP address arithmetic for the address plan.  Everything works on the
 * address as a big-endian bit string of 32 or 128 bits.
 */
#include "common/ip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned ip_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

int ip_parse_addr(const char *s, struct ip_addr *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!s || !*s) {
		snprintf(err, errlen, "empty address");
		return -EINVAL;
	}
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, out->a) == 1) {
			out->family = AF_INET6;
			return 0;
		}
	} else if (inet_pton(AF_INET, s, out->a) == 1) {
		out->family = AF_INET;
		return 0;
	}
	snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", s);
	return -EINVAL;
}

int ip_parse_prefix(const char *s, bool strict, struct ip_prefix *out,
		    char *err, size_t errlen)
{
	char buf[IP_STRLEN];
	const char *slash;
	size_t alen;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s) {
		snprintf(err, errlen, "empty prefix");
		return -EINVAL;
	}
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen >= sizeof(buf)) {
		snprintf(err, errlen, "'%.40s...' is too long for an address",
			 s);
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	rc = ip_parse_addr(buf, &out->addr, err, errlen);
	if (rc)
		return rc;
	out->len = ip_bits(out->addr.family);
	if (slash) {
		char *end;
		long v;

		errno = 0;
		v = strtol(slash + 1, &end, 10);
		/* digits only: strtol would take blanks and a sign */
		if (slash[1] < '0' || slash[1] > '9' || *end || errno ||
		    v < 0 ||
		    v > (long)ip_bits(out->addr.family)) {
			snprintf(err, errlen,
				 "'%s': prefix length must be 0..%u", s,
				 ip_bits(out->addr.family));
			return -EINVAL;
		}
		out->len = (unsigned)v;
	}
	if (strict) {
		struct ip_addr m = out->addr;

		ip_mask(&m, out->len);
		if (memcmp(m.a, out->addr.a, sizeof(m.a)) != 0) {
			char mb[IP_STRLEN];

			snprintf(err, errlen,
				 "'%s' has host bits set (the subnet is %s/%u)",
				 s, ip_format_addr(&m, mb, sizeof(mb)),
				 out->len);
			return -EINVAL;
		}
	}
	return 0;
}

char *ip_format_addr(const struct ip_addr *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "-");
	return buf;
}

char *ip_format_prefix(const struct ip_prefix *p, char *buf, size_t len)
{
	char ab[IP_STRLEN];

	snprintf(buf, len, "%s/%u", ip_format_addr(&p->addr, ab, sizeof(ab)),
		 p->len);
	return buf;
}

static void set_bit(struct ip_addr *a, unsigned bit, int v)
{
	uint8_t m = (uint8_t)(0x80u >> (bit % 8));

	if (v)
		a->a[bit / 8] |= m;
	else
		a->a[bit / 8] &= (uint8_t)~m;
}

void ip_set_bits(struct ip_addr *a, unsigned pos, unsigned width, uint64_t v)
{
	unsigned total = ip_bits(a->family);

	for (unsigned i = 0; i < width && pos + i < total; i++)
		set_bit(a, pos + i, (int)((v >> (width - 1 - i)) & 1));
}

void ip_add(struct ip_addr *a, uint64_t n)
{
	int last = (int)ip_bits(a->family) / 8 - 1;

	for (int i = last; i >= 0 && n; i--) {
		uint64_t s = a->a[i] + (n & 0xff);

		a->a[i] = (uint8_t)s;
		n = (n >> 8) + (s >> 8);
	}
}

void ip_mask(struct ip_addr *a, unsigned len)
{
	for (unsigned bit = len; bit < ip_bits(a->family); bit++)
		set_bit(a, bit, 0);
}

bool ip_prefix_contains(const struct ip_prefix *p, const struct ip_prefix *q)
{
	struct ip_addr m;

	if (p->addr.family != q->addr.family || q->len < p->len)
		return false;
	m = q->addr;
	ip_mask(&m, p->len);
	struct ip_addr pm = p->addr;
	ip_mask(&pm, p->len);
	return memcmp(m.a, pm.a, sizeof(m.a)) == 0;
}

bool ip_prefix_overlap(const struct ip_prefix *p, const struct ip_prefix *q)
{
	return ip_prefix_contains(p, q) || ip_prefix_contains(q, p);
}

int ip_cmp(const struct ip_addr *x, const struct ip_addr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->a, y->a, sizeof(x->a));
}

/* ---- special ranges ------------------------------------------------- */

struct ip_range {
	int family;
	uint8_t a[16];
	unsigned len;
	bool link_local;
	const char *what;
};

/* Most specific first: ip_special() takes the first that holds. */
static const struct ip_range special[] = {
	{AF_INET, {0}, 32, false, "the unspecified address"},
	{AF_INET, {255, 255, 255, 255}, 32, false,
	 "the limited broadcast address"},
	{AF_INET, {0}, 8, false, "'this network' (0.0.0.0/8)"},
	{AF_INET, {127}, 8, false, "loopback (127.0.0.0/8)"},
	{AF_INET, {169, 254}, 16, true, "link-local (169.254.0.0/16)"},
	{AF_INET, {224}, 4, false, "multicast (224.0.0.0/4)"},
	{AF_INET, {240}, 4, false, "reserved (240.0.0.0/4, class E)"},
	{AF_INET6, {0}, 128, false, "the unspecified address"},
	{AF_INET6, {[15] = 1}, 128, false, "loopback (::1)"},
	{AF_INET6, {[10] = 0xff, [11] = 0xff}, 96, false,
	 "IPv4-mapped (::ffff:0:0/96)"},
	{AF_INET6, {0xfe, 0x80}, 10, true, "link-local (fe80::/10)"},
	{AF_INET6, {0xff}, 8, false, "multicast (ff00::/8)"},
};

static struct ip_prefix range_prefix(const struct ip_range *r)
{
	struct ip_prefix p = {.len = r->len};

	p.addr.family = r->family;
	memcpy(p.addr.a, r->a, sizeof(p.addr.a));
	return p;
}

const char *ip_special(const struct ip_prefix *p, bool *link_local)
{
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		struct ip_prefix r = range_prefix(&special[i]);

		if (ip_prefix_contains(&r, p)) {
			if (link_local)
				*link_local = special[i].link_local;
			return special[i].what;
		}
	}
	if (link_local)
		*link_local = false;
	return NULL;
}

const char *ip_special_overlap(const struct ip_prefix *p)
{
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		struct ip_prefix r = range_prefix(&special[i]);

		if (ip_prefix_overlap(&r, p))
			return special[i].what;
	}
	return NULL;
}

static bool host_bits_all(const struct ip_prefix *p, int v)
{
	for (unsigned bit = p->len; bit < ip_bits(p->addr.family); bit++)
		if (!!(p->addr.a[bit / 8] & (0x80u >> (bit % 8))) != v)
			return false;
	return true;
}

int ip_check_host(const struct ip_prefix *a, char *err, size_t errlen)
{
	struct ip_prefix host = {a->addr, ip_bits(a->addr.family)};
	unsigned bits = ip_bits(a->addr.family);
	char buf[IP_STRLEN + 8];
	const char *what = ip_special(&host, NULL);

	ip_format_prefix(a, buf, sizeof(buf));
	if (what) {
		snprintf(err, errlen, "%s is %s: no address for an interface",
			 buf, what);
		return -EINVAL;
	}
	if (a->len == 0) {
		snprintf(err, errlen, "%s: a /0 subnet holds every address",
			 buf);
		return -EINVAL;
	}
	if (a->len + 1 >= bits) /* /31, /32, /127, /128: every address */
		return 0;
	if (host_bits_all(a, 0)) {
		snprintf(err, errlen, "%s is the subnet's own address%s", buf,
			 a->addr.family == AF_INET6 ? " (the subnet-router "
			 "anycast address)" : "");
		return -EINVAL;
	}
	if (a->addr.family == AF_INET && host_bits_all(a, 1)) {
		snprintf(err, errlen, "%s is the subnet's broadcast address",
			 buf);
		return -EINVAL;
	}
	return 0;
}

int ip_check_gateway(const struct ip_addr *a, char *err, size_t errlen)
{
	struct ip_prefix host = {*a, ip_bits(a->family)};
	char buf[IP_STRLEN + 8];
	bool ll;
	const char *what = ip_special(&host, &ll);

	if (!what)
		return 0;
	ip_format_addr(a, buf, sizeof(buf));
	if (ll)
		snprintf(err, errlen, "%s is %s: it needs a device, which a "
			 "next hop here does not name; give the gateway's "
			 "global address", buf, what);
	else
		snprintf(err, errlen, "%s is %s: not a next hop", buf, what);
	return -EINVAL;
}

int ip_check_subnet(const struct ip_prefix *p, char *err, size_t errlen)
{
	char buf[IP_STRLEN + 8];
	bool ll;
	const char *what = ip_special(p, &ll);

	if (!what || ll)
		return 0;
	snprintf(err, errlen, "%s is %s: no packet of a zone comes from or "
		 "goes to it", ip_format_prefix(p, buf, sizeof(buf)), what);
	return -EINVAL;
}
