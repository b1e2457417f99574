// SPDX-License-Identifier: BSD-2-Clause
/*
 * egnetctl: the engineer's command.  Today: validate and render a gateway's
 * profile, node config and inventory.  Exit codes: 0 fine, 1 problems found
 * (one line each on stderr), 2 bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/inputs.h"
#include "common/nodeconf.h"
#include "ctl/agentcmd.h"
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
		"  help      this text\n"
		"\n"
		"options: --json (machine-readable), --socket PATH (the agent's\n"
		"control socket, default " EGNET_SOCKET "; or taken from\n"
		"--node's paths.socket).  --profile and --inventory win over\n"
		"node.profile and node.inventory of the node config.\n"
		"\n"
		"exit codes: 0 ok (status: converged); 1 problems, refused or\n"
		"failed (an apply that fails is rolled back); 2 usage; 3 no agent\n"
		"answers; status only: 4 drift, 5 pending-confirm, 6 unapplied\n"
		"or failed, 7 converged but on the last good configuration (the\n"
		"files have problems).\n"
		"");
}

struct args {
	const char *profile, *node, *inventory, *socket, *confirm_when;
	int json, confirm, watch;
};

static int parse_args(int argc, char **argv, struct args *a)
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
	if (parse_args(argc - 1, argv + 1, &a)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "validate"))
		return cmd_validate(&a);
	if (!strcmp(cmd, "render"))
		return cmd_render(&a);
	if (!strcmp(cmd, "plan") || !strcmp(cmd, "apply") ||
	    !strcmp(cmd, "confirm") || !strcmp(cmd, "rollback") ||
	    !strcmp(cmd, "status") || !strcmp(cmd, "links"))
		return cmd_agent(cmd, &a);
	fprintf(stderr, "egnetctl: unknown or not yet available command '%s' "
			"(see egnetctl help)\n", cmd);
	return EXIT_USAGE;
}
