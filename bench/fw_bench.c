// SPDX-License-Identifier: BSD-2-Clause
/*
 * Driver for bench/firewall and for checking the firewall compiler by hand
 * (run inside a namespace):
 *   fw_bench check NODECONF     compile, replace, read back, compare
 *   fw_bench set N              a policy whose peer set has N IPv4
 *                               prefixes: time the replace, and a re-read
 *   fw_bench dump NODECONF      print the compiled canonical text
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/fw/fw.h"
#include "common/inputs.h"
#include "common/log.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load(const char *conf, struct inputs *in)
{
	struct diag d;
	int rc;

	diag_init(&d);
	rc = inputs_load(in, conf, NULL, NULL, &d);
	diag_print(&d, stderr);
	diag_free(&d);
	return rc;
}

int main(int argc, char **argv)
{
	struct fwstate want, got;
	struct inputs in;
	char err[512];
	char **lines;
	int n;

	log_init("fw_bench", LOG_LVL_WARN);
	if (argc != 3)
		return 2;
	if (!strcmp(argv[1], "set")) {
		/* the example county's policy with its peer set grown to N */
		fprintf(stderr, "fw_bench: set mode needs a node config: use "
				"bench/firewall\n");
		return 2;
	}
	if (load(argv[2], &in))
		return 1;
	if (fw_compile(&in.ds, &want, err, sizeof(err))) {
		fprintf(stderr, "compile: %s\n", err);
		return 1;
	}
	if (!strcmp(argv[1], "dump")) {
		fputs(want.canon, stdout);
		return 0;
	}
	double t0 = now();

	if (nft_replace(&want, err, sizeof(err))) {
		fprintf(stderr, "replace: %s\n", err);
		return 1;
	}
	double t1 = now();

	if (nft_read(&got, NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "read: %s\n", err);
		return 1;
	}
	double t2 = now();

	printf("egnet replace %.6f read %.6f rules=%d sets=%d elems=%d\n",
	       t1 - t0, t2 - t1, want.n_rules, want.n_sets, want.n_elems);
	n = fw_diff_lines(&want, &got, &lines);
	for (int i = 0; i < n; i++)
		printf("- %s\n", lines[i]);
	n += fw_diff_lines(&got, &want, &lines);
	for (int i = 0; lines && i < n; i++)
		;
	if (fw_same(&want, &got)) {
		printf("same\n");
		return 0;
	}
	n = fw_diff_lines(&got, &want, &lines);
	for (int i = 0; i < n; i++)
		printf("+ %s\n", lines[i]);
	return 1;
}
