// SPDX-License-Identifier: BSD-2-Clause
/*
 * Shape of firewall state messages; see fwcheck.h.  One table per object
 * and per expression (attribute, what it must be), taken from what
 * libnftnl 1.2 validates when it parses: an attribute a table does not
 * name is refused, so is an expression egnet does not use (fw.c).
 */
#include "agent/fw/fwcheck.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum fa_kind {
	FA_END,
	FA_U8,
	FA_U16,
	FA_U32,
	FA_U64,
	FA_STR,	  /* NUL-terminated, not empty */
	FA_BIN,	  /* any bytes */
	FA_NEST,  /* nested attributes of the table nest */
	FA_DATA,  /* a data register: value or verdict */
	FA_LIST,  /* nested, every entry a nest of the table nest */
	FA_EXPRS, /* a rule's expressions */
};

struct fa {
	uint16_t type;
	uint8_t kind;
	bool required;
	const struct fa *nest;
};

#define END {0, FA_END, false, NULL}

static const struct fa verdict_t[] = {
	{NFTA_VERDICT_CODE, FA_U32, true, NULL},
	{NFTA_VERDICT_CHAIN, FA_STR, false, NULL},
	{NFTA_VERDICT_CHAIN_ID, FA_U32, false, NULL},
	END,
};

static const struct fa hook_t[] = {
	{NFTA_HOOK_HOOKNUM, FA_U32, false, NULL},
	{NFTA_HOOK_PRIORITY, FA_U32, false, NULL},
	{NFTA_HOOK_DEV, FA_STR, false, NULL},
	END,
};

static const struct fa counters_t[] = {
	{NFTA_COUNTER_BYTES, FA_U64, false, NULL},
	{NFTA_COUNTER_PACKETS, FA_U64, false, NULL},
	{NFTA_COUNTER_PAD, FA_BIN, false, NULL},
	END,
};

static const struct fa chain_t[] = {
	{NFTA_CHAIN_TABLE, FA_STR, true, NULL},
	{NFTA_CHAIN_NAME, FA_STR, true, NULL},
	{NFTA_CHAIN_TYPE, FA_STR, false, NULL},
	{NFTA_CHAIN_HOOK, FA_NEST, false, hook_t},
	{NFTA_CHAIN_COUNTERS, FA_NEST, false, counters_t},
	{NFTA_CHAIN_POLICY, FA_U32, false, NULL},
	{NFTA_CHAIN_USE, FA_U32, false, NULL},
	{NFTA_CHAIN_FLAGS, FA_U32, false, NULL},
	{NFTA_CHAIN_ID, FA_U32, false, NULL},
	{NFTA_CHAIN_HANDLE, FA_U64, false, NULL},
	{NFTA_CHAIN_USERDATA, FA_BIN, false, NULL},
	{NFTA_CHAIN_PAD, FA_BIN, false, NULL},
	END,
};

static const struct fa set_desc_t[] = {
	{NFTA_SET_DESC_SIZE, FA_U32, false, NULL},
	END,
};

static const struct fa set_t[] = {
	{NFTA_SET_TABLE, FA_STR, true, NULL},
	{NFTA_SET_NAME, FA_STR, true, NULL},
	{NFTA_SET_HANDLE, FA_U64, false, NULL},
	{NFTA_SET_FLAGS, FA_U32, false, NULL},
	{NFTA_SET_KEY_TYPE, FA_U32, false, NULL},
	{NFTA_SET_KEY_LEN, FA_U32, false, NULL},
	{NFTA_SET_DATA_TYPE, FA_U32, false, NULL},
	{NFTA_SET_DATA_LEN, FA_U32, false, NULL},
	{NFTA_SET_ID, FA_U32, false, NULL},
	{NFTA_SET_POLICY, FA_U32, false, NULL},
	{NFTA_SET_GC_INTERVAL, FA_U32, false, NULL},
	{NFTA_SET_OBJ_TYPE, FA_U32, false, NULL},
	{NFTA_SET_TIMEOUT, FA_U64, false, NULL},
	{NFTA_SET_USERDATA, FA_BIN, false, NULL},
	{NFTA_SET_DESC, FA_NEST, false, set_desc_t},
	{NFTA_SET_PAD, FA_BIN, false, NULL},
	END,
};

static const struct fa elem_t[] = {
	{NFTA_SET_ELEM_KEY, FA_DATA, true, NULL},
	{NFTA_SET_ELEM_KEY_END, FA_DATA, false, NULL},
	{NFTA_SET_ELEM_DATA, FA_DATA, false, NULL},
	{NFTA_SET_ELEM_FLAGS, FA_U32, false, NULL},
	{NFTA_SET_ELEM_TIMEOUT, FA_U64, false, NULL},
	{NFTA_SET_ELEM_EXPIRATION, FA_U64, false, NULL},
	{NFTA_SET_ELEM_USERDATA, FA_BIN, false, NULL},
	{NFTA_SET_ELEM_PAD, FA_BIN, false, NULL},
	END,
};

static const struct fa elems_t[] = {
	{NFTA_SET_ELEM_LIST_TABLE, FA_STR, true, NULL},
	{NFTA_SET_ELEM_LIST_SET, FA_STR, true, NULL},
	{NFTA_SET_ELEM_LIST_ELEMENTS, FA_LIST, false, elem_t},
	{NFTA_SET_ELEM_LIST_SET_ID, FA_U32, false, NULL},
	END,
};

static const struct fa compat_t[] = {
	{NFTA_RULE_COMPAT_PROTO, FA_U32, false, NULL},
	{NFTA_RULE_COMPAT_FLAGS, FA_U32, false, NULL},
	END,
};

static const struct fa rule_t[] = {
	{NFTA_RULE_TABLE, FA_STR, true, NULL},
	{NFTA_RULE_CHAIN, FA_STR, true, NULL},
	{NFTA_RULE_HANDLE, FA_U64, false, NULL},
	{NFTA_RULE_POSITION, FA_U64, false, NULL},
	{NFTA_RULE_ID, FA_U32, false, NULL},
	{NFTA_RULE_POSITION_ID, FA_U32, false, NULL},
	{NFTA_RULE_USERDATA, FA_BIN, false, NULL},
	{NFTA_RULE_COMPAT, FA_NEST, false, compat_t},
	{NFTA_RULE_EXPRESSIONS, FA_EXPRS, false, NULL},
	{NFTA_RULE_PAD, FA_BIN, false, NULL},
	END,
};

/* ---- expressions: the ones fw.c builds ---- */

static const struct fa cmp_t[] = {
	{NFTA_CMP_SREG, FA_U32, false, NULL},
	{NFTA_CMP_OP, FA_U32, false, NULL},
	{NFTA_CMP_DATA, FA_DATA, false, NULL},
	END,
};

static const struct fa ct_t[] = {
	{NFTA_CT_KEY, FA_U32, false, NULL},
	{NFTA_CT_DREG, FA_U32, false, NULL},
	{NFTA_CT_SREG, FA_U32, false, NULL},
	{NFTA_CT_DIRECTION, FA_U8, false, NULL},
	END,
};

static const struct fa immediate_t[] = {
	{NFTA_IMMEDIATE_DREG, FA_U32, false, NULL},
	{NFTA_IMMEDIATE_DATA, FA_DATA, false, NULL},
	END,
};

static const struct fa limit_t[] = {
	{NFTA_LIMIT_RATE, FA_U64, false, NULL},
	{NFTA_LIMIT_UNIT, FA_U64, false, NULL},
	{NFTA_LIMIT_BURST, FA_U32, false, NULL},
	{NFTA_LIMIT_TYPE, FA_U32, false, NULL},
	{NFTA_LIMIT_FLAGS, FA_U32, false, NULL},
	{NFTA_LIMIT_PAD, FA_BIN, false, NULL},
	END,
};

static const struct fa log_t[] = {
	{NFTA_LOG_PREFIX, FA_STR, false, NULL},
	{NFTA_LOG_GROUP, FA_U16, false, NULL},
	{NFTA_LOG_QTHRESHOLD, FA_U16, false, NULL},
	{NFTA_LOG_SNAPLEN, FA_U32, false, NULL},
	{NFTA_LOG_LEVEL, FA_U32, false, NULL},
	{NFTA_LOG_FLAGS, FA_U32, false, NULL},
	END,
};

static const struct fa lookup_t[] = {
	{NFTA_LOOKUP_SET, FA_STR, false, NULL},
	{NFTA_LOOKUP_SREG, FA_U32, false, NULL},
	{NFTA_LOOKUP_DREG, FA_U32, false, NULL},
	{NFTA_LOOKUP_SET_ID, FA_U32, false, NULL},
	{NFTA_LOOKUP_FLAGS, FA_U32, false, NULL},
	END,
};

static const struct fa meta_t[] = {
	{NFTA_META_KEY, FA_U32, false, NULL},
	{NFTA_META_DREG, FA_U32, false, NULL},
	{NFTA_META_SREG, FA_U32, false, NULL},
	END,
};

static const struct fa payload_t[] = {
	{NFTA_PAYLOAD_SREG, FA_U32, false, NULL},
	{NFTA_PAYLOAD_DREG, FA_U32, false, NULL},
	{NFTA_PAYLOAD_BASE, FA_U32, false, NULL},
	{NFTA_PAYLOAD_OFFSET, FA_U32, false, NULL},
	{NFTA_PAYLOAD_LEN, FA_U32, false, NULL},
	{NFTA_PAYLOAD_CSUM_TYPE, FA_U32, false, NULL},
	{NFTA_PAYLOAD_CSUM_OFFSET, FA_U32, false, NULL},
	{NFTA_PAYLOAD_CSUM_FLAGS, FA_U32, false, NULL},
	END,
};

static const struct fa range_t[] = {
	{NFTA_RANGE_SREG, FA_U32, false, NULL},
	{NFTA_RANGE_OP, FA_U32, false, NULL},
	{NFTA_RANGE_FROM_DATA, FA_DATA, false, NULL},
	{NFTA_RANGE_TO_DATA, FA_DATA, false, NULL},
	END,
};

static const struct {
	const char *name;
	const struct fa *t;
} exprs[] = {
	{"cmp", cmp_t},		{"counter", counters_t}, {"ct", ct_t},
	{"immediate", immediate_t}, {"limit", limit_t},	 {"log", log_t},
	{"lookup", lookup_t},	{"meta", meta_t},	 {"payload", payload_t},
	{"range", range_t},
};

static int check_attrs(const struct nlattr *first, size_t len,
		       const struct fa *t, int depth, char *err,
		       size_t errlen);

#define BAD(...)                                                               \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EINVAL;                                                \
	} while (0)

/* The attributes inside a (the nested ones), whole, to its end. */
static int check_nested(const struct nlattr *a, const struct fa *t, int depth,
			char *err, size_t errlen)
{
	return check_attrs(mnl_attr_get_payload(a),
			   mnl_attr_get_payload_len(a), t, depth + 1, err,
			   errlen);
}

static int check_data(const struct nlattr *a, int depth, char *err,
		      size_t errlen)
{
	const struct nlattr *v;
	int n = 0, rc;

	if ((rc = check_attrs(mnl_attr_get_payload(a),
			      mnl_attr_get_payload_len(a), NULL, depth + 1, err,
			      errlen)))
		return rc;
	mnl_attr_for_each_nested(v, a)
	{
		n++;
		if (mnl_attr_get_type(v) == NFTA_DATA_VALUE) {
			/* libnftnl keeps up to 64 bytes (NFT_DATA_VALUE_MAXLEN) */
			if (mnl_attr_get_payload_len(v) < 1 ||
			    mnl_attr_get_payload_len(v) > 64)
				BAD("a data value of %u bytes",
				    mnl_attr_get_payload_len(v));
		} else if (mnl_attr_get_type(v) == NFTA_DATA_VERDICT) {
			if ((rc = check_nested(v, verdict_t, depth + 1, err,
					       errlen)))
				return rc;
		} else {
			BAD("data attribute %u", mnl_attr_get_type(v));
		}
	}
	if (n != 1)
		BAD("data with %d parts", n);
	return 0;
}

/* An expression: its name first, then its data by the name's table. */
static int check_expr(const struct nlattr *e, int depth, char *err,
		      size_t errlen)
{
	static const struct fa expr_t[] = {
		{NFTA_EXPR_NAME, FA_STR, true, NULL},
		{NFTA_EXPR_DATA, FA_BIN, false, NULL},
		END,
	};
	const struct nlattr *a, *data = NULL;
	const struct fa *t = NULL;
	const char *name = NULL;
	int rc;

	if ((rc = check_nested(e, expr_t, depth, err, errlen)))
		return rc;
	mnl_attr_for_each_nested(a, e)
	{
		if (mnl_attr_get_type(a) == NFTA_EXPR_NAME)
			name = mnl_attr_get_str(a);
		else
			data = a;
	}
	for (size_t i = 0; name && i < sizeof(exprs) / sizeof(exprs[0]); i++)
		if (!strcmp(exprs[i].name, name))
			t = exprs[i].t;
	if (!t)
		BAD("expression '%.20s' is none of ours", name);
	return data ? check_nested(data, t, depth, err, errlen) : 0;
}

static int check_one(const struct nlattr *a, const struct fa *f, int depth,
		     char *err, size_t errlen)
{
	static const unsigned fixed[] = {[FA_U8] = 1, [FA_U16] = 2,
					 [FA_U32] = 4, [FA_U64] = 8};
	uint16_t n = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);
	const struct nlattr *x;
	int rc;

	switch (f->kind) {
	case FA_U8:
	case FA_U16:
	case FA_U32:
	case FA_U64:
		if (n != fixed[f->kind])
			BAD("attribute %u of %u bytes, not %u", f->type, n,
			    fixed[f->kind]);
		return 0;
	case FA_STR:
		if (n < 2 || s[n - 1] != '\0' || strlen(s) != (size_t)n - 1)
			BAD("attribute %u is not a string", f->type);
		return 0;
	case FA_BIN:
		return 0;
	case FA_NEST:
		return check_nested(a, f->nest, depth, err, errlen);
	case FA_DATA:
		return check_data(a, depth, err, errlen);
	case FA_LIST:
	case FA_EXPRS:
		/* entries of any number (libnftnl numbers set elements
		 * 1, 2, 3...), each a nest */
		if ((rc = check_attrs(mnl_attr_get_payload(a), n, NULL,
				      depth + 1, err, errlen)))
			return rc;
		mnl_attr_for_each_nested(x, a)
		{
			rc = f->kind == FA_LIST
				     ? check_nested(x, f->nest, depth + 1, err,
						    errlen)
				     : check_expr(x, depth + 1, err, errlen);
			if (rc)
				return rc;
		}
		return 0;
	}
	BAD("attribute %u", f->type);
}

/*
 * Attributes from first, exactly filling len bytes, none twice; with a
 * table t, each one of t's in its shape and t's required ones there;
 * without, only their framing.
 */
static int check_attrs(const struct nlattr *first, size_t len,
		       const struct fa *t, int depth, char *err, size_t errlen)
{
	uint64_t seen = 0;
	size_t off = 0;
	int rc;

	if (depth > 8)
		BAD("attributes nested too deep");
	while (off < len) {
		const struct nlattr *a = (const void *)((const char *)first + off);
		const struct fa *f = NULL;

		if (len - off < sizeof(*a) || a->nla_len < sizeof(*a) ||
		    a->nla_len > len - off)
			BAD("an attribute cut short");
		off += MNL_ALIGN(a->nla_len);
		if (!t)
			continue;
		for (f = t; f->kind != FA_END; f++)
			if (f->type == mnl_attr_get_type(a))
				break;
		if (f->kind == FA_END)
			BAD("attribute %u is none of ours",
			    mnl_attr_get_type(a));
		if (f->type < 64 && (seen & (1ULL << f->type)))
			BAD("attribute %u twice", f->type);
		seen |= 1ULL << (f->type & 63);
		if ((rc = check_one(a, f, depth, err, errlen)))
			return rc;
	}
	for (const struct fa *f = t; f && f->kind != FA_END; f++)
		if (f->required && !(seen & (1ULL << (f->type & 63))))
			BAD("attribute %u missing", f->type);
	return 0;
}

int fwcheck_msgs(const uint8_t *p, size_t len, char *err, size_t errlen)
{
	const size_t hl = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	char e[160];

	for (size_t off = 0; off < len;) {
		const struct nlmsghdr *h = (const void *)(p + off);
		const struct fa *t = NULL;
		int type;

		if (len - off < sizeof(*h) || h->nlmsg_len < hl ||
		    h->nlmsg_len > FWCHECK_MSG_MAX ||
		    NLMSG_ALIGN(h->nlmsg_len) > len - off ||
		    (h->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES) {
			snprintf(err, errlen, "message at byte %zu: not a "
				 "whole nftables message of at most %d bytes",
				 off, FWCHECK_MSG_MAX);
			return -EINVAL;
		}
		type = h->nlmsg_type & 0xff;
		if (type == NFT_MSG_NEWCHAIN)
			t = chain_t;
		else if (type == NFT_MSG_NEWSET)
			t = set_t;
		else if (type == NFT_MSG_NEWSETELEM)
			t = elems_t;
		else if (type == NFT_MSG_NEWRULE)
			t = rule_t;
		if (!t) {
			snprintf(err, errlen, "message at byte %zu: type %d is "
				 "not a chain, set, element or rule", off, type);
			return -EINVAL;
		}
		if (check_attrs((const void *)(p + off + hl),
				h->nlmsg_len - hl, t, 0, e, sizeof(e))) {
			snprintf(err, errlen, "message at byte %zu: %s", off, e);
			return -EINVAL;
		}
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return 0;
}
