/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside the agent: what agent.c (configuration, life, records),
 * agent_ops.c (the operations) and agent_status.c share.  Not for users
 * of agent.h.  These helpers do not log unless they say so.
 */
#ifndef EGNET_AGENT_INT_H
#define EGNET_AGENT_INT_H

#include "agent/agent.h"
#include "agent/apply/txn.h"

#define RULE_RANGE 999 /* our rule priorities: base .. base + 999 */

/* Seconds since the epoch. */
long long agent_now(void);

/* Load the files into in; on problems, *resp is the refusal to send. */
int agent_load_inputs(struct agent *a, struct inputs *in, json_t **resp);

/* The kernel state a configuration asks for, firewall included, and its
 * meta; on failure *refusal is the answer to send. */
int agent_target_of(const struct inputs *in, struct kstate *t,
		    struct state_meta *m, json_t **refusal);

/* Take in as the configuration that runs (moved); the files wait no more. */
void agent_adopt(struct agent *a, struct inputs *in);
void agent_unstage(struct agent *a);

/* Transaction options in the agent's scope (its state folder, rule
 * range), widened by `also` (the state being left). */
void agent_txn_opts(const struct agent *a, struct txn_opts *o,
		    const struct kstate *also);

/* What status shows as the last apply. */
void agent_set_last(struct agent *a, const char *result,
		    const struct txn_result *r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Record t as the applied state (the old one becomes previous): 0, or
 * -errno with the reason in err and nothing changed in memory. */
int agent_commit(struct agent *a, const struct kstate *t,
		 const struct state_meta *m, char *err, size_t errlen);

void agent_clear_drift(struct agent *a);
void agent_clear_pending(struct agent *a);

/* pending.json into the agent: 0, -ENOENT or -errno with the reason. */
int agent_read_pending(struct agent *a, char *e, size_t elen);

/* Keep the files of the configuration just committed as the last good
 * copy, unless they changed since they were loaded (logs). */
void agent_save_good(struct agent *a, const struct state_meta *m);

/* Run the copy of the applied configuration when the files ask for
 * another state (logs). */
void agent_run_applied(struct agent *a);

/* Put back the state before an apply from its journal: 0 (or no
 * journal), else -errno and the agent failed (logs). */
int agent_recover_journal(struct agent *a);

#endif
