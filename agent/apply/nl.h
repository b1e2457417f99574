/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Netlink for the apply engine: one libnl route socket with extended acks,
 * and a batch that sends many prepared requests per sendmsg() and matches
 * the kernel's acks to them by sequence number, so a plan of 100,000 routes
 * costs a few hundred system calls instead of 200,000.
 */
#ifndef EGNET_NL_H
#define EGNET_NL_H

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stddef.h>

struct nlctx {
	struct nl_sock *sk;	/* requests and dumps */
	unsigned long writes;	/* requests sent (for tests: zero on no-op) */
	size_t max_batch;	/* requests per datagram whose acks fit */
	size_t max_bytes;	/* bytes per datagram the send buffer takes */
	uint32_t seq;		/* batches' sequence numbers */
};

int nlctx_open(struct nlctx *nl, char *err, size_t errlen);
void nlctx_close(struct nlctx *nl);

/* One request's outcome: 0, or the kernel's -errno and its message. */
struct nl_result {
	int err;
	char msg[128]; /* extended ack text, "" when none */
};

/*
 * Send msgs[0..n) (each built with a *_build_*_request function; NLM_F_ACK
 * is added here) in as few sendmsg() calls as fit, and fill res[i] for
 * every message.  The kernel goes on after a failed request, so every
 * message has its own result.  Returns 0 when all succeeded, the first
 * failure's -errno otherwise, or a negative errno for a socket failure (then
 * results of unsent messages are -ECANCELED).  Does not free msgs.
 */
int nl_batch(struct nlctx *nl, struct nl_msg **msgs, size_t n,
	     struct nl_result *res);

/*
 * The answer of an NLMSG_ERROR message h, whose nlmsg_len the caller has
 * checked to lie inside what was received (NLMSG_OK, mnl_nlmsg_ok): the
 * kernel's error (0 for an ack, -errno) with its extended-ack text, if
 * any, in out ("" when none; out may be NULL when len is 0).  Every
 * length inside h is checked against h->nlmsg_len.  -EBADMSG when h is
 * not an error message, is too short for one, or holds no errno.
 */
int nl_ack_parse(const struct nlmsghdr *h, char *out, size_t len);

/*
 * Dump the kernel's RTM_GETxxx table `type` for `family` on a socket of its
 * own and call fn for every answer message, the header checked to lie
 * inside what was received.  For objects libnl cannot parse (its failure in
 * the middle of a dump would leave the rest in the shared socket).
 * Returns 0 or -errno.
 */
typedef void (*nl_rawdump_fn)(const struct nlmsghdr *h, void *arg);
int nl_rawdump(int type, unsigned char family, size_t hdrlen, nl_rawdump_fn fn,
	    void *arg);

#endif
