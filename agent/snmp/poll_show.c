// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the SNMP poller shows (poll.h): its devices and their interfaces
 * as JSON for the control socket, and as a report's snmp member.  Reads
 * only.  A device that is not up shows its interfaces as unknown, without
 * counters.
 */
#include "agent/snmp/poll.h"

#include <stdio.h>
#include <string.h>

#include "agent/snmp/poll_int.h"

static const char *oper_word(int v)
{
	return v >= 1 && v <= 7 ? reply_oper_words[v] : "unknown";
}

static int oper_state(int v)
{
	return v == 1 ? RPT_OPER_UP : v >= 2 && v != 4 ? RPT_OPER_DOWN
						      : RPT_OPER_UNKNOWN;
}

json_t *poller_json(const struct poller *p)
{
	json_t *o = json_pack("{s:b}", "ok", 1), *devs = json_array();

	if (p)
		json_object_set_new(
			o, "settings",
			json_pack("{s:i, s:i, s:i, s:i}", "interval_s",
				  p->sc.interval_s, "timeout_ms",
				  p->sc.timeout_ms, "retries", p->sc.retries,
				  "down_after", p->sc.down_after));
	for (int i = 0; p && i < p->n; i++) {
		const struct pdev *d = &p->devs[i];
		json_t *dv, *ifs = json_array();

		dv = json_pack(
			"{s:s, s:s, s:i, s:s, s:s, s:I, s:s?, s:I, s:i, s:I, "
			"s:I, s:I, s:I, s:f}",
			"name", d->c.name, "address", d->c.address, "port",
			d->c.port, "version", snmp_version_words[d->c.version],
			"state", report_oper_words[d->state], "since_ms",
			(json_int_t)d->since_ms, "error",
			d->error[0] ? d->error : NULL, "bad_values",
			(json_int_t)d->st.bad, "failed_in_a_row", d->fails,
			"polls", (json_int_t)d->polls, "failed",
			(json_int_t)d->failed, "varbinds",
			(json_int_t)d->varbinds, "max_varbinds",
			(json_int_t)d->maxvb, "last_poll_ms", d->last_ms);
		if (d->st.have_uptime && d->state == RPT_OPER_UP) {
			json_object_set_new(dv, "sys_name",
					    json_string(d->st.sysname));
			json_object_set_new(dv, "uptime_cs",
					    json_integer(d->st.uptime));
		}
		if (d->st.bad)
			json_object_set_new(dv, "bad_why",
					    json_string(d->st.why));
		for (int k = 0; k < d->st.n_if; k++) {
			const struct snmp_if *f = &d->st.ifs[k];
			bool known = d->state == RPT_OPER_UP && f->have;
			json_t *fi = json_pack(
				"{s:s, s:I, s:s?, s:s, s:s}", "name", f->name,
				"ifindex", (json_int_t)f->ifindex, "by",
				f->ifindex ? (f->by == COL_IFNAME ? "ifName"
								  : "ifDescr")
					   : NULL,
				"oper", known ? oper_word(f->oper) : "unknown",
				"admin",
				known && f->admin ? reply_admin_words[f->admin]
						  : "unknown");

			if (known && f->have_hc) {
				json_object_set_new(
					fi, "in_octets",
					json_integer((json_int_t)f->in_octets));
				json_object_set_new(
					fi, "out_octets",
					json_integer(
						(json_int_t)f->out_octets));
			}
			if (known && f->have_err)
				json_object_set_new(
					fi, "errors",
					json_pack("{s:I, s:I, s:I}", "in",
						  (json_int_t)f->in_errors,
						  "out",
						  (json_int_t)f->out_errors,
						  "in_discards",
						  (json_int_t)f->in_discards));
			if (known && f->have_rate) {
				json_object_set_new(fi, "in_bps",
						    json_real(f->in_bps));
				json_object_set_new(fi, "out_bps",
						    json_real(f->out_bps));
			}
			json_array_append_new(ifs, fi);
		}
		json_object_set_new(dv, "interfaces", ifs);
		json_array_append_new(devs, dv);
	}
	json_object_set_new(o, "devices", devs);
	return o;
}

void poller_report(const struct poller *p, struct report *r)
{
	r->n_snmp = 0;
	for (int i = 0; p && i < p->n && i < REPORT_MAX_SNMP_DEVICES; i++) {
		const struct pdev *d = &p->devs[i];
		struct report_snmp_dev *rd = &r->snmp[r->n_snmp++];
		bool up = d->state == RPT_OPER_UP;

		memset(rd, 0, offsetof(struct report_snmp_dev, ifs));
		snprintf(rd->name, sizeof(rd->name), "%s", d->c.name);
		snprintf(rd->address, sizeof(rd->address), "%s", d->c.address);
		rd->state = d->state;
		snprintf(rd->error, sizeof(rd->error), "%s", d->error);
		if (up && d->st.have_uptime) {
			snprintf(rd->sys_name, sizeof(rd->sys_name), "%s",
				 d->st.sysname);
			rd->uptime_s = d->st.uptime / 100;
		}
		for (int k = 0; k < d->st.n_if && k < REPORT_MAX_SNMP_IFACES;
		     k++) {
			const struct snmp_if *f = &d->st.ifs[k];
			struct report_snmp_if *ri = &rd->ifs[rd->n_ifs++];
			bool known = up && f->have;

			memset(ri, 0, sizeof(*ri));
			snprintf(ri->name, sizeof(ri->name), "%s", f->name);
			ri->ifindex = (uint64_t)f->ifindex;
			ri->state = known ? oper_state(f->oper)
					  : RPT_OPER_UNKNOWN;
			ri->admin = known ? oper_state(f->admin)
					  : RPT_OPER_UNKNOWN;
			ri->has_counters = known && f->have_hc && f->have_err;
			if (ri->has_counters) {
				ri->in_octets = f->in_octets & INT64_MAX;
				ri->out_octets = f->out_octets & INT64_MAX;
				ri->in_errors = f->in_errors;
				ri->out_errors = f->out_errors;
				ri->in_discards = f->in_discards;
			}
			ri->has_rates = known && f->have_rate;
			ri->in_bps = f->in_bps;
			ri->out_bps = f->out_bps;
		}
	}
}
