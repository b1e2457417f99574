/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The zone firewall: table inet egnet, changed in one nftables transaction
 * — of the elements and rules that differ when only those do, or a replace
 * of the whole table.  A firewall state is the list of netlink messages that
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
	/* canon[0, elems_at): table, chains, sets (the shape);
	 * [elems_at, rules_at): set elements; [rules_at, end): rules */
	size_t elems_at, rules_at;
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
/* Frees what fw holds (fw itself is the caller's, e.g. on the stack). */
void fw_release(struct fwstate *fw);

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
 * The functions below share one netfilter socket, kept open between calls
 * (closing one makes the kernel wait for the last transaction's deferred
 * frees) and opened again in another network namespace or after an error.
 * nft_close() lets it go (at exit; harmless when none is open).
 */
void nft_close(void);

/*
 * Make the kernel's table equal to fw in one transaction: create it (so
 * the delete cannot fail), delete it, and create it with fw's contents —
 * or leave it deleted when fw is absent.  Nothing else is touched.  The
 * kernel refuses the whole transaction or takes it whole.  Returns 0 or
 * -errno with the kernel's reason.
 */
int nft_replace(const struct fwstate *fw, char *err, size_t errlen);

/* How nft_update went about it (for logs, tests and the bench). */
struct nft_how {
	bool incremental; /* elements and rules only; else a full replace */
	int elems_add, elems_del, rules_add, rules_del;
};

/*
 * Take the kernel's table from `from` (the state read from the kernel
 * before this change) to `to`, in one transaction.  When both are present
 * and have the same shape (chains and sets, their types and flags), the
 * transaction holds only the element and rule additions and deletions
 * between them, and every other object, its handle and its counters stay
 * as they are: elements are diffed against `from` (intervals as a whole:
 * start and end element), rules against the kernel's current rules, read
 * here with their handles, matched by their canonical text in order; a new
 * rule goes in before the next kept one.  Otherwise it is nft_replace(to).
 * The kernel takes the transaction whole or refuses it whole.  *how (may be
 * NULL) says which it was.  Returns 0 or -errno with the kernel's reason.
 */
int nft_update(const struct fwstate *from, const struct fwstate *to,
	       struct nft_how *how, char *err, size_t errlen);

/*
 * What nft_update(from, to) would do, told without the kernel: the same
 * decision (the same code) and counts, the kernel's rules taken from
 * `from` (the kernel's as read before the change).  For the plan's label;
 * the update itself matches the rules the kernel has then.
 */
void nft_update_how(const struct fwstate *from, const struct fwstate *to,
		    struct nft_how *how);

/* Read the kernel's table (absent: present = false).  With counters, fill
 * per zone pair figures (*ctr, *n_ctr) from the rules' comments. */
int nft_read(struct fwstate *out, struct fw_counter **ctr, int *n_ctr,
	     char *err, size_t errlen);

/* The per zone pair figures alone, from the rules (no set is read): what
 * a report carries every interval.  No table: none. */
int nft_read_counters(struct fw_counter **ctr, int *n_ctr, char *err,
		      size_t errlen);

#endif
