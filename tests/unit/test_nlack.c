// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of nl_ack_parse() (agent/nl.h), the one reader of netlink
 * error answers and their extended-ack text, used by the route batches
 * (nl.c) and the nftables transactions (nft.c).  Every message is built in
 * a heap block of exactly its nlmsg_len bytes, so a read past it is a
 * valgrind error: truncated answers, an echoed request longer than the
 * answer, attributes that run past the end or claim less than their own
 * header, text without its NUL, and not-an-error messages.
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

#include "agent/apply/nl.h"

#include <linux/netlink.h>

#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

/* An answer: header, error, `echo` bytes of echoed request (its header's
 * length field says `echo_len`), then raw TLV bytes; cut to `cut` bytes
 * when non-zero. */
struct ack {
	const char *name;
	uint16_t type, flags;
	int error;
	uint32_t echo, echo_len;
	const uint8_t *tlv;
	size_t tlv_n;
	size_t cut;
	int want_rc;
	const char *want_msg;
	size_t out_len;
};

/* TLV helpers: NLMSGERR_ATTR_MSG (1) "bad\nrest\0" and others */
static const uint8_t tlv_msg[] = {14, 0, 1, 0, 'b', 'a', 'd', ' ', 'x', '\n',
				  'r', 's', 't', 0, 0, 0};
static const uint8_t tlv_nonul[] = {12, 0, 1, 0, 'a', 'b', 'c', 'd',
				    'e', 'f', 'g', 'h'};
static const uint8_t tlv_long[] = {200, 0, 1, 0, 'x', 'y', 'z', 0};
static const uint8_t tlv_short[] = {2, 0, 1, 0, 'x', 0, 0, 0};
static const uint8_t tlv_other_then_msg[] = {8, 0, 2, 0, 1, 2, 3, 4,
					     8, 0, 1, 0, 'o', 'k', 0, 0};
static const uint8_t tlv_stub[] = {8, 0};

static const struct ack rows[] = {
	{"plain ack", NLMSG_ERROR, 0, 0, 16, 16, NULL, 0, 0, 0, "", 64},
	{"error without text", NLMSG_ERROR, 0, -ENOENT, 16, 16, NULL, 0, 0,
	 -ENOENT, "", 64},
	{"capped, text to the newline", NLMSG_ERROR,
	 NLM_F_CAPPED | NLM_F_ACK_TLVS, -EINVAL, 16, 16, tlv_msg,
	 sizeof(tlv_msg), 0, -EINVAL, "bad x", 64},
	{"echoed request, then text", NLMSG_ERROR, NLM_F_ACK_TLVS, -EINVAL,
	 24, 24, tlv_msg, sizeof(tlv_msg), 0, -EINVAL, "bad x", 64},
	{"echo longer than the answer", NLMSG_ERROR, NLM_F_ACK_TLVS, -EINVAL,
	 16, 0xffffffffu, tlv_msg, sizeof(tlv_msg), 0, -EINVAL, "", 64},
	{"echo past the text", NLMSG_ERROR, NLM_F_ACK_TLVS, -EINVAL, 16, 48,
	 tlv_msg, sizeof(tlv_msg), 0, -EINVAL, "", 64},
	{"echo shorter than a header", NLMSG_ERROR, NLM_F_ACK_TLVS, -EINVAL,
	 16, 3, tlv_msg, sizeof(tlv_msg), 0, -EINVAL, "", 64},
	{"text without NUL", NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS,
	 -EPERM, 16, 16, tlv_nonul, sizeof(tlv_nonul), 0, -EPERM, "abcdefgh",
	 64},
	{"text cut to the buffer", NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS,
	 -EPERM, 16, 16, tlv_nonul, sizeof(tlv_nonul), 0, -EPERM, "abc", 4},
	{"attribute past the end", NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS,
	 -EINVAL, 16, 16, tlv_long, sizeof(tlv_long), 0, -EINVAL, "", 64},
	{"attribute shorter than its header", NLMSG_ERROR,
	 NLM_F_CAPPED | NLM_F_ACK_TLVS, -EINVAL, 16, 16, tlv_short,
	 sizeof(tlv_short), 0, -EINVAL, "", 64},
	{"half an attribute header", NLMSG_ERROR,
	 NLM_F_CAPPED | NLM_F_ACK_TLVS, -EINVAL, 16, 16, tlv_stub,
	 sizeof(tlv_stub), 0, -EINVAL, "", 64},
	{"another attribute first", NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS,
	 -EBUSY, 16, 16, tlv_other_then_msg, sizeof(tlv_other_then_msg), 0,
	 -EBUSY, "ok", 64},
	{"text cut off by the length", NLMSG_ERROR,
	 NLM_F_CAPPED | NLM_F_ACK_TLVS, -EINVAL, 16, 16, tlv_msg,
	 sizeof(tlv_msg), 16 + 20 + 8, -EINVAL, "", 64},
	{"truncated error", NLMSG_ERROR, 0, -EINVAL, 16, 16, NULL, 0, 16 + 2,
	 -EBADMSG, "", 64},
	{"header only", NLMSG_ERROR, 0, -EINVAL, 16, 16, NULL, 0, 16,
	 -EBADMSG, "", 64},
	{"not an error message", NLMSG_DONE, 0, 0, 16, 16, NULL, 0, 0,
	 -EBADMSG, "", 64},
	{"positive errno", NLMSG_ERROR, 0, 5, 16, 16, NULL, 0, 0, -EBADMSG,
	 "", 64},
	{"errno out of range", NLMSG_ERROR, 0, -100000, 16, 16, NULL, 0, 0,
	 -EBADMSG, "", 64},
};

static void test_row(void **state)
{
	const struct ack *r = *state;
	size_t full = NLMSG_HDRLEN + sizeof(struct nlmsgerr) - 16 + r->echo +
		      r->tlv_n;
	size_t len = r->cut ? r->cut : full;
	uint8_t *img = calloc(1, full), *msg = malloc(len);
	struct nlmsghdr *h = (struct nlmsghdr *)img;
	struct nlmsgerr *e = NLMSG_DATA(h);
	char out[64];

	h->nlmsg_len = (uint32_t)len;
	h->nlmsg_type = r->type;
	h->nlmsg_flags = r->flags;
	e->error = r->error;
	e->msg.nlmsg_len = r->echo_len;
	if (r->tlv_n)
		memcpy(img + NLMSG_HDRLEN + sizeof(*e) - 16 + r->echo, r->tlv,
		       r->tlv_n);
	memcpy(msg, img, len);
	memset(out, 'Z', sizeof(out));
	assert_int_equal(nl_ack_parse((struct nlmsghdr *)msg, out, r->out_len),
			 r->want_rc);
	assert_string_equal(out, r->want_msg);
	free(img);
	free(msg);
}

int main(void)
{
	struct CMUnitTest t[sizeof(rows) / sizeof(rows[0])];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t[i] = (struct CMUnitTest){rows[i].name, test_row, NULL, NULL,
					   (void *)&rows[i]};
	}
	return cmocka_run_group_tests_name("nl_ack_parse", t, NULL, NULL);
}
