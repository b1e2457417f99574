// SPDX-License-Identifier: BSD-2-Clause
/*
 * nftables through libnftnl and libmnl: the socket, transactions (batches),
 * replacing table inet egnet in one transaction, reading it back, and
 * firewall states in JSON (the incremental update is nft_update.c's).  No
 * other table is ever named in a message we send; a state read from a file
 * is refused unless every one of its messages is for table inet egnet.
 */
#include "agent/fw/fw.h"
/* libnl's headers first: glibc's <netinet/in.h> before <linux/in.h> */
#include "agent/apply/nl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/fw/fwcheck.h"
#include "agent/fw/fwobj.h"
#include "agent/fw/nft_int.h"
#include "agent/sys/failpoint.h"
#include "common/log.h"

/* Reads of a set that keeps coming with an element twice (see read_objs) */
#define NFT_READ_TRIES 50

/* ---- socket ------------------------------------------------------------------ */

/*
 * The process keeps one netfilter socket.  Closing one waits in the kernel
 * (nft_rcv_nl_event flushes the deferred frees) until what the last
 * transaction deleted is released after an RCU grace period, 5-10 ms here
 * whatever the size of the change: on a kept socket that work stays in the
 * kernel's background.  It is opened again when the process is in another
 * network namespace than it was made in, and after any error on it.
 */
static struct {
	struct mnl_socket *nl;
	dev_t ns_dev;
	ino_t ns_ino;  /* the network namespace it talks to */
	size_t sndbuf; /* what its send buffer holds */
	uint32_t seq;  /* the last request number used on it */
} sock;

static int netns_id(dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

/* A send buffer big enough for a transaction of `need` bytes. */
static void sock_sndbuf(size_t need)
{
	int fd = mnl_socket_get_fd(sock.nl);
	int v;

	if (need + (1u << 20) <= sock.sndbuf)
		return;
	v = (int)(need < (1u << 20) ? (1u << 20) : need + (1u << 20));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	sock.sndbuf = (size_t)v;
}

struct mnl_socket *nft_open(size_t sndbuf, char *err, size_t errlen)
{
	char junk[256];
	dev_t dev = 0;
	ino_t ino = 0;
	int v, rc = netns_id(&dev, &ino);

	if (sock.nl && (rc || dev != sock.ns_dev || ino != sock.ns_ino))
		nft_close();
	if (sock.nl) {
		/* what an interrupted exchange left is not the next one's */
		while (recv(mnl_socket_get_fd(sock.nl), junk, sizeof(junk),
			    MSG_DONTWAIT | MSG_TRUNC) >= 0 || errno == ENOBUFS)
			;
		sock_sndbuf(sndbuf);
		return sock.nl;
	}
	sock.nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!sock.nl || mnl_socket_bind(sock.nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "nftables netlink socket: %s",
			 strerror(errno));
		nft_close();
		return NULL;
	}
	sock.ns_dev = dev;
	sock.ns_ino = ino;
	sock.sndbuf = 0;
	sock.seq = (uint32_t)time(NULL) << 8;
	/* a whole transaction goes in one datagram: the buffer must hold it */
	sock_sndbuf(sndbuf);
	v = 8 << 20;
	if (setsockopt(mnl_socket_get_fd(sock.nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &v, sizeof(v)) < 0)
		setsockopt(mnl_socket_get_fd(sock.nl), SOL_SOCKET, SO_RCVBUF, &v,
			   sizeof(v));
	v = 1;
	setsockopt(mnl_socket_get_fd(sock.nl), SOL_NETLINK, NETLINK_EXT_ACK, &v,
		   sizeof(v));
	return sock.nl;
}

void nft_close(void)
{
	if (sock.nl)
		mnl_socket_close(sock.nl);
	memset(&sock, 0, sizeof(sock));
}

/* ---- batches ----------------------------------------------------------------- */

/* Room for a message of up to `need` bytes, zeroed, at the end. */
static char *batch_room(struct nft_batch *b, size_t need)
{
	need += MNL_SOCKET_BUFFER_SIZE;
	if (b->len + need > b->cap) {
		b->cap = (b->len + need) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memset(b->p + b->len, 0, need);
	return b->p + b->len;
}

/* A message header of `type` at the end, numbered, asking for an ack. */
struct nlmsghdr *nft_batch_hdr(struct nft_batch *b, int type,
			       uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(batch_room(b, 0), (uint16_t)type,
				     NFPROTO_INET, flags | NLM_F_ACK,
				     b->seq++);
}

void nft_batch_done(struct nft_batch *b, const struct nlmsghdr *h)
{
	b->len += NLMSG_ALIGN(h->nlmsg_len);
}

void nft_batch_begin(struct nft_batch *b, size_t hint)
{
	memset(b, 0, sizeof(*b));
	b->cap = hint + 8 * 4096;
	b->p = xcalloc(1, b->cap);
	b->seq = b->first = (uint32_t)time(NULL) << 8;
	nftnl_batch_begin(batch_room(b, 0), b->seq++);
	b->len += NLMSG_ALIGN(((struct nlmsghdr *)b->p)->nlmsg_len);
}

/*
 * END, after what the test build's failure point adds: a rule for a chain
 * that does not exist, so the kernel refuses the transaction after
 * everything else in it went through.
 */
void nft_batch_end(struct nft_batch *b)
{
	struct nlmsghdr *h;

	if (failpoint("nft.batch", 0)) {
		struct nftnl_rule *r = nftnl_rule_alloc();

		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, FW_TABLE);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "no-such-chain");
		h = nft_batch_hdr(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
		nftnl_rule_nlmsg_build_payload(h, r);
		nftnl_rule_free(r);
		nft_batch_done(b, h);
	}
	h = (struct nlmsghdr *)batch_room(b, 0);
	nftnl_batch_end((char *)h, b->seq++);
	b->len += NLMSG_ALIGN(h->nlmsg_len);
}

/*
 * Send the transaction and read every answer.  Returns 0 or the first
 * refusal's -errno with the kernel's reason in err.  Frees the batch.
 */
int nft_batch_run(struct nft_batch *b, char *err, size_t errlen)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct mnl_socket *nl = nft_open(b->len, err, errlen);
	int rc = 0, fd;

	if (!nl) {
		free(b->p);
		return -EIO;
	}
	if (mnl_socket_sendto(nl, b->p, b->len) < 0) {
		rc = -errno;
		snprintf(err, errlen, "sending the nftables transaction "
			 "(%zu bytes): %s", b->len, strerror(errno));
		nft_close();
		goto out;
	}
	/* The batch is handled while sendmsg runs: every answer is queued
	 * now.  An error anywhere means the kernel took none of it. */
	fd = mnl_socket_get_fd(nl);
	for (uint32_t acked = 0; acked < b->seq - b->first - 2;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		int left = (int)n;

		if (n < 0)
			break; /* nothing more queued */
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf;
		     mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left)) {
			char why[200];
			int e;

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			acked++;
			e = nl_ack_parse(h, why, sizeof(why));
			if (e == -EBADMSG) {
				snprintf(why, sizeof(why), "a malformed answer");
				e = -EPROTO;
			}
			if (e && !rc) {
				rc = e;
				snprintf(err, errlen,
					 "nftables refused the transaction "
					 "(message %u): %s%s%s",
					 h->nlmsg_seq - b->first, strerror(-rc),
					 why[0] ? ": " : "", why);
			}
		}
	}
out:
	free(b->p);
	b->p = NULL;
	return rc;
}

/* ---- replace ------------------------------------------------------------------ */

static void table_msg(struct nft_batch *b, int type, uint16_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *h;

	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, FW_TABLE);
	h = nft_batch_hdr(b, type, flags);
	nftnl_table_nlmsg_build_payload(h, t);
	nftnl_table_free(t);
	nft_batch_done(b, h);
}

int nft_replace(const struct fwstate *fw, char *err, size_t errlen)
{
	struct nft_batch b;

	nft_batch_begin(&b, fw && fw->present ? fw->len : 0);
	/* create (so the delete cannot fail), delete, create anew */
	table_msg(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	table_msg(&b, NFT_MSG_DELTABLE, 0);
	if (fw && fw->present) {
		table_msg(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		batch_room(&b, fw->len);
		for (size_t off = 0; off + sizeof(struct nlmsghdr) <= fw->len;) {
			const struct nlmsghdr *m = (const void *)(fw->msgs + off);
			size_t ml = NLMSG_ALIGN(m->nlmsg_len);
			struct nlmsghdr *h;

			if (m->nlmsg_len < sizeof(*h) || ml > fw->len - off)
				break;
			h = (struct nlmsghdr *)(b.p + b.len);
			memcpy(h, m, ml);
			h->nlmsg_seq = b.seq++;
			h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
			b.len += ml;
			off += ml;
		}
	}
	nft_batch_end(&b);
	return nft_batch_run(&b, err, errlen);
}

/* ---- read ---------------------------------------------------------------------- */

static int dump_cb(const struct nlmsghdr *h, void *data)
{
	struct nft_dump_ctx *c = data;

	switch (c->type) {
	case NFT_MSG_GETTABLE: {
		struct nftnl_table *t = nftnl_table_alloc();

		if (nftnl_table_nlmsg_parse(h, t) == 0 &&
		    nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY) == NFPROTO_INET &&
		    !strcmp(nftnl_table_get_str(t, NFTNL_TABLE_NAME), FW_TABLE))
			c->table_seen = true;
		nftnl_table_free(t);
		break;
	}
	case NFT_MSG_GETCHAIN: {
		struct nftnl_chain *ch = nftnl_chain_alloc();

		if (nftnl_chain_nlmsg_parse(h, ch) == 0 &&
		    nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY) == NFPROTO_INET &&
		    !strcmp(nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE), FW_TABLE))
			fwobjs_add_chain(c->o, ch);
		else
			nftnl_chain_free(ch);
		break;
	}
	case NFT_MSG_GETSET: {
		struct nftnl_set *s = nftnl_set_alloc();

		if (nftnl_set_nlmsg_parse(h, s) == 0 &&
		    nftnl_set_get_u32(s, NFTNL_SET_FAMILY) == NFPROTO_INET &&
		    !strcmp(nftnl_set_get_str(s, NFTNL_SET_TABLE), FW_TABLE))
			fwobjs_add_set(c->o, s);
		else
			nftnl_set_free(s);
		break;
	}
	case NFT_MSG_GETSETELEM:
		nftnl_set_elems_nlmsg_parse(h, c->s);
		break;
	case NFT_MSG_GETRULE: {
		struct nftnl_rule *r = nftnl_rule_alloc();

		if (nftnl_rule_nlmsg_parse(h, r) == 0 &&
		    nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) == NFPROTO_INET &&
		    !strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), FW_TABLE))
			fwobjs_add_rule(c->o, r);
		else
			nftnl_rule_free(r);
		break;
	}
	}
	return MNL_CB_OK;
}

int nft_dump(struct mnl_socket *nl, struct nft_dump_ctx *c, int type)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 8];
	uint32_t seq = ++sock.seq, port = mnl_socket_get_portid(nl);
	struct nlmsghdr *h;
	int rc;

	c->type = type;
	h = nftnl_nlmsg_build_hdr(buf, (uint16_t)type, NFPROTO_INET,
				  NLM_F_DUMP | NLM_F_ACK, seq);
	if (type == NFT_MSG_GETSETELEM) {
		nftnl_set_elems_nlmsg_build_payload(h, c->s);
	} else if (type == NFT_MSG_GETSET || type == NFT_MSG_GETRULE ||
		   type == NFT_MSG_GETCHAIN) {
		/* ask for our table's only; filtered again when parsed */
		mnl_attr_put_strz(h, type == NFT_MSG_GETSET ? NFTA_SET_TABLE
				     : type == NFT_MSG_GETRULE
					     ? NFTA_RULE_TABLE
					     : NFTA_CHAIN_TABLE,
				  FW_TABLE);
	}
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, seq, port, dump_cb, c);
		if (rc <= 0)
			return rc < 0 ? -errno : 0;
	}
}

static void count_rules(const struct fwobjs *o, struct fw_counter **ctr,
			int *n_ctr)
{
	*ctr = NULL;
	*n_ctr = 0;
	for (int i = 0; i < o->n_rules; i++) {
		char com[128], pair[80], act[16];
		struct nftnl_expr_iter *it;
		struct nftnl_expr *e;
		struct fw_counter *c = NULL;

		fwobj_rule_comment(o->rules[i], com, sizeof(com));
		if (sscanf(com, "egnet %79s %15s", pair, act) != 2 ||
		    (strcmp(act, "accept") && strcmp(act, "drop")))
			continue;
		for (int k = 0; k < *n_ctr && !c; k++)
			if (!strcmp((*ctr)[k].pair, pair))
				c = &(*ctr)[k];
		if (!c) {
			*ctr = xrealloc(*ctr, (size_t)(*n_ctr + 1) * sizeof(**ctr));
			c = &(*ctr)[(*n_ctr)++];
			memset(c, 0, sizeof(*c));
			snprintf(c->pair, sizeof(c->pair), "%s", pair);
		}
		it = nftnl_expr_iter_create(o->rules[i]);
		while (it && (e = nftnl_expr_iter_next(it))) {
			if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME),
				   "counter"))
				continue;
			if (!strcmp(act, "accept")) {
				c->acc_pkts += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
				c->acc_bytes += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
			} else {
				c->drop_pkts += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
				c->drop_bytes += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
			}
		}
		if (it)
			nftnl_expr_iter_destroy(it);
	}
}

/*
 * Table inet egnet's objects into o (nothing when there is no such table).
 * A set's elements come in several messages, each walking a hash set from
 * its start and skipping what the earlier ones had: when the kernel grows
 * the hash table between two (it does, in the background, after a big
 * insert) the order changes and some elements come twice, as many not at
 * all.  A set with an element twice was read so: -EAGAIN, read again.
 */
static int read_objs(struct mnl_socket *nl, struct fwobjs *o, bool *seen)
{
	struct nft_dump_ctx c = {.o = o};
	int rc;

	rc = nft_dump(nl, &c, NFT_MSG_GETTABLE);
	*seen = c.table_seen;
	if (rc < 0 || !c.table_seen)
		return rc;
	if ((rc = nft_dump(nl, &c, NFT_MSG_GETCHAIN)) < 0 ||
	    (rc = nft_dump(nl, &c, NFT_MSG_GETSET)) < 0)
		return rc;
	for (int i = 0; i < o->n_sets; i++) {
		c.s = o->sets[i];
		if ((rc = nft_dump(nl, &c, NFT_MSG_GETSETELEM)) < 0)
			return rc;
		if (fwobj_set_has_repeat(c.s))
			return -EAGAIN;
	}
	return nft_dump(nl, &c, NFT_MSG_GETRULE);
}

int nft_read(struct fwstate *out, struct fw_counter **ctr, int *n_ctr,
	     char *err, size_t errlen)
{
	struct mnl_socket *nl;
	struct fwobjs o;
	int rc, tries = 0;
	bool seen = false;

	memset(out, 0, sizeof(*out));
	if (ctr) {
		*ctr = NULL;
		*n_ctr = 0;
	}
	nl = nft_open(0, err, errlen);
	if (!nl)
		return -EIO;
	for (;;) {
		fwobjs_init(&o);
		rc = read_objs(nl, &o, &seen);
		if (rc != -EAGAIN || ++tries == NFT_READ_TRIES)
			break;
		fwobjs_free(&o);
		/* the kernel's resize is a few milliseconds of work */
		nanosleep(&(struct timespec){0, 2 * 1000 * 1000}, NULL);
	}
	if (rc < 0) {
		snprintf(err, errlen, "reading table inet " FW_TABLE ": %s",
			 rc == -EAGAIN ? "a set read with an element twice "
					 "(the kernel kept resizing it)"
				       : strerror(-rc));
		fwobjs_free(&o);
		nft_close();
		return rc;
	}
	if (!seen) {
		out->present = false;
		out->canon = xstrdup("");
	} else {
		if (ctr)
			count_rules(&o, ctr, n_ctr);
		fwobjs_to_state(&o, out, err, errlen);
	}
	fwobjs_free(&o);
	return 0;
}

int nft_read_counters(struct fw_counter **ctr, int *n_ctr, char *err,
		      size_t errlen)
{
	struct mnl_socket *nl;
	struct fwobjs o;
	struct nft_dump_ctx c = {.o = &o};
	int rc;

	*ctr = NULL;
	*n_ctr = 0;
	nl = nft_open(0, err, errlen);
	if (!nl)
		return -EIO;
	fwobjs_init(&o);
	/* the rules only: a set of 100,000 addresses is not read */
	rc = nft_dump(nl, &c, NFT_MSG_GETTABLE);
	if (rc >= 0 && c.table_seen)
		rc = nft_dump(nl, &c, NFT_MSG_GETRULE);
	if (rc < 0) {
		snprintf(err, errlen, "reading the rules of table inet " FW_TABLE
			 ": %s", strerror(-rc));
		fwobjs_free(&o);
		nft_close();
		return rc;
	}
	count_rules(&o, ctr, n_ctr);
	fwobjs_free(&o);
	return 0;
}

/* ---- JSON ----------------------------------------------------------------------- */

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const uint8_t *p, size_t n)
{
	char *o = xmalloc(4 * ((n + 2) / 3) + 1), *w = o;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 |
			     (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		*w++ = b64[v >> 18 & 63];
		*w++ = b64[v >> 12 & 63];
		*w++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*w++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*w = '\0';
	return o;
}

static int b64_decode(const char *s, uint8_t **out, size_t *len)
{
	size_t n = strlen(s), k = 0;
	uint8_t *o;

	if (n % 4)
		return -EINVAL;
	o = xmalloc(n / 4 * 3 + 1);
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;
		int pad = 0;

		for (int j = 0; j < 4; j++) {
			const char *c = strchr(b64, s[i + j]);

			if (s[i + j] == '=' && i + 4 == n && j >= 2) {
				pad++;
				v <<= 6;
				continue;
			}
			if (!c || !s[i + j] || pad) {
				free(o);
				return -EINVAL;
			}
			v = v << 6 | (uint32_t)(c - b64);
		}
		o[k++] = (uint8_t)(v >> 16);
		if (pad < 2)
			o[k++] = (uint8_t)(v >> 8);
		if (pad < 1)
			o[k++] = (uint8_t)v;
	}
	*out = o;
	*len = k;
	return 0;
}

/*
 * libnftnl numbers the elements of a message it builds 1, 2, 3...  where
 * the kernel (and libnftnl's own parser) expect NFTA_LIST_ELEM for each:
 * renumber them before parsing our own messages back.
 */
static void fix_elem_types(struct nlmsghdr *h)
{
	struct nlattr *a;

	mnl_attr_for_each(a, h, sizeof(struct nfgenmsg))
	{
		struct nlattr *e;

		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(e, a)
			e->nla_type = (uint16_t)((e->nla_type & ~NLA_TYPE_MASK) |
						 NFTA_LIST_ELEM);
	}
}

json_t *fw_to_json(const struct fwstate *fw)
{
	char *m;
	json_t *j;

	if (!fw->present)
		return json_pack("{s:b}", "present", 0);
	m = b64_encode(fw->msgs, fw->len);
	j = json_pack("{s:b, s:s}", "present", 1, "messages", m);
	free(m);
	return j;
}

int fw_from_json(const json_t *j, struct fwstate **out, char *err,
		 size_t errlen)
{
	const char *m = json_string_value(json_object_get(j, "messages"));
	struct fwobjs o;
	uint8_t *p = NULL;
	size_t len = 0;
	char e[200];
	int rc = 0;

	*out = NULL;
	if (!json_is_object(j) || !json_is_boolean(json_object_get(j, "present"))) {
		snprintf(err, errlen, "firewall: not a firewall state");
		return -EINVAL;
	}
	if (!json_is_true(json_object_get(j, "present"))) {
		*out = xcalloc(1, sizeof(**out));
		(*out)->canon = xstrdup("");
		return 0;
	}
	if (!m || b64_decode(m, &p, &len)) {
		snprintf(err, errlen, "firewall: messages are not base64");
		return -EINVAL;
	}
	/* libnftnl exits on a malformed attribute: check the shape first */
	if (fwcheck_msgs(p, len, e, sizeof(e))) {
		snprintf(err, errlen, "firewall: %s", e);
		free(p);
		return -EINVAL;
	}
	/* Parse every message back into an object of table inet egnet:
	 * anything else is refused, and the canonical text comes from the
	 * objects, never from the file. */
	fwobjs_init(&o);
	for (size_t off = 0; off < len && !rc;) {
		const struct nlmsghdr *h = (const void *)(p + off);
		int type;
		const char *table = NULL;

		if (len - off < sizeof(*h) || h->nlmsg_len < sizeof(*h) ||
		    NLMSG_ALIGN(h->nlmsg_len) > len - off ||
		    (h->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES) {
			rc = -EINVAL;
			break;
		}
		type = h->nlmsg_type & 0xff;
		if (type == NFT_MSG_NEWCHAIN) {
			struct nftnl_chain *c = nftnl_chain_alloc();

			fwobjs_add_chain(&o, c);
			if (nftnl_chain_nlmsg_parse(h, c) < 0)
				rc = -EINVAL;
			table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
		} else if (type == NFT_MSG_NEWSET) {
			struct nftnl_set *s = nftnl_set_alloc();

			fwobjs_add_set(&o, s);
			if (nftnl_set_nlmsg_parse(h, s) < 0)
				rc = -EINVAL;
			table = nftnl_set_get_str(s, NFTNL_SET_TABLE);
		} else if (type == NFT_MSG_NEWSETELEM) {
			struct nftnl_set *tmp = nftnl_set_alloc();
			struct nftnl_set *s = NULL;

			fix_elem_types((struct nlmsghdr *)h);
			if (nftnl_set_elems_nlmsg_parse(h, tmp) < 0)
				rc = -EINVAL;
			table = nftnl_set_get_str(tmp, NFTNL_SET_TABLE);
			for (int i = 0; !rc && i < o.n_sets && !s; i++)
				if (nftnl_set_get_str(tmp, NFTNL_SET_NAME) &&
				    !strcmp(nftnl_set_get_str(o.sets[i],
							      NFTNL_SET_NAME),
					    nftnl_set_get_str(tmp,
							      NFTNL_SET_NAME)))
					s = o.sets[i];
			if (!rc && s && table && !strcmp(table, FW_TABLE))
				nftnl_set_elems_nlmsg_parse(h, s);
			else
				rc = -EINVAL;
			nftnl_set_free(tmp);
			table = FW_TABLE;
		} else if (type == NFT_MSG_NEWRULE) {
			struct nftnl_rule *r = nftnl_rule_alloc();

			fwobjs_add_rule(&o, r);
			if (nftnl_rule_nlmsg_parse(h, r) < 0)
				rc = -EINVAL;
			table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
		} else {
			rc = -EINVAL;
		}
		if (!rc && (!table || strcmp(table, FW_TABLE)))
			rc = -EINVAL;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	free(p);
	if (rc) {
		snprintf(err, errlen, "firewall: a message that is not one of "
			 "table inet " FW_TABLE "'s");
		fwobjs_free(&o);
		return rc;
	}
	*out = xcalloc(1, sizeof(**out));
	fwobjs_to_state(&o, *out, err, errlen);
	fwobjs_free(&o);
	return 0;
}
