// SPDX-License-Identifier: BSD-2-Clause
/*
 * Report schema v1, the snmp member: the devices polled over SNMP and
 * their interfaces (docs/report.md), as field tables that report_check(),
 * the encoder and the decoder walk like the others, and the check that
 * names are unique.  Pure functions; reasons in the caller's buffer.
 */
#include "common/report.h"

#include <string.h>

#include "common/report_int.h"
#include "common/report_tab.h"

/* SNMP: devices, each with its interfaces. */
static const struct rf snmp_counters_f[] = {
	F("in_octets", RF_U64, struct report_snmp_if, in_octets),
	F("out_octets", RF_U64, struct report_snmp_if, out_octets),
	F("in_errors", RF_U64, struct report_snmp_if, in_errors),
	F("out_errors", RF_U64, struct report_snmp_if, out_errors),
	F("in_discards", RF_U64, struct report_snmp_if, in_discards),
};
static const struct rf snmp_rates_f[] = {
	F("in_bps", RF_BPS, struct report_snmp_if, in_bps),
	F("out_bps", RF_BPS, struct report_snmp_if, out_bps),
};
const struct rf rpt_snmp_if[] = {
	F("name", RF_NAME, struct report_snmp_if, name),
	F("ifindex", RF_U64, struct report_snmp_if, ifindex),
	W("state", RF_WORD, struct report_snmp_if, state, report_oper_words,
	  RPT_OPER__N),
	W("admin", RF_WORD, struct report_snmp_if, admin, report_oper_words,
	  RPT_OPER__N),
	OBJN("counters", struct report_snmp_if, has_counters, snmp_counters_f),
	OBJN("rates", struct report_snmp_if, has_rates, snmp_rates_f),
};
const struct rf rpt_snmp_dev[] = {
	F("name", RF_NAME, struct report_snmp_dev, name),
	F("address", RF_TOKEN, struct report_snmp_dev, address),
	W("state", RF_WORD, struct report_snmp_dev, state, report_oper_words,
	  RPT_OPER__N),
	F("error", RF_TEXT, struct report_snmp_dev, error),
	F("sys_name", RF_NAME0, struct report_snmp_dev, sys_name),
	F("uptime_s", RF_SECS, struct report_snmp_dev, uptime_s),
	CUSTOM("interfaces"),
};

const int rpt_nsnmp_dev = N(rpt_snmp_dev), rpt_nsnmp_if = N(rpt_snmp_if);

int rpt_check_snmp_unique(struct rd *rd, const struct report *r)
{
	int i, first;

	i = rpt_dup_name(r->snmp[0].name, sizeof(r->snmp[0]), r->n_snmp,
			 &first);
	if (i >= 0) {
		rd_key(rd, "snmp");
		rd_idx(rd, i);
		rd_key(rd, "name");
		rpt_fail(rd, REPORT_ERR_SCHEMA, "\"%s\" is snmp[%d]'s too",
			 r->snmp[i].name, first);
		rd->depth -= 3;
		return -1;
	}
	for (int d = 0; d < r->n_snmp; d++) {
		const struct report_snmp_dev *dv = &r->snmp[d];

		i = rpt_dup_name(dv->ifs[0].name, sizeof(dv->ifs[0]),
				 dv->n_ifs, &first);
		if (i < 0)
			continue;
		rd_key(rd, "snmp");
		rd_idx(rd, d);
		rd_key(rd, "interfaces");
		rd_idx(rd, i);
		rpt_fail(rd, REPORT_ERR_SCHEMA,
			 "\"%s\" is interfaces[%d]'s too", dv->ifs[i].name,
			 first);
		rd->depth -= 4;
		return -1;
	}
	return 0;
}
