// SPDX-License-Identifier: BSD-2-Clause
/*
 * The report spool (agent/report/spool.c, spool_ack.c, spool_meta.c):
 * records read back in order, newest first or oldest first, skipping what
 * is in flight; sequence numbers never repeat across reopens, also once
 * everything was acknowledged; out-of-order acks delete exactly the
 * segments they complete and survive a reopen; the cap drops whole old
 * segments, counts them and keeps the disk under it; files not ours are
 * left alone; a write failing half-way (ENOSPC) leaves nothing behind;
 * the ack journal stays small and shrugs off a torn record; the checksum
 * is CRC32C.  Recovery from damage: test_spool_recover.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "agent/report/crc32c.h"
#include "tests/unit/scratch.h"
#include "tests/unit/spoolcase.h"

static void test_order_inflight_ack(void **state)
{
	struct spool_stats st;
	struct spool_rec r;
	uint64_t seqs[16], got[16];
	struct spool *s;
	(void)state;

	s = sp_open(NULL);
	for (int i = 0; i < 10; i++)
		seqs[i] = sp_add(s, 100 + (size_t)i);
	for (int i = 1; i < 10; i++)
		assert_true(seqs[i] > seqs[i - 1]);

	/* the newest first, then the backlog without it */
	assert_int_equal(spool_newest(s, &r, err, sizeof(err)), 1);
	assert_int_equal(r.seq, seqs[9]);
	sp_check(&r, 109);
	free(r.data);
	for (int i = 0; i < 9; i++) {
		assert_int_equal(spool_next(s, &r, err, sizeof(err)), 1);
		assert_int_equal(r.seq, seqs[i]);
		sp_check(&r, 100 + (size_t)i);
		free(r.data);
	}
	assert_int_equal(spool_next(s, &r, err, sizeof(err)), 0);
	assert_int_equal(spool_newest(s, &r, err, sizeof(err)), 0);
	spool_stats(s, &st);
	assert_int_equal(st.pending, 10);
	assert_int_equal(st.in_flight, 10);

	/* a failed send comes back; the others stay in flight */
	assert_int_equal(spool_release(s, seqs[3]), 0);
	assert_int_equal(spool_release(s, seqs[3]), -ENOENT);
	assert_int_equal(spool_next(s, &r, err, sizeof(err)), 1);
	assert_int_equal(r.seq, seqs[3]);
	free(r.data);

	/* acks: the first three and the newest */
	for (int i = 0; i < 3; i++)
		assert_int_equal(spool_ack(s, seqs[i], err, sizeof(err)), 0);
	assert_int_equal(spool_ack(s, seqs[9], err, sizeof(err)), 0);
	assert_int_equal(spool_ack(s, seqs[9], err, sizeof(err)), 0);
	assert_int_equal(spool_ack(s, seqs[9] + 1, err, sizeof(err)), -ENOENT);
	spool_release_all(s);
	assert_int_equal(sp_drain(s, got, 16, 0), 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(got[i], seqs[3 + i]);
	spool_stats(s, &st);
	assert_int_equal(st.pending, 6);
	assert_int_equal(st.in_flight, 0);
	assert_int_equal(st.acked_upto, seqs[2]);
	assert_int_equal(st.last_seq, seqs[9]);
	assert_int_equal(st.ack_ranges, 2);
	assert_true(st.oldest_ms > 0);
	{ /* status shows the same figures */
		json_t *j = spool_stats_json(&st);

		assert_int_equal(
			json_integer_value(json_object_get(j, "pending")),
			st.pending);
		assert_int_equal(
			json_integer_value(json_object_get(j, "acked_upto")),
			st.acked_upto);
		assert_int_equal(
			json_integer_value(json_object_get(j, "oldest_ms")),
			st.oldest_ms);
		assert_int_equal(json_object_size(j), 10);
		json_decref(j);
	}
	spool_close(s);

	/* acks survive a reopen */
	s = sp_open(NULL);
	assert_int_equal(sp_drain(s, got, 16, 0), 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(got[i], seqs[3 + i]);
	spool_close(s);
}

static void test_bad_appends(void **state)
{
	struct spool_opts o;
	unsigned char *big = calloc(1, SPOOL_MAX_RECORD + 1);
	struct spool_stats st;
	uint64_t a, b;
	struct spool *s;
	(void)state;

	sp_small(&o);
	s = sp_open(&o);
	assert_int_equal(spool_reserve(s, &a, err, sizeof(err)), 0);
	assert_int_equal(spool_reserve(s, &b, err, sizeof(err)), 0);
	assert_int_equal(spool_append(s, b + 1, "x", 1, err, sizeof(err)),
			 -EINVAL); /* not reserved */
	assert_int_equal(spool_append(s, b, "x", 0, err, sizeof(err)), -EINVAL);
	assert_int_equal(
		spool_append(s, b, big, SPOOL_MAX_RECORD + 1, err, sizeof(err)),
		-EINVAL);
	assert_int_equal(
		spool_append(s, b, big, SPOOL_MAX_RECORD, err, sizeof(err)),
		-E2BIG); /* above this cap of 1 MiB */
	assert_int_equal(spool_append(s, b, "x", 1, err, sizeof(err)), 0);
	assert_int_equal(spool_append(s, a, "x", 1, err, sizeof(err)),
			 -EINVAL); /* below the last appended */
	/* a record larger than a segment gets one of its own */
	assert_int_equal(spool_reserve(s, &a, err, sizeof(err)), 0);
	assert_int_equal(spool_append(s, a, big, 6000, err, sizeof(err)), 0);
	spool_stats(s, &st);
	assert_int_equal(st.segments, 2);
	assert_int_equal(st.pending, 2);
	free(big);
	spool_close(s);
}

static void test_seq_never_reused(void **state)
{
	uint64_t last = 0, seq;
	struct spool_stats st;
	struct spool *s;
	(void)state;

	for (int round = 0; round < 4; round++) {
		s = sp_open(NULL);
		seq = sp_add(s, 50);
		assert_true(seq > last);
		/* a number reserved but never appended is not handed again */
		assert_int_equal(spool_reserve(s, &last, err, sizeof(err)), 0);
		assert_true(last > seq);
		if (round % 2) { /* everything acked: no segment left */
			uint64_t got[8];
			int n = sp_drain(s, got, 8, 50);

			for (int i = 0; i < n; i++)
				assert_int_equal(
					spool_ack(s, got[i], err, sizeof(err)),
					0);
			spool_stats(s, &st);
			assert_int_equal(st.pending, 0);
			assert_int_equal(st.segments, 0);
			assert_int_equal(sp_count_segs(), 0);
		}
		spool_close(s);
	}
	/* ... and a reopen after the last one was acked */
	s = sp_open(NULL);
	assert_int_equal(spool_reserve(s, &seq, err, sizeof(err)), 0);
	assert_true(seq > last);
	spool_close(s);
}

static void test_out_of_order_acks(void **state)
{
	struct spool_opts o;
	uint64_t seqs[12], got[12];
	struct spool_stats st;
	struct spool *s;
	char name[32];
	(void)state;

	sp_small(&o);
	s = sp_open(&o);
	for (int i = 0; i < 12; i++) /* 1032 bytes: 3 a segment of 4096 */
		seqs[i] = sp_add(s, 1000);
	spool_stats(s, &st);
	assert_int_equal(st.segments, 4);
	assert_int_equal(sp_count_segs(), 4);

	/* the second segment, last record first: gone at its last ack */
	sp_seg_name(seqs[3], name);
	assert_int_equal(spool_ack(s, seqs[5], err, sizeof(err)), 0);
	assert_int_equal(spool_ack(s, seqs[3], err, sizeof(err)), 0);
	assert_true(sp_size(name) > 0);
	assert_int_equal(spool_ack(s, seqs[4], err, sizeof(err)), 0);
	assert_int_equal(sp_size(name), -1);
	assert_int_equal(sp_count_segs(), 3);
	/* acked after its segment went: nothing to do */
	assert_int_equal(spool_ack(s, seqs[4], err, sizeof(err)), 0);

	/* newest first, and part of the first segment */
	assert_int_equal(spool_ack(s, seqs[11], err, sizeof(err)), 0);
	assert_int_equal(spool_ack(s, seqs[0], err, sizeof(err)), 0);
	assert_int_equal(spool_ack(s, seqs[2], err, sizeof(err)), 0);
	assert_int_equal(sp_count_segs(), 3);
	spool_close(s);

	/* reopened: the acknowledged are not read again */
	s = sp_open(&o);
	assert_int_equal(sp_drain(s, got, 12, 1000), 6);
	assert_int_equal(got[0], seqs[1]);
	for (int i = 1; i < 6; i++)
		assert_int_equal(got[i], seqs[5 + i]);
	/* completing the first segment deletes it */
	assert_int_equal(spool_ack(s, seqs[1], err, sizeof(err)), 0);
	sp_seg_name(seqs[0], name);
	assert_int_equal(sp_size(name), -1);
	/* then everything */
	for (int i = 6; i < 11; i++)
		assert_int_equal(spool_ack(s, seqs[i], err, sizeof(err)), 0);
	spool_stats(s, &st);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.segments, 0);
	assert_int_equal(st.ack_ranges, 0);
	assert_int_equal(sp_count_segs(), 0);
	spool_close(s);
}

static void test_cap_drops(void **state)
{
	uint64_t seqs[60], acked = 0;
	struct spool_opts o;
	struct spool_stats st;
	struct spool_rec r;
	struct spool *s;
	int n = 0;
	(void)state;

	spool_opts_default(&o);
	o.segment_size = 4096;
	o.cap = 4 * 4096;
	s = sp_open(&o);
	for (; n < 60; n++) {
		seqs[n] = sp_add(s, 1000);
		if (n == 1 || n == 2) { /* acked before any drop */
			assert_int_equal(
				spool_ack(s, seqs[n], err, sizeof(err)), 0);
			acked++;
		}
		spool_stats(s, &st);
		assert_true(st.bytes <= o.cap);
		assert_int_equal(sp_seg_bytes(), st.bytes);
		assert_int_equal(st.dropped + st.pending + acked,
				 (uint64_t)n + 1);
		if (n == 1 || n == 2)
			continue;
		/* the record just appended is always there */
		assert_int_equal(spool_newest(s, &r, err, sizeof(err)), 1);
		assert_int_equal(r.seq, seqs[n]);
		free(r.data);
		assert_int_equal(spool_release(s, seqs[n]), 0);
	}
	assert_true(st.dropped > 0);
	/* what is left is the newest, in order, whole */
	{
		uint64_t got[60];
		int k = sp_drain(s, got, 60, 1000);

		assert_int_equal((uint64_t)k, st.pending);
		for (int i = 0; i < k; i++)
			assert_int_equal(got[i], seqs[60 - k + i]);
	}
	/* acks of dropped reports are no error */
	assert_int_equal(spool_ack(s, seqs[0], err, sizeof(err)), 0);
	spool_close(s);
	s = sp_open(&o);
	{
		struct spool_stats again;

		spool_stats(s, &again);
		assert_int_equal(again.dropped, st.dropped);
		assert_int_equal(again.pending, st.pending);
	}
	spool_close(s);
}

static void test_foreign_files(void **state)
{
	static const char *const foreign[] = {
		"notes.txt",
		"00000000000000000001.seg.bak",
		"1.seg",
		"000000000000000000001.seg",
		"0000000000000000000x.seg",
		"00000000000000000000.seg",
		"99999999999999999999.seg.tmp",
	};
	uint64_t seq, got[4];
	struct spool *s;
	char p[256];
	(void)state;

	for (size_t i = 0; i < sizeof(foreign) / sizeof(*foreign); i++)
		scratch_write(foreign[i], "not a spool", -1);
	sp_path(p, sizeof(p), "00000000000000000007.seg"); /* a folder */
	assert_int_equal(mkdir(p, 0700), 0);
	s = sp_open(NULL);
	seq = sp_add(s, 10);
	assert_int_equal(sp_drain(s, got, 4, 10), 1);
	assert_int_equal(spool_ack(s, seq, err, sizeof(err)), 0);
	spool_close(s);
	s = sp_open(NULL);
	spool_close(s);
	for (size_t i = 0; i < sizeof(foreign) / sizeof(*foreign); i++)
		assert_int_equal(sp_size(foreign[i]), 11);
	rmdir(p);
}

static void test_bad_folder_and_meta(void **state)
{
	struct spool *s = NULL;
	struct spool_opts o;
	char p[256];
	(void)state;

	scratch_write("plain", "x", -1);
	sp_path(p, sizeof(p), "plain/spool");
	assert_int_equal(spool_open(&s, p, NULL, err, sizeof(err)), -ENOTDIR);
	assert_null(s);
	assert_non_null(strstr(err, "plain/spool"));

	spool_opts_default(&o);
	o.cap = o.segment_size;
	assert_int_equal(spool_open(&s, dir, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cap"));

	scratch_write("spool.meta", "{\"version\": 1, \"reserved_to\": -3}",
		      -1);
	assert_int_equal(spool_open(&s, dir, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "spool.meta"));
	scratch_write("spool.meta", "\x01\x02garbage", -1);
	assert_int_equal(spool_open(&s, dir, NULL, err, sizeof(err)), -EINVAL);
	sp_path(p, sizeof(p), "spool.meta");
	unlink(p);
}

/* A write hook: a byte at a time (a torn write when killed), or the first
 * half of the record then ENOSPC. */
static int hook_mode;
static ssize_t hook_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	static size_t done;

	if (hook_mode == 1)
		return pwrite(fd, buf, len > 7 ? 7 : len, off);
	if (hook_mode == 2) {
		if (done) {
			done = 0;
			errno = ENOSPC;
			return -1;
		}
		done = len / 2;
		return pwrite(fd, buf, done, off);
	}
	return pwrite(fd, buf, len, off);
}

static void test_enospc(void **state)
{
	struct spool_opts o;
	struct spool_stats st;
	uint64_t seq, seqs[4], got[8];
	unsigned char buf[1000];
	struct spool *s;
	char name[32];
	off_t size;
	(void)state;

	sp_small(&o);
	o.pwrite = hook_pwrite;
	hook_mode = 1; /* short writes are carried on */
	s = sp_open(&o);
	seqs[0] = sp_add(s, 1000);
	seqs[1] = sp_add(s, 1000);
	sp_seg_name(seqs[0], name);
	size = sp_size(name);

	hook_mode = 2; /* into the segment */
	assert_int_equal(spool_reserve(s, &seq, err, sizeof(err)), 0);
	sp_payload(seq, 1000, buf);
	assert_int_equal(spool_append(s, seq, buf, 1000, err, sizeof(err)),
			 -ENOSPC);
	assert_non_null(strstr(err, "No space"));
	assert_int_equal(sp_size(name), size);
	spool_stats(s, &st);
	assert_int_equal(st.pending, 2);
	assert_int_equal(st.last_seq, seqs[1]);
	/* the same number again, once there is room */
	hook_mode = 0;
	assert_int_equal(spool_append(s, seq, buf, 1000, err, sizeof(err)), 0);
	seqs[2] = seq;

	hook_mode = 2; /* into a new segment: it does not stay */
	assert_int_equal(spool_reserve(s, &seq, err, sizeof(err)), 0);
	sp_payload(seq, 1000, buf);
	assert_int_equal(spool_append(s, seq, buf, 1000, err, sizeof(err)),
			 -ENOSPC);
	assert_int_equal(sp_count_segs(), 1);
	spool_close(s);

	hook_mode = 0;
	s = sp_open(&o);
	spool_stats(s, &st);
	assert_int_equal(st.torn, 0);
	assert_int_equal(st.corrupt, 0);
	assert_int_equal(sp_drain(s, got, 8, 1000), 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(got[i], seqs[i]);
	spool_close(s);
}

/* The checksum is CRC32C: the standard check value of "123456789". */
static void test_crc32c(void **state)
{
	(void)state;
	assert_int_equal(crc32c(0, "123456789", 9), 0xe3069283);
	assert_int_equal(crc32c(crc32c(0, "1234", 4), "56789", 5), 0xe3069283);
	assert_int_equal(crc32c(0, "", 0), 0);
}

/* The journal is rewritten as its ranges once it grows; a torn record at
 * its end costs nothing. */
static void test_journal(void **state)
{
	struct spool_stats st;
	uint64_t first = 0, seq;
	struct spool *s;
	(void)state;

	s = sp_open(NULL);
	for (int i = 0; i < 3000; i++) {
		seq = sp_add(s, 16);
		if (!i)
			first = seq;
		else
			assert_int_equal(spool_ack(s, seq, err, sizeof(err)),
					 0);
		assert_true(sp_size("acks.log") <= SPOOL_JOURNAL_MAX + 24);
	}
	spool_stats(s, &st);
	assert_int_equal(st.ack_ranges, 1);
	/* rewritten once (2999 acks of 24 bytes without) */
	assert_true(sp_size("acks.log") < 2999 * 24);
	spool_close(s);

	{
		char p[256];
		int fd;

		sp_path(p, sizeof(p), "acks.log");
		fd = open(p, O_WRONLY | O_APPEND);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "EGAK\x01\x02garbage", 13), 13);
		close(fd);
	}
	s = sp_open(NULL);
	spool_stats(s, &st);
	assert_int_equal(st.pending, 1);
	assert_int_equal(st.acked_upto, first - 1);
	assert_int_equal(sp_size("acks.log") % 24, 0);
	assert_int_equal(spool_ack(s, first, err, sizeof(err)), 0);
	assert_int_equal(sp_count_segs(), 0);
	spool_close(s);
}

static void test_opts_read(void **state)
{
	struct spool_opts o;
	struct diag d = {0};
	config_t c;
	(void)state;

	config_init(&c);
	assert_int_equal(config_read_string(&c, "spool = { segment_kib = 1024;"
						" cap_mib = 64; };"),
			 CONFIG_TRUE);
	assert_int_equal(spool_opts_read(&d, config_lookup(&c, "spool"),
					 "agent.conf", &o),
			 0);
	assert_int_equal(o.segment_size, 1024 << 10);
	assert_int_equal(o.cap, 64 << 20);
	config_destroy(&c);

	config_init(&c);
	assert_int_equal(config_read_string(&c, "spool = { segment_kib = 8;"
						" cap_mib = 1; size = 2; };"),
			 CONFIG_TRUE);
	assert_int_equal(spool_opts_read(&d, config_lookup(&c, "spool"),
					 "agent.conf", &o),
			 3);
	assert_int_equal(d.n, 3);
	config_destroy(&c);
	diag_free(&d);

	/* a cap below twice the segment */
	config_init(&c);
	assert_int_equal(config_read_string(&c, "spool = { segment_kib = 4096;"
						" cap_mib = 4; };"),
			 CONFIG_TRUE);
	assert_int_equal(spool_opts_read(&d, config_lookup(&c, "spool"),
					 "agent.conf", &o),
			 1);
	assert_non_null(strstr(d.items[0].msg, "twice"));
	assert_int_equal(o.cap, 256 << 20);
	config_destroy(&c);
	diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_inflight_ack,
						scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_bad_appends, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(
			test_seq_never_reused, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order_acks,
						scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_cap_drops, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(
			test_foreign_files, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_bad_folder_and_meta,
						scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_enospc, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_journal, scratch_setup,
						scratch_teardown),
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_opts_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
