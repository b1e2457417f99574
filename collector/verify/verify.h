/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The verification wired into the collector: one engine (collector/topo)
 * built from the inventory, fed the observation of every report the ingest
 * accepts, ticked every second, its outages and coverage kept in the store
 * and its outage openings and closings handed to the alerts.
 *
 * Role.  The engine is pure and single-threaded; here it is guarded by one
 * mutex (an observation costs microseconds under it).  A thread of its own
 * ticks it (verify_tick) once a second, rebuilds it when a level's report
 * interval changes, and writes a coverage point per region and minute.
 * Outages are tracked here as well ("the registry"): the engine knows an
 * outage from its root's state, the registry from the store, so an
 * engine rebuilt (at the start, at a reload of the inventory, when an
 * interval changes) is reconciled with it: an outage open in both goes
 * on (its opening time kept), one only in the new engine opens, one only
 * in the registry closes.
 *
 * Restart.  At the start the engine is rebuilt from the store's last
 * reports (store_node_last, decoded), their receipt times moved forward by
 * the time the collector was away (from the newest receipt to the start):
 * reports that did not come while nobody listened prove nothing, so a
 * restart does not open an outage for everyone.
 *
 * Intervals.  A level's report interval is the largest agent.interval_s
 * the reports of that level have said (the store's report_interval_s
 * until one has); a change rebuilds the engine on the tick thread.
 *
 * Locks: a caller may hold the API's inventory lock (read or write) when
 * it calls in here, never the other way round.
 *
 * Error policy: 0 or a negative errno, reasons in the caller's buffer;
 * what goes wrong on the tick thread (the store busy, a report in the
 * store that does not decode) is counted in verify_stats, never logged
 * here.
 */
#ifndef EGNET_VERIFY_H
#define EGNET_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/topo/topo.h"
#include "common/inventory.h"
#include "common/report.h"

struct store;
struct alert;
struct verify;

struct verify_opts {
	struct topo_opts topo;   /* thresholds, fresh_intervals */
	int default_interval_s;  /* a level's interval until a report says */
	int tick_ms;             /* 1000 */
	long long coverage_ms;   /* a coverage point per region every (60 s) */
	enum code_level coverage_depth; /* regions kept down to (county) */
	struct alert *alert;     /* NULL: none */
	/* wall clock in ms; NULL: the real one (tests move time) */
	long long (*clock_ms)(void *arg);
	void *clock_arg;
};

void verify_opts_default(struct verify_opts *o);

/*
 * The engine of @inv (the caller keeps @inv; only its codes are taken),
 * rebuilt from @st's last reports and reconciled with the outages @st
 * holds open.  The tick thread is not started (verify_start).  0, or a
 * negative errno with the reason in @err.
 */
int verify_new(struct verify **v, const struct verify_opts *o,
	       const struct inventory *inv, struct store *st, char *err,
	       size_t errlen);

/* Start the tick thread.  0 or -errno. */
int verify_start(struct verify *v);

/* Stop the thread, free.  NULL is fine. */
void verify_free(struct verify *v);

/*
 * Report @r, received at @recv_ms and accepted by the store, seen by the
 * engine.  Returns what topo_observe() returns (-ENOENT: not in the
 * inventory, kept as unexpected; -ESTALE: older than the last).
 */
int verify_observe(struct verify *v, const struct report *r,
		   long long recv_ms);

/* One tick at @now_ms: expiry, events, the coverage point when one is
 * due, a rebuild when an interval changed.  The thread calls it; tests
 * call it with their own time. */
int verify_tick(struct verify *v, long long now_ms);

/*
 * A new inventory: a new engine built from it and the store's last
 * reports, swapped in and reconciled.  The old engine stays on failure.
 */
int verify_reload(struct verify *v, const struct inventory *inv, char *err,
		  size_t errlen);

/* ---- reads (verify_read.c) ---------------------------------------------- */

/* One node's state as the tree shows it. */
struct verify_node {
	code_t code;
	uint8_t level, state; /* enum code_level, enum topo_state */
	bool wrong_parent;
};

/* Every inventory node in code order (malloc'd, *n of them). */
int verify_nodes(struct verify *v, struct verify_node **out, int *n);

/* One node: 0, -ENOENT when not in the inventory. */
int verify_node(struct verify *v, code_t code, struct topo_node_info *out);

/* An open outage as the API shows it: the registry's opening time, the
 * engine's counts and nodes (malloc'd, freed by verify_outages_free). */
struct verify_outage {
	code_t root;
	enum topo_state state;
	long long opened_ms;
	int cut[LEVEL_COUNT];
	int n_nodes;
	code_t *nodes;
};

int verify_outages(struct verify *v, struct verify_outage **out, int *n);
void verify_outages_free(struct verify_outage *o, int n);

/* Coverage of @region (0: all); -ENOENT for a region not in it. */
int verify_coverage(struct verify *v, code_t region,
		    struct topo_coverage *out);

/* Nodes that reported but are not in the inventory (malloc'd). */
int verify_unexpected(struct verify *v, struct topo_unexpected **out,
		      int *n);

struct verify_stats {
	uint64_t observed, unexpected, stale, refused;
	uint64_t opened, closed, rebuilds;
	uint64_t store_errors;   /* outage or coverage records not queued */
	uint64_t bad_records;    /* last reports in the store not decoded */
	int open_outages;
	int interval_ms[LEVEL_COUNT];
	size_t mem;              /* the engine's bytes */
};

void verify_stats(struct verify *v, struct verify_stats *s);

#endif
