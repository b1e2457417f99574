// SPDX-License-Identifier: BSD-2-Clause
/*
 * The element diff between two firewall states (fwobj_elem_diff): the
 * elements to add and to delete, set by set, read from the states' element
 * messages without libnftnl; the messages both states share byte for byte
 * are skipped.  Anything malformed is refused (-EINVAL), and the caller
 * falls back to a full replace.  Nothing here logs.
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

/* ---- element diff ---------------------------------------------------------- */

struct eset {
	const char *name; /* inside the state's messages, NUL checked */
	bool interval;
	struct fwelem *e;
	int n, cap;
};

static int elem_qcmp(const void *a, const void *b)
{
	return fwobj_elem_cmp(a, b);
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
 * Sort a set's elements as fwobj_elem_cmp does.  Keys of one length (a set's
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
			int c = fwobj_elem_cmp(&s->e[k - 1], &s->e[k]);

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
			if (!fwobj_elem_cmp(&s->e[k - 1], &s->e[k]))
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
	int c = fwobj_elem_cmp(&a->e[i], &b->e[j]);

	if (c || na == nb)
		return c ? c : na == 2 ? fwobj_elem_cmp(&a->e[i + 1], &b->e[j + 1]) : 0;
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
