// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading the spool for sending (newest first, then the backlog oldest
 * first, skipping what is in flight), acknowledgements, the acknowledged
 * set as ranges and its journal (acks.log), and the stats.  See spool.h.
 * The journal is appended to without a sync (a lost ack means a report
 * sent twice, never one lost) and rewritten as its ranges at open and
 * when it grows past SPOOL_JOURNAL_MAX.
 */
#include "agent/report/spool_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/report/crc32c.h"

#define SPOOL_JOURNAL	  "acks.log"
#define SPOOL_JOURNAL_TMP "acks.log.tmp"
#define SPOOL_JREC	  24

static const unsigned char spool_jmagic[4] = {'E', 'G', 'A', 'K'};

/* Index of the first range that holds, or touches from below, lo. */
static uint32_t spool_acks_find(const struct spool *s, uint64_t lo)
{
	uint32_t a = 0, b = s->n_acks;

	while (a < b) {
		uint32_t m = a + (b - a) / 2;

		if (s->acks[m].hi + 1 < lo)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

bool spool_acks_has(const struct spool *s, uint64_t seq)
{
	uint32_t i = spool_acks_find(s, seq);

	return i < s->n_acks && s->acks[i].lo <= seq && seq <= s->acks[i].hi;
}

/* Add [lo, hi] to the set, merging what it overlaps or touches. */
static int spool_acks_add(struct spool *s, uint64_t lo, uint64_t hi)
{
	uint32_t i = spool_acks_find(s, lo), j = i;

	while (j < s->n_acks && s->acks[j].lo <= hi + 1) {
		if (s->acks[j].lo < lo)
			lo = s->acks[j].lo;
		if (s->acks[j].hi > hi)
			hi = s->acks[j].hi;
		j++;
	}
	if (j == i) { /* a new range at i */
		if (s->n_acks == s->acks_room) {
			uint32_t room = s->acks_room ? 2 * s->acks_room : 16;
			struct spool_range *r =
				realloc(s->acks, room * sizeof(*r));

			if (!r)
				return -ENOMEM;
			s->acks = r;
			s->acks_room = room;
		}
		memmove(&s->acks[i + 1], &s->acks[i],
			(s->n_acks - i) * sizeof(*s->acks));
		s->n_acks++;
	} else if (j > i + 1) {
		memmove(&s->acks[i + 1], &s->acks[j],
			(s->n_acks - j) * sizeof(*s->acks));
		s->n_acks -= j - i - 1;
	}
	s->acks[i] = (struct spool_range){lo, hi};
	return 0;
}

void spool_acks_prune(struct spool *s)
{
	uint64_t floor = s->n_segs ? s->segs[0].recs[0].seq : UINT64_MAX;
	uint32_t i = 0;

	while (i < s->n_acks && s->acks[i].hi < floor)
		i++;
	if (i) {
		memmove(s->acks, &s->acks[i],
			(s->n_acks - i) * sizeof(*s->acks));
		s->n_acks -= i;
	}
	if (s->n_acks && s->acks[0].lo < floor)
		s->acks[0].lo = floor;
}

void spool_acks_free(struct spool *s)
{
	free(s->acks);
	s->acks = NULL;
	s->n_acks = s->acks_room = 0;
}

static void spool_jrec(unsigned char b[SPOOL_JREC], uint64_t lo, uint64_t hi)
{
	memcpy(b, spool_jmagic, 4);
	spool_put64(b + 8, lo);
	spool_put64(b + 16, hi);
	spool_put32(b + 4, crc32c(0, b + 8, 16));
}

/* The record at i of segment g by seq, or NULL. */
static struct spool_ix *spool_seg_find(struct spool_seg *g, uint64_t seq)
{
	uint32_t a = 0, b = g->n;

	while (a < b) {
		uint32_t m = a + (b - a) / 2;

		if (g->recs[m].seq < seq)
			a = m + 1;
		else
			b = m;
	}
	return a < g->n && g->recs[a].seq == seq ? &g->recs[a] : NULL;
}

/* The segment that would hold seq (the last whose first record is not
 * above it), or -1. */
static int spool_seg_of(const struct spool *s, uint64_t seq)
{
	uint32_t a = 0, b = s->n_segs;

	while (a < b) {
		uint32_t m = a + (b - a) / 2;

		if (s->segs[m].recs[0].seq <= seq)
			a = m + 1;
		else
			b = m;
	}
	return (int)a - 1;
}

int spool_acks_load(struct spool *s, char *err, size_t errlen)
{
	unsigned char b[SPOOL_JREC];
	int fd = openat(s->dirfd, SPOOL_JOURNAL,
			O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot open %s/" SPOOL_JOURNAL ": %s",
			 s->dir, strerror(errno));
		return rc;
	}
	/* a record that does not check (a torn last one) is ignored: at
	 * worst a report is sent again */
	while (read(fd, b, SPOOL_JREC) == SPOOL_JREC) {
		uint64_t lo = spool_get64(b + 8), hi = spool_get64(b + 16);

		if (memcmp(b, spool_jmagic, 4) ||
		    spool_get32(b + 4) != crc32c(0, b + 8, 16) || !lo ||
		    lo > hi || lo > s->last_seq)
			continue;
		/* no record above last_seq exists; a range reaching past it
		 * (a damaged journal) must not cover reports still to come */
		if (hi > s->last_seq)
			hi = s->last_seq;
		if (spool_acks_add(s, lo, hi)) {
			close(fd);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	close(fd);
	for (uint32_t i = 0; i < s->n_segs; i++) {
		struct spool_seg *g = &s->segs[i];

		for (uint32_t k = 0; k < g->n; k++)
			if (spool_acks_has(s, g->recs[k].seq)) {
				g->recs[k].len |= SPOOL_F_ACKED;
				g->n_done++;
			}
	}
	return 0;
}

int spool_acks_rewrite(struct spool *s, char *err, size_t errlen)
{
	unsigned char b[SPOOL_JREC];
	int fd, rc = 0;

	fd = openat(s->dirfd, SPOOL_JOURNAL_TMP,
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	for (uint32_t i = 0; !rc && i < s->n_acks; i++) {
		spool_jrec(b, s->acks[i].lo, s->acks[i].hi);
		if (write(fd, b, SPOOL_JREC) != SPOOL_JREC)
			rc = errno ? -errno : -ENOSPC;
	}
	/* the new file must hold its ranges before it replaces the old */
	if (!rc && s->n_acks && fdatasync(fd) < 0)
		rc = -errno;
	close(fd);
	if (!rc &&
	    renameat(s->dirfd, SPOOL_JOURNAL_TMP, s->dirfd, SPOOL_JOURNAL) < 0)
		rc = -errno;
	if (rc)
		goto out;
	if (s->jfd >= 0)
		close(s->jfd);
	s->jfd = openat(s->dirfd, SPOOL_JOURNAL,
			O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (s->jfd < 0)
		rc = -errno;
	s->jsize = (uint64_t)s->n_acks * SPOOL_JREC;
out:
	if (rc) {
		snprintf(err, errlen, "cannot write %s/" SPOOL_JOURNAL ": %s",
			 s->dir, strerror(-rc));
		unlinkat(s->dirfd, SPOOL_JOURNAL_TMP, 0);
	}
	return rc;
}

/* Mark x of segment i done; the segment goes when all of it is. */
static void spool_done(struct spool *s, uint32_t i, struct spool_ix *x,
		       uint32_t flag)
{
	struct spool_seg *g = &s->segs[i];

	x->len = (x->len & ~SPOOL_F_INFLIGHT) | flag;
	if (++g->n_done < g->n)
		return;
	spool_seg_delete(s, i);
	if (i == 0)
		spool_acks_prune(s);
}

int spool_ack(struct spool *s, uint64_t seq, char *err, size_t errlen)
{
	unsigned char b[SPOOL_JREC];
	struct spool_ix *x;
	ssize_t w;
	int i, rc;

	if (!seq || seq > s->last_seq) {
		snprintf(err, errlen, "seq %llu was never appended",
			 (unsigned long long)seq);
		return -ENOENT;
	}
	i = spool_seg_of(s, seq);
	if (i < 0)
		return 0; /* acknowledged and deleted, or dropped */
	x = spool_seg_find(&s->segs[i], seq);
	if (!x) {
		if (spool_acks_has(s, seq))
			return 0;
		/* inside a segment, or between two: a gap (reserved, never
		 * appended); after the last: its segment was acknowledged */
		const struct spool_seg *g = &s->segs[i];

		if (i + 1 < (int)s->n_segs || g->recs[g->n - 1].seq > seq) {
			snprintf(err, errlen, "seq %llu is not in the spool",
				 (unsigned long long)seq);
			return -ENOENT;
		}
		return 0;
	}
	if (x->len & SPOOL_F_DONE)
		return 0;
	spool_jrec(b, seq, seq);
	w = s->jfd < 0 ? -1 : write(s->jfd, b, SPOOL_JREC);
	if (w != SPOOL_JREC) {
		rc = s->jfd < 0 ? -EBADF : w < 0 ? -errno : -ENOSPC;
		/* a piece of a record would shift every later one */
		if (w > 0 && ftruncate(s->jfd, (off_t)s->jsize) < 0)
			rc = -EIO;
		snprintf(err, errlen, "cannot write %s/" SPOOL_JOURNAL ": %s",
			 s->dir, strerror(-rc));
		return rc;
	}
	s->jsize += SPOOL_JREC;
	rc = spool_acks_add(s, seq, seq);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	spool_done(s, (uint32_t)i, x, SPOOL_F_ACKED);
	if (s->jsize > SPOOL_JOURNAL_MAX &&
	    s->jsize > 2ull * SPOOL_JREC * s->n_acks)
		return spool_acks_rewrite(s, err, errlen);
	return 0;
}

/*
 * Hand out the first record, from the oldest (dir 1) or the newest (-1),
 * that is neither done nor in flight.
 */
static int spool_take(struct spool *s, int dir, struct spool_rec *r, char *err,
		      size_t errlen)
{
	memset(r, 0, sizeof(*r));
	for (;;) {
		struct spool_ix *x = NULL;
		uint32_t i = 0;
		int rc;

		for (uint32_t n = 0; !x && n < s->n_segs; n++) {
			struct spool_seg *g;

			i = dir > 0 ? n : s->n_segs - 1 - n;
			g = &s->segs[i];
			for (uint32_t k = 0; k < g->n; k++) {
				struct spool_ix *c =
					&g->recs[dir > 0 ? k : g->n - 1 - k];

				if (!(c->len &
				      (SPOOL_F_DONE | SPOOL_F_INFLIGHT))) {
					x = c;
					break;
				}
			}
		}
		if (!x)
			return 0;
		rc = spool_read_at(s, &s->segs[i], x, r, err, errlen);
		if (rc == -EBADMSG) {
			/* it changed on disk: skipped for good */
			s->corrupt++;
			spool_done(s, i, x, SPOOL_F_BAD);
			continue;
		}
		if (rc)
			return rc;
		x->len |= SPOOL_F_INFLIGHT;
		return 1;
	}
}

int spool_newest(struct spool *s, struct spool_rec *r, char *err, size_t errlen)
{
	return spool_take(s, -1, r, err, errlen);
}

int spool_next(struct spool *s, struct spool_rec *r, char *err, size_t errlen)
{
	return spool_take(s, 1, r, err, errlen);
}

int spool_release(struct spool *s, uint64_t seq)
{
	int i = spool_seg_of(s, seq);
	struct spool_ix *x = i < 0 ? NULL : spool_seg_find(&s->segs[i], seq);

	if (!x || !(x->len & SPOOL_F_INFLIGHT))
		return -ENOENT;
	x->len &= ~SPOOL_F_INFLIGHT;
	return 0;
}

void spool_release_all(struct spool *s)
{
	for (uint32_t i = 0; i < s->n_segs; i++)
		for (uint32_t k = 0; k < s->segs[i].n; k++)
			s->segs[i].recs[k].len &= ~SPOOL_F_INFLIGHT;
}

void spool_stats(struct spool *s, struct spool_stats *st)
{
	const struct spool_ix *oldest = NULL;
	const struct spool_seg *og = NULL;

	memset(st, 0, sizeof(*st));
	for (uint32_t i = 0; i < s->n_segs; i++) {
		const struct spool_seg *g = &s->segs[i];

		st->pending += g->n - g->n_done;
		for (uint32_t k = 0; k < g->n; k++) {
			const struct spool_ix *x = &g->recs[k];

			if (x->len & SPOOL_F_DONE)
				continue;
			if (!oldest)
				oldest = x, og = g;
			if (x->len & SPOOL_F_INFLIGHT)
				st->in_flight++;
		}
	}
	st->bytes = s->bytes;
	st->segments = s->n_segs;
	st->dropped = s->dropped;
	st->corrupt = s->corrupt;
	st->torn = s->torn;
	st->last_seq = s->last_seq;
	st->acked_upto = oldest ? oldest->seq - 1 : s->last_seq;
	st->ack_ranges = s->n_acks;
	/* the time is only on disk (16 bytes a record in memory) */
	if (oldest)
		spool_time_at(s, og, oldest, &st->oldest_ms);
}

json_t *spool_stats_json(const struct spool_stats *st)
{
	return json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "pending",
		(json_int_t)st->pending, "in_flight", (json_int_t)st->in_flight,
		"bytes", (json_int_t)st->bytes, "segments",
		(json_int_t)st->segments, "oldest_ms",
		(json_int_t)st->oldest_ms, "dropped", (json_int_t)st->dropped,
		"corrupt", (json_int_t)st->corrupt, "torn",
		(json_int_t)st->torn, "last_seq", (json_int_t)st->last_seq,
		"acked_upto", (json_int_t)st->acked_upto);
}
