/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The zone firewall: table inet egnet, replaced as a whole in one nftables
 * transaction.  A firewall state is the list of netlink messages that
 * creates the table's contents (chains, sets and their elements, rules),
 * and a canonical text of the same contents that two states are compared
 * by: one line per chain, set element and rule, without handles and
 * counter values.  The desired state is compiled into one; the kernel's
 * table is read into one (and can be put back from it exactly).
 */
#ifndef EGNET_FW_H
#define EGNET_FW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_TABLE "egnet"

struct desired;

struct fwstate {
	bool present;	/* the table exists (or is to exist) */
	char *canon;	/* canonical text, lines ending in '\n' */
	uint8_t *msgs;	/* NEWCHAIN/NEWSET/NEWSETELEM/NEWRULE messages */
	size_t len;
	int n_rules, n_sets, n_elems;
};

/* Per zone pair counters, read from the rules' comments and counters. */
struct fw_counter {
	char pair[80]; /* "common>internet" */
	uint64_t acc_pkts, acc_bytes, drop_pkts, drop_bytes;
};

/* Compile the firewall of a desired state.  Returns 0 or -errno (reason). */
int fw_compile(const struct desired *ds, struct fwstate *out, char *err,
	       size_t errlen);

struct fwstate *fw_dup(const struct fwstate *fw);
void fw_free(struct fwstate *fw); /* frees fw itself */

/* Same contents (canonical text), presence included. */
bool fw_same(const struct fwstate *a, const struct fwstate *b);

/* Lines of a that b lacks, for showing what an apply changes. */
int fw_diff_lines(const struct fwstate *a, const struct fwstate *b,
		  char ***lines);

json_t *fw_to_json(const struct fwstate *fw);

/*
 * Read a firewall state from JSON, refusing (reason in err) anything whose
 * messages are not egnet's: every message must be one of ours for table
 * inet egnet.
 */
int fw_from_json(const json_t *j, struct fwstate **out, char *err,
		 size_t errlen);

/* ---- kernel (nft.c) ---- */

/*
 * Make the kernel's table equal to fw in one transaction: create it (so
 * the delete cannot fail), delete it, and create it with fw's contents —
 * or leave it deleted when fw is absent.  Nothing else is touched.  The
 * kernel refuses the whole transaction or takes it whole.  Returns 0 or
 * -errno with the kernel's reason.
 */
int nft_replace(const struct fwstate *fw, char *err, size_t errlen);

/* Read the kernel's table (absent: present = false).  With counters, fill
 * per zone pair figures (*ctr, *n_ctr) from the rules' comments. */
int nft_read(struct fwstate *out, struct fw_counter **ctr, int *n_ctr,
	     char *err, size_t errlen);

#endif
