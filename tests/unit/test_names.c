// SPDX-License-Identifier: BSD-2-Clause
/*
 * Interface names: ifname_check() against the kernel's rule and egnet's
 * reserved names, then the same rules and the cross-checks between the
 * profile's created links and the node config's interfaces, as validate
 * reports them (exact FILE:LINE: SETTING: message lines).
 */
#include "tests/unit/loadcase.h"

#include "common/ifname.h"

struct name_row {
	const char *name;
	const char *err; /* NULL: accepted */
};

static const struct name_row name_rows[] = {
	{"eth0", NULL},
	{"eg-down", NULL},
	{"a.b", NULL},
	{"...", NULL}, /* the kernel takes it; only . and .. are folders */
	{"lo0", NULL},
	{"abcdefghijklmno", NULL}, /* 15 characters */
	{"", "empty"},
	{"abcdefghijklmnop", "at most 15 characters"},
	{".", "'.' and '..' are folder names"},
	{"..", "'.' and '..' are folder names"},
	{"br/0", "'/' is not allowed"},
	{"eth0:1", "':' is not allowed"},
	{"eth%d", "'%' makes it a pattern the kernel numbers (eth%d)"},
	{"%", "'%' makes it a pattern the kernel numbers (eth%d)"},
	{"eth 0", "blanks, control characters and non-ASCII are not allowed"},
	{"eth\t0", "blanks, control characters and non-ASCII are not allowed"},
	{"eth\n", "blanks, control characters and non-ASCII are not allowed"},
	{"eth\x7f", "blanks, control characters and non-ASCII are not allowed"},
	{"\xe7\xbd\x91", "blanks, control characters and non-ASCII are not "
			 "allowed"},
	{"lo", "'lo' is the loopback device"},
	{"all", "'all' is a sysctl folder (net.ipv4.conf.all) for every "
		"device"},
	{"default", "'default' is a sysctl folder (net.ipv4.conf.default) for "
		    "new devices"},
	{"bonding_masters", "'bonding_masters' is a file of /sys/class/net"},
};

static void test_name_row(void **state)
{
	const struct name_row *r = *state;
	char err[128];
	int rc;

	memset(err, 'Z', sizeof(err) - 1);
	err[sizeof(err) - 1] = '\0';
	rc = ifname_check(r->name, err, sizeof(err));
	if (!r->err) {
		assert_int_equal(rc, 0);
		return;
	}
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err, r->err);
}

#define IFACES(up, down, lan, inet)                                            \
	"interfaces = { uplink = " up "; downlink = " down "; lan = " lan     \
	"; internet = " inet "; };\n"
#define LINKS_LAN(lan)                                                         \
	P4_UP P5_DOWN "{ role = \"lan\"; kind = \"bridge\"; name = \"" lan     \
	"\"; zone = \"common\"; },\n" P7_INET
#define ROUTES P8_ROUTE P9_ROUTE P10_PROBE

static const struct lcase cases[] = {
	{"bridge named .", P_HEAD LINKS_LAN(".") ROUTES, NULL, NULL,
	 {{F_PROFILE, 6, "links[2].name",
	   "'.' is not a valid interface name: '.' and '..' are folder "
	   "names"}}},
	{"bridge name with %", P_HEAD LINKS_LAN("eg-lan%d") ROUTES, NULL, NULL,
	 {{F_PROFILE, 6, "links[2].name",
	   "'eg-lan%d' is not a valid interface name: '%' makes it a pattern "
	   "the kernel numbers (eth%d)"}}},
	{"bridge named lo", P_HEAD LINKS_LAN("lo") ROUTES, NULL, NULL,
	 {{F_PROFILE, 6, "links[2].name",
	   "'lo' is not a valid interface name: 'lo' is the loopback "
	   "device"}}},
	{"bridge named all", P_HEAD LINKS_LAN("all") ROUTES, NULL, NULL,
	 {{F_PROFILE, 6, "links[2].name",
	   "'all' is not a valid interface name: 'all' is a sysctl folder "
	   "(net.ipv4.conf.all) for every device"}}},
	{"vxlan name with a colon",
	 P_HEAD P4_UP P5_DOWN P6_LAN
	 "{ role = \"internet\"; zone = \"internet\"; },\n"
	 "{ role = \"uplink\"; kind = \"vxlan\"; name = \"vx:1\"; zone = "
	 "\"internet\"; vni = 9; mtu = 1450; } );\n" ROUTES,
	 NULL, NULL,
	 {{F_PROFILE, 8, "links[4].name",
	   "'vx:1' is not a valid interface name: ':' is not allowed"}}},
	{"uplink interface lo", NULL,
	 N1_NODE IFACES("\"lo\"", "[ \"eth1\" ]", "[ \"eth2\" ]", "\"eth3\"")
	 N3_ADDRS N4_GWS N5_COLL, NULL,
	 {{F_NODE, 2, "interfaces.uplink",
	   "'lo' is not a valid interface name: 'lo' is the loopback "
	   "device"}}},
	{"LAN port ..", NULL,
	 N1_NODE IFACES("\"eth0\"", "[ \"eth1\" ]", "[ \"eth2\", \"..\" ]",
			"\"eth3\"") N3_ADDRS N4_GWS N5_COLL, NULL,
	 {{F_NODE, 2, "interfaces.lan[1]",
	   "'..' is not a valid interface name: '.' and '..' are folder "
	   "names"}}},
	{"downlink port named default", NULL,
	 N1_NODE IFACES("\"eth0\"", "[ \"default\" ]", "[ \"eth2\" ]",
			"\"eth3\"") N3_ADDRS N4_GWS N5_COLL, NULL,
	 {{F_NODE, 2, "interfaces.downlink[0]",
	   "'default' is not a valid interface name: 'default' is a sysctl "
	   "folder (net.ipv4.conf.default) for new devices"}}},
	{"internet interface with a blank", NULL,
	 N1_NODE IFACES("\"eth0\"", "[ \"eth1\" ]", "[ \"eth2\" ]",
			"\"eth 3\"") N3_ADDRS N4_GWS N5_COLL, NULL,
	 {{F_NODE, 2, "interfaces.internet",
	   "'eth 3' is not a valid interface name: blanks, control characters "
	   "and non-ASCII are not allowed"}}},
	{"bridge named as the uplink interface",
	 P_HEAD LINKS_LAN("eth0") ROUTES, NULL, NULL,
	 {{F_NODE, 2, "interfaces.uplink",
	   "'eth0' is the lan bridge link the profile creates (@/p.conf:6): "
	   "it cannot also be the physical uplink interface"}}},
	{"LAN port that is the downlink bridge", NULL,
	 N1_NODE IFACES("\"eth0\"", "[ \"eth1\" ]", "[ \"eth2\", \"eg-down\" ]",
			"\"eth3\"") N3_ADDRS N4_GWS N5_COLL, NULL,
	 {{F_NODE, 2, "interfaces.lan",
	   "'eg-down' is the downlink bridge link the profile creates "
	   "(@/p.conf:5): it cannot also be a port of bridge eg-lan"}}},
	{"vxlan named as the internet interface",
	 P_HEAD P4_UP P5_DOWN P6_LAN
	 "{ role = \"internet\"; zone = \"internet\"; },\n"
	 "{ role = \"internet\"; kind = \"vxlan\"; name = \"eth3\"; zone "
	 "= \"internet\"; vni = 9; mtu = 1450; } );\n" ROUTES,
	 NULL, NULL,
	 {{F_NODE, 2, "interfaces.internet",
	   "'eth3' is the internet vxlan link the profile creates "
	   "(@/p.conf:8): "
	   "it cannot also be the physical internet interface"}}},
	{"a physical link and a bridge of one role",
	 P_HEAD P4_UP P5_DOWN P6_LAN
	 "{ role = \"lan\"; zone = \"common\"; },\n" P7_INET ROUTES,
	 NULL, NULL,
	 {{F_PROFILE, 7, "links[3]",
	   "the lan role already has a bridge link (line 6): its interfaces "
	   "cannot be in both"}}},
	{"two bridges of one role",
	 P_HEAD P4_UP P5_DOWN P6_LAN
	 "{ role = \"lan\"; kind = \"bridge\"; name = \"eg-lan2\"; zone = "
	 "\"common\"; },\n" P7_INET ROUTES,
	 NULL, NULL,
	 {{F_PROFILE, 7, "links[3]",
	   "the lan role already has a bridge link (line 6): its interfaces "
	   "cannot be in both"}}},
	{"three name problems in one run", P_HEAD LINKS_LAN("lo") ROUTES,
	 N1_NODE IFACES("\"eth0\"", "[ \"eth1\", \"bad/1\" ]", "[ \"eth2\" ]",
			"\"eth3\"")
	 N3_ADDRS N4_GWS N5_COLL
	 "paths = { state = \"/tmp\"; };\nwrong = 1;\n", NULL,
	 {{F_PROFILE, 6, "links[2].name",
	   "'lo' is not a valid interface name: 'lo' is the loopback device"},
	  {F_NODE, 2, "interfaces.downlink[1]",
	   "'bad/1' is not a valid interface name: '/' is not allowed"},
	  {F_NODE, 7, "wrong", "unknown setting"}}},
};

int main(void)
{
	struct CMUnitTest rows[ROWS_N(name_rows)];
	static char rname[ROWS_N(name_rows)][64];

	for (size_t i = 0; i < ROWS_N(name_rows); i++) {
		snprintf(rname[i], sizeof(rname[i]), "ifname_check '%s'",
			 name_rows[i].name);
		for (char *c = rname[i]; *c; c++)
			if ((unsigned char)*c < ' ' || (unsigned char)*c > '~')
				*c = '?';
		rows[i] = (struct CMUnitTest){rname[i], test_name_row, NULL,
					      NULL, (void *)&name_rows[i]};
	}
	return run_cases("names", cases, ROWS_N(cases), rows,
			 ROWS_N(name_rows));
}
