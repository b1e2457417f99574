// SPDX-License-Identifier: BSD-2-Clause
/*
 * Firewall objects to state.  The canonical text is built the same way
 * for compiled and for read objects: a line per chain, set, element and
 * rule, rules with libnftnl's own text of each expression, counters
 * without their values, handles and positions left out — so a compiled
 * table and the kernel's copy of it compare equal, and a rule added or
 * removed by hand does not.
 */
#include "agent/fw/fwobj.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

void fwobjs_init(struct fwobjs *o)
{
	memset(o, 0, sizeof(*o));
}

void fwobjs_free(struct fwobjs *o)
{
	for (int i = 0; i < o->n_chains; i++)
		nftnl_chain_free(o->chains[i]);
	for (int i = 0; i < o->n_sets; i++)
		nftnl_set_free(o->sets[i]);
	for (int i = 0; i < o->n_rules; i++)
		nftnl_rule_free(o->rules[i]);
	free(o->chains);
	free(o->sets);
	free(o->rules);
	fwobjs_init(o);
}

#define PUSH(arr, n, x)                                                        \
	do {                                                                   \
		(arr) = xrealloc((arr), (size_t)((n) + 1) * sizeof(*(arr)));   \
		(arr)[(n)++] = (x);                                            \
	} while (0)

void fwobjs_add_chain(struct fwobjs *o, struct nftnl_chain *c)
{
	PUSH(o->chains, o->n_chains, c);
}

void fwobjs_add_set(struct fwobjs *o, struct nftnl_set *s)
{
	PUSH(o->sets, o->n_sets, s);
}

void fwobjs_add_rule(struct fwobjs *o, struct nftnl_rule *r)
{
	if (o->n_rules && !(o->n_rules & (o->n_rules - 1)))
		o->rules = xrealloc(o->rules,
				    (size_t)o->n_rules * 2 * sizeof(*o->rules));
	else if (!o->n_rules)
		o->rules = xmalloc(sizeof(*o->rules));
	o->rules[o->n_rules++] = r;
}

const char *fwobj_rule_comment(const struct nftnl_rule *r, char *buf,
			       size_t len)
{
	uint32_t ulen = 0;
	const uint8_t *u = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &ulen);

	buf[0] = '\0';
	/* TLVs: type, length, value; the comment is type 0, NUL ended */
	for (uint32_t off = 0; u && off + 2 <= ulen;) {
		uint8_t type = u[off], l = u[off + 1];

		if (off + 2 + l > ulen)
			break;
		if (type == NFTNL_UDATA_RULE_COMMENT && l > 0) {
			size_t n = strnlen((const char *)u + off + 2, l);

			if (n >= len)
				n = len - 1;
			memcpy(buf, u + off + 2, n);
			buf[n] = '\0';
			break;
		}
		off += 2 + (uint32_t)l;
	}
	return buf;
}

/* ---- text ------------------------------------------------------------------ */

struct text {
	char *s;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = t->cap - t->len;

		va_start(ap, fmt);
		n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? room : 0, fmt,
			      ap);
		va_end(ap);
		if (n >= 0 && t->s && (size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		t->cap = t->cap * 2 + (size_t)(n > 0 ? n : 0) + 256;
		t->s = xrealloc(t->s, t->cap);
	}
}

static void hex(struct text *t, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		put(t, "%02x", p[i]);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void rule_text(struct text *t, struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	char buf[1024];

	put(t, "rule %s \"%s\"", nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
	    fwobj_rule_comment(r, buf, sizeof(buf)));
	while (it && (e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		if (!strcmp(name, "counter")) {
			put(t, " | counter");
			continue;
		}
		nftnl_expr_snprintf(buf, sizeof(buf), e, NFTNL_OUTPUT_DEFAULT,
				    0);
		put(t, " | %s %s", name, buf);
	}
	if (it)
		nftnl_expr_iter_destroy(it);
	put(t, "\n");
}

/* Append lines[0..n) sorted, and free them. */
static void put_sorted(struct text *t, char **lines, int n)
{
	if (n > 1)
		qsort(lines, (size_t)n, sizeof(*lines), str_cmp);
	for (int i = 0; i < n; i++) {
		put(t, "%s", lines[i]);
		free(lines[i]);
	}
	free(lines);
}

char *fwobj_rule_text(struct nftnl_rule *r)
{
	struct text t = {0};

	rule_text(&t, r);
	return t.s;
}

/*
 * The canonical text in three parts: the table, its chains and its sets
 * (the shape: what only a full replace changes), then the elements, then
 * the rules; *elems_at and *rules_at are where the last two begin.
 */
static char *canon_of(const struct fwobjs *o, int *n_elems, size_t *elems_at,
		      size_t *rules_at)
{
	struct text t = {0};
	char **shape = NULL, **elems = NULL;
	int ns = 0, ne = 0;

	*n_elems = 0;
	put(&t, "table inet " FW_TABLE "\n");
	/* chains and sets sorted by name; rules keep their order */
	for (int i = 0; i < o->n_chains; i++) {
		struct text l = {0};
		const struct nftnl_chain *c = o->chains[i];

		put(&l, "chain %s hook %u prio %d type %s policy %u\n",
		    nftnl_chain_get_str(c, NFTNL_CHAIN_NAME),
		    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM),
		    nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO),
		    nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE)
			    ? nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE)
			    : "",
		    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY));
		PUSH(shape, ns, l.s);
	}
	for (int i = 0; i < o->n_sets; i++) {
		struct nftnl_set *s = o->sets[i];
		const char *name = nftnl_set_get_str(s, NFTNL_SET_NAME);
		struct nftnl_set_elems_iter *it;
		struct nftnl_set_elem *e;
		struct text l = {0};

		put(&l, "set %s type %u len %u flags %u\n", name,
		    nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE),
		    nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
		    nftnl_set_get_u32(s, NFTNL_SET_FLAGS) &
			    (NFT_SET_INTERVAL | NFT_SET_MAP));
		PUSH(shape, ns, l.s);
		it = nftnl_set_elems_iter_create(s);
		while (it && (e = nftnl_set_elems_iter_next(it))) {
			struct text el = {0};
			uint32_t klen = 0;
			const uint8_t *k =
				nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &klen);

			put(&el, "elem %s ", name);
			hex(&el, k, klen);
			if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
			    (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
			     NFT_SET_ELEM_INTERVAL_END))
				put(&el, " end");
			put(&el, "\n");
			PUSH(elems, ne, el.s);
			(*n_elems)++;
		}
		if (it)
			nftnl_set_elems_iter_destroy(it);
	}
	put_sorted(&t, shape, ns);
	*elems_at = t.len;
	put_sorted(&t, elems, ne);
	*rules_at = t.len;
	/* rules: input first, then forward, each in order */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < o->n_rules; i++) {
			const char *ch = nftnl_rule_get_str(o->rules[i],
							    NFTNL_RULE_CHAIN);
			bool input = ch && !strcmp(ch, "input");

			if ((pass == 0) == input)
				rule_text(&t, o->rules[i]);
		}
	return t.s;
}

/* ---- messages -------------------------------------------------------------- */

/*
 * Elements go in messages of about CHUNK_AVG (at most CHUNK_MAX, ~40
 * bytes each: a message stays well under a page), sorted, and cut where
 * the content says: after an element whose key hashes to CHUNK_AVG - 1
 * modulo CHUNK_AVG, never between an interval's start and its end.  Two
 * states that differ in a few elements then have the same messages, byte
 * for byte, everywhere else, and the element diff skips those whole.
 */
#define CHUNK_AVG 32
#define CHUNK_MAX 96

struct buf {
	uint8_t *p;
	size_t len, cap;
};

/* Room for one more message of up to MNL_SOCKET_BUFFER_SIZE bytes. */
static char *room(struct buf *b)
{
	size_t need = b->len + MNL_SOCKET_BUFFER_SIZE * 2;

	if (need > b->cap) {
		b->cap = need * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memset(b->p + b->len, 0, MNL_SOCKET_BUFFER_SIZE * 2);
	return (char *)b->p + b->len;
}

static void done(struct buf *b, struct nlmsghdr *h)
{
	b->len += NLMSG_ALIGN(h->nlmsg_len);
}

/* Key and flags: all an element of ours has (libnftnl's clone is not
 * exported). */
static struct nftnl_set_elem *elem_copy(struct nftnl_set_elem *e)
{
	struct nftnl_set_elem *c = nftnl_set_elem_alloc();
	uint32_t len = 0;
	const void *k = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

	if (k)
		nftnl_set_elem_set(c, NFTNL_SET_ELEM_KEY, k, len);
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
		nftnl_set_elem_set_u32(c, NFTNL_SET_ELEM_FLAGS,
				       nftnl_set_elem_get_u32(
					       e, NFTNL_SET_ELEM_FLAGS));
	return c;
}

/* An element of a set with its key, for sorting and cutting. */
struct selem {
	struct nftnl_set_elem *e;
	struct fwelem k;
};

static int elem_cmp(const struct fwelem *a, const struct fwelem *b);

static int selem_qcmp(const void *a, const void *b)
{
	return elem_cmp(&((const struct selem *)a)->k,
			&((const struct selem *)b)->k);
}

static bool interval_of(const struct nftnl_set *s)
{
	return nftnl_set_is_set(s, NFTNL_SET_FLAGS) &&
	       (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_INTERVAL);
}

/* A set's elements in *v, sorted as the element diff sorts them
 * (compiled sets are already); returns how many. */
static int set_elems(struct nftnl_set *s, struct selem **v)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
	struct nftnl_set_elem *e;
	bool sorted = true;
	int n = 0, cap = 0;

	*v = NULL;
	while (it && (e = nftnl_set_elems_iter_next(it))) {
		uint32_t len = 0;
		const uint8_t *k = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
		struct selem x = {.e = e};

		x.k.key = k;
		x.k.len = k && len <= UINT16_MAX ? (uint16_t)len : 0;
		x.k.end = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
			  (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
			   NFT_SET_ELEM_INTERVAL_END);
		if (!x.k.len) {
			x.k.key = (const uint8_t *)"";
			x.k.len = 0;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			*v = xrealloc(*v, (size_t)cap * sizeof(**v));
		}
		if (n && elem_cmp(&(*v)[n - 1].k, &x.k) > 0)
			sorted = false;
		(*v)[n++] = x;
	}
	if (it)
		nftnl_set_elems_iter_destroy(it);
	if (!sorted)
		qsort(*v, (size_t)n, sizeof(**v), selem_qcmp);
	return n;
}

/* How many of v[0, n) go in the next message (see CHUNK_AVG). */
static int chunk_len(const struct selem *v, int n, bool interval)
{
	for (int m = 1; m < n; m++) {
		uint32_t h = 2166136261u;

		/* an interval's start stays with its end, and an element
		 * twice stays in one message (the diff refuses it there) */
		if ((interval && !v[m - 1].k.end && v[m].k.end) ||
		    !elem_cmp(&v[m - 1].k, &v[m].k))
			continue;
		if (m >= CHUNK_MAX)
			return m;
		for (uint16_t b = 0; b < v[m - 1].k.len; b++)
			h = (h ^ v[m - 1].k.key[b]) * 16777619u;
		if (h % CHUNK_AVG == CHUNK_AVG - 1)
			return m;
	}
	return n;
}

int fwobjs_to_state(const struct fwobjs *o, struct fwstate *out, char *err,
		    size_t errlen)
{
	struct buf b = {0};

	memset(out, 0, sizeof(*out));
	out->present = true;
	for (int i = 0; i < o->n_chains; i++) {
		struct nlmsghdr *h = nftnl_nlmsg_build_hdr(
			room(&b), NFT_MSG_NEWCHAIN, NFPROTO_INET,
			NLM_F_CREATE, 0);

		nftnl_chain_unset(o->chains[i], NFTNL_CHAIN_HANDLE);
		nftnl_chain_unset(o->chains[i], NFTNL_CHAIN_USE);
		nftnl_chain_nlmsg_build_payload(h, o->chains[i]);
		done(&b, h);
	}
	for (int i = 0; i < o->n_sets; i++) {
		struct nftnl_set *s = o->sets[i];
		struct nlmsghdr *h;

		nftnl_set_unset(s, NFTNL_SET_HANDLE);
		/* the kernel wants an id for a set made in a transaction */
		nftnl_set_set_u32(s, NFTNL_SET_ID, (uint32_t)i + 1);
		h = nftnl_nlmsg_build_hdr(room(&b), NFT_MSG_NEWSET,
					  NFPROTO_INET, NLM_F_CREATE, 0);
		nftnl_set_nlmsg_build_payload(h, s);
		done(&b, h);
		/* Elements go in chunks, a message each: libnftnl's own
		 * splitting iterator crashes past the first full message. */
		{
			struct selem *v = NULL;
			int n = set_elems(s, &v);

			for (int at = 0; at < n;) {
				struct nftnl_set *chunk = nftnl_set_alloc();
				int m = chunk_len(v + at, n - at, interval_of(s));

				nftnl_set_set_u32(chunk, NFTNL_SET_FAMILY,
						  NFPROTO_INET);
				nftnl_set_set_str(chunk, NFTNL_SET_TABLE, FW_TABLE);
				nftnl_set_set_str(chunk, NFTNL_SET_NAME,
						  nftnl_set_get_str(s, NFTNL_SET_NAME));
				nftnl_set_set_u32(chunk, NFTNL_SET_ID,
						  (uint32_t)i + 1);
				for (int q = 0; q < m; q++)
					nftnl_set_elem_add(chunk,
							   elem_copy(v[at + q].e));
				at += m;
				h = nftnl_nlmsg_build_hdr(room(&b),
							  NFT_MSG_NEWSETELEM,
							  NFPROTO_INET,
							  NLM_F_CREATE, 0);
				nftnl_set_elems_nlmsg_build_payload(h, chunk);
				done(&b, h);
				nftnl_set_free(chunk);
			}
			free(v);
		}
	}
	for (int i = 0; i < o->n_rules; i++) {
		struct nlmsghdr *h = nftnl_nlmsg_build_hdr(
			room(&b), NFT_MSG_NEWRULE, NFPROTO_INET,
			NLM_F_CREATE | NLM_F_APPEND, 0);

		nftnl_rule_unset(o->rules[i], NFTNL_RULE_HANDLE);
		nftnl_rule_unset(o->rules[i], NFTNL_RULE_POSITION);
		nftnl_rule_nlmsg_build_payload(h, o->rules[i]);
		done(&b, h);
	}
	out->msgs = b.p;
	out->len = b.len;
	out->n_rules = o->n_rules;
	out->n_sets = o->n_sets;
	out->canon = canon_of(o, &out->n_elems, &out->elems_at,
			      &out->rules_at);
	(void)err;
	(void)errlen;
	return 0;
}

/* ---- element diff ---------------------------------------------------------- */

struct eset {
	const char *name; /* inside the state's messages, NUL checked */
	bool interval;
	struct fwelem *e;
	int n, cap;
};

static int elem_cmp(const struct fwelem *a, const struct fwelem *b)
{
	int c;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(a->key, b->key, a->len);
	if (c)
		return c;
	return (int)b->end - (int)a->end; /* an end before a start */
}

static int elem_qcmp(const void *a, const void *b)
{
	return elem_cmp(a, b);
}

static struct eset *eset_find(struct eset *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

/* A NUL-ended string attribute, or NULL. */
static const char *attr_str(const struct nlattr *a)
{
	uint16_t n = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	return n && memchr(s, '\0', n) ? s : NULL;
}

/*
 * Attributes walked by hand: libmnl's helpers are calls into a shared
 * library, several per attribute, and a state of 100,000 intervals has a
 * million attributes.  *a is the next attribute inside [p, end) with its
 * length checked, or NULL.
 */
static inline const struct nlattr *attr_next(const uint8_t **p,
					     const uint8_t *end)
{
	const struct nlattr *a = (const void *)*p;

	if (end - *p < (ptrdiff_t)sizeof(*a) || a->nla_len < sizeof(*a) ||
	    a->nla_len > end - *p)
		return NULL;
	{
		size_t step = NLA_ALIGN((size_t)a->nla_len);
		size_t left = (size_t)(end - *p);

		*p += step < left ? step : left;
	}
	return a;
}

#define ATTR_DATA(a) ((const uint8_t *)(a) + NLA_HDRLEN)
#define ATTR_LEN(a)  ((size_t)(a)->nla_len - NLA_HDRLEN)
#define ATTR_TYPE(a) ((a)->nla_type & NLA_TYPE_MASK)

/* One element of a NEWSETELEM list into s; -EINVAL when malformed. */
static int elem_scan(struct eset *s, const struct nlattr *el)
{
	const uint8_t *p = ATTR_DATA(el), *end = p + ATTR_LEN(el);
	const struct nlattr *a;
	struct fwelem e = {0};
	bool key = false;

	while ((a = attr_next(&p, end))) {
		switch (ATTR_TYPE(a)) {
		case NFTA_SET_ELEM_KEY: {
			const uint8_t *q = ATTR_DATA(a), *qe = q + ATTR_LEN(a);
			const struct nlattr *d;

			while ((d = attr_next(&q, qe))) {
				if (ATTR_TYPE(d) != NFTA_DATA_VALUE ||
				    !ATTR_LEN(d) || ATTR_LEN(d) > UINT16_MAX)
					return -EINVAL;
				e.key = ATTR_DATA(d);
				e.len = (uint16_t)ATTR_LEN(d);
				key = true;
			}
			break;
		}
		case NFTA_SET_ELEM_FLAGS: {
			uint32_t f;

			if (ATTR_LEN(a) != sizeof(f))
				return -EINVAL;
			memcpy(&f, ATTR_DATA(a), sizeof(f));
			e.end = ntohl(f) & NFT_SET_ELEM_INTERVAL_END;
			break;
		}
		default:
			return -EINVAL; /* nothing else is ours to diff */
		}
	}
	if (p != end || !key)
		return -EINVAL;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->e = xrealloc(s->e, (size_t)s->cap * sizeof(*s->e));
	}
	s->e[s->n++] = e;
	return 0;
}

/*
 * Sort a set's elements as elem_cmp does.  Keys of one length (a set's
 * are) go by a radix sort, a pass per key byte that is not the same in
 * all, least significant first, after one on the end flag: a hash set
 * reads back in the kernel's hash order, and 100,000 keys sort so in well
 * under a millisecond where qsort takes several.
 */
static void elems_sort(struct eset *s)
{
	struct fwelem *tmp, *src = s->e, *dst;
	uint16_t len = s->n ? s->e[0].len : 0;
	size_t cnt[256];

	if (s->n < 2)
		return;
	for (int k = 1; k < s->n; k++)
		if (s->e[k].len != len) {
			qsort(s->e, (size_t)s->n, sizeof(*s->e), elem_qcmp);
			return;
		}
	tmp = xmalloc((size_t)s->n * sizeof(*tmp));
	dst = tmp;
	for (int b = len; b >= 0; b--) { /* b == len: the end flag */
		size_t at = 0;

		memset(cnt, 0, sizeof(cnt));
		for (int k = 0; k < s->n; k++)
			cnt[b == len ? !src[k].end : src[k].key[b]]++;
		if (cnt[b == len ? !src[0].end : src[0].key[b]] ==
		    (size_t)s->n)
			continue; /* the same in all: nothing to order */
		for (int v = 0; v < 256; v++) {
			size_t c = cnt[v];

			cnt[v] = at;
			at += c;
		}
		for (int k = 0; k < s->n; k++)
			dst[cnt[b == len ? !src[k].end : src[k].key[b]]++] =
				src[k];
		{
			struct fwelem *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != s->e)
		memcpy(s->e, src, (size_t)s->n * sizeof(*s->e));
	free(tmp);
}

/* A well-framed message at off of fw, or NULL. */
static const struct nlmsghdr *msg_at(const struct fwstate *fw, size_t off)
{
	const struct nlmsghdr *h = (const void *)(fw->msgs + off);

	if (fw->len - off < sizeof(*h) ||
	    h->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    NLMSG_ALIGN(h->nlmsg_len) > fw->len - off)
		return NULL;
	return h;
}

/* The element messages of a state: their offsets and their ordinals
 * among all its messages; stops at a message that is not well framed. */
struct emsgs {
	size_t *off;
	int *ord;
	int n;
};

static void emsgs_of(const struct fwstate *fw, struct emsgs *m)
{
	const struct nlmsghdr *h;
	int ord = 0, cap = 0;

	memset(m, 0, sizeof(*m));
	for (size_t off = 0; off < fw->len && (h = msg_at(fw, off));
	     off += NLMSG_ALIGN(h->nlmsg_len), ord++) {
		if ((h->nlmsg_type & 0xff) != NFT_MSG_NEWSETELEM)
			continue;
		if (m->n == cap) {
			cap = cap ? cap * 2 : 64;
			m->off = xrealloc(m->off, (size_t)cap * sizeof(*m->off));
			m->ord = xrealloc(m->ord, (size_t)cap * sizeof(*m->ord));
		}
		m->off[m->n] = off;
		m->ord[m->n++] = ord;
	}
}

/* A cheap hash of a message: its length and a few words of its first
 * and last element (whole messages are compared on a match). */
static uint32_t msg_hash(const struct nlmsghdr *h)
{
	const uint8_t *p = (const void *)h;
	uint64_t x = h->nlmsg_len, w;
	uint32_t n = h->nlmsg_len;

	for (uint32_t i = 48; i + 8 <= n && i < 80; i += 8) {
		memcpy(&w, p + i, 8);
		x = (x ^ w) * 0x100000001b3ull;
	}
	for (uint32_t i = n >= 48 ? n - 48 : 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		x = (x ^ w) * 0x100000001b3ull;
	}
	/* the multiplications carry upwards only: fold the top down */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (uint32_t)x;
}

/*
 * The element messages that are the same, byte for byte, in a and b, each
 * matched once: *skip_a and *skip_b (by message ordinal, NULL when none)
 * say which.  A message holds a run of one set's elements (its name is in
 * the message) and never cuts an interval (see CHUNK_AVG), so taking the
 * same ones out of both states leaves the diff as it was — and with
 * content-cut chunks, a change of a few elements in 100,000 leaves a few
 * messages to read.
 */
static void same_msgs(const struct fwstate *a, const struct fwstate *b,
		      bool **skip_a, bool **skip_b)
{
	struct emsgs ma, mb;
	size_t size = 16;
	int *slot;

	*skip_a = *skip_b = NULL;
	emsgs_of(a, &ma);
	emsgs_of(b, &mb);
	if (!ma.n || !mb.n)
		goto out;
	while (size < (size_t)mb.n * 2)
		size *= 2;
	slot = xmalloc(size * sizeof(*slot));
	memset(slot, 0xff, size * sizeof(*slot)); /* -1: empty */
	for (int j = 0; j < mb.n; j++) {
		size_t k = msg_hash((const void *)(b->msgs + mb.off[j])) &
			   (size - 1);

		while (slot[k] >= 0)
			k = (k + 1) & (size - 1);
		slot[k] = j;
	}
	*skip_a = xcalloc((size_t)ma.ord[ma.n - 1] + 1, sizeof(bool));
	*skip_b = xcalloc((size_t)mb.ord[mb.n - 1] + 1, sizeof(bool));
	for (int i = 0; i < ma.n; i++) {
		const struct nlmsghdr *x = (const void *)(a->msgs + ma.off[i]);
		size_t k = msg_hash(x) & (size - 1);

		for (; slot[k] >= 0; k = (k + 1) & (size - 1)) {
			int j = slot[k];
			const struct nlmsghdr *y =
				(const void *)(b->msgs + mb.off[j]);

			if (!(*skip_b)[mb.ord[j]] && x->nlmsg_len == y->nlmsg_len &&
			    !memcmp(x, y, x->nlmsg_len)) {
				(*skip_a)[ma.ord[i]] = true;
				(*skip_b)[mb.ord[j]] = true;
				break;
			}
		}
	}
	free(slot);
out:
	free(ma.off);
	free(ma.ord);
	free(mb.off);
	free(mb.ord);
}

/* The sets and elements of a state's messages, each set's sorted, but for
 * the element messages skip says to leave out (by ordinal; may be NULL). */
static int state_scan(const struct fwstate *fw, const bool *skip,
		      struct eset **out, int *n_out)
{
	struct eset *v = NULL, *last = NULL;
	int n = 0, rc = 0, ord = 0;

	for (size_t off = 0; !rc && off < fw->len; ord++) {
		const struct nlmsghdr *h = msg_at(fw, off);
		const struct nlattr *a;
		int type;

		if (!h) {
			rc = -EINVAL;
			break;
		}
		off += NLMSG_ALIGN(h->nlmsg_len);
		type = h->nlmsg_type & 0xff;
		if (type == NFT_MSG_NEWSETELEM && skip && skip[ord])
			continue;
		if (type == NFT_MSG_NEWSET) {
			struct eset s = {0};

			mnl_attr_for_each(a, h, sizeof(struct nfgenmsg))
			{
				if (mnl_attr_get_type(a) == NFTA_SET_NAME)
					s.name = attr_str(a);
				else if (mnl_attr_get_type(a) == NFTA_SET_FLAGS &&
					 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
					s.interval = ntohl(mnl_attr_get_u32(a)) &
						     NFT_SET_INTERVAL;
			}
			if (!s.name || eset_find(v, n, s.name)) {
				rc = -EINVAL;
				break;
			}
			v = xrealloc(v, (size_t)(n + 1) * sizeof(*v));
			v[n++] = s;
			last = NULL;
		} else if (type == NFT_MSG_NEWSETELEM) {
			const struct nlattr *list = NULL;
			const char *name = NULL;

			mnl_attr_for_each(a, h, sizeof(struct nfgenmsg))
			{
				if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_SET)
					name = attr_str(a);
				else if (mnl_attr_get_type(a) ==
					 NFTA_SET_ELEM_LIST_ELEMENTS)
					list = a;
			}
			if (!name || !list) {
				rc = -EINVAL;
				break;
			}
			if (!last || strcmp(last->name, name))
				last = eset_find(v, n, name);
			if (!last) {
				rc = -EINVAL;
				break;
			}
			{
				const uint8_t *p = ATTR_DATA(list),
					      *end = p + ATTR_LEN(list);

				while (!rc && (a = attr_next(&p, end)))
					rc = elem_scan(last, a);
				if (!rc && p != end)
					rc = -EINVAL;
			}
		}
	}
	for (int i = 0; !rc && i < n; i++) {
		struct eset *s = &v[i];
		bool up = true, down = true;

		/* compiled: ascending; read back: the kernel's order */
		for (int k = 1; k < s->n && (up || down); k++) {
			int c = elem_cmp(&s->e[k - 1], &s->e[k]);

			up = up && c < 0;
			down = down && c > 0;
		}
		if (down && !up) {
			for (int a2 = 0, b2 = s->n - 1; a2 < b2; a2++, b2--) {
				struct fwelem t = s->e[a2];

				s->e[a2] = s->e[b2];
				s->e[b2] = t;
			}
		} else if (!up) {
			elems_sort(s);
		}
		for (int k = 1; k < s->n; k++)
			if (!elem_cmp(&s->e[k - 1], &s->e[k]))
				rc = -EINVAL; /* the same element twice */
	}
	if (rc) {
		for (int i = 0; i < n; i++)
			free(v[i].e);
		free(v);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}

/* Elements in a group at e[i]: an interval is its start and, unless it
 * runs to the top, its end; anything else is one element. */
static int group_len(const struct eset *s, int i)
{
	if (s->interval && !s->e[i].end && i + 1 < s->n && s->e[i + 1].end)
		return 2;
	return 1;
}

static int group_cmp(const struct eset *a, int i, int na,
		     const struct eset *b, int j, int nb)
{
	int c = elem_cmp(&a->e[i], &b->e[j]);

	if (c || na == nb)
		return c ? c : na == 2 ? elem_cmp(&a->e[i + 1], &b->e[j + 1]) : 0;
	return na < nb ? -1 : 1;
}

static void push_elems(struct fwelem **v, int *n, const struct fwelem *e,
		       int k)
{
	*v = xrealloc(*v, (size_t)(*n + k) * sizeof(**v));
	memcpy(*v + *n, e, (size_t)k * sizeof(*e));
	*n += k;
}

int fwobj_elem_diff(const struct fwstate *from, const struct fwstate *to,
		    struct fwelem_diff **out, int *n_out)
{
	struct eset *a = NULL, *b = NULL;
	struct fwelem_diff *d = NULL;
	bool *skip_a, *skip_b;
	int na = 0, nb = 0, nd = 0, rc;

	*out = NULL;
	*n_out = 0;
	same_msgs(from, to, &skip_a, &skip_b);
	rc = state_scan(from, skip_a, &a, &na);
	if (!rc)
		rc = state_scan(to, skip_b, &b, &nb);
	free(skip_a);
	free(skip_b);
	if (rc < 0)
		goto out;
	for (int si = 0; si < nb; si++) {
		const struct eset *y = &b[si], *x = eset_find(a, na, y->name);
		struct fwelem_diff r = {.set = y->name};
		int i = 0, j = 0;

		if (!x || x->interval != y->interval) {
			rc = -EINVAL; /* not the same shape */
			break;
		}
		/* both sorted: one merge walk over whole groups */
		while (i < x->n || j < y->n) {
			int gi = i < x->n ? group_len(x, i) : 0;
			int gj = j < y->n ? group_len(y, j) : 0;
			int c = !gi ? 1 : !gj ? -1 : group_cmp(x, i, gi, y, j, gj);

			if (c < 0) {
				push_elems(&r.del, &r.n_del, &x->e[i], gi);
				i += gi;
			} else if (c > 0) {
				push_elems(&r.add, &r.n_add, &y->e[j], gj);
				j += gj;
			} else {
				i += gi;
				j += gj;
			}
		}
		if (r.n_del || r.n_add) {
			d = xrealloc(d, (size_t)(nd + 1) * sizeof(*d));
			d[nd++] = r;
		}
	}
	if (!rc && na != nb)
		rc = -EINVAL;
	if (rc) {
		fwobj_elem_diff_free(d, nd);
	} else {
		*out = d;
		*n_out = nd;
	}
out:
	for (int i = 0; i < na; i++)
		free(a[i].e);
	for (int i = 0; i < nb; i++)
		free(b[i].e);
	free(a);
	free(b);
	return rc;
}

void fwobj_elem_diff_free(struct fwelem_diff *d, int n)
{
	for (int i = 0; i < n; i++) {
		free(d[i].del);
		free(d[i].add);
	}
	free(d);
}
