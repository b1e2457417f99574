// SPDX-License-Identifier: BSD-2-Clause
/* Loading a gateway's inputs; see inputs.h. */
#include "common/inputs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int inputs_load(struct inputs *in, const char *node, const char *profile,
		   const char *inventory, struct diag *d)
{
	int before = diag_count(d);
	int nc_rc, p_rc = -EINVAL, inv_rc = 0;

	memset(in, 0, sizeof(*in));
	/* "--profile ''" names no file: it must not mean "none given" */
	if ((node && !node[0]) || (profile && !profile[0]) ||
	    (inventory && !inventory[0])) {
		diag_add(d, node && !node[0]	     ? "node config"
			    : profile && !profile[0] ? "profile"
						     : "inventory",
			 0, NULL, "empty path: name a file");
		return -EINVAL;
	}
	if (node) {
		nc_rc = nodeconf_load(&in->nc, node, profile, d);
	} else {
		nc_rc = -ENOENT;
		snprintf(in->nc.profile, sizeof(in->nc.profile), "%s",
			 profile ? profile : "");
	}
	if (inventory)
		snprintf(in->nc.inventory, sizeof(in->nc.inventory), "%s",
			 inventory);
	if (in->nc.profile[0]) {
		p_rc = profile_load(&in->p, in->nc.profile, d);
		in->have_p = true;
	}
	if (in->nc.inventory[0]) {
		inv_rc = inventory_load(&in->inv, in->nc.inventory, d);
		in->have_inv = true;
	}
	/* The desired state needs sound inputs; its own checks (level,
	 * plan fit, bindings) come on top of theirs. */
	if (nc_rc == 0 && p_rc == 0 && inv_rc == 0) {
		desired_build(&in->ds, &in->p, &in->nc,
			      in->have_inv ? &in->inv : NULL, d);
		in->have_ds = true;
	} else if (node && in->nc.code && p_rc == 0) {
		desired_check_level(&in->p, &in->nc, d);
	}
	return diag_count(d) > before ? -EINVAL : 0;
}

void inputs_move(struct inputs *dst, struct inputs *src)
{
	*dst = *src;
	dst->ds.p = &dst->p;
	dst->ds.nc = &dst->nc;
	memset(src, 0, sizeof(*src));
}

void inputs_free(struct inputs *in)
{
	if (in->have_ds)
		desired_free(&in->ds);
	if (in->have_p)
		profile_free(&in->p);
	if (in->have_inv)
		inventory_free(&in->inv);
	memset(in, 0, sizeof(*in));
}
