// SPDX-License-Identifier: BSD-2-Clause
/*
 * The agent's configuration and life: loading (the files, or the copy of
 * the applied configuration), reload, start-up recovery, the applied and
 * pending states as they are recorded.  The operations are in
 * agent_ops.c, status in agent_status.c.  Each operation logs once at its
 * boundary (what was asked, what happened) and answers with JSON; the
 * layers below only return -errno and a reason.
 */
#include "agent/agent.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/fw/fw.h"
#include "agent/apply/goodconf.h"
#include "agent/apply/kjson.h"
#include "agent/agent_int.h"
#include "agent/sys/failpoint.h"
#include "agent/sys/sysctl.h"
#include "agent/apply/txn.h"
#include "common/log.h"

const char *const agent_state_words[] = {"unapplied", "converged", "drift",
					 "failed", "pending-confirm"};

long long agent_now(void)
{
	return (long long)time(NULL);
}

/* ---- configuration ------------------------------------------------------ */

static json_t *problems_json(struct diag *d)
{
	json_t *a = json_array();
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	diag_sort(d);
	f = open_memstream(&buf, &len);
	if (!f)
		return a;
	diag_print(d, f);
	fclose(f);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		json_array_append_new(a, json_string(line));
	free(buf);
	return a;
}

/* Load the configuration from disk into in; on problems, *resp is the
 * refusal to send. */
int agent_load_inputs(struct agent *a, struct inputs *in, json_t **resp)
{
	struct diag d;
	int rc;

	diag_init(&d);
	rc = inputs_load(in, a->conf, a->profile_arg, a->inventory_arg, &d);
	if (rc) {
		*resp = json_pack("{s:b, s:s, s:o}", "ok", 0, "error",
				  "the configuration has problems; nothing "
				  "changed",
				  "problems", problems_json(&d));
		inputs_free(in);
	}
	diag_free(&d);
	return rc;
}

/* The kernel state a configuration asks for, firewall included. */
int agent_target_of(const struct inputs *in, struct kstate *t,
		     struct state_meta *m, json_t **refusal)
{
	char err[300];

	kstate_from_desired(t, &in->ds);
	t->fw = xcalloc(1, sizeof(*t->fw));
	if (fw_compile(&in->ds, t->fw, err, sizeof(err))) {
		*refusal = json_pack("{s:b, s:s}", "ok", 0, "error", err);
		kstate_free(t);
		return -EINVAL;
	}
	memset(m, 0, sizeof(*m));
	snprintf(m->profile, sizeof(m->profile), "%s", in->p.name);
	snprintf(m->version, sizeof(m->version), "%s", in->p.version);
	kstate_hash(t, m->hash);
	m->time = agent_now();
	return 0;
}

/* The state hash a configuration asks for; "" when it compiles to none. */
static void hash_of(const struct inputs *in, char hash[17])
{
	struct state_meta m;
	struct kstate t;
	json_t *ref = NULL;

	hash[0] = '\0';
	if (agent_target_of(in, &t, &m, &ref) == 0) {
		snprintf(hash, 17, "%s", m.hash);
		kstate_free(&t);
	}
	json_decref(ref);
}

/* The hash of the state enforced: the pending target, else the applied
 * state; NULL when there is none yet. */
static const char *enforced_hash(const struct agent *a)
{
	if (a->pending)
		return a->pending_meta.hash;
	return a->have_applied ? a->applied_meta.hash : NULL;
}

void agent_unstage(struct agent *a)
{
	a->staged_hash[0] = '\0';
	a->staged_at = 0;
}

/* Adopt a configuration that loaded without problems. */
void agent_adopt(struct agent *a, struct inputs *in)
{
	if (a->loaded)
		inputs_free(&a->in);
	inputs_move(&a->in, in);
	a->loaded = true;
	a->drift_policy = a->in.nc.drift;
	a->prio_lo = a->in.p.rule_priority;
	a->prio_hi = a->prio_lo + RULE_RANGE;
}

void agent_txn_opts(const struct agent *a, struct txn_opts *o,
			 const struct kstate *also)
{
	memset(o, 0, sizeof(*o));
	o->statedir = a->statedir;
	o->journal = true;
	o->also = also;
	o->prio_lo = a->prio_lo;
	o->prio_hi = a->prio_hi;
}

const struct kstate *agent_target(const struct agent *a)
{
	if (a->pending)
		return &a->pending_target;
	return a->have_applied ? &a->applied : NULL;
}

void agent_set_last(struct agent *a, const char *result,
		     const struct txn_result *r, const char *fmt, ...)
{
	va_list ap;

	snprintf(a->last.result, sizeof(a->last.result), "%s", result);
	va_start(ap, fmt);
	vsnprintf(a->last.msg, sizeof(a->last.msg), fmt, ap);
	va_end(ap);
	a->last.time = agent_now();
	a->last.ops = r ? r->ops_done : 0;
	a->last.writes = r ? r->writes : 0;
}

/*
 * Make `t` the applied state: the old one becomes previous.  0, or -errno
 * with the reason in err when applied.json could not be written: then
 * nothing changed in memory, and the caller must not report the state as
 * applied.
 */
int agent_commit(struct agent *a, const struct kstate *t,
			  const struct state_meta *m, char *err, size_t errlen)
{
	char e[400];
	int rc;

	if ((rc = failpoint("state.commit", 0))) {
		snprintf(err, errlen, "saving the applied state: failure point");
		return rc;
	}
	if (a->have_applied) {
		rc = statedir_write(a->statedir, "previous", &a->applied,
				    &a->applied_meta, NULL, e, sizeof(e));
		if (rc)
			log_warnx("keeping the previous state: %s", e);
	}
	rc = statedir_write(a->statedir, "applied", t, m, NULL, e, sizeof(e));
	if (rc) {
		snprintf(err, errlen, "saving the applied state: %.340s", e);
		return rc;
	}
	if (a->have_applied)
		kstate_free(&a->applied);
	kstate_copy(&a->applied, t);
	a->applied_meta = *m;
	a->have_applied = true;
	return rc;
}

void agent_clear_drift(struct agent *a)
{
	json_decref(a->drift);
	a->drift = NULL;
}

void agent_clear_pending(struct agent *a)
{
	if (a->pending) {
		kstate_free(&a->pending_target);
		kstate_free(&a->pending_before);
	}
	a->pending = false;
	a->confirm_reachable = false;
	a->deadline = 0;
	statedir_remove(a->statedir, "pending");
}

int agent_read_pending(struct agent *a, char *e, size_t elen)
{
	json_t *extra = NULL, *m;
	int rc;

	rc = statedir_read(a->statedir, "pending", &a->pending_before, NULL,
			   &extra, e, elen);
	if (rc)
		return rc;
	rc = kstate_from_json(json_object_get(extra, "target"),
			      &a->pending_target, e, elen);
	if (rc || !json_is_integer(json_object_get(extra, "deadline"))) {
		kstate_free(&a->pending_before);
		if (!rc)
			kstate_free(&a->pending_target);
		snprintf(e, elen, "pending.json: no target or deadline");
		json_decref(extra);
		return -EINVAL;
	}
	a->deadline = json_integer_value(json_object_get(extra, "deadline"));
	a->confirm_reachable =
		json_is_true(json_object_get(extra, "reachable"));
	m = json_object_get(extra, "target_meta");
	memset(&a->pending_meta, 0, sizeof(a->pending_meta));
	if (json_is_object(m)) {
		snprintf(a->pending_meta.profile, sizeof(a->pending_meta.profile),
			 "%s", json_string_value(json_object_get(m, "profile"))
				       ?: "");
		snprintf(a->pending_meta.version, sizeof(a->pending_meta.version),
			 "%s", json_string_value(json_object_get(m, "version"))
				       ?: "");
		snprintf(a->pending_meta.hash, sizeof(a->pending_meta.hash),
			 "%s", json_string_value(json_object_get(m, "hash"))
				       ?: "");
		a->pending_meta.time =
			json_integer_value(json_object_get(m, "time"));
	}
	a->pending = true;
	json_decref(extra);
	return 0;
}

/*
 * The configuration on disk has @problems: take the copy of the applied
 * one instead, if there is a sound one.  0 and @in loaded, or -errno.
 */
static int load_good(struct agent *a, struct inputs *in, json_t *problems)
{
	char dir[4096];
	struct diag d;
	int rc;

	goodconf_statedir(a->conf, dir, sizeof(dir));
	diag_init(&d);
	rc = goodconf_load(dir, "good", in, &d, &a->good_saved);
	if (rc) {
		if (rc != -ENOENT) {
			log_warnx("the copy of the last good configuration in "
				  "%s/good has problems too", dir);
			inputs_free(in);
		}
		diag_free(&d);
		return rc;
	}
	diag_free(&d);
	{
		/* which copy runs, for status: its state hash */
		struct state_meta gm;
		struct kstate t;
		json_t *ref = NULL;

		a->good_hash[0] = '\0';
		if (agent_target_of(in, &t, &gm, &ref) == 0) {
			snprintf(a->good_hash, sizeof(a->good_hash), "%s",
				 gm.hash);
			kstate_free(&t);
		}
		json_decref(ref);
	}
	a->conf_problems = json_deep_copy(problems);
	for (size_t i = 0; i < json_array_size(problems); i++)
		log_warnx("%s", json_string_value(json_array_get(problems, i)));
	log_warnx("the configuration has problems: running with the last good "
		  "one, kept in %s/good; fix the files and reload", dir);
	return 0;
}

/*
 * Keep a copy of the files of the configuration just committed (meta @m),
 * unless they changed since they were loaded: the copy is loaded back and
 * must give the same state.
 */
void agent_save_good(struct agent *a, const struct state_meta *m)
{
	struct state_meta gm;
	struct inputs in;
	struct kstate t;
	struct diag d;
	json_t *ref = NULL;
	long long saved;
	bool same = false;
	char err[600];

	if (!a->loaded || a->conf_problems)
		return; /* running with the copy: it stays as it is */
	if (goodconf_write(a->statedir, &a->in, err, sizeof(err))) {
		log_warnx("last good configuration not kept: %s", err);
		return;
	}
	diag_init(&d);
	if (goodconf_load(a->statedir, "good.new", &in, &d, &saved) == 0) {
		if (agent_target_of(&in, &t, &gm, &ref) == 0) {
			same = !strcmp(gm.hash, m->hash);
			kstate_free(&t);
		}
		json_decref(ref);
	}
	inputs_free(&in);
	diag_free(&d);
	if (!same) {
		goodconf_discard(a->statedir);
		log_warnx("last good configuration not kept: the files differ "
			  "from the configuration applied");
		return;
	}
	if (goodconf_commit(a->statedir, err, sizeof(err)))
		log_warnx("last good configuration not kept: %s", err);
	else
		a->good_saved = saved;
}

/*
 * At start: files that ask for another state than the applied one (edited
 * and not applied yet) wait for an apply, and the agent runs with the copy
 * of the applied configuration, so drift, rule range, links and probes
 * all follow the state the kernel is kept in.  Without a copy that gives
 * that state, the files run, as before copies were kept.
 */
void agent_run_applied(struct agent *a)
{
	struct inputs good;
	struct diag d;
	long long saved;
	char h[17], gh[17];

	hash_of(&a->in, h);
	if (!strcmp(h, a->applied_meta.hash))
		return;
	diag_init(&d);
	if (goodconf_load(a->statedir, "good", &good, &d, &saved)) {
		diag_free(&d);
		log_warnx("the files ask for another state (%s) than the "
			  "applied one (%s), and no copy of the applied "
			  "configuration is kept: running the files",
			  h, a->applied_meta.hash);
		return;
	}
	diag_free(&d);
	hash_of(&good, gh);
	if (strcmp(gh, a->applied_meta.hash)) {
		inputs_free(&good);
		log_warnx("the files ask for another state (%s) than the "
			  "applied one (%s), and the kept copy gives neither: "
			  "running the files",
			  h, a->applied_meta.hash);
		return;
	}
	snprintf(a->staged_hash, sizeof(a->staged_hash), "%s", h);
	a->staged_at = a->loaded_at;
	agent_adopt(a, &good);
	a->loaded_at = saved;
	log_warnx("the files ask for another state (%s) than the applied one "
		  "(%s): running the applied configuration until they are "
		  "applied",
		  h, a->applied_meta.hash);
}

int agent_init(struct agent *a, const char *conf, const char *profile,
	       const char *inventory, char *err, size_t errlen)
{
	struct inputs in;
	json_t *refusal = NULL;
	char e[400];
	int rc;

	memset(a, 0, sizeof(*a));
	snprintf(a->conf, sizeof(a->conf), "%s", conf);
	a->profile_arg = profile;
	a->inventory_arg = inventory;
	if (agent_load_inputs(a, &in, &refusal)) {
		json_t *p = json_object_get(refusal, "problems");
		size_t used = 0;

		err[0] = '\0';
		for (size_t i = 0; i < json_array_size(p) && used < errlen;
		     i++)
			used += (size_t)snprintf(err + used, errlen - used,
						 "%s%s", i ? "\n" : "",
						 json_string_value(
							 json_array_get(p, i)));
		if (load_good(a, &in, p)) {
			json_decref(refusal);
			return -EINVAL;
		}
		json_decref(refusal);
	}
	agent_adopt(a, &in);
	a->loaded_at = (long long)time(NULL);
	snprintf(a->statedir, sizeof(a->statedir), "%s", a->in.nc.state_dir);
	snprintf(a->sockpath, sizeof(a->sockpath), "%s", a->in.nc.socket);
	if ((rc = nlctx_open(&a->nl, err, errlen)))
		return rc;
	if ((rc = statedir_init(a->statedir, err, errlen)))
		return rc;
	rc = statedir_read(a->statedir, "applied", &a->applied,
			   &a->applied_meta, NULL, e, sizeof(e));
	if (rc == 0)
		a->have_applied = true;
	else if (rc != -ENOENT)
		log_warnx("ignoring a damaged applied state: %s", e);
	rc = agent_read_pending(a, e, sizeof(e));
	if (rc && rc != -ENOENT)
		log_warnx("ignoring a damaged commit-confirm: %s", e);
	if (a->have_applied && !a->pending && !a->conf_problems)
		agent_run_applied(a);
	a->state = a->pending ? AGENT_PENDING
		   : a->have_applied ? AGENT_CONVERGED
				     : AGENT_UNAPPLIED;
	return 0;
}

void agent_free(struct agent *a)
{
	if (a->loaded)
		inputs_free(&a->in);
	if (a->have_applied)
		kstate_free(&a->applied);
	if (a->pending) {
		kstate_free(&a->pending_target);
		kstate_free(&a->pending_before);
	}
	json_decref(a->drift);
	json_decref(a->conf_problems);
	json_decref(a->reload_problems);
	nlctx_close(&a->nl);
	nft_close();
	memset(a, 0, sizeof(*a));
}

/* ---- recovery ----------------------------------------------------------- */

/*
 * A journal means an apply was cut short (or its result could not be
 * recorded): put back the state before it.  Returns 0 when there was no
 * journal or the state before is back; else -errno, the agent failed.
 */
int agent_recover_journal(struct agent *a)
{
	struct kstate before, target;
	struct txn_result r;
	struct txn_opts o;
	json_t *extra = NULL;
	char e[400];
	int rc;

	rc = statedir_read(a->statedir, "journal", &before, NULL, &extra, e,
			   sizeof(e));
	if (rc == -ENOENT)
		return 0;
	if (rc) {
		log_warnx("apply journal damaged, cannot restore from it: %s",
			  e);
		return rc;
	}
	rc = kstate_from_json(json_object_get(extra, "target"), &target, e,
			      sizeof(e));
	json_decref(extra);
	if (rc) {
		log_warnx("apply journal without its target: %s", e);
		kstate_free(&before);
		return rc;
	}
	log_warnx("an apply was interrupted; restoring the state before it");
	agent_txn_opts(a, &o, &target);
	o.journal = false;
	rc = txn_run(&a->nl, &before, &o, &r);
	if (rc) {
		log_warnx("restoring after an interrupted apply failed: %s",
			  r.msg);
		agent_set_last(a, "failed", &r, "restore after an interrupted "
			 "apply: %s", r.msg);
		a->state = AGENT_FAILED;
	} else {
		log_info("restored the state before the interrupted apply (%d "
			 "operations)", r.ops_done);
		agent_set_last(a, "restored", &r, "an interrupted apply was undone "
			 "at start");
		statedir_remove(a->statedir, "journal");
	}
	txn_result_free(&r);
	kstate_free(&before);
	kstate_free(&target);
	return rc;
}

void agent_startup(struct agent *a)
{
	char err[300];

	if (sysctl_forwarding_on(err, sizeof(err)))
		log_warnx("cannot turn forwarding on: %s", err);
	agent_recover_journal(a);
	if (a->pending) {
		if (agent_now() >= a->deadline) {
			log_warnx("the commit-confirm deadline passed while "
				  "the agent was down");
			agent_confirm_expired(a);
		} else {
			a->state = AGENT_PENDING;
			log_info("commit-confirm pending: %lld s left",
				 a->deadline - agent_now());
		}
		return;
	}
	if (a->have_applied) {
		/* an agent from before copies were kept makes its first */
		if (!goodconf_exists(a->statedir, "good"))
			agent_save_good(a, &a->applied_meta);
		agent_check_drift(a);
		return;
	}
	json_t *r = agent_apply(a, 0, false);

	json_decref(r);
}

json_t *agent_reload(struct agent *a)
{
	struct inputs in;
	json_t *resp = NULL;
	const char *eh;
	char h[17];

	if (agent_load_inputs(a, &in, &resp)) {
		log_warnx("reload refused: the new configuration has problems; "
			  "keeping the old one");
		json_decref(a->reload_problems);
		a->reload_problems =
			json_deep_copy(json_object_get(resp, "problems"));
		a->reload_refused = (long long)time(NULL);
		return resp;
	}
	json_decref(a->reload_problems);
	a->reload_problems = NULL;
	hash_of(&in, h);
	eh = enforced_hash(a);
	if (eh && strcmp(h, eh)) {
		/* Taking these files now would watch and guard a state the
		 * kernel does not have: they wait for an apply. */
		inputs_free(&in);
		snprintf(a->staged_hash, sizeof(a->staged_hash), "%s", h);
		a->staged_at = (long long)time(NULL);
		if (a->conf_problems) {
			json_decref(a->conf_problems);
			a->conf_problems = NULL;
		}
		log_warnx("reload: the files ask for another state (%s, "
			  "applied %s); running the applied configuration "
			  "until they are applied",
			  h, eh);
		return json_pack("{s:b, s:b, s:s}", "ok", 1, "staged", 1,
				 "message",
				 "the files ask for another state than the one "
				 "applied: egnetctl apply puts them on");
	}
	agent_adopt(a, &in);
	agent_unstage(a);
	a->loaded_at = (long long)time(NULL);
	if (a->conf_problems) {
		json_decref(a->conf_problems);
		a->conf_problems = NULL;
		log_info("the configuration has no problems any more");
	}
	log_info("configuration reloaded (profile %s %s)", a->in.p.name,
		 a->in.p.version);
	return json_pack("{s:b}", "ok", 1);
}

/* ---- plan, apply, confirm, rollback -------------------------------------- */

/* ---- drift -------------------------------------------------------------- */

/* ---- status ------------------------------------------------------------- */
