// SPDX-License-Identifier: BSD-2-Clause
/*
 * The report spool's recovery at open (agent/report/spool.c): the last
 * segment cut at every byte of its last record leaves exactly the whole
 * records, truncated, counted, and appends go on right after them; a byte
 * flipped anywhere in a record in the middle (magic, length, seq, time,
 * either checksum, payload) skips that record alone and counts it; a
 * damaged record at the end of an older segment is skipped, not taken
 * for a torn tail; a record a crash left written but not synced is
 * synced by the open that queues it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/scratch.h"
#include "tests/unit/spoolcase.h"

static void test_torn_tail_every_offset(void **state)
{
	uint64_t seqs[3], got[8];
	struct spool_stats st;
	unsigned char *orig;
	size_t len, start;
	struct spool *s;
	char name[32];
	(void)state;

	s = sp_open(NULL);
	for (int i = 0; i < 3; i++)
		seqs[i] = sp_add(s, 300);
	spool_close(s);
	sp_seg_name(seqs[0], name);
	orig = sp_slurp(name, &len);
	start = len - (SPOOL_HDR + 300);

	for (size_t cut = start; cut < len; cut++) {
		uint64_t torn0;
		uint64_t seq;

		s = sp_open(NULL);
		spool_stats(s, &st);
		torn0 = st.torn;
		spool_close(s);
		sp_put(name, orig, cut);

		s = sp_open(NULL);
		spool_stats(s, &st);
		assert_int_equal(st.torn - torn0, cut > start ? 1 : 0);
		assert_int_equal(st.corrupt, 0);
		assert_int_equal(st.pending, 2);
		assert_int_equal(sp_size(name), (off_t)start);
		assert_int_equal(sp_drain(s, got, 8, 300), 2);
		assert_int_equal(got[0], seqs[0]);
		assert_int_equal(got[1], seqs[1]);
		/* the spool goes on after the cut, with a new number */
		assert_int_equal(spool_reserve(s, &seq, err, sizeof(err)), 0);
		assert_true(seq > seqs[2]);
		spool_close(s);
	}
	/* the last append after a cut lands right after the whole records */
	sp_put(name, orig, start + 5);
	s = sp_open(NULL);
	seqs[2] = sp_add(s, 300);
	spool_close(s);
	s = sp_open(NULL);
	assert_int_equal(sp_drain(s, got, 8, 300), 3);
	assert_int_equal(got[2], seqs[2]);
	spool_stats(s, &st);
	assert_int_equal(st.corrupt, 0);
	spool_close(s);
	free(orig);
}

/* Damage byte at of the record in the middle of three; expect the two
 * others read, the stretch counted once, nothing truncated. */
static void sp_flip_case(size_t at, unsigned char x)
{
	uint64_t seqs[3], got[8];
	struct spool_stats st;
	unsigned char *b;
	struct spool *s;
	char name[32];
	size_t len;

	s = sp_open(NULL);
	for (int i = 0; i < 3; i++)
		seqs[i] = sp_add(s, 200);
	spool_close(s);
	sp_seg_name(seqs[0], name);
	b = sp_slurp(name, &len);
	b[SPOOL_HDR + 200 + at] ^= x;
	sp_put(name, b, len);
	free(b);

	s = sp_open(NULL);
	spool_stats(s, &st);
	assert_int_equal(st.corrupt, 1);
	assert_int_equal(st.pending, 2);
	assert_int_equal(sp_size(name), (off_t)len);
	assert_int_equal(sp_drain(s, got, 8, 200), 2);
	assert_int_equal(got[0], seqs[0]);
	assert_int_equal(got[1], seqs[2]);
	/* the damaged one is not in the spool any more */
	assert_int_equal(spool_ack(s, seqs[1], err, sizeof(err)), -ENOENT);
	assert_int_equal(spool_ack(s, seqs[0], err, sizeof(err)), 0);
	assert_int_equal(spool_ack(s, seqs[2], err, sizeof(err)), 0);
	assert_int_equal(sp_count_segs(), 0);
	spool_close(s);
}

static void test_corrupt_middle(void **state)
{
	(void)state;
	sp_flip_case(0, 0x01);	 /* magic */
	sp_flip_case(6, 0x40);	 /* length: absurd (4 MiB) */
	sp_flip_case(5, 0x01);	 /* length: a bit too long */
	sp_flip_case(10, 0x10);	 /* seq */
	sp_flip_case(18, 0x04);	 /* time */
	sp_flip_case(25, 0x02);	 /* the header's CRC */
	sp_flip_case(29, 0x80);	 /* the CRC */
	sp_flip_case(100, 0x01); /* payload */
}

/* A damaged record at the end of a segment that is not the last is
 * skipped, not truncated as a torn tail. */
static void test_corrupt_end_of_older_segment(void **state)
{
	struct spool_opts o;
	uint64_t seqs[6], got[8];
	struct spool_stats st;
	unsigned char *b;
	struct spool *s;
	char name[32];
	size_t len;
	(void)state;

	sp_small(&o);
	s = sp_open(&o);
	for (int i = 0; i < 6; i++)
		seqs[i] = sp_add(s, 1000);
	spool_close(s);
	sp_seg_name(seqs[0], name);
	b = sp_slurp(name, &len);
	b[len - 1] ^= 0xff;
	sp_put(name, b, len);
	free(b);

	s = sp_open(&o);
	spool_stats(s, &st);
	assert_int_equal(st.corrupt, 1);
	assert_int_equal(st.torn, 0);
	assert_int_equal(sp_size(name), (off_t)len);
	assert_int_equal(sp_drain(s, got, 8, 1000), 5);
	assert_int_equal(got[1], seqs[1]);
	assert_int_equal(got[2], seqs[3]);
	spool_close(s);
}

/* The sync hook: how far the last segment synced was, and how often. */
static bool crash_in_sync;
static int syncs;
static off_t synced_to;
static struct spool *child_spool; /* reachable when the child dies */

static int hook_sync(int fd)
{
	struct stat st;

	if (crash_in_sync)
		_exit(0); /* the process dies between the write and its sync */
	if (fdatasync(fd) < 0 || fstat(fd, &st) < 0)
		return -1;
	syncs++;
	synced_to = st.st_size;
	return 0;
}

/*
 * The agent killed between writing a record and syncing it: the record is
 * whole (in the page cache), so the next open finds it and queues it; it
 * must be on disk before that, or a power cut after the restart takes a
 * report the spool had shown as queued.
 */
static void test_unsynced_record_synced_at_open(void **state)
{
	struct spool_opts o;
	struct spool_stats st;
	uint64_t first, seq, got[4];
	unsigned char buf[300];
	struct spool *s;
	char name[32];
	int status;
	pid_t pid;
	(void)state;

	spool_opts_default(&o);
	o.fdatasync = hook_sync;
	s = sp_open(&o);
	first = sp_add(s, 300);
	spool_close(s);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (spool_open(&child_spool, dir, &o, err, sizeof(err)) ||
		    spool_reserve(child_spool, &seq, err, sizeof(err)))
			_exit(2);
		sp_payload(seq, sizeof(buf), buf);
		crash_in_sync = true;
		spool_append(child_spool, seq, buf, sizeof(buf), err,
			     sizeof(err));
		_exit(3); /* not reached: the sync ends the process */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	sp_seg_name(first, name);
	assert_int_equal(sp_size(name), (off_t)(2 * (SPOOL_HDR + 300)));

	syncs = 0;
	synced_to = 0;
	s = sp_open(&o);
	spool_stats(s, &st);
	assert_int_equal(st.pending, 2);
	assert_int_equal(st.torn, 0);
	/* queued again, and so synced, all of it */
	assert_true(syncs >= 1);
	assert_int_equal(synced_to, (off_t)(2 * (SPOOL_HDR + 300)));
	assert_int_equal(sp_drain(s, got, 4, 300), 2);
	assert_int_equal(got[0], first);
	assert_true(got[1] > first);
	spool_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_torn_tail_every_offset,
						scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(
			test_corrupt_middle, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(
			test_corrupt_end_of_older_segment, scratch_setup,
			scratch_teardown),
		cmocka_unit_test_setup_teardown(
			test_unsynced_record_synced_at_open, scratch_setup,
			scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
