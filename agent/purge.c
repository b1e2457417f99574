// SPDX-License-Identifier: BSD-2-Clause
/*
 * The agent's purge (purge.h): one transaction per state that says what
 * egnet owns here — the applied state, a pending commit-confirm's target
 * and state before, an interrupted apply's journal, the configuration's
 * own target — each to the empty state (no table inet egnet, no route, no
 * rule, no link of ours), then the BPF filters of every link.  Each pass
 * reads the kernel again, so what an earlier pass removed costs nothing.
 * Errors return -errno with the reason; the command line logs.
 */
#include "agent/purge.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/agent_int.h"
#include "agent/apply/kjson.h"
#include "agent/apply/kstate.h"
#include "agent/apply/nl.h"
#include "agent/apply/statedir.h"
#include "agent/apply/txn.h"
#include "agent/fw/fw.h"
#include "agent/watch/linkmon.h"
#include "common/defaults.h"
#include "common/diag.h"
#include "common/inputs.h"
#include "common/nodeconf.h"
#include "common/log.h"

/* An agent answers on @path. */
static bool agent_running(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

struct purge_ctx {
	struct nlctx nl;
	const char *statedir;
	int prio_lo, prio_hi;
	int ops;
};

/* The kernel to the empty state, in the scope of @also (NULL: the table
 * and the routes of protocol egnet only). */
static int purge_pass(struct purge_ctx *p, const struct kstate *also,
		      const char *what, char *err, size_t errlen)
{
	struct kstate empty = {0};
	struct txn_result r;
	struct txn_opts o = {0};
	int rc;

	empty.fw = xcalloc(1, sizeof(*empty.fw)); /* present = false */
	o.statedir = p->statedir;
	o.journal = false;
	o.also = also;
	o.prio_lo = p->prio_lo;
	o.prio_hi = p->prio_hi;
	rc = txn_run(&p->nl, &empty, &o, &r);
	if (rc)
		snprintf(err, errlen, "removing %s: %s", what, r.msg);
	p->ops += r.ops_done;
	txn_result_free(&r);
	kstate_free(&empty);
	return rc;
}

/* A state file's state (and, with @target_key, the target kept in it)
 * as a pass; absent files are nothing to do, damaged ones an error. */
static int purge_file(struct purge_ctx *p, const char *name,
		      const char *target_key, char *err, size_t errlen)
{
	struct kstate ks, t;
	json_t *extra = NULL;
	char e[400];
	int rc;

	rc = statedir_read(p->statedir, name, &ks, NULL,
			   target_key ? &extra : NULL, e, sizeof(e));
	if (rc == -ENOENT)
		return 0;
	if (rc) {
		snprintf(err, errlen, "%s/%s.json: %s", p->statedir, name, e);
		return rc;
	}
	rc = purge_pass(p, &ks, name, err, errlen);
	if (!rc && target_key &&
	    kstate_from_json(json_object_get(extra, target_key), &t, e,
			     sizeof(e)) == 0) {
		rc = purge_pass(p, &t, name, err, errlen);
		kstate_free(&t);
	}
	json_decref(extra);
	kstate_free(&ks);
	return rc;
}

int agent_purge(const char *conf, const char *profile, const char *inventory,
		int *ops, char *err, size_t errlen)
{
	static const char *const files[] = {"applied", "previous", "pending",
					    "journal"};
	struct purge_ctx p = {.prio_lo = INT_MAX, .prio_hi = INT_MIN};
	char statedir[4096], sock[108], e[400];
	struct kstate want = {0};
	bool have_want = false;
	struct inputs in;
	struct diag d;
	int rc, first = 0;

	if (ops)
		*ops = 0;
	snprintf(statedir, sizeof(statedir), "%s", EGNET_STATE_DIR);
	snprintf(sock, sizeof(sock), "%s", EGNET_SOCKET);
	diag_init(&d);
	if (inputs_load(&in, conf, profile, inventory, &d) == 0) {
		json_t *ref = NULL;
		struct state_meta m;

		snprintf(statedir, sizeof(statedir), "%s", in.nc.state_dir);
		snprintf(sock, sizeof(sock), "%s", in.nc.socket);
		p.prio_lo = in.p.rule_priority;
		p.prio_hi = p.prio_lo + RULE_RANGE;
		have_want = agent_target_of(&in, &want, &m, &ref) == 0;
		json_decref(ref);
		inputs_free(&in);
	} else {
		/* the profile or the inventory is what fails: the node
		 * config may still say where the state is */
		static struct nodeconf nc;
		struct diag d2;

		inputs_free(&in); /* what it read before it failed */

		diag_init(&d2);
		if (nodeconf_load(&nc, conf, profile, &d2) == 0) {
			snprintf(statedir, sizeof(statedir), "%s",
				 nc.state_dir);
			snprintf(sock, sizeof(sock), "%s", nc.socket);
		}
		diag_free(&d2);
	}
	diag_free(&d);
	if (agent_running(sock)) {
		snprintf(err, errlen, "an agent is running (control socket "
			 "%s): stop it first", sock);
		if (have_want)
			kstate_free(&want);
		return -EBUSY;
	}
	p.statedir = statedir;
	if ((rc = nlctx_open(&p.nl, err, errlen))) {
		if (have_want)
			kstate_free(&want);
		return rc;
	}
	/* journal and pending first: they name what the kernel may hold
	 * beyond the applied state */
	rc = purge_file(&p, "journal", "target", err, errlen);
	first = first ? first : rc;
	rc = purge_file(&p, "pending", "target", first ? e : err,
			first ? sizeof(e) : errlen);
	first = first ? first : rc;
	rc = purge_file(&p, "applied", NULL, first ? e : err,
			first ? sizeof(e) : errlen);
	first = first ? first : rc;
	if (have_want) {
		rc = purge_pass(&p, &want, "the configuration's state",
				first ? e : err, first ? sizeof(e) : errlen);
		first = first ? first : rc;
		kstate_free(&want);
	}
	rc = purge_pass(&p, NULL, "table inet egnet", first ? e : err,
			first ? sizeof(e) : errlen);
	first = first ? first : rc;
	rc = linkmon_detach_all(first ? e : err, first ? sizeof(e) : errlen);
	first = first ? first : rc;
	nlctx_close(&p.nl);
	nft_close();
	if (ops)
		*ops = p.ops;
	if (first)
		return first; /* the state files stay: purge again */
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		statedir_remove(statedir, files[i]);
	return 0;
}
