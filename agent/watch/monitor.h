/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Watching links: the eBPF counters of every managed link (when BPF is
 * available here) with their rates, the links' state, and the prober's
 * targets — what `egnetctl links` shows.
 */
#ifndef EGNET_MONITOR_H
#define EGNET_MONITOR_H

#include <jansson.h>
#include <stdbool.h>

#include "agent/watch/probe.h"
#include "common/report.h"

struct linkmon;
struct desired;

struct mon_prev {
	char name[IFNAMSIZ];
	double t;
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes;
	double rx_pps, rx_bps, tx_pps, tx_bps;
	char oper[12]; /* state as last seen by monitor_sample(); "" first */
};

struct monitor {
	struct linkmon *lm; /* NULL: no BPF here (reason below) */
	char lm_reason[256];
	struct prober probe;
	bool probing;
	char probe_reason[256];
	struct mon_prev *prev;
	int n_prev;
	json_t *events; /* recent state changes, newest last */
	/* Called on a target's and a link's change of state (the reporter
	 * listens); set after monitor_open(). */
	void (*on_event)(const struct report_event *ev, void *arg);
	void *event_arg;
};

/* Load BPF (falling back to socket timestamps), attach to ds's links,
 * open the prober.  Never fails: what is missing is said in status. */
void monitor_open(struct monitor *m, const struct desired *ds);
void monitor_close(struct monitor *m);

/*
 * After an apply or reload: attach to the new links, new targets.  A new
 * probe port or window (or probes that could not start before) reopens
 * the prober's sockets: the caller stops watching the old ones first
 * (monitor_probe_reopens() says whether that will happen).
 */
void monitor_update(struct monitor *m, const struct desired *ds);
bool monitor_probe_reopens(const struct monitor *m, const struct desired *ds);

/* How often the daemon calls monitor_sample(). */
#define MONITOR_SAMPLE_MS 1000

/* Sample the counters of ds's links: the rates over the last interval;
 * a link whose state changed since the last sample is an event. */
void monitor_sample(struct monitor *m, const struct desired *ds);

/* Counters and rates of ds's links (as of the last sample), and the
 * targets.  Reading changes nothing. */
json_t *monitor_links(struct monitor *m, const struct desired *ds);

/* The same into a report's links and targets (at most the schema's
 * bounds; the rest are left out and said in the log once). */
void monitor_report(struct monitor *m, const struct desired *ds,
		    struct report *r);

#endif
