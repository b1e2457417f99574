/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engine's inside, shared by its files (topo.c: the tree and the
 * incremental path; topo_full.c: the full recompute and the check;
 * topo_outage.c: outages and events; topo_query.c: what is read back).
 */
#ifndef EGNET_TOPO_INT_H
#define EGNET_TOPO_INT_H

#include "collector/topo/topo.h"

/* Every inventory node, in code order (preorder). */
struct tnode {
	code_t code;
	int32_t parent; /* index, -1 for a province */
	int32_t end;    /* one past the last node of its subtree */
	int32_t agent;  /* index into agents[], -1 for a village */
	int32_t outage; /* slot in outages[] when a root, else -1 */
	float rtt, loss, jitter; /* the parent's probe of it (< 0: none) */
	uint8_t level;
	uint8_t state;  /* enum topo_state */
	uint8_t down;   /* enum topo_view as the parent reported it */
	/* one byte, so a node stays 40 bytes: */
	uint8_t seen : 1;    /* village: probed to a verdict once */
	uint8_t refused : 1; /* gateway: the parent's probe refused by it
				(ICMP port unreachable: up, no agent) */
};

/* What an agent's own reports say, and its subtree's counts. */
struct tagent {
	int32_t node;
	int32_t prev, next;  /* the freshness list of its level, by time */
	long long time_ms;   /* last observation, 0: never */
	long long below_ms;  /* newest observation strictly below */
	long long up_since;  /* the parent's view became UP (its report's
				time), 0: never */
	int32_t gprev, gnext; /* the recovery list of its level */
	uint8_t in_grace;
	int32_t fresh_below; /* fresh agents strictly below */
	uint8_t fresh;
	uint8_t up;          /* enum topo_view of its probe of the parent */
	uint8_t uplink;      /* enum topo_view */
	uint8_t wrong_parent;
	code_t said_parent;  /* the parent its last report named (0: none) */
	float rtt, loss, jitter; /* its probe of the parent */
	uint32_t ignored;
	int32_t cnt[LEVEL_COUNT][TOPO_STATE__N]; /* subtree, self included */
};

struct toutage {
	int32_t node;     /* -1: free slot */
	int32_t next_free;
	long long opened_ms;
};

struct tunexp {
	code_t code, parent;
	long long last_ms;
	uint64_t reports;
};

struct topo {
	struct topo_opts o;
	struct tnode *n;
	int32_t nn;
	struct tagent *a;
	int32_t na;
	int32_t head[LEVEL_COUNT], tail[LEVEL_COUNT]; /* freshness lists */
	int32_t ghead[LEVEL_COUNT], gtail[LEVEL_COUNT]; /* recovery lists */
	int32_t total[LEVEL_COUNT][TOPO_STATE__N];
	/* nodes whose state changed in the current call */
	int32_t *changed;
	int32_t nchanged, capchanged;
	struct toutage *out;
	int32_t nout, capout, free_out, open_out;
	struct topo_event *ev;
	int32_t nev, capev;
	struct tunexp *unexp;
	int32_t nunexp, capunexp;
	long long now;
};

/* Broken: a candidate root of an outage. */
static inline bool topo_broken(int s)
{
	return s == TOPO_UNREACHABLE || s == TOPO_SILENT;
}

/* Cut off below a root. */
static inline bool topo_cutoff(int s)
{
	return s == TOPO_UNREACHABLE || s == TOPO_SILENT || s == TOPO_ISOLATED;
}

static inline long long topo_window(const struct topo *t, int level)
{
	return (long long)t->o.fresh_intervals * t->o.interval_ms[level];
}

/* The view a probe's or link's state gives. */
enum topo_view topo_view_of(enum report_oper s);

/* index of code, or -1 */
int32_t topo_find(const struct topo *t, code_t code);

/* The inputs of node i's decision; states, fresh_below and below_ms
 * (per agent) from the arrays given, else from the records. */
void topo_gather(const struct topo *t, int32_t i, const uint8_t *states,
		 const int32_t *fresh_below, const long long *below_ms,
		 struct topo_in *in);

/* Set node i's state: counts along its ancestors, t->changed (topo.c). */
int topo_set_state(struct topo *t, int32_t i, int s);

/* Expire what is stale at now (topo.c). */
int topo_expire(struct topo *t, long long now);

/* End of a public call: settle outages; the count of changes or -errno. */
int topo_finish(struct topo *t, int rc);

/* Outage bookkeeping after the states of t->changed[] moved. */
int topo_outage_update(struct topo *t);

/* Open/close of the outage at node i (topo_outage.c). */
int topo_outage_open(struct topo *t, int32_t i);
int topo_outage_close(struct topo *t, int32_t i, code_t subsumed_by);

/* The cut-off counts below a root (excluding itself). */
void topo_outage_counts(const struct topo *t, int32_t i,
			int cut[LEVEL_COUNT], int *total);


/* Grow an array of elements of size sz to hold at least need. */
int topo_grow(void **p, int32_t *cap, int32_t need, size_t sz);

#endif
