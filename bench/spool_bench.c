// SPDX-License-Identifier: BSD-2-Clause
/*
 * The report spool's cost beside the disk's: appends per second of 4 KiB
 * records (each synced before it returns), against a bare loop of
 * write(2) + fdatasync(2) of the same bytes (4 KiB + the 32-byte header)
 * to one growing file, in the same folder, in the same run, rounds
 * alternating; prints the medians and the ratio (spool / bare, 1.0 is the
 * disk's own speed).  Then what the rest costs: acknowledging, and
 * reopening (recovering) a spool of the records left.  Not a test.
 *
 *   spool_bench [N=2000] [ROUNDS=5] [DIR=/var/tmp]
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/report/spool.h"

#define REC 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[n / 2];
}

/* Seconds for n bare write + fdatasync of REC + 32 bytes. */
static double bare(const char dir[4096], int n, const unsigned char *buf)
{
	char path[4200];
	double t;
	int fd;

	snprintf(path, sizeof(path), "%s/bare", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0640);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	t = now();
	for (int i = 0; i < n; i++)
		if (write(fd, buf, REC + SPOOL_HDR) != REC + SPOOL_HDR ||
		    fdatasync(fd) < 0) {
			perror("write");
			exit(1);
		}
	t = now() - t;
	close(fd);
	unlink(path);
	return t;
}

static struct spool *open_spool(const char *path, double *secs)
{
	char err[256];
	struct spool *s;
	double t = now();

	if (spool_open(&s, path, NULL, err, sizeof(err))) {
		fprintf(stderr, "spool_open: %s\n", err);
		exit(1);
	}
	if (secs)
		*secs = now() - t;
	return s;
}

/* Seconds for n reserve + append of REC bytes to a fresh spool. */
static double spooled(const char dir[4096], int n, const unsigned char *buf,
		      bool keep)
{
	char path[4200], err[256];
	struct spool *s;
	double t;

	snprintf(path, sizeof(path), "%s/spool", dir);
	rm_tree(path);
	s = open_spool(path, NULL);
	t = now();
	for (int i = 0; i < n; i++) {
		uint64_t seq;

		if (spool_reserve(s, &seq, err, sizeof(err)) ||
		    spool_append(s, seq, buf, REC, err, sizeof(err))) {
			fprintf(stderr, "append: %s\n", err);
			exit(1);
		}
	}
	t = now() - t;
	spool_close(s);
	if (!keep)
		rm_tree(path);
	return t;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	const char *base = argc > 3 ? argv[3] : "/var/tmp";
	double tb[64], ts[64], t_open, t_ack, t_reopen;
	static unsigned char buf[REC + SPOOL_HDR];
	char dir[4096], path[4300], err[256];
	struct spool_stats st;
	struct spool_rec r;
	struct spool *s;
	int got = 0;

	if (n < 1 || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: spool_bench [N] [ROUNDS<=64] [DIR]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%.4000s/egnet-spool-bench-XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 31);
	for (int i = 0; i < rounds; i++) {
		tb[i] = bare(dir, n, buf);
		ts[i] = spooled(dir, n, buf, i + 1 == rounds);
	}
	double b = n / median(tb, rounds), sp = n / median(ts, rounds);

	printf("%d records of %d bytes, %d rounds, in %s (medians)\n", n, REC,
	       rounds, base);
	printf("  bare write+fdatasync   %9.0f /s\n", b);
	printf("  spool_append           %9.0f /s\n", sp);
	printf("  ratio spool/bare       %9.2f\n", sp / b);

	/* the last round's spool: recovery, then acks oldest first */
	snprintf(path, sizeof(path), "%s/spool", dir);
	s = open_spool(path, &t_open);
	t_ack = now();
	while (spool_next(s, &r, err, sizeof(err)) == 1) {
		free(r.data);
		if (spool_ack(s, r.seq, err, sizeof(err))) {
			fprintf(stderr, "ack: %s\n", err);
			return 1;
		}
		got++;
	}
	t_ack = now() - t_ack;
	spool_stats(s, &st);
	spool_close(s);
	s = open_spool(path, &t_reopen);
	spool_close(s);
	printf("  open (recovery) of %d records (%.1f MiB): %.1f ms\n", n,
	       n * (REC + SPOOL_HDR) / 1048576.0, t_open * 1e3);
	printf("  read + ack, oldest first: %.0f /s (%d; %llu left)\n",
	       got / t_ack, got, (unsigned long long)st.pending);
	printf("  open of the emptied spool: %.2f ms\n", t_reopen * 1e3);
	rm_tree(dir);
	return 0;
}
