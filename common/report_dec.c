// SPDX-License-Identifier: BSD-2-Clause
/*
 * Report schema v1, the strict decoder (the tables and the one-value
 * checks are report.c's, the JSON scanner jscan.c).  A body over
 * REPORT_MAX_BYTES or with a NUL byte is refused before it is read; then
 * one pass over the bytes, with no tree and no allocation: each object
 * is read by its table of fields (struct rf), each member's value checked
 * and written into the struct where it lies in the body, so a field added
 * to a table is decoded with no change here.  Only what the body carries
 * is written (the struct is ~600 KiB, reused by the caller), plus the few
 * fields a null stands for.
 *
 * Refusals are those of a parse into a tree followed by a walk of the
 * tree in table order (tests/support/report_oracle.c keeps that decoder,
 * and the tests hold this one to it): a JSON error anywhere wins over any
 * schema error, and of several schema errors the one reported is the one
 * a walk in table order meets first, wherever it is in the body.  So an
 * error does not stop the pass.  Each check has a rank, the position of
 * its step in that walk (a short vector, compared lexicographically: the
 * table index of a member, the index of an array entry, the step within
 * an entry); the error of lowest rank is kept (its reason written when
 * it is found, overwritten by a lower one), and a value whose rank is
 * past it is only scanned, not checked.  The checks across fields (the
 * node's parent, the targets' relations, the events' codes, duplicates)
 * run after the pass, at their ranks, in that order.  Events are read by
 * the table of their type: the type is looked up first (a scan of the
 * event's members up to "type", the encoder's second).
 *
 * Duplicate keys: a bitmap of the table's fields per object, and for
 * keys no table names (maps, unknown members, skipped values) the
 * scanner's key stack.
 */
#include <stdio.h>
#include <string.h>

#include "common/jscan.h"
#include "common/report.h"
#include "common/report_int.h"

/* Components of a rank: 10 at most today. */
#define RANK_MAX 24
/* A key or word decoded to be looked up; a longer one is kept cut (a
 * reason shows 40 bytes of it). */
#define KEY_CAP 64
/* A map key: any pair or reason name whole. */
#define MAPKEY_CAP 80

struct dec {
	struct jscan js;
	struct rd rd;
	bool failed;	  /* rd holds the error of lowest rank so far */
	bool schema_seen; /* the top object had "schema" */
	int nrank, nbest;
	unsigned rank[RANK_MAX], best[RANK_MAX];
};

/* ---- ranks -------------------------------------------------------------- */

static inline void at(struct dec *d, unsigned v)
{
	if (d->nrank < RANK_MAX)
		d->rank[d->nrank] = v;
	d->nrank++;
}

static inline void up(struct dec *d)
{
	d->nrank--;
}

/* Replace the last component (a step of the caller), returning it. */
static inline unsigned step(struct dec *d, unsigned v)
{
	unsigned old = d->rank[d->nrank - 1];

	d->rank[d->nrank - 1] = v;
	return old;
}

/* Whether an error here could come before the one kept: everything is
 * live until an error is, then only what ranks lower (a prefix of the
 * kept rank is live: something in it may). */
static bool live(const struct dec *d)
{
	int n = d->nrank < d->nbest ? d->nrank : d->nbest;

	if (!d->failed)
		return true;
	for (int i = 0; i < n && i < RANK_MAX; i++)
		if (d->rank[i] != d->best[i])
			return d->rank[i] < d->best[i];
	return d->nrank < d->nbest;
}

/* A check just failed (its reason is in rd): it is the one kept. */
static void noted(struct dec *d)
{
	int n = d->nrank < RANK_MAX ? d->nrank : RANK_MAX;

	memcpy(d->best, d->rank, (size_t)n * sizeof(d->rank[0]));
	d->nbest = n;
	d->failed = true;
}

#define FAIL(d, why, ...) (rpt_fail(&(d)->rd, why, __VA_ARGS__), noted(d))

static inline bool named(const char *name, const char *key, size_t len)
{
	/* a decoded key holds no NUL: a shorter name stops at its own */
	for (size_t i = 0; i < len; i++)
		if (name[i] != key[i])
			return false;
	return !name[len];
}

/* ---- values ------------------------------------------------------------- */

static const char *tname(enum jscan_type t)
{
	switch (t) {
	case JSCAN_OBJECT:
		return "an object";
	case JSCAN_ARRAY:
		return "an array";
	case JSCAN_STRING:
		return "a string";
	case JSCAN_INT:
		return "an integer";
	case JSCAN_REAL:
		return "a real";
	case JSCAN_TRUE:
	case JSCAN_FALSE:
		return "a boolean";
	case JSCAN_NULL:
		return "null";
	default:
		return "nothing";
	}
}

/* The value at the cursor is not @what: refused, and passed.  (No value
 * at all is a JSON error, which the skip finds.) */
static int want(struct dec *d, const char *what)
{
	enum jscan_type t = jscan_peek(&d->js);

	if (t != JSCAN_NONE)
		FAIL(d, REPORT_ERR_SCHEMA, "%s expected, not %s", what,
		     tname(t));
	return jscan_skip(&d->js);
}

static int literal(struct dec *d)
{
	return jscan_literal(&d->js) < 0 ? -1 : 0;
}

/* A word of @f into *out (untouched when refused). */
static int read_word(struct dec *d, const struct rf *f, int *out)
{
	enum jscan_type t = jscan_peek(&d->js);
	char s[KEY_CAP], q[64], list[128];
	size_t len, o = 0;

	if (f->kind == RF_WORDN && t == JSCAN_NULL) {
		*out = 0;
		return literal(d);
	}
	if (t != JSCAN_STRING)
		return want(d, f->kind == RF_WORDN ? "a string or null"
						   : "a string");
	if (jscan_string(&d->js, s, sizeof(s), &len, NULL))
		return -1;
	for (int i = 0; i < f->nwords && len < sizeof(s); i++)
		if (f->words[i] && named(f->words[i], s, len)) {
			*out = i;
			return 0;
		}
	for (int i = 0; i < f->nwords; i++)
		if (f->words[i] && o + 1 < sizeof(list)) {
			snprintf(list + o, sizeof(list) - o, "%s%s",
				 o ? ", " : "", f->words[i]);
			o += strlen(list + o);
		}
	rpt_quote(q, sizeof(q), s, len);
	FAIL(d, REPORT_ERR_SCHEMA, "%s is not one of %s%s", q, list,
	     f->kind == RF_WORDN ? ", null" : "");
	return 0;
}

/* A 12-digit code, as codes are on the wire (no short forms). */
static int read_code(struct dec *d, code_t *out)
{
	char s[KEY_CAP], q[64], why[CODE_ERR_MAX];
	size_t len;

	if (jscan_peek(&d->js) != JSCAN_STRING)
		return want(d, "a 12-digit code string");
	if (jscan_string(&d->js, s, sizeof(s), &len, NULL))
		return -1;
	if (len != CODE_LEN) {
		rpt_quote(q, sizeof(q), s, len);
		FAIL(d, REPORT_ERR_CODE, "%s is not 12 digits", q);
	} else if (code_parse(s, out, why, sizeof(why))) {
		FAIL(d, REPORT_ERR_CODE, "%s", why);
	}
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

/* What reads a CUSTOM member of a table: called with the cursor at its
 * value and the rank of the object; it sets its own step. */
typedef int custom_fn(struct dec *d, const struct rf *f, void *base);

static int read_obj(struct dec *d, const struct rf *t, int n, void *base,
		    custom_fn *custom);

static int read_field(struct dec *d, const struct rf *f, char *base)
{
	struct jscan *s = &d->js;
	void *p = base + f->off;
	enum jscan_type t;
	long long iv;
	double dv;
	size_t len;

	if (!live(d))
		return jscan_skip(s);
	t = jscan_peek(s);
	switch (f->kind) {
	case RF_U64:
	case RF_SEQ:
	case RF_TIME:
	case RF_TIME0:
	case RF_SECS:
	case RF_IVAL:
		if (t != JSCAN_INT)
			return want(d, "an integer");
		if (jscan_number(s, &iv, &dv) < 0)
			return -1;
		if (rpt_check_int(&d->rd, f, iv))
			noted(d);
		else if (f->kind == RF_U64 || f->kind == RF_SEQ)
			*(uint64_t *)p = (uint64_t)iv;
		else
			*(long long *)p = iv;
		return 0;
	case RF_MS:
		if (t == JSCAN_NULL) {
			*(double *)p = -1;
			return literal(d);
		}
		/* fall through */
	case RF_PCT:
	case RF_BPS:
		if (t != JSCAN_INT && t != JSCAN_REAL)
			return want(d, f->kind == RF_MS ? "a number or null"
							: "a number");
		if (jscan_number(s, &iv, &dv) < 0)
			return -1;
		if (rpt_check_dbl(&d->rd, f, dv))
			noted(d);
		else
			*(double *)p = dv;
		return 0;
	case RF_BOOL:
		if (t != JSCAN_TRUE && t != JSCAN_FALSE)
			return want(d, "true or false");
		*(bool *)p = t == JSCAN_TRUE;
		return literal(d);
	case RF_NAME:
	case RF_NAME0:
	case RF_IFNAME:
	case RF_TOKEN:
	case RF_TOKEN0:
	case RF_TEXT:
		/* straight into the field, never past it; a longer one is
		 * refused by its length, which the check reads first */
		if (t != JSCAN_STRING)
			return want(d, "a string");
		if (jscan_string(s, p, f->size, &len, NULL))
			return -1;
		if (rpt_check_str(&d->rd, f, p, len))
			noted(d);
		return 0;
	case RF_WORD:
	case RF_WORDN:
		return read_word(d, f, p);
	case RF_CODE:
		return read_code(d, p);
	case RF_OBJN:
		*(bool *)p = t != JSCAN_NULL;
		if (t == JSCAN_NULL) {
			zero_fields(f->sub, f->nsub, base);
			return literal(d);
		}
		/* fall through */
	case RF_OBJ:
		return read_obj(d, f->sub, f->nsub, base, NULL);
	}
	return jscan_skip(s); /* RF_CUSTOM: the caller's */
}

/* ---- objects by table --------------------------------------------------- */

/* The field of @t named by @key (@len bytes), looked for from *hint (the
 * member after the last one found: bodies come in table order). */
static int find(const struct rf *t, int n, const char *key, size_t len,
		int *hint)
{
	for (int k = 0, j = *hint; k < n; k++, j = j + 1 < n ? j + 1 : 0)
		if (named(t[j].key, key, len)) {
			*hint = j + 1 < n ? j + 1 : 0;
			return j;
		}
	return -1;
}

/*
 * Read the object at the cursor by @t into @base: every member of the
 * table required, none other allowed, each at most once.  Member j is
 * checked at rank R.j (R the rank on entry); a member missing, or the
 * first unknown one when there is one, at R.m with m the first missing
 * member (n when none is), as a walk in table order meets them.  CUSTOM
 * members go to @custom (or are only passed when it is NULL).  0, or -1
 * on a JSON error.
 */
static int read_obj(struct dec *d, const struct rf *t, int n, void *base,
		    custom_fn *custom)
{
	struct jscan *s = &d->js;
	char key[KEY_CAP], unk[KEY_CAP];
	bool have_unk = false, first = true;
	uint64_t seen = 0;
	uint32_t mark, koff;
	size_t klen;
	int rc, hint = 0, m;

	if (!live(d))
		return jscan_skip(s);
	if (jscan_peek(s) != JSCAN_OBJECT)
		return want(d, "an object");
	if (n > 64) /* the bitmap; report.c's tables have 12 at most */
		return jscan_fail(s, s->p, "a table of over 64 fields");
	mark = jscan_keys_mark(s);
	while ((rc = jscan_member(s, first, key, sizeof(key), &klen, &koff,
				  NULL)) == 1) {
		int j = klen < sizeof(key) ? find(t, n, key, klen, &hint) : -1;

		first = false;
		if (j < 0) {
			if (jscan_keys_add(s, koff, jscan_key_hash(s, koff)) ||
			    jscan_skip(s))
				return -1;
			if (!have_unk)
				memcpy(unk, key, sizeof(unk));
			have_unk = true;
			continue;
		}
		if (seen & (1ULL << j))
			return jscan_dup(s, koff);
		seen |= 1ULL << j;
		rd_key(&d->rd, t[j].key);
		if (t[j].kind == RF_CUSTOM) {
			rc = custom ? custom(d, &t[j], base) : jscan_skip(s);
		} else {
			at(d, (unsigned)j);
			rc = read_field(d, &t[j], base);
			up(d);
		}
		rd_pop(&d->rd);
		if (rc)
			return -1;
	}
	if (rc < 0 || jscan_keys_check(s, mark))
		return -1;
	for (m = 0; m < n && (seen >> m & 1); m++)
		;
	if (m < n || have_unk) {
		/* a misspelt member is named as unknown, not its right
		 * spelling as missing */
		at(d, (unsigned)m);
		if (live(d)) {
			rd_key(&d->rd, have_unk ? unk : t[m].key);
			FAIL(d, REPORT_ERR_SCHEMA,
			     have_unk ? "unknown member" : "missing");
			rd_pop(&d->rd);
		}
		up(d);
	}
	return 0;
}

/* ---- arrays and maps ---------------------------------------------------- */

typedef int elem_fn(struct dec *d, size_t i, void *ctx);

/*
 * The array at the cursor, at most @max entries, each read by @fn into
 * entry i (at rank R.1.i; the array's type and size at R.0), the count
 * (at most @max) in *count.
 */
static int read_array(struct dec *d, size_t max, elem_fn *fn, void *ctx,
		      int *count)
{
	struct jscan *s = &d->js;
	size_t i;
	int rc;

	at(d, 0);
	if (!live(d) || jscan_peek(s) != JSCAN_ARRAY) {
		rc = live(d) ? want(d, "an array") : jscan_skip(s);
		up(d);
		return rc;
	}
	step(d, 1);
	at(d, 0);
	for (i = 0; (rc = jscan_element(s, i == 0)) == 1; i++) {
		step(d, (unsigned)i);
		if (i >= max || !live(d)) {
			rc = jscan_skip(s);
		} else {
			rd_idx(&d->rd, (int)i);
			rc = fn(d, i, ctx);
			rd_pop(&d->rd);
		}
		if (rc)
			return -1;
	}
	up(d);
	if (rc < 0)
		return -1;
	step(d, 0);
	if (i > max && live(d))
		FAIL(d, REPORT_ERR_SCHEMA, "%zu entries, over the %zu allowed",
		     i, max);
	up(d);
	*count = (int)(i > max ? max : i);
	return 0;
}

typedef int entry_fn(struct dec *d, size_t k, const char *key, size_t len,
		     void *ctx);

/* A map (an object of any keys) at most @max entries (@what in the
 * reason), each read by @fn: as read_array(). */
static int read_map(struct dec *d, size_t max, const char *what, entry_fn *fn,
		    void *ctx, int *count)
{
	struct jscan *s = &d->js;
	char key[MAPKEY_CAP];
	bool first = true;
	uint32_t mark, koff, h;
	size_t k = 0, klen;
	int rc;

	at(d, 0);
	if (!live(d) || jscan_peek(s) != JSCAN_OBJECT) {
		rc = live(d) ? want(d, "an object") : jscan_skip(s);
		up(d);
		return rc;
	}
	mark = jscan_keys_mark(s);
	step(d, 1);
	at(d, 0);
	while ((rc = jscan_member(s, first, key, sizeof(key), &klen, &koff,
				  &h)) == 1) {
		first = false;
		if (jscan_keys_add(s, koff, h))
			return -1;
		step(d, (unsigned)k);
		if (k >= max || !live(d)) {
			rc = jscan_skip(s);
		} else {
			rd_key(&d->rd, key);
			rc = fn(d, k, key, klen, ctx);
			rd_pop(&d->rd);
		}
		if (rc)
			return -1;
		k++;
	}
	up(d);
	if (rc < 0 || jscan_keys_check(s, mark))
		return -1;
	step(d, 0);
	if (k > max && live(d))
		FAIL(d, REPORT_ERR_SCHEMA, "%zu %s, over the %zu allowed", k,
		     what, max);
	up(d);
	*count = (int)(k > max ? max : k);
	return 0;
}

/* ---- the parts with their own shape ------------------------------------- */

/* Run @fn on the CUSTOM member at the cursor at step @v of the object. */
#define AT_STEP(d, v, call)                                                    \
	({                                                                     \
		unsigned sv_ = step(d, v);                                     \
		int rc_ = (call);                                              \
		step(d, sv_);                                                  \
		rc_;                                                           \
	})

static int read_schema(struct dec *d, struct report *r)
{
	enum jscan_type t;
	long long v;
	double dv;

	d->schema_seen = true;
	if (!live(d))
		return jscan_skip(&d->js);
	t = jscan_peek(&d->js);
	if (t != JSCAN_INT) {
		if (t != JSCAN_NONE)
			FAIL(d, REPORT_ERR_VERSION,
			     "the integer %d expected, not %s", REPORT_SCHEMA,
			     tname(t));
		return jscan_skip(&d->js);
	}
	if (jscan_number(&d->js, &v, &dv) < 0)
		return -1;
	if (v != REPORT_SCHEMA)
		FAIL(d, REPORT_ERR_VERSION,
		     "%lld is not %d (the schema read here)", v, REPORT_SCHEMA);
	else
		r->schema = REPORT_SCHEMA;
	return 0;
}

static int read_level(struct dec *d, struct report *r)
{
	char s[KEY_CAP], q[64];
	enum code_level l;
	size_t len;

	if (!live(d))
		return jscan_skip(&d->js);
	if (jscan_peek(&d->js) != JSCAN_STRING)
		return want(d, "a string");
	if (jscan_string(&d->js, s, sizeof(s), &len, NULL))
		return -1;
	l = len < sizeof(s) ? code_level_from_name(s) : LEVEL_NONE;
	if (l == LEVEL_NONE) {
		rpt_quote(q, sizeof(q), s, len);
		FAIL(d, REPORT_ERR_SCHEMA,
		     "%s is not one of province, city, county, township", q);
	} else {
		r->level = l;
	}
	return 0;
}

static int read_parent(struct dec *d, struct report *r)
{
	if (!live(d))
		return jscan_skip(&d->js);
	if (jscan_peek(&d->js) == JSCAN_NULL) {
		r->parent = 0;
		return literal(d);
	}
	return read_code(d, &r->parent);
}

static int node_member(struct dec *d, const struct rf *f, void *base)
{
	if (!strcmp(f->key, "level"))
		return AT_STEP(d, 1, read_level(d, base));
	if (!strcmp(f->key, "parent"))
		return AT_STEP(d, 2, read_parent(d, base));
	return jscan_skip(&d->js);
}

/* node: its table at step 0, level at 1, parent at 2; the parent is
 * checked against the code after the pass (cross()). */
static int read_node(struct dec *d, struct report *r)
{
	int rc;

	at(d, 0);
	rc = read_obj(d, rpt_node, rpt_nnode, r, node_member);
	up(d);
	return rc;
}

static int read_profile(struct dec *d, struct report *r)
{
	enum jscan_type t = jscan_peek(&d->js);

	if (!live(d))
		return jscan_skip(&d->js);
	if (t == JSCAN_NULL) {
		r->profile[0] = r->profile_version[0] = r->profile_hash[0] =
			'\0';
		return literal(d);
	}
	if (t != JSCAN_OBJECT)
		return want(d, "an object or null");
	return read_obj(d, rpt_profile, rpt_nprofile, r, NULL);
}

static int reason_entry(struct dec *d, size_t k, const char *key, size_t len,
			void *ctx)
{
	static const struct rf reason = {"",   RF_NAME, 0,    REPORT_NAME_LEN,
					 NULL, 0,	NULL, 0};
	struct report_drop *dr = &((struct report_link *)ctx)->drops[k];
	int rc;

	_Static_assert(sizeof(dr->reason) == REPORT_NAME_LEN, "reason size");
	at(d, 0);
	if (rpt_check_str(&d->rd, &reason, key, len)) {
		noted(d);
		up(d);
		return jscan_skip(&d->js);
	}
	memcpy(dr->reason, key, len + 1);
	step(d, 1);
	rc = read_obj(d, rpt_reason, rpt_nreason, dr, NULL);
	up(d);
	return rc;
}

static int drops_member(struct dec *d, const struct rf *f, void *base)
{
	struct report_link *l = base;

	if (strcmp(f->key, "reasons"))
		return jscan_skip(&d->js);
	return AT_STEP(d, 1,
		       read_map(d, REPORT_MAX_DROPS, "reasons", reason_entry, l,
				&l->n_drops));
}

/* drops: null, or its table at step 0 and its reasons at 1. */
static int read_drops(struct dec *d, struct report_link *l)
{
	enum jscan_type t;
	int rc;

	if (!live(d))
		return jscan_skip(&d->js);
	t = jscan_peek(&d->js);
	l->n_drops = 0;
	l->has_drops = t != JSCAN_NULL;
	if (!l->has_drops) {
		l->drop_packets = l->drop_bytes = 0;
		return literal(d);
	}
	if (t != JSCAN_OBJECT)
		return want(d, "an object or null");
	at(d, 0);
	rc = read_obj(d, rpt_drops, rpt_ndrops, l, drops_member);
	up(d);
	return rc;
}

static int link_member(struct dec *d, const struct rf *f, void *base)
{
	if (strcmp(f->key, "drops"))
		return jscan_skip(&d->js);
	return AT_STEP(d, 1, read_drops(d, base));
}

/* A link: its table at step 0, its drops at 1. */
static int link_entry(struct dec *d, size_t i, void *ctx)
{
	struct report *r = ctx;
	int rc;

	at(d, 0);
	rc = read_obj(d, rpt_link, rpt_nlink, &r->links[i], link_member);
	up(d);
	return rc;
}

static int read_links(struct dec *d, struct report *r)
{
	return read_array(d, REPORT_MAX_LINKS, link_entry, r, &r->n_links);
}

/* A target: its table at step 0, its relation at 1 (after the pass). */
static int target_entry(struct dec *d, size_t i, void *ctx)
{
	struct report *r = ctx;
	int rc;

	at(d, 0);
	rc = read_obj(d, rpt_target, rpt_ntarget, &r->targets[i], NULL);
	up(d);
	return rc;
}

static int read_targets(struct dec *d, struct report *r)
{
	return read_array(d, REPORT_MAX_TARGETS, target_entry, r,
			  &r->n_targets);
}

static int pair_entry(struct dec *d, size_t k, const char *key, size_t len,
		      void *ctx)
{
	static const struct rf pair_name = {
		"", RF_NAME, 0, REPORT_PAIR_LEN, NULL, 0, NULL, 0};
	struct report_pair *p = &((struct report *)ctx)->pairs[k];
	int rc;

	_Static_assert(sizeof(p->pair) == REPORT_PAIR_LEN, "pair size");
	at(d, 0);
	/* a name too long for the field is refused by its length, as
	 * rpt_check_pair() would, without reading past the copy */
	if (len >= sizeof(p->pair) ? rpt_check_str(&d->rd, &pair_name, key, len)
				   : rpt_check_pair(&d->rd, key, len)) {
		noted(d);
		up(d);
		return jscan_skip(&d->js);
	}
	memcpy(p->pair, key, len + 1);
	step(d, 1);
	rc = read_obj(d, rpt_pair, rpt_npair, p, NULL);
	up(d);
	return rc;
}

static int firewall_member(struct dec *d, const struct rf *f, void *base)
{
	struct report *r = base;

	if (strcmp(f->key, "pairs"))
		return jscan_skip(&d->js);
	return AT_STEP(d, 1,
		       read_map(d, REPORT_MAX_PAIRS, "pairs", pair_entry, r,
				&r->n_pairs));
}

/* firewall: its table ("pairs" only) at step 0, the pairs at 1. */
static int read_firewall(struct dec *d, struct report *r)
{
	static const struct rf fw[] = {
		{"pairs", RF_CUSTOM, 0, 0, NULL, 0, NULL, 0}};
	int rc;

	r->n_pairs = 0;
	at(d, 0);
	rc = read_obj(d, fw, 1, r, firewall_member);
	up(d);
	return rc;
}

/*
 * The type of the event object at the cursor, into *t (-1 when refused),
 * the cursor left where it was.  Its members are scanned up to "type";
 * a JSON error on the way is left for the pass over the event to find.
 */
static int event_type(struct dec *d, int *t)
{
	static const struct rf type = {"type",		RF_WORD,   0,	 0,
				       report_ev_words, RPT_EV__N, NULL, 0};
	struct jscan *s = &d->js;
	const unsigned char *p0 = s->p;
	int depth0 = s->depth, rc;
	uint32_t nkeys0 = s->nkeys, koff;
	char key[KEY_CAP];
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
		rc = read_word(d, &type, t);
	else
		FAIL(d, REPORT_ERR_SCHEMA, "missing");
	rd_pop(&d->rd);
	s->p = p0;
	s->depth = depth0;
	s->nkeys = nkeys0;
	return rc;
}

static int event_member(struct dec *d, const struct rf *f, void *base)
{
	(void)f;
	(void)base;
	return jscan_skip(&d->js); /* "type": read by event_type() */
}

/* An event: object and type at step 0, the table of its type at 1, its
 * code against the node at 2 (after the pass). */
static int event_entry(struct dec *d, size_t i, void *ctx)
{
	struct report_event *e = &((struct report *)ctx)->events[i];
	int t = -1, rc;

	at(d, 0);
	if (jscan_peek(&d->js) != JSCAN_OBJECT) {
		rc = want(d, "an object");
		up(d);
		return rc;
	}
	if (event_type(d, &t)) {
		up(d);
		return -1;
	}
	if (t < 0) {
		up(d);
		return jscan_skip(&d->js);
	}
	step(d, 1);
	e->type = t;
	e->code = 0;
	e->link[0] = e->hash[0] = e->text[0] = '\0';
	e->state = RPT_OPER_UNKNOWN;
	e->ok = false;
	rc = read_obj(d, rpt_event[t], rpt_nevent[t], e, event_member);
	up(d);
	return rc;
}

static int read_events(struct dec *d, struct report *r)
{
	return read_array(d, REPORT_MAX_EVENTS, event_entry, r, &r->n_events);
}

/* ---- the report --------------------------------------------------------- */

/* The parts of the top object, in the order they are read: step 2 + i. */
static const struct {
	const char *key;
	int (*fn)(struct dec *d, struct report *r);
} parts[] = {
	{"node", read_node},	     {"profile", read_profile},
	{"links", read_links},	     {"targets", read_targets},
	{"firewall", read_firewall}, {"events", read_events},
};
#define NPARTS	  (sizeof(parts) / sizeof(parts[0]))
#define STEP_PART 2u		/* 2..7 */
#define STEP_UNIQ (2u + NPARTS) /* the duplicates, last */

static int top_member(struct dec *d, const struct rf *f, void *base)
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
static int scan(struct dec *d, struct report *r)
{
	enum jscan_type t = jscan_peek(&d->js);
	int rc;

	if (t == JSCAN_ARRAY) {
		at(d, 0);
		rc = want(d, "an object");
		up(d);
		return rc;
	}
	if (t != JSCAN_OBJECT)
		return jscan_fail(&d->js, d->js.p,
				  d->js.p < d->js.end
					  ? "'[' or '{' expected"
					  : "premature end of input");
	at(d, 1);
	rc = read_obj(d, rpt_top, rpt_ntop, r, top_member);
	up(d);
	if (rc)
		return -1;
	if (!d->schema_seen) {
		at(d, 0);
		if (live(d)) {
			rd_key(&d->rd, "schema");
			FAIL(d, REPORT_ERR_SCHEMA, "missing");
			rd_pop(&d->rd);
		}
		up(d);
	}
	return 0;
}

/*
 * The checks across fields, after the pass, each at the rank a walk in
 * table order would meet it, each only when no error ranks lower (so the
 * fields it reads were all read).
 */
static void cross(struct dec *d, const struct report *r)
{
	struct rd *rd = &d->rd;

	rd->depth = 0;
	/* the node's level and parent against its code, on its own: the
	 * step after the node's members */
	d->nrank = 0;
	at(d, STEP_PART + 0);
	at(d, 3);
	if (live(d) && rpt_check_node(rd, r))
		noted(d);
	/* each target's relation to the node, after the target's fields */
	d->nrank = 0;
	at(d, STEP_PART + 3);
	at(d, 1);
	at(d, 0);
	at(d, 1);
	for (int i = 0; i < r->n_targets; i++) {
		d->rank[2] = (unsigned)i;
		if (!live(d))
			break;
		rd_key(rd, "targets");
		rd_idx(rd, i);
		if (rpt_check_target_rel(rd, r, &r->targets[i]))
			noted(d);
		rd->depth -= 2;
		if (d->failed && !live(d))
			break;
	}
	/* each target event's code, after the event's fields */
	d->nrank = 0;
	at(d, STEP_PART + 5);
	at(d, 1);
	at(d, 0);
	at(d, 2);
	for (int i = 0; i < r->n_events; i++) {
		d->rank[2] = (unsigned)i;
		if (!live(d))
			break;
		rd_key(rd, "events");
		rd_idx(rd, i);
		if (rpt_check_event(rd, r, &r->events[i]))
			noted(d);
		rd->depth -= 2;
	}
	/* link names and target codes unique */
	d->nrank = 0;
	at(d, STEP_UNIQ);
	if (live(d) && rpt_check_unique(rd, r))
		noted(d);
}

int report_decode(const char *body, size_t len, struct report *r,
		  enum report_err *why, char *err, size_t errlen)
{
	struct dec d = {.rd = {.err = err, .errlen = errlen}};
	const char *nul;
	int rc = -1;

	r->n_links = r->n_targets = r->n_pairs = r->n_events = 0;
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
