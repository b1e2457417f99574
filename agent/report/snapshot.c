// SPDX-License-Identifier: BSD-2-Clause
/*
 * The agent's state into a struct report (snapshot.h): the node, the
 * profile applied, the agent's state and drift, the links and targets
 * (from the monitor), the firewall's counters per zone pair, the devices
 * polled over SNMP.
 */
#include "agent/report/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/fw/fw.h"
#include "agent/snmp/poll.h"
#include "common/defaults.h"
#include "common/log.h"
#include "common/now.h"

static void fill_pairs(struct report *r)
{
	struct fw_counter *c;
	char err[300];
	int n;

	if (nft_read_counters(&c, &n, err, sizeof(err)) < 0) {
		log_debug("report: %s", err);
		return;
	}
	for (int i = 0; i < n && r->n_pairs < REPORT_MAX_PAIRS; i++) {
		/* the rules' comments say FROM>TO, the schema FROM->TO; zone
		 * names are shorter than NAME_LEN (32) */
		const char *gt = strchr(c[i].pair, '>');
		struct report_pair *p;
		int fl;

		if (!gt || gt - c[i].pair > 31 || strlen(gt + 1) > 31)
			continue;
		fl = (int)(gt - c[i].pair) & 31;
		p = &r->pairs[r->n_pairs++];
		snprintf(p->pair, sizeof(p->pair), "%.*s->%.31s", fl,
			 c[i].pair, gt + 1);
		p->acc_packets = c[i].acc_pkts;
		p->acc_bytes = c[i].acc_bytes;
		p->drop_packets = c[i].drop_pkts;
		p->drop_bytes = c[i].drop_bytes;
	}
	free(c);
}

void snapshot_fill(struct report *r, const struct snapshot_src *s)
{
	struct agent *a = s->a;
	const struct state_meta *m = a->pending ? &a->pending_meta
						: &a->applied_meta;
	double up = now_mono() - s->started;

	r->node = a->in.nc.code;
	r->level = code_level(r->node);
	r->parent = code_parent(r->node);
	snprintf(r->agent_version, sizeof(r->agent_version), "%s",
		 EGNET_VERSION);
	r->uptime_s = up > 0 ? (long long)up : 0;
	r->interval_s = a->in.nc.report_interval;
	if (a->have_applied || a->pending) {
		snprintf(r->profile, sizeof(r->profile), "%s", m->profile);
		snprintf(r->profile_version, sizeof(r->profile_version), "%s",
			 m->version);
		snprintf(r->profile_hash, sizeof(r->profile_hash), "%s",
			 m->hash);
	}
	/* the agent's states are the report's, in the same order */
	r->apply = a->state >= 0 && a->state < RPT_APPLY__N
			   ? (enum report_apply)a->state
			   : RPT_APPLY_FAILED;
	r->drift = a->drift && json_array_size(a->drift) > 0;
	if (r->drift)
		snprintf(r->drift_text, sizeof(r->drift_text), "%.*s",
			 (int)sizeof(r->drift_text) - 1,
			 json_string_value(json_array_get(a->drift, 0))
				 ?: "");
	monitor_report(s->m, &a->in.ds, r);
	if (s->snmp)
		poller_report(*s->snmp, r);
	if (agent_target(a) && agent_target(a)->fw)
		fill_pairs(r);
}
