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

/* Append x to arr of n, which only PUSH grows: its room doubles when n
 * reaches a power of two (100,000 elements are 17 reallocations). */
#define PUSH(arr, n, x)                                                        \
	do {                                                                   \
		if (!((n) & ((n) - 1)))                                        \
			(arr) = xrealloc((arr), (size_t)((n) ? 2 * (n) : 1) *  \
							sizeof(*(arr)));       \
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

/*
 * A set element's key: an address as an address (what an engineer reads
 * in the plan), anything else in hex.
 */
static void key_text(struct text *t, uint32_t type, const uint8_t *p,
		     uint32_t n)
{
	char buf[INET6_ADDRSTRLEN];

	if ((type == FW_TYPE_IPADDR && n == 4 &&
	     inet_ntop(AF_INET, p, buf, sizeof(buf))) ||
	    (type == FW_TYPE_IP6ADDR && n == 16 &&
	     inet_ntop(AF_INET6, p, buf, sizeof(buf))))
		put(t, "%s", buf);
	else
		hex(t, p, n);
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
		uint32_t ktype = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
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
			key_text(&el, ktype, k, klen);
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

int fwobj_elem_cmp(const struct fwelem *a, const struct fwelem *b)
{
	int c;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(a->key, b->key, a->len);
	if (c)
		return c;
	return (int)b->end - (int)a->end; /* an end before a start */
}

static int selem_qcmp(const void *a, const void *b)
{
	return fwobj_elem_cmp(&((const struct selem *)a)->k,
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
		if (n && fwobj_elem_cmp(&(*v)[n - 1].k, &x.k) > 0)
			sorted = false;
		(*v)[n++] = x;
	}
	if (it)
		nftnl_set_elems_iter_destroy(it);
	if (!sorted)
		qsort(*v, (size_t)n, sizeof(**v), selem_qcmp);
	return n;
}

bool fwobj_set_has_repeat(struct nftnl_set *s)
{
	struct selem *v;
	int n = set_elems(s, &v);
	bool rep = false;

	for (int i = 1; i < n && !rep; i++)
		rep = !fwobj_elem_cmp(&v[i - 1].k, &v[i].k);
	free(v);
	return rep;
}

/* How many of v[0, n) go in the next message (see CHUNK_AVG). */
static int chunk_len(const struct selem *v, int n, bool interval)
{
	for (int m = 1; m < n; m++) {
		uint32_t h = 2166136261u;

		/* an interval's start stays with its end, and an element
		 * twice stays in one message (the diff refuses it there) */
		if ((interval && !v[m - 1].k.end && v[m].k.end) ||
		    !fwobj_elem_cmp(&v[m - 1].k, &v[m].k))
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
