// SPDX-License-Identifier: BSD-2-Clause
/*
 * The agent's status as JSON: state, profile, pending commit-confirm, the
 * last apply, drift, which configuration runs, firewall counters.  Reads
 * only; the kernel is asked for counters, nothing changes.
 */
#include "agent/agent.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent_int.h"
#include "agent/apply/goodconf.h"
#include "agent/apply/kjson.h"
#include "agent/apply/txn.h"
#include "agent/fw/fw.h"
#include "common/log.h"

json_t *agent_status(struct agent *a)
{
	const struct state_meta *m = a->pending ? &a->pending_meta
						: &a->applied_meta;
	char cb[CODE_STRLEN];
	json_t *s;

	s = json_pack("{s:b, s:s, s:{s:s, s:s}, s:s}", "ok", 1, "state",
		      agent_state_words[a->state], "node", "code",
		      code_format(a->in.nc.code, cb), "name", a->in.nc.name,
		      "drift_policy", drift_words[a->drift_policy]);
	if (a->have_applied || a->pending)
		json_object_set_new(s, "profile",
				    json_pack("{s:s, s:s, s:s, s:I}", "name",
					      m->profile, "version", m->version,
					      "hash", m->hash, "applied",
					      (json_int_t)m->time));
	if (a->pending) {
		long long left = a->deadline - agent_now();

		json_object_set_new(
			s, "pending",
			json_pack("{s:I, s:I, s:b}", "deadline",
				  (json_int_t)a->deadline, "seconds_left",
				  (json_int_t)(left > 0 ? left : 0),
				  "when_reachable", a->confirm_reachable));
	}
	if (a->last.time)
		json_object_set_new(
			s, "last_apply",
			json_pack("{s:s, s:s, s:I, s:i, s:I}", "result",
				  a->last.result, "message", a->last.msg,
				  "time", (json_int_t)a->last.time, "ops",
				  a->last.ops, "writes",
				  (json_int_t)a->last.writes));
	if (a->drift)
		json_object_set(s, "drift", a->drift);
	if (a->conf_problems)
		json_object_set_new(
			s, "config",
			json_pack("{s:b, s:O, s:s, s:I, s:s}", "ok", 0,
				  "problems", a->conf_problems, "running",
				  "last-good", "saved",
				  (json_int_t)a->good_saved, "hash",
				  a->good_hash));
	else
		json_object_set_new(s, "config",
				    json_pack("{s:b, s:s, s:I}", "ok", 1,
					      "running",
					      a->staged_hash[0] ? "applied-copy"
								: "files",
					      "loaded",
					      (json_int_t)a->loaded_at));
	if (a->staged_hash[0])
		json_object_set_new(json_object_get(s, "config"), "staged",
				    json_pack("{s:s, s:I}", "hash",
					      a->staged_hash, "read",
					      (json_int_t)a->staged_at));
	if (a->reload_problems) {
		json_t *c = json_object_get(s, "config");

		json_object_set(c, "reload_refused", a->reload_problems);
		json_object_set_new(c, "loaded", json_integer(a->loaded_at));
		json_object_set_new(c, "refused_at",
				    json_integer(a->reload_refused));
	}
	if (agent_target(a) && agent_target(a)->fw) {
		struct fw_counter *c;
		struct fwstate fw;
		char err[300];
		int n;

		if (nft_read(&fw, &c, &n, err, sizeof(err)) == 0) {
			json_t *pairs = json_object();

			for (int i = 0; i < n; i++)
				json_object_set_new(
					pairs, c[i].pair,
					json_pack("{s:{s:I, s:I}, s:{s:I, s:I}}",
						  "accepted", "packets",
						  (json_int_t)c[i].acc_pkts,
						  "bytes",
						  (json_int_t)c[i].acc_bytes,
						  "dropped", "packets",
						  (json_int_t)c[i].drop_pkts,
						  "bytes",
						  (json_int_t)c[i].drop_bytes));
			json_object_set_new(
				s, "firewall",
				json_pack("{s:s, s:b, s:i, s:o}", "table",
					  "inet egnet", "present", fw.present,
					  "rules", fw.n_rules, "pairs", pairs));
			fw_release(&fw);
			free(c);
		}
	}
	return s;
}
