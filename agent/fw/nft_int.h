/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What nft.c (the socket, transactions, the full replace, reading back)
 * shares with nft_update.c (the incremental update): not for other files.
 * Helpers here do not log; they return 0 or -errno with the reason in the
 * caller's buffer.
 */
#ifndef EGNET_NFT_INT_H
#define EGNET_NFT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mnl_socket;
struct nlmsghdr;
struct nftnl_set;
struct fwobjs;

/*
 * One nftables transaction being built: BEGIN, messages that each ask for
 * an ack, END.  Sequence numbers run from `first`; the kernel answers each
 * message by its number.
 */
struct nft_batch {
	char *p;
	size_t len, cap;
	uint32_t seq, first;
};

/* The process's netfilter socket (kept: see nft.c) with extended acks,
 * nothing left queued on it, its send buffer big enough for a transaction
 * of `sndbuf` bytes; NULL with the reason in err.  Not to be closed by the
 * caller: nft_close() after an error on it. */
struct mnl_socket *nft_open(size_t sndbuf, char *err, size_t errlen);

/* Start a transaction (BEGIN) with room for about `hint` bytes. */
void nft_batch_begin(struct nft_batch *b, size_t hint);

/* A message header of `type` at the end, numbered, asking for an ack:
 * build its payload, then nft_batch_done(). */
struct nlmsghdr *nft_batch_hdr(struct nft_batch *b, int type,
			       uint16_t flags);
void nft_batch_done(struct nft_batch *b, const struct nlmsghdr *h);

/* END (after the test build's failure point, if armed). */
void nft_batch_end(struct nft_batch *b);

/*
 * Send the transaction and read every answer.  Returns 0 or the first
 * refusal's -errno with the kernel's reason in err.  Frees the batch.
 */
int nft_batch_run(struct nft_batch *b, char *err, size_t errlen);

/* A dump of table inet egnet's objects of one kind into o. */
struct nft_dump_ctx {
	struct fwobjs *o;
	int type;
	const char *set; /* GETSETELEM: the set the elements go to */
	struct nftnl_set *s;
	bool table_seen;
};

/* Dump objects of `type` (NFT_MSG_GET*) of our table into c->o.  Returns
 * 0 or -errno. */
int nft_dump(struct mnl_socket *nl, struct nft_dump_ctx *c, int type);

#endif
