// SPDX-License-Identifier: BSD-2-Clause
/*
 * Agent operations.  Each one logs once at its boundary (what was asked,
 * what happened) and answers with JSON; the layers below only return
 * -errno and a reason.
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
#include "agent/sys/failpoint.h"
#include "agent/apply/txn.h"
#include "common/log.h"

const char *const agent_state_words[] = {"unapplied", "converged", "drift",
					 "failed", "pending-confirm"};

#define RULE_RANGE 999 /* our rule priorities: base .. base + 999 */

static long long now_s(void)
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
static int load_inputs(struct agent *a, struct inputs *in, json_t **resp)
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
static int target_of(const struct inputs *in, struct kstate *t,
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
	m->time = now_s();
	return 0;
}

/* The state hash a configuration asks for; "" when it compiles to none. */
static void hash_of(const struct inputs *in, char hash[17])
{
	struct state_meta m;
	struct kstate t;
	json_t *ref = NULL;

	hash[0] = '\0';
	if (target_of(in, &t, &m, &ref) == 0) {
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

static void unstage(struct agent *a)
{
	a->staged_hash[0] = '\0';
	a->staged_at = 0;
}

/* Adopt a configuration that loaded without problems. */
static void adopt(struct agent *a, struct inputs *in)
{
	if (a->loaded)
		inputs_free(&a->in);
	inputs_move(&a->in, in);
	a->loaded = true;
	a->drift_policy = a->in.nc.drift;
	a->prio_lo = a->in.p.rule_priority;
	a->prio_hi = a->prio_lo + RULE_RANGE;
}

static void txn_opts_for(const struct agent *a, struct txn_opts *o,
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

static void set_last(struct agent *a, const char *result,
		     const struct txn_result *r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_last(struct agent *a, const char *result,
		     const struct txn_result *r, const char *fmt, ...)
{
	va_list ap;

	snprintf(a->last.result, sizeof(a->last.result), "%s", result);
	va_start(ap, fmt);
	vsnprintf(a->last.msg, sizeof(a->last.msg), fmt, ap);
	va_end(ap);
	a->last.time = now_s();
	a->last.ops = r ? r->ops_done : 0;
	a->last.writes = r ? r->writes : 0;
}

/*
 * Make `t` the applied state: the old one becomes previous.  0, or -errno
 * with the reason in err when applied.json could not be written: then
 * nothing changed in memory, and the caller must not report the state as
 * applied.
 */
static int commit_applied(struct agent *a, const struct kstate *t,
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

static void clear_drift(struct agent *a)
{
	json_decref(a->drift);
	a->drift = NULL;
}

static void clear_pending(struct agent *a)
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

static int read_pending(struct agent *a, char *e, size_t elen)
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
		if (target_of(in, &t, &gm, &ref) == 0) {
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
static void save_good(struct agent *a, const struct state_meta *m)
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
		if (target_of(&in, &t, &gm, &ref) == 0) {
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
static void run_applied_config(struct agent *a)
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
	adopt(a, &good);
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
	if (load_inputs(a, &in, &refusal)) {
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
	adopt(a, &in);
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
	rc = read_pending(a, e, sizeof(e));
	if (rc && rc != -ENOENT)
		log_warnx("ignoring a damaged commit-confirm: %s", e);
	if (a->have_applied && !a->pending && !a->conf_problems)
		run_applied_config(a);
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
	memset(a, 0, sizeof(*a));
}

/*
 * A gateway forwards: IPv4 and IPv6 forwarding on (a file write, no
 * command).  Returns 0 or -errno; the caller logs.
 */
static int enable_forwarding(char *err, size_t errlen)
{
	static const char *const files[] = {
		"/proc/sys/net/ipv4/ip_forward",
		"/proc/sys/net/ipv6/conf/all/forwarding",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f = fopen(files[i], "w");

		if (!f || fputs("1\n", f) == EOF || fclose(f) == EOF) {
			snprintf(err, errlen, "%s: %s", files[i],
				 strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* ---- recovery ----------------------------------------------------------- */

/*
 * A journal means an apply was cut short (or its result could not be
 * recorded): put back the state before it.  Returns 0 when there was no
 * journal or the state before is back; else -errno, the agent failed.
 */
static int recover_journal(struct agent *a)
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
	txn_opts_for(a, &o, &target);
	o.journal = false;
	rc = txn_run(&a->nl, &before, &o, &r);
	if (rc) {
		log_warnx("restoring after an interrupted apply failed: %s",
			  r.msg);
		set_last(a, "failed", &r, "restore after an interrupted "
			 "apply: %s", r.msg);
		a->state = AGENT_FAILED;
	} else {
		log_info("restored the state before the interrupted apply (%d "
			 "operations)", r.ops_done);
		set_last(a, "restored", &r, "an interrupted apply was undone "
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

	if (enable_forwarding(err, sizeof(err)))
		log_warnx("cannot turn forwarding on: %s", err);
	recover_journal(a);
	if (a->pending) {
		if (now_s() >= a->deadline) {
			log_warnx("the commit-confirm deadline passed while "
				  "the agent was down");
			agent_confirm_expired(a);
		} else {
			a->state = AGENT_PENDING;
			log_info("commit-confirm pending: %lld s left",
				 a->deadline - now_s());
		}
		return;
	}
	if (a->have_applied) {
		/* an agent from before copies were kept makes its first */
		if (!goodconf_exists(a->statedir, "good"))
			save_good(a, &a->applied_meta);
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

	if (load_inputs(a, &in, &resp)) {
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
	adopt(a, &in);
	unstage(a);
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

json_t *agent_plan(struct agent *a)
{
	struct state_meta m;
	struct txn_result r;
	struct kstate t;
	struct txn_opts o;
	struct inputs in;
	json_t *resp = NULL;

	if (load_inputs(a, &in, &resp))
		return resp;
	if (target_of(&in, &t, &m, &resp)) {
		inputs_free(&in);
		return resp;
	}
	txn_opts_for(a, &o, agent_target(a));
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
	if (load_inputs(a, &in, &resp)) {
		log_warnx("apply refused: the configuration has problems");
		return resp;
	}
	if (when_reachable && confirm_secs <= 0)
		confirm_secs = 120;
	confirm = confirm_secs > 0;
	if (target_of(&in, &t, &m, &resp)) {
		inputs_free(&in);
		return resp;
	}
	txn_opts_for(a, &o, agent_target(a));
	/* the journal goes once applied.json says what the kernel has */
	o.keep_journal = !confirm;
	if (confirm) {
		pend = json_pack("{s:I, s:b, s:o, s:{s:s, s:s, s:s, s:I}}",
				 "deadline",
				 (json_int_t)(now_s() + confirm_secs),
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
		set_last(a, r.rolled_back ? "rolled-back" : "failed", &r,
			 "%s", r.msg);
		resp = json_pack("{s:b, s:s, s:b, s:i}", "ok", 0, "error",
				 r.msg, "rolled_back", r.rolled_back, "ops",
				 r.ops_done);
		inputs_free(&in);
		goto out;
	}
	if (!confirm && (!a->have_applied || r.plan.n > 0 ||
			 strcmp(a->applied_meta.hash, m.hash)) &&
	    commit_applied(a, &t, &m, e, sizeof(e))) {
		/* the kernel has t but nothing says so: back to before */
		log_warnx("apply of profile %s %s: %s; rolling back", m.profile,
			  m.version, e);
		rolled = recover_journal(a) == 0;
		set_last(a, rolled ? "rolled-back" : "failed", &r, "%s%s", e,
			 rolled ? "; rolled back" : "; rolling back failed");
		resp = json_pack("{s:b, s:s, s:b, s:i}", "ok", 0, "error",
				 a->last.msg, "rolled_back", rolled, "ops",
				 r.ops_done);
		inputs_free(&in);
		goto out;
	}
	if (!confirm)
		statedir_remove(a->statedir, "journal");
	adopt(a, &in);
	unstage(a);
	if (r.plan.n == 0) {
		/* nothing to change, nothing to confirm */
		save_good(a, &m);
		set_last(a, "ok", &r, "no change");
		a->state = AGENT_CONVERGED;
		clear_drift(a);
	} else if (confirm) {
		if (read_pending(a, e, sizeof(e)))
			log_warnx("commit-confirm state unreadable: %s", e);
		a->state = AGENT_PENDING;
		set_last(a, "ok", &r, "applied; waiting for confirm (%d s)",
			 confirm_secs);
		log_info("applied profile %s %s: %d operations, %lu netlink "
			 "writes; rolls back in %d s unless confirmed%s",
			 m.profile, m.version, r.ops_done, r.writes,
			 confirm_secs,
			 when_reachable ? " or the parent answers" : "");
	} else {
		save_good(a, &m);
		a->state = AGENT_CONVERGED;
		clear_drift(a);
		set_last(a, "ok", &r, "applied");
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
	if (commit_applied(a, &a->pending_target, &a->pending_meta, e,
			   sizeof(e))) {
		/* still pending: the deadline rolls it back */
		log_warnx("commit-confirm: not confirmed: %s", e);
		return json_pack("{s:b, s:s}", "ok", 0, "error", e);
	}
	save_good(a, &a->pending_meta);
	clear_pending(a);
	a->state = AGENT_CONVERGED;
	set_last(a, "ok", NULL, "confirmed");
	log_info("commit-confirm: confirmed");
	return json_pack("{s:b, s:s}", "ok", 1, "state", "converged");
}

/* Return to `to`, leaving `from`. */
static int go_back(struct agent *a, const struct kstate *to,
		   const struct kstate *from, struct txn_result *r)
{
	struct txn_opts o;

	txn_opts_for(a, &o, from);
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
		set_last(a, "failed", &r, "rollback after an unconfirmed "
			 "apply: %s", r.msg);
		a->state = AGENT_FAILED;
	} else {
		log_warnx("commit-confirm expired: rolled back (%d operations)",
			  r.ops_done);
		clear_pending(a);
		if (a->have_applied && !a->conf_problems)
			run_applied_config(a);
		a->state = a->have_applied ? AGENT_CONVERGED : AGENT_UNAPPLIED;
		set_last(a, "rolled-back", &r, "not confirmed in time");
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
		set_last(a, "failed", &r, "rollback: %s", r.msg);
		json_t *resp = json_pack("{s:b, s:s}", "ok", 0, "error", r.msg);

		txn_result_free(&r);
		kstate_free(&prev);
		return resp;
	}
	/* previous <-> applied, and so their configurations */
	if (commit_applied(a, &prev, &pm, e, sizeof(e))) {
		struct txn_result back;
		const struct kstate *cur = agent_target(a);
		bool returned = cur && go_back(a, cur, &prev, &back) == 0;

		if (cur)
			txn_result_free(&back);
		log_warnx("rollback: %s; %s", e,
			  returned ? "returned to the applied state"
				   : "the kernel has the previous state");
		set_last(a, "failed", &r, "rollback: %s", e);
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
		run_applied_config(a); /* the configuration rolled back to */
	a->state = AGENT_CONVERGED;
	clear_drift(a);
	set_last(a, "rolled-back", &r, "returned to the previous state");
	log_info("rolled back to profile %s %s (%d operations)", pm.profile,
		 pm.version, r.ops_done);
	json_t *resp = json_pack("{s:b, s:i, s:s}", "ok", 1, "ops", r.ops_done,
				 "profile", pm.profile);
	txn_result_free(&r);
	kstate_free(&prev);
	return resp;
}

/* ---- drift -------------------------------------------------------------- */

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
	txn_opts_for(a, &o, NULL);
	n = txn_diff(&a->nl, t, &o, &d, e, sizeof(e));
	if (n < 0) {
		log_warnx("drift check: %s", e);
		return;
	}
	clear_drift(a);
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

/* ---- status ------------------------------------------------------------- */

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
		long long left = a->deadline - now_s();

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
			free(fw.canon);
			free(fw.msgs);
			free(c);
		}
	}
	return s;
}
