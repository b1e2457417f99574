/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The control socket's commands: one table (name, the fields it takes with
 * their types and bounds, its handler).  A request is checked against its
 * command's fields before anything runs: an unknown command or field, a
 * field of the wrong type or out of range is an error answer, and nothing
 * changes.
 */
#ifndef EGNET_CTLCMD_H
#define EGNET_CTLCMD_H

#include <jansson.h>
#include <stddef.h>

struct agent;
struct monitor;
struct ctlsock;
struct reporter;
struct poller;

/* What a command changed, for the event loop to follow (bits). */
enum {
	CTLCMD_PENDING = 1, /* commit-confirm state: re-arm its timers */
	CTLCMD_CONFIG = 2,  /* configuration: the monitor follows it */
};

struct ctlcmd_ctx {
	struct agent *a;
	struct monitor *mon;
	const struct ctlsock *cs; /* its figures in status; may be NULL */
	struct reporter **rep;	  /* the collector in status; may be NULL */
	struct agentx **ax;	  /* the AgentX subagent in status; may be NULL */
	struct poller **snmp;	  /* the SNMP poller; may be NULL */
	void (*changed)(void *arg, unsigned what);
	void *arg;
};

/*
 * Check req (a JSON object) against the command table.  Returns 0 and the
 * command's index in *cmd, or -EINVAL with the reason in err.  Pure.
 */
int ctlcmd_check(const json_t *req, int *cmd, char *err, size_t errlen);

/* Check and run req; the answer is always a JSON object, never NULL. */
json_t *ctlcmd_run(struct ctlcmd_ctx *c, const json_t *req);

/* A ctlsock_dispatch_fn over a struct ctlcmd_ctx. */
json_t *ctlcmd_dispatch(void *ctx, const json_t *req);

#endif
