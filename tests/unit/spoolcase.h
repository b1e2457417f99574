/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the spool's unit tests share (test_spool.c, test_spool_recover.c):
 * opening a spool in the scratch folder, records whose payload follows
 * from their seq (so a record read back can be checked whole), draining
 * what spool_next() gives, and looking at the segment files themselves.
 * Included by one test file each (static definitions), after cmocka and
 * tests/unit/scratch.h.
 */
#ifndef EGNET_TEST_SPOOLCASE_H
#define EGNET_TEST_SPOOLCASE_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>

#include "agent/report/spool.h"

static char err[512];

__attribute__((unused)) static void sp_path(char *buf, size_t len,
					    const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

__attribute__((unused)) static struct spool *sp_open(const struct spool_opts *o)
{
	struct spool *s = NULL;
	int rc = spool_open(&s, dir, o, err, sizeof(err));

	if (rc)
		print_message("spool_open: %d %s\n", rc, err);
	assert_int_equal(rc, 0);
	return s;
}

/* The payload of record seq: its number, then bytes that depend on it. */
__attribute__((unused)) static size_t sp_payload(uint64_t seq, size_t len,
						 unsigned char *buf)
{
	int n = snprintf((char *)buf, len,
			 "report %llu:", (unsigned long long)seq);

	for (size_t i = (size_t)n; i < len; i++)
		buf[i] = (unsigned char)(seq * 131 + i * 7);
	return len;
}

/* Reserve and append one record of len bytes; returns its seq. */
__attribute__((unused)) static uint64_t sp_add(struct spool *s, size_t len)
{
	unsigned char buf[8192];
	uint64_t seq;

	assert_true(len <= sizeof(buf));
	assert_int_equal(spool_reserve(s, &seq, err, sizeof(err)), 0);
	sp_payload(seq, len, buf);
	assert_int_equal(spool_append(s, seq, buf, len, err, sizeof(err)), 0);
	return seq;
}

/* r holds the payload sp_payload() makes for its seq. */
__attribute__((unused)) static void sp_check(const struct spool_rec *r,
					     size_t len)
{
	unsigned char want[8192];

	assert_int_equal(r->len, len);
	sp_payload(r->seq, len, want);
	assert_memory_equal(r->data, want, len);
}

/* Every record spool_next() gives, oldest first, into seqs; count. */
__attribute__((unused)) static int sp_drain(struct spool *s, uint64_t *seqs,
					    int max, size_t len)
{
	struct spool_rec r;
	int n = 0, rc;

	while ((rc = spool_next(s, &r, err, sizeof(err))) == 1) {
		assert_true(n < max);
		if (len)
			sp_check(&r, len);
		seqs[n++] = r.seq;
		free(r.data);
	}
	assert_int_equal(rc, 0);
	spool_release_all(s);
	return n;
}

__attribute__((unused)) static int sp_count_segs(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strlen(de->d_name) == 24 && strstr(de->d_name, ".seg"))
			n++;
	closedir(d);
	return n;
}

__attribute__((unused)) static off_t sp_size(const char *name)
{
	char p[256];
	struct stat st;

	sp_path(p, sizeof(p), name);
	return stat(p, &st) < 0 ? -1 : st.st_size;
}

__attribute__((unused)) static uint64_t sp_seg_bytes(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	uint64_t sum = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strlen(de->d_name) == 24 && strstr(de->d_name, ".seg"))
			sum += (uint64_t)sp_size(de->d_name);
	closedir(d);
	return sum;
}

__attribute__((unused)) static void sp_seg_name(uint64_t first, char name[32])
{
	snprintf(name, 32, "%020llu.seg", (unsigned long long)first);
}

__attribute__((unused)) static void sp_small(struct spool_opts *o)
{
	spool_opts_default(o);
	o->segment_size = 4096;
	o->cap = 1 << 20;
}

/* The bytes of the file name of the folder, and how many. */
__attribute__((unused)) static unsigned char *sp_slurp(const char *name,
						       size_t *len)
{
	char p[256];
	struct stat st;
	unsigned char *b;
	int fd;

	sp_path(p, sizeof(p), name);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

__attribute__((unused)) static void sp_put(const char *name,
					   const unsigned char *b, size_t len)
{
	scratch_write(name, (const char *)b, (long)len);
}

#endif
