// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of fwobj_elem_diff() (agent/fwobj.h), the element diff of an
 * incremental firewall update: intervals added, removed, grown (deleted
 * whole and added anew), merged and split; plain sets element by element;
 * the kernel's descending order against the compiled ascending one; and
 * the refusals that send the update to a full replace: other sets, an
 * element twice, a truncated message.  nft_update_how(), the plan's
 * label, is the same decision: incremental with the diff's counts, or a
 * replace where the diff refuses or a state is absent.  States are built
 * from libnftnl objects as fw.c and nft.c build them.
 * fwobj_set_has_repeat(), the check of a read disturbed by the kernel's
 * resize of a hash set: an element twice, an end and a start of the same
 * key not.  fw_diff_lines(), the plan's lines: a's lines that b lacks, in
 * a's order, also for 100,000 lines (sorted, not searched line by line).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libnftnl/set.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "agent/fw/fw.h"
#include "agent/fw/fwobj.h"

/* A set spec: name, interval, then elements "KEY" or "KEY!" (an end),
 * keys as 4 hex bytes, "" to end. */
struct sspec {
	const char *name;
	bool interval;
	const char *elems[12];
};

static void state_of(const struct sspec *sets, int n, struct fwstate *st)
{
	struct fwobjs o;
	char err[100];

	fwobjs_init(&o);
	for (int i = 0; i < n; i++) {
		struct nftnl_set *s = nftnl_set_alloc();

		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_str(s, NFTNL_SET_TABLE, FW_TABLE);
		nftnl_set_set_str(s, NFTNL_SET_NAME, sets[i].name);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, 7);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 4);
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS,
				  sets[i].interval ? NFT_SET_INTERVAL : 0);
		for (int k = 0; sets[i].elems[k]; k++) {
			struct nftnl_set_elem *e = nftnl_set_elem_alloc();
			uint32_t key = (uint32_t)strtoul(sets[i].elems[k], NULL, 16);
			uint8_t b[4] = {(uint8_t)(key >> 24), (uint8_t)(key >> 16),
					(uint8_t)(key >> 8), (uint8_t)key};

			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, b, 4);
			if (strchr(sets[i].elems[k], '!'))
				nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS,
						       NFT_SET_ELEM_INTERVAL_END);
			nftnl_set_elem_add(s, e);
		}
		fwobjs_add_set(&o, s);
	}
	assert_int_equal(fwobjs_to_state(&o, st, err, sizeof(err)), 0);
	fwobjs_free(&o);
}

/* "del KEY KEY!... add KEY..." of a diff, keys in hex */
static void diff_text(const struct fwelem_diff *d, int n, char *out,
		      size_t len)
{
	size_t w = 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		w += (size_t)snprintf(out + w, len - w, "%s%s:", w ? " " : "",
				      d[i].set);
		for (int k = 0; k < d[i].n_del + d[i].n_add; k++) {
			const struct fwelem *e = k < d[i].n_del
				? &d[i].del[k] : &d[i].add[k - d[i].n_del];

			w += (size_t)snprintf(out + w, len - w, " %c%02x%02x%02x%02x%s",
					      k < d[i].n_del ? '-' : '+',
					      e->key[0], e->key[1], e->key[2],
					      e->key[3], e->end ? "!" : "");
		}
	}
}

static const struct row {
	const char *name;
	struct sspec from[2], to[2];
	int n_from, n_to;
	int want_rc;
	const char *want;
} rows[] = {
	{"same", {{"p", true, {"0a000000", "0a000100!"}}},
	 {{"p", true, {"0a000000", "0a000100!"}}}, 1, 1, 0, ""},
	{"an interval added", {{"p", true, {"0a000000", "0a000100!"}}},
	 {{"p", true, {"0a000000", "0a000100!", "0b000000", "0b000001!"}}}, 1,
	 1, 0, "p: +0b000000 +0b000001!"},
	{"an interval removed",
	 {{"p", true, {"0a000000", "0a000100!", "0b000000", "0b000001!"}}},
	 {{"p", true, {"0b000000", "0b000001!"}}}, 1, 1, 0,
	 "p: -0a000000 -0a000100!"},
	{"an interval grown: out whole, in anew",
	 {{"p", true, {"0a000000", "0a000100!"}}},
	 {{"p", true, {"0a000000", "0a000200!"}}}, 1, 1, 0,
	 "p: -0a000000 -0a000100! +0a000000 +0a000200!"},
	{"two merged into one",
	 {{"p", true, {"0a000000", "0a000100!", "0a000200", "0a000300!"}}},
	 {{"p", true, {"0a000000", "0a000300!"}}}, 1, 1, 0,
	 "p: -0a000000 -0a000100! -0a000200 -0a000300! +0a000000 +0a000300!"},
	{"one split in two", {{"p", true, {"0a000000", "0a000300!"}}},
	 {{"p", true, {"0a000000", "0a000100!", "0a000200", "0a000300!"}}}, 1,
	 1, 0, "p: -0a000000 -0a000300! +0a000000 +0a000100! +0a000200 +0a000300!"},
	{"to the top (no end)", {{"p", true, {"0a000000", "0a000100!"}}},
	 {{"p", true, {"0a000000", "f0000000"}}}, 1, 1, 0,
	 "p: -0a000000 -0a000100! +0a000000 +f0000000"},
	{"kernel order (descending) against compiled",
	 {{"p", true, {"0b000001!", "0b000000", "0a000100!", "0a000000"}}},
	 {{"p", true, {"0a000000", "0a000100!", "0b000000", "0b000001!"}}}, 1,
	 1, 0, ""},
	{"plain set, element by element",
	 {{"z", false, {"00000003", "00000001", "00000002"}}},
	 {{"z", false, {"00000002", "00000004", "00000003"}}}, 1, 1, 0,
	 "z: -00000001 +00000004"},
	{"hash order, keys differing in every byte",
	 {{"z", false, {"0a000102", "01ff0000", "0a000101", "ff000000",
			"0a010100", "00000001", "0b000101"}}},
	 {{"z", false, {"00000001", "01ff0000", "0a000101", "0a000102",
			"0a010101", "0b000101", "ff000000"}}}, 1, 1, 0,
	 "z: -0a010100 +0a010101"},
	{"interval set read in no order",
	 {{"p", true, {"0b000001!", "0a000000", "0c000000", "0a000100!",
		       "0b000000", "0c000100!"}}},
	 {{"p", true, {"0a000000", "0a000100!", "0b000000", "0b000001!",
		       "0c000000", "0c000100!"}}}, 1, 1, 0, ""},
	{"two sets, one changes",
	 {{"p", true, {"0a000000", "0a000100!"}}, {"z", false, {"00000001"}}},
	 {{"p", true, {"0a000000", "0a000100!"}}, {"z", false, {"00000002"}}},
	 2, 2, 0, "z: -00000001 +00000002"},
	{"a set more", {{"p", true, {"0a000000"}}},
	 {{"p", true, {"0a000000"}}, {"q", true, {"0a000000"}}}, 1, 2, -EINVAL,
	 ""},
	{"a set less", {{"p", true, {"0a000000"}}, {"q", true, {"0a000000"}}},
	 {{"p", true, {"0a000000"}}}, 2, 1, -EINVAL, ""},
	{"a set renamed", {{"p", true, {"0a000000"}}},
	 {{"q", true, {"0a000000"}}}, 1, 1, -EINVAL, ""},
	{"interval flag changed", {{"p", true, {"0a000000"}}},
	 {{"p", false, {"0a000000"}}}, 1, 1, -EINVAL, ""},
	{"an element twice", {{"z", false, {"00000001", "00000001"}}},
	 {{"z", false, {"00000001"}}}, 1, 1, -EINVAL, ""},
};

static void test_row(void **state)
{
	const struct row *r = *state;
	struct fwstate a, b;
	struct fwelem_diff *d;
	struct nft_how how;
	char got[400];
	int n, n_add = 0, n_del = 0;

	state_of(r->from, r->n_from, &a);
	state_of(r->to, r->n_to, &b);
	assert_int_equal(fwobj_elem_diff(&a, &b, &d, &n), r->want_rc);
	if (!r->want_rc) {
		diff_text(d, n, got, sizeof(got));
		assert_string_equal(got, r->want);
		for (int i = 0; i < n; i++) {
			n_add += d[i].n_add;
			n_del += d[i].n_del;
		}
		fwobj_elem_diff_free(d, n);
	} else {
		assert_null(d);
		assert_int_equal(n, 0);
	}
	/* the plan's label: the update's own decision and counts */
	nft_update_how(&a, &b, &how);
	assert_int_equal(how.incremental, !r->want_rc);
	assert_int_equal(how.elems_add, n_add);
	assert_int_equal(how.elems_del, n_del);
	assert_int_equal(how.rules_add + how.rules_del, 0);
	/* the first apply, a removal: the whole table */
	nft_update_how(NULL, &b, &how);
	assert_false(how.incremental);
	a.present = false;
	nft_update_how(&a, &b, &how);
	assert_false(how.incremental);
	fw_release(&a);
	fw_release(&b);
}

/* Every cut inside the last message (the elements): refused, never read
 * past (a cut between messages is a shorter state, not a broken one) */
static void test_truncated(void **state)
{
	static const struct sspec s[] = {
		{"p", true, {"0a000000", "0a000100!", "0b000000"}}};
	struct fwstate a, b;

	(void)state;
	state_of(s, 1, &a);
	state_of(s, 1, &b);
	size_t last = 0;

	for (size_t off = 0; off < b.len;) {
		const struct nlmsghdr *h = (const void *)(b.msgs + off);

		last = off;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	assert_true(last > 0);
	for (size_t cut = last + 1; cut < b.len; cut++) {
		struct fwstate c = b;
		struct fwelem_diff *d;
		int n;

		c.msgs = malloc(cut);
		memcpy(c.msgs, b.msgs, cut);
		c.len = cut;
		assert_int_equal(fwobj_elem_diff(&a, &c, &d, &n), -EINVAL);
		free(c.msgs);
	}
	fw_release(&a);
	fw_release(&b);
}

/* A set of n 4-byte keys from keys[] (an end when the bit 31 is set,
 * stripped); the state of sets[0, ns). */
struct bigset {
	const char *name;
	bool interval;
	const uint32_t *keys;
	int n;
};

static void big_state(const struct bigset *sets, int ns, struct fwstate *st)
{
	struct fwobjs o;
	char err[100];

	fwobjs_init(&o);
	for (int i = 0; i < ns; i++) {
		struct nftnl_set *s = nftnl_set_alloc();

		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_str(s, NFTNL_SET_TABLE, FW_TABLE);
		nftnl_set_set_str(s, NFTNL_SET_NAME, sets[i].name);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, 7);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 4);
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS,
				  sets[i].interval ? NFT_SET_INTERVAL : 0);
		for (int k = 0; k < sets[i].n; k++) {
			struct nftnl_set_elem *e = nftnl_set_elem_alloc();
			uint32_t key = sets[i].keys[k] & 0x7fffffff;
			uint8_t b[4] = {(uint8_t)(key >> 24), (uint8_t)(key >> 16),
					(uint8_t)(key >> 8), (uint8_t)key};

			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, b, 4);
			if (sets[i].keys[k] >> 31)
				nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS,
						       NFT_SET_ELEM_INTERVAL_END);
			nftnl_set_elem_add(s, e);
		}
		fwobjs_add_set(&o, s);
	}
	assert_int_equal(fwobjs_to_state(&o, st, err, sizeof(err)), 0);
	fwobjs_free(&o);
}

/* Element messages of a that b has byte for byte, and how many a has. */
static int shared_msgs(const struct fwstate *a, const struct fwstate *b,
		       int *n_a)
{
	int shared = 0;

	*n_a = 0;
	for (size_t i = 0; i < a->len;) {
		const struct nlmsghdr *x = (const void *)(a->msgs + i);

		i += NLMSG_ALIGN(x->nlmsg_len);
		if ((x->nlmsg_type & 0xff) != NFT_MSG_NEWSETELEM)
			continue;
		(*n_a)++;
		for (size_t j = 0; j < b->len;) {
			const struct nlmsghdr *y = (const void *)(b->msgs + j);

			j += NLMSG_ALIGN(y->nlmsg_len);
			if (x->nlmsg_len == y->nlmsg_len &&
			    !memcmp(x, y, x->nlmsg_len)) {
				shared++;
				break;
			}
		}
	}
	return shared;
}

#define BIG 3000

/*
 * Sets of thousands of elements, the old one in no order (a hash set as
 * the kernel dumps it) and descending (an interval set), a few elements
 * changed: the states share all but a few element messages, and the diff
 * is exactly the change — the shared messages are skipped, the rest read.
 */
static void test_big(void **state)
{
	static uint32_t h0[BIG], h1[BIG + 1], p0[2 * BIG], p1[2 * BIG];
	struct fwstate a, b;
	struct fwelem_diff *d;
	char got[512], want[512];
	int n, na, shared;

	(void)state;
	for (int k = 0; k < BIG; k++) /* 0a000000 + 2k, scrambled */
		h0[k] = 0x0a000000 + 2 * (uint32_t)((k * 1237) % BIG);
	/* to: 0a000000 + 2k ascending, less k = 10, 1500; plus 0a000001,
	 * 0a000003, 0a000bb9 (one more: what follows moves along) */
	n = 0;
	for (int k = 0; k < BIG; k++) {
		if (k == 1)
			h1[n++] = 0x0a000001;
		if (k == 2)
			h1[n++] = 0x0a000003;
		if (k == 1500)
			h1[n++] = 0x0a000bb9;
		if (k != 10 && k != 1500)
			h1[n++] = 0x0a000000 + 2 * (uint32_t)k;
	}
	assert_int_equal(n, BIG + 1);
	/* intervals [0b000000 + 8k, +4): from descending; to with k = 700
	 * grown to +6 */
	for (int k = 0; k < BIG; k++) {
		uint32_t s0 = 0x0b000000 + 8 * (uint32_t)k;

		p0[2 * (BIG - 1 - k)] = (s0 + 4) | 0x80000000u;
		p0[2 * (BIG - 1 - k) + 1] = s0;
		p1[2 * k] = s0;
		p1[2 * k + 1] = (s0 + (k == 700 ? 6 : 4)) | 0x80000000u;
	}
	{
		const struct bigset from[] = {{"h", false, h0, BIG},
					      {"p", true, p0, 2 * BIG}};
		const struct bigset to[] = {{"h", false, h1, BIG + 1},
					    {"p", true, p1, 2 * BIG}};

		big_state(from, 2, &a);
		big_state(to, 2, &b);
	}
	shared = shared_msgs(&a, &b, &na);
	assert_true(na > 100);
	assert_true(shared >= na - 6);
	assert_int_equal(fwobj_elem_diff(&a, &b, &d, &n), 0);
	diff_text(d, n, got, sizeof(got));
	snprintf(want, sizeof(want),
		 "h: -0a000014 -0a000bb8 +0a000001 +0a000003 +0a000bb9 "
		 "p: -%08x -%08x! +%08x +%08x!",
		 0x0b000000 + 8 * 700, 0x0b000000 + 8 * 700 + 4,
		 0x0b000000 + 8 * 700, 0x0b000000 + 8 * 700 + 6);
	assert_string_equal(got, want);
	fwobj_elem_diff_free(d, n);
	fw_release(&a);
	fw_release(&b);
}

/* A set of keys (hex, "!" for an end) as nft.c reads one. */
static struct nftnl_set *set_of(const char *const *keys)
{
	struct nftnl_set *s = nftnl_set_alloc();

	nftnl_set_set_str(s, NFTNL_SET_NAME, "x");
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 4);
	for (int k = 0; keys[k]; k++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();
		uint32_t key = (uint32_t)strtoul(keys[k], NULL, 16);
		uint8_t b[4] = {(uint8_t)(key >> 24), (uint8_t)(key >> 16),
				(uint8_t)(key >> 8), (uint8_t)key};

		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, b, 4);
		if (strchr(keys[k], '!'))
			nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS,
					       NFT_SET_ELEM_INTERVAL_END);
		nftnl_set_elem_add(s, e);
	}
	return s;
}

static void test_repeat(void **state)
{
	static const char *const fine[] = {"0a000001", "0a000003", "0a000002",
					   NULL};
	static const char *const twice[] = {"0a000001", "0a000003", "0a000002",
					    "0a000003", NULL};
	static const char *const ends[] = {"0a000000", "0a000100!", "0a000100",
					   "0a000200!", NULL};
	static const char *const none[] = {NULL};
	struct nftnl_set *s;

	(void)state;
	s = set_of(fine);
	assert_false(fwobj_set_has_repeat(s));
	nftnl_set_free(s);
	s = set_of(twice);
	assert_true(fwobj_set_has_repeat(s));
	nftnl_set_free(s);
	s = set_of(ends);
	assert_false(fwobj_set_has_repeat(s));
	nftnl_set_free(s);
	s = set_of(none);
	assert_false(fwobj_set_has_repeat(s));
	nftnl_set_free(s);
}

static void free_lines(char **l, int n)
{
	for (int i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void test_lines(void **state)
{
	struct fwstate a = {.present = true, .canon = "r 3\nr 1\ne x\nr 2\nr 1\n"};
	struct fwstate b = {.present = true, .canon = "r 2\ne x y\nr 4\n"};
	struct fwstate gone = {.present = false, .canon = "r 2\n"};
	char **l;
	int n;

	(void)state;
	n = fw_diff_lines(&a, &b, &l);
	assert_int_equal(n, 4); /* a's order, a repeated line twice */
	assert_string_equal(l[0], "r 3");
	assert_string_equal(l[1], "r 1");
	assert_string_equal(l[2], "e x");
	assert_string_equal(l[3], "r 1");
	free_lines(l, n);
	n = fw_diff_lines(&b, &a, &l);
	assert_int_equal(n, 2);
	assert_string_equal(l[0], "e x y");
	assert_string_equal(l[1], "r 4");
	free_lines(l, n);
	/* an absent table has no lines, whatever its text */
	n = fw_diff_lines(&b, &gone, &l);
	assert_int_equal(n, 3);
	free_lines(l, n);
	assert_int_equal(fw_diff_lines(&gone, &b, &l), 0);
	assert_null(l);
	assert_int_equal(fw_diff_lines(NULL, NULL, &l), 0);
	/* a last line without its newline is a line */
	b.canon = "r 2\nr 4";
	n = fw_diff_lines(&b, &a, &l);
	assert_int_equal(n, 1);
	assert_string_equal(l[0], "r 4");
	free_lines(l, n);
}

/* 100,010 element lines against 100,000 of them: the ten new ones. */
static void test_lines_big(void **state)
{
	enum { N = 100000 };
	size_t cap = (N + 10) * 32;
	char *x = malloc(cap), *y = malloc(cap);
	size_t lx = 0, ly = 0;
	struct fwstate a = {.present = true, .canon = x};
	struct fwstate b = {.present = true, .canon = y};
	char **l, want[32];
	int n;

	(void)state;
	assert_non_null(x);
	assert_non_null(y);
	for (int i = N + 9; i >= 0; i--) {
		lx += (size_t)snprintf(x + lx, cap - lx, "e noc 100.%d.%d.%d\n",
				       i >> 16, (i >> 8) & 255, i & 255);
		if (i < N)
			ly += (size_t)snprintf(y + ly, cap - ly,
					       "e noc 100.%d.%d.%d\n", i >> 16,
					       (i >> 8) & 255, i & 255);
	}
	n = fw_diff_lines(&a, &b, &l);
	assert_int_equal(n, 10);
	for (int k = 0; k < 10; k++) {
		int i = N + 9 - k;

		snprintf(want, sizeof(want), "e noc 100.%d.%d.%d", i >> 16,
			 (i >> 8) & 255, i & 255);
		assert_string_equal(l[k], want);
	}
	free_lines(l, n);
	assert_int_equal(fw_diff_lines(&b, &a, &l), 0);
	free(l);
	free(x);
	free(y);
}

int main(void)
{
	struct CMUnitTest t[sizeof(rows) / sizeof(rows[0]) + 5];
	size_t n = sizeof(rows) / sizeof(rows[0]);

	for (size_t i = 0; i < n; i++)
		t[i] = (struct CMUnitTest){rows[i].name, test_row, NULL, NULL,
					   (void *)&rows[i]};
	t[n] = (struct CMUnitTest){"every truncation refused", test_truncated,
				   NULL, NULL, NULL};
	t[n + 1] = (struct CMUnitTest){"thousands of elements, a few changed",
				       test_big, NULL, NULL, NULL};
	t[n + 2] = (struct CMUnitTest){"a set read with an element twice",
				       test_repeat, NULL, NULL, NULL};
	t[n + 3] = (struct CMUnitTest){"the plan's lines", test_lines, NULL,
				       NULL, NULL};
	t[n + 4] = (struct CMUnitTest){"the plan's lines of 100,000 elements",
				       test_lines_big, NULL, NULL, NULL};
	return cmocka_run_group_tests_name("fwobj_elem_diff", t, NULL, NULL);
}
