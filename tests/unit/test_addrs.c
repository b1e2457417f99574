// SPDX-License-Identifier: BSD-2-Clause
/*
 * Addresses and next hops: the special ranges of ip.c one by one, then
 * the node config's addresses and gateways, the profile's next hops and
 * plan roots, and the addresses the plan and the node config give links,
 * as validate reports them (exact FILE:LINE: SETTING: message lines, both
 * places named for a collision).
 */
#include "tests/unit/loadcase.h"

#include "common/ip.h"

enum check { HOST, GATEWAY, SUBNET };

struct addr_row {
	enum check check;
	const char *in; /* ADDR/LEN for HOST and SUBNET, ADDR for GATEWAY */
	const char *err; /* NULL: accepted */
};

static const struct addr_row addr_rows[] = {
	{HOST, "192.0.2.34/29", NULL},
	{HOST, "192.0.2.32/31", NULL}, /* RFC 3021: both ends are hosts */
	{HOST, "192.0.2.33/31", NULL},
	{HOST, "192.0.2.32/32", NULL},
	{HOST, "2001:db8::/127", NULL},
	{HOST, "2001:db8::ffff:ffff:ffff:ffff/64", NULL}, /* no broadcast */
	{HOST, "0.0.0.0/29",
	 "0.0.0.0/29 is the unspecified address: no address for an "
	 "interface"},
	{HOST, "0.1.2.3/8",
	 "0.1.2.3/8 is 'this network' (0.0.0.0/8): no address for an "
	 "interface"},
	{HOST, "127.0.0.2/8",
	 "127.0.0.2/8 is loopback (127.0.0.0/8): no address for an interface"},
	{HOST, "169.254.1.1/16",
	 "169.254.1.1/16 is link-local (169.254.0.0/16): no address for an "
	 "interface"},
	{HOST, "224.0.0.5/24",
	 "224.0.0.5/24 is multicast (224.0.0.0/4): no address for an "
	 "interface"},
	{HOST, "239.255.255.255/32",
	 "239.255.255.255/32 is multicast (224.0.0.0/4): no address for an "
	 "interface"},
	{HOST, "240.0.0.1/24",
	 "240.0.0.1/24 is reserved (240.0.0.0/4, class E): no address for an "
	 "interface"},
	{HOST, "255.255.255.255/32",
	 "255.255.255.255/32 is the limited broadcast address: no address for "
	 "an interface"},
	{HOST, "192.0.2.32/29", "192.0.2.32/29 is the subnet's own address"},
	{HOST, "192.0.2.39/29",
	 "192.0.2.39/29 is the subnet's broadcast address"},
	{HOST, "10.255.255.255/8",
	 "10.255.255.255/8 is the subnet's broadcast address"},
	{HOST, "192.0.2.34/0", "192.0.2.34/0: a /0 subnet holds every address"},
	{HOST, "::/64",
	 "::/64 is the unspecified address: no address for an interface"},
	{HOST, "::1/128", "::1/128 is loopback (::1): no address for an "
			  "interface"},
	{HOST, "::ffff:192.0.2.1/120",
	 "::ffff:192.0.2.1/120 is IPv4-mapped (::ffff:0:0/96): no address "
	 "for an interface"},
	{HOST, "fe80::1/64",
	 "fe80::1/64 is link-local (fe80::/10): no address for an interface"},
	{HOST, "ff02::1/64",
	 "ff02::1/64 is multicast (ff00::/8): no address for an interface"},
	{HOST, "2001:db8::/64",
	 "2001:db8::/64 is the subnet's own address (the subnet-router "
	 "anycast address)"},
	{GATEWAY, "192.0.2.33", NULL},
	{GATEWAY, "2001:db8::1", NULL},
	{GATEWAY, "0.0.0.0", "0.0.0.0 is the unspecified address: not a next "
			     "hop"},
	{GATEWAY, "::", "::" " is the unspecified address: not a next hop"},
	{GATEWAY, "255.255.255.255",
	 "255.255.255.255 is the limited broadcast address: not a next hop"},
	{GATEWAY, "224.0.0.9",
	 "224.0.0.9 is multicast (224.0.0.0/4): not a next hop"},
	{GATEWAY, "127.0.0.1",
	 "127.0.0.1 is loopback (127.0.0.0/8): not a next hop"},
	{GATEWAY, "fe80::1",
	 "fe80::1 is link-local (fe80::/10): it needs a device, which a next "
	 "hop here does not name; give the gateway's global address"},
	{SUBNET, "0.0.0.0/0", NULL},
	{SUBNET, "::/0", NULL},
	{SUBNET, "10.0.0.0/8", NULL},
	{SUBNET, "169.254.0.0/16", NULL}, /* routable on one link */
	{SUBNET, "127.0.0.0/8",
	 "127.0.0.0/8 is loopback (127.0.0.0/8): no packet of a zone comes "
	 "from or goes to it"},
	{SUBNET, "224.0.0.0/4",
	 "224.0.0.0/4 is multicast (224.0.0.0/4): no packet of a zone comes "
	 "from or goes to it"},
	{SUBNET, "ff00::/8",
	 "ff00::/8 is multicast (ff00::/8): no packet of a zone comes from or "
	 "goes to it"},
	{SUBNET, "240.0.0.0/5",
	 "240.0.0.0/5 is reserved (240.0.0.0/4, class E): no packet of a zone "
	 "comes from or goes to it"},
};

static void test_addr_row(void **state)
{
	const struct addr_row *r = *state;
	struct ip_prefix p;
	char err[256];
	int rc;

	memset(err, 'Z', sizeof(err) - 1);
	err[sizeof(err) - 1] = '\0';
	assert_int_equal(ip_parse_prefix(r->in, false, &p, err, sizeof(err)),
			 0);
	if (r->check == HOST)
		rc = ip_check_host(&p, err, sizeof(err));
	else if (r->check == GATEWAY)
		rc = ip_check_gateway(&p.addr, err, sizeof(err));
	else
		rc = ip_check_subnet(&p, err, sizeof(err));
	if (!r->err) {
		assert_int_equal(rc, 0);
		return;
	}
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err, r->err);
}

#define NODE_ADDRS(a)                                                          \
	N1_NODE N2_IFACES "addresses = { " a " };\n" N4_GWS N5_COLL
#define NODE_GW(g) N1_NODE N2_IFACES N3_ADDRS "gateways = { " g " };\n" N5_COLL
#define PLAN4(prefix)                                                          \
	"plans = { extranet = { ipv4 = { prefix = \"" prefix "\"; bits = { "  \
	"city = 4; county = 7; township = 6; }; link = 30; }; }; };\n"
#define ROUTES_VIA(v)                                                          \
	P8_ROUTE "{ zone = \"internet\"; to = \"default\"; family = "          \
		 "\"ipv4\"; via = " v "; } );\n" P10_PROBE

static const struct lcase cases[] = {
	/* the node config's addresses: class by class */
	{"unspecified address", NULL,
	 NODE_ADDRS("internet = [ \"0.0.0.0/29\" ];"), NULL,
	 {{F_NODE, 3, "addresses.internet[0]",
	   "0.0.0.0/29 is the unspecified address: no address for an "
	   "interface"}}},
	{"multicast address", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.34/29\", \"239.1.1.1/24\" ];"),
	 NULL,
	 {{F_NODE, 3, "addresses.internet[1]",
	   "239.1.1.1/24 is multicast (224.0.0.0/4): no address for an "
	   "interface"}}},
	{"limited broadcast address", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.34/29\", \"255.255.255.255/32\" "
		    "];"),
	 NULL,
	 {{F_NODE, 3, "addresses.internet[1]",
	   "255.255.255.255/32 is the limited broadcast address: no address "
	   "for an interface"}}},
	{"network address", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.32/29\" ];"), NULL,
	 {{F_NODE, 3, "addresses.internet[0]",
	   "192.0.2.32/29 is the subnet's own address"}}},
	{"broadcast address of the subnet", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.39/29\" ];"), NULL,
	 {{F_NODE, 3, "addresses.internet[0]",
	   "192.0.2.39/29 is the subnet's broadcast address"}}},
	{"a /31 uses both addresses", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.32/31\" ];"), NULL, {{0}}},
	{"IPv6 link-local address", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.34/29\", \"fe80::2/64\" ];"), NULL,
	 {{F_NODE, 3, "addresses.internet[1]",
	   "fe80::2/64 is link-local (fe80::/10): no address for an "
	   "interface"}}},
	{"IPv6 subnet-router anycast address", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.34/29\", \"2001:db8:10::/64\" ];"),
	 NULL,
	 {{F_NODE, 3, "addresses.internet[1]",
	   "2001:db8:10::/64 is the subnet's own address (the subnet-router "
	   "anycast address)"}}},
	{"loopback address", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.34/29\" ];\n lan = [ "
		    "\"127.0.0.2/8\" ];"),
	 NULL,
	 {{F_NODE, 4, "addresses.lan[0]",
	   "127.0.0.2/8 is loopback (127.0.0.0/8): no address for an "
	   "interface"}}},
	{"class E address", NULL,
	 NODE_ADDRS("internet = [ \"250.1.1.1/24\" ];"), NULL,
	 {{F_NODE, 3, "addresses.internet[0]",
	   "250.1.1.1/24 is reserved (240.0.0.0/4, class E): no address for an "
	   "interface"}}},

	/* the same address twice */
	{"address twice in one role", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.34/29\",\n \"192.0.2.34/28\" ];"),
	 NULL,
	 {{F_NODE, 4, "addresses.internet[1]",
	   "address 192.0.2.34 is already addresses.internet[0] (line 3)"}}},
	{"address in two roles", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.34/29\" ];\n lan = [ "
		    "\"192.0.2.34/29\" ];"),
	 NULL,
	 {{F_NODE, 4, "addresses.lan[0]",
	   "address 192.0.2.34 is already addresses.internet[0] (line 3)"}}},
	{"node config address that the plan gives the same link", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.34/29\" ];\n uplink = [ "
		    "\"10.16.64.130/30\" ];"),
	 NULL,
	 {{F_NODE, 4, "addresses.uplink[0]",
	   "address 10.16.64.130 is already eth0's, given at @/p.conf:4 "
	   "(plan)"}}},
	{"node config address that the plan gives another link", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.34/29\", \"10.16.64.193/26\" ];"),
	 NULL,
	 {{F_NODE, 3, "addresses.internet[1]",
	   "address 10.16.64.193 is already eg-lan's, given at @/p.conf:6 "
	   "(plan)"}}},
	{"plan address on two links",
	 P_HEAD P4_UP P5_DOWN P6_LAN
	 "{ role = \"internet\"; zone = \"internet\"; },\n"
	 "{ role = \"uplink\"; kind = \"vxlan\"; name = \"eg-vx\"; zone = "
	 "\"common\"; vni = 9; mtu = 1450; } );\n" P8_ROUTE P9_ROUTE P10_PROBE,
	 NULL, NULL,
	 {{F_PROFILE, 8, "plan",
	   "address 10.16.64.130 is already eth0's, given at @/p.conf:4 "
	   "(plan)"},
	  {F_PROFILE, 8, "plan",
	   "address fd45:676e:410:400::1 is already eth0's, given at "
	   "@/p.conf:4 (plan)"}}},
	{"subnets of two links overlap", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.34/29\", \"10.16.64.200/26\" ];"),
	 NULL,
	 {{F_NODE, 3, "addresses.internet[1]",
	   "subnet 10.16.64.192/26 of eth3 overlaps 10.16.64.192/26 of eg-lan, "
	   "given at @/p.conf:6 (plan)"}}},
	{"subnet holding another link's", NULL,
	 NODE_ADDRS("internet = [ \"192.0.2.34/29\",\n \"10.16.1.1/16\" ];"),
	 NULL,
	 {{F_NODE, 4, "addresses.internet[1]",
	   "subnet 10.16.0.0/16 of eth3 overlaps 10.16.64.128/30 of eth0, "
	   "given at @/p.conf:4 (plan)"}}},

	/* gateways of the node config */
	{"gateway 0.0.0.0", NULL, NODE_GW("isp = \"0.0.0.0\";"), NULL,
	 {{F_NODE, 4, "gateways.isp",
	   "0.0.0.0 is the unspecified address: not a next hop"}}},
	{"multicast gateway", NULL, NODE_GW("isp = \"ff02::2\";"), NULL,
	 {{F_NODE, 4, "gateways.isp",
	   "ff02::2 is multicast (ff00::/8): not a next hop"}}},
	{"link-local gateway", NULL, NODE_GW("isp = \"fe80::1\";"), NULL,
	 {{F_NODE, 4, "gateways.isp",
	   "fe80::1 is link-local (fe80::/10): it needs a device, which a next "
	   "hop here does not name; give the gateway's global address"}}},
	{"gateway on no connected subnet", NULL,
	 NODE_GW("isp = \"192.0.2.99\";"), NULL,
	 {{F_NODE, 4, "gateways.isp",
	   "next hop 192.0.2.99 is on no subnet of zone internet's links: the "
	   "kernel takes a gateway only on a connected subnet (route "
	   "@/p.conf:9)"}}},
	{"gateway on another zone's subnet", NULL,
	 NODE_GW("isp = \"10.16.64.129\";"), NULL,
	 {{F_NODE, 4, "gateways.isp",
	   "next hop 10.16.64.129 is on no subnet of zone internet's links: "
	   "the kernel takes a gateway only on a connected subnet (route "
	   "@/p.conf:9)"}}},
	{"gateway is our own address", NULL, NODE_GW("isp = \"192.0.2.34\";"),
	 NULL,
	 {{F_NODE, 4, "gateways.isp",
	   "192.0.2.34 is this gateway's own address (on eth3, @/n.conf:3) "
	   "(route @/p.conf:9)"}}},
	{"gateway is the subnet's broadcast address", NULL,
	 NODE_GW("isp = \"192.0.2.39\";"), NULL,
	 {{F_NODE, 4, "gateways.isp",
	   "next hop 192.0.2.39 is the own or broadcast address of subnet "
	   "192.0.2.32/29 (route @/p.conf:9)"}}},

	/* next hops and plans of the profile */
	{"route via 0.0.0.0", P_HEAD P_LINKS ROUTES_VIA("\"0.0.0.0\""), NULL,
	 NULL,
	 {{F_PROFILE, 9, "routes[1].via",
	   "0.0.0.0 is the unspecified address: not a next hop"}}},
	{"route via ::",
	 P_HEAD P_LINKS P8_ROUTE
	 "{ zone = \"internet\"; to = \"::/0\"; via = \"::\"; } );\n"
	 P10_PROBE,
	 NULL, NULL,
	 {{F_PROFILE, 9, "routes[1].via",
	   "::" " is the unspecified address: not a next hop"}}},
	{"route via a broadcast address in a multipath",
	 P_HEAD P_LINKS
	 ROUTES_VIA("[ \"192.0.2.33\", \"255.255.255.255\" ]"), NULL, NULL,
	 {{F_PROFILE, 9, "routes[1].via[1]",
	   "255.255.255.255 is the limited broadcast address: not a next "
	   "hop"}}},
	{"route via an address off every subnet",
	 P_HEAD P_LINKS ROUTES_VIA("\"198.51.100.1\""), NULL, NULL,
	 {{F_PROFILE, 9, "via",
	   "next hop 198.51.100.1 is on no subnet of zone internet's links: "
	   "the kernel takes a gateway only on a connected subnet"}}},
	{"plan root in loopback space",
	 P1_HEAD PLAN4("127.0.0.0/8") P3_ZONES P_LINKS P8_ROUTE P9_ROUTE
	 P10_PROBE, NULL, NULL,
	 {{F_PROFILE, 2, "plans.extranet.ipv4.prefix",
	   "'127.0.0.0/8' overlaps loopback (127.0.0.0/8): the plan would give "
	   "out addresses no host can have"}}},
	{"plan root holding class E, multicast and broadcast space",
	 P1_HEAD PLAN4("192.0.0.0/2") P3_ZONES P_LINKS P8_ROUTE P9_ROUTE
	 P10_PROBE, NULL, NULL,
	 {{F_PROFILE, 2, "plans.extranet.ipv4.prefix",
	   "'192.0.0.0/2' overlaps the limited broadcast address: the plan "
	   "would give out addresses no host can have"}}},

	/* a village's address in the inventory is a probe target */
	{"village address multicast", NULL, NULL,
	 BASE_INV "210102001002,v2,224.0.0.1\n",
	 {{F_INV, 7, "address",
	   "'224.0.0.1' is multicast (224.0.0.0/4): no village can be probed "
	   "there"}}},
	{"village address link-local", NULL, NULL,
	 BASE_INV "210102001002,v2,fe80::5\n",
	 {{F_INV, 7, "address",
	   "'fe80::5' is link-local (fe80::/10): no village can be probed "
	   "there"}}},
	{"village address 0.0.0.0", NULL, NULL, BASE_INV "210102001002,v2,0.0.0.0\n",
	 {{F_INV, 7, "address",
	   "'0.0.0.0' is the unspecified address: no village can be probed "
	   "there"}}},

	/* several in one run, in two files */
	{"three address problems in one run",
	 P1_HEAD PLAN4("127.0.0.0/8") P3_ZONES P_LINKS P8_ROUTE P9_ROUTE
	 P10_PROBE,
	 N1_NODE N2_IFACES
	 "addresses = { internet = [ \"224.1.1.1/29\" ]; };\n"
	 "gateways = { isp = \"fe80::1\"; };\n" N5_COLL, NULL,
	 {{F_PROFILE, 2, "plans.extranet.ipv4.prefix",
	   "'127.0.0.0/8' overlaps loopback (127.0.0.0/8): the plan would give "
	   "out addresses no host can have"},
	  {F_NODE, 3, "addresses.internet[0]",
	   "224.1.1.1/29 is multicast (224.0.0.0/4): no address for an "
	   "interface"},
	  {F_NODE, 4, "gateways.isp",
	   "fe80::1 is link-local (fe80::/10): it needs a device, which a next "
	   "hop here does not name; give the gateway's global address"}}},
};

int main(void)
{
	static struct CMUnitTest rows[ROWS_N(addr_rows)];
	static char rname[ROWS_N(addr_rows)][80];
	static const char *const cname[] = {"host", "gateway", "subnet"};

	for (size_t i = 0; i < ROWS_N(addr_rows); i++) {
		snprintf(rname[i], sizeof(rname[i]), "%s %s",
			 cname[addr_rows[i].check], addr_rows[i].in);
		rows[i] = (struct CMUnitTest){rname[i], test_addr_row, NULL,
					      NULL, (void *)&addr_rows[i]};
	}
	return run_cases("addrs", cases, ROWS_N(cases), rows,
			 ROWS_N(addr_rows));
}
