// SPDX-License-Identifier: BSD-2-Clause
/*
 * The plan between two kernel states (agent/change.c) and the state files'
 * JSON (agent/kjson.c): which operations, in which order, with which
 * inverse; what refuses to be planned; a state survives a round trip
 * through JSON and a damaged one is refused with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/apply/change.h"
#include "agent/apply/kjson.h"
#include "common/log.h"

static struct ds_link *add_link(struct kstate *ks, const char *name, int kind,
				int mtu, bool up)
{
	struct ds_link *l = kstate_add_link(ks, NULL);

	snprintf(l->name, sizeof(l->name), "%s", name);
	l->kind = kind;
	l->mtu = mtu;
	l->up = up;
	return l;
}

static void add_addr(struct ds_link *l, const char *p)
{
	struct ip_prefix x;
	char err[64];

	assert_int_equal(ip_parse_prefix(p, false, &x, err, sizeof(err)), 0);
	kstate_link_add_addr(l, &x);
}

static struct ds_route *add_route(struct kstate *ks, const char *dst,
				  const char *via, const char *dev, int metric)
{
	struct ds_route *r;
	char err[64];

	ks->routes = xrealloc(ks->routes,
			      (size_t)(ks->n_routes + 1) * sizeof(*r));
	r = &ks->routes[ks->n_routes++];
	memset(r, 0, sizeof(*r));
	assert_int_equal(ip_parse_prefix(dst, true, &r->dst, err, sizeof(err)),
			 0);
	r->family = r->dst.addr.family;
	r->table = 100;
	r->metric = metric;
	if (via) {
		assert_int_equal(ip_parse_addr(via, &r->nh[0].gw, err,
					       sizeof(err)),
				 0);
		r->n_nh = 1;
	}
	if (dev) {
		snprintf(r->nh[0].dev, IFNAMSIZ, "%s", dev);
		r->n_nh = 1;
	}
	return r;
}

static void add_rule(struct kstate *ks, int prio, const char *iif)
{
	ks->rules = xrealloc(ks->rules,
			     (size_t)(ks->n_rules + 1) * sizeof(*ks->rules));
	memset(&ks->rules[ks->n_rules], 0, sizeof(ks->rules[0]));
	ks->rules[ks->n_rules].family = AF_INET;
	ks->rules[ks->n_rules].priority = prio;
	ks->rules[ks->n_rules].table = 100;
	snprintf(ks->rules[ks->n_rules].iif, IFNAMSIZ, "%s", iif);
	ks->n_rules++;
}

/* The plan as text, one operation per line. */
static void plan_text(const struct change *ch, char *out, size_t len)
{
	size_t u = 0;
	char b[400];

	out[0] = '\0';
	for (int i = 0; i < ch->n && u < len; i++)
		u += (size_t)snprintf(out + u, len - u, "%s\n",
				      op_format(&ch->ops[i], b, sizeof(b)));
}

static void test_empty_to_node(void **state)
{
	struct kstate cur = {0}, tgt = {0};
	struct change ch;
	char err[200], text[4096];
	struct ds_link *l;

	(void)state;
	add_link(&cur, "eth0", KIND_PHYSICAL, 1500, false);
	l = add_link(&tgt, "eth0", KIND_PHYSICAL, 1500, true);
	add_addr(l, "10.0.0.2/30");
	l = add_link(&tgt, "br0", KIND_BRIDGE, 1500, true);
	snprintf(l->ports[l->n_ports++], IFNAMSIZ, "eth1");
	add_addr(l, "10.1.0.1/24");
	add_rule(&tgt, 10000, "eth0");
	add_route(&tgt, "0.0.0.0/0", "10.0.0.1", "eth0", 0);

	assert_int_equal(change_compute(&cur, &tgt, NULL, &ch, err, sizeof(err)), 0);
	plan_text(&ch, text, sizeof(text));
	/* creations in phase order: links, ports, addresses, rules, routes */
	assert_string_equal(text,
			    "link add br0 type bridge mtu 1500 up\n"
			    "link set eth0 mtu 1500 up (was mtu 1500 down)\n"
			    "link set eth1 master br0 up\n"
			    "address add 10.0.0.2/30 dev eth0\n"
			    "address add 10.1.0.1/24 dev br0\n"
			    "rule add priority 10000 iif eth0 lookup 100\n"
			    "route add default via 10.0.0.1 dev eth0 table "
			    "100\n");
	/* inverses */
	struct op inv = op_inverse(&ch.ops[1]);
	char b[400];

	assert_string_equal(op_format(&inv, b, sizeof(b)),
			    "link set eth0 mtu 1500 down (was mtu 1500 up)");
	inv = op_inverse(&ch.ops[2]);
	assert_string_equal(op_format(&inv, b, sizeof(b)),
			    "link set eth1 nomaster down");
	inv = op_inverse(&ch.ops[6]);
	assert_string_equal(op_format(&inv, b, sizeof(b)),
			    "route del default via 10.0.0.1 dev eth0 table 100");
	change_free(&ch);

	/* the same state planned against itself: nothing */
	assert_int_equal(change_compute(&tgt, &tgt, NULL, &ch, err, sizeof(err)), 0);
	assert_int_equal(ch.n, 0);
	change_free(&ch);
	kstate_free(&cur);
	kstate_free(&tgt);
}

static void test_replace_and_delete(void **state)
{
	struct kstate cur = {0}, tgt = {0};
	struct change ch;
	char err[200], text[4096];

	(void)state;
	add_link(&cur, "eth0", KIND_PHYSICAL, 1500, true);
	add_link(&tgt, "eth0", KIND_PHYSICAL, 1500, true);
	add_route(&cur, "10.9.0.0/16", "10.0.0.1", "eth0", 0);
	add_route(&tgt, "10.9.0.0/16", "10.0.0.5", "eth0", 0); /* replace */
	add_route(&cur, "10.8.0.0/16", "10.0.0.1", "eth0", 0); /* delete */
	add_route(&tgt, "10.7.0.0/16", "10.0.0.1", NULL, 0);	/* add */
	/* the kernel resolved the device: same route */
	add_route(&cur, "10.6.0.0/16", "10.0.0.1", "eth0", 0);
	add_route(&tgt, "10.6.0.0/16", "10.0.0.1", NULL, 0);
	add_rule(&cur, 10001, "eth9");

	assert_int_equal(change_compute(&cur, &tgt, NULL, &ch, err, sizeof(err)), 0);
	plan_text(&ch, text, sizeof(text));
	assert_string_equal(text,
			    "route del 10.8.0.0/16 via 10.0.0.1 dev eth0 table "
			    "100\n"
			    "rule del priority 10001 iif eth9 lookup 100\n"
			    "route add 10.7.0.0/16 via 10.0.0.1 table 100\n"
			    "route replace 10.9.0.0/16 via 10.0.0.5 dev eth0 "
			    "table 100\n");
	struct op inv = op_inverse(&ch.ops[3]);
	char b[400];

	assert_string_equal(op_format(&inv, b, sizeof(b)),
			    "route replace 10.9.0.0/16 via 10.0.0.1 dev eth0 "
			    "table 100");
	change_free(&ch);
	kstate_free(&cur);
	kstate_free(&tgt);
}

static void test_vxlan_recreated(void **state)
{
	struct kstate cur = {0}, tgt = {0};
	struct change ch;
	char err[200], text[4096];
	struct ds_link *c, *t;

	(void)state;
	add_link(&cur, "eth0", KIND_PHYSICAL, 1500, true);
	add_link(&tgt, "eth0", KIND_PHYSICAL, 1500, true);
	c = add_link(&cur, "vx0", KIND_VXLAN, 1450, true);
	c->vni = 7;
	c->port = 4789;
	add_addr(c, "172.16.0.2/30");
	t = add_link(&tgt, "vx0", KIND_VXLAN, 1450, true);
	t->vni = 8; /* the kernel cannot change a VNI: re-create */
	t->port = 4789;
	add_addr(t, "172.16.0.2/30");
	add_route(&cur, "0.0.0.0/0", "172.16.0.1", "vx0", 0);
	add_route(&tgt, "0.0.0.0/0", "172.16.0.1", "vx0", 0);

	assert_int_equal(change_compute(&cur, &tgt, NULL, &ch, err, sizeof(err)), 0);
	plan_text(&ch, text, sizeof(text));
	assert_string_equal(
		text,
		"route del default via 172.16.0.1 dev vx0 table 100\n"
		"address del 172.16.0.2/30 dev vx0\n"
		"link del vx0\n"
		"link add vx0 type vxlan id 8 dstport 4789 mtu 1450 up\n"
		"address add 172.16.0.2/30 dev vx0\n"
		"route add default via 172.16.0.1 dev vx0 table 100\n");
	change_free(&ch);
	kstate_free(&cur);
	kstate_free(&tgt);
}

static void test_refusals(void **state)
{
	struct kstate cur = {0}, tgt = {0};
	struct change ch;
	char err[200];

	(void)state;
	add_link(&tgt, "eth0", KIND_PHYSICAL, 1500, true);
	assert_int_equal(change_compute(&cur, &tgt, NULL, &ch, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "interface eth0 (uplink) does not exist");
	kstate_free(&tgt);

	memset(&tgt, 0, sizeof(tgt));
	add_link(&tgt, "br0", KIND_BRIDGE, 1500, true);
	snprintf(add_link(&cur, "br0", KIND_PHYSICAL, 1500, true)->ktype, 16,
		 "veth");
	assert_int_equal(change_compute(&cur, &tgt, NULL, &ch, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "br0 exists as a veth link; egnet creates "
				 "its bridge only under a free name");
	kstate_free(&cur);
	kstate_free(&tgt);
}

static void test_json_round_trip(void **state)
{
	struct kstate ks = {0}, back;
	struct ds_link *l;
	struct ds_route *r;
	char err[200];
	json_t *j;
	char *a, *b;

	(void)state;
	l = add_link(&ks, "vx0", KIND_VXLAN, 1450, true);
	l->vni = 1003;
	l->port = 4789;
	snprintf(l->underlay, IFNAMSIZ, "eth0");
	ip_parse_addr("10.0.0.2", &l->local, err, sizeof(err));
	kstate_link_add_remote(l, &l->local);
	add_addr(l, "fd45::1/127");
	add_rule(&ks, 10000, "vx0");
	r = add_route(&ks, "0.0.0.0/0", "10.0.0.1", "eth0", 4000);
	r->n_nh = 2;
	ip_parse_addr("10.0.0.9", &r->nh[1].gw, err, sizeof(err));
	j = kstate_to_json(&ks);
	assert_int_equal(kstate_from_json(j, &back, err, sizeof(err)), 0);
	json_t *j2 = kstate_to_json(&back);

	a = json_dumps(j, JSON_SORT_KEYS);
	b = json_dumps(j2, JSON_SORT_KEYS);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(j2);
	kstate_free(&back);

	/* damaged: a route with an unknown type is refused, named */
	json_string_set(json_object_get(json_array_get(json_object_get(j,
								       "routes"),
						       0),
					"type"),
			"sideways");
	assert_int_equal(kstate_from_json(j, &back, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "routes[0]: a route needs family and a "
				 "known type");
	kstate_free(&back);
	json_string_set(json_object_get(json_array_get(json_object_get(j,
								       "routes"),
						       0),
					"type"),
			"unicast");
	assert_int_equal(kstate_from_json(j, &back, err, sizeof(err)), 0);
	kstate_free(&back);

	/* numbers out of their range are refused, not cast */
	{
		static const struct {
			const char *array, *key;
			json_int_t v;
			const char *msg;
		} bad[] = {
			{"links", "mtu", -1, "mtu (0 to 65536)"},
			{"links", "mtu", 70000, "mtu (0 to 65536)"},
			{"routes", "metric", -5, "metric (0 to"},
			{"routes", "metric", 1LL << 33, "metric (0 to"},
			{"routes", "table", 0, "table (1 to"},
			{"routes", "table", 1LL << 40, "table (1 to"},
			{"rules", "priority", -1, "priority (0 to"},
			{"rules", "table", -3, "table (1 to"},
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			json_t *o = json_array_get(
				json_object_get(j, bad[i].array), 0);
			json_t *keep = json_deep_copy(json_object_get(o, bad[i].key));

			json_object_set_new(o, bad[i].key,
					    json_integer(bad[i].v));
			assert_int_equal(kstate_from_json(j, &back, err,
							  sizeof(err)),
					 -EINVAL);
			if (!strstr(err, bad[i].msg))
				fail_msg("%s.%s = %lld: \"%s\"", bad[i].array,
					 bad[i].key, (long long)bad[i].v, err);
			kstate_free(&back);
			json_object_set_new(o, bad[i].key, keep);
			assert_int_equal(kstate_from_json(j, &back, err,
							  sizeof(err)),
					 0);
			kstate_free(&back);
		}
	}
	json_decref(j);
	kstate_free(&ks);
}

/*
 * A physical link that leaves the configuration: the addresses the state
 * we leave had put on it go, foreign ones stay; the link stays.  Without
 * the state we leave, nothing is known to be ours: nothing is done.
 */
static void test_physical_released(void **state)
{
	struct kstate cur = {0}, tgt = {0}, left = {0};
	struct change ch;
	char err[200], text[4096];
	struct ds_link *l;

	(void)state;
	l = add_link(&cur, "eth0", KIND_PHYSICAL, 1500, true);
	add_addr(l, "10.16.64.130/30");
	add_addr(l, "192.0.2.7/24"); /* somebody else's */
	l = add_link(&cur, "eth3", KIND_PHYSICAL, 1500, true);
	l = add_link(&tgt, "eth3", KIND_PHYSICAL, 1500, true);
	add_addr(l, "10.16.64.130/30");
	l = add_link(&left, "eth0", KIND_PHYSICAL, 1500, true);
	add_addr(l, "10.16.64.130/30");

	assert_int_equal(change_compute(&cur, &tgt, &left, &ch, err,
					sizeof(err)),
			 0);
	plan_text(&ch, text, sizeof(text));
	assert_string_equal(text, "address del 10.16.64.130/30 dev eth0\n"
				  "address add 10.16.64.130/30 dev eth3\n");
	assert_int_equal(ch.ops[0].type, OP_ADDR_DEL);
	change_free(&ch);

	assert_int_equal(change_compute(&cur, &tgt, NULL, &ch, err,
					sizeof(err)),
			 0);
	plan_text(&ch, text, sizeof(text));
	assert_string_equal(text, "address add 10.16.64.130/30 dev eth3\n");
	change_free(&ch);
	kstate_free(&cur);
	kstate_free(&tgt);
	kstate_free(&left);
}

/*
 * Everything of ours to go (the agent's purge, or a profile without
 * them): the VXLAN link is deleted before the bridge it runs over, whose
 * deletion takes it along in the kernel — whatever order the state lists
 * them in.
 */
static void test_vxlan_deleted_first(void **state)
{
	struct kstate cur = {0}, tgt = {0};
	struct change ch;
	char err[200], text[4096];
	struct ds_link *l;

	(void)state;
	l = add_link(&cur, "eg-down", KIND_BRIDGE, 1500, true);
	add_addr(l, "10.1.0.1/24");
	l = add_link(&cur, "eg-ded-down", KIND_VXLAN, 1450, true);
	l->vni = 1003;
	l->port = 4789;
	add_link(&cur, "eg-lan", KIND_BRIDGE, 1500, true);

	assert_int_equal(change_compute(&cur, &tgt, NULL, &ch, err, sizeof(err)), 0);
	plan_text(&ch, text, sizeof(text));
	assert_string_equal(text, "address del 10.1.0.1/24 dev eg-down\n"
				  "link del eg-ded-down\n"
				  "link del eg-down\n"
				  "link del eg-lan\n");
	change_free(&ch);
	kstate_free(&cur);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_to_node),
		cmocka_unit_test(test_replace_and_delete),
		cmocka_unit_test(test_vxlan_recreated),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_physical_released),
		cmocka_unit_test(test_vxlan_deleted_first),
		cmocka_unit_test(test_json_round_trip),
	};

	return cmocka_run_group_tests_name("change", tests, NULL, NULL);
}
