// SPDX-License-Identifier: BSD-2-Clause
/*
 * The SNMP poller (poll.h): one net-snmp session per device, in the
 * library's list of sessions, its socket and retransmission timer driven
 * by the loop through snmpev.c (the bridge the AgentX subagent uses too).  A
 * poll of a device is a short sequence of requests, each sent when the last
 * one's answer is in: engine discovery (v3, once per session), the name walk
 * (GETBULK of ifName and ifDescr, when the ifIndexes are to be found),
 * then GETs of at most max_varbinds varbinds.  net-snmp's callback only
 * stores the answer into the device's state through reply.c and wakes
 * the device's deferred step event; the step sends what comes next,
 * closes a session that failed, and says when the poll is over.
 */
#include "agent/snmp/poll.h"

#include "agent/snmp/reply.h"
#include "agent/snmp/snmpev.h"
#include "agent/snmp/snmplib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/now.h"

#include "agent/snmp/poll_int.h"

static void dev_step(evutil_socket_t fd, short what, void *arg);

/* ---- net-snmp's session in the loop ------------------------------------ */

/* The sessions are in net-snmp's list, driven by snmpev.c with the
 * subagent's: after anything that opened, sent or closed, a re-sync. */
static void dev_close(struct pdev *d)
{
	if (d->sess) {
		netsnmp_transport *t =
			snmp_sess_transport(snmp_sess_pointer(d->sess));

		if (t && t->sock >= 0)
			snmpev_forget(t->sock);
		d->closing = true; /* close calls back for what is pending */
		snmp_close(d->sess);
		d->closing = false;
		d->sess = NULL;
		snmpev_sync();
	}
}

/* The security error of a report, in words. */
static const char *report_words(netsnmp_pdu *pdu)
{
	switch (pdu ? snmpv3_get_report_type(pdu) : 0) {
	case SNMPERR_AUTHENTICATION_FAILURE:
		return "authentication failure: wrong auth pass phrase or "
		       "protocol for the user";
	case SNMPERR_UNKNOWN_USER_NAME:
		return "the device knows no such user";
	case SNMPERR_UNSUPPORTED_SEC_LEVEL:
		return "the user has no authPriv on the device";
	case SNMPERR_DECRYPTION_ERR:
		return "decryption error: wrong priv pass phrase or protocol";
	case SNMPERR_UNKNOWN_ENG_ID:
		return "unknown engine ID";
	case SNMPERR_NOT_IN_TIME_WINDOW:
		return "not in time window";
	default:
		return "a security error (an SNMPv3 report of another kind)";
	}
}

static int dev_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
		  void *magic)
{
	struct pdev *d = magic;
	double now = now_mono();
	int rc;

	(void)reqid; /* v3 resends change it: one request is in flight */
	if (d->res != RES_NONE)
		return 1; /* this request's outcome is in already */
	if (d->closing || op == NETSNMP_CALLBACK_OP_RESEND ||
	    op == NETSNMP_CALLBACK_OP_CONNECT)
		return 1; /* a retry on its way, or nothing to say */
	d->res = RES_FAIL;
	switch (op) {
	case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE:
		if (d->phase == PH_PROBE) { /* a report, as discovery wants */
			d->res = RES_OK;
			goto out;
		}
		if (pdu && pdu->command == SNMP_MSG_REPORT) {
			snprintf(d->err, sizeof(d->err), "%s",
				 report_words(pdu));
			goto out;
		}
		break;
	case NETSNMP_CALLBACK_OP_TIMED_OUT:
		snprintf(d->err, sizeof(d->err),
			 "no answer in %d ms (%d tries)", d->p->sc.timeout_ms,
			 d->p->sc.retries + 1);
		goto out;
	case NETSNMP_CALLBACK_OP_SEC_ERROR:
		if (d->phase == PH_PROBE) { /* the report discovery expects */
			d->res = RES_OK;
			goto out;
		}
		rc = pdu ? snmpv3_get_report_type(pdu) : 0;
		if (rc == SNMPERR_UNKNOWN_REPORT && s && s->s_snmp_errno)
			/* not a report of the device's: the library's own */
			snprintf(d->err, sizeof(d->err), "%s",
				 snmp_api_errstring(s->s_snmp_errno));
		else
			snprintf(d->err, sizeof(d->err), "%s",
				 report_words(pdu));
		goto out;
	default:
		snprintf(d->err, sizeof(d->err), "request not sent (%d)", op);
		goto out;
	}
	if (!pdu || pdu->command != SNMP_MSG_RESPONSE) {
		snprintf(d->err, sizeof(d->err),
			 "an answer that could not "
			 "be read as a response (PDU type 0x%02x)",
			 pdu ? (unsigned)pdu->command : 0);
		goto out;
	}
	if (pdu->errstat == SNMP_ERR_TOOBIG && d->phase == PH_GET) {
		d->res = RES_TOOBIG;
		goto out;
	}
	if (pdu->errstat != SNMP_ERR_NOERROR) {
		snprintf(d->err, sizeof(d->err), "error-status %s (index %ld)",
			 snmp_errstring(pdu->errstat), pdu->errindex);
		goto out;
	}
	for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable)
		d->varbinds++;
	switch (d->phase) {
	case PH_PROBE:
		d->res = RES_OK; /* a response to discovery is fine too */
		break;
	case PH_WALK:
		rc = reply_walk(&d->st, pdu->variables);
		if (rc < 0)
			snprintf(d->err, sizeof(d->err), "%s", d->st.why);
		d->res = rc < 0 ? RES_FAIL : rc ? RES_MORE : RES_OK;
		break;
	case PH_GET:
		reply_get(&d->st, d->sent_sys, d->first, d->sent_n,
			  pdu->variables, now);
		d->res = RES_OK;
		break;
	}
out:
	event_active(d->step, 0, 0);
	return 1;
}

/* Open the device's session (v3: engine discovery left to us). */
static int dev_open(struct pdev *d, char *err, size_t errlen)
{
	const struct snmp_devconf *c = &d->c;
	netsnmp_session s;
	char peer[128];

	snmp_sess_init(&s);
	snprintf(peer, sizeof(peer),
		 strchr(c->address, ':') ? "udp6:[%s]:%d" : "udp:%s:%d",
		 c->address, c->port);
	s.peername = peer;
	s.timeout = (long)d->p->sc.timeout_ms * 1000;
	s.retries = d->p->sc.retries;
	s.callback = dev_cb;
	s.callback_magic = d;
	if (c->version == SNMP_V3) {
		static const struct {
			oid *o;
			size_t len;
		} auths[] =
			{
				{usmHMAC128SHA224AuthProtocol, 10},
				{usmHMAC192SHA256AuthProtocol, 10},
				{usmHMAC256SHA384AuthProtocol, 10},
				{usmHMAC384SHA512AuthProtocol, 10},
			},
		  privs[] = {
			  {usmAESPrivProtocol, 10},
			  {usmAES192PrivProtocol, 9},
			  {usmAES256PrivProtocol, 9},
		  };

		s.version = SNMP_VERSION_3;
		s.securityModel = SNMP_SEC_MODEL_USM;
		s.securityName = (char *)c->user;
		s.securityNameLen = strlen(c->user);
		s.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
		s.securityAuthProto = auths[c->auth].o;
		s.securityAuthProtoLen = auths[c->auth].len;
		s.securityPrivProto = privs[c->priv].o;
		s.securityPrivProtoLen = privs[c->priv].len;
		s.securityAuthKeyLen = USM_AUTH_KU_LEN;
		s.securityPrivKeyLen = USM_PRIV_KU_LEN;
		if (generate_Ku(s.securityAuthProto, s.securityAuthProtoLen,
				(const u_char *)c->auth_pass,
				strlen(c->auth_pass), s.securityAuthKey,
				&s.securityAuthKeyLen) != SNMPERR_SUCCESS ||
		    generate_Ku(s.securityAuthProto, s.securityAuthProtoLen,
				(const u_char *)c->priv_pass,
				strlen(c->priv_pass), s.securityPrivKey,
				&s.securityPrivKeyLen) != SNMPERR_SUCCESS) {
			snprintf(err, errlen, "cannot make the USM keys");
			return -EINVAL;
		}
		/* discovery is a request of ours, not a blocking probe */
		s.flags |= SNMP_FLAGS_DONT_PROBE;
	} else {
		s.version = c->version == SNMP_V1 ? SNMP_VERSION_1
						  : SNMP_VERSION_2c;
		s.community = (u_char *)c->community;
		s.community_len = strlen(c->community);
	}
	d->sess = snmp_open(&s);
	memset(s.securityAuthKey, 0, sizeof(s.securityAuthKey));
	memset(s.securityPrivKey, 0, sizeof(s.securityPrivKey));
	if (!d->sess) {
		snprintf(err, errlen, "cannot open a session to %s: %s", peer,
			 snmp_api_errstring(snmp_errno));
		return -EIO;
	}
	/* net-snmp 5.9 clears the flag once the session is open: without it
	 * the first send would probe the engine itself, blocking */
	if (c->version == SNMP_V3)
		d->sess->flags |= SNMP_FLAGS_DONT_PROBE;
	snmpev_sync(); /* its socket watched */
	return 0;
}

/* ---- a poll ------------------------------------------------------------- */

static int dev_send(struct pdev *d, netsnmp_pdu *pdu)
{
	d->res = RES_NONE;
	if (!snmp_async_send(d->sess, pdu, dev_cb, d)) {
		netsnmp_session *s = d->sess;

		snmp_free_pdu(pdu);
		if (d->res != RES_NONE) /* the callback said why already */
			return 0;
		d->res = RES_FAIL;
		snprintf(d->err, sizeof(d->err), "request not sent: %s",
			 snmp_api_errstring(s ? s->s_snmp_errno : snmp_errno));
		event_active(d->step, 0, 0);
		return -EIO;
	}
	snmpev_sync(); /* its retransmission timer */
	return 0;
}

/* Engine discovery (RFC 3414 4): an unauthenticated GET with no user,
 * answered by a report that carries the engine's ID. */
static void send_probe(struct pdev *d)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);

	d->phase = PH_PROBE;
	pdu->version = SNMP_VERSION_3;
	pdu->securityName = strdup("");
	pdu->securityNameLen = 0;
	pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	pdu->securityModel = SNMP_SEC_MODEL_USM;
	dev_send(d, pdu);
}

/*
 * The engine is known: the user with its keys localized to it.  One kept
 * from an earlier session (the same engine and user name) is replaced, so
 * that a pass phrase changed by a reload is the one used.
 */
static int make_user(netsnmp_session *s)
{
	struct usmUser *u = usm_get_user(
		s->securityEngineID, s->securityEngineIDLen, s->securityName);

	if (u) {
		usm_remove_user(u);
		usm_free_user(u);
	}
	s->flags &= ~SNMP_FLAGS_USER_CREATED;
	if (usm_create_user_from_session(s) != SNMPERR_SUCCESS)
		return -EIO;
	return usm_get_user(s->securityEngineID, s->securityEngineIDLen,
			    s->securityName)
		       ? 0
		       : -EIO;
}

static void send_walk(struct pdev *d)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
	int ncols = 0;

	d->phase = PH_WALK;
	for (int c = COL_IFNAME; c <= COL_IFDESCR; c++)
		if (!d->st.walk.done[c]) {
			snmp_add_null_var(pdu, d->st.walk.next[c],
					  d->st.walk.next_len[c]);
			ncols++;
		}
	pdu->non_repeaters = 0;
	/* rows per answer: as many as fit max_varbinds of both columns */
	pdu->max_repetitions = d->p->sc.bulk_rows;
	if (pdu->max_repetitions * ncols > d->p->sc.max_varbinds * 2)
		pdu->max_repetitions = d->p->sc.max_varbinds * 2 / ncols;
	dev_send(d, pdu);
}

/* How many interfaces from @first fit a GET of d->maxvb varbinds. */
static int get_span(const struct pdev *d, int first, bool sys)
{
	int room = d->maxvb - (sys ? 2 : 0), n = 0;

	for (int i = first; i < d->st.n_if; i++, n++) {
		if (!d->st.ifs[i].ifindex)
			continue;
		if (room < REPLY_IF_VARS)
			break;
		room -= REPLY_IF_VARS;
	}
	return n ? n : 1;
}

static void send_get(struct pdev *d)
{
	/* 256 KiB: not on the stack (the loop is one thread) */
	static oid oids[256][MAX_OID_LEN];
	static size_t lens[256];
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
	int k, max = d->maxvb < 256 ? d->maxvb : 256;

	d->phase = PH_GET;
	d->sent_sys = d->first == 0;
	d->sent_n = get_span(d, d->first, d->sent_sys);
	k = reply_get_oids(&d->st, d->sent_sys, d->first, d->sent_n, oids, lens,
			   max);
	for (int i = 0; i < k; i++)
		snmp_add_null_var(pdu, oids[i], lens[i]);
	dev_send(d, pdu);
}

static void set_state(struct pdev *d, int state, const char *why)
{
	if (state == d->state)
		return;
	if (state == RPT_OPER_DOWN)
		log_warnx("snmp: device %s (%s) is down: %s", d->c.name,
			  d->c.address, why);
	else if (state == RPT_OPER_UP)
		log_info("snmp: device %s (%s) is up%s", d->c.name,
			 d->c.address,
			 d->state == RPT_OPER_DOWN ? " again" : "");
	d->state = state;
	d->since_ms = now_wall_ms();
}

/* The poll is over: whole (@ok) or failed with d->err. */
static void poll_end(struct pdev *d, bool ok)
{
	d->busy = false;
	d->walk_only = false;
	d->phase = PH_IDLE;
	d->last_ms = (now_mono() - d->cycle_t0) * 1000;
	if (ok) {
		d->polls++;
		d->fails = 0;
		d->error[0] = '\0';
		set_state(d, RPT_OPER_UP, "");
		return;
	}
	d->failed++;
	d->fails++;
	snprintf(d->error, sizeof(d->error), "%s", d->err);
	log_debug("snmp: device %s: poll failed: %s", d->c.name, d->err);
	/* a new session next time: a new discovery, a new user */
	dev_close(d);
	if (d->fails >= d->p->sc.down_after) {
		reply_forget(&d->st);
		set_state(d, RPT_OPER_DOWN, d->err);
	}
}

/* The next GET of the poll, a walk first when names moved, or the end. */
static void next_get(struct pdev *d)
{
	if (d->st.need_resolve && !d->walked) {
		d->walked = true;
		reply_walk_start(&d->st);
		send_walk(d);
		return;
	}
	if (d->phase == PH_GET)
		d->first += d->sent_n;
	else
		d->first = 0;
	if (d->first >= d->st.n_if && d->phase == PH_GET) {
		poll_end(d, true);
		return;
	}
	send_get(d);
}

static void dev_step(evutil_socket_t fd, short what, void *arg)
{
	struct pdev *d = arg;
	netsnmp_session *s;

	(void)fd;
	(void)what;
	if (!d->busy)
		return;
	switch (d->res) {
	case RES_NONE:
		return;
	case RES_FAIL:
		poll_end(d, false);
		return;
	case RES_TOOBIG:
		if (d->maxvb <= REPLY_IF_VARS + 2) {
			snprintf(d->err, sizeof(d->err),
				 "tooBig even for one "
				 "interface");
			poll_end(d, false);
			return;
		}
		/* this device's limit; the same GET again, never smaller
		 * than the system group and one interface */
		d->maxvb = d->maxvb / 2 > REPLY_IF_VARS + 2 ? d->maxvb / 2
							    : REPLY_IF_VARS + 2;
		d->sent_n = 0;
		send_get(d);
		return;
	}
	switch (d->phase) {
	case PH_PROBE:
		s = d->sess;
		if (!s || !s->securityEngineIDLen) {
			snprintf(d->err, sizeof(d->err),
				 "engine discovery "
				 "found no engine ID");
			poll_end(d, false);
			return;
		}
		if (make_user(s)) {
			snprintf(d->err, sizeof(d->err),
				 "cannot set the "
				 "USM user up for the engine");
			poll_end(d, false);
			return;
		}
		d->phase = PH_IDLE;
		next_get(d);
		return;
	case PH_WALK:
		if (d->res == RES_MORE) {
			send_walk(d);
			return;
		}
		if (d->walk_only) {
			poll_end(d, true);
			return;
		}
		d->phase = PH_IDLE;
		next_get(d);
		return;
	case PH_GET:
		if (d->st.rebooted || (d->st.need_resolve && !d->walked)) {
			/* nothing of this poll stands: walk, then again */
			d->st.rebooted = false;
			d->phase = PH_IDLE;
			next_get(d);
			return;
		}
		next_get(d);
		return;
	}
}

static void dev_tick(evutil_socket_t fd, short what, void *arg)
{
	struct pdev *d = arg;
	char err[200];

	(void)fd;
	(void)what;
	if (d->busy)
		return; /* the last poll is still on: this one is skipped */
	/* a name no row had: looked for again every UNFOUND_REWALK polls */
	for (int i = 0; i < d->st.n_if; i++)
		if (!d->st.ifs[i].ifindex && !d->st.need_resolve) {
			if (++d->unfound_polls >= UNFOUND_REWALK) {
				d->st.need_resolve = true;
				d->unfound_polls = 0;
			}
			break;
		}
	d->busy = true;
	d->walked = false;
	d->first = 0;
	d->phase = PH_IDLE;
	d->cycle_t0 = now_mono();
	if (!d->sess && dev_open(d, err, sizeof(err))) {
		snprintf(d->err, sizeof(d->err), "%s", err);
		poll_end(d, false);
		return;
	}
	netsnmp_session *s = d->sess;

	if (d->c.version == SNMP_V3 && (!s || !s->securityEngineIDLen)) {
		send_probe(d);
		return;
	}
	next_get(d);
}

/* ---- the poller ---------------------------------------------------------- */

static void dev_start(struct poller *p, struct pdev *d,
		      const struct snmp_devconf *c, int i)
{
	struct timeval iv = {p->sc.interval_s, 0};
	struct timeval first = {0, 100000 + (i % 50) * 10000};

	memset(d, 0, sizeof(*d));
	d->p = p;
	d->c = *c;
	d->maxvb = p->sc.max_varbinds;
	d->state = RPT_OPER_UNKNOWN;
	reply_dev_init(&d->st, &d->c);
	d->step = event_new(p->base, -1, 0, dev_step, d);
	d->tick = event_new(p->base, -1, EV_PERSIST, dev_tick, d);
	event_add(d->tick, &iv);
	/* the first poll soon, the devices a little apart */
	event_base_once(p->base, -1, EV_TIMEOUT, dev_tick, d, &first);
}

static void dev_stop(struct pdev *d)
{
	dev_close(d);
	event_free(d->tick);
	event_free(d->step);
}

int poller_open(struct poller **pp, struct event_base *base,
		const struct snmpconf *sc, char *err, size_t errlen)
{
	struct poller *p = xcalloc(1, sizeof(*p));

	p->base = base;
	p->sc = *sc;
	if (sc->n_devices) {
		/* after the subagent's, when there is one (snmplib.h) */
		int rc = snmplib_init(NULL, err, errlen);

		if (rc) {
			free(p);
			return rc;
		}
		if (snmpev_attach(base)) {
			snmplib_done();
			snprintf(err, errlen,
				 "no memory for net-snmp's events");
			free(p);
			return -ENOMEM;
		}
		p->lib = true;
	}
	p->n = sc->n_devices;
	p->devs = xcalloc((size_t)(p->n ? p->n : 1), sizeof(*p->devs));
	for (int i = 0; i < p->n; i++)
		dev_start(p, &p->devs[i], &p->sc.devices[i], i);
	*pp = p;
	return 0;
}

void poller_close(struct poller *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++)
		dev_stop(&p->devs[i]);
	free(p->devs);
	if (p->lib) {
		snmpev_detach();
		snmplib_done();
	}
	free(p);
}

void poller_update(struct poller *p, const struct snmpconf *sc)
{
	if (!memcmp(&p->sc, sc, sizeof(*sc)))
		return;
	/* other settings: every device starts anew (sessions, states) */
	for (int i = 0; i < p->n; i++)
		dev_stop(&p->devs[i]);
	free(p->devs);
	if (sc->n_devices && !p->lib) {
		char err[200];

		p->lib = snmplib_init(NULL, err, sizeof(err)) == 0;
		if (p->lib && snmpev_attach(p->base)) {
			snmplib_done();
			p->lib = false;
			snprintf(err, sizeof(err), "no memory for its events");
		}
		if (!p->lib)
			log_warnx("snmp: %s", err);
	}
	p->sc = *sc;
	p->n = sc->n_devices;
	p->devs = xcalloc((size_t)(p->n ? p->n : 1), sizeof(*p->devs));
	for (int i = 0; i < p->n; i++)
		dev_start(p, &p->devs[i], &p->sc.devices[i], i);
}

void poller_kick(struct poller *p, int i, bool walk, bool walk_only)
{
	for (int k = 0; p && k < p->n; k++) {
		struct pdev *d = &p->devs[k];

		if ((i >= 0 && k != i) || d->busy)
			continue;
		if (walk)
			d->st.need_resolve = true;
		dev_tick(-1, 0, d);
		d->walk_only = walk && walk_only && d->busy;
	}
}

void poller_counts(const struct poller *p, unsigned long *polls,
		   unsigned long *failed, unsigned long *varbinds)
{
	*polls = *failed = *varbinds = 0;
	for (int i = 0; p && i < p->n; i++) {
		*polls += p->devs[i].polls;
		*failed += p->devs[i].failed;
		*varbinds += p->devs[i].varbinds;
	}
}
