/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside the prober: what probe.c (sockets, sending, receiving, stamps)
 * and probe_target.c (targets, windows, states, figures) share.  Not for
 * users of probe.h.
 */
#ifndef EGNET_PROBE_INT_H
#define EGNET_PROBE_INT_H

#include "agent/watch/probe.h"

/*
 * The targets of ds into p->t; a target also in old (same code, relation
 * and address) keeps its window and figures.  old is the caller's to free.
 */
void probe_target_take(struct prober *p, const struct desired *ds,
		       struct probe_target *old, int n_old);

/* A new state for t: its time, and the on_change callback. */
void probe_target_set_state(struct prober *p, struct probe_target *t,
			    int state);

/* The slot of the probe to a (by method) with seq, still unanswered in
 * its target's window; the target in *tp.  NULL when there is none. */
struct probe_slot *probe_target_slot(struct prober *p, const struct ip_addr *a,
				     uint32_t seq, int method,
				     struct probe_target **tp);

/* Slot s of t was answered: received at rx_user (monotonic), and at
 * rx_kernel by the socket's stamp (0: none).  RTT, figures, state. */
void probe_target_answered(struct prober *p, struct probe_target *t,
			   struct probe_slot *s, double rx_user,
			   double rx_kernel);

#endif
