// SPDX-License-Identifier: BSD-2-Clause
/*
 * Report schema v1: the words, the field tables and the checks (the
 * encoder is report_enc.c, the decoder report_dec.c).  Each JSON object of
 * the schema is one table of fields (key, kind, where the value lives);
 * report_check() walks the tables over a struct, the encoder writes them
 * and the decoder reads a body by them, all through the same one-value
 * checks, so what the agent sends is exactly what the collector accepts.
 * Pure functions: no state, no logging, reasons in the caller's buffer.
 */
#include "common/report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ifname.h"
#include "common/report_int.h"
#include "common/report_tab.h"
#include "common/utf8.h"

_Static_assert(sizeof(enum report_oper) == sizeof(int) &&
		       sizeof(enum report_rel) == sizeof(int) &&
		       sizeof(enum report_stamp) == sizeof(int) &&
		       sizeof(enum report_apply) == sizeof(int) &&
		       sizeof(enum report_ev) == sizeof(int),
	       "the tables store enums through int pointers");

/* Each list is indexed by its enum and ends with NULL after the last. */
const char *const report_err_words[REPORT_ERR__N + 1] = {
	"none", "oversize", "json", "version", "schema", "range", "code", NULL};
const char *const report_apply_words[RPT_APPLY__N + 1] = {
	"unapplied", "converged", "drift", "failed", "pending-confirm", NULL};
const char *const report_oper_words[RPT_OPER__N + 1] = {"unknown", "up", "down",
							NULL};
const char *const report_rel_words[RPT_REL__N + 1] = {"parent", "child",
						      "village", NULL};
/* [0] is NULL: no stamps is JSON null */
const char *const report_stamp_words[RPT_STAMP__N + 1] = {
	NULL, "user", "socket-rx", "socket", "ebpf", NULL};
const char *const report_ev_words[RPT_EV__N + 1] = {"target", "link",  "apply",
						    "drift",  "start", NULL};

/* ---- the tables --------------------------------------------------------- */

static const struct rf agent_f[] = {
	F("version", RF_TOKEN, struct report, agent_version),
	F("uptime_s", RF_SECS, struct report, uptime_s),
	F("interval_s", RF_IVAL, struct report, interval_s),
};
static const struct rf drift_f[] = {
	F("found", RF_BOOL, struct report, drift),
	F("text", RF_TEXT, struct report, drift_text),
};
const struct rf rpt_top[] = {
	CUSTOM("schema"),
	CUSTOM("node"),
	F("seq", RF_SEQ, struct report, seq),
	F("time_ms", RF_TIME, struct report, time_ms),
	OBJ("agent", agent_f),
	CUSTOM("profile"),
	W("apply", RF_WORD, struct report, apply, report_apply_words,
	  RPT_APPLY__N),
	OBJ("drift", drift_f),
	CUSTOM("links"),
	CUSTOM("targets"),
	CUSTOM("firewall"),
	CUSTOM("events"),
	OPT_CUSTOM("snmp"),
};
const struct rf rpt_node[] = {
	F("code", RF_CODE, struct report, node),
	CUSTOM("level"),
	CUSTOM("parent"),
};
const struct rf rpt_profile[] = {
	F("name", RF_NAME, struct report, profile),
	F("version", RF_NAME, struct report, profile_version),
	F("hash", RF_TOKEN, struct report, profile_hash),
};

static const struct rf counters_f[] = {
	F("rx_packets", RF_U64, struct report_link, rx_packets),
	F("rx_bytes", RF_U64, struct report_link, rx_bytes),
	F("tx_packets", RF_U64, struct report_link, tx_packets),
	F("tx_bytes", RF_U64, struct report_link, tx_bytes),
	F("rx_bps", RF_BPS, struct report_link, rx_bps),
	F("tx_bps", RF_BPS, struct report_link, tx_bps),
};
const struct rf rpt_link[] = {
	F("name", RF_IFNAME, struct report_link, name),
	F("role", RF_NAME, struct report_link, role),
	F("zone", RF_NAME0, struct report_link, zone),
	W("state", RF_WORD, struct report_link, state, report_oper_words,
	  RPT_OPER__N),
	OBJN("counters", struct report_link, has_counters, counters_f),
	CUSTOM("drops"),
};
const struct rf rpt_drops[] = {
	F("packets", RF_U64, struct report_link, drop_packets),
	F("bytes", RF_U64, struct report_link, drop_bytes),
	CUSTOM("reasons"),
};
const struct rf rpt_reason[] = {
	F("packets", RF_U64, struct report_drop, packets),
	F("bytes", RF_U64, struct report_drop, bytes),
};

const struct rf rpt_target[] = {
	F("code", RF_CODE, struct report_target, code),
	F("name", RF_NAME0, struct report_target, name),
	W("relation", RF_WORD, struct report_target, rel, report_rel_words,
	  RPT_REL__N),
	W("state", RF_WORD, struct report_target, state, report_oper_words,
	  RPT_OPER__N),
	F("since_ms", RF_TIME0, struct report_target, since_ms),
	F("rtt_ms", RF_MS, struct report_target, rtt_ms),
	F("rtt_avg_ms", RF_MS, struct report_target, rtt_avg_ms),
	F("jitter_ms", RF_MS, struct report_target, jitter_ms),
	F("loss_pct", RF_PCT, struct report_target, loss_pct),
	W("stamps", RF_WORDN, struct report_target, stamps, report_stamp_words,
	  RPT_STAMP__N),
	F("sent", RF_U64, struct report_target, sent),
	F("received", RF_U64, struct report_target, received),
	/* optional: agents of the first release of v1 do not send it
	 * (absent is false, docs/report.md) */
	OPT_F("refused", RF_BOOL, struct report_target, refused),
};

static const struct rf accepted_f[] = {
	F("packets", RF_U64, struct report_pair, acc_packets),
	F("bytes", RF_U64, struct report_pair, acc_bytes),
};
static const struct rf dropped_f[] = {
	F("packets", RF_U64, struct report_pair, drop_packets),
	F("bytes", RF_U64, struct report_pair, drop_bytes),
};
const struct rf rpt_pair[] = {
	OBJ("accepted", accepted_f),
	OBJ("dropped", dropped_f),
};

/* Events: the members every event has, then those of its type. */
#define EV_COMMON                                                              \
	F("time_ms", RF_TIME, struct report_event, time_ms), CUSTOM("type")
static const struct rf ev_target[] = {
	EV_COMMON,
	F("code", RF_CODE, struct report_event, code),
	W("state", RF_WORD, struct report_event, state, report_oper_words,
	  RPT_OPER__N),
};
static const struct rf ev_link[] = {
	EV_COMMON,
	F("link", RF_IFNAME, struct report_event, link),
	W("state", RF_WORD, struct report_event, state, report_oper_words,
	  RPT_OPER__N),
};
static const struct rf ev_apply[] = {
	EV_COMMON,
	F("ok", RF_BOOL, struct report_event, ok),
	F("text", RF_TEXT, struct report_event, text),
	F("hash", RF_TOKEN0, struct report_event, hash),
};
static const struct rf ev_drift[] = {
	EV_COMMON,
	F("corrected", RF_BOOL, struct report_event, ok),
	F("text", RF_TEXT, struct report_event, text),
};
static const struct rf ev_start[] = {EV_COMMON};

const struct rf *const rpt_event[RPT_EV__N] = {ev_target, ev_link, ev_apply,
					       ev_drift, ev_start};
const int rpt_nevent[RPT_EV__N] = {N(ev_target), N(ev_link), N(ev_apply),
				   N(ev_drift), N(ev_start)};
const int rpt_ntop = N(rpt_top), rpt_nnode = N(rpt_node),
	  rpt_nlink = N(rpt_link), rpt_ndrops = N(rpt_drops),
	  rpt_nreason = N(rpt_reason), rpt_ntarget = N(rpt_target),
	  rpt_npair = N(rpt_pair), rpt_nprofile = N(rpt_profile);

/* ---- reasons ------------------------------------------------------------ */

#define QUOTE_MAX 40 /* bytes of an outside string shown in a reason */

/* Up to QUOTE_MAX bytes of s, cut on a character boundary, with every
 * byte below 0x20 and DEL shown as '?'; "..." when cut. */
static size_t shown(char *out, size_t len, const char *s, size_t n)
{
	size_t k = n > QUOTE_MAX ? QUOTE_MAX : n, o = 0;

	while (k < n && k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	for (size_t i = 0; i < k && o + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		out[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (k < n)
		for (int i = 0; i < 3 && o + 1 < len; i++)
			out[o++] = '.';
	if (len)
		out[o < len ? o : len - 1] = '\0';
	return o;
}

void rpt_quote(char *buf, size_t len, const char *s, size_t n)
{
	char tmp[QUOTE_MAX + 8];

	shown(tmp, sizeof(tmp), s, n);
	snprintf(buf, len, "\"%s\"", tmp);
}

int rpt_fail(struct rd *rd, enum report_err why, const char *fmt, ...)
{
	size_t o = 0, len = rd->errlen;
	int frames = rd->depth < RD_FRAMES ? rd->depth : RD_FRAMES;
	va_list ap;

	rd->why = why;
	if (!rd->err || !len)
		return -1;
	rd->err[0] = '\0';
	for (int i = 0; i < frames && o + 1 < len; i++) {
		char tmp[QUOTE_MAX + 8];

		if (rd->key[i]) {
			shown(tmp, sizeof(tmp), rd->key[i], strlen(rd->key[i]));
			snprintf(rd->err + o, len - o, "%s%s", i ? "." : "",
				 tmp);
		} else {
			snprintf(rd->err + o, len - o, "[%d]", rd->idx[i]);
		}
		o += strlen(rd->err + o);
	}
	if (!o)
		snprintf(rd->err, len, "report");
	o = strlen(rd->err);
	if (o + 1 < len) {
		snprintf(rd->err + o, len - o, ": ");
		o += strlen(rd->err + o);
	}
	va_start(ap, fmt);
	if (o + 1 < len)
		vsnprintf(rd->err + o, len - o, fmt, ap);
	va_end(ap);
	/* one line of UTF-8, whatever the message quoted or cut */
	for (char *c = rd->err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	utf8_fix(rd->err);
	return -1;
}

/* ---- one value ---------------------------------------------------------- */

int rpt_check_int(struct rd *rd, const struct rf *f, long long v)
{
	switch (f->kind) {
	case RF_U64:
		if (v < 0)
			return rpt_fail(rd, REPORT_ERR_RANGE,
					"%lld is negative (a counter)", v);
		return 0;
	case RF_SEQ:
		if (v < 1)
			return rpt_fail(rd, REPORT_ERR_RANGE,
					"%lld: a sequence number starts at 1",
					v);
		return 0;
	case RF_TIME0:
		if (v == 0)
			return 0;
		/* fall through */
	case RF_TIME:
		if (v < RPT_TIME_MIN_MS || v >= RPT_TIME_MAX_MS)
			return rpt_fail(rd, REPORT_ERR_RANGE,
					"%lld is not a time from 2020 to 2100 "
					"(ms since 1970)%s",
					v, f->kind == RF_TIME0 ? " nor 0" : "");
		return 0;
	case RF_SECS:
		if (v < 0 || v > RPT_UPTIME_MAX)
			return rpt_fail(rd, REPORT_ERR_RANGE,
					"%lld is out of range 0..%lld (s)", v,
					RPT_UPTIME_MAX);
		return 0;
	case RF_IVAL:
		if (v < 1 || v > RPT_INTERVAL_MAX)
			return rpt_fail(rd, REPORT_ERR_RANGE,
					"%lld is out of range 1..%lld (s)", v,
					RPT_INTERVAL_MAX);
		return 0;
	}
	return 0;
}

int rpt_check_dbl(struct rd *rd, const struct rf *f, double v)
{
	double max = f->kind == RF_MS	 ? RPT_RTT_MAX_MS
		     : f->kind == RF_PCT ? 100.0
					 : RPT_BPS_MAX;

	if (!isfinite(v))
		return rpt_fail(rd, REPORT_ERR_RANGE, "not a finite number");
	if (v < 0 || v > max)
		return rpt_fail(
			rd, REPORT_ERR_RANGE, "%g is out of range 0..%g%s", v,
			max, f->kind == RF_MS ? " (null: not measured)" : "");
	return 0;
}

int rpt_check_str(struct rd *rd, const struct rf *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char why[96];

	if (n >= f->size)
		return rpt_fail(
			rd, REPORT_ERR_SCHEMA,
			"%zu bytes, longer than the %u this field holds", n,
			(unsigned)f->size - 1);
	if (!n && f->kind != RF_NAME0 && f->kind != RF_TOKEN0 &&
	    f->kind != RF_TEXT)
		return rpt_fail(rd, REPORT_ERR_SCHEMA, "empty");
	for (size_t i = 0; i < n; i++) {
		bool bad;

		switch (f->kind) {
		case RF_TOKEN:
		case RF_TOKEN0:
		case RF_IFNAME:
			bad = u[i] <= 0x20 || u[i] >= 0x7f;
			break;
		case RF_TEXT:
			bad = (u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f;
			break;
		default: /* names: no C0, DEL, nor C1 (U+0080..U+009F) */
			bad = u[i] < 0x20 || u[i] == 0x7f ||
			      (u[i] == 0xc2 && i + 1 < n && u[i + 1] < 0xa0);
		}
		if (bad)
			return rpt_fail(rd, REPORT_ERR_SCHEMA,
					"byte %zu (0x%02x) is %s", i, u[i],
					f->kind == RF_TOKEN ||
							f->kind == RF_TOKEN0 ||
							f->kind == RF_IFNAME
						? "not printable ASCII"
						: "a control character");
	}
	if (f->kind == RF_IFNAME && ifname_check(s, why, sizeof(why)))
		return rpt_fail(rd, REPORT_ERR_SCHEMA,
				"not an interface name: %s", why);
	return 0;
}

int rpt_check_word(struct rd *rd, const struct rf *f, int v)
{
	if (v < 0 || v >= f->nwords ||
	    (v == 0 && f->kind == RF_WORD && !f->words[0]))
		return rpt_fail(rd, REPORT_ERR_SCHEMA,
				"%d is not a value of its enum", v);
	return 0;
}

int rpt_check_pair(struct rd *rd, const char *s, size_t n)
{
	static const struct rf pair_name = {
		"",   RF_NAME, 0, SZ(struct report_pair, pair), NULL, 0,
		NULL, 0,       0};
	const char *arrow = n >= 2 ? memmem(s, n, "->", 2) : NULL;

	if (rpt_check_str(rd, &pair_name, s, n))
		return -1;
	if (!arrow || arrow == s || arrow + 2 == s + n ||
	    memmem(arrow + 2, n - (size_t)(arrow + 2 - s), "->", 2))
		return rpt_fail(rd, REPORT_ERR_SCHEMA,
				"a zone pair is FROM->TO (\"lan->uplink\")");
	return 0;
}

/* ---- across fields ------------------------------------------------------ */

static int chk_code(struct rd *rd, code_t c);

/* A struct's parent is not checked by the tables (the decoder reads a
 * code): checked here, as node.parent. */
static int bad_parent_code(struct rd *rd, code_t c)
{
	int rc;

	rd_key(rd, "parent");
	rc = chk_code(rd, c);
	rd_pop(rd);
	return rc;
}

int rpt_check_node(struct rd *rd, const struct report *r)
{
	enum code_level l = code_level(r->node);
	char a[CODE_STRLEN], b[CODE_STRLEN];
	int rc = 0;

	rd_key(rd, "node");
	if (l == LEVEL_VILLAGE)
		rc = rpt_fail(rd, REPORT_ERR_CODE,
			      "%s is a village, and villages run no agent",
			      code_format(r->node, a));
	else if (r->level != l)
		rc = rpt_fail(rd, REPORT_ERR_CODE, "level %s, but %s is a %s",
			      code_level_name(r->level),
			      code_format(r->node, a), code_level_name(l));
	else if (!r->parent && l != LEVEL_PROVINCE)
		rc = rpt_fail(rd, REPORT_ERR_CODE,
			      "parent null, but %s is a %s",
			      code_format(r->node, a), code_level_name(l));
	else if (r->parent && l == LEVEL_PROVINCE)
		rc = rpt_fail(rd, REPORT_ERR_CODE,
			      "parent %s, but %s is a province: it has none",
			      code_format(r->parent, a),
			      code_format(r->node, b));
	else if (r->parent && bad_parent_code(rd, r->parent))
		rc = -1;
	else if (r->parent && code_level(r->parent) >= l)
		/* a parent is above its child: a code of the node's level
		 * or below (a village) cannot be one, whatever the tree */
		rc = rpt_fail(rd, REPORT_ERR_CODE,
			      "parent %s is a %s, not above the %s %s",
			      code_format(r->parent, a),
			      code_level_name(code_level(r->parent)),
			      code_level_name(l), code_format(r->node, b));
	/* another code above it than the code's parent is the agent's claim:
	 * accepted, and flagged (report_parent_mismatch) */
	rd_pop(rd);
	return rc;
}

bool report_parent_mismatch(const struct report *r)
{
	return r->parent != code_parent(r->node);
}

int rpt_check_target_rel(struct rd *rd, const struct report *r,
			 const struct report_target *t)
{
	bool village = code_level(t->code) == LEVEL_VILLAGE, ok;
	char a[CODE_STRLEN], b[CODE_STRLEN];

	switch (t->rel) {
	case RPT_REL_PARENT:
		ok = r->parent && t->code == r->parent;
		break;
	case RPT_REL_CHILD:
		ok = code_parent(t->code) == r->node && !village &&
		     code_level(t->code) > code_level(r->node);
		break;
	default:
		ok = code_parent(t->code) == r->node && village;
	}
	if (ok && t->refused && t->rel == RPT_REL_VILLAGE) {
		/* villages get ICMP echo: no port to be refused */
		rd_key(rd, "refused");
		rpt_fail(rd, REPORT_ERR_SCHEMA,
			 "true for a village (probed by ICMP echo)");
		rd_pop(rd);
		return -1;
	}
	if (ok)
		return 0;
	rd_key(rd, "relation");
	code_format(t->code, a);
	code_format(r->node, b);
	if (t->rel == RPT_REL_PARENT)
		rpt_fail(rd, REPORT_ERR_CODE, "%s is not the parent of node %s",
			 a, b);
	else
		rpt_fail(rd, REPORT_ERR_CODE, "%s is not %s node %s", a,
			 t->rel == RPT_REL_VILLAGE ? "a village under"
						   : "a child gateway of",
			 b);
	rd_pop(rd);
	return -1;
}

int rpt_check_event(struct rd *rd, const struct report *r,
		    const struct report_event *e)
{
	char a[CODE_STRLEN], b[CODE_STRLEN];

	if (e->type != RPT_EV_TARGET || (e->code == r->parent && r->parent) ||
	    (code_parent(e->code) == r->node &&
	     code_level(e->code) > code_level(r->node)))
		return 0;
	rd_key(rd, "code");
	rpt_fail(rd, REPORT_ERR_CODE,
		 "%s is neither the parent nor a child of node %s",
		 code_format(e->code, a), code_format(r->node, b));
	rd_pop(rd);
	return -1;
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* Open addressing over indices (+1, 0 is empty) in a table of a power of
 * two at least twice n: one pass, no pairwise compare. */
#define DUP_SLOTS (2 * REPORT_MAX_TARGETS)

int rpt_dup_name(const char *base, size_t stride, int n, int *first)
{
	uint16_t slot[DUP_SLOTS];
	uint32_t size = 16;

	while (size < 2u * (uint32_t)n)
		size *= 2;
	memset(slot, 0, size * sizeof(slot[0]));
	for (int i = 0; i < n; i++) {
		const char *s = base + (size_t)i * stride;
		uint32_t h = hash_str(s) & (size - 1);

		for (; slot[h]; h = (h + 1) & (size - 1))
			if (!strcmp(base + (size_t)(slot[h] - 1) * stride, s)) {
				*first = slot[h] - 1;
				return i;
			}
		slot[h] = (uint16_t)(i + 1);
	}
	return -1;
}

static int dup_code(const struct report_target *t, int n, int *first)
{
	uint16_t slot[DUP_SLOTS];
	uint32_t size = 16;

	while (size < 2u * (uint32_t)n)
		size *= 2;
	memset(slot, 0, size * sizeof(slot[0]));
	for (int i = 0; i < n; i++) {
		uint32_t h =
			(uint32_t)((t[i].code * 0x9e3779b97f4a7c15ULL) >> 40) &
			(size - 1);

		for (; slot[h]; h = (h + 1) & (size - 1))
			if (t[slot[h] - 1].code == t[i].code) {
				*first = slot[h] - 1;
				return i;
			}
		slot[h] = (uint16_t)(i + 1);
	}
	return -1;
}

int rpt_check_unique(struct rd *rd, const struct report *r)
{
	char c[CODE_STRLEN];
	int i, first;

	i = rpt_dup_name(r->links[0].name, sizeof(r->links[0]), r->n_links,
			 &first);
	if (i >= 0) {
		rd_key(rd, "links");
		rd_idx(rd, i);
		rd_key(rd, "name");
		rpt_fail(rd, REPORT_ERR_SCHEMA, "\"%s\" is links[%d]'s too",
			 r->links[i].name, first);
		rd->depth -= 3;
		return -1;
	}
	i = dup_code(r->targets, r->n_targets, &first);
	if (i >= 0) {
		rd_key(rd, "targets");
		rd_idx(rd, i);
		rd_key(rd, "code");
		rpt_fail(rd, REPORT_ERR_SCHEMA, "%s is targets[%d]'s too",
			 code_format(r->targets[i].code, c), first);
		rd->depth -= 3;
		return -1;
	}
	return 0;
}

/* ---- checking a struct -------------------------------------------------- */

static int chk_code(struct rd *rd, code_t c)
{
	char s[CODE_STRLEN + 8], why[CODE_ERR_MAX];
	code_t back;

	if (c > 999999999999ULL)
		return rpt_fail(rd, REPORT_ERR_CODE, "more than 12 digits");
	if (code_parse(code_format(c, s), &back, why, sizeof(why)))
		return rpt_fail(rd, REPORT_ERR_CODE, "%s", why);
	return 0;
}

static int chk_fields(struct rd *rd, const struct rf *t, int n,
		      const void *base)
{
	const char *b = base;

	for (int i = 0; i < n; i++) {
		const struct rf *f = &t[i];
		const void *p = b + f->off;
		int rc = 0;

		rd_key(rd, f->key);
		switch (f->kind) {
		case RF_U64:
		case RF_SEQ: {
			uint64_t v = *(const uint64_t *)p;

			rc = v > INT64_MAX ? rpt_fail(rd, REPORT_ERR_RANGE,
						      "%llu is over 2^63-1",
						      (unsigned long long)v)
					   : rpt_check_int(rd, f, (long long)v);
			break;
		}
		case RF_TIME:
		case RF_TIME0:
		case RF_SECS:
		case RF_IVAL:
			rc = rpt_check_int(rd, f, *(const long long *)p);
			break;
		case RF_MS:
			if (*(const double *)p < 0) /* not measured */
				break;
			/* fall through */
		case RF_PCT:
		case RF_BPS:
			rc = rpt_check_dbl(rd, f, *(const double *)p);
			break;
		case RF_NAME:
		case RF_NAME0:
		case RF_IFNAME:
		case RF_TOKEN:
		case RF_TOKEN0:
		case RF_TEXT: {
			size_t len = strnlen(p, f->size);

			if (len == f->size)
				rc = rpt_fail(rd, REPORT_ERR_SCHEMA,
					      "not NUL-terminated");
			else if (utf8_check(p, len, NULL))
				rc = rpt_fail(rd, REPORT_ERR_SCHEMA,
					      "not UTF-8");
			else
				rc = rpt_check_str(rd, f, p, len);
			break;
		}
		case RF_WORD:
		case RF_WORDN:
			rc = rpt_check_word(rd, f, *(const int *)p);
			break;
		case RF_CODE:
			rc = chk_code(rd, *(const code_t *)p);
			break;
		case RF_OBJN:
			if (!*(const bool *)p)
				break;
			/* fall through */
		case RF_OBJ:
			rc = chk_fields(rd, f->sub, f->nsub, base);
			break;
		}
		rd_pop(rd);
		if (rc)
			return rc;
	}
	return 0;
}

static int chk_count(struct rd *rd, const char *key, int n, int max)
{
	if (n >= 0 && n <= max)
		return 0;
	rd_key(rd, key);
	rpt_fail(rd, REPORT_ERR_SCHEMA, "%d entries, not 0..%d", n, max);
	rd_pop(rd);
	return -1;
}

static int chk_link(struct rd *rd, const struct report_link *l)
{
	static const struct rf reason = {
		"reason", RF_NAME, 0, SZ(struct report_drop, reason), NULL, 0,
		NULL,	  0,	   0};
	int rc, first, dup;

	if (chk_fields(rd, rpt_link, rpt_nlink, l))
		return -1;
	if (!l->has_drops)
		return 0;
	rd_key(rd, "drops");
	rc = chk_fields(rd, rpt_drops, rpt_ndrops, l) ||
	     chk_count(rd, "reasons", l->n_drops, REPORT_MAX_DROPS);
	rd_key(rd, "reasons");
	for (int i = 0; !rc && i < l->n_drops; i++) {
		rd_idx(rd, i);
		rc = chk_fields(rd, &reason, 1, &l->drops[i]) ||
		     chk_fields(rd, rpt_reason, rpt_nreason, &l->drops[i]);
		rd_pop(rd);
	}
	if (!rc && (dup = rpt_dup_name(l->drops[0].reason, sizeof(l->drops[0]),
				       l->n_drops, &first)) >= 0) {
		rd_idx(rd, dup);
		rc = rpt_fail(rd, REPORT_ERR_SCHEMA,
			      "reason \"%s\" is [%d]'s too",
			      l->drops[dup].reason, first);
		rd_pop(rd);
	}
	rc = rc ? -1 : 0;
	rd->depth -= 2;
	return rc;
}

int report_check(const struct report *r, char *err, size_t errlen)
{
	struct rd rd = {.err = err, .errlen = errlen};
	int rc = 0, first, dup;

	if (r->schema != REPORT_SCHEMA) {
		rd_key(&rd, "schema");
		return rpt_fail(&rd, REPORT_ERR_VERSION, "%d is not %d",
				r->schema, REPORT_SCHEMA);
	}
	rd_key(&rd, "node");
	rc = chk_fields(&rd, rpt_node, 1, r);
	rd_pop(&rd);
	if (rc || rpt_check_node(&rd, r) ||
	    chk_fields(&rd, rpt_top, rpt_ntop, r))
		return -1;
	if (r->profile[0]) {
		rd_key(&rd, "profile");
		rc = chk_fields(&rd, rpt_profile, rpt_nprofile, r);
		rd_pop(&rd);
		if (rc)
			return -1;
	}
	if (chk_count(&rd, "links", r->n_links, REPORT_MAX_LINKS) ||
	    chk_count(&rd, "targets", r->n_targets, REPORT_MAX_TARGETS) ||
	    chk_count(&rd, "firewall.pairs", r->n_pairs, REPORT_MAX_PAIRS) ||
	    chk_count(&rd, "events", r->n_events, REPORT_MAX_EVENTS))
		return -1;
	rd_key(&rd, "links");
	for (int i = 0; !rc && i < r->n_links; i++) {
		rd_idx(&rd, i);
		rc = chk_link(&rd, &r->links[i]);
		rd_pop(&rd);
	}
	rd_pop(&rd);
	rd_key(&rd, "targets");
	for (int i = 0; !rc && i < r->n_targets; i++) {
		rd_idx(&rd, i);
		rc = chk_fields(&rd, rpt_target, rpt_ntarget, &r->targets[i]) ||
		     rpt_check_target_rel(&rd, r, &r->targets[i]);
		rd_pop(&rd);
	}
	rd_pop(&rd);
	rd_key(&rd, "firewall");
	rd_key(&rd, "pairs");
	for (int i = 0; !rc && i < r->n_pairs; i++) {
		const struct report_pair *p = &r->pairs[i];
		size_t len = strnlen(p->pair, sizeof(p->pair));

		rd_idx(&rd, i);
		rc = len == sizeof(p->pair) ? rpt_fail(&rd, REPORT_ERR_SCHEMA,
						       "not NUL-terminated")
		     : utf8_check(p->pair, len, NULL)
			     ? rpt_fail(&rd, REPORT_ERR_SCHEMA, "not UTF-8")
			     : rpt_check_pair(&rd, p->pair, len) ||
				       chk_fields(&rd, rpt_pair, rpt_npair, p);
		rd_pop(&rd);
	}
	if (!rc && (dup = rpt_dup_name(r->pairs[0].pair, sizeof(r->pairs[0]),
				       r->n_pairs, &first)) >= 0) {
		rd_idx(&rd, dup);
		rc = rpt_fail(&rd, REPORT_ERR_SCHEMA, "\"%s\" is [%d]'s too",
			      r->pairs[dup].pair, first);
		rd_pop(&rd);
	}
	rc = rc ? -1 : 0;
	rd.depth -= 2;
	rd_key(&rd, "events");
	for (int i = 0; !rc && i < r->n_events; i++) {
		const struct report_event *e = &r->events[i];

		rd_idx(&rd, i);
		if (e->type < 0 || e->type >= RPT_EV__N) {
			rd_key(&rd, "type");
			rc = rpt_fail(&rd, REPORT_ERR_SCHEMA,
				      "%d is not an event type", (int)e->type);
			rd_pop(&rd);
		} else {
			rc = chk_fields(&rd, rpt_event[e->type],
					rpt_nevent[e->type], e) ||
			     rpt_check_event(&rd, r, e);
		}
		rd_pop(&rd);
	}
	rd_pop(&rd);
	if (!rc)
		rc = chk_count(&rd, "snmp", r->n_snmp, REPORT_MAX_SNMP_DEVICES);
	rd_key(&rd, "snmp");
	for (int i = 0; !rc && i < r->n_snmp; i++) {
		const struct report_snmp_dev *dv = &r->snmp[i];

		rd_idx(&rd, i);
		rc = chk_fields(&rd, rpt_snmp_dev, rpt_nsnmp_dev, dv) ||
		     chk_count(&rd, "interfaces", dv->n_ifs,
			       REPORT_MAX_SNMP_IFACES);
		rd_key(&rd, "interfaces");
		for (int k = 0; !rc && k < dv->n_ifs; k++) {
			rd_idx(&rd, k);
			rc = chk_fields(&rd, rpt_snmp_if, rpt_nsnmp_if,
					&dv->ifs[k]);
			rd_pop(&rd);
		}
		rd_pop(&rd);
		rd_pop(&rd);
	}
	rd_pop(&rd);
	return rc							   ? -1
	       : rpt_check_unique(&rd, r) || rpt_check_snmp_unique(&rd, r) ? -1
									   : 0;
}
