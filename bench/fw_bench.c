// SPDX-License-Identifier: BSD-2-Clause
/*
 * Driver for bench/firewall and for checking the firewall compiler by hand
 * (run inside a namespace):
 *   fw_bench check NODECONF     compile, replace, read back, compare
 *   fw_bench update NODE_A NODE_B
 *                               replace with A, then update to B as the
 *                               agent does (from the state read back),
 *                               read back, compare; says how it went
 *   fw_bench rounds R NODE_A NODE_B REPLACE.nft ADD.nft DEL.nft
 *                               R rounds, egnet and `nft -f` alternating:
 *                               REPLACE.nft (nft) / replace with A
 *                               (egnet), then A->B by egnet, DEL.nft and
 *                               ADD.nft by nft, B->A by egnet; prints the
 *                               medians
 *   fw_bench dump NODECONF      print the compiled canonical text
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "agent/fw/fw.h"
#include "agent/fw/fwobj.h"
#include "common/inputs.h"
#include "common/log.h"

extern char **environ;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compile(const char *conf, struct fwstate *fw)
{
	struct inputs in;
	struct diag d;
	char err[512];
	int rc;

	diag_init(&d);
	rc = inputs_load(&in, conf, NULL, NULL, &d);
	diag_print(&d, stderr);
	diag_free(&d);
	if (rc)
		return 1;
	rc = fw_compile(&in.ds, fw, err, sizeof(err));
	if (rc)
		fprintf(stderr, "compile: %s\n", err);
	inputs_free(&in);
	return rc ? 1 : 0;
}

static struct fwstate *kread(void)
{
	struct fwstate *fw = calloc(1, sizeof(*fw));
	char err[512];

	if (nft_read(fw, NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "read: %s\n", err);
		exit(1);
	}
	return fw;
}

/* The kernel's table equals want: else print the difference. */
static int same(const struct fwstate *want)
{
	struct fwstate *got = kread();
	char **lines;
	int n;

	if (fw_same(want, got)) {
		fw_free(got);
		return 1;
	}
	n = fw_diff_lines(want, got, &lines);
	for (int i = 0; i < n; i++)
		printf("- %s\n", lines[i]);
	n = fw_diff_lines(got, want, &lines);
	for (int i = 0; i < n; i++)
		printf("+ %s\n", lines[i]);
	return 0;
}

/* Between timed steps: the kernel frees a deleted table's objects after
 * its transaction, in the background; that work is not the next step's. */
static void settle(void)
{
	struct timespec ts = {0, 200 * 1000 * 1000};

	nanosleep(&ts, NULL);
}

static double nft_file(const char *file)
{
	char *argv[] = {"nft", "-f", (char *)file, NULL};
	double t0 = now();
	pid_t pid;
	int st;

	if (posix_spawnp(&pid, "nft", NULL, NULL, argv, environ) ||
	    waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "nft -f %s failed\n", file);
		exit(1);
	}
	return now() - t0;
}

static double update(const struct fwstate *from, const struct fwstate *to,
		     bool want_incremental)
{
	struct nft_how how;
	char err[512];
	double t0 = now(), t;

	if (nft_update(from, to, &how, err, sizeof(err))) {
		fprintf(stderr, "update: %s\n", err);
		exit(1);
	}
	t = now() - t0;
	if (how.incremental != want_incremental) {
		fprintf(stderr, "update: %s, not %s\n",
			how.incremental ? "incremental" : "a full replace",
			want_incremental ? "incremental" : "a full replace");
		exit(1);
	}
	return t;
}

/* The user-space part of an update: the element diff alone. */
static double diff_time(const struct fwstate *from, const struct fwstate *to)
{
	struct fwelem_diff *d;
	double t0 = now(), t;
	int n;

	if (fwobj_elem_diff(from, to, &d, &n)) {
		fprintf(stderr, "diff: refused\n");
		exit(1);
	}
	t = now() - t0;
	fwobj_elem_diff_free(d, n);
	return t;
}

/* What `egnetctl plan` computes of a firewall change: how it is made and
 * its lines both ways (the agent's fw_detail()). */
static double plan_time(const struct fwstate *from, const struct fwstate *to)
{
	struct nft_how how;
	char **add, **del;
	double t0 = now(), t;
	int na, nd;

	nft_update_how(from, to, &how);
	na = fw_diff_lines(to, from, &add);
	nd = fw_diff_lines(from, to, &del);
	t = now() - t0;
	for (int i = 0; i < na; i++)
		free(add[i]);
	for (int i = 0; i < nd; i++)
		free(del[i]);
	free(add);
	free(del);
	return t;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int rounds(int r, char **argv)
{
	struct fwstate a, b, *ra, *rb;
	double *t[8];
	static const char *const what[8] = {
		"replace egnet", "replace nft", "add egnet", "add nft",
		"del egnet",	 "del nft",	"diff egnet", "plan egnet"};

	if (r < 1 || r > 1000 || compile(argv[0], &a) || compile(argv[1], &b))
		return 1;
	for (int i = 0; i < 8; i++)
		t[i] = calloc((size_t)r, sizeof(double));
	/* the states as the agent has them: read back from the kernel */
	update(NULL, &b, false);
	rb = kread();
	update(NULL, &a, false);
	ra = kread();
	for (int i = 0; i < r; i++) {
		/* nft's table is nft's rendering of ours: egnet's replace
		 * comes second, so the changes start from egnet's table */
		settle();
		t[1][i] = nft_file(argv[2]);
		settle();
		t[0][i] = update(NULL, &a, false);
		settle();
		t[2][i] = update(ra, &b, true);
		settle();
		t[5][i] = nft_file(argv[4]);
		settle();
		t[3][i] = nft_file(argv[3]);
		settle();
		t[4][i] = update(rb, &a, true);
		t[6][i] = diff_time(ra, &b);
		t[7][i] = plan_time(ra, &b);
	}
	if (!same(&a))
		return 1;
	for (int i = 0; i < 8; i++) {
		printf("%s %.6f\n", what[i], median(t[i], r));
		free(t[i]);
	}
	printf("rules=%d sets=%d elems=%d\n", a.n_rules, a.n_sets, a.n_elems);
	nft_close();
	return 0;
}

int main(int argc, char **argv)
{
	struct fwstate want, b;
	char err[512];
	int rc;

	log_init("fw_bench", LOG_LVL_WARN);
	if (argc == 8 && !strcmp(argv[1], "rounds"))
		return rounds(atoi(argv[2]), argv + 3);
	if (argc == 4 && !strcmp(argv[1], "update")) {
		struct fwstate *from;
		struct nft_how how;
		double t0;

		if (compile(argv[2], &want) || compile(argv[3], &b))
			return 1;
		if (nft_replace(&want, err, sizeof(err))) {
			fprintf(stderr, "replace: %s\n", err);
			return 1;
		}
		from = kread();
		t0 = now();
		if (nft_update(from, &b, &how, err, sizeof(err))) {
			fprintf(stderr, "update: %s\n", err);
			return 1;
		}
		printf("egnet update %.6f %s elems +%d -%d rules +%d -%d\n",
		       now() - t0, how.incremental ? "incremental" : "replace",
		       how.elems_add, how.elems_del, how.rules_add,
		       how.rules_del);
		rc = same(&b) ? (printf("same\n"), 0) : 1;
		fw_free(from);
		fw_release(&want);
		fw_release(&b);
		nft_close();
		return rc;
	}
	if (argc != 3)
		return 2;
	if (compile(argv[2], &want))
		return 1;
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
	struct fwstate *got = kread();
	double t2 = now();

	printf("egnet replace %.6f read %.6f rules=%d sets=%d elems=%d\n",
	       t1 - t0, t2 - t1, want.n_rules, want.n_sets, want.n_elems);
	fw_free(got);
	rc = same(&want) ? (printf("same\n"), 0) : 1;
	fw_release(&want);
	nft_close();
	return rc;
}
