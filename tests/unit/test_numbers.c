// SPDX-License-Identifier: BSD-2-Clause
/*
 * Integers in the files: every integer option of the profile and the node
 * config at min-1 and max+1, at 2^32 + min (which libconfig 1.5 would
 * wrap to min, a valid value), as a hex literal past 32 bits, and past 64
 * bits either way.  Each is refused at its file:line with the setting and
 * the value as written, and nothing is built to apply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "files.h"
#include "rows.h"

enum fileno { PROF, NODE };

struct opt_row {
	const char *setting;
	enum fileno file;
	const char *text; /* the whole file, "@V" where the value goes */
	int line;
	long long min, max;
};

#define LAN_LINK                                                               \
	"{ role = \"lan\"; kind = \"bridge\"; name = \"eg-lan\"; zone = "      \
	"\"common\"; }"
#define VXLAN(opt)                                                             \
	P_HEAD P_PLAN P_ZONES "links = ( { role = \"uplink\"; zone = "         \
			      "\"common\"; }, " LAN_LINK                       \
			      ", { role = \"uplink\"; kind = \"vxlan\"; "      \
			      "name = \"vx0\"; zone = \"common\"; " opt        \
			      " = @V; } );\n" P_ROUTES

static const struct opt_row opts[] = {
	{"zones.common.table", PROF,
	 P_HEAD P_PLAN
	 "zones = { common = { table = @V; }; };\n" P_LINKS P_ROUTES,
	 3, 1, 2147483647},
	{"links[0].mtu", PROF,
	 P_HEAD P_PLAN P_ZONES "links = ( { role = \"uplink\"; zone = "
			       "\"common\"; mtu = @V; }, " LAN_LINK
			       " );\n" P_ROUTES,
	 4, 1280, 9216},
	{"links[2].vni", PROF, VXLAN("vni"), 4, 1, 16777215},
	{"links[2].port", PROF, VXLAN("port"), 4, 1, 65535},
	{"routes[0].metric", PROF,
	 P_HEAD P_PLAN P_ZONES P_LINKS
	 "routes = ( { zone = \"common\"; to = \"default\"; via = "
	 "\"parent\"; metric = @V; } );\n",
	 5, 0, 0xfffffff},
	{"plans.extranet.ipv4.link", PROF,
	 P_HEAD "plans = { extranet = { ipv4 = { prefix = \"10.0.0.0/8\"; "
		"bits = { city = 4; county = 7; township = 6; }; link = @V; "
		"}; }; };\n" P_ZONES P_LINKS P_ROUTES,
	 2, 1, 128},
	{"plans.extranet.ipv4.bits.city", PROF,
	 P_HEAD "plans = { extranet = { ipv4 = { prefix = \"10.0.0.0/8\"; "
		"bits = { city = @V; county = 7; township = 6; }; link = 30; "
		"}; }; };\n" P_ZONES P_LINKS P_ROUTES,
	 2, 0, 16},
	{"probe.port", PROF, GOOD_PROFILE "probe = { port = @V; };\n", 6, 1,
	 65535},
	{"probe.interval", PROF, GOOD_PROFILE "probe = { interval = @V; };\n",
	 6, 100, 60000},
	{"probe.down_after", PROF,
	 GOOD_PROFILE "probe = { down_after = @V; };\n", 6, 1, 100},
	{"probe.up_after", PROF, GOOD_PROFILE "probe = { up_after = @V; };\n",
	 6, 1, 100},
	{"probe.window", PROF, GOOD_PROFILE "probe = { window = @V; };\n", 6, 4,
	 3600},
	{"routing.rule_priority", PROF,
	 GOOD_PROFILE "routing = { rule_priority = @V; };\n", 6, 1, 32000},
	{"firewall.collector_port", PROF,
	 GOOD_PROFILE "firewall = { collector_port = @V; };\n", 6, 1, 65535},
	{"firewall.services[0].port", PROF,
	 GOOD_PROFILE "firewall = { services = ( { name = \"x\"; proto = "
		      "\"tcp\"; port = @V; } ); };\n",
	 6, 1, 65535},
	{"firewall.services[0].port_end", PROF,
	 GOOD_PROFILE "firewall = { services = ( { name = \"x\"; proto = "
		      "\"tcp\"; port = 1; port_end = @V; } ); };\n",
	 6, 1, 65535},
	{"collector.interval", NODE,
	 GOOD_NODE "collector = { interval = @V; };\n", 3, 1, 3600},
	{"collector.timeout", NODE,
	 GOOD_NODE "collector = { timeout = @V; };\n", 3, 1, 300},
	{"collector.spool_max_kib", NODE,
	 GOOD_NODE "collector = { spool_max_kib = @V; };\n", 3, 64, 1073741824},
	{"snmp.agentx.retry", NODE,
	 GOOD_NODE "snmp = { agentx = { retry = @V; }; };\n", 3, 1, 3600},
	{"snmp.agentx.retry_max", NODE,
	 GOOD_NODE "snmp = { agentx = { retry_max = @V; }; };\n", 3, 1, 3600},
	{"snmp.agentx.ping", NODE,
	 GOOD_NODE "snmp = { agentx = { ping = @V; }; };\n", 3, 1, 3600},
	{"snmp.agentx.timeout_ms", NODE,
	 GOOD_NODE "snmp = { agentx = { timeout_ms = @V; }; };\n", 3, 10, 5000},
};

enum how { MIN_1, MAX_1, WRAP, HEX, OVER, UNDER, N_HOW };
static const char *const how_names[] = {
	"min-1", "max+1", "2^32+min", "hex past 32 bits", "2^63", "-2^63-1"};

struct num_case {
	const struct opt_row *o;
	enum how how;
};

static struct num_case cases[ROWS(opts) * N_HOW];

static void test_value(void **state)
{
	const struct num_case *c = *state;
	const struct opt_row *o = c->o;
	char value[64], text[2048], msg[160], setting[128];
	struct want w[2] = {{0}};

	switch (c->how) {
	case MIN_1:
		snprintf(value, sizeof(value), "%lld", o->min - 1);
		break;
	case MAX_1:
		snprintf(value, sizeof(value), "%lld", o->max + 1);
		break;
	case WRAP:
		snprintf(value, sizeof(value), "%lld", (1LL << 32) + o->min);
		break;
	case HEX:
		snprintf(value, sizeof(value), "0x%llx", (1LL << 32) + o->min);
		break;
	case OVER:
		snprintf(value, sizeof(value), "9223372036854775808");
		break;
	case UNDER:
		snprintf(value, sizeof(value), "-9223372036854775809");
		break;
	case N_HOW:
		break;
	}
	{
		const char *at = strstr(o->text, "@V");

		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - o->text),
			 o->text, value, at + 2);
	}
	write_bytes("p.conf", o->file == PROF ? text : GOOD_PROFILE, -1);
	write_bytes("n.conf", o->file == NODE ? text : GOOD_NODE, -1);
	write_bytes("inv.csv", GOOD_INV, -1);
	w[0].file = o->file == PROF ? "p.conf" : "n.conf";
	w[0].line = o->line;
	/* cfg_path names list elements "[0]" after a dot */
	snprintf(setting, sizeof(setting), "%s", o->setting);
	w[0].setting = setting;
	if (c->how == OVER || c->how == UNDER) {
		snprintf(msg, sizeof(msg), "%s does not fit in 64 bits", value);
	} else {
		long long v = c->how == MIN_1	? o->min - 1
			      : c->how == MAX_1 ? o->max + 1
						: (1LL << 32) + o->min;

		snprintf(msg, sizeof(msg), "%lld is out of range %lld..%lld", v,
			 o->min, o->max);
	}
	w[0].msg = msg;
	expect_problems("n.conf", NULL, NULL, w);
}

/* Several wide integers in one file: each named in the one run. */
static void test_several(void **state)
{
	static const struct want w[] = {
		{"p.conf", 3, "zones.common.table",
		 "4294967396 is out of range 1..2147483647"},
		{"p.conf", 5, "links[0].mtu",
		 "4294968796 is out of range 1280..9216"},
		{"p.conf", 7, "probe.window",
		 "99999999999999999999 does not fit in 64 bits"},
		{NULL, 0, NULL, NULL},
	};

	(void)state;
	write_bytes("p.conf",
		    P_HEAD P_PLAN
		    "zones = { common = { table = 4294967396; }; "
		    "};\n"
		    "links = ( { role = \"uplink\"; zone = "
		    "\"common\";\n mtu = 4294968796; }, " LAN_LINK
		    " );\n" P_ROUTES
		    "probe = { window = 99999999999999999999; };\n",
		    -1);
	write_bytes("n.conf", GOOD_NODE, -1);
	write_bytes("inv.csv", GOOD_INV, -1);
	expect_problems("n.conf", NULL, NULL, w);
}

/* Values at the bounds, an L suffix, a float, and 2^63-1 as L are not
 * refused by the reader (the good base stays good). */
static void test_bounds_ok(void **state)
{
	(void)state;
	write_bytes("p.conf",
		    P_HEAD P_PLAN
		    "zones = { common = { table = 2147483647L; "
		    "}; };\n" P_LINKS P_ROUTES
		    "probe = { window = 0xE10; interval = 100; };\n",
		    -1);
	write_bytes("n.conf", GOOD_NODE, -1);
	write_bytes("inv.csv", GOOD_INV, -1);
	expect_good("n.conf");
}

int main(void)
{
	size_t n = 0;

	for (size_t i = 0; i < ROWS(opts); i++)
		for (int h = 0; h < N_HOW; h++) {
			/* min-1 of a field whose min is the type's own
			 * would not be a number libconfig reads */
			cases[n] = (struct num_case){&opts[i], (enum how)h};
			add_test(test_value, &cases[n], "%s %s",
				 opts[i].setting, how_names[h]);
			n++;
		}
	add_test(test_several, NULL, "several in one file");
	add_test(test_bounds_ok, NULL, "bounds, L, hex accepted");
	return _cmocka_run_group_tests("numbers", tests, ntests, files_setup,
				       files_teardown);
}
