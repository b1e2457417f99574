// SPDX-License-Identifier: BSD-2-Clause
/*
 * The report an agent sends to the collector: schema v1, one encoder and one
 * strict decoder shared by both sides (docs/report.md has a full example).
 *
 * Role: a plain value type (struct report) and its JSON form.  The agent
 * fills a struct report from its own state and encodes it; the collector
 * decodes what arrives, and a body that is not exactly schema v1 is refused
 * with a reason, never half-read.
 *
 * Error policy: report_decode() returns 0, or -1 with a one-line reason in
 * the caller's buffer naming the field (e.g. "links[3].state: \"sideways\"
 * is not one of up, down, unknown") and a short machine word for the reason
 * (REPORT_ERR_*) that the collector counts rejections by.  Nothing is
 * allocated on failure.  report_encode() fails on a report that
 * report_check() accepts only when memory runs out or when its body would
 * pass REPORT_MAX_BYTES (a report near every bound at once).
 *
 * Layout: fixed-size strings and bounded arrays, so a decoded report holds
 * no pointer into the JSON and a hostile body cannot make it big: the
 * bounds below are the schema's, and a body beyond REPORT_MAX_BYTES is
 * refused before it is parsed.
 */
#ifndef EGNET_COMMON_REPORT_H
#define EGNET_COMMON_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/code.h"

#define REPORT_SCHEMA      1
#define REPORT_MAX_BYTES   (1024 * 1024) /* a body, before parsing */
#define REPORT_MAX_DEPTH   8             /* nesting of JSON containers */
#define REPORT_MAX_LINKS   256
#define REPORT_MAX_TARGETS 1024
#define REPORT_MAX_PAIRS   128
#define REPORT_MAX_EVENTS  256
#define REPORT_MAX_DROPS   16  /* drop reasons per link: the most packets */
#define REPORT_NAME_LEN    64  /* names, zones, pair and reason words */
#define REPORT_TEXT_LEN    256 /* messages */
#define REPORT_NODE_NAME_LEN 128 /* a node's name as the inventory has it */
#define REPORT_PAIR_LEN    72  /* "FROM->TO" of two 31-byte zone names */
#define REPORT_MAX_SNMP_DEVICES 16 /* the node config's snmp.devices */
#define REPORT_MAX_SNMP_IFACES	64 /* interfaces of one device */

/* Why a body was refused: a word the collector counts by. */
enum report_err {
	REPORT_ERR_NONE,
	REPORT_ERR_SIZE,    /* "oversize": over REPORT_MAX_BYTES */
	REPORT_ERR_JSON,    /* "json": not JSON, truncated, too deep */
	REPORT_ERR_VERSION, /* "version": schema is not REPORT_SCHEMA */
	REPORT_ERR_SCHEMA,  /* "schema": a field missing, of the wrong type,
			       unknown, or beyond a bound */
	REPORT_ERR_RANGE,   /* "range": a number out of its range */
	REPORT_ERR_CODE,    /* "code": not a division code, or the parent
			       cannot be one (null below the province,
			       one on the province, not above the node) */
	REPORT_ERR__N
};
extern const char *const report_err_words[]; /* indexed by enum report_err */

/* The agent's state (the words of `egnetctl status`). */
enum report_apply {
	RPT_APPLY_UNAPPLIED,
	RPT_APPLY_CONVERGED,
	RPT_APPLY_DRIFT,
	RPT_APPLY_FAILED,
	RPT_APPLY_PENDING, /* "pending-confirm" */
	RPT_APPLY__N
};
extern const char *const report_apply_words[];

enum report_oper { RPT_OPER_UNKNOWN, RPT_OPER_UP, RPT_OPER_DOWN, RPT_OPER__N };
extern const char *const report_oper_words[]; /* "unknown", "up", "down" */

/* What a probe target is to this node (desired.h's target_rel words). */
enum report_rel { RPT_REL_PARENT, RPT_REL_CHILD, RPT_REL_VILLAGE, RPT_REL__N };
extern const char *const report_rel_words[];

/* Where an RTT's stamps came from (probe.h's probe_ts words), or none. */
enum report_stamp {
	RPT_STAMP_NONE, /* no answer yet: "stamps": null */
	RPT_STAMP_USER,
	RPT_STAMP_SOCKET_RX,
	RPT_STAMP_SOCKET,
	RPT_STAMP_EBPF,
	RPT_STAMP__N
};
extern const char *const report_stamp_words[]; /* [0] is NULL */

/* A link or bridge port with its counters; counters absent when the agent
 * has no counter source (has_counters false), drops likewise. */
struct report_drop {
	char reason[REPORT_NAME_LEN];
	uint64_t packets, bytes;
};

struct report_link {
	char name[16];               /* IFNAMSIZ */
	char role[REPORT_NAME_LEN];  /* uplink, downlink, lan, internet, port */
	char zone[REPORT_NAME_LEN];
	enum report_oper state;
	bool has_counters;
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	double rx_bps, tx_bps; /* over the agent's last sampling interval */
	bool has_drops;
	uint64_t drop_packets, drop_bytes;
	int n_drops;
	struct report_drop drops[REPORT_MAX_DROPS];
};

/*
 * RTT, jitter in ms, loss in percent; a negative RTT/jitter: not measured.
 * refused: the target's own address answered our latest probes with an
 * ICMP port unreachable, and its agent has not answered since: the
 * gateway is up, nothing listens on the probe port (its agent is gone).
 * Never set for a village (ICMP echo), never counted as an answer.
 */
struct report_target {
	code_t code;
	char name[REPORT_NODE_NAME_LEN];
	enum report_rel rel;
	enum report_oper state;
	long long since_ms; /* wall clock of the last state change, 0: never */
	double rtt_ms, rtt_avg_ms, jitter_ms, loss_pct;
	enum report_stamp stamps;
	uint64_t sent, received;
	bool refused;
};

/* Firewall counters of one zone pair ("lan->uplink"). */
struct report_pair {
	char pair[REPORT_PAIR_LEN]; /* "FROM->TO", two zone names */
	uint64_t acc_packets, acc_bytes, drop_packets, drop_bytes;
};

/* An interface of a device polled over SNMP (its IF-MIB row): state from
 * ifOperStatus, admin from ifAdminStatus (both unknown when the device is
 * down or the row is not found); counters when the last poll read them,
 * rates when two polls in a row did. */
struct report_snmp_if {
	char name[REPORT_NAME_LEN]; /* as configured (ifName or ifDescr) */
	uint64_t ifindex;	    /* 0: no row has the name */
	enum report_oper state, admin;
	bool has_counters;
	uint64_t in_octets, out_octets, in_errors, out_errors, in_discards;
	bool has_rates;
	double in_bps, out_bps;
};

/* A device polled over SNMP: up, down (after snmp.down_after failed
 * polls, error says why), unknown (not polled yet). */
struct report_snmp_dev {
	char name[REPORT_NAME_LEN];
	char address[REPORT_NAME_LEN];
	enum report_oper state;
	char error[REPORT_TEXT_LEN]; /* "" when the last poll was whole */
	char sys_name[REPORT_NAME_LEN];
	long long uptime_s; /* sysUpTime */
	int n_ifs;
	struct report_snmp_if ifs[REPORT_MAX_SNMP_IFACES];
};

/* Something that happened since the last report. */
enum report_ev {
	RPT_EV_TARGET,  /* a probe target went up or down: code, state */
	RPT_EV_LINK,    /* a link went up or down: link, state */
	RPT_EV_APPLY,   /* an apply/confirm/rollback ended: ok, text, hash */
	RPT_EV_DRIFT,   /* drift found (text) or corrected */
	RPT_EV_START,   /* the agent started */
	RPT_EV__N
};
extern const char *const report_ev_words[];

struct report_event {
	long long time_ms; /* wall clock */
	enum report_ev type;
	code_t code;              /* RPT_EV_TARGET */
	char link[16];            /* RPT_EV_LINK */
	enum report_oper state;   /* TARGET, LINK */
	bool ok;                  /* APPLY: it succeeded; DRIFT: corrected */
	char hash[72];            /* APPLY: the profile hash applied */
	char text[REPORT_TEXT_LEN];
};

struct report {
	int schema;           /* REPORT_SCHEMA */
	code_t node;          /* 12-digit code */
	enum code_level level;
	code_t parent;        /* code_parent(node); 0 for the province */
	uint64_t seq;         /* per agent, from 1, never reused */
	long long time_ms;    /* wall clock when the report was made */
	char agent_version[32];
	long long uptime_s;
	long long interval_s; /* the agent's report interval, 1..3600: how
				 old a report may be before it is late */
	/* the profile applied (all empty when none is) */
	char profile[REPORT_NAME_LEN], profile_version[REPORT_NAME_LEN];
	char profile_hash[72];
	enum report_apply apply;
	bool drift;           /* the kernel differs from the applied state */
	char drift_text[REPORT_TEXT_LEN]; /* the first difference, or "" */
	int n_links, n_targets, n_pairs, n_events;
	struct report_link links[REPORT_MAX_LINKS];
	struct report_target targets[REPORT_MAX_TARGETS];
	struct report_pair pairs[REPORT_MAX_PAIRS];
	struct report_event events[REPORT_MAX_EVENTS];
	/* the devices polled over SNMP; the member is left out when none */
	int n_snmp;
	struct report_snmp_dev snmp[REPORT_MAX_SNMP_DEVICES];
};

/*
 * The report names another parent than its code's (node.parent, a code
 * above the node's level: accepted, and flagged by this).  The collector
 * shows it and never counts the node as connected on its word.
 */
bool report_parent_mismatch(const struct report *r);

/*
 * Check a report's values as the decoder would (codes, ranges, bounds,
 * words).  0, or -1 with the reason in err.  Used by the encoder's callers
 * so that what the agent sends is what the collector accepts.
 */
int report_check(const struct report *r, char *err, size_t errlen);

/* The JSON object of @r (new reference).  @r must pass report_check(). */
json_t *report_to_json(const struct report *r);

/*
 * Encode @r compactly into a malloc'd string (*out, length *len; the
 * caller frees it).  0, or -1 with the reason when report_check() refuses
 * @r, memory runs out, or the body would be over REPORT_MAX_BYTES.
 */
int report_encode(const struct report *r, char **out, size_t *len, char *err,
		  size_t errlen);

/*
 * Decode @len bytes of @body into *r: strict schema v1 (unknown member,
 * missing member, wrong type, out-of-range number, unknown word, code that
 * is not a division code or parent that cannot be one; a parent above the
 * node that is not its code's is accepted: report_parent_mismatch), array
 * beyond its bound, nesting deeper than REPORT_MAX_DEPTH, body over
 * REPORT_MAX_BYTES).  0, or -1 with *why and the reason in err; *r is
 * unspecified on failure.  Only the entries below each n_* are written (a
 * struct report is ~600 KiB: the collector reuses one per worker rather
 * than clearing it per body).
 */
int report_decode(const char *body, size_t len, struct report *r,
		  enum report_err *why, char *err, size_t errlen);

#endif
