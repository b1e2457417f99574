// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the SNMP poller's pure step (agent/snmp/reply.c): replies
 * built by hand as net-snmp varbind lists, good and hostile, into a
 * device's state.  The name walk (ifName first, ifDescr next, exceptions
 * ending a column, a walk going backwards or standing still refused), the
 * GET of the values (each value taken only for its OID and its type; the
 * others unknown and counted), re-resolution (a reboot, a name no longer
 * at its ifIndex), and rates from 64-bit counters (a wrap, a reset, no
 * time, beyond 10 Tb/s).
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

#include "agent/snmp/reply.h"

static struct snmp_devconf conf;
static struct snmp_dev dev;

static void setup_dev(const char *const *names, int n)
{
	memset(&conf, 0, sizeof(conf));
	snprintf(conf.name, sizeof(conf.name), "r1");
	for (int i = 0; i < n; i++)
		snprintf(conf.ifaces[i], SNMP_NAME_LEN, "%s", names[i]);
	conf.n_ifaces = n;
	reply_dev_init(&dev, &conf);
}

/* Add COL.INDEX (or a whole OID with col < 0) of type t. */
static void add(netsnmp_variable_list **l, int col, long index,
		unsigned char type, const void *val, size_t len)
{
	oid o[MAX_OID_LEN];
	size_t n = 0;

	if (col >= 0) {
		memcpy(o, reply_cols[col].base, reply_cols[col].len * sizeof(oid));
		n = reply_cols[col].len;
		o[n++] = (oid)index;
	}
	snmp_varlist_add_variable(l, o, n, type, val, len);
}

static void add_str(netsnmp_variable_list **l, int col, long idx,
		    const char *s)
{
	add(l, col, idx, ASN_OCTET_STR, s, strlen(s));
}

static void add_sys(netsnmp_variable_list **l, long up, const char *name)
{
	snmp_varlist_add_variable(l, reply_sysuptime, 9, ASN_TIMETICKS, &up,
				  sizeof(up));
	snmp_varlist_add_variable(l, reply_sysname, 9, ASN_OCTET_STR, name,
				  strlen(name));
}

/* The 8 values of an interface at idx, as a GET asks for them. */
static void add_if(netsnmp_variable_list **l, long idx, const char *name,
		   long oper, uint64_t in, uint64_t out)
{
	long admin = 1, e1 = 3, e2 = 4, e3 = 5;
	struct counter64 ci = {in >> 32, in & 0xffffffff},
			 co = {out >> 32, out & 0xffffffff};

	add_str(l, COL_IFNAME, idx, name);
	add(l, COL_ADMIN, idx, ASN_INTEGER, &admin, sizeof(long));
	add(l, COL_OPER, idx, ASN_INTEGER, &oper, sizeof(long));
	add(l, COL_HCIN, idx, ASN_COUNTER64, &ci, sizeof(ci));
	add(l, COL_HCOUT, idx, ASN_COUNTER64, &co, sizeof(co));
	add(l, COL_INERR, idx, ASN_COUNTER, &e1, sizeof(long));
	add(l, COL_OUTERR, idx, ASN_COUNTER, &e2, sizeof(long));
	add(l, COL_INDISC, idx, ASN_COUNTER, &e3, sizeof(long));
}

static const char *const two[] = {"ge-0/0/1", "Port 7"};

/* ifName has ge-0/0/1 at 3; Port 7 is only in ifDescr, at 9. */
static void resolve_two(void)
{
	netsnmp_variable_list *l = NULL;

	setup_dev(two, 2);
	reply_walk_start(&dev);
	add_str(&l, COL_IFNAME, 1, "lo");
	add_str(&l, COL_IFDESCR, 1, "lo");
	add_str(&l, COL_IFNAME, 3, "ge-0/0/1");
	add_str(&l, COL_IFDESCR, 3, "Port 3");
	add_str(&l, COL_IFNAME, 9, "p7");
	add_str(&l, COL_IFDESCR, 9, "Port 7");
	assert_int_equal(reply_walk(&dev, l), 1); /* goes on from there */
	snmp_free_varbind(l);
	l = NULL;
	/* the next rows are past both columns: the walk is over */
	add_str(&l, COL_ADMIN, 1, "x"); /* after ifName: out of it */
	add(&l, COL_ADMIN, 1, ASN_INTEGER, &(long){1}, sizeof(long));
	assert_int_equal(reply_walk(&dev, l), 0);
	snmp_free_varbind(l);
	assert_int_equal(dev.ifs[0].ifindex, 3);
	assert_int_equal(dev.ifs[0].by, COL_IFNAME);
	assert_int_equal(dev.ifs[1].ifindex, 9);
	assert_int_equal(dev.ifs[1].by, COL_IFDESCR);
	assert_false(dev.need_resolve);
}

static void test_walk_resolves(void **state)
{
	(void)state;
	resolve_two();
}

static void test_walk_backwards(void **state)
{
	netsnmp_variable_list *l = NULL;

	(void)state;
	setup_dev(two, 2);
	reply_walk_start(&dev);
	add_str(&l, COL_IFNAME, 5, "a");
	add_str(&l, COL_IFDESCR, 5, "a");
	add_str(&l, COL_IFNAME, 4, "ge-0/0/1"); /* back */
	add_str(&l, COL_IFDESCR, 6, "b");
	assert_int_equal(reply_walk(&dev, l), -EPROTO);
	assert_string_equal(dev.why, "the interface walk went backwards in ifName");
	snmp_free_varbind(l);
}

static void test_walk_no_progress(void **state)
{
	netsnmp_variable_list *l = NULL;

	(void)state;
	setup_dev(two, 2);
	reply_walk_start(&dev);
	/* a device that answers with the columns' own OIDs (not rows
	 * after them) stands still */
	snmp_varlist_add_variable(&l, reply_cols[COL_IFNAME].base,
				  reply_cols[COL_IFNAME].len, ASN_OCTET_STR,
				  "x", 1);
	snmp_varlist_add_variable(&l, reply_cols[COL_IFDESCR].base,
				  reply_cols[COL_IFDESCR].len, ASN_OCTET_STR,
				  "x", 1);
	assert_int_equal(reply_walk(&dev, l), -EPROTO);
	snmp_free_varbind(l);
}

static void test_walk_exceptions_end(void **state)
{
	netsnmp_variable_list *l = NULL;

	(void)state;
	setup_dev(two, 2);
	reply_walk_start(&dev);
	add(&l, COL_IFNAME, 1, SNMP_ENDOFMIBVIEW, NULL, 0);
	add(&l, COL_IFDESCR, 1, SNMP_NOSUCHOBJECT, NULL, 0);
	assert_int_equal(reply_walk(&dev, l), 0);
	assert_int_equal(dev.ifs[0].ifindex, 0); /* found nowhere */
	snmp_free_varbind(l);
}

static void test_walk_wrong_type(void **state)
{
	netsnmp_variable_list *l = NULL;
	long v = 7;

	(void)state;
	setup_dev(two, 2);
	reply_walk_start(&dev);
	add(&l, COL_IFNAME, 3, ASN_INTEGER, &v, sizeof(v));
	add_str(&l, COL_IFDESCR, 3, "ge-0/0/1");
	assert_int_equal(reply_walk(&dev, l), 1);
	assert_int_equal(dev.bad, 1);
	assert_string_equal(dev.why, "ifName: a row that is not an interface name");
	snmp_free_varbind(l);
}

static void test_get_values_and_rates(void **state)
{
	netsnmp_variable_list *l = NULL;

	(void)state;
	resolve_two();
	add_sys(&l, 1000, "core\x1b[31m");
	add_if(&l, 3, "ge-0/0/1", 1, 1000, 2000);
	add_str(&l, COL_IFDESCR, 9, "Port 7");
	/* Port 7's values: the rest of its 8, all of the wrong type */
	for (int c = COL_ADMIN; c < COL__N; c++)
		add_str(&l, c, 9, "nope");
	assert_int_equal(reply_get(&dev, true, 0, 2, l, 10.0), 7);
	snmp_free_varbind(l);
	assert_string_equal(dev.sysname, "core?[31m");
	assert_int_equal(dev.uptime, 1000);
	assert_true(dev.ifs[0].have && dev.ifs[0].have_hc && dev.ifs[0].have_err);
	assert_int_equal(dev.ifs[0].oper, 1);
	assert_int_equal(dev.ifs[0].in_errors, 3);
	assert_int_equal(dev.ifs[0].in_discards, 5);
	assert_false(dev.ifs[0].have_rate); /* one poll: no rate yet */
	assert_true(dev.ifs[1].have);
	assert_int_equal(dev.ifs[1].oper, 0);
	assert_false(dev.ifs[1].have_hc);

	l = NULL;
	add_sys(&l, 2000, "core");
	add_if(&l, 3, "ge-0/0/1", 2, 1000 + 125000, 2000);
	assert_int_equal(reply_get(&dev, true, 0, 1, l, 12.0), 0);
	snmp_free_varbind(l);
	assert_true(dev.ifs[0].have_rate);
	assert_true(dev.ifs[0].in_bps > 499999.0 && dev.ifs[0].in_bps < 500001.0);
	assert_int_equal(dev.ifs[0].oper, 2);
}

static void test_get_missing_varbinds(void **state)
{
	netsnmp_variable_list *l = NULL;

	(void)state;
	resolve_two();
	add_sys(&l, 1000, "r");
	add_str(&l, COL_IFNAME, 3, "ge-0/0/1"); /* then nothing */
	assert_int_equal(reply_get(&dev, true, 0, 1, l, 1.0), 7);
	assert_true(dev.ifs[0].have);
	assert_false(dev.ifs[0].have_hc);
	assert_int_equal(dev.ifs[0].oper, 0);
	snmp_free_varbind(l);
	/* no varbind at all: the system group is refused too */
	assert_true(reply_get(&dev, true, 0, 1, NULL, 2.0) >= 2);
}

static void test_get_other_oids(void **state)
{
	netsnmp_variable_list *l = NULL;

	(void)state;
	resolve_two();
	add_sys(&l, 1000, "r");
	add_if(&l, 4, "ge-0/0/1", 1, 5, 5); /* another ifIndex than asked */
	assert_int_equal(reply_get(&dev, true, 0, 1, l, 1.0), 8);
	assert_false(dev.ifs[0].have);
	snmp_free_varbind(l);
}

static void test_name_moved(void **state)
{
	netsnmp_variable_list *l = NULL;

	(void)state;
	resolve_two();
	add_sys(&l, 1000, "r");
	add_if(&l, 3, "ge-0/0/2", 1, 5, 5); /* another name at 3 now */
	reply_get(&dev, true, 0, 1, l, 1.0);
	assert_true(dev.need_resolve);
	assert_false(dev.ifs[0].have);
	snmp_free_varbind(l);

	resolve_two();
	l = NULL;
	add_sys(&l, 1000, "r");
	add(&l, COL_IFNAME, 3, SNMP_NOSUCHINSTANCE, NULL, 0); /* gone */
	reply_get(&dev, true, 0, 1, l, 1.0);
	assert_true(dev.need_resolve);
	snmp_free_varbind(l);
}

static void test_reboot(void **state)
{
	netsnmp_variable_list *l = NULL;

	(void)state;
	resolve_two();
	add_sys(&l, 5000, "r");
	add_if(&l, 3, "ge-0/0/1", 1, 1000000, 10);
	reply_get(&dev, true, 0, 1, l, 1.0);
	snmp_free_varbind(l);
	assert_true(dev.ifs[0].have_base);
	l = NULL;
	add_sys(&l, 100, "r"); /* sysUpTime went back */
	add_if(&l, 3, "ge-0/0/1", 1, 10, 10);
	reply_get(&dev, true, 0, 1, l, 2.0);
	snmp_free_varbind(l);
	assert_true(dev.rebooted);
	assert_true(dev.need_resolve);
	assert_false(dev.ifs[0].have_base);
	assert_false(dev.ifs[0].have_rate);
	assert_false(dev.ifs[0].have);
}

static void test_rate(void **state)
{
	double r = -1;

	(void)state;
	assert_true(reply_rate(100, 1100, 1.0, &r));
	assert_true(r == 8000.0);
	/* a wrap of the 64-bit counter: 16 bytes on */
	assert_true(reply_rate(UINT64_MAX - 5, 10, 2.0, &r));
	assert_true(r == 64.0);
	/* back by much: a reset, not a wrap */
	assert_false(reply_rate(1000000, 10, 1.0, &r));
	assert_false(reply_rate(1, 2, 0.0, &r));
	assert_false(reply_rate(1, 2, -1.0, &r));
	/* 2 TB in a second is 16 Tb/s: beyond the schema */
	assert_false(reply_rate(0, 2000000000000ULL, 1.0, &r));
}

static void test_get_oids_layout(void **state)
{
	oid oids[64][MAX_OID_LEN];
	size_t lens[64];
	int k;

	(void)state;
	resolve_two();
	k = reply_get_oids(&dev, true, 0, 2, oids, lens, 64);
	assert_int_equal(k, 2 + 2 * REPLY_IF_VARS);
	assert_int_equal(lens[0], 9);
	/* ge-0/0/1 by ifName.3, Port 7 by ifDescr.9 */
	assert_int_equal(snmp_oid_compare(oids[2], lens[2] - 1,
					  reply_cols[COL_IFNAME].base,
					  reply_cols[COL_IFNAME].len), 0);
	assert_int_equal(oids[2][lens[2] - 1], 3);
	assert_int_equal(snmp_oid_compare(oids[2 + REPLY_IF_VARS],
					  lens[2 + REPLY_IF_VARS] - 1,
					  reply_cols[COL_IFDESCR].base,
					  reply_cols[COL_IFDESCR].len), 0);
	/* room for fewer: never past max */
	assert_int_equal(reply_get_oids(&dev, true, 0, 2, oids, lens, 5), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_resolves),
		cmocka_unit_test(test_walk_backwards),
		cmocka_unit_test(test_walk_no_progress),
		cmocka_unit_test(test_walk_exceptions_end),
		cmocka_unit_test(test_walk_wrong_type),
		cmocka_unit_test(test_get_values_and_rates),
		cmocka_unit_test(test_get_missing_varbinds),
		cmocka_unit_test(test_get_other_oids),
		cmocka_unit_test(test_name_moved),
		cmocka_unit_test(test_reboot),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_get_oids_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
