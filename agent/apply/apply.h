/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Executing a change against the kernel with an undo log: operations run in
 * order (addresses, rules, routes and flood entries batched, links one at a
 * time); when one fails, every operation done so far is undone in reverse,
 * so the kernel is left as it was.
 */
#ifndef EGNET_APPLY_H
#define EGNET_APPLY_H

#include "agent/apply/change.h"
#include "agent/apply/nl.h"

struct apply_result {
	int err;	   /* 0 or the failing operation's -errno */
	int failed_op;	   /* its index, -1 when none */
	char msg[512];	   /* what failed, with the kernel's words */
	int done;	   /* operations that had succeeded */
	int undo_errors;   /* inverse operations that failed too */
};

/*
 * Run ch.  On failure, undo what was done (unless keep_on_failure) and fill
 * res.  The done operations are appended to *log (may be NULL) so a caller
 * can undo a longer transaction made of several changes.
 */
int apply_change(struct nlctx *nl, const struct change *ch,
		 struct change *log, struct apply_result *res);

/* Undo the operations of log, last first.  Returns the number that failed. */
int apply_undo(struct nlctx *nl, const struct change *log);

#endif
