/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Link monitoring in the kernel: the linkmon BPF programs (bpf/linkmon.bpf.c)
 * loaded once and attached at tc ingress and egress of each managed link,
 * counting packets and bytes by class and direction and timestamping egnet
 * probes, and on the skb:kfree_skb tracepoint counting the managed links'
 * drops by reason.  Functions return 0 or a negative errno and write the reason
 * into err where they take one; they never log (libbpf's own messages go
 * to common/log.h at debug level).
 *
 * Egnet's filter on a link is the tc "bpf" filter with handle
 * LINKMON_TC_HANDLE at priority LINKMON_TC_PRIORITY in chain 0 of the
 * clsact qdisc, both directions.  A priority this low runs before the
 * filters people usually add (tc's own choice starts at 49152 and counts
 * down), so every packet is counted; the programs answer "no opinion"
 * (TC_ACT_UNSPEC), so the filters after them see every packet as before.
 * A filter of another kind already at that priority makes attaching fail.
 */
#ifndef EGNET_LINKMON_H
#define EGNET_LINKMON_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/linkmon.h"

#define LINKMON_TC_HANDLE   0xe6e7
#define LINKMON_TC_PRIORITY 0xe6 /* 230 */

struct linkmon;

/* One link's counters summed over CPUs, [enum lm_dir][enum lm_class]. */
struct lm_counts {
	uint64_t packets[2][LM_CLASSES];
	uint64_t bytes[2][LM_CLASSES];
};

/*
 * Load the programs, probe_port (host order) set before load; with 0 no
 * packet is a probe (the counters work all the same).
 * Returns NULL with the reason in err (and errno set) when BPF is not
 * available here (no CAP_BPF, no kernel BTF, old kernel): the caller then
 * runs without.  Routes libbpf's messages to the logger one level down
 * (its warnings as debug).  Attaches nothing.
 */
struct linkmon *linkmon_open(uint16_t probe_port, char *err, size_t errlen);

/* The probe port (host order, 0: none) from now on, for the attached
 * programs as they run. */
void linkmon_set_probe_port(struct linkmon *lm, uint16_t port);

/* Detach from every link this linkmon attached to, unload, free.  NULL ok. */
void linkmon_close(struct linkmon *lm);

/*
 * Attach both programs to ifname, replacing egnet's filter if one is there
 * already (an agent that crashed or was killed leaves it): never two.
 * Other filters are left alone; the clsact qdisc is created when missing
 * and then removed again by linkmon_detach() if nothing else uses it.
 * Attaching a link again is harmless.
 */
int linkmon_attach(struct linkmon *lm, const char *ifname, char *err,
		   size_t errlen);

/*
 * Remove egnet's filter from ifname (also one a crashed agent left) and
 * forget the link's counters.  0 when there was nothing to remove.
 */
int linkmon_detach(struct linkmon *lm, const char *ifname);

/*
 * Attach to exactly ifnames[0..n): links not attached yet (or whose filter
 * is gone or not ours any more, or whose device was re-created) are
 * attached, links attached but not listed are detached.  Tries them all;
 * returns 0 or the first error, with its reason in err.
 */
int linkmon_sync(struct linkmon *lm, char (*ifnames)[16], int n, char *err,
		 size_t errlen);

/*
 * Counters of one link by name, summed over CPUs, since it was attached.
 * All 0 when the link is unknown or saw nothing.
 */
int linkmon_read(struct linkmon *lm, const char *ifname, struct lm_counts *out);

/* Drops of one (link, reason), summed over CPUs. */
struct lm_drop {
	uint32_t reason; /* the kernel's enum skb_drop_reason */
	uint64_t packets, bytes;
};

/*
 * Read the drop counters of every watched link from the kernel, in one
 * pass over the map, for the linkmon_drops() calls that follow: a caller
 * showing all links reads the map once, not once a link.  0 or -errno.
 */
int linkmon_drops_refresh(struct linkmon *lm);

/*
 * The drops on ifname since it was attached, by reason, as the last
 * linkmon_drops_refresh() read them, into out[0..max): returns how many
 * reasons.  0 when drops are not counted here (linkmon_drops_off() says
 * why).
 */
int linkmon_drops(struct linkmon *lm, const char *ifname, struct lm_drop *out,
		  int max);

/* Why drops are not counted (no reasons in this kernel, no tracepoint
 * program), or NULL when they are. */
const char *linkmon_drops_off(const struct linkmon *lm);

/* The kernel's name of a drop reason ("NETFILTER_DROP"), else its number
 * in hex written into buf. */
const char *linkmon_reason_name(const struct linkmon *lm, uint32_t reason,
				char *buf, size_t len);

/*
 * Kernel timestamps (CLOCK_MONOTONIC ns) of the probe with sequence number
 * seq: when the request left and when its reply came back, 0 when not
 * seen.  Once both are seen the entry is deleted (a second call says 0).
 */
int linkmon_probe_ts(struct linkmon *lm, uint32_t seq, uint64_t *tx_ns,
		     uint64_t *rx_ns);

/*
 * Remove egnet's filter from every link of this network namespace, for
 * the clean stop of an agent that died and for tests.  clsact qdiscs are
 * left: who made them is not known here.  Returns 0 or the first error
 * (reason in err) after trying every link.
 */
int linkmon_detach_all(char *err, size_t errlen);

#endif
