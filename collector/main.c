// SPDX-License-Identifier: BSD-2-Clause
/*
 * egnet-collector: the NOC's service.  It takes the agents' reports over
 * mutual TLS (collector/ingest/), with its config in
 * /etc/egnet/collector.conf (collector/conf.h) and the province's
 * inventory.  -n checks the config, the files it names and the inventory,
 * and exits.  The service loop is collector/daemon.c.
 */
#include <getopt.h>
#include <stdio.h>

#include "collector/conf.h"
#include "collector/daemon.h"
#include "collector/ingest/testroutes.h"
#include "common/log.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: egnet-collector [-n] [-c CONFIG] [-i INVENTORY]\n"
		     "  -c FILE  the config (default " CONF_DEFAULT ")\n"
		     "  -i FILE  the inventory, instead of the config's; with "
		     "-n and no -c,\n"
		     "           only the inventory is checked\n"
		     "  -n       check the inputs and exit (0 good, 1 not)\n");
}

int main(int argc, char **argv)
{
	const char *conf = NULL, *inv = NULL;
	int check = 0, c;

	log_init("egnet-collector", LOG_LVL_INFO);
	while ((c = getopt(argc, argv, "c:i:nh")) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'i':
			inv = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (check)
		return daemon_check(conf || !inv ? (conf ? conf : CONF_DEFAULT)
						 : NULL,
				    inv, stderr);
	return daemon_serve(conf ? conf : CONF_DEFAULT, inv,
			    testroutes_table());
}
