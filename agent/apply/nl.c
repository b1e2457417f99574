// SPDX-License-Identifier: BSD-2-Clause
/*
 * Netlink socket and batched requests.  Requests are built by libnl; this
 * file only packs them into datagrams, sends them on libnl's socket and
 * reads the acks itself, because libnl sends one request per datagram and
 * waits for each ack.
 */
#include "agent/apply/nl.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/route/rtnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "common/log.h"

#define BATCH_BYTES (128 * 1024) /* per sendmsg: acks for it fit rcvbuf */
#define RCVBUF	    (4 * 1024 * 1024)

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

/*
 * Every ack is an skb of its own (about 1 KiB of receive buffer each), and
 * all acks of a datagram are queued before we read any: size the buffer,
 * then cap the messages per datagram to what it holds.
 */
static void set_rcvbuf(struct nlctx *nl)
{
	int fd = nl_socket_get_fd(nl->sk), v = RCVBUF;
	socklen_t len = sizeof(v);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) < 0)
		v = 212992;
	nl->max_batch = (size_t)v / 1536;
	/* libnl leaves 32 KiB of send buffer: a datagram must fit in it */
	v = 2 * BATCH_BYTES;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &len) < 0)
		v = 65536;
	nl->max_bytes = (size_t)v / 2 > BATCH_BYTES ? BATCH_BYTES
						    : (size_t)v / 2 - 1024;
	if (nl->max_batch < 16)
		nl->max_batch = 16;
	if (nl->max_batch > IOV_MAX)
		nl->max_batch = IOV_MAX;
}

int nlctx_open(struct nlctx *nl, char *err, size_t errlen)
{
	int one = 1, rc;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		snprintf(err, errlen, "cannot allocate a netlink socket");
		return -ENOMEM;
	}
	rc = nl_connect(nl->sk, NETLINK_ROUTE);
	if (rc < 0) {
		snprintf(err, errlen, "netlink: %s", nl_geterror(rc));
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return -EIO;
	}
	/* Kernel error strings reach the user; acks stay small. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	set_rcvbuf(nl);
	nl->seq = 0x80000000u;
	/* libnl allocates a page per message by default: ours are small */
	nlmsg_set_default_size(512);
	return 0;
}

void nlctx_close(struct nlctx *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

int nl_ack_parse(const struct nlmsghdr *h, char *out, size_t len)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off, end = h->nlmsg_len;

	if (len)
		out[0] = '\0';
	if (h->nlmsg_type != NLMSG_ERROR || end < NLMSG_LENGTH(sizeof(*e)))
		return -EBADMSG;
	if (e->error > 0 || e->error < -4095)
		return -EBADMSG;
	if (!e->error || !len || !(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return e->error;
	/* the TLVs follow the error and, unless capped, the whole request
	 * it answers: both lengths are the sender's word, checked here */
	off = NLMSG_LENGTH(sizeof(*e));
	if (!(h->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN ||
		    e->msg.nlmsg_len - NLMSG_HDRLEN > end - off)
			return e->error;
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	off = NLMSG_ALIGN(off);
	while (off <= end && end - off >= sizeof(struct nlattr)) {
		const struct nlattr *a = (const void *)((const char *)h + off);

		if (a->nla_len < sizeof(*a) || a->nla_len > end - off)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			size_t n = a->nla_len - sizeof(*a);

			if (n >= len)
				n = len - 1;
			memcpy(out, (const char *)a + sizeof(*a), n);
			out[n] = '\0';
			out[strcspn(out, "\n")] = '\0';
			break;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return e->error;
}

/*
 * Read the answers to a datagram of n requests numbered from `first`: an
 * error for any that failed, and the ack of the last one, which comes
 * after all the others were handled.  Requests without an answer
 * succeeded.
 */
static int read_acks(struct nlctx *nl, uint32_t first, size_t n,
		     struct nl_result *res, size_t base)
{
	static char buf[64 * 1024];
	int fd = nl_socket_get_fd(nl->sk);
	bool last = false;

	for (size_t k = 0; k < n; k++)
		res[base + k].err = 0;
	while (!last) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;
		size_t len;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (size_t)got;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			uint32_t i = h->nlmsg_seq - first;
			int rc;

			if (h->nlmsg_type != NLMSG_ERROR || i >= n)
				continue; /* not an answer to this batch */
			rc = nl_ack_parse(h, res[base + i].msg,
					  sizeof(res[base + i].msg));
			if (rc == -EBADMSG)
				return -EPROTO;
			res[base + i].err = rc;
			if (i == n - 1)
				last = true;
		}
	}
	return 0;
}

int nl_batch(struct nlctx *nl, struct nl_msg **msgs, size_t n,
	     struct nl_result *res)
{
	int fd = nl_socket_get_fd(nl->sk), first_err = 0;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct iovec *iov = xcalloc(n ? n : 1, sizeof(*iov));
	size_t i = 0;
	int rc = 0;

	for (size_t k = 0; k < n; k++) {
		res[k].err = -ECANCELED;
		res[k].msg[0] = '\0';
	}
	while (i < n) {
		size_t start = i, bytes = 0, cnt;
		/* our own numbers: libnl's counter must stay in step with
		 * what it expects for its dumps */
		uint32_t seq0 = nl->seq;
		struct msghdr mh = {.msg_name = &kernel,
				    .msg_namelen = sizeof(kernel)};
		ssize_t sent;

		/* Sequence numbers: seq0, seq0+1, ... for this datagram. */
		for (; i < n && (i == start ||
				 bytes + NLMSG_ALIGN(nlmsg_hdr(msgs[i])->nlmsg_len) <=
					 nl->max_bytes) &&
		       i - start < nl->max_batch;
		     i++) {
			struct nlmsghdr *h = nlmsg_hdr(msgs[i]);

			/* Only the datagram's last request asks for an ack:
			 * the kernel answers the others only when they fail,
			 * and handles a datagram's requests in order, so the
			 * last ack means all are done. */
			h->nlmsg_flags |= NLM_F_REQUEST;
			h->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
			h->nlmsg_seq = seq0 + (uint32_t)(i - start);
			h->nlmsg_pid = 0;
			iov[i].iov_base = h;
			iov[i].iov_len = NLMSG_ALIGN(h->nlmsg_len);
			bytes += iov[i].iov_len;
		}
		cnt = i - start;
		nlmsg_hdr(msgs[i - 1])->nlmsg_flags |= NLM_F_ACK;
		nl->seq += (uint32_t)cnt;
		mh.msg_iov = &iov[start];
		mh.msg_iovlen = cnt;
		do {
			sent = sendmsg(fd, &mh, 0);
		} while (sent < 0 && errno == EINTR);
		if (sent < 0) {
			rc = -errno;
			break;
		}
		nl->writes += cnt;
		rc = read_acks(nl, seq0, cnt, res, start);
		if (rc)
			break;
	}
	free(iov);
	if (rc)
		return rc;
	for (size_t k = 0; k < n && !first_err; k++)
		first_err = res[k].err;
	return first_err;
}

int nl_rawdump(int type, unsigned char family, size_t hdrlen, nl_rawdump_fn fn,
	    void *arg)
{
	struct {
		struct nlmsghdr h;
		char body[64];
	} req;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	static char buf[64 * 1024];
	int fd, rc = 0;
	bool done = false;

	if (hdrlen > sizeof(req.body))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = (uint32_t)NLMSG_LENGTH(hdrlen);
	req.h.nlmsg_type = (uint16_t)type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	req.body[0] = (char)family; /* every rtnetlink header starts so */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		rc = -errno;
		goto out;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		size_t len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EPROTO;
			break;
		}
		len = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
		     NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				rc = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e))
					     ? e->error
					     : -EPROTO;
				done = true;
				break;
			}
			if (h->nlmsg_len >= NLMSG_LENGTH(hdrlen))
				fn(h, arg);
		}
	}
out:
	close(fd);
	return rc;
}
