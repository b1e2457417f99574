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

static char *canon_of(const struct fwobjs *o, int *n_elems)
{
	struct text t = {0};
	char **lines = NULL;
	int n = 0;

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
		PUSH(lines, n, l.s);
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
		PUSH(lines, n, l.s);
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
			PUSH(lines, n, el.s);
			(*n_elems)++;
		}
		if (it)
			nftnl_set_elems_iter_destroy(it);
	}
	if (n > 1)
		qsort(lines, (size_t)n, sizeof(*lines), str_cmp);
	for (int i = 0; i < n; i++) {
		put(&t, "%s", lines[i]);
		free(lines[i]);
	}
	free(lines);
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

/* ~40 bytes each: a message stays well under a page */
#define ELEMS_PER_MSG 64

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
		struct nftnl_set_elems_iter *it;
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
		it = nftnl_set_elems_iter_create(s);
		for (struct nftnl_set_elem *e = it ? nftnl_set_elems_iter_next(it)
						   : NULL;
		     e;) {
			struct nftnl_set *chunk = nftnl_set_alloc();

			nftnl_set_set_u32(chunk, NFTNL_SET_FAMILY, NFPROTO_INET);
			nftnl_set_set_str(chunk, NFTNL_SET_TABLE, FW_TABLE);
			nftnl_set_set_str(chunk, NFTNL_SET_NAME,
					  nftnl_set_get_str(s, NFTNL_SET_NAME));
			nftnl_set_set_u32(chunk, NFTNL_SET_ID, (uint32_t)i + 1);
			for (int k = 0; e && k < ELEMS_PER_MSG; k++) {
				nftnl_set_elem_add(chunk, elem_copy(e));
				e = nftnl_set_elems_iter_next(it);
			}
			h = nftnl_nlmsg_build_hdr(room(&b), NFT_MSG_NEWSETELEM,
						  NFPROTO_INET, NLM_F_CREATE, 0);
			nftnl_set_elems_nlmsg_build_payload(h, chunk);
			done(&b, h);
			nftnl_set_free(chunk);
		}
		if (it)
			nftnl_set_elems_iter_destroy(it);
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
	out->canon = canon_of(o, &out->n_elems);
	(void)err;
	(void)errlen;
	return 0;
}
