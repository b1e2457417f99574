/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * linkmon.h - what the linkmon BPF programs and user space share: the key
 * and value of the per-link counters, the egnet probe wire format the
 * programs recognise, and the probe timestamps they record.
 *
 * Included from both sides, so it includes nothing itself: the includer
 * provides __u8/__u16/__u32/__u64 (vmlinux.h in BPF code, <linux/types.h>
 * in user space).  Only fixed-width types, no pointers and no implicit
 * padding, so both compilers lay the structs out the same way.
 */
#ifndef EGNET_BPF_LINKMON_H
#define EGNET_BPF_LINKMON_H

/* Direction a packet crossed the tc hook in; the dir field of the key. */
enum lm_dir {
	LM_INGRESS = 0,
	LM_EGRESS = 1,
};

/*
 * What a packet is, from its headers.  ICMP is ICMP over IPv4 or ICMPv6
 * over IPv6.  PROBE is an egnet probe (UDP to or from the probe port whose
 * payload starts with EGNET_PROBE_MAGIC); it is not counted as UDP too.
 * OTHER is everything else: ARP, IPv6 with extension headers, other IP
 * protocols, malformed headers.
 */
enum lm_class {
	LM_TCP = 0,
	LM_UDP,
	LM_ICMP,
	LM_OTHER,
	LM_PROBE,
	LM_CLASSES,
};

/*
 * Links are counted by slot, not by ifindex: user space gives each link
 * it watches a slot (1 .. LM_SLOTS - 1; 0 is "not watched") in
 * link_slot, and the counters are a per-CPU array indexed by
 * lm_counter_index(slot, dir, class).  An array lookup is a bounds check
 * and an add, where a hash costs a key hash and a compare on every
 * packet.  link_slot is itself an array indexed by ifindex for the
 * ifindexes below LM_IFINDEX_DIRECT (all of them, on a gateway); a
 * device with a larger ifindex is looked up in link_slot_far, a hash.
 * A packet on a link without a slot is not counted: the programs never
 * drop traffic because of monitoring.
 */
#define LM_SLOTS	  256
#define LM_IFINDEX_DIRECT 16384
#define LM_COUNTERS	  (LM_SLOTS * 2 * LM_CLASSES)

static inline __u32 lm_counter_index(__u32 slot, __u32 dir, __u32 cls)
{
	return (slot * 2 + dir) * LM_CLASSES + cls;
}

/*
 * Drops, from the skb:kfree_skb tracepoint: per (ifindex, reason) of the
 * links with a slot, in this agent's network namespace.  The reason is
 * the kernel's enum skb_drop_reason (its high 16 bits name a subsystem's
 * own reasons).  Room for LM_DROPS_MAX pairs; when full, new pairs are
 * not counted.
 */
#define LM_DROPS_MAX 4096

struct lm_drop_key {
	__u32 ifindex;
	__u32 reason;
};

/* Counter and drop values; one per CPU in the maps, readers sum them. */
struct lm_value {
	__u64 packets; /* on the wire: a GSO/GRO packet counts its segments */
	__u64 bytes;   /* their lengths from the Ethernet header on */
};

/*
 * The egnet probe, the payload of a UDP datagram to (request) or from
 * (reply) the probe port.  Every multi-byte field is in network byte
 * order.  A reply is the request sent back with type changed.
 */
#define EGNET_PROBE_MAGIC   0x45474e31 /* "EGN1" */
#define EGNET_PROBE_REQUEST 1
#define EGNET_PROBE_REPLY   2

struct egnet_probe {
	__u32 magic;
	__u8 type; /* EGNET_PROBE_REQUEST or EGNET_PROBE_REPLY */
	__u8 ver;
	__u16 flags;
	__u32 seq;
	__u32 pad;
	__u64 code;    /* the sender's division code */
	__u64 sent_ns; /* the sender's clock, for the sender only */
};

/*
 * probe_ts map: key the probe's seq (host order), value the kernel's
 * CLOCK_MONOTONIC times a request left on egress and its reply came back
 * on ingress; 0 when not seen.  An LRU hash, so stale entries of probes
 * whose reply never came make room by themselves.
 */
#define LM_PROBE_TS_MAX 65536

struct lm_probe_ts {
	__u64 tx_ns;
	__u64 rx_ns;
};

#endif /* EGNET_BPF_LINKMON_H */
