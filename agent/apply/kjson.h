/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel states as JSON, for the state directory (applied, previous,
 * journal) and the control socket.  Reading is strict: a state file that is
 * not exactly what we wrote is refused with the reason, never half-used.
 */
#ifndef EGNET_KJSON_H
#define EGNET_KJSON_H

#include <jansson.h>

#include "agent/apply/kstate.h"

json_t *kstate_to_json(const struct kstate *ks);

/* Returns 0 or -EINVAL with the reason (naming the element) in err. */
int kstate_from_json(const json_t *j, struct kstate *ks, char *err,
		     size_t errlen);

#endif
