// SPDX-License-Identifier: BSD-2-Clause
/*
 * EGNET-MIB's instances from the agent's state (see agentx_mib.h).  The
 * list is made whole and then sorted by OID, so its order never depends
 * on the order it was filled in; lookups are binary searches.
 */
#include "agent/snmp/agentx_mib.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-includes.h>

#include "common/log.h"

static const oid objects_oid[] = {EGNET_MIB_OID, AXM_OBJECTS};
#define OBJECTS_LEN (EGNET_MIB_OID_LEN + 1)

static struct axm_var *add(struct axm_table *t, int type, const oid *sub,
			   size_t sublen)
{
	struct axm_var *v;

	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->v = xrealloc(t->v, (size_t)t->cap * sizeof(*t->v));
	}
	v = &t->v[t->n++];
	memset(v, 0, sizeof(*v));
	memcpy(v->name, objects_oid, sizeof(objects_oid));
	memcpy(v->name + OBJECTS_LEN, sub, sublen * sizeof(oid));
	v->len = OBJECTS_LEN + sublen;
	v->type = type;
	return v;
}

static void add_str(struct axm_table *t, const oid *sub, size_t sublen,
		    const char *s)
{
	struct axm_var *v = add(t, AXM_STRING, sub, sublen);

	snprintf(v->str, sizeof(v->str), "%s", s ? s : "");
	v->str_len = strlen(v->str);
}

static void add_num(struct axm_table *t, int type, const oid *sub,
		    size_t sublen, uint64_t n)
{
	add(t, type, sub, sublen)->num = n;
}

static int cmp(const void *a, const void *b)
{
	const struct axm_var *x = a, *y = b;

	return snmp_oid_compare(x->name, x->len, y->name, y->len);
}

int axm_oper_value(const char *s)
{
	static const char *const w[] = {"up", "down", "no-carrier", "absent"};

	for (int i = 0; s && i < 4; i++)
		if (!strcmp(s, w[i]))
			return i + 1;
	return 0;
}

int axm_kind_value(const char *s)
{
	static const char *const w[] = {"parent", "child", "village"};

	for (int i = 0; s && i < 3; i++)
		if (!strcmp(s, w[i]))
			return i + 1;
	return 0;
}

int axm_reach_value(const char *s)
{
	static const char *const w[] = {"up", "down", "unknown"};

	for (int i = 0; s && i < 3; i++)
		if (!strcmp(s, w[i]))
			return i + 1;
	return 0;
}

/* A JSON number ≥ 0 as an unsigned integer; false when absent. */
static bool get_u64(const json_t *o, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	return false;
}

/* A JSON number of ms (or percent) times 1000 as a Gauge32; false when
 * absent (null before an answer). */
static bool get_milli(const json_t *o, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(o, key);
	double d;

	if (!json_is_number(v))
		return false;
	d = json_number_value(v) * 1000.0;
	if (!(d >= 0)) /* NaN too */
		d = 0;
	if (d > 4294967295.0)
		d = 4294967295.0;
	*out = (uint64_t)(d + 0.5);
	return true;
}

static void build_links(struct axm_table *t, const json_t *links)
{
	size_t n = json_array_size(links);

	for (size_t i = 0; i < n && i < AXM_MAX_ROWS; i++) {
		const json_t *l = json_array_get(links, i), *c, *dr;
		oid row = (oid)(i + 1);
		uint64_t x;
		int oper;

		if (!json_is_object(l))
			continue;
		add_str(t, (oid[]){AXM_LINKS, 1, AXM_LINK_NAME, row}, 4,
			json_string_value(json_object_get(l, "name")));
		add_str(t, (oid[]){AXM_LINKS, 1, AXM_LINK_ROLE, row}, 4,
			json_string_value(json_object_get(l, "role")));
		add_str(t, (oid[]){AXM_LINKS, 1, AXM_LINK_ZONE, row}, 4,
			json_string_value(json_object_get(l, "zone")));
		oper = axm_oper_value(
			json_string_value(json_object_get(l, "state")));
		if (oper)
			add_num(t, AXM_INTEGER,
				(oid[]){AXM_LINKS, 1, AXM_LINK_OPER, row}, 4,
				(uint64_t)oper);
		c = json_object_get(l, "counters");
		if (json_is_object(c)) {
			static const struct {
				int col;
				const char *key;
			} cols[] = {
				{AXM_LINK_IN_OCTETS, "rx_bytes"},
				{AXM_LINK_OUT_OCTETS, "tx_bytes"},
				{AXM_LINK_IN_PKTS, "rx_packets"},
				{AXM_LINK_OUT_PKTS, "tx_packets"},
			};

			for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]);
			     k++)
				if (get_u64(c, cols[k].key, &x))
					add_num(t, AXM_COUNTER64,
						(oid[]){AXM_LINKS, 1,
							(oid)cols[k].col, row},
						4, x);
		}
		dr = json_object_get(l, "drops");
		if (json_is_object(dr) && get_u64(dr, "packets", &x))
			add_num(t, AXM_COUNTER64,
				(oid[]){AXM_LINKS, 1, AXM_LINK_DROPS, row}, 4,
				x);
	}
}

static void build_targets(struct axm_table *t, const json_t *targets)
{
	size_t n = json_array_size(targets);

	for (size_t i = 0; i < n && i < AXM_MAX_ROWS; i++) {
		const json_t *g = json_array_get(targets, i);
		oid row = (oid)(i + 1);
		uint64_t x;
		int k;

		if (!json_is_object(g))
			continue;
		add_str(t, (oid[]){AXM_TARGETS, 1, AXM_TGT_CODE, row}, 4,
			json_string_value(json_object_get(g, "code")));
		k = axm_kind_value(
			json_string_value(json_object_get(g, "relation")));
		if (k)
			add_num(t, AXM_INTEGER,
				(oid[]){AXM_TARGETS, 1, AXM_TGT_KIND, row}, 4,
				(uint64_t)k);
		k = axm_reach_value(
			json_string_value(json_object_get(g, "state")));
		if (k)
			add_num(t, AXM_INTEGER,
				(oid[]){AXM_TARGETS, 1, AXM_TGT_REACHABLE, row},
				4, (uint64_t)k);
		if (get_milli(g, "rtt_ms", &x))
			add_num(t, AXM_GAUGE,
				(oid[]){AXM_TARGETS, 1, AXM_TGT_RTT, row}, 4,
				x);
		if (get_milli(g, "loss_pct", &x))
			add_num(t, AXM_GAUGE,
				(oid[]){AXM_TARGETS, 1, AXM_TGT_LOSS, row}, 4,
				x > 100000 ? 100000 : x);
		if (get_milli(g, "jitter_ms", &x))
			add_num(t, AXM_GAUGE,
				(oid[]){AXM_TARGETS, 1, AXM_TGT_JITTER, row}, 4,
				x);
	}
}

void axm_build(struct axm_table *t, const struct axm_node *node,
	       const json_t *links)
{
	int w = 0;

	t->n = 0;
	add_str(t, (oid[]){AXM_NODE, AXM_NODE_CODE, 0}, 3, node->code);
	if (node->level >= 1 && node->level <= 5)
		add_num(t, AXM_INTEGER, (oid[]){AXM_NODE, AXM_NODE_LEVEL, 0}, 3,
			(uint64_t)node->level);
	add_str(t, (oid[]){AXM_NODE, AXM_NODE_PROFILE, 0}, 3, node->profile);
	add_str(t, (oid[]){AXM_NODE, AXM_NODE_VERSION, 0}, 3, node->version);
	add_str(t, (oid[]){AXM_NODE, AXM_NODE_HASH, 0}, 3, node->hash);
	if (node->state >= 1 && node->state <= 5)
		add_num(t, AXM_INTEGER, (oid[]){AXM_NODE, AXM_NODE_STATE, 0}, 3,
			(uint64_t)node->state);
	add_num(t, AXM_GAUGE, (oid[]){AXM_NODE, AXM_NODE_DRIFT, 0}, 3,
		node->drift);
	build_links(t, json_object_get(links, "links"));
	build_targets(t, json_object_get(links, "targets"));
	if (t->n > 1)
		qsort(t->v, (size_t)t->n, sizeof(t->v[0]), cmp);
	/* strictly increasing: a name twice keeps its first instance */
	for (int i = 0; i < t->n; i++)
		if (!w || cmp(&t->v[w - 1], &t->v[i]) < 0)
			t->v[w++] = t->v[i];
	t->n = w;
}

void axm_free(struct axm_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* Index of the first instance whose name is ≥ name (t->n when none). */
static int lower_bound(const struct axm_table *t, const oid *name, size_t len)
{
	int lo = 0, hi = t->n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (snmp_oid_compare(t->v[mid].name, t->v[mid].len, name, len) <
		    0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct axm_var *axm_get(const struct axm_table *t, const oid *name,
			      size_t len)
{
	int i = lower_bound(t, name, len);

	if (i < t->n && !snmp_oid_compare(t->v[i].name, t->v[i].len, name, len))
		return &t->v[i];
	return NULL;
}

const struct axm_var *axm_next(const struct axm_table *t, const oid *name,
			       size_t len)
{
	int i = lower_bound(t, name, len);

	if (i < t->n && !snmp_oid_compare(t->v[i].name, t->v[i].len, name, len))
		i++;
	return i < t->n ? &t->v[i] : NULL;
}
