/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A strict, single-pass JSON scanner (RFC 8259) over a byte buffer that
 * is not NUL-terminated: the caller walks the text value by value and
 * decodes what it wants straight into its own storage; nothing is built,
 * nothing is allocated on the way of a well-formed text.
 *
 * Strict as json_loadb() with JSON_REJECT_DUPLICATES is, and a little
 * more: whitespace is the four of the RFC; strings are UTF-8 as RFC 3629
 * has it (no overlong form, no surrogate, nothing past U+10FFFF), with no
 * control character and only the RFC's escapes, a \u surrogate only in a
 * pair, and no \u0000; numbers exactly of the RFC's grammar, an integer
 * out of long long or a real out of double refused; containers nested at
 * most max_depth deep; a key twice in an object refused.
 *
 * Duplicate keys: a caller that reads an object by a table of known keys
 * catches their repeats itself (a bitmap); every other key (of an object
 * it skips, of a map, an unknown one) goes on a stack of (hash, offset)
 * that is sorted and compared when its object closes.  That stack lives
 * in the scanner (JSCAN_KEYS_INLINE entries) and only grows on the heap
 * for a text with more keys open at once than that: hostile input, never
 * a report.  jscan_fini() frees it.
 *
 * Error policy: the first error stops the scan.  Every function returns
 * -1 (or JSCAN_NONE) after it and records what and where (jscan_what(),
 * at); a function called after an error fails at once.  Nothing is
 * logged.
 */
#ifndef EGNET_COMMON_JSCAN_H
#define EGNET_COMMON_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jscan_type {
	JSCAN_NONE, /* no value starts here (or an error) */
	JSCAN_OBJECT,
	JSCAN_ARRAY,
	JSCAN_STRING,
	JSCAN_INT,  /* a number with neither fraction nor exponent */
	JSCAN_REAL, /* any other number */
	JSCAN_TRUE,
	JSCAN_FALSE,
	JSCAN_NULL,
};

#define JSCAN_KEYS_INLINE 256

struct jscan_key {
	uint32_t hash; /* FNV-1a of the decoded key */
	uint32_t off;  /* of its opening quote */
};

struct jscan {
	const unsigned char *start, *p, *end;
	int depth, max_depth;
	/* the error: what (NULL: none), at which byte, and whether it is the
	 * nesting bound (worded apart by callers) */
	const char *what;
	size_t at;
	bool deep;
	char msg[48];
	struct jscan_key *keys;
	uint32_t nkeys, capkeys;
	struct jscan_key inline_keys[JSCAN_KEYS_INLINE];
};

/* Start on @len bytes at @buf (at most 4 GiB - 1: offsets are 32 bits). */
void jscan_init(struct jscan *s, const char *buf, size_t len, int max_depth);

/* Free what the key stack grew to, if it did. */
void jscan_fini(struct jscan *s);

/* Record an error at @at (the first one stays); returns -1. */
int jscan_fail(struct jscan *s, const unsigned char *at, const char *what);

/* Skip whitespace; the type of the value that starts there (numbers are
 * looked ahead, not read), JSCAN_NONE when none can. */
enum jscan_type jscan_peek(struct jscan *s);

/*
 * The string at the cursor (its opening quote): checked, decoded into
 * @dst (at most @cap - 1 bytes, then a NUL, when @cap; never more), its
 * whole decoded length in *len and, when @hash, FNV-1a of the decoded
 * bytes in *hash.  0, or -1.
 */
int jscan_string(struct jscan *s, char *dst, size_t cap, size_t *len,
		 uint32_t *hash);

/* The number at the cursor: JSCAN_INT with *iv (and *dv = its double),
 * JSCAN_REAL with *dv (correctly rounded, whatever the locale), or -1. */
int jscan_number(struct jscan *s, long long *iv, double *dv);

/* true, false or null at the cursor: its type, or -1. */
int jscan_literal(struct jscan *s);

/*
 * Step through an object: with @first at its '{' (depth counted), else
 * after a member's value.  1 with the next member's key decoded as by
 * jscan_string() into @key (@cap bytes, length *klen; *hash when @hash),
 * its offset in *koff, and the cursor at its value; 0 when the object closed;
 * -1.
 */
int jscan_member(struct jscan *s, bool first, char *key, size_t cap,
		 size_t *klen, uint32_t *koff, uint32_t *hash);

/* The same for an array: 1 when an element starts at the cursor, 0 when
 * the array closed, -1. */
int jscan_element(struct jscan *s, bool first);

/* Check and pass the value at the cursor, whatever it is, its keys
 * checked for duplicates.  0, or -1. */
int jscan_skip(struct jscan *s);

/* FNV-1a of the decoded key whose quote is at @off (already scanned). */
uint32_t jscan_key_hash(struct jscan *s, uint32_t off);

/* Keys checked for duplicates: mark the stack, add keys, then check and
 * drop everything above the mark (-1 on a repeated key). */
static inline uint32_t jscan_keys_mark(const struct jscan *s)
{
	return s->nkeys;
}
int jscan_keys_add(struct jscan *s, uint32_t off, uint32_t hash);
int jscan_keys_check(struct jscan *s, uint32_t mark);

/* A repeated key (found by the caller) at @off: the error; returns -1. */
int jscan_dup(struct jscan *s, uint32_t off);

/* Only whitespace is left: 0, or -1. */
int jscan_end(struct jscan *s);

#endif
