// SPDX-License-Identifier: BSD-2-Clause
/*
 * The report spool's recovery (agent/report/spool.c, spool_ack.c,
 * spool_meta.c): the input is a spool folder, its parts separated by lines
 * "#@@": the first segment (00000000000000000001.seg), a second one
 * (00000000000000001000.seg), acks.log and spool.meta.  An opened spool
 * must give its records in rising order, as many as its stats say are
 * pending, take one more record after them, and open again to all of
 * them and the new one, with no more torn tails or damaged stretches (a
 * record skipped for its seq, out of order behind a segment deleted since,
 * may come back: a report sent twice, never one lost); acknowledging them
 * all must leave no segment.
 */
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/report/spool.h"
#include "tests/fuzz/fuzz.h"

static const char *const parts[] = {
	"spool/00000000000000000001.seg",
	"spool/00000000000000001000.seg",
	"spool/acks.log",
	"spool/spool.meta",
};

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* The seqs spool_next() gives, into seqs[0..max); their count. */
static size_t drain(struct spool *s, uint64_t *seqs, size_t max)
{
	struct spool_rec r;
	char err[256];
	size_t n = 0;
	int rc;

	while ((rc = spool_next(s, &r, err, sizeof(err))) == 1) {
		FUZZ_CHECK(r.len >= 1 && r.len <= SPOOL_MAX_RECORD,
			   "a record of %zu bytes", r.len);
		FUZZ_CHECK(!n || r.seq > seqs[(n - 1) % max],
			   "record %llu after %llu", (unsigned long long)r.seq,
			   (unsigned long long)seqs[(n - 1) % max]);
		seqs[n % max] = r.seq;
		n++;
		free(r.data);
	}
	FUZZ_CHECK(rc == 0, "reading an opened spool failed: %s", err);
	spool_release_all(s);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t a[4096], b[4096];
	struct spool_stats st1, st2;
	const uint8_t *p = data, *end = data + size;
	char dir[4200], err[256];
	struct spool *s;
	size_t n1, n2;
	uint64_t seq;

	fuzz_path("spool", dir, sizeof(dir));
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	if (mkdir(dir, 0700))
		return 0;
	for (size_t i = 0; i < 4 && p <= end; i++) {
		const uint8_t *q = memmem(p, (size_t)(end - p), "#@@\n", 4);
		size_t len = q ? (size_t)(q - p) : (size_t)(end - p);

		if (len || i < 1)
			fuzz_write(parts[i], p, len);
		p += len + 4;
	}

	if (spool_open(&s, dir, NULL, err, sizeof(err))) {
		FUZZ_CHECK(err[0], "an open refused without a reason");
		fuzz_debug("%s", err);
		return 0;
	}
	spool_stats(s, &st1);
	n1 = drain(s, a, 4096);
	FUZZ_CHECK(n1 == st1.pending, "%zu records read, %llu pending", n1,
		   (unsigned long long)st1.pending);
	fuzz_debug("%zu records, %llu torn, %llu corrupt, %llu segments", n1,
		   (unsigned long long)st1.torn,
		   (unsigned long long)st1.corrupt,
		   (unsigned long long)st1.segments);
	/* one more, after whatever was there */
	FUZZ_CHECK(!spool_reserve(s, &seq, err, sizeof(err)) &&
			   !spool_append(s, seq, "x", 1, err, sizeof(err)),
		   "an append to a recovered spool failed: %s", err);
	a[n1++ % 4096] = seq;
	spool_close(s);

	FUZZ_CHECK(!spool_open(&s, dir, NULL, err, sizeof(err)),
		   "a recovered spool does not open again: %s", err);
	spool_stats(s, &st2);
	n2 = drain(s, b, 4096);
	/* all of them again; a record that sat out of order behind one of
	 * a segment since deleted may come back (a duplicate, not a loss) */
	FUZZ_CHECK(n2 >= n1, "%zu records and one appended, then %zu", n1 - 1,
		   n2);
	for (size_t i = 0, k = 0; i < n1 && i < 4096 && n2 <= 4096; i++) {
		while (k < n2 && b[k] < a[i])
			k++;
		FUZZ_CHECK(k < n2 && b[k] == a[i], "record %llu is lost",
			   (unsigned long long)a[i]);
	}
	FUZZ_CHECK(st2.torn == st1.torn && st2.corrupt <= st1.corrupt,
		   "the second open found more: torn %llu/%llu, corrupt "
		   "%llu/%llu",
		   (unsigned long long)st1.torn, (unsigned long long)st2.torn,
		   (unsigned long long)st1.corrupt,
		   (unsigned long long)st2.corrupt);
	for (size_t i = 0; i < n2 && i < 4096; i++)
		FUZZ_CHECK(!spool_ack(s, b[i], err, sizeof(err)),
			   "ack of %llu: %s", (unsigned long long)b[i], err);
	spool_stats(s, &st2);
	FUZZ_CHECK(n2 > 4096 || (st2.pending == 0 && st2.segments == 0),
		   "%llu pending in %llu segments after acking all",
		   (unsigned long long)st2.pending,
		   (unsigned long long)st2.segments);
	spool_close(s);
	return 0;
}
