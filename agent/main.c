// SPDX-License-Identifier: BSD-2-Clause
/*
 * egnet-agent.  -n checks a gateway's inputs (exit 0, or 1 with one line per
 * problem), -nv also prints the canonical desired state.  Without -n it runs
 * as a daemon: applies the profile, keeps it (drift), watches its links
 * and probes its parent and children, and answers egnetctl on its control
 * socket.  --purge takes everything egnet put in the kernel out again
 * (purge.h), for the packages' removal.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/daemon.h"
#include "agent/purge.h"
#include "common/inputs.h"
#include "common/log.h"
#include "common/render.h"

#define DEFAULT_CONF "/etc/egnet/agent.conf"

static void usage(FILE *out)
{
	fprintf(out, "usage: egnet-agent [-n [-v] | --purge] [-c NODECONF] "
		     "[-p PROFILE] [-i INVENTORY]\n"
		     "  -c FILE  node config (default " DEFAULT_CONF ")\n"
		     "  -n       check the node config, profile and inventory; "
		     "do nothing else\n"
		     "  -v       with -n: print the canonical desired state\n"
		     "  --purge  remove egnet's table, routes, rules, links, "
		     "addresses and\n"
		     "           BPF filters from the kernel, forget the "
		     "applied state\n"
		     "  -p FILE  profile (instead of node.profile)\n"
		     "  -i FILE  inventory (instead of node.inventory)\n"
		     "  -d       debug logging\n");
}

static int run_daemon(const char *conf, const char *profile,
		      const char *inventory, int debug)
{
	static struct agent a;
	enum log_level lvl = LOG_LVL_INFO;
	char err[8192];
	int rc;

	if (agent_init(&a, conf, profile, inventory, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		log_warnx("not started: the configuration or the system is not "
			  "ready");
		agent_free(&a);
		return 1;
	}
	if (!debug && log_level_parse(a.in.nc.log_level, &lvl) == 0)
		log_set_level(lvl);
	if (debug)
		log_set_level(LOG_LVL_DEBUG);
	rc = daemon_run(&a);
	agent_free(&a);
	return rc;
}

static int run_purge(const char *conf, const char *profile,
		     const char *inventory)
{
	char err[1024];
	int ops, rc;

	rc = agent_purge(conf, profile, inventory, &ops, err, sizeof(err));
	if (rc) {
		log_warnx("purge: %s", err);
		return 1;
	}
	log_info("purge: nothing of egnet is left in the kernel (%d "
		 "operations)", ops);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"purge", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = DEFAULT_CONF, *profile = NULL, *inventory = NULL;
	int check = 0, verbose = 0, debug = 0, purge = 0, c, rc;
	struct inputs in;
	struct diag d;

	log_init("egnet-agent", LOG_LVL_INFO);
	while ((c = getopt_long(argc, argv, "c:np:i:vdh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'P':
			purge = 1;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'd':
			debug = 1;
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
	if (optind != argc || (purge && check)) {
		usage(stderr);
		return 2;
	}
	if (purge)
		return run_purge(conf, profile, inventory);
	if (!check)
		return run_daemon(conf, profile, inventory, debug);
	diag_init(&d);
	rc = inputs_load(&in, conf, profile, inventory, &d);
	if (rc == 0 && verbose)
		render_text(&in.ds, stdout);
	inputs_free(&in);
	diag_sort(&d);
	diag_print(&d, stderr);
	diag_free(&d);
	if (rc)
		return 1;
	if (!verbose)
		fprintf(stderr, "configuration OK\n");
	return 0;
}
