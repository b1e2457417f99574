/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside the SNMP poller: what poll.c (sessions, polls) and poll_show.c
 * (what `egnetctl snmp`, status and the reports show) share.  Not for
 * users of poll.h.
 */
#ifndef EGNET_SNMP_POLL_INT_H
#define EGNET_SNMP_POLL_INT_H

#include <event2/event.h>
#include <stdbool.h>

#include "agent/snmp/reply.h"
#include "common/snmpconf.h"

enum phase { PH_IDLE, PH_PROBE, PH_WALK, PH_GET };
#define UNFOUND_REWALK 6 /* polls before names not found are walked again */
enum res { RES_NONE, RES_OK, RES_MORE, RES_FAIL, RES_TOOBIG };

struct pdev {
	struct poller *p;
	struct snmp_devconf c;
	struct snmp_dev st;
	struct snmp_session *sess; /* in net-snmp's list; NULL: none open */
	bool closing;
	struct event *tick, *step;
	int phase;
	bool busy, walked;
	bool walk_only;	   /* this poll ends after the walk (poller_kick) */
	int unfound_polls; /* polls since a walk left a name unfound */
	int first, maxvb;  /* the GET in flight: interfaces from first */
	int sent_n;	   /* how many interfaces it asks for */
	bool sent_sys;
	int res;       /* what the callback found (enum res) */
	char err[200]; /* its reason when RES_FAIL */
	int state;     /* enum report_oper */
	int fails;
	long long since_ms;
	char error[200];
	unsigned long polls, failed, varbinds;
	double cycle_t0, last_ms;
};

struct poller {
	struct event_base *base;
	struct snmpconf sc;
	int n;
	struct pdev *devs;
	bool lib;
};

#endif
