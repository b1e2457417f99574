/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading JSON by field tables (struct rf, report_int.h) straight into a
 * struct, in one pass over the bytes (jscan.h), with no tree: what the
 * report decoder (report_dec.c) is built of.  Not part of any API.
 *
 * Errors are those of a parse into a tree followed by a walk of the tree
 * in table order: a JSON error anywhere wins (the scan stops, -1), and of
 * the schema errors the one kept is the one such a walk meets first,
 * wherever it lies in the body.  So a schema error does not stop the
 * pass.  Each check has a rank, the position of its step in that walk: a
 * short vector compared lexicographically (a member's table index, an
 * entry's index, a step within an entry), kept in the reader as a stack
 * beside the path of rd.  The error of lowest rank is kept, its reason
 * written into rd when it is found (overwritten by a lower one), and a
 * value whose rank is past it is only scanned, not checked nor written.
 *
 * Every rf_read_* function reads one value at the cursor, whatever it is:
 * 0 (a schema error noted or not), or -1 on a JSON error.  Callers check
 * rf_live() before they check anything themselves, and note what fails
 * with RF_FAIL() or rf_noted().
 */
#ifndef EGNET_COMMON_RF_READ_H
#define EGNET_COMMON_RF_READ_H

#include <string.h>

#include "common/jscan.h"
#include "common/report_int.h"

/* Components of a rank: 10 at most today. */
#define RF_RANK_MAX 24
/* A key or word decoded to be looked up; a longer one is kept cut (a
 * reason shows 40 bytes of it). */
#define RF_KEY_CAP 64
/* A map key: any pair or reason name whole. */
#define RF_MAPKEY_CAP 80

struct rf_reader {
	struct jscan js;
	struct rd rd;
	bool failed;   /* rd holds the error of lowest rank so far */
	unsigned user; /* the caller's own marks */
	int nrank, nbest;
	unsigned rank[RF_RANK_MAX], best[RF_RANK_MAX];
};

/* ---- ranks: a step deeper, back, the caller's own step ----------------- */

static inline void rf_at(struct rf_reader *d, unsigned v)
{
	if (d->nrank < RF_RANK_MAX)
		d->rank[d->nrank] = v;
	d->nrank++;
}

static inline void rf_up(struct rf_reader *d)
{
	d->nrank--;
}

/* Replace the last component (a step of the caller), returning it. */
static inline unsigned rf_step(struct rf_reader *d, unsigned v)
{
	unsigned old = d->rank[d->nrank - 1];

	d->rank[d->nrank - 1] = v;
	return old;
}

/* Whether an error here could come before the one kept: everything is
 * live until an error is, then only what ranks lower (a prefix of the
 * kept rank is live: something in it may be). */
static inline bool rf_live(const struct rf_reader *d)
{
	int n = d->nrank < d->nbest ? d->nrank : d->nbest;

	if (!d->failed)
		return true;
	for (int i = 0; i < n && i < RF_RANK_MAX; i++)
		if (d->rank[i] != d->best[i])
			return d->rank[i] < d->best[i];
	return d->nrank < d->nbest;
}

/* A check just failed (its reason is in rd): it is the one kept. */
static inline void rf_noted(struct rf_reader *d)
{
	int n = d->nrank < RF_RANK_MAX ? d->nrank : RF_RANK_MAX;

	memcpy(d->best, d->rank, (size_t)n * sizeof(d->rank[0]));
	d->nbest = n;
	d->failed = true;
}

/* rpt_fail() at the current rank, noted. */
#define RF_FAIL(d, why, ...) (rpt_fail(&(d)->rd, why, __VA_ARGS__), rf_noted(d))

/* ---- values ------------------------------------------------------------- */

/* "an object", "an integer", ... as reasons name a JSON type. */
const char *rf_type_name(enum jscan_type t);

/* The value at the cursor is not @what: refused ("@what expected, not
 * TYPE"), and passed. */
int rf_want(struct rf_reader *d, const char *what);

/* true, false or null at the cursor, passed. */
int rf_literal(struct rf_reader *d);

/* A word of @f (RF_WORD, RF_WORDN) into *out, untouched when refused. */
int rf_read_word(struct rf_reader *d, const struct rf *f, int *out);

/* A 12-digit code string into *out. */
int rf_read_code(struct rf_reader *d, code_t *out);

/* ---- containers --------------------------------------------------------- */

/* What reads a CUSTOM member of a table: called with the cursor at its
 * value and the rank of the object; it sets its own step (rf_step). */
typedef int rf_custom_fn(struct rf_reader *d, const struct rf *f, void *base);

/*
 * The object at the cursor by table @t (@n members, at most 64) into
 * @base: every member required but those marked opt (struct rf: an
 * absent one is zeroed, a CUSTOM one left to its reader), none other
 * allowed, each once.  Member j
 * at rank R.j (R the rank on entry); a missing member, or the first
 * unknown one when there is one, at R.m, m the first missing member (n
 * when none is).  CUSTOM members go to @custom (passed when NULL).
 */
int rf_read_obj(struct rf_reader *d, const struct rf *t, int n, void *base,
		rf_custom_fn *custom);

/* An array entry, or a map entry with its key (decoded, @len bytes). */
typedef int rf_elem_fn(struct rf_reader *d, size_t i, void *ctx);
typedef int rf_entry_fn(struct rf_reader *d, size_t k, const char *key,
			size_t len, void *ctx);

/*
 * The array at the cursor, at most @max entries: its type and size at
 * rank R.0, entry i read by @fn at R.1.i; the count (at most @max) in
 * *count.  rf_read_map() is the same for an object of any keys, @what
 * naming its entries in the reason.
 */
int rf_read_array(struct rf_reader *d, size_t max, rf_elem_fn *fn, void *ctx,
		  int *count);
int rf_read_map(struct rf_reader *d, size_t max, const char *what,
		rf_entry_fn *fn, void *ctx, int *count);

#endif
