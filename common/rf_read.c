// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading JSON by field tables straight into a struct (rf_read.h): values
 * by their kind, objects by their table, arrays and maps, in one pass and
 * with the errors ranked as a walk of a tree in table order meets them.
 * Duplicate keys: a bitmap of the table's members per object; keys no
 * table names (a map's, unknown members, skipped values) go on the
 * scanner's key stack.  Nothing is allocated, nothing logged; reasons go
 * to the reader's rd, through the one-value checks of report.c.
 */
#include "common/rf_read.h"

#include <stdio.h>
#include <string.h>

static inline bool named(const char *name, const char *key, size_t len)
{
	/* a decoded key holds no NUL: a shorter name stops at its own */
	for (size_t i = 0; i < len; i++)
		if (name[i] != key[i])
			return false;
	return !name[len];
}

/* ---- values ------------------------------------------------------------- */

const char *rf_type_name(enum jscan_type t)
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
int rf_want(struct rf_reader *d, const char *what)
{
	enum jscan_type t = jscan_peek(&d->js);

	if (t != JSCAN_NONE)
		RF_FAIL(d, REPORT_ERR_SCHEMA, "%s expected, not %s", what,
			rf_type_name(t));
	return jscan_skip(&d->js);
}

int rf_literal(struct rf_reader *d)
{
	return jscan_literal(&d->js) < 0 ? -1 : 0;
}

/* A word of @f into *out (untouched when refused). */
int rf_read_word(struct rf_reader *d, const struct rf *f, int *out)
{
	enum jscan_type t = jscan_peek(&d->js);
	char s[RF_KEY_CAP], q[64], list[128];
	size_t len, o = 0;

	if (f->kind == RF_WORDN && t == JSCAN_NULL) {
		*out = 0;
		return rf_literal(d);
	}
	if (t != JSCAN_STRING)
		return rf_want(d, f->kind == RF_WORDN ? "a string or null"
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
	RF_FAIL(d, REPORT_ERR_SCHEMA, "%s is not one of %s%s", q, list,
		f->kind == RF_WORDN ? ", null" : "");
	return 0;
}

/* A 12-digit code, as codes are on the wire (no short forms). */
int rf_read_code(struct rf_reader *d, code_t *out)
{
	char s[RF_KEY_CAP], q[64], why[CODE_ERR_MAX];
	size_t len;

	if (jscan_peek(&d->js) != JSCAN_STRING)
		return rf_want(d, "a 12-digit code string");
	if (jscan_string(&d->js, s, sizeof(s), &len, NULL))
		return -1;
	if (len != CODE_LEN) {
		rpt_quote(q, sizeof(q), s, len);
		RF_FAIL(d, REPORT_ERR_CODE, "%s is not 12 digits", q);
	} else if (code_parse(s, out, why, sizeof(why))) {
		RF_FAIL(d, REPORT_ERR_CODE, "%s", why);
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

static int read_field(struct rf_reader *d, const struct rf *f, char *base)
{
	struct jscan *s = &d->js;
	void *p = base + f->off;
	enum jscan_type t;
	long long iv;
	double dv;
	size_t len;

	if (!rf_live(d))
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
			return rf_want(d, "an integer");
		if (jscan_number(s, &iv, &dv) < 0)
			return -1;
		if (rpt_check_int(&d->rd, f, iv))
			rf_noted(d);
		else if (f->kind == RF_U64 || f->kind == RF_SEQ)
			*(uint64_t *)p = (uint64_t)iv;
		else
			*(long long *)p = iv;
		return 0;
	case RF_MS:
		if (t == JSCAN_NULL) {
			*(double *)p = -1;
			return rf_literal(d);
		}
		/* fall through */
	case RF_PCT:
	case RF_BPS:
		if (t != JSCAN_INT && t != JSCAN_REAL)
			return rf_want(d, f->kind == RF_MS ? "a number or null"
							   : "a number");
		if (jscan_number(s, &iv, &dv) < 0)
			return -1;
		if (rpt_check_dbl(&d->rd, f, dv))
			rf_noted(d);
		else
			*(double *)p = dv;
		return 0;
	case RF_BOOL:
		if (t != JSCAN_TRUE && t != JSCAN_FALSE)
			return rf_want(d, "true or false");
		*(bool *)p = t == JSCAN_TRUE;
		return rf_literal(d);
	case RF_NAME:
	case RF_NAME0:
	case RF_IFNAME:
	case RF_TOKEN:
	case RF_TOKEN0:
	case RF_TEXT:
		/* straight into the field, never past it; a longer one is
		 * refused by its length, which the check reads first */
		if (t != JSCAN_STRING)
			return rf_want(d, "a string");
		if (jscan_string(s, p, f->size, &len, NULL))
			return -1;
		if (rpt_check_str(&d->rd, f, p, len))
			rf_noted(d);
		return 0;
	case RF_WORD:
	case RF_WORDN:
		return rf_read_word(d, f, p);
	case RF_CODE:
		return rf_read_code(d, p);
	case RF_OBJN:
		*(bool *)p = t != JSCAN_NULL;
		if (t == JSCAN_NULL) {
			zero_fields(f->sub, f->nsub, base);
			return rf_literal(d);
		}
		/* fall through */
	case RF_OBJ:
		return rf_read_obj(d, f->sub, f->nsub, base, NULL);
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
 * table required but those marked opt (absent: zeroed, or left to the
 * caller when CUSTOM), none other allowed, each at most once.  Member j is
 * checked at rank R.j (R the rank on entry); a member missing, or the
 * first unknown one when there is one, at R.m with m the first missing
 * member (n when none is), as a walk in table order meets them.  CUSTOM
 * members go to @custom (or are only passed when it is NULL).  0, or -1
 * on a JSON error.
 */
int rf_read_obj(struct rf_reader *d, const struct rf *t, int n, void *base,
		rf_custom_fn *custom)
{
	struct jscan *s = &d->js;
	char key[RF_KEY_CAP], unk[RF_KEY_CAP];
	bool have_unk = false, first = true;
	uint64_t seen = 0;
	uint32_t mark, koff;
	size_t klen;
	int rc, hint = 0, m;

	if (!rf_live(d))
		return jscan_skip(s);
	if (jscan_peek(s) != JSCAN_OBJECT)
		return rf_want(d, "an object");
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
			rf_at(d, (unsigned)j);
			rc = read_field(d, &t[j], base);
			rf_up(d);
		}
		rd_pop(&d->rd);
		if (rc)
			return -1;
	}
	if (rc < 0 || jscan_keys_check(s, mark))
		return -1;
	/* an optional member absent is read as the empty value of its kind
	 * (a CUSTOM one by its caller), and is not missing */
	for (int j = 0; j < n; j++)
		if (t[j].opt && !(seen >> j & 1) && t[j].kind != RF_CUSTOM &&
		    rf_live(d))
			memset((char *)base + t[j].off, 0, t[j].size);
	for (m = 0; m < n && (seen >> m & 1 || t[m].opt); m++)
		;
	if (m < n || have_unk) {
		/* a misspelt member is named as unknown, not its right
		 * spelling as missing */
		rf_at(d, (unsigned)m);
		if (rf_live(d)) {
			rd_key(&d->rd, have_unk ? unk : t[m].key);
			RF_FAIL(d, REPORT_ERR_SCHEMA,
				have_unk ? "unknown member" : "missing");
			rd_pop(&d->rd);
		}
		rf_up(d);
	}
	return 0;
}

/* ---- arrays and maps ---------------------------------------------------- */

/*
 * The array at the cursor, at most @max entries, each read by @fn into
 * entry i (at rank R.1.i; the array's type and size at R.0), the count
 * (at most @max) in *count.
 */
int rf_read_array(struct rf_reader *d, size_t max, rf_elem_fn *fn, void *ctx,
		  int *count)
{
	struct jscan *s = &d->js;
	size_t i;
	int rc;

	rf_at(d, 0);
	if (!rf_live(d) || jscan_peek(s) != JSCAN_ARRAY) {
		rc = rf_live(d) ? rf_want(d, "an array") : jscan_skip(s);
		rf_up(d);
		return rc;
	}
	rf_step(d, 1);
	rf_at(d, 0);
	for (i = 0; (rc = jscan_element(s, i == 0)) == 1; i++) {
		rf_step(d, (unsigned)i);
		if (i >= max || !rf_live(d)) {
			rc = jscan_skip(s);
		} else {
			rd_idx(&d->rd, (int)i);
			rc = fn(d, i, ctx);
			rd_pop(&d->rd);
		}
		if (rc)
			return -1;
	}
	rf_up(d);
	if (rc < 0)
		return -1;
	rf_step(d, 0);
	if (i > max && rf_live(d))
		RF_FAIL(d, REPORT_ERR_SCHEMA,
			"%zu entries, over the %zu allowed", i, max);
	rf_up(d);
	*count = (int)(i > max ? max : i);
	return 0;
}

/* A map (an object of any keys) at most @max entries (@what in the
 * reason), each read by @fn: as rf_read_array(). */
int rf_read_map(struct rf_reader *d, size_t max, const char *what,
		rf_entry_fn *fn, void *ctx, int *count)
{
	struct jscan *s = &d->js;
	char key[RF_MAPKEY_CAP];
	bool first = true;
	uint32_t mark, koff, h;
	size_t k = 0, klen;
	int rc;

	rf_at(d, 0);
	if (!rf_live(d) || jscan_peek(s) != JSCAN_OBJECT) {
		rc = rf_live(d) ? rf_want(d, "an object") : jscan_skip(s);
		rf_up(d);
		return rc;
	}
	mark = jscan_keys_mark(s);
	rf_step(d, 1);
	rf_at(d, 0);
	while ((rc = jscan_member(s, first, key, sizeof(key), &klen, &koff,
				  &h)) == 1) {
		first = false;
		if (jscan_keys_add(s, koff, h))
			return -1;
		rf_step(d, (unsigned)k);
		if (k >= max || !rf_live(d)) {
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
	rf_up(d);
	if (rc < 0 || jscan_keys_check(s, mark))
		return -1;
	rf_step(d, 0);
	if (k > max && rf_live(d))
		RF_FAIL(d, REPORT_ERR_SCHEMA, "%zu %s, over the %zu allowed", k,
			what, max);
	rf_up(d);
	*count = (int)(k > max ? max : k);
	return 0;
}
