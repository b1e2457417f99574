// SPDX-License-Identifier: BSD-2-Clause
/*
 * Zones with a wrong setting (still zones for the links and routes that
 * use them), routes, address sets, firewall rules and ports: duplicates
 * and their equivalent forms (default and 0.0.0.0/0 or ::/0, an aggregate
 * written out, a connected subnet, a child's block), next hops twice, our
 * own UDP ports against each other and the gateway's daemons, the VXLAN
 * MTU, the collector's URL; as validate reports them (exact FILE:LINE:
 * SETTING: message lines, both places named).
 */
#include "tests/unit/loadcase.h"

/* the base routes (lines 8, 9) and one more at line 10 */
#define ROUTES_PLUS(r)                                                         \
	P8_ROUTE "{ zone = \"internet\"; to = \"default\"; family = "          \
		 "\"ipv4\"; via = \"gateway:isp\"; },\n" r " );\n"
#define WITH_ROUTE(r) P_HEAD P_LINKS ROUTES_PLUS(r) P10_PROBE
/* the base profile with a firewall at line 11 */
#define WITH_FW(f) BASE_PROFILE "firewall = { " f " };\n"
/* a vxlan link at line 8; the routes at 9, 10 and the probe at 11 */
#define WITH_VXLAN(v, probe)                                                   \
	P_HEAD P4_UP P5_DOWN P6_LAN                                            \
	"{ role = \"internet\"; zone = \"internet\"; plan = \"extranet\"; "   \
	"},\n{ role = \"internet\"; kind = \"vxlan\"; name = \"eg-vx\"; zone " \
	"= \"internet\"; vni = 9; underlay = \"uplink\"; " v " } );\n"       \
	P8_ROUTE P9_ROUTE probe
#define NODE_URL(u) N1_NODE N2_IFACES N3_ADDRS N4_GWS \
	"collector = { url = \"" u "\"; };\n"

/* the base profile with zone common's settings c at line 3 */
#define WITH_ZONE(c, internet)                                                 \
	P1_HEAD P2_PLAN "zones = { common = { " c " }; internet = { "          \
	internet " }; };\n" P_LINKS P8_ROUTE P9_ROUTE P10_PROBE
#define OUT_OF_RANGE "is out of range 1..2147483647"

#define KERNEL_ONE "the kernel holds one route per table, destination and metric"

static const struct lcase cases[] = {
	/* a zone with a wrong setting is still a zone: the three links and
	 * the route that use common report nothing */
	{"a zone table of 0", WITH_ZONE("table = 0;", "table = 102;"), NULL,
	 NULL, {{F_PROFILE, 3, "zones.common.table", "0 " OUT_OF_RANGE}}},
	{"a zone table past 31 bits",
	 WITH_ZONE("table = 2147483648;", "table = 102;"), NULL, NULL,
	 {{F_PROFILE, 3, "zones.common.table", "2147483648 " OUT_OF_RANGE}}},
	{"a zone without a table",
	 WITH_ZONE("description = \"x\";", "table = 102;"), NULL, NULL,
	 {{F_PROFILE, 3, "zones.common", "missing required setting 'table'"}}},
	{"a zone with an unknown setting, its table taken",
	 WITH_ZONE("table = 100; colour = 1;", "table = 100;"), NULL, NULL,
	 {{F_PROFILE, 3, "zones.common.colour", "unknown setting"},
	  {F_PROFILE, 3, "zones.internet.table",
	   "table 100 is already used by zone common (line 3)"}}},

	/* routes of the profile */
	{"the same route twice",
	 WITH_ROUTE("{ zone = \"common\"; to = \"default\"; via = \"parent\"; "
		    "}"),
	 NULL, NULL,
	 {{F_PROFILE, 10, "to",
	   "the route to default in zone common (metric 0) is already given at "
	   "line 8: " KERNEL_ONE}}},
	{"default beside 0.0.0.0/0",
	 WITH_ROUTE("{ zone = \"common\"; to = \"0.0.0.0/0\"; type = "
		    "\"blackhole\"; }"),
	 NULL, NULL,
	 {{F_PROFILE, 10, "to",
	   "the ipv4 route to 0.0.0.0/0 (default) in zone common (metric 0) is "
	   "already given at line 8: " KERNEL_ONE}}},
	{"::/0 beside default",
	 WITH_ROUTE("{ zone = \"common\"; to = \"::/0\"; via = \"parent\"; }"),
	 NULL, NULL,
	 {{F_PROFILE, 10, "to",
	   "the ipv6 route to ::/0 (default) in zone common (metric 0) is "
	   "already given at line 8: " KERNEL_ONE}}},
	{"0.0.0.0/0 beside an IPv4 default",
	 WITH_ROUTE("{ zone = \"internet\"; to = \"0.0.0.0/0\"; via = "
		    "\"gateway:isp\"; }"),
	 NULL, NULL,
	 {{F_PROFILE, 10, "to",
	   "the ipv4 route to 0.0.0.0/0 (default) in zone internet (metric 0) "
	   "is already given at line 9: " KERNEL_ONE}}},
	{"::/0 beside an IPv4 default is another route",
	 P_HEAD P_LINKS P8_ROUTE P9_ROUTE P10_PROBE, NULL, NULL, {{0}}},
	{"the same default at another metric is another route",
	 WITH_ROUTE("{ zone = \"common\"; to = \"default\"; type = "
		    "\"unreachable\"; metric = 9000; }"),
	 NULL, NULL, {{0}}},
	{"a blackhole and a unicast route to one prefix",
	 WITH_ROUTE("{ zone = \"common\"; to = \"10.99.0.0/16\"; via = "
		    "\"parent\"; },\n{ zone = \"common\"; to = \"10.99.0.0/16\"; "
		    "type = \"blackhole\"; }"),
	 NULL, NULL,
	 {{F_PROFILE, 11, "to",
	   "the ipv4 route to 10.99.0.0/16 in zone common (metric 0) is "
	   "already given at line 10: " KERNEL_ONE}}},
	{"children twice",
	 WITH_ROUTE("{ zone = \"common\"; to = \"children\"; },\n{ zone = "
		    "\"common\"; to = \"children\"; type = \"blackhole\"; }"),
	 NULL, NULL,
	 {{F_PROFILE, 11, "to",
	   "the route to the children in zone common (metric 0) is already "
	   "given at line 10: " KERNEL_ONE}}},
	{"a prefix with host bits set",
	 WITH_ROUTE("{ zone = \"common\"; to = \"10.99.0.1/16\"; via = "
		    "\"parent\"; }"),
	 NULL, NULL,
	 {{F_PROFILE, 10, "routes[2].to",
	   "'10.99.0.1/16' is not default, children, aggregate or a prefix "
	   "('10.99.0.1/16' has host bits set (the subnet is 10.99.0.0/16))"}}},
	{"a route to multicast space",
	 WITH_ROUTE("{ zone = \"common\"; to = \"224.0.0.0/4\"; type = "
		    "\"blackhole\"; }"),
	 NULL, NULL,
	 {{F_PROFILE, 10, "routes[2].to",
	   "224.0.0.0/4 is multicast (224.0.0.0/4): no packet of a zone comes "
	   "from or goes to it"}}},
	{"a next hop twice",
	 P_HEAD P_LINKS P8_ROUTE
	 "{ zone = \"internet\"; to = \"default\"; family = \"ipv4\"; via = [ "
	 "\"gateway:isp\", \"gateway:isp\" ]; } );\n" P10_PROBE,
	 NULL, NULL,
	 {{F_PROFILE, 9, "routes[1].via[1]",
	   "next hop 'gateway:isp' is listed twice"}}},

	/* routes that become one once resolved */
	{"the aggregate written out",
	 WITH_ROUTE("{ zone = \"common\"; to = \"aggregate\"; type = "
		    "\"blackhole\"; },\n{ zone = \"common\"; to = "
		    "\"10.16.64.128/25\"; type = \"blackhole\"; }"),
	 NULL, NULL,
	 {{F_PROFILE, 11, "to",
	   "the route to 10.16.64.128/25 in zone common (metric 0) is already "
	   "given at @/p.conf:10 (to)"}}},
	{"a connected subnet",
	 WITH_ROUTE("{ zone = \"internet\"; to = \"192.0.2.32/29\"; type = "
		    "\"blackhole\"; }"),
	 NULL, NULL,
	 {{F_PROFILE, 10, "to",
	   "the route to 192.0.2.32/29 in zone internet (metric 0) is already "
	   "given at @/n.conf:3 (addresses.internet[0], connected)"}}},
	{"a child's block",
	 WITH_ROUTE("{ zone = \"common\"; to = \"children\"; },\n{ zone = "
		    "\"common\"; to = \"fd45:676e:410:404::/62\"; type = "
		    "\"unreachable\"; }"),
	 NULL, NULL,
	 {{F_PROFILE, 11, "to",
	   "the route to fd45:676e:410:404::/62 in zone common (metric 0) is "
	   "already given at @/p.conf:10 (to, child 210102001001)"}}},

	/* address sets and rules */
	{"a set with multicast space",
	 WITH_FW("sets = { noc = [ \"10.8.0.0/24\", \"ff00::/8\" ]; };"), NULL,
	 NULL,
	 {{F_PROFILE, 11, "firewall.sets.noc[1]",
	   "ff00::/8 is multicast (ff00::/8): no packet of a zone comes from or "
	   "goes to it"}}},
	{"a prefix twice in a set",
	 WITH_FW("sets = { noc = [ \"10.8.0.0/24\",\n \"10.8.0.0/24\" ]; };"),
	 NULL, NULL,
	 {{F_PROFILE, 12, "firewall.sets.noc[1]",
	   "'10.8.0.0/24' is listed twice in set noc (first at line 11)"}}},
	{"a prefix inside another of the set",
	 WITH_FW("sets = { noc = [ \"10.8.0.0/16\",\n \"10.8.1.0/24\" ]; };"),
	 NULL, NULL,
	 {{F_PROFILE, 12, "firewall.sets.noc[1]",
	   "'10.8.1.0/24' is inside '10.8.0.0/16' (line 11) of set noc"}}},
	{"a prefix holding another of the set",
	 WITH_FW("sets = { noc = [ \"fd45::/64\",\n \"fd45::/16\" ]; };"), NULL,
	 NULL,
	 {{F_PROFILE, 12, "firewall.sets.noc[1]",
	   "'fd45::/16' holds 'fd45::/64' (line 11) of set noc"}}},
	{"the same prefix in two sets",
	 WITH_FW("sets = { noc = [ \"10.8.0.0/24\" ]; ops = [ \"10.8.0.0/24\" "
		 "]; };"),
	 NULL, NULL, {{0}}},
	{"a service twice in a rule",
	 WITH_FW("rules = ( { from = \"common\"; to = \"local\"; services = [ "
		 "\"ssh\", \"ssh\" ]; action = \"accept\"; } );"),
	 NULL, NULL,
	 {{F_PROFILE, 11, "firewall.rules[0].services[1]",
	   "service 'ssh' is listed twice"}}},
	{"a rule an earlier one covers",
	 WITH_FW("rules = ( { from = \"common\"; to = \"local\"; action = "
		 "\"accept\"; },\n{ from = \"common\"; to = \"local\"; services = "
		 "[ \"ssh\" ]; action = \"accept\"; } );"),
	 NULL, NULL,
	 {{F_PROFILE, 12, "services",
	   "adds nothing: line 11 already accepts any service common -> "
	   "local"}}},
	{"the same rule twice",
	 WITH_FW("rules = ( { from = \"common\"; to = \"local\"; services = [ "
		 "\"ssh\", \"snmp\" ]; action = \"drop\"; },\n{ from = "
		 "\"common\"; to = \"local\"; services = [ \"snmp\" ]; action = "
		 "\"drop\"; } );"),
	 NULL, NULL,
	 {{F_PROFILE, 12, "services",
	   "adds nothing: line 11 already drops these services common -> "
	   "local"}}},
	{"a narrower rule before a wider one",
	 WITH_FW("rules = ( { from = \"common\"; to = \"local\"; services = [ "
		 "\"ssh\" ]; action = \"accept\"; },\n{ from = \"common\"; to = "
		 "\"local\"; action = \"accept\"; } );"),
	 NULL, NULL, {{0}}},

	/* our own ports */
	{"VXLAN port equal to the probe port",
	 WITH_VXLAN("port = 7789; mtu = 1450;", P10_PROBE), NULL, NULL,
	 {{F_PROFILE, 8, "port",
	   "VXLAN port 7789 is the probe port (probe.port at line 11): one UDP "
	   "socket would get both"}}},
	{"VXLAN port equal to the default probe port",
	 WITH_VXLAN("port = 7789; mtu = 1450;", ""), NULL, NULL,
	 {{F_PROFILE, 8, "port",
	   "VXLAN port 7789 is the probe port (probe.port by default): one UDP "
	   "socket would get both"}}},
	{"VXLAN port of the DNS",
	 WITH_VXLAN("port = 53; mtu = 1450;", P10_PROBE), NULL, NULL,
	 {{F_PROFILE, 8, "port",
	   "port 53 is the builtin dns service's (udp/53), a daemon of the "
	   "gateway"}}},
	{"probe port of snmpd", P_HEAD P_LINKS P8_ROUTE P9_ROUTE
	 "probe = { port = 161; };\n", NULL, NULL,
	 {{F_PROFILE, 10, "probe.port",
	   "port 161 is the builtin snmp service's (udp/161), a daemon of the "
	   "gateway"}}},
	{"VXLAN MTU with no room for its headers",
	 WITH_VXLAN("mtu = 1460;", P10_PROBE), NULL, NULL,
	 {{F_PROFILE, 8, "mtu",
	   "mtu 1460 leaves no room for the VXLAN headers (50 bytes over IPv4) "
	   "on the uplink link's mtu 1500 (line 4): at most 1450"}}},
	{"VXLAN MTU over an IPv6 underlay",
	 P1_HEAD
	 "plans = { extranet = { ipv6 = { prefix = \"fd45:676e::/32\"; bits = "
	 "{ city = 6; county = 7; township = 9; village = 8; }; link = 127; "
	 "lan = 64; }; }; };\n"
	 P3_ZONES P4_UP P5_DOWN P6_LAN
	 "{ role = \"internet\"; zone = \"internet\"; plan = \"extranet\"; "
	 "},\n{ role = \"internet\"; kind = \"vxlan\"; name = \"eg-vx\"; zone "
	 "= \"internet\"; vni = 9; underlay = \"uplink\"; mtu = 1450; } );\n"
	 P8_ROUTE P9_ROUTE P10_PROBE,
	 NULL, NULL,
	 {{F_PROFILE, 8, "mtu",
	   "mtu 1450 leaves no room for the VXLAN headers (70 bytes over IPv6) "
	   "on the uplink link's mtu 1500 (line 4): at most 1430"}}},

	/* the collector's URL */
	{"collector port not the collector's", NULL,
	 NODE_URL("https://10.8.0.10:9443/report"), NULL,
	 {{F_NODE, 5, "collector.url",
	   "port 9443 is not the collector's port 8443 "
	   "(firewall.collector_port of @/p.conf, by default)"}}},
	{"collector URL without a port", NULL, NODE_URL("https://collector"),
	 NULL,
	 {{F_NODE, 5, "collector.url",
	   "port 443 is not the collector's port 8443 "
	   "(firewall.collector_port of @/p.conf, by default)"}}},
	{"collector source neither a word nor an address", NULL,
	 N1_NODE N2_IFACES N3_ADDRS N4_GWS
	 "collector = { url = \"https://10.8.0.10:8443\"; source = \"eth0\"; };\n",
	 NULL,
	 {{F_NODE, 5, "collector.source",
	   "'eth0' is neither \"uplink\", \"none\" nor an IPv4 or IPv6 "
	   "address"}}},
	{"collector source an address", NULL,
	 N1_NODE N2_IFACES N3_ADDRS N4_GWS
	 "collector = { url = \"https://10.8.0.10:8443\"; source = \"10.16.64.130\"; };\n",
	 NULL, {{0}}},
	{"collector over plain http", NULL,
	 NODE_URL("http://10.8.0.10:8443"), NULL,
	 {{F_NODE, 5, "collector.url",
	   "plain http sends reports unencrypted and unauthenticated: use "
	   "https://, or set collector.allow_http = true"}}},
	{"collector URL in IPv6", NULL, NODE_URL("https://[fd45::10]:8443"),
	 NULL, {{0}}},
	{"collector URL of another scheme", NULL, NODE_URL("ftp://10.8.0.10"),
	 NULL,
	 {{F_NODE, 5, "collector.url",
	   "'ftp://10.8.0.10' is not an http:// or https:// URL"}}},
	{"collector port 0", NULL, NODE_URL("https://10.8.0.10:0"), NULL,
	 {{F_NODE, 5, "collector.url",
	   "'https://10.8.0.10:0': the port must be 1..65535"}}},
	{"collector port 65536", NULL, NODE_URL("https://10.8.0.10:65536"),
	 NULL,
	 {{F_NODE, 5, "collector.url",
	   "'https://10.8.0.10:65536': the port must be 1..65535"}}},
	{"collector URL without a host", NULL, NODE_URL("https://:8443"), NULL,
	 {{F_NODE, 5, "collector.url",
	   "'https://:8443': no host, or a host that is not a name or an "
	   "address"}}},
	{"collector URL with a bad address", NULL,
	 NODE_URL("https://10.8.0.300:8443"), NULL,
	 {{F_NODE, 5, "collector.url",
	   "'https://10.8.0.300:8443': '10.8.0.300' is not an IPv4 or IPv6 "
	   "address"}}},
	{"collector URL with an open bracket", NULL,
	 NODE_URL("https://[fd45::10:8443"), NULL,
	 {{F_NODE, 5, "collector.url",
	   "'https://[fd45::10:8443': the host in [ ] must be an IPv6 "
	   "address"}}},

	/* several in one run */
	{"three problems in one run",
	 P_HEAD P4_UP P5_DOWN P6_LAN
	 "{ role = \"internet\"; zone = \"internet\"; plan = \"extranet\"; "
	 "},\n{ role = \"internet\"; kind = \"vxlan\"; name = \"eg-vx\"; zone "
	 "= \"internet\"; vni = 9; port = 7789; mtu = 1450; } );\n"
	 P8_ROUTE
	 "{ zone = \"common\"; to = \"0.0.0.0/0\"; via = \"parent\"; } );\n"
	 P10_PROBE "firewall = { sets = { noc = [ \"10.8.0.0/24\", "
	 "\"10.8.0.0/25\" ]; }; };\n",
	 NULL, NULL,
	 {{F_PROFILE, 8, "port",
	   "VXLAN port 7789 is the probe port (probe.port at line 11): one UDP "
	   "socket would get both"},
	  {F_PROFILE, 10, "to",
	   "the ipv4 route to 0.0.0.0/0 (default) in zone common (metric 0) is "
	   "already given at line 9: " KERNEL_ONE},
	  {F_PROFILE, 12, "firewall.sets.noc[1]",
	   "'10.8.0.0/25' is inside '10.8.0.0/24' (line 12) of set noc"}}},
};

int main(void)
{
	return run_cases("routes", cases, ROWS_N(cases), NULL, 0);
}
