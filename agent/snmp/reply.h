/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The poller's pure step: a device's reply (the varbinds of a PDU) into
 * the device's state (struct snmp_dev), and the requests that follow.
 * No I/O, no clock, no logging: poll.c sends and receives, these
 * functions only read what came back, so they are tested on hand-made
 * replies (tests/unit/test_snmpreply.c).
 *
 * Replies are hostile: a varbind may be missing, of the wrong type, for
 * another OID than asked, an exception (noSuchObject, noSuchInstance,
 * endOfMibView), a string of any length, a walk that goes backwards or
 * never ends.  Each value is taken only when its OID is the one asked
 * and its type the one IF-MIB gives; anything else leaves that value
 * unknown and is counted in dev->bad with the last reason in dev->why.
 *
 * The state: an interface is resolved (name -> ifIndex) by walking ifName
 * and ifDescr together with GETBULK (ifName first, then ifDescr);
 * re-resolved when the device rebooted (sysUpTime went back) or the name
 * at the ifIndex is not the interface's any more.  Rates come from the
 * 64-bit counters: a wrap is a wrap (unsigned difference), a reboot or
 * a counter that went back by more than half the range starts a new
 * baseline instead of a rate.
 */
#ifndef EGNET_SNMP_REPLY_H
#define EGNET_SNMP_REPLY_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdbool.h>
#include <stdint.h>

#include "common/snmpconf.h"

/* IF-MIB columns and the system group, as OIDs without their index. */
#define REPLY_OID_MAX 16
enum reply_col {
	COL_IFNAME,
	COL_IFDESCR,
	COL_ADMIN,
	COL_OPER,
	COL_HCIN,
	COL_HCOUT,
	COL_INERR,
	COL_OUTERR,
	COL_INDISC,
	COL__N
};
#define REPLY_IF_VARS (COL__N - 1) /* per interface in a GET: its name
				      column (ifName or ifDescr) + 7 */
extern const oid reply_sysuptime[9], reply_sysname[9];
struct reply_colinfo {
	const oid *base;
	size_t len;
	unsigned char type; /* ASN type a value must have */
};
extern const struct reply_colinfo reply_cols[COL__N];

extern const char *const reply_oper_words[]; /* [0] "unknown", 1..7 IF-MIB */
extern const char *const reply_admin_words[]; /* [0] "unknown", 1..3 */

#define REPLY_WALK_MAX_ROWS 65536 /* a walk longer than this is refused */

struct snmp_if {
	char name[SNMP_NAME_LEN]; /* as configured */
	long ifindex;		  /* 0: not resolved */
	int by;			  /* COL_IFNAME or COL_IFDESCR */
	/* what the last poll read (have_*: it did) */
	bool have;	       /* this poll read the interface at all */
	int oper, admin;       /* IF-MIB values, 0: unknown */
	bool have_hc, have_err;
	uint64_t in_octets, out_octets;
	uint32_t in_errors, out_errors, in_discards;
	/* rates over the last two polls that read the HC counters */
	bool have_rate;
	double in_bps, out_bps;
	bool have_base; /* a baseline: base_* at base_t */
	uint64_t base_in, base_out;
	double base_t;
};

struct snmp_walk {
	oid next[COL_IFDESCR + 1][MAX_OID_LEN]; /* where each column is */
	size_t next_len[COL_IFDESCR + 1];
	bool done[COL_IFDESCR + 1];
	long found[SNMP_MAX_IFACES][COL_IFDESCR + 1]; /* ifIndex by column */
	int rows;
};

struct snmp_dev {
	const struct snmp_devconf *c;
	int n_if;
	struct snmp_if ifs[SNMP_MAX_IFACES];
	char sysname[SNMP_NAME_LEN];
	bool have_uptime;
	uint32_t uptime; /* sysUpTime, centiseconds */
	bool rebooted;	 /* the last reply's sysUpTime went back */
	bool need_resolve;
	unsigned long bad; /* values refused in replies */
	char why[160];	   /* the last one's reason */
	struct snmp_walk walk;
};

/* Set @d up for the device @c: interfaces not resolved yet. */
void reply_dev_init(struct snmp_dev *d, const struct snmp_devconf *c);

/* Start a name walk: both columns from their start. */
void reply_walk_start(struct snmp_dev *d);

/*
 * A GETBULK reply of the name walk (the request asked for the columns
 * not yet done, in COL_IFNAME, COL_IFDESCR order, @ncols of them).
 * Returns 1 when the walk goes on (d->walk.next says from where), 0 when
 * it is over (then every interface has its ifIndex, or 0 when neither
 * column has its name), or -EPROTO with the reason in d->why when the
 * reply cannot be part of a walk (a column went backwards, no progress,
 * too many rows).
 */
int reply_walk(struct snmp_dev *d, const netsnmp_variable_list *vars);

/*
 * The OIDs of a GET for interfaces [first, first + n) of @d (resolved
 * ones only; with the system group first when @sys): into @oids (room
 * for @max), their lengths into @lens.  Returns how many.
 */
int reply_get_oids(const struct snmp_dev *d, bool sys, int first, int n,
		   oid (*oids)[MAX_OID_LEN], size_t *lens, int max);

/*
 * A GET's reply, for the request reply_get_oids(d, sys, first, n) made,
 * at time @now (s, monotonic).  Values into the interfaces; a reboot
 * (sysUpTime back) or a name that moved sets d->need_resolve (and, for
 * a reboot, d->rebooted and the interfaces' baselines dropped).  Returns
 * the number of values refused.
 */
int reply_get(struct snmp_dev *d, bool sys, int first, int n,
	      const netsnmp_variable_list *vars, double now);

/*
 * The rate of a 64-bit counter from @prev to @cur over @dt s into *bps
 * (bits/s).  false when there is none: dt not positive, or a counter that
 * went back more than half its range (a reset, not a wrap), or a rate
 * beyond 10 Tb/s.
 */
bool reply_rate(uint64_t prev, uint64_t cur, double dt, double *bps);

/* Forget what was read of the interfaces (the device is down): their
 * state is unknown, the baselines stay for when it is back. */
void reply_forget(struct snmp_dev *d);

#endif
