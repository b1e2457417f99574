/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv4 and IPv6 addresses and prefixes as plain bit strings, so that the
 * address plan can carve subnets the same way in both families.  Bit 0 is the
 * most significant bit of the address.  Helpers return 0 or -errno and write
 * the reason into the caller's buffer.
 */
#ifndef EGNET_IP_H
#define EGNET_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define IP_STRLEN 64 /* fits "ffff:...:ffff/128" */

struct ip_addr {
	int family; /* AF_INET or AF_INET6; 0 when unset */
	uint8_t a[16];
};

/* An address with a prefix length: a subnet, or an interface address. */
struct ip_prefix {
	struct ip_addr addr;
	unsigned len;
};

/* 32 or 128; 0 for an unset family. */
unsigned ip_bits(int family);

/* Parse an address (no length). */
int ip_parse_addr(const char *s, struct ip_addr *out, char *err, size_t errlen);

/*
 * Parse "ADDR/LEN".  With `strict`, host bits must be zero (a subnet);
 * without, they are kept (an interface address).  A missing "/LEN" is the
 * full length.
 */
int ip_parse_prefix(const char *s, bool strict, struct ip_prefix *out,
		    char *err, size_t errlen);

char *ip_format_addr(const struct ip_addr *a, char *buf, size_t len);
char *ip_format_prefix(const struct ip_prefix *p, char *buf, size_t len);

/* Set `width` (<= 64) bits starting at bit `pos` to the low bits of v. */
void ip_set_bits(struct ip_addr *a, unsigned pos, unsigned width, uint64_t v);

/* Add n to the address (wrapping within the family's width). */
void ip_add(struct ip_addr *a, uint64_t n);

/* Clear the bits past len. */
void ip_mask(struct ip_addr *a, unsigned len);

/* True when p (len bits) holds q entirely. */
bool ip_prefix_contains(const struct ip_prefix *p, const struct ip_prefix *q);

/* True when the two subnets share an address. */
bool ip_prefix_overlap(const struct ip_prefix *p, const struct ip_prefix *q);

/*
 * The special range that holds all of p (an address: len = its full
 * length), most specific first, as words for a message ("multicast
 * (224.0.0.0/4)"), or NULL for ordinary unicast space.  *link_local, when
 * not NULL, tells whether that range is link-local (169.254.0.0/16,
 * fe80::/10): routable on one link, where the rest can be no host's.
 */
const char *ip_special(const struct ip_prefix *p, bool *link_local);

/* The first special range that shares an address with p, or NULL. */
const char *ip_special_overlap(const struct ip_prefix *p);

/*
 * An address a gateway can put on an interface with that length: not in a
 * special range (link-local ones included: the kernel makes those, the
 * agent leaves them alone), not /0, and not the subnet's own (all host bits
 * zero) or broadcast (all ones, IPv4) address where the subnet has them
 * (up to /30, /126).  0 or -EINVAL with the reason, naming a.
 */
int ip_check_host(const struct ip_prefix *a, char *err, size_t errlen);

/* A next hop: unicast and not link-local.  0 or -EINVAL, naming a. */
int ip_check_gateway(const struct ip_addr *a, char *err, size_t errlen);

/*
 * A destination or a source subnet: not held by a range no packet of ours
 * comes from or goes to (loopback, multicast, broadcast, class E, the
 * unspecified address, IPv4-mapped).  0 or -EINVAL, naming p.
 */
int ip_check_subnet(const struct ip_prefix *p, char *err, size_t errlen);

/* Compare two addresses, family first; for sorting. */
int ip_cmp(const struct ip_addr *x, const struct ip_addr *y);

#endif
