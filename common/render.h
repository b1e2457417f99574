/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Printing a desired state: a readable text form for engineers and a JSON
 * form for programs.  Both are canonical (same input, same bytes), which is
 * what golden tests and `egnet-agent -nv` rely on.
 */
#ifndef EGNET_RENDER_H
#define EGNET_RENDER_H

#include <jansson.h>
#include <stdio.h>

#include "common/desired.h"

void render_text(const struct desired *ds, FILE *out);

/* A new JSON object (caller owns it). */
json_t *render_json(const struct desired *ds);

/* An address as a JSON string, null when it has no family; a prefix as a
 * JSON string ("10.0.0.0/8").  New references. */
json_t *render_json_addr(const struct ip_addr *a);
json_t *render_json_prefix(const struct ip_prefix *p);

#endif
