// SPDX-License-Identifier: BSD-2-Clause
/* Apply transactions; see txn.h. */
#include "agent/apply/txn.h"

#include <errno.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

#include "agent/sys/failpoint.h"
#include "agent/apply/kjson.h"
#include "agent/apply/statedir.h"
#include "common/log.h"
#include "common/now.h"

#define MAX_PASSES 3

static int read_current(struct nlctx *nl, const struct kstate *target,
			const struct txn_opts *o, struct kstate *cur, char *err,
			size_t errlen)
{
	struct kscope sc;
	int rc;

	kscope_build(&sc, target, o->also, o->prio_lo, o->prio_hi);
	rc = kstate_read(nl, &sc, cur, err, errlen);
	kscope_free(&sc);
	return rc;
}

int txn_diff(struct nlctx *nl, const struct kstate *target,
	     const struct txn_opts *o, struct change *diff, char *err,
	     size_t errlen)
{
	struct kstate cur;
	struct change ch;
	int rc;

	rc = read_current(nl, target, o, &cur, err, errlen);
	if (rc)
		return rc;
	rc = change_compute(&cur, target, o->also, &ch, err, errlen);
	if (rc) {
		kstate_free(&cur);
		return rc;
	}
	change_adopt(&ch, &cur); /* the operations point into it */
	rc = ch.n;
	if (diff)
		*diff = ch;
	else
		change_free(&ch);
	return rc;
}

void txn_result_free(struct txn_result *res)
{
	change_free(&res->plan);
}

int txn_run(struct nlctx *nl, const struct kstate *target,
	    const struct txn_opts *o, struct txn_result *res)
{
	struct change log;
	struct kstate before;
	unsigned long writes0 = nl->writes;
	char e[400];
	int rc;

	double t0 = now_mono(), t1, t2, t3;

	memset(&log, 0, sizeof(log));
	memset(res, 0, sizeof(*res));
	rc = read_current(nl, target, o, &before, e, sizeof(e));
	t1 = now_mono();
	if (rc) {
		snprintf(res->msg, sizeof(res->msg), "%s", e);
		return res->err = rc;
	}
	rc = change_compute(&before, target, o->also, &res->plan, e,
			    sizeof(e));
	if (rc) {
		snprintf(res->msg, sizeof(res->msg), "%s", e);
		kstate_free(&before);
		return res->err = rc;
	}
	/* the plan points into the state it was made from: keep it there;
	 * `before` stays readable as the plan's first owned state */
	t2 = now_mono();
	log_debug("txn: read %.1f ms, plan %.1f ms, %d operations",
		  (t1 - t0) * 1e3, (t2 - t1) * 1e3, res->plan.n);
	change_adopt(&res->plan, &before);
	if (o->dry_run || res->plan.n == 0)
		return 0;
	if (o->journal) {
		json_t *extra = json_pack("{s:o}", "target",
					  kstate_to_json(target));

		rc = statedir_write(o->statedir, "journal",
				    &res->plan.owned[0], NULL, extra, e,
				    sizeof(e));
		json_decref(extra);
		if (rc) {
			snprintf(res->msg, sizeof(res->msg),
				 "journal not written, nothing changed: %s", e);
			return res->err = rc;
		}
	}
	if (o->pending) {
		/* commit-confirm: the deadline is on disk before any change */
		rc = statedir_write(o->statedir, "pending",
				    &res->plan.owned[0], NULL, o->pending, e,
				    sizeof(e));
		if (rc) {
			snprintf(res->msg, sizeof(res->msg),
				 "pending not written, nothing changed: %s", e);
			if (o->journal)
				statedir_remove(o->statedir, "journal");
			return res->err = rc;
		}
	}

	/* later passes' changes live to the end: the undo log points
	 * into them */
	struct change *ch = &res->plan, next[MAX_PASSES + 1];
	struct apply_result ar;

	memset(next, 0, sizeof(next));

	for (res->passes = 1;; res->passes++) {
		t3 = now_mono();
		rc = apply_change(nl, ch, &log, &ar);
		log_debug("txn: pass %d applied in %.1f ms", res->passes,
			  (now_mono() - t3) * 1e3);
		res->ops_done += ar.done;
		if (rc) {
			snprintf(res->msg, sizeof(res->msg), "%s", ar.msg);
			break;
		}
		rc = failpoint("apply.verify", res->passes);
		if (rc) {
			snprintf(res->msg, sizeof(res->msg),
				 "verify: failure point");
			break;
		}
		/* verify: read again; what is left is converged next pass
		 * or, past the last pass, a failure */
		t3 = now_mono();
		rc = txn_diff(nl, target, o, &next[res->passes], e, sizeof(e));
		log_debug("txn: verified in %.1f ms", (now_mono() - t3) * 1e3);
		if (rc < 0) {
			snprintf(res->msg, sizeof(res->msg), "verify: %s", e);
			break;
		}
		if (rc == 0)
			break;
		if (res->passes == MAX_PASSES) {
			char b[400];

			snprintf(res->msg, sizeof(res->msg),
				 "verify: %d difference(s) remain after %d "
				 "passes; first: %s",
				 next[res->passes].n, res->passes,
				 op_format(&next[res->passes].ops[0], b,
					   sizeof(b)));
			rc = -EAGAIN;
			break;
		}
		ch = &next[res->passes];
	}
	if (rc) {
		int bad = apply_undo(nl, &log);

		res->rolled_back = true;
		res->undo_failed = bad;
		if (bad) {
			size_t l = strlen(res->msg);

			snprintf(res->msg + l, sizeof(res->msg) - l,
				 "; %d operation(s) could not be undone", bad);
		}
		res->err = rc;
	}
	change_free(&log);
	for (int i = 0; i <= MAX_PASSES; i++)
		change_free(&next[i]);
	res->writes = nl->writes - writes0;
	/* A failed undo keeps the journal: the next start restores the
	 * state it holds. */
	if (o->journal && !res->undo_failed && (rc || !o->keep_journal))
		statedir_remove(o->statedir, "journal");
	return res->err;
}
