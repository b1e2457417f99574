/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What report.c (words, checks, encoder) and report_dec.c (decoder) share:
 * the field tables that describe each JSON object of schema v1 once, the
 * range checks of a single value (one function per kind, used on a struct
 * by report_check() and on a body by the decoder, so that both sides agree
 * by construction), the cross-field checks (parent, relations, duplicates),
 * and the path of the value being looked at, kept as a small stack of
 * frames and written out only when something is wrong.
 *
 * Not part of the API: report.h is.
 */
#ifndef EGNET_COMMON_REPORT_INT_H
#define EGNET_COMMON_REPORT_INT_H

#include "common/report.h"

/* Ranges the schema sets (docs/report.md). */
#define RPT_TIME_MIN_MS 1577836800000LL /* 2020-01-01T00:00:00Z */
#define RPT_TIME_MAX_MS 4102444800000LL /* 2100-01-01T00:00:00Z */
#define RPT_UPTIME_MAX	3155760000LL	/* 100 years, in seconds */
#define RPT_INTERVAL_MAX 3600LL		/* collector.interval's bound */
#define RPT_RTT_MAX_MS	60000.0		/* an answer after a minute is lost */
#define RPT_BPS_MAX	1e13		/* 10 Tb/s */

/* The kind of a leaf value: its JSON type, C type and range. */
enum rf_kind {
	RF_U64,	  /* uint64_t counter, 0..2^63-1 (a JSON integer) */
	RF_SEQ,	  /* uint64_t, 1..2^63-1 */
	RF_TIME,  /* long long, ms of wall clock, 2020..2100 */
	RF_TIME0, /* the same, or 0: never */
	RF_SECS,  /* long long uptime in s, 0..RPT_UPTIME_MAX */
	RF_IVAL,  /* long long interval in s, 1..RPT_INTERVAL_MAX */
	RF_MS,	  /* double ms 0..RPT_RTT_MAX_MS; negative in C, null in JSON */
	RF_PCT,	  /* double 0..100 */
	RF_BPS,	  /* double 0..RPT_BPS_MAX */
	RF_BOOL,  /* bool */
	RF_NAME,  /* char[size], 1..size-1 bytes, no control characters */
	RF_NAME0, /* the same, may be empty */
	RF_IFNAME, /* char[16], an interface name (ifname_check) */
	RF_TOKEN, /* char[size], 1..size-1 bytes of printable ASCII, no blank */
	RF_TOKEN0, /* the same, may be empty */
	RF_TEXT,   /* char[size], a message: no control character but tab */
	RF_WORD,   /* int enum, one of words[0..nwords-1] */
	RF_WORDN,  /* the same, where 0 is JSON null (report_stamp) */
	RF_CODE,   /* code_t, a 12-digit division code */
	RF_OBJ,	   /* an object whose fields (sub) live in the same struct */
	RF_OBJN,   /* the same or null; bool at off says which, fields zeroed
		      when null */
	RF_CUSTOM, /* required, read and written by the caller */
};

struct rf {
	const char *key;
	unsigned char kind;
	unsigned short off;	  /* offset of the C field in the base struct */
	unsigned short size;	  /* strings: sizeof the array */
	const char *const *words; /* RF_WORD, RF_WORDN */
	unsigned char nwords;
	const struct rf *sub; /* RF_OBJ, RF_OBJN */
	unsigned char nsub;
	unsigned char opt; /* a member that may be absent (it is read as
			      the empty value of its kind) */
};

/* Where the value being read or checked is, and what went wrong. */
#define RD_FRAMES (REPORT_MAX_DEPTH + 4)
struct rd {
	char *err;
	size_t errlen;
	enum report_err why;
	int depth;
	const char *key[RD_FRAMES]; /* a member, or NULL: idx is an index */
	int idx[RD_FRAMES];
};

static inline void rd_key(struct rd *rd, const char *key)
{
	if (rd->depth < RD_FRAMES) {
		rd->key[rd->depth] = key;
		rd->idx[rd->depth] = -1;
	}
	rd->depth++;
}

static inline void rd_idx(struct rd *rd, int i)
{
	if (rd->depth < RD_FRAMES) {
		rd->key[rd->depth] = NULL;
		rd->idx[rd->depth] = i;
	}
	rd->depth++;
}

static inline void rd_pop(struct rd *rd)
{
	rd->depth--;
}

/* Write "PATH: MESSAGE" into rd->err (one line, truncated safely), set
 * rd->why; returns -1. */
int rpt_fail(struct rd *rd, enum report_err why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append a quoted, shortened and one-line form of an outside string. */
void rpt_quote(char *buf, size_t len, const char *s, size_t n);

/* The tables, and the words of each enum as a table entry needs them. */
extern const struct rf rpt_top[], rpt_node[], rpt_link[], rpt_drops[],
	rpt_reason[], rpt_target[], rpt_pair[], rpt_profile[], rpt_snmp_dev[],
	rpt_snmp_if[];
extern const int rpt_ntop, rpt_nnode, rpt_nlink, rpt_ndrops, rpt_nreason,
	rpt_ntarget, rpt_npair, rpt_nprofile, rpt_nsnmp_dev, rpt_nsnmp_if;
extern const struct rf *const rpt_event[RPT_EV__N];
extern const int rpt_nevent[RPT_EV__N];

/* Range checks of one value of kind @f->kind; 0 or rpt_fail(). */
int rpt_check_int(struct rd *rd, const struct rf *f, long long v);
int rpt_check_dbl(struct rd *rd, const struct rf *f, double v);
int rpt_check_str(struct rd *rd, const struct rf *f, const char *s, size_t n);
int rpt_check_word(struct rd *rd, const struct rf *f, int v);

/* A pair name is "ZONE->ZONE"; a drop reason a name. */
int rpt_check_pair(struct rd *rd, const char *s, size_t n);

/* The node's level and parent against its code (a parent above the node
 * other than its code's is accepted: report_parent_mismatch); the
 * targets' relations against the node, and refused never on a village;
 * link names and target codes unique. */
int rpt_check_node(struct rd *rd, const struct report *r);
int rpt_check_target_rel(struct rd *rd, const struct report *r,
			 const struct report_target *t);
int rpt_check_unique(struct rd *rd, const struct report *r);

/* SNMP device names unique, and each device's interface names. */
int rpt_check_snmp_unique(struct rd *rd, const struct report *r);

/* A target event's code is the node's parent or one of its children. */
int rpt_check_event(struct rd *rd, const struct report *r,
		    const struct report_event *e);

/* Index of the second of two equal names (@n strings at @base, @stride
 * apart), or -1; the first one's index in *first. */
int rpt_dup_name(const char *base, size_t stride, int n, int *first);

#endif
