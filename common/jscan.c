// SPDX-License-Identifier: BSD-2-Clause
/*
 * The strict JSON scanner of jscan.h: bytes checked and decoded where they
 * lie, one pass.  Every read is bounded by s->end (the text is not
 * NUL-terminated); numbers are jscan_num.c's.  Errors are
 * worded as json_loadb() words them where it has a word, so the reasons
 * the collector counts read the same.
 */
#include "common/jscan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FNV_INIT  2166136261u
#define FNV_PRIME 16777619u

void jscan_init(struct jscan *s, const char *buf, size_t len, int max_depth)
{
	s->start = s->p = (const unsigned char *)buf;
	s->end = s->start + len;
	s->depth = 0;
	s->max_depth = max_depth;
	s->what = NULL;
	s->at = 0;
	s->deep = false;
	s->keys = s->inline_keys;
	s->nkeys = 0;
	s->capkeys = JSCAN_KEYS_INLINE;
}

void jscan_fini(struct jscan *s)
{
	if (s->keys != s->inline_keys)
		free(s->keys);
	s->keys = s->inline_keys;
	s->capkeys = JSCAN_KEYS_INLINE;
	s->nkeys = 0;
}

int jscan_fail(struct jscan *s, const unsigned char *at, const char *what)
{
	if (!s->what) {
		s->what = what;
		s->at = (size_t)(at - s->start);
	}
	s->p = s->end; /* nothing more is read */
	return -1;
}

/* An error that shows the byte at @at: @what then " 0x%x". */
static int fail_byte(struct jscan *s, const unsigned char *at, const char *what)
{
	snprintf(s->msg, sizeof(s->msg), "%s 0x%x", what, *at);
	return jscan_fail(s, at, s->msg);
}

static inline int ws(struct jscan *s)
{
	const unsigned char *p = s->p, *end = s->end;

	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	s->p = p;
	return p < end ? *p : -1;
}

static inline bool digit(int c)
{
	return c >= '0' && c <= '9';
}

enum jscan_type jscan_peek(struct jscan *s)
{
	const unsigned char *p;

	if (s->what)
		return JSCAN_NONE;
	switch (ws(s)) {
	case '{':
		return JSCAN_OBJECT;
	case '[':
		return JSCAN_ARRAY;
	case '"':
		return JSCAN_STRING;
	case 't':
		return JSCAN_TRUE;
	case 'f':
		return JSCAN_FALSE;
	case 'n':
		return JSCAN_NULL;
	case '-':
	case '0' ... '9':
		for (p = s->p + 1; p < s->end; p++)
			if (*p == '.' || *p == 'e' || *p == 'E')
				return JSCAN_REAL;
			else if (!digit(*p))
				break;
		return JSCAN_INT;
	default:
		return JSCAN_NONE;
	}
}

/* ---- strings ------------------------------------------------------------ */

/* The length of the UTF-8 sequence at @p (RFC 3629), 0 if it is none. */
static int utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	int n;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c < 0xe0) {
		n = 2;
	} else if (c < 0xf0) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else {
		n = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	}
	if (end - p < n || p[1] < lo || p[1] > hi)
		return 0;
	for (int k = 2; k < n; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	return n;
}

static int hex4(const unsigned char *p, const unsigned char *end)
{
	int v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int c = p[i];

		v <<= 4;
		if (digit(c))
			v += c - '0';
		else if (c >= 'a' && c <= 'f')
			v += c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v += c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* The code point of the \u escape (one or a surrogate pair) at @p (its
 * backslash), its length in *n; -1 with the error recorded. */
static long escape_u(struct jscan *s, const unsigned char *p, int *n)
{
	int hi = hex4(p + 2, s->end), lo;

	if (hi < 0)
		return jscan_fail(s, p, "invalid escape");
	*n = 6;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return jscan_fail(s, p,
				  "invalid Unicode: a lone low surrogate");
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (s->end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
		    (lo = hex4(p + 8, s->end)) < 0xdc00 || lo > 0xdfff)
			return jscan_fail(s, p,
					  "invalid Unicode: a lone high "
					  "surrogate");
		*n = 12;
		return 0x10000 + ((long)(hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (hi == 0)
		return jscan_fail(s, p, "\\u0000 is not allowed");
	return hi;
}

#define PUT(b)                                                                 \
	do {                                                                   \
		unsigned char b_ = (unsigned char)(b);                         \
		if (o < lim)                                                   \
			dst[o] = (char)b_;                                     \
		o++;                                                           \
		if (hashed)                                                    \
			h = (h ^ b_) * FNV_PRIME;                              \
	} while (0)

/* Bytes a string holds as they are: ASCII but controls, '"' and '\\'. */
static const unsigned char plain_tab[256] = {
	[0x20 ... 0x21] = 1, /* '"' is 0x22 */
	[0x23 ... 0x5b] = 1, /* '\\' is 0x5c */
	[0x5d ... 0x7f] = 1,
};

static inline bool plain(unsigned c)
{
	return plain_tab[c];
}

int jscan_string(struct jscan *s, char *dst, size_t cap, size_t *len,
		 uint32_t *hash)
{
	const unsigned char *p = s->p + 1, *end = s->end;
	size_t o = 0, lim = cap ? cap - 1 : 0;
	uint32_t h = FNV_INIT;
	const bool hashed = hash != NULL;

	if (s->what)
		return -1;
	for (;;) {
		const unsigned char *q = p;
		unsigned c;
		long cp;
		int n;

		/* a run of plain ASCII, copied at once */
		while (p < end && plain(*p))
			p++;
		if (p > q) {
			size_t k = (size_t)(p - q);

			if (o < lim)
				memcpy(dst + o, q, k < lim - o ? k : lim - o);
			if (hashed)
				for (; q < p; q++)
					h = (h ^ *q) * FNV_PRIME;
			o += k;
		}
		if (p >= end)
			return jscan_fail(s, p, "premature end of input");
		c = *p;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail_byte(s, p,
					 c == '\n' ? "unexpected newline"
						   : "control character");
		if (c != '\\') {
			if (!(n = utf8_seq(p, end)))
				return fail_byte(s, p, "unable to decode byte");
			for (int k = 0; k < n; k++)
				PUT(p[k]);
			p += n;
			continue;
		}
		if (end - p < 2)
			return jscan_fail(s, p, "premature end of input");
		switch (p[1]) {
		case '"':
		case '\\':
		case '/':
			PUT(p[1]);
			break;
		case 'b':
			PUT('\b');
			break;
		case 'f':
			PUT('\f');
			break;
		case 'n':
			PUT('\n');
			break;
		case 'r':
			PUT('\r');
			break;
		case 't':
			PUT('\t');
			break;
		case 'u':
			if ((cp = escape_u(s, p, &n)) < 0)
				return -1;
			p += n;
			if (cp < 0x80) {
				PUT(cp);
			} else if (cp < 0x800) {
				PUT(0xc0 | (cp >> 6));
				PUT(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				PUT(0xe0 | (cp >> 12));
				PUT(0x80 | ((cp >> 6) & 0x3f));
				PUT(0x80 | (cp & 0x3f));
			} else {
				PUT(0xf0 | (cp >> 18));
				PUT(0x80 | ((cp >> 12) & 0x3f));
				PUT(0x80 | ((cp >> 6) & 0x3f));
				PUT(0x80 | (cp & 0x3f));
			}
			continue;
		default:
			return jscan_fail(s, p, "invalid escape");
		}
		p += 2;
	}
	if (cap)
		dst[o < lim ? o : lim] = '\0';
	s->p = p + 1;
	*len = o;
	if (hash)
		*hash = h;
	return 0;
}

uint32_t jscan_key_hash(struct jscan *s, uint32_t off)
{
	const unsigned char *p = s->p;
	const char *what = s->what;
	uint32_t h = 0;
	size_t n;

	/* scanned once already, so it passes again: only the cursor moves,
	 * and is put back */
	s->what = NULL;
	s->p = s->start + off;
	jscan_string(s, NULL, 0, &n, &h);
	s->p = p;
	s->what = what;
	return h;
}

int jscan_literal(struct jscan *s)
{
	static const struct {
		const char *word;
		size_t len;
		int type;
	} lit[] = {{"true", 4, JSCAN_TRUE},
		   {"false", 5, JSCAN_FALSE},
		   {"null", 4, JSCAN_NULL}};

	if (s->what)
		return -1;
	for (size_t i = 0; i < sizeof(lit) / sizeof(lit[0]); i++)
		if ((size_t)(s->end - s->p) >= lit[i].len &&
		    !memcmp(s->p, lit[i].word, lit[i].len)) {
			s->p += lit[i].len;
			return lit[i].type;
		}
	return jscan_fail(s, s->p, "invalid token");
}

/* ---- containers --------------------------------------------------------- */

static int enter(struct jscan *s)
{
	if (++s->depth > s->max_depth) {
		jscan_fail(s, s->p, "nested too deep");
		s->deep = true;
		return -1;
	}
	s->p++;
	return 0;
}

static int value_expected(struct jscan *s)
{
	return jscan_fail(s, s->p,
			  s->p >= s->end ? "premature end of input"
					 : "invalid token");
}

/* The start of the next member or element of the object or array being
 * read (@close its closing bracket, @sep the reason for a missing
 * separator): 0 and the container left at @close, 1 at the item (its
 * first byte, after blanks, in *@c), -1 on an error. */
static int next_item(struct jscan *s, bool first, char close,
		     const char *sep, int *c)
{
	if (s->what)
		return -1;
	if (first && enter(s))
		return -1;
	*c = ws(s);
	if (*c == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	if (!first) {
		if (*c != ',')
			return *c < 0 ? value_expected(s)
				      : jscan_fail(s, s->p, sep);
		s->p++;
		*c = ws(s);
	}
	return 1;
}

int jscan_member(struct jscan *s, bool first, char *key, size_t cap,
		 size_t *klen, uint32_t *koff, uint32_t *hash)
{
	int c, rc = next_item(s, first, '}', "',' or '}' expected", &c);

	if (rc <= 0)
		return rc;
	if (c != '"')
		return c < 0 ? value_expected(s)
			     : jscan_fail(s, s->p,
					  first ? "string or '}' expected"
						: "string expected");
	*koff = (uint32_t)(s->p - s->start);
	if (jscan_string(s, key, cap, klen, hash))
		return -1;
	if (ws(s) != ':')
		return s->p >= s->end ? value_expected(s)
				      : jscan_fail(s, s->p, "':' expected");
	s->p++;
	ws(s);
	return 1;
}

int jscan_element(struct jscan *s, bool first)
{
	int c;

	return next_item(s, first, ']', "',' or ']' expected", &c);
}

int jscan_skip(struct jscan *s)
{
	long long iv;
	double dv;
	size_t n;
	int rc;

	switch (jscan_peek(s)) {
	case JSCAN_OBJECT: {
		uint32_t mark = jscan_keys_mark(s), off, h;
		bool first = true;

		while ((rc = jscan_member(s, first, NULL, 0, &n, &off, &h)) ==
		       1) {
			first = false;
			if (jscan_keys_add(s, off, h) || jscan_skip(s))
				return -1;
		}
		return rc < 0 ? -1 : jscan_keys_check(s, mark);
	}
	case JSCAN_ARRAY:
		for (bool first = true; (rc = jscan_element(s, first)) == 1;
		     first = false)
			if (jscan_skip(s))
				return -1;
		return rc;
	case JSCAN_STRING:
		return jscan_string(s, NULL, 0, &n, NULL);
	case JSCAN_INT:
	case JSCAN_REAL:
		return jscan_number(s, &iv, &dv) < 0 ? -1 : 0;
	case JSCAN_TRUE:
	case JSCAN_FALSE:
	case JSCAN_NULL:
		return jscan_literal(s) < 0 ? -1 : 0;
	default:
		return s->what ? -1 : value_expected(s);
	}
}

int jscan_end(struct jscan *s)
{
	if (s->what)
		return -1;
	if (ws(s) >= 0)
		return jscan_fail(s, s->p, "end of file expected");
	return 0;
}

/* ---- duplicate keys ----------------------------------------------------- */

int jscan_dup(struct jscan *s, uint32_t off)
{
	return jscan_fail(s, s->start + off, "duplicate object key");
}

int jscan_keys_add(struct jscan *s, uint32_t off, uint32_t hash)
{
	if (s->what)
		return -1;
	if (s->nkeys == s->capkeys) {
		uint32_t cap = s->capkeys * 2;
		struct jscan_key *k =
			s->keys == s->inline_keys
				? malloc(cap * sizeof(*k))
				: realloc(s->keys, cap * sizeof(*k));

		if (!k || cap < s->capkeys)
			return jscan_fail(s, s->start + off,
					  "out of memory for its keys");
		if (s->keys == s->inline_keys)
			memcpy(k, s->inline_keys, sizeof(s->inline_keys));
		s->keys = k;
		s->capkeys = cap;
	}
	s->keys[s->nkeys].hash = hash;
	s->keys[s->nkeys].off = off;
	s->nkeys++;
	return 0;
}

/* The next code point of a scanned string at *p (-1 at its closing
 * quote); the string is known to be well formed. */
static long next_cp(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	long c;
	int n;

	if (*p == '"')
		return -1;
	if (*p == '\\') {
		switch (p[1]) {
		case 'u': {
			int hi = hex4(p + 2, p + 6);

			n = 6;
			c = hi;
			if (hi >= 0xd800 && hi <= 0xdbff) {
				c = 0x10000 + ((long)(hi - 0xd800) << 10) +
				    (hex4(p + 8, p + 12) - 0xdc00);
				n = 12;
			}
			break;
		}
		case 'b':
			c = '\b', n = 2;
			break;
		case 'f':
			c = '\f', n = 2;
			break;
		case 'n':
			c = '\n', n = 2;
			break;
		case 'r':
			c = '\r', n = 2;
			break;
		case 't':
			c = '\t', n = 2;
			break;
		default:
			c = p[1], n = 2;
		}
	} else if (*p < 0x80) {
		c = *p, n = 1;
	} else {
		n = *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
		c = *p & (0x7f >> n);
		for (int k = 1; k < n; k++)
			c = (c << 6) | (p[k] & 0x3f);
	}
	*pp = p + n;
	return c;
}

/* Order of two keys: hash, then decoded content. */
static int key_cmp(const struct jscan *s, const struct jscan_key *a,
		   const struct jscan_key *b)
{
	const unsigned char *p = s->start + a->off + 1,
			    *q = s->start + b->off + 1;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	for (;;) {
		long x = next_cp(&p), y = next_cp(&q);

		if (x != y)
			return x < y ? -1 : 1;
		if (x < 0)
			return 0;
	}
}

static void sift(const struct jscan *s, struct jscan_key *k, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;
		struct jscan_key t;

		if (c >= n)
			return;
		if (c + 1 < n && key_cmp(s, &k[c], &k[c + 1]) < 0)
			c++;
		if (key_cmp(s, &k[i], &k[c]) >= 0)
			return;
		t = k[i];
		k[i] = k[c];
		k[c] = t;
		i = c;
	}
}

/* Heapsort: in place, no allocation, n log n whatever the keys. */
static void sort_keys(const struct jscan *s, struct jscan_key *k, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(s, k, i, n);
	for (size_t end = n; end-- > 1;) {
		struct jscan_key t = k[0];

		k[0] = k[end];
		k[end] = t;
		sift(s, k, 0, end);
	}
}

int jscan_keys_check(struct jscan *s, uint32_t mark)
{
	struct jscan_key *k = s->keys + mark;
	size_t n = s->nkeys - mark;

	if (s->what)
		return -1;
	s->nkeys = mark;
	if (n < 2)
		return 0;
	if (n == 2) {
		if (!key_cmp(s, &k[0], &k[1]))
			return jscan_dup(s, k[1].off);
		return 0;
	}
	sort_keys(s, k, n);
	for (size_t i = 1; i < n; i++)
		if (!key_cmp(s, &k[i - 1], &k[i]))
			return jscan_dup(s, k[i - 1].off > k[i].off
						    ? k[i - 1].off
						    : k[i].off);
	return 0;
}
