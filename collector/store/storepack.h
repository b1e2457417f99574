/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One node's series rows of one minute (or hour) packed in one blob: the
 * store's database keeps a row per node and period rather than one per
 * link and target (20,000 nodes x 32 keys x 1,440 minutes a day were 920
 * million rows a day).  Pure functions: no I/O, no logging.
 *
 * Layout (little-endian, "v" an unsigned LEB128 varint):
 *   u8 version (1), v count, then count entries, links first then
 *   targets, each kind by key (bytewise, as SQLite sorted the keys):
 *     link:   u8 0, u8 len, len bytes of name, v rx_bytes, v tx_bytes,
 *             f32 rx_bps, f32 tx_bps, v samples
 *     target: u8 1, v code, v samples, v rtt_samples, v jitter_samples,
 *             f32 loss_pct, [f32 rtt_avg, f32 rtt_min, f32 rtt_max when
 *             rtt_samples], [f32 jitter_avg when jitter_samples]
 * The fields are those of struct store_series_row; the means are kept as
 * floats (7 significant digits: a 10 Gbit/s mean to within ~1 kbit/s, an
 * RTT to within 0.1 us at 1 s), the byte counts exactly; an absent measure
 * (no samples) reads back as -1, as the rows had it.  A blob read back is
 * outside input: every length and count is checked (-EBADMSG).
 */
#ifndef EGNET_STOREPACK_H
#define EGNET_STOREPACK_H

#include <stddef.h>
#include <stdint.h>

#include "collector/store/store.h"

#define STOREPACK_VERSION 1
#define STOREPACK_MAX_ROWS (REPORT_MAX_LINKS + REPORT_MAX_TARGETS)

/* Sort @rows (of one node and period) into the blob's order and fold rows
 * of the same key into one (storepack_fold).  Returns the new count. */
int storepack_sort(struct store_series_row *rows, int n);

/* Add @b into @a (same kind and key): sums add, means weighted by their
 * samples, min and max kept. */
void storepack_fold(struct store_series_row *a,
		    const struct store_series_row *b);

/* The blob of @n sorted rows (storepack_sort) into a malloc'd *out. 0,
 * -ENOMEM, or -EINVAL (a key that does not fit). */
int storepack_encode(const struct store_series_row *rows, int n,
		     uint8_t **out, size_t *len);

/* The rows of a blob into a malloc'd array (*rows, *n; NULL, 0 when
 * empty), with @t_ms and @hourly set.  0, -EBADMSG, -ENOMEM. */
int storepack_decode(const void *blob, size_t len, long long t_ms,
		     bool hourly, struct store_series_row **rows, int *n);

/* @a and @b (both sorted) merged into *out (malloc'd, sorted, same keys
 * folded).  0 or -ENOMEM. */
int storepack_merge(const struct store_series_row *a, int na,
		    const struct store_series_row *b, int nb,
		    struct store_series_row **out, int *n);

#endif
