// SPDX-License-Identifier: BSD-2-Clause
/*
 * A device's replies into its state (reply.h).  Pure: the varbinds and a
 * time in, the struct snmp_dev out; every value checked for its OID, its
 * type and its length before it is taken.
 */
#include "agent/snmp/reply.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RPT_BPS_LIMIT 1e13 /* the report schema's bound: 10 Tb/s */

const oid reply_sysuptime[9] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
const oid reply_sysname[9] = {1, 3, 6, 1, 2, 1, 1, 5, 0};

static const oid o_ifname[] = {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1};
static const oid o_ifdescr[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 2};
static const oid o_admin[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 7};
static const oid o_oper[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 8};
static const oid o_hcin[] = {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6};
static const oid o_hcout[] = {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 10};
static const oid o_inerr[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 14};
static const oid o_outerr[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 20};
static const oid o_indisc[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 13};

#define C(o, t) {o, sizeof(o) / sizeof(o[0]), t}
const struct reply_colinfo reply_cols[COL__N] = {
	C(o_ifname, ASN_OCTET_STR), C(o_ifdescr, ASN_OCTET_STR),
	C(o_admin, ASN_INTEGER),    C(o_oper, ASN_INTEGER),
	C(o_hcin, ASN_COUNTER64),   C(o_hcout, ASN_COUNTER64),
	C(o_inerr, ASN_COUNTER),    C(o_outerr, ASN_COUNTER),
	C(o_indisc, ASN_COUNTER),
};

const char *const reply_oper_words[] = {
	"unknown", "up",      "down",	       "testing",
	"unknown", "dormant", "notPresent", "lowerLayerDown", NULL};
const char *const reply_admin_words[] = {"unknown", "up", "down", "testing",
					 NULL};

static void bad(struct snmp_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void bad(struct snmp_dev *d, const char *fmt, ...)
{
	va_list ap;

	d->bad++;
	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

void reply_dev_init(struct snmp_dev *d, const struct snmp_devconf *c)
{
	memset(d, 0, sizeof(*d));
	d->c = c;
	d->n_if = c->n_ifaces;
	for (int i = 0; i < d->n_if; i++)
		snprintf(d->ifs[i].name, sizeof(d->ifs[i].name), "%s",
			 c->ifaces[i]);
	d->need_resolve = true;
}

void reply_walk_start(struct snmp_dev *d)
{
	struct snmp_walk *w = &d->walk;

	memset(w, 0, sizeof(*w));
	for (int c = COL_IFNAME; c <= COL_IFDESCR; c++) {
		memcpy(w->next[c], reply_cols[c].base,
		       reply_cols[c].len * sizeof(oid));
		w->next_len[c] = reply_cols[c].len;
	}
}

/* @v's OID is @base.INDEX with one sub-identifier of 1..2^31-1: INDEX, or 0. */
static long index_of(const netsnmp_variable_list *v, const oid *base,
		     size_t len)
{
	if (v->name_length != len + 1 ||
	    snmp_oid_compare(v->name, len, base, len) ||
	    v->name[len] < 1 || v->name[len] > 0x7fffffff)
		return 0;
	return (long)v->name[len];
}

/* A string value as a name: false when it is not text of a name's size. */
static bool str_is(const netsnmp_variable_list *v, const char *name)
{
	size_t n = strlen(name);

	return v->type == ASN_OCTET_STR && v->val.string && v->val_len == n &&
	       !memcmp(v->val.string, name, n);
}

static bool exception(const netsnmp_variable_list *v)
{
	return v->type == SNMP_NOSUCHOBJECT ||
	       v->type == SNMP_NOSUCHINSTANCE || v->type == SNMP_ENDOFMIBVIEW;
}

int reply_walk(struct snmp_dev *d, const netsnmp_variable_list *vars)
{
	struct snmp_walk *w = &d->walk;
	int cols[2], ncols = 0, k = 0;
	bool progress = false;

	for (int c = COL_IFNAME; c <= COL_IFDESCR; c++)
		if (!w->done[c])
			cols[ncols++] = c;
	if (!ncols)
		return 0;
	for (const netsnmp_variable_list *v = vars; v;
	     v = v->next_variable, k++) {
		int c = cols[k % ncols];
		long idx;

		if (w->done[c])
			continue;
		if (++w->rows > REPLY_WALK_MAX_ROWS) {
			snprintf(d->why, sizeof(d->why),
				 "the interface walk passed %d rows",
				 REPLY_WALK_MAX_ROWS);
			d->bad++;
			return -EPROTO;
		}
		if (exception(v) || v->name_length > MAX_OID_LEN ||
		    v->name_length < reply_cols[c].len ||
		    snmp_oid_compare(v->name, reply_cols[c].len,
				     reply_cols[c].base, reply_cols[c].len)) {
			w->done[c] = true; /* out of the column: its end */
			continue;
		}
		if (snmp_oid_compare(v->name, v->name_length, w->next[c],
				     w->next_len[c]) <= 0) {
			bad(d, "the interface walk went backwards in %s",
			    c == COL_IFNAME ? "ifName" : "ifDescr");
			return -EPROTO;
		}
		memcpy(w->next[c], v->name, v->name_length * sizeof(oid));
		w->next_len[c] = v->name_length;
		progress = true;
		idx = index_of(v, reply_cols[c].base, reply_cols[c].len);
		if (!idx || v->type != ASN_OCTET_STR) {
			bad(d, "%s: a row that is not an interface name",
			    c == COL_IFNAME ? "ifName" : "ifDescr");
			continue;
		}
		for (int i = 0; i < d->n_if; i++)
			if (!w->found[i][c] && str_is(v, d->ifs[i].name))
				w->found[i][c] = idx;
	}
	if (!w->done[COL_IFNAME] || !w->done[COL_IFDESCR]) {
		if (progress)
			return 1;
		snprintf(d->why, sizeof(d->why),
			 "the interface walk makes no progress");
		d->bad++;
		return -EPROTO;
	}
	for (int i = 0; i < d->n_if; i++) {
		struct snmp_if *f = &d->ifs[i];
		long idx = w->found[i][COL_IFNAME] ?: w->found[i][COL_IFDESCR];
		int by = w->found[i][COL_IFNAME] ? COL_IFNAME : COL_IFDESCR;

		if (idx != f->ifindex) /* another row: a new baseline */
			f->have_base = f->have_rate = false;
		f->ifindex = idx;
		f->by = by;
	}
	d->need_resolve = false;
	return 0;
}

int reply_get_oids(const struct snmp_dev *d, bool sys, int first, int n,
		   oid (*oids)[MAX_OID_LEN], size_t *lens, int max)
{
	int k = 0;

	if (sys && k + 2 <= max) {
		memcpy(oids[k], reply_sysuptime, sizeof(reply_sysuptime));
		lens[k++] = 9;
		memcpy(oids[k], reply_sysname, sizeof(reply_sysname));
		lens[k++] = 9;
	}
	for (int i = first; i < first + n && i < d->n_if; i++) {
		const struct snmp_if *f = &d->ifs[i];

		if (!f->ifindex)
			continue;
		for (int c = COL_IFNAME; c < COL__N && k < max; c++) {
			if (c == COL_IFNAME || c == COL_IFDESCR) {
				if (c != f->by)
					continue;
			}
			memcpy(oids[k], reply_cols[c].base,
			       reply_cols[c].len * sizeof(oid));
			oids[k][reply_cols[c].len] = (oid)f->ifindex;
			lens[k++] = reply_cols[c].len + 1;
		}
	}
	return k;
}

bool reply_rate(uint64_t prev, uint64_t cur, double dt, double *bps)
{
	uint64_t delta = cur - prev; /* a wrap is modulo 2^64 */
	double r;

	if (!(dt > 0) || delta > (UINT64_MAX >> 1))
		return false;
	r = (double)delta * 8.0 / dt;
	if (r > RPT_BPS_LIMIT)
		return false;
	*bps = r;
	return true;
}

/* The varbind @v for the OID @want of @len: it must be that OID. */
static bool same_oid(const netsnmp_variable_list *v, const oid *want,
		     size_t len)
{
	return v && v->name_length == len &&
	       !snmp_oid_compare(v->name, v->name_length, want, len);
}

static void take_sys(struct snmp_dev *d, const netsnmp_variable_list *up,
		     const netsnmp_variable_list *name)
{
	if (!same_oid(up, reply_sysuptime, 9) || up->type != ASN_TIMETICKS ||
	    !up->val.integer || up->val_len < sizeof(long)) {
		bad(d, "sysUpTime.0: missing or not TimeTicks");
	} else {
		uint32_t t = (uint32_t)*up->val.integer;

		d->rebooted = d->have_uptime && t < d->uptime;
		if (d->rebooted)
			d->need_resolve = true;
		d->uptime = t;
		d->have_uptime = true;
	}
	if (!same_oid(name, reply_sysname, 9) || name->type != ASN_OCTET_STR ||
	    !name->val.string) {
		bad(d, "sysName.0: missing or not a string");
		return;
	}
	/* shown as text: cut to the field, control bytes as '?' */
	size_t n = name->val_len < sizeof(d->sysname) - 1
			   ? name->val_len
			   : sizeof(d->sysname) - 1;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = name->val.string[i];

		d->sysname[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	d->sysname[n] = '\0';
}

/* One interface's varbinds from @v on: returns the varbind after them. */
static const netsnmp_variable_list *take_if(struct snmp_dev *d,
					    struct snmp_if *f,
					    const netsnmp_variable_list *v,
					    double now, int *refused)
{
	bool ok[COL__N] = {false};
	long ival[COL__N] = {0};
	uint64_t c64[COL__N] = {0};
	bool moved = false;

	for (int c = COL_IFNAME; c < COL__N; c++) {
		oid want[MAX_OID_LEN];

		if ((c == COL_IFNAME || c == COL_IFDESCR) && c != f->by)
			continue;
		memcpy(want, reply_cols[c].base,
		       reply_cols[c].len * sizeof(oid));
		want[reply_cols[c].len] = (oid)f->ifindex;
		if (!same_oid(v, want, reply_cols[c].len + 1)) {
			bad(d, "%s: a varbind for another OID, or none",
			    f->name);
			(*refused)++;
		} else if (exception(v) || v->type != reply_cols[c].type) {
			if (c == COL_IFNAME || c == COL_IFDESCR)
				moved = true; /* no row there any more */
			else {
				bad(d, "%s: a value of type 0x%02x where "
				    "0x%02x is due",
				    f->name, v->type, reply_cols[c].type);
				(*refused)++;
			}
		} else if (c == COL_IFNAME || c == COL_IFDESCR) {
			moved = !str_is(v, f->name);
			ok[c] = !moved;
		} else if (reply_cols[c].type == ASN_COUNTER64) {
			if (v->val.counter64 &&
			    v->val_len >= sizeof(struct counter64)) {
				c64[c] = ((uint64_t)v->val.counter64->high
					  << 32) |
					 (uint32_t)v->val.counter64->low;
				ok[c] = true;
			}
		} else if (v->val.integer && v->val_len >= sizeof(long)) {
			ival[c] = *v->val.integer;
			ok[c] = true;
		}
		if (v)
			v = v->next_variable;
	}
	if (moved) {
		/* the name is not at its ifIndex: values of another row */
		d->need_resolve = true;
		f->have = false;
		return v;
	}
	f->have = ok[f->by];
	f->oper = ok[COL_OPER] && ival[COL_OPER] >= 1 && ival[COL_OPER] <= 7
			  ? (int)ival[COL_OPER]
			  : 0;
	f->admin = ok[COL_ADMIN] && ival[COL_ADMIN] >= 1 &&
				   ival[COL_ADMIN] <= 3
			   ? (int)ival[COL_ADMIN]
			   : 0;
	f->have_err = ok[COL_INERR] && ok[COL_OUTERR] && ok[COL_INDISC];
	f->in_errors = (uint32_t)ival[COL_INERR];
	f->out_errors = (uint32_t)ival[COL_OUTERR];
	f->in_discards = (uint32_t)ival[COL_INDISC];
	f->have_hc = ok[COL_HCIN] && ok[COL_HCOUT];
	if (!f->have_hc)
		return v;
	f->in_octets = c64[COL_HCIN];
	f->out_octets = c64[COL_HCOUT];
	if (f->have_base) {
		double ib, ob, dt = now - f->base_t;

		f->have_rate = reply_rate(f->base_in, f->in_octets, dt, &ib) &&
			       reply_rate(f->base_out, f->out_octets, dt, &ob);
		if (f->have_rate) {
			f->in_bps = ib;
			f->out_bps = ob;
		}
	}
	f->have_base = true;
	f->base_in = f->in_octets;
	f->base_out = f->out_octets;
	f->base_t = now;
	return v;
}

int reply_get(struct snmp_dev *d, bool sys, int first, int n,
	      const netsnmp_variable_list *vars, double now)
{
	const netsnmp_variable_list *v = vars;
	int refused = 0;
	unsigned long bad0 = d->bad;

	if (sys) {
		const netsnmp_variable_list *up = v,
					    *name = v ? v->next_variable : NULL;

		take_sys(d, up, name);
		v = name ? name->next_variable : NULL;
		if (d->rebooted) {
			/* the rows may be others now: nothing of this
			 * reply is taken, the names are walked again */
			for (int i = 0; i < d->n_if; i++) {
				d->ifs[i].have_base = false;
				d->ifs[i].have_rate = false;
				d->ifs[i].have = false;
			}
			return (int)(d->bad - bad0);
		}
	}
	for (int i = first; i < first + n && i < d->n_if; i++) {
		struct snmp_if *f = &d->ifs[i];

		if (!f->ifindex) {
			f->have = false;
			continue;
		}
		v = take_if(d, f, v, now, &refused);
	}
	(void)refused;
	return (int)(d->bad - bad0);
}

void reply_forget(struct snmp_dev *d)
{
	for (int i = 0; i < d->n_if; i++) {
		d->ifs[i].have = false;
		d->ifs[i].have_rate = false;
		d->ifs[i].oper = d->ifs[i].admin = 0;
	}
}
