// SPDX-License-Identifier: BSD-2-Clause
/*
 * Address plan arithmetic; the layout is described in plan.h.  Pure
 * functions of the plan and the code, shared by the agent (its own and its
 * children's addresses), egnetctl (validate, render) and the collector.
 */
#include "common/plan.h"

#include <errno.h>
#include <stdio.h>

enum code_level plan_depth(const struct plan_family *pf)
{
	enum code_level d = LEVEL_PROVINCE;

	for (int l = LEVEL_CITY; l < LEVEL_COUNT; l++) {
		if (!pf->bits[l])
			break;
		d = l;
	}
	return d;
}

unsigned plan_block_len(const struct plan_family *pf, enum code_level level)
{
	unsigned len = pf->root.len;

	for (int l = LEVEL_CITY; l <= level && l < LEVEL_COUNT; l++)
		len += pf->bits[l];
	return len;
}

/* Prefix length of the own space of a node at `level`. */
static unsigned own_len(const struct plan_family *pf, enum code_level level)
{
	if (level >= plan_depth(pf))
		return plan_block_len(pf, level);
	return plan_block_len(pf, level + 1);
}

static unsigned lan_len(const struct plan_family *pf, unsigned own)
{
	return pf->lan ? pf->lan : own + 1;
}

int plan_check(const struct plan_family *pf, char *err, size_t errlen)
{
	unsigned width = ip_bits(pf->root.addr.family);
	enum code_level depth = plan_depth(pf);

	for (int l = depth + 1; l < LEVEL_COUNT; l++)
		if (pf->bits[l]) {
			snprintf(err, errlen,
				 "level %s has bits but level %s above it has "
				 "none",
				 code_level_name(l), code_level_name(depth + 1));
			return -EINVAL;
		}
	if (plan_block_len(pf, depth) > width) {
		snprintf(err, errlen,
			 "bits of the levels (%u) overflow the %u host bits of "
			 "the root prefix /%u",
			 plan_block_len(pf, depth) - pf->root.len,
			 width - pf->root.len, pf->root.len);
		return -EINVAL;
	}
	for (int l = LEVEL_PROVINCE; l <= depth; l++) {
		unsigned own = own_len(pf, l), lan = lan_len(pf, own);
		/* A LAN needs a gateway plus at least one host. */
		unsigned lan_max = width == 32 ? 30 : 127;

		if (own >= lan_max) {
			snprintf(err, errlen,
				 "the %s level's own space is a /%u: too small "
				 "for a LAN (at most /%u)",
				 code_level_name(l), own, lan_max - 1);
			return -EINVAL;
		}
		if (lan <= own || lan > lan_max) {
			snprintf(err, errlen,
				 "the %s level's own space is a /%u: no room "
				 "for a /%u LAN (want a LAN of /%u..%u)",
				 code_level_name(l), own, lan, own + 1,
				 lan_max);
			return -EINVAL;
		}
		if (l != LEVEL_PROVINCE && pf->link <= own) {
			snprintf(err, errlen,
				 "the %s level's own space is a /%u: no room "
				 "for a /%u uplink beside its LAN",
				 code_level_name(l), own, pf->link);
			return -EINVAL;
		}
	}
	return 0;
}

int plan_node(const struct plan_family *pf, code_t code, struct plan_node *out,
	      char *err, size_t errlen)
{
	enum code_level level = code_level(code);
	unsigned width = ip_bits(pf->root.addr.family);
	unsigned pos = pf->root.len, own, lan;
	char cb[CODE_STRLEN];

	*out = (struct plan_node){0};
	if (level > plan_depth(pf)) {
		snprintf(err, errlen,
			 "node %s: level %s has no bits in the plan",
			 code_format(code, cb), code_level_name(level));
		return -EINVAL;
	}
	out->block.addr = pf->root.addr;
	ip_mask(&out->block.addr, pf->root.len);
	for (int l = LEVEL_CITY; l <= level; l++) {
		unsigned idx = code_group(code, l);

		if (idx >> pf->bits[l]) {
			snprintf(err, errlen,
				 "node %s: %s index %u does not fit the %u "
				 "bits of level %s (at most %u)",
				 code_format(code, cb), code_level_name(l), idx,
				 pf->bits[l], code_level_name(l),
				 (1u << pf->bits[l]) - 1);
			return -ERANGE;
		}
		ip_set_bits(&out->block.addr, pos, pf->bits[l], idx);
		pos += pf->bits[l];
	}
	out->block.len = pos;

	own = own_len(pf, level);
	out->own.addr = out->block.addr;
	out->own.len = own;
	out->has_pool = level < plan_depth(pf);
	out->child_len = out->has_pool ? plan_block_len(pf, level + 1) : 0;

	if (level != LEVEL_PROVINCE) {
		out->has_uplink = true;
		out->uplink.addr = out->own.addr;
		out->uplink.len = pf->link;
		out->up_parent = out->uplink.addr;
		out->up_child = out->uplink.addr;
		/* With 4+ addresses skip the subnet address (RFC 1812);
		 * /31 and /127 links use both (RFC 3021, RFC 6164). */
		if (width - pf->link >= 2) {
			ip_add(&out->up_parent, 1);
			ip_add(&out->up_child, 2);
		} else {
			ip_add(&out->up_child, 1);
		}
	}

	lan = lan_len(pf, own);
	out->lan.addr = out->own.addr;
	/* the last /lan of the own space: all bits between own and lan set */
	for (unsigned b = own; b < lan; b++)
		ip_set_bits(&out->lan.addr, b, 1, 1);
	out->lan.len = lan;
	out->lan_gw = out->lan.addr;
	ip_add(&out->lan_gw, 1);
	return 0;
}
