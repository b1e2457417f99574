/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `egnet-agent --purge`: take out of the kernel everything egnet put in —
 * the table inet egnet, the routes of protocol egnet, the policy rules of
 * its priority range, the links it made, the addresses it gave the
 * gateway's interfaces, its tc BPF filters — and forget the applied
 * state, so that nothing of egnet is left and a later start begins from
 * "unapplied".  Run by the packages when the agent is removed, after the
 * service stopped.  What the agent does not own is never touched: the
 * scope is what the state files and the configuration name, exactly as
 * an apply's.  Refuses while an agent answers on the control socket (it
 * would put it all back).
 */
#ifndef EGNET_PURGE_H
#define EGNET_PURGE_H

#include <stddef.h>

/*
 * conf, profile, inventory as for the daemon; a configuration that does
 * not load is no obstacle (the state files are enough; then the default
 * state directory and socket are used).  Returns 0 when everything is
 * gone, or -errno with the reason in err (what could not be removed);
 * *ops (when not NULL) is the number of operations it took.
 */
int agent_purge(const char *conf, const char *profile, const char *inventory,
		int *ops, char *err, size_t errlen);

#endif
