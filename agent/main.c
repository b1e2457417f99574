// SPDX-License-Identifier: BSD-2-Clause
/*
 * egnet-agent.  Today it checks a gateway's inputs the way the daemon will
 * load them: -n checks (exit 0 or 1 with one line per problem), -nv also
 * prints the canonical desired state.  Running as a daemon (apply, drift,
 * monitoring, reporting) is not in this build yet, and it says so.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/inputs.h"
#include "common/log.h"
#include "common/render.h"

#define DEFAULT_CONF "/etc/egnet/agent.conf"

static void usage(FILE *out)
{
	fprintf(out, "usage: egnet-agent [-n [-v]] [-c NODECONF] [-p PROFILE] "
		     "[-i INVENTORY]\n"
		     "  -c FILE  node config (default " DEFAULT_CONF ")\n"
		     "  -n       check the node config, profile and inventory; "
		     "do nothing else\n"
		     "  -v       with -n: print the canonical desired state\n"
		     "  -p FILE  profile (instead of node.profile)\n"
		     "  -i FILE  inventory (instead of node.inventory)\n");
}

int main(int argc, char **argv)
{
	const char *conf = DEFAULT_CONF, *profile = NULL, *inventory = NULL;
	int check = 0, verbose = 0, c, rc;
	struct inputs in;
	struct diag d;

	log_init("egnet-agent", LOG_LVL_INFO);
	while ((c = getopt(argc, argv, "c:np:i:vh")) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'i':
			inventory = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	diag_init(&d);
	rc = inputs_load(&in, conf, profile, inventory, &d);
	if (rc == 0 && check && verbose)
		render_text(&in.ds, stdout);
	inputs_free(&in);
	diag_sort(&d);
	diag_print(&d, stderr);
	diag_free(&d);
	if (rc)
		return 1;
	if (check) {
		if (!verbose)
			fprintf(stderr, "configuration OK\n");
		return 0;
	}
	log_warnx("configuration OK, but this build does not run as a daemon "
		  "yet: applying profiles, drift, link monitoring and "
		  "reporting are still to come; use -n to check");
	return 3;
}
