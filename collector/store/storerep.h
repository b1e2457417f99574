/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the store keeps of a report, and of a node between its reports.
 *
 * struct storerep is the compact copy of a struct report that waits in the
 * writer's queue (a struct report is ~600 KiB of bounded arrays; the store
 * needs the header, each link's state and counters, each target's state and
 * measurements, the apply results, and the raw JSON), in one allocation.
 *
 * struct storestate is what the store remembers of a node's last report to
 * derive events (storediff.c) and series (storeagg.c) from the next one:
 * each link's and target's state and counters, and the sums of the minute
 * still open.  It is also saved with the node (storerep_state_to_json) so a
 * restart goes on where it stopped; the saved form is checked field by
 * field when read back.
 */
#ifndef EGNET_STOREREP_H
#define EGNET_STOREREP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/store/store.h"
#include "common/report.h"

struct storerep_link {
	char name[16];
	uint8_t state; /* enum report_oper */
	bool has_counters;
	uint64_t rx_bytes, tx_bytes;
	double rx_bps, tx_bps;
};

struct storerep_target {
	code_t code;
	uint8_t state;
	uint8_t rel; /* enum report_rel */
	double rtt_ms, rtt_avg_ms, jitter_ms, loss_pct; /* < 0: none */
};

struct storerep_apply {
	long long time_ms;
	bool ok;
	char hash[72];
	char text[REPORT_TEXT_LEN];
};

struct storerep {
	code_t node;
	uint64_t seq;
	long long time_ms, uptime_s, recv_ms;
	enum report_apply apply;
	bool drift;
	char drift_text[REPORT_TEXT_LEN];
	char profile[REPORT_NAME_LEN], profile_version[REPORT_NAME_LEN], profile_hash[72];
	int n_links, n_targets, n_applies;
	struct storerep_link *links;
	struct storerep_target *targets;
	struct storerep_apply *applies;
	char *json; /* NUL-terminated copy, json_len bytes; may be taken */
	size_t json_len;
	/* the writer's bookkeeping */
	store_done_fn cb;
	void *cb_arg;
	int result;
	double enq_mono; /* when it was queued */
	struct storerep *next;
};

/* A compact copy of @r (one block) and @json (its own malloc, so the store
 * can keep it as the node's last report), or NULL when out of memory or
 * @r's counts are beyond the schema's bounds.  Only RPT_EV_APPLY events
 * are kept. */
struct storerep *storerep_new(const struct report *r, const char *json,
			      size_t len);

/* Free @p and the JSON it still owns.  NULL is fine. */
void storerep_free(struct storerep *p);

/*
 * Sums over a period (the open minute, the open hour) of a link's reports,
 * and of a target's: 26 bytes each, so a link's or a target's open minute
 * and hour take 52 (with the key, state and counters, which are now in the
 * node's block, they were 120 and 112 bytes with double sums and 32-bit
 * counts).
 *
 * Precision.  Byte counts are exact (64-bit).  The sums of rates, RTT,
 * loss and jitter are 32-bit floats (24-bit mantissa): the mean of n
 * samples is within n * 2^-24 of the exact mean, relatively, at worst
 * (6e-6 for a minute of 1 s reports, 2.2e-4 for an hour of them; the
 * rounding errors of a sum mostly cancel, so in practice far less), and
 * the rows are kept as 32-bit floats anyway (storepack.c).  Counts are
 * 16-bit and saturate: a period's reports after its 65,535th (one every
 * 55 ms for a whole hour) are left out of its means (not of its byte
 * counts); an hour that a minute would take past it keeps the minute's
 * bytes, extremes and its own means without the minute's samples.
 */
#define STOREAGG_N_MAX UINT16_MAX

/* packed to 2-byte alignment: 26 bytes, so a period and its hour take 52
 * (the members are only read and written whole, never by address) */
struct storeagg_lacc {
	uint64_t rx, tx;       /* bytes */
	float rx_bps, tx_bps;  /* sums of the reported rates */
	uint16_t n;            /* reports with counters */
} __attribute__((packed, aligned(2)));

struct storeagg_tacc {
	float rtt, loss, jit;  /* sums */
	float rtt_min, rtt_max;
	uint16_t n, n_rtt, n_jit;
} __attribute__((packed, aligned(2)));

/*
 * A link's or a target's open minute and hour (52 bytes): its key, state
 * and last counters are in the state's block (struct storestate's cur).
 */
struct storestate_link {
	struct storeagg_lacc m, h;
};

struct storestate_target {
	struct storeagg_tacc m, h;
};

struct storenow;

/*
 * What the store remembers of a node.  @cur is the last report's links and
 * targets (names, codes, states, counters, rates): the same immutable block
 * the node publishes once that report is committed, so between batches a
 * node holds it once.  @links and @targets (one allocation, the targets
 * after the links) are in @cur's order.
 */
struct storestate {
	bool seen;
	uint8_t apply;
	bool drift;
	uint16_t n_links, n_targets;
	uint64_t seq;
	long long time_ms, uptime_s;
	long long minute_ms, hour_ms; /* the open minute and hour, -1: none */
	struct storenow *cur;	      /* NULL: no link nor target */
	struct storestate_link *links;
	struct storestate_target *targets;
};

/*
 * The published form of a node's last committed links and targets
 * (store.h's store_node_state): one immutable block, reference-counted so
 * a reader can use it outside the store's lock while the writer puts a
 * newer one in its place.
 */
struct storenow {
	uint32_t ref;
	uint16_t n_links, n_targets;
	/* then n_links struct store_link_now, n_targets struct
	 * store_target_now (8-aligned) */
};

/* From a report (rates and measurements as reported); NULL when out of
 * memory. */
struct storenow *storenow_from_rep(const struct storerep *p);
/* An empty block for @n_links and @n_targets (bounded by the schema), all
 * zero, one reference; NULL when out of memory or out of bounds. */
struct storenow *storenow_new(int n_links, int n_targets);
/* What a target is to @node, from the codes alone (enum report_rel). */
uint8_t storenow_rel(code_t node, code_t target);
/* The index of link @name in @n (trying @hint first), or -1. */
int storenow_link(const struct storenow *n, const char *name, int hint);
/* The index of target @code in @n (trying @hint first), or -1. */
int storenow_target(const struct storenow *n, code_t code, int hint);

/* The block's arrays. */
struct store_link_now *storenow_links(const struct storenow *n);
struct store_target_now *storenow_targets(const struct storenow *n);

/* Bytes it takes (malloc's own overhead not counted). */
size_t storenow_size(const struct storenow *n);

/* Take and drop a reference (atomic); the last drop frees it.  NULL is
 * fine for both. */
struct storenow *storenow_ref(struct storenow *n);
void storenow_unref(struct storenow *n);

/* A fresh state (nothing seen). */
void storestate_init(struct storestate *s);
void storestate_free(struct storestate *s);

/* Deep copy; 0 or -ENOMEM (dst untouched). */
int storestate_copy(struct storestate *dst, const struct storestate *src);

/* Bytes of heap and struct @s holds. */
size_t storestate_mem(const struct storestate *s);

/* The saved form (new reference, NULL when out of memory). */
json_t *storestate_to_json(const struct storestate *s);

/* Read node @node's saved form into a fresh state (rates and measurements
 * absent, relations from the codes); 0, or -EINVAL (-ENOMEM) with the
 * reason in err (s is then a fresh state). */
int storestate_from_json(struct storestate *s, code_t node, const json_t *j,
			 char *err, size_t errlen);

#endif
