// SPDX-License-Identifier: BSD-2-Clause
/*
 * The agent's operations on the kernel: plan, apply (with commit-confirm),
 * confirm, rollback, the expiry of a commit-confirm, drift.  Each logs once
 * at its boundary and answers with JSON {"ok": ...}; nothing is applied
 * that is not recorded (agent_commit()).
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

json_t *agent_plan(struct agent *a)
{
	struct state_meta m;
	struct txn_result r;
	struct kstate t;
	struct txn_opts o;
	struct inputs in;
	json_t *resp = NULL;

	if (agent_load_inputs(a, &in, &resp))
		return resp;
	if (agent_target_of(&in, &t, &m, &resp)) {
		inputs_free(&in);
		return resp;
	}
	agent_txn_opts(a, &o, agent_target(a));
	o.dry_run = true;
	if (txn_run(&a->nl, &t, &o, &r))
		resp = json_pack("{s:b, s:s}", "ok", 0, "error", r.msg);
	else
		resp = json_pack("{s:b, s:o, s:{s:s, s:s, s:s}}", "ok", 1,
				 "ops", change_json(&r.plan), "profile", "name",
				 m.profile, "version", m.version, "hash",
				 m.hash);
	txn_result_free(&r);
	kstate_free(&t);
	inputs_free(&in);
	return resp;
}

json_t *agent_apply(struct agent *a, int confirm_secs, bool when_reachable)
{
	struct state_meta m;
	struct txn_result r;
	struct txn_opts o;
	struct kstate t;
	struct inputs in;
	json_t *resp = NULL, *pend = NULL;
	bool confirm, rolled;
	char e[400];

	if (a->pending)
		return json_pack("{s:b, s:s}", "ok", 0, "error",
				 "a commit-confirm is pending: confirm it, roll "
				 "it back, or wait for its deadline");
	if (agent_load_inputs(a, &in, &resp)) {
		log_warnx("apply refused: the configuration has problems");
		return resp;
	}
	if (when_reachable && confirm_secs <= 0)
		confirm_secs = 120;
	confirm = confirm_secs > 0;
	if (agent_target_of(&in, &t, &m, &resp)) {
		inputs_free(&in);
		return resp;
	}
	agent_txn_opts(a, &o, agent_target(a));
	/* the journal goes once applied.json says what the kernel has */
	o.keep_journal = !confirm;
	if (confirm) {
		pend = json_pack("{s:I, s:b, s:o, s:{s:s, s:s, s:s, s:I}}",
				 "deadline",
				 (json_int_t)(agent_now() + confirm_secs),
				 "reachable", when_reachable, "target",
				 kstate_to_json(&t), "target_meta", "profile",
				 m.profile, "version", m.version, "hash",
				 m.hash, "time", (json_int_t)m.time);
		o.pending = pend;
	}
	txn_run(&a->nl, &t, &o, &r);
	json_decref(pend);
	if (r.err) {
		if (confirm)
			statedir_remove(a->statedir, "pending");
		log_warnx("apply of profile %s %s failed%s: %s", m.profile,
			  m.version, r.rolled_back ? " and was rolled back" : "",
			  r.msg);
		agent_set_last(a, r.rolled_back ? "rolled-back" : "failed", &r,
			 "%s", r.msg);
		resp = json_pack("{s:b, s:s, s:b, s:i}", "ok", 0, "error",
				 r.msg, "rolled_back", r.rolled_back, "ops",
				 r.ops_done);
		inputs_free(&in);
		goto out;
	}
	if (!confirm && (!a->have_applied || r.plan.n > 0 ||
			 strcmp(a->applied_meta.hash, m.hash)) &&
	    agent_commit(a, &t, &m, e, sizeof(e))) {
		/* the kernel has t but nothing says so: back to before */
		log_warnx("apply of profile %s %s: %s; rolling back", m.profile,
			  m.version, e);
		rolled = agent_recover_journal(a) == 0;
		agent_set_last(a, rolled ? "rolled-back" : "failed", &r, "%s%s", e,
			 rolled ? "; rolled back" : "; rolling back failed");
		resp = json_pack("{s:b, s:s, s:b, s:i}", "ok", 0, "error",
				 a->last.msg, "rolled_back", rolled, "ops",
				 r.ops_done);
		inputs_free(&in);
		goto out;
	}
	if (!confirm)
		statedir_remove(a->statedir, "journal");
	agent_adopt(a, &in);
	agent_unstage(a);
	if (r.plan.n == 0) {
		/* nothing to change, nothing to confirm */
		agent_save_good(a, &m);
		agent_set_last(a, "ok", &r, "no change");
		a->state = AGENT_CONVERGED;
		agent_clear_drift(a);
	} else if (confirm) {
		if (agent_read_pending(a, e, sizeof(e)))
			log_warnx("commit-confirm state unreadable: %s", e);
		a->state = AGENT_PENDING;
		agent_set_last(a, "ok", &r, "applied; waiting for confirm (%d s)",
			 confirm_secs);
		log_info("applied profile %s %s: %d operations, %lu netlink "
			 "writes; rolls back in %d s unless confirmed%s",
			 m.profile, m.version, r.ops_done, r.writes,
			 confirm_secs,
			 when_reachable ? " or the parent answers" : "");
	} else {
		agent_save_good(a, &m);
		a->state = AGENT_CONVERGED;
		agent_clear_drift(a);
		agent_set_last(a, "ok", &r, "applied");
		log_info("applied profile %s %s: %d operations, %lu netlink "
			 "writes", m.profile, m.version, r.ops_done, r.writes);
	}
	resp = json_pack("{s:b, s:i, s:I, s:o, s:s}", "ok", 1, "ops",
			 r.ops_done, "writes", (json_int_t)r.writes, "plan",
			 change_json(&r.plan), "state",
			 agent_state_words[a->state]);
	if (a->pending)
		json_object_set_new(resp, "deadline",
				    json_integer(a->deadline));
out:
	txn_result_free(&r);
	kstate_free(&t);
	return resp;
}

json_t *agent_confirm(struct agent *a)
{
	char e[400];

	if (!a->pending)
		return json_pack("{s:b, s:s}", "ok", 0, "error",
				 "nothing to confirm");
	if (agent_commit(a, &a->pending_target, &a->pending_meta, e,
			   sizeof(e))) {
		/* still pending: the deadline rolls it back */
		log_warnx("commit-confirm: not confirmed: %s", e);
		return json_pack("{s:b, s:s}", "ok", 0, "error", e);
	}
	agent_save_good(a, &a->pending_meta);
	agent_clear_pending(a);
	a->state = AGENT_CONVERGED;
	agent_set_last(a, "ok", NULL, "confirmed");
	log_info("commit-confirm: confirmed");
	return json_pack("{s:b, s:s}", "ok", 1, "state", "converged");
}

/* Return to `to`, leaving `from`. */
static int go_back(struct agent *a, const struct kstate *to,
		   const struct kstate *from, struct txn_result *r)
{
	struct txn_opts o;

	agent_txn_opts(a, &o, from);
	return txn_run(&a->nl, to, &o, r);
}

void agent_confirm_expired(struct agent *a)
{
	struct txn_result r;

	if (!a->pending)
		return;
	if (go_back(a, &a->pending_before, &a->pending_target, &r)) {
		log_warnx("commit-confirm expired, and rolling back failed: "
			  "%s", r.msg);
		agent_set_last(a, "failed", &r, "rollback after an unconfirmed "
			 "apply: %s", r.msg);
		a->state = AGENT_FAILED;
	} else {
		log_warnx("commit-confirm expired: rolled back (%d operations)",
			  r.ops_done);
		agent_clear_pending(a);
		if (a->have_applied && !a->conf_problems)
			agent_run_applied(a);
		a->state = a->have_applied ? AGENT_CONVERGED : AGENT_UNAPPLIED;
		agent_set_last(a, "rolled-back", &r, "not confirmed in time");
	}
	txn_result_free(&r);
}

json_t *agent_rollback(struct agent *a)
{
	struct state_meta pm;
	struct txn_result r;
	struct kstate prev;
	char e[400];
	int rc;

	if (a->pending) {
		agent_confirm_expired(a);
		return json_pack("{s:b, s:s, s:s}", "ok",
				 a->state != AGENT_FAILED, "state",
				 agent_state_words[a->state], "result",
				 a->last.msg);
	}
	rc = statedir_read(a->statedir, "previous", &prev, &pm, NULL, e,
			   sizeof(e));
	if (rc == -ENOENT)
		return json_pack("{s:b, s:s}", "ok", 0, "error",
				 "no previous applied state to return to");
	if (rc)
		return json_pack("{s:b, s:s}", "ok", 0, "error", e);
	rc = go_back(a, &prev, agent_target(a), &r);
	if (rc) {
		log_warnx("rollback failed and was undone: %s", r.msg);
		agent_set_last(a, "failed", &r, "rollback: %s", r.msg);
		json_t *resp = json_pack("{s:b, s:s}", "ok", 0, "error", r.msg);

		txn_result_free(&r);
		kstate_free(&prev);
		return resp;
	}
	/* previous <-> applied, and so their configurations */
	if (agent_commit(a, &prev, &pm, e, sizeof(e))) {
		struct txn_result back;
		const struct kstate *cur = agent_target(a);
		bool returned = cur && go_back(a, cur, &prev, &back) == 0;

		if (cur)
			txn_result_free(&back);
		log_warnx("rollback: %s; %s", e,
			  returned ? "returned to the applied state"
				   : "the kernel has the previous state");
		agent_set_last(a, "failed", &r, "rollback: %s", e);
		json_t *resp = json_pack("{s:b, s:s}", "ok", 0, "error", e);

		txn_result_free(&r);
		kstate_free(&prev);
		if (!returned)
			a->state = AGENT_FAILED;
		return resp;
	}
	if (goodconf_swap(a->statedir, e, sizeof(e)))
		log_warnx("last good configuration: %s", e);
	else if (!a->conf_problems)
		agent_run_applied(a); /* the configuration rolled back to */
	a->state = AGENT_CONVERGED;
	agent_clear_drift(a);
	agent_set_last(a, "rolled-back", &r, "returned to the previous state");
	log_info("rolled back to profile %s %s (%d operations)", pm.profile,
		 pm.version, r.ops_done);
	json_t *resp = json_pack("{s:b, s:i, s:s}", "ok", 1, "ops", r.ops_done,
				 "profile", pm.profile);
	txn_result_free(&r);
	kstate_free(&prev);
	return resp;
}

void agent_check_drift(struct agent *a)
{
	const struct kstate *t = agent_target(a);
	struct txn_result r;
	struct txn_opts o;
	struct change d;
	char e[400], b[400];
	int n;

	if (!t || a->state == AGENT_FAILED)
		return;
	agent_txn_opts(a, &o, NULL);
	n = txn_diff(&a->nl, t, &o, &d, e, sizeof(e));
	if (n < 0) {
		log_warnx("drift check: %s", e);
		return;
	}
	agent_clear_drift(a);
	if (n == 0) {
		change_free(&d);
		if (a->state == AGENT_DRIFT) {
			log_info("drift gone: the kernel matches again");
			a->state = a->pending ? AGENT_PENDING : AGENT_CONVERGED;
		}
		return;
	}
	for (int i = 0; i < d.n && i < 5; i++)
		log_warnx("drift: needs %s", op_format(&d.ops[i], b, sizeof(b)));
	if (d.n > 5)
		log_warnx("drift: and %d more", d.n - 5);
	if (a->drift_policy != DRIFT_ENFORCE) {
		a->drift = change_json(&d);
		change_free(&d);
		a->state = AGENT_DRIFT;
		return;
	}
	change_free(&d);
	if (txn_run(&a->nl, t, &o, &r)) {
		log_warnx("drift correction failed: %s", r.msg);
		a->state = AGENT_DRIFT;
		if (txn_diff(&a->nl, t, &o, &d, e, sizeof(e)) >= 0) {
			a->drift = change_json(&d);
			change_free(&d);
		}
	} else {
		log_info("drift corrected: %d operations", r.ops_done);
		a->state = a->pending ? AGENT_PENDING : AGENT_CONVERGED;
	}
	txn_result_free(&r);
}
