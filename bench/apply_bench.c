// SPDX-License-Identifier: BSD-2-Clause
/*
 * Benchmark driver for the apply engine, run inside a namespace prepared by
 * bench/apply: applies N routes (or the example township) through the real
 * transaction (read, plan, batched apply, verify) and prints one line
 *   egnet <what> <seconds> ops=<n> writes=<n>
 * per measurement.  Usage:
 *   apply_bench routes N        N /32 routes via 10.255.0.2 dev eth0 table 100
 *   apply_bench noop N          the same, again (nothing to do)
 *   apply_bench node NODECONF   converge a node's profile, then re-apply
 *   apply_bench ipcmds NODECONF the same state as iproute2 commands, one per
 *                               line ("4 ARGS", "6 ARGS" or "bridge ARGS"),
 *                               for the baselines
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/apply/txn.h"
#include "common/inputs.h"
#include "common/log.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void routes_target(struct kstate *t, int n)
{
	struct ds_link *l = kstate_add_link(t, NULL);
	struct ip_prefix a;
	char err[64];

	snprintf(l->name, sizeof(l->name), "eth0");
	l->kind = KIND_PHYSICAL;
	l->mtu = 1500;
	l->up = true;
	ip_parse_prefix("10.255.0.1/24", false, &a, err, sizeof(err));
	kstate_link_add_addr(l, &a);
	t->routes = xcalloc((size_t)n, sizeof(*t->routes));
	for (int i = 0; i < n; i++) {
		struct ds_route *r = &t->routes[t->n_routes++];

		r->family = AF_INET;
		r->table = 100;
		r->dst.addr.family = AF_INET;
		/* 100.64.0.0/10 and up, one /32 each */
		r->dst.addr.a[0] = (uint8_t)(100 + ((i >> 16) >> 6));
		r->dst.addr.a[1] = (uint8_t)(64 + ((i >> 16) & 63));
		r->dst.addr.a[2] = (uint8_t)(i >> 8);
		r->dst.addr.a[3] = (uint8_t)i;
		r->dst.len = 32;
		ip_parse_addr("10.255.0.2", &r->nh[0].gw, err, sizeof(err));
		snprintf(r->nh[0].dev, IFNAMSIZ, "eth0");
		r->n_nh = 1;
	}
}

static int run(struct nlctx *nl, const struct kstate *t, const char *what)
{
	struct txn_opts o = {.prio_lo = 10000, .prio_hi = 10999};
	struct txn_result r;
	double t0 = now(), t1;
	int rc = txn_run(nl, t, &o, &r);

	t1 = now();
	if (rc)
		fprintf(stderr, "apply_bench: %s: %s\n", what, r.msg);
	else
		printf("egnet %s %.6f ops=%d writes=%lu\n", what, t1 - t0,
		       r.ops_done, r.writes);
	txn_result_free(&r);
	return rc ? 1 : 0;
}

static const char *fam(int af)
{
	return af == AF_INET6 ? "6" : "4";
}

/* Print the plan from an empty node as iproute2 commands. */
static int ipcmds(struct nlctx *nl, const struct kstate *t)
{
	struct txn_opts o = {.dry_run = true, .prio_lo = 10000,
			     .prio_hi = 10999};
	struct txn_result r;
	char b[IP_STRLEN], c[IP_STRLEN];

	if (txn_run(nl, t, &o, &r)) {
		fprintf(stderr, "apply_bench: %s\n", r.msg);
		return 1;
	}
	for (int i = 0; i < r.plan.n; i++) {
		const struct op *op = &r.plan.ops[i];
		const struct ds_route *rt = op->route;
		const struct ds_rule *ru = op->rule;
		const struct ds_link *l = op->link;

		switch (op->type) {
		case OP_LINK_ADD:
			if (l->kind == KIND_VXLAN)
				printf("4 link add %s mtu %d type vxlan id %d "
				       "dstport %d local %s dev %s\n",
				       l->name, l->mtu, l->vni, l->port,
				       ip_format_addr(&l->local, b, sizeof(b)),
				       l->underlay);
			else
				printf("4 link add %s mtu %d type bridge\n",
				       l->name, l->mtu);
			printf("4 link set %s up\n", l->name);
			break;
		case OP_LINK_SET:
			printf("4 link set %s mtu %d %s\n", op->dev, op->mtu,
			       op->up ? "up" : "down");
			break;
		case OP_PORT_ADD:
			printf("4 link set %s master %s up\n", op->dev,
			       op->master);
			break;
		case OP_ADDR_ADD:
			printf("%s address add %s dev %s%s\n",
			       fam(op->addr.addr.family),
			       ip_format_prefix(&op->addr, b, sizeof(b)),
			       op->dev,
			       op->addr.addr.family == AF_INET6 ? " nodad" : "");
			break;
		case OP_FDB_ADD:
			printf("bridge fdb append 00:00:00:00:00:00 dev %s dst "
			       "%s\n", op->dev,
			       ip_format_addr(&op->remote, b, sizeof(b)));
			break;
		case OP_RULE_ADD:
			if (ru->iif[0])
				printf("%s rule add priority %d iif %s lookup "
				       "%u\n", fam(ru->family), ru->priority,
				       ru->iif, ru->table);
			else
				printf("%s rule add priority %d from %s lookup "
				       "%u\n", fam(ru->family), ru->priority,
				       ip_format_prefix(&ru->from, b, sizeof(b)),
				       ru->table);
			break;
		case OP_ROUTE_ADD:
			printf("%s route add %s%s", fam(rt->family),
			       rt->type == RT_BLACKHOLE ? "blackhole " : "",
			       rt->dst.len ? ip_format_prefix(&rt->dst, b,
							      sizeof(b))
					   : "default");
			for (int n = 0; n < rt->n_nh; n++) {
				printf("%s", rt->n_nh > 1 ? " nexthop" : "");
				if (rt->nh[n].gw.family)
					printf(" via %s",
					       ip_format_addr(&rt->nh[n].gw, c,
							      sizeof(c)));
				if (rt->nh[n].dev[0])
					printf(" dev %s", rt->nh[n].dev);
			}
			printf(" table %u proto 147", rt->table);
			if (rt->metric)
				printf(" metric %d", rt->metric);
			if (rt->scope == SCOPE_LINK)
				printf(" scope link");
			if (rt->prefsrc.family)
				printf(" src %s", ip_format_addr(&rt->prefsrc,
								 b, sizeof(b)));
			printf("\n");
			break;
		default:
			fprintf(stderr, "apply_bench: unexpected %s\n",
				op_format(op, b, sizeof(b)));
			txn_result_free(&r);
			return 1;
		}
	}
	txn_result_free(&r);
	return 0;
}

int main(int argc, char **argv)
{
	struct nlctx nl;
	struct kstate t = {0};
	char err[256];
	int rc;

	log_init("apply_bench", getenv("EGNET_BENCH_DEBUG") ? LOG_LVL_DEBUG
							  : LOG_LVL_WARN);
	if (argc != 3)
		return 2;
	if (nlctx_open(&nl, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (!strcmp(argv[1], "node") || !strcmp(argv[1], "ipcmds")) {
		struct inputs in;
		struct diag d;

		diag_init(&d);
		if (inputs_load(&in, argv[2], NULL, NULL, &d)) {
			diag_print(&d, stderr);
			return 1;
		}
		kstate_from_desired(&t, &in.ds);
		if (!strcmp(argv[1], "ipcmds"))
			rc = ipcmds(&nl, &t);
		else
			rc = run(&nl, &t, "converge") ||
			     run(&nl, &t, "reapply");
		inputs_free(&in);
		diag_free(&d);
	} else {
		int n = atoi(argv[2]);

		routes_target(&t, n);
		rc = run(&nl, &t, !strcmp(argv[1], "noop") ? "noop" : "routes");
	}
	kstate_free(&t);
	nlctx_close(&nl);
	return rc;
}
