/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The agent's state and its operations (plan, apply, confirm, rollback,
 * drift, status), independent of the event loop that drives them, so they
 * can be called from the control socket, from timers and from tests alike.
 * Every operation answers with a JSON object {"ok": bool, ...}.
 */
#ifndef EGNET_AGENT_H
#define EGNET_AGENT_H

#include <jansson.h>
#include <stdbool.h>

#include "agent/apply/change.h"
#include "agent/apply/nl.h"
#include "agent/apply/statedir.h"
#include "common/inputs.h"

enum agent_state {
	AGENT_UNAPPLIED,
	AGENT_CONVERGED,
	AGENT_DRIFT,
	AGENT_FAILED,
	AGENT_PENDING,
};

extern const char *const agent_state_words[];

struct agent {
	char conf[4096];
	const char *profile_arg, *inventory_arg;

	struct inputs in; /* the last good configuration */
	bool loaded;
	/* The files on disk have these problems: running with the copy of
	 * the applied configuration (goodconf.h) saved then.  NULL: fine. */
	json_t *conf_problems;
	long long good_saved;
	char good_hash[17]; /* state hash of that copy */
	long long loaded_at; /* when what runs was read */
	/* The last reload was refused for these problems (then): the
	 * configuration read before runs on.  NULL: none refused since. */
	json_t *reload_problems;
	long long reload_refused;
	/* The files ask for another kernel state than the one enforced
	 * (this hash, read then): they wait for an apply, and what runs —
	 * drift, rule range, watched links, probes — is the applied
	 * configuration.  "" when the files are what runs. */
	char staged_hash[17];
	long long staged_at;
	char statedir[4096];
	char sockpath[108];
	int drift_policy;
	int prio_lo, prio_hi;

	struct nlctx nl;

	struct kstate applied;
	struct state_meta applied_meta;
	bool have_applied;

	/* commit-confirm in progress */
	bool pending;
	struct kstate pending_target, pending_before;
	struct state_meta pending_meta;
	long long deadline; /* seconds since the epoch */
	bool confirm_reachable; /* the prober's parent target decides */

	int state;
	struct {
		char result[24]; /* ok, failed, rolled-back, ... */
		char msg[640];
		long long time;
		int ops;
		unsigned long writes;
	} last;
	json_t *drift; /* differences seen by the last check (strings) */
};

/*
 * Load the configuration, open netlink, prepare the state directory and
 * read the saved states.  Returns 0, or -errno with the reason in err (the
 * configuration's problems, one per line).
 */
int agent_init(struct agent *a, const char *conf, const char *profile,
	       const char *inventory, char *err, size_t errlen);
void agent_free(struct agent *a);

/* After a restart: finish or undo what a crash interrupted, roll back an
 * expired commit-confirm, converge on the applied state (or, the first
 * time, apply the configuration). */
void agent_startup(struct agent *a);

/* Reload the configuration (SIGHUP); a bad one is refused, the old kept. */
json_t *agent_reload(struct agent *a);

json_t *agent_plan(struct agent *a);
json_t *agent_apply(struct agent *a, int confirm_secs, bool when_reachable);
json_t *agent_confirm(struct agent *a);
json_t *agent_rollback(struct agent *a);
json_t *agent_status(struct agent *a);

/* Compare the kernel with the active target; correct it under "enforce". */
void agent_check_drift(struct agent *a);

/* The commit-confirm deadline passed without a confirm. */
void agent_confirm_expired(struct agent *a);

/* The active target: the pending one during a commit-confirm. */
const struct kstate *agent_target(const struct agent *a);

#endif
