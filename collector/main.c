// SPDX-License-Identifier: BSD-2-Clause
/*
 * egnet-collector.  Today it checks its inputs: the inventory of the
 * province (-n) — the same file the agents use.  Ingest, topology
 * verification, history, API, metrics and dashboard are not in this build
 * yet, and it says so.
 */
#include <getopt.h>
#include <stdio.h>

#include "common/diag.h"
#include "common/inventory.h"
#include "common/log.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: egnet-collector [-n] -i INVENTORY\n"
		     "  -i FILE  the province's inventory (CSV)\n"
		     "  -n       check it and exit\n");
}

int main(int argc, char **argv)
{
	const char *inv_path = "/etc/egnet/inventory.csv";
	struct inventory inv;
	int check = 0, c, rc;
	struct diag d;

	log_init("egnet-collector", LOG_LVL_INFO);
	while ((c = getopt(argc, argv, "i:nh")) != -1) {
		switch (c) {
		case 'i':
			inv_path = optarg;
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
	diag_init(&d);
	rc = inventory_load(&inv, inv_path, &d);
	diag_print(&d, stderr);
	diag_free(&d);
	if (rc == 0)
		fprintf(stderr, "inventory OK: %d nodes\n", inv.n);
	inventory_free(&inv);
	if (rc)
		return 1;
	if (check)
		return 0;
	log_warnx("this build does not run the collector service yet: ingest, "
		  "verification, history, API and dashboard are still to "
		  "come; use -n to check the inventory");
	return 3;
}
