// SPDX-License-Identifier: BSD-2-Clause
/*
 * The AgentX subagent (see agentx.h).  One handler serves egnetObjects
 * whole: it builds the sorted list of instances (agentx_mib.c) from the
 * agent's state, at most every AX_FRESH_MS so that the repetitions of one
 * GETBULK see one state, and answers GET by lookup and GETNEXT by the
 * next instance, leaving a name past the last one to net-snmp (which then
 * answers endOfMibView or goes on to the next registration).
 */
#include "agent/snmp/agentx.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "agent/agent.h"
#include "agent/snmp/agentx_mib.h"
#include "agent/snmp/snmplib.h"
#include "agent/snmp/snmpev.h"
#include "agent/watch/monitor.h"
#include "common/log.h"
#include "common/now.h"

#define AX_FRESH_MS 100

/* libnetsnmpagent exports these without a header (agentx/subagent.h):
 * open the session to the master (0 on success), and ping it (on no
 * answer: close, try once to reopen). */
int subagent_open_master_session(void);
void agentx_check_session(unsigned int clientreg, void *clientarg);

struct agentx {
	struct agent *a;
	struct monitor *m;
	char socket[108];
	int retry_s, retry_max_s, ping_s;
	int timeout_ms; /* a master's answer waited for at most */
	int backoff_s;	/* the next wait before reconnecting */
	struct event *retry_ev, *ping_ev;
	netsnmp_session *sess; /* to the master; NULL when not connected */
	netsnmp_handler_registration *reg;
	struct axm_table tab;
	double built; /* monotonic time of tab; 0: never */
	bool connected;
	unsigned long long connects, requests, traps, traps_lost;
};

static const oid objects_oid[] = {EGNET_MIB_OID, AXM_OBJECTS};
static const oid trap_oid_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

static void node_of(const struct agent *a, struct axm_node *n)
{
	const struct state_meta *m =
		a->pending ? &a->pending_meta : &a->applied_meta;
	enum code_level lv = code_level(a->in.nc.code);

	memset(n, 0, sizeof(*n));
	code_format(a->in.nc.code, n->code);
	n->level = lv == LEVEL_NONE ? 0 : (int)lv + 1;
	if (a->have_applied || a->pending) {
		snprintf(n->profile, sizeof(n->profile), "%s", m->profile);
		snprintf(n->version, sizeof(n->version), "%s", m->version);
		snprintf(n->hash, sizeof(n->hash), "%s", m->hash);
	}
	n->state = a->state + 1;
	n->drift = (unsigned)json_array_size(a->drift);
}

static void refresh(struct agentx *ax)
{
	double now = now_mono();
	struct axm_node n;
	json_t *l;

	if (ax->built > 0 && now - ax->built < AX_FRESH_MS / 1000.0)
		return;
	node_of(ax->a, &n);
	l = monitor_links(ax->m, &ax->a->in.ds);
	axm_build(&ax->tab, &n, l);
	json_decref(l);
	ax->built = now;
}

static void set_value(netsnmp_variable_list *vb, const struct axm_var *v)
{
	struct counter64 c;
	long i;
	u_long u;

	switch (v->type) {
	case AXM_STRING:
		snmp_set_var_typed_value(vb, ASN_OCTET_STR, v->str, v->str_len);
		break;
	case AXM_INTEGER:
		i = (long)v->num;
		snmp_set_var_typed_value(vb, ASN_INTEGER, &i, sizeof(i));
		break;
	case AXM_GAUGE:
		u = (u_long)v->num;
		snmp_set_var_typed_value(vb, ASN_GAUGE, &u, sizeof(u));
		break;
	default:
		c.high = (u_long)(v->num >> 32);
		c.low = (u_long)(v->num & 0xffffffffu);
		snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof(c));
		break;
	}
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
		   netsnmp_agent_request_info *ri, netsnmp_request_info *req)
{
	struct agentx *ax = h->myvoid;

	(void)reg;
	ax->requests++;
	if (ri->mode == MODE_GET || ri->mode == MODE_GETNEXT)
		refresh(ax);
	for (; req; req = req->next) {
		netsnmp_variable_list *vb = req->requestvb;
		const struct axm_var *v;

		if (req->processed)
			continue;
		switch (ri->mode) {
		case MODE_GET:
			v = axm_get(&ax->tab, vb->name, vb->name_length);
			if (v)
				set_value(vb, v);
			else
				netsnmp_set_request_error(ri, req,
							  SNMP_NOSUCHINSTANCE);
			break;
		case MODE_GETNEXT:
			/* an AgentX range that includes its start (RFC 2741
			 * 5.2): the name itself when it is an instance */
			v = req->inclusive ? axm_get(&ax->tab, vb->name,
						     vb->name_length)
					   : NULL;
			if (!v)
				v = axm_next(&ax->tab, vb->name,
					     vb->name_length);
			if (v) {
				snmp_set_var_objid(vb, v->name, v->len);
				set_value(vb, v);
			}
			/* else: past our last instance, net-snmp goes on */
			break;
		default:
			netsnmp_set_request_error(ri, req,
						  SNMP_ERR_NOTWRITABLE);
			break;
		}
	}
	return SNMP_ERR_NOERROR;
}

/* Try again after the back-off (unless already waiting). */
static void reconnect_later(struct agentx *ax)
{
	struct timeval tv = {ax->backoff_s, 0};

	if (!ax->retry_ev || evtimer_pending(ax->retry_ev, NULL))
		return;
	evtimer_add(ax->retry_ev, &tv);
}

/*
 * A bound on net-snmp's blocking calls toward the master: its connect()
 * to the master's Unix socket blocks while the master's accept queue is
 * full, as it is when snmpd is stopped (SIGSTOP, hung) and each try of
 * ours left a connection in it: after a few tries the loop would be held
 * until the master went on.  SIGALRM (net-snmp's own use of it is off,
 * snmplib.c) with no SA_RESTART interrupts the call: the try fails
 * (EINTR) and is made again after the back-off.  The answers' waits are
 * timeout_ms each already; the bound is a few of them.
 */
static void on_alarm(int sig)
{
	(void)sig;
}

static void bound_begin(const struct agentx *ax)
{
	struct sigaction sa;
	struct itimerval it = {{0, 0}, {0, 0}};
	long us = 3L * ax->timeout_ms * 1000L;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: the call is cut */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	it.it_value.tv_sec = us / 1000000L;
	it.it_value.tv_usec = us % 1000000L;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void bound_end(void)
{
	struct itimerval it = {{0, 0}, {0, 0}};

	setitimer(ITIMER_REAL, &it, NULL);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct agentx *ax = arg;
	int rc;

	(void)fd;
	(void)what;
	if (ax->connected)
		return;
	bound_begin(ax);
	rc = subagent_open_master_session();
	if (rc == 0)
		/* everything registered before goes to the new master */
		register_mib_reattach();
	bound_end();
	if (rc != 0) {
		ax->backoff_s = ax->backoff_s * 2 > ax->retry_max_s
					? ax->retry_max_s
					: ax->backoff_s * 2;
		reconnect_later(ax);
	}
	snmpev_sync();
}

static void on_ping(evutil_socket_t fd, short what, void *arg)
{
	struct agentx *ax = arg;

	(void)fd;
	(void)what;
	/* no answer within timeout_ms: net-snmp closes the session (our
	 * on_stop) and tries once to reopen it (our on_start) */
	if (ax->connected && ax->sess) {
		bound_begin(ax);
		agentx_check_session(0, ax->sess);
		bound_end();
	}
	snmpev_sync();
}

static int on_start(int major, int minor, void *server, void *client)
{
	struct agentx *ax = client;
	struct timeval tv = {ax->ping_s, 0};

	(void)major;
	(void)minor;
	log_info("AgentX: connected to the master at %s, EGNET-MIB "
		 "registered",
		 ax->socket);
	ax->connected = true;
	ax->sess = server;
	ax->connects++;
	ax->backoff_s = ax->retry_s;
	if (ax->retry_ev)
		evtimer_del(ax->retry_ev);
	if (ax->ping_ev)
		evtimer_add(ax->ping_ev, &tv);
	return SNMP_ERR_NOERROR;
}

static int on_stop(int major, int minor, void *server, void *client)
{
	struct agentx *ax = client;

	(void)major;
	(void)minor;
	(void)server;
	if (ax->connected)
		log_warnx("AgentX: lost the master at %s; trying again in "
			  "%d s",
			  ax->socket, ax->backoff_s);
	ax->connected = false;
	ax->sess = NULL;
	if (ax->ping_ev)
		evtimer_del(ax->ping_ev);
	reconnect_later(ax);
	snmpev_sync();
	return SNMP_ERR_NOERROR;
}

int agentx_open(struct agentx **out, struct event_base *base,
		const struct agentx_opts *o, struct agent *a, struct monitor *m,
		char *err, size_t errlen)
{
	struct snmplib_subagent sa = {.socket = o->socket,
				      .timeout_ms = o->timeout_ms};
	struct agentx *ax;
	netsnmp_mib_handler *h;
	bool lib = false;
	int rc;

	*out = NULL;
	if (snmplib_is_subagent()) {
		snprintf(err, errlen, "AgentX: already set up in this process");
		return -EALREADY;
	}
	ax = xcalloc(1, sizeof(*ax));
	ax->a = a;
	ax->m = m;
	snprintf(ax->socket, sizeof(ax->socket), "%s", o->socket);
	ax->retry_s = ax->backoff_s = o->retry_s;
	ax->retry_max_s =
		o->retry_max_s > o->retry_s ? o->retry_max_s : o->retry_s;
	ax->ping_s = o->ping_s;
	ax->timeout_ms = o->timeout_ms;
	ax->retry_ev = evtimer_new(base, on_retry, ax);
	ax->ping_ev = event_new(base, -1, EV_PERSIST, on_ping, ax);
	if (!ax->retry_ev || !ax->ping_ev) {
		rc = -ENOMEM;
		snprintf(err, errlen, "AgentX: no memory for its timers");
		goto fail;
	}
	/* the connection callbacks first: the first attempt is made by
	 * snmplib_init() itself */
	snmp_register_callback(SNMP_CALLBACK_APPLICATION,
			       SNMPD_CALLBACK_INDEX_START, on_start, ax);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION,
			       SNMPD_CALLBACK_INDEX_STOP, on_stop, ax);
	/* refused when the poller set net-snmp up first (not as a
	 * subagent): the daemon opens the subagent first */
	rc = snmplib_init(&sa, err, errlen);
	if (rc)
		goto fail;
	lib = true;
	h = netsnmp_create_handler("egnet", handler);
	if (!h) {
		rc = -ENOMEM;
		snprintf(err, errlen, "AgentX: no memory for the handler");
		goto fail;
	}
	h->myvoid = ax;
	ax->reg = netsnmp_handler_registration_create("egnet", h, objects_oid,
						      OID_LENGTH(objects_oid),
						      HANDLER_CAN_RONLY);
	if (!ax->reg) {
		netsnmp_handler_free(h);
		rc = -ENOMEM;
		snprintf(err, errlen, "AgentX: no memory for the registration");
		goto fail;
	}
	if (netsnmp_register_handler(ax->reg) != MIB_REGISTERED_OK) {
		/* the registration is freed on failure */
		ax->reg = NULL;
		rc = -EINVAL;
		snprintf(err, errlen,
			 "AgentX: EGNET-MIB could not be "
			 "registered");
		goto fail;
	}
	rc = snmpev_attach(base);
	if (rc) {
		snprintf(err, errlen, "AgentX: no memory for its events");
		goto fail;
	}
	if (!ax->connected) {
		log_warnx("AgentX: no master at %s yet; trying again in %d s",
			  ax->socket, ax->backoff_s);
		reconnect_later(ax);
	}
	*out = ax;
	return 0;
fail:
	snmp_unregister_callback(SNMP_CALLBACK_APPLICATION,
				 SNMPD_CALLBACK_INDEX_START, on_start, ax, 1);
	snmp_unregister_callback(SNMP_CALLBACK_APPLICATION,
				 SNMPD_CALLBACK_INDEX_STOP, on_stop, ax, 1);
	if (ax->reg)
		netsnmp_unregister_handler(ax->reg);
	if (ax->retry_ev)
		event_free(ax->retry_ev);
	if (ax->ping_ev)
		event_free(ax->ping_ev);
	if (lib)
		snmplib_done();
	free(ax);
	return rc;
}

void agentx_close(struct agentx *ax)
{
	if (!ax)
		return;
	snmpev_detach();
	if (ax->reg)
		netsnmp_unregister_handler(ax->reg);
	/* the master is told we go; the callbacks must not see ax after */
	snmp_unregister_callback(SNMP_CALLBACK_APPLICATION,
				 SNMPD_CALLBACK_INDEX_START, on_start, ax, 1);
	snmp_unregister_callback(SNMP_CALLBACK_APPLICATION,
				 SNMPD_CALLBACK_INDEX_STOP, on_stop, ax, 1);
	snmplib_done();
	event_free(ax->retry_ev);
	event_free(ax->ping_ev);
	axm_free(&ax->tab);
	free(ax);
}

/* Send the notification trap (egnetNotifications.trap) with vars after
 * snmpTrapOID.0; vars is freed. */
static void send_trap(struct agentx *ax, int trap, netsnmp_variable_list *vars)
{
	const oid id[] = {EGNET_MIB_OID, AXM_NOTIFICATIONS, (oid)trap};
	netsnmp_variable_list *l = NULL;

	snmp_varlist_add_variable(&l, trap_oid_oid, OID_LENGTH(trap_oid_oid),
				  ASN_OBJECT_ID, id, sizeof(id));
	l->next_variable = vars;
	if (ax->connected) {
		send_v2trap(l);
		ax->traps++;
	} else {
		ax->traps_lost++;
	}
	snmp_free_varbind(l);
	snmpev_sync();
}

/* egnetObjects.sub... as a full name into name; its length. */
static size_t object_name(oid *name, const oid *sub, size_t sublen)
{
	memcpy(name, objects_oid, sizeof(objects_oid));
	memcpy(name + OID_LENGTH(objects_oid), sub, sublen * sizeof(oid));
	return OID_LENGTH(objects_oid) + sublen;
}

static void add_str(netsnmp_variable_list **l, const oid *sub, size_t sublen,
		    const char *s)
{
	oid name[AXM_OID_MAX];
	size_t n = object_name(name, sub, sublen);

	snmp_varlist_add_variable(l, name, n, ASN_OCTET_STR, s, strlen(s));
}

static void add_int(netsnmp_variable_list **l, const oid *sub, size_t sublen,
		    long v, u_char type)
{
	oid name[AXM_OID_MAX];
	size_t n = object_name(name, sub, sublen);

	snmp_varlist_add_variable(l, name, n, type, &v, sizeof(v));
}

void agentx_target_changed(struct agentx *ax, code_t code)
{
	const struct prober *p;
	netsnmp_variable_list *vars = NULL;
	char nc[CODE_STRLEN], tc[CODE_STRLEN];

	if (!ax || !ax->m->probing)
		return;
	p = &ax->m->probe;
	for (int i = 0; i < p->n; i++) {
		const struct probe_target *t = &p->t[i];
		oid row = (oid)(i + 1);

		if (t->code != code)
			continue;
		if (t->state != PS_UP && t->state != PS_DOWN)
			return;
		code_format(ax->a->in.nc.code, nc);
		code_format(t->code, tc);
		add_str(&vars, (oid[]){AXM_NODE, AXM_NODE_CODE, 0}, 3, nc);
		add_str(&vars, (oid[]){AXM_TARGETS, 1, AXM_TGT_CODE, row}, 4,
			tc);
		add_int(&vars, (oid[]){AXM_TARGETS, 1, AXM_TGT_KIND, row}, 4,
			axm_kind_value(target_rel_words[t->rel]), ASN_INTEGER);
		add_int(&vars, (oid[]){AXM_TARGETS, 1, AXM_TGT_REACHABLE, row},
			4, t->state == PS_UP ? 1 : 2, ASN_INTEGER);
		ax->built = 0; /* the next walk sees the change */
		send_trap(ax,
			  t->state == PS_UP ? AXM_TRAP_TARGET_UP
					    : AXM_TRAP_TARGET_DOWN,
			  vars);
		return;
	}
}

void agentx_drift_changed(struct agentx *ax)
{
	netsnmp_variable_list *vars = NULL;
	char nc[CODE_STRLEN];

	if (!ax)
		return;
	code_format(ax->a->in.nc.code, nc);
	add_str(&vars, (oid[]){AXM_NODE, AXM_NODE_CODE, 0}, 3, nc);
	add_int(&vars, (oid[]){AXM_NODE, AXM_NODE_STATE, 0}, 3,
		ax->a->state + 1, ASN_INTEGER);
	add_int(&vars, (oid[]){AXM_NODE, AXM_NODE_DRIFT, 0}, 3,
		(long)json_array_size(ax->a->drift), ASN_GAUGE);
	ax->built = 0;
	send_trap(ax, AXM_TRAP_DRIFT, vars);
}

json_t *agentx_status(const struct agentx *ax)
{
	if (!ax)
		return json_pack("{s:b}", "enabled", 0);
	return json_pack("{s:b, s:s, s:b, s:I, s:I, s:I, s:I}", "enabled", 1,
			 "socket", ax->socket, "connected", ax->connected,
			 "connects", (json_int_t)ax->connects, "requests",
			 (json_int_t)ax->requests, "traps",
			 (json_int_t)ax->traps, "traps_lost",
			 (json_int_t)ax->traps_lost);
}
