/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Five-level verification: the expected tree of the inventory, the state of
 * every node from the agents' last reports, the outages at their root
 * cause, and coverage per level and per region.  Pure code: no I/O, no
 * threads, no clock (every call is given "now"), no store; the collector
 * feeds it one observation per report and reads states, outages, events
 * and coverage back.
 *
 * Error policy: functions return 0 (or a count) or a negative errno and,
 * where they take one, write the reason into the caller's buffer; they
 * never log.  An observation that is wrong (a code not in the inventory, a
 * village's code, a time older than the last one, a target that is not
 * the node's child) changes nothing it should not: unexpected nodes are
 * recorded apart, foreign targets are counted and ignored.
 *
 * Layout: nodes in one array in code order, which is the tree's preorder
 * (a node's subtree is the contiguous range [i, end)); the 5-6 % of nodes
 * that run an agent have a second record with their own report's view,
 * their freshness and their subtree's counts per level and state.  A
 * change recomputes the node, the children whose view changed and the
 * ancestors whose freshness below changed, and goes down only where a
 * state changed; coverage counts are kept along the <= 4 ancestors.
 *
 * ---- What a node's state is made of ----------------------------------
 *
 * fresh   an agent whose last report is at most fresh_intervals (3) report
 *         intervals of its level old at "now".
 * down    the parent's view of the edge to this node: the state of the
 *         parent's probe of it in the parent's last report (NONE when the
 *         parent is not fresh: an end that cannot speak; UNKNOWN when the
 *         parent does not list it or has no verdict yet).
 * refused the parent's probe of this gateway is DOWN but "refused": the
 *         gateway's own address answered it with an ICMP port
 *         unreachable, so the gateway and its line work and nothing
 *         listens on the probe port: its agent is gone.  Read only with
 *         down = DOWN, never for a village.  A refusal is never an
 *         answer, so it can turn a cut line into a dead agent, never
 *         into a connected node.
 * up      the node's own view: the state of its probe of its parent (NONE
 *         when the node is not fresh, or for the province).
 * uplink  the state of the node's own uplink link (its role "uplink").
 * wrong parent  the node's fresh report names another parent than its
 *         code's (or probes another code as its parent): flagged, its own
 *         view of the edge is not used, and it is never connected.
 * carried reports from below still arrive through a node whose own
 *         reports stopped: an agent below is fresh, and the newest report
 *         from below is newer than this node's last one plus one interval
 *         (a report that left before the node stopped proves nothing).
 *         The collector receives every report over the province's links,
 *         so a carried node's line works: its agent died.
 * recovering  the parent's view of a node whose reports are stale became
 *         UP (or became valid, the parent's reports fresh again) less
 *         than fresh_intervals ago, after the node's last report: its
 *         own report is due, so it is neither blamed (silent) nor
 *         connected yet.  Without it, every node of a repaired branch
 *         would open an outage of its own for the interval between its
 *         parent's report and its own.
 * over    the edge's loss or RTT (the worse of both ends' measurements
 *         that can be trusted) is over the thresholds of the node's level.
 *
 * ---- The decision table (topo_decide; the rows are its names) ---------
 *
 * States, in the order rows are tried; "ok" = connected or degraded,
 * "cut" = unreachable or isolated, "dark" = silent or never seen.
 *
 * Province (no parent, no edge above it):
 *   P1 never reported                         -> never
 *   P2 fresh                                  -> connected
 *   P3 not fresh, carried                     -> silent
 *   P4 not fresh, not carried                 -> unreachable
 * City, county, township (an agent under an agent); "lost" is
 * down = DOWN without refused:
 *   A1 never reported                         -> never
 *   A2 parent cut                             -> isolated
 *   A3 not fresh, carried                     -> silent (agent died,
 *                                                line carries reports)
 *   A4 not fresh, down = DOWN, refused        -> silent (the gateway
 *                                                answers its parent, its
 *                                                agent does not)
 *   A5 not fresh, lost                        -> unreachable
 *   A6 not fresh, down = UP, recovering       -> unconfirmed (coming back:
 *                                                its own report is due)
 *   A7 not fresh, parent ok                   -> silent
 *   A8 not fresh, otherwise (parent
 *      unconfirmed or dark)                   -> isolated
 *   A9 fresh, uplink = DOWN                   -> unreachable
 *   A10 fresh, wrong parent                   -> unreachable if lost, else
 *                                                unconfirmed (flagged,
 *                                                never connected)
 *   A11 fresh, parent dark                    -> degraded if over, else
 *                                                connected (one end: the
 *                                                parent's agent cannot
 *                                                speak; its echo died with
 *                                                it, so up is not used)
 *   A12 fresh, lost or up = DOWN              -> unreachable
 *   A13 fresh, down = DOWN, refused           -> unconfirmed (its agent
 *                                                stopped answering; its
 *                                                reports are not late yet:
 *                                                A4 when they are)
 *   A14 fresh, down = UP and up = UP          -> unconfirmed if the
 *                                                parent is; degraded if
 *                                                the parent is or over;
 *                                                else connected
 *   A15 fresh, otherwise (an end that can
 *       speak has no verdict)                 -> unconfirmed
 * Village (no agent; the township's probes are all there is):
 *   V1 never probed to a verdict              -> never
 *   V2 township cut or dark                   -> isolated (not counted
 *                                                connected)
 *   V3 down = DOWN                            -> unreachable
 *   V4 down = UP                              -> as A14 (township's state
 *                                                and the village's over)
 *   V5 otherwise                              -> unconfirmed
 *
 * "unconfirmed" is a seventh state the six leave out: the reports
 * are fresh and nothing says down, but an end that can speak gives no
 * verdict on the edge (it does not list it, or its prober has not decided
 * yet).  It is not connected (both ends are required) and not an outage.
 *
 * A killed agent: a city or county is told apart from a cut line by the
 * reports of its children that still arrive (A3); a township, which has
 * no agent below, by its parent's probes being refused (A4).  A gateway
 * whose firewall drops the probe port's ICMP error, or whose parent's
 * agent is older than the "refused" member, still looks like a cut line
 * (A5).
 *
 * ---- Outages ------------------------------------------------------------
 *
 * A node is broken when it is unreachable or silent.  An outage is open for
 * every broken node with no broken ancestor: its root, which names it while
 * it lasts (the root's state may go from silent to unreachable and back;
 * it is the same outage).  It cuts off the root's descendants that are
 * unreachable, isolated or silent, counted and listed per level.  A break
 * under an open outage is not a new root while the outage lasts; when the
 * outage closes, that break opens its own.  A break above an open outage
 * closes it "subsumed" (the event names the new root) and opens the new
 * root's.  Two breaks in different branches are two outages.  An outage
 * closes when its root is no longer broken (repaired).  Open and close
 * are queued as events with the time of the call that caused them.
 */
#ifndef EGNET_TOPO_H
#define EGNET_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/code.h"
#include "common/inventory.h"
#include "common/report.h"

enum topo_state {
	TOPO_NEVER = 0,
	TOPO_CONNECTED,
	TOPO_DEGRADED,
	TOPO_UNCONFIRMED,
	TOPO_UNREACHABLE,
	TOPO_ISOLATED,
	TOPO_SILENT,
	TOPO_STATE__N,
	TOPO_NONE = -1, /* no parent (topo_in.parent of a province) */
};
/* "never", "connected", "degraded", "unconfirmed", "unreachable",
 * "isolated", "silent" */
extern const char *const topo_state_words[];

/* One end's view of an edge. */
enum topo_view {
	TOPO_VIEW_NONE = 0, /* the end cannot speak (not fresh, or none) */
	TOPO_VIEW_UNKNOWN,  /* it speaks but gives no verdict */
	TOPO_VIEW_UP,
	TOPO_VIEW_DOWN,
};

/* The inputs of one node's decision (see the table above). */
struct topo_in {
	enum code_level level;
	bool seen;    /* agent: reported once; village: probed to a verdict */
	bool fresh;   /* agents only */
	bool carried; /* agents only */
	bool recovering; /* agents only */
	enum topo_view down, up, uplink;
	bool over;
	enum topo_state parent; /* TOPO_NONE for a province */
	bool refused;      /* agents: down = DOWN, and the gateway refused */
	bool wrong_parent; /* agents, fresh: its report names another */
};

/*
 * The decision table: the state of one node from its inputs and its
 * parent's state.  *row (when not NULL) is set to the row's name ("A7").
 */
enum topo_state topo_decide(const struct topo_in *in, const char **row);

/* Thresholds and freshness.  The wiring fills them from the profiles and
 * the collector's config. */
struct topo_opts {
	int interval_ms[LEVEL_COUNT]; /* report interval of an agent level */
	int fresh_intervals;          /* fresh: at most this many old (3) */
	/* the edge into a node of a level is over when its loss or RTT is
	 * above these (<= 0: no threshold) */
	double loss_pct[LEVEL_COUNT];
	double rtt_ms[LEVEL_COUNT];
};

/* 30 s intervals, 3 of them, 2 % loss and 100/100/150/200/300 ms RTT. */
void topo_opts_default(struct topo_opts *o);

/* One probe in an observation: a target's code, state and figures
 * (negative rtt/jitter/loss: not measured). */
struct topo_probe {
	code_t code;
	enum report_oper state;
	double rtt_ms, loss_pct, jitter_ms;
	bool refused; /* report_target.refused (ignored for villages) */
};

/* What one agent's last report says, as the engine needs it. */
struct topo_obs {
	long long time_ms;  /* the time the report stands for (the wiring
			       chooses: receipt, or the report's own time) */
	code_t parent;      /* the parent the report names (0: province) */
	enum report_oper uplink;
	struct topo_probe up; /* its probe of its parent; code 0: none */
	int n_down;
	const struct topo_probe *down; /* its probes of children, villages */
};

/*
 * Fill *o from a decoded report (the caller's buf holds up to max probes;
 * the ones beyond are left out and counted in the return value).  The
 * uplink is the first link of role "uplink" (unknown when none); the up
 * probe the first target of relation parent.  Returns how many probes
 * were left out (0 normally).
 */
int topo_obs_from_report(const struct report *r, long long time_ms,
			 struct topo_obs *o, struct topo_probe *buf, int max);

struct topo;

/*
 * The expected tree from n codes (any order): duplicates, a code whose
 * parent is not in the list, and codes that are not division codes are
 * refused (NULL, errno EINVAL, the first problem in err).  Any number of
 * provinces.  Every node starts "never".  NULL with ENOMEM too.
 */
struct topo *topo_new(const code_t *codes, size_t n,
		      const struct topo_opts *o, char *err, size_t errlen);
struct topo *topo_new_inventory(const struct inventory *inv,
				const struct topo_opts *o, char *err,
				size_t errlen);
void topo_free(struct topo *t);

/*
 * The last report of the agent `code` says *o.  Expires what is stale at
 * now_ms first.  Returns how many nodes changed state (>= 0), or
 * -ENOENT: not in the inventory (recorded as unexpected), -EINVAL: a
 * village, a time <= 0, or n_down < 0, -ESTALE: older than the last
 * observation of that node (ignored).  A named parent that is not the
 * code's parent, or an up probe of another code, flags the node
 * (topo_node_info.wrong_parent, said_parent), its up view is not used
 * and, while its reports say so, it is never connected (row A10).
 */
int topo_observe(struct topo *t, code_t code, const struct topo_obs *o,
		 long long now_ms);

/* Expire the reports that are stale at now_ms.  Changes, as above. */
int topo_tick(struct topo *t, long long now_ms);

/*
 * Recompute everything from the inputs (the full verification), as the
 * incremental path would have; outage events for what differs.  Returns
 * how many nodes changed.
 */
int topo_recompute(struct topo *t, long long now_ms);

/*
 * Check that the incrementally kept state equals a full recompute from
 * the inputs (states, counts, freshness below, outage roots).  0, or
 * -EPROTO with the first difference in err; -ENOMEM.
 */
int topo_check(const struct topo *t, char *err, size_t errlen);

struct topo_node_info {
	code_t code;
	enum code_level level;
	enum topo_state state;
	bool agent, fresh, wrong_parent;
	code_t said_parent;    /* the parent its last report named */
	bool refused;          /* the parent's probe of it: refused */
	long long last_ms;     /* last observation, 0: none (agents) */
	code_t outage;         /* root of the open outage it is in, or 0 */
	enum topo_view down, up, uplink;
	double rtt_ms, loss_pct, jitter_ms; /* the parent's probe of it */
	unsigned ignored;      /* targets of its last report not its own */
};

/* A node of the inventory, or -ENOENT. */
int topo_node(const struct topo *t, code_t code, struct topo_node_info *out);

struct topo_coverage {
	int count[LEVEL_COUNT][TOPO_STATE__N];
	int expected[LEVEL_COUNT];
	int connected[LEVEL_COUNT]; /* connected + degraded */
};

/* Coverage of a region's subtree (itself included), or of the whole
 * inventory with region 0.  -ENOENT for a region not in it. */
int topo_coverage(const struct topo *t, code_t region,
		  struct topo_coverage *out);

/* "villages 11,504 / 11,580 = 99.34 %" into buf; returns buf. */
char *topo_coverage_line(const struct topo_coverage *c, enum code_level l,
			 char *buf, size_t len);

struct topo_outage {
	code_t root;
	enum topo_state state;     /* the root's: unreachable or silent */
	long long opened_ms;
	int cut[LEVEL_COUNT];      /* descendants cut off, per level */
	int total;
};

/* The open outages in code order: fills up to max, returns how many. */
int topo_outages(const struct topo *t, struct topo_outage *out, int max);

/* The nodes of `level` cut off by the outage rooted at root, in code
 * order: fills up to max, returns how many; -ENOENT when no outage is
 * open there. */
int topo_outage_cut(const struct topo *t, code_t root, enum code_level level,
		    code_t *out, int max);

enum topo_ev_type { TOPO_EV_OPEN, TOPO_EV_CLOSE };

struct topo_event {
	enum topo_ev_type type;
	code_t root;
	enum topo_state state;     /* the root's at the event */
	long long opened_ms, time_ms;
	int cut[LEVEL_COUNT];      /* at the event */
	code_t subsumed_by;        /* close: the new root above, or 0 */
};

/* Take up to max queued events, oldest first; returns how many. */
int topo_events(struct topo *t, struct topo_event *out, int max);

struct topo_unexpected {
	code_t code, parent; /* parent: as its report named it */
	long long last_ms;
	uint64_t reports;
};

/* Nodes that reported but are not in the inventory, in code order:
 * fills up to max, returns how many. */
int topo_unexpected(const struct topo *t, struct topo_unexpected *out,
		    int max);

/* Bytes the engine holds (its own count, for the memory budget). */
size_t topo_mem(const struct topo *t);

#endif
