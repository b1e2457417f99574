// SPDX-License-Identifier: BSD-2-Clause
/*
 * Malformed inputs: profiles, node configs and inventories that are wrong in
 * one way each.  Every case asserts the exact problem — file, line, setting
 * and message — and that the good base case gives none, so a loader that
 * stops checking, or names the wrong place, fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/inputs.h"
#include "tests/unit/scratch.h"

#define write_file(name, text) scratch_write((name), (text), -1)

/* Each base part is one line, so a case's line numbers are plain. */
#define L1_HEAD                                                                \
	"profile = { name = \"t\"; version = \"1\"; level = \"township\"; };\n"
#define L2_PLAN                                                                \
	"plans = { extranet = { ipv4 = { prefix = \"10.0.0.0/8\"; bits = { "  \
	"city = 4; county = 7; township = 6; }; link = 30; }; }; };\n"
#define L3_ZONES "zones = { common = { table = 100; }; };\n"
#define L4_LINKS                                                               \
	"links = ( { role = \"uplink\"; zone = \"common\"; }, { role = "       \
	"\"lan\"; kind = \"bridge\"; name = \"eg-lan\"; zone = \"common\"; } " \
	");\n"
#define L5_ROUTES                                                              \
	"routes = ( { zone = \"common\"; to = \"default\"; via = \"parent\"; " \
	"} );\n"
#define GOOD_PROFILE L1_HEAD L2_PLAN L3_ZONES L4_LINKS L5_ROUTES

#define NODE_HEAD(code)                                                        \
	"node = { code = \"" code "\"; name = \"n\"; profile = \"p.conf\"; "   \
	"inventory = \"inv.csv\"; };\n"
#define NODE_IFACES "interfaces = { uplink = \"eth0\"; lan = [ \"eth1\" ]; };\n"
#define GOOD_NODE NODE_HEAD("210102001000") NODE_IFACES

#define GOOD_INV                                                               \
	"code,name,address\n"                                                  \
	"210000000000,p,\n"                                                    \
	"210100000000,c,\n"                                                    \
	"210102000000,d,\n"                                                    \
	"210102001000,t,\n"                                                    \
	"210102001001,v,\n"

enum which { F_PROFILE, F_NODE, F_INV };
static const char *const fnames[] = {"p.conf", "n.conf", "inv.csv"};

struct lcase {
	const char *name;
	const char *profile, *node, *inv; /* NULL: the good one */
	enum which file;		   /* where the problem is */
	int line;
	const char *setting; /* NULL: none */
	const char *msg;     /* exact, or a prefix when ending in '*' */
};

static bool msg_matches(const char *want, const char *got)
{
	size_t n = strlen(want);

	if (n && want[n - 1] == '*')
		return strncmp(want, got, n - 1) == 0;
	return strcmp(want, got) == 0;
}

static void run_case(const struct lcase *c)
{
	struct inputs in;
	struct diag d;
	char node_path[128], want_file[128];
	bool found = false;

	write_file("p.conf", c->profile ? c->profile : GOOD_PROFILE);
	write_file("n.conf", c->node ? c->node : GOOD_NODE);
	write_file("inv.csv", c->inv ? c->inv : GOOD_INV);
	snprintf(node_path, sizeof(node_path), "%s/n.conf", dir);
	snprintf(want_file, sizeof(want_file), "%s/%s", dir, fnames[c->file]);

	diag_init(&d);
	assert_int_not_equal(inputs_load(&in, node_path, NULL, NULL, &d), 0);
	for (size_t i = 0; i < d.n && !found; i++) {
		const struct diag_item *it = &d.items[i];

		found = it->file && strcmp(it->file, want_file) == 0 &&
			it->line == c->line &&
			((!c->setting && !it->setting) ||
			 (c->setting && it->setting &&
			  strcmp(c->setting, it->setting) == 0)) &&
			msg_matches(c->msg, it->msg);
	}
	if (!found) {
		print_message("case %s: want %s:%d: %s: %s\n", c->name,
			      fnames[c->file], c->line,
			      c->setting ? c->setting : "-", c->msg);
		print_diag(&d);
	}
	inputs_free(&in);
	diag_free(&d);
	assert_true(found);
}

static const struct lcase cases[] = {
	/* ---- profiles ---- */
	{"unknown role",
	 L1_HEAD L2_PLAN L3_ZONES
	 "links = ( { role = \"upstream\"; zone = \"common\"; } );\n",
	 NULL, NULL, F_PROFILE, 4, "links[0].role",
	 "unknown value 'upstream' (one of: uplink, downlink, lan, internet)"},
	{"unknown link kind",
	 L1_HEAD L2_PLAN L3_ZONES
	 "links = ( { role = \"uplink\"; kind = \"tunnel\"; zone = \"common\"; "
	 "} );\n",
	 NULL, NULL, F_PROFILE, 4, "links[0].kind",
	 "unknown value 'tunnel' (one of: physical, bridge, vxlan)"},
	{"mtu out of range",
	 L1_HEAD L2_PLAN L3_ZONES
	 "links = ( { role = \"uplink\"; zone = \"common\";\n mtu = 100; } );\n",
	 NULL, NULL, F_PROFILE, 5, "links[0].mtu",
	 "100 is out of range 1280..9216"},
	{"mtu of the wrong type",
	 L1_HEAD L2_PLAN L3_ZONES
	 "links = ( { role = \"uplink\"; zone = \"common\"; mtu = \"1500\"; } "
	 ");\n",
	 NULL, NULL, F_PROFILE, 4, "links[0].mtu",
	 "must be an integer, not a string"},
	{"up of the wrong type",
	 L1_HEAD L2_PLAN L3_ZONES
	 "links = ( { role = \"uplink\"; zone = \"common\"; up = 1; } );\n",
	 NULL, NULL, F_PROFILE, 4, "links[0].up",
	 "must be a boolean (true or false), not an integer"},
	{"zone used but not defined",
	 L1_HEAD L2_PLAN L3_ZONES
	 "links = ( { role = \"uplink\"; zone = \"common\"; },\n"
	 "{ role = \"lan\"; kind = \"bridge\"; name = \"x\"; zone = \"dmz\"; } "
	 ");\n",
	 NULL, NULL, F_PROFILE, 5, "zone",
	 "zone 'dmz' is used but not defined"},
	{"route to an unknown zone",
	 L1_HEAD L2_PLAN L3_ZONES L4_LINKS
	 "routes = ( { zone = \"internet\"; to = \"default\"; via = "
	 "\"parent\"; } );\n",
	 NULL, NULL, F_PROFILE, 5, "zone",
	 "route to an unknown zone 'internet'"},
	{"plan overflow",
	 L1_HEAD
	 "plans = { extranet = { ipv4 = { prefix = \"10.0.0.0/8\";\n"
	 "bits = { city = 10; county = 10; township = 10; }; }; }; };\n"
	 L3_ZONES L4_LINKS L5_ROUTES,
	 NULL, NULL, F_PROFILE, 3, "plans.extranet.ipv4.bits",
	 "bits of the levels (30) overflow the 24 host bits of the root prefix "
	 "/8"},
	{"plan prefix with host bits",
	 L1_HEAD
	 "plans = { extranet = { ipv4 = { prefix = \"10.0.0.1/8\"; bits = { "
	 "city = 4; }; }; }; };\n" L3_ZONES L4_LINKS L5_ROUTES,
	 NULL, NULL, F_PROFILE, 2, "plans.extranet.ipv4.prefix",
	 "'10.0.0.1/8' has host bits set (the subnet is 10.0.0.0/8)"},
	{"plan prefix of the other family",
	 L1_HEAD
	 "plans = { extranet = { ipv4 = { prefix = \"fd00::/8\"; bits = { "
	 "city = 4; }; }; }; };\n" L3_ZONES L4_LINKS L5_ROUTES,
	 NULL, NULL, F_PROFILE, 2, "plans.extranet.ipv4.prefix",
	 "'fd00::/8' is not an IPv4 prefix"},
	{"plan own space too small",
	 L1_HEAD
	 "plans = { extranet = { ipv4 = { prefix = \"10.0.0.0/8\"; bits = { "
	 "city = 8; county = 8; township = 7; }; link = 30; }; }; };\n"
	 L3_ZONES L4_LINKS L5_ROUTES,
	 NULL, NULL, F_PROFILE, 2, "plans.extranet.ipv4.bits",
	 "the county level's own space is a /31: too small for a LAN (at "
	 "most /29)"},
	{"duplicate zone table",
	 L1_HEAD L2_PLAN
	 "zones = { common = { table = 100; };\n dedicated = { table = 100; "
	 "}; };\n" L4_LINKS L5_ROUTES,
	 NULL, NULL, F_PROFILE, 4, "zones.dedicated.table",
	 "table 100 is already used by zone common (line 3)"},
	{"kernel table",
	 L1_HEAD L2_PLAN "zones = { common = { table = 254; }; };\n" L4_LINKS
		 L5_ROUTES,
	 NULL, NULL, F_PROFILE, 3, "zones.common.table",
	 "table 254 is the kernel's own (default, main, local)"},
	{"unknown top-level setting",
	 GOOD_PROFILE "linkz = ( );\n", NULL, NULL, F_PROFILE, 6, "linkz",
	 "unknown setting"},
	{"syntax error",
	 L1_HEAD L2_PLAN "zones = { common = { table = = 100; }; };\n" L4_LINKS,
	 NULL, NULL, F_PROFILE, 3, NULL, "syntax error"},
	{"level of the wrong word",
	 "profile = { name = \"t\"; version = \"1\"; level = \"village\"; };\n"
	 L2_PLAN L3_ZONES L4_LINKS L5_ROUTES,
	 NULL, NULL, F_PROFILE, 1, "profile.level",
	 "unknown value 'village' (one of: province, city, county, township)"},
	{"missing profile head",
	 L2_PLAN L3_ZONES L4_LINKS L5_ROUTES, NULL, NULL, F_PROFILE, 0,
	 "profile",
	 "missing required setting 'profile' (name, version, level)"},
	{"physical link with a name",
	 L1_HEAD L2_PLAN L3_ZONES
	 "links = ( { role = \"uplink\"; zone = \"common\"; name = \"eth9\"; "
	 "} );\n",
	 NULL, NULL, F_PROFILE, 4, "links[0].name",
	 "a physical link takes its interface from the node config, not a "
	 "name"},
	{"bridge without a name",
	 L1_HEAD L2_PLAN L3_ZONES
	 "links = ( { role = \"uplink\"; zone = \"common\"; },\n{ role = "
	 "\"lan\"; kind = \"bridge\"; zone = \"common\"; } );\n",
	 NULL, NULL, F_PROFILE, 5, "links[1]", "a bridge link needs a name"},
	{"vxlan without vni",
	 L1_HEAD L2_PLAN L3_ZONES
	 "links = ( { role = \"uplink\"; zone = \"common\"; },\n{ role = "
	 "\"uplink\"; kind = \"vxlan\"; name = \"vx\"; zone = \"common\"; } "
	 ");\n",
	 NULL, NULL, F_PROFILE, 5, "links[1]", "a vxlan link needs a vni"},
	{"bad next hop",
	 L1_HEAD L2_PLAN L3_ZONES L4_LINKS
	 "routes = ( { zone = \"common\"; to = \"default\"; via = "
	 "\"parentt\"; } );\n",
	 NULL, NULL, F_PROFILE, 5, "routes[0].via",
	 "next hop 'parentt' is not 'parent', 'gateway:NAME' or an address"},
	{"bad route destination",
	 L1_HEAD L2_PLAN L3_ZONES L4_LINKS
	 "routes = ( { zone = \"common\"; to = \"10.0.0.0/33\"; via = "
	 "\"parent\"; } );\n",
	 NULL, NULL, F_PROFILE, 5, "routes[0].to",
	 "'10.0.0.0/33' is not default, children, aggregate or a prefix "
	 "('10.0.0.0/33': prefix length must be 0..32)"},
	{"unicast route without next hop",
	 L1_HEAD L2_PLAN L3_ZONES L4_LINKS
	 "routes = ( { zone = \"common\"; to = \"default\"; } );\n",
	 NULL, NULL, F_PROFILE, 5, "routes[0]",
	 "a unicast route needs 'via'"},
	{"contradictory firewall rules",
	 GOOD_PROFILE
	 "firewall = { rules = ( { from = \"common\"; to = \"local\"; services "
	 "= [ \"ssh\" ]; action = \"accept\"; },\n"
	 "{ from = \"common\"; to = \"local\"; services = [ \"snmp\", \"ssh\" "
	 "]; action = \"drop\"; } ); };\n",
	 NULL, NULL, F_PROFILE, 7, "action",
	 "dropping ssh common -> local contradicts line 6, which accepts it"},
	{"unknown service",
	 GOOD_PROFILE
	 "firewall = { rules = ( { from = \"common\"; to = \"local\"; services "
	 "= [ \"telnet\" ]; action = \"accept\"; } ); };\n",
	 NULL, NULL, F_PROFILE, 6, "services", "unknown service 'telnet'"},
	{"unknown firewall zone",
	 GOOD_PROFILE
	 "firewall = { rules = ( { from = \"common\"; to = \"internet\"; "
	 "action = \"accept\"; } ); };\n",
	 NULL, NULL, F_PROFILE, 6, "to",
	 "zone 'internet' is used but not defined"},
	{"undefined address set",
	 GOOD_PROFILE
	 "firewall = { rules = ( { from = \"common\"; to = \"local\"; peers = "
	 "\"noc\"; action = \"accept\"; } ); };\n",
	 NULL, NULL, F_PROFILE, 6, "peers",
	 "address set 'noc' is not defined"},
	{"bad log rate",
	 GOOD_PROFILE "firewall = { log_rate = \"fast\"; };\n", NULL, NULL,
	 F_PROFILE, 6, "firewall.log_rate",
	 "'fast' is not a rate like 10/minute (second, minute or hour)"},
	{"service without port",
	 GOOD_PROFILE
	 "firewall = { services = ( { name = \"x\"; proto = \"tcp\"; } ); "
	 "};\n",
	 NULL, NULL, F_PROFILE, 6, "firewall.services[0]",
	 "a tcp service needs a port"},
	{"zone with no link",
	 L1_HEAD L2_PLAN
	 "zones = { common = { table = 100; };\n spare = { table = 101; }; "
	 "};\n" L4_LINKS L5_ROUTES,
	 NULL, NULL, F_PROFILE, 4, "zones.spare", "zone has no link"},
	{"two vxlan links on one VNI",
	 L1_HEAD L2_PLAN L3_ZONES
	 "links = ( { role = \"uplink\"; zone = \"common\"; },\n"
	 "{ role = \"uplink\"; kind = \"vxlan\"; name = \"v1\"; zone = "
	 "\"common\"; vni = 7; },\n"
	 "{ role = \"uplink\"; kind = \"vxlan\"; name = \"v2\"; zone = "
	 "\"common\"; vni = 7; } );\n" L5_ROUTES,
	 NULL, NULL, F_PROFILE, 6, "vni",
	 "vni 7 on port 4789 is already v1's (line 5): the kernel takes one "
	 "device per VNI and port"},
	{"plan not defined",
	 L1_HEAD L2_PLAN L3_ZONES
	 "links = ( { role = \"uplink\"; zone = \"common\"; plan = "
	 "\"other\"; } );\n",
	 NULL, NULL, F_PROFILE, 4, "plan",
	 "plan 'other' is used but not defined"},

	/* ---- node configs ---- */
	{"node code of the wrong length", NULL,
	 NODE_HEAD("2101020010") NODE_IFACES, NULL, F_NODE, 1, "node.code",
	 "code '2101020010' has 10 digits (want 12, or 2/4/6/9)"},
	{"node code with a non-digit", NULL,
	 NODE_HEAD("21010200100x") NODE_IFACES, NULL, F_NODE, 1, "node.code",
	 "code '21010200100x' has a non-digit at position 12"},
	{"village node", NULL, NODE_HEAD("210102001001") NODE_IFACES, NULL,
	 F_NODE, 1, "node.code",
	 "a village runs no agent; its township probes it"},
	{"node level is not the profile's", NULL,
	 NODE_HEAD("210102000000") NODE_IFACES, NULL, F_NODE, 1, "node.code",
	 "210102000000 is a county, but profile t (*"},
	{"township index does not fit the plan", NULL,
	 NODE_HEAD("210102070000") NODE_IFACES,
	 "210000000000,p\n210100000000,c\n210102000000,d\n210102070000,t\n",
	 F_NODE, 1, "node.code",
	 "plan extranet ipv4: node 210102070000: township index 70 does not "
	 "fit the 6 bits of level township (at most 63)"},
	{"unknown role in interfaces", NULL,
	 GOOD_NODE "interfaces2 = 1;\n", NULL, F_NODE, 3, "interfaces2",
	 "unknown setting"},
	{"unknown interface role", NULL,
	 NODE_HEAD("210102001000")
	 "interfaces = { uplink = \"eth0\"; lan = [ \"eth1\" ];\n wan = "
	 "\"eth2\"; };\n",
	 NULL, F_NODE, 3, "interfaces.wan",
	 "unknown role (one of: uplink, downlink, lan, internet)"},
	{"interface name too long", NULL,
	 NODE_HEAD("210102001000")
	 "interfaces = { uplink = \"a-very-long-ifname0\"; lan = [ \"eth1\" "
	 "]; };\n",
	 NULL, F_NODE, 2, "interfaces.uplink",
	 "'a-very-long-ifname0' is not a valid interface name: at most 15 "
	 "characters"},
	{"one interface in two roles", NULL,
	 NODE_HEAD("210102001000")
	 "interfaces = { uplink = \"eth0\";\n lan = [ \"eth0\" ]; };\n",
	 NULL, F_NODE, 3, "interfaces", "eth0 plays both uplink and lan"},
	{"role without interface", NULL,
	 NODE_HEAD("210102001000") "interfaces = { lan = [ \"eth1\" ]; };\n",
	 NULL, F_NODE, 0, "interfaces",
	 "the profile's physical uplink link (*"},
	{"address without length", NULL,
	 GOOD_NODE "addresses = { internet = [ \"192.0.2.1\" ]; };\n", NULL,
	 F_NODE, 3, "addresses.internet[0]",
	 "'192.0.2.1' needs a prefix length (ADDR/LEN)"},
	{"unknown drift policy", NULL,
	 "node = { code = \"210102001000\"; name = \"n\"; profile = "
	 "\"p.conf\";\n drift = \"fix\"; };\n" NODE_IFACES,
	 NULL, F_NODE, 2, "node.drift",
	 "unknown value 'fix' (one of: enforce, report)"},
	{"gateway not in the node config",
	 L1_HEAD L2_PLAN L3_ZONES L4_LINKS
	 "routes = ( { zone = \"common\"; to = \"default\"; via = "
	 "\"gateway:isp\"; } );\n",
	 NULL, NULL, F_PROFILE, 5, "via",
	 "gateway 'isp' is not in the node config's gateways (*"},

	/* ---- inventories ---- */
	{"duplicate inventory code", NULL, NULL,
	 GOOD_INV "210102001001,again,\n", F_INV, 7, "code",
	 "duplicate code 210102001001 (first at line 6)"},
	{"inventory orphan", NULL, NULL,
	 GOOD_INV "210102003001,lost,\n", F_INV, 7, "code",
	 "parent 210102003000 of 210102003001 is not in the inventory"},
	{"inventory code with a letter", NULL, NULL,
	 GOOD_INV "2101020010O2,o,\n", F_INV, 7, "code",
	 "code '2101020010O2' has a non-digit at position 11"},
	{"inventory of two provinces", NULL, NULL,
	 GOOD_INV "220000000000,other,\n", F_INV, 7, "code",
	 "220000000000 is not under province 210000000000"},
	{"inventory unterminated quote", NULL, NULL,
	 GOOD_INV "210102001002,\"open,\n", F_INV, 7, NULL,
	 "unterminated quote in column name"},
	{"inventory address on a township", NULL, NULL,
	 "210000000000,p\n210100000000,c\n210102000000,d\n"
	 "210102001000,t,10.1.1.1\n",
	 F_INV, 4, "address",
	 "only villages (no agent) take an address; 210102001000 is a "
	 "township"},
	{"inventory bad address", NULL, NULL,
	 GOOD_INV "210102001002,v2,10.1.1.300\n", F_INV, 7, "address",
	 "'10.1.1.300' is not an IPv4 or IPv6 address"},
	{"inventory missing name", NULL, NULL, GOOD_INV "210102001002\n",
	 F_INV, 7, "name", "missing name"},
	{"inventory too many columns", NULL, NULL,
	 GOOD_INV "210102001002,v,10.1.1.1,extra\n", F_INV, 7, NULL,
	 "more than 3 columns (code,name,address)"},
	{"inventory village under a zero township", NULL, NULL,
	 GOOD_INV "210102000002,v\n", F_INV, 7, "code",
	 "code '210102000002': village group is set under a zero township "
	 "group"},
	{"node missing from the inventory", NULL, NULL,
	 "210000000000,p\n210100000000,c\n210102000000,d\n", F_NODE, 1,
	 "node.code", "node 210102001000 is not in the inventory (*"},
};

static void test_case(void **state)
{
	run_case((const struct lcase *)*state);
}

/* The base files are sound: no problem at all. */
static void test_good_base(void **state)
{
	struct inputs in;
	struct diag d;
	char node_path[128];

	(void)state;
	write_file("p.conf", GOOD_PROFILE);
	write_file("n.conf", GOOD_NODE);
	write_file("inv.csv", GOOD_INV);
	snprintf(node_path, sizeof(node_path), "%s/n.conf", dir);
	diag_init(&d);
	if (inputs_load(&in, node_path, NULL, NULL, &d))
		print_diag(&d);
	assert_int_equal(diag_count(&d), 0);
	assert_true(in.have_ds);
	assert_int_equal(in.ds.n_links, 2);
	assert_int_equal(in.ds.n_children, 1);
	inputs_free(&in);
	diag_free(&d);
}

/* All problems in one run, not only the first. */
static void test_all_problems(void **state)
{
	struct inputs in;
	struct diag d;
	char node_path[128];

	(void)state;
	write_file("p.conf",
		   L1_HEAD L2_PLAN L3_ZONES
		   "links = ( { role = \"up\"; zone = \"common\"; },\n"
		   "{ role = \"lan\"; kind = \"bridge\"; name = \"b\"; zone = "
		   "\"x\"; mtu = 1; } );\n" L5_ROUTES);
	write_file("n.conf", NODE_HEAD("210102001000")
		   "interfaces = { uplink = \"eth0\"; foo = \"x\"; };\n");
	write_file("inv.csv", GOOD_INV "21010200100,bad\n");
	snprintf(node_path, sizeof(node_path), "%s/n.conf", dir);
	diag_init(&d);
	assert_int_not_equal(inputs_load(&in, node_path, NULL, NULL, &d), 0);
	/* role, mtu in the profile; foo in the node; the code in the
	 * inventory; each from its own file */
	assert_true(diag_count(&d) >= 4);
	inputs_free(&in);
	diag_free(&d);
}

/*
 * A link refused for one setting is the only problem: its zone is not also
 * reported as a zone with no link.
 */
static void test_refused_link_alone(void **state)
{
	struct inputs in;
	struct diag d;
	char node_path[128];

	(void)state;
	write_file("p.conf",
		   L1_HEAD L2_PLAN
		   "zones = { common = { table = 100; }; dmz = { table = 101; "
		   "}; };\n"
		   "links = ( { role = \"uplink\"; zone = \"common\"; },\n"
		   "{ role = \"lan\"; kind = \"bridge\"; name = \"b\"; zone = "
		   "\"dmz\"; mtu = 100; } );\n" L5_ROUTES);
	write_file("n.conf", GOOD_NODE);
	write_file("inv.csv", GOOD_INV);
	snprintf(node_path, sizeof(node_path), "%s/n.conf", dir);
	diag_init(&d);
	assert_int_not_equal(inputs_load(&in, node_path, NULL, NULL, &d), 0);
	if (diag_count(&d) != 1)
		print_diag(&d);
	assert_int_equal(diag_count(&d), 1);
	assert_string_equal(d.items[0].setting, "links[1].mtu");
	inputs_free(&in);
	diag_free(&d);
}

int main(void)
{
	struct CMUnitTest tests[3 + sizeof(cases) / sizeof(cases[0])];
	size_t n = 0;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_good_base);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_all_problems);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_refused_link_alone);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tests[n] = (struct CMUnitTest){cases[i].name, test_case, NULL,
					       NULL, (void *)&cases[i]};
		n++;
	}
	return _cmocka_run_group_tests("load", tests, n, scratch_setup, scratch_teardown);
}
