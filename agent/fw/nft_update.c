// SPDX-License-Identifier: BSD-2-Clause
/*
 * The incremental update of table inet egnet: when the table read before
 * a change and the compiled one have the same shape, one transaction of
 * element and rule additions and deletions in the existing table (rules
 * matched per chain by the longest common subsequence of their canonical
 * text, new ones placed by position); otherwise nft.c's full replace.
 * Helpers do not log: errors are -errno with the reason in err.
 */
#include "agent/fw/fw.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/fw/fwobj.h"
#include "agent/fw/nft_int.h"
#include "common/log.h"

/* ---- update -------------------------------------------------------------------- */

/* The chains and sets of both, their types and flags, are the same. */
static bool same_shape(const struct fwstate *a, const struct fwstate *b)
{
	return a->canon && b->canon && a->elems_at == b->elems_at &&
	       a->elems_at && !memcmp(a->canon, b->canon, a->elems_at);
}

/* Element messages for one set: `n` elements of e, 64 a message. */
static void elem_msgs(struct nft_batch *b, int type, const char *set,
		      const struct fwelem *e, int n)
{
	for (int i = 0; i < n;) {
		struct nftnl_set *s = nftnl_set_alloc();
		struct nlmsghdr *h;

		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_str(s, NFTNL_SET_TABLE, FW_TABLE);
		nftnl_set_set_str(s, NFTNL_SET_NAME, set);
		for (int k = 0; i < n && k < 64; k++, i++) {
			struct nftnl_set_elem *x = nftnl_set_elem_alloc();

			nftnl_set_elem_set(x, NFTNL_SET_ELEM_KEY, e[i].key,
					   e[i].len);
			if (e[i].end)
				nftnl_set_elem_set_u32(x, NFTNL_SET_ELEM_FLAGS,
						       NFT_SET_ELEM_INTERVAL_END);
			nftnl_set_elem_add(s, x);
		}
		h = nft_batch_hdr(b, type,
			      type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0);
		nftnl_set_elems_nlmsg_build_payload(h, s);
		nft_batch_done(b, h);
		nftnl_set_free(s);
	}
}

/* A rule with its canonical text. */
struct rline {
	struct nftnl_rule *r;
	char *text;
	int keep; /* the index of its match on the other side, or -1 */
};

static void rlines_free(struct rline *v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

/* The rules of o in `chain`, in order. */
static struct rline *chain_rules(const struct fwobjs *o, const char *chain,
				 int *n)
{
	struct rline *v = NULL;

	*n = 0;
	for (int i = 0; i < o->n_rules; i++) {
		const char *c = nftnl_rule_get_str(o->rules[i], NFTNL_RULE_CHAIN);

		if (!c || strcmp(c, chain))
			continue;
		v = xrealloc(v, (size_t)(*n + 1) * sizeof(*v));
		v[*n].r = o->rules[i];
		v[*n].text = fwobj_rule_text(o->rules[i]);
		v[*n].keep = -1;
		(*n)++;
	}
	return v;
}

/* Rules per chain on both sides beyond this, compared as a whole. */
#define LCS_CELLS (4u << 20)

/*
 * Match k (the kernel's rules of a chain) with w (the wanted ones) by the
 * longest common subsequence of their texts: matched rules stay, in order.
 * -E2BIG when the chain is too long for the table.
 */
static int rules_match(struct rline *k, int nk, struct rline *w, int nw)
{
	size_t cols = (size_t)nw + 1;
	uint32_t *t;

	if ((size_t)(nk + 1) * cols > LCS_CELLS)
		return -E2BIG;
	t = xcalloc((size_t)(nk + 1) * cols, sizeof(*t));
	for (int i = nk - 1; i >= 0; i--)
		for (int j = nw - 1; j >= 0; j--)
			t[i * cols + j] =
				!strcmp(k[i].text, w[j].text)
					? t[(i + 1) * cols + j + 1] + 1
				: t[(i + 1) * cols + j] > t[i * cols + j + 1]
					? t[(i + 1) * cols + j]
					: t[i * cols + j + 1];
	for (int i = 0, j = 0; i < nk && j < nw;) {
		if (!strcmp(k[i].text, w[j].text)) {
			k[i].keep = j;
			w[j].keep = i;
			i++;
			j++;
		} else if (t[(i + 1) * cols + j] >= t[i * cols + j + 1]) {
			i++;
		} else {
			j++;
		}
	}
	free(t);
	return 0;
}

static void rule_del(struct nft_batch *b, struct nftnl_rule *r)
{
	struct nftnl_rule *d = nftnl_rule_alloc();
	struct nlmsghdr *h;

	nftnl_rule_set_u32(d, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(d, NFTNL_RULE_TABLE, FW_TABLE);
	nftnl_rule_set_str(d, NFTNL_RULE_CHAIN,
			   nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
	nftnl_rule_set_u64(d, NFTNL_RULE_HANDLE,
			   nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
	h = nft_batch_hdr(b, NFT_MSG_DELRULE, 0);
	nftnl_rule_nlmsg_build_payload(h, d);
	nft_batch_done(b, h);
	nftnl_rule_free(d);
}

/*
 * A wanted rule, before the kernel's rule `before` (a kept one), or at the
 * chain's end when NULL: new rules of a run all go before the same kept
 * rule, so they keep their order.
 */
static void rule_add(struct nft_batch *b, struct nftnl_rule *r,
		     const struct nftnl_rule *before)
{
	struct nlmsghdr *h;

	nftnl_rule_unset(r, NFTNL_RULE_HANDLE);
	nftnl_rule_unset(r, NFTNL_RULE_POSITION);
	if (before)
		nftnl_rule_set_u64(r, NFTNL_RULE_POSITION,
				   nftnl_rule_get_u64(before, NFTNL_RULE_HANDLE));
	h = nft_batch_hdr(b, NFT_MSG_NEWRULE,
		      NLM_F_CREATE | (before ? 0 : NLM_F_APPEND));
	nftnl_rule_nlmsg_build_payload(h, r);
	nft_batch_done(b, h);
}

/* The wanted rules: to's NEWRULE messages parsed back. */
static int wanted_rules(const struct fwstate *to, struct fwobjs *w)
{
	for (size_t off = 0; off < to->len;) {
		const struct nlmsghdr *h = (const void *)(to->msgs + off);

		if (to->len - off < sizeof(*h) || h->nlmsg_len < sizeof(*h) ||
		    NLMSG_ALIGN(h->nlmsg_len) > to->len - off)
			return -EINVAL;
		off += NLMSG_ALIGN(h->nlmsg_len);
		if ((h->nlmsg_type & 0xff) == NFT_MSG_NEWRULE) {
			struct nftnl_rule *r = nftnl_rule_alloc();

			fwobjs_add_rule(w, r);
			if (nftnl_rule_nlmsg_parse(h, r) < 0)
				return -EINVAL;
		}
	}
	return 0;
}

/*
 * The kernel's rules now, with their handles, into k: read from the
 * kernel, or (`kernel` false) parsed from `from`'s messages, which are the
 * kernel's as read before the change.
 */
static int kernel_rules(const struct fwstate *from, bool kernel,
			struct fwobjs *k, char *err, size_t errlen)
{
	struct nft_dump_ctx c = {.o = k};
	struct mnl_socket *nl;
	int rc;

	if (!kernel)
		return wanted_rules(from, k);
	nl = nft_open(0, err, errlen);
	if (!nl)
		return -EIO;
	rc = nft_dump(nl, &c, NFT_MSG_GETRULE);
	if (rc < 0) {
		nft_close();
		snprintf(err, errlen, "reading the rules of table inet "
			 FW_TABLE ": %s", strerror(-rc));
	}
	return rc;
}

/*
 * The rule deletions and additions that take the kernel's rules to to's,
 * counted in *how and, when b is not NULL, put into b: deletions first,
 * then additions.  Returns 0, -E2BIG or -EINVAL (too many to match, or
 * rules not of the form we build: replace instead) or -errno.
 */
static int rules_plan(const struct fwstate *from, const struct fwstate *to,
		      bool kernel, struct nft_batch *b, struct nft_how *how,
		      char *err, size_t errlen)
{
	static const char *const chains[] = {"input", "forward"};
	struct fwobjs k, w;
	struct rline *kr[2] = {0}, *wr[2] = {0};
	int nk[2] = {0}, nw[2] = {0}, rc;

	fwobjs_init(&k);
	fwobjs_init(&w);
	if ((rc = kernel_rules(from, kernel, &k, err, errlen)) < 0 ||
	    (rc = wanted_rules(to, &w)) < 0)
		goto out;
	/* our shape has these two chains only: a rule elsewhere is not ours
	 * to place (same_shape() let us here) */
	for (int i = 0; i < k.n_rules + w.n_rules && !rc; i++) {
		const char *ch = nftnl_rule_get_str(
			i < k.n_rules ? k.rules[i] : w.rules[i - k.n_rules],
			NFTNL_RULE_CHAIN);

		if (!ch || (strcmp(ch, "input") && strcmp(ch, "forward")))
			rc = -E2BIG;
	}
	for (int ci = 0; ci < 2 && !rc; ci++) {
		kr[ci] = chain_rules(&k, chains[ci], &nk[ci]);
		wr[ci] = chain_rules(&w, chains[ci], &nw[ci]);
		rc = rules_match(kr[ci], nk[ci], wr[ci], nw[ci]);
	}
	if (rc)
		goto out;
	for (int ci = 0; ci < 2; ci++)
		for (int i = 0; i < nk[ci]; i++)
			if (kr[ci][i].keep < 0) {
				if (b)
					rule_del(b, kr[ci][i].r);
				how->rules_del++;
			}
	for (int ci = 0; ci < 2; ci++) {
		/* walk back, so the next kept rule is known at each step */
		const struct nftnl_rule *before = NULL;
		int first_new = -1;

		for (int j = nw[ci] - 1; j >= -1; j--) {
			if (j >= 0 && wr[ci][j].keep < 0) {
				first_new = j;
				continue;
			}
			/* a run first_new..(next kept - 1) goes before `before`,
			 * added in order */
			for (int x = first_new; x >= 0 && x < nw[ci] &&
						wr[ci][x].keep < 0; x++) {
				if (b)
					rule_add(b, wr[ci][x].r, before);
				how->rules_add++;
			}
			first_new = -1;
			if (j >= 0)
				before = kr[ci][wr[ci][j].keep].r;
		}
	}
out:
	for (int ci = 0; ci < 2; ci++) {
		rlines_free(kr[ci], nk[ci]);
		rlines_free(wr[ci], nw[ci]);
	}
	fwobjs_free(&k);
	fwobjs_free(&w);
	return rc;
}

/*
 * The one decision between an incremental update and a full replace, and
 * the update itself: how->incremental says which.  When incremental, *how
 * counts the element and rule changes and, when b is not NULL, b gets
 * them.  The kernel's rules are read from the kernel (`kernel`) or taken
 * from `from`.  Returns 0 or -errno (reading the kernel's rules failed).
 */
static int update_plan(const struct fwstate *from, const struct fwstate *to,
		       bool kernel, struct nft_batch *b, struct nft_how *how,
		       char *err, size_t errlen)
{
	struct fwelem_diff *d = NULL;
	int nd = 0, rc;

	memset(how, 0, sizeof(*how));
	/* the first apply, a removal, a new shape: the whole table */
	if (!from || !to || !from->present || !to->present ||
	    !same_shape(from, to) || fwobj_elem_diff(from, to, &d, &nd) < 0)
		return 0;
	if (strcmp(from->canon + from->rules_at, to->canon + to->rules_at)) {
		rc = rules_plan(from, to, kernel, b, how, err, errlen);
		if (rc < 0) {
			fwobj_elem_diff_free(d, nd);
			memset(how, 0, sizeof(*how));
			return rc == -E2BIG || rc == -EINVAL ? 0 : rc;
		}
	}
	how->incremental = true;
	/* deletions before additions: an interval that changes is deleted
	 * and added anew, under the same start key */
	for (int i = 0; i < nd; i++) {
		if (b)
			elem_msgs(b, NFT_MSG_DELSETELEM, d[i].set, d[i].del,
				  d[i].n_del);
		how->elems_del += d[i].n_del;
	}
	for (int i = 0; i < nd; i++) {
		if (b)
			elem_msgs(b, NFT_MSG_NEWSETELEM, d[i].set, d[i].add,
				  d[i].n_add);
		how->elems_add += d[i].n_add;
	}
	fwobj_elem_diff_free(d, nd);
	return 0;
}

void nft_update_how(const struct fwstate *from, const struct fwstate *to,
		    struct nft_how *how)
{
	char err[8];

	/* without the kernel, only an unparsable state fails: a replace */
	if (update_plan(from, to, false, NULL, how, err, sizeof(err)) < 0)
		memset(how, 0, sizeof(*how));
}

int nft_update(const struct fwstate *from, const struct fwstate *to,
	       struct nft_how *how, char *err, size_t errlen)
{
	struct nft_how dummy;
	struct nft_batch b;
	int rc;

	if (!how)
		how = &dummy;
	nft_batch_begin(&b, 0);
	rc = update_plan(from, to, true, &b, how, err, errlen);
	if (rc < 0 || !how->incremental) {
		free(b.p);
		return rc < 0 ? rc : nft_replace(to, err, errlen);
	}
	nft_batch_end(&b);
	return nft_batch_run(&b, err, errlen);
}
