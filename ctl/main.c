// SPDX-License-Identifier: BSD-2-Clause
/*
 * egnetctl: the engineer's command.  Validate and render a gateway's
 * profile, node config and inventory; drive its agent over the control
 * socket (agentcmd.c); read the collector's API (collcmd.c).  Exit codes
 * in usage() below.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/inputs.h"
#include "common/nodeconf.h"
#include "ctl/agentcmd.h"
#include "ctl/collcmd.h"
#include "common/log.h"
#include "common/defaults.h"
#include "common/render.h"

#define EXIT_PROBLEMS 1

static void usage(FILE *out)
{
	fprintf(out,
		"usage: egnetctl COMMAND [OPTIONS]\n"
		"\n"
		"commands:\n"
		"  validate [--profile P] [--node N] [--inventory I]\n"
		"        check the files; exit 0 when fine, else 1 and one line\n"
		"        per problem: FILE:LINE: SETTING: what is wrong\n"
		"  render --node N [--profile P] [--inventory I] [--json]\n"
		"        print the node's whole desired state\n"
		"  plan      dry run: the operations an apply would make\n"
		"  apply [--confirm SECONDS] [--confirm-when reachable]\n"
		"            apply the node's configuration in one transaction;\n"
		"            with --confirm it rolls back unless `confirm` comes\n"
		"            in time; --confirm-when reachable confirms by itself\n"
		"            when the parent answers after the change\n"
		"  confirm   keep a pending apply\n"
		"  rollback  return to the previous applied state (or undo a\n"
		"            pending apply now)\n"
		"  status    profile, state (converged, drift, failed,\n"
		"            pending-confirm), last apply\n"
		"  links [--watch]\n"
		"            every managed link (state, packets, bytes, rates)\n"
		"            and every probe target (state, RTT, jitter, loss)\n"
		"  snmp [--watch]\n"
		"            the devices polled over SNMP (state, sysName,\n"
		"            error) and their interfaces (oper/admin status,\n"
		"            octets and rates, errors, discards)\n"
		"  help      this text\n"
		"\n"
		"the collector (its API over HTTPS, --collector URL):\n"
		"  nodes     every node: code, name, level, last seq, last\n"
		"            report, apply state, drift\n"
		"  node CODE [--since T] [--until T]\n"
		"            one node: its last report (links, targets), the\n"
		"            stored sequence ranges, its series summarised\n"
		"            (min/avg/max; the last hour unless --since)\n"
		"  events [--since T] [--until T] [--node CODE] [--type WORD]\n"
		"         [--limit N]\n"
		"            what happened, newest first (agent-seen, link-down,\n"
		"            target-down, drift-found, apply-ok, outage-open,\n"
		"            outage-close, ...)\n"
		"  tree [CODE]\n"
		"            the five-level tree (from CODE) with each node's\n"
		"            verified state and its descendants' counts\n"
		"  outages [--all]\n"
		"            open outages at their root: since when, what they\n"
		"            cut off per level (--all: the closed ones too)\n"
		"  coverage [CODE]\n"
		"            connected / expected per level, of the whole or of\n"
		"            region CODE, and of each region below it\n"
		"        T: a duration back from now (90s, 30m, 1h, 1h30m, 2d)\n"
		"        or a time (2024-06-10, 2024-06-10 14:30[:05], local;\n"
		"        a Z for UTC)\n"
		"\n"
		"options: --json (machine-readable; for the collector the API's\n"
		"JSON as it is), --socket PATH (the agent's control socket,\n"
		"default " EGNET_SOCKET "; or taken from --node's\n"
		"paths.socket).  --profile and --inventory win over\n"
		"node.profile and node.inventory of the node config.\n"
		"--collector URL (or EGNET_COLLECTOR), e.g. https://noc:8443;\n"
		"--ca, --cert, --key (or EGNET_CA, EGNET_CERT, EGNET_KEY;\n"
		"default " EGNET_PKI_CA ",\n"
		EGNET_PKI_CERT ", " EGNET_PKI_KEY "): any client\n"
		"certificate of the collector's CA may read.\n"
		"\n"
		"exit codes: 0 ok (status: converged); 1 problems, refused or\n"
		"failed (an apply that fails is rolled back; the collector\n"
		"answered an error, shown with its reason); 2 usage; 3 no agent\n"
		"or no collector answers; status only: 4 drift, 5\n"
		"pending-confirm, 6 unapplied or failed, 7 converged but on the\n"
		"last good configuration (the files have problems); 8 TLS with\n"
		"the collector failed (a file unreadable, its certificate not\n"
		"verified by the CA, ours refused).\n"
		"");
}

struct args {
	const char *profile, *node, *inventory, *socket, *confirm_when;
	int json, confirm, watch, all;
	/* the collector's commands */
	const char *collector, *ca, *cert, *key, *since, *until, *type, *limit;
	const char *operand; /* node CODE */
};

static int parse_args(int argc, char **argv, bool operand, struct args *a)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, 'p'},
		{"node", required_argument, NULL, 'n'},
		{"inventory", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, 'j'},
		{"socket", required_argument, NULL, 's'},
		{"confirm", required_argument, NULL, 'C'},
		{"confirm-when", required_argument, NULL, 'W'},
		{"watch", no_argument, NULL, 'w'},
		{"collector", required_argument, NULL, 'U'},
		{"ca", required_argument, NULL, 'A'},
		{"cert", required_argument, NULL, 'E'},
		{"key", required_argument, NULL, 'K'},
		{"since", required_argument, NULL, 'S'},
		{"until", required_argument, NULL, 'T'},
		{"type", required_argument, NULL, 'Y'},
		{"limit", required_argument, NULL, 'L'},
		{"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:n:i:js:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			a->profile = optarg;
			break;
		case 'n':
			a->node = optarg;
			break;
		case 'i':
			a->inventory = optarg;
			break;
		case 'j':
			a->json = 1;
			break;
		case 's':
			a->socket = optarg;
			break;
		case 'w':
			a->watch = 1;
			break;
		case 'a':
			a->all = 1;
			break;
		case 'U':
			a->collector = optarg;
			break;
		case 'A':
			a->ca = optarg;
			break;
		case 'E':
			a->cert = optarg;
			break;
		case 'K':
			a->key = optarg;
			break;
		case 'S':
			a->since = optarg;
			break;
		case 'T':
			a->until = optarg;
			break;
		case 'Y':
			a->type = optarg;
			break;
		case 'L':
			a->limit = optarg;
			break;
		case 'C': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > EGNET_CONFIRM_MAX_S) {
				fprintf(stderr, "egnetctl: --confirm takes 1..%d "
						"seconds\n", EGNET_CONFIRM_MAX_S);
				return -1;
			}
			a->confirm = (int)v;
			break;
		}
		case 'W':
			if (strcmp(optarg, "reachable")) {
				fprintf(stderr, "egnetctl: --confirm-when takes "
						"only 'reachable'\n");
				return -1;
			}
			a->confirm_when = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (operand && optind < argc)
		a->operand = argv[optind++];
	if (optind != argc) {
		fprintf(stderr, "egnetctl: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

static int report(struct diag *d)
{
	int n = diag_count(d);

	diag_sort(d);
	diag_print(d, stderr);
	diag_free(d);
	return n ? EXIT_PROBLEMS : 0;
}

static int cmd_validate(struct args *a)
{
	struct inputs in;
	struct diag d;
	int rc;

	if (!a->profile && !a->node && !a->inventory) {
		fprintf(stderr, "egnetctl validate: give --profile, --node "
				"and/or --inventory\n");
		return EXIT_USAGE;
	}
	diag_init(&d);
	inputs_load(&in, a->node, a->profile, a->inventory, &d);
	inputs_free(&in);
	rc = report(&d);
	if (rc == 0)
		printf("ok\n");
	return rc;
}

static int cmd_render(struct args *a)
{
	struct inputs in;
	struct diag d;
	int rc;

	if (!a->node) {
		fprintf(stderr, "egnetctl render: --node is needed (the "
				"desired state is a node's)\n");
		return EXIT_USAGE;
	}
	diag_init(&d);
	if (inputs_load(&in, a->node, a->profile, a->inventory, &d) == 0) {
		if (a->json) {
			json_t *j = render_json(&in.ds);

			json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
			fputc('\n', stdout);
			json_decref(j);
		} else {
			render_text(&in.ds, stdout);
		}
	}
	inputs_free(&in);
	rc = report(&d);
	return rc;
}

/* The agent's socket: --socket, else --node's paths.socket, else default. */
static int cmd_agent(const char *cmd, struct args *a)
{
	struct agentcmd_args ac = {.json = a->json,
				   .confirm = a->confirm,
				   .reachable = a->confirm_when != NULL,
				   .watch = a->watch != 0};
	static struct nodeconf nc;
	struct diag d;

	if ((a->confirm || a->confirm_when) && strcmp(cmd, "apply")) {
		fprintf(stderr, "egnetctl: --confirm and --confirm-when go "
				"with apply\n");
		return EXIT_USAGE;
	}
	ac.socket = a->socket ? a->socket : EGNET_SOCKET;
	if (!a->socket && a->node) {
		diag_init(&d);
		nodeconf_load(&nc, a->node, NULL, &d);
		if (nc.socket[0])
			ac.socket = nc.socket;
		diag_free(&d);
	}
	return agentcmd_run(cmd, &ac);
}

/* The collector's commands; events --node is a code there. */
static int cmd_collector(const char *cmd, struct args *a)
{
	struct collcmd_args cc = {
		.url = a->collector, .ca = a->ca, .cert = a->cert,
		.key = a->key, .json = a->json, .since = a->since,
		.until = a->until, .type = a->type, .limit = a->limit,
		.code = !strcmp(cmd, "node") || !strcmp(cmd, "tree") ||
				!strcmp(cmd, "coverage")
			? a->operand
			: a->node,
		.all = a->all,
	};

	if (a->operand && a->node) {
		fprintf(stderr, "egnetctl %s: the code comes alone: "
				"egnetctl %s CODE\n", cmd, cmd);
		return EXIT_USAGE;
	}
	collcmd_defaults(&cc);
	return collcmd_run(cmd, &cc);
}

static bool is_collector_cmd(const char *cmd)
{
	return !strcmp(cmd, "nodes") || !strcmp(cmd, "node") ||
	       !strcmp(cmd, "events") || !strcmp(cmd, "tree") ||
	       !strcmp(cmd, "outages") || !strcmp(cmd, "coverage");
}

int main(int argc, char **argv)
{
	struct args a;
	const char *cmd;

	log_init("egnetctl", LOG_LVL_WARN);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (parse_args(argc - 1, argv + 1,
		       !strcmp(cmd, "node") || !strcmp(cmd, "tree") ||
			       !strcmp(cmd, "coverage"),
		       &a)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "validate"))
		return cmd_validate(&a);
	if (!strcmp(cmd, "render"))
		return cmd_render(&a);
	if (!strcmp(cmd, "plan") || !strcmp(cmd, "apply") ||
	    !strcmp(cmd, "confirm") || !strcmp(cmd, "rollback") ||
	    !strcmp(cmd, "status") || !strcmp(cmd, "links") ||
	    !strcmp(cmd, "snmp"))
		return cmd_agent(cmd, &a);
	if (is_collector_cmd(cmd))
		return cmd_collector(cmd, &a);
	fprintf(stderr, "egnetctl: unknown or not yet available command '%s' "
			"(see egnetctl help)\n", cmd);
	return EXIT_USAGE;
}
