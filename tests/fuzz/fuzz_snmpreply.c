// SPDX-License-Identifier: BSD-2-Clause
/*
 * The SNMP poller's reply step (agent/snmp/reply.c): the varbinds of a
 * device's answer, whatever they are, into a device's state.  net-snmp
 * decodes the BER of a datagram; what it hands over — OIDs, types and
 * values of any length — is what this harness makes from its input, as
 * records of [column][index][type][length][value] (a column past IF-MIB's
 * is sysUpTime.0, sysName.0 or an OID of the input's own bytes).  The
 * list goes through the name walk, then two GETs of a device of three
 * interfaces.  Promises checked: a walk ends (or fails) within its row
 * bound, the names stay NUL-terminated, ifIndexes are in range, and a
 * rate is a finite number of at most 10 Tb/s.
 */
#include <math.h>
#include <string.h>

#include "agent/snmp/reply.h"
#include "tests/fuzz/fuzz.h"

static struct snmp_devconf conf;
static struct snmp_dev dev;

static netsnmp_variable_list *parse(const uint8_t *p, size_t n)
{
	netsnmp_variable_list *l = NULL;
	size_t i = 0;
	int count = 0;

	while (i + 4 <= n && count++ < 512) {
		unsigned col = p[i], idx = p[i + 1], type = p[i + 2],
			 len = p[i + 3];
		oid o[MAX_OID_LEN];
		size_t on = 0;

		i += 4;
		if (len > n - i)
			len = (unsigned)(n - i);
		col %= COL__N + 3;
		if (col < COL__N) {
			memcpy(o, reply_cols[col].base,
			       reply_cols[col].len * sizeof(oid));
			on = reply_cols[col].len;
			o[on++] = idx;
		} else if (col == COL__N) {
			memcpy(o, reply_sysuptime, sizeof(reply_sysuptime));
			on = 9;
		} else if (col == COL__N + 1) {
			memcpy(o, reply_sysname, sizeof(reply_sysname));
			on = 9;
		} else {
			/* an OID of the value's bytes (at least two) */
			o[0] = 1;
			o[1] = 3;
			on = 2;
			for (unsigned k = 0; k < len && on < MAX_OID_LEN; k++)
				o[on++] = p[i + k];
		}
		if (type == ASN_COUNTER64 && len >= 8) {
			struct counter64 c;

			memcpy(&c.high, p + i, 4);
			memcpy(&c.low, p + i + 4, 4);
			c.high &= 0xffffffff;
			c.low &= 0xffffffff;
			snmp_varlist_add_variable(&l, o, on, ASN_COUNTER64, &c,
						  sizeof(c));
		} else if ((type == ASN_INTEGER || type == ASN_COUNTER ||
			    type == ASN_TIMETICKS || type == ASN_GAUGE) &&
			   len >= 4) {
			long v = 0;

			memcpy(&v, p + i, 4);
			snmp_varlist_add_variable(&l, o, on, (u_char)type, &v,
						  sizeof(v));
		} else if (type == SNMP_NOSUCHOBJECT ||
			   type == SNMP_NOSUCHINSTANCE ||
			   type == SNMP_ENDOFMIBVIEW) {
			snmp_varlist_add_variable(&l, o, on, (u_char)type,
						  NULL, 0);
		} else {
			snmp_varlist_add_variable(&l, o, on, ASN_OCTET_STR,
						  p + i, len);
		}
		i += len;
	}
	return l;
}

static void check(void)
{
	FUZZ_CHECK(memchr(dev.sysname, 0, sizeof(dev.sysname)),
		   "sysName not NUL-terminated");
	FUZZ_CHECK(memchr(dev.why, 0, sizeof(dev.why)), "why not ended");
	for (int i = 0; i < dev.n_if; i++) {
		const struct snmp_if *f = &dev.ifs[i];

		FUZZ_CHECK(f->ifindex >= 0 && f->ifindex <= 0x7fffffff,
			   "ifindex %ld", f->ifindex);
		FUZZ_CHECK(!f->have_rate ||
				   (isfinite(f->in_bps) && f->in_bps >= 0 &&
				    f->in_bps <= 1e13 && isfinite(f->out_bps) &&
				    f->out_bps >= 0 && f->out_bps <= 1e13),
			   "rate %g %g", f->in_bps, f->out_bps);
		FUZZ_CHECK(f->oper >= 0 && f->oper <= 7, "oper %d", f->oper);
		FUZZ_CHECK(f->admin >= 0 && f->admin <= 3, "admin %d",
			   f->admin);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	netsnmp_variable_list *l = parse(data, size);
	int rc = 1, rounds = 0;

	memset(&conf, 0, sizeof(conf));
	snprintf(conf.ifaces[0], SNMP_NAME_LEN, "eth0");
	snprintf(conf.ifaces[1], SNMP_NAME_LEN, "A");
	snprintf(conf.ifaces[2], SNMP_NAME_LEN, "ge-0/0/1");
	conf.n_ifaces = 3;
	reply_dev_init(&dev, &conf);
	reply_walk_start(&dev);
	/* the same answer again and again: it must end or fail */
	while (rc == 1 && rounds++ < REPLY_WALK_MAX_ROWS + 2)
		rc = reply_walk(&dev, l);
	FUZZ_CHECK(rc != 1, "a walk that never ends");
	check();
	/* names found or not, two GETs of everything */
	for (int i = 0; i < dev.n_if; i++)
		if (!dev.ifs[i].ifindex)
			dev.ifs[i].ifindex = i + 1;
	reply_get(&dev, true, 0, dev.n_if, l, 1.0);
	check();
	reply_get(&dev, true, 0, dev.n_if, l, 1.5);
	check();
	snmp_free_varbind(l);
	return 0;
}
