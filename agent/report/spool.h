/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The report spool: every report the agent makes is written here, and
 * synced, before it counts as queued; the reporter sends from here and
 * acknowledges what the collector took, so reports made while the
 * collector was away are replayed when it answers again.  Payloads are
 * opaque bytes (the encoded report, 1 byte .. SPOOL_MAX_RECORD).
 *
 * Error policy: functions return 0 (or a count) or a negative errno and
 * write the reason into the caller's err buffer where they take one; they
 * never log and never exit.  A failed append leaves nothing half-written
 * that would count as queued.  Anything found on disk (a segment, the
 * meta file, the ack journal) is outside input: a damaged record is
 * skipped and counted, never trusted.  One event loop uses a spool; it
 * takes no locks.
 *
 * Layout of the folder (the agent's state dir + "/spool"):
 *
 *   00000000000000000001.seg  segments: 20 digits, the first sequence
 *   00000000000000000734.seg  number in it, zero-padded so they sort;
 *                             append-only, the last one is written
 *   spool.meta                JSON: sequence numbers reserved up to,
 *                             counters (written: temp file, fsync, rename)
 *   acks.log                  the ack journal, 24-byte records
 *
 * A record is a 32-byte header then the payload, integers little-endian:
 *
 *   0  magic "EGSP"      16  wall time, ms since the epoch (u64)
 *   4  payload length    24  CRC32C of bytes 0..23 (the header's)
 *   8  seq (u64)         28  CRC32C of bytes 0..27 and the payload
 *
 * Scanning for the next record after a damaged one looks for the magic
 * and takes the first header whose own checksum, length, seq (above the
 * last good one) and full checksum all hold.
 *
 * An ack journal record: magic "EGAK", CRC32C of bytes 8..23, first and
 * last seq (u64 each) of an acknowledged range.  Every other file in the
 * folder is left alone.
 *
 * Durability: spool_append() returns after fdatasync() of the segment
 * and, for a new segment, fsync() of the folder.  A crash between the
 * write and its sync may leave the record whole in the page cache, not
 * on disk; spool_open() finds it whole and queues it, so it syncs the
 * last segment and the folder before it counts anything found there (a
 * power cut after the restart would otherwise take a report the spool
 * had shown as queued).  Acks are written to the
 * journal without a sync: a crash of the process loses none, a power cut
 * may lose the last ones, and those reports are sent again (the collector
 * drops duplicates by (node, seq)).  Sequence numbers are reserved in
 * blocks of SPOOL_SEQ_BLOCK in spool.meta (one sync per block, not per
 * report); a restart skips the rest of the block, so numbers may have
 * gaps but never repeat.
 *
 * Disk use: the segments' sizes together never exceed opts.cap bytes
 * (the file system's rounding to blocks comes on top; cap is at least
 * twice the segment size; a record above the cap is refused; one above
 * the segment size gets a segment of its own): an append that would pass
 * it first deletes the oldest whole segments, counting
 * their unacknowledged reports as dropped, but never the record being
 * appended.  On top come spool.meta (< 200 bytes) and acks.log (rewritten
 * as the ranges it holds once past SPOOL_JOURNAL_MAX bytes and twice
 * those ranges: at most max(64 KiB, 48 bytes a range) + 24).  A smaller
 * cap than the segments on disk takes effect at the next append.
 * Memory: 16 bytes per record held.
 */
#ifndef EGNET_SPOOL_H
#define EGNET_SPOOL_H

#include <jansson.h>
#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/diag.h"

#define SPOOL_MAX_RECORD  (1u << 20) /* payload bytes */
#define SPOOL_HDR	  32u
#define SPOOL_SEQ_BLOCK	  1024u
#define SPOOL_JOURNAL_MAX (64u << 10)

struct spool;

struct spool_opts {
	uint64_t segment_size; /* a segment rolls past this (default 4 MiB) */
	uint64_t cap;	       /* segments' bytes at most (default 256 MiB) */
	/*
	 * The write of a segment, pwrite(2) when NULL: lets tests make a
	 * write fail (ENOSPC) or tear it in pieces.  May write less than
	 * asked; -1 with errno on error.
	 */
	ssize_t (*pwrite)(int fd, const void *buf, size_t len, off_t off);
	/*
	 * The sync of a segment's data, fdatasync(2) when NULL: lets tests
	 * see what was made durable, or make a sync fail.  0, or -1 with
	 * errno.
	 */
	int (*fdatasync)(int fd);
};

/* The defaults above. */
void spool_opts_default(struct spool_opts *o);

/*
 * Read a libconfig group "spool { segment_kib = 4096; cap_mib = 256; }"
 * (NULL group: the defaults) into o, problems added to d with file:line.
 * Returns the number of problems.
 */
int spool_opts_read(struct diag *d, const config_setting_t *group,
		    const char *file, struct spool_opts *o);

/*
 * Open (create when missing) the spool in dir and recover it: segments
 * scanned, a torn tail of the last one truncated away, a damaged record
 * elsewhere skipped (scanning on for the next valid record), segments
 * with no valid record left (empty, torn away, all damaged) or wholly
 * acknowledged deleted, the last segment and the folder synced (what a
 * crash left written but unsynced is on disk before it counts as
 * queued), the ack journal read and rewritten.  0 with
 * *out, or -errno with the reason in err (an unreadable folder, options
 * out of range, a damaged spool.meta: its sequence numbers cannot be
 * trusted, so it is refused, not guessed).
 */
int spool_open(struct spool **out, const char *dir, const struct spool_opts *o,
	       char *err, size_t errlen);

/* Sync the ack journal, close, free.  NULL ok. */
void spool_close(struct spool *s);

/*
 * The next sequence number, for the report being made (its JSON holds
 * it): > every number handed out before, also across restarts and after
 * every segment was deleted.  Syncs spool.meta once per SPOOL_SEQ_BLOCK
 * numbers.  0 or -errno (the meta file could not be written: no number).
 */
int spool_reserve(struct spool *s, uint64_t *seq, char *err, size_t errlen);

/*
 * Append the record seq (reserved, and above every seq appended before)
 * with len bytes of data; returns 0 once it is on disk.  -EINVAL for a
 * bad seq or length, -E2BIG for a record above the cap, else the write's
 * -errno (-ENOSPC): then the partial record is truncated away and
 * nothing is counted as queued (the same seq may be appended again).
 */
int spool_append(struct spool *s, uint64_t seq, const void *data, size_t len,
		 char *err, size_t errlen);

/* A record read back: data is malloc'd, the caller frees it. */
struct spool_rec {
	uint64_t seq;
	uint64_t time_ms;
	void *data;
	size_t len;
};

/*
 * Sending.  A record is pending, in flight (handed to the reporter, not
 * acknowledged yet) or acknowledged.  In-flight marks live in memory only:
 * after a restart every unacknowledged record is pending.  A reporter
 * with a few requests in flight:
 *
 *   after an append:  spool_newest() -> send it
 *   while a slot is free: spool_next() -> send it (backlog, oldest first)
 *   answer 2xx:       spool_ack(seq)
 *   failure:          spool_release(seq), or spool_release_all() when
 *                     the collector is away (then retry later)
 *
 * spool_newest() and spool_next() return 1 with the record in *r, marked
 * in flight; 0 when there is none; -errno on a read error.  A record whose
 * checksum no longer matches on reading is counted as corrupt, skipped for
 * good, and the next one is tried.
 */
int spool_newest(struct spool *s, struct spool_rec *r, char *err,
		 size_t errlen);
int spool_next(struct spool *s, struct spool_rec *r, char *err, size_t errlen);

/* Back to pending.  0, or -ENOENT when seq is not in flight. */
int spool_release(struct spool *s, uint64_t seq);
void spool_release_all(struct spool *s);

/*
 * Acknowledge seq (in flight or not, in any order).  A segment whose
 * records are all acknowledged is deleted.  0 (also when seq was
 * acknowledged before, or dropped by the cap), -ENOENT when seq was
 * never appended, or -errno from the journal's write.
 */
int spool_ack(struct spool *s, uint64_t seq, char *err, size_t errlen);

/* For egnetctl status. */
struct spool_stats {
	uint64_t pending; /* records not acknowledged (in flight too) */
	uint64_t in_flight;
	uint64_t bytes; /* of the segment files */
	uint64_t segments;
	uint64_t oldest_ms;  /* wall time of the oldest pending record, 0 */
	uint64_t dropped;    /* reports dropped by the cap, ever */
	uint64_t corrupt;    /* damaged stretches skipped, found since open */
	uint64_t torn;	     /* torn tails truncated, ever */
	uint64_t last_seq;   /* the last appended, 0 none */
	uint64_t acked_upto; /* every record up to it acknowledged or gone */
	uint64_t ack_ranges; /* size of the acknowledged set, in ranges */
};

void spool_stats(struct spool *s, struct spool_stats *st);

/* The stats as a JSON object for status (the field names above, but
 * ack_ranges); NULL when out of memory.  The caller owns it. */
json_t *spool_stats_json(const struct spool_stats *st);

#endif
