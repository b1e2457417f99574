/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside the spool (spool.c: open, recovery, append, the cap;
 * spool_ack.c: reading, in-flight marks, acknowledgements, the journal;
 * spool_meta.c: the meta file and the options).  Not for other modules.
 */
#ifndef EGNET_SPOOL_INT_H
#define EGNET_SPOOL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "agent/report/spool.h"

/* The largest segment size an option may give. */
#define SPOOL_SEG_MAX (1ull << 30)

/* One record held: where it is, and its state in the top bits of len. */
struct spool_ix {
	uint64_t seq;
	uint32_t off;
	uint32_t len; /* payload bytes | SPOOL_F_* */
};

#define SPOOL_F_ACKED	 (1u << 31)
#define SPOOL_F_INFLIGHT (1u << 30)
#define SPOOL_F_BAD	 (1u << 29) /* checksum failed on reading: gone */
#define SPOOL_F_DONE	 (SPOOL_F_ACKED | SPOOL_F_BAD)
#define SPOOL_LEN(ix)	 ((ix)->len & (SPOOL_F_BAD - 1))

struct spool_seg {
	uint64_t first; /* from the file's name */
	uint64_t size;	/* bytes of whole records */
	struct spool_ix *recs;
	uint32_t n, room;
	uint32_t n_done; /* acknowledged or bad */
};

struct spool_range {
	uint64_t lo, hi;
};

struct spool {
	char dir[4096];
	struct spool_opts o;
	int dirfd;

	struct spool_seg *segs; /* oldest first */
	uint32_t n_segs, segs_room;
	int wfd;	    /* the last segment, open for writing, or -1 */
	int rfd;	    /* a segment open for reading, or -1 */
	uint64_t rfd_first; /* ... its first seq */
	uint64_t bytes;	    /* sum of segs[].size */

	uint64_t next_seq;    /* the next to reserve */
	uint64_t reserved_to; /* persisted: numbers up to it handed out */
	uint64_t last_seq;    /* the last appended */
	uint64_t dropped, torn, corrupt;

	struct spool_range *acks; /* sorted, disjoint, not adjacent */
	uint32_t n_acks, acks_room;
	int jfd; /* acks.log */
	uint64_t jsize;
};

/* Little-endian reads and writes. */
static inline uint32_t spool_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t spool_get64(const unsigned char *p)
{
	return (uint64_t)spool_get32(p) | (uint64_t)spool_get32(p + 4) << 32;
}

static inline void spool_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void spool_put64(unsigned char *p, uint64_t v)
{
	spool_put32(p, (uint32_t)v);
	spool_put32(p + 4, (uint32_t)(v >> 32));
}

/* spool_meta.c */
int spool_meta_read(struct spool *s, char *err, size_t errlen);
int spool_meta_write(struct spool *s, char *err, size_t errlen);
int spool_opts_check(const struct spool_opts *o, char *err, size_t errlen);

/* spool_ack.c */
int spool_acks_load(struct spool *s, char *err, size_t errlen);
int spool_acks_rewrite(struct spool *s, char *err, size_t errlen);
bool spool_acks_has(const struct spool *s, uint64_t seq);
void spool_acks_prune(struct spool *s);
void spool_acks_free(struct spool *s);

/* spool.c */
void spool_seg_delete(struct spool *s, uint32_t i);
int spool_read_at(struct spool *s, const struct spool_seg *g,
		  const struct spool_ix *x, struct spool_rec *r, char *err,
		  size_t errlen);
int spool_time_at(struct spool *s, const struct spool_seg *g,
		  const struct spool_ix *x, uint64_t *ms);

#endif
