/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Loading the three inputs of a gateway (node config, profile, inventory)
 * the same way for every command that needs its desired state: egnetctl
 * validate/render and egnet-agent -n.
 */
#ifndef EGNET_INPUTS_H
#define EGNET_INPUTS_H

#include "common/desired.h"

struct inputs {
	struct nodeconf nc;
	struct profile p;
	struct inventory inv;
	struct desired ds;
	bool have_p, have_inv, have_ds;
};

/*
 * Load node config (with an optional profile and inventory path that win
 * over the node config's own), then the profile and the inventory, then
 * build the desired state.  node may be NULL: then only the profile and the
 * inventory given are checked.  Every problem goes to d; loading goes on as far
 * as it can so all of them are named.  Returns 0 when d gained none.
 */
int inputs_load(struct inputs *in, const char *node, const char *profile,
		   const char *inventory, struct diag *d);
void inputs_free(struct inputs *in);

/* Move *src into *dst (dst uninitialised): the desired state points into
 * its own inputs, so a plain struct copy would leave it pointing at src. */
void inputs_move(struct inputs *dst, struct inputs *src);

#endif
