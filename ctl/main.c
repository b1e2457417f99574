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
#include "common/log.h"
#include "common/render.h"

#define EXIT_PROBLEMS 1
#define EXIT_USAGE    2

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
		"  help  this text\n"
		"\n"
		"--profile and --inventory win over node.profile and\n"
		"node.inventory of the node config.\n"
		"\n"
		"Not in this build yet: plan, apply, confirm, rollback, status,\n"
		"links (they need the agent's apply engine and monitor).\n");
}

struct args {
	const char *profile, *node, *inventory;
	int json;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, 'p'},
		{"node", required_argument, NULL, 'n'},
		{"inventory", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:n:i:jh", opts, NULL)) != -1) {
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
	fprintf(stderr, "egnetctl: unknown or not yet available command '%s' "
			"(see egnetctl help)\n", cmd);
	return EXIT_USAGE;
}
