// SPDX-License-Identifier: BSD-2-Clause
/*
 * A driver of the report spool for tests/cli/test_spool_crash.sh:
 *
 *   spool_writer write DIR LOG SEED [COUNT]
 *	appends numbered records as fast as it can (and acknowledges some,
 *	newest or oldest), until COUNT records or until it is killed.  To
 *	LOG, one write(2) a line, it says "q SEQ" before an append and
 *	"Q SEQ" once the append returned, "a SEQ" before an ack and "A SEQ"
 *	after, and "S" when it starts.  Segment writes go 64 bytes a call,
 *	so a kill can tear a record; with an even SEED the writer also
 *	kills itself part-way through one of its first 400 records.
 *   spool_writer check DIR LOG [DAMAGED_SEQ]
 *	reopens the spool and checks it against LOG: every record whole and
 *	in order; every "Q" not "a" present; every "A" absent; nothing
 *	present that was not "q"; at most one "q" without "Q" a run (the
 *	record a kill tore); sequence numbers never repeated in LOG; no
 *	damaged stretch (one, DAMAGED_SEQ's, when given, and that record
 *	gone).  Prints a summary line; exits 1 on the first problem.
 *   spool_writer flip DIR
 *	damages one payload byte of the middle record of the oldest segment
 *	holding three or more records that is not the last; prints its seq.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/report/spool.h"

static char err[512];

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt,
								...)
{
	va_list ap;

	fprintf(stderr, "spool_writer: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* The payload of seq: "rec SEQ LEN|" then bytes that depend on both. */
static size_t sw_payload(uint64_t seq, size_t len, unsigned char *buf)
{
	int n = snprintf((char *)buf, len, "rec %llu %zu|",
			 (unsigned long long)seq, len);

	for (size_t i = (size_t)n; i < len; i++)
		buf[i] = (unsigned char)(seq * 2654435761u + i * 40503u);
	return len;
}

static bool sw_payload_ok(const struct spool_rec *r)
{
	static unsigned char want[40000];
	unsigned long long seq;
	size_t len;

	if (r->len > sizeof(want) || r->len < 24 ||
	    sscanf(r->data, "rec %llu %zu|", &seq, &len) != 2 ||
	    seq != r->seq || len != r->len)
		return false;
	sw_payload(seq, len, want);
	return !memcmp(want, r->data, len);
}

static void sw_log(int fd, char what, uint64_t seq)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%c %llu\n", what,
			 (unsigned long long)seq);

	if (write(fd, line, (size_t)n) != n)
		die("cannot write the log (%llu)", (unsigned long long)seq);
}

/* Tearing: the append that kills its own process, after how many bytes
 * of its record (-1: none; bytes so far in sw_done). */
static long sw_tear = -1;
static size_t sw_done;

static ssize_t sw_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t w;

	if (len > 64)
		len = 64;
	if (sw_tear >= 0 && sw_done + len > (size_t)sw_tear) {
		len = (size_t)sw_tear - sw_done;
		if (len && pwrite(fd, buf, len, off) != (ssize_t)len)
			return -1;
		kill(getpid(), SIGKILL);
	}
	w = pwrite(fd, buf, len, off);
	if (w > 0)
		sw_done += (size_t)w;
	return w;
}

static struct spool *sw_open(const char *dir, bool chunked)
{
	struct spool_opts o;
	struct spool *s;

	spool_opts_default(&o);
	o.segment_size = 64 << 10;
	o.cap = 1ull << 30; /* no drops: every queued record must stay */
	if (chunked)
		o.pwrite = sw_pwrite;
	if (spool_open(&s, dir, &o, err, sizeof(err)))
		die("open: %s", err);
	return s;
}

static int sw_write(const char *dir, const char *log, unsigned seed, long count)
{
	static unsigned char buf[40000];
	struct spool *s = sw_open(dir, true);
	long tear_rec;
	int lfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (lfd < 0)
		die("cannot open %s", log);
	srand(seed);
	/* even seeds tear a record of theirs at a random byte */
	tear_rec = seed % 2 ? -1 : rand() % 400;
	sw_log(lfd, 'S', 0);
	for (long n = 0; count < 0 || n < count; n++) {
		size_t len = 24 + (size_t)rand() % 30000;
		struct spool_rec r;
		uint64_t seq;
		int k = rand() % 10;

		sw_done = 0;
		if (n == tear_rec)
			sw_tear = rand() % (long)(len + SPOOL_HDR);

		if (spool_reserve(s, &seq, err, sizeof(err)))
			die("reserve: %s", err);
		sw_payload(seq, len, buf);
		sw_log(lfd, 'q', seq);
		if (spool_append(s, seq, buf, len, err, sizeof(err)))
			die("append: %s (%llu)", err, (unsigned long long)seq);
		sw_log(lfd, 'Q', seq);
		/* nine acks for ten appends: the backlog grows slowly,
		 * segments fill, complete and go */
		for (int a = 0; a < (k < 8 ? 1 : 0) + (k == 0); a++) {
			int got = k == 1 ? spool_newest(s, &r, err, sizeof(err))
					 : spool_next(s, &r, err, sizeof(err));

			if (got < 0)
				die("read: %s", err);
			if (!got)
				break;
			free(r.data);
			sw_log(lfd, 'a', r.seq);
			if (spool_ack(s, r.seq, err, sizeof(err)))
				die("ack: %s (%llu)", err,
				    (unsigned long long)r.seq);
			sw_log(lfd, 'A', r.seq);
		}
		spool_release_all(s);
	}
	spool_close(s);
	close(lfd);
	return 0;
}

/* What LOG says about one seq. */
enum { SW_Q1 = 1, SW_Q2 = 2, SW_A1 = 4, SW_A2 = 8 };

static int sw_check(const char *dir, const char *log, uint64_t damaged)
{
	unsigned char *what = NULL;
	uint64_t room = 0, maxq = 0, prev = 0, n_present = 0;
	unsigned long long seq;
	struct spool_stats st;
	struct spool_rec r;
	struct spool *s;
	long runs = 0, torn = 0;
	char line[64], c;
	FILE *f = fopen(log, "r");
	int rc;

	if (!f)
		die("cannot read %s", log);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == 'S') {
			runs++;
			continue;
		}
		if (sscanf(line, "%c %llu", &c, &seq) != 2 || !seq)
			die("a bad log line: %s", line);
		if (seq >= room) {
			uint64_t nr = 2 * seq + 1024;

			what = realloc(what, nr);
			memset(what + room, 0, nr - room);
			room = nr;
		}
		if (c == 'q') {
			if (seq <= maxq)
				die("seq %llu handed out twice (or not rising)",
				    seq);
			maxq = seq;
		}
		what[seq] |= c == 'q'	? SW_Q1
			     : c == 'Q' ? SW_Q2
			     : c == 'a' ? SW_A1
					: SW_A2;
	}
	fclose(f);

	s = sw_open(dir, false);
	spool_stats(s, &st);
	if (st.dropped)
		die("%llu records dropped", (unsigned long long)st.dropped);
	if (st.corrupt != (damaged ? 1u : 0u))
		die("damaged stretches found: %llu",
		    (unsigned long long)st.corrupt);
	while ((rc = spool_next(s, &r, err, sizeof(err))) == 1) {
		if (r.seq <= prev)
			die("record %llu out of order",
			    (unsigned long long)r.seq);
		if (!sw_payload_ok(&r))
			die("record %llu is not what was written",
			    (unsigned long long)r.seq);
		if (r.seq >= room || !(what[r.seq] & SW_Q1))
			die("record %llu was never appended",
			    (unsigned long long)r.seq);
		if (what[r.seq] & SW_A2)
			die("record %llu is back after its ack",
			    (unsigned long long)r.seq);
		if (r.seq == damaged)
			die("the damaged record %llu was read",
			    (unsigned long long)r.seq);
		what[r.seq] |= 16;
		prev = r.seq;
		n_present++;
		free(r.data);
	}
	if (rc < 0)
		die("read: %s", err);
	for (uint64_t q = 1; q < room; q++) {
		if ((what[q] & (SW_Q1 | SW_Q2)) == SW_Q1)
			torn++;
		if ((what[q] & SW_Q2) && !(what[q] & (SW_A1 | 16)) &&
		    q != damaged)
			die("queued record %llu is missing",
			    (unsigned long long)q);
	}
	if (torn > runs)
		die("%ld appends cut short, more than the runs", torn);
	printf("ok: %ld runs, last seq %llu, %llu pending (%llu present), "
	       "%llu segments, %llu torn tails truncated, %ld appends cut "
	       "short\n",
	       runs, (unsigned long long)maxq, (unsigned long long)st.pending,
	       (unsigned long long)n_present, (unsigned long long)st.segments,
	       (unsigned long long)st.torn, torn);
	spool_close(s);
	free(what);
	return 0;
}

static int sw_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int sw_flip(const char *dir)
{
	char *names[4096], path[4200];
	static unsigned char b[1 << 20];
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		die("cannot read %s", dir);
	while ((de = readdir(d)) && n < 4096)
		if (strlen(de->d_name) == 24 && strstr(de->d_name, ".seg"))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), sw_cmp);
	for (int i = 0; i + 1 < n; i++) {
		uint64_t offs[4096], seqs[4096];
		size_t len, off = 0;
		int k = 0, fd;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fd = open(path, O_RDWR);
		len = fd < 0 ? 0 : (size_t)read(fd, b, sizeof(b));
		while (off + SPOOL_HDR <= len && k < 4096) {
			uint32_t l = (uint32_t)b[off + 4] | b[off + 5] << 8 |
				     b[off + 6] << 16 |
				     (uint32_t)b[off + 7] << 24;
			uint64_t sq = 0;

			for (int j = 7; j >= 0; j--)
				sq = sq << 8 | b[off + 8 + j];
			offs[k] = off;
			seqs[k++] = sq;
			off += SPOOL_HDR + l;
		}
		if (k >= 3) {
			off = offs[k / 2] + SPOOL_HDR + 30;
			b[off] ^= 0x5a;
			if (pwrite(fd, b + off, 1, (off_t)off) != 1)
				die("cannot write %s", path);
			printf("%llu\n", (unsigned long long)seqs[k / 2]);
			close(fd);
			while (n--)
				free(names[n]);
			return 0;
		}
		if (fd >= 0)
			close(fd);
	}
	die("no segment of three records but the last (of %d)", n);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "write"))
		return sw_write(argv[2], argv[3], (unsigned)atoi(argv[4]),
				argc > 5 ? atol(argv[5]) : -1);
	if (argc >= 4 && !strcmp(argv[1], "check"))
		return sw_check(argv[2], argv[3],
				argc > 4 ? strtoull(argv[4], NULL, 10) : 0);
	if (argc == 3 && !strcmp(argv[1], "flip"))
		return sw_flip(argv[2]);
	fprintf(stderr, "usage: spool_writer write DIR LOG SEED [COUNT] | "
			"check DIR LOG [DAMAGED_SEQ] | flip DIR\n");
	return 2;
}
