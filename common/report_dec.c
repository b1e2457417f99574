// SPDX-License-Identifier: BSD-2-Clause
/*
 * Report schema v1, the strict decoder (the tables and the one-value
 * checks are report.c's).  A body over REPORT_MAX_BYTES or with a NUL
 * byte is refused before it is read; then one pass over the bytes
 * (jscan.c), with no tree and no allocation: each object is read by its
 * table of fields (rf_read.c), each member's value checked and written
 * into the struct where it lies in the body, so a field added to a table
 * is decoded with no change here.  Only what the body carries is written
 * (the struct is ~600 KiB, reused by the caller), plus the few fields a
 * null stands for.  This file holds the parts with a shape of their own
 * (node, profile, drops, the arrays and maps, events) and the order of
 * the walk.
 *
 * Refusals are those of a parse into a tree followed by a walk of the
 * tree in table order (tests/support/report_oracle.c keeps that decoder,
 * and the tests hold this one to it): a JSON error anywhere wins over any
 * schema error, and of several schema errors the one reported is the one
 * that walk meets first, wherever it is in the body: every check is
 * ranked by its step in the walk (rf_read.h).  The steps of the top
 * object: its schema (0), its table (1), its parts (2..8, the last the
 * optional snmp member), the duplicate names and codes (9).  The checks across
 * fields (the node's parent, the targets' relations, the events' codes,
 * duplicates) run after the pass, at their steps, in that order (cross()).
 * Events are read by the table of their type: the type is looked up first (a
 * scan of the event's members up to "type", the encoder's second).
 */
#include <stdio.h>
#include <string.h>

#include "common/report.h"
#include "common/report_int.h"
#include "common/rf_read.h"

#define SEEN_SCHEMA 1u /* rf_reader.user: the top object had "schema" */

/* ---- the parts with their own shape ------------------------------------- */

/* Run @fn on the CUSTOM member at the cursor at step @v of the object. */
#define AT_STEP(d, v, call)                                                    \
	({                                                                     \
		unsigned sv_ = rf_step(d, v);                                  \
		int rc_ = (call);                                              \
		rf_step(d, sv_);                                               \
		rc_;                                                           \
	})

static int read_schema(struct rf_reader *d, struct report *r)
{
	enum jscan_type t;
	long long v;
	double dv;

	d->user |= SEEN_SCHEMA;
	if (!rf_live(d))
		return jscan_skip(&d->js);
	t = jscan_peek(&d->js);
	if (t != JSCAN_INT) {
		if (t != JSCAN_NONE)
			RF_FAIL(d, REPORT_ERR_VERSION,
				"the integer %d expected, not %s",
				REPORT_SCHEMA, rf_type_name(t));
		return jscan_skip(&d->js);
	}
	if (jscan_number(&d->js, &v, &dv) < 0)
		return -1;
	if (v != REPORT_SCHEMA)
		RF_FAIL(d, REPORT_ERR_VERSION,
			"%lld is not %d (the schema read here)", v,
			REPORT_SCHEMA);
	else
		r->schema = REPORT_SCHEMA;
	return 0;
}

static int read_level(struct rf_reader *d, struct report *r)
{
	char s[RF_KEY_CAP], q[64];
	enum code_level l;
	size_t len;

	if (!rf_live(d))
		return jscan_skip(&d->js);
	if (jscan_peek(&d->js) != JSCAN_STRING)
		return rf_want(d, "a string");
	if (jscan_string(&d->js, s, sizeof(s), &len, NULL))
		return -1;
	l = len < sizeof(s) ? code_level_from_name(s) : LEVEL_NONE;
	if (l == LEVEL_NONE) {
		rpt_quote(q, sizeof(q), s, len);
		RF_FAIL(d, REPORT_ERR_SCHEMA,
			"%s is not one of province, city, county, township", q);
	} else {
		r->level = l;
	}
	return 0;
}

static int read_parent(struct rf_reader *d, struct report *r)
{
	if (!rf_live(d))
		return jscan_skip(&d->js);
	if (jscan_peek(&d->js) == JSCAN_NULL) {
		r->parent = 0;
		return rf_literal(d);
	}
	return rf_read_code(d, &r->parent);
}

static int node_member(struct rf_reader *d, const struct rf *f, void *base)
{
	if (!strcmp(f->key, "level"))
		return AT_STEP(d, 1, read_level(d, base));
	if (!strcmp(f->key, "parent"))
		return AT_STEP(d, 2, read_parent(d, base));
	return jscan_skip(&d->js);
}

/* node: its table at step 0, level at 1, parent at 2; the parent is
 * checked against the code after the pass (cross()). */
static int read_node(struct rf_reader *d, struct report *r)
{
	int rc;

	rf_at(d, 0);
	rc = rf_read_obj(d, rpt_node, rpt_nnode, r, node_member);
	rf_up(d);
	return rc;
}

static int read_profile(struct rf_reader *d, struct report *r)
{
	enum jscan_type t = jscan_peek(&d->js);

	if (!rf_live(d))
		return jscan_skip(&d->js);
	if (t == JSCAN_NULL) {
		r->profile[0] = r->profile_version[0] = r->profile_hash[0] =
			'\0';
		return rf_literal(d);
	}
	if (t != JSCAN_OBJECT)
		return rf_want(d, "an object or null");
	return rf_read_obj(d, rpt_profile, rpt_nprofile, r, NULL);
}

static int reason_entry(struct rf_reader *d, size_t k, const char *key,
			size_t len, void *ctx)
{
	static const struct rf reason = {
		"", RF_NAME, 0, REPORT_NAME_LEN, NULL, 0, NULL, 0, 0};
	struct report_drop *dr = &((struct report_link *)ctx)->drops[k];
	int rc;

	_Static_assert(sizeof(dr->reason) == REPORT_NAME_LEN, "reason size");
	rf_at(d, 0);
	if (rpt_check_str(&d->rd, &reason, key, len)) {
		rf_noted(d);
		rf_up(d);
		return jscan_skip(&d->js);
	}
	memcpy(dr->reason, key, len + 1);
	rf_step(d, 1);
	rc = rf_read_obj(d, rpt_reason, rpt_nreason, dr, NULL);
	rf_up(d);
	return rc;
}

static int drops_member(struct rf_reader *d, const struct rf *f, void *base)
{
	struct report_link *l = base;

	if (strcmp(f->key, "reasons"))
		return jscan_skip(&d->js);
	return AT_STEP(d, 1,
		       rf_read_map(d, REPORT_MAX_DROPS, "reasons", reason_entry,
				   l, &l->n_drops));
}

/* drops: null, or its table at step 0 and its reasons at 1. */
static int read_drops(struct rf_reader *d, struct report_link *l)
{
	enum jscan_type t;
	int rc;

	if (!rf_live(d))
		return jscan_skip(&d->js);
	t = jscan_peek(&d->js);
	l->n_drops = 0;
	l->has_drops = t != JSCAN_NULL;
	if (!l->has_drops) {
		l->drop_packets = l->drop_bytes = 0;
		return rf_literal(d);
	}
	if (t != JSCAN_OBJECT)
		return rf_want(d, "an object or null");
	rf_at(d, 0);
	rc = rf_read_obj(d, rpt_drops, rpt_ndrops, l, drops_member);
	rf_up(d);
	return rc;
}

static int link_member(struct rf_reader *d, const struct rf *f, void *base)
{
	if (strcmp(f->key, "drops"))
		return jscan_skip(&d->js);
	return AT_STEP(d, 1, read_drops(d, base));
}

/* A link: its table at step 0, its drops at 1. */
static int link_entry(struct rf_reader *d, size_t i, void *ctx)
{
	struct report *r = ctx;
	int rc;

	rf_at(d, 0);
	rc = rf_read_obj(d, rpt_link, rpt_nlink, &r->links[i], link_member);
	rf_up(d);
	return rc;
}

static int read_links(struct rf_reader *d, struct report *r)
{
	return rf_read_array(d, REPORT_MAX_LINKS, link_entry, r, &r->n_links);
}

/* A target: its table at step 0, its relation at 1 (after the pass). */
static int target_entry(struct rf_reader *d, size_t i, void *ctx)
{
	struct report *r = ctx;
	int rc;

	rf_at(d, 0);
	rc = rf_read_obj(d, rpt_target, rpt_ntarget, &r->targets[i], NULL);
	rf_up(d);
	return rc;
}

static int read_targets(struct rf_reader *d, struct report *r)
{
	return rf_read_array(d, REPORT_MAX_TARGETS, target_entry, r,
			     &r->n_targets);
}

static int pair_entry(struct rf_reader *d, size_t k, const char *key,
		      size_t len, void *ctx)
{
	static const struct rf pair_name = {
		"", RF_NAME, 0, REPORT_PAIR_LEN, NULL, 0, NULL, 0, 0};
	struct report_pair *p = &((struct report *)ctx)->pairs[k];
	int rc;

	_Static_assert(sizeof(p->pair) == REPORT_PAIR_LEN, "pair size");
	rf_at(d, 0);
	/* a name too long for the field is refused by its length, as
	 * rpt_check_pair() would, without reading past the copy */
	if (len >= sizeof(p->pair) ? rpt_check_str(&d->rd, &pair_name, key, len)
				   : rpt_check_pair(&d->rd, key, len)) {
		rf_noted(d);
		rf_up(d);
		return jscan_skip(&d->js);
	}
	memcpy(p->pair, key, len + 1);
	rf_step(d, 1);
	rc = rf_read_obj(d, rpt_pair, rpt_npair, p, NULL);
	rf_up(d);
	return rc;
}

static int firewall_member(struct rf_reader *d, const struct rf *f, void *base)
{
	struct report *r = base;

	if (strcmp(f->key, "pairs"))
		return jscan_skip(&d->js);
	return AT_STEP(d, 1,
		       rf_read_map(d, REPORT_MAX_PAIRS, "pairs", pair_entry, r,
				   &r->n_pairs));
}

/* firewall: its table ("pairs" only) at step 0, the pairs at 1. */
static int read_firewall(struct rf_reader *d, struct report *r)
{
	static const struct rf fw[] = {
		{"pairs", RF_CUSTOM, 0, 0, NULL, 0, NULL, 0, 0}};
	int rc;

	r->n_pairs = 0;
	rf_at(d, 0);
	rc = rf_read_obj(d, fw, 1, r, firewall_member);
	rf_up(d);
	return rc;
}

/*
 * The type of the event object at the cursor, into *t (-1 when refused),
 * the cursor left where it was.  Its members are scanned up to "type";
 * a JSON error on the way is left for the pass over the event to find.
 */
static int event_type(struct rf_reader *d, int *t)
{
	static const struct rf type = {
		"type", RF_WORD, 0, 0, report_ev_words, RPT_EV__N, NULL, 0, 0};
	struct jscan *s = &d->js;
	const unsigned char *p0 = s->p;
	int depth0 = s->depth, rc;
	uint32_t nkeys0 = s->nkeys, koff;
	char key[RF_KEY_CAP];
	bool first = true, found = false;
	size_t klen;

	while (jscan_member(s, first, key, sizeof(key), &klen, &koff, NULL) ==
	       1) {
		first = false;
		if (klen == 4 && !memcmp(key, "type", 4)) {
			found = true;
			break;
		}
		if (jscan_skip(s))
			break;
	}
	s->what = NULL;
	s->deep = false;
	rd_key(&d->rd, "type");
	rc = 0;
	if (found)
		rc = rf_read_word(d, &type, t);
	else
		RF_FAIL(d, REPORT_ERR_SCHEMA, "missing");
	rd_pop(&d->rd);
	s->p = p0;
	s->depth = depth0;
	s->nkeys = nkeys0;
	return rc;
}

static int event_member(struct rf_reader *d, const struct rf *f, void *base)
{
	(void)f;
	(void)base;
	return jscan_skip(&d->js); /* "type": read by event_type() */
}

/* An event: object and type at step 0, the table of its type at 1, its
 * code against the node at 2 (after the pass). */
static int event_entry(struct rf_reader *d, size_t i, void *ctx)
{
	struct report_event *e = &((struct report *)ctx)->events[i];
	int t = -1, rc;

	rf_at(d, 0);
	if (jscan_peek(&d->js) != JSCAN_OBJECT) {
		rc = rf_want(d, "an object");
		rf_up(d);
		return rc;
	}
	if (event_type(d, &t)) {
		rf_up(d);
		return -1;
	}
	if (t < 0) {
		rf_up(d);
		return jscan_skip(&d->js);
	}
	rf_step(d, 1);
	e->type = t;
	e->code = 0;
	e->link[0] = e->hash[0] = e->text[0] = '\0';
	e->state = RPT_OPER_UNKNOWN;
	e->ok = false;
	rc = rf_read_obj(d, rpt_event[t], rpt_nevent[t], e, event_member);
	rf_up(d);
	return rc;
}

static int read_events(struct rf_reader *d, struct report *r)
{
	return rf_read_array(d, REPORT_MAX_EVENTS, event_entry, r,
			     &r->n_events);
}

/* An SNMP interface: its table at step 0. */
static int snmp_if_entry(struct rf_reader *d, size_t i, void *ctx)
{
	struct report_snmp_dev *dv = ctx;
	int rc;

	rf_at(d, 0);
	rc = rf_read_obj(d, rpt_snmp_if, rpt_nsnmp_if, &dv->ifs[i], NULL);
	rf_up(d);
	return rc;
}

static int snmp_dev_member(struct rf_reader *d, const struct rf *f, void *base)
{
	struct report_snmp_dev *dv = base;

	if (strcmp(f->key, "interfaces"))
		return jscan_skip(&d->js);
	return AT_STEP(d, 1,
		       rf_read_array(d, REPORT_MAX_SNMP_IFACES, snmp_if_entry,
				     dv, &dv->n_ifs));
}

/* An SNMP device: its table at step 0, its interfaces at 1. */
static int snmp_dev_entry(struct rf_reader *d, size_t i, void *ctx)
{
	struct report_snmp_dev *dv = &((struct report *)ctx)->snmp[i];
	int rc;

	dv->n_ifs = 0;
	rf_at(d, 0);
	rc = rf_read_obj(d, rpt_snmp_dev, rpt_nsnmp_dev, dv, snmp_dev_member);
	rf_up(d);
	return rc;
}

/* The devices polled over SNMP: an optional member (absent: none, the
 * count zeroed before the pass). */
static int read_snmp(struct rf_reader *d, struct report *r)
{
	return rf_read_array(d, REPORT_MAX_SNMP_DEVICES, snmp_dev_entry, r,
			     &r->n_snmp);
}

/* ---- the report --------------------------------------------------------- */

/* The parts of the top object, in the order they are read: step 2 + i. */
static const struct {
	const char *key;
	int (*fn)(struct rf_reader *d, struct report *r);
} parts[] = {
	{"node", read_node},	     {"profile", read_profile},
	{"links", read_links},	     {"targets", read_targets},
	{"firewall", read_firewall}, {"events", read_events},
	{"snmp", read_snmp},
};
#define NPARTS	  (sizeof(parts) / sizeof(parts[0]))
#define STEP_PART 2u		/* 2..8 */
#define STEP_UNIQ (2u + NPARTS) /* the duplicates, last */

static int top_member(struct rf_reader *d, const struct rf *f, void *base)
{
	if (!strcmp(f->key, "schema"))
		return AT_STEP(d, 0, read_schema(d, base));
	for (unsigned k = 0; k < NPARTS; k++)
		if (!strcmp(f->key, parts[k].key))
			return AT_STEP(d, STEP_PART + k, parts[k].fn(d, base));
	return jscan_skip(&d->js);
}

/*
 * The body: an object, its schema at step 0 (before anything: a report
 * of another schema is not "unknown members"), its table at step 1, the
 * parts at 2.., then the checks across fields.  0, or -1 on a JSON error.
 */
static int scan(struct rf_reader *d, struct report *r)
{
	enum jscan_type t = jscan_peek(&d->js);
	int rc;

	if (t == JSCAN_ARRAY) {
		rf_at(d, 0);
		rc = rf_want(d, "an object");
		rf_up(d);
		return rc;
	}
	if (t != JSCAN_OBJECT)
		return jscan_fail(&d->js, d->js.p,
				  d->js.p < d->js.end
					  ? "'[' or '{' expected"
					  : "premature end of input");
	rf_at(d, 1);
	rc = rf_read_obj(d, rpt_top, rpt_ntop, r, top_member);
	rf_up(d);
	if (rc)
		return -1;
	if (!(d->user & SEEN_SCHEMA)) {
		rf_at(d, 0);
		if (rf_live(d)) {
			rd_key(&d->rd, "schema");
			RF_FAIL(d, REPORT_ERR_SCHEMA, "missing");
			rd_pop(&d->rd);
		}
		rf_up(d);
	}
	return 0;
}

/*
 * The checks across fields, after the pass, each at the rank a walk in
 * table order would meet it, each only when no error ranks lower (so the
 * fields it reads were all read).
 */
static void cross(struct rf_reader *d, const struct report *r)
{
	struct rd *rd = &d->rd;

	rd->depth = 0;
	/* the node's level and parent against its code, on its own: the
	 * step after the node's members */
	d->nrank = 0;
	rf_at(d, STEP_PART + 0);
	rf_at(d, 3);
	if (rf_live(d) && rpt_check_node(rd, r))
		rf_noted(d);
	/* each target's relation to the node, after the target's fields */
	d->nrank = 0;
	rf_at(d, STEP_PART + 3);
	rf_at(d, 1);
	rf_at(d, 0);
	rf_at(d, 1);
	for (int i = 0; i < r->n_targets; i++) {
		d->rank[2] = (unsigned)i;
		if (!rf_live(d))
			break;
		rd_key(rd, "targets");
		rd_idx(rd, i);
		if (rpt_check_target_rel(rd, r, &r->targets[i]))
			rf_noted(d);
		rd->depth -= 2;
		if (d->failed && !rf_live(d))
			break;
	}
	/* each target event's code, after the event's fields */
	d->nrank = 0;
	rf_at(d, STEP_PART + 5);
	rf_at(d, 1);
	rf_at(d, 0);
	rf_at(d, 2);
	for (int i = 0; i < r->n_events; i++) {
		d->rank[2] = (unsigned)i;
		if (!rf_live(d))
			break;
		rd_key(rd, "events");
		rd_idx(rd, i);
		if (rpt_check_event(rd, r, &r->events[i]))
			rf_noted(d);
		rd->depth -= 2;
	}
	/* link names and target codes unique, then SNMP devices' and
	 * their interfaces' names */
	d->nrank = 0;
	rf_at(d, STEP_UNIQ);
	if (rf_live(d) && rpt_check_unique(rd, r))
		rf_noted(d);
	if (rf_live(d) && rpt_check_snmp_unique(rd, r))
		rf_noted(d);
}

int report_decode(const char *body, size_t len, struct report *r,
		  enum report_err *why, char *err, size_t errlen)
{
	struct rf_reader d = {.rd = {.err = err, .errlen = errlen}};
	const char *nul;
	int rc = -1;

	r->n_links = r->n_targets = r->n_pairs = r->n_events = r->n_snmp = 0;
	if (len > REPORT_MAX_BYTES) {
		rpt_fail(&d.rd, REPORT_ERR_SIZE,
			 "%zu bytes, over the %d a body may have", len,
			 REPORT_MAX_BYTES);
	} else if ((nul = memchr(body, '\0', len))) {
		rpt_fail(&d.rd, REPORT_ERR_JSON, "a NUL byte at byte %ld",
			 (long)(nul - body));
	} else {
		jscan_init(&d.js, body, len, REPORT_MAX_DEPTH);
		if (scan(&d, r) || jscan_end(&d.js)) {
			/* a JSON error wins over any schema error */
			struct rd jr = {.err = err, .errlen = errlen};

			if (d.js.deep)
				rpt_fail(&jr, REPORT_ERR_JSON,
					 "nested deeper than %d at byte %zu",
					 REPORT_MAX_DEPTH, d.js.at);
			else
				rpt_fail(&jr, REPORT_ERR_JSON,
					 "not JSON: %s at byte %zu", d.js.what,
					 d.js.at);
			d.rd.why = REPORT_ERR_JSON;
		} else {
			cross(&d, r);
			rc = d.failed ? -1 : 0;
		}
		jscan_fini(&d.js);
	}
	if (why)
		*why = rc ? d.rd.why : REPORT_ERR_NONE;
	return rc;
}
