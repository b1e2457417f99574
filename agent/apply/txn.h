/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One apply as a transaction: read what we own, compute the change, write
 * the journal (the state before), apply with an undo log, converge (the
 * kernel may drop things as a side effect of our own changes), verify by
 * reading again — a difference left is a failure — and on any failure undo
 * everything in reverse.  The kernel ends in the old state or the new one.
 */
#ifndef EGNET_TXN_H
#define EGNET_TXN_H

#include <jansson.h>

#include "agent/apply/apply.h"
#include "agent/apply/kstate.h"

struct txn_opts {
	bool dry_run;	     /* compute the plan only */
	bool journal;	     /* write journal.json (not when recovering) */
	bool keep_journal;   /* keep it after a success too: the caller
				removes it once the result is recorded */
	const char *statedir;
	const struct kstate *also; /* widen the scope (the state we leave) */
	int prio_lo, prio_hi;	   /* our rule priorities */
	json_t *pending;	   /* commit-confirm: fields of pending.json,
				      written with the state before, before
				      the first change */
};

struct txn_result {
	int err;
	char msg[640];
	struct change plan;	/* the first pass's operations */
	int ops_done;		/* all passes */
	unsigned long writes;	/* netlink requests sent */
	bool rolled_back;
	int undo_failed;	/* operations the undo could not revert: the
				   journal stays for the next start */
	int passes;
};

int txn_run(struct nlctx *nl, const struct kstate *target,
	    const struct txn_opts *o, struct txn_result *res);
void txn_result_free(struct txn_result *res);

/*
 * Compare the kernel with target in the scope of o; returns the number of
 * differences (0: converged), their plan in *diff when asked, or -errno.
 */
int txn_diff(struct nlctx *nl, const struct kstate *target,
	     const struct txn_opts *o, struct change *diff, char *err,
	     size_t errlen);

#endif
