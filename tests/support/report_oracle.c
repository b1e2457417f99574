// SPDX-License-Identifier: BSD-2-Clause
/*
 * The report decoder as it was before common/report_dec.c read bodies
 * without a tree: jansson parses the body (duplicate keys refused), then
 * the tree is read object by object with the field tables of report.c.
 * Kept for the tests and the benchmark only, as an oracle: the decoder of
 * the product must accept and refuse exactly what this one does, with the
 * same word, the same reason (bar the wording of JSON syntax errors) and
 * the same struct.  Never linked into a program that is shipped.
 */
#include <stdio.h>
#include <string.h>

#include "common/report.h"
#include "common/report_int.h"
#include "tests/support/report_oracle.h"

static const char *jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static int want(struct rd *rd, const json_t *v, const char *what)
{
	return rpt_fail(rd, REPORT_ERR_SCHEMA, "%s expected, not %s", what,
			jtype(v));
}

/* ---- objects by table --------------------------------------------------- */

static bool in_table(const struct rf *t, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(t[i].key, key))
			return true;
	return false;
}

/* The first member of @o that @t does not name: refused, or 0 if none. */
static int unknown_member(struct rd *rd, const json_t *o, const struct rf *t,
			  int n)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v)
	{
		if (in_table(t, n, key))
			continue;
		rd_key(rd, key);
		rpt_fail(rd, REPORT_ERR_SCHEMA, "unknown member");
		rd_pop(rd);
		return -1;
	}
	return 0;
}

static int read_word(struct rd *rd, const struct rf *f, const json_t *v,
		     int *out)
{
	char q[64], list[128];
	size_t o = 0;

	if (f->kind == RF_WORDN && json_is_null(v)) {
		*out = 0;
		return 0;
	}
	if (!json_is_string(v))
		return want(rd, v,
			    f->kind == RF_WORDN ? "a string or null"
						: "a string");
	for (int i = 0; i < f->nwords; i++)
		if (f->words[i] && !strcmp(f->words[i], json_string_value(v))) {
			*out = i;
			return 0;
		}
	for (int i = 0; i < f->nwords; i++)
		if (f->words[i] && o + 1 < sizeof(list)) {
			snprintf(list + o, sizeof(list) - o, "%s%s",
				 o ? ", " : "", f->words[i]);
			o += strlen(list + o);
		}
	rpt_quote(q, sizeof(q), json_string_value(v), json_string_length(v));
	return rpt_fail(rd, REPORT_ERR_SCHEMA, "%s is not one of %s%s", q, list,
			f->kind == RF_WORDN ? ", null" : "");
}

/* A 12-digit code, as codes are on the wire (no short forms). */
static int read_code(struct rd *rd, const json_t *v, code_t *out)
{
	char q[64], why[CODE_ERR_MAX];
	const char *s;

	if (!json_is_string(v))
		return want(rd, v, "a 12-digit code string");
	s = json_string_value(v);
	rpt_quote(q, sizeof(q), s, json_string_length(v));
	if (json_string_length(v) != CODE_LEN)
		return rpt_fail(rd, REPORT_ERR_CODE, "%s is not 12 digits", q);
	if (code_parse(s, out, why, sizeof(why)))
		return rpt_fail(rd, REPORT_ERR_CODE, "%s", why);
	return 0;
}

static void zero_fields(const struct rf *t, int n, void *base)
{
	char *b = base;

	for (int i = 0; i < n; i++) {
		void *p = b + t[i].off;

		switch (t[i].kind) {
		case RF_PCT:
		case RF_BPS:
			*(double *)p = 0;
			break;
		case RF_MS:
			*(double *)p = -1;
			break;
		case RF_U64:
		case RF_SEQ:
			*(uint64_t *)p = 0;
			break;
		default: /* counters only, today */
			break;
		}
	}
}

static int read_obj(struct rd *rd, const json_t *o, const struct rf *t, int n,
		    void *base);

static int read_field(struct rd *rd, const struct rf *f, const json_t *v,
		      char *base)
{
	void *p = base + f->off;

	switch (f->kind) {
	case RF_U64:
	case RF_SEQ:
	case RF_TIME:
	case RF_TIME0:
	case RF_SECS:
	case RF_IVAL: {
		long long x;

		if (!json_is_integer(v))
			return want(rd, v, "an integer");
		x = json_integer_value(v);
		if (rpt_check_int(rd, f, x))
			return -1;
		if (f->kind == RF_U64 || f->kind == RF_SEQ)
			*(uint64_t *)p = (uint64_t)x;
		else
			*(long long *)p = x;
		return 0;
	}
	case RF_MS:
		if (json_is_null(v)) {
			*(double *)p = -1;
			return 0;
		}
		/* fall through */
	case RF_PCT:
	case RF_BPS:
		if (!json_is_number(v))
			return want(rd, v,
				    f->kind == RF_MS ? "a number or null"
						     : "a number");
		if (rpt_check_dbl(rd, f, json_number_value(v)))
			return -1;
		*(double *)p = json_number_value(v);
		return 0;
	case RF_BOOL:
		if (!json_is_boolean(v))
			return want(rd, v, "true or false");
		*(bool *)p = json_is_true(v);
		return 0;
	case RF_NAME:
	case RF_NAME0:
	case RF_IFNAME:
	case RF_TOKEN:
	case RF_TOKEN0:
	case RF_TEXT: {
		size_t len;

		if (!json_is_string(v))
			return want(rd, v, "a string");
		len = json_string_length(v);
		if (rpt_check_str(rd, f, json_string_value(v), len))
			return -1;
		memcpy(p, json_string_value(v), len + 1);
		return 0;
	}
	case RF_WORD:
	case RF_WORDN:
		return read_word(rd, f, v, p);
	case RF_CODE:
		return read_code(rd, v, p);
	case RF_OBJN:
		*(bool *)p = !json_is_null(v);
		if (!*(bool *)p) {
			zero_fields(f->sub, f->nsub, base);
			return 0;
		}
		/* fall through */
	case RF_OBJ:
		return read_obj(rd, v, f->sub, f->nsub, base);
	}
	return 0; /* RF_CUSTOM: the caller's */
}

/*
 * Read the members of @o that @t describes into @base: all required but
 * those marked opt, none other allowed.  RF_CUSTOM members are only checked to
 * be there.
 */
static int read_obj(struct rd *rd, const json_t *o, const struct rf *t, int n,
		    void *base)
{
	int present = 0;

	if (!json_is_object(o))
		return want(rd, o, "an object");
	for (int i = 0; i < n; i++) {
		const json_t *v = json_object_get(o, t[i].key);
		int rc;

		if (!v && t[i].opt) {
			/* absent: the empty value of its kind (a CUSTOM one
			 * is the caller's) */
			if (t[i].kind != RF_CUSTOM)
				memset((char *)base + t[i].off, 0, t[i].size);
			continue;
		}
		/* a misspelt member is named as unknown, not its right
		 * spelling as missing */
		if (!v && unknown_member(rd, o, t, n))
			return -1;
		present++;
		rd_key(rd, t[i].key);
		rc = v ? read_field(rd, &t[i], v, base)
		       : rpt_fail(rd, REPORT_ERR_SCHEMA, "missing");
		rd_pop(rd);
		if (rc)
			return rc;
	}
	if (json_object_size(o) != (size_t)present)
		return unknown_member(rd, o, t, n);
	return 0;
}

/* ---- the parts with their own shape ------------------------------------- */

static int read_array(struct rd *rd, const json_t *a, size_t max)
{
	if (!json_is_array(a))
		return want(rd, a, "an array");
	if (json_array_size(a) > max)
		return rpt_fail(rd, REPORT_ERR_SCHEMA,
				"%zu entries, over the %zu allowed",
				json_array_size(a), max);
	return 0;
}

static int read_node(struct rd *rd, const json_t *o, struct report *r)
{
	const json_t *v;
	enum code_level l;
	char q[64];
	int rc;

	if (read_obj(rd, o, rpt_node, rpt_nnode, r))
		return -1;
	v = json_object_get(o, "level");
	rd_key(rd, "level");
	if (!json_is_string(v)) {
		rc = want(rd, v, "a string");
	} else if ((l = code_level_from_name(json_string_value(v))) ==
		   LEVEL_NONE) {
		rpt_quote(q, sizeof(q), json_string_value(v),
			  json_string_length(v));
		rc = rpt_fail(rd, REPORT_ERR_SCHEMA,
			      "%s is not one of province, city, county, "
			      "township",
			      q);
	} else {
		r->level = l;
		rc = 0;
	}
	rd_pop(rd);
	if (rc)
		return rc;
	v = json_object_get(o, "parent");
	rd_key(rd, "parent");
	if (json_is_null(v))
		r->parent = 0;
	else
		rc = read_code(rd, v, &r->parent);
	rd_pop(rd);
	return rc;
}

static int read_profile(struct rd *rd, const json_t *v, struct report *r)
{
	if (!json_is_null(v)) {
		if (!json_is_object(v))
			return want(rd, v, "an object or null");
		return read_obj(rd, v, rpt_profile, rpt_nprofile, r);
	}
	r->profile[0] = r->profile_version[0] = r->profile_hash[0] = '\0';
	return 0;
}

static int read_drops(struct rd *rd, const json_t *v, struct report_link *l)
{
	static const struct rf reason = {
		"",   RF_NAME, 0, sizeof(l->drops[0].reason), NULL, 0,
		NULL, 0,       0};
	const json_t *reasons, *rv;
	const char *key;
	int rc = 0;

	l->n_drops = 0;
	l->has_drops = !json_is_null(v);
	if (!l->has_drops) {
		l->drop_packets = l->drop_bytes = 0;
		return 0;
	}
	if (!json_is_object(v))
		return want(rd, v, "an object or null");
	if (read_obj(rd, v, rpt_drops, rpt_ndrops, l))
		return -1;
	reasons = json_object_get(v, "reasons");
	rd_key(rd, "reasons");
	if (!json_is_object(reasons))
		rc = want(rd, reasons, "an object");
	else if (json_object_size(reasons) > REPORT_MAX_DROPS)
		rc = rpt_fail(rd, REPORT_ERR_SCHEMA,
			      "%zu reasons, over the %d allowed",
			      json_object_size(reasons), REPORT_MAX_DROPS);
	json_object_foreach((json_t *)reasons, key, rv)
	{
		struct report_drop *d = &l->drops[l->n_drops];
		size_t len = strlen(key);

		if (rc)
			break;
		rd_key(rd, key);
		rc = rpt_check_str(rd, &reason, key, len) ||
		     read_obj(rd, rv, rpt_reason, rpt_nreason, d);
		rd_pop(rd);
		if (!rc)
			memcpy(d->reason, key, len + 1);
		l->n_drops++;
	}
	rd_pop(rd);
	return rc ? -1 : 0;
}

static int read_links(struct rd *rd, const json_t *a, struct report *r)
{
	size_t i;
	int rc = 0;

	if (read_array(rd, a, REPORT_MAX_LINKS))
		return -1;
	for (i = 0; !rc && i < json_array_size(a); i++) {
		struct report_link *l = &r->links[i];
		const json_t *o = json_array_get(a, i);

		rd_idx(rd, (int)i);
		rc = read_obj(rd, o, rpt_link, rpt_nlink, l);
		if (!rc) {
			rd_key(rd, "drops");
			rc = read_drops(rd, json_object_get(o, "drops"), l);
			rd_pop(rd);
		}
		rd_pop(rd);
	}
	r->n_links = (int)i;
	return rc;
}

static int read_targets(struct rd *rd, const json_t *a, struct report *r)
{
	size_t i;
	int rc = 0;

	if (read_array(rd, a, REPORT_MAX_TARGETS))
		return -1;
	for (i = 0; !rc && i < json_array_size(a); i++) {
		struct report_target *t = &r->targets[i];

		rd_idx(rd, (int)i);
		rc = read_obj(rd, json_array_get(a, i), rpt_target, rpt_ntarget,
			      t) ||
		     rpt_check_target_rel(rd, r, t);
		rd_pop(rd);
	}
	r->n_targets = (int)i;
	return rc ? -1 : 0;
}

static int read_firewall(struct rd *rd, const json_t *o, struct report *r)
{
	static const struct rf fw[] = {
		{"pairs", RF_CUSTOM, 0, 0, NULL, 0, NULL, 0, 0}};
	const json_t *pairs, *pv;
	const char *key;
	int rc = 0;

	r->n_pairs = 0;
	if (read_obj(rd, o, fw, 1, r))
		return -1;
	pairs = json_object_get(o, "pairs");
	rd_key(rd, "pairs");
	if (!json_is_object(pairs))
		rc = want(rd, pairs, "an object");
	else if (json_object_size(pairs) > REPORT_MAX_PAIRS)
		rc = rpt_fail(rd, REPORT_ERR_SCHEMA,
			      "%zu pairs, over the %d allowed",
			      json_object_size(pairs), REPORT_MAX_PAIRS);
	json_object_foreach((json_t *)pairs, key, pv)
	{
		struct report_pair *p = &r->pairs[r->n_pairs];
		size_t len = strlen(key);

		if (rc)
			break;
		rd_key(rd, key);
		rc = rpt_check_pair(rd, key, len) ||
		     read_obj(rd, pv, rpt_pair, rpt_npair, p);
		rd_pop(rd);
		if (!rc)
			memcpy(p->pair, key, len + 1);
		r->n_pairs++;
	}
	rd_pop(rd);
	return rc ? -1 : 0;
}

static int read_event(struct rd *rd, const json_t *o, struct report_event *e)
{
	static const struct rf type = {
		"type", RF_WORD, 0, 0, report_ev_words, RPT_EV__N, NULL, 0, 0};
	const json_t *v;
	int t, rc;

	if (!json_is_object(o))
		return want(rd, o, "an object");
	v = json_object_get(o, "type");
	rd_key(rd, "type");
	rc = v ? read_word(rd, &type, v, &t)
	       : rpt_fail(rd, REPORT_ERR_SCHEMA, "missing");
	rd_pop(rd);
	if (rc)
		return rc;
	e->type = t;
	e->code = 0;
	e->link[0] = e->hash[0] = e->text[0] = '\0';
	e->state = RPT_OPER_UNKNOWN;
	e->ok = false;
	return read_obj(rd, o, rpt_event[t], rpt_nevent[t], e);
}

static int read_events(struct rd *rd, const json_t *a, struct report *r)
{
	size_t i;
	int rc = 0;

	if (read_array(rd, a, REPORT_MAX_EVENTS))
		return -1;
	for (i = 0; !rc && i < json_array_size(a); i++) {
		rd_idx(rd, (int)i);
		rc = read_event(rd, json_array_get(a, i), &r->events[i]) ||
		     rpt_check_event(rd, r, &r->events[i]);
		rd_pop(rd);
	}
	r->n_events = (int)i;
	return rc ? -1 : 0;
}

/* The devices polled over SNMP: absent (none), or an array of them. */
static int read_snmp(struct rd *rd, const json_t *a, struct report *r)
{
	size_t i;
	int rc = 0;

	r->n_snmp = 0;
	if (!a)
		return 0;
	if (read_array(rd, a, REPORT_MAX_SNMP_DEVICES))
		return -1;
	for (i = 0; !rc && i < json_array_size(a); i++) {
		struct report_snmp_dev *d = &r->snmp[i];
		const json_t *o = json_array_get(a, i), *ifs;
		size_t k = 0;

		rd_idx(rd, (int)i);
		d->n_ifs = 0;
		rc = read_obj(rd, o, rpt_snmp_dev, rpt_nsnmp_dev, d);
		ifs = rc ? NULL : json_object_get(o, "interfaces");
		rd_key(rd, "interfaces");
		if (!rc)
			rc = read_array(rd, ifs, REPORT_MAX_SNMP_IFACES);
		for (k = 0; !rc && k < json_array_size(ifs); k++) {
			rd_idx(rd, (int)k);
			rc = read_obj(rd, json_array_get(ifs, k), rpt_snmp_if,
				      rpt_nsnmp_if, &d->ifs[k]);
			rd_pop(rd);
		}
		d->n_ifs = (int)k;
		rd_pop(rd);
		rd_pop(rd);
	}
	r->n_snmp = (int)i;
	return rc ? -1 : 0;
}

/* ---- the report --------------------------------------------------------- */

typedef int part_fn(struct rd *rd, const json_t *v, struct report *r);

static int oracle_from_json(const json_t *j, struct report *r,
			    enum report_err *why, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		part_fn *fn;
	} parts[] = {
		{"node", read_node},	     {"profile", read_profile},
		{"links", read_links},	     {"targets", read_targets},
		{"firewall", read_firewall}, {"events", read_events},
		{"snmp", read_snmp},
	};
	struct rd rd = {.err = err, .errlen = errlen};
	const json_t *v;
	int rc = 0;

	r->n_links = r->n_targets = r->n_pairs = r->n_events = r->n_snmp = 0;
	if (!json_is_object(j)) {
		rc = want(&rd, j, "an object");
		goto out;
	}
	/* the version first: a report of another schema is not "unknown
	 * members" */
	v = json_object_get(j, "schema");
	rd_key(&rd, "schema");
	if (!v)
		rc = rpt_fail(&rd, REPORT_ERR_SCHEMA, "missing");
	else if (!json_is_integer(v) || json_integer_value(v) != REPORT_SCHEMA)
		rc = json_is_integer(v)
			     ? rpt_fail(&rd, REPORT_ERR_VERSION,
					"%lld is not %d (the schema read here)",
					json_integer_value(v), REPORT_SCHEMA)
			     : rpt_fail(&rd, REPORT_ERR_VERSION,
					"the integer %d expected, not %s",
					REPORT_SCHEMA, jtype(v));
	rd_pop(&rd);
	if (rc)
		goto out;
	r->schema = REPORT_SCHEMA;
	if ((rc = read_obj(&rd, j, rpt_top, rpt_ntop, r)))
		goto out;
	for (size_t i = 0; !rc && i < sizeof(parts) / sizeof(parts[0]); i++) {
		rd_key(&rd, parts[i].key);
		rc = parts[i].fn(&rd, json_object_get(j, parts[i].key), r);
		rd_pop(&rd);
		if (!rc && i == 0)
			rc = rpt_check_node(&rd, r);
	}
	if (!rc)
		rc = rpt_check_unique(&rd, r) || rpt_check_snmp_unique(&rd, r)
			     ? -1
			     : 0;
out:
	if (why)
		*why = rc ? rd.why : REPORT_ERR_NONE;
	return rc ? -1 : 0;
}

/*
 * The nesting of the containers of @len bytes, outside strings, against
 * REPORT_MAX_DEPTH: one pass, before anything is parsed.  Returns the
 * offset of the first bracket too deep, or -1 when none is.  (A body this
 * pass misreads is not JSON, and jansson refuses it next.)
 */
static long depth_over(const char *body, size_t len)
{
	const unsigned char *s = (const unsigned char *)body, *end = s + len;
	int depth = 0;

	for (const unsigned char *p = s; p < end; p++) {
		switch (*p) {
		case '"':
			/* skip the string: to the next quote not escaped */
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			if (p >= end)
				return -1;
			break;
		case '[':
		case '{':
			if (++depth > REPORT_MAX_DEPTH)
				return p - s;
			break;
		case ']':
		case '}':
			depth--;
			break;
		}
	}
	return -1;
}

int report_decode_jansson(const char *body, size_t len, struct report *r,
			  enum report_err *why, char *err, size_t errlen)
{
	struct rd rd = {.err = err, .errlen = errlen};
	const char *nul;
	json_error_t je;
	json_t *j;
	long at;
	int rc;

	r->n_links = r->n_targets = r->n_pairs = r->n_events = r->n_snmp = 0;
	if (len > REPORT_MAX_BYTES) {
		rc = rpt_fail(&rd, REPORT_ERR_SIZE,
			      "%zu bytes, over the %d a body may have", len,
			      REPORT_MAX_BYTES);
	} else if ((nul = memchr(body, '\0', len))) {
		/* jansson skips a raw NUL where it reads one: refuse it here */
		rc = rpt_fail(&rd, REPORT_ERR_JSON, "a NUL byte at byte %ld",
			      (long)(nul - body));
	} else if ((at = depth_over(body, len)) >= 0) {
		rc = rpt_fail(&rd, REPORT_ERR_JSON,
			      "nested deeper than %d at byte %ld",
			      REPORT_MAX_DEPTH, at);
	} else if (!(j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je))) {
		rc = rpt_fail(&rd, REPORT_ERR_JSON, "not JSON: %s at byte %d",
			      je.text, je.position);
	} else {
		rc = oracle_from_json(j, r, why, err, errlen);
		json_decref(j);
		return rc;
	}
	if (why)
		*why = rd.why;
	return rc;
}

/* ---- the two decoders side by side -------------------------------------- */

int report_oracle_diff(const char *body, size_t len, struct report *a,
		       struct report *b, char *msg, size_t msglen)
{
	enum report_err wa = REPORT_ERR__N, wb = REPORT_ERR__N;
	char ea[256] = "", eb[256] = "";
	int ra, rb;

	ra = report_decode_jansson(body, len, a, &wa, ea, sizeof(ea));
	rb = report_decode(body, len, b, &wb, eb, sizeof(eb));
	if (ra != rb || wa != wb) {
		snprintf(msg, msglen,
			 "jansson %d %s \"%s\", report_decode %d %s \"%s\"", ra,
			 report_err_words[wa], ea, rb,
			 wb < REPORT_ERR__N ? report_err_words[wb] : "?", eb);
		return -1;
	}
	/* the reason word for word, but for the wording of JSON syntax */
	if (ra && wa != REPORT_ERR_JSON && strcmp(ea, eb)) {
		snprintf(msg, msglen,
			 "%s: jansson \"%s\", report_decode \"%s\"",
			 report_err_words[wa], ea, eb);
		return -1;
	}
	if (ra && wa == REPORT_ERR_JSON && strncmp(eb, "report: ", 8)) {
		snprintf(msg, msglen, "JSON reason \"%s\"", eb);
		return -1;
	}
	if (ra)
		return 0;
	/* accepted: the very same bytes written over the same garbage */
	memset(a, 0xa5, sizeof(*a));
	memset(b, 0xa5, sizeof(*b));
	if (report_decode_jansson(body, len, a, &wa, ea, sizeof(ea)) ||
	    report_decode(body, len, b, &wb, eb, sizeof(eb))) {
		snprintf(msg, msglen, "accepted once, then refused");
		return -1;
	}
	if (memcmp(a, b, sizeof(*a))) {
		const unsigned char *x = (const void *)a, *y = (const void *)b;
		size_t i = 0;

		while (x[i] == y[i])
			i++;
		snprintf(msg, msglen,
			 "accepted, structs differ from byte %zu of %zu", i,
			 sizeof(*a));
		return -1;
	}
	return 0;
}
